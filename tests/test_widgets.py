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
from backprop_helpers.examples import bp_walkthrough_example
from backprop_helpers.network import Network
from backprop_helpers.widgets import (WalkthroughPlot, explore_logits, explore_walkthrough,
                                      logits_readout, walkthrough_state)


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
