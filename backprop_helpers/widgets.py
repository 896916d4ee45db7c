"""Explorers: a pure compute function that the tests call, and an ipywidgets view of it.

The view only displays what the compute function returns, so everything a slider shows is
unit-tested without a browser.
"""


# ---------------------------------------------------------------------------------------------
# Notebook 03: the logits explorer (two output logits -> probabilities, loss and δ^(L))
# ---------------------------------------------------------------------------------------------
from typing import NamedTuple

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np

from .losses import cross_entropy, cross_entropy_gradient
from .activations import softmax
from .plots import plot_probabilities


class LogitsReadout(NamedTuple):
    """What the logits explorer shows for logits (z1, z2) and a target y."""
    probabilities: np.ndarray  # ŷ = softmax(z), shape (2,)
    loss: float                # cross-entropy L = -Σ y_i log ŷ_i
    delta: np.ndarray          # δ^(L) = ∂L/∂z = ŷ - y, shape (2,)

    def lines(self):
        """The two lines the explorer prints: 'loss = ...' and 'delta = [..., ...]', 8 decimals."""
        d1, d2 = self.delta
        return [f"loss = {self.loss:.8f}", f"delta = [{d1:.8f}, {d2:.8f}]"]


def logits_readout(z1, z2, y=(0.0, 1.0)):
    """Softmax probabilities, cross-entropy loss and δ^(L) = ŷ - y for the two logits z1, z2.

    The pure computation behind ``explore_logits``: stable for any finite logits (±1000 too).
    """
    if not (np.isfinite(z1) and np.isfinite(z2)):
        raise ValueError(f"logits_readout: logits must be finite numbers, got z1={z1!r}, z2={z2!r}")
    y = np.asarray(y, dtype=float).reshape(2, 1)
    z = np.array([[z1], [z2]], dtype=float)
    return LogitsReadout(softmax(z)[:, 0], cross_entropy(z, y), cross_entropy_gradient(z, y)[:, 0])


def explore_logits(z1=1.7, z2=2.24, y=(0.0, 1.0), limit=10.0):
    """Two sliders, "z1" and "z2", for the output logits: bars of ŷ, then the loss and δ^(L).

    The defaults are the logits z^(2) of notebook 03's example network. Returns the widget.
    """
    def show(z1, z2):
        readout = logits_readout(z1, z2, y)
        print("\n".join(readout.lines()))
        plot_probabilities(readout.probabilities, y, title=f"softmax([{z1:.2f}, {z2:.2f}])")
        plt.show()

    sliders = {name: ipywidgets.FloatSlider(value=value, min=-limit, max=limit, step=0.01,
                                            description=name, continuous_update=False)
               for name, value in (("z1", z1), ("z2", z2))}
    return ipywidgets.interactive(show, **sliders)
