"""``Dataset``: the base of every ``ek.data`` pipeline stage, and its iterator.

DESIGN: a dataset is an immutable description; each pass over it (``iter(ds)``)
asks the last stage for a fresh stream of :class:`~eagerkit._src.data.block.Block`\\ s,
which pulls blocks from its inputs. Elements exist as host NumPy leaves until the
iterator hands them out, when they are put on the device in one ``jax.device_put`` per
element (on the prefetch thread when the pipeline ends with ``prefetch``) and wrapped
as eager Tensors in the element's structure. Each transformation lives in its own
module; the methods here only validate arguments and build the stage.

Cardinality follows TF: a non-negative length, ``INFINITE_CARDINALITY`` (-1) or
``UNKNOWN_CARDINALITY`` (-2).

>>> import eagerkit as ek
>>> from eagerkit.data import Dataset
>>> [b.numpy().tolist() for b in Dataset.range(5).batch(2)]
[[0, 1], [2, 3], [4]]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.errors import OutOfRangeError
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.data import structure
from eagerkit._src.data.block import Block
from eagerkit._src.data.options import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, as_int
from eagerkit._src.data.user_function import to_tensors


class PassContext:
    """What one pass over a pipeline needs to know while it builds its block streams.

    ``prefetch`` is the number of blocks a stage should run ahead on a background thread
    (0: none). A ``prefetch`` stage sets it for its input; a stage that calls user code
    consumes the request by prefetching *its* input instead, so user functions always
    run on the iterating thread.
    """

    __slots__ = ("prefetch",)

    def __init__(self, prefetch: int = 0) -> None:
        self.prefetch = prefetch


NO_PREFETCH = PassContext(0)


class Dataset:
    """A sequence of elements, each a (nested) structure of tensors (``tf.data.Dataset``).

    Build one with a source (``from_tensor_slices``, ``from_tensors``, ``range``,
    ``from_generator``, ``zip``) and chain transformations; iterate it with ``for``.

    >>> import numpy as np
    >>> from eagerkit.data import Dataset
    >>> ds = Dataset.from_tensor_slices((np.arange(6.0), np.arange(6))).shuffle(6, seed=1).batch(4)
    >>> [tuple(t.shape) for t in next(iter(ds))]
    [(4,), (4,)]
    """

    #: The datasets this stage reads from.
    _inputs: tuple[Dataset, ...] = ()
    #: True for stages that call user Python functions.
    _runs_user_code = False

    def __init__(self, element_spec: Any) -> None:
        self._spec = element_spec

    # -- what subclasses implement ----------------------------------------------------
    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        """A fresh stream of blocks: one pass over the dataset."""
        raise NotImplementedError(f"{type(self).__name__} must implement _blocks")

    def _cardinality(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement _cardinality")

    # -- shared machinery ----------------------------------------------------------------
    def _has_user_code(self) -> bool:
        return self._runs_user_code or any(d._has_user_code() for d in self._inputs)

    def _input_blocks(self, dataset: Dataset, ctx: PassContext) -> Iterator[Block]:
        """Blocks of ``dataset`` for a stage that runs user code: honours a prefetch request."""
        if ctx.prefetch and not dataset._has_user_code():
            from eagerkit._src.data.background import background

            return background(lambda: dataset._blocks(NO_PREFETCH), ctx.prefetch)
        return dataset._blocks(ctx)

    def _leaf_stream(self) -> Iterator[list]:
        """One pass as flat lists of host leaves, one list per element."""
        for block in self._blocks(NO_PREFETCH):
            if block.length == 1:
                yield [a[0] for a in block.leaves()]
            else:
                yield from block.rows()

    def _device_stream(self) -> Iterator[list]:
        """One pass as flat lists of device arrays, one list per element."""
        import jax.numpy as jnp

        for leaves in self._leaf_stream():
            yield [jnp.asarray(a) for a in leaves]

    # -- iteration -------------------------------------------------------------------------
    @property
    def element_spec(self) -> Any:
        """The structure of one element, as ``TensorSpec``\\ s (``tf.data.Dataset.element_spec``).

        >>> from eagerkit.data import Dataset
        >>> Dataset.range(5).batch(2).element_spec
        TensorSpec(shape=(None,), dtype=tf.int64, name=None)
        """
        return self._spec

    def __iter__(self) -> DatasetIterator:
        return DatasetIterator(self)

    def as_numpy_iterator(self) -> Iterator[Any]:
        """Iterates the elements as NumPy values (NumPy scalars for rank-0 components).

        >>> from eagerkit.data import Dataset
        >>> list(Dataset.range(3).as_numpy_iterator())
        [np.int64(0), np.int64(1), np.int64(2)]
        """
        spec = self.element_spec
        for leaves in self._leaf_stream():
            yield structure.pack(spec, [_numpy_value(a) for a in leaves])

    def cardinality(self) -> Tensor:
        """The number of elements as an int64 Tensor; -1 for infinite, -2 for unknown.

        >>> from eagerkit.data import Dataset
        >>> int(Dataset.range(10).batch(3).cardinality()), int(Dataset.range(3).repeat().cardinality())
        (4, -1)
        """
        import jax.numpy as jnp

        return Tensor(jnp.asarray(self._cardinality(), dtype=jnp.int64))

    def __len__(self) -> int:
        n = self._cardinality()
        if n == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<{type(self).__name__} element_spec={self.element_spec!r}>"

    # -- sources ---------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors: Any, name: str | None = None) -> Dataset:
        """Slices ``tensors`` (arrays, tuples, dicts of them) along their first dimension.

        >>> from eagerkit.data import Dataset
        >>> [x.numpy().tolist() for x in Dataset.from_tensor_slices([[1, 2], [3, 4]])]
        [[1, 2], [3, 4]]
        """
        from eagerkit._src.data.tensor_slices import TensorSliceDataset

        return TensorSliceDataset(tensors)

    @staticmethod
    def from_tensors(tensors: Any, name: str | None = None) -> Dataset:
        """A dataset with the single element ``tensors``.

        >>> from eagerkit.data import Dataset
        >>> Dataset.from_tensors([1, 2, 3]).element_spec
        TensorSpec(shape=(3,), dtype=tf.int32, name=None)
        """
        from eagerkit._src.data.tensor_slices import TensorDataset

        return TensorDataset(tensors)

    @staticmethod
    def range(*args: Any, output_type: Any = _dtypes.int64, name: str | None = None) -> Dataset:
        """Like Python's ``range``: ``range(stop)``, ``range(start, stop[, step])``.

        >>> from eagerkit.data import Dataset
        >>> list(Dataset.range(2, 10, 3).as_numpy_iterator())
        [np.int64(2), np.int64(5), np.int64(8)]
        """
        from eagerkit._src.data.range_dataset import RangeDataset

        return RangeDataset(args, _dtypes.as_dtype(output_type))

    @staticmethod
    def from_generator(
        generator: Callable,
        output_types: Any = None,
        output_shapes: Any = None,
        args: Any = None,
        output_signature: Any = None,
        name: str | None = None,
    ) -> Dataset:
        """Elements produced by calling ``generator(*args)`` (a callable returning an iterator).

        >>> import eagerkit as ek
        >>> from eagerkit.data import Dataset
        >>> ds = Dataset.from_generator(lambda: iter([[1, 2], [3]]),
        ...                             output_signature=ek.TensorSpec([None], ek.int32))
        >>> [x.numpy().tolist() for x in ds]
        [[1, 2], [3]]
        """
        from eagerkit._src.data.generator import GeneratorDataset

        return GeneratorDataset(generator, output_types, output_shapes, args, output_signature)

    @staticmethod
    def zip(*args: Any, datasets: Any = None, name: str | None = None) -> Dataset:
        """Combines datasets element-wise: ``zip(a, b)``, ``zip((a, b))`` or ``zip({"k": a})``.

        >>> from eagerkit.data import Dataset
        >>> list(Dataset.zip(Dataset.range(3), Dataset.range(5)).as_numpy_iterator())[-1]
        (np.int64(2), np.int64(2))
        """
        from eagerkit._src.data.zip_dataset import ZipDataset

        if datasets is not None and args:
            raise TypeError("Both `*args` and `datasets` cannot be set in Dataset.zip().")
        if datasets is None:
            if not args:
                raise TypeError("Must pass at least one dataset to `zip`.")
            datasets = args[0] if len(args) == 1 else tuple(args)
        return ZipDataset(datasets)

    # -- transformations ---------------------------------------------------------------------
    def shuffle(
        self,
        buffer_size: Any,
        seed: int | None = None,
        reshuffle_each_iteration: bool = True,
        name: str | None = None,
    ) -> Dataset:
        """Randomly shuffles elements through a buffer of ``buffer_size`` elements.

        A buffer at least as large as the dataset gives a uniform permutation each epoch.
        Orders are reproducible after ``ek.random.set_seed`` or with an explicit ``seed``.

        >>> from eagerkit.data import Dataset
        >>> sorted(Dataset.range(5).shuffle(5, seed=3).as_numpy_iterator()) == list(range(5))
        True
        """
        from eagerkit._src.data.shuffle import ShuffleDataset

        return ShuffleDataset(self, as_int(buffer_size, "buffer_size"), seed, bool(reshuffle_each_iteration))

    def batch(
        self,
        batch_size: Any,
        drop_remainder: bool = False,
        num_parallel_calls: Any = None,
        deterministic: bool | None = None,
        name: str | None = None,
    ) -> Dataset:
        """Stacks consecutive elements into batches of ``batch_size``.

        >>> from eagerkit.data import Dataset
        >>> [b.numpy().tolist() for b in Dataset.range(5).batch(2, drop_remainder=True)]
        [[0, 1], [2, 3]]
        """
        from eagerkit._src.data.batching import BatchDataset

        return BatchDataset(self, as_int(batch_size, "batch_size"), bool(drop_remainder))

    def padded_batch(
        self,
        batch_size: Any,
        padded_shapes: Any = None,
        padding_values: Any = None,
        drop_remainder: bool = False,
        name: str | None = None,
    ) -> Dataset:
        """Batches elements of different shapes, padding each component to a common shape.

        >>> import eagerkit as ek
        >>> from eagerkit.data import Dataset
        >>> ds = Dataset.range(1, 4).map(lambda x: ek.fill([x], x)).padded_batch(3)
        >>> next(iter(ds)).numpy().tolist()
        [[1, 0, 0], [2, 2, 0], [3, 3, 3]]
        """
        from eagerkit._src.data.batching import PaddedBatchDataset

        return PaddedBatchDataset(
            self, as_int(batch_size, "batch_size"), padded_shapes, padding_values, bool(drop_remainder)
        )

    def unbatch(self, name: str | None = None) -> Dataset:
        """Splits each element into its rows along the first dimension.

        >>> from eagerkit.data import Dataset
        >>> list(Dataset.range(5).batch(2).unbatch().as_numpy_iterator())[:3]
        [np.int64(0), np.int64(1), np.int64(2)]
        """
        from eagerkit._src.data.batching import UnbatchDataset

        return UnbatchDataset(self)

    def map(
        self,
        map_func: Callable,
        num_parallel_calls: Any = None,
        deterministic: bool | None = None,
        name: str | None = None,
    ) -> Dataset:
        """Applies ``map_func`` to each element (tuples are unpacked into arguments).

        ``map_func`` receives eager Tensors and may use any eagerkit op. It runs on the
        iterating thread, in order; ``num_parallel_calls`` is accepted for compatibility.

        >>> from eagerkit.data import Dataset
        >>> [x.numpy().tolist() for x in Dataset.range(5).batch(2).map(lambda x: x * 10)]
        [[0, 10], [20, 30], [40]]
        """
        from eagerkit._src.data.mapping import MapDataset

        return MapDataset(self, map_func)

    def filter(self, predicate: Callable, name: str | None = None) -> Dataset:
        """Keeps the elements for which ``predicate`` returns a scalar ``True``.

        >>> from eagerkit.data import Dataset
        >>> list(Dataset.range(10).filter(lambda x: x % 3 == 0).as_numpy_iterator())
        [np.int64(0), np.int64(3), np.int64(6), np.int64(9)]
        """
        from eagerkit._src.data.mapping import FilterDataset

        return FilterDataset(self, predicate)

    def flat_map(self, map_func: Callable, name: str | None = None) -> Dataset:
        """Maps each element to a dataset and flattens the results in order.

        >>> from eagerkit.data import Dataset
        >>> list(Dataset.range(3).flat_map(lambda x: Dataset.from_tensors(x).repeat(2)).as_numpy_iterator())
        [np.int64(0), np.int64(0), np.int64(1), np.int64(1), np.int64(2), np.int64(2)]
        """
        from eagerkit._src.data.mapping import FlatMapDataset

        return FlatMapDataset(self, map_func)

    def take(self, count: Any, name: str | None = None) -> Dataset:
        """The first ``count`` elements (all of them when ``count`` is -1).

        >>> from eagerkit.data import Dataset
        >>> list(Dataset.range(3).repeat().take(4).as_numpy_iterator())
        [np.int64(0), np.int64(1), np.int64(2), np.int64(0)]
        """
        from eagerkit._src.data.take_skip import TakeDataset

        return TakeDataset(self, as_int(count, "count"))

    def skip(self, count: Any, name: str | None = None) -> Dataset:
        """All but the first ``count`` elements (none when ``count`` is -1).

        >>> from eagerkit.data import Dataset
        >>> list(Dataset.range(5).skip(3).as_numpy_iterator())
        [np.int64(3), np.int64(4)]
        """
        from eagerkit._src.data.take_skip import SkipDataset

        return SkipDataset(self, as_int(count, "count"))

    def shard(self, num_shards: Any, index: Any, name: str | None = None) -> Dataset:
        """Every ``num_shards``-th element, starting at ``index``.

        >>> from eagerkit.data import Dataset
        >>> list(Dataset.range(7).shard(3, 1).as_numpy_iterator())
        [np.int64(1), np.int64(4)]
        """
        from eagerkit._src.data.take_skip import ShardDataset

        return ShardDataset(self, as_int(num_shards, "num_shards"), as_int(index, "index"))

    def repeat(self, count: Any = None, name: str | None = None) -> Dataset:
        """Repeats the dataset ``count`` times (forever when ``None`` or -1).

        >>> from eagerkit.data import Dataset
        >>> list(Dataset.range(2).repeat(2).as_numpy_iterator())
        [np.int64(0), np.int64(1), np.int64(0), np.int64(1)]
        """
        from eagerkit._src.data.repeat import RepeatDataset

        return RepeatDataset(self, -1 if count is None else as_int(count, "count"))

    def prefetch(self, buffer_size: Any, name: str | None = None) -> Dataset:
        """Produces up to ``buffer_size`` elements ahead on a background thread.

        >>> from eagerkit.data import AUTOTUNE, Dataset
        >>> list(Dataset.range(3).prefetch(AUTOTUNE).as_numpy_iterator())
        [np.int64(0), np.int64(1), np.int64(2)]
        """
        from eagerkit._src.data.prefetch import PrefetchDataset

        return PrefetchDataset(self, as_int(buffer_size, "buffer_size"))

    def cache(self, filename: str = "", name: str | None = None) -> Dataset:
        """Keeps the elements of the first complete pass (in memory, or in ``filename``).

        >>> from eagerkit.data import Dataset
        >>> list(Dataset.range(3).cache().as_numpy_iterator())
        [np.int64(0), np.int64(1), np.int64(2)]
        """
        from eagerkit._src.data.cache import CacheDataset

        return CacheDataset(self, str(filename))

    def enumerate(self, start: Any = 0, name: str | None = None) -> Dataset:
        """Pairs each element with its int64 index: ``(index, element)``.

        >>> from eagerkit.data import Dataset
        >>> list(Dataset.from_tensor_slices([7, 8]).enumerate(start=5).as_numpy_iterator())
        [(np.int64(5), np.int32(7)), (np.int64(6), np.int32(8))]
        """
        from eagerkit._src.data.range_dataset import RangeDataset
        from eagerkit._src.data.zip_dataset import ZipDataset

        counter = RangeDataset((as_int(start, "start"), np.iinfo(np.int64).max), _dtypes.int64)
        return ZipDataset((counter, self))

    def concatenate(self, dataset: Dataset, name: str | None = None) -> Dataset:
        """The elements of this dataset followed by those of ``dataset``.

        >>> from eagerkit.data import Dataset
        >>> list(Dataset.range(2).concatenate(Dataset.range(5, 6)).as_numpy_iterator())
        [np.int64(0), np.int64(1), np.int64(5)]
        """
        from eagerkit._src.data.concatenate import ConcatenateDataset

        return ConcatenateDataset(self, dataset)

    def apply(self, transformation_func: Callable[[Dataset], Dataset]) -> Dataset:
        """Returns ``transformation_func(self)``, which must be a Dataset.

        >>> from eagerkit.data import Dataset
        >>> len(Dataset.range(10).apply(lambda ds: ds.take(3)))
        3
        """
        out = transformation_func(self)
        if not isinstance(out, Dataset):
            raise TypeError(f"`transformation_func` must return a Dataset; it returned {type(out).__name__}.")
        return out

    def reduce(self, initial_state: Any, reduce_func: Callable) -> Any:
        """Folds the elements into a state: ``state = reduce_func(state, element)``.

        >>> import numpy as np
        >>> from eagerkit.data import Dataset
        >>> Dataset.range(5).reduce(np.int64(0), lambda s, x: s + x)
        <tf.Tensor: shape=(), dtype=int64, numpy=10>
        """
        from eagerkit._src.core import context
        from eagerkit._src.core.convert import convert_to_tensor

        spec = self.element_spec
        state = structure.map_structure(convert_to_tensor, initial_state)
        with context.init_scope():
            for leaves in self._leaf_stream():
                element = to_tensors(spec, leaves)
                args = (state, *element) if type(element) is tuple else (state, element)
                new = reduce_func(*args)
                new = tuple(new) if isinstance(new, list) else new
                if not structure.same_structure(new, initial_state):
                    raise TypeError(
                        "The structure of the value returned by `reduce_func` does not match the initial "
                        f"state: {structure.describe(new)} vs {structure.describe(initial_state)}."
                    )
                state = _like_state(state, new)
        return state


def _like_state(old: Any, new: Any) -> Any:
    """Converts ``new`` leaf-wise to Tensors of the old state's dtypes."""
    from eagerkit._src.core.convert import convert_to_tensor

    def one(o: Tensor, n: Any) -> Tensor:
        t = convert_to_tensor(n, dtype_hint=o.dtype)
        if t.dtype != o.dtype:
            raise TypeError(
                f"`reduce_func` changed a state component's dtype from {o.dtype.name} to {t.dtype.name}; "
                "cast it back (ek.cast) or start from a value of the new dtype."
            )
        return t

    return structure.map_structure(one, old, new)


def _numpy_value(a: np.ndarray) -> Any:
    arr = np.asarray(a)
    if arr.ndim == 0:
        return arr[()]
    return arr.copy()


class DatasetIterator:
    """The iterator ``iter(dataset)`` returns (``tf.data.Iterator``).

    >>> from eagerkit.data import Dataset
    >>> it = iter(Dataset.range(2))
    >>> next(it).numpy(), it.get_next().numpy()
    (np.int64(0), np.int64(1))
    """

    def __init__(self, dataset: Dataset) -> None:
        self._dataset = dataset
        self._spec = dataset.element_spec
        self._stream = dataset._device_stream()

    @property
    def element_spec(self) -> Any:
        return self._spec

    def __iter__(self) -> DatasetIterator:
        return self

    def __next__(self) -> Any:
        arrays = next(self._stream)
        return structure.pack(self._spec, [Tensor(a) for a in arrays])

    next = __next__

    def get_next(self) -> Any:
        """The next element; raises ``OutOfRangeError`` at the end (as TF does)."""
        try:
            return self.__next__()
        except StopIteration:
            raise OutOfRangeError(None, "IteratorGetNext", "End of sequence") from None

    def __repr__(self) -> str:
        return f"<DatasetIterator element_spec={self._spec!r}>"
