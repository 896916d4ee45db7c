"""Matplotlib figures of the course: network diagrams with highlighted paths, and more.

Every function draws on an ``ax`` it is given (or a new figure) and returns the axes, so a
notebook can compose figures and a test can inspect what was drawn.
"""


# ===== Notebook 05: which axes the backward pass sums after broadcasting =====================

import numpy as np  # noqa: E402  (this section's own import, kept with it)


def broadcast_backward(operand_shape, grad, ax=None):
    """Draw how the gradient of a broadcast result is summed back to an operand's shape.

    ``grad`` is ∂L/∂(result), a 2-D array; ``operand_shape`` is the shape of one operand before
    broadcasting ((), (n,), (1, n) or (m, 1)). Left: ∂L/∂(result) with each entry coloured by the
    operand entry it was copied from; right: ∂L/∂(operand), each entry the sum of its colour.
    The axes come from ``tensor.summed_axes``, the function the engine itself uses.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from .tensor import summed_axes

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
    leading, kept = summed_axes(operand_shape, grad.shape)
    reduced = grad.sum(axis=leading) if leading else grad
    reduced = reduced.sum(axis=kept, keepdims=True) if kept else reduced
    padded = (1,) * (2 - len(operand_shape)) + operand_shape  # drawn as a 2-D grid
    flat_reduced = reduced.reshape(padded)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 2.6))
    colours = plt.get_cmap("tab10")

    def source(i, j):  # the operand entry (in the padded grid) that result entry (i, j) copies
        return (i if padded[0] != 1 else 0, j if padded[1] != 1 else 0)

    def draw_grid(values, x0, y_top, colour_of):
        rows, cols = values.shape
        for i in range(rows):
            for j in range(cols):
                ax.add_patch(Rectangle((x0 + j, y_top - i - 1), 1, 1, facecolor=colour_of(i, j),
                                       edgecolor="white", linewidth=2, alpha=0.85))
                ax.text(x0 + j + 0.5, y_top - i - 0.5, f"{values[i, j]:g}", ha="center",
                        va="center", fontsize=9)

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
    ax.text(n / 2, m + 0.2, f"∂L/∂result {grad.shape}", ha="center", va="bottom", fontsize=9)
    ax.text(x_right + padded[1] / 2, y_right + 0.2, f"∂L/∂operand {operand_shape}",
            ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-1.0, x_right + max(padded[1], 3) + 1.0)
    ax.set_ylim(-0.3, m + 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
