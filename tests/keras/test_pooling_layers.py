"""Pooling layers: window pooling against TF 2.21 and hand computation, global pooling,
masked GlobalAveragePooling1D, gradients."""

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.keras  # noqa: F401

L = ek.keras.layers


def pattern(shape, k=0):
    """Deterministic values (the same formula produced the TF references)."""
    n = int(np.prod(shape))
    return (np.sin(np.arange(n) * 0.7 + k) * 0.5).reshape(shape).astype(np.float32)


# Reference outputs from TF 2.21 (Keras 3): the same layer configuration, the trainable weights
# set to pattern(shape, i + 1) in the order of layer.weights, called on the inputs listed in the test.
TF_REF = {
    "avgpool_same": {"out": [[[[[0.230302], [0.158667]], [[-0.463507], [-0.315633]]]]], "wshapes": []},
    "maxpool1d": {"out": [[[[0.492725, 0.431605], [0.492725, 0.431605], [0.167494, -0.175392]]]], "wshapes": []},
}


def test_window_pooling():
    x = ek.reshape(ek.range(16.0), [1, 4, 4, 1])
    np.testing.assert_array_equal(L.MaxPooling2D()(x).numpy().reshape(-1), [5, 7, 13, 15])
    np.testing.assert_array_equal(L.AveragePooling2D()(x).numpy().reshape(-1), [2.5, 4.5, 10.5, 12.5])
    np.testing.assert_array_equal(L.MaxPooling2D(pool_size=3, strides=1)(x).numpy().reshape(-1), [10, 11, 14, 15])
    out = L.AveragePooling2D(padding="same")(ek.constant(pattern((1, 3, 3, 1))))
    np.testing.assert_allclose(out.numpy(), TF_REF["avgpool_same"]["out"][0], atol=1e-6)
    out = L.MaxPooling1D(2, strides=1)(ek.constant(pattern((1, 4, 2))))
    np.testing.assert_allclose(out.numpy(), TF_REF["maxpool1d"]["out"][0], atol=1e-6)
    assert L.AveragePooling1D(padding="same")(ek.ones([2, 5, 3])).shape == (2, 3, 3)
    assert L.MaxPooling3D()(ek.ones([1, 4, 4, 4, 2])).shape == (1, 2, 2, 2, 2)
    assert L.AveragePooling3D(pool_size=(1, 2, 2))(ek.ones([1, 2, 4, 4, 1])).shape == (1, 2, 2, 2, 1)
    assert L.MaxPooling2D()(ek.keras.Input((None, 7, 3))).shape == (None, None, 3, 3)


def test_pooling_gradients_reach_the_selected_inputs():
    x = ek.reshape(ek.range(16.0), [1, 4, 4, 1])
    with ek.GradientTape() as tape:
        tape.watch(x)
        y = ek.reduce_sum(L.MaxPooling2D()(x))
    grad = tape.gradient(y, x).numpy().reshape(4, 4)
    expected = np.zeros((4, 4))
    expected[1::2, 1::2] = 1.0
    np.testing.assert_array_equal(grad, expected)
    with ek.GradientTape() as tape:
        tape.watch(x)
        y = ek.reduce_sum(L.AveragePooling2D()(x))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), np.full((1, 4, 4, 1), 0.25))


def test_global_pooling():
    x = ek.reshape(ek.range(12.0), [1, 2, 2, 3])
    np.testing.assert_array_equal(L.GlobalAveragePooling2D()(x).numpy(), [[4.5, 5.5, 6.5]])
    np.testing.assert_array_equal(L.GlobalMaxPooling2D()(x).numpy(), [[9, 10, 11]])
    assert L.GlobalAveragePooling2D(keepdims=True)(x).shape == (1, 1, 1, 3)
    np.testing.assert_array_equal(L.GlobalAveragePooling2D(data_format="channels_first")(x).numpy(), [[2.5, 8.5]])
    seq = ek.constant([[[1.0], [3.0], [100.0]]])
    np.testing.assert_allclose(L.GlobalMaxPooling1D()(seq).numpy(), [[100.0]])
    masked = L.GlobalAveragePooling1D()(seq, mask=ek.constant([[True, True, False]]))
    np.testing.assert_allclose(masked.numpy(), [[2.0]])
    assert L.GlobalMaxPooling3D()(ek.ones([2, 2, 2, 2, 4])).shape == (2, 4)
    with pytest.raises(ValueError, match="expected ndim=4"):
        L.GlobalAveragePooling2D()(ek.ones([2, 3]))
