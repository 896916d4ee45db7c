"""Matplotlib figures of the course: network diagrams with highlighted paths, and more.

Every function draws on an ``ax`` it is given (or a new figure) and returns the axes, so a
notebook can compose figures and a test can inspect what was drawn.
"""


# ---------------------------------------------------------------- computation graphs (notebook 04)

def graph_layout(root):
    """Where ``draw_graph`` puts each node of a Value's graph.

    Returns ``(order, column, row)``: the nodes in topological order, and for each node (by
    ``id``) its column and its row within the column. A computed value sits one column right
    of its rightmost input; a leaf sits just left of its first user, so a weight appears next
    to the product it enters. Rows follow the mean row of a node's inputs, which keeps most
    edges short and uncrossed.
    """
    order = root.topological_order()
    column, row = {}, {}
    for node in order:  # computed values: one column right of the rightmost computed input
        if node._prev:
            column[id(node)] = 1 + max((column[id(p)] for p in node._prev if p._prev), default=0)
    for node in order:  # leaves: one column left of their leftmost user
        for leaf in node._prev:
            if not leaf._prev:
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
        nodes.sort(key=lambda n: (sum(placed.get(id(p), 0.0) for p in n._prev) / max(len(n._prev), 1)))
        for r, node in enumerate(nodes):
            row[id(node)] = placed[id(node)] = r - (len(nodes) - 1) / 2  # centred on 0
    return order, column, row


def draw_graph(root, ax=None, max_nodes=50, digits=4):
    """Draw the computation graph of the Value ``root`` with matplotlib alone (no graphviz).

    Each value is a box showing its label (if any), data and grad; each operation is a circle
    between its inputs and its result; columns are topological depth, leaves on the left.
    Readable up to about ``max_nodes`` values: a bigger graph raises ValueError saying so.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, FancyBboxPatch

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
        lines = ([node.label] if node.label else []) + [f"data {node.data:.{digits}f}",
                                                       f"grad {node.grad:.{digits}f}"]
        ax.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h,
                                    boxstyle="round,pad=0.02", fc="#e8f0fb" if node._prev else "#fdf1dc",
                                    ec="0.3", lw=0.8, zorder=2))
        ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=text_size, family="monospace",
                zorder=3)
        if not node._prev:
            continue
        ox, oy = x - step / 2, y  # the operation's circle, half a column to the left
        ax.add_patch(Circle((ox, oy), radius, fc="white", ec="0.3", lw=0.8, zorder=2))
        ax.text(ox, oy, node._op, ha="center", va="center", zorder=3,
                fontsize=op_size if len(node._op) < 3 else 0.72 * op_size)
        ax.annotate("", xy=(x - box_w / 2, y), xytext=(ox + radius, oy), arrowprops=arrow, zorder=1)
        for parent in node._prev:
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
    import matplotlib.pyplot as plt
    import numpy as np

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
