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
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import naive
from .activations import log_softmax, sigmoid_prime, softmax, softmax_backward, softmax_jacobian
from .examples import bp_walkthrough_example, naive_recursion_example
from .losses import cross_entropy, cross_entropy_gradient
from .network import Network
from .nn import MLP, train
from .scalar import Value
from .tensor import Node

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
    """A _Wrong that reports the learner's exception, the learner's line it came from (not a
    line inside numpy or this package), and a hint if known."""
    library = (str(Path(np.__file__).parent), str(Path(__file__).parent))
    frames = traceback.extract_tb(error.__traceback__)
    frame = next((f for f in reversed(frames) if not f.filename.startswith(library)), frames[-1])
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


# --------------------------------------------------------------------------- notebook 03
def _run_quietly(function, what, *args):
    """The learner's result on copies of ``args`` as an array, numpy's overflow warnings
    silenced (a nan in the result is reported with a hint instead)."""
    with np.errstate(all="ignore"):
        result = function(*(np.array(arg, dtype=float) for arg in args))
    if result is None:
        raise _Wrong("your function returned None: did you forget to return the value?")
    return _as_array(result, what)


def _calls_the_answer(function, *names):
    """Raise _Wrong if the learner's function calls one of the package functions ``names``."""
    codes, called = [getattr(function, "__code__", None)], set()
    while codes:  # the function's own code and any nested in it (lambdas, comprehensions)
        code = codes.pop()
        if code is not None:
            called |= set(code.co_names) | set(code.co_freevars)
            codes += [const for const in code.co_consts if hasattr(const, "co_names")]
    used = sorted(called & set(names))
    if used:
        raise _Wrong(f"your function calls the package's {used[0]}, which is asking the answer: "
                     f"write it with numpy")


#: Exercise 03.1's logits, one sample each: this notebook's z^(2), five classes, equal logits,
#: a single class, then logits around +1000 (e^1000 overflows) and -1000 (e^-1000 underflows)
SOFTMAX_JACOBIAN_EXERCISE_LOGITS = [
    [1.7, 2.24], [0.5, -1.2, 2.0, 0.0, 1.1], [0.3, 0.3, 0.3, 0.3], [3.0],
    [1000.0, 998.0, 995.0], [-1000.0, -1001.0],
]


@exercise
def check_softmax_jacobian(function):
    """Exercise 03.1: ``my_softmax_jacobian(z)`` for one sample, z a 1-D array of n logits,
    returns the n × n matrix J[i, k] = ∂a_i/∂z_k of a = softmax(z)."""
    if not callable(function):
        raise _Wrong("pass your function itself, e.g. check_softmax_jacobian(my_softmax_jacobian)")
    _calls_the_answer(function, "softmax_jacobian")
    for logits in SOFTMAX_JACOBIAN_EXERCISE_LOGITS:
        z = np.array(logits)
        n, huge = z.size, np.max(np.abs(z)) > 700
        what = f"your J for z = [{', '.join(f'{v:g}' for v in z)}]"
        got = _run_quietly(function, what, z)
        if got.shape != (n, n):
            raise _Wrong(f"{what} has shape {got.shape}; a Jacobian is n × n = {(n, n)}: one row per "
                         f"output a_i, one column per logit z_k")
        if not np.all(np.isfinite(got)):
            if huge:
                raise _Wrong(f"{what} contains nan or inf: e^1000 overflows and e^-1000 underflows to 0; "
                             f"subtract the largest logit before exponentiating, softmax(z - max z) = softmax(z)")
            raise _Wrong(f"{what} contains nan or inf")
        a = softmax(z)
        expected = softmax_jacobian(z)
        _diagnose(got, expected, [
            (np.diag(a * (1 - a)), "that is only the diagonal a_i (1 - a_i): softmax is not elementwise, "
                                   "every a_i depends on every z_k, so J[i, k] = -a_i a_k off the diagonal"),
            (np.diag(a), "you have diag(a) only: the -a aᵀ term is missing, J = diag(a) - a aᵀ"),
            (-expected, "wrong sign: J = diag(a) - a aᵀ, positive on the diagonal (raising z_i raises a_i)"),
            (np.diag(a) - a @ a, "a @ a.T on a 1-D array is the dot product (one number), not the outer "
                                 "product a aᵀ: use np.outer(a, a)"),
            (np.diag(a) - a * a, "a * a is elementwise, not the outer product a aᵀ: use np.outer(a, a)"),
            (np.diag(z) - np.outer(z, z), "J is built from the probabilities a = softmax(z), not the logits z"),
            (np.diag(a) - np.outer(a, 1 - a), "J[i, k] = a_i (1[i = k] - a_k): the outer product is a aᵀ, "
                                              "not a (1 - a)ᵀ"),
        ], what)


def _batch_exercise_cases():
    """(Z, Y, note) for exercises 03.2 and 03.3: classes are rows, samples are columns. A square
    batch (the wrong axis keeps the shape there), several shapes with n != m, one sample, then
    logits around +1000 (e^1000 overflows), and a batch with samples near +1000 and near -1000
    (a shift by the batch's maximum instead of each column's underflows to 0/0) and one whose
    true class has probability e^-2000, exactly 0 in floats (log(softmax) gives log 0)."""
    rng = np.random.default_rng(3)
    cases = []
    for n, m in [(3, 3), (2, 5), (4, 2), (3, 1)]:
        Z = rng.normal(scale=2.0, size=(n, m))
        Y = np.eye(n)[:, rng.integers(0, n, size=m)]
        cases.append((Z, Y, ""))
    Z = 1000.0 + np.array([[0.0, -3.0, 1.0, 2.0], [-1.0, 2.0, 0.5, 2.0], [-2.5, 0.0, -4.0, -1.0]])
    cases.append((Z, np.eye(3)[:, [0, 1, 2, 2]], " (logits around 1000)"))
    Z = np.array([[1000.0, -1000.0, 3.0, 1000.0], [990.0, -1003.0, -2.0, -1000.0]])
    cases.append((Z, np.eye(2)[:, [1, 0, 1, 1]], " (logits around ±1000)"))
    return cases


def _nan_hint(what, got, Z):
    """The hint for a nan or inf in a learner's softmax-based answer on logits Z."""
    with np.errstate(all="ignore"):
        shifted_by_batch_max = np.exp(Z - np.max(Z))
        batch_max_nan = ~np.isfinite(shifted_by_batch_max / np.sum(shifted_by_batch_max, axis=0))
    if np.ndim(got) == 2 and np.shape(got) == Z.shape and np.array_equal(~np.isfinite(got), batch_max_nan) \
            and batch_max_nan.any():
        return (f"{what} contains nan exactly in the columns far below the batch's largest logit: subtract "
                f"each column's own maximum (np.max(Z, axis=0, keepdims=True)), not the whole batch's")
    return (f"{what} contains nan or inf: e^1000 overflows (and e^-1000 underflows to 0); subtract each "
            f"column's maximum before exponentiating, softmax(z - max z) = softmax(z)")


@exercise
def check_batch_cross_entropy_gradient(function):
    """Exercise 03.2: ``batch_cross_entropy_gradient(Z, Y)`` returns ∂L/∂Z of the mean
    cross-entropy over a batch of logits Z (classes × samples) and one-hot targets Y."""
    if not callable(function):
        raise _Wrong("pass your function itself, e.g. "
                     "check_batch_cross_entropy_gradient(batch_cross_entropy_gradient)")
    _calls_the_answer(function, "cross_entropy_gradient", "softmax_backward")
    for Z, Y, note in _batch_exercise_cases():
        n, m = Z.shape
        what = f"your ∂L/∂Z for Z of shape {Z.shape}{note}"
        got = _run_quietly(function, what, Z, Y)
        if got.shape == Z.shape and not np.all(np.isfinite(got)):
            raise _Wrong(_nan_hint(what, got, Z))
        expected = cross_entropy_gradient(Z, Y)
        A = softmax(Z)
        with np.errstate(all="ignore"):
            by_rows = softmax(Z, axis=1)
        variants = [
            (-expected, "wrong sign: δ = ŷ - y (the loss falls when z of the true class rises), not y - ŷ"),
            ((Z - Y) / m, "δ = ŷ - y with ŷ = softmax(Z), not the logits Z themselves"),
            ((by_rows - Y) / m, "softmax went along the rows (axis=1): each sample is a column, "
                                "so normalise over axis=0"),
        ]
        if m > 1:
            variants += [
                (A - Y, "that is the gradient of the summed loss: the batch loss is the mean, "
                        "so divide by m, the number of samples (columns)"),
                (by_rows - Y, "softmax went along the rows (axis=1), and the 1/m of the mean is "
                              "missing: normalise over axis=0, then divide by m"),
            ]
        if n == m:
            variants.append((expected.T, f"{what} is transposed: rows are classes, columns are samples, "
                                         f"as in Z"))
        if n != m:
            variants.append(((A - Y) / n, "you divided by the number of classes Z.shape[0]; the mean "
                                          "is over the samples: divide by m = Z.shape[1]"))
        _diagnose(got, expected, variants, what)


@exercise
def check_batch_cross_entropy(function):
    """Exercise 03.3: ``batch_cross_entropy(Z, Y)`` returns the mean cross-entropy (a number)
    of a batch of logits Z (classes × samples) and one-hot targets Y, stable at any logits."""
    if not callable(function):
        raise _Wrong("pass your function itself, e.g. check_batch_cross_entropy(batch_cross_entropy)")
    _calls_the_answer(function, "cross_entropy")
    for Z, Y, note in _batch_exercise_cases():
        n, m = Z.shape
        what = f"your loss for Z of shape {Z.shape}{note}"
        got = _run_quietly(function, what, Z, Y)
        expected = cross_entropy(Z, Y)
        per_sample = -np.sum(Y * log_softmax(Z), axis=0)
        if got.size != 1:
            if got.size == m and _close(got.ravel(), per_sample):
                raise _Wrong(f"{what} is one loss per sample (shape {got.shape}); return one number, "
                             f"their mean over the batch")
            raise _Wrong(f"{what} has shape {got.shape}; the loss of a batch is one number")
        got = got.reshape(())
        if not np.isfinite(got):
            with np.errstate(all="ignore"):
                log_of_softmax_is_finite = np.all(np.isfinite(np.log(softmax(Z))))
            if log_of_softmax_is_finite:
                raise _Wrong(_nan_hint(what, got, Z))
            raise _Wrong(f"{what} is {got}: the softmax of some logit rounds to exactly 0 and log(0) = -inf "
                         f"(0 · log 0 = nan); don't take log(softmax(z)), compute log-softmax directly: "
                         f"z - max z - log Σ_k e^(z_k - max z)")
        with np.errstate(all="ignore"):
            by_rows = -np.sum(Y * np.log(softmax(Z, axis=1))) / m
        variants = [
            (np.array(-expected), "wrong sign: the loss is -Σ y log ŷ, a positive number"),
            (np.array(by_rows), "softmax went along the rows (axis=1): each sample is "
                                                     "a column, so normalise over axis=0"),
        ]
        if m > 1:
            variants.append((np.array(expected * m), "that is the summed loss: the batch loss is the mean, "
                                                     "so divide by m, the number of samples (columns)"))
        if n > 1:
            variants.append((np.array(expected * m / (n * m)), "np.mean over the whole array divides by n·m; "
                                                               "sum over the classes, average over the samples only"))
        if n != m:
            variants.append((np.array(expected * m / n), "you divided by the number of classes Z.shape[0]; "
                                                         "the mean is over the samples: divide by m = Z.shape[1]"))
        if _close(got, np.array(expected)):
            continue
        for variant, hint in variants:
            if _close(got, variant):
                raise _Wrong(hint)
        if note:  # no difference printed: for one number it would give the answer away
            raise _Wrong(f"{what} is off, though right on ordinary logits: clipping or adding ε inside "
                         f"the log caps the loss; compute log-softmax, z - max z - log Σ_k e^(z_k - max z)")
        raise _Wrong(f"{what} is off; go step by step: log-softmax of each column, keep the true "
                     f"class with Y, sum over the classes, average over the samples")


# --------------------------------------------------------------------------- notebook 04
#: Exercise 04.1's inputs: positive, negative, and the kink at 0, where the convention is slope 0
ABS_EXERCISE_INPUTS = (2.5, 0.75, -1.25, -4.0, 0.0)


def _abs_graphs():
    """(name, f(x, y, abs_), points): bigger graphs in which |.| meets upstream factors and a
    reused input; the points stay away from every kink, so central differences apply."""
    return [
        ("3*|x|", lambda x, y, abs_: 3 * abs_(x), [(-1.5, 0.0), (2.0, 0.0)]),
        ("x*|x| + |x|", lambda x, y, abs_: x * abs_(x) + abs_(x), [(-1.5, 0.0), (0.8, 0.0)]),
        ("|x*y - 1|*y + |x|**2", lambda x, y, abs_: abs_(x * y - 1) * y + abs_(x) ** 2,
         [(-1.5, 0.8), (2.0, -0.7), (1.2, 1.5)]),
        ("||x| - 2| * x", lambda x, y, abs_: abs_(abs_(x) - 2) * x, [(-0.5, 0.0), (3.0, 0.0), (-2.6, 0.0)]),
    ]


def _learner_abs(function, v):
    """The learner's |v|: a Value, made without touching v (its data, or a gradient it holds)."""
    x, held = v.data, 0.5
    v.grad = held  # as if v had a gradient from another use already
    try:
        out = function(v)
    except AttributeError as error:
        if "_backward" in str(error) or "read-only" in str(error):
            raise _raised(error, "a Value has no room for a closure such as _backward: it stores its "
                                 "input and the local derivative, Value(data, _a=v, _da=slope, _op='abs'), "
                                 "as Value.relu does") from None
        raise
    if type(out) is not Value:
        raise _Wrong(f"value_abs should return a Value (a new node), got {type(out).__name__} for x = {x:g}")
    if v.data != x:
        raise _Wrong(f"value_abs changed its input's .data (x = {x:g}): leave v as it is, it may be used "
                     f"elsewhere in the graph, and return a new Value")
    if v.grad != held:
        if math.isclose(abs(v.grad - held), 1.0):
            raise _Wrong("value_abs adds the slope to v.grad itself, without the chain-rule factor: the "
                         "gradient arriving from above is not known until backward(). Record the local "
                         "derivative instead (_da=slope); backward() multiplies it by the upstream gradient")
        raise _Wrong("value_abs overwrote v.grad, so a reused input loses the gradient of its other uses "
                     "(they must add up) and the upstream factor is missing. Record the local derivative "
                     "instead (_da=slope); backward() does v.grad += _da * out.grad")
    v.grad = 0.0
    return out


@exercise
def check_value_abs(function):
    """Exercise 04.1: ``value_abs(v)`` returns |v| as a new Value with its local derivative."""
    if not callable(function):
        raise _Wrong("pass your function itself, e.g. check_value_abs(value_abs)")
    xs = np.array(ABS_EXERCISE_INPUTS)
    values, slopes, leaves = [], [], []
    for x in xs:
        v = Value(float(x))
        out = _learner_abs(function, v)
        values.append(out.data)
        leaves.append(out is not v and out._a is None)
        out.backward()
        slopes.append(v.grad)
    values, slopes = np.array(values), np.array(slopes)
    for got, x in zip(values, xs):
        if not math.isclose(got, abs(x), rel_tol=1e-12, abs_tol=1e-15):
            hint = ("for x < 0, |x| = -x is positive" if x < 0 and math.isclose(got, x) else
                    "for x > 0, |x| = x" if x > 0 and math.isclose(got, -x) else "")
            raise _Wrong(f"the value is wrong for x = {x:g}: got {got:g}" + (f"; {hint}" if hint else ""))
    if all(leaves) and not slopes.any():
        raise _Wrong("no gradient reaches v: your Value is a new leaf that does not remember its input. "
                     "Build it as Value(data, _a=v, _da=slope, _op='abs')")
    nonzero = xs != 0
    _diagnose(slopes[nonzero], np.sign(xs[nonzero]), [
        (np.ones(nonzero.sum()), "wrong sign for negative inputs: for x < 0, |x| = -x, whose slope is -1"),
        ((xs[nonzero] > 0).astype(float), "that is relu's slope; for x < 0, |x| = -x has slope -1, not 0"),
        (-np.sign(xs[nonzero]), "wrong sign: |x| rises for x > 0 (slope +1) and falls for x < 0 (slope -1)"),
        (np.abs(xs[nonzero]), "the local derivative is the slope of |x| (±1), not its value |x|"),
        (xs[nonzero], "the local derivative is the slope of |x| (±1), not x"),
        (np.zeros(nonzero.sum()), "no gradient reaches v: the local derivative _da is 0; set it to the slope of |x|"),
    ], "∂|x|/∂x at x = " + ", ".join(f"{x:g}" for x in xs[nonzero]))
    if slopes[~nonzero][0] != 0.0:
        raise _Wrong(f"at the kink x = 0 the convention here is slope 0 (sign(0) = 0, as for relu), "
                     f"got {slopes[~nonzero][0]:g}: test x > 0 and x < 0, and give 0 otherwise")
    for name, f, points in _abs_graphs():
        for x, y in points:
            xv, yv = Value(x), Value(y)
            f(xv, yv, function).backward()
            h = 1e-6
            dx = (f(x + h, y, abs) - f(x - h, y, abs)) / (2 * h)
            dy = (f(x, y + h, abs) - f(x, y - h, abs)) / (2 * h)
            if not (math.isclose(xv.grad, dx, rel_tol=1e-6, abs_tol=1e-6)
                    and math.isclose(yv.grad, dy, rel_tol=1e-6, abs_tol=1e-6)):
                raise _Wrong(f"one node is right, but in the bigger graph {name} at x = {x:g}, y = {y:g} the "
                             f"gradients disagree with finite differences: does value_abs touch anything "
                             f"besides building its new Value?")


def _gradient_descent_problem():
    """Exercise 04.2's test problem: a small tanh MLP, four points, mean squared error, and
    parameters whose .grad is stale (as after an earlier backward), so zeroing matters from step 1."""
    model = MLP(2, [3, 1], hidden="tanh", seed=3)
    xs = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8], [0.0, -0.4]]
    ys = [1.0, -1.0, 0.5, 0.0]

    def loss_function():
        return sum((model(x)[0] - y) ** 2 for x, y in zip(xs, ys)) * (1 / len(xs))

    for k, p in enumerate(model.parameters()):
        p.grad = 0.3 * math.cos(k)
    return model, loss_function


def _descend(steps, learning_rate, zero=True, sign=1.0, rate_used=True, record_after=False):
    """Gradient descent on a fresh copy of the test problem, right or with one typical mistake
    (``zero`` False: never, "after": at the end of each step); returns (final parameters, losses)."""
    model, loss_function = _gradient_descent_problem()
    parameters, losses = model.parameters(), []
    for _ in range(steps):
        if zero is True:
            for p in parameters:
                p.grad = 0.0
        loss = loss_function()
        loss.backward()
        for p in parameters:
            p.data -= sign * (learning_rate if rate_used else 1.0) * p.grad
            if zero == "after":
                p.grad = 0.0
        losses.append(loss_function().data if record_after else loss.data)
    return np.array([p.data for p in parameters]), np.array(losses)


@exercise
def check_gradient_descent(function):
    """Exercise 04.2: ``gradient_descent(model, loss_function, steps, learning_rate)`` -> losses."""
    if not callable(function):
        raise _Wrong("pass your function itself, e.g. check_gradient_descent(gradient_descent)")
    steps, rate = 3, 0.1
    model, loss_function = _gradient_descent_problem()
    start = np.array([p.data for p in model.parameters()])
    losses = function(model, loss_function, steps, rate)
    if losses is None:
        raise _Wrong("your function returned None: return the list of losses, one per step")
    try:
        losses = np.array([getattr(loss, "data", loss) for loss in losses], dtype=float)
    except (TypeError, ValueError):
        raise _Wrong(f"return a list of numbers, the loss of each step, got {type(losses).__name__}") from None
    got = np.array([p.data for p in model.parameters()])
    expected, expected_losses = _descend(steps, rate)
    if np.array_equal(got, start):
        raise _Wrong("the parameters never moved: after backward(), step each one in place, "
                     "p.data -= learning_rate * p.grad (zero the gradients before backward(), not after)")
    _diagnose(got, expected, [
        (_descend(steps, rate, zero=False)[0], "you forgot to zero the gradients: .grad adds up across "
                                               "backward() calls, so set every p.grad = 0.0 before each backward()"),
        (_descend(steps, rate, sign=-1.0)[0], "wrong step sign: that climbs the loss; step against the "
                                              "gradient, p.data -= learning_rate * p.grad"),
        (_descend(steps, rate, rate_used=False)[0], "the step ignores the learning rate: "
                                                    "p.data -= learning_rate * p.grad"),
        (_descend(steps, rate, zero="after")[0], "zero the gradients before backward(), not at the end of "
                                                 "a step: the first step then used stale gradients"),
    ], f"the parameter vector after {steps} steps with learning_rate = {rate}")
    if len(losses) != steps:
        raise _Wrong(f"the parameters are right, but {steps} steps returned {len(losses)} losses: record one per step")
    _diagnose(losses, expected_losses, [
        (_descend(steps, rate, record_after=True)[1], "the parameters are right; record each step's loss "
                                                      "before its update (the loss you called backward() on)"),
    ], "the recorded losses")


def xor_data(n_per_cluster=6, noise=0.2, seed=0):
    """Exercise 04.3's data: four clusters around (±1, ±1); the label is +1 where x1 and x2 have
    the same sign, -1 where they differ (XOR), so no straight line separates the classes.
    Returns (points, labels): a list of [x1, x2] and a list of ±1.0, made with numpy alone."""
    rng = np.random.default_rng(seed)
    centres = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    X = np.repeat(centres, n_per_cluster, axis=0) + noise * rng.standard_normal((4 * n_per_cluster, 2))
    y = np.repeat([1.0, 1.0, -1.0, -1.0], n_per_cluster)
    return [[float(a), float(b)] for a, b in X], [float(label) for label in y]


#: the most training Exercise 04.3's check does, in steps × parameters (a few seconds)
XOR_WORK_BUDGET = 25_000


def _is_affine(model):
    """Whether the model is one affine map: zero second differences along a few lines."""
    rng = np.random.default_rng(7)
    for _ in range(3):
        x, u = rng.normal(size=2), rng.normal(size=2)
        f = [model([float(v) for v in x + t * u])[0].data for t in (0.0, 1.0, 2.0)]
        if abs(f[2] - 2 * f[1] + f[0]) > 1e-9 * (1 + max(abs(v) for v in f)):
            return False
    return True


@exercise
def check_xor_recipe(function):
    """Exercise 04.3: ``xor_recipe()`` returns (model, learning_rate, steps) that fit XOR exactly."""
    if not callable(function):
        raise _Wrong("pass your function itself, e.g. check_xor_recipe(xor_recipe)")
    recipe = function()
    if not (isinstance(recipe, tuple) and len(recipe) == 3):
        raise _Wrong("xor_recipe() should return three things: (model, learning_rate, steps)")
    model, rate, steps = recipe
    if not (callable(model) and hasattr(model, "parameters")):
        raise _Wrong(f"the model should be an MLP from backprop_helpers.nn, got {type(model).__name__}")
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0:
        raise _Wrong(f"the learning rate should be a positive number, got {rate!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise _Wrong(f"steps should be a whole number, at least 1, got {steps!r}")
    n_parameters = len(model.parameters())
    if steps * n_parameters > XOR_WORK_BUDGET:
        raise _Wrong(f"{steps} steps × {n_parameters} parameters is more training than this check does "
                     f"(at most {XOR_WORK_BUDGET:,}): XOR needs only a few hidden neurons and a few hundred steps")
    points, labels = xor_data()
    try:
        outputs = model(points[0])
    except Exception as error:
        raise _raised(error, "the model should read one point, a list of 2 inputs [x1, x2]") from None
    if not (isinstance(outputs, list) and len(outputs) == 1):
        raise _Wrong("the model should have 1 output (its sign is the class): end the layer sizes with 1")

    def squared_error():
        return sum((model(p)[0] - y) ** 2 for p, y in zip(points, labels)) * (1 / len(points))

    try:
        losses = train(model, squared_error, steps, learning_rate=rate, progress=False)
        scores = np.array([model(p)[0].data for p in points])
    except (OverflowError, ValueError, ZeroDivisionError) as error:  # raised by Value, not the learner
        raise _Wrong(f"the numbers blew up during training ({type(error).__name__}: {error}): "
                     f"learning rate {rate:g} is too large, try a smaller one") from None
    if not np.all(np.isfinite(losses)) or not np.all(np.isfinite(scores)):
        raise _Wrong(f"the loss went to nan or inf: learning rate {rate:g} is too large, try a smaller one")
    accuracy = np.mean(np.sign(scores) == np.array(labels))
    if accuracy == 1.0 and losses[-1] < losses[0]:
        return
    if _is_affine(model):
        raise _Wrong(f"training accuracy {accuracy:.0%}: your network is one linear map (no nonlinearity in "
                     f"its hidden layers), and no straight line separates XOR; give the hidden layers "
                     f"a nonlinearity, e.g. hidden='tanh'")
    if losses[-1] >= losses[0]:
        raise _Wrong(f"the loss went up ({losses[0]:.4g} to {losses[-1]:.4g}): learning rate {rate:g} is "
                     f"too large, steps overshoot the minimum; try a smaller one")
    raise _Wrong(f"the loss falls ({losses[0]:.4g} to {losses[-1]:.4g}) but training accuracy is "
                 f"{accuracy:.0%}: train longer, raise the learning rate a little, or add hidden neurons")


# --------------------------------------------------------------------------- notebook 05
def _case(shape, axis, keepdims):
    return f"for an input of shape {shape}, axis={axis}, keepdims={keepdims}"


def _reduction_cases():
    """(shape, axis, keepdims) for the reduction exercises: the common case first, then the
    edge cases (length-1 axes, a square input where a wrong axis still broadcasts, 3-D)."""
    shapes = [(2, 3), (1,), (1, 1), (3, 1), (1, 4), (3, 3), (2, 3, 4)]
    return [(shape, axis, keepdims) for shape in shapes for axis in (None, 0, 1, -1)
            if axis is None or -len(shape) <= axis < len(shape) for keepdims in (False, True)]


def _spread(g, shape, axis, keepdims):
    """g of a reduction over ``axis`` put back on the reduced axis and broadcast to ``shape``."""
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, shape)


def _call_rule(function, args, case, shape_hint):
    """The learner's backward rule on ``args`` as an array, with hints for its typical errors."""
    axis, keepdims = args[2:]
    try:
        result = function(*args)
    except NotImplementedError:
        raise  # an untouched stub: not attempted
    except (ValueError, IndexError) as error:
        if keepdims and axis is not None:
            hint = (f"{case}: with keepdims=True, g still has the reduced axis (of length 1), "
                    f"so it lines up with the input as it is")
        elif "broadcast" in str(error):
            hint = f"{case}: {shape_hint}"
        else:
            hint = case
        raise _raised(error, hint) from None
    except TypeError as error:
        raise _raised(error, f"{case}" + ("; axis=None means every entry, handle it "
                                                          "on its own" if "None" in str(error) else "")) from None
    except Exception as error:
        raise _raised(error, case) from None
    if result is None:
        raise _Wrong(f"your function returned None {case}: did you forget to return the gradient?")
    return _as_array(result, "your gradient")


def _check_gradient_shape(got, shape, g, case, keepdims):
    """A _Wrong naming the shape mistake, if ``got`` does not have the input's ``shape``."""
    if got.shape == shape:
        return
    if got.shape == g.shape:
        raise _Wrong(f"your gradient has the shape {got.shape} of g, the reduction's output, {case}; "
                     f"it must have the input's shape {shape}: spread g back over the reduced axis")
    if keepdims and got.ndim == len(shape) + 1:
        raise _Wrong(f"your gradient has shape {got.shape} {case}: with keepdims=True, g still has "
                     f"the reduced axis (of length 1), so don't insert it again")
    raise _Wrong(f"your gradient has shape {got.shape} {case}; it must have the input's shape {shape}")


@exercise
def check_mean_backward(function):
    """Exercise 05.1: ``mean_backward(g, input_shape, axis=None, keepdims=False)`` returns the
    gradient of ``x.mean(axis, keepdims)`` with respect to x, given g = ∂L/∂(mean)."""
    if not callable(function):
        raise _Wrong("pass your function itself, e.g. check_mean_backward(mean_backward)")
    rng = np.random.default_rng(5)
    for shape, axis, keepdims in _reduction_cases():
        case = _case(shape, axis, keepdims)
        g = rng.normal(size=np.zeros(shape).mean(axis=axis, keepdims=keepdims).shape)
        x = Node(np.zeros(shape))
        x.mean(axis=axis, keepdims=keepdims).backward(g)
        expected = x.grad
        got = _call_rule(function, (g.copy(), shape, axis, keepdims), case,
                         "give g back the averaged axis first (np.expand_dims when keepdims=False), "
                         "so it lines up with the input")
        _check_gradient_shape(got, shape, g, case, keepdims)
        size = int(np.prod(shape))
        count = size if axis is None else shape[axis]
        wrong = [(expected * count, f"you forgot to divide by the number of entries averaged ({case}): "
                                    f"each of them contributes 1/count to the mean")]
        if count != size:
            wrong.append((expected * count / size, f"you divided by the input's total size {case}; a mean "
                                                   f"over one axis divides by that axis's length only"))
        if len(shape) == 2 and axis is not None and shape[0] != shape[1]:
            wrong.append((expected * count / shape[1 - axis % 2], f"you divided by the length of the "
                                                                  f"other axis {case}"))
        if axis is not None and not keepdims:
            try:
                along_last = np.broadcast_to(g / count, shape)
                wrong.append((along_last, f"g went back along the wrong axis {case}: numpy lines g up "
                                          f"at the right, so put the averaged axis back first with "
                                          f"np.expand_dims(g, axis)"))
            except ValueError:
                pass
        _diagnose(got, expected, [(v, h) for v, h in wrong if not _close(v, expected)],
                  f"your gradient {case}")


def _max_gradient(g, x, axis, keepdims):
    """∂(x.max(axis))/∂x times g, a tie split equally among the maximal entries (as HIPS autograd)."""
    top = x == x.max(axis=axis, keepdims=True)
    return _spread(g, x.shape, axis, keepdims) * top / top.sum(axis=axis, keepdims=True)


def _first_only(x, axis):
    """A mask of the first maximal entry of each slice (where np.argmax points)."""
    if axis is None:
        mask = np.zeros(x.size)
        mask[np.argmax(x)] = 1.0
        return mask.reshape(x.shape)
    index = np.expand_dims(np.argmax(x, axis=axis), axis)
    mask = np.zeros_like(x)
    np.put_along_axis(mask, index, 1.0, axis=axis)
    return mask


def max_backward_cases():
    """(x, axis, keepdims) for exercise 05.2: distinct values first, then inputs with ties."""
    rng = np.random.default_rng(6)
    cases = [(rng.permutation(int(np.prod(shape))).reshape(shape) - 3.0, axis, keepdims)
             for shape, axis, keepdims in _reduction_cases()]
    tied = [np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]), np.array([[5.0, 5.0, 5.0, 5.0]]),
            np.array([[4.0], [4.0], [-1.0]]), np.array([[0.0, 7.0], [7.0, 7.0], [7.0, 1.0]])]
    cases += [(x, axis, keepdims) for x in tied for axis in (None, 0, 1, -1) for keepdims in (False, True)]
    return cases


@exercise
def check_max_backward(function):
    """Exercise 05.2: ``max_backward(g, x, axis=None, keepdims=False)`` returns the gradient of
    ``x.max(axis, keepdims)`` with respect to x; a tie splits g equally among the maxima."""
    if not callable(function):
        raise _Wrong("pass your function itself, e.g. check_max_backward(max_backward)")
    rng = np.random.default_rng(7)
    for x, axis, keepdims in max_backward_cases():
        case = _case(x.shape, axis, keepdims)
        g = rng.normal(size=x.max(axis=axis, keepdims=keepdims).shape)
        expected = _max_gradient(g, x, axis, keepdims)
        got = _call_rule(function, (g.copy(), x.copy(), axis, keepdims), case,
                         "give g (and the max) back the reduced axis first (np.expand_dims when "
                         "keepdims=False, or keepdims=True in x.max), so they line up with x")
        _check_gradient_shape(got, x.shape, g, case, keepdims)
        spread = _spread(g, x.shape, axis, keepdims)
        count = x.size if axis is None else x.shape[axis]
        top = x == x.max(axis=axis, keepdims=True)
        wrong = [
            (spread, f"every entry got g {case}, as for a sum: only the largest entry of each slice "
                     f"moves the max, so the others get 0"),
            (spread / count, f"that is the gradient of the mean {case}: only the largest entry of each "
                             f"slice moves the max, so the others get 0"),
            (spread * top, f"at a tie every maximal entry got the whole of g {case}; this exercise splits "
                           f"g equally between the tied entries (as the autograd package does)"),
            (spread * _first_only(x, axis), f"you gave g to the first maximal entry only {case}; this "
                                            f"exercise splits g equally between tied entries (as the "
                                            f"autograd package does)"),
            (-expected, f"wrong sign {case}"),
        ]
        _diagnose(got, expected, [(v, h) for v, h in wrong if not _close(v, expected)],
                  f"your gradient {case}")


def softmax_exercise_logits():
    """Exercise 05.3's logits: one column per sample; a single sample, a single class, logits
    near ±1000 (exp overflows unless shifted) and columns far apart (a shift by the max of
    the whole array underflows a column)."""
    rng = np.random.default_rng(8)
    far_apart = rng.normal(size=(3, 2)) + np.array([[0.0, 900.0]])
    return [rng.normal(size=(3, 4)), rng.normal(size=(4, 1)), rng.normal(size=(1, 3)),
            rng.normal(size=(2, 5)) * 3, rng.normal(size=(3, 3)), rng.normal(size=(3, 2)) * 1000,
            far_apart]


@exercise
def check_softmax_on_node(function):
    """Exercise 05.3: ``my_softmax(z)`` takes a Node of logits (one column per sample) and
    returns softmax over axis 0 as a Node built from Node ops, so gradients flow back to z."""
    if not callable(function):
        raise _Wrong("pass your function itself, e.g. check_softmax_on_node(my_softmax)")
    rng = np.random.default_rng(9)
    for logits in softmax_exercise_logits():
        case = f"for logits of shape {logits.shape}"
        z = Node(logits.copy())
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # nan gets a hint below
                a = function(z)
        except NotImplementedError:
            raise  # an untouched stub: not attempted
        except OverflowError as error:
            raise _Wrong(f"e^z overflowed {case} (logits up to {np.max(np.abs(logits)):.0f}): {error}; "
                         f"subtract each column's own maximum first, as a constant "
                         f"(z.data.max(axis=0, keepdims=True)): softmax does not change under a shift") from None
        except Exception as error:
            raise _raised(error, case) from None
        if a is None:
            raise _Wrong("your function returned None: did you forget to return the softmax?")
        if not isinstance(a, Node):
            raise _Wrong(f"your function returned a {type(a).__name__}, not a Node: build the softmax "
                         f"from Node operations (z.exp(), .sum(axis=0, keepdims=True), /, -) so "
                         f"that the backward pass can reach z")
        got, expected = np.asarray(a.data), softmax(logits, axis=0)
        if got.shape != expected.shape:
            raise _Wrong(f"your softmax has shape {got.shape} {case}; it must keep z's shape "
                         f"{expected.shape} (sum with keepdims=True, so the sums stay a row)")
        if not np.all(np.isfinite(got)):
            raise _Wrong(f"your softmax has nan or inf {case}: the columns' logits lie far apart, so "
                         f"shifted by one maximum for the whole array, a column far below it underflows "
                         f"to 0 / 0; subtract each column's own maximum instead, as a constant "
                         f"(z.data.max(axis=0, keepdims=True)): softmax does not change under a shift")
        e, e_columns = np.exp(logits - logits.max()), np.exp(logits - logits.max(axis=0, keepdims=True))
        whole = (f"the whole array sums to 1 {case}: normalise each column (one sample) on its own, "
                 f".sum(axis=0, keepdims=True)")
        wrong = [(softmax(logits, axis=1), f"each row sums to 1 {case}, but the classes run down a column: "
                                           f"normalise over axis 0, one sample per column"),
                 (e / e.sum(), whole), (e_columns / e_columns.sum(), whole),
                 (e_columns, f"the entries are e^z {case}: divide by each column's sum")]
        with np.errstate(over="ignore"):
            wrong.append((np.exp(logits), wrong[-1][1]))
        _diagnose(got, expected, [(v, h) for v, h in wrong if not _close(v, expected)],
                  f"your softmax {case}")
        if not a.requires_grad:
            raise _Wrong("your softmax is right but is a constant, not connected to z: use Node "
                         "operations on z (not z.data or numpy functions, which cut the graph)")
        G = rng.normal(size=logits.shape)
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                a.backward(G)
        except Exception as error:
            raise _raised(error, f"{case}, in the backward pass of your softmax") from None
        expected_grad = softmax_backward(expected, G)
        if np.all(z.grad == 0) and not _close(z.grad, expected_grad):
            raise _Wrong(f"z got no gradient {case}: somewhere the softmax was computed from z.data or "
                         f"numpy functions, which cuts the graph; use Node operations on z")
        _diagnose(z.grad, expected_grad, [
            (expected * G, f"the gradient misses the −a aᵀ term of the softmax Jacobian {case}: the "
                           f"denominator Σ e^z depends on z too, so it must stay a Node "
                           f"(e.sum(axis=0, keepdims=True)), not a constant from .data"),
        ], f"∂L/∂z through your softmax {case}")


# names of the exercises package's core, for the checkers below (until the split)
WrongAnswer, learner_error, diagnose, close, as_array = _Wrong, _raised, _diagnose, _close, _as_array
_plain_exercise = exercise


def exercise(check=None, *, callable_answer=False):  # noqa: F811
    if check is None:
        return lambda c: exercise(c, callable_answer=callable_answer)
    return _plain_exercise(check)


# ----- notebook 05, exercises 2, 5 and 6: a stacked matmul's weight, a fused cross-entropy,
# ----- and an open recipe for the digits

def batched_weight_exercise_cases():
    """(X shape, p) for exercise 05.2: a plain matrix first, then stacks of one, of three,
    of 2 × 3 (two leading axes), and square matrices (where a wrong transpose still fits)."""
    return [((4, 3), 2), ((1, 4, 3), 2), ((3, 4, 3), 2), ((2, 3, 5, 4), 3), ((3, 3, 3), 3),
            ((2, 2, 2, 2), 2)]


@exercise(callable_answer=True)
def check_batched_weight_gradient(function):
    """Exercise 05.2: ``batched_weight_gradient(G, X)`` returns ∂L/∂W for Y = X @ W, where X is a
    stack of matrices (..., m, n), W one (n, p) matrix and G = ∂L/∂Y of shape (..., m, p)."""
    rng = np.random.default_rng(11)
    for shape, p in batched_weight_exercise_cases():
        X = rng.normal(size=shape)
        G = rng.normal(size=shape[:-1] + (p,))
        n, stack = shape[-1], shape[:-2]
        case = f"for X of shape {shape} and G of shape {G.shape}"
        try:
            result = function(G.copy(), X.copy())
        except NotImplementedError:
            raise
        except Exception as error:
            hint = case + ("; for a stack, .T reverses every axis, not only the last two"
                           if len(shape) > 2 else "")
            raise learner_error(error, hint) from None
        if result is None:
            raise WrongAnswer(f"your function returned None {case}: did you forget to return the gradient?")
        got = as_array(result, "your gradient")
        per_matrix = np.swapaxes(X, -1, -2) @ G
        expected = per_matrix.reshape((-1, n, p)).sum(axis=0)
        if got.shape == per_matrix.shape and got.shape != expected.shape:
            raise WrongAnswer(f"your gradient has shape {got.shape} {case}: one gradient per matrix of "
                              f"the stack. W itself has shape {(n, p)}, and it was used by every matrix "
                              f"of the stack: what does the chain rule do with the gradients of all its uses?")
        count = int(np.prod(stack)) if stack else 1
        wrong = [(expected / count, f"you averaged over the stack {case}; W was used once per matrix, "
                                    f"and the chain rule adds the gradients of all its uses"),
                 (-expected, f"wrong sign {case}")]
        if stack:
            first = per_matrix.reshape((-1, n, p))[0]
            wrong.append((first, f"only the first matrix of the stack counted {case}; every matrix "
                                 f"used W"))
        diagnose(got, expected, [(v, h) for v, h in wrong if not close(v, expected)],
                 f"your gradient {case}")


class _ExerciseLogits:
    """The logits handed to a learner's fused op: a leaf with the attributes of a MiniNode."""

    def __init__(self, data):
        self.data = data
        self.grad = np.zeros_like(data)
        self.inputs = ()
        self.rule = None


def log_softmax_exercise_cases():
    """(logits, one-hot Y) for exercise 05.5: several shapes, one sample, one far-apart column,
    and logits near ±1000 (exp overflows unless shifted)."""
    rng = np.random.default_rng(12)
    shapes_and_scales = [((3, 4), 1.0), ((10, 5), 2.0), ((4, 1), 1.0), ((2, 6), 3.0), ((3, 2), 1000.0)]
    cases = []
    for shape, scale in shapes_and_scales:
        z = rng.normal(size=shape) * scale
        cases.append((z, np.eye(shape[0])[:, rng.integers(0, shape[0], size=shape[1])]))
    far = rng.normal(size=(3, 3)) + np.array([[0.0, 800.0, -800.0]])
    cases.append((far, np.eye(3)[:, [2, 0, 1]]))
    return cases


def _mean_cross_entropy(z, Y):
    return float(-np.mean(np.sum(Y * log_softmax(z, axis=0), axis=0)))


@exercise(callable_answer=True)
def check_log_softmax_cross_entropy(function):
    """Exercise 05.5: ``log_softmax_cross_entropy(z, Y)`` returns a MiniNode holding the mean
    cross-entropy of the logits z (classes × samples) against one-hot Y, with inputs (z,) and a
    rule that returns (∂L/∂z,) for an upstream gradient g."""
    for index, (logits, Y) in enumerate(log_softmax_exercise_cases()):
        case = f"for logits of shape {logits.shape}" + (
            f" (up to {np.max(np.abs(logits)):.0f})" if np.max(np.abs(logits)) > 100 else "")
        z = _ExerciseLogits(logits.copy())
        try:
            with np.errstate(all="ignore"):  # nan and inf get their hint below
                node = function(z, Y.copy())
        except NotImplementedError:
            raise
        except Exception as error:
            raise learner_error(error, case) from None
        if node is None:
            raise WrongAnswer("your function returned None: did you forget to return the new MiniNode?")
        if not all(hasattr(node, name) for name in ("data", "inputs", "rule")):
            raise WrongAnswer(f"your function returned a {type(node).__name__}; return a new MiniNode, "
                              f"MiniNode(loss, (z,), rule), with the loss as data and your rule")
        value = as_array(node.data, "the node's data")
        expected = _mean_cross_entropy(logits, Y)
        if value.size != 1:
            raise WrongAnswer(f"the node's data has shape {value.shape} {case}; the loss is one number, "
                              f"the mean over the samples")
        value = float(value.ravel()[0])
        if not np.isfinite(value):
            raise WrongAnswer(f"the loss is {value} {case}: e^z overflows (or log of 0); shift each "
                              f"column by its own maximum before exponentiating, and take the log of "
                              f"the sum, not of a softmax that may have underflowed to 0")
        m = logits.shape[1]
        loss_variants = [(expected * m, "the loss is the sum over the samples; this exercise asks for "
                                        "the mean (divide by the number of columns)"),
                         (-expected, "the sign: cross-entropy is minus the log-probability of the true class"),
                         (-float(np.mean(np.sum(Y * log_softmax(logits, axis=1), axis=0))),
                          "the softmax runs along the wrong axis: the classes run down each column (axis 0)")]
        if not close(value, expected):
            for variant, hint in loss_variants:
                if m > 1 and close(value, variant):
                    raise WrongAnswer(f"{hint} ({case})")
            raise WrongAnswer(f"the loss is off {case} (yours {value:.6g}); compute log-softmax as "
                              f"z minus the log of the column's sum of e^z, then average -Σ Y log p")
        if tuple(node.inputs) != (z,) or node.inputs[0] is not z:
            raise WrongAnswer("the new node's inputs should be (z,), the logits you were given, so "
                              "that the backward pass reaches them")
        for g in (1.0, 0.37, -2.5) if index == 0 else (0.37,):
            try:
                with np.errstate(all="ignore"):
                    grads = node.rule(node, np.array(g))
            except Exception as error:
                raise learner_error(error, f"{case}, in your rule") from None
            if not isinstance(grads, (tuple, list)) or len(grads) != 1:
                raise WrongAnswer("a rule returns one gradient per input, as a tuple: (dL_dz,), "
                                  f"got {type(grads).__name__}"
                                  + (f" of length {len(grads)}" if isinstance(grads, (tuple, list)) else ""))
            got = as_array(grads[0], "your rule's gradient")
            p = softmax(logits, axis=0)
            exact = g * (p - Y) / m
            wrong = [(exact / g, f"your rule ignores g {case}: the upstream gradient multiplies the "
                                 f"whole vector–Jacobian product (try g = {g})"),
                     (exact * m, f"the gradient misses the 1/m of the mean {case}"),
                     (-exact, f"wrong sign {case}"),
                     (g * p / m, f"the gradient misses the −Y term {case}: the true class's "
                                 f"log-probability has a derivative of its own")]
            diagnose(got, exact, [(v, h) for v, h in wrong if not close(v, exact)],
                     f"your rule's ∂L/∂z {case} with g = {g}")


DIGITS_RECIPE_TARGET = 0.98
DIGITS_RECIPE_SECONDS = 60.0


def digits_exercise_data():
    """Notebook 05's digits split, as the notebook makes it: (X_train, Y_train, X_test, y_test).

    36 images of each digit held out (seeded), pixels scaled to 0..1 and standardised with the
    training set's per-pixel mean and spread + 0.1, one column per image, one-hot Y."""
    from .examples import load_digits

    images, labels = load_digits()
    split_rng = np.random.default_rng(0)
    test_index = np.sort(np.concatenate([split_rng.choice(np.flatnonzero(labels == digit), 36, replace=False)
                                         for digit in range(10)]))
    train_index = np.setdiff1d(np.arange(len(labels)), test_index)
    pixels = images.reshape(len(images), 64).T / 16.0
    mean = pixels[:, train_index].mean(axis=1, keepdims=True)
    spread = pixels[:, train_index].std(axis=1, keepdims=True) + 0.1
    X = (pixels - mean) / spread
    Y = np.eye(10)[:, labels]
    return X[:, train_index], Y[:, train_index], X[:, test_index], labels[test_index]


@exercise(callable_answer=True)
def check_digits_recipe(function):
    """Exercise 05.6: ``digits_recipe(X_train, Y_train)`` trains on the notebook's training digits
    and returns ``predict(X)``; it must reach 98% on the held-out digits within 60 seconds."""
    import time

    X_train, Y_train, X_test, y_test = digits_exercise_data()
    start = time.perf_counter()
    try:
        predict = function(X_train.copy(), Y_train.copy())
    except NotImplementedError:
        raise
    except Exception as error:
        raise learner_error(error, "while training") from None
    seconds = time.perf_counter() - start
    if predict is None:
        raise WrongAnswer("digits_recipe returned None: return the function predict(X) that your "
                          "training made")
    if not callable(predict):
        raise WrongAnswer(f"digits_recipe returned a {type(predict).__name__}; return a function "
                          f"predict(X) that maps a 64 × n array of images to n digits")
    try:
        predicted = predict(X_test.copy())
    except Exception as error:
        raise learner_error(error, "in predict, on the 360 test images") from None
    if isinstance(predicted, Node):
        raise WrongAnswer("predict returned a Node; return plain digits, e.g. from the logits' "
                          ".data with argmax over axis 0")
    predicted = as_array(predicted, "predict's answer")
    if predicted.shape == (10, len(y_test)):
        raise WrongAnswer("predict returned 10 scores per image; return one digit per image, the "
                          "class with the largest score (argmax over axis 0)")
    if predicted.shape != y_test.shape:
        raise WrongAnswer(f"predict returned shape {predicted.shape} for 360 images; return one digit "
                          f"per image, shape (360,)")
    if not np.all(np.isin(predicted, np.arange(10))):
        raise WrongAnswer("predict should return whole digits 0 to 9 (class indices), not "
                          "probabilities or scores")
    correct = int(np.sum(predicted == y_test))
    if seconds > DIGITS_RECIPE_SECONDS:
        raise WrongAnswer(f"training took {seconds:.0f} s, over the {DIGITS_RECIPE_SECONDS:.0f} s budget "
                          f"(test accuracy {100 * correct / len(y_test):.1f}%): fewer epochs or units")
    if correct / len(y_test) < DIGITS_RECIPE_TARGET:
        raise WrongAnswer(f"test accuracy {100 * correct / len(y_test):.1f}% ({correct} of "
                          f"{len(y_test)}), the target is {100 * DIGITS_RECIPE_TARGET:.0f}%: change one "
                          f"thing at a time and measure it on data held out from the training set")
