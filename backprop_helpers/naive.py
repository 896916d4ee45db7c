"""Gradients by naive recursion, counting the calls, and the same recursion with a cache.

The chain rule written as a recursion on the network's layers l = 1..L. The code indexes the
neurons of a layer from 0, as numpy does (j = 0..n_l - 1); the math of the notebooks counts
them from 1, so the code's δ_j^(l) is the math's δ_{j+1}^(l) (``delta_name`` spells it):

    δ_j^(L) = ∂𝓛/∂a_j^(L) · φ'(z_j^(L))                                  (BP1, the base case)
    δ_j^(l) = φ'(z_j^(l)) · Σ_i W_ij^(l+1) δ_i^(l+1)                     (BP2, one entry)
    ∂𝓛/∂b_j^(l) = δ_j^(l),    ∂𝓛/∂W_jk^(l) = δ_j^(l) a_k^(l-1)           (BP3, BP4)

``naive_delta`` evaluates it as written: every request for a δ recomputes every δ above it,
once per path, so the number of calls grows like the number of paths through the network.
``cached_delta`` is the same function with a cache: each δ is evaluated once, and that is
backpropagation. ``naive_call_counts`` gives the number of naive calls in closed form, so the
count of a network too big to run can still be known. ``trace_calls`` lists the calls either
recursion makes, as a tree (who asked whom, and which calls a cache answered); it needs the
layer sizes only, since which δ asks which does not depend on the numbers.
"""
import math
import sys
from collections import Counter
from dataclasses import dataclass, replace
from numbers import Integral

import numpy as np

from .activations import ELEMENTWISE
from .checks import check_whole
from .losses import half_squared_error_gradient
from .network import Gradients, Network, validate_sizes

#: a naive run that would make more calls than this is refused (several seconds of pure Python)
MAX_NAIVE_CALLS = 10_000_000


# --------------------------------------------------------------------------------------------
# Counting in closed form
# --------------------------------------------------------------------------------------------

def architecture(depth, width):
    """Layer sizes of a network ``depth`` layers deep (L = depth) and ``width`` wide, one output.

    [width] * depth + [1]: the input and every hidden layer have ``width`` neurons. The
    network of notebook 01 is architecture(4, 2) = [2, 2, 2, 2, 1].
    """
    for name, value in (("depth", depth), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{name} must be an integer, got {value!r}")
        if value < 1:
            raise ValueError(f"{name} must be >= 1 (a network needs at least one layer of "
                             f"weights and one neuron per layer), got {name} = {value}")
    return [int(width)] * int(depth) + [1]


def naive_call_counts(sizes):
    """Closed form: how often the naive recursion evaluates δ_j^(l), for one neuron j of each layer l.

    Every parameter of layer k asks once for its δ (n_{k-1} weights and one bias per neuron:
    n_k (n_{k-1} + 1) requests), and a request at a neuron of layer k reaches a neuron of layer
    l >= k once per path between them: n_k n_{k+1} ... n_{l-1} paths, one choice of neuron
    per layer in between. Summing over the layers k = 1..l the requests start from:

        c_l = Σ_{k=1..l} (n_{k-1} + 1) · n_k n_{k+1} ... n_{l-1}

    (for k = l the product is empty, = 1). The sum is evaluated by its recurrence
    c_l = (n_{l-1} + 1) + n_{l-1} c_{l-1}, c_1 = n_0 + 1, in one pass over the layers.
    Returns {l: c_l}; exact Python integers.
    """
    sizes = validate_sizes(sizes)
    counts, previous = {}, 0
    for l in range(1, len(sizes)):
        previous = (sizes[l - 1] + 1) + sizes[l - 1] * previous
        counts[l] = previous
    return counts


def naive_call_count(sizes):
    """Closed form: the total number of naive δ evaluations, Σ_l n_l c_l (see naive_call_counts)."""
    sizes = validate_sizes(sizes)
    return sum(sizes[l] * c for l, c in naive_call_counts(sizes).items())


def cached_call_count(sizes):
    """With a cache every δ_j^(l) is evaluated once: n_1 + ... + n_L evaluations."""
    return sum(validate_sizes(sizes)[1:])


def path_count(sizes):
    """The number of input-to-output paths n_0 n_1 ... n_L: one neuron chosen in every layer."""
    return math.prod(validate_sizes(sizes))


# --------------------------------------------------------------------------------------------
# The recursion
# --------------------------------------------------------------------------------------------

def delta_name(l, j):
    """The math's name of the δ the code keys as (l, j): neurons count from 1 in the math.

    delta_name(1, 0) == "delta_1^(1)": Python index 0 is neuron 1 of the notebooks.
    """
    check_whole(l, "delta_name: the layer l", minimum=1)
    check_whole(j, "delta_name: the neuron index j", minimum=0)
    return f"delta_{j + 1}^({l})"


@dataclass
class LocalTerms:
    """What the recursion reads, as plain Python floats: one forward pass of one sample.

    ``W[l][i][j]`` is W_ij^(l), ``sigma_prime[l][j]`` is φ'(z_j^(l)), ``a[l][k]`` is a_k^(l)
    (``a[0]`` is x) and ``delta_output[j]`` is δ_j^(L), the base case (BP1).
    """
    sizes: list
    W: dict
    sigma_prime: dict
    a: dict
    delta_output: list
    loss: float

    @property
    def L(self):
        return len(self.sizes) - 1


def local_terms(network, x, y):
    """The forward-pass values the recursion needs, for one sample x with target y.

    The recursion handles the elementwise activations (sigmoid, relu, tanh, identity) and the
    half squared error; a softmax layer mixes its neurons and is left to network.backward.
    """
    _validate_network(network)
    for l, name in network.activations.items():
        if name not in ELEMENTWISE:
            raise ValueError(f"layer {l}: the recursion handles elementwise activations "
                             f"{tuple(ELEMENTWISE)}, not {name!r}")
    if network.loss_name != "half_squared_error":
        raise ValueError(f"the recursion's base case is the half squared error, "
                         f"not {network.loss_name!r}")
    record = network.forward(x)
    if record.a[0].shape[1] != 1:
        raise ValueError(f"the recursion takes one sample: x must be one column of "
                         f"{record.a[0].shape[0]} values, got shape {record.a[0].shape}")
    loss = network.loss(x, y, record)  # also checks the shape of y
    L = network.L
    sigma_prime = {l: ELEMENTWISE[network.activations[l]][1](record.z[l]).ravel().tolist()
                   for l in range(1, L + 1)}
    grad_a = half_squared_error_gradient(record.a[L], y).ravel()  # ∂𝓛/∂a^(L) = a^(L) - y
    return LocalTerms(sizes=network.sizes,
                      W={l: network.W[l].tolist() for l in range(1, L + 1)},
                      sigma_prime=sigma_prime,
                      a={l: record.a[l].ravel().tolist() for l in range(0, L + 1)},
                      delta_output=[g * s for g, s in zip(grad_a.tolist(), sigma_prime[L])],
                      loss=loss)


def naive_delta(terms, l, j, calls):
    """δ_j^(l) = ∂𝓛/∂z_j^(l) straight from the chain rule, recomputing everything it needs.

    ``calls`` is a Counter: every evaluation adds 1 to calls[(l, j)].
    """
    calls[l, j] += 1
    if l == terms.L:
        return terms.delta_output[j]                              # BP1: the base case
    total = 0.0
    for i in range(terms.sizes[l + 1]):                           # every neuron that z_j^(l) feeds
        total += terms.W[l + 1][i][j] * naive_delta(terms, l + 1, i, calls)
    return terms.sigma_prime[l][j] * total                        # BP2, one entry


def cached_delta(terms, l, j, calls, cache):
    """The same recursion as naive_delta, but each δ_j^(l) is computed once and then looked up.

    ``cache`` is a dict {(l, j): δ_j^(l)}; ``calls`` counts evaluations (not look-ups), so
    each neuron is counted once.
    """
    if (l, j) in cache:
        return cache[l, j]
    calls[l, j] += 1
    if l == terms.L:
        value = terms.delta_output[j]                             # BP1: the base case
    else:
        total = 0.0
        for i in range(terms.sizes[l + 1]):
            total += terms.W[l + 1][i][j] * cached_delta(terms, l + 1, i, calls, cache)
        value = terms.sigma_prime[l][j] * total                   # BP2, one entry
    cache[l, j] = value
    return value


@dataclass
class RecursionResult:
    """Gradients found by a recursion, and how often it evaluated each δ_j^(l).

    ``calls[(l, j)]`` counts the evaluations of δ_j^(l), keyed by code indices (j counts
    from 0, l from 1); delta_name(l, j) gives the math's name.
    """
    gradients: Gradients
    calls: Counter
    loss: float

    @property
    def total_calls(self):
        return sum(self.calls.values())

    def calls_by_layer(self):
        """{l: [calls of index 0 (the math's neuron 1), index 1, ...]} for l = 1..L."""
        L = max(l for l, _ in self.calls)
        return {l: [self.calls[l, j] for j in range(1 + max(j for k, j in self.calls if k == l))]
                for l in range(1, L + 1)}


def _all_gradients(terms, delta_of):
    """Every ∂𝓛/∂W and ∂𝓛/∂b, asking delta_of(l, j) afresh for each parameter, one at a time."""
    a = terms.a
    delta, dW, db = {}, {}, {}
    for l in range(1, terms.L + 1):
        n_out, n_in = terms.sizes[l], terms.sizes[l - 1]
        dW[l] = np.zeros((n_out, n_in))
        db[l] = np.zeros((n_out, 1))
        for j in range(n_out):
            for k in range(n_in):
                dW[l][j, k] = delta_of(l, j) * a[l - 1][k]         # BP4, one entry
            db[l][j, 0] = delta_of(l, j)                           # BP3, one entry
        delta[l] = db[l].copy()
    return Gradients(delta, dW, db)


def _validate_network(network):
    if not isinstance(network, Network):
        raise ValueError(f"expected a backprop_helpers Network, got {type(network).__name__}")


def _stack_depth():
    """How many frames deep the caller already is (they count against the recursion limit too)."""
    depth, frame = 0, sys._getframe(1)
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


def _check_recursion_depth(L):
    """A ValueError, before any work, if a recursion L calls deep would hit Python's limit here."""
    limit, used = sys.getrecursionlimit(), _stack_depth()
    if used + L + 50 > limit:
        raise ValueError(f"the recursion is {L} calls deep, and with the {used} frames already "
                         f"on the stack Python allows about {limit - used}; use network.backward "
                         f"for networks this deep")


def naive_gradients(network, x, y, max_calls=MAX_NAIVE_CALLS):
    """Every gradient of the loss at one sample by naive recursion, counting each δ evaluation.

    Refuses (ValueError) a network whose closed-form call count exceeds ``max_calls``: that
    many pure-Python calls would not finish in reasonable time.
    """
    _validate_network(network)
    check_whole(max_calls, "naive_gradients: max_calls", minimum=0)
    needed = naive_call_count(network.sizes)
    if needed > max_calls:
        raise ValueError(f"naive recursion on a network of sizes {network.sizes} would make "
                         f"{needed:,} calls, more than max_calls = {max_calls:,}; use "
                         f"cached_gradients for the gradients, naive_call_count for the count")
    _check_recursion_depth(network.L)
    terms = local_terms(network, x, y)
    calls = Counter()
    gradients = _all_gradients(terms, lambda l, j: naive_delta(terms, l, j, calls))
    return RecursionResult(gradients, calls, terms.loss)


def cached_gradients(network, x, y):
    """The same gradients as naive_gradients, with each δ_j^(l) evaluated once (backpropagation)."""
    _validate_network(network)
    _check_recursion_depth(network.L)
    terms = local_terms(network, x, y)
    calls, cache = Counter(), {}
    gradients = _all_gradients(terms, lambda l, j: cached_delta(terms, l, j, calls, cache))
    return RecursionResult(gradients, calls, terms.loss)


# --------------------------------------------------------------------------------------------
# Growth with depth
# --------------------------------------------------------------------------------------------

#: counts up to this many naive calls are measured by running the recursion (a few ms)
MAX_MEASURED_CALLS = 20_000


def measured_call_counts(sizes):
    """(naive, cached) calls counted by actually running both recursions on a random network."""
    network = Network.random(sizes, seed=0)
    x, y = np.zeros((sizes[0], 1)), np.zeros((sizes[-1], 1))
    return (naive_gradients(network, x, y).total_calls,
            cached_gradients(network, x, y).total_calls)


@dataclass
class CallGrowth:
    """Naive and cached call counts for architecture(depth, width) over a range of depths.

    ``measured[i]`` says whether the counts at ``depths[i]`` were measured by running the
    recursions (cheap cases) or taken from the closed form.
    """
    width: int
    depths: list
    naive: list
    cached: list
    measured: list


def call_growth(width, depths, max_measured_calls=MAX_MEASURED_CALLS):
    """CallGrowth for ``width`` over ``depths``.

    Counts are measured by running the recursions where the closed form promises at most
    ``max_measured_calls`` naive calls, and taken from the closed form beyond.
    """
    check_whole(max_measured_calls, "call_growth: max_measured_calls", minimum=0)
    depths = _items(depths, "call_growth: depths")
    if not depths:
        raise ValueError("call_growth: depths is empty; give at least one depth, e.g. [1, 2, 3]")
    naive, cached, measured = [], [], []
    for depth in depths:
        sizes = architecture(depth, width)
        is_cheap = naive_call_count(sizes) <= max_measured_calls
        counts = (measured_call_counts(sizes) if is_cheap
                  else (naive_call_count(sizes), cached_call_count(sizes)))
        naive.append(counts[0])
        cached.append(counts[1])
        measured.append(is_cheap)
    return CallGrowth(int(width), depths, naive, cached, measured)


# --------------------------------------------------------------------------------------------
# The call tree: which δ asks which, step by step
# --------------------------------------------------------------------------------------------

#: a traced recursion is refused beyond this many calls (the tree is for looking at)
MAX_TRACED_CALLS = 5_000


@dataclass(frozen=True)
class Call:
    """One call of the recursion, a node of its call tree.

    ``node`` = (l, j) is the δ asked for (code indices, j from 0); ``parent`` the index of the
    call that asked (None for a request made by a parameter); ``depth`` its distance from that
    request; ``looked_up`` is True when a cache answered (no evaluation, no further calls);
    ``request`` the index of the parameter request it belongs to; ``end`` the number of calls
    made when this one returned (so at any step, the calls still on the stack are known).
    """
    index: int
    node: tuple
    parent: object
    depth: int
    looked_up: bool
    request: int
    end: int


def parameter_requests(sizes):
    """The δ requests of a full gradient, in the order _all_gradients makes them.

    For each neuron (l, j): one request per weight W_jk^(l) (k = 0..n_{l-1} - 1), then one for
    the bias b_j^(l); n_l (n_{l-1} + 1) requests per layer.
    """
    sizes = validate_sizes(sizes)
    return [(l, j) for l in range(1, len(sizes)) for j in range(sizes[l])
            for _ in range(sizes[l - 1] + 1)]


def _items(values, what):
    """``values`` as a list, or a TypeError naming ``what`` when it is not a collection."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{what} must be a list, got {type(values).__name__} {values!r}")
    return list(values)


def _request(request):
    """One request (l, j) as a pair of ints, or a ValueError naming it."""
    pair = tuple(request) if hasattr(request, "__iter__") and not isinstance(request, str) else ()
    if len(pair) != 2 or not all(isinstance(v, Integral) and not isinstance(v, bool) for v in pair):
        raise ValueError(f"trace_calls: each request must be a pair of ints (l, j), got {request!r}")
    return tuple(int(v) for v in pair)


def trace_calls(sizes, requests, cached, max_calls=MAX_TRACED_CALLS):
    """The call tree of the recursion for ``requests`` (a list of (l, j)), in the order made.

    The tree depends on the layer sizes only, not on the numbers, so no network is needed.
    ``cached`` False traces naive_delta; True traces cached_delta with one cache shared by all
    requests (a call for a δ already in the cache is a look-up). Returns a list of Call.
    Refuses (ValueError) more than ``max_calls`` calls, before making them when the count is
    known in closed form.
    """
    sizes = validate_sizes(sizes)
    L = len(sizes) - 1
    check_whole(max_calls, "trace_calls: max_calls", minimum=0)
    requests = [_request(request) for request in _items(requests, "trace_calls: requests")]
    if len(requests) > max_calls:
        raise ValueError(f"{len(requests):,} requests make more than max_calls = {max_calls:,} calls")
    for l, j in requests:
        if not (1 <= l <= L and 0 <= j < sizes[l]):
            raise ValueError(f"no neuron (l, j) = ({l}, {j}) in a network of sizes {sizes}: "
                             f"l runs 1..{L}, j from 0 to n_l - 1")
    if not cached:
        per_request = {(l, j): 1 + sum(math.prod(sizes[l + 1:m + 1]) for m in range(l + 1, L + 1))
                       for l, j in set(requests)}
        needed = sum(per_request[r] for r in requests)
        if needed > max_calls:
            raise ValueError(f"the naive recursion makes {needed:,} calls for these requests on "
                             f"sizes {sizes}, more than max_calls = {max_calls:,}")
    calls, done = [], set()
    # an explicit stack instead of Python recursion: (node, parent, depth, request)
    for number, request in enumerate(requests):
        stack = [(request, None, 0)]
        while stack:
            node, parent, depth = stack.pop()
            if node == "return":
                index = parent
                calls[index] = replace(calls[index], end=len(calls))
                done.add(calls[index].node)
                continue
            if len(calls) >= max_calls:
                raise ValueError(f"the traced recursion passed max_calls = {max_calls:,} calls "
                                 f"on sizes {sizes}")
            index = len(calls)
            looked_up = cached and node in done
            calls.append(Call(index, node, parent, depth, looked_up, number, index + 1))
            if looked_up:
                continue
            stack.append(("return", index, depth))
            l, _ = node
            if l < L:   # the neurons it feeds, pushed in reverse so they are visited in order
                stack.extend(((l + 1, i), index, depth + 1) for i in reversed(range(sizes[l + 1])))
    return calls
