"""How long one slider move of the notebook-02 explorer takes to redraw.

    python benchmarks/bench_explorer.py

A move recomputes the forward and backward pass (and the loss curve), moves the lines and
bars of the figure and renders it to PNG: exactly the work of the widget's callback, minus
the trip to the browser. Target: well under 100 ms. Prints medians over many moves and the
ratio to the budget; shared machines are noisy, so read the median, not the best.
"""
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from backprop_helpers.widgets import WalkthroughPlot, walkthrough_state  # noqa: E402

BUDGET_MS = 100.0


def median_ms(action, moves):
    times = []
    for value in moves:
        start = time.perf_counter()
        action(value)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(repeats=40):
    W1 = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    plot = WalkthroughPlot(walkthrough_state(W1))
    plot.png()  # warm-up: fonts and caches
    moves = np.resize(np.round(np.linspace(-2, 2, 41), 1), repeats)

    def with_w11(value):
        W = W1.copy()
        W[0, 0] = value
        return W

    compute = median_ms(lambda v: walkthrough_state(with_w11(v)), moves)
    full = median_ms(lambda v: (plot.update(walkthrough_state(with_w11(v))), plot.png()), moves)
    print(f"slider moves timed: {repeats}")
    print(f"compute only (forward, BP1-BP4, loss curve): median {compute:7.2f} ms")
    print(f"full redraw (compute + figure + PNG):         median {full:7.2f} ms")
    print(f"full redraw / 100 ms budget:                  {full / BUDGET_MS:7.2f}x "
          f"({'within' if full < BUDGET_MS else 'OVER'} budget)")


if __name__ == "__main__":
    main()
