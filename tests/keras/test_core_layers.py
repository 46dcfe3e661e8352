"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda,
Embedding. Numbers come from TF 2.21 or from hand computation."""

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.keras  # noqa: F401

L = ek.keras.layers


def pattern(shape, k=0):
    """Deterministic values (the same formula produced the TF references)."""
    n = int(np.prod(shape))
    return (np.sin(np.arange(n) * 0.7 + k) * 0.5).reshape(shape).astype(np.float32)


def run_with_pattern_weights(layer, *inputs, **kwargs):
    layer(*[ek.constant(a) for a in inputs])
    for i, w in enumerate(w for w in layer.weights if w.trainable):
        w.assign(pattern(tuple(w.shape), i + 1))
    return layer(*[ek.constant(a) for a in inputs], **kwargs)


# Reference outputs from TF 2.21 (Keras 3): the same layer configuration, the trainable weights
# set to pattern(shape, i + 1) in the order of layer.weights, called on the inputs listed in the test.
TF_REF = {
    "dense": {"out": [[[0.427222, 0.236544, 0.0], [0.505094, 0.188862, 0.0]]], "wshapes": [(4, 3), (3,)]},
    "dense_rank3": {"out": [[[[0.412696, -0.02044], [0.746466, 0.516901]]]], "wshapes": [(3, 2), (2,)]},
}


def test_dense_matches_tf():
    dense = L.Dense(3, activation="relu")
    out = run_with_pattern_weights(dense, pattern((2, 4)))
    assert [tuple(w.shape) for w in dense.weights] == TF_REF["dense"]["wshapes"]
    np.testing.assert_allclose(out.numpy(), TF_REF["dense"]["out"][0], atol=1e-6)
    rank3 = run_with_pattern_weights(L.Dense(2), pattern((1, 2, 3)))
    np.testing.assert_allclose(rank3.numpy(), TF_REF["dense_rank3"]["out"][0], atol=1e-6)


def test_dense_by_hand_and_options():
    dense = L.Dense(2, use_bias=False, kernel_initializer="ones")
    np.testing.assert_allclose(dense(ek.constant([[1.0, 2.0]])).numpy(), [[3.0, 3.0]])
    assert dense.bias is None and len(dense.weights) == 1
    assert dense.get_config()["activation"] == "linear"
    with pytest.raises(ValueError, match="expected a positive integer. Received: units=0"):
        L.Dense(0)
    with pytest.raises(ValueError, match="last dimension of the inputs to a Dense layer"):
        L.Dense(2)(ek.keras.Input((None,)))


def test_activation_layer():
    np.testing.assert_allclose(L.Activation("relu")(ek.constant([-1.0, 2.0])).numpy(), [0.0, 2.0])
    np.testing.assert_allclose(L.Activation(ek.math.square)(ek.constant([3.0])).numpy(), [9.0])
    with pytest.raises(ValueError, match="Could not interpret activation function identifier: 'relux'"):
        L.Activation("relux")


def test_dropout_only_in_training_scales_kept_values_and_is_reproducible():
    layer = L.Dropout(0.25)
    x = ek.ones([4, 64])
    np.testing.assert_array_equal(layer(x).numpy(), x.numpy())
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x.numpy())
    ek.random.set_seed(7)
    a = layer(x, training=True).numpy()
    ek.random.set_seed(7)
    b = layer(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) == {0.0, np.float32(1 / 0.75)}
    assert 0.1 < (a == 0).mean() < 0.4
    shared = L.Dropout(0.5, noise_shape=(None, 1))(ek.ones([8, 16]), training=True).numpy()
    assert all(len(set(row)) == 1 for row in shared)  # one decision per row
    with pytest.raises(ValueError, match="Expected a float value between 0 and 1. Received: rate=1.5"):
        L.Dropout(1.5)


def test_shape_layers():
    x = ek.reshape(ek.range(24.0), [2, 3, 4])
    assert L.Flatten()(x).shape == (2, 12)
    np.testing.assert_array_equal(L.Flatten()(x).numpy()[1], np.arange(12.0, 24.0))
    channels_first = L.Flatten(data_format="channels_first")(x).numpy()
    np.testing.assert_array_equal(channels_first[0], np.arange(12.0).reshape(3, 4).T.reshape(-1))
    assert L.Flatten()(ek.ones([5])).shape == (5, 1)
    np.testing.assert_array_equal(L.Reshape((4, 3))(x).numpy(), np.arange(24.0).reshape(2, 4, 3))
    assert L.Reshape((-1, 2))(x).shape == (2, 6, 2)
    with pytest.raises(ValueError, match=r"cannot reshape an input of shape \(2, 3, 4\) into target shape \(5,\)"):
        L.Reshape((5,))(x)
    with pytest.raises(ValueError, match="at most one -1"):
        L.Reshape((-1, -1))
    np.testing.assert_array_equal(
        L.Permute((2, 1))(x).numpy(), np.transpose(np.arange(24.0).reshape(2, 3, 4), (0, 2, 1))
    )
    with pytest.raises(ValueError, match="must be consecutive and start from 1"):
        L.Permute((0, 1))
    repeated = L.RepeatVector(2)(ek.constant([[1.0, 2.0]])).numpy()
    np.testing.assert_array_equal(repeated, [[[1.0, 2.0], [1.0, 2.0]]])


def scale_by(x, factor=1.0):
    return x * factor


def test_lambda_layer_arguments_masks_and_config():
    layer = L.Lambda(scale_by, arguments={"factor": 3.0})
    np.testing.assert_allclose(layer(ek.constant([1.0])).numpy(), [3.0])
    config = layer.get_config()
    assert config["function"] == {"class_name": "function", "config": {"module": __name__, "name": "scale_by"}}
    np.testing.assert_allclose(L.Lambda.from_config(config)(ek.constant([2.0])).numpy(), [6.0])
    offset = 5.0
    closure = L.Lambda(lambda x: x + offset, output_shape=(1,))
    restored = L.Lambda.from_config(closure.get_config())
    np.testing.assert_allclose(restored(ek.constant([[1.0]])).numpy(), [[6.0]])
    assert closure.compute_output_shape((None, 1)) == (None, 1)
    masked = L.Lambda(lambda x, mask=None: x * ek.cast(mask, x.dtype), mask=lambda x, m: m)
    out = masked(ek.constant([1.0, 2.0]), mask=ek.constant([True, False]))
    np.testing.assert_allclose(out.numpy(), [1.0, 0.0])
    assert masked.compute_mask(None, "m") == "m"
    x = ek.keras.Input((2,))
    model = ek.keras.Model(x, L.Lambda(lambda t: ek.reduce_sum(t, axis=1, keepdims=True))(x))
    assert model.output_shape == (None, 1)


def test_embedding_lookup_mask_gradient_and_errors():
    emb = L.Embedding(4, 2, embeddings_initializer="zeros", mask_zero=True)
    emb(ek.constant([[0]]))
    emb.embeddings.assign(np.arange(8.0, dtype=np.float32).reshape(4, 2))
    ids = ek.constant([[1, 3, 0]])
    np.testing.assert_array_equal(emb(ids).numpy(), [[[2.0, 3.0], [6.0, 7.0], [0.0, 1.0]]])
    np.testing.assert_array_equal(emb(ek.constant([[1.0, 3.0, 0.0]])).numpy(), emb(ids).numpy())  # floats cast
    np.testing.assert_array_equal(emb.compute_mask(ids).numpy(), [[True, True, False]])
    assert L.Embedding(4, 2).compute_mask(ids) is None
    with ek.GradientTape() as tape:
        total = ek.reduce_sum(emb(ek.constant([[1, 1, 2]])))
    np.testing.assert_array_equal(tape.gradient(total, emb.embeddings).numpy(), [[0, 0], [2, 2], [1, 1], [0, 0]])
    with pytest.raises(ek.errors.InvalidArgumentError):
        emb(ek.constant([[4]]))
    assert L.Embedding(10, 3, input_length=5)._batch_input_shape == (None, 5)
    default = L.Embedding(100, 8)
    default(ek.constant([0]))
    assert float(ek.reduce_max(ek.abs(default.embeddings))) <= 0.05  # 'uniform' = RandomUniform(-0.05, 0.05)
