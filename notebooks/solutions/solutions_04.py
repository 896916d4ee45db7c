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
