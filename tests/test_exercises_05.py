"""Notebook 05's newer exercises: a stacked matmul's weight gradient, a fused log-softmax
cross-entropy with its own rule, and the open digits recipe. Each worked solution passes, each
typical mistake gets its own hint, a stub counts as not attempted."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from backprop_helpers import exercises as ex
from backprop_helpers.activations import log_softmax, softmax
from backprop_helpers.examples import load_digits
from backprop_helpers.gradcheck import numerical_gradient
from backprop_helpers.tensor import Node

SOLUTIONS = Path(__file__).resolve().parent.parent / "notebooks" / "solutions"


def solutions():
    spec = importlib.util.spec_from_file_location("solutions_05", SOLUTIONS / "solutions_05.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_hint(exercise, answer, *fragments):
    verdict = ex.judge(exercise, answer)
    assert verdict.status == ex.WRONG, verdict
    for fragment in fragments:
        assert fragment in verdict.message, verdict.message
    return verdict


def stub(*args):
    raise NotImplementedError("your code here")


@pytest.mark.parametrize("exercise", ["batched_weight_gradient", "log_softmax_cross_entropy", "digits_recipe"])
def test_untouched_stubs_are_not_attempted(exercise):
    for untouched in (None, ..., stub):
        assert ex.judge(exercise, untouched).status == ex.NOT_ATTEMPTED


# ----------------------------------------------------------------- exercise 2: a stacked matmul

def test_batched_weight_gradient_solution_matches_node_and_finite_differences():
    solution = solutions().batched_weight_gradient
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
        log_p = log_softmax(z.data, axis=1 if mistake == "rows" else 0)
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
    solution = solutions().log_softmax_cross_entropy
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
    assert_hint(exercise, lambda z, Y: float(-np.sum(Y * log_softmax(z.data)) / z.data.shape[1]),
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
    assert ex.judge("digits_recipe", solutions().digits_recipe).passed


def test_digits_recipe_wrong_answers_get_their_hints():
    _, _, X_test, _ = ex.digits_exercise_data()
    mean_image = lambda X_train, Y_train: (lambda X: np.full(X.shape[1], 3))  # noqa: E731
    assert_hint("digits_recipe", mean_image, "test accuracy", "the target is 98%")
    assert_hint("digits_recipe", lambda X_train, Y_train: (lambda X: np.ones((10, X.shape[1]))),
                "10 scores per image")
    assert_hint("digits_recipe", lambda X_train, Y_train: (lambda X: Node(np.ones(X.shape[1]))), "a Node")
    assert_hint("digits_recipe", lambda X_train, Y_train: (lambda X: np.full(X.shape[1], 0.5)),
                "whole digits")
    assert_hint("digits_recipe", lambda X_train, Y_train: 3, "return a function predict")
    assert_hint("digits_recipe", lambda X_train, Y_train: None, "returned None")
    assert_hint("digits_recipe", lambda X_train, Y_train: X_train @ np.ones(7), "while training")
