"""Notebook 05's figures: which axes the backward pass sums after broadcasting, a tensor graph
with its shapes, and the digit classifier's curves, confusion matrix and image galleries."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyBboxPatch, Rectangle

from ..broadcasting import reduce_to_shape, summed_axes
from .style import OKABE_ITO


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
    ax.text(n / 2, m + 0.2, rf"$\partial\mathcal{{L}}/\partial$result {grad.shape}", ha="center", va="bottom", fontsize=9)
    ax.text(x_right + padded[1] / 2, y_right + 0.2, rf"$\partial\mathcal{{L}}/\partial$operand {operand_shape}",
            ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-1.0, x_right + max(padded[1], 3) + 1.0)
    ax.set_ylim(-0.3, m + 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax



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


def broadcast_pair(a_shape, b_shape, reveal=True, axes=None):
    """The unbroadcast explorer's figure for ``a + b``: one panel per operand.

    The result's gradient holds the numbers 1, 2, ... in the result's shape. Revealed, each panel
    is ``broadcast_backward`` for its operand (which entries add up, and to what); not revealed,
    each panel shows only the gradient and the operand's shape, with a question mark. Shapes that
    do not broadcast get one panel that says so. ``a`` must be 2-D (so the result is)."""
    a_shape, b_shape = tuple(a_shape), tuple(b_shape)
    if len(a_shape) != 2:
        raise ValueError(f"broadcast_pair: a must be 2-D, got shape {a_shape}")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 2.8))
    try:
        result = np.broadcast_shapes(a_shape, b_shape)
    except ValueError:
        for ax in axes:
            ax.clear()
            ax.axis("off")
        axes[0].text(0.0, 0.5, f"a {a_shape} and b {b_shape} do not broadcast:\nno result, nothing to sum",
                     ha="left", va="center", fontsize=11, transform=axes[0].transAxes)
        return axes
    G = np.arange(1.0, 1.0 + np.prod(result)).reshape(result)
    for ax, name, shape in zip(axes, ("a", "b"), (a_shape, b_shape)):
        ax.clear()
        if reveal:
            broadcast_backward(shape, G, ax=ax)
        else:
            m, n = G.shape
            for i in range(m):
                for j in range(n):
                    ax.add_patch(Rectangle((j, m - i - 1), 1, 1, facecolor="#dddddd", edgecolor="white", linewidth=2))
                    ax.text(j + 0.5, m - i - 0.5, f"{G[i, j]:g}", ha="center", va="center", fontsize=9)
            ax.text(n / 2, m + 0.2, rf"$\partial\mathcal{{L}}/\partial$result {result}", ha="center",
                    va="bottom", fontsize=9)
            ax.text(n + 3, m / 2, rf"$\partial\mathcal{{L}}/\partial {name}$ {shape}:" + "\nwhich entries add up?",
                    ha="center", va="center", fontsize=9)
            ax.set_xlim(-1.0, n + 8.0)
            ax.set_ylim(-0.3, m + 1.0)
            ax.set_aspect("equal")
            ax.axis("off")
        ax.set_title(f"operand {name}, shape {shape}", fontsize=10)
    return axes
