"""What every exercise checker shares: verdicts, the registry, running a learner's answer
safely, and turning a wrong answer into the most specific hint.

A checker is a function ``check_<name>(answer)`` decorated with :func:`exercise`. It returns
when the answer is right and raises :class:`WrongAnswer` with a hint at the first problem it
finds. The decorator registers it under ``<name>`` and returns the learner-facing checker,
which prints one verdict line and returns nothing. :func:`judge` gives the same outcome as a
:class:`Verdict`, for graders and tests.

Running a learner's answer safely (all in :func:`judge`):

- a time limit: an answer still running after ``time_limit`` seconds is stopped and reported
  ("your code took longer than 10 s"), never a hung notebook;
- a learner's exception, ``SystemExit`` and ``KeyboardInterrupt`` included, is reported with
  the learner's own line, never raised;
- a ``NotImplementedError`` means "not attempted yet" only for an untouched stub (a body that
  is just that ``raise``); raised anywhere else it is reported as the unfinished part it is;
- the package's own reference (``references``), passed directly, under an alias, through
  ``functools.wraps``, ``functools.partial`` or a lambda, or called from inside the answer, is
  refused: "that is the package's function: write your own". A reference given as a package's
  name (``"autograd"``) refuses an answer whose calls reach any code of that package;
- so is a worked solution (a function of ``notebooks/solutions/solutions_NN.py``), imported and
  passed on or called from inside the answer.
"""
import ast
import importlib.util
import os
import ctypes
import functools
import inspect
import json
import re
import signal
import sys
import sysconfig
import textwrap
import threading
import time
import traceback
import types
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import numpy as np

CORRECT, WRONG, NOT_ATTEMPTED = "correct", "not yet", "not attempted yet"

#: seconds a check may spend in a learner's code before it is stopped
TIME_LIMIT = 10.0

#: the MIME type of the verdict records a grader reads (see ``grade.py``)
VERDICT_MIME = "application/vnd.backprop-course.verdict+json"


class Verdict(NamedTuple):
    exercise: str
    status: str
    message: str = ""

    @property
    def passed(self):
        return self.status == CORRECT

    def line(self):
        return f"[{self.exercise}] {self.status}" + (f": {self.message}" if self.message else "")


class WrongAnswer(Exception):
    """Raised inside a check to stop at the first problem found, with its hint."""


class AnswerTimeout(BaseException):
    """Raised into a learner's code that ran past the time limit (a BaseException, so that a
    learner's ``except Exception`` does not swallow it)."""


class Exercise(NamedTuple):
    name: str
    check: object            # raises WrongAnswer with a hint, returns when the answer is right
    checker: object          # the learner-facing check_<name>: prints the verdict line
    notebook: str            # "01" ... "05": the notebook whose exercise it is
    callable_answer: bool    # the answer is a function
    references: tuple        # the package's own answers, refused as the learner's
    time_limit: float        # seconds the learner's code may take in one check
    fallback: object = None  # what a notebook goes on with until the answer is right


#: every exercise by name, filled as the notebook modules are imported
REGISTRY = {}


def exercise(check=None, *, callable_answer=False, references=(), time_limit=None, fallback=None):
    """Register ``check_<name>`` (a function raising WrongAnswer with a hint when the answer is
    wrong) and return the learner-facing checker, which prints the verdict and returns nothing.

    ``callable_answer=True``: the answer is a function; anything else is told to pass the
    function itself. ``references``: the package's functions that compute the answer; the
    learner's answer may be none of them and may not call them. ``time_limit``: seconds the
    learner's code may run in one check (default ``TIME_LIMIT``). ``fallback``: the course's
    own version, which :func:`answer_or_fallback` hands a notebook while the answer is not right.
    Use as ``@exercise`` or ``@exercise(callable_answer=True, ...)``.
    """
    if check is None:
        return functools.partial(exercise, callable_answer=callable_answer, references=references,
                                 time_limit=time_limit, fallback=fallback)
    name = check.__name__.removeprefix("check_")

    @functools.wraps(check)
    def checker(answer):
        verdict = judge(name, answer)
        print(verdict.line())
        _report(verdict)

    notebook = check.__module__.rpartition(".")[2][2:4]  # nb01_naive -> "01"
    if name in REGISTRY and REGISTRY[name].check.__module__ != check.__module__:
        raise ValueError(f"two exercises are named {name!r}: in {REGISTRY[name].check.__module__} "
                         f"and in {check.__module__}; give one another name")
    REGISTRY[name] = Exercise(name, check, checker, notebook, callable_answer,
                              tuple(references), time_limit, fallback)
    return checker


def answer_or_fallback(exercise_name, answer):
    """``answer`` if it is judged correct; otherwise the course's own version (the exercise's
    ``fallback``), saying so in one printed line, so that the rest of the notebook still runs."""
    entry = REGISTRY[exercise_name]
    if entry.fallback is None:
        raise ValueError(f"exercise {exercise_name!r} has no fallback")
    if answer is not entry.fallback and judge(exercise_name, answer).passed:
        return answer
    print(f"[{exercise_name}] until yours is correct, the notebook goes on with the course's "
          f"{exercise_name}")
    return entry.fallback


def judge(exercise_name, answer):
    """The Verdict on ``answer`` for an exercise, without printing: for graders and tests."""
    if exercise_name not in REGISTRY:
        raise ValueError(f"no exercise named {exercise_name!r}; the exercises are: "
                         f"{', '.join(sorted(REGISTRY))}")
    entry = REGISTRY[exercise_name]
    if answer is None or answer is Ellipsis:
        return Verdict(exercise_name, NOT_ATTEMPTED)
    limit = TIME_LIMIT if entry.time_limit is None else entry.time_limit
    learner = _Answer(answer, entry.references) if entry.callable_answer and callable(answer) else None
    try:
        if entry.callable_answer and learner is None:
            raise WrongAnswer(f"pass your function itself, e.g. check_{exercise_name}({exercise_name})")
        if learner is not None:
            refuse_package_function(answer, entry.references)
        with time_limit(limit), warnings.catch_warnings():
            # numpy < 1.25 only warns where numpy >= 1.25 raises: the same verdict on both
            warnings.filterwarnings("error", message=_NUMPY_COMPARISON, category=DeprecationWarning)
            entry.check(learner if learner is not None else answer)
    except WrongAnswer as wrong:
        return Verdict(exercise_name, WRONG, str(wrong))
    except AnswerTimeout as timeout:
        return Verdict(exercise_name, WRONG, _timeout_message(timeout, limit))
    except NotImplementedError as error:
        if learner is not None and learner.is_untouched_stub(error):
            return Verdict(exercise_name, NOT_ATTEMPTED)
        return Verdict(exercise_name, WRONG, str(learner_error(
            error, "a part of your answer is still to do (a stub counts as not attempted only "
                   "while it is nothing but that raise)")))
    except (Exception, SystemExit, KeyboardInterrupt, GeneratorExit) as error:  # the learner's
        return Verdict(exercise_name, WRONG, str(learner_error(error, _exit_hint(error))))
    return Verdict(exercise_name, CORRECT)


_NUMPY_COMPARISON = "elementwise comparison failed"


def numpy_error(error):
    """``error`` as numpy >= 1.25 raises it: the DeprecationWarning that older numpy gives for an
    elementwise comparison of arrays whose shapes do not broadcast becomes that ValueError."""
    if isinstance(error, DeprecationWarning) and str(error).startswith(_NUMPY_COMPARISON):
        return ValueError("operands could not be broadcast together in an elementwise "
                          "comparison").with_traceback(error.__traceback__)
    return error


def _exit_hint(error):
    if isinstance(error, SystemExit):
        return "a function being checked must return its answer, not end the program"
    if isinstance(error, KeyboardInterrupt):
        return "the check was interrupted before it finished"
    return ""


def _learner_line(error):
    """" (line N: source)" of the learner's line ``error`` came from: the innermost frame
    outside numpy and this package (the innermost of all if none is outside)."""
    paths = sysconfig.get_paths()
    library = tuple({str(Path(np.__file__).parent), str(Path(__file__).parent.parent),
                     *(paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths)})
    frames = traceback.extract_tb(error.__traceback__)
    frame = next((f for f in reversed(frames) if not f.filename.startswith(library)),
                 frames[-1] if frames else None)
    return f" (line {frame.lineno}: {frame.line})" if frame is not None else ""


def learner_error(error, hint=""):
    """A WrongAnswer that reports the learner's exception, the learner's line it came from (not
    a line inside numpy or this package), and a hint if known."""
    error = numpy_error(error)
    detail = f": {error}" if str(error) and not (isinstance(error, SystemExit) and error.code is None) else ""
    return WrongAnswer(f"your code raised {type(error).__name__}{detail}{_learner_line(error)}"
                       + (f"; {hint}" if hint else ""))


def _timeout_message(timeout, limit):
    return (f"your code took longer than {limit:g} s (this check's time limit) and was stopped"
            f"{_learner_line(timeout)}: does a loop never end, or is the work far more than the "
            f"exercise needs?")


# --------------------------------------------------------------------------- time limit
@contextmanager
def time_limit(seconds):
    """Raise AnswerTimeout into the code of the ``with`` block once it has run ``seconds``.

    Uses a SIGALRM timer on the main thread where the platform has one (it interrupts
    ``time.sleep`` too), else a watchdog thread (works everywhere CPython runs, but only
    between Python bytecodes). Re-fires every 0.5 s in case the learner's code swallows it.
    Restores any timer and handler it found.
    """
    if seconds is None or seconds <= 0:
        yield
        return
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        with _alarm(seconds):
            yield
    else:
        with _watchdog(seconds):
            yield


@contextmanager
def _alarm(seconds):
    state = {"active": True}

    def on_alarm(signum, frame):
        if state["active"]:
            raise AnswerTimeout(seconds)

    started = time.monotonic()
    old_handler = signal.signal(signal.SIGALRM, on_alarm)
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        state["active"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_delay:  # someone else's timer: give back what is left of it
            left = old_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), old_interval)


@contextmanager
def _watchdog(seconds):
    target, lock, done = threading.get_ident(), threading.Lock(), threading.Event()
    state = {"active": True, "sent": 0, "arrived": 0}

    def watch():
        if done.wait(seconds):
            return
        while True:
            with lock:
                if not state["active"]:
                    return
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target),
                                                           ctypes.py_object(AnswerTimeout))
                state["sent"] += 1
            if done.wait(0.5):
                return

    thread = threading.Thread(target=watch, daemon=True, name="answer time limit")
    thread.start()
    try:
        yield
    except AnswerTimeout:
        state["arrived"] += 1
        raise
    finally:
        with lock:
            state["active"] = False
        done.set()
        if state["sent"] > state["arrived"]:  # one may still be on its way: let it arrive here
            try:
                for _ in range(10_000):
                    pass
            except AnswerTimeout:
                pass


# --------------------------------------------------------------------------- the answer
def _unwrapped(function):
    """The function under wrappers: functools.wraps, functools.partial, bound methods."""
    seen = set()
    while id(function) not in seen:
        seen.add(id(function))
        if isinstance(function, functools.partial):
            function = function.func
        elif inspect.ismethod(function):
            function = function.__func__
        elif getattr(function, "__wrapped__", None) is not None:
            function = function.__wrapped__
        else:
            break
    return function


def _code(function):
    return getattr(_unwrapped(function), "__code__", None)


def _same_code(a, b):
    return a is b or (a is not None and b is not None and a.co_code == b.co_code
                      and a.co_consts == b.co_consts and a.co_names == b.co_names)


def _reference_name(reference):
    if isinstance(reference, str):
        return reference
    return getattr(reference, "__qualname__", getattr(reference, "__name__", repr(reference)))


def refuse_package_function(answer, references):
    """Raise WrongAnswer if ``answer`` is one of the package's ``references``: the function
    itself, an alias, a wrapper (functools.wraps, partial, a bound method) or a copy; or if it
    is, or reads, a worked solution (see `uses_worked_solution`)."""
    code = _code(answer)
    for reference in references:
        if isinstance(reference, str):  # a package: refused when its code is called (_Answer)
            continue
        if _unwrapped(answer) is _unwrapped(reference) or _same_code(code, _code(reference)):
            raise WrongAnswer(f"that is the package's function {_reference_name(reference)}: "
                              f"write your own")
    if uses_worked_solution(answer):
        raise WrongAnswer(_WORKED_SOLUTION)


_SOLUTIONS_FILE = re.compile(r"(^|[/\\])solutions_\d\d\.py$")
_WORKED_SOLUTION = ("that runs the worked solution (notebooks/solutions/), which is asking the "
                    "answer: write your own")


def _from_solutions_file(thing):
    code = _code(thing) if callable(thing) else None
    filename = code.co_filename if code is not None else getattr(thing, "__file__", None)
    return isinstance(filename, str) and bool(_SOLUTIONS_FILE.search(filename))


def uses_worked_solution(answer):
    """Whether ``answer`` is a function of a solutions file, or names one (or its module) in its
    code: ``from solutions_01 import f`` and ``lambda t: solutions_01.f(t)`` alike."""
    function = _unwrapped(answer)
    if _from_solutions_file(function):
        return True
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    names, codes = set(), [code]
    while codes:
        current = codes.pop()
        names.update(current.co_names)
        codes.extend(c for c in current.co_consts if isinstance(c, types.CodeType))
    scope = getattr(function, "__globals__", {})
    cells = [cell.cell_contents for cell in (function.__closure__ or ()) if _has_contents(cell)]
    return any(_from_solutions_file(value) for value in [scope.get(n) for n in names] + cells
               if value is not None)


def _has_contents(cell):
    try:
        cell.cell_contents
    except ValueError:  # an empty cell: the variable is not assigned yet
        return False
    return True


def watched(function, references):
    """``function`` as a check calls a learner's answer: a call reaching one of ``references``
    is refused. For the functions an answer returns (a rule, a predict), which the check calls
    after the answer itself has returned."""
    return _Answer(function, tuple(references))


class _Answer:
    """The learner's function as a check calls it: it counts the calls that returned, and
    refuses a call that reaches one of the package's ``references`` (a lambda or wrapper
    calling it, a getattr, an alias...). Other attributes read through to the function."""

    def __init__(self, function, references):
        self.__dict__.update(function=function, returned=0, __wrapped__=function,  # for inspect
                             reference_codes={_code(r): r for r in references
                                              if not isinstance(r, str) and _code(r) is not None},
                             package_folders=_package_folders(tuple(r for r in references
                                                                    if isinstance(r, str))))

    def __getattr__(self, name):
        return getattr(self.function, name)

    def __call__(self, *args, **kwargs):
        watched = self.reference_codes or self.package_folders
        result = self._run(*args, **kwargs) if watched else self.function(*args, **kwargs)
        self.__dict__["returned"] += 1
        return result

    def _run(self, *args, **kwargs):
        reached, previous = [], sys.getprofile()

        folders = self.package_folders
        prefixes = tuple(folders)

        def watch(frame, event, arg):
            if event == "call":
                if frame.f_code in self.reference_codes:
                    reached.append(self.reference_codes[frame.f_code])
                elif _SOLUTIONS_FILE.search(frame.f_code.co_filename):
                    reached.append(None)
                elif prefixes and frame.f_code.co_filename.startswith(prefixes):
                    filename = frame.f_code.co_filename
                    reached.append(next(name for folder, name in folders.items()
                                        if filename.startswith(folder)))
            if previous is not None:
                previous(frame, event, arg)
        sys.setprofile(watch)
        try:
            result = self.function(*args, **kwargs)
        finally:
            sys.setprofile(previous)
            if reached and reached[0] is None:
                raise WrongAnswer(_WORKED_SOLUTION) from None
            if reached and isinstance(reached[0], str):
                raise WrongAnswer(f"your function calls the package {reached[0]}, whose autograd "
                                  f"computes the answer: write your own") from None
            if reached:
                raise WrongAnswer(f"your function calls the package's {_reference_name(reached[0])}: "
                                  f"that is the package's function, which is asking the answer: "
                                  f"write your own") from None
        return result

    def is_untouched_stub(self, error):
        """Whether NotImplementedError ``error`` comes from an untouched stub: raised by the
        answer's own body on its first call, a body that is nothing but that raise."""
        if self.returned:
            return False
        code, tb = _code(self.function), error.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is None or tb.tb_frame.f_code is not code:
            return False
        body = _body(_unwrapped(self.function))
        return body is None or (len(body) == 1 and isinstance(body[0], ast.Raise))


@functools.lru_cache(maxsize=None)
def _package_folders(names):
    """{folder + separator: name} for the installed packages among ``names`` (a package that
    is not installed cannot be called)."""
    folders = {}
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        for folder in (spec.submodule_search_locations or []) if spec is not None else []:
            folders[os.path.realpath(folder) + os.sep] = name
            folders[str(folder).rstrip(os.sep) + os.sep] = name
    return folders


def _body(function):
    """The statements of ``function``'s body, docstring and ``pass`` left out (None if its
    source is not available)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return None
    node = next((n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))),
                None)
    if node is None:
        return None
    return [s for s in node.body if not isinstance(s, ast.Pass)
            and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]


# --------------------------------------------------------------------------- comparing
def as_array(value, what):
    """``value`` as a float array, or a WrongAnswer saying why ``what`` cannot be one."""
    try:
        if np.iscomplexobj(value) or isinstance(value, complex):
            raise WrongAnswer(f"{what} has complex numbers; it should be real numbers")
        return np.array(value, dtype=float)
    except WrongAnswer:
        raise
    except (TypeError, ValueError):
        raise WrongAnswer(f"{what} should be numbers (a numpy array), got {type(value).__name__}") from None
    except Exception as error:  # e.g. a torch tensor that still requires grad
        raise WrongAnswer(f"{what} could not be read as numbers ({type(value).__name__}: "
                          f"{type(error).__name__}: {error}): return a numpy array") from None


def close(a, b):
    """Same shape and equal up to round-off (nan and inf never equal anything)."""
    return (np.shape(a) == np.shape(b) and bool(np.all(np.isfinite(a)))
            and np.allclose(a, b, rtol=1e-6, atol=1e-10))


def diagnose(got, expected, wrong_variants, what):
    """Return if ``got`` matches; else raise WrongAnswer with the most specific hint: shape
    first, then the known mistakes in ``wrong_variants`` (value, hint), then a generic one."""
    if close(got, expected):
        return
    if got.shape != expected.shape:
        if got.ndim == 2 and got.T.shape == expected.shape and close(got.T, expected):
            raise WrongAnswer(f"{what} is transposed: shape {got.shape}, expected {expected.shape}")
        if got.size == expected.size and close(got.reshape(expected.shape), expected):
            raise WrongAnswer(f"{what} has the right numbers but shape {got.shape}; it should be "
                              f"{expected.shape}")
        raise WrongAnswer(f"{what} has shape {got.shape}, expected {expected.shape}")
    for variant, hint in wrong_variants:
        if close(got, variant):
            raise WrongAnswer(hint)
    if not np.all(np.isfinite(got)):
        raise WrongAnswer(f"{what} contains nan or inf")
    raise WrongAnswer(f"{what} is off (largest difference {np.max(np.abs(got - expected)):.2e}); "
                      f"redo the equation step by step and compare each factor")


# --------------------------------------------------------------------------- grading
_grading = {}


def _arm_grading(nonce):
    """Called by the grader (``grade.py``), unseen by the notebook: from now on every verdict
    is also published as a record carrying ``nonce``, which the learner's code never sees."""
    _grading["nonce"] = nonce


def _report(verdict):
    if "nonce" not in _grading:
        return
    from IPython.display import display  # only a graded kernel gets here
    display({VERDICT_MIME: {**verdict._asdict(), "nonce": _grading["nonce"]}}, raw=True)


def _audit_checkers(namespace):
    """For the grader, at the end of a run: which ``check_<name>`` in the notebook's namespace
    is not the package's checker (redefined or shadowed), as a JSON list of names."""
    return json.dumps(sorted(name for name, entry in REGISTRY.items()
                             if f"check_{name}" in namespace
                             and namespace[f"check_{name}"] is not entry.checker))
