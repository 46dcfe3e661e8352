"""``Dataset.concatenate``: one dataset's elements followed by another's.

>>> from eagerkit.data import Dataset
>>> len(Dataset.range(3).concatenate(Dataset.range(5)))
8
"""

from __future__ import annotations

from collections.abc import Iterator

from eagerkit._src.data import structure
from eagerkit._src.data.block import Block
from eagerkit._src.data.dataset import Dataset, PassContext
from eagerkit._src.data.options import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY


class ConcatenateDataset(Dataset):
    """``first`` then ``second``; their elements must have the same structure and dtypes."""

    def __init__(self, first: Dataset, second: Dataset) -> None:
        if not isinstance(second, Dataset):
            raise TypeError(f"`concatenate` expects a Dataset, got {type(second).__name__}.")
        a, b = first.element_spec, second.element_spec
        if not structure.same_structure(a, b):
            raise TypeError(f"Incompatible dataset elements:\n  {a!r} vs.   {b!r}")
        merged = [structure.common_spec(x, y) for x, y in zip(structure.flatten(a), structure.flatten(b))]
        if any(m is None for m in merged):
            raise TypeError(f"Incompatible dataset elements:\n  {a!r} vs.   {b!r}")
        super().__init__(structure.pack(a, merged))
        self._inputs = (first, second)

    def _cardinality(self) -> int:
        n1, n2 = (d._cardinality() for d in self._inputs)
        if INFINITE_CARDINALITY in (n1, n2):
            return INFINITE_CARDINALITY
        if UNKNOWN_CARDINALITY in (n1, n2):
            return UNKNOWN_CARDINALITY
        return n1 + n2

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        for d in self._inputs:
            yield from d._blocks(ctx)
