"""backprop_helpers.broadcasting: the axes a gradient is summed over, as the engine sums them."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis.extra.numpy import array_shapes, broadcastable_shapes

from backprop_helpers.broadcasting import reduce_to_shape, summed_axes


@pytest.mark.parametrize("operand_shape, result_shape, expected", [
    ((3,), (4, 3), ((0,), ())),          # bias
    ((1, 3), (4, 3), ((), (0,))),        # row
    ((4, 1), (4, 3), ((), (1,))),        # column
    ((), (4, 3), ((0, 1), ())),          # scalar
    ((4, 3), (4, 3), ((), ())),          # no broadcasting
    ((4, 1), (2, 4, 3), ((0,), (1,))),   # a column against a stack of matrices
])
def test_summed_axes(operand_shape, result_shape, expected):
    assert summed_axes(operand_shape, result_shape) == expected
    # and summing those axes is what brings a gradient back to the operand's shape
    g = np.ones(result_shape)
    leading, kept = expected
    reduced = g.sum(axis=leading).sum(axis=kept, keepdims=True) if kept else g.sum(axis=leading)
    assert reduced.shape == operand_shape
    assert reduced.sum() == g.size


operand_and_result = array_shapes(min_dims=0, max_dims=3, max_side=4).flatmap(
    lambda result: broadcastable_shapes(result, min_dims=0, max_dims=len(result))
    .filter(lambda operand: np.broadcast_shapes(operand, result) == result)
    .map(lambda operand: (operand, result)))


@given(operand_and_result)
def test_reduce_to_shape_undoes_broadcasting_and_keeps_every_entry(shapes):
    operand_shape, result_shape = shapes
    grad = np.arange(np.prod(result_shape), dtype=float).reshape(result_shape)
    reduced = reduce_to_shape(grad, operand_shape)
    assert reduced.shape == operand_shape
    assert reduced.sum() == grad.sum()
