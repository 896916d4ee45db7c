"""Notebook 03's figures: the softmax Jacobian, ReLU and its derivative, the margin curves,
a dead unit, and the probability triangle."""
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from ..activations import sigmoid
from .style import OKABE_ITO


def _axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


#: the largest size an entry of a softmax Jacobian can reach: a(1 - a) and a_i a_k are at most 1/4
SOFTMAX_JACOBIAN_BOUND = 0.25


def plot_jacobian(J, ax=None, title=r"softmax Jacobian $\partial a_i / \partial z_k$", limit=None):
    """A heat map of a square Jacobian with each entry written in its cell.

    The colour scale is symmetric about 0 (red positive, blue negative), so the positive
    diagonal a_i(1 - a_i) and the negative off-diagonal -a_i a_k stand out. It ends at ±``limit``
    (default: the largest entry's size); a fixed limit lets small entries look small.
    """
    J = np.asarray(J, dtype=float)
    if J.ndim != 2 or J.shape[0] != J.shape[1]:
        raise ValueError(f"plot_jacobian: expected a square matrix, got shape {J.shape}")
    ax = _axes(ax, (3.4, 2.8))
    limit = max(float(np.max(np.abs(J))), 1e-12) if limit is None else float(limit)
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
