"""Grade learners' notebooks: run each one and list every exercise's verdict.

    grade-exercises submissions/*.ipynb
"""
import argparse
import re

from .run_notebooks import execute

VERDICT_LINE = re.compile(r"^\[(\w+)\] (correct|not yet|not attempted yet)(?:: (.*))?$", re.M)
CHECK_CALL = re.compile(r"\bcheck_(\w+)\(")


def grade_notebook(path, timeout=600):
    """Run a learner's notebook (never saved) and return {exercise: (status, message)}.

    Reads the verdict lines the exercise checkers print. A failing cell does not stop the
    run, so one broken exercise hides no other; a check cell that failed before printing
    its verdict (say, on a name the learner never defined) is reported with its error.
    """
    notebook = execute(path, timeout, allow_errors=True)
    verdicts = {}
    for cell in notebook.cells:
        outputs = cell.get("outputs", [])
        for output in outputs:
            for name, status, message in VERDICT_LINE.findall(output.get("text", "")):
                verdicts[name] = (status, message)
        errors = [o for o in outputs if o.get("output_type") == "error"]
        for name in CHECK_CALL.findall(cell.source if cell.cell_type == "code" else ""):
            if name not in verdicts and errors:
                verdicts[name] = ("not yet", f"the check cell failed: {errors[0]['ename']}: "
                                             f"{errors[0]['evalue']}")
    return verdicts


def main(argv=None):
    """Command line: grade-exercises NOTEBOOK [NOTEBOOK ...]."""
    parser = argparse.ArgumentParser(description="Run learners' notebooks and list each exercise's verdict.")
    parser.add_argument("notebooks", nargs="+", help="the learner's notebooks")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        verdicts = grade_notebook(path)
        solved = sum(status == "correct" for status, _ in verdicts.values())
        print(f"{path}: {solved} of {len(verdicts)} exercises correct")
        for name, (status, message) in verdicts.items():
            print(f"  {name:<28} {status}" + (f": {message}" if message else ""))
    return 0


