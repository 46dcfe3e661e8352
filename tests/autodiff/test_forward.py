"""ek.autodiff.ForwardAccumulator: JVPs on jax.jvp, and its composition with GradientTape."""

import numpy as np
import pytest

import eagerkit as ek


def test_jvp_of_a_scalar_function():
    x = ek.constant([1.0, 2.0])
    with ek.autodiff.ForwardAccumulator(x, ek.constant([1.0, 0.5])) as acc:
        y = ek.reduce_sum(x**3)
    assert float(acc.jvp(y)) == 3.0 * 1.0 + 12.0 * 0.5


def test_jvp_of_the_primal_is_its_tangent():
    x = ek.constant([1.0, 2.0])
    with ek.autodiff.ForwardAccumulator(x, ek.constant([1.0, 0.5])) as acc:
        pass
    np.testing.assert_array_equal(acc.jvp(x).numpy(), [1.0, 0.5])


def test_jvp_of_a_vector_function_with_two_primals():
    a = ek.constant([1.0, 2.0])
    b = ek.constant(3.0)
    with ek.autodiff.ForwardAccumulator([a, b], [ek.constant([1.0, -1.0]), ek.constant(2.0)]) as acc:
        y = ek.sin(a) * b
    av = np.array([1.0, 2.0])
    expected = np.cos(av) * np.array([1.0, -1.0]) * 3.0 + np.sin(av) * 2.0
    np.testing.assert_allclose(acc.jvp(y).numpy(), expected, rtol=1e-6)


def test_jvp_with_a_variable_primal():
    v = ek.Variable([1.0, 2.0])
    with ek.autodiff.ForwardAccumulator(v, ek.constant([0.5, 1.0])) as acc:
        y = ek.reduce_sum(v * v)
    assert float(acc.jvp(y)) == 5.0  # TF


def test_jvp_of_a_nest_and_unconnected():
    x = ek.constant([1.0, 2.0])
    with ek.autodiff.ForwardAccumulator(x, ek.constant([1.0, 0.5])) as acc:
        y = x * 2.0
        z = ek.constant(3.0) * 2.0
    jy, jz = acc.jvp([y, z])
    np.testing.assert_array_equal(jy.numpy(), [2.0, 1.0])
    assert jz is None
    assert float(acc.jvp(z, unconnected_gradients=ek.UnconnectedGradients.ZERO)) == 0.0
    d = acc.jvp({"y": y})
    np.testing.assert_array_equal(d["y"].numpy(), [2.0, 1.0])


def test_forward_over_reverse_hessian_vector_product():
    x = ek.constant([1.0, 2.0])
    vec = ek.constant([1.0, 0.5])
    with ek.autodiff.ForwardAccumulator(x, vec) as acc:
        with ek.GradientTape() as tape:
            tape.watch(x)
            y = ek.reduce_sum(x**3) + x[0] * x[1]
        g = tape.gradient(y, x)
    # H = [[6 x0, 1], [1, 6 x1]] = [[6, 1], [1, 12]]; H v = [6.5, 7]
    np.testing.assert_allclose(acc.jvp(g).numpy(), [6.5, 7.0])


def test_reverse_over_forward():
    x = ek.constant([1.0, 2.0])
    with ek.GradientTape() as tape:
        tape.watch(x)
        with ek.autodiff.ForwardAccumulator(x, ek.constant([1.0, 0.5])) as acc:
            y = ek.reduce_sum(x**3)
        j = acc.jvp(y)
    assert float(j) == 9.0
    # d/dx (3 x0^2 * 1 + 3 x1^2 * 0.5) = [6 x0, 3 x1]
    np.testing.assert_allclose(tape.gradient(j, x).numpy(), [6.0, 6.0])


def test_forward_over_forward_second_derivative():
    x = ek.constant(2.0)
    with ek.autodiff.ForwardAccumulator(x, ek.constant(1.0)) as outer:
        with ek.autodiff.ForwardAccumulator(x, ek.constant(1.0)) as inner:
            y = x**3
        d1 = inner.jvp(y)
    assert float(d1) == 12.0
    assert float(outer.jvp(d1)) == 12.0


def test_forward_mode_through_a_custom_gradient_differentiates_the_function():
    @ek.custom_gradient
    def log1pexp(x):
        e = ek.exp(x)

        def grad(dy):
            return dy * (1 - 1 / (1 + e))

        return ek.math.log(1 + e), grad

    x = ek.constant([0.0, 100.0])
    with ek.autodiff.ForwardAccumulator(x, ek.constant([1.0, 2.0])) as acc:
        y = log1pexp(x)
    j = acc.jvp(y).numpy()
    assert j[0] == 0.5 and np.isnan(j[1])  # TF: [0.5, nan] (forward mode ignores grad_fn)


def test_hvp_through_a_custom_gradient():
    @ek.custom_gradient
    def cube(x):
        def grad(dy):
            return dy * 3 * x * x

        return x * x * x, grad

    x = ek.constant([1.0, 2.0])
    with ek.autodiff.ForwardAccumulator(x, ek.constant([1.0, 0.5])) as acc:
        with ek.GradientTape() as tape:
            tape.watch(x)
            y = ek.reduce_sum(cube(x))
        g = tape.gradient(y, x)
    np.testing.assert_allclose(acc.jvp(g).numpy(), [6.0, 6.0])  # TF


def test_bad_input():
    x = ek.constant([1.0, 2.0])
    with pytest.raises(ValueError, match="tangent shape"):
        ek.autodiff.ForwardAccumulator(x, ek.constant([1.0]))
    with pytest.raises(ValueError, match="got 2 primals but 1 tangents"):
        ek.autodiff.ForwardAccumulator([x, x], [ek.constant([1.0, 0.0])])
    with pytest.raises(TypeError, match="primals must be Tensors or Variables"):
        ek.autodiff.ForwardAccumulator([1.0, 2.0], [1.0, 0.0])
    with ek.autodiff.ForwardAccumulator(x, ek.constant([1.0, 0.0])) as acc:
        pass
    with pytest.raises(TypeError, match="target must be an ek.Tensor"):
        acc.jvp("y")


def test_gradient_tape_alias():
    assert ek.autodiff.GradientTape is ek.GradientTape
