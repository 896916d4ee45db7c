"""Activation functions and their derivatives, all numerically stable.

Every function takes a numpy array (or a number) and works elementwise, except softmax and
log-softmax, which normalise over axis 0: the column axis of the course's notation, where a
batch stacks its samples as columns.

Derivatives are written in terms of ``z`` (the pre-activation), so BP1 and BP2 read exactly
as in the math: ``delta = grad * sigmoid_prime(z)``.
"""
import numpy as np


_NUMERIC = "(a number, nested lists of numbers or a numeric array)"


def _float64_array(value, what, copy=False):
    """``value`` as a float64 array (a copy if ``copy``), or an error naming ``what`` and the value.

    The one converter of the package: None, text, complex numbers and ragged lists are refused
    (numpy would turn None into nan, drop an imaginary part, or fail deep inside); nan and inf
    pass (callers that need finite values check for them)."""
    if type(value) is np.ndarray and value.dtype == np.float64:
        return value.copy() if copy else value
    if value is None:
        raise TypeError(f"{what} must be numeric {_NUMERIC}, got None")
    if type(value) is int and not -2 ** 1023 < value < 2 ** 1024:
        raise OverflowError(f"{what}: the integer {_describe(value)} is too large for a float64 "
                            f"(the largest is about 1.8e308)")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:  # e.g. ragged nested lists
        raise TypeError(f"{what} must be numeric {_NUMERIC}, got {_describe(value)}: {error}") from None
    if array.dtype.kind not in "biuf":  # bool, signed and unsigned int, float
        got = f"complex numbers {_describe(value)}" if array.dtype.kind == "c" else _describe(value)
        raise TypeError(f"{what} must be numeric {_NUMERIC}, got {got}")
    return array.astype(np.float64, copy=copy and array is value)


def _describe(value):
    """A short description of a value for an error message."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) < 60 else text[:57] + '...'}"


def _normalised_axis(z, axis, op):
    """A ValueError naming ``op`` if softmax cannot normalise ``z`` along ``axis``."""
    if z.ndim == 0:
        raise ValueError(f"{op}: z is a single number; give a vector (or a matrix) of logits")
    if not isinstance(axis, (int, np.integer)) or not -z.ndim <= axis < z.ndim:
        raise ValueError(f"{op}: axis {axis!r} is not an axis of z, which has shape {z.shape}")
    if z.shape[axis] == 0:
        raise ValueError(f"{op}: z has no logits along axis {axis} (shape {z.shape})")


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(-z)), computed without overflow.

    Only ever exponentiates -|z| <= 0, so sigmoid(-1000) is exactly 0.0 and sigmoid(1000)
    exactly 1.0, with no overflow warning.
    """
    z = _float64_array(z, "sigmoid: z")
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """σ'(z) = σ(z) (1 - σ(z)); exactly 0 far out in the tails."""
    s = sigmoid(_float64_array(z, "sigmoid_prime: z"))
    return s * (1.0 - s)


def relu(z):
    """ReLU(z) = max(0, z)."""
    return np.maximum(0.0, _float64_array(z, "relu: z"))


def relu_prime(z):
    """ReLU'(z): 1 where z > 0, else 0.

    ReLU has no derivative at z = 0; like PyTorch we use 0 there, so a unit sitting exactly
    at 0 passes no gradient.
    """
    return (_float64_array(z, "relu_prime: z") > 0).astype(float)


def tanh(z):
    """tanh(z); numpy's tanh saturates to exactly ±1 without overflow."""
    return np.tanh(_float64_array(z, "tanh: z"))


def tanh_prime(z):
    """tanh'(z) = 1 - tanh(z)^2."""
    return 1.0 - np.tanh(_float64_array(z, "tanh_prime: z")) ** 2


def identity(z):
    """The identity, for a linear output layer."""
    return _float64_array(z, "identity: z")


def identity_prime(z):
    """The identity's derivative: 1 everywhere."""
    return np.ones_like(_float64_array(z, "identity_prime: z"))


def softmax(z, axis=0):
    """softmax(z)_i = e^(z_i) / Σ_k e^(z_k) along ``axis`` (default: each column).

    Subtracting the column maximum first changes nothing mathematically but keeps every
    exponent <= 0, so logits around ±1000 give exact probabilities instead of nan.
    """
    z = _float64_array(z, "softmax: z")
    _normalised_axis(z, axis, "softmax")
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis=0):
    """log softmax(z) = z - logsumexp(z) along ``axis``, stable for any finite logits."""
    z = _float64_array(z, "log_softmax: z")
    _normalised_axis(z, axis, "log_softmax")
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax_backward(a, grad_a):
    """Vector-Jacobian product of softmax: given a = softmax(z) and ∂𝓛/∂a, return ∂𝓛/∂z.

    The Jacobian is J = diag(a) - a aᵀ (per column), so Jᵀ g = a ⊙ (g - aᵀg).
    """
    a = _float64_array(a, "softmax_backward: a")
    grad_a = _float64_array(grad_a, "softmax_backward: grad_a")
    if a.shape != grad_a.shape:
        raise ValueError(f"softmax_backward: a has shape {a.shape} but grad_a has shape "
                         f"{grad_a.shape}; they must be equal (one gradient entry per probability)")
    return a * (grad_a - np.sum(a * grad_a, axis=0, keepdims=True))


# name -> (function, derivative in terms of z) for the elementwise activations
ELEMENTWISE = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "relu": (relu, relu_prime),
    "tanh": (tanh, tanh_prime),
    "identity": (identity, identity_prime),
}

#: every activation a network layer may use; softmax is for the output layer only
NAMES = tuple(ELEMENTWISE) + ("softmax",)


def softmax_jacobian(z):
    """The full Jacobian ∂a/∂z of a = softmax(z) for ONE sample: J = diag(a) - a aᵀ.

    ``z`` is one column of n logits (shape (n,) or (n, 1)); the result is n × n, with
    J[i, k] = ∂a_i/∂z_k = a_i (1[i = k] - a_k). It is symmetric and every row sums to 0
    (the probabilities always sum to 1). The backward pass never builds it (softmax_backward
    applies it in O(n)); it is here to be looked at.
    """
    z = _float64_array(z, "softmax_jacobian: z")
    if z.ndim == 2 and z.shape[1] == 1:
        z = z[:, 0]
    if z.ndim != 1:
        raise ValueError(f"softmax_jacobian: z must be one column of logits, shape (n,) or (n, 1); "
                         f"got shape {z.shape} (for a batch, take one column at a time)")
    if z.size == 0:
        raise ValueError("softmax_jacobian: z has no logits (shape (0,))")
    a = softmax(z)
    return np.diag(a) - np.outer(a, a)
