"""Explorers: a pure compute function that the tests call, and an ipywidgets view of it.

The view only displays what the compute function returns, so everything a slider shows is
unit-tested without a browser.
"""
import base64
import functools
import io
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

import ipywidgets
import numpy as np
import PIL.Image
from IPython.display import display
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import naive
from .activations import softmax, softmax_jacobian
from .examples import bp_walkthrough_example
from .losses import cross_entropy, cross_entropy_gradient
from .network import ForwardPass, Gradients, Network, validate_sizes
from .plots import (OKABE_ITO, AnnotatedNetwork, margin_curves, plot_counts_on_network,
                    plot_jacobian, plot_margin_losses, plot_simplex)


# ----------------------------------------------------------------------------------------------
# Notebook 01: step through the recursion, with the cache off and on
# ----------------------------------------------------------------------------------------------

#: the networks the recursion explorer offers: {menu label: layer sizes}
RECURSION_NETWORKS = {"2-2-2-2-1 (this notebook)": (2, 2, 2, 2, 1),
                      "3-3-3-1 (wider)": (3, 3, 3, 1),
                      "2-1-2-1-1 (a bottleneck)": (2, 1, 2, 1, 1)}
#: what the explorer can ask for: every parameter's δ (a full gradient), or δ_1^(1) once
FULL_GRADIENT, ONE_REQUEST = "every parameter (a full gradient)", "one request for delta_1^(1)"


@functools.lru_cache(maxsize=32)
def _traced(sizes, what, cached):
    requests = naive.parameter_requests(sizes) if what == FULL_GRADIENT else [(1, 0)]
    return tuple(naive.trace_calls(sizes, requests, cached))


@dataclass(frozen=True)
class RecursionStep:
    """The recursion after its first ``step`` calls: what the explorer shows at one setting.

    ``current`` is the call made at this step; ``stack`` the δs from the request down to it
    (code keys (l, j)); ``evaluations`` how often each δ has been evaluated so far;
    ``look_ups`` how many calls a cache answered so far; ``stored`` the δs in the cache.
    """
    sizes: tuple
    what: str
    cached: bool
    step: int
    total: int
    current: object           # naive.Call
    stack: tuple
    evaluations: Counter
    look_ups: int
    stored: frozenset

    def lines(self):
        """The explorer's printout, one fact a line."""
        action = "look up" if self.current.looked_up else "evaluate"
        chain = " -> ".join(naive.delta_name(l, j) for l, j in self.stack)
        most, times = max(sorted(self.evaluations.items()), key=lambda item: item[1])
        return [f"call {self.step} of {self.total} (cache {'on' if self.cached else 'off'}): "
                f"{action} {naive.delta_name(*self.current.node)}",
                f"call stack: {chain}",
                f"evaluations so far: {sum(self.evaluations.values())} "
                f"(of {len(self.evaluations)} different deltas), look-ups so far: {self.look_ups}",
                (f"most evaluated so far: {naive.delta_name(*most)} x{times}" if times > 1
                 else "no delta evaluated twice so far")]

    def report(self):
        return "\n".join(self.lines())


def recursion_step(sizes=(2, 2, 2, 2, 1), what=FULL_GRADIENT, cached=False, step=1):
    """The state of the recursion after ``step`` calls (1 = the first call), cache off or on.

    ``what`` is FULL_GRADIENT (every parameter asks for its δ, as in the notebook) or
    ONE_REQUEST (δ_1^(1) asked once). The pure computation behind ``explore_recursion``.
    """
    sizes = tuple(validate_sizes(sizes))
    if what not in (FULL_GRADIENT, ONE_REQUEST):
        raise ValueError(f"what must be {FULL_GRADIENT!r} or {ONE_REQUEST!r}, got {what!r}")
    parameters = sum(sizes[l] * (sizes[l - 1] + 1) for l in range(1, len(sizes)))
    if what == FULL_GRADIENT and parameters > naive.MAX_TRACED_CALLS:
        raise ValueError(f"a network of sizes {list(sizes)} has {parameters:,} parameters, too many "
                         f"calls to step through (at most {naive.MAX_TRACED_CALLS:,})")
    calls = _traced(sizes, what, bool(cached))
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 1 <= step <= len(calls):
        raise ValueError(f"step must be a whole number from 1 to {len(calls)} (the calls this "
                         f"recursion makes), got {step!r}")
    made = calls[:step]
    current = made[-1]
    stack, index = [], current.index
    while index is not None:
        stack.append(calls[index].node)
        index = calls[index].parent
    evaluations = Counter(call.node for call in made if not call.looked_up)
    stored = frozenset(call.node for call in made
                       if cached and not call.looked_up and call.end < step)
    return RecursionStep(sizes, what, bool(cached), int(step), len(calls), current,
                         tuple(reversed(stack)), evaluations,
                         sum(call.looked_up for call in made), stored)


def recursion_step_png(state, dpi=80):
    """The network with the evaluations so far, the call stack and the cache, as PNG bytes."""
    figure = Figure(figsize=(1.5 * len(state.sizes) + 1.0, 1.1 * max(state.sizes) + 1.6), dpi=dpi)
    ax = figure.subplots()
    plot_counts_on_network(state.sizes, state.evaluations, ax=ax, stack=state.stack,
                           stored=state.stored,
                           title=f"call {state.step} of {state.total}, cache "
                                 f"{'on: blue ring = stored' if state.cached else 'off'}\n"
                                 f"orange arrows: the call stack")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def explore_recursion(network="2-2-2-2-1 (this notebook)", what=FULL_GRADIENT, cached=False):
    """Step through the recursion: a slider "calls made" moves through its calls one by one.

    Menus choose the network and what is asked for; a toggle turns the cache off or on.
    Prints recursion_step(...).report() and draws recursion_step_png. Returns the widget.
    """
    network_menu = ipywidgets.Dropdown(options=list(RECURSION_NETWORKS), value=network,
                                       description="network")
    what_menu = ipywidgets.Dropdown(options=[FULL_GRADIENT, ONE_REQUEST], value=what,
                                    description="asked for", layout=ipywidgets.Layout(width="340px"))
    cache_toggle = ipywidgets.ToggleButtons(options=["cache off", "cache on"],
                                            value="cache on" if cached else "cache off",
                                            description="cache")
    step_slider = ipywidgets.IntSlider(value=1, min=1, max=1, description="calls made",
                                       description_allow_html=False,
                                       style={"description_width": "initial"},
                                       layout=ipywidgets.Layout(width="520px"))
    printout = ipywidgets.Output()
    picture = ipywidgets.Image(format="png")

    def setting():
        return RECURSION_NETWORKS[network_menu.value], what_menu.value, cache_toggle.value == "cache on"

    def redraw(_change=None):
        state = recursion_step(*setting(), step=step_slider.value)
        printout.outputs = ()
        printout.append_stdout(state.report() + "\n")
        picture.value = recursion_step_png(state)

    def restart(_change=None):
        total = len(_traced(*setting()))
        with step_slider.hold_trait_notifications():
            step_slider.value = 1
            step_slider.max = total
        redraw()

    for control in (network_menu, what_menu, cache_toggle):
        control.observe(restart, names="value")
    step_slider.observe(redraw, names="value")
    restart()
    return ipywidgets.VBox([ipywidgets.HBox([network_menu, what_menu]), cache_toggle, step_slider,
                            printout, picture])


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
# Notebook 03: the margin explorer (softmax + cross-entropy against sigmoid + squared error)
# ----------------------------------------------------------------------------------------------

def _finite_number(value, name, where):
    """``value`` as a float, or a ValueError naming the argument and what was wrong with it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{where}: {name} must be a finite number, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{where}: {name} must be a finite number, got {value!r}")
    return float(value)


def _signed(value, digits=4):
    return f"{value + 0.0:+.{digits}f}"   # + 0.0 turns -0.0 into 0.0


class MarginReadout(NamedTuple):
    """What the margin explorer shows at one margin m = z_true - z_other (plots.MarginCurves)."""
    margin: float
    probability: float            # ŷ of the true class, σ(m)
    cross_entropy: float          # softmax + cross-entropy loss
    cross_entropy_delta: float    # its output error ∂𝓛/∂m
    squared_error: float          # sigmoid + half squared error loss
    squared_error_delta: float    # its output error ∂𝓛/∂m

    def lines(self):
        """The explorer's printout, 4 decimals."""
        ce, se = self.cross_entropy_delta, self.squared_error_delta
        if se != 0.0:
            ratio = f"cross-entropy's error signal is {ce / se:.1f} times the squared error's"
        else:
            ratio = "the squared error's error signal is 0 in floating point: that output has stopped learning"
        return [f"margin m = {_signed(self.margin, 2)}: ŷ of the true class = σ(m) = {self.probability:.4f}",
                f"softmax + cross-entropy: loss = {self.cross_entropy:.4f}, ∂𝓛/∂m = {_signed(ce)}",
                f"sigmoid + squared error: loss = {self.squared_error:.4f}, ∂𝓛/∂m = {_signed(se)}",
                ratio]


def margin_readout(margin):
    """Both losses and their output errors at one margin: the pure computation behind
    ``explore_margin``. Stable at any finite margin (±1000 too)."""
    m = _finite_number(margin, "margin", "margin_readout")
    return MarginReadout(*(float(v) for v in margin_curves(m)))


#: the margin slider's label: for notebook 03's example the true class is class 2
MARGIN_LABEL = "margin z₂ − z₁"


def _show_redrawn(figure, alt, dpi=80):
    """Show a figure that an explorer draws once and updates in place: one PNG render at its
    fixed layout (a slider move must not wait for show_figure's tight bounding box, a second
    render), with the alt text in the output's metadata as show_figure puts it."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    display({"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"),
             "text/plain": f"<Figure size {figure.get_figwidth() * dpi:g}x{figure.get_figheight() * dpi:g} "
                           f"with {len(figure.axes)} Axes>"},
            raw=True, metadata={"image/png": {"alt": alt}})


class _MarginView:
    """plot_margin_losses drawn once; ``draw(readout)`` moves the dots and the dotted guide."""

    def __init__(self, limit):
        self.figure = Figure(figsize=(8, 3))
        axes = self.figure.subplots(1, 2)
        plot_margin_losses(ax=axes, margins=np.linspace(-limit, limit, 401))
        self.figure.tight_layout()
        blue, red = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
        self.dots = [[ax.plot([], [], marker, color=colour, markersize=7)[0] for ax in axes]
                     for marker, colour in (("o", blue), ("s", red))]
        self.guides = [ax.axvline(0.0, color="#999999", linewidth=0.8, linestyle=":") for ax in axes]

    def draw(self, r):
        for (loss_dot, error_dot), loss, delta in ((self.dots[0], r.cross_entropy, r.cross_entropy_delta),
                                                   (self.dots[1], r.squared_error, r.squared_error_delta)):
            loss_dot.set_data([r.margin], [loss])
            error_dot.set_data([r.margin], [abs(delta)])
        for guide in self.guides:
            guide.set_xdata([r.margin, r.margin])
        return self.figure


def explore_margin(margin=0.54, limit=10.0):
    """One slider, the logit margin m = z_true - z_other: prints margin_readout(m) and dots m on
    the loss and output-error curves of both models. Returns the widget."""
    view = _MarginView(limit)

    def show(m):
        readout = margin_readout(m)
        print("\n".join(readout.lines()))
        _show_redrawn(view.draw(readout), alt=(
            f"Loss (left) and size of the output error (right) against the logit margin from {-limit:g} "
            f"to {limit:g}, softmax with cross-entropy solid, sigmoid with squared error dashed. Dots mark "
            f"the margin {m:+.2f}: there the cross-entropy's output error is "
            f"{abs(readout.cross_entropy_delta):.4f} and the squared error's "
            f"{abs(readout.squared_error_delta):.4f}."))

    slider = ipywidgets.FloatSlider(value=margin, min=-limit, max=limit, step=0.01,
                                    description=MARGIN_LABEL, continuous_update=False,
                                    style={"description_width": "initial"},
                                    layout=ipywidgets.Layout(width="420px"))
    return ipywidgets.interactive(show, m=slider)


# ----------------------------------------------------------------------------------------------
# Notebook 03: three classes (three logits -> ŷ on the triangle, the Jacobian, a gradient step)
# ----------------------------------------------------------------------------------------------

class ThreeClassReadout(NamedTuple):
    """What the three-class explorer shows for logits z and a true class (1, 2 or 3)."""
    logits: np.ndarray             # z, shape (3,)
    true_class: int
    probabilities: np.ndarray      # ŷ = softmax(z)
    loss: float                    # cross-entropy -log ŷ_true
    delta: np.ndarray              # δ = ∂𝓛/∂z = ŷ - y
    jacobian: np.ndarray           # J = diag(ŷ) - ŷ ŷᵀ
    step: float                    # the gradient step's size η in z ← z - η δ
    predicted_change: np.ndarray   # first order: Δŷ ≈ J (-η δ)
    new_probabilities: np.ndarray  # softmax(z - η δ), the step actually taken
    new_loss: float

    def lines(self):
        """The explorer's printout, 4 decimals."""
        k = self.true_class
        old, new = self.probabilities[k - 1], self.new_probabilities[k - 1]
        predicted = old + self.predicted_change[k - 1]

        def vec(v):
            return "[" + ", ".join(f"{x + 0.0:.4f}" for x in v) + "]"
        return [f"ŷ = softmax(z) = {vec(self.probabilities)}   (target: class {k})",
                f"loss = -log ŷ_{k} = {self.loss:.4f}",
                f"δ = ŷ - y = {vec(self.delta)}",
                f"step z ← z - {self.step:g}·δ: ŷ_{k} {old:.4f} → {new:.4f} "
                f"(first order predicts {predicted:.4f}), loss → {self.new_loss:.4f}"]


#: three_class_readout refuses logits larger than this in size (a difference of two of them
#: could overflow)
MAX_LOGIT = 1e150


def three_class_readout(z1, z2, z3, true_class=3, step=1.0):
    """ŷ, the loss, δ, the Jacobian and one gradient step for three logits: the pure computation
    behind ``explore_three_classes``. Stable for any logits up to ±MAX_LOGIT (±1000 and far beyond)."""
    where = "three_class_readout"
    z = np.array([_finite_number(v, name, where) for v, name in ((z1, "z1"), (z2, "z2"), (z3, "z3"))])
    if np.max(np.abs(z)) > MAX_LOGIT:
        raise ValueError(f"{where}: logits up to ±{MAX_LOGIT:g} only (their differences must stay "
                         f"within the float range), got z = {z.tolist()}")
    if isinstance(true_class, (bool, np.bool_)) or true_class not in (1, 2, 3):
        raise ValueError(f"{where}: true_class must be 1, 2 or 3, got {true_class!r}")
    eta = _finite_number(step, "step", where)
    y = np.zeros((3, 1))
    y[true_class - 1] = 1.0
    column = z[:, None]
    a = softmax(column)[:, 0]
    delta = cross_entropy_gradient(column, y)[:, 0]
    J = softmax_jacobian(z)
    stepped = column - eta * delta[:, None]
    return ThreeClassReadout(z, int(true_class), a, float(cross_entropy(column, y)), delta, J, eta,
                             J @ (-eta * delta), softmax(stepped)[:, 0], float(cross_entropy(stepped, y)))


class _ThreeClassView:
    """The triangle (redrawn, it is cheap) and the Jacobian's heat map (drawn once, its colours,
    scale and numbers updated), so a slider move costs one render."""

    def __init__(self):
        self.figure = Figure(figsize=(7.6, 3.2))
        self.left, self.right = self.figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.15]})
        plot_jacobian(np.zeros((3, 3)), ax=self.right)  # rows a_i = ŷ_i, columns z_k
        self.figure.tight_layout()

    def draw(self, r):
        self.left.clear()
        plot_simplex(r.probabilities, r.true_class, r.new_probabilities - r.probabilities, ax=self.left)
        self.left.set_title("ŷ among all probability vectors", fontsize=10)
        limit = max(float(np.max(np.abs(r.jacobian))), 1e-12)
        image = self.right.images[0]
        image.set_data(r.jacobian)
        image.set_clim(-limit, limit)
        for text, value in zip(self.right.texts, r.jacobian.ravel()):
            text.set_text(f"{value:.4f}")
            text.set_color("white" if abs(value) > 0.6 * limit else "black")
        return self.figure


#: the three-class explorer's logit sliders, by label
LOGIT_LABELS = ("z₁ (class 1)", "z₂ (class 2)", "z₃ (class 3)")


def explore_three_classes(z=(1.0, 0.5, -0.5), true_class=3, limit=6.0):
    """Three sliders for the logits z₁, z₂, z₃ and a menu for the true class: prints
    three_class_readout, draws ŷ on the triangle of all probability vectors with the gradient
    step as an arrow, and the Jacobian as a heat map. Returns the widget."""
    view = _ThreeClassView()

    def show(z1, z2, z3, true_class):
        readout = three_class_readout(z1, z2, z3, true_class)
        print("\n".join(readout.lines()))
        p = ", ".join(f"{v:.2f}" for v in readout.probabilities)
        _show_redrawn(view.draw(readout), alt=(
            f"Left: the triangle of all probability vectors over three classes, with ŷ = [{p}] as a dot, "
            f"the target class {true_class} starred at its corner, and an arrow to where one gradient step "
            f"moves ŷ. Right: the 3 by 3 softmax Jacobian as a heat map with its entries written in, "
            f"diagonal {', '.join(f'{v:.4f}' for v in np.diag(readout.jacobian))}."))

    sliders = {name: ipywidgets.FloatSlider(value=value, min=-limit, max=limit, step=0.01,
                                            description=label, continuous_update=False,
                                            style={"description_width": "initial"})
               for name, label, value in zip(("z1", "z2", "z3"), LOGIT_LABELS, z)}
    menu = ipywidgets.Dropdown(options=[("class 1", 1), ("class 2", 2), ("class 3", 3)],
                               value=true_class, description="true class")
    return ipywidgets.interactive(show, **sliders, true_class=menu)
