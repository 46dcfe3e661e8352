"""``Dataset.from_generator``: elements produced by a Python generator.

Each pass calls ``generator(*args)`` afresh (``args`` arrive as NumPy values). Every
yielded value is converted to the declared dtype and checked against the declared
shape, with TF's messages when it does not fit.

>>> import eagerkit as ek
>>> from eagerkit.data import Dataset
>>> def gen():
...     yield 1, [2.0]
>>> ds = Dataset.from_generator(gen, output_signature=(ek.TensorSpec([], ek.int64), ek.TensorSpec([1], ek.float32)))
>>> list(ds.as_numpy_iterator())
[(np.int64(1), array([2.], dtype=float32))]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from eagerkit._src.core.convert import convert_to_tensor
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.core.tensor_spec import TensorSpec
from eagerkit._src.data import structure
from eagerkit._src.data.block import Block
from eagerkit._src.data.dataset import Dataset, PassContext
from eagerkit._src.data.options import UNKNOWN_CARDINALITY


def _signature(output_types: Any, output_shapes: Any, output_signature: Any) -> Any:
    if output_signature is not None:
        if output_types is not None or output_shapes is not None:
            raise TypeError(
                "The `output_types` and `output_shapes` arguments can not be used together with the "
                "`output_signature` argument."
            )
        for s in structure.flatten(output_signature):
            if not isinstance(s, TensorSpec):
                raise TypeError(
                    f"`output_signature` must contain objects that are subclass of `tf.TypeSpec` but found {s!r}."
                )
        return output_signature
    if output_types is None:
        raise TypeError("To specify the output signature you need to provide `output_signature` (or `output_types`).")
    return _specs_from_types(output_types, output_shapes)


def _specs_from_types(types: Any, shapes: Any) -> Any:
    """Pairs ``output_types`` with ``output_shapes`` (whose leaves are shapes, i.e. lists)."""
    if isinstance(types, dict):
        return {k: _specs_from_types(types[k], None if shapes is None else shapes[k]) for k in types}
    if isinstance(types, tuple):
        shapes = [None] * len(types) if shapes is None else shapes
        return tuple(_specs_from_types(t, s) for t, s in zip(types, shapes))
    return TensorSpec(None if shapes is None else TensorShape(shapes), types)


class GeneratorDataset(Dataset):
    """Elements from ``generator(*args)``; the length is unknown."""

    _runs_user_code = True

    def __init__(
        self, generator: Callable, output_types: Any, output_shapes: Any, args: Any, output_signature: Any
    ) -> None:
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        spec = _signature(output_types, output_shapes, output_signature)
        super().__init__(spec)
        self._generator = generator
        self._args = tuple(np.asarray(convert_to_tensor(a)) for a in (args or ()))
        self._leaf_specs = structure.flatten(spec)

    def _cardinality(self) -> int:
        return UNKNOWN_CARDINALITY

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        it = iter(self._generator(*self._args))
        try:
            for value in it:
                yield Block.single(self._convert(value))
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()

    def _convert(self, value: Any) -> list[np.ndarray]:
        values = self._flatten_value(value)
        out = []
        for v, spec in zip(values, self._leaf_specs):
            try:
                arr = np.asarray(v, dtype=spec.dtype._np)
            except (TypeError, ValueError) as e:
                raise InvalidArgumentError(
                    None,
                    "IteratorGetNext",
                    "TypeError: `generator` yielded an element that could not be converted to the expected type. "
                    f"The expected type was {spec.dtype.name}, but the yielded element was {v!r} ({e}).",
                ) from None
            if not spec.shape.is_compatible_with(arr.shape):
                raise InvalidArgumentError(
                    None,
                    "IteratorGetNext",
                    f"TypeError: `generator` yielded an element of shape {TensorShape(arr.shape)} where an element "
                    f"of shape {spec.shape} was expected.",
                )
            out.append(arr)
        return out

    def _flatten_value(self, value: Any) -> list:
        spec = self.element_spec
        if not structure.is_structure(spec):
            return [value]
        try:
            return structure.flatten_up_to(spec, value)
        except (TypeError, KeyError, IndexError, ValueError):
            raise InvalidArgumentError(
                None,
                "IteratorGetNext",
                f"TypeError: `generator` yielded an element that did not match the expected structure. The "
                f"expected structure was {structure.describe(spec)}, but the yielded element was {value!r}.",
            ) from None
