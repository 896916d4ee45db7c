"""Explorers: a pure compute function that the tests call, and an ipywidgets view of it.

The view only displays what the compute function returns, so everything a slider shows is
unit-tested without a browser.
"""
import functools
import io
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from . import naive
from .activations import softmax
from .examples import bp_walkthrough_example
from .losses import cross_entropy, cross_entropy_gradient
from .network import ForwardPass, Gradients, Network, validate_sizes
from .plots import plot_counts_on_network, plot_probabilities


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
# Notebook 02: the [3, 2, 2, 1] network with the six weights of W^(1) on sliders
# ----------------------------------------------------------------------------------------------

W11_SWEEP = np.linspace(-2.0, 2.0, 41)


@dataclass
class WalkthroughState:
    """Everything the notebook-02 explorer shows for one choice of W^(1)."""
    network: Network
    record: ForwardPass
    gradients: Gradients
    loss: float
    dL_dw11: float
    sweep_w11: np.ndarray      # w_{1,1}^(1) values of the loss curve
    sweep_loss: np.ndarray     # the loss at each of them, the rest of W^(1) as chosen

    def report(self):
        """The printout: forward pass, loss, the deltas of BP1/BP2 and the target gradient."""
        a, z, delta = self.record.a, self.record.z, self.gradients.delta

        def vec(v, digits):
            return "[" + ", ".join(f"{value:.{digits}f}" for value in v.ravel()) + "]"
        return "\n".join([
            f"z^(1) = {vec(z[1], 4)}   a^(1) = {vec(a[1], 4)}",
            f"z^(2) = {vec(z[2], 4)}   a^(2) = {vec(a[2], 4)}",
            f"z^(3) = {vec(z[3], 4)}   a^(3) = {vec(a[3], 4)}   (target y = 1)",
            f"loss L = {self.loss:.8f}",
            f"delta^(3) = {vec(delta[3], 8)}   (BP1)",
            f"delta^(2) = {vec(delta[2], 8)}   (BP2)",
            f"delta^(1) = {vec(delta[1], 8)}   (BP2)",
            f"dL/dw11 = {self.dL_dw11:.8f}",
        ])


def walkthrough_state(W1):
    """Forward and backward pass of the notebook-02 network with first-layer weights ``W1`` (2×3).

    Pure: builds its own copy of the network, so the explorer and the tests call it freely.
    """
    net, x, y = bp_walkthrough_example()
    W1 = np.asarray(W1, dtype=float)
    if W1.shape != net.W[1].shape:
        raise ValueError(f"walkthrough_state: W1 must have shape {net.W[1].shape}, got {W1.shape}")
    net.W[1] = W1.copy()
    record = net.forward(x)
    gradients = net.backward(record, y)
    sweep_loss = np.empty_like(W11_SWEEP)
    probe = net.copy()
    for i, w in enumerate(W11_SWEEP):
        probe.W[1][0, 0] = w
        sweep_loss[i] = probe.loss(x, y)
    return WalkthroughState(net, record, gradients, net.loss(x, y, record),
                            float(gradients.dW[1][0, 0]), W11_SWEEP, sweep_loss)


class WalkthroughPlot:
    """Two small panels: the loss against w_{1,1}^(1) with its tangent, and |δ^(l)| per layer.

    Drawn once; ``update(state)`` moves the existing lines and bars, which keeps a slider
    redraw far cheaper than building a new figure each time.
    """

    def __init__(self, state):
        self.figure, (self.left, self.right) = plt.subplots(1, 2, figsize=(7.5, 2.6))
        self.curve, = self.left.plot(state.sweep_w11, state.sweep_loss, color="tab:blue")
        self.tangent, = self.left.plot([], [], color="tab:red", lw=1, ls="--",
                                       label="slope = dL/dw11")
        self.point, = self.left.plot([], [], "o", color="tab:red")
        self.left.set(xlabel="$w_{1,1}^{(1)}$", ylabel="loss", title="loss along $w_{1,1}^{(1)}$")
        self.left.legend(fontsize=8, loc="upper right")
        layers = sorted(state.gradients.delta)
        self.bars = self.right.bar([f"$\\delta^{{({l})}}$" for l in layers], np.ones(len(layers)),
                                   color="tab:red")
        self.right.set_yscale("log")
        self.right.set(title="size of the error signal $\\|\\delta^{(l)}\\|$", ylim=(1e-5, 1.0))
        self.figure.tight_layout()
        self.update(state)

    def update(self, state):
        w = state.network.W[1][0, 0]
        self.curve.set_data(state.sweep_w11, state.sweep_loss)
        self.tangent.set_data(state.sweep_w11, state.loss + state.dL_dw11 * (state.sweep_w11 - w))
        self.point.set_data([w], [state.loss])
        low, high = state.sweep_loss.min(), state.sweep_loss.max()
        margin = 0.1 * (high - low) + 1e-3
        self.left.set_ylim(low - margin, high + margin)
        for bar, l in zip(self.bars, sorted(state.gradients.delta)):
            bar.set_height(max(np.linalg.norm(state.gradients.delta[l]), 1e-12))
        return self.figure

    def png(self):
        """The figure as PNG bytes, for an Image widget."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=72)
        return buffer.getvalue()


def explore_walkthrough():
    """Six sliders laid out like W^(1) (2 rows × 3 columns); each move redraws the passes."""
    net, _, _ = bp_walkthrough_example()
    sliders = {f"w{j + 1}{k + 1}": ipywidgets.FloatSlider(
        value=net.W[1][j, k], min=-2.0, max=2.0, step=0.1, description=f"w{j + 1}{k + 1}",
        continuous_update=False, readout_format=".1f", layout=ipywidgets.Layout(width="260px"))
        for j in range(2) for k in range(3)}
    state = walkthrough_state(net.W[1])
    plot = WalkthroughPlot(state)
    plt.close(plot.figure)  # shown through the Image widget, not by the inline backend
    text = ipywidgets.Output()
    image = ipywidgets.Image(format="png")

    def redraw(_change=None):
        W1 = [[sliders[f"w{j + 1}{k + 1}"].value for k in range(3)] for j in range(2)]
        state = walkthrough_state(W1)
        text.clear_output(wait=True)
        with text:
            print(state.report())
        plot.update(state)
        image.value = plot.png()

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    redraw()
    grid = ipywidgets.VBox([ipywidgets.HBox([sliders[f"w{j + 1}{k + 1}"] for k in range(3)]) for j in range(2)])
    return ipywidgets.VBox([ipywidgets.HTML("<b>W<sup>(1)</sup></b>: row j = neuron of layer 1, "
                                      "column k = input x<sub>k</sub>"), grid, text, image])


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
