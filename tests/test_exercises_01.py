"""Notebook 01's exercises: counting the naive recursion's calls, and the cached δ recursion."""
from collections import Counter

import numpy as np

from backprop_helpers import exercises as ex
from backprop_helpers import naive
from backprop_helpers.network import Network
from exercise_support import assert_hint, solutions


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
