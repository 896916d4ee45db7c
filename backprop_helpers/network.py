"""The feed-forward network of the course, indexed exactly like the math.

Layers are l = 0 (input) .. L (output), with n_l neurons in layer l.

    z^(l) = W^(l) a^(l-1) + b^(l),   a^(l) = φ_l(z^(l)),   a^(0) = x

``W[l]`` is n_l × n_{l-1} (row j = destination neuron, column k = source), ``b[l]`` is a
column n_l × 1, and a batch stacks its samples as columns. The backward pass is the four
equations of backpropagation, each named where it happens:

    BP1  δ^(L) = ∇_a 𝓛 ⊙ φ_L'(z^(L))
    BP2  δ^(l) = ((W^(l+1))ᵀ δ^(l+1)) ⊙ φ_l'(z^(l))
    BP3  ∂𝓛/∂b^(l) = δ^(l)            (summed over the samples of a batch)
    BP4  ∂𝓛/∂W^(l) = δ^(l) (a^(l-1))ᵀ

𝓛 is the loss and L the index of the last layer; φ_l is layer l's activation (σ is the
sigmoid only). The loss of a batch is the mean over its samples, so every δ of a batch carries
the 1/m.
"""
from dataclasses import dataclass
from itertools import product

import numpy as np

from . import activations as act
from .activations import _float64_array
from .checks import check_seed, check_whole
from .losses import (cross_entropy, cross_entropy_gradient, half_squared_error,
                     half_squared_error_gradient)

LOSSES = ("half_squared_error", "cross_entropy")


@dataclass
class ForwardPass:
    """What the forward pass records: ``z[l]`` for l = 1..L and ``a[l]`` for l = 0..L."""
    z: dict
    a: dict

    @property
    def output(self):
        """a^(L), the network's prediction."""
        return self.a[max(self.a)]


@dataclass
class Gradients:
    """What the backward pass returns: ``delta[l]``, ``dW[l]`` and ``db[l]`` for l = 1..L."""
    delta: dict
    dW: dict
    db: dict

    def by_name(self):
        """{"W^(1)": ∂𝓛/∂W^(1), "b^(1)": ∂𝓛/∂b^(1), ...}, in the order of Network.parameters()."""
        named = {}
        for l in sorted(self.dW):
            named[f"W^({l})"] = self.dW[l]
            named[f"b^({l})"] = self.db[l]
        return named


def validate_sizes(sizes):
    """``sizes`` as a list of ints [n_0, ..., n_L], or a ValueError saying what is wrong."""
    try:
        sizes = list(sizes)
    except TypeError:
        raise ValueError(f"sizes must list the widths [n_0, ..., n_L] of at least two layers, "
                         f"got {sizes!r}") from None
    if len(sizes) < 2:
        raise ValueError(f"sizes must list the widths [n_0, ..., n_L] of at least two layers "
                         f"(depth L >= 1); got {sizes}")
    for l, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise ValueError(f"layer {l}: width must be an integer, got {n!r} in sizes {sizes}")
        if n < 1:
            raise ValueError(f"layer {l}: width must be >= 1, got {n} in sizes {sizes}")
    return [int(n) for n in sizes]


def _finite_float_array(value, what):
    """``value`` as a new float64 array with only finite entries, or a ValueError naming ``what``."""
    if value is None:
        raise ValueError(f"{what} is None; expected numbers")
    try:
        array = np.array(_float64_array(value, what), dtype=float)
    except TypeError as error:
        raise ValueError(f"{what} must be numeric: {error}") from None
    if not np.all(np.isfinite(array)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueError(f"{what} has a non-finite value {array[bad]} at index {bad}")
    return array


def _by_layer(values, what):
    """A list for layers 1..L, or a dict {l: ...}, as a dict keyed 1..L."""
    if isinstance(values, dict):
        if sorted(values) != list(range(1, len(values) + 1)):
            raise ValueError(f"{what} must be keyed by layer 1..L, got keys {sorted(values)}")
        return dict(values)
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ValueError(f"{what} must be a list with one entry per layer 1..L (or a dict keyed "
                         f"1..L), got {values!r}")
    return {l: v for l, v in enumerate(values, start=1)}


class Network:
    """A fully connected feed-forward network: ``W[l]``, ``b[l]`` and an activation per layer.

    ``W`` and ``b`` are lists for layers 1..L (or dicts keyed 1..L); a bias may be given as a
    flat vector and is stored as a column. ``activations`` is one name for every layer or one
    per layer, from ``activations.NAMES``; ``softmax`` is allowed on the output layer only.
    ``loss`` is "half_squared_error" or "cross_entropy" (which needs a softmax output and is
    computed from the logits z^(L)).
    """

    def __init__(self, W, b, activations="sigmoid", loss="half_squared_error"):
        self.W = {l: _finite_float_array(w, f"W^({l})") for l, w in _by_layer(W, "W").items()}
        self.b = {}
        for l, bias in _by_layer(b, "b").items():
            bias = _finite_float_array(bias, f"b^({l})")
            self.b[l] = bias.reshape(-1, 1) if bias.ndim == 1 else bias
        self.L = len(self.W)
        if self.L == 0:
            raise ValueError("a network needs at least one layer of weights")
        if len(self.b) != self.L:
            raise ValueError(f"got {self.L} weight matrices but {len(self.b)} bias vectors")
        if isinstance(activations, str):
            activations = [activations] * self.L
        self.activations = _by_layer(activations, "activations")
        if len(self.activations) != self.L:
            raise ValueError(f"got {len(self.activations)} activations for {self.L} layers")
        for l, name in self.activations.items():
            if name not in act.NAMES:
                raise ValueError(f"layer {l}: unknown activation {name!r}; choose from {act.NAMES}")
            if name == "softmax" and l != self.L:
                raise ValueError(f"layer {l}: softmax is only supported on the output layer {self.L}")
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose from {LOSSES}")
        if loss == "cross_entropy" and self.activations[self.L] != "softmax":
            raise ValueError(f"cross_entropy is computed from the logits of a softmax output, but "
                             f"the output layer {self.L} uses {self.activations[self.L]!r}")
        self.loss_name = loss
        self.validate_parameters()

    @classmethod
    def random(cls, sizes, activations="sigmoid", loss="half_squared_error", seed=0):
        """A network with layer sizes [n_0, ..., n_L] and weights drawn from N(0, 1/n_{l-1})."""
        sizes = validate_sizes(sizes)
        check_seed(seed, "Network.random: seed")
        rng = np.random.default_rng(seed)
        W = [rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_out, n_in))
             for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        b = [rng.normal(0.0, 0.1, size=(n_out, 1)) for n_out in sizes[1:]]
        return cls(W, b, activations, loss)

    @property
    def sizes(self):
        """[n_0, n_1, ..., n_L]."""
        return [self.W[1].shape[1]] + [self.W[l].shape[0] for l in range(1, self.L + 1)]

    def parameters(self):
        """{"W^(1)": W[1], "b^(1)": b[1], ...}: the arrays themselves, so they can be nudged in place."""
        named = {}
        for l in range(1, self.L + 1):
            named[f"W^({l})"] = self.W[l]
            named[f"b^({l})"] = self.b[l]
        return named

    def copy(self):
        """An independent copy (parameters copied, not shared)."""
        return Network([self.W[l].copy() for l in range(1, self.L + 1)],
                       [self.b[l].copy() for l in range(1, self.L + 1)],
                       [self.activations[l] for l in range(1, self.L + 1)], self.loss_name)

    def validate_parameters(self):
        """Raise a ValueError naming the layer if any W[l] or b[l] has the wrong shape."""
        for l in range(1, self.L + 1):
            W, b = self.W[l], self.b[l]
            if np.ndim(W) != 2:
                raise ValueError(f"layer {l}: W^({l}) must be a matrix, got shape {np.shape(W)}")
            if l > 1 and W.shape[1] != self.W[l - 1].shape[0]:
                raise ValueError(f"layer {l}: W^({l}) has shape {W.shape}, so it expects "
                                 f"{W.shape[1]} inputs, but layer {l - 1} has "
                                 f"{self.W[l - 1].shape[0]} neurons (W^({l - 1}) is {self.W[l - 1].shape})")
            if np.shape(b) != (W.shape[0], 1):
                raise ValueError(f"layer {l}: b^({l}) has shape {np.shape(b)} but W^({l}) has shape "
                                 f"{W.shape}, so b^({l}) must be {(W.shape[0], 1)}")

    def _input(self, x):
        x = _finite_float_array(x, "input x")
        if x.ndim == 1:
            x = x[:, None]
        n0 = self.W[1].shape[1]
        if x.ndim != 2 or x.shape[0] != n0:
            raise ValueError(f"input x has shape {x.shape} but layer 1 (W^(1) is {self.W[1].shape}) "
                             f"needs {n0} rows: one column of {n0} values per sample")
        if x.shape[1] == 0:
            raise ValueError(f"input x has shape {x.shape}: no samples (columns)")
        return x

    def _target(self, y, m):
        y = _finite_float_array(y, "target y")
        if y.ndim <= 1:
            y = y.reshape(-1, 1)
        nL = self.W[self.L].shape[0]
        if y.shape != (nL, m):
            raise ValueError(f"target y has shape {y.shape} but the output layer {self.L} gives "
                             f"{(nL, m)} ({nL} outputs for {m} samples)")
        return y

    def _activate(self, l, z):
        name = self.activations[l]
        return act.softmax(z) if name == "softmax" else act.ELEMENTWISE[name][0](z)

    def _sigma_prime(self, l, z):
        return act.ELEMENTWISE[self.activations[l]][1](z)

    def forward(self, x):
        """Run x (n_0 values, or n_0 × m for a batch) through the network, recording z and a."""
        self.validate_parameters()
        a = {0: self._input(x)}
        z = {}
        for l in range(1, self.L + 1):
            z[l] = self.W[l] @ a[l - 1] + self.b[l]
            a[l] = self._activate(l, z[l])
        return ForwardPass(z, a)

    def loss(self, x, y, record=None):
        """The mean loss over the samples (columns) of x against the targets y."""
        if record is None:
            record = self.forward(x)
        else:
            self._check_record(record)
        y = self._target(y, record.a[0].shape[1])
        if self.loss_name == "cross_entropy":
            return cross_entropy(record.z[self.L], y)
        return half_squared_error(record.output, y)

    def backward(self, record, y):
        """BP1–BP4 on a recorded forward pass: the deltas and the gradient of every parameter."""
        L = self.L
        self._check_record(record)
        y = self._target(y, record.a[0].shape[1])
        z, a = record.z, record.a
        delta, dW, db = {}, {}, {}
        # BP1: the output error
        if self.loss_name == "cross_entropy":
            delta[L] = cross_entropy_gradient(z[L], y)  # = ∇_a 𝓛 times the softmax Jacobian
        else:
            grad_a = half_squared_error_gradient(a[L], y)
            if self.activations[L] == "softmax":
                delta[L] = act.softmax_backward(a[L], grad_a)
            else:
                delta[L] = grad_a * self._sigma_prime(L, z[L])
        # BP2: carry the error back one layer at a time
        for l in range(L - 1, 0, -1):
            delta[l] = (self.W[l + 1].T @ delta[l + 1]) * self._sigma_prime(l, z[l])
        for l in range(1, L + 1):
            db[l] = delta[l].sum(axis=1, keepdims=True)  # BP3
            dW[l] = delta[l] @ a[l - 1].T                # BP4
        return Gradients(delta, dW, db)

    def _check_record(self, record):
        """A ValueError unless ``record`` is a forward pass of a network shaped like this one."""
        if not isinstance(record, ForwardPass):
            raise ValueError(f"backward: record must be the ForwardPass returned by forward(x), "
                             f"got {type(record).__name__}")
        if sorted(record.z) != list(range(1, self.L + 1)) or sorted(record.a) != list(range(self.L + 1)):
            raise ValueError(f"backward: the record has layers {sorted(record.z)}, but this network "
                             f"has layers 1..{self.L}; pass the record of this network's forward(x)")
        for l in range(1, self.L + 1):
            rows = self.W[l].shape[0]
            inputs = self.W[l].shape[1]
            if np.shape(record.z[l])[:1] != (rows,) or np.shape(record.a[l - 1])[:1] != (inputs,):
                raise ValueError(f"backward: layer {l} of the record has z of shape "
                                 f"{np.shape(record.z[l])}, but W^({l}) is {self.W[l].shape}; pass "
                                 f"the record of this network's forward(x)")

    def gradients(self, x, y):
        """Forward then backward: the Gradients of the loss at (x, y)."""
        return self.backward(self.forward(x), y)

    def __repr__(self):
        acts = ", ".join(self.activations[l] for l in range(1, self.L + 1))
        return f"Network(sizes={self.sizes}, activations=[{acts}], loss={self.loss_name!r})"


def paths_to_output(sizes, layer, neuron):
    """Every path from neuron ``neuron`` (0-based) of ``layer`` to the output layer.

    Each path is a tuple of neuron indices, one per layer from ``layer`` to L. The chain rule
    sums one product of local derivatives per path; their number is Π n_k over the layers after
    ``layer``.
    """
    sizes = validate_sizes(sizes)
    check_whole(layer, "paths_to_output: layer", minimum=0)
    check_whole(neuron, "paths_to_output: neuron", minimum=0)
    if not 0 <= layer < len(sizes) or not 0 <= neuron < sizes[layer]:
        raise ValueError(f"no neuron {neuron} in layer {layer} of a network with sizes {list(sizes)}")
    return [(neuron,) + rest for rest in product(*(range(n) for n in sizes[layer + 1:]))]
