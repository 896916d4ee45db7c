"""Matplotlib figures of the course: network diagrams with highlighted paths, and more.

Every function draws on an ``ax`` it is given (or a new figure) and returns the axes, so a
notebook can compose figures and a test can inspect what was drawn.
"""
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch, Patch, Rectangle

from .activations import sigmoid
from .naive import trace_calls
from .network import validate_sizes
from .broadcasting import reduce_to_shape, summed_axes

# The Okabe-Ito palette: eight colours that stay distinct under the common colour-vision
# deficiencies (Okabe & Ito, "Color Universal Design", 2008). Where colour carries meaning,
# pair it with a second cue (line style, marker, hatch) as well.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}


def show_figure(fig, alt):
    """Show ``fig`` in the notebook as a PNG whose alt text is ``alt``, then close it.

    ``fig`` is a matplotlib Figure (or an Axes, or a sequence of Axes, of one figure: what the
    drawing functions here return). ``alt`` says what the figure shows, for a reader who cannot
    see it; it travels in the output's metadata (``{"image/png": {"alt": alt}}``), from where
    ``run-notebooks`` copies it into the cell metadata the course website is built from.
    The output's text form stays ``<Figure size WxH with N Axes>``, like the inline backend's.
    The figure is closed, so the inline backend does not show it a second time.

        show_figure(network_diagram([3, 2, 2, 1]), alt="A 3-2-2-1 network, every edge drawn.")
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"show_figure: alt must be a non-empty text saying what the figure "
                         f"shows (for a reader who cannot see it), got {alt!r}")
    figure = fig
    if not isinstance(figure, Figure):
        axes = [fig] if hasattr(fig, "figure") else list(np.ravel(fig)) if np.ndim(fig) else []
        figures = {id(getattr(a, "figure", None)): getattr(a, "figure", None) for a in axes}
        figure = next(iter(figures.values())) if len(figures) == 1 else None
        if not isinstance(figure, Figure):
            raise TypeError(f"show_figure: expected a matplotlib Figure (or Axes of one figure), "
                            f"got {type(fig).__name__}")
    from IPython.core.pylabtools import print_figure  # what the inline backend draws with
    png = print_figure(figure, "png", bbox_inches="tight", base64=True)
    if png is None:
        raise ValueError("show_figure: the figure is empty (no axes, nothing drawn)")
    text = repr(figure)
    plt.close(figure)
    display({"image/png": png, "text/plain": text}, raw=True,
            metadata={"image/png": {"alt": alt.strip()}})


# ----------------------------------------------------------------------------------------------
# Notebook 01: the recursion's call tree, call counts on the network, growth with depth,
# the cost of a gradient, and the step size of central differences
# ----------------------------------------------------------------------------------------------

#: a δ evaluated more than once (repeated work), once, and a cache look-up
REPEATED_COLOUR, ONCE_COLOUR, LOOKUP_COLOUR = (OKABE_ITO["vermillion"], OKABE_ITO["sky_blue"],
                                               "white")


def delta_label(l, j):
    """The math name of the δ the code keys as (l, j), as matplotlib mathtext: $\\delta^{(l)}_{j+1}$."""
    return f"$\\delta^{{({l})}}_{{{j + 1}}}$"


def _tree_positions(calls):
    """x, y of every call in a tidy layout: leaves side by side, a parent above its children."""
    children = {call.index: [] for call in calls}
    for call in calls:
        if call.parent is not None:
            children[call.parent].append(call.index)
    x, next_leaf = {}, [0.0]

    def place(index):        # depth is at most the network's depth: recursion is safe here
        if not children[index]:
            x[index] = next_leaf[0]
            next_leaf[0] += 1.0
        else:
            for child in children[index]:
                place(child)
            x[index] = sum(x[c] for c in children[index]) / len(children[index])
    for call in calls:
        if call.parent is None:
            place(call.index)
            next_leaf[0] += 0.5          # a gap between the trees of two requests
    return {call.index: (x[call.index], -call.depth) for call in calls}


def plot_call_tree(calls, ax=None, title=None):
    """Draw a call tree from naive.trace_calls: one circle per call, an edge from caller to callee.

    Fill and hatching say what a call cost: a δ evaluated more than once in the tree is
    vermillion and hatched (repeated work), a δ evaluated once is sky blue and plain, and a
    call answered by the cache is a white circle with a dashed edge and outline (a look-up,
    no work below it). Returns the axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 3.2))
    calls = list(calls)
    if not calls:
        raise ValueError("plot_call_tree: no calls to draw")
    evaluations = {}
    for call in calls:
        if not call.looked_up:
            evaluations[call.node] = evaluations.get(call.node, 0) + 1
    position = _tree_positions(calls)
    for call in calls:
        if call.parent is not None:
            (x0, y0), (x1, y1) = position[call.parent], position[call.index]
            ax.plot([x0, x1], [y0, y1], color="0.35", lw=1.0, zorder=1,
                    linestyle="--" if call.looked_up else "-")
    for call in calls:
        x, y = position[call.index]
        if call.looked_up:
            style = dict(facecolor=LOOKUP_COLOUR, edgecolor="black", linestyle="--", hatch=None)
        elif evaluations[call.node] > 1:
            style = dict(facecolor=REPEATED_COLOUR, edgecolor="black", linestyle="-", hatch="///")
        else:
            style = dict(facecolor=ONCE_COLOUR, edgecolor="black", linestyle="-", hatch=None)
        ax.add_patch(Circle((x, y), 0.36, lw=1.1, zorder=3, **style))
        ax.text(x, y, delta_label(*call.node), ha="center", va="center", fontsize=9, zorder=4,
                bbox=dict(boxstyle="round,pad=0.05", fc="white", ec="none", alpha=0.85))
    xs = [p[0] for p in position.values()]
    depth = max(call.depth for call in calls)
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(-depth - 0.6, 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    n_eval, n_lookup = sum(evaluations.values()), sum(c.looked_up for c in calls)
    ax.set_title(title if title is not None else
                 f"{n_eval} evaluations" + (f", {n_lookup} look-ups" if n_lookup else ""), fontsize=10)
    return ax


def call_tree_legend(fig):
    """The key of plot_call_tree's fills, along the bottom of ``fig``."""
    handles = [Patch(facecolor=REPEATED_COLOUR, edgecolor="black", hatch="///",
                     label="δ evaluated more than once (repeated work)"),
               Patch(facecolor=ONCE_COLOUR, edgecolor="black", label="δ evaluated once"),
               Patch(facecolor=LOOKUP_COLOUR, edgecolor="black", linestyle="--",
                     label="answered by the cache (a look-up)")]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
    return fig


def call_tree_comparison(sizes, request=(1, 0)):
    """A figure: the call tree of one request for δ, naive (left) and with a cache (right)."""
    naive_calls = trace_calls(sizes, [request], cached=False)
    cached_calls = trace_calls(sizes, [request], cached=True)
    leaves = max(sum(1 for c in calls if not any(d.parent == c.index for d in calls))
                 for calls in (naive_calls, cached_calls))
    fig, (left, right) = plt.subplots(1, 2, figsize=(min(14.0, 2.2 + 0.95 * leaves * 2), 3.6),
                                      gridspec_kw={"width_ratios": [1.2, 1.0]})
    name = delta_label(*request)
    n_naive = len(naive_calls)
    n_eval = sum(not c.looked_up for c in cached_calls)
    plot_call_tree(naive_calls, ax=left, title=f"naive: one request for {name}\n"
                                                 f"{n_naive} evaluations")
    plot_call_tree(cached_calls, ax=right,
                   title=f"with a cache: the same request\n{n_eval} evaluations, "
                         f"{len(cached_calls) - n_eval} look-ups")
    fig.text(0.01, 0.5, "calls go down:\neach δ asks\nthe δs of the\nneurons it feeds",
             fontsize=8, va="center")
    call_tree_legend(fig)
    fig.subplots_adjust(left=0.1, right=0.99, top=0.85, bottom=0.12, wspace=0.05)
    return fig


def _layer_positions(sizes):
    return {(l, j): (1.6 * l, 1.4 * ((n - 1) / 2 - j)) for l, n in enumerate(sizes) for j in range(n)}


def plot_counts_on_network(sizes, calls, ax=None, title=None, stack=(), stored=()):
    """The network's neurons with how often each δ_j^(l) was evaluated written inside.

    ``calls`` maps (l, j) to a count (RecursionResult.calls). A δ evaluated more than once is
    vermillion and hatched, once sky blue, not yet white. ``stack`` (a list of (l, j)) is
    drawn as a thick orange path with arrows, the recursion's call stack from the request to
    the current call; ``stored`` neurons (in a cache) get a thick blue outline.
    """
    sizes = list(sizes)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.4 * len(sizes) + 1.0, 1.1 * max(sizes) + 1.4))
    position = _layer_positions(sizes)
    for l in range(len(sizes) - 1):
        for k in range(sizes[l]):
            for j in range(sizes[l + 1]):
                (x0, y0), (x1, y1) = position[l, k], position[l + 1, j]
                ax.plot([x0, x1], [y0, y1], color="0.75", lw=0.8, zorder=1)
    for a, b in zip(list(stack)[:-1], list(stack)[1:]):
        (x0, y0), (x1, y1) = position[a], position[b]
        length = np.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        ax.annotate("", xy=(x1 - 0.4 * ux, y1 - 0.4 * uy), xytext=(x0 + 0.38 * ux, y0 + 0.38 * uy),
                    zorder=5, arrowprops=dict(arrowstyle="-|>,head_length=0.6,head_width=0.35",
                                              color=OKABE_ITO["orange"], lw=3.0,
                                              shrinkA=0, shrinkB=0))
    for (l, j), (x, y) in position.items():
        if l == 0:
            ax.add_patch(Circle((x, y), 0.3, facecolor="0.92", edgecolor="0.5", zorder=3))
            ax.text(x, y, f"$x_{{{j + 1}}}$", ha="center", va="center", fontsize=9, zorder=4)
            continue
        count = calls.get((l, j), 0)
        face, hatch = ((REPEATED_COLOUR, "///") if count > 1 else
                       (ONCE_COLOUR, None) if count == 1 else ("white", None))
        is_stored = (l, j) in set(stored)
        ax.add_patch(Circle((x, y), 0.36, facecolor=face, hatch=hatch, zorder=3,
                            edgecolor=OKABE_ITO["blue"] if is_stored else "black",
                            lw=3.2 if is_stored else 1.1))
        ax.text(x, y, f"×{count}", ha="center", va="center", fontsize=10, zorder=4,
                fontweight="bold", bbox=dict(boxstyle="round,pad=0.08", fc="white", ec="none",
                                             alpha=0.85))
        ax.text(x, y + 0.47, delta_label(l, j), ha="center", va="bottom", fontsize=8, zorder=4)
    if stack:
        x, y = position[tuple(stack[-1])]
        ax.add_patch(Circle((x, y), 0.5, facecolor="none", edgecolor=OKABE_ITO["orange"],
                            lw=2.5, linestyle=":", zorder=5))
    top = 1.4 * (max(sizes) - 1) / 2
    ax.set_xlim(-0.6, 1.6 * (len(sizes) - 1) + 0.6)
    ax.set_ylim(-top - 0.6, top + 0.95)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def counts_on_network_comparison(sizes, naive_calls, cached_calls):
    """A figure: the evaluations of every δ for one full gradient, naive (left), cached (right)."""
    fig, axes = plt.subplots(1, 2, figsize=(2.1 * len(sizes) + 0.6, 1.1 * max(sizes) + 1.6))
    plot_counts_on_network(sizes, naive_calls, ax=axes[0],
                           title=f"naive: {sum(naive_calls.values())} evaluations")
    plot_counts_on_network(sizes, cached_calls, ax=axes[1],
                           title=f"with a cache: {sum(cached_calls.values())} evaluations")
    fig.legend(handles=[Patch(facecolor=REPEATED_COLOUR, edgecolor="black", hatch="///",
                              label="evaluated more than once"),
                        Patch(facecolor=ONCE_COLOUR, edgecolor="black", label="evaluated once")],
               loc="lower center", ncol=2, fontsize=8, frameon=False)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.88, bottom=0.12, wspace=0.08)
    return fig


def plot_skip_network(sizes, skips, ax=None, title=None):
    """A network whose layers also feed layers further up: the usual edges grey and solid, each
    skip connection (l, m), layer l feeding layer m > l + 1, as orange dashed arcs."""
    sizes = validate_sizes(sizes)
    for l, m in skips:
        if not (0 <= l and l + 1 < m < len(sizes)):
            raise ValueError(f"plot_skip_network: a skip (l, m) needs 0 <= l and l + 1 < m <= "
                             f"{len(sizes) - 1}, got ({l}, {m}) for sizes {sizes}")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 * len(sizes) + 1.0, 1.1 * max(sizes) + 1.6))
    position = _layer_positions(sizes)
    for l in range(len(sizes) - 1):
        for k in range(sizes[l]):
            for j in range(sizes[l + 1]):
                (x0, y0), (x1, y1) = position[l, k], position[l + 1, j]
                ax.plot([x0, x1], [y0, y1], color="0.6", lw=0.9, zorder=1)
    for l, m in skips:
        for k in range(sizes[l]):
            for j in range(sizes[m]):
                ax.annotate("", xy=position[m, j], xytext=position[l, k], zorder=2,
                            arrowprops=dict(arrowstyle="-", color=OKABE_ITO["orange"], lw=1.6,
                                            linestyle="--", connectionstyle="arc3,rad=-0.3",
                                            shrinkA=12, shrinkB=12))
    for (l, j), (x, y) in position.items():
        ax.add_patch(Circle((x, y), 0.3, facecolor="0.92" if l == 0 else OKABE_ITO["sky_blue"],
                            edgecolor="black", zorder=3))
        ax.text(x, y, f"$x_{{{j + 1}}}$" if l == 0 else f"$z^{{({l})}}_{{{j + 1}}}$",
                ha="center", va="center", fontsize=8, zorder=4)
    top = 1.4 * (max(sizes) - 1) / 2
    ax.legend(handles=[Line2D([], [], color="0.6", lw=0.9, label="layer to the next layer"),
                       Line2D([], [], color=OKABE_ITO["orange"], lw=1.6, linestyle="--",
                              label="skip connection")],
              loc="upper center", bbox_to_anchor=(0.5, 0.02), ncol=2, fontsize=8, frameon=False)
    ax.set_xlim(-0.6, 1.6 * (len(sizes) - 1) + 0.6)
    ax.set_ylim(-top - 0.9, top + 0.9)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


_WIDTH_MARKERS = ("o", "s", "^", "D", "v", "P")


def plot_call_growth(growths, ax=None, highlight=None):
    """Calls against depth on a log scale: naive (solid) and cached (dashed), one colour and
    marker per width.

    ``growths`` is a list of naive.CallGrowth. Filled markers are counts measured by running
    the recursion, open markers come from the closed form (the legend says so). Each naive
    line is labelled with its growth factor per layer at its deepest point. ``highlight`` =
    (depth, calls) rings one point.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.6))
    colours = [OKABE_ITO[name] for name in ("blue", "vermillion", "bluish_green",
                                                "reddish_purple", "orange", "sky_blue")]
    for index, growth in enumerate(growths):
        colour, marker = colours[index % len(colours)], _WIDTH_MARKERS[index % len(_WIDTH_MARKERS)]
        ax.plot(growth.depths, growth.naive, "-", color=colour, label=f"naive, width {growth.width}")
        ax.plot(growth.depths, growth.cached, "--", color=colour, label=f"cached, width {growth.width}")
        for depth, count, measured in zip(growth.depths, growth.naive, growth.measured):
            ax.plot(depth, count, marker, color=colour, markersize=4,
                    markerfacecolor=colour if measured else "white")
        if len(growth.depths) > 1:
            factor = growth.naive[-1] / growth.naive[-2]
            ax.annotate(f"×{factor:.1f} per layer", (growth.depths[-1], growth.naive[-1]),
                        xytext=(4, 0), textcoords="offset points", fontsize=7, color=colour,
                        va="center")
    if highlight is not None:
        ax.plot(*highlight, "o", markersize=12, markerfacecolor="none", markeredgecolor="black")
    handles, _ = ax.get_legend_handles_labels()
    handles += [Line2D([], [], marker="o", color="0.3", linestyle="", markerfacecolor="0.3",
                       label="measured by running it"),
                Line2D([], [], marker="o", color="0.3", linestyle="", markerfacecolor="white",
                       label="from the closed form")]
    ax.set_yscale("log")
    ax.set_xlabel("depth L (layers of weights)")
    ax.set_ylabel("evaluations of $\\partial\\mathcal{L}/\\partial z$")
    ax.legend(handles=handles, frameon=False, fontsize=7, ncol=2, loc="upper left")
    ax.grid(True, which="major", alpha=0.3)
    ax.margins(x=0.12)
    return ax


def plot_gradient_cost(parameter_counts, costs, ax=None, ylabel="loss evaluations per gradient"):
    """Cost of one gradient against the number of parameters, log–log, one line per method.

    ``costs`` maps a method's name to its costs (same order as ``parameter_counts``); each
    method gets its own colour, marker and line style.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5.6, 3.4))
    styles = [(OKABE_ITO["vermillion"], "o", "-"), (OKABE_ITO["blue"], "s", "--"),
              (OKABE_ITO["bluish_green"], "^", ":")]
    for (name, values), (colour, marker, line) in zip(costs.items(), styles):
        ax.loglog(parameter_counts, values, linestyle=line, marker=marker, color=colour, label=name)
    ax.set_xlabel("parameters P")
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=8)
    ax.grid(True, which="major", alpha=0.3)
    return ax


def plot_step_size_sweep(eps_values, relative_errors, tolerance, chosen_eps=None,
                         models=(), ax=None):
    """Relative error of central differences against the step ε, log–log, one line per entry.

    ``relative_errors`` maps an entry's label to its errors (zeros are drawn at 1e-17).
    ``models`` is a list of (label, values), each drawn as a grey line, dotted then dash-dotted;
    the tolerance is a labelled horizontal line and ``chosen_eps`` a labelled vertical one.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 3.4))
    styles = [(OKABE_ITO["vermillion"], "o", "-"), (OKABE_ITO["blue"], "s", "--"),
              (OKABE_ITO["bluish_green"], "^", "-.")]
    for (label, errors), (colour, marker, line) in zip(relative_errors.items(), styles):
        ax.loglog(eps_values, np.maximum(errors, 1e-17), linestyle=line, marker=marker,
                  markersize=3, color=colour, label=label)
    measured = np.concatenate([np.ravel(e) for e in relative_errors.values()])
    positive = measured[measured > 0]
    low, high = (positive.min() / 10, positive.max() * 10) if positive.size else (1e-17, 1.0)
    for (label, values), line in zip(models, (":", "-.", (0, (1, 3)))):
        ax.loglog(eps_values, values, linestyle=line, color="0.3", label=label)
    ax.set_ylim(low, high)     # model lines may run far below what was measured: cut them there
    ax.axhline(tolerance, color="black", linewidth=0.8)
    ax.annotate(f"tolerance {tolerance:.0e}", (eps_values[0], tolerance), xytext=(0, 3),
                textcoords="offset points", fontsize=8)
    if chosen_eps is not None:
        ax.axvline(chosen_eps, color=OKABE_ITO["orange"], linewidth=1.2, linestyle="--")
        ax.annotate(f"ε = {chosen_eps:.0e}", (chosen_eps, ax.get_ylim()[1]), xytext=(3, -12),
                    textcoords="offset points", fontsize=8, color="0.2")
    ax.set_xlabel("step ε")
    ax.set_ylabel("relative error")
    ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    return ax


# ----------------------------------------------------------------------------------------------
# Notebook 02 (and any network): the network diagram with highlighted paths
# ----------------------------------------------------------------------------------------------

# Paths: Okabe-Ito colours, each with its own line style too (the second cue); the target
# weight is orange, thick and labelled. Under simulated deuteranopia, protanopia and
# tritanopia these seven colours stay at least 16 CIELAB units apart (tests/test_figures.py).
PATH_COLOURS = tuple(OKABE_ITO[name] for name in
                     ("blue", "vermillion", "bluish_green", "reddish_purple", "sky_blue", "black"))
PATH_STYLES = ("-", "--", ":", "-.", (0, (6, 2, 1, 2, 1, 2)), (0, (1, 3)))
TARGET_COLOUR = OKABE_ITO["orange"]
LAYER_COLOURS = ("#AED6F1", "#A9DFBF", "#F9E79F")  # input, hidden, output


def neuron_label(sizes, layer, neuron):
    """The math name of a neuron: x_k in the input layer, a_j^(l) elsewhere (1-based j, k)."""
    if layer == 0:
        return f"$x_{{{neuron + 1}}}$"
    if layer == len(sizes) - 1 and sizes[layer] == 1:
        return f"$a^{{({layer})}}$"
    return f"$a_{{{neuron + 1}}}^{{({layer})}}$"


def network_diagram(sizes, paths=(), target_weight=None, ax=None, title=None):
    """Draw a feed-forward network: neurons per layer with labels and every edge.

    ``paths``: neuron paths to highlight, each a sequence of (layer, neuron) pairs, 0-based
    (e.g. ``[(0, 0), (1, 0), (2, 1), (3, 0)]``); each gets its own colour and legend entry.
    ``target_weight``: (layer, row, col) of one weight W[layer][row, col], drawn thick and
    labelled w_{row+1,col+1}^(layer) as in the math. Readable up to about 8 neurons a layer.
    """
    sizes = validate_sizes(sizes)
    if max(sizes) > 12:
        raise ValueError(f"network_diagram: {max(sizes)} neurons in one layer would be unreadable; "
                         f"draw at most 12 per layer")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.9 * len(sizes) + 1.5, 0.75 * max(sizes) + 1.8))
    spacing = 1.0
    radius = 0.28
    position = {(l, i): (2.2 * l, (n - 1) / 2 * spacing - i * spacing)
                for l, n in enumerate(sizes) for i in range(n)}

    def edge(a, b, **style):
        (x0, y0), (x1, y1) = position[a], position[b]
        ax.plot([x0, x1], [y0, y1], solid_capstyle="round", **style)

    for l in range(len(sizes) - 1):
        for i in range(sizes[l]):
            for j in range(sizes[l + 1]):
                edge((l, i), (l + 1, j), color="0.6", lw=0.8, alpha=0.6, zorder=1)
    legend = []
    for number, path in enumerate(paths):
        colour = PATH_COLOURS[number % len(PATH_COLOURS)]
        style = PATH_STYLES[number % len(PATH_STYLES)]
        for a, b in zip(path[:-1], path[1:]):
            if a not in position or b not in position or b[0] != a[0] + 1:
                raise ValueError(f"network_diagram: path {list(path)} steps from {a} to {b}, "
                                 f"which is no edge of a network with sizes {sizes}")
            edge(a, b, color=colour, lw=2.6, alpha=0.85, zorder=2, linestyle=style)
        names = " → ".join(neuron_label(sizes, l, i) for l, i in path)
        legend.append(Line2D([], [], color=colour, lw=2.6, linestyle=style,
                             label=f"path {number + 1}: {names}"))
    if target_weight is not None:
        l, row, col = target_weight
        if not (1 <= l < len(sizes) and 0 <= row < sizes[l] and 0 <= col < sizes[l - 1]):
            raise ValueError(f"network_diagram: no weight W[{l}][{row}, {col}] in a network with sizes {sizes}")
        edge((l - 1, col), (l, row), color=TARGET_COLOUR, lw=4.5, zorder=3)
        (x0, y0), (x1, y1) = position[(l - 1, col)], position[(l, row)]
        ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.18, f"$w_{{{row + 1},{col + 1}}}^{{({l})}}$",
                color=TARGET_COLOUR, fontsize=12, ha="center", va="bottom", zorder=6,
                bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.8))
        legend.insert(0, Line2D([], [], color=TARGET_COLOUR, lw=4.5, label="target weight"))
    last = len(sizes) - 1
    for (l, i), (x, y) in position.items():
        colour = LAYER_COLOURS[0 if l == 0 else 2 if l == last else 1]
        ax.add_patch(plt.Circle((x, y), radius, facecolor=colour, edgecolor="black", lw=1.2, zorder=4))
        ax.text(x, y, neuron_label(sizes, l, i), ha="center", va="center", fontsize=10, zorder=5)
    bottom = -(max(sizes) - 1) / 2 * spacing - 0.8
    for l in range(len(sizes)):
        role = "input" if l == 0 else "output" if l == last else "hidden"
        ax.text(2.2 * l, bottom, f"layer {l}\n{role}", ha="center", va="top", fontsize=9)
    if legend:
        ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9, frameon=False)
    ax.set_xlim(-0.6, 2.2 * last + 0.6)
    ax.set_ylim(bottom - 0.7, (max(sizes) - 1) / 2 * spacing + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


# Okabe–Ito colours used by the notebook-02 figures (orange, sky blue, bluish green, blue,
# vermillion, reddish purple), each paired with its own marker so colour is never the only cue.
_NB02_COLOURS = tuple(OKABE_ITO[name] for name in ("orange", "sky_blue", "bluish_green", "blue",
                                                   "vermillion", "reddish_purple"))
_NB02_MARKERS = ("o", "s", "^", "D", "v", "P")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUPERSCRIPT = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")


def unicode_name(symbol, layer, index=None):
    """A symbol with 1-based subscript and layer superscript in plain text: z₁⁽²⁾, or z⁽³⁾."""
    subscript = "" if index is None else str(index + 1).translate(_SUBSCRIPT)
    return f"{symbol}{subscript}{f'({layer})'.translate(_SUPERSCRIPT)}"


def _neuron_positions(sizes, dx=3.0, dy=2.3):
    return {(l, i): (dx * l, ((n - 1) / 2 - i) * dy) for l, n in enumerate(sizes) for i in range(n)}


class AnnotatedNetwork:
    """The network drawn with every neuron's forward values z, a (above) and its δ (below).

    Drawn once; ``update(record, gradients, loss, y)`` rewrites the numbers and shades a ring
    around each neuron by |δ| on a log scale (the number is printed beside it, so the shade is a second
    cue, never the only one). The notebook-02 explorer redraws it on every slider move, so its
    labels are plain Unicode text (no mathtext to parse on every draw; ℒ is the loss).
    """

    DELTA_RANGE = (1e-5, 1.0)  # |δ| shaded from white (1e-5 or less) to dark orange (1)

    def __init__(self, sizes, ax=None, title=None):
        sizes = list(sizes)
        if len(sizes) < 2 or min(sizes) < 1 or max(sizes) > 6:
            raise ValueError(f"AnnotatedNetwork: sizes must list at least two layers of 1 to 6 "
                             f"neurons (more would be unreadable), got {sizes}")
        self.sizes = sizes
        if ax is None:
            _, ax = plt.subplots(figsize=(1.9 * len(sizes) + 1.6, 1.1 * max(sizes) + 1.7))
        self.ax = ax
        self.position = _neuron_positions(sizes)
        radius = 0.36
        for l in range(len(sizes) - 1):
            for i in range(sizes[l]):
                for j in range(sizes[l + 1]):
                    (x0, y0), (x1, y1) = self.position[(l, i)], self.position[(l + 1, j)]
                    ax.plot([x0, x1], [y0, y1], color="0.75", lw=0.8, zorder=1)
        self.halos, self.forward_text, self.backward_text = {}, {}, {}
        for (l, i), (x, y) in self.position.items():
            ax.add_patch(Circle((x, y), radius, facecolor="white", edgecolor="black", lw=1.2, zorder=3))
            if l > 0:  # a thick ring around the neuron, shaded by |δ|
                self.halos[(l, i)] = Circle((x, y), radius + 0.07, facecolor="none", lw=7,
                                            edgecolor="white", zorder=2)
                ax.add_patch(self.halos[(l, i)])
            name = (f"x{str(i + 1).translate(_SUBSCRIPT)}" if l == 0 else
                    unicode_name("a", l, None if l == len(sizes) - 1 and sizes[l] == 1 else i))
            ax.text(x, y, name, ha="center", va="center", fontsize=10, zorder=4)
            self.forward_text[(l, i)] = ax.text(x, y + radius + 0.16, "", ha="center", va="bottom",
                                                fontsize=8.5, zorder=4)
            if l > 0:
                self.backward_text[(l, i)] = ax.text(x, y - radius - 0.16, "", ha="center", va="top",
                                                     fontsize=8.5, color=_NB02_COLOURS[4], zorder=4)
        last = len(sizes) - 1
        x_out, y_out = self.position[(last, 0)]
        self.loss_text = ax.text(x_out + radius + 0.25, y_out, "", ha="left", va="center", fontsize=9)
        top = (max(sizes) - 1) / 2 * 2.3
        for l in range(len(sizes)):
            role = "input" if l == 0 else "output" if l == last else "hidden"
            ax.text(3.0 * l, -top - 1.35, f"layer {l} ({role})", ha="center", va="top", fontsize=9)
        ax.set_xlim(-1.0, 3.0 * last + 2.6)
        ax.set_ylim(-top - 1.75, top + 1.2)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(title or "forward values above each neuron (black), "
                              "backward error signals δ below (vermillion)", fontsize=10)

    def moving_artists(self):
        """What ``update`` changes for a new record of the same input (the shaded rings and every
        number but the inputs'): an explorer redraws only these."""
        return (list(self.halos.values())
                + [text for (l, _), text in self.forward_text.items() if l > 0]
                + list(self.backward_text.values()) + [self.loss_text])

    def shade(self, delta):
        """The ring colour for an error signal δ: white for |δ| <= 1e-5, dark orange for |δ| >= 1."""
        low, high = np.log10(self.DELTA_RANGE)
        level = (np.log10(max(abs(float(delta)), 1e-300)) - low) / (high - low)
        return plt.cm.Oranges(0.05 + 0.8 * float(np.clip(level, 0.0, 1.0)))

    def update(self, record, gradients, loss=None, y=None):
        """Write z, a and δ of ``record`` (a ForwardPass) and ``gradients`` into the drawing."""
        for (l, i), text in self.forward_text.items():
            if l == 0:
                text.set_text(f"a = {record.a[0][i, 0]:.2f}")
            else:
                text.set_text(f"z = {record.z[l][i, 0]:.4f}\na = {record.a[l][i, 0]:.4f}")
        for (l, i), text in self.backward_text.items():
            value = gradients.delta[l][i, 0]
            text.set_text(f"δ = {value:.8f}")
            self.halos[(l, i)].set_edgecolor(self.shade(value))
        if loss is not None:
            target = "" if y is None else f"y = {float(np.ravel(y)[0]):g}\n"
            self.loss_text.set_text(f"{target}ℒ = {loss:.4f}")
        return self.ax


def plot_annotated_network(net, record, gradients, y=None, ax=None, title=None):
    """Draw ``net`` with each neuron's z, a and δ (see AnnotatedNetwork); returns the axes."""
    loss = None if y is None else net.loss(record.a[0], y, record)
    return AnnotatedNetwork(net.sizes, ax=ax, title=title).update(record, gradients, loss, y)


def plot_sigmoid_operating_points(z, ax=None, limit=4.0):
    """σ and σ′ side by side, each neuron's pre-activation z_j^(l) marked on both curves.

    ``z`` maps layer l to its column z^(l) (a ForwardPass's ``z``). Each layer has its own
    colour and marker; every point is labelled with its neuron. Returns the two axes.
    """
    if ax is None:
        _, ax = plt.subplots(1, 2, figsize=(10, 3.4))
    left, right = ax
    layers = sorted(z)
    values = np.concatenate([np.ravel(z[l]) for l in layers])
    limit = max(limit, float(np.max(np.abs(values))) + 0.5)
    t = np.linspace(-limit, limit, 401)
    s = 1.0 / (1.0 + np.exp(-t))
    left.plot(t, s, color="0.3", lw=1.5)
    right.plot(t, s * (1 - s), color="0.3", lw=1.5)
    right.axhline(0.25, color="0.6", lw=0.8, ls=":")
    right.text(-limit + 0.1, 0.252, "σ′ ≤ ¼", fontsize=8, va="bottom", color="0.4")
    for number, l in enumerate(layers):
        column = np.ravel(z[l])
        sig = 1.0 / (1.0 + np.exp(-column))
        style = dict(color=_NB02_COLOURS[number % 6], marker=_NB02_MARKERS[number % 6], ls="none",
                     markersize=8, markeredgecolor="black", zorder=3)
        names = ", ".join(f"{unicode_name('z', l, None if column.size == 1 else j)} = {value:.2f}"
                          for j, value in enumerate(column))
        left.plot(column, sig, label=f"layer {l}: {names}", **style)
        right.plot(column, sig * (1 - sig), **style)
    left.set(xlabel="pre-activation z", ylabel="σ(z)", title="σ(z): each neuron's operating point")
    right.set(xlabel="pre-activation z", ylabel="σ′(z)", ylim=(0, 0.29),
              title="σ′(z) = σ(z)(1 − σ(z)), the factor in BP1 and BP2")
    left.legend(frameon=False, fontsize=8, loc="upper left")
    for axis in ax:
        axis.grid(True, alpha=0.3)
    return ax


# ----------------------------------------------------------------------------------------------
# Notebook 03: the softmax Jacobian, ReLU and its derivative, the margin curves, dead units, the
# probability triangle
# ----------------------------------------------------------------------------------------------

def _axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_jacobian(J, ax=None, title=r"softmax Jacobian $\partial a_i / \partial z_k$"):
    """A heat map of a square Jacobian with each entry written in its cell.

    The colour scale is symmetric about 0 (red positive, blue negative), so the positive
    diagonal a_i(1 - a_i) and the negative off-diagonal -a_i a_k stand out.
    """
    J = np.asarray(J, dtype=float)
    if J.ndim != 2 or J.shape[0] != J.shape[1]:
        raise ValueError(f"plot_jacobian: expected a square matrix, got shape {J.shape}")
    ax = _axes(ax, (3.4, 2.8))
    limit = max(float(np.max(np.abs(J))), 1e-12)
    image = ax.imshow(J, cmap="RdBu_r", vmin=-limit, vmax=limit)
    n = J.shape[0]
    for i in range(n):
        for k in range(n):
            colour = "white" if abs(J[i, k]) > 0.6 * limit else "black"  # readable on dark cells
            ax.text(k, i, f"{J[i, k]:.4f}", ha="center", va="center", color=colour,
                    fontsize=10 if n <= 3 else 8)
    ax.set_xticks(range(n), [f"z{k + 1}" for k in range(n)])
    ax.set_yticks(range(n), [f"a{i + 1}" for i in range(n)])
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    return ax


def plot_relu(ax=None, limit=2.0):
    """ReLU and its derivative side by side, with the course's choice ReLU'(0) = 0 marked.

    Returns the two axes. The derivative is drawn as two flat pieces with a filled dot at
    (0, 0), the value the package uses, and an open dot at (0, 1), the value it does not.
    """
    if ax is None:
        _, ax = plt.subplots(1, 2, figsize=(7, 2.6))
    left, right = ax
    z = np.linspace(-limit, limit, 201)
    left.plot(z, np.maximum(0.0, z), color=OKABE_ITO["blue"])
    left.set_title("ReLU(z) = max(0, z)")
    left.set_xlabel("z")
    right.plot([-limit, 0], [0, 0], color=OKABE_ITO["blue"])
    right.plot([0, limit], [1, 1], color=OKABE_ITO["blue"])
    right.plot([0], [0], "o", color=OKABE_ITO["blue"], label="ReLU'(0) = 0 (used)")
    right.plot([0], [1], "o", markerfacecolor="white", color=OKABE_ITO["blue"], label="1 (not used)")
    right.set_ylim(-0.2, 1.3)
    right.set_title("ReLU'(z)")
    right.set_xlabel("z")
    right.legend(loc="upper left", fontsize=8, frameon=False)
    for axis in ax:
        axis.axhline(0, color="grey", linewidth=0.5)
        axis.axvline(0, color="grey", linewidth=0.5)
    return ax


#: neutral grey for reference lines (carries no meaning, so it is not one of the palette's colours)
_GUIDE = "#999999"


class MarginCurves(NamedTuple):
    """Two ways to score a two-class output, as functions of the logit margin.

    The margin is m = z_true - z_other. A two-class softmax gives the true class ŷ = σ(m), so
    one sigmoid unit with logit m gives the same probability; the two models differ only in
    the loss. ``*_delta`` is the output error ∂𝓛/∂m (for cross-entropy: ŷ_true - 1).
    """
    margin: np.ndarray
    probability: np.ndarray            # ŷ of the true class, σ(m)
    cross_entropy: np.ndarray          # softmax + cross-entropy: -log σ(m) = log(1 + e^-m)
    cross_entropy_delta: np.ndarray    # ∂𝓛/∂m = σ(m) - 1 = -σ(-m)
    squared_error: np.ndarray          # sigmoid + half squared error: ½ (σ(m) - 1)² = ½ σ(-m)²
    squared_error_delta: np.ndarray    # ∂𝓛/∂m = (σ(m) - 1) σ'(m) = -σ(-m)² σ(m)


def margin_curves(margins):
    """MarginCurves at ``margins`` (a number or an array of finite numbers), stable at ±1000."""
    try:
        m = np.asarray(margins, dtype=float) if not isinstance(margins, (str, bytes)) else None
    except (TypeError, ValueError):
        m = None
    if m is None or not np.all(np.isfinite(m)):
        raise ValueError(f"margin_curves: margins must be finite numbers, got {margins!r}")
    p, q = sigmoid(m), sigmoid(-m)   # q = 1 - p, without the cancellation of 1 - p near p = 1
    return MarginCurves(m, p, np.logaddexp(0.0, -m), -q, 0.5 * q * q, -q * q * p)


#: the margins drawn by plot_margin_losses
MARGIN_RANGE = np.linspace(-8.0, 8.0, 321)


def plot_margin_losses(mark=None, ax=None, margins=MARGIN_RANGE):
    """Loss (left) and output error |∂𝓛/∂m| (right) against the logit margin m = z_true - z_other,
    for softmax + cross-entropy (solid) and sigmoid + squared error (dashed).

    ``mark`` = a margin to dot on all four curves (the explorer's setting). Returns both axes.
    """
    if ax is None:
        _, ax = plt.subplots(1, 2, figsize=(8, 3))
    left, right = ax
    c = margin_curves(margins)
    styles = {"softmax + cross-entropy": (c.cross_entropy, c.cross_entropy_delta,
                                          OKABE_ITO["blue"], "-"),
              "sigmoid + squared error": (c.squared_error, c.squared_error_delta,
                                          OKABE_ITO["vermillion"], "--")}
    for label, (loss, delta, colour, style) in styles.items():
        left.plot(c.margin, loss, style, color=colour, label=label)
        right.plot(c.margin, np.abs(delta), style, color=colour, label=label)
    if mark is not None:
        at = margin_curves(float(mark))
        for (loss, delta, colour, _), marker in zip(
                [(at.cross_entropy, at.cross_entropy_delta, OKABE_ITO["blue"], None),
                 (at.squared_error, at.squared_error_delta, OKABE_ITO["vermillion"], None)], "os"):
            left.plot([mark], [loss], marker, color=colour, markersize=7)
            right.plot([mark], [abs(delta)], marker, color=colour, markersize=7)
        for axis in ax:
            axis.axvline(mark, color=_GUIDE, linewidth=0.8, linestyle=":")
    left.set(xlabel="margin $m = z_{true} - z_{other}$", ylabel="loss $\\mathcal{L}$",
             title="loss", ylim=(-0.2, float(c.cross_entropy.max()) + 0.5))
    right.set(xlabel="margin $m = z_{true} - z_{other}$",
              ylabel="$|\\partial\\mathcal{L}/\\partial m|$", title="output error", ylim=(-0.03, 1.08))
    left.legend(fontsize=8, frameon=False, loc="upper right")
    for axis in ax:
        axis.axvline(0, color=_GUIDE, linewidth=0.5)
        axis.axhline(0, color=_GUIDE, linewidth=0.5)
    low, high = float(c.margin.min()), float(c.margin.max())
    right.text(low + 0.02 * (high - low), 0.55, "confidently\nwrong", fontsize=8, va="center")
    right.text(high - 0.02 * (high - low), 0.55, "confidently\nright", fontsize=8, va="center", ha="right")
    return ax


def plot_dead_unit(w, b, points=(), ax=None, limits=(-0.5, 4.5)):
    """The input plane of a ReLU unit z = w·x + b: the half-plane where it is off (z <= 0) hatched,
    the line z = 0, and the unit square [0, 1]². ``points`` = [(x1, x2, label), ...] are marked
    with their z written beside them."""
    w = np.asarray(w, dtype=float).ravel()
    if w.shape != (2,) or not np.all(np.isfinite(w)) or w[1] == 0 or not np.isfinite(b):
        raise ValueError(f"plot_dead_unit: need two finite weights with w[1] != 0 and a finite bias, "
                         f"got w={w!r}, b={b!r}")
    ax = _axes(ax, (4, 3.4))
    low, high = limits
    x1 = np.array([low, high])
    boundary = -(w[0] * x1 + b) / w[1]                # the line z = 0
    off_side = high if w[1] < 0 else low              # z <= 0 on this side of the line
    ax.fill_between(x1, boundary, off_side, facecolor=_GUIDE, alpha=0.25,
                    hatch="//", edgecolor=OKABE_ITO["black"], linewidth=0,
                    label="unit off: $z \\leq 0$, ReLU$'$ = 0")
    ax.plot(x1, boundary, color=OKABE_ITO["black"], linewidth=1.2, label="$z = 0$")
    ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=OKABE_ITO["blue"], linewidth=2,
                           label="inputs seen: $[0, 1]^2$"))
    for x, y, label in points:
        z = w[0] * x + w[1] * y + b
        ax.plot([x], [y], "o", color=OKABE_ITO["vermillion"])
        ax.annotate(f"{label}: z = {z:.1f}", (x, y), textcoords="offset points", xytext=(6, 4), fontsize=8)
    ax.set(xlim=limits, ylim=limits, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.legend(fontsize=7, loc="upper right", framealpha=0.9)
    return ax


def simplex_point(probabilities):
    """Cartesian coordinates of three class probabilities on the triangle with corners class 1
    (0, 0), class 2 (1, 0), class 3 (½, √3/2): the point is the probability-weighted corner mean."""
    p = np.asarray(probabilities, dtype=float)
    if p.shape[0] != 3:
        raise ValueError(f"simplex_point: need 3 probabilities per point, got shape {p.shape}")
    return _SIMPLEX_CORNERS.T @ p


_SIMPLEX_CORNERS = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])


def plot_simplex(probabilities, true_class=None, change=None, ax=None):
    """Three class probabilities as a point in the triangle of all possible ŷ (a corner is one
    class at probability 1). ``true_class`` (1, 2 or 3) is starred; ``change`` (a 3-vector of
    probability changes, e.g. what a gradient step does to ŷ) is drawn as an arrow from ŷ."""
    ax = _axes(ax, (3.4, 3.2))
    corners = _SIMPLEX_CORNERS
    ax.add_patch(plt.Polygon(corners, closed=True, fill=False, edgecolor=OKABE_ITO["black"]))
    for k, (x, y) in enumerate(corners, start=1):
        if y < 0.1:
            ax.text(x, y - 0.08, f"class {k}", ha="center", va="top", fontsize=9)
        else:   # the top corner: its name to the right, clear of the legend on the left
            ax.text(x + 0.07, y, f"class {k}", ha="left", va="center", fontsize=9)
    if true_class is not None:
        if true_class not in (1, 2, 3):
            raise ValueError(f"plot_simplex: true_class must be 1, 2 or 3, got {true_class!r}")
        x, y = corners[true_class - 1]
        ax.plot([x], [y], "*", color=OKABE_ITO["bluish_green"], markersize=16,
                label=f"target: class {true_class}")
    point = simplex_point(probabilities)
    ax.plot(*point, "o", color=OKABE_ITO["vermillion"], markersize=8, label="ŷ")
    if change is not None:
        d = simplex_point(change)
        if np.hypot(*d) > 1e-9:
            ax.annotate("", point + d, point, arrowprops=dict(arrowstyle="->", color=OKABE_ITO["blue"],
                                                              linewidth=1.8))
            ax.plot([], [], color=OKABE_ITO["blue"], label="ŷ after a gradient step")
    ax.set(xlim=(-0.3, 1.2), ylim=(-0.2, 1.0), aspect="equal")   # room on the left for the legend
    ax.axis("off")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(-0.02, 1.02), frameon=False)
    return ax


# ----------------------------------------------------------------------------------------------
# Notebook 04: computation graphs of a Value, and decision boundaries
# ----------------------------------------------------------------------------------------------

#: Okabe–Ito colours of notebook 04's figures (colour-blind safe): a leaf's box and a computed
#: value's box, the two classes of a data set, and the order badges of the backward pass
GRAPH_LEAF, GRAPH_VALUE, GRAPH_ORDER = OKABE_ITO["yellow"], OKABE_ITO["sky_blue"], OKABE_ITO["vermillion"]
CLASS_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["orange"])    # label -1 (or 0), label +1
CLASS_MARKERS = ("o", "s")


def _inputs(node):
    """The operands of a graph node: ``node.inputs`` (a Value, a Node, or a learner's own class)."""
    return tuple(node.inputs)


def graph_order(root):
    """Every node ``root`` depends on, once each, inputs before the nodes made from them.

    Works on any node with ``inputs`` (a ``Value``, or a class written in a notebook): an
    explicit stack instead of recursion, so deep graphs are fine.
    """
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            stack.extend((inp, False) for inp in reversed(_inputs(node)) if inp not in visited)
    return order


def graph_layout(root):
    """Where ``draw_graph`` puts each node of a computation graph.

    Returns ``(order, column, row)``: the nodes in topological order, and for each node (by
    ``id``) its column and its row within the column. A computed value sits one column right
    of its rightmost input; a leaf sits just left of its first user, so a weight appears next
    to the product it enters. Rows follow the mean row of a node's inputs, which keeps most
    edges short and uncrossed.
    """
    order = root.topological_order() if hasattr(root, "topological_order") else graph_order(root)
    in_graph = {id(node) for node in order}  # a Node's constants are not part of its graph

    def inputs(node):
        return [p for p in _inputs(node) if id(p) in in_graph]

    column, row = {}, {}
    for node in order:  # computed values: one column right of the rightmost computed input
        if inputs(node):
            column[id(node)] = 1 + max((column[id(p)] for p in inputs(node) if inputs(p)), default=0)
    for node in order:  # leaves: one column left of their leftmost user
        for leaf in inputs(node):
            if not inputs(leaf):
                column[id(leaf)] = min(column.get(id(leaf), column[id(node)]), column[id(node)] - 1)
    column.setdefault(id(root), 0)  # a lone leaf
    shift = min(column.values())
    for key in column:
        column[key] -= shift
    by_column = {}
    for node in order:
        by_column.setdefault(column[id(node)], []).append(node)
    placed = {}
    for c in sorted(by_column):
        nodes = by_column[c]
        nodes.sort(key=lambda n: (sum(placed.get(id(p), 0.0) for p in inputs(n)) / max(len(inputs(n)), 1)))
        for r, node in enumerate(nodes):
            row[id(node)] = placed[id(node)] = r - (len(nodes) - 1) / 2  # centred on 0
    return order, column, row


def _number_text(name, x, digits):
    """``data 2.0000`` for a number; ``data shape (2, 3)`` for an array with more than one entry."""
    if np.ndim(x) == 0:
        return f"{name} {float(x):.{digits}f}"
    return f"{name} shape {np.shape(x)}"


def draw_graph(root, ax=None, max_nodes=50, digits=4, show_order=False):
    """Draw the computation graph of ``root`` with matplotlib alone (no graphviz).

    Each value is a box showing its label (if any), data and grad: a leaf's box is yellow
    with a dashed edge, a computed value's is blue with a solid edge. Each operation is a
    circle between its inputs and its result; columns are topological depth, leaves on the
    left. ``show_order=True`` numbers the boxes in the order the backward pass visits them
    (1 = ``root``, the first). Works on a ``Value``, a ``Node`` (arrays show their shape) and
    any class whose nodes have ``data``, ``grad``, ``inputs`` and ``op`` (``label`` optional). Readable up to about
    ``max_nodes`` values: a bigger graph raises ValueError saying so.
    """
    order, column, row = graph_layout(root)
    if len(order) > max_nodes:
        raise ValueError(f"draw_graph: this graph has {len(order)} values, too many to read "
                         f"(limit max_nodes={max_nodes}); draw a smaller expression, such as one neuron")
    visit = {id(node): k + 1 for k, node in enumerate(reversed(order))}
    n_columns = max(column.values()) + 1
    n_rows = max(sum(1 for c in column.values() if c == k) for k in range(n_columns))
    labelled = any(getattr(n, "label", "") for n in order)
    box_w, box_h, radius, step = 1.4, 0.72 if labelled else 0.55, 0.22, 2.3
    width, height = n_columns * step + 0.2, n_rows + 1.4  # in data units
    inch = 0.75  # inches per data unit at full size; fonts below are sized for that
    if ax is None:
        fit = min(1.0, 15.0 / (width * inch), 10.0 / (height * inch))  # shrink a big graph
        fig = plt.figure(figsize=(width * inch * fit, height * inch * fit))
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    bbox = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    scale = min(1.0, bbox.width * fig_w / (width * inch), bbox.height * fig_h / (height * inch))
    text_size, op_size = 7.5 * scale, 9 * scale

    def box_xy(node):
        return column[id(node)] * step, -row[id(node)]

    arrow = dict(arrowstyle="-|>", color="0.45", lw=0.9 * scale, shrinkA=0, shrinkB=0,
                 mutation_scale=10 * scale)
    for node in order:
        x, y = box_xy(node)
        inputs = [p for p in _inputs(node) if id(p) in column]  # a Node's constants: not drawn
        label = getattr(node, "label", "")
        lines = ([label] if label else []) + [_number_text("data", node.data, digits),
                                              _number_text("grad", node.grad, digits)]
        ax.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h,
                                    boxstyle="round,pad=0.02", fc=_tint(GRAPH_VALUE if inputs else GRAPH_LEAF),
                                    ec="0.3", lw=0.8, ls="-" if inputs else "--", zorder=2))
        ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=text_size, family="monospace",
                zorder=3)
        if show_order:
            ax.add_patch(Circle((x - box_w / 2, y + box_h / 2), 0.17, fc=GRAPH_ORDER, ec="white", lw=0.6,
                                zorder=4))
            ax.text(x - box_w / 2, y + box_h / 2, str(visit[id(node)]), ha="center", va="center",
                    color="white", fontsize=0.9 * text_size, fontweight="bold", zorder=5)
        if not _inputs(node):
            continue
        op = node.op
        ox, oy = x - step / 2, y  # the operation's circle, half a column to the left
        ax.add_patch(Circle((ox, oy), radius, fc="white", ec="0.3", lw=0.8, zorder=2))
        ax.text(ox, oy, op, ha="center", va="center", zorder=3,
                fontsize=op_size if len(op) < 3 else 0.72 * op_size)
        ax.annotate("", xy=(x - box_w / 2, y), xytext=(ox + radius, oy), arrowprops=arrow, zorder=1)
        for parent in inputs:
            px, py = box_xy(parent)
            skips = column[id(node)] - column[id(parent)] > 1  # would cross boxes: bend it
            ax.annotate("", xy=(ox - radius, oy), xytext=(px + box_w / 2, py), zorder=1,
                        arrowprops=dict(arrow, connectionstyle=f"arc3,rad={-0.35 if skips else 0}"))
    ax.set_xlim(-box_w / 2 - 0.2, (n_columns - 1) * step + box_w / 2 + 0.2)
    ax.set_ylim(-(n_rows - 1) / 2 - box_h, (n_rows - 1) / 2 + box_h + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


#: Okabe–Ito colours, line styles and markers of ``plot_curves``: each curve differs in all three
CURVE_COLOURS = tuple(OKABE_ITO[name] for name in ("blue", "vermillion", "bluish_green", "reddish_purple",
                                                    "orange", "sky_blue"))
CURVE_STYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 2)))
CURVE_MARKERS = ("o", "s", "^", "D", "v", "P")


def plot_curves(curves, ax=None, xlabel="step", ylabel="loss", title=None, log=False, markers=8):
    """Several curves on one axes, told apart by colour, line style and marker alike.

    ``curves`` is a list of ``(label, ys)`` (plotted against 0, 1, 2, ...) or ``(label, xs, ys)``.
    About ``markers`` markers are drawn per curve, so long curves stay readable. ``log=True``
    puts the y axis on a log scale. Returns the axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.2))
    for k, curve in enumerate(curves):
        label, xs, ys = curve if len(curve) == 3 else (curve[0], range(len(curve[1])), curve[1])
        xs, ys = list(xs), list(ys)
        ax.plot(xs, ys, color=CURVE_COLOURS[k % 6], ls=CURVE_STYLES[k % 6], marker=CURVE_MARKERS[k % 6],
                markevery=max(1, len(xs) // markers), ms=4.5, lw=1.4, label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    return ax


def _tint(colour, amount=0.3):
    """``colour`` mixed with white: ``amount`` of the colour, for a fill under black text."""
    from matplotlib.colors import to_rgb
    return tuple(amount * c + (1 - amount) for c in to_rgb(colour))


def plot_decision_boundary(score, X, y, ax=None, resolution=150, margin=0.5):
    """Colour the plane by the sign of ``score`` and draw the labelled points on top.

    ``score`` maps a 2 × m array of points (columns) to m scores; the boundary is score = 0
    (a solid line). ``X`` is 2 × n and ``y`` holds the n labels (±1, or 0/1): the two classes
    differ in colour and in marker (circles for the lower label, squares for the higher).
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    xs = np.linspace(X[0].min() - margin, X[0].max() + margin, resolution)
    ys = np.linspace(X[1].min() - margin, X[1].max() + margin, resolution)
    gx, gy = np.meshgrid(xs, ys)
    s = np.asarray(score(np.stack([gx.ravel(), gy.ravel()])), dtype=float).reshape(gx.shape)
    ax.contourf(gx, gy, s, levels=[-np.inf, 0.0, np.inf], colors=[_tint(c, 0.22) for c in CLASS_COLOURS])
    ax.contour(gx, gy, s, levels=[0.0], colors="0.2", linewidths=1.2)
    positive = y > 0
    for mask, colour, marker in zip((~positive, positive), CLASS_COLOURS, CLASS_MARKERS):
        ax.scatter(X[0, mask], X[1, mask], s=20, c=colour, marker=marker, edgecolors="white", linewidths=0.5,
                   label=f"label {y[mask][0]:g}" if mask.any() else None)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="upper right", fontsize=8)
    return ax


# ----------------------------------------------------------------------------------------------
# Notebook 05: which axes the backward pass sums after broadcasting
# ----------------------------------------------------------------------------------------------

def broadcast_backward(operand_shape, grad, ax=None):
    """Draw how the gradient of a broadcast result is summed back to an operand's shape.

    ``grad`` is ∂𝓛/∂(result), a 2-D array; ``operand_shape`` is the shape of one operand before
    broadcasting ((), (n,), (1, n) or (m, 1)). Left: ∂𝓛/∂(result) with each entry coloured (and
    hatched) by the operand entry it was copied from; right: ∂𝓛/∂(operand), each entry the sum
    of its colour. Okabe–Ito colours, each with its own hatch pattern.
    The sum is ``broadcasting.reduce_to_shape``, the engine's own reduction.
    """
    grad = np.asarray(grad, dtype=float)
    if grad.ndim != 2:
        raise ValueError(f"broadcast_backward: grad must be 2-D (a result of shape (m, n)), got shape {grad.shape}")
    operand_shape = tuple(operand_shape)
    try:
        if np.broadcast_shapes(operand_shape, grad.shape) != grad.shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"broadcast_backward: an operand of shape {operand_shape} does not broadcast "
                         f"to the result's shape {grad.shape}") from None
    leading, kept = summed_axes(operand_shape, grad.shape)  # for the caption
    reduced = reduce_to_shape(grad, operand_shape)
    padded = (1,) * (2 - len(operand_shape)) + operand_shape  # drawn as a 2-D grid
    flat_reduced = reduced.reshape(padded)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 2.6))
    palette = [OKABE_ITO[name] for name in ("sky_blue", "orange", "bluish_green", "reddish_purple",
                                            "yellow", "blue", "vermillion")]
    hatches = ["", "//", "..", "xx", "\\\\", "++", "oo"]  # a second cue: a group is also a pattern

    def colours(index):
        return palette[index % len(palette)], hatches[index % len(hatches)]

    def source(i, j):  # the operand entry (in the padded grid) that result entry (i, j) copies
        return (i if padded[0] != 1 else 0, j if padded[1] != 1 else 0)

    def draw_grid(values, x0, y_top, colour_of):
        rows, cols = values.shape
        for i in range(rows):
            for j in range(cols):
                colour, hatch = colour_of(i, j)
                ax.add_patch(Rectangle((x0 + j, y_top - i - 1), 1, 1, facecolor=colour, hatch=hatch,
                                       edgecolor="white", linewidth=2, alpha=0.85))
                ax.text(x0 + j + 0.5, y_top - i - 0.5, f"{values[i, j]:g}", ha="center",
                        va="center", fontsize=9, bbox=dict(fc="white", ec="none", pad=0.1, alpha=0.8))

    m, n = grad.shape
    draw_grid(grad, 0, m, lambda i, j: colours(int(np.ravel_multi_index(source(i, j), padded))))
    x_right = n + 5
    y_right = m / 2 + padded[0] / 2
    draw_grid(flat_reduced, x_right, y_right, lambda i, j: colours(int(np.ravel_multi_index((i, j), padded))))
    axes = sorted(leading + kept)
    how = ("nothing to sum" if not axes else
           f"sum over\naxis {axes[0]}" if len(axes) == 1 else
           "sum over\naxes " + ", ".join(str(a) for a in axes))
    ax.annotate("", xy=(x_right - 0.3, m / 2), xytext=(n + 0.3, m / 2),
                arrowprops=dict(arrowstyle="->", linewidth=1.5))
    ax.text((n + x_right) / 2, m / 2 - 0.25, how, ha="center", va="top", fontsize=9)
    ax.text(n / 2, m + 0.2, f"∂𝓛/∂result {grad.shape}", ha="center", va="bottom", fontsize=9)
    ax.text(x_right + padded[1] / 2, y_right + 0.2, f"∂𝓛/∂operand {operand_shape}",
            ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-1.0, x_right + max(padded[1], 3) + 1.0)
    ax.set_ylim(-0.3, m + 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


# ----------------------------------------------------------------------------------------------
# Notebook 05: a tensor graph with its shapes, and the digit classifier's figures
# ----------------------------------------------------------------------------------------------

_NB05_COLOURS = {"train": OKABE_ITO["blue"], "test": OKABE_ITO["vermillion"], "forward": OKABE_ITO["black"],
                 "backward": OKABE_ITO["vermillion"]}


def _shape_text(shape):
    return "×".join(str(n) for n in shape) if shape else "scalar"


def shape_graph(root, names, ax=None):
    """Draw the graph of the Node ``root`` with the shape of every value on its edges.

    ``names`` maps nodes to the text of their box (``{W1: "W⁽¹⁾", ...}``); an unnamed node shows
    its operation. Each edge carries, above it, the shape of the value that flows forward along it
    and, below it in the backward colour, the shape of the gradient that flows back: the same
    shape, except into a broadcast operand, where the gradient arrives with the result's shape
    and is summed (Σ) down to the operand's. Leaves sit left of their first user.
    """
    order = root.topological_order()
    inputs = {id(n): n.inputs for n in order}
    column = {}
    for node in order:
        if inputs[id(node)]:
            column[id(node)] = 1 + max((column[id(p)] for p in inputs[id(node)] if inputs[id(p)]),
                                       default=0)
    for node in order:
        for leaf in inputs[id(node)]:
            if not inputs[id(leaf)]:
                column[id(leaf)] = min(column.get(id(leaf), column[id(node)]), column[id(node)] - 1)
    column.setdefault(id(root), 0)
    shift = min(column.values())
    by_column = {}
    for node in order:
        column[id(node)] -= shift
        by_column.setdefault(column[id(node)], []).append(node)
    row = {}
    for c in sorted(by_column, reverse=True):  # from the output back: inputs sit near their user
        nodes = by_column[c]
        nodes.sort(key=lambda n: min((row.get(id(u), 0.0) + k * 0.01 for u in order
                                      for k, p in enumerate(inputs[id(u)]) if p is n), default=0.0))
        for r, node in enumerate(nodes):
            row[id(node)] = r - (len(nodes) - 1) / 2
    n_columns = max(column.values()) + 1
    n_rows = max(len(v) for v in by_column.values())
    step_x, step_y, box_w, box_h = 2.2, 1.5, 1.0, 0.6
    if ax is None:
        _, ax = plt.subplots(figsize=(1.25 * n_columns * step_x, 1.1 * max(n_rows, 2) * step_y + 0.6))

    def xy(node):
        return column[id(node)] * step_x, -row[id(node)] * step_y

    for node in order:
        x, y = xy(node)
        leaf = not inputs[id(node)]
        ax.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h,
                                    boxstyle="round,pad=0.03", lw=1.0, zorder=2,
                                    fc="#F0F0F0" if leaf else "white", ec="0.25",
                                    ls="-" if leaf else "--"))
        ax.text(x, y, names.get(node, node.op or "leaf"), ha="center", va="center", fontsize=11, zorder=3)
        for parent in inputs[id(node)]:
            px, py = xy(parent)
            ax.annotate("", xy=(x - box_w / 2, y), xytext=(px + box_w / 2, py), zorder=1,
                        arrowprops=dict(arrowstyle="-|>", color=_NB05_COLOURS["forward"], lw=0.9))
            mx, my = (px + box_w / 2 + x - box_w / 2) / 2, (py + y) / 2
            ax.text(mx, my + 0.08, _shape_text(parent.shape), ha="center", va="bottom", fontsize=9,
                    color=_NB05_COLOURS["forward"], zorder=4,
                    bbox=dict(fc="white", ec="none", pad=0.5))
            back = _shape_text(parent.shape)
            if node.shape != parent.shape and node.op in ("+", "-", "*", "/"):
                back = f"{_shape_text(node.shape)} →Σ {back}"
            ax.text(mx, my - 0.08, f"∂: {back}", ha="center", va="top", fontsize=8.5, style="italic",
                    color=_NB05_COLOURS["backward"], zorder=4,
                    bbox=dict(fc="white", ec="none", pad=0.5))
    ax.set_xlim(-box_w, (n_columns - 1) * step_x + box_w)
    ax.set_ylim(-(n_rows / 2) * step_y - 0.2, (n_rows / 2) * step_y + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_training_curves(history, axes=None):
    """Loss (left, log scale) and accuracy (right) per epoch, train and test.

    ``history`` maps "train_loss", "test_loss", "train_accuracy", "test_accuracy" to one number
    per epoch (accuracy as a fraction). Train is a solid line with circles, test a dashed line
    with squares, so the two differ without colour too.
    """
    missing = [k for k in ("train_loss", "test_loss", "train_accuracy", "test_accuracy") if k not in history]
    if missing:
        raise ValueError(f"plot_training_curves: history lacks {', '.join(missing)}")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    left, right = axes
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    styles = {"train": dict(ls="-", marker="o"), "test": dict(ls="--", marker="s")}
    for part in ("train", "test"):
        left.plot(epochs, history[f"{part}_loss"], color=_NB05_COLOURS[part], ms=3.5, label=part,
                  **styles[part])
        right.plot(epochs, 100 * np.asarray(history[f"{part}_accuracy"]), color=_NB05_COLOURS[part],
                   ms=3.5, label=part, **styles[part])
    left.set_yscale("log")
    left.set_ylabel("cross-entropy loss")
    right.set_ylabel("accuracy (%)")
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.grid(True, alpha=0.3)
        ax.legend(frameon=False)
    return axes


def plot_confusion(true, predicted, ax=None, classes=10):
    """The confusion matrix: row = true class, column = predicted class, each cell its count.

    The right answers (the diagonal) sit on grey, the mistakes on orange, darker and in bold for
    more; cells no image reached stay white and empty. Returns the counts.
    """
    true, predicted = np.asarray(true), np.asarray(predicted)
    if true.shape != predicted.shape:
        raise ValueError(f"plot_confusion: {true.shape[0] if true.ndim else 0} true labels but "
                         f"{predicted.shape[0] if predicted.ndim else 0} predictions")
    counts = np.zeros((classes, classes), dtype=int)
    np.add.at(counts, (true, predicted), 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.2))
    diagonal = np.eye(classes, dtype=bool)
    mistakes = np.where(diagonal, 0, counts)
    shade = plt.get_cmap("Oranges")(0.3 + 0.7 * mistakes / max(mistakes.max(), 1))
    image = np.ones((classes, classes, 4))               # white: no image went there
    image[mistakes > 0] = shade[mistakes > 0]            # orange, darker for more mistakes
    image[diagonal] = (0.88, 0.88, 0.88, 1.0)            # grey: the right answers
    ax.imshow(image, interpolation="nearest")
    for i in range(classes):
        for j in range(classes):
            if counts[i, j]:
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8,
                        fontweight="normal" if i == j else "bold")
    ax.set_xticks(range(classes))
    ax.set_yticks(range(classes))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    return counts


def digit_gallery(images, titles, columns=8, axes=None, cmap="gray_r"):
    """Draw 8 × 8 images in a grid, each with its title (e.g. "true 3, said 8")."""
    images = np.asarray(images)
    if len(images) != len(titles):
        raise ValueError(f"digit_gallery: {len(images)} images but {len(titles)} titles")
    if len(images) == 0:
        raise ValueError("digit_gallery: no images to draw")
    rows = -(-len(images) // columns)
    if axes is None:
        _, axes = plt.subplots(rows, columns, figsize=(1.2 * columns, 1.35 * rows), squeeze=False)
    axes = np.ravel(axes)
    for ax in axes:
        ax.axis("off")
    for ax, image, title in zip(axes, images, titles):
        ax.imshow(np.asarray(image).reshape(8, 8), cmap=cmap, vmin=0, vmax=16, interpolation="nearest")
        ax.set_title(title, fontsize=8)
    return axes


def weight_images(W, columns=8, axes=None):
    """Draw each row of a first-layer weight matrix (n × 64) as an 8 × 8 image.

    A diverging colour map centred on 0, one scale for all images: purple for positive weights,
    orange for negative ones, white for 0. Returns the axes and the last image (for a colour bar).
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.shape[1] != 64:
        raise ValueError(f"weight_images: expected a weight matrix of shape (n, 64), got {W.shape}")
    limit = np.max(np.abs(W)) or 1.0
    rows = -(-W.shape[0] // columns)
    if axes is None:
        _, axes = plt.subplots(rows, columns, figsize=(1.0 * columns, 1.0 * rows), squeeze=False)
    axes = np.ravel(axes)
    for ax in axes:
        ax.axis("off")
    for ax, w in zip(axes, W):
        image = ax.imshow(w.reshape(8, 8), cmap="PuOr", vmin=-limit, vmax=limit, interpolation="nearest")
    return axes, image
