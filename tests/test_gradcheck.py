"""The gradient checker: relative error, central differences and the report."""
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop_helpers.gradcheck import (GradientCheckReport, gradient_check, gradient_check_network,
                                        numerical_gradient, relative_error)


def test_relative_error_definition():
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(1.0, 0.0) == 1.0
    assert relative_error(2.0, 1.0) == 0.5
    assert relative_error(-1.0, 1.0) == 2.0
    np.testing.assert_array_equal(relative_error([0.0, 3.0], [0.0, 4.0]), [0.0, 0.25])


def test_numerical_gradient_of_a_cubic_and_restores_the_array():
    theta = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = theta.copy()
    numeric = numerical_gradient(lambda: float(np.sum(theta ** 3)), theta, eps=1e-5)
    np.testing.assert_allclose(numeric, 3 * before ** 2, rtol=1e-9)  # error eps² = 1e-10
    np.testing.assert_array_equal(theta, before)


def test_report_passes_a_right_gradient_and_flags_a_wrong_one():
    theta = np.array([1.0, 2.0, 3.0])
    loss = lambda: float(np.sum(np.sin(theta)))  # noqa: E731
    good = gradient_check(loss, {"theta": theta}, {"theta": np.cos(theta)})
    assert good.passed and good.max_relative_error < 1e-7
    wrong = np.cos(theta)
    wrong[1] *= -1  # a sign error in one entry
    bad = gradient_check(loss, {"theta": theta}, {"theta": wrong})
    assert not bad.passed
    assert [row.passed for row in bad.rows] == [True, False, True]
    assert bad.rows[1].relative_error == pytest.approx(2.0, rel=1e-6)
    table = str(bad)
    assert "FAIL" in table.splitlines()[3] and table.splitlines()[-1].endswith("FAIL")
    assert table.splitlines()[0].split() == ["parameter", "index", "analytic", "numeric",
                                             "rel.", "error", "status"]


def test_report_refuses_a_gradient_of_the_wrong_shape():
    theta = np.zeros((2, 2))
    with pytest.raises(ValueError, match=r"gradient of W has shape \(4,\) but the parameter has shape \(2, 2\)"):
        gradient_check(lambda: 0.0, {"W": theta}, {"W": np.zeros(4)})
    with pytest.raises(ValueError, match="no analytic gradient given for parameter 'W'"):
        gradient_check(lambda: 0.0, {"W": theta}, {})


# --- no silent PASS: nan, inf, empty checks, stray names -----------------------------------------

@given(st.sampled_from([np.nan, np.inf, -np.inf]), st.floats(-1e3, 1e3))
def test_relative_error_of_a_non_finite_value_is_inf(bad, other):
    assert relative_error(bad, other) == np.inf
    assert relative_error(other, bad) == np.inf
    assert relative_error(bad, bad) == np.inf


def test_relative_error_refuses_none():
    with pytest.raises(TypeError, match="relative_error: analytic is None"):
        relative_error(None, 1.0)


def test_gradient_check_fails_nan_gradients_and_nan_losses():
    w = np.array([1.0, 2.0])
    report = gradient_check(lambda: float(np.sum(w ** 2)), {"w": w}, {"w": np.array([np.nan, np.nan])})
    assert not report.passed and str(report).endswith("FAIL") and "inf" in str(report)
    report = gradient_check(lambda: float("nan"), {"w": w}, {"w": 2 * w})
    assert not report.passed


def test_gradient_check_network_fails_a_nan_gradient(monkeypatch):
    from backprop_helpers.examples import bp_walkthrough_example
    net, x, y = bp_walkthrough_example()
    honest = net.gradients

    def poisoned(x, y):
        g = honest(x, y)
        g.dW[1] = np.full_like(g.dW[1], np.nan)
        return g

    monkeypatch.setattr(net, "gradients", poisoned)
    assert not gradient_check_network(net, x, y).passed


def test_gradient_check_refuses_an_empty_check_and_stray_names():
    w = np.array([1.0])
    with pytest.raises(ValueError, match="no parameters"):
        gradient_check(lambda: 0.0, {}, {})
    with pytest.raises(ValueError, match=r"gradients given for \['v'\], which are not parameters"):
        gradient_check(lambda: float(w[0] ** 2), {"w": w}, {"w": 2 * w, "v": w})
    assert not GradientCheckReport().passed


# --- numerical_gradient restores what it nudges and refuses what it cannot nudge -----------------

@given(st.integers(1, 4))
def test_numerical_gradient_restores_the_array_when_the_loss_raises(failing_call):
    w = np.array([1.0, 2.0])
    calls = [0]

    def loss():
        calls[0] += 1
        if calls[0] == failing_call:
            raise RuntimeError("once")
        return float(np.sum(w ** 2))

    with pytest.raises(RuntimeError, match="once"):
        numerical_gradient(loss, w)
    assert w.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("array, error, words", [
    (np.array([1, 2]), TypeError, "dtype int64, but a nudge of eps would be truncated"),
    (np.array([1.0, 2.0], dtype=np.float32), TypeError, "dtype float32"),
    (1.5, TypeError, "must be the numpy array loss() reads"),
])
def test_numerical_gradient_refuses_arrays_it_cannot_nudge(array, error, words):
    with pytest.raises(error, match=re.escape(words)):
        numerical_gradient(lambda: 0.0, array)


def test_numerical_gradient_refuses_a_read_only_array_a_bad_eps_and_a_non_number_loss():
    w = np.array([1.0, 2.0])
    frozen = w.copy()
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        numerical_gradient(lambda: 0.0, frozen)
    for eps in (0, -1e-5, float("nan"), "1e-5"):
        with pytest.raises(ValueError, match="eps must be a finite number > 0"):
            numerical_gradient(lambda: 0.0, w, eps=eps)
    from backprop_helpers.scalar import Value
    for value, words in [(np.array([1.0, 2.0]), r"ndarray of shape \(2,\)"), (Value(1.0), r"Value.*\.data"),
                         (None, "NoneType")]:
        with pytest.raises(TypeError, match=words):
            numerical_gradient(lambda: value, w)
        assert w.tolist() == [1.0, 2.0]
