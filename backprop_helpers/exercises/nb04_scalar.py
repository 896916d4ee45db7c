"""Exercises of notebook 04 (scalar autograd): a new Value operation, the gradient-descent loop,
and a recipe that fits XOR."""
import math
import numbers

import numpy as np

from ..examples import xor_data
from ..nn import MLP, train
from ..scalar import Value
from .core import WrongAnswer, diagnose, exercise, learner_error


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
    x, held = v.data, 0.5
    v.grad = held  # as if v had a gradient from another use already
    try:
        out = function(v)
    except AttributeError as error:
        if "_backward" in str(error) or "read-only" in str(error):
            raise learner_error(error, "a Value has no room for a closure such as _backward: it stores its "
                                 "input and the local derivative, Value(data, _a=v, _da=slope, _op='abs'), "
                                 "as Value.relu does") from None
        raise
    if type(out) is not Value:
        raise WrongAnswer(f"value_abs should return a Value (a new node), got {type(out).__name__} for x = {x:g}")
    if v.data != x:
        raise WrongAnswer(f"value_abs changed its input's .data (x = {x:g}): leave v as it is, it may be used "
                     f"elsewhere in the graph, and return a new Value")
    if v.grad != held:
        if math.isclose(abs(v.grad - held), 1.0):
            raise WrongAnswer("value_abs adds the slope to v.grad itself, without the chain-rule factor: the "
                         "gradient arriving from above is not known until backward(). Record the local "
                         "derivative instead (_da=slope); backward() multiplies it by the upstream gradient")
        raise WrongAnswer("value_abs overwrote v.grad, so a reused input loses the gradient of its other uses "
                     "(they must add up) and the upstream factor is missing. Record the local derivative "
                     "instead (_da=slope); backward() does v.grad += _da * out.grad")
    v.grad = 0.0
    return out


@exercise(callable_answer=True)
def check_value_abs(function):
    """Exercise 04.1: ``value_abs(v)`` returns |v| as a new Value with its local derivative."""
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
            raise WrongAnswer(f"the value is wrong for x = {x:g}: got {got:g}" + (f"; {hint}" if hint else ""))
    if all(leaves) and not slopes.any():
        raise WrongAnswer("no gradient reaches v: your Value is a new leaf that does not remember its input. "
                     "Build it as Value(data, _a=v, _da=slope, _op='abs')")
    nonzero = xs != 0
    diagnose(slopes[nonzero], np.sign(xs[nonzero]), [
        (np.ones(nonzero.sum()), "wrong sign for negative inputs: for x < 0, |x| = -x, whose slope is -1"),
        ((xs[nonzero] > 0).astype(float), "that is relu's slope; for x < 0, |x| = -x has slope -1, not 0"),
        (-np.sign(xs[nonzero]), "wrong sign: |x| rises for x > 0 (slope +1) and falls for x < 0 (slope -1)"),
        (np.abs(xs[nonzero]), "the local derivative is the slope of |x| (±1), not its value |x|"),
        (xs[nonzero], "the local derivative is the slope of |x| (±1), not x"),
        (np.zeros(nonzero.sum()), "no gradient reaches v: the local derivative _da is 0; set it to the slope of |x|"),
    ], "∂|x|/∂x at x = " + ", ".join(f"{x:g}" for x in xs[nonzero]))
    if slopes[~nonzero][0] != 0.0:
        raise WrongAnswer(f"at the kink x = 0 the convention here is slope 0 (sign(0) = 0, as for relu), "
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
                raise WrongAnswer(f"one node is right, but in the bigger graph {name} at x = {x:g}, y = {y:g} the "
                             f"gradients disagree with finite differences: does value_abs touch anything "
                             f"besides building its new Value?")


def gradient_descent_exercise_problem():
    """Exercise 04.2's test problem: a small tanh MLP, four points, mean squared error, and
    parameters whose .grad is stale (as after an earlier backward), so zeroing matters from step 1."""
    model = MLP(2, [3, 1], hidden="tanh", seed=3)
    xs = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8], [0.0, -0.4]]
    ys = [1.0, -1.0, 0.5, 0.0]

    def loss_function():
        return sum((model(x)[0] - y) ** 2 for x, y in zip(xs, ys)) * (1 / len(xs))

    for k, p in enumerate(model.parameters()):
        p.grad = 0.3 * math.cos(k)
    return model, loss_function


def _descend(steps, learning_rate):
    """Gradient descent done right (the package's ``train``) on a fresh copy of the test problem:
    (final parameters, losses)."""
    model, loss_function = gradient_descent_exercise_problem()
    losses = train(model, loss_function, steps, learning_rate, progress=False)
    return np.array([p.data for p in model.parameters()]), np.array(losses)


def _descend_with(mistake, steps, learning_rate):
    """Gradient descent with one typical mistake, on a fresh copy of the test problem: gradients
    zeroed never or at the end of each step, a step uphill, or each loss recorded after its
    step's update."""
    model, loss_function = gradient_descent_exercise_problem()
    parameters, losses = model.parameters(), []
    for _ in range(steps):
        if mistake in ("record after", "ascent"):
            model.zero_grad()
        loss = loss_function()
        loss.backward()
        for p in parameters:
            p.data -= (-learning_rate if mistake == "ascent" else learning_rate) * p.grad
        if mistake == "zero after":
            model.zero_grad()
        losses.append(loss_function().data if mistake == "record after" else loss.data)
    return np.array([p.data for p in parameters]), np.array(losses)


@exercise(callable_answer=True, references=(train,))
def check_gradient_descent(function):
    """Exercise 04.2: ``gradient_descent(model, loss_function, steps, learning_rate)`` -> losses."""
    for steps, rate in GRADIENT_DESCENT_EXERCISE_ARGUMENTS:
        others = [case for case in GRADIENT_DESCENT_EXERCISE_ARGUMENTS if case != (steps, rate)]
        _check_descent(function, steps, rate, others)


#: (steps, learning_rate) of each run of Exercise 04.2's check: a loop that ignores either
#: argument (a global learning rate, a fixed number of steps) is right for one run at most
GRADIENT_DESCENT_EXERCISE_ARGUMENTS = [(3, 0.1), (2, 0.25), (4, 0.05)]


def _check_descent(function, steps, rate, others):
    """One run of the learner's loop on a fresh test problem, against ``train``'s."""
    model, loss_function = gradient_descent_exercise_problem()
    start = np.array([p.data for p in model.parameters()])
    losses = function(model, loss_function, steps, rate)
    if losses is None:
        raise WrongAnswer("your function returned None: return the list of losses, one per step")
    try:
        losses = np.array([getattr(loss, "data", loss) for loss in losses], dtype=float)
    except (TypeError, ValueError):
        raise WrongAnswer(f"return a list of numbers, the loss of each step, got {type(losses).__name__}") from None
    got = np.array([p.data for p in model.parameters()])
    expected, expected_losses = _descend(steps, rate)
    if np.array_equal(got, start):
        raise WrongAnswer("the parameters never moved: after backward(), step each one in place, "
                          "p.data -= learning_rate * p.grad (zero the gradients before backward(), not after)")
    run = f"with steps = {steps}, learning_rate = {rate}"
    diagnose(got, expected, [
        (_descend_with("never zero", steps, rate)[0], "you forgot to zero the gradients: .grad adds up across "
                                                      "backward() calls, so set every p.grad = 0.0 before each backward()"),
        (_descend_with("ascent", steps, rate)[0], "wrong step sign: that climbs the loss; step against the "
                                                  "gradient, p.data -= learning_rate * p.grad"),
        (_descend(steps, 1.0)[0], "the step ignores the learning rate: "
                                  "p.data -= learning_rate * p.grad"),
        (_descend_with("zero after", steps, rate)[0], "zero the gradients before backward(), not at the end of "
                                                      "a step: the first step then used stale gradients"),
        *[(_descend(steps, other_rate)[0], f"{run} the parameters moved as with learning rate {other_rate}: "
                                           f"use the learning_rate argument, not a fixed number")
          for _, other_rate in others],
        *[(_descend(other_steps, rate)[0], f"{run} your loop took {other_steps} steps: "
                                           f"run it steps times, not a fixed number")
          for other_steps, _ in others],
    ], f"the parameter vector after {steps} steps with learning_rate = {rate}")
    if len(losses) != steps:
        raise WrongAnswer(f"the parameters are right, but {steps} steps returned {len(losses)} losses: record one per step")
    diagnose(losses, expected_losses, [
        (_descend_with("record after", steps, rate)[1], "the parameters are right; record each step's loss "
                                                        "before its update (the loss you called backward() on)"),
    ], "the recorded losses")


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


@exercise(callable_answer=True, time_limit=60)
def check_xor_recipe(function):
    """Exercise 04.3: ``xor_recipe()`` returns (model, learning_rate, steps) that fit XOR exactly."""
    recipe = function()
    if not (isinstance(recipe, (tuple, list)) and len(recipe) == 3):
        raise WrongAnswer("xor_recipe() should return three things: (model, learning_rate, steps)")
    model, rate, steps = recipe
    if type(model) is not MLP:
        raise WrongAnswer(f"the model should be an MLP from backprop_helpers.nn, got {type(model).__name__}")
    if isinstance(rate, (bool, np.bool_)) or not isinstance(rate, numbers.Real) \
            or not (math.isfinite(rate) and rate > 0):
        raise WrongAnswer(f"the learning rate should be a positive number, got {rate!r}")
    if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise WrongAnswer(f"steps should be a whole number, at least 1, got {steps!r}")
    rate, steps = float(rate), int(steps)
    n_parameters = len(MLP.parameters(model))  # the class's count: an instance cannot hide any
    if steps * n_parameters > XOR_WORK_BUDGET:
        raise WrongAnswer(f"{steps} steps × {n_parameters} parameters is more training than this check does "
                     f"(at most {XOR_WORK_BUDGET:,}): XOR needs only a few hidden neurons and a few hundred steps")
    points, labels = xor_data()
    try:
        outputs = model(points[0])
    except Exception as error:
        raise learner_error(error, "the model should read one point, a list of 2 inputs [x1, x2]") from None
    if not (isinstance(outputs, list) and len(outputs) == 1):
        raise WrongAnswer("the model should have 1 output (its sign is the class): end the layer sizes with 1")

    def squared_error():
        return sum((model(p)[0] - y) ** 2 for p, y in zip(points, labels)) * (1 / len(points))

    try:
        losses = train(model, squared_error, steps, learning_rate=rate, progress=False)
        scores = np.array([model(p)[0].data for p in points])
    except (OverflowError, ValueError, ZeroDivisionError) as error:  # raised by Value, not the learner
        raise WrongAnswer(f"the numbers blew up during training ({type(error).__name__}: {error}): "
                     f"learning rate {rate:g} is too large, try a smaller one") from None
    if not np.all(np.isfinite(losses)) or not np.all(np.isfinite(scores)):
        raise WrongAnswer(f"the loss went to nan or inf: learning rate {rate:g} is too large, try a smaller one")
    accuracy = np.mean(np.sign(scores) == np.array(labels))
    if accuracy == 1.0 and losses[-1] < losses[0]:
        return
    if _is_affine(model):
        raise WrongAnswer(f"training accuracy {accuracy:.0%}: your network is one linear map (no nonlinearity in "
                     f"its hidden layers), and no straight line separates XOR; give the hidden layers "
                     f"a nonlinearity, e.g. hidden='tanh'")
    if losses[-1] >= losses[0]:
        raise WrongAnswer(f"the loss went up ({losses[0]:.4g} to {losses[-1]:.4g}): learning rate {rate:g} is "
                     f"too large, steps overshoot the minimum; try a smaller one")
    raise WrongAnswer(f"the loss falls ({losses[0]:.4g} to {losses[-1]:.4g}) but training accuracy is "
                 f"{accuracy:.0%}: train longer, raise the learning rate a little, or add hidden neurons")


