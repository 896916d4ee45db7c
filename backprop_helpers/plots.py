"""Matplotlib figures of the course: network diagrams with highlighted paths, and more.

Every function draws on an ``ax`` it is given (or a new figure) and returns the axes, so a
notebook can compose figures and a test can inspect what was drawn.
"""
import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

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
    sizes = list(sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"network_diagram: sizes must list at least two layers of >= 1 neurons, got {sizes}")
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
