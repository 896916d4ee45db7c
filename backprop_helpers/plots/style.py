"""What every figure shares: the Okabe–Ito palette and `show_figure`, which shows a figure with
its alt text and, right after it, the same description as a caption line."""
import re

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from matplotlib.figure import Figure

# The Okabe-Ito palette: eight colours that stay distinct under the common colour-vision
# deficiencies (Okabe & Ito, "Color Universal Design", 2008). Where colour carries meaning,
# pair it with a second cue (line style, marker, hatch) as well.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}


def figure_caption(alt):
    """The output shown right after a figure: "Figure: " and its description, as a line of text.

    JupyterLab and Colab draw a PNG output without its alt text, so there a screen reader
    meets the description only as text beside the image. Markdown (escaped, so it reads as
    prose and wraps); its plain-text form carries the same words.
    """
    words = " ".join(alt.split())
    escaped = re.sub(r"([\\`*_\[\]<>$|~&#])", r"\\\1", words)
    return {"text/markdown": f"*Figure:* {escaped}", "text/plain": f"Figure: {words}"}


def show_png(png, text, alt, **metadata):
    """Display ``png`` (base64 text) with ``alt`` (and ``metadata``) in the output's metadata,
    then its caption."""
    display({"image/png": png, "text/plain": text}, raw=True,
            metadata={"image/png": {"alt": alt, **metadata}})
    display(figure_caption(alt), raw=True, metadata={})


def show_figure(fig, alt):
    """Show ``fig`` in the notebook as a PNG whose alt text is ``alt``, then close it.

    ``fig`` is a matplotlib Figure (or an Axes, or a sequence of Axes, of one figure: what the
    drawing functions here return). ``alt`` says what the figure shows, for a reader who cannot
    see it; it travels in the output's metadata (``{"image/png": {"alt": alt}}``), from where
    ``run-notebooks`` copies it into the cell metadata the course website is built from.
    Beside it goes the figure's encoding in words (`encoding.figure_encoding`: its line styles
    and colours), against which the course's tests check the sentences that describe it.
    A caption output follows with the alt text's words (`figure_caption`), for JupyterLab.
    The output's text form stays ``<Figure size WxH with N Axes>``, like the inline backend's.
    The figure is closed, so the inline backend does not show it a second time.

        show_figure(network_diagram([3, 2, 2, 1]), alt="A 3-2-2-1 network, every edge drawn.")
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"show_figure: alt must be a non-empty text saying what the figure "
                         f"shows (for a reader who cannot see it), got {alt!r}")
    figure = fig
    if not isinstance(figure, Figure):
        axes = [fig] if hasattr(fig, "figure") else list(np.ravel(fig)) if np.ndim(fig) else []
        figures = {id(getattr(a, "figure", None)): getattr(a, "figure", None) for a in axes}
        figure = next(iter(figures.values())) if len(figures) == 1 else None
        if not isinstance(figure, Figure):
            raise TypeError(f"show_figure: expected a matplotlib Figure (or Axes of one figure), "
                            f"got {type(fig).__name__}")
    from IPython.core.pylabtools import print_figure  # what the inline backend draws with
    png = print_figure(figure, "png", bbox_inches="tight", base64=True)
    if png is None:
        raise ValueError("show_figure: the figure is empty (no axes, nothing drawn)")
    from .encoding import figure_encoding
    text, encoding = repr(figure), figure_encoding(figure)
    plt.close(figure)
    show_png(png, text, alt.strip(), encoding=encoding)
