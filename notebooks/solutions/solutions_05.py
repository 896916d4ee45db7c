"""Worked solutions to the exercises of notebook 05 (try them yourself first)."""
import numpy as np


def mean_backward(g, input_shape, axis=None, keepdims=False):
    """Exercise 1: every averaged entry gets the gradient of its mean, divided by the count."""
    g = np.asarray(g, dtype=float)
    if axis is None:
        count = int(np.prod(input_shape))     # the mean of every entry
    else:
        count = input_shape[axis]
        if not keepdims:
            g = np.expand_dims(g, axis)       # put the averaged axis back, with length 1
    return np.broadcast_to(g / count, input_shape).copy()  # stretch it along that axis


def max_backward(g, x, axis=None, keepdims=False):
    """Exercise 2: only the maximal entries move the max; a tie shares g equally."""
    g = np.asarray(g, dtype=float)
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    top = x == x.max(axis=axis, keepdims=True)            # True where an entry is a maximum
    ties = top.sum(axis=axis, keepdims=True)              # how many maxima each slice has
    return np.broadcast_to(g, x.shape) * top / ties


def my_softmax(z):
    """Exercise 3: e^z over its column sum, from Node ops; the shift is a constant."""
    shifted = z - z.data.max(axis=0, keepdims=True)       # a constant: no gradient, no overflow
    e = shifted.exp()
    return e / e.sum(axis=0, keepdims=True)               # the sum stays a Node: the −a aᵀ term
