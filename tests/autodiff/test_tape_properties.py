"""Property tests: tape gradients equal ``jax.grad`` of the same computation in jax.numpy.

For random small shapes and values, ``d sum(f(x, y) * w) / d(x, y)`` from ``ek.GradientTape``
must match ``jax.grad`` of the jax.numpy formulation (float64, so tolerances stay tight).
"""

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import eagerkit as ek

SETTINGS = settings(max_examples=10, deadline=None)

dims = st.integers(1, 3)
shapes = st.lists(dims, min_size=0, max_size=3).map(tuple)
seeds = st.integers(0, 2**31 - 1)


def _data(seed, *shapes, low=-2.0, high=2.0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, size=s) for s in shapes]


def _check(ek_fn, jnp_fn, inputs, seed):
    """Compares the tape gradient of sum(f * w) with jax.grad for every input."""
    xs = [ek.constant(a, dtype=ek.float64) for a in inputs]
    with ek.GradientTape() as tape:
        tape.watch(xs)
        out = ek_fn(*xs)
    w = np.random.default_rng(seed + 1).uniform(-1, 1, size=tuple(out.shape))
    with tape:
        loss = ek.reduce_sum(out * ek.constant(w, dtype=ek.float64))
    got = tape.gradient(loss, xs)
    # one jitted reference (eager jax would compile every primitive separately)
    value_and_grad = jax.jit(jax.value_and_grad(lambda *a: jnp.sum(jnp_fn(*a) * w), argnums=tuple(range(len(inputs)))))
    value, want = value_and_grad(*[jnp.asarray(a) for a in inputs])
    np.testing.assert_allclose(float(loss), float(value), rtol=1e-10)
    for g, e in zip(got, want):
        assert g.shape == e.shape and g.dtype == ek.float64
        np.testing.assert_allclose(g.numpy(), np.asarray(e), rtol=1e-9, atol=1e-12)


UNARY = {
    "tanh": (ek.tanh, jnp.tanh, (-2, 2)),
    "sin": (ek.sin, jnp.sin, (-2, 2)),
    "exp": (ek.exp, jnp.exp, (-2, 2)),
    "sigmoid": (ek.sigmoid, jax.nn.sigmoid, (-2, 2)),
    "square": (ek.square, jnp.square, (-2, 2)),
    "softplus": (ek.nn.softplus, jax.nn.softplus, (-2, 2)),
    "log": (ek.math.log, jnp.log, (0.2, 3)),
    "sqrt": (ek.sqrt, jnp.sqrt, (0.2, 3)),
}

BINARY = {
    "add": (ek.add, jnp.add, (-2, 2)),
    "subtract": (ek.subtract, jnp.subtract, (-2, 2)),
    "multiply": (ek.multiply, jnp.multiply, (-2, 2)),
    "divide": (ek.divide, jnp.divide, (0.5, 2)),
    "maximum": (ek.maximum, jnp.maximum, (-2, 2)),
    "pow": (ek.pow, jnp.power, (0.5, 2)),
}


@SETTINGS
@given(name=st.sampled_from(sorted(UNARY)), shape=shapes, seed=seeds)
def test_unary(name, shape, seed):
    ek_fn, jnp_fn, (lo, hi) = UNARY[name]
    _check(ek_fn, jnp_fn, _data(seed, shape, low=lo, high=hi), seed)


def _broadcastable(shape, draw_mask):
    # drop leading dims and set some dims to 1 so the second operand broadcasts against the first
    k = draw_mask[0] % (len(shape) + 1)
    sub = list(shape[k:])
    return tuple(1 if (m % 2 and i < len(sub)) else d for i, (d, m) in enumerate(zip(sub, draw_mask[1:] + [0] * 3)))


@SETTINGS
@given(
    name=st.sampled_from(sorted(BINARY)),
    shape=shapes,
    mask=st.lists(st.integers(0, 7), min_size=4, max_size=4),
    swap=st.booleans(),
    seed=seeds,
)
def test_binary_with_broadcasting(name, shape, mask, swap, seed):
    ek_fn, jnp_fn, (lo, hi) = BINARY[name]
    other = _broadcastable(shape, mask)
    a_shape, b_shape = (other, shape) if swap else (shape, other)
    _check(ek_fn, jnp_fn, _data(seed, a_shape, b_shape, low=lo, high=hi), seed)


@SETTINGS
@given(m=dims, k=dims, n=dims, batch=st.sampled_from([(), (2,)]), seed=seeds)
def test_matmul(m, k, n, batch, seed):
    _check(ek.matmul, jnp.matmul, _data(seed, batch + (m, k), batch + (k, n)), seed)


REDUCTIONS = {
    "sum": (ek.reduce_sum, jnp.sum),
    "mean": (ek.reduce_mean, jnp.mean),
    "max": (ek.reduce_max, jnp.max),
    "min": (ek.reduce_min, jnp.min),
    "logsumexp": (ek.reduce_logsumexp, jax.scipy.special.logsumexp),
    "prod": (ek.reduce_prod, jnp.prod),
}


@SETTINGS
@given(
    name=st.sampled_from(sorted(REDUCTIONS)),
    shape=st.lists(dims, min_size=1, max_size=3).map(tuple),
    axis_pick=st.integers(0, 10),
    keepdims=st.booleans(),
    seed=seeds,
)
def test_reductions_with_axes(name, shape, axis_pick, keepdims, seed):
    ek_fn, jnp_fn = REDUCTIONS[name]
    options = [None] + list(range(len(shape))) + [-1]
    axis = options[axis_pick % len(options)]
    # random floats have no ties, so max/min agree with jax's rule too
    _check(
        lambda x: ek_fn(x, axis=axis, keepdims=keepdims),
        lambda x: jnp_fn(x, axis=axis, keepdims=keepdims),
        _data(seed, shape),
        seed,
    )


@SETTINGS
@given(shape=st.lists(dims, min_size=1, max_size=3).map(tuple), log=st.booleans(), seed=seeds)
def test_softmax_and_log_softmax(shape, log, seed):
    if log:
        _check(ek.nn.log_softmax, lambda x: jax.nn.log_softmax(x, axis=-1), _data(seed, shape), seed)
    else:
        _check(ek.nn.softmax, lambda x: jax.nn.softmax(x, axis=-1), _data(seed, shape), seed)


@SETTINGS
@given(
    h=st.integers(2, 4),
    w=st.integers(2, 4),
    cin=st.integers(1, 2),
    cout=st.integers(1, 2),
    padding=st.sampled_from(["VALID", "SAME"]),
    seed=seeds,
)
def test_conv2d(h, w, cin, cout, padding, seed):
    def ref(x, k):
        return jax.lax.conv_general_dilated(x, k, (1, 1), padding, dimension_numbers=("NHWC", "HWIO", "NHWC"))

    _check(
        lambda x, k: ek.nn.conv2d(x, k, strides=1, padding=padding),
        ref,
        _data(seed, (1, h, w, cin), (2, 2, cin, cout)),
        seed,
    )


@SETTINGS
@given(shape=st.lists(dims, min_size=1, max_size=3).map(tuple), perm_seed=seeds, seed=seeds)
def test_concat_reshape_transpose(shape, perm_seed, seed):
    perm = tuple(np.random.default_rng(perm_seed).permutation(len(shape)).tolist())
    axis = perm[0]

    def f_ek(a, b):
        c = ek.concat([a, b * 2.0], axis=axis)
        return ek.reshape(ek.transpose(c, perm), [-1]) * ek.reshape(c, [-1])

    def f_jnp(a, b):
        c = jnp.concatenate([a, b * 2.0], axis=axis)
        return jnp.reshape(jnp.transpose(c, perm), (-1,)) * jnp.reshape(c, (-1,))

    _check(f_ek, f_jnp, _data(seed, shape, shape), seed)


@SETTINGS
@given(
    shape=st.lists(dims, min_size=1, max_size=3).map(tuple),
    n=st.integers(1, 5),
    axis_pick=st.integers(0, 5),
    seed=seeds,
)
def test_gather(shape, n, axis_pick, seed):
    axis = axis_pick % len(shape)
    idx = np.random.default_rng(seed + 2).integers(0, shape[axis], size=n)

    def f_ek(x):
        return ek.gather(x, ek.constant(idx, dtype=ek.int32), axis=axis) ** 2

    def f_jnp(x):
        return jnp.take(x, jnp.asarray(idx), axis=axis) ** 2

    _check(f_ek, f_jnp, _data(seed, shape), seed)


@settings(max_examples=6, deadline=None)
@given(shape=st.lists(dims, min_size=1, max_size=2).map(tuple), seed=seeds)
def test_composite_with_variables_and_jacobian(shape, seed):
    """A small composite through a Variable; also the jacobian against jax.jacrev."""
    (a,) = _data(seed, shape)
    v = ek.Variable(a, dtype=ek.float64)
    with ek.GradientTape(persistent=True) as tape:
        y = ek.tanh(v) * ek.reduce_sum(v**2) + ek.nn.softmax(v)

    def f(x):
        return jnp.tanh(x) * jnp.sum(x**2) + jax.nn.softmax(x, axis=-1)

    grad, jac = jax.jit(lambda x: (jax.grad(lambda x: jnp.sum(f(x)))(x), jax.jacrev(f)(x)))(jnp.asarray(a))
    np.testing.assert_allclose(tape.gradient(y, v).numpy(), np.asarray(grad), rtol=1e-9)
    np.testing.assert_allclose(tape.jacobian(y, v).numpy(), np.asarray(jac), rtol=1e-9)
