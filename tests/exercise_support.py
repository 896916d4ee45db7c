"""What the exercise and grader tests share: the worked solutions, a learner's copy of a course
notebook, and an assertion that a wrong answer gets its hint."""
import importlib.util
import linecache
import types
from pathlib import Path

import nbformat

from backprop_helpers.exercises import WRONG, judge

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOLUTIONS = NOTEBOOKS / "solutions"


def solutions(number):
    """The worked solutions of notebooks/solutions/solutions_<number>.py, as a learner who typed
    them into the notebook would have them: compiled under another file name, since the checkers
    refuse functions imported from a solutions file."""
    source = (SOLUTIONS / f"solutions_{number}.py").read_text(encoding="utf-8")
    filename = f"<worked solutions {number}, typed in>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # for inspect
    module = types.ModuleType(f"typed_solutions_{number}")
    exec(compile(source, filename, "exec"), module.__dict__)
    return module


def imported_solutions(number):
    """The module notebooks/solutions/solutions_<number>.py itself, imported from its file."""
    spec = importlib.util.spec_from_file_location(f"solutions_{number}", SOLUTIONS / f"solutions_{number}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def learner_copy(tmp_path, notebook_name, fills, name="student.ipynb"):
    """A learner's copy of a course notebook, written to ``tmp_path / name``: it keeps the
    preamble (the Colab cell, the title, the imports: everything before the first "## " section)
    and the exercise section; ``fills`` maps the start of a stub cell to what the learner wrote
    there (each must match exactly one cell)."""
    notebook = nbformat.read(NOTEBOOKS / notebook_name, as_version=4)
    start = next(i for i, cell in enumerate(notebook.cells) if cell.source.startswith("## Exercises"))
    # the head: every cell before the first section (a Colab cell, the title, the imports)
    head = next(i for i, cell in enumerate(notebook.cells)
                if cell.cell_type == "markdown" and cell.source.startswith("## "))
    notebook.cells = notebook.cells[:head] + notebook.cells[start:]
    for prefix, source in fills.items():
        stubs = [cell for cell in notebook.cells if cell.source.startswith(prefix)]
        assert len(stubs) == 1, f"{notebook_name}: {len(stubs)} cells start with {prefix!r}"
        stubs[0].source = source
    path = tmp_path / name
    nbformat.write(notebook, path)
    return path


def assert_hint(exercise, answer, *fragments):
    """``answer`` is judged wrong, and the hint contains every fragment."""
    verdict = judge(exercise, answer)
    assert verdict.status == WRONG, verdict
    for fragment in fragments:
        assert fragment in verdict.message, verdict.message
    return verdict
