"""Initializers: TF defaults, distributions (moments and bounds), seeding, lookup and configs."""

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.keras  # noqa: F401

init = ek.keras.initializers
SHAPE = (64, 64)  # fan_in = fan_out = 64; one shape keeps the compiled programs few


def test_layer_defaults_are_tf_defaults():
    dense = ek.keras.layers.Dense(64)
    dense(ek.ones([1, 64]))
    limit = np.sqrt(6 / 128)
    k = dense.kernel.numpy()
    assert k.min() >= -limit and k.max() <= limit and k.std() > 0.5 * limit / np.sqrt(3)
    np.testing.assert_array_equal(dense.bias.numpy(), np.zeros(64))
    assert type(dense.kernel_initializer).__name__ == "GlorotUniform"


@pytest.mark.parametrize(
    "initializer, mean, std, bound",
    [
        (init.RandomNormal(), 0.0, 0.05, None),
        (init.RandomNormal(mean=1.0, stddev=2.0), 1.0, 2.0, None),
        (init.RandomUniform(), 0.0, 0.1 / np.sqrt(12), 0.05),
        (init.TruncatedNormal(), 0.0, 0.05 * 0.87962566, 0.1),
        (init.GlorotUniform(), 0.0, np.sqrt(1 / 64), np.sqrt(6 / 128)),
        (init.GlorotNormal(), 0.0, np.sqrt(1 / 64), 2 * np.sqrt(1 / 64) / 0.87962566),
        (init.HeNormal(), 0.0, np.sqrt(2 / 64), 2 * np.sqrt(2 / 64) / 0.87962566),
        (init.HeUniform(), 0.0, np.sqrt(2 / 64), np.sqrt(6 / 64)),
        (init.LecunNormal(), 0.0, np.sqrt(1 / 64), 2 * np.sqrt(1 / 64) / 0.87962566),
        (init.LecunUniform(), 0.0, np.sqrt(1 / 64), np.sqrt(3 / 64)),
        (init.VarianceScaling(4.0, "fan_out", "untruncated_normal"), 0.0, np.sqrt(4 / 64), None),
    ],
)
def test_random_distributions(initializer, mean, std, bound):
    values = initializer(SHAPE).numpy()
    assert values.shape == SHAPE and values.dtype == np.float32
    assert abs(values.mean() - mean) < 4 * std / 64
    assert abs(values.std() - std) < 0.05 * std
    if bound is not None:
        assert np.abs(values - mean).max() <= bound * (1 + 1e-6)


def test_seeding():
    ek.random.set_seed(5)
    a = init.GlorotUniform()(SHAPE).numpy()
    b = init.GlorotUniform()(SHAPE).numpy()
    ek.random.set_seed(5)
    np.testing.assert_array_equal(init.GlorotUniform()(SHAPE).numpy(), a)  # set_seed makes models reproducible
    assert not np.array_equal(a, b)
    seeded = init.HeNormal(seed=3)
    first = seeded(SHAPE).numpy()
    ek.random.set_seed(99)
    np.testing.assert_array_equal(seeded(SHAPE).numpy(), first)  # explicit seeds: same values every call
    assert not np.array_equal(init.HeNormal(seed=4)(SHAPE).numpy(), first)
    ek.random.set_seed(1)
    m1 = ek.keras.Sequential([ek.keras.layers.Dense(3, input_shape=(2,))])
    ek.random.set_seed(1)
    m2 = ek.keras.Sequential([ek.keras.layers.Dense(3, input_shape=(2,))])
    np.testing.assert_array_equal(m1.get_weights()[0], m2.get_weights()[0])


def test_deterministic_initializers():
    np.testing.assert_array_equal(init.Zeros()((2, 2)).numpy(), np.zeros((2, 2)))
    np.testing.assert_array_equal(init.Ones()((3,), dtype="float64").numpy(), np.ones(3))
    assert init.Ones()((3,), dtype="float64").dtype == ek.float64
    np.testing.assert_array_equal(init.Constant(2.5)((2,)).numpy(), [2.5, 2.5])
    np.testing.assert_array_equal(init.Constant([1.0, 2.0])((2, 2)).numpy(), [[1, 2], [1, 2]])
    np.testing.assert_array_equal(init.Identity(gain=2.0)((2, 3)).numpy(), [[2, 0, 0], [0, 2, 0]])
    with pytest.raises(ValueError, match="2D matrices"):
        init.Identity()((2, 2, 2))


def test_orthogonal():
    q = init.Orthogonal(seed=0)((4, 4)).numpy()
    np.testing.assert_allclose(q @ q.T, np.eye(4), atol=1e-5)
    wide = init.Orthogonal(gain=2.0, seed=1)((3, 5)).numpy()
    np.testing.assert_allclose(wide @ wide.T, 4.0 * np.eye(3), atol=1e-4)
    conv = init.Orthogonal(seed=2)((2, 2, 2, 3)).numpy().reshape(8, 3)
    np.testing.assert_allclose(conv.T @ conv, np.eye(3), atol=1e-5)
    with pytest.raises(ValueError, match="at least two-dimensional"):
        init.Orthogonal()((3,))


def test_lookup_serialization_and_errors():
    assert isinstance(init.get("he_normal"), init.HeNormal)
    assert isinstance(init.get("HeNormal"), init.HeNormal)
    assert isinstance(init.get("uniform"), init.RandomUniform)
    assert isinstance(init.get(init.Zeros), init.Zeros)
    custom = lambda shape, dtype=None: ek.ones(shape)  # noqa: E731
    assert init.get(custom) is custom
    assert init.get(None) is None
    config = init.serialize(init.VarianceScaling(2.0, "fan_avg", "uniform", seed=3))
    assert config == {
        "class_name": "VarianceScaling",
        "config": {"scale": 2.0, "mode": "fan_avg", "distribution": "uniform", "seed": 3},
    }
    restored = init.deserialize(config)
    np.testing.assert_array_equal(restored((2, 2)).numpy(), init.deserialize(config)((2, 2)).numpy())
    with pytest.raises(
        ValueError, match=r"Could not interpret initializer identifier: 'glorot'.*Valid names are:.*he_normal"
    ):
        init.get("glorot")
    with pytest.raises(ValueError, match="Invalid `mode`"):
        init.VarianceScaling(mode="fan")
    with pytest.raises(ValueError, match="fully known shape"):
        init.Zeros()((None, 2))
    dense = ek.keras.layers.Dense(2, kernel_initializer={"class_name": "Constant", "config": {"value": 0.5}})
    np.testing.assert_array_equal(dense(ek.ones([1, 2])).numpy(), [[1.0, 1.0]])
