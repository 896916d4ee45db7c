"""Check the built release in FOLDER (python .ci/check_dist.py build/dist): one wheel and one
sdist of pyproject.toml's version, the wheel holding every tracked file of the package (its
modules and its data, such as the digits) and the licence, the sdist holding the sources.
Prints what it checked; exits 1 with the reasons when anything is missing."""
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(folder):
    folder = Path(folder)
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    wheels = sorted(folder.glob("*.whl"))
    sdists = sorted(folder.glob("*.tar.gz"))
    problems = []
    if [w.name for w in wheels] != [f"backprop_helpers-{version}-py3-none-any.whl"]:
        problems.append(f"expected one wheel of version {version}, found {[w.name for w in wheels]}")
    if [s.name for s in sdists] != [f"backprop_helpers-{version}.tar.gz"]:
        problems.append(f"expected one sdist of version {version}, found {[s.name for s in sdists]}")
    if problems:
        return report(problems)

    tracked = subprocess.run(["git", "ls-files", "backprop_helpers"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split()
    package = [name for name in tracked if not name.endswith((".pyc", "/.gitignore"))]
    with zipfile.ZipFile(wheels[0]) as wheel:
        in_wheel = set(wheel.namelist())
        info = f"backprop_helpers-{version}.dist-info"
        metadata = wheel.read(f"{info}/METADATA").decode()
        licence = wheel.read(f"{info}/licenses/LICENSE").decode() if f"{info}/licenses/LICENSE" in in_wheel else ""
    problems += [f"the wheel lacks {name}" for name in package if name not in in_wheel]
    if licence != (ROOT / "LICENSE").read_text():
        problems.append("the wheel does not carry LICENSE as it is in the repository")
    for line in ("License-Expression: MIT", f"Version: {version}", "License-File: LICENSE"):
        if line not in metadata.splitlines():
            problems.append(f"the wheel's METADATA lacks the line {line!r}")

    with tarfile.open(sdists[0]) as sdist:
        top = f"backprop_helpers-{version}/"
        in_sdist = {name.removeprefix(top) for name in sdist.getnames()}
    problems += [f"the sdist lacks {name}" for name in package + ["LICENSE", "pyproject.toml", "README.md"]
                 if name not in in_sdist]
    if problems:
        return report(problems)
    data = sorted(name for name in package if not name.endswith(".py"))
    print(f"{wheels[0].name}: all {len(package)} tracked files of the package, the data among them "
          f"({', '.join(Path(n).name for n in data)}), and LICENSE")
    print(f"{sdists[0].name}: the same files, LICENSE, pyproject.toml and README.md")
    return 0


def report(problems):
    print("the built release is incomplete:", *problems, sep="\n  ")
    return 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python .ci/check_dist.py FOLDER (where python -m build wrote the wheel and sdist)")
    sys.exit(main(sys.argv[1]))
