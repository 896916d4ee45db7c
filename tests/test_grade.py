"""grade-exercises: a learner's copy of each course notebook graded in a fresh kernel, and a
batch of bad, hostile and hanging submissions that never stops the grading or fools it."""
import base64
import csv
import inspect
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from backprop_helpers import exercises as ex
from backprop_helpers import grade
from backprop_helpers.grade import grade_notebook
from exercise_support import learner_copy, solutions

#: notebook 02's exercises, in the order the grader lists them


def grade_copy(tmp_path, notebook_name, fills):
    """An instructor's run of ``grade-exercises`` on a learner's copy of a course notebook:
    every exercise of that notebook listed, with its (status, message)."""
    result = grade_notebook(learner_copy(tmp_path, notebook_name, fills))
    assert result.problem is None, result.problem
    assert list(result.verdicts) == grade.expected_exercises(notebook_name[:2])
    return result.verdicts


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
    assert verdicts["delta2_by_hand"] == ("error", "the check cell failed: NameError: "
                                                   "name 'delta2_by_hand' is not defined")
    assert verdicts["bce_output_delta"][0] == "not yet"
    assert "half squared error" in verdicts["bce_output_delta"][1]
    assert verdicts["input_gradient"] == ("not attempted yet", "")


def test_grader_reads_notebook_03_with_answers_right_wrong_and_untouched(tmp_path):
    verdicts = grade_copy(tmp_path, "03_softmax_relu.ipynb", {
        "def softmax_jacobian(": inspect.getsource(solutions("03").softmax_jacobian),
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
    for untouched in ("batched_weight_gradient", "log_softmax_cross_entropy", "digits_recipe"):
        assert verdicts[untouched] == ("not attempted yet", "")


def write_notebook(path, *cells):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, path)
    return path


IMPORTS = "import contextlib, io\nfrom backprop_helpers.exercises import check_bp4_batch, check_delta2_by_hand"
RIGHT = "check_bp4_batch(lambda delta, a_prev: delta @ a_prev.T)"


def test_a_batch_of_bad_and_hostile_submissions_is_graded_to_the_end_and_never_written(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    write_notebook(folder / "02_cheat.ipynb", IMPORTS,
                   "def bp4_batch(delta, a_prev):\n    return 0 * delta",
                   "with contextlib.redirect_stdout(io.StringIO()):  # the verdict still counts\n"
                   "    check_bp4_batch(bp4_batch)",
                   "print('[bp4_batch] correct')\nfor i in range(20):\n    print(f'[bonus_{i}] correct')",
                   "def check_delta2_by_hand(answer):\n    print('[delta2_by_hand] correct')\n"
                   "check_delta2_by_hand(None)",
                   "from IPython.display import display\n"
                   f"display({{{ex.core.VERDICT_MIME!r}: {{'exercise': 'delta2_by_hand', 'status': 'correct', "
                   "'message': '', 'nonce': 'a guess'}}, raw=True)",
                   "open('02_cheat.ipynb', 'w').write('overwritten')\n"
                   "open('02_dead.ipynb', 'w').write('overwritten')")
    write_notebook(folder / "02_dead.ipynb", IMPORTS, RIGHT, "import os\nos._exit(1)",
                   "check_delta2_by_hand(None)")
    write_notebook(folder / "02_hang.ipynb", IMPORTS, "while True:\n    pass", RIGHT,
                   "import time\nfor _ in range(30):\n    time.sleep(0.5)", "time.sleep(30)",
                   "check_delta2_by_hand(None)")
    (folder / "02_not_json.ipynb").write_text("{not json")
    (folder / "02_empty.ipynb").write_text("")
    before = {path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in folder.iterdir()}
    names = ["02_missing.ipynb", "02_not_json.ipynb", "02_empty.ipynb", "02_dead.ipynb",
             "02_hang.ipynb", "02_cheat.ipynb"]
    report, table = tmp_path / "grades.json", tmp_path / "grades.csv"
    status = grade.main(["--cell-timeout", "4", "--notebook-timeout", "12", "--json", str(report),
                         "--csv", str(table), *[str(folder / name) for name in names]])
    assert status == 1                                      # some submissions could not be read
    after = {path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in folder.iterdir()}
    assert after == before                                  # nothing written, not even by the learners
    results = {os.path.basename(r["notebook"]): r for r in json.loads(report.read_text())}
    assert list(results) == names                           # each reported, in order
    verdicts = {name: {v["exercise"]: (v["status"], v["message"]) for v in r["verdicts"]}
                for name, r in results.items()}
    for name in names[:3]:
        assert results[name]["problem"].startswith("could not read the notebook")
        assert verdicts[name] == {exercise: ("missing", "no check of it ran")
                                  for exercise in grade.expected_exercises("02")}
    assert "kernel died in cell 3" in results["02_dead.ipynb"]["problem"]
    assert verdicts["02_dead.ipynb"]["bp4_batch"] == ("correct", "")
    assert verdicts["02_dead.ipynb"]["delta2_by_hand"][0] == "error"
    hang = results["02_hang.ipynb"]
    assert "cell 2 ran past the time limit and was interrupted" in hang["problem"]
    assert "the notebook's time limit was reached" in hang["problem"]
    assert verdicts["02_hang.ipynb"]["bp4_batch"] == ("correct", "")  # graded after the interrupted cell
    assert verdicts["02_hang.ipynb"]["delta2_by_hand"][0] == "timed out"
    cheat = verdicts["02_cheat.ipynb"]
    assert list(cheat) == grade.expected_exercises("02")    # invented exercises are not listed
    assert cheat["bp4_batch"][0] == "not yet"               # printing "correct" forges nothing
    assert cheat["delta2_by_hand"][0] == "missing" and "redefined" in cheat["delta2_by_hand"][1]
    assert results["02_cheat.ipynb"]["correct"] == 0 and results["02_cheat.ipynb"]["problem"] is None
    rows = list(csv.DictReader(table.open()))
    assert {(os.path.basename(r["notebook"]), r["exercise"], r["status"]) for r in rows} >= {
        ("02_cheat.ipynb", "bp4_batch", "not yet"), ("02_dead.ipynb", "bp4_batch", "correct")}


def test_a_kernel_that_ignores_interrupts_is_stopped(tmp_path, capsys):
    path = write_notebook(tmp_path / "stubborn-02.ipynb",
                          "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
                          IMPORTS + "\n" + RIGHT)
    result = grade_notebook(path, cell_timeout=2, notebook_timeout=30)
    assert "did not stop when interrupted" in result.problem and result.seconds < 25
    assert {status for status, _ in result.verdicts.values()} == {"timed out"}


def test_which_course_notebook_a_submission_answers():
    assert grade.course_notebook_of("alice/03_softmax_relu.ipynb") == "03"
    assert grade.course_notebook_of("bob-05.ipynb") == "05"
    assert grade.course_notebook_of("work.ipynb", "check_divide(divide)") == "04"
    assert grade.course_notebook_of("2024_work.ipynb") is None
    # what the cells answer wins over the name; a tie goes to the checker called first
    assert grade.course_notebook_of("team05_nb02.ipynb", "check_bp4_batch(f)") == "02"
    assert grade.notebook_called("check_divide(d)\ncheck_bp4_batch(f)") == "04"
    assert grade.notebook_called("check_bp4_batch(f)\ncheck_divide(d)") == "02"
    assert grade.notebook_called("check_divide(d)\ncheck_bp4_batch(f)\ncheck_input_gradient(g)") == "02"


def test_a_misnamed_submission_is_graded_by_what_it_answers_and_says_so(tmp_path, capsys):
    # named like notebook 05, answers notebook 02, and also runs a checker of notebook 04
    path = write_notebook(tmp_path / "team05_nb02.ipynb", IMPORTS, RIGHT,
                          "from backprop_helpers.exercises import check_divide\n"
                          "check_divide(lambda a, b: a)")
    result = grade_notebook(path)
    assert result.notebook == "02" and result.problem is None
    assert list(result.verdicts) == grade.expected_exercises("02")
    assert result.verdicts["bp4_batch"] == ("correct", "")
    assert "name says notebook 05" in result.note and "answer notebook 02" in result.note
    assert "other notebooks, not counted here: divide (not yet)" in result.note
    grade._print_table(result, __import__("sys").stdout)
    assert "NOTE: its name says notebook 05" in capsys.readouterr().out


def test_a_notebook_given_against_what_the_cells_answer_is_a_problem(tmp_path, monkeypatch):
    monkeypatch.setattr(grade, "_run", lambda *args: None)  # the decision is made before the run
    path = write_notebook(tmp_path / "alice.ipynb", IMPORTS, RIGHT)
    result = grade_notebook(path, notebook="03")
    assert result.notebook == "03"
    assert result.problem == "graded as notebook 03 (--notebook), but its check cells answer notebook 02"
    assert grade_notebook(path, notebook="02").problem is None
    assert grade_notebook(write_notebook(tmp_path / "02_empty.ipynb", "x = 1")).note is None


def fake_results(monkeypatch, statuses_by_path):
    """grade_notebook replaced by one returning the given statuses (no kernel started)."""
    def fake(path, *args):
        result = grade.Result(path, "02")
        result.verdicts = {f"exercise_{i}": (status, "") for i, status in enumerate(statuses_by_path[path])}
        if not statuses_by_path[path]:
            result.problem = "could not read the notebook: JSONDecodeError"
        return result
    monkeypatch.setattr(grade, "grade_notebook", fake)


def test_the_exit_status_is_1_unless_every_exercise_is_correct(monkeypatch, capsys):
    fake_results(monkeypatch, {"a.ipynb": ["correct", "correct"], "b.ipynb": ["correct", "not yet"],
                               "c.ipynb": ["timed out"], "d.ipynb": []})
    assert grade.main(["a.ipynb"]) == 0
    for wrong in ("b.ipynb", "c.ipynb", "d.ipynb"):
        assert grade.main(["a.ipynb", wrong]) == 1
    assert grade.main(["--exit-zero", "a.ipynb", "b.ipynb", "c.ipynb"]) == 0
    assert grade.main(["--exit-zero", "a.ipynb", "d.ipynb"]) == 1  # a file that cannot be read


def test_the_command_refuses_bad_options(capsys):
    for options in (["--notebook", "07"], ["--cell-timeout", "0"], ["--notebook-timeout", "-1"],
                    ["-j", "0"], ["--gradescope-autograder", "a.zip"], ["--gradescope-visibility", "public"]):
        with pytest.raises(SystemExit) as stop:
            grade.main([*options, "x.ipynb"])
        assert stop.value.code == 2
    with pytest.raises(SystemExit) as stop:
        grade.main([])
    assert stop.value.code == 2
    errors = capsys.readouterr().err
    assert "--jobs should be at least 1, got 0" in errors and "give it without notebooks" in errors
    assert "give the notebooks to grade" in errors


def test_a_kernel_without_the_checkers_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(grade, "CHECKERS", "no_such_package.core")
    result = grade_notebook(write_notebook(tmp_path / "02.ipynb", IMPORTS, RIGHT))
    assert "cannot use the course's checkers" in result.problem and "ModuleNotFoundError" in result.problem
    assert {status for status, _ in result.verdicts.values()} == {"error"}


def test_the_progress_bar_counts_the_submissions_done(monkeypatch, capsys):
    fake_results(monkeypatch, {f"{i}.ipynb": ["correct"] for i in range(5)})
    bars = []

    class Bar:  # what tqdm is asked for, recorded
        def __init__(self, **options):
            self.options, self.done = options, 0
            bars.append(self)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n=1):
            self.done += n

        write = staticmethod(lambda text, file: print(text, file=file))

    monkeypatch.setattr(grade, "tqdm", Bar)
    assert grade.main(["-j", "2", *[f"{i}.ipynb" for i in range(5)]]) == 0
    assert len(bars) == 1 and bars[0].options["total"] == 5 and bars[0].done == 5
    assert bars[0].options["disable"] is None       # shown on a terminal, not in a log
    out = capsys.readouterr().out
    assert [out.index(f"{i}.ipynb") for i in range(5)] == sorted(out.index(f"{i}.ipynb") for i in range(5))


WRONG_ANSWER = "check_bp4_batch(lambda delta, a_prev: delta @ a_prev)"


def test_parallel_grading_keeps_the_order_and_gives_the_same_grades(tmp_path, capsys):
    names = ["02_right.ipynb", "02_wrong.ipynb", "02_raises.ipynb", "02_dies.ipynb"]
    write_notebook(tmp_path / names[0], IMPORTS, RIGHT)
    write_notebook(tmp_path / names[1], IMPORTS, WRONG_ANSWER)
    write_notebook(tmp_path / names[2], IMPORTS, "check_delta2_by_hand(1 / 0)", RIGHT)
    write_notebook(tmp_path / names[3], IMPORTS, "import os\nos._exit(3)", RIGHT)
    graded = {}
    for jobs in ("1", "2"):
        report = tmp_path / f"grades-{jobs}.json"
        assert grade.main(["-j", jobs, "--json", str(report), *[str(tmp_path / n) for n in names]]) == 1
        out = capsys.readouterr().out
        assert [out.index(name) for name in names] == sorted(out.index(name) for name in names)
        graded[jobs] = [{k: v for k, v in r.items() if k not in ("seconds", "seed")} for r in json.loads(report.read_text())]
    assert [os.path.basename(r["notebook"]) for r in graded["1"]] == names
    assert graded["1"] == graded["2"]
    by_name = {os.path.basename(r["notebook"]): {v["exercise"]: v["status"] for v in r["verdicts"]}
               for r in graded["2"]}
    assert [by_name[n]["bp4_batch"] for n in names] == ["correct", "not yet", "correct", "error"]
    assert by_name["02_raises.ipynb"]["delta2_by_hand"] == "error"


def test_a_hanging_flooding_submission_does_not_hold_up_the_others(tmp_path):
    bad = write_notebook(tmp_path / "02_bad.ipynb", IMPORTS,
                         "while True:\n    print('x' * 100_000)",   # floods until interrupted
                         "while True:\n    pass", RIGHT)             # then hangs
    right = [write_notebook(tmp_path / f"02_right_{i}.ipynb", IMPORTS, RIGHT) for i in range(2)]
    start = __import__("time").monotonic()
    results = list(grade.grade_all([bad, *right], cell_timeout=4, notebook_timeout=20, jobs=2))
    wall = __import__("time").monotonic() - start
    assert [r.path for r in results] == [str(p) for p in [bad, *right]]
    assert "cell 2 ran past the time limit" in results[0].problem
    assert "cell 3 ran past the time limit" in results[0].problem
    assert results[0].verdicts["bp4_batch"] == ("correct", "")  # graded after both
    assert all(r.verdicts["bp4_batch"] == ("correct", "") and r.problem is None for r in results[1:])
    # the two others were graded one after the other beside the bad one, not after it
    assert wall < results[0].seconds + min(r.seconds for r in results[1:]), (
        wall, [r.seconds for r in results])


# Gradescope's results.json, as its autograder specification documents it
# (gradescope-autograders.readthedocs.io/en/latest/specs/): the fields, their types, the values.
GRADESCOPE_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
GRADESCOPE_FORMATS = {"text", "html", "simple_format", "md", "ansi"}
GRADESCOPE_TOP = {"score": float, "execution_time": (int, float), "output": str, "output_format": str,
                  "test_output_format": str, "test_name_format": str, "visibility": str,
                  "stdout_visibility": str, "extra_data": dict, "tests": list, "leaderboard": list}
GRADESCOPE_TEST = {"score": float, "max_score": float, "status": str, "name": str, "name_format": str,
                   "number": str, "output": str, "output_format": str, "tags": list, "visibility": str,
                   "extra_data": dict}


def assert_gradescope_results(document):
    """``document`` is a valid results.json; returns its tests."""
    def fields(item, spec, where):
        assert isinstance(item, dict), where
        assert set(item) <= set(spec), f"{where}: fields Gradescope does not know: {set(item) - set(spec)}"
        for key, value in item.items():
            kinds = spec[key] if isinstance(spec[key], tuple) else (spec[key],)
            if float in kinds:
                kinds += (int,)
            assert isinstance(value, kinds) and not isinstance(value, bool), f"{where}.{key}: {value!r}"
        for key in ("visibility", "stdout_visibility"):
            assert item.get(key, "visible") in GRADESCOPE_VISIBILITY, f"{where}.{key}"
        for key in ("output_format", "name_format", "test_output_format", "test_name_format"):
            assert item.get(key, "text") in GRADESCOPE_FORMATS, f"{where}.{key}"
    fields(document, GRADESCOPE_TOP, "results")
    tests = document.get("tests", [])
    for i, test in enumerate(tests):
        fields(test, GRADESCOPE_TEST, f"tests[{i}]")
        assert test.get("status", "passed") in {"passed", "failed"}
        assert all(isinstance(tag, str) for tag in test.get("tags", []))
        # the score is on every test or on the whole
        assert "score" in test or "score" in document
        if "max_score" in test:
            assert 0 <= test["score"] <= test["max_score"]
    assert "score" in document or tests, "a result needs a score: on the whole or on its tests"
    json.dumps(document, allow_nan=False)
    return tests


def graded_dicts():
    """Three graded submissions as plain data: one with a NOTE, one that could not be read."""
    first = grade.Result("subs/team05_nb02.ipynb", "02")
    first.verdicts = {"bp4_batch": ("correct", ""), "delta2_by_hand": ("not yet", "wrong sign"),
                      "input_gradient": ("missing", "no check of it ran")}
    first.note, first.seconds = "its name says notebook 05, but its check cells answer notebook 02", 2.04
    second = grade.Result("subs/bob_03.ipynb", "03")
    second.verdicts = {name: ("correct", "") for name in grade.expected_exercises("03")}
    unread = grade.Result("subs/empty.ipynb")
    unread.problem = "could not read the notebook: JSONDecodeError: Expecting value"
    return [r.as_dict() for r in (first, second, unread)]


def test_the_gradescope_results_follow_the_documented_format():
    document = grade.grade_export.gradescope_results(graded_dicts(), visibility="after_published")
    tests = assert_gradescope_results(document)
    assert len(tests) == 3 + len(grade.expected_exercises("03"))
    assert tests[0] == {"name": "notebook 02: bp4_batch", "score": 1.0, "max_score": 1.0, "status": "passed",
                        "output": "correct", "visibility": "after_published"}
    assert tests[1]["output"] == "not yet: wrong sign" and tests[1]["score"] == 0.0
    assert sum(t["score"] for t in tests) == 1 + len(grade.expected_exercises("03"))
    assert "team05_nb02.ipynb: NOTE: its name says notebook 05" in document["output"]
    assert "empty.ipynb: PROBLEM: could not read the notebook" in document["output"]
    nothing = grade.grade_export.gradescope_results(graded_dicts()[2:])
    assert assert_gradescope_results(nothing) == [] and nothing["score"] == 0.0
    with pytest.raises(ValueError, match="visibility should be one of"):
        grade.grade_export.gradescope_results([], visibility="public")
    for broken in ({"tests": [{"score": 1.0, "max_score": 1.0, "status": "ok"}]},
                   {"tests": [{"score": "1", "max_score": 1.0}]}, {"tests": []},
                   {"tests": [{"max_score": 1.0}]}, {"score": 1.0, "visibility": "public"}):
        with pytest.raises(AssertionError):  # the schema check itself catches what it should
            assert_gradescope_results(broken)


def test_the_classroom_results_are_what_its_reporter_adds_up():
    document = grade.grade_export.classroom_results(graded_dicts())
    # the reporter (autograding-grading-reporter) decodes base64 JSON, sums tests[].score
    # against max_score, and fails the run when the status is "fail"
    decoded = json.loads(base64.b64decode(base64.b64encode(json.dumps(document).encode())))
    assert decoded["version"] == 1 and decoded["status"] == "fail"
    assert decoded["max_score"] == len(decoded["tests"]) == 3 + len(grade.expected_exercises("03")) + 1
    assert sum(t["score"] for t in decoded["tests"]) == 1 + len(grade.expected_exercises("03"))
    assert {t["status"] for t in decoded["tests"]} == {"pass", "fail"}
    assert decoded["tests"][1]["message"] == "not yet: wrong sign"
    assert decoded["tests"][-1]["name"] == "empty.ipynb" and "could not read" in decoded["tests"][-1]["message"]
    passing = grade.grade_export.classroom_results(graded_dicts()[1:2])
    assert passing["status"] == "pass" and passing["max_score"] == sum(t["score"] for t in passing["tests"])


def test_the_gradescope_autograder_grades_a_right_and_a_wrong_submission(tmp_path, capsys):
    archive = tmp_path / "autograder.zip"
    assert grade.main(["--gradescope-autograder", str(archive), "--cell-timeout", "20",
                       "--gradescope-visibility", "after_due_date"]) == 0
    assert "wrote" in capsys.readouterr().out
    with zipfile.ZipFile(archive) as files:
        assert sorted(files.namelist()) == ["run_autograder", "setup.sh"]  # at the zip's root
        assert all(info.external_attr >> 16 & 0o111 for info in files.infolist())
        setup = files.read("setup.sh").decode()
        # laid out as Gradescope does: the zip in source/, run_autograder beside it
        root = tmp_path / "autograder"
        files.extractall(root / "source")
        (root / "run_autograder").write_bytes(files.read("run_autograder"))
    assert "backprop-helpers @ git+https://github.com/backprop-course/backprop-course@v0.1.0" in setup
    for script in ("source/setup.sh", "run_autograder"):
        assert subprocess.run(["bash", "-n", str(root / script)]).returncode == 0
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_BIN": os.path.dirname(sys.executable)}
    graded = {}
    for kind, answer in (("right", RIGHT), ("wrong", WRONG_ANSWER), ("empty", None)):
        shutil.rmtree(root / "submission", ignore_errors=True)
        shutil.rmtree(root / "results", ignore_errors=True)
        (root / "submission").mkdir()
        if answer:
            write_notebook(root / "submission" / "my_work.ipynb", IMPORTS, answer)
        run = subprocess.run(["bash", str(root / "run_autograder")], env=env, cwd=root,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        document = json.loads((root / "results" / "results.json").read_text())
        graded[kind] = assert_gradescope_results(document), document
        assert {document["visibility"], *(t["visibility"] for t in document["tests"])} == {"after_due_date"}
    tests = {t["name"]: t for t in graded["right"][0]}
    assert [t["name"] for t in graded["right"][0]] == [f"notebook 02: {name}" for name in grade.expected_exercises("02")]
    assert tests["notebook 02: bp4_batch"]["score"] == 1.0 and tests["notebook 02: bp4_batch"]["status"] == "passed"
    assert sum(t["score"] for t in graded["right"][0]) == 1.0   # the other four were not answered
    wrong = {t["name"]: t for t in graded["wrong"][0]}["notebook 02: bp4_batch"]
    assert wrong["score"] == 0.0 and wrong["output"].startswith("not yet: ") and "your code raised ValueError" in wrong["output"]
    assert graded["empty"][1]["score"] == 0.0 and "no notebook was graded" in graded["empty"][1]["output"]


CLASSROOM = Path(__file__).resolve().parent.parent / "classroom" / ".github" / "workflows" / "classroom.yml"


def workflow_step_script(path, step_id):
    """The ``run: |`` script of the step with ``id: step_id`` in a workflow file."""
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == f"id: {step_id}")
    run = next(i for i in range(start, len(lines)) if lines[i].strip() == "run: |")
    indent = len(lines[run]) - len(lines[run].lstrip()) + 2
    body = []
    for line in lines[run + 1:]:
        if line.strip() and len(line) - len(line.lstrip()) < indent:
            break
        body.append(line[indent:])
    return "\n".join(body)


def test_the_classroom_workflow_grades_the_pushed_notebooks_into_points(tmp_path):
    text = CLASSROOM.read_text()
    assert "classroom-resources/autograding-grading-reporter@v1" in text
    assert 'NOTEBOOKS_RESULTS: "${{ steps.notebooks.outputs.result }}"' in text and "runners: notebooks" in text
    assert "git+https://github.com/backprop-course/backprop-course@v0.1.0" in text
    repository = tmp_path / "learner"
    (repository / "notebooks").mkdir(parents=True)
    write_notebook(repository / "notebooks" / "02_bp1_bp4_walkthrough.ipynb", IMPORTS, RIGHT)
    output = tmp_path / "github_output"
    env = {**os.environ, "GITHUB_OUTPUT": str(output), "NOTEBOOKS": "*.ipynb notebooks/*.ipynb",
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    step = subprocess.run(["bash", "-e", "-c", workflow_step_script(CLASSROOM, "notebooks")], cwd=repository,
                          env=env, capture_output=True, text=True, timeout=120)
    assert step.returncode == 0, step.stderr
    key, _, value = output.read_text().strip().partition("=")
    results = json.loads(base64.b64decode(value))
    assert key == "result" and results["max_score"] == len(grade.expected_exercises("02"))
    assert [t["score"] for t in results["tests"]] == [name == "bp4_batch" for name in grade.expected_exercises("02")]
    assert results["status"] == "fail"   # four exercises not answered: the reporter fails the run
