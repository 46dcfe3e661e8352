"""Convolution layers against TF 2.21: Conv1D (causal, dilated), Conv2D (same/strided, grouped),
Conv3D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D; channels_first; argument errors."""

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
    "conv1d_causal": {
        "out": [
            [
                [
                    [0.613989, 0.320464],
                    [0.744907, 0.566276],
                    [0.251693, 0.166557],
                    [-0.197624, -0.455959],
                    [0.544661, 0.039883],
                ]
            ]
        ],
        "wshapes": [(3, 2, 2), (2,)],
    },
    "conv2d_same_s2": {
        "out": [
            [
                [
                    [[0.444667, -0.001046], [0.715589, 0.662501], [0.49292, 0.175488]],
                    [[1.197108, 0.91321], [-0.207207, -0.340452], [1.047855, 0.741674]],
                    [[0.793697, 0.587578], [0.019244, -0.194355], [0.669688, 0.419075]],
                ]
            ]
        ],
        "wshapes": [(2, 2, 2, 2), (2,)],
    },
    "conv2d_groups": {
        "out": [
            [
                [
                    [[0.415604, 0.238226, -0.063635, -0.384674], [0.510185, 0.214188, -0.210526, -0.462255]],
                    [[0.522752, 0.261196, -0.218031, -0.498543], [0.391923, 0.149641, -0.049493, -0.316291]],
                ]
            ]
        ],
        "wshapes": [(2, 2, 2, 4), (4,)],
    },
    "conv3d": {
        "out": [
            [
                [
                    [[[0.448256, -0.112797], [1.170246, 0.668375]], [[1.423282, 1.32236], [0.83532, 0.887594]]],
                    [[[0.467061, -0.094367], [1.184597, 0.685908]], [[1.413744, 1.317661], [0.817584, 0.872015]]],
                ]
            ]
        ],
        "wshapes": [(2, 2, 2, 1, 2), (2,)],
    },
    "conv2dT_same": {
        "out": [
            [
                [
                    [[0.780769, -0.125679], [0.471186, 0.536361], [0.317718, 0.28013], [0.205365, 0.421932]],
                    [[0.773779, -0.131517], [0.484071, 0.529189], [0.31769, 0.28412], [0.208715, 0.42743]],
                    [[0.232911, 0.158527], [0.732084, -0.011271], [0.954036, 0.173278], [0.224186, 0.76254]],
                    [[-0.077548, 0.523984], [0.673544, -0.317621], [1.098548, 0.076479], [0.479565, 0.536411]],
                ]
            ]
        ],
        "wshapes": [(3, 3, 2, 3), (2,)],
    },
    "conv2dT_valid_op": {
        "out": [
            [
                [
                    [[0.454649], [0.454649], [0.590171], [0.614361], [0.563435], [0.454649]],
                    [[0.454649], [0.454649], [0.461345], [0.356106], [0.297213], [0.454649]],
                    [[0.661956], [0.698958], [0.660365], [0.608438], [0.65059], [0.454649]],
                    [[0.464893], [0.30391], [0.222795], [0.322608], [0.243695], [0.454649]],
                    [[0.236999], [0.36254], [0.340749], [0.373965], [0.52188], [0.454649]],
                    [[0.454649], [0.454649], [0.454649], [0.454649], [0.454649], [0.454649]],
                ]
            ]
        ],
        "wshapes": [(3, 3, 1, 1), (1,)],
    },
    "depthwise": {
        "out": [
            [
                [
                    [[0.232117, -0.113795, -0.456759, -0.649639], [0.565617, 0.139255, -0.142703, -0.580865]],
                    [[0.432149, 0.390847, -0.00273, -0.175502], [0.186747, -0.02827, -0.409177, -0.511842]],
                ]
            ]
        ],
        "wshapes": [(2, 2, 2, 2), (4,)],
    },
    "separable": {
        "out": [
            [
                [
                    [[0.103616, -0.373899, -0.675563], [0.121866, -0.275628, -0.543489]],
                    [[0.013946, -0.2184, -0.348029], [0.06693, -0.354445, -0.609119]],
                ]
            ]
        ],
        "wshapes": [(2, 2, 2, 1), (1, 1, 2, 3), (3,)],
    },
}

CASES = {
    "conv1d_causal": (lambda: L.Conv1D(2, 3, padding="causal", dilation_rate=2), (1, 5, 2)),
    "conv2d_same_s2": (lambda: L.Conv2D(2, 2, strides=2, padding="same"), (1, 5, 5, 2)),
    "conv2d_groups": (lambda: L.Conv2D(4, 2, groups=2), (1, 3, 3, 4)),
    "conv3d": (lambda: L.Conv3D(2, 2), (1, 3, 3, 3, 1)),
    "conv2dT_same": (lambda: L.Conv2DTranspose(2, 3, strides=2, padding="same"), (1, 2, 2, 3)),
    "conv2dT_valid_op": (lambda: L.Conv2DTranspose(1, 3, strides=2, padding="valid", output_padding=1), (1, 2, 2, 1)),
    "depthwise": (lambda: L.DepthwiseConv2D(2, depth_multiplier=2), (1, 3, 3, 2)),
    "separable": (lambda: L.SeparableConv2D(3, 2), (1, 3, 3, 2)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_tf(name):
    make, shape = CASES[name]
    layer = make()
    out = run_with_pattern_weights(layer, pattern(shape))
    assert [tuple(w.shape) for w in layer.weights] == TF_REF[name]["wshapes"]
    np.testing.assert_allclose(out.numpy(), TF_REF[name]["out"][0], atol=2e-6)


def test_weight_names_and_default_initializers():
    ek.keras.backend.clear_session()
    conv = L.Conv2D(3, 2)
    conv(ek.ones([1, 4, 4, 2]))
    assert [v.name for v in conv.weights] == ["conv2d/kernel:0", "conv2d/bias:0"]
    np.testing.assert_array_equal(conv.bias.numpy(), np.zeros(3))
    sep = L.SeparableConv2D(3, 2)
    sep(ek.ones([1, 4, 4, 2]))
    assert [v.name.split("/")[1] for v in sep.weights] == ["depthwise_kernel:0", "pointwise_kernel:0", "bias:0"]


def test_channels_first_equals_transposed_channels_last():
    x = pattern((1, 5, 5, 2))
    last = L.Conv2D(3, 2, strides=2, padding="same")
    first = L.Conv2D(3, 2, strides=2, padding="same", data_format="channels_first")
    out_last = last(ek.constant(x))
    first(ek.constant(np.transpose(x, (0, 3, 1, 2))))
    first.set_weights(last.get_weights())
    out_first = first(ek.constant(np.transpose(x, (0, 3, 1, 2))))
    np.testing.assert_allclose(np.transpose(out_first.numpy(), (0, 2, 3, 1)), out_last.numpy(), atol=1e-6)
    pool = L.MaxPooling2D(data_format="channels_first")(ek.constant(np.transpose(x, (0, 3, 1, 2))))
    assert pool.shape == (1, 2, 2, 2)


def test_argument_errors():
    with pytest.raises(ValueError, match="`strides > 1` not supported in conjunction with `dilation_rate > 1`"):
        L.Conv2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="evenly divisible by the number of groups"):
        L.Conv2D(3, 3, groups=2)
    with pytest.raises(ValueError, match="input channels must be evenly divisible"):
        L.Conv2D(4, 1, groups=2)(ek.ones([1, 2, 2, 3]))
    with pytest.raises(ValueError, match="Invalid `padding`"):
        L.Conv2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="channel dimension of the inputs"):
        L.Conv2D(2, 3)(ek.keras.Input((4, 4, None)))
    with pytest.raises(ValueError, match="must be greater than output padding"):
        L.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="kernel_size"):
        L.Conv2D(2, (3, 3, 3))
    with pytest.raises(ValueError, match="data_format"):
        L.Conv2D(2, 3, data_format="nhwc")


def test_shapes_of_symbolic_calls():
    assert L.Conv1D(4, 3, strides=2)(ek.keras.Input((None, 2))).shape == (None, None, 4)
    assert L.Conv2DTranspose(2, 3, strides=2)(ek.keras.Input((4, 4, 1))).shape == (None, 9, 9, 2)
    assert L.DepthwiseConv2D(3, padding="same")(ek.keras.Input((6, 6, 3))).shape == (None, 6, 6, 3)
