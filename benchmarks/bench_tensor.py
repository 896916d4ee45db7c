"""How fast is one training step with backprop_helpers.tensor.Node?

The step: forward, backward and an SGD update of the two-layer net

    y = sigmoid(X W1 + b1) W2 + b2,   loss = mean((y - T)²),   sigmoid(z) = 1 / (1 + exp(-z))

with the sigmoid written from the engine's own operations (samples are rows here, as in
PyTorch). The same step is timed, interleaved in one run, three ways:

    Node     backprop_helpers.tensor.Node
    numpy    the gradients written out by hand in numpy (the floor for any numpy engine)
    torch    PyTorch CPU autograd, if torch is installed (it is not a project dependency)

Targets: at batch 256, 64 → 128 → 10, Node at most 1.5x numpy; at the notebook's size (4 samples,
3 → 4 → 1), Node at most 0.7x torch.

Where the time goes (cProfile, shares of Node's step). At batch 256 the five matrix products,
the same as the hand version's, take 54% (forward 24%, backward 30%); the backward loop, the
topological order and the making of nodes and constants together 13%. At batch 4 with widths
16 → 16 → 10 the engine's own Python is most of the step: the backward loop 16% (its own
lines), making the 19 nodes (15 results, 4 constants) 14%, the topological order 11%. What the hand
version does not do, the engine already skips: no zero gradients are allocated to be added
to (a node's first gradient is stored as it comes), a gradient is reduced to its input's shape
only when the shapes differ, the 2-D matrix-product rule makes no copies, and the order is
taken once per backward pass. What remains is about 1.5 µs of Python per operation, so the
ratio falls as the arrays grow: the table printed last (batch 1, 16, 256, 4096 by width 16 to
1024, width inputs → width hidden units → 10 outputs) and its figure,
benchmarks/figures/node_vs_numpy.png, show where it stops mattering.

A third run times notebook 05's digit classifier: one mini-batch step (32 images, 64 → 64 → 10,
ReLU, softmax cross-entropy with the max-shift, samples as columns as in the notebook) on the
real digits, the same three ways. It is reported without a target.

    python benchmarks/bench_tensor.py [--repeats 300] [--blas-threads N] [--no-growth]

``--blas-threads`` sets OPENBLAS_NUM_THREADS (and OMP_NUM_THREADS, which torch follows) before
numpy loads. The default is 1: at these sizes a multi-threaded BLAS is slower for every engine
on a small machine (on 2 cores the hand-written numpy step took 408 µs threaded against 349 µs
on one thread), and its idle workers spin on the core the Python code of the step needs, which
measures the machine rather than the engine. ``--blas-threads 0`` leaves the environment's
setting alone; the output always reports what ran.
"""
import argparse
import os
import sys
import time
from pathlib import Path


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=300, help="timed steps per engine and size")
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="OPENBLAS_NUM_THREADS / OMP_NUM_THREADS for the run (0: leave as set)")
    parser.add_argument("--no-growth", action="store_true",
                        help="skip the table of Node / numpy by batch and width (and its figure)")
    parser.add_argument("--figure", default=str(FIGURE), help="where the growth figure is written")
    return parser.parse_args()


FIGURE = Path(__file__).resolve().parent / "figures" / "node_vs_numpy.png"
GROWTH_BATCHES = (1, 16, 256, 4096)
GROWTH_WIDTHS = (16, 64, 256, 1024)


ARGS = parse_args()
if ARGS.blas_threads:
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(ARGS.blas_threads)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import numpy as np  # noqa: E402

from backprop_helpers.tensor import Node  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:
    torch = None

LEARNING_RATE = 0.01


def problem(batch, n_in, n_hidden, n_out, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(batch, n_in))
    T = rng.normal(size=(batch, n_out))
    params = [rng.normal(size=(n_in, n_hidden)) / np.sqrt(n_in), np.zeros(n_hidden),
              rng.normal(size=(n_hidden, n_out)) / np.sqrt(n_hidden), np.zeros(n_out)]
    return X, T, params


def node_step_factory(X, T, params):
    W1, b1, W2, b2 = P = [Node(p.copy()) for p in params]

    def step():
        h = 1 / (1 + (-(X @ W1 + b1)).exp())
        d = h @ W2 + b2 - T
        loss = (d * d).mean()
        loss.backward()
        for p in P:
            p.data -= LEARNING_RATE * p.grad
            p.zero_grad()
        return loss.data

    return step, P


def numpy_step_factory(X, T, params):
    P = [p.copy() for p in params]

    def step():
        W1, b1, W2, b2 = P
        h = 1 / (1 + np.exp(-(X @ W1 + b1)))
        d = h @ W2 + b2 - T
        loss = np.mean(d * d)
        dy = 2 * d / d.size
        dz = (dy @ W2.T) * h * (1 - h)
        grads = (X.T @ dz, dz.sum(axis=0), h.T @ dy, dy.sum(axis=0))
        for p, g in zip(P, grads):
            p -= LEARNING_RATE * g
        return loss

    return step, P


def torch_step_factory(X, T, params):
    Xt, Tt = torch.from_numpy(X), torch.from_numpy(T)
    W1, b1, W2, b2 = P = [torch.tensor(p, requires_grad=True) for p in params]

    def step():
        h = 1 / (1 + torch.exp(-(Xt @ W1 + b1)))
        d = h @ W2 + b2 - Tt
        loss = (d * d).mean()
        loss.backward()
        with torch.no_grad():
            for p in P:
                p -= LEARNING_RATE * p.grad
                p.grad = None
        return loss.detach().numpy()

    return step, P


def digits_problem(batch=32, hidden=64, seed=10):
    """The first mini-batch of notebook 05's digits training and its initial weights."""
    from backprop_helpers.exercises import digits_exercise_data

    X_train, Y_train, _, _ = digits_exercise_data()
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=(hidden, 64)) * np.sqrt(2 / 64), np.zeros((hidden, 1)),
              rng.normal(size=(10, hidden)) * np.sqrt(1 / hidden), np.zeros((10, 1))]
    return X_train[:, :batch].copy(), Y_train[:, :batch].copy(), params


def digits_node_factory(X, Y, params):
    W1, b1, W2, b2 = P = [Node(p.copy()) for p in params]

    def step():
        for p in P:
            p.zero_grad()
        z = W2 @ (W1 @ X + b1).relu() + b2
        shifted = z - z.data.max(axis=0, keepdims=True)
        log_p = shifted - shifted.exp().sum(axis=0, keepdims=True).log()
        loss = -(Y * log_p).sum() * (1 / Y.shape[1])
        loss.backward()
        for p in P:
            p.data -= 0.1 * p.grad
        return loss.data

    return step, P


def digits_numpy_factory(X, Y, params):
    P = [p.copy() for p in params]
    m = X.shape[1]

    def step():
        W1, b1, W2, b2 = P
        z1 = W1 @ X + b1
        a1 = np.maximum(z1, 0.0)
        z = W2 @ a1 + b2
        shifted = z - z.max(axis=0, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=0, keepdims=True)
        loss = -np.sum(Y * (shifted - np.log(total))) / m
        delta2 = (e / total - Y) / m                      # BP1, softmax with cross-entropy
        delta1 = (W2.T @ delta2) * (z1 > 0)               # BP2
        grads = (delta1 @ X.T, delta1.sum(axis=1, keepdims=True),   # BP4, BP3
                 delta2 @ a1.T, delta2.sum(axis=1, keepdims=True))
        for p, g in zip(P, grads):
            p -= 0.1 * g
        return loss

    return step, P


def digits_torch_factory(X, Y, params):
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    W1, b1, W2, b2 = P = [torch.tensor(p, requires_grad=True) for p in params]

    def step():
        z = W2 @ torch.relu(W1 @ Xt + b1) + b2
        shifted = z - z.detach().max(dim=0, keepdim=True).values
        log_p = shifted - torch.log(torch.exp(shifted).sum(dim=0, keepdim=True))
        loss = -(Yt * log_p).sum() / Yt.shape[1]
        loss.backward()
        with torch.no_grad():
            for p in P:
                p -= 0.1 * p.grad
                p.grad = None
        return loss.detach().numpy()

    return step, P


def measure_budget(steps, seconds=0.4, most=200, fewest=5):
    """``measure`` with as many interleaved repeats as fit in about ``seconds`` per engine."""
    start = time.perf_counter()
    for step in steps.values():
        step()
    per_round = time.perf_counter() - start
    return measure(steps, max(fewest, min(most, int(seconds * len(steps) / per_round))), warm_up=2)


def growth(figure_path):
    """Node / numpy for each batch and width (width inputs → width hidden → 10 outputs): the
    per-node cost of the engine is the same at every size, so it matters less as the arrays grow."""
    print(f"\nhow the cost grows: Node / numpy for batch × (width → width → 10), "
          f"median of interleaved repeats (about 0.4 s per engine and size)")
    print(f"  {'batch':>6}" + "".join(f"{'width ' + str(w):>12}" for w in GROWTH_WIDTHS))
    ratios = {}
    for batch in GROWTH_BATCHES:
        row = []
        for width in GROWTH_WIDTHS:
            X, T, params = problem(batch, width, width, 10)
            steps = {"Node": node_step_factory(X, T, params)[0], "numpy": numpy_step_factory(X, T, params)[0]}
            assert np.isclose(float(steps["Node"]()), float(steps["numpy"]()), rtol=1e-10)
            medians = measure_budget(steps)
            ratios[batch, width] = medians["Node"] / medians["numpy"]
            row.append(ratios[batch, width])
        print(f"  {batch:>6}" + "".join(f"{r:>12.2f}" for r in row))
    draw_growth(ratios, figure_path)
    return ratios


def draw_growth(ratios, path):
    """Node / numpy against the width, one line per batch size, written to ``path`` as a png."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from backprop_helpers.plots import OKABE_ITO

    styles = zip(GROWTH_BATCHES, ["vermillion", "orange", "blue", "bluish_green"], "osD^", ["-", "--", "-.", ":"])
    fig, ax = plt.subplots(figsize=(5.8, 3.6))  # 638 px wide: the website shows it unshrunk
    for batch, colour, marker, line in styles:
        ax.plot(GROWTH_WIDTHS, [ratios[batch, w] for w in GROWTH_WIDTHS], marker=marker, linestyle=line,
                color=OKABE_ITO[colour], label=f"batch {batch}")
    ax.axhline(1.0, color="grey", linewidth=0.8)
    ax.set_xscale("log", base=2)
    ax.set_xticks(GROWTH_WIDTHS, [str(w) for w in GROWTH_WIDTHS])
    ax.set_xlabel("width (inputs and hidden units; 10 outputs)")
    ax.set_ylabel("Node time / numpy time")
    ax.set_title("One training step: Node against hand-written numpy", fontsize=10)
    ax.legend(frameon=False)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"  figure written to {path}")


def blas_config():
    """One line saying which BLAS numpy uses and how it is configured here."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        name = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older numpy: no dict mode
        name = "unknown BLAS"
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
    settings = [f"BLAS threads: {threads}" if threads else
                f"BLAS threads: not set (OpenBLAS may use all {os.cpu_count()} CPUs)"]
    settings += [f"{k}={os.environ[k]}" for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                  "MKL_NUM_THREADS") if k in os.environ]
    return f"numpy {np.__version__} with {name}; " + ", ".join(settings)


def measure(steps, repeats, warm_up=10):
    """Median seconds per step of each engine, the engines interleaved step by step."""
    for step in steps.values():
        for _ in range(warm_up):
            step()
    times = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}


def run(label, sizes, repeats, target, digits=False):
    if digits:
        X, T, params = digits_problem(*sizes)
        factories = {"Node": digits_node_factory, "numpy": digits_numpy_factory}
        if torch is not None:
            factories["torch"] = digits_torch_factory
    else:
        X, T, params = problem(*sizes)
        factories = {"Node": node_step_factory, "numpy": numpy_step_factory}
        if torch is not None:
            factories["torch"] = torch_step_factory
    built = {name: factory(X, T, params) for name, factory in factories.items()}
    # the engines compute the same step: check the first one agrees before timing anything
    losses = {name: float(step()) for name, (step, _) in built.items()}
    first = {name: np.asarray(P[0].detach().numpy() if torch is not None and name == "torch"
                              else (P[0].data if name == "Node" else P[0]))
             for name, (_, P) in built.items()}
    for name in built:
        assert np.isclose(losses[name], losses["Node"], rtol=1e-10), (name, losses)
        assert np.allclose(first[name], first["Node"], rtol=1e-9, atol=1e-12), name
    medians = measure({name: step for name, (step, _) in built.items()}, repeats)
    if digits:
        print(f"\n{label}: batch {sizes[0]}, 64 → {sizes[1]} → 10, softmax cross-entropy, "
              f"median of {repeats} steps")
    else:
        batch, n_in, n_hidden, n_out = sizes
        print(f"\n{label}: batch {batch}, {n_in} → {n_hidden} → {n_out}, median of {repeats} steps")
    for name, seconds in medians.items():
        print(f"  {name:<6} {seconds * 1e6:10.1f} µs per step")
    if target is None:
        print("  " + ";  ".join(f"Node / {name} = {medians['Node'] / s:.2f}" for name, s in medians.items()
                                if name != "Node") + "  (no target)")
        return None
    reference, limit = target
    if reference not in medians:
        print(f"  Node / {reference}: skipped ({reference} is not installed)")
        return None
    ratio = medians["Node"] / medians[reference]
    others = [f"Node / {name} = {medians['Node'] / s:.2f}" for name, s in medians.items()
              if name not in ("Node", reference)]
    verdict = "meets" if ratio <= limit else "MISSES"
    print(f"  Node / {reference} = {ratio:.2f}  (target <= {limit}: {verdict})"
          + (f";  {'; '.join(others)}" if others else ""))
    return ratio <= limit


def load_warning():
    """A warning when a multi-threaded BLAS shares a busy machine: its timings then mean little."""
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not available on this platform
        return None
    cpus = os.cpu_count() or 1
    if (threads and int(threads) == 1) or load < cpus:
        return None
    return (f"note: load average {load:.1f} on {cpus} CPUs with a multi-threaded BLAS: its threads "
            f"wait for busy cores, so large-matrix timings are erratic; compare with --blas-threads 1")


def main():
    print(blas_config())
    if load_warning():
        print(load_warning())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads" if torch is not None
          else "torch not installed: the comparison with PyTorch is skipped")
    results = [
        run("training size", (256, 64, 128, 10), ARGS.repeats, ("numpy", 1.5)),
        run("notebook size", (4, 3, 4, 1), ARGS.repeats, ("torch", 0.7)),
        run("notebook 05's digits step", (32, 64), ARGS.repeats, None, digits=True),
    ]
    if not ARGS.no_growth:
        growth(ARGS.figure)
    missed = [r for r in results if r is False]
    print("\nall measured targets met" if not missed else f"\n{len(missed)} target(s) missed")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
