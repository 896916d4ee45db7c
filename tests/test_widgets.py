"""The explorers of backprop_helpers.widgets: each pure compute function against independent
routes, and each view against what its pure function computes."""
import io
import math

import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import central_difference

from backprop_helpers import naive, widgets
from backprop_helpers.activations import softmax, softmax_jacobian
from backprop_helpers.examples import bp_walkthrough_example, naive_recursion_example
from backprop_helpers.losses import cross_entropy
from backprop_helpers.network import Network
from backprop_helpers.plots import simplex_point
from backprop_helpers.widgets import (LOGIT_LABELS, MARGIN_LABEL, NudgePlot, WalkthroughPlot,
                                      explore_margin, explore_nudge, explore_three_classes,
                                      explore_walkthrough, margin_readout, nudge_readout,
                                      parameter_label, three_class_readout, walkthrough_parameters,
                                      walkthrough_state)


# ---------------------------------------------------------------------------------------------
# Notebook 02: the gradient explorer and the nudge explorer
# ---------------------------------------------------------------------------------------------

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
        numeric = central_difference(lambda W: Network({**net.W, l: W}, net.b).loss(x, y), net.W[l], eps=1e-5)
        assert np.allclose(state.gradients.dW[l], numeric, rtol=1e-6, atol=1e-11)
        numeric = central_difference(lambda v: Network(net.W, {**net.b, l: v}).loss(x, y), net.b[l], eps=1e-5)
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


# ---------------------------------------------------------------------------------------------
# Notebook 01: stepping through the recursion, cache off and on
# ---------------------------------------------------------------------------------------------

def test_recursion_step_at_the_start_the_middle_and_the_end():
    first = widgets.recursion_step((2, 2, 2, 2, 1), widgets.FULL_GRADIENT, cached=False, step=1)
    assert first.total == 111 and first.stack == ((1, 0),) and first.lines()[0] == \
        "call 1 of 111 (cache off): evaluate delta_1^(1)"
    ninth = widgets.recursion_step((2, 2, 2, 2, 1), widgets.FULL_GRADIENT, cached=False, step=9)
    assert ninth.stack == ((1, 0), (2, 1), (3, 0), (4, 0))
    assert ninth.lines()[1] == "call stack: delta_1^(1) -> delta_2^(2) -> delta_1^(3) -> delta_1^(4)"
    assert ninth.evaluations[4, 0] == 3 and "delta_1^(4) x3" in ninth.report()
    last = widgets.recursion_step((2, 2, 2, 2, 1), widgets.FULL_GRADIENT, cached=False, step=111)
    assert last.evaluations == naive.naive_gradients(*naive_recursion_example()).calls
    end = widgets.recursion_step((2, 2, 2, 2, 1), widgets.FULL_GRADIENT, cached=True, step=31)
    assert end.total == 31 and end.look_ups == 24 and set(end.evaluations.values()) == {1}
    assert end.stored == frozenset(end.evaluations)
    assert "look-ups so far: 24" in end.report() and "no delta evaluated twice" in end.report()
    one = widgets.recursion_step((2, 2, 2, 2, 1), widgets.ONE_REQUEST, cached=True, step=9)
    assert one.total == 9 and one.look_ups == 3


def test_recursion_step_stores_a_delta_only_once_it_has_returned():
    sizes = (2, 2, 2, 2, 1)
    calls = naive.trace_calls(sizes, naive.parameter_requests(sizes), cached=True)
    for step in range(1, len(calls) + 1):
        state = widgets.recursion_step(sizes, widgets.FULL_GRADIENT, cached=True, step=step)
        on_stack = set(state.stack[:-1])
        assert not (on_stack & state.stored)              # a δ still being computed is not stored
        assert state.stored <= set(state.evaluations)
        assert state.look_ups == sum(c.looked_up for c in calls[:step])
    assert widgets.recursion_step(sizes, widgets.FULL_GRADIENT, cached=False, step=111).stored == frozenset()


@pytest.mark.parametrize("arguments, message", [
    (dict(step=0), "step must be a whole number from 1 to 111"),
    (dict(step=112), "from 1 to 111"),
    (dict(step=2.5), "whole number"),
    (dict(step=True), "whole number"),
    (dict(what="everything"), "what must be"),
    (dict(sizes=(2, 0, 1)), "width must be"),
    (dict(sizes=(1000, 1000, 1000)), "too many calls to step through"),
    (dict(sizes=(2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1)), "more than max_calls"),
])
def test_recursion_step_rejects_bad_settings(arguments, message):
    with pytest.raises(ValueError, match=message):
        widgets.recursion_step(**arguments)


def test_recursion_explorer_view_prints_what_the_pure_function_computes():
    import ipywidgets

    view = widgets.explore_recursion()
    controls = {w.description: w for w in view.children[0].children + view.children[1:3]}
    assert set(controls) == {"network", "asked for", "cache", "calls made"}
    slider = controls["calls made"]
    assert isinstance(slider, ipywidgets.IntSlider) and slider.max == 111
    output = next(w for w in view.children if isinstance(w, ipywidgets.Output))
    picture = next(w for w in view.children if isinstance(w, ipywidgets.Image))
    for step in (1, 9, 111):
        slider.value = step
        text = "".join(o["text"] for o in output.outputs)
        assert text == widgets.recursion_step((2, 2, 2, 2, 1), widgets.FULL_GRADIENT, False, step).report() + "\n"
        assert picture.value[:8] == b"\x89PNG\r\n\x1a\n"
    controls["cache"].value = "cache on"
    assert slider.value == 1 and slider.max == 31
    slider.value = 31
    assert "look-ups so far: 24" in "".join(o["text"] for o in output.outputs)
    controls["network"].value = "2-1-2-1-1 (a bottleneck)"
    assert slider.max == len(naive.trace_calls((2, 1, 2, 1, 1),
                                               naive.parameter_requests((2, 1, 2, 1, 1)), cached=True))
    controls["cache"].value = "cache off"
    assert slider.max == naive.naive_call_count([2, 1, 2, 1, 1])


# ---------------------------------------------------------------------------------------------
# Notebook 03: the margin explorer and the three-class explorer
# ---------------------------------------------------------------------------------------------

def test_margin_readout_of_the_example():
    r = margin_readout(2.24 - 1.7)
    assert r.probability == pytest.approx(0.63181242, abs=5e-9)
    assert r.cross_entropy == pytest.approx(0.45916274, abs=5e-9)
    assert r.cross_entropy_delta == pytest.approx(-0.36818758, abs=5e-9)
    assert r.lines() == ["margin m = +0.54: ŷ of the true class = σ(m) = 0.6318",
                         "softmax + cross-entropy: 𝓛 = 0.4592, ∂𝓛/∂m = -0.3682",
                         f"sigmoid + squared error: 𝓛 = {r.squared_error:.4f}, "
                         f"∂𝓛/∂m = {r.squared_error_delta:+.4f}",
                         f"cross-entropy's error signal is {1 / (0.63181242 * 0.36818758):.1f} "
                         f"times the squared error's"]


def test_margin_readout_says_when_the_squared_error_has_stopped_learning():
    lines = margin_readout(-1000).lines()
    assert lines[1] == "softmax + cross-entropy: 𝓛 = 1000.0000, ∂𝓛/∂m = -1.0000"
    assert lines[2] == "sigmoid + squared error: 𝓛 = 0.5000, ∂𝓛/∂m = +0.0000"
    assert "stopped learning" in lines[3]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "0.5", None, True, [0.5]])
def test_margin_readout_rejects_bad_margins_naming_the_argument(bad):
    with pytest.raises(ValueError, match="margin_readout: margin must be a finite number"):
        margin_readout(bad)


def test_explore_margin_has_one_slider_saying_what_it_moves():
    widget = explore_margin()
    sliders = [c for c in widget.children if hasattr(c, "step")]
    assert [s.description for s in sliders] == [MARGIN_LABEL] == ["margin z₂ − z₁"]
    assert sliders[0].value == 0.54 and (sliders[0].min, sliders[0].max) == (-10.0, 10.0)
    plt.close("all")


logit = st.floats(-1000, 1000, allow_nan=False)


@given(logit, logit, logit, st.sampled_from([1, 2, 3]))
def test_three_class_readout_agrees_with_the_package(z1, z2, z3, k):
    r = three_class_readout(z1, z2, z3, k)
    z, y = np.array([[z1], [z2], [z3]]), np.eye(3)[:, [k - 1]]
    np.testing.assert_allclose(r.probabilities, softmax(z)[:, 0], atol=1e-15)
    assert r.probabilities.sum() == pytest.approx(1.0, abs=1e-15)
    assert r.loss == pytest.approx(cross_entropy(z, y), rel=1e-12, abs=1e-300)
    np.testing.assert_allclose(r.delta, r.probabilities - y[:, 0], atol=0)
    np.testing.assert_allclose(r.jacobian, softmax_jacobian([z1, z2, z3]), atol=0)
    np.testing.assert_allclose(r.predicted_change, r.jacobian @ (-r.step * r.delta), atol=0)
    assert np.all(np.isfinite(r.new_probabilities)) and math.isfinite(r.new_loss)
    assert r.new_loss <= r.loss + 1e-12   # a gradient step of size 1 never raises this loss


def test_three_class_readout_first_order_prediction_holds_for_a_small_step():
    r = three_class_readout(1.0, 0.5, -0.5, 3, step=1e-4)
    actual = r.new_probabilities - r.probabilities
    assert np.max(np.abs(actual - r.predicted_change)) < 1e-7 < np.max(np.abs(actual))


def test_three_class_readout_lines():
    r = three_class_readout(1.0, 0.5, -0.5, 3)
    a = softmax(np.array([1.0, 0.5, -0.5]))
    assert r.lines()[0] == f"ŷ = softmax(z) = [{a[0]:.4f}, {a[1]:.4f}, {a[2]:.4f}]   (target: class 3)"
    assert r.lines()[1] == f"𝓛 = -log ŷ_3 = {-math.log(a[2]):.4f}"
    assert r.lines()[3].startswith(f"step z ← z - 1·δ: ŷ_3 {a[2]:.4f} → {r.new_probabilities[2]:.4f}")
    # confident and wrong: probabilities below 10⁻³ keep two significant digits, so the step shows
    wrong = three_class_readout(6.0, -6.0, -6.0, 3).lines()
    assert "ŷ_3 6.1e-06 → " in wrong[3] and "0.0000" not in wrong[3]


@pytest.mark.parametrize("args, message", [
    ((float("nan"), 0.0, 0.0), "z1 must be a finite number"),
    ((0.0, "1", 0.0), "z2 must be a finite number"),
    ((0.0, 0.0, float("inf")), "z3 must be a finite number"),
    ((0.0, 0.0, 0.0, 4), "true_class must be 1, 2 or 3"),
    ((0.0, 0.0, 0.0, True), "true_class must be 1, 2 or 3"),
    ((0.0, 0.0, 0.0, 1, float("nan")), "step must be a finite number"),
    ((1e308, -1e308, 0.0), "logits up to ±1e\\+150 only"),
])
def test_three_class_readout_rejects_bad_input_naming_it(args, message):
    with pytest.raises(ValueError, match=f"three_class_readout: {message}"):
        three_class_readout(*args)


def test_explore_three_classes_has_sliders_saying_what_they_move():
    widget = explore_three_classes()
    labelled = [c.description for c in widget.children if getattr(c, "description", "")]
    assert labelled == list(LOGIT_LABELS) + ["true class"]
    assert LOGIT_LABELS == ("z₁ (class 1)", "z₂ (class 2)", "z₃ (class 3)")
    plt.close("all")


def test_margin_view_moves_its_dots_to_what_the_readout_computes():
    view = widgets.nb03_softmax._MarginView(limit=10.0)
    for m in (0.54, -6.0):
        r = margin_readout(m)
        view.draw(r)
        (ce_loss, ce_error), (se_loss, se_error) = view.dots
        assert tuple(ce_loss.get_xydata()[0]) == (m, r.cross_entropy)
        assert tuple(ce_error.get_xydata()[0]) == (m, abs(r.cross_entropy_delta))
        assert tuple(se_loss.get_xydata()[0]) == (m, r.squared_error)
        assert tuple(se_error.get_xydata()[0]) == (m, abs(r.squared_error_delta))
        assert all(list(guide.get_xdata()) == [m, m] for guide in view.guides)


def test_three_class_view_shows_the_readouts_jacobian_and_point():
    view = widgets.nb03_softmax._ThreeClassView()
    for z, k in (((1.0, 0.5, -0.5), 3), ((6.0, -6.0, -6.0), 3), ((0.0, 0.0, 0.0), 1)):
        r = three_class_readout(*z, true_class=k)
        view.draw(r)
        assert [t.get_text() for t in view.right.texts] == [f"{v:.4f}" for v in r.jacobian.ravel()]
        np.testing.assert_array_equal(view.right.images[0].get_array(), r.jacobian)
        dot = [line for line in view.left.lines if line.get_marker() == "o"][0]
        np.testing.assert_allclose(dot.get_xydata()[0], simplex_point(r.probabilities))
        assert f"target: class {k}" in [t.get_text() for t in view.left.get_legend().get_texts()]


@given(st.lists(st.floats(-30, 30), min_size=2, max_size=6))
def test_no_softmax_jacobian_entry_passes_the_colour_bound(z):
    from backprop_helpers.activations import softmax_jacobian
    from backprop_helpers.plots import SOFTMAX_JACOBIAN_BOUND

    assert np.max(np.abs(softmax_jacobian(np.array(z)))) <= SOFTMAX_JACOBIAN_BOUND + 1e-15
    # reached: two equal logits far above the rest give a = (1/2, 1/2, 0, ...), a diagonal entry 1/4
    assert abs(softmax_jacobian(np.array([0.0, 0.0, -60.0]))[0, 0] - SOFTMAX_JACOBIAN_BOUND) < 1e-15


def test_three_class_view_keeps_its_colour_scale_so_saturation_shows_white():
    from backprop_helpers.plots import SOFTMAX_JACOBIAN_BOUND
    from backprop_helpers.widgets.nb03_softmax import _ThreeClassView

    view = _ThreeClassView()
    for logits in [(1.0, 0.5, -0.5), (6.0, -6.0, -6.0)]:
        r = three_class_readout(*logits, 1)
        view.draw(r)
        assert view.right.images[0].get_clim() == (-SOFTMAX_JACOBIAN_BOUND, SOFTMAX_JACOBIAN_BOUND)
    assert np.max(np.abs(r.jacobian)) < 0.01 * SOFTMAX_JACOBIAN_BOUND  # saturated: a nearly white map


def test_nudge_plot_keeps_both_markers_inside_the_axes_at_the_largest_nudge():
    for label, step in (("b₁⁽³⁾", 1.0), ("w₁₁⁽¹⁾", -1.0)):
        plot = NudgePlot(nudge_readout(label, step))
        (x0, x1), (y0, y1) = plot.ax.get_xlim(), plot.ax.get_ylim()
        for marker in (plot.measured, plot.predicted):
            (x,), (y,) = marker.get_data()
            assert x0 < x < x1 and y0 < y < y1, (label, marker.get_label())
            assert min(x - x0, x1 - x) > 0.04 * (x1 - x0)       # not half cut off at the edge
        plt.close("all")


# ---------------------------------------------------------------------------------------------
# Every explorer: sliders with a spoken name and a rounded readout, figures with a caption
# ---------------------------------------------------------------------------------------------

def test_parameter_description_says_what_each_label_names():
    for label, (kind, l, (j, k)) in walkthrough_parameters().items():
        words = widgets.parameter_description(kind, l, j, k)
        assert label == parameter_label(kind, l, j, k)
        if kind == "W":   # w_jk^(l) joins unit k of layer l-1 to neuron j of layer l
            source = f"input {k + 1}" if l == 1 else f"neuron {k + 1} of layer {l - 1}"
            assert words == f"weight of layer {l} from {source} to neuron {j + 1}"
        else:
            assert words == f"bias of neuron {j + 1} of layer {l}"
    assert widgets.parameter_description("W", 1, 1, 2) == "weight of layer 1 from input 3 to neuron 2"
    with pytest.raises(ValueError, match="kind must be"):
        widgets.parameter_description("w", 1, 0, 0)


SLIDER_NAMES = {
    "explore_recursion": ["calls made by the recursion so far"],
    "explore_walkthrough": [f"weight of layer 1 from input {k} to neuron {j}"
                            for j in (1, 2) for k in (1, 2, 3)],
    "explore_nudge": ["nudge added to the chosen parameter θ"],
    "explore_margin": ["margin, logit of class 2 minus logit of class 1"],
    "explore_three_classes": ["logit of class 1", "logit of class 2", "logit of class 3"],
    "explore_backward": ["steps of backward() taken so far"],
    "explore_unbroadcast": ["rows of operand a", "columns of operand a",
                            "rows of operand b, 0 for none", "columns of operand b, 0 for none"],
}


def _decimals(number):
    """Decimals of a slider step written out: 0.1 -> 1, 0.05 -> 2, 1 -> 0."""
    return len(f"{number:g}".partition(".")[2])


@pytest.mark.parametrize("name", SLIDER_NAMES)
def test_every_slider_has_a_spoken_name_and_shows_its_value_rounded(name):
    import ipywidgets

    box = getattr(widgets, name)()
    sliders = widgets.sliders_of(box)
    assert [s.tooltip for s in sliders] == SLIDER_NAMES[name]
    for slider in sliders:
        assert slider.description.strip() and not slider.continuous_update
        # every value the slider can reach, computed as noUiSlider does (min + i·step), shows
        # with the step's decimals: 0.6000000000000001 reads 0.6
        places = _decimals(slider.step)
        count = round((slider.max - slider.min) / slider.step) if slider.max > slider.min else 0
        for i in range(count + 1):
            value = slider.min + i * slider.step
            shown = format(value, slider.readout_format)
            assert len(shown.partition(".")[2]) == places, (slider.description, value, shown)
            assert abs(float(shown) - value) <= slider.step / 2
    if name == "explore_walkthrough":
        assert -2.0 + 26 * 0.1 != 0.6 and format(-2.0 + 26 * 0.1, sliders[0].readout_format) == "0.6"
    namer = box.children[-1]   # the script that hands each slider's name to the page
    assert isinstance(namer, ipywidgets.Output) and namer.layout.display == "none"
    assert [o["data"]["application/javascript"] for o in namer.outputs] == [widgets.NAME_SLIDERS_JS]
    plt.close("all")


def test_the_slider_script_names_handles_by_tooltip_and_speaks_the_readout():
    js = widgets.NAME_SLIDERS_JS
    assert "setAttribute('aria-label', name)" in js and "setAttribute('aria-valuetext', shown)" in js
    assert "title !== 'null'" in js   # ipywidgets writes title="null" when there is no tooltip
    assert "MutationObserver" in js   # again after every redraw (the browser test moves them)


def test_explorer_figures_come_with_their_caption_line(monkeypatch):
    from backprop_helpers.plots import style
    shown = []
    monkeypatch.setattr(style, "display", lambda data, raw, metadata: shown.append((data, metadata)))
    for make in (explore_walkthrough, explore_nudge, explore_margin, explore_three_classes):
        shown.clear()
        make()
        (image, metadata), (caption, _) = shown
        assert "image/png" in image
        assert caption == style.figure_caption(metadata["image/png"]["alt"])
    view = widgets.explore_recursion()
    caption = view.children[-2]
    assert caption.value == f"<p>{widgets.RECURSION_FIGURE_DESCRIPTION}</p>"
    assert view.children[-3].value[:8] == b"\x89PNG\r\n\x1a\n"   # the picture it describes
    plt.close("all")
