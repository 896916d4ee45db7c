"""The network diagram and the notebook-02 explorer's pure compute function."""
import matplotlib

matplotlib.use("Agg")

import io  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import PIL.Image  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from backprop_helpers.examples import bp_walkthrough_example  # noqa: E402
from backprop_helpers.gradcheck import numerical_gradient  # noqa: E402
from backprop_helpers.activations import sigmoid, sigmoid_prime  # noqa: E402
from backprop_helpers.plots import (TARGET_COLOUR, AnnotatedNetwork, network_diagram,  # noqa: E402
                                    plot_annotated_network, plot_sigmoid_operating_points)
from backprop_helpers.widgets import (NudgePlot, WalkthroughPlot, explore_nudge,  # noqa: E402
                                      explore_walkthrough, nudge_readout, parameter_label,
                                      walkthrough_parameters, walkthrough_state)


def test_network_diagram_draws_every_neuron_and_edge_and_the_highlights():
    paths = [[(0, 0), (1, 0), (2, 0), (3, 0)], [(0, 0), (1, 0), (2, 1), (3, 0)]]
    ax = network_diagram([3, 2, 2, 1], paths=paths, target_weight=(1, 0, 0))
    assert len(ax.patches) == 3 + 2 + 2 + 1
    grey = [line for line in ax.lines if line.get_color() == "0.6"]
    assert len(grey) == 3 * 2 + 2 * 2 + 2 * 1
    coloured = [line for line in ax.lines if line.get_color() not in ("0.6", TARGET_COLOUR)]
    assert len(coloured) == 2 * 3  # two paths of three edges
    assert sum(line.get_color() == TARGET_COLOUR for line in ax.lines) == 1
    texts = [t.get_text() for t in ax.texts]
    assert "$w_{1,1}^{(1)}$" in texts and "$a^{(3)}$" in texts and "$x_{3}$" in texts
    assert len(ax.get_legend().get_texts()) == 3
    plt.close(ax.figure)


def test_network_diagram_refuses_bad_requests():
    with pytest.raises(ValueError, match="no edge"):
        network_diagram([2, 2, 1], paths=[[(0, 0), (2, 0)]])
    with pytest.raises(ValueError, match=r"no weight W\[1\]\[2, 0\]"):
        network_diagram([2, 2, 1], target_weight=(1, 2, 0))
    with pytest.raises(ValueError, match="unreadable"):
        network_diagram([2, 20, 1])
    plt.close("all")


# --- notebook 02: the gradient explorer, the nudge explorer and their figures ------------------

def test_parameter_labels_name_all_17_parameters_in_order():
    labels = list(walkthrough_parameters())
    assert len(labels) == 17
    assert labels[:8] == ["w₁₁⁽¹⁾", "w₁₂⁽¹⁾", "w₁₃⁽¹⁾", "w₂₁⁽¹⁾", "w₂₂⁽¹⁾", "w₂₃⁽¹⁾", "b₁⁽¹⁾", "b₂⁽¹⁾"]
    assert labels[-3:] == ["w₁₁⁽³⁾", "w₁₂⁽³⁾", "b₁⁽³⁾"]
    assert walkthrough_parameters()["w₂₃⁽¹⁾"] == ("W", 1, (1, 2))
    with pytest.raises(ValueError, match="kind must be"):
        parameter_label("v", 1, 0, 0)


def test_walkthrough_state_at_the_example_weights():
    net, _, _ = bp_walkthrough_example()
    state = walkthrough_state(net.W[1])
    assert state.dL_dw11 == pytest.approx(-0.0021205891, abs=5e-11)
    lines = state.report().splitlines()
    assert lines[0] == "a⁽³⁾ = 0.6506 (target y = 1),   loss 𝓛 = 0.06105092"
    assert "∂𝓛/∂W⁽¹⁾ = [-0.00212059, -0.00106029, 0.00212059; -0.00234656, -0.00117328, 0.00234656]" in lines
    assert "∂𝓛/∂b⁽³⁾ = [-0.07943570]" in lines
    assert len(lines) == 1 + 2 * 3 and state.gradient_line(2, "b") in lines


@given(st.lists(st.floats(-2, 2), min_size=6, max_size=6))
def test_walkthrough_state_gradients_match_central_differences(values):
    W1 = np.array(values).reshape(2, 3)
    state = walkthrough_state(W1)
    net, x, y = bp_walkthrough_example()
    net.W[1] = W1.copy()
    assert state.loss == pytest.approx(net.loss(x, y))
    for l in (1, 2, 3):
        numeric = numerical_gradient(lambda: net.loss(x, y), net.W[l])
        assert np.allclose(state.gradients.dW[l], numeric, rtol=1e-6, atol=1e-11)
        numeric = numerical_gradient(lambda: net.loss(x, y), net.b[l])
        assert np.allclose(state.gradients.db[l], numeric, rtol=1e-6, atol=1e-11)


@pytest.mark.parametrize("bad, message", [
    (np.zeros((3, 2)), r"W1 must have shape \(2, 3\), got \(3, 2\)"),
    (np.full((2, 3), np.nan), "W1 must be finite"),
    (np.full((2, 3), 1j), "real numbers, got dtype complex"),
    (np.full((2, 3), "a"), "real numbers"),
    (np.ones((2, 3), dtype=bool), "real numbers, got dtype bool"),
])
def test_walkthrough_state_refuses_bad_weights(bad, message):
    with pytest.raises(ValueError, match=message):
        walkthrough_state(bad)


def test_nudge_readout_predicts_to_first_order():
    net, x, y = bp_walkthrough_example()
    for label, (kind, l, index) in walkthrough_parameters().items():
        errors = []
        for step in (0.2, 0.1, 0.05):
            r = nudge_readout(label, step)
            grads = net.gradients(x, y)
            assert r.gradient == ((grads.dW if kind == "W" else grads.db)[l][index])
            assert r.predicted == r.gradient * step
            probe = net.copy()
            (probe.W if kind == "W" else probe.b)[l][index] += step
            assert r.measured == pytest.approx(probe.loss(x, y) - net.loss(x, y), abs=1e-15)
            errors.append(abs(r.measured - r.predicted))
        # second order: halving the step divides the error of the prediction by about 4
        assert errors[2] < errors[1] < errors[0] and errors[1] / errors[2] == pytest.approx(4, rel=0.2)


def test_nudge_readout_is_pure_and_prints_what_it_computed():
    first = nudge_readout("w₁₁⁽³⁾", 0.5)
    again = nudge_readout("w₁₁⁽³⁾", 0.5)
    assert first.lines() == again.lines()
    assert bp_walkthrough_example().network.W[3][0, 0] == 0.3
    lines = first.lines()
    assert lines[0] == "nudge w₁₁⁽³⁾ from 0.30 by Δ = +0.50"
    assert lines[2] == f"predicted Δ𝓛 = gradient × Δ = {first.predicted:+.8f}"
    assert lines[4] == f"measured / predicted = {first.measured / first.predicted:.4f}"
    assert nudge_readout("b₁⁽¹⁾", 0.0).lines()[-1] == "predicted change is 0: move the nudge slider"
    curve = first.sweep_loss
    assert curve.shape == first.sweep.shape == (41,) and first.sweep[20] == pytest.approx(0.3)
    assert curve[20] == pytest.approx(first.loss)


@pytest.mark.parametrize("label, step, message", [
    ("w11", 0.1, "no parameter 'w11'"), ("w₁₁⁽¹⁾", float("nan"), "finite real number"),
    ("w₁₁⁽¹⁾", None, "finite real number"), ("w₁₁⁽¹⁾", True, "finite real number"),
    ("w₁₁⁽¹⁾", 1j, "finite real number"),
])
def test_nudge_readout_refuses_bad_input(label, step, message):
    with pytest.raises(ValueError, match=message):
        nudge_readout(label, step)


def _pixels(png):
    return np.asarray(PIL.Image.open(io.BytesIO(png)))


def test_walkthrough_plot_redraw_equals_a_fresh_drawing():
    net, _, _ = bp_walkthrough_example()
    plot = WalkthroughPlot(walkthrough_state(net.W[1]))
    before = plot.png()
    W1 = net.W[1].copy()
    W1[0, 0] = 1.5
    state = walkthrough_state(W1)
    plot.update(state)
    moved = plot.png()
    assert moved != before
    assert np.array_equal(_pixels(moved), _pixels(WalkthroughPlot(state).png()))
    texts = [t.get_text() for t in plot.diagram.ax.texts]
    assert f"δ = {state.gradients.delta[1][0, 0]:.8f}" in texts
    assert f"z = {state.record.z[1][0, 0]:.4f}\na = {state.record.a[1][0, 0]:.4f}" in texts


def test_nudge_plot_redraw_equals_a_fresh_drawing_also_after_a_new_parameter():
    plot = NudgePlot(nudge_readout("w₁₁⁽¹⁾", 0.1))
    for label, step in [("w₁₁⁽¹⁾", -0.4), ("b₁⁽³⁾", 0.3), ("b₁⁽³⁾", -1.0)]:
        readout = nudge_readout(label, step)
        plot.update(readout)
        assert np.array_equal(_pixels(plot.png()), _pixels(NudgePlot(readout).png()))
        assert plot.predicted.get_ydata()[0] == readout.loss + readout.predicted
        assert plot.measured.get_ydata()[0] == readout.loss + readout.measured


def test_annotated_network_writes_every_value_and_shades_by_delta():
    net, x, y = bp_walkthrough_example()
    record = net.forward(x)
    grads = net.backward(record, y)
    ax = plot_annotated_network(net, record, grads, y=y)
    texts = [t.get_text() for t in ax.texts]
    for l in (1, 2, 3):
        for j in range(net.sizes[l]):
            assert f"δ = {grads.delta[l][j, 0]:.8f}" in texts
            assert f"z = {record.z[l][j, 0]:.4f}\na = {record.a[l][j, 0]:.4f}" in texts
    assert "y = 1\nℒ = 0.0611" in texts and "a = -1.00" in texts and "x₃" in texts
    diagram = AnnotatedNetwork([2, 1])
    shades = [diagram.shade(d) for d in (1e-6, 1e-3, -0.1, 1.0)]
    darkness = [sum(colour[:3]) for colour in shades]
    assert darkness[0] > darkness[1] > darkness[2] > darkness[3]
    with pytest.raises(ValueError, match="1 to 6"):
        AnnotatedNetwork([2, 7, 1])
    plt.close("all")


def test_sigmoid_operating_points_mark_every_neuron_on_both_curves():
    net, x, _ = bp_walkthrough_example()
    z = net.forward(x).z
    left, right = plot_sigmoid_operating_points(z)
    for l in (1, 2, 3):
        points = [line for line in left.lines if line.get_linestyle() == "None"][l - 1]
        assert np.allclose(points.get_xdata(), z[l].ravel())
        assert np.allclose(points.get_ydata(), sigmoid(z[l]).ravel())
        points = [line for line in right.lines if line.get_linestyle() == "None"][l - 1]
        assert np.allclose(points.get_ydata(), sigmoid_prime(z[l]).ravel())
    legend = [t.get_text() for t in left.get_legend().get_texts()]
    assert legend[0] == "layer 1: z₁⁽¹⁾ = 0.00, z₂⁽¹⁾ = 0.25" and legend[2] == "layer 3: z⁽³⁾ = 0.62"
    markers = {line.get_marker() for line in left.lines if line.get_linestyle() == "None"}
    assert len(markers) == 3  # a marker per layer besides its colour
    plt.close("all")


def test_gradient_explorer_has_six_labelled_sliders_laid_out_like_W1():
    box = explore_walkthrough()
    grid = box.children[1]
    labels = [[s.description for s in row.children] for row in grid.children]
    assert labels == [["w₁₁⁽¹⁾", "w₁₂⁽¹⁾", "w₁₃⁽¹⁾"], ["w₂₁⁽¹⁾", "w₂₂⁽¹⁾", "w₂₃⁽¹⁾"]]
    assert [[s.value for s in row.children] for row in grid.children] == [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]
    first = dict(box.shown)
    assert first["printout"] == walkthrough_state(bp_walkthrough_example().network.W[1]).report()
    grid.children[1].children[2].value = -1.0  # a slider move reprints and redraws
    W1 = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, -1.0]])
    assert box.shown["printout"] == walkthrough_state(W1).report()
    assert box.shown["png"] != first["png"]
    plt.close("all")


def test_nudge_explorer_moves_with_its_slider_and_menu():
    box = explore_nudge()
    menu, slider = box.children[0].children
    assert (menu.description, slider.description) == ("parameter θ", "nudge Δθ")
    assert box.shown["printout"] == "\n".join(nudge_readout("w₁₁⁽¹⁾", 0.1).lines())
    first = box.shown["png"]
    slider.value = -0.5
    assert box.shown["printout"] == "\n".join(nudge_readout("w₁₁⁽¹⁾", -0.5).lines())
    menu.value = "b₁⁽³⁾"
    assert box.shown["printout"] == "\n".join(nudge_readout("b₁⁽³⁾", -0.5).lines())
    assert box.shown["png"] != first
    plt.close("all")
