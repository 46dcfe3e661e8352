"""``ek.random``: reproducibility, distribution moments on a few thousand samples, Generator."""

import numpy as np
import pytest

import eagerkit as ek

N = [4000]


def test_set_seed_makes_every_op_reproducible():
    def draw():
        return [
            ek.random.normal(N).numpy(),
            ek.random.uniform(N).numpy(),
            ek.random.truncated_normal(N).numpy(),
            ek.random.uniform(N, 0, 10, dtype=ek.int32).numpy(),
            ek.random.categorical([[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]], 2000).numpy(),
            ek.random.shuffle(ek.reshape(ek.range(40), [20, 2])).numpy(),
        ]

    ek.random.set_seed(42)
    first = draw()
    ek.random.set_seed(42)
    second = draw()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    ek.random.set_seed(43)
    assert not np.array_equal(first[0], ek.random.normal(N).numpy())


def test_consecutive_draws_differ():
    a, b = ek.random.normal(N).numpy(), ek.random.normal(N).numpy()
    assert not np.array_equal(a, b)
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.1


def test_normal_moments_and_dtypes():
    x = ek.random.normal(N, mean=2.0, stddev=3.0)
    assert x.dtype == ek.float32 and x.shape == N
    v = x.numpy()
    assert abs(v.mean() - 2.0) < 0.15 and abs(v.std() - 3.0) < 0.15
    assert ek.random.normal(N, dtype=ek.float64).dtype == ek.float64
    with pytest.raises(ValueError, match="floating dtype"):
        ek.random.normal([2], dtype=ek.int32)


def test_uniform_float_and_int():
    u = ek.random.uniform(N, -1.0, 3.0).numpy()
    assert u.min() >= -1.0 and u.max() < 3.0
    assert abs(u.mean() - 1.0) < 0.1 and abs(u.std() - 4 / np.sqrt(12)) < 0.1
    ints = ek.random.uniform(N, 0, 10, dtype=ek.int32)
    assert ints.dtype == ek.int32
    counts = np.bincount(ints.numpy(), minlength=10)
    assert counts.min() > 300 and counts.max() < 500 and ints.numpy().max() == 9  # maxval is exclusive
    assert ek.random.uniform(ek.constant([4000])).shape == N  # a shape tensor works too
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype int32"):
        ek.random.uniform([2], dtype=ek.int32)
    with pytest.raises(ek.errors.InvalidArgumentError, match="Need minval < maxval"):
        ek.random.uniform([2], 5, 5, dtype=ek.int32)


def test_truncated_normal_stays_within_two_stddevs():
    t = ek.random.truncated_normal(N, mean=1.0, stddev=2.0).numpy()
    assert t.min() >= 1.0 - 4.0 and t.max() <= 1.0 + 4.0
    # the standard normal truncated to [-2, 2] has standard deviation 0.8796
    assert abs(t.std() - 2.0 * 0.8796) < 0.1 and abs(t.mean() - 1.0) < 0.1


def test_categorical():
    logits = np.log([[0.2, 0.3, 0.5], [1.0, 1e-9, 1e-9]])
    draws = ek.random.categorical(logits, 2000)
    assert draws.shape == [2, 2000] and draws.dtype == ek.int64
    freq = np.bincount(draws.numpy()[0], minlength=3) / 2000
    np.testing.assert_allclose(freq, [0.2, 0.3, 0.5], atol=0.04)
    assert np.all(draws.numpy()[1] == 0)
    assert ek.random.categorical(logits, 2000, dtype=ek.int32).dtype == ek.int32
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"logits should be a matrix, got shape \[2\]"):
        ek.random.categorical([0.0, 0.0], 5)


def test_shuffle_permutes_the_first_axis():
    x = ek.reshape(ek.range(40), [20, 2])
    s = ek.random.shuffle(x).numpy()
    assert sorted(s[:, 0].tolist()) == list(range(0, 40, 2))
    np.testing.assert_array_equal(s[:, 1], s[:, 0] + 1)  # rows move together
    assert not np.array_equal(s, x.numpy())


def test_generator():
    g1, g2 = ek.random.Generator.from_seed(1), ek.random.Generator.from_seed(1)
    np.testing.assert_array_equal(g1.normal(N).numpy(), g2.normal(N).numpy())
    assert not np.array_equal(g1.normal(N).numpy(), g1.normal(N).numpy())
    assert isinstance(g1.state, ek.Variable) and not g1.state.trainable
    ints = g1.uniform(N, 0, 10, dtype=ek.int32).numpy()
    assert ints.min() == 0 and ints.max() == 9
    with pytest.raises(ValueError, match="Must specify maxval"):
        g1.uniform([2], dtype=ek.int32)
    assert g1.truncated_normal(N).dtype == ek.float32
    full = g1.uniform_full_int(N, ek.int64).numpy()
    assert full.dtype == np.int64 and full.min() < -(2**60) and full.max() > 2**60
    g1.reset_from_seed(9)
    g3 = ek.random.Generator.from_seed(9)
    np.testing.assert_array_equal(g1.uniform(N).numpy(), g3.uniform(N).numpy())
    children = g3.split(2)
    assert len(children) == 2
    assert not np.array_equal(children[0].normal(N).numpy(), children[1].normal(N).numpy())
    copy = ek.random.Generator(copy_from=g3)
    np.testing.assert_array_equal(copy.normal(N).numpy(), g3.normal(N).numpy())


def test_global_generator_is_swappable():
    original = ek.random.get_global_generator()
    try:
        ek.random.set_global_generator(ek.random.Generator.from_seed(5))
        a = ek.random.normal(N).numpy()
        ek.random.set_global_generator(ek.random.Generator.from_seed(5))
        np.testing.assert_array_equal(a, ek.random.normal(N).numpy())
    finally:
        ek.random.set_global_generator(original)
