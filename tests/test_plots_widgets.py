"""The network diagram and the notebook-02 explorer's pure compute function."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from backprop_helpers.examples import bp_walkthrough_example  # noqa: E402
from backprop_helpers.gradcheck import numerical_gradient  # noqa: E402
from backprop_helpers.plots import TARGET_COLOUR, network_diagram  # noqa: E402
from backprop_helpers.widgets import WalkthroughPlot, explore_walkthrough, walkthrough_state  # noqa: E402


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
    numeric = numerical_gradient(lambda: net.loss(x, y), net.W[1])
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


# ---------------------------------------------------------------- notebook 04's figures

class Scalarish:
    """A node as a learner writes it in notebook 04: data, grad, inputs, local, op, label."""

    def __init__(self, data, inputs=(), op="", label=""):
        self.data, self.grad, self.inputs, self.op, self.label = data, 0.0, inputs, op, label


def test_draw_graph_draws_a_learners_own_class_and_numbers_the_backward_visits():
    from matplotlib.patches import Circle, FancyBboxPatch
    from backprop_helpers.plots import GRAPH_ORDER, draw_graph, graph_order
    a, b = Scalarish(2.0, label="a"), Scalarish(-3.0, label="b")
    d = Scalarish(-6.0, (a, b), "*", "d")
    out = Scalarish(-4.0, (d, a), "+", "out")          # a is used twice
    assert graph_order(out) == [a, b, d, out]
    ax = draw_graph(out, show_order=True)
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    badges = [p for p in ax.patches if isinstance(p, Circle) and p.get_facecolor()[:3] == matplotlib.colors.to_rgb(GRAPH_ORDER)]
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
