"""Notebook 02's exercises: δ^(2) by hand, and BP4 for a batch."""
import numpy as np

from backprop_helpers import exercises as ex
from backprop_helpers.activations import sigmoid_prime
from backprop_helpers.examples import bp_walkthrough_example
from exercise_support import assert_hint, solutions


def test_delta2_solution_passes_and_matches_the_package_backward():
    solution = solutions("02")
    assert ex.judge("delta2_by_hand", solution.my_delta2).passed
    net, x, y = ex.delta2_exercise_network()
    np.testing.assert_allclose(solution.my_delta2, net.gradients(x, y).delta[2])  # independent route
    assert ex.judge("delta2_by_hand", solution.my_delta2.ravel().tolist()).passed  # a flat list is fine


def test_delta2_typical_mistakes_get_their_hints():
    net, x, y = ex.delta2_exercise_network()
    r = net.forward(x)
    delta3 = (r.a[3] - y) * sigmoid_prime(r.z[3])
    right = (net.W[3].T @ delta3) * sigmoid_prime(r.z[2])
    assert_hint("delta2_by_hand", -right, "wrong sign")
    assert_hint("delta2_by_hand", net.W[3].T @ delta3, "forgot the activation derivative")
    assert_hint("delta2_by_hand", (net.W[3].T @ delta3) * sigmoid_prime(r.a[2]), "σ'(z^(2))")
    assert_hint("delta2_by_hand", (net.W[3].T @ (r.a[3] - y)) * sigmoid_prime(r.z[2]), "BP1")
    original, x0, y0 = bp_walkthrough_example()
    assert_hint("delta2_by_hand", original.gradients(x0, y0).delta[2], "original network")
    assert_hint("delta2_by_hand", right.T, "shape (1, 2)")
    assert_hint("delta2_by_hand", right + 1e-3, "is off")
    assert_hint("delta2_by_hand", "0.1, 0.2", "should be numbers")


def test_bp4_batch_solution_passes_and_equals_the_network_gradient():
    solution = solutions("02")
    assert ex.judge("bp4_batch", solution.bp4_batch).passed
    net, x, y = bp_walkthrough_example()
    xb = np.hstack([x, -x, 2 * x])
    yb = np.array([[1.0, 0.0, 0.5]])
    record = net.forward(xb)
    g = net.backward(record, yb)
    np.testing.assert_allclose(solution.bp4_batch(g.delta[2], record.a[1]), g.dW[2])


def test_bp4_batch_typical_mistakes_get_their_hints():
    assert_hint("bp4_batch", lambda d, a: a @ d.T, "transposed")
    assert_hint("bp4_batch", lambda d, a: d @ a.T / d.shape[1], "don't divide again")
    assert_hint("bp4_batch", lambda d, a: np.outer(d[:, 0], a[:, 0]), "first sample only")
    assert_hint("bp4_batch", lambda d, a: -(d @ a.T), "wrong sign")
    assert_hint("bp4_batch", 3.0, "pass your function itself")
