"""Confusion-matrix metrics: true/false positives/negatives, Precision, Recall and AUC.

A prediction counts as positive at threshold ``t`` when ``y_pred > t`` (Keras' rule). The
counts at every threshold are updated by one op (:func:`confusion_update`); with evenly
spaced thresholds (AUC's default ``num_thresholds=200``) the predictions are bucketed and
cumulatively summed, O(thresholds + predictions), as Keras does; otherwise every
prediction is compared with every threshold.

AUC follows Keras: thresholds ``[-1e-7, 1/(n-1), ..., (n-2)/(n-1), 1 + 1e-7]``, the ROC or
PR curve, Riemann sums with ``"interpolation"`` (trapezoids; for PR the Davis & Goadrich
interpolation), ``"minoring"`` or ``"majoring"``.

>>> a = AUC()
>>> round(float(a([0, 0, 1, 1], [0.0, 0.5, 0.3, 0.9])), 4)
0.75
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.keras.losses.reduction import divide_no_nan, squeeze_or_expand_to_same_rank
from eagerkit._src.keras.metrics.metric import Metric
from eagerkit._src.ops.op import defop

NEG_INF = -1e10
_EPSILON = 1e-7
_KINDS = ("tp", "fp", "tn", "fn")


def parse_thresholds(thresholds: Any, default: float) -> list[float]:
    """A list of thresholds in [0, 1] (``default`` when None)."""
    if thresholds is None:
        return [float(default)]
    values = [thresholds] if np.isscalar(thresholds) else list(thresholds)
    bad = [t for t in values if t is None or t < 0 or t > 1]
    if bad:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return [float(t) for t in values]


def evenly_distributed(thresholds: list[float]) -> bool:
    """True when the thresholds are ``i / (n - 1)`` up to 1e-7 (the bucketed fast path applies)."""
    n = len(thresholds)
    if n < 3:
        return False
    return bool(np.allclose(thresholds, np.arange(n, dtype=np.float32) / (n - 1), atol=_EPSILON))


def _filter_top_k(x: Any, k: int) -> Any:
    _, idx = jax.lax.top_k(x, k)
    mask = jnp.sum(jax.nn.one_hot(idx, x.shape[-1], dtype=x.dtype), axis=-2)
    return x * mask + NEG_INF * (1 - mask)


def _bucketed_counts(
    y_true: Any, y_pred: Any, weights: Any, n: int, with_epsilon: bool, multi_label: bool
) -> dict[str, Any]:
    y_pred = jnp.clip(y_pred, 0.0, 1.0)
    y_true = (y_true != 0).astype(y_pred.dtype)
    if not multi_label:
        y_true, y_pred, weights = y_true.reshape(-1), y_pred.reshape(-1), weights.reshape(-1)
    true_labels = y_true * weights
    false_labels = (1.0 - y_true) * weights
    buckets = jnp.ceil(y_pred * (n - 1)) - 1
    if with_epsilon:
        buckets = jnp.maximum(buckets, 0)
    buckets = buckets.astype(jnp.int32)

    def counts(labels: Any, ids: Any) -> Any:
        per_bucket = jax.ops.segment_sum(labels, ids, num_segments=n)
        return jnp.flip(jnp.cumsum(jnp.flip(per_bucket)))

    if multi_label:
        tp = jax.vmap(counts, in_axes=1, out_axes=1)(true_labels, buckets)
        fp = jax.vmap(counts, in_axes=1, out_axes=1)(false_labels, buckets)
        total_true, total_false = jnp.sum(true_labels, axis=0), jnp.sum(false_labels, axis=0)
    else:
        tp, fp = counts(true_labels, buckets), counts(false_labels, buckets)
        total_true, total_false = jnp.sum(true_labels), jnp.sum(false_labels)
    return {"tp": tp, "fp": fp, "tn": total_false - fp, "fn": total_true - tp}


def _dense_counts(y_true: Any, y_pred: Any, weights: Any, thresholds: Any, multi_label: bool) -> dict[str, Any]:
    label = y_true != 0
    if not multi_label:
        label, y_pred, weights = label.reshape(-1), y_pred.reshape(-1), weights.reshape(-1)
    thr = thresholds.reshape((-1,) + (1,) * y_pred.ndim)
    pred_pos = y_pred[None] > thr  # [thresholds, *prediction shape]
    zero = jnp.zeros((), weights.dtype)

    def total(mask: Any) -> Any:
        return jnp.sum(jnp.where(mask, weights[None], zero), axis=1)

    return {
        "tp": total(label[None] & pred_pos),
        "fp": total(~label[None] & pred_pos),
        "tn": total(~label[None] & ~pred_pos),
        "fn": total(label[None] & ~pred_pos),
    }


def confusion_increments(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    label_weights: Any,
    thresholds: tuple[float, ...],
    dtype: Any,
    top_k: int | None = None,
    class_id: int | None = None,
    multi_label: bool = False,
    from_logits: bool = False,
) -> dict[str, Any]:
    """Weighted tp/fp/tn/fn counts per threshold for one batch (pure JAX, Keras' rules)."""
    y_true = y_true.astype(dtype)
    y_pred = y_pred.astype(dtype)
    if from_logits:
        y_pred = jax.nn.sigmoid(y_pred)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if y_pred.shape != y_true.shape:
        raise ValueError(
            f"Confusion metrics need y_true and y_pred of the same shape, got y_true.shape={tuple(y_true.shape)} "
            f"and y_pred.shape={tuple(y_pred.shape)}."
        )
    if sample_weight is not None:
        sample_weight = jnp.expand_dims(sample_weight.astype(dtype), -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape (num_samples, num_classes), "
                f"found shape: {tuple(y_pred.shape)}"
            )
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    weights = jnp.ones(y_pred.shape, dtype)
    if sample_weight is not None:
        weights = weights * jnp.broadcast_to(sample_weight, y_pred.shape)
    if label_weights is not None and not multi_label:
        weights = weights * jnp.broadcast_to(label_weights.astype(dtype)[None], y_pred.shape)
    thr = jnp.asarray(thresholds, dtype)
    if evenly_distributed(list(thresholds)):
        with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
        return _bucketed_counts(y_true, y_pred, weights, len(thresholds), with_epsilon, multi_label)
    return _dense_counts(y_true, y_pred, weights, thr, multi_label)


@defop("ConfusionMatrixUpdate", tensors=("y_true", "y_pred", "sample_weight", "label_weights"), tensor_lists=("state",))
def confusion_update(
    state,
    y_true,
    y_pred,
    sample_weight,
    label_weights,
    kinds=(),
    thresholds=(),
    top_k=None,
    class_id=None,
    multi_label=False,
    from_logits=False,
):
    """New values of the ``kinds`` (tp/fp/tn/fn) count variables after one batch."""
    inc = confusion_increments(
        y_true,
        y_pred,
        sample_weight,
        label_weights,
        thresholds,
        state[0].dtype,
        top_k=top_k,
        class_id=class_id,
        multi_label=multi_label,
        from_logits=from_logits,
    )
    return [s + inc[k].astype(s.dtype) for s, k in zip(state, kinds)]


class _ConfusionBase(Metric):
    """Shared state handling: one ``[thresholds]`` (or ``[thresholds, labels]``) Variable per kind."""

    _kinds: tuple[str, ...] = ()
    _attr = {"tp": "true_positives", "fp": "false_positives", "tn": "true_negatives", "fn": "false_negatives"}

    def _create_counts(self, shape: tuple[int, ...]) -> None:
        for kind in self._kinds:
            setattr(self, self._attr[kind], self.add_weight(name=self._attr[kind], shape=shape, initializer="zeros"))

    def _update_counts(self, y_true: Any, y_pred: Any, sample_weight: Any, label_weights: Any = None, **static) -> None:
        state = [getattr(self, self._attr[k]) for k in self._kinds]
        new = confusion_update(
            state,
            y_true,
            y_pred,
            sample_weight,
            label_weights,
            kinds=self._kinds,
            thresholds=tuple(self._thresholds),
            **static,
        )
        for var, value in zip(state, new):
            var.assign(value)


class _ThresholdCount(_ConfusionBase):
    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self._thresholds = parse_thresholds(thresholds, 0.5)
        self._create_counts((len(self._thresholds),))

    @property
    def thresholds(self) -> list[float]:
        return list(self._thresholds)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        self._update_counts(y_true, y_pred, sample_weight)

    def result(self) -> Tensor:
        var = getattr(self, self._attr[self._kinds[0]])
        return _first_if_single(var, single=len(self._thresholds) == 1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


@defop("CountResult")
def _first_if_single(counts, single=True):
    return counts[0] if single else counts


class TruePositives(_ThresholdCount):
    """Weighted number of true positives at each threshold (``tf.keras.metrics.TruePositives``).

    >>> TruePositives()([0, 1, 1, 1], [1, 0, 1, 1]).numpy()
    np.float32(2.0)
    """

    _kinds = ("tp",)


class FalsePositives(_ThresholdCount):
    """Weighted number of false positives at each threshold (``tf.keras.metrics.FalsePositives``).

    >>> FalsePositives()([0, 1, 0, 0], [0, 0, 1, 1]).numpy()
    np.float32(2.0)
    """

    _kinds = ("fp",)


class TrueNegatives(_ThresholdCount):
    """Weighted number of true negatives at each threshold (``tf.keras.metrics.TrueNegatives``).

    >>> TrueNegatives()([0, 1, 0, 0], [1, 1, 0, 0]).numpy()
    np.float32(2.0)
    """

    _kinds = ("tn",)


class FalseNegatives(_ThresholdCount):
    """Weighted number of false negatives at each threshold (``tf.keras.metrics.FalseNegatives``).

    >>> FalseNegatives()([0, 1, 1, 1], [0, 1, 0, 0]).numpy()
    np.float32(2.0)
    """

    _kinds = ("fn",)


@defop("RatioResult")
def _ratio(num, other, single=True):
    value = divide_no_nan(num, num + other)
    return value[0] if single else value


class _PrecisionRecall(_ConfusionBase):
    def __init__(
        self,
        thresholds: Any = None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self._thresholds = parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        self._create_counts((len(self._thresholds),))

    @property
    def thresholds(self) -> list[float]:
        return list(self._thresholds)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Accumulates true positives and the false positives (Precision) / negatives (Recall)."""
        self._update_counts(y_true, y_pred, sample_weight, top_k=self.top_k, class_id=self.class_id)

    def result(self) -> Tensor:
        other = getattr(self, self._attr[self._kinds[1]])
        return _ratio(self.true_positives, other, single=len(self._thresholds) == 1)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_PrecisionRecall):
    """``tp / (tp + fp)`` at each threshold (default 0.5) (``tf.keras.metrics.Precision``).

    Args:
      thresholds: a float or list of floats in [0, 1]; ``y_pred > threshold`` is positive.
      top_k: only the ``k`` largest predictions per sample count as positive.
      class_id: restrict to one class of a ``[batch, classes]`` prediction.

    >>> Precision()([0, 1, 1, 1], [1, 0, 1, 1]).numpy()
    np.float32(0.6666667)
    """

    _kinds = ("tp", "fp")


class Recall(_PrecisionRecall):
    """``tp / (tp + fn)`` at each threshold (default 0.5) (``tf.keras.metrics.Recall``).

    Same arguments as :class:`Precision`.

    >>> Recall()([0, 1, 1, 1], [1, 0, 1, 1]).numpy()
    np.float32(0.6666667)
    """

    _kinds = ("tp", "fn")


_CURVES = ("ROC", "PR", "PRGAIN")
_SUMMATIONS = ("interpolation", "minoring", "majoring")


def _by_label(values: Any, multi_label: bool, label_weights: Any) -> Any:
    if not multi_label:
        return jnp.sum(values)
    by_label = jnp.sum(values, axis=0)
    if label_weights is None:
        return jnp.mean(by_label)
    return divide_no_nan(jnp.sum(by_label * label_weights), jnp.sum(label_weights))


@defop("AucResult", tensors=("tp", "fp", "tn", "fn", "label_weights"))
def _auc_result(tp, fp, tn, fn, label_weights, curve="ROC", summation="interpolation", multi_label=False):
    n = tp.shape[0]
    if curve == "PR" and summation == "interpolation":
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        prec_slope = divide_no_nan(dtp, jnp.maximum(dp, 0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_ratio = jnp.where(
            (p[: n - 1] > 0) & (p[1:] > 0), divide_no_nan(p[: n - 1], jnp.maximum(p[1:], 0)), jnp.ones_like(p[1:])
        )
        increment = divide_no_nan(prec_slope * (dtp + intercept * jnp.log(safe_ratio)), jnp.maximum(tp[1:] + fn[1:], 0))
        return _by_label(increment, multi_label, label_weights)
    recall = divide_no_nan(tp, tp + fn)
    if curve == "ROC":
        x, y = divide_no_nan(fp, fp + tn), recall
    elif curve == "PR":
        x, y = recall, divide_no_nan(tp, tp + fp)
    else:  # PRGAIN
        scale = divide_no_nan(tp + fn, tn + fp)
        recall_gain = 1.0 - scale * divide_no_nan(fn, tp)
        precision_gain = 1.0 - scale * divide_no_nan(fp, tp)
        recall_gain = jnp.maximum(jnp.where(tp == 0, 0.0, recall_gain), 0.0)
        precision_gain = jnp.where(tp == 0, 1.0, precision_gain)
        x, y = recall_gain, precision_gain
    if summation == "interpolation":
        heights = (y[: n - 1] + y[1:]) / 2.0
    elif summation == "minoring":
        heights = jnp.minimum(y[: n - 1], y[1:])
    else:
        heights = jnp.maximum(y[: n - 1], y[1:])
    return _by_label((x[: n - 1] - x[1:]) * heights, multi_label, label_weights)


class AUC(_ConfusionBase):
    """Area under the ROC or precision-recall curve, from thresholded counts (``tf.keras.metrics.AUC``).

    Args:
      num_thresholds: thresholds evenly spaced in (0, 1) plus endpoints just outside [0, 1]
        (default 200, as in Keras).
      curve: ``"ROC"`` (default), ``"PR"`` or ``"PRGAIN"``.
      summation_method: ``"interpolation"`` (default), ``"minoring"`` or ``"majoring"``.
      thresholds: explicit thresholds in [0, 1] instead of ``num_thresholds``.
      multi_label: treat each column of ``[batch, labels]`` data as a separate label (their
        AUCs are averaged, weighted by ``label_weights``) instead of flattening.
      num_labels: number of labels with ``multi_label`` (else inferred on the first update).
      label_weights: per-label weights.
      from_logits: ``y_pred`` holds logits (a sigmoid is applied).

    >>> round(float(AUC()([0, 0, 1, 1], [0.0, 0.5, 0.3, 0.9])), 4)
    0.75
    """

    _kinds = ("tp", "fp", "tn", "fn")

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: Any = None,
        thresholds: Any = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Any = None,
        from_logits: bool = False,
    ) -> None:
        curve_name = str(getattr(curve, "value", curve)).upper()
        if curve_name not in _CURVES:
            raise ValueError(f'Invalid `curve` argument value "{curve}". Expected one of: {list(_CURVES)}')
        summation = str(getattr(summation_method, "value", summation_method)).lower()
        if summation not in _SUMMATIONS:
            raise ValueError(
                f'Invalid `summation_method` argument value "{summation_method}". Expected one of: {list(_SUMMATIONS)}'
            )
        super().__init__(name=name, dtype=dtype)
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(parse_thresholds(thresholds, 0.5))
            self.num_thresholds = len(inner) + 2
        else:
            if int(num_thresholds) <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: {num_thresholds}")
            self.num_thresholds = int(num_thresholds)
            inner = [(i + 1) * 1.0 / (self.num_thresholds - 1) for i in range(self.num_thresholds - 2)]
        self._thresholds = [0.0 - _EPSILON] + inner + [1.0 + _EPSILON]
        self.curve = curve_name
        self.summation_method = summation
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else np.asarray(label_weights, self._dtype.as_numpy_dtype)
        self._from_logits = bool(from_logits)
        self._built = False
        if self.multi_label:
            if num_labels:
                self._build(num_labels)
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list[float]:
        """The thresholds used, including the endpoints below 0 and above 1."""
        return list(self._thresholds)

    def _build(self, num_labels: int | None) -> None:
        shape = (self.num_thresholds,) if num_labels is None else (self.num_thresholds, int(num_labels))
        self._num_labels = num_labels
        self._create_counts(shape)
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Accumulates tp/fp/tn/fn at every threshold."""
        if not self._built:
            shape = getattr(y_pred, "shape", None) or np.shape(y_pred)
            if len(shape) != 2:
                raise ValueError(
                    f"`y_pred` must have rank 2 when `multi_label=True`. Found rank {len(shape)}. "
                    f"Full shape received for `y_pred`: {tuple(shape)}"
                )
            self._build(shape[1])
        label_weights = None if self.multi_label else self.label_weights
        self._update_counts(
            y_true, y_pred, sample_weight, label_weights, multi_label=self.multi_label, from_logits=self._from_logits
        )

    def result(self) -> Tensor:
        """The area under the curve (a scalar)."""
        label_weights = self.label_weights if self.multi_label else None
        return _auc_result(
            self.true_positives,
            self.false_positives,
            self.true_negatives,
            self.false_negatives,
            label_weights,
            curve=self.curve,
            summation=self.summation_method,
            multi_label=self.multi_label,
        )

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict[str, Any]:
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self._thresholds[1:-1]
        return config
