"""Every exercise checker: the worked solution passes, typical mistakes get the right hint,
stubs count as not attempted, and a learner's exception is reported, never raised."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from backprop_helpers import exercises as ex
from backprop_helpers.activations import sigmoid_prime

SOLUTIONS = Path(__file__).resolve().parent.parent / "notebooks" / "solutions"


def solutions(number):
    spec = importlib.util.spec_from_file_location(f"solutions_{number}", SOLUTIONS / f"solutions_{number}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_hint(exercise, answer, *fragments):
    verdict = ex.judge(exercise, answer)
    assert verdict.status == ex.WRONG, verdict
    for fragment in fragments:
        assert fragment in verdict.message, verdict.message
    return verdict


def test_checkers_print_one_line_and_return_nothing(capsys):
    assert ex.check_bp4_batch(solutions("02").bp4_batch) is None
    assert capsys.readouterr().out == "[bp4_batch] correct\n"
    ex.check_bp4_batch(lambda d, a: a @ d.T)
    out = capsys.readouterr().out
    assert out.startswith("[bp4_batch] not yet: ") and out.count("\n") == 1


def untouched_stub(delta, a_prev):
    raise NotImplementedError("your code here")


@pytest.mark.parametrize("stub", [None, ..., untouched_stub])
def test_stubs_are_not_attempted(stub):
    assert ex.judge("bp4_batch", stub).status == ex.NOT_ATTEMPTED
    assert ex.judge("delta2_by_hand", None).line() == "[delta2_by_hand] not attempted yet"


def test_a_learner_exception_is_reported_not_raised():
    def broken(delta, a_prev):
        return delta @ a_prev  # shapes don't fit
    assert_hint("bp4_batch", broken, "your code raised ValueError", "delta @ a_prev")


# --------------------------------------------------------------------------- notebook 02
def test_delta2_solution_passes_and_matches_the_package_backward():
    solution = solutions("02")
    assert ex.judge("delta2_by_hand", solution.my_delta2).passed
    net, x, y = ex.delta2_exercise_network()
    np.testing.assert_allclose(solution.my_delta2, net.gradients(x, y).delta[2])  # independent route
    assert ex.judge("delta2_by_hand", solution.my_delta2.ravel().tolist()).passed  # a flat list is fine


def test_delta2_typical_mistakes_get_their_hints():
    net, x, y = ex.delta2_exercise_network()
    r = net.forward(x)
    delta3 = (r.a[3] - y) * sigmoid_prime(r.z[3])
    right = (net.W[3].T @ delta3) * sigmoid_prime(r.z[2])
    assert_hint("delta2_by_hand", -right, "wrong sign")
    assert_hint("delta2_by_hand", net.W[3].T @ delta3, "forgot the activation derivative")
    assert_hint("delta2_by_hand", (net.W[3].T @ delta3) * sigmoid_prime(r.a[2]), "σ'(z^(2))")
    assert_hint("delta2_by_hand", (net.W[3].T @ (r.a[3] - y)) * sigmoid_prime(r.z[2]), "BP1")
    original, x0, y0 = ex.bp_walkthrough_example()
    assert_hint("delta2_by_hand", original.gradients(x0, y0).delta[2], "original network")
    assert_hint("delta2_by_hand", right.T, "shape (1, 2)")
    assert_hint("delta2_by_hand", right + 1e-3, "is off")
    assert_hint("delta2_by_hand", "0.1, 0.2", "should be numbers")


def test_bp4_batch_solution_passes_and_equals_the_network_gradient():
    solution = solutions("02")
    assert ex.judge("bp4_batch", solution.bp4_batch).passed
    net, x, y = ex.bp_walkthrough_example()
    xb = np.hstack([x, -x, 2 * x])
    yb = np.array([[1.0, 0.0, 0.5]])
    record = net.forward(xb)
    g = net.backward(record, yb)
    np.testing.assert_allclose(solution.bp4_batch(g.delta[2], record.a[1]), g.dW[2])


def test_bp4_batch_typical_mistakes_get_their_hints():
    assert_hint("bp4_batch", lambda d, a: a @ d.T, "transposed")
    assert_hint("bp4_batch", lambda d, a: d @ a.T / d.shape[1], "don't divide again")
    assert_hint("bp4_batch", lambda d, a: np.outer(d[:, 0], a[:, 0]), "first sample only")
    assert_hint("bp4_batch", lambda d, a: -(d @ a.T), "wrong sign")
    assert_hint("bp4_batch", 3.0, "pass your function itself")


def test_grader_runs_a_learners_notebook_and_reads_every_verdict(tmp_path):
    """An instructor's run: one exercise right, one wrong, one cell crashing before a check."""
    import nbformat

    from backprop_helpers.run_notebooks import grade_notebook

    notebook = nbformat.read(Path(__file__).resolve().parent.parent / "notebooks" / "02_bp1_bp4_walkthrough.ipynb",
                             as_version=4)
    for cell in notebook.cells:
        if "my_delta2 = None" in cell.source:
            cell.source = cell.source.replace("my_delta2 = None", "my_delta2 = 1 / 0")
        if 'raise NotImplementedError("your code here")' in cell.source:
            cell.source = cell.source.replace('raise NotImplementedError("your code here")',
                                              "return delta @ a_prev.T")
    path = tmp_path / "student.ipynb"
    nbformat.write(notebook, path)
    verdicts = grade_notebook(path)
    assert verdicts["bp4_batch"] == ("correct", "")
    assert verdicts["delta2_by_hand"] == ("not yet", "the check cell failed: NameError: "
                                                     "name 'my_delta2' is not defined")
