"""Notebook 04's reference numbers, on the package's Value and nn: the seed example's gradients,
what accumulates across backward() calls (and what an engine without the reset gives), training
on the four points with and without zero_grad, and one step of the two-moons recipe.

The numbers are hand formulas, or the values the notebook prints (to the digits it prints)."""
import pytest

from backprop_helpers.examples import two_moons
from backprop_helpers.nn import MLP, train
from backprop_helpers.scalar import Value

FOUR_XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
FOUR_YS = [1.0, -1.0, -1.0, 1.0]


def test_the_shared_example_gives_39_26_minus_13():
    a, b = Value(2.0), Value(3.0)
    c = a * -b
    e = c ** 2 - c
    e.backward()
    assert (a.grad, b.grad, c.grad) == (39.0, 26.0, -13.0)


def backward_without_reset(root):
    """An engine that sets the output's grad to 1 and adds everywhere else (no reset)."""
    order = root.topological_order()
    root.grad = 1.0
    for node in reversed(order):
        for inp, local in zip(node.inputs, node.local):
            inp.grad += local * node.grad


def test_a_second_backward_doubles_the_leaves_and_without_the_reset_goes_wrong():
    x, y = Value(2.0), Value(-3.0)
    xy = x * y
    z = xy + x
    z.backward()
    z.backward()
    assert (x.grad, y.grad, xy.grad) == (-4.0, 4.0, 1.0)
    x, y = Value(2.0), Value(-3.0)
    xy = x * y
    z = xy + x
    backward_without_reset(z)
    backward_without_reset(z)
    assert (x.grad, y.grad, xy.grad) == (-7.0, 6.0, 2.0)


def test_two_losses_add_their_gradients_on_the_leaves():
    x, y = Value(2.0), Value(-3.0)
    (x * y + x).backward()
    ((x - y) ** 2).backward()
    assert (x.grad, y.grad) == (8.0, -8.0)


def fit(model, zero, steps=100, rate=0.1):
    losses = []
    for _ in range(steps):
        if zero:
            model.zero_grad()
        loss = sum((model(x)[0] - y) ** 2 for x, y in zip(FOUR_XS, FOUR_YS)) * (1 / 4)
        loss.backward()
        for p in model.parameters():
            p.data -= rate * p.grad
        losses.append(loss.data)
    return losses


def test_four_points_train_with_zero_grad_and_saturate_without_it():
    with_zero = fit(MLP(3, [4, 4, 1], hidden="tanh", output="tanh", seed=1), zero=True)
    assert (round(with_zero[0], 4), round(with_zero[-1], 4)) == (1.1292, 0.0038)
    without = MLP(3, [4, 4, 1], hidden="tanh", output="tanh", seed=1)
    losses = fit(without, zero=False)
    best = min(range(100), key=losses.__getitem__)
    assert best == 13 and losses[best] < 1e-5
    assert losses[-1] == pytest.approx(2.0, abs=1e-6)
    assert [without(x)[0].data for x in FOUR_XS] == pytest.approx([1.0] * 4, abs=1e-9)


def test_the_moons_recipe_starts_where_the_notebook_says():
    X, y = two_moons(100, noise=0.1, seed=0)
    points, labels = [[float(u), float(v)] for u, v in X.T], [float(t) for t in y]
    model = MLP(2, [16, 16, 1], hidden="relu", seed=0)
    parameters = model.parameters()

    def loss():
        scores = [model(p)[0] for p in points]
        data_loss = sum((1 - t * s).relu() for t, s in zip(labels, scores)) * (1 / len(points))
        return data_loss + 1e-4 * sum(p * p for p in parameters)

    assert len(parameters) == 337 and len(loss().topological_order()) == 65_414
    losses = train(model, loss, 2, learning_rate=lambda k: 1.0 - 0.9 * k / 49, progress=False)
    assert (round(losses[0], 4), round(losses[1], 4)) == (0.9384, 0.8662)
