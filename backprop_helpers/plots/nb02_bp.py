"""Notebook 02's figures (and any network's): the network diagram with highlighted paths, the
network annotated with z, a and δ, and σ with the neurons' operating points."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from ..network import validate_sizes
from .style import OKABE_ITO

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
    around each neuron by |δ| on a log scale, from the picture's smallest |δ| to its largest (the
    number is printed beside it, so the shade is a second cue, never the only one). The notebook-02 explorer redraws it on every slider move, so its
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

    def shade(self, delta, delta_range=None):
        """The ring colour for an error signal δ on a log scale over ``delta_range`` (default
        DELTA_RANGE): light orange at its low end or below, dark orange at its high end or above."""
        low, high = np.log10(delta_range or self.DELTA_RANGE)
        level = (np.log10(max(abs(float(delta)), 1e-300)) - low) / (high - low)
        return plt.cm.Oranges(0.05 + 0.8 * float(np.clip(level, 0.0, 1.0)))

    @staticmethod
    def picture_range(gradients):
        """The range of |δ| one picture shades over: its own smallest to its largest |δ| (at least
        a factor of 10), so that layers whose δs differ by a factor of two look different."""
        sizes = np.abs(np.concatenate([np.ravel(d) for d in gradients.delta.values()]))
        high = max(float(sizes.max()), 1e-12)
        low = min(max(float(sizes.min()), 1e-12), high / 10)
        return low, high

    def update(self, record, gradients, loss=None, y=None):
        """Write z, a and δ of ``record`` (a ForwardPass) and ``gradients`` into the drawing."""
        for (l, i), text in self.forward_text.items():
            if l == 0:
                text.set_text(f"a = {record.a[0][i, 0]:.2f}")
            else:
                text.set_text(f"z = {record.z[l][i, 0]:.4f}\na = {record.a[l][i, 0]:.4f}")
        delta_range = self.picture_range(gradients)
        for (l, i), text in self.backward_text.items():
            value = gradients.delta[l][i, 0]
            text.set_text(f"δ = {value:.8f}")
            self.halos[(l, i)].set_edgecolor(self.shade(value, delta_range))
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
