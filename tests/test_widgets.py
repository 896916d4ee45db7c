"""The explorers of backprop_helpers.widgets: each pure compute function against independent
routes, and each view against what its pure function computes."""
import math
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import central_difference, recurrence_counts

from backprop_helpers import naive, widgets
from backprop_helpers.activations import softmax, softmax_jacobian
from backprop_helpers.examples import bp_walkthrough_example
from backprop_helpers.losses import cross_entropy
from backprop_helpers.network import Network
from backprop_helpers.plots import simplex_point
from backprop_helpers.widgets import (LOGIT_LABELS, MARGIN_LABEL, WalkthroughPlot, explore_margin,
                                      explore_three_classes, explore_walkthrough, margin_readout,
                                      three_class_readout, walkthrough_state)


# ---------------------------------------------------------------------------------------------
# Notebook 02: the walkthrough explorer
# ---------------------------------------------------------------------------------------------

def test_walkthrough_state_at_the_example_weights():
    net, _, _ = bp_walkthrough_example()
    state = walkthrough_state(net.W[1])
    assert state.dL_dw11 == pytest.approx(-0.0021205891, abs=5e-11)
    assert round(state.loss, 4) == 0.0611
    assert "dL/dw11 = -0.00212059" in state.report().splitlines()
    assert "loss L = 0.06105092" in state.report().splitlines()


@given(st.lists(st.floats(-2, 2), min_size=6, max_size=6))
def test_walkthrough_state_gradient_is_the_slope_of_its_loss(values):
    W1 = np.array(values).reshape(2, 3)
    state = walkthrough_state(W1)
    net, x, y = bp_walkthrough_example()
    net.W[1] = W1.copy()
    numeric = central_difference(lambda W: Network({**net.W, 1: W}, net.b).loss(x, y), net.W[1],
                                 eps=1e-5)
    assert state.dL_dw11 == pytest.approx(numeric[0, 0], rel=1e-6, abs=1e-11)
    assert state.loss == pytest.approx(net.loss(x, y))
    i = int(np.argmin(np.abs(state.sweep_w11 - 0.5)))
    net.W[1][0, 0] = state.sweep_w11[i]
    assert state.sweep_loss[i] == pytest.approx(net.loss(x, y))


def test_walkthrough_state_refuses_a_wrong_shape():
    with pytest.raises(ValueError, match=r"W1 must have shape \(2, 3\), got \(3, 2\)"):
        walkthrough_state(np.zeros((3, 2)))


def test_walkthrough_plot_moves_with_the_state():
    net, _, _ = bp_walkthrough_example()
    plot = WalkthroughPlot(walkthrough_state(net.W[1]))
    before = plot.png()
    W1 = net.W[1].copy()
    W1[0, 0] = 1.5
    state = walkthrough_state(W1)
    plot.update(state)
    assert plot.point.get_xdata()[0] == 1.5 and plot.point.get_ydata()[0] == state.loss
    assert plot.bars[0].get_height() == pytest.approx(np.linalg.norm(state.gradients.delta[1]))
    assert plot.png() != before
    plt.close(plot.figure)


def test_explorer_has_six_sliders_laid_out_like_W1():
    box = explore_walkthrough()
    grid = box.children[1]
    labels = [[s.description for s in row.children] for row in grid.children]
    assert labels == [["w11", "w12", "w13"], ["w21", "w22", "w23"]]
    assert [[s.value for s in row.children] for row in grid.children] == [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]
    image = box.children[3]
    first = image.value
    grid.children[0].children[0].value = 1.0  # a slider move redraws the figure
    assert image.value != first
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
# Notebook 03: the margin explorer and the three-class explorer
# ---------------------------------------------------------------------------------------------

def test_margin_readout_of_the_example():
    r = margin_readout(2.24 - 1.7)
    assert r.probability == pytest.approx(0.63181242, abs=5e-9)
    assert r.cross_entropy == pytest.approx(0.45916274, abs=5e-9)
    assert r.cross_entropy_delta == pytest.approx(-0.36818758, abs=5e-9)
    assert r.lines() == ["margin m = +0.54: ŷ of the true class = σ(m) = 0.6318",
                         "softmax + cross-entropy: loss = 0.4592, ∂𝓛/∂m = -0.3682",
                         f"sigmoid + squared error: loss = {r.squared_error:.4f}, "
                         f"∂𝓛/∂m = {r.squared_error_delta:+.4f}",
                         f"cross-entropy's error signal is {1 / (0.63181242 * 0.36818758):.1f} "
                         f"times the squared error's"]


def test_margin_readout_says_when_the_squared_error_has_stopped_learning():
    lines = margin_readout(-1000).lines()
    assert lines[1] == "softmax + cross-entropy: loss = 1000.0000, ∂𝓛/∂m = -1.0000"
    assert lines[2] == "sigmoid + squared error: loss = 0.5000, ∂𝓛/∂m = +0.0000"
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
    assert r.lines()[1] == f"loss = -log ŷ_3 = {-math.log(a[2]):.4f}"
    assert r.lines()[3].startswith(f"step z ← z - 1·δ: ŷ_3 {a[2]:.4f} → {r.new_probabilities[2]:.4f}")


@pytest.mark.parametrize("args, message", [
    ((float("nan"), 0.0, 0.0), "z1 must be a finite number"),
    ((0.0, "1", 0.0), "z2 must be a finite number"),
    ((0.0, 0.0, float("inf")), "z3 must be a finite number"),
    ((0.0, 0.0, 0.0, 4), "true_class must be 1, 2 or 3"),
    ((0.0, 0.0, 0.0, True), "true_class must be 1, 2 or 3"),
    ((0.0, 0.0, 0.0, 1, float("nan")), "step must be a finite number"),
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
    view = widgets._MarginView(limit=10.0)
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
    view = widgets._ThreeClassView()
    for z, k in (((1.0, 0.5, -0.5), 3), ((6.0, -6.0, -6.0), 3), ((0.0, 0.0, 0.0), 1)):
        r = three_class_readout(*z, true_class=k)
        view.draw(r)
        assert [t.get_text() for t in view.right.texts] == [f"{v:.4f}" for v in r.jacobian.ravel()]
        np.testing.assert_array_equal(view.right.images[0].get_array(), r.jacobian)
        dot = [line for line in view.left.lines if line.get_marker() == "o"][0]
        np.testing.assert_allclose(dot.get_xydata()[0], simplex_point(r.probabilities))
        assert f"target: class {k}" in [t.get_text() for t in view.left.get_legend().get_texts()]
