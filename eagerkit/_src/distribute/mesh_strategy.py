"""What MirroredStrategy and MultiWorkerMirroredStrategy share: a data-parallel device mesh.

Variables created in the scope are replicated on the mesh; global batches are split on
axis 0 (replica ``i`` gets rows ``[i*b, (i+1)*b)``); ``run`` is ``replica_run.run``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import jax
import numpy as np
from jax._src import core as jax_core
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from eagerkit._src.core.convert import to_array
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.variable import Variable
from eagerkit._src.distribute import replica_run
from eagerkit._src.distribute.distribute_lib import InputContext, Strategy, ValueContext
from eagerkit._src.distribute.values import PerReplica
from eagerkit._src.util import nest

AXIS = "replica"


class MeshStrategy(Strategy):
    """A strategy over a 1-D mesh of ``devices`` (see the module docstring)."""

    def __init__(self, devices: list) -> None:
        super().__init__()
        if not devices:
            raise ValueError("A strategy needs at least one device.")
        self._devices = list(devices)
        self._mesh = Mesh(np.array(self._devices), (AXIS,))
        self._axis_name = AXIS
        self._replicated = NamedSharding(self._mesh, P())
        self._split = NamedSharding(self._mesh, P(AXIS))

    @property
    def num_replicas_in_sync(self) -> int:
        return len(self._devices)

    @property
    def mesh(self) -> Mesh:
        """The ``jax.sharding.Mesh`` the replicas run on (axis name ``"replica"``)."""
        return self._mesh

    def _local_devices(self) -> list:
        return [d for d in self._devices if d.process_index == jax.process_index()]

    # -- placement ---------------------------------------------------------------------------------
    def _place_variable(self, var: Variable) -> None:
        value = var._value
        if self._multi_process and jax_core.trace_state_clean():
            # As TF's multi-worker strategy does, every worker starts from worker 0's initial value.
            # (Variables created while a step is traced, such as optimizer slots, are created the
            # same way on every worker from the shared random state; a collective cannot run there.)
            from jax.experimental import multihost_utils

            value = multihost_utils.broadcast_one_to_all(np.asarray(value))
        var._value = self._put(value, self._replicated)

    def _put(self, value: Any, sharding: NamedSharding) -> jax.Array:
        """``value`` (the same on every process) placed with ``sharding``."""
        if isinstance(value, jax.Array) and value.sharding == sharding:
            return value
        if not self._multi_process:
            return jax.device_put(value, sharding)
        host = np.asarray(value)
        return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])

    # -- running -----------------------------------------------------------------------------------------
    def run(self, fn: Callable, args: tuple | list = (), kwargs: dict | None = None, options: Any = None) -> Any:
        """Runs ``fn`` on every replica as one compiled SPMD program; returns per-replica results.

        ``PerReplica`` arguments (from a distributed dataset) are split over the replicas;
        other tensors are given whole to every replica.

        >>> import eagerkit as ek
        >>> strategy = ek.distribute.MirroredStrategy()
        >>> batch = strategy.distribute_batch(ek.constant([1.0, 2.0, 3.0, 4.0]))
        >>> per_replica = strategy.run(lambda x, scale: ek.reduce_sum(x * scale), args=(batch, ek.constant(2.0)))
        >>> per_replica  # one replica here
        PerReplica:{
          0: <tf.Tensor: shape=(), dtype=float32, numpy=20.0>
        }
        >>> strategy.reduce(ek.distribute.ReduceOp.SUM, per_replica, axis=None)
        <tf.Tensor: shape=(), dtype=float32, numpy=20.0>
        """
        return replica_run.run(self, fn, tuple(args), dict(kwargs or {}))

    # -- input ---------------------------------------------------------------------------------------------
    def distribute_batch(self, batch: Any) -> Any:
        """Splits a global batch (a nest of tensors) over the replicas on axis 0.

        A batch whose size the replica count does not divide goes, whole, to one replica
        (see ``replica_run``). Scalars and non-tensors are left as they are.

        >>> import eagerkit as ek
        >>> strategy = ek.distribute.MirroredStrategy()
        >>> x, y, step = strategy.distribute_batch((ek.ones([4, 2]), ek.zeros([4]), 7))
        >>> type(x).__name__, x.num_replicas == strategy.num_replicas_in_sync, step
        ('PerReplica', True, 7)
        >>> [tuple(v.shape) for v in x.values]  # one replica here: the whole batch
        [(4, 2)]
        """
        leaves = nest.flatten(batch)
        arrays = [to_array(x) if _is_batch_leaf(x) else None for x in leaves]
        sizes = {a.shape[0] for a in arrays if a is not None and a.ndim > 0}
        n = self.num_replicas_in_sync
        even = bool(sizes) and all(s % n == 0 and s > 0 for s in sizes)
        out = []
        for x, a in zip(leaves, arrays):
            if a is None or a.ndim == 0:
                out.append(x)
            elif even:
                out.append(PerReplica(self._put(a, self._split), n, "concat"))
            else:
                out.append(PerReplica(self._put(a, self._replicated), 1, "concat"))
        return nest.pack_sequence_as(batch, out)

    def experimental_distribute_dataset(self, dataset: Any, options: Any = None) -> DistributedDataset:
        """Each element of ``dataset`` is a global batch; iterating splits it over the replicas.

        Batch the dataset by the *global* batch size. In several processes every process
        iterates the same dataset and keeps the rows of its own replicas.

        >>> import eagerkit as ek
        >>> strategy = ek.distribute.MirroredStrategy()
        >>> dist_dataset = strategy.experimental_distribute_dataset(ek.data.Dataset.range(8).batch(4))  # global batches
        >>> [strategy.gather(batch, axis=0).numpy().tolist() for batch in dist_dataset]
        [[0, 1, 2, 3], [4, 5, 6, 7]]
        """
        return DistributedDataset(self, lambda: iter(dataset))

    def distribute_datasets_from_function(self, dataset_fn: Callable, options: Any = None) -> DistributedDataset:
        """``dataset_fn(input_context)`` returns a dataset of *per-replica* batches.

        It is called once per process (input pipeline); each step takes one batch per local
        replica from it, as TF does.

        >>> import eagerkit as ek
        >>> strategy = ek.distribute.MirroredStrategy()
        >>> def dataset_fn(input_context):
        ...     batch_size = input_context.get_per_replica_batch_size(4)  # global batch size 4
        ...     dataset = ek.data.Dataset.range(8)  # each input pipeline (process) reads its own shard
        ...     dataset = dataset.shard(input_context.num_input_pipelines, input_context.input_pipeline_id)
        ...     return dataset.batch(batch_size)
        >>> dist_dataset = strategy.distribute_datasets_from_function(dataset_fn)
        >>> [strategy.gather(batch, axis=0).numpy().tolist() for batch in dist_dataset]
        [[0, 1, 2, 3], [4, 5, 6, 7]]
        """
        ctx = InputContext(jax.process_count(), jax.process_index(), self.num_replicas_in_sync)
        dataset = dataset_fn(ctx)
        return DistributedDataset(self, lambda: _grouped(iter(dataset), len(self._local_devices())), local=True)

    def experimental_distribute_values_from_function(self, value_fn: Callable) -> Any:
        """``value_fn(ValueContext(i, n))`` for every replica ``i``, as one per-replica value (a nest).

        >>> import eagerkit as ek
        >>> strategy = ek.distribute.MirroredStrategy()
        >>> values = strategy.experimental_distribute_values_from_function(
        ...     lambda ctx: ek.constant([ctx.replica_id_in_sync_group, ctx.num_replicas_in_sync]))
        >>> values  # one replica here
        PerReplica:{
          0: <tf.Tensor: shape=(2,), dtype=int32, numpy=array([0, 1], dtype=int32)>
        }
        >>> strategy.run(lambda v: v * 10, args=(values,)).values[0].numpy().tolist()
        [0, 10]
        """
        n = self.num_replicas_in_sync
        per = [value_fn(ValueContext(i, n)) for i in range(n)]
        leaves = [nest.flatten(p) for p in per]
        stacked = [
            PerReplica(self._put(np.stack([np.asarray(to_array(vals[j])) for vals in leaves]), self._split), n, "stack")
            for j in range(len(leaves[0]))
        ]
        return nest.pack_sequence_as(per[0], stacked)

    def _from_local_rows(self, local: Any) -> PerReplica:
        """A global batch from this process's rows (its replicas' batches, concatenated)."""
        n = self.num_replicas_in_sync
        arr = np.asarray(local)
        if not self._multi_process:
            return PerReplica(self._put(arr, self._split), n, "concat")
        return PerReplica(jax.make_array_from_process_local_data(self._split, arr), n, "concat")


def _is_batch_leaf(x: Any) -> bool:
    return isinstance(x, (Tensor, jax.Array, np.ndarray))


def _grouped(it: Iterator, k: int) -> Iterator[list]:
    while True:
        group = []
        for _ in range(k):
            try:
                group.append(next(it))
            except StopIteration:
                break
        if not group:
            return
        yield group


class DistributedDataset:
    """A dataset whose elements are distributed batches (``tf.distribute.DistributedDataset``).

    Iterate it (``for x in dist_ds`` or ``iter(dist_ds)`` and ``next``); each element has the
    structure of the dataset's elements, with tensors replaced by :class:`PerReplica` values.

    >>> import eagerkit as ek
    >>> strategy = ek.distribute.MirroredStrategy()
    >>> dataset = ek.data.Dataset.from_tensor_slices(([1.0, 2.0, 3.0, 4.0], [0, 1, 0, 1])).batch(2)
    >>> dist_dataset = strategy.experimental_distribute_dataset(dataset)
    >>> for features, labels in dist_dataset:
    ...     x, y = strategy.gather((features, labels), axis=0)  # the global batch again
    ...     print(type(features).__name__, x.numpy(), y.numpy())
    PerReplica [1. 2.] [0 1]
    PerReplica [3. 4.] [0 1]
    """

    def __init__(self, strategy: MeshStrategy, make_iter: Callable[[], Iterator], local: bool = False) -> None:
        self._strategy = strategy
        self._make_iter = make_iter
        self._local = local

    def __iter__(self) -> DistributedIterator:
        return DistributedIterator(self._strategy, self._make_iter(), self._local)

    @property
    def element_spec(self) -> Any:
        raise NotImplementedError("element_spec of a distributed dataset is not available; inspect a batch instead.")


class DistributedIterator:
    """Iterator over a :class:`DistributedDataset`.

    >>> import eagerkit as ek
    >>> strategy = ek.distribute.MirroredStrategy()
    >>> iterator = iter(strategy.experimental_distribute_dataset(ek.data.Dataset.range(4).batch(2)))
    >>> strategy.gather(next(iterator), axis=0).numpy()
    array([0, 1])
    >>> strategy.gather(iterator.get_next(), axis=0).numpy()
    array([2, 3])
    >>> iterator.get_next()
    Traceback (most recent call last):
        ...
    eagerkit._src.core.errors.OutOfRangeError: End of sequence
    """

    def __init__(self, strategy: MeshStrategy, it: Iterator, local: bool) -> None:
        self._strategy = strategy
        self._it = it
        self._local = local

    def __iter__(self) -> DistributedIterator:
        return self

    def __next__(self) -> Any:
        element = next(self._it)
        if not self._local:
            return self._strategy.distribute_batch(element)
        return self._from_groups(element)

    def get_next(self) -> Any:
        """The next distributed batch (raises ``OutOfRangeError`` at the end, like TF).

        >>> import eagerkit as ek
        >>> strategy = ek.distribute.MirroredStrategy()
        >>> iterator = iter(strategy.experimental_distribute_dataset(ek.data.Dataset.range(2).batch(2)))
        >>> strategy.experimental_local_results(iterator.get_next())  # one replica here
        (<tf.Tensor: shape=(2,), dtype=int64, numpy=array([0, 1])>,)
        """
        from eagerkit._src.core.errors import OutOfRangeError

        try:
            return next(self)
        except StopIteration:
            raise OutOfRangeError("End of sequence") from None

    def _from_groups(self, group: list) -> Any:
        s = self._strategy
        complete = len(group) == len(s._local_devices())
        leaves = [nest.flatten(g) for g in group]
        out = []
        for j, x in enumerate(leaves[0]):
            if not _is_batch_leaf(x) or to_array(x).ndim == 0:
                out.append(x)
                continue
            parts = [np.asarray(to_array(vals[j])) for vals in leaves]
            if complete and len({p.shape[0] for p in parts}) == 1:
                out.append(s._from_local_rows(np.concatenate(parts)))
            else:
                out.append(PerReplica(s._put(np.concatenate(parts), s._replicated), 1, "concat"))
        return nest.pack_sequence_as(group[0], out)
