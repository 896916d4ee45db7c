"""Notebook 02's worked example, the [3, 2, 2, 1] sigmoid network: hand arithmetic, the
reference table of its 17 gradients, finite differences and the sum over paths."""
import numpy as np
import pytest

from backprop_helpers.examples import bp_walkthrough_example
from backprop_helpers.gradcheck import gradient_check_network
from backprop_helpers.network import paths_to_output


def test_walkthrough_forward_pass_matches_hand_arithmetic():
    net, x, y = bp_walkthrough_example()
    record = net.forward(x)
    # z_1^(1) = 0.1*1 + 0.2*0.5 + 0.3*(-1) + 0.1 = 0 and z_2^(1) = 0.4 + 0.25 - 0.6 + 0.2 = 0.25
    assert record.z[1].ravel() == pytest.approx([0.0, 0.25], abs=1e-15)
    assert record.a[1].ravel() == pytest.approx([0.5, 1 / (1 + np.exp(-0.25))])
    a1 = record.a[1].ravel()
    z2 = [0.7 * a1[0] + 0.8 * a1[1] + 0.1, 0.9 * a1[0] + 1.0 * a1[1] + 0.2]
    assert record.z[2].ravel() == pytest.approx(z2)
    assert round(record.output.item(), 4) == 0.6506
    assert round(net.loss(x, y), 4) == 0.0611
    assert net.loss(x, y) == pytest.approx(0.5 * (record.output.item() - 1.0) ** 2)


def test_walkthrough_backward_pass_by_hand_formulas():
    net, x, y = bp_walkthrough_example()
    record = net.forward(x)
    g = net.backward(record, y)
    a, z = record.a, record.z
    s = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    ds = lambda v: s(v) * (1 - s(v))     # noqa: E731
    delta3 = (a[3] - 1.0) * ds(z[3])                      # BP1 by hand
    delta2 = (net.W[3].T @ delta3) * ds(z[2])            # BP2
    delta1 = (net.W[2].T @ delta2) * ds(z[1])            # BP2
    assert g.delta[3] == pytest.approx(delta3)
    assert g.delta[2] == pytest.approx(delta2)
    assert g.delta[1] == pytest.approx(delta1)
    assert round(g.delta[3].item(), 4) == -0.0794
    assert g.dW[1][0, 0] == pytest.approx(-0.0021205891, abs=5e-11)
    assert g.db[1] == pytest.approx(delta1)                # BP3
    assert g.dW[2] == pytest.approx(delta2 @ a[1].T)      # BP4


# reference values: the 17 gradients of notebook 02's check table (8 decimals)
REFERENCE_TABLE = {
    "W^(1)": [[-0.00212059, -0.00106029, 0.00212059], [-0.00234656, -0.00117328, 0.00234656]],
    "b^(1)": [[-0.00212059], [-0.00234656]],
    "W^(2)": [[-0.00244888, -0.00275340], [-0.00280774, -0.00315689]],
    "b^(2)": [[-0.00489775], [-0.00561548]],
    "W^(3)": [[-0.05647055, -0.06121981]],
    "b^(3)": [[-0.07943570]],
}


def test_walkthrough_all_17_gradients_match_the_reference_table_and_finite_differences():
    net, x, y = bp_walkthrough_example()
    grads = net.gradients(x, y).by_name()
    assert sum(v.size for v in grads.values()) == 17
    for name, table in REFERENCE_TABLE.items():
        assert grads[name] == pytest.approx(np.array(table), abs=6e-9), name
    report = gradient_check_network(net, x, y)
    assert report.passed and report.max_relative_error < 1e-7
    assert len(report.rows) == 17


def test_path_sum_equals_backprop_for_w11():
    """dL/dw_{1,1}^(1) as a sum over the two paths to the output equals the BP result."""
    net, x, y = bp_walkthrough_example()
    record = net.forward(x)
    a, z = record.a, record.z
    ds = lambda v: (1 / (1 + np.exp(-v))) * (1 - 1 / (1 + np.exp(-v)))  # noqa: E731
    total = 0.0
    for (_, j2, _) in paths_to_output(net.sizes, 1, 0):
        total += (x[0, 0] * ds(z[1][0, 0]) * net.W[2][j2, 0] * ds(z[2][j2, 0])
                  * net.W[3][0, j2] * ds(z[3][0, 0]) * (a[3][0, 0] - y[0, 0]))
    assert total == pytest.approx(net.gradients(x, y).dW[1][0, 0], rel=1e-12)
