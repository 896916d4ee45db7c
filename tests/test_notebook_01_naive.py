"""Notebook 01: its reference values, and its claims about central differences on every machine.

The stored run of the notebook must hold wherever it is re-run, and the last bits of a loss
differ between machines (BLAS kernels, numpy's vectorised exp, libm). So the claims the
notebook's check and its optional step-size section assert are tested here under three kinds of
arithmetic: numpy (this machine's BLAS), plain Python floats (no BLAS at all), and numpy with
every loss value moved by a random few units in the last place, a model of any other machine.
"""
import math

import numpy as np
import pytest
from oracles import autograd_network_gradients

from backprop_helpers import naive
from backprop_helpers.examples import naive_recursion_example
from backprop_helpers.gradcheck import numerical_gradient, relative_error

U = np.finfo(float).eps / 2
EPS_VALUES = np.logspace(-10, -2, 33)       # the notebook's sweep
TOLERANCE = 1e-7


def python_loss(net, x, y):
    """The half squared error by plain Python floats and math.exp: no BLAS, no numpy kernels."""
    a = [float(v) for v in np.ravel(x)]
    for l in range(1, net.L + 1):
        z = [sum(w * ak for w, ak in zip(row, a)) + b
             for row, b in zip(net.W[l].tolist(), net.b[l].ravel().tolist())]
        a = [1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v)) for v in z]
    return 0.5 * (a[0] - float(np.ravel(y)[0])) ** 2


def noisy(loss_function, seed, ulps=4):
    """``loss_function`` with each value moved by up to ``ulps`` units in its last place."""
    rng = np.random.default_rng(seed)

    def loss(net, x, y):
        value = loss_function(net, x, y)
        return value + int(rng.integers(-ulps, ulps + 1)) * math.ulp(value)
    return loss


ARITHMETIC = {"numpy": lambda net, x, y: net.loss(x, y), "plain Python": python_loss}
ARITHMETIC.update({f"numpy, {k} ulps off (seed {s})": noisy(ARITHMETIC["numpy"], s, k)
                   for s, k in [(0, 2), (1, 4), (2, 4), (3, 8)]})
ARITHMETIC.update({f"plain Python, 4 ulps off (seed {s})": noisy(python_loss, s) for s in (4, 5)})


def relative_errors(loss, net, x, y, array, index, exact):
    errors = []
    for eps in EPS_VALUES:
        saved = array[index]
        array[index] = saved + eps
        plus = loss(net, x, y)
        array[index] = saved - eps
        minus = loss(net, x, y)
        array[index] = saved
        errors.append(relative_error(exact, (plus - minus) / (2 * eps)))
    return np.array(errors)


@pytest.mark.parametrize("name", list(ARITHMETIC))
def test_the_step_size_claims_hold_under_any_last_bits(name):
    loss = ARITHMETIC[name]
    net, x, y = naive_recursion_example()
    g = net.gradients(x, y)
    value = loss(net, x, y)
    assert math.isclose(value, 0.055878068519147776, rel_tol=1e-12)      # the notebook's assert
    tiny = relative_errors(loss, net, x, y, net.W[1], (1, 0), g.dW[1][1, 0])
    large = relative_errors(loss, net, x, y, net.b[4], (0, 0), g.db[4][0, 0])
    # round-off dominates small steps, far above the tolerance for the tiny gradient ...
    assert np.median(tiny[EPS_VALUES <= 1e-8]) > 10 * TOLERANCE
    # ... and stays under the bound the notebook states, for both entries
    small = EPS_VALUES <= 1e-6
    for errors, exact in ((tiny, abs(g.dW[1][1, 0])), (large, abs(g.db[4][0, 0]))):
        assert np.all(errors[small] * exact < 30 * U * value / EPS_VALUES[small])
    # truncation dominates large steps: the error grows like eps^2
    growth = large[np.isclose(EPS_VALUES, 1e-2)][0] / large[np.isclose(EPS_VALUES, 1e-3)][0]
    assert 80 < growth < 120


@pytest.mark.parametrize("name", list(ARITHMETIC))
def test_every_gradient_passes_at_the_chosen_step_with_a_margin(name):
    loss = ARITHMETIC[name]
    net, x, y = naive_recursion_example()
    exact = net.gradients(x, y).by_name()
    worst = 0.0
    for key, array in net.parameters().items():
        for index in np.ndindex(array.shape):
            saved = array[index]
            array[index] = saved + 3e-4
            plus = loss(net, x, y)
            array[index] = saved - 3e-4
            minus = loss(net, x, y)
            array[index] = saved
            worst = max(worst, relative_error(exact[key][index], (plus - minus) / 6e-4))
    assert worst < 5e-8          # the notebook prints "below 5e-08, half the tolerance"


def test_at_the_default_step_the_tiny_entries_sit_at_the_tolerance():
    # why the notebook does not use eps = 1e-5 for this network: there the tiny entries' errors
    # land within a small factor of the tolerance, on either side depending on the last bits
    # (the reason this network's stored check once failed strict nbval under AVX-512 kernels)
    net, x, y = naive_recursion_example()
    g = net.gradients(x, y).dW[1][1, 0]
    errors = []
    for loss in ARITHMETIC.values():
        saved = net.W[1][1, 0]
        net.W[1][1, 0] = saved + 1e-5
        plus = loss(net, x, y)
        net.W[1][1, 0] = saved - 1e-5
        minus = loss(net, x, y)
        net.W[1][1, 0] = saved
        errors.append(relative_error(g, (plus - minus) / 2e-5))
    assert TOLERANCE / 30 < min(errors) and max(errors) < 30 * TOLERANCE


def test_notebook_01_network_counts_match_the_reference_values():
    net, x, y = naive_recursion_example()
    result = naive.naive_gradients(net, x, y)
    assert result.calls_by_layer() == {1: [3, 3], 2: [9, 9], 3: [21, 21], 4: [45]}
    assert result.total_calls == 111
    assert math.isclose(result.loss, 0.055878068519147776, rel_tol=1e-13)


def test_notebook_01_network_gradients_match_the_reference_values_and_autograd():
    net, x, y = naive_recursion_example()
    g = naive.naive_gradients(net, x, y).gradients
    assert f"{g.dW[1][0, 0]:.8f}" == "0.00035822"
    assert f"{g.db[4][0, 0]:.8f}" == "-0.08213184"
    dW, db = autograd_network_gradients(net, x, y)
    for l in range(1, net.L + 1):
        np.testing.assert_allclose(g.dW[l], dW[l], rtol=1e-12, atol=0)
        np.testing.assert_allclose(g.db[l], db[l], rtol=1e-12, atol=0)


def test_notebook_01_gradients_pass_central_differences_with_an_honest_tolerance():
    """Central differences have an absolute round-off floor of about u|𝓛|/ε (u = 2^-53), which
    is large *relative* to the tiniest gradients here (|∂𝓛/∂W_21^(1)| ≈ 4.5e-6). Checked two
    ways, each with a wide margin: at ε = 1e-5 every absolute error is under 30 u|𝓛|/ε (a few
    units seen); at ε = 3e-4, near the tiny entries' best step, every relative error is under
    5e-8, half the tolerance (the notebook's check)."""
    net, x, y = naive_recursion_example()
    g = naive.naive_gradients(net, x, y).gradients
    loss = net.loss(x, y)
    for eps, check in ((1e-5, "absolute"), (3e-4, "relative")):
        for l in range(1, net.L + 1):
            for analytic, array in ((g.dW[l], net.W[l]), (g.db[l], net.b[l])):
                numeric = numerical_gradient(lambda: net.loss(x, y), array, eps)
                if check == "absolute":
                    assert np.all(np.abs(analytic - numeric) < 30 * U * loss / eps)
                else:
                    assert np.all(relative_error(analytic, numeric) < 5e-8)
