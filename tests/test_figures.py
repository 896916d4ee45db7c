"""Every figure can be read by everyone: alt text on every stored figure, a safe palette.

`plots.show_figure` shows a figure with its alt text in the output's metadata;
`run-notebooks` copies it into the cell metadata myst-nb reads for the website. These tests
check the function, and that every PNG stored in notebooks/*.ipynb carries its alt text in
both places.
"""
import base64
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest
from matplotlib.colors import to_rgb

from backprop_helpers import plots
from backprop_helpers.run_notebooks import record_alt_texts

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.fixture
def shown(monkeypatch):
    """What show_figure sends to the notebook: a list of (data, metadata) pairs."""
    calls = []
    monkeypatch.setattr(plots, "display",
                        lambda data, raw, metadata: calls.append((data, metadata)))
    return calls


def test_okabe_ito_is_the_eight_colours():
    assert len(plots.OKABE_ITO) == 8
    assert {to_rgb(c) for c in plots.OKABE_ITO.values()} == {
        to_rgb(c) for c in ("#000000", "#E69F00", "#56B4E9", "#009E73",
                            "#F0E442", "#0072B2", "#D55E00", "#CC79A7")}


def test_show_figure_sends_a_png_with_its_alt_text_and_closes_the_figure(shown):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    assert plots.show_figure(fig, alt="  a rising line  ") is None
    (data, metadata), = shown
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert data["text/plain"] == "<Figure size 300x200 with 1 Axes>"
    assert metadata == {"image/png": {"alt": "a rising line"}}
    assert not plt.fignum_exists(fig.number), "the figure must be closed (else shown twice)"


def test_show_figure_takes_the_axes_the_drawing_functions_return(shown):
    ax = plots.network_diagram([2, 2, 1])
    plots.show_figure(ax, alt="a 2-2-1 network")
    _, axes = plt.subplots(1, 2)
    plots.show_figure(axes, alt="two empty panels")
    assert [metadata["image/png"]["alt"] for _, metadata in shown] == [
        "a 2-2-1 network", "two empty panels"]


@pytest.mark.parametrize("alt", ["", "   ", None, 3])
def test_show_figure_refuses_a_missing_alt_text(shown, alt):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="alt must be a non-empty text"):
        plots.show_figure(fig, alt=alt)
    plt.close(fig)
    assert not shown


def test_show_figure_refuses_what_is_not_a_figure(shown):
    with pytest.raises(TypeError, match="expected a matplotlib Figure"):
        plots.show_figure("figure.png", alt="a file name")


def test_alt_texts_are_copied_where_mystnb_reads_them():
    png = {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 10x10 with 1 Axes>"}
    cell = nbformat.v4.new_code_cell("show_figure(fig, alt='x')", metadata={"tags": ["t"]})
    cell.outputs = [nbformat.v4.new_output("display_data", data=png,
                                           metadata={"image/png": {"alt": "a sketch"}})]
    stale = nbformat.v4.new_code_cell("1", metadata={"mystnb": {"image": {"alt": "old"}}})
    notebook = record_alt_texts(nbformat.v4.new_notebook(cells=[cell, stale]))
    assert notebook.cells[0].metadata == {"tags": ["t"], "mystnb": {"image": {"alt": "a sketch"}}}
    assert notebook.cells[1].metadata == {}


def stored_figures(path):
    """(cell index, alt text in the output or None, alt text in the cell metadata or None)."""
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        cell_alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt")
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                yield index, output.get("metadata", {}).get("image/png", {}).get("alt"), cell_alt


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_stored_figure_has_alt_text_for_jupyterlab_and_the_website(path):
    missing, disagree = [], []
    for index, alt, cell_alt in stored_figures(path):
        if not (isinstance(alt, str) and alt.strip()):
            missing.append(index)
        elif cell_alt != alt:
            disagree.append(f"cell {index}: output says {alt!r}, cell metadata says {cell_alt!r}")
    assert not missing, (
        f"{path.name}: the figures of code cells {missing} have no alt text: show each with "
        f"plots.show_figure(fig, alt='what it shows'), then re-execute with run-notebooks")
    assert not disagree, (
        f"{path.name}: the website's alt text (cell metadata mystnb.image.alt) differs from the "
        f"figure's; re-execute with run-notebooks, and show one figure per cell:\n  "
        + "\n  ".join(disagree))
