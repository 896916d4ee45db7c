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
import traceback
from typing import NamedTuple

import numpy as np

from .activations import sigmoid_prime
from .examples import bp_walkthrough_example

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
        frame = traceback.extract_tb(error.__traceback__)[-1]
        return Verdict(exercise_name, WRONG, f"your code raised {type(error).__name__}: {error} "
                                             f"(line {frame.lineno}: {frame.line})")
    return Verdict(exercise_name, CORRECT)


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
