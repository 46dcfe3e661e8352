"""Hinge losses for maximum-margin classifiers: hinge, squared hinge, categorical hinge.

Targets are expected in {-1, 1}; targets that are all in {0, 1} are mapped to {-1, 1}
first (Keras' rule, decided on the values, so it also works on symbolic tensors).

>>> from eagerkit._src.keras.losses import hinge
>>> hinge.hinge([[1.0, 0.0]], [[0.5, -2.0]]).numpy().tolist()
[0.25]
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.keras.losses.loss import LossFunctionWrapper, defloss, fused_with


def _to_signed_labels(t: Any) -> Any:
    is_binary = jnp.all((t == 0) | (t == 1))
    return jnp.where(is_binary, 2.0 * t - 1.0, t)


def _hinge(y_true, y_pred):
    """Per-sample ``mean(max(1 - y_true * y_pred, 0), axis=-1)``."""
    t = _to_signed_labels(y_true.astype(y_pred.dtype))
    return jnp.mean(jnp.maximum(1.0 - t * y_pred, 0.0), axis=-1)


def _squared_hinge(y_true, y_pred):
    """Per-sample ``mean(square(max(1 - y_true * y_pred, 0)), axis=-1)``."""
    t = _to_signed_labels(y_true.astype(y_pred.dtype))
    return jnp.mean(jnp.square(jnp.maximum(1.0 - t * y_pred, 0.0)), axis=-1)


def _categorical_hinge(y_true, y_pred):
    """Per-sample ``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)``."""
    t = y_true.astype(y_pred.dtype)
    pos = jnp.sum(t * y_pred, axis=-1)
    neg = jnp.max((1.0 - t) * y_pred, axis=-1)
    return jnp.maximum(neg - pos + 1.0, jnp.zeros((), y_pred.dtype))


_HINGE = defloss("Hinge", _hinge)
_SQUARED_HINGE = defloss("SquaredHinge", _squared_hinge)
_CATEGORICAL_HINGE = defloss("CategoricalHinge", _categorical_hinge)


@fused_with(_HINGE)
def hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Hinge loss per sample: ``mean(max(1 - y_true * y_pred, 0), axis=-1)``.

    >>> hinge([[-1.0, 1.0]], [[-2.0, 0.5]]).numpy().tolist()
    [0.25]
    """
    return _HINGE(y_true, y_pred, None)


@fused_with(_SQUARED_HINGE)
def squared_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Squared hinge loss per sample: ``mean(square(max(1 - y_true * y_pred, 0)), axis=-1)``.

    >>> squared_hinge([[-1.0, 1.0]], [[-2.0, 0.5]]).numpy().tolist()
    [0.125]
    """
    return _SQUARED_HINGE(y_true, y_pred, None)


@fused_with(_CATEGORICAL_HINGE)
def categorical_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Categorical hinge per sample: ``max(neg - pos + 1, 0)`` with ``pos = sum(t * p)``,
    ``neg = max((1 - t) * p)``.

    >>> categorical_hinge([[0.0, 1.0]], [[0.3, 0.8]]).numpy().tolist()
    [0.5]
    """
    return _CATEGORICAL_HINGE(y_true, y_pred, None)


class Hinge(LossFunctionWrapper):
    """Hinge loss (``tf.keras.losses.Hinge``).

    >>> Hinge()([[1.0, 0.0]], [[0.5, -2.0]]).numpy()
    np.float32(0.25)
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "hinge", dtype: Any = None):
        super().__init__(hinge, reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    """Squared hinge loss (``tf.keras.losses.SquaredHinge``).

    >>> SquaredHinge()([[1.0, 0.0]], [[0.5, -2.0]]).numpy()
    np.float32(0.125)
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "squared_hinge", dtype: Any = None):
        super().__init__(squared_hinge, reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    """Categorical hinge loss (``tf.keras.losses.CategoricalHinge``).

    >>> CategoricalHinge()([[0.0, 1.0]], [[0.3, 0.8]]).numpy()
    np.float32(0.5)
    """

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "categorical_hinge", dtype: Any = None
    ):
        super().__init__(categorical_hinge, reduction=reduction, name=name, dtype=dtype)
