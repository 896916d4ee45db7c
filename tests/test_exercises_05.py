"""Notebook 05's exercises: the backward rules of mean and max, a stacked matmul's weight gradient,
softmax on Node, a fused log-softmax cross-entropy with its own rule, and the open digits recipe."""
import warnings

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop_helpers import exercises as ex
from backprop_helpers.activations import log_softmax, softmax
from backprop_helpers.examples import load_digits
from backprop_helpers.gradcheck import numerical_gradient
from backprop_helpers.tensor import Node
from exercise_support import assert_hint, solutions


def mean_rule_with(mistake):
    """The worked mean rule with one typical mistake built in."""
    def mean_backward(g, input_shape, axis=None, keepdims=False):
        g = np.asarray(g, dtype=float)
        count = int(np.prod(input_shape)) if axis is None else input_shape[axis]
        if mistake == "total size":
            count = int(np.prod(input_shape))
        if mistake == "no division":
            count = 1
        if axis is not None and (not keepdims or mistake == "ignores keepdims") and mistake != "no expand":
            g = np.expand_dims(g, axis)
        if mistake == "output shape":
            return g / count
        return np.broadcast_to(g / count, input_shape).copy()
    return mean_backward


def autograd_gradient(function, x, g):
    """∂(Σ g ⊙ function(x))/∂x by the HIPS autograd package: an outside oracle."""
    return autograd.grad(lambda v: anp.sum(function(v) * g))(x)


def test_mean_backward_solution_passes_and_matches_autograd_and_finite_differences():
    solution = solutions("05")
    assert ex.judge("mean_backward", solution.mean_backward).passed
    assert ex.judge("mean_backward", mean_rule_with("none")).passed
    rng = np.random.default_rng(0)
    cases = ex.reduction_exercise_cases()
    assert {(1,), (1, 1), (3, 1), (2, 3)} <= {shape for shape, _, _ in cases}
    assert {None, 0, 1, -1} == {axis for _, axis, _ in cases}
    for shape, axis, keepdims in cases:
        x = rng.normal(size=shape)
        g = rng.normal(size=np.mean(x, axis=axis, keepdims=keepdims).shape)
        got = solution.mean_backward(g, shape, axis, keepdims)
        np.testing.assert_allclose(got, autograd_gradient(lambda v: anp.mean(v, axis=axis, keepdims=keepdims), x, g))
        numeric = numerical_gradient(lambda: float(np.sum(np.mean(x, axis=axis, keepdims=keepdims) * g)), x)
        np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-9)


def test_mean_backward_typical_mistakes_get_their_hints():
    assert_hint("mean_backward", mean_rule_with("no division"), "forgot to divide")
    assert_hint("mean_backward", mean_rule_with("total size"), "total size")
    assert_hint("mean_backward", mean_rule_with("output shape"), "shape () of g", "input's shape (2, 3)")
    assert_hint("mean_backward", mean_rule_with("no expand"), "ValueError", "np.expand_dims")
    assert_hint("mean_backward", mean_rule_with("ignores keepdims"), "keepdims=True", "still has the reduced axis")

    def other_axis_count(g, input_shape, axis=None, keepdims=False):
        right = solutions("05").mean_backward(g, input_shape, axis, keepdims)
        return right if axis is None else right * input_shape[axis] / input_shape[1 - axis % 2]
    assert_hint("mean_backward", other_axis_count, "length of the other axis")

    def wrong_axis_on_squares(g, input_shape, axis=None, keepdims=False):
        count = int(np.prod(input_shape)) if axis is None else input_shape[axis]
        g = np.asarray(g, dtype=float)
        if keepdims or axis is None:
            return np.broadcast_to(g / count, input_shape).copy()
        try:
            return np.broadcast_to(g / count, input_shape).copy()   # lines g up at the right
        except ValueError:
            return np.broadcast_to(np.expand_dims(g, axis) / count, input_shape).copy()
    assert_hint("mean_backward", wrong_axis_on_squares, "wrong axis", "(3, 3)")
    assert_hint("mean_backward", lambda g, shape, axis=None, keepdims=False: None, "forget to return")
    assert_hint("mean_backward", 0.5, "pass your function itself")


def test_mean_backward_stub_and_learner_exception():
    def stub(g, input_shape, axis=None, keepdims=False):
        raise NotImplementedError("your code here")
    for untouched in (None, ..., stub):
        assert ex.judge("mean_backward", untouched).status == ex.NOT_ATTEMPTED

    def crashes(g, input_shape, axis=None, keepdims=False):
        return np.full(input_shape, g / input_shape[axis])   # axis=None is not an index
    verdict = assert_hint("mean_backward", crashes, "your code raised TypeError", "axis=None means every entry")
    assert "input_shape[axis]" in verdict.message                  # the learner's line, not numpy's


def max_rule_with(mistake):
    """The worked max rule with one typical mistake built in."""
    def max_backward(g, x, axis=None, keepdims=False):
        g = np.asarray(g, dtype=float)
        if axis is not None and not keepdims:
            g = np.expand_dims(g, axis)
        g = np.broadcast_to(g, x.shape)
        top = x == x.max(axis=axis, keepdims=True)
        if mistake == "every entry":
            return g.copy()
        if mistake == "whole g to each tie":
            return g * top
        if mistake == "first index":
            flat_first = np.zeros_like(x)
            index = np.argmax(x, axis=axis)
            if axis is None:
                flat_first.flat[index] = 1.0
            else:
                np.put_along_axis(flat_first, np.expand_dims(index, axis), 1.0, axis=axis)
            return g * flat_first
        return g * top / top.sum(axis=axis, keepdims=True)
    return max_backward


def test_max_backward_solution_passes_and_matches_autograd():
    solution = solutions("05")
    assert ex.judge("max_backward", solution.max_backward).passed
    assert ex.judge("max_backward", max_rule_with("none")).passed
    rng = np.random.default_rng(1)
    cases = ex.max_backward_cases()
    assert any(np.sum(x == x.max()) > 1 for x, _, _ in cases)          # ties are checked
    for x, axis, keepdims in cases:
        g = rng.normal(size=np.max(x, axis=axis, keepdims=keepdims).shape)
        got = solution.max_backward(g, x, axis, keepdims)
        # autograd splits a tie equally too: the convention the exercise states
        np.testing.assert_allclose(got, autograd_gradient(lambda v: anp.max(v, axis=axis, keepdims=keepdims), x, g))
        if np.all(np.sum(x == np.max(x, axis=axis, keepdims=True), axis=axis) == 1):  # no tie: differentiable
            numeric = numerical_gradient(lambda: float(np.sum(np.max(x, axis=axis, keepdims=keepdims) * g)), x)
            np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-9)


def test_max_backward_typical_mistakes_get_their_hints():
    assert_hint("max_backward", max_rule_with("every entry"), "every entry got g", "others get 0")
    assert_hint("max_backward", max_rule_with("whole g to each tie"), "whole of g", "splits g equally")
    assert_hint("max_backward", max_rule_with("first index"), "first maximal entry only", "splits g equally")
    assert_hint("max_backward", lambda g, x, axis=None, keepdims=False: -max_rule_with("none")(g, x, axis, keepdims),
                "wrong sign")
    assert_hint("max_backward", lambda g, x, axis=None, keepdims=False: g, "shape () of g")

    def mean_instead(g, x, axis=None, keepdims=False):
        return solutions("05").mean_backward(g, x.shape, axis, keepdims)
    assert_hint("max_backward", mean_instead, "gradient of the mean")

    def unexpanded(g, x, axis=None, keepdims=False):
        return g * (x == x.max(axis=axis))          # fine for axis=None, then shapes clash
    assert_hint("max_backward", unexpanded, "ValueError", "np.expand_dims", "x == x.max(axis=axis)")


def test_max_backward_stub_and_learner_exception():
    def stub(g, x, axis=None, keepdims=False):
        raise NotImplementedError
    for untouched in (None, ..., stub):
        assert ex.judge("max_backward", untouched).status == ex.NOT_ATTEMPTED
    assert_hint("max_backward", lambda g, x, axis=None, keepdims=False: 1 / 0, "your code raised ZeroDivisionError")
    assert_hint("max_backward", "max", "pass your function itself")


def softmax_with(mistake):
    """The worked softmax on Node with one typical mistake built in."""
    def my_softmax(z):
        shift = z.data.max() if mistake == "global shift" else z.data.max(axis=0, keepdims=True)
        e = z.exp() if mistake == "no shift" else (z - shift).exp()
        if mistake == "constant denominator":
            return e / e.data.sum(axis=0, keepdims=True)
        if mistake == "rows":
            e = (z - z.data.max(axis=1, keepdims=True)).exp()
            return e / e.sum(axis=1, keepdims=True)
        if mistake == "whole sum":
            return e / e.sum()
        if mistake == "numpy":
            values = np.exp(z.data - shift)
            return Node(values / values.sum(axis=0, keepdims=True))
        if mistake == "array":
            return (e / e.sum(axis=0, keepdims=True)).data
        return e / e.sum(axis=0, keepdims=True)
    return my_softmax


def test_softmax_on_node_solution_passes_and_matches_finite_differences_and_autograd():
    solution = solutions("05")
    assert ex.judge("softmax_on_node", solution.softmax_on_node).passed
    assert ex.judge("softmax_on_node", softmax_with("none")).passed
    logits = ex.softmax_exercise_logits()
    assert any(np.max(np.abs(z)) > 700 for z in logits)               # exp would overflow unshifted
    rng = np.random.default_rng(2)
    for z in logits:
        G = rng.normal(size=z.shape)
        node = Node(z)
        a = solution.softmax_on_node(node)
        a.backward(G)
        columns = anp.exp(z - anp.max(z, axis=0, keepdims=True))
        assert np.allclose(a.data.sum(axis=0), 1.0) and np.allclose(a.data, columns / columns.sum(axis=0))

        def softmax_autograd(v):
            e = anp.exp(v - np.max(z, axis=0, keepdims=True))
            return e / anp.sum(e, axis=0, keepdims=True)
        np.testing.assert_allclose(node.grad, autograd_gradient(softmax_autograd, z, G), atol=1e-12)
        if np.max(np.abs(z)) < 50:
            numeric = numerical_gradient(lambda: float(np.sum(solution.softmax_on_node(Node(z)).data * G)), z)
            np.testing.assert_allclose(node.grad, numeric, rtol=1e-5, atol=1e-9)


def test_softmax_on_node_typical_mistakes_get_their_hints():
    assert_hint("softmax_on_node", softmax_with("constant denominator"), "−a aᵀ term")
    assert_hint("softmax_on_node", softmax_with("no shift"), "overflows", "each column's own maximum")
    assert_hint("softmax_on_node", softmax_with("global shift"), "underflows", "each column's own maximum")
    assert_hint("softmax_on_node", softmax_with("rows"), "each row sums to 1")
    assert_hint("softmax_on_node", softmax_with("whole sum"), "whole array sums to 1")
    assert_hint("softmax_on_node", softmax_with("numpy"), "z got no gradient", "cuts the graph")
    assert_hint("softmax_on_node", softmax_with("array"), "not a Node")
    assert_hint("softmax_on_node", lambda z: z.exp(), "divide by each column's sum")
    assert_hint("softmax_on_node", lambda z: Node(softmax(z.data, axis=0), requires_grad=False),
                "a constant, not connected to z")


def test_softmax_on_node_stub_and_learner_exception():
    def stub(z):
        raise NotImplementedError("your code here")
    for untouched in (None, ..., stub):
        assert ex.judge("softmax_on_node", untouched).status == ex.NOT_ATTEMPTED
    verdict = assert_hint("softmax_on_node", lambda z: z.exp() @ z, "your code raised ValueError", "Node @")
    assert "z.exp() @ z" in verdict.message                          # the learner's line, not the engine's
    assert_hint("softmax_on_node", lambda z: None, "forget to return")


def test_mean_and_max_solutions_agree_with_autograd_on_random_shapes_and_ties():
    """Property test: random shapes, axes and small integer entries (so ties are common)."""
    solution = solutions("05")

    @st.composite
    def cases(draw):
        shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
        axis = draw(st.sampled_from([None] + list(range(-len(shape), len(shape)))))
        x = np.array(draw(st.lists(st.integers(-2, 2), min_size=int(np.prod(shape)),
                                   max_size=int(np.prod(shape)))), dtype=float).reshape(shape)
        return x, axis, draw(st.booleans()), draw(st.integers(0, 2**32 - 1))

    @given(cases())
    def agree(case):
        x, axis, keepdims, seed = case
        g = np.random.default_rng(seed).normal(size=np.max(x, axis=axis, keepdims=keepdims).shape)
        np.testing.assert_allclose(solution.mean_backward(g, x.shape, axis, keepdims),
                                   autograd_gradient(lambda v: anp.mean(v, axis=axis, keepdims=keepdims), x, g))
        np.testing.assert_allclose(solution.max_backward(g, x, axis, keepdims),
                                   autograd_gradient(lambda v: anp.max(v, axis=axis, keepdims=keepdims), x, g))
    agree()


def test_mean_backward_half_done_is_not_yet_not_unattempted():
    def without_axis_none(g, input_shape, axis=None, keepdims=False):
        if axis is None:
            raise NotImplementedError("axis=None still to do")
        return solutions("05").mean_backward(g, input_shape, axis, keepdims)
    assert_hint("mean_backward", without_axis_none, "NotImplementedError: axis=None still to do", "still to do")


def test_max_backward_hint_is_the_same_when_numpy_only_warns_on_a_failed_comparison():
    """numpy < 1.25 warns (and returns False) where numpy >= 1.25 raises, for an elementwise
    comparison of arrays whose shapes do not broadcast: this learner emulates the old numpy."""
    def unexpanded_on_old_numpy(g, x, axis=None, keepdims=False):
        top = x.max(axis=axis)
        try:
            np.broadcast_shapes(x.shape, np.shape(top))
        except ValueError:
            warnings.warn("elementwise comparison failed; this will raise an error in the future.",
                          DeprecationWarning)
            return g * False
        return g * (x == top)
    assert_hint("max_backward", unexpanded_on_old_numpy, "ValueError", "np.expand_dims")


def stub(*args):
    raise NotImplementedError("your code here")


@pytest.mark.parametrize("exercise", ["batched_weight_gradient", "log_softmax_cross_entropy", "digits_recipe"])
def test_untouched_stubs_are_not_attempted(exercise):
    for untouched in (None, ..., stub):
        assert ex.judge(exercise, untouched).status == ex.NOT_ATTEMPTED


# ----------------------------------------------------------------- exercise 2: a stacked matmul

def test_batched_weight_gradient_solution_matches_node_and_finite_differences():
    solution = solutions("05").batched_weight_gradient
    assert ex.judge("batched_weight_gradient", solution).passed
    rng = np.random.default_rng(0)
    for shape, p in ex.batched_weight_exercise_cases():
        X, W = rng.normal(size=shape), Node(rng.normal(size=(shape[-1], p)))
        G = rng.normal(size=shape[:-1] + (p,))
        (X @ W).backward(G)  # the engine's own rule: the stacked product and the broadcast sum
        np.testing.assert_allclose(solution(G, X), W.grad, rtol=1e-12, atol=1e-14)
        numeric = numerical_gradient(lambda: float(np.sum((X @ W.data) * G)), W.data)
        np.testing.assert_allclose(solution(G, X), numeric, rtol=1e-6, atol=1e-8)


def per_matrix(G, X):
    return np.swapaxes(X, -1, -2) @ G


def test_batched_weight_gradient_typical_mistakes_get_their_hints():
    exercise = "batched_weight_gradient"
    n_p = lambda G, X: (X.shape[-1], G.shape[-1])  # noqa: E731
    assert_hint(exercise, per_matrix, "one gradient per matrix", "all its uses")
    assert_hint(exercise, lambda G, X: per_matrix(G, X).reshape((-1,) + n_p(G, X)).mean(axis=0),
                "averaged over the stack")
    assert_hint(exercise, lambda G, X: per_matrix(G, X).reshape((-1,) + n_p(G, X))[0], "only the first matrix")
    assert_hint(exercise, lambda G, X: X.T @ G, "your code raised ValueError", ".T reverses every axis")
    assert_hint(exercise, lambda G, X: G.reshape(-1, G.shape[-1]).T @ X.reshape(-1, X.shape[-1]), "transposed")
    assert_hint(exercise, lambda G, X: -per_matrix(G, X).reshape((-1,) + n_p(G, X)).sum(axis=0), "wrong sign")
    assert_hint(exercise, lambda G, X: None, "returned None")


# ----------------------------------------------------------------- exercise 5: a fused operation

class Leaf:
    """A MiniNode-like leaf, as the learner's notebook has."""

    def __init__(self, data, inputs=(), rule=None):
        self.data = np.array(data, dtype=float)
        self.grad = np.zeros_like(self.data)
        self.inputs, self.rule = inputs, rule


def fused_with(mistake):
    """A log_softmax_cross_entropy with one typical mistake built in."""
    def log_softmax_cross_entropy(z, Y):
        m = z.data.shape[1]
        axis = 1 if mistake == "rows" else 0
        shifted = z.data - z.data.max(axis=axis, keepdims=True)   # the learner's own, in numpy
        log_p = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        if mistake == "unstable":
            log_p = np.log(np.exp(z.data) / np.exp(z.data).sum(axis=0))
        loss = -np.sum(Y * log_p) / (1 if mistake == "sum" else m)
        loss = -loss if mistake == "sign" else loss
        p = np.exp(log_p)

        def rule(node, g):
            grad = {"no g": (p - Y) / m, "no 1/m": g * (p - Y), "no Y": g * p / m,
                    "flipped": -g * (p - Y) / m}.get(mistake, g * (p - Y) / m)
            return grad if mistake == "bare array" else (grad,)
        inputs = () if mistake == "no inputs" else (z,)
        return Leaf(loss, inputs, rule)
    return log_softmax_cross_entropy


def test_log_softmax_cross_entropy_solution_passes_and_its_rule_is_the_vjp():
    solution = solutions("05").log_softmax_cross_entropy
    assert ex.judge("log_softmax_cross_entropy", solution).passed
    assert ex.judge("log_softmax_cross_entropy", fused_with("none")).passed
    for z, Y in ex.log_softmax_exercise_cases():
        node = solution(Leaf(z), Y)
        expected = -np.mean(np.sum(Y * log_softmax(z, axis=0), axis=0))
        assert np.isclose(float(node.data), expected, rtol=1e-12)
        (grad,) = node.rule(node, np.array(0.5))
        if np.max(np.abs(z)) < 50:  # central differences of the composed Node loss
            work = z.copy()

            def loss():
                s = Node(work) - work.max(axis=0, keepdims=True)
                return float((-(Y * (s - s.exp().sum(axis=0, keepdims=True).log())).sum() / z.shape[1]).data)
            np.testing.assert_allclose(grad, 0.5 * numerical_gradient(loss, work), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(grad, 0.5 * (softmax(z, axis=0) - Y) / z.shape[1], atol=1e-15)


def test_log_softmax_cross_entropy_typical_mistakes_get_their_hints():
    exercise = "log_softmax_cross_entropy"
    assert_hint(exercise, fused_with("sum"), "mean")
    assert_hint(exercise, fused_with("sign"), "the sign")
    assert_hint(exercise, fused_with("rows"), "wrong axis")
    assert_hint(exercise, fused_with("unstable"), "overflows")
    assert_hint(exercise, fused_with("no g"), "ignores g")
    assert_hint(exercise, fused_with("no 1/m"), "1/m")
    assert_hint(exercise, fused_with("no Y"), "−Y term")
    assert_hint(exercise, fused_with("flipped"), "wrong sign")
    assert_hint(exercise, fused_with("bare array"), "as a tuple")
    assert_hint(exercise, fused_with("no inputs"), "inputs should be (z,)")
    assert_hint(exercise, lambda z, Y: float(-np.sum(Y * np.log(np.exp(z.data) / np.exp(z.data).sum(axis=0)))
                                             / z.data.shape[1]),
                "return a new MiniNode")
    assert_hint(exercise, lambda z, Y: None, "returned None")
    assert_hint(exercise, lambda z, Y: z.data @ np.ones(7), "your code raised ValueError")


# ----------------------------------------------------------------- exercise 6: the digits recipe

def test_digits_exercise_data_is_the_notebooks_split():
    X_train, Y_train, X_test, y_test = ex.digits_exercise_data()
    images, labels = load_digits()
    assert X_train.shape == (64, 1437) and Y_train.shape == (10, 1437) and X_test.shape == (64, 360)
    assert np.all(np.bincount(y_test) == 36)
    assert np.allclose(X_train.mean(axis=1), 0.0, atol=1e-12)  # standardised with the training set
    # every image lands in exactly one part: the split loses nothing
    parts = np.concatenate([X_train, X_test], axis=1)
    assert parts.shape[1] == len(labels) and np.linalg.matrix_rank(parts[:, :5]) == 5


def test_digits_recipe_solution_reaches_the_target():
    assert ex.judge("digits_recipe", solutions("05").digits_recipe).passed


def uniform(X_train, Y_train, seed):
    return lambda X: np.full((10, X.shape[1]), 0.1)


def notebook_recipe(X_train, Y_train, seed):
    """The notebook's own classifier, unchanged (64 hidden units, 30 epochs), from ``seed``."""
    rng = np.random.default_rng(seed)
    W1, b1 = Node(rng.normal(size=(64, 64)) * np.sqrt(2 / 64)), Node(np.zeros((64, 1)))
    W2, b2 = Node(rng.normal(size=(10, 64)) * np.sqrt(1 / 64)), Node(np.zeros((10, 1)))

    def logits(X):
        return W2 @ (W1 @ X + b1).relu() + b2
    for epoch in range(30):
        order = rng.permutation(X_train.shape[1])
        for first in range(0, len(order), 32):
            batch = order[first:first + 32]
            z, Y = logits(X_train[:, batch]), Y_train[:, batch]
            shifted = z - z.data.max(axis=0, keepdims=True)
            loss = -(Y * (shifted - shifted.exp().sum(axis=0, keepdims=True).log())).sum() * (1 / Y.shape[1])
            for p in (W1, b1, W2, b2):
                p.zero_grad()
            loss.backward()
            for p in (W1, b1, W2, b2):
                p.data -= 0.1 * (1 - epoch / 30) * p.grad
    return lambda X: softmax(logits(X).data, axis=0)


@pytest.mark.parametrize("seeds", [ex.DIGITS_RECIPE_SEEDS, (7, 8, 9)])
def test_digits_target_separates_the_notebooks_recipe_from_the_solution(monkeypatch, seeds):
    """The target sits between the two distributions: the unchanged recipe fails and the worked
    solution passes, on the checker's seeds and on other seed triples."""
    from backprop_helpers.exercises import nb05_tensor
    monkeypatch.setattr(nb05_tensor, "DIGITS_RECIPE_SEEDS", seeds)
    assert_hint("digits_recipe", notebook_recipe, "held-out cross-entropy", "at most 0.078")
    assert ex.judge("digits_recipe", solutions("05").digits_recipe).passed


def test_digits_recipe_wrong_answers_get_their_hints():
    assert_hint("digits_recipe", uniform, "held-out cross-entropy 2.3026", "accuracy", "at most 0.078")
    assert_hint("digits_recipe", lambda X_train, Y_train, seed: (lambda X: np.zeros(X.shape[1], dtype=int)),
                "one number per image", "(10, 360)")
    assert_hint("digits_recipe", lambda X_train, Y_train, seed: (lambda X: np.ones((10, X.shape[1]))),
                "summing to 1")
    assert_hint("digits_recipe", lambda X_train, Y_train, seed: (lambda X: Node(np.full((10, X.shape[1]), 0.1))),
                "a Node")
    assert_hint("digits_recipe", lambda X_train, Y_train, seed: (lambda X: np.ones((360, 10)) / 10), "(10, 360)")
    assert_hint("digits_recipe", lambda X_train, Y_train, seed: 3, "return a function predict")
    assert_hint("digits_recipe", lambda X_train, Y_train, seed: None, "returned None")
    assert_hint("digits_recipe", lambda X_train, Y_train, seed: X_train @ np.ones(7), "while training")
    assert_hint("digits_recipe", lambda X_train, Y_train: uniform(X_train, Y_train, 0),
                "takes three arguments", "default_rng(seed)")


def test_digits_recipe_gets_its_own_time_budget_not_the_default(monkeypatch):
    """A recipe slower than the checkers' default limit but inside the exercise's budget is judged
    on its score, not stopped as a hang (here the default is shrunk to keep the test quick)."""
    import time

    from backprop_helpers.exercises import core

    monkeypatch.setattr(core, "TIME_LIMIT", 0.2)

    def slow_recipe(X_train, Y_train, seed):
        time.sleep(0.1)
        return uniform(X_train, Y_train, seed)

    assert ex.REGISTRY["digits_recipe"].time_limit > ex.DIGITS_RECIPE_SECONDS
    assert_hint("digits_recipe", slow_recipe, "held-out cross-entropy")


def test_digits_recipe_refuses_the_test_labels_and_the_data_set():
    """Cheats: the held-out labels (the notebook's y_test, or fetched from the exercise's data),
    and a predict that looks the images up in the data set."""
    from backprop_helpers.examples import load_digits as load
    _, _, _, y_test = ex.digits_exercise_data()
    labels_as_probabilities = np.eye(10)[:, y_test]
    assert_hint("digits_recipe", lambda X_train, Y_train, seed: (lambda X: labels_as_probabilities),
                "held-out cross-entropy")   # the images come in another order: the labels do not fit

    def fetches_the_labels(X_train, Y_train, seed):
        return lambda X: np.eye(10)[:, ex.digits_exercise_data()[3]]
    assert_hint("digits_recipe", fetches_the_labels, "calls the package's digits_exercise_data")

    def looks_up(X_train, Y_train, seed):
        images, labels = load()
        return lambda X: np.eye(10)[:, labels[:X.shape[1]]]
    assert_hint("digits_recipe", looks_up, "calls the data set's loader")


# ----------------------------------------------------------------- the build steps: MiniNode's mechanisms

class Mini:
    """The notebook's MiniNode with the operations the build-step tests need."""

    def __init__(self, data, inputs=(), rule=None):
        self.data = np.array(data, dtype=float)
        self.grad = np.zeros_like(self.data)
        self.inputs, self.rule = inputs, rule

    def accumulate(self, g):
        self.grad = self.grad + solutions("05").unbroadcast(g, self.data.shape)

    def __add__(self, other):
        other = other if isinstance(other, Mini) else Mini(other)
        return Mini(self.data + other.data, (self, other), lambda node, g: (g, g))

    def __mul__(self, other):
        other = other if isinstance(other, Mini) else Mini(other)
        return Mini(self.data * other.data, (self, other),
                    lambda node, g: (g * node.inputs[1].data, g * node.inputs[0].data))

    def exp(self):
        return Mini(np.exp(self.data), (self,), lambda node, g: (g * node.data,))


BUILD_STEPS = ["sum_backward", "matmul_rule", "topological_sort", "backward_in_order", "unbroadcast"]


@pytest.mark.parametrize("exercise", BUILD_STEPS)
def test_build_step_solutions_pass_and_stubs_are_not_attempted(exercise):
    assert ex.judge(exercise, getattr(solutions("05"), exercise)).passed
    for untouched in (None, ..., stub):
        assert ex.judge(exercise, untouched).status == ex.NOT_ATTEMPTED


def test_sum_backward_solution_matches_autograd_and_finite_differences():
    solution = solutions("05").sum_backward
    rng = np.random.default_rng(1)
    for shape, axis, keepdims in ex.reduction_exercise_cases():
        x = rng.normal(size=shape)
        g = rng.normal(size=np.sum(x, axis=axis, keepdims=keepdims).shape)
        got = solution(g, shape, axis, keepdims)
        np.testing.assert_allclose(got, autograd_gradient(lambda v: anp.sum(v, axis=axis, keepdims=keepdims), x, g))
        numeric = numerical_gradient(lambda: float(np.sum(np.sum(x, axis=axis, keepdims=keepdims) * g)), x)
        np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-9)


def test_sum_backward_typical_mistakes_get_their_hints():
    solution = solutions("05").sum_backward

    def as_mean(g, input_shape, axis=None, keepdims=False):
        count = int(np.prod(input_shape)) if axis is None else input_shape[axis]
        return solution(g, input_shape, axis, keepdims) / count

    def no_expand(g, input_shape, axis=None, keepdims=False):
        return np.broadcast_to(g, input_shape).copy()
    assert_hint("sum_backward", as_mean, "gradient of the mean")
    assert_hint("sum_backward", no_expand, "np.expand_dims")
    assert_hint("sum_backward", lambda g, s, axis=None, keepdims=False: g, "shape () of g")
    assert_hint("sum_backward", lambda g, s, axis=None, keepdims=False: None, "forget to return")


def test_matmul_rule_solution_matches_autograd():
    solution = solutions("05").matmul_rule
    rng = np.random.default_rng(2)
    for a_shape, b_shape in ex.matmul_rule_exercise_shapes():
        A, B = Mini(rng.normal(size=a_shape)), Mini(rng.normal(size=b_shape))
        G = rng.normal(size=(a_shape[0], b_shape[1]))
        C = Mini(A.data @ B.data, (A, B), solution)
        dA, dB = solution(C, G)
        np.testing.assert_allclose(dA, autograd.grad(lambda a: anp.sum((a @ B.data) * G))(A.data), rtol=1e-12)
        np.testing.assert_allclose(dB, autograd.grad(lambda b: anp.sum((A.data @ b) * G))(B.data), rtol=1e-12)


def test_matmul_rule_typical_mistakes_get_their_hints():
    def rule(mistake):
        def matmul_rule(node, g):
            a, b = node.inputs
            if mistake == "no transposes":
                return g @ b.data, a.data @ g
            if mistake == "swapped":
                return a.data.T @ g, g @ b.data.T
            if mistake == "sign":
                return -(g @ b.data.T), -(a.data.T @ g)
            if mistake == "one":
                return (g @ b.data.T,)
            return g @ b.data.T, a.data.T @ g
        return matmul_rule
    assert ex.judge("matmul_rule", rule("none")).passed
    assert_hint("matmul_rule", rule("swapped"), "the first gradient belongs to A")
    assert_hint("matmul_rule", rule("sign"), "wrong sign")
    assert_hint("matmul_rule", rule("one"), "one gradient per input", "length 1")
    verdict = assert_hint("matmul_rule", rule("no transposes"), "your code raised ValueError")
    assert "g @ b.data" in verdict.message

    def square_only(node, g):  # right for the non-square cases, G B on square ones
        a, b = node.inputs
        if a.data.shape[0] == a.data.shape[1] == b.data.shape[1]:
            return g @ b.data, a.data.T @ g
        return g @ b.data.T, a.data.T @ g
    assert_hint("matmul_rule", square_only, "only because the matrices are square", "B_kj")


def random_graph(draw_ops, n_leaves=3):
    """A graph of Mini nodes from a list of (op, i, j) picks: each new node combines earlier ones."""
    nodes = [Mini(0.3 * (k + 1)) for k in range(n_leaves)]
    for op, i, j in draw_ops:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append(a + b if op == "+" else a * b if op == "*" else a.exp() * 0.1)
    return nodes


ops_strategy = st.lists(st.tuples(st.sampled_from(["+", "*", "exp"]), st.integers(0, 50), st.integers(0, 50)),
                        min_size=1, max_size=25)


@given(ops_strategy)
def test_topological_sort_solution_places_each_node_once_after_its_inputs(ops):
    nodes = random_graph(ops)
    order = solutions("05").topological_sort(nodes[-1])
    assert len({id(n) for n in order}) == len(order) and order[-1] is nodes[-1]
    position = {id(n): k for k, n in enumerate(order)}
    assert all(position[id(p)] < position[id(n)] for n in order for p in n.inputs)
    # exactly the nodes the output depends on
    reached, stack = {id(nodes[-1])}, [nodes[-1]]
    while stack:
        for p in stack.pop().inputs:
            if id(p) not in reached:
                reached.add(id(p))
                stack.append(p)
    assert set(position) == reached


@given(ops_strategy)
def test_backward_in_order_solution_matches_finite_differences(ops):
    solution = solutions("05")
    leaves = random_graph([])
    values = [float(leaf.data) for leaf in leaves]

    def forward(vs):
        nodes = [Mini(v) for v in vs]
        for op, i, j in ops:
            a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
            nodes.append(a + b if op == "+" else a * b if op == "*" else a.exp() * 0.1)
        return nodes

    nodes = forward(values)
    if float(nodes[-1].data) > 1e6:
        return
    solution.backward_in_order(nodes[-1])  # with the solutions' topological_sort
    for k in range(3):
        work = np.array(values)
        numeric = numerical_gradient(lambda: float(forward(work)[-1].data), work)
        assert np.isclose(float(nodes[k].grad), numeric[k], rtol=1e-5, atol=1e-6)


def test_topological_sort_typical_mistakes_get_their_hints():
    def no_memory(output):  # depth first without remembering: a node once per path
        order = []
        def visit(node):
            for p in node.inputs:
                visit(p)
            order.append(node)
        visit(output)
        return order

    def recursive(output):
        order, seen = [], set()
        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for p in node.inputs:
                    visit(p)
                order.append(node)
        visit(output)
        return order

    def output_first(output):
        return list(reversed(recursive(output)))

    def only_computed(output):
        return [n for n in solutions("05").topological_sort(output) if n.inputs]

    def dedupe_late(output):  # goes down every path, then drops the repeats: exponential
        order = no_memory(output)
        return list({id(n): n for n in order}.values())
    assert_hint("topological_sort", no_memory, "more than once", "each node once")
    assert_hint("topological_sort", output_first, "starts with the output", "comes last")
    assert_hint("topological_sort", only_computed, "missing", "the leaves belong in it too")
    assert_hint("topological_sort", dedupe_late, "inputs of h_0", "2^12")
    verdict = assert_hint("topological_sort", recursive, "RecursionError", "a chain of 5,000", "stack")
    assert "for p in node.inputs" in verdict.message  # the learner's line
    assert_hint("topological_sort", lambda output: None, "returned None")


def test_backward_in_order_typical_mistakes_get_their_hints():
    order = solutions("05").topological_sort

    def variant(mistake):
        def backward_in_order(output, grad=None):
            nodes = order(output)
            if mistake != "no reset":
                for node in nodes:
                    if node.rule is not None:
                        node.grad = np.zeros_like(node.data)
            output.grad = output.grad + (np.ones_like(output.data) if grad is None else grad)
            for node in (nodes if mistake == "forwards" else reversed(nodes)):
                if node.rule is not None:
                    for input_node, g in zip(node.inputs, node.rule(node, node.grad)):
                        if mistake == "no accumulate":
                            input_node.grad = input_node.grad + g
                        else:
                            input_node.accumulate(g)
        return backward_in_order

    def push_recursively(output, grad=None):  # MiniNode.backward's recursion: a rule per path
        def push(node, g):
            node.accumulate(g)
            if node.rule is not None:
                for input_node, input_g in zip(node.inputs, node.rule(node, g)):
                    push(input_node, input_g)
        push(output, np.ones_like(output.data) if grad is None else grad)
    assert ex.judge("backward_in_order", variant("none")).passed
    assert_hint("backward_in_order", variant("no accumulate"), "never called accumulate")
    assert_hint("backward_in_order", variant("forwards"), "should be 4 and 2", "backwards")
    assert_hint("backward_in_order", variant("no reset"), "more than this pass's", "fresh zero gradient")
    assert_hint("backward_in_order", push_recursively, "a rule ran", "runs once")


def test_unbroadcast_solution_matches_autograd_on_every_case():
    solution = solutions("05").unbroadcast
    rng = np.random.default_rng(3)
    for g_shape, shape in ex.unbroadcast_exercise_cases():
        g, x = rng.normal(size=g_shape), rng.normal(size=shape)
        expected = autograd.grad(lambda v: anp.sum((v + anp.zeros(g_shape)) * g))(x)
        got = solution(g, shape)
        assert np.shape(got) == shape
        np.testing.assert_allclose(got, expected, rtol=1e-12)


@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.data())
def test_unbroadcast_solution_matches_node_on_random_shapes(g_shape, data):
    """Any operand shape that broadcasts to g's: a suffix of it, with some axes set to 1."""
    keep = data.draw(st.integers(0, len(g_shape)))
    shape = tuple(1 if data.draw(st.booleans()) else n for n in g_shape[len(g_shape) - keep:])
    g = np.arange(1.0, 1.0 + np.prod(g_shape)).reshape(g_shape)
    operand = Node(np.zeros(shape))
    (Node(np.zeros(g_shape)) + operand).backward(g)
    got = solutions("05").unbroadcast(g, shape)
    assert np.shape(got) == shape and np.array_equal(got, operand.grad)


def test_unbroadcast_typical_mistakes_get_their_hints():
    def no_keepdims(g, shape):
        g = g.sum(axis=tuple(range(g.ndim - len(shape))))
        return g.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1))

    def leading_only(g, shape):
        return g.sum(axis=tuple(range(g.ndim - len(shape))))

    def as_mean(g, shape):
        return solutions("05").unbroadcast(g, shape) * np.prod(shape) / g.size
    assert_hint("unbroadcast", lambda g, shape: g, "g's shape (4, 3)")
    assert_hint("unbroadcast", no_keepdims, "right numbers", "keepdims=True")
    assert_hint("unbroadcast", leading_only, "g's shape (4, 3)", "its axes of length 1")
    assert_hint("unbroadcast", as_mean, "that is the mean")
    assert_hint("unbroadcast", lambda g, shape: None, "returned None")


# ----------------------------------------------------------------- cheats: refused, one test per cheat

def test_build_steps_refuse_the_course_fallback_the_notebook_goes_on_with():
    for name in BUILD_STEPS:
        fallback = ex.REGISTRY[name].fallback
        assert_hint(name, fallback, "that is the package's function")
        assert_hint(name, lambda *args, f=fallback: f(*args), "calls the package's")


def test_build_steps_refuse_the_package_engine():
    from backprop_helpers.broadcasting import reduce_to_shape

    def sum_by_node(g, input_shape, axis=None, keepdims=False):
        x = Node(np.zeros(input_shape))
        x.sum(axis=axis, keepdims=keepdims).backward(g)
        return x.grad

    def matmul_by_node(node, g):
        a, b = (Node(n.data) for n in node.inputs)
        (a @ b).backward(g)
        return a.grad, b.grad

    def unbroadcast_by_node(g, shape):
        x = Node(np.zeros(shape))
        (x + np.zeros(g.shape)).backward(g)
        return x.grad

    assert_hint("sum_backward", sum_by_node, "calls the package's Node.sum")
    assert_hint("matmul_rule", matmul_by_node, "calls the package's Node.__matmul__")
    assert_hint("unbroadcast", unbroadcast_by_node, "calls the package's Node.backward")
    assert_hint("unbroadcast", reduce_to_shape, "that is the package's function reduce_to_shape")
    assert_hint("unbroadcast", lambda g, shape: reduce_to_shape(g, shape), "calls the package's reduce_to_shape")
    assert_hint("topological_sort", lambda output: Node.topological_order(output),
                "calls the package's Node.topological_order")
    assert_hint("backward_in_order", Node.backward, "that is the package's function Node.backward")
    assert_hint("backward_in_order", lambda output, grad=None: Node.backward(output, grad),
                "calls the package's Node.backward")


def test_build_steps_refuse_an_outside_autograd():
    def sum_by_autograd(g, input_shape, axis=None, keepdims=False):
        return autograd.grad(lambda x: anp.sum(anp.sum(x, axis=axis, keepdims=keepdims) * g))(np.zeros(input_shape))

    def matmul_by_autograd(node, g):
        a, b = node.inputs
        return (autograd.grad(lambda A: anp.sum((A @ b.data) * g))(a.data),
                autograd.grad(lambda B: anp.sum((a.data @ B) * g))(b.data))

    def unbroadcast_by_autograd(g, shape):
        return autograd.grad(lambda x: anp.sum((x + anp.zeros(g.shape)) * g))(np.zeros(shape))
    for name, answer in [("sum_backward", sum_by_autograd), ("matmul_rule", matmul_by_autograd),
                         ("unbroadcast", unbroadcast_by_autograd)]:
        assert_hint(name, answer, "calls the package autograd", "write your own")


def test_build_steps_refuse_the_checkers_private_helpers():
    from backprop_helpers.exercises import nb05_tensor
    assert_hint("sum_backward", lambda g, s, axis=None, keepdims=False: nb05_tensor._spread(g, s, axis, keepdims),
                "calls the package's _spread")
    assert_hint("topological_sort", lambda output: list(nb05_tensor._reachable(output).values()),
                "calls the package's _reachable")
    assert_hint("unbroadcast", lambda g, shape: nb05_tensor._unbroadcast(g, shape), "calls the package's _unbroadcast")


def test_answer_or_fallback_keeps_a_right_answer_and_says_when_it_goes_on_with_the_course(capsys):
    solution = solutions("05").unbroadcast
    assert ex.answer_or_fallback("unbroadcast", solution) is solution
    assert capsys.readouterr().out == ""
    for wrong in (stub, lambda g, shape: g):
        assert ex.answer_or_fallback("unbroadcast", wrong) is ex.REGISTRY["unbroadcast"].fallback
        out = capsys.readouterr().out
        assert out.count("\n") == 1 and "goes on with the course's unbroadcast" in out
    with pytest.raises(ValueError, match="no fallback"):
        ex.answer_or_fallback("max_backward", stub)


# ----------------------------------------------------------------- the notebook on the learner's path

def run_notebook_until(marker, fills):
    """Run notebook 05's code cells in this process, from the imports to the first cell that
    contains ``marker``, with the stub cells named in ``fills`` replaced by that source; timing
    cells (tagged nbval-ignore-output) and the Colab cell are left out. Returns the namespace."""
    import matplotlib
    import nbformat

    from exercise_support import NOTEBOOKS

    matplotlib.use("Agg")
    notebook = nbformat.read(NOTEBOOKS / "05_tensor_autograd.ipynb", as_version=4)
    namespace = {"__name__": "notebook_05"}
    for cell in notebook.cells:
        if cell.cell_type != "code" or "nbval-ignore-output" in cell.metadata.get("tags", []):
            continue
        source = cell.source
        if source.startswith("# On Colab only"):
            continue
        for name, filled in fills.items():
            if source.startswith(f"def {name}(") and "NotImplementedError" in source:
                source = filled
        exec(compile("\n".join(line for line in source.splitlines() if not line.startswith("%")),
                     "<notebook 05>", "exec"), namespace)
        if marker in source:
            return namespace
    raise AssertionError(f"no cell contains {marker!r}")


def test_with_the_build_steps_filled_in_the_digits_train_on_the_learners_minimode(capsys):
    import inspect

    import matplotlib.pyplot as plt

    solution = solutions("05")
    fills = {name: inspect.getsource(getattr(solution, name)) for name in BUILD_STEPS}
    namespace = run_notebook_until("mine_losses", fills)
    plt.close("all")
    out = capsys.readouterr().out
    assert "goes on with the course's" not in out
    for name in BUILD_STEPS:
        assert f"[{name}] correct" in out
        assert namespace[name] is not ex.REGISTRY[name].fallback
        assert namespace[name].__code__.co_filename == "<notebook 05>"  # the learner's own cell
    assert "yours: sum_backward, matmul_rule, topological_sort, backward_in_order, unbroadcast; the course's: none" in out
    assert namespace["mine_correct"] / 360 >= 0.97


def test_exercises_refuse_the_package_engine_its_losses_and_the_checkers_helpers():
    from backprop_helpers import losses
    from backprop_helpers.exercises import nb05_tensor

    def mean_by_node_sum(g, input_shape, axis=None, keepdims=False):
        x = Node(np.zeros(input_shape))
        x.sum(axis=axis, keepdims=keepdims).backward(g)
        return x.grad / (np.prod(input_shape) if axis is None else input_shape[axis])
    assert_hint("mean_backward", mean_by_node_sum, "calls the package's Node.sum")
    assert_hint("mean_backward", lambda g, s, axis=None, keepdims=False:
                nb05_tensor._spread(g, s, axis, keepdims) / (np.prod(s) if axis is None else s[axis]),
                "calls the package's _spread")

    def weight_by_node(G, X):
        W = Node(np.zeros((X.shape[-1], G.shape[-1])))
        (Node(X) @ W).backward(G)
        return W.grad
    assert_hint("batched_weight_gradient", weight_by_node, "calls the package's Node.__matmul__")
    assert_hint("max_backward", lambda g, x, axis=None, keepdims=False: nb05_tensor._max_gradient(g, x, axis, keepdims),
                "calls the package's _max_gradient")

    def fused_by_losses(z, Y):
        def rule(node, g):
            return (g * losses.cross_entropy_gradient(z.data, Y),)
        return _fused(losses.cross_entropy(z.data, Y), z, rule)

    def fused_rule_by_losses(z, Y):  # an own forward pass, the package's gradient in the rule
        own = solutions("05").log_softmax_cross_entropy(z, Y)
        return _fused(own.data, z, lambda node, g: (g * losses.cross_entropy_gradient(z.data, Y),))
    assert_hint("log_softmax_cross_entropy", fused_by_losses, "calls the package's cross_entropy")
    assert_hint("log_softmax_cross_entropy", fused_rule_by_losses, "calls the package's cross_entropy_gradient")


def _fused(data, z, rule):
    """A MiniNode-like result of a fused operation."""
    return solutions("05").MiniNode(data, (z,), rule)


def test_exercises_refuse_an_outside_autograd():
    def max_by_autograd(g, x, axis=None, keepdims=False):
        return autograd.grad(lambda v: anp.sum(anp.max(v, axis=axis, keepdims=keepdims) * g))(x)

    def mean_by_autograd(g, input_shape, axis=None, keepdims=False):
        return autograd.grad(lambda v: anp.sum(anp.mean(v, axis=axis, keepdims=keepdims) * g))(np.zeros(input_shape))

    def weight_by_autograd(G, X):
        return autograd.grad(lambda W: anp.sum((X @ W) * G))(np.zeros((X.shape[-1], G.shape[-1])))

    def fused_rule_by_autograd(z, Y):
        own = solutions("05").log_softmax_cross_entropy(z, Y)
        loss = lambda v: -anp.sum(Y * (v - anp.log(anp.sum(anp.exp(v), axis=0)))) / v.shape[1]  # noqa: E731
        return _fused(own.data, z, lambda node, g: (g * autograd.grad(loss)(z.data),))
    for name, answer in [("max_backward", max_by_autograd), ("mean_backward", mean_by_autograd),
                         ("batched_weight_gradient", weight_by_autograd),
                         ("log_softmax_cross_entropy", fused_rule_by_autograd)]:
        assert_hint(name, answer, "calls the package autograd", "write your own")


def test_digits_recipe_refuses_an_outside_autograd_in_training_and_restores_it():
    def trains_with_autograd(X_train, Y_train, seed):
        autograd.grad(lambda w: anp.sum(w * w))(np.ones(3))
        return uniform(X_train, Y_train, seed)
    assert_hint("digits_recipe", trains_with_autograd, "outside autograd package")
    assert np.allclose(autograd.grad(lambda w: anp.sum(w * w))(np.ones(3)), 2.0)   # restored afterwards
    assert load_digits()[0].shape[1:] == (8, 8)
