"""Benchmark: MNIST-sized arrays shuffled in batches of 32, through ek.data and (if present) tf.data.

Usage: python scripts/benchmarks/bench_data.py [--epochs 3] [--examples N] [--tf-python PATH] [--no-anchors]

Measures batches/s over full epochs of ``from_tensor_slices((x, y)).shuffle(1000).batch(32)``
on 60000x28x28 uint8 images (Fashion-MNIST from $EAGERKIT_DATASETS or ../shared/data beside
the repository when available, synthetic otherwise; ``--examples`` keeps the first N),
iterating Tensors as a training loop would. The tf.data figure is taken by running the same
pipeline on the same arrays in a TensorFlow interpreter in a subprocess (``--tf-python`` or
$EK_TF_PYTHON, see bench_env.py).

``measure()`` returns the numbers as a dict and ``rows()`` turns them into the rows of
``scripts/benchmarks/run.py``'s table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np
from bench_env import REPO, Anchor, add_anchor_arguments, anchors_from_args, find_anchors, row, use_source_tree

TF_SNIPPET = """
import json, sys, time, numpy as np, tensorflow as tf
d = np.load(sys.argv[1]); x, y = d["x"], d["y"]; epochs = int(sys.argv[2])
out = {}
for name, prefetch in (("shuffle(1000).batch(32)", False), ("... .prefetch(AUTOTUNE)", True)):
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(1000).batch(32)
    if prefetch:
        ds = ds.prefetch(tf.data.AUTOTUNE)
    for _ in ds.take(2):
        pass
    n, t = 0, time.perf_counter()
    for _ in range(epochs):
        for a, b in ds:
            n += 1
    out[name] = n / (time.perf_counter() - t)
print(json.dumps({"tf_version": tf.__version__, **out}))
"""


def load_arrays() -> tuple[np.ndarray, np.ndarray, str]:
    use_source_tree()
    root = os.environ.get("EAGERKIT_DATASETS") or str(REPO.parent / "shared" / "data")
    if os.path.isdir(os.path.join(root, "fashion-mnist")):
        os.environ["EAGERKIT_DATASETS"] = root
        from eagerkit.keras.datasets import fashion_mnist

        (x, y), _ = fashion_mnist.load_data()
        return x, y, "Fashion-MNIST train (60000x28x28 uint8)"
    rng = np.random.default_rng(0)
    return (
        rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, 60000).astype(np.uint8),
        "synthetic 60000x28x28 uint8",
    )


def bench_eagerkit(x: np.ndarray, y: np.ndarray, epochs: int) -> dict[str, float]:
    from eagerkit.data import AUTOTUNE, Dataset

    out = {}
    for name, prefetch in (("shuffle(1000).batch(32)", False), ("... .prefetch(AUTOTUNE)", True)):
        ds = Dataset.from_tensor_slices((x, y)).shuffle(1000).batch(32)
        if prefetch:
            ds = ds.prefetch(AUTOTUNE)
        for _ in ds.take(2):
            pass
        n, t = 0, time.perf_counter()
        for _ in range(epochs):
            for _a, _b in ds:
                n += 1
        out[name] = n / (time.perf_counter() - t)
    return out


def bench_tf(python: str, x: np.ndarray, y: np.ndarray, epochs: int) -> dict:
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "arrays.npz")
        np.savez(path, x=x, y=y)
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        proc = subprocess.run(
            [python, "-c", TF_SNIPPET, path, str(epochs)], capture_output=True, text=True, env=env, timeout=1200
        )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"skipped": f"skipped: tf.data run failed ({last[:160]})"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(epochs: int = 3, examples: int | None = None, anchors: dict[str, Anchor] | None = None) -> dict:
    """Batches/s of each pipeline: ``{"eagerkit": {name: rate}, "tf.data": {name: rate} | {"skipped": why}}``."""
    anchors = find_anchors() if anchors is None else anchors
    x, y, source = load_arrays()
    if examples:
        x, y = x[:examples], y[:examples]
        source += f", first {len(x)}"
    result = {
        "source": source,
        "examples": len(x),
        "epochs": epochs,
        "batches_per_epoch": -(-len(x) // 32),
        "eagerkit": bench_eagerkit(x, y, epochs),
    }
    tf = anchors["tf"]
    if tf.python is None:
        result["tf.data"] = {"skipped": tf.skip}
    else:
        result["tf.data"] = bench_tf(tf.python, x, y, epochs)
    return result


def rows(result: dict) -> list[dict]:
    """The runner's table rows: microseconds per batch, ek.data against tf.data."""
    out = []
    tf = dict(result["tf.data"])
    tf.pop("tf_version", None)
    for name, rate in result["eagerkit"].items():
        case = "shuffle(1000).batch(32).prefetch" if name.startswith("...") else "shuffle(1000).batch(32)"
        case += f", {result['examples']:,} x 28x28 uint8"
        value = 1e6 / tf[name] if name in tf else None
        out.append(row("data", case, "us/batch", 1e6 / rate, "tf.data", value, tf.get("skipped", "")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--examples", type=int, default=None, help="use only the first N examples")
    add_anchor_arguments(parser, ("tf",))
    args = parser.parse_args()
    result = measure(args.epochs, args.examples, anchors_from_args(args))
    print(f"data: {result['source']}; {args.epochs} epochs of {result['batches_per_epoch']} batches")
    for name, rate in result["eagerkit"].items():
        print(f"eagerkit  {name:<28} {rate:9.0f} batches/s")
    tf = dict(result["tf.data"])
    if "skipped" in tf:
        print(f"tf.data: {tf['skipped']}")
        return
    version = tf.pop("tf_version")
    for name, rate in tf.items():
        print(f"tf.data   {name:<28} {rate:9.0f} batches/s  (TensorFlow {version})")


if __name__ == "__main__":
    main()
