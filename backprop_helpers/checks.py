"""The argument checks the engines share: each raises an error that names the argument."""
from collections.abc import Mapping
from numbers import Integral


def check_whole(n, what, minimum):
    """A ValueError unless ``n`` is a whole number (not a bool) of at least ``minimum``."""
    if isinstance(n, bool) or not isinstance(n, Integral) or n < minimum:
        raise ValueError(f"{what} must be a whole number >= {minimum}, got {n!r}")


def check_callable(f, what, example):
    """A TypeError unless ``f`` can be called; ``example`` shows what to pass instead."""
    if not callable(f):
        raise TypeError(f"{what} must be a function taking no arguments (e.g. {example}), "
                        f"got {type(f).__name__} {f!r}")


def check_mapping(d, what):
    """A TypeError unless ``d`` is a dict name -> array."""
    if not isinstance(d, Mapping):
        raise TypeError(f"{what} must be a dict name -> array (e.g. {{\"W^(1)\": W1}}), "
                        f"got {type(d).__name__} {d!r}")


def check_seed(seed, what):
    """A ValueError unless ``seed`` is None or a whole number >= 0."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0):
        raise ValueError(f"{what} must be a whole number >= 0 (or None), got {seed!r}")
