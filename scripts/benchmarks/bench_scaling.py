"""Data-parallel scaling: steps/s of a MirroredStrategy training step on 1, 2 and 4 devices.

Each device count runs in a fresh process (JAX fixes its device count at start; on a CPU
machine ``XLA_FLAGS=--xla_force_host_platform_device_count=N`` makes N host devices). In each
process the same global batch (strong scaling) trains the seed guide's convnet two ways:

* eagerkit: ``strategy.run`` of a GradientTape step inside ``ek.function``, batches from
  ``strategy.experimental_distribute_dataset``;
* anchor: hand-written JAX, ``jax.jit`` of a ``value_and_grad`` + optax Adam step with the batch
  sharded over the same mesh (``NamedSharding(mesh, P("replica"))``) and parameters replicated.

Reported: steps/s (best of 3 rounds, timed as in bench_convnet.py), eagerkit / JAX, and the
speed-up over one device. Host "devices" on a CPU share the machine's cores, so no speed-up is
expected there; on a machine with several GPUs the devices are real (pass ``--platform gpu``).

    python scripts/benchmarks/bench_scaling.py [--devices 1,2,4] [--batch 64] [--steps 30] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def run_one(devices: int, batch: int, steps: int) -> dict:
    """Runs inside the per-device-count process."""
    sys.path.insert(0, ROOT)
    import jax
    import jax.numpy as jnp
    import numpy as np
    import optax
    from bench_convnet import make_model, timed
    from jax.sharding import Mesh, NamedSharding
    from jax.sharding import PartitionSpec as P

    import eagerkit as tf

    def steps_per_s(step, batches) -> float:
        return timed(lambda i: step(batches[i % len(batches)]), steps)[1]

    assert len(jax.devices()) >= devices, jax.devices()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch * 4, 28, 28, 1)).astype(np.float32)
    y = rng.integers(0, 10, size=(batch * 4,)).astype(np.int32)

    # -- eagerkit ------------------------------------------------------------------------------
    strategy = tf.distribute.MirroredStrategy(jax.devices()[:devices])
    with strategy.scope():
        model = make_model()  # the seed guide's convnet, as in bench_convnet.py
        optimizer = tf.keras.optimizers.Adam(1e-3)
        loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")

    def train_step(inputs):
        images, labels = inputs
        with tf.GradientTape() as tape:
            per_example = loss_object(labels, model(images, training=True))
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=batch)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    @tf.function
    def distributed_step(inputs):
        return strategy.reduce("SUM", strategy.run(train_step, args=(inputs,)), axis=None)

    dist = list(strategy.experimental_distribute_dataset(tf.data.Dataset.from_tensor_slices((x, y)).batch(batch)))
    ek_rate = steps_per_s(distributed_step, dist)

    # -- raw JAX anchor ----------------------------------------------------------------------------
    mesh = Mesh(np.array(jax.devices()[:devices]), ("replica",))
    split, replicated = NamedSharding(mesh, P("replica")), NamedSharding(mesh, P())
    key = jax.random.PRNGKey(0)
    k1, k2, k3 = jax.random.split(key, 3)
    params = {
        "c1": (jax.random.normal(k1, (3, 3, 1, 16), jnp.float32) * 0.3, jnp.zeros(16, jnp.float32)),
        "c2": (jax.random.normal(k2, (3, 3, 16, 16), jnp.float32) * 0.1, jnp.zeros(16, jnp.float32)),
        "d": (jax.random.normal(k3, (16, 10), jnp.float32) * 0.3, jnp.zeros(10, jnp.float32)),
    }
    params = jax.device_put(params, replicated)
    tx = optax.adam(1e-3)
    opt_state = jax.device_put(tx.init(params), replicated)

    def conv(h, w, b):
        h = jax.lax.conv_general_dilated(h, w, (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC"))
        return jax.nn.relu(h + b)

    def loss_fn(p, images, labels):
        h = conv(images, *p["c1"])
        h = conv(h, *p["c2"])
        logits = h.mean(axis=(1, 2)) @ p["d"][0] + p["d"][1]
        return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()

    @jax.jit
    def jax_step(state, images, labels):
        p, s = state
        loss, g = jax.value_and_grad(loss_fn)(p, images, labels)
        updates, s = tx.update(g, s, p)
        return (optax.apply_updates(p, updates), s), loss

    jax_batches = [
        (jax.device_put(x[i : i + batch], split), jax.device_put(y[i : i + batch], split))
        for i in range(0, len(x), batch)
    ]
    state = [(params, opt_state)]

    def jax_call(b):
        state[0], loss = jax_step(state[0], *b)
        return loss

    jax_rate = steps_per_s(jax_call, jax_batches)
    return {"devices": devices, "eagerkit_steps_per_s": ek_rate, "jax_steps_per_s": jax_rate}


def measure(devices: tuple[int, ...] = (1, 2, 4), batch: int = 64, steps: int = 30, platform: str = "cpu") -> dict:
    """``{"rows": [{"devices", "eagerkit_steps_per_s", "jax_steps_per_s"}, ...], ...}``, one process per count."""
    rows = []
    failures = {}
    for n in devices:
        env = dict(os.environ)
        if platform == "cpu":
            env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={n}"
            env["JAX_PLATFORMS"] = "cpu"
        cmd = [sys.executable, os.path.abspath(__file__), "--one", str(n), "--batch", str(batch), "--steps", str(steps)]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            failures[n] = proc.stderr[-2000:]
            continue
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    if not rows:
        raise RuntimeError(f"bench_scaling: every device count failed: {failures}")
    base = rows[0]["eagerkit_steps_per_s"]
    for r in rows:
        r["eagerkit_over_jax"] = r["eagerkit_steps_per_s"] / r["jax_steps_per_s"]
        r["eagerkit_speedup"] = r["eagerkit_steps_per_s"] / base
    return {"batch": batch, "steps": steps, "platform": platform, "rows": rows, "failures": failures}


def rows(result: dict) -> list[dict]:
    """The runner's table rows: ms per step on each device count, against the sharded jax.jit step."""
    from bench_env import row

    out = []
    for r in result["rows"]:
        case = (
            f"MirroredStrategy step, {r['devices']} {result['platform']} device(s), global batch {result['batch']} "
            f"({r['eagerkit_speedup']:.2f}x the 1-device steps/s)"
        )
        ms, jax_ms = 1e3 / r["eagerkit_steps_per_s"], 1e3 / r["jax_steps_per_s"]
        out.append(row("scaling", case, "ms/step", ms, "jax.jit on the same mesh", jax_ms))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", default="1,2,4", help="comma-separated device counts")
    parser.add_argument("--batch", type=int, default=64, help="global batch size (same for every count)")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--platform", default="cpu", help="cpu (forced host devices) or gpu (real devices)")
    parser.add_argument("--json", default=None, help="write the results here")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.batch, args.steps)))
        return
    result = measure(tuple(int(d) for d in args.devices.split(",")), args.batch, args.steps, args.platform)
    for n, err in result["failures"].items():
        print(f"{n} devices: failed\n{err}", file=sys.stderr)
    print(f"global batch {args.batch}, {args.steps} steps, platform {args.platform}, {os.cpu_count()} CPU cores")
    print(f"{'devices':>7} | {'eagerkit steps/s':>16} | {'jax steps/s':>11} | {'ek/jax':>6} | {'ek speed-up':>11}")
    for r in result["rows"]:
        print(
            f"{r['devices']:>7} | {r['eagerkit_steps_per_s']:>16.1f} | {r['jax_steps_per_s']:>11.1f} | "
            f"{r['eagerkit_over_jax']:>6.2f} | {r['eagerkit_speedup']:>10.2f}x"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
