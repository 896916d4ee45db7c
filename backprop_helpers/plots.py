"""Matplotlib figures of the course: network diagrams with highlighted paths, and more.

Every function draws on an ``ax`` it is given (or a new figure) and returns the axes, so a
notebook can compose figures and a test can inspect what was drawn.
"""


# ============================================================================================
# Notebook 01: call counts of the naive recursion and their growth with depth
# ============================================================================================

def plot_call_counts(naive_calls, cached_calls=None, ax=None):
    """Bars of how often each δ_j^(l) was evaluated: naive, and cached beside it if given.

    ``naive_calls`` and ``cached_calls`` map (l, j) to a count, like RecursionResult.calls.
    Each naive bar is labelled with its count.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.2))
    neurons = sorted(naive_calls)
    positions = list(range(len(neurons)))
    width = 0.4 if cached_calls is not None else 0.7
    shift = width / 2 if cached_calls is not None else 0.0
    bars = ax.bar([p - shift for p in positions], [naive_calls[n] for n in neurons], width,
                  color="tab:red", label="naive recursion")
    ax.bar_label(bars, padding=2, fontsize=8)
    if cached_calls is not None:
        cached = ax.bar([p + shift for p in positions], [cached_calls.get(n, 0) for n in neurons],
                        width, color="tab:blue", label="with a cache")
        ax.bar_label(cached, padding=2, fontsize=8)
        ax.legend(frameon=False)
    ax.set_xticks(positions, [f"$\\delta_{j}^{{({l})}}$" for l, j in neurons])
    ax.set_xlabel("which $\\partial L/\\partial z$ (layer l, neuron j)")
    ax.set_ylabel("evaluations")
    ax.set_title(f"{sum(naive_calls.values())} naive evaluations"
                 + (f" against {sum(cached_calls.values())} with a cache"
                    if cached_calls is not None else ""))
    ax.margins(y=0.15)
    return ax


def plot_call_growth(growths, ax=None, highlight=None):
    """Calls against depth on a log scale: naive (solid) and cached (dashed), one colour per width.

    ``growths`` is a list of naive.CallGrowth. Filled markers are counts measured by running
    the recursion, open markers come from the closed form. ``highlight`` = (depth, calls) rings
    one point, e.g. the explorer's current setting.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.6))
    for index, growth in enumerate(growths):
        colour = f"C{index}"
        ax.plot(growth.depths, growth.naive, "-", color=colour, label=f"naive, width {growth.width}")
        ax.plot(growth.depths, growth.cached, "--", color=colour, label=f"cached, width {growth.width}")
        for depth, count, measured in zip(growth.depths, growth.naive, growth.measured):
            ax.plot(depth, count, "o", color=colour, markersize=4,
                    markerfacecolor=colour if measured else "white")
    if highlight is not None:
        ax.plot(*highlight, "o", markersize=12, markerfacecolor="none", markeredgecolor="black")
    ax.set_yscale("log")
    ax.set_xlabel("depth L (layers of weights)")
    ax.set_ylabel("evaluations of $\\partial L/\\partial z$")
    ax.set_title("filled: measured by running the recursion, open: closed form", fontsize=9)
    ax.legend(frameon=False, fontsize=8, ncol=2)
    ax.grid(True, which="major", alpha=0.3)
    return ax
