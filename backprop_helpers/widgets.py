"""Explorers: a pure compute function that the tests call, and an ipywidgets view of it.

The view only displays what the compute function returns, so everything a slider shows is
unit-tested without a browser.
"""
import base64
import io
from dataclasses import dataclass
from typing import NamedTuple

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
from IPython.display import display
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import naive
from .activations import softmax
from .examples import bp_walkthrough_example
from .losses import cross_entropy, cross_entropy_gradient
from .network import ForwardPass, Gradients, Network
from .plots import OKABE_ITO, AnnotatedNetwork, plot_call_growth, plot_probabilities


# ----------------------------------------------------------------------------------------------
# Notebook 01: depth/width explorer of naive against cached call counts
# ----------------------------------------------------------------------------------------------

#: the explorer's depth slider goes up to this depth; its chart spans depths 1..this
EXPLORER_MAX_DEPTH = 12
#: and its width slider up to this width
EXPLORER_MAX_WIDTH = 6


@dataclass
class CallCountSummary:
    """What the depth/width explorer shows for architecture(depth, width).

    ``naive_calls`` and ``cached_calls`` are counted by running the recursions when the closed
    form promises at most ``max_measured_calls`` naive calls; otherwise ``used_closed_form``
    is True and they come from the closed form alone. ``growth`` is the chart's data.
    """
    depth: int
    width: int
    sizes: list
    naive_calls: int
    cached_calls: int
    closed_form_naive_calls: int
    used_closed_form: bool
    max_measured_calls: int
    growth: object  # naive.CallGrowth over depths 1..max(depth, EXPLORER_MAX_DEPTH)

    def report(self):
        """The explorer's printout, one line per fact."""
        lines = [f"sizes {self.sizes}: depth {self.depth}, width {self.width}",
                 f"naive calls = {self.naive_calls}",
                 f"cached calls = {self.cached_calls}"]
        if self.used_closed_form:
            lines.append(f"from the closed form: the naive recursion would need more than "
                         f"{self.max_measured_calls} calls, so it was not run")
        else:
            agree = "agrees" if self.naive_calls == self.closed_form_naive_calls else "DISAGREES"
            lines.append(f"measured by running both recursions; the closed form "
                         f"({self.closed_form_naive_calls}) {agree}")
        lines.append(f"naive / cached = {self.naive_calls / self.cached_calls:.1f}")
        return "\n".join(lines)


def naive_vs_cached_counts(depth, width, max_measured_calls=naive.MAX_MEASURED_CALLS):
    """Naive and cached δ evaluations for architecture(depth, width), and the growth chart's data.

    Never runs the exponential recursion beyond ``max_measured_calls`` calls: past that the
    counts come from the closed form (``used_closed_form`` is True).
    """
    sizes = naive.architecture(depth, width)
    closed_form = naive.naive_call_count(sizes)
    used_closed_form = closed_form > max_measured_calls
    if used_closed_form:
        naive_calls, cached_calls = closed_form, naive.cached_call_count(sizes)
    else:
        naive_calls, cached_calls = naive.measured_call_counts(sizes)
    growth = naive.call_growth(width, range(1, max(depth, EXPLORER_MAX_DEPTH) + 1),
                                max_measured_calls)
    return CallCountSummary(int(depth), int(width), sizes, naive_calls, cached_calls, closed_form,
                            used_closed_form, max_measured_calls, growth)


def _call_growth_png(summary):
    """The growth chart of a CallCountSummary as PNG bytes, current setting ringed."""
    figure = Figure(figsize=(6.0, 3.4), dpi=80)
    ax = figure.subplots()
    plot_call_growth([summary.growth], ax=ax, highlight=(summary.depth, summary.naive_calls))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def explore_call_counts(depth=4, width=2):
    """Sliders "depth" and "width"; prints naive_vs_cached_counts(depth, width) and charts it."""
    depth_slider = ipywidgets.IntSlider(value=depth, min=1, max=EXPLORER_MAX_DEPTH, description="depth")
    width_slider = ipywidgets.IntSlider(value=width, min=1, max=EXPLORER_MAX_WIDTH, description="width")
    printout = ipywidgets.Output()
    chart = ipywidgets.Image(format="png")

    def update(_change=None):
        summary = naive_vs_cached_counts(depth_slider.value, width_slider.value)
        printout.outputs = ()
        printout.append_stdout(summary.report() + "\n")
        chart.value = _call_growth_png(summary)

    depth_slider.observe(update, names="value")
    width_slider.observe(update, names="value")
    update()
    return ipywidgets.VBox([ipywidgets.HBox([depth_slider, width_slider]), printout, chart])


# ----------------------------------------------------------------------------------------------
# Notebook 02: every gradient of the [3, 2, 2, 1] network as W^(1) moves, and a nudge of one
# parameter with the loss change the gradient predicts beside the one measured
# ----------------------------------------------------------------------------------------------

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")


def parameter_label(kind, l, j, k=None):
    """The math name of one parameter in plain text: w₁₂⁽¹⁾ (kind "W") or b₂⁽¹⁾ (kind "b")."""
    if kind not in ("W", "b"):
        raise ValueError(f"parameter_label: kind must be 'W' or 'b', got {kind!r}")
    indices = f"{j + 1}{k + 1}" if kind == "W" else f"{j + 1}"
    return f"{kind.lower()}{indices.translate(_SUB)}{f'({l})'.translate(_SUP)}"


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
    """Display PNG bytes with their alt text (in the output's metadata, as plots.show_figure)."""
    display({"image/png": base64.b64encode(png).decode("ascii"), "text/plain": f"<figure: {alt}>"},
            raw=True, metadata={"image/png": {"alt": alt}})


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
            self.ax.set_xlim(r.sweep[0], r.sweep[-1])
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
    box = ipywidgets.VBox([ipywidgets.HBox([menu, slider]), out])
    box.shown = shown  # the latest printout and PNG, for tests
    return box


# ----------------------------------------------------------------------------------------------
# Notebook 03: the logits explorer (two output logits -> probabilities, loss and δ^(L))
# ----------------------------------------------------------------------------------------------

class LogitsReadout(NamedTuple):
    """What the logits explorer shows for logits (z1, z2) and a target y."""
    probabilities: np.ndarray  # ŷ = softmax(z), shape (2,)
    loss: float                # cross-entropy L = -Σ y_i log ŷ_i
    delta: np.ndarray          # δ^(L) = ∂L/∂z = ŷ - y, shape (2,)

    def lines(self):
        """The two lines the explorer prints: 'loss = ...' and 'delta = [..., ...]', 8 decimals."""
        d1, d2 = self.delta
        return [f"loss = {self.loss:.8f}", f"delta = [{d1:.8f}, {d2:.8f}]"]


def logits_readout(z1, z2, y=(0.0, 1.0)):
    """Softmax probabilities, cross-entropy loss and δ^(L) = ŷ - y for the two logits z1, z2.

    The pure computation behind ``explore_logits``: stable for any finite logits (±1000 too).
    """
    if not (np.isfinite(z1) and np.isfinite(z2)):
        raise ValueError(f"logits_readout: logits must be finite numbers, got z1={z1!r}, z2={z2!r}")
    y = np.asarray(y, dtype=float).reshape(2, 1)
    z = np.array([[z1], [z2]], dtype=float)
    return LogitsReadout(softmax(z)[:, 0], cross_entropy(z, y), cross_entropy_gradient(z, y)[:, 0])


def explore_logits(z1=1.7, z2=2.24, y=(0.0, 1.0), limit=10.0):
    """Two sliders, "z1" and "z2", for the output logits: bars of ŷ, then the loss and δ^(L).

    The defaults are the logits z^(2) of notebook 03's example network. Returns the widget.
    """
    def show(z1, z2):
        readout = logits_readout(z1, z2, y)
        print("\n".join(readout.lines()))
        plot_probabilities(readout.probabilities, y, title=f"softmax([{z1:.2f}, {z2:.2f}])")
        plt.show()

    sliders = {name: ipywidgets.FloatSlider(value=value, min=-limit, max=limit, step=0.01,
                                            description=name, continuous_update=False)
               for name, value in (("z1", z1), ("z2", z2))}
    return ipywidgets.interactive(show, **sliders)
