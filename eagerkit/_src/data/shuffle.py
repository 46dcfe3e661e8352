"""``Dataset.shuffle``: TF's buffered shuffle, on row indices wherever possible.

With a buffer at least as large as an in-memory table (``from_tensor_slices``), each
epoch is one ``rng.permutation`` of the row indices. Otherwise it is TF's algorithm:
fill a buffer with ``buffer_size`` elements, then repeatedly emit a uniformly chosen
buffered element and put the next input element in its place. The buffer holds
(block, row) references, not data, so the emitted blocks are pending gathers over the
input's columns and a following ``batch`` still gathers each batch in one step.

>>> from eagerkit.data import Dataset
>>> ds = Dataset.range(10).shuffle(3, seed=0)
>>> out = list(ds.as_numpy_iterator())
>>> sorted(out) == list(range(10)), all(out[i] <= i + 2 for i in range(10))
(True, True)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np

from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.data.block import Block, Part
from eagerkit._src.data.dataset import Dataset, PassContext
from eagerkit._src.data.options import UNKNOWN_CARDINALITY
from eagerkit._src.data.seeds import dataset_seed

_PERMUTATION_CHUNK = 4096
_EMIT_CHUNK = 256
_RANDOM_CHUNK = 4096


class ShuffleDataset(Dataset):
    """The input's elements in random order (a new order each pass by default)."""

    def __init__(self, dataset: Dataset, buffer_size: int, seed: int | None, reshuffle_each_iteration: bool) -> None:
        if buffer_size <= 0 and buffer_size != UNKNOWN_CARDINALITY:
            raise InvalidArgumentError(
                None,
                "ShuffleDatasetV3",
                "buffer_size must be greater than zero or UNKNOWN_CARDINALITY [Op:ShuffleDatasetV3]",
            )
        super().__init__(dataset.element_spec)
        self._inputs = (dataset,)
        # UNKNOWN_CARDINALITY as the buffer size means "buffer the whole dataset", as in TF.
        self._buffer = buffer_size if buffer_size > 0 else None
        self._seed = dataset_seed(seed)
        self._reshuffle = reshuffle_each_iteration
        self._epochs = itertools.count()

    def _cardinality(self) -> int:
        return self._inputs[0]._cardinality()

    def _rng(self) -> np.random.Generator:
        epoch = next(self._epochs) if self._reshuffle else 0
        return np.random.default_rng([*self._seed, epoch])

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        rng = self._rng()
        source = self._inputs[0]
        table = getattr(source, "_table", None)
        if table is not None:
            columns, n = table()
            if self._buffer is None or self._buffer >= n:
                perm = rng.permutation(n)
                for i in range(0, n, _PERMUTATION_CHUNK):
                    rows = perm[i : i + _PERMUTATION_CHUNK]
                    yield Block([Part(columns, rows)], len(rows))
                return
        yield from self._buffered(source._blocks(ctx), rng)

    def _buffered(self, stream: Iterator[Block], rng: np.random.Generator) -> Iterator[Block]:
        capacity = self._buffer
        rows = ((block, i) for block in stream for i in range(block.length))
        buf_blocks: list[Block] = []
        buf_rows: list[int] = []
        for block, i in rows:
            buf_blocks.append(block)
            buf_rows.append(i)
            if capacity is not None and len(buf_blocks) >= capacity:
                break
        out_blocks: list[Block] = []
        out_rows: list[int] = []
        randoms: list[float] = []
        r = 0
        while buf_blocks:
            if r == len(randoms):
                randoms, r = rng.random(_RANDOM_CHUNK).tolist(), 0
            j = int(randoms[r] * len(buf_blocks))
            r += 1
            out_blocks.append(buf_blocks[j])
            out_rows.append(buf_rows[j])
            nxt = next(rows, None)
            if nxt is None:
                buf_blocks[j], buf_rows[j] = buf_blocks[-1], buf_rows[-1]
                buf_blocks.pop()
                buf_rows.pop()
            else:
                buf_blocks[j], buf_rows[j] = nxt
            if len(out_blocks) == _EMIT_CHUNK:
                yield from _emit(out_blocks, out_rows)
                out_blocks, out_rows = [], []
        if out_blocks:
            yield from _emit(out_blocks, out_rows)


def _emit(blocks: list[Block], rows: list[int]) -> Iterator[Block]:
    """Blocks holding the given (block, row) elements in order, as few and as lazy as possible."""
    first = blocks[0]
    if all(b is first for b in blocks):
        yield first.select(np.asarray(rows, dtype=np.int64))
        return
    sig = first.signature()
    if all(b.signature() == sig for b in blocks):
        parts = []
        for p, part in enumerate(first.parts):
            index = np.fromiter(
                (_absolute(b.parts[p].rows, i) for b, i in zip(blocks, rows)), dtype=np.int64, count=len(rows)
            )
            parts.append(Part(part.columns, index))
        yield Block(parts, len(rows))
        return
    for b, i in zip(blocks, rows):
        yield b.take(i, i + 1)


def _absolute(rows: slice | np.ndarray, i: int) -> int:
    return rows.start + i if isinstance(rows, slice) else int(rows[i])
