"""Notebook 03's explorers: the margin explorer (softmax + cross-entropy against sigmoid +
squared error) and three classes (three logits -> ŷ on the triangle, the Jacobian, a step)."""
import base64
import io
from typing import NamedTuple

import ipywidgets
import numpy as np
from matplotlib.figure import Figure

from ..activations import softmax, softmax_jacobian
from ..losses import cross_entropy, cross_entropy_gradient
from ..plots import (
    OKABE_ITO,
    SOFTMAX_JACOBIAN_BOUND,
    margin_curves,
    plot_jacobian,
    plot_margin_losses,
    plot_simplex,
)
from ..plots.style import show_png
from .screen_reader import with_named_sliders


def _finite_number(value, name, where):
    """``value`` as a float, or a ValueError naming the argument and what was wrong with it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{where}: {name} must be a finite number, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{where}: {name} must be a finite number, got {value!r}")
    return float(value)


def _signed(value, digits=4):
    return f"{value + 0.0:+.{digits}f}"   # + 0.0 turns -0.0 into 0.0


class MarginReadout(NamedTuple):
    """What the margin explorer shows at one margin m = z_true - z_other (plots.MarginCurves)."""
    margin: float
    probability: float            # ŷ of the true class, σ(m)
    cross_entropy: float          # softmax + cross-entropy loss
    cross_entropy_delta: float    # its output error ∂𝓛/∂m
    squared_error: float          # sigmoid + half squared error loss
    squared_error_delta: float    # its output error ∂𝓛/∂m

    def lines(self):
        """The explorer's printout, 4 decimals."""
        ce, se = self.cross_entropy_delta, self.squared_error_delta
        if se != 0.0:
            ratio = f"cross-entropy's error signal is {ce / se:.1f} times the squared error's"
        else:
            ratio = "the squared error's error signal is 0 in floating point: that output has stopped learning"
        return [f"margin m = {_signed(self.margin, 2)}: ŷ of the true class = σ(m) = {self.probability:.4f}",
                f"softmax + cross-entropy: 𝓛 = {self.cross_entropy:.4f}, ∂𝓛/∂m = {_signed(ce)}",
                f"sigmoid + squared error: 𝓛 = {self.squared_error:.4f}, ∂𝓛/∂m = {_signed(se)}",
                ratio]


def margin_readout(margin):
    """Both losses and their output errors at one margin: the pure computation behind
    ``explore_margin``. Stable at any finite margin (±1000 too)."""
    m = _finite_number(margin, "margin", "margin_readout")
    return MarginReadout(*(float(v) for v in margin_curves(m)))


#: the margin slider's label: for notebook 03's example the true class is class 2
MARGIN_LABEL = "margin z₂ − z₁"
#: ... and its accessible name, in words
MARGIN_NAME = "margin, logit of class 2 minus logit of class 1"


def _show_redrawn(figure, alt, dpi=80):
    """Show a figure that an explorer draws once and updates in place: one PNG render at its
    fixed layout (a slider move must not wait for show_figure's tight bounding box, a second
    render), with its alt text and caption line as show_figure shows them."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    show_png(base64.b64encode(buffer.getvalue()).decode("ascii"),
             f"<Figure size {figure.get_figwidth() * dpi:g}x{figure.get_figheight() * dpi:g} "
             f"with {len(figure.axes)} Axes>", alt)


class _MarginView:
    """plot_margin_losses drawn once; ``draw(readout)`` moves the dots and the dotted guide."""

    def __init__(self, limit):
        self.figure = Figure(figsize=(8, 3))
        axes = self.figure.subplots(1, 2)
        plot_margin_losses(ax=axes, margins=np.linspace(-limit, limit, 401))
        self.figure.tight_layout()
        blue, red = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
        self.dots = [[ax.plot([], [], marker, color=colour, markersize=7)[0] for ax in axes]
                     for marker, colour in (("o", blue), ("s", red))]
        self.guides = [ax.axvline(0.0, color="#999999", linewidth=0.8, linestyle=":") for ax in axes]

    def draw(self, r):
        for (loss_dot, error_dot), loss, delta in ((self.dots[0], r.cross_entropy, r.cross_entropy_delta),
                                                   (self.dots[1], r.squared_error, r.squared_error_delta)):
            loss_dot.set_data([r.margin], [loss])
            error_dot.set_data([r.margin], [abs(delta)])
        for guide in self.guides:
            guide.set_xdata([r.margin, r.margin])
        return self.figure


def explore_margin(margin=0.54, limit=10.0):
    """One slider, the logit margin m = z_true - z_other: prints margin_readout(m) and dots m on
    the loss and output-error curves of both models. Returns the widget."""
    view = _MarginView(limit)

    def show(m):
        readout = margin_readout(m)
        print("\n".join(readout.lines()))
        _show_redrawn(view.draw(readout), alt=(
            f"Loss (left) and size of the output error (right) against the logit margin from {-limit:g} "
            f"to {limit:g}, softmax with cross-entropy solid, sigmoid with squared error dashed. Dots mark "
            f"the margin {m:+.2f}: there the cross-entropy's output error is "
            f"{abs(readout.cross_entropy_delta):.4f} and the squared error's "
            f"{abs(readout.squared_error_delta):.4f}."))

    slider = ipywidgets.FloatSlider(value=margin, min=-limit, max=limit, step=0.01,
                                    description=MARGIN_LABEL, tooltip=MARGIN_NAME,
                                    continuous_update=False, readout_format=".2f",
                                    style={"description_width": "initial"},
                                    layout=ipywidgets.Layout(width="420px"))
    return with_named_sliders(ipywidgets.interactive(show, m=slider))



class ThreeClassReadout(NamedTuple):
    """What the three-class explorer shows for logits z and a true class (1, 2 or 3)."""
    logits: np.ndarray             # z, shape (3,)
    true_class: int
    probabilities: np.ndarray      # ŷ = softmax(z)
    loss: float                    # cross-entropy -log ŷ_true
    delta: np.ndarray              # δ = ∂𝓛/∂z = ŷ - y
    jacobian: np.ndarray           # J = diag(ŷ) - ŷ ŷᵀ
    step: float                    # the gradient step's size η in z ← z - η δ
    predicted_change: np.ndarray   # first order: Δŷ ≈ J (-η δ)
    new_probabilities: np.ndarray  # softmax(z - η δ), the step actually taken
    new_loss: float

    def lines(self):
        """The explorer's printout: 4 decimals, and 2 significant digits for a probability below
        10⁻³ (four decimals would show 0.0000 and hide the step)."""
        k = self.true_class
        old, new = self.probabilities[k - 1], self.new_probabilities[k - 1]
        predicted = old + self.predicted_change[k - 1]

        def number(x):
            x = x + 0.0
            return f"{x:.1e}" if 0 < abs(x) < 1e-3 else f"{x:.4f}"

        def vec(v):
            return "[" + ", ".join(number(x) for x in v) + "]"
        return [f"ŷ = softmax(z) = {vec(self.probabilities)}   (target: class {k})",
                f"𝓛 = -log ŷ_{k} = {self.loss:.4f}",
                f"δ = ŷ - y = {vec(self.delta)}",
                f"step z ← z - {self.step:g}·δ: ŷ_{k} {number(old)} → {number(new)} "
                f"(first order predicts {number(predicted)}), 𝓛 → {self.new_loss:.4f}"]


#: three_class_readout refuses logits larger than this in size (a difference of two of them
#: could overflow)
MAX_LOGIT = 1e150


def three_class_readout(z1, z2, z3, true_class=3, step=1.0):
    """ŷ, the loss, δ, the Jacobian and one gradient step for three logits: the pure computation
    behind ``explore_three_classes``. Stable for any logits up to ±MAX_LOGIT (±1000 and far beyond)."""
    where = "three_class_readout"
    z = np.array([_finite_number(v, name, where) for v, name in ((z1, "z1"), (z2, "z2"), (z3, "z3"))])
    if np.max(np.abs(z)) > MAX_LOGIT:
        raise ValueError(f"{where}: logits up to ±{MAX_LOGIT:g} only (their differences must stay "
                         f"within the float range), got z = {z.tolist()}")
    if isinstance(true_class, (bool, np.bool_)) or true_class not in (1, 2, 3):
        raise ValueError(f"{where}: true_class must be 1, 2 or 3, got {true_class!r}")
    eta = _finite_number(step, "step", where)
    y = np.zeros((3, 1))
    y[true_class - 1] = 1.0
    column = z[:, None]
    a = softmax(column)[:, 0]
    delta = cross_entropy_gradient(column, y)[:, 0]
    J = softmax_jacobian(z)
    stepped = column - eta * delta[:, None]
    return ThreeClassReadout(z, int(true_class), a, float(cross_entropy(column, y)), delta, J, eta,
                             J @ (-eta * delta), softmax(stepped)[:, 0], float(cross_entropy(stepped, y)))


class _ThreeClassView:
    """The triangle (redrawn, it is cheap) and the Jacobian's heat map (drawn once, its colours,
    scale and numbers updated), so a slider move costs one render."""

    def __init__(self):
        self.figure = Figure(figsize=(7.6, 3.2))
        self.left, self.right = self.figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.15]})
        plot_jacobian(np.zeros((3, 3)), ax=self.right, limit=SOFTMAX_JACOBIAN_BOUND)  # rows ŷ_i, columns z_k
        self.figure.tight_layout()

    def draw(self, r):
        self.left.clear()
        plot_simplex(r.probabilities, r.true_class, r.new_probabilities - r.probabilities, ax=self.left)
        self.left.set_title("ŷ among all probability vectors", fontsize=10)
        self.right.images[0].set_data(r.jacobian)  # the colour scale stays at ±1/4: saturation shows white
        for text, value in zip(self.right.texts, r.jacobian.ravel()):
            text.set_text(f"{value:.4f}")
            text.set_color("white" if abs(value) > 0.6 * SOFTMAX_JACOBIAN_BOUND else "black")
        return self.figure


#: the three-class explorer's logit sliders, by label
LOGIT_LABELS = ("z₁ (class 1)", "z₂ (class 2)", "z₃ (class 3)")


def explore_three_classes(z=(1.0, 0.5, -0.5), true_class=3, limit=6.0):
    """Three sliders for the logits z₁, z₂, z₃ and a menu for the true class: prints
    three_class_readout, draws ŷ on the triangle of all probability vectors with the gradient
    step as an arrow, and the Jacobian as a heat map. Returns the widget."""
    view = _ThreeClassView()

    def show(z1, z2, z3, true_class):
        readout = three_class_readout(z1, z2, z3, true_class)
        print("\n".join(readout.lines()))
        p = ", ".join(f"{v:.2f}" for v in readout.probabilities)
        _show_redrawn(view.draw(readout), alt=(
            f"Left: the triangle of all probability vectors over three classes, with ŷ = [{p}] as a dot, "
            f"the target class {true_class} starred at its corner, and an arrow to where one gradient step "
            f"moves ŷ. Right: the 3 by 3 softmax Jacobian as a heat map with its entries written in, "
            f"diagonal {', '.join(f'{v:.4f}' for v in np.diag(readout.jacobian))}."), dpi=110)

    sliders = {name: ipywidgets.FloatSlider(value=value, min=-limit, max=limit, step=0.01,
                                            description=label, tooltip=f"logit of class {i}",
                                            continuous_update=False, readout_format=".2f",
                                            style={"description_width": "initial"})
               for i, (name, label, value) in enumerate(zip(("z1", "z2", "z3"), LOGIT_LABELS, z), 1)}
    menu = ipywidgets.Dropdown(options=[("class 1", 1), ("class 2", 2), ("class 3", 3)],
                               value=true_class, description="true class")
    return with_named_sliders(ipywidgets.interactive(show, **sliders, true_class=menu))
