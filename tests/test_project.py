"""The project's set-up stays consistent: environment.yml and pyproject.toml, README and CI."""
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement):
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for r in project["optional-dependencies"]["test"]}
    listed = set()
    text = (ROOT / "environment.yml").read_text()
    for line in text[text.index("dependencies:"):].splitlines():
        item = re.match(r"^\s*-\s+(\S.*)$", line)
        if item and not item.group(1).startswith("-e") and item.group(1) != "pip:":
            listed.add(_name(item.group(1)))
    listed -= {"python", "pip"}
    assert listed == wanted, (f"only in environment.yml: {sorted(listed - wanted)}; "
                              f"only in pyproject.toml: {sorted(wanted - listed)}")
    assert "-e ." in (ROOT / "environment.yml").read_text(), "environment.yml must install the package"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    commands = re.findall(r"```bash\n(.*?)\n```", readme, flags=re.S)
    test_command = next(c for c in commands if c.rstrip().endswith("pytest"))
    assert test_command.strip() in ci


def test_pytest_runs_unit_tests_and_strict_nbval_over_the_notebooks():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "notebooks" in options["testpaths"] and "tests" in options["testpaths"]
    assert "--nbval " in options["addopts"] + " " and "--nbval-lax" not in options["addopts"]
