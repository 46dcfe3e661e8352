"""Normalization layers against TF 2.21 and by hand: BatchNormalization (training, moving
statistics, inference, freezing, masks, inside ek.function), LayerNormalization, GroupNormalization."""

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
    "bn_train": {
        "mm": [0.005611, 0.002177],
        "mv": [0.911204, 0.914005],
        "out": [[[0.384435, 0.610198], [1.001033, 0.754757], [0.594038, -0.046612], [-0.160911, -0.463583]]],
        "wshapes": [(2,), (2,), (2,), (2,)],
    },
    "layernorm": {"out": [[[-0.098128, 0.334805, 0.233456], [0.94234, 0.265664, -0.55465]]], "wshapes": [(3,), (3,)]},
    "groupnorm": {
        "out": [[[[0.279169, 0.854885, 0.230715, -0.389804], [0.653335, -0.454854, -0.443912, -0.431079]]]],
        "wshapes": [(4,), (4,)],
    },
}


def test_batch_normalization_training_matches_tf():
    bn = L.BatchNormalization(momentum=0.9)
    out = run_with_pattern_weights(bn, pattern((4, 2)), training=True)
    ref = TF_REF["bn_train"]
    np.testing.assert_allclose(out.numpy(), ref["out"][0], atol=1e-6)
    np.testing.assert_allclose(bn.moving_mean.numpy(), ref["mm"], atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), ref["mv"], atol=1e-6)
    assert [v.name.split("/")[1] for v in bn.weights] == ["gamma:0", "beta:0", "moving_mean:0", "moving_variance:0"]
    assert bn.trainable_weights == [bn.gamma, bn.beta]
    assert bn.non_trainable_weights == [bn.moving_mean, bn.moving_variance]


def test_batch_normalization_inference_and_frozen_use_moving_statistics():
    bn = L.BatchNormalization(epsilon=0.0, center=False, scale=False)
    x = ek.constant([[1.0, 10.0], [3.0, 30.0]])
    bn(x)
    bn.moving_mean.assign([1.0, 10.0])
    bn.moving_variance.assign([4.0, 100.0])
    expected = [[0.0, 0.0], [1.0, 2.0]]
    np.testing.assert_allclose(bn(x).numpy(), expected, atol=1e-6)
    np.testing.assert_allclose(bn(x, training=False).numpy(), expected, atol=1e-6)
    bn.trainable = False  # a frozen BatchNormalization runs in inference mode (Keras 3)
    np.testing.assert_allclose(bn(x, training=True).numpy(), expected, atol=1e-6)
    np.testing.assert_allclose(bn.moving_mean.numpy(), [1.0, 10.0])
    bn.trainable = True
    np.testing.assert_allclose(bn(x, training=True).numpy(), [[-1.0, -1.0], [1.0, 1.0]], atol=1e-6)
    np.testing.assert_allclose(bn.moving_mean.numpy(), [0.99 * 1.0 + 0.01 * 2.0, 0.99 * 10.0 + 0.01 * 20.0])


def test_batch_normalization_axis_and_mask():
    x = ek.constant(pattern((2, 3, 4)))
    bn = L.BatchNormalization(axis=1)
    bn(x, training=True)
    assert bn.gamma.shape == (3,)
    expected = (pattern((2, 3, 4)).transpose(1, 0, 2).reshape(3, -1).mean(axis=1)) * 0.01
    np.testing.assert_allclose(bn.moving_mean.numpy(), expected, atol=1e-6)
    masked = L.BatchNormalization(center=False, scale=False, epsilon=0.0)
    seq = ek.constant([[[1.0], [3.0], [100.0]]])
    out = masked(seq, training=True, mask=ek.constant([[True, True, False]]))
    np.testing.assert_allclose(out.numpy()[0, :2, 0], [-1.0, 1.0], atol=1e-5)  # statistics ignore the padding


def test_batch_normalization_statistics_update_inside_ek_function():
    bn = L.BatchNormalization(momentum=0.5)

    @ek.function
    def train_step(x):
        return bn(x, training=True)

    x = ek.constant([[0.0], [4.0]])
    train_step(x)
    train_step(x)
    np.testing.assert_allclose(bn.moving_mean.numpy(), [1.5])  # 0 -> 1 -> 1.5
    np.testing.assert_allclose(bn.moving_variance.numpy(), [3.25])  # 1 -> 2.5 -> 3.25


def test_layer_and_group_normalization_match_tf():
    out = run_with_pattern_weights(L.LayerNormalization(), pattern((2, 3)))
    np.testing.assert_allclose(out.numpy(), TF_REF["layernorm"]["out"][0], atol=1e-6)
    out = run_with_pattern_weights(L.GroupNormalization(groups=2), pattern((1, 2, 4)))
    np.testing.assert_allclose(out.numpy(), TF_REF["groupnorm"]["out"][0], atol=1e-6)


def test_layer_normalization_by_hand():
    x = ek.constant([[1.0, 3.0], [2.0, 2.0]])
    out = L.LayerNormalization(epsilon=0.0)(x).numpy()
    np.testing.assert_allclose(out[0], [-1.0, 1.0], atol=1e-6)
    multi = L.LayerNormalization(axis=[1, 2])
    multi(ek.ones([2, 3, 4]))
    assert multi.gamma.shape == (3, 4)
    rms = L.LayerNormalization(rms_scaling=True, epsilon=0.0)
    np.testing.assert_allclose(rms(ek.constant([[3.0, 4.0]])).numpy(), [[3.0 / 0.5, 4.0 / 0.5]], rtol=1e-6)


def test_group_normalization_errors_and_instance_norm():
    with pytest.raises(ValueError, match="cannot be more than the number of channels"):
        L.GroupNormalization(groups=8)(ek.ones([1, 2, 4]))
    with pytest.raises(ValueError, match="must be a multiple"):
        L.GroupNormalization(groups=3)(ek.ones([1, 2, 4]))
    x = ek.constant(pattern((1, 5, 2)))
    out = L.GroupNormalization(groups=2, epsilon=0.0)(x).numpy()
    np.testing.assert_allclose(out.mean(axis=1), [[0.0, 0.0]], atol=1e-6)
    np.testing.assert_allclose(out.std(axis=1), [[1.0, 1.0]], atol=1e-5)
