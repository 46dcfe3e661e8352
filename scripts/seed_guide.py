"""The seed guide ("Eager execution", TF 2.4, Japanese translation in ../shared/seeds/) as one script.

Every section of the guide, with `import eagerkit as tf` as the only change. Run:

    EAGERKIT_DATASETS=../shared/data python scripts/seed_guide.py [--epochs 3] [--quick]

MNIST's training split is not available offline, so when `load_data()` cannot get it the
script uses the official test split (10k images) for the training loop, as the README says.
"""

import argparse
import os
import tempfile
import time

import numpy as np

import eagerkit as tf

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--quick", action="store_true", help="train on 1024 images only")
args = parser.parse_args()
workdir = tempfile.mkdtemp(prefix="seed-guide-")
os.chdir(workdir)

# -- Setup and basic usage --------------------------------------------------------------
print(tf.executing_eagerly())
x = [[2.0]]
m = tf.matmul(x, x)
print("hello, {}".format(m))
a = tf.constant([[1, 2], [3, 4]])
print(a)
b = tf.add(a, 1)
print(b)
print(a * b)
c = np.multiply(a, b)
print(c)
print(a.numpy())


# -- Dynamic control flow ----------------------------------------------------------------
def fizzbuzz(max_num):
    counter = tf.constant(0)
    max_num = tf.convert_to_tensor(max_num)
    for num in range(1, max_num.numpy() + 1):
        num = tf.constant(num)
        if int(num % 3) == 0 and int(num % 5) == 0:
            print("FizzBuzz")
        elif int(num % 3) == 0:
            print("Fizz")
        elif int(num % 5) == 0:
            print("Buzz")
        else:
            print(num.numpy())
        counter += 1


fizzbuzz(15)

# -- Computing gradients -------------------------------------------------------------------
w = tf.Variable([[1.0]])
with tf.GradientTape() as tape:
    loss = w * w
grad = tape.gradient(loss, w)
print(grad)

# -- Train a model ---------------------------------------------------------------------------
try:
    (mnist_images, mnist_labels), _ = tf.keras.datasets.mnist.load_data()
except Exception as e:  # noqa: BLE001
    print(f"(MNIST training split unavailable: {e}; using the official test split)")
    mnist_images, mnist_labels = tf.keras.datasets.mnist.load_test_split()
if args.quick:
    mnist_images, mnist_labels = mnist_images[:1024], mnist_labels[:1024]
dataset = tf.data.Dataset.from_tensor_slices(
    (tf.cast(mnist_images[..., tf.newaxis] / 255, tf.float32), tf.cast(mnist_labels, tf.int64))
)
dataset = dataset.shuffle(1000).batch(32, drop_remainder=True)

mnist_model = tf.keras.Sequential(
    [
        tf.keras.layers.Conv2D(16, [3, 3], activation="relu", input_shape=(None, None, 1)),
        tf.keras.layers.Conv2D(16, [3, 3], activation="relu"),
        tf.keras.layers.GlobalAveragePooling2D(),
        tf.keras.layers.Dense(10),
    ]
)
for images, labels in dataset.take(1):
    print("Logits: ", mnist_model(images[0:1]).numpy())

optimizer = tf.keras.optimizers.Adam()
loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
loss_history = []


def train_step(images, labels):
    with tf.GradientTape() as tape:
        logits = mnist_model(images, training=True)
        tf.debugging.assert_equal(logits.shape, (32, 10))
        loss_value = loss_object(labels, logits)
    loss_history.append(loss_value.numpy().mean())
    grads = tape.gradient(loss_value, mnist_model.trainable_variables)
    optimizer.apply_gradients(zip(grads, mnist_model.trainable_variables))


def train(epochs):
    for epoch in range(epochs):
        for batch, (images, labels) in enumerate(dataset):
            train_step(images, labels)
        print("Epoch {} finished".format(epoch))


t0 = time.time()
train(epochs=args.epochs)
print(f"(eager training: {len(loss_history) / (time.time() - t0):.1f} steps/s, final loss {loss_history[-1]:.3f})")
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.plot(loss_history)
    plt.xlabel("Batch #")
    print(plt.ylabel("Loss [entropy]"))
    plt.savefig("loss.png")
except ImportError:
    print("(matplotlib not installed: skipping the loss plot)")


# -- Variables and optimizers ------------------------------------------------------------------
class Linear(tf.keras.Model):
    def __init__(self):
        super(Linear, self).__init__()
        self.W = tf.Variable(5.0, name="weight")
        self.B = tf.Variable(10.0, name="bias")

    def call(self, inputs):
        return inputs * self.W + self.B


NUM_EXAMPLES = 2000
training_inputs = tf.random.normal([NUM_EXAMPLES])
noise = tf.random.normal([NUM_EXAMPLES])
training_outputs = training_inputs * 3 + 2 + noise


def loss(model, inputs, targets):
    error = model(inputs) - targets
    return tf.reduce_mean(tf.square(error))


def grad(model, inputs, targets):
    with tf.GradientTape() as tape:
        loss_value = loss(model, inputs, targets)
    return tape.gradient(loss_value, [model.W, model.B])


model = Linear()
optimizer = tf.keras.optimizers.SGD(learning_rate=0.01)
print("Initial loss: {:.3f}".format(loss(model, training_inputs, training_outputs)))
steps = 300
for i in range(steps):
    grads = grad(model, training_inputs, training_outputs)
    optimizer.apply_gradients(zip(grads, [model.W, model.B]))
    if i % 20 == 0:
        print("Loss at step {:03d}: {:.3f}".format(i, loss(model, training_inputs, training_outputs)))
print("Final loss: {:.3f}".format(loss(model, training_inputs, training_outputs)))
print("W = {}, B = {}".format(model.W.numpy(), model.B.numpy()))

# -- Object-based saving ------------------------------------------------------------------------
model.save_weights("weights")
status = model.load_weights("weights")

x = tf.Variable(10.0)
checkpoint = tf.train.Checkpoint(x=x)
x.assign(2.0)
checkpoint_path = "./ckpt/"
print(repr(checkpoint.save("./ckpt/")))
x.assign(11.0)
checkpoint.restore(tf.train.latest_checkpoint(checkpoint_path))
print(x)

model = tf.keras.Sequential(
    [
        tf.keras.layers.Conv2D(16, [3, 3], activation="relu"),
        tf.keras.layers.GlobalAveragePooling2D(),
        tf.keras.layers.Dense(10),
    ]
)
optimizer = tf.keras.optimizers.Adam(learning_rate=0.001)
checkpoint_dir = "path/to/model_dir"
if not os.path.exists(checkpoint_dir):
    os.makedirs(checkpoint_dir)
checkpoint_prefix = os.path.join(checkpoint_dir, "ckpt")
root = tf.train.Checkpoint(optimizer=optimizer, model=model)
root.save(checkpoint_prefix)
print(root.restore(tf.train.latest_checkpoint(checkpoint_dir)))

# -- Object-oriented metrics --------------------------------------------------------------------
m = tf.keras.metrics.Mean("loss")
m(0)
m(5)
print(m.result())  # => 2.5
m([8, 9])
print(repr(m.result()))  # => 5.5

# -- Summaries and TensorBoard ------------------------------------------------------------------
logdir = "./tb/"
writer = tf.summary.create_file_writer(logdir)
steps = 1000
with writer.as_default():
    for i in range(steps):
        step = i + 1
        loss = 1 - 0.001 * step
        if step % 100 == 0:
            tf.summary.scalar("loss", loss, step=step)
writer.flush()
print(sorted(os.listdir("tb/")))


# -- Dynamic models --------------------------------------------------------------------------------
def line_search_step(fn, init_x, rate=1.0):
    with tf.GradientTape() as tape:
        tape.watch(init_x)
        value = fn(init_x)
    grad = tape.gradient(value, init_x)
    grad_norm = tf.reduce_sum(grad * grad)
    init_value = value
    while value > init_value - rate * grad_norm:
        x = init_x - rate * grad
        value = fn(x)
        rate /= 2.0
    return x, value


print(line_search_step(lambda x: tf.reduce_sum(tf.square(x - 3.0)), tf.constant([0.0, 1.0])))


# -- Custom gradients ------------------------------------------------------------------------------
@tf.custom_gradient
def clip_gradient_by_norm(x, norm):
    y = tf.identity(x)

    def grad_fn(dresult):
        return [tf.clip_by_norm(dresult, norm), None]

    return y, grad_fn


def log1pexp(x):
    return tf.math.log(1 + tf.exp(x))


def grad_log1pexp(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        value = log1pexp(x)
    return tape.gradient(value, x)


print(grad_log1pexp(tf.constant(0.0)).numpy())
print(grad_log1pexp(tf.constant(100.0)).numpy())


@tf.custom_gradient
def log1pexp(x):  # noqa: F811 - the guide redefines it
    e = tf.exp(x)

    def grad(dy):
        return dy * (1 - 1 / (1 + e))

    return tf.math.log(1 + e), grad


print(grad_log1pexp(tf.constant(0.0)).numpy())
print(grad_log1pexp(tf.constant(100.0)).numpy())


# -- Performance ------------------------------------------------------------------------------------
def measure(x, steps):
    tf.matmul(x, x)
    start = time.time()
    for i in range(steps):
        x = tf.matmul(x, x)
    _ = x.numpy()
    end = time.time()
    return end - start


shape = (1000, 1000)
steps = 200 if not args.quick else 20
print("Time to multiply a {} matrix by itself {} times:".format(shape, steps))
with tf.device("/cpu:0"):
    print("CPU: {} secs".format(measure(tf.random.normal(shape), steps)))
if tf.config.experimental.list_physical_devices("GPU"):
    with tf.device("/gpu:0"):
        print("GPU: {} secs".format(measure(tf.random.normal(shape), steps)))
else:
    print("GPU: not found")
if tf.config.experimental.list_physical_devices("GPU"):
    x = tf.random.normal([10, 10])
    x_gpu0 = x.gpu()
    x_cpu = x.cpu()
    _ = tf.matmul(x_cpu, x_cpu)
    _ = tf.matmul(x_gpu0, x_gpu0)


# -- Work with functions (the eager-vs-graph article) -------------------------------------------------
a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
b = tf.constant([[5.0, 6.0], [7.0, 8.0]])
c = a + b
print("c =", c)
print("NumPy array:", c.numpy())


@tf.function
def my_matmul(x, y):
    return tf.matmul(x, y)


x = tf.random.uniform([2, 3])
y = tf.random.uniform([3, 4])
z1 = my_matmul(x, y)
z2 = my_matmul(x, y)
print(my_matmul.get_concrete_function(x, y).pretty_printed_signature())
