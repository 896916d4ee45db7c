"""Naive and cached recursive gradients, their call counts and the closed form.

Independent routes: the HIPS autograd package, the package's BP1–BP4 backward pass, a hand
recurrence for the counts, and the path enumeration of network.paths_to_output (notebook 01's
reference values: test_notebook_01_naive.py).
"""
import sys
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import AUTOGRAD_ACTIVATIONS, autograd_network_gradients, recurrence_counts

from backprop_helpers import naive
from backprop_helpers.examples import naive_recursion_example
from backprop_helpers.network import Network, paths_to_output

# ---------------------------------------------------------------------------------------------
# Random cases
# ---------------------------------------------------------------------------------------------

def random_case(sizes, activation, seed):
    network = Network.random(sizes, activations=activation, seed=seed)
    rng = np.random.default_rng(seed + 1)
    return network, rng.normal(size=(sizes[0], 1)), rng.normal(size=(sizes[-1], 1))


architectures = st.lists(st.integers(1, 3), min_size=2, max_size=5)


# ---------------------------------------------------------------------------------------------
# The cache on notebook 01's network (its reference values: test_notebook_01_naive.py)
# ---------------------------------------------------------------------------------------------

def test_cached_evaluates_each_neuron_once_with_identical_gradients():
    net, x, y = naive_recursion_example()
    slow = naive.naive_gradients(net, x, y)
    fast = naive.cached_gradients(net, x, y)
    assert fast.calls == Counter({(l, j): 1 for l in range(1, 5) for j in range(net.sizes[l])})
    assert fast.total_calls == 7 == naive.cached_call_count(net.sizes)
    for l in range(1, net.L + 1):  # the same floating-point operations in the same order
        assert np.array_equal(slow.gradients.dW[l], fast.gradients.dW[l])
        assert np.array_equal(slow.gradients.db[l], fast.gradients.db[l])
        assert np.array_equal(slow.gradients.delta[l], fast.gradients.delta[l])


# ---------------------------------------------------------------------------------------------
# Any architecture: gradients and counts
# ---------------------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(sizes=architectures, activation=st.sampled_from(sorted(AUTOGRAD_ACTIVATIONS)),
       seed=st.integers(0, 10_000))
def test_naive_and_cached_equal_backward_and_counts_equal_closed_form(sizes, activation, seed):
    net, x, y = random_case(sizes, activation, seed)
    slow = naive.naive_gradients(net, x, y)
    fast = naive.cached_gradients(net, x, y)
    bp = net.gradients(x, y)
    for l in range(1, net.L + 1):
        np.testing.assert_allclose(slow.gradients.dW[l], bp.dW[l], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(slow.gradients.db[l], bp.db[l], rtol=1e-12, atol=1e-15)
        assert np.array_equal(slow.gradients.dW[l], fast.gradients.dW[l])
    closed = naive.naive_call_counts(sizes)
    assert slow.calls == Counter({(l, j): closed[l] for l in closed for j in range(sizes[l])})
    assert slow.total_calls == naive.naive_call_count(sizes)
    assert fast.total_calls == naive.cached_call_count(sizes) == sum(sizes[1:])
    assert set(fast.calls.values()) == {1}


@settings(max_examples=15, deadline=None)
@given(sizes=architectures, activation=st.sampled_from(sorted(AUTOGRAD_ACTIVATIONS)),
       seed=st.integers(0, 10_000))
def test_naive_gradients_equal_autograd(sizes, activation, seed):
    net, x, y = random_case(sizes, activation, seed)
    g = naive.naive_gradients(net, x, y).gradients
    dW, db = autograd_network_gradients(net, x, y)
    for l in range(1, net.L + 1):
        np.testing.assert_allclose(g.dW[l], dW[l], rtol=1e-11, atol=1e-15)
        np.testing.assert_allclose(g.db[l], db[l], rtol=1e-11, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(1, 50), min_size=2, max_size=12))
def test_closed_form_equals_hand_recurrence(sizes):
    assert naive.naive_call_counts(sizes) == recurrence_counts(sizes)
    assert naive.naive_call_count(sizes) == sum(sizes[l] * c for l, c in recurrence_counts(sizes).items())


@settings(max_examples=30, deadline=None)
@given(sizes=architectures, data=st.data())
def test_one_naive_request_evaluates_each_neuron_once_per_path(sizes, data):
    """A single request for δ_j^(l) reaches neuron i of layer m once per path from (l, j) to (m, i)."""
    l = data.draw(st.integers(1, len(sizes) - 1))
    j = data.draw(st.integers(0, sizes[l] - 1))
    net, x, y = random_case(sizes, "sigmoid", 0)
    calls = Counter()
    naive.naive_delta(naive.local_terms(net, x, y), l, j, calls)
    paths = paths_to_output(sizes, l, j)
    expected = Counter()
    for m in range(l, len(sizes)):
        for prefix in {p[:m - l + 1] for p in paths}:
            expected[m, prefix[-1]] += 1
    assert calls == expected


@settings(max_examples=30, deadline=None)
@given(sizes=architectures)
def test_path_count_equals_enumerated_paths(sizes):
    assert naive.path_count(sizes) == sum(len(paths_to_output(sizes, 0, i)) for i in range(sizes[0]))


def test_architecture_and_the_notebook_01_network():
    assert naive.architecture(4, 2) == naive_recursion_example().network.sizes
    assert naive.architecture(1, 5) == [5, 1]
    assert naive.path_count([2, 2, 2, 2, 1]) == 16


def test_call_growth_measures_cheap_depths_and_agrees_with_closed_form():
    growth = naive.call_growth(2, range(1, 16), max_measured_calls=5_000)
    for depth, count, cached, measured in zip(growth.depths, growth.naive, growth.cached, growth.measured):
        sizes = naive.architecture(depth, 2)
        assert measured == (naive.naive_call_count(sizes) <= 5_000)
        assert count == naive.naive_call_count(sizes)
        assert cached == naive.cached_call_count(sizes)
    assert growth.measured[:8] == [True] * 8 and not any(growth.measured[-3:])


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("depth, width, message", [
    (0, 2, "depth must be >= 1"), (3, 0, "width must be >= 1"), (-1, 2, "depth must be >= 1"),
    (2.5, 2, "depth must be an integer"), (2, "3", "width must be an integer"),
    (True, 2, "depth must be an integer"),
])
def test_architecture_rejects_bad_depth_and_width(depth, width, message):
    with pytest.raises(ValueError, match=message):
        naive.architecture(depth, width)


@pytest.mark.parametrize("sizes, message", [
    ([3], "at least two layers"), ([], "at least two layers"),
    ([2, 0, 1], "layer 1: width must be >= 1"), ([2, 1.5], "layer 1: width must be an integer"),
])
def test_counts_reject_bad_sizes(sizes, message):
    for count in (naive.naive_call_counts, naive.naive_call_count, naive.cached_call_count,
                  naive.path_count):
        with pytest.raises(ValueError, match=message):
            count(sizes)


def test_naive_refuses_a_run_over_the_call_budget_before_doing_any_work():
    net, x, y = random_case(naive.architecture(30, 2), "sigmoid", 0)
    needed = naive.naive_call_count(net.sizes)
    assert needed > naive.MAX_NAIVE_CALLS
    with pytest.raises(ValueError, match=f"would make {needed:,} calls, more than max_calls"):
        naive.naive_gradients(net, x, y)
    net, x, y = naive_recursion_example()
    with pytest.raises(ValueError, match="111 calls, more than max_calls = 110"):
        naive.naive_gradients(net, x, y, max_calls=110)
    assert naive.naive_gradients(net, x, y, max_calls=111).total_calls == 111


def test_recursion_deeper_than_python_allows_is_refused():
    depth = sys.getrecursionlimit()
    net, x, y = random_case(naive.architecture(depth, 1), "identity", 0)
    for run in (naive.naive_gradients, naive.cached_gradients):
        with pytest.raises(ValueError, match=f"{depth} calls deep"):
            run(net, x, y)


def test_recursion_rejects_what_it_does_not_handle():
    net, x, y = naive_recursion_example()
    with pytest.raises(ValueError, match="one sample"):
        naive.naive_gradients(net, np.hstack([x, x]), np.hstack([y, y]))
    with pytest.raises(ValueError, match="target y"):
        naive.naive_gradients(net, x, [[0.9], [0.1]])
    softmax = Network([[[1.0, 0.0], [0.0, 1.0]]], [[0.0, 0.0]], "softmax", loss="cross_entropy")
    with pytest.raises(ValueError, match="layer 1: .*elementwise.*'softmax'"):
        naive.cached_gradients(softmax, x, [[1.0], [0.0]])
    with pytest.raises(ValueError, match="expected a backprop_helpers Network"):
        naive.naive_gradients("not a network", x, y)


def test_the_recursion_guard_counts_the_frames_the_caller_already_uses():
    # a width-1 chain that fits the limit from the top level, asked from deep inside a caller
    depth = sys.getrecursionlimit() - 100
    net, x, y = random_case(naive.architecture(depth, 1), "identity", 0)

    def nested(k):
        return naive.cached_gradients(net, x, y) if k == 0 else nested(k - 1)
    with pytest.raises(ValueError, match="frames already on the stack"):
        nested(80)


def test_closed_form_counts_are_linear_in_depth():
    import time
    start = time.perf_counter()
    total = naive.naive_call_count([2] * 2000 + [1])
    assert time.perf_counter() - start < 0.5            # was seconds: O(L^2) big-integer products
    assert total == recurrence_total([2] * 2000 + [1])
    growth = naive.call_growth(6, range(1, 401), max_measured_calls=1_000)
    assert growth.naive[-1] == recurrence_total(naive.architecture(400, 6))


def recurrence_total(sizes):
    return sum(sizes[l] * c for l, c in recurrence_counts(sizes).items())


# ---------------------------------------------------------------------------------------------
# The call tree
# ---------------------------------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 3), min_size=2, max_size=5))
def test_traced_calls_equal_the_counters_of_both_recursions(sizes):
    net, x, y = random_case(sizes, "tanh", 3)
    requests = naive.parameter_requests(sizes)
    assert len(requests) == sum(p.size for p in net.parameters().values())
    naive_tree = naive.trace_calls(sizes, requests, cached=False)
    cached_tree = naive.trace_calls(sizes, requests, cached=True)
    assert Counter(c.node for c in naive_tree) == naive.naive_gradients(net, x, y).calls
    assert Counter(c.node for c in cached_tree if not c.looked_up) == naive.cached_gradients(net, x, y).calls
    L = len(sizes) - 1
    # every call is made by a parameter or by an evaluated δ, once per neuron that δ feeds
    inner = sum(sizes[l] * sizes[l + 1] for l in range(1, L))
    assert len(cached_tree) == len(requests) + inner
    for tree in (naive_tree, cached_tree):
        for call in tree:
            if call.parent is None:
                assert call.depth == 0 and requests[call.request] == call.node
            else:
                parent = tree[call.parent]
                assert parent.node[0] + 1 == call.node[0] and not parent.looked_up
                assert call.depth == parent.depth + 1 and parent.index < call.index <= parent.end - 1
            assert call.end >= call.index + 1


def test_one_request_call_tree_of_the_notebook_network():
    tree = naive.trace_calls([2, 2, 2, 2, 1], [(1, 0)], cached=False)
    assert [c.node for c in tree] == [(1, 0), (2, 0), (3, 0), (4, 0), (3, 1), (4, 0),
                                      (2, 1), (3, 0), (4, 0), (3, 1), (4, 0)]
    cached = naive.trace_calls([2, 2, 2, 2, 1], [(1, 0)], cached=True)
    assert [(c.node, c.looked_up) for c in cached] == [
        ((1, 0), False), ((2, 0), False), ((3, 0), False), ((4, 0), False), ((3, 1), False),
        ((4, 0), True), ((2, 1), False), ((3, 0), True), ((3, 1), True)]


def test_trace_calls_refuses_bad_requests_and_big_trees():
    with pytest.raises(ValueError, match=r"no neuron \(l, j\) = \(5, 0\)"):
        naive.trace_calls([2, 2, 1], [(5, 0)], cached=False)
    with pytest.raises(ValueError, match=r"no neuron \(l, j\) = \(1, 2\)"):
        naive.trace_calls([2, 2, 1], [(1, 2)], cached=True)
    sizes = naive.architecture(12, 3)
    with pytest.raises(ValueError, match="more than max_calls"):
        naive.trace_calls(sizes, naive.parameter_requests(sizes), cached=False)
    assert len(naive.trace_calls(sizes, naive.parameter_requests(sizes), cached=True)) < 500


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

def test_delta_name_counts_neurons_from_one():
    assert naive.delta_name(1, 0) == "delta_1^(1)"
    assert naive.delta_name(4, 2) == "delta_3^(4)"
