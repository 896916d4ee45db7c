"""Matplotlib figures of the course: network diagrams with highlighted paths, and more.

Every function draws on an ``ax`` it is given (or a new figure) and returns the axes, so a
notebook can compose figures and a test can inspect what was drawn.
"""
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch, Rectangle

from .network import validate_sizes
from .tensor import reduce_to_shape, summed_axes

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
# Notebook 01: call counts of the naive recursion and their growth with depth
# ----------------------------------------------------------------------------------------------

def plot_call_counts(naive_calls, cached_calls=None, ax=None):
    """Bars of how often each δ_j^(l) was evaluated: naive, and cached beside it if given.

    ``naive_calls`` and ``cached_calls`` map (l, j) to a count, like RecursionResult.calls
    (j a Python index from 0). Each naive bar is labelled with its count, each tick with the
    math's name of the δ, whose neuron subscript counts from 1: (1, 0) is δ_1^(1).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.2))
    neurons = sorted(naive_calls)
    positions = list(range(len(neurons)))
    width = 0.4 if cached_calls is not None else 0.7
    shift = width / 2 if cached_calls is not None else 0.0
    bars = ax.bar([p - shift for p in positions], [naive_calls[n] for n in neurons], width,
                  color="tab:red", label="naive recursion")
    ax.bar_label(bars, padding=2, fontsize=8)
    if cached_calls is not None:
        cached = ax.bar([p + shift for p in positions], [cached_calls.get(n, 0) for n in neurons],
                        width, color="tab:blue", label="with a cache")
        ax.bar_label(cached, padding=2, fontsize=8)
        ax.legend(frameon=False)
    ax.set_xticks(positions, [f"$\\delta_{{{j + 1}}}^{{({l})}}$" for l, j in neurons])
    ax.set_xlabel("which $\\partial L/\\partial z$ (layer l, neuron j)")
    ax.set_ylabel("evaluations")
    ax.set_title(f"{sum(naive_calls.values())} naive evaluations"
                 + (f" against {sum(cached_calls.values())} with a cache"
                    if cached_calls is not None else ""))
    ax.margins(y=0.15)
    return ax


def plot_call_growth(growths, ax=None, highlight=None):
    """Calls against depth on a log scale: naive (solid) and cached (dashed), one colour per width.

    ``growths`` is a list of naive.CallGrowth. Filled markers are counts measured by running
    the recursion, open markers come from the closed form. ``highlight`` = (depth, calls) rings
    one point, e.g. the explorer's current setting.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.6))
    for index, growth in enumerate(growths):
        colour = f"C{index}"
        ax.plot(growth.depths, growth.naive, "-", color=colour, label=f"naive, width {growth.width}")
        ax.plot(growth.depths, growth.cached, "--", color=colour, label=f"cached, width {growth.width}")
        for depth, count, measured in zip(growth.depths, growth.naive, growth.measured):
            ax.plot(depth, count, "o", color=colour, markersize=4,
                    markerfacecolor=colour if measured else "white")
    if highlight is not None:
        ax.plot(*highlight, "o", markersize=12, markerfacecolor="none", markeredgecolor="black")
    ax.set_yscale("log")
    ax.set_xlabel("depth L (layers of weights)")
    ax.set_ylabel("evaluations of $\\partial L/\\partial z$")
    ax.set_title("filled: measured by running the recursion, open: closed form", fontsize=9)
    ax.legend(frameon=False, fontsize=8, ncol=2)
    ax.grid(True, which="major", alpha=0.3)
    return ax


# ----------------------------------------------------------------------------------------------
# Notebook 02 (and any network): the network diagram with highlighted paths
# ----------------------------------------------------------------------------------------------

PATH_COLOURS = ("tab:blue", "tab:red", "tab:green", "tab:purple", "tab:brown", "tab:pink")
TARGET_COLOUR = "darkorange"
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
        for a, b in zip(path[:-1], path[1:]):
            if a not in position or b not in position or b[0] != a[0] + 1:
                raise ValueError(f"network_diagram: path {list(path)} steps from {a} to {b}, "
                                 f"which is no edge of a network with sizes {sizes}")
            edge(a, b, color=colour, lw=2.6, alpha=0.85, zorder=2)
        names = " → ".join(neuron_label(sizes, l, i) for l, i in path)
        legend.append(Line2D([], [], color=colour, lw=2.6, label=f"path {number + 1}: {names}"))
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


# ----------------------------------------------------------------------------------------------
# Notebook 03: softmax probabilities, the softmax Jacobian, ReLU and its derivative
# ----------------------------------------------------------------------------------------------

def _axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_probabilities(probabilities, y=None, ax=None, labels=None, title="softmax output ŷ"):
    """Bars of the class probabilities ŷ (one column), each labelled with its value.

    If the one-hot target ``y`` is given, the bar of the true class is drawn in orange and its
    label says "(true)". The y axis is fixed to [0, 1] so bars compare across calls.
    """
    p = np.asarray(probabilities, dtype=float).ravel()
    ax = _axes(ax, (4, 2.6))
    labels = list(labels) if labels is not None else [f"class {i + 1}" for i in range(p.size)]
    if len(labels) != p.size:
        raise ValueError(f"plot_probabilities: {len(labels)} labels for {p.size} probabilities")
    colours = ["tab:blue"] * p.size
    if y is not None:
        target = np.asarray(y, dtype=float).ravel()
        if target.size != p.size:
            raise ValueError(f"plot_probabilities: target y has {target.size} entries but there are "
                             f"{p.size} probabilities")
        colours = ["tab:orange" if t > 0 else "tab:blue" for t in target]
        labels = [f"{label}\n(true)" if t > 0 else label for label, t in zip(labels, target)]
    bars = ax.bar(labels, p, color=colours)
    for bar, value in zip(bars, p):
        ax.text(bar.get_x() + bar.get_width() / 2, value + 0.02, f"{value:.4f}",
                ha="center", va="bottom", fontsize=9)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("probability")
    ax.set_title(title)
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
    left.plot(z, np.maximum(0.0, z), color="tab:blue")
    left.set_title("ReLU(z) = max(0, z)")
    left.set_xlabel("z")
    right.plot([-limit, 0], [0, 0], color="tab:blue")
    right.plot([0, limit], [1, 1], color="tab:blue")
    right.plot([0], [0], "o", color="tab:blue", label="ReLU'(0) = 0 (used)")
    right.plot([0], [1], "o", markerfacecolor="white", color="tab:blue", label="1 (not used)")
    right.set_ylim(-0.2, 1.3)
    right.set_title("ReLU'(z)")
    right.set_xlabel("z")
    right.legend(loc="upper left", fontsize=8, frameon=False)
    for axis in ax:
        axis.axhline(0, color="grey", linewidth=0.5)
        axis.axvline(0, color="grey", linewidth=0.5)
    return ax


# ----------------------------------------------------------------------------------------------
# Notebook 04: computation graphs of a Value, and decision boundaries
# ----------------------------------------------------------------------------------------------

def graph_layout(root):
    """Where ``draw_graph`` puts each node of a Value's (or a Node's) graph.

    Returns ``(order, column, row)``: the nodes in topological order, and for each node (by
    ``id``) its column and its row within the column. A computed value sits one column right
    of its rightmost input; a leaf sits just left of its first user, so a weight appears next
    to the product it enters. Rows follow the mean row of a node's inputs, which keeps most
    edges short and uncrossed.
    """
    order = root.topological_order()
    in_graph = {id(node) for node in order}  # a Node's constants are not part of its graph

    def inputs(node):
        return [p for p in node.inputs if id(p) in in_graph]

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


def draw_graph(root, ax=None, max_nodes=50, digits=4):
    """Draw the computation graph of a Value (or a Node) ``root`` with matplotlib alone.

    Each value is a box showing its label (if any), data and grad; each operation is a circle
    between its inputs and its result; columns are topological depth, leaves on the left.
    Readable up to about ``max_nodes`` values: a bigger graph raises ValueError saying so.
    """
    order, column, row = graph_layout(root)
    if len(order) > max_nodes:
        raise ValueError(f"draw_graph: this graph has {len(order)} values, too many to read "
                         f"(limit max_nodes={max_nodes}); draw a smaller expression, such as one neuron")
    n_columns = max(column.values()) + 1
    n_rows = max(sum(1 for c in column.values() if c == k) for k in range(n_columns))
    box_w, box_h, radius, step = 1.4, 0.72 if any(n.label for n in order) else 0.55, 0.22, 2.3
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
        lines = ([node.label] if node.label else []) + [_number_text("data", node.data, digits),
                                                       _number_text("grad", node.grad, digits)]
        ax.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h,
                                    boxstyle="round,pad=0.02", fc="#e8f0fb" if node.inputs else "#fdf1dc",
                                    ec="0.3", lw=0.8, zorder=2))
        ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=text_size, family="monospace",
                zorder=3)
        if not node.inputs:
            continue
        ox, oy = x - step / 2, y  # the operation's circle, half a column to the left
        ax.add_patch(Circle((ox, oy), radius, fc="white", ec="0.3", lw=0.8, zorder=2))
        ax.text(ox, oy, node.op, ha="center", va="center", zorder=3,
                fontsize=op_size if len(node.op) < 3 else 0.72 * op_size)
        ax.annotate("", xy=(x - box_w / 2, y), xytext=(ox + radius, oy), arrowprops=arrow, zorder=1)
        for parent in node.inputs:
            if id(parent) not in column:  # a Node's constant operand: not drawn
                continue
            px, py = box_xy(parent)
            skips = column[id(node)] - column[id(parent)] > 1  # would cross boxes: bend it
            ax.annotate("", xy=(ox - radius, oy), xytext=(px + box_w / 2, py), zorder=1,
                        arrowprops=dict(arrow, connectionstyle=f"arc3,rad={-0.35 if skips else 0}"))
    ax.set_xlim(-box_w / 2 - 0.2, (n_columns - 1) * step + box_w / 2 + 0.2)
    ax.set_ylim(-(n_rows - 1) / 2 - box_h, (n_rows - 1) / 2 + box_h + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_decision_boundary(score, X, y, ax=None, resolution=150, margin=0.5):
    """Colour the plane by the sign of ``score`` and draw the labelled points on top.

    ``score`` maps a 2 × m array of points (columns) to m scores; the boundary is score = 0.
    ``X`` is 2 × n and ``y`` holds the n labels (±1, or 0/1).
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    xs = np.linspace(X[0].min() - margin, X[0].max() + margin, resolution)
    ys = np.linspace(X[1].min() - margin, X[1].max() + margin, resolution)
    gx, gy = np.meshgrid(xs, ys)
    s = np.asarray(score(np.stack([gx.ravel(), gy.ravel()])), dtype=float).reshape(gx.shape)
    ax.contourf(gx, gy, s, levels=[-np.inf, 0.0, np.inf], colors=["#cfe0f5", "#f9d9c4"])
    ax.contour(gx, gy, s, levels=[0.0], colors="0.3", linewidths=1.0)
    positive = y > 0
    ax.scatter(X[0, ~positive], X[1, ~positive], s=18, c="#1f5fa8", edgecolors="white", linewidths=0.5,
               label=f"label {y[~positive][0]:g}" if (~positive).any() else None)
    ax.scatter(X[0, positive], X[1, positive], s=18, c="#d0621b", edgecolors="white", linewidths=0.5,
               label=f"label {y[positive][0]:g}" if positive.any() else None)
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
    The sum is ``tensor.reduce_to_shape``, the engine's own reduction.
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
    draw_grid(grad, 0, m, lambda i, j: colours(int(np.ravel_multi_index(source(i, j), padded)) % 10))
    x_right = n + 5
    y_right = m / 2 + padded[0] / 2
    draw_grid(flat_reduced, x_right, y_right, lambda i, j: colours(int(np.ravel_multi_index((i, j), padded)) % 10))
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
