"""Exercises of notebook 04 (scalar autograd).

The build-up, in the body of the notebook: the learner writes the engine one piece at a time,
each checked before the next uses it: ``add`` and ``mul`` (a new node with its local
derivatives), ``topological_order`` (with its own stack), ``backward``, ``power`` and ``tanh``,
and a ``neuron``. Where a piece is not correct yet, ``yours_or_reference`` hands the notebook
this module's reference, so the notebook still runs top to bottom.

The exercises at the end, easy to hard: predict an accumulation, build a two-input operation,
take one step on micro-batches, and write the backward pass by counting uses. Where the
package's own machinery would give the answer away, the checker refuses an answer that calls
it; Exercise 3 counts the learner's backward() calls for the time of the check only."""
import functools
import importlib.util
import math
import sys
from pathlib import Path

import numpy as np

from ..nn import MLP
from ..scalar import Value
from .core import (NOT_ATTEMPTED, WrongAnswer, _unwrapped, diagnose, exercise, judge,
                   learner_error)


def _is_number(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


# ==== The build-up: the learner's own engine, one piece at a time ============================
#
# The checkers below run the learner's pieces on the checker's own nodes (``_Node``): plain
# records of data, grad, inputs, local derivatives and op, with no operations of their own, so
# an answer has to build its result itself. While an answer runs, a profiler refuses calls into
# the package's engines (``Value``, ``nn``, ``Node``), into this module's own references and
# helpers, into the notebook's recursive order, and into an outside autograd package; it also
# measures how deep the answer's calls nest, which tells a recursive walk from one with its
# own stack.

class _Node:
    """A checker's graph node: data, grad, inputs, local, op (what a learner's Scalar has), no
    operations, and no room for anything else (``__slots__``). Reads of ``.inputs`` are
    counted, which tells a walk that expands each node once from one that follows every path."""
    __slots__ = ("data", "grad", "_inputs", "local", "op", "label")
    reads = [0]

    def __init__(self, data, inputs=(), local=(), op="", label=""):
        self.data, self.grad, self._inputs = float(data), 0.0, tuple(inputs)
        self.local, self.op, self.label = tuple(local), op, label

    @property
    def inputs(self):
        _Node.reads[0] += 1
        return self._inputs

    def __repr__(self):
        return f"node {self.label or self.op or 'leaf'} (data {self.data:g})"


class _Traced(_Node):
    """A checker's node with the operations a neuron needs (+, *, tanh, relu, plain numbers
    on either side), for checking a learner's neuron without the learner's own engine."""
    __slots__ = ()

    def _lift(self, other):
        return other if isinstance(other, _Node) else _Traced(other)

    def __add__(self, other):
        return _reference_add(self, self._lift(other))

    __radd__ = __add__

    def __mul__(self, other):
        return _reference_mul(self, self._lift(other))

    __rmul__ = __mul__

    def tanh(self):
        return _reference_tanh(self)

    def relu(self):
        return type(self)(max(self.data, 0.0), (self,), (1.0 if self.data > 0 else 0.0,), "relu")


# ---- the references: where a learner's piece is missing, the notebook goes on with these -----

def _reference_add(x, y):
    return type(x)(x.data + y.data, (x, y), (1.0, 1.0), "+")


def _reference_mul(x, y):
    return type(x)(x.data * y.data, (x, y), (y.data, x.data), "*")


def _reference_power(x, n):
    return type(x)(x.data ** n, (x,), (n * x.data ** (n - 1),), f"** {n:g}")


def _reference_tanh(x):
    t = math.tanh(x.data)
    return type(x)(t, (x,), (1.0 - t * t,), "tanh")


def _reference_topological_order(root):
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            stack.extend((inp, False) for inp in reversed(node.inputs))
    return order


def _reference_backward(root):
    order = _reference_topological_order(root)
    for node in order:
        if node.inputs:
            node.grad = 0.0
    root.grad += 1.0
    for node in reversed(order):
        for inp, local in zip(node.inputs, node.local):
            inp.grad += local * node.grad


def _reference_neuron(w, b, x, phi):
    z = b
    for w_k, x_k in zip(w, x):
        z = z + w_k * x_k
    return z if phi == "identity" else getattr(z, phi)()


#: the build-up's exercises in the notebook's order, each with the reference the notebook uses
#: where the learner's answer is not correct yet (the learner's function has the same name)
BUILD_UP = {"add": _reference_add, "mul": _reference_mul, "topological_order": _reference_topological_order,
            "backward": _reference_backward, "power": _reference_power, "tanh": _reference_tanh,
            "neuron": _reference_neuron}


def yours_or_reference(name, answer):
    """``answer`` if it is a correct answer to build-up exercise ``name``, else the notebook's
    reference for it; prints one line saying which the notebook goes on with. So a notebook
    with the build-up untouched still runs top to bottom, and a filled one runs on the
    learner's engine."""
    if name not in BUILD_UP:
        raise ValueError(f"no build-up exercise named {name!r}; they are: {', '.join(BUILD_UP)}")
    verdict = judge(name, answer)
    if verdict.passed:
        print(f"from here on the notebook uses your {name}")
        return answer
    print(f"the notebook goes on with its reference {name} (yours is not attempted yet)"
          if verdict.status == NOT_ATTEMPTED else
          f"the notebook goes on with its reference {name} until yours is correct")
    return BUILD_UP[name]


def references_among(functions):
    """The names of the build-up exercises whose reference is among ``functions``: the pieces
    of an engine that are not the learner's own."""
    return [name for name, reference in BUILD_UP.items() if any(f is reference for f in functions)]


# ---- watching an answer run ------------------------------------------------------------------

_PACKAGE = Path(__file__).resolve().parent.parent
#: files of the package an answer may not call into: the engines, the network classes, and
#: notebook 04's checkers, figures and explorers (each holds a finished answer)
_FORBIDDEN_FILES = tuple(str(_PACKAGE / f) for f in (
    "scalar.py", "nn.py", "tensor.py", "gradcheck.py", "exercises/nb04_scalar.py",
    "plots/nb04_scalar.py", "widgets/nb04_scalar.py"))
#: outside packages that differentiate for you
OUTSIDE_AUTOGRAD = ("autograd", "torch", "jax", "micrograd", "tinygrad", "tensorflow", "mlx", "sympy")


@functools.lru_cache(maxsize=1)
def _outside_autograd_paths():
    paths = []
    for name in OUTSIDE_AUTOGRAD:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None:
            paths.extend(spec.submodule_search_locations or [str(Path(spec.origin).parent)])
    return tuple(str(Path(p).resolve()) for p in paths)


def _codes(*functions):
    """The code objects of ``functions``, with those nested in them (comprehensions, lambdas)."""
    found, todo = set(), [getattr(f, "__code__", None) for f in functions]
    while todo:
        code = todo.pop()
        if code is not None and code not in found:
            found.add(code)
            todo.extend(c for c in code.co_consts if hasattr(c, "co_code"))
    return found


def _class_codes(*classes):
    return {c for cls in classes for f in vars(cls).values()
            for c in _codes(getattr(f, "fget", f))}


class _Watch:
    """While active, records the first call an answer makes into forbidden code (the package's
    engines, notebook 04's references and helpers, an outside autograd, or ``extra`` code such
    as the notebook's recursive order), and how deep the calls nest."""

    def __init__(self, allowed=(), extra=(), paths=True):
        self.allowed, self.extra = set(allowed) | _class_codes(_Watch), dict(extra)
        self.forbidden_paths = _FORBIDDEN_FILES + _outside_autograd_paths() if paths else ()
        self.reached, self.depth, self.deepest = None, 0, 0

    def _profile(self, frame, event, arg):
        if event == "call":
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)
            code = frame.f_code
            if self.reached is None and code not in self.allowed:
                if code in self.extra:
                    self.reached = self.extra[code]
                elif code.co_filename.startswith(self.forbidden_paths):
                    self.reached = _forbidden_name(code)
        elif event == "return":
            self.depth -= 1
        if self.previous is not None:
            self.previous(frame, event, arg)

    def __enter__(self):
        self.previous = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(self.previous)
        return False

    def refuse(self, hint="write this piece yourself"):
        """WrongAnswer if the answer reached forbidden code."""
        if self.reached is not None:
            raise WrongAnswer(f"your function calls {self.reached}, which computes the answer for "
                              f"you: {hint}")


def _forbidden_name(code):
    path = code.co_filename
    if path.startswith(_outside_autograd_paths()):
        package = next(n for n in OUTSIDE_AUTOGRAD if f"{n}" in Path(path).parts)
        return f"{code.co_name} of the outside package {package}"
    where = Path(path).relative_to(_PACKAGE).with_suffix("").as_posix().replace("/", ".")
    return f"the package's {code.co_name} (backprop_helpers.{where})"


def _allowed_before(name):
    """Code an answer to build-up exercise ``name`` may run: the checker's nodes, and the
    references of the exercises before it (the notebook uses them where the learner's are
    missing)."""
    names = list(BUILD_UP)
    earlier = [BUILD_UP[n] for n in names[:names.index(name)]]
    return _class_codes(_Node, _Traced) | _codes(*earlier)


def _notebook_functions(function, names):
    """{code: description} of the notebook's own functions called ``names`` (found in the
    answer's globals), other than the answer itself: an answer may not hand the work to them."""
    inner = _unwrapped(function)
    namespace = getattr(inner, "__globals__", {})
    found = {}
    for name in names:
        f = namespace.get(name)
        code = getattr(f, "__code__", None)
        if code is not None and code is not getattr(inner, "__code__", None) \
                and not code.co_filename.startswith(str(_PACKAGE)):
            found[code] = f"the notebook's {name}"
    return found


def _watched(function, name, *args, extra_names=()):
    """``function(*args)`` run under a _Watch for build-up exercise ``name``; returns
    (result, watch), having refused forbidden calls (before any error they led to)."""
    watch = _Watch(_allowed_before(name), _notebook_functions(function, extra_names))
    try:
        with watch:
            result = function(*args)
    except TypeError as error:
        watch.refuse()
        if "_Node" in str(error) or "_Traced" in str(error):
            raise WrongAnswer(f"your code raised TypeError: {error}: the checker's nodes have .data, .grad, "
                              f".inputs, .local and .op but no operations of their own: build the new "
                              f"Scalar yourself, from the inputs' .data") from None
        raise
    except BaseException:
        watch.refuse()
        raise
    watch.refuse()
    return result, watch


def _as_float(value, what):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise WrongAnswer(f"{what} should be a number, got {type(value).__name__}")
    return float(value)


def _new_node(out, fname, operands):
    """The learner's result checked to be a new node made from ``operands``: returns
    (data, local) as floats."""
    if isinstance(out, Value):
        raise WrongAnswer(f"{fname} returned the package's Value: return a Scalar of your own, "
                          f"Scalar(data, inputs, local, op)")
    missing = [a for a in ("data", "inputs", "local", "op") if not hasattr(out, a)]
    if missing:
        raise WrongAnswer(f"{fname} should return a new Scalar, Scalar(data, inputs, local, op); got "
                          f"{type(out).__name__}, which has no {', '.join(missing)}")
    if any(out is x for x in operands):
        raise WrongAnswer(f"{fname} returned one of its inputs: return a new Scalar made from them")
    try:
        inputs, local = tuple(out.inputs), tuple(out.local)
    except TypeError:
        raise WrongAnswer(f"{fname}: inputs and local should be tuples, one entry per input") from None
    if len(inputs) != len(operands) or not all(a is b for a, b in zip(inputs, operands)):
        if len(inputs) == len(operands) and all(getattr(a, "data", None) == b.data for a, b in zip(inputs, operands)):
            raise WrongAnswer(f"{fname}: the inputs are new nodes with the same data, so no gradient would "
                              f"reach the real ones: record the inputs themselves, inputs=("
                              f"{', '.join('xy'[:len(operands)])})")
        raise WrongAnswer(f"{fname}: inputs should be the operands themselves, in order: "
                          f"inputs=({', '.join('xy'[:len(operands)])}), got {len(inputs)} input(s)")
    if len(local) != len(operands):
        raise WrongAnswer(f"{fname}: local should hold one local derivative per input ({len(operands)}), "
                          f"got {len(local)}")
    return (_as_float(out.data, f"{fname}'s data"),
            [_as_float(v, f"{fname}'s local derivative") for v in local])


def _leaves_untouched(fname, nodes, before):
    if [(n.data, n.grad) for n in nodes] != before:
        raise WrongAnswer(f"{fname} changed an input's .data or .grad: leave the inputs as they are "
                          f"(they may be used elsewhere) and return a new Scalar")


def _run_operation(function, fname, values, extra=(), reuse=False):
    """The learner's operation on fresh leaves holding ``values`` (``reuse``: one leaf passed
    twice, as in x * x), plus the plain ``extra`` arguments: returns (out, data, local) after
    the common checks."""
    leaves = [_Node(v, label=f"x{k}") for k, v in enumerate(values)]
    if reuse:
        leaves = [leaves[0], leaves[0]]
    for leaf in leaves:
        leaf.grad = 0.5   # as if from other uses already
    before = [(n.data, n.grad) for n in leaves]
    out, _ = _watched(function, fname, *leaves, *extra)
    _leaves_untouched(fname, leaves, before)
    return (out, *_new_node(out, fname, leaves))


def _check_op_name(fname, out, expected):
    if not isinstance(out.op, str) or not out.op:
        raise WrongAnswer(f"{fname}: op should name the operation as a string, e.g. op={expected!r} "
                          f"(graphs show it)")


def _check_two_input_rule(function, fname, rule, data_of, symbol, variants):
    """Shared by add and mul: the data and both local derivatives on several pairs and on one
    leaf used twice; ``rule(x, y)`` gives the right local derivatives."""
    pairs = [(2.0, -3.0), (0.5, 0.25), (-1.5, 4.0), (0.0, 7.0)]
    got = []
    for x, y in pairs:
        out, data, local = _run_operation(function, fname, (x, y))
        if not math.isclose(data, data_of(x, y), rel_tol=1e-12, abs_tol=1e-15):
            raise WrongAnswer(f"{fname}'s data is wrong for x = {x:g}, y = {y:g}: got {data:g}")
        _check_op_name(fname, out, symbol)
        got.append(local)
    got, expected = np.array(got), np.array([rule(x, y) for x, y in pairs])
    diagnose(got, expected, [(np.array([v(x, y) for x, y in pairs]), hint) for v, hint in variants],
             f"{fname}'s local derivatives at (x, y) = " + ", ".join(f"({x:g}, {y:g})" for x, y in pairs))
    out, data, local = _run_operation(function, fname, (1.5,), reuse=True)
    if not (math.isclose(data, data_of(1.5, 1.5), rel_tol=1e-12) and np.allclose(local, rule(1.5, 1.5))):
        raise WrongAnswer(f"{fname}(x, x), one Scalar used twice, is off: take both local derivatives "
                          f"from the inputs' data, one per input")


@exercise(callable_answer=True, references=(_reference_add,))
def check_add(function):
    """Build-up 1: ``add(x, y)`` returns a new Scalar for x + y with both local derivatives."""
    _check_two_input_rule(function, "add", lambda x, y: (1.0, 1.0), lambda x, y: x + y, "+", [
        (lambda x, y: (y, x), "that is the product's rule (∂(xy)/∂x = y); for a sum, by how much does "
                              "x + y change when x grows by a little?"),
        (lambda x, y: (0.0, 0.0), "a local derivative of 0 says x + y does not depend on x"),
        (lambda x, y: (-1.0, -1.0), "the sign: x + y grows as x grows, and as y grows"),
        (lambda x, y: (x, y), "the local derivative of x + y does not depend on x or y"),
    ])


@exercise(callable_answer=True, references=(_reference_mul,))
def check_mul(function):
    """Build-up 2: ``mul(x, y)`` returns a new Scalar for x · y with both local derivatives."""
    _check_two_input_rule(function, "mul", lambda x, y: (y, x), lambda x, y: x * y, "*", [
        (lambda x, y: (x, y), "the local derivatives are swapped: local[k] belongs to inputs[k], "
                              "and ∂(xy)/∂x is y, the other factor"),
        (lambda x, y: (1.0, 1.0), "that is the sum's rule; for x·y, by how much does it change when x "
                                  "grows by a little?"),
        (lambda x, y: (x * y, x * y), "that is the product itself; its slope in x is the other factor"),
    ])


#: Build-up 3's (x, n) cases: whole, negative and fractional powers, both signs of x
POWER_CASES = ((1.5, 2), (-2.0, 3), (4.0, -1), (2.25, 0.5), (-0.8, 1), (3.0, 0))


@exercise(callable_answer=True, references=(_reference_power,))
def check_power(function):
    """Build-up 3: ``power(x, n)`` returns a new Scalar for x ** n (n a plain number)."""
    got = []
    for x, n in POWER_CASES:
        out, data, local = _run_operation(function, "power", (x,), extra=(n,))
        if not math.isclose(data, x ** n, rel_tol=1e-12, abs_tol=1e-15):
            raise WrongAnswer(f"power's data is wrong for x = {x:g}, n = {n:g}: got {data:g}")
        _check_op_name("power", out, f"** {n}")
        got.append(local[0])
    X, N = np.array(POWER_CASES).T
    diagnose(np.array(got), N * X ** (N - 1), [
        (X ** (N - 1), "the factor n is missing: ∂(xⁿ)/∂x = n xⁿ⁻¹"),
        (N * X ** N, "one power too many: ∂(xⁿ)/∂x = n xⁿ⁻¹"),
        ((N - 1) * X ** (N - 1), "the factor in front is n, not n - 1"),
        (N * X ** (N + 1), "the power goes down by one, not up: ∂(xⁿ)/∂x = n xⁿ⁻¹"),
    ], "power's local derivative at (x, n) = " + ", ".join(f"({x:g}, {n:g})" for x, n in POWER_CASES))


#: Build-up 4's inputs: 0, both signs, and far out where tanh is ±1 to the last bit
TANH_INPUTS = (0.0, 0.5, -1.3, 2.0, 20.0, 1000.0, -1000.0)


@exercise(callable_answer=True, references=(_reference_tanh,))
def check_tanh(function):
    """Build-up 4: ``tanh(x)`` returns a new Scalar for tanh x with its local derivative."""
    got = []
    for x in TANH_INPUTS:
        try:
            out, data, local = _run_operation(function, "tanh", (x,))
        except OverflowError as error:
            raise learner_error(error, f"at x = {x:g}: math.tanh never overflows (tanh of ±1000 is ±1), "
                                       f"a formula with exp(2x) does") from None
        if not math.isclose(data, math.tanh(x), rel_tol=1e-12, abs_tol=1e-15):
            raise WrongAnswer(f"tanh's data is wrong at x = {x:g}: got {data:g}")
        _check_op_name("tanh", out, "tanh")
        got.append(local[0])
    X = np.array(TANH_INPUTS)
    T = np.tanh(X)
    diagnose(np.array(got), 1 - T ** 2, [
        (1 - X ** 2, "1 - tanh² takes the square of the output t = tanh(x), not of x"),
        (1 - T, "the output is squared: ∂tanh(x)/∂x = 1 - tanh²(x)"),
        (T ** 2 - 1, "the sign: tanh rises everywhere, so its slope is positive"),
        (T * (1 - T), "t(1 - t) is the sigmoid's slope; tanh's is 1 - t²"),
        (np.ones_like(X), "a slope of 1 is tanh's near 0 only; it flattens out: 1 - tanh²(x)"),
    ], "tanh's local derivative at x = " + ", ".join(f"{x:g}" for x in TANH_INPUTS))


# ---- graphs for the order and the backward pass ----------------------------------------------

def _graphs():
    """(name, root) pairs of the checker's nodes: the seed example, a leaf used twice by one
    operation, a shared intermediate node, branches of different lengths, one lone leaf."""
    add, mul, power, tanh = _reference_add, _reference_mul, _reference_power, _reference_tanh
    a, b, c, f = (_Node(v, label=n) for v, n in ((2.0, "a"), (-3.0, "b"), (10.0, "c"), (-2.0, "f")))
    seed = mul(add(mul(a, b), c), f)
    x = _Node(-1.5, label="x")
    square = add(mul(x, x), x)
    p, q = _Node(2.0, label="p"), _Node(3.0, label="q")
    shared = mul(p, mul(_Node(-1.0), q))
    shared = add(power(shared, 2), mul(_Node(-1.0), shared))
    u, v = _Node(0.5, label="u"), _Node(-1.2, label="v")
    h = tanh(mul(u, v))
    long = h
    for _ in range(4):
        long = add(mul(long, _Node(1.1)), v)
    uneven = add(mul(long, h), u)
    return [("x·x + x", square), ("(a·b + c)·f", seed), ("c² - c with c = p·(-q)", shared),
            ("two branches of different lengths", uneven)]


def _nodes(root):
    return _reference_topological_order(root)


def _doubling_nodes(n):
    a = _Node(1.0, label="a")
    top = a
    for _ in range(n):
        top = _reference_add(top, top)
    return a, top


def _chain_nodes(n, factor=1.0001):
    x = _Node(1.0, label="x")
    y = x
    for _ in range(n):
        y = _reference_mul(y, _Node(factor))
    return x, y


#: how deep an answer's calls may nest on a chain of _RECURSION_PROBE operations (a walk with
#: its own stack stays a few calls deep; a recursive one nests once per node)
_RECURSION_PROBE, _MAX_NESTING = 300, 60
#: reads of .inputs allowed per node of the 16-fold doubling graph (each node expanded once)
_DOUBLING_LEVELS, _READS_PER_NODE = 16, 8


def _linear_and_flat(function, name, run, hint):
    """Refuse an answer that follows every path (too many reads of .inputs on the doubling
    graph) or recurses (deep nesting on a chain); ``run(function, root)`` calls it."""
    a, top = _doubling_nodes(_DOUBLING_LEVELS)
    _Node.reads[0] = 0
    run(function, top)
    if _Node.reads[0] > _READS_PER_NODE * (_DOUBLING_LEVELS + 1) + 20:
        raise WrongAnswer(f"on b = a + a, c = b + b, ... ({_DOUBLING_LEVELS} levels, {_DOUBLING_LEVELS + 1} "
                          f"nodes) your function read .inputs {_Node.reads[0]:,} times: it follows every "
                          f"path, and the paths double at every level. {hint}")
    x, y = _chain_nodes(_RECURSION_PROBE)
    watch = run(function, y)
    if watch.deepest > _MAX_NESTING:
        raise WrongAnswer(f"on a chain of {_RECURSION_PROBE} operations your calls nested {watch.deepest} deep: "
                          f"a recursive walk stops at Python's recursion limit ({sys.getrecursionlimit()}); "
                          f"keep your own stack (a list) of nodes to visit")


def _ordered(function, root):
    """The learner's order of ``root``'s graph, as a list (after the common checks), and the watch."""
    try:
        result, watch = _watched(function, "topological_order", root,
                                 extra_names=("topological_order_recursive",))
    except AttributeError as error:
        if "object has no attribute" in str(error) and "_Node" in str(error):
            raise WrongAnswer(f"your code raised AttributeError: {error}: don't mark nodes (a flag on a "
                              f"node stays for the next call); keep a visited set inside your function, a "
                              f"fresh one per call") from None
        raise
    if isinstance(result, (str, bytes, dict)) or not hasattr(result, "__iter__"):
        raise WrongAnswer(f"topological_order should return a list of nodes, got {type(result).__name__}")
    return list(result), watch


def _check_order(order, root, name):
    expected = _nodes(root)
    ids = [id(n) for n in order]
    if len(set(ids)) < len(ids):
        raise WrongAnswer(f"in {name}, a node appears more than once in your list: add a node to the list "
                          f"once only (a visited set), however many nodes use it")
    known = {id(n) for n in expected}
    if any(i not in known for i in ids):
        raise WrongAnswer(f"in {name}, your list holds something that is not a node of the graph: list the "
                          f"nodes themselves")
    if len(order) < len(expected):
        raise WrongAnswer(f"in {name}, your list has {len(order)} of the graph's {len(expected)} nodes: every "
                          f"node the root depends on belongs in it, the leaves and the root too")
    position = {id(n): k for k, n in enumerate(order)}
    if all(position[id(inp)] > position[id(n)] for n in expected for inp in n._inputs):
        raise WrongAnswer(f"in {name}, your list is the wrong way round (the root first): list a node after "
                          f"its inputs; backward() then walks the list reversed")
    if any(position[id(inp)] > position[id(n)] for n in expected for inp in n._inputs):
        raise WrongAnswer(f"in {name}, a node comes before one of its inputs: add a node to the list only "
                          f"once all of its inputs are in it")


def _run_order(function, root):
    order, watch = _ordered(function, root)
    return watch


@exercise(callable_answer=True, references=(_reference_topological_order,))
def check_topological_order(function):
    """Build-up 5: ``topological_order(root)`` lists every node once, inputs first, with its
    own stack (no recursion)."""
    for name, root in _graphs():
        grads = [(n.data, n.grad) for n in _nodes(root)]
        order, _ = _ordered(function, root)
        _check_order(order, root, name)
        if [(n.data, n.grad) for n in _nodes(root)] != grads:
            raise WrongAnswer(f"in {name}, your function changed a node's .data or .grad: it only lists them")
        again, _ = _ordered(function, root)
        if len(again) != len(order):
            raise WrongAnswer(f"a second call on {name} gives {len(again)} nodes, the first gave {len(order)}: "
                              f"keep the visited set inside the function, a fresh one per call")
    leaf = _Node(4.0)
    order, _ = _ordered(function, leaf)
    if len(order) != 1 or order[0] is not leaf:
        raise WrongAnswer("on a lone leaf (no inputs), the order is just that leaf")
    _linear_and_flat(function, "topological_order", _run_order,
                     "Expand each node once: skip a node you have seen before")
    x, y = _chain_nodes(3 * sys.getrecursionlimit() + 1000)
    order, _ = _ordered(function, y)
    _check_order(order, y, "a deep chain")


# ---- the backward pass -----------------------------------------------------------------------

def _value_copy(root):
    """The checker's graph rebuilt from Value.from_op with the same local derivatives: the
    package's backward on it is the independent route to every gradient."""
    copies = {}
    for node in _nodes(root):
        copies[id(node)] = (Value(node.data) if not node._inputs else
                            Value.from_op(node.data, inputs=tuple(copies[id(i)] for i in node._inputs),
                                          local=node.local, op=node.op))
        copies[id(node)].grad = node.grad
    return copies


def _expected_grads(root, passes=1):
    copies = _value_copy(root)
    for _ in range(passes):
        copies[id(root)].backward()
    return [copies[id(n)].grad for n in _nodes(root)]


def _simulated(root, mistake, passes=1):
    """The gradients an engine with one typical flaw gives (for the hints only)."""
    order = _nodes(root)
    grads = {id(n): n.grad for n in order}
    for _ in range(passes):
        for n in order:
            if n._inputs and mistake != "no reset" or mistake == "reset leaves":
                grads[id(n)] = 0.0
        grads[id(root)] += 1.0
        for n in (order if mistake == "forward order" else reversed(order)):
            for inp, local in zip(n._inputs, n.local):
                if mistake == "assign":
                    grads[id(inp)] = local * grads[id(n)]
                else:
                    grads[id(inp)] += local * grads[id(n)]
    return [grads[id(n)] for n in order]


def _run_backward(function, root):
    _, watch = _watched(function, "backward", root, extra_names=("topological_order_recursive",))
    return watch


def _held(root):
    return [n.grad for n in _nodes(root)]


@exercise(callable_answer=True, references=(_reference_backward,))
def check_backward(function):
    """Build-up 6: ``backward(root)`` sets every node's .grad to ∂root/∂node, visiting each
    node once in reverse topological order; leaves accumulate across calls, intermediate nodes
    hold the latest pass."""
    for name, root in _graphs():
        for node in _nodes(root):
            if not node._inputs:
                node.grad = 0.25      # leaves holding gradients from before
        expected = _expected_grads(root)
        variants = [(np.array(_simulated(root, m)), hint) for m, hint in (
            ("assign", "a node used more than once got only its last share: add each share, "
                       "inp.grad += local * node.grad, never ="),
            ("forward order", "your loop runs from the leaves up: a node passes its gradient on only once "
                              "every node that uses it has passed its share, so walk the order reversed"),
            ("reset leaves", "the leaves lost what they held: leaves accumulate across backward() calls; "
                             "reset only the intermediate nodes (those with inputs)"),
        )]
        _run_backward(function, root)
        got = np.array(_held(root))
        if np.allclose(got, [0.25 if not n._inputs else 0.0 for n in _nodes(root)]):
            raise WrongAnswer(f"in {name}, no gradient moved: seed the root, root.grad += 1 (∂root/∂root), "
                              f"and pass gradients down from there")
        diagnose(got, np.array(expected), variants, f"the gradients in {name}")
    for name, root in _graphs()[:3]:
        expected = _expected_grads(root, passes=2)
        variants = [
            (np.array(_simulated(root, "no reset", passes=2)),
             "one pass is right, a second call is not: an intermediate node still held the first pass's "
             "gradient, and passed it down twice. Reset every intermediate node (with inputs) to 0 first"),
            (np.array(_simulated(root, "reset leaves", passes=2)),
             "one pass is right, but after a second call the leaves hold one pass only: leaves accumulate "
             "(+=) across calls; reset only the intermediate nodes"),
        ]
        _run_backward(function, root)
        _run_backward(function, root)
        diagnose(np.array(_held(root)), np.array(expected), variants, f"the gradients after two calls on {name}")
    _linear_and_flat(function, "backward", _run_backward,
                     "Visit each node once, in the reversed topological order")
    a, top = _doubling_nodes(40)
    _run_backward(function, top)
    if a.grad != 2.0 ** 40:
        raise WrongAnswer("wrong on the doubling graph b = a + a, c = b + b, ... (40 levels, ∂/∂a = 2⁴⁰)")
    depth = 3 * sys.getrecursionlimit() + 1000
    x, y = _chain_nodes(depth)
    _run_backward(function, y)
    if not math.isclose(x.grad, 1.0001 ** depth, rel_tol=1e-9):
        raise WrongAnswer(f"wrong on a chain {depth:,} operations deep")


# ---- a neuron on the learner's own engine ----------------------------------------------------

#: Build-up 7's cases: (weights, bias, inputs, φ); inputs are plain numbers, or nodes (an
#: earlier layer's outputs) where the entry is a string
NEURON_CASES = (
    ((0.3, -0.8), 0.1, (0.5, -1.5), "tanh"),
    ((1.2, 0.4, -0.7), -0.2, (1.0, 2.0, 0.5), "relu"),
    ((0.6, -0.9), 0.5, (-1.0, 0.25), "relu"),
    ((-0.5, 2.0), 0.3, ("h1", "h2"), "identity"),
    ((0.7,), -0.4, ("h1",), "tanh"),
)

_PHI = {"tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
        "relu": (lambda z: max(z, 0.0), lambda z: 1.0 if z > 0 else 0.0),
        "identity": (lambda z: z, lambda z: 1.0)}


def _neuron_truth(w, b, x, phi):
    """a and ∂a/∂(w, b, x) by the formula: a = φ(z), ∂a/∂w_k = φ'(z) x_k, ∂a/∂b = φ'(z)."""
    z = b + sum(wk * xk for wk, xk in zip(w, x))
    f, slope = _PHI[phi]
    return f(z), [slope(z) * xk for xk in x] + [slope(z)] + [slope(z) * wk for wk in w]


@exercise(callable_answer=True, references=(_reference_neuron,))
def check_neuron(function):
    """Build-up 7: ``neuron(w, b, x, phi)`` returns φ(b + Σ_k w_k x_k) as a node of the
    engine the weights belong to."""
    for w_values, b_value, x_spec, phi in NEURON_CASES:
        w = [_Traced(v, label=f"w{k + 1}") for k, v in enumerate(w_values)]
        b = _Traced(b_value, label="b")
        hidden = {"h1": 0.8, "h2": -0.3}
        x = [_Traced(hidden[s], label=s) if isinstance(s, str) else s for s in x_spec]
        x_values = [hidden[s] if isinstance(s, str) else s for s in x_spec]
        what = f"w = {list(w_values)}, b = {b_value:g}, x = {x_values}, φ = {phi}"
        out, _ = _watched(function, "neuron", w, b, x, phi)
        if not isinstance(out, _Node):
            raise WrongAnswer(f"neuron should return a node built from the weights (w, b and the "
                              f"operations + and *, then φ), got {type(out).__name__} for {what}")
        data, expected = _neuron_truth(w_values, b_value, x_values, phi)
        z = b_value + sum(wk * xk for wk, xk in zip(w_values, x_values))
        if not math.isclose(out.data, data, rel_tol=1e-12, abs_tol=1e-15):
            hints = [(z, "φ is missing: apply the activation to z = b + Σ w_k x_k"),
                     (_PHI[phi][0](z - b_value), "the bias b is missing from z"),
                     (sum(_PHI[phi][0](wk * xk) for wk, xk in zip(w_values, x_values)) + b_value,
                      "φ goes on the whole sum z = b + Σ w_k x_k, once, not on each term")]
            hint = next((h for v, h in hints if math.isclose(out.data, v, rel_tol=1e-12, abs_tol=1e-15)), "")
            raise WrongAnswer(f"the neuron's output is wrong for {what}: got {out.data:.4f}" + (f"; {hint}" if hint else ""))
        _reference_backward(out)
        tracked = w + [b] + [xk for xk in x if isinstance(xk, _Node)]
        wanted = expected[:len(w) + 1] + (expected[len(w) + 1:] if x and isinstance(x[0], _Node) else [])
        if not np.allclose([t.grad for t in tracked], wanted, rtol=1e-9, atol=1e-12):
            raise WrongAnswer(f"the output is right for {what}, but the gradients of the weights are not: "
                              f"build it from w, b and x with the engine's operations, so that every weight "
                              f"is an input of the graph")


# ---- Exercise 04.1: predict, then run --------------------------------------------------------

def accumulation_program(reset_intermediates=True, leaves_accumulate=True, passes=2, reuse_sums=True):
    """Exercise 04.1's program, run on Value (or as an engine with one typical flaw would run it):

        x, y = Value(3.0), Value(-2.0)
        u = x * y
        first = u + x
        first.backward()
        second = u * u
        second.backward()

    Returns (x.grad, y.grad, u.grad) after ``passes`` backward calls.
    """
    x, y = 3.0, -2.0
    u = x * y
    grads = {"x": 0.0, "y": 0.0, "u": 0.0}
    for k in range(passes):
        if k == 0:   # first = u + x: ∂/∂u = 1, ∂/∂x = 1 directly
            du, dx_direct = 1.0, 1.0
        else:        # second = u * u: ∂/∂u = 2u (both uses add), or u for one use only
            du, dx_direct = (2 * u if reuse_sums else u), 0.0
        if not leaves_accumulate:
            grads["x"] = grads["y"] = 0.0
        if reset_intermediates:
            grads["u"] = 0.0
        grads["u"] += du
        g_u = grads["u"]
        grads["x"] += dx_direct + g_u * y
        grads["y"] += g_u * x
    return grads["x"], grads["y"], grads["u"]


def _accumulation_truth():
    """The same program run on the package's Value (the checker's independent route)."""
    x, y = Value(3.0), Value(-2.0)
    u = x * y
    (u + x).backward()
    (u * u).backward()
    return x.grad, y.grad, u.grad


@exercise
def check_accumulation_prediction(answer):
    """Exercise 04.1: predict (x.grad, y.grad, u.grad) after the two backward() calls."""
    if callable(answer) or isinstance(answer, (str, dict)) or not hasattr(answer, "__len__") or len(answer) != 3:
        raise WrongAnswer("write your prediction as three numbers, (x.grad, y.grad, u.grad), "
                     "e.g. accumulation_prediction = (1.0, 2.0, 3.0)")
    if not all(_is_number(v) for v in answer):
        raise WrongAnswer("each of the three predictions should be a number (work them out by hand, "
                     "not by running the code)")
    got = np.array([float(v) for v in answer])
    truth = np.array(_accumulation_truth())
    assert np.array_equal(truth, accumulation_program())  # the two routes agree
    diagnose(got, truth, [
        (np.array(accumulation_program(passes=1)), "that is the state after the first backward() only; "
                                                   "the second backward() then runs through u * u"),
        (np.array(accumulation_program(leaves_accumulate=False)),
         "x.grad and y.grad hold only the second pass: leaves accumulate across backward() calls, "
         "so add what the first pass left there"),
        (np.array(accumulation_program(reset_intermediates=False)),
         "that is what an engine that never resets intermediate gradients gives (micrograd's does "
         "not): u.grad kept the 1 of the first pass, and it flowed down twice. This engine "
         "resets intermediate nodes at each backward()"),
        (np.append(truth[:2], truth[2] + 1.0),
         "x.grad and y.grad are right; u is an intermediate node: this engine resets it at each "
         "backward(), so it holds the latest pass only"),
        (np.array(accumulation_program(reuse_sums=False)),
         "u is used twice in u * u: the two uses add, so ∂(u·u)/∂u is not just u"),
        (-truth, "every sign is flipped: a gradient points uphill, ∂output/∂input"),
    ] + _which_is_off(got, truth), "your prediction")


def _which_is_off(got, truth):
    """A (got, hint) variant naming which of the three predictions are off, when some are right
    (the hint never says what the right value is)."""
    names = ("x.grad", "y.grad", "u.grad")
    off = [n for n, g, t in zip(names, got, truth) if not np.isclose(g, t, rtol=1e-6, atol=1e-10)]
    if not off or len(off) == len(names):
        return []
    right = [n for n in names if n not in off]
    return [(got, f"{' and '.join(right)} {'is' if len(right) == 1 else 'are'} right; {' and '.join(off)} "
                  f"{'is' if len(off) == 1 else 'are'} off: follow {'it' if len(off) == 1 else 'them'} through "
                  f"both passes again (which uses add up, what is reset at the second backward()?)")]


# ---- Exercise 04.2: division, an operation with two inputs -----------------------------------

#: Exercise 04.2's (a, b) pairs: both signs, b below and above 1
DIVIDE_EXERCISE_INPUTS = ((6.0, 3.0), (-2.0, 4.0), (1.5, -0.5), (0.3, 7.0))


def _learner_divide(function, a, b):
    """The learner's a / b, checked to be a new Value that leaves a and b alone."""
    held_a, held_b = 0.25, -0.5  # as if a and b had gradients from other uses already
    a.grad, b.grad = held_a, held_b
    data_a, data_b = a.data, b.data
    out = function(a, b)     # the core refuses a call of Value's own division on the way
    if type(out) is not Value:
        raise WrongAnswer(f"divide should return a Value (a new node), got {type(out).__name__} for "
                     f"a = {data_a:g}, b = {data_b:g}")
    if (a.data, b.data) != (data_a, data_b):
        raise WrongAnswer("divide changed an input's .data: leave a and b as they are (they may be used "
                     "elsewhere in the graph) and return a new Value")
    if (a.grad, b.grad) != (held_a, held_b):
        raise WrongAnswer("divide changed a.grad or b.grad: the gradient arriving from above is known only "
                     "in backward(); record the two local derivatives instead (local=(..., ...)), and "
                     "backward() multiplies and adds them")
    a.grad = b.grad = 0.0
    return out


@exercise(callable_answer=True, references=(Value.__truediv__, Value.__rtruediv__))
def check_divide(function):
    """Exercise 04.2: ``divide(a, b)`` returns a / b as a new Value with both local derivatives."""
    pairs = np.array(DIVIDE_EXERCISE_INPUTS)
    grads = []
    for x, y in pairs:
        a, b = Value(float(x)), Value(float(y))
        out = _learner_divide(function, a, b)
        if not math.isclose(out.data, x / y, rel_tol=1e-12):
            hint = "; that is b / a, the other way round" if math.isclose(out.data, y / x, rel_tol=1e-12) else ""
            raise WrongAnswer(f"the value is wrong for a = {x:g}, b = {y:g}: got {out.data:g}{hint}")
        recorded = tuple(out.inputs)
        if not recorded:
            raise WrongAnswer("no gradient reaches a or b: your Value is a new leaf that does not remember its "
                         "inputs. Make it with Value.from_op(data, inputs=(a, b), local=(..., ...), op='/')")
        if len(recorded) == 1:
            raise WrongAnswer(f"only {'a' if recorded[0] is a else 'b'} gets a gradient: record both inputs, "
                         f"inputs=(a, b), and a local derivative for each, in the same order")
        if len(recorded) != 2 or recorded[0] is not a or recorded[1] is not b:
            raise WrongAnswer("build one node from a and b themselves, inputs=(a, b) in that order: a result "
                              "made of other operations (such as a * b ** -1) leaves ∂(a/b)/∂b to them")
        if out.op != "/":
            raise WrongAnswer(f"the node's op is {out.op!r}: name it op='/', so that graphs show a division")
        out.backward()
        grads.append((a.grad, b.grad))
    grads = np.array(grads)
    A, B = pairs[:, 0], pairs[:, 1]
    diagnose(grads[:, 0], 1 / B, [
        (-A / B ** 2, "you gave the local derivatives in the wrong order: local[k] belongs to inputs[k], "
                      "so ∂(a/b)/∂a comes first"),
        (B, "∂(a/b)/∂a is not b (that is multiplication's rule): a/b = a · (1/b)"),
        (1 / A, "∂(a/b)/∂a: treat b as a constant, a/b = a · (1/b)"),
        (np.ones(len(A)), "∂(a/b)/∂a is not 1: a/b = a · (1/b), so the factor in front of a is its slope"),
    ], "∂(a/b)/∂a at (a, b) = " + ", ".join(f"({x:g}, {y:g})" for x, y in pairs))
    diagnose(grads[:, 1], -A / B ** 2, [
        (A / B ** 2, "the sign of ∂(a/b)/∂b is wrong: for a > 0 and b > 0, a/b gets smaller as b grows"),
        (-1 / B ** 2, "∂(a/b)/∂b is missing a factor: a/b = a · b⁻¹, and a stays as a factor"),
        (-A / B, "∂(a/b)/∂b: the derivative of b⁻¹ is -b⁻², one power more in the denominator"),
        (np.zeros(len(A)), "no gradient reaches b: its local derivative is 0; b changes a/b too"),
    ], "∂(a/b)/∂b at (a, b) = " + ", ".join(f"({x:g}, {y:g})" for x, y in pairs))
    # bigger graphs: a reused input, division feeding other operations
    graphs = [
        ("x / x", lambda x, y, div: div(x, x), (1.7, 0.0)),
        ("(x*y) / (y + 1)", lambda x, y, div: div(x * y, y + 1), (1.2, -3.0)),
        ("x / (x / y) + y", lambda x, y, div: div(x, div(x, y)) + y, (2.5, 0.4)),
    ]
    for name, f, (x, y) in graphs:
        xv, yv = Value(x), Value(y)
        f(xv, yv, function).backward()
        h = 1e-6
        plain = lambda u, v: u / v
        dx = (f(x + h, y, plain) - f(x - h, y, plain)) / (2 * h)
        dy = (f(x, y + h, plain) - f(x, y - h, plain)) / (2 * h)
        if not (math.isclose(xv.grad, dx, rel_tol=1e-6, abs_tol=1e-6)
                and math.isclose(yv.grad, dy, rel_tol=1e-6, abs_tol=1e-6)):
            raise WrongAnswer(f"one division is right, but in the bigger graph {name} at x = {x:g}, y = {y:g} "
                         f"the gradients disagree with finite differences: does divide touch anything "
                         f"besides building its new Value?")


# ---- Exercise 04.3: one step on micro-batches ------------------------------------------------

def _micro_batch_problem(seed=3):
    """A small tanh MLP, twelve points in three micro-batches of four, the squared error of each
    micro-batch as its own loss function, and stale gradients on the parameters."""
    model = MLP(2, [3, 1], hidden="tanh", seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.5, 1.5, size=(12, 2))
    Y = np.tanh(X[:, 0] - X[:, 1])
    batches = [(X[k:k + 4].tolist(), Y[k:k + 4].tolist()) for k in range(0, 12, 4)]

    def loss_of(points, targets):
        def loss_function():
            return sum((model(p)[0] - t) ** 2 for p, t in zip(points, targets)) * (1 / len(points))
        return loss_function

    for k, p in enumerate(model.parameters()):
        p.grad = 0.3 * math.cos(k)
    return model, [loss_of(points, targets) for points, targets in batches]


def _accumulated_step(seed, rate, mistake=None):
    """One step on the mean micro-batch loss, right or with one typical mistake; returns
    (parameters after, mean loss before the step)."""
    model, loss_functions = _micro_batch_problem(seed)
    parameters = model.parameters()
    k = len(loss_functions)
    if mistake != "no zero":
        for p in parameters:
            p.grad = 0.0
    losses = []
    for f in loss_functions:
        if mistake == "zero each":
            for p in parameters:
                p.grad = 0.0
        loss = f()
        loss.backward()
        losses.append(loss.data)
        if mistake == "step each":
            for p in parameters:
                p.data -= rate * p.grad / k
                p.grad = 0.0
    if mistake != "step each":
        scale = 1.0 if mistake == "sum" else 1.0 / k
        for p in parameters:
            p.data -= rate * scale * p.grad
    return np.array([p.data for p in parameters]), sum(losses) / k


#: Exercise 04.3's settings: (seed of the problem, learning rate)
MICRO_BATCH_CASES = ((3, 0.1), (5, 0.25))


@exercise(callable_answer=True)
def check_accumulated_step(function):
    """Exercise 04.3: ``accumulated_step(model, loss_functions, learning_rate)`` -> mean loss."""
    for seed, rate in MICRO_BATCH_CASES:
        model, loss_functions = _micro_batch_problem(seed)
        start = np.array([p.data for p in model.parameters()])
        calls = []
        original = Value.backward

        def counted(self):
            calls.append(self)
            original(self)
        Value.backward = counted
        try:
            returned = function(model, loss_functions, rate)
        finally:
            Value.backward = original
        got = np.array([p.data for p in model.parameters()])
        expected, mean_loss = _accumulated_step(seed, rate)
        if np.array_equal(got, start):
            raise WrongAnswer("the parameters never moved: after the micro-batches, step each one in place, "
                         "p.data -= learning_rate * (its gradient of the mean loss)")
        k = len(loss_functions)
        diagnose(got, expected, [
            (_accumulated_step(seed, rate, "zero each")[0],
             "you zeroed the gradients before every micro-batch, so only the last one's gradient was "
             "left: zero once, before the first, and let .grad add up across the backward() calls"),
            (_accumulated_step(seed, rate, "no zero")[0],
             "the parameters started with stale gradients (from an earlier backward()), and they went "
             "into your step: zero every p.grad once before the first micro-batch"),
            (_accumulated_step(seed, rate, "sum")[0],
             f"your step is {k} times too large: the accumulated .grad is the gradient of the sum of "
             f"the {k} losses; the mean divides it by the number of micro-batches"),
            (_accumulated_step(seed, rate, "step each")[0],
             "you stepped after each micro-batch (that is plain stochastic gradient descent, several "
             "steps): accumulate all micro-batches first, then take one step"),
            (2 * start - expected, "wrong step sign: that climbs the loss; step against the gradient"),
        ], f"the parameters after one step (learning_rate = {rate})")
        if len(calls) < k:
            raise WrongAnswer(f"the step is right, but backward() ran {len(calls)} time(s) for {k} micro-batches: "
                         f"summing all losses into one graph keeps every micro-batch's graph in memory at "
                         f"once. Call backward() once per micro-batch and let .grad accumulate")
        if not _is_number(returned) and not isinstance(returned, Value):
            raise WrongAnswer(f"the step is right; return the mean of the micro-batch losses as a number, "
                         f"got {type(returned).__name__}")
        value = returned.data if isinstance(returned, Value) else float(returned)
        if not math.isclose(value, mean_loss, rel_tol=1e-9):
            hint = (" (that is their sum: divide by the number of micro-batches)"
                    if math.isclose(value, k * mean_loss, rel_tol=1e-9) else "")
            raise WrongAnswer(f"the step is right, but the returned loss is not the mean of the micro-batch "
                         f"losses before the step{hint}")


# ---- Exercise 04.4: the backward pass by counting uses ---------------------------------------

def _doubling(n):
    a = Value(1.0)
    top = a
    for _ in range(n):
        top = top + top
    return a, top


def _counting_graphs():
    """(name, build) pairs: build() returns (root, nodes to check); shared subgraphs, an input
    used twice by one operation, plain numbers, a graph whose two branches differ in length."""
    def seed():
        a, b = Value(2.0), Value(3.0)
        c = a * -b
        e = c ** 2 - c
        return e, (a, b, c)

    def square():
        x = Value(-1.5)
        a = x * 1.5 - 0.3                 # an intermediate node ...
        s = a * a                         # ... used twice by one operation
        return s + 2 * s, (x, a, s)

    def uneven():
        x, y = Value(0.5), Value(-1.2)
        h = (x * y).tanh()
        long = h
        for _ in range(4):
            long = long * 1.1 + y
        return long * h + x, (x, y, h)

    def neuron():
        w1, w2, b = Value(0.3), Value(-0.8), Value(0.1)
        z = b + w1 * 0.5 + w2 * -1.5
        return z.tanh() * z.relu() + w1 * w2, (w1, w2, b, z)

    return [("e = (a·(-b))² - a·(-b)", seed), ("s + 2s with s = a·a, a = 1.5x - 0.3", square),
            ("two branches of different lengths", uneven), ("a neuron with shared z", neuron)]


def _reference_grads(build):
    root, nodes = build()
    root.backward()
    return [n.grad for n in nodes]


#: the notebook's own walks, which an answer to Exercise 4 may not hand the work to
_NOTEBOOK_WALKS = ("backward", "topological_order", "topological_order_recursive", "zero_grad",
                   "backward_without_reset", "backward_all_paths", "backward_push_then_recurse")


def _run_counting(function, root):
    """The learner's backward_by_counting on ``root``, refusing a hand-over to a sorted order:
    the notebook's backward or topological_order (the learner's own or the reference),
    the package's graph_order."""
    from ..plots import graph_order
    extra = _notebook_functions(function, _NOTEBOOK_WALKS)
    for name in ("backward", "topological_order"):
        extra.update(dict.fromkeys(_codes(BUILD_UP[name]), f"the notebook's reference {name}"))
    extra.update(dict.fromkeys(_codes(graph_order), "the package's graph_order"))
    watch = _Watch(extra=extra, paths=False)
    try:
        with watch:
            return function(root)
    except RecursionError as error:
        watch.refuse(_SORTED_HINT)
        raise learner_error(error, "a recursive walk is limited by Python's recursion depth: keep your own "
                                   "stack (a list) of nodes to visit") from None
    except BaseException:
        watch.refuse(_SORTED_HINT)
        raise
    finally:
        watch.refuse(_SORTED_HINT)


_SORTED_HINT = ("this exercise does without a sorted order: count each node's uses, and pass a node's "
                "gradient on once its count reaches 0")


@exercise(callable_answer=True, references=(Value.backward, Value.topological_order, Value.zero_grad))
def check_backward_by_counting(function):
    """Exercise 04.4: ``backward_by_counting(root)`` sets every .grad by counting uses."""
    given = getattr(_unwrapped(function), "__name__", "")
    if given in _NOTEBOOK_WALKS:
        raise WrongAnswer(f"that is the notebook's {given}, which walks a sorted order: {_SORTED_HINT}")
    for name, build in _counting_graphs():
        expected = _reference_grads(build)
        root, nodes = build()
        _run_counting(function, root)
        got = [n.grad for n in nodes]
        if root.grad != 1.0 and all(g == 0.0 for g in got):
            raise WrongAnswer(f"in {name}, no gradient moved: seed the root with root.grad = 1 (it is "
                         f"∂root/∂root) and pass gradients down from there")
        if not np.allclose(got, expected, rtol=1e-12, atol=1e-12):
            raise WrongAnswer(f"wrong gradients in {name}: every use adds its share to a node's .grad (+=, "
                         f"never =), and a node passes its gradient down only once all its uses have "
                         f"given theirs (its count of pending uses reaches 0), and exactly once")
    a, top = _doubling(40)
    _run_counting(function, top)
    if a.grad != 2.0 ** 40:
        raise WrongAnswer("wrong on the doubling graph b = a + a, c = b + b, ... (40 levels, ∂/∂a = 2⁴⁰): "
                     "when you count uses, expand each node only once (a visited set), or the count "
                     "walk follows every path")
    depth = 3 * sys.getrecursionlimit() + 1000
    x = Value(1.0)
    y = x
    for _ in range(depth):
        y = y * 1.0001 + 0.0
    _run_counting(function, y)
    if not math.isclose(x.grad, 1.0001 ** depth, rel_tol=1e-9):
        raise WrongAnswer(f"wrong on a chain {depth:,} operations deep: every node there has one use")
    # a second pass: leaves accumulate, intermediate nodes hold this pass only
    for name, build in _counting_graphs()[:2]:
        expected = _reference_grads(build)
        root, nodes = build()
        _run_counting(function, root)
        _run_counting(function, root)
        got = [n.grad for n in nodes]
        want = [2 * g if not n.inputs else g for g, n in zip(expected, nodes)]
        if not np.allclose(got, want, rtol=1e-12, atol=1e-12):
            raise WrongAnswer(f"a single backward is right, but after a second call on {name} the gradients "
                         f"are off: reset the intermediate nodes (those with inputs) to 0 before a pass, "
                         f"and let leaves accumulate (+=), as Value.backward does")
