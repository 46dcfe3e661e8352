"""Model: the seed guide's examples (convnet, Linear), subclassing, build, get_layer, layers."""

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.keras  # noqa: F401

L = ek.keras.layers


@pytest.fixture(autouse=True)
def _fresh_names():
    ek.keras.backend.clear_session()


def seed_convnet():
    """The guide's MNIST model, spelled as in the guide."""
    return ek.keras.Sequential(
        [
            ek.keras.layers.Conv2D(16, [3, 3], activation="relu", input_shape=(None, None, 1)),
            ek.keras.layers.Conv2D(16, [3, 3], activation="relu"),
            ek.keras.layers.GlobalAveragePooling2D(),
            ek.keras.layers.Dense(10),
        ]
    )


def test_seed_convnet_builds_counts_and_trains():
    model = seed_convnet()
    assert model.built
    assert model.count_params() == 2650  # TF reports 2650 for the guide's model
    shapes = [tuple(v.shape) for v in model.trainable_variables]
    assert shapes == [(3, 3, 1, 16), (16,), (3, 3, 16, 16), (16,), (16, 10), (10,)]
    images = ek.random.uniform([1, 28, 28, 1])
    logits = model(images[0:1])
    assert logits.shape == (1, 10) and logits.dtype == ek.float32
    labels = ek.constant([3], dtype=ek.int64)
    with ek.GradientTape() as tape:
        logits = model(images, training=True)
        loss = ek.reduce_mean(ek.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))
    grads = tape.gradient(loss, model.trainable_variables)
    assert len(grads) == 6 and all(g is not None for g in grads)
    assert [tuple(g.shape) for g in grads] == shapes


def test_seed_convnet_without_input_shape_builds_on_first_call():
    model = ek.keras.Sequential([L.Conv2D(16, [3, 3], activation="relu"), L.GlobalAveragePooling2D(), L.Dense(10)])
    assert not model.built and model.weights == []
    assert model(ek.zeros([2, 28, 28, 1])).shape == (2, 10)
    assert model.count_params() == 16 * 9 + 16 + 16 * 10 + 10


class Linear(ek.keras.Model):
    """The seed guide's model."""

    def __init__(self):
        super(Linear, self).__init__()  # noqa: UP008 - the guide's spelling
        self.W = ek.Variable(5.0, name="weight")
        self.B = ek.Variable(10.0, name="bias")

    def call(self, inputs):
        return inputs * self.W + self.B


def test_seed_linear_model_tracks_its_variables_in_order_and_trains():
    model = Linear()
    assert model.trainable_variables == [model.W, model.B]
    assert [v.name for v in model.variables] == ["weight:0", "bias:0"]
    assert model.name == "linear"
    ek.random.set_seed(0)
    inputs = ek.random.normal([200])
    targets = inputs * 3 + 2 + ek.random.normal([200]) * 0.1

    def loss():
        return ek.reduce_mean(ek.square(model(inputs) - targets))

    start = float(loss())
    for _ in range(60):
        with ek.GradientTape() as tape:
            value = loss()
        grads = tape.gradient(value, [model.W, model.B])
        for g, v in zip(grads, [model.W, model.B]):
            v.assign_sub(0.2 * g)
    assert float(loss()) < 0.05 < start
    assert abs(float(model.W) - 3.0) < 0.1 and abs(float(model.B) - 2.0) < 0.1


class TwoLayer(ek.keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = L.Dense(4, activation="relu", name="hidden")
        self.drop = L.Dropout(0.5)
        self.out = L.Dense(1, name="out")

    def call(self, inputs, training=None):
        return self.out(self.drop(self.hidden(inputs), training=training))


def test_subclassed_model_layers_weights_and_training_flag():
    model = TwoLayer()
    x = ek.ones([8, 3])
    np.testing.assert_array_equal(model(x).numpy(), model(x, training=False).numpy())
    assert [layer.name for layer in model.layers] == ["hidden", "dropout", "out"]
    assert [v.name for v in model.weights] == ["hidden/kernel:0", "hidden/bias:0", "out/kernel:0", "out/bias:0"]
    assert model.get_layer("out") is model.out and model.get_layer(index=-1) is model.out
    assert not np.array_equal(model(x, training=True).numpy(), model(x).numpy())


def test_get_layer_errors():
    model = TwoLayer()
    with pytest.raises(ValueError, match=r"No such layer: nope. Existing layers are: \['hidden', 'dropout', 'out'\]"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="only has 3 layers"):
        model.get_layer(index=3)
    with pytest.raises(ValueError, match="Provide only a layer name or a layer index"):
        model.get_layer("out", 0)


def test_build_creates_weights_of_subclassed_models_without_computing():
    model = TwoLayer()
    model.build((None, 3))
    assert model.built and model.count_params() == 3 * 4 + 4 + 4 + 1
    assert model.hidden.kernel.shape == (3, 4)


def test_model_without_call_and_bad_positional_arguments():
    with pytest.raises(NotImplementedError, match="has no call"):
        ek.keras.Model()(ek.ones([1]))
    with pytest.raises(TypeError, match="unexpected positional arguments"):
        ek.keras.Model(3)


def test_functional_construction_returns_a_functional_model():
    x = ek.keras.Input((2,))
    model = ek.keras.Model(x, L.Dense(3)(x))
    assert isinstance(model, ek.keras.Model) and type(model).__name__ == "Functional"
    assert model.name == "functional"
    model2 = ek.keras.Model(inputs=x, outputs=L.Dense(1)(x), name="named")
    assert model2.name == "named" and model2.output_shape == (None, 1)


def test_subclass_calling_super_with_inputs_and_outputs_becomes_functional():
    class Residual(ek.keras.Model):
        def __init__(self):
            inputs = ek.keras.Input((3,))
            outputs = L.Add()([inputs, L.Dense(3, kernel_initializer="zeros")(inputs)])
            super().__init__(inputs, outputs, name="residual")

        def describe(self):
            return f"{self.name} with {len(self.layers)} layers"

    model = Residual()
    assert isinstance(model, Residual) and model.describe() == "residual with 3 layers"
    np.testing.assert_allclose(model(ek.constant([[1.0, 2.0, 3.0]])).numpy(), [[1.0, 2.0, 3.0]])


def test_training_flag_given_positionally():
    model = TwoLayer()
    x = ek.ones([8, 3])
    np.testing.assert_array_equal(model(x, False).numpy(), model(x).numpy())
    assert not np.array_equal(model(x, True).numpy(), model(x).numpy())


def test_models_inside_ek_function_build_in_the_trace_and_match_eager():
    model = ek.keras.Sequential([L.Dense(4, activation="relu"), L.Dropout(0.5), L.Dense(1)])

    @ek.function
    def train_step(x):
        with ek.GradientTape() as tape:
            loss = ek.reduce_mean(ek.square(model(x, training=True)))
        grads = tape.gradient(loss, model.trainable_variables)
        for g, v in zip(grads, model.trainable_variables):
            v.assign_sub(0.01 * g)
        return loss

    x = ek.constant(np.linspace(-1, 1, 24, dtype=np.float32).reshape(6, 4))
    first = float(train_step(x))
    assert model.built and len(model.trainable_variables) == 4  # created eagerly during the trace
    losses = [float(train_step(x)) for _ in range(3)]
    assert len({first, *losses}) > 1  # new dropout masks and weights at every compiled call
    infer = ek.function(lambda t: model(t))
    np.testing.assert_allclose(infer(x).numpy(), model(x).numpy(), rtol=1e-6)


def test_resnet_identity_block_guide_example():
    # The composite-layer example of the TF 2 guides: name='' and `x += input_tensor`.
    class ResnetIdentityBlock(ek.keras.Model):
        def __init__(self, kernel_size, filters):
            super(ResnetIdentityBlock, self).__init__(name="")  # noqa: UP008
            filters1, filters2, filters3 = filters
            self.conv2a = ek.keras.layers.Conv2D(filters1, (1, 1))
            self.bn2a = ek.keras.layers.BatchNormalization()
            self.conv2b = ek.keras.layers.Conv2D(filters2, kernel_size, padding="same")
            self.bn2b = ek.keras.layers.BatchNormalization()
            self.conv2c = ek.keras.layers.Conv2D(filters3, (1, 1))
            self.bn2c = ek.keras.layers.BatchNormalization()

        def call(self, input_tensor, training=False):
            x = self.conv2a(input_tensor)
            x = self.bn2a(x, training=training)
            x = ek.nn.relu(x)
            x = self.conv2b(x)
            x = self.bn2b(x, training=training)
            x = ek.nn.relu(x)
            x = self.conv2c(x)
            x = self.bn2c(x, training=training)
            x += input_tensor
            return ek.nn.relu(x)

    block = ResnetIdentityBlock(1, [1, 2, 3])
    assert block(ek.zeros([1, 2, 3, 3])).shape == (1, 2, 3, 3)
    assert [layer.name for layer in block.layers] == [
        "conv2d",
        "batch_normalization",
        "conv2d_1",
        "batch_normalization_1",
        "conv2d_2",
        "batch_normalization_2",
    ]
    assert len(block.variables) == 18 and len(block.trainable_variables) == 12
    assert block.count_params() == 41  # the guide's summary: Total params 41, trainable 29
    assert sum(int(np.prod(v.shape)) for v in block.trainable_variables) == 29
