"""Notebook 05's explorer: which axes unbroadcast sums for a + b, checked against the engine."""
import itertools

import matplotlib
import numpy as np
import pytest

from backprop_helpers.plots import broadcast_pair
from backprop_helpers.tensor import Node
from backprop_helpers.widgets import SHAPE_LABELS, explore_unbroadcast, unbroadcast_readout

matplotlib.use("Agg")

ALL_SLIDERS = list(itertools.product(range(1, 5), range(1, 5), range(0, 5), range(0, 5)))


@pytest.mark.parametrize("a_rows, a_columns, b_rows, b_columns", ALL_SLIDERS[::7])
def test_readout_agrees_with_numpy_and_the_engines_gradients(a_rows, a_columns, b_rows, b_columns):
    r = unbroadcast_readout(a_rows, a_columns, b_rows, b_columns)
    a_shape = (a_rows, a_columns)
    b_shape = tuple(n for n in (b_rows, b_columns) if n)
    assert (r.a_shape, r.b_shape) == (a_shape, b_shape)
    try:
        result = np.broadcast(np.zeros(a_shape), np.zeros(b_shape)).shape
    except ValueError:
        assert r.error and "do not broadcast" in r.error and r.result_shape == ()
        with pytest.raises(ValueError):
            Node(np.zeros(a_shape)) + Node(np.zeros(b_shape))
        return
    assert r.result_shape == result and not r.error
    G = np.arange(1.0, 1.0 + np.prod(result)).reshape(result)
    a, b = Node(np.zeros(a_shape)), Node(np.zeros(b_shape))
    (a + b).backward(G)
    for node, (leading, kept) in ((a, r.a_summed), (b, r.b_summed)):
        # summing G over the readout's axes gives exactly the engine's gradient
        summed = G.sum(axis=leading) if leading else G
        summed = summed.sum(axis=kept, keepdims=True) if kept else summed
        assert summed.shape == node.data.shape and np.array_equal(summed, node.grad)


def test_readout_asks_before_it_answers():
    r = unbroadcast_readout(4, 3, 0, 3)
    hidden, shown = r.lines(reveal=False), r.lines(reveal=True)
    assert hidden[0] == shown[0] == ("a (4, 3) + b (3,): the shape of the result, and the axes "
                                     "unbroadcast sums for each operand?")
    assert len(hidden) == 2 and "predict" in hidden[1] and "(4, 3)" not in hidden[1]
    assert shown[1] == "result: (4, 3)" and "sum axis 0 away" in shown[3] and shown[3].endswith("shape (3,)")


def test_the_silent_square_case_and_a_clash():
    """(4, 4) + (4,) broadcasts, along the rows (axis 0 summed), not along the samples' axis;
    (4, 3) + (4,) does not, and the readout names the clashing axis."""
    square = unbroadcast_readout(4, 4, 4, 0)
    assert square.result_shape == (4, 4) and square.b_summed == ((0,), ())
    clash = unbroadcast_readout(4, 3, 4, 0)
    assert "axis -1 has length 3 on the left and 4 on the right" in clash.error
    assert clash.lines(reveal=True)[1] == clash.error


@pytest.mark.parametrize("bad", [(0, 3, 0, 3), (4, 5, 0, 3), (4, 3, -1, 3), (4.0, 3, 0, 3), (True, 3, 0, 3)])
def test_bad_slider_values_are_named(bad):
    with pytest.raises(ValueError, match="unbroadcast_readout: .* must be a whole number"):
        unbroadcast_readout(*bad)


def test_figure_shows_the_question_then_the_sums():
    hidden = broadcast_pair((4, 3), (3,), reveal=False)
    assert "which entries add up?" in " ".join(t.get_text() for t in hidden[1].texts)
    shown = broadcast_pair((4, 3), (3,), reveal=True)
    texts = [t.get_text() for t in shown[1].texts]
    assert {"22", "26", "30"} <= set(texts)          # the column sums of 1..12
    clash = broadcast_pair((4, 3), (4,))
    assert "do not broadcast" in clash[0].texts[0].get_text()
    with pytest.raises(ValueError, match="a must be 2-D"):
        broadcast_pair((3,), (3,))


def test_explorer_has_its_sliders_and_prints_the_readout(capsys):
    widget = explore_unbroadcast()
    labels = [child.description for child in widget.children[:-1] if hasattr(child, "description")]
    assert list(SHAPE_LABELS) + ["show the answer"] == labels[:5]
    widget.children[4].value = True            # tick "show the answer"
    widget.update()
    out = capsys.readouterr().out
    assert "result: (4, 3)" in out
