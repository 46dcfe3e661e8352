"""Weight regularizers (``tf.keras.regularizers``): penalties added to ``layer.losses``.

A regularizer is called on a weight and returns a scalar Tensor, computed with
eagerkit ops so that a tape records it (``model.losses`` is evaluated on access).

>>> import eagerkit as ek
>>> reg = ek.keras.regularizers.l2(0.5)
>>> float(reg(ek.constant([1.0, 2.0])))
2.5
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.keras.engine import serialization
from eagerkit._src.ops import math_ops


def _check_factor(value: Any, name: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Value for argument `{name}` must be a float. Received: {name}={value!r}") from None
    if value < 0:
        raise ValueError(f"Value for argument `{name}` must be non-negative. Received: {name}={value}")
    return value


class Regularizer:
    """Base class: ``__call__(x)`` returns a scalar penalty; ``get_config`` round-trips.

    >>> import eagerkit as ek
    >>> class SumOfSquares(ek.keras.regularizers.Regularizer):
    ...     def __call__(self, x):
    ...         return 0.5 * ek.reduce_sum(ek.square(x))
    >>> layer = ek.keras.layers.Dense(1, kernel_initializer="ones", kernel_regularizer=SumOfSquares())
    >>> _ = layer(ek.ones([1, 2]))
    >>> layer.losses
    [<tf.Tensor: shape=(), dtype=float32, numpy=1.0>]
    """

    def __call__(self, x: Any) -> Tensor:
        raise NotImplementedError(f"Regularizer subclass {type(self).__name__} must implement __call__.")

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        return cls(**config)


class L1L2(Regularizer):
    """``l1 * sum(abs(x)) + l2 * sum(square(x))``.

    >>> import eagerkit as ek
    >>> float(L1L2(l1=1.0, l2=1.0)(ek.constant([-1.0, 2.0])))
    8.0
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _check_factor(l1, "l1")
        self.l2 = _check_factor(l2, "l2")

    def __call__(self, x: Any) -> Tensor:
        dtype = x.dtype
        total = None
        if self.l1:
            total = math_ops.multiply(math_ops.cast(self.l1, dtype), math_ops.reduce_sum(math_ops.abs(x)))
        if self.l2:
            term = math_ops.multiply(math_ops.cast(self.l2, dtype), math_ops.reduce_sum(math_ops.square(x)))
            total = term if total is None else math_ops.add(total, term)
        if total is None:
            return math_ops.multiply(math_ops.reduce_sum(x), math_ops.cast(0.0, dtype))
        return total

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """``l1 * sum(abs(x))`` (default ``l1=0.01``).

    >>> import eagerkit as ek
    >>> ek.keras.regularizers.L1(0.1)(ek.constant([-1.0, 2.0]))
    <tf.Tensor: shape=(), dtype=float32, numpy=0.3>
    """

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = _check_factor(l1, "l1")

    def __call__(self, x: Any) -> Tensor:
        return math_ops.multiply(math_ops.cast(self.l1, x.dtype), math_ops.reduce_sum(math_ops.abs(x)))

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(square(x))`` (default ``l2=0.01``).

    >>> import eagerkit as ek
    >>> ek.keras.regularizers.L2(0.1)(ek.constant([-1.0, 2.0]))
    <tf.Tensor: shape=(), dtype=float32, numpy=0.5>
    """

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = _check_factor(l2, "l2")

    def __call__(self, x: Any) -> Tensor:
        return math_ops.multiply(math_ops.cast(self.l2, x.dtype), math_ops.reduce_sum(math_ops.square(x)))

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """An :class:`L1L2` regularizer with both factors defaulting to 0.01 (as in tf.keras).

    >>> import eagerkit as ek
    >>> reg = ek.keras.regularizers.l1_l2(l1=0.1, l2=0.1)
    >>> reg(ek.constant([-1.0, 2.0]))
    <tf.Tensor: shape=(), dtype=float32, numpy=0.8>
    """
    return L1L2(l1=l1, l2=l2)


l1 = L1
l2 = L2

_TABLE: dict[str, Any] = {"L1L2": L1L2, "L1": L1, "L2": L2, "l1": L1, "l2": L2, "l1_l2": l1_l2}


def serialize(regularizer: Regularizer | None) -> dict[str, Any] | None:
    """``{"class_name": ..., "config": ...}`` for a regularizer.

    >>> import eagerkit as ek
    >>> ek.keras.regularizers.serialize(ek.keras.regularizers.L2(0.5))
    {'class_name': 'L2', 'config': {'l2': 0.5}}
    """
    return serialization.serialize_object(regularizer)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Regularizer:
    """Builds a regularizer from :func:`serialize`'s output (or a name).

    >>> import eagerkit as ek
    >>> r = ek.keras.regularizers.deserialize({"class_name": "L2", "config": {"l2": 0.5}})
    >>> type(r).__name__, r.l2
    ('L2', 0.5)
    """
    obj = serialization.deserialize_object(config, _TABLE, "regularizer", custom_objects)
    return obj() if isinstance(obj, type) or obj is l1_l2 else obj


def get(identifier: Any) -> Any:
    """A regularizer from a name (``'l2'``), a config, an instance, a callable or None.

    >>> import eagerkit as ek
    >>> type(ek.keras.regularizers.get("l2")).__name__
    'L2'
    >>> ek.keras.regularizers.get(None) is None
    True
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret regularizer identifier: {identifier!r}. Pass 'l1', 'l2', 'l1_l2', "
        "a Regularizer instance or a callable."
    )
