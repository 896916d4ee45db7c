"""Worked solutions to the exercises of notebook 02 (try them yourself first)."""
import numpy as np

from backprop_helpers.activations import sigmoid_prime
from backprop_helpers.exercises import delta2_exercise_network


def delta2_by_hand():
    """Exercise 1: BP1 at the output, then BP2 back to layer 2, with the new W^(3)."""
    net, x, y = delta2_exercise_network()
    record = net.forward(x)
    z, a = record.z, record.a
    delta3 = (a[3] - y) * sigmoid_prime(z[3])              # BP1: (a - y) ⊙ σ'(z^(3))
    return (net.W[3].T @ delta3) * sigmoid_prime(z[2])     # BP2: (W^(3))ᵀ δ^(3) ⊙ σ'(z^(2))


my_delta2 = delta2_by_hand()


def bp4_batch(delta, a_prev):
    """Exercise 2: the matrix product sums δ_j a_k over the samples (the columns)."""
    return delta @ a_prev.T
