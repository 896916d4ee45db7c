"""Loss functions and their gradients.

Samples are columns. A batch loss is the mean of the per-sample losses, so its gradient
carries a factor 1/m (m = number of columns); with one column it is the plain textbook
formula.
"""
import numpy as np

from .activations import log_softmax, softmax


def _columns(name, output, y):
    """Both arguments as float 2-D arrays of one shape, or a ValueError saying why not."""
    output = np.asarray(output, dtype=float)
    y = np.asarray(y, dtype=float)
    if output.ndim == 1:
        output = output[:, None]
    if y.ndim == 1:
        y = y[:, None]
    if output.shape != y.shape:
        raise ValueError(f"{name}: the network output has shape {output.shape} but the target y "
                         f"has shape {y.shape}; they must match (one column per sample)")
    return output, y


def half_squared_error(a, y):
    """L = (1/m) Σ_samples ½ ‖a - y‖², which is ½(a - y)² for one sample."""
    a, y = _columns("half_squared_error", a, y)
    return float(0.5 * np.sum((a - y) ** 2) / a.shape[1])


def half_squared_error_gradient(a, y):
    """∂L/∂a = (a - y) / m: the ∇_a L of BP1."""
    a, y = _columns("half_squared_error", a, y)
    return (a - y) / a.shape[1]


def cross_entropy(z, y):
    """L = -(1/m) Σ_samples Σ_i y_i log softmax(z)_i, taken from the logits z.

    Working from logits via log-softmax never takes log(0), so it stays finite for logits
    around ±1000 where log(softmax(z)) would give -inf.
    """
    z, y = _columns("cross_entropy", z, y)
    return float(-np.sum(y * log_softmax(z)) / z.shape[1]) + 0.0  # + 0.0 turns -0.0 into 0.0


def cross_entropy_gradient(z, y):
    """∂L/∂z = (softmax(z) - y) / m: the softmax Jacobian times ∇_a L, collapsed."""
    z, y = _columns("cross_entropy", z, y)
    return (softmax(z) - y) / z.shape[1]
