"""grade-exercises on a class: 40 generated submissions graded one at a time and two at a time.

    python benchmarks/bench_grade.py [--rounds 3] [--jobs 2]

Writes 40 notebook-02 submissions to a temporary folder: right answers, wrong ones, answers
that raise, a loop that never ends (stopped by the 3 s cell limit) and a loop that prints
without end (stopped likewise). Grades the folder with -j 1 and with -j N in turn, each round
side by side, and prints the submissions per second of each, their ratio (target: at least
1.7x at -j 2 on 2 cores), whether every round gave the same grades, and the load average
before and after (another busy process on the machine makes the ratio smaller).
"""
import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from backprop_helpers import grade

IMPORTS = "import numpy as np\nfrom backprop_helpers.exercises import check_bp4_batch, check_input_gradient"
RIGHT = "check_bp4_batch(lambda delta, a_prev: delta @ a_prev.T)"
KINDS = {  # kind: (how many, the cells after the imports); the last bp4_batch answer is right
    # in all but the wrong ones, and input_gradient is answered (right) by the right ones only
    "right": (16, [RIGHT, "check_input_gradient(lambda net, x, y:\n"
                          "    net.W[1].T @ net.backward(net.forward(x), y).delta[1])"]),
    "wrong": (10, ["check_bp4_batch(lambda delta, a_prev: a_prev @ delta.T)",
                   "check_input_gradient(lambda net, x, y: net.W[1] @ x)"]),
    "raising": (8, ["check_bp4_batch(lambda delta, a_prev: delta @ a_prev)", "1 / 0", RIGHT]),
    "looping": (3, ["while True:\n    pass", RIGHT]),
    "huge output": (3, ["while True:\n    print('x' * 10_000)", RIGHT]),
}
CELL_TIMEOUT, NOTEBOOK_TIMEOUT = 3, 30


def write_submissions(folder):
    """The 40 submissions, kinds interleaved as a class's would be; returns their paths."""
    queue = [kind for kind, (count, _) in KINDS.items() for _ in range(count)]
    queue = [queue[i] for i in sorted(range(len(queue)), key=lambda i: (i * 7) % len(queue))]
    paths = []
    for number, kind in enumerate(queue):
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_code_cell(source) for source in [IMPORTS, *KINDS[kind][1]]]
        path = Path(folder) / f"02_learner{number:02d}_{kind.replace(' ', '_')}.ipynb"
        nbformat.write(notebook, path)
        paths.append(path)
    return paths


def graded(paths, jobs):
    """(seconds, [each submission's verdicts]) of one grading of ``paths`` at ``jobs``."""
    start = time.perf_counter()
    results = list(grade.grade_all(paths, CELL_TIMEOUT, NOTEBOOK_TIMEOUT, jobs=jobs))
    return time.perf_counter() - start, [(r.verdicts, r.problem) for r in results]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as folder:
        paths = write_submissions(folder)
        print(f"{len(paths)} submissions: " + ", ".join(f"{count} {kind}" for kind, (count, _) in KINDS.items())
              + f"; cell limit {CELL_TIMEOUT} s; {os.cpu_count()} cores")
        print(f"{'round':>5} {'-j 1 s':>8} {'per s':>6} {f'-j {args.jobs} s':>8} {'per s':>6} {'ratio':>6}")
        ratios, grades = [], []
        for round_ in range(1, args.rounds + 1):
            t1, g1 = graded(paths, 1)
            tn, gn = graded(paths, args.jobs)
            ratios.append(t1 / tn)
            grades += [g1, gn]
            print(f"{round_:>5d} {t1:>8.1f} {len(paths) / t1:>6.2f} {tn:>8.1f} {len(paths) / tn:>6.2f} "
                  f"{t1 / tn:>6.2f}")
    same = all(g == grades[0] for g in grades)
    expected = [("not yet" if "wrong" in path.name else "correct",
                 "correct" if "right" in path.name else "not yet" if "wrong" in path.name else "missing")
                for path in paths]
    got = [(verdicts["bp4_batch"][0], verdicts["input_gradient"][0]) for verdicts, _ in grades[0]]
    as_expected = sum(g == e for g, e in zip(got, expected))
    print(f"median ratio -j {args.jobs} / -j 1: {statistics.median(ratios):.2f}x (target at -j 2: >= 1.7x)")
    print(f"grades identical in all {len(grades)} runs: {same}; bp4_batch and input_gradient as "
          f"expected in {as_expected} of {len(paths)}")
    print("load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}".format(*load_before)
          + ", after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    assert same and as_expected == len(paths)


if __name__ == "__main__":
    main()
