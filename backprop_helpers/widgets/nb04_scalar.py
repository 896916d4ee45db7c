"""Notebook 04's explorer: step through ``backward()`` one node at a time, and watch each
node's gradient fill in as the nodes that use it pass theirs down."""
from typing import NamedTuple

import ipywidgets
import matplotlib.pyplot as plt

from ..plots import draw_graph
from ..scalar import Value
from .nb03_softmax import _show_redrawn
from .screen_reader import with_named_sliders


def _seed_graph():
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    d = a * b
    e = d + c
    loss = e * f
    d.label, e.label, loss.label = "d", "e", "loss"
    return loss


def _shared_graph():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    minus_b = -b
    c = a * minus_b
    d = c ** 2
    e = d - c
    minus_b.label, c.label, d.label, e.label = "-b", "c", "d", "e"
    return e


#: the graphs the explorer offers: {menu label: a function building the graph's root on Value}
BACKWARD_GRAPHS = {"loss = (a·b + c)·f": _seed_graph, "e = c² - c, c = a·(-b)": _shared_graph}
#: the step slider's label
BACKWARD_STEP_LABEL = "backward steps"


class BackwardStep(NamedTuple):
    """The backward pass after ``step`` visits (0: the root seeded, nothing passed on yet).

    ``order`` is the graph's topological order (the visits run it backwards); ``visited`` the
    nodes visited so far, in order; ``grads`` every node's gradient so far (a node's is complete
    once every node that uses it has been visited); ``passed`` the shares the current node just
    added, as (input, local derivative, share)."""
    graph: str
    step: int
    total: int
    order: tuple
    visited: tuple
    grads: dict
    passed: tuple

    @property
    def current(self):
        return self.visited[-1] if self.visited else None

    def complete(self, node):
        """Whether ``node``'s gradient is final: every node that uses it has been visited."""
        seen = {id(n) for n in self.visited}
        return all(id(user) in seen for user in self.order if any(i is node for i in user.inputs))

    def lines(self):
        """The explorer's printout; it names the visits made, never the next one."""
        root = self.order[-1]
        if self.current is None:
            head = [f"step 0 of {self.total}: the root {root.label} is seeded, "
                    f"∂{root.label}/∂{root.label} = {self.grads[id(root)]:.4f}; nothing passed on yet"]
        else:
            node = self.current
            gradient = f"∂{root.label}/∂{node.label} = {self.grads[id(node)]:.4f}"
            head = [f"step {self.step} of {self.total}: {node.label} passes {gradient} to its inputs"
                    if node.inputs else
                    f"step {self.step} of {self.total}: {node.label} is a leaf, {gradient}: nothing to pass on"]
            head += [f"  {inp.label}.grad += {local:.4f} × {self.grads[id(node)]:.4f} = {share:+.4f}"
                     for inp, local, share in self.passed]
        return head + ["visited so far: " + (", ".join(n.label for n in self.visited) or "none"),
                       "gradients so far: " + ", ".join(
                           f"{n.label} {self.grads[id(n)]:.4f}{'' if self.complete(n) else ' (so far)'}"
                           for n in reversed(self.order))]


def backward_step(graph="e = c² - c, c = a·(-b)", step=0):
    """The state of ``backward()`` on one of BACKWARD_GRAPHS after ``step`` node visits (0 to the
    number of nodes): the pure computation behind ``explore_backward``."""
    if graph not in BACKWARD_GRAPHS:
        raise ValueError(f"graph must be one of {', '.join(map(repr, BACKWARD_GRAPHS))}, got {graph!r}")
    root = BACKWARD_GRAPHS[graph]()
    order = tuple(root.topological_order())
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= len(order):
        raise ValueError(f"step must be a whole number from 0 to {len(order)} (the graph's nodes), got {step!r}")
    grads = {id(n): 0.0 for n in order}
    grads[id(root)] = 1.0
    visits = list(reversed(order))[:step]
    passed = ()
    for node in visits:
        passed = tuple((inp, local, local * grads[id(node)]) for inp, local in zip(node.inputs, node.local))
        for inp, _, share in passed:
            grads[id(inp)] += share
    return BackwardStep(graph, step, len(order), order, tuple(visits), grads, passed)


def plot_backward_step(state, ax=None):
    """The graph of ``state`` drawn by draw_graph: visited nodes lit and numbered by their
    visit, the current one ringed, every box showing its gradient so far. Returns the axes."""
    root = state.order[-1]
    ax = draw_graph(root, ax=ax, show_order=True, grads=state.grads,
                    lit={id(n) for n in state.visited}, current=state.current)
    ax.text(0.5, 0.97, f"{state.graph}: backward() after {state.step} of {state.total} visits",
            transform=ax.transAxes, ha="center", va="top", fontsize=9)   # inside: no tight box here
    return ax


def backward_step_alt(state):
    """The alt text of the explorer's figure at ``state``."""
    head = (f"Computation graph of {state.graph} during backward(), after {state.step} of {state.total} "
            f"visits. ")
    if state.current is None:
        return head + (f"No box is visited yet, so all are grey; the root {state.order[-1].label} holds its "
                       f"seed gradient 1, the others 0. Every box shows its data and its gradient so far.")
    visited = ", ".join(n.label for n in state.visited)
    return head + (f"Visited boxes are coloured and numbered by their visit ({visited}); the current one, "
                   f"{state.current.label}, has a thick red edge; boxes not visited yet are grey. Every box "
                   f"shows its data and its gradient so far.")


def explore_backward(graph="e = c² - c, c = a·(-b)"):
    """A slider over the steps of backward(): prints backward_step(graph, step).lines() and draws
    the graph with the visited nodes lit. A menu chooses the graph. Returns the widget."""
    first = BACKWARD_GRAPHS[graph]()
    figure = plot_backward_step(backward_step(graph, 0)).figure   # sized by draw_graph for the graph
    ax = figure.axes[0]
    plt.close(figure)        # shown by the callback only

    def show(graph, step):
        total = len(BACKWARD_GRAPHS[graph]().topological_order())
        state = backward_step(graph, min(step, total))
        print("\n".join(state.lines()))
        ax.clear()
        plot_backward_step(state, ax=ax)
        _show_redrawn(figure, alt=backward_step_alt(state), dpi=100)

    slider = ipywidgets.IntSlider(value=0, min=0, max=len(first.topological_order()), step=1,
                                  description=BACKWARD_STEP_LABEL, continuous_update=False,
                                  tooltip="steps of backward() taken so far", readout_format="d",
                                  style={"description_width": "initial"},
                                  layout=ipywidgets.Layout(width="420px"))
    menu = ipywidgets.Dropdown(options=list(BACKWARD_GRAPHS), value=graph, description="graph",
                               layout=ipywidgets.Layout(width="320px"))

    def resize(change):
        slider.max = len(BACKWARD_GRAPHS[change["new"]]().topological_order())
    menu.observe(resize, names="value")
    return with_named_sliders(ipywidgets.interactive(show, graph=menu, step=slider))
