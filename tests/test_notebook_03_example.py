"""Notebook 03's example network: its reference values.

The reference values were computed by an earlier numpy forward and backward pass of this
network, printed to 8 decimals, or hand formulas written here with the math module.
"""
import math

import numpy as np
import pytest

from backprop_helpers.activations import softmax_jacobian
from backprop_helpers.examples import softmax_relu_example
from backprop_helpers.gradcheck import gradient_check_network

REFERENCE_Y_HAT = [0.36818758, 0.63181242]
REFERENCE_DW2 = [[0.11045627, 0.22091255, 0.33136882], [-0.11045627, -0.22091255, -0.33136882]]
REFERENCE_DB2 = [0.36818758, -0.36818758]
REFERENCE_DW1 = [[-0.11045627, -0.05522814]] * 3
REFERENCE_DB1 = [-0.11045627] * 3
PRINTED = dict(atol=5e-9, rtol=0)  # the reference values have 8 decimals


@pytest.fixture
def example():
    return softmax_relu_example()


def hand_forward():
    """z^1, a^1, z^2 and ŷ of the example, scalar by scalar with the math module."""
    W1 = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    W2 = [[0.7, 0.8, 0.9], [1.0, 1.1, 1.2]]
    x = [1.0, 0.5]
    z1 = [W1[j][0] * x[0] + W1[j][1] * x[1] + 0.1 for j in range(3)]
    a1 = [max(0.0, v) for v in z1]
    z2 = [sum(W2[i][k] * a1[k] for k in range(3)) + 0.2 for i in range(2)]
    e = [math.exp(v) for v in z2]
    return z1, a1, z2, [v / sum(e) for v in e]


def test_forward_pass_matches_the_reference_values_and_a_hand_computation(example):
    net, x, y = example
    record = net.forward(x)
    z1, a1, z2, y_hat = hand_forward()
    np.testing.assert_allclose(record.z[1][:, 0], z1, rtol=1e-14)
    np.testing.assert_allclose(record.a[1][:, 0], a1, rtol=1e-14)
    np.testing.assert_allclose(record.z[2][:, 0], z2, rtol=1e-14)
    np.testing.assert_allclose(record.output[:, 0], y_hat, rtol=1e-14)
    np.testing.assert_allclose(record.output[:, 0], REFERENCE_Y_HAT, **PRINTED)


def test_loss_is_minus_log_of_the_true_class_probability(example):
    net, x, y = example
    y_hat = hand_forward()[3]
    assert net.loss(x, y) == pytest.approx(-math.log(y_hat[1]), rel=1e-14)
    # two classes: L = log(1 + e^(z1 - z2)) with z^2 = [1.7, 2.24]
    assert net.loss(x, y) == pytest.approx(math.log1p(math.exp(1.7 - 2.24)), rel=1e-14)


def test_backward_pass_matches_the_reference_values(example):
    net, x, y = example
    g = net.gradients(x, y)
    np.testing.assert_allclose(g.dW[2], REFERENCE_DW2, **PRINTED)
    np.testing.assert_allclose(g.db[2][:, 0], REFERENCE_DB2, **PRINTED)
    np.testing.assert_allclose(g.dW[1], REFERENCE_DW1, **PRINTED)
    np.testing.assert_allclose(g.db[1][:, 0], REFERENCE_DB1, **PRINTED)


def test_backward_pass_matches_the_hand_formulas_at_full_precision(example):
    net, x, y = example
    g = net.gradients(x, y)
    z1, a1, z2, y_hat = hand_forward()
    delta2 = [y_hat[0] - 0.0, y_hat[1] - 1.0]
    W2 = [[0.7, 0.8, 0.9], [1.0, 1.1, 1.2]]
    delta1 = [(W2[0][j] * delta2[0] + W2[1][j] * delta2[1]) * (1.0 if z1[j] > 0 else 0.0)
              for j in range(3)]
    np.testing.assert_allclose(g.dW[2], [[d * a for a in a1] for d in delta2], rtol=1e-12)
    np.testing.assert_allclose(g.dW[1], [[d * xi for xi in (1.0, 0.5)] for d in delta1], rtol=1e-12)
    # every row of dJ/dW^1 is the same because W2[0][j] - W2[1][j] = -0.3 for every j
    np.testing.assert_allclose(delta1, [-0.3 * y_hat[0]] * 3, rtol=1e-12)


def test_a_check_against_values_cut_to_4_decimals_fails_only_through_the_cut(example):
    """Hand values cut (not rounded) to 4 decimals, compared at atol 1e-4, fail only by the cut."""
    net, x, y = example
    g = net.gradients(x, y)
    cut_dW2 = [[0.1104, 0.2208, 0.3312], [-0.1104, -0.2208, -0.3312]]
    assert not np.allclose(g.dW[2], cut_dW2, atol=1e-4)
    assert not np.allclose(g.db[2], [[0.368], [-0.368]], atol=1e-4)
    # rounded (not cut) to 4 decimals, the same numbers agree within half a unit of the 4th
    assert np.allclose(g.dW[2], np.round(REFERENCE_DW2, 4), atol=5e-5, rtol=0)


def test_softmax_jacobian_of_the_example_collapses_to_y_hat_minus_y(example):
    net, x, y = example
    record = net.forward(x)
    y_hat = record.output[:, 0]
    J = softmax_jacobian(record.z[2])
    s = y_hat[0] * y_hat[1]
    np.testing.assert_allclose(J, [[s, -s], [-s, s]], rtol=1e-14)
    grad_a = -y[:, 0] / y_hat  # ∂L/∂ŷ of L = -Σ y log ŷ
    np.testing.assert_allclose(J.T @ grad_a, y_hat - y[:, 0], rtol=1e-14)
    np.testing.assert_allclose(net.backward(record, y).delta[2][:, 0], y_hat - y[:, 0], rtol=1e-14)


def test_gradient_check_over_all_parameters(example):
    report = gradient_check_network(*example)
    assert len(report.rows) == 6 + 3 + 6 + 2
    assert report.passed and report.max_relative_error < 1e-7


def test_a_dead_unit_passes_no_gradient(example):
    net, x, y = example
    net = net.copy()
    net.b[1][2, 0] = -2.0  # z^1_3 = 0.5 + 0.3 + 0.1 - 2 < 0
    g = net.gradients(x, y)
    assert net.forward(x).z[1][2, 0] < 0
    assert g.delta[1][2, 0] == 0 and np.all(g.dW[1][2] == 0) and g.db[1][2, 0] == 0
    assert np.all(g.dW[2][:, 2] == 0)  # its outgoing weights see a^1_3 = 0 as well
    assert gradient_check_network(net, x, y).passed


def test_relu_at_exactly_zero_uses_the_left_derivative(example):
    net, x, y = example
    net = net.copy()
    net.b[1][0, 0] = -0.2  # z^1_1 = 0.1 + 0.1 - 0.2 = 0 exactly
    assert net.forward(x).z[1][0, 0] == 0.0
    g = net.gradients(x, y)
    assert g.db[1][0, 0] == 0.0
    eps = 1e-6
    base = net.loss(x, y)
    net.b[1][0, 0] = -0.2 - eps
    left = (base - net.loss(x, y)) / eps
    net.b[1][0, 0] = -0.2 + eps
    right = (net.loss(x, y) - base) / eps
    assert abs(left) < 1e-12 and right < -0.01  # a kink: the two one-sided slopes differ


def test_batch_gradients_are_the_mean_of_the_sample_gradients(example):
    net, _, _ = example
    X = np.array([[1.0, -0.5, 2.0, 0.3], [0.5, 1.5, -1.0, -0.8]])
    Y = np.array([[0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0]])
    batch = net.gradients(X, Y)
    singles = [net.gradients(X[:, [j]], Y[:, [j]]) for j in range(4)]
    for l in (1, 2):
        np.testing.assert_allclose(batch.dW[l], np.mean([s.dW[l] for s in singles], axis=0), rtol=1e-12)
        np.testing.assert_allclose(batch.db[l], np.mean([s.db[l] for s in singles], axis=0), rtol=1e-12)
    assert net.loss(X, Y) == pytest.approx(np.mean([net.loss(X[:, [j]], Y[:, [j]]) for j in range(4)]))
    assert gradient_check_network(net, X, Y).max_relative_error < 1e-7


# --- the stored notebook -------------------------------------------------------------------------

def test_notebook_stores_no_warnings_or_errors():
    """The naive ±1000 formulas run under np.errstate: no RuntimeWarning reaches the page."""
    import json
    from pathlib import Path
    notebook = json.loads((Path(__file__).parent.parent / "notebooks" / "03_softmax_relu.ipynb")
                          .read_text(encoding="utf-8"))
    outputs = [o for cell in notebook["cells"] for o in cell.get("outputs", [])]
    assert outputs, "the notebook has no stored outputs"
    assert not [o for o in outputs if o.get("name") == "stderr" or o["output_type"] == "error"]
    stdout = "".join("".join(o.get("text", "")) for o in outputs)
    assert "Warning" not in stdout and "𝓛 = 0.45916274" in stdout
