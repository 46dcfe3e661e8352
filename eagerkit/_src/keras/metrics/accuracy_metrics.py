"""Accuracy metrics: exact, binary (thresholded), categorical (argmax), sparse categorical,
top-k and sparse top-k. Functions return per-sample 0/1 matches (float32); the classes
average them with ``MeanMetricWrapper``, fused into one op per update.

>>> a = SparseCategoricalAccuracy()
>>> a([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0.0]]).numpy()
np.float32(0.5)
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.keras.losses.loss import defloss, fused_with, options_key
from eagerkit._src.keras.losses.reduction import squeeze_or_expand_to_same_rank
from eagerkit._src.keras.metrics.reduction_metrics import MeanMetricWrapper

_FLOATX = jnp.float32


def _in_top_k(targets: Any, predictions: Any, k: int) -> Any:
    """TF's ``in_top_k``: the target's score is beaten by fewer than ``k`` classes (ties count as in)."""
    target_score = jnp.take_along_axis(predictions, targets[:, None].astype(jnp.int32), axis=1)
    return jnp.sum(predictions > target_score, axis=1) < k


def _accuracy(y_true, y_pred):
    t, p = squeeze_or_expand_to_same_rank(y_true.astype(y_pred.dtype), y_pred)
    return (t == p).astype(_FLOATX)


def _binary_accuracy(y_true, y_pred, threshold=0.5):
    t, p = squeeze_or_expand_to_same_rank(y_true, y_pred)
    p = (p > threshold).astype(t.dtype)
    return (t == p).astype(_FLOATX)


def _categorical_accuracy(y_true, y_pred):
    t = jnp.argmax(y_true, axis=-1).astype(y_pred.dtype)
    shape = t.shape
    reshape = t.ndim == y_pred.ndim
    if reshape:
        t = jnp.squeeze(t, -1)
    p = jnp.argmax(y_pred, axis=-1).astype(t.dtype)
    matches = (t == p).astype(_FLOATX)
    return matches.reshape(shape) if reshape else matches


def _sparse_categorical_accuracy(y_true, y_pred):
    t = y_true.astype(y_pred.dtype)
    shape = t.shape
    reshape = t.ndim == y_pred.ndim and t.shape[-1] == 1
    if reshape:
        t = jnp.squeeze(t, -1)
    p = jnp.argmax(y_pred, axis=-1).astype(t.dtype)
    matches = (t == p).astype(_FLOATX)
    if reshape:
        matches = matches.reshape(shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = jnp.squeeze(matches, -1)
    return matches


def _top_k_categorical_accuracy(y_true, y_pred, k=5):
    t = jnp.argmax(y_true.astype(y_pred.dtype), axis=-1)
    shape = t.shape
    p = y_pred.reshape(-1, y_pred.shape[-1]) if y_pred.ndim > 2 else y_pred
    matches = _in_top_k(t.reshape(-1), p, k).astype(_FLOATX)
    return matches.reshape(shape) if t.ndim > 1 else matches


def _sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    t = y_true.astype(y_pred.dtype if from_sorted_ids else jnp.int32)
    shape = t.shape
    p = y_pred.reshape(-1, y_pred.shape[-1]) if y_pred.ndim > 2 else y_pred
    flat = t.reshape(-1) if t.ndim > 1 else t
    if from_sorted_ids:
        matches = jnp.any(flat[:, None] == p[:, :k], axis=1)
    else:
        matches = _in_top_k(flat, p, k)
    matches = matches.astype(_FLOATX)
    return matches.reshape(shape) if t.ndim > 1 else matches


_ACCURACY = defloss("Accuracy", _accuracy)
_BINARY_ACCURACY = defloss("BinaryAccuracy", _binary_accuracy)
_CATEGORICAL_ACCURACY = defloss("CategoricalAccuracy", _categorical_accuracy)
_SPARSE_CATEGORICAL_ACCURACY = defloss("SparseCategoricalAccuracy", _sparse_categorical_accuracy)
_TOP_K = defloss("TopKCategoricalAccuracy", _top_k_categorical_accuracy)
_SPARSE_TOP_K = defloss("SparseTopKCategoricalAccuracy", _sparse_top_k_categorical_accuracy)


@fused_with(_ACCURACY)
def accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """1.0 where ``y_true == y_pred`` else 0.0.

    >>> accuracy([1, 2, 3], [1, 2, 4]).numpy().tolist()
    [1.0, 1.0, 0.0]
    """
    return _ACCURACY(y_true, y_pred, None)


@fused_with(_BINARY_ACCURACY)
def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Tensor:
    """1.0 where ``y_true == (y_pred > threshold)``.

    >>> binary_accuracy([1.0, 0.0], [0.7, 0.6]).numpy().tolist()
    [1.0, 0.0]
    """
    return _BINARY_ACCURACY(y_true, y_pred, None, options=options_key({"threshold": float(threshold)}))


@fused_with(_CATEGORICAL_ACCURACY)
def categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """1.0 where ``argmax(y_true) == argmax(y_pred)`` (one-hot targets).

    >>> categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.0], [0.05, 0.95, 0.0]]).numpy().tolist()
    [0.0, 1.0]
    """
    return _CATEGORICAL_ACCURACY(y_true, y_pred, None)


@fused_with(_SPARSE_CATEGORICAL_ACCURACY)
def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """1.0 where the integer label equals ``argmax(y_pred)``.

    >>> sparse_categorical_accuracy([2, 1], [[0.1, 0.9, 0.0], [0.05, 0.95, 0.0]]).numpy().tolist()
    [0.0, 1.0]
    """
    return _SPARSE_CATEGORICAL_ACCURACY(y_true, y_pred, None)


@fused_with(_TOP_K)
def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Tensor:
    """1.0 where the one-hot target is among the ``k`` largest predictions.

    >>> top_k_categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.0], [0.05, 0.95, 0.0]], k=1).numpy().tolist()
    [0.0, 1.0]
    """
    return _TOP_K(y_true, y_pred, None, options=options_key({"k": int(k)}))


@fused_with(_SPARSE_TOP_K)
def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False) -> Tensor:
    """1.0 where the integer label is among the ``k`` largest predictions (or, with
    ``from_sorted_ids``, among the first ``k`` ids of ``y_pred``).

    >>> sparse_top_k_categorical_accuracy([2, 1], [[0.1, 0.9, 0.0], [0.05, 0.95, 0.0]], k=2).numpy().tolist()
    [0.0, 1.0]
    """
    options = {"k": int(k), "from_sorted_ids": bool(from_sorted_ids)}
    return _SPARSE_TOP_K(y_true, y_pred, None, options=options_key(options))


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels (``tf.keras.metrics.Accuracy``).

    >>> Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]]).numpy()
    np.float32(0.75)
    """

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches binary labels (``tf.keras.metrics.BinaryAccuracy``).

    >>> BinaryAccuracy()([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]).numpy()
    np.float32(0.75)
    """

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=float(threshold))
        self.threshold = float(threshold)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` matches one-hot labels (``tf.keras.metrics.CategoricalAccuracy``).

    >>> CategoricalAccuracy()([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]).numpy()
    np.float32(0.5)
    """

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` matches integer labels (``tf.keras.metrics.SparseCategoricalAccuracy``).

    >>> SparseCategoricalAccuracy()([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]).numpy()
    np.float32(0.5)
    """

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is in the top ``k`` predictions (``tf.keras.metrics.TopKCategoricalAccuracy``).

    >>> TopKCategoricalAccuracy(k=1)([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]).numpy()
    np.float32(0.5)
    """

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=int(k))
        self.k = int(k)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is in the top ``k`` predictions
    (``tf.keras.metrics.SparseTopKCategoricalAccuracy``).

    >>> SparseTopKCategoricalAccuracy(k=1)([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]).numpy()
    np.float32(0.5)
    """

    def __init__(
        self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype: Any = None, from_sorted_ids=False
    ) -> None:
        super().__init__(
            sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=int(k), from_sorted_ids=bool(from_sorted_ids)
        )
        self.k = int(k)
        self.from_sorted_ids = bool(from_sorted_ids)

    def get_config(self) -> dict[str, Any]:
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
