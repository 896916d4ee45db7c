"""The gradient checker: relative error, central differences and the report."""
import numpy as np
import pytest

from backprop_helpers.gradcheck import gradient_check, numerical_gradient, relative_error


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
