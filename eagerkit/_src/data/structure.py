"""Element structures the way ``tf.data`` sees them.

Unlike ``tf.nest``, ``tf.data`` treats tuples, namedtuples and dicts as structure and
*lists as values* (``from_tensor_slices([[1, 2], [3, 4]])`` slices one 2x2 tensor). Dict
leaves flatten in sorted-key order and are packed back in the template's key order.

Inside the pipeline an element is a flat list of NumPy arrays (the leaves); the
structure template, a nest of :class:`TensorSpec`, says how to pack them.

>>> from eagerkit._src.data import structure
>>> structure.flatten({"b": 1, "a": (2, 3)})
[2, 3, 1]
>>> structure.pack({"b": 0, "a": (0, 0)}, [2, 3, 1])
{'b': 1, 'a': (2, 3)}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax
import numpy as np

from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.convert import convert_to_tensor
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.core.tensor_spec import TensorSpec


def is_structure(x: Any) -> bool:
    """True for the containers ``tf.data`` recurses into (tuples, namedtuples, dicts)."""
    return isinstance(x, (tuple, Mapping))


def _keys(d: Mapping) -> list:
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def flatten(x: Any) -> list:
    """The leaves of ``x`` in ``tf.data`` order."""
    out: list = []
    _flatten_into(x, out)
    return out


def _flatten_into(x: Any, out: list) -> None:
    if isinstance(x, Mapping):
        for k in _keys(x):
            _flatten_into(x[k], out)
    elif isinstance(x, tuple):
        for v in x:
            _flatten_into(v, out)
    else:
        out.append(x)


def pack(template: Any, leaves: list) -> Any:
    """Rebuilds ``template``'s structure with ``leaves`` (in ``flatten`` order)."""
    if not is_structure(template):
        return leaves[0]
    it = iter(leaves)
    return _pack(template, it)


def _pack(x: Any, it: Any) -> Any:
    if isinstance(x, Mapping):
        values = {k: _pack(x[k], it) for k in _keys(x)}
        if type(x) is dict:
            return {k: values[k] for k in x}
        return type(x)((k, values[k]) for k in x)
    if isinstance(x, tuple):
        parts = [_pack(v, it) for v in x]
        return type(x)(*parts) if hasattr(x, "_fields") else tuple(parts)
    return next(it)


def map_structure(fn: Callable, template: Any, *others: Any) -> Any:
    """Applies ``fn`` leaf-wise over ``template`` and structures shaped like it."""
    flats = [flatten(template)] + [flatten(o) for o in others]
    return pack(template, [fn(*xs) for xs in zip(*flats)])


def same_structure(a: Any, b: Any) -> bool:
    """True when ``a`` and ``b`` nest the same containers with the same keys."""
    return _shape_of(a) == _shape_of(b)


def _shape_of(x: Any) -> Any:
    if isinstance(x, Mapping):
        return ("dict", tuple((k, _shape_of(x[k])) for k in _keys(x)))
    if isinstance(x, tuple):
        return ("tuple", tuple(_shape_of(v) for v in x))
    return None


def describe(x: Any) -> str:
    """A short text for error messages: the structure with leaves shown as ``.``."""
    return repr(map_structure(lambda _: _Dot(), x)) if is_structure(x) else "a single tensor"


class _Dot:
    def __repr__(self) -> str:
        return "."


# -- values -> host arrays -----------------------------------------------------------------


def to_host_array(value: Any, dtype: _dtypes.DType | None = None) -> np.ndarray:
    """Converts one leaf to a NumPy array with TF's dtype rules (``float`` -> float32).

    Tensors, Variables and jax arrays keep their dtype; NumPy arrays keep theirs; Python
    values get TF's defaults. With ``dtype`` the value is converted to it as TF would.
    """
    if type(value) is Tensor or hasattr(value, "_ek_variable"):
        arr = np.asarray(value)
    elif isinstance(value, jax.core.Tracer):
        raise TypeError(
            "ek.data cannot take a symbolic tensor from inside ek.function as dataset data; "
            "build the dataset outside the compiled function."
        )
    elif isinstance(value, jax.Array):
        arr = np.asarray(value)
    elif isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
    else:
        arr = np.asarray(convert_to_tensor(value, dtype))
    if dtype is not None and arr.dtype != dtype._np:
        arr = np.asarray(convert_to_tensor(arr, dtype))
    try:
        _dtypes.from_numpy(arr.dtype)
    except TypeError:
        raise TypeError(
            f"ek.data cannot hold values of dtype {arr.dtype}: eagerkit tensors are numeric or bool "
            "(strings are not supported on JAX). Encode strings as integer ids first."
        ) from None
    return arr


def spec_of(arr: np.ndarray, drop_leading: bool = False) -> TensorSpec:
    """The TensorSpec of a host array (optionally of one of its rows)."""
    shape = arr.shape[1:] if drop_leading else arr.shape
    return TensorSpec(shape, _dtypes.from_numpy(arr.dtype))


def batched_spec(spec: TensorSpec, batch: int | None) -> TensorSpec:
    """``spec`` with a leading batch dimension (``None`` when not fixed)."""
    return TensorSpec(TensorShape([batch]).concatenate(spec.shape), spec.dtype)


def unbatched_spec(spec: TensorSpec) -> TensorSpec:
    """``spec`` without its leading dimension."""
    dims = spec.shape.dims
    return TensorSpec(None if dims is None else dims[1:], spec.dtype)


def common_spec(a: TensorSpec, b: TensorSpec) -> TensorSpec | None:
    """The most specific spec both ``a`` and ``b`` satisfy (``None`` if dtypes differ)."""
    if a.dtype != b.dtype:
        return None
    da, db = a.shape.dims, b.shape.dims
    if da is None or db is None or len(da) != len(db):
        return TensorSpec(None, a.dtype)
    return TensorSpec([x if x == y else None for x, y in zip(da, db)], a.dtype)


def check_compatible(spec: TensorSpec, arr: np.ndarray, what: str) -> None:
    """Raises TF's errors when a produced value does not match its declared spec."""
    if arr.dtype != spec.dtype._np:
        raise TypeError(
            f"{what} produced a value of dtype {_dtypes.from_numpy(arr.dtype).name} where "
            f"{spec.dtype.name} was expected."
        )
    if not spec.shape.is_compatible_with(arr.shape):
        raise ValueError(
            f"{what} produced an element of shape {TensorShape(arr.shape)} where an element of shape "
            f"{spec.shape} was expected."
        )


def flatten_up_to(template: Any, value: Any) -> list:
    """Flattens ``value`` following ``template``'s structure; below a template leaf, anything goes.

    Tuples in ``value`` may be lists where the template has tuples. Raises ``TypeError``
    when the structures differ.
    """
    if isinstance(template, Mapping):
        if not isinstance(value, Mapping) or set(value) != set(template):
            raise TypeError(f"expected a dict with keys {sorted(template)}, got {value!r}")
        out = []
        for k in _keys(template):
            out.extend(flatten_up_to(template[k], value[k]))
        return out
    if isinstance(template, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(template):
            raise TypeError(f"expected a sequence of {len(template)} items, got {value!r}")
        out = []
        for t, v in zip(template, value):
            out.extend(flatten_up_to(t, v))
        return out
    return [value]
