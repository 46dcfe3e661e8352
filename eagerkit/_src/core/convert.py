"""Conversion of Python values, NumPy arrays, jax arrays, Tensors and Variables to arrays.

TF's dtype rules are the spec: Python ``float`` -> float32, ``int`` -> int32 (int64 when
it does not fit), ``bool`` -> bool, ``complex`` -> complex128; NumPy arrays keep their
dtype. A requested dtype that would lose information (2.5 -> int32, a float64 Tensor
-> float32) is refused, as TF refuses it.
"""

from __future__ import annotations

import numbers
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor import Tensor

_INT32 = np.iinfo(np.int32)
_PY_SCALARS = (bool, int, float, complex)


def _default_np_dtype(arr: np.ndarray) -> np.dtype:
    """TF's default dtype for an array NumPy built from Python values."""
    kind = arr.dtype.kind
    if kind == "f":
        return np.dtype(np.float32)
    if kind in "iu":
        if arr.size and (arr.min() < _INT32.min or arr.max() > _INT32.max):
            return np.dtype(np.int64)
        return np.dtype(np.int32)
    if kind == "c":
        return np.dtype(np.complex128)
    if kind == "b":
        return np.dtype(np.bool_)
    raise TypeError(
        f"eagerkit cannot make a tensor of {arr.dtype} values (strings and objects are not "
        "supported on JAX); pass numbers, booleans or a numeric NumPy array."
    )


def _python_to_numpy(value: Any, np_dtype: np.dtype | None) -> np.ndarray:
    try:
        raw = np.asarray(value)
    except ValueError as e:
        raise ValueError(f"Can't convert non-rectangular Python sequence to Tensor: {e}") from None
    if raw.dtype == object:
        raise TypeError(f"Failed to convert elements of {value!r} to Tensor.")
    if np_dtype is None:
        return raw.astype(_default_np_dtype(raw), copy=False)
    target = np.dtype(np_dtype)
    if raw.dtype.kind in "fc" and target.kind in "iub":
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {_dtypes.from_numpy(target).name}")
    if raw.dtype.kind == "c" and target.kind == "f":
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {_dtypes.from_numpy(target).name}")
    if raw.dtype.kind in "iu" and target.kind in "iu" and raw.size:
        info = np.iinfo(target)
        if raw.min() < info.min or raw.max() > info.max:
            raise TypeError(
                f"Cannot convert {value!r} to EagerTensor of dtype "
                f"{_dtypes.from_numpy(target).name}: value out of range"
            )
    return raw.astype(target)


def to_array(value: Any, dtype: Any = None, name: str | None = None) -> Any:
    """Converts ``value`` to a jax array (or tracer) following TF's conversion rules."""
    np_dtype = None if dtype is None else _dtypes.as_dtype(dtype)._np
    t = type(value)
    if t is Tensor:
        arr = value._value
    elif hasattr(value, "_ek_variable"):
        arr = value._read()
    elif isinstance(value, (jax.Array, jax.core.Tracer)):
        arr = value
    elif isinstance(value, (np.ndarray, np.generic)):
        if value.dtype.kind in "OSUV":
            raise TypeError(f"eagerkit cannot make a tensor of {value.dtype} values.")
        if np_dtype is not None and value.dtype != np_dtype:
            return jnp.asarray(_python_to_numpy(value, np_dtype))
        return jnp.asarray(value)
    elif isinstance(value, (list, tuple)) and _contains_tensor(value):
        parts = [to_array(v, dtype) for v in value]
        return jnp.stack(parts)
    elif value is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type (NoneType) to a Tensor.")
    elif isinstance(value, (_PY_SCALARS, list, tuple, numbers.Number)):
        return jnp.asarray(_python_to_numpy(value, np_dtype))
    elif hasattr(value, "__jax_array__"):
        arr = value.__jax_array__()
    elif hasattr(value, "__array__"):
        return to_array(np.asarray(value), dtype)
    else:
        raise ValueError(
            f"Attempt to convert a value ({value!r}) with an unsupported type ({type(value).__name__}) to a Tensor."
        )
    if np_dtype is not None and arr.dtype != np_dtype:
        have = _dtypes.from_numpy(arr.dtype).name
        want = _dtypes.from_numpy(np_dtype).name
        raise InvalidArgumentError(
            None, None, f"Tensor conversion requested dtype {want} for Tensor with dtype {have}: {value!r}"
        )
    return arr


def _contains_tensor(seq: Any) -> bool:
    for v in seq:
        if type(v) is Tensor or hasattr(v, "_ek_variable") or isinstance(v, jax.core.Tracer):
            return True
        if isinstance(v, (list, tuple)) and _contains_tensor(v):
            return True
    return False


def convert_to_tensor(value: Any, dtype: Any = None, dtype_hint: Any = None, name: str | None = None) -> Tensor:
    """Converts Python values, NumPy/jax arrays, Tensors and Variables to a Tensor.

    >>> import eagerkit as ek
    >>> ek.convert_to_tensor([1.0, 2.0]).dtype, ek.convert_to_tensor(3).dtype
    (tf.float32, tf.int32)
    """
    if type(value) is Tensor and dtype is None:
        return value
    if dtype is None and dtype_hint is not None:
        try:
            return Tensor(to_array(value, dtype_hint))
        except (TypeError, ValueError):
            pass
    return Tensor(to_array(value, dtype))


def constant(value: Any, dtype: Any = None, shape: Any = None, name: str = "Const") -> Tensor:
    """Creates a constant tensor (``tf.constant``).

    With ``shape``, a scalar is broadcast and a sequence of matching size reshaped.

    >>> import eagerkit as ek
    >>> ek.constant(0, shape=[2, 2]).numpy().tolist()
    [[0, 0], [0, 0]]
    >>> ek.constant([1.0, 2.0, 3.0, 4.0], shape=[2, 2]).shape
    TensorShape([2, 2])
    """
    if isinstance(value, (Tensor, jax.Array)) or hasattr(value, "_ek_variable"):
        arr = to_array(value)
        if dtype is not None:
            arr = arr.astype(_dtypes.as_dtype(dtype)._np)
    else:
        arr = to_array(value, dtype)
    if shape is not None:
        shape = tuple(int(d) for d in shape)
        size = int(np.prod(shape)) if shape else 1
        if arr.size == size:
            arr = arr.reshape(shape)
        elif arr.size == 1:
            arr = jnp.broadcast_to(arr.reshape(()), shape)
        else:
            raise TypeError(
                f"Eager execution of tf.constant with unsupported shape. Tensor {value!r} "
                f"(converted from {value!r}) has {arr.size} elements, but got `shape` {shape} "
                f"with {size} elements)."
            )
    return Tensor(arr)


def is_tensor(x: Any) -> bool:
    """True for Tensors and Variables (``tf.is_tensor``).

    >>> import eagerkit as ek
    >>> ek.is_tensor(ek.constant(1)), ek.is_tensor(1)
    (True, False)
    """
    return type(x) is Tensor or isinstance(x, Tensor) or hasattr(x, "_ek_variable")
