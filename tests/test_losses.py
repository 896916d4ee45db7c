"""The losses and their gradients: half squared error and cross-entropy from logits, checked by
independent routes (tests/oracles.py): central differences, HIPS ``autograd`` on the textbook
formula -Σ y log ŷ, and hand-derived limits for logits around ±1000."""
import math

import numpy as np
import pytest
from autograd import grad
from hypothesis import given, settings
from oracles import (central_difference, extreme, logits_and_targets, moderate, quietly,
                     textbook_cross_entropy)

from backprop_helpers.activations import softmax, softmax_jacobian
from backprop_helpers.losses import cross_entropy, cross_entropy_gradient

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
