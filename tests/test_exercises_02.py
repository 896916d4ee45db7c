"""Notebook 02's exercises: δ^(2) by hand, BP4 for a batch, the input gradient, BP1 for the
binary cross-entropy, the backward pass of a tanh network."""
import numpy as np

from backprop_helpers import exercises as ex
from backprop_helpers.activations import sigmoid, sigmoid_prime
from backprop_helpers.examples import bp_walkthrough_example
from backprop_helpers.exercises.nb02_bp import input_gradient_exercise_cases, tanh_exercise_cases
from backprop_helpers.gradcheck import numerical_gradient
from backprop_helpers.network import Network
from backprop_helpers.scalar import Value
from exercise_support import assert_hint, imported_solutions, solutions


def test_delta2_solution_passes_and_matches_the_package_backward():
    solution = solutions("02")
    assert ex.judge("delta2_by_hand", solution.delta2_by_hand).passed
    net, x, y = ex.delta2_exercise_network()
    np.testing.assert_allclose(solution.delta2_by_hand, net.gradients(x, y).delta[2])  # independent route
    assert ex.judge("delta2_by_hand", solution.delta2_by_hand.ravel().tolist()).passed  # a flat list is fine


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
    assert_hint("delta2_by_hand", original.gradients(x0, y0).delta[2], "the notebook's network")
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


def test_input_gradient_solution_passes_and_matches_central_differences():
    solution = solutions("02")
    assert ex.judge("input_gradient", solution.input_gradient).passed
    for net, x, y in input_gradient_exercise_cases():
        numeric = np.zeros_like(x)
        for k in range(x.shape[0]):
            step = np.zeros_like(x)
            step[k, 0] = 1e-6
            numeric[k, 0] = (net.loss(x + step, y) - net.loss(x - step, y)) / 2e-6
        np.testing.assert_allclose(solution.input_gradient(net, x, y), numeric, rtol=1e-5, atol=1e-10)


def _delta1(net, x, y):
    return net.gradients(x, y).delta[1]


def test_input_gradient_typical_mistakes_get_their_hints():
    assert_hint("input_gradient", lambda net, x, y: -(net.W[1].T @ _delta1(net, x, y)), "wrong sign")
    assert_hint("input_gradient", lambda net, x, y: (net.W[1].T @ _delta1(net, x, y)) * sigmoid_prime(x),
                "no activation function")
    assert_hint("input_gradient",
                lambda net, x, y: net.W[1].T @ (net.W[2].T @ net.gradients(x, y).delta[2]),
                "without layer 1's σ'(z^(1))")
    assert_hint("input_gradient", lambda net, x, y: net.gradients(x, y).dW[1], "that is ∂𝓛/∂W^(1)")
    assert_hint("input_gradient", lambda net, x, y: (net.W[1].T @ _delta1(net, x, y)).T, "shape (1, 3)")
    assert_hint("input_gradient", lambda net, x, y: net.W[1] @ _delta1(net, x, y), "your code raised ValueError")
    assert_hint("input_gradient", "dL/dx", "pass your function itself")


def test_input_gradient_refuses_finite_differences():
    """The exercise asks for the derived gradient: finite differences, the package's or written by
    hand, are refused though their numbers agree."""
    from backprop_helpers.gradcheck import numerical_gradient

    def by_package(net, x, y):
        return numerical_gradient(lambda: net.loss(x, y), x)

    def by_hand(net, x, y, eps=1e-6):
        gradient = np.zeros_like(x)
        for i in range(x.shape[0]):
            up, down = x.copy(), x.copy()
            up[i] += eps
            down[i] -= eps
            gradient[i] = (net.loss(up, y) - net.loss(down, y)) / (2 * eps)
        return gradient

    assert_hint("input_gradient", by_package, "numerical_gradient")
    assert_hint("input_gradient", by_hand, "that is finite differences")


def test_bce_output_delta_solution_passes_and_matches_the_loss_slope():
    solution = solutions("02")
    assert ex.judge("bce_output_delta", solution.bce_output_delta).passed
    z = np.linspace(-30, 30, 13).reshape(-1, 1)
    for y in (np.zeros_like(z), np.ones_like(z)):
        loss = lambda t: np.logaddexp(0.0, t) - y * t  # noqa: E731  -[y log σ + (1-y) log(1-σ)]
        numeric = (loss(z + 1e-6) - loss(z - 1e-6)) / 2e-6
        np.testing.assert_allclose(solution.bce_output_delta(z, y), numeric, rtol=1e-5, atol=1e-8)


def test_bce_output_delta_typical_mistakes_get_their_hints():
    assert_hint("bce_output_delta", lambda z, y: y - sigmoid(z), "wrong sign")
    assert_hint("bce_output_delta", lambda z, y: (sigmoid(z) - y) * sigmoid_prime(z), "half squared error")
    # the unsimplified chain rule: right on paper, nan where σ(z) rounds to 0 or 1
    unsimplified = lambda z, y: ((-y / sigmoid(z) + (1 - y) / (1 - sigmoid(z)))  # noqa: E731
                                 * sigmoid_prime(z))
    assert_hint("bce_output_delta", unsimplified, "and 1 - σ(z) = 0 in floating point", "what cancels")
    assert_hint("bce_output_delta", lambda z, y: -y / sigmoid(z) + (1 - y) / (1 - sigmoid(z)),
                "that is ∂𝓛/∂a")
    assert_hint("bce_output_delta", lambda z, y: sigmoid(z).T - y.T, "transposed")
    assert_hint("bce_output_delta", lambda z, y: sigmoid(z) - y + 1e-3, "is off")
    assert_hint("bce_output_delta", 0.5, "pass your function itself")


def test_backprop_tanh_solution_passes_and_matches_central_differences():
    solution = solutions("02")
    assert ex.judge("backprop_tanh", solution.backprop_tanh).passed
    for W, b, x, y in tanh_exercise_cases():
        net = Network(W, b, "tanh")
        dW, db = solution.backprop_tanh(W, b, x, y)
        for l in W:
            np.testing.assert_allclose(dW[l], numerical_gradient(lambda: net.loss(x, y), net.W[l]),
                                       rtol=1e-6, atol=1e-10)
            np.testing.assert_allclose(db[l], numerical_gradient(lambda: net.loss(x, y), net.b[l]),
                                       rtol=1e-6, atol=1e-10)


def _tanh_answer(prime, output_prime=True, transpose_dW=False):
    def backprop(W, b, x, y):
        L = len(W)
        z, a = {}, {0: x}
        for l in range(1, L + 1):
            z[l] = W[l] @ a[l - 1] + b[l]
            a[l] = np.tanh(z[l])
        delta = {L: (a[L] - y) * (prime(z[L], a[L]) if output_prime else 1.0)}
        for l in range(L - 1, 0, -1):
            delta[l] = (W[l + 1].T @ delta[l + 1]) * prime(z[l], a[l])
        dW = {l: (a[l - 1] @ delta[l].T if transpose_dW else delta[l] @ a[l - 1].T) for l in delta}
        return dW, {l: delta[l] for l in delta}
    return backprop


def test_backprop_tanh_typical_mistakes_get_their_hints():
    assert_hint("backprop_tanh", _tanh_answer(lambda z, a: sigmoid_prime(z)), "σ' = σ(1 - σ) belongs to the sigmoid")
    assert_hint("backprop_tanh", _tanh_answer(lambda z, a: 1 - z ** 2), "not 1 - z²")
    assert_hint("backprop_tanh", _tanh_answer(lambda z, a: 1 - a ** 2, output_prime=False), "BP1 needs its φ'")
    assert_hint("backprop_tanh", _tanh_answer(lambda z, a: 1 - a ** 2, transpose_dW=True), "is transposed")
    assert_hint("backprop_tanh", lambda W, b, x, y: Network(W, b, "tanh").gradients(x, y), "package's")
    assert_hint("backprop_tanh", lambda W, b, x, y: ([], []), "two dicts")
    assert_hint("backprop_tanh", lambda W, b, x, y: ({0: 0}, {0: 0}), "keyed 1..")


# --------------------------------------------------------------------------- cheats and near misses
def _backprop_by_value(W, b, x, y):
    """backprop_tanh through the package's scalar autograd engine instead of BP1-BP4."""
    Wv = {l: [[Value(float(w)) for w in row] for row in W[l]] for l in W}
    bv = {l: [Value(float(v)) for v in b[l].ravel()] for l in b}
    activation = [Value(float(v)) for v in x.ravel()]
    for l in sorted(W):
        activation = [sum((w * a for w, a in zip(row, activation)), bv[l][j]).tanh()
                      for j, row in enumerate(Wv[l])]
    loss = sum(0.5 * (a - float(t)) ** 2 for a, t in zip(activation, y.ravel()))
    loss.backward()
    return ({l: np.array([[w.grad for w in row] for row in Wv[l]]) for l in W},
            {l: np.array([[v.grad] for v in bv[l]]) for l in b})


def test_backprop_tanh_through_the_scalar_engine_is_refused():
    W, b, x, y = tanh_exercise_cases()[0]
    reference = Network(W, b, "tanh").gradients(x, y)
    dW, _ = _backprop_by_value(W, b, x, y)
    assert np.allclose(dW[1], reference.dW[1], rtol=1e-12)     # it would give the right numbers
    assert_hint("backprop_tanh", _backprop_by_value, "package's", "Value.backward")


def test_importing_the_worked_solutions_is_refused():
    imported = imported_solutions("02")
    for name in ("bp4_batch", "input_gradient", "bce_output_delta", "backprop_tanh"):
        assert_hint(name, getattr(imported, name), "worked solution")
    assert_hint("bce_output_delta", lambda z, y: imported.bce_output_delta(z, y), "worked solution")


def test_a_clipped_bce_formula_is_caught_on_a_confident_output():
    def clipped(z, y):
        a = np.clip(sigmoid(z), 1e-12, 1 - 1e-12)
        return (-y / a + (1 - y) / (1 - a)) * a * (1 - a)
    assert_hint("bce_output_delta", clipped, "clipped", "Simplify on paper")


def test_more_typical_backprop_tanh_mistakes_get_their_hints():
    with_z = _tanh_answer(lambda z, a: 1 - a ** 2)

    def bp4_with_z(W, b, x, y):
        dW, db = with_z(W, b, x, y)
        z = {0: x}
        for l in range(1, len(W) + 1):
            z[l] = W[l] @ (np.tanh(z[l - 1]) if l > 1 else x) + b[l]
        return {l: db[l] @ z[l - 1].T for l in db}, db
    assert_hint("backprop_tanh", bp4_with_z, "not by", "pre-activations z^(l-1)")

    def untransposed(W, b, x, y):
        L = len(W)
        z, a = {}, {0: x}
        for l in range(1, L + 1):
            z[l] = W[l] @ a[l - 1] + b[l]
            a[l] = np.tanh(z[l])
        delta = {L: (a[L] - y) * (1 - a[L] ** 2)}
        for l in range(L - 1, 0, -1):
            delta[l] = (W[l + 1] @ delta[l + 1]) * (1 - a[l] ** 2)      # W, not its transpose
        return {l: delta[l] @ a[l - 1].T for l in delta}, delta
    assert_hint("backprop_tanh", untransposed, "ValueError", "(W^(l+1))ᵀ δ^(l+1)")


def test_delta2_near_misses_get_their_hints():
    net, x, y = ex.delta2_exercise_network()
    r = net.forward(x)
    delta3 = (r.a[3] - y) * sigmoid_prime(r.z[3])
    exact = (net.W[3].T @ delta3) * sigmoid_prime(r.z[2])
    a2, a3 = np.round(r.a[2], 4), np.round(r.a[3], 4)            # the printed 4 decimals
    rounded = (net.W[3].T @ ((a3 - y) * a3 * (1 - a3))) * a2 * (1 - a2)
    assert not np.allclose(rounded, exact, rtol=1e-6) and np.allclose(rounded, exact, rtol=2e-3)
    assert_hint("delta2_by_hand", rounded, "did you round")
    old = bp_walkthrough_example().network.forward(x)
    old_delta3 = (old.a[3] - y) * sigmoid_prime(old.z[3])
    assert_hint("delta2_by_hand", (net.W[3].T @ old_delta3) * sigmoid_prime(r.z[2]),
                "notebook's δ^(3)", "compute it again")
