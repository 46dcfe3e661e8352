"""Every built-in layer: get_config/from_config round-trips (through JSON and the layer registry)
and gradients reach every trainable weight (and the floating inputs) through a GradientTape."""

import json

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.keras  # noqa: F401
from eagerkit._src.util import nest

L = ek.keras.layers


def as_list(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def floats(*shape):
    n = int(np.prod(shape))
    return ek.constant((np.sin(np.arange(n) * 0.7) * 0.5 + 0.1).reshape(shape).astype(np.float32))


# name -> (factory, inputs factory (positional args), call kwargs)
CATALOGUE = {
    "Dense": (lambda: L.Dense(3, activation="tanh", kernel_regularizer="l2"), lambda: (floats(2, 4),), {}),
    "EinsumDense": (lambda: L.EinsumDense("ab,bc->ac", output_shape=3, bias_axes="c"), lambda: (floats(2, 4),), {}),
    "Activation": (lambda: L.Activation("softplus"), lambda: (floats(2, 4),), {}),
    "Dropout": (lambda: L.Dropout(0.3, noise_shape=(None, 1), seed=1), lambda: (floats(2, 4),), {"training": True}),
    "Flatten": (lambda: L.Flatten(), lambda: (floats(2, 3, 2),), {}),
    "Reshape": (lambda: L.Reshape((3, -1)), lambda: (floats(2, 6),), {}),
    "Permute": (lambda: L.Permute((2, 1)), lambda: (floats(2, 3, 2),), {}),
    "RepeatVector": (lambda: L.RepeatVector(2), lambda: (floats(2, 3),), {}),
    "Lambda": (lambda: L.Lambda(lambda x: x * x), lambda: (floats(2, 3),), {}),
    "Embedding": (lambda: L.Embedding(5, 2, mask_zero=True), lambda: (ek.constant([[1, 4, 0]]),), {}),
    "Conv1D": (lambda: L.Conv1D(2, 2, padding="causal", dilation_rate=2), lambda: (floats(1, 4, 2),), {}),
    "Conv2D": (lambda: L.Conv2D(2, 2, strides=2, padding="same", groups=2), lambda: (floats(1, 3, 3, 2),), {}),
    "Conv3D": (lambda: L.Conv3D(2, 2), lambda: (floats(1, 2, 2, 2, 1),), {}),
    "Conv2DTranspose": (
        lambda: L.Conv2DTranspose(2, 2, strides=2, output_padding=1),
        lambda: (floats(1, 2, 2, 1),),
        {},
    ),
    "DepthwiseConv2D": (lambda: L.DepthwiseConv2D(2, depth_multiplier=2), lambda: (floats(1, 3, 3, 2),), {}),
    "SeparableConv2D": (lambda: L.SeparableConv2D(2, 2, depth_multiplier=2), lambda: (floats(1, 3, 3, 2),), {}),
    "MaxPooling1D": (lambda: L.MaxPooling1D(), lambda: (floats(1, 4, 2),), {}),
    "MaxPooling2D": (lambda: L.MaxPooling2D(padding="same"), lambda: (floats(1, 3, 3, 1),), {}),
    "MaxPooling3D": (lambda: L.MaxPooling3D(), lambda: (floats(1, 2, 2, 2, 1),), {}),
    "AveragePooling1D": (lambda: L.AveragePooling1D(strides=1), lambda: (floats(1, 4, 2),), {}),
    "AveragePooling2D": (lambda: L.AveragePooling2D(), lambda: (floats(1, 4, 4, 1),), {}),
    "AveragePooling3D": (lambda: L.AveragePooling3D(), lambda: (floats(1, 2, 2, 2, 1),), {}),
    "GlobalAveragePooling1D": (lambda: L.GlobalAveragePooling1D(), lambda: (floats(2, 3, 2),), {}),
    "GlobalAveragePooling2D": (lambda: L.GlobalAveragePooling2D(keepdims=True), lambda: (floats(1, 2, 2, 2),), {}),
    "GlobalAveragePooling3D": (lambda: L.GlobalAveragePooling3D(), lambda: (floats(1, 2, 2, 2, 1),), {}),
    "GlobalMaxPooling1D": (lambda: L.GlobalMaxPooling1D(), lambda: (floats(2, 3, 2),), {}),
    "GlobalMaxPooling2D": (lambda: L.GlobalMaxPooling2D(), lambda: (floats(1, 2, 2, 2),), {}),
    "GlobalMaxPooling3D": (lambda: L.GlobalMaxPooling3D(), lambda: (floats(1, 2, 2, 2, 1),), {}),
    "ZeroPadding2D": (lambda: L.ZeroPadding2D(((1, 0), (0, 1))), lambda: (floats(1, 2, 2, 1),), {}),
    "UpSampling2D": (lambda: L.UpSampling2D(2, interpolation="bilinear"), lambda: (floats(1, 2, 2, 1),), {}),
    "BatchNormalization": (lambda: L.BatchNormalization(momentum=0.9), lambda: (floats(4, 3),), {"training": True}),
    "LayerNormalization": (lambda: L.LayerNormalization(axis=[1, 2]), lambda: (floats(2, 2, 3),), {}),
    "GroupNormalization": (lambda: L.GroupNormalization(groups=2), lambda: (floats(2, 3, 4),), {}),
    "Add": (lambda: L.Add(), lambda: ([floats(2, 3), floats(2, 3) * 2.0],), {}),
    "Subtract": (lambda: L.Subtract(), lambda: ([floats(2, 3), floats(2, 3) * 2.0],), {}),
    "Multiply": (lambda: L.Multiply(), lambda: ([floats(2, 3), floats(2, 3) * 2.0],), {}),
    "Average": (lambda: L.Average(), lambda: ([floats(2, 3), floats(2, 3) * 2.0],), {}),
    "Maximum": (lambda: L.Maximum(), lambda: ([floats(2, 3), floats(2, 3) * 2.0],), {}),
    "Minimum": (lambda: L.Minimum(), lambda: ([floats(2, 3), floats(2, 3) * 2.0],), {}),
    "Concatenate": (lambda: L.Concatenate(axis=1), lambda: ([floats(2, 3), floats(2, 1)],), {}),
    "Rescaling": (lambda: L.Rescaling(0.5, offset=1.0), lambda: (floats(2, 3),), {}),
    "ReLU": (lambda: L.ReLU(max_value=0.3, negative_slope=0.1), lambda: (floats(2, 3),), {}),
    "LeakyReLU": (lambda: L.LeakyReLU(0.2), lambda: (floats(2, 3),), {}),
    "ELU": (lambda: L.ELU(0.5), lambda: (floats(2, 3),), {}),
    "Softmax": (lambda: L.Softmax(axis=1), lambda: (floats(2, 3),), {}),
    "SimpleRNN": (lambda: L.SimpleRNN(2, return_sequences=True), lambda: (floats(2, 3, 2),), {}),
    "LSTM": (lambda: L.LSTM(2, return_state=True, go_backwards=True), lambda: (floats(2, 3, 2),), {}),
    "GRU": (lambda: L.GRU(2, reset_after=False, dropout=0.2), lambda: (floats(2, 3, 2),), {"training": True}),
    "Bidirectional": (lambda: L.Bidirectional(L.SimpleRNN(2), merge_mode="ave"), lambda: (floats(2, 3, 2),), {}),
    "MultiHeadAttention": (lambda: L.MultiHeadAttention(2, 2), lambda: (floats(1, 2, 3), floats(1, 3, 3)), {}),
    "InputLayer": (lambda: L.InputLayer(shape=(3,)), lambda: (floats(2, 3),), {}),
}


def test_catalogue_covers_every_public_layer():
    public = {
        name
        for name, obj in vars(L).items()
        if isinstance(obj, type) and issubclass(obj, L.Layer) and obj.__name__ == name and obj is not L.Layer
    }
    assert public == set(CATALOGUE)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_config_round_trip(name):
    make, inputs, kwargs = CATALOGUE[name]
    layer = make()
    layer(*inputs(), **kwargs)
    config = layer.get_config()
    text = json.dumps(config)
    clone = type(layer).from_config(json.loads(text))
    assert type(clone) is type(layer)
    again = clone.get_config()
    if name == "Lambda":  # marshal's bytes of an equivalent code object may differ
        again["function"], config["function"] = "f", "f"
        text = json.dumps(config)
    assert json.dumps(again) == text
    restored = L.deserialize(json.loads(json.dumps(L.serialize(layer))))
    assert type(restored) is type(layer) and restored.name == layer.name
    out = clone(*inputs(), **kwargs)
    expected = layer(*inputs(), **kwargs)
    assert [tuple(o.shape) for o in as_list(out)] == [tuple(e.shape) for e in as_list(expected)]


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_gradients_reach_every_trainable_weight_and_the_inputs(name):
    make, inputs, kwargs = CATALOGUE[name]
    layer = make()
    args = inputs()
    layer(*args, **kwargs)
    watched = [x for x in nest.flatten(args) if x.dtype.is_floating]
    with ek.GradientTape() as tape:
        tape.watch(watched)
        out = layer(*args, **kwargs)
        loss = ek.add_n([ek.reduce_sum(ek.square(o)) for o in as_list(out)] + layer.losses)
    grads = tape.gradient(loss, layer.trainable_weights + watched)
    missing = [v.name for v, g in zip(layer.trainable_weights, grads) if g is None]
    assert not missing, f"no gradient for {missing}"
    assert all(g is not None for g in grads[len(layer.trainable_weights) :])
