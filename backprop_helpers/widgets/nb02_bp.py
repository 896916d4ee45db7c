"""Notebook 02's explorers: every gradient of the [3, 2, 2, 1] network as W^(1) moves, and
the loss change a nudge of one parameter makes, predicted beside measured."""
import base64
import io
from dataclasses import dataclass

import ipywidgets
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..examples import bp_walkthrough_example
from ..network import ForwardPass, Gradients, Network
from ..plots import (
    OKABE_ITO,
    AnnotatedNetwork,
)
from ..plots.style import show_png
from .screen_reader import with_named_sliders

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")


def parameter_label(kind, l, j, k=None):
    """The math name of one parameter in plain text: w₁₂⁽¹⁾ (kind "W") or b₂⁽¹⁾ (kind "b")."""
    if kind not in ("W", "b"):
        raise ValueError(f"parameter_label: kind must be 'W' or 'b', got {kind!r}")
    indices = f"{j + 1}{k + 1}" if kind == "W" else f"{j + 1}"
    return f"{kind.lower()}{indices.translate(_SUB)}{f'({l})'.translate(_SUP)}"


def parameter_description(kind, l, j, k=None):
    """What a parameter is, in words a screen reader says well: "weight of layer 1 from input 3
    to neuron 2" (kind "W"; from neuron k of layer l-1 when l > 1) or "bias of neuron 2 of layer 1"."""
    if kind not in ("W", "b"):
        raise ValueError(f"parameter_description: kind must be 'W' or 'b', got {kind!r}")
    if kind == "b":
        return f"bias of neuron {j + 1} of layer {l}"
    source = f"input {k + 1}" if l == 1 else f"neuron {k + 1} of layer {l - 1}"
    return f"weight of layer {l} from {source} to neuron {j + 1}"


def walkthrough_parameters():
    """{label: (kind, l, index)} for the 17 parameters of the notebook-02 network, in order."""
    net = bp_walkthrough_example().network
    labels = {}
    for l in range(1, net.L + 1):
        for (j, k) in np.ndindex(net.W[l].shape):
            labels[parameter_label("W", l, j, k)] = ("W", l, (j, k))
        for j in range(net.b[l].shape[0]):
            labels[parameter_label("b", l, j)] = ("b", l, (j, 0))
    return labels


def _vector(values, digits):
    return "[" + ", ".join(f"{value:.{digits}f}" for value in np.ravel(values)) + "]"


def _matrix(values, digits):
    return "[" + "; ".join(", ".join(f"{v:.{digits}f}" for v in row) for row in values) + "]"


@dataclass
class WalkthroughState:
    """Everything the notebook-02 gradient explorer shows for one choice of W^(1)."""
    network: Network
    x: np.ndarray
    y: np.ndarray
    record: ForwardPass
    gradients: Gradients
    loss: float

    @property
    def dL_dw11(self):
        """∂𝓛/∂w₁₁⁽¹⁾, the gradient notebook 02 follows."""
        return float(self.gradients.dW[1][0, 0])

    def gradient_line(self, l, kind="W"):
        """One printed line: ∂𝓛/∂W⁽ˡ⁾ (rows separated by ';') or ∂𝓛/∂b⁽ˡ⁾, 8 decimals."""
        name = f"{kind}{f'({l})'.translate(_SUP)}"
        if kind == "W":
            return f"∂𝓛/∂{name} = {_matrix(self.gradients.dW[l], 8)}"
        return f"∂𝓛/∂{name} = {_vector(self.gradients.db[l], 8)}"

    def report(self):
        """The printout: the output and loss, then all 17 gradients, layer by layer."""
        a = self.record.a
        L = self.network.L
        lines = [f"a{f'({L})'.translate(_SUP)} = {a[L][0, 0]:.4f} (target y = {self.y[0, 0]:g}),"
                 f"   loss 𝓛 = {self.loss:.8f}"]
        for l in range(1, L + 1):
            lines += [self.gradient_line(l, "W"), self.gradient_line(l, "b")]
        return "\n".join(lines)


def walkthrough_state(W1):
    """Forward and backward pass of the notebook-02 network with first-layer weights ``W1`` (2×3).

    Pure: builds its own copy of the network, so the explorer and the tests call it freely.
    """
    net, x, y = bp_walkthrough_example()
    W1 = np.asarray(W1)
    if W1.shape != net.W[1].shape:
        raise ValueError(f"walkthrough_state: W1 must have shape {net.W[1].shape}, got {W1.shape}")
    if not np.isrealobj(W1) or not np.issubdtype(W1.dtype, np.number) or W1.dtype == bool:
        raise ValueError(f"walkthrough_state: W1 must hold real numbers, got dtype {W1.dtype}")
    if not np.all(np.isfinite(W1)):
        raise ValueError(f"walkthrough_state: W1 must be finite, got {W1.tolist()}")
    net.W[1] = W1.astype(float)
    record = net.forward(x)
    gradients = net.backward(record, y)
    return WalkthroughState(net, x, y, record, gradients, float(net.loss(x, y, record)))


def _png_bytes(canvas):
    buffer = io.BytesIO()
    rgb = np.asarray(canvas.buffer_rgba())[:, :, :3]
    PIL.Image.fromarray(rgb).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


class _Blitter:
    """Renders a figure to PNG again and again when only a few of its artists change.

    The figure is drawn in full once, without the ``moving`` artists, and that picture is
    kept; each ``png()`` restores it and draws only the moving artists on top. Call
    ``invalidate()`` when anything else changes (limits, a curve); the next ``png()``
    redraws in full.
    """

    def __init__(self, figure, moving):
        self.canvas = FigureCanvasAgg(figure)
        self.figure = figure
        self.moving = list(moving)
        for artist in self.moving:
            artist.set_animated(True)
        self.background = None

    def invalidate(self):
        self.background = None

    def png(self):
        if self.background is None:
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self.background)
        for artist in self.moving:
            self.figure.draw_artist(artist)
        return _png_bytes(self.canvas)


def _show_png(png, alt):
    """Display PNG bytes with their alt text and caption line, as plots.show_figure does."""
    show_png(base64.b64encode(png).decode("ascii"), f"<figure: {alt}>", alt)


class WalkthroughPlot:
    """The annotated network (z, a above each neuron, δ below, shaded by |δ|) of a state.

    Drawn once; ``update(state)`` rewrites numbers and shades, far cheaper than a new figure.
    """

    def __init__(self, state, dpi=90):
        self.figure = Figure(figsize=(8.0, 4.2), dpi=dpi)
        ax = self.figure.add_axes((0.0, 0.0, 1.0, 0.93))
        self.diagram = AnnotatedNetwork(state.network.sizes, ax=ax)
        self.blitter = _Blitter(self.figure, self.diagram.moving_artists())
        self._input = None
        self.update(state)

    def update(self, state):
        if self._input is None or not np.array_equal(self._input, state.x):
            self._input = state.x.copy()  # a new input: its numbers are not among the moving ones
            self.blitter.invalidate()
        self.diagram.update(state.record, state.gradients, state.loss, state.y)
        return self.figure

    def png(self):
        """The figure as PNG bytes."""
        return self.blitter.png()

    ALT = ("The [3, 2, 2, 1] network: above each neuron its z and a, below it its error signal "
           "δ, each neuron shaded darker the larger |δ| is.")


def explore_walkthrough():
    """Six sliders laid out like W^(1) (2 rows × 3 columns); each move re-runs the forward pass
    and BP1-BP4, prints all 17 gradients and redraws the annotated network. Returns the widget."""
    net, _, _ = bp_walkthrough_example()
    labels = {(j, k): parameter_label("W", 1, j, k) for j in range(2) for k in range(3)}
    sliders = {jk: ipywidgets.FloatSlider(
        value=net.W[1][jk], min=-2.0, max=2.0, step=0.1, description=label,
        tooltip=parameter_description("W", 1, *jk),
        continuous_update=False, readout_format=".1f", layout=ipywidgets.Layout(width="250px"))
        for jk, label in labels.items()}
    plot = WalkthroughPlot(walkthrough_state(net.W[1]))
    out = ipywidgets.Output()

    shown = {}

    def redraw(_change=None):
        state = walkthrough_state([[sliders[(j, k)].value for k in range(3)] for j in range(2)])
        plot.update(state)
        shown.update(printout=state.report(), png=plot.png())
        out.clear_output(wait=True)
        with out:
            print(shown["printout"])
            _show_png(shown["png"], WalkthroughPlot.ALT)

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    redraw()
    grid = ipywidgets.VBox([ipywidgets.HBox([sliders[(j, k)] for k in range(3)]) for j in range(2)])
    box = ipywidgets.VBox([ipywidgets.HTML("<b>W<sup>(1)</sup></b>: row j = neuron of layer 1, "
                                           "column k = input x<sub>k</sub>"), grid, out])
    with_named_sliders(box)
    box.shown = shown  # the latest printout and PNG, for tests
    return box


NUDGE_SPAN = 1.0  # the loss curve of the nudge explorer spans the parameter's value ± this


@dataclass
class NudgeReadout:
    """A nudge Δ of one parameter θ: the loss change the gradient predicts, and the measured one."""
    label: str               # the parameter's math name, e.g. "w₁₁⁽¹⁾"
    value: float             # θ before the nudge
    step: float              # Δ
    gradient: float          # ∂𝓛/∂θ by BP1-BP4
    loss: float              # 𝓛(θ)
    predicted: float         # gradient × Δ, the first-order change
    measured: float          # 𝓛(θ + Δ) − 𝓛(θ)
    sweep: np.ndarray        # θ + s for s in [-NUDGE_SPAN, NUDGE_SPAN]
    sweep_loss: np.ndarray   # 𝓛 at each of them

    def lines(self):
        """The printout, 8 decimals, signs always shown."""
        lines = [f"nudge {self.label} from {self.value:.2f} by Δ = {self.step:+.2f}",
                 f"gradient ∂𝓛/∂{self.label} = {self.gradient:+.8f}",
                 f"predicted Δ𝓛 = gradient × Δ = {self.predicted:+.8f}",
                 f"measured  Δ𝓛 = 𝓛(after) − 𝓛(before) = {self.measured:+.8f}"]
        if self.predicted != 0:
            lines.append(f"measured / predicted = {self.measured / self.predicted:.4f}")
        else:
            lines.append("predicted change is 0: move the nudge slider")
        return lines


def nudge_readout(label="w₁₁⁽¹⁾", step=0.1):
    """Nudge the parameter named ``label`` (see walkthrough_parameters) of the notebook-02
    network by ``step``: the first-order prediction gradient × step beside the measured change.
    Pure; the computation behind ``explore_nudge``."""
    parameters = walkthrough_parameters()
    if label not in parameters:
        raise ValueError(f"nudge_readout: no parameter {label!r}; choose from {list(parameters)}")
    if isinstance(step, (bool, np.bool_)) or not isinstance(step, (int, float, np.integer, np.floating)) \
            or not np.isfinite(step):
        raise ValueError(f"nudge_readout: step must be a finite real number, got {step!r}")
    kind, l, index = parameters[label]
    net, x, y = bp_walkthrough_example()
    array = (net.W if kind == "W" else net.b)[l]
    value = float(array[index])
    gradients = net.gradients(x, y)
    gradient = float((gradients.dW if kind == "W" else gradients.db)[l][index])
    loss = float(net.loss(x, y))
    sweep = value + np.linspace(-NUDGE_SPAN, NUDGE_SPAN, 41)
    sweep_loss = np.empty_like(sweep)
    for i, theta in enumerate(sweep):
        array[index] = theta
        sweep_loss[i] = net.loss(x, y)
    array[index] = value + float(step)
    measured = float(net.loss(x, y)) - loss
    return NudgeReadout(label, value, float(step), gradient, loss, gradient * float(step), measured,
                        sweep, sweep_loss)


class NudgePlot:
    """The loss along one parameter, its tangent, and the nudged point on each (see NudgeReadout).

    A nudge moves only the two markers and the caption; the curve, tangent and axes are
    redrawn only when the parameter changes.
    """

    ALT = ("The loss along one parameter (solid curve) with its tangent at the current value "
           "(dashed line); a triangle marks the loss the tangent predicts after the nudge, a "
           "square the loss measured there.")

    def __init__(self, readout, dpi=90):
        self.figure = Figure(figsize=(6.4, 3.2), dpi=dpi)
        self.ax = ax = self.figure.add_axes((0.15, 0.17, 0.82, 0.72))
        blue, vermillion = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
        self.curve, = ax.plot([], [], "-", color=blue, lw=1.8, label="loss ℒ(θ)")
        self.tangent, = ax.plot([], [], "--", color=vermillion, lw=1.3,
                                label="tangent: ℒ + gradient × Δ")
        self.now, = ax.plot([], [], "o", color="black", markersize=6, label="now")
        self.measured, = ax.plot([], [], "s", color=blue, markersize=8, markeredgecolor="black",
                                 label="measured after the nudge")
        self.predicted, = ax.plot([], [], "^", color=vermillion, markersize=8,
                                  markeredgecolor="black", label="predicted after the nudge")
        self.caption = ax.text(0.5, 1.03, "", transform=ax.transAxes, ha="center", va="bottom",
                               fontsize=10)
        ax.legend(fontsize=8, frameon=False, loc="best")
        ax.set_ylabel("loss ℒ")
        ax.grid(True, alpha=0.3)
        self.label = None
        self.blitter = _Blitter(self.figure, [self.measured, self.predicted, self.caption])
        self.update(readout)

    def update(self, readout):
        r = readout
        if r.label != self.label:  # a new parameter: new curve, tangent and axes
            self.label = r.label
            tangent = r.loss + r.gradient * (r.sweep - r.value)
            self.curve.set_data(r.sweep, r.sweep_loss)
            self.tangent.set_data(r.sweep, tangent)
            self.now.set_data([r.value], [r.loss])
            low = min(r.sweep_loss.min(), tangent.min())
            high = max(r.sweep_loss.max(), tangent.max())
            margin = 0.08 * (high - low) + 1e-4
            pad = 0.06 * (r.sweep[-1] - r.sweep[0])   # room for a marker at the largest nudge
            self.ax.set_xlim(r.sweep[0] - pad, r.sweep[-1] + pad)
            self.ax.set_ylim(low - margin, high + margin)
            self.ax.set_xlabel(f"θ = {r.label}")
            self.ax.legend(fontsize=8, frameon=False, loc="best")
            self.blitter.invalidate()
        self.measured.set_data([r.value + r.step], [r.loss + r.measured])
        self.predicted.set_data([r.value + r.step], [r.loss + r.predicted])
        self.caption.set_text(f"nudge Δ = {r.step:+.2f}: predicted Δℒ = {r.predicted:+.5f}, "
                              f"measured {r.measured:+.5f}")
        return self.figure

    def png(self):
        """The figure as PNG bytes."""
        return self.blitter.png()


def explore_nudge(label="w₁₁⁽¹⁾", step=0.1):
    """A menu of the 17 parameters and a slider for the nudge Δ; prints nudge_readout and draws
    the loss along the parameter with its tangent. Returns the widget."""
    menu = ipywidgets.Dropdown(options=list(walkthrough_parameters()), value=label,
                               description="parameter θ", style={"description_width": "initial"},
                               layout=ipywidgets.Layout(width="220px"))
    slider = ipywidgets.FloatSlider(value=step, min=-1.0, max=1.0, step=0.05, description="nudge Δθ",
                                    tooltip="nudge added to the chosen parameter θ",
                                    continuous_update=False, readout_format="+.2f",
                                    style={"description_width": "initial"})
    plot = NudgePlot(nudge_readout(label, step))
    out = ipywidgets.Output()

    shown = {}

    def redraw(_change=None):
        readout = nudge_readout(menu.value, slider.value)
        plot.update(readout)
        shown.update(printout="\n".join(readout.lines()), png=plot.png())
        out.clear_output(wait=True)
        with out:
            print(shown["printout"])
            _show_png(shown["png"], NudgePlot.ALT)

    menu.observe(redraw, names="value")
    slider.observe(redraw, names="value")
    redraw()
    box = with_named_sliders(ipywidgets.VBox([ipywidgets.HBox([menu, slider]), out]))
    box.shown = shown  # the latest printout and PNG, for tests
    return box
