"""The Layer base class: names, building, add_weight, weight tracking and order, freezing,
losses, training propagation, input validation, configs, autocast."""

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.keras  # noqa: F401
from eagerkit._src.core.tracking import gather_variables

L = ek.keras.layers


@pytest.fixture(autouse=True)
def _fresh_names():
    ek.keras.backend.clear_session()


class Scale(L.Layer):
    """A layer with one weight per feature, recording its build calls."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.build_shapes = []

    def build(self, input_shape):
        self.build_shapes.append(input_shape)
        self.w = self.add_weight("w", shape=(input_shape[-1],), initializer="ones")

    def call(self, inputs):
        return inputs * self.w


class TrainingEcho(L.Layer):
    def call(self, inputs, training=None):
        self.seen = training
        return inputs


class Outer(L.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = TrainingEcho()
        self.explicit = TrainingEcho()

    def call(self, inputs, training=None):
        self.inner(inputs)
        self.explicit(inputs, training=False)
        return inputs


def test_names_are_unique_snake_case_per_class():
    assert L.Dense(1).name == "dense"
    assert L.Dense(1).name == "dense_1"
    assert Scale().name == "scale"
    assert L.GlobalAveragePooling2D().name == "global_average_pooling2d"
    assert L.Dense(1, name="out").name == "out"
    assert L.Dense(1).name == "dense_2"
    with pytest.raises(ValueError, match="without '/'"):
        L.Dense(1, name="a/b")


def test_unknown_constructor_arguments_are_refused():
    with pytest.raises(ValueError, match=r"Unrecognized keyword arguments passed to Dense: \{'foo': 1\}"):
        L.Dense(3, foo=1)


def test_input_shape_arguments():
    assert L.Dense(1, input_shape=(3,))._batch_input_shape == (None, 3)
    assert L.Dense(1, input_dim=5)._batch_input_shape == (None, 5)
    assert L.Dense(1, input_shape=(3,), batch_size=8)._batch_input_shape == (8, 3)
    assert L.Dense(1, batch_input_shape=(2, 4))._batch_input_shape == (2, 4)


def test_build_runs_once_with_the_first_input_shape():
    layer = Scale()
    assert not layer.built and layer.weights == []
    layer(ek.ones([2, 3]))
    layer(ek.ones([5, 3]))
    assert layer.built
    assert layer.build_shapes == [ek.TensorShape([2, 3])]
    assert isinstance(layer.build_shapes[0], ek.TensorShape)


def test_build_sees_unknown_dimensions_from_symbolic_inputs():
    layer = Scale()
    layer(ek.keras.Input(shape=(None, 4)))
    assert layer.build_shapes == [ek.TensorShape([None, None, 4])]


def test_add_weight_names_defaults_and_orders():
    layer = L.Layer(name="holder")
    w = layer.add_weight("w", shape=(2, 3))
    assert w.name == "holder/w:0" and w.trainable and w.dtype == ek.float32
    limit = np.sqrt(6 / (2 + 3))  # glorot_uniform
    assert -limit <= float(ek.reduce_min(w)) and float(ek.reduce_max(w)) <= limit
    b = layer.add_weight(shape=(3,), initializer="zeros", name="b")  # Keras 3 keyword style
    c = layer.add_weight((4,), initializer="ones")  # shape first, as Keras 3 allows
    assert c.shape == (4,) and c.name == "holder/variable:0"
    i = layer.add_weight("count", shape=(), dtype="int32", trainable=False)
    assert i.dtype == ek.int32 and int(i) == 0  # integer weights default to zeros
    assert layer.weights == [w, b, c, i]
    assert layer.trainable_weights == [w, b, c] and layer.non_trainable_weights == [i]
    with pytest.raises(ValueError, match="unknown dimension"):
        layer.add_weight("bad", shape=(None, 2))


def test_weights_come_trainable_first_then_sublayers_depth_first():
    class Block(L.Layer):
        def __init__(self):
            super().__init__()
            self.stat = ek.Variable(0.0, trainable=False, name="stat")
            self.dense = L.Dense(2)
            self.scales = [Scale(), Scale()]
            self.table = {"v": ek.Variable(1.0, name="v")}

        def call(self, x):
            return self.scales[1](self.scales[0](self.dense(x)))

    block = Block()
    block(ek.ones([1, 3]))
    names = [v.name for v in block.weights]
    assert names == ["v:0", "stat:0", "dense/kernel:0", "dense/bias:0", "scale/w:0", "scale_1/w:0"]
    assert [v.name for v in block.trainable_weights] == [n for n in names if n != "stat:0"]
    assert [v.name for v in block.non_trainable_weights] == ["stat:0"]
    assert block.variables == block.weights
    assert block.submodules == (block.dense, block.scales[0], block.scales[1])
    # Each variable once, even when also reachable through an attribute.
    assert len({id(v) for v in block.weights}) == len(block.weights)
    # The object graph used by checkpoints sees the same variables.
    assert {id(v) for v in gather_variables(block)} == {id(v) for v in block.weights}


def test_add_weight_variables_not_stored_in_attributes_are_still_tracked():
    class Hidden(L.Layer):
        def build(self, input_shape):
            self.add_weight("secret", shape=(1,), initializer="ones")

        def call(self, x):
            return x

    layer = Hidden()
    layer(ek.ones([1, 1]))
    assert [v.name for v in layer.weights] == ["hidden/secret:0"]
    assert "secret" in layer._trackable_children()


def test_freezing_moves_weights_to_non_trainable_recursively():
    model = ek.keras.Sequential([ek.keras.Input((3,)), L.Dense(2), L.BatchNormalization(), L.Dense(1)])
    dense, bn, head = model.layers
    assert len(model.trainable_weights) == 6 and len(model.non_trainable_weights) == 2
    dense.trainable = False
    assert [v.name for v in model.trainable_weights] == [v.name for v in bn.trainable_weights + head.weights]
    assert model.non_trainable_weights[:2] == dense.weights
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 8
    assert not head.trainable
    model.trainable = True
    assert dense.trainable and len(model.trainable_weights) == 6
    # The Variables' own flags are untouched: freezing is the layer's decision.
    dense.trainable = False
    assert all(v.trainable for v in dense.weights)


def test_frozen_layers_are_not_trained_by_a_tape_loop():
    model = ek.keras.Sequential([ek.keras.Input((2,)), L.Dense(2), L.Dense(1)])
    model.layers[0].trainable = False
    before = [w.numpy().copy() for w in model.weights]
    with ek.GradientTape() as tape:
        loss = ek.reduce_sum(model(ek.ones([3, 2])))
    grads = tape.gradient(loss, model.trainable_variables)
    for g, v in zip(grads, model.trainable_variables):
        v.assign_sub(0.1 * g)
    after = [w.numpy() for w in model.weights]
    np.testing.assert_array_equal(before[0], after[0])
    np.testing.assert_array_equal(before[1], after[1])
    assert not np.array_equal(before[2], after[2])


def test_training_value_propagates_to_sublayers_unless_given_explicitly():
    outer = Outer()
    outer(ek.ones([1]), training=True)
    assert outer.inner.seen is True and outer.explicit.seen is False
    outer(ek.ones([1]))
    assert outer.inner.seen is None
    echo = TrainingEcho()
    echo(ek.ones([1]), training=True)
    assert echo.seen is True

    class DefaultsTrue(L.Layer):
        def call(self, inputs, training=True):
            self.seen = training
            return inputs

    layer = DefaultsTrue()
    layer(ek.ones([1]))
    assert layer.seen is True

    class NoTrainingArg(L.Layer):
        def __init__(self):
            super().__init__()
            self.echo = TrainingEcho()

        def call(self, inputs):
            return self.echo(inputs)

    wrapper = NoTrainingArg()
    wrapper(ek.ones([1]), training=True)  # accepted and passed on to sublayers
    assert wrapper.echo.seen is True


def test_add_loss_is_cleared_at_each_outermost_call():
    class WithLoss(L.Layer):
        def call(self, inputs):
            self.add_loss(ek.reduce_sum(inputs))
            return inputs

    class Wrapper(L.Layer):
        def __init__(self):
            super().__init__()
            self.a = WithLoss()
            self.b = WithLoss()

        def call(self, inputs):
            return self.b(self.a(inputs))

    wrapper = Wrapper()
    wrapper(ek.ones([2]))
    assert [float(x) for x in wrapper.losses] == [2.0, 2.0]
    wrapper(ek.ones([3]))
    assert [float(x) for x in wrapper.losses] == [3.0, 3.0]
    wrapper.add_loss(lambda: ek.constant(7.0))  # callables are evaluated on access
    assert [float(x) for x in wrapper.losses] == [7.0, 3.0, 3.0]  # own losses, then sublayers'


def test_regularization_losses_are_recomputed_and_differentiable():
    dense = L.Dense(2, kernel_regularizer=ek.keras.regularizers.l2(0.5), kernel_initializer="ones")
    dense(ek.ones([1, 3]))
    assert [float(x) for x in dense.losses] == [0.5 * 6.0]
    dense.kernel.assign(2.0 * np.ones((3, 2), np.float32))
    assert [float(x) for x in dense.losses] == [0.5 * 24.0]
    with ek.GradientTape() as tape:
        penalty = ek.add_n(dense.losses)
    np.testing.assert_allclose(tape.gradient(penalty, dense.kernel).numpy(), 2.0 * np.ones((3, 2)))
    dense.trainable = False  # like Keras 3, frozen weights are not regularized
    assert dense.losses == []


def test_activity_regularizer_loss_is_divided_by_batch_size():
    dense = L.Dense(1, kernel_initializer="ones", use_bias=False, activity_regularizer="l1")
    dense(ek.constant([[1.0, 2.0], [3.0, -9.0]]))  # outputs 3 and -6
    np.testing.assert_allclose([float(x) for x in dense.losses], [0.01 * 9.0 / 2])


def test_input_validation_errors_name_the_layer_and_shapes():
    dense = L.Dense(3, name="proj")
    dense(ek.ones([2, 4]))
    with pytest.raises(ValueError) as info:
        dense(ek.ones([2, 5]))
    msg = str(info.value)
    assert 'layer "proj"' in msg
    assert "expected axis -1 of input shape to have value 4" in msg
    assert "received input with shape (2, 5)" in msg
    assert "built for inputs of shape (2, 4)" in msg
    with pytest.raises(ValueError, match=r'layer "proj".*expected min_ndim=2, found ndim=1'):
        dense(ek.ones([4]))
    conv = L.Conv2D(2, 3, name="conv")
    with pytest.raises(ValueError, match=r'layer "conv".*expected ndim=4, found ndim=3'):
        conv(ek.ones([1, 5, 5]))
    lstm = L.LSTM(2, name="rnn")
    lstm(ek.ones([1, 3, 2]))
    with pytest.raises(ValueError, match=r'layer "rnn".*axis -1 of input shape to have value 2'):
        lstm(ek.ones([1, 3, 5]))


def test_count_params_needs_a_built_layer():
    with pytest.raises(ValueError, match="on layer 'dense', but the layer isn't built"):
        L.Dense(3).count_params()
    dense = L.Dense(3)
    dense.build(ek.TensorShape([None, 4]))
    dense.built = True
    assert dense.count_params() == 15


def test_get_and_set_weights():
    dense = L.Dense(2)
    dense(ek.ones([1, 3]))
    values = [np.full((3, 2), 0.5, np.float32), np.array([1.0, -1.0], np.float32)]
    dense.set_weights(values)
    np.testing.assert_array_equal(dense.get_weights()[1], values[1])
    np.testing.assert_allclose(dense(ek.ones([1, 3])).numpy(), [[2.5, 0.5]])
    with pytest.raises(ValueError, match="expecting 2 weights"):
        dense.set_weights(values[:1])
    with pytest.raises(ValueError, match=r"has shape \(3, 2\), but the value provided has shape \(2, 2\)"):
        dense.set_weights([np.zeros((2, 2)), values[1]])
    initial = L.Dense(2, weights=values)  # the `weights` argument is applied after build
    np.testing.assert_allclose(initial(ek.ones([1, 3])).numpy(), [[2.5, 0.5]])


def test_floating_inputs_are_cast_to_the_layer_dtype():
    dense = L.Dense(2)
    assert dense(np.ones((1, 3))).dtype == ek.float32  # float64 NumPy input
    double = L.Dense(2, dtype="float64")
    out = double(np.ones((1, 3), np.float32))
    assert out.dtype == ek.float64 and double.kernel.dtype == ek.float64
    assert double.dtype == "float64" and double.compute_dtype == "float64"
    assert L.Dense(2)([[1.0, 2.0]]).shape == (1, 2)  # nested Python lists are one tensor


def test_default_config_of_custom_layers():
    class Custom(L.Layer):
        def __init__(self, units, scale=1.0, **kwargs):
            super().__init__(**kwargs)
            self.units, self.scale = units, scale

    layer = Custom(3, scale=2.0, name="c")
    config = layer.get_config()
    assert config == {"name": "c", "trainable": True, "dtype": "float32", "units": 3, "scale": 2.0}
    clone = Custom.from_config(config)
    assert (clone.units, clone.scale, clone.name) == (3, 2.0, "c")

    class NotPlain(L.Layer):
        def __init__(self, inner, **kwargs):
            super().__init__(**kwargs)
            self.inner = inner

    with pytest.raises(NotImplementedError, match=r"arguments \['inner'\].*override `get_config\(\)`"):
        NotPlain(L.Dense(1)).get_config()


def test_compute_output_shape_and_repr():
    assert L.Dense(3).compute_output_shape((None, 4)) == (None, 3)
    assert L.Conv2D(2, 3).compute_output_shape((None, 8, 8, 1)) == (None, 6, 6, 2)
    assert L.Flatten().compute_output_shape((None, 2, 3)) == (None, 6)
    dense = L.Dense(1, name="d")
    assert repr(dense) == "<Dense name=d, built=False>"


def test_layer_input_and_output_properties():
    x = ek.keras.Input((3,))
    dense = L.Dense(2)
    y = dense(x)
    assert dense.input is x and dense.output is y
    assert dense.input_shape == (None, 3) and dense.output_shape == (None, 2)
    dense(ek.keras.Input((3,)))
    with pytest.raises(AttributeError, match="multiple inbound nodes"):
        dense.output  # noqa: B018
    with pytest.raises(AttributeError, match="never been called on a KerasTensor"):
        L.Dense(1).output  # noqa: B018


def test_custom_layer_guide_example():
    # The "custom layers" example of the TF 2 guides, spelled as there.
    class MyDenseLayer(ek.keras.layers.Layer):
        def __init__(self, num_outputs):
            super(MyDenseLayer, self).__init__()  # noqa: UP008
            self.num_outputs = num_outputs

        def build(self, input_shape):
            self.kernel = self.add_weight("kernel", shape=[int(input_shape[-1]), self.num_outputs])

        def call(self, input):  # noqa: A002
            return ek.matmul(input, self.kernel)

    layer = MyDenseLayer(10)
    assert layer(ek.zeros([10, 5])).shape == (10, 10)
    assert [var.name for var in layer.trainable_variables] == ["my_dense_layer/kernel:0"]
    assert L.Dense(1, name="").name == "dense"  # an empty name means "pick one", as in Keras 3
