"""``Block``: a run of consecutive dataset elements, stored column-wise and gathered lazily.

DESIGN: the pipeline moves *blocks*, not single elements. A block is a list of parts;
a part is a tuple of NumPy columns (one per leaf, all with the same leading length)
plus the rows of those columns that the block covers: a ``slice`` (zero-copy views) or
an index array (a pending gather). ``from_tensor_slices`` yields one block covering
all rows; ``shuffle`` yields blocks of permuted row indices into the *same* columns;
``batch`` concatenates the row indices of the pieces it needs and gathers a whole
batch with one ``np.take`` per column. Element-level stages (``map``, generators)
yield one-row blocks, which cost one ``expand_dims`` view per leaf. ``zip`` puts the
parts of its inputs side by side, so zipped tables stay vectorised too.

>>> import numpy as np
>>> from eagerkit._src.data.block import Block
>>> b = Block.from_columns((np.arange(10),))
>>> shuffled = Block([b.parts[0].with_rows(np.array([3, 1, 4]))])
>>> [a.tolist() for a in shuffled.leaves()]
[[3, 1, 4]]
>>> [a.tolist() for a in Block.concat([shuffled, b.take(0, 2)]).leaves()]
[[3, 1, 4, 0, 1]]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor_shape import TensorShape


class Part:
    """Columns (NumPy arrays with a common leading length) and the rows a block uses."""

    __slots__ = ("columns", "rows")

    def __init__(self, columns: tuple[np.ndarray, ...], rows: slice | np.ndarray) -> None:
        self.columns = columns
        self.rows = rows

    def __len__(self) -> int:
        r = self.rows
        if isinstance(r, slice):
            return r.stop - r.start
        return len(r)

    def with_rows(self, rows: slice | np.ndarray) -> Part:
        return Part(self.columns, rows)

    def take(self, start: int, stop: int) -> Part:
        r = self.rows
        if isinstance(r, slice):
            return Part(self.columns, slice(r.start + start, r.start + stop))
        return Part(self.columns, r[start:stop])

    def index(self) -> np.ndarray:
        """The rows as an index array."""
        r = self.rows
        if isinstance(r, slice):
            return np.arange(r.start, r.stop, dtype=np.int64)
        return r

    def arrays(self) -> list[np.ndarray]:
        r = self.rows
        if isinstance(r, slice):
            if self.columns and r.start == 0 and r.stop == len(self.columns[0]):
                return list(self.columns)
            return [c[r] for c in self.columns]
        return [np.take(c, r, axis=0) for c in self.columns]


class Block:
    """A run of elements: the leaves of element ``i`` are row ``i`` of ``leaves()``."""

    __slots__ = ("parts", "length")

    def __init__(self, parts: Sequence[Part], length: int | None = None) -> None:
        self.parts = list(parts)
        self.length = len(self.parts[0]) if length is None else length

    @staticmethod
    def from_columns(columns: Sequence[np.ndarray]) -> Block:
        """A block covering every row of ``columns`` (which share their leading length)."""
        cols = tuple(columns)
        n = len(cols[0]) if cols else 0
        return Block([Part(cols, slice(0, n))], n)

    @staticmethod
    def single(leaves: Sequence[np.ndarray]) -> Block:
        """A one-element block from the element's leaves (zero-copy views)."""
        return Block([Part(tuple(np.expand_dims(a, 0) for a in leaves), slice(0, 1))], 1)

    def __len__(self) -> int:
        return self.length

    def signature(self) -> tuple:
        return tuple(id(p.columns) for p in self.parts)

    def take(self, start: int, stop: int) -> Block:
        """Rows ``start:stop`` of this block."""
        if start == 0 and stop >= self.length:
            return self
        stop = min(stop, self.length)
        return Block([p.take(start, stop) for p in self.parts], max(stop - start, 0))

    def select(self, positions: np.ndarray) -> Block:
        """The rows at ``positions`` (relative to this block), as a pending gather."""
        parts = []
        for p in self.parts:
            r = p.rows
            parts.append(p.with_rows(r.start + positions if isinstance(r, slice) else r[positions]))
        return Block(parts, len(positions))

    def leaves(self) -> list[np.ndarray]:
        """Materialises the block: one array per leaf, ``len(self)`` rows each."""
        out: list[np.ndarray] = []
        for p in self.parts:
            out.extend(p.arrays())
        return out

    def rows(self) -> list[list[np.ndarray]]:
        """The block's elements, each a list of leaves (views into one gather)."""
        arrays = self.leaves()
        return [[a[i] for a in arrays] for i in range(self.length)]

    @staticmethod
    def concat(blocks: Sequence[Block], what: str = "batch") -> Block:
        """Joins blocks end to end; blocks over the same columns join as one pending gather."""
        if len(blocks) == 1:
            return blocks[0]
        sig = blocks[0].signature()
        total = sum(b.length for b in blocks)
        if all(b.signature() == sig for b in blocks):
            parts = []
            for i, p0 in enumerate(blocks[0].parts):
                rows = [b.parts[i].rows for b in blocks]
                if all(isinstance(r, slice) for r in rows) and all(
                    rows[k].stop == rows[k + 1].start for k in range(len(rows) - 1)
                ):
                    merged: slice | np.ndarray = slice(rows[0].start, rows[-1].stop)
                else:
                    merged = np.concatenate([b.parts[i].index() for b in blocks])
                parts.append(Part(p0.columns, merged))
            return Block(parts, total)
        leaf_lists = [b.leaves() for b in blocks]
        out = []
        for j in range(len(leaf_lists[0])):
            pieces = [ls[j] for ls in leaf_lists]
            _check_same_shape(pieces, j, what)
            out.append(np.concatenate(pieces, axis=0))
        return Block.from_columns(out)


def _check_same_shape(pieces: list[np.ndarray], component: int, what: str) -> None:
    first = pieces[0].shape[1:]
    k = 0
    for p in pieces:
        if p.shape[1:] != first:
            raise InvalidArgumentError(
                None,
                "IteratorGetNext",
                f"Cannot {what} tensors with different shapes in component {component}. First element had "
                f"shape {TensorShape(first).as_list()} and element {k} had shape "
                f"{TensorShape(p.shape[1:]).as_list()}.",
            )
        k += len(p)
