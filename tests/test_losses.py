"""The losses and their gradients: half squared error and cross-entropy from logits, checked by
independent routes (tests/oracles.py): central differences, HIPS ``autograd`` on the textbook
formula -Σ y log ŷ, and hand-derived limits for logits around ±1000."""
import math

import numpy as np
import pytest
from autograd import grad
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import (central_difference, extreme, logits_and_targets, moderate, quietly,
                     textbook_cross_entropy)

from backprop_helpers.activations import softmax, softmax_jacobian
from backprop_helpers.losses import (cross_entropy, cross_entropy_gradient, half_squared_error,
                                     half_squared_error_gradient)

PROPERTY = settings(max_examples=40, deadline=None)


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
    numeric = central_difference(lambda zz: cross_entropy(zz, y), z, eps=1e-6)
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


# --- natural and bad inputs ----------------------------------------------------------------------

@given(st.floats(-100, 100), st.floats(-100, 100))
def test_losses_of_one_number_are_the_textbook_formulas(a, y):
    assert half_squared_error(a, y) == pytest.approx(0.5 * (a - y) ** 2, rel=1e-12, abs=1e-300)
    np.testing.assert_allclose(half_squared_error_gradient(a, y), [[a - y]], rtol=1e-12)


def test_the_worked_half_squared_error_of_one_sample():
    assert half_squared_error(0.65, 1.0) == pytest.approx(0.06125)


@pytest.mark.parametrize("function", [half_squared_error, half_squared_error_gradient, cross_entropy,
                                      cross_entropy_gradient], ids=lambda f: f.__name__)
def test_losses_refuse_empty_batches_3d_arrays_none_and_complex(function):
    name = function.__name__.replace("_gradient", "")
    with pytest.raises(ValueError, match=f"{name}: no samples"):
        function(np.zeros((2, 0)), np.zeros((2, 0)))
    with pytest.raises(ValueError, match=f"{name}: .*shape \\(2, 2, 2\\)"):
        function(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))
    with pytest.raises(TypeError, match=f"{name}: the target y must be numeric .*, got None"):
        function(np.zeros((2, 1)), None)
    with pytest.raises(TypeError, match=f"{name}: the network output must be numeric .*, got complex"):
        function(np.array([[1.0 + 1j], [0.0]]), np.zeros((2, 1)))


@pytest.mark.parametrize("z, y", [([1e308, -1e308], [1.0, 0.0]), ([-np.inf, 0.0], [0.0, 1.0])])
def test_a_class_with_target_zero_adds_nothing_even_at_minus_infinity(z, y):
    with np.errstate(over="ignore"):
        assert cross_entropy(np.array(z), np.array(y)) == 0.0
