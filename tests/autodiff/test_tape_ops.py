"""Gradients through individual ops, compared with what TensorFlow 2.21 returns.

Each case is ``d sum(f(x)) / dx`` at ``x = [[1, 2, 3], [4, 5, 6]]``; the expected values were
produced by running the same ``f`` under ``tf.GradientTape`` (rounded to 5 decimals).
"""

import numpy as np
import pytest

import eagerkit as tf

X = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


def _ramp(shape):
    return tf.reshape(tf.range(int(np.prod(shape)), dtype=tf.float32), shape)


CASES = {
    "slice": lambda x: x[0, 1:] * x[1, :2],
    "slice_step": lambda x: tf.reduce_sum(x[:, ::2] ** 2),
    "newaxis": lambda x: tf.reduce_sum(x[:, None, 1] * 3.0),
    "gather": lambda x: tf.gather(x, [1, 1, 0]) * tf.constant([[1.0], [2.0], [3.0]]),
    "gather_axis1": lambda x: tf.gather(x, [2, 0, 2], axis=1),
    "gather_nd": lambda x: tf.gather_nd(x, [[0, 1], [1, 2], [0, 1]]),
    "where": lambda x: tf.where(x > 2.5, x * x, -x),
    "reduce_max_ties": lambda x: tf.reduce_max(tf.minimum(x, 2.0)),
    "reduce_max_axis": lambda x: tf.reduce_max(tf.concat([x, x[:, :1]], axis=1), axis=1),
    "reduce_min": lambda x: tf.reduce_min(tf.minimum(x, 2.0), axis=0),
    "maximum_tie": lambda x: tf.maximum(x, tf.constant([[1.0, 0.0, 3.0], [4.0, 9.0, 6.0]])),
    "minimum_tie": lambda x: tf.minimum(x, tf.constant([[1.0, 0.0, 3.0], [4.0, 9.0, 6.0]])),
    "cast64": lambda x: tf.cast(x, tf.float64) ** 2,
    "cast16": lambda x: tf.cast(tf.cast(x, tf.float16) * 2.0, tf.float32),
    "cast_int": lambda x: tf.cast(tf.cast(x, tf.int32), tf.float32),
    "concat": lambda x: tf.concat([x, 2 * x], axis=0) * _ramp([4, 3]),
    "stack": lambda x: tf.stack([x, x * x], axis=1)[:, 1, :],
    "reshape": lambda x: tf.reshape(x, [3, 2]) * tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
    "transpose": lambda x: tf.transpose(x) @ tf.constant([[1.0], [2.0]]),
    "reduce_mean_axis": lambda x: tf.reduce_mean(x, axis=1) * tf.constant([1.0, 2.0]),
    "reduce_prod": lambda x: tf.reduce_prod(x, axis=0),
    "logsumexp": lambda x: tf.reduce_logsumexp(x, axis=1),
    "softmax": lambda x: tf.nn.softmax(x)[:, 0],
    "log_softmax": lambda x: tf.nn.log_softmax(x)[:, 2],
    "norm": lambda x: tf.norm(x),
    "matmul": lambda x: tf.matmul(x, x, transpose_b=True),
    "tile": lambda x: tf.tile(x, [2, 1]) * _ramp([4, 3]),
    "split": lambda x: tf.split(x, 3, axis=1)[1] * 2.0,
    "unstack": lambda x: tf.unstack(x)[1] ** 2,
    "pad": lambda x: tf.pad(x, [[1, 0], [0, 1]]) * _ramp([3, 4]),
    "cumsum": lambda x: tf.cumsum(x, axis=1) * tf.constant([1.0, 2.0, 3.0]),
    "squeeze_expand": lambda x: tf.squeeze(tf.expand_dims(x, 0)) * 3.0,
    "sigmoid_ce": lambda x: tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(x), logits=x),
    "sparse_ce": lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([0, 2]), logits=x),
    "top_k": lambda x: tf.math.top_k(x, k=2).values * tf.constant([1.0, 10.0]),
    "sort": lambda x: tf.sort(-x, axis=1) * tf.constant([1.0, 10.0, 100.0]),
    "clip_norm": lambda x: tf.clip_by_norm(x, 1.0),
    "l2norm": lambda x: tf.math.l2_normalize(x, axis=1)[:, 0],
    "einsum": lambda x: tf.einsum("ij,ij->i", x, x),
    "moments": lambda x: tf.nn.moments(x, axes=[0])[1],
    "boolean_mask": lambda x: tf.boolean_mask(x, x > 2.5) ** 2,
    "broadcast": lambda x: x * tf.constant([1.0, 2.0, 3.0]) + tf.constant([[1.0], [2.0]]),
    "pow": lambda x: tf.pow(x, 3.0) + tf.pow(2.0, x),
    "div": lambda x: 1.0 / x + x / 2.0,
    "sqrt_log": lambda x: tf.sqrt(x) + tf.math.log(x),
    "sign": lambda x: tf.sign(x) * x,
}

TF_EXPECTED = {
    "slice": [[0.0, 4.0, 5.0], [2.0, 3.0, 0.0]],
    "slice_step": [[2.0, 0.0, 6.0], [8.0, 0.0, 12.0]],
    "newaxis": [[0.0, 3.0, 0.0], [0.0, 3.0, 0.0]],
    "gather": [[3.0, 3.0, 3.0], [3.0, 3.0, 3.0]],
    "gather_axis1": [[1.0, 0.0, 2.0], [1.0, 0.0, 2.0]],
    "gather_nd": [[0.0, 2.0, 0.0], [0.0, 0.0, 1.0]],
    "where": [[-1.0, -1.0, 6.0], [8.0, 10.0, 12.0]],
    # five entries tie at the maximum 2.0 (x[0,1] and the four clipped ones feed through minimum:
    # TF splits 1/5 to each tie of reduce_max, and minimum's tie at x == 2 goes to x)
    "reduce_max_ties": [[0.0, 0.2, 0.0], [0.0, 0.0, 0.0]],
    "reduce_max_axis": [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]],
    "reduce_min": [[1.0, 0.5, 0.0], [0.0, 0.0, 0.0]],
    "maximum_tie": [[1.0, 1.0, 1.0], [1.0, 0.0, 1.0]],
    "minimum_tie": [[1.0, 0.0, 1.0], [1.0, 1.0, 1.0]],
    "cast64": [[2.0, 4.0, 6.0], [8.0, 10.0, 12.0]],
    "cast16": [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]],
    "cast_int": None,
    "concat": [[12.0, 15.0, 18.0], [21.0, 24.0, 27.0]],
    "stack": [[2.0, 4.0, 6.0], [8.0, 10.0, 12.0]],
    "reshape": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
    "transpose": [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]],
    "reduce_mean_axis": [[0.33333, 0.33333, 0.33333], [0.66667, 0.66667, 0.66667]],
    "reduce_prod": [[4.0, 5.0, 6.0], [1.0, 2.0, 3.0]],
    "logsumexp": [[0.09003, 0.24473, 0.66524], [0.09003, 0.24473, 0.66524]],
    "softmax": [[0.08193, -0.02203, -0.05989], [0.08193, -0.02203, -0.05989]],
    "log_softmax": [[-0.09003, -0.24473, 0.33476], [-0.09003, -0.24473, 0.33476]],
    "norm": [[0.10483, 0.20966, 0.31449], [0.41931, 0.52414, 0.62897]],
    "matmul": [[10.0, 14.0, 18.0], [10.0, 14.0, 18.0]],
    "tile": [[6.0, 8.0, 10.0], [12.0, 14.0, 16.0]],
    "split": [[0.0, 2.0, 0.0], [0.0, 2.0, 0.0]],
    "unstack": [[0.0, 0.0, 0.0], [8.0, 10.0, 12.0]],
    "pad": [[4.0, 5.0, 6.0], [8.0, 9.0, 10.0]],
    "cumsum": [[6.0, 5.0, 3.0], [6.0, 5.0, 3.0]],
    "squeeze_expand": [[3.0, 3.0, 3.0], [3.0, 3.0, 3.0]],
    "sigmoid_ce": [[-0.26894, -0.1192, -0.04743], [-0.01799, -0.00669, -0.00247]],
    "sparse_ce": [[-0.90997, 0.24473, 0.66524], [0.09003, 0.24473, -0.33476]],
    "top_k": [[0.0, 10.0, 1.0], [0.0, 10.0, 1.0]],
    "sort": [[-100.0, -10.0, -1.0], [-100.0, -10.0, -1.0]],
    "clip_norm": [[0.08064, 0.05645, 0.03225], [0.00806, -0.01613, -0.04032]],
    "l2norm": [[0.24817, -0.03818, -0.05727], [0.09028, -0.0296, -0.03552]],
    "einsum": [[2.0, 4.0, 6.0], [8.0, 10.0, 12.0]],
    "moments": [[-1.5, -1.5, -1.5], [1.5, 1.5, 1.5]],
    "boolean_mask": [[0.0, 0.0, 6.0], [8.0, 10.0, 12.0]],
    "broadcast": [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]],
    "pow": [[4.38629, 14.77259, 32.54518], [59.09035, 97.18071, 152.36142]],
    "div": [[-0.5, 0.25, 0.38889], [0.4375, 0.46, 0.47222]],
    "sqrt_log": [[1.5, 0.85355, 0.62201], [0.5, 0.42361, 0.37079]],
    "sign": [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_matches_tensorflow(name):
    x = tf.constant(X)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = CASES[name](x)
    g = tape.gradient(y, x)
    expected = TF_EXPECTED[name]
    if expected is None:
        assert g is None
    else:
        assert g.shape == (2, 3) and g.dtype == tf.float32
        np.testing.assert_allclose(g.numpy(), expected, rtol=1e-4, atol=1e-5)


def test_max_min_tie_rules_match_tensorflow():
    a, b = tf.constant(1.0), tf.constant(1.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([a, b])
        hi = tf.maximum(a, b)
        lo = tf.minimum(a, b)
        m = tf.reduce_max(tf.stack([a, b, a * 0.5]))
    assert [float(g) for g in tape.gradient(hi, [a, b])] == [1.0, 0.0]  # TF: ties go to x
    assert [float(g) for g in tape.gradient(lo, [a, b])] == [1.0, 0.0]
    assert [float(g) for g in tape.gradient(m, [a, b])] == [0.5, 0.5]  # reduce_max splits ties evenly
    xs = tf.constant([1.0, 2.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(xs)
        y = tf.reduce_max(xs)
    np.testing.assert_array_equal(tape.gradient(y, xs).numpy(), [0.0, 0.5, 0.5])


@pytest.mark.parametrize(
    "f",
    [
        tf.stop_gradient,
        tf.floor,
        tf.math.ceil,
        tf.round,
        tf.math.rint,
        lambda x: tf.math.floordiv(x, 1.0),
        tf.zeros_like,
        tf.ones_like,
        lambda x: tf.cast(tf.argmax(x), tf.float32),
        lambda x: tf.cast(tf.equal(x, x), tf.float32),
    ],
    ids=["stop_gradient", "floor", "ceil", "round", "rint", "floordiv", "zeros_like", "ones_like", "argmax", "equal"],
)
def test_ops_tensorflow_does_not_differentiate_give_none(f):
    x = tf.constant([1.3, -2.6])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    assert tape.gradient(y, x) is None


def test_tensorflow_nan_and_zero_conventions():
    x = tf.constant([1.3, -2.6])

    def grad(f):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        return tape.gradient(y, x).numpy()

    np.testing.assert_allclose(grad(lambda x: tf.math.floormod(x, 1.0)), [1.0, 1.0])
    np.testing.assert_allclose(grad(lambda x: tf.stop_gradient(x) * x), [1.3, -2.6], rtol=1e-6)
    np.testing.assert_array_equal(grad(tf.sign), [0.0, 0.0])
    # where() differentiates both branches: the unselected sqrt of a negative number poisons it
    g = grad(lambda x: tf.where(x > 0, x * x, tf.sqrt(x)))
    assert g[0] == pytest.approx(2.6) and np.isnan(g[1])
    assert np.isnan(grad(lambda x: tf.sqrt(x * 0))).all()
    np.testing.assert_array_equal(grad(lambda x: tf.math.divide_no_nan(x, x * 0)), [0.0, 0.0])
    np.testing.assert_allclose(grad(tf.reduce_prod), [-2.6, 1.3], rtol=1e-6)


def test_variable_read_through_ops_and_operators():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v @ v) + tf.reduce_sum(v[0] * 2.0) - tf.reduce_mean(-v)
    # d sum(V V) / dV = 1 V^T + V^T 1 ; plus 2 on row 0 ; plus 1/4 everywhere
    vv = np.array([[1.0, 2.0], [3.0, 4.0]])
    ones = np.ones((2, 2))
    expected = ones @ vv.T + vv.T @ ones + np.array([[2.0, 2.0], [0.0, 0.0]]) + 0.25
    np.testing.assert_allclose(tape.gradient(y, v).numpy(), expected)


def test_float64_and_float16_gradients_keep_their_dtype():
    for dtype in (tf.float64, tf.float16):
        x = tf.constant([1.0, 2.0], dtype=dtype)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(x * x * x)
        g = tape.gradient(y, x)
        assert g.dtype == dtype
        np.testing.assert_allclose(g.numpy().astype(np.float64), [3.0, 12.0])


def test_conv2d_gradient_closed_form():
    x = tf.reshape(tf.range(16, dtype=tf.float32), [1, 4, 4, 1])
    k = tf.Variable(tf.ones([2, 2, 1, 1]))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.nn.conv2d(x, k, strides=1, padding="VALID"))
    # each kernel tap sums the 3x3 block of x it slides over
    xs = np.arange(16.0).reshape(4, 4)
    expected = np.array([[xs[i : i + 3, j : j + 3].sum() for j in range(2)] for i in range(2)]).reshape(2, 2, 1, 1)
    np.testing.assert_allclose(tape.gradient(y, k).numpy(), expected)
