"""Activation functions against NumPy formulas (Keras 3 definitions), lookup and serialization."""

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.keras  # noqa: F401

act = ek.keras.activations
X = np.array([-3.0, -1.0, -0.25, 0.0, 0.5, 2.0, 7.0], np.float32)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize(
    "name, expected",
    [
        ("linear", X),
        ("relu", np.maximum(X, 0)),
        ("relu6", np.clip(X, 0, 6)),
        ("sigmoid", sigmoid(X)),
        ("hard_sigmoid", np.clip(X + 3, 0, 6) / 6),
        ("hard_silu", X * np.clip(X + 3, 0, 6) / 6),
        ("tanh", np.tanh(X)),
        ("elu", np.where(X > 0, X, np.expm1(X))),
        ("selu", 1.0507009873554805 * np.where(X > 0, X, 1.6732632423543772 * np.expm1(X))),
        ("softplus", np.log1p(np.exp(X))),
        ("softsign", X / (1 + np.abs(X))),
        ("silu", X * sigmoid(X)),
        ("swish", X * sigmoid(X)),
        ("exponential", np.exp(X)),
        ("leaky_relu", np.where(X > 0, X, 0.2 * X)),
        ("mish", X * np.tanh(np.log1p(np.exp(X)))),
        ("softmax", np.exp(X) / np.exp(X).sum()),
        ("log_softmax", X - np.log(np.exp(X).sum())),
    ],
)
def test_activation_values(name, expected):
    fn = act.get(name)
    np.testing.assert_allclose(np.asarray(fn(ek.constant(X))), expected, rtol=2e-6, atol=2e-6)
    assert act.serialize(fn) == name or (name == "swish" and act.serialize(fn) == "silu")


def test_gelu_and_relu_options():
    from math import erf

    exact = np.array([0.5 * x * (1 + erf(x / np.sqrt(2))) for x in X])
    np.testing.assert_allclose(act.gelu(ek.constant(X)).numpy(), exact, rtol=1e-5, atol=1e-6)
    approx = 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X**3)))
    np.testing.assert_allclose(act.gelu(ek.constant(X), approximate=True).numpy(), approx, rtol=1e-5, atol=1e-6)
    out = act.relu(ek.constant(X), negative_slope=0.1, max_value=1.0, threshold=0.5)
    expected = np.where(X >= 0.5, np.minimum(X, 1.0), 0.1 * (X - 0.5))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(
        act.elu(ek.constant(X), alpha=2.0).numpy(), np.where(X > 0, X, 2 * np.expm1(X)), rtol=1e-6
    )
    np.testing.assert_allclose(
        act.softmax(ek.constant([[1.0], [2.0]]), axis=0).numpy(), [[0.268941], [0.731059]], rtol=1e-5
    )


def test_lookup_and_errors():
    assert act.get(None) is act.linear
    assert act.get(ek.nn.relu) is ek.nn.relu
    assert act.deserialize("tanh") is act.tanh
    with pytest.raises(
        ValueError, match=r"Could not interpret activation function identifier: 'relux'.*Did you mean 'relu'"
    ):
        act.get("relux")
    with pytest.raises(ValueError, match="Valid names are:.*sigmoid"):
        act.get("nope")
    with pytest.raises(ValueError, match="Could not interpret activation"):
        act.get(3)
    layer = act.deserialize({"class_name": "LeakyReLU", "config": {"negative_slope": 0.5}})
    np.testing.assert_allclose(layer(ek.constant([-2.0])).numpy(), [-1.0])


def test_activations_are_differentiable_on_the_tape():
    x = ek.constant(X)
    for name in ("relu", "gelu", "hard_sigmoid", "mish", "softmax"):
        with ek.GradientTape() as tape:
            tape.watch(x)
            y = ek.reduce_sum(act.get(name)(x) * ek.constant(np.arange(7.0, dtype=np.float32)))
        assert tape.gradient(y, x) is not None
