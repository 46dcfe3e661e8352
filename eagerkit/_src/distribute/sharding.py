"""``ek.distribute.experimental.shard``: split a variable over the strategy's devices.

By default a variable created under a strategy's scope is replicated: every device holds all
of it. ``shard(variable, spec)`` instead splits it along the dimensions ``spec`` names with
the mesh axis ``"replica"`` (a ``jax.sharding.PartitionSpec``), so each device stores a
slice: ``shard(dense.kernel, (None, "replica"))`` splits a Dense layer's units over the
devices. Compiled steps keep it split; where a step needs the whole value (inside
``strategy.run`` each replica sees full variables) XLA gathers it, and XLA partitions the
computations on it outside ``strategy.run``. Checkpoints save such a variable once and
restore it on any number of devices.

>>> import eagerkit as ek
>>> strategy = ek.distribute.MirroredStrategy()
>>> with strategy.scope():
...     v = ek.distribute.experimental.shard(ek.Variable(ek.zeros([4, 2])), ("replica", None))
>>> v.shape
TensorShape([4, 2])
"""

from __future__ import annotations

from typing import Any

from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

from eagerkit._src.core.variable import Variable
from eagerkit._src.distribute import distribute_lib


def shard(variable: Variable, partition_spec: Any, strategy: Any = None) -> Variable:
    """Keeps ``variable`` split over ``strategy``'s devices as ``partition_spec`` says; returns it.

    Args:
      variable: an ``ek.Variable`` (typically a layer weight).
      partition_spec: a ``PartitionSpec`` or tuple with one entry per dimension: ``"replica"``
        splits that dimension over the devices, ``None`` keeps it whole.
      strategy: a MirroredStrategy/MultiWorkerMirroredStrategy (default: the current one).

    >>> import eagerkit as ek
    >>> strategy = ek.distribute.MirroredStrategy()
    >>> with strategy.scope():
    ...     dense = ek.keras.layers.Dense(4, kernel_initializer="ones")
    ...     _ = dense(ek.ones([1, 2]))  # builds the (2, 4) kernel
    ...     kernel = ek.distribute.experimental.shard(dense.kernel, (None, "replica"))  # split the 4 units
    >>> kernel is dense.kernel, kernel.shape
    (True, TensorShape([2, 4]))
    >>> dense(ek.ones([1, 2])).numpy()  # used as before
    array([[2., 2., 2., 2.]], dtype=float32)
    >>> ek.distribute.experimental.shard(ek.Variable([1.0]), ("replica",))  # outside any strategy's scope
    Traceback (most recent call last):
        ...
    ValueError: ek.distribute.experimental.shard needs a MirroredStrategy or MultiWorkerMirroredStrategy: ...
    """
    strategy = strategy if strategy is not None else distribute_lib.get_strategy()
    mesh = getattr(strategy, "mesh", None)
    if mesh is None:
        raise ValueError(
            "ek.distribute.experimental.shard needs a MirroredStrategy or MultiWorkerMirroredStrategy: call it "
            "inside `with strategy.scope():` or pass strategy=."
        )
    if not isinstance(variable, Variable):
        raise TypeError(f"shard() takes an ek.Variable, got {type(variable).__name__}.")
    spec = partition_spec if isinstance(partition_spec, P) else P(*partition_spec)
    shape = tuple(variable._value.shape)
    if len(spec) > len(shape):
        raise ValueError(f"PartitionSpec {spec} has more entries than {variable.name} has dimensions {shape}.")
    n = strategy.num_replicas_in_sync
    for dim, axis in enumerate(spec):
        if axis is None:
            continue
        if axis != strategy._axis_name:
            raise ValueError(f"Unknown mesh axis {axis!r} in {spec}: the strategy's only axis is 'replica'.")
        if shape[dim] % n:
            raise ValueError(
                f"Cannot split dimension {dim} of {variable.name} (size {shape[dim]}) over {n} devices: "
                "choose a dimension whose size the device count divides."
            )
    sharding = NamedSharding(mesh, spec)
    variable._value = strategy._put(variable._value, sharding)
    variable._layout = sharding
    return variable
