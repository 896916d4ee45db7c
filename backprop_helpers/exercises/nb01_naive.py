"""Exercises of notebook 01 (the naive recursion): counting its calls by hand, and a δ recursion
with a cache."""
import math
import numbers
from collections import Counter

import numpy as np

from .. import naive
from ..examples import naive_recursion_example
from ..network import Network
from .core import WrongAnswer, as_array, diagnose, exercise, learner_error



#: Exercise 01.1's architecture: 3 inputs, hidden layers of 2 and 4 neurons, one output
NAIVE_CALLS_EXERCISE_SIZES = [3, 2, 4, 1]


def _requests_per_neuron_counts(sizes, per_neuron_requests):
    """Total naive evaluations when each neuron of layer l is asked per_neuron_requests(l) times."""
    L = len(sizes) - 1
    return sum(sizes[l] * sum(per_neuron_requests(k) * math.prod(sizes[k:l]) for k in range(1, l + 1))
               for l in range(1, L + 1))


@exercise
def check_naive_calls_by_hand(answer):
    """Exercise 01.1: the naive recursion's total δ evaluations for sizes [3, 2, 4, 1], by hand."""
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer.item()  # np.array(101) is a number too
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, numbers.Real):
        raise WrongAnswer(f"your count should be a number (a whole number), got {type(answer).__name__}")
    if not (isinstance(answer, numbers.Integral) or math.isfinite(answer)) or answer != int(answer):
        raise WrongAnswer(f"a count of evaluations is a whole number, got {answer}")
    got, sizes = int(answer), NAIVE_CALLS_EXERCISE_SIZES
    if got == naive.naive_call_count(sizes):
        return
    counts = naive.naive_call_counts(sizes)
    L = len(sizes) - 1
    n_parameters = sum(sizes[l] * (sizes[l - 1] + 1) for l in range(1, L + 1))
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
        (n_parameters, "that is the number of parameters, one request each; every request also "
                       "calls δ of every neuron its neuron feeds, and so on up to the output"),
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


def cached_delta_exercise_networks():
    """Exercise 01.2's test networks, (network, x, y): square first (a swapped weight index
    gives wrong values there instead of an IndexError), the notebook's, a width-1 chain (one
    path, yet the cache still saves calls), wider ones, other activations."""
    cases = [([2, 2, 2, 2], "sigmoid", 11), None, ([1, 1, 1, 1, 1], "tanh", 12),
             (NAIVE_CALLS_EXERCISE_SIZES, "sigmoid", 13), ([3, 4, 3, 2], "tanh", 14)]
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


def _delta_variant(terms, l, j, cache, lookups=None, with_sigma_prime=True, swapped_index=False):
    """A cached δ_j^(l), right or with one typical mistake (to name the mistake, never shown);
    ``lookups`` (a Counter), if given, counts every request, look-ups of the cache included."""
    if lookups is not None:
        lookups[l, j] += 1
    if (l, j) not in cache:
        if l == terms.L:
            cache[l, j] = terms.delta_output[j]
        else:
            total = 0.0
            for i in range(terms.sizes[l + 1]):
                weight = terms.W[l + 1][j][i] if swapped_index else terms.W[l + 1][i][j]
                total += weight * _delta_variant(terms, l + 1, i, cache, lookups, with_sigma_prime,
                                                 swapped_index)
            cache[l, j] = terms.sigma_prime[l][j] * total if with_sigma_prime else total
    return cache[l, j]


def _call_patterns(terms, requests):
    """Calls a cached recursion counts for ``requests`` if it never reads its cache, or if it
    counts look-ups too: two typical mistakes, recognised by their counts."""
    never_read, lookups, cache = Counter(), Counter(), {}
    for l, j in requests:
        naive.naive_delta(terms, l, j, never_read)
        _delta_variant(terms, l, j, cache, lookups)
    return never_read, lookups


def _layer_where_raised(error, function):
    """The layer ``l`` the learner's function was working on when ``error`` was raised, if known."""
    layer, tb = None, error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is getattr(function, "__code__", None):
            layer = tb.tb_frame.f_locals.get("l", layer)
        tb = tb.tb_next
    return layer


def _run_learner_delta(function, terms, l, j, calls, cache):
    """The learner's δ_j^(l) as a float, with a hint for the errors a recursion typically raises."""
    try:
        value = function(terms, l, j, calls, cache)
    except RecursionError as error:
        raise learner_error(error, "the recursion never ends: stop at the output layer, "
                             "if l == terms.L: the base case is terms.delta_output[j]") from None
    except KeyError as error:
        if error.args and error.args[0] == terms.L + 1:
            raise learner_error(error, "the recursion went past the output layer: stop at l == terms.L, "
                                 "where δ is terms.delta_output[j]") from None
        raise
    except TypeError as error:
        if "NoneType" in str(error):
            raise learner_error(error, "a δ came back as None: does every branch return its value "
                                 "(the base case, the look-up and the computed one)?") from None
        raise
    except IndexError as error:
        if _layer_where_raised(error, function) == terms.L:
            raise learner_error(error, "the recursion went past the output layer: stop at l == terms.L, "
                                 "where δ is terms.delta_output[j]") from None
        raise learner_error(error, "an index ran past a layer: terms.W[l + 1][i][j] is the weight from "
                             "neuron j of layer l to neuron i of layer l + 1 (row = destination)") from None
    if value is None:
        raise WrongAnswer(f"your function returned None for {naive.delta_name(l, j)}: "
                     f"did you forget to return the value?")
    return float(as_array(value, f"your {naive.delta_name(l, j)}"))


@exercise(callable_answer=True, references=(naive.cached_delta,))
def check_cached_delta(function):
    """Exercise 01.2: ``my_cached_delta(terms, l, j, calls, cache)``, the recursion with a cache."""
    for net, x, y in cached_delta_exercise_networks():
        terms = naive.local_terms(net, x, y)
        requests = [(l, j) for l in range(1, net.L + 1) for j in range(net.sizes[l])]
        calls, cache = Counter(), {}
        got = np.array([_run_learner_delta(function, terms, l, j, calls, cache) for l, j in requests])
        backward = net.gradients(x, y).delta
        expected = np.array([backward[l][j, 0] for l, j in requests])
        variant = {name: np.array([_delta_variant(terms, l, j, memo, **options) for l, j in requests])
                   for name, options, memo in [("no σ'", {"with_sigma_prime": False}, {}),
                                               ("swapped", {"swapped_index": True}, {})]
                   if name != "swapped" or len(set(net.sizes)) == 1}
        what = f"your δs on a network of sizes {net.sizes} ({net.activations[1]})"
        wrong = [(variant["no σ'"], "you forgot σ': BP2 multiplies the weighted sum by "
                                    "terms.sigma_prime[l][j], the derivative at z_j^(l)")]
        if "swapped" in variant:
            wrong.append((variant["swapped"], "weight index order: the weight from neuron j of layer l "
                                              "to neuron i of layer l + 1 is terms.W[l + 1][i][j] "
                                              "(row = destination), not [j][i]"))
        diagnose(got, expected, wrong, what)

        if sum(calls.values()) == 0:
            raise WrongAnswer("the δs are right but calls stays empty: add 1 to calls[l, j] each "
                         "time you compute a δ (not when you look one up)")
        if calls == Counter(dict.fromkeys(requests, 1)):
            continue
        never_read, lookups = _call_patterns(terms, requests)
        if calls == never_read:
            raise WrongAnswer(f"the δs are right but the cache is never used ({sum(calls.values())} "
                         f"evaluations for {len(requests)} neurons on sizes {net.sizes}): look "
                         f"(l, j) up in cache first, and store each δ in cache[l, j] once computed")
        if calls == lookups:
            raise WrongAnswer("the δs are right, but calls also counts look-ups: add to calls[l, j] "
                         "only after the cache test, when you really compute a δ")
        repeated = sorted(naive.delta_name(l, j) for (l, j), n in calls.items() if n > 1)
        raise WrongAnswer(f"the δs are right but each should be evaluated once; on sizes {net.sizes} "
                     f"these were evaluated more often: {', '.join(repeated[:4])}"
                     if repeated else "the δs are right but calls should hold one evaluation "
                                      "per neuron, keyed (l, j) as in naive_delta")


