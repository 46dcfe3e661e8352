"""``ek.nn``: activations, convolutions, pooling, losses, normalisation and dropout.

Convolutions and pooling are checked against NumPy reference implementations written here
(direct loops over output positions) and against outputs hard-coded from TensorFlow 2.21.
"""

import itertools
import math

import numpy as np
import pytest

import eagerkit as ek

# -- NumPy references ---------------------------------------------------------------------------


def _same_pads(size, k, s, d):
    eff = (k - 1) * d + 1
    out = -(-size // s)
    total = max((out - 1) * s + eff - size, 0)
    return total // 2, total - total // 2


def np_conv(x, w, strides, padding, dilations=None):
    """N-D convolution, channels last: x [N, *S, C], w [*K, C // groups, O]."""
    n = x.ndim - 2
    strides = (strides,) * n if isinstance(strides, int) else tuple(strides)
    dilations = (1,) * n if dilations is None else ((dilations,) * n if isinstance(dilations, int) else dilations)
    ksz = w.shape[:n]
    if padding == "VALID":
        pads = [(0, 0)] * n
    elif padding == "SAME":
        pads = [_same_pads(x.shape[1 + i], ksz[i], strides[i], dilations[i]) for i in range(n)]
    else:
        pads = [tuple(p) for p in padding]
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    eff = [(ksz[i] - 1) * dilations[i] + 1 for i in range(n)]
    out_sp = [(xp.shape[1 + i] - eff[i]) // strides[i] + 1 for i in range(n)]
    cin, cg, cout = x.shape[-1], w.shape[-2], w.shape[-1]
    groups = cin // cg
    per_group = cout // groups
    out = np.zeros((x.shape[0], *out_sp, cout), np.float64)
    for b, pos in itertools.product(range(x.shape[0]), itertools.product(*[range(o) for o in out_sp])):
        for kpos in itertools.product(*[range(k) for k in ksz]):
            idx = tuple(pos[i] * strides[i] + kpos[i] * dilations[i] for i in range(n))
            pixel = xp[(b, *idx)]
            for oc in range(cout):
                g = oc // per_group
                out[(b, *pos, oc)] += pixel[g * cg : (g + 1) * cg] @ w[(*kpos, slice(None), oc)]
    return out


def np_conv_transpose(x, w, output_shape, strides, padding):
    """The adjoint of ``np_conv`` (w is [*K, out_channels, in_channels]), built as a matrix."""
    size = int(np.prod(output_shape))
    columns = []
    for i in range(size):
        e = np.zeros(size)
        e[i] = 1.0
        columns.append(np_conv(e.reshape(output_shape), w, strides, padding).ravel())
    m = np.stack(columns, axis=1)  # conv as a matrix: [conv output size, input size]
    return (m.T @ np.asarray(x, np.float64).ravel()).reshape(output_shape)


def np_depthwise(x, f, strides, padding, dilations=(1, 1)):
    h, w, cin, mult = f.shape
    if padding == "SAME":
        pads = [_same_pads(x.shape[1 + i], f.shape[i], strides[i], dilations[i]) for i in range(2)]
    else:
        pads = [(0, 0), (0, 0)]
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    oh = (xp.shape[1] - (h - 1) * dilations[0] - 1) // strides[0] + 1
    ow = (xp.shape[2] - (w - 1) * dilations[1] - 1) // strides[1] + 1
    out = np.zeros((x.shape[0], oh, ow, cin * mult))
    for b, i, j, c, m in itertools.product(range(x.shape[0]), range(oh), range(ow), range(cin), range(mult)):
        total = 0.0
        for di, dj in itertools.product(range(h), range(w)):
            total += xp[b, i * strides[0] + di * dilations[0], j * strides[1] + dj * dilations[1], c] * f[di, dj, c, m]
        out[b, i, j, c * mult + m] = total
    return out


def np_pool(x, ksize, strides, padding, kind):
    n = x.ndim - 2
    if padding == "SAME":
        pads = [_same_pads(x.shape[1 + i], ksize[i], strides[i], 1) for i in range(n)]
    else:
        pads = [(0, 0)] * n
    out_sp = [(x.shape[1 + i] + sum(pads[i]) - ksize[i]) // strides[i] + 1 for i in range(n)]
    out = np.zeros((x.shape[0], *out_sp, x.shape[-1]))
    for b, pos in itertools.product(range(x.shape[0]), itertools.product(*[range(o) for o in out_sp])):
        lo = [pos[i] * strides[i] - pads[i][0] for i in range(n)]
        window = x[(b, *[slice(max(lo[i], 0), min(lo[i] + ksize[i], x.shape[1 + i])) for i in range(n)])]
        window = window.reshape(-1, x.shape[-1])
        out[(b, *pos)] = window.max(0) if kind == "max" else window.mean(0)
    return out


def _pattern(shape, mod, shift):
    return (np.arange(np.prod(shape)) % mod - shift).reshape(shape).astype(np.float32)


# -- activations ----------------------------------------------------------------------------------
X = np.array([-2.0, -0.5, 0.0, 0.5, 3.0, 7.0], np.float32)


@pytest.mark.parametrize(
    "fn, ref",
    [
        (ek.nn.relu, lambda x: np.maximum(x, 0)),
        (ek.nn.relu6, lambda x: np.clip(x, 0, 6)),
        (ek.nn.elu, lambda x: np.where(x > 0, x, np.expm1(x))),
        (ek.nn.selu, lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x))),
        (ek.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x)),
        (ek.nn.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
        (ek.nn.tanh, np.tanh),
        (ek.nn.softplus, lambda x: np.log1p(np.exp(x))),
        (ek.nn.softsign, lambda x: x / (1 + np.abs(x))),
        (ek.nn.silu, lambda x: x / (1 + np.exp(-x))),
        (ek.nn.swish, lambda x: x / (1 + np.exp(-x))),
        (ek.nn.gelu, lambda x: 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))),
        (ek.math.log_sigmoid, lambda x: -np.log1p(np.exp(-x))),
    ],
)
def test_activation_matches_numpy(fn, ref):
    out = fn(ek.constant(X))
    assert out.dtype == ek.float32
    np.testing.assert_allclose(out.numpy(), ref(X.astype(np.float64)), rtol=1e-5, atol=1e-6)


def test_activation_arguments():
    x = ek.constant([-1.0, 2.0])
    np.testing.assert_allclose(ek.nn.leaky_relu(x, alpha=0.1).numpy(), [-0.1, 2.0])
    np.testing.assert_allclose(ek.nn.silu(x, beta=2.0).numpy(), [-1 / (1 + np.exp(2)), 2 / (1 + np.exp(-4))], rtol=1e-6)
    # TF's tanh-approximate gelu values
    np.testing.assert_allclose(
        ek.nn.gelu([-1.0, 0.5, 2.0], approximate=True).numpy(), [-0.158808, 0.345714, 1.954598], rtol=1e-5
    )
    assert ek.nn.relu(ek.constant([-3, 4])).numpy().tolist() == [0, 4]
    assert ek.nn.relu6(ek.constant([-3, 9])).numpy().tolist() == [0, 6]
    leaky_int = ek.nn.leaky_relu(ek.constant([-1, 2]))  # TF casts integers to float32 first
    assert leaky_int.dtype == ek.float32 and leaky_int.numpy().tolist() == pytest.approx([-0.2, 2.0])


def test_activations_refuse_integers_like_tf():
    for fn in (ek.nn.softmax, ek.nn.elu, ek.nn.selu, ek.nn.log_softmax, ek.nn.l2_loss):
        with pytest.raises(ek.errors.InvalidArgumentError, match="Value for attr 'T' of int32"):
            fn(ek.constant([1, 2]))


def test_softmax_and_log_softmax():
    logits = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 5.0]], np.float32)
    e = np.exp(logits - logits.max(-1, keepdims=True))
    np.testing.assert_allclose(ek.nn.softmax(logits).numpy(), e / e.sum(-1, keepdims=True), rtol=1e-6)
    e0 = np.exp(logits - logits.max(0, keepdims=True))
    np.testing.assert_allclose(ek.nn.softmax(logits, axis=0).numpy(), e0 / e0.sum(0, keepdims=True), rtol=1e-6)
    lse = np.log(np.exp(logits).sum(-1, keepdims=True))
    np.testing.assert_allclose(ek.nn.log_softmax(logits).numpy(), logits - lse, rtol=1e-5)
    np.testing.assert_allclose(ek.math.softmax([1000.0, 1000.0]).numpy(), [0.5, 0.5])


def test_bias_add_l2_loss_l2_normalize():
    np.testing.assert_allclose(ek.nn.bias_add([[1.0, 2.0]], [0.5, 1.0]).numpy(), [[1.5, 3.0]])
    with pytest.raises(ek.errors.InvalidArgumentError, match="as many biases as the last dimension"):
        ek.nn.bias_add([[1.0, 2.0]], [0.5])
    assert float(ek.nn.l2_loss([1.0, 2.0, 3.0])) == 7.0
    np.testing.assert_allclose(ek.nn.l2_normalize([3.0, 4.0]).numpy(), [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(ek.nn.l2_normalize([[3.0, 4.0], [1.0, 0.0]], axis=1).numpy(), [[0.6, 0.8], [1, 0]])


# -- convolutions ----------------------------------------------------------------------------------
X4 = _pattern([1, 5, 5, 2], 7, 3)
K4 = _pattern([3, 3, 2, 2], 5, 2)


@pytest.mark.parametrize(
    "strides, padding, dilations",
    [(1, "VALID", 1), (1, "SAME", 1), (2, "SAME", 1), ([1, 2, 2, 1], "VALID", 1), (1, "SAME", 2), (2, "VALID", 1)],
)
def test_conv2d_matches_reference(strides, padding, dilations):
    out = ek.nn.conv2d(X4, K4, strides, padding, dilations=dilations)
    s = strides if isinstance(strides, int) else strides[1:3]
    np.testing.assert_allclose(out.numpy(), np_conv(X4, K4, s, padding, dilations), atol=1e-4)


def test_conv2d_matches_tensorflow_values():
    # tf.nn.conv2d(x, k, 2, "SAME") in TF 2.21 (asymmetric SAME padding: more at the end)
    want = [[[[7, -8], [-3, -12], [-10, 9]], [[-4, -9], [-7, 15], [4, -6]], [[2, 9], [2, -6], [1, -8]]]]
    np.testing.assert_allclose(ek.nn.conv2d(X4, K4, 2, "SAME").numpy(), want)
    dil = [[10, 1, 4, -13, 5], [0, -2, 10, 7, 4], [-17, 9, 1, 3, 5], [-5, 5, -13, -1, 1], [10, -8, -5, 2, -10]]
    np.testing.assert_allclose(ek.nn.conv2d(X4, K4, 1, "SAME", dilations=2).numpy()[0, :, :, 0], dil)


def test_conv2d_explicit_padding_and_groups():
    pads = [[0, 0], [1, 0], [0, 1], [0, 0]]
    np.testing.assert_allclose(ek.nn.conv2d(X4, K4, 1, pads).numpy(), np_conv(X4, K4, 1, pads[1:3]), atol=1e-4)
    k_grouped = _pattern([3, 3, 1, 4], 5, 2)  # 2 groups of 1 input channel -> 2 outputs each
    np.testing.assert_allclose(ek.nn.conv2d(X4, k_grouped, 1, "VALID").numpy(), np_conv(X4, k_grouped, 1, "VALID"))


def test_conv1d_and_conv3d():
    x1, k1 = _pattern([1, 6, 2], 5, 2), _pattern([3, 2, 2], 3, 1)
    np.testing.assert_allclose(ek.nn.conv1d(x1, k1, 2, "SAME").numpy(), [[[2, -3], [-3, 2], [2, -4]]])
    for stride, padding, dil in [(1, "VALID", 1), (1, "SAME", 2), (2, "VALID", 1)]:
        got = ek.nn.conv1d(x1, k1, stride, padding, dilations=dil).numpy()
        np.testing.assert_allclose(got, np_conv(x1, k1, stride, padding, dil), atol=1e-5)
    x3, k3 = _pattern([1, 3, 3, 3, 2], 5, 2), _pattern([2, 2, 2, 2, 1], 3, 1)
    want = [
        [[-5, 8, -5], [4, 2, -1], [4, -6, 5]],
        [[2, -5, 2], [-9, 4, -4], [-1, 4, -3]],
        [[-1, -3, 2], [8, -4, 2], [-2, 1, 0]],
    ]
    np.testing.assert_allclose(ek.nn.conv3d(x3, k3, [1, 1, 1, 1, 1], "SAME").numpy()[0, ..., 0], want)
    np.testing.assert_allclose(ek.nn.conv3d(x3, k3, 2, "VALID").numpy(), np_conv(x3, k3, 2, "VALID"))
    assert ek.nn.convolution(x1, k1, padding="VALID").shape == [1, 4, 2]
    assert ek.nn.convolution(X4, K4, padding="SAME").shape == [1, 5, 5, 2]


def test_conv2d_transpose_matches_tensorflow_and_adjoint_reference():
    x = np.arange(1.0, 5.0, dtype=np.float32).reshape(1, 2, 2, 1)
    k = _pattern([3, 3, 2, 1], 4, 1)
    same = ek.nn.conv2d_transpose(x, k, [1, 4, 4, 2], 2, "SAME")
    want_same = [
        [[-1, 0], [1, 2], [-3, 0], [2, 4]],
        [[1, 2], [-1, 0], [3, 6], [-2, 0]],
        [[-4, 0], [4, 8], [-10, 0], [6, 12]],
        [[3, 6], [-3, 0], [7, 14], [-4, 0]],
    ]
    np.testing.assert_allclose(same.numpy()[0], want_same)
    valid = ek.nn.conv2d_transpose(x, k, [1, 5, 5, 2], 2, "VALID").numpy()[0, :, :, 0]
    want_valid = [[-1, 1, -3, 2, -2], [1, -1, 3, -2, 2], [-4, 4, -10, 6, -6], [3, -3, 7, -4, 4], [-3, 3, -7, 4, -4]]
    np.testing.assert_allclose(valid, want_valid)
    # an output_shape one larger than needed: the extra row/column gets no contribution (as in TF)
    big = ek.nn.conv2d_transpose(x, k, [1, 6, 6, 2], 2, "VALID").numpy()
    np.testing.assert_allclose(big, np_conv_transpose(x, k, (1, 6, 6, 2), 2, "VALID"), atol=1e-5)
    assert np.all(big[0, 5] == 0) and np.all(big[0, :, 5] == 0)
    x2, k2 = _pattern([1, 3, 3, 2], 5, 2), _pattern([3, 3, 3, 2], 5, 2)
    got = ek.nn.conv2d_transpose(x2, k2, [1, 5, 5, 3], 2, "SAME").numpy()
    np.testing.assert_allclose(got, np_conv_transpose(x2, k2, (1, 5, 5, 3), 2, "SAME"), atol=1e-4)


def test_conv1d_and_conv3d_transpose():
    out = ek.nn.conv1d_transpose([[[1.0], [2.0]]], [[[1.0]], [[10.0]], [[100.0]]], [1, 4, 1], 2, "SAME")
    np.testing.assert_allclose(out.numpy().ravel(), [1.0, 10.0, 102.0, 20.0])  # TF's values
    out3 = ek.nn.conv3d_transpose(ek.ones([1, 2, 2, 2, 1]), ek.ones([2, 2, 2, 3, 1]), [1, 4, 4, 4, 3], 2, "SAME")
    assert out3.shape == [1, 4, 4, 4, 3] and float(ek.reduce_sum(out3)) == 192.0


def test_conv_transpose_bad_output_shape():
    with pytest.raises(ek.errors.InvalidArgumentError, match="convolves back to the input shape"):
        ek.nn.conv2d_transpose(ek.ones([1, 2, 2, 1]), ek.ones([3, 3, 2, 1]), [1, 9, 9, 2], 2, "SAME")
    with pytest.raises(ek.errors.InvalidArgumentError, match="output_channels=2"):
        ek.nn.conv2d_transpose(ek.ones([1, 2, 2, 1]), ek.ones([3, 3, 3, 1]), [1, 4, 4, 2], 2, "SAME")


def test_depthwise_conv2d():
    x, f = _pattern([1, 4, 4, 2], 5, 2), _pattern([2, 2, 2, 3], 5, 2)
    same = ek.nn.depthwise_conv2d(x, f, [1, 2, 2, 1], "SAME")
    want = [[[2, -1, 6, -2, -6, 0], [-1, 2, -5, -2, -5, 2]], [[0, 1, 7, 8, -2, -2], [2, -1, 6, -2, -6, 0]]]
    np.testing.assert_allclose(same.numpy()[0], want)  # TF 2.21's values
    np.testing.assert_allclose(
        ek.nn.depthwise_conv2d(x, f, [1, 1, 1, 1], "VALID").numpy(), np_depthwise(x, f, (1, 1), "VALID")
    )
    f1 = _pattern([2, 2, 2, 1], 5, 2)
    got = ek.nn.depthwise_conv2d(x, f1, [1, 1, 1, 1], "SAME", dilations=[2, 2]).numpy()
    np.testing.assert_allclose(got, np_depthwise(x, f1, (1, 1), "SAME", (2, 2)))


def test_conv_errors_name_the_op_and_shapes():
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"Conv2D: input must be rank 4.*\[1, 3, 3\]"):
        ek.nn.conv2d(ek.zeros([1, 3, 3]), ek.zeros([1, 1, 1, 1]), 1, "VALID")
    with pytest.raises(ek.errors.InvalidArgumentError, match="input depth 2 must be a multiple of the filter's"):
        ek.nn.conv2d(ek.zeros([1, 3, 3, 2]), ek.zeros([1, 1, 3, 1]), 1, "VALID")
    with pytest.raises(ek.errors.InvalidArgumentError, match="attr 'padding'"):
        ek.nn.conv2d(ek.zeros([1, 3, 3, 2]), ek.zeros([1, 1, 2, 1]), 1, "FOO")
    with pytest.raises(ek.errors.InvalidArgumentError, match="NHWC"):
        ek.nn.conv2d(ek.zeros([1, 2, 3, 3]), ek.zeros([1, 1, 2, 1]), 1, "VALID", data_format="NCHW")
    with pytest.raises(ek.errors.InvalidArgumentError, match="cannot compute Conv2D"):
        ek.nn.conv2d(ek.zeros([1, 3, 3, 1]), ek.zeros([1, 1, 1, 1], ek.float64), 1, "VALID")


# -- pooling --------------------------------------------------------------------------------------------
P = np.arange(25.0, dtype=np.float32).reshape(1, 5, 5, 1)


@pytest.mark.parametrize(
    "ksize, strides, padding", [(2, 2, "VALID"), (3, 2, "SAME"), (2, 2, "SAME"), ([2, 3], [1, 2], "VALID")]
)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool2d_matches_reference(ksize, strides, padding, kind):
    fn = ek.nn.max_pool2d if kind == "max" else ek.nn.avg_pool2d
    out = fn(P, ksize, strides, padding)
    k = (ksize,) * 2 if isinstance(ksize, int) else tuple(ksize)
    s = (strides,) * 2 if isinstance(strides, int) else tuple(strides)
    np.testing.assert_allclose(out.numpy(), np_pool(P, k, s, padding, kind), rtol=1e-6)


def test_pools_match_tensorflow_values():
    assert ek.nn.avg_pool2d(P, 3, 2, "SAME").numpy()[0, :, :, 0].tolist() == [
        [3.0, 4.5, 6.0],
        [10.5, 12.0, 13.5],
        [18.0, 19.5, 21.0],
    ]
    assert ek.nn.max_pool2d(P, 2, 2, "SAME").numpy()[0, :, :, 0].tolist() == [
        [6.0, 8.0, 9.0],
        [16.0, 18.0, 19.0],
        [21.0, 23.0, 24.0],
    ]
    assert ek.nn.max_pool2d(P, [1, 2, 2, 1], [1, 2, 2, 1], "VALID").numpy().ravel().tolist() == [6, 8, 16, 18]
    assert ek.nn.avg_pool1d(np.arange(5.0).reshape(1, 5, 1), 2, 2, "SAME").numpy().ravel().tolist() == [0.5, 2.5, 4.0]
    cube = np.arange(27.0).reshape(1, 3, 3, 3, 1)
    assert ek.nn.avg_pool3d(cube, 2, 2, "SAME").numpy().ravel().tolist() == [6.5, 8, 11, 12.5, 20, 21.5, 24.5, 26]
    assert ek.nn.max_pool3d(cube, 2, 2, "SAME").numpy().ravel().tolist() == [13, 14, 16, 17, 22, 23, 25, 26]
    assert ek.nn.max_pool1d(np.arange(6.0).reshape(1, 6, 1), 2, 2, "VALID").numpy().ravel().tolist() == [1, 3, 5]
    assert ek.nn.max_pool(P, 2, 2, "VALID").shape == [1, 2, 2, 1]
    assert ek.nn.avg_pool(np.arange(6.0).reshape(1, 6, 1), 2, 2, "VALID").numpy().ravel().tolist() == [0.5, 2.5, 4.5]
    ints = ek.nn.max_pool2d(ek.reshape(ek.range(16), [1, 4, 4, 1]), 2, 2, "VALID")
    assert ints.dtype == ek.int32 and ints.numpy().ravel().tolist() == [5, 7, 13, 15]


def test_pool_errors():
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"of int32 is not in the list.*\[Op:AvgPool\]"):
        ek.nn.avg_pool2d(ek.reshape(ek.range(16), [1, 4, 4, 1]), 2, 2, "VALID")
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"MaxPool: input must be rank 4.*\[4, 4, 1\]"):
        ek.nn.max_pool2d(ek.zeros([4, 4, 1]), 2, 2, "VALID")


# -- losses ------------------------------------------------------------------------------------------------
LOGITS = np.array([[1.0, 2.0, 0.5], [3.0, 1.0, -1.0]], np.float32)


def _log_softmax(z):
    z = np.asarray(z, np.float64)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def test_sparse_softmax_cross_entropy():
    labels = [1, 0]
    got = ek.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=LOGITS)
    want = -_log_softmax(LOGITS)[np.arange(2), labels]
    assert got.dtype == ek.float32
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)
    int64 = ek.nn.sparse_softmax_cross_entropy_with_logits(ek.constant(labels, ek.int64), LOGITS)
    np.testing.assert_allclose(int64.numpy(), want, rtol=1e-6)
    batched = ek.nn.sparse_softmax_cross_entropy_with_logits([[1, 0]], LOGITS[None])
    assert batched.shape == [1, 2]


def test_sparse_softmax_cross_entropy_errors():
    with pytest.raises(
        ek.errors.InvalidArgumentError, match=r"label value of 3 which is outside the valid range of \[0, 3\)"
    ):
        ek.nn.sparse_softmax_cross_entropy_with_logits([0, 3], LOGITS)
    with pytest.raises(ValueError, match="`labels.shape` must equal `logits.shape` except for the last"):
        ek.nn.sparse_softmax_cross_entropy_with_logits([0], LOGITS)


def test_softmax_cross_entropy():
    labels = np.array([[0.0, 1.0, 0.0], [0.5, 0.25, 0.25]], np.float32)
    want = -(labels * _log_softmax(LOGITS)).sum(-1)
    got = ek.nn.softmax_cross_entropy_with_logits(labels, LOGITS)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)
    # integer labels are cast to the logits' dtype, as TF does
    np.testing.assert_allclose(
        ek.nn.softmax_cross_entropy_with_logits([[0, 1]], [[1.0, 2.0]]).numpy(), [0.31326169], rtol=1e-6
    )
    got0 = ek.nn.softmax_cross_entropy_with_logits(labels.T, LOGITS.T, axis=0)
    np.testing.assert_allclose(got0.numpy(), want, rtol=1e-6)


def test_sigmoid_and_weighted_cross_entropy():
    z = np.array([0.0, 1.0, 0.5], np.float32)
    x = np.array([1.0, -2.0, 0.3], np.float32)
    sig = 1 / (1 + np.exp(-x.astype(np.float64)))
    want = -(z * np.log(sig) + (1 - z) * np.log(1 - sig))
    np.testing.assert_allclose(ek.nn.sigmoid_cross_entropy_with_logits(z, x).numpy(), want, rtol=1e-6)
    big = ek.nn.sigmoid_cross_entropy_with_logits([1.0], [-200.0])  # stable for large |logits|
    assert float(big[0]) == pytest.approx(200.0)
    np.testing.assert_allclose(
        ek.nn.weighted_cross_entropy_with_logits(z, x, 2.0).numpy(), [1.3132617, 4.253856, 0.98153293], rtol=1e-6
    )
    with pytest.raises(ValueError, match="must have the same shape"):
        ek.nn.sigmoid_cross_entropy_with_logits(labels=[0.0, 1.0], logits=[1.0, -2.0, 0.0])


def test_compute_average_loss():
    assert float(ek.nn.compute_average_loss([1.0, 2.0, 3.0])) == 2.0
    assert float(ek.nn.compute_average_loss([1.0, 2.0, 3.0], global_batch_size=6)) == 1.0
    weighted = ek.nn.compute_average_loss([1.0, 2.0, 3.0], sample_weight=[1.0, 0.0, 1.0])
    assert float(weighted) == pytest.approx(4.0 / 3.0)


# -- statistics and normalisation ------------------------------------------------------------------------
def test_moments():
    x = np.array([[1.0, 2.0], [3.0, 6.0]], np.float32)
    m, v = ek.nn.moments(ek.constant(x), axes=[0])
    np.testing.assert_allclose(m.numpy(), x.mean(0))
    np.testing.assert_allclose(v.numpy(), x.var(0))
    m, v = ek.nn.moments(ek.constant(x), axes=[0, 1])
    assert m.shape == [] and float(m) == 3.0 and float(v) == 3.5
    m, v = ek.nn.moments(ek.constant(x), axes=[1], keepdims=True)
    assert m.shape == [2, 1] and v.numpy().ravel().tolist() == [0.25, 2.25]
    mi, vi = ek.nn.moments(ek.constant([[1, 2], [3, 6]]), axes=[1])  # integer statistics truncate, as in TF
    assert mi.dtype == ek.int32 and mi.numpy().tolist() == [1, 4] and vi.numpy().tolist() == [0, 2]


def test_batch_normalization():
    x = ek.constant([[1.0, 2.0], [3.0, 6.0]])
    mean, var, offset, scale = (ek.constant(v) for v in ([2.0, 4.0], [1.0, 4.0], [0.5, 0.0], [2.0, 1.0]))
    got = ek.nn.batch_normalization(x, mean, var, offset, scale, 0.001)
    want = (x.numpy() - mean.numpy()) / np.sqrt(var.numpy() + 0.001) * scale.numpy() + offset.numpy()
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)
    np.testing.assert_allclose(got.numpy(), [[-1.4990008, -0.99987507], [2.499001, 0.99987507]], rtol=1e-6)
    plain = ek.nn.batch_normalization(x, mean, var, None, None, 0.0)
    np.testing.assert_allclose(plain.numpy(), [[-1.0, -1.0], [1.0, 1.0]])


def test_dropout_statistics():
    ek.random.set_seed(7)
    x = ek.ones([4000])
    y = ek.nn.dropout(x, 0.25).numpy()
    kept = y != 0
    assert 0.70 < kept.mean() < 0.80
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    assert abs(y.mean() - 1.0) < 0.06  # expectation preserved
    assert not np.array_equal(kept, ek.nn.dropout(x, 0.25).numpy() != 0)  # new mask each call
    ek.random.set_seed(7)
    np.testing.assert_array_equal(ek.nn.dropout(x, 0.25).numpy(), y)  # reproducible after set_seed


def test_dropout_noise_shape_and_errors():
    y = ek.nn.dropout(ek.ones([400, 3]), 0.5, noise_shape=[400, 1]).numpy()
    assert np.all((y == 0).all(axis=1) | (y == 2).all(axis=1))  # whole rows kept or dropped
    y2 = ek.nn.dropout(ek.ones([3, 400]), 0.5, noise_shape=[1, None]).numpy()
    assert np.all((y2 == y2[0]).all(axis=0))
    assert ek.nn.dropout([1.0, 2.0], 0.0).numpy().tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match=r"range \[0, 1\)"):
        ek.nn.dropout([1.0], 1.0)
    with pytest.raises(ValueError, match="must be a floating point tensor"):
        ek.nn.dropout([1, 2], 0.5)
    with pytest.raises(ek.errors.InvalidArgumentError, match="not broadcastable"):
        ek.nn.dropout(ek.ones([4, 3]), 0.5, noise_shape=[2, 3])


def test_top_k_in_top_k_embedding_lookup():
    values, indices = ek.nn.top_k([1.0, 5.0, 3.0, 4.0], 2)
    assert values.numpy().tolist() == [5.0, 4.0] and indices.numpy().tolist() == [1, 3]
    assert ek.math.top_k([[1, 5, 3], [4, 0, 9]], 1).indices.numpy().tolist() == [[1], [2]]
    assert ek.nn.in_top_k([0, 1], [[0.1, 0.9], [0.8, 0.2]], 1).numpy().tolist() == [False, False]
    assert ek.math.in_top_k([1, 0], [[0.1, 0.9], [0.8, 0.2]], 1).numpy().tolist() == [True, True]
    table = ek.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert ek.nn.embedding_lookup(table, [2, 0]).numpy().tolist() == [[5.0, 6.0], [1.0, 2.0]]
    # a list is a table split into contiguous shards, as in TF
    assert ek.nn.embedding_lookup([[1.0, 2.0], [3.0, 4.0]], [1, 0, 3]).numpy().tolist() == [2.0, 1.0, 4.0]
    clipped = ek.nn.embedding_lookup(ek.constant([[3.0, 4.0]]), [0], max_norm=1.0)
    np.testing.assert_allclose(clipped.numpy(), [[0.6, 0.8]], rtol=1e-6)


def test_pooling_is_differentiable_on_the_tape():
    x = ek.reshape(ek.range(16.0), [1, 4, 4, 1])
    with ek.GradientTape(persistent=True) as t:
        t.watch(x)
        m = ek.reduce_sum(ek.nn.max_pool2d(x, 2, 2, "VALID"))
        a = ek.reduce_sum(ek.nn.avg_pool2d(x, 2, 2, "VALID"))
    expected_max = np.zeros((4, 4), np.float32)
    expected_max[1::2, 1::2] = 1.0  # the max of each 2x2 window is its bottom-right element
    np.testing.assert_array_equal(t.gradient(m, x).numpy().reshape(4, 4), expected_max)
    np.testing.assert_allclose(t.gradient(a, x).numpy().reshape(4, 4), np.full((4, 4), 0.25))
