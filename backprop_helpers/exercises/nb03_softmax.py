"""Exercises of notebook 03 (softmax and cross-entropy): the loss of a batch and its gradient,
stable at any logits, the softmax Jacobian, targets that are not one-hot, and the softmax
backward in O(n)."""
import tracemalloc

import numpy as np

from ..activations import log_softmax, softmax, softmax_backward, softmax_jacobian
from ..losses import cross_entropy, cross_entropy_gradient
from .core import AnswerTimeout, WrongAnswer, as_array, close, diagnose, exercise, time_limit



def _run_quietly(function, what, *args):
    """The learner's result on copies of ``args`` as an array, numpy's overflow warnings
    silenced (a nan in the result is reported with a hint instead)."""
    with np.errstate(all="ignore"):
        result = function(*(np.array(arg, dtype=float) for arg in args))
    if result is None:
        raise WrongAnswer("your function returned None: did you forget to return the value?")
    return as_array(result, what)


#: Exercise 03.2's logits, one sample each: this notebook's z^(2), five classes, equal logits,
#: a single class, then logits around +1000 (e^1000 overflows) and -1000 (e^-1000 underflows)
SOFTMAX_JACOBIAN_EXERCISE_LOGITS = [
    [1.7, 2.24], [0.5, -1.2, 2.0, 0.0, 1.1], [0.3, 0.3, 0.3, 0.3], [3.0],
    [1000.0, 998.0, 995.0], [-1000.0, -1001.0],
]


#: what "write each function with numpy alone" rules out, besides each exercise's own answer
_PACKAGE_SOFTMAX = (softmax, log_softmax)


@exercise(callable_answer=True, references=(softmax_jacobian, *_PACKAGE_SOFTMAX))
def check_softmax_jacobian(function):
    """Exercise 03.2: ``softmax_jacobian(z)`` for one sample, z a 1-D array of n logits,
    returns the n × n matrix J[i, k] = ∂a_i/∂z_k of a = softmax(z)."""
    for logits in SOFTMAX_JACOBIAN_EXERCISE_LOGITS:
        z = np.array(logits)
        n, huge = z.size, np.max(np.abs(z)) > 700
        what = f"your J for z = [{', '.join(f'{v:g}' for v in z)}]"
        got = _run_quietly(function, what, z)
        if got.shape != (n, n):
            raise WrongAnswer(f"{what} has shape {got.shape}; a Jacobian is n × n = {(n, n)}: one row per "
                         f"output a_i, one column per logit z_k")
        if not np.all(np.isfinite(got)):
            if huge:
                raise WrongAnswer(f"{what} contains nan or inf: e^1000 overflows and e^-1000 underflows to 0; "
                             f"subtract the largest logit before exponentiating, softmax(z - max z) = softmax(z)")
            raise WrongAnswer(f"{what} contains nan or inf")
        a = softmax(z)
        expected = softmax_jacobian(z)
        diagnose(got, expected, [
            (np.diag(a * (1 - a)), "that is only the diagonal a_i (1 - a_i): softmax is not elementwise, "
                                   "every a_i depends on every z_k, so J[i, k] = -a_i a_k off the diagonal"),
            (np.diag(a), "you have diag(a) only: the -a aᵀ term is missing, J = diag(a) - a aᵀ"),
            (-expected, "wrong sign: J = diag(a) - a aᵀ, positive on the diagonal (raising z_i raises a_i)"),
            (np.diag(a) - a @ a, "a @ a.T on a 1-D array is the dot product (one number), not the outer "
                                 "product a aᵀ: use np.outer(a, a)"),
            (np.diag(a) - a * a, "a * a is elementwise, not the outer product a aᵀ: use np.outer(a, a)"),
            (np.diag(z) - np.outer(z, z), "J is built from the probabilities a = softmax(z), not the logits z"),
            (np.diag(a) - np.outer(a, 1 - a), "J[i, k] = a_i (1[i = k] - a_k): the outer product is a aᵀ, "
                                              "not a (1 - a)ᵀ"),
        ], what)


def batch_exercise_cases():
    """(Z, Y, note) for exercises 03.1 and 03.3: classes are rows, samples are columns. A square
    batch (the wrong axis keeps the shape there), several shapes with n != m, one sample, then
    logits around +1000 (e^1000 overflows), and a batch with samples near +1000 and near -1000
    (a shift by the batch's maximum instead of each column's underflows to 0/0) and one whose
    true class has probability e^-2000, exactly 0 in floats (log(softmax) gives log 0)."""
    rng = np.random.default_rng(3)
    cases = []
    for n, m in [(3, 3), (2, 5), (4, 2), (3, 1)]:
        Z = rng.normal(scale=2.0, size=(n, m))
        Y = np.eye(n)[:, rng.integers(0, n, size=m)]
        cases.append((Z, Y, ""))
    Z = 1000.0 + np.array([[0.0, -3.0, 1.0, 2.0], [-1.0, 2.0, 0.5, 2.0], [-2.5, 0.0, -4.0, -1.0]])
    cases.append((Z, np.eye(3)[:, [0, 1, 2, 2]], " (logits around 1000)"))
    Z = np.array([[1000.0, -1000.0, 3.0, 1000.0], [990.0, -1003.0, -2.0, -1000.0]])
    cases.append((Z, np.eye(2)[:, [1, 0, 1, 1]], " (logits around ±1000)"))
    return cases


def _nan_hint(what, got, Z):
    """The hint for a nan or inf in a learner's softmax-based answer on logits Z."""
    with np.errstate(all="ignore"):
        shifted_by_batch_max = np.exp(Z - np.max(Z))
        batch_max_nan = ~np.isfinite(shifted_by_batch_max / np.sum(shifted_by_batch_max, axis=0))
    if np.ndim(got) == 2 and np.shape(got) == Z.shape and np.array_equal(~np.isfinite(got), batch_max_nan) \
            and batch_max_nan.any():
        return (f"{what} contains nan exactly in the columns far below the batch's largest logit: subtract "
                f"each column's own maximum (np.max(Z, axis=0, keepdims=True)), not the whole batch's")
    return (f"{what} contains nan or inf: e^1000 overflows (and e^-1000 underflows to 0); subtract each "
            f"column's maximum before exponentiating, softmax(z - max z) = softmax(z)")


@exercise(callable_answer=True, references=(cross_entropy_gradient, softmax_backward, *_PACKAGE_SOFTMAX))
def check_batch_cross_entropy_gradient(function):
    """Exercise 03.1: ``batch_cross_entropy_gradient(Z, Y)`` returns ∂𝓛/∂Z of the mean
    cross-entropy over a batch of logits Z (classes × samples) and one-hot targets Y."""
    for Z, Y, note in batch_exercise_cases():
        n, m = Z.shape
        what = f"your ∂𝓛/∂Z for Z of shape {Z.shape}{note}"
        got = _run_quietly(function, what, Z, Y)
        if got.shape == Z.shape and not np.all(np.isfinite(got)):
            raise WrongAnswer(_nan_hint(what, got, Z))
        expected = cross_entropy_gradient(Z, Y)
        A = softmax(Z)
        with np.errstate(all="ignore"):
            by_rows = softmax(Z, axis=1)
        variants = [
            (-expected, "wrong sign: δ = ŷ - y (the loss falls when z of the true class rises), not y - ŷ"),
            ((Z - Y) / m, "δ = ŷ - y with ŷ = softmax(Z), not the logits Z themselves"),
            ((by_rows - Y) / m, "softmax went along the rows (axis=1): each sample is a column, "
                                "so normalise over axis=0"),
        ]
        if m > 1:
            variants += [
                (A - Y, "that is the gradient of the summed loss: the batch loss is the mean, "
                        "so divide by m, the number of samples (columns)"),
                (by_rows - Y, "softmax went along the rows (axis=1), and the 1/m of the mean is "
                              "missing: normalise over axis=0, then divide by m"),
            ]
        if n == m:
            variants.append((expected.T, f"{what} is transposed: rows are classes, columns are samples, "
                                         f"as in Z"))
        if n != m:
            variants.append(((A - Y) / n, "you divided by the number of classes Z.shape[0]; the mean "
                                          "is over the samples: divide by m = Z.shape[1]"))
        if n > 1:
            variants.append(((A - Y) / (n * m), "you divided by n·m, every entry of Z (np.mean over the "
                                                "whole array does that); the mean is over the samples: "
                                                "divide by m = Z.shape[1]"))
        diagnose(got, expected, variants, what)


@exercise(callable_answer=True, references=(cross_entropy, *_PACKAGE_SOFTMAX))
def check_batch_cross_entropy(function):
    """Exercise 03.3: ``batch_cross_entropy(Z, Y)`` returns the mean cross-entropy (a number)
    of a batch of logits Z (classes × samples) and one-hot targets Y, stable at any logits."""
    for Z, Y, note in batch_exercise_cases():
        n, m = Z.shape
        what = f"your loss for Z of shape {Z.shape}{note}"
        got = _run_quietly(function, what, Z, Y)
        expected = cross_entropy(Z, Y)
        per_sample = -np.sum(Y * log_softmax(Z), axis=0)
        if got.size != 1:
            if got.size == m and close(got.ravel(), per_sample):
                raise WrongAnswer(f"{what} is one loss per sample (shape {got.shape}); return one number, "
                             f"their mean over the batch")
            raise WrongAnswer(f"{what} has shape {got.shape}; the loss of a batch is one number")
        got = got.reshape(())
        if not np.isfinite(got):
            with np.errstate(all="ignore"):
                log_of_softmax_is_finite = np.all(np.isfinite(np.log(softmax(Z))))
            if log_of_softmax_is_finite:
                raise WrongAnswer(_nan_hint(what, got, Z))
            raise WrongAnswer(f"{what} is {got}: the softmax of some logit rounds to exactly 0 and log(0) = -inf "
                         f"(0 · log 0 = nan); don't take log(softmax(z)), compute log-softmax directly: "
                         f"z - max z - log Σ_k e^(z_k - max z)")
        with np.errstate(all="ignore"):
            by_rows = -np.sum(Y * np.log(softmax(Z, axis=1))) / m
        variants = [
            (np.array(-expected), "wrong sign: the loss is -Σ y log ŷ, a positive number"),
            (np.array(by_rows), "softmax went along the rows (axis=1): each sample is "
                                                     "a column, so normalise over axis=0"),
        ]
        if m > 1:
            variants.append((np.array(expected * m), "that is the summed loss: the batch loss is the mean, "
                                                     "so divide by m, the number of samples (columns)"))
        if n > 1:
            variants.append((np.array(expected * m / (n * m)), "np.mean over the whole array divides by n·m; "
                                                               "sum over the classes, average over the samples only"))
        if n != m:
            variants.append((np.array(expected * m / n), "you divided by the number of classes Z.shape[0]; "
                                                         "the mean is over the samples: divide by m = Z.shape[1]"))
        if close(got, np.array(expected)):
            continue
        for variant, hint in variants:
            if close(got, variant):
                raise WrongAnswer(hint)
        if note:  # no difference printed: for one number it would give the answer away
            raise WrongAnswer(f"{what} is off, though right on ordinary logits: clipping or adding ε inside "
                         f"the log caps the loss; compute log-softmax, z - max z - log Σ_k e^(z_k - max z)")
        raise WrongAnswer(f"{what} is off; go step by step: log-softmax of each column, keep the true "
                     f"class with Y, sum over the classes, average over the samples")


#: Exercise 03.4's cases (logits z, target y), one sample each: one-hot, label smoothing (sums to
#: 1), targets summing to 2 and to 0.5 (where ŷ - y is wrong), all zero, and logits near 1000
SOFT_TARGET_EXERCISE_CASES = [
    ([1.7, 2.24], [0.0, 1.0]),
    ([0.5, -1.2, 2.0, 0.0], [0.025, 0.025, 0.925, 0.025]),
    ([0.3, 1.5, -0.7], [1.0, 0.0, 1.0]),
    ([2.0, -1.0, 0.5, 0.0], [0.0, 0.5, 0.0, 0.0]),
    ([0.4, -0.4], [0.0, 0.0]),
    ([1000.0, 997.0, 1001.0], [0.2, 0.3, 0.9]),
]


@exercise(callable_answer=True, references=(cross_entropy_gradient, softmax_backward, *_PACKAGE_SOFTMAX))
def check_soft_target_gradient(function):
    """Exercise 03.4: ``soft_target_gradient(z, y)`` returns ∂𝓛/∂z of 𝓛 = -Σ_i y_i log softmax(z)_i
    for one sample (1-D z and y), for any targets y >= 0, whatever they sum to."""
    for logits, target in SOFT_TARGET_EXERCISE_CASES:
        z, y = np.array(logits), np.array(target)
        what = (f"your ∂𝓛/∂z for z = [{', '.join(f'{v:g}' for v in z)}], "
                f"y = [{', '.join(f'{v:g}' for v in y)}]")
        got = _run_quietly(function, what, z, y)
        if got.shape == z.shape and not np.all(np.isfinite(got)):
            raise WrongAnswer(f"{what} contains nan or inf: subtract the largest logit before exponentiating, "
                         f"softmax(z - max z) = softmax(z)")
        a = softmax(z)
        expected = softmax_backward(a, -y / a)     # Jᵀ ∇_a 𝓛, ∇_a 𝓛 = -y / a
        total = np.sum(y)
        variants = [(-expected, "wrong sign: 𝓛 falls as the logit of a class with a large target rises")]
        if not np.isclose(total, 1.0):
            variants += [(a - y, f"that is ŷ - y, which assumes the targets sum to 1; these sum to {total:g}: "
                                 f"redo the sum that collapses Jᵀ∇ₐ𝓛 to ŷ - y, without that step")]
        if total > 0:
            variants += [(a - y / total, "you normalised the targets to sum to 1; the loss uses y as it is")]
        variants += [(-y / a, "that is ∂𝓛/∂ŷ, the gradient with respect to the probabilities; "
                              "go on through the softmax Jacobian to reach the logits")]
        diagnose(got, expected, variants, what)


def _softmax_vjp_cases():
    """(a, g) for exercise 03.5: this notebook's ŷ and ∇_a𝓛 = -y/ŷ, five classes with a random g,
    a constant g (the answer is 0: softmax ignores a shift), a single class, a near one-hot a."""
    rng = np.random.default_rng(5)
    y_hat = softmax(np.array([1.7, 2.24]))
    five = softmax(np.array([0.5, -1.2, 2.0, 0.0, 1.1]))
    return [(y_hat, np.array([0.0, -1.0]) / y_hat), (five, rng.normal(size=5)), (five, np.full(5, 2.5)),
            (np.array([1.0]), np.array([0.7])), (softmax(np.array([12.0, 0.0, -3.0])), rng.normal(size=3))]


#: exercise 03.5 runs the learner's function at these sizes: the first must use far less memory
#: than an n × n matrix, the second must finish within the time limit (an O(n) answer takes
#: milliseconds; an O(n²) one needs 10¹² steps at this size, which no machine does in 2 s)
SOFTMAX_VJP_MEMORY_SIZE, SOFTMAX_VJP_LARGE_SIZE, SOFTMAX_VJP_TIME_LIMIT = 2_000, 1_000_000, 2.0


@exercise(callable_answer=True, references=(softmax_backward, softmax_jacobian))
def check_softmax_vjp(function):
    """Exercise 03.5: ``softmax_vjp(a, g)`` returns Jᵀg, where J is the softmax Jacobian at
    a = softmax(z) (1-D) and g = ∂𝓛/∂a, in O(n) time and memory: without building J."""
    for a, g in _softmax_vjp_cases():
        what = f"your Jᵀg for n = {a.size}"
        got = _run_quietly(function, what, a, g)
        J = np.diag(a) - np.outer(a, a)
        expected = J.T @ g
        diagnose(got, expected, [
            (-expected, "wrong sign: Jᵀg = diag(a) g - a (aᵀg); J is positive on its diagonal"),
            (a * g, "that is diag(a) g alone: the -a aᵀ part of J is missing (every a_i depends on every z_k)"),
            (a * (1 - a) * g, "that uses only J's diagonal a_i (1 - a_i): softmax is not elementwise"),
            (a * g - a * np.sum(g), "the sum that multiplies a must weight each g_k by a_k: it is aᵀg, not Σ g"),
            (g - a * np.dot(a, g), "the first term of Jᵀg is diag(a) g = a ⊙ g, not g itself"),
        ], what)
    # complexity: an n × n Jacobian at n = 2000 takes 32 MB; an O(n) answer takes kilobytes
    n = SOFTMAX_VJP_MEMORY_SIZE
    a, g = softmax(np.linspace(-3.0, 3.0, n)), np.cos(np.arange(n))
    tracemalloc.start()
    try:
        with time_limit(SOFTMAX_VJP_TIME_LIMIT):
            _run_quietly(function, f"your Jᵀg for n = {n}", a, g)
        peak = tracemalloc.get_traced_memory()[1]
    except AnswerTimeout:
        raise WrongAnswer(f"right values, but at n = {n} your function ran longer than {SOFTMAX_VJP_TIME_LIMIT:g} s "
                     f"(an O(n) answer takes milliseconds): loops over i and k are n² steps; "
                     f"work with whole vectors, and compute aᵀg once") from None
    finally:
        tracemalloc.stop()
    if peak > 8 * n * n / 4:
        raise WrongAnswer(f"right values, but at n = {n} your function took {peak / 1e6:.0f} MB: it builds an "
                     f"n × n array (J, diag(a) or an outer product). At n = {SOFTMAX_VJP_LARGE_SIZE} that "
                     f"would be {8 * SOFTMAX_VJP_LARGE_SIZE ** 2 / 1e9:.0f} GB: compute aᵀg once, a number, "
                     f"and work with vectors only")
    n = SOFTMAX_VJP_LARGE_SIZE
    a, g = softmax(np.sin(np.arange(n))), np.cos(np.arange(n)) + 0.5
    what = f"your Jᵀg for n = {n}"
    try:
        with time_limit(SOFTMAX_VJP_TIME_LIMIT):
            got = _run_quietly(function, what, a, g)
    except AnswerTimeout:
        raise WrongAnswer(f"right values, but at n = {n} your function ran longer than {SOFTMAX_VJP_TIME_LIMIT:g} s "
                     f"(an O(n) answer takes milliseconds): is aᵀg recomputed inside a loop over the "
                     f"entries? Compute it once") from None
    diagnose(got, softmax_backward(a, g), [], what)
