"""How fast is backprop_helpers.scalar.Value? One training step against micrograd 0.1.0.

    python benchmarks/bench_scalar.py [--steps 10] [--rounds 3]

The task, identical for both engines: a 2-16-16-1 ReLU MLP, 100 two-moons points, the
hinge loss mean(relu(1 - y·score)) plus a 1e-4 L2 penalty (micrograd's own demo), then
zero_grad, backward and a gradient-descent update. Each engine runs in its own fresh Python
process with the garbage collector left on, as a user has it; the time of a step includes
freeing the step's graph (where it can be freed). The engines take turns, a fresh process
each, for ``--rounds`` rounds, so a change in machine load hits both alike. Prints the median
time of forward, backward and a whole step for each engine, the ratio micrograd / ours, and
backward / forward; it asserts that the two engines compute the same loss at every step.
Target: ours at least 20x faster.

Where the time goes: nearly 40% of our step is Python's cyclic garbage collector walking the
~65,000 nodes of the graph while they are made (with the collector off the step takes 0.6 of
the time; the backward pass hardly changes). One object per node is already the least the
collector can see; writing the common ``+`` and ``*`` out instead of calling ``_result``
measured no faster.

micrograd is not a dependency of the course; install it to compare:

    pip install micrograd==0.1.0

Without it, only this package's engine is timed.

Why ``scalar.Value`` is shaped as it is (each choice measured with this script or timeit):

- Local derivatives are plain numbers taken in the forward pass, not closures: a graph holds
  no reference cycles, so Python frees it by reference counting alone, and the cyclic garbage
  collector, which visits every container object it tracks, has less to do.
- ``__slots__`` and at most two inputs held in slots (``_a``, ``_b`` with ``_da``, ``_db``):
  one object per node, no tuple or dict beside it.
- Operations build their result through the private factory ``scalar._result`` (positional,
  ``object.__new__`` plus slot stores) rather than ``Value(...)``: no keyword parsing and no
  ``__init__`` frame, about 25% less time per node than the constructor. The public
  ``Value.from_op(...)`` checks its arguments and is for learners' own operations.
- ``topological_order`` marks "all inputs emitted" with a ``None`` pushed on its stack instead
  of ``(node, done)`` tuples: about half the time on a 65k-node graph.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

TARGET = 20.0  # the speed-up over micrograd this engine must keep


def hinge_step(model, X, y, Value, learning_rate=0.05):
    """One training step; returns (forward, backward, whole step) in seconds and the loss."""
    start = time.perf_counter()
    params = model.parameters()
    inputs = [[Value(float(a)), Value(float(b))] for a, b in zip(X[0], X[1])]
    scores = []
    for x in inputs:
        out = model(x)
        scores.append(out[0] if isinstance(out, list) else out)  # micrograd returns a Value
    losses = [(1 + -float(label) * score).relu() for label, score in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    total = data_loss + 1e-4 * sum(p * p for p in params)
    forward_end = time.perf_counter()
    model.zero_grad()
    total.backward()
    backward_end = time.perf_counter()
    for p in params:
        p.data -= learning_rate * p.grad
    loss = total.data
    del inputs, scores, losses, data_loss, total  # free the graph (where it can be freed)
    return forward_end - start, backward_end - forward_end, time.perf_counter() - start, loss


def run_engine(engine, steps):
    """Time ``steps`` training steps of one engine in this process; print JSON."""
    import random
    from backprop_helpers.examples import two_moons
    X, y = two_moons(100, noise=0.1, seed=1)
    random.seed(0)  # micrograd draws from `random`; ours from random.Random(0): the same weights
    if engine == "micrograd":
        from micrograd.engine import Value
        from micrograd.nn import MLP
        model = MLP(2, [16, 16, 1])
    else:
        from backprop_helpers.nn import MLP
        from backprop_helpers.scalar import Value
        model = MLP(2, [16, 16, 1], seed=0)
    runs = [hinge_step(model, X, y, Value) for _ in range(steps + 2)]  # the first two warm up
    print(json.dumps({"times": [run[:3] for run in runs[2:]], "losses": [run[3] for run in runs]}))


def measure(engine, steps):
    """Run one engine in a fresh process: a list of (forward, backward, step) times in
    seconds, or None when the engine is not installed."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, __file__, "--engine", engine, "--steps", str(steps)],
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        if "No module named 'micrograd'" in result.stderr:
            return None
        raise RuntimeError(f"{engine} run failed:\n{result.stderr}")
    return json.loads(result.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10, help="timed steps per engine and round")
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per engine, taking turns")
    parser.add_argument("--engine", choices=["ours", "micrograd"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        return run_engine(args.engine, args.steps)

    print(f"one training step: 2-16-16-1 ReLU MLP, 100 two-moons points, hinge loss; "
          f"median of {args.rounds} rounds x {args.steps} steps, each engine in fresh processes, gc on")
    engines = {"backprop_helpers.scalar": "ours", "micrograd 0.1.0": "micrograd"}
    times = {name: [] for name in engines}
    losses = {}
    for _ in range(args.rounds):  # take turns, so both see the same machine load
        for name, engine in engines.items():
            if times[name] is not None:
                run = measure(engine, args.steps)
                times[name] = None if run is None else times[name] + run["times"]
                losses[name] = None if run is None else run["losses"]
    results = {name: None if t is None else {key: statistics.median(step[i] for step in t)
                                             for i, key in enumerate(["forward", "backward", "step"])}
               for name, t in times.items()}
    print(f"{'engine':<26}{'forward':>12}{'backward':>12}{'step':>12}{'backward/forward':>18}")
    for name, r in results.items():
        if r is None:
            print(f"{name:<26}  not installed (pip install micrograd==0.1.0 to compare)")
            continue
        print(f"{name:<26}{r['forward'] * 1e3:>9.1f} ms{r['backward'] * 1e3:>9.1f} ms"
              f"{r['step'] * 1e3:>9.1f} ms{r['backward'] / r['forward']:>18.2f}")
    ours, theirs = results["backprop_helpers.scalar"], results["micrograd 0.1.0"]
    if theirs is not None:
        mine, other = losses["backprop_helpers.scalar"], losses["micrograd 0.1.0"]
        print(f"same weights, same task: losses of steps 1 and {len(mine)} {mine[0]:.12f}, {mine[-1]:.12f} "
              f"(ours) vs {other[0]:.12f}, {other[-1]:.12f} (micrograd)")
        assert len(mine) == len(other) and all(abs(a - b) <= 1e-12 * abs(b) for a, b in zip(mine, other)), \
            f"the engines computed different losses step by step: {mine} vs {other}"
        ratio = theirs["step"] / ours["step"]
        verdict = "meets" if ratio >= TARGET else "MISSES"
        print(f"speed-up of a whole step, micrograd / ours: {ratio:.1f}x "
              f"({verdict} the {TARGET:.0f}x target)")
        print(f"  forward {theirs['forward'] / ours['forward']:.1f}x, "
              f"backward {theirs['backward'] / ours['backward']:.1f}x")


if __name__ == "__main__":
    main()
