"""The grader's judge: every exercise's verdict decided in the grader's own process.

``grade-exercises`` runs a learner's notebook in a kernel, and that kernel is the learner's:
anything that runs there can be read, replaced or faked by the notebook, so nothing it prints,
displays or records is taken as a verdict. After the notebook has run, the judge, for each
exercise:

1. draws fresh inputs (seeded per submission; the grader logs the seed);
2. asks the kernel (:func:`_drive`, the judge's only code that runs there) to call the
   learner's answer by its name on them and to reply with what it returned, as plain numbers
   in JSON: inputs and results travel in the grader's request and the kernel's reply, never
   through files, which a process the notebook left running could change;
3. reads the reply strictly (size, numbers, shapes) and compares it with the package's
   reference, computed here on the same inputs.

Answers computed by hand (a number, an array) are read the same way and judged here by the
package's checker. An exercise that forbids the package's own answer is run a second time, on
other fresh inputs, with those package functions made to raise inside the kernel. When an
answer is wrong, the notebook's checker (in the kernel) is asked for its hint, shown as a hint
only.

Adding an exercise: one :class:`Spec` in ``SPECS``; ``tests/test_judge.py`` names every
exercise that has none.
"""
import ast
import json
import math
import re
import secrets
import sys
import time
from contextlib import contextmanager
from queue import Empty
from typing import NamedTuple

import numpy as np

from . import naive
from .activations import sigmoid, softmax, softmax_backward, softmax_jacobian
from .exercises import core
from .exercises import nb01_naive as nb01, nb02_bp as nb02, nb04_scalar as nb04, nb05_tensor as nb05
from .exercises.core import CORRECT, NOT_ATTEMPTED, WRONG, Verdict, WrongAnswer, as_array
from .gradcheck import numerical_gradient
from .losses import cross_entropy, cross_entropy_gradient
from .network import Network
from .scalar import Value
from .tensor import Node

MISSING, TIMED_OUT, ERROR = "missing", "timed out", "error"

#: the longest reply the grader reads from the kernel, in characters, and the longest message it keeps
MAX_REPLY, MAX_MESSAGE = 64_000_000, 400
#: seconds the grader waits for the kernel beyond an exercise's own time limit
REPLY_MARGIN = 15.0


class Rule(NamedTuple):
    """An expected value that is a condition: ``test(got)`` true, else ``message``."""
    test: object
    message: str


class Spec(NamedTuple):
    """How the judge grades one exercise.

    ``name``: the exercise, and the answer's name in the notebook. ``cases(rng)``: fresh
    inputs, a list of argument tuples of plain data (numbers, strings, lists, tuples, dicts,
    numpy arrays). ``run(answer, *args)``: runs in the learner's kernel, calls the answer and
    returns plain data. ``expected(*args)``: runs in the grader, what ``run`` should give
    (arrays compared up to round-off, :class:`Rule` for a condition). ``forbidden``: the
    package's functions the answer must not use, besides those its checker refuses. No ``cases``: the answer is a value,
    judged by the package's checker in the grader's process.
    """
    name: str
    cases: object = None
    run: object = None
    expected: object = None
    forbidden: tuple = ()
    time_limit: float = core.TIME_LIMIT
    hint: bool = True    # ask the notebook's checker for a hint when the answer is wrong


# --------------------------------------------------------------------------- plain data
def encode(x):
    """``x`` as JSON-ready plain data: arrays, tuples and dicts (any keys) are tagged."""
    if isinstance(x, (np.ndarray, np.generic)):
        x = np.asarray(x)
        kind = {"f": "f", "i": "i", "u": "i", "b": "b"}[x.dtype.kind]
        return {"array": x.ravel().tolist(), "shape": list(x.shape), "kind": kind}
    if isinstance(x, tuple):
        return {"tuple": [encode(v) for v in x]}
    if isinstance(x, list):
        return [encode(v) for v in x]
    if isinstance(x, dict):
        return {"dict": [[encode(k), encode(v)] for k, v in x.items()]}
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    raise TypeError(f"not plain data: {type(x).__name__}")


_KINDS = {"f": (float, (int, float)), "i": (np.int64, (int,)), "b": (bool, (bool,))}


def decode(x):
    """The inverse of :func:`encode`, strict: anything else raises ValueError."""
    if isinstance(x, list):
        return [decode(v) for v in x]
    if isinstance(x, dict):
        if set(x) == {"array", "shape", "kind"} and x["kind"] in _KINDS:
            shape, values = x["shape"], x["array"]
            dtype, allowed = _KINDS[x["kind"]]
            if not (isinstance(shape, list) and all(type(n) is int and n >= 0 for n in shape)
                    and isinstance(values, list) and len(values) == math.prod(shape)
                    and all(type(v) in allowed for v in values)):
                raise ValueError("a malformed array")
            return np.array(values, dtype=dtype).reshape(shape)
        if set(x) == {"tuple"} and isinstance(x["tuple"], list):
            return tuple(decode(v) for v in x["tuple"])
        if set(x) == {"dict"} and isinstance(x["dict"], list):
            if not all(isinstance(p, list) and len(p) == 2 for p in x["dict"]):
                raise ValueError("a malformed dict")
            return {decode(k): decode(v) for k, v in x["dict"]}
        raise ValueError(f"unexpected keys {sorted(x)[:5]}")
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    raise ValueError(f"unexpected {type(x).__name__}")


def _plain_value(x):
    """A learner's by-hand answer as plain data, as near to what was written as JSON allows."""
    if isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind in "fiub":
        return np.asarray(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_plain_value(v) for v in x)
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if hasattr(x, "numerator") and hasattr(x, "denominator"):  # a Fraction
        return float(x)
    return {"unreadable": type(x).__name__}


# --------------------------------------------------------------------------- in the kernel
def forbidden(spec):
    """The package's functions an answer may not use: those its notebook checker refuses
    (``references``), and the spec's own ``forbidden``."""
    entry = core.REGISTRY.get(spec.name)
    return tuple(dict.fromkeys(spec.forbidden + tuple(r for r in (entry.references if entry else ())
                                                       if not isinstance(r, str))))  # not package names


def numbers(x, what="your result"):
    """The answer's result as a float array (in the kernel), or WrongAnswer saying why not."""
    if x is None:
        raise WrongAnswer(f"{what} is None: did you forget to return it?")
    return as_array(x, what)


def _disabled(*args, **kwargs):
    raise RuntimeError("this function of the package is switched off while the grader checks "
                       "an answer that must not use it")


@contextmanager
def _switched_off(functions):
    """The package's ``functions`` raise while inside: the function objects themselves, so an
    alias, a wrapper or a stored reference to them raises too."""
    saved = [(f, f.__code__) for f in functions]
    try:
        for f in functions:
            f.__code__ = _disabled.__code__.replace(co_name=f.__name__)
        yield
    finally:
        for f, code in saved:
            f.__code__ = code


def _drive(namespace, name, expression, inputs, guarded):
    """In the learner's kernel: call exercise ``name``'s answer (``expression`` evaluated in
    the notebook's ``namespace``) on the cases in ``inputs`` (JSON) and return the outcome as
    JSON. ``guarded``: with the package's forbidden functions switched off."""
    spec = SPECS[name]
    try:
        answer = eval(expression, namespace)
    except NameError:
        outcome = {"status": "missing"}
    else:
        outcome = _outcome(spec, answer, inputs, guarded)
    try:
        return json.dumps(encode(outcome))
    except (TypeError, ValueError) as error:
        return json.dumps({"status": "wrong", "message": f"the result is not numbers: {error}"})


def _outcome(spec, answer, inputs, guarded):
    if answer is None or answer is Ellipsis:
        return {"status": "stub"}
    if spec.cases is None:
        return {"status": "value", "value": _plain_value(answer)}
    if not callable(answer):
        return {"status": "wrong", "message": f"{spec.name} should be a function, got {type(answer).__name__}"}
    cases = decode(json.loads(inputs))
    learner = core._Answer(answer, ())
    try:
        with core.time_limit(spec.time_limit), _switched_off(forbidden(spec) if guarded else ()):
            return {"status": "ran", "results": [spec.run(learner, *case) for case in cases]}
    except WrongAnswer as wrong:
        return {"status": "wrong", "message": str(wrong)[:MAX_MESSAGE]}
    except core.AnswerTimeout as timeout:
        return {"status": "wrong", "message": core._timeout_message(timeout, spec.time_limit)[:MAX_MESSAGE]}
    except NotImplementedError as error:
        if learner.is_untouched_stub(error):
            return {"status": "stub"}
        return {"status": "raised", "message": str(core.learner_error(error))[:MAX_MESSAGE]}
    except BaseException as error:  # the learner's, SystemExit and KeyboardInterrupt included
        return {"status": "raised", "message": str(core.learner_error(error))[:MAX_MESSAGE]}


# --------------------------------------------------------------------------- in the grader
def _mismatch(got, expected, where="the result"):
    """What is wrong with ``got`` (plain data from the kernel) against ``expected``, or ""."""
    if isinstance(expected, Rule):
        try:
            return "" if expected.test(got) else f"{where}: {expected.message}"
        except Exception:
            return f"{where}: {expected.message}"
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"{where} does not have the expected entries"
        return next((m for k in expected if (m := _mismatch(got[k], expected[k], f"{where}[{k!r}]"))), "")
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)) or len(got) != len(expected):
            return f"{where} does not have {len(expected)} entries"
        return next((m for k, e in enumerate(expected) if (m := _mismatch(got[k], e, f"{where}[{k}]"))), "")
    expected = np.asarray(expected, dtype=float)
    if isinstance(got, bool) or not isinstance(got, (int, float, np.ndarray)):
        return f"{where} is not numbers"
    got = np.asarray(got, dtype=float)
    if got.shape != expected.shape:
        return f"{where} has shape {got.shape}, expected {expected.shape}"
    if not core.close(got, expected):
        return f"{where} is wrong" + ("" if np.all(np.isfinite(got)) else " (nan or inf)")
    return ""


def _sync(call):
    """The value of ``call()`` (a kernel manager's or client's method, maybe async)."""
    from nbclient.util import ensure_async, run_sync

    async def run():
        return await ensure_async(call())
    return run_sync(run)()


def _wait(client, msg_id, seconds):
    """The kernel's reply to ``msg_id`` within ``seconds``, else None (at once if it died)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            msg = _sync(lambda: client.kc.shell_channel.get_msg(timeout=0.5))
        except Empty:
            if not _sync(client.km.is_alive):
                return None
            continue
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg
    return None


class NoAnswer(Exception):
    """The kernel gave nothing the grader can read: ``status`` (error, timed out) and why."""

    def __init__(self, status, message):
        super().__init__(status, message)
        self.status, self.message = status, message


def _ask(client, expression, seconds, interrupt=True):
    """The value (a Python literal) of the grader's ``expression`` evaluated in the kernel,
    unseen by the notebook; raises NoAnswer when there is none."""
    msg_id = client.kc.execute("", silent=True, store_history=False, user_expressions={"r": expression})
    reply = _wait(client, msg_id, seconds)
    if reply is None:
        if not _sync(client.km.is_alive):
            raise NoAnswer(ERROR, "the kernel died while the grader called the answer")
        if not interrupt:
            raise NoAnswer(TIMED_OUT, f"the kernel gave no answer within {seconds:g} s")
        _sync(client.km.interrupt_kernel)
        _wait(client, msg_id, 5)
        raise NoAnswer(TIMED_OUT, f"the kernel gave no answer within {seconds:g} s and was interrupted")
    result = reply["content"].get("user_expressions", {}).get("r", {})
    if result.get("status") != "ok":
        raise NoAnswer(ERROR, (f"the grader's call failed in the kernel: {result.get('ename', 'no reply')}: "
                               f"{result.get('evalue', '')}")[:MAX_MESSAGE])
    try:
        text = result["data"]["text/plain"]
        if len(text) > 2 * MAX_REPLY:
            raise ValueError("too long")
        return ast.literal_eval(text)
    except (KeyError, ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise NoAnswer(ERROR, "the kernel's reply could not be read") from None


def _call(client, spec, expression, cases, guarded):
    """One call of the answer in the kernel: the outcome it gave (a dict), read strictly, or a
    (status, message) pair when there is none to trust. Inputs and outcome travel in the
    grader's request and the kernel's own reply, never through a file that another process
    could change."""
    call = (f"__import__('backprop_helpers.judge', fromlist=['_'])._drive(globals(), {spec.name!r}, "
            f"{expression!r}, {json.dumps(encode(cases or []))!r}, {guarded!r})")
    try:
        text = _ask(client, call, spec.time_limit + REPLY_MARGIN)
        if not isinstance(text, str) or len(text) > MAX_REPLY:
            raise NoAnswer(ERROR, "the answer's result could not be read (not JSON text, or too long)")
        outcome = decode(json.loads(text))
    except NoAnswer as none:
        return none.status, none.message
    except (ValueError, RecursionError) as error:
        return ERROR, f"the answer's result could not be read ({type(error).__name__})"
    if not isinstance(outcome, dict) or not isinstance(outcome.get("status"), str):
        return ERROR, "the answer's result could not be read"
    return outcome


def _hint(client, spec, expression):
    """The notebook's checker's message on the answer (it runs in the kernel: a hint, never
    a verdict), or ""."""
    if not spec.hint:
        return ""
    try:
        said = _ask(client, f"__import__('backprop_helpers.exercises', fromlist=['_']).judge("
                            f"{spec.name!r}, {expression}).message[:{MAX_MESSAGE}]",
                    spec.time_limit * 2 + REPLY_MARGIN)
    except NoAnswer:
        return ""
    return f"; the notebook's checker says: {said[:MAX_MESSAGE]}" if isinstance(said, str) and said else ""


def _verdict_of(spec, outcome, cases):
    """(status, message) of one call's outcome against the reference on its cases."""
    if isinstance(outcome, tuple):
        return outcome
    status = outcome["status"]
    if status == "missing":
        return MISSING, f"the notebook defines no {spec.name}"
    if status == "stub":
        return NOT_ATTEMPTED, ""
    if status in ("wrong", "raised"):
        return WRONG, str(outcome.get("message", ""))[:MAX_MESSAGE]
    if status == "value" and spec.cases is None:
        value = outcome.get("value")
        if isinstance(value, dict) and "unreadable" in value:
            return WRONG, f"{spec.name} should be numbers, got {str(value['unreadable'])[:80]}"
        verdict = core.judge(spec.name, value)   # the package's checker, in the grader's process
        return verdict.status, verdict.message
    results = outcome.get("results")
    if status != "ran" or not isinstance(results, list) or len(results) != len(cases):
        return ERROR, "the answer's result could not be read"
    for index, (case, got) in enumerate(zip(cases, results)):
        problem = _mismatch(got, spec.expected(*case))
        if problem:
            return WRONG, f"on the grader's input {index + 1} of {len(cases)}, {problem}"
    return CORRECT, ""


def judge_answer(spec, call, rng, hint=lambda: ""):
    """The Verdict on one exercise's answer. ``call(cases, guarded)`` runs it (in the kernel)
    and gives its outcome; ``hint()`` asks the notebook's checker, when the answer is wrong."""
    cases = spec.cases(rng) if spec.cases else None
    status, message = _verdict_of(spec, call(cases, False), cases)
    if status == WRONG and spec.cases is not None:
        message += hint()
    elif status == CORRECT and forbidden(spec):
        cases = spec.cases(rng)   # other fresh inputs: an answer that stored the first ones fails
        again, problem = _verdict_of(spec, call(cases, True), cases)
        if again != CORRECT:
            names = ", ".join(f.__qualname__ for f in forbidden(spec))
            status, message = WRONG, (f"right only with the package's own {names}: with them switched "
                                      f"off it fails ({problem[:MAX_MESSAGE]}); write your own")
    return Verdict(spec.name, status, message)


def _trees(cells):
    """(syntax tree, whether it ran) of each code cell (IPython's % and ! lines left out)."""
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        lines = [("" if line.lstrip().startswith(("%", "!")) else line)
                 for line in str(cell.get("source", "")).splitlines()]
        try:
            yield ast.parse("\n".join(lines)), cell.get("execution_count") is not None
        except SyntaxError:
            continue


def answer_expression(name, cells):
    """How the kernel finds exercise ``name``'s answer: by its name if the notebook defines it,
    else as the argument of the last call of the course's ``check_<name>`` that ran (a lambda)."""
    defined = checker_redefined = False
    argument = None
    for tree, ran in _trees(cells):
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound = [node.name]
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                bound = [node.id]
            elif isinstance(node, ast.alias):
                bound = [node.asname or node.name] if node.asname or node.name == name else []
            else:
                bound = []
                if (ran and isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id == f"check_{name}" and len(node.args) == 1 and not node.keywords):
                    argument = ast.unparse(node.args[0])
            defined |= name in bound
            checker_redefined |= f"check_{name}" in bound and not isinstance(node, ast.alias)
    return name if defined or argument is None or checker_redefined else argument


def fresh_seed():
    """A seed for one submission's inputs: unknown to it in advance, logged with its grades."""
    return secrets.randbits(48)


def _revive(client, cells, cell_timeout):
    """Restart a kernel that died and re-run the code cells that had run to the end (those with
    an execution count), so the answers they defined can still be called; whether that worked."""
    ran = [cell for cell in cells if cell.get("cell_type") == "code" and cell.get("execution_count") is not None]
    try:
        _sync(lambda: client.km.restart_kernel(now=True))
        _sync(lambda: client.kc.wait_for_ready(timeout=60))
        for cell in ran:
            msg_id = client.kc.execute(str(cell.get("source", "")), store_history=True)
            if _wait(client, msg_id, cell_timeout + REPLY_MARGIN) is None:
                return False
        return _answers(client)
    except Exception:  # the kernel cannot be started again
        return False


def _answers(client):
    """Whether the kernel answers the grader at once (not still busy with a cell)."""
    try:
        return _ask(client, "1", 10, interrupt=False) == 1
    except NoAnswer:
        return False


def judge_kernel(client, names, cells, seed, cell_timeout=120):
    """Verdicts {exercise: Verdict} on the answers in the kernel of ``client``, where the
    notebook ``cells`` have run, for those of the exercises ``names`` that have a spec, on
    inputs drawn from ``seed``. A kernel that died is started again and given the cells that
    had run; one that does not answer leaves every exercise unjudged."""
    names = [name for name in names if name in SPECS]
    alive = _answers(client) if _sync(client.km.is_alive) else _revive(client, cells, cell_timeout)
    if not alive:
        return {name: Verdict(name, TIMED_OUT if _sync(client.km.is_alive) else ERROR,
                              "not judged: the kernel did not answer the grader") for name in names}
    rng, verdicts = np.random.default_rng(seed), {}
    for name in names:
        spec, expression = SPECS[name], answer_expression(name, cells)
        verdicts[name] = judge_answer(spec, lambda cases, guarded: _call(client, spec, expression, cases, guarded),
                                      rng, lambda: _hint(client, spec, expression))
    return verdicts


def overrule(verdicts, judged):
    """Put the judge's verdicts into grade.py's ``verdicts`` {exercise: (status, message)},
    which come from the run. Where the judge found no answer to call, or the answer is wrong
    and the run says its check cell failed or timed out, the run's reason stays; nothing
    the notebook displayed counts for an exercise the judge grades."""
    for name, verdict in judged.items():
        if name not in verdicts:
            continue
        ran = verdicts[name][0]
        if verdict.status == CORRECT or ran not in (ERROR, TIMED_OUT, MISSING) or (
                verdict.status in (WRONG, NOT_ATTEMPTED) and ran == MISSING):
            verdicts[name] = (verdict.status, verdict.message)


# --------------------------------------------------------------------------- the specs
# Each exercise: fresh inputs (``cases``), how the kernel calls the answer (``run``), the
# reference here (``expected``). Helpers named _run_* run in the kernel, the rest here.

def _seed(rng):
    return int(rng.integers(2 ** 31))


def _array(answer, *args):
    """The answer's array result on ``args``, numpy's warnings silenced (nan is judged)."""
    with np.errstate(all="ignore"):
        return numbers(answer(*args))


def _column(answer, *args):
    """As :func:`_array`, a 1-D result read as the column it stands for."""
    got = _array(answer, *args)
    return got.reshape(-1, 1) if got.ndim == 1 else got


def _number(answer, *args):
    """As :func:`_array`, a result of one entry read as one number."""
    got = _array(answer, *args)
    return got.reshape(()) if got.size == 1 else got


def _sizes(rng, layers, widest=4):
    return [int(n) for n in rng.integers(1, widest + 1, size=layers + 1)]


# ----- notebook 01
def _local_terms_cases(rng):
    cases = []
    for sizes in ([2, 2, 2, 2], _sizes(rng, 3), _sizes(rng, 4), [1] * 5):
        net = Network.random(sizes, activations=str(rng.choice(["sigmoid", "tanh"])), seed=_seed(rng))
        terms = naive.local_terms(net, rng.normal(size=(sizes[0], 1)), rng.uniform(size=(sizes[-1], 1)))
        cases.append((vars(terms),))
    depth = max(3000, 2 * sys.getrecursionlimit())  # deeper than a recursion may go
    signs = {l: [[float(rng.choice([-1.0, 1.0]))]] for l in range(1, depth + 1)}
    cases.append(({"sizes": [1] * (depth + 1), "W": signs, "sigma_prime": {l: [1.0] for l in signs},
                   "a": {l: [0.0] for l in range(depth + 1)}, "delta_output": [float(rng.normal())],
                   "loss": 0.0},))
    return cases


def _run_bottom_up(answer, fields):
    got = answer(naive.LocalTerms(**fields))
    if not isinstance(got, dict):
        raise WrongAnswer(f"return a dict {{(l, j): δ}}, got {type(got).__name__}")
    return {key: float(numbers(value).reshape(())) for key, value in got.items()
            if isinstance(key, tuple) and len(key) == 2 and all(type(k) is int for k in key)}


def _skip_network_cases(rng):
    cases = []
    for layers in (3, 4, 4, 5):
        sizes = _sizes(rng, layers, 3)
        skips = [(l, m) for l in range(1, layers) for m in range(l + 2, layers + 1) if rng.uniform() < 0.6]
        net = nb01.SkipNetwork.random(sizes, skips, seed=_seed(rng))
        terms = nb01.graph_terms(net, rng.normal(size=(sizes[0], 1)), rng.uniform(size=(sizes[-1], 1)))
        cases.append((vars(terms),))
    return cases


def _requests(terms):
    return [(l, j) for l in range(1, terms.L + 1) for j in range(terms.sizes[l])]


def _run_graph_delta(answer, fields):
    terms, calls, cache = nb01.GraphTerms(**fields), __import__("collections").Counter(), {}
    deltas = [float(numbers(answer(terms, l, j, calls, cache)).reshape(())) for l, j in _requests(terms)]
    return {"deltas": deltas, "calls": {key: int(n) for key, n in calls.items() if n}}


def _expected_graph_delta(fields):
    terms, cache = nb01.GraphTerms(**fields), {}
    return {"deltas": [nb01._graph_variant(terms, l, j, cache) for l, j in _requests(terms)],
            "calls": Rule(lambda calls: calls == dict.fromkeys(_requests(terms), 1),
                          "each δ should be evaluated once and counted once in calls[l, j]")}


# ----- notebook 02
def _bp4_cases(rng):
    return [(rng.normal(size=(n_out, m)) / m, rng.normal(size=(n_in, m)))
            for n_out, n_in, m in [(2, 3, 1), (3, 2, 4), (1, 1, 5), (4, 3, 2)]]


def _network_cases(rng, activation, shapes=((3, 2, 2, 1), None, None)):
    cases = []
    for sizes in shapes:
        sizes = list(sizes) if sizes else _sizes(rng, int(rng.integers(1, 4)))
        net = Network.random(sizes, activation, seed=_seed(rng))
        low = 0.0 if activation == "sigmoid" else -1.0   # a target the output can reach
        target = rng.uniform(low, 1.0, size=(sizes[-1], 1))
        cases.append((dict(net.W), dict(net.b), rng.normal(size=(sizes[0], 1)), target))
    return cases


def _run_input_gradient(answer, W, b, x, y):
    net = Network(W, b, "sigmoid")
    net.__class__ = nb02._CountingNetwork
    got = _column(answer, net, x, y)
    return {"gradient": got, "forward_passes": net.forward_passes}


def _expected_input_gradient(W, b, x, y):
    net = Network(W, b, "sigmoid")
    return {"gradient": net.W[1].T @ net.gradients(x, y).delta[1],
            "forward_passes": Rule(lambda n: n <= 2, "the network ran forward more than twice for one "
                                                     "gradient: that is finite differences")}


def _bce_cases(rng):
    z = np.concatenate([rng.normal(scale=3, size=6), rng.choice([-1, 1], size=3) * rng.uniform(30, 45, size=3)])
    y = rng.integers(0, 2, size=z.size).astype(float)
    return [(z.reshape(3, 3), y.reshape(3, 3)), (z.reshape(-1, 1), 1 - y.reshape(-1, 1))]


def _run_backprop_tanh(answer, W, b, x, y):
    result = answer(W, b, x, y)
    if not (isinstance(result, tuple) and len(result) == 2 and all(isinstance(d, dict) for d in result)):
        raise WrongAnswer("backprop_tanh should return two dicts, (dW, db), each keyed by the layer 1..L")
    return tuple({l: numbers(v) for l, v in d.items() if type(l) is int} for d in result)


def _expected_backprop_tanh(W, b, x, y):
    gradients = Network(W, b, "tanh").gradients(x, y)
    return gradients.dW, gradients.db


# ----- notebook 03
def _logits(rng, n, m=None, scale=2.0):
    return rng.normal(scale=scale, size=(n,) if m is None else (n, m))


def _jacobian_cases(rng):
    return [(_logits(rng, n),) for n in (2, 5, 1, 3)] + [(1000 + _logits(rng, 3),), (-1000 + _logits(rng, 2),)]


def _batch_cases(rng):
    cases = []
    for n, m in [(3, 3), (int(rng.integers(2, 5)), int(rng.integers(1, 6))), (4, 1)]:
        cases.append((_logits(rng, n, m), np.eye(n)[:, rng.integers(0, n, size=m)]))
    cases.append((1000 + _logits(rng, 3, 4), np.eye(3)[:, rng.integers(0, 3, size=4)]))
    far = _logits(rng, 2, 4) + np.array([[1000.0, -1000.0, 0.0, 1000.0], [990.0, -1003.0, 0.0, -1000.0]])
    cases.append((far, np.eye(2)[:, rng.integers(0, 2, size=4)]))
    return cases


def _soft_target_cases(rng):
    cases = []
    for n, total in ((2, 1.0), (4, 1.0), (3, 2.0), (4, 0.5), (2, 0.0)):
        y = rng.dirichlet(np.ones(n)) * total
        cases.append((_logits(rng, n), y))
    cases.append((1000 + _logits(rng, 3), rng.uniform(size=3)))
    return cases


def _vjp_cases(rng):
    cases = []
    for n in (2, 5, 1, 3):
        cases.append((softmax(_logits(rng, n)), rng.normal(size=n), None))
    a = softmax(_logits(rng, 4))
    cases.append((a, np.full(4, rng.normal()), None))   # a constant g: softmax ignores a shift
    return cases + [(None, None, ("memory", 2_000, _seed(rng))), (None, None, ("time", 100_000, _seed(rng)))]


def _vjp_inputs(n, seed):
    rng = np.random.default_rng(seed)
    return softmax(rng.normal(size=n)), rng.normal(size=n)


def _run_vjp(answer, a, g, large):
    if large is None:
        return _array(answer, a, g)
    measure, n, seed = large
    a, g = _vjp_inputs(n, seed)
    import tracemalloc
    tracemalloc.start()
    start = time.perf_counter()
    try:
        got = _array(answer, a, g)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return {"values": got, "bytes": peak if measure == "memory" else 0,
            "seconds": time.perf_counter() - start if measure == "time" else 0.0}


def _expected_vjp(a, g, large):
    if large is None:
        return a * g - a * np.dot(a, g)
    _, n, seed = large
    a, g = _vjp_inputs(n, seed)
    return {"values": a * g - a * np.dot(a, g),
            "bytes": Rule(lambda b: b <= 2 * n * n, f"at n = {n} it builds an n × n array: work with vectors"),
            "seconds": Rule(lambda s: s <= 2.0, f"at n = {n} it takes over 2 s: an O(n) answer takes milliseconds")}


# ----- notebook 04
def _divide_cases(rng):
    pairs = [(float(rng.uniform(-5, 5)), float(rng.choice([-1, 1]) * rng.uniform(0.3, 6))) for _ in range(4)]
    return [("pair", a, b, float(rng.normal()), float(rng.normal())) for a, b in pairs] + [
        ("graph", float(rng.uniform(0.5, 3)), float(rng.uniform(0.5, 3)), 0.0, 0.0)]


def _run_divide(answer, kind, x, y, held_a, held_b):
    a, b = Value(x), Value(y)
    if kind == "graph":   # a reused input, divisions feeding other operations
        out = answer(a * b, b + 1) + answer(a, answer(a, b)) + answer(a, a)
        out.backward()
        return [out.data, a.grad, b.grad]
    a.grad, b.grad = held_a, held_b   # as if a and b had gradients from other uses already
    out = answer(a, b)
    if type(out) is not Value:
        raise WrongAnswer(f"divide should return a Value (a new node), got {type(out).__name__}")
    held = [a.data, b.data, a.grad, b.grad]
    a.grad = b.grad = 0.0
    out.backward()
    return [out.data, a.grad, b.grad] + held


def _expected_divide(kind, x, y, held_a, held_b):
    if kind == "graph":   # x y / (y + 1) + y + 1, by hand
        return [x * y / (y + 1) + y + 1, y / (y + 1), x / (y + 1) ** 2 + 1]
    return [x / y, 1 / y, -x / y ** 2, x, y, held_a, held_b]


def _micro_batch_cases(rng):
    return [(_seed(rng), float(rng.uniform(0.05, 0.3))) for _ in range(2)]


def _run_accumulated_step(answer, seed, rate):
    model, loss_functions = nb04._micro_batch_problem(seed)
    calls, original = [], Value.backward

    def counted(self):
        calls.append(self)
        original(self)
    Value.backward = counted
    try:
        returned = answer(model, loss_functions, rate)
    finally:
        Value.backward = original
    loss = returned.data if isinstance(returned, Value) else returned
    if not nb04._is_number(loss):
        raise WrongAnswer(f"return the mean of the micro-batch losses as a number, got {type(returned).__name__}")
    return {"parameters": np.array([p.data for p in model.parameters()]), "loss": float(loss),
            "backward_calls": len(calls)}


def _expected_accumulated_step(seed, rate):
    parameters, loss = nb04._accumulated_step(seed, rate)
    return {"parameters": parameters, "loss": loss,
            "backward_calls": Rule(lambda n: n >= 3, "call backward() once per micro-batch")}


def _counting_graph(kind, u, v):
    """(root, nodes to check) of one of the counting exercise's graphs, at leaves u, v."""
    x, y = Value(u), Value(v)
    if kind in ("shared", "twice"):
        c = x * -y
        return c ** 2 - c, (x, y, c)
    if kind == "square":
        a = x * 1.5 - y
        s = a * a
        return s + 2 * s, (x, y, a, s)
    if kind == "uneven":
        h = (x * y).tanh()
        long = h
        for _ in range(4):
            long = long * 1.1 + y
        return long * h + x, (x, y, h)
    if kind == "doubling":
        top = x
        for _ in range(40):
            top = top + top
        return top * y, (x, y)
    top = x   # a chain deeper than a recursion may go
    for _ in range(max(10_000, 3 * sys.getrecursionlimit())):
        top = top * (1 + v / 10_000) + 0.0
    return top, (x,)


def _counting_cases(rng):
    kinds = ("shared", "square", "uneven", "doubling", "chain", "twice")
    return [(kind, float(rng.uniform(-2, 2)), float(rng.uniform(-2, 2))) for kind in kinds]


def _run_counting(answer, kind, u, v):
    root, nodes = _counting_graph(kind, u, v)
    for _ in range(2 if kind == "twice" else 1):
        answer(root)
    return [node.grad for node in nodes]


def _expected_counting(kind, u, v):
    root, nodes = _counting_graph(kind, u, v)
    for _ in range(2 if kind == "twice" else 1):
        root.backward()
    return [node.grad for node in nodes]


# ----- notebook 04's build-up: the learner's pieces run on the checker's own nodes
def _walk(root):
    """Every node of ``root``'s graph, inputs first (the judge's own walk, so that switching a
    forbidden order off does not stop it)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((inp, False) for inp in reversed(node._inputs))
    return order


def _run_node(answer, values, *extra):
    """The learner's operation on fresh leaves holding ``values``: its data and local derivatives."""
    leaves = [nb04._Node(v) for v in values]
    out = answer(*leaves, *extra)
    data, local = nb04._new_node(out, answer.__name__ if hasattr(answer, "__name__") else "your function", leaves)
    return [data] + local


def _buildup_graph(kind, u, v):
    add, mul, power, tanh, Node4 = (nb04._reference_add, nb04._reference_mul, nb04._reference_power,
                                    nb04._reference_tanh, nb04._Node)
    x, y = Node4(u), Node4(v)
    if kind == "square":
        return add(mul(x, x), y)
    if kind == "shared":
        c = mul(x, mul(Node4(-1.0), y))
        return add(power(c, 2), mul(Node4(-1.0), c))
    if kind == "uneven":
        h = tanh(mul(x, y))
        top = h
        for _ in range(4):
            top = add(mul(top, Node4(1.1)), y)
        return add(mul(top, h), x)
    top = x   # a chain deeper than a recursion may go
    for _ in range(3 * sys.getrecursionlimit() + 1000):
        top = mul(top, Node4(1 + v / 10_000))
    return top


def _graph_cases(rng):
    return [(kind, float(rng.uniform(-2, 2)), float(rng.uniform(-2, 2)))
            for kind in ("square", "shared", "uneven", "chain")]


def _run_order(answer, kind, u, v):
    root = _buildup_graph(kind, u, v)
    index = {id(n): k for k, n in enumerate(_walk(root))}
    return [index.get(id(n), -1) for n in answer(root)]


def _topological_rule(nodes):
    """A valid order of ``nodes`` (as indices): every node once, each after its inputs."""
    inputs = [[nodes.index(i) for i in n._inputs] for n in nodes]

    def valid(got):
        got = [int(k) for k in np.ravel(got)]
        where = {k: p for p, k in enumerate(got)}
        return (sorted(got) == list(range(len(nodes))) and
                all(where[i] < where[k] for k in range(len(nodes)) for i in inputs[k]))
    return Rule(valid, "it should list every node once, each after its inputs")


def _expected_order(kind, u, v):
    return _topological_rule(_walk(_buildup_graph(kind, u, v)))


def _run_buildup_backward(answer, kind, u, v):
    root = _buildup_graph(kind, u, v)
    for _ in range(2 if kind == "shared" else 1):   # twice: leaves accumulate
        answer(root)
    return [n.grad for n in _walk(root)]


def _expected_buildup_backward(kind, u, v):
    return nb04._expected_grads(_buildup_graph(kind, u, v), passes=2 if kind == "shared" else 1)


def _neuron_cases(rng):
    cases = []
    for phi, n in (("tanh", 2), ("relu", 3), ("identity", 2), ("tanh", 1)):
        cases.append(([float(w) for w in rng.uniform(-1, 1, n)], float(rng.uniform(-0.5, 0.5)),
                      [float(x) for x in rng.uniform(-2, 2, n)], phi))
    return cases


def _run_neuron(answer, w, b, x, phi):
    weights, bias = [nb04._Traced(v) for v in w], nb04._Traced(b)
    out = answer(weights, bias, x, phi)
    if not isinstance(out, nb04._Node):
        raise WrongAnswer(f"neuron should return a node built from the weights, got {type(out).__name__}")
    nb04._reference_backward(out)
    return [out.data] + [p.grad for p in weights + [bias]]


def _expected_neuron(w, b, x, phi):
    data, grads = nb04._neuron_truth(w, b, x, phi)
    return [data] + grads[:len(w) + 1]


# ----- notebook 05
def _mean_cases(rng):
    return [(rng.normal(size=np.zeros(shape).mean(axis=axis, keepdims=keepdims).shape), shape, axis, keepdims)
            for shape, axis, keepdims in nb05.reduction_exercise_cases()]


def _expected_mean(g, shape, axis, keepdims):
    x = Node(np.zeros(shape))
    x.mean(axis=axis, keepdims=keepdims).backward(g)
    return x.grad


def _max_cases(rng):
    cases = []
    for shape, axis, keepdims in nb05.reduction_exercise_cases():
        for x in (rng.permutation(math.prod(shape)).reshape(shape) - 3.0,
                  rng.integers(0, 3, size=shape).astype(float)):   # ties
            cases.append((rng.normal(size=x.max(axis=axis, keepdims=keepdims).shape), x, axis, keepdims))
    return cases


def _softmax_node_cases(rng):
    shapes = [((3, 4), 1), ((4, 1), 1), ((1, 3), 1), ((2, 5), 3), ((3, 3), 1), ((3, 2), 1000)]
    cases = [(rng.normal(size=shape) * scale, rng.normal(size=shape)) for shape, scale in shapes]
    far = rng.normal(size=(3, 2)) + np.array([[0.0, 900.0]])
    return cases + [(far, rng.normal(size=far.shape))]


def _run_softmax_node(answer, logits, G):
    z = Node(logits)
    with np.errstate(all="ignore"):
        a = answer(z)
        if not isinstance(a, Node):
            raise WrongAnswer(f"your function returned a {type(a).__name__}, not a Node")
        if a.requires_grad:
            a.backward(G)
    return {"softmax": numbers(a.data), "connected": bool(a.requires_grad),
            "grad": numbers(z.grad) if a.requires_grad else None}


def _expected_softmax_node(logits, G):
    a = softmax(logits, axis=0)
    return {"softmax": a, "connected": Rule(lambda c: c is True, "it is not connected to z: use Node operations"),
            "grad": softmax_backward(a, G)}


def _batched_weight_cases(rng):
    return [(rng.normal(size=shape[:-1] + (p,)), rng.normal(size=shape))
            for shape, p in nb05.batched_weight_exercise_cases()]


def _log_softmax_cases(rng):
    cases = []
    for shape, scale in [((3, 4), 1.0), ((10, 5), 2.0), ((4, 1), 1.0), ((2, 6), 3.0), ((3, 2), 1000.0)]:
        z = rng.normal(size=shape) * scale
        cases.append((z, np.eye(shape[0])[:, rng.integers(0, shape[0], size=shape[1])], float(rng.normal())))
    far = rng.normal(size=(3, 3)) + np.array([[0.0, 800.0, -800.0]])
    return cases + [(far, np.eye(3)[:, rng.permutation(3)], float(rng.normal()))]


def _run_log_softmax(answer, logits, Y, g):
    z = nb05._ExerciseLogits(logits)
    with np.errstate(all="ignore"):
        node = answer(z, Y)
        if not all(hasattr(node, name) for name in ("data", "inputs", "rule")):
            raise WrongAnswer(f"your function returned a {type(node).__name__}; return a new MiniNode")
        grads = node.rule(node, np.array(g))
    if not isinstance(grads, (tuple, list)) or len(grads) != 1:
        raise WrongAnswer("a rule returns one gradient per input, as a tuple: (dL_dz,)")
    loss = numbers(node.data, "the node's data")
    return {"loss": loss.reshape(()) if loss.size == 1 else loss,
            "inputs": len(tuple(node.inputs)) == 1 and tuple(node.inputs)[0] is z, "grad": numbers(grads[0])}


def _expected_log_softmax(logits, Y, g):
    return {"loss": nb05._mean_cross_entropy(logits, Y),
            "inputs": Rule(lambda ok: ok is True, "the new node's inputs should be (z,)"),
            "grad": g * (softmax(logits, axis=0) - Y) / logits.shape[1]}


def _run_digits(answer, order):
    X_train, Y_train, X_test, _ = nb05.digits_exercise_data()
    digits, seconds, losses = nb05.digits_exercise_data()[3][order], 0.0, []
    for seed in nb05.DIGITS_RECIPE_SEEDS:
        start = time.perf_counter()
        predict = answer(X_train, Y_train, seed)
        seconds += time.perf_counter() - start
        if not callable(predict):
            raise WrongAnswer(f"digits_recipe should return a function predict(X), got {type(predict).__name__}")
        P = numbers(predict(X_test[:, order]), "predict's answer")
        if P.shape != (10, len(order)):
            raise WrongAnswer(f"predict should return a 10 × n array of probabilities, got shape {P.shape}")
        losses.append(float(-np.mean(np.log(np.maximum(P[digits, np.arange(len(order))], 1e-300)))))
    return {"seconds": seconds, "loss": float(np.mean(losses))}


def _expected_digits(order):
    target, budget = nb05.DIGITS_RECIPE_TARGET, nb05.DIGITS_RECIPE_SECONDS
    return {"seconds": Rule(lambda s: s <= budget, f"training took over {budget:.0f} s"),
            "loss": Rule(lambda loss: loss <= target, f"the held-out cross-entropy is above {target}")}


# ----- notebook 05's build steps, on the checker's own nodes
def _sum_cases(rng):
    return [(rng.normal(size=np.zeros(shape).sum(axis=axis, keepdims=keepdims).shape), shape, axis, keepdims)
            for shape, axis, keepdims in nb05.reduction_exercise_cases()]


def _matmul_cases(rng):
    return [(rng.normal(size=a), rng.normal(size=b), rng.normal(size=(a[0], b[1])))
            for a, b in nb05.matmul_rule_exercise_shapes()]


def _run_matmul_rule(answer, A, B, G):
    a, b = nb05._CheckNode(A), nb05._CheckNode(B)
    return [numbers(g) for g in answer(nb05._CheckNode(A @ B, (a, b)), G)]


def _tensor_graph(kind, u, v):
    """One of the build-step graphs, from two values: the nodes in a fixed order, output last."""
    if kind == "chain":
        root = nb05._chain(300)[1] * u
    elif kind == "doubling":
        root = nb05._doubling_graph(10)[-1] * v
    elif kind == "diamond":   # a shared by two paths of different length
        a, b = nb05._CheckNode([u, -v]), nb05._CheckNode([v, u])
        c = a * b
        root = (c.exp() + c * a) * b
    else:                     # notebook 05's first graph
        x, y = nb05._CheckNode([u]), nb05._CheckNode([v])
        root = x + y + x + x + x + y
    seen, stack = {id(root): root}, [root]   # every node, found without the checker's helpers
    while stack:
        for p in stack.pop()._inputs:
            if id(p) not in seen:
                seen[id(p)] = p
                stack.append(p)
    return list(reversed(seen.values()))


def _run_sort(answer, kind, u, v):
    nodes = _tensor_graph(kind, u, v)
    index = {id(n): k for k, n in enumerate(nodes)}
    return [index.get(id(n), -1) for n in answer(nodes[-1])]


def _expected_sort(kind, u, v):
    return _topological_rule(_tensor_graph(kind, u, v))


def _run_tensor_backward(answer, kind, u, v):
    nodes = _tensor_graph(kind, u, v)
    for _ in range(2):   # twice: leaves accumulate, computed nodes start again
        answer(nodes[-1])
    return [numbers(n.grad) for n in nodes if n.rule is None]


def _expected_tensor_backward(kind, u, v):
    nodes = _tensor_graph(kind, u, v)
    for _ in range(2):
        nb05._backward_in_order(nodes[-1])
    return [n.grad for n in nodes if n.rule is None]


_TENSOR_GRAPHS = lambda rng: [(kind, float(rng.uniform(0.5, 2)), float(rng.uniform(0.5, 2)))  # noqa: E731
                              for kind in ("first", "diamond", "doubling", "chain")]


def _specs(*specs):
    return {spec.name: spec for spec in specs}


SPECS = _specs(
    Spec("naive_calls_by_hand"),
    Spec("cache_look_ups_by_hand"),
    Spec("bottom_up_deltas", _local_terms_cases, _run_bottom_up,
         lambda fields: nb01._deltas_variant(naive.LocalTerms(**fields)),
         forbidden=(naive.cached_delta, naive.naive_delta)),
    Spec("graph_delta", _skip_network_cases, _run_graph_delta, _expected_graph_delta),

    Spec("delta2_by_hand"),
    Spec("bp4_batch", _bp4_cases, _array, lambda delta, a_prev: delta @ a_prev.T),
    Spec("input_gradient", lambda rng: _network_cases(rng, "sigmoid"), _run_input_gradient,
         _expected_input_gradient, forbidden=(numerical_gradient,)),
    Spec("bce_output_delta", _bce_cases, _array, lambda z, y: sigmoid(z) - y),
    Spec("backprop_tanh", lambda rng: _network_cases(rng, "tanh"), _run_backprop_tanh,
         _expected_backprop_tanh, forbidden=(Network.gradients, Network.backward)),

    Spec("softmax_jacobian", _jacobian_cases, _array, softmax_jacobian, forbidden=(softmax_jacobian,)),
    Spec("batch_cross_entropy_gradient", _batch_cases, _array, cross_entropy_gradient,
         forbidden=(cross_entropy_gradient, softmax_backward)),
    Spec("batch_cross_entropy", _batch_cases, _number, cross_entropy, forbidden=(cross_entropy,)),
    Spec("soft_target_gradient", _soft_target_cases, _array, lambda z, y: softmax(z) * np.sum(y) - y,
         forbidden=(cross_entropy_gradient, softmax_backward)),
    Spec("softmax_vjp", _vjp_cases, _run_vjp, _expected_vjp, forbidden=(softmax_backward, softmax_jacobian)),

    Spec("add", lambda rng: [([float(v) for v in rng.uniform(-3, 3, 2)],) for _ in range(4)], _run_node,
         lambda xy: [xy[0] + xy[1], 1.0, 1.0], forbidden=(nb04._reference_add,)),
    Spec("mul", lambda rng: [([float(v) for v in rng.uniform(-3, 3, 2)],) for _ in range(4)], _run_node,
         lambda xy: [xy[0] * xy[1], xy[1], xy[0]], forbidden=(nb04._reference_mul,)),
    Spec("topological_order", _graph_cases, _run_order, _expected_order,
         forbidden=(nb04._reference_topological_order, Value.topological_order)),
    Spec("backward", _graph_cases, _run_buildup_backward, _expected_buildup_backward,
         forbidden=(nb04._reference_backward, Value.backward)),
    Spec("power", lambda rng: [([float(rng.uniform(0.3, 3))], n) for n in (2, 3, -1, 0.5)], _run_node,
         lambda x, n: [x[0] ** n, n * x[0] ** (n - 1)], forbidden=(nb04._reference_power,)),
    Spec("tanh", lambda rng: [([float(v)],) for v in [*rng.normal(0, 2, 4), 1000.0, -1000.0]], _run_node,
         lambda x: [math.tanh(x[0]), 1 - math.tanh(x[0]) ** 2], forbidden=(nb04._reference_tanh,)),
    Spec("neuron", _neuron_cases, _run_neuron, _expected_neuron, forbidden=(nb04._reference_neuron,)),
    Spec("accumulation_prediction"),
    Spec("divide", _divide_cases, _run_divide, _expected_divide,
         forbidden=(Value.__truediv__, Value.__rtruediv__)),
    Spec("accumulated_step", _micro_batch_cases, _run_accumulated_step, _expected_accumulated_step),
    Spec("backward_by_counting", _counting_cases, _run_counting, _expected_counting,
         forbidden=(Value.backward, Value.topological_order, Value.zero_grad)),

    Spec("mean_backward", _mean_cases, _array, _expected_mean, forbidden=(Node.mean,)),
    Spec("max_backward", _max_cases, _array, nb05._max_gradient),
    Spec("softmax_on_node", _softmax_node_cases, _run_softmax_node, _expected_softmax_node),
    Spec("batched_weight_gradient", _batched_weight_cases, _array,
         lambda G, X: (np.swapaxes(X, -1, -2) @ G).reshape((-1, X.shape[-1], G.shape[-1])).sum(axis=0)),
    Spec("log_softmax_cross_entropy", _log_softmax_cases, _run_log_softmax, _expected_log_softmax),
    Spec("digits_recipe", lambda rng: [(rng.permutation(360),)], _run_digits, _expected_digits,
         time_limit=nb05.DIGITS_RECIPE_SECONDS + 5, hint=False),
    Spec("sum_backward", _sum_cases, _array, nb05._sum_backward, forbidden=(Node.sum, Node.mean, Node.backward)),
    Spec("matmul_rule", _matmul_cases, _run_matmul_rule, lambda A, B, G: [G @ B.T, A.T @ G],
         forbidden=(Node._matmul_rule, Node.__matmul__, Node.backward)),
    Spec("topological_sort", _TENSOR_GRAPHS, _run_sort, _expected_sort,
         forbidden=(Node.topological_order, Node.backward, nb05._topological_order)),
    Spec("backward_in_order", _TENSOR_GRAPHS, _run_tensor_backward, _expected_tensor_backward,
         forbidden=(Node.backward, nb05._backward_in_order)),
    Spec("unbroadcast", lambda rng: [(rng.normal(size=g), shape) for g, shape in nb05.unbroadcast_exercise_cases()],
         _array, nb05._unbroadcast, forbidden=(nb05.reduce_to_shape, nb05._unbroadcast)),
)
