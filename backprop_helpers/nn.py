"""Neuron, Layer and MLP built on ``Value``, and a small training loop with a progress bar.

A neuron computes z = b + Σ_k w_k x_k and then its activation function, a = φ(z). Without
one, a stack of layers collapses into one affine map, so hidden layers default to ReLU and
only the output layer defaults to the identity ("identity"). The inputs ``x`` may be plain numbers or Values.

Parameters are drawn from a ``random.Random(seed)``, so the same seed gives the same network.
"""
import random
from numbers import Real

from .checks import check_callable, check_seed, check_whole
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
        check_whole(n_inputs, "Neuron: the number of inputs", minimum=1)
        rng = _random_source(rng)
        self.w = [Value(rng.uniform(-1.0, 1.0)) for _ in range(n_inputs)]
        self.b = Value(0.0)
        self.nonlinearity = nonlinearity

    def __call__(self, x):
        if not hasattr(x, "__len__") or isinstance(x, (str, bytes)):
            raise TypeError(f"Neuron with {len(self.w)} inputs: x must be a list of "
                            f"{len(self.w)} numbers or Values, got {type(x).__name__} {x!r}")
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
        check_whole(n_outputs, "Layer: the number of neurons", minimum=1)
        rng = _random_source(rng)
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
        if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__iter__"):
            raise TypeError(f"MLP: layer_sizes must be a list of whole numbers, e.g. "
                            f"MLP(2, [16, 16, 1]), got {layer_sizes!r}")
        layer_sizes = list(layer_sizes)
        if not layer_sizes:
            raise ValueError("MLP needs at least one layer size, e.g. MLP(2, [16, 16, 1])")
        check_seed(seed, "MLP: seed")
        rng = random.Random(seed)
        sizes = [n_inputs] + layer_sizes
        for l, n in enumerate(sizes):
            check_whole(n, "MLP: the number of inputs" if l == 0 else f"MLP: the size of layer {l}", minimum=1)
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
    In a notebook the bar is replaced, once training ends, by one line saying what happened
    (steps, first and last loss), so a saved notebook shows that line rather than a bar
    frozen where it was first drawn.
    """
    check_whole(steps, "steps", minimum=0)
    if not callable(getattr(model, "parameters", None)):
        raise TypeError(f"train: model must have a parameters() method (a Module such as an "
                        f"MLP), got {type(model).__name__} {model!r}")
    check_callable(loss_function, "train: loss_function", "lambda: (model([1.0])[0] - 2.0) ** 2")
    rate = learning_rate if callable(learning_rate) else (lambda step: learning_rate)
    parameters = model.parameters()
    losses = []
    bar, shown = _progress_bar(steps, progress)
    try:
        for step in bar:
            for p in parameters:
                p.grad = 0.0
            loss = loss_function()
            if not isinstance(loss, Value):
                raise TypeError(f"train: loss_function() must return a Value (one number), got "
                                f"{type(loss).__name__}; e.g. sum the squared errors of model(x)[0]")
            loss.backward()
            lr = rate(step)
            if isinstance(lr, bool) or not isinstance(lr, Real):
                raise TypeError(f"train: the learning rate must be a number, got {lr!r} at step {step}")
            for p in parameters:
                p.data -= lr * p.grad
            losses.append(loss.data)
            bar.set_postfix(loss=f"{loss.data:.4f}", refresh=False)
    finally:
        bar.close()
        if shown is not None:
            from IPython.display import Pretty
            done = (f"training stopped after {len(losses)} of {steps} steps" if len(losses) < steps else
                    f"training: {steps} steps, loss {losses[0]:.4f} at the first, {losses[-1]:.4f} at the last"
                    if steps else "training: 0 steps")
            shown.update(Pretty(done))
    return losses


def _progress_bar(steps, progress):
    """A tqdm bar over ``range(steps)``; in a notebook also the display handle it is shown in."""
    from tqdm.auto import tqdm  # imported here: only training needs it
    try:
        from tqdm.notebook import tqdm as notebook_tqdm
    except ImportError:  # no ipywidgets: tqdm.auto is the text bar
        notebook_tqdm = None
    if progress and notebook_tqdm is not None and issubclass(tqdm, notebook_tqdm):
        from IPython.display import display
        bar = tqdm(range(steps), desc="training", display=False)
        return bar, display(bar.container, display_id=True)
    return tqdm(range(steps), desc="training", disable=not progress), None



def _random_source(rng):
    """``rng`` itself, or a fresh ``random.Random()`` when None; a TypeError for anything else."""
    if rng is None:
        return random.Random()
    if not isinstance(rng, random.Random):
        raise TypeError(f"rng must be a random.Random (e.g. random.Random(0)) or None, got "
                        f"{type(rng).__name__} {rng!r}")
    return rng
