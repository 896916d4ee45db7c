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


# ----------------------------------------------------------------- notebook 05's figures

def test_shape_graph_labels_every_edge_with_the_forward_and_the_gradient_shape():
    from backprop_helpers import plots
    from backprop_helpers.tensor import Node
    x, W, b = Node(np.ones((3, 5))), Node(np.ones((4, 3))), Node(np.ones((4, 1)))
    product = W @ x
    z = product + b
    loss = z.sigmoid().sum()
    ax = plots.shape_graph(loss, {x: "x", W: "W", b: "b", product: "@", z: "+"})
    texts = [t.get_text() for t in ax.texts]
    for label in ("x", "W", "b", "@", "+", "sigmoid", "sum"):
        assert label in texts
    assert "3×5" in texts and "4×3" in texts and "∂: 4×5 →Σ 4×1" in texts  # the bias's summed gradient
    assert texts.count("∂: 4×5") == 3  # into + from @, into sigmoid, into sum
    plt.close(ax.figure)


def test_training_curves_confusion_gallery_and_weights_draw_what_they_are_given():
    from backprop_helpers import plots
    history = {"train_loss": [1.0, 0.5, 0.2], "test_loss": [1.1, 0.6, 0.4],
               "train_accuracy": [0.5, 0.8, 0.9], "test_accuracy": [0.4, 0.7, 0.85]}
    left, right = plots.plot_training_curves(history)
    assert [line.get_linestyle() for line in left.lines] == ["-", "--"]  # a second cue besides colour
    assert list(right.lines[1].get_ydata()) == [40.0, 70.0, 85.0]
    plt.close(left.figure)
    with pytest.raises(ValueError, match="test_accuracy"):
        plots.plot_training_curves({k: v for k, v in history.items() if k != "test_accuracy"})

    counts = plots.plot_confusion(np.array([0, 1, 2, 2]), np.array([0, 2, 2, 2]), classes=3)
    assert counts.tolist() == [[1, 0, 0], [0, 0, 1], [0, 0, 2]]
    plt.close("all")
    with pytest.raises(ValueError, match="predictions"):
        plots.plot_confusion(np.zeros(3, dtype=int), np.zeros(2, dtype=int))

    images = np.arange(3 * 64).reshape(3, 8, 8) % 17
    axes = plots.digit_gallery(images, ["a", "b", "c"], columns=2)
    assert len(axes) == 4 and [ax.get_title() for ax in axes[:3]] == ["a", "b", "c"]
    plt.close("all")
    with pytest.raises(ValueError, match="3 images but 2 titles"):
        plots.digit_gallery(images, ["a", "b"])

    axes, image = plots.weight_images(np.linspace(-1, 2, 5 * 64).reshape(5, 64), columns=5)
    assert image.get_clim() == (-2.0, 2.0)  # one symmetric scale: white is 0
    plt.close("all")
    with pytest.raises(ValueError, match=r"\(n, 64\)"):
        plots.weight_images(np.ones((4, 63)))
