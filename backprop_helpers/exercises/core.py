"""What every exercise checker shares: verdicts, the registry, judging a learner's answer
without ever crashing on it, and turning a wrong answer into the most specific hint.

A checker is a function ``check_<name>(answer)`` decorated with :func:`exercise`. It returns
when the answer is right and raises :class:`WrongAnswer` with a hint at the first problem it
finds. The decorator registers it under ``<name>`` and returns the learner-facing checker,
which prints one verdict line and returns nothing. :func:`judge` gives the same outcome as a
:class:`Verdict`, for graders and tests.
"""
import traceback
from pathlib import Path
from typing import NamedTuple

import numpy as np

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


class WrongAnswer(Exception):
    """Raised inside a check to stop at the first problem found, with its hint."""


class Exercise(NamedTuple):
    name: str
    check: object      # raises WrongAnswer with a hint, returns when the answer is right
    checker: object    # the learner-facing check_<name>: prints the verdict line
    notebook: str      # "01" ... "05": the notebook whose exercise it is
    callable_answer: bool


#: every exercise by name, filled as the notebook modules are imported
REGISTRY = {}


def exercise(check=None, *, callable_answer=False):
    """Register ``check_<name>`` (a function raising WrongAnswer with a hint when the answer is
    wrong) and return the learner-facing checker, which prints the verdict and returns nothing.

    ``callable_answer=True``: the answer is a function; anything else is told to pass the
    function itself. Use as ``@exercise`` or ``@exercise(callable_answer=True)``.
    """
    if check is None:
        return lambda check: exercise(check, callable_answer=callable_answer)
    name = check.__name__.removeprefix("check_")

    def checker(answer):
        print(judge(name, answer).line())
    checker.__name__, checker.__qualname__, checker.__doc__ = check.__name__, check.__name__, check.__doc__
    checker.__module__ = check.__module__
    notebook = check.__module__.rpartition(".")[2][2:4]  # nb01_naive -> "01"
    REGISTRY[name] = Exercise(name, check, checker, notebook, callable_answer)
    return checker


def judge(exercise_name, answer):
    """The Verdict on ``answer`` for an exercise, without printing: for graders and tests."""
    entry = REGISTRY[exercise_name]
    if answer is None or answer is Ellipsis:
        return Verdict(exercise_name, NOT_ATTEMPTED)
    try:
        if entry.callable_answer and not callable(answer):
            raise WrongAnswer(f"pass your function itself, e.g. check_{exercise_name}({exercise_name})")
        entry.check(answer)
    except WrongAnswer as wrong:
        return Verdict(exercise_name, WRONG, str(wrong))
    except NotImplementedError:
        return Verdict(exercise_name, NOT_ATTEMPTED)
    except Exception as error:  # the learner's code failed: say where, don't crash
        return Verdict(exercise_name, WRONG, str(learner_error(error)))
    return Verdict(exercise_name, CORRECT)


def learner_error(error, hint=""):
    """A WrongAnswer that reports the learner's exception, the learner's line it came from (not
    a line inside numpy or this package), and a hint if known."""
    library = (str(Path(np.__file__).parent), str(Path(__file__).parent.parent))
    frames = traceback.extract_tb(error.__traceback__)
    frame = next((f for f in reversed(frames) if not f.filename.startswith(library)), frames[-1])
    return WrongAnswer(f"your code raised {type(error).__name__}: {error} (line {frame.lineno}: {frame.line})"
                       + (f"; {hint}" if hint else ""))


def as_array(value, what):
    """``value`` as a float array, or a WrongAnswer saying ``what`` should be numbers."""
    try:
        return np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise WrongAnswer(f"{what} should be numbers (a numpy array), got {type(value).__name__}") from None


def close(a, b):
    """Same shape and equal up to round-off."""
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-6, atol=1e-10)


def diagnose(got, expected, wrong_variants, what):
    """Return if ``got`` matches; else raise WrongAnswer with the most specific hint: shape
    first, then the known mistakes in ``wrong_variants`` (value, hint), then a generic one."""
    if close(got, expected):
        return
    if got.size == expected.size and got.shape != expected.shape:
        if close(got.reshape(expected.shape), expected):
            raise WrongAnswer(f"{what} has the right numbers but shape {got.shape}; it should be "
                              f"{expected.shape} (a column per sample)")
    if got.shape != expected.shape:
        if got.ndim == 2 and got.T.shape == expected.shape and close(got.T, expected):
            raise WrongAnswer(f"{what} is transposed: shape {got.shape}, expected {expected.shape}")
        raise WrongAnswer(f"{what} has shape {got.shape}, expected {expected.shape}")
    for variant, hint in wrong_variants:
        if close(got, variant):
            raise WrongAnswer(hint)
    if not np.all(np.isfinite(got)):
        raise WrongAnswer(f"{what} contains nan or inf")
    raise WrongAnswer(f"{what} is off (largest difference {np.max(np.abs(got - expected)):.2e}); "
                      f"redo the equation step by step and compare each factor")


def calls_the_answer(function, *names):
    """Raise WrongAnswer if the learner's function calls one of the package functions ``names``."""
    codes, called = [getattr(function, "__code__", None)], set()
    while codes:  # the function's own code and any nested in it (lambdas, comprehensions)
        code = codes.pop()
        if code is not None:
            called |= set(code.co_names) | set(code.co_freevars)
            codes += [const for const in code.co_consts if hasattr(const, "co_names")]
    used = sorted(called & set(names))
    if used:
        raise WrongAnswer(f"your function calls the package's {used[0]}, which is asking the answer: "
                          f"write it with numpy")
