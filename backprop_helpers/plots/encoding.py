"""A figure's visual encoding in words: which line styles and which colours it draws.

`show_figure` stores this next to a figure's alt text, so that a sentence saying "the dotted
line" or "the orange arrows" can be checked against what was drawn (the course's tests do).
Only what carries meaning is named: lines, markers, patches, collections, colour maps and
coloured labels; the white axes background and the black axes frame are not.
"""

import colorsys

import numpy as np
from matplotlib.colors import to_hex, to_rgba
from matplotlib.lines import Line2D

from .style import OKABE_ITO

OKABE_ITO_NAMES = {
    "#000000": ("black",),
    "#e69f00": ("orange",),
    "#56b4e9": ("sky blue", "blue"),
    "#009e73": ("bluish green", "green"),
    "#f0e442": ("yellow",),
    "#0072b2": ("blue",),
    "#d55e00": ("vermillion", "red"),
    "#cc79a7": ("reddish purple", "purple", "pink"),
}
assert set(OKABE_ITO_NAMES) == {hex_code.lower() for hex_code in OKABE_ITO.values()}


def colour_names(colour):
    """Words for one colour: its Okabe–Ito names if it is one, else a plain name by hue."""
    red, green, blue, alpha = to_rgba(colour)
    if alpha == 0:
        return ()
    hex_code = to_hex((red, green, blue))
    if hex_code in OKABE_ITO_NAMES:
        return OKABE_ITO_NAMES[hex_code]
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    if lightness > 0.93:
        return ("white",)
    if saturation < 0.15 or lightness < 0.08:
        return ("black",) if lightness < 0.15 else ("grey",)
    degrees = hue * 360
    for upper, name in ((15, "red"), (45, "orange"), (70, "yellow"), (170, "green"),
                        (255, "blue"), (330, "purple"), (361, "red")):
        if degrees < upper:
            return (name,)


def dash_name(pattern):
    """'solid', 'dashed', 'dotted' or 'dash-dotted' for a matplotlib (offset, dashes) pair."""
    offset, dashes = pattern
    if dashes is None or len(dashes) == 0:
        return "solid"
    if len(dashes) >= 4:
        return "dash-dotted"
    on, off = dashes[0], dashes[1]
    return "dashed" if on > off else "dotted"


def figure_encoding(figure):
    """``{"line_styles": [...], "colours": [...]}``: the words for what ``figure`` draws."""
    styles, colours = set(), set()

    def add_colours(values):
        for value in np.atleast_2d(np.asarray(values, dtype=float)) if len(values) else ():
            colours.update(colour_names(value))

    for ax in figure.axes:
        for line in ax.get_lines():
            if not line.get_visible():
                continue
            if line.get_linestyle() not in ("None", " ", ""):
                styles.add(dash_name(line._unscaled_dash_pattern))
                colours.update(colour_names(line.get_color()))
            if line.get_marker() not in (None, "None", "", " "):
                colours.update(colour_names(line.get_markerfacecolor()))
                colours.update(colour_names(line.get_markeredgecolor()))
        for patch in ax.patches:
            if patch.get_visible() and patch.get_linewidth() > 0:
                styles.add(dash_name(patch._unscaled_dash_pattern))
            colours.update(colour_names(patch.get_facecolor()))
            colours.update(colour_names(patch.get_edgecolor()))
        for collection in ax.collections:
            if not collection.get_visible():
                continue
            if np.any(np.asarray(collection.get_linewidth()) > 0):
                styles.update(dash_name(p) for p in collection.get_linestyle())
            add_colours(collection.get_facecolor())
            add_colours(collection.get_edgecolor())
        for text in ax.texts:  # labels in colour, and the boxes drawn around them
            if text.get_visible() and text.get_text().strip():
                colours.update(name for name in colour_names(text.get_color()) if name != "black")
                box = text.get_bbox_patch()
                if box is not None and box.get_linewidth() > 0:
                    styles.add(dash_name(box._unscaled_dash_pattern))
                    colours.update(colour_names(box.get_facecolor()))
                    colours.update(colour_names(box.get_edgecolor()))
        for image in ax.get_images() + [c for c in ax.collections if c.get_array() is not None]:
            cmap = image.get_cmap()
            for position in np.linspace(0, 1, 9):
                colours.update(colour_names(cmap(position)))
        legend = ax.get_legend()
        if legend is not None:  # a legend's own lines name the same encodings as the plot's
            for handle in legend.legend_handles:
                if isinstance(handle, Line2D) and handle.get_linestyle() not in ("None", " ", ""):
                    styles.add(dash_name(handle._unscaled_dash_pattern))
    return {"line_styles": sorted(styles), "colours": sorted(colours)}
