"""The project's set-up stays consistent: pyproject.toml, environment.yml, the tested floors,
Binder, the README, the notebooks' Colab cell, and CI."""
import re
from pathlib import Path

import nbformat
import pytest

from backprop_helpers.site import binder_url, colab_url, read_toml, repository_url

ROOT = Path(__file__).resolve().parent.parent
PROJECT = read_toml(ROOT / "pyproject.toml")["project"]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

COLAB_CELL = '''\
# On Colab only: install the course's helper package, release v{version} (elsewhere this cell
# does nothing). Packages the kernel already has, such as Colab's own ipywidgets, are kept.
import sys
if "google.colab" in sys.modules:
    import importlib.util
    needed = [{needed}]
    missing = " ".join(name for name in needed if importlib.util.find_spec(name) is None)
    %pip install --quiet --no-deps "backprop-helpers @ git+{url}@v{version}"
    if missing:
        %pip install --quiet $missing'''


def _name(requirement):
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _bound(requirement):
    """The lower bound of a requirement such as ``numpy>=1.24`` ("1.24"), or None."""
    found = re.search(r">=\s*([\w.]+)", requirement.split(";")[0])
    return found.group(1) if found else None


def _environment_yml():
    """{name: requirement} of environment.yml's dependencies (conda and pip alike)."""
    listed = {}
    text = (ROOT / "environment.yml").read_text()
    for line in text[text.index("dependencies:"):].splitlines():
        item = re.match(r"^\s*-\s+([^#]*?)\s*(#.*)?$", line)
        if item and item.group(1) and not item.group(1).startswith("-e") and item.group(1) != "pip:":
            listed[_name(item.group(1))] = item.group(1)
    return listed


def _floors():
    floors = {}
    for line in (ROOT / "constraints" / "floors.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            floors[_name(name)] = version.strip()
    return floors


def _readme_commands():
    return re.findall(r"```bash\n(.*?)\n```", (ROOT / "README.md").read_text(), flags=re.S)


def test_the_package_needs_only_what_runs_in_a_browser_kernel_or_colab():
    """JupyterLab and the tools for tests and the website are extras, never dependencies."""
    runtime = {_name(r) for r in PROJECT["dependencies"]}
    assert runtime == {"numpy", "matplotlib", "ipywidgets", "tqdm", "nbclient", "nbformat"}
    extras = PROJECT["optional-dependencies"]
    assert {_name(r) for r in extras["course"]} == {"jupyterlab"}
    assert {_name(r) for r in extras["site"]} <= {_name(r) for r in extras["test"]}, (
        "the test extra must hold the site's tools: the tests build the site")
    assert "jupyterlab" in {_name(r) for r in extras["test"]}, "the browser test drives JupyterLab"


def test_environment_yml_lists_the_same_dependencies_and_bounds_as_pyproject():
    wanted = {}
    for requirement in PROJECT["dependencies"] + sum(PROJECT["optional-dependencies"].values(), []):
        wanted[_name(requirement)] = _bound(requirement)
    listed = _environment_yml()
    python = listed.pop("python")
    extra_tools = {"pip", "nodejs"}  # conda's pip, and npm for build-site's MathJax
    names = set(listed) - extra_tools
    assert names == set(wanted), (f"only in environment.yml: {sorted(names - set(wanted))}; "
                                  f"only in pyproject.toml: {sorted(set(wanted) - names)}")
    differ = {n: (_bound(listed[n]), wanted[n]) for n in names if _bound(listed[n]) != wanted[n]}
    assert not differ, f"lower bounds differ (environment.yml, pyproject.toml): {differ}"
    assert _bound(python) == PROJECT["requires-python"].removeprefix(">="), (python, PROJECT["requires-python"])
    assert "-e ." in (ROOT / "environment.yml").read_text(), "environment.yml must install the package"


def test_declared_floors_are_the_tested_floors():
    """constraints/floors.txt (what .ci/run installs on the oldest Python) pins every runtime
    dependency and JupyterLab to exactly the lower bound pyproject.toml declares."""
    declared = {_name(r): _bound(r) for r in PROJECT["dependencies"]
                + PROJECT["optional-dependencies"]["course"]}
    assert _floors() == declared, f"floors.txt {_floors()} != pyproject.toml {declared}"
    ci = (ROOT / ".ci" / "run").read_text()
    oldest = PROJECT["requires-python"].removeprefix(">=")
    assert "constraints/floors.txt" in ci, ".ci/run must test the floors"
    assert re.search(rf"PYENV_VERSION=\$?\{{?\w*\}}?{re.escape(oldest)}|OLDEST_PYTHON={re.escape(oldest)}", ci), (
        f".ci/run must run the floors on Python {oldest}, the oldest requires-python allows")


def test_binder_gets_the_runtime_packages_only():
    lines = [line.split("#")[0].strip()
             for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines()]
    lines = [line for line in lines if line]
    assert "." in lines or "-e ." in lines, "binder/requirements.txt must install the package"
    named = {_name(line) for line in lines if line not in (".", "-e .")}
    assert named == {"jupyterlab"}, f"Binder needs JupyterLab and the package only, got {named}"
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    version = re.fullmatch(r"python-3\.(\d+)", runtime)
    assert version, f"binder/runtime.txt must read python-3.X, got {runtime!r}"
    oldest = int(PROJECT["requires-python"].removeprefix(">=3."))
    assert int(version.group(1)) >= oldest


def test_repository_url_is_defined_once_and_everything_agrees():
    url = repository_url(ROOT)
    assert url == PROJECT["urls"]["Repository"].rstrip("/")
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        relative = path.relative_to(ROOT).as_posix()
        assert colab_url(url, relative) in readme, f"README: no Open in Colab link for {relative}"
        assert binder_url(url, relative) in readme, f"README: no Binder link for {relative}"
    badge = f"{url}/actions/workflows/ci.yml/badge.svg"
    assert badge in readme, "README: the CI badge is missing or points elsewhere"
    other = set(re.findall(r"github\.com/[\w.-]+/[\w.-]+", readme)) - {url.removeprefix("https://")}
    assert not other, f"README names another repository: {other}"


def _colab_cell():
    """The Colab cell as it must read, from pyproject.toml's version, address and dependencies."""
    needed = ", ".join(f'"{_name(r)}"' for r in PROJECT["dependencies"])
    return COLAB_CELL.format(url=repository_url(ROOT), version=PROJECT["version"], needed=needed)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_starts_with_its_title_then_the_colab_install_cell(path):
    title, first = nbformat.read(path, as_version=4).cells[:2]
    assert title.cell_type == "markdown" and title.source.startswith(f"# {path.name[:2]} · "), (
        f"{path.name}: the first cell must be the title, '# {path.name[:2]} · ...'")
    expected = _colab_cell()
    assert first.cell_type == "code" and first.source.strip() == expected, (
        f"{path.name}: the first code cell must be exactly\n{expected}\ngot:\n{first.source}")
    assert f"@v{PROJECT['version']}\"" in first.source, "the Colab cell installs the release's tag"
    assert not first.get("outputs"), f"{path.name}: the Colab cell prints nothing elsewhere"


def _run_colab_cell(monkeypatch, on_colab, absent=()):
    """Run the notebooks' Colab cell as IPython would, with the %pip magic recorded instead of
    run; ``absent`` names the modules the kernel is made to lack. Returns the pip command lines."""
    import importlib.util
    import sys
    import types

    from IPython.core.inputtransformer2 import TransformerManager

    source = nbformat.read(NOTEBOOKS[0], as_version=4).cells[1].source
    code = TransformerManager().transform_cell(source)
    calls = []
    namespace = {}

    class Shell:  # IPython expands $name from the cell's namespace, then runs the magic
        def run_line_magic(self, magic, line):
            calls.append(f"%{magic} " + re.sub(r"\$(\w+)", lambda m: namespace[m.group(1)], line))

    namespace["get_ipython"] = Shell
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name in absent else find_spec(name, *args))
    exec(compile(code, "colab_cell", "exec"), namespace)
    return calls


def test_colab_cell_installs_nothing_outside_colab(monkeypatch):
    assert _run_colab_cell(monkeypatch, on_colab=False) == []


def test_colab_cell_installs_the_release_and_keeps_the_kernels_packages(monkeypatch):
    """Colab's kernel has every dependency (its own ipywidgets 7 among them): only the package
    itself is installed, from the release's tag, and nothing of the kernel is replaced."""
    release = f"git+{repository_url(ROOT)}@v{PROJECT['version']}"
    assert _run_colab_cell(monkeypatch, on_colab=True) == [
        f'%pip install --quiet --no-deps "backprop-helpers @ {release}"']


def test_colab_cell_installs_the_dependencies_the_kernel_lacks(monkeypatch):
    calls = _run_colab_cell(monkeypatch, on_colab=True, absent={"tqdm", "nbclient"})
    assert len(calls) == 2 and "--no-deps" in calls[0], calls
    assert calls[1] == "%pip install --quiet tqdm nbclient"


# --- the release ------------------------------------------------------------------------------

def test_licence_file_is_the_mit_licence_the_metadata_declares():
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n"), "LICENSE must be the MIT licence pyproject.toml declares"
    for sentence in ("Permission is hereby granted, free of charge, to any person obtaining a copy",
                     "The above copyright notice and this permission notice shall be included in all",
                     'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR'):
        assert sentence in text, f"LICENSE lacks the MIT licence's line {sentence!r}"
    holder = re.search(r"^Copyright \(c\) \d{4} (.+)$", text, re.M)
    assert holder, "LICENSE needs its copyright line: the MIT licence asks that it be kept"
    assert holder.group(1) in {author["name"] for author in PROJECT["authors"]}, (
        f"the copyright holder {holder.group(1)!r} is not among pyproject.toml's authors")


def test_changelog_has_a_dated_entry_for_the_current_version_first():
    import datetime

    text = (ROOT / "CHANGELOG.md").read_text()
    releases = re.findall(r"^## \[([^\]]+)\](?: - (\S+))?$", text, re.M)
    assert releases[0] == ("Unreleased", ""), "the changelog starts with an Unreleased section"
    version, date = releases[1]
    assert version == PROJECT["version"], (
        f"the newest release in CHANGELOG.md is {version}, pyproject.toml says {PROJECT['version']}")
    datetime.date.fromisoformat(date)  # YYYY-MM-DD
    entry = text.split(f"## [{version}]")[1].split("\n## ")[0]
    assert re.search(r"^### (Added|Changed|Fixed|Removed|Deprecated|Security)$", entry, re.M)
    assert re.search(r"^- \S", entry, re.M), "the entry says what the release contains"
    tag = f"{repository_url(ROOT)}/releases/tag/v{version}"
    assert f"[{version}]: {tag}" in text, f"CHANGELOG.md must link [{version}] to the tag v{version}"


def test_version_is_written_once_in_pyproject(monkeypatch):
    """__version__ comes from the installed metadata, or from pyproject.toml in a source tree
    that is not installed: both routes give pyproject.toml's version."""
    from importlib import metadata

    import backprop_helpers
    assert backprop_helpers.__version__ == PROJECT["version"]
    assert PROJECT["version"] not in (ROOT / "backprop_helpers" / "__init__.py").read_text()

    def not_installed(name):
        raise metadata.PackageNotFoundError(name)
    monkeypatch.setattr(metadata, "version", not_installed)
    assert backprop_helpers._version() == PROJECT["version"]


def test_build_floor_is_a_setuptools_that_builds_the_spdx_licence():
    """setuptools 68 and 76 refuse `license = "MIT"` (an SPDX string); 77.0.3 builds it."""
    requires = read_toml(ROOT / "pyproject.toml")["build-system"]["requires"]
    setuptools = [r for r in requires if _name(r) == "setuptools"]
    assert len(setuptools) == 1, requires
    floor = tuple(int(part) for part in _bound(setuptools[0]).split("."))
    assert floor >= (77, 0, 3), f"setuptools floor {floor} cannot build an SPDX licence string"


def test_classifiers_name_the_pythons_from_the_oldest_to_the_newest_ci_tests():
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    versions = re.search(r"python-version:\s*\[([^\]]*)\]", workflow).group(1)
    newest = max(int(v.strip(" '\"").split(".")[1]) for v in versions.split(","))
    oldest = int(PROJECT["requires-python"].removeprefix(">=3."))
    named = sorted(int(c.rsplit(".", 1)[1]) for c in PROJECT["classifiers"]
                   if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c))
    assert named == list(range(oldest, newest + 1)), named
    assert not [c for c in PROJECT["classifiers"] if c.startswith("License ::")], (
        "the licence is the SPDX `license` field; a License classifier beside it is refused")


def test_ci_runs_the_readme_test_command():
    test_command = next(c for c in _readme_commands() if c.rstrip().endswith("pytest"))
    assert test_command.strip() in (ROOT / ".ci" / "run").read_text()
    install = re.search(r"pip install (-q )?-e \".\[test\]\"", test_command).group(0)
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    assert install in workflow and '"$BIN/pytest"' in workflow


def test_github_workflow_covers_three_systems_and_the_oldest_and_newest_python():
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    for system in ("ubuntu-latest", "macos-latest", "windows-latest"):
        assert system in workflow
    oldest = PROJECT["requires-python"].removeprefix(">=")
    versions = re.search(r"python-version:\s*\[([^\]]*)\]", workflow).group(1)
    versions = [v.strip(" '\"") for v in versions.split(",")]
    assert versions[0] == oldest and len(versions) >= 2, versions
    assert re.search(r"not browser", workflow), "browser tests run on Linux only"


def test_readme_first_command_installs_the_course_and_opens_jupyterlab():
    first = _readme_commands()[0]
    assert '".[course]"' in first and "jupyter lab" in first


def test_pytest_runs_unit_tests_and_strict_nbval_over_the_notebooks():
    options = read_toml(ROOT / "pyproject.toml")["tool"]["pytest"]["ini_options"]
    assert "notebooks" in options["testpaths"] and "tests" in options["testpaths"]
    assert "--nbval " in options["addopts"] + " " and "--nbval-lax" not in options["addopts"]


def test_pytest_runs_in_parallel_with_each_file_kept_whole():
    """pytest-xdist spreads the suite over the cores, a file whole in one worker (a notebook's
    cells share one kernel, in order), except the JupyterLab tests (conftest.py)."""
    options = read_toml(ROOT / "pyproject.toml")["tool"]["pytest"]["ini_options"]["addopts"].split()
    assert "-n" in options and options[options.index("-n") + 1] == "auto", options
    assert "--dist" in options and options[options.index("--dist") + 1] == "loadfile", options
    assert "pytest-xdist" in {_name(r) for r in PROJECT["optional-dependencies"]["test"]}


def test_workers_get_whole_files_except_the_jupyterlab_tests():
    import importlib.util

    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    root_conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(root_conftest)
    scope_of = root_conftest.scope_of
    assert scope_of("notebooks/03_softmax_relu.ipynb::Cell 0") == "notebooks/03_softmax_relu.ipynb"
    assert scope_of("notebooks/03_softmax_relu.ipynb::Cell 41") == "notebooks/03_softmax_relu.ipynb"
    assert scope_of("tests/test_site.py::test_x[a]") == scope_of("tests/test_site.py::test_y") == "tests/test_site.py"
    lab = "tests/test_browser.py::test_notebook_in_jupyterlab[01_naive_recursion]"
    assert scope_of(lab) == lab
    for path in root_conftest.SPREAD:
        text = (ROOT / path).read_text()
        assert "scope=\"session\"" in text and "tmp_path_factory" in text, (
            f"{path}: its tests share only session fixtures made in per-worker temporary folders")


def test_ci_runs_the_matrix_and_fails_when_any_part_fails():
    ci = (ROOT / ".ci" / "run").read_text()
    kernels = re.search(r"^KERNELS=\(([^)]*)\)", ci, re.M).group(1).split()
    assert {"Prescott", "Haswell", "SkylakeX", "Zen"} <= set(kernels)
    for kernel in kernels:
        assert re.search(rf"\[{kernel}\]=\"[a-z0-9_ ]+\"", ci), f"{kernel}: which CPU flags it needs"
    assert "/proc/cpuinfo" in ci and "OPENBLAS_CORETYPE" in ci
    assert "set -e" not in ci.replace("set -euo", ""), "every part runs, whatever failed before"
    assert ci.rstrip().endswith("exit $FAILED")
    assert "node .ci/actionlint.cjs" in ci and ".venv/bin/build-site" in ci


def test_ci_parts_can_be_run_one_by_one_and_the_workflow_runs_kernels_floors_and_release():
    ci = (ROOT / ".ci" / "run").read_text()
    parts = re.search(r"^PARTS=\(([^)]*)\)", ci, re.M).group(1).split()
    assert {"readme", "kernels", "floors", "release"} <= set(parts)
    for part in parts:
        assert re.search(rf"^\s*(if )?wants {part}\b", ci, re.M), f".ci/run: part {part} is never selected"
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    job = workflow[workflow.index("\n  ci-parts:"):]
    assert "runs-on: ubuntu-latest" in job and "run: bash .ci/run ${{ matrix.part }}" in job
    listed = re.findall(r"^\s+- part: (\w+)", job, re.M)
    assert set(listed) == {"kernels", "floors", "release"}, listed
    floors = re.search(r"- part: floors.*?\n\s+python-version: \"([\d.]+)\"", job, re.S).group(1)
    assert floors == PROJECT["requires-python"].removeprefix(">="), "the floors run on the oldest Python"
    assert "python -m build" in ci and "twine check --strict" in ci and ".ci/check_dist.py" in ci


def test_workflow_caches_pip_and_cancels_superseded_pull_request_runs():
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    setups = re.findall(r"uses: actions/setup-python@v\d+\n\s+with:\n((?:\s{10}.*\n)+)", workflow)
    assert len(setups) == workflow.count("actions/setup-python@") >= 2
    for step in setups:
        assert "cache: pip" in step and "pyproject.toml" in step.split("cache-dependency-path:")[1], step
    concurrency = re.search(r"^concurrency:\n((?:  .*\n)+)", workflow, re.M).group(1)
    assert "group: ${{ github.workflow }}-${{ github.ref }}" in concurrency
    assert "cancel-in-progress: ${{ github.event_name == 'pull_request' }}" in concurrency


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_notebook_shows_no_warning_or_error_text(path):
    """A learner reads every stored output: a warning on stderr there (a missing glyph, a
    deprecation) is noise at best and a hidden defect at worst."""
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        for output in cell.get("outputs", []):
            assert not (output.output_type == "stream" and output.name == "stderr"), (
                f"{path.name}: cell {index} stores text on stderr: {output.text[:200]!r}")
