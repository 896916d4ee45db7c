"""Notebook 04's exercises: |x| as a Value, the gradient-descent loop, and the XOR recipe."""
import autograd
import autograd.numpy as anp
import numpy as np

from backprop_helpers import exercises as ex
from backprop_helpers.examples import xor_data
from backprop_helpers.nn import MLP, train
from backprop_helpers.scalar import Value
from exercise_support import assert_hint, solutions


def abs_with(mistake):
    """A value_abs with one typical mistake built in."""
    def value_abs(v):
        x = v.data
        slope = {"sign": (x > 0) - (x < 0), "ones": 1.0, "relu": float(x > 0), "value as slope": abs(x),
                 "one at zero": 1.0 if x >= 0 else -1.0, "flipped": (x < 0) - (x > 0)}.get(mistake, (x > 0) - (x < 0))
        if mistake == "new leaf":
            return Value(abs(x))
        if mistake == "overwrites grad":
            v.grad = float(slope)
            return Value(abs(x))
        if mistake == "adds grad without upstream":
            v.grad += float(slope)
            return Value(abs(x))
        if mistake == "in place":
            v.data = abs(x)
            return Value(abs(x), _a=v, _da=float(slope))
        if mistake == "closure":
            out = Value(abs(x))
            def _backward():
                v.grad += slope * out.grad
            out._backward = _backward
            return out
        return Value(x if mistake == "wrong value" else abs(x), _a=v, _da=float(slope), _op="abs")
    return value_abs


def test_value_abs_solution_passes_and_matches_finite_differences_and_autograd():
    solution = solutions("04")
    assert ex.judge("value_abs", solution.value_abs).passed
    assert ex.judge("value_abs", lambda v: v.relu() + (-v).relu()).passed   # built from existing ops: fine
    assert ex.judge("value_abs", abs_with("none")).passed
    f = lambda x, abs_: abs_(x * x - 2) * x + 3 * abs_(x)                 # reuse, upstream factors
    for x0 in (-2.3, -0.4, 0.9, 1.7):
        x = Value(x0)
        f(x, solution.value_abs).backward()
        assert np.isclose(x.grad, autograd.grad(lambda t: f(t, anp.abs))(x0), rtol=1e-12)
        assert np.isclose(x.grad, (f(x0 + 1e-6, abs) - f(x0 - 1e-6, abs)) / 2e-6, rtol=1e-6)
    zero = Value(0.0)
    solution.value_abs(zero).backward()
    assert zero.grad == 0.0                                                # the stated convention


def test_value_abs_typical_mistakes_get_their_hints():
    assert_hint("value_abs", abs_with("ones"), "wrong sign for negative inputs")
    assert_hint("value_abs", abs_with("relu"), "relu's slope")
    assert_hint("value_abs", abs_with("flipped"), "wrong sign")
    assert_hint("value_abs", abs_with("value as slope"), "not its value")
    assert_hint("value_abs", abs_with("one at zero"), "x = 0", "slope 0")
    assert_hint("value_abs", abs_with("wrong value"), "value is wrong for x = -1.25", "-x is positive")
    assert_hint("value_abs", abs_with("new leaf"), "does not remember its input")
    assert_hint("value_abs", abs_with("overwrites grad"), "overwrote v.grad", "add up", "upstream")
    assert_hint("value_abs", abs_with("adds grad without upstream"), "chain-rule factor", "upstream")
    assert_hint("value_abs", abs_with("in place"), "changed its input's .data")
    assert_hint("value_abs", abs_with("closure"), "AttributeError", "_da=slope")
    assert_hint("value_abs", lambda v: abs(v.data), "should return a Value")
    assert_hint("value_abs", 3.0, "pass your function itself")


def test_value_abs_stubs_and_learner_exceptions():
    def stub(v):
        raise NotImplementedError("your code here")

    for untouched in (None, ..., stub):
        assert ex.judge("value_abs", untouched).status == ex.NOT_ATTEMPTED
    assert_hint("value_abs", lambda v: (v * v) ** 0.5, "your code raised ZeroDivisionError")  # infinite slope at 0
    assert_hint("value_abs", lambda v: v.value, "your code raised AttributeError")


def descent_with(mistake):
    """The worked loop with one typical mistake built in."""
    def gradient_descent(model, loss_function, steps, learning_rate):
        parameters, losses = model.parameters(), []
        for _ in range(steps):
            if mistake not in ("no zero_grad", "zero at the end"):
                model.zero_grad()
            loss = loss_function()
            loss.backward()
            if mistake == "zero after backward":
                model.zero_grad()
            for p in parameters:
                p.data += (learning_rate * p.grad) if mistake == "ascent" else -(learning_rate * p.grad)
            if mistake == "zero at the end":
                model.zero_grad()
            losses.append(loss_function().data if mistake == "loss after update" else loss)
        return None if mistake == "no return" else losses
    return gradient_descent


def test_gradient_descent_solution_passes_and_moves_like_train_and_finite_differences():
    solution = solutions("04")
    assert ex.judge("gradient_descent", solution.gradient_descent).passed
    assert ex.judge("gradient_descent", descent_with("none")).passed       # Values as losses: fine
    mine, loss_mine = ex.gradient_descent_exercise_problem()
    theirs, loss_theirs = ex.gradient_descent_exercise_problem()
    assert solution.gradient_descent(mine, loss_mine, 4, 0.05) == train(theirs, loss_theirs, 4, 0.05, progress=False)
    assert [p.data for p in mine.parameters()] == [p.data for p in theirs.parameters()]
    # one step by hand: p - rate * (central difference of the loss in p)
    model, loss_function = ex.gradient_descent_exercise_problem()
    before = [p.data for p in model.parameters()]
    numeric = []
    for p in model.parameters():
        p.data += 1e-6
        up = loss_function().data
        p.data -= 2e-6
        down = loss_function().data
        p.data += 1e-6
        numeric.append((up - down) / 2e-6)
    solution.gradient_descent(model, loss_function, 1, 0.1)
    np.testing.assert_allclose([p.data for p in model.parameters()],
                               np.array(before) - 0.1 * np.array(numeric), rtol=0, atol=1e-9)


def test_gradient_descent_typical_mistakes_get_their_hints():
    assert_hint("gradient_descent", descent_with("no zero_grad"), "forgot to zero the gradients")
    assert_hint("gradient_descent", descent_with("ascent"), "wrong step sign")
    assert_hint("gradient_descent", descent_with("zero at the end"), "before backward()", "stale")
    assert_hint("gradient_descent", descent_with("zero after backward"), "never moved")
    assert_hint("gradient_descent", descent_with("loss after update"), "before its update")
    assert_hint("gradient_descent", descent_with("no return"), "returned None")

    def rebinds(model, loss_function, steps, learning_rate):
        losses = []
        for _ in range(steps):
            model.zero_grad()
            loss = loss_function()
            loss.backward()
            for p in model.parameters():
                p = p - learning_rate * p.grad   # a new Value; the model's parameter never moves
            losses.append(loss.data)
        return losses
    assert_hint("gradient_descent", rebinds, "never moved", "p.data")

    def ignores_rate(model, loss_function, steps, learning_rate):
        return solutions("04").gradient_descent(model, loss_function, steps, 1.0)
    assert_hint("gradient_descent", ignores_rate, "ignores the learning rate")


def test_gradient_descent_stubs_and_learner_exceptions():
    def stub(model, loss_function, steps, learning_rate):
        raise NotImplementedError("your code here")

    def crashes(model, loss_function, steps, learning_rate):
        loss = loss_function()
        loss.backwards()

    for untouched in (None, ..., stub):
        assert ex.judge("gradient_descent", untouched).status == ex.NOT_ATTEMPTED
    assert_hint("gradient_descent", crashes, "your code raised AttributeError", "loss.backwards()")


def test_xor_data_is_xor_and_deterministic():
    points, labels = xor_data()
    assert (points, labels) == xor_data()
    assert len(points) == len(labels) == 24 and sorted(set(labels)) == [-1.0, 1.0]
    assert all(label == np.sign(x1 * x2) for (x1, x2), label in zip(points, labels))  # clusters don't cross axes
    X, y = np.array(points), np.array(labels)
    w, *_ = np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)                  # best straight line
    assert np.mean(np.sign(np.c_[X, np.ones(len(X))] @ w) == y) < 1.0


def test_xor_recipe_solution_passes_and_reaches_full_accuracy():
    solution = solutions("04")
    assert ex.judge("xor_recipe", solution.xor_recipe).passed
    model, rate, steps = solution.xor_recipe()
    points, labels = xor_data()
    own = solution.gradient_descent(model, lambda: sum((model(p)[0] - y) ** 2 for p, y in zip(points, labels))
                                    * (1 / len(points)), steps, rate)
    scores = model.to_network().forward(np.array(points).T).output[0]   # the matrix engine, independently
    assert np.all(np.sign(scores) == labels) and own[-1] < 0.1 * own[0]


def test_xor_recipe_typical_mistakes_get_their_hints():
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 1], hidden="linear", seed=0), 0.1, 100), "linear map")
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 1], hidden="tanh", seed=0), 5.0, 100), "too large")
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 1], hidden="tanh", seed=0), 1.0, 100), "too large")
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 1], seed=0), 1.0, 100), "nan or inf", "too large")   # relu
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 1], hidden="tanh", seed=0), 0.001, 20), "train longer")
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 1], hidden="tanh", seed=0), 0.1, 10_000), "10000 steps × 33 parameters")
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 1], hidden="tanh", seed=0), 0.1, 0), "at least 1")
    assert_hint("xor_recipe", lambda: (MLP(3, [8, 1], hidden="tanh", seed=0), 0.1, 100), "ValueError", "2 inputs")
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 2], hidden="tanh", seed=0), 0.1, 100), "1 output")
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 1], seed=0), -0.1, 100), "positive number")
    assert_hint("xor_recipe", lambda: MLP(2, [8, 1], seed=0), "three things")
    assert_hint("xor_recipe", lambda: ("model", 0.1, 100), "should be an MLP")


def test_xor_recipe_stubs_and_learner_exceptions():
    def stub():
        raise NotImplementedError("your code here")

    for untouched in (None, ..., stub):
        assert ex.judge("xor_recipe", untouched).status == ex.NOT_ATTEMPTED
    assert_hint("xor_recipe", lambda: 1 / 0, "your code raised ZeroDivisionError")
