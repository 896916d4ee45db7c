"""Notebook 05's explorer: the shapes of two operands a + b, and which axes the backward pass
sums to bring the result's gradient back to each of them (``unbroadcast``). It asks first: the
answer shows only once "show the answer" is ticked."""
from typing import NamedTuple

import ipywidgets
import numpy as np
from matplotlib.figure import Figure

from ..broadcasting import broadcast_error, summed_axes
from ..plots import broadcast_pair
from .nb03_softmax import _show_redrawn
from .screen_reader import with_named_sliders

#: the explorer's sliders, by label; 0 means the operand has no such axis (b only)
SHAPE_LABELS = ("a: rows", "a: columns", "b: rows", "b: columns")
#: what a screen reader says for each slider
SHAPE_NAMES = ("rows of operand a", "columns of operand a",
               "rows of operand b, 0 for none", "columns of operand b, 0 for none")


def _length(value, name, low, high):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"unbroadcast_readout: {name} must be a whole number from {low} to {high}, got {value!r}")
    return int(value)


def _axes_text(axes):
    return "nothing" if not axes else ("axis " if len(axes) == 1 else "axes ") + ", ".join(map(str, axes))


class BroadcastReadout(NamedTuple):
    """What the explorer shows for a + b: the shapes, and per operand the summed axes."""
    a_shape: tuple
    b_shape: tuple
    result_shape: tuple           # () and error set when the shapes do not broadcast
    error: str                    # why they do not broadcast ("" when they do)
    a_summed: tuple               # (leading axes summed away, length-1 axes summed with keepdims)
    b_summed: tuple

    def lines(self, reveal=False):
        """The printout: the question first; the answer only when ``reveal``."""
        lines = [f"a {self.a_shape} + b {self.b_shape}: the shape of the result, and the axes unbroadcast "
                 f"sums for each operand?"]
        if not reveal:
            return lines + ["predict, then tick 'show the answer'"]
        if self.error:
            return lines + [self.error]
        lines.append(f"result: {self.result_shape}")
        for name, shape, (leading, kept) in (("a", self.a_shape, self.a_summed), ("b", self.b_shape, self.b_summed)):
            lines.append(f"∂𝓛/∂{name}: sum {_axes_text(leading)} away, then {_axes_text(kept)} with keepdims "
                         f"-> shape {shape}")
        return lines


def unbroadcast_readout(a_rows, a_columns, b_rows, b_columns):
    """The shapes of a and b (a is a_rows × a_columns; b has the axes whose length is not 0),
    the result's shape and the axes unbroadcast sums for each: the pure computation behind
    ``explore_unbroadcast``."""
    a = (_length(a_rows, "a_rows", 1, 4), _length(a_columns, "a_columns", 1, 4))
    b = tuple(n for n in (_length(b_rows, "b_rows", 0, 4), _length(b_columns, "b_columns", 0, 4)) if n)
    try:
        result = tuple(np.broadcast_shapes(a, b))
    except ValueError:
        message = str(broadcast_error("+", np.zeros(a), np.zeros(b))).removeprefix("Node +: ")
        return BroadcastReadout(a, b, (), message, ((), ()), ((), ()))
    return BroadcastReadout(a, b, result, "", summed_axes(a, result), summed_axes(b, result))


def explore_unbroadcast(a=(4, 3), b=(0, 3), reveal=False):
    """Four sliders for the operands' shapes (0: b has no such axis) and a "show the answer"
    box: prints unbroadcast_readout's question, and once ticked its answer, and draws the
    result's gradient (revealed: how it is summed back to each operand). Returns the widget."""
    figure = Figure(figsize=(10, 2.8))
    axes = figure.subplots(1, 2)

    def show(a_rows, a_columns, b_rows, b_columns, reveal):
        readout = unbroadcast_readout(a_rows, a_columns, b_rows, b_columns)
        print("\n".join(readout.lines(reveal)))
        broadcast_pair(readout.a_shape, readout.b_shape, reveal=reveal, axes=axes)
        if readout.error:
            alt = f"Text: a {readout.a_shape} and b {readout.b_shape} do not broadcast."
        elif reveal:
            alt = (f"Two panels, for a {readout.a_shape} and for b {readout.b_shape}: the result's gradient "
                   f"{readout.result_shape}, holding 1, 2, ..., coloured by the operand entry each copy came "
                   f"from, and each operand's gradient, the sum of its colour.")
        else:
            alt = (f"The result's gradient {readout.result_shape}, holding 1, 2, ..., twice, beside the question "
                   f"of which entries add up for a {readout.a_shape} and for b {readout.b_shape}.")
        _show_redrawn(figure, alt=alt)

    sliders = {name: ipywidgets.IntSlider(value=value, min=low, max=4, description=label, tooltip=spoken,
                                          readout_format="d", continuous_update=False,
                                          style={"description_width": "initial"})
               for name, label, spoken, value, low in zip(("a_rows", "a_columns", "b_rows", "b_columns"),
                                                          SHAPE_LABELS, SHAPE_NAMES, (*a, *b), (1, 1, 0, 0))}
    box = ipywidgets.Checkbox(value=reveal, description="show the answer")
    return with_named_sliders(ipywidgets.interactive(show, **sliders, reveal=box))
