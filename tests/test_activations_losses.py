"""Softmax, log-softmax, cross-entropy and their gradients, checked by independent routes.

The oracles: central differences, HIPS ``autograd`` differentiating the plain textbook
formulas (e^z / Σ e^z and -Σ y log ŷ, fine for moderate logits), and hand-derived limits for
logits around ±1000, where the textbook formulas break down and the package's must not.
"""
import math
import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad, jacobian
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backprop_helpers.activations import (log_softmax, relu, relu_prime, softmax,
                                          softmax_backward, softmax_jacobian)
from backprop_helpers.gradcheck import numerical_gradient
from backprop_helpers.losses import cross_entropy, cross_entropy_gradient

moderate = st.floats(-20, 20, allow_nan=False)
extreme = st.floats(-1000, 1000, allow_nan=False)
PROPERTY = settings(max_examples=40, deadline=None)


def textbook_softmax(z):
    """e^z / Σ e^z per column, written with autograd's numpy so autograd can differentiate it."""
    e = anp.exp(z)
    return e / anp.sum(e, axis=0, keepdims=True)


def textbook_cross_entropy(z, y):
    """-(1/m) Σ y log softmax(z), straight from the definition."""
    return -anp.sum(y * anp.log(textbook_softmax(z))) / z.shape[1]


@st.composite
def logits_and_targets(draw, values=moderate):
    """Logits n × m (2..5 classes, 1..4 samples) and a one-hot target per column."""
    n = draw(st.integers(2, 5))
    m = draw(st.integers(1, 4))
    z = draw(arrays(float, (n, m), elements=values))
    classes = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    y = np.zeros((n, m))
    y[classes, range(m)] = 1.0
    return z, y


def central_jacobian(f, z, eps=1e-6):
    """∂f_i/∂z_k by central differences, for a vector function f of a vector z."""
    J = np.zeros((f(z).size, z.size))
    for k in range(z.size):
        step = np.zeros_like(z)
        step[k] = eps
        J[:, k] = (f(z + step) - f(z - step)) / (2 * eps)
    return J


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
    # and autograd's reverse mode on the textbook formula agrees
    oracle = grad(lambda zz: anp.sum(textbook_softmax(zz) * g))(z)
    np.testing.assert_allclose(got, oracle, atol=1e-12)


# --- cross-entropy from logits -----------------------------------------------------------------

@PROPERTY
@given(logits_and_targets(moderate))
def test_cross_entropy_matches_the_textbook_formula(case):
    z, y = case
    assert cross_entropy(z, y) == pytest.approx(float(textbook_cross_entropy(z, y)), rel=1e-10, abs=1e-12)


@PROPERTY
@given(logits_and_targets(moderate))
def test_cross_entropy_gradient_matches_autograd(case):
    z, y = case
    oracle = grad(lambda zz: textbook_cross_entropy(zz, y))(z)
    np.testing.assert_allclose(cross_entropy_gradient(z, y), oracle, atol=1e-12)


@PROPERTY
@given(logits_and_targets(moderate))
def test_cross_entropy_gradient_matches_central_differences(case):
    z, y = case
    z = z.copy()
    numeric = numerical_gradient(lambda: cross_entropy(z, y), z, eps=1e-6)
    np.testing.assert_allclose(cross_entropy_gradient(z, y), numeric, atol=1e-7)


@PROPERTY
@given(logits_and_targets(moderate))
def test_cross_entropy_gradient_is_the_chain_rule_collapsed(case):
    """Jᵀ ∇_a L with ∇_a L = -y / (m ŷ) equals (ŷ - y) / m: the collapse, sample by sample."""
    z, y = case
    m = z.shape[1]
    p = softmax(z)
    for j in range(m):
        grad_a = -y[:, j] / (m * p[:, j])
        np.testing.assert_allclose(softmax_jacobian(z[:, j]).T @ grad_a,
                                   cross_entropy_gradient(z, y)[:, j], atol=1e-10)


@PROPERTY
@given(logits_and_targets(extreme))
def test_cross_entropy_batch_is_the_mean_of_its_samples(case):
    z, y = case
    per_sample = [cross_entropy(z[:, [j]], y[:, [j]]) for j in range(z.shape[1])]
    assert cross_entropy(z, y) == pytest.approx(np.mean(per_sample), rel=1e-12)


def test_cross_entropy_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"cross_entropy.*\(2, 1\).*\(3, 1\)"):
        cross_entropy(np.zeros((2, 1)), np.zeros((3, 1)))


# --- logits near ±1000: exact limits, no overflow, no warnings --------------------------------

def quietly(f, *args):
    """f(*args) with any floating-point overflow, 0/0 or warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return f(*args)


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


@pytest.mark.parametrize("z, y, loss, delta", [
    ([1000.0, -1000.0], [0.0, 1.0], 2000.0, [1.0, -1.0]),   # confidently wrong
    ([1000.0, -1000.0], [1.0, 0.0], 0.0, [0.0, 0.0]),       # confidently right
    ([-1000.0, -1000.0], [0.0, 1.0], math.log(2), [0.5, -0.5]),
])
def test_cross_entropy_at_extreme_logits_is_exact(z, y, loss, delta):
    z, y = np.array(z)[:, None], np.array(y)[:, None]
    assert quietly(cross_entropy, z, y) == pytest.approx(loss, rel=1e-15)
    np.testing.assert_allclose(quietly(cross_entropy_gradient, z, y)[:, 0], delta, rtol=1e-15)


@PROPERTY
@given(logits_and_targets(extreme))
def test_cross_entropy_is_finite_and_nonnegative_for_any_logits_up_to_1000(case):
    z, y = case
    loss = quietly(cross_entropy, z, y)
    assert math.isfinite(loss) and loss >= 0
    delta = quietly(cross_entropy_gradient, z, y)
    assert np.all(np.isfinite(delta))
    np.testing.assert_allclose(delta.sum(axis=0), 0.0, atol=1e-12)  # ŷ - y sums to 0


# --- ReLU ---------------------------------------------------------------------------------------

def test_relu_derivative_convention_at_zero():
    np.testing.assert_array_equal(relu_prime([-1.0, 0.0, 1e-300, 3.0]), [0.0, 0.0, 1.0, 1.0])


@PROPERTY
@given(arrays(float, st.integers(1, 6), elements=moderate.filter(lambda v: abs(v) > 1e-3)))
def test_relu_derivative_matches_central_differences_away_from_zero(z):
    numeric = (relu(z + 1e-6) - relu(z - 1e-6)) / 2e-6
    np.testing.assert_allclose(relu_prime(z), numeric, atol=1e-9)
