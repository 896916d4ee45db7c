"""Notebook 02's worked example, the [3, 2, 2, 1] sigmoid network: hand arithmetic, the
reference table of its 17 gradients, finite differences and the sum over paths; and the
notebook's other claims, each checked by an independent route: the gradient-descent step,
the sweep along w₁₁⁽¹⁾, the fading of δ, the path count, the deep network's signal ratio."""
import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from backprop_helpers.activations import sigmoid_prime
from backprop_helpers.examples import bp_walkthrough_example
from backprop_helpers.gradcheck import gradient_check_network
from backprop_helpers.network import Network, paths_to_output


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


def _stepped_loss(eta):
    net, x, y = bp_walkthrough_example()
    grads = net.gradients(x, y)
    for l in range(1, net.L + 1):
        net.W[l] -= eta * grads.dW[l]
        net.b[l] -= eta * grads.db[l]
    return net.loss(x, y)


def test_gradient_descent_step_lowers_the_loss_as_predicted_to_first_order():
    net, x, y = bp_walkthrough_example()
    loss = net.loss(x, y)
    norm2 = sum(float(np.sum(g ** 2)) for g in net.gradients(x, y).by_name().values())
    assert round(norm2, 6) == 0.013366
    assert round(_stepped_loss(1.0), 4) == 0.0487
    errors = [abs(_stepped_loss(eta) - loss + eta * norm2) for eta in (2.0, 1.0, 0.5, 0.25, 0.125)]
    ratios = [errors[i] / errors[i + 1] for i in range(4)]
    assert [round(r, 1) for r in ratios] == [3.9, 4.0, 4.0, 4.0]   # second order: ×4 per halving
    # the same first-order prediction from HIPS autograd's gradient of a loss written anew
    def loss_of(params):
        a = x
        for W, b in zip(params[::2], params[1::2]):
            a = 1 / (1 + anp.exp(-(anp.dot(W, a) + b)))
        return 0.5 * anp.sum((a - y) ** 2)
    params = [p for l in (1, 2, 3) for p in (net.W[l], net.b[l])]
    assert sum(float(np.sum(g ** 2)) for g in grad(loss_of)(params)) == pytest.approx(norm2, rel=1e-12)


def test_sweep_along_w11_peaks_left_of_the_sigma_prime_peak_and_fades_far_out():
    net, x, y = bp_walkthrough_example()
    sweep = np.linspace(-8, 8, 1601)
    slopes, losses = [], []
    for w in sweep:
        net.W[1][0, 0] = w
        slopes.append(net.gradients(x, y).dW[1][0, 0])
        losses.append(net.loss(x, y))
    slopes = np.array(slopes)
    steepest = slopes.min()
    assert np.all(slopes < 0) and sweep[np.argmin(slopes)] == pytest.approx(-0.15, abs=0.006)
    at = lambda w: slopes[np.argmin(np.abs(sweep - w))] / steepest  # noqa: E731
    assert round(at(-2.0), 2) == 0.46 and round(at(2.0), 2) == 0.36
    assert max(at(-8.0), at(8.0)) < 0.002
    assert (round(max(losses), 4), round(min(losses), 4)) == (0.0658, 0.0573)
    assert sigmoid_prime(7.9) == pytest.approx(4e-4, rel=0.1)


def test_the_error_signal_fades_14_to_16_times_from_layer_3_to_layer_2():
    net, x, y = bp_walkthrough_example()
    delta = net.gradients(x, y).delta
    fade = (delta[3] / delta[2]).ravel()
    assert [round(f, 1) for f in fade] == [16.2, 14.1]


def test_first_layer_weight_reaches_the_output_along_n_to_the_d_minus_1_paths():
    for n, d in [(2, 2), (3, 2), (2, 3), (3, 3)]:
        sizes = [4] + [n] * d + [1]
        assert len(paths_to_output(sizes, 1, 0)) == n ** (d - 1)


def test_deep_random_sigmoid_network_signal_ratio_printed_by_the_notebook():
    deep = Network.random([8] * 10 + [1], "sigmoid", seed=1)
    delta = deep.gradients(np.random.default_rng(0).normal(size=(8, 1)), [[1.0]]).delta
    ratio = np.linalg.norm(delta[1]) / np.linalg.norm(delta[deep.L])
    assert f"{ratio:.1e}" == "4.7e-06"
