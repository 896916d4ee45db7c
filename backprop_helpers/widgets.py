"""Explorers: a pure compute function that the tests call, and an ipywidgets view of it.

The view only displays what the compute function returns, so everything a slider shows is
unit-tested without a browser.
"""


# ============================================================================================
# Notebook 01: depth/width explorer of naive against cached call counts
# ============================================================================================

from dataclasses import dataclass as _dataclass

from . import naive as _naive

#: the explorer's depth slider goes up to this depth; its chart spans depths 1..this
EXPLORER_MAX_DEPTH = 12
#: and its width slider up to this width
EXPLORER_MAX_WIDTH = 6


@_dataclass
class CallCountSummary:
    """What the depth/width explorer shows for architecture(depth, width).

    ``naive_calls`` and ``cached_calls`` are counted by running the recursions when the closed
    form promises at most ``max_measured_calls`` naive calls; otherwise ``used_closed_form``
    is True and they come from the closed form alone. ``growth`` is the chart's data.
    """
    depth: int
    width: int
    sizes: list
    naive_calls: int
    cached_calls: int
    closed_form_naive_calls: int
    used_closed_form: bool
    max_measured_calls: int
    growth: object  # naive.CallGrowth over depths 1..max(depth, EXPLORER_MAX_DEPTH)

    def report(self):
        """The explorer's printout, one line per fact."""
        lines = [f"sizes {self.sizes}: depth {self.depth}, width {self.width}",
                 f"naive calls = {self.naive_calls}",
                 f"cached calls = {self.cached_calls}"]
        if self.used_closed_form:
            lines.append(f"from the closed form: the naive recursion would need more than "
                         f"{self.max_measured_calls} calls, so it was not run")
        else:
            agree = "agrees" if self.naive_calls == self.closed_form_naive_calls else "DISAGREES"
            lines.append(f"measured by running both recursions; the closed form "
                         f"({self.closed_form_naive_calls}) {agree}")
        lines.append(f"naive / cached = {self.naive_calls / self.cached_calls:.1f}")
        return "\n".join(lines)


def naive_vs_cached_counts(depth, width, max_measured_calls=_naive.MAX_MEASURED_CALLS):
    """Naive and cached δ evaluations for architecture(depth, width), and the growth chart's data.

    Never runs the exponential recursion beyond ``max_measured_calls`` calls: past that the
    counts come from the closed form (``used_closed_form`` is True).
    """
    sizes = _naive.architecture(depth, width)
    closed_form = _naive.naive_call_count(sizes)
    used_closed_form = closed_form > max_measured_calls
    if used_closed_form:
        naive_calls, cached_calls = closed_form, _naive.cached_call_count(sizes)
    else:
        naive_calls, cached_calls = _naive.measured_call_counts(sizes)
    growth = _naive.call_growth(width, range(1, max(depth, EXPLORER_MAX_DEPTH) + 1),
                                max_measured_calls)
    return CallCountSummary(int(depth), int(width), sizes, naive_calls, cached_calls, closed_form,
                            used_closed_form, max_measured_calls, growth)


def _call_growth_png(summary):
    """The growth chart of a CallCountSummary as PNG bytes, current setting ringed."""
    import io

    from matplotlib.figure import Figure

    from .plots import plot_call_growth

    figure = Figure(figsize=(6.0, 3.4), dpi=80)
    ax = figure.subplots()
    plot_call_growth([summary.growth], ax=ax, highlight=(summary.depth, summary.naive_calls))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def explore_call_counts(depth=4, width=2):
    """Sliders "depth" and "width"; prints naive_vs_cached_counts(depth, width) and charts it."""
    import ipywidgets as widgets

    depth_slider = widgets.IntSlider(value=depth, min=1, max=EXPLORER_MAX_DEPTH, description="depth")
    width_slider = widgets.IntSlider(value=width, min=1, max=EXPLORER_MAX_WIDTH, description="width")
    printout = widgets.Output()
    chart = widgets.Image(format="png")

    def update(_change=None):
        summary = naive_vs_cached_counts(depth_slider.value, width_slider.value)
        printout.outputs = ()
        printout.append_stdout(summary.report() + "\n")
        chart.value = _call_growth_png(summary)

    depth_slider.observe(update, names="value")
    width_slider.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([depth_slider, width_slider]), printout, chart])
