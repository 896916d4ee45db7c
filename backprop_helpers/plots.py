"""Matplotlib figures of the course: network diagrams with highlighted paths, and more.

Every function draws on an ``ax`` it is given (or a new figure) and returns the axes, so a
notebook can compose figures and a test can inspect what was drawn.
"""


# ---------------------------------------------------------------------------------------------
# Notebook 03: softmax probabilities, the softmax Jacobian, ReLU and its derivative
# ---------------------------------------------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np


def _axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_probabilities(probabilities, y=None, ax=None, labels=None, title="softmax output ŷ"):
    """Bars of the class probabilities ŷ (one column), each labelled with its value.

    If the one-hot target ``y`` is given, the bar of the true class is drawn in a darker
    colour and the legend says so. The y axis is fixed to [0, 1] so bars compare across calls.
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
    bars = ax.bar(labels, p, color=colours)
    for bar, value in zip(bars, p):
        ax.text(bar.get_x() + bar.get_width() / 2, value + 0.02, f"{value:.4f}",
                ha="center", va="bottom", fontsize=9)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("probability")
    ax.set_title(title)
    if y is not None:
        ax.bar([labels[0]], [0], color="tab:orange", label="true class")  # legend entry only
        ax.legend(loc="upper left", fontsize=8, frameon=False)
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
