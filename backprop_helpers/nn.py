"""Neuron, Layer and MLP built on ``Value``, and a small training loop with a progress bar.

A neuron computes z = b + Σ_k w_k x_k and then its nonlinearity, a = φ(z). Without a
nonlinearity a stack of layers collapses into one linear map, so hidden layers default to
ReLU and only the output layer is the identity. The inputs ``x`` may be plain numbers or Values.

Parameters are drawn from a ``random.Random(seed)``, so the same seed gives the same network.
"""
import random

from .network import Network
from .scalar import Value

__all__ = ["Module", "Neuron", "Layer", "MLP", "train"]

NONLINEARITIES = ("relu", "tanh", "sigmoid", "identity")  # the names network.Network uses


class Module:
    """What every model part offers: its parameters, and a way to zero their gradients."""

    def parameters(self):
        return []

    def zero_grad(self):
        """Set the gradient of every parameter to 0 (leaves accumulate across backward())."""
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """One neuron: weights w_k drawn uniformly from [-1, 1], bias b = 0, then a nonlinearity."""

    def __init__(self, n_inputs, nonlinearity="relu", rng=None):
        if nonlinearity not in NONLINEARITIES:
            raise ValueError(f"unknown nonlinearity {nonlinearity!r}; choose one of {NONLINEARITIES}")
        rng = rng or random.Random()
        self.w = [Value(rng.uniform(-1.0, 1.0)) for _ in range(n_inputs)]
        self.b = Value(0.0)
        self.nonlinearity = nonlinearity

    def __call__(self, x):
        if len(x) != len(self.w):
            raise ValueError(f"Neuron with {len(self.w)} inputs got {len(x)} of them")
        z = self.b
        for w_k, x_k in zip(self.w, x):
            z = z + w_k * x_k
        if self.nonlinearity == "identity":
            return z
        return getattr(z, self.nonlinearity)()

    def parameters(self):
        return self.w + [self.b]

    def __repr__(self):
        return f"Neuron({len(self.w)}, {self.nonlinearity!r})"


class Layer(Module):
    """``n_outputs`` neurons, each reading the same ``n_inputs`` inputs; returns a list."""

    def __init__(self, n_inputs, n_outputs, nonlinearity="relu", rng=None):
        rng = rng or random.Random()
        self.neurons = [Neuron(n_inputs, nonlinearity, rng) for _ in range(n_outputs)]

    def __call__(self, x):
        return [neuron(x) for neuron in self.neurons]

    def parameters(self):
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self):
        return f"Layer({len(self.neurons[0].w)} -> {len(self.neurons)}, {self.neurons[0].nonlinearity!r})"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` is 2 inputs, two hidden layers of 16
    (``hidden`` nonlinearity, ReLU by default) and one output (``output`` nonlinearity,
    the identity by default). Calling it on one sample returns a list of output Values."""

    def __init__(self, n_inputs, layer_sizes, hidden="relu", output="identity", seed=None):
        if not layer_sizes:
            raise ValueError("MLP needs at least one layer size, e.g. MLP(2, [16, 16, 1])")
        rng = random.Random(seed)
        sizes = [n_inputs] + list(layer_sizes)
        last = len(layer_sizes) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], output if i == last else hidden, rng)
                       for i in range(len(layer_sizes))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def to_network(self):
        """The same weights as a ``backprop_helpers.network.Network`` (matrices, BP1–BP4):
        ``W[l][j, k]`` is the weight from input k to neuron j of layer l. A second, independent
        route to the same outputs, and a fast one for evaluating many points at once."""
        W = [[[w.data for w in n.w] for n in layer.neurons] for layer in self.layers]
        b = [[n.b.data for n in layer.neurons] for layer in self.layers]
        names = [layer.neurons[0].nonlinearity for layer in self.layers]
        return Network(W, b, names)

    def __repr__(self):
        return "MLP(" + ", ".join(repr(layer) for layer in self.layers) + ")"


def train(model, loss_function, steps, learning_rate=0.1, progress=True):
    """Plain gradient descent: ``steps`` times, zero the gradients, compute
    ``loss = loss_function()`` (a Value), ``loss.backward()``, then move every parameter by
    ``-learning_rate * grad``. ``learning_rate`` is a number or a function of the step index.

    Shows a tqdm progress bar with the current loss (``progress=False`` hides it) and
    returns the list of losses, one float per step, each taken before that step's update.
    """
    from tqdm.auto import tqdm  # imported here: only training needs it

    rate = learning_rate if callable(learning_rate) else (lambda step: learning_rate)
    parameters = model.parameters()
    losses = []
    bar = tqdm(range(steps), desc="training", disable=not progress)
    for step in bar:
        for p in parameters:
            p.grad = 0.0
        loss = loss_function()
        loss.backward()
        lr = rate(step)
        for p in parameters:
            p.data -= lr * p.grad
        losses.append(loss.data)
        bar.set_postfix(loss=f"{loss.data:.4f}", refresh=False)
    bar.close()
    return losses
