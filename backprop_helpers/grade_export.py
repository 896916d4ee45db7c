"""The grades in the forms course platforms read: Gradescope's results.json and its autograder
zip, and GitHub Classroom's test results. Each takes the plain dicts of ``Result.as_dict``.

Gradescope runs every submission in a container of its own: ``setup.sh`` once, when it builds
the autograder's image, then ``run_autograder`` for each submission, which finds the files in
``/autograder/submission`` and must write ``/autograder/results/results.json``
(https://gradescope-autograders.readthedocs.io/en/latest/specs/). GitHub Classroom runs a
workflow in each learner's repository; its reporter action reads each step's results as
base64 JSON and adds up the points (see ``classroom/`` in the course's repository).
"""
import json
import shlex
import zipfile
from pathlib import Path

from . import __version__
from .exercises.core import CORRECT

REPOSITORY = "https://github.com/backprop-course/backprop-course"
#: who sees a Gradescope result, and when (Gradescope's four settings)
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
#: where setup.sh puts the grader in Gradescope's image
GRADER_VENV = "/opt/backprop-grader"


def _line(verdict):
    """The checker's line: the status, then the hint if there is one."""
    return verdict["status"] + (f": {verdict['message']}" if verdict["message"] else "")


def _summary(result):
    """What is said about a submission as a whole: its PROBLEM and NOTE lines."""
    name = Path(result["notebook"]).name
    return [f"{name}: {label}: {text}" for label, text in (("PROBLEM", result["problem"]),
                                                           ("NOTE", result.get("note"))) if text]


def gradescope_results(results, visibility="visible"):
    """Gradescope's results.json (as a dict): one test per exercise, 1 point when correct, the
    checker's line as its output; PROBLEM and NOTE lines as the output of the whole."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility should be one of {', '.join(VISIBILITIES)}, got {visibility!r}")
    tests, summary = [], []
    for result in results:
        summary += _summary(result)
        for verdict in result["verdicts"]:
            correct = verdict["status"] == CORRECT
            tests.append({"name": f"notebook {result['course_notebook']}: {verdict['exercise']}",
                          "score": 1.0 if correct else 0.0, "max_score": 1.0,
                          "status": "passed" if correct else "failed", "output": _line(verdict),
                          "visibility": visibility})
    document = {"tests": tests, "visibility": visibility,
                "execution_time": round(sum(result["seconds"] for result in results))}
    if not tests:  # nothing could be graded: Gradescope then needs the score of the whole
        document["score"] = 0.0
        summary = summary or ["no notebook was graded: upload your .ipynb file"]
    if summary:
        document["output"] = "\n".join(summary)
    return document


def classroom_results(results):
    """GitHub Classroom's test results (as a dict, which the workflow base64-encodes for the
    reporter action): one test per exercise, 1 point when correct, the checker's line as its
    message; a submission with nothing graded is one failed test carrying its PROBLEM line."""
    tests = []
    for result in results:
        name = Path(result["notebook"]).name
        for verdict in result["verdicts"]:
            correct = verdict["status"] == CORRECT
            tests.append({"name": f"{name}: {verdict['exercise']}", "status": "pass" if correct else "fail",
                          "score": 1 if correct else 0, "message": _line(verdict), "test_code": "",
                          "filename": result["notebook"], "line_no": 0})
        if not result["verdicts"]:
            tests.append({"name": name, "status": "fail", "score": 0, "message": "; ".join(_summary(result)),
                          "test_code": "", "filename": result["notebook"], "line_no": 0})
    return {"version": 1, "status": "pass" if all(t["status"] == "pass" for t in tests) else "fail",
            "max_score": len(tests), "tests": tests}


def gradescope_autograder(zip_path, grade_options=(), install=None, visibility="visible"):
    """Write Gradescope's autograder zip: ``setup.sh`` installs the course's package (``install``,
    a pip requirement; default: this version's release tag) in a virtual environment, and
    ``run_autograder`` grades the submission's notebooks with ``grade_options`` into
    results.json, seen by learners as ``visibility`` says. Returns the files' names and texts."""
    install = install or f"backprop-helpers @ git+{REPOSITORY}@v{__version__}"
    setup = f"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image: the course's
# grader in a virtual environment of its own.
set -euo pipefail
apt-get update
apt-get install -y git python3 python3-venv python3-pip
python3 -m venv {GRADER_VENV}
{GRADER_VENV}/bin/pip install --no-cache-dir ipykernel {shlex.quote(install)}
"""
    run = f"""#!/usr/bin/env bash
# Gradescope runs this for every submission, in a fresh container: it grades the notebooks in
# submission/ into results/results.json. AUTOGRADER_ROOT (default /autograder) and
# AUTOGRADER_BIN (default: the environment setup.sh made) let you try it on your machine.
set -uo pipefail
root="${{AUTOGRADER_ROOT:-/autograder}}"
bin="${{AUTOGRADER_BIN:-{GRADER_VENV}/bin}}"
mkdir -p "$root/results"
mapfile -t notebooks < <(find "$root/submission" -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)
if [ "${{#notebooks[@]}}" -eq 0 ]; then
    echo '{json.dumps(gradescope_results([], visibility))}' > "$root/results/results.json"
    exit 0
fi
exec "$bin/grade-exercises" --exit-zero {shlex.join(grade_options)} --gradescope-visibility {visibility} \\
    --gradescope "$root/results/results.json" "${{notebooks[@]}}"
"""
    files = {"setup.sh": setup, "run_autograder": run}
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o100755 << 16  # executable, as Gradescope runs them
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return files
