"""``batch``, ``padded_batch`` and ``unbatch``.

``batch`` cuts its input's blocks into pieces of ``batch_size`` rows and joins each
batch's pieces with :meth:`Block.concat`: pieces over the same columns (the usual
``from_tensor_slices(...).shuffle(n).batch(b)``) become one gather per column.

>>> from eagerkit.data import Dataset
>>> [b.numpy().tolist() for b in Dataset.range(10).batch(2).batch(3)][1]
[[6, 7], [8, 9]]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from eagerkit._src.core.convert import to_array
from eagerkit._src.core.errors import DataLossError, InvalidArgumentError
from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.core.tensor_spec import TensorSpec
from eagerkit._src.data import structure
from eagerkit._src.data.block import Block
from eagerkit._src.data.dataset import Dataset, PassContext
from eagerkit._src.data.options import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY


def _check_batch_size(batch_size: int, op: str) -> None:
    if batch_size <= 0:
        raise InvalidArgumentError(None, op, f"Batch size must be greater than zero. [Op:{op}]")


def _batch_cardinality(n: int, batch_size: int, drop_remainder: bool) -> int:
    if n in (INFINITE_CARDINALITY, UNKNOWN_CARDINALITY):
        return n
    return n // batch_size if drop_remainder else -(-n // batch_size)


def _pieces(stream: Iterator[Block], batch_size: int, drop_remainder: bool) -> Iterator[list[Block]]:
    """Groups the rows of ``stream`` into lists of blocks totalling ``batch_size`` rows."""
    pending: list[Block] = []
    have = 0
    for block in stream:
        offset = 0
        while offset < block.length:
            piece = block.take(offset, offset + batch_size - have)
            pending.append(piece)
            have += piece.length
            offset += piece.length
            if have == batch_size:
                yield pending
                pending, have = [], 0
    if pending and not drop_remainder:
        yield pending


class BatchDataset(Dataset):
    """Consecutive elements stacked along a new first dimension."""

    def __init__(self, dataset: Dataset, batch_size: int, drop_remainder: bool) -> None:
        _check_batch_size(batch_size, "BatchDatasetV2")
        dim = batch_size if drop_remainder else None
        super().__init__(structure.map_structure(lambda s: structure.batched_spec(s, dim), dataset.element_spec))
        self._inputs = (dataset,)
        self._batch_size, self._drop = batch_size, drop_remainder

    def _cardinality(self) -> int:
        return _batch_cardinality(self._inputs[0]._cardinality(), self._batch_size, self._drop)

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        for pieces in _pieces(self._inputs[0]._blocks(ctx), self._batch_size, self._drop):
            yield Block.single(Block.concat(pieces, "batch").leaves())


class PaddedBatchDataset(Dataset):
    """Batches whose components are padded to a common (or the given) shape."""

    def __init__(
        self, dataset: Dataset, batch_size: int, padded_shapes: Any, padding_values: Any, drop_remainder: bool
    ) -> None:
        _check_batch_size(batch_size, "PaddedBatchDatasetV2")
        spec = dataset.element_spec
        leaf_specs = structure.flatten(spec)
        for s in leaf_specs:
            if s.shape.rank is None and padded_shapes is None:
                raise ValueError(
                    "You must provide `padded_shapes` argument because component of the input dataset has "
                    "an unknown rank."
                )
        self._targets = self._target_shapes(spec, leaf_specs, padded_shapes)
        self._pads = self._padding_values(spec, leaf_specs, padding_values)
        dim = batch_size if drop_remainder else None
        out = [TensorSpec(TensorShape([dim]).concatenate(t), s.dtype) for t, s in zip(self._targets, leaf_specs)]
        super().__init__(structure.pack(spec, out))
        self._inputs = (dataset,)
        self._batch_size, self._drop = batch_size, drop_remainder

    @staticmethod
    def _target_shapes(spec: Any, leaf_specs: list, padded_shapes: Any) -> list[TensorShape]:
        if padded_shapes is None:
            return [s.shape for s in leaf_specs]
        try:
            given = structure.flatten_up_to(spec, padded_shapes)
        except TypeError as e:
            raise ValueError(f"`padded_shapes` must match the structure of the dataset elements: {e}.") from None
        out = []
        for g, s in zip(given, leaf_specs):
            if isinstance(g, (int, np.integer)):
                g = [int(g)]
            dims = [None if d is None or int(d) == -1 else int(d) for d in np.asarray(g, dtype=object).reshape(-1)]
            shape = TensorShape(dims)
            if s.shape.rank is not None and (
                shape.rank != s.shape.rank
                or any(p is not None and d is not None and p < d for p, d in zip(shape, s.shape))
            ):
                raise ValueError(
                    f"The padded shape {shape} is not compatible with the shape {s.shape} of the corresponding "
                    "input component."
                )
            out.append(shape)
        return out

    @staticmethod
    def _padding_values(spec: Any, leaf_specs: list, padding_values: Any) -> list[np.ndarray]:
        if padding_values is None:
            given = [None] * len(leaf_specs)
        elif structure.is_structure(spec) and not structure.is_structure(padding_values):
            given = [padding_values] * len(leaf_specs)
        else:
            try:
                given = structure.flatten_up_to(spec, padding_values)
            except TypeError as e:
                raise ValueError(f"`padding_values` must match the structure of the dataset elements: {e}.") from None
        out = []
        for v, s in zip(given, leaf_specs):
            if v is None:
                out.append(np.zeros((), s.dtype._np))
                continue
            if hasattr(v, "dtype") and not isinstance(v, (np.ndarray, np.generic)):
                arr = np.asarray(to_array(v))
                if arr.dtype != s.dtype._np:
                    raise TypeError(
                        f"Padding value dtype {arr.dtype} does not match the component dtype {s.dtype.name}; "
                        f"pass a value of dtype {s.dtype.name}."
                    )
            else:
                arr = np.asarray(to_array(v, s.dtype))
            if arr.ndim != 0:
                raise ValueError(f"Padding values must be scalars; got a value of shape {arr.shape}.")
            out.append(arr)
        return out

    def _cardinality(self) -> int:
        return _batch_cardinality(self._inputs[0]._cardinality(), self._batch_size, self._drop)

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        for pieces in _pieces(self._inputs[0]._blocks(ctx), self._batch_size, self._drop):
            rows = [r for p in pieces for r in p.rows()]
            yield Block.single([self._pad(j, [r[j] for r in rows]) for j in range(len(self._targets))])

    def _pad(self, j: int, values: list[np.ndarray]) -> np.ndarray:
        target = self._targets[j]
        ranks = {v.ndim for v in values}
        if len(ranks) != 1 or (target.rank is not None and target.rank not in ranks):
            raise InvalidArgumentError(
                None, "IteratorGetNext", f"All elements in a batch must have the same rank in component {j}."
            )
        dims = []
        for axis in range(values[0].ndim):
            biggest = max(v.shape[axis] for v in values)
            want = target[axis] if target.rank is not None else None
            if want is None:
                dims.append(biggest)
            elif biggest > want:
                raise DataLossError(
                    None, "IteratorGetNext", "Attempted to pad to a smaller size than the input element."
                )
            else:
                dims.append(want)
        out = np.full((len(values), *dims), self._pads[j], dtype=values[0].dtype)
        for i, v in enumerate(values):
            out[(i, *tuple(slice(0, d) for d in v.shape))] = v
        return out


class UnbatchDataset(Dataset):
    """Each element split into its rows."""

    def __init__(self, dataset: Dataset) -> None:
        specs = structure.flatten(dataset.element_spec)
        if any(s.shape.rank == 0 for s in specs):
            raise ValueError("Cannot unbatch an input with scalar components.")
        known = {s.shape[0] for s in specs if s.shape.rank is not None and s.shape[0] is not None}
        if len(known) > 1:
            a, b = sorted(known)[:2]
            raise ValueError(
                "`unbatch()` is only supported for datasets of elements whose components have a matching "
                f"leading dimension. Encountered both {a} and {b}."
            )
        super().__init__(structure.map_structure(structure.unbatched_spec, dataset.element_spec))
        self._inputs = (dataset,)
        leading = [s.shape[0] if s.shape.rank is not None else None for s in specs]
        self._rows_per_element = leading[0] if leading and all(d is not None for d in leading) else None

    def _cardinality(self) -> int:
        n = self._inputs[0]._cardinality()
        if n < 0:
            return n
        return n * self._rows_per_element if self._rows_per_element is not None else UNKNOWN_CARDINALITY

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        for block in self._inputs[0]._blocks(ctx):
            leaves = block.leaves()
            if any(a.ndim < 2 for a in leaves):
                raise InvalidArgumentError(None, "IteratorGetNext", "Cannot unbatch an input with scalar components.")
            sizes = {a.shape[1] for a in leaves}
            if len(sizes) == 1:
                n = sizes.pop()
                if n:
                    yield Block.from_columns([a.reshape(block.length * n, *a.shape[2:]) for a in leaves])
                continue
            for i in range(block.length):
                row = [a[i] for a in leaves]
                lengths = sorted({len(r) for r in row})
                if len(lengths) > 1:
                    raise InvalidArgumentError(
                        None,
                        "IteratorGetNext",
                        "`unbatch()` is only supported for datasets of elements whose components have a "
                        f"matching leading dimension. Encountered both {lengths[0]} and {lengths[1]}.",
                    )
                if lengths[0]:
                    yield Block.from_columns(row)
