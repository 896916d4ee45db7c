"""Checkers for the exercises at the end of each notebook.

Each ``check_<name>(answer)`` runs a learner's function (or looks at a learner's value) on
several inputs, edge cases included, compares with a reference it keeps to itself, and prints
one verdict line:

    [name] correct
    [name] not yet: <what is wrong, and a hint>
    [name] not attempted yet

It never prints the reference answer and never crashes on a learner's exception: it reports
it. A stub left as it is (``None``, ``...`` or a function raising NotImplementedError) counts
as not attempted, so a notebook with untouched exercises still runs top to bottom.
Checkers print and return nothing, so a check cell shows exactly one line;
``judge(name, answer)`` gives the same outcome as a value, for graders and tests.
"""
import math
import traceback
from collections import Counter
from typing import NamedTuple

import numpy as np

from . import naive
from .activations import sigmoid_prime
from .examples import bp_walkthrough_example, naive_recursion_example
from .network import Network

CORRECT, WRONG, NOT_ATTEMPTED = "correct", "not yet", "not attempted yet"


class Verdict(NamedTuple):
    exercise: str
    status: str
    message: str = ""

    @property
    def passed(self):
        return self.status == CORRECT

    def line(self):
        return f"[{self.exercise}] {self.status}" + (f": {self.message}" if self.message else "")


class _Wrong(Exception):
    """Raised inside a check to stop at the first problem found, with its hint."""


_CHECKS = {}


def exercise(check):
    """Register ``check_<name>``: it raises _Wrong with a hint when the answer is wrong.

    Returns the learner-facing checker, which prints the verdict line and returns nothing.
    """
    name = check.__name__.removeprefix("check_")
    _CHECKS[name] = check

    def checker(answer):
        print(judge(name, answer).line())
    checker.__name__, checker.__doc__ = check.__name__, check.__doc__
    return checker


def judge(exercise_name, answer):
    """The Verdict on ``answer`` for an exercise, without printing: for graders and tests."""
    if answer is None or answer is Ellipsis:
        return Verdict(exercise_name, NOT_ATTEMPTED)
    try:
        _CHECKS[exercise_name](answer)
    except _Wrong as wrong:
        return Verdict(exercise_name, WRONG, str(wrong))
    except NotImplementedError:
        return Verdict(exercise_name, NOT_ATTEMPTED)
    except Exception as error:  # the learner's code failed: say where, don't crash
        return Verdict(exercise_name, WRONG, str(_raised(error)))
    return Verdict(exercise_name, CORRECT)


def _raised(error, hint=""):
    """A _Wrong that reports the learner's exception, where it happened, and a hint if known."""
    frame = traceback.extract_tb(error.__traceback__)[-1]
    return _Wrong(f"your code raised {type(error).__name__}: {error} (line {frame.lineno}: {frame.line})"
                  + (f"; {hint}" if hint else ""))


def _as_array(value, what):
    try:
        return np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise _Wrong(f"{what} should be numbers (a numpy array), got {type(value).__name__}") from None


def _close(a, b):
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-6, atol=1e-10)


def _diagnose(got, expected, wrong_variants, what):
    """Return if ``got`` matches; else raise _Wrong with the most specific hint: shape first,
    then the known mistakes in ``wrong_variants`` (value, hint), then a generic one."""
    if _close(got, expected):
        return
    if got.size == expected.size and got.shape != expected.shape:
        if _close(got.reshape(expected.shape), expected):
            raise _Wrong(f"{what} has the right numbers but shape {got.shape}; it should be "
                         f"{expected.shape} (a column per sample)")
    if got.shape != expected.shape:
        if got.ndim == 2 and got.T.shape == expected.shape and _close(got.T, expected):
            raise _Wrong(f"{what} is transposed: shape {got.shape}, expected {expected.shape}")
        raise _Wrong(f"{what} has shape {got.shape}, expected {expected.shape}")
    for variant, hint in wrong_variants:
        if _close(got, variant):
            raise _Wrong(hint)
    if not np.all(np.isfinite(got)):
        raise _Wrong(f"{what} contains nan or inf")
    raise _Wrong(f"{what} is off (largest difference {np.max(np.abs(got - expected)):.2e}); "
                 f"redo the equation step by step and compare each factor")


# --------------------------------------------------------------------------- notebook 02
def delta2_exercise_network():
    """The notebook-02 network with W^(3) changed to [[-0.5, 0.8]]: the exercise's numbers."""
    net, x, y = bp_walkthrough_example()
    net.W[3] = np.array([[-0.5, 0.8]])
    return net, x, y


@exercise
def check_delta2_by_hand(answer):
    """Exercise 02.1: δ^(2) of the notebook-02 network with W^(3) = [[-0.5, 0.8]], by hand."""
    got = _as_array(answer, "your δ^(2)")
    net, x, y = delta2_exercise_network()
    r = net.forward(x)
    a, z = r.a, r.z
    delta3 = (a[3] - y) * sigmoid_prime(z[3])
    expected = (net.W[3].T @ delta3) * sigmoid_prime(z[2])
    old_W3 = bp_walkthrough_example().network.W[3]
    old = bp_walkthrough_example().network.forward(x)
    old_delta3 = (old.a[3] - y) * sigmoid_prime(old.z[3])
    _diagnose(got.reshape(-1, 1) if got.ndim == 1 else got, expected, [
        (-expected, "wrong sign: ∇_a L = a^(3) - y, not y - a^(3)"),
        (net.W[3].T @ delta3, "you forgot the activation derivative: BP2 ends with ⊙ σ'(z^(2))"),
        ((net.W[3].T @ delta3) * sigmoid_prime(a[2]),
         "σ' takes the pre-activation: use σ'(z^(2)) = a^(2)(1 - a^(2)), not σ'(a^(2))"),
        ((net.W[3].T @ (a[3] - y)) * sigmoid_prime(z[2]),
         "δ^(3) needs its own σ'(z^(3)) factor (BP1) before you carry it back"),
        ((old_W3.T @ old_delta3) * sigmoid_prime(old.z[2]),
         "that is δ^(2) of the original network: use the new W^(3) = [[-0.5, 0.8]], "
         "and redo the forward pass from layer 3"),
    ], "your δ^(2)")


@exercise
def check_bp4_batch(function):
    """Exercise 02.2: ``bp4_batch(delta, a_prev)`` returns ∂L/∂W^(l) for a batch (samples = columns)."""
    if not callable(function):
        raise _Wrong("pass your function itself, e.g. check_bp4_batch(bp4_batch)")
    rng = np.random.default_rng(2)
    for n_out, n_in, m in [(2, 3, 1), (3, 2, 4), (1, 1, 5), (4, 3, 2)]:
        delta = rng.normal(size=(n_out, m)) / m  # a batch δ already carries the 1/m
        a_prev = rng.normal(size=(n_in, m))
        got = _as_array(function(delta.copy(), a_prev.copy()), "bp4_batch's result")
        expected = delta @ a_prev.T
        per_sample = [np.outer(delta[:, i], a_prev[:, i]) for i in range(m)]
        variants = [
            (expected / m, "δ of a batch already carries the 1/m of the mean loss: don't divide again"),
            (per_sample[0], "that is the first sample only: BP4 sums δ (a^(l-1))ᵀ over all the columns"),
            (-expected, "wrong sign"),
        ] if m > 1 else [(-expected, "wrong sign")]
        _diagnose(got, expected, variants, f"bp4_batch's result for δ of shape {delta.shape} "
                                           f"and a^(l-1) of shape {a_prev.shape}")


# --------------------------------------------------------------------------- notebook 01
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
    if isinstance(answer, (bool, str)) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise _Wrong(f"your count should be a number (a whole number), got {type(answer).__name__}")
    if not np.isfinite(answer) or answer != int(answer):
        raise _Wrong(f"a count of evaluations is a whole number, got {answer}")
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
            raise _Wrong(hint)
    raise _Wrong("that is not the count; find c_l = (n_{l-1} + 1) + n_{l-1} c_{l-1} layer by "
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


def _delta_variant(terms, l, j, cache, with_sigma_prime=True, swapped_index=False):
    """A cached δ_j^(l), right or with one typical mistake (to name the mistake, never shown)."""
    if (l, j) not in cache:
        if l == terms.L:
            cache[l, j] = terms.delta_output[j]
        else:
            total = 0.0
            for i in range(terms.sizes[l + 1]):
                weight = terms.W[l + 1][j][i] if swapped_index else terms.W[l + 1][i][j]
                total += weight * _delta_variant(terms, l + 1, i, cache, with_sigma_prime, swapped_index)
            cache[l, j] = terms.sigma_prime[l][j] * total if with_sigma_prime else total
    return cache[l, j]


def _call_patterns(terms, requests):
    """Calls a cached recursion counts for ``requests`` if it never reads its cache, or if it
    counts look-ups too: two typical mistakes, recognised by their counts."""
    never_read = Counter()
    for l, j in requests:
        naive.naive_delta(terms, l, j, never_read)
    lookups, cache = Counter(), {}

    def counting_lookups(l, j):
        lookups[l, j] += 1
        if (l, j) not in cache:
            cache[l, j] = (terms.delta_output[j] if l == terms.L else
                           terms.sigma_prime[l][j] * sum(terms.W[l + 1][i][j] * counting_lookups(l + 1, i)
                                                         for i in range(terms.sizes[l + 1])))
        return cache[l, j]
    for l, j in requests:
        counting_lookups(l, j)
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
        raise _raised(error, "the recursion never ends: stop at the output layer, "
                             "if l == terms.L: the base case is terms.delta_output[j]") from None
    except KeyError as error:
        if error.args and error.args[0] == terms.L + 1:
            raise _raised(error, "the recursion went past the output layer: stop at l == terms.L, "
                                 "where δ is terms.delta_output[j]") from None
        raise
    except TypeError as error:
        if "NoneType" in str(error):
            raise _raised(error, "a δ came back as None: does every branch return its value "
                                 "(the base case, the look-up and the computed one)?") from None
        raise
    except IndexError as error:
        if _layer_where_raised(error, function) == terms.L:
            raise _raised(error, "the recursion went past the output layer: stop at l == terms.L, "
                                 "where δ is terms.delta_output[j]") from None
        raise _raised(error, "an index ran past a layer: terms.W[l + 1][i][j] is the weight from "
                             "neuron j of layer l to neuron i of layer l + 1 (row = destination)") from None
    if value is None:
        raise _Wrong(f"your function returned None for {naive.delta_name(l, j)}: "
                     f"did you forget to return the value?")
    return float(_as_array(value, f"your {naive.delta_name(l, j)}"))


@exercise
def check_cached_delta(function):
    """Exercise 01.2: ``my_cached_delta(terms, l, j, calls, cache)``, the recursion with a cache."""
    if not callable(function):
        raise _Wrong("pass your function itself, e.g. check_cached_delta(my_cached_delta)")
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
        _diagnose(got, expected, wrong, what)

        if sum(calls.values()) == 0:
            raise _Wrong("the δs are right but calls stays empty: add 1 to calls[l, j] each "
                         "time you compute a δ (not when you look one up)")
        if calls == Counter(dict.fromkeys(requests, 1)):
            continue
        never_read, lookups = _call_patterns(terms, requests)
        if calls == never_read:
            raise _Wrong(f"the δs are right but the cache is never used ({sum(calls.values())} "
                         f"evaluations for {len(requests)} neurons on sizes {net.sizes}): look "
                         f"(l, j) up in cache first, and store each δ in cache[l, j] once computed")
        if calls == lookups:
            raise _Wrong("the δs are right, but calls also counts look-ups: add to calls[l, j] "
                         "only after the cache test, when you really compute a δ")
        repeated = sorted(naive.delta_name(l, j) for (l, j), n in calls.items() if n > 1)
        raise _Wrong(f"the δs are right but each should be evaluated once; on sizes {net.sizes} "
                     f"these were evaluated more often: {', '.join(repeated[:4])}"
                     if repeated else "the δs are right but calls should hold one evaluation "
                                      "per neuron, keyed (l, j) as in naive_delta")
