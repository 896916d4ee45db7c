"""grade-exercises: a learner's copy of each course notebook, graded in a fresh kernel."""
import inspect


from backprop_helpers.grade import grade_notebook
from exercise_support import learner_copy, solutions


def grade_copy(tmp_path, notebook_name, fills):
    """An instructor's run of ``grade-exercises`` on a learner's copy of a course notebook."""
    return grade_notebook(learner_copy(tmp_path, notebook_name, fills))


def test_grader_reads_notebook_01_with_answers_right_wrong_and_untouched(tmp_path):
    verdicts = grade_copy(tmp_path, "01_naive_recursion.ipynb", {
        "naive_calls_by_hand = None": "naive_calls_by_hand = 2 + 4 + 1",
        "def bottom_up_deltas(": inspect.getsource(solutions("01").bottom_up_deltas),
    })
    assert verdicts["bottom_up_deltas"] == ("correct", "")
    assert verdicts["naive_calls_by_hand"][0] == "not yet"
    assert "with a cache" in verdicts["naive_calls_by_hand"][1]
    assert verdicts["graph_delta"][0] == "not attempted yet"


def test_grader_reads_notebook_02_with_answers_right_wrong_untouched_and_crashing(tmp_path):
    verdicts = grade_copy(tmp_path, "02_bp1_bp4_walkthrough.ipynb", {
        "ex_net, ex_x, ex_y": "ex_net, ex_x, ex_y = delta2_exercise_network()\ndelta2_by_hand = 1 / 0",
        "def bp4_batch(": "def bp4_batch(delta, a_prev):\n    return delta @ a_prev.T\n",
        "def bce_output_delta(": ("def bce_output_delta(z, y):\n"
                                  "    return (sigmoid(z) - y) * sigmoid_prime(z)\n"),
        "def backprop_tanh(": inspect.getsource(solutions("02").backprop_tanh),
    })
    assert verdicts["bp4_batch"] == ("correct", "")
    assert verdicts["backprop_tanh"] == ("correct", "")
    assert verdicts["delta2_by_hand"] == ("not yet", "the check cell failed: NameError: "
                                                     "name 'delta2_by_hand' is not defined")
    assert verdicts["bce_output_delta"][0] == "not yet"
    assert "half squared error" in verdicts["bce_output_delta"][1]
    assert verdicts["input_gradient"] == ("not attempted yet", "")


def test_grader_reads_notebook_03_with_answers_right_wrong_and_untouched(tmp_path):
    verdicts = grade_copy(tmp_path, "03_softmax_relu.ipynb", {
        "def my_softmax_jacobian(": inspect.getsource(solutions("03").my_softmax_jacobian),
        "def batch_cross_entropy_gradient(": ("def batch_cross_entropy_gradient(Z, Y):\n"
                                              "    e = np.exp(Z - Z.max(axis=0))\n"
                                              "    return e / e.sum(axis=0) - Y\n"),
    })
    assert verdicts["softmax_jacobian"] == ("correct", "")
    assert verdicts["batch_cross_entropy_gradient"][0] == "not yet"
    assert "divide by m" in verdicts["batch_cross_entropy_gradient"][1]
    assert verdicts["batch_cross_entropy"] == ("not attempted yet", "")


def test_grader_reads_notebook_04_with_answers_right_wrong_and_untouched(tmp_path):
    verdicts = grade_copy(tmp_path, "04_scalar_autograd.ipynb", {
        "accumulation_prediction = None": "accumulation_prediction = (24.0, -36.0, -12.0)",
        "def divide(": inspect.getsource(solutions("04").divide),
    })
    assert verdicts["divide"] == ("correct", "")
    assert verdicts["accumulation_prediction"][0] == "not yet"
    assert "leaves accumulate" in verdicts["accumulation_prediction"][1]
    assert verdicts["accumulated_step"] == verdicts["backward_by_counting"] == ("not attempted yet", "")


def test_grader_reads_notebook_05_with_answers_right_wrong_and_untouched(tmp_path):
    verdicts = grade_copy(tmp_path, "05_tensor_autograd.ipynb", {
        "def mean_backward(": inspect.getsource(solutions("05").mean_backward),
        "def max_backward(": ("def max_backward(g, x, axis=None, keepdims=False):\n"
                              "    if axis is not None and not keepdims:\n"
                              "        g = np.expand_dims(g, axis)\n"
                              "    return np.broadcast_to(g, x.shape).copy()\n"),
    })
    assert verdicts["mean_backward"] == ("correct", "")
    assert verdicts["max_backward"][0] == "not yet" and "others get 0" in verdicts["max_backward"][1]
    assert verdicts["softmax_on_node"] == ("not attempted yet", "")
