"""Regularizers: penalties by hand, lookup, configs, and their use through layers."""

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.keras  # noqa: F401

reg = ek.keras.regularizers
W = ek.constant([[1.0, -2.0], [0.5, 3.0]])


def test_penalties():
    assert float(reg.L1(0.1)(W)) == pytest.approx(0.1 * 6.5)
    assert float(reg.L2(0.1)(W)) == pytest.approx(0.1 * 14.25)
    assert float(reg.L1L2(l1=0.1, l2=0.2)(W)) == pytest.approx(0.65 + 2.85)
    assert float(reg.l1_l2()(W)) == pytest.approx(0.01 * 6.5 + 0.01 * 14.25)
    assert float(reg.L1L2()(W)) == 0.0
    assert float(reg.get("l2")(W)) == pytest.approx(0.01 * 14.25)  # Keras default factor 0.01


def test_lookup_configs_and_errors():
    assert reg.serialize(reg.L2(0.3)) == {"class_name": "L2", "config": {"l2": 0.3}}
    restored = reg.deserialize({"class_name": "L1L2", "config": {"l1": 0.1, "l2": 0.0}})
    assert isinstance(restored, reg.L1L2) and restored.l1 == pytest.approx(0.1)
    assert isinstance(reg.get("l1_l2"), reg.L1L2)
    custom = lambda w: ek.reduce_sum(w) * 0.0  # noqa: E731
    assert reg.get(custom) is custom
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: 'l3'"):
        reg.get("l3")
    with pytest.raises(ValueError, match="must be non-negative"):
        reg.L2(-1.0)


def test_regularized_layers_add_losses():
    conv = ek.keras.layers.Conv2D(
        1, 1, kernel_initializer="ones", bias_initializer="ones", kernel_regularizer="l1", bias_regularizer=reg.L2(2.0)
    )
    conv(ek.ones([1, 2, 2, 3]))
    np.testing.assert_allclose(sorted(float(x) for x in conv.losses), [0.03, 2.0], rtol=1e-6)
    model = ek.keras.Sequential(
        [ek.keras.layers.Dense(2, kernel_regularizer="l2", input_shape=(3,)), ek.keras.layers.Dense(1)]
    )
    assert len(model.losses) == 1
