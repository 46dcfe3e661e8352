"""``Dataset.cache``: replay the first complete pass, from memory or from a file.

In memory, the blocks of the first pass that runs to the end are kept (they are
read-only views and gathers, so keeping them is cheap) and replayed by later passes.
With a ``filename``, the first complete pass is written to ``<filename>.ekcache.npz``
through a temporary file renamed into place, so an interrupted pass never leaves a
partial cache; later passes, in this process or another, read that file.

>>> from eagerkit.data import Dataset
>>> calls = []
>>> ds = Dataset.range(3).map(lambda x: (calls.append(1), x)[1]).cache()
>>> first = list(ds)
>>> n = len(calls)  # the first pass ran the map function
>>> second = list(ds)
>>> len(calls) == n  # the second pass replayed the cache
True
>>> [int(x) for x in second]
[0, 1, 2]
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator

import numpy as np

from eagerkit._src.data import structure
from eagerkit._src.data.block import Block
from eagerkit._src.data.dataset import Dataset, PassContext

_SUFFIX = ".ekcache.npz"


class CacheDataset(Dataset):
    """The input's first complete pass, replayed."""

    def __init__(self, dataset: Dataset, filename: str) -> None:
        super().__init__(dataset.element_spec)
        self._inputs = (dataset,)
        self._path = filename + _SUFFIX if filename else None
        self._memory: list[Block] | None = None
        self._lock = threading.Lock()
        self._n_leaves = len(structure.flatten(self.element_spec))

    def _cardinality(self) -> int:
        return self._inputs[0]._cardinality()

    def _has_user_code(self) -> bool:
        if self._memory is not None or (self._path is not None and os.path.exists(self._path)):
            return False
        return super()._has_user_code()

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        if self._memory is not None:
            yield from self._memory
            return
        if self._path is not None and os.path.exists(self._path):
            yield from self._read_file()
            return
        seen: list[Block] = []
        for block in self._inputs[0]._blocks(ctx):
            seen.append(block)
            yield block
        with self._lock:
            if self._path is None:
                if self._memory is None:
                    self._memory = seen
            elif not os.path.exists(self._path):
                self._write_file(seen)

    def _write_file(self, blocks: list[Block]) -> None:
        arrays = {}
        for i, block in enumerate(blocks):
            for j, leaf in enumerate(block.leaves()):
                arrays[f"b{i}_{j}"] = leaf
        directory = os.path.dirname(os.path.abspath(self._path))
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".ekcache-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, n_blocks=np.asarray(len(blocks)), **arrays)
            os.replace(tmp, self._path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def _read_file(self) -> Iterator[Block]:
        with np.load(self._path, allow_pickle=False) as data:
            n_blocks = int(data["n_blocks"])
            for i in range(n_blocks):
                leaves = [data[f"b{i}_{j}"] for j in range(self._n_leaves)]
                for j, (leaf, spec) in enumerate(zip(leaves, structure.flatten(self.element_spec))):
                    if leaf.dtype != spec.dtype._np or not spec.shape.is_compatible_with(leaf.shape[1:]):
                        raise ValueError(
                            f"The cache file {self._path} holds component {j} as {leaf.dtype}{list(leaf.shape[1:])}, "
                            f"which does not match this dataset's {spec!r}. Delete the file or use another filename."
                        )
                yield Block.from_columns(leaves)
