"""Every figure can be read by everyone: alt text on every stored figure, a safe palette.

`plots.show_figure` shows a figure with its alt text in the output's metadata, then the same
words as a caption line (JupyterLab draws a PNG without its alt text); `run-notebooks` copies
the alt text into the cell metadata myst-nb reads for the website. These tests check the
function, and that every PNG stored in notebooks/*.ipynb carries its alt text in both places
and is followed by its caption.
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
    monkeypatch.setattr(plots.style, "display",
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
    (data, metadata), caption = shown
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert data["text/plain"] == "<Figure size 300x200 with 1 Axes>"
    assert metadata == {"image/png": {"alt": "a rising line",
                                      "encoding": {"line_styles": ["solid"], "colours": ["blue"]}}}
    assert caption == ({"text/markdown": "*Figure:* a rising line",
                        "text/plain": "Figure: a rising line"}, {})
    assert not plt.fignum_exists(fig.number), "the figure must be closed (else shown twice)"


def test_show_figure_takes_the_axes_the_drawing_functions_return(shown):
    ax = plots.network_diagram([2, 2, 1])
    plots.show_figure(ax, alt="a 2-2-1 network")
    _, axes = plt.subplots(1, 2)
    plots.show_figure(axes, alt="two empty panels")
    assert [metadata["image/png"]["alt"] for _, metadata in shown[::2]] == [
        "a 2-2-1 network", "two empty panels"]
    assert [data["text/plain"] for data, _ in shown[1::2]] == [
        "Figure: a 2-2-1 network", "Figure: two empty panels"]


def test_the_caption_reads_as_the_same_words_when_rendered_as_markdown():
    markdown_it = pytest.importorskip("markdown_it")
    alt = "δ_j^(l) = a*b [sic] <i>x</i> $5 | 2 & 3 ~ #1 \\ `z`\n  on two lines"
    caption = plots.style.figure_caption(alt)
    html = markdown_it.MarkdownIt().render(caption["text/markdown"])
    import html as html_module
    import re
    text = html_module.unescape(re.sub(r"<[^>]+>", "", html)).strip()
    assert text == caption["text/plain"] == "Figure: " + " ".join(alt.split())
    assert html.startswith("<p><em>Figure:</em> ") and "<i>" not in html


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
        outputs = cell.get("outputs", [])
        for number, output in enumerate(outputs):
            if "image/png" in output.get("data", {}):
                following = outputs[number + 1].get("data", {}) if number + 1 < len(outputs) else {}
                yield (index, output.get("metadata", {}).get("image/png", {}).get("alt"), cell_alt,
                       following)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_stored_figure_has_alt_text_for_jupyterlab_and_the_website(path):
    missing, disagree, uncaptioned = [], [], []
    for index, alt, cell_alt, following in stored_figures(path):
        if not (isinstance(alt, str) and alt.strip()):
            missing.append(index)
            continue
        if cell_alt != alt:
            disagree.append(f"cell {index}: output says {alt!r}, cell metadata says {cell_alt!r}")
        if dict(following) != plots.style.figure_caption(alt):
            uncaptioned.append(index)
    assert not missing, (
        f"{path.name}: the figures of code cells {missing} have no alt text: show each with "
        f"plots.show_figure(fig, alt='what it shows'), then re-execute with run-notebooks")
    assert not disagree, (
        f"{path.name}: the website's alt text (cell metadata mystnb.image.alt) differs from the "
        f"figure's; re-execute with run-notebooks, and show one figure per cell:\n  "
        + "\n  ".join(disagree))
    assert not uncaptioned, (
        f"{path.name}: the figures of code cells {uncaptioned} are not followed by their caption "
        f"line (what a screen reader reaches in JupyterLab): re-execute with run-notebooks")


# --- colours that stay apart for every colour vision -----------------------------------------

# Machado, Oliveira & Fernandes (2009), severity 1: the dichromat's view of a linear-RGB colour.
CVD = {
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def _lab(colour, cvd=None):
    """CIELAB (D65) of a matplotlib colour, as a dichromat of kind ``cvd`` sees it."""
    import numpy as np
    rgb = np.array(to_rgb(colour))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    if cvd:
        linear = np.clip(np.array(CVD[cvd]) @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def smallest_difference(colours, cvd=None):
    """The smallest CIELAB distance (ΔE*ab) between two of ``colours`` as ``cvd`` sees them."""
    import itertools
    import numpy as np
    return min(float(np.linalg.norm(_lab(a, cvd) - _lab(b, cvd)))
               for a, b in itertools.combinations(colours, 2))


def test_simulation_reproduces_known_numbers():
    """Red and green look alike to a deuteranope; the old tab: path colours measured 5.7."""
    assert smallest_difference(["#ff0000", "#00ff00"]) > 80
    assert smallest_difference(["#D55E00", "#009E73"], "deuteranopia") > 15
    old = ("tab:blue", "tab:red", "tab:green", "tab:purple", "tab:brown", "tab:pink")
    assert round(smallest_difference(old, "protanopia"), 1) == 5.7


@pytest.mark.parametrize("cvd", [None, *CVD])
def test_network_diagram_path_colours_stay_apart_for_every_colour_vision(cvd):
    colours = (*plots.PATH_COLOURS, plots.TARGET_COLOUR)
    assert smallest_difference(colours, cvd) >= 15, cvd
    assert len(set(plots.PATH_STYLES)) == len(plots.PATH_COLOURS), "each path has its own line style"


def test_network_diagram_paths_differ_by_line_style_too():
    paths = [[(0, 0), (1, 0), (2, 0)], [(0, 1), (1, 1), (2, 0)], [(0, 0), (1, 1), (2, 0)]]
    ax = plots.network_diagram([2, 2, 1], paths=paths)
    handles = ax.get_legend().legend_handles if hasattr(ax.get_legend(), "legend_handles") \
        else ax.get_legend().legendHandles
    styles = [handle.get_linestyle() for handle in handles]
    assert len(set(styles)) == 3, styles
    plt.close(ax.figure)
