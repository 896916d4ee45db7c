"""Gradient checking by central differences: the independent route every gradient is checked by.

    ∂L/∂θ ≈ (L(θ + ε) - L(θ - ε)) / (2ε)

with error O(ε²). The analytic gradient a and the numeric one n are compared by the relative
error |a - n| / max(|a|, |n|), taken as 0 when both are 0.
"""
from dataclasses import dataclass, field

import numpy as np


def relative_error(analytic, numeric):
    """|a - n| / max(|a|, |n|), elementwise; 0 where both are exactly 0."""
    a = np.asarray(analytic, dtype=float)
    n = np.asarray(numeric, dtype=float)
    scale = np.maximum(np.abs(a), np.abs(n))
    with np.errstate(invalid="ignore", divide="ignore"):
        error = np.where(scale > 0, np.abs(a - n) / scale, 0.0)
    return error if error.ndim else float(error)


def numerical_gradient(loss, array, eps=1e-5):
    """Central-difference gradient of ``loss()`` with respect to every entry of ``array``.

    ``loss`` takes no arguments and reads ``array``, which is nudged in place and restored.
    """
    grad = np.zeros_like(array, dtype=float)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + eps
        plus = loss()
        array[index] = original - eps
        minus = loss()
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
        return all(row.passed for row in self.rows)

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
    ``loss`` takes no arguments and reads the parameter arrays, which are nudged in place.
    """
    report = GradientCheckReport(tolerance=tolerance)
    for name, array in parameters.items():
        if name not in gradients:
            raise ValueError(f"gradient_check: no analytic gradient given for parameter {name!r}")
        analytic = np.asarray(gradients[name], dtype=float)
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
    gradients = network.gradients(x, y).by_name()
    return gradient_check(lambda: network.loss(x, y), network.parameters(), gradients,
                          eps, tolerance)
