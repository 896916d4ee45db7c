"""Exercises of notebook 01 (the naive recursion): counting its calls and its cache's look-ups by
hand, a bottom-up cache, and the cached recursion on a network with skip connections.

    check_naive_calls_by_hand(n)        the naive count for sizes [3, 2, 4, 1], by hand
    check_cache_look_ups_by_hand(n)     how many calls the cache answers there, by hand
    check_bottom_up_deltas(f)           f(terms) -> {(l, j): δ}, loops from the output down
    check_graph_delta(f)                f(terms, l, j, calls, cache) on a network with skips
"""
import math
import sys
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .. import naive
from ..activations import sigmoid, sigmoid_prime
from ..examples import naive_recursion_example
from ..network import Network, validate_sizes
from .core import WrongAnswer, as_array, diagnose, exercise, learner_error

#: Exercises 01.1 and 01.2's architecture: 3 inputs, hidden layers of 2 and 4 neurons, one output
NAIVE_CALLS_EXERCISE_SIZES = [3, 2, 4, 1]


# --------------------------------------------------------------------------- counting by hand
def _whole_number(answer, what):
    """The learner's count as an int, or a WrongAnswer saying why it is not a whole number."""
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer.item()
    if isinstance(answer, (bool, np.bool_, str)) or not isinstance(
            answer, (int, float, Fraction, np.integer, np.floating)):
        raise WrongAnswer(f"{what} should be a number (a whole number), got {type(answer).__name__}")
    if isinstance(answer, (int, np.integer)):
        return int(answer)
    if isinstance(answer, Fraction):
        if answer.denominator != 1:
            raise WrongAnswer(f"a count of calls is a whole number, got {answer}")
        return int(answer)
    if not math.isfinite(answer) or answer != int(answer):
        raise WrongAnswer(f"a count of calls is a whole number, got {answer}")
    return int(answer)


def _requests_per_neuron_counts(sizes, per_neuron_requests):
    """Total naive evaluations when each neuron of layer l is asked per_neuron_requests(l) times."""
    L = len(sizes) - 1
    return sum(sizes[l] * sum(per_neuron_requests(k) * math.prod(sizes[k:l]) for k in range(1, l + 1))
               for l in range(1, L + 1))


def _parameter_count(sizes):
    return sum(sizes[l] * (sizes[l - 1] + 1) for l in range(1, len(sizes)))


@exercise
def check_naive_calls_by_hand(answer):
    """Exercise 01.1: the naive recursion's total δ evaluations for sizes [3, 2, 4, 1], by hand."""
    got, sizes = _whole_number(answer, "your count"), NAIVE_CALLS_EXERCISE_SIZES
    if got == naive.naive_call_count(sizes):
        return
    counts = naive.naive_call_counts(sizes)
    L = len(sizes) - 1
    hints = [
        (naive.cached_call_count(sizes), "that is the count with a cache, one evaluation per neuron; "
                                         "the naive recursion recomputes δ for every request"),
        (naive.path_count(sizes), "that is the number of input-to-output paths, not of evaluations: "
                                  "count the requests of each layer and what each request calls"),
        (_requests_per_neuron_counts(sizes, lambda k: sizes[k - 1]),
         "you counted the weights' requests only: each neuron's bias asks for its δ too "
         "(n_{l-1} + 1 requests per neuron, not n_{l-1})"),
        (_requests_per_neuron_counts(sizes, lambda k: 1),
         "you asked once per neuron; in this notebook every parameter asks for its δ afresh: "
         "a neuron of layer l is asked n_{l-1} + 1 times by its own weights and bias"),
        (_parameter_count(sizes), "that is the number of parameters, one request each; every request "
                                  "also calls δ of every neuron its neuron feeds, and so on up to the output"),
        (sum(counts.values()), "you added c_l once per layer, but c_l counts one neuron: layer l has "
                               "n_l neurons, so the total is Σ_l n_l c_l"),
        (counts[L], "that is the count of the output neuron alone; add the evaluations of every "
                    "neuron of every layer"),
        (naive.naive_call_count(sizes[::-1]), "you read the sizes backwards: n_0 = 3 is the input "
                                              "and n_3 = 1 the output"),
    ]
    for value, hint in hints:
        if got == value:
            raise WrongAnswer(hint)
    raise WrongAnswer("that is not the count; find c_l = (n_{l-1} + 1) + n_{l-1} c_{l-1} layer by "
                 "layer (c_1 = n_0 + 1), check each step, then add n_l c_l over the layers")


def cache_look_ups(sizes):
    """Calls a cache answers when every parameter asks for its δ: every call minus the evaluations.

    Calls: one per parameter, plus n_{l+1} from every evaluated δ of a layer l < L.
    Evaluations: one per neuron. The order of the requests does not matter.
    """
    sizes = validate_sizes(sizes)
    return _parameter_count(sizes) + _inner_calls(sizes) - naive.cached_call_count(sizes)


def _inner_calls(sizes):
    """The calls evaluated δs make: each δ of a layer 0 < l < L calls the n_{l+1} δs it feeds."""
    return sum(sizes[l] * sizes[l + 1] for l in range(1, len(sizes) - 1))


@exercise
def check_cache_look_ups_by_hand(answer):
    """Exercise 01.2: how many calls the cache answers for sizes [3, 2, 4, 1], by hand."""
    got, sizes = _whole_number(answer, "your count"), NAIVE_CALLS_EXERCISE_SIZES
    expected = cache_look_ups(sizes)
    if got == expected:
        return
    parameters, inner = _parameter_count(sizes), _inner_calls(sizes)
    evaluations = naive.cached_call_count(sizes)
    hints = [
        (parameters + inner, "that counts every call; the first call for each δ evaluates it, and "
                             "only the others are answered by the cache"),
        (parameters, "that is the number of parameters, one request each; but an evaluated δ "
                     "also calls the δs of the neurons it feeds, and those calls can hit the cache too"),
        (parameters - evaluations, "you counted the parameters' repeated requests; an evaluated δ also "
                                   "calls the δ of every neuron it feeds, and those calls count too"),
        (inner, "that counts the calls the δs make to the next layer; the parameters' own "
                "requests go through the cache as well"),
        (evaluations, "that is the number of evaluations, one per neuron; the question asks for "
                      "the calls the cache answers without evaluating"),
        (naive.naive_call_count(sizes), "that is the naive recursion's count of evaluations; with the "
                                        "cache, count the calls answered by a look-up"),
        (naive.naive_call_count(sizes) - evaluations,
         "that is how many evaluations the cache saves; a look-up is a call, and the cache also "
         "cuts off every call a repeated evaluation would have made below it"),
    ]
    for value, hint in hints:
        if got == value:
            raise WrongAnswer(hint)
    raise WrongAnswer("that is not the count; count every call (one per parameter, plus one from each "
                 "evaluated δ to each neuron it feeds) and take away the evaluations")


# --------------------------------------------------------------------------- bottom-up deltas
def _chain_terms(depth):
    """LocalTerms of a width-1 chain ``depth`` layers deep, identity activation, every weight 1:
    every δ is the output's δ, 0.5. Deeper than Python's recursion limit, by design."""
    ones = {l: [1.0] for l in range(1, depth + 1)}
    return naive.LocalTerms(sizes=[1] * (depth + 1), W={l: [[1.0]] for l in range(1, depth + 1)},
                            sigma_prime=ones, a={l: [0.0] for l in range(depth + 1)},
                            delta_output=[0.5], loss=0.125)


def bottom_up_exercise_networks():
    """Exercise 01.3's test networks, (network, x, y): the square one first (a swapped weight
    index gives wrong values there, not an IndexError), the notebook's, a chain, wider ones."""
    cases = [([2, 2, 2, 2], "sigmoid", 21), None, ([1, 1, 1, 1, 1], "tanh", 22),
             (NAIVE_CALLS_EXERCISE_SIZES, "sigmoid", 23), ([3, 4, 3, 2], "tanh", 24)]
    networks = []
    for case in cases:
        if case is None:
            networks.append(tuple(naive_recursion_example()))
            continue
        sizes, activation, seed = case
        rng = np.random.default_rng(seed)
        networks.append((Network.random(sizes, activations=activation, seed=seed),
                         rng.normal(size=(sizes[0], 1)), rng.uniform(size=(sizes[-1], 1))))
    return networks


def _deltas_variant(terms, with_sigma_prime=True, swapped_index=False):
    """The δs bottom-up, right or with one typical mistake (to name the mistake, never shown)."""
    delta = {(terms.L, j): v for j, v in enumerate(terms.delta_output)}
    for l in range(terms.L - 1, 0, -1):
        for j in range(terms.sizes[l]):
            total = sum((terms.W[l + 1][j][i] if swapped_index else terms.W[l + 1][i][j]) * delta[l + 1, i]
                        for i in range(terms.sizes[l + 1]))
            delta[l, j] = terms.sigma_prime[l][j] * total if with_sigma_prime else total
    return delta


def _learner_deltas(function, terms):
    """The learner's {(l, j): δ}, checked for type and keys, with hints for typical errors."""
    try:
        got = function(terms)
    except RecursionError as error:
        raise learner_error(error, f"a network {terms.L} layers deep is deeper than Python lets a "
                             f"recursion go: use loops, from the output layer down, no recursion") from None
    except KeyError as error:
        raise learner_error(error, "a δ was read before it was computed: fill the table from the output "
                             "down (l = L, L - 1, ..., 1), since δ of layer l needs layer l + 1's") from None
    if got is None:
        raise WrongAnswer("your function returned None: return the dict of δs")
    if not isinstance(got, dict):
        raise WrongAnswer(f"return a dict {{(l, j): δ_j^(l)}} keyed like the cache, got {type(got).__name__}")
    wanted = {(l, j) for l in range(1, terms.L + 1) for j in range(terms.sizes[l])}
    missing = sorted(wanted - set(got))
    if missing:
        names = ", ".join(naive.delta_name(l, j) for l, j in missing[:3])
        raise WrongAnswer(f"your dict has no δ for {len(missing)} neuron(s), e.g. {names} (key (l, j), "
                     f"l from 1 to L, j from 0); every layer 1..L needs its δs")
    extra = sorted(set(got) - wanted, key=repr)
    if extra:
        raise WrongAnswer(f"your dict has keys that are no neuron of layers 1..L: {extra[:3]}")
    return got


@exercise(callable_answer=True, references=(naive.cached_delta, naive.naive_delta, _deltas_variant))
def check_bottom_up_deltas(function):
    """Exercise 01.3: ``bottom_up_deltas(terms)``, every δ by loops from the output down."""
    for net, x, y in bottom_up_exercise_networks():
        terms = naive.local_terms(net, x, y)
        keys = [(l, j) for l in range(1, net.L + 1) for j in range(net.sizes[l])]
        got_dict = _learner_deltas(function, terms)
        got = as_array([got_dict[k] for k in keys], "your δs")
        backward = net.gradients(x, y).delta
        expected = np.array([backward[l][j, 0] for l, j in keys])
        wrong = [(np.array([v[k] for k in keys]), hint) for v, hint in [
            (_deltas_variant(terms, with_sigma_prime=False),
             "you forgot σ': each δ_j^(l) is σ'(z_j^(l)) times the weighted sum, terms.sigma_prime[l][j]")]]
        if len(set(net.sizes)) == 1:
            wrong.append((np.array([_deltas_variant(terms, swapped_index=True)[k] for k in keys]),
                          "weight index order: the weight from neuron j of layer l to neuron i of "
                          "layer l + 1 is terms.W[l + 1][i][j] (row = destination), not [j][i]"))
        diagnose(got, expected, wrong,
                 f"your table of δs on a network of sizes {net.sizes} ({net.activations[1]})")
    depth = max(3000, 2 * sys.getrecursionlimit())
    got = _learner_deltas(function, _chain_terms(depth))
    values = as_array([got[l, 0] for l in range(1, depth + 1)], "your δs")
    if not np.allclose(values, 0.5):
        raise WrongAnswer(f"on a chain {depth} layers deep (every weight 1, identity activation, output "
                     f"δ 0.5) every δ should be 0.5; yours differ")


# --------------------------------------------------------------------------- skip connections
@dataclass
class SkipNetwork:
    """A sigmoid network whose layers also feed layers further up: z^(m) = Σ_l W^(l→m) a^(l) + b^(m).

    ``weights[(l, m)]`` is the n_m × n_l matrix from layer l to layer m > l (m = l + 1 is the
    usual weight W^(m); others are skip connections). Half squared error, one sample.
    """
    sizes: list
    weights: dict
    b: dict

    @property
    def L(self):
        return len(self.sizes) - 1

    @classmethod
    def random(cls, sizes, skips, seed=0):
        rng = np.random.default_rng(seed)
        weights = {(l - 1, l): rng.normal(size=(sizes[l], sizes[l - 1])) for l in range(1, len(sizes))}
        for l, m in skips:
            weights[l, m] = rng.normal(size=(sizes[m], sizes[l]))
        b = {m: rng.normal(size=(sizes[m], 1)) for m in range(1, len(sizes))}
        return cls(list(sizes), weights, b)

    def forward(self, x):
        a, z = {0: np.asarray(x, dtype=float).reshape(-1, 1)}, {}
        for m in range(1, self.L + 1):
            z[m] = self.b[m] + sum(W @ a[l] for (l, k), W in self.weights.items() if k == m)
            a[m] = sigmoid(z[m])
        return z, a

    def loss(self, x, y):
        _, a = self.forward(x)
        return float(0.5 * np.sum((a[self.L] - np.asarray(y, dtype=float).reshape(-1, 1)) ** 2))

    def deltas(self, x, y):
        """δ^(l) = ∂𝓛/∂z^(l) for l = L..1, each layer after every layer it feeds (the reference)."""
        z, a = self.forward(x)
        delta = {self.L: (a[self.L] - np.asarray(y, dtype=float).reshape(-1, 1)) * sigmoid_prime(z[self.L])}
        for l in range(self.L - 1, 0, -1):
            total = sum(W.T @ delta[m] for (k, m), W in self.weights.items() if k == l)
            delta[l] = total * sigmoid_prime(z[l])
        return delta


@dataclass
class GraphTerms:
    """What the cached recursion reads on a network with skip connections, as plain floats.

    ``feeds[l, j]`` lists every neuron z_j^(l) feeds, as ((m, i), weight): neuron i of layer
    m > l through that weight. ``sigma_prime[l][j]`` is σ'(z_j^(l)), ``delta_output[j]`` δ_j^(L).
    """
    sizes: list
    feeds: dict
    sigma_prime: dict
    delta_output: list

    @property
    def L(self):
        return len(self.sizes) - 1


def graph_terms(network, x, y):
    """The GraphTerms of a SkipNetwork for one sample x with target y."""
    z, a = network.forward(x)
    L = network.L
    feeds = {(l, j): [] for l in range(1, L + 1) for j in range(network.sizes[l])}
    for (l, m), W in sorted(network.weights.items()):
        if l == 0:
            continue
        for j in range(network.sizes[l]):
            feeds[l, j].extend(((m, i), float(W[i, j])) for i in range(network.sizes[m]))
    sigma_prime = {l: sigmoid_prime(z[l]).ravel().tolist() for l in range(1, L + 1)}
    residual = (a[L] - np.asarray(y, dtype=float).reshape(-1, 1)).ravel()
    return GraphTerms(list(network.sizes), feeds, sigma_prime,
                      [float(r * s) for r, s in zip(residual, sigma_prime[L])])


def graph_exercise_networks():
    """Exercise 01.4's test networks, (SkipNetwork, x, y): skips of one and two layers, a plain
    network (no skips: the usual recursion), a skip straight into the output."""
    cases = [([2, 2, 2, 1], [(1, 3)], 31), ([2, 3, 2, 2, 1], [(1, 3), (2, 4)], 32),
             ([3, 2, 2, 1], [], 33), ([2, 2, 3, 2, 2], [(1, 4), (2, 4), (1, 3)], 34)]
    networks = []
    for sizes, skips, seed in cases:
        rng = np.random.default_rng(seed + 100)
        networks.append((SkipNetwork.random(sizes, skips, seed), rng.normal(size=(sizes[0], 1)),
                         rng.uniform(size=(sizes[-1], 1))))
    return networks


def _graph_variant(terms, l, j, cache, next_layer_only=False, with_sigma_prime=True):
    """A cached δ on a graph, right or with one typical mistake (to name it, never shown)."""
    if (l, j) not in cache:
        if l == terms.L:
            cache[l, j] = terms.delta_output[j]
        else:
            total = sum(w * _graph_variant(terms, m, i, cache, next_layer_only, with_sigma_prime)
                        for (m, i), w in terms.feeds[l, j] if not next_layer_only or m == l + 1)
            cache[l, j] = terms.sigma_prime[l][j] * total if with_sigma_prime else total
    return cache[l, j]


def _graph_naive_calls(terms, requests):
    """Evaluations of a recursion on the graph that never reads its cache (a typical mistake)."""
    calls = Counter()

    def visit(l, j):
        calls[l, j] += 1
        for (m, i), _ in terms.feeds[l, j] if l < terms.L else ():
            visit(m, i)
    for request in requests:
        visit(*request)
    return calls


def _run_graph_delta(function, terms, l, j, calls, cache):
    try:
        value = function(terms, l, j, calls, cache)
    except RecursionError as error:
        raise learner_error(error, "the recursion never ends: stop at the output layer, "
                             "if l == terms.L: the base case is terms.delta_output[j]") from None
    except (KeyError, IndexError) as error:
        raise learner_error(error, "terms.feeds[l, j] lists ((m, i), weight) for every neuron i of a "
                             "layer m that z_j^(l) feeds; the output layer feeds nothing (its δ is "
                             "terms.delta_output[j])") from None
    if value is None:
        raise WrongAnswer(f"your function returned None for {naive.delta_name(l, j)}: "
                     f"did you forget to return the value?")
    return float(as_array(value, f"your {naive.delta_name(l, j)}"))


@exercise(callable_answer=True, references=(naive.cached_delta, naive.naive_delta, _graph_variant))
def check_graph_delta(function):
    """Exercise 01.4: ``graph_delta(terms, l, j, calls, cache)`` on networks with skip connections."""
    for net, x, y in graph_exercise_networks():
        terms = graph_terms(net, x, y)
        requests = [(l, j) for l in range(1, net.L + 1) for j in range(net.sizes[l])]
        calls, cache = Counter(), {}
        got = np.array([_run_graph_delta(function, terms, l, j, calls, cache) for l, j in requests])
        reference = net.deltas(x, y)
        expected = np.array([reference[l][j, 0] for l, j in requests])
        has_skips = any(m > l + 1 for l, m in net.weights)
        wrong = [(np.array([_graph_variant(terms, l, j, memo, with_sigma_prime=False)
                            for memo in [{}] for l, j in requests]),
                  "you forgot σ': the sum over the neurons z_j^(l) feeds is multiplied by "
                  "terms.sigma_prime[l][j]")]
        if has_skips:
            wrong.insert(0, (np.array([_graph_variant(terms, l, j, memo, next_layer_only=True)
                                       for memo in [{}] for l, j in requests]),
                             "you followed only the next layer: with skip connections z_j^(l) also "
                             "feeds neurons further up, and the chain rule adds one term for every "
                             "neuron it feeds (all of terms.feeds[l, j])"))
        wrong.append((np.zeros_like(expected),
                      "every δ came out 0: the output layer feeds nothing, so its δ is no sum over "
                      "terms.feeds; it is the base case, terms.delta_output[j] when l == terms.L"))
        sizes = f"sizes {net.sizes} with skips {sorted((l, m) for l, m in net.weights if m > l + 1)}"
        diagnose(got, expected, wrong, f"your table of δs on a network of {sizes}")
        if calls == Counter(dict.fromkeys(requests, 1)):
            continue
        if sum(calls.values()) == 0:
            raise WrongAnswer("the δs are right but calls stays empty: add 1 to calls[l, j] each time "
                         "you compute a δ (not when you look one up)")
        if calls == _graph_naive_calls(terms, requests):
            raise WrongAnswer(f"the δs are right but the cache is never used ({sum(calls.values())} "
                         f"evaluations for {len(requests)} neurons on {sizes}): look (l, j) up in "
                         f"cache first, and store each δ in cache[l, j] once computed")
        raise WrongAnswer(f"the δs are right but each should be evaluated once, and counted in calls[l, j] "
                     f"once (not on a look-up); on {sizes} the counts differ")
