"""Constraints: projections by hand, lookup, configs, and how layers attach them to Variables."""

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.keras  # noqa: F401

con = ek.keras.constraints
W = ek.constant([[3.0, 0.0], [4.0, -0.5]])  # column norms 5 and 0.5


def test_projections():
    np.testing.assert_allclose(con.MaxNorm(1.0)(W).numpy(), [[0.6, 0.0], [0.8, -0.5]], rtol=1e-6)
    np.testing.assert_allclose(con.MaxNorm(1.0, axis=1)(W).numpy()[0], [1.0, 0.0], rtol=1e-6)
    np.testing.assert_array_equal(con.NonNeg()(W).numpy(), [[3.0, 0.0], [4.0, 0.0]])
    np.testing.assert_allclose(con.UnitNorm()(W).numpy(), [[0.6, 0.0], [0.8, -1.0]], rtol=1e-6)
    clipped = con.MinMaxNorm(min_value=1.0, max_value=2.0)(W).numpy()
    np.testing.assert_allclose(np.linalg.norm(clipped, axis=0), [2.0, 1.0], rtol=1e-5)
    half = con.MinMaxNorm(min_value=1.0, max_value=2.0, rate=0.5)(W).numpy()
    np.testing.assert_allclose(np.linalg.norm(half, axis=0), [3.5, 0.75], rtol=1e-5)


def test_lookup_configs_and_layer_use():
    assert isinstance(con.get("max_norm"), con.MaxNorm)
    assert isinstance(con.get("NonNeg"), con.NonNeg)
    assert con.serialize(con.MaxNorm(3, axis=[0, 1])) == {
        "class_name": "MaxNorm",
        "config": {"max_value": 3, "axis": [0, 1]},
    }
    restored = con.deserialize({"class_name": "UnitNorm", "config": {"axis": 1}})
    assert isinstance(restored, con.UnitNorm) and restored.axis == 1
    with pytest.raises(ValueError, match="Could not interpret constraint identifier: 'positive'"):
        con.get("positive")
    dense = ek.keras.layers.Dense(2, kernel_constraint="non_neg")
    dense(ek.ones([1, 2]))
    assert isinstance(dense.kernel.constraint, con.NonNeg)  # optimizers apply it after each update
    projected = dense.kernel.constraint(dense.kernel)
    assert float(ek.reduce_min(projected)) >= 0.0
