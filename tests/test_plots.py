"""Every figure of backprop_helpers.plots: what each draws, checked on the artists it returns
(the engines' own numbers are the reference)."""
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.patches import Circle, FancyBboxPatch

from backprop_helpers import naive, plots, widgets
from backprop_helpers.activations import sigmoid, sigmoid_prime, softmax, softmax_jacobian
from backprop_helpers.examples import bp_walkthrough_example, naive_recursion_example, two_moons
from backprop_helpers.losses import cross_entropy, cross_entropy_gradient
from backprop_helpers.plots import (TARGET_COLOUR, AnnotatedNetwork, broadcast_backward, draw_graph,
                                    graph_layout, margin_curves, network_diagram,
                                    plot_annotated_network, plot_call_growth, plot_dead_unit,
                                    plot_decision_boundary, plot_jacobian, plot_margin_losses,
                                    plot_relu, plot_sigmoid_operating_points, plot_simplex,
                                    simplex_point)
from backprop_helpers.plots import digit_gallery, plot_confusion, plot_training_curves, shape_graph, weight_images
from backprop_helpers.scalar import Value
from backprop_helpers.tensor import Node

EXAMPLE_Y_HAT = softmax(np.array([[1.7], [2.24]])).ravel()  # notebook 03's ŷ: [0.3682, 0.6318]


# ---------------------------------------------------------------------------------------------
# Notebook 01: call trees, counts on the network, growth, cost, step size, skip connections
# ---------------------------------------------------------------------------------------------

def test_call_tree_figure_draws_one_circle_per_call_and_marks_look_ups():
    fig = plots.call_tree_comparison([2, 2, 2, 2, 1], (1, 0))
    left, right = fig.axes[:2]
    circles = [[p for p in ax.patches if isinstance(p, Circle)] for ax in (left, right)]
    assert len(circles[0]) == 11 and len(circles[1]) == 9
    assert sum(c.get_linestyle() == "--" for c in circles[1]) == 3          # the look-ups
    assert sum(c.get_hatch() == "///" for c in circles[0]) == 8             # repeated work
    assert all(c.get_hatch() is None for c in circles[1])
    assert "11 evaluations" in left.get_title() and "3 look-ups" in right.get_title()
    plt.close(fig)


def test_counts_on_network_write_every_count_and_draw_the_stack():
    net, x, y = naive_recursion_example()
    slow, fast = naive.naive_gradients(net, x, y), naive.cached_gradients(net, x, y)
    fig = plots.counts_on_network_comparison(net.sizes, slow.calls, fast.calls)
    left, right = fig.axes
    assert sorted(t.get_text() for t in left.texts if t.get_text().startswith("×")) == sorted(
        f"×{n}" for n in slow.calls.values())
    assert [t.get_text() for t in right.texts if t.get_text().startswith("×")] == ["×1"] * 7
    plt.close(fig)
    state = widgets.recursion_step((2, 2, 2, 2, 1), widgets.FULL_GRADIENT, cached=False, step=9)
    ax = plots.plot_counts_on_network(state.sizes, state.evaluations, stack=state.stack)
    arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
    assert len(arrows) == len(state.stack) - 1 == 3          # one arrow per step of the call stack
    plt.close(ax.figure)


def test_growth_chart_is_logarithmic_with_naive_and_cached_lines():
    growths = [naive.call_growth(w, range(1, 8), max_measured_calls=1_000) for w in (1, 2)]
    ax = plot_call_growth(growths)
    assert ax.get_yscale() == "log"
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == ["naive, width 1", "cached, width 1", "naive, width 2", "cached, width 2"]
    naive_line = next(line for line in ax.get_lines() if line.get_label() == "naive, width 2")
    assert list(naive_line.get_ydata()) == growths[1].naive
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "measured by running it" in legend and "from the closed form" in legend
    assert [t.get_text() for t in ax.texts] == ["L(L + 1)", "×2.1 per layer"]   # a chain has no factor
    plt.close(ax.figure)


def test_cost_and_step_size_charts():
    ax = plots.plot_gradient_cost([10, 100], {"a": [1.0, 10.0], "b": [0.1, 0.1]})
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert [line.get_marker() for line in ax.get_lines()] == ["o", "s"]
    assert len({line.get_linestyle() for line in ax.get_lines()}) == 2
    plt.close(ax.figure)
    eps = np.logspace(-8, -2, 7)
    ax = plots.plot_step_size_sweep(eps, {"tiny": eps * 0 + 1e-6, "large": eps * 0}, tolerance=1e-7,
                                    chosen_eps=3e-4, models=[("model", 1e-16 / eps), ("other", eps ** 2)])
    assert any("tolerance 1e-07" in t.get_text() for t in ax.texts)
    assert any("ε = 3e-04" in t.get_text() for t in ax.texts)
    assert min(ax.get_lines()[1].get_ydata()) == 1e-17         # zeros drawn at the floor
    assert [line.get_linestyle() for line in ax.get_lines()[2:4]] == [":", "-."]
    plt.close(ax.figure)


def test_skip_network_draws_every_edge_and_each_skip_as_a_dashed_arc():
    ax = plots.plot_skip_network([2, 3, 2, 1], skips=[(1, 3), (0, 2)])
    arcs = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert len(arcs) == 3 * 1 + 2 * 2                          # n_1 n_3 + n_0 n_2
    assert all(a.arrow_patch.get_linestyle() == "--" for a in arcs)
    assert len(ax.get_lines()) == 2 * 3 + 3 * 2 + 2 * 1        # the layer-to-layer edges
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="a skip"):
        plots.plot_skip_network([2, 2, 1], skips=[(0, 1)])


# ---------------------------------------------------------------------------------------------
# Notebook 02: the network diagram
# ---------------------------------------------------------------------------------------------

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
    # the picture's own range of |δ|: layers 1 and 2 (|δ| about 0.002 and 0.005) look different
    diagram = AnnotatedNetwork(net.sizes)
    diagram.update(record, grads)
    ring = {l: sum(diagram.halos[(l, 0)].get_edgecolor()[:3]) for l in (1, 2, 3)}
    assert ring[1] - ring[2] > 0.3 and ring[2] - ring[3] > 0.3
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


# ---------------------------------------------------------------------------------------------
# Notebook 03: the softmax Jacobian, ReLU, the margin curves, a dead unit, the probability triangle
# ---------------------------------------------------------------------------------------------

def test_plot_jacobian_writes_every_entry():
    J = softmax_jacobian([1.7, 2.24])
    ax = plot_jacobian(J)
    s = EXAMPLE_Y_HAT[0] * EXAMPLE_Y_HAT[1]
    assert sorted(t.get_text() for t in ax.texts) == sorted([f"{s:.4f}", f"{-s:.4f}"] * 2)
    with pytest.raises(ValueError, match="square"):
        plot_jacobian(np.zeros((2, 3)))
    plt.close("all")


def test_plot_relu_marks_the_value_used_at_zero():
    left, right = plot_relu()
    dots = [line for line in right.lines if line.get_marker() == "o"]
    assert [tuple(line.get_xydata()[0]) for line in dots] == [(0.0, 0.0), (0.0, 1.0)]
    plt.close("all")


finite_margins = st.floats(-1000, 1000, allow_nan=False)


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


# ---------------------------------------------------------------------------------------------
# Notebook 04: computation graphs and decision boundaries
# ---------------------------------------------------------------------------------------------

def example_graph():
    a, b = Value(2, label="a"), Value(3, label="b")
    c = a * -b
    d = c ** 2
    e = d - c
    e.backward()
    return a, b, c, d, e


def test_graph_layout_puts_leaves_next_to_their_user_and_values_after_their_inputs():
    a, b, c, d, e = example_graph()
    order, column, row = graph_layout(e)
    minus_b = c.inputs[1]
    assert [column[id(v)] for v in (b, minus_b, a, c, d, e)] == [0, 1, 1, 2, 3, 4]
    for node in order:
        assert all(column[id(p)] < column[id(node)] for p in node.inputs)
    assert row[id(e)] == 0.0 and sorted([row[id(a)], row[id(minus_b)]]) == [-0.5, 0.5]


def test_draw_graph_draws_a_box_per_value_and_a_circle_per_operation():
    a, b, c, d, e = example_graph()
    ax = draw_graph(e)
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert (len(boxes), len(circles)) == (6, 4)  # a, b, -b, c, d, e; neg, *, ** 2, -
    texts = [t.get_text() for t in ax.texts]
    assert "a\ndata 2.0000\ngrad 39.0000" in texts and "** 2" in texts and "neg" in texts
    plt.close(ax.figure)


def test_draw_graph_refuses_a_graph_too_big_to_read():
    v = Value(1.0)
    for _ in range(60):
        v = v * 1.5
    with pytest.raises(ValueError, match="61 values, too many to read"):
        draw_graph(v)


def test_plot_decision_boundary_colours_by_the_sign_of_the_score():
    X, y = two_moons(40, noise=0.05)
    ax = plot_decision_boundary(lambda P: P[1] - 0.25, X, y, resolution=30)  # a horizontal line
    assert len(ax.collections) >= 3  # filled regions, boundary, two scatters
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["label -1", "label 1"]
    plt.close(ax.figure)


# ---------------------------------------------------------------------------------------------
# Notebook 05: broadcasting, and a Node's graph
# ---------------------------------------------------------------------------------------------

def test_broadcast_picture_shows_the_sums_the_engine_computes():
    g = np.arange(1.0, 13.0).reshape(4, 3)
    for shape, label, sums in [((3,), "sum over\naxis 0", ["22", "26", "30"]),
                               ((4, 1), "sum over\naxis 1", ["6", "15", "24", "33"]),
                               ((), "sum over\naxes 0, 1", ["78"])]:
        b = Node(np.zeros(shape))
        (Node(np.zeros((4, 3))) + b).backward(g)
        assert [f"{v:g}" for v in b.grad.ravel()] == sums  # the engine's own reduction
        ax = broadcast_backward(shape, g)
        texts = [t.get_text() for t in ax.texts]
        assert label in texts and all(s in texts for s in sums)
        plt.close(ax.figure)
    with pytest.raises(ValueError, match=r"shape \(2,\) does not broadcast to the result's shape \(4, 3\)"):
        broadcast_backward((2,), g)


def test_draw_graph_reads_the_public_names_of_a_node():
    w, b = Node([[1.0, 2.0]], label="w"), Node(0.5, label="b")
    out = (w @ np.array([3.0, 4.0]) + b).tanh()
    out.backward()
    ax = draw_graph(out)
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert (len(boxes), len(circles)) == (5, 3)  # w, b, w@x, +, tanh; @, +, tanh
    texts = [t.get_text() for t in ax.texts]
    assert "w\ndata shape (1, 2)\ngrad shape (1, 2)" in texts and "@" in texts
    plt.close(ax.figure)


# ---------------------------------------------------------------- notebook 04's figures

class Scalarish:
    """A node as a learner writes it in notebook 04: data, grad, inputs, local, op, label."""

    def __init__(self, data, inputs=(), op="", label=""):
        self.data, self.grad, self.inputs, self.op, self.label = data, 0.0, inputs, op, label


def test_draw_graph_draws_a_learners_own_class_and_numbers_the_backward_visits():
    from matplotlib.colors import to_rgb
    from backprop_helpers.plots import GRAPH_ORDER, graph_order
    a, b = Scalarish(2.0, label="a"), Scalarish(-3.0, label="b")
    d = Scalarish(-6.0, (a, b), "*", "d")
    out = Scalarish(-4.0, (d, a), "+", "out")          # a is used twice
    assert graph_order(out) == [a, b, d, out]
    ax = draw_graph(out, show_order=True)
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    badges = [p for p in ax.patches if isinstance(p, Circle) and p.get_facecolor()[:3] == to_rgb(GRAPH_ORDER)]
    assert (len(boxes), len(badges)) == (4, 4)
    texts = [t.get_text() for t in ax.texts]
    assert [texts[texts.index(f"{label}\ndata {value:.4f}\ngrad 0.0000") + 1] for label, value in
            (("a", 2.0), ("b", -3.0), ("d", -6.0), ("out", -4.0))] == ["4", "3", "2", "1"]
    assert {p.get_linestyle() for p in boxes} == {"-", "--"}       # leaves dashed, computed solid
    plt.close(ax.figure)


def test_graph_order_has_no_depth_limit():
    from backprop_helpers.plots import graph_order
    node = Scalarish(1.0)
    for _ in range(5000):
        node = Scalarish(1.0, (node,), "neg")
    assert len(graph_order(node)) == 5001


def test_plot_curves_tells_curves_apart_by_colour_style_and_marker():
    from backprop_helpers.plots import OKABE_ITO, plot_curves
    ax = plot_curves([("first", [3.0, 2.0, 1.0]), ("second", [1, 2, 3], [0.5, 0.25, 0.125])], log=True,
                     title="two curves")
    first, second = ax.get_lines()
    assert first.get_color() != second.get_color() and {first.get_color(), second.get_color()} <= set(OKABE_ITO.values())
    assert first.get_linestyle() != second.get_linestyle() and first.get_marker() != second.get_marker()
    assert list(second.get_xdata()) == [1, 2, 3] and ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["first", "second"]
    plt.close(ax.figure)


def test_decision_boundary_tells_the_classes_apart_by_marker_too():
    from backprop_helpers.plots import plot_decision_boundary
    X = np.array([[0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 1.0]])
    ax = plot_decision_boundary(lambda P: P[1] - 0.5, X, np.array([-1, -1, 1, 1]), resolution=20)
    scatters = ax.collections[-2:]
    paths = [s.get_paths()[0].vertices.shape[0] for s in scatters]
    assert paths[0] != paths[1]                        # circle against square
    plt.close(ax.figure)


# ----------------------------------------------------------------- notebook 05's figures

def test_shape_graph_labels_every_edge_with_the_forward_and_the_gradient_shape():
    x, W, b = Node(np.ones((3, 5))), Node(np.ones((4, 3))), Node(np.ones((4, 1)))
    product = W @ x
    z = product + b
    loss = z.sigmoid().sum()
    ax = shape_graph(loss, {x: "x", W: "W", b: "b", product: "@", z: "+"})
    texts = [t.get_text() for t in ax.texts]
    for label in ("x", "W", "b", "@", "+", "sigmoid", "sum"):
        assert label in texts
    assert "3×5" in texts and "4×3" in texts and "∂: 4×5 →Σ 4×1" in texts  # the bias's summed gradient
    assert texts.count("∂: 4×5") == 3  # into + from @, into sigmoid, into sum
    plt.close(ax.figure)


def test_training_curves_confusion_gallery_and_weights_draw_what_they_are_given():
    history = {"train_loss": [1.0, 0.5, 0.2], "test_loss": [1.1, 0.6, 0.4],
               "train_accuracy": [0.5, 0.8, 0.9], "test_accuracy": [0.4, 0.7, 0.85]}
    left, right = plot_training_curves(history)
    assert [line.get_linestyle() for line in left.lines] == ["-", "--"]  # a second cue besides colour
    assert list(right.lines[1].get_ydata()) == [40.0, 70.0, 85.0]
    plt.close(left.figure)
    with pytest.raises(ValueError, match="test_accuracy"):
        plot_training_curves({k: v for k, v in history.items() if k != "test_accuracy"})

    counts = plot_confusion(np.array([0, 1, 2, 2]), np.array([0, 2, 2, 2]), classes=3)
    assert counts.tolist() == [[1, 0, 0], [0, 0, 1], [0, 0, 2]]
    plt.close("all")
    with pytest.raises(ValueError, match="predictions"):
        plot_confusion(np.zeros(3, dtype=int), np.zeros(2, dtype=int))

    images = np.arange(3 * 64).reshape(3, 8, 8) % 17
    axes = digit_gallery(images, ["a", "b", "c"], columns=2)
    assert len(axes) == 4 and [ax.get_title() for ax in axes[:3]] == ["a", "b", "c"]
    plt.close("all")
    with pytest.raises(ValueError, match="3 images but 2 titles"):
        digit_gallery(images, ["a", "b"])

    axes, image = weight_images(np.linspace(-1, 2, 5 * 64).reshape(5, 64), columns=5)
    assert image.get_clim() == (-2.0, 2.0)  # one symmetric scale: white is 0
    plt.close("all")
    with pytest.raises(ValueError, match=r"\(n, 64\)"):
        weight_images(np.ones((4, 63)))
