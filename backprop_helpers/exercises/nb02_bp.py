"""Exercises of notebook 02 (BP1-BP4 by hand): δ^(2) of a changed network, and BP4 for a batch."""
import numpy as np

from ..activations import sigmoid_prime
from ..examples import bp_walkthrough_example
from .core import as_array, diagnose, exercise



def delta2_exercise_network():
    """The notebook-02 network with W^(3) changed to [[-0.5, 0.8]]: the exercise's numbers."""
    net, x, y = bp_walkthrough_example()
    net.W[3] = np.array([[-0.5, 0.8]])
    return net, x, y


@exercise
def check_delta2_by_hand(answer):
    """Exercise 02.1: δ^(2) of the notebook-02 network with W^(3) = [[-0.5, 0.8]], by hand."""
    got = as_array(answer, "your δ^(2)")
    net, x, y = delta2_exercise_network()
    r = net.forward(x)
    a, z = r.a, r.z
    delta3 = (a[3] - y) * sigmoid_prime(z[3])
    expected = (net.W[3].T @ delta3) * sigmoid_prime(z[2])
    old_W3 = bp_walkthrough_example().network.W[3]
    old = bp_walkthrough_example().network.forward(x)
    old_delta3 = (old.a[3] - y) * sigmoid_prime(old.z[3])
    diagnose(got.reshape(-1, 1) if got.ndim == 1 else got, expected, [
        (-expected, "wrong sign: ∇_a L = a^(3) - y, not y - a^(3)"),
        (net.W[3].T @ delta3, "you forgot the activation derivative: BP2 ends with ⊙ σ'(z^(2))"),
        ((net.W[3].T @ delta3) * sigmoid_prime(a[2]),
         "σ' takes the pre-activation: use σ'(z^(2)) = a^(2)(1 - a^(2)), not σ'(a^(2))"),
        ((net.W[3].T @ (a[3] - y)) * sigmoid_prime(z[2]),
         "δ^(3) needs its own σ'(z^(3)) factor (BP1) before you carry it back"),
        ((old_W3.T @ old_delta3) * sigmoid_prime(old.z[2]),
         "that is δ^(2) of the original network: use the new W^(3) = [[-0.5, 0.8]], "
         "and redo the forward pass from layer 3"),
    ], "your δ^(2)")


@exercise(callable_answer=True)
def check_bp4_batch(function):
    """Exercise 02.2: ``bp4_batch(delta, a_prev)`` returns ∂L/∂W^(l) for a batch (samples = columns)."""
    rng = np.random.default_rng(2)
    for n_out, n_in, m in [(2, 3, 1), (3, 2, 4), (1, 1, 5), (4, 3, 2)]:
        delta = rng.normal(size=(n_out, m)) / m  # a batch δ already carries the 1/m
        a_prev = rng.normal(size=(n_in, m))
        got = as_array(function(delta.copy(), a_prev.copy()), "bp4_batch's result")
        expected = delta @ a_prev.T
        per_sample = [np.outer(delta[:, i], a_prev[:, i]) for i in range(m)]
        variants = [
            (expected / m, "δ of a batch already carries the 1/m of the mean loss: don't divide again"),
            (per_sample[0], "that is the first sample only: BP4 sums δ (a^(l-1))ᵀ over all the columns"),
            (-expected, "wrong sign"),
        ] if m > 1 else [(-expected, "wrong sign")]
        diagnose(got, expected, variants, f"bp4_batch's result for δ of shape {delta.shape} "
                                           f"and a^(l-1) of shape {a_prev.shape}")


