"""Worked solutions to the exercises of notebook 03 (try them yourself first)."""
import numpy as np


def batch_cross_entropy_gradient(Z, Y):
    """Exercise 1: δ = (softmax(Z) - Y) / m, softmax down each column (one sample each).

    Each column is its sample's ŷ - y (the collapse of Jᵀ∇ₐ𝓛), and the mean over the m samples
    brings the factor 1/m.
    """
    e = np.exp(Z - np.max(Z, axis=0, keepdims=True))   # each column's own maximum
    Y_hat = e / np.sum(e, axis=0, keepdims=True)
    m = Z.shape[1]                                      # samples are columns
    return (Y_hat - Y) / m


def softmax_jacobian(z):
    """Exercise 2: a stable softmax, then J = diag(a) - a aᵀ (np.outer: a is 1-D, and a @ a.T
    of a 1-D array would be the dot product, one number)."""
    e = np.exp(z - np.max(z))        # every exponent <= 0: no overflow at z = 1000
    a = e / np.sum(e)
    return np.diag(a) - np.outer(a, a)


def batch_cross_entropy(Z, Y):
    """Exercise 3: -(1/m) Σ Y ⊙ log-softmax(Z), the log taken of a sum >= 1, never of a softmax.

    log softmax(z)_i = z_i - max z - log Σ_k e^(z_k - max z): no exponent is positive, and the
    sum holds a term e^0 = 1, so its log is finite even when a probability rounds to 0.
    """
    shifted = Z - np.max(Z, axis=0, keepdims=True)
    log_Y_hat = shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
    return float(-np.sum(Y * log_Y_hat) / Z.shape[1])


def soft_target_gradient(z, y):
    """Exercise 4: δ_k = Σ_i (-y_i / a_i) a_i (1[i = k] - a_k) = a_k Σ_i y_i - y_k.

    The collapse to ŷ - y without the step Σ y_i = 1: for one-hot or smoothed targets it is ŷ - y,
    for targets summing to s it is s ŷ - y. So ŷ - y is right exactly when the target sums to 1.
    """
    e = np.exp(z - np.max(z))
    a = e / np.sum(e)
    return a * np.sum(y) - y


def softmax_vjp(a, g):
    """Exercise 5: Jᵀg = (diag(a) - a aᵀ) g = a ⊙ g - a (aᵀg) = a ⊙ (g - aᵀg).

    aᵀg is one number, computed once: two passes over n entries, O(n) time and memory,
    where building J would take n² numbers (80 GB at n = 10^5).
    """
    return a * (g - np.dot(a, g))
