"""Notebook 01's network: its reference values (computed with plain Python floats), the HIPS
autograd package, and central differences with an honest tolerance."""
import math

import numpy as np
from oracles import autograd_network_gradients

from backprop_helpers import naive
from backprop_helpers.examples import naive_recursion_example
from backprop_helpers.gradcheck import numerical_gradient, relative_error


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
    """Central differences have an absolute round-off floor of about u|L|/ε (u = 2^-53), which
    is large *relative* to the tiniest gradients here (|∂L/∂W_10^(1)| ≈ 4.5e-6). Checked two ways:
    at ε = 1e-5 every absolute error is under 10 u|L|/ε; at ε = 1e-4, where truncation
    (∝ ε²) and round-off (∝ 1/ε) balance for these entries, every relative error is under 1e-7."""
    net, x, y = naive_recursion_example()
    g = naive.naive_gradients(net, x, y).gradients
    loss = net.loss(x, y)
    u = np.finfo(float).eps / 2
    for eps, check in ((1e-5, "absolute"), (1e-4, "relative")):
        for l in range(1, net.L + 1):
            for analytic, array in ((g.dW[l], net.W[l]), (g.db[l], net.b[l])):
                numeric = numerical_gradient(lambda: net.loss(x, y), array, eps)
                if check == "absolute":
                    assert np.all(np.abs(analytic - numeric) < 10 * u * loss / eps)
                else:
                    assert np.all(relative_error(analytic, numeric) < 1e-7)
