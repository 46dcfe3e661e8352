"""Checkpoints under MultiWorkerMirroredStrategy: one process of a run (JSON result on the last stdout line).

    python tests/distribute/ckpt_worker.py save DIR      (2 workers, TF_CONFIG)
    python tests/distribute/ckpt_worker.py restore DIR   (2 workers, TF_CONFIG, or one process alone)

``save`` trains a small model and saves three checkpoints with a CheckpointManager
(max_to_keep=2) in ``DIR/ckpts``, the last one with ``enable_async`` (synchronous under
several processes), and checks failure paths in ``DIR/extra``. ``restore`` restores the latest
checkpoint into a fresh model and optimizer (optimizer slots arrive through deferred
restoration), reports the values, and, with several workers, trains one more step and saves a
fourth checkpoint through a new manager (which takes the history over from the state file).
With one process (no TF_CONFIG, one device) the default strategy is used.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

import numpy as np  # noqa: E402

import eagerkit as tf  # noqa: E402

GLOBAL_BATCH = 8


def make_strategy():
    if "TF_CONFIG" in os.environ:
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.get_strategy()


def build(strategy, slots: bool):
    """Model, optimizer and checkpoint; ``slots`` creates the optimizer's slots now (eagerly)."""
    with strategy.scope():
        tf.random.set_seed(5)
        model = tf.keras.Sequential(
            [tf.keras.layers.Dense(4, activation="relu", input_shape=(3,)), tf.keras.layers.Dense(2)]
        )
        optimizer = tf.keras.optimizers.Adam(0.05)
        if slots:
            optimizer.build(model.trainable_variables)
        checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    return model, optimizer, checkpoint


def make_step(strategy, model, optimizer):
    def replica_step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.nn.compute_average_loss(
                tf.reduce_sum((model(x) - y) ** 2, axis=1), global_batch_size=GLOBAL_BATCH
            )
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    @tf.function
    def step(x, y):
        return strategy.run(replica_step, args=(x, y))

    def run(i: int) -> None:
        rng = np.random.default_rng(i)
        x = rng.normal(size=(GLOBAL_BATCH, 3)).astype(np.float32)
        y = rng.normal(size=(GLOBAL_BATCH, 2)).astype(np.float32)
        batch = strategy.distribute_batch((tf.constant(x), tf.constant(y)))
        step(*batch)

    return run


def values(model, optimizer, checkpoint) -> dict:
    """Every saved value: model weights, optimizer variables (slots included), the save counter."""
    return {
        "model": [np.asarray(v.numpy()).ravel().tolist() for v in model.variables],
        "optimizer": [np.asarray(v.numpy()).ravel().tolist() for v in optimizer.variables],
        "save_counter": int(checkpoint.save_counter.numpy()),
    }


def replicas_of(variables) -> list[int]:
    return sorted({len(v._value.sharding.device_set) for v in variables})


def other_writes(checkpoint, directory: str, index: int) -> dict:
    """A write process 0 cannot do raises on every process, so do mismatched paths; write and save work."""
    os.makedirs(directory, exist_ok=True)
    blocked = os.path.join(directory, "blocked")
    if index == 0:
        with open(blocked, "w") as f:
            f.write("not a checkpoint")
    out = {}
    try:
        checkpoint.write(blocked)
        out["blocked"] = "no error"
    except Exception as e:
        out["blocked"] = type(e).__name__
    try:
        checkpoint.write(os.path.join(directory, f"mine-{index}"))
        out["mismatch"] = "no error"
    except Exception as e:
        out["mismatch"] = type(e).__name__
    out["written"] = os.path.basename(checkpoint.write(os.path.join(directory, "written")))
    # Checkpoint.save without a manager (its save_counter is created outside the strategy's
    # scope: a variable of each process's own device).
    out["solo"] = os.path.basename(tf.train.Checkpoint(model=checkpoint.model).save(os.path.join(directory, "solo")))
    out["solo_latest"] = os.path.basename(tf.train.latest_checkpoint(directory))
    return out


def save(directory: str) -> dict:
    import jax

    strategy = make_strategy()
    model, optimizer, checkpoint = build(strategy, slots=True)
    step = make_step(strategy, model, optimizer)
    extra = other_writes(checkpoint, os.path.join(directory, "extra"), jax.process_index())
    manager = tf.train.CheckpointManager(checkpoint, os.path.join(directory, "ckpts"), max_to_keep=2)
    paths = []
    for i in range(3):
        step(i)
        options = tf.train.CheckpointOptions(enable_async=True) if i == 2 else None
        paths.append(manager.save(options=options))
    visible_at_return = os.path.isdir(paths[-1])
    return {
        "paths": paths,
        "visible_at_return": visible_at_return,
        "checkpoints": manager.checkpoints,
        "manager_latest": manager.latest_checkpoint,
        "latest": tf.train.latest_checkpoint(manager.directory),
        "values": values(model, optimizer, checkpoint),
        "replicas": replicas_of(model.variables + optimizer.variables),
        "extra": extra,
    }


def restore(directory: str) -> dict:
    strategy = make_strategy()
    model, optimizer, checkpoint = build(strategy, slots=False)
    ckpt_dir = os.path.join(directory, "ckpts")
    manager = tf.train.CheckpointManager(checkpoint, ckpt_dir, max_to_keep=2)
    latest = tf.train.latest_checkpoint(ckpt_dir)
    status = checkpoint.restore(latest)
    with strategy.scope():
        optimizer.build(model.trainable_variables)  # slots appear now: deferred restoration fills them
    status.assert_consumed()
    out = {
        "latest": latest,
        "manager_latest": manager.latest_checkpoint,
        "checkpoints": manager.checkpoints,
        "values": values(model, optimizer, checkpoint),
        "replicas": replicas_of(model.variables + optimizer.variables),
    }
    if strategy.num_replicas_in_sync > 1:
        make_step(strategy, model, optimizer)(3)
        out["fourth"] = manager.save()
        out["checkpoints_after"] = manager.checkpoints
        out["values_after"] = values(model, optimizer, checkpoint)
    return out


def main() -> None:
    mode, directory = sys.argv[1], sys.argv[2]
    result = save(directory) if mode == "save" else restore(directory)
    import jax

    result["process_index"] = jax.process_index()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
