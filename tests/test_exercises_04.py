"""Notebook 04's exercise checkers: the worked solution passes, each typical mistake gets its
hint, stubs count as not attempted, and the package's own machinery is refused."""
import sys

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


def test_divide_solution_and_a_product_with_a_power_pass():
    assert ex.judge("divide", solutions("04").divide).passed
    assert ex.judge("divide", divide_with("none")).passed
    assert ex.judge("divide", lambda a, b: a * b ** -1).passed          # built from existing operations


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
