"""Node: reverse-mode automatic differentiation on numpy arrays, with broadcasting.

A ``Node`` wraps a float64 array ``data``. Every operation on Nodes returns a new Node that
remembers its operands (its *parents*) and the rule that turns the gradient of its result into
gradients for its operands. ``out.backward()`` then fills ``.grad`` of every Node ``out`` was
computed from with ∂out/∂node (for a non-scalar ``out``: the gradient of ``out.sum()``).

    >>> x = Node([1.0, 2.0]); y = Node(3.0)
    >>> z = (x * y + x).sum()
    >>> z.backward()
    >>> x.grad, y.grad        # ∂z/∂x = y + 1 = 4 for each entry, ∂z/∂y = x1 + x2 = 3
    (array([4., 4.]), array(3.))

How ``backward`` works (the semantics shared with ``scalar.Value``):

- The graph is put in topological order by an iterative depth-first search, so a chain of any
  depth works (no recursion, no RecursionError), and each node's rule runs once, after the
  gradients from all paths into it have been summed. Pushing gradients down every path
  instead, as a plain recursion does, costs one visit per path: exponential on shared
  subexpressions.
- Leaf gradients (Nodes you created) accumulate across ``backward()`` calls, as in PyTorch;
  ``zero_grad()`` resets them. Intermediate nodes hold the gradient of the latest pass only.
- Broadcasting: numpy stretches an operand of shape (n,) to (m, n) in the forward pass, so in
  the backward pass its gradient is summed over the stretched axes, back to shape (n,).
- Plain numbers and arrays are accepted on either side of an operator; they are constants
  (``requires_grad=False``) and no gradient is computed for them, nor for anything computed
  from constants only.
- A node stores its parents and a reference to a rule function, never a closure over itself,
  so a graph has no reference cycles and is freed as soon as it is unused.
"""
import numpy as np

from .activations import sigmoid as _stable_sigmoid

_NUMERIC_KINDS = "biuf"  # bool, signed and unsigned int, float


def _describe(value):
    """A short description of an operand for an error message."""
    if isinstance(value, Node):
        return f"Node of shape {value.shape}"
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) < 60 else text[:57] + '...'}"


def _as_float_array(value, what, copy=True):
    """``value`` as a float64 array (a copy if ``copy``), or a TypeError saying what was wrong."""
    array = value if isinstance(value, np.ndarray) else None
    if array is None:
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as error:  # e.g. ragged nested lists
            raise TypeError(f"{what} must be numeric (a number, nested lists of numbers or a "
                            f"numeric array), got {_describe(value)}: {error}") from None
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"{what} must be numeric (a number, nested lists of numbers or a numeric "
                        f"array), got {_describe(value)}")
    return array.astype(np.float64, copy=copy and array is value)


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


def _reduce_to_shape(grad, shape):
    """Sum ``grad`` over the axes along which an operand of ``shape`` was broadcast."""
    leading, kept = summed_axes(shape, grad.shape)
    if leading:
        grad = grad.sum(axis=leading)
    if kept:
        grad = grad.sum(axis=kept, keepdims=True)
    return grad


def _broadcast_error(op, a, b):
    """The ValueError for operands whose shapes do not broadcast, naming the axis that clashes."""
    sa, sb = a.shape, b.shape
    for i in range(1, min(len(sa), len(sb)) + 1):
        if sa[-i] != sb[-i] and 1 not in (sa[-i], sb[-i]):
            return ValueError(f"Node {op}: shapes {sa} and {sb} do not broadcast: counting from "
                              f"the right, axis {-i} has length {sa[-i]} on the left and "
                              f"{sb[-i]} on the right (they must be equal, or one must be 1)")
    return ValueError(f"Node {op}: shapes {sa} and {sb} do not broadcast")


def _matmul_error(a, b):
    sa, sb = a.shape, b.shape
    if not sa or not sb:
        return ValueError(f"Node @: matrix product needs operands with at least one axis, got "
                          f"shapes {sa} and {sb}; use * to scale by a number")
    inner_b = sb[0] if len(sb) == 1 else sb[-2]
    return ValueError(f"Node @: shapes {sa} and {sb} do not match: the left operand's last axis "
                      f"has length {sa[-1]} but the right operand's "
                      f"{'only' if len(sb) == 1 else 'second-to-last'} axis has length {inner_b}")


class Node:
    """A numpy array that records how it was computed, so gradients can flow back through it.

    ``Node(data, requires_grad=True)``: ``data`` is anything numeric numpy accepts, stored as
    float64. ``.grad`` has the shape of ``.data`` (zeros until a backward pass reaches it).
    """

    __slots__ = ("data", "_grad", "_parents", "_backward", "requires_grad", "op", "_extra",
                 "__weakref__")
    __array_ufunc__ = None  # numpy defers to Node: array + Node and array @ Node give Nodes

    def __init__(self, data, requires_grad=True):
        if isinstance(data, Node):
            raise TypeError("Node(data): data is already a Node; use it directly, or "
                            "Node(node.data) for a new leaf holding a copy of its values")
        self.data = _as_float_array(data, "Node(data)")
        self._grad = None
        self._parents = ()
        self._backward = None
        self.requires_grad = bool(requires_grad)
        self.op = ""
        self._extra = None

    # ----- plumbing -------------------------------------------------------------------------

    @staticmethod
    def _result(data, parents, backward, op, extra=None):
        """The Node for ``op`` applied to ``parents``; it records them only if a gradient is needed."""
        node = object.__new__(Node)
        node.data = data if type(data) is np.ndarray else np.asarray(data, dtype=np.float64)
        node._grad = None
        node.op = op
        node._extra = extra
        for parent in parents:
            if parent.requires_grad:
                node.requires_grad = True
                node._parents = parents
                node._backward = backward
                return node
        node.requires_grad = False  # computed from constants only: a constant itself
        node._parents = ()
        node._backward = None
        return node

    @staticmethod
    def _operand(value, op):
        """``value`` as a Node: Nodes pass through, numbers and arrays become constants."""
        if isinstance(value, Node):
            return value
        if type(value) is float or type(value) is int:
            data = np.array(float(value))
        else:
            data = _as_float_array(value, f"Node {op}: the other operand", copy=False)
        constant = object.__new__(Node)
        constant.data, constant._grad, constant._parents, constant._backward = data, None, (), None
        constant.requires_grad, constant.op, constant._extra = False, "", None
        return constant

    def _elementwise(self, other, numpy_op, backward, op, reflected=False):
        other = Node._operand(other, op)
        a, b = (other, self) if reflected else (self, other)
        try:
            data = numpy_op(a.data, b.data)
        except ValueError:
            raise _broadcast_error(op, a, b) from None
        return Node._result(data, (a, b), backward, op)

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def grad(self):
        """∂(output)/∂(this node), same shape as ``data``; zeros before any backward pass."""
        if self._grad is None:
            self._grad = np.zeros_like(self.data)
        elif type(self._grad) is not np.ndarray:
            self._grad = np.asarray(self._grad, dtype=np.float64)
        return self._grad

    def __repr__(self):
        return f"Node(data={self.data}, grad={self.grad})"

    # ----- arithmetic: each forward next to its local derivative --------------------------
    # A rule takes (node, g) with g = ∂out/∂node and returns one gradient per parent (None
    # where the parent needs none); ``backward`` sums each back to its parent's shape.

    def __neg__(self):
        return Node._result(-self.data, (self,), Node._neg_rule, "neg")

    @staticmethod
    def _neg_rule(node, g):
        return (-g,)

    def __add__(self, other):
        return self._elementwise(other, np.add, Node._add_rule, "+")

    def __radd__(self, other):
        return self._elementwise(other, np.add, Node._add_rule, "+", reflected=True)

    @staticmethod
    def _add_rule(node, g):  # ∂(a + b)/∂a = ∂(a + b)/∂b = 1
        return g, g

    def __sub__(self, other):
        return self._elementwise(other, np.subtract, Node._sub_rule, "-")

    def __rsub__(self, other):
        return self._elementwise(other, np.subtract, Node._sub_rule, "-", reflected=True)

    @staticmethod
    def _sub_rule(node, g):  # ∂(a - b)/∂a = 1, ∂(a - b)/∂b = -1
        a, b = node._parents
        return g, (-g if b.requires_grad else None)

    def __mul__(self, other):
        return self._elementwise(other, np.multiply, Node._mul_rule, "*")

    def __rmul__(self, other):
        return self._elementwise(other, np.multiply, Node._mul_rule, "*", reflected=True)

    @staticmethod
    def _mul_rule(node, g):  # ∂(a b)/∂a = b, ∂(a b)/∂b = a
        a, b = node._parents
        return (g * b.data if a.requires_grad else None,
                g * a.data if b.requires_grad else None)

    def __truediv__(self, other):
        return self._elementwise(other, np.divide, Node._div_rule, "/")

    def __rtruediv__(self, other):
        return self._elementwise(other, np.divide, Node._div_rule, "/", reflected=True)

    @staticmethod
    def _div_rule(node, g):  # ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = -a/b² = -(a/b)/b
        a, b = node._parents
        return (g / b.data if a.requires_grad else None,
                -g * node.data / b.data if b.requires_grad else None)

    def __pow__(self, exponent):
        if isinstance(exponent, Node) or np.ndim(exponent) != 0:
            raise TypeError(f"Node **: the exponent must be a plain number, got {_describe(exponent)}")
        p = float(_as_float_array(exponent, "Node **: the exponent"))
        return Node._result(self.data ** p, (self,), Node._pow_rule, "**", extra=p)

    @staticmethod
    def _pow_rule(node, g):  # ∂(a^p)/∂a = p a^(p-1)
        (a,), p = node._parents, node._extra
        return (g * p * a.data ** (p - 1),)

    def __matmul__(self, other):
        return self._matmul(Node._operand(other, "@"), reflected=False)

    def __rmatmul__(self, other):
        return self._matmul(Node._operand(other, "@"), reflected=True)

    def _matmul(self, other, reflected):
        a, b = (other, self) if reflected else (self, other)
        try:
            data = a.data @ b.data
        except ValueError:
            raise _matmul_error(a, b) from None
        return Node._result(data, (a, b), Node._matmul_rule, "@")

    @staticmethod
    def _matmul_rule(node, g):  # C = A B:  ∂L/∂A = G Bᵀ,  ∂L/∂B = Aᵀ G
        a, b = node._parents
        A, B = a.data, b.data
        if A.ndim == 2 and B.ndim == 2:
            return (g @ B.T if a.requires_grad else None,
                    A.T @ g if b.requires_grad else None)
        # a 1-D operand is a row (left) or a column (right) whose axis numpy dropped: restore it
        G = g if B.ndim > 1 else g[..., None]
        G = G if A.ndim > 1 else G[..., None, :]
        A2 = A if A.ndim > 1 else A[None, :]
        B2 = B if B.ndim > 1 else B[:, None]
        grad_a = grad_b = None
        if a.requires_grad:
            grad_a = G @ np.swapaxes(B2, -1, -2)
            grad_a = grad_a if A.ndim > 1 else grad_a[..., 0, :]
        if b.requires_grad:
            grad_b = np.swapaxes(A2, -1, -2) @ G
            grad_b = grad_b if B.ndim > 1 else grad_b[..., 0]
        return grad_a, grad_b

    # ----- elementwise functions -------------------------------------------------------------

    def exp(self):
        """e^x elementwise (inf, with numpy's overflow warning, above about 709)."""
        return Node._result(np.exp(self.data), (self,), Node._exp_rule, "exp")

    @staticmethod
    def _exp_rule(node, g):  # (e^a)' = e^a, which is the node's own value
        return (g * node.data,)

    def log(self):
        """Natural logarithm elementwise (numpy's warning and -inf or nan for x <= 0)."""
        return Node._result(np.log(self.data), (self,), Node._log_rule, "log")

    @staticmethod
    def _log_rule(node, g):  # (log a)' = 1/a
        return (g / node._parents[0].data,)

    def relu(self):
        """max(0, x) elementwise; its derivative at 0 is taken as 0, as in PyTorch."""
        return Node._result(np.maximum(self.data, 0.0), (self,), Node._relu_rule, "relu")

    @staticmethod
    def _relu_rule(node, g):
        return (g * (node._parents[0].data > 0),)

    def sigmoid(self):
        """σ(x) = 1 / (1 + e^(-x)), stable: exactly 0 and 1 at ∓1000, never an overflow."""
        return Node._result(_stable_sigmoid(self.data), (self,), Node._sigmoid_rule, "sigmoid")

    @staticmethod
    def _sigmoid_rule(node, g):  # σ' = σ (1 - σ)
        s = node.data
        return (g * s * (1.0 - s),)

    def tanh(self):
        """tanh(x) elementwise, stable: exactly ±1 far out, never an overflow."""
        return Node._result(np.tanh(self.data), (self,), Node._tanh_rule, "tanh")

    @staticmethod
    def _tanh_rule(node, g):  # tanh' = 1 - tanh²
        t = node.data
        return (g * (1.0 - t * t),)

    # ----- shape: reductions and transpose ---------------------------------------------------

    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis`` (an int, a tuple, or None for all), as ``numpy.sum``."""
        axis = self._check_axis(axis, "sum")
        return Node._result(self.data.sum(axis=axis, keepdims=keepdims), (self,),
                            Node._sum_rule, "sum", extra=(axis, keepdims, 1.0))

    def mean(self, axis=None, keepdims=False):
        """Mean over ``axis`` (an int, a tuple, or None for all), as ``numpy.mean``."""
        axis = self._check_axis(axis, "mean")
        count = self.data.size if axis is None else int(np.prod([self.data.shape[i] for i in axis]))
        if count == 0:
            raise ValueError(f"Node mean: no entries to average over axis {axis!r} of a Node of "
                             f"shape {self.data.shape}")
        return Node._result(self.data.sum(axis=axis, keepdims=keepdims) / count, (self,),
                            Node._sum_rule, "mean", extra=(axis, keepdims, 1.0 / count))

    @staticmethod
    def _sum_rule(node, g):  # every summed entry gets the gradient of its sum (times 1/n for a mean)
        (a,), (axis, keepdims, scale) = node._parents, node._extra
        if axis is not None and not keepdims:
            g = np.expand_dims(g, axis)
        if scale != 1.0:
            g = g * scale
        spread = np.empty_like(a.data)
        spread[...] = g  # numpy broadcasts g back over the summed axes
        return (spread,)

    def _check_axis(self, axis, op):
        """``axis`` as None or a tuple of non-negative ints, or a ValueError naming the op."""
        if axis is None:
            return None
        axes = axis if isinstance(axis, tuple) else (axis,)
        ndim = self.data.ndim
        normalised = []
        for ax in axes:
            if not isinstance(ax, (int, np.integer)) or isinstance(ax, bool) or not -ndim <= ax < ndim:
                raise ValueError(f"Node {op}: axis {axis!r} is not valid for a Node of shape "
                                 f"{self.data.shape} (axes run from {-ndim} to {ndim - 1})")
            normalised.append(int(ax) % ndim)
        if len(set(normalised)) != len(normalised):
            raise ValueError(f"Node {op}: axis {axis!r} repeats an axis")
        return tuple(normalised)

    @property
    def T(self):
        """The transpose (all axes reversed, as numpy's ``.T``)."""
        return Node._result(self.data.T, (self,), Node._transpose_rule, "T")

    @staticmethod
    def _transpose_rule(node, g):
        return (g.T,)

    # ----- the backward pass -----------------------------------------------------------------

    def topological_order(self):
        """Every node this one depends on that needs a gradient, parents before children.

        An iterative depth-first search: a node is appended once all its parents are, and a
        node reached again along another path is not expanded again.
        """
        order, expanded = [], set()
        stack = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            if node in expanded:
                continue
            expanded.add(node)
            stack.append((node, True))
            for parent in node._parents:
                if parent.requires_grad and parent not in expanded:
                    stack.append((parent, False))
        return order

    def backward(self, grad=None):
        """Fill ``.grad`` of every node this one depends on with ∂(this)/∂(node).

        ``grad`` is ∂L/∂(this node) for some later L (same shape as ``data``); by default ones,
        i.e. the gradient of ``self.sum()``. Leaf gradients accumulate across calls.
        """
        if not self.requires_grad:
            raise ValueError("backward(): this Node does not depend on anything that needs a "
                             "gradient (it was made from constants or with requires_grad=False)")
        if grad is None:
            seed = np.ones_like(self.data)
        else:
            seed = _as_float_array(grad, "backward(grad)")
            if seed.shape != self.data.shape:
                raise ValueError(f"backward(grad): grad has shape {seed.shape} but the Node has "
                                 f"shape {self.data.shape}; they must be equal")
        order = self.topological_order()
        for node in order:
            if node._backward is not None:
                node._grad = None  # intermediate nodes hold the latest pass only
        self._grad = seed if self._grad is None else self._grad + seed
        for node in reversed(order):  # children before parents: each gradient is complete
            rule = node._backward
            if rule is None:
                continue  # a leaf: nothing further back
            for parent, g in zip(node._parents, rule(node, node._grad)):
                if g is None or not parent.requires_grad:
                    continue
                if g.shape != parent.data.shape:
                    g = _reduce_to_shape(g, parent.data.shape)
                if parent._grad is not None:
                    parent._grad = parent._grad + g
                elif parent._backward is None:
                    parent._grad = np.array(g, dtype=np.float64)  # a leaf owns its gradient
                else:
                    parent._grad = g

    def zero_grad(self):
        """Reset ``.grad`` to zeros on this node and every node it was computed from."""
        if not self._parents:  # a leaf, such as a parameter: nothing below it
            self._grad = None
            return
        for node in self.topological_order():
            node._grad = None
        self._grad = None
