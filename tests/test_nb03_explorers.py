"""Notebook 03's margin and three-class explorers (pure compute functions and views) and the
figures behind them."""
import math

import matplotlib
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop_helpers.activations import sigmoid, softmax, softmax_jacobian
from backprop_helpers.losses import cross_entropy, cross_entropy_gradient
from backprop_helpers.plots import (margin_curves, plot_dead_unit, plot_margin_losses, plot_simplex,
                                    simplex_point)
from backprop_helpers.widgets import (LOGIT_LABELS, MARGIN_LABEL, explore_margin, explore_three_classes,
                                      margin_readout, three_class_readout)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

finite_margins = st.floats(-1000, 1000, allow_nan=False)


# --- the margin curves: softmax + cross-entropy against sigmoid + squared error ---------------

@given(finite_margins)
def test_margin_curves_agree_with_a_two_class_softmax_and_cross_entropy(m):
    c = margin_curves(m)
    z, y = np.array([[0.0], [m]]), np.array([[0.0], [1.0]])   # class 2 is the true class
    assert c.probability == pytest.approx(softmax(z)[1, 0], abs=1e-15)
    # the package takes log(1 + e^-m), not log1p: absolute error about 1e-16 at large margins
    assert c.cross_entropy == pytest.approx(cross_entropy(z, y), rel=1e-12, abs=1e-15)
    # ∂𝓛/∂m is ∂𝓛/∂z_2 = ŷ_2 - 1
    assert c.cross_entropy_delta == pytest.approx(cross_entropy_gradient(z, y)[1, 0], abs=1e-15)


@given(st.floats(-30, 30))
def test_margin_curves_derivatives_match_central_differences(m):
    h = 1e-5
    up, down, c = margin_curves(m + h), margin_curves(m - h), margin_curves(m)
    assert c.cross_entropy_delta == pytest.approx((up.cross_entropy - down.cross_entropy) / (2 * h),
                                                  rel=1e-5, abs=1e-9)
    assert c.squared_error_delta == pytest.approx((up.squared_error - down.squared_error) / (2 * h),
                                                  rel=1e-5, abs=1e-9)
    assert c.squared_error == pytest.approx(0.5 * sigmoid(-m) ** 2, rel=1e-12, abs=1e-300)


def test_margin_curves_show_the_claim_of_the_notebook():
    """Confidently wrong: cross-entropy's error signal stays near 1, squared error's vanishes.
    Everywhere, cross-entropy's is the larger, by the factor 1/σ'(m) >= 4."""
    wrong = margin_curves(-10.0)
    assert abs(wrong.cross_entropy_delta) > 0.9999 and abs(wrong.squared_error_delta) < 1e-4
    c = margin_curves(np.linspace(-20, 20, 401))
    ratio = c.cross_entropy_delta / c.squared_error_delta
    np.testing.assert_allclose(ratio, 1.0 / (sigmoid(c.margin) * sigmoid(-c.margin)), rtol=1e-12)
    assert np.all(ratio >= 4.0 - 1e-12)
    far = margin_curves(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(far.cross_entropy, [1000.0, 0.0])
    np.testing.assert_array_equal(far.cross_entropy_delta, [-1.0, -0.0])
    np.testing.assert_array_equal(far.squared_error, [0.5, 0.0])


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "1", None, [1.0, float("nan")]])
def test_margin_curves_reject_what_is_not_a_finite_number(bad):
    with pytest.raises(ValueError, match="margin_curves: margins must be finite numbers"):
        margin_curves(bad)


# --- the margin explorer ----------------------------------------------------------------------

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


# --- the three-class explorer -----------------------------------------------------------------

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


# --- figures ----------------------------------------------------------------------------------

def test_plot_margin_losses_tells_the_models_apart_by_line_style_as_well_as_colour():
    left, right = plot_margin_losses(mark=0.54)
    for ax in (left, right):
        curves = [line for line in ax.lines if len(line.get_xdata()) > 2]
        assert len(curves) == 2
        assert {line.get_linestyle() for line in curves} == {"-", "--"}
        assert len({line.get_color() for line in curves}) == 2
        dots = [line for line in ax.lines if line.get_marker() in ("o", "s")]
        assert [tuple(np.ravel(d.get_xdata())) for d in dots] == [(0.54,), (0.54,)]
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["softmax + cross-entropy",
                                                                     "sigmoid + squared error"]
    plt.close("all")


def test_plot_dead_unit_hatches_where_the_unit_is_off():
    ax = plot_dead_unit([0.5, 0.6], -2.0, points=[(1.0, 1.0, "corner")])
    assert any(getattr(c, "get_hatch", lambda: None)() == "//" for c in ax.collections)
    assert [t.get_text() for t in ax.texts] == ["corner: z = -0.9"]
    with pytest.raises(ValueError, match="plot_dead_unit"):
        plot_dead_unit([0.5, 0.0], -2.0)
    plt.close("all")


def test_simplex_point_puts_each_class_at_its_corner():
    np.testing.assert_allclose(simplex_point(np.eye(3)), [[0, 1, 0.5], [0, 0, math.sqrt(3) / 2]])
    np.testing.assert_allclose(simplex_point([1 / 3] * 3), [0.5, math.sqrt(3) / 6])
    with pytest.raises(ValueError, match="3 probabilities"):
        simplex_point([0.5, 0.5])


def test_plot_simplex_marks_target_point_and_step():
    ax = plot_simplex([0.2, 0.3, 0.5], true_class=3, change=[-0.05, -0.05, 0.1])
    assert len(ax.texts) == 3 + 1   # three corner names and the arrow
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "target: class 3", "ŷ", "ŷ after a gradient step"]
    with pytest.raises(ValueError, match="true_class"):
        plot_simplex([0.2, 0.3, 0.5], true_class=0)
    plt.close("all")
