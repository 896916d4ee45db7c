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

    def add_line(line):
        if line.get_linestyle() not in ("None", " ", ""):
            styles.add(dash_name(line._unscaled_dash_pattern))
            colours.update(colour_names(line.get_color()))
        if line.get_marker() not in (None, "None", "", " "):
            colours.update(colour_names(line.get_markerfacecolor()))
            colours.update(colour_names(line.get_markeredgecolor()))

    def add_patch(patch):
        if patch.get_linewidth() > 0:
            styles.add(dash_name(patch._unscaled_dash_pattern))
            colours.update(colour_names(patch.get_edgecolor()))
        colours.update(colour_names(patch.get_facecolor()))

    def add_collection(collection):
        if np.any(np.asarray(collection.get_linewidth()) > 0):
            styles.update(dash_name(pattern) for pattern in collection.get_linestyle())
            for colour in collection.get_edgecolor():
                colours.update(colour_names(colour))
        for colour in collection.get_facecolor():
            colours.update(colour_names(colour))
        if collection.get_array() is not None:        # coloured by a colour map
            add_colour_map(collection.get_cmap())

    def add_colour_map(cmap):
        for position in np.linspace(0, 1, 9):
            colours.update(colour_names(cmap(position)))

    legends = list(figure.legends)
    for ax in figure.axes:
        for line in ax.get_lines():
            if line.get_visible():
                add_line(line)
        for patch in ax.patches:
            if patch.get_visible():
                add_patch(patch)
        for collection in ax.collections:
            if collection.get_visible():
                add_collection(collection)
        for image in ax.get_images():
            add_colour_map(image.get_cmap())
        for text in ax.texts:  # coloured labels, the boxes around them, annotations' arrows
            if not text.get_visible():
                continue
            if text.get_text().strip():
                colours.update(name for name in colour_names(text.get_color()) if name != "black")
            for patch in (text.get_bbox_patch(), getattr(text, "arrow_patch", None)):
                if patch is not None:
                    add_patch(patch)
        if ax.get_legend() is not None:
            legends.append(ax.get_legend())
    for legend in legends:  # a legend's keys show the same encodings as the plot
        for handle in legend.legend_handles:
            if isinstance(handle, Line2D):
                add_line(handle)
            elif hasattr(handle, "get_facecolor") and hasattr(handle, "_unscaled_dash_pattern"):
                add_patch(handle)
    return {"line_styles": sorted(styles), "colours": sorted(colours)}
