"""GradientTape.jacobian / batch_jacobian against closed forms."""

import numpy as np
import pytest

import eagerkit as ek


def test_jacobian_of_elementwise_square_is_diagonal():
    x = ek.constant([1.0, 2.0, 3.0])
    with ek.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    j = tape.jacobian(y, x)
    assert j.shape == (3, 3)
    np.testing.assert_allclose(j.numpy(), np.diag([2.0, 4.0, 6.0]))


def test_jacobian_of_matmul_with_respect_to_weights():
    w = ek.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    x = ek.constant([1.0, 2.0])
    with ek.GradientTape() as tape:
        y = ek.matmul(w, x[:, None])[:, 0]
    j = tape.jacobian(y, w)
    # dy_i / dW_kl = delta_ik x_l
    expected = np.einsum("ik,l->ikl", np.eye(3), np.array([1.0, 2.0]))
    assert j.shape == (3, 3, 2)
    np.testing.assert_allclose(j.numpy(), expected)


def test_jacobian_of_a_matrix_target_with_several_sources():
    a = ek.constant([[1.0, 2.0], [3.0, 4.0]])
    b = ek.constant([0.5, -1.0])
    with ek.GradientTape() as tape:
        tape.watch([a, b])
        y = a * b + ek.sin(a)
    ja, jb = tape.jacobian(y, [a, b])
    av, bv = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -1.0])
    exp_a = np.zeros((2, 2, 2, 2))
    exp_b = np.zeros((2, 2, 2))
    for i in range(2):
        for j in range(2):
            exp_a[i, j, i, j] = bv[j] + np.cos(av[i, j])
            exp_b[i, j, j] = av[i, j]
    np.testing.assert_allclose(ja.numpy(), exp_a, rtol=1e-6)
    np.testing.assert_allclose(jb.numpy(), exp_b, rtol=1e-6)


def test_jacobian_of_a_scalar_has_the_source_shape():
    x = ek.constant([[1.0, 2.0], [3.0, 4.0]])
    with ek.GradientTape() as tape:
        tape.watch(x)
        y = ek.reduce_sum(x**2)
    j = tape.jacobian(y, x)
    assert j.shape == (2, 2)
    np.testing.assert_allclose(j.numpy(), 2 * np.array([[1.0, 2.0], [3.0, 4.0]]))


def test_jacobian_unconnected_none_and_zero():
    x = ek.constant([1.0, 2.0])
    z = ek.constant([1.0, 2.0, 3.0])
    with ek.GradientTape(persistent=True) as tape:
        tape.watch([x, z])
        y = x * 2.0
    jx, jz = tape.jacobian(y, [x, z])
    np.testing.assert_allclose(jx.numpy(), 2 * np.eye(2))
    assert jz is None
    jx, jz = tape.jacobian(y, [x, z], unconnected_gradients=ek.UnconnectedGradients.ZERO)
    assert jz.shape == (2, 3)
    np.testing.assert_array_equal(jz.numpy(), np.zeros((2, 3)))


def test_jacobian_without_pfor_gives_the_same_result():
    x = ek.constant([0.5, 1.5])
    with ek.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = ek.stack([x[0] * x[1], ek.exp(x[0]), x[1] ** 3])
    a = tape.jacobian(y, x)
    b = tape.jacobian(y, x, experimental_use_pfor=False)
    expected = [[1.5, 0.5], [np.exp(0.5), 0.0], [0.0, 3 * 1.5**2]]
    np.testing.assert_allclose(a.numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(b.numpy(), expected, rtol=1e-6)


def test_jacobian_with_respect_to_an_intermediate():
    x = ek.constant([1.0, 2.0])
    with ek.GradientTape(persistent=True) as tape:
        tape.watch(x)
        h = x * 3.0
        y = h * h
    np.testing.assert_allclose(tape.jacobian(y, h).numpy(), np.diag([6.0, 12.0]))
    np.testing.assert_allclose(tape.jacobian(y, x).numpy(), np.diag([18.0, 36.0]))


def test_batch_jacobian_closed_form():
    xb = ek.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with ek.GradientTape() as tape:
        tape.watch(xb)
        yb = ek.stack([xb[:, 0] * xb[:, 1], xb[:, 0] ** 2, ek.sin(xb[:, 1])], axis=1)
    j = tape.batch_jacobian(yb, xb)
    assert j.shape == (3, 3, 2)
    xv = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    expected = np.stack(
        [
            np.stack([xv[:, 1], xv[:, 0]], -1),
            np.stack([2 * xv[:, 0], np.zeros(3)], -1),
            np.stack([np.zeros(3), np.cos(xv[:, 1])], -1),
        ],
        axis=1,
    )
    np.testing.assert_allclose(j.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_batch_jacobian_of_a_dense_layer():
    w = ek.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    x = ek.constant([[1.0, -1.0], [0.5, 2.0]])
    with ek.GradientTape() as tape:
        tape.watch(x)
        y = ek.tanh(x @ w)
    j = tape.batch_jacobian(y, x)
    s = 1 - np.tanh(np.array([[1.0, -1.0], [0.5, 2.0]]) @ np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])) ** 2
    expected = s[:, :, None] * np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).T[None]
    assert j.shape == (2, 3, 2)
    np.testing.assert_allclose(j.numpy(), expected, rtol=1e-4, atol=1e-6)  # float32 tanh near saturation


def test_batch_jacobian_unconnected_zero_shape():
    x = ek.constant([[1.0, 2.0], [3.0, 4.0]])
    z = ek.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with ek.GradientTape() as tape:
        tape.watch([x, z])
        y = x * 2.0
    j = tape.batch_jacobian(y, z, unconnected_gradients="zero")
    assert j.shape == (2, 2, 3)
    np.testing.assert_array_equal(j.numpy(), np.zeros((2, 2, 3)))


def test_batch_jacobian_bad_input():
    x = ek.constant([[1.0, 2.0], [3.0, 4.0]])
    with ek.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = ek.reduce_sum(x)
        y2 = ek.concat([x, x], axis=0)
    with pytest.raises(ValueError, match="batch dimension"):
        tape.batch_jacobian(y, x)
    with pytest.raises(ValueError, match="first dimensions of target and source to match"):
        tape.batch_jacobian(y2, x)
    with pytest.raises(TypeError, match="source must be an ek.Tensor"):
        tape.batch_jacobian(y2, [1.0, 2.0])


def test_jacobian_bad_target():
    x = ek.constant([1.0])
    with ek.GradientTape() as tape:
        tape.watch(x)
    with pytest.raises(TypeError, match="target must be an ek.Tensor"):
        tape.jacobian([1.0, 2.0], x)


def test_hessian_of_a_quadratic_form_with_nested_jacobians():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = ek.constant([1.0, -1.0])
    with ek.GradientTape() as t2:
        t2.watch(x)
        with ek.GradientTape() as t1:
            t1.watch(x)
            y = 0.5 * ek.reduce_sum(x * ek.linalg.matvec(ek.constant(a, dtype=ek.float32), x))
        g = t1.jacobian(y, x)
    h = t2.jacobian(g, x)
    np.testing.assert_allclose(g.numpy(), a @ np.array([1.0, -1.0]), rtol=1e-6)
    np.testing.assert_allclose(h.numpy(), a, rtol=1e-6)
