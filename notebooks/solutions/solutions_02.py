"""Worked solutions to the exercises of notebook 02 (try them yourself first)."""
import numpy as np

from backprop_helpers.activations import sigmoid, sigmoid_prime
from backprop_helpers.exercises import delta2_exercise_network


def delta2_exercise():
    """Exercise 1: BP1 at the output, then BP2 back to layer 2, with the new W^(3)."""
    net, x, y = delta2_exercise_network()
    record = net.forward(x)
    z, a = record.z, record.a
    delta3 = (a[3] - y) * sigmoid_prime(z[3])              # BP1: (a - y) ⊙ σ'(z^(3))
    return (net.W[3].T @ delta3) * sigmoid_prime(z[2])     # BP2: (W^(3))ᵀ δ^(3) ⊙ σ'(z^(2))


delta2_by_hand = delta2_exercise()


def bp4_batch(delta, a_prev):
    """Exercise 2: ∂𝓛/∂w_jk = Σ_i δ_ji a_ki, a sum over the samples i (the columns), which is
    exactly the matrix product δ (a^(l-1))ᵀ. The 1/m of the mean is already inside δ."""
    return delta @ a_prev.T


def input_gradient(net, x, y):
    """Exercise 3: z^(1) = W^(1) x + b^(1), and x_k reaches the loss through every z_j^(1), so

        ∂𝓛/∂x_k = Σ_j ∂𝓛/∂z_j^(1) · ∂z_j^(1)/∂x_k = Σ_j δ_j^(1) w_jk^(1),   i.e.  (W^(1))ᵀ δ^(1).

    It is BP2 without the σ' factor: layer 0 has no activation function."""
    delta1 = net.backward(net.forward(x), y).delta[1]
    return net.W[1].T @ delta1


def bce_output_delta(z, y):
    """Exercise 4: with a = σ(z) and 𝓛 = -[y log a + (1 - y) log(1 - a)],

        ∂𝓛/∂a = -y/a + (1 - y)/(1 - a) = (a - y) / (a (1 - a)),
        δ = ∂𝓛/∂a · σ'(z) = (a - y) / (a (1 - a)) · a (1 - a) = a - y.

    The σ' of BP1 cancels. Coded as σ(z) - y it stays exact where a rounds to 0 or 1.
    Compared with the half squared error, δ = (a - y) σ'(z): for y = 1, z = -10 that is about
    -4.5e-5, while the cross-entropy gives δ ≈ -1, so a confidently wrong output still learns fast."""
    return sigmoid(z) - y


def backprop_tanh(W, b, x, y):
    """Exercise 5: φ = tanh, so φ'(z) = 1 - tanh(z)² = 1 - a² (from tanh' = 1/cosh² and
    cosh² - sinh² = 1). The four equations keep their form with φ' in place of σ':

        BP1  δ^(L) = (a^(L) - y) ⊙ (1 - (a^(L))²)
        BP2  δ^(l) = ((W^(l+1))ᵀ δ^(l+1)) ⊙ (1 - (a^(l))²)
        BP3  ∂𝓛/∂b^(l) = δ^(l)        BP4  ∂𝓛/∂W^(l) = δ^(l) (a^(l-1))ᵀ
    """
    L = len(W)
    a = {0: x}
    for l in range(1, L + 1):                       # forward pass, keeping every a^(l)
        a[l] = np.tanh(W[l] @ a[l - 1] + b[l])
    delta = {L: (a[L] - y) * (1 - a[L] ** 2)}       # BP1
    for l in range(L - 1, 0, -1):
        delta[l] = (W[l + 1].T @ delta[l + 1]) * (1 - a[l] ** 2)   # BP2
    dW = {l: delta[l] @ a[l - 1].T for l in delta}  # BP4
    db = {l: delta[l] for l in delta}               # BP3
    return dW, db
