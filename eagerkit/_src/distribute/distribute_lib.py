"""Strategies, scopes and replica contexts (``tf.distribute.Strategy`` and friends).

DESIGN: a strategy owns a 1-D ``jax.sharding.Mesh`` whose axis (``"replica"``) is the data
parallel axis. Entering ``strategy.scope()`` makes it current: Variables created inside are
placed replicated on the mesh (``NamedSharding(mesh, P())``). ``strategy.run(fn, args)``
traces ``fn`` once per replica shape and runs it under ``jax.shard_map`` (see
``replica_run.py``): each replica sees its slice of the batch, the collectives TF performs
(gradient all-reduce in ``apply_gradients``, metric synchronisation, ``all_reduce``) are
``lax.psum``/``pmean`` over the mesh axis, and XLA schedules them. The *default* strategy
(no scope entered) runs ``fn`` directly on one replica, so the same code works with and
without a strategy.

Contexts follow TF: outside any scope, ``get_replica_context()`` is the default replica
context; inside ``strategy.scope()`` the code is in the *cross-replica* context
(``get_replica_context()`` is None); inside ``strategy.run`` it is in that strategy's
replica context.

>>> import eagerkit as ek
>>> s = ek.distribute.get_strategy()
>>> s.num_replicas_in_sync, ek.distribute.has_strategy()
(1, False)
>>> ek.distribute.get_replica_context().num_replicas_in_sync
1
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from eagerkit._src.core import context
from eagerkit._src.core import variable as _variable
from eagerkit._src.core.convert import to_array
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.variable import Variable, VariableAggregation, VariableSynchronization
from eagerkit._src.distribute.reduce_util import ReduceOp
from eagerkit._src.distribute.values import PerReplica
from eagerkit._src.util import nest

#: Strategies whose scope is entered (innermost last).
_scopes: list[Strategy] = []
#: The strategy made current by ``experimental_set_strategy`` (None: the default strategy).
_global: list[Strategy | None] = [None]
#: Replica contexts of running ``strategy.run`` calls (innermost last).
_replica_contexts: list[ReplicaContext] = []


def _as_reduce_op(op: Any) -> ReduceOp:
    if isinstance(op, ReduceOp):
        return op
    if isinstance(op, str) and op.upper() in ("SUM", "MEAN"):
        return ReduceOp[op.upper()]
    raise ValueError(f"reduce_op must be ek.distribute.ReduceOp.SUM or .MEAN (or 'SUM'/'MEAN'), got {op!r}.")


def _tensor_value(x: Any) -> Any:
    if isinstance(x, PerReplica):
        raise TypeError("Expected a tensor, got a PerReplica value; pass it to strategy.run or strategy.reduce.")
    return x._read() if isinstance(x, Variable) else to_array(x)


class ReplicaContext:
    """Where ``strategy.run``'s function executes (``tf.distribute.ReplicaContext``).

    Args:
      strategy: the strategy running the replicas.
      num_replicas_in_sync: how many replicas run this step together.
      axis_name: the mesh axis name the replicas are spread over (None for one replica).

    >>> import eagerkit as ek
    >>> ek.distribute.get_replica_context()  # no strategy: the default replica context
    <ReplicaContext num_replicas_in_sync=1>
    >>> strategy = ek.distribute.MirroredStrategy()
    >>> def step(x):
    ...     ctx = ek.distribute.get_replica_context()
    ...     total = ctx.all_reduce(ek.distribute.ReduceOp.SUM, ek.reduce_sum(x))  # over all replicas
    ...     return total, ctx.replica_id_in_sync_group
    >>> batch = strategy.distribute_batch(ek.constant([1.0, 2.0, 3.0, 4.0]))
    >>> total, replica_id = strategy.run(step, args=(batch,))
    >>> [float(t) for t in strategy.experimental_local_results(total)]  # one replica here
    [10.0]
    >>> [int(i) for i in strategy.experimental_local_results(replica_id)]
    [0]
    """

    def __init__(self, strategy: Strategy, num_replicas_in_sync: int, axis_name: str | None) -> None:
        self._strategy = strategy
        self._num_replicas = num_replicas_in_sync
        self._axis = axis_name
        #: True while ``Metric.result()`` runs: reads of ON_READ variables see all replicas.
        self.synced_reads = False

    @property
    def strategy(self) -> Strategy:
        return self._strategy

    @property
    def num_replicas_in_sync(self) -> int:
        return self._num_replicas

    @property
    def axis_name(self) -> str | None:
        return self._axis

    @property
    def replica_id_in_sync_group(self) -> Tensor:
        """This replica's index (an int32 Tensor; traced inside ``strategy.run``)."""
        if self._axis is None:
            return Tensor(jnp.zeros((), jnp.int32))
        return Tensor(lax.axis_index(self._axis).astype(jnp.int32))

    def all_reduce(self, reduce_op: Any, value: Any, options: Any = None) -> Any:
        """Sums or averages ``value`` (a nest of tensors) over all replicas."""
        op = _as_reduce_op(reduce_op)

        def one(x: Any) -> Tensor:
            v = _tensor_value(x)
            if self._axis is None:
                return Tensor(v)
            return Tensor(lax.psum(v, self._axis) if op is ReduceOp.SUM else lax.pmean(v, self._axis))

        return nest.map_structure(one, value)

    def all_gather(self, value: Any, axis: int, options: Any = None) -> Any:
        """Concatenates every replica's ``value`` along ``axis``."""

        def one(x: Any) -> Tensor:
            v = _tensor_value(x)
            if self._axis is None:
                return Tensor(v)
            return Tensor(lax.all_gather(v, self._axis, axis=axis, tiled=True))

        return nest.map_structure(one, value)

    def merge_call(self, merge_fn: Callable, args: tuple = (), kwargs: dict | None = None) -> Any:
        raise NotImplementedError(
            "ReplicaContext.merge_call is not supported: eagerkit runs replicas as one SPMD program, with no "
            "cross-replica point inside it. Use all_reduce/all_gather inside the step, or return the values from "
            "strategy.run and combine them with strategy.reduce/gather."
        )

    def __repr__(self) -> str:
        return f"<ReplicaContext num_replicas_in_sync={self._num_replicas}>"


@contextlib.contextmanager
def synced_reads() -> Iterator[None]:
    """Inside a replica context: reads of ON_READ variables (metric state) see all replicas.

    ``Metric.result()`` runs under it, as Keras' ``result_wrapper`` syncs metric results.
    """
    ctx = _replica_contexts[-1] if _replica_contexts else None
    if ctx is None or ctx.axis_name is None or ctx.synced_reads:
        yield
        return
    ctx.synced_reads = True
    try:
        yield
    finally:
        ctx.synced_reads = False


def aggregate_variable(var: Variable, local: Any, old: Any, axis: str) -> Any:
    """The value of ``var`` across replicas, given this replica's ``local`` and the step's ``old`` value.

    SUM adds every replica's change, MEAN averages the values, ONLY_FIRST_REPLICA takes
    replica 0's; NONE keeps the local value (such variables, e.g. weights updated from
    all-reduced gradients, are the same on every replica).
    """
    agg = var.aggregation
    if agg == VariableAggregation.SUM:
        return old + lax.psum(local - old, axis)
    if agg == VariableAggregation.MEAN:
        return lax.pmean(local, axis).astype(local.dtype)
    if agg == VariableAggregation.ONLY_FIRST_REPLICA:
        first = lax.axis_index(axis) == 0
        return lax.psum(jnp.where(first, local, jnp.zeros_like(local)), axis)
    return local


class InputContext:
    """What ``dataset_fn`` of ``distribute_datasets_from_function`` is told (``tf.distribute.InputContext``).

    >>> ctx = InputContext(num_input_pipelines=1, input_pipeline_id=0, num_replicas_in_sync=4)
    >>> ctx.get_per_replica_batch_size(64)
    16
    """

    def __init__(self, num_input_pipelines: int = 1, input_pipeline_id: int = 0, num_replicas_in_sync: int = 1):
        self.num_input_pipelines = num_input_pipelines
        self.input_pipeline_id = input_pipeline_id
        self.num_replicas_in_sync = num_replicas_in_sync

    def get_per_replica_batch_size(self, global_batch_size: int) -> int:
        """``global_batch_size // num_replicas_in_sync``; raises if it does not divide evenly."""
        if global_batch_size % self.num_replicas_in_sync:
            raise ValueError(
                f"The `global_batch_size` {global_batch_size} is not divisible by `num_replicas_in_sync` "
                f"{self.num_replicas_in_sync}"
            )
        return global_batch_size // self.num_replicas_in_sync

    def __repr__(self) -> str:
        return (
            f"tf.distribute.InputContext(input pipeline id {self.input_pipeline_id}, total: {self.num_input_pipelines})"
        )


class StrategyExtended:
    """Extra strategy details (``strategy.extended``).

    >>> import eagerkit as ek
    >>> strategy = ek.distribute.MirroredStrategy()
    >>> len(strategy.extended.worker_devices) == strategy.num_replicas_in_sync
    True
    >>> extended = strategy.extended
    >>> extended.should_checkpoint, extended.should_save_summary, extended.experimental_between_graph
    (True, True, False)
    """

    def __init__(self, strategy: Strategy) -> None:
        self._strategy = strategy

    @property
    def worker_devices(self) -> tuple[str, ...]:
        return tuple(_device_name(d) for d in self._strategy._local_devices())

    @property
    def parameter_devices(self) -> tuple[str, ...]:
        return self.worker_devices

    @property
    def should_checkpoint(self) -> bool:
        return jax.process_index() == 0 if self._strategy._multi_process else True

    @property
    def should_save_summary(self) -> bool:
        return self.should_checkpoint

    @property
    def experimental_between_graph(self) -> bool:
        return self._strategy._multi_process


def _device_name(d: Any) -> str:
    kind = "GPU" if d.platform in ("gpu", "cuda", "rocm") else d.platform.upper()
    return f"/job:localhost/replica:0/task:{d.process_index}/device:{kind}:{d.id}"


class Strategy:
    """Base class of distribution strategies (``tf.distribute.Strategy``).

    Subclasses: :class:`~eagerkit.distribute.MirroredStrategy` (devices of one machine) and
    :class:`~eagerkit.distribute.MultiWorkerMirroredStrategy` (several processes). Without
    any scope, ``ek.distribute.get_strategy()`` returns the default strategy, which runs
    everything on one replica.

    >>> import eagerkit as ek
    >>> default = ek.distribute.get_strategy()
    >>> default, isinstance(ek.distribute.MirroredStrategy(), ek.distribute.Strategy)
    (<eagerkit.distribute._DefaultDistributionStrategy object>, True)
    >>> default.num_replicas_in_sync
    1
    >>> default.run(lambda x: x * 2.0, args=(ek.constant(3.0),))  # calls the function directly
    <tf.Tensor: shape=(), dtype=float32, numpy=6.0>
    """

    _multi_process = False

    def __init__(self) -> None:
        self._extended = StrategyExtended(self)
        self._eager_runs: dict[Any, Any] = {}

    # -- properties ----------------------------------------------------------------------------
    @property
    def extended(self) -> StrategyExtended:
        return self._extended

    @property
    def num_replicas_in_sync(self) -> int:
        """How many replicas run each step."""
        return 1

    def _local_devices(self) -> list:
        return [jax.local_devices()[0]]

    # -- scope ---------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def scope(self) -> Iterator[Strategy]:
        """Makes this the current strategy: variables created inside are distributed by it.

        >>> import eagerkit as ek
        >>> with ek.distribute.get_strategy().scope():
        ...     v = ek.Variable(1.0)
        """
        current = get_strategy()
        if current is not self and not isinstance(current, _DefaultStrategy):
            raise RuntimeError(
                f"Mixing different ek.distribute.Strategy objects: {self!r} is entered inside the scope of "
                f"{current!r}. Leave the first scope before entering another strategy's."
            )
        _scopes.append(self)
        try:
            yield self
        finally:
            _scopes.pop()

    def _place_variable(self, var: Variable) -> None:
        """Called for every Variable created under this strategy's scope."""

    # -- running ---------------------------------------------------------------------------------------
    def run(self, fn: Callable, args: tuple | list = (), kwargs: dict | None = None, options: Any = None) -> Any:
        """Runs ``fn(*args, **kwargs)`` on each replica (``tf.distribute.Strategy.run``)."""
        kwargs = dict(kwargs or {})
        ctx = ReplicaContext(self, 1, None)
        with _in_replica(self, ctx):
            return fn(*args, **kwargs)

    def reduce(self, reduce_op: Any, value: Any, axis: int | None = None) -> Any:
        """Combines per-replica values (a nest) into one value in the cross-replica context.

        ``axis=None`` combines the replicas' values element-wise; an integer ``axis`` also
        sums/averages along that axis of every replica's value (``MEAN`` is then the mean
        over all elements along it, across replicas).

        >>> import eagerkit as ek
        >>> strategy = ek.distribute.MirroredStrategy()
        >>> batch = strategy.distribute_batch(ek.constant([[1.0, 2.0], [3.0, 4.0]]))
        >>> sums = strategy.run(ek.reduce_sum, args=(batch,))  # each replica sums its rows
        >>> strategy.reduce(ek.distribute.ReduceOp.SUM, sums, axis=None)
        <tf.Tensor: shape=(), dtype=float32, numpy=10.0>
        >>> rows = strategy.run(lambda x: x * 1.0, args=(batch,))
        >>> strategy.reduce("MEAN", rows, axis=0)  # the mean over every row of every replica
        <tf.Tensor: shape=(2,), dtype=float32, numpy=array([2., 3.], dtype=float32)>
        """
        op = _as_reduce_op(reduce_op)
        return nest.map_structure(lambda v: self._reduce_one(op, v, axis), value)

    def _reduce_one(self, op: ReduceOp, value: Any, axis: int | None) -> Any:
        if isinstance(value, PerReplica):
            return _reduce_per_replica(op, value, axis)
        arr = _tensor_value(value)
        if axis is None:
            if op is ReduceOp.SUM and self.num_replicas_in_sync != 1:
                raise ValueError(
                    f"A non-DistributedValues value {Tensor(arr)} cannot be reduced with the given reduce op "
                    f"{op}. Return it from strategy.run to get one value per replica, or reduce with MEAN."
                )
            return Tensor(arr)
        return Tensor(jnp.sum(arr, axis=axis) if op is ReduceOp.SUM else jnp.mean(arr, axis=axis).astype(arr.dtype))

    def gather(self, value: Any, axis: int) -> Any:
        """Concatenates the per-replica values along ``axis`` (``tf.distribute.Strategy.gather``).

        >>> import eagerkit as ek
        >>> strategy = ek.distribute.MirroredStrategy()
        >>> batch = strategy.distribute_batch(ek.constant([[1.0, 2.0], [3.0, 4.0]]))
        >>> scaled = strategy.run(lambda x: x * 10.0, args=(batch,))
        >>> strategy.gather(scaled, axis=0)  # the replicas' rows, in replica order
        <tf.Tensor: shape=(2, 2), dtype=float32, numpy=
        array([[10., 20.],
               [30., 40.]], dtype=float32)>
        """
        return nest.map_structure(lambda v: self._gather_one(v, axis), value)

    def _gather_one(self, value: Any, axis: int) -> Tensor:
        if isinstance(value, PerReplica):
            return Tensor(_gather_per_replica(value, axis))
        return Tensor(_tensor_value(value))  # a value outside strategy.run is one value, as in TF

    def experimental_local_results(self, value: Any) -> tuple:
        """The values of the replicas on this process, as a tuple (a nest gives a tuple of nests).

        >>> import eagerkit as ek
        >>> strategy = ek.distribute.MirroredStrategy()
        >>> batch = strategy.distribute_batch(ek.constant([1.0, 2.0]))
        >>> strategy.experimental_local_results(strategy.run(lambda x: x + 1.0, args=(batch,)))  # one replica here
        (<tf.Tensor: shape=(2,), dtype=float32, numpy=array([2., 3.], dtype=float32)>,)
        >>> strategy.experimental_local_results(ek.constant(1.0))  # a plain value: itself
        (<tf.Tensor: shape=(), dtype=float32, numpy=1.0>,)
        """
        leaves = nest.flatten(value)
        if not any(isinstance(x, PerReplica) for x in leaves):
            return (value,)
        per_leaf = [x.local_values() if isinstance(x, PerReplica) else None for x in leaves]
        n = max(len(p) for p in per_leaf if p is not None)
        return tuple(
            nest.pack_sequence_as(value, [p[i] if p is not None else x for x, p in zip(leaves, per_leaf)])
            for i in range(n)
        )

    # -- input ---------------------------------------------------------------------------------------
    def experimental_distribute_dataset(self, dataset: Any, options: Any = None) -> Any:
        """A dataset whose global batches are split over the replicas (the default strategy returns it)."""
        return dataset

    def distribute_datasets_from_function(self, dataset_fn: Callable, options: Any = None) -> Any:
        """``dataset_fn(InputContext)`` builds the per-replica dataset (TF's same-named method)."""
        return dataset_fn(InputContext(1, 0, 1))

    def experimental_distribute_values_from_function(self, value_fn: Callable) -> Any:
        """``value_fn(ValueContext)`` is called for each replica; returns the per-replica values."""
        return value_fn(ValueContext(0, 1))

    def __repr__(self) -> str:
        return f"<{type(self).__module__.replace('_src.distribute.', 'distribute.')}.{type(self).__name__} object>"


class ValueContext:
    """Tells ``value_fn`` which replica it builds a value for (``tf.distribute.experimental.ValueContext``).

    >>> import eagerkit as ek
    >>> strategy = ek.distribute.MirroredStrategy()
    >>> def value_fn(ctx):  # ctx: an ek.distribute.experimental.ValueContext
    ...     return ek.constant(10.0 * ctx.replica_id_in_sync_group + ctx.num_replicas_in_sync)
    >>> values = strategy.experimental_distribute_values_from_function(value_fn)
    >>> [float(v) for v in strategy.experimental_local_results(values)]  # one replica here
    [1.0]
    >>> ctx = ek.distribute.experimental.ValueContext(replica_id_in_sync_group=1, num_replicas_in_sync=2)
    >>> ctx.replica_id_in_sync_group, ctx.num_replicas_in_sync
    (1, 2)
    """

    def __init__(self, replica_id_in_sync_group: int = 0, num_replicas_in_sync: int = 1) -> None:
        self.replica_id_in_sync_group = replica_id_in_sync_group
        self.num_replicas_in_sync = num_replicas_in_sync


class _DefaultStrategy(Strategy):
    """The strategy in effect when none is entered: one replica, no distribution."""

    def __repr__(self) -> str:
        return "<eagerkit.distribute._DefaultDistributionStrategy object>"


_DEFAULT = _DefaultStrategy()


@contextlib.contextmanager
def _in_replica(strategy: Strategy, ctx: ReplicaContext) -> Iterator[None]:
    _scopes.append(strategy)
    _replica_contexts.append(ctx)
    try:
        yield
    finally:
        _replica_contexts.pop()
        _scopes.pop()


def _reduce_per_replica(op: ReduceOp, value: PerReplica, axis: int | None) -> Tensor:
    arr = value._value
    n = value.num_replicas
    stacked = arr if value.layout == "stack" else arr.reshape((n, arr.shape[0] // n, *arr.shape[1:]))
    _check_axis(axis, stacked.ndim - 1, "reduce")
    axes: tuple[int, ...] = (0,) if axis is None else (0, (axis % (stacked.ndim - 1)) + 1)
    out = jnp.sum(stacked, axis=axes) if op is ReduceOp.SUM else jnp.mean(stacked, axis=axes)
    return Tensor(out.astype(arr.dtype) if op is ReduceOp.MEAN and jnp.issubdtype(arr.dtype, jnp.floating) else out)


def _check_axis(axis: int | None, rank: int, what: str) -> None:
    if axis is not None and not -rank <= axis < rank:
        raise ValueError(
            f"strategy.{what}: axis {axis} is out of range for per-replica values of rank {rank}"
            + (" (scalars: use axis=None)." if rank == 0 else ".")
        )


def _gather_per_replica(value: PerReplica, axis: int) -> Any:
    arr = value._value
    _check_axis(axis, arr.ndim - 1 if value.layout == "stack" else arr.ndim, "gather")
    if value.layout == "concat":
        if axis == 0:
            return arr
        n = value.num_replicas
        parts = arr.reshape((n, arr.shape[0] // n, *arr.shape[1:]))
    else:
        parts = arr
    k = axis % (parts.ndim - 1)
    moved = jnp.moveaxis(parts, 0, k)
    shape = moved.shape
    return moved.reshape((*shape[:k], shape[k] * shape[k + 1], *shape[k + 2 :]))


# -- module-level API ------------------------------------------------------------------------------------
def get_strategy() -> Strategy:
    """The current strategy: the innermost entered scope's, else the default strategy.

    >>> import eagerkit as ek
    >>> ek.distribute.get_strategy()
    <eagerkit.distribute._DefaultDistributionStrategy object>
    >>> strategy = ek.distribute.MirroredStrategy()
    >>> with strategy.scope():
    ...     print(ek.distribute.get_strategy() is strategy)
    True
    """
    return _scopes[-1] if _scopes else _global[0] or _DEFAULT


def has_strategy() -> bool:
    """True inside a non-default strategy's scope (or its ``run``).

    >>> import eagerkit as ek
    >>> ek.distribute.has_strategy()
    False
    >>> with ek.distribute.MirroredStrategy().scope():
    ...     print(ek.distribute.has_strategy())
    True
    """
    return not isinstance(get_strategy(), _DefaultStrategy)


def in_cross_replica_context() -> bool:
    """True inside a strategy's scope but not inside its ``run``.

    >>> import eagerkit as ek
    >>> ek.distribute.in_cross_replica_context()
    False
    >>> strategy = ek.distribute.MirroredStrategy()
    >>> with strategy.scope():
    ...     print(ek.distribute.in_cross_replica_context())
    ...     inside_run = strategy.run(lambda: ek.distribute.in_cross_replica_context())
    True
    >>> inside_run
    False
    """
    return has_strategy() and not _replica_contexts


def get_replica_context() -> ReplicaContext | None:
    """The running replica's context; None in the cross-replica context; the default one otherwise.

    >>> import eagerkit as ek
    >>> ek.distribute.get_replica_context()
    <ReplicaContext num_replicas_in_sync=1>
    >>> strategy = ek.distribute.MirroredStrategy()
    >>> with strategy.scope():
    ...     print(ek.distribute.get_replica_context())  # the cross-replica context
    None
    >>> strategy.run(lambda: ek.distribute.get_replica_context().strategy is strategy)
    True
    """
    if _replica_contexts:
        return _replica_contexts[-1]
    if has_strategy():
        return None
    return ReplicaContext(_DEFAULT, 1, None)


def get_cross_replica_context() -> Strategy | None:
    """The current strategy in the cross-replica context, else None."""
    if _replica_contexts:
        return None
    return get_strategy()


def current_replica_count() -> int:
    """How many replicas the current step runs on (1 outside ``strategy.run``)."""
    return _replica_contexts[-1].num_replicas_in_sync if _replica_contexts else 1


def all_reduce_sum(values: list) -> list:
    """Sums raw arrays over the running replicas (identity outside a multi-replica ``run``)."""
    ctx = _replica_contexts[-1] if _replica_contexts else None
    if ctx is None or ctx.axis_name is None:
        return values
    return list(lax.psum(list(values), ctx.axis_name))


def experimental_set_strategy(strategy: Strategy | None) -> None:
    """Makes ``strategy`` current for the rest of the program (None: back to the default).

    >>> import eagerkit as ek
    >>> strategy = ek.distribute.MirroredStrategy()
    >>> try:
    ...     ek.distribute.experimental_set_strategy(strategy)  # as if inside strategy.scope() from now on
    ...     print(ek.distribute.get_strategy() is strategy, ek.distribute.in_cross_replica_context())
    ... finally:
    ...     ek.distribute.experimental_set_strategy(None)  # back to the default strategy
    True True
    >>> ek.distribute.has_strategy()
    False
    """
    if _scopes:
        raise RuntimeError(
            "experimental_set_strategy must not be called inside a strategy's scope (or strategy.run): leave the "
            "`with strategy.scope():` block first."
        )
    _global[0] = strategy


def _place_new_variable(var: Variable) -> None:
    strategy = get_strategy()
    if not isinstance(strategy, _DefaultStrategy):
        with context.init_scope():
            strategy._place_variable(var)


_variable._creation_hooks.append(_place_new_variable)

__all__ = [
    "InputContext",
    "ReduceOp",
    "ReplicaContext",
    "Strategy",
    "StrategyExtended",
    "ValueContext",
    "VariableSynchronization",
    "experimental_set_strategy",
    "get_cross_replica_context",
    "get_replica_context",
    "get_strategy",
    "has_strategy",
    "in_cross_replica_context",
]
