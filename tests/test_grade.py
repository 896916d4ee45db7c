"""grade-exercises: a learner's copy of each course notebook, graded in a fresh kernel."""
import inspect


from backprop_helpers.grade import grade_notebook
from exercise_support import learner_copy, solutions


def grade_copy(tmp_path, notebook_name, fills):
    """An instructor's run of ``grade-exercises`` on a learner's copy of a course notebook."""
    return grade_notebook(learner_copy(tmp_path, notebook_name, fills))


def test_grader_reads_notebook_01_with_one_answer_right_and_one_wrong(tmp_path):
    verdicts = grade_copy(tmp_path, "01_naive_recursion.ipynb", {
        "my_naive_calls = None": "my_naive_calls = 2 + 4 + 1",
        "def my_cached_delta(": inspect.getsource(solutions("01").my_cached_delta),
    })
    assert verdicts["cached_delta"] == ("correct", "")
    assert verdicts["naive_calls_by_hand"][0] == "not yet"
    assert "with a cache" in verdicts["naive_calls_by_hand"][1]


def test_grader_reads_notebook_02_with_one_answer_right_and_one_cell_crashing(tmp_path):
    verdicts = grade_copy(tmp_path, "02_bp1_bp4_walkthrough.ipynb", {
        "ex_net, ex_x, ex_y": "ex_net, ex_x, ex_y = delta2_exercise_network()\nmy_delta2 = 1 / 0",
        "def bp4_batch(": "def bp4_batch(delta, a_prev):\n    return delta @ a_prev.T\n",
    })
    assert verdicts["bp4_batch"] == ("correct", "")
    assert verdicts["delta2_by_hand"] == ("not yet", "the check cell failed: NameError: "
                                                     "name 'my_delta2' is not defined")


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
        "def value_abs(": inspect.getsource(solutions("04").value_abs),
        "def gradient_descent(": inspect.getsource(solutions("04").gradient_descent).replace("p.grad = 0.0", "pass"),
    })
    assert verdicts["value_abs"] == ("correct", "")
    assert verdicts["gradient_descent"][0] == "not yet" and "zero the gradients" in verdicts["gradient_descent"][1]
    assert verdicts["xor_recipe"] == ("not attempted yet", "")


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
    for untouched in ("batched_weight_gradient", "log_softmax_cross_entropy", "digits_recipe"):
        assert verdicts[untouched] == ("not attempted yet", "")
