"""Probabilistic losses: binary/categorical/sparse categorical crossentropy, KL divergence,
Poisson. Formulas follow Keras 3 on TensorFlow (``keras/src/backend/tensorflow/nn.py``).

Numerical stability: logits go through ``log_softmax`` / the stable logistic formula
``max(x, 0) - x * z + log1p(exp(-|x|))``; probabilities are clipped to ``[1e-7, 1 - 1e-7]``
before the log, as Keras does.

Sparse categorical crossentropy is built on ``ek.nn.sparse_softmax_cross_entropy_with_logits``,
which raises ``InvalidArgumentError`` eagerly for labels outside ``[0, num_classes)``.
Inside ``ek.function`` labels are symbolic and cannot be checked: a label
``>= num_classes`` (or ``< -num_classes``) then yields a NaN loss for that sample (JAX
fills out-of-bounds gathers with NaN), while a label in ``[-num_classes, -1]`` is
currently taken Python-style (``-1`` means the last class) by that op.

>>> import eagerkit as ek
>>> from eagerkit._src.keras.losses import probabilistic
>>> loss = probabilistic.SparseCategoricalCrossentropy(from_logits=True)
>>> round(float(loss(ek.constant([1], ek.int64), [[0.0, 0.0]])), 4)
0.6931
"""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.keras.losses.loss import (
    EPSILON,
    LossFunctionWrapper,
    defloss,
    fused_with,
    options_key,
    to_loss_tensor,
)
from eagerkit._src.keras.losses.reduction import reduce_weighted_values
from eagerkit._src.ops import array_ops, math_ops, nn_ops


def _check_same_shape(fn: str, target: Any, output: Any) -> None:
    if target.shape != output.shape:
        raise ValueError(
            f"{fn}: `y_true` and `y_pred` must have the same shape, got y_true.shape={tuple(target.shape)} "
            f"and y_pred.shape={tuple(output.shape)}. For integer class labels use the sparse variant "
            "(sparse_categorical_crossentropy)."
        )


# -- kernels -------------------------------------------------------------------------------------
def _binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample mean over ``axis`` of the elementwise binary crossentropy."""
    t = y_true.astype(y_pred.dtype)
    _check_same_shape("binary_crossentropy", t, y_pred)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        x = y_pred
        bce = jnp.maximum(x, 0) - x * t + jnp.log1p(jnp.exp(-jnp.abs(x)))
    else:
        p = jnp.clip(y_pred, EPSILON, 1.0 - EPSILON)
        bce = -(t * jnp.log(p) + (1.0 - t) * jnp.log(1.0 - p))
    return jnp.mean(bce, axis=axis)


def _categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample ``-sum(y_true * log(softmax or normalised y_pred), axis)``."""
    t = y_true.astype(y_pred.dtype)
    _check_same_shape("categorical_crossentropy", t, y_pred)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / t.shape[-1]
    if from_logits:
        return -jnp.sum(t * jax.nn.log_softmax(y_pred, axis=axis), axis=axis)
    p = y_pred / jnp.sum(y_pred, axis=axis, keepdims=True)
    p = jnp.clip(p, EPSILON, 1.0 - EPSILON)
    return -jnp.sum(t * jnp.log(p), axis=axis)


def _kl_divergence(y_true, y_pred):
    """Per-sample ``sum(y_true * log(y_true / y_pred), axis=-1)`` with both clipped to ``[1e-7, 1]``."""
    t = jnp.clip(y_true.astype(y_pred.dtype), EPSILON, 1.0)
    p = jnp.clip(y_pred, EPSILON, 1.0)
    return jnp.sum(t * jnp.log(t / p), axis=-1)


def _poisson(y_true, y_pred):
    """Per-sample ``mean(y_pred - y_true * log(y_pred + 1e-7), axis=-1)``."""
    t = y_true.astype(y_pred.dtype)
    return jnp.mean(y_pred - t * jnp.log(y_pred + EPSILON), axis=-1)


_BCE = defloss("BinaryCrossentropy", _binary_crossentropy)
_CCE = defloss("CategoricalCrossentropy", _categorical_crossentropy)
_KLD = defloss("KLDivergence", _kl_divergence)
_POISSON = defloss("Poisson", _poisson)


def _check_axis(axis: Any) -> int:
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis!r} of type {type(axis).__name__}")
    return axis


def _class_count_warning(fn: str, y_pred: Any) -> None:
    shape = getattr(y_pred, "shape", None)
    if shape is not None and len(shape) and shape[-1] == 1:
        warnings.warn(
            f"In loss {fn}, expected y_pred.shape to be (batch_size, num_classes) with num_classes > 1. "
            f"Received: y_pred.shape={tuple(shape)}. Consider using 'binary_crossentropy' if you only have "
            "2 classes.",
            SyntaxWarning,
            stacklevel=3,
        )


# -- public functions -------------------------------------------------------------------------------
@fused_with(_BCE)
def binary_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> Tensor:
    """Binary crossentropy, averaged over ``axis`` (per sample).

    ``label_smoothing`` squeezes targets towards 0.5: ``t * (1 - s) + 0.5 * s``.

    >>> [round(v, 4) for v in binary_crossentropy([[0.0, 1.0]], [[0.0, 0.0]], from_logits=True).numpy().tolist()]
    [0.6931]
    """
    options = {"from_logits": bool(from_logits), "label_smoothing": float(label_smoothing), "axis": _check_axis(axis)}
    return _BCE(y_true, y_pred, None, options=options_key(options))


@fused_with(_CCE)
def categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> Tensor:
    """Crossentropy between one-hot (or soft) targets and predictions along ``axis`` (per sample).

    ``label_smoothing`` mixes targets with the uniform distribution: ``t * (1 - s) + s / classes``.

    >>> [round(v, 4) for v in categorical_crossentropy([[0.0, 1.0]], [[0.5, 0.5]]).numpy().tolist()]
    [0.6931]
    """
    _class_count_warning("categorical_crossentropy", y_pred)
    options = {"from_logits": bool(from_logits), "label_smoothing": float(label_smoothing), "axis": _check_axis(axis)}
    return _CCE(y_true, y_pred, None, options=options_key(options))


def _sparse_parts(
    y_true: Any, y_pred: Any, from_logits: bool, ignore_class: int | None, axis: int, dtype: str | None
) -> tuple[Tensor, Tensor | None]:
    """(per-sample losses, valid mask or None), built from ek ops."""
    logits = to_loss_tensor(y_pred, dtype)
    labels = to_loss_tensor(y_true, None)
    rank = logits.ndim
    if axis not in (-1, rank - 1):
        perm = [i for i in range(rank) if i != axis % rank] + [axis % rank]
        logits = array_ops.transpose(logits, perm)
    if labels.ndim == rank and labels.shape[-1] == 1:
        labels = array_ops.squeeze(labels, axis=-1)
    if labels.dtype.name not in ("int32", "int64"):
        labels = math_ops.cast(labels, "int64")  # as tf.keras: float or uint8 labels (e.g. MNIST's) are cast
    valid = None
    if ignore_class is not None:
        valid = math_ops.not_equal(labels, math_ops.cast(ignore_class, labels.dtype))
        labels = array_ops.where(valid, labels, array_ops.zeros_like(labels))
    if not from_logits:
        logits = math_ops.log(array_ops.clip_by_value(logits, EPSILON, 1.0 - EPSILON))
    losses = nn_ops.sparse_softmax_cross_entropy_with_logits(labels, logits)
    if valid is not None:
        losses = array_ops.where(valid, losses, array_ops.zeros_like(losses))
    return losses, valid


def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, ignore_class: int | None = None, axis: int = -1
) -> Tensor:
    """Crossentropy between integer class labels and predictions (per sample).

    Labels may have a trailing axis of size 1. ``ignore_class`` entries get loss 0.
    Labels outside ``[0, num_classes)`` raise ``InvalidArgumentError`` (eagerly).

    >>> import eagerkit as ek
    >>> [round(v, 4) for v in sparse_categorical_crossentropy([1], [[0.5, 0.5]]).numpy().tolist()]
    [0.6931]
    """
    return _sparse_parts(y_true, y_pred, bool(from_logits), ignore_class, _check_axis(axis), None)[0]


@fused_with(_KLD)
def kl_divergence(y_true: Any, y_pred: Any) -> Tensor:
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred), axis=-1)`` per sample.

    >>> [round(v, 4) for v in kl_divergence([[0.5, 0.5]], [[0.25, 0.75]]).numpy().tolist()]
    [0.1438]
    """
    return _KLD(y_true, y_pred, None)


@fused_with(_POISSON)
def poisson(y_true: Any, y_pred: Any) -> Tensor:
    """Poisson loss ``mean(y_pred - y_true * log(y_pred), axis=-1)`` per sample.

    >>> [round(v, 4) for v in poisson([[1.0]], [[1.0]]).numpy().tolist()]
    [1.0]
    """
    return _POISSON(y_true, y_pred, None)


# -- classes ------------------------------------------------------------------------------------------
class BinaryCrossentropy(LossFunctionWrapper):
    """Binary crossentropy (``tf.keras.losses.BinaryCrossentropy``).

    Args:
      from_logits: ``y_pred`` holds logits (recommended: more stable) instead of probabilities.
      label_smoothing: in ``[0, 1]``; squeezes targets towards 0.5.
      axis: the axis averaged over per sample.

    >>> round(float(BinaryCrossentropy(from_logits=True)([[0.0, 1.0]], [[-10.0, 10.0]])), 6)
    4.5e-05
    """

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "binary_crossentropy",
        dtype: Any = None,
    ):
        super().__init__(
            binary_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=bool(from_logits),
            label_smoothing=float(label_smoothing),
            axis=_check_axis(axis),
        )
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)
        self.axis = axis


class CategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy for one-hot targets (``tf.keras.losses.CategoricalCrossentropy``).

    Args:
      from_logits: ``y_pred`` holds logits (computed with ``log_softmax``) instead of probabilities.
      label_smoothing: in ``[0, 1]``; mixes targets with the uniform distribution.
      axis: the class axis.

    >>> round(float(CategoricalCrossentropy()([[0.0, 1.0]], [[0.5, 0.5]])), 4)
    0.6931
    """

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "categorical_crossentropy",
        dtype: Any = None,
    ):
        super().__init__(
            categorical_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=bool(from_logits),
            label_smoothing=float(label_smoothing),
            axis=_check_axis(axis),
        )
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)
        self.axis = axis

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        _class_count_warning(self.name, y_pred)
        return super().__call__(y_true, y_pred, sample_weight)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy for integer class labels (``tf.keras.losses.SparseCategoricalCrossentropy``).

    Args:
      from_logits: ``y_pred`` holds logits instead of probabilities.
      ignore_class: a label value (e.g. -1 or 255) excluded from the loss; the mean is then
        over the remaining entries.
      axis: the class axis of ``y_pred``.

    Labels outside ``[0, num_classes)`` raise ``InvalidArgumentError`` eagerly.

    >>> import eagerkit as ek
    >>> loss = SparseCategoricalCrossentropy(from_logits=True)
    >>> round(float(loss(ek.constant([0, 1], ek.int64), [[2.0, 0.0], [0.0, 2.0]])), 4)
    0.1269
    """

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction: str | None = "sum_over_batch_size",
        axis: int = -1,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
    ):
        super().__init__(
            sparse_categorical_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=bool(from_logits),
            ignore_class=ignore_class,
            axis=_check_axis(axis),
        )
        self.from_logits = bool(from_logits)
        self.ignore_class = ignore_class
        self.axis = axis

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        losses, valid = _sparse_parts(y_true, y_pred, self.from_logits, self.ignore_class, self.axis, self._dtype)
        return reduce_weighted_values(losses, sample_weight, valid, reduction=self.reduction, dtype=self._dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "reduction": self.reduction,
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
            "axis": self.axis,
        }


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence (``tf.keras.losses.KLDivergence``).

    >>> round(float(KLDivergence()([[0.5, 0.5]], [[0.25, 0.75]])), 4)
    0.1438
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "kl_divergence", dtype: Any = None):
        super().__init__(kl_divergence, reduction=reduction, name=name, dtype=dtype)


class Poisson(LossFunctionWrapper):
    """Poisson loss (``tf.keras.losses.Poisson``).

    >>> round(float(Poisson()([[1.0]], [[1.0]])), 4)
    1.0
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "poisson", dtype: Any = None):
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)
