"""Exercises of notebook 04 (scalar autograd), easy to hard: predict an accumulation, build a
two-input operation, take one step on micro-batches, and write the backward pass by counting
uses. Where the package's own machinery would give the answer away (``Value``'s division in
Exercise 2, its backward pass and order in Exercise 4), the core refuses an answer that calls
it; Exercise 3 counts the learner's backward() calls for the time of the check only."""
import math
import sys

import numpy as np

from ..nn import MLP
from ..scalar import Value
from .core import WrongAnswer, diagnose, exercise, learner_error


def _is_number(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


# ---- Exercise 04.1: predict, then run --------------------------------------------------------

def accumulation_program(reset_intermediates=True, leaves_accumulate=True, passes=2, reuse_sums=True):
    """Exercise 04.1's program, run on Value (or as an engine with one typical flaw would run it):

        x, y = Value(3.0), Value(-2.0)
        u = x * y
        first = u + x
        first.backward()
        second = u * u
        second.backward()

    Returns (x.grad, y.grad, u.grad) after ``passes`` backward calls.
    """
    x, y = 3.0, -2.0
    u = x * y
    grads = {"x": 0.0, "y": 0.0, "u": 0.0}
    for k in range(passes):
        if k == 0:   # first = u + x: ∂/∂u = 1, ∂/∂x = 1 directly
            du, dx_direct = 1.0, 1.0
        else:        # second = u * u: ∂/∂u = 2u (both uses add), or u for one use only
            du, dx_direct = (2 * u if reuse_sums else u), 0.0
        if not leaves_accumulate:
            grads["x"] = grads["y"] = 0.0
        if reset_intermediates:
            grads["u"] = 0.0
        grads["u"] += du
        g_u = grads["u"]
        grads["x"] += dx_direct + g_u * y
        grads["y"] += g_u * x
    return grads["x"], grads["y"], grads["u"]


def _accumulation_truth():
    """The same program run on the package's Value (the checker's independent route)."""
    x, y = Value(3.0), Value(-2.0)
    u = x * y
    (u + x).backward()
    (u * u).backward()
    return x.grad, y.grad, u.grad


@exercise
def check_accumulation_prediction(answer):
    """Exercise 04.1: predict (x.grad, y.grad, u.grad) after the two backward() calls."""
    if callable(answer) or isinstance(answer, (str, dict)) or not hasattr(answer, "__len__") or len(answer) != 3:
        raise WrongAnswer("write your prediction as three numbers, (x.grad, y.grad, u.grad), "
                     "e.g. accumulation_prediction = (1.0, 2.0, 3.0)")
    if not all(_is_number(v) for v in answer):
        raise WrongAnswer("each of the three predictions should be a number (work them out by hand, "
                     "not by running the code)")
    got = np.array([float(v) for v in answer])
    truth = np.array(_accumulation_truth())
    assert np.array_equal(truth, accumulation_program())  # the two routes agree
    diagnose(got, truth, [
        (np.array(accumulation_program(passes=1)), "that is the state after the first backward() only; "
                                                   "the second backward() then runs through u * u"),
        (np.array(accumulation_program(leaves_accumulate=False)),
         "x.grad and y.grad hold only the second pass: leaves accumulate across backward() calls, "
         "so add what the first pass left there"),
        (np.array(accumulation_program(reset_intermediates=False)),
         "that is what an engine that never resets intermediate gradients gives (micrograd's does "
         "not): u.grad kept the 1 of the first pass, and it flowed down twice. This engine "
         "resets intermediate nodes at each backward()"),
        (np.append(truth[:2], truth[2] + 1.0),
         "x.grad and y.grad are right; u is an intermediate node: this engine resets it at each "
         "backward(), so it holds the latest pass only"),
        (np.array(accumulation_program(reuse_sums=False)),
         "u is used twice in u * u: the two uses add, so ∂(u·u)/∂u is not just u"),
        (-truth, "every sign is flipped: a gradient points uphill, ∂output/∂input"),
    ], "your prediction")


# ---- Exercise 04.2: division, an operation with two inputs -----------------------------------

#: Exercise 04.2's (a, b) pairs: both signs, b below and above 1
DIVIDE_EXERCISE_INPUTS = ((6.0, 3.0), (-2.0, 4.0), (1.5, -0.5), (0.3, 7.0))


def _learner_divide(function, a, b):
    """The learner's a / b, checked to be a new Value that leaves a and b alone."""
    held_a, held_b = 0.25, -0.5  # as if a and b had gradients from other uses already
    a.grad, b.grad = held_a, held_b
    data_a, data_b = a.data, b.data
    out = function(a, b)     # the core refuses a call of Value's own division on the way
    if type(out) is not Value:
        raise WrongAnswer(f"divide should return a Value (a new node), got {type(out).__name__} for "
                     f"a = {data_a:g}, b = {data_b:g}")
    if (a.data, b.data) != (data_a, data_b):
        raise WrongAnswer("divide changed an input's .data: leave a and b as they are (they may be used "
                     "elsewhere in the graph) and return a new Value")
    if (a.grad, b.grad) != (held_a, held_b):
        raise WrongAnswer("divide changed a.grad or b.grad: the gradient arriving from above is known only "
                     "in backward(); record the two local derivatives instead (local=(..., ...)), and "
                     "backward() multiplies and adds them")
    a.grad = b.grad = 0.0
    return out


@exercise(callable_answer=True, references=(Value.__truediv__, Value.__rtruediv__))
def check_divide(function):
    """Exercise 04.2: ``divide(a, b)`` returns a / b as a new Value with both local derivatives."""
    pairs = np.array(DIVIDE_EXERCISE_INPUTS)
    grads = []
    for x, y in pairs:
        a, b = Value(float(x)), Value(float(y))
        out = _learner_divide(function, a, b)
        if not math.isclose(out.data, x / y, rel_tol=1e-12):
            hint = "; that is b / a, the other way round" if math.isclose(out.data, y / x, rel_tol=1e-12) else ""
            raise WrongAnswer(f"the value is wrong for a = {x:g}, b = {y:g}: got {out.data:g}{hint}")
        recorded = tuple(out.inputs)
        if not recorded:
            raise WrongAnswer("no gradient reaches a or b: your Value is a new leaf that does not remember its "
                         "inputs. Make it with Value.from_op(data, inputs=(a, b), local=(..., ...), op='/')")
        if len(recorded) == 1:
            raise WrongAnswer(f"only {'a' if recorded[0] is a else 'b'} gets a gradient: record both inputs, "
                         f"inputs=(a, b), and a local derivative for each, in the same order")
        out.backward()
        grads.append((a.grad, b.grad))
    grads = np.array(grads)
    A, B = pairs[:, 0], pairs[:, 1]
    diagnose(grads[:, 0], 1 / B, [
        (-A / B ** 2, "you gave the local derivatives in the wrong order: local[k] belongs to inputs[k], "
                      "so ∂(a/b)/∂a comes first"),
        (B, "∂(a/b)/∂a is not b (that is multiplication's rule): a/b = a · (1/b)"),
        (1 / A, "∂(a/b)/∂a: treat b as a constant, a/b = a · (1/b)"),
        (np.ones(len(A)), "∂(a/b)/∂a is not 1: a/b = a · (1/b), so the factor in front of a is its slope"),
    ], "∂(a/b)/∂a at (a, b) = " + ", ".join(f"({x:g}, {y:g})" for x, y in pairs))
    diagnose(grads[:, 1], -A / B ** 2, [
        (A / B ** 2, "the sign of ∂(a/b)/∂b is wrong: for a > 0 and b > 0, a/b gets smaller as b grows"),
        (-1 / B ** 2, "∂(a/b)/∂b is missing a factor: a/b = a · b⁻¹, and a stays as a factor"),
        (-A / B, "∂(a/b)/∂b: the derivative of b⁻¹ is -b⁻², one power more in the denominator"),
        (np.zeros(len(A)), "no gradient reaches b: its local derivative is 0; b changes a/b too"),
    ], "∂(a/b)/∂b at (a, b) = " + ", ".join(f"({x:g}, {y:g})" for x, y in pairs))
    # bigger graphs: a reused input, division feeding other operations
    graphs = [
        ("x / x", lambda x, y, div: div(x, x), (1.7, 0.0)),
        ("(x*y) / (y + 1)", lambda x, y, div: div(x * y, y + 1), (1.2, -3.0)),
        ("x / (x / y) + y", lambda x, y, div: div(x, div(x, y)) + y, (2.5, 0.4)),
    ]
    for name, f, (x, y) in graphs:
        xv, yv = Value(x), Value(y)
        f(xv, yv, function).backward()
        h = 1e-6
        plain = lambda u, v: u / v
        dx = (f(x + h, y, plain) - f(x - h, y, plain)) / (2 * h)
        dy = (f(x, y + h, plain) - f(x, y - h, plain)) / (2 * h)
        if not (math.isclose(xv.grad, dx, rel_tol=1e-6, abs_tol=1e-6)
                and math.isclose(yv.grad, dy, rel_tol=1e-6, abs_tol=1e-6)):
            raise WrongAnswer(f"one division is right, but in the bigger graph {name} at x = {x:g}, y = {y:g} "
                         f"the gradients disagree with finite differences: does divide touch anything "
                         f"besides building its new Value?")


# ---- Exercise 04.3: one step on micro-batches ------------------------------------------------

def _micro_batch_problem(seed=3):
    """A small tanh MLP, twelve points in three micro-batches of four, the squared error of each
    micro-batch as its own loss function, and stale gradients on the parameters."""
    model = MLP(2, [3, 1], hidden="tanh", seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.5, 1.5, size=(12, 2))
    Y = np.tanh(X[:, 0] - X[:, 1])
    batches = [(X[k:k + 4].tolist(), Y[k:k + 4].tolist()) for k in range(0, 12, 4)]

    def loss_of(points, targets):
        def loss_function():
            return sum((model(p)[0] - t) ** 2 for p, t in zip(points, targets)) * (1 / len(points))
        return loss_function

    for k, p in enumerate(model.parameters()):
        p.grad = 0.3 * math.cos(k)
    return model, [loss_of(points, targets) for points, targets in batches]


def _accumulated_step(seed, rate, mistake=None):
    """One step on the mean micro-batch loss, right or with one typical mistake; returns
    (parameters after, mean loss before the step)."""
    model, loss_functions = _micro_batch_problem(seed)
    parameters = model.parameters()
    k = len(loss_functions)
    if mistake != "no zero":
        for p in parameters:
            p.grad = 0.0
    losses = []
    for f in loss_functions:
        if mistake == "zero each":
            for p in parameters:
                p.grad = 0.0
        loss = f()
        loss.backward()
        losses.append(loss.data)
        if mistake == "step each":
            for p in parameters:
                p.data -= rate * p.grad / k
                p.grad = 0.0
    if mistake != "step each":
        scale = 1.0 if mistake == "sum" else 1.0 / k
        for p in parameters:
            p.data -= rate * scale * p.grad
    return np.array([p.data for p in parameters]), sum(losses) / k


#: Exercise 04.3's settings: (seed of the problem, learning rate)
MICRO_BATCH_CASES = ((3, 0.1), (5, 0.25))


@exercise(callable_answer=True)
def check_accumulated_step(function):
    """Exercise 04.3: ``accumulated_step(model, loss_functions, learning_rate)`` -> mean loss."""
    for seed, rate in MICRO_BATCH_CASES:
        model, loss_functions = _micro_batch_problem(seed)
        start = np.array([p.data for p in model.parameters()])
        calls = []
        original = Value.backward

        def counted(self):
            calls.append(self)
            original(self)
        Value.backward = counted
        try:
            returned = function(model, loss_functions, rate)
        finally:
            Value.backward = original
        got = np.array([p.data for p in model.parameters()])
        expected, mean_loss = _accumulated_step(seed, rate)
        if np.array_equal(got, start):
            raise WrongAnswer("the parameters never moved: after the micro-batches, step each one in place, "
                         "p.data -= learning_rate * (its gradient of the mean loss)")
        k = len(loss_functions)
        diagnose(got, expected, [
            (_accumulated_step(seed, rate, "zero each")[0],
             "you zeroed the gradients before every micro-batch, so only the last one's gradient was "
             "left: zero once, before the first, and let .grad add up across the backward() calls"),
            (_accumulated_step(seed, rate, "no zero")[0],
             "the parameters started with stale gradients (from an earlier backward()), and they went "
             "into your step: zero every p.grad once before the first micro-batch"),
            (_accumulated_step(seed, rate, "sum")[0],
             f"your step is {k} times too large: the accumulated .grad is the gradient of the sum of "
             f"the {k} losses; the mean divides it by the number of micro-batches"),
            (_accumulated_step(seed, rate, "step each")[0],
             "you stepped after each micro-batch (that is plain stochastic gradient descent, several "
             "steps): accumulate all micro-batches first, then take one step"),
            (2 * start - expected, "wrong step sign: that climbs the loss; step against the gradient"),
        ], f"the parameters after one step (learning_rate = {rate})")
        if len(calls) < k:
            raise WrongAnswer(f"the step is right, but backward() ran {len(calls)} time(s) for {k} micro-batches: "
                         f"summing all losses into one graph keeps every micro-batch's graph in memory at "
                         f"once. Call backward() once per micro-batch and let .grad accumulate")
        if not _is_number(returned) and not isinstance(returned, Value):
            raise WrongAnswer(f"the step is right; return the mean of the micro-batch losses as a number, "
                         f"got {type(returned).__name__}")
        value = returned.data if isinstance(returned, Value) else float(returned)
        if not math.isclose(value, mean_loss, rel_tol=1e-9):
            hint = (" (that is their sum: divide by the number of micro-batches)"
                    if math.isclose(value, k * mean_loss, rel_tol=1e-9) else "")
            raise WrongAnswer(f"the step is right, but the returned loss is not the mean of the micro-batch "
                         f"losses before the step{hint}")


# ---- Exercise 04.4: the backward pass by counting uses ---------------------------------------

def _doubling(n):
    a = Value(1.0)
    top = a
    for _ in range(n):
        top = top + top
    return a, top


def _counting_graphs():
    """(name, build) pairs: build() returns (root, nodes to check); shared subgraphs, an input
    used twice by one operation, plain numbers, a graph whose two branches differ in length."""
    def seed():
        a, b = Value(2.0), Value(3.0)
        c = a * -b
        e = c ** 2 - c
        return e, (a, b, c)

    def square():
        x = Value(-1.5)
        a = x * 1.5 - 0.3                 # an intermediate node ...
        s = a * a                         # ... used twice by one operation
        return s + 2 * s, (x, a, s)

    def uneven():
        x, y = Value(0.5), Value(-1.2)
        h = (x * y).tanh()
        long = h
        for _ in range(4):
            long = long * 1.1 + y
        return long * h + x, (x, y, h)

    def neuron():
        w1, w2, b = Value(0.3), Value(-0.8), Value(0.1)
        z = b + w1 * 0.5 + w2 * -1.5
        return z.tanh() * z.relu() + w1 * w2, (w1, w2, b, z)

    return [("e = (a·(-b))² - a·(-b)", seed), ("s + 2s with s = a·a, a = 1.5x - 0.3", square),
            ("two branches of different lengths", uneven), ("a neuron with shared z", neuron)]


def _reference_grads(build):
    root, nodes = build()
    root.backward()
    return [n.grad for n in nodes]


def _run_counting(function, root):
    try:
        return function(root)
    except RecursionError as error:
        raise learner_error(error, "a recursive walk is limited by Python's recursion depth: keep your own "
                                   "stack (a list) of nodes to visit") from None


@exercise(callable_answer=True, references=(Value.backward, Value.topological_order, Value.zero_grad))
def check_backward_by_counting(function):
    """Exercise 04.4: ``backward_by_counting(root)`` sets every .grad by counting uses."""
    for name, build in _counting_graphs():
        expected = _reference_grads(build)
        root, nodes = build()
        _run_counting(function, root)
        got = [n.grad for n in nodes]
        if root.grad != 1.0 and all(g == 0.0 for g in got):
            raise WrongAnswer(f"in {name}, no gradient moved: seed the root with root.grad = 1 (it is "
                         f"∂root/∂root) and pass gradients down from there")
        if not np.allclose(got, expected, rtol=1e-12, atol=1e-12):
            raise WrongAnswer(f"wrong gradients in {name}: every use adds its share to a node's .grad (+=, "
                         f"never =), and a node passes its gradient down only once all its uses have "
                         f"given theirs (its count of pending uses reaches 0), and exactly once")
    a, top = _doubling(40)
    _run_counting(function, top)
    if a.grad != 2.0 ** 40:
        raise WrongAnswer("wrong on the doubling graph b = a + a, c = b + b, ... (40 levels, ∂/∂a = 2⁴⁰): "
                     "when you count uses, expand each node only once (a visited set), or the count "
                     "walk follows every path")
    depth = 3 * sys.getrecursionlimit() + 1000
    x = Value(1.0)
    y = x
    for _ in range(depth):
        y = y * 1.0001 + 0.0
    _run_counting(function, y)
    if not math.isclose(x.grad, 1.0001 ** depth, rel_tol=1e-9):
        raise WrongAnswer(f"wrong on a chain {depth:,} operations deep: every node there has one use")
    # a second pass: leaves accumulate, intermediate nodes hold this pass only
    for name, build in _counting_graphs()[:2]:
        expected = _reference_grads(build)
        root, nodes = build()
        _run_counting(function, root)
        _run_counting(function, root)
        got = [n.grad for n in nodes]
        want = [2 * g if not n.inputs else g for g, n in zip(expected, nodes)]
        if not np.allclose(got, want, rtol=1e-12, atol=1e-12):
            raise WrongAnswer(f"a single backward is right, but after a second call on {name} the gradients "
                         f"are off: reset the intermediate nodes (those with inputs) to 0 before a pass, "
                         f"and let leaves accumulate (+=), as Value.backward does")
