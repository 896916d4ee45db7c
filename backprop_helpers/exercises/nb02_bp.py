"""Exercises of notebook 02 (BP1-BP4 by hand), easy to hard: δ^(2) of a changed network, BP4
for a batch, the gradient with respect to the input, BP1 derived for the binary cross-entropy,
and the whole backward pass of a tanh network."""
import numpy as np

from ..activations import sigmoid, sigmoid_prime
from ..examples import bp_walkthrough_example
from ..gradcheck import numerical_gradient
from ..network import Network
from ..scalar import Value
from ..tensor import Node
from .core import WrongAnswer, as_array, close, diagnose, exercise, learner_error


def delta2_exercise_network():
    """The notebook-02 network with W^(3) changed to [[-0.5, 0.8]]: the exercise's numbers."""
    net, x, y = bp_walkthrough_example()
    net.W[3] = np.array([[-0.5, 0.8]])
    return net, x, y


@exercise
def check_delta2_by_hand(answer):
    """Exercise 02.1: δ^(2) of the notebook-02 network with W^(3) = [[-0.5, 0.8]], by hand."""
    got = as_array(answer, "your δ^(2)")
    net, x, y = delta2_exercise_network()
    r = net.forward(x)
    a, z = r.a, r.z
    delta3 = (a[3] - y) * sigmoid_prime(z[3])
    expected = (net.W[3].T @ delta3) * sigmoid_prime(z[2])
    old_W3 = bp_walkthrough_example().network.W[3]
    old = bp_walkthrough_example().network.forward(x)
    old_delta3 = (old.a[3] - y) * sigmoid_prime(old.z[3])
    got = got.reshape(-1, 1) if got.ndim == 1 else got
    if got.shape == expected.shape and not close(got, expected) and np.allclose(got, expected, rtol=2e-3):
        raise WrongAnswer("your δ^(2) is close, but not equal up to round-off: did you round an "
                          "intermediate value (the 4 decimals printed, say)? Compute with the "
                          "recorded arrays ex_record.z and ex_record.a, not with printed numbers")
    diagnose(got, expected, [
        (-expected, "wrong sign: ∇_a 𝓛 = a^(3) - y, not y - a^(3)"),
        (net.W[3].T @ delta3, "you forgot the activation derivative: BP2 ends with ⊙ σ'(z^(2))"),
        ((net.W[3].T @ delta3) * sigmoid_prime(a[2]),
         "σ' takes the pre-activation: use σ'(z^(2)) = a^(2)(1 - a^(2)), not σ'(a^(2))"),
        ((net.W[3].T @ (a[3] - y)) * sigmoid_prime(z[2]),
         "δ^(3) needs its own σ'(z^(3)) factor (BP1) before you carry it back"),
        ((old_W3.T @ old_delta3) * sigmoid_prime(old.z[2]),
         "that is δ^(2) of the notebook's network: use the new W^(3) = [[-0.5, 0.8]], "
         "and redo the forward pass from layer 3"),
        ((net.W[3].T @ old_delta3) * sigmoid_prime(z[2]),
         "that carries the notebook's δ^(3) back through the new W^(3); but the new weights change "
         "z^(3) and a^(3), so δ^(3) changes too: compute it again with BP1 from ex_record"),
    ], "your δ^(2)")


@exercise(callable_answer=True)
def check_bp4_batch(function):
    """Exercise 02.2: ``bp4_batch(delta, a_prev)`` returns ∂𝓛/∂W^(l) for a batch (samples = columns)."""
    rng = np.random.default_rng(2)
    for n_out, n_in, m in [(2, 3, 1), (3, 2, 4), (1, 1, 5), (4, 3, 2)]:
        delta = rng.normal(size=(n_out, m)) / m  # a batch δ already carries the 1/m
        a_prev = rng.normal(size=(n_in, m))
        got = as_array(function(delta.copy(), a_prev.copy()), "bp4_batch's result")
        expected = delta @ a_prev.T
        per_sample = [np.outer(delta[:, i], a_prev[:, i]) for i in range(m)]
        variants = [
            (expected / m, "δ of a batch already carries the 1/m of the mean loss: don't divide again"),
            (expected * m, "δ of a batch already carries the 1/m of the mean loss: don't multiply by m"),
            (per_sample[0], "that is the first sample only: every sample contributes to the gradient"),
            (per_sample[-1], "that is the last sample only: every sample contributes to the gradient"),
            (np.outer(delta.sum(axis=1), a_prev.sum(axis=1)),
             "you summed δ and a^(l-1) over the samples before multiplying: each sample's δ pairs "
             "with that same sample's a^(l-1), never with another sample's"),
            (-expected, "wrong sign"),
        ] if m > 1 else [(-expected, "wrong sign")]
        diagnose(got, expected, variants, f"bp4_batch's result for δ of shape {delta.shape} "
                                          f"and a^(l-1) of shape {a_prev.shape}")


def input_gradient_exercise_cases():
    """(network, x, y) triples the input-gradient checker tries: the notebook's, then two more."""
    cases = [tuple(bp_walkthrough_example())]
    rng = np.random.default_rng(7)
    for sizes, seed in (([2, 3, 1], 3), ([4, 3, 2, 2], 4)):
        net = Network.random(sizes, "sigmoid", seed=seed)
        cases.append((net, rng.normal(size=(sizes[0], 1)), rng.uniform(size=(sizes[-1], 1))))
    return cases


def _numerical_input_gradient(net, x, y, eps=1e-6):
    gradient = np.zeros_like(x)
    for k in range(x.shape[0]):
        step = np.zeros_like(x)
        step[k, 0] = eps
        gradient[k, 0] = (net.loss(x + step, y) - net.loss(x - step, y)) / (2 * eps)
    return gradient


class _CountingNetwork(Network):
    """The network the checker hands over: it counts forward passes, so an answer that nudges x
    and re-runs the network (finite differences) is told apart from one that carries δ back."""

    forward_passes = 0

    def forward(self, x):
        self.forward_passes += 1
        return super().forward(x)


@exercise(callable_answer=True, references=(numerical_gradient,))
def check_input_gradient(function):
    """Exercise 02.3: ``input_gradient(net, x, y)`` returns ∂𝓛/∂x, an n_0 × 1 column, derived
    with the chain rule (one forward and one backward pass), not by finite differences."""
    for net, x, y in input_gradient_exercise_cases():
        grads = net.gradients(x, y)
        expected = net.W[1].T @ grads.delta[1]
        assert np.allclose(expected, _numerical_input_gradient(net, x, y), rtol=1e-5, atol=1e-10)
        z1 = net.forward(x).z[1]
        counted = net.copy()
        counted.__class__ = _CountingNetwork
        got = as_array(function(counted, x.copy(), y.copy()), "input_gradient's result")
        if counted.forward_passes > 2:
            raise WrongAnswer(f"your function ran the network forward {counted.forward_passes} times "
                              f"for one gradient: that is finite differences. Derive ∂𝓛/∂x instead: "
                              f"one forward pass, one backward pass, then one more step of BP2")
        what = f"your ∂𝓛/∂x for the network {net.sizes}"
        if got.shape == grads.dW[1].shape and got.shape != expected.shape and close(got, grads.dW[1]):
            raise WrongAnswer("that is ∂𝓛/∂W^(1) (BP4); the exercise asks how the loss changes with "
                              "the input x, a column with one entry per input")
        diagnose(got.reshape(-1, 1) if got.ndim == 1 else got, expected, [
            (-expected, "wrong sign"),
            (expected * sigmoid_prime(x),
             "layer 0 has no activation function: x enters z^(1) = W^(1) x + b^(1) directly, so "
             "no σ' factor belongs to it"),
            (net.W[1].T @ (grads.delta[1] / sigmoid_prime(z1)),
             "you carried the signal back without layer 1's σ'(z^(1)): start from δ^(1), which "
             "already includes it"),
        ], what)


def _bce_loss(z, y):
    """−[y log σ(z) + (1 − y) log(1 − σ(z))] = log(1 + e^z) − y z, computed without overflow."""
    return np.logaddexp(0.0, z) - y * z


def bce_exercise_cases():
    """(z, y) pairs the binary cross-entropy checker tries, confident outputs included."""
    column = np.array([[-40.0], [-10.0], [-2.0], [0.0], [0.5], [3.0], [40.0]])
    rng = np.random.default_rng(11)
    return [(rng.normal(scale=3, size=(2, 3)), np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])),
            (column, np.ones_like(column)), (column, np.zeros_like(column))]


@exercise(callable_answer=True)
def check_bce_output_delta(function):
    """Exercise 02.4: ``bce_output_delta(z, y)`` returns δ = ∂𝓛/∂z for a sigmoid output and the
    binary cross-entropy 𝓛 = −[y log a + (1 − y) log(1 − a)], elementwise."""
    eps = 1e-6
    for z, y in bce_exercise_cases():
        expected = sigmoid(z) - y
        numeric = (_bce_loss(z + eps, y) - _bce_loss(z - eps, y)) / (2 * eps)
        assert np.allclose(expected, numeric, rtol=1e-5, atol=1e-8)
        with np.errstate(all="ignore"):
            got = as_array(function(z.copy(), y.copy()), "bce_output_delta's result")
        what = f"your δ for z of shape {z.shape}"
        if got.shape == expected.shape and not np.all(np.isfinite(got)):
            bad = tuple(int(i) for i in np.argwhere(~np.isfinite(got))[0])
            a = float(sigmoid(z[bad]))
            raise WrongAnswer(f"{what} is {got[bad]} at z = {z[bad]:g}, y = {y[bad]:g}: there σ(z) = {a:g} "
                              f"and 1 - σ(z) = {1 - a:g} in floating point, and a log or a division by "
                              f"a(1 - a) blows up. Multiply ∂𝓛/∂a by σ'(z) on paper and simplify: what "
                              f"cancels?")
        a = sigmoid(z)
        with np.errstate(all="ignore"):
            d_loss_da = -y / a + (1 - y) / (1 - a)
        diagnose(got, expected, [
            (-expected, "wrong sign: check ∂𝓛/∂a; the loss grows as a moves away from y"),
            ((a - y) * sigmoid_prime(z),
             "that is BP1 for the half squared error ½(a - y)²; the cross-entropy has another "
             "∂𝓛/∂a: derive it from 𝓛 = -[y log a + (1 - y) log(1 - a)] first"),
            (np.where(np.isfinite(d_loss_da), d_loss_da, np.nan),
             "that is ∂𝓛/∂a; BP1 multiplies it by σ'(z) to get ∂𝓛/∂z"),
        ], what)
        # a confident output has a tiny δ: it must be right relative to its size, which a
        # clipped a or an ε added inside the formula is not
        tiny = (expected != 0) & (np.abs(expected) < 1e-8)
        off = tiny & ~np.isclose(got, expected, rtol=1e-6, atol=0)
        if np.any(off):
            bad = tuple(int(i) for i in np.argwhere(off)[0])
            raise WrongAnswer(f"{what} is {got[bad]:.3g} at z = {z[bad]:g}, y = {y[bad]:g}, "
                              f"{abs(got[bad] / expected[bad]):.3g} times the exact δ there: a clipped "
                              f"a (or an ε added to avoid dividing by 0) changes a confident output's "
                              f"small δ. Simplify on paper until nothing needs clipping")


def tanh_exercise_cases():
    """(W, b, x, y) of the tanh networks the backprop_tanh checker tries: dicts keyed 1..L."""
    cases = []
    rng = np.random.default_rng(5)
    for sizes in ([3, 2, 2, 1], [2, 4, 3], [1, 1], [2, 3, 3, 2, 1]):
        W = {l: rng.normal(size=(sizes[l], sizes[l - 1])) for l in range(1, len(sizes))}
        b = {l: rng.normal(size=(sizes[l], 1)) for l in range(1, len(sizes))}
        cases.append((W, b, rng.normal(size=(sizes[0], 1)), rng.uniform(-1, 1, size=(sizes[-1], 1))))
    return cases


def _tanh_backward(W, b, x, y, prime, output_prime=True, bp4_with_z=False):
    """BP1-BP4 for a tanh network with the half squared error; ``prime(z, a)`` stands for φ'.
    ``bp4_with_z``: BP4 with z^(l-1) in place of a^(l-1) (a typical mistake)."""
    L = len(W)
    z, a = {}, {0: x}
    for l in range(1, L + 1):
        z[l] = W[l] @ a[l - 1] + b[l]
        a[l] = np.tanh(z[l])
    delta = {L: (a[L] - y) * (prime(z[L], a[L]) if output_prime else 1.0)}
    for l in range(L - 1, 0, -1):
        delta[l] = (W[l + 1].T @ delta[l + 1]) * prime(z[l], a[l])
    before = {**z, 0: x} if bp4_with_z else a
    return {l: delta[l] @ before[l - 1].T for l in delta}, {l: delta[l] for l in delta}


@exercise(callable_answer=True, references=(Network.gradients, Network.backward, Value.backward,
                                            Node.backward))
def check_backprop_tanh(function):
    """Exercise 02.5: ``backprop_tanh(W, b, x, y)`` returns (dW, db), dicts keyed 1..L, for a
    network whose every layer is φ = tanh, with the half squared error."""
    for W, b, x, y in tanh_exercise_cases():
        L = len(W)
        sizes = [x.shape[0]] + [W[l].shape[0] for l in range(1, L + 1)]
        reference = Network(W, b, "tanh").gradients(x, y)
        expected_W, expected_b = reference.dW, reference.db
        try:
            result = function({l: w.copy() for l, w in W.items()}, {l: v.copy() for l, v in b.items()},
                              x.copy(), y.copy())
        except ValueError as error:
            if "matmul" not in str(error):
                raise
            raise learner_error(error, "a matrix product with the wrong shapes: BP2 carries δ back "
                                       "with the transpose, (W^(l+1))ᵀ δ^(l+1), an n_l × 1 column; "
                                       "BP4 is δ^(l) (a^(l-1))ᵀ") from None
        if not (isinstance(result, tuple) and len(result) == 2 and all(isinstance(d, dict) for d in result)):
            raise WrongAnswer("backprop_tanh should return two dicts, (dW, db), each keyed by the "
                              "layer 1..L")
        got_W, got_b = result
        for name, got in (("dW", got_W), ("db", got_b)):
            if sorted(got) != list(range(1, L + 1)):
                raise WrongAnswer(f"your {name} has the keys {sorted(got)}; for the network {sizes} "
                                  f"it should have one entry per layer, keyed 1..{L}")
        variants = {
            "sigma": (_tanh_backward(W, b, x, y, lambda z, a: sigmoid_prime(z)),
                      "φ = tanh has its own derivative: σ' = σ(1 - σ) belongs to the sigmoid only"),
            "at_a": (_tanh_backward(W, b, x, y, lambda z, a: 1 - np.tanh(a) ** 2),
                     "φ' takes the pre-activation: φ'(z) = 1 - tanh(z)², not 1 - tanh(a)²"),
            "z_squared": (_tanh_backward(W, b, x, y, lambda z, a: 1 - z ** 2),
                          "φ'(z) = 1 - tanh(z)² = 1 - a², not 1 - z²"),
            "no_bp1": (_tanh_backward(W, b, x, y, lambda z, a: 1 - a ** 2, output_prime=False),
                       "the output layer is a tanh too: BP1 needs its φ'(z^(L)) factor"),
            "bp4_z": (_tanh_backward(W, b, x, y, lambda z, a: 1 - a ** 2, bp4_with_z=True),
                      "BP4 multiplies δ^(l) by the activations a^(l-1) that feed the layer, not by "
                      "their pre-activations z^(l-1)"),
        }
        for l in range(L, 0, -1):  # from the output back, as the errors propagate
            for name, got, expected, index in (("∂𝓛/∂b", got_b[l], expected_b[l], 1),
                                               ("∂𝓛/∂W", got_W[l], expected_W[l], 0)):
                diagnose(as_array(got, f"your {name}^({l})"), expected,
                         [(wrong[index][l], hint) for wrong, hint in variants.values()]
                         + [(-expected, "wrong sign")],
                         f"your {name}^({l}) for the network {sizes}")
