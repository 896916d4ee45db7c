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


# ---- the learner's engine: notebook 04 with every build-up answer filled in -----------------

BUILD_UP_STUBS = {"def add(x, y):": "add", "def mul(x, y):": "mul",
                  "def topological_order(root):": "topological_order", "def backward(root):": "backward",
                  "def power(x, n):": "power", "def tanh(x):": "tanh", "def neuron(w, b, x, phi):": "neuron"}


def test_with_the_build_up_filled_in_the_moons_train_on_the_learners_engine(tmp_path):
    """The whole notebook, each build-up stub replaced by its worked solution: every check
    says correct, every piece is the learner's, and the moons network of section 8 trains on
    the learner's engine to the held-out accuracy the notebook asserts (at least 95%)."""
    import inspect
    import re

    import nbformat

    from backprop_helpers.run_notebooks import execute
    from exercise_support import NOTEBOOKS, solutions

    notebook = nbformat.read(NOTEBOOKS / "04_scalar_autograd.ipynb", as_version=4)
    answers = solutions("04")
    filled = set()
    for cell in notebook.cells:
        for start, name in BUILD_UP_STUBS.items():
            if cell.cell_type == "code" and cell.source.startswith(start) and "NotImplementedError" in cell.source:
                cell.source = inspect.getsource(getattr(answers, name)).replace("    import math\n", "")
                filled.add(name)
    assert filled == set(BUILD_UP_STUBS.values())
    path = tmp_path / "04_filled.ipynb"
    nbformat.write(notebook, path)
    ran = execute(path)
    printed = "\n".join(output.get("text", "") for cell in ran.cells if cell.cell_type == "code"
                        for output in cell.outputs if output.output_type == "stream")
    for name in BUILD_UP_STUBS.values():
        assert f"[{name}] correct" in printed and f"from here on the notebook uses your {name}" in printed
    assert "reference" not in printed.split("our engine:")[1].splitlines()[0]
    assert "our engine: all yours" in printed
    held_out = float(re.search(r"trained on our engine: .*held-out accuracy\s+([\d.]+)%", printed).group(1))
    assert held_out >= 95.0
