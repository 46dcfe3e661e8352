"""``Dataset.zip``: elements of several datasets side by side, as a tuple or dict.

Zipping keeps blocks vectorised: the output block lists the parts of every input's
block, cut to a common length.

>>> from eagerkit.data import Dataset
>>> ds = Dataset.zip({"a": Dataset.range(3), "b": Dataset.range(10, 15)})
>>> len(ds), next(ds.as_numpy_iterator())
(3, {'a': np.int64(0), 'b': np.int64(10)})
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eagerkit._src.data import structure
from eagerkit._src.data.block import Block
from eagerkit._src.data.dataset import Dataset, PassContext
from eagerkit._src.data.options import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY


class ZipDataset(Dataset):
    """A tuple/dict of datasets iterated in lockstep until the shortest ends."""

    def __init__(self, datasets: Any) -> None:
        flat = structure.flatten(datasets)
        for d in flat:
            if not isinstance(d, Dataset):
                raise TypeError(
                    f"Invalid `datasets`. `datasets` is expected to be a (nested) structure of `tf.data.Dataset` "
                    f"objects. Python `list` is not supported and you should use `tuple` instead. Got {d!r}."
                )
        super().__init__(structure.pack(datasets, [d.element_spec for d in flat]))
        self._inputs = tuple(flat)

    def _cardinality(self) -> int:
        result = INFINITE_CARDINALITY
        for d in self._inputs:
            n = d._cardinality()
            if n == UNKNOWN_CARDINALITY:
                return UNKNOWN_CARDINALITY
            if n == INFINITE_CARDINALITY:
                continue
            result = n if result == INFINITE_CARDINALITY else min(result, n)
        return result

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        streams = [d._blocks(ctx) for d in self._inputs]
        current: list[Block | None] = [None] * len(streams)
        offsets = [0] * len(streams)
        try:
            while True:
                for i, s in enumerate(streams):
                    while current[i] is None or offsets[i] >= current[i].length:
                        nxt = next(s, None)
                        if nxt is None:
                            return
                        current[i], offsets[i] = nxt, 0
                m = min(b.length - o for b, o in zip(current, offsets))
                parts = []
                for i, b in enumerate(current):
                    parts.extend(b.take(offsets[i], offsets[i] + m).parts)
                    offsets[i] += m
                yield Block(parts, m)
        finally:
            for s in streams:
                s.close()
