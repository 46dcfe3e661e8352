"""How per-sample losses become one number: reductions, sample weights and masks.

Keras' rules (``keras/src/losses/loss.py``) are the spec:

* a ``sample_weight`` whose rank differs from the losses' by one is squeezed/expanded on
  its last axis of size 1, then multiplied in (broadcasting);
* ``"sum"`` sums, ``"sum_over_batch_size"`` (and ``"mean"``) divide the weighted sum by
  the number of loss *elements* (not by the sum of weights), ``"mean_with_sample_weight"``
  divides by the sum of weights, ``"none"`` returns the weighted losses unreduced;
* a mask (e.g. from ``ignore_class``) zeroes masked entries and, for the mean reductions,
  re-weights the rest so that the mean is over the valid entries only.

The reduction itself is one op (:func:`reduce_weighted_values`), so it is recorded by
gradient tapes and works on symbolic values inside ``ek.function``.

>>> from eagerkit._src.keras.losses.reduction import reduce_weighted_values
>>> reduce_weighted_values([1.0, 2.0, 3.0], [1.0, 0.0, 1.0]).numpy()
np.float32(1.3333334)
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.ops.op import defop


class Reduction:
    """TF's loss-reduction constants (``tf.keras.losses.Reduction``).

    ``AUTO`` means ``SUM_OVER_BATCH_SIZE`` (there is no distribution strategy to consult).

    >>> Reduction.SUM_OVER_BATCH_SIZE
    'sum_over_batch_size'
    """

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls) -> tuple[str, ...]:
        """The TF reduction names."""
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key: str) -> None:
        """Raises ``ValueError`` unless ``key`` is a valid reduction."""
        standardize_reduction(key)


#: Every accepted spelling, mapped to the canonical Keras name.
_REDUCTIONS = {
    None: "none",
    "none": "none",
    "sum": "sum",
    "sum_over_batch_size": "sum_over_batch_size",
    "auto": "sum_over_batch_size",
    "mean": "mean",
    "mean_with_sample_weight": "mean_with_sample_weight",
}


def standardize_reduction(reduction: str | None) -> str:
    """The canonical name of ``reduction``; raises a ``ValueError`` listing the valid ones."""
    try:
        return _REDUCTIONS[reduction]
    except (KeyError, TypeError):
        valid = ", ".join(repr(k) for k in _REDUCTIONS)
        raise ValueError(
            f"Invalid value for argument `reduction`: {reduction!r}. Expected one of {valid} "
            "(or ek.keras.losses.Reduction.AUTO/NONE/SUM/SUM_OVER_BATCH_SIZE)."
        ) from None


# -- pure JAX helpers (shapes are static, so all branching happens at trace time) -------------
def squeeze_or_expand_to_same_rank(x1: Any, x2: Any, expand_rank_1: bool = True) -> tuple[Any, Any]:
    """Squeezes/expands the last axis (of size 1) when the ranks differ by exactly one."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = jnp.expand_dims(x2, -1)
        else:
            x1 = jnp.squeeze(x1, -1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = jnp.expand_dims(x1, -1)
        else:
            x2 = jnp.squeeze(x2, -1)
    return x1, x2


def divide_no_nan(x: Any, y: Any) -> Any:
    """``x / y``, or 0 where ``y == 0`` (gradient-safe)."""
    safe = jnp.where(y == 0, jnp.ones_like(y), y)
    return jnp.where(y == 0, jnp.zeros_like(x / safe), x / safe)


def mask_to_weights(mask: Any, dtype: Any, reduction: str) -> Any:
    """Keras' ``apply_mask``: 0 for masked entries; for mean reductions ``total / valid``
    for valid ones, so that a mean over all entries becomes a mean over valid entries."""
    if reduction in ("mean", "sum_over_batch_size"):
        total = jnp.asarray(mask.size, dtype)
        valid = jnp.sum(mask.astype(dtype))
        return jnp.where(mask.astype(bool), divide_no_nan(total, valid), jnp.zeros((), dtype))
    return mask.astype(dtype)


def reduce_weighted(values: Any, sample_weight: Any, mask: Any, reduction: str) -> Any:
    """Pure-JAX weighted reduction of per-sample ``values`` (see the module docstring)."""
    if mask is not None:
        mask_w = mask_to_weights(mask, values.dtype, reduction)
        if sample_weight is None:
            sample_weight = mask_w
        else:
            mask_w, sample_weight = squeeze_or_expand_to_same_rank(mask_w, sample_weight.astype(values.dtype))
            sample_weight = sample_weight * mask_w
    if sample_weight is not None:
        sample_weight = sample_weight.astype(values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    if reduction == "none" or values.ndim == 0 or values.shape == (0,):
        return values
    loss = jnp.sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = jnp.sum(sample_weight)
    else:
        divisor = jnp.asarray(values.size, values.dtype)
    return divide_no_nan(loss, divisor)


@defop("ReduceWeightedLoss", tensors=("values", "sample_weight", "mask"))
def _reduce_weighted_op(values, sample_weight, mask, reduction="sum_over_batch_size", dtype=None):
    if dtype is not None:
        values = values.astype(dtype)
    return reduce_weighted(values, sample_weight, mask, reduction)


def reduce_weighted_values(
    values: Any,
    sample_weight: Any = None,
    mask: Any = None,
    reduction: str | None = "sum_over_batch_size",
    dtype: Any = None,
) -> Tensor:
    """Weights per-sample ``values`` and reduces them the way Keras losses do (one op).

    Args:
      values: per-sample (or per-element) losses.
      sample_weight: optional weights, broadcastable to ``values`` after Keras' rank fix-up.
      mask: optional boolean tensor; ``False`` entries are excluded.
      reduction: ``"sum_over_batch_size"`` (default), ``"sum"``, ``"none"``, ``"mean"`` or
        ``"mean_with_sample_weight"``.
      dtype: cast ``values`` to this dtype first (a dtype name such as ``"float32"``).

    >>> reduce_weighted_values([1.0, 3.0], reduction="sum").numpy()
    np.float32(4.0)
    """
    return _reduce_weighted_op(
        values, sample_weight, mask, reduction=standardize_reduction(reduction), dtype=_dtype_name(dtype)
    )


def _dtype_name(dtype: Any) -> str | None:
    if dtype is None:
        return None
    from eagerkit._src.core import dtypes as _dtypes

    return _dtypes.as_dtype(dtype).name
