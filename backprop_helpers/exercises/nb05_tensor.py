"""Exercises of notebook 05 (tensor autograd): the backward rules of mean and max, and softmax
built from Node operations."""
import numpy as np

from ..activations import softmax, softmax_backward
from ..tensor import Node
from .core import WrongAnswer, as_array, close, diagnose, exercise, learner_error, numpy_error



def _case(shape, axis, keepdims):
    return f"for an input of shape {shape}, axis={axis}, keepdims={keepdims}"


def reduction_exercise_cases():
    """(shape, axis, keepdims) for the reduction exercises: the common case first, then the
    edge cases (length-1 axes, a square input where a wrong axis still broadcasts, 3-D)."""
    shapes = [(2, 3), (1,), (1, 1), (3, 1), (1, 4), (3, 3), (2, 3, 4)]
    return [(shape, axis, keepdims) for shape in shapes for axis in (None, 0, 1, -1)
            if axis is None or -len(shape) <= axis < len(shape) for keepdims in (False, True)]


def _spread(g, shape, axis, keepdims):
    """g of a reduction over ``axis`` put back on the reduced axis and broadcast to ``shape``."""
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, shape)


def _call_rule(function, args, case, shape_hint):
    """The learner's backward rule on ``args`` as an array, with hints for its typical errors."""
    axis, keepdims = args[2:]
    try:
        result = function(*args)
    except NotImplementedError:
        raise  # an untouched stub: not attempted
    except (ValueError, IndexError, DeprecationWarning) as raised:
        error = numpy_error(raised)  # numpy < 1.25 warns where it later raises
        if keepdims and axis is not None:
            hint = (f"{case}: with keepdims=True, g still has the reduced axis (of length 1), "
                    f"so it lines up with the input as it is")
        elif "broadcast" in str(error):
            hint = f"{case}: {shape_hint}"
        else:
            hint = case
        raise learner_error(error, hint) from None
    except TypeError as error:
        raise learner_error(error, f"{case}" + ("; axis=None means every entry, handle it "
                                                          "on its own" if "None" in str(error) else "")) from None
    except Exception as error:
        raise learner_error(error, case) from None
    if result is None:
        raise WrongAnswer(f"your function returned None {case}: did you forget to return the gradient?")
    return as_array(result, "your gradient")


def _check_gradient_shape(got, shape, g, case, keepdims):
    """A WrongAnswer naming the shape mistake, if ``got`` does not have the input's ``shape``."""
    if got.shape == shape:
        return
    if got.shape == g.shape:
        raise WrongAnswer(f"your gradient has the shape {got.shape} of g, the reduction's output, {case}; "
                     f"it must have the input's shape {shape}: spread g back over the reduced axis")
    if keepdims and got.ndim == len(shape) + 1:
        raise WrongAnswer(f"your gradient has shape {got.shape} {case}: with keepdims=True, g still has "
                     f"the reduced axis (of length 1), so don't insert it again")
    raise WrongAnswer(f"your gradient has shape {got.shape} {case}; it must have the input's shape {shape}")


@exercise(callable_answer=True, references=(Node.mean,))
def check_mean_backward(function):
    """Exercise 05.1: ``mean_backward(g, input_shape, axis=None, keepdims=False)`` returns the
    gradient of ``x.mean(axis, keepdims)`` with respect to x, given g = ∂L/∂(mean)."""
    rng = np.random.default_rng(5)
    for shape, axis, keepdims in reduction_exercise_cases():
        case = _case(shape, axis, keepdims)
        g = rng.normal(size=np.zeros(shape).mean(axis=axis, keepdims=keepdims).shape)
        x = Node(np.zeros(shape))
        x.mean(axis=axis, keepdims=keepdims).backward(g)
        expected = x.grad
        got = _call_rule(function, (g.copy(), shape, axis, keepdims), case,
                         "give g back the averaged axis first (np.expand_dims when keepdims=False), "
                         "so it lines up with the input")
        _check_gradient_shape(got, shape, g, case, keepdims)
        size = int(np.prod(shape))
        count = size if axis is None else shape[axis]
        wrong = [(expected * count, f"you forgot to divide by the number of entries averaged ({case}): "
                                    f"each of them contributes 1/count to the mean")]
        if count != size:
            wrong.append((expected * count / size, f"you divided by the input's total size {case}; a mean "
                                                   f"over one axis divides by that axis's length only"))
        if len(shape) == 2 and axis is not None and shape[0] != shape[1]:
            wrong.append((expected * count / shape[1 - axis % 2], f"you divided by the length of the "
                                                                  f"other axis {case}"))
        if axis is not None and not keepdims:
            try:
                along_last = np.broadcast_to(g / count, shape)
                wrong.append((along_last, f"g went back along the wrong axis {case}: numpy lines g up "
                                          f"at the right, so put the averaged axis back first with "
                                          f"np.expand_dims(g, axis)"))
            except ValueError:
                pass
        diagnose(got, expected, [(v, h) for v, h in wrong if not close(v, expected)],
                  f"your gradient {case}")


def _max_gradient(g, x, axis, keepdims):
    """∂(x.max(axis))/∂x times g, a tie split equally among the maximal entries (as HIPS autograd)."""
    top = x == x.max(axis=axis, keepdims=True)
    return _spread(g, x.shape, axis, keepdims) * top / top.sum(axis=axis, keepdims=True)


def _first_only(x, axis):
    """A mask of the first maximal entry of each slice (where np.argmax points)."""
    if axis is None:
        mask = np.zeros(x.size)
        mask[np.argmax(x)] = 1.0
        return mask.reshape(x.shape)
    index = np.expand_dims(np.argmax(x, axis=axis), axis)
    mask = np.zeros_like(x)
    np.put_along_axis(mask, index, 1.0, axis=axis)
    return mask


def max_backward_cases():
    """(x, axis, keepdims) for exercise 05.2: distinct values first, then inputs with ties."""
    rng = np.random.default_rng(6)
    cases = [(rng.permutation(int(np.prod(shape))).reshape(shape) - 3.0, axis, keepdims)
             for shape, axis, keepdims in reduction_exercise_cases()]
    tied = [np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]), np.array([[5.0, 5.0, 5.0, 5.0]]),
            np.array([[4.0], [4.0], [-1.0]]), np.array([[0.0, 7.0], [7.0, 7.0], [7.0, 1.0]])]
    cases += [(x, axis, keepdims) for x in tied for axis in (None, 0, 1, -1) for keepdims in (False, True)]
    return cases


@exercise(callable_answer=True)
def check_max_backward(function):
    """Exercise 05.2: ``max_backward(g, x, axis=None, keepdims=False)`` returns the gradient of
    ``x.max(axis, keepdims)`` with respect to x; a tie splits g equally among the maxima."""
    rng = np.random.default_rng(7)
    for x, axis, keepdims in max_backward_cases():
        case = _case(x.shape, axis, keepdims)
        g = rng.normal(size=x.max(axis=axis, keepdims=keepdims).shape)
        expected = _max_gradient(g, x, axis, keepdims)
        got = _call_rule(function, (g.copy(), x.copy(), axis, keepdims), case,
                         "give g (and the max) back the reduced axis first (np.expand_dims when "
                         "keepdims=False, or keepdims=True in x.max), so they line up with x")
        _check_gradient_shape(got, x.shape, g, case, keepdims)
        spread = _spread(g, x.shape, axis, keepdims)
        count = x.size if axis is None else x.shape[axis]
        top = x == x.max(axis=axis, keepdims=True)
        wrong = [
            (spread, f"every entry got g {case}, as for a sum: only the largest entry of each slice "
                     f"moves the max, so the others get 0"),
            (spread / count, f"that is the gradient of the mean {case}: only the largest entry of each "
                             f"slice moves the max, so the others get 0"),
            (spread * top, f"at a tie every maximal entry got the whole of g {case}; this exercise splits "
                           f"g equally between the tied entries (as the autograd package does)"),
            (spread * _first_only(x, axis), f"you gave g to the first maximal entry only {case}; this "
                                            f"exercise splits g equally between tied entries (as the "
                                            f"autograd package does)"),
            (-expected, f"wrong sign {case}"),
        ]
        diagnose(got, expected, [(v, h) for v, h in wrong if not close(v, expected)],
                  f"your gradient {case}")


def softmax_exercise_logits():
    """Exercise 05.3's logits: one column per sample; a single sample, a single class, logits
    near ±1000 (exp overflows unless shifted) and columns far apart (a shift by the max of
    the whole array underflows a column)."""
    rng = np.random.default_rng(8)
    far_apart = rng.normal(size=(3, 2)) + np.array([[0.0, 900.0]])
    return [rng.normal(size=(3, 4)), rng.normal(size=(4, 1)), rng.normal(size=(1, 3)),
            rng.normal(size=(2, 5)) * 3, rng.normal(size=(3, 3)), rng.normal(size=(3, 2)) * 1000,
            far_apart]


@exercise(callable_answer=True)
def check_softmax_on_node(function):
    """Exercise 05.3: ``my_softmax(z)`` takes a Node of logits (one column per sample) and
    returns softmax over axis 0 as a Node built from Node ops, so gradients flow back to z."""
    rng = np.random.default_rng(9)
    for logits in softmax_exercise_logits():
        case = f"for logits of shape {logits.shape}"
        z = Node(logits.copy())
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # nan gets a hint below
                a = function(z)
        except NotImplementedError:
            raise  # an untouched stub: not attempted
        except OverflowError as error:  # Node.exp refuses to overflow
            raise learner_error(error, f"e^z overflows {case} (logits up to {np.max(np.abs(logits)):.0f}), "
                                       f"which would give nan or inf; subtract each column's own maximum "
                                       f"first, as a constant (z.data.max(axis=0, keepdims=True)): "
                                       f"softmax does not change under a shift") from None
        except Exception as error:
            raise learner_error(error, case) from None
        if a is None:
            raise WrongAnswer("your function returned None: did you forget to return the softmax?")
        if not isinstance(a, Node):
            raise WrongAnswer(f"your function returned a {type(a).__name__}, not a Node: build the softmax "
                         f"from Node operations (z.exp(), .sum(axis=0, keepdims=True), /, -) so "
                         f"that the backward pass can reach z")
        got, expected = np.asarray(a.data), softmax(logits, axis=0)
        if got.shape != expected.shape:
            raise WrongAnswer(f"your softmax has shape {got.shape} {case}; it must keep z's shape "
                         f"{expected.shape} (sum with keepdims=True, so the sums stay a row)")
        if not np.all(np.isfinite(got)):
            raise WrongAnswer(f"your softmax has nan or inf {case} (logits up to {np.max(np.abs(logits)):.0f}): "
                         f"e^z overflows; subtract each column's own maximum first, as a constant "
                         f"(z.data.max(axis=0, keepdims=True)): softmax does not change under a shift")
        e, e_columns = np.exp(logits - logits.max()), np.exp(logits - logits.max(axis=0, keepdims=True))
        whole = (f"the whole array sums to 1 {case}: normalise each column (one sample) on its own, "
                 f".sum(axis=0, keepdims=True)")
        wrong = [(softmax(logits, axis=1), f"each row sums to 1 {case}, but the classes run down a column: "
                                           f"normalise over axis 0, one sample per column"),
                 (e / e.sum(), whole), (e_columns / e_columns.sum(), whole),
                 (e_columns, f"the entries are e^z {case}: divide by each column's sum")]
        with np.errstate(over="ignore"):
            wrong.append((np.exp(logits), wrong[-1][1]))
        diagnose(got, expected, [(v, h) for v, h in wrong if not close(v, expected)],
                  f"your softmax {case}")
        if not a.requires_grad:
            raise WrongAnswer("your softmax is right but is a constant, not connected to z: use Node "
                         "operations on z (not z.data or numpy functions, which cut the graph)")
        G = rng.normal(size=logits.shape)
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                a.backward(G)
        except Exception as error:
            raise learner_error(error, f"{case}, in the backward pass of your softmax") from None
        expected_grad = softmax_backward(expected, G)
        if np.all(z.grad == 0) and not close(z.grad, expected_grad):
            raise WrongAnswer(f"z got no gradient {case}: somewhere the softmax was computed from z.data or "
                         f"numpy functions, which cuts the graph; use Node operations on z")
        diagnose(z.grad, expected_grad, [
            (expected * G, f"the gradient misses the −a aᵀ term of the softmax Jacobian {case}: the "
                           f"denominator Σ e^z depends on z too, so it must stay a Node "
                           f"(e.sum(axis=0, keepdims=True)), not a constant from .data"),
        ], f"∂L/∂z through your softmax {case}")
