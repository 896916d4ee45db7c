"""Notebook 04's figures: computation graphs of a Value (or a Node), loss curves, and decision
boundaries."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyBboxPatch

from .style import OKABE_ITO

#: Okabe–Ito colours of notebook 04's figures (colour-blind safe): a leaf's box and a computed
#: value's box, the two classes of a data set, and the order badges of the backward pass
GRAPH_LEAF, GRAPH_VALUE, GRAPH_ORDER = OKABE_ITO["yellow"], OKABE_ITO["sky_blue"], OKABE_ITO["vermillion"]
CLASS_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["orange"])    # label -1 (or 0), label +1
CLASS_MARKERS = ("o", "s")


def _inputs(node):
    """The operands of a graph node: ``node.inputs`` (a Value, a Node, or a learner's own class)."""
    return tuple(node.inputs)


def graph_order(root, trace=None):
    """Every node ``root`` depends on, once each, inputs before the nodes made from them.

    Works on any node with ``inputs`` (a ``Value``, or a class written in a notebook): an
    explicit stack of (node, inputs done?) pairs instead of recursion, so deep graphs are fine.
    A list ``trace`` receives every step as (node popped, "expand", "emit" or "skip (seen)",
    the stack afterwards).
    """
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            action = "emit"
        elif node in visited:
            action = "skip (seen)"
        else:
            visited.add(node)
            stack.append((node, True))
            stack.extend((inp, False) for inp in reversed(_inputs(node)))
            action = "expand"
        if trace is not None:
            trace.append((node, action, list(stack)))
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


def draw_graph(root, ax=None, max_nodes=50, digits=4, show_order=False, grads=None, lit=None, current=None):
    """Draw the computation graph of ``root`` with matplotlib alone (no graphviz).

    Each value is a box showing its label (if any), data and grad: a leaf's box is yellow
    with a dashed edge, a computed value's is blue with a solid edge. Each operation is a
    circle between its inputs and its result; columns are topological depth, leaves on the
    left. ``show_order=True`` numbers the boxes in the order the backward pass visits them
    (1 = ``root``, the first). Works on a ``Value``, a ``Node`` (arrays show their shape) and
    any class whose nodes have ``data``, ``grad``, ``inputs`` and ``op`` (``label`` optional). Readable up to about
    ``max_nodes`` values: a bigger graph raises ValueError saying so.

    For a step of a backward pass: ``grads`` ({id(node): gradient}) shows those gradients instead
    of ``.grad``; ``lit`` (a set of ids) colours only those boxes (and numbers only those, with
    ``show_order``), the rest grey; ``current`` (a node) gets a thick red (vermillion) edge.
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
    bbox = ax.get_position(original=True)  # not the one an earlier draw shrank to the aspect
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
        grad = node.grad if grads is None else grads[id(node)]
        lines = ([label] if label else []) + [_number_text("data", node.data, digits),
                                              _number_text("grad", grad, digits)]
        shown = lit is None or id(node) in lit
        ringed = current is not None and node is current
        ax.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h, boxstyle="round,pad=0.02",
                                    fc=_tint(GRAPH_VALUE if inputs else GRAPH_LEAF) if shown else "0.93",
                                    ec=GRAPH_ORDER if ringed else "0.3", lw=2.4 if ringed else 0.8,
                                    ls="-" if inputs else "--", zorder=2))
        ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=text_size, family="monospace",
                color="black" if shown else "0.35", zorder=3)
        if show_order and shown:
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
