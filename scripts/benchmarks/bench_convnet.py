"""The seed guide's MNIST convnet train step: eagerkit (eager, ek.function, fit) vs anchors.

Anchors, measured in the same run on the same batches (batch 32, 28x28x1, 10 classes):
- hand-written ``jax.jit`` + optax step (the limit for any JAX framework),
- TF eager and ``tf.function`` (``--tf-python`` or $EK_TF_PYTHON, see bench_env.py),
- Keras 3 on JAX ``train_on_batch`` and ``fit`` (``--keras-python`` or $EK_KERAS_PYTHON).
Anchors that are not available are reported as skipped. Steady speed is the best of 3 runs of
``--steps`` steps (a quarter of them, at least 20, for the eager loops; ``fit`` runs once over
``--steps`` batches after a warm-up fit); the first call is timed on its own (trace + compile).
Prints a table and writes JSON.

    python scripts/benchmarks/bench_convnet.py [--steps 200] [--json out.json] [--no-anchors]

``measure()`` returns the numbers as a dict and ``rows()`` turns them into the rows of
``scripts/benchmarks/run.py``'s table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time

import numpy as np
from bench_env import Anchor, add_anchor_arguments, anchors_from_args, find_anchors, row, use_source_tree

N_BATCHES = 20


def make_batches(batch: int) -> tuple[np.ndarray, np.ndarray]:
    """``N_BATCHES`` batches of random images and labels, the same for every variant."""
    rng = np.random.default_rng(0)
    images = rng.random((N_BATCHES, batch, 28, 28, 1), dtype=np.float32)
    labels = rng.integers(0, 10, (N_BATCHES, batch)).astype(np.int64)
    return images, labels


def timed(step, n: int, warmup: int = 5) -> tuple[float, float]:
    """(first-call seconds, steady steps/s) of ``step(i)``."""
    t0 = time.perf_counter()
    out = step(0)
    _block(out)
    first = time.perf_counter() - t0
    for i in range(1, warmup):
        _block(step(i))
    best = 0.0
    for _ in range(3):
        t0 = time.perf_counter()
        for i in range(n):
            out = step(i)
        _block(out)
        best = max(best, n / (time.perf_counter() - t0))
    return first, best


def _block(x) -> None:
    if hasattr(x, "block_until_ready"):
        x.block_until_ready()
    elif hasattr(x, "_value"):
        x._value.block_until_ready()
    elif hasattr(x, "numpy"):
        x.numpy()


# -- hand-written jax.jit + optax ---------------------------------------------------------------
def bench_jax(images: np.ndarray, labels: np.ndarray, steps: int) -> dict[str, dict]:
    import jax
    import jax.numpy as jnp
    import optax

    jax.config.update("jax_enable_x64", True)  # as eagerkit sets it: the same process either way
    f32 = jnp.float32

    def init(key):
        k = jax.random.split(key, 4)
        glorot = jax.nn.initializers.glorot_uniform()
        return {
            "c1": glorot(k[0], (3, 3, 1, 16), f32),
            "b1": jnp.zeros(16, f32),
            "c2": glorot(k[1], (3, 3, 16, 16), f32),
            "b2": jnp.zeros(16, f32),
            "d": glorot(k[2], (16, 10), f32),
            "bd": jnp.zeros(10, f32),
        }

    def forward(p, x):
        dn = ("NHWC", "HWIO", "NHWC")
        x = jax.nn.relu(jax.lax.conv_general_dilated(x, p["c1"], (1, 1), "VALID", dimension_numbers=dn) + p["b1"])
        x = jax.nn.relu(jax.lax.conv_general_dilated(x, p["c2"], (1, 1), "VALID", dimension_numbers=dn) + p["b2"])
        return x.mean(axis=(1, 2)) @ p["d"] + p["bd"]

    opt = optax.adam(1e-3)
    params = init(jax.random.key(0))
    state = opt.init(params)

    @jax.jit
    def step(params, state, x, y):
        def loss_fn(p):
            return optax.softmax_cross_entropy_with_integer_labels(forward(p, x), y).mean()

        loss, g = jax.value_and_grad(loss_fn)(params)
        updates, state = opt.update(g, state, params)
        return optax.apply_updates(params, updates), state, loss

    box = [params, state]
    xs = [jnp.asarray(b) for b in images]
    ys = [jnp.asarray(b) for b in labels]

    def run(i):
        box[0], box[1], loss = step(box[0], box[1], xs[i % N_BATCHES], ys[i % N_BATCHES])
        return loss

    first, sps = timed(run, steps)
    return {"jax.jit + optax": {"steps_per_s": sps, "first_call_s": first}}


# -- eagerkit ---------------------------------------------------------------------------------------
def make_model():
    import eagerkit as tf

    tf.random.set_seed(0)
    model = tf.keras.Sequential(
        [
            tf.keras.layers.Conv2D(16, [3, 3], activation="relu", input_shape=(None, None, 1)),
            tf.keras.layers.Conv2D(16, [3, 3], activation="relu"),
            tf.keras.layers.GlobalAveragePooling2D(),
            tf.keras.layers.Dense(10),
        ]
    )
    return model


def bench_eagerkit(images: np.ndarray, labels: np.ndarray, steps: int) -> dict[str, dict]:
    import eagerkit as tf

    results: dict[str, dict] = {}
    batch = images.shape[1]
    xs = [tf.constant(b) for b in images]
    ys = [tf.constant(b) for b in labels]

    def make_step(model, optimizer, loss_object):
        def train_step(images, labels):
            with tf.GradientTape() as tape:
                logits = model(images, training=True)
                loss_value = loss_object(labels, logits)
            grads = tape.gradient(loss_value, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            return loss_value

        return train_step

    for mode in ("eager", "ek.function"):
        train_step = make_step(
            make_model(), tf.keras.optimizers.Adam(), tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        )
        fn = train_step if mode == "eager" else tf.function(train_step)
        n = steps if mode != "eager" else max(steps // 4, 20)
        first, sps = timed(lambda i, fn=fn: fn(xs[i % N_BATCHES], ys[i % N_BATCHES]), n)
        results[f"eagerkit {mode}"] = {"steps_per_s": sps, "first_call_s": first}
    model = make_model()
    model.compile(
        optimizer=tf.keras.optimizers.Adam(), loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    x_all = images.reshape(-1, 28, 28, 1)
    y_all = labels.reshape(-1)
    model.fit(x_all[: batch * 2], y_all[: batch * 2], batch_size=batch, epochs=1, verbose=0)
    reps = max(1, steps // N_BATCHES)
    t0 = time.perf_counter()
    model.fit(
        np.tile(x_all, (reps, 1, 1, 1)), np.tile(y_all, reps), batch_size=batch, epochs=1, verbose=0, shuffle=False
    )
    results["eagerkit fit"] = {"steps_per_s": reps * N_BATCHES / (time.perf_counter() - t0), "first_call_s": None}
    t = make_model()
    t.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    first, sps = timed(lambda i: t.train_on_batch(images[i % N_BATCHES], labels[i % N_BATCHES]), steps)
    results["eagerkit train_on_batch"] = {"steps_per_s": sps, "first_call_s": first}
    return results


# -- TensorFlow and Keras 3 (subprocesses) -------------------------------------------------------------------------
TF_SNIPPET = r"""
import json, sys, time, numpy as np, os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf
steps, batch = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
IM = rng.random((20, batch, 28, 28, 1), dtype=np.float32); LB = rng.integers(0, 10, (20, batch)).astype(np.int64)
out = {}
for mode in ("eager", "tf.function"):
    tf.random.set_seed(0)
    model = tf.keras.Sequential([tf.keras.Input((None, None, 1)), tf.keras.layers.Conv2D(16, [3, 3], activation="relu"),
        tf.keras.layers.Conv2D(16, [3, 3], activation="relu"), tf.keras.layers.GlobalAveragePooling2D(),
        tf.keras.layers.Dense(10)])
    opt = tf.keras.optimizers.Adam(); lo = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = lo(y, model(x, training=True))
        g = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(g, model.trainable_variables))
        return loss
    fn = train_step if mode == "eager" else tf.function(train_step)
    xs = [tf.constant(b) for b in IM]; ys = [tf.constant(b) for b in LB]
    t0 = time.perf_counter(); fn(xs[0], ys[0]).numpy(); first = time.perf_counter() - t0
    for i in range(5): fn(xs[i], ys[i])
    n = steps if mode != "eager" else max(steps // 4, 20)
    best = 0
    for _ in range(3):
        t0 = time.perf_counter()
        for i in range(n): l = fn(xs[i % 20], ys[i % 20])
        l.numpy(); best = max(best, n / (time.perf_counter() - t0))
    out["TF " + mode] = {"steps_per_s": best, "first_call_s": first}
print(json.dumps(out))
"""


KERAS_SNIPPET = r"""
import json, os, sys, time, numpy as np
os.environ["KERAS_BACKEND"] = "jax"
import keras
steps, batch = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
IM = rng.random((20, batch, 28, 28, 1), dtype=np.float32); LB = rng.integers(0, 10, (20, batch)).astype(np.int64)
def make_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((None, None, 1)), keras.layers.Conv2D(16, [3, 3], activation="relu"),
        keras.layers.Conv2D(16, [3, 3], activation="relu"), keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(10)])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model
model = make_model()
t0 = time.perf_counter(); model.train_on_batch(IM[0], LB[0]); first = time.perf_counter() - t0
for i in range(5): model.train_on_batch(IM[i], LB[i])
best = 0
for _ in range(3):
    t0 = time.perf_counter()
    for i in range(steps): model.train_on_batch(IM[i % 20], LB[i % 20])
    best = max(best, steps / (time.perf_counter() - t0))
out = {"Keras 3 (JAX) train_on_batch": {"steps_per_s": best, "first_call_s": first}}
model = make_model()
x_all, y_all = IM.reshape(-1, 28, 28, 1), LB.reshape(-1)
model.fit(x_all[: batch * 2], y_all[: batch * 2], batch_size=batch, epochs=1, verbose=0)
reps = max(1, steps // 20)
t0 = time.perf_counter()
model.fit(np.tile(x_all, (reps, 1, 1, 1)), np.tile(y_all, reps), batch_size=batch, epochs=1, verbose=0, shuffle=False)
out["Keras 3 (JAX) fit"] = {"steps_per_s": reps * 20 / (time.perf_counter() - t0), "first_call_s": None}
print(json.dumps(out))
"""
TF_NAMES = ("TF eager", "TF tf.function")
KERAS_NAMES = ("Keras 3 (JAX) train_on_batch", "Keras 3 (JAX) fit")


def _bench_subprocess(anchor: Anchor, snippet: str, names: tuple[str, ...], steps: int, batch: int) -> dict:
    """The anchor's results by name, or ``{name: {"skipped": why}}`` for each of ``names``."""
    if anchor.python is None:
        return {name: {"skipped": anchor.skip} for name in names}
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    try:
        proc = subprocess.run(
            [anchor.python, "-c", snippet, str(steps), str(batch)],
            capture_output=True,
            text=True,
            env=env,
            timeout=1200,
        )
    except subprocess.TimeoutExpired:
        return {name: {"skipped": f"skipped: {anchor.label} run timed out"} for name in names}
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {name: {"skipped": f"skipped: {anchor.label} run failed ({last[:160]})"} for name in names}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(steps: int = 200, batch: int = 32, anchors: dict[str, Anchor] | None = None) -> dict:
    """Steps/s and first-call seconds of every variant: ``{"results": {name: {...}}}``.

    An anchor that is not available holds ``{"skipped": why}``.
    """
    use_source_tree()
    anchors = find_anchors() if anchors is None else anchors
    images, labels = make_batches(batch)
    results: dict[str, dict] = {}
    results.update(bench_jax(images, labels, steps))
    results.update(bench_eagerkit(images, labels, steps))
    results.update(_bench_subprocess(anchors["tf"], TF_SNIPPET, TF_NAMES, steps, batch))
    results.update(_bench_subprocess(anchors["keras"], KERAS_SNIPPET, KERAS_NAMES, steps, batch))
    return {"config": {"steps": steps, "batch": batch, "image": [28, 28, 1], "classes": 10}, "results": results}


# (eagerkit variant, anchor, what is compared)
PAIRS = [
    ("eagerkit eager", "TF eager", "steady"),
    ("eagerkit ek.function", "jax.jit + optax", "steady"),
    ("eagerkit ek.function", "TF tf.function", "steady"),
    ("eagerkit fit", "Keras 3 (JAX) fit", "steady"),
    ("eagerkit train_on_batch", "Keras 3 (JAX) train_on_batch", "steady"),
    ("eagerkit ek.function", "TF tf.function", "first"),
    ("eagerkit ek.function", "jax.jit + optax", "first"),
]


def rows(result: dict) -> list[dict]:
    """The runner's table rows: milliseconds per step, and first-call (trace + compile) seconds."""
    res = result["results"]
    batch = result["config"]["batch"]
    out = []
    for ek_name, anchor_name, what in PAIRS:
        ek, anchor = res[ek_name], res[anchor_name]
        variant = ek_name.removeprefix("eagerkit ")
        if what == "steady":
            case, unit = f"seed convnet step, {variant} (batch {batch})", "ms/step"
            ek_value = 1000 / ek["steps_per_s"]
            value = 1000 / anchor["steps_per_s"] if "steps_per_s" in anchor else None
        else:
            case, unit = f"first call (trace + compile), {variant}", "s"
            ek_value = ek["first_call_s"]
            value = anchor.get("first_call_s")
        out.append(row("convnet", case, unit, ek_value, anchor_name, value, anchor.get("skipped", "")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--json", default=None, help="also write the results to this JSON file")
    add_anchor_arguments(parser, ("tf", "keras"))
    args = parser.parse_args()
    result = measure(args.steps, args.batch, anchors_from_args(args))
    results = result["results"]
    ref = results["jax.jit + optax"]["steps_per_s"]
    print(f"seed convnet train step, batch {args.batch}, CPU threads: {os.cpu_count()}")
    print(f"{'variant':<32}{'steps/s':>10}{'vs jax.jit':>12}{'first call s':>14}")
    for name, r in results.items():
        if "skipped" in r:
            print(f"{name:<32}{r['skipped']}")
            continue
        first = "" if r.get("first_call_s") is None else f"{r['first_call_s']:.2f}"
        print(f"{name:<32}{r['steps_per_s']:>10.1f}{r['steps_per_s'] / ref:>11.2f}x{first:>14}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
