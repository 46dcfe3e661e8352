"""TensorFlow dtypes on top of NumPy/JAX dtypes.

DESIGN: eagerkit enables JAX's 64-bit mode (``jax_enable_x64``) on import so that
``int64`` and ``float64`` are real dtypes, as in TensorFlow. The price is that JAX's
own defaults become 64-bit, so eagerkit never relies on them: every conversion of a
Python value picks TF's default itself (``float`` -> float32, ``int`` -> int32), and
ops pass explicit dtypes to ``jax.numpy``. Other JAX code running in the same process
also sees x64 enabled; code that passes explicit dtypes is unaffected.

>>> import eagerkit as ek
>>> ek.float32.name, ek.int64.is_integer, ek.as_dtype("float64") == ek.float64
('float32', True, True)
"""

from __future__ import annotations

from typing import Any

import jax
import ml_dtypes
import numpy as np

jax.config.update("jax_enable_x64", True)


class DType:
    """A tensor element type, like ``tf.DType``.

    >>> import eagerkit as ek
    >>> ek.float32
    tf.float32
    >>> ek.float32.name, ek.float32.is_floating, ek.int32.max
    ('float32', True, 2147483647)
    >>> ek.as_dtype("int64") == ek.int64
    True
    >>> ek.constant([1, 2]).dtype
    tf.int32
    """

    __slots__ = ("_name", "_np")

    def __init__(self, name: str, np_dtype: Any) -> None:
        self._name = name
        self._np = np.dtype(np_dtype) if np_dtype is not None else None

    @property
    def name(self) -> str:
        return self._name

    @property
    def as_numpy_dtype(self) -> type:
        if self._np is None:
            return object
        return self._np.type

    @property
    def base_dtype(self) -> DType:
        return self

    @property
    def is_floating(self) -> bool:
        return self._np is not None and (np.issubdtype(self._np, np.floating) or self._np == ml_dtypes.bfloat16)

    @property
    def is_integer(self) -> bool:
        return self._np is not None and np.issubdtype(self._np, np.integer)

    @property
    def is_unsigned(self) -> bool:
        return self._np is not None and np.issubdtype(self._np, np.unsignedinteger)

    @property
    def is_complex(self) -> bool:
        return self._np is not None and np.issubdtype(self._np, np.complexfloating)

    @property
    def is_bool(self) -> bool:
        return self._np is not None and self._np == np.bool_

    @property
    def is_numeric(self) -> bool:
        return self._np is not None and not self.is_bool

    @property
    def size(self) -> int:
        return 0 if self._np is None else self._np.itemsize

    @property
    def min(self):
        if self.is_floating:
            return ml_dtypes.finfo(self._np).min
        if self.is_integer:
            return np.iinfo(self._np).min
        raise TypeError(f"Cannot find minimum value of {self._name}.")

    @property
    def max(self):
        if self.is_floating:
            return ml_dtypes.finfo(self._np).max
        if self.is_integer:
            return np.iinfo(self._np).max
        raise TypeError(f"Cannot find maximum value of {self._name}.")

    @property
    def real_dtype(self) -> DType:
        if self._name == "complex64":
            return float32
        if self._name == "complex128":
            return float64
        return self

    def is_compatible_with(self, other: Any) -> bool:
        return self == as_dtype(other)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DType):
            return self is other
        try:
            return self is as_dtype(other)
        except TypeError:
            return False

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        return f"tf.{self._name}"

    def __str__(self) -> str:
        return f"<dtype: '{self._name}'>"

    def __reduce__(self):
        return as_dtype, (self._name,)


float16 = DType("float16", np.float16)
half = float16
bfloat16 = DType("bfloat16", ml_dtypes.bfloat16)
float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
double = float64
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
uint16 = DType("uint16", np.uint16)
uint32 = DType("uint32", np.uint32)
uint64 = DType("uint64", np.uint64)
bool = DType("bool", np.bool_)  # noqa: A001 - TF's public name
complex64 = DType("complex64", np.complex64)
complex128 = DType("complex128", np.complex128)
string = DType("string", None)

_ALL = [
    float16,
    bfloat16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
    bool,
    complex64,
    complex128,
    string,
]
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update({"half": float16, "double": float64, "float": float32, "int": int32})
_BY_NP = {d._np: d for d in _ALL if d._np is not None}


def from_numpy(np_dtype: np.dtype) -> DType:
    """The DType for a NumPy dtype (fast path used by Tensor.dtype)."""
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        raise TypeError(f"dtype {np_dtype} is not supported by eagerkit") from None


def as_dtype(type_value: Any) -> DType:
    """Converts a DType, NumPy dtype, dtype name or Python type to a DType (``tf.as_dtype``).

    >>> import eagerkit as ek
    >>> ek.as_dtype("int32"), ek.as_dtype(float)
    (tf.int32, tf.float32)
    """
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        if type_value in _BY_NAME:
            return _BY_NAME[type_value]
        raise TypeError(
            f"Cannot convert {type_value!r} to an eagerkit DType; valid names: {', '.join(sorted(_BY_NAME))}."
        )
    if type_value is float:
        return float32
    if type_value is int:
        return int32
    if type_value is builtins_bool:
        return bool
    if type_value is complex:
        return complex128
    try:
        return from_numpy(np.dtype(type_value))
    except TypeError:
        raise TypeError(f"Cannot convert {type_value!r} to an eagerkit DType.") from None


import builtins as _builtins  # noqa: E402

builtins_bool = _builtins.bool

__all__ = [d.name for d in _ALL] + ["DType", "as_dtype", "half", "double"]
