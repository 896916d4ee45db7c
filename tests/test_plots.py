"""Every figure of backprop_helpers.plots: what each draws, checked on the artists it returns
(the engines' own numbers are the reference)."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import Circle, FancyBboxPatch

from backprop_helpers import naive
from backprop_helpers.activations import softmax, softmax_jacobian
from backprop_helpers.examples import naive_recursion_example, two_moons
from backprop_helpers.plots import (TARGET_COLOUR, broadcast_backward, digit_gallery, draw_graph,
                                    graph_layout, network_diagram, plot_call_counts, plot_call_growth,
                                    plot_confusion, plot_decision_boundary, plot_jacobian,
                                    plot_probabilities, plot_relu, plot_training_curves, shape_graph,
                                    weight_images)
from backprop_helpers.scalar import Value
from backprop_helpers.tensor import Node

EXAMPLE_Y_HAT = softmax(np.array([[1.7], [2.24]])).ravel()  # notebook 03's ŷ: [0.3682, 0.6318]


# ---------------------------------------------------------------------------------------------
# Notebook 01: call counts and their growth
# ---------------------------------------------------------------------------------------------

def test_call_count_bars_show_the_counts():
    net, x, y = naive_recursion_example()
    ax = plot_call_counts(naive.naive_gradients(net, x, y).calls, naive.cached_gradients(net, x, y).calls)
    heights = [p.get_height() for p in ax.patches]
    assert heights == [3, 3, 9, 9, 21, 21, 45] + [1] * 7
    assert "111" in ax.get_title() and "7" in ax.get_title()
    # ticks name each δ as the math does, neurons counted from 1 (the code's index 0 is neuron 1)
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "$\\delta_{1}^{(1)}$", "$\\delta_{2}^{(1)}$", "$\\delta_{1}^{(2)}$", "$\\delta_{2}^{(2)}$",
        "$\\delta_{1}^{(3)}$", "$\\delta_{2}^{(3)}$", "$\\delta_{1}^{(4)}$"]
    plt.close(ax.figure)


def test_growth_chart_is_logarithmic_with_naive_and_cached_lines():
    growths = [naive.call_growth(w, range(1, 8), max_measured_calls=1_000) for w in (1, 2)]
    ax = plot_call_growth(growths)
    assert ax.get_yscale() == "log"
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == ["naive, width 1", "cached, width 1", "naive, width 2", "cached, width 2"]
    naive_line = next(line for line in ax.get_lines() if line.get_label() == "naive, width 2")
    assert list(naive_line.get_ydata()) == growths[1].naive
    plt.close(ax.figure)


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


# ---------------------------------------------------------------------------------------------
# Notebook 03: probabilities, the softmax Jacobian, ReLU
# ---------------------------------------------------------------------------------------------

def test_plot_probabilities_draws_one_bar_per_class_with_its_height():
    ax = plot_probabilities(EXAMPLE_Y_HAT, y=[0, 1])
    heights = [p.get_height() for p in ax.patches if p.get_height() > 0]
    np.testing.assert_allclose(heights, EXAMPLE_Y_HAT)
    assert {t.get_text() for t in ax.texts} == {"0.3682", "0.6318"}
    assert [t.get_text() for t in ax.get_xticklabels()] == ["class 1", "class 2\n(true)"]
    assert [p.get_facecolor() for p in ax.patches][1] == matplotlib.colors.to_rgba("tab:orange")
    plt.close("all")


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
