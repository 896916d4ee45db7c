"""Worked solutions to the exercises of notebook 04 (try them yourself first)."""
from backprop_helpers.nn import MLP
from backprop_helpers.scalar import Value


def value_abs(v):
    """Exercise 1: |x| and its local derivative sign(x), taken in the forward pass (0 at the
    kink, as Value.relu does). backward() multiplies it by the upstream gradient and adds."""
    x = v.data
    if x > 0.0:
        return Value(x, _a=v, _da=1.0, _op="abs")
    if x < 0.0:
        return Value(-x, _a=v, _da=-1.0, _op="abs")
    return Value(0.0, _a=v, _da=0.0, _op="abs")


def gradient_descent(model, loss_function, steps, learning_rate):
    """Exercise 2: zero, forward, backward, step against the gradient; record each loss."""
    parameters = model.parameters()
    losses = []
    for _ in range(steps):
        for p in parameters:
            p.grad = 0.0                         # .grad accumulates: clear last step's
        loss = loss_function()
        loss.backward()
        for p in parameters:
            p.data -= learning_rate * p.grad     # downhill
        losses.append(loss.data)                 # the loss before this step's update
    return losses


def xor_recipe():
    """Exercise 3: a tanh hidden layer bends the boundary; a modest rate keeps steps stable."""
    model = MLP(2, [8, 1], hidden="tanh", seed=0)
    return model, 0.1, 100
