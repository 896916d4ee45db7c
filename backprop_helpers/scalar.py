"""Value: reverse-mode automatic differentiation on single numbers.

Every arithmetic operation on a ``Value`` makes a new ``Value`` that remembers its one or
two inputs (``_a``, ``_b``) and the local derivative of its output with respect to each
(``_da``, ``_db``), both computed in the forward pass, right next to the result.
``backward()`` then applies the chain rule once per node, from the output back to the leaves:

    input.grad += (∂output/∂input) * output.grad

Semantics, as in PyTorch:

- ``backward()`` orders the graph by an iterative topological sort (no recursion, so a
  chain a million operations deep works) and visits each node once, however many paths
  reach it.
- Leaves (values you created, such as weights) *accumulate* their gradient across calls to
  ``backward()``: call ``zero_grad()`` (or set ``.grad = 0``) before the next pass.
  Intermediate nodes hold the gradient of the latest pass only. For z = x*y + x at x = 2,
  y = -3, one ``z.backward()`` gives x.grad = -2, y.grad = 2; a second gives -4 and 4.
- A node stores its inputs and plain-number local derivatives, never a closure over
  itself, so a graph has no reference cycles and Python frees it the moment the last name
  for it goes away, without the cyclic garbage collector.
- The local derivatives are taken when the node is made: changing an input's ``.data``
  afterwards does not change the gradients of the graph already built.
- tanh and sigmoid saturate exactly (tanh(±1000) = ±1, gradient 0); an exp that overflows,
  the log of a number <= 0, a division by zero and a power with no real result raise an
  error that names the operation and the value.
"""
import math
from numbers import Real

__all__ = ["Value"]


def _fmt(x):
    """A number as it should read in an error message."""
    return f"{x:.6g}"


class Value:
    """A number that records how it was computed, so its gradient can flow back.

    ``Value(3.0)`` makes a leaf; ``label`` is an optional name used by ``repr`` and by the
    graph drawing (``backprop_helpers.plots.draw_graph``).
    """

    # One object per node and no tuple or closure beside it: every operation has at most two
    # inputs, so they and their local derivatives live in slots. Fewer objects per node means
    # less work for Python's garbage collector, which visits every container object it tracks.
    __slots__ = ("data", "grad", "_a", "_da", "_b", "_db", "_op", "label")

    def __init__(self, data, label="", _a=None, _da=0.0, _op="", _b=None, _db=0.0):
        if type(data) is not float:
            if isinstance(data, Value):
                raise TypeError("Value(Value(...)): pass the number, e.g. Value(v.data)")
            if not isinstance(data, Real) or isinstance(data, bool):
                raise TypeError(f"Value needs a real number, got {data!r} of type {type(data).__name__}")
            data = float(data)
        self.data = data
        self.grad = 0.0
        self._a = _a    # first input of the operation that made this Value (None for a leaf)
        self._da = _da  # ∂self/∂_a, taken in the forward pass
        self._b = _b    # second input, for two-input operations
        self._db = _db  # ∂self/∂_b
        self._op = _op  # the operation, for drawing: "*", or "* 2" with a number operand
        self.label = label

    @property
    def _prev(self):
        """The inputs of the operation that made this Value (empty for a leaf)."""
        if self._a is None:
            return ()
        return (self._a,) if self._b is None else (self._a, self._b)

    @property
    def _local(self):
        """∂self/∂input for each input in ``_prev``, in the same order."""
        if self._a is None:
            return ()
        return (self._da,) if self._b is None else (self._da, self._db)

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # ------------------------------------------------------------------ arithmetic
    # Each operation: the result, then the local derivative of the result for each input.

    def __add__(self, other):
        if type(other) is Value:
            return Value(self.data + other.data, "", self, 1.0, "+", other, 1.0)
        c = _number(other, "+")
        return Value(self.data + c, "", self, 1.0, f"+ {c:g}")

    __radd__ = __add__

    def __sub__(self, other):
        if type(other) is Value:
            return Value(self.data - other.data, "", self, 1.0, "-", other, -1.0)
        c = _number(other, "-")
        return Value(self.data - c, "", self, 1.0, f"- {c:g}")

    def __rsub__(self, other):  # other - self
        c = _number(other, "-")
        return Value(c - self.data, "", self, -1.0, f"{c:g} -")

    def __neg__(self):
        return Value(-self.data, "", self, -1.0, "neg")

    def __mul__(self, other):
        if type(other) is Value:
            return Value(self.data * other.data, "", self, other.data, "*", other, self.data)
        c = _number(other, "*")
        return Value(self.data * c, "", self, c, f"* {c:g}")

    __rmul__ = __mul__

    def __truediv__(self, other):
        a = self.data
        if type(other) is Value:
            b = other.data
            if b == 0.0:
                raise ZeroDivisionError(f"Value division by zero: {_fmt(a)} / {_fmt(b)}")
            return Value(a / b, "", self, 1.0 / b, "/", other, -a / (b * b))
        b = _number(other, "/")
        if b == 0.0:
            raise ZeroDivisionError(f"Value division by zero: {_fmt(a)} / {_fmt(b)}")
        return Value(a / b, "", self, 1.0 / b, f"/ {b:g}")

    def __rtruediv__(self, other):  # other / self
        a, b = _number(other, "/"), self.data
        if b == 0.0:
            raise ZeroDivisionError(f"Value division by zero: {_fmt(a)} / {_fmt(b)}")
        return Value(a / b, "", self, -a / (b * b), f"{a:g} /")

    def __pow__(self, other):
        """self ** n for a number n, or self ** v for a Value v (then the base must be > 0,
        or 0 with a positive exponent, for ∂/∂v = self**v · ln(self) to exist)."""
        x = self.data
        if type(other) is Value:
            n = other.data
            out = _power(x, n)
            return Value(out, "", self, _power_slope(x, n), "**", other, _exponent_slope(x, n, out))
        n = _number(other, "**")
        return Value(_power(x, n), "", self, _power_slope(x, n), f"** {n:g}")

    def __rpow__(self, other):  # number ** self
        base, n = _number(other, "**"), self.data
        out = _power(base, n)
        return Value(out, "", self, _exponent_slope(base, n, out), f"{base:g} **")

    # ------------------------------------------------------------------ functions

    def relu(self):
        """max(0, x); its derivative at exactly 0 is taken as 0 (as in PyTorch)."""
        x = self.data
        if x > 0.0:
            return Value(x, "", self, 1.0, "relu")
        return Value(0.0, "", self, 0.0, "relu")

    def tanh(self):
        """tanh(x); exactly ±1 with derivative 0 far out, never an overflow."""
        t = math.tanh(self.data)
        return Value(t, "", self, 1.0 - t * t, "tanh")

    def sigmoid(self):
        """σ(x) = 1 / (1 + e^(-x)), computed by exponentiating only -|x|, so it never overflows."""
        x = self.data
        if x >= 0.0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return Value(s, "", self, s * (1.0 - s), "sigmoid")

    def exp(self):
        """e^x; raises OverflowError naming x when e^x is beyond the largest float (x > 709.78)."""
        x = self.data
        try:
            e = math.exp(x)
        except OverflowError:
            raise OverflowError(f"Value.exp overflows: exp({_fmt(x)}) is larger than the largest float") from None
        return Value(e, "", self, e, "exp")

    def log(self):
        """Natural log; raises ValueError naming x when x <= 0."""
        x = self.data
        if not x > 0.0:
            raise ValueError(f"Value.log of a non-positive number: log({_fmt(x)})")
        return Value(math.log(x), "", self, 1.0 / x, "log")

    # ------------------------------------------------------------------ backward

    def topological_order(self):
        """Every node this one depends on, each once, inputs before the nodes made from them.

        A depth-first search with an explicit stack instead of recursion. A node is expanded
        once (``visited``); a ``None`` pushed under its inputs marks the moment they are all
        emitted, and then the node itself is emitted, so the list ends with ``self``.
        """
        order = []
        visited = set()
        stack = [self]
        push, pop, emit, visit = stack.append, stack.pop, order.append, visited.add
        while stack:
            node = pop()
            if node is None:  # all inputs of the node below the marker are emitted
                emit(pop())
                continue
            if node in visited:
                continue
            visit(node)
            push(node)
            push(None)
            a = node._a
            if a is not None:
                if a not in visited:
                    push(a)
                b = node._b
                if b is not None and b not in visited:
                    push(b)
        return order

    def backward(self):
        """Set ``.grad`` of every node in this graph to ∂self/∂node by the chain rule.

        Leaves accumulate (``+=``) across calls; intermediate nodes are reset first, so they
        hold this pass only. Runs in time linear in the number of nodes.
        """
        order = self.topological_order()
        for node in order:
            if node._a is not None:
                node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):
            a = node._a
            if a is not None:
                g = node.grad
                a.grad += node._da * g
                b = node._b
                if b is not None:
                    b.grad += node._db * g

    def zero_grad(self):
        """Set ``.grad`` to 0 on this node and everything it depends on."""
        for node in self.topological_order():
            node.grad = 0.0


def _number(other, op):
    """The plain number on the other side of an operation, or a clear TypeError."""
    if type(other) is float or (isinstance(other, Real) and not isinstance(other, bool)):
        return float(other)
    raise TypeError(f"unsupported operand for Value {op}: {other!r} of type {type(other).__name__}")


def _power(x, n):
    """x ** n as a real float, or an error naming the operation and the numbers."""
    try:
        out = x ** n
    except ZeroDivisionError:
        raise ZeroDivisionError(f"Value power: {_fmt(x)} ** {_fmt(n)} divides by zero") from None
    except OverflowError:
        raise OverflowError(f"Value power overflows: {_fmt(x)} ** {_fmt(n)}") from None
    if type(out) is complex:
        raise ValueError(f"Value power has no real result: {_fmt(x)} ** {_fmt(n)} "
                         "(negative base, fractional exponent)")
    return out


def _power_slope(x, n):
    """∂(x**n)/∂x = n x^(n-1); an error where it is infinite (x = 0, n < 1)."""
    if n == 0.0:
        return 0.0
    try:
        return n * _power(x, n - 1.0)
    except ZeroDivisionError:
        raise ZeroDivisionError(f"Value power: the derivative of x ** {_fmt(n)} is infinite at x = {_fmt(x)}") from None


def _exponent_slope(base, n, out):
    """∂(base**n)/∂n = base**n · ln(base), which needs base > 0 (or base = 0 with n > 0)."""
    if base > 0.0:
        return out * math.log(base)
    if base == 0.0 and n > 0.0:
        return 0.0
    raise ValueError(f"Value power: the derivative with respect to the exponent of {_fmt(base)} ** {_fmt(n)} "
                     "needs a positive base (it involves log(base))")
