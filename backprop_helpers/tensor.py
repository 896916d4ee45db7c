"""Node: reverse-mode automatic differentiation on numpy arrays, with broadcasting.

A ``Node`` wraps a float64 array ``data``. Every operation on Nodes returns a new Node that
remembers its ``inputs`` and the rule that turns the gradient of its result into gradients
for its inputs. ``out.backward()`` then fills ``.grad`` of every Node ``out`` was computed
from with ∂out/∂node (for a non-scalar ``out``: the gradient of ``out.sum()``).

    >>> x = Node([1.0, 2.0]); y = Node(3.0)
    >>> z = (x * y + x).sum()
    >>> z.backward()
    >>> x.grad, y.grad        # ∂z/∂x = y + 1 = 4 for each entry, ∂z/∂y = x1 + x2 = 3
    (array([4., 4.]), array(3.))

``Node`` shares ``scalar.Value``'s vocabulary (``inputs``, ``op``, ``label``) and semantics: one
visit per node, no recursion; leaves accumulate, intermediate nodes hold the latest pass; no
closures; log(x <= 0) and an overflowing exp raise an error naming the op, the first bad entry
and its index; ``number ** node`` works. Where they differ, on purpose:

    =====================  ====================================  ==================================
    what                   Value                                 Node
    =====================  ====================================  ==================================
    what backward applies  ``local``: one number per input,      ``_rule(node, g)``: a function
                           taken in the forward pass             returning one gradient per input
    shapes                 numbers only                          numpy broadcasting; a gradient is
                                                                 summed back to its input's shape
    constants              a plain number is folded into ``op``  a number or array becomes a
                           (``"* 2"``)                           constant Node (``requires_grad``
                                                                 False), never given a gradient
    ``.grad`` assignment   a real number                         an array of the node's own shape
    ``a ** b``, both       allowed (base > 0)                    refused: write ``(b * a.log()).exp()``
    in the graph
    =====================  ====================================  ==================================
"""
from itertools import count
from operator import attrgetter

import numpy as np

from .activations import _describe as _describe_value, _float64_array, sigmoid as _stable_sigmoid
from .broadcasting import broadcast_error, matmul_error, reduce_to_shape
from .memory import keep_freed_memory_for_reuse

keep_freed_memory_for_reuse()  # training steps reuse the heap instead of faulting in new pages


def _describe(value):
    """A short description of an operand for an error message."""
    return f"Node of shape {value.shape}" if isinstance(value, Node) else _describe_value(value)


def _plain_number(value, what):
    """``value`` as a float if it is one number (a 0-d array counts; a bool does not), else a TypeError."""
    one_number = isinstance(value, (int, float, np.integer, np.floating)) or (
        isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf")
    if isinstance(value, (bool, np.bool_)) or not one_number:
        raise TypeError(f"{what} must be a plain number, got {_describe(value)}")
    return float(_float64_array(value, what))


def _first(mask):
    """The index (a tuple) of the first True entry of a boolean array."""
    return tuple(int(i) for i in np.argwhere(mask)[0])


_CREATION = count()  # numbers the Nodes in the order they are made
_BY_CREATION = attrgetter("_created")


def _no_numpy_call(op, numpy_arguments):
    """np.sum(node) calls node.sum(axis=..., dtype=..., out=...): say so instead of failing oddly."""
    if numpy_arguments:
        raise TypeError(f"Node.{op}: np.{op}(node) is not supported (it passes "
                        f"{', '.join(sorted(numpy_arguments))}); call node.{op}(axis=..., keepdims=...) "
                        f"to keep the graph")


class Node:
    """A numpy array that records how it was computed, so gradients can flow back through it.

    ``Node(data, requires_grad=True, label="")``: ``data`` is anything numeric numpy accepts,
    stored as float64. ``.grad`` has the shape of ``.data`` (zeros until a backward pass
    reaches it). ``label`` is an optional name shown by ``plots.draw_graph``.
    """

    __slots__ = ("data", "_grad", "inputs", "_rule", "requires_grad", "op", "_saved", "label",
                 "_created", "__weakref__")
    __array_ufunc__ = None  # numpy defers to Node: array + Node and array @ Node give Nodes

    def __init__(self, data, requires_grad=True, label=""):
        if isinstance(data, Node):
            raise TypeError("Node(data): data is already a Node; use it directly, or "
                            "Node(node.data) for a new leaf holding a copy of its values")
        if not isinstance(label, str):
            raise TypeError(f"Node(label=...) must be a string, got {_describe(label)}")
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"Node(requires_grad=...) must be True or False, got {_describe(requires_grad)}")
        Node._make(_float64_array(data, "Node(data)", copy=True), (), None, "", None,
                   bool(requires_grad), label, into=self)

    # ----- plumbing -------------------------------------------------------------------------

    @staticmethod
    def _make(data, inputs, rule, op, saved=None, requires_grad=None, label="", into=None):
        """The one way a Node is filled in. For an op's result (``requires_grad`` None) it
        records ``inputs`` and ``rule`` only if some input needs a gradient; otherwise the
        result is a constant. ``saved`` is what the rule needs besides the inputs' data."""
        node = object.__new__(Node) if into is None else into
        node.data = data if type(data) is np.ndarray else np.asarray(data, dtype=np.float64)
        node._created = next(_CREATION)  # after all its inputs: see topological_order
        node._grad = None
        node.op = op
        node._saved = saved
        node.label = label
        if requires_grad is None:  # an op's result: it needs a gradient if an input does
            requires_grad = inputs[0].requires_grad or (len(inputs) > 1 and inputs[1].requires_grad)
            if not requires_grad:  # computed from constants only: a constant itself
                inputs, rule = (), None
        node.requires_grad = requires_grad
        node.inputs = inputs
        node._rule = rule
        return node

    @staticmethod
    def _operand(value, op):
        """``value`` as a Node: Nodes pass through, numbers and arrays become constants."""
        if isinstance(value, Node):
            return value
        if type(value) is float or (type(value) is int and -2 ** 1023 < value < 2 ** 1023):
            data = np.array(float(value))
        elif type(value) is np.ndarray and value.dtype == np.float64:
            data = value  # the common case, a data array: no conversion, no message built
        else:
            data = _float64_array(value, f"Node {op}: the other operand")
        return Node._make(data, (), None, "", None, False)

    def _elementwise(self, other, numpy_op, rule, op, reflected=False):
        other = Node._operand(other, op)
        a, b = (other, self) if reflected else (self, other)
        try:
            data = numpy_op(a.data, b.data)
        except ValueError:
            raise broadcast_error(op, a, b) from None
        return Node._make(data, (a, b), rule, op)

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def grad(self):
        """∂(output)/∂(this node), a float64 array of the shape of ``data``.

        Before any backward pass reaches the node it is zeros (made on first reading and kept,
        so ``node.grad[...] = ...`` sticks)."""
        if self._grad is None:
            self._grad = np.zeros_like(self.data)
        return self._grad

    @grad.setter
    def grad(self, value):
        if isinstance(value, Node) or value is None:
            raise TypeError(f"Node.grad = ...: assign an array of shape {self.data.shape} "
                            f"(use zero_grad() to reset), got {_describe(value)}")
        grad = _float64_array(value, "Node.grad", copy=True)
        if grad.shape != self.data.shape:
            raise ValueError(f"Node.grad = ...: the node has shape {self.data.shape} but the "
                             f"assigned gradient has shape {grad.shape}; they must be equal")
        self._grad = grad

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        grad = np.zeros_like(self.data) if self._grad is None else self._grad  # not stored
        return f"Node(data={self.data}, grad={grad}{label})"

    def __array__(self, dtype=None, copy=None):
        raise TypeError("a Node is not turned into a numpy array silently (np.array(node), "
                        "np.sum(node), ...): use node.data for its values, or the Node's own "
                        "methods (node.sum(), node.mean()) to keep the graph")

    def _in_place(self, op, other, out_of_place):
        """``node op= other``: refused on a leaf that needs a gradient, as in PyTorch."""
        if self.requires_grad and self._rule is None:
            raise TypeError(f"Node {op}=: this Node is a leaf that needs a gradient (a parameter); "
                            f"'w {op}= ...' would rebind w to a new node computed from it and keep the "
                            f"whole history alive. Update its values instead: w.data {op}= ..., "
                            f"e.g. w.data -= learning_rate * w.grad")
        return out_of_place(other)

    def __iadd__(self, other):
        return self._in_place("+", other, self.__add__)

    def __isub__(self, other):
        return self._in_place("-", other, self.__sub__)

    def __imul__(self, other):
        return self._in_place("*", other, self.__mul__)

    def __itruediv__(self, other):
        return self._in_place("/", other, self.__truediv__)

    # ----- arithmetic: each forward next to its local derivative --------------------------
    # A rule takes (node, g) with g = ∂out/∂node and returns one gradient per parent (None
    # where the parent needs none); ``backward`` sums each back to its parent's shape.

    def __neg__(self):
        return Node._make(-self.data, (self,), Node._neg_rule, "neg")

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
        a, b = node.inputs
        return g, (-g if b.requires_grad else None)

    def __mul__(self, other):
        return self._elementwise(other, np.multiply, Node._mul_rule, "*")

    def __rmul__(self, other):
        return self._elementwise(other, np.multiply, Node._mul_rule, "*", reflected=True)

    @staticmethod
    def _mul_rule(node, g):  # ∂(a b)/∂a = b, ∂(a b)/∂b = a
        a, b = node.inputs
        return (g * b.data if a.requires_grad else None,
                g * a.data if b.requires_grad else None)

    def __truediv__(self, other):
        return self._elementwise(other, np.divide, Node._div_rule, "/")

    def __rtruediv__(self, other):
        return self._elementwise(other, np.divide, Node._div_rule, "/", reflected=True)

    @staticmethod
    def _div_rule(node, g):  # ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = -a/b² = -(a/b)/b
        a, b = node.inputs
        if not a.requires_grad:
            c = a.data
            if c.ndim == 0 and c != 0.0:  # c/b, as in a sigmoid: -c/b² = -(c/b)²/c, no division
                grad_b = node.data * (-1.0 / float(c))
                grad_b *= node.data
                grad_b *= g
                return None, grad_b
            return None, -g * node.data / b.data
        over_b = g / b.data  # one division serves both operands
        return over_b, (-over_b * node.data if b.requires_grad else None)

    def __pow__(self, exponent):
        if isinstance(exponent, Node):
            raise TypeError(f"Node **: the exponent must be a plain number, got {_describe(exponent)}; "
                            f"for a Node exponent b write (b * a.log()).exp()")
        p = _plain_number(exponent, "Node **: the exponent")
        return Node._make(self.data ** p, (self,), Node._pow_rule, "**", saved=p)

    @staticmethod
    def _pow_rule(node, g):  # ∂(a^p)/∂a = p a^(p-1); 0 for p = 0, even at a = 0 (a^0 = 1)
        (a,), p = node.inputs, node._saved
        if p == 0.0:
            return (np.zeros_like(g),)
        return (g * p * a.data ** (p - 1),)

    def __rpow__(self, base):
        """number ** node: the base must be a plain number > 0, or 0 where every exponent is > 0
        (∂(c^x)/∂x = c^x ln c needs ln c), as for ``Value``."""
        c = _plain_number(base, "Node **: the base of number ** Node")
        if not (c > 0.0 or (c == 0.0 and np.all(self.data > 0.0))):
            raise ValueError(f"Node **: {c:g} ** Node needs a positive base (the derivative with "
                             f"respect to the exponent involves log({c:g}))")
        return Node._make(c ** self.data, (self,), Node._rpow_rule, f"{c:g} **", saved=c)

    @staticmethod
    def _rpow_rule(node, g):  # ∂(c^a)/∂a = c^a ln c; 0 for c = 0 (then every a > 0)
        c = node._saved
        return (g * node.data * np.log(c) if c > 0.0 else np.zeros_like(g),)

    def __matmul__(self, other):
        return self._matmul(Node._operand(other, "@"), reflected=False)

    def __rmatmul__(self, other):
        return self._matmul(Node._operand(other, "@"), reflected=True)

    def _matmul(self, other, reflected):
        a, b = (other, self) if reflected else (self, other)
        try:
            data = a.data @ b.data
        except ValueError:
            raise matmul_error(a, b) from None
        return Node._make(data, (a, b), Node._matmul_rule, "@")

    @staticmethod
    def _matmul_rule(node, g):  # C = A B:  ∂𝓛/∂A = G Bᵀ,  ∂𝓛/∂B = Aᵀ G
        a, b = node.inputs
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
        """e^x elementwise; raises OverflowError naming the first entry above about 709.78."""
        x = self.data
        if x.size and x.max() > 709.0:  # near the largest float: look closer (rarely needed)
            with np.errstate(over="ignore"):
                out = np.exp(x)
            bad = np.isinf(out) & np.isfinite(x)
            if bad.any():
                index = _first(bad)
                raise OverflowError(f"Node.exp overflows: exp({x[index]:.6g}) at index "
                                    f"{index} is larger than the largest float")
        else:
            out = np.exp(x)
        return Node._make(out, (self,), Node._exp_rule, "exp")

    @staticmethod
    def _exp_rule(node, g):  # (e^a)' = e^a, which is the node's own value
        return (g * node.data,)

    def log(self):
        """Natural logarithm elementwise; raises ValueError naming the first entry <= 0."""
        if not (self.data > 0.0).all():
            index = _first(~(self.data > 0.0))
            raise ValueError(f"Node.log of a non-positive number: log({self.data[index]:.6g}) "
                             f"at index {index}")
        return Node._make(np.log(self.data), (self,), Node._log_rule, "log")

    @staticmethod
    def _log_rule(node, g):  # (log a)' = 1/a
        return (g / node.inputs[0].data,)

    def relu(self):
        """max(0, x) elementwise; its derivative at 0 is taken as 0, as in PyTorch."""
        return Node._make(np.maximum(self.data, 0.0), (self,), Node._relu_rule, "relu")

    @staticmethod
    def _relu_rule(node, g):
        return (g * (node.inputs[0].data > 0),)

    def sigmoid(self):
        """σ(x) = 1 / (1 + e^(-x)), stable: exactly 0 and 1 at ∓1000, never an overflow."""
        return Node._make(_stable_sigmoid(self.data), (self,), Node._sigmoid_rule, "sigmoid")

    @staticmethod
    def _sigmoid_rule(node, g):  # σ' = σ (1 - σ)
        s = node.data
        return (g * s * (1.0 - s),)

    def tanh(self):
        """tanh(x) elementwise, stable: exactly ±1 far out, never an overflow."""
        return Node._make(np.tanh(self.data), (self,), Node._tanh_rule, "tanh")

    @staticmethod
    def _tanh_rule(node, g):  # tanh' = 1 - tanh²
        t = node.data
        return (g * (1.0 - t * t),)

    # ----- shape: reductions and transpose ---------------------------------------------------

    def sum(self, axis=None, keepdims=False, **numpy_arguments):
        """Sum over ``axis`` (an int, a tuple, or None for all), as ``numpy.sum``."""
        _no_numpy_call("sum", numpy_arguments)
        axis, keepdims = self._check_axis(axis, keepdims, "sum")
        return Node._make(self.data.sum(axis=axis, keepdims=keepdims), (self,),
                            Node._sum_rule, "sum", saved=(axis, keepdims, 1.0))

    def mean(self, axis=None, keepdims=False, **numpy_arguments):
        """Mean over ``axis`` (an int, a tuple, or None for all), as ``numpy.mean``."""
        _no_numpy_call("mean", numpy_arguments)
        axis, keepdims = self._check_axis(axis, keepdims, "mean")
        count = self.data.size if axis is None else int(np.prod([self.data.shape[i] for i in axis]))
        if count == 0:
            raise ValueError(f"Node mean: no entries to average over axis {axis!r} of a Node of "
                             f"shape {self.data.shape}")
        return Node._make(self.data.sum(axis=axis, keepdims=keepdims) / count, (self,),
                            Node._sum_rule, "mean", saved=(axis, keepdims, 1.0 / count))

    @staticmethod
    def _sum_rule(node, g):  # every summed entry gets the gradient of its sum (times 1/n for a mean)
        (a,), (axis, keepdims, scale) = node.inputs, node._saved
        if axis is not None and not keepdims:
            g = np.expand_dims(g, axis)
        if scale != 1.0:
            g = g * scale
        spread = np.empty_like(a.data)
        spread[...] = g  # numpy broadcasts g back over the summed axes
        return (spread,)

    def _check_axis(self, axis, keepdims, op):
        """(``axis`` as None or a tuple of non-negative ints, ``keepdims`` as a bool), or an error
        naming the op and the argument."""
        if not isinstance(keepdims, (bool, np.bool_)):
            raise TypeError(f"Node {op}: keepdims must be True or False, got {_describe(keepdims)}")
        if axis is None:
            return None, bool(keepdims)
        axes = axis if isinstance(axis, tuple) else (axis,)
        ndim = self.data.ndim
        normalised = []
        for ax in axes:
            if not isinstance(ax, (int, np.integer)) or isinstance(ax, (bool, np.bool_)):
                raise TypeError(f"Node {op}: axis must be None, a whole number or a tuple of them, "
                                f"got {_describe(axis)}")
            if not -ndim <= ax < ndim:
                raise ValueError(f"Node {op}: axis {axis!r} is not valid for a Node of shape "
                                 f"{self.data.shape} (axes run from {-ndim} to {ndim - 1})")
            normalised.append(int(ax) % ndim)
        if len(set(normalised)) != len(normalised):
            raise ValueError(f"Node {op}: axis {axis!r} repeats an axis")
        return tuple(normalised), bool(keepdims)

    @property
    def T(self):
        """The transpose (all axes reversed, as numpy's ``.T``)."""
        return Node._make(self.data.T, (self,), Node._transpose_rule, "T")

    @staticmethod
    def _transpose_rule(node, g):
        return (g.T,)

    # ----- the backward pass -----------------------------------------------------------------

    def topological_order(self):
        """Every node this one depends on that needs a gradient, parents before children.

        A node is always made after its inputs, so the order in which nodes were made is a
        topological order: the nodes this one can reach (an iterative search, any depth), sorted
        by when they were made: one visit per node and one sort, cheaper than the two visits per
        node of a depth-first search that emits each node after its inputs.
        """
        reached, stack = {self}, [self]
        while stack:
            for parent in stack.pop().inputs:
                if parent.requires_grad and parent not in reached:
                    reached.add(parent)
                    stack.append(parent)
        return sorted(reached, key=_BY_CREATION)

    def backward(self, grad=None):
        """Fill ``.grad`` of every node this one depends on with ∂(this)/∂(node).

        ``grad`` is ∂𝓛/∂(this node) for some later loss 𝓛 (same shape as ``data``); by default ones,
        i.e. the gradient of ``self.sum()``. Leaf gradients accumulate across calls.
        """
        if not self.requires_grad:
            raise ValueError("backward(): this Node does not depend on anything that needs a "
                             "gradient (it was made from constants or with requires_grad=False)")
        if grad is None:
            seed = np.ones_like(self.data)
        else:
            seed = _float64_array(grad, "backward(grad)", copy=True)
            if seed.shape != self.data.shape:
                raise ValueError(f"backward(grad): grad has shape {seed.shape} but the Node has "
                                 f"shape {self.data.shape}; they must be equal")
        order = self.topological_order()
        for node in order:
            if node._rule is not None:
                node._grad = None  # intermediate nodes hold the latest pass only
        self._grad = seed if self._grad is None else np.asarray(self._grad + seed)
        for node in reversed(order):  # children before parents: each gradient is complete
            rule = node._rule
            if rule is None:
                continue  # a leaf: nothing further back
            for parent, g in zip(node.inputs, rule(node, node._grad)):
                if g is None or not parent.requires_grad:
                    continue
                if g.shape != parent.data.shape:
                    g = reduce_to_shape(g, parent.data.shape)
                if parent._grad is not None:
                    g = parent._grad + g
                elif parent._rule is None and (g is node._grad or g.base is not None):
                    g = np.array(g, dtype=np.float64)  # a leaf owns its gradient: no shared array
                # numpy turns 0-d results into scalars: .grad is always an array
                parent._grad = g if type(g) is np.ndarray else np.asarray(g, dtype=np.float64)

    def zero_grad(self):
        """Reset ``.grad`` to zeros on this node and every node it was computed from."""
        if not self.inputs:  # a leaf, such as a parameter: nothing below it
            self._grad = None
            return
        for node in self.topological_order():
            node._grad = None
        self._grad = None
