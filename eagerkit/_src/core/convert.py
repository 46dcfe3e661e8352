"""Conversion of Python values, NumPy arrays, jax arrays, Tensors and Variables to arrays.

TF's dtype rules are the spec: Python ``float`` -> float32, ``int`` -> int32 (int64 when
it does not fit), ``bool`` -> bool, ``complex`` -> complex128; NumPy arrays keep their
dtype. With a requested dtype, as in TF:

- a Python value must keep its kind: ``2.5`` -> int32, ``1j`` -> float32 and ``1`` -> bool
  are refused (TypeError); integers outside an integer dtype's range wrap around;
- a NumPy value is cast (``np.array([1.5])`` -> int32 gives 1);
- a Tensor or Variable must already have that dtype (use ``ek.cast``).

Ops use this to make Python and NumPy operands "weak": they take the dtype of the op's
Tensor operands (see ``eagerkit._src.ops.op``).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.tensor_shape import TensorShape

_INT32 = np.iinfo(np.int32)
_INT64 = np.iinfo(np.int64)
_PY_SCALARS = (bool, int, float, complex)


def _default_np_dtype(arr: np.ndarray) -> np.dtype:
    """TF's default dtype for an array NumPy built from Python values."""
    kind = arr.dtype.kind
    if kind == "f":
        return np.dtype(np.float32)
    if kind in "iu":
        if arr.size and (arr.min() < _INT32.min or arr.max() > _INT32.max):
            if kind == "u" and arr.max() > _INT64.max:
                raise ValueError("Can't convert Python sequence with out-of-range integer to Tensor.")
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


def _refuse(value: Any, target: np.dtype) -> TypeError:
    return TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {_dtypes.from_numpy(target).name}")


def _python_to_numpy(value: Any, np_dtype: np.dtype | None) -> np.ndarray:
    """Python scalars and (nested) lists to NumPy with TF's rules.

    A requested dtype may not lose the kind of the value (a float into an integer tensor,
    a complex into a real one, an integer into bool are refused, as TF refuses them);
    integers outside an integer dtype's range wrap around, as they do in TF.
    """
    try:
        raw = np.asarray(value)
    except ValueError as e:
        raise ValueError(f"Can't convert non-rectangular Python sequence to Tensor: {e}") from None
    except OverflowError:
        raise ValueError("Can't convert Python sequence with out-of-range integer to Tensor.") from None
    if raw.dtype == object:
        if any(isinstance(v, int) and not isinstance(v, bool) for v in np.ravel(raw)):
            raise ValueError("Can't convert Python sequence with out-of-range integer to Tensor.")
        raise TypeError(f"Failed to convert elements of {value!r} to Tensor.")
    if np_dtype is None:
        return raw.astype(_default_np_dtype(raw), copy=False)
    target = np.dtype(np_dtype)
    if raw.size:
        kind, want = raw.dtype.kind, target.kind
        if (kind in "fc" and want in "iub") or (kind == "c" and want != "c") or (kind in "iu" and want == "b"):
            raise _refuse(value, target)
        if kind == "u" and raw.max() > _INT64.max:
            raise ValueError("Can't convert Python sequence with out-of-range integer to Tensor.")
    if raw.dtype.kind in "iu" and target.kind in "iu":
        raw = raw.astype(np.int64)  # wrap around like TF (numpy casts int64 -> narrower ints modulo 2**n)
    with np.errstate(over="ignore", invalid="ignore"):  # 1e40 -> float16 is inf, as in TF
        return raw.astype(target)


def _numpy_to_dtype(value: np.ndarray | np.generic, target: np.dtype) -> np.ndarray:
    """A NumPy value converted to a requested dtype: a plain cast, as TF does for NumPy input."""
    arr = np.asarray(value)
    if arr.dtype.kind == "c" and target.kind != "c":
        arr = arr.real
    with np.errstate(over="ignore", invalid="ignore"):
        return arr.astype(target)


#: Converted Python scalars, keyed by (type, value, requested dtype). jax arrays are immutable,
#: so sharing them is safe; this makes ``x + 1`` as cheap as ``x + y``.
_SCALAR_CACHE: dict[tuple, Any] = {}
_SCALAR_CACHE_MAX = 4096


def _scalar_to_array(value: Any, np_dtype: np.dtype | None) -> Any:
    key = (type(value), value, np_dtype)
    try:
        return _SCALAR_CACHE[key]
    except KeyError:
        pass
    arr = jnp.asarray(_python_to_numpy(value, np_dtype))
    if isinstance(arr, jax.core.Tracer):
        return arr  # created inside a trace: never cache a tracer
    if value == 0 and type(value) is float and math.copysign(1.0, value) < 0:
        return arr  # -0.0 == 0.0 as a dict key: do not let one stand for the other
    if len(_SCALAR_CACHE) >= _SCALAR_CACHE_MAX:
        _SCALAR_CACHE.clear()
    _SCALAR_CACHE[key] = arr
    return arr


def to_array(value: Any, dtype: Any = None, name: str | None = None) -> Any:
    """Converts ``value`` to a jax array (or tracer) following TF's conversion rules.

    With ``dtype``: Python values must fit its kind (``2.5`` is refused for int32), NumPy
    values are cast (as TF casts them), and Tensors/Variables must already have it.
    """
    np_dtype = None if dtype is None else _dtypes.as_dtype(dtype)._np
    t = type(value)
    if t is float or t is int or t is bool:
        return _scalar_to_array(value, np_dtype)
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
            return jnp.asarray(_numpy_to_dtype(value, np_dtype))
        return jnp.asarray(value)
    elif isinstance(value, (list, tuple)) and _contains_tensor(value):
        parts = [to_array(v, dtype) for v in value]
        return jnp.stack(parts)
    elif value is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type (NoneType) to a Tensor.")
    elif isinstance(value, TensorShape):
        if not value.is_fully_defined():
            raise ValueError(f"Cannot convert a partially known TensorShape {value} to a Tensor.")
        return jnp.asarray(_python_to_numpy(value.as_list(), np_dtype))
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
    if type(value) is Tensor or hasattr(value, "_ek_variable"):
        arr = to_array(value)
        if dtype is not None and arr.dtype != _dtypes.as_dtype(dtype)._np:
            raise TypeError(
                f"Expected tensor {np.asarray(arr)} with dtype {_dtypes.as_dtype(dtype)!r}, but got dtype "
                f"{_dtypes.from_numpy(arr.dtype)!r}. Use ek.cast to change a tensor's dtype."
            )
    elif isinstance(value, jax.Array):
        arr = value if dtype is None else value.astype(_dtypes.as_dtype(dtype)._np)
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
