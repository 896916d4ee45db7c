"""Naive recursion against the cached recursion and the BP1–BP4 backward pass, side by side.

    python benchmarks/bench_naive.py

For networks of width 2 and growing depth, prints the median time of each route (the naive
one once it passes a second is run only once), the naive time per call, and the ratios. The
per-call cost is what MAX_NAIVE_CALLS in naive.py is sized by.
"""
import time

import numpy as np

from backprop_helpers import naive


def median_seconds(run, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main(width=2, depths=(4, 8, 12, 14, 16, 17)):
    print(f"{'depth':>5} {'naive calls':>12} {'naive ms':>10} {'ns/call':>8} {'cached ms':>10} "
          f"{'BP ms':>8} {'naive/cached':>13} {'cached/BP':>10}")
    for depth in depths:
        sizes = naive.architecture(depth, width)
        network = naive.Network.random(sizes, seed=0)
        x, y = np.full((width, 1), 0.5), np.array([[0.9]])
        calls = naive.naive_call_count(sizes)
        repeats = 5 if calls < 200_000 else 1
        t_naive = median_seconds(lambda: naive.naive_gradients(network, x, y), repeats)
        t_cached = median_seconds(lambda: naive.cached_gradients(network, x, y), 21)
        t_bp = median_seconds(lambda: network.gradients(x, y), 21)
        print(f"{depth:>5d} {calls:>12d} {t_naive * 1e3:>10.2f} {t_naive / calls * 1e9:>8.0f} "
              f"{t_cached * 1e3:>10.3f} {t_bp * 1e3:>8.3f} {t_naive / t_cached:>13.1f} "
              f"{t_cached / t_bp:>10.2f}")


if __name__ == "__main__":
    main()
