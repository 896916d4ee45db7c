"""Checkers for the exercises at the end of each notebook.

Each ``check_<name>(answer)`` runs a learner's function (or looks at a learner's value) on
several inputs, edge cases included, compares with a reference it keeps to itself, and prints
one verdict line:

    [name] correct
    [name] not yet: <what is wrong, and a hint>
    [name] not attempted yet

It never prints the reference answer and never crashes on a learner's exception: it reports
it. A stub left as it is (``None``, ``...`` or a function raising NotImplementedError) counts
as not attempted, so a notebook with untouched exercises still runs top to bottom.
Checkers print and return nothing, so a check cell shows exactly one line;
``judge(name, answer)`` gives the same outcome as a value, for graders and tests.
"""
import math
import traceback
from collections import Counter
from typing import NamedTuple

import numpy as np

from . import naive
from .activations import sigmoid_prime
from .examples import bp_walkthrough_example, naive_recursion_example
from .network import Network

CORRECT, WRONG, NOT_ATTEMPTED = "correct", "not yet", "not attempted yet"


class Verdict(NamedTuple):
    exercise: str
    status: str
    message: str = ""

    @property
    def passed(self):
        return self.status == CORRECT

    def line(self):
        return f"[{self.exercise}] {self.status}" + (f": {self.message}" if self.message else "")


class _Wrong(Exception):
    """Raised inside a check to stop at the first problem found, with its hint."""


_CHECKS = {}


def exercise(check):
    """Register ``check_<name>``: it raises _Wrong with a hint when the answer is wrong.

    Returns the learner-facing checker, which prints the verdict line and returns nothing.
    """
    name = check.__name__.removeprefix("check_")
    _CHECKS[name] = check

    def checker(answer):
        print(judge(name, answer).line())
    checker.__name__, checker.__doc__ = check.__name__, check.__doc__
    return checker


def judge(exercise_name, answer):
    """The Verdict on ``answer`` for an exercise, without printing: for graders and tests."""
    if answer is None or answer is Ellipsis:
        return Verdict(exercise_name, NOT_ATTEMPTED)
    try:
        _CHECKS[exercise_name](answer)
    except _Wrong as wrong:
        return Verdict(exercise_name, WRONG, str(wrong))
    except NotImplementedError:
        return Verdict(exercise_name, NOT_ATTEMPTED)
    except Exception as error:  # the learner's code failed: say where, don't crash
        return Verdict(exercise_name, WRONG, str(_raised(error)))
    return Verdict(exercise_name, CORRECT)


def _raised(error, hint=""):
    """A _Wrong that reports the learner's exception, where it happened, and a hint if known."""
    frame = traceback.extract_tb(error.__traceback__)[-1]
    return _Wrong(f"your code raised {type(error).__name__}: {error} (line {frame.lineno}: {frame.line})"
                  + (f"; {hint}" if hint else ""))


def _as_array(value, what):
    try:
        return np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise _Wrong(f"{what} should be numbers (a numpy array), got {type(value).__name__}") from None


def _close(a, b):
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-6, atol=1e-10)


def _diagnose(got, expected, wrong_variants, what):
    """Return if ``got`` matches; else raise _Wrong with the most specific hint: shape first,
    then the known mistakes in ``wrong_variants`` (value, hint), then a generic one."""
    if _close(got, expected):
        return
    if got.size == expected.size and got.shape != expected.shape:
        if _close(got.reshape(expected.shape), expected):
            raise _Wrong(f"{what} has the right numbers but shape {got.shape}; it should be "
                         f"{expected.shape} (a column per sample)")
    if got.shape != expected.shape:
        if got.ndim == 2 and got.T.shape == expected.shape and _close(got.T, expected):
            raise _Wrong(f"{what} is transposed: shape {got.shape}, expected {expected.shape}")
        raise _Wrong(f"{what} has shape {got.shape}, expected {expected.shape}")
    for variant, hint in wrong_variants:
        if _close(got, variant):
            raise _Wrong(hint)
    if not np.all(np.isfinite(got)):
        raise _Wrong(f"{what} contains nan or inf")
    raise _Wrong(f"{what} is off (largest difference {np.max(np.abs(got - expected)):.2e}); "
                 f"redo the equation step by step and compare each factor")


# --------------------------------------------------------------------------- notebook 02
def delta2_exercise_network():
    """The notebook-02 network with W^(3) changed to [[-0.5, 0.8]]: the exercise's numbers."""
    net, x, y = bp_walkthrough_example()
    net.W[3] = np.array([[-0.5, 0.8]])
    return net, x, y


@exercise
def check_delta2_by_hand(answer):
    """Exercise 02.1: δ^(2) of the notebook-02 network with W^(3) = [[-0.5, 0.8]], by hand."""
    got = _as_array(answer, "your δ^(2)")
    net, x, y = delta2_exercise_network()
    r = net.forward(x)
    a, z = r.a, r.z
    delta3 = (a[3] - y) * sigmoid_prime(z[3])
    expected = (net.W[3].T @ delta3) * sigmoid_prime(z[2])
    old_W3 = bp_walkthrough_example().network.W[3]
    old = bp_walkthrough_example().network.forward(x)
    old_delta3 = (old.a[3] - y) * sigmoid_prime(old.z[3])
    _diagnose(got.reshape(-1, 1) if got.ndim == 1 else got, expected, [
        (-expected, "wrong sign: ∇_a L = a^(3) - y, not y - a^(3)"),
        (net.W[3].T @ delta3, "you forgot the activation derivative: BP2 ends with ⊙ σ'(z^(2))"),
        ((net.W[3].T @ delta3) * sigmoid_prime(a[2]),
         "σ' takes the pre-activation: use σ'(z^(2)) = a^(2)(1 - a^(2)), not σ'(a^(2))"),
        ((net.W[3].T @ (a[3] - y)) * sigmoid_prime(z[2]),
         "δ^(3) needs its own σ'(z^(3)) factor (BP1) before you carry it back"),
        ((old_W3.T @ old_delta3) * sigmoid_prime(old.z[2]),
         "that is δ^(2) of the original network: use the new W^(3) = [[-0.5, 0.8]], "
         "and redo the forward pass from layer 3"),
    ], "your δ^(2)")


@exercise
def check_bp4_batch(function):
    """Exercise 02.2: ``bp4_batch(delta, a_prev)`` returns ∂L/∂W^(l) for a batch (samples = columns)."""
    if not callable(function):
        raise _Wrong("pass your function itself, e.g. check_bp4_batch(bp4_batch)")
    rng = np.random.default_rng(2)
    for n_out, n_in, m in [(2, 3, 1), (3, 2, 4), (1, 1, 5), (4, 3, 2)]:
        delta = rng.normal(size=(n_out, m)) / m  # a batch δ already carries the 1/m
        a_prev = rng.normal(size=(n_in, m))
        got = _as_array(function(delta.copy(), a_prev.copy()), "bp4_batch's result")
        expected = delta @ a_prev.T
        per_sample = [np.outer(delta[:, i], a_prev[:, i]) for i in range(m)]
        variants = [
            (expected / m, "δ of a batch already carries the 1/m of the mean loss: don't divide again"),
            (per_sample[0], "that is the first sample only: BP4 sums δ (a^(l-1))ᵀ over all the columns"),
            (-expected, "wrong sign"),
        ] if m > 1 else [(-expected, "wrong sign")]
        _diagnose(got, expected, variants, f"bp4_batch's result for δ of shape {delta.shape} "
                                           f"and a^(l-1) of shape {a_prev.shape}")


# --------------------------------------------------------------------------- notebook 01
#: Exercise 01.1's architecture: 3 inputs, hidden layers of 2 and 4 neurons, one output
NAIVE_CALLS_EXERCISE_SIZES = [3, 2, 4, 1]


def _requests_per_neuron_counts(sizes, per_neuron_requests):
    """Total naive evaluations when each neuron of layer l is asked per_neuron_requests(l) times."""
    L = len(sizes) - 1
    return sum(sizes[l] * sum(per_neuron_requests(k) * math.prod(sizes[k:l]) for k in range(1, l + 1))
               for l in range(1, L + 1))


@exercise
def check_naive_calls_by_hand(answer):
    """Exercise 01.1: the naive recursion's total δ evaluations for sizes [3, 2, 4, 1], by hand."""
    if isinstance(answer, (bool, str)) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise _Wrong(f"your count should be a number (a whole number), got {type(answer).__name__}")
    if not np.isfinite(answer) or answer != int(answer):
        raise _Wrong(f"a count of evaluations is a whole number, got {answer}")
    got, sizes = int(answer), NAIVE_CALLS_EXERCISE_SIZES
    if got == naive.naive_call_count(sizes):
        return
    counts = naive.naive_call_counts(sizes)
    L = len(sizes) - 1
    n_parameters = sum(sizes[l] * (sizes[l - 1] + 1) for l in range(1, L + 1))
    hints = [
        (naive.cached_call_count(sizes), "that is the count with a cache, one evaluation per neuron; "
                                         "the naive recursion recomputes δ for every request"),
        (naive.path_count(sizes), "that is the number of input-to-output paths, not of evaluations: "
                                  "count the requests of each layer and what each request calls"),
        (_requests_per_neuron_counts(sizes, lambda k: sizes[k - 1]),
         "you counted the weights' requests only: each neuron's bias asks for its δ too "
         "(n_{l-1} + 1 requests per neuron, not n_{l-1})"),
        (_requests_per_neuron_counts(sizes, lambda k: 1),
         "you asked once per neuron; in this notebook every parameter asks for its δ afresh: "
         "a neuron of layer l is asked n_{l-1} + 1 times by its own weights and bias"),
        (n_parameters, "that is the number of parameters, one request each; every request also "
                       "calls δ of every neuron its neuron feeds, and so on up to the output"),
        (sum(counts.values()), "you added c_l once per layer, but c_l counts one neuron: layer l has "
                               "n_l neurons, so the total is Σ_l n_l c_l"),
        (counts[L], "that is the count of the output neuron alone; add the evaluations of every "
                    "neuron of every layer"),
        (naive.naive_call_count(sizes[::-1]), "you read the sizes backwards: n_0 = 3 is the input "
                                              "and n_3 = 1 the output"),
    ]
    for value, hint in hints:
        if got == value:
            raise _Wrong(hint)
    raise _Wrong("that is not the count; find c_l = (n_{l-1} + 1) + n_{l-1} c_{l-1} layer by "
                 "layer (c_1 = n_0 + 1), check each step, then add n_l c_l over the layers")


def cached_delta_exercise_networks():
    """Exercise 01.2's test networks, (network, x, y): square first (a swapped weight index
    gives wrong values there instead of an IndexError), the notebook's, a width-1 chain (one
    path, yet the cache still saves calls), wider ones, other activations."""
    cases = [([2, 2, 2, 2], "sigmoid", 11), None, ([1, 1, 1, 1, 1], "tanh", 12),
             (NAIVE_CALLS_EXERCISE_SIZES, "sigmoid", 13), ([3, 4, 3, 2], "tanh", 14)]
    networks = []
    for case in cases:
        if case is None:
            networks.append(tuple(naive_recursion_example()))
            continue
        sizes, activation, seed = case
        rng = np.random.default_rng(seed)
        networks.append((Network.random(sizes, activations=activation, seed=seed),
                         rng.normal(size=(sizes[0], 1)), rng.uniform(size=(sizes[-1], 1))))
    return networks


def _delta_variant(terms, l, j, cache, with_sigma_prime=True, swapped_index=False):
    """A cached δ_j^(l), right or with one typical mistake (to name the mistake, never shown)."""
    if (l, j) not in cache:
        if l == terms.L:
            cache[l, j] = terms.delta_output[j]
        else:
            total = 0.0
            for i in range(terms.sizes[l + 1]):
                weight = terms.W[l + 1][j][i] if swapped_index else terms.W[l + 1][i][j]
                total += weight * _delta_variant(terms, l + 1, i, cache, with_sigma_prime, swapped_index)
            cache[l, j] = terms.sigma_prime[l][j] * total if with_sigma_prime else total
    return cache[l, j]


def _call_patterns(terms, requests):
    """Calls a cached recursion counts for ``requests`` if it never reads its cache, or if it
    counts look-ups too: two typical mistakes, recognised by their counts."""
    never_read = Counter()
    for l, j in requests:
        naive.naive_delta(terms, l, j, never_read)
    lookups, cache = Counter(), {}

    def counting_lookups(l, j):
        lookups[l, j] += 1
        if (l, j) not in cache:
            cache[l, j] = (terms.delta_output[j] if l == terms.L else
                           terms.sigma_prime[l][j] * sum(terms.W[l + 1][i][j] * counting_lookups(l + 1, i)
                                                         for i in range(terms.sizes[l + 1])))
        return cache[l, j]
    for l, j in requests:
        counting_lookups(l, j)
    return never_read, lookups


def _layer_where_raised(error, function):
    """The layer ``l`` the learner's function was working on when ``error`` was raised, if known."""
    layer, tb = None, error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is getattr(function, "__code__", None):
            layer = tb.tb_frame.f_locals.get("l", layer)
        tb = tb.tb_next
    return layer


def _run_learner_delta(function, terms, l, j, calls, cache):
    """The learner's δ_j^(l) as a float, with a hint for the errors a recursion typically raises."""
    try:
        value = function(terms, l, j, calls, cache)
    except RecursionError as error:
        raise _raised(error, "the recursion never ends: stop at the output layer, "
                             "if l == terms.L: the base case is terms.delta_output[j]") from None
    except KeyError as error:
        if error.args and error.args[0] == terms.L + 1:
            raise _raised(error, "the recursion went past the output layer: stop at l == terms.L, "
                                 "where δ is terms.delta_output[j]") from None
        raise
    except TypeError as error:
        if "NoneType" in str(error):
            raise _raised(error, "a δ came back as None: does every branch return its value "
                                 "(the base case, the look-up and the computed one)?") from None
        raise
    except IndexError as error:
        if _layer_where_raised(error, function) == terms.L:
            raise _raised(error, "the recursion went past the output layer: stop at l == terms.L, "
                                 "where δ is terms.delta_output[j]") from None
        raise _raised(error, "an index ran past a layer: terms.W[l + 1][i][j] is the weight from "
                             "neuron j of layer l to neuron i of layer l + 1 (row = destination)") from None
    if value is None:
        raise _Wrong(f"your function returned None for {naive.delta_name(l, j)}: "
                     f"did you forget to return the value?")
    return float(_as_array(value, f"your {naive.delta_name(l, j)}"))


@exercise
def check_cached_delta(function):
    """Exercise 01.2: ``my_cached_delta(terms, l, j, calls, cache)``, the recursion with a cache."""
    if not callable(function):
        raise _Wrong("pass your function itself, e.g. check_cached_delta(my_cached_delta)")
    for net, x, y in cached_delta_exercise_networks():
        terms = naive.local_terms(net, x, y)
        requests = [(l, j) for l in range(1, net.L + 1) for j in range(net.sizes[l])]
        calls, cache = Counter(), {}
        got = np.array([_run_learner_delta(function, terms, l, j, calls, cache) for l, j in requests])
        backward = net.gradients(x, y).delta
        expected = np.array([backward[l][j, 0] for l, j in requests])
        variant = {name: np.array([_delta_variant(terms, l, j, memo, **options) for l, j in requests])
                   for name, options, memo in [("no σ'", {"with_sigma_prime": False}, {}),
                                               ("swapped", {"swapped_index": True}, {})]
                   if name != "swapped" or len(set(net.sizes)) == 1}
        what = f"your δs on a network of sizes {net.sizes} ({net.activations[1]})"
        wrong = [(variant["no σ'"], "you forgot σ': BP2 multiplies the weighted sum by "
                                    "terms.sigma_prime[l][j], the derivative at z_j^(l)")]
        if "swapped" in variant:
            wrong.append((variant["swapped"], "weight index order: the weight from neuron j of layer l "
                                              "to neuron i of layer l + 1 is terms.W[l + 1][i][j] "
                                              "(row = destination), not [j][i]"))
        _diagnose(got, expected, wrong, what)

        if sum(calls.values()) == 0:
            raise _Wrong("the δs are right but calls stays empty: add 1 to calls[l, j] each "
                         "time you compute a δ (not when you look one up)")
        if calls == Counter(dict.fromkeys(requests, 1)):
            continue
        never_read, lookups = _call_patterns(terms, requests)
        if calls == never_read:
            raise _Wrong(f"the δs are right but the cache is never used ({sum(calls.values())} "
                         f"evaluations for {len(requests)} neurons on sizes {net.sizes}): look "
                         f"(l, j) up in cache first, and store each δ in cache[l, j] once computed")
        if calls == lookups:
            raise _Wrong("the δs are right, but calls also counts look-ups: add to calls[l, j] "
                         "only after the cache test, when you really compute a δ")
        repeated = sorted(naive.delta_name(l, j) for (l, j), n in calls.items() if n > 1)
        raise _Wrong(f"the δs are right but each should be evaluated once; on sizes {net.sizes} "
                     f"these were evaluated more often: {', '.join(repeated[:4])}"
                     if repeated else "the δs are right but calls should hold one evaluation "
                                      "per neuron, keyed (l, j) as in naive_delta")


# --------------------------------------------------------------------------- notebook 04
#: Exercise 04.1's inputs: positive, negative, and the kink at 0, where the convention is slope 0
ABS_EXERCISE_INPUTS = (2.5, 0.75, -1.25, -4.0, 0.0)


def _abs_graphs():
    """(name, f(x, y, abs_), points): bigger graphs in which |.| meets upstream factors and a
    reused input; the points stay away from every kink, so central differences apply."""
    return [
        ("3*|x|", lambda x, y, abs_: 3 * abs_(x), [(-1.5, 0.0), (2.0, 0.0)]),
        ("x*|x| + |x|", lambda x, y, abs_: x * abs_(x) + abs_(x), [(-1.5, 0.0), (0.8, 0.0)]),
        ("|x*y - 1|*y + |x|**2", lambda x, y, abs_: abs_(x * y - 1) * y + abs_(x) ** 2,
         [(-1.5, 0.8), (2.0, -0.7), (1.2, 1.5)]),
        ("||x| - 2| * x", lambda x, y, abs_: abs_(abs_(x) - 2) * x, [(-0.5, 0.0), (3.0, 0.0), (-2.6, 0.0)]),
    ]


def _learner_abs(function, v):
    """The learner's |v|: a Value, made without touching v (its data, or a gradient it holds)."""
    from .scalar import Value

    x, held = v.data, 0.5
    v.grad = held  # as if v had a gradient from another use already
    try:
        out = function(v)
    except AttributeError as error:
        if "_backward" in str(error) or "read-only" in str(error):
            raise _raised(error, "a Value has no room for a closure such as _backward: it stores its "
                                 "input and the local derivative, Value(data, _a=v, _da=slope, _op='abs'), "
                                 "as Value.relu does") from None
        raise
    if type(out) is not Value:
        raise _Wrong(f"value_abs should return a Value (a new node), got {type(out).__name__} for x = {x:g}")
    if v.data != x:
        raise _Wrong(f"value_abs changed its input's .data (x = {x:g}): leave v as it is, it may be used "
                     f"elsewhere in the graph, and return a new Value")
    if v.grad != held:
        if math.isclose(abs(v.grad - held), 1.0):
            raise _Wrong("value_abs adds the slope to v.grad itself, without the chain-rule factor: the "
                         "gradient arriving from above is not known until backward(). Record the local "
                         "derivative instead (_da=slope); backward() multiplies it by the upstream gradient")
        raise _Wrong("value_abs overwrote v.grad, so a reused input loses the gradient of its other uses "
                     "(they must add up) and the upstream factor is missing. Record the local derivative "
                     "instead (_da=slope); backward() does v.grad += _da * out.grad")
    v.grad = 0.0
    return out


@exercise
def check_value_abs(function):
    """Exercise 04.1: ``value_abs(v)`` returns |v| as a new Value with its local derivative."""
    from .scalar import Value

    if not callable(function):
        raise _Wrong("pass your function itself, e.g. check_value_abs(value_abs)")
    xs = np.array(ABS_EXERCISE_INPUTS)
    values, slopes, leaves = [], [], []
    for x in xs:
        v = Value(float(x))
        out = _learner_abs(function, v)
        values.append(out.data)
        leaves.append(out is not v and out._a is None)
        out.backward()
        slopes.append(v.grad)
    values, slopes = np.array(values), np.array(slopes)
    for got, x in zip(values, xs):
        if not math.isclose(got, abs(x), rel_tol=1e-12, abs_tol=1e-15):
            hint = ("for x < 0, |x| = -x is positive" if x < 0 and math.isclose(got, x) else
                    "for x > 0, |x| = x" if x > 0 and math.isclose(got, -x) else "")
            raise _Wrong(f"the value is wrong for x = {x:g}: got {got:g}" + (f"; {hint}" if hint else ""))
    if all(leaves) and not slopes.any():
        raise _Wrong("no gradient reaches v: your Value is a new leaf that does not remember its input. "
                     "Build it as Value(data, _a=v, _da=slope, _op='abs')")
    nonzero = xs != 0
    _diagnose(slopes[nonzero], np.sign(xs[nonzero]), [
        (np.ones(nonzero.sum()), "wrong sign for negative inputs: for x < 0, |x| = -x, whose slope is -1"),
        ((xs[nonzero] > 0).astype(float), "that is relu's slope; for x < 0, |x| = -x has slope -1, not 0"),
        (-np.sign(xs[nonzero]), "wrong sign: |x| rises for x > 0 (slope +1) and falls for x < 0 (slope -1)"),
        (np.abs(xs[nonzero]), "the local derivative is the slope of |x| (±1), not its value |x|"),
        (xs[nonzero], "the local derivative is the slope of |x| (±1), not x"),
        (np.zeros(nonzero.sum()), "no gradient reaches v: the local derivative _da is 0; set it to the slope of |x|"),
    ], "∂|x|/∂x at x = " + ", ".join(f"{x:g}" for x in xs[nonzero]))
    if slopes[~nonzero][0] != 0.0:
        raise _Wrong(f"at the kink x = 0 the convention here is slope 0 (sign(0) = 0, as for relu), "
                     f"got {slopes[~nonzero][0]:g}: test x > 0 and x < 0, and give 0 otherwise")
    for name, f, points in _abs_graphs():
        for x, y in points:
            xv, yv = Value(x), Value(y)
            f(xv, yv, function).backward()
            h = 1e-6
            dx = (f(x + h, y, abs) - f(x - h, y, abs)) / (2 * h)
            dy = (f(x, y + h, abs) - f(x, y - h, abs)) / (2 * h)
            if not (math.isclose(xv.grad, dx, rel_tol=1e-6, abs_tol=1e-6)
                    and math.isclose(yv.grad, dy, rel_tol=1e-6, abs_tol=1e-6)):
                raise _Wrong(f"one node is right, but in the bigger graph {name} at x = {x:g}, y = {y:g} the "
                             f"gradients disagree with finite differences: does value_abs touch anything "
                             f"besides building its new Value?")


def _gradient_descent_problem():
    """Exercise 04.2's test problem: a small tanh MLP, four points, mean squared error, and
    parameters whose .grad is stale (as after an earlier backward), so zeroing matters from step 1."""
    from .nn import MLP

    model = MLP(2, [3, 1], hidden="tanh", seed=3)
    xs = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8], [0.0, -0.4]]
    ys = [1.0, -1.0, 0.5, 0.0]

    def loss_function():
        return sum((model(x)[0] - y) ** 2 for x, y in zip(xs, ys)) * (1 / len(xs))

    for k, p in enumerate(model.parameters()):
        p.grad = 0.3 * math.cos(k)
    return model, loss_function


def _descend(steps, learning_rate, zero=True, sign=1.0, rate_used=True, record_after=False):
    """Gradient descent on a fresh copy of the test problem, right or with one typical mistake
    (``zero`` False: never, "after": at the end of each step); returns (final parameters, losses)."""
    model, loss_function = _gradient_descent_problem()
    parameters, losses = model.parameters(), []
    for _ in range(steps):
        if zero is True:
            for p in parameters:
                p.grad = 0.0
        loss = loss_function()
        loss.backward()
        for p in parameters:
            p.data -= sign * (learning_rate if rate_used else 1.0) * p.grad
            if zero == "after":
                p.grad = 0.0
        losses.append(loss_function().data if record_after else loss.data)
    return np.array([p.data for p in parameters]), np.array(losses)


@exercise
def check_gradient_descent(function):
    """Exercise 04.2: ``gradient_descent(model, loss_function, steps, learning_rate)`` -> losses."""
    if not callable(function):
        raise _Wrong("pass your function itself, e.g. check_gradient_descent(gradient_descent)")
    steps, rate = 3, 0.1
    model, loss_function = _gradient_descent_problem()
    start = np.array([p.data for p in model.parameters()])
    losses = function(model, loss_function, steps, rate)
    if losses is None:
        raise _Wrong("your function returned None: return the list of losses, one per step")
    try:
        losses = np.array([getattr(loss, "data", loss) for loss in losses], dtype=float)
    except (TypeError, ValueError):
        raise _Wrong(f"return a list of numbers, the loss of each step, got {type(losses).__name__}") from None
    got = np.array([p.data for p in model.parameters()])
    expected, expected_losses = _descend(steps, rate)
    if np.array_equal(got, start):
        raise _Wrong("the parameters never moved: after backward(), step each one in place, "
                     "p.data -= learning_rate * p.grad (zero the gradients before backward(), not after)")
    _diagnose(got, expected, [
        (_descend(steps, rate, zero=False)[0], "you forgot to zero the gradients: .grad adds up across "
                                               "backward() calls, so set every p.grad = 0.0 before each backward()"),
        (_descend(steps, rate, sign=-1.0)[0], "wrong step sign: that climbs the loss; step against the "
                                              "gradient, p.data -= learning_rate * p.grad"),
        (_descend(steps, rate, rate_used=False)[0], "the step ignores the learning rate: "
                                                    "p.data -= learning_rate * p.grad"),
        (_descend(steps, rate, zero="after")[0], "zero the gradients before backward(), not at the end of "
                                                 "a step: the first step then used stale gradients"),
    ], f"the parameter vector after {steps} steps with learning_rate = {rate}")
    if len(losses) != steps:
        raise _Wrong(f"the parameters are right, but {steps} steps returned {len(losses)} losses: record one per step")
    _diagnose(losses, expected_losses, [
        (_descend(steps, rate, record_after=True)[1], "the parameters are right; record each step's loss "
                                                      "before its update (the loss you called backward() on)"),
    ], "the recorded losses")


def xor_data(n_per_cluster=6, noise=0.2, seed=0):
    """Exercise 04.3's data: four clusters around (±1, ±1); the label is +1 where x1 and x2 have
    the same sign, -1 where they differ (XOR), so no straight line separates the classes.
    Returns (points, labels): a list of [x1, x2] and a list of ±1.0, made with numpy alone."""
    rng = np.random.default_rng(seed)
    centres = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    X = np.repeat(centres, n_per_cluster, axis=0) + noise * rng.standard_normal((4 * n_per_cluster, 2))
    y = np.repeat([1.0, 1.0, -1.0, -1.0], n_per_cluster)
    return [[float(a), float(b)] for a, b in X], [float(label) for label in y]


#: the most training Exercise 04.3's check does, in steps × parameters (a few seconds)
XOR_WORK_BUDGET = 25_000


def _is_affine(model):
    """Whether the model is one affine map: zero second differences along a few lines."""
    rng = np.random.default_rng(7)
    for _ in range(3):
        x, u = rng.normal(size=2), rng.normal(size=2)
        f = [model([float(v) for v in x + t * u])[0].data for t in (0.0, 1.0, 2.0)]
        if abs(f[2] - 2 * f[1] + f[0]) > 1e-9 * (1 + max(abs(v) for v in f)):
            return False
    return True


@exercise
def check_xor_recipe(function):
    """Exercise 04.3: ``xor_recipe()`` returns (model, learning_rate, steps) that fit XOR exactly."""
    from .nn import train

    if not callable(function):
        raise _Wrong("pass your function itself, e.g. check_xor_recipe(xor_recipe)")
    recipe = function()
    if not (isinstance(recipe, tuple) and len(recipe) == 3):
        raise _Wrong("xor_recipe() should return three things: (model, learning_rate, steps)")
    model, rate, steps = recipe
    if not (callable(model) and hasattr(model, "parameters")):
        raise _Wrong(f"the model should be an MLP from backprop_helpers.nn, got {type(model).__name__}")
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0:
        raise _Wrong(f"the learning rate should be a positive number, got {rate!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise _Wrong(f"steps should be a whole number, at least 1, got {steps!r}")
    n_parameters = len(model.parameters())
    if steps * n_parameters > XOR_WORK_BUDGET:
        raise _Wrong(f"{steps} steps × {n_parameters} parameters is more training than this check does "
                     f"(at most {XOR_WORK_BUDGET:,}): XOR needs only a few hidden neurons and a few hundred steps")
    points, labels = xor_data()
    try:
        outputs = model(points[0])
    except Exception as error:
        raise _raised(error, "the model should read one point, a list of 2 inputs [x1, x2]") from None
    if not (isinstance(outputs, list) and len(outputs) == 1):
        raise _Wrong("the model should have 1 output (its sign is the class): end the layer sizes with 1")

    def squared_error():
        return sum((model(p)[0] - y) ** 2 for p, y in zip(points, labels)) * (1 / len(points))

    try:
        losses = train(model, squared_error, steps, learning_rate=rate, progress=False)
        scores = np.array([model(p)[0].data for p in points])
    except (OverflowError, ValueError, ZeroDivisionError) as error:  # raised by Value, not the learner
        raise _Wrong(f"the numbers blew up during training ({type(error).__name__}: {error}): "
                     f"learning rate {rate:g} is too large, try a smaller one") from None
    if not np.all(np.isfinite(losses)) or not np.all(np.isfinite(scores)):
        raise _Wrong(f"the loss went to nan or inf: learning rate {rate:g} is too large, try a smaller one")
    accuracy = np.mean(np.sign(scores) == np.array(labels))
    if accuracy == 1.0 and losses[-1] < losses[0]:
        return
    if _is_affine(model):
        raise _Wrong(f"training accuracy {accuracy:.0%}: your network is one linear map (no nonlinearity in "
                     f"its hidden layers), and no straight line separates XOR; give the hidden layers "
                     f"a nonlinearity, e.g. hidden='tanh'")
    if losses[-1] >= losses[0]:
        raise _Wrong(f"the loss went up ({losses[0]:.4g} to {losses[-1]:.4g}): learning rate {rate:g} is "
                     f"too large, steps overshoot the minimum; try a smaller one")
    raise _Wrong(f"the loss falls ({losses[0]:.4g} to {losses[-1]:.4g}) but training accuracy is "
                 f"{accuracy:.0%}: train longer, raise the learning rate a little, or add hidden neurons")
