"""Notebook 01's figures: the recursion's call tree, call counts drawn on the network, growth
with depth, the cost of one gradient, and the step size of central differences."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch

from ..naive import trace_calls
from ..network import validate_sizes
from .style import OKABE_ITO

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


def _draw_edges(ax, sizes, position, colour, lw):
    """Every weight of a layered network as a thin line from neuron k of layer l to neuron j of l + 1."""
    for l in range(len(sizes) - 1):
        for k in range(sizes[l]):
            for j in range(sizes[l + 1]):
                (x0, y0), (x1, y1) = position[l, k], position[l + 1, j]
                ax.plot([x0, x1], [y0, y1], color=colour, lw=lw, zorder=1)


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
    _draw_edges(ax, sizes, position, colour="0.75", lw=0.8)
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
    _draw_edges(ax, sizes, position, colour="0.6", lw=0.9)
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
    line is labelled with its growth factor per layer at its deepest point (width 1, a chain,
    with its count L(L + 1) instead). ``highlight`` =
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
            # a chain (width 1) has one path: its count is L(L + 1), no factor per layer
            label = "L(L + 1)" if growth.width == 1 else f"×{factor:.1f} per layer"
            ax.annotate(label, (growth.depths[-1], growth.naive[-1]),
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
