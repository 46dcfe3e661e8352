"""Gradients at ties and kinks, against the values TF 2.21 computes (recorded from tensorflow-cpu 2.21).

JAX's own rules split ties (``maximum(x, 0)`` gives 0.5 at 0); TF's gradient kernels pick a
side. eagerkit's ops follow TF.
"""

from __future__ import annotations

import numpy as np
import pytest

import eagerkit as ek

X = [-1.0, 0.0, 6.0, 7.0]


def grads(f, *xs):
    variables = [ek.Variable(x) for x in xs]
    with ek.GradientTape() as tape:
        y = f(*variables)
    return [g.numpy().tolist() for g in tape.gradient(y, variables)]


@pytest.mark.parametrize(
    "name,f,expected",
    [
        ("relu", ek.nn.relu, [0.0, 0.0, 1.0, 1.0]),
        ("relu6", ek.nn.relu6, [0.0, 0.0, 0.0, 0.0]),
        ("leaky_relu", lambda v: ek.nn.leaky_relu(v, 0.2), [0.2, 0.2, 1.0, 1.0]),
        ("elu", ek.nn.elu, [0.3678794503211975, 1.0, 1.0, 1.0]),
        ("selu", ek.nn.selu, [0.6467685699462891, 1.0507010221481323, 1.0507010221481323, 1.0507010221481323]),
        ("abs", ek.abs, [-1.0, 0.0, 1.0, 1.0]),
        ("sign", ek.sign, [0.0, 0.0, 0.0, 0.0]),
    ],
)
def test_activation_and_abs_gradients_at_ties(name, f, expected):
    np.testing.assert_allclose(grads(f, X)[0], expected, rtol=1e-6)


def test_clip_by_value_gradient_at_bounds():
    t, lo, hi = grads(lambda v, a, b: ek.clip_by_value(v, a, b), X, [0.0] * 4, [6.0] * 4)
    assert t == [0.0, 1.0, 1.0, 0.0]
    assert lo == [1.0, 0.0, 0.0, 0.0]
    assert hi == [0.0, 0.0, 0.0, 1.0]


def test_xlogy_gradient_at_zero():
    gx, gy = grads(ek.math.xlogy, [0.0, 0.0, 1.0], [0.0, 1.0, 0.0])
    assert gx == [0.0, 0.0, -np.inf]
    assert gy == [0.0, 0.0, np.inf]


def test_maximum_minimum_reduce_max_ties():
    assert grads(ek.maximum, [1.0, 2.0], [1.0, 1.0]) == [[1.0, 1.0], [0.0, 0.0]]
    assert grads(ek.minimum, [1.0, 2.0], [1.0, 1.0]) == [[1.0, 0.0], [0.0, 1.0]]
    assert grads(ek.reduce_max, [1.0, 3.0, 3.0]) == [[0.0, 0.5, 0.5]]


def test_complex_abs_gradient_is_finite_at_zero():
    z = ek.Variable(ek.constant([0.0 + 0.0j, 3.0 + 4.0j], dtype=ek.complex64))
    with ek.GradientTape() as tape:
        y = ek.reduce_sum(ek.abs(z))
    g = tape.gradient(y, z).numpy()
    assert g[0] == 0  # TF: 0 at 0 too
    # Away from 0 the value follows JAX's complex convention, the conjugate of TF's (0.6+0.8j):
    # see docs/migration.md.
    np.testing.assert_allclose(g[1], 0.6 - 0.8j, rtol=1e-6)
