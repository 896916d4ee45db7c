"""Value: reverse-mode automatic differentiation on single numbers.

Every operation on a ``Value`` makes a new ``Value`` that remembers its ``inputs`` and the
``local`` derivative of its result with respect to each, both computed in the forward pass,
right next to the result. ``backward()`` applies the chain rule once per node, from the
output back to the leaves:

    input.grad += (∂output/∂input) * output.grad

How it behaves:

- ``backward()`` orders the graph without recursion (a chain a million operations deep
  works) and visits each node once, however many paths reach it.
- Leaves (values you created, such as weights) *accumulate* their gradient across calls to
  ``backward()``, as in PyTorch: call ``zero_grad()`` (or set ``.grad = 0``) before the next
  pass. Intermediate nodes hold the gradient of the latest pass only (PyTorch's
  ``retain_grad`` would accumulate there too).
- The local derivatives are numbers taken when the node is made: changing an input's
  ``.data`` afterwards does not change the gradients of the graph already built, and a graph
  holds no closures, so it is freed as soon as it is unused.
- An exp that overflows, the log of a number <= 0, a division by zero and a power with no
  real result raise an error that names the operation and the value.
"""
import math
from numbers import Real

__all__ = ["Value"]


def _fmt(x):
    """A number as it should read in an error message."""
    return f"{x:.6g}"


class Value:
    """A number that records how it was computed, so its gradient can flow back.

    ``Value(3.0)`` makes a leaf; ``label`` is an optional name shown by ``repr`` and by
    ``backprop_helpers.plots.draw_graph``. ``Value.from_op`` makes the result of an operation.
    """

    # an operation has at most two inputs: _a and _b, with local derivatives _da and _db
    __slots__ = ("data", "_grad", "_a", "_da", "_b", "_db", "op", "label")

    def __init__(self, data, label=""):
        self.data = _real(data, "Value(data)")
        self._grad = 0.0
        self._a = self._b = None
        self._da = self._db = 0.0
        self.op = ""
        self.label = _label(label)

    @classmethod
    def from_op(cls, data, inputs=(), local=(), op="", label=""):
        """The result ``data`` of the operation ``op`` on ``inputs`` (one or two Values), with
        ``local[i]`` = ∂result/∂inputs[i]. For example, v³ as a new operation::

            Value.from_op(v.data ** 3, inputs=(v,), local=(3 * v.data ** 2,), op="cube")
        """
        inputs = _sequence(inputs, f"Value.from_op(op={op!r}): inputs", "(a,) or (a, b) of Values")
        local = _sequence(local, f"Value.from_op(op={op!r}): local", "one number per input")
        if not 1 <= len(inputs) <= 2:
            raise ValueError(f"Value.from_op(op={op!r}): an operation has one or two inputs, got "
                             f"{len(inputs)}; build a longer one from several operations")
        if len(local) != len(inputs):
            raise ValueError(f"Value.from_op(op={op!r}): {len(inputs)} inputs need {len(inputs)} local "
                             f"derivatives (one per input, same order), got {len(local)}")
        for i, v in enumerate(inputs):
            if not isinstance(v, Value):
                raise TypeError(f"Value.from_op(op={op!r}): inputs[{i}] must be a Value, got "
                                f"{v!r} of type {type(v).__name__}")
        slopes = [_real(d, f"Value.from_op(op={op!r}): local[{i}]") for i, d in enumerate(local)]
        if not isinstance(op, str):
            raise TypeError(f"Value.from_op: op must be a string naming the operation, got {op!r}")
        out = _result(_real(data, f"Value.from_op(op={op!r}): data"), inputs[0], slopes[0],
                      inputs[1] if len(inputs) == 2 else None,
                      slopes[1] if len(inputs) == 2 else 0.0, op)
        out.label = _label(label)
        return out

    @property
    def inputs(self):
        """The Values this one was computed from (empty for a leaf)."""
        if self._a is None:
            return ()
        return (self._a,) if self._b is None else (self._a, self._b)

    @property
    def local(self):
        """∂self/∂input for each of ``inputs``, in the same order."""
        if self._a is None:
            return ()
        return (self._da,) if self._b is None else (self._da, self._db)

    @property
    def grad(self):
        """∂(output)/∂(this value) after ``output.backward()``; 0.0 before."""
        return self._grad

    @grad.setter
    def grad(self, value):
        self._grad = value if type(value) is float else _real(value, "Value.grad")

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self._grad!r}{label})"

    # ------------------------------------------------------------------ arithmetic
    # Each operation: the result, then the local derivative of the result for each input.

    def __add__(self, other):
        if type(other) is Value:
            return _result(self.data + other.data, self, 1.0, other, 1.0, "+")
        c = _number(other, "+")
        return _result(self.data + c, self, 1.0, None, 0.0, f"+ {c:g}")

    __radd__ = __add__

    def __sub__(self, other):
        if type(other) is Value:
            return _result(self.data - other.data, self, 1.0, other, -1.0, "-")
        c = _number(other, "-")
        return _result(self.data - c, self, 1.0, None, 0.0, f"- {c:g}")

    def __rsub__(self, other):  # other - self
        c = _number(other, "-")
        return _result(c - self.data, self, -1.0, None, 0.0, f"{c:g} -")

    def __neg__(self):
        return _result(-self.data, self, -1.0, None, 0.0, "neg")

    def __mul__(self, other):
        if type(other) is Value:
            return _result(self.data * other.data, self, other.data, other, self.data, "*")
        c = _number(other, "*")
        return _result(self.data * c, self, c, None, 0.0, f"* {c:g}")

    __rmul__ = __mul__

    def __truediv__(self, other):
        a = self.data
        if type(other) is Value:
            b = other.data
            if b == 0.0:
                raise ZeroDivisionError(f"Value division by zero: {_fmt(a)} / {_fmt(b)}")
            q = a / b
            return _result(q, self, 1.0 / b, other, _quotient_slope(a, b, q), "/")
        b = _number(other, "/")
        if b == 0.0:
            raise ZeroDivisionError(f"Value division by zero: {_fmt(a)} / {_fmt(b)}")
        return _result(a / b, self, 1.0 / b, None, 0.0, f"/ {b:g}")

    def __rtruediv__(self, other):  # other / self
        a, b = _number(other, "/"), self.data
        if b == 0.0:
            raise ZeroDivisionError(f"Value division by zero: {_fmt(a)} / {_fmt(b)}")
        q = a / b
        return _result(q, self, _quotient_slope(a, b, q), None, 0.0, f"{a:g} /")

    def __pow__(self, other):
        """self ** n for a number n, or self ** v for a Value v (then the base must be > 0,
        or 0 with a positive exponent, for ∂/∂v = self**v · ln(self) to exist)."""
        x = self.data
        if type(other) is Value:
            n = other.data
            out = _power(x, n)
            return _result(out, self, _power_slope(x, n), other, _exponent_slope(x, n, out), "**")
        n = _number(other, "**")
        return _result(_power(x, n), self, _power_slope(x, n), None, 0.0, f"** {n:g}")

    def __rpow__(self, other):  # number ** self
        base, n = _number(other, "**"), self.data
        out = _power(base, n)
        return _result(out, self, _exponent_slope(base, n, out), None, 0.0, f"{base:g} **")

    # ------------------------------------------------------------------ functions

    def relu(self):
        """max(0, x); its derivative at exactly 0 is taken as 0 (as in PyTorch); nan stays nan."""
        x = self.data
        if x > 0.0:
            return _result(x, self, 1.0, None, 0.0, "relu")
        if x != x:  # nan stays nan, as in numpy and PyTorch (derivative 0, as theirs)
            return _result(x, self, 0.0, None, 0.0, "relu")
        return _result(0.0, self, 0.0, None, 0.0, "relu")

    def tanh(self):
        """tanh(x); exactly ±1 with derivative 0 far out, never an overflow."""
        t = math.tanh(self.data)
        return _result(t, self, 1.0 - t * t, None, 0.0, "tanh")

    def sigmoid(self):
        """σ(x) = 1 / (1 + e^(-x)), computed by exponentiating only -|x|, so it never overflows."""
        x = self.data
        if x >= 0.0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return _result(s, self, s * (1.0 - s), None, 0.0, "sigmoid")

    def exp(self):
        """e^x; raises OverflowError naming x when e^x is beyond the largest float (x > 709.78)."""
        x = self.data
        try:
            e = math.exp(x)
        except OverflowError:
            raise OverflowError(f"Value.exp overflows: exp({_fmt(x)}) is larger than the largest float") from None
        return _result(e, self, e, None, 0.0, "exp")

    def log(self):
        """Natural log; raises ValueError naming x when x <= 0 (or nan)."""
        x = self.data
        if not x > 0.0:
            raise ValueError(f"Value.log of a non-positive number: log({_fmt(x)})")
        return _result(math.log(x), self, 1.0 / x, None, 0.0, "log")

    # ------------------------------------------------------------------ backward

    def topological_order(self):
        """Every node this one depends on, each once, inputs before the nodes made from them.

        A depth-first search with an explicit stack instead of recursion. A ``None`` pushed
        under a node's inputs marks the moment they are all emitted; then the node itself is
        emitted, so the list ends with ``self``.
        """
        order = []
        visited = set()
        stack = [self]
        while stack:
            node = stack.pop()
            # A None marker instead of (node, done) tuples: half the time on big graphs.
            if node is None:  # all inputs of the node below the marker are emitted
                order.append(stack.pop())
                continue
            if node in visited:
                continue
            visited.add(node)
            stack.append(node)
            stack.append(None)
            a = node._a
            if a is not None:
                if a not in visited:
                    stack.append(a)
                b = node._b
                if b is not None and b not in visited:
                    stack.append(b)
        return order

    def backward(self):
        """Set ``.grad`` of every node in this graph to ∂self/∂node by the chain rule.

        Leaves accumulate (``+=``) across calls; intermediate nodes are reset first, so they
        hold this pass only. Runs in time linear in the number of nodes.
        """
        order = self.topological_order()
        for node in order:
            if node._a is not None:
                node._grad = 0.0
        self._grad += 1.0
        for node in reversed(order):
            a = node._a
            if a is not None:
                g = node._grad
                a._grad += node._da * g
                b = node._b
                if b is not None:
                    b._grad += node._db * g

    def zero_grad(self):
        """Set ``.grad`` to 0 on this node and everything it depends on."""
        for node in self.topological_order():
            node._grad = 0.0


_new = object.__new__


def _result(data, a, da, b, db, op):
    """The Value ``data`` made by ``op`` from ``a`` (and ``b``); the engine's fast path."""
    out = _new(Value)
    out.data = data
    out._grad = 0.0
    out._a = a
    out._da = da
    out._b = b
    out._db = db
    out.op = op
    out.label = ""
    return out


def _real(value, what):
    """``value`` as a float, or a TypeError naming ``what`` and the value."""
    if type(value) is float:
        return value
    if isinstance(value, Value):
        raise TypeError(f"{what} got a Value; pass a number (a Value v holds its number in "
                        f"v.data, e.g. Value(v.data))")
    if not isinstance(value, Real) or isinstance(value, bool):
        raise TypeError(f"{what} needs a real number, got {value!r} of type {type(value).__name__}")
    return float(value)


def _sequence(items, what, expected):
    """``items`` (a tuple or a list) as a tuple, or a TypeError naming ``what``."""
    if not isinstance(items, (tuple, list)):
        raise TypeError(f"{what} must be a tuple or list, {expected}; got {items!r} of type "
                        f"{type(items).__name__}")
    return tuple(items)


def _label(label):
    if not isinstance(label, str):
        raise TypeError(f"Value label must be a string, got {label!r} of type {type(label).__name__}")
    return label


def _number(other, op):
    """The plain number on the other side of an operation, or a clear TypeError."""
    if type(other) is float or (isinstance(other, Real) and not isinstance(other, bool)):
        return float(other)
    raise TypeError(f"Value {op}: the other operand must be a real number or a Value, got "
                    f"{other!r} of type {type(other).__name__}")


def _quotient_slope(a, b, q):
    """∂(a/b)/∂b = -a/b², taken as -(a/b)/b so it does not underflow b² for a tiny b."""
    return -q / b


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
    """∂(x**n)/∂x = n x^(n-1); an error where it is infinite (x = 0, n < 1) or overflows."""
    if n == 0.0:
        return 0.0
    try:
        return n * _power(x, n - 1.0)
    except ZeroDivisionError:
        raise ZeroDivisionError(f"Value power: the derivative of x ** {_fmt(n)} is infinite at x = {_fmt(x)}") from None
    except OverflowError:
        raise OverflowError(f"Value power: {_fmt(x)} ** {_fmt(n)} has a finite value but its derivative "
                            f"{_fmt(n)} * x ** {_fmt(n - 1.0)} overflows at x = {_fmt(x)}") from None


def _exponent_slope(base, n, out):
    """∂(base**n)/∂n = base**n · ln(base), which needs base > 0 (or base = 0 with n > 0)."""
    if base > 0.0:
        return out * math.log(base)
    if base == 0.0 and n > 0.0:
        return 0.0
    raise ValueError(f"Value power: the derivative with respect to the exponent of {_fmt(base)} ** {_fmt(n)} "
                     "needs a positive base (it involves log(base))")
