"""backprop_helpers.nn (Neuron, Layer, MLP, train) and the two-moons data, checked against a
numpy forward pass, HIPS autograd, central differences and the geometry of the moons."""
import math

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from oracles import central_difference

from backprop_helpers.examples import two_moons
from backprop_helpers.nn import MLP, Layer, Neuron, train
from backprop_helpers.scalar import Value


def weights_of(model):
    """The MLP's parameters as (W, b) numpy pairs, W[j, k] = weight from input k to neuron j."""
    return [(np.array([[w.data for w in n.w] for n in layer.neurons]),
             np.array([n.b.data for n in layer.neurons])) for layer in model.layers]


def numpy_forward(params, x, hidden):
    a = np.asarray(x, dtype=float)
    for l, (W, b) in enumerate(params):
        z = W @ a + b
        a = hidden(z) if l < len(params) - 1 else z
    return a


def test_neuron_computes_its_nonlinearity_of_b_plus_w_dot_x():
    for name, f in [("relu", lambda z: max(z, 0.0)), ("tanh", np.tanh),
                    ("sigmoid", lambda z: 1 / (1 + np.exp(-z))), ("identity", lambda z: z)]:
        neuron = Neuron(3, name)
        neuron.b.data = 0.25
        x = [0.5, -1.0, 2.0]
        z = 0.25 + sum(w.data * xi for w, xi in zip(neuron.w, x))
        assert neuron(x).data == pytest.approx(f(z), rel=1e-12, abs=1e-15)
        assert neuron([Value(xi) for xi in x]).data == pytest.approx(f(z), rel=1e-12, abs=1e-15)


def test_mlp_shapes_parameters_and_seed():
    model = MLP(2, [16, 16, 1], seed=3)
    assert len(model.parameters()) == 16 * (2 + 1) + 16 * (16 + 1) + 1 * (16 + 1) == 337
    assert [layer.neurons[0].nonlinearity for layer in model.layers] == ["relu", "relu", "identity"]
    again = MLP(2, [16, 16, 1], seed=3)
    assert [p.data for p in model.parameters()] == [p.data for p in again.parameters()]
    assert all(-1 <= p.data <= 1 for p in model.parameters())
    assert len(Layer(3, 4)([1.0, 2.0, 3.0])) == 4


def test_mlp_forward_matches_numpy():
    model = MLP(2, [5, 4, 1], hidden="tanh", seed=1)
    for layer in model.layers:  # nonzero biases, so they are tested too
        for k, neuron in enumerate(layer.neurons):
            neuron.b.data = 0.1 * (k - 1)
    x = [0.3, -0.7]
    expected = numpy_forward(weights_of(model), x, np.tanh)
    assert [v.data for v in model(x)] == pytest.approx(expected.tolist(), rel=1e-12)


def test_mlp_gradients_match_autograd_and_central_differences():
    model = MLP(2, [3, 2], hidden="tanh", output="sigmoid", seed=2)
    x, target = [0.4, -1.1], [1.0, 0.0]
    params = model.parameters()

    def loss_of_values():
        out = model(x)
        return sum((o - t) ** 2 for o, t in zip(out, target))

    loss = loss_of_values()
    model.zero_grad()
    loss.backward()
    grads = np.array([p.grad for p in params])

    shapes = [(W.shape, b.shape) for W, b in weights_of(model)]

    def loss_of_flat(theta):
        a, i = anp.array(x), 0
        for l, ((m, n), _) in enumerate(shapes):
            W = anp.reshape(theta[i:i + m * n], (m, n))
            b = theta[i + m * n:i + m * n + m]
            i += m * n + m
            z = anp.dot(W, a) + b
            a = anp.tanh(z) if l == 0 else 1 / (1 + anp.exp(-z))
        return anp.sum((a - anp.array(target)) ** 2)

    # parameters() lists each neuron's weights then its bias; flatten layer by layer as W then b
    theta, order = [], []
    for layer in model.layers:
        for n in layer.neurons:
            theta += [w.data for w in n.w]
        theta += [n.b.data for n in layer.neurons]
        order += [id(w) for n in layer.neurons for w in n.w] + [id(n.b) for n in layer.neurons]
    theta = np.array(theta)
    position = {pid: i for i, pid in enumerate(order)}
    oracle = autograd.grad(loss_of_flat)(theta)
    assert loss.data == pytest.approx(float(loss_of_flat(theta)), rel=1e-12)
    assert grads == pytest.approx(np.array([oracle[position[id(p)]] for p in params]), rel=1e-9, abs=1e-12)

    def loss_at(values):  # the model's loss with its parameters set to ``values``, then restored
        saved = [p.data for p in params]
        for p, v in zip(params, values):
            p.data = float(v)
        try:
            return loss_of_values().data
        finally:
            for p, v in zip(params, saved):
                p.data = v

    numeric = central_difference(loss_at, np.array([p.data for p in params]), eps=1e-6)
    for g, n in zip(grads, numeric):
        assert g == pytest.approx(n, rel=1e-5, abs=1e-8)


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="nonlinearity 'softplus'"):
        Neuron(2, "softplus")
    with pytest.raises(ValueError, match="2 inputs got 3"):
        Neuron(2)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="at least one layer"):
        MLP(2, [])


def test_training_on_the_four_points_reduces_the_squared_error():
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    model = MLP(3, [4, 4, 1], hidden="tanh", output="tanh", seed=0)

    def loss():
        return sum((model(x)[0] - y) ** 2 for x, y in zip(xs, ys)) * 0.25

    losses = train(model, loss, steps=60, learning_rate=0.1, progress=False)
    assert len(losses) == 60 and all(isinstance(v, float) for v in losses)
    assert losses[0] == pytest.approx(loss_of_fresh(xs, ys), rel=1e-12)
    assert losses[-1] < 0.1 * losses[0]
    assert loss().data < losses[-1]  # the last update helped too


def loss_of_fresh(xs, ys):
    """The initial loss of the same seeded network, computed with numpy."""
    params = weights_of(MLP(3, [4, 4, 1], hidden="tanh", output="tanh", seed=0))
    preds = [np.tanh(numpy_forward(params, x, np.tanh))[0] for x in xs]
    return float(np.mean((np.array(preds) - ys) ** 2))


def test_training_on_two_moons_reduces_the_hinge_loss_and_takes_a_rate_schedule():
    X, y = two_moons(30, noise=0.1, seed=0)
    model = MLP(2, [8, 1], seed=0)
    rates = []

    def loss():
        scores = [model(list(x))[0] for x in X.T]
        return sum((1 - yi * s).relu() for yi, s in zip(y, scores)) * (1 / len(y))

    def schedule(step):
        rates.append(0.5 / (1 + step))
        return rates[-1]

    losses = train(model, loss, steps=25, learning_rate=schedule, progress=False)
    assert rates == [0.5 / (1 + k) for k in range(25)]
    assert losses[-1] < 0.7 * losses[0]


def test_two_moons_lie_on_their_circles_without_noise():
    X, y = two_moons(11, noise=0.0)
    upper, lower = X[:, y == -1], X[:, y == 1]
    assert upper.shape == (2, 5) and lower.shape == (2, 6)
    assert np.hypot(upper[0], upper[1]) == pytest.approx(np.ones(5))           # centre (0, 0)
    assert np.hypot(lower[0] - 1, lower[1] - 0.5) == pytest.approx(np.ones(6))  # centre (1, 0.5)
    assert (upper[1] >= -1e-12).all() and (lower[1] <= 0.5 + 1e-12).all()       # upper, lower halves


def test_two_moons_is_reproducible_and_noisy():
    X1, y1 = two_moons(100, noise=0.1, seed=4)
    X2, _ = two_moons(100, noise=0.1, seed=4)
    X3, _ = two_moons(100, noise=0.1, seed=5)
    assert X1.shape == (2, 100) and sorted(set(y1)) == [-1.0, 1.0] and y1.sum() == 0
    assert np.array_equal(X1, X2) and not np.array_equal(X1, X3)
    jitter = X1 - two_moons(100, noise=0.0)[0]
    assert 0.07 < jitter.std() < 0.13
    with pytest.raises(ValueError, match="n >= 2"):
        two_moons(1)
    with pytest.raises(ValueError, match="noise >= 0"):
        two_moons(10, noise=-1)


def test_to_network_gives_the_same_outputs_through_the_matrix_engine():
    model = MLP(2, [6, 5, 1], seed=7)
    X, _ = two_moons(20, seed=3)
    net = model.to_network()
    assert net.sizes == [2, 6, 5, 1]
    expected = [model(list(x))[0].data for x in X.T]
    assert net.forward(X).output[0] == pytest.approx(expected, rel=1e-12, abs=1e-14)
    assert model.layers[0].neurons[2].w[1].data == net.W[1][2, 1]


def test_train_shows_a_progress_bar_with_the_loss(capsys):
    model = MLP(1, [1], seed=0)
    w, b = model.parameters()

    def loss():  # (w·1 + b - 3)²: gradient 2(w + b - 3) for both
        return (model([1.0])[0] - 3.0) ** 2

    start = (w.data + b.data - 3.0) ** 2
    losses = train(model, loss, steps=5, learning_rate=0.1)
    err = capsys.readouterr().err
    assert "training" in err and "5/5" in err and f"loss={losses[-1]:.4f}" in err
    assert losses[0] == start
    # each step scales the residual r = w + b - 3 by (1 - 2·0.1·2) = 0.6
    assert losses == pytest.approx([start * 0.36 ** k for k in range(5)], rel=1e-12)
    train(model, loss, steps=2, learning_rate=0.1, progress=False)
    assert capsys.readouterr().err == ""


def test_a_nan_input_gives_a_nan_output_not_a_finite_prediction():
    model = MLP(2, [3, 1], seed=0)
    assert math.isnan(model([float("nan"), 1.0])[0].data)


@pytest.mark.parametrize("make, words", [
    (lambda: Neuron(0), "number of inputs must be a whole number >= 1, got 0"),
    (lambda: Neuron(2.5), "got 2.5"),
    (lambda: MLP(2, [3, -1]), "size of layer 2 must be a whole number >= 1, got -1"),
    (lambda: MLP(-2, [3]), "MLP: the number of inputs"),
    (lambda: MLP(2, [0]), "size of layer 1"),
    (lambda: MLP(2, [True]), "got True"),
])
def test_sizes_must_be_positive_whole_numbers(make, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        make()


def test_train_refuses_a_loss_that_is_not_a_value_and_bad_steps_or_rates():
    model = MLP(1, [1], seed=0)
    with pytest.raises(TypeError, match="must return a Value .*got list"):
        train(model, lambda: model([1.0]), 2, progress=False)
    for steps in (2.5, "3", None, -1, True):
        with pytest.raises(ValueError, match="steps must be a whole number"):
            train(model, lambda: model([1.0])[0], steps, progress=False)
    for rate in ("0.1", None, np.array([0.1])):
        with pytest.raises(TypeError, match="learning rate must be a number"):
            train(model, lambda: model([1.0])[0], 2, learning_rate=rate, progress=False)


def test_in_a_notebook_the_bar_gives_way_to_a_summary_line(tmp_path):
    import nbformat
    from backprop_helpers.run_notebooks import execute
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "from backprop_helpers.nn import MLP, train\n"
        "m = MLP(1, [1], seed=0)\n"
        "losses = train(m, lambda: (m([1.0])[0] - 3.0) ** 2, 5)\n"
        "print(f'{losses[0]:.4f} {losses[-1]:.4f}')")]
    path = tmp_path / "train.ipynb"
    nbformat.write(notebook, path)
    outputs = execute(path).cells[0].outputs
    first, last = outputs[1].text.split()
    assert outputs[0].data == {"text/plain": f"training: 5 steps, loss {first} at the first, {last} at the last"}
