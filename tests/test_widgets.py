"""The explorers of backprop_helpers.widgets: each pure compute function against independent
routes, and each view against what its pure function computes."""
import io
import math
import re

import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import central_difference, recurrence_counts

from backprop_helpers import naive, widgets
from backprop_helpers.examples import bp_walkthrough_example
from backprop_helpers.network import Network
from backprop_helpers.widgets import (NudgePlot, WalkthroughPlot, explore_logits, explore_nudge,
                                      explore_walkthrough, logits_readout, nudge_readout,
                                      parameter_label, walkthrough_parameters, walkthrough_state)


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
# Notebook 01: the call-count explorer
# ---------------------------------------------------------------------------------------------

def test_explorer_counts_for_the_notebook_01_architecture_are_measured():
    summary = widgets.naive_vs_cached_counts(4, 2)
    assert (summary.naive_calls, summary.cached_calls, summary.used_closed_form) == (111, 7, False)
    assert "naive calls = 111\ncached calls = 7\n" in summary.report()
    assert summary.growth.depths == list(range(1, widgets.EXPLORER_MAX_DEPTH + 1))


def test_explorer_never_runs_the_recursion_past_the_safe_size(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the naive recursion ran on a network past the safe size")

    big = naive.architecture(widgets.EXPLORER_MAX_DEPTH, widgets.EXPLORER_MAX_WIDTH)
    monkeypatch.setattr(naive, "measured_call_counts",
                        lambda sizes: refuse() if naive.naive_call_count(sizes) > naive.MAX_MEASURED_CALLS
                        else (naive.naive_call_count(sizes), naive.cached_call_count(sizes)))
    summary = widgets.naive_vs_cached_counts(widgets.EXPLORER_MAX_DEPTH, widgets.EXPLORER_MAX_WIDTH)
    assert summary.used_closed_form
    assert summary.naive_calls == naive.naive_call_count(big) == recurrence_total(big)
    assert summary.cached_calls == sum(big[1:])
    assert "from the closed form" in summary.report()


def recurrence_total(sizes):
    return sum(sizes[l] * c for l, c in recurrence_counts(sizes).items())


@settings(max_examples=12, deadline=None)
@given(depth=st.integers(1, widgets.EXPLORER_MAX_DEPTH), width=st.integers(1, widgets.EXPLORER_MAX_WIDTH))
def test_explorer_counts_equal_the_hand_recurrence(depth, width):
    summary = widgets.naive_vs_cached_counts(depth, width)
    sizes = naive.architecture(depth, width)
    assert summary.naive_calls == recurrence_total(sizes)
    assert summary.cached_calls == sum(sizes[1:])
    assert summary.used_closed_form == (recurrence_total(sizes) > naive.MAX_MEASURED_CALLS)


def test_explorer_view_prints_what_the_pure_function_computes():
    import ipywidgets

    view = widgets.explore_call_counts()
    sliders = {w.description: w for w in view.children[0].children}
    assert set(sliders) == {"depth", "width"}
    assert all(isinstance(s, ipywidgets.IntSlider) for s in sliders.values())
    output = next(w for w in view.children if isinstance(w, ipywidgets.Output))
    chart = next(w for w in view.children if isinstance(w, ipywidgets.Image))
    for depth, width in ((4, 2), (9, 3), (12, 6), (1, 1)):
        sliders["depth"].value, sliders["width"].value = depth, width
        text = "".join(o["text"] for o in output.outputs)
        expected = widgets.naive_vs_cached_counts(depth, width)
        assert re.search(r"^naive calls = (\d+)$", text, re.M).group(1) == str(expected.naive_calls)
        assert re.search(r"^cached calls = (\d+)$", text, re.M).group(1) == str(expected.cached_calls)
        assert text == expected.report() + "\n"
        assert chart.value[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------------------------
# Notebook 03: the logits explorer
# ---------------------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.floats(-1000, 1000), st.floats(-1000, 1000), st.sampled_from([(0.0, 1.0), (1.0, 0.0)]))
def test_logits_readout_against_a_two_class_hand_formula(z1, z2, y):
    r = logits_readout(z1, z2, y)
    # two classes: ŷ_1 = 1 / (1 + e^(z2 - z1)), L = log(1 + e^(z_other - z_true))
    d = z2 - z1
    p1 = 1.0 / (1.0 + math.exp(d)) if d < 700 else 0.0
    np.testing.assert_allclose(r.probabilities, [p1, 1.0 - p1], atol=1e-15)
    margin = d if y == (1.0, 0.0) else -d
    loss = margin + math.log1p(math.exp(-margin)) if margin > 0 else math.log1p(math.exp(margin))
    assert r.loss == pytest.approx(loss, rel=1e-9, abs=1e-15)
    np.testing.assert_allclose(r.delta, r.probabilities - np.array(y), atol=0)
    loss_line, delta_line = r.lines()
    assert loss_line == f"loss = {r.loss:.8f}"
    assert delta_line == f"delta = [{r.delta[0]:.8f}, {r.delta[1]:.8f}]"


def test_logits_readout_rejects_non_finite_logits():
    with pytest.raises(ValueError, match="logits_readout.*z1=nan"):
        logits_readout(float("nan"), 1.0)


def test_explore_logits_has_two_sliders_named_z1_and_z2():
    widget = explore_logits()
    sliders = [c for c in widget.children if hasattr(c, "description") and c.description]
    assert [s.description for s in sliders] == ["z1", "z2"]
    assert [s.value for s in sliders] == [1.7, 2.24]
    plt.close("all")
