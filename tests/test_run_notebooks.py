"""run-notebooks: a cell that never ends fails its notebook after --timeout, file untouched."""
import time

import nbformat
import pytest

from backprop_helpers import run_notebooks


def test_a_hanging_cell_fails_after_the_timeout_and_the_file_is_untouched(tmp_path, capsys):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("while True:\n    pass")]
    path = tmp_path / "hang.ipynb"
    nbformat.write(notebook, path)
    before = path.read_bytes()
    began = time.monotonic()
    assert run_notebooks.main(["--timeout", "2", str(path)]) == 1
    assert time.monotonic() - began < 60
    assert "FAILED" in capsys.readouterr().out and path.read_bytes() == before


def test_the_timeout_must_be_positive():
    with pytest.raises(SystemExit) as stop:
        run_notebooks.main(["--timeout", "0", "x.ipynb"])
    assert stop.value.code == 2
