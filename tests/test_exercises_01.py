"""Notebook 01's exercise checkers: the worked solutions pass, each typical mistake gets its
hint, stubs count as not attempted, a learner's exception is reported, never raised, and the
references the checkers keep agree with an independent route."""
import inspect
from collections import Counter
from fractions import Fraction

import nbformat
import numpy as np

from backprop_helpers import exercises as ex
from backprop_helpers import naive
from backprop_helpers.exercises import nb01_naive as nb01
from backprop_helpers.network import Network
from exercise_support import NOTEBOOKS, assert_hint
from exercise_support import imported_solutions
from exercise_support import solutions as solutions_of

SIZES = [3, 2, 4, 1]


def solutions():
    return solutions_of("01")


def calls_by_recurrence(sizes, own_requests):
    """Total naive evaluations, each neuron of layer l asked own_requests(n_{l-1}) times by its
    own parameters plus once per evaluation of each neuron of layer l - 1."""
    total, previous = 0, 0
    for l in range(1, len(sizes)):
        previous = own_requests(sizes[l - 1]) + sizes[l - 1] * previous
        total += sizes[l] * previous
    return total


# --------------------------------------------------------------------------- 1: naive calls
def test_naive_calls_solution_passes_and_equals_the_measured_counter():
    answer = solutions().naive_calls_by_hand
    assert ex.judge("naive_calls_by_hand", answer).passed
    assert nb01.NAIVE_CALLS_EXERCISE_SIZES == SIZES        # the architecture the notebook states
    counted = naive.naive_gradients(Network.random(SIZES, seed=5), np.zeros((3, 1)),
                                    np.zeros((1, 1))).total_calls
    assert answer == counted == calls_by_recurrence(SIZES, lambda n: n + 1) == 101
    for same in (float(counted), np.int64(counted), np.array(counted), Fraction(counted)):
        assert ex.judge("naive_calls_by_hand", same).passed, same


def test_naive_calls_typical_mistakes_get_their_hints():
    assert_hint("naive_calls_by_hand", calls_by_recurrence(SIZES, lambda n: n), "bias")
    assert_hint("naive_calls_by_hand", calls_by_recurrence(SIZES, lambda n: 1), "every parameter asks")
    assert_hint("naive_calls_by_hand", 2 + 4 + 1, "with a cache")
    assert_hint("naive_calls_by_hand", 3 * 2 * 4 * 1, "paths")
    assert_hint("naive_calls_by_hand", 2 * 4 + 4 * 3 + 1 * 5, "number of parameters")
    c1, c2, c3 = 4, 3 + 2 * 4, 5 + 4 * 11
    assert_hint("naive_calls_by_hand", c1 + c2 + c3, "n_l neurons")
    assert_hint("naive_calls_by_hand", c3, "output neuron alone")
    assert_hint("naive_calls_by_hand", calls_by_recurrence(SIZES[::-1], lambda n: n + 1), "backwards")
    generic = assert_hint("naive_calls_by_hand", 100, "not the count")
    assert "101" not in generic.message                   # never tells the answer
    assert_hint("naive_calls_by_hand", 100.5, "whole number")
    assert_hint("naive_calls_by_hand", Fraction(201, 2), "whole number")
    assert_hint("naive_calls_by_hand", float("nan"), "whole number")
    assert_hint("naive_calls_by_hand", "101", "should be a number")
    assert_hint("naive_calls_by_hand", True, "should be a number")
    # a huge number is a wrong count, not a crash of the checker blamed on the learner
    huge = assert_hint("naive_calls_by_hand", 10 ** 400, "not the count")
    assert "raised" not in huge.message


# --------------------------------------------------------------------------- 2: look-ups
def test_look_ups_solution_passes_and_equals_the_traced_recursion():
    answer = solutions().cache_look_ups_by_hand
    assert ex.judge("cache_look_ups_by_hand", answer).passed
    for sizes in (SIZES, [2, 2, 2, 2, 1], [1, 5, 1, 5, 1], [4, 1]):
        traced = naive.trace_calls(sizes, naive.parameter_requests(sizes), cached=True)
        assert nb01.cache_look_ups(sizes) == sum(call.looked_up for call in traced)
    assert answer == 30


def test_look_ups_typical_mistakes_get_their_hints():
    assert_hint("cache_look_ups_by_hand", 37, "counts every call")
    assert_hint("cache_look_ups_by_hand", 25, "number of parameters")
    assert_hint("cache_look_ups_by_hand", 18, "repeated requests")
    assert_hint("cache_look_ups_by_hand", 12, "next layer")
    assert_hint("cache_look_ups_by_hand", 7, "number of evaluations")
    assert_hint("cache_look_ups_by_hand", 101, "naive recursion's count")
    assert_hint("cache_look_ups_by_hand", 94, "evaluations the cache saves")
    generic = assert_hint("cache_look_ups_by_hand", 31, "not the count")
    assert "30" not in generic.message
    assert_hint("cache_look_ups_by_hand", [30], "should be a number")


# --------------------------------------------------------------------------- 3: bottom up
def bottom_up_with(mistake):
    """The worked bottom-up solution with one typical mistake built in."""
    def deltas(terms):
        delta = {(terms.L, j): terms.delta_output[j] for j in range(terms.sizes[terms.L])}
        layers = range(1, terms.L) if mistake == "upward" else range(terms.L - 1, 0, -1)
        for l in layers:
            for j in range(terms.sizes[l]):
                total = 0.0
                for i in range(terms.sizes[l + 1]):
                    weight = terms.W[l + 1][j][i] if mistake == "swapped index" else terms.W[l + 1][i][j]
                    total += weight * delta[l + 1, i]
                delta[l, j] = total if mistake == "no sigma'" else terms.sigma_prime[l][j] * total
        if mistake == "no output layer":
            del delta[terms.L, 0]
        if mistake == "lists":
            return [[delta[l, j] for j in range(terms.sizes[l])] for l in range(1, terms.L + 1)]
        return delta
    return deltas


def recursive_deltas(terms):
    """Right values, by a recursion of the learner's own: fails on a chain deeper than the limit."""
    cache = {}

    def delta(l, j):
        if (l, j) not in cache:
            cache[l, j] = (terms.delta_output[j] if l == terms.L else terms.sigma_prime[l][j] *
                           sum(terms.W[l + 1][i][j] * delta(l + 1, i) for i in range(terms.sizes[l + 1])))
        return cache[l, j]
    return {(l, j): delta(l, j) for l in range(1, terms.L + 1) for j in range(terms.sizes[l])}


def package_deltas(terms):
    """The package's cached recursion, called from the learner's function."""
    cache = {}
    return {(l, j): naive.cached_delta(terms, l, j, Counter(), cache)
            for l in range(1, terms.L + 1) for j in range(terms.sizes[l])}


def test_bottom_up_solution_passes_and_equals_backward():
    solution = solutions().bottom_up_deltas
    assert ex.judge("bottom_up_deltas", solution).passed
    assert ex.judge("bottom_up_deltas", bottom_up_with("none")).passed
    for net, x, y in nb01.bottom_up_exercise_networks():
        got = solution(naive.local_terms(net, x, y))
        backward = net.gradients(x, y).delta
        assert all(np.isclose(got[l, j], backward[l][j, 0], rtol=1e-12, atol=1e-15) for l, j in got)
    assert "for " in inspect.getsource(solution) and "bottom_up_deltas(" not in \
        inspect.getsource(solution).split("\n", 1)[1]                   # loops, no recursion


def test_bottom_up_typical_mistakes_get_their_hints():
    assert_hint("bottom_up_deltas", bottom_up_with("no sigma'"), "forgot σ'")
    assert_hint("bottom_up_deltas", bottom_up_with("swapped index"), "W[l + 1][i][j]", "not [j][i]")
    assert_hint("bottom_up_deltas", bottom_up_with("upward"), "KeyError", "from the output down")
    assert_hint("bottom_up_deltas", bottom_up_with("no output layer"), "no δ for 1 neuron")
    assert_hint("bottom_up_deltas", bottom_up_with("lists"), "return a dict")
    assert_hint("bottom_up_deltas", recursive_deltas, "RecursionError", "use loops")
    assert_hint("bottom_up_deltas", package_deltas, "package's cached_delta", "write your own")
    assert_hint("bottom_up_deltas", lambda terms: None, "returned None")
    assert_hint("bottom_up_deltas", 0.5, "pass your function itself")


def test_bottom_up_stubs_and_learner_exceptions():
    def stub(terms):
        raise NotImplementedError("your code here")

    def crashes(terms):
        return 1 / 0

    for untouched in (None, ..., stub):
        assert ex.judge("bottom_up_deltas", untouched).status == ex.NOT_ATTEMPTED
    assert_hint("bottom_up_deltas", crashes, "your code raised ZeroDivisionError", "1 / 0")
    nan = assert_hint("bottom_up_deltas", lambda terms: {k: float("nan") for k in
                                                         bottom_up_with("none")(terms)}, "nan or inf")
    assert "correct" not in nan.message


# --------------------------------------------------------------------------- 4: skip connections
def test_skip_network_reference_deltas_equal_central_differences():
    # δ_j^(l) = ∂𝓛/∂b_j^(l): nudge each bias, an independent route to the reference
    for net, x, y in nb01.graph_exercise_networks():
        reference = net.deltas(x, y)
        for l, b in net.b.items():
            for j in range(b.shape[0]):
                saved = b[j, 0]
                b[j, 0] = saved + 1e-6
                plus = net.loss(x, y)
                b[j, 0] = saved - 1e-6
                minus = net.loss(x, y)
                b[j, 0] = saved
                assert np.isclose((plus - minus) / 2e-6, reference[l][j, 0], rtol=1e-5, atol=1e-10)
    assert any(m > l + 1 for net, _, _ in nb01.graph_exercise_networks() for l, m in net.weights)
    assert any(all(m == l + 1 for l, m in net.weights) for net, _, _ in nb01.graph_exercise_networks())


def graph_with(mistake):
    """The worked graph recursion with one typical mistake built in."""
    def delta(terms, l, j, calls, cache):
        if (l, j) in cache and mistake != "never reads the cache":
            return cache[l, j]
        if mistake != "never counts":
            calls[l, j] += 1
        if l == terms.L:
            value = terms.delta_output[j]
        else:
            total = 0.0
            for (m, i), weight in terms.feeds[l, j]:
                if mistake == "next layer only" and m != l + 1:
                    continue
                total += weight * delta(terms, m, i, calls, cache)
            value = total if mistake == "no sigma'" else terms.sigma_prime[l][j] * total
        cache[l, j] = value
        return value
    return delta


def layered_recursion(terms, l, j, calls, cache):
    """The notebook's cached_delta rewritten for terms without W: it assumes layers feed the next."""
    if (l, j) in cache:
        return cache[l, j]
    calls[l, j] += 1
    if l == terms.L:
        value = terms.delta_output[j]
    else:
        value = terms.sigma_prime[l][j] * sum(w * layered_recursion(terms, m, i, calls, cache)
                                              for (m, i), w in terms.feeds[l, j] if m == l + 1)
    cache[l, j] = value
    return value


def test_graph_solution_passes_with_one_evaluation_per_neuron():
    solution = solutions().graph_delta
    assert ex.judge("graph_delta", solution).passed
    assert ex.judge("graph_delta", graph_with("none")).passed
    for net, x, y in nb01.graph_exercise_networks():
        terms, calls, cache = nb01.graph_terms(net, x, y), Counter(), {}
        reference = net.deltas(x, y)
        for l in range(1, net.L + 1):
            for j in range(net.sizes[l]):
                assert np.isclose(solution(terms, l, j, calls, cache), reference[l][j, 0], rtol=1e-12)
        assert sorted(calls.values()) == [1] * sum(net.sizes[1:])


def test_graph_typical_mistakes_get_their_hints():
    assert_hint("graph_delta", graph_with("next layer only"), "only the next layer", "every neuron it feeds")
    assert_hint("graph_delta", layered_recursion, "only the next layer")
    assert_hint("graph_delta", graph_with("no sigma'"), "forgot σ'")
    assert_hint("graph_delta", graph_with("never reads the cache"), "cache is never used")
    assert_hint("graph_delta", graph_with("never counts"), "calls stays empty")
    assert_hint("graph_delta", lambda terms, l, j, calls, cache: terms.delta_output[j],
                "terms.feeds")                   # the base case for every layer: IndexError
    assert_hint("graph_delta", lambda terms, l, j, calls, cache: None, "forget to return")
    assert_hint("graph_delta", "graph_delta", "pass your function itself")


def test_graph_stubs_are_not_attempted():
    def stub(terms, l, j, calls, cache):
        raise NotImplementedError("your code here")
    for untouched in (None, ..., stub):
        assert ex.judge("graph_delta", untouched).status == ex.NOT_ATTEMPTED


# --------------------------------------------------------------------------- the notebook
def test_notebook_01_exercises_have_stubs_checks_and_no_answers(capsys):
    notebook = nbformat.read(NOTEBOOKS / "01_naive_recursion.ipynb", as_version=4)
    start = next(i for i, c in enumerate(notebook.cells) if c.source.startswith("## Exercises"))
    sources = [c.source for c in notebook.cells[start:] if c.cell_type == "code"]
    prompts = "\n".join(c.source for c in notebook.cells[start:] if c.cell_type == "markdown")
    for name in ("naive_calls_by_hand", "cache_look_ups_by_hand", "bottom_up_deltas", "graph_delta"):
        assert any(s.strip() == f"check_{name}({name})" for s in sources), name
    assert "101" not in prompts and "30 " not in prompts
    # the untouched stubs are not attempted
    namespace = {}
    names = ("naive_calls_by_hand", "cache_look_ups_by_hand", "bottom_up_deltas", "graph_delta")
    for source in sources:          # the stubs as they stand: a value, or a def
        if source.startswith(names) or source.startswith(tuple(f"def {n}(" for n in names)):
            exec(source, namespace)
    for name in ("naive_calls_by_hand", "cache_look_ups_by_hand", "bottom_up_deltas", "graph_delta"):
        assert ex.judge(name, namespace[name]).status == ex.NOT_ATTEMPTED, name


def test_naive_calls_takes_any_kind_of_whole_number():
    assert ex.judge("naive_calls_by_hand", np.array(101)).passed
    assert ex.judge("naive_calls_by_hand", Fraction(101)).passed
    assert_hint("naive_calls_by_hand", 10**400, "not the count")          # too big for a float: no crash
    assert_hint("naive_calls_by_hand", float("inf"), "whole number")
    assert_hint("naive_calls_by_hand", np.bool_(True), "should be a number")


# --------------------------------------------------------------------------- cheats
def test_the_checker_modules_private_helpers_are_refused():
    assert_hint("bottom_up_deltas", nb01._deltas_variant, "package's function", "write your own")
    assert_hint("bottom_up_deltas", lambda terms: nb01._deltas_variant(terms), "package's")
    assert_hint("graph_delta", lambda terms, l, j, calls, cache: nb01._graph_variant(terms, l, j, cache),
                "package's")


def test_importing_the_worked_solutions_is_refused():
    imported = imported_solutions("01")
    assert_hint("bottom_up_deltas", imported.bottom_up_deltas, "worked solution", "write your own")
    assert_hint("graph_delta", imported.graph_delta, "worked solution")
    # also when a function of the learner's hands the work on to it
    assert_hint("bottom_up_deltas", lambda terms: imported.bottom_up_deltas(terms), "worked solution")
    bottom_up = imported.bottom_up_deltas
    assert_hint("bottom_up_deltas", lambda terms: bottom_up(terms), "worked solution")


def test_a_graph_delta_without_its_base_case_gets_the_base_case_hint():
    def no_base_case(terms, l, j, calls, cache):
        if (l, j) not in cache:
            calls[l, j] += 1
            total = sum(w * no_base_case(terms, m, i, calls, cache) for (m, i), w in terms.feeds[l, j])
            cache[l, j] = terms.sigma_prime[l][j] * total
        return cache[l, j]
    verdict = assert_hint("graph_delta", no_base_case, "every δ came out 0", "terms.delta_output[j]")
    assert "are off" not in verdict.message and " is off" not in verdict.message
