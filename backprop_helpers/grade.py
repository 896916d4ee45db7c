"""Grade learners' notebooks: run each one in a fresh kernel and list every exercise's verdict.

    grade-exercises submissions/*.ipynb
    grade-exercises --cell-timeout 60 --notebook-timeout 600 --json grades.json submissions/*.ipynb

Grading runs each learner's code with your rights (see the README for running it isolated).
How a verdict is trusted: after the notebook has run, the judge (``judge.py``) calls each
answer in the kernel on fresh inputs and compares what it returned with the package's
reference in this process; nothing the notebook prints, displays or records is a verdict.
The checkers' records (carrying a secret the grader gives the kernel) only tell the run's
story: which check ran, which checker the notebook redefined. A submission is graded as the course
notebook whose checkers its cells call (a file name that says otherwise gets a NOTE naming
both). Every exercise of that notebook is listed, each with one status: correct, not yet,
not attempted yet, error (its check cell failed first), timed out, missing (no genuine check
ran). The command exits 1 unless every exercise is correct, so it can serve as a CI test.
A submission that cannot be read, whose kernel dies, or that runs past its time is reported
on its own line; the batch goes on. Submissions are read, never written: each runs in an
empty temporary folder.
"""
import argparse
import ast
import csv
import io
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from tqdm.auto import tqdm

from . import grade_export, judge
from .exercises import REGISTRY
from .exercises.core import CORRECT, NOT_ATTEMPTED, VERDICT_MIME, WRONG

ERROR, TIMED_OUT, MISSING = "error", "timed out", "missing"
STATUSES = (CORRECT, WRONG, NOT_ATTEMPTED, ERROR, TIMED_OUT, MISSING)
CHECK_CALL = re.compile(r"\bcheck_(\w+)\s*\(")
#: the module, importable in the learner's kernel, whose checkers the grader arms
CHECKERS = "backprop_helpers.exercises.core"
#: run in the kernel before the learner's first cell: grading never reads printed output, so
#: it goes nowhere, and a loop that prints without end costs its own time and nothing more
QUIET = "import os as _o, sys as _s; _s.stdout = _s.stderr = open(_o.devnull, 'w'); del _o, _s"


def expected_exercises(notebook):
    """The exercises of course notebook ``notebook`` ("01" ... "05"), in the order they come."""
    return [name for name, entry in REGISTRY.items() if entry.notebook == notebook]


def notebook_named(path):
    """The course notebook a file's name suggests: the first two-digit number in it that is a
    course notebook's (``03_softmax_relu.ipynb``, ``alice-03.ipynb``), else None."""
    numbers = {entry.notebook for entry in REGISTRY.values()}
    for match in re.finditer(r"(?<!\d)(\d\d)(?!\d)", Path(path).name):
        if match.group(1) in numbers:
            return match.group(1)
    return None


def notebook_called(source):
    """The course notebook whose checkers ``source`` calls most (a tie goes to the one called
    first), else None."""
    called = [REGISTRY[name].notebook for name in CHECK_CALL.findall(source) if name in REGISTRY]
    return max(dict.fromkeys(called), key=called.count) if called else None


def course_notebook_of(path, source=""):
    """Which course notebook a submission answers: the one whose checkers its cells call (what
    it answers wins over what it is called), else the one its file name suggests, else None."""
    return notebook_called(source) or notebook_named(path)


class Result:
    """One submission's grades: ``verdicts`` {exercise: (status, message)} in the course
    notebook's order; ``problem``, what stopped the run early or makes its grades doubtful;
    ``note``, what the grader decided on its own (e.g. which notebook a misnamed file answers)."""

    def __init__(self, path, notebook=None):
        self.path, self.notebook, self.problem, self.note, self.seconds = str(path), notebook, None, None, 0.0
        self.seed = judge.fresh_seed()  # of the judge's inputs (judge.py), logged with the grades
        self.verdicts = {name: (MISSING, "no check of it ran") for name in
                         (expected_exercises(notebook) if notebook else [])}

    @property
    def correct(self):
        return sum(status == CORRECT for status, _ in self.verdicts.values())

    @property
    def all_correct(self):
        """Every exercise correct (a submission with no exercise to grade is not)."""
        return bool(self.verdicts) and self.correct == len(self.verdicts)

    def rows(self):
        return [{"notebook": self.path, "course_notebook": self.notebook or "", "exercise": name,
                 "status": status, "message": message, "problem": self.problem or "",
                 "note": self.note or ""}
                for name, (status, message) in self.verdicts.items()]

    def as_dict(self):
        return {"notebook": self.path, "course_notebook": self.notebook, "problem": self.problem,
                "note": self.note, "correct": self.correct, "exercises": len(self.verdicts),
                "seconds": round(self.seconds, 1), "seed": self.seed,
                "verdicts": [{"exercise": name, "status": status, "message": message}
                             for name, (status, message) in self.verdicts.items()]}


def grade_notebook(path, cell_timeout=120, notebook_timeout=900, notebook=None):
    """Run a learner's notebook (never written) and return its :class:`Result`.

    ``notebook`` names the course notebook ("03"); by default it is the one whose checkers the
    cells call, else the one the file name suggests (a disagreement is reported). A cell
    running past ``cell_timeout`` seconds is interrupted and the run goes on; the whole run
    stops at ``notebook_timeout`` seconds. Never raises on a bad submission: what went wrong
    is in ``Result.problem``.
    """
    start = time.monotonic()
    try:
        submission = nbformat.reads(Path(path).read_text(encoding="utf-8"), as_version=4)
        code = [cell for cell in submission.cells if cell.get("cell_type") == "code"]
        source = "\n".join(str(cell.get("source", "")) for cell in code)
    except Exception as error:  # missing, unreadable, not JSON, not a notebook
        result = Result(path, notebook or course_notebook_of(path))
        result.problem = f"could not read the notebook: {type(error).__name__}: {error}"
        return result
    named, called = notebook_named(path), notebook_called(source)
    result = Result(path, notebook or called or named)
    if result.notebook is None:
        result.problem = ("could not tell which course notebook this is (no 01-05 in its name, no "
                          "check_ call in it): give --notebook")
    elif notebook and called and called != notebook:
        result.problem = (f"graded as notebook {notebook} (--notebook), but its check cells answer "
                          f"notebook {called}")
    elif not notebook and named and called and called != named:
        result.note = (f"its name says notebook {named}, but its check cells answer notebook {called}: "
                       f"graded as notebook {called}")
    try:
        with tempfile.TemporaryDirectory(prefix="grade-") as folder:
            _run(submission, result, folder, cell_timeout, start + notebook_timeout)
    except Exception as error:  # the kernel would not start, or the run broke in a way not foreseen
        result.problem = result.problem or f"the run failed: {type(error).__name__}: {error}"
    result.seconds = time.monotonic() - start
    return result


def grade_all(paths, cell_timeout=120, notebook_timeout=900, notebook=None, jobs=1, progress=False):
    """Grade ``paths``, ``jobs`` at a time, each as :func:`grade_notebook` does (its own fresh
    kernel, folder and time limits); yield their Results in the order of ``paths``, each as soon
    as it and those before it are done. ``progress`` shows a bar of submissions done (on a
    terminal). Threads suffice: the learners' code runs in the kernels, which are processes."""
    with ThreadPoolExecutor(max_workers=jobs) as pool, \
            tqdm(total=len(paths), desc="grading", unit="notebook", disable=None if progress else True) as bar:
        futures = [pool.submit(grade_notebook, path, cell_timeout, notebook_timeout, notebook)
                   for path in paths]
        for future in futures:
            future.add_done_callback(lambda _: bar.update())
        for future in futures:
            yield future.result()


class _Client(NotebookClient):
    """A client that keeps only what grading reads: errors and this run's verdict records.
    Printed output and other displays are dropped as they arrive, so a submission that floods
    its output cannot fill the grader's memory."""

    nonce = None

    def output(self, outs, msg, display_id, cell_index):
        content, kind = msg.get("content", {}), msg.get("msg_type")
        record = content.get("data", {}).get(VERDICT_MIME) if kind == "display_data" else None
        if kind == "error" or isinstance(record, dict) and record.get("nonce") == self.nonce:
            return super().output(outs, msg, display_id, cell_index)
        return None


def _run(submission, result, folder, cell_timeout, deadline):
    """Execute ``submission`` in ``folder`` with the checkers armed; fill ``result``."""
    for cell in submission.cells:
        if cell.get("cell_type") == "code":
            cell.outputs, cell.execution_count = [], None  # stored outputs are never evidence
    nonce, timed_out, stopped, shadowed = secrets.token_hex(16), set(), None, []

    def timeout_for(cell):
        return max(1, min(cell_timeout, int(deadline - time.monotonic()) + 1))

    client = _Client(submission, kernel_name="python3", allow_errors=True, timeout=5,
                     startup_timeout=max(1, min(60, int(deadline - time.monotonic()))),
                     timeout_func=timeout_for, interrupt_on_timeout=True,
                     error_on_timeout={"ename": "CellTimeoutError", "evalue": "timed out", "traceback": []},
                     resources={"metadata": {"path": folder}}, store_widget_state=False,
                     record_timing=False, shutdown_kernel="immediate", shell_timeout_interval=1)
    client.widget_registry, client.nonce = {}, nonce
    with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        armed = _silent(client, f"import {CHECKERS} as _c; _c._arm_grading({nonce!r}); del _c; {QUIET}")
        if armed.get("status") != "ok":
            stopped = (f"the kernel cannot use the course's checkers ({armed.get('ename', 'no answer')}: "
                       f"{armed.get('evalue', '')}): install backprop-helpers where the kernel runs")
        for index, cell in enumerate(submission.cells if stopped is None else []):
            if cell.get("cell_type") != "code":
                continue
            if time.monotonic() >= deadline:
                stopped = f"stopped at cell {index + 1}: the notebook's time limit was reached"
                break
            began, limit = time.monotonic(), timeout_for(cell)
            try:
                client.execute_cell(cell, index)
            except DeadKernelError:
                cell.execution_count = None  # it did not finish: the judge re-runs only cells that did
                stopped = f"the kernel died in cell {index + 1}"
                _mark_cell(result, cell, ERROR, stopped)
                break
            except CellTimeoutError:
                timed_out.add(index)
                stopped = f"stopped at cell {index + 1}: it ran past the time limit"
                break
            if time.monotonic() - began >= limit - 0.25:
                timed_out.add(index)
                if not _silent(client, "pass"):  # the interrupt did not stop it
                    stopped = (f"stopped at cell {index + 1}: it ran past {limit:g} s and did not "
                               f"stop when interrupted")
                    break
        if stopped is None:
            shadowed = _audit(client)
        # the verdicts: decided by the judge in this process (judge.py), from the answers' results
        judged = judge.judge_kernel(client, list(result.verdicts), submission.cells, result.seed,
                                    cell_timeout)
    others = _read_records(submission, result, nonce, timed_out, cell_timeout)
    if others:  # genuine verdicts on exercises of another notebook: said, never dropped unseen
        listed = ", ".join(f"{name} ({status})" for name, status in others.items())
        result.note = "; ".join(filter(None, [result.note, f"it also checked exercises of other "
                                                          f"notebooks, not counted here: {listed}"]))
    for name in shadowed:
        if name in result.verdicts and result.verdicts[name][0] == MISSING:
            result.verdicts[name] = (MISSING, f"check_{name} was redefined in the notebook; the "
                                              f"package's checker never ran")
    interrupted = [f"cell {index + 1} ran past the time limit and was interrupted"
                   for index in sorted(timed_out) if f"cell {index + 1}:" not in (stopped or "")]
    result.problem = "; ".join(filter(None, [result.problem, *interrupted, stopped])) or None
    if stopped is not None:
        for name, (status, _) in result.verdicts.items():
            if status == MISSING:
                status = TIMED_OUT if stopped.startswith("stopped") else ERROR
                result.verdicts[name] = (status, f"not checked: {stopped}")
    judge.overrule(result.verdicts, judged)


def _silent(client, code, user_expressions=None):
    """Run the grader's own ``code`` in the kernel: unseen by the notebook (not in its history,
    no output); returns the reply's content, empty if the kernel gave none within 5 s."""
    msg_id = client.kc.execute(code, silent=True, store_history=False,
                               user_expressions=user_expressions or {})
    reply = client.wait_for_reply(msg_id)
    return reply["content"] if reply else {}


def _audit(client):
    """The exercises whose check_<name> in the notebook's namespace is not the package's."""
    try:
        content = _silent(client, "", {"audit": "__import__('backprop_helpers.exercises.core', "
                                                "fromlist=['_']). _audit_checkers(globals())"})
        text = content["user_expressions"]["audit"]["data"]["text/plain"]
        return json.loads(ast.literal_eval(text))
    except Exception:  # the kernel no longer answers: nothing to audit
        return []


def _mark_cell(result, cell, status, message):
    for name in CHECK_CALL.findall(str(cell.get("source", ""))):
        if name in result.verdicts and result.verdicts[name][0] == MISSING:
            result.verdicts[name] = (status, message)


def _read_records(submission, result, nonce, timed_out, cell_timeout):
    """Fill ``result.verdicts`` from the genuine checkers' records (the last one of each
    exercise wins), then from the check cells that failed or timed out before a verdict.
    Returns {exercise: status} of the genuine records on exercises not listed in ``result``."""
    checked, others = set(), {}
    for index, cell in enumerate(submission.cells):
        for output in cell.get("outputs", []):
            record = output.get("data", {}).get(VERDICT_MIME) if output.get("output_type") == "display_data" else None
            if not isinstance(record, dict) or record.get("nonce") != nonce:
                continue  # not from a genuine checker of this run
            name = record.get("exercise")
            if name in result.verdicts or result.notebook is None and name in REGISTRY:
                result.verdicts[name] = (str(record.get("status")), str(record.get("message", "")))
                checked.add(name)
            elif name in REGISTRY:
                others[name] = str(record.get("status"))
        if index in timed_out:
            for name in CHECK_CALL.findall(str(cell.get("source", ""))):
                if name in result.verdicts:
                    result.verdicts[name] = (TIMED_OUT, f"its check cell ran past {cell_timeout} s and "
                                                        f"was interrupted")
                    checked.add(name)
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            for name in CHECK_CALL.findall(str(cell.get("source", ""))):
                if name in result.verdicts and name not in checked:
                    result.verdicts[name] = (ERROR, f"the check cell failed: {errors[0].get('ename')}: "
                                                    f"{errors[0].get('evalue')}")
    return others


def _print_table(result, out):
    label = f" (notebook {result.notebook})" if result.notebook else ""
    print(f"{result.path}{label}: {result.correct} of {len(result.verdicts)} exercises correct "
          f"(judged on fresh inputs, seed {result.seed})", file=out)
    if result.problem:
        print(f"  PROBLEM: {result.problem}", file=out)
    if result.note:
        print(f"  NOTE: {result.note}", file=out)
    for name, (status, message) in result.verdicts.items():
        print(f"  {name:<28} {status}" + (f": {message}" if message else ""), file=out)


def _cores():
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def main(argv=None):
    """Command line: grade-exercises [options] NOTEBOOK [NOTEBOOK ...]. Exit status: 0 when
    every exercise of every submission is correct, else 1 (with --exit-zero: 1 only when a file
    cannot be read); 2 for bad options."""
    parser = argparse.ArgumentParser(
        description="Run learners' notebooks, each in a fresh kernel in an empty temporary folder, "
                    "and list every exercise's verdict. This runs the learners' code with your "
                    "rights: grade untrusted work as another user or in a container (README).")
    parser.add_argument("notebooks", nargs="*", help="the learners' notebooks")
    parser.add_argument("--notebook", metavar="NN", help="the course notebook they answer, e.g. 03 "
                        "(default: the one whose checkers each file calls, else the one its name says)")
    parser.add_argument("--cell-timeout", type=float, default=120, metavar="SECONDS",
                        help="interrupt a cell after this long, then go on (default 120)")
    parser.add_argument("--notebook-timeout", type=float, default=900, metavar="SECONDS",
                        help="stop a notebook after this long in all (default 900)")
    parser.add_argument("-j", "--jobs", type=int, default=_cores(), metavar="N",
                        help=f"grade N submissions at once, each in its own kernel (default: the "
                             f"number of cores, here {_cores()})")
    parser.add_argument("--json", metavar="FILE", help="also write the grades as JSON")
    parser.add_argument("--csv", metavar="FILE", help="also write the grades as CSV, one row per exercise")
    parser.add_argument("--gradescope", metavar="FILE",
                        help="also write the grades as Gradescope's results.json")
    parser.add_argument("--gradescope-visibility", choices=grade_export.VISIBILITIES, default="visible",
                        help="when learners see the Gradescope results (default: visible)")
    parser.add_argument("--classroom", metavar="FILE",
                        help="also write the grades as GitHub Classroom's test results (JSON; "
                             "classroom/README.md says how the workflow hands them on)")
    parser.add_argument("--gradescope-autograder", metavar="ZIP",
                        help="instead of grading, write Gradescope's autograder zip, which grades "
                             "each submission with the timeouts and --notebook given here")
    parser.add_argument("--autograder-install", metavar="REQUIREMENT",
                        help="what the autograder's setup.sh pip-installs (default: this version's "
                             "release, 'backprop-helpers @ git+REPOSITORY@vVERSION')")
    parser.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even when some exercise is not correct (default: exit 1, so "
                             "that a CI or Classroom test fails); a file that cannot be read still exits 1")
    args = parser.parse_args(argv)
    numbers = sorted({entry.notebook for entry in REGISTRY.values()})
    if args.notebook is not None and args.notebook not in numbers:
        parser.error(f"--notebook should be one of {', '.join(numbers)}, got {args.notebook!r}")
    for option in ("cell_timeout", "notebook_timeout"):
        if not getattr(args, option) > 0:
            parser.error(f"--{option.replace('_', '-')} should be a positive number of seconds")
    if args.jobs < 1:
        parser.error(f"--jobs should be at least 1, got {args.jobs}")
    if args.gradescope_autograder:
        if args.notebooks:
            parser.error("--gradescope-autograder writes the autograder and grades nothing: "
                         "give it without notebooks")
        options = ["--cell-timeout", f"{args.cell_timeout:g}", "--notebook-timeout", f"{args.notebook_timeout:g}"]
        files = grade_export.gradescope_autograder(args.gradescope_autograder,
                                                   options + (["--notebook", args.notebook] if args.notebook else []),
                                                   args.autograder_install, args.gradescope_visibility)
        print(f"wrote {args.gradescope_autograder} ({', '.join(files)}): upload it as the "
              f"assignment's autograder on Gradescope")
        return 0
    if not args.notebooks:
        parser.error("give the notebooks to grade")
    results = []
    for result in grade_all(args.notebooks, args.cell_timeout, args.notebook_timeout, args.notebook,
                            args.jobs, progress=True):
        table = io.StringIO()
        _print_table(result, table)
        tqdm.write(table.getvalue().rstrip("\n"), file=sys.stdout)
        sys.stdout.flush()
        results.append(result)
    _write_reports(args, results)
    if args.exit_zero:
        return 1 if any(r.problem and r.problem.startswith("could not read") for r in results) else 0
    return 0 if all(r.all_correct for r in results) else 1


def _write_reports(args, results):
    """The files the options ask for: JSON, Gradescope's results, Classroom's, CSV."""
    dicts = [r.as_dict() for r in results]
    if args.json:
        Path(args.json).write_text(json.dumps(dicts, indent=1, ensure_ascii=False)
                                   + "\n", encoding="utf-8")
    if args.gradescope:
        Path(args.gradescope).write_text(json.dumps(grade_export.gradescope_results(
            dicts, args.gradescope_visibility), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.classroom:
        Path(args.classroom).write_text(json.dumps(grade_export.classroom_results(dicts), ensure_ascii=False)
                                        + "\n", encoding="utf-8")
    if args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, ["notebook", "course_notebook", "exercise", "status",
                                           "message", "problem", "note"])
            writer.writeheader()
            for result in results:
                writer.writerows(result.rows() or [{"notebook": result.path, "problem": result.problem or ""}])


if __name__ == "__main__":
    sys.exit(main())
