"""Weight constraints (``tf.keras.constraints``): projections applied after each optimizer update.

A constraint is called on a weight value and returns the projected value; layers pass
it to ``ek.Variable(constraint=...)`` and optimizers apply it after ``apply_gradients``.

>>> import eagerkit as ek
>>> ek.keras.constraints.NonNeg()(ek.constant([-1.0, 2.0])).numpy().tolist() == [0.0, 2.0]
True
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.keras.engine import backend_config, serialization
from eagerkit._src.ops import math_ops


class Constraint:
    """Base class: ``__call__(w)`` returns the constrained weight value.

    >>> import eagerkit as ek
    >>> class Clip(ek.keras.constraints.Constraint):
    ...     def __call__(self, w):
    ...         return ek.clip_by_value(w, -1.0, 1.0)
    >>> layer = ek.keras.layers.Dense(2, kernel_constraint=Clip())
    >>> Clip()(ek.constant([-3.0, 0.5]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([-1. ,  0.5], dtype=float32)>
    """

    def __call__(self, w: Any) -> Tensor:
        return w

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        return cls(**config)


def _norms(w: Any, axis: Any) -> Tensor:
    return math_ops.sqrt(math_ops.reduce_sum(math_ops.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescales weights whose norm along ``axis`` exceeds ``max_value``.

    >>> import eagerkit as ek
    >>> [round(v, 4) for v in MaxNorm(1.0)(ek.constant([[3.0], [4.0]]))[:, 0].numpy().tolist()]
    [0.6, 0.8]
    """

    def __init__(self, max_value: float = 2, axis: Any = 0) -> None:
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w: Any) -> Tensor:
        dtype = w.dtype
        norms = _norms(w, self.axis)
        desired = math_ops.minimum(norms, math_ops.cast(self.max_value, dtype))
        eps = math_ops.cast(backend_config.epsilon(), dtype)
        return math_ops.multiply(w, math_ops.truediv(desired, math_ops.add(eps, norms)))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero.

    >>> import eagerkit as ek
    >>> ek.keras.constraints.NonNeg()(ek.constant([-1.0, 2.0]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([-0.,  2.], dtype=float32)>
    """

    def __call__(self, w: Any) -> Tensor:
        return math_ops.multiply(w, math_ops.cast(math_ops.greater_equal(w, math_ops.cast(0.0, w.dtype)), w.dtype))


class UnitNorm(Constraint):
    """Scales weights to unit norm along ``axis``.

    >>> import eagerkit as ek
    >>> [round(v, 4) for v in UnitNorm()(ek.constant([[3.0], [4.0]]))[:, 0].numpy().tolist()]
    [0.6, 0.8]
    """

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def __call__(self, w: Any) -> Tensor:
        eps = math_ops.cast(backend_config.epsilon(), w.dtype)
        return math_ops.truediv(w, math_ops.add(eps, _norms(w, self.axis)))

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keeps norms along ``axis`` within ``[min_value, max_value]`` (moved there at ``rate``).

    >>> import eagerkit as ek
    >>> w = ek.constant([[3.0], [4.0]])  # column norm 5
    >>> ek.keras.constraints.MinMaxNorm(min_value=0.0, max_value=1.0)(w)
    <tf.Tensor: shape=(2, 1), dtype=float32, numpy=
    array([[0.6],
           [0.8]], dtype=float32)>
    """

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Any = 0) -> None:
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w: Any) -> Tensor:
        dtype = w.dtype
        norms = _norms(w, self.axis)
        clipped = math_ops.minimum(
            math_ops.maximum(norms, math_ops.cast(self.min_value, dtype)), math_ops.cast(self.max_value, dtype)
        )
        desired = math_ops.add(
            math_ops.multiply(math_ops.cast(self.rate, dtype), clipped),
            math_ops.multiply(math_ops.cast(1.0 - self.rate, dtype), norms),
        )
        eps = math_ops.cast(backend_config.epsilon(), dtype)
        return math_ops.multiply(w, math_ops.truediv(desired, math_ops.add(eps, norms)))

    def get_config(self) -> dict[str, Any]:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

_TABLE: dict[str, Any] = {
    "MaxNorm": MaxNorm,
    "NonNeg": NonNeg,
    "UnitNorm": UnitNorm,
    "MinMaxNorm": MinMaxNorm,
    "max_norm": MaxNorm,
    "non_neg": NonNeg,
    "unit_norm": UnitNorm,
    "min_max_norm": MinMaxNorm,
}


def serialize(constraint: Constraint | None) -> dict[str, Any] | None:
    """``{"class_name": ..., "config": ...}`` for a constraint.

    >>> import eagerkit as ek
    >>> ek.keras.constraints.serialize(ek.keras.constraints.MaxNorm(3.0))
    {'class_name': 'MaxNorm', 'config': {'max_value': 3.0, 'axis': 0}}
    """
    return serialization.serialize_object(constraint)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Constraint:
    """Builds a constraint from :func:`serialize`'s output (or a name).

    >>> import eagerkit as ek
    >>> c = ek.keras.constraints.deserialize({"class_name": "MaxNorm", "config": {"max_value": 3.0, "axis": 0}})
    >>> type(c).__name__, c.max_value
    ('MaxNorm', 3.0)
    """
    obj = serialization.deserialize_object(config, _TABLE, "constraint", custom_objects)
    return obj() if isinstance(obj, type) else obj


def get(identifier: Any) -> Any:
    """A constraint from a name (``'non_neg'``), a config, an instance, a callable or None.

    >>> import eagerkit as ek
    >>> type(ek.keras.constraints.get("non_neg")).__name__
    'NonNeg'
    >>> ek.keras.constraints.get(None) is None
    True
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret constraint identifier: {identifier!r}. Pass a name such as 'max_norm', "
        "a Constraint instance or a callable."
    )
