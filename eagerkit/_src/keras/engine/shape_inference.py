"""Output-shape inference for the functional API: run a layer on placeholders under ``jax.eval_shape``.

DESIGN: a layer called on KerasTensors runs its ordinary eager code once more on
abstract values (no FLOPs, no compilation): each KerasTensor becomes a Tensor wrapping
a tracer. Unknown (``None``) dimensions are filled with a stand-in size; when any
exist, the call runs twice with two different stand-ins and output dimensions that
change between the runs are reported as ``None`` (the approach Keras 3 uses on JAX).
While this runs, gradient tapes are hidden and a variable frame discards writes, so
BatchNormalization statistics and the RNG state are left untouched.

>>> import eagerkit as ek
>>> from eagerkit._src.keras.engine.keras_tensor import KerasTensor
>>> from eagerkit._src.keras.engine import shape_inference
>>> spec = shape_inference.output_spec(lambda x: ek.concat([x, x], axis=1), (KerasTensor((None, 3)),), {})
>>> spec.shape
TensorShape([None, 6])
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import jax

from eagerkit._src.core import context
from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.variable import Variable
from eagerkit._src.keras.engine import call_context
from eagerkit._src.keras.engine.keras_tensor import KerasTensor
from eagerkit._src.util import nest

#: Stand-in sizes for unknown dimensions (highly composite, so reshapes divide evenly).
FILL_VALUES = (840, 1680)
_current_fill: list[int] = []


class _DiscardingFrame:
    """Variable frame used during shape inference: real values are read, writes are dropped."""

    tracing = True

    def read(self, var: Any) -> Any:
        return var._value

    def write(self, var: Any, value: Any) -> None:
        return None

    def created(self, var: Any) -> None:
        return None


def current_fill() -> int | None:
    """The stand-in size of unknown dimensions in the running shape inference (None outside)."""
    return _current_fill[-1] if _current_fill else None


@contextlib.contextmanager
def _isolated(fill: int) -> Iterator[None]:
    saved_tapes, saved_frames = context.tapes, context.frames
    context.tapes = []
    context.frames = saved_frames + [_DiscardingFrame()]
    _current_fill.append(fill)
    try:
        with call_context.symbolic_scope():
            yield
    finally:
        _current_fill.pop()
        context.tapes, context.frames = saved_tapes, saved_frames


def _leaf_value(x: Any) -> Any:
    if type(x) is Tensor:
        return x._value
    if isinstance(x, Variable):
        return x._read()
    return None


def _run(fn: Callable, args: tuple, kwargs: dict, fill: int) -> tuple[Any, list]:
    flat = nest.flatten((args, kwargs))
    positions = [i for i, x in enumerate(flat) if isinstance(x, KerasTensor)]
    structs = []
    for p in positions:
        kt = flat[p]
        shape = tuple(fill if d is None else d for d in kt.shape.as_list())
        structs.append(jax.ShapeDtypeStruct(shape, kt.dtype.as_numpy_dtype))
    holder: dict[str, Any] = {}

    def f(*arrays: Any) -> list:
        new_flat = list(flat)
        for p, a in zip(positions, arrays):
            new_flat[p] = Tensor(a)
        a2, k2 = nest.pack_sequence_as((args, kwargs), new_flat)
        with _isolated(fill):
            out = fn(*a2, **k2)
        holder["out"] = out
        return [_leaf_value(leaf) for leaf in nest.flatten(out)]

    values = jax.eval_shape(f, *structs)
    return holder["out"], values


def output_spec(fn: Callable, args: tuple, kwargs: dict) -> Any:
    """Runs ``fn(*args, **kwargs)`` (KerasTensors inside) abstractly; returns the output structure
    with every tensor replaced by a ``KerasTensor`` of the inferred shape and dtype (without history)."""
    kts = [x for x in nest.flatten((args, kwargs)) if isinstance(x, KerasTensor)]
    has_unknown = any(d is None for kt in kts for d in kt.shape.as_list())
    out_a, vals_a = _run(fn, args, kwargs, FILL_VALUES[0])
    vals_b = _run(fn, args, kwargs, FILL_VALUES[1])[1] if has_unknown else vals_a
    leaves = nest.flatten(out_a)
    result = []
    for leaf, va, vb in zip(leaves, vals_a, vals_b):
        if va is None:
            result.append(leaf)
            continue
        shape = [a if a == b else None for a, b in zip(va.shape, vb.shape)]
        result.append(KerasTensor(shape, _dtypes.from_numpy(va.dtype)))
    return nest.pack_sequence_as(out_a, result)


def unfill_shape(shape: Any) -> Any:
    """Maps stand-in sizes back to None (used when a layer is built during shape inference)."""
    fill = current_fill()
    if fill is None or shape is None:
        return shape
    from eagerkit._src.core.tensor_shape import TensorShape

    if isinstance(shape, (TensorShape, tuple, list)) and all(d is None or isinstance(d, int) for d in shape):
        return TensorShape([None if d == fill else d for d in shape])
    return shape
