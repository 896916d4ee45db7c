"""Worked solutions to the exercises of notebook 04 (try them yourself first)."""
from backprop_helpers.scalar import Value

# Exercise 1: predict, then run.
# first = u + x with u = x*y at x = 3, y = -2:  u.grad = 1, x.grad = 1 + y = -1, y.grad = x = 3.
# second = u * u: u is an intermediate node, reset, then u.grad = 2u = -12 (both uses of u add);
# x and y are leaves and accumulate: x.grad = -1 + (-12)(-2) = 23, y.grad = 3 + (-12)(3) = -33.
accumulation_prediction = (23.0, -33.0, -12.0)


def divide(a, b):
    """Exercise 2: a / b = a · b⁻¹, so ∂/∂a = 1/b and ∂/∂b = a · (-b⁻²) = -a/b²."""
    return Value.from_op(a.data / b.data, inputs=(a, b), local=(1.0 / b.data, -a.data / b.data ** 2), op="/")


def accumulated_step(model, loss_functions, learning_rate):
    """Exercise 3: one gradient step on the mean loss of several micro-batches, with one
    backward() per micro-batch: each graph can be freed before the next is built, and the
    leaves' .grad add up to the gradient of the sum."""
    parameters = model.parameters()
    for p in parameters:
        p.grad = 0.0                      # once, before the first micro-batch
    total = 0.0
    for loss_function in loss_functions:
        loss = loss_function()
        loss.backward()                   # .grad += ∂loss/∂p
        total += loss.data
    k = len(loss_functions)
    for p in parameters:
        p.data -= learning_rate * p.grad / k   # the mean's gradient is the sum's over k
    return total / k


def backward_by_counting(root):
    """Exercise 4: the backward pass without a sorted list. Count each node's uses (edges into
    the operations that read it); a node is ready once every use has passed its gradient."""
    uses, stack, seen = {}, [root], {root}
    while stack:                          # one walk: count the uses of every node
        node = stack.pop()
        for inp in node.inputs:
            uses[inp] = uses.get(inp, 0) + 1
            if inp not in seen:
                seen.add(inp)
                stack.append(inp)
    for node in seen:                     # intermediate nodes: this pass only; leaves accumulate
        if node.inputs:
            node.grad = 0.0
    root.grad += 1.0
    ready = [root]
    while ready:
        node = ready.pop()
        for inp, local in zip(node.inputs, node.local):
            inp.grad += local * node.grad
            uses[inp] -= 1
            if uses[inp] == 0:            # every user has given its share
                ready.append(inp)


# ---- The build-up: your own engine, piece by piece -------------------------------------------

class Scalar:
    """Notebook 04's Scalar as section 1 gives it (so that these solutions run outside the
    notebook too): a number, its inputs and the local derivative for each."""

    def __init__(self, data, inputs=(), local=(), op="", label=""):
        self.data, self.grad = float(data), 0.0
        self.inputs, self.local, self.op, self.label = inputs, local, op, label


def add(x, y):
    """x + y: ∂/∂x = 1 and ∂/∂y = 1."""
    return Scalar(x.data + y.data, (x, y), (1.0, 1.0), "+")


def mul(x, y):
    """x · y: ∂/∂x = y and ∂/∂y = x, each the other factor."""
    return Scalar(x.data * y.data, (x, y), (y.data, x.data), "*")


def topological_order(root):
    """Every node root depends on, once each, inputs first: a depth-first search with a list as
    the stack. A node popped the first time goes back with the flag on, under its inputs; popped
    with the flag on, its inputs are all in the list, so it follows them."""
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            for inp in reversed(node.inputs):
                stack.append((inp, False))
    return order


def backward(root):
    """∂root/∂node into every node's grad: intermediate nodes reset (this pass only), leaves
    accumulate, one visit per node in reverse topological order."""
    order = topological_order(root)
    for node in order:
        if node.inputs:
            node.grad = 0.0
    root.grad += 1.0
    for node in reversed(order):
        for inp, local in zip(node.inputs, node.local):
            inp.grad += local * node.grad


def power(x, n):
    """x ** n for a plain number n: ∂/∂x = n x^(n-1)."""
    return Scalar(x.data ** n, (x,), (n * x.data ** (n - 1),), f"** {n}")


def tanh(x):
    """tanh x: ∂/∂x = 1 - tanh² x, taken from the output; math.tanh never overflows."""
    import math
    t = math.tanh(x.data)
    return Scalar(t, (x,), (1.0 - t * t,), "tanh")


def neuron(w, b, x, phi):
    """φ(b + Σ_k w_k x_k) with the engine's own + and *, so every weight is in the graph."""
    z = b
    for w_k, x_k in zip(w, x):
        z = z + w_k * x_k
    return z if phi == "identity" else getattr(z, phi)()
