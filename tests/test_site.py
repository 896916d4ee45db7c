"""The course website: built by `build-site` from the stored notebooks, opened in Chromium.

The site is built once per test session (warnings are errors, as in CI) into a temporary
folder. The plain tests read its HTML; the browser test serves it on 127.0.0.1, opens every
page in a headless Chromium that may reach nothing else, and checks that the maths was
typeset, every figure loaded with its alt text at its own size (never shrunk), every code
block fits its column, every code cell has a copy button, and no request left the machine.
"""
import functools
import html.parser
import http.server
import importlib.util
import os
import re
import threading
from pathlib import Path

import nbformat
import pytest

from backprop_helpers import site

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "notebooks").glob("*.ipynb"))


def require_site_tools():
    """Skip (under CI=true: fail) with the fix when the site's tools are missing."""
    missing = [name for name in ("sphinx", "myst_nb", "sphinx_book_theme", "sphinx_copybutton")
               if importlib.util.find_spec(name) is None]
    reason = None
    if missing:
        reason = f"building the site needs {', '.join(missing)}: pip install -e \".[site]\""
    elif not any((REPO / "build" / "cache").glob("mathjax-*.tgz")) and not site.shutil.which("npm"):
        reason = "building the site needs npm (Node.js) once, to fetch MathJax"
    if reason and os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"CI=true, so this is a failure: {reason}", pytrace=False)
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site, built as `build-site` builds it (warnings are errors); its folder."""
    require_site_tools()
    folder = tmp_path_factory.mktemp("site")
    code = site.build(REPO, output=folder / "site", source=folder / "source", strict=True)
    assert code == 0, "build-site failed or warned: run `build-site --verbose` to see why"
    return folder / "site"


def page_of(notebook):
    return Path(notebook).with_suffix(".html").as_posix()


class Tags(html.parser.HTMLParser):
    """The start tags of a page, as (tag, attributes) pairs."""

    def __init__(self, text):
        super().__init__()
        self.tags = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def stored_alt_texts(notebook):
    cells = nbformat.read(REPO / notebook, as_version=4).cells
    return [output.get("metadata", {}).get("image/png", {}).get("alt")
            for cell in cells if cell.cell_type == "code"
            for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]


def test_every_notebook_has_a_page_in_reading_order(built_site):
    index = (built_site / "index.html").read_text()
    assert "Backpropagation, by hand and by machine" in index
    for number, notebook in enumerate(NOTEBOOKS):
        page = built_site / page_of(notebook)
        assert page.is_file(), f"no page for {notebook}"
        links = {a.get("class", ""): a.get("href", "") for tag, a in Tags(page.read_text()).tags
                 if tag == "a" and "next" in a.get("class", "")}
        if number + 1 < len(NOTEBOOKS):
            following = Path(NOTEBOOKS[number + 1]).with_suffix(".html").name
            assert any(href.endswith(following) for href in links.values()), (
                f"{notebook}'s page does not lead on to {following}: {links}")


def article_of(page):
    """The page's main text (what is inside <article>), as HTML."""
    text = page.read_text()
    return text[text.index("<article"):text.index("</article>")]


def headings_of(html_text):
    return [re.sub(r"<[^>]+>|#|¶", "", h).strip()
            for h in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", html_text, re.S)]


def test_landing_page_is_for_learners_and_not_the_readme(built_site):
    index = article_of(built_site / "index.html")
    tags = Tags(index).tags
    hrefs = [a.get("href", "") for tag, a in tags if tag == "a"]
    firsts = [hrefs.index(page_of(n)) if page_of(n) in hrefs else None for n in NOTEBOOKS]
    assert None not in firsts, f"the landing page does not link to every notebook: {hrefs}"
    assert firsts == sorted(firsts), "the landing page lists the notebooks out of reading order"
    assert not [h for h in hrefs if h.endswith(".ipynb") and not h.startswith("http")]
    headings = headings_of(index)
    assert {"What you need", "The notebooks, in order", "How to start"} <= set(headings), headings
    readme = headings_of(article_of(built_site / "README.html"))
    maintainers = {"Changing a notebook", "Continuous integration", "Layout"}
    assert maintainers <= set(readme), readme    # the README is a page of its own ...
    assert not maintainers & set(headings)       # ... and not the landing page
    assert "README.html" in hrefs
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", "", index)).split())
    assert "python3 -m venv .venv" in words and "Open in Colab" in words


def test_figure_captions_are_left_to_the_alt_text_on_the_site(built_site):
    """In JupyterLab a caption line follows each figure; on the site the image's alt carries
    the same words, so the line is left out (a screen reader would hear it twice)."""
    for notebook in NOTEBOOKS:
        cells = nbformat.read(REPO / notebook, as_version=4).cells
        captions = sum(site.is_figure_caption(o, outputs[i - 1])
                       for cell in cells if cell.cell_type == "code"
                       for outputs in [cell.get("outputs", [])]
                       for i, o in enumerate(outputs) if i)
        assert captions == len(stored_alt_texts(notebook)), (
            f"{notebook}: {captions} caption lines for {len(stored_alt_texts(notebook))} figures: "
            f"re-execute it with run-notebooks")
        assert "<em>Figure:</em>" not in article_of(built_site / page_of(notebook)), notebook


def test_site_notebook_drops_only_a_figures_own_caption():
    from backprop_helpers.plots.style import figure_caption
    image = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "f"},
                                   metadata={"image/png": {"alt": "a line"}})
    own = nbformat.v4.new_output("display_data", data=figure_caption("a line"))
    other = nbformat.v4.new_output("display_data", data=figure_caption("another line"))
    assert site.is_figure_caption(own, image) and not site.is_figure_caption(other, image)
    assert not site.is_figure_caption(own, other) and not site.is_figure_caption(image, None)


def test_copy_buttons_come_with_the_site():
    """sphinx-copybutton is on, on code cells and code blocks, not on outputs."""
    conf = (REPO / "docs" / "conf.py").read_text()
    assert '"sphinx_copybutton"' in conf
    assert "div.cell_input" in conf and "cell_output" not in conf.split("copybutton_selector")[1]


def test_a_workflow_job_publishes_the_site_from_main_only():
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text())
    jobs = [job for job in workflow["jobs"].values()
            if any("deploy-pages" in step.get("uses", "") for step in job["steps"])]
    assert len(jobs) == 1, "one job deploys to GitHub Pages"
    job, = jobs
    assert job["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert job["needs"] == "test"
    assert job["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    steps = job["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    upload = steps[uses.index("actions/upload-pages-artifact")]
    assert upload["with"]["path"].rstrip("/") == "build/site"
    assert uses.index("actions/upload-pages-artifact") < uses.index("actions/deploy-pages")
    built = [step["run"] for step in steps[:uses.index("actions/upload-pages-artifact")] if "run" in step]
    assert any("build-site" in run for run in built), "the job builds the site before uploading it"


def test_every_page_links_to_colab_and_binder(built_site):
    repo = site.repository_url(REPO)
    for notebook in NOTEBOOKS:
        text = (built_site / page_of(notebook)).read_text()
        assert site.colab_url(repo, notebook) in text, f"{notebook}: no Open in Colab link"
        assert site.binder_url(repo, notebook).replace("&", "&amp;") in text, f"{notebook}: no Binder link"


def test_figures_on_the_site_carry_the_notebooks_alt_texts(built_site):
    for notebook in NOTEBOOKS:
        images = [a for tag, a in Tags((built_site / page_of(notebook)).read_text()).tags
                  if tag == "img" and "_images/" in a.get("src", "")]
        assert len(images) == len(stored_alt_texts(notebook)), notebook
        assert [a.get("alt") for a in images] == stored_alt_texts(notebook), (
            f"{notebook}: the site's alt texts differ from the stored figures': re-execute it "
            f"with run-notebooks")


def test_explorers_show_how_to_run_them_live(built_site):
    for notebook in NOTEBOOKS:
        cells = nbformat.read(REPO / notebook, as_version=4).cells
        explorers = sum(site.is_explorer(cell) for cell in cells)
        sliders = sum("Slider(" in str(cell.get("outputs", "")) for cell in cells)
        assert explorers >= min(sliders, 1), f"{notebook}: an explorer was not recognised"
        text = (built_site / page_of(notebook)).read_text()
        assert text.count("This explorer is interactive") == explorers, notebook
        assert "widget-view+json" not in text and "Slider(" not in text


def test_pages_name_no_other_host_for_what_they_load(built_site):
    loaded = {"script": "src", "img": "src", "iframe": "src", "link": "href", "source": "src"}
    for page in built_site.rglob("*.html"):
        for tag, attributes in Tags(page.read_text()).tags:
            if tag == "link" and attributes.get("rel") not in ("stylesheet", "preload", "icon"):
                continue
            url = attributes.get(loaded.get(tag, ""), "") or ""
            assert not re.match(r"^(https?:)?//", url), f"{page.name} loads {url} from another host"


def test_links_point_to_the_right_places():
    repo = "https://github.com/owner/name"
    text = site.rewrite_links(
        "[02](02_b.ipynb) [sol](solutions/s.py) [web](https://x.org) ![badge](https://x.org/b.svg)"
        " [![CI](https://x.org/ci.svg)](https://x.org/ci)"
        "\n```\n[kept](solutions/s.py)\n```\n", REPO / "notebooks", REPO,
        {"notebooks/02_b.ipynb"}, repo)
    assert "[02](02_b.ipynb)" in text
    assert f"[sol]({repo}/blob/main/notebooks/solutions/s.py)" in text
    assert "[web](https://x.org)" in text and "badge" not in text and "CI" not in text
    assert "[kept](solutions/s.py)" in text
    pictures = set()
    figure = "![speed](benchmarks/figures/node_vs_numpy.png)"
    assert site.rewrite_links(figure, REPO, REPO, set(), repo, pictures) == figure
    assert pictures == {"benchmarks/figures/node_vs_numpy.png"}
    assert site.colab_url(repo, "notebooks/a.ipynb") == (
        "https://colab.research.google.com/github/owner/name/blob/main/notebooks/a.ipynb")


# --- in a browser ----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def served_site(built_site):
    """The built site on http://127.0.0.1:PORT (fonts need http, not file://)."""
    handler = functools.partial(QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


# What the page shows after MathJax ran: typeset maths, raw TeX left outside code, images
# (with their drawn and shown widths), code blocks wider than their box, copy buttons.
_PAGE_STATE = """async () => {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        await MathJax.startup.promise;
    }
    const article = document.querySelector('article') || document.body;
    const copy = article.cloneNode(true);
    copy.querySelectorAll('pre, code, mjx-container, script, style').forEach(n => n.remove());
    const raw = (copy.textContent.match(/\\$\\$|\\\\begin\\{|\\\\frac|\\$[^$\\s][^$]*\\\\[a-z]+[^$]*\\$/g) || []);
    const images = Array.from(article.querySelectorAll('img'), img => ({
        src: img.getAttribute('src'), alt: img.getAttribute('alt'),
        loaded: img.complete && img.naturalWidth > 0, shown: img.offsetParent !== null,
        natural: img.naturalWidth, width: img.getBoundingClientRect().width}));
    const visible = Array.from(article.querySelectorAll('pre')).filter(p => p.offsetParent);
    const tooWide = visible.filter(p => p.scrollWidth > p.clientWidth + 1)
                           .map(p => p.textContent.slice(0, 60));
    return {mathjax: !!(window.MathJax && MathJax.startup),
            typeset: article.querySelectorAll('mjx-container').length,
            raw: raw.slice(0, 5), images, tooWide,
            codeCells: article.querySelectorAll('div.cell_input pre').length,
            cellButtons: article.querySelectorAll('div.cell_input button.copybtn').length,
            outputButtons: article.querySelectorAll('div.cell_output button.copybtn').length,
            pageScrollsSideways: document.documentElement.scrollWidth > window.innerWidth};
}"""


@pytest.mark.browser
def test_site_in_chromium_renders_maths_and_figures_and_stays_on_the_machine(served_site):
    from browser_support import missing_requirements
    reason = missing_requirements()
    if reason:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"CI=true, so a missing browser is a failure: {reason}", pytrace=False)
        pytest.skip(reason)
    # Its own thread: Playwright's sync API cannot start inside another running instance (the
    # JupyterLab browser tests keep one open for the whole session).
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(check_site_in_chromium(served_site)))
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    assert outcome.get("pages"), "the browser check did not run"


def check_site_in_chromium(served_site):
    """Open every page; return {"pages": n} or {"error": the first failed check}."""
    from browser_support import launch_chromium
    from playwright.sync_api import sync_playwright
    left_the_machine, failed, errors = [], [], []

    def route(route):
        if route.request.url.startswith(served_site + "/") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            left_the_machine.append(route.request.url)
            route.abort()

    pages = ["index.html", "README.html"] + [page_of(n) for n in NOTEBOOKS]
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                context.route("**/*", route)
                page = context.new_page()
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
                        and failed.append(f"{r.status} {r.url}"))
                for name in pages:
                    page.goto(f"{served_site}/{name}", wait_until="load")
                    state = page.evaluate(_PAGE_STATE)
                    if name != "index.html":   # the landing page has no maths
                        assert state["mathjax"], f"{name}: MathJax did not start"
                        assert state["typeset"] > 0, f"{name}: no typeset maths (mjx-container) on the page"
                    assert not state["raw"], f"{name}: raw TeX shows on the page: {state['raw']}"
                    for image in state["images"]:
                        assert image["loaded"], f"{name}: the image {image['src']} did not load"
                        assert image["alt"] and image["alt"] != image["src"], (
                            f"{name}: the image {image['src']} has no alt text")
                        if image["shown"] and "_images/" in image["src"]:
                            # at its own size, so its text is as large as it was drawn
                            assert image["width"] >= image["natural"] - 1, (
                                f"{name}: {image['src']} is shrunk from {image['natural']} px "
                                f"to {image['width']:.0f} px")
                    assert not state["tooWide"], f"{name}: code blocks scroll sideways: {state['tooWide']}"
                    assert not state["pageScrollsSideways"], f"{name}: the page scrolls sideways"
                    assert state["cellButtons"] == state["codeCells"], (
                        f"{name}: {state['cellButtons']} copy buttons on {state['codeCells']} code cells")
                    assert state["outputButtons"] == 0, f"{name}: copy buttons on outputs"
                page.wait_for_timeout(300)  # let late requests (fonts) arrive
            finally:
                browser.close()
        assert not left_the_machine, f"requests to other hosts: {sorted(set(left_the_machine))[:10]}"
        assert not failed, f"requests that failed on the site itself: {failed[:10]}"
        assert not errors, f"JavaScript errors: {errors[:5]}"
    except BaseException as error:  # handed to the test's thread
        return {"error": error}
    return {"pages": len(pages)}
