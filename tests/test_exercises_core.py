"""What every checker shares: one printed line, stubs not attempted, a learner's exception,
exit or endless loop reported, the package's own answers refused."""
import functools
import inspect
import signal
import sys
import threading
import time
import types

import numpy as np
import pytest

from backprop_helpers import activations, naive
from backprop_helpers import exercises as ex
from backprop_helpers.activations import softmax_jacobian
from backprop_helpers.exercises import core
from backprop_helpers.losses import cross_entropy, cross_entropy_gradient
from backprop_helpers.scalar import Value
from backprop_helpers.tensor import Node
from exercise_support import assert_hint, solutions


def test_checkers_print_one_line_and_return_nothing(capsys):
    assert ex.check_bp4_batch(solutions("02").bp4_batch) is None
    assert capsys.readouterr().out == "[bp4_batch] correct\n"
    ex.check_bp4_batch(lambda d, a: a @ d.T)
    out = capsys.readouterr().out
    assert out.startswith("[bp4_batch] not yet: ") and out.count("\n") == 1


def untouched_stub(delta, a_prev):
    raise NotImplementedError("your code here")


@pytest.mark.parametrize("stub", [None, ..., untouched_stub])
def test_stubs_are_not_attempted(stub):
    assert ex.judge("bp4_batch", stub).status == ex.NOT_ATTEMPTED
    assert ex.judge("delta2_by_hand", None).line() == "[delta2_by_hand] not attempted yet"


def test_a_learner_exception_is_reported_not_raised():
    def broken(delta, a_prev):
        return delta @ a_prev  # shapes don't fit
    assert_hint("bp4_batch", broken, "your code raised ValueError", "delta @ a_prev")


def test_an_unknown_exercise_is_the_callers_error_not_the_learners():
    with pytest.raises(ValueError, match="no exercise named 'bp4_bach'.*bp4_batch"):
        ex.judge("bp4_bach", lambda d, a: d @ a.T)


def test_the_registry_knows_each_exercises_notebook():
    assert ex.REGISTRY["bp4_batch"].notebook == "02" and ex.REGISTRY["softmax_on_node"].notebook == "05"
    assert {entry.notebook for entry in ex.REGISTRY.values()} == {"01", "02", "03", "04", "05"}
    assert all(entry.checker is getattr(ex, f"check_{name}") for name, entry in ex.REGISTRY.items())


# --------------------------------------------------------------------------- time limit
def endless(delta, a_prev):
    while True:
        pass


def sleeps(delta, a_prev):
    time.sleep(60)


def catches_exceptions(delta, a_prev):
    while True:
        try:
            while True:
                pass
        except Exception:  # a learner's catch-all does not catch the stop
            pass


@pytest.mark.parametrize("answer", [endless, sleeps, catches_exceptions])
def test_an_endless_answer_is_stopped_and_reported(monkeypatch, answer):
    monkeypatch.setattr(core, "TIME_LIMIT", 0.5)
    began = time.monotonic()
    verdict = assert_hint("bp4_batch", answer, "took longer than 0.5 s", "stopped (line")
    assert time.monotonic() - began < 5
    assert inspect.getsourcelines(answer)[0][1].strip() in verdict.message or "sleep" in verdict.message


def test_an_endless_answer_is_stopped_off_the_main_thread_too(monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT", 0.5)
    verdicts = []
    worker = threading.Thread(target=lambda: verdicts.append(ex.judge("bp4_batch", endless)))
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive() and "took longer than 0.5 s" in verdicts[0].message


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no interval timers on this platform")
def test_the_time_limit_gives_back_the_timer_and_handler_it_found():
    def mine(signum, frame):
        raise AssertionError("the outer timer fired during the check")
    old = signal.signal(signal.SIGALRM, mine)
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        assert ex.judge("bp4_batch", lambda d, a: d @ a.T).passed
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25.0 < left <= 30.0 and signal.getsignal(signal.SIGALRM) is mine
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# --------------------------------------------------------------------------- exits and stubs
@pytest.mark.parametrize("exit_, name, hint", [
    (lambda: sys.exit("bye"), "SystemExit: bye", "not end the program"),
    (lambda: exit(), "SystemExit", "not end the program"),
    (lambda: (_ for _ in ()).throw(KeyboardInterrupt), "KeyboardInterrupt", "interrupted"),
    (lambda: (_ for _ in ()).throw(GeneratorExit), "GeneratorExit", ""),
])
def test_exits_from_the_learners_code_are_verdicts(exit_, name, hint):
    def answer(delta, a_prev):
        exit_()
    assert_hint("bp4_batch", answer, f"your code raised {name}", hint)


def test_not_implemented_is_not_attempted_only_for_an_untouched_stub():
    def helper():
        raise NotImplementedError("softmax still to do")

    def calls_an_unfinished_helper(delta, a_prev):
        return helper()

    def unfinished_after_a_first_answer(delta, a_prev):
        if delta.shape[1] > 1:
            raise NotImplementedError("batches still to do")
        return delta @ a_prev.T

    def stub_with_docstring(delta, a_prev):
        """Return ∂L/∂W."""
        raise NotImplementedError

    assert_hint("bp4_batch", calls_an_unfinished_helper, "NotImplementedError: softmax still to do",
                "still to do")
    assert_hint("bp4_batch", unfinished_after_a_first_answer, "NotImplementedError: batches still to do")
    assert ex.judge("bp4_batch", stub_with_docstring).status == ex.NOT_ATTEMPTED


# --------------------------------------------------------------------------- the package's answers
def test_the_packages_own_answer_is_refused_under_any_alias_or_wrapper():
    alias = softmax_jacobian

    @functools.wraps(softmax_jacobian)
    def wrapped(z):
        return softmax_jacobian(z)

    copied = types.FunctionType(softmax_jacobian.__code__, softmax_jacobian.__globals__, "mine")
    for answer in (softmax_jacobian, alias, functools.partial(softmax_jacobian), wrapped, copied):
        assert_hint("softmax_jacobian", answer, "that is the package's function", "write your own")
    for answer in (lambda z: alias(z), lambda z: getattr(activations, "softmax_jacobian")(z)):
        assert_hint("softmax_jacobian", answer, "calls the package's softmax_jacobian",
                    "that is the package's function")
    assert_hint("batch_cross_entropy", cross_entropy, "that is the package's function")
    assert_hint("batch_cross_entropy_gradient", cross_entropy_gradient, "that is the package's function")
    assert_hint("batch_cross_entropy_gradient", lambda Z, Y: cross_entropy_gradient(Z, Y) + 0.0,
                "calls the package's cross_entropy_gradient")
    assert_hint("bottom_up_deltas", naive.cached_delta, "that is the package's function")
    assert_hint("divide", lambda a, b: a / b, "calls the package's Value.__truediv__")
    assert_hint("backward_by_counting", Value.backward, "that is the package's function")

    def mean_by_the_engine(g, input_shape, axis=None, keepdims=False):
        x = Node(np.zeros(input_shape))
        x.mean(axis=axis, keepdims=keepdims).backward(g)
        return x.grad
    assert_hint("mean_backward", mean_by_the_engine, "calls the package's Node.mean")


# --------------------------------------------------------------------------- answers that are not numbers
class Untouchable:
    """Stands for a torch tensor that still requires grad: numpy cannot read it."""
    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("Can't call numpy() on Tensor that requires grad")


def test_answers_numpy_cannot_read_or_complex_answers_are_not_right():
    assert_hint("bp4_batch", lambda d, a: d @ a.T + 1j, "complex numbers", "real")
    verdict = assert_hint("bp4_batch", lambda d, a: Untouchable(), "could not be read as numbers",
                          "RuntimeError", "return a numpy array")
    assert "your code raised" not in verdict.message       # the checker's conversion, not the learner's line


def test_nan_and_inf_never_match():
    assert not core.close(np.inf, np.inf) and not core.close(np.array([np.nan]), np.array([np.nan]))
    assert core.close(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12]))
