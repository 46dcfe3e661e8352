"""The functional API: Input/KerasTensor, multiple inputs and outputs, shared layers, nested
models, operators on KerasTensors, masks, errors, get_config/from_config, clone_model."""

import json

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.keras  # noqa: F401

L = ek.keras.layers


@pytest.fixture(autouse=True)
def _fresh_names():
    ek.keras.backend.clear_session()


def test_input_is_a_symbolic_tensor():
    x = ek.keras.Input(shape=(3,), name="features")
    assert isinstance(x, ek.keras.KerasTensor) and ek.keras.backend.is_keras_tensor(x)
    assert x.shape == (None, 3) and x.dtype == ek.float32 and x.name == "features"
    assert ek.keras.Input(shape=(2,), batch_size=4, dtype="int32").shape == (4, 2)
    assert ek.keras.Input(batch_shape=(None, None, 5)).shape == (None, None, 5)
    with pytest.raises(ValueError, match="must pass a `shape`"):
        ek.keras.Input()
    with pytest.raises(TypeError, match="symbolic placeholder.*Lambda"):
        ek.concat([x, x], axis=1)
    with pytest.raises(TypeError, match="no value"):
        x.numpy()


def test_layer_calls_infer_shapes_including_unknown_dimensions():
    x = ek.keras.Input(shape=(None, None, 1))
    y = L.Conv2D(4, 3, strides=2)(x)
    assert y.shape == (None, None, None, 4)
    z = L.GlobalMaxPooling2D()(y)
    assert z.shape == (None, 4)
    seq = ek.keras.Input(shape=(None, 3))
    assert L.LSTM(5, return_sequences=True)(seq).shape == (None, None, 5)
    assert L.Reshape((-1, 2))(ek.keras.Input(shape=(None, 4))).shape == (None, None, 2)
    assert L.Flatten()(ek.keras.Input(shape=(2, None))).shape == (None, None)


def test_multi_input_multi_output_with_shared_layer():
    a = ek.keras.Input((2,), name="a")
    b = ek.keras.Input((2,), name="b")
    shared = L.Dense(3, kernel_initializer="ones", name="shared")
    summed = L.Add()([shared(a), shared(b)])
    head = L.Dense(1, kernel_initializer="ones", name="head")(summed)
    model = ek.keras.Model([a, b], {"sum": summed, "head": head})
    assert [layer.name for layer in model.layers] == ["a", "b", "shared", "add", "head"]
    assert model.count_params() == 9 + 4  # the shared layer is counted once
    out = model([ek.constant([[1.0, 0.0]]), ek.constant([[0.0, 2.0]])])
    np.testing.assert_allclose(out["sum"].numpy(), [[3.0, 3.0, 3.0]])
    np.testing.assert_allclose(out["head"].numpy(), [[9.0]])
    by_name = model({"a": np.array([[1.0, 0.0]]), "b": np.array([[0.0, 2.0]])})
    np.testing.assert_allclose(by_name["head"].numpy(), [[9.0]])
    with ek.GradientTape() as tape:
        loss = ek.reduce_sum(model([ek.ones([1, 2]), ek.ones([1, 2])])["head"])
    grads = tape.gradient(loss, model.trainable_variables)
    assert len(grads) == 4 and all(g is not None for g in grads)
    with pytest.raises(ValueError, match="expects 2 input"):
        model(ek.ones([1, 2]))


def test_dict_inputs_and_input_shape_checks():
    x1 = ek.keras.Input((3,), name="x1")
    x2 = ek.keras.Input((1,), name="x2")
    model = ek.keras.Model({"x1": x1, "x2": x2}, L.Concatenate()([x1, x2]))
    out = model({"x2": np.zeros((2, 1)), "x1": np.ones((2, 3))})
    np.testing.assert_array_equal(out.numpy(), [[1, 1, 1, 0], [1, 1, 1, 0]])
    with pytest.raises(ValueError, match=r"missing inputs \['x2'\]"):
        model({"x1": np.ones((2, 3))})
    single = ek.keras.Model(x1, L.Dense(2)(x1))
    message = r'Input 0 of layer "functional_1" is incompatible.*shape=\(None, 3\).*\(2, 4\)'
    with pytest.raises(ValueError, match=message):
        single(np.ones((2, 4), np.float32))
    squeezed = ek.keras.Model(x2, L.Dense(2)(x2))
    assert squeezed(np.ones((5,), np.float32)).shape == (5, 2)  # a missing trailing 1 is added


def test_operators_on_keras_tensors_record_op_layers():
    x = ek.keras.Input((4,))
    h = L.Dense(4, kernel_initializer="identity", bias_initializer="zeros")(x)
    y = (x + h * 2.0 - 1.0)[:, :2]
    y = -abs(y) / 2.0
    model = ek.keras.Model(x, y)
    names = [layer.name for layer in model.layers]
    assert "tf.__operators__.add" in names and "tf.__operators__.getitem" in names
    out = model(ek.constant([[1.0, 2.0, 3.0, 4.0]]))
    np.testing.assert_allclose(out.numpy(), [[-1.0, -2.5]])
    clone = ek.keras.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone(ek.constant([[1.0, 2.0, 3.0, 4.0]])).numpy(), [[-1.0, -2.5]])


def test_nested_models_as_layers():
    inner = ek.keras.Sequential([L.Dense(2, input_shape=(3,), kernel_initializer="ones")], name="inner")
    x = ek.keras.Input((3,))
    middle = ek.keras.Model(x, inner(x) * 2.0, name="middle")
    y = ek.keras.Input((3,))
    outer = ek.keras.Model(y, L.Dense(1, kernel_initializer="ones")(middle(y)))
    np.testing.assert_allclose(outer(ek.ones([1, 3])).numpy(), [[12.0]])
    assert outer.count_params() == 8 + 3
    assert [v.name for v in outer.trainable_variables][:2] == ["dense/kernel:0", "dense/bias:0"]


def test_graph_errors():
    a = ek.keras.Input((2,), name="a")
    b = ek.keras.Input((2,), name="b")
    out = L.Add()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected.*'b'"):
        ek.keras.Model(a, out)
    with pytest.raises(ValueError, match="must be KerasTensors"):
        ek.keras.Model(a, ek.ones([1, 2]))
    dense = L.Dense(2, name="twin")
    with pytest.raises(ValueError, match='The name "twin" is used 2 times'):
        ek.keras.Model(a, L.Dense(2, name="twin")(dense(a)))


def test_masks_in_functional_models():
    tokens = ek.keras.Input((None,), dtype="int32")
    embedded = L.Embedding(6, 3, mask_zero=True)(tokens)
    model = ek.keras.Model(tokens, L.LSTM(2)(embedded))
    data = ek.constant([[4, 2, 0], [1, 0, 0]])
    embedding, lstm = model.layers[1], model.layers[2]
    expected = lstm(embedding(data), mask=ek.not_equal(data, 0))
    np.testing.assert_allclose(model(data).numpy(), expected.numpy(), rtol=1e-6)


def test_training_flag_in_functional_models():
    x = ek.keras.Input((50,))
    model = ek.keras.Model(x, L.Dropout(0.5)(x))
    ones = ek.ones([1, 50])
    np.testing.assert_array_equal(model(ones).numpy(), ones.numpy())
    assert 0 < int((model(ones, training=True).numpy() == 0).sum()) < 50


def test_config_round_trip_with_shared_layers_and_nested_structures():
    a = ek.keras.Input((3,), name="a")
    b = ek.keras.Input((3,), name="b")
    shared = L.Dense(2, activation="tanh", name="shared")
    merged = L.Concatenate(name="cat")([shared(a), shared(b)])
    model = ek.keras.Model([a, b], [L.Dense(1, name="out")(merged), merged], name="siamese")
    config = model.get_config()
    json.dumps(config)
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    assert config["output_layers"] == [["out", 0, 0], ["cat", 0, 0]]
    shared_entry = next(entry for entry in config["layers"] if entry["name"] == "shared")
    assert len(shared_entry["inbound_nodes"]) == 2
    clone = ek.keras.Model.from_config(config)
    assert clone.name == "siamese" and [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    clone.set_weights(model.get_weights())
    inputs = [ek.random.normal([2, 3]), ek.random.normal([2, 3])]
    for got, want in zip(clone(inputs), model(inputs)):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


def test_clone_model_of_a_functional_model():
    x = ek.keras.Input((3,), name="x")
    model = ek.keras.Model(x, L.Dense(2, name="d")(L.Dense(4)(x)))
    clone = ek.keras.models.clone_model(model)
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert all(c is not m for c, m in zip(clone.layers, model.layers))
    assert clone.count_params() == model.count_params()


def test_checkpoint_names_follow_layer_positions():
    from eagerkit._src.core.tracking import walk

    x = ek.keras.Input((3,))
    model = ek.keras.Model(x, L.Dense(1)(L.BatchNormalization()(x)))
    paths = ["/".join(path) for path, node in walk(model) if isinstance(node, ek.Variable)]
    assert paths == [
        "layer-1/gamma",
        "layer-1/beta",
        "layer-1/moving_mean",
        "layer-1/moving_variance",
        "layer-2/kernel",
        "layer-2/bias",
    ]


def test_inputs_keep_their_dtype_and_layers_cast_for_themselves():
    x = ek.keras.Input((2,), dtype="float64")
    model = ek.keras.Model(x, L.Dense(1, dtype="float64", kernel_initializer="ones", use_bias=False)(x))
    out = model(np.array([[1.0 + 1e-12, 1.0]]))
    assert out.dtype == ek.float64 and abs(float(out[0, 0]) - 2.0 - 1e-12) < 1e-15
    ints = ek.keras.Input((3,), dtype="int32")
    assert ek.keras.Model(ints, L.Embedding(5, 2)(ints))(np.array([[1, 2, 3]], np.int64)).shape == (1, 3, 2)


def test_layers_that_need_concrete_values_explain_the_functional_failure():
    class NeedsValues(L.Layer):
        def call(self, x):
            return x * float(x.numpy().sum())

    with pytest.raises(Exception, match="symbolic") as info:
        NeedsValues(name="eager_only")(ek.keras.Input((2,)))
    assert any("layer 'eager_only' ran on placeholders" in note for note in info.value.__notes__)
    np.testing.assert_allclose(NeedsValues()(ek.ones([1, 2])).numpy(), [[2.0, 2.0]])  # eagerly it works
