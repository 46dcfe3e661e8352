"""ZeroPadding2D, UpSampling2D (nearest by hand, bilinear against TF 2.21), Rescaling and the
activation layers ReLU, LeakyReLU, ELU, Softmax."""

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.keras  # noqa: F401

L = ek.keras.layers

# From TF 2.21: UpSampling2D(2, interpolation="bilinear") on pattern((1, 2, 2, 1)).
BILINEAR_REF = [
    [0.0, 0.080527, 0.241582, 0.322109],
    [0.123181, 0.179757, 0.292907, 0.349483],
    [0.369544, 0.378215, 0.395559, 0.404231],
    [0.492725, 0.477444, 0.446883, 0.431603],
]


def pattern(shape, k=0):
    n = int(np.prod(shape))
    return (np.sin(np.arange(n) * 0.7 + k) * 0.5).reshape(shape).astype(np.float32)


def test_zero_padding():
    x = ek.ones([1, 2, 2, 1])
    out = L.ZeroPadding2D(((1, 0), (0, 2)))(x).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(out, [[0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 0, 0]])
    assert L.ZeroPadding2D(1)(x).shape == (1, 4, 4, 1)
    assert L.ZeroPadding2D((2, 1))(x).shape == (1, 6, 4, 1)
    assert L.ZeroPadding2D(1, data_format="channels_first")(ek.ones([1, 3, 2, 2])).shape == (1, 3, 4, 4)
    with pytest.raises(ValueError, match="`padding` should be either an int"):
        L.ZeroPadding2D((1, 2, 3))


def test_upsampling():
    x = ek.reshape(ek.range(4.0), [1, 2, 2, 1])
    nearest = L.UpSampling2D((1, 2))(x).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(nearest, [[0, 0, 1, 1], [2, 2, 3, 3]])
    bilinear = L.UpSampling2D(2, interpolation="bilinear")(ek.constant(pattern((1, 2, 2, 1))))
    np.testing.assert_allclose(bilinear.numpy()[0, :, :, 0], BILINEAR_REF, atol=5e-6)
    with pytest.raises(ValueError, match="`interpolation` argument should be one of"):
        L.UpSampling2D(interpolation="cubic")
    with ek.GradientTape() as tape:
        tape.watch(x)
        y = ek.reduce_sum(L.UpSampling2D(2)(x))
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), np.full((1, 2, 2, 1), 4.0))


def test_rescaling():
    out = L.Rescaling(1.0 / 127.5, offset=-1)(ek.constant([[0, 255]], dtype=ek.uint8))
    np.testing.assert_allclose(out.numpy(), [[-1.0, 1.0]])
    assert out.dtype == ek.float32
    per_channel = L.Rescaling([1.0, 2.0])(ek.ones([1, 2]))
    np.testing.assert_array_equal(per_channel.numpy(), [[1.0, 2.0]])


def test_activation_layers():
    x = ek.constant([-2.0, -0.5, 0.5, 3.0, 8.0])
    np.testing.assert_allclose(L.ReLU()(x).numpy(), [0, 0, 0.5, 3, 8])
    np.testing.assert_allclose(L.ReLU(max_value=6.0)(x).numpy(), [0, 0, 0.5, 3, 6])
    np.testing.assert_allclose(L.ReLU(negative_slope=0.1, threshold=1.0)(x).numpy(), [-0.3, -0.15, -0.05, 3, 8])
    np.testing.assert_allclose(L.LeakyReLU()(x).numpy(), [-0.6, -0.15, 0.5, 3, 8], rtol=1e-6)
    np.testing.assert_allclose(L.LeakyReLU(alpha=0.5)(x).numpy(), [-1.0, -0.25, 0.5, 3, 8])
    np.testing.assert_allclose(L.ELU(alpha=2.0)(x).numpy()[:2], 2.0 * np.expm1([-2.0, -0.5]), rtol=1e-6)
    with pytest.raises(ValueError, match="cannot be a negative value"):
        L.ReLU(max_value=-1.0)
    with pytest.raises(ValueError, match="cannot be None or negative"):
        L.LeakyReLU(-0.1)


def test_softmax_layer_with_mask_and_axes():
    logits = ek.constant([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(L.Softmax()(logits).numpy(), [np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum()], rtol=1e-6)
    masked = L.Softmax()(logits, mask=ek.constant([[True, False, True]])).numpy()
    np.testing.assert_allclose(
        masked, [[np.exp(1) / (np.exp(1) + np.exp(3)), 0.0, np.exp(3) / (np.exp(1) + np.exp(3))]]
    )
    all_masked = L.Softmax()(logits, mask=ek.constant([[False, False, False]])).numpy()
    np.testing.assert_array_equal(all_masked, [[0.0, 0.0, 0.0]])
    two_axes = L.Softmax(axis=(1, 2))(ek.ones([1, 2, 2])).numpy()
    np.testing.assert_allclose(two_axes, np.full((1, 2, 2), 0.25))
