"""Per-replica values (``tf.distribute.DistributedValues`` / ``PerReplica``).

DESIGN: a :class:`PerReplica` holds ONE global ``jax.Array`` spread over the strategy's
device mesh rather than a list of per-device tensors, so it can flow into a compiled step
(it is a :class:`~eagerkit._src.core.composite.CompositeTensor`) and XLA sees one sharded
array. Two layouts exist:

* ``"concat"``: the replicas' values concatenated on axis 0 (a distributed input batch:
  replica ``i`` holds rows ``[i*b, (i+1)*b)`` of the global batch, as in TF);
* ``"stack"``: the replicas' values stacked on a new axis 0 (what ``strategy.run`` returns,
  since a per-replica result may be a scalar).

``values`` / ``strategy.experimental_local_results`` give the per-replica tensors.

>>> import jax.numpy as jnp
>>> v = PerReplica(jnp.arange(4.0), num_replicas=2, layout="concat")
>>> [t.numpy().tolist() for t in v.values]
[[0.0, 1.0], [2.0, 3.0]]
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import jax

from eagerkit._src.core.composite import CompositeTensor
from eagerkit._src.core.tensor import Tensor

LAYOUTS = ("concat", "stack")


class DistributedValues(CompositeTensor):
    """Base class of values that have one component per replica.

    >>> import eagerkit as ek
    >>> strategy = ek.distribute.MirroredStrategy()
    >>> batch = strategy.distribute_batch(ek.constant([1.0, 2.0]))
    >>> isinstance(batch, ek.distribute.DistributedValues)
    True
    >>> batch.values  # one replica here
    (<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>,)
    """

    @property
    def values(self) -> tuple[Tensor, ...]:
        raise NotImplementedError


class PerReplica(DistributedValues):
    """One value per replica, stored as a single global array (see the module docstring).

    Args:
      value: the global array (``jax.Array`` or a traced value).
      num_replicas: how many replicas the value is split over.
      layout: ``"concat"`` (replicas' values concatenated on axis 0) or ``"stack"``
        (stacked on a new axis 0).

    What ``strategy.run`` and distributed datasets produce; built by hand here for two
    replicas (no devices are needed to look at the values):

    >>> import eagerkit as ek
    >>> batch = ek.distribute.PerReplica(ek.constant([0.0, 1.0, 2.0, 3.0]), num_replicas=2, layout="concat")
    >>> batch.replica_shape(), [v.numpy().tolist() for v in batch.values]
    ((2,), [[0.0, 1.0], [2.0, 3.0]])
    >>> results = ek.distribute.PerReplica(ek.constant([1.0, 5.0]), num_replicas=2, layout="stack")
    >>> results
    PerReplica:{
      0: <tf.Tensor: shape=(), dtype=float32, numpy=1.0>,
      1: <tf.Tensor: shape=(), dtype=float32, numpy=5.0>
    }
    >>> results.global_value
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 5.], dtype=float32)>
    """

    def __init__(self, value: Any, num_replicas: int, layout: str) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"PerReplica layout must be one of {LAYOUTS}, got {layout!r}.")
        value = value._value if isinstance(value, Tensor) else value
        if layout == "stack" and value.shape[:1] != (num_replicas,):
            raise ValueError(f"A stacked PerReplica value needs leading dimension {num_replicas}, got {value.shape}.")
        if layout == "concat" and (not value.shape or value.shape[0] % num_replicas):
            raise ValueError(
                f"A batch of shape {tuple(value.shape)} cannot be split evenly over {num_replicas} replicas."
            )
        self._value = value
        self._num_replicas = num_replicas
        self._layout = layout

    # -- CompositeTensor ----------------------------------------------------------------------
    def _ek_components(self) -> list[Any]:
        return [self._value]

    def _ek_static(self) -> Hashable:
        return (self._num_replicas, self._layout)

    def _ek_rebuild(self, components: list[Any]) -> PerReplica:
        return PerReplica(components[0], self._num_replicas, self._layout)

    # -- per-replica views ------------------------------------------------------------------------
    @property
    def num_replicas(self) -> int:
        return self._num_replicas

    @property
    def layout(self) -> str:
        return self._layout

    @property
    def global_value(self) -> Tensor:
        """The global array as one Tensor (stacked or concatenated per :attr:`layout`)."""
        return Tensor(self._value)

    def replica_shape(self) -> tuple[int, ...]:
        """The shape each replica sees."""
        shape = tuple(self._value.shape)
        if self._layout == "stack":
            return shape[1:]
        return (shape[0] // self._num_replicas, *shape[1:])

    def _split(self, arr: Any) -> list[Any]:
        n = self._num_replicas
        if self._layout == "stack":
            return [arr[i] for i in range(n)]
        b = arr.shape[0] // n
        return [arr[i * b : (i + 1) * b] for i in range(n)]

    @property
    def values(self) -> tuple[Tensor, ...]:
        """Every replica's value, in replica order."""
        return tuple(Tensor(v) for v in self._split(self._value))

    def local_values(self) -> tuple[Tensor, ...]:
        """The values of the replicas on this process's devices (all of them in one process)."""
        arr = self._value
        if not isinstance(arr, jax.Array) or arr.is_fully_addressable or arr.is_fully_replicated:
            return self.values
        shards = sorted(arr.addressable_shards, key=lambda s: s.index[0].start or 0)
        out = []
        for s in shards:
            out.append(Tensor(s.data[0] if self._layout == "stack" else s.data))
        return tuple(out)

    def __repr__(self) -> str:
        inner = ",\n".join(f"  {i}: {v!r}" for i, v in enumerate(self.local_values()))
        return "PerReplica:{\n" + inner + "\n}"
