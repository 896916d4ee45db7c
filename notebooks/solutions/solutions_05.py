"""Worked solutions to the exercises of notebook 05 (try them yourself first)."""
import numpy as np

from backprop_helpers.tensor import Node


# ----- the build steps: MiniNode's mechanisms

def sum_backward(g, input_shape, axis=None, keepdims=False):
    """Build step 1: every summed entry gets the gradient of its sum, unchanged."""
    g = np.asarray(g, dtype=float)
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)           # put the summed axis back, with length 1
    return np.broadcast_to(g, input_shape).copy()


def matmul_rule(node, g):
    """Build step 2: C = A B gives ∂𝓛/∂A = G Bᵀ and ∂𝓛/∂B = Aᵀ G."""
    a, b = node.inputs
    return g @ b.data.T, a.data.T @ g


def topological_sort(output):
    """Build step 3: a depth-first search with its own stack; a node goes into the order once
    all its inputs are in it."""
    order, placed, stack = [], set(), [output]
    while stack:
        node = stack[-1]
        waiting = [p for p in node.inputs if id(p) not in placed]
        if not waiting:
            stack.pop()
            if id(node) not in placed:
                placed.add(id(node))
                order.append(node)
        else:
            stack.extend(waiting)
    return order


def backward_in_order(output, grad=None):
    """Build step 4: computed nodes start from zero, the output from grad (ones by default);
    then every rule runs once, the users of a node before the node."""
    order = topological_sort(output)
    for node in order:
        if node.rule is not None:
            node.grad = np.zeros_like(node.data)
    output.grad = output.grad + (np.ones_like(output.data) if grad is None else grad)
    for node in reversed(order):
        if node.rule is not None:
            for input_node, g in zip(node.inputs, node.rule(node, node.grad)):
                input_node.accumulate(g)


def unbroadcast(g, shape):
    """Build step 5: sum the leading axes the operand lacks, then its axes of length 1."""
    g = np.asarray(g, dtype=float)
    g = g.sum(axis=tuple(range(g.ndim - len(shape))))
    ones = tuple(axis for axis, n in enumerate(shape) if n == 1 and g.shape[axis] != 1)
    return g.sum(axis=ones, keepdims=True)


# ----- the exercises


def mean_backward(g, input_shape, axis=None, keepdims=False):
    """Exercise 1: every averaged entry gets the gradient of its mean, divided by the count."""
    g = np.asarray(g, dtype=float)
    if axis is None:
        count = int(np.prod(input_shape))     # the mean of every entry
    else:
        count = input_shape[axis]
        if not keepdims:
            g = np.expand_dims(g, axis)       # put the averaged axis back, with length 1
    return np.broadcast_to(g / count, input_shape).copy()  # stretch it along that axis


def batched_weight_gradient(G, X):
    """Exercise 2: each matrix of the stack gives X_kᵀ G_k; W was shared, so the stack's are summed."""
    G, X = np.asarray(G, dtype=float), np.asarray(X, dtype=float)
    per_matrix = np.swapaxes(X, -1, -2) @ G                    # .T would reverse every axis of a stack
    return per_matrix.reshape((-1,) + per_matrix.shape[-2:]).sum(axis=0)  # the sum over all leading axes


def max_backward(g, x, axis=None, keepdims=False):
    """Exercise 3: only the maximal entries move the max; a tie shares g equally."""
    g = np.asarray(g, dtype=float)
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    top = x == x.max(axis=axis, keepdims=True)            # True where an entry is a maximum
    ties = top.sum(axis=axis, keepdims=True)              # how many maxima each slice has
    return np.broadcast_to(g, x.shape) * top / ties


def softmax_on_node(z):
    """Exercise 4: e^z over its column sum, from Node ops; the shift is a constant."""
    shifted = z - z.data.max(axis=0, keepdims=True)       # a constant: no gradient, no overflow
    e = shifted.exp()
    return e / e.sum(axis=0, keepdims=True)               # the sum stays a Node: the −a aᵀ term


class MiniNode:
    """The notebook's MiniNode, its constructor only, so this file runs on its own."""

    def __init__(self, data, inputs=(), rule=None):
        self.data = np.array(data, dtype=float)
        self.grad = np.zeros_like(self.data)
        self.inputs = inputs
        self.rule = rule


def log_softmax_cross_entropy(z, Y):
    """Exercise 5: forward in numpy, stable; the rule is the vector–Jacobian product g (p - Y) / m."""
    Y = np.asarray(Y, dtype=float)
    shifted = z.data - z.data.max(axis=0, keepdims=True)         # no overflow, same log-softmax
    log_p = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
    m = z.data.shape[1]

    def rule(node, g):
        return (g * (np.exp(log_p) - Y) / m,)                    # one gradient per input: a tuple

    return MiniNode(-np.sum(Y * log_p) / m, (z,), rule)


def digits_recipe(X_train, Y_train, seed):
    """Exercise 6: the notebook's classifier, four times as wide, with weight decay, 40 epochs,
    and noise added to every training batch (each epoch sees slightly different images, so the
    network cannot learn the training images by heart). Returns softmax probabilities."""
    rng = np.random.default_rng(seed)
    hidden, epochs, batch_size, decay, noise = 256, 40, 32, 1e-3, 0.5
    W1 = Node(rng.normal(size=(hidden, 64)) * np.sqrt(2 / 64))
    W2 = Node(rng.normal(size=(10, hidden)) * np.sqrt(1 / hidden))
    b1, b2 = Node(np.zeros((hidden, 1))), Node(np.zeros((10, 1)))
    parameters = [W1, b1, W2, b2]

    def logits(X):
        return W2 @ (W1 @ X + b1).relu() + b2

    for epoch in range(epochs):
        rate = 0.1 * (1 - epoch / epochs)
        order = rng.permutation(X_train.shape[1])
        for first in range(0, len(order), batch_size):
            batch = order[first:first + batch_size]
            X = X_train[:, batch] + noise * rng.normal(size=(64, len(batch)))
            z, Y = logits(X), Y_train[:, batch]
            shifted = z - z.data.max(axis=0, keepdims=True)
            log_p = shifted - shifted.exp().sum(axis=0, keepdims=True).log()
            loss = -(Y * log_p).sum() * (1 / Y.shape[1]) + decay * ((W1 * W1).sum() + (W2 * W2).sum())
            for p in parameters:
                p.zero_grad()
            loss.backward()
            for p in parameters:
                p.data -= rate * p.grad

    def predict(X):
        z = logits(X).data
        e = np.exp(z - z.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)
    return predict
