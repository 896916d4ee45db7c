"""Every notebook in a real JupyterLab in a real Chromium: a learner's first minute.

For each notebook: open it, Run All Cells from the menu, and check that nothing went wrong (no
error output, every widget drawn, no JavaScript error); then move a slider of each explorer,
once with the keyboard on its handle and once by typing into its readout, and check that the
printout and the figure change, the printout to exactly what the explorer's pure compute
function gives for the new slider values. What a screen reader reaches is read from the page
too: every slider's accessible name (as listed here) and a spoken value equal to its rounded
readout, and after every figure a caption line with its description. A screenshot of each notebook after the interaction
lands in build/screenshots/.

    pytest -m browser            # just these (also part of the plain `pytest` run)

To cover a new notebook, add one line to NOTEBOOKS.
"""
import math
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat
import numpy as np
import pytest

from browser_support import JupyterLab, NotebookPage, launch_chromium, missing_requirements

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "build" / "screenshots"


@dataclass(frozen=True)
class Explorer:
    """One interactive explorer of a notebook, found by the label of the slider to move.

    ``printed`` maps the explorer's slider values ({label: value}) to the line it must print,
    computed by the same pure function the unit tests check; ``typed`` is a value to type into
    the slider's readout.
    """
    slider: str
    printed: Callable[[dict], str]
    typed: float


@dataclass(frozen=True)
class Notebook:
    name: str                 # file name under notebooks/
    explorers: tuple = ()     # every explorer in it: a cell with sliders must be listed here
    run_timeout: float = 180  # seconds Run All Cells may take
    slider_names: tuple = ()  # the accessible name of every slider, in page order
    accessible: bool = True   # check slider names and figure captions (the harness's are bare)


def recursion_line(values):
    """What the notebook-01 explorer prints first after "calls made" calls (its other
    controls at their defaults: this notebook's network, a full gradient, cache off)."""
    from backprop_helpers.widgets import FULL_GRADIENT, recursion_step
    return recursion_step((2, 2, 2, 2, 1), FULL_GRADIENT, cached=False,
                          step=int(values["calls made"])).lines()[0]


def margin_line(values):
    """What the notebook-03 margin explorer prints first for its margin slider."""
    from backprop_helpers.widgets import MARGIN_LABEL, margin_readout
    return margin_readout(values[MARGIN_LABEL]).lines()[0]


def three_class_line(values):
    """What the notebook-03 three-class explorer prints first for its logit sliders (the true
    class stays at its starting value, class 3)."""
    from backprop_helpers.widgets import LOGIT_LABELS, three_class_readout
    return three_class_readout(*(values[label] for label in LOGIT_LABELS), true_class=3).lines()[0]


def walkthrough_line(values):
    """What the notebook-02 gradient explorer prints as ∂𝓛/∂W⁽¹⁾ for its sliders w₁₁⁽¹⁾..w₂₃⁽¹⁾."""
    from backprop_helpers.widgets import parameter_label, walkthrough_state
    W1 = np.array([[values[parameter_label("W", 1, j, k)] for k in range(3)] for j in range(2)])
    return walkthrough_state(W1).gradient_line(1, "W")


def nudge_line(values):
    """What the notebook-02 nudge explorer predicts for a nudge of w₁₁⁽¹⁾ (its menu's default)."""
    from backprop_helpers.widgets import nudge_readout
    return nudge_readout("w₁₁⁽¹⁾", values["nudge Δθ"]).lines()[2]


def backward_line(values):
    """What the notebook-04 backward() explorer prints first for its step slider (its graph
    menu at the default, the fork e = c² - c)."""
    from backprop_helpers.widgets import BACKWARD_STEP_LABEL, backward_step
    return backward_step(step=int(values[BACKWARD_STEP_LABEL])).lines()[0]


def unbroadcast_line(values):
    """What the notebook-05 explorer prints first for its four shape sliders."""
    from backprop_helpers.widgets import SHAPE_LABELS, unbroadcast_readout
    return unbroadcast_readout(*(int(values[label]) for label in SHAPE_LABELS)).lines()[0]


NOTEBOOKS = [
    Notebook("01_naive_recursion.ipynb", (Explorer("calls made", recursion_line, typed=9),),
             slider_names=("calls made by the recursion so far",)),
    Notebook("02_bp1_bp4_walkthrough.ipynb", (Explorer("w₁₁⁽¹⁾", walkthrough_line, typed=-1.5),
                                              Explorer("nudge Δθ", nudge_line, typed=0.5)),
             slider_names=tuple(f"weight of layer 1 from input {k} to neuron {j}"
                                for j in (1, 2) for k in (1, 2, 3))
             + ("nudge added to the chosen parameter θ",)),
    Notebook("03_softmax_relu.ipynb", (Explorer("margin z₂ − z₁", margin_line, typed=-6),
                                       Explorer("z₃ (class 3)", three_class_line, typed=4.5)),
             slider_names=("margin, logit of class 2 minus logit of class 1",
                           "logit of class 1", "logit of class 2", "logit of class 3")),
    Notebook("04_scalar_autograd.ipynb", (Explorer("backward steps", backward_line, typed=3),),
             run_timeout=300,  # three trainings of 50 steps, one on the notebook's own engine
             slider_names=("steps of backward() taken so far",)),
    Notebook("05_tensor_autograd.ipynb", (Explorer("b: rows", unbroadcast_line, typed=4),),
             run_timeout=300,  # three trainings, about 40 s unloaded
             slider_names=("rows of operand a", "columns of operand a",
                           "rows of operand b, 0 for none", "columns of operand b, 0 for none")),
]


# --- the fixtures: one JupyterLab and one Chromium for the session, a fresh tab per test -------

def require_browser():
    """Skip (or, under CI, fail) with a message saying how to install what is missing."""
    reason = missing_requirements()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"CI=true, so a missing browser is a failure: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory):
    """A JupyterLab on 127.0.0.1 serving a throw-away copy of notebooks/ (the UI never writes
    into tracked files), plus the harness notebooks of this file under harness/."""
    require_browser()
    served = tmp_path_factory.mktemp("served")
    if (REPO / "notebooks").is_dir():
        shutil.copytree(REPO / "notebooks", served / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    write_harness_notebooks(served / "harness")
    with JupyterLab(served, tmp_path_factory.mktemp("jupyter"), python_path=[REPO]) as lab:
        yield lab


@pytest.fixture(scope="session")
def chromium(jupyterlab):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def notebook_page(jupyterlab, chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield NotebookPage(context.new_page(), jupyterlab)
    finally:
        context.close()
        jupyterlab.shut_down_kernels()


# --- the check a learner's first minute makes ------------------------------------------------

def open_and_run(page, path, run_timeout):
    """Open the served notebook at ``path``, Run All Cells; return what went wrong."""
    page.open(path)
    page.run_all(timeout=run_timeout)
    return page.problems()


def move_sliders(page, explorer, timeout=30):
    """Move ``explorer``'s slider by keyboard, then by typing; check printout and figure."""
    cell = page.explorer_cell(explorer.slider)
    values, printed, figures = page.settled_state(cell)
    assert figures and all(figures), f"explorer of {explorer.slider!r} shows no figure"
    assert explorer.printed(values) in printed.splitlines(), (
        f"before any move, the explorer of {explorer.slider!r} prints {printed!r}; "
        f"expected the line {explorer.printed(values)!r} for {values}")
    state = (values, printed, figures)

    handle = page.slider(explorer.slider, cell).locator("[role=slider]")
    key = "ArrowLeft" if values[explorer.slider] >= float(handle.get_attribute("aria-valuemax")) \
        else "ArrowRight"
    page.press_on_handle(cell, explorer.slider, key)
    new = page.wait_for_new_state(cell, state, timeout)
    moved = new[0][explorer.slider] - values[explorer.slider]
    assert (moved > 0) == (key == "ArrowRight"), f"{key} moved {explorer.slider!r} by {moved}"
    assert_prints(explorer, new)

    page.type_into_readout(cell, explorer.slider, f"{explorer.typed:g}")
    typed = page.wait_for_new_state(cell, new, timeout)
    assert math.isclose(typed[0][explorer.slider], explorer.typed, abs_tol=1e-9), (
        f"typed {explorer.typed} into the readout of {explorer.slider!r}; "
        f"the slider shows {typed[0][explorer.slider]}")
    assert_prints(explorer, typed)
    return cell


def assert_prints(explorer, state):
    values, printed, _ = state
    expected = explorer.printed(values)
    assert expected in printed.splitlines(), (
        f"for {values} the explorer prints {printed!r}; the pure function gives {expected!r}")


def assert_explorers_listed(page, path, entry):
    """Every cell that shows sliders has an explorer in ``entry``, so none goes untested."""
    listed = {page.cell_index(page.explorer_cell(e.slider)) for e in entry.explorers}
    unlisted = {i: labels for i, labels in page.slider_cells().items() if int(i) not in listed}
    assert not unlisted, (f"{path}: code cells {unlisted} (index: slider labels) show sliders "
                          f"but NOTEBOOKS lists no explorer for them")


# A readout as the sliders' formats write it (d3-format, with its minus sign −): a whole
# number or at most two decimals.
ROUNDED = re.compile(r"^[+\-−]?\d+(\.\d{1,2})?$")


def assert_sliders_named(page, path, names):
    """Each slider has the accessible name listed for it (what it moves, in words) and speaks
    the rounded value its readout shows."""
    if names:
        page.wait_for_named_sliders()
    sliders = page.slider_access()
    assert [s["name"] for s in sliders] == list(names), (
        f"{path}: the sliders' accessible names are {[s['name'] for s in sliders]}, "
        f"expected {list(names)}")
    for name in names:
        assert page.sliders_named(name) == names.count(name), (
            f"{path}: Playwright finds no slider named {name!r}")
    for slider in sliders:
        assert ROUNDED.match(slider["readout"] or ""), f"{path}: {slider} shows an unrounded value"
        assert slider["spoken"] == slider["readout"], (
            f"{path}: slider {slider['label']!r} speaks {slider['spoken']!r} but shows "
            f"{slider['readout']!r}")


def stored_descriptions(path):
    """The description (alt text) of every figure stored in the notebook at ``path``."""
    cells = nbformat.read(REPO / path, as_version=4).cells
    return [" ".join(output["metadata"]["image/png"]["alt"].split())
            for cell in cells if cell.cell_type == "code" for output in cell.get("outputs", [])
            if "image/png" in output.get("data", {})]


def assert_figures_described(page, path):
    """Every figure on the page is followed by a caption line "Figure: ...", and every figure
    stored in the notebook has its description among them."""
    captions = page.figure_captions()
    assert captions, f"{path}: no figure on the page"
    bare = [i for i, caption in enumerate(captions)
            if not caption.startswith("Figure: ") or len(caption) < 20]
    assert not bare, (f"{path}: figures {bare} (of {len(captions)}) have no caption line after "
                      f"them; they are followed by {[captions[i][:60] for i in bare]}")
    missing = [d for d in stored_descriptions(path) if f"Figure: {d}" not in captions]
    assert not missing, f"{path}: these figure descriptions are not on the page: {missing}"


def check_notebook(page, path, entry):
    problems = open_and_run(page, path, entry.run_timeout)
    context = [f"(browser console, for context: {error})" for error in page.console_errors[:5]]
    assert not problems, f"{path} after Run All Cells:\n  " + "\n  ".join(problems + context)
    assert_explorers_listed(page, path, entry)
    if entry.accessible:
        assert_sliders_named(page, path, entry.slider_names)
        assert_figures_described(page, path)

    last_cell = None
    for explorer in entry.explorers:
        last_cell = move_sliders(page, explorer)
    assert not page.problems(), f"{path} after moving sliders: {page.problems()}"
    if entry.accessible:
        assert_sliders_named(page, path, entry.slider_names)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if last_cell is not None:
        last_cell.scroll_into_view_if_needed()
    name = Path(path).stem if path.startswith("notebooks/") else path.replace("/", "_")[:-6]
    page.page.screenshot(path=SCREENSHOTS / f"{name}.png")


@pytest.mark.browser
@pytest.mark.parametrize("entry", NOTEBOOKS, ids=lambda entry: Path(entry.name).stem)
def test_notebook_in_jupyterlab(notebook_page, entry):
    check_notebook(notebook_page, f"notebooks/{entry.name}", entry)


def test_every_notebook_is_listed():
    """Adding a notebook means adding its line to NOTEBOOKS (with its explorers)."""
    on_disk = {path.name for path in (REPO / "notebooks").glob("*.ipynb")}
    listed = [entry.name for entry in NOTEBOOKS]
    assert len(listed) == len(set(listed)), f"a notebook is listed twice in NOTEBOOKS: {listed}"
    assert set(listed) == on_disk, (
        f"add to NOTEBOOKS (with its explorers): {sorted(on_disk - set(listed))}; "
        f"listed but not in notebooks/: {sorted(set(listed) - on_disk)}")


def test_missing_browser_skips_with_install_hint_but_fails_under_ci(monkeypatch):
    import browser_support
    monkeypatch.setattr(browser_support.shutil, "which", lambda name: None)
    monkeypatch.setattr(browser_support.os.path, "exists", lambda path: False)
    reason = browser_support.missing_requirements()
    assert "Chromium" in reason and "apt-get install chromium" in reason

    monkeypatch.setattr("test_browser.missing_requirements", lambda: reason)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require_browser()


# --- the harness proves itself on notebooks written here, not in notebooks/ --------------------

SCRATCH_EXPLORER = '''\
# NBVAL_IGNORE_OUTPUT
import ipywidgets as widgets
from IPython.display import display

# Like the course's explorers: a slider sends its value once it stops (continuous_update
# off), and the callback shows its own figure only (never plt.show(), which shows every open
# figure, a half-drawn one of an overlapping callback included).
a = widgets.FloatSlider(value=0.5, min=-2, max=2, step=0.1, description="a", continuous_update=False)
b = widgets.FloatSlider(value=1.0, min=-2, max=2, step=0.1, description="b", continuous_update=False)
out = widgets.Output()

def show(change=None):
    with out:
        out.clear_output(wait=True)
        print(f"f(a, b) = {np.tanh(a.value) * b.value:.8f}")
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot(np.linspace(-2, 2, 50), np.tanh(np.linspace(-2, 2, 50)) * b.value)
        ax.axvline(a.value)
        display(fig)
        plt.close(fig)

a.observe(show, "value")
b.observe(show, "value")
show()
display(widgets.VBox([a, b, out]))
'''

FROZEN_FIGURE_EXPLORER = '''\
# NBVAL_IGNORE_OUTPUT
import ipywidgets as widgets
from IPython.display import display

c = widgets.FloatSlider(value=0.5, min=-2, max=2, step=0.1, description="c", continuous_update=False)
out = widgets.Output()

def show(change=None):
    with out:
        out.clear_output(wait=True)
        print(f"c squared = {c.value ** 2:.8f}")
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot([0, 1], [0, 1])   # the same figure whatever c is
        display(fig)
        plt.close(fig)

c.observe(show, "value")
show()
display(widgets.VBox([c, out]))
'''
FROZEN = Explorer("c", lambda v: f"c squared = {v['c'] ** 2:.8f}", typed=1.5)

SCRATCH = Notebook("scratch.ipynb", accessible=False, explorers=(
    Explorer("a", lambda v: f"f(a, b) = {math.tanh(v['a']) * v['b']:.8f}", typed=-1.5),
    Explorer("b", lambda v: f"f(a, b) = {math.tanh(v['a']) * v['b']:.8f}", typed=2.0),
))


def write_harness_notebooks(folder):
    """A scratch notebook with an explorer like the course's, and broken ones the check must
    catch: an exception, and an explorer whose figure never changes."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    folder.mkdir()
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    imports = new_code_cell("%matplotlib inline\nimport matplotlib.pyplot as plt\nimport numpy as np")
    notebooks = {
        "scratch.ipynb": [new_markdown_cell("# Scratch"), imports, new_code_cell(SCRATCH_EXPLORER),
                          new_code_cell("import warnings\nwarnings.warn('a warning is no error')")],
        "raises.ipynb": [new_markdown_cell("# Raises"), imports,
                         new_code_cell(FROZEN_FIGURE_EXPLORER), new_code_cell("1 / 0"),
                         new_code_cell("print('never runs')")],
    }
    for name, cells in notebooks.items():
        nbformat.write(new_notebook(cells=cells, metadata=kernel), folder / name)


@pytest.mark.browser
def test_harness_moves_sliders_of_a_scratch_explorer(notebook_page):
    check_notebook(notebook_page, "harness/scratch.ipynb", SCRATCH)


@pytest.mark.browser
def test_harness_sees_what_goes_wrong(notebook_page):
    """The checks can fail: an exception, a page error, a figure that does not change, a wrong
    expected printout and an unlisted explorer are all reported."""
    problems = open_and_run(notebook_page, "harness/raises.ipynb", 60)
    assert any("ZeroDivisionError: division by zero" in p for p in problems), problems
    assert any("did not run" in p for p in problems), problems
    with pytest.raises(AssertionError, match=r"did not update:\n(.|\n)*the same figure bytes"):
        move_sliders(notebook_page, FROZEN)  # the kernel handles the move; the figure stays

    notebook_page.page.evaluate("setTimeout(() => { throw new Error('thrown on purpose'); })")
    notebook_page.page.wait_for_timeout(200)
    assert any("thrown on purpose" in p for p in notebook_page.problems())

    assert not open_and_run(notebook_page, "harness/scratch.ipynb", 60)
    with pytest.raises(AssertionError, match="lists no explorer"):
        assert_explorers_listed(notebook_page, "scratch", Notebook("scratch", ()))
    # the scratch explorer's sliders have no names, its figure no caption
    with pytest.raises(AssertionError, match=r"accessible names are \[None, None\]"):
        assert_sliders_named(notebook_page, "scratch", ())
    with pytest.raises(AssertionError, match="have no caption line"):
        assert_figures_described(notebook_page, "scratch")
    off_by_one = Explorer("a", lambda v: f"f(a, b) = {math.tanh(v['a']) * v['b'] + 1e-8:.8f}", 1)
    with pytest.raises(AssertionError, match="expected the line"):
        move_sliders(notebook_page, off_by_one)
