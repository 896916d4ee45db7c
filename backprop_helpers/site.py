"""Build the course website from the notebooks as they are stored: `build-site` -> build/site/.

    build-site                      # from the project root; open build/site/index.html
    build-site --allow-warnings     # build even if Sphinx warns (by default a warning fails)

Nothing is executed: each notebook's page shows its stored outputs (`run-notebooks` makes
them). The site is Sphinx with myst-nb and the book theme, configured in `docs/conf.py`: a
landing page for learners (`docs/index.md`), a page per notebook in reading order with navigation,
maths rendered by MathJax and every figure with its alt text. MathJax is taken from the npm
registry (`npm pack`, once, cached in build/cache/) and served with the site, so an opened
page loads nothing from another host. Explorers show their stored printout with a line
saying how to run them live; each page links to Colab and Binder. The README becomes a page
for teachers and maintainers.

Needs the `site` extra (`pip install -e ".[site]"`) and npm (Node.js) for MathJax, or
`--mathjax` with a MathJax 3 package (.tgz from `npm pack mathjax@3`, or its folder).
"""
import argparse
import json
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from urllib.parse import quote

import nbformat

MATHJAX = "mathjax@3.2.2"  # MathJax 3 carries its fonts; MathJax 4 fetches them from a CDN
# The parts of MathJax's es5/ folder the site uses: the TeX-to-HTML bundle and what it loads
# on demand (TeX extensions, fonts, the menu and the accessibility tools).
MATHJAX_PARTS = ("tex-chtml.js", "input/", "output/chtml", "ui/", "a11y/", "sre/", "adaptors/")
BRANCH = "main"
# The text form of an explorer's widget: a box of widgets, e.g. "VBox(children=(...", or an
# `interact`. (A progress bar, also a widget, shows as its bar: "training: 100%|...".)
EXPLORER_REPR = re.compile(r"^(interactive|\w*Box)\(children=")


def read_toml(path):
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    return tomllib.loads(Path(path).read_text(encoding="utf-8"))


def repository_url(root="."):
    """The repository's address, defined once in pyproject.toml's [project.urls]."""
    urls = read_toml(Path(root) / "pyproject.toml")["project"].get("urls", {})
    if "Repository" not in urls:
        raise ValueError("pyproject.toml has no [project.urls] Repository = \"https://github.com/OWNER/NAME\"")
    return urls["Repository"].rstrip("/")


def _github_path(repo_url):
    match = re.fullmatch(r"https://github\.com/([^/]+/[^/]+?)(?:\.git)?", repo_url)
    if not match:
        raise ValueError(f"the repository URL must be https://github.com/OWNER/NAME, got {repo_url!r}")
    return match.group(1)


def colab_url(repo_url, path):
    """Open the notebook at ``path`` (relative to the repository root) in Google Colab."""
    return f"https://colab.research.google.com/github/{_github_path(repo_url)}/blob/{BRANCH}/{path}"


def binder_url(repo_url, path):
    """Open the notebook at ``path`` in JupyterLab on mybinder.org (built from binder/)."""
    return f"https://mybinder.org/v2/gh/{_github_path(repo_url)}/{BRANCH}?labpath={quote(path, safe='')}"


# --- turning the repository's files into the site's sources -----------------------------------

_LINK = re.compile(r'(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*([^)\s]+)((?:\s+"[^"]*")?)\s*\)')
_FENCE = re.compile(r"^(```|~~~).*?^\1\s*$", re.M | re.S)


def rewrite_links(markdown, page_dir, root, pages, repo_url, pictures=None):
    """Markdown of a page moved into the site: links to pages of the site stay as they are,
    links to other files of the repository point to the repository, pictures from another
    host (badges) are left out (an opened page loads nothing from another host). Pictures
    that are files of the repository stay as they are, their paths added to ``pictures`` (a
    set) for the site to carry them."""

    def link(match):
        bang, text, target, title = match.groups()
        if not bang and "](" in text:  # a linked picture, such as a badge
            text = _LINK.sub(link, text)
            if not text.strip():
                return ""
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            if not bang:
                return f"[{text}]({target}{title})"
            if bang and re.match(r"^(https?:)?//", target, re.I):
                return ""
            return match.group(0)
        path, _, fragment = target.partition("#")
        resolved = (page_dir / path).resolve()
        try:
            relative = resolved.relative_to(root.resolve()).as_posix()
        except ValueError:
            return match.group(0)
        if relative in pages:
            return match.group(0)
        if bang and resolved.is_file() and pictures is not None:
            pictures.add(relative)
            return match.group(0)
        kind = "tree" if resolved.is_dir() else "blob"
        url = f"{repo_url}/{kind}/{BRANCH}/{relative}" + (f"#{fragment}" if fragment else "")
        return f"{bang}[{text}]({url}{title})"

    pieces, last = [], 0
    for fence in _FENCE.finditer(markdown):  # leave code blocks alone
        pieces.append(_LINK.sub(link, markdown[last:fence.start()]))
        pieces.append(fence.group(0))
        last = fence.end()
    pieces.append(_LINK.sub(link, markdown[last:]))
    return "".join(pieces)


def _run_live_line(repo_url, path, what):
    return (f"[Open in Colab]({colab_url(repo_url, path)}) · "
            f"[Launch on Binder]({binder_url(repo_url, path)}) · or in JupyterLab on your own "
            f"machine ([how to set it up](../index.md#how-to-start)){what}")


def is_explorer(cell):
    """A code cell whose stored output is an interactive explorer (a widget with sliders)."""
    return cell.cell_type == "code" and any(
        EXPLORER_REPR.match(output.get("data", {}).get("text/plain", ""))
        for output in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in output.get("data", {}))


def is_figure_caption(output, previous):
    """An output that repeats, as a caption line, the alt text of the figure ``previous``
    (plots.figure_caption): the website gives that text to the image as its alt already."""
    from .plots.style import figure_caption
    alt = (previous or {}).get("metadata", {}).get("image/png", {}).get("alt")
    return bool(alt) and dict(output.get("data", {})) == figure_caption(alt)


def site_notebook(path, root, pages, repo_url):
    """The notebook at ``path`` as its page shows it: links to run it live under its title,
    explorers reduced to their stored printout with a note on running them, widgets (which
    need a kernel) and figures' caption lines (the images carry the same words as alt text)
    left out, links to repository files pointing to the repository."""
    notebook = nbformat.read(path, as_version=4)
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    cells = []
    titled = False
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = rewrite_links(cell.source, path.parent, root, pages, repo_url)
        explorer = is_explorer(cell)
        if cell.cell_type == "code":
            cell.outputs = [o for i, o in enumerate(cell.outputs)
                            if "application/vnd.jupyter.widget-view+json" not in o.get("data", {})
                            and not (i and is_figure_caption(o, cell.outputs[i - 1]))]
        cells.append(cell)
        if explorer:
            cells.append(nbformat.v4.new_markdown_cell(
                "**This explorer is interactive.** " + ("What it printed in the stored run is "
                "shown above. " if cell.outputs else "") + "To move its sliders, run the "
                "notebook live: " + _run_live_line(repo_url, relative, ".")))
        if not titled and cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            titled = True
            cells.append(nbformat.v4.new_markdown_cell(
                "**Run this notebook:** " + _run_live_line(repo_url, relative, ".")))
    notebook.cells = cells
    notebook.metadata.pop("widgets", None)  # no widget state: nothing for the site to load
    return notebook


def _toctree(caption, entries):
    return (f"\n```{{toctree}}\n:maxdepth: 1\n:caption: {caption}\n:hidden:\n\n"
            + "\n".join(entries) + "\n```\n")


def landing_page(root, pages, repo_url, notebooks):
    """index.md: the learners' front page (docs/index.md), its links fixed for the site, then
    the table of contents: the notebooks in reading order, and the README for teachers."""
    text = rewrite_links((root / "docs" / "index.md").read_text(encoding="utf-8"),
                         root, root, pages, repo_url)
    return (text.rstrip() + "\n" + _toctree("The notebooks", [Path(n).with_suffix("").as_posix()
                                                              for n in notebooks])
            + _toctree("For teachers", ["For teachers and maintainers <README>"]))


def fetch_mathjax(cache_dir, given=None):
    """The MathJax package (a .tgz or an unpacked folder): ``given``, else the cached one,
    else fetched from the npm registry with `npm pack`."""
    if given:
        path = Path(given)
        if not path.exists():
            raise SystemExit(f"build-site: --mathjax {given}: no such file or folder")
        return path
    archive = cache_dir / f"{MATHJAX.replace('@', '-')}.tgz"
    if archive.exists():
        return archive
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("build-site: MathJax comes from the npm registry, and npm was not found: "
                         "install Node.js (it brings npm), or give --mathjax with a MathJax 3 "
                         "package (`npm pack mathjax@3` elsewhere makes one)")
    cache_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "pack", MATHJAX, "--silent"], cwd=cache_dir,
                          capture_output=True, text=True)
    if done.returncode != 0 or not archive.exists():
        raise SystemExit(f"build-site: `npm pack {MATHJAX}` failed:\n{done.stderr.strip()}")
    return archive


def install_mathjax(package, target):
    """Copy the parts of MathJax the site uses from ``package`` (.tgz or folder) to ``target``."""
    target.mkdir(parents=True, exist_ok=True)

    def wanted(name):
        if name == "LICENSE":
            return "LICENSE"
        if name.startswith("es5/"):
            inner = name[len("es5/"):]
            if any(inner == part or inner.startswith(part) for part in MATHJAX_PARTS):
                return inner
        return None

    if Path(package).is_dir():
        base = Path(package)
        base = base / "package" if (base / "package" / "es5").is_dir() else base
        for file in base.rglob("*"):
            inner = wanted(file.relative_to(base).as_posix()) if file.is_file() else None
            if inner:
                (target / inner).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file, target / inner)
    else:
        with tarfile.open(package) as archive:
            for member in archive.getmembers():
                name = member.name.removeprefix("package/")
                inner = wanted(name) if member.isfile() else None
                if inner and ".." not in Path(inner).parts:
                    (target / inner).parent.mkdir(parents=True, exist_ok=True)
                    with archive.extractfile(member) as source, open(target / inner, "wb") as out:
                        shutil.copyfileobj(source, out)
    if not (target / "tex-chtml.js").is_file():
        raise SystemExit(f"build-site: {package} holds no es5/tex-chtml.js: is it MathJax 3?")


def stage(root, source, repo_url, mathjax):
    """Write the site's Sphinx sources into ``source``; returns the notebooks in reading order."""
    if source.exists():
        shutil.rmtree(source)
    (source / "notebooks").mkdir(parents=True)
    notebooks = sorted(p.relative_to(root).as_posix() for p in (root / "notebooks").glob("*.ipynb"))
    if not notebooks:
        raise SystemExit("build-site: no notebooks in notebooks/ (run it from the project root)")
    pages = set(notebooks) | {"README.md"}
    for name in notebooks:
        nbformat.write(site_notebook(root / name, root, pages, repo_url), source / name)
    (source / "index.md").write_text(landing_page(root, pages, repo_url, notebooks), encoding="utf-8")
    pictures = set()
    readme = rewrite_links((root / "README.md").read_text(encoding="utf-8"), root, root, pages,
                           repo_url, pictures)
    (source / "README.md").write_text(readme, encoding="utf-8")
    for picture in pictures:   # at the same place relative to the page as in the repository
        (source / picture).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / picture, source / picture)
    shutil.copyfile(root / "docs" / "conf.py", source / "conf.py")
    if (root / "docs" / "_static").is_dir():
        shutil.copytree(root / "docs" / "_static", source / "_static")
    settings = {"repository_url": repo_url, "branch": BRANCH,
                "title": read_toml(root / "pyproject.toml")["project"]["description"]}
    (source / "site.json").write_text(json.dumps(settings, indent=1), encoding="utf-8")
    install_mathjax(mathjax, source / "_static" / "mathjax")
    return notebooks


def build(root=".", output=None, source=None, strict=True, mathjax=None, quiet=True):
    """Build the site; returns Sphinx's exit code (0 when it built without a warning)."""
    root = Path(root).resolve()
    if not (root / "docs" / "conf.py").is_file() or not (root / "notebooks").is_dir():
        raise SystemExit("build-site: run it from the project root (where docs/conf.py and "
                         "notebooks/ are)")
    output = Path(output) if output else root / "build" / "site"
    source = Path(source) if source else root / "build" / "site-source"
    try:
        from sphinx.cmd.build import build_main
        import myst_nb  # noqa: F401
        import sphinx_book_theme  # noqa: F401
        import sphinx_copybutton  # noqa: F401
    except ImportError as error:
        raise SystemExit(f"build-site needs the `site` extra ({error}): "
                         f"pip install -e \".[site]\"") from None
    repo_url = repository_url(root)
    stage(root, source, repo_url, fetch_mathjax(root / "build" / "cache", mathjax))
    if output.exists():
        shutil.rmtree(output)  # no stale pages from notebooks that are gone
    options = ["-b", "html", "-E", "-d", str(source.parent / (source.name + "-doctrees"))]
    options += ["-W", "--keep-going"] if strict else []
    options += ["-q"] if quiet else []
    return build_main(options + [str(source), str(output)])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", help="where the site goes (default: build/site)")
    parser.add_argument("--source-dir", help="where its generated sources go (default: build/site-source)")
    parser.add_argument("--allow-warnings", action="store_true",
                        help="finish the build even if Sphinx warns (by default a warning fails it)")
    parser.add_argument("--mathjax", help="a MathJax 3 package (.tgz or folder) instead of `npm pack`")
    parser.add_argument("--verbose", action="store_true", help="show Sphinx's progress")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    code = build(output=args.output, source=args.source_dir, strict=not args.allow_warnings,
                 mathjax=args.mathjax, quiet=not args.verbose)
    where = Path(args.output or "build/site") / "index.html"
    if code == 0:
        print(f"site built in {time.perf_counter() - start:.1f} s: open {where}")
    else:
        print(f"build-site: Sphinx reported problems (exit {code}); see above", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
