"""Notebook 03's exercises: a batch's cross-entropy and its gradient, the softmax Jacobian, targets
that are not one-hot, and the softmax backward in O(n)."""
import math
import time

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from backprop_helpers import exercises as ex
from backprop_helpers.activations import log_softmax, softmax, softmax_backward, softmax_jacobian
from backprop_helpers.losses import cross_entropy, cross_entropy_gradient
from exercise_support import assert_hint, imported_solutions, solutions


def naive_softmax(z, axis=0):
    """The textbook softmax without the max shift: nan at logits around ±1000."""
    with np.errstate(all="ignore"):
        return np.exp(z) / np.sum(np.exp(z), axis=axis, keepdims=True)


def own_log_softmax(Z, axis=0):
    """A learner's own stable log-softmax (the package's is refused in the exercises)."""
    shifted = Z - np.max(Z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def shifted_softmax(Z, shift):
    e = np.exp(Z - shift)
    return e / np.sum(e, axis=0, keepdims=True)


def test_softmax_jacobian_solution_passes_and_equals_autograd_and_finite_differences():
    solution = solutions("03")
    assert ex.judge("softmax_jacobian", solution.softmax_jacobian).passed
    oracle = autograd.jacobian(lambda z: anp.exp(z - anp.max(z)) / anp.sum(anp.exp(z - anp.max(z))))
    eps = 1e-6
    for logits in ex.SOFTMAX_JACOBIAN_EXERCISE_LOGITS:
        z = np.array(logits)
        J = solution.softmax_jacobian(z)
        np.testing.assert_allclose(J, oracle(z), rtol=1e-12, atol=1e-15)
        steps = np.eye(z.size) * eps
        numeric = np.column_stack([(shifted_softmax(z + s, np.max(z)) - shifted_softmax(z - s, np.max(z))) / (2 * eps)
                                   for s in steps])
        np.testing.assert_allclose(J, numeric, atol=1e-9)
    assert np.array_equal(solution.softmax_jacobian(np.array([3.0])), [[0.0]])  # one class: a = 1 always
    sizes = {len(z) for z in ex.SOFTMAX_JACOBIAN_EXERCISE_LOGITS}
    assert {1, 2, 5} <= sizes and any(max(map(abs, z)) >= 1000 for z in ex.SOFTMAX_JACOBIAN_EXERCISE_LOGITS)


def jacobian_with(mistake):
    """A softmax Jacobian with one typical mistake built in."""
    def J(z):
        a = naive_softmax(z) if mistake == "naive softmax" else shifted_softmax(z, np.max(z))
        return {"diagonal a(1 - a)": lambda: np.diag(a * (1 - a)),
                "diag(a) only": lambda: np.diag(a),
                "sign": lambda: np.outer(a, a) - np.diag(a),
                "a @ a.T": lambda: np.diag(a) - a @ a.T,
                "a * a": lambda: np.diag(a) - a * a,
                "vector": lambda: a * (1 - a),
                "logits": lambda: np.diag(z) - np.outer(z, z),
                "naive softmax": lambda: np.diag(a) - np.outer(a, a)}[mistake]()
    return J


def test_softmax_jacobian_typical_mistakes_get_their_hints():
    assert_hint("softmax_jacobian", jacobian_with("diagonal a(1 - a)"), "only the diagonal", "-a_i a_k")
    assert_hint("softmax_jacobian", jacobian_with("diag(a) only"), "-a aᵀ term is missing")
    assert_hint("softmax_jacobian", jacobian_with("sign"), "wrong sign")
    assert_hint("softmax_jacobian", jacobian_with("a @ a.T"), "dot product", "np.outer")
    assert_hint("softmax_jacobian", jacobian_with("a * a"), "elementwise", "np.outer")
    assert_hint("softmax_jacobian", jacobian_with("vector"), "shape (2,)", "n × n")
    assert_hint("softmax_jacobian", jacobian_with("logits"), "not the logits")
    assert_hint("softmax_jacobian", jacobian_with("naive softmax"), "z = [1000, 998, 995]", "nan", "subtract the largest")
    assert_hint("softmax_jacobian", lambda z: softmax_jacobian(z), "asking the answer")
    wrong_sign = jacobian_with("sign")
    assert_hint("softmax_jacobian", lambda z: 1e-3 - wrong_sign(z), "is off")
    generic = assert_hint("softmax_jacobian", lambda z: np.eye(z.size), "is off")
    assert "[[" not in generic.message                                    # never shows the answer


def test_batch_gradient_solution_passes_and_equals_autograd():
    solution = solutions("03")
    assert ex.judge("batch_cross_entropy_gradient", solution.batch_cross_entropy_gradient).passed

    def mean_loss(Z, Y):
        shifted = Z - anp.max(Z, axis=0, keepdims=True)
        return -anp.sum(Y * (shifted - anp.log(anp.sum(anp.exp(shifted), axis=0, keepdims=True)))) / Z.shape[1]

    cases = ex.batch_exercise_cases()
    assert any(Z.shape[0] == Z.shape[1] for Z, _, _ in cases) and any(Z.shape[1] == 1 for Z, _, _ in cases)
    for Z, Y, _ in cases:
        np.testing.assert_allclose(solution.batch_cross_entropy_gradient(Z, Y), autograd.grad(mean_loss)(Z, Y),
                                   rtol=1e-10, atol=1e-15)
        assert np.allclose(Y.sum(axis=0), 1) and set(np.unique(Y)) <= {0.0, 1.0}  # one-hot columns


def test_batch_gradient_typical_mistakes_get_their_hints():
    stable = lambda Z: shifted_softmax(Z, np.max(Z, axis=0, keepdims=True))  # noqa: E731
    exercise = "batch_cross_entropy_gradient"
    assert_hint(exercise, lambda Z, Y: stable(Z) - Y, "summed loss", "divide by m")
    assert_hint(exercise, lambda Z, Y: (Y - stable(Z)) / Z.shape[1], "wrong sign")
    assert_hint(exercise, lambda Z, Y: (shifted_softmax(Z.T, np.max(Z.T, axis=0)).T - Y) / Z.shape[1], "axis=1")
    assert_hint(exercise, lambda Z, Y: (stable(Z) - Y) / Z.shape[0], "number of classes", "Z.shape[1]")
    assert_hint(exercise, lambda Z, Y: (Z - Y) / Z.shape[1], "not the logits")
    assert_hint(exercise, lambda Z, Y: ((stable(Z) - Y) / Z.shape[1]).T, "transposed")
    assert_hint(exercise, lambda Z, Y: (naive_softmax(Z) - Y) / Z.shape[1], "logits around 1000", "overflows")
    assert_hint(exercise, lambda Z, Y: (shifted_softmax(Z, np.max(Z)) - Y) / Z.shape[1],
                "logits around ±1000", "each column's own maximum")
    assert_hint(exercise, lambda Z, Y: cross_entropy_gradient(Z, Y), "asking the answer")
    assert_hint(exercise, "(softmax(Z) - Y) / m", "pass your function itself")


def test_batch_loss_solution_passes_and_equals_the_mean_of_hand_losses():
    solution = solutions("03")
    assert ex.judge("batch_cross_entropy", solution.batch_cross_entropy).passed
    for Z, Y, _ in ex.batch_exercise_cases():
        m, hand = Z.shape[1], []
        for j in range(m):  # -log ŷ_true = log Σ_k e^(z_k - z_true), each term by math
            true = int(np.argmax(Y[:, j]))
            terms = [Z[k, j] - Z[true, j] for k in range(Z.shape[0])]
            top = max(terms)
            hand.append(top + math.log(sum(math.exp(t - top) for t in terms)))
        assert math.isclose(solution.batch_cross_entropy(Z, Y), sum(hand) / m, rel_tol=1e-12, abs_tol=1e-15)
    big = np.array([[1000.0], [-1000.0]])
    assert solution.batch_cross_entropy(big, np.array([[0.0], [1.0]])) == 2000.0   # log(1 + e^2000) in floats


def test_batch_loss_typical_mistakes_get_their_hints():
    stable = lambda Z: shifted_softmax(Z, np.max(Z, axis=0, keepdims=True))  # noqa: E731
    exercise = "batch_cross_entropy"
    assert_hint(exercise, lambda Z, Y: -np.sum(Y * own_log_softmax(Z)), "summed loss", "divide by m")
    assert_hint(exercise, lambda Z, Y: -np.mean(Y * own_log_softmax(Z)), "np.mean over the whole array")
    assert_hint(exercise, lambda Z, Y: -np.sum(Y * own_log_softmax(Z), axis=0), "one loss per sample")
    assert_hint(exercise, lambda Z, Y: np.sum(Y * own_log_softmax(Z)) / Z.shape[1], "wrong sign")
    assert_hint(exercise, lambda Z, Y: -np.sum(Y * own_log_softmax(Z, axis=1)) / Z.shape[1], "axis=1")
    assert_hint(exercise, lambda Z, Y: -np.sum(Y * own_log_softmax(Z)) / Z.shape[0], "number of classes")
    assert_hint(exercise, lambda Z, Y: -np.sum(Y * np.log(stable(Z))) / Z.shape[1],
                "logits around ±1000", "log(0)", "log-softmax")
    assert_hint(exercise, lambda Z, Y: -np.sum(Y * np.log(naive_softmax(Z))) / Z.shape[1],
                "logits around 1000", "overflows")
    assert_hint(exercise, lambda Z, Y: cross_entropy(Z, Y), "asking the answer")
    clipped = assert_hint(exercise, lambda Z, Y: -np.sum(Y * np.log(stable(Z) + 1e-12)) / Z.shape[1],
                          "logits around ±1000", "caps the loss")
    generic = assert_hint(exercise, lambda Z, Y: -np.sum(Y * own_log_softmax(Z)) / Z.shape[1] + 0.25, "step by step")
    for verdict in (clipped, generic):
        assert not any(ch.isdigit() for ch in verdict.message.split("is off")[1])  # no number to work back from


@pytest.mark.parametrize("exercise", ["softmax_jacobian", "batch_cross_entropy_gradient", "batch_cross_entropy"])
def test_notebook_03_stubs_and_learner_exceptions(exercise):
    def stub(*args):
        raise NotImplementedError("your code here")

    def crashes(*args):
        return args[0] @ np.ones(7)

    for untouched in (None, ..., stub):
        assert ex.judge(exercise, untouched).line() == f"[{exercise}] not attempted yet"
    assert_hint(exercise, crashes, "your code raised ValueError", "args[0] @ np.ones(7)")
    assert_hint(exercise, lambda *args: None, "returned None", "forget to return")
    assert_hint(exercise, lambda *args: "a half", "should be numbers")
    assert_hint(exercise, lambda z, y, extra: z, "your code raised TypeError")


def stable_softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


# --- exercise 4: soft targets ----------------------------------------------------------------

def test_soft_target_gradient_solution_passes_and_equals_autograd():
    solution = solutions("03").soft_target_gradient
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
    solution = solutions("03").softmax_vjp
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
        assert ex.judge("softmax_vjp", solutions("03").softmax_vjp).passed
        assert signal.getsignal(signal.SIGALRM) is not None and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------- cheats
def test_the_packages_softmax_and_log_softmax_are_refused_where_numpy_alone_is_the_rule():
    assert_hint("batch_cross_entropy", lambda Z, Y: -np.sum(Y * log_softmax(Z)) / Z.shape[1],
                "package's", "log_softmax")
    assert_hint("batch_cross_entropy_gradient", lambda Z, Y: (softmax(Z) - Y) / Z.shape[1],
                "package's", "softmax")
    assert_hint("softmax_jacobian", lambda z: np.diag(softmax(z)) - np.outer(softmax(z), softmax(z)),
                "package's")
    assert_hint("soft_target_gradient", lambda z, y: softmax(z) * np.sum(y) - y, "package's")


def test_importing_the_worked_solutions_is_refused():
    imported = imported_solutions("03")
    for name in ("batch_cross_entropy_gradient", "softmax_jacobian", "batch_cross_entropy",
                 "soft_target_gradient", "softmax_vjp"):
        assert_hint(name, getattr(imported, name), "worked solution")
    assert_hint("softmax_vjp", lambda a, g: imported.softmax_vjp(a, g), "worked solution")


def test_a_batch_gradient_divided_by_n_times_m_gets_its_hint():
    stable = lambda Z: shifted_softmax(Z, np.max(Z, axis=0, keepdims=True))  # noqa: E731
    assert_hint("batch_cross_entropy_gradient", lambda Z, Y: (stable(Z) - Y) / Z.size, "n·m")
