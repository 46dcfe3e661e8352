"""Higher-order gradients: the backward pass of an inner tape is recorded by outer tapes."""

import numpy as np

import eagerkit as ek


def test_second_derivative_with_nested_tapes():
    x = ek.constant(3.0)
    with ek.GradientTape() as t2:
        t2.watch(x)
        with ek.GradientTape() as t1:
            t1.watch(x)
            y = x**3
        dy = t1.gradient(y, x)
    d2y = t2.gradient(dy, x)
    assert float(dy) == 27.0
    assert float(d2y) == 18.0


def test_third_derivative_of_sin_x_squared():
    x0 = 2.0
    x = ek.constant(x0)
    with ek.GradientTape() as t3:
        t3.watch(x)
        with ek.GradientTape() as t2:
            t2.watch(x)
            with ek.GradientTape() as t1:
                t1.watch(x)
                y = ek.sin(x) * x**2
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    s, c = np.sin(x0), np.cos(x0)
    np.testing.assert_allclose(float(d1), c * x0**2 + 2 * x0 * s, rtol=1e-5)
    np.testing.assert_allclose(float(d2), -s * x0**2 + 4 * x0 * c + 2 * s, rtol=1e-5)
    np.testing.assert_allclose(float(d3), -c * x0**2 - 6 * x0 * s + 6 * c, rtol=1e-5)


def test_second_derivative_of_a_variable():
    w = ek.Variable(3.0)
    with ek.GradientTape() as outer:
        with ek.GradientTape() as inner:
            y = w**4
        dy = inner.gradient(y, w)
    assert float(dy) == 108.0
    assert float(outer.gradient(dy, w)) == 108.0  # 12 w^2


def test_gradient_of_gradient_on_one_persistent_tape():
    x = ek.constant([1.0, 2.0])
    with ek.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = ek.reduce_sum(x**3)
        g = tape.gradient(y, x)  # recorded on the tape itself
        gg = ek.reduce_sum(g)
    np.testing.assert_allclose(g.numpy(), [3.0, 12.0])
    np.testing.assert_allclose(tape.gradient(gg, x).numpy(), [6.0, 12.0])


def test_hessian_as_jacobian_of_gradient():
    x = ek.constant([1.0, 2.0])
    with ek.GradientTape() as t2:
        t2.watch(x)
        with ek.GradientTape() as t1:
            t1.watch(x)
            y = ek.reduce_sum(x**3) + x[0] * x[1]
        g = t1.gradient(y, x)
    h = t2.jacobian(g, x)
    np.testing.assert_allclose(h.numpy(), [[6.0, 1.0], [1.0, 12.0]])


def test_gradient_penalty_mixes_orders():
    """WGAN-GP style: the loss contains a gradient w.r.t. the input; differentiate w.r.t. weights."""
    w = ek.Variable([[1.0, -2.0], [0.5, 3.0]], dtype=ek.float64)
    x = ek.constant([[1.0, 2.0]], dtype=ek.float64)
    with ek.GradientTape() as outer:
        with ek.GradientTape() as inner:
            inner.watch(x)
            out = ek.reduce_sum(ek.tanh(x @ w))
        gx = inner.gradient(out, x)
        penalty = ek.reduce_sum(gx * gx)
    gw = outer.gradient(penalty, w)

    # closed form: gx = (1 - tanh(xw)^2) w^T ; penalty = sum_i (sum_j s_j w_ij)^2 with s = sech^2(xw)
    xv, wv = np.array([[1.0, 2.0]]), np.array([[1.0, -2.0], [0.5, 3.0]])

    def penalty_np(wv):
        s = 1 - np.tanh(xv @ wv) ** 2
        return float(np.sum((s @ wv.T) ** 2))

    eps = 1e-6
    num = np.zeros_like(wv)
    for i in range(2):
        for j in range(2):
            d = np.zeros_like(wv)
            d[i, j] = eps
            num[i, j] = (penalty_np(wv + d) - penalty_np(wv - d)) / (2 * eps)
    np.testing.assert_allclose(gx.numpy(), (1 - np.tanh(xv @ wv) ** 2) @ wv.T, rtol=1e-10)
    np.testing.assert_allclose(gw.numpy(), num, rtol=1e-6, atol=1e-8)


def test_output_gradients_that_depend_on_watched_tensors():
    x = ek.constant(2.0)
    with ek.GradientTape() as outer:
        outer.watch(x)
        with ek.GradientTape() as inner:
            inner.watch(x)
            y = x * x
        g = inner.gradient(y, x, output_gradients=x)  # x * 2x = 2x^2
    assert float(g) == 8.0
    assert float(outer.gradient(g, x)) == 8.0  # 4x


def test_second_derivative_through_ek_function():
    @ek.function
    def f(a):
        return a * a * a

    x = ek.constant(2.0)
    with ek.GradientTape() as t2:
        t2.watch(x)
        with ek.GradientTape() as t1:
            t1.watch(x)
            y = f(x)
        d1 = t1.gradient(y, x)
    assert float(d1) == 12.0
    assert float(t2.gradient(d1, x)) == 12.0


def test_repeated_second_order_steps_stay_correct():
    w = ek.Variable(1.0)
    for step in range(3):
        with ek.GradientTape() as outer:
            with ek.GradientTape() as inner:
                y = w**3 + w
            d1 = inner.gradient(y, w)
        d2 = outer.gradient(d1, w)
        wv = 1.0 + 0.5 * step
        np.testing.assert_allclose(float(d1), 3 * wv**2 + 1, rtol=1e-6)
        np.testing.assert_allclose(float(d2), 6 * wv, rtol=1e-6)
        w.assign_add(0.5)
