"""One distributed-training run, in its own process (the device count is fixed at JAX start).

    python tests/distribute/worker.py MODE [ARG]   (JSON result on the last stdout line)

The device count comes from ``XLA_FLAGS=--xla_force_host_platform_device_count=N`` set by the
caller. With one device the default strategy is used (plain single-device training), so
its results are the reference the distributed runs must match. Modes:

* ``custom``: a GradientTape loop under ``strategy.run`` (TF's custom-training tutorial);
* ``fit``: ``Model.fit``/``evaluate``/``predict`` under ``strategy.scope()``;
* ``save DIR`` / ``restore DIR``: checkpoints across device counts;
* ``mwms``: the custom loop under MultiWorkerMirroredStrategy (cluster from TF_CONFIG).
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

import numpy as np  # noqa: E402

import eagerkit as tf  # noqa: E402

GLOBAL_BATCH = 8
STEPS = 3


def make_strategy(mode: str):
    if mode == "mwms":
        return tf.distribute.MultiWorkerMirroredStrategy()
    import jax

    if len(jax.devices()) == 1:
        return tf.distribute.get_strategy()
    return tf.distribute.MirroredStrategy()


def data():
    rng = np.random.default_rng(0)
    # + a partial batch of 3 rows, which 4 replicas cannot split: it runs whole on one replica
    x = rng.normal(size=(GLOBAL_BATCH * STEPS + 3, 6, 6, 1)).astype(np.float32)
    y = rng.integers(0, 5, size=(len(x),)).astype(np.int32)
    return x, y


def build(strategy):
    with strategy.scope():
        tf.random.set_seed(3)
        model = tf.keras.Sequential(
            [
                tf.keras.layers.Conv2D(3, 3, activation="relu", input_shape=(6, 6, 1)),
                tf.keras.layers.Flatten(),
                tf.keras.layers.Dense(5, kernel_regularizer=tf.keras.regularizers.l2(0.01)),
            ]
        )
        optimizer = tf.keras.optimizers.Adam(0.01)
    return model, optimizer


def weights(model) -> list:
    return [np.asarray(v.numpy()).ravel().tolist() for v in model.trainable_variables]


def custom(strategy, sharded: bool = False) -> dict:
    x, y = data()
    model, optimizer = build(strategy)
    if sharded:  # split the Dense kernel's 48 input rows over the devices
        with strategy.scope():
            tf.distribute.experimental.shard(model.layers[2].kernel, ("replica", None))
    with strategy.scope():
        loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")
        accuracy = tf.keras.metrics.SparseCategoricalAccuracy()

    def train_step(inputs):
        images, labels = inputs
        with tf.GradientTape() as tape:
            logits = model(images, training=True)
            loss = tf.nn.compute_average_loss(loss_object(labels, logits), global_batch_size=GLOBAL_BATCH)
            loss += tf.nn.scale_regularization_loss(tf.add_n(model.losses))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        accuracy.update_state(labels, logits)
        return loss

    @tf.function
    def distributed_step(inputs):
        per_replica = strategy.run(train_step, args=(inputs,))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH)
    dist = strategy.experimental_distribute_dataset(dataset)
    losses = []
    first_split = None
    for batch in dist:
        if first_split is None:
            local = strategy.experimental_local_results(batch[0])
            first_split = [np.asarray(t.numpy())[:, 0, 0, 0].tolist() for t in local]
        losses.append(float(distributed_step(batch)))
    eager_step = float(strategy.reduce("SUM", strategy.run(train_step, args=(next(iter(dist)),)), axis=None))
    kernel = model.layers[2].kernel._value
    return {
        "kernel_shards": sorted({tuple(s.data.shape) for s in kernel.addressable_shards}),
        "losses": losses,
        "eager_step_loss": eager_step,
        "accuracy": float(accuracy.result()),
        "iterations": int(optimizer.iterations.numpy()),
        "weights": weights(model),
        "first_split": first_split,
        "replicas": strategy.num_replicas_in_sync,
    }


def fit(strategy) -> dict:
    x, y = data()
    model, optimizer = build(strategy)
    with strategy.scope():
        model.compile(
            optimizer=optimizer,
            loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
    logs = []

    class Record(tf.keras.callbacks.Callback):
        def on_train_batch_end(self, batch, batch_logs=None):
            logs.append([batch_logs["loss"], batch_logs["accuracy"]])

    model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=2, shuffle=False, verbose=0, callbacks=[Record()])
    evaluation = model.evaluate(x, y, batch_size=GLOBAL_BATCH, verbose=0)
    predictions = model.predict(x[:12], batch_size=GLOBAL_BATCH, verbose=0)
    return {
        "logs": logs,
        "evaluate": evaluation,
        "predict": np.asarray(predictions).ravel().tolist(),
        "weights": weights(model),
    }


def save(strategy, directory: str) -> dict:
    x, y = data()
    model, optimizer = build(strategy)
    with strategy.scope():
        model.compile(optimizer=optimizer, loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x[:16], y[:16], batch_size=GLOBAL_BATCH, epochs=1, shuffle=False, verbose=0)
    path = tf.train.Checkpoint(model=model, optimizer=optimizer).save(os.path.join(directory, "ckpt"))
    slots = [np.asarray(v.numpy()).ravel().tolist() for v in optimizer.variables]
    return {"path": path, "weights": weights(model), "optimizer": slots}


def restore(strategy, directory: str) -> dict:
    x, y = data()
    model, optimizer = build(strategy)
    with strategy.scope():
        model.compile(optimizer=optimizer, loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    status = tf.train.Checkpoint(model=model, optimizer=optimizer).restore(tf.train.latest_checkpoint(directory))
    model.fit(x[16:24], y[16:24], batch_size=GLOBAL_BATCH, epochs=1, shuffle=False, verbose=0)
    status.assert_consumed()
    # undo nothing: report the continued weights and where the variables live
    devices = sorted({len(v._value.sharding.device_set) for v in model.trainable_variables})
    return {"weights_after_step": weights(model), "iterations": int(optimizer.iterations.numpy()), "devices": devices}


def continued_reference(strategy, directory: str) -> dict:
    """Same as ``save`` followed by the step of ``restore``, in one process (no checkpoint)."""
    x, y = data()
    model, optimizer = build(strategy)
    with strategy.scope():
        model.compile(optimizer=optimizer, loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x[:16], y[:16], batch_size=GLOBAL_BATCH, epochs=1, shuffle=False, verbose=0)
    model.fit(x[16:24], y[16:24], batch_size=GLOBAL_BATCH, epochs=1, shuffle=False, verbose=0)
    return {"weights_after_step": weights(model), "iterations": int(optimizer.iterations.numpy())}


def sharded_checkpoint(strategy, directory: str) -> dict:
    """A checkpoint with a sharded kernel restores into a replicated model and into a sharded one."""
    model, _ = build(strategy)
    with strategy.scope():
        tf.distribute.experimental.shard(model.layers[2].kernel, ("replica", None))
    model.layers[2].kernel.assign(np.arange(48 * 5, dtype=np.float32).reshape(48, 5))
    path = tf.train.Checkpoint(model=model).save(os.path.join(directory, "sharded"))
    replicated, _ = build(strategy)
    tf.train.Checkpoint(model=replicated).restore(path).assert_existing_objects_matched()
    again, _ = build(strategy)
    with strategy.scope():
        tf.distribute.experimental.shard(again.layers[2].kernel, ("replica", None))
    tf.train.Checkpoint(model=again).restore(path).assert_existing_objects_matched()
    k1, k2 = replicated.layers[2].kernel, again.layers[2].kernel
    return {
        "restored_equal": bool(np.array_equal(k1.numpy(), np.arange(240).reshape(48, 5))),
        "restored_sharded_equal": bool(np.array_equal(k2.numpy(), np.arange(240).reshape(48, 5))),
        "restored_shards": sorted({tuple(s.data.shape) for s in k2._value.addressable_shards}),
    }


def batch_norm(strategy) -> dict:
    """One training-mode BatchNormalization call under strategy.run: the replicas' moving means are averaged."""
    x = np.arange(24, dtype=np.float32).reshape(8, 3) ** 2  # each replica's rows have a different mean
    with strategy.scope():
        layer = tf.keras.layers.BatchNormalization(momentum=0.99)
        layer.build(tf.TensorShape([None, 3]))
    batch = strategy.experimental_distribute_dataset(tf.data.Dataset.from_tensor_slices(x).batch(8))
    strategy.run(lambda b: layer(b, training=True), args=(next(iter(batch)),))
    return {"moving_mean": layer.moving_mean.numpy().tolist(), "expected": (0.01 * x.mean(axis=0)).tolist()}


def main() -> None:
    mode = sys.argv[1]
    strategy = make_strategy(mode)
    if mode == "sharded":
        result = custom(strategy, sharded=True)
        result.update(sharded_checkpoint(strategy, sys.argv[2]))
    elif mode in ("custom", "mwms"):
        with strategy.scope():  # no seed: the workers must still agree (worker 0's state is shared)
            unseeded = tf.Variable(tf.random.uniform([3]))
        result = custom(strategy)
        result["unseeded"] = np.asarray(unseeded.numpy()).tolist()
    elif mode == "batch_norm":
        result = batch_norm(strategy)
    elif mode == "fit":
        result = fit(strategy)
    elif mode == "save":
        result = save(strategy, sys.argv[2])
    elif mode == "restore":
        result = restore(strategy, sys.argv[2])
    elif mode == "reference":
        result = continued_reference(strategy, "")
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    import jax

    result["process_index"] = jax.process_index()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
