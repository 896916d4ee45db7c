"""Wrong arguments to the package's public functions raise TypeError or ValueError naming the argument.

Each strategy draws values of a wrong kind (None, text, lists, ragged lists, generators, a
numpy Generator where a random.Random goes, numbers of the wrong type or range); each test
asserts the error is a TypeError or ValueError whose message names the argument.
"""
import random

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from backprop_helpers import gradcheck, naive, network, nn
from backprop_helpers.network import Network
from backprop_helpers.scalar import Value
from backprop_helpers.tensor import Node

generators = st.lists(st.integers(0, 3), max_size=3).map(lambda xs: (x for x in xs))
ragged = st.lists(st.integers(1, 3), min_size=1, max_size=3).map(lambda xs: [xs, xs + [1]])
numpy_generators = st.integers(0, 9).map(np.random.default_rng)
text = st.text(max_size=4)
floats = st.floats(allow_nan=True, allow_infinity=True)


def not_whole(minimum):
    """Anything but a whole number >= minimum (None is wrong too)."""
    return st.one_of(st.none(), text, floats, st.booleans(), st.lists(st.integers(), max_size=2),
                     generators, numpy_generators, st.integers(max_value=minimum - 1))


not_a_seed = st.one_of(text, floats, st.booleans(), st.lists(st.integers(), max_size=2),
                       generators, numpy_generators, st.integers(max_value=-1))
not_an_rng = st.one_of(st.integers(), floats, text, st.lists(st.integers(), max_size=2),
                       numpy_generators, generators)
not_callable = st.one_of(st.none(), st.integers(), floats, text, st.lists(st.integers(), max_size=2),
                         generators, numpy_generators)
not_a_dict = st.one_of(st.none(), st.integers(), floats, text, st.lists(st.integers(), max_size=2),
                       ragged, numpy_generators)
not_layer_sizes = st.one_of(st.none(), st.integers(), floats, text, numpy_generators, ragged,
                            st.just([]), st.lists(st.one_of(st.none(), text, floats,
                                                            st.integers(max_value=0)),
                                                  min_size=2, max_size=3))
not_sizes = st.one_of(not_layer_sizes, st.lists(st.integers(1, 4), max_size=1))  # n_0 .. n_L
not_a_collection = st.one_of(st.none(), st.integers(), floats, numpy_generators)
not_numbers = st.one_of(st.none(), text.filter(bool), ragged, generators, numpy_generators,
                        st.lists(text.filter(bool), min_size=1, max_size=2))

not_a_number = st.one_of(not_numbers, st.booleans(), st.complex_numbers(allow_nan=False).filter(lambda z: z.imag),
                         st.lists(floats, min_size=1, max_size=3), st.builds(Value, floats), st.just(np.zeros(2)))
not_a_bool = st.one_of(st.none(), st.integers(), floats, text, st.lists(st.booleans(), max_size=2),
                       generators, numpy_generators)
not_a_string = st.one_of(st.none(), st.integers(), floats, st.lists(text, max_size=2), generators,
                         numpy_generators)
not_an_axis = st.one_of(text, floats, st.booleans(), st.lists(st.integers(0, 1), max_size=2), generators,
                        numpy_generators, st.integers().filter(lambda n: not -2 <= n < 2),
                        st.tuples(st.integers(0, 1), text), st.just((0, 0)), st.just((1, -1)))
not_a_sequence = st.one_of(st.none(), st.integers(), floats, text.filter(bool), generators,
                           numpy_generators, st.builds(Value, floats))

NET = Network.random([2, 3, 1], seed=0)
X, Y = np.zeros((2, 1)), np.zeros((1, 1))

CASES = {
    # name: (call with the bad value, words the message must contain, strategy)
    "Neuron n_inputs": (lambda v: nn.Neuron(v), "inputs", not_whole(1)),
    "Neuron rng": (lambda v: nn.Neuron(2, rng=v), "rng", not_an_rng),
    "Neuron x": (lambda v: nn.Neuron(2, rng=random.Random(0))(v), "x must be", not_a_collection),
    "Layer n_outputs": (lambda v: nn.Layer(2, v), "neurons", not_whole(1)),
    "Layer rng": (lambda v: nn.Layer(2, 2, rng=v), "rng", not_an_rng),
    "MLP n_inputs": (lambda v: nn.MLP(v, [2]), "inputs", not_whole(1)),
    "MLP layer_sizes": (lambda v: nn.MLP(2, v), "layer", not_layer_sizes),
    "MLP seed": (lambda v: nn.MLP(2, [2], seed=v), "seed", not_a_seed),
    "train model": (lambda v: nn.train(v, lambda: None, 1, progress=False), "model", not_callable),
    "train loss_function": (lambda v: nn.train(nn.MLP(1, [1]), v, 1, progress=False),
                            "loss_function", not_callable),
    "train steps": (lambda v: nn.train(nn.MLP(1, [1]), lambda: None, v, progress=False),
                    "steps", not_whole(0)),
    "architecture depth": (lambda v: naive.architecture(v, 2), "depth", not_whole(1)),
    "architecture width": (lambda v: naive.architecture(2, v), "width", not_whole(1)),
    "naive_call_count sizes": (naive.naive_call_count, "sizes", not_sizes),
    "cached_call_count sizes": (naive.cached_call_count, "sizes", not_sizes),
    "path_count sizes": (naive.path_count, "sizes", not_sizes),
    "parameter_requests sizes": (naive.parameter_requests, "sizes", not_sizes),
    "naive_gradients network": (lambda v: naive.naive_gradients(v, X, Y), "Network", not_callable),
    "naive_gradients x": (lambda v: naive.naive_gradients(NET, v, Y), "input x", not_numbers),
    "naive_gradients y": (lambda v: naive.naive_gradients(NET, X, v), "target y", not_numbers),
    "naive_gradients max_calls": (lambda v: naive.naive_gradients(NET, X, Y, max_calls=v),
                                  "max_calls", not_whole(0)),
    "cached_gradients x": (lambda v: naive.cached_gradients(NET, v, Y), "input x", not_numbers),
    "call_growth width": (lambda v: naive.call_growth(v, [1]), "width", not_whole(1)),
    "call_growth depths": (lambda v: naive.call_growth(2, v), "depth", st.one_of(
        not_a_collection, st.just([]), st.lists(st.one_of(st.none(), text, st.integers(max_value=0)),
                                                min_size=1, max_size=2))),
    "call_growth max_measured_calls": (lambda v: naive.call_growth(2, [1], v),
                                       "max_measured_calls", not_whole(0)),
    "trace_calls sizes": (lambda v: naive.trace_calls(v, [(1, 0)], False), "sizes", not_sizes),
    "trace_calls requests": (lambda v: naive.trace_calls([2, 2, 1], v, False), "request",
                             st.one_of(not_a_collection, st.lists(st.one_of(
                                 st.none(), text, st.integers(), st.tuples(st.integers(), text)),
                                 min_size=1, max_size=2))),
    "trace_calls max_calls": (lambda v: naive.trace_calls([2, 2, 1], [(1, 0)], False, v),
                              "max_calls", not_whole(0)),
    "Network W": (lambda v: Network([v], [[0.0]]), "W^(1)", not_numbers),
    "Network b": (lambda v: Network([[[1.0]]], [v]), "b^(1)", not_numbers),
    "Network W list": (lambda v: Network(v, [[0.0]]), "W", not_a_collection),
    "Network.random sizes": (Network.random, "sizes", not_sizes),
    "Network.random seed": (lambda v: Network.random([2, 1], seed=v), "seed", not_a_seed),
    "forward x": (NET.forward, "input x", not_numbers),
    "loss y": (lambda v: NET.loss(X, v), "target y", not_numbers),
    "loss record": (lambda v: NET.loss(X, Y, v), "record",
                    not_a_dict.filter(lambda v: v is not None)),
    "backward record": (lambda v: NET.backward(v, Y), "record", not_a_dict),
    "paths_to_output sizes": (lambda v: network.paths_to_output(v, 0, 0), "sizes", not_sizes),
    "paths_to_output layer": (lambda v: network.paths_to_output([2, 2], v, 0), "layer", not_whole(0)),
    "paths_to_output neuron": (lambda v: network.paths_to_output([2, 2], 0, v), "neuron", not_whole(0)),
    "relative_error analytic": (lambda v: gradcheck.relative_error(v, 1.0), "analytic", not_numbers),
    "relative_error numeric": (lambda v: gradcheck.relative_error(1.0, v), "numeric", not_numbers),
    "numerical_gradient loss": (lambda v: gradcheck.numerical_gradient(v, np.zeros(2)), "loss",
                                not_callable),
    "numerical_gradient array": (lambda v: gradcheck.numerical_gradient(lambda: 0.0, v), "array",
                                 st.one_of(not_numbers, st.lists(floats, max_size=3))),
    "numerical_gradient eps": (lambda v: gradcheck.numerical_gradient(lambda: 0.0, np.zeros(2), v),
                               "eps", st.one_of(st.none(), text, generators, numpy_generators,
                                                st.floats(max_value=0.0), st.just(float("nan")))),
    "gradient_check loss": (lambda v: gradcheck.gradient_check(v, {"a": np.zeros(2)},
                                                               {"a": np.zeros(2)}), "loss", not_callable),
    "gradient_check parameters": (lambda v: gradcheck.gradient_check(lambda: 0.0, v, {"a": np.zeros(2)}),
                                  "parameters", not_a_dict),
    "gradient_check gradients": (lambda v: gradcheck.gradient_check(lambda: 0.0, {"a": np.zeros(2)}, v),
                                 "gradients", not_a_dict),
    "gradient_check tolerance": (lambda v: gradcheck.gradient_check(
        lambda: 0.0, {"a": np.zeros(2)}, {"a": np.zeros(2)}, tolerance=v), "tolerance",
        st.one_of(st.none(), text, generators, numpy_generators, st.floats(max_value=0.0))),
    "gradient_check_network network": (lambda v: gradcheck.gradient_check_network(v, X, Y), "network",
                                       not_callable),
    "gradient_check_network x": (lambda v: gradcheck.gradient_check_network(NET, v, Y), "input x",
                                 not_numbers),
    "delta_name l": (lambda v: naive.delta_name(v, 0), "layer l", not_whole(1)),
    "delta_name j": (lambda v: naive.delta_name(1, v), "neuron index j", not_whole(0)),
    "Node data": (Node, "Node(data)", not_numbers),
    "Node label": (lambda v: Node(1.0, label=v), "label", not_a_string),
    "Node requires_grad": (lambda v: Node(1.0, requires_grad=v), "requires_grad", not_a_bool),
    "Node + other": (lambda v: Node([1.0]) + v, "other operand", not_numbers),
    "other - Node": (lambda v: v - Node([1.0]), "other operand", not_numbers),
    "Node @ other": (lambda v: Node([[1.0]]) @ v, "other operand", not_numbers),
    "Node ** exponent": (lambda v: Node([1.0]) ** v, "exponent", not_a_number),
    "base ** Node": (lambda v: v ** Node([1.0]), "base", not_a_number.filter(
        lambda v: not isinstance(v, Value))),  # Value ** Node is Value's operand error
    "Node.sum axis": (lambda v: Node(np.ones((2, 2))).sum(axis=v), "axis", not_an_axis),
    "Node.sum keepdims": (lambda v: Node(np.ones((2, 2))).sum(keepdims=v), "keepdims", not_a_bool),
    "Node.mean axis": (lambda v: Node(np.ones((2, 2))).mean(axis=v), "axis", not_an_axis),
    "Node.mean keepdims": (lambda v: Node(np.ones((2, 2))).mean(0, keepdims=v), "keepdims", not_a_bool),
    "Node.backward grad": (lambda v: (Node([1.0]) * 2).backward(v), "backward(grad)", st.one_of(
        not_numbers.filter(lambda v: v is not None), st.lists(floats, min_size=2, max_size=3))),
    "Node.grad": (lambda v: setattr(Node([1.0]), "grad", v), "Node.grad", st.one_of(
        not_numbers, st.lists(floats, min_size=2, max_size=3))),
    "Value data": (Value, "Value(data)", not_a_number.filter(lambda v: not isinstance(v, bool))),
    "Value label": (lambda v: Value(1.0, label=v), "label", not_a_string),
    "Value + other": (lambda v: Value(1.0) + v, "other operand", not_a_number.filter(
        lambda v: not isinstance(v, (bool, Value)))),
    "other - Value": (lambda v: v - Value(1.0), "other operand", not_a_number.filter(
        lambda v: not isinstance(v, (bool, Value, np.ndarray)))),  # array - Value is numpy's
    "Value * other": (lambda v: Value(1.0) * v, "other operand", not_a_number.filter(
        lambda v: not isinstance(v, (bool, Value)))),
    "Value ** exponent": (lambda v: Value(2.0) ** v, "other operand", not_a_number.filter(
        lambda v: not isinstance(v, (bool, Value)))),
    "Value.grad": (lambda v: setattr(Value(1.0), "grad", v), "Value.grad", not_a_number.filter(
        lambda v: not isinstance(v, bool))),
    "from_op data": (lambda v: Value.from_op(v, (Value(1.0),), (1.0,)), "data",
                     not_a_number.filter(lambda v: not isinstance(v, bool))),
    "from_op inputs": (lambda v: Value.from_op(1.0, v, (1.0,)), "inputs", st.one_of(
        not_a_sequence, st.lists(st.one_of(st.none(), floats, text), min_size=1, max_size=2))),
    "from_op local": (lambda v: Value.from_op(1.0, (Value(1.0),), v), "local", st.one_of(
        not_a_sequence, st.lists(st.one_of(st.none(), text, st.builds(Value, floats)), min_size=1, max_size=1))),
    "from_op op": (lambda v: Value.from_op(1.0, (Value(1.0),), (1.0,), op=v), "op", not_a_string),
}


@pytest.mark.parametrize("case", sorted(CASES))
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_a_wrong_argument_gets_an_error_naming_it(case, data):
    call, words, wrong = CASES[case]
    value = data.draw(wrong, label=case)
    with pytest.raises((TypeError, ValueError)) as raised:
        call(value)
    assert words in str(raised.value), f"{case}: {raised.value!r} does not name {words!r}"


def test_a_numpy_generator_is_not_taken_for_a_random_random():
    """The neurons draw from random.Random; a numpy Generator would silently work differently."""
    with pytest.raises(TypeError, match="rng must be a random.Random"):
        nn.Neuron(2, rng=np.random.default_rng(0))


def test_right_arguments_still_work():
    """The checks refuse only wrong kinds: the same calls with right values give results."""
    assert len(nn.MLP(2, (x for x in [3, 1]), seed=1).layers) == 2
    assert len(naive.trace_calls([2, 2, 1], ((1, j) for j in range(2)), True)) > 0
    assert network.paths_to_output([2, 2, 1], 1, np.int64(1)) == [(1, 0)]
    assert NET.loss(X, Y, NET.forward(X)) == pytest.approx(NET.loss(X, Y))
    assert gradcheck.relative_error([1.0, 2.0], [1.0, 2.5]).tolist() == pytest.approx([0.0, 0.2])
    assert naive.delta_name(np.int64(2), 0) == "delta_1^(2)"
    assert Node(1.0, requires_grad=np.bool_(False)).requires_grad is False
    assert (Node([2.0]) ** np.array(3.0)).data.tolist() == [8.0]
    assert (2 ** Node([3.0])).data.tolist() == [8.0]
    assert Node(np.ones((2, 3))).sum(axis=(np.int64(1), -2), keepdims=np.bool_(True)).data.tolist() == [[6.0]]
    assert Value.from_op(2.0, [Value(1.0)], [np.float64(2.0)], op="double").local == (2.0,)
