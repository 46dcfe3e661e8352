"""@ek.custom_gradient: the seed guide's examples, variables, nesting and ek.function."""

import numpy as np
import pytest

import eagerkit as tf  # the seed guide's spelling


@tf.custom_gradient
def clip_gradient_by_norm(x, norm):
    y = tf.identity(x)

    def grad_fn(dresult):
        return [tf.clip_by_norm(dresult, norm), None]

    return y, grad_fn


def naive_log1pexp(x):
    return tf.math.log(1 + tf.exp(x))


@tf.custom_gradient
def log1pexp(x):
    e = tf.exp(x)

    def grad(dy):
        return dy * (1 - 1 / (1 + e))

    return tf.math.log(1 + e), grad


def grad_of(f, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        value = f(x)
    return tape.gradient(value, x)


def test_seed_clip_gradient_by_norm():
    v = tf.constant([3.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch(v)
        y = clip_gradient_by_norm(v, 1.0) * 10.0
    g = tape.gradient(y, v)
    # upstream gradient [10, 10] clipped to norm 1 (TF gives [0.70710677, 0.70710677])
    np.testing.assert_allclose(g.numpy(), [0.70710677, 0.70710677], rtol=1e-6)
    np.testing.assert_array_equal(clip_gradient_by_norm(v, 1.0).numpy(), [3.0, 4.0])


def test_seed_log1pexp():
    assert grad_of(naive_log1pexp, tf.constant(0.0)).numpy() == 0.5
    assert np.isnan(grad_of(naive_log1pexp, tf.constant(100.0)).numpy())
    assert grad_of(log1pexp, tf.constant(0.0)).numpy() == 0.5
    assert grad_of(log1pexp, tf.constant(100.0)).numpy() == 1.0


def test_custom_gradient_without_a_tape_just_runs():
    np.testing.assert_allclose(log1pexp(tf.constant([0.0, 1.0])).numpy(), np.log1p(np.exp([0.0, 1.0])), rtol=1e-6)


def test_grad_fn_with_variables():
    w = tf.Variable(3.0)
    x = tf.constant(2.0)

    @tf.custom_gradient
    def scale(x):
        def grad(dy, variables=None):
            assert len(variables) == 1 and variables[0] is w
            return dy * w, [dy * x * 100.0]

        return x * w, grad

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = scale(x)
    gx, gw = tape.gradient(y, [x, w])
    assert float(y) == 6.0
    assert float(gx) == 3.0  # TF: 3.0
    assert float(gw) == 200.0  # TF: 200.0 (the custom variable gradient, not x)


def test_variables_need_a_variables_argument():
    w = tf.Variable(3.0)

    @tf.custom_gradient
    def scale(x):
        def grad(dy):
            return dy * w

        return x * w, grad

    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        with pytest.raises(TypeError, match="grad_fn must accept a keyword argument 'variables'"):
            scale(x)


def test_multiple_inputs_and_outputs():
    @tf.custom_gradient
    def two(x, y):
        def grad(da, db):
            return da * 10.0 + db, da + db * 100.0

        return (x * y, x + y), grad

    a, b = tf.constant(2.0), tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch([a, b])
        p, q = two(a, b)
        out = p + 2.0 * q
    ga, gb = tape.gradient(out, [a, b])
    assert (float(p), float(q)) == (6.0, 5.0)
    assert (float(ga), float(gb)) == (12.0, 201.0)  # TF


def test_wrong_number_of_gradients():
    @tf.custom_gradient
    def bad(x, y):
        def grad(dy):
            return dy

        return x * y, grad

    a, b = tf.constant(2.0), tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch([a, b])
        y = bad(a, b)
    with pytest.raises(ValueError, match="grad_fn returned 1 gradients but the function has 2 inputs"):
        tape.gradient(y, [a, b])


@tf.custom_gradient
def cube(x):
    def grad(dy):
        return dy * 3 * x * x

    return x * x * x, grad


def test_gradient_of_a_custom_gradient_under_nested_tapes():
    x = tf.constant(2.0)
    with tf.GradientTape() as t2:
        t2.watch(x)
        with tf.GradientTape() as t1:
            t1.watch(x)
            y = cube(x)
        g = t1.gradient(y, x)
    assert float(g) == 12.0
    assert float(t2.gradient(g, x)) == 12.0  # d(3x^2)/dx = 6x, as in TF


def test_second_order_uses_the_custom_gradient_function():
    @tf.custom_gradient
    def f2(x):
        def grad(dy):
            return dy * tf.cos(x)

        return tf.sin(x), grad

    x0 = 0.5
    x = tf.constant(x0)
    with tf.GradientTape() as t2:
        t2.watch(x)
        with tf.GradientTape() as t1:
            t1.watch(x)
            y = f2(x) * x
        d = t1.gradient(y, x)
    np.testing.assert_allclose(float(d), np.cos(x0) * x0 + np.sin(x0), rtol=1e-6)
    np.testing.assert_allclose(float(t2.gradient(d, x)), -np.sin(x0) * x0 + 2 * np.cos(x0), rtol=1e-6)


def test_custom_gradient_inside_ek_function():
    @tf.function
    def fc(a):
        return tf.reduce_sum(cube(a) * 2.0)

    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fc(x)
    assert float(y) == 18.0
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [6.0, 24.0])

    @tf.function
    def stable(a):
        return log1pexp(a)

    z = tf.constant([0.0, 100.0])
    with tf.GradientTape() as tape:
        tape.watch(z)
        y = stable(z)
    np.testing.assert_allclose(tape.gradient(y, z).numpy(), [0.5, 1.0])


def test_custom_gradient_in_a_training_loop_is_reused():
    w = tf.Variable([1.0, -1.0])
    for _step in range(3):
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(clip_gradient_by_norm(w * 5.0, 1.0))
        g = tape.gradient(y, w)
        # the custom grad clips upstream [1, 1] to norm 1, then the multiply by 5 scales it
        np.testing.assert_allclose(g.numpy(), [5 / np.sqrt(2), 5 / np.sqrt(2)], rtol=1e-6)
        w.assign_sub(0.1 * g)
