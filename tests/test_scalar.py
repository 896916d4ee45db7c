"""backprop_helpers.scalar.Value against independent routes: HIPS autograd, central
differences and hand formulas; its semantics (accumulation, shared nodes, deep graphs); its
edges and errors."""
import math
import subprocess
import sys
import textwrap

import autograd
import autograd.numpy as anp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import central_difference

from backprop_helpers.scalar import Value

EPS = 1e-6


def value_forward(f, args):
    """f evaluated on Values, as a plain float: the forward pass alone."""
    return f(*[Value(a) for a in args]).data


def check_against_oracles(f_value, f_autograd, args, rtol=1e-6):
    """Compare value and gradients of f on Values with autograd and central differences."""
    leaves = [Value(a) for a in args]
    out = f_value(*leaves)
    out.backward()
    expected = f_autograd(*args)
    assert out.data == pytest.approx(float(expected), rel=1e-12, abs=1e-12)
    for i, leaf in enumerate(leaves):
        oracle = autograd.grad(f_autograd, i)(*[float(a) for a in args])
        assert leaf.grad == pytest.approx(float(oracle), rel=1e-9, abs=1e-9), f"autograd, argument {i}"
        numeric = central_difference(
            lambda xi: value_forward(f_value, [*args[:i], float(xi), *args[i + 1:]]), args[i], eps=EPS)
        assert leaf.grad == pytest.approx(numeric, rel=rtol, abs=1e-6), f"central difference, argument {i}"


def anp_sigmoid(x):
    return 1.0 / (1.0 + anp.exp(-x))


# name -> (function on Values, the same function for autograd, domain of the argument)
moderate = st.floats(-3.0, 3.0).filter(lambda x: abs(x) > 1e-3)  # away from relu's kink
positive = st.floats(0.05, 5.0)

UNARY = {
    "neg": (lambda x: -x, lambda x: -x, moderate),
    "relu": (lambda x: x.relu(), lambda x: anp.maximum(0.0, x), moderate),
    "tanh": (lambda x: x.tanh(), anp.tanh, moderate),
    "sigmoid": (lambda x: x.sigmoid(), anp_sigmoid, moderate),
    "exp": (lambda x: x.exp(), anp.exp, moderate),
    "log": (lambda x: x.log(), anp.log, positive),
    "x**2": (lambda x: x ** 2, lambda x: x ** 2, moderate),
    "x**3": (lambda x: x ** 3, lambda x: x ** 3, moderate),
    "x**-1": (lambda x: x ** -1, lambda x: x ** -1.0, moderate),
    "x**0.5": (lambda x: x ** 0.5, anp.sqrt, positive),
    "x**0": (lambda x: x ** 0, lambda x: x ** 0.0 + 0.0 * x, moderate),
    "2**x": (lambda x: 2 ** x, lambda x: 2.0 ** x, moderate),
    "2*x": (lambda x: 2 * x, lambda x: 2.0 * x, moderate),
    "x*2": (lambda x: x * 2, lambda x: x * 2.0, moderate),
    "x+3": (lambda x: x + 3, lambda x: x + 3.0, moderate),
    "3+x": (lambda x: 3 + x, lambda x: 3.0 + x, moderate),
    "x-3": (lambda x: x - 3, lambda x: x - 3.0, moderate),
    "1-x": (lambda x: 1 - x, lambda x: 1.0 - x, moderate),
    "x/4": (lambda x: x / 4, lambda x: x / 4.0, moderate),
    "10/x": (lambda x: 10 / x, lambda x: 10.0 / x, moderate),
}

BINARY = {
    "x+y": (lambda x, y: x + y, lambda x, y: x + y, moderate, moderate),
    "x-y": (lambda x, y: x - y, lambda x, y: x - y, moderate, moderate),
    "x*y": (lambda x, y: x * y, lambda x, y: x * y, moderate, moderate),
    "x/y": (lambda x, y: x / y, lambda x, y: x / y, moderate, moderate),
    "x**y": (lambda x, y: x ** y, lambda x, y: x ** y, positive, moderate),
    "x*x (same input twice)": (lambda x, y: x * x + y, lambda x, y: x * x + y, moderate, moderate),
}


@pytest.mark.parametrize("name", UNARY)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_unary_operations_match_autograd_and_central_differences(name, data):
    f_value, f_autograd, domain = UNARY[name]
    check_against_oracles(f_value, f_autograd, [data.draw(domain, label="x")])


@pytest.mark.parametrize("name", BINARY)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_binary_operations_match_autograd_and_central_differences(name, data):
    f_value, f_autograd, dx, dy = BINARY[name]
    check_against_oracles(f_value, f_autograd, [data.draw(dx, label="x"), data.draw(dy, label="y")])


# ---------------------------------------------------------------- random graphs with sharing

OPS = ["add", "sub", "mul", "tanh", "sigmoid", "square", "scale", "ratio"]


@st.composite
def programs(draw):
    """A random straight-line program over a few inputs: each step applies an operation to
    earlier results, picked freely, so subexpressions are shared and reused."""
    n_inputs = draw(st.integers(1, 3))
    inputs = draw(st.lists(st.floats(-2.0, 2.0), min_size=n_inputs, max_size=n_inputs))
    steps = []
    for k in range(draw(st.integers(1, 25))):
        available = n_inputs + k
        op = draw(st.sampled_from(OPS))
        steps.append((op, draw(st.integers(0, available - 1)), draw(st.integers(0, available - 1)),
                      draw(st.floats(-1.5, 1.5))))
    return inputs, steps


def run_program(steps, inputs, tanh, sigmoid):
    """Evaluate the program; the same code runs on Values and inside autograd."""
    nodes = list(inputs)
    for op, i, j, c in steps:
        x, y = nodes[i], nodes[j]
        nodes.append({
            "add": lambda: x + y,
            "sub": lambda: x - y,
            "mul": lambda: x * y,
            "tanh": lambda: tanh(x),
            "sigmoid": lambda: sigmoid(x),
            "square": lambda: x ** 2,
            "scale": lambda: c * x,
            "ratio": lambda: x / (1.5 + y * y),  # never divides by zero
        }[op]())
    total = nodes[-1]
    for node in nodes[len(inputs):-1]:  # every intermediate feeds the output too: more sharing
        total = total + node
    return total


@pytest.mark.filterwarnings("ignore:Output seems independent of input")
@settings(max_examples=60, deadline=None)
@given(programs())
def test_random_graphs_with_shared_subexpressions_match_autograd(program):
    inputs, steps = program
    leaves = [Value(x) for x in inputs]
    out = run_program(steps, leaves, lambda v: v.tanh() if isinstance(v, Value) else math.tanh(v),
                      lambda v: v.sigmoid() if isinstance(v, Value) else 1 / (1 + math.exp(-v)))
    if not isinstance(out, Value):  # a program that ignores its inputs: nothing to check
        return
    out.backward()
    order = out.topological_order()
    assert len(order) == len({id(node) for node in order})          # each node once
    for position, node in enumerate(order):                           # inputs come first
        assert all(order.index(parent) < position for parent in node.inputs)

    def f(*xs):
        return run_program(steps, list(xs), anp.tanh, anp_sigmoid)
    assert out.data == pytest.approx(float(f(*inputs)), rel=1e-9, abs=1e-9)
    for i, leaf in enumerate(leaves):
        expected = float(autograd.grad(f, i)(*inputs))
        assert leaf.grad == pytest.approx(expected, rel=1e-7, abs=1e-9)


# ---------------------------------------------------------------- semantics

def test_the_reference_examples_match_hand_formulas():
    a = Value(-6)
    b = a ** 2 - a
    b.backward()
    assert a.grad == 2 * -6 - 1 == -13  # d(a² - a)/da = 2a - 1

    a, b = Value(2), Value(3)
    c = a * -b
    d = c ** 2
    e = d - c
    e.backward()
    # e = c² - c with c = -ab: de/dc = 2c - 1, de/da = (2c - 1)(-b), de/db = (2c - 1)(-a)
    assert (c.grad, d.grad, e.grad) == (2 * -6 - 1, 1, 1)
    assert (a.grad, b.grad) == ((2 * -6 - 1) * -3, (2 * -6 - 1) * -2) == (39, 26)


def test_leaf_gradients_accumulate_and_intermediates_hold_the_latest_pass():
    x, y = Value(2.0), Value(-3.0)
    xy = x * y
    z = xy + x
    z.backward()
    assert (x.grad, y.grad, xy.grad, z.grad) == (-2.0, 2.0, 1.0, 1.0)  # dz/dx = y + 1, dz/dy = x
    z.backward()
    assert (x.grad, y.grad) == (-4.0, 4.0)      # leaves: summed over both passes
    assert (xy.grad, z.grad) == (1.0, 1.0)      # intermediates: this pass only
    z.zero_grad()
    assert (x.grad, y.grad, xy.grad, z.grad) == (0.0, 0.0, 0.0, 0.0)
    z.backward()
    assert (x.grad, y.grad) == (-2.0, 2.0)


def test_backward_from_a_leaf_accumulates_one():
    x = Value(5.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_shared_nodes_are_visited_once_so_doubling_is_linear():
    """b = a + a, c = b + b, ... 200 times: 2**200 paths, 201 nodes, one visit each."""
    a = Value(1.0)
    v = a
    for _ in range(200):
        v = v + v
    v.backward()
    assert a.grad == 2.0 ** 200
    assert len(v.topological_order()) == 201


def test_a_million_deep_chain_backpropagates_and_is_freed():
    """No RecursionError on backward, no crash when the graph is freed (own process)."""
    script = textwrap.dedent("""
        import math, sys
        from backprop_helpers.scalar import Value
        x = Value(1.0)
        y = x
        for _ in range(1_000_000):
            y = y * 1.0000001
        y.backward()
        print(repr(x.grad), len(y.topological_order()))
        del y
        print("freed")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    grad, n_nodes, freed = result.stdout.split()
    assert float(grad) == pytest.approx(1.0000001 ** 1_000_000, rel=1e-9)  # d(x c^n)/dx = c^n
    assert int(n_nodes) == 1_000_001
    assert freed == "freed"


def test_augmented_assignment_makes_a_new_node():
    w = Value(1.0)
    v = w
    v += 2
    v *= 3
    assert v is not w and w.data == 1.0 and v.data == 9.0
    v.backward()
    assert w.grad == 3.0


def test_repr_shows_data_grad_and_label():
    v = Value(1.5, label="w")
    (v * 2).backward()
    assert repr(v) == "Value(data=1.5, grad=2.0, label='w')"
    assert repr(Value(-2)) == "Value(data=-2.0, grad=0.0)"


def test_local_derivatives_are_stored_not_closures():
    x, y = Value(3.0), Value(4.0)
    z = x * y
    assert z.inputs == (x, y) and z.local == (4.0, 3.0) and z.op == "*"
    assert (2 * x).inputs == (x,) and (2 * x).local == (2.0,)
    assert x.inputs == () and x.local == ()
    assert not hasattr(z, "__dict__")  # slots only: one object per node


# ---------------------------------------------------------------- edges and errors

@pytest.mark.parametrize("x, tanh, sigmoid", [(1000.0, 1.0, 1.0), (-1000.0, -1.0, 0.0),
                                              (800.0, 1.0, 1.0), (-800.0, -1.0, 0.0)])
def test_tanh_and_sigmoid_saturate_exactly_with_zero_gradient(x, tanh, sigmoid):
    for f, limit in [(Value.tanh, tanh), (Value.sigmoid, sigmoid)]:
        v = Value(x)
        out = f(v)
        out.backward()
        assert out.data == limit
        assert v.grad == 0.0


def test_sigmoid_is_accurate_in_the_negative_tail():
    v = Value(-700.0)
    assert v.sigmoid().data == pytest.approx(math.exp(-700.0), rel=1e-12)  # σ(x) ≈ e^x there


def test_relu_has_zero_gradient_at_zero():
    v = Value(0.0)
    out = v.relu()
    out.backward()
    assert (out.data, v.grad) == (0.0, 0.0)


@pytest.mark.parametrize("make, error, words", [
    (lambda: Value(1000.0).exp(), OverflowError, ["exp", "1000"]),
    (lambda: Value(0.0).log(), ValueError, ["log", "0"]),
    (lambda: Value(-2.5).log(), ValueError, ["log", "-2.5"]),
    (lambda: Value(1.0) / Value(0.0), ZeroDivisionError, ["division by zero", "1 / 0"]),
    (lambda: Value(1.0) / 0, ZeroDivisionError, ["division by zero", "1 / 0"]),
    (lambda: 3 / Value(0.0), ZeroDivisionError, ["division by zero", "3 / 0"]),
    (lambda: Value(0.0) ** -1, ZeroDivisionError, ["power", "0 ** -1"]),
    (lambda: Value(0.0) ** 0.5, ZeroDivisionError, ["derivative", "infinite", "x = 0"]),
    (lambda: Value(-8.0) ** 0.5, ValueError, ["no real result", "-8 ** 0.5"]),
    (lambda: Value(1e200) ** 2.5, OverflowError, ["power", "1e+200"]),
    (lambda: Value(-2.0) ** Value(2.0), ValueError, ["exponent", "-2", "positive base"]),
    (lambda: 0 ** Value(-1.0), ZeroDivisionError, ["power", "0 ** -1"]),
    (lambda: Value("3"), TypeError, ["real number", "'3'"]),
    (lambda: Value(True), TypeError, ["real number", "bool"]),
    (lambda: Value(Value(1.0)), TypeError, ["Value(v.data)"]),
    (lambda: Value(1.0) + "a", TypeError, ["+", "'a'", "str"]),
    (lambda: [1.0] * Value(1.0), TypeError, ["*", "[1.0]", "list"]),
])
def test_bad_input_gets_an_error_naming_the_operation_and_value(make, error, words):
    with pytest.raises(error) as caught:
        make()
    for word in words:
        assert word in str(caught.value)


def test_zero_to_a_positive_value_power_has_zero_exponent_gradient():
    x, n = Value(0.0), Value(2.0)
    out = x ** n
    out.backward()
    assert (out.data, x.grad, n.grad) == (0.0, 0.0, 0.0)  # 2·0^1 = 0; 0^n·ln 0 → 0 for n > 0


# ---------------------------------------------------------------- the graph drawing

def test_numpy_scalars_work_on_either_side():
    import numpy as np
    v = Value(np.float64(3.0))
    assert type(v.data) is float
    for out, expected, grad in [(np.float64(2.0) * v, 6.0, 2.0), (np.float64(2.0) - v, -1.0, -1.0),
                                (v / np.int64(4), 0.75, 0.25), (np.int64(2) + v, 5.0, 1.0)]:
        v.grad = 0.0
        assert isinstance(out, Value) and out.data == expected
        out.backward()
        assert v.grad == grad


# ---------------------------------------------------------------- the public vocabulary

def test_from_op_makes_an_operation_result_like_the_engines_own():
    x = Value(-1.5, label="x")
    out = Value.from_op(abs(x.data), inputs=(x,), local=(-1.0,), op="abs", label="|x|")
    assert (out.data, out.inputs, out.local, out.op, out.label) == (1.5, (x,), (-1.0,), "abs", "|x|")
    (out * 2.0).backward()
    assert x.grad == -2.0
    y = Value(4.0)
    both = Value.from_op(x.data * y.data, inputs=[x, y], local=[y.data, x.data], op="*")
    assert both.inputs == (x, y) and both.local == (4.0, -1.5)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(data=1.0, inputs=(), local=()), ValueError, ["op='f'", "one or two inputs, got 0"]),
    (dict(data=1.0, inputs=(Value(1),) * 3, local=(1, 1, 1)), ValueError, ["one or two inputs, got 3"]),
    (dict(data=1.0, inputs=(Value(1),), local=()), ValueError, ["1 local derivatives", "got 0"]),
    (dict(data=1.0, inputs=(1.0,), local=(1.0,)), TypeError, ["inputs[0] must be a Value", "float"]),
    (dict(data=1.0, inputs=(Value(1),), local=("1",)), TypeError, ["local[0]", "real number", "'1'"]),
    (dict(data=None, inputs=(Value(1),), local=(1.0,)), TypeError, ["data", "real number", "None"]),
])
def test_from_op_names_what_is_wrong(kwargs, error, words):
    with pytest.raises(error) as info:
        Value.from_op(op="f", **kwargs)
    assert all(w in str(info.value) for w in words), str(info.value)


def test_grad_assignment_takes_a_real_number_only():
    v = Value(1.0)
    v.grad = 3
    assert v.grad == 3.0 and type(v.grad) is float
    for bad in [None, "0", [0.0], Value(0.0)]:
        with pytest.raises(TypeError, match="Value.grad"):
            v.grad = bad
    assert v.grad == 3.0


def test_relu_of_nan_is_nan_not_zero():
    out = Value(float("nan")).relu()
    assert math.isnan(out.data) and out.local == (0.0,)


def test_tiny_denominators_give_the_true_derivative_not_a_bare_error():
    x = Value(1e-200)
    out = 1 / x
    out.backward()
    assert out.data == pytest.approx(1e200) and x.grad == -math.inf
    y = Value(1.0) / x
    assert y.local[1] == -math.inf
    with pytest.raises(OverflowError, match=r"1e-200 \*\* -1 has a finite value but its derivative"):
        x ** -1
