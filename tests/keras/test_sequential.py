"""Sequential: add/pop, building from input_shape / Input / first call / build(), masks,
training flag, errors, config round-trip and clone_model."""

import json

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.keras  # noqa: F401

L = ek.keras.layers


@pytest.fixture(autouse=True)
def _fresh_names():
    ek.keras.backend.clear_session()


def test_input_shape_on_first_layer_builds_at_construction():
    model = ek.keras.Sequential([L.Dense(4, input_shape=(3,)), L.Dense(2)])
    assert model.built and model.count_params() == 3 * 4 + 4 + 4 * 2 + 2
    assert model.input_shape == (None, 3) and model.output_shape == (None, 2)
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]  # no InputLayer listed
    assert model(np.ones((5, 3), np.float32)).shape == (5, 2)


def test_add_input_then_layers_and_pop():
    model = ek.keras.Sequential(name="stack")
    model.add(ek.keras.Input(shape=(4,)))
    assert not model.built
    model.add(L.Dense(3))
    model.add(L.Dense(2))
    assert model.output_shape == (None, 2) and len(model.weights) == 4
    popped = model.pop()
    assert popped.units == 2 and model.output_shape == (None, 3) and len(model.layers) == 1
    model.add(L.Dense(5))
    assert model.output_shape == (None, 5)
    assert model(ek.ones([2, 4])).shape == (2, 5)
    model.pop()
    model.pop()
    with pytest.raises(TypeError, match="no layers in the model"):
        model.pop()


def test_lazy_build_and_explicit_build():
    model = ek.keras.Sequential([L.Dense(2), L.Dense(1)])
    assert not model.built and model.weights == []
    with pytest.raises(ValueError, match="isn't built"):
        model.count_params()
    model(ek.ones([3, 4]))
    assert model.built and model.count_params() == 4 * 2 + 2 + 2 + 1
    explicit = ek.keras.Sequential([L.Dense(2)])
    explicit.build((None, 7))
    assert explicit.count_params() == 16 and explicit.output_shape == (None, 2)


def test_add_errors():
    model = ek.keras.Sequential([ek.keras.Input((3,)), L.Dense(2, name="same")])
    with pytest.raises(ValueError, match="should have unique names.*'same'"):
        model.add(L.Dense(2, name="same"))
    with pytest.raises(ValueError, match="Only instances of `ek.keras.layers.Layer`"):
        model.add("dense")
    with pytest.raises(ValueError, match="can only be its first"):
        model.add(L.InputLayer(shape=(2,)))
    with pytest.raises(ValueError, match=r'Input 0 of layer "conv2d" is incompatible.*expected ndim=4'):
        model.add(L.Conv2D(1, 1))
    assert [layer.name for layer in model.layers] == ["same"]  # the failed layer was not kept
    with pytest.raises(ValueError, match="has no layers"):
        ek.keras.Sequential().build((None, 1))


def test_masks_flow_from_embedding_to_lstm():
    tokens = ek.constant([[3, 1, 0, 0], [2, 2, 2, 0]])
    embedding = L.Embedding(5, 3, mask_zero=True)
    lstm = L.LSTM(2)
    model = ek.keras.Sequential([embedding, lstm])
    out = model(tokens)
    expected = lstm(embedding(tokens), mask=ek.not_equal(tokens, 0))
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6)
    unmasked = lstm(embedding(tokens))
    assert not np.allclose(out.numpy(), unmasked.numpy())
    assert model.compute_mask(tokens) is None  # LSTM without return_sequences drops the mask


def test_training_flag_reaches_dropout():
    model = ek.keras.Sequential([L.Dropout(0.5, input_shape=(100,))])
    x = ek.ones([1, 100])
    np.testing.assert_array_equal(model(x).numpy(), x.numpy())
    dropped = model(x, training=True).numpy()
    assert set(np.unique(dropped)) <= {0.0, 2.0} and 20 < int((dropped == 0).sum()) < 80


def test_config_round_trip_keeps_architecture_and_outputs():
    model = ek.keras.Sequential(
        [L.Conv2D(2, 3, input_shape=(6, 6, 1)), L.MaxPooling2D(), L.Flatten(), L.Dense(3, activation="softmax")]
    )
    config = model.get_config()
    json.dumps(config)
    clone = ek.keras.Sequential.from_config(config)
    assert [type(layer).__name__ for layer in clone.layers] == ["Conv2D", "MaxPooling2D", "Flatten", "Dense"]
    assert clone.input_shape == (None, 6, 6, 1) and clone.count_params() == model.count_params()
    clone.set_weights(model.get_weights())
    x = ek.random.uniform([2, 6, 6, 1])
    np.testing.assert_allclose(clone(x).numpy(), model(x).numpy(), rtol=1e-6)
    lazy = ek.keras.Sequential([L.Dense(2)])
    lazy(ek.ones([1, 3]))
    rebuilt = ek.keras.models.model_from_config({"class_name": "Sequential", "config": lazy.get_config()})
    assert rebuilt.built and rebuilt.count_params() == 8


def test_clone_model_makes_new_layers():
    model = ek.keras.Sequential([ek.keras.Input((3,)), L.Dense(2, kernel_initializer="ones")])
    clone = ek.keras.models.clone_model(model)
    assert clone.layers[0] is not model.layers[0] and clone.count_params() == 8
    assert clone.layers[0].kernel is not model.layers[0].kernel
    np.testing.assert_allclose(clone(ek.ones([1, 3])).numpy(), [[3.0, 3.0]])


def test_checkpoint_names_do_not_depend_on_the_input_layer():
    from eagerkit._src.core.tracking import walk

    def variable_paths(model):
        return ["/".join(path) for path, node in walk(model) if isinstance(node, ek.Variable)]

    with_shape = ek.keras.Sequential([L.Dense(2, input_shape=(3,)), L.Dropout(0.1), L.Dense(1)])
    lazy = ek.keras.Sequential([L.Dense(2), L.Dropout(0.1), L.Dense(1)])
    lazy(ek.ones([1, 3]))
    expected = ["layer-0/kernel", "layer-0/bias", "layer-2/kernel", "layer-2/bias"]
    assert variable_paths(with_shape) == variable_paths(lazy) == expected
