"""Independent routes the tests check the package against, written once.

- Central differences: (f(x + ε) - f(x - ε)) / 2ε, error O(ε²), on copies (never in place).
- The HIPS ``autograd`` package differentiating the textbook formulas, written here in
  ``autograd.numpy`` without the package's code.
- Small shared helpers: random logits with one-hot targets; running a function with every
  floating-point warning turned into an error.
"""
import warnings

import autograd.numpy as anp
import numpy as np
from autograd import grad
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

# ----------------------------------------------------------------------- central differences


def central_difference(f, x, eps=1e-6):
    """∂f/∂x for a function ``f`` of an array (or of a float) returning a number.

    Returns an array of the shape of ``x`` (a float when ``x`` is a float); ``x`` itself is
    never modified, each entry is nudged on a copy.
    """
    scalar = np.ndim(x) == 0 and not isinstance(x, np.ndarray)
    x = np.array(x, dtype=float)
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        gradient[index] = (f(x + step) - f(x - step)) / (2 * eps)
    return float(gradient) if scalar else gradient


def elementwise_central_difference(f, z, eps=1e-6):
    """The derivative of an elementwise function ``f`` at every entry of ``z`` at once."""
    z = np.asarray(z, dtype=float)
    return (f(z + eps) - f(z - eps)) / (2 * eps)


def central_jacobian(f, z, eps=1e-6):
    """∂f_i/∂z_k by central differences, for a vector function ``f`` of a vector ``z``."""
    z = np.asarray(z, dtype=float)
    J = np.zeros((np.size(f(z)), z.size))
    for k in range(z.size):
        step = np.zeros_like(z)
        step[k] = eps
        J[:, k] = (np.ravel(f(z + step)) - np.ravel(f(z - step))) / (2 * eps)
    return J


# ----------------------------------------------------------------------- autograd formulas

AUTOGRAD_ACTIVATIONS = {
    "sigmoid": lambda z: 0.5 * (anp.tanh(z / 2) + 1),
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
    "identity": lambda z: z,
}


def textbook_softmax(z):
    """e^z / Σ e^z per column, in autograd's numpy (fine for moderate logits only)."""
    e = anp.exp(z)
    return e / anp.sum(e, axis=0, keepdims=True)


def textbook_cross_entropy(z, y):
    """-(1/m) Σ y log softmax(z), straight from the definition."""
    return -anp.sum(y * anp.log(textbook_softmax(z))) / z.shape[1]


def autograd_network_loss(params, activations, loss, x, y):
    """A network's mean loss written independently in autograd.numpy.

    ``params`` is [W1, b1, W2, b2, ...]; ``activations`` one name per layer; ``loss`` is
    "half_squared_error" or "cross_entropy" (then the last layer's "softmax" gives logits).
    """
    a = x
    L = len(params) // 2
    for l in range(1, L + 1):
        z = anp.dot(params[2 * l - 2], a) + params[2 * l - 1]
        a = z if activations[l - 1] == "softmax" else AUTOGRAD_ACTIVATIONS[activations[l - 1]](z)
    m = x.shape[1]
    if loss == "cross_entropy":
        shifted = a - anp.max(a, axis=0, keepdims=True)
        log_p = shifted - anp.log(anp.sum(anp.exp(shifted), axis=0, keepdims=True))
        return -anp.sum(y * log_p) / m
    return 0.5 * anp.sum((a - y) ** 2) / m


def autograd_network_gradients(network, x, y):
    """(dW, db), dicts keyed 1..L, of a ``Network``'s loss by autograd, from its parameters alone."""
    L = network.L
    x = np.asarray(x, dtype=float).reshape(network.sizes[0], -1)
    y = np.asarray(y, dtype=float).reshape(network.sizes[-1], -1)
    activations = [network.activations[l] for l in range(1, L + 1)]
    params = [p for l in range(1, L + 1) for p in (network.W[l], network.b[l])]
    g = grad(lambda p: autograd_network_loss(p, activations, network.loss_name, x, y))(params)
    return {l: g[2 * l - 2] for l in range(1, L + 1)}, {l: g[2 * l - 1] for l in range(1, L + 1)}


# ----------------------------------------------------------------------- call counts

def recurrence_counts(sizes):
    """Hand recurrence: a neuron of layer l is asked once per parameter it owns (n_{l-1} + 1)
    and once by every evaluation of every neuron of layer l - 1: c_l = n_{l-1} + 1 + n_{l-1} c_{l-1}."""
    counts, previous = {}, 0
    for l in range(1, len(sizes)):
        previous = sizes[l - 1] + 1 + sizes[l - 1] * previous
        counts[l] = previous
    return counts


# ----------------------------------------------------------------------- shared helpers

moderate = st.floats(-20, 20, allow_nan=False)
extreme = st.floats(-1000, 1000, allow_nan=False)


@st.composite
def logits_and_targets(draw, values=moderate):
    """Logits n × m (2..5 classes, 1..4 samples) and a one-hot target per column."""
    n = draw(st.integers(2, 5))
    m = draw(st.integers(1, 4))
    z = draw(arrays(float, (n, m), elements=values))
    classes = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    y = np.zeros((n, m))
    y[classes, range(m)] = 1.0
    return z, y


def quietly(f, *args):
    """f(*args) with any floating-point overflow, 0/0 or warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return f(*args)
