"""Notebook 03's exercises 4 and 5: each worked solution passes, and each typical mistake gets its
own hint. (Exercises 1–3 are tested with the other notebooks' exercises.)"""
import importlib.util
import time
from pathlib import Path

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from backprop_helpers import exercises as ex
from backprop_helpers.activations import softmax_backward

SOLUTIONS = Path(__file__).resolve().parent.parent / "notebooks" / "solutions"


def solutions_03():
    spec = importlib.util.spec_from_file_location("solutions_03", SOLUTIONS / "solutions_03.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_hint(exercise, answer, *fragments):
    verdict = ex.judge(exercise, answer)
    assert verdict.status == ex.WRONG, verdict
    for fragment in fragments:
        assert fragment in verdict.message, verdict.message
    return verdict


def stable_softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


# --- exercise 4: soft targets ----------------------------------------------------------------

def test_soft_target_gradient_solution_passes_and_equals_autograd():
    solution = solutions_03().soft_target_gradient
    assert ex.judge("soft_target_gradient", solution).passed

    def loss(z, y):
        shifted = z - anp.max(z)
        return -anp.sum(y * (shifted - anp.log(anp.sum(anp.exp(shifted)))))
    for z, y in ex.SOFT_TARGET_EXERCISE_CASES:
        z, y = np.array(z), np.array(y)
        np.testing.assert_allclose(solution(z, y), autograd.grad(loss)(z, y), rtol=1e-12, atol=1e-15)


def test_soft_target_gradient_typical_mistakes_get_their_hints():
    assert_hint("soft_target_gradient", lambda z, y: stable_softmax(z) - y, "ŷ - y", "sum to 1", "without that step")
    assert_hint("soft_target_gradient", lambda z, y: y - stable_softmax(z) * np.sum(y), "wrong sign")
    assert_hint("soft_target_gradient", lambda z, y: stable_softmax(z) - y / np.sum(y), "normalised")
    assert_hint("soft_target_gradient", lambda z, y: -y / stable_softmax(z), "∂𝓛/∂ŷ", "Jacobian")
    naive = lambda z, y: np.exp(z) / np.sum(np.exp(z)) * np.sum(y) - y   # noqa: E731
    assert_hint("soft_target_gradient", naive, "nan or inf", "subtract the largest")
    assert_hint("soft_target_gradient", lambda z, y: softmax_backward(stable_softmax(z), -y / stable_softmax(z)),
                "asking the answer")
    assert_hint("soft_target_gradient", lambda z, y: stable_softmax(z)[:1] - y[:1], "shape")


def test_soft_target_gradient_stub_is_not_attempted():
    def soft_target_gradient(z, y):
        raise NotImplementedError("your code here")
    assert ex.judge("soft_target_gradient", soft_target_gradient).status == ex.NOT_ATTEMPTED


# --- exercise 5: the softmax backward in O(n) -------------------------------------------------

def test_softmax_vjp_solution_passes_equals_the_jacobian_product_and_is_fast():
    solution = solutions_03().softmax_vjp
    assert ex.judge("softmax_vjp", solution).passed
    rng = np.random.default_rng(0)
    for n in (1, 2, 7):
        a, g = stable_softmax(rng.normal(size=n)), rng.normal(size=n)
        J = np.diag(a) - np.outer(a, a)
        np.testing.assert_allclose(solution(a, g), J.T @ g, rtol=1e-12, atol=1e-15)
    n = ex.SOFTMAX_VJP_LARGE_SIZE
    a, g = stable_softmax(rng.normal(size=n)), rng.normal(size=n)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        solution(a, g)
        times.append(time.perf_counter() - start)
    assert sorted(times)[2] < 0.05 * ex.SOFTMAX_VJP_TIME_LIMIT


def jacobian_built(a, g):
    J = np.diag(a) - np.outer(a, a)
    return J.T @ g


def dot_in_the_loop(a, g):
    out = np.empty_like(a)
    for i in range(a.size):
        out[i] = a[i] * (g[i] - np.dot(a, g))
    return out


def python_double_loop(a, g):
    n = len(a)
    return np.array([sum((a[i] * ((i == k) - a[k])) * g[i] for i in range(n)) for k in range(n)])


@pytest.mark.parametrize("answer, fragments", [
    (lambda a, g: -a * (g - np.dot(a, g)), ("wrong sign",)),
    (lambda a, g: a * g, ("diag(a) g alone",)),
    (lambda a, g: a * (1 - a) * g, ("diagonal",)),
    (lambda a, g: a * g - a * np.sum(g), ("aᵀg, not Σ g",)),
    (lambda a, g: g - a * np.dot(a, g), ("a ⊙ g",)),
    (lambda a, g: softmax_backward(a, g), ("asking the answer",)),
    (jacobian_built, ("builds an n × n array", "MB")),
    (lambda a, g: np.diag(a) @ g - a * np.dot(a, g), ("builds an n × n array",)),
])
def test_softmax_vjp_typical_mistakes_get_their_hints(answer, fragments):
    assert_hint("softmax_vjp", answer, *fragments)


def test_softmax_vjp_too_slow_answers_are_stopped_at_the_time_limit():
    start = time.perf_counter()
    assert_hint("softmax_vjp", dot_in_the_loop, "longer than", "inside a loop")
    assert time.perf_counter() - start < ex.SOFTMAX_VJP_TIME_LIMIT + 3.0
    start = time.perf_counter()
    assert_hint("softmax_vjp", python_double_loop, "longer than")
    assert time.perf_counter() - start < ex.SOFTMAX_VJP_TIME_LIMIT + 10.0


def test_softmax_vjp_keeps_the_callers_timer():
    import signal
    seen = []
    previous = signal.signal(signal.SIGALRM, lambda *args: seen.append(args))
    try:
        assert ex.judge("softmax_vjp", solutions_03().softmax_vjp).passed
        assert signal.getsignal(signal.SIGALRM) is not None and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, previous)
