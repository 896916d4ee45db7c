"""What every checker shares: one printed line, stubs not attempted, a learner's exception reported."""
import pytest

from backprop_helpers import exercises as ex
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
