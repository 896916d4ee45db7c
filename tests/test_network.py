"""The network model and its BP1–BP4 backward pass, against finite differences and the HIPS
autograd package (notebook 02's worked example: test_notebook_02_walkthrough.py)."""
import re

import numpy as np
import pytest
from autograd import grad
from hypothesis import given
from hypothesis import strategies as st
from oracles import autograd_network_loss

from backprop_helpers.examples import bp_walkthrough_example
from backprop_helpers.gradcheck import gradient_check_network
from backprop_helpers.network import Network, paths_to_output


# ------------------------------------------------------------------------------------ paths
def test_paths_to_output_counts_products_of_widths():
    assert len(paths_to_output([3, 2, 2, 1], 1, 0)) == 2
    assert len(paths_to_output([2, 3, 4, 5, 1], 0, 1)) == 3 * 4 * 5
    with pytest.raises(ValueError, match="no neuron 2 in layer 1"):
        paths_to_output([3, 2, 1], 1, 2)


# --------------------------------------------------------------- against HIPS autograd
@st.composite
def networks_and_data(draw):
    L = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(1, 5), min_size=L + 1, max_size=L + 1))
    hidden = draw(st.lists(st.sampled_from(["sigmoid", "tanh", "relu", "identity"]),
                           min_size=L - 1, max_size=L - 1))
    softmax_out = sizes[-1] >= 2 and draw(st.booleans())
    output = "softmax" if softmax_out else draw(st.sampled_from(["sigmoid", "tanh", "identity"]))
    loss = "cross_entropy" if softmax_out else "half_squared_error"
    seed = draw(st.integers(0, 2**16))
    m = draw(st.integers(1, 4))
    rng = np.random.default_rng(seed)
    net = Network.random(sizes, hidden + [output], loss, seed=seed)
    x = rng.normal(size=(sizes[0], m))
    if softmax_out:
        y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], size=m)]
    else:
        y = rng.normal(size=(sizes[-1], m))
    return net, x, y


@given(networks_and_data())
def test_backward_equals_autograd_on_random_networks(case):
    net, x, y = case
    activations = [net.activations[l] for l in range(1, net.L + 1)]
    params = []
    for l in range(1, net.L + 1):
        params += [net.W[l], net.b[l]]
    expected = grad(lambda p: autograd_network_loss(p, activations, net.loss_name, x, y))(params)
    assert net.loss(x, y) == pytest.approx(
        autograd_network_loss(params, activations, net.loss_name, x, y), rel=1e-12, abs=1e-14)
    g = net.gradients(x, y)
    for l in range(1, net.L + 1):
        np.testing.assert_allclose(g.dW[l], expected[2 * l - 2], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(g.db[l], expected[2 * l - 1], rtol=1e-9, atol=1e-12)


@given(networks_and_data())
def test_backward_equals_central_differences_on_smooth_random_networks(case):
    net, x, y = case
    for l, name in net.activations.items():  # finite differences need smooth activations
        if name == "relu":
            net.activations[l] = "tanh"
    report = gradient_check_network(net, x, y, tolerance=1e-5)
    analytic = np.array([row.analytic for row in report.rows])
    numeric = np.array([row.numeric for row in report.rows])
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_batch_gradient_is_mean_of_single_sample_gradients():
    net = Network.random([3, 4, 2], ["tanh", "sigmoid"], seed=3)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(3, 5)), rng.normal(size=(2, 5))
    batch = net.gradients(x, y)
    singles = [net.gradients(x[:, [i]], y[:, [i]]) for i in range(5)]
    for l in (1, 2):
        np.testing.assert_allclose(batch.dW[l], np.mean([s.dW[l] for s in singles], axis=0))
        np.testing.assert_allclose(batch.db[l], np.mean([s.db[l] for s in singles], axis=0))
    assert net.loss(x, y) == pytest.approx(np.mean([net.loss(x[:, [i]], y[:, [i]]) for i in range(5)]))


def test_flat_input_is_one_column_and_copy_is_independent():
    net, x, y = bp_walkthrough_example()
    assert net.loss(x.ravel(), y.ravel()) == net.loss(x, y)
    other = net.copy()
    other.W[1][0, 0] = 5.0
    assert net.W[1][0, 0] == 0.1
    assert net.sizes == [3, 2, 2, 1]
    assert list(net.parameters()) == ["W^(1)", "b^(1)", "W^(2)", "b^(2)", "W^(3)", "b^(3)"]


def test_extreme_weights_stay_finite_and_silent():
    net = Network([[[1000.0]], [[-1000.0]]], [[0.0], [0.0]], "sigmoid")
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        g = net.gradients([[1.0]], [[0.5]])
    assert all(np.isfinite(v).all() for v in g.by_name().values())
    assert net.forward([[1.0]]).output.item() == 0.0


# --------------------------------------------------------------------------- bad input
def test_weight_of_wrong_shape_names_the_layer_and_shapes():
    with pytest.raises(ValueError, match=r"layer 2: W\^\(2\) has shape \(1, 3\).*layer 1 has 2 neurons"):
        Network([np.ones((2, 3)), np.ones((1, 3))], [np.ones(2), np.ones(1)])
    net, x, y = bp_walkthrough_example()
    net.W[2] = np.ones((2, 5))  # broken after construction: caught at the next forward pass
    with pytest.raises(ValueError, match=r"layer 2: W\^\(2\) has shape \(2, 5\)"):
        net.forward(x)


def test_bias_of_wrong_shape_names_the_layer():
    with pytest.raises(ValueError, match=r"layer 1: b\^\(1\) has shape \(3, 1\).*must be \(2, 1\)"):
        Network([np.ones((2, 3))], [np.ones(3)])


def test_input_with_wrong_number_of_rows_names_the_shapes():
    net, _, y = bp_walkthrough_example()
    with pytest.raises(ValueError, match=r"input x has shape \(2, 1\).*needs 3 rows"):
        net.forward([[1.0], [2.0]])
    with pytest.raises(ValueError, match=r"target y has shape \(2, 1\).*\(1, 1\)"):
        net.loss([[1.0], [0.5], [-1.0]], [[1.0], [0.0]])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_refused_with_where_they_are(bad):
    net, x, y = bp_walkthrough_example()
    x = x.copy()
    x[1, 0] = bad
    with pytest.raises(ValueError, match=r"input x has a non-finite value .* at index \(1, 0\)"):
        net.forward(x)
    with pytest.raises(ValueError, match=r"W\^\(2\) has a non-finite value"):
        Network([np.ones((2, 3)), [[1.0, bad]]], [np.ones(2), np.ones(1)])


def test_bad_configuration_messages():
    W, b = [np.ones((2, 3)), np.ones((2, 2))], [np.ones(2), np.ones(2)]
    with pytest.raises(ValueError, match="layer 2: unknown activation 'swish'"):
        Network(W, b, ["relu", "swish"])
    with pytest.raises(ValueError, match="layer 1: softmax is only supported on the output layer 2"):
        Network(W, b, ["softmax", "relu"])
    with pytest.raises(ValueError, match="cross_entropy .* output layer 2 uses 'sigmoid'"):
        Network(W, b, "sigmoid", loss="cross_entropy")
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        Network(W, b, loss="hinge")
    with pytest.raises(ValueError, match="input x must be numeric"):
        Network(W, b).forward([["a"], ["b"], ["c"]])
    with pytest.raises(ValueError, match="sizes must list the widths .* of at least two layers"):
        Network.random([3])


@pytest.mark.parametrize("sizes, words", [
    ([2.0, 3.0], "layer 0: width must be an integer, got 2.0"),
    ([2, 2.0], "layer 1: width must be an integer, got 2.0"),
    ([2, float("nan")], "layer 1: width must be an integer, got nan"),
    ([2, None], "layer 1: width must be an integer, got None"),
    ([2, 0], "layer 1: width must be >= 1, got 0"),
    (None, "sizes must list the widths"),
])
def test_random_network_sizes_are_validated_before_numpy_sees_them(sizes, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        Network.random(sizes)


@pytest.mark.parametrize("make, words, error", [
    (lambda net, x, y: Network(None, None), "W must be a list with one entry per layer", ValueError),
    (lambda net, x, y: Network(net.W, net.b, activations=None), "activations must be a list", ValueError),
    (lambda net, x, y: net.forward(None), "input x is None", ValueError),
    (lambda net, x, y: net.loss(x, None), "target y is None", ValueError),
    (lambda net, x, y: net.forward(x + 1j), "input x must be numeric: .*complex", ValueError),
    (lambda net, x, y: Network([w + 0j for w in net.W.values()], list(net.b.values())),
     "W\\^\\(1\\) must be numeric: .*complex", ValueError),
    (lambda net, x, y: net.loss(np.zeros((3, 0)), np.zeros((1, 0))), "no samples", ValueError),
    (lambda net, x, y: net.backward(Network.random([3, 4, 1]).forward(x), y),
     "backward: the record has layers \\[1, 2\\], but this network has layers 1..3", ValueError),
    (lambda net, x, y: net.backward(Network.random([3, 5, 2, 1]).forward(x), y),
     "backward: layer 1 of the record has z of shape \\(5, 1\\), but W\\^\\(1\\) is \\(2, 3\\)", ValueError),
    (lambda net, x, y: net.backward({"z": {}}, y), "record must be the ForwardPass", ValueError),
])
def test_bad_arguments_get_an_error_naming_the_argument(make, words, error):
    net, x, y = bp_walkthrough_example()
    with pytest.raises(error, match=words):
        make(net, x, y)


@pytest.mark.parametrize("seed", ["x", 1.5, -1, True])
def test_random_network_seed_is_validated(seed):
    with pytest.raises(ValueError, match=re.escape(f"Network.random: seed must be a whole number >= 0 (or None), got {seed!r}")):
        Network.random([2, 1], seed=seed)
