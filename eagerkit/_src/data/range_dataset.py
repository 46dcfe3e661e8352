"""``Dataset.range``: arithmetic progressions, produced in vectorised chunks.

>>> from eagerkit.data import Dataset
>>> list(Dataset.range(10, 2, -3).as_numpy_iterator())
[np.int64(10), np.int64(7), np.int64(4)]
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor_spec import TensorSpec
from eagerkit._src.data.block import Block
from eagerkit._src.data.dataset import Dataset, PassContext
from eagerkit._src.data.options import as_int

_CHUNK = 4096


class RangeDataset(Dataset):
    """``range(stop)`` / ``range(start, stop[, step])`` as a dataset of scalars."""

    def __init__(self, args: tuple, output_type: _dtypes.DType) -> None:
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Invalid arguments to Dataset.range: {args!r} (expected stop or start, stop[, step]).")
        vals = [as_int(a, "range argument") for a in args]
        start, stop, step = (0, vals[0], 1) if len(vals) == 1 else (vals[0], vals[1], vals[2] if len(vals) == 3 else 1)
        if step == 0:
            raise InvalidArgumentError(None, "RangeDataset", "step must be a non-zero integer.")
        if not (output_type.is_integer or output_type.is_floating):
            raise TypeError(f"Dataset.range output_type must be an integer or float dtype, got {output_type.name}.")
        super().__init__(TensorSpec([], output_type))
        self._start, self._stop, self._step = start, stop, step
        self._np = output_type._np

    def _cardinality(self) -> int:
        return len(range(self._start, self._stop, self._step))

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        r = range(self._start, self._stop, self._step)
        for i in range(0, len(r), _CHUNK):
            sub = r[i : i + _CHUNK]
            values = np.arange(sub.start, sub.stop, sub.step, dtype=np.int64).astype(self._np, copy=False)
            values.setflags(write=False)
            yield Block.from_columns((values,))
