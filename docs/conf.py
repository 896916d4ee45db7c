"""Sphinx configuration of the course website.

Build it with `build-site` (see backprop_helpers/site.py), which writes the site's sources
(the learners' landing page docs/index.md, the README, the notebooks, MathJax) to build/site-source/, copies this file
there beside a site.json it writes, and runs Sphinx into build/site/.
"""
import json
from pathlib import Path

settings = json.loads((Path(__file__).parent / "site.json").read_text(encoding="utf-8"))

project = settings["title"]
html_title = "Backpropagation, by hand and by machine"
author = ""
copyright = ""

extensions = ["myst_nb", "sphinx_copybutton"]
exclude_patterns = ["**.ipynb_checkpoints", "site.json"]

# Notebooks show the outputs stored in them: nothing is executed to build the site.
nb_execution_mode = "off"
# `$...$`, `$$...$$` and `\begin{align}` in markdown are maths (else they show raw).
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3  # README links such as #two-commands reach their section

# MathJax 3 served from the site itself (_static/mathjax, put there by build-site), so a page
# loads nothing from another host.
mathjax_path = "mathjax/tex-chtml.js"
html_static_path = ["_static"]
# Figures at their own size (a wide one scrolls sideways instead of shrinking its text) and
# code that wraps instead of scrolling.
html_css_files = ["course.css"]

# A copy button on every code cell and code block, none on outputs; the prompt of a shell
# line (`$ `) is not copied.
copybutton_selector = ", ".join(["div.cell_input div.highlight pre"] + [
    f"div.highlight-{language} div.highlight pre" for language in ("bash", "default", "python")])
copybutton_prompt_text = "$ "

html_theme = "sphinx_book_theme"
html_theme_options = {
    "repository_url": settings["repository_url"],
    "repository_branch": settings["branch"],
    "path_to_docs": "",
    "use_repository_button": True,
    "launch_buttons": {
        "colab_url": "https://colab.research.google.com",
        "binderhub_url": "https://mybinder.org",
        "notebook_interface": "jupyterlab",
    },
    "home_page_in_toc": True,
    "show_toc_level": 2,
}
html_last_updated_fmt = None
html_show_sphinx = False
