"""Elementwise activations and their derivatives; softmax exactness at extreme logits."""
import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import elementwise_grad
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backprop_helpers import activations as act

finite = st.floats(-30, 30, allow_nan=False)
ORACLES = {  # independent formulas in autograd.numpy
    "sigmoid": lambda z: 1 / (1 + anp.exp(-z)),
    "tanh": lambda z: (anp.exp(z) - anp.exp(-z)) / (anp.exp(z) + anp.exp(-z)),
    "identity": lambda z: 1.0 * z,
}


@pytest.mark.parametrize("name", sorted(ORACLES))
@given(z=arrays(float, st.integers(1, 6), elements=finite))
def test_activation_and_derivative_match_autograd(name, z):
    function, derivative = act.ELEMENTWISE[name]
    np.testing.assert_allclose(function(z), ORACLES[name](z), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(derivative(z), elementwise_grad(ORACLES[name])(z), rtol=1e-9, atol=1e-15)


@given(z=arrays(float, st.integers(1, 6), elements=finite.filter(lambda v: abs(v) > 1e-6)))
def test_relu_derivative_is_central_difference_away_from_zero(z):
    eps = 1e-7
    numeric = (act.relu(z + eps) - act.relu(z - eps)) / (2 * eps)
    np.testing.assert_allclose(act.relu_prime(z), numeric, atol=1e-6)
    np.testing.assert_array_equal(act.relu(z), np.where(z > 0, z, 0.0))


def test_relu_derivative_at_zero_is_zero_by_convention():
    assert act.relu_prime(0.0) == 0.0
    assert act.relu_prime(np.array([-1.0, 0.0, 2.0])).tolist() == [0.0, 0.0, 1.0]


def test_saturating_functions_give_exact_limits_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert act.sigmoid(-1000.0) == 0.0
        assert act.sigmoid(1000.0) == 1.0
        assert act.sigmoid_prime(np.array([-1000.0, 1000.0])).tolist() == [0.0, 0.0]
        assert act.tanh(np.array([-1000.0, 1000.0])).tolist() == [-1.0, 1.0]
        assert act.tanh_prime(1000.0) == 0.0
        assert act.sigmoid(0.0) == 0.5 and act.sigmoid_prime(0.0) == 0.25


def test_softmax_of_logits_around_1000_is_exact():
    z = np.array([[1000.0], [1000.0 + np.log(3.0)]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = act.softmax(z)
        log_p = act.log_softmax(z)
    np.testing.assert_allclose(p.ravel(), [0.25, 0.75], rtol=1e-13)
    np.testing.assert_allclose(log_p.ravel(), np.log([0.25, 0.75]), rtol=1e-12)
    np.testing.assert_array_equal(act.softmax(np.array([[-1000.0], [1000.0]])).ravel(), [0.0, 1.0])


def test_softmax_normalises_each_column_of_a_batch():
    z = np.array([[1.0, -2.0, 50.0], [2.0, 0.0, 50.0], [3.0, 2.0, -50.0]])
    p = act.softmax(z)
    np.testing.assert_allclose(p.sum(axis=0), 1.0)
    np.testing.assert_allclose(p[:, 0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    np.testing.assert_allclose(np.exp(act.log_softmax(z)), p)


@given(z=arrays(float, (3, 2), elements=finite), g=arrays(float, (3, 2), elements=finite))
def test_softmax_backward_is_the_jacobian_transpose_product(z, g):
    a = act.softmax(z)
    for col in range(2):
        s = a[:, col]
        jacobian = np.diag(s) - np.outer(s, s)
        np.testing.assert_allclose(act.softmax_backward(a, g)[:, col], jacobian.T @ g[:, col],
                                   rtol=1e-9, atol=1e-12)
