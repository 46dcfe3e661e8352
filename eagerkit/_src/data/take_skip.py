"""``take``, ``skip`` and ``shard``: selecting elements by position.

>>> from eagerkit.data import Dataset
>>> list(Dataset.range(10).skip(2).take(3).as_numpy_iterator())
[np.int64(2), np.int64(3), np.int64(4)]
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.data.block import Block
from eagerkit._src.data.dataset import Dataset, PassContext
from eagerkit._src.data.options import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY


class TakeDataset(Dataset):
    """The first ``count`` elements (all for a negative count)."""

    def __init__(self, dataset: Dataset, count: int) -> None:
        super().__init__(dataset.element_spec)
        self._inputs = (dataset,)
        self._count = count

    def _cardinality(self) -> int:
        n = self._inputs[0]._cardinality()
        if n == UNKNOWN_CARDINALITY:
            return UNKNOWN_CARDINALITY
        if self._count < 0:
            return n
        if n == INFINITE_CARDINALITY:
            return self._count
        return min(n, self._count)

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        if self._count < 0:
            yield from self._inputs[0]._blocks(ctx)
            return
        left = self._count
        if left == 0:
            return
        stream = self._inputs[0]._blocks(ctx)
        try:
            for block in stream:
                if block.length >= left:
                    yield block.take(0, left)
                    return
                left -= block.length
                yield block
        finally:
            stream.close()


class SkipDataset(Dataset):
    """All but the first ``count`` elements (none for a negative count)."""

    def __init__(self, dataset: Dataset, count: int) -> None:
        super().__init__(dataset.element_spec)
        self._inputs = (dataset,)
        self._count = count

    def _cardinality(self) -> int:
        n = self._inputs[0]._cardinality()
        if n in (UNKNOWN_CARDINALITY, INFINITE_CARDINALITY):
            return n
        if self._count < 0:
            return 0
        return max(0, n - self._count)

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        if self._count < 0:
            for _ in self._inputs[0]._blocks(ctx):
                pass
            return
        left = self._count
        for block in self._inputs[0]._blocks(ctx):
            if left >= block.length:
                left -= block.length
                continue
            yield block.take(left, block.length) if left else block
            left = 0


class ShardDataset(Dataset):
    """Every ``num_shards``-th element starting at ``index``."""

    def __init__(self, dataset: Dataset, num_shards: int, index: int) -> None:
        if num_shards <= 0:
            raise InvalidArgumentError(
                None, "ShardDataset", f"Number of shards must be greater than zero (got {num_shards})."
            )
        if not 0 <= index < num_shards:
            raise InvalidArgumentError(
                None, "ShardDataset", f"Index must be between 0 and {num_shards - 1} (currently index = {index})."
            )
        super().__init__(dataset.element_spec)
        self._inputs = (dataset,)
        self._num_shards, self._index = num_shards, index

    def _cardinality(self) -> int:
        n = self._inputs[0]._cardinality()
        if n < 0:
            return n
        return n // self._num_shards + (1 if self._index < n % self._num_shards else 0)

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        position = 0
        for block in self._inputs[0]._blocks(ctx):
            first = (self._index - position) % self._num_shards
            keep = np.arange(first, block.length, self._num_shards)
            position += block.length
            if len(keep):
                yield block.select(keep)
