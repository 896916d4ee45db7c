"""Activations and their derivatives, softmax, log-softmax and the softmax Jacobian, checked by
independent routes.

The oracles (tests/oracles.py): central differences, HIPS ``autograd`` differentiating the
plain textbook formulas (e^z / Σ e^z, fine for moderate logits), and hand-derived limits for
logits around ±1000, where the textbook formulas break down and the package's must not.
"""
import math
import re
import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import elementwise_grad, grad, jacobian
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from oracles import (central_jacobian, elementwise_central_difference, extreme, logits_and_targets,
                     moderate, quietly, textbook_softmax)

from backprop_helpers import activations as act
from backprop_helpers.activations import (log_softmax, relu, relu_prime, softmax, softmax_backward,
                                          softmax_jacobian)

finite = st.floats(-30, 30, allow_nan=False)
PROPERTY = settings(max_examples=40, deadline=None)
ORACLES = {  # independent formulas in autograd.numpy
    "sigmoid": lambda z: 1 / (1 + anp.exp(-z)),
    "tanh": lambda z: (anp.exp(z) - anp.exp(-z)) / (anp.exp(z) + anp.exp(-z)),
    "identity": lambda z: 1.0 * z,
}


# --- elementwise activations -------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(ORACLES))
@given(z=arrays(float, st.integers(1, 6), elements=finite))
def test_activation_and_derivative_match_autograd(name, z):
    function, derivative = act.ELEMENTWISE[name]
    np.testing.assert_allclose(function(z), ORACLES[name](z), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(derivative(z), elementwise_grad(ORACLES[name])(z), rtol=1e-9, atol=1e-15)


def test_saturating_functions_give_exact_limits_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert act.sigmoid(-1000.0) == 0.0
        assert act.sigmoid(1000.0) == 1.0
        assert act.sigmoid_prime(np.array([-1000.0, 1000.0])).tolist() == [0.0, 0.0]
        assert act.tanh(np.array([-1000.0, 1000.0])).tolist() == [-1.0, 1.0]
        assert act.tanh_prime(1000.0) == 0.0
        assert act.sigmoid(0.0) == 0.5 and act.sigmoid_prime(0.0) == 0.25


# --- ReLU ---------------------------------------------------------------------------------------

def test_relu_derivative_at_zero_is_zero_by_convention():
    assert relu_prime(0.0) == 0.0
    assert relu_prime(np.array([-1.0, 0.0, 2.0])).tolist() == [0.0, 0.0, 1.0]
    np.testing.assert_array_equal(relu_prime([-1.0, 0.0, 1e-300, 3.0]), [0.0, 0.0, 1.0, 1.0])


@given(z=arrays(float, st.integers(1, 6), elements=finite.filter(lambda v: abs(v) > 1e-6)))
def test_relu_derivative_matches_central_differences_away_from_zero(z):
    np.testing.assert_allclose(relu_prime(z), elementwise_central_difference(relu, z, eps=1e-7), atol=1e-6)
    far = np.abs(z) > 1e-3  # where a step of 1e-6 cannot cross the kink: a tighter check
    np.testing.assert_allclose(relu_prime(z[far]), elementwise_central_difference(relu, z[far]), atol=1e-9)
    np.testing.assert_array_equal(relu(z), np.where(z > 0, z, 0.0))


# --- softmax and log-softmax -------------------------------------------------------------------

@PROPERTY
@given(logits_and_targets(extreme))
def test_softmax_columns_are_distributions(case):
    z, _ = case
    p = softmax(z)
    assert np.all(p >= 0) and np.all(p <= 1)
    np.testing.assert_allclose(p.sum(axis=0), 1.0, rtol=1e-12)


@PROPERTY
@given(logits_and_targets(moderate), st.floats(-500, 500))
def test_softmax_ignores_a_shift_of_each_column(case, shift):
    z, _ = case
    np.testing.assert_allclose(softmax(z + shift), softmax(z), atol=1e-12)


@PROPERTY
@given(logits_and_targets(moderate))
def test_softmax_matches_the_textbook_formula(case):
    z, _ = case
    np.testing.assert_allclose(softmax(z), textbook_softmax(z), rtol=1e-12)


@PROPERTY
@given(logits_and_targets(moderate))
def test_log_softmax_is_the_log_of_softmax(case):
    z, _ = case
    np.testing.assert_allclose(log_softmax(z), np.log(textbook_softmax(z)), rtol=1e-10, atol=1e-12)


def test_softmax_normalises_columns_not_rows():
    z = np.array([[1.0, 5.0], [2.0, -1.0], [0.0, 0.0]])
    for j in range(2):
        e = np.exp(z[:, j])
        np.testing.assert_allclose(softmax(z)[:, j], e / e.sum(), rtol=1e-14)
    z = np.array([[1.0, -2.0, 50.0], [2.0, 0.0, 50.0], [3.0, 2.0, -50.0]])
    p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=0), 1.0)
    np.testing.assert_allclose(p[:, 0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    np.testing.assert_allclose(np.exp(log_softmax(z)), p)


def test_softmax_of_logits_log_3_apart_around_1000_is_exact():
    z = np.array([[1000.0], [1000.0 + np.log(3.0)]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(z)
        log_p = log_softmax(z)
    np.testing.assert_allclose(p.ravel(), [0.25, 0.75], rtol=1e-13)
    np.testing.assert_allclose(log_p.ravel(), np.log([0.25, 0.75]), rtol=1e-12)


@pytest.mark.parametrize("z, expected", [
    ([1000.0, -1000.0], [1.0, 0.0]),
    ([-1000.0, 1000.0], [0.0, 1.0]),
    ([1000.0, 1000.0], [0.5, 0.5]),
    ([-1000.0, -1000.0], [0.5, 0.5]),
])
def test_softmax_at_extreme_logits_is_exact(z, expected):
    np.testing.assert_array_equal(quietly(softmax, np.array(z)[:, None])[:, 0], expected)


def test_softmax_at_close_large_logits_keeps_their_difference():
    # softmax([1000, 998]) = softmax([2, 0]): the first entry is 1 / (1 + e^-2)
    p = quietly(softmax, np.array([[1000.0], [998.0]]))
    np.testing.assert_allclose(p[:, 0], [1 / (1 + math.exp(-2)), 1 / (1 + math.exp(2))], rtol=1e-14)


def test_log_softmax_at_extreme_logits_is_finite_and_exact():
    # log softmax([1000, -1000]) = [-log(1 + e^-2000), -2000 - log(1 + e^-2000)] = [0, -2000]
    np.testing.assert_array_equal(quietly(log_softmax, np.array([[1000.0], [-1000.0]]))[:, 0],
                                  [0.0, -2000.0])


# --- the softmax Jacobian and its vector-Jacobian product --------------------------------------

@PROPERTY
@given(arrays(float, st.integers(2, 6), elements=moderate))
def test_softmax_jacobian_matches_central_differences(z):
    np.testing.assert_allclose(softmax_jacobian(z), central_jacobian(softmax, z), atol=1e-8)


@PROPERTY
@given(arrays(float, st.integers(2, 6), elements=moderate))
def test_softmax_jacobian_matches_autograd(z):
    J = softmax_jacobian(z)
    np.testing.assert_allclose(J, jacobian(textbook_softmax)(z), atol=1e-12)
    np.testing.assert_allclose(J, J.T, atol=0)               # symmetric
    np.testing.assert_allclose(J.sum(axis=0), 0.0, atol=1e-15)  # probabilities keep summing to 1


def test_softmax_jacobian_by_hand_for_two_logits():
    # for two classes, a1 = 1 / (1 + e^(z2 - z1)) and every entry is ±a1 a2
    a1 = 1.0 / (1.0 + math.exp(2.24 - 1.7))
    a2 = 1.0 - a1
    np.testing.assert_allclose(softmax_jacobian([[1.7], [2.24]]),
                               [[a1 * a2, -a1 * a2], [-a1 * a2, a1 * a2]], rtol=1e-12)


def test_softmax_jacobian_rejects_a_batch():
    with pytest.raises(ValueError, match=r"softmax_jacobian.*shape \(2, 3\)"):
        softmax_jacobian(np.zeros((2, 3)))


@PROPERTY
@given(logits_and_targets(moderate), st.integers(0, 2**32 - 1))
def test_softmax_backward_is_the_jacobian_transpose_times_the_gradient(case, seed):
    z, _ = case
    g = np.random.default_rng(seed).normal(size=z.shape)
    a = softmax(z)
    got = softmax_backward(a, g)
    for j in range(z.shape[1]):
        np.testing.assert_allclose(got[:, j], softmax_jacobian(z[:, j]).T @ g[:, j], atol=1e-12)
        s = a[:, j]  # and the Jacobian written out by hand: diag(s) - s sᵀ
        np.testing.assert_allclose(got[:, j], (np.diag(s) - np.outer(s, s)).T @ g[:, j],
                                   rtol=1e-9, atol=1e-12)
    # and autograd's reverse mode on the textbook formula agrees
    oracle = grad(lambda zz: anp.sum(textbook_softmax(zz) * g))(z)
    np.testing.assert_allclose(got, oracle, atol=1e-12)


# --- bad input: an error naming the function and the value, never a silent nan -------------------

ALL_FUNCTIONS = [act.sigmoid, act.sigmoid_prime, relu, relu_prime, act.tanh, act.tanh_prime,
                 act.identity, act.identity_prime, softmax, log_softmax, softmax_jacobian]


@pytest.mark.parametrize("function", ALL_FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("bad, words", [
    (None, "must be numeric (a number, nested lists of numbers or a numeric array), got None"),
    (np.array([1.0 + 2.0j, 0.5]), "must be numeric (a number, nested lists of numbers or a numeric array), got complex"),
    ([1 + 1j], "got complex numbers list [(1+1j)]"),
    ("1.5", "got str '1.5'"),
    ([[1.0, 2.0], [3.0]], "got list [[1.0, 2.0], [3.0]]: "),
])
def test_activations_refuse_what_is_not_real_numbers(function, bad, words):
    with pytest.raises(TypeError, match=re.escape(words)) as info:
        function(bad)
    assert function.__name__ in str(info.value)


@pytest.mark.parametrize("function", [softmax, log_softmax, softmax_jacobian], ids=lambda f: f.__name__)
@pytest.mark.parametrize("z", [[], np.zeros((0, 3)), 2.5])
def test_softmax_of_no_logits_is_a_clear_error(function, z):
    with pytest.raises(ValueError, match=function.__name__):
        function(z)


@given(st.integers(1, 4), st.integers(1, 4))
def test_softmax_backward_refuses_mismatched_shapes(n, m):
    a = softmax(np.zeros((n, m)))
    with pytest.raises(ValueError, match=r"softmax_backward: a has shape .* but grad_a has shape"):
        softmax_backward(a, np.ones((n, m + 1)))
    with pytest.raises(ValueError, match="softmax_backward"):
        softmax_backward(a[:, 0], np.ones((n, 1)))
