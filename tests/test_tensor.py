"""Tests of backprop_helpers.tensor.Node against two independent routes: central differences
(backprop_helpers.gradcheck) and the HIPS autograd package."""
import gc
import re
import weakref

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays
from oracles import central_difference

from backprop_helpers.network import Network
from backprop_helpers.tensor import Node

RNG = np.random.default_rng(20240605)


def check_against_oracles(node_fn, autograd_fn, arrays, rtol=1e-7):
    """Node gradients of sum(node_fn(*nodes) * R) equal autograd's and central differences'.

    R is a fixed random array of the output's shape, so every entry of the output's gradient
    differs (a test with an all-ones upstream gradient could hide a transposed rule).
    """
    nodes = [Node(a.copy()) for a in arrays]
    out = node_fn(*nodes)
    R = RNG.normal(size=out.shape)
    (out * R).sum().backward()

    def scalar(*xs):
        return anp.sum(autograd_fn(*xs) * R)

    for i, (node, array) in enumerate(zip(nodes, arrays)):
        assert node.grad.shape == array.shape, f"operand {i}: gradient shape {node.grad.shape}"
        expected = autograd.grad(scalar, i)(*arrays)
        np.testing.assert_allclose(node.grad, expected, rtol=rtol, atol=1e-10,
                                   err_msg=f"operand {i} against autograd")
        numeric = central_difference(lambda a: float(scalar(*arrays[:i], a, *arrays[i + 1:])), arrays[i],
                                     eps=1e-5)
        np.testing.assert_allclose(node.grad, numeric, rtol=1e-6, atol=1e-8,
                                   err_msg=f"operand {i} against central differences")


# ----- every op, every broadcast pattern --------------------------------------------------

BINARY = {
    "+": (lambda a, b: a + b, lambda a, b: a + b),
    "-": (lambda a, b: a - b, lambda a, b: a - b),
    "*": (lambda a, b: a * b, lambda a, b: a * b),
    "/": (lambda a, b: a / b, lambda a, b: a / b),
}

# (left shape, right shape): same shape, row, bias, column, scalar, both stretched, and reversed
PATTERNS = {
    "same": ((4, 3), (4, 3)),
    "row": ((4, 3), (1, 3)),
    "bias": ((4, 3), (3,)),
    "column": ((4, 3), (4, 1)),
    "scalar": ((4, 3), ()),
    "outer": ((4, 1), (1, 3)),
    "bias on the left": ((3,), (4, 3)),
    "batch of matrices": ((2, 4, 3), (4, 1)),
}


def operand(shape, positive=False):
    values = np.array(RNG.normal(size=shape))  # a 0-d array, not a numpy scalar, for shape ()
    return np.array(np.abs(values) + 0.5) if positive else values


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("pattern", PATTERNS)
def test_binary_op_with_broadcasting(op, pattern):
    left, right = PATTERNS[pattern]
    node_fn, autograd_fn = BINARY[op]
    check_against_oracles(node_fn, autograd_fn, [operand(left), operand(right, positive=op == "/")])


@pytest.mark.parametrize("op", BINARY)
def test_plain_numbers_and_arrays_on_either_side(op):
    node_fn, autograd_fn = BINARY[op]
    x = operand((2, 3), positive=True)
    c = operand((3,), positive=True)
    check_against_oracles(lambda a: node_fn(2.5, a), lambda a: autograd_fn(2.5, a), [x])
    check_against_oracles(lambda a: node_fn(a, 2.5), lambda a: autograd_fn(a, 2.5), [x])
    check_against_oracles(lambda a: node_fn(c, a), lambda a: autograd_fn(c, a), [x])
    check_against_oracles(lambda a: node_fn(a, c), lambda a: autograd_fn(a, c), [x])


def test_array_on_the_left_gives_a_node():
    x = Node(np.ones((3, 2)))
    for result in (np.ones(2) + x, np.ones((4, 3)) @ x, np.float64(2.0) * x, 1 - x, 3 / x):
        assert isinstance(result, Node)


UNARY = {
    "neg": (lambda a: -a, lambda a: -a, False),
    "exp": (lambda a: a.exp(), anp.exp, False),
    "log": (lambda a: a.log(), anp.log, True),
    "sigmoid": (lambda a: a.sigmoid(), lambda a: 1 / (1 + anp.exp(-a)), False),
    "tanh": (lambda a: a.tanh(), anp.tanh, False),
    "relu": (lambda a: a.relu(), lambda a: anp.maximum(a, 0.0), False),
    "square": (lambda a: a ** 2, lambda a: a ** 2, False),
    "power 1.5": (lambda a: a ** 1.5, lambda a: a ** 1.5, True),
    "reciprocal": (lambda a: a ** -1, lambda a: 1 / a, True),
    "transpose": (lambda a: a.T, lambda a: a.T, False),
}


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 2)])
def test_unary_op(name, shape):
    node_fn, autograd_fn, positive = UNARY[name]
    x = operand(shape, positive)
    if name == "relu":  # keep away from the kink, where finite differences straddle it
        x = np.where(np.abs(x) < 0.05, 0.3, x)
    check_against_oracles(node_fn, autograd_fn, [x])


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions(reduction, axis, keepdims):
    x = operand((3, 4, 2))
    node_fn = lambda a: getattr(a, reduction)(axis=axis, keepdims=keepdims)
    autograd_fn = lambda a: getattr(anp, reduction)(a, axis=axis, keepdims=keepdims)
    check_against_oracles(node_fn, autograd_fn, [x])
    np.testing.assert_allclose(node_fn(Node(x)).data, getattr(np, reduction)(x, axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("left, right", [((4, 3), (3, 2)), ((3,), (3, 2)), ((4, 3), (3,)),
                                         ((3,), (3,)), ((2, 4, 3), (3, 5)), ((4, 3), (2, 3, 5)),
                                         ((3,), (2, 3, 5)), ((2, 4, 3), (3,))])
def test_matmul(left, right):
    check_against_oracles(lambda a, b: a @ b, lambda a, b: a @ b, [operand(left), operand(right)])


def test_matmul_with_a_constant_on_either_side():
    W = operand((3, 2))
    X = operand((4, 3))
    check_against_oracles(lambda w: X @ w, lambda w: X @ w, [W])
    check_against_oracles(lambda x: x @ W, lambda x: x @ W, [X])


# ----- random graphs with reuse -------------------------------------------------------------

LEAF_SHAPES = [(2, 3), (3,), (2, 1), ()]  # a batch, a bias, a column, a scalar
Z = np.zeros((2, 3))  # adding it broadcasts any value of the program to the batch shape

# each step takes the library (Node's methods or autograd.numpy) and two earlier values; every
# value stays broadcastable to (2, 3), and products pass through tanh so nothing overflows
STEPS = {
    "+": lambda lib, a, b: a + b,
    "-": lambda lib, a, b: a - b,
    "*": lambda lib, a, b: lib["tanh"](a * b),
    "/": lambda lib, a, b: a / (2.0 + lib["tanh"](b)),
    "square": lambda lib, a, b: lib["tanh"](a * a),
    "neg": lambda lib, a, b: -a,
    "exp": lambda lib, a, b: lib["exp"](lib["tanh"](a)),
    "sigmoid": lambda lib, a, b: lib["sigmoid"](a),
    "sum0": lambda lib, a, b: lib["sum0"](a),
    "matmul": lambda lib, a, b: lib["tanh"]((a + Z) @ (lib["T"](b + Z) @ (a + Z))),
}


def run_program(program, leaves, lib):
    """Evaluate a random program on ``leaves``; every step may reuse any earlier value."""
    values = list(leaves)
    for step, i, j in program:
        values.append(STEPS[step](lib, values[i % len(values)], values[j % len(values)]))
    total = values[len(leaves)]
    for value in values[len(leaves) + 1:]:
        total = total + value
    return lib["sum"](total)


NODE_LIB = {"tanh": Node.tanh, "sigmoid": Node.sigmoid, "exp": Node.exp, "sum": Node.sum,
            "T": lambda a: a.T, "sum0": lambda a: a.sum(axis=0) if a.ndim else a}
AUTOGRAD_LIB = {"tanh": anp.tanh, "sigmoid": lambda a: 1 / (1 + anp.exp(-a)), "exp": anp.exp,
                "sum": anp.sum, "T": anp.transpose,
                "sum0": lambda a: anp.sum(a, axis=0) if anp.ndim(a) else a}

programs = st.lists(st.tuples(st.sampled_from(sorted(STEPS)), st.integers(0, 40), st.integers(0, 40)),
                    min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(program=programs, seed=st.integers(0, 2**16))
def test_random_graphs_with_reuse_match_autograd(program, seed):
    rng = np.random.default_rng(seed)
    arrays = [np.array(rng.normal(size=shape)) for shape in LEAF_SHAPES]
    nodes = [Node(a.copy()) for a in arrays]
    out = run_program(program, nodes, NODE_LIB)
    out.backward()
    expected = autograd.grad(lambda *xs: run_program(program, xs, AUTOGRAD_LIB),
                             list(range(len(arrays))))(*arrays)
    np.testing.assert_allclose(out.data, run_program(program, arrays, AUTOGRAD_LIB), rtol=1e-12)
    for node, grad in zip(nodes, expected):
        np.testing.assert_allclose(node.grad, grad, rtol=1e-9, atol=1e-12)
    # each node of the graph is ordered exactly once
    order = out.topological_order()
    assert len(order) == len(set(map(id, order)))


# ----- depth, sharing, semantics -------------------------------------------------------------

def test_chain_2000_deep():
    # y = tanh(... tanh(0.5 x) ...), 2000 times: dy/dx = Π 0.5 (1 - tanh²) along the chain
    x = Node(0.8)
    value, derivative, y = 0.8, 1.0, x
    for _ in range(1000):
        y = (y * 0.5).tanh()
        value = np.tanh(0.5 * value)
        derivative *= 0.5 * (1.0 - value ** 2)
    assert len(y.topological_order()) == 2001
    y.backward()
    assert x.grad == pytest.approx(derivative, rel=1e-9)


def test_shared_subexpressions_are_visited_once():
    # x doubled 200 times: 2**200 paths from the output to x, but 201 nodes to visit
    x = Node(1.0)
    y = x
    for _ in range(200):
        y = y + y
    assert len(y.topological_order()) == 201
    y.backward()
    assert x.grad == 2.0 ** 200


def test_reference_sum_example():
    x, y = Node([1.0]), Node([2.0])
    z = x + y + x + x + x + y
    z.backward()
    assert z.data.tolist() == [8.0] and x.grad.tolist() == [4.0] and y.grad.tolist() == [2.0]


def test_leaf_gradients_accumulate_and_intermediates_hold_the_latest_pass():
    x, y = Node(2.0), Node(-3.0)
    h = x * y
    z = h + x
    z.backward()
    assert (x.grad, y.grad, h.grad) == (-2.0, 2.0, 1.0)
    z.backward()
    assert (x.grad, y.grad, h.grad) == (-4.0, 4.0, 1.0)  # leaves accumulate, h does not
    z.zero_grad()
    assert (x.grad, y.grad, h.grad, z.grad) == (0.0, 0.0, 0.0, 0.0)
    x.grad[...] = 7.0  # a leaf owns its gradient array: changing it touches nothing else
    assert y.grad == 0.0


def test_leaf_gradients_are_independent_arrays():
    a, b = Node(np.ones(3)), Node(np.ones(3))
    (a + b).sum().backward()
    a.grad[0] = 5.0
    assert b.grad.tolist() == [1.0, 1.0, 1.0]


def test_backward_with_an_upstream_gradient():
    x = Node([1.0, 2.0, 3.0])
    (x * x).backward(np.array([1.0, 0.0, -1.0]))
    assert x.grad.tolist() == [2.0, 0.0, -6.0]


def test_constants_get_no_gradient():
    X = Node(np.ones((4, 3)), requires_grad=False)
    W = Node(np.ones((3, 2)))
    out = (X @ W).sum()
    assert [n is X for n in out.topological_order()].count(True) == 0
    out.backward()
    assert X.grad.tolist() == np.zeros((4, 3)).tolist()
    assert W.grad.tolist() == np.full((3, 2), 4.0).tolist()
    both_constant = X * 2.0 + 1.0
    assert not both_constant.requires_grad
    with pytest.raises(ValueError, match="does not depend on anything that needs a gradient"):
        both_constant.backward()


def test_no_reference_cycles():
    gc.disable()
    try:
        x = Node(np.ones(3))
        h = (x * 2.0).exp()
        out = (h / (1.0 + h)).sum()
        out.backward()
        alive = weakref.ref(h)
        del h, out
        assert alive() is None  # freed by reference counting alone, without the cycle collector
    finally:
        gc.enable()


def test_saturating_functions_are_exact_and_quiet():
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        x = Node([-1000.0, 1000.0])
        s = x.sigmoid()
        t = x.tanh()
        (s + t).sum().backward()
    assert s.data.tolist() == [0.0, 1.0]
    assert t.data.tolist() == [-1.0, 1.0]
    assert x.grad.tolist() == [0.0, 0.0]


def test_two_layer_net_matches_bp1_to_bp4():
    # the course's layout: samples are columns; loss sum(a*a) = 2m · Network's mean ½‖a - 0‖²
    rng = np.random.default_rng(5)
    m = 6
    x = rng.normal(size=(3, m))
    W1, b1, W2, b2 = rng.normal(size=(4, 3)), rng.normal(size=(4, 1)), rng.normal(size=(2, 4)), rng.normal(size=(2, 1))
    nodes = [Node(p) for p in (W1, b1, W2, b2)]
    a2 = (nodes[2] @ (nodes[0] @ x + nodes[1]).sigmoid() + nodes[3]).sigmoid()
    (a2 * a2).sum().backward()
    grads = Network([W1, W2], [b1, b2], "sigmoid").gradients(x, np.zeros((2, m)))
    for node, expected in zip(nodes, (grads.dW[1], grads.db[1], grads.dW[2], grads.db[2])):
        np.testing.assert_allclose(node.grad, 2 * m * expected, rtol=1e-12)


# ----- errors ------------------------------------------------------------------------------

@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_broadcast_error_names_the_op_and_both_shapes(op):
    a, b = Node(np.ones((4, 3))), Node(np.ones((2,)))
    with pytest.raises(ValueError, match=rf"Node {re.escape(op)}: shapes \(4, 3\) and \(2,\) do not broadcast"):
        BINARY[op][0](a, b)


@pytest.mark.parametrize("left, right", [((4, 3), (2, 5)), ((3,), (4,)), ((4, 3), (4,))])
def test_matmul_error_names_both_shapes(left, right):
    with pytest.raises(ValueError, match=rf"Node @: shapes {re.escape(str(left))} and {re.escape(str(right))} do not match"):
        Node(np.ones(left)) @ Node(np.ones(right))


def test_matmul_of_a_scalar_is_refused_clearly():
    with pytest.raises(ValueError, match=r"Node @: .* at least one axis, got shapes \(\) and \(3,\)"):
        Node(2.0) @ np.ones(3)


@pytest.mark.parametrize("bad", ["abc", None, [1.0, None], {"a": 1}, [[1, 2], [3]], 1 + 2j, [Node(1.0)]])
def test_non_numeric_data_is_refused(bad):
    with pytest.raises(TypeError, match="Node\\(data\\) must be numeric"):
        Node(bad)


@pytest.mark.parametrize("bad", ["abc", None, [1, "x"]])
def test_non_numeric_operand_is_refused(bad):
    with pytest.raises(TypeError, match=r"Node \*: the other operand must be numeric"):
        Node(1.0) * bad
    with pytest.raises(TypeError, match=r"Node \+: the other operand must be numeric"):
        bad + Node(1.0)


def test_node_of_a_node_is_refused():
    with pytest.raises(TypeError, match="already a Node"):
        Node(Node(1.0))


def test_bad_axis_and_bad_upstream_gradient():
    x = Node(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"Node sum: axis 2 is not valid for a Node of shape \(2, 3\)"):
        x.sum(axis=2)
    with pytest.raises(ValueError, match=r"backward\(grad\): grad has shape \(3,\) but the Node has shape \(2, 3\)"):
        (x * 2.0).backward(np.ones(3))
    with pytest.raises(TypeError, match="exponent must be a plain number"):
        x ** Node(2.0)


def test_module_docstring_example():
    import doctest
    import backprop_helpers.tensor as tensor
    result = doctest.testmod(tensor)
    assert result.attempted >= 4 and result.failed == 0


# ---------------------------------------------------------------- shared policy with Value

def test_log_of_a_non_positive_entry_names_the_op_the_entry_and_its_index():
    with pytest.raises(ValueError, match=r"Node.log of a non-positive number: log\(-1\) at index \(1, 0\)"):
        Node([[2.0], [-1.0], [0.0]]).log()
    with pytest.raises(ValueError, match=r"log\(nan\) at index \(0,\)"):
        Node([np.nan, 1.0]).log()


def test_exp_overflow_names_the_op_the_entry_and_its_index():
    with pytest.raises(OverflowError, match=r"Node.exp overflows: exp\(1000\) at index \(2,\)"):
        Node([0.0, 1.0, 1000.0]).exp()
    assert Node([-np.inf, 0.0]).exp().data.tolist() == [0.0, 1.0]  # inf in, no overflow


@given(base=st.floats(0.1, 5.0), x=arrays(np.float64, (3,), elements=st.floats(-2.0, 2.0)))
def test_number_to_the_power_of_a_node_matches_autograd(base, x):
    node = Node(x)
    out = base ** node
    assert out.op == f"{base:g} **"
    out.sum().backward()
    expected = autograd.grad(lambda v: anp.sum(base ** v))(x)
    np.testing.assert_allclose(node.grad, expected, rtol=1e-12)


def test_number_power_node_refuses_a_base_without_a_log():
    with pytest.raises(ValueError, match=r"-2 \*\* Node needs a positive base"):
        (-2.0) ** Node([1.0])
    with pytest.raises(ValueError, match="positive base"):
        0 ** Node([1.0, 0.0])
    zero = 0 ** Node([1.0, 2.0])
    zero.sum().backward()
    assert zero.data.tolist() == [0.0, 0.0]


def test_power_zero_at_zero_has_gradient_zero_not_nan():
    x = Node([1.0, 2.0])
    out = ((x - x) ** 0).sum() + (x * x).sum()
    out.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_grad_assignment_needs_the_exact_shape():
    x = Node(np.ones((2, 3)))
    x.grad = np.full((2, 3), 2.0)
    assert x.grad.dtype == np.float64 and x.grad.sum() == 12.0
    with pytest.raises(ValueError, match=r"node has shape \(2, 3\) but the assigned gradient has shape \(3,\)"):
        x.grad = np.ones(3)
    with pytest.raises(ValueError, match=r"shape \(\)"):
        x.grad = 0.0
    with pytest.raises(TypeError, match="zero_grad"):
        x.grad = None
    assert x.grad.sum() == 12.0


def test_grad_is_always_a_float64_array_even_for_0d_nodes():
    a, b = Node(2.0), Node(3.0)
    out = a * b + a
    out.backward()
    for node in (a, b, out):
        assert type(node.grad) is np.ndarray and node.grad.dtype == np.float64
    assert float(a.grad) == 4.0 and float(b.grad) == 2.0


def test_public_vocabulary_inputs_op_label():
    x = Node([1.0, 2.0], label="x")
    y = x * 2.0
    assert y.inputs[0] is x and y.op == "*" and x.label == "x" and x.inputs == ()
    assert "label='x'" in repr(x)


def test_division_by_a_node_matches_central_differences_for_every_kind_of_numerator():
    from backprop_helpers.gradcheck import numerical_gradient
    rng = np.random.default_rng(3)
    b_values = rng.uniform(0.5, 2.0, size=(3, 4)) * rng.choice([-1.0, 1.0], size=(3, 4))
    for numerator in (1.0, -2.5, 0.0, rng.normal(size=(3, 4)), rng.normal(size=(4,))):
        b = Node(b_values.copy())
        (numerator / b).backward()
        work = b_values.copy()
        numeric = numerical_gradient(lambda: float(np.sum(numerator / work)), work)
        np.testing.assert_allclose(b.grad, numeric, rtol=1e-6, atol=1e-9)
    a, b = Node(rng.normal(size=(3, 4))), Node(b_values.copy())
    (a / b).backward()
    np.testing.assert_allclose(a.grad, 1 / b_values, rtol=1e-15)
    np.testing.assert_allclose(b.grad, -a.data / b_values ** 2, rtol=1e-12)


def test_leaf_gradients_never_share_an_array():
    a, b = Node([1.0, 2.0]), Node([3.0, 4.0])
    (a + b).backward()                      # the rule of + hands the same array to both
    a.grad[0] = 100.0
    assert b.grad.tolist() == [1.0, 1.0]
    W = Node(np.ones((2, 3)))
    out = W.T * 1.0                         # the rule of .T hands back a view
    out.backward(np.arange(6.0).reshape(3, 2))
    W.grad[0, 0] = -1.0
    assert out.grad[0, 0] == 0.0


def test_exp_of_nan_is_nan_not_an_overflow_error():
    x = Node([np.nan, 1.0])
    with np.errstate(invalid="ignore"):
        assert np.isnan(x.exp().data[0])
    try:
        Node([1.0, 710.0]).exp()
    except OverflowError as error:
        assert "710" in str(error) and "(1,)" in str(error)
    else:
        raise AssertionError("exp(710) should raise OverflowError")


# --- numpy's entry points and in-place updates ---------------------------------------------------

def test_numpy_functions_on_a_node_get_a_clear_error():
    x = Node([1.0, 2.0])
    with pytest.raises(TypeError, match=r"np.sum\(node\) is not supported"):
        np.sum(x)
    with pytest.raises(TypeError, match=r"np.mean\(node\) is not supported"):
        np.mean(x)
    with pytest.raises(TypeError, match=r"use node.data"):
        np.array(x)
    with pytest.raises(TypeError, match="must be numeric"):
        Node([Node(1.0)])
    np.testing.assert_array_equal((np.ones(2) + x).data, [2.0, 3.0])  # numpy still defers to Node


def test_a_huge_integer_is_too_large_not_non_numeric():
    with pytest.raises(OverflowError, match="too large for a float64"):
        Node(10 ** 400)
    with pytest.raises(OverflowError, match=r"Node \*: the other operand: the integer .* too large"):
        Node(1.0) * 10 ** 400
    assert (Node(2.0) * 3).data == 6.0


@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/="])
def test_in_place_update_of_a_parameter_is_refused_with_the_fix(op):
    w = Node(np.ones(3))
    with pytest.raises(TypeError, match=r"w.data -= learning_rate \* w.grad"):
        exec(f"w {op} 0.5", {}, {"w": w})
    assert w.inputs == () and w.data.tolist() == [1.0, 1.0, 1.0]


def test_in_place_on_an_intermediate_or_a_constant_is_an_ordinary_operation():
    x = Node([1.0, 2.0])
    y = x * 2.0
    y += 1.0
    y.sum().backward()
    assert y.op == "+" and x.grad.tolist() == [2.0, 2.0]
    c = Node([1.0], requires_grad=False)
    c -= 1.0
    assert c.data.tolist() == [0.0]


def test_the_careless_training_loop_now_stops_at_once():
    X = np.random.default_rng(0).normal(size=(8, 3))
    w = Node(np.zeros(3))
    loss = ((X @ w - 1.0) ** 2).mean()
    loss.backward()
    with pytest.raises(TypeError, match="leaf that needs a gradient"):
        w -= 0.05 * w.grad
    before = loss.data.item()
    w.data -= 0.05 * w.grad  # the fix the message gives
    assert w.inputs == () and ((X @ w - 1.0) ** 2).mean().data.item() < before
