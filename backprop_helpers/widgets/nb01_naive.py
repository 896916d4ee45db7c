"""Notebook 01's explorer: step through the naive recursion, with the cache off and on."""
import functools
import io
from collections import Counter
from dataclasses import dataclass

import ipywidgets
import numpy as np
from matplotlib.figure import Figure

from .. import naive
from ..network import validate_sizes
from ..plots import plot_counts_on_network
from .screen_reader import with_named_sliders

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


#: what the recursion explorer's picture shows, as text beside it (an Image widget has no alt)
RECURSION_FIGURE_DESCRIPTION = (
    "Figure: the network, each neuron marked with how often its delta has been evaluated so far "
    "(×0 white, ×1 sky blue, more often vermillion and hatched); the call stack drawn as thick "
    "orange arrows from the request to the current call, which has a dotted orange ring; with "
    "the cache on, stored deltas get a thick blue ring. The printout above says the same in words.")


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
                                       description_allow_html=False, readout_format="d",
                                       tooltip="calls made by the recursion so far",
                                       continuous_update=False,
                                       style={"description_width": "initial"},
                                       layout=ipywidgets.Layout(width="520px"))
    printout = ipywidgets.Output()
    picture = ipywidgets.Image(format="png")
    caption = ipywidgets.HTML(f"<p>{RECURSION_FIGURE_DESCRIPTION}</p>")

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
    return with_named_sliders(ipywidgets.VBox([ipywidgets.HBox([network_menu, what_menu]),
                                               cache_toggle, step_slider, printout, picture, caption]))
