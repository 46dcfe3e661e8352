"""``TensorSpec``: shape (dims may be None) and dtype describing a tensor (``tf.TensorSpec``).

>>> import eagerkit as ek
>>> spec = ek.TensorSpec(shape=[None], dtype=ek.float32)
>>> spec.is_compatible_with(ek.constant([1.0, 2.0]))
True
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.tensor_shape import TensorShape


class TensorSpec:
    """Describes a tensor by shape and dtype.

    >>> import eagerkit as ek
    >>> spec = ek.TensorSpec([None, 3], ek.float32)
    >>> spec
    TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)
    >>> spec.is_compatible_with(ek.zeros([5, 3]))
    True
    >>> @ek.function(input_signature=[spec])
    ... def total(x):
    ...     return ek.reduce_sum(x)
    >>> total(ek.ones([2, 3]))
    <tf.Tensor: shape=(), dtype=float32, numpy=6.0>
    """

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape: Any, dtype: Any = _dtypes.float32, name: str | None = None) -> None:
        self._shape = TensorShape(shape)
        self._dtype = _dtypes.as_dtype(dtype)
        self._name = name

    @classmethod
    def from_tensor(cls, tensor: Any, name: str | None = None) -> TensorSpec:
        return cls(tensor.shape, tensor.dtype, name)

    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def dtype(self) -> _dtypes.DType:
        return self._dtype

    @property
    def name(self) -> str | None:
        return self._name

    def is_compatible_with(self, spec_or_tensor: Any) -> bool:
        return _dtypes.as_dtype(spec_or_tensor.dtype) == self._dtype and self._shape.is_compatible_with(
            spec_or_tensor.shape
        )

    def most_specific_common_supertype(self, others: list) -> TensorSpec | None:
        dims = self._shape.dims
        for o in others:
            if o.dtype != self._dtype:
                return None
            od = o.shape.dims
            if dims is None or od is None or len(dims) != len(od):
                dims = None
                continue
            dims = [a if a == b else None for a, b in zip(dims, od)]
        return TensorSpec(dims, self._dtype, self._name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TensorSpec) and self._shape == other._shape and self._dtype == other._dtype

    def __hash__(self) -> int:
        return hash((self._shape, self._dtype))

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self._shape}, dtype=tf.{self._dtype.name}, name={self._name!r})"
