"""Regression metrics: mean squared/absolute (percentage/logarithmic) error, root mean
squared error, cosine similarity and log-cosh error (means over all samples seen).

They reuse the loss kernels (``ek.keras.losses``), fused with the mean update.

>>> m = RootMeanSquaredError()
>>> m([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]]).numpy()
np.float32(0.5)
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.keras.losses import regression
from eagerkit._src.keras.losses.loss import defloss, fused_with, options_key
from eagerkit._src.keras.losses.reduction import divide_no_nan, squeeze_or_expand_to_same_rank
from eagerkit._src.keras.metrics.reduction_metrics import Mean, MeanMetricWrapper, mean_update
from eagerkit._src.ops.op import defop


def _cosine_similarity(y_true, y_pred, axis=-1):
    t, p = squeeze_or_expand_to_same_rank(y_true.astype(y_pred.dtype), y_pred)
    return jnp.sum(regression.l2_normalize(t, axis) * regression.l2_normalize(p, axis), axis=axis)


_COSINE = defloss("CosineSimilarityMetric", _cosine_similarity)


@fused_with(_COSINE)
def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """Cosine similarity along ``axis`` per sample (1 means the same direction; the metric's sign).

    >>> cosine_similarity([[0.0, 2.0]], [[0.0, 3.0]]).numpy().tolist()
    [1.0]
    """
    return _COSINE(y_true, y_pred, None, options=options_key({"axis": int(axis)}))


@defop("RootMeanSquaredErrorUpdate", tensors=("total", "count", "y_true", "y_pred", "sample_weight"))
def _rmse_update(total, count, y_true, y_pred, sample_weight):
    t, p = squeeze_or_expand_to_same_rank(y_true.astype(y_pred.dtype), y_pred)
    return mean_update(total, count, jnp.square(p - t), sample_weight)


@defop("RootMeanSquaredErrorResult")
def _rmse_result(total, count):
    return jnp.sqrt(divide_no_nan(total, count))


class MeanSquaredError(MeanMetricWrapper):
    """Mean of ``mean(square(y_true - y_pred), axis=-1)`` (``tf.keras.metrics.MeanSquaredError``).

    >>> MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]).numpy()
    np.float32(0.5)
    """

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(regression.mean_squared_error, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsoluteError(MeanMetricWrapper):
    """Mean of ``mean(abs(y_true - y_pred), axis=-1)`` (``tf.keras.metrics.MeanAbsoluteError``).

    >>> MeanAbsoluteError()([[0.0, 1.0]], [[1.0, 1.0]]).numpy()
    np.float32(0.5)
    """

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(regression.mean_absolute_error, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Mean absolute percentage error (``tf.keras.metrics.MeanAbsolutePercentageError``).

    >>> MeanAbsolutePercentageError()([[2.0]], [[1.0]]).numpy()
    np.float32(50.0)
    """

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: Any = None) -> None:
        super().__init__(regression.mean_absolute_percentage_error, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """Mean squared logarithmic error (``tf.keras.metrics.MeanSquaredLogarithmicError``).

    >>> round(float(MeanSquaredLogarithmicError()([[0.0]], [[1.718281828]])), 4)
    1.0
    """

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype: Any = None) -> None:
        super().__init__(regression.mean_squared_logarithmic_error, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class RootMeanSquaredError(Mean):
    """``sqrt`` of the (weighted) mean squared error over all elements seen
    (``tf.keras.metrics.RootMeanSquaredError``).

    >>> RootMeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]).numpy()
    np.float32(0.70710677)
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        total, count = _rmse_update(self.total, self.count, y_true, y_pred, sample_weight)
        self.total.assign(total)
        self.count.assign(count)

    def result(self) -> Tensor:
        return _rmse_result(self.total, self.count)


class CosineSimilarity(MeanMetricWrapper):
    """Mean cosine similarity between labels and predictions (``tf.keras.metrics.CosineSimilarity``).

    >>> CosineSimilarity()([[0.0, 1.0]], [[0.0, 5.0]]).numpy()
    np.float32(1.0)
    """

    def __init__(self, name: str = "cosine_similarity", dtype: Any = None, axis: int = -1) -> None:
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=int(axis))
        self.axis = int(axis)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class LogCoshError(MeanMetricWrapper):
    """Mean log-cosh of the prediction error (``tf.keras.metrics.LogCoshError``).

    >>> round(float(LogCoshError()([[0.0]], [[1.0]])), 5)
    0.43378
    """

    def __init__(self, name: str = "logcosh", dtype: Any = None) -> None:
        super().__init__(regression.log_cosh, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}
