"""``map``, ``filter`` and ``flat_map``: stages that call user functions.

They run the function on the iterating thread, one element at a time (an element is a
whole batch when the stage follows ``batch``). When a later ``prefetch`` asks for
background work, they prefetch their *input* instead (see ``PassContext``).

>>> import eagerkit as ek
>>> from eagerkit.data import Dataset
>>> ds = Dataset.from_tensor_slices(([1, 2], [3, 4])).map(lambda a, b: {"sum": a + b})
>>> [d["sum"].numpy() for d in ds]
[np.int32(4), np.int32(6)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from eagerkit._src.core import context
from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.tensor_spec import TensorSpec
from eagerkit._src.data import structure
from eagerkit._src.data.block import Block
from eagerkit._src.data.dataset import NO_PREFETCH, Dataset, PassContext
from eagerkit._src.data.options import UNKNOWN_CARDINALITY
from eagerkit._src.data.user_function import UserFunction, apply, spec_from_first, to_tensors


def _element_rows(block: Block) -> list[list[np.ndarray]]:
    if block.length == 1:
        return [[a[0] for a in block.leaves()]]
    return block.rows()


class MapDataset(Dataset):
    """``map_func`` applied to every element."""

    _runs_user_code = True

    def __init__(self, dataset: Dataset, map_func: Callable) -> None:
        self._fn = UserFunction(map_func, dataset.element_spec, "map")
        super().__init__(self._fn.output_spec)
        self._inputs = (dataset,)

    @property
    def element_spec(self) -> Any:
        if self._spec is None:
            # The function could not be traced abstractly: run it on the first element.
            stream = self._blocks(NO_PREFETCH)
            next(stream, None)
            stream.close()
            if self._spec is None:
                raise ValueError(
                    "Cannot determine the element_spec of a `map` whose function cannot be traced and whose "
                    "input is empty."
                )
        return self._spec

    def _cardinality(self) -> int:
        return self._inputs[0]._cardinality()

    def _convert(self, ret: Any) -> list[np.ndarray]:
        leaves = [structure.to_host_array(x) for x in structure.flatten(ret)]
        if self._spec is None:
            self._spec = spec_from_first(ret, leaves)
            return leaves
        if not structure.same_structure(ret, self._spec):
            raise TypeError(
                f"The function passed to `map` returned {structure.describe(ret)}, but earlier returned "
                f"{structure.describe(self._spec)}; it must return the same structure for every element."
            )
        for arr, spec in zip(leaves, structure.flatten(self._spec)):
            structure.check_compatible(spec, arr, "The function passed to `map`")
        return leaves

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        for block in self._input_blocks(self._inputs[0], ctx):
            for leaves in _element_rows(block):
                yield Block.single(self._convert(self._fn.call(leaves)))


class FilterDataset(Dataset):
    """The elements for which ``predicate`` returns ``True``."""

    _runs_user_code = True

    def __init__(self, dataset: Dataset, predicate: Callable) -> None:
        self._fn = UserFunction(predicate, dataset.element_spec, "filter")
        out = self._fn.output_spec
        if out is not None and not (
            isinstance(out, TensorSpec) and out.dtype == _dtypes.bool and out.shape.rank in (0, None)
        ):
            raise ValueError(
                "Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, but its return type is "
                f"{out!r}."
            )
        super().__init__(dataset.element_spec)
        self._inputs = (dataset,)

    def _cardinality(self) -> int:
        return UNKNOWN_CARDINALITY

    def _keep(self, leaves: list[np.ndarray]) -> bool:
        ret = self._fn.call(leaves)
        arr = structure.to_host_array(ret) if not structure.is_structure(ret) else None
        if arr is None or arr.dtype != np.bool_ or arr.ndim != 0:
            raise ValueError(
                f"Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, but it returned {ret!r}."
            )
        return bool(arr)

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        for block in self._input_blocks(self._inputs[0], ctx):
            keep = np.fromiter((self._keep(r) for r in _element_rows(block)), dtype=bool, count=block.length)
            if keep.all():
                yield block
            elif keep.any():
                yield block.select(np.flatnonzero(keep))


class FlatMapDataset(Dataset):
    """The concatenation of the datasets ``map_func`` returns for each element."""

    _runs_user_code = True

    def __init__(self, dataset: Dataset, map_func: Callable) -> None:
        if not callable(map_func):
            raise TypeError(f"`flat_map` expects a callable, got {map_func!r}.")
        super().__init__(None)
        self._inputs = (dataset,)
        self._map_func = map_func
        self._input_spec = dataset.element_spec

    @property
    def element_spec(self) -> Any:
        if self._spec is None:
            stream = self._blocks(NO_PREFETCH)
            next(stream, None)
            stream.close()
            if self._spec is None:
                raise ValueError(
                    "Cannot determine the element_spec of a `flat_map` over an empty dataset (eagerkit learns "
                    "it from the first dataset `map_func` returns)."
                )
        return self._spec

    def _cardinality(self) -> int:
        return UNKNOWN_CARDINALITY

    def _inner(self, leaves: list[np.ndarray]) -> Dataset:
        with context.init_scope():
            inner = apply(self._map_func, to_tensors(self._input_spec, leaves))
        if not isinstance(inner, Dataset):
            raise TypeError(f"The function passed to `flat_map` must return a Dataset, got {type(inner).__name__}.")
        spec = inner.element_spec
        if self._spec is None:
            self._spec = spec
        elif not structure.same_structure(spec, self._spec) or any(
            structure.common_spec(a, b) is None for a, b in zip(structure.flatten(spec), structure.flatten(self._spec))
        ):
            raise TypeError(
                f"The datasets returned by the `flat_map` function must have compatible elements: {spec!r} vs "
                f"{self._spec!r}."
            )
        return inner

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        for block in self._input_blocks(self._inputs[0], ctx):
            for leaves in _element_rows(block):
                yield from self._inner(leaves)._blocks(NO_PREFETCH)
