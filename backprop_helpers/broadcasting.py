"""Broadcasting, as the engines need it: which axes a gradient is summed over to come back to
an operand's shape, and errors that name the axis when shapes do not fit.

numpy stretches an operand of shape (n,) to (m, n) in the forward pass; in the backward pass
its gradient is summed over the stretched axes, back to shape (n,). ``tensor.Node`` uses
these functions for every operation, and ``plots.broadcast_backward`` draws them.
"""


def summed_axes(operand_shape, result_shape):
    """The axes of ``result_shape`` to sum so a gradient comes back to ``operand_shape``.

    Broadcasting lines shapes up at the right; an operand is stretched along the leading axes it
    lacks and along its axes of length 1. Returns ``(leading, kept)``: the leading axes (summed
    away) and the axes of length 1 (summed with keepdims). Example: a bias (3,) added to a
    batch (4, 3) gives ``((0,), ())``; a column (4, 1) gives ``((), (1,))``.
    """
    extra = len(result_shape) - len(operand_shape)
    leading = tuple(range(extra))
    kept = tuple(i for i, n in enumerate(operand_shape) if n == 1 and result_shape[extra + i] != 1)
    return leading, kept


def reduce_to_shape(grad, shape):
    """Sum ``grad`` over the axes along which an operand of ``shape`` was broadcast."""
    leading, kept = summed_axes(shape, grad.shape)
    if leading:
        grad = grad.sum(axis=leading)
    if kept:
        grad = grad.sum(axis=kept, keepdims=True)
    return grad


def broadcast_error(op, a, b):
    """The ValueError for operands whose shapes do not broadcast, naming the axis that clashes."""
    sa, sb = a.shape, b.shape
    for i in range(1, min(len(sa), len(sb)) + 1):
        if sa[-i] != sb[-i] and 1 not in (sa[-i], sb[-i]):
            return ValueError(f"Node {op}: shapes {sa} and {sb} do not broadcast: counting from "
                              f"the right, axis {-i} has length {sa[-i]} on the left and "
                              f"{sb[-i]} on the right (they must be equal, or one must be 1)")
    return ValueError(f"Node {op}: shapes {sa} and {sb} do not broadcast")


def matmul_error(a, b):
    """The ValueError for a matrix product whose operands' shapes do not fit, naming the axes."""
    sa, sb = a.shape, b.shape
    if not sa or not sb:
        return ValueError(f"Node @: matrix product needs operands with at least one axis, got "
                          f"shapes {sa} and {sb}; use * to scale by a number")
    inner_b = sb[0] if len(sb) == 1 else sb[-2]
    return ValueError(f"Node @: shapes {sa} and {sb} do not match: the left operand's last axis "
                      f"has length {sa[-1]} but the right operand's "
                      f"{'only' if len(sb) == 1 else 'second-to-last'} axis has length {inner_b}")
