"""``Dataset.repeat``: the input's passes one after another.

>>> from eagerkit.data import Dataset
>>> len(Dataset.range(3).repeat(2)), int(Dataset.range(0).repeat().cardinality())
(6, 0)
"""

from __future__ import annotations

from collections.abc import Iterator

from eagerkit._src.data.block import Block
from eagerkit._src.data.dataset import Dataset, PassContext
from eagerkit._src.data.options import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY


class RepeatDataset(Dataset):
    """``count`` passes over the input (forever for a negative count)."""

    def __init__(self, dataset: Dataset, count: int) -> None:
        super().__init__(dataset.element_spec)
        self._inputs = (dataset,)
        self._count = count

    def _cardinality(self) -> int:
        n = self._inputs[0]._cardinality()
        if self._count < 0:
            return 0 if n == 0 else INFINITE_CARDINALITY
        if self._count == 0:
            return 0
        if n in (INFINITE_CARDINALITY, UNKNOWN_CARDINALITY):
            return n
        return n * self._count

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        epoch = 0
        while self._count < 0 or epoch < self._count:
            produced = False
            for block in self._inputs[0]._blocks(ctx):
                produced = True
                yield block
            epoch += 1
            if not produced:
                # An empty pass would repeat forever without producing anything: stop, as TF does.
                return
