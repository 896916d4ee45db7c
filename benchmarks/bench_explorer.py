"""How long one slider move of each notebook-02 explorer takes to redraw.

    python benchmarks/bench_explorer.py

A move recomputes what the explorer shows (forward pass and BP1-BP4; for the nudge explorer
also the loss curve and the nudged loss), updates the figure and renders it to PNG: exactly
the work of the widget's callback, minus the trip to the browser. Target: well under 100 ms.
Both figures redraw only what a move changes; the line "full drawing" renders the same figure
from scratch, for comparison (the ratio holds on a busy machine, where the milliseconds do
not). Prints medians over many moves, wall clock and CPU time: on a busy shared machine the
wall clock includes waiting for a core, so read the CPU time there.
"""
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from backprop_helpers.widgets import (NudgePlot, WalkthroughPlot, nudge_readout,  # noqa: E402
                                      walkthrough_state)

BUDGET_MS = 100.0


def median_ms(action, moves):
    """Median wall-clock and CPU milliseconds of ``action(value)`` over ``moves``. On a machine
    shared with other work the wall clock also counts the time spent waiting for a core; the
    CPU time is what the move itself costs."""
    wall, cpu = [], []
    for value in moves:
        start, start_cpu = time.perf_counter(), time.process_time()
        action(value)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main(repeats=40):
    W1 = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    moves = np.resize(np.round(np.linspace(-2, 2, 41), 1), repeats)
    nudges = np.resize(np.round(np.linspace(-1, 1, 41), 2), repeats)

    def with_w11(value):
        W = W1.copy()
        W[0, 0] = value
        return W

    gradient_plot = WalkthroughPlot(walkthrough_state(W1))
    gradient_plot.png()  # warm-up: fonts and caches
    nudge_plot = NudgePlot(nudge_readout("w₁₁⁽¹⁾", 0.1))
    nudge_plot.png()
    rows = [
        ("gradient explorer, compute only", median_ms(lambda v: walkthrough_state(with_w11(v)), moves)),
        ("gradient explorer, slider move", median_ms(
            lambda v: (gradient_plot.update(walkthrough_state(with_w11(v))), gradient_plot.png()), moves)),
        ("gradient explorer, full drawing", median_ms(
            lambda v: WalkthroughPlot(walkthrough_state(with_w11(v))).png(), moves[:10])),
        ("nudge explorer, compute only", median_ms(lambda v: nudge_readout("w₁₁⁽¹⁾", v), nudges)),
        ("nudge explorer, slider move", median_ms(
            lambda v: (nudge_plot.update(nudge_readout("w₁₁⁽¹⁾", v)), nudge_plot.png()), nudges)),
        ("nudge explorer, full drawing", median_ms(
            lambda v: NudgePlot(nudge_readout("w₁₁⁽¹⁾", v)).png(), nudges[:10])),
    ]
    print(f"slider moves timed: {repeats} per explorer (full drawings: 10)")
    print(f"{'':<36} {'wall clock':>12} {'CPU time':>12}   (medians)")
    for name, (wall, cpu) in rows:
        print(f"{name:<36} {wall:9.2f} ms {cpu:9.2f} ms")
    for explorer, _, (_, move), (_, full) in [("gradient", *rows[0:3]), ("nudge", *rows[3:6])]:
        print(f"{explorer} explorer: slider move / 100 ms budget = {move[1] / BUDGET_MS:.2f}x in CPU "
              f"time ({'within' if move[1] < BUDGET_MS else 'OVER'} budget), {move[0] / BUDGET_MS:.2f}x "
              f"on the wall clock; slider move / full drawing = {move[0] / full[0]:.2f}")


if __name__ == "__main__":
    main()
