"""Benchmark: MNIST-sized arrays shuffled in batches of 32, through ek.data and (if present) tf.data.

Usage: python scripts/bench_data.py [--epochs 3] [--tf-python PATH]

Measures batches/s over full epochs of ``from_tensor_slices((x, y)).shuffle(1000).batch(32)``
on 60000x28x28 uint8 images (Fashion-MNIST from $EAGERKIT_DATASETS when available,
synthetic otherwise), iterating Tensors as a training loop would. The tf.data figure is
taken by running the same pipeline in a TensorFlow interpreter in a subprocess
(``--tf-python``, $EAGERKIT_TF_PYTHON, or ../tfvenv/bin/python beside the repository).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

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


def find_tf_python(explicit: str | None) -> str | None:
    for candidate in (explicit, os.environ.get("EAGERKIT_TF_PYTHON"), str(REPO.parent / "tfvenv" / "bin" / "python")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def bench_tf(python: str, x: np.ndarray, y: np.ndarray, epochs: int) -> dict | None:
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "arrays.npz")
        np.savez(path, x=x, y=y)
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        proc = subprocess.run(
            [python, "-c", TF_SNIPPET, path, str(epochs)], capture_output=True, text=True, env=env, timeout=1200
        )
    if proc.returncode != 0:
        print(f"tf.data run failed:\n{proc.stderr[-2000:]}")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--tf-python", default=None, help="a Python interpreter with TensorFlow installed")
    args = parser.parse_args()
    x, y, source = load_arrays()
    print(f"data: {source}; {args.epochs} epochs of {-(-len(x) // 32)} batches")
    for name, rate in bench_eagerkit(x, y, args.epochs).items():
        print(f"eagerkit  {name:<28} {rate:9.0f} batches/s")
    python = find_tf_python(args.tf_python)
    if python is None:
        print("tf.data: skipped (no TensorFlow interpreter found; pass --tf-python or set EAGERKIT_TF_PYTHON)")
        return
    result = bench_tf(python, x, y, args.epochs)
    if result:
        version = result.pop("tf_version")
        for name, rate in result.items():
            print(f"tf.data   {name:<28} {rate:9.0f} batches/s  (TensorFlow {version})")


if __name__ == "__main__":
    main()
