"""A custom training loop, TF 2 style: GradientTape + optimizer + metrics + TensorBoard + checkpoints.

Trains a small convnet on Fashion-MNIST (or MNIST) with a train step compiled by ek.function.

    EAGERKIT_DATASETS=../shared/data python scripts/custom_loop_example.py --epochs 1 --logdir runs/example
    tensorboard --logdir runs/example
"""

import argparse
import os

import eagerkit as tf

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=1)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--max-steps", type=int, default=None, help="stop each epoch after this many steps")
parser.add_argument("--logdir", default="runs/custom_loop_example")
args = parser.parse_args()

(x_train, y_train), (x_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()
x_train, x_test = x_train[..., None] / 255.0, x_test[..., None] / 255.0
train_ds = (
    tf.data.Dataset.from_tensor_slices((x_train.astype("float32"), y_train))
    .shuffle(60000)
    .batch(args.batch_size, drop_remainder=True)
    .prefetch(tf.data.AUTOTUNE)
)
test_ds = tf.data.Dataset.from_tensor_slices((x_test.astype("float32"), y_test)).batch(1000)

tf.random.set_seed(0)
model = tf.keras.Sequential(
    [
        tf.keras.layers.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dense(10),
    ]
)
loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = tf.keras.optimizers.Adam(1e-3)
train_loss = tf.keras.metrics.Mean("train_loss")
train_accuracy = tf.keras.metrics.SparseCategoricalAccuracy("train_accuracy")
test_accuracy = tf.keras.metrics.SparseCategoricalAccuracy("test_accuracy")

checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
manager = tf.train.CheckpointManager(checkpoint, os.path.join(args.logdir, "checkpoints"), max_to_keep=2)
checkpoint.restore(manager.latest_checkpoint)  # a no-op on the first run
writer = tf.summary.create_file_writer(args.logdir)


@tf.function
def train_step(images, labels):
    with tf.GradientTape() as tape:
        logits = model(images, training=True)
        loss = loss_object(labels, logits)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    train_loss(loss)
    train_accuracy(labels, logits)


@tf.function
def test_step(images, labels):
    test_accuracy(labels, model(images, training=False))


with writer.as_default():
    for epoch in range(args.epochs):
        for step, (images, labels) in enumerate(train_ds):
            train_step(images, labels)
            if step % 100 == 0:
                tf.summary.scalar("loss", train_loss.result(), step=optimizer.iterations)
            if args.max_steps and step + 1 >= args.max_steps:
                break
        for images, labels in test_ds:
            test_step(images, labels)
        tf.summary.scalar("test_accuracy", test_accuracy.result(), step=epoch)
        print(
            f"Epoch {epoch + 1}: loss {train_loss.result():.4f}, accuracy {train_accuracy.result():.4f}, "
            f"test accuracy {test_accuracy.result():.4f}"
        )
        manager.save()
        for m in (train_loss, train_accuracy, test_accuracy):
            m.reset_state()
writer.flush()
