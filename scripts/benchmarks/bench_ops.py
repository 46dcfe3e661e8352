"""Per-call eager overhead of eagerkit ops against raw ``jax.numpy`` in the same process.

Measures ``ek.add`` / ``ek.matmul`` (and the ``+`` / ``@`` operators, and ``x + 1.0`` with a
Python scalar) on 32x32 float32 tensors, next to the same call on raw jax arrays. Each row is
the median over several rounds of the mean time of many back-to-back calls (the last result of a
round is waited for, so queued asynchronous work is counted); eagerkit and jax.numpy are
measured in alternating rounds so machine load affects both alike. TensorFlow eager and
PyTorch (single-threaded) are added when their interpreters are found (``--tf-python``,
``$EK_TF_PYTHON``, ``--torch-python``, ``$EK_TORCH_PYTHON``, see bench_env.py; they run in
subprocesses, so compare them only roughly). The goal is eagerkit within 1.5x of raw JAX.

    python scripts/benchmarks/bench_ops.py [--calls 2000] [--rounds 7] [--clock wall|cpu] [--no-anchors]

``measure()`` returns the numbers as a dict and ``rows()`` turns them into the rows of
``scripts/benchmarks/run.py``'s table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from collections.abc import Callable

import numpy as np
from bench_env import Anchor, add_anchor_arguments, anchors_from_args, find_anchors, row, use_source_tree


def per_call_us(fns: list[Callable[[], object]], calls: int, rounds: int, clock: Callable[[], float]) -> list[float]:
    """Median over ``rounds`` of the mean microseconds per call, for each of ``fns``.

    The functions are measured in turn within every round, so a change in machine load
    affects all of them alike.
    """
    for fn in fns:  # warm up: compile, fill caches
        for _ in range(max(calls // 10, 50)):
            out = fn()
        _block(out)
    results: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            start = clock()
            for _ in range(calls):
                out = fn()
            _block(out)
            results[i].append((clock() - start) / calls * 1e6)
    return [statistics.median(r) for r in results]


def _block(out: object) -> None:
    value = getattr(out, "_value", out)
    if hasattr(value, "block_until_ready"):
        value.block_until_ready()
    elif hasattr(out, "numpy"):
        out.numpy()


# Anchors run in their own interpreters (TF and PyTorch are not installed next to eagerkit):
# the same cases, the same timing loop, the results printed as JSON.
ANCHOR = """
import json, os, statistics, sys, time
import numpy as np
calls, rounds, clock_name = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
clock = time.perf_counter if clock_name == "wall" else time.process_time
rng = np.random.default_rng(0)
a = rng.standard_normal((32, 32)).astype(np.float32)
b = rng.standard_normal((32, 32)).astype(np.float32)
{setup}
out = {{}}
for op, fn in cases.items():
    for _ in range(max(calls // 10, 50)):
        r = fn()
    sync(r)
    times = []
    for _ in range(rounds):
        t0 = clock()
        for _ in range(calls):
            r = fn()
        sync(r)
        times.append((clock() - t0) / calls * 1e6)
    out[op] = statistics.median(times)
print(json.dumps(out))
"""
# (result name, anchor kind, setup code)
ANCHOR_SETUP = {
    "tf eager": (
        "tf",
        """
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow as tf
ta, tb = tf.constant(a), tf.constant(b)
cases = {"add": lambda: tf.add(ta, tb), "matmul": lambda: tf.matmul(ta, tb), "a + b": lambda: ta + tb,
         "a @ b": lambda: ta @ tb, "a + 1.0": lambda: ta + 1.0}
sync = lambda r: r.numpy()
""",
    ),
    "torch": (
        "torch",
        """
import torch
torch.set_num_threads(1)
pa, pb = torch.from_numpy(a), torch.from_numpy(b)
cases = {"add": lambda: torch.add(pa, pb), "matmul": lambda: torch.matmul(pa, pb), "a + b": lambda: pa + pb,
         "a @ b": lambda: pa @ pb, "a + 1.0": lambda: pa + 1.0}
sync = lambda r: None
""",
    ),
}
OPS = ("add", "matmul", "a + b", "a @ b", "a + 1.0")


def _anchor_results(anchors: dict[str, Anchor], calls: int, rounds: int, clock: str) -> dict[str, dict]:
    """Per-op microseconds from TF eager and PyTorch, or ``{"skipped": why}`` for each."""
    results: dict[str, dict] = {}
    for name, (kind, setup) in ANCHOR_SETUP.items():
        anchor = anchors[kind]
        if anchor.python is None:
            results[name] = {"skipped": anchor.skip}
            continue
        code = ANCHOR.format(setup=setup)
        try:
            proc = subprocess.run(
                [anchor.python, "-c", code, str(calls), str(rounds), clock],
                capture_output=True,
                text=True,
                timeout=600,
            )
        except subprocess.TimeoutExpired:
            results[name] = {"skipped": f"skipped: {anchor.label} run timed out"}
            continue
        if proc.returncode == 0 and proc.stdout.strip():
            results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        else:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            results[name] = {"skipped": f"skipped: {anchor.label} run failed ({last[:160]})"}
    return results


def measure(calls: int = 2000, rounds: int = 7, clock: str = "wall", anchors: dict[str, Anchor] | None = None) -> dict:
    """Microseconds per call: ``{"eagerkit": {op: us}, "jax.numpy": {...}, "tf eager": ..., "torch": ...}``.

    An anchor that is not available holds ``{"skipped": why}`` instead of numbers.
    """
    use_source_tree()
    import jax
    import jax.numpy as jnp

    import eagerkit as ek

    anchors = find_anchors() if anchors is None else anchors
    timer = time.perf_counter if clock == "wall" else time.process_time
    rng = np.random.default_rng(0)
    a = rng.standard_normal((32, 32)).astype(np.float32)
    b = rng.standard_normal((32, 32)).astype(np.float32)
    ea, eb = ek.constant(a), ek.constant(b)
    ja, jb = jnp.asarray(a), jnp.asarray(b)
    cases = {
        "add": (lambda: ek.add(ea, eb), lambda: jnp.add(ja, jb)),
        "matmul": (lambda: ek.matmul(ea, eb), lambda: jnp.matmul(ja, jb)),
        "a + b": (lambda: ea + eb, lambda: ja + jb),
        "a @ b": (lambda: ea @ eb, lambda: ja @ jb),
        "a + 1.0": (lambda: ea + 1.0, lambda: ja + 1.0),
    }
    extra = _anchor_results(anchors, calls, rounds, clock)
    result: dict = {
        "config": {"shape": [32, 32], "dtype": "float32", "calls": calls, "rounds": rounds, "clock": clock},
        "platform": jax.devices()[0].platform,
        "unit": "us/call",
        "eagerkit": {},
        "jax.numpy": {},
    }
    for op, (ek_fn, jnp_fn) in cases.items():
        result["eagerkit"][op], result["jax.numpy"][op] = per_call_us([ek_fn, jnp_fn], calls, rounds, timer)
    result.update(extra)
    return result


def rows(result: dict) -> list[dict]:
    """The runner's table rows: each op against jax.numpy, TF eager and PyTorch."""
    out = []
    for op in OPS:
        case = f"{op} (32x32 f32)"
        ek_us = result["eagerkit"][op]
        for name, label in (("jax.numpy", "jax.numpy"), ("tf eager", "TF eager"), ("torch", "PyTorch (1 thread)")):
            anchor = result[name]
            if "skipped" in anchor:
                out.append(row("ops", case, "us/call", ek_us, label, None, anchor["skipped"]))
            else:
                out.append(row("ops", case, "us/call", ek_us, label, anchor[op]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=7, help="rounds (the median is reported)")
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="wall: time.perf_counter; cpu: this process's CPU time (steadier on a busy machine)",
    )
    add_anchor_arguments(parser, ("tf", "torch"))
    args = parser.parse_args()
    result = measure(args.calls, args.rounds, args.clock, anchors_from_args(args))

    import jax

    print(
        f"jax {jax.__version__} on {result['platform']}; 32x32 float32; "
        f"{args.calls} calls x {args.rounds} rounds; {args.clock} clock"
    )
    extra = {name: result[name] for name in ANCHOR_SETUP}
    header = f"{'op':<9}{'eagerkit us':>13}{'jax.numpy us':>14}{'ratio':>8}"
    for name, values in extra.items():
        if "skipped" not in values:
            header += f"{name + ' us':>13}"
    print(header)
    print("-" * len(header))
    ratios = []
    for op in OPS:
        ek_us, jnp_us = result["eagerkit"][op], result["jax.numpy"][op]
        ratios.append(ek_us / jnp_us)
        line = f"{op:<9}{ek_us:>13.2f}{jnp_us:>14.2f}{ek_us / jnp_us:>7.2f}x"
        for values in extra.values():
            if "skipped" not in values:
                line += f"{values[op]:>13.2f}"
        print(line)
    for name, values in extra.items():
        if "skipped" in values:
            print(f"{name}: {values['skipped']}")
    worst = max(ratios[:2])
    verdict = "within" if worst <= 1.5 else "NOT within"
    print(f"\nek.add / ek.matmul: worst ratio {worst:.2f}x, {verdict} the 1.5x goal")


if __name__ == "__main__":
    main()
