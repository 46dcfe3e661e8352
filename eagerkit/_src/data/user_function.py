"""Calling user functions (``map``, ``filter``, ``flat_map``, ``reduce``) on dataset elements.

The function receives eager Tensors; a tuple element is unpacked into positional
arguments (as ``tf.data`` does), anything else is passed as one argument. A returned
list becomes a tuple; every returned leaf is converted with TF's dtype rules. The
function runs under ``init_scope``: like ``tf.data``'s own graph, it is not recorded by
an active ``GradientTape``.

The output ``element_spec`` is found without running the pipeline, by tracing the
function with ``jax.eval_shape`` on abstract inputs (unknown dimensions tried at two
sizes; dimensions that change become ``None``). Variables are read, never written,
during that trace. When the function cannot be traced (it converts values to NumPy,
branches on them in Python, ...), the spec comes from the first element produced, with
every dimension ``None``.

>>> import eagerkit as ek
>>> from eagerkit._src.data.user_function import UserFunction
>>> f = UserFunction(lambda x: (x, x * 2.0), ek.TensorSpec([None, 3], ek.float32), "map")
>>> f.output_spec
(TensorSpec(shape=(None, 3), dtype=tf.float32, name=None), TensorSpec(shape=(None, 3), dtype=tf.float32, name=None))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from eagerkit._src.core import context
from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.convert import to_array
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.tensor_spec import TensorSpec
from eagerkit._src.data import structure


class _ReadOnlyFrame:
    """A variable frame for shape inference: reads see real values, writes are dropped."""

    tracing = True

    def read(self, var: Any) -> Any:
        return var._value

    def write(self, var: Any, value: Any) -> None:
        pass

    def created(self, var: Any) -> None:
        pass


def to_tensors(template: Any, leaves: list) -> Any:
    """Packs host leaves into ``template``'s structure as eager Tensors."""
    arrays = jax.device_put(leaves)
    return structure.pack(template, [Tensor(a) for a in arrays])


def apply(fn: Callable, element: Any) -> Any:
    """Calls ``fn`` on one element, unpacking tuples into positional arguments."""
    if type(element) is tuple:
        return fn(*element)
    return fn(element)


class UserFunctionError(TypeError):
    """The user function returned something a dataset element cannot be."""


def normalize_output(ret: Any, what: str) -> Any:
    """A list return becomes a tuple (as in ``tf.data``); ``None`` is refused."""
    if isinstance(ret, list):
        ret = tuple(ret)
    if ret is None or any(leaf is None for leaf in structure.flatten(ret)):
        raise UserFunctionError(
            f"The function passed to `{what}` returned None (or a structure containing None). "
            "Return the tensors that make up the new element."
        )
    return ret


class UserFunction:
    """A user function bound to the ``element_spec`` of its input dataset."""

    def __init__(self, fn: Callable, input_spec: Any, what: str) -> None:
        if not callable(fn):
            raise TypeError(f"`{what}` expects a callable, got {fn!r}.")
        self.fn = fn
        self.input_spec = input_spec
        self.what = what
        self.output_spec = self._infer()

    # -- running ----------------------------------------------------------------------
    def call(self, leaves: list) -> Any:
        """Runs the function on one element given as host leaves; returns its raw output."""
        with context.init_scope():
            element = to_tensors(self.input_spec, leaves)
            return normalize_output(apply(self.fn, element), self.what)

    # -- shape inference ---------------------------------------------------------------
    def _infer(self) -> Any:
        specs = structure.flatten(self.input_spec)
        if any(s.shape.rank is None for s in specs):
            return None
        try:
            first = self._abstract_output(specs, 2)
            second = self._abstract_output(specs, 3)
        except UserFunctionError:
            raise
        except Exception:  # noqa: BLE001 - any failure means "not traceable": fall back to running
            return None
        (tmpl_a, outs_a), (tmpl_b, outs_b) = first, second
        if not structure.same_structure(tmpl_a, tmpl_b):
            return None
        merged = []
        for a, b in zip(outs_a, outs_b):
            if a.dtype != b.dtype or len(a.shape) != len(b.shape):
                return None
            dims = [x if x == y else None for x, y in zip(a.shape, b.shape)]
            merged.append(TensorSpec(dims, _dtypes.from_numpy(np.dtype(a.dtype))))
        return structure.pack(tmpl_a, merged)

    def _abstract_output(self, specs: list, unknown_size: int) -> tuple[Any, list]:
        shapes = [
            jax.ShapeDtypeStruct(tuple(unknown_size if d is None else d for d in s.shape.dims), s.dtype._np)
            for s in specs
        ]
        captured: dict[str, Any] = {}

        def traced(*arrays: Any) -> list:
            element = structure.pack(self.input_spec, [Tensor(a) for a in arrays])
            ret = normalize_output(apply(self.fn, element), self.what)
            captured["template"] = ret
            return [jnp.asarray(to_array(leaf)) for leaf in structure.flatten(ret)]

        with context.init_scope():
            context.frames.append(_ReadOnlyFrame())
            try:
                outs = jax.eval_shape(traced, *shapes)
            finally:
                context.frames.pop()
        return captured["template"], outs


def spec_from_first(template: Any, leaves: list) -> Any:
    """The fallback spec: the first element's structure, ranks and dtypes, all dims ``None``."""
    return structure.pack(
        template, [TensorSpec([None] * np.ndim(a), _dtypes.from_numpy(np.asarray(a).dtype)) for a in leaves]
    )
