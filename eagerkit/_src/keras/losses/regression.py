"""Regression losses: mean squared/absolute (percentage/logarithmic) error, Huber, log-cosh,
cosine similarity. Formulas follow Keras 3 (``keras/src/losses/losses.py``).

Each loss is a pure JAX kernel registered as one op (see ``loss.py``); the public function
returns per-sample values (the mean over the last axis), the class reduces them.

>>> import eagerkit as ek
>>> from eagerkit._src.keras.losses import regression
>>> regression.mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]]).numpy().tolist()
[0.5]
>>> regression.MeanSquaredError()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]).numpy()
np.float32(0.5)
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.keras.losses.loss import EPSILON, LossFunctionWrapper, defloss, fused_with, options_key
from eagerkit._src.keras.losses.reduction import squeeze_or_expand_to_same_rank


def _prepare(y_true: Any, y_pred: Any) -> tuple[Any, Any]:
    return squeeze_or_expand_to_same_rank(y_true.astype(y_pred.dtype), y_pred)


# -- kernels -------------------------------------------------------------------------------
def _mse(y_true, y_pred):
    """Per-sample ``mean(square(y_true - y_pred), axis=-1)``."""
    t, p = _prepare(y_true, y_pred)
    return jnp.mean(jnp.square(t - p), axis=-1)


def _mae(y_true, y_pred):
    """Per-sample ``mean(abs(y_true - y_pred), axis=-1)``."""
    t, p = _prepare(y_true, y_pred)
    return jnp.mean(jnp.abs(t - p), axis=-1)


def _mape(y_true, y_pred):
    """Per-sample ``100 * mean(abs((y_true - y_pred) / max(abs(y_true), 1e-7)), axis=-1)``."""
    t, p = _prepare(y_true, y_pred)
    diff = jnp.abs((t - p) / jnp.maximum(jnp.abs(t), EPSILON))
    return 100.0 * jnp.mean(diff, axis=-1)


def _msle(y_true, y_pred):
    """Per-sample ``mean(square(log(max(p, eps) + 1) - log(max(t, eps) + 1)), axis=-1)``."""
    t, p = _prepare(y_true, y_pred)
    return jnp.mean(jnp.square(jnp.log(jnp.maximum(p, EPSILON) + 1.0) - jnp.log(jnp.maximum(t, EPSILON) + 1.0)), -1)


def l2_normalize(x: Any, axis: int) -> Any:
    """Keras' ``normalize``: ``x * min(rsqrt(sum(x**2)), 1 / eps)``."""
    inv = jax.lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
    return x * jnp.minimum(inv, 1.0 / EPSILON)


def _cosine_similarity(y_true, y_pred, axis=-1):
    """Per-sample ``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``."""
    t, p = _prepare(y_true, y_pred)
    return -jnp.sum(l2_normalize(t, axis) * l2_normalize(p, axis), axis=axis)


def _huber(y_true, y_pred, delta=1.0):
    """Per-sample mean of ``0.5 * e**2`` where ``|e| <= delta`` else ``delta * |e| - 0.5 * delta**2``."""
    t, p = _prepare(y_true, y_pred)
    error = p - t
    abs_error = jnp.abs(error)
    d = jnp.asarray(delta, p.dtype)
    return jnp.mean(jnp.where(abs_error <= d, 0.5 * jnp.square(error), d * abs_error - 0.5 * jnp.square(d)), axis=-1)


def _log_cosh(y_true, y_pred):
    """Per-sample ``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed stably."""
    t, p = _prepare(y_true, y_pred)
    x = p - t
    return jnp.mean(x + jax.nn.softplus(-2.0 * x) - jnp.log(jnp.asarray(2.0, p.dtype)), axis=-1)


_MSE = defloss("MeanSquaredError", _mse)
_MAE = defloss("MeanAbsoluteError", _mae)
_MAPE = defloss("MeanAbsolutePercentageError", _mape)
_MSLE = defloss("MeanSquaredLogarithmicError", _msle)
_COSINE = defloss("CosineSimilarity", _cosine_similarity)
_HUBER = defloss("Huber", _huber)
_LOG_COSH = defloss("LogCosh", _log_cosh)


# -- public functions (per-sample values) -------------------------------------------------------
@fused_with(_MSE)
def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(square(y_true - y_pred), axis=-1)`` per sample.

    >>> mean_squared_error([[1.0, 2.0]], [[1.0, 4.0]]).numpy().tolist()
    [2.0]
    """
    return _MSE(y_true, y_pred, None)


@fused_with(_MAE)
def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(abs(y_true - y_pred), axis=-1)`` per sample.

    >>> mean_absolute_error([[1.0, 2.0]], [[1.0, 4.0]]).numpy().tolist()
    [1.0]
    """
    return _MAE(y_true, y_pred, None)


@fused_with(_MAPE)
def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Tensor:
    """``100 * mean(abs((y_true - y_pred) / y_true), axis=-1)`` per sample (``|y_true|`` floored at 1e-7).

    >>> mean_absolute_percentage_error([[2.0, 4.0]], [[1.0, 4.0]]).numpy().tolist()
    [25.0]
    """
    return _MAPE(y_true, y_pred, None)


@fused_with(_MSLE)
def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(square(log(y_pred + 1) - log(y_true + 1)), axis=-1)`` per sample (inputs floored at 1e-7).

    >>> round(float(mean_squared_logarithmic_error([[0.0]], [[1.718281828]])[0]), 4)
    1.0
    """
    return _MSLE(y_true, y_pred, None)


@fused_with(_COSINE)
def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`` per sample (-1 means identical direction).

    >>> cosine_similarity([[0.0, 2.0]], [[0.0, 3.0]]).numpy().tolist()
    [-1.0]
    """
    return _COSINE(y_true, y_pred, None, options=options_key({"axis": int(axis)}))


@fused_with(_HUBER)
def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Tensor:
    """Huber loss per sample: quadratic for errors up to ``delta``, linear beyond.

    >>> huber([[0.0, 0.0]], [[0.5, 3.0]]).numpy().tolist()
    [1.3125]
    """
    return _HUBER(y_true, y_pred, None, options=options_key({"delta": float(delta)}))


@fused_with(_LOG_COSH)
def log_cosh(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)`` per sample.

    >>> round(float(log_cosh([[0.0]], [[1.0]])[0]), 5)
    0.43378
    """
    return _LOG_COSH(y_true, y_pred, None)


# -- classes -------------------------------------------------------------------------------------
class MeanSquaredError(LossFunctionWrapper):
    """Mean of squares of errors (``tf.keras.losses.MeanSquaredError``).

    >>> MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]).numpy()
    np.float32(0.5)
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of absolute errors (``tf.keras.losses.MeanAbsoluteError``).

    >>> MeanAbsoluteError()([[0.0, 1.0]], [[1.0, 1.0]]).numpy()
    np.float32(0.5)
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """Mean absolute percentage error (``tf.keras.losses.MeanAbsolutePercentageError``).

    >>> MeanAbsolutePercentageError()([[2.0]], [[1.0]]).numpy()
    np.float32(50.0)
    """

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "mean_absolute_percentage_error", dtype=None
    ):
        super().__init__(mean_absolute_percentage_error, reduction=reduction, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """Mean squared logarithmic error (``tf.keras.losses.MeanSquaredLogarithmicError``).

    >>> round(float(MeanSquaredLogarithmicError()([[0.0]], [[1.718281828]])), 4)
    1.0
    """

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str = "mean_squared_logarithmic_error", dtype=None
    ):
        super().__init__(mean_squared_logarithmic_error, reduction=reduction, name=name, dtype=dtype)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity along ``axis`` (``tf.keras.losses.CosineSimilarity``).

    >>> CosineSimilarity()([[0.0, 1.0]], [[0.0, 5.0]]).numpy()
    np.float32(-1.0)
    """

    def __init__(
        self, axis: int = -1, reduction: str | None = "sum_over_batch_size", name: str = "cosine_similarity", dtype=None
    ):
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=int(axis))


class Huber(LossFunctionWrapper):
    """Huber loss with threshold ``delta`` (``tf.keras.losses.Huber``).

    >>> Huber()([[0.0, 0.0]], [[0.5, 3.0]]).numpy()
    np.float32(1.3125)
    """

    def __init__(
        self, delta: float = 1.0, reduction: str | None = "sum_over_batch_size", name: str = "huber_loss", dtype=None
    ):
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=float(delta))


class LogCosh(LossFunctionWrapper):
    """Mean log-cosh of the error (``tf.keras.losses.LogCosh``).

    >>> round(float(LogCosh()([[0.0]], [[1.0]])), 5)
    0.43378
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "log_cosh", dtype=None):
        super().__init__(log_cosh, reduction=reduction, name=name, dtype=dtype)
