"""``from_tensor_slices`` and ``from_tensors``: datasets over in-memory arrays.

The arrays are copied once (unless already immutable) and marked read-only, so the
pipeline can hand out zero-copy views and pending gathers over them safely.

>>> import numpy as np
>>> from eagerkit.data import Dataset
>>> ds = Dataset.from_tensor_slices({"x": np.zeros((4, 2)), "y": [1, 2, 3, 4]})
>>> ds.element_spec["x"], len(ds)
(TensorSpec(shape=(2,), dtype=tf.float64, name=None), 4)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from eagerkit._src.data import structure
from eagerkit._src.data.block import Block
from eagerkit._src.data.dataset import Dataset, PassContext


def _normalize(tensors: Any) -> tuple[Any, list[np.ndarray]]:
    """The element template (lists become values) and its leaves as read-only host arrays."""
    if isinstance(tensors, list) and any(structure.is_structure(v) for v in tensors):
        raise TypeError(
            "A list of tuples/dicts cannot be sliced: tf.data treats a list as one tensor. Pass a tuple "
            "of arrays (or a dict of arrays) instead, e.g. from_tensor_slices((images, labels))."
        )
    leaves = []
    for leaf in structure.flatten(tensors):
        if leaf is None:
            raise ValueError("Attempt to convert a value (None) with an unsupported type (NoneType) to a Tensor.")
        arr = structure.to_host_array(leaf)
        if arr.flags.writeable:
            arr = arr.copy()
            arr.setflags(write=False)
        leaves.append(arr)
    if not leaves:
        raise ValueError("from_tensor_slices/from_tensors needs at least one tensor; got an empty structure.")
    return tensors, leaves


class TensorSliceDataset(Dataset):
    """One element per row of the given arrays."""

    def __init__(self, tensors: Any) -> None:
        template, leaves = _normalize(tensors)
        n = None
        for arr in leaves:
            if arr.ndim == 0:
                raise ValueError("Unbatching a tensor is only supported for rank >= 1")
            if n is None:
                n = arr.shape[0]
            elif arr.shape[0] != n:
                raise ValueError(
                    f"Dimensions {n} and {arr.shape[0]} are not compatible: every component passed to "
                    "from_tensor_slices must have the same size in its first dimension."
                )
        super().__init__(structure.pack(template, [structure.spec_of(a, drop_leading=True) for a in leaves]))
        self._columns = tuple(leaves)
        self._n = int(n)

    def _cardinality(self) -> int:
        return self._n

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        if self._n:
            yield Block.from_columns(self._columns)

    def _table(self) -> tuple[tuple[np.ndarray, ...], int]:
        """The columns and row count (lets ``shuffle`` permute indices directly)."""
        return self._columns, self._n


class TensorDataset(Dataset):
    """A single element."""

    def __init__(self, tensors: Any) -> None:
        template, leaves = _normalize(tensors)
        super().__init__(structure.pack(template, [structure.spec_of(a) for a in leaves]))
        self._block = Block.single(leaves)

    def _cardinality(self) -> int:
        return 1

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        yield self._block
