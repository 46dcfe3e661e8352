"""The seed guide's MNIST convnet train step: eagerkit (eager, ek.function, fit) vs anchors.

Anchors, measured in the same run on the same batches (batch 32, 28x28x1, 10 classes):
- hand-written ``jax.jit`` + optax step (the limit for any JAX framework),
- TF eager and ``tf.function`` (via /work/tfvenv or $EAGERKIT_TF_PYTHON, when present),
- Keras 3 on JAX ``train_on_batch`` (when a Python with keras+jax is given in $EAGERKIT_KERAS_PYTHON).
Anchors that are not available are reported as skipped. Prints a table and writes JSON.

    PYTHONPATH=. python scripts/bench_convnet.py [--steps 200] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=200)
parser.add_argument("--batch", type=int, default=32)
parser.add_argument("--json", default=None)
args = parser.parse_args()

rng = np.random.default_rng(0)
N_BATCHES = 20
IMAGES = rng.random((N_BATCHES, args.batch, 28, 28, 1), dtype=np.float32)
LABELS = rng.integers(0, 10, (N_BATCHES, args.batch)).astype(np.int64)


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


results: dict[str, dict] = {}


# -- hand-written jax.jit + optax ---------------------------------------------------------------
def bench_jax() -> None:
    import jax
    import jax.numpy as jnp
    import optax

    def init(key):
        k = jax.random.split(key, 4)
        glorot = jax.nn.initializers.glorot_uniform()
        return {
            "c1": glorot(k[0], (3, 3, 1, 16)),
            "b1": jnp.zeros(16),
            "c2": glorot(k[1], (3, 3, 16, 16)),
            "b2": jnp.zeros(16),
            "d": glorot(k[2], (16, 10)),
            "bd": jnp.zeros(10),
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
    xs = [jnp.asarray(b) for b in IMAGES]
    ys = [jnp.asarray(b) for b in LABELS]

    def run(i):
        box[0], box[1], loss = step(box[0], box[1], xs[i % N_BATCHES], ys[i % N_BATCHES])
        return loss

    first, sps = timed(run, args.steps)
    results["jax.jit + optax"] = {"steps_per_s": sps, "first_call_s": first}


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


def bench_eagerkit() -> None:
    import eagerkit as tf

    xs = [tf.constant(b) for b in IMAGES]
    ys = [tf.constant(b) for b in LABELS]

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
        steps = args.steps if mode != "eager" else max(args.steps // 4, 20)
        first, sps = timed(lambda i, fn=fn: fn(xs[i % N_BATCHES], ys[i % N_BATCHES]), steps)
        results[f"eagerkit {mode}"] = {"steps_per_s": sps, "first_call_s": first}
    model = make_model()
    model.compile(
        optimizer=tf.keras.optimizers.Adam(), loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    x_all = IMAGES.reshape(-1, 28, 28, 1)
    y_all = LABELS.reshape(-1)
    model.fit(x_all[: args.batch * 2], y_all[: args.batch * 2], batch_size=args.batch, epochs=1, verbose=0)
    reps = max(1, args.steps // N_BATCHES)
    t0 = time.perf_counter()
    model.fit(
        np.tile(x_all, (reps, 1, 1, 1)), np.tile(y_all, reps), batch_size=args.batch, epochs=1, verbose=0, shuffle=False
    )
    results["eagerkit fit"] = {"steps_per_s": reps * N_BATCHES / (time.perf_counter() - t0), "first_call_s": None}
    t = make_model()
    t.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    first, sps = timed(lambda i: t.train_on_batch(IMAGES[i % N_BATCHES], LABELS[i % N_BATCHES]), args.steps)
    results["eagerkit train_on_batch"] = {"steps_per_s": sps, "first_call_s": first}


# -- TensorFlow (subprocess) -------------------------------------------------------------------------
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


def bench_tf() -> None:
    py = os.environ.get("EAGERKIT_TF_PYTHON", "/work/tfvenv/bin/python")
    if not os.path.exists(py):
        results["TF eager"] = results["TF tf.function"] = {"skipped": f"no TensorFlow interpreter at {py}"}
        return
    proc = subprocess.run(
        [py, "-c", TF_SNIPPET, str(args.steps), str(args.batch)], capture_output=True, text=True, timeout=1200
    )
    if proc.returncode != 0:
        results["TF"] = {"skipped": "TF run failed: " + proc.stderr[-300:]}
        return
    results.update(json.loads(proc.stdout.strip().splitlines()[-1]))


KERAS_SNIPPET = r"""
import json, os, sys, time, numpy as np
os.environ["KERAS_BACKEND"] = "jax"
import keras
steps, batch = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
IM = rng.random((20, batch, 28, 28, 1), dtype=np.float32); LB = rng.integers(0, 10, (20, batch)).astype(np.int64)
model = keras.Sequential([keras.Input((None, None, 1)), keras.layers.Conv2D(16, [3, 3], activation="relu"),
    keras.layers.Conv2D(16, [3, 3], activation="relu"), keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(10)])
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
t0 = time.perf_counter(); model.train_on_batch(IM[0], LB[0]); first = time.perf_counter() - t0
for i in range(5): model.train_on_batch(IM[i], LB[i])
best = 0
for _ in range(3):
    t0 = time.perf_counter()
    for i in range(steps): model.train_on_batch(IM[i % 20], LB[i % 20])
    best = max(best, steps / (time.perf_counter() - t0))
print(json.dumps({"Keras 3 (JAX) train_on_batch": {"steps_per_s": best, "first_call_s": first}}))
"""


def bench_keras() -> None:
    py = os.environ.get("EAGERKIT_KERAS_PYTHON")
    if not py or not os.path.exists(py):
        results["Keras 3 (JAX) train_on_batch"] = {"skipped": "set EAGERKIT_KERAS_PYTHON to a Python with keras+jax"}
        return
    proc = subprocess.run(
        [py, "-c", KERAS_SNIPPET, str(args.steps), str(args.batch)], capture_output=True, text=True, timeout=1200
    )
    if proc.returncode != 0:
        results["Keras 3 (JAX) train_on_batch"] = {"skipped": "Keras run failed: " + proc.stderr[-300:]}
        return
    results.update(json.loads(proc.stdout.strip().splitlines()[-1]))


bench_jax()
bench_eagerkit()
bench_tf()
bench_keras()
ref = results["jax.jit + optax"]["steps_per_s"]
print(f"seed convnet train step, batch {args.batch}, CPU threads: {os.cpu_count()}")
print(f"{'variant':<32}{'steps/s':>10}{'vs jax.jit':>12}{'first call s':>14}")
for name, r in results.items():
    if "skipped" in r:
        print(f"{name:<32}{'skipped: ' + r['skipped']}")
        continue
    first = "" if r.get("first_call_s") is None else f"{r['first_call_s']:.2f}"
    print(f"{name:<32}{r['steps_per_s']:>10.1f}{r['steps_per_s'] / ref:>11.2f}x{first:>14}")
if args.json:
    with open(args.json, "w") as f:
        json.dump(results, f, indent=2)
