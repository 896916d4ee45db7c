"""The fixed networks and data sets of the notebooks, so every notebook and test uses the same numbers.

The example networks (``naive_recursion_example``, ``bp_walkthrough_example``,
``softmax_relu_example``) return an ``Example(network, x, y)``, which unpacks as
``net, x, y``; their parameters are written in the course's notation (``W[l]`` is
n_l × n_{l-1}, biases and samples are columns). ``two_moons`` returns arrays ``(X, y)``,
samples as columns; ``load_digits``
returns ``Digits(images, labels)``, the 1,797 images of 8 × 8 pixels as stored in the package
(the notebook turns them into columns).
"""
from typing import NamedTuple

import numpy as np

from .network import Network


class Example(NamedTuple):
    network: Network
    x: np.ndarray
    y: np.ndarray


def naive_recursion_example():
    """Notebook 01: a 2→2→2→2→1 sigmoid network, x = [0.7, -1.2], y = 0.9 (loss 0.05587807)."""
    W = [[[0.3, -0.2], [0.1, 0.4]],
         [[-0.5, 0.2], [0.3, 0.7]],
         [[0.6, -0.1], [-0.4, 0.2]],
         [[0.8, -0.6]]]
    b = [[0.0, 0.1], [0.2, -0.3], [-0.2, 0.05], [0.15]]
    return Example(Network(W, b, "sigmoid"), np.array([[0.7], [-1.2]]), np.array([[0.9]]))


def bp_walkthrough_example():
    """Notebook 02: the [3, 2, 2, 1] sigmoid network, x = [1, 0.5, -1], y = 1 (a^(3) = 0.6506)."""
    W = [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]],
         [[0.7, 0.8], [0.9, 1.0]],
         [[0.3, 0.4]]]
    b = [[0.1, 0.2], [0.1, 0.2], [0.1]]
    return Example(Network(W, b, "sigmoid"), np.array([[1.0], [0.5], [-1.0]]), np.array([[1.0]]))


def softmax_relu_example():
    """Notebook 03: a 2→3→2 network, ReLU then softmax with cross-entropy; x = [1, 0.5], y = [0, 1]."""
    W = [[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]],
         [[0.7, 0.8, 0.9], [1.0, 1.1, 1.2]]]
    b = [[0.1, 0.1, 0.1], [0.2, 0.2]]
    return Example(Network(W, b, ["relu", "softmax"], loss="cross_entropy"),
                   np.array([[1.0], [0.5]]), np.array([[0.0], [1.0]]))


# ---------------------------------------------------------------- two moons (notebook 04)

def two_moons(n=100, noise=0.1, seed=0):
    """Two interleaving half circles in the plane, a classic data set a line cannot separate.

    Returns ``(X, y)``: ``X`` is 2 × n (samples as columns, as everywhere in the course) and
    ``y`` holds n labels, -1 for the upper moon and +1 for the lower one (the convention of
    the hinge loss). ``noise`` is the standard deviation of Gaussian jitter added to each
    point; the same ``seed`` gives the same points. Built with numpy alone.
    """
    if n < 2:
        raise ValueError(f"two_moons needs n >= 2 points, got {n}")
    if noise < 0:
        raise ValueError(f"two_moons needs noise >= 0, got {noise}")
    rng = np.random.default_rng(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)])              # centred at (0, 0)
    lower = np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])  # centred at (1, 0.5)
    X = np.concatenate([upper, lower], axis=1) + noise * rng.standard_normal((2, n))
    y = np.concatenate([-np.ones(n_upper), np.ones(n_lower)])
    return X, y


# ---------------------------------------------------------------- 8 × 8 digits (notebook 05)

class Digits(NamedTuple):
    images: np.ndarray  # (1797, 8, 8) uint8, ink per pixel 0..16
    labels: np.ndarray  # (1797,) int64, the digit 0..9 each image shows


def load_digits():
    """The 1,797 handwritten 8 × 8 digits shipped with the package, as ``Digits(images, labels)``.

    ``images`` is a uint8 array of shape (1797, 8, 8) with pixel values 0..16, ``labels`` the
    digits 0..9 (about 180 of each). The data are the test part of the UCI "Optical Recognition
    of Handwritten Digits" set (Alpaydin and Kaynak, 1998, CC BY 4.0); the file
    ``backprop_helpers/data/digits.npz`` and its ``README.md`` say where it came from. Read from
    the package: nothing is downloaded. Each call returns fresh arrays.
    """
    from importlib.resources import files

    with files(__package__).joinpath("data").joinpath("digits.npz").open("rb") as handle:
        with np.load(handle) as stored:
            images, labels = stored["images"], stored["labels"]
    if images.shape != (1797, 8, 8) or labels.shape != (1797,):
        raise ValueError(f"digits.npz is damaged: images {images.shape}, labels {labels.shape}; "
                         f"expected (1797, 8, 8) and (1797,)")
    return Digits(images, labels.astype(np.int64))
