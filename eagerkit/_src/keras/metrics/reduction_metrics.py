"""Reduction metrics: ``Sum``, ``Mean`` and ``MeanMetricWrapper`` (Keras 3 semantics).

Values are first reduced to one value per sample (``reduce_to_samplewise_values``: with a
``sample_weight`` of lower rank, the extra value axes are averaged), weighted, then added
to ``total``; ``Mean`` also adds the number of samples (or the weight sum) to ``count``.
So ``Mean()([8, 9])`` counts two samples, as in the TF guide::

    m = Mean("loss"); m(0); m(5)   # result 2.5
    m([8, 9])                      # result 5.5

Each update is one op returning the new state, then ``assign``.

>>> m = Mean("loss")
>>> _ = m(0); _ = m(5)
>>> m.result()
<tf.Tensor: shape=(), dtype=float32, numpy=2.5>
>>> _ = m([8, 9])
>>> m.result()
<tf.Tensor: shape=(), dtype=float32, numpy=5.5>
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp

from eagerkit._src.core.convert import convert_to_tensor
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.variable import Variable
from eagerkit._src.keras.losses.reduction import squeeze_or_expand_to_same_rank
from eagerkit._src.keras.metrics.metric import Metric
from eagerkit._src.ops import array_ops, math_ops
from eagerkit._src.ops.op import Op, defop


def reduce_to_samplewise_values(values: Any, sample_weight: Any, reduce_fn: Callable, dtype: Any) -> tuple[Any, Any]:
    """Keras' ``reduce_to_samplewise_values`` on jax arrays (static shapes)."""
    values = values.astype(dtype)
    if sample_weight is not None:
        sample_weight = sample_weight.astype(dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim, values_ndim = sample_weight.ndim, values.ndim
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values_ndim)))
        sample_weight = jnp.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


def mean_update(total: Any, count: Any, values: Any, sample_weight: Any) -> list:
    """New ``(total, count)`` of a weighted mean after seeing ``values``."""
    values, sample_weight = reduce_to_samplewise_values(values, sample_weight, jnp.mean, total.dtype)
    if sample_weight is not None:
        n = jnp.sum(sample_weight)
    elif values.ndim >= 1:
        n = values.shape[0]
    else:
        n = 1
    return [total + jnp.sum(values), count + jnp.asarray(n, count.dtype)]


@defop("MeanUpdate", tensors=("total", "count", "values", "sample_weight"))
def _mean_update_op(total, count, values, sample_weight):
    return mean_update(total, count, values, sample_weight)


@defop("SumUpdate", tensors=("total", "values", "sample_weight"))
def _sum_update_op(total, values, sample_weight):
    values, _ = reduce_to_samplewise_values(values, sample_weight, jnp.sum, total.dtype)
    return total + jnp.sum(values)


@defop("MeanMetricUpdate", tensors=("total", "count", "y_true", "y_pred", "sample_weight"))
def _fused_wrapper_update(total, count, y_true, y_pred, sample_weight, per_sample=None, options=()):
    values = per_sample.fn(y_true, y_pred, None, options=options, reduction="none", align_ranks=False)
    return mean_update(total, count, values, sample_weight)


def _as_tensor(x: Any) -> Any:
    return x if type(x) is Tensor or isinstance(x, Variable) else convert_to_tensor(x)


class Sum(Metric):
    """The (weighted) sum of the values seen (``tf.keras.metrics.Sum``).

    >>> s = Sum()
    >>> s([1, 3, 5, 7], sample_weight=[1, 1, 0, 0]).numpy()
    np.float32(4.0)
    """

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_weight(name="total", shape=(), initializer="zeros")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        self.total.assign(_sum_update_op(self.total, values, sample_weight))

    def result(self) -> Tensor:
        return array_ops.identity(self.total)


class Mean(Metric):
    """The (weighted) mean of the values seen (``tf.keras.metrics.Mean``).

    >>> m = Mean()
    >>> m([1, 3, 5, 7], sample_weight=[1, 1, 0, 0]).numpy()
    np.float32(2.0)
    """

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_weight(name="total", shape=(), initializer="zeros")
        self.count = self.add_weight(name="count", shape=(), initializer="zeros")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        total, count = _mean_update_op(self.total, self.count, values, sample_weight)
        self.total.assign(total)
        self.count.assign(count)

    def result(self) -> Tensor:
        return math_ops.divide_no_nan(self.total, self.count)


class MeanMetricWrapper(Mean):
    """The mean of a per-sample function ``fn(y_true, y_pred, **kwargs)`` (``tf.keras.metrics.MeanMetricWrapper``).

    Built-in metric and loss functions run fused with the mean update (one op per update).

    >>> import eagerkit as ek
    >>> m = MeanMetricWrapper(lambda t, p: ek.abs(t - p))
    >>> m([1.0, 2.0], [0.0, 0.0]).numpy()
    np.float32(1.5)
    """

    def __init__(self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name or "mean_metric_wrapper", dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        self._per_sample: Op | None = getattr(fn, "_ek_loss_op", None)
        self._options = tuple(sorted(kwargs.items())) if self._per_sample is not None else ()

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        if self._per_sample is not None:
            total, count = _fused_wrapper_update(
                self.total,
                self.count,
                y_true,
                y_pred,
                sample_weight,
                per_sample=self._per_sample,
                options=self._options,
            )
            self.total.assign(total)
            self.count.assign(count)
            return
        values = self._fn(_as_tensor(y_true), _as_tensor(y_pred), **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        if type(self) is MeanMetricWrapper:
            config["fn"] = self._fn
        config.update(self._fn_kwargs)
        return config
