"""Every exercise checker: the worked solution passes, typical mistakes get the right hint,
stubs count as not attempted, and a learner's exception is reported, never raised."""
import importlib.util
import inspect
import math
from collections import Counter
from pathlib import Path

import autograd
import autograd.numpy as anp
import nbformat
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop_helpers import exercises as ex
from backprop_helpers import naive
from backprop_helpers.activations import log_softmax, sigmoid_prime, softmax, softmax_jacobian
from backprop_helpers.gradcheck import numerical_gradient
from backprop_helpers.losses import cross_entropy, cross_entropy_gradient
from backprop_helpers.network import Network
from backprop_helpers.nn import MLP, train
from backprop_helpers.run_notebooks import grade_notebook
from backprop_helpers.scalar import Value
from backprop_helpers.tensor import Node

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOLUTIONS = NOTEBOOKS / "solutions"


def solutions(number):
    spec = importlib.util.spec_from_file_location(f"solutions_{number}", SOLUTIONS / f"solutions_{number}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grade_filled(tmp_path, notebook_name, fills):
    """An instructor's run of ``grade-exercises`` on a learner's copy of a course notebook.

    The copy keeps the title, the imports and the exercise section; ``fills`` maps the start of
    a stub cell to what the learner wrote there (each must match exactly one cell).
    """
    notebook = nbformat.read(NOTEBOOKS / notebook_name, as_version=4)
    start = next(i for i, cell in enumerate(notebook.cells) if cell.source.startswith("## Exercises"))
    notebook.cells = notebook.cells[:2] + notebook.cells[start:]
    for prefix, source in fills.items():
        stubs = [cell for cell in notebook.cells if cell.source.startswith(prefix)]
        assert len(stubs) == 1, f"{notebook_name}: {len(stubs)} cells start with {prefix!r}"
        stubs[0].source = source
    path = tmp_path / "student.ipynb"
    nbformat.write(notebook, path)
    return grade_notebook(path)


def assert_hint(exercise, answer, *fragments):
    verdict = ex.judge(exercise, answer)
    assert verdict.status == ex.WRONG, verdict
    for fragment in fragments:
        assert fragment in verdict.message, verdict.message
    return verdict


def test_checkers_print_one_line_and_return_nothing(capsys):
    assert ex.check_bp4_batch(solutions("02").bp4_batch) is None
    assert capsys.readouterr().out == "[bp4_batch] correct\n"
    ex.check_bp4_batch(lambda d, a: a @ d.T)
    out = capsys.readouterr().out
    assert out.startswith("[bp4_batch] not yet: ") and out.count("\n") == 1


def untouched_stub(delta, a_prev):
    raise NotImplementedError("your code here")


@pytest.mark.parametrize("stub", [None, ..., untouched_stub])
def test_stubs_are_not_attempted(stub):
    assert ex.judge("bp4_batch", stub).status == ex.NOT_ATTEMPTED
    assert ex.judge("delta2_by_hand", None).line() == "[delta2_by_hand] not attempted yet"


def test_a_learner_exception_is_reported_not_raised():
    def broken(delta, a_prev):
        return delta @ a_prev  # shapes don't fit
    assert_hint("bp4_batch", broken, "your code raised ValueError", "delta @ a_prev")


# --------------------------------------------------------------------------- notebook 01
def calls_by_recurrence(sizes, own_requests):
    """Total naive evaluations, each neuron of layer l asked own_requests(n_{l-1}) times by its
    own parameters plus once per evaluation of each neuron of layer l - 1 (the notebook's recurrence)."""
    total, previous = 0, 0
    for l in range(1, len(sizes)):
        previous = own_requests(sizes[l - 1]) + sizes[l - 1] * previous
        total += sizes[l] * previous
    return total


def test_naive_calls_solution_passes_and_equals_the_measured_counter():

    solution = solutions("01")
    assert ex.judge("naive_calls_by_hand", solution.my_naive_calls).passed
    sizes = ex.NAIVE_CALLS_EXERCISE_SIZES
    assert sizes == [3, 2, 4, 1]  # the architecture the notebook states
    net = Network.random(sizes, seed=5)
    counted = naive.naive_gradients(net, np.zeros((3, 1)), np.zeros((1, 1))).total_calls
    assert solution.my_naive_calls == counted == calls_by_recurrence(sizes, lambda n: n + 1)
    assert ex.judge("naive_calls_by_hand", float(counted)).passed          # 101.0 is fine
    assert ex.judge("naive_calls_by_hand", np.int64(counted)).passed


def test_naive_calls_typical_mistakes_get_their_hints():
    sizes = ex.NAIVE_CALLS_EXERCISE_SIZES
    assert_hint("naive_calls_by_hand", calls_by_recurrence(sizes, lambda n: n), "bias")
    assert_hint("naive_calls_by_hand", calls_by_recurrence(sizes, lambda n: 1), "every parameter asks")
    assert_hint("naive_calls_by_hand", 2 + 4 + 1, "with a cache")
    assert_hint("naive_calls_by_hand", 3 * 2 * 4 * 1, "paths")
    assert_hint("naive_calls_by_hand", 2 * 4 + 4 * 3 + 1 * 5, "number of parameters")
    c1, c2, c3 = 4, 3 + 2 * 4, 5 + 4 * 11                        # c_l by the recurrence, by hand
    assert_hint("naive_calls_by_hand", c1 + c2 + c3, "n_l neurons")
    assert_hint("naive_calls_by_hand", c3, "output neuron alone")
    assert_hint("naive_calls_by_hand", calls_by_recurrence(sizes[::-1], lambda n: n + 1), "backwards")
    generic = assert_hint("naive_calls_by_hand", 100, "not the count")
    assert "101" not in generic.message                          # never tells the answer
    assert_hint("naive_calls_by_hand", 100.5, "whole number")
    assert_hint("naive_calls_by_hand", "101", "should be a number")
    assert_hint("naive_calls_by_hand", True, "should be a number")


def solution_with(mistake):
    """The worked cached recursion with one typical mistake built in."""
    def delta(terms, l, j, calls, cache):
        if mistake == "counts look-ups":
            calls[l, j] += 1
        if (l, j) in cache and mistake != "never reads the cache":
            return cache[l, j]
        if mistake not in ("counts look-ups", "never counts"):
            calls[l, j] += 1
        if l == terms.L and mistake != "no base case":
            value = terms.delta_output[j]
        else:
            total = 0.0
            for i in range(terms.sizes[l + 1]):
                weight = terms.W[l + 1][j][i] if mistake == "swapped index" else terms.W[l + 1][i][j]
                total += weight * delta(terms, l + 1, i, calls, cache)
            value = total if mistake == "no sigma'" else terms.sigma_prime[l][j] * total
        cache[l, j] = value
        return None if mistake == "no return" else value
    return delta


def test_cached_delta_solution_passes_and_equals_backward_with_one_call_per_neuron():


    solution = solutions("01")
    assert ex.judge("cached_delta", solution.my_cached_delta).passed
    assert ex.judge("cached_delta", solution_with("none")).passed
    networks = ex.cached_delta_exercise_networks()
    assert any(set(net.sizes) == {1} for net, _, _ in networks)                   # a width-1 chain
    assert any(len(set(net.sizes)) == 1 and net.sizes[0] > 1 for net, _, _ in networks)  # square
    for net, x, y in networks:
        terms, calls, cache = naive.local_terms(net, x, y), Counter(), {}
        backward = net.gradients(x, y).delta
        for l in range(1, net.L + 1):
            for j in range(net.sizes[l]):
                assert np.isclose(solution.my_cached_delta(terms, l, j, calls, cache), backward[l][j, 0],
                                  rtol=1e-12, atol=1e-15)
        assert sorted(calls.values()) == [1] * sum(net.sizes[1:])


def test_cached_delta_typical_mistakes_get_their_hints():
    assert_hint("cached_delta", solution_with("no sigma'"), "forgot σ'")
    assert_hint("cached_delta", solution_with("swapped index"), "W[l + 1][i][j]", "not [j][i]")
    assert_hint("cached_delta", solution_with("never reads the cache"), "cache is never used")
    assert_hint("cached_delta", solution_with("counts look-ups"), "counts look-ups")
    assert_hint("cached_delta", solution_with("never counts"), "calls stays empty")
    assert_hint("cached_delta", solution_with("no base case"), "IndexError", "stop at l == terms.L")
    assert_hint("cached_delta", solution_with("no return"), "'NoneType'", "every branch return")
    assert_hint("cached_delta", lambda terms, l, j, calls, cache: None, "forget to return")
    assert_hint("cached_delta", 0.5, "pass your function itself")


def test_cached_delta_stubs_and_learner_exceptions():
    def stub(terms, l, j, calls, cache):
        raise NotImplementedError("your code here")

    def crashes(terms, l, j, calls, cache):
        return terms.delta_output[j] / 0.0 if l == terms.L else 1 / 0

    for untouched in (None, ..., stub):
        assert ex.judge("cached_delta", untouched).status == ex.NOT_ATTEMPTED
    for untouched in (None, ...):
        assert ex.judge("naive_calls_by_hand", untouched).line() == "[naive_calls_by_hand] not attempted yet"
    assert_hint("cached_delta", crashes, "your code raised ZeroDivisionError", "1 / 0")
    assert_hint("cached_delta", lambda terms, l, j: 0.0, "your code raised TypeError")
    assert_hint("cached_delta", lambda terms, l, j, calls, cache: float("nan"), "nan or inf")


def test_grader_reads_notebook_01_with_one_answer_right_and_one_wrong(tmp_path):
    verdicts = grade_filled(tmp_path, "01_naive_recursion.ipynb", {
        "my_naive_calls = None": "my_naive_calls = 2 + 4 + 1",
        "def my_cached_delta(": inspect.getsource(solutions("01").my_cached_delta),
    })
    assert verdicts["cached_delta"] == ("correct", "")
    assert verdicts["naive_calls_by_hand"][0] == "not yet"
    assert "with a cache" in verdicts["naive_calls_by_hand"][1]


# --------------------------------------------------------------------------- notebook 02
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
    original, x0, y0 = ex.bp_walkthrough_example()
    assert_hint("delta2_by_hand", original.gradients(x0, y0).delta[2], "original network")
    assert_hint("delta2_by_hand", right.T, "shape (1, 2)")
    assert_hint("delta2_by_hand", right + 1e-3, "is off")
    assert_hint("delta2_by_hand", "0.1, 0.2", "should be numbers")


def test_bp4_batch_solution_passes_and_equals_the_network_gradient():
    solution = solutions("02")
    assert ex.judge("bp4_batch", solution.bp4_batch).passed
    net, x, y = ex.bp_walkthrough_example()
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


def test_grader_reads_notebook_02_with_one_answer_right_and_one_cell_crashing(tmp_path):
    verdicts = grade_filled(tmp_path, "02_bp1_bp4_walkthrough.ipynb", {
        "ex_net, ex_x, ex_y": "ex_net, ex_x, ex_y = delta2_exercise_network()\nmy_delta2 = 1 / 0",
        "def bp4_batch(": "def bp4_batch(delta, a_prev):\n    return delta @ a_prev.T\n",
    })
    assert verdicts["bp4_batch"] == ("correct", "")
    assert verdicts["delta2_by_hand"] == ("not yet", "the check cell failed: NameError: "
                                                     "name 'my_delta2' is not defined")


# --------------------------------------------------------------------------- notebook 03
def naive_softmax(z, axis=0):
    """The textbook softmax without the max shift: nan at logits around ±1000."""
    with np.errstate(all="ignore"):
        return np.exp(z) / np.sum(np.exp(z), axis=axis, keepdims=True)


def shifted_softmax(Z, shift):
    e = np.exp(Z - shift)
    return e / np.sum(e, axis=0, keepdims=True)


def test_softmax_jacobian_solution_passes_and_equals_autograd_and_finite_differences():

    solution = solutions("03")
    assert ex.judge("softmax_jacobian", solution.softmax_on_node_jacobian).passed
    oracle = autograd.jacobian(lambda z: anp.exp(z - anp.max(z)) / anp.sum(anp.exp(z - anp.max(z))))
    eps = 1e-6
    for logits in ex.SOFTMAX_JACOBIAN_EXERCISE_LOGITS:
        z = np.array(logits)
        J = solution.softmax_on_node_jacobian(z)
        np.testing.assert_allclose(J, oracle(z), rtol=1e-12, atol=1e-15)
        steps = np.eye(z.size) * eps
        numeric = np.column_stack([(shifted_softmax(z + s, np.max(z)) - shifted_softmax(z - s, np.max(z))) / (2 * eps)
                                   for s in steps])
        np.testing.assert_allclose(J, numeric, atol=1e-9)
    assert np.array_equal(solution.softmax_on_node_jacobian(np.array([3.0])), [[0.0]])  # one class: a = 1 always
    sizes = {len(z) for z in ex.SOFTMAX_JACOBIAN_EXERCISE_LOGITS}
    assert {1, 2, 5} <= sizes and any(max(map(abs, z)) >= 1000 for z in ex.SOFTMAX_JACOBIAN_EXERCISE_LOGITS)


def jacobian_with(mistake):
    """A softmax Jacobian with one typical mistake built in."""
    def J(z):
        a = naive_softmax(z) if mistake == "naive softmax" else shifted_softmax(z, np.max(z))
        return {"diagonal a(1 - a)": lambda: np.diag(a * (1 - a)),
                "diag(a) only": lambda: np.diag(a),
                "sign": lambda: np.outer(a, a) - np.diag(a),
                "a @ a.T": lambda: np.diag(a) - a @ a.T,
                "a * a": lambda: np.diag(a) - a * a,
                "vector": lambda: a * (1 - a),
                "logits": lambda: np.diag(z) - np.outer(z, z),
                "naive softmax": lambda: np.diag(a) - np.outer(a, a)}[mistake]()
    return J


def test_softmax_jacobian_typical_mistakes_get_their_hints():

    assert_hint("softmax_jacobian", jacobian_with("diagonal a(1 - a)"), "only the diagonal", "-a_i a_k")
    assert_hint("softmax_jacobian", jacobian_with("diag(a) only"), "-a aᵀ term is missing")
    assert_hint("softmax_jacobian", jacobian_with("sign"), "wrong sign")
    assert_hint("softmax_jacobian", jacobian_with("a @ a.T"), "dot product", "np.outer")
    assert_hint("softmax_jacobian", jacobian_with("a * a"), "elementwise", "np.outer")
    assert_hint("softmax_jacobian", jacobian_with("vector"), "shape (2,)", "n × n")
    assert_hint("softmax_jacobian", jacobian_with("logits"), "not the logits")
    assert_hint("softmax_jacobian", jacobian_with("naive softmax"), "z = [1000, 998, 995]", "nan", "subtract the largest")
    assert_hint("softmax_jacobian", lambda z: softmax_jacobian(z), "asking the answer")
    wrong_sign = jacobian_with("sign")
    assert_hint("softmax_jacobian", lambda z: 1e-3 - wrong_sign(z), "is off")
    generic = assert_hint("softmax_jacobian", lambda z: np.eye(z.size), "is off")
    assert "[[" not in generic.message                                    # never shows the answer


def test_batch_gradient_solution_passes_and_equals_autograd():

    solution = solutions("03")
    assert ex.judge("batch_cross_entropy_gradient", solution.batch_cross_entropy_gradient).passed

    def mean_loss(Z, Y):
        shifted = Z - anp.max(Z, axis=0, keepdims=True)
        return -anp.sum(Y * (shifted - anp.log(anp.sum(anp.exp(shifted), axis=0, keepdims=True)))) / Z.shape[1]

    cases = ex._batch_exercise_cases()
    assert any(Z.shape[0] == Z.shape[1] for Z, _, _ in cases) and any(Z.shape[1] == 1 for Z, _, _ in cases)
    for Z, Y, _ in cases:
        np.testing.assert_allclose(solution.batch_cross_entropy_gradient(Z, Y), autograd.grad(mean_loss)(Z, Y),
                                   rtol=1e-10, atol=1e-15)
        assert np.allclose(Y.sum(axis=0), 1) and set(np.unique(Y)) <= {0.0, 1.0}  # one-hot columns


def test_batch_gradient_typical_mistakes_get_their_hints():

    stable = lambda Z: shifted_softmax(Z, np.max(Z, axis=0, keepdims=True))  # noqa: E731
    exercise = "batch_cross_entropy_gradient"
    assert_hint(exercise, lambda Z, Y: stable(Z) - Y, "summed loss", "divide by m")
    assert_hint(exercise, lambda Z, Y: (Y - stable(Z)) / Z.shape[1], "wrong sign")
    assert_hint(exercise, lambda Z, Y: (shifted_softmax(Z.T, np.max(Z.T, axis=0)).T - Y) / Z.shape[1], "axis=1")
    assert_hint(exercise, lambda Z, Y: (stable(Z) - Y) / Z.shape[0], "number of classes", "Z.shape[1]")
    assert_hint(exercise, lambda Z, Y: (Z - Y) / Z.shape[1], "not the logits")
    assert_hint(exercise, lambda Z, Y: ((stable(Z) - Y) / Z.shape[1]).T, "transposed")
    assert_hint(exercise, lambda Z, Y: (naive_softmax(Z) - Y) / Z.shape[1], "logits around 1000", "overflows")
    assert_hint(exercise, lambda Z, Y: (shifted_softmax(Z, np.max(Z)) - Y) / Z.shape[1],
                "logits around ±1000", "each column's own maximum")
    assert_hint(exercise, lambda Z, Y: cross_entropy_gradient(Z, Y), "asking the answer")
    assert_hint(exercise, "(softmax(Z) - Y) / m", "pass your function itself")


def test_batch_loss_solution_passes_and_equals_the_mean_of_hand_losses():

    solution = solutions("03")
    assert ex.judge("batch_cross_entropy", solution.batch_cross_entropy).passed
    for Z, Y, _ in ex._batch_exercise_cases():
        m, hand = Z.shape[1], []
        for j in range(m):  # -log ŷ_true = log Σ_k e^(z_k - z_true), each term by math
            true = int(np.argmax(Y[:, j]))
            terms = [Z[k, j] - Z[true, j] for k in range(Z.shape[0])]
            top = max(terms)
            hand.append(top + math.log(sum(math.exp(t - top) for t in terms)))
        assert math.isclose(solution.batch_cross_entropy(Z, Y), sum(hand) / m, rel_tol=1e-12, abs_tol=1e-15)
    big = np.array([[1000.0], [-1000.0]])
    assert solution.batch_cross_entropy(big, np.array([[0.0], [1.0]])) == 2000.0   # log(1 + e^2000) in floats


def test_batch_loss_typical_mistakes_get_their_hints():

    stable = lambda Z: shifted_softmax(Z, np.max(Z, axis=0, keepdims=True))  # noqa: E731
    exercise = "batch_cross_entropy"
    assert_hint(exercise, lambda Z, Y: -np.sum(Y * log_softmax(Z)), "summed loss", "divide by m")
    assert_hint(exercise, lambda Z, Y: -np.mean(Y * log_softmax(Z)), "np.mean over the whole array")
    assert_hint(exercise, lambda Z, Y: -np.sum(Y * log_softmax(Z), axis=0), "one loss per sample")
    assert_hint(exercise, lambda Z, Y: np.sum(Y * log_softmax(Z)) / Z.shape[1], "wrong sign")
    assert_hint(exercise, lambda Z, Y: -np.sum(Y * log_softmax(Z, axis=1)) / Z.shape[1], "axis=1")
    assert_hint(exercise, lambda Z, Y: -np.sum(Y * log_softmax(Z)) / Z.shape[0], "number of classes")
    assert_hint(exercise, lambda Z, Y: -np.sum(Y * np.log(stable(Z))) / Z.shape[1],
                "logits around ±1000", "log(0)", "log-softmax")
    assert_hint(exercise, lambda Z, Y: -np.sum(Y * np.log(naive_softmax(Z))) / Z.shape[1],
                "logits around 1000", "overflows")
    assert_hint(exercise, lambda Z, Y: cross_entropy(Z, Y), "asking the answer")
    clipped = assert_hint(exercise, lambda Z, Y: -np.sum(Y * np.log(stable(Z) + 1e-12)) / Z.shape[1],
                          "logits around ±1000", "caps the loss")
    generic = assert_hint(exercise, lambda Z, Y: -np.sum(Y * log_softmax(Z)) / Z.shape[1] + 0.25, "step by step")
    for verdict in (clipped, generic):
        assert not any(ch.isdigit() for ch in verdict.message.split("is off")[1])  # no number to work back from


@pytest.mark.parametrize("exercise", ["softmax_jacobian", "batch_cross_entropy_gradient", "batch_cross_entropy"])
def test_notebook_03_stubs_and_learner_exceptions(exercise):
    def stub(*args):
        raise NotImplementedError("your code here")

    def crashes(*args):
        return args[0] @ np.ones(7)

    for untouched in (None, ..., stub):
        assert ex.judge(exercise, untouched).line() == f"[{exercise}] not attempted yet"
    assert_hint(exercise, crashes, "your code raised ValueError", "args[0] @ np.ones(7)")
    assert_hint(exercise, lambda *args: None, "returned None", "forget to return")
    assert_hint(exercise, lambda *args: "a half", "should be numbers")
    assert_hint(exercise, lambda z, y, extra: z, "your code raised TypeError")


def test_grader_reads_notebook_03_with_answers_right_wrong_and_untouched(tmp_path):
    verdicts = grade_filled(tmp_path, "03_softmax_relu.ipynb", {
        "def my_softmax_jacobian(": inspect.getsource(solutions("03").my_softmax_jacobian),
        "def batch_cross_entropy_gradient(": ("def batch_cross_entropy_gradient(Z, Y):\n"
                                              "    e = np.exp(Z - Z.max(axis=0))\n"
                                              "    return e / e.sum(axis=0) - Y\n"),
    })
    assert verdicts["softmax_jacobian"] == ("correct", "")
    assert verdicts["batch_cross_entropy_gradient"][0] == "not yet"
    assert "divide by m" in verdicts["batch_cross_entropy_gradient"][1]
    assert verdicts["batch_cross_entropy"] == ("not attempted yet", "")


# --------------------------------------------------------------------------- notebook 04
def abs_with(mistake):
    """A value_abs with one typical mistake built in."""
    def value_abs(v):
        x = v.data
        slope = {"sign": (x > 0) - (x < 0), "ones": 1.0, "relu": float(x > 0), "value as slope": abs(x),
                 "one at zero": 1.0 if x >= 0 else -1.0, "flipped": (x < 0) - (x > 0)}.get(mistake, (x > 0) - (x < 0))
        if mistake == "new leaf":
            return Value(abs(x))
        if mistake == "overwrites grad":
            v.grad = float(slope)
            return Value(abs(x))
        if mistake == "adds grad without upstream":
            v.grad += float(slope)
            return Value(abs(x))
        if mistake == "in place":
            v.data = abs(x)
            return Value(abs(x), _a=v, _da=float(slope))
        if mistake == "closure":
            out = Value(abs(x))
            def _backward():
                v.grad += slope * out.grad
            out._backward = _backward
            return out
        return Value(x if mistake == "wrong value" else abs(x), _a=v, _da=float(slope), _op="abs")
    return value_abs


def test_value_abs_solution_passes_and_matches_finite_differences_and_autograd():
    solution = solutions("04")
    assert ex.judge("value_abs", solution.value_abs).passed
    assert ex.judge("value_abs", lambda v: v.relu() + (-v).relu()).passed   # built from existing ops: fine
    assert ex.judge("value_abs", abs_with("none")).passed
    f = lambda x, abs_: abs_(x * x - 2) * x + 3 * abs_(x)                 # reuse, upstream factors
    for x0 in (-2.3, -0.4, 0.9, 1.7):
        x = Value(x0)
        f(x, solution.value_abs).backward()
        assert np.isclose(x.grad, autograd.grad(lambda t: f(t, anp.abs))(x0), rtol=1e-12)
        assert np.isclose(x.grad, (f(x0 + 1e-6, abs) - f(x0 - 1e-6, abs)) / 2e-6, rtol=1e-6)
    zero = Value(0.0)
    solution.value_abs(zero).backward()
    assert zero.grad == 0.0                                                # the stated convention


def test_value_abs_typical_mistakes_get_their_hints():
    assert_hint("value_abs", abs_with("ones"), "wrong sign for negative inputs")
    assert_hint("value_abs", abs_with("relu"), "relu's slope")
    assert_hint("value_abs", abs_with("flipped"), "wrong sign")
    assert_hint("value_abs", abs_with("value as slope"), "not its value")
    assert_hint("value_abs", abs_with("one at zero"), "x = 0", "slope 0")
    assert_hint("value_abs", abs_with("wrong value"), "value is wrong for x = -1.25", "-x is positive")
    assert_hint("value_abs", abs_with("new leaf"), "does not remember its input")
    assert_hint("value_abs", abs_with("overwrites grad"), "overwrote v.grad", "add up", "upstream")
    assert_hint("value_abs", abs_with("adds grad without upstream"), "chain-rule factor", "upstream")
    assert_hint("value_abs", abs_with("in place"), "changed its input's .data")
    assert_hint("value_abs", abs_with("closure"), "AttributeError", "_da=slope")
    assert_hint("value_abs", lambda v: abs(v.data), "should return a Value")
    assert_hint("value_abs", 3.0, "pass your function itself")


def test_value_abs_stubs_and_learner_exceptions():
    def stub(v):
        raise NotImplementedError("your code here")

    for untouched in (None, ..., stub):
        assert ex.judge("value_abs", untouched).status == ex.NOT_ATTEMPTED
    assert_hint("value_abs", lambda v: (v * v) ** 0.5, "your code raised ZeroDivisionError")  # infinite slope at 0
    assert_hint("value_abs", lambda v: v.value, "your code raised AttributeError")


def descent_with(mistake):
    """The worked loop with one typical mistake built in."""
    def gradient_descent(model, loss_function, steps, learning_rate):
        parameters, losses = model.parameters(), []
        for _ in range(steps):
            if mistake not in ("no zero_grad", "zero at the end"):
                model.zero_grad()
            loss = loss_function()
            loss.backward()
            if mistake == "zero after backward":
                model.zero_grad()
            for p in parameters:
                p.data += (learning_rate * p.grad) if mistake == "ascent" else -(learning_rate * p.grad)
            if mistake == "zero at the end":
                model.zero_grad()
            losses.append(loss_function().data if mistake == "loss after update" else loss)
        return None if mistake == "no return" else losses
    return gradient_descent


def test_gradient_descent_solution_passes_and_moves_like_train_and_finite_differences():

    solution = solutions("04")
    assert ex.judge("gradient_descent", solution.gradient_descent).passed
    assert ex.judge("gradient_descent", descent_with("none")).passed       # Values as losses: fine
    mine, loss_mine = ex._gradient_descent_problem()
    theirs, loss_theirs = ex._gradient_descent_problem()
    assert solution.gradient_descent(mine, loss_mine, 4, 0.05) == train(theirs, loss_theirs, 4, 0.05, progress=False)
    assert [p.data for p in mine.parameters()] == [p.data for p in theirs.parameters()]
    # one step by hand: p - rate * (central difference of the loss in p)
    model, loss_function = ex._gradient_descent_problem()
    before = [p.data for p in model.parameters()]
    numeric = []
    for p in model.parameters():
        p.data += 1e-6
        up = loss_function().data
        p.data -= 2e-6
        down = loss_function().data
        p.data += 1e-6
        numeric.append((up - down) / 2e-6)
    solution.gradient_descent(model, loss_function, 1, 0.1)
    np.testing.assert_allclose([p.data for p in model.parameters()],
                               np.array(before) - 0.1 * np.array(numeric), rtol=0, atol=1e-9)


def test_gradient_descent_typical_mistakes_get_their_hints():
    assert_hint("gradient_descent", descent_with("no zero_grad"), "forgot to zero the gradients")
    assert_hint("gradient_descent", descent_with("ascent"), "wrong step sign")
    assert_hint("gradient_descent", descent_with("zero at the end"), "before backward()", "stale")
    assert_hint("gradient_descent", descent_with("zero after backward"), "never moved")
    assert_hint("gradient_descent", descent_with("loss after update"), "before its update")
    assert_hint("gradient_descent", descent_with("no return"), "returned None")

    def rebinds(model, loss_function, steps, learning_rate):
        losses = []
        for _ in range(steps):
            model.zero_grad()
            loss = loss_function()
            loss.backward()
            for p in model.parameters():
                p = p - learning_rate * p.grad   # a new Value; the model's parameter never moves
            losses.append(loss.data)
        return losses
    assert_hint("gradient_descent", rebinds, "never moved", "p.data")

    def ignores_rate(model, loss_function, steps, learning_rate):
        return solutions("04").gradient_descent(model, loss_function, steps, 1.0)
    assert_hint("gradient_descent", ignores_rate, "ignores the learning rate")


def test_gradient_descent_stubs_and_learner_exceptions():
    def stub(model, loss_function, steps, learning_rate):
        raise NotImplementedError("your code here")

    def crashes(model, loss_function, steps, learning_rate):
        loss = loss_function()
        loss.backwards()

    for untouched in (None, ..., stub):
        assert ex.judge("gradient_descent", untouched).status == ex.NOT_ATTEMPTED
    assert_hint("gradient_descent", crashes, "your code raised AttributeError", "loss.backwards()")


def test_xor_data_is_xor_and_deterministic():
    points, labels = ex.xor_data()
    assert (points, labels) == ex.xor_data()
    assert len(points) == len(labels) == 24 and sorted(set(labels)) == [-1.0, 1.0]
    assert all(label == np.sign(x1 * x2) for (x1, x2), label in zip(points, labels))  # clusters don't cross axes
    X, y = np.array(points), np.array(labels)
    w, *_ = np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)                  # best straight line
    assert np.mean(np.sign(np.c_[X, np.ones(len(X))] @ w) == y) < 1.0


def test_xor_recipe_solution_passes_and_reaches_full_accuracy():
    solution = solutions("04")
    assert ex.judge("xor_recipe", solution.xor_recipe).passed
    model, rate, steps = solution.xor_recipe()
    points, labels = ex.xor_data()
    own = solution.gradient_descent(model, lambda: sum((model(p)[0] - y) ** 2 for p, y in zip(points, labels))
                                    * (1 / len(points)), steps, rate)
    scores = model.to_network().forward(np.array(points).T).output[0]   # the matrix engine, independently
    assert np.all(np.sign(scores) == labels) and own[-1] < 0.1 * own[0]


def test_xor_recipe_typical_mistakes_get_their_hints():

    assert_hint("xor_recipe", lambda: (MLP(2, [8, 1], hidden="linear", seed=0), 0.1, 100), "linear map")
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 1], hidden="tanh", seed=0), 5.0, 100), "too large")
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 1], hidden="tanh", seed=0), 1.0, 100), "too large")
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 1], seed=0), 1.0, 100), "nan or inf", "too large")   # relu
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 1], hidden="tanh", seed=0), 0.001, 20), "train longer")
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 1], hidden="tanh", seed=0), 0.1, 10_000), "10000 steps × 33 parameters")
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 1], hidden="tanh", seed=0), 0.1, 0), "at least 1")
    assert_hint("xor_recipe", lambda: (MLP(3, [8, 1], hidden="tanh", seed=0), 0.1, 100), "ValueError", "2 inputs")
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 2], hidden="tanh", seed=0), 0.1, 100), "1 output")
    assert_hint("xor_recipe", lambda: (MLP(2, [8, 1], seed=0), -0.1, 100), "positive number")
    assert_hint("xor_recipe", lambda: MLP(2, [8, 1], seed=0), "three things")
    assert_hint("xor_recipe", lambda: ("model", 0.1, 100), "should be an MLP")


def test_xor_recipe_stubs_and_learner_exceptions():
    def stub():
        raise NotImplementedError("your code here")

    for untouched in (None, ..., stub):
        assert ex.judge("xor_recipe", untouched).status == ex.NOT_ATTEMPTED
    assert_hint("xor_recipe", lambda: 1 / 0, "your code raised ZeroDivisionError")


def test_grader_reads_notebook_04_with_answers_right_wrong_and_untouched(tmp_path):
    verdicts = grade_filled(tmp_path, "04_scalar_autograd.ipynb", {
        "def value_abs(": inspect.getsource(solutions("04").value_abs),
        "def gradient_descent(": inspect.getsource(solutions("04").gradient_descent).replace("p.grad = 0.0", "pass"),
    })
    assert verdicts["value_abs"] == ("correct", "")
    assert verdicts["gradient_descent"][0] == "not yet" and "zero the gradients" in verdicts["gradient_descent"][1]
    assert verdicts["xor_recipe"] == ("not attempted yet", "")


# --------------------------------------------------------------------------- notebook 05
def mean_rule_with(mistake):
    """The worked mean rule with one typical mistake built in."""
    def mean_backward(g, input_shape, axis=None, keepdims=False):
        g = np.asarray(g, dtype=float)
        count = int(np.prod(input_shape)) if axis is None else input_shape[axis]
        if mistake == "total size":
            count = int(np.prod(input_shape))
        if mistake == "no division":
            count = 1
        if axis is not None and (not keepdims or mistake == "ignores keepdims") and mistake != "no expand":
            g = np.expand_dims(g, axis)
        if mistake == "output shape":
            return g / count
        return np.broadcast_to(g / count, input_shape).copy()
    return mean_backward


def autograd_gradient(function, x, g):
    """∂(Σ g ⊙ function(x))/∂x by the HIPS autograd package: an outside oracle."""
    return autograd.grad(lambda v: anp.sum(function(v) * g))(x)


def test_mean_backward_solution_passes_and_matches_autograd_and_finite_differences():


    solution = solutions("05")
    assert ex.judge("mean_backward", solution.mean_backward).passed
    assert ex.judge("mean_backward", mean_rule_with("none")).passed
    rng = np.random.default_rng(0)
    cases = ex._reduction_cases()
    assert {(1,), (1, 1), (3, 1), (2, 3)} <= {shape for shape, _, _ in cases}
    assert {None, 0, 1, -1} == {axis for _, axis, _ in cases}
    for shape, axis, keepdims in cases:
        x = rng.normal(size=shape)
        g = rng.normal(size=np.mean(x, axis=axis, keepdims=keepdims).shape)
        got = solution.mean_backward(g, shape, axis, keepdims)
        np.testing.assert_allclose(got, autograd_gradient(lambda v: anp.mean(v, axis=axis, keepdims=keepdims), x, g))
        numeric = numerical_gradient(lambda: float(np.sum(np.mean(x, axis=axis, keepdims=keepdims) * g)), x)
        np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-9)


def test_mean_backward_typical_mistakes_get_their_hints():
    assert_hint("mean_backward", mean_rule_with("no division"), "forgot to divide")
    assert_hint("mean_backward", mean_rule_with("total size"), "total size")
    assert_hint("mean_backward", mean_rule_with("output shape"), "shape () of g", "input's shape (2, 3)")
    assert_hint("mean_backward", mean_rule_with("no expand"), "ValueError", "np.expand_dims")
    assert_hint("mean_backward", mean_rule_with("ignores keepdims"), "keepdims=True", "still has the reduced axis")

    def other_axis_count(g, input_shape, axis=None, keepdims=False):
        right = solutions("05").mean_backward(g, input_shape, axis, keepdims)
        return right if axis is None else right * input_shape[axis] / input_shape[1 - axis % 2]
    assert_hint("mean_backward", other_axis_count, "length of the other axis")

    def wrong_axis_on_squares(g, input_shape, axis=None, keepdims=False):
        count = int(np.prod(input_shape)) if axis is None else input_shape[axis]
        g = np.asarray(g, dtype=float)
        if keepdims or axis is None:
            return np.broadcast_to(g / count, input_shape).copy()
        try:
            return np.broadcast_to(g / count, input_shape).copy()   # lines g up at the right
        except ValueError:
            return np.broadcast_to(np.expand_dims(g, axis) / count, input_shape).copy()
    assert_hint("mean_backward", wrong_axis_on_squares, "wrong axis", "(3, 3)")
    assert_hint("mean_backward", lambda g, shape, axis=None, keepdims=False: None, "forget to return")
    assert_hint("mean_backward", 0.5, "pass your function itself")


def test_mean_backward_stub_and_learner_exception():
    def stub(g, input_shape, axis=None, keepdims=False):
        raise NotImplementedError("your code here")
    for untouched in (None, ..., stub):
        assert ex.judge("mean_backward", untouched).status == ex.NOT_ATTEMPTED

    def crashes(g, input_shape, axis=None, keepdims=False):
        return np.full(input_shape, g / input_shape[axis])   # axis=None is not an index
    verdict = assert_hint("mean_backward", crashes, "your code raised TypeError", "axis=None means every entry")
    assert "input_shape[axis]" in verdict.message                  # the learner's line, not numpy's


def max_rule_with(mistake):
    """The worked max rule with one typical mistake built in."""
    def max_backward(g, x, axis=None, keepdims=False):
        g = np.asarray(g, dtype=float)
        if axis is not None and not keepdims:
            g = np.expand_dims(g, axis)
        g = np.broadcast_to(g, x.shape)
        top = x == x.max(axis=axis, keepdims=True)
        if mistake == "every entry":
            return g.copy()
        if mistake == "whole g to each tie":
            return g * top
        if mistake == "first index":
            flat_first = np.zeros_like(x)
            index = np.argmax(x, axis=axis)
            if axis is None:
                flat_first.flat[index] = 1.0
            else:
                np.put_along_axis(flat_first, np.expand_dims(index, axis), 1.0, axis=axis)
            return g * flat_first
        return g * top / top.sum(axis=axis, keepdims=True)
    return max_backward


def test_max_backward_solution_passes_and_matches_autograd():


    solution = solutions("05")
    assert ex.judge("max_backward", solution.max_backward).passed
    assert ex.judge("max_backward", max_rule_with("none")).passed
    rng = np.random.default_rng(1)
    cases = ex.max_backward_cases()
    assert any(np.sum(x == x.max()) > 1 for x, _, _ in cases)          # ties are checked
    for x, axis, keepdims in cases:
        g = rng.normal(size=np.max(x, axis=axis, keepdims=keepdims).shape)
        got = solution.max_backward(g, x, axis, keepdims)
        # autograd splits a tie equally too: the convention the exercise states
        np.testing.assert_allclose(got, autograd_gradient(lambda v: anp.max(v, axis=axis, keepdims=keepdims), x, g))
        if np.all(np.sum(x == np.max(x, axis=axis, keepdims=True), axis=axis) == 1):  # no tie: differentiable
            numeric = numerical_gradient(lambda: float(np.sum(np.max(x, axis=axis, keepdims=keepdims) * g)), x)
            np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-9)


def test_max_backward_typical_mistakes_get_their_hints():
    assert_hint("max_backward", max_rule_with("every entry"), "every entry got g", "others get 0")
    assert_hint("max_backward", max_rule_with("whole g to each tie"), "whole of g", "splits g equally")
    assert_hint("max_backward", max_rule_with("first index"), "first maximal entry only", "splits g equally")
    assert_hint("max_backward", lambda g, x, axis=None, keepdims=False: -max_rule_with("none")(g, x, axis, keepdims),
                "wrong sign")
    assert_hint("max_backward", lambda g, x, axis=None, keepdims=False: g, "shape () of g")

    def mean_instead(g, x, axis=None, keepdims=False):
        return solutions("05").mean_backward(g, x.shape, axis, keepdims)
    assert_hint("max_backward", mean_instead, "gradient of the mean")

    def unexpanded(g, x, axis=None, keepdims=False):
        return g * (x == x.max(axis=axis))          # fine for axis=None, then shapes clash
    assert_hint("max_backward", unexpanded, "ValueError", "np.expand_dims", "x == x.max(axis=axis)")


def test_max_backward_stub_and_learner_exception():
    def stub(g, x, axis=None, keepdims=False):
        raise NotImplementedError
    for untouched in (None, ..., stub):
        assert ex.judge("max_backward", untouched).status == ex.NOT_ATTEMPTED
    assert_hint("max_backward", lambda g, x, axis=None, keepdims=False: 1 / 0, "your code raised ZeroDivisionError")
    assert_hint("max_backward", "max", "pass your function itself")


def softmax_with(mistake):
    """The worked softmax on Node with one typical mistake built in."""
    def my_softmax(z):
        shift = z.data.max() if mistake == "global shift" else z.data.max(axis=0, keepdims=True)
        e = z.exp() if mistake == "no shift" else (z - shift).exp()
        if mistake == "constant denominator":
            return e / e.data.sum(axis=0, keepdims=True)
        if mistake == "rows":
            e = (z - z.data.max(axis=1, keepdims=True)).exp()
            return e / e.sum(axis=1, keepdims=True)
        if mistake == "whole sum":
            return e / e.sum()
        if mistake == "numpy":
            values = np.exp(z.data - shift)
            return Node(values / values.sum(axis=0, keepdims=True))
        if mistake == "array":
            return (e / e.sum(axis=0, keepdims=True)).data
        return e / e.sum(axis=0, keepdims=True)
    return my_softmax


def test_softmax_on_node_solution_passes_and_matches_finite_differences_and_autograd():
    solution = solutions("05")
    assert ex.judge("softmax_on_node", solution.softmax_on_node).passed
    assert ex.judge("softmax_on_node", softmax_with("none")).passed
    logits = ex.softmax_exercise_logits()
    assert any(np.max(np.abs(z)) > 700 for z in logits)               # exp would overflow unshifted
    rng = np.random.default_rng(2)
    for z in logits:
        G = rng.normal(size=z.shape)
        node = Node(z)
        a = solution.softmax_on_node(node)
        a.backward(G)
        columns = anp.exp(z - anp.max(z, axis=0, keepdims=True))
        assert np.allclose(a.data.sum(axis=0), 1.0) and np.allclose(a.data, columns / columns.sum(axis=0))

        def softmax_autograd(v):
            e = anp.exp(v - np.max(z, axis=0, keepdims=True))
            return e / anp.sum(e, axis=0, keepdims=True)
        np.testing.assert_allclose(node.grad, autograd_gradient(softmax_autograd, z, G), atol=1e-12)
        if np.max(np.abs(z)) < 50:
            numeric = numerical_gradient(lambda: float(np.sum(solution.softmax_on_node(Node(z)).data * G)), z)
            np.testing.assert_allclose(node.grad, numeric, rtol=1e-5, atol=1e-9)


def test_softmax_on_node_typical_mistakes_get_their_hints():
    assert_hint("softmax_on_node", softmax_with("constant denominator"), "−a aᵀ term")
    assert_hint("softmax_on_node", softmax_with("no shift"), "overflowed", "each column's own maximum")
    assert_hint("softmax_on_node", softmax_with("global shift"), "underflows", "each column's own maximum")
    assert_hint("softmax_on_node", softmax_with("rows"), "each row sums to 1")
    assert_hint("softmax_on_node", softmax_with("whole sum"), "whole array sums to 1")
    assert_hint("softmax_on_node", softmax_with("numpy"), "z got no gradient", "cuts the graph")
    assert_hint("softmax_on_node", softmax_with("array"), "not a Node")
    assert_hint("softmax_on_node", lambda z: z.exp(), "divide by each column's sum")
    assert_hint("softmax_on_node", lambda z: Node(softmax(z.data, axis=0), requires_grad=False),
                "a constant, not connected to z")


def test_softmax_on_node_stub_and_learner_exception():
    def stub(z):
        raise NotImplementedError("your code here")
    for untouched in (None, ..., stub):
        assert ex.judge("softmax_on_node", untouched).status == ex.NOT_ATTEMPTED
    verdict = assert_hint("softmax_on_node", lambda z: z.exp() @ z, "your code raised ValueError", "Node @")
    assert "z.exp() @ z" in verdict.message                          # the learner's line, not the engine's
    assert_hint("softmax_on_node", lambda z: None, "forget to return")


def test_grader_reads_notebook_05_with_answers_right_wrong_and_untouched(tmp_path):
    verdicts = grade_filled(tmp_path, "05_tensor_autograd.ipynb", {
        "def mean_backward(": inspect.getsource(solutions("05").mean_backward),
        "def max_backward(": ("def max_backward(g, x, axis=None, keepdims=False):\n"
                              "    if axis is not None and not keepdims:\n"
                              "        g = np.expand_dims(g, axis)\n"
                              "    return np.broadcast_to(g, x.shape).copy()\n"),
    })
    assert verdicts["mean_backward"] == ("correct", "")
    assert verdicts["max_backward"][0] == "not yet" and "others get 0" in verdicts["max_backward"][1]
    assert verdicts["softmax_on_node"] == ("not attempted yet", "")


def test_mean_and_max_solutions_agree_with_autograd_on_random_shapes_and_ties():
    """Property test: random shapes, axes and small integer entries (so ties are common)."""
    solution = solutions("05")

    @st.composite
    def cases(draw):
        shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
        axis = draw(st.sampled_from([None] + list(range(-len(shape), len(shape)))))
        x = np.array(draw(st.lists(st.integers(-2, 2), min_size=int(np.prod(shape)),
                                   max_size=int(np.prod(shape)))), dtype=float).reshape(shape)
        return x, axis, draw(st.booleans()), draw(st.integers(0, 2**32 - 1))

    @given(cases())
    def agree(case):
        x, axis, keepdims, seed = case
        g = np.random.default_rng(seed).normal(size=np.max(x, axis=axis, keepdims=keepdims).shape)
        np.testing.assert_allclose(solution.mean_backward(g, x.shape, axis, keepdims),
                                   autograd_gradient(lambda v: anp.mean(v, axis=axis, keepdims=keepdims), x, g))
        np.testing.assert_allclose(solution.max_backward(g, x, axis, keepdims),
                                   autograd_gradient(lambda v: anp.max(v, axis=axis, keepdims=keepdims), x, g))
    agree()
