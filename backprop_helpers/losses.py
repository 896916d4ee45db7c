"""Loss functions and their gradients.

Samples are columns. A batch loss is the mean of the per-sample losses, so its gradient
carries a factor 1/m (m = number of columns); with one column it is the plain textbook
formula.
"""
import numpy as np

from .activations import _float64_array, log_softmax, softmax


def _columns(name, output, y):
    """Both arguments as float 2-D arrays of one shape (n outputs × m samples, m >= 1), or an
    error naming the loss and the shapes. A number is one output of one sample; a vector is
    one sample."""
    output = _float64_array(output, f"{name}: the network output")
    y = _float64_array(y, f"{name}: the target y")
    if output.ndim > 2 or y.ndim > 2:
        raise ValueError(f"{name}: the network output has shape {output.shape} and the target y "
                         f"{y.shape}; each must be a number, a vector (one sample) or a matrix "
                         f"(one column per sample)")
    output = output.reshape(-1, 1) if output.ndim < 2 else output
    y = y.reshape(-1, 1) if y.ndim < 2 else y
    if output.shape != y.shape:
        raise ValueError(f"{name}: the network output has shape {output.shape} but the target y "
                         f"has shape {y.shape}; they must match (one column per sample)")
    if output.shape[1] == 0 or output.shape[0] == 0:
        raise ValueError(f"{name}: no samples to average over (the output has shape {output.shape})")
    return output, y


def half_squared_error(a, y):
    """L = (1/m) Σ_samples ½ ‖a - y‖², which is ½(a - y)² for one sample."""
    a, y = _columns("half_squared_error", a, y)
    return float(0.5 * np.sum((a - y) ** 2) / a.shape[1])


def half_squared_error_gradient(a, y):
    """∂𝓛/∂a = (a - y) / m: the ∇_a 𝓛 of BP1."""
    a, y = _columns("half_squared_error", a, y)
    return (a - y) / a.shape[1]


def cross_entropy(z, y):
    """L = -(1/m) Σ_samples Σ_i y_i log softmax(z)_i, taken from the logits z.

    Working from logits via log-softmax never takes log(0), so it stays finite for logits
    around ±1000 where log(softmax(z)) would give -inf.
    """
    z, y = _columns("cross_entropy", z, y)
    # a class with target 0 adds nothing, even where its log-probability is -inf (0·-inf is nan)
    terms = np.multiply(y, log_softmax(z), out=np.zeros_like(z), where=y != 0)
    return float(-np.sum(terms) / z.shape[1]) + 0.0  # + 0.0 turns -0.0 into 0.0


def cross_entropy_gradient(z, y):
    """∂𝓛/∂z = (softmax(z) - y) / m: the softmax Jacobian times ∇_a 𝓛, collapsed."""
    z, y = _columns("cross_entropy", z, y)
    return (softmax(z) - y) / z.shape[1]
