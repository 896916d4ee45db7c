"""Re-execute notebooks in place, the way the repository stores them.

    run-notebooks                      # every notebooks/*.ipynb
    run-notebooks notebooks/02_*.ipynb # just these

Each notebook runs in a fresh kernel from the current environment, top to bottom, in its own
folder; the outputs are stored without widget state (a widget's live state means nothing in
a file, bloats diffs and goes stale). Run it after every change to a notebook, then
`pytest` re-executes them again and compares.
"""
import argparse
import glob
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path, timeout=600, allow_errors=False):
    """The notebook at ``path`` run top to bottom in a fresh kernel, in its own folder.

    No widget state is kept, and nbclient's stand-in for the Output widget is switched off:
    what an explorer prints when it first draws becomes a plain output of its cell, as a
    static rendering shows it. (The stand-in also talks back to the kernel while a cell runs,
    which made runs fail now and then; without it they are deterministic.)
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # timestamps of an earlier run
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            store_widget_state=False, allow_errors=allow_errors,
                            record_timing=False)  # no timestamps: diffs show only real changes
    client.widget_registry = {}
    client.execute()
    return notebook


def record_alt_texts(notebook):
    """Copy each figure's alt text into its cell's metadata, where the website builder reads it.

    ``plots.show_figure`` puts the alt text in the image output's metadata (what JupyterLab
    shows); myst-nb, which renders the website, reads one alt text per cell from the cell
    metadata ``mystnb.image.alt``. Several figures with different alt texts in one cell are
    joined, and the test of the figures asks for one figure per cell instead.
    """
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        alts = [output.get("metadata", {}).get("image/png", {}).get("alt")
                for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]
        alts = list(dict.fromkeys(alt for alt in alts if alt))
        image = cell.metadata.get("mystnb", {}).get("image", {})
        if alts:
            image["alt"] = " ".join(alts)
        else:
            image.pop("alt", None)  # no figure with alt text any more: drop the stale copy
        if image:
            cell.metadata.setdefault("mystnb", {})["image"] = image
        elif "mystnb" in cell.metadata:
            cell.metadata["mystnb"].pop("image", None)
            if not cell.metadata["mystnb"]:
                del cell.metadata["mystnb"]
    return notebook


def run_notebook(path, timeout=600):
    """Execute the notebook at ``path`` and save it in place (figures' alt texts recorded)."""
    nbformat.write(record_alt_texts(execute(path, timeout)), path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: notebooks/*.ipynb)")
    parser.add_argument("--timeout", type=int, default=600, metavar="SECONDS",
                        help="fail a notebook whose cell runs longer than this (default 600)")
    args = parser.parse_args(argv)
    if not args.timeout > 0:
        parser.error(f"--timeout should be a positive number of seconds, got {args.timeout}")
    paths = args.notebooks or sorted(glob.glob("notebooks/*.ipynb"))
    if not paths:
        parser.error("no notebooks given and none found in notebooks/ (run from the project root)")
    for path in paths:
        start = time.perf_counter()
        print(f"running {path} ...", end=" ", flush=True)
        try:
            run_notebook(path, timeout=args.timeout)
        except Exception as error:  # report which notebook failed, then stop
            print("FAILED")
            print(f"{path}: {type(error).__name__}: {error}", file=sys.stderr)
            return 1
        print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
