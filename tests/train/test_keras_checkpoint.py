"""The seed guide's checkpoint of a Keras convnet and its Adam optimizer.

``root.restore(...)`` runs before the model is built and before Adam has slots, so every
value but the optimizer's step counter and learning rate is restored when it is created
(inside the first traced training step); training then continues exactly as it would have.
"""

import os

import numpy as np

import eagerkit as tf
import eagerkit.keras  # noqa: F401  (tf.keras)
import eagerkit.train  # noqa: F401  (tf.train)


def _model_and_optimizer():
    model = tf.keras.Sequential(
        [
            tf.keras.layers.Conv2D(16, [3, 3], activation="relu"),
            tf.keras.layers.GlobalAveragePooling2D(),
            tf.keras.layers.Dense(10),
        ]
    )
    return model, tf.keras.optimizers.Adam(learning_rate=0.001)


def _train_step(model, optimizer):
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def step(images, labels):
        with tf.GradientTape() as tape:
            loss = loss_fn(labels, model(images, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return step


def test_seed_convnet_and_adam_resume_exactly(tmp_path):
    rng = np.random.default_rng(0)
    images = tf.constant(rng.standard_normal((8, 12, 12, 1)).astype(np.float32))
    labels = tf.constant(rng.integers(0, 10, 8))

    model, optimizer = _model_and_optimizer()
    step = _train_step(model, optimizer)
    for _ in range(2):
        step(images, labels)
    checkpoint_dir = str(tmp_path / "model_dir")
    os.makedirs(checkpoint_dir)
    root = tf.train.Checkpoint(optimizer=optimizer, model=model)
    root.save(os.path.join(checkpoint_dir, "ckpt"))
    expected = [step(images, labels).numpy() for _ in range(2)]

    model2, optimizer2 = _model_and_optimizer()  # not built, no slots yet
    root2 = tf.train.Checkpoint(optimizer=optimizer2, model=model2)
    status = root2.restore(tf.train.latest_checkpoint(checkpoint_dir))
    assert any("kernel" in p for p in status.pending_values())
    step2 = _train_step(model2, optimizer2)
    got = [step2(images, labels).numpy() for _ in range(2)]
    status.assert_consumed()

    assert [g.tobytes() for g in got] == [e.tobytes() for e in expected]
    for a, b in zip(model.weights, model2.weights):
        assert np.array_equal(a.numpy(), b.numpy())
    assert int(optimizer2.iterations.numpy()) == 4
