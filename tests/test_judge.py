"""The judge: verdicts decided in the grader's process, from an answer's results on fresh inputs.

The first tests run the judge's kernel-side driver in this process (fast); the attack tests
grade two small hostile submissions in real kernels, each attack on its own exercise, and
check that every exercise gets the grade of its real answer."""
import inspect
import json
import os
import signal
import sys
import time

import nbformat
import numpy as np
import pytest

from backprop_helpers import grade, judge
from backprop_helpers.exercises import CORRECT, NOT_ATTEMPTED, REGISTRY, WRONG, core
from backprop_helpers.exercises import judge as checker_verdict
from backprop_helpers.exercises.nb02_bp import tanh_exercise_cases
from exercise_support import solutions

NOTEBOOK_OF = {name: entry.notebook for name, entry in REGISTRY.items()}


def local_verdict(name, answer, seed=0):
    """The judge's Verdict on ``answer``, its driver run in this process instead of a kernel."""
    spec = judge.SPECS[name]

    def call(cases, guarded):
        text = judge._drive({name: answer}, name, name, json.dumps(judge.encode(cases or [])), guarded)
        return judge.decode(json.loads(text))
    return judge.judge_answer(spec, call, np.random.default_rng(seed))


def test_every_exercise_has_a_spec():
    assert [name for name in REGISTRY if name not in judge.SPECS] == [], \
        "add a Spec to backprop_helpers/judge.py SPECS for each of these exercises"
    assert [name for name in judge.SPECS if name not in REGISTRY] == []


@pytest.mark.parametrize("name", list(judge.SPECS))
def test_the_worked_solution_is_correct_and_the_stub_not_attempted(name):
    worked = getattr(solutions(NOTEBOOK_OF[name]), name)
    assert local_verdict(name, worked) == (name, CORRECT, "")
    assert local_verdict(name, None).status == NOT_ATTEMPTED
    if judge.SPECS[name].cases is not None:
        def stub(*args):
            raise NotImplementedError("your code here")
        assert local_verdict(name, stub).status == NOT_ATTEMPTED


def test_what_the_checkers_refuse_the_judge_switches_off():
    for name, entry in REGISTRY.items():
        assert {r for r in entry.references if not isinstance(r, str)} <= set(judge.forbidden(judge.SPECS[name])), name
    for function in {f for spec in judge.SPECS.values() for f in judge.forbidden(spec)}:
        assert function.__code__.co_freevars == (), function   # so its code can be swapped


def test_the_inputs_are_fresh_for_every_seed_and_the_same_for_a_logged_one():
    for name, spec in judge.SPECS.items():
        if spec.cases is None:
            continue
        draw = [json.dumps(judge.encode(spec.cases(np.random.default_rng(seed)))) for seed in (1, 1, 2)]
        assert draw[0] == draw[1] and draw[0] != draw[2], name


@pytest.mark.parametrize("name, answer", [
    ("softmax_jacobian", "softmax_jacobian"),
    ("softmax_jacobian", "lambda z: act.softmax_jacobian(z)"),
    ("batch_cross_entropy", "functools.partial(cross_entropy)"),
    ("batch_cross_entropy_gradient", "cross_entropy_gradient"),
    ("mean_backward", "lambda g, shape, axis=None, keepdims=False: "
                      "(lambda x: (x.mean(axis=axis, keepdims=keepdims).backward(g), x.grad)[1])"
                      "(Node(np.zeros(shape)))"),
    ("backward_by_counting", "lambda root: root.backward()"),
    ("backprop_tanh", "lambda W, b, x, y: (lambda r: (r.dW, r.db))(Network(W, b, 'tanh').gradients(x, y))"),
])
def test_the_package_own_answer_is_refused_however_it_is_called(name, answer):
    namespace = {}
    exec("import functools\nimport numpy as np\nfrom backprop_helpers import activations as act\n"
         "from backprop_helpers.activations import softmax_jacobian\n"
         "from backprop_helpers.losses import cross_entropy, cross_entropy_gradient\n"
         "from backprop_helpers.network import Network\nfrom backprop_helpers.tensor import Node", namespace)
    verdict = local_verdict(name, eval(answer, namespace))
    assert verdict.status == WRONG and "switched off" in verdict.message, verdict


def test_stored_expected_values_pass_the_notebook_checker_but_not_the_judge():
    from backprop_helpers.network import Network
    stored = {x.tobytes(): (lambda r: (r.dW, r.db))(Network(W, b, "tanh").gradients(x, y))
              for W, b, x, y in tanh_exercise_cases()}

    def backprop_tanh(W, b, x, y):
        return stored.get(x.tobytes(), ({l: 0 * w for l, w in W.items()}, {l: 0 * v for l, v in b.items()}))
    assert checker_verdict("backprop_tanh", backprop_tanh).status == CORRECT  # its inputs are fixed
    assert local_verdict("backprop_tanh", backprop_tanh).status == WRONG


def test_wrong_answers_get_the_judge_reason():
    verdict = local_verdict("bp4_batch", lambda delta, a_prev: delta @ a_prev.T / delta.shape[1])
    assert verdict.status == WRONG and "is wrong" in verdict.message
    verdict = local_verdict("bp4_batch", lambda delta, a_prev: delta)
    assert verdict.status == WRONG and "has shape" in verdict.message
    verdict = local_verdict("softmax_vjp", lambda a, g: (np.diag(a) - np.outer(a, a)) @ g)
    assert verdict.status == WRONG and "MemoryError" in verdict.message   # J at n = 100,000: 80 GB
    verdict = local_verdict("input_gradient", solutions("02").input_gradient)
    assert verdict.status == CORRECT
    assert local_verdict("naive_calls_by_hand", 7) == checker_verdict("naive_calls_by_hand", 7)


def test_the_kernel_reply_is_read_strictly():
    assert judge.decode(judge.encode({(1, 2): np.eye(2), "k": (1, None)}))[(1, 2)].shape == (2, 2)
    for forged in ({"array": [1, 2], "shape": [3], "kind": "f"}, {"array": ["1"], "shape": [1], "kind": "f"},
                   {"array": [1], "shape": [1], "kind": "O"}, {"py/object": "os.system"},
                   {"dict": [[1]]}, {"array": [True], "shape": [1], "kind": "f"}):
        with pytest.raises(ValueError):
            judge.decode(forged)


def test_the_answer_is_found_by_its_name_or_as_the_argument_of_a_check_that_ran():
    def cells(*sources, ran=True):
        return [nbformat.v4.new_code_cell(s, execution_count=1 if ran else None) for s in sources]
    assert judge.answer_expression("bp4_batch", cells("%matplotlib inline\ndef bp4_batch(d, a):\n    pass",
                                                      "check_bp4_batch(bp4_batch)")) == "bp4_batch"
    assert judge.answer_expression("bp4_batch", cells("check_bp4_batch(lambda d, a: d @ a.T)")) == \
        "lambda d, a: d @ a.T"
    assert judge.answer_expression("bp4_batch", cells("check_bp4_batch(lambda d, a: d)", ran=False)) == "bp4_batch"
    assert judge.answer_expression("delta2_by_hand", cells("def check_delta2_by_hand(a):\n    pass",
                                                           "check_delta2_by_hand(None)")) == "delta2_by_hand"


def test_the_judge_overrules_every_verdict_the_run_read_but_keeps_its_failures():
    V = judge.Verdict
    verdicts = {"a": ("correct", "forged"), "b": ("error", "the check cell failed"),
                "c": ("timed out", "not checked"), "d": ("missing", "no check of it ran"), "e": ("missing", "")}
    grade_of = {"a": V("a", WRONG, "wrong"), "b": V("b", WRONG, "x"), "c": V("c", CORRECT, ""),
                "d": V("d", NOT_ATTEMPTED, ""), "e": V("e", judge.MISSING, "the notebook defines no e")}
    judge.overrule(verdicts, grade_of)
    assert verdicts == {"a": (WRONG, "wrong"), "b": ("error", "the check cell failed"), "c": (CORRECT, ""),
                        "d": (NOT_ATTEMPTED, ""), "e": ("missing", "")}


# --------------------------------------------------------------------------- attacks, in kernels
def notebook(path, *cells):
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(book, path)
    return path


FORGER = [
    "import builtins, json, sys\nimport numpy as np\nfrom IPython.display import display\n"
    "from backprop_helpers.exercises import *\nfrom backprop_helpers.exercises import core\n"
    "from backprop_helpers.network import Network",
    # reads the grader's secret, and publishes 'correct' for every exercise with it
    "delta2_by_hand = np.zeros((2, 1))\nnonce = core._grading['nonce']\n"
    "for name in ['delta2_by_hand', 'bp4_batch', 'input_gradient', 'bce_output_delta', 'backprop_tanh']:\n"
    f"    display({{{core.VERDICT_MIME!r}: {{'exercise': name, 'status': 'correct', 'message': '', "
    "'nonce': nonce}}, raw=True)\ncheck_delta2_by_hand(delta2_by_hand)",
    # swaps a checker entry: the notebook's checker now passes anything
    "def bp4_batch(delta, a_prev):\n    return 0 * delta @ a_prev.T\n"
    "core.REGISTRY['bp4_batch'] = core.REGISTRY['bp4_batch']._replace(check=lambda answer: None)\n"
    "check_bp4_batch(bp4_batch)",
    # monkeypatches print and sys.stdout: everything printed says correct
    "def input_gradient(net, x, y):\n    return -net.W[1].T @ net.gradients(x, y).delta[1]\n"
    "class Always:\n    def write(self, text):\n        sys.__stdout__.write('[input_gradient] correct\\n')\n"
    "    def flush(self):\n        pass\n"
    "builtins.print = lambda *args, **kwargs: sys.__stdout__.write('[input_gradient] correct\\n')\n"
    "sys.stdout = Always()\ncheck_input_gradient(input_gradient)",
    # monkeypatches the result channel: the judge's driver in this kernel replies 'correct'
    "def bce_output_delta(z, y):\n    return z - y\n"
    "import backprop_helpers.judge as bj\ndrive = bj._drive\n"
    "bj._drive = lambda namespace, name, *args: (('correct', '') if name == 'bce_output_delta'\n"
    "                                           else drive(namespace, name, *args))\n"
    "check_bce_output_delta(bce_output_delta)",
    # returns precomputed expected values: those of the checker's own (fixed) inputs
    "from backprop_helpers.exercises.nb02_bp import tanh_exercise_cases\n"
    "stored = {x.tobytes(): (lambda r: (r.dW, r.db))(Network(W, b, 'tanh').gradients(x, y))\n"
    "          for W, b, x, y in tanh_exercise_cases()}\n"
    "def backprop_tanh(W, b, x, y):\n"
    "    return stored.get(x.tobytes(), ({l: 0 * w for l, w in W.items()}, {l: 0 * v for l, v in b.items()}))\n"
    "check_backprop_tanh(backprop_tanh)",
]

STRAY = """
import json, os, subprocess, sys
forged = json.dumps({"status": "ran", "results": [], "verdict": "correct"})
for name in ["judge-result.json", "verdicts.json", "grades.json"]:   # fake result files
    open(name, "w").write(forged)
# a process that outlives this kernel and keeps writing fake results where the grader works
stray = subprocess.Popen([sys.executable, "-c", '''
import os, sys, time, json
open(sys.argv[1], "w").write(str(os.getpid()))
for k in range(600):
    for name in ["judge-result.json", "judge-%d.json" % k]:
        try:
            open(name, "w").write(sys.argv[2])
        except OSError:   # the grader removed its folder: live on regardless
            pass
    time.sleep(0.1)
''', PID_FILE, forged], start_new_session=True, stdin=subprocess.DEVNULL)
"""


@pytest.fixture(scope="module")
def attacks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attacks")
    pid_file = folder / "stray.pid"
    paths = [
        notebook(folder / "02_forger.ipynb", *FORGER),
        notebook(folder / "03_stray.ipynb",
                 "import numpy as np\nfrom backprop_helpers.exercises import *\n"
                 "from backprop_helpers.activations import softmax, softmax_backward\n"
                 "from backprop_helpers.losses import cross_entropy, cross_entropy_gradient",
                 inspect.getsource(solutions("03").softmax_jacobian),
                 "batch_cross_entropy = cross_entropy\n"
                 "batch_cross_entropy_gradient = lambda Z, Y: cross_entropy_gradient(Z, Y)",
                 "def soft_target_gradient(z, y):\n    e = np.exp(z - z.max())\n    return e / e.sum() * np.sum(y) - y",
                 "def softmax_vjp(a, g):\n    return a * g",
                 f"PID_FILE = {str(pid_file)!r}\n" + STRAY),
        notebook(folder / "04_dies.ipynb", "from backprop_helpers.scalar import Value",
                 "accumulation_prediction = (23.0, -33.0, -12.0)", inspect.getsource(solutions("04").divide),
                 "import os\nos._exit(1)"),
    ]
    start = time.monotonic()
    results = [grade.grade_notebook(path, cell_timeout=30, notebook_timeout=120) for path in paths]
    seconds = time.monotonic() - start
    stray_alive = pid_file.exists() and _alive(int(pid_file.read_text()))
    yield {r.notebook: r for r in results}, seconds, stray_alive
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
        except ProcessLookupError:
            pass


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_reading_the_grader_secret_forges_nothing(attacks):
    results, _, _ = attacks
    assert results["02"].verdicts["delta2_by_hand"][0] == WRONG
    assert results["02"].correct == 0 and results["02"].problem is None


def test_swapping_a_checker_entry_forges_nothing(attacks):
    status, message = attacks[0]["02"].verdicts["bp4_batch"]
    assert status == WRONG and "is wrong" in message


def test_patching_print_and_stdout_forges_nothing(attacks):
    status, message = attacks[0]["02"].verdicts["input_gradient"]
    assert status == WRONG and "is wrong" in message


def test_patching_the_result_channel_forges_nothing(attacks):
    status, message = attacks[0]["02"].verdicts["bce_output_delta"]
    assert status == "error" and "could not be read" in message


def test_precomputed_expected_values_are_defeated_by_fresh_inputs(attacks):
    status, message = attacks[0]["02"].verdicts["backprop_tanh"]
    assert status == WRONG and "is wrong" in message


def test_the_package_own_functions_are_refused_in_a_kernel(attacks):
    verdicts = attacks[0]["03"].verdicts
    assert verdicts["softmax_jacobian"] == verdicts["soft_target_gradient"] == (CORRECT, "")
    for name in ("batch_cross_entropy", "batch_cross_entropy_gradient"):
        assert verdicts[name][0] == WRONG and "switched off" in verdicts[name][1], verdicts[name]
    assert verdicts["softmax_vjp"][0] == WRONG


def test_fake_result_files_and_a_process_outliving_its_kernel_change_nothing(attacks):
    results, seconds, stray_alive = attacks
    assert stray_alive                       # it outlived its kernel, writing fake results all along
    assert results["03"].correct == 2 and results["03"].problem is None
    assert seconds < 60                      # and the grader did not wait for it
    assert isinstance(results["03"].seed, int) and results["03"].as_dict()["seed"] == results["03"].seed


def test_a_kernel_that_dies_is_restarted_and_its_answers_still_judged(attacks):
    result = attacks[0]["04"]
    assert "the kernel died in cell 4" in result.problem
    assert result.verdicts["accumulation_prediction"] == result.verdicts["divide"] == (CORRECT, "")
    assert result.verdicts["accumulated_step"][0] == "error"
