"""Notebook 04's exercise checkers: the worked solution passes, each typical mistake gets its
hint, stubs count as not attempted, and the package's own machinery is refused."""
import inspect
import sys
import types

import numpy as np
import pytest

from backprop_helpers import exercises as ex
from backprop_helpers.scalar import Value
from exercise_support import assert_hint, solutions


def not_attempted(*_):
    raise NotImplementedError("your code here")


# --------------------------------------------------------------------- Exercise 1: prediction

def run_the_program():
    """The program of the exercise's prompt, run on Value (a third route to the truth)."""
    x, y = Value(3.0), Value(-2.0)
    u = x * y
    first = u + x
    first.backward()
    second = u * u
    second.backward()
    return x.grad, y.grad, u.grad


def test_accumulation_prediction_right_answers_pass_in_any_number_type():
    solution = solutions("04").accumulation_prediction
    assert solution == run_the_program() == (23.0, -33.0, -12.0)
    for answer in (solution, list(solution), (23, -33, -12), np.array(solution)):
        assert ex.judge("accumulation_prediction", answer).passed


@pytest.mark.parametrize("answer, fragments", [
    ((-1.0, 3.0, 1.0), ["after the first backward() only"]),
    ((24.0, -36.0, -12.0), ["only the second pass", "leaves accumulate"]),
    ((21.0, -30.0, -11.0), ["never resets intermediate", "micrograd"]),
    ((23.0, -33.0, -11.0), ["x.grad and y.grad are right", "latest pass only"]),
    ((11.0, -15.0, -6.0), ["used twice", "add"]),
    ((-23.0, 33.0, 12.0), ["sign"]),
    ((20.0, -30.0, -10.0), ["largest difference"]),
])
def test_accumulation_prediction_typical_mistakes_get_their_hints(answer, fragments):
    verdict = assert_hint("accumulation_prediction", answer, *fragments)
    assert "23" not in verdict.message and "-33" not in verdict.message   # never the answer


@pytest.mark.parametrize("answer", ["23, -33, -12", (23.0, -33.0), {"x": 23.0}, (23.0, "a", 1.0),
                                    (True, 1.0, 2.0), run_the_program])
def test_accumulation_prediction_must_be_three_numbers(answer):
    assert_hint("accumulation_prediction", answer, "number")


def test_accumulation_prediction_untouched_is_not_attempted():
    assert ex.judge("accumulation_prediction", None).status == ex.NOT_ATTEMPTED


# --------------------------------------------------------------------- Exercise 2: division

def divide_with(mistake):
    """A divide with one typical mistake built in."""
    def divide(a, b):
        x, y = a.data, b.data
        local = {"none": (1 / y, -x / y ** 2), "sign": (1 / y, x / y ** 2), "missing a": (1 / y, -1 / y ** 2),
                 "power slip": (1 / y, -x / y), "swapped": (-x / y ** 2, 1 / y), "product rule": (y, x),
                 "one over a": (1 / x, -x / y ** 2), "zero for b": (1 / y, 0.0)}.get(mistake)
        if mistake == "new leaf":
            return Value(x / y)
        if mistake == "one input":
            return Value.from_op(x / y, inputs=(a,), local=(1 / y,), op="/")
        if mistake == "wrong value":
            return Value.from_op(y / x, inputs=(a, b), local=(1 / y, -x / y ** 2), op="/")
        if mistake == "package":
            return a / b
        if mistake == "float":
            return x / y
        if mistake == "touches grad":
            a.grad += 1 / y
            return Value.from_op(x / y, inputs=(a, b), local=(1 / y, -x / y ** 2), op="/")
        if mistake == "in place":
            a.data = x / y
            return a
        return Value.from_op(x / y, inputs=(a, b), local=local, op="/")
    return divide


def test_divide_solution_passes():
    assert ex.judge("divide", solutions("04").divide).passed
    assert ex.judge("divide", divide_with("none")).passed


def test_divide_solution_matches_central_differences_on_a_graph():
    divide = solutions("04").divide
    x, y = Value(1.3), Value(-0.6)
    divide(divide(x, y) * x, y + 2).backward()
    f = lambda u, v: (u / v) * u / (v + 2)
    h = 1e-6
    assert x.grad == pytest.approx((f(1.3 + h, -0.6) - f(1.3 - h, -0.6)) / (2 * h), rel=1e-7)
    assert y.grad == pytest.approx((f(1.3, -0.6 + h) - f(1.3, -0.6 - h)) / (2 * h), rel=1e-7)


@pytest.mark.parametrize("mistake, fragments", [
    ("sign", ["sign of ∂(a/b)/∂b"]),
    ("missing a", ["missing a factor"]),
    ("power slip", ["-b⁻²"]),
    ("swapped", ["wrong order"]),
    ("product rule", ["multiplication's rule"]),
    ("one over a", ["treat b as a constant"]),
    ("zero for b", ["no gradient reaches b"]),
    ("new leaf", ["does not remember its inputs", "Value.from_op"]),
    ("one input", ["only a gets a gradient"]),
    ("wrong value", ["value is wrong", "b / a"]),
    ("package", ["package's Value.__truediv__"]),
    ("float", ["should return a Value"]),
    ("touches grad", ["changed a.grad"]),
    ("in place", ["changed an input's .data"]),
])
def test_divide_typical_mistakes_get_their_hints(mistake, fragments):
    assert_hint("divide", divide_with(mistake), *fragments)


def test_divide_leaves_the_package_division_working_and_reports_exceptions():
    assert_hint("divide", divide_with("package"), "package's Value.__truediv__", "write your own")
    assert (Value(6.0) / Value(3.0)).data == 2.0 and (1 / Value(4.0)).data == 0.25     # restored
    assert_hint("divide", lambda a, b: a.value, "your code raised AttributeError")
    assert ex.judge("divide", not_attempted).status == ex.NOT_ATTEMPTED
    assert_hint("divide", 2.0, "pass your function itself")


# --------------------------------------------------------------------- Exercise 3: micro-batches

def step_with(mistake):
    """An accumulated_step with one typical mistake built in."""
    def accumulated_step(model, loss_functions, learning_rate):
        parameters = model.parameters()
        k = len(loss_functions)
        if mistake != "no zero":
            for p in parameters:
                p.grad = 0.0
        if mistake == "one graph":
            total = sum(f() for f in loss_functions) * (1 / k)
            total.backward()
            for p in parameters:
                p.data -= learning_rate * p.grad
            return total.data
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
                    p.data -= learning_rate * p.grad / k
                    p.grad = 0.0
        if mistake != "step each":
            scale = {"sum": 1.0, "ascent": -1 / k}.get(mistake, 1 / k)
            for p in parameters:
                p.data -= learning_rate * scale * p.grad
        if mistake == "returns sum":
            return sum(losses)
        if mistake == "returns nothing":
            return None
        if mistake == "returns value":
            return Value(sum(losses) / k)
        return sum(losses) / k
    return accumulated_step


def test_accumulated_step_solution_passes():
    solution = solutions("04").accumulated_step
    assert ex.judge("accumulated_step", solution).passed
    assert ex.judge("accumulated_step", step_with("none")).passed
    assert ex.judge("accumulated_step", step_with("returns value")).passed     # a Value of the mean: fine


@pytest.mark.parametrize("mistake, fragments", [
    ("zero each", ["zeroed the gradients before every micro-batch"]),
    ("no zero", ["stale gradients"]),
    ("sum", ["3 times too large"]),
    ("step each", ["stepped after each micro-batch"]),
    ("ascent", ["wrong step sign"]),
    ("one graph", ["backward() ran 1 time(s) for 3 micro-batches"]),
    ("returns sum", ["not the mean", "their sum"]),
    ("returns nothing", ["return the mean"]),
])
def test_accumulated_step_typical_mistakes_get_their_hints(mistake, fragments):
    assert_hint("accumulated_step", step_with(mistake), *fragments)


def test_accumulated_step_restores_backward_and_reports_exceptions():
    original = Value.backward
    assert_hint("accumulated_step", lambda m, fs, r: fs[0]().nothing, "your code raised AttributeError")
    assert Value.backward is original
    assert_hint("accumulated_step", lambda m, fs, r: None, "never moved")
    assert ex.judge("accumulated_step", not_attempted).status == ex.NOT_ATTEMPTED


# --------------------------------------------------------------------- Exercise 4: counting uses

def counting_with(mistake):
    """A backward_by_counting with one typical mistake built in."""
    def backward_by_counting(root):
        if mistake == "package":
            return root.backward()
        if mistake == "order":
            order = root.topological_order()
            for node in order:
                if node.inputs:
                    node.grad = 0.0
            root.grad += 1.0
            for node in reversed(order):
                for inp, local in zip(node.inputs, node.local):
                    inp.grad += local * node.grad
            return
        if mistake == "recursive":
            order, seen = [], set()

            def visit(node):
                if node not in seen:
                    seen.add(node)
                    for inp in node.inputs:
                        visit(inp)
                    order.append(node)
            visit(root)
            for node in order:
                if node.inputs:
                    node.grad = 0.0
            root.grad += 1.0
            for node in reversed(order):
                for inp, local in zip(node.inputs, node.local):
                    inp.grad += local * node.grad
            return
        uses, stack, seen = {}, [root], {root}
        while stack:
            node = stack.pop()
            for inp in node.inputs:
                uses[inp] = uses.get(inp, 0) + 1
                if inp not in seen:
                    seen.add(inp)
                    stack.append(inp)
        for node in seen:
            if node.inputs and mistake != "no reset":
                node.grad = 0.0
        root.grad += 1.0
        ready = [root]
        done = set()
        while ready:
            node = ready.pop()
            if mistake == "eager" and node in done:
                continue
            done.add(node)
            for inp, local in zip(node.inputs, node.local):
                if mistake == "assign":
                    inp.grad = local * node.grad
                else:
                    inp.grad += local * node.grad
                uses[inp] -= 1
                if mistake == "eager" or uses[inp] == 0:
                    ready.append(inp)
    return backward_by_counting


def test_backward_by_counting_solution_passes_and_agrees_with_value_backward():
    solution = solutions("04").backward_by_counting
    assert ex.judge("backward_by_counting", solution).passed
    assert ex.judge("backward_by_counting", counting_with("none")).passed
    a, b = Value(0.7), Value(-1.1)
    c = (a * b).tanh()
    out = c * c + a * 3 - (b - a).relu()
    solution(out)
    got = (a.grad, b.grad, c.grad)
    out.zero_grad()
    out.backward()
    assert got == pytest.approx((a.grad, b.grad, c.grad), rel=1e-14)


@pytest.mark.parametrize("mistake, fragments", [
    ("package", ["package's Value.backward"]),
    ("order", ["package's Value.topological_order"]),
    ("recursive", ["RecursionError", "keep your own stack"]),
    ("assign", ["+=, never ="]),
    ("no reset", ["after a second call", "reset the intermediate nodes"]),
    ("eager", ["pending uses reaches 0"]),
])
def test_backward_by_counting_typical_mistakes_get_their_hints(mistake, fragments):
    limit = sys.getrecursionlimit()
    assert_hint("backward_by_counting", counting_with(mistake), *fragments)
    assert sys.getrecursionlimit() == limit


def test_backward_by_counting_restores_the_package_and_reports_exceptions():
    saved = Value.backward, Value.topological_order, Value.zero_grad
    assert_hint("backward_by_counting", counting_with("package"), "write your own")
    assert (Value.backward, Value.topological_order, Value.zero_grad) == saved
    assert_hint("backward_by_counting", lambda root: root.nothing, "your code raised AttributeError")
    assert_hint("backward_by_counting", lambda root: None, "no gradient moved")
    assert ex.judge("backward_by_counting", not_attempted).status == ex.NOT_ATTEMPTED


def test_a_learner_loop_that_never_ends_is_stopped_and_the_package_is_restored(monkeypatch):
    from backprop_helpers.exercises import core
    monkeypatch.setattr(core, "TIME_LIMIT", 0.5)
    backward = Value.backward

    def forever(*args):
        while True:
            pass
    for name in ("backward_by_counting", "accumulated_step", "divide"):
        assert_hint(name, forever, "took longer than 0.5 s")
    assert Value.backward is backward
    x = Value(2.0)
    (x * x).backward()
    assert x.grad == 4.0


# ===================================================================== the build-up

BUILD_UP = ("add", "mul", "topological_order", "backward", "power", "tanh", "neuron")


class Scalar:
    """A learner's Scalar with only what section 1 gives it: the answers below build on it."""

    def __init__(self, data, inputs=(), local=(), op="", label=""):
        self.data, self.grad, self.inputs, self.local, self.op, self.label = float(data), 0.0, inputs, local, op, label


@pytest.mark.parametrize("name", BUILD_UP)
def test_build_up_solutions_pass_and_stubs_are_not_attempted(name):
    assert ex.judge(name, getattr(solutions("04"), name)).passed
    assert ex.judge(name, not_attempted).status == ex.NOT_ATTEMPTED


def test_the_build_up_runs_in_the_notebooks_order_with_a_reference_for_each():
    assert tuple(ex.BUILD_UP) == BUILD_UP
    assert all(ex.REGISTRY[name].notebook == "04" for name in BUILD_UP)


@pytest.mark.parametrize("name", BUILD_UP)
def test_yours_or_reference_keeps_a_correct_answer_and_replaces_a_missing_one(name, capsys):
    solution = getattr(solutions("04"), name)
    assert ex.yours_or_reference(name, solution) is solution
    assert capsys.readouterr().out == f"from here on the notebook uses your {name}\n"
    assert ex.yours_or_reference(name, not_attempted) is ex.BUILD_UP[name]
    assert capsys.readouterr().out == (f"the notebook goes on with its reference {name} "
                                       f"(yours is not attempted yet)\n")
    assert ex.yours_or_reference(name, lambda *args: None) is ex.BUILD_UP[name]
    assert "until yours is correct" in capsys.readouterr().out
    assert ex.references_among([solution, ex.BUILD_UP["add"]]) == ["add"]
    with pytest.raises(ValueError, match="no build-up exercise named 'divide'"):
        ex.yours_or_reference("divide", solution)


def test_the_references_are_right_by_central_differences_on_the_learners_class():
    refs = ex.BUILD_UP
    a, b = Scalar(0.7), Scalar(-1.3)
    out = refs["tanh"](refs["add"](refs["power"](refs["mul"](a, b), 3), a))
    refs["backward"](out)

    def f(x, y):
        return np.tanh((x * y) ** 3 + x)
    h = 1e-6
    assert a.grad == pytest.approx((f(0.7 + h, -1.3) - f(0.7 - h, -1.3)) / (2 * h), rel=1e-7)
    assert b.grad == pytest.approx((f(0.7, -1.3 + h) - f(0.7, -1.3 - h)) / (2 * h), rel=1e-7)
    assert type(out) is Scalar and out.data == pytest.approx(f(0.7, -1.3), rel=1e-15)


# --------------------------------------------------------------------- the operations

def operation(rule, op="+", arity=2):
    """A learner's operation with local derivatives ``rule(x, y)`` (or ``rule(x, n)``)."""
    if arity == 1:
        return lambda x: Scalar(rule(x.data)[0], (x,), (rule(x.data)[1],), op)
    return lambda x, y: Scalar(rule(x.data, y.data)[0], (x, y), rule(x.data, y.data)[1], op)


@pytest.mark.parametrize("name, answer, fragments", [
    ("add", operation(lambda x, y: (x + y, (y, x))), ["product's rule"]),
    ("add", operation(lambda x, y: (x + y, (0.0, 0.0))), ["does not depend on x"]),
    ("add", operation(lambda x, y: (x - y, (1.0, 1.0))), ["add's data is wrong"]),
    ("add", operation(lambda x, y: (x + y, (1.0,))), ["one local derivative per input"]),
    ("add", operation(lambda x, y: (x + y, (1.0, 1.0)), op=""), ["op should name the operation"]),
    ("add", lambda x, y: Scalar(x.data + y.data, (Scalar(x.data), Scalar(y.data)), (1.0, 1.0), "+"),
     ["no gradient would reach"]),
    ("add", lambda x, y: Scalar(x.data + y.data, (y, x), (1.0, 1.0), "+"), ["in order"]),
    ("add", lambda x, y: x.data + y.data, ["should return a new Scalar", "float"]),
    ("add", lambda x, y: x, ["returned one of its inputs"]),
    ("mul", operation(lambda x, y: (x * y, (x, y)), op="*"), ["swapped", "the other factor"]),
    ("mul", operation(lambda x, y: (x * y, (1.0, 1.0)), op="*"), ["sum's rule"]),
    ("mul", operation(lambda x, y: (x * y, (x * y, x * y)), op="*"), ["the product itself"]),
    ("power", lambda x, n: Scalar(x.data ** n, (x,), (x.data ** (n - 1),), "**"), ["factor n is missing"]),
    ("power", lambda x, n: Scalar(x.data ** n, (x,), (n * x.data ** n,), "**"), ["one power too many"]),
    ("power", lambda x, n: Scalar(x.data ** n, (x,), (n * x.data ** (n + 1),), "**"), ["goes down by one"]),
    ("tanh", operation(lambda x: (np.tanh(x), 1 - x ** 2), "tanh", 1), ["not of x"]),
    ("tanh", operation(lambda x: (np.tanh(x), 1 - np.tanh(x)), "tanh", 1), ["output is squared"]),
    ("tanh", operation(lambda x: (np.tanh(x), np.tanh(x) * (1 - np.tanh(x))), "tanh", 1), ["sigmoid's slope"]),
    ("tanh", operation(lambda x: ((np.e ** (2 * x) - 1) / (np.e ** (2 * x) + 1), 0.0), "tanh", 1),
     ["OverflowError", "math.tanh never overflows"]),
])
def test_operations_typical_mistakes_get_their_hints(name, answer, fragments):
    assert_hint(name, answer, *fragments)


def test_an_operation_that_touches_its_inputs_is_refused():
    def add(x, y):
        x.grad += 1.0
        return Scalar(x.data + y.data, (x, y), (1.0, 1.0), "+")
    assert_hint("add", add, "changed an input's .data or .grad")


def test_the_checkers_nodes_have_no_operations_to_lean_on():
    assert_hint("add", lambda x, y: x + y, "no operations of their own", "from the inputs' .data")
    assert_hint("mul", lambda x, y: x * y, "no operations of their own")


# --------------------------------------------------------------------- the order

def order_with(mistake):
    """A learner's topological_order with one typical mistake built in."""
    def topological_order(root):
        if mistake == "recursive":
            order, seen = [], set()

            def visit(node):
                if node not in seen:
                    seen.add(node)
                    for inp in node.inputs:
                        visit(inp)
                    order.append(node)
            visit(root)
            return order
        order, visited, stack = [], set(), [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif mistake == "no visited set" or node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((inp, False) for inp in node.inputs)
        if mistake == "root first":
            return order[::-1]
        if mistake == "leaves missing":
            return [n for n in order if n.inputs]
        if mistake == "preorder":
            return [root] + [n for n in order if n is not root]
        return order
    return topological_order


def flagged_order(root):
    """Marks visited nodes on the nodes themselves (the stale-flag bug)."""
    order, stack = [], [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif not getattr(node, "done", False):
            node.done = True
            stack.append((node, True))
            stack.extend((inp, False) for inp in node.inputs)
    return order


@pytest.mark.parametrize("mistake, fragments", [
    ("recursive", ["nested", "keep your own stack"]),
    ("no visited set", ["more than once", "visited set"]),
    ("root first", ["wrong way round"]),
    ("leaves missing", ["leaves and the root too"]),
    ("preorder", ["before one of its inputs"]),
])
def test_topological_order_typical_mistakes_get_their_hints(mistake, fragments):
    assert ex.judge("topological_order", order_with("none")).passed
    assert_hint("topological_order", order_with(mistake), *fragments)


def test_topological_order_with_flags_on_the_nodes_or_a_shared_set_is_refused():
    assert_hint("topological_order", flagged_order, "keep a visited set inside your function")
    visited = set()

    def shared_set(root):
        order, stack = [], [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((inp, False) for inp in node.inputs)
        return order
    assert_hint("topological_order", shared_set, "a fresh one per call")


def test_a_walk_over_every_path_is_told_so():
    def every_path(root):      # no visited set, and duplicates dropped at the end
        order, stack = [], [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                if node not in order:
                    order.append(node)
            else:
                stack.append((node, True))
                stack.extend((inp, False) for inp in node.inputs)
        return order
    assert_hint("topological_order", every_path, "follows every")


# --------------------------------------------------------------------- backward

def backward_with(mistake):
    """A learner's backward (on the solution's topological_order) with one mistake built in."""
    order_of = solutions("04").topological_order

    def backward(root):
        order = order_of(root)
        for node in order:
            if (node.inputs and mistake != "no reset") or mistake == "reset leaves":
                node.grad = 0.0
        if mistake != "no seed":
            root.grad += 1.0
        for node in (order if mistake == "forward order" else reversed(order)):
            for inp, local in zip(node.inputs, node.local):
                if mistake == "assign":
                    inp.grad = local * node.grad
                else:
                    inp.grad += local * node.grad
    return backward


def backward_all_paths(root):
    def down(node, upstream):
        node.grad += upstream
        for inp, local in zip(node.inputs, node.local):
            down(inp, upstream * local)
    for node in solutions("04").topological_order(root):
        if node.inputs:
            node.grad = 0.0
    down(root, 1.0)


@pytest.mark.parametrize("mistake, fragments", [
    ("no seed", ["no gradient moved", "seed the root"]),
    ("assign", ["never ="]),
    ("forward order", ["walk the order reversed"]),
    ("reset leaves", ["leaves lost what they held"]),
    ("no reset", ["a second call is not", "Reset every intermediate node"]),
])
def test_backward_typical_mistakes_get_their_hints(mistake, fragments):
    assert ex.judge("backward", backward_with("none")).passed
    assert_hint("backward", backward_with(mistake), *fragments)


def test_backward_over_every_path_is_told_so():
    assert_hint("backward", backward_all_paths, "follows every path")


# --------------------------------------------------------------------- the neuron

def neuron_with(mistake):
    def neuron(w, b, x, phi):
        z = 0.0 if mistake == "no bias" else b
        for w_k, x_k in zip(w, x):
            term = w_k * x_k
            z = z + (getattr(term, phi)() if mistake == "phi per term" and phi != "identity" else term)
        if mistake in ("no phi", "phi per term") or phi == "identity":
            return z
        return getattr(z, phi)()
    return neuron


@pytest.mark.parametrize("mistake, fragments", [
    ("no bias", ["bias b is missing"]),
    ("no phi", ["φ is missing"]),
    ("phi per term", ["not on each term"]),
])
def test_neuron_typical_mistakes_get_their_hints(mistake, fragments):
    assert ex.judge("neuron", neuron_with("none")).passed
    assert_hint("neuron", neuron_with(mistake), *fragments)


def test_a_neuron_made_of_plain_numbers_has_no_gradients():
    import math

    def floats(w, b, x, phi):
        z = b.data + sum(wk.data * (xk.data if hasattr(xk, "data") else xk) for wk, xk in zip(w, x))
        value = {"tanh": math.tanh, "relu": lambda v: max(v, 0.0), "identity": lambda v: v}[phi](z)
        return type(b)(value)
    assert_hint("neuron", floats, "gradients of the weights are not")
    assert_hint("neuron", lambda w, b, x, phi: 0.5, "should return a node")


# --------------------------------------------------------------------- cheats: not yet, each

def test_build_up_refuses_the_package_value():
    from backprop_helpers.scalar import Value as V
    assert_hint("add", lambda x, y: V(x.data) + V(y.data), "calls the package's", "backprop_helpers.scalar")

    def mul_by_value(x, y):
        a, b = V(x.data), V(y.data)
        out = a * b
        out.backward()
        return Scalar(out.data, (x, y), (a.grad, b.grad), "*")
    assert_hint("mul", mul_by_value, "calls the package's", "write this piece yourself")

    def tanh_by_value(x):
        v = V(x.data)
        t = v.tanh()
        t.backward()
        return Scalar(t.data, (x,), (v.grad,), "tanh")
    assert_hint("tanh", tanh_by_value, "backprop_helpers.scalar")
    assert_hint("topological_order", lambda root: V.topological_order(root), "backprop_helpers.scalar")
    assert_hint("backward", lambda root: V.backward(root), "backprop_helpers.scalar")


def test_build_up_refuses_the_package_nn_and_figures():
    from backprop_helpers import nn
    from backprop_helpers.plots import graph_order
    assert_hint("topological_order", graph_order, "graph_order", "backprop_helpers.plots.nb04_scalar")
    assert_hint("topological_order", lambda root: list(graph_order(root)), "graph_order")

    def neuron_from_nn(w, b, x, phi):
        unit = nn.Neuron(len(w), phi)
        return unit(x)
    assert_hint("neuron", neuron_from_nn, "backprop_helpers.nn")


@pytest.mark.parametrize("name", BUILD_UP)
def test_build_up_refuses_the_checkers_own_references_passed_or_called(name):
    reference = ex.BUILD_UP[name]
    assert_hint(name, reference, f"that is the package's function _reference_{name}")
    assert_hint(name, lambda *args: reference(*args), f"calls the package's _reference_{name}")
    copied = types.FunctionType(reference.__code__, reference.__globals__)   # the same code, another object
    assert_hint(name, copied, "write your own")


def test_build_up_refuses_the_checkers_private_helpers():
    from backprop_helpers.exercises import nb04_scalar
    assert_hint("topological_order", lambda root: nb04_scalar._nodes(root), "_nodes")
    assert_hint("backward", lambda root: nb04_scalar._reference_backward(root), "_reference_backward")


def test_build_up_refuses_an_outside_autograd():
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp

    def tanh_by_autograd(x):
        return Scalar(float(anp.tanh(x.data)), (x,), (float(autograd.grad(anp.tanh)(x.data)),), "tanh")
    assert_hint("tanh", tanh_by_autograd, "outside package autograd")

    def mul_by_autograd(x, y):
        slope = autograd.grad(lambda a, b: a * b, argnum=(0, 1))(x.data, y.data)
        return Scalar(x.data * y.data, (x, y), tuple(float(s) for s in slope), "*")
    assert_hint("mul", mul_by_autograd, "outside package autograd")


def test_build_up_refuses_the_notebooks_recursive_order_even_with_a_raised_limit():
    namespace = {}
    exec('''
import inspect
import sys
def topological_order_recursive(root):
    order, visited = [], set()
    def visit(node):
        if node in visited:
            return
        visited.add(node)
        for inp in node.inputs:
            visit(inp)
        order.append(node)
    visit(root)
    return order

def topological_order(root):
    return topological_order_recursive(root)

def backward(root):
    order = topological_order_recursive(root)
    for node in order:
        if node.inputs:
            node.grad = 0.0
    root.grad += 1.0
    for node in reversed(order):
        for inp, local in zip(node.inputs, node.local):
            inp.grad += local * node.grad
''', namespace)
    assert_hint("topological_order", namespace["topological_order"], "the notebook's topological_order_recursive")
    assert_hint("topological_order", namespace["topological_order_recursive"], "nested")
    assert_hint("backward", namespace["backward"], "the notebook's topological_order_recursive")


def test_a_later_piece_may_use_the_reference_of_an_earlier_one():
    """Where the learner's order is missing, the notebook's topological_order is the reference,
    and the learner's backward calls it: that is allowed; the reverse is not."""
    namespace = {"topological_order": ex.BUILD_UP["topological_order"]}
    exec(inspect.getsource(solutions("04").backward), namespace)
    assert ex.judge("backward", namespace["backward"]).passed
    namespace = {"backward": ex.BUILD_UP["backward"]}
    exec("def topological_order(root):\n    backward(root)\n    return []\n", namespace)
    assert_hint("topological_order", namespace["topological_order"], "_reference_backward")


def test_two_exercises_cannot_share_a_name():
    from backprop_helpers.exercises import core

    def check_add(answer):
        pass
    check_add.__module__ = "backprop_helpers.exercises.nb05_tensor"
    with pytest.raises(ValueError, match="two exercises are named 'add'"):
        core.exercise(check_add)
    assert ex.REGISTRY["add"].notebook == "04"


# --------------------------------------------------------------------- Exercises 2 and 4: the review's cheats

def test_divide_refuses_a_product_with_a_power_and_a_wrong_op():
    assert_hint("divide", lambda a, b: a * b ** -1, "build one node from a and b themselves")

    def wrong_op(a, b):
        return Value.from_op(a.data / b.data, inputs=(a, b), local=(1 / b.data, -a.data / b.data ** 2), op="div")
    assert_hint("divide", wrong_op, "op='/'")


def notebook_namespace():
    """The notebook's walks as a learner's namespace holds them: section 2's recursive order,
    a sorted backward written as build-up 4 asks (on the solutions' order)."""
    namespace = {}
    for name in ("topological_order", "backward"):
        exec(inspect.getsource(getattr(solutions("04"), name)), namespace)
    return namespace


def test_backward_by_counting_refuses_the_notebooks_own_sorted_backward():
    namespace = notebook_namespace()
    assert_hint("backward_by_counting", namespace["backward"], "that is the notebook's backward",
                "count each node's uses")
    exec("def backward_by_counting(root):\n    backward(root)\n", namespace)
    assert_hint("backward_by_counting", namespace["backward_by_counting"], "the notebook's backward")
    exec("def backward_by_counting(root):\n"
         "    order = topological_order(root)\n"
         "    for node in order:\n"
         "        if node.inputs:\n"
         "            node.grad = 0.0\n"
         "    root.grad += 1.0\n"
         "    for node in reversed(order):\n"
         "        for inp, local in zip(node.inputs, node.local):\n"
         "            inp.grad += local * node.grad\n", namespace)
    assert_hint("backward_by_counting", namespace["backward_by_counting"], "the notebook's topological_order")


def test_backward_by_counting_refuses_the_notebooks_references_and_graph_order():
    from backprop_helpers.plots import graph_order
    assert_hint("backward_by_counting", ex.BUILD_UP["backward"], "the notebook's reference backward")

    def sorted_by_figures(root):
        order = graph_order(root)
        for node in order:
            if node.inputs:
                node.grad = 0.0
        root.grad += 1.0
        for node in reversed(order):
            for inp, local in zip(node.inputs, node.local):
                inp.grad += local * node.grad
    assert_hint("backward_by_counting", sorted_by_figures, "the package's graph_order")
    assert ex.judge("backward_by_counting", solutions("04").backward_by_counting).passed


@pytest.mark.parametrize("answer, fragments", [
    ((22.0, -33.0, -12.0), ["y.grad and u.grad are right; x.grad is off"]),
    ((23.0, -30.0, -10.0), ["x.grad is right; y.grad and u.grad are off"]),
])
def test_accumulation_prediction_says_which_number_is_off(answer, fragments):
    verdict = assert_hint("accumulation_prediction", answer, *fragments)
    assert "23" not in verdict.message and "-33" not in verdict.message and "-12" not in verdict.message
