"""Gradient checking by central differences: the independent route every gradient is checked by.

    ∂𝓛/∂θ ≈ (𝓛(θ + ε) - 𝓛(θ - ε)) / (2ε)

with error O(ε²). The analytic gradient a and the numeric one n are compared by the relative
error |a - n| / max(|a|, |n|), taken as 0 when both are 0 and as inf (a FAIL) when either is
nan or infinite: a check never passes a gradient it cannot compare.
"""
import math
from dataclasses import dataclass, field
from numbers import Real

import numpy as np

from .checks import check_callable, check_mapping
from .network import Network


def relative_error(analytic, numeric):
    """|a - n| / max(|a|, |n|), elementwise; 0 where both are exactly 0; inf where either is
    not finite (nan or ±inf), so such an entry always fails a tolerance."""
    a = _float_values(analytic, "relative_error: analytic")
    n = _float_values(numeric, "relative_error: numeric")
    scale = np.maximum(np.abs(a), np.abs(n))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        error = np.where(scale > 0, np.abs(a - n) / scale, 0.0)
    error = np.where(np.isfinite(a) & np.isfinite(n), error, np.inf)
    return error if error.ndim else float(error)


def _float_values(value, what):
    """``value`` as a float array, or a TypeError naming ``what`` (None and text are not numbers)."""
    if value is None:
        raise TypeError(f"{what} is None; expected a number or an array of numbers")
    try:
        array = np.asarray(value)
        if array.dtype.kind in "USV":
            raise TypeError("text is not a number")
        array = array.astype(float, copy=False)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{what} must be numbers, got {value!r}: {error}") from None
    return array


def _loss_value(value):
    """The number ``loss()`` returned, as a float, or a TypeError saying what it returned."""
    if isinstance(value, Real) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuf":
        return float(value)
    hint = " (a Value or Node: return its .data)" if hasattr(value, "data") else ""
    shape = f" of shape {value.shape}" if isinstance(value, np.ndarray) else ""
    raise TypeError(f"numerical_gradient: loss() must return one real number, got "
                    f"{type(value).__name__}{shape}{hint}")


def numerical_gradient(loss, array, eps=1e-5):
    """Central-difference gradient of ``loss()`` with respect to every entry of ``array``.

    ``loss`` takes no arguments and reads ``array``, a float64 numpy array, which is nudged in
    place and restored, even when ``loss()`` raises.
    """
    check_callable(loss, "numerical_gradient: loss", "lambda: network.loss(x, y)")
    if not isinstance(array, np.ndarray):
        raise TypeError(f"numerical_gradient: array must be the numpy array loss() reads (it is "
                        f"nudged in place), got {type(array).__name__} {array!r}")
    if array.dtype != np.float64:
        why = ("a nudge of eps would be truncated away" if array.dtype.kind in "biu"
               else "it keeps too few digits for a nudge of eps")
        raise TypeError(f"numerical_gradient: array has dtype {array.dtype}, but {why}; "
                        f"use a float64 array (e.g. array.astype(float))")
    if not array.flags.writeable:
        raise ValueError("numerical_gradient: array is read-only, so it cannot be nudged in place")
    if not (isinstance(eps, Real) and math.isfinite(eps) and eps > 0):
        raise ValueError(f"numerical_gradient: eps must be a finite number > 0, got {eps!r}")
    grad = np.zeros_like(array, dtype=float)
    for index in np.ndindex(array.shape):
        original = array[index]
        try:
            array[index] = original + eps
            plus = _loss_value(loss())
            array[index] = original - eps
            minus = _loss_value(loss())
        finally:
            array[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


@dataclass
class GradientCheckRow:
    parameter: str
    index: tuple
    analytic: float
    numeric: float
    relative_error: float
    passed: bool


@dataclass
class GradientCheckReport:
    """One row per parameter entry; ``str()`` of it is the printable table."""
    rows: list = field(default_factory=list)
    tolerance: float = 1e-7

    @property
    def max_relative_error(self):
        return max((row.relative_error for row in self.rows), default=0.0)

    @property
    def passed(self):
        return bool(self.rows) and all(row.passed for row in self.rows)

    def __str__(self):
        header = (f"{'parameter':<10} {'index':<8} {'analytic':>14} {'numeric':>14} "
                  f"{'rel. error':>11} {'status':>6}")
        lines = [header, "-" * len(header)]
        for r in self.rows:
            index = ",".join(str(i) for i in r.index)
            lines.append(f"{r.parameter:<10} {'(' + index + ')':<8} {r.analytic:>14.8f} "
                         f"{r.numeric:>14.8f} {r.relative_error:>11.2e} "
                         f"{'ok' if r.passed else 'FAIL':>6}")
        lines.append("-" * len(header))
        lines.append(f"{len(self.rows)} entries, max relative error {self.max_relative_error:.2e} "
                     f"(tolerance {self.tolerance:.0e}): {'PASS' if self.passed else 'FAIL'}")
        return "\n".join(lines)


def gradient_check(loss, parameters, gradients, eps=1e-5, tolerance=1e-7):
    """Compare analytic ``gradients`` with central differences of ``loss()`` for every entry.

    ``parameters`` and ``gradients`` are dicts name -> array with the same names and shapes;
    ``loss`` takes no arguments and reads the parameter arrays, which are nudged in place (and
    restored). An entry passes when its relative error is below ``tolerance``; nan or inf on
    either side fails.
    """
    check_callable(loss, "gradient_check: loss", "lambda: network.loss(x, y)")
    check_mapping(parameters, "gradient_check: parameters")
    check_mapping(gradients, "gradient_check: gradients")
    if not parameters:
        raise ValueError("gradient_check: no parameters to check (an empty check would pass)")
    unknown = sorted(set(gradients) - set(parameters))
    if unknown:
        raise ValueError(f"gradient_check: gradients given for {unknown}, which are not parameters "
                         f"(the parameters are {sorted(parameters)})")
    if not (isinstance(tolerance, Real) and tolerance > 0):
        raise ValueError(f"gradient_check: tolerance must be a number > 0, got {tolerance!r}")
    report = GradientCheckReport(tolerance=tolerance)
    for name, array in parameters.items():
        if name not in gradients:
            raise ValueError(f"gradient_check: no analytic gradient given for parameter {name!r}")
        analytic = _float_values(gradients[name], f"gradient_check: the gradient of {name}")
        if analytic.shape != array.shape:
            raise ValueError(f"gradient_check: the gradient of {name} has shape {analytic.shape} "
                             f"but the parameter has shape {array.shape}")
        numeric = numerical_gradient(loss, array, eps)
        errors = relative_error(analytic, numeric)
        for index in np.ndindex(array.shape):
            report.rows.append(GradientCheckRow(name, index, float(analytic[index]),
                                                float(numeric[index]), float(errors[index]),
                                                bool(errors[index] < tolerance)))
    return report


def gradient_check_network(network, x, y, eps=1e-5, tolerance=1e-7):
    """Gradient-check the BP1–BP4 backward pass of ``network`` over all its parameters."""
    if not isinstance(network, Network):
        raise TypeError(f"gradient_check_network: network must be a backprop_helpers Network, "
                        f"got {type(network).__name__} {network!r}")
    gradients = network.gradients(x, y).by_name()
    return gradient_check(lambda: network.loss(x, y), network.parameters(), gradients,
                          eps, tolerance)
