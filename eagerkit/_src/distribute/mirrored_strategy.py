"""``MirroredStrategy``: synchronous data parallelism over the devices of one machine.

>>> import eagerkit as ek
>>> strategy = ek.distribute.MirroredStrategy()
>>> with strategy.scope():
...     v = ek.Variable(1.0)
>>> strategy.num_replicas_in_sync == len(strategy.extended.worker_devices)
True
"""

from __future__ import annotations

import re
from typing import Any

import jax

from eagerkit._src.distribute.mesh_strategy import MeshStrategy

_SPEC = re.compile(r"^(?:/job:[^/]+)?(?:/replica:\d+)?(?:/task:\d+)?/?(?:device:)?(?P<kind>[A-Za-z_]+):(?P<index>\d+)$")


def resolve_device(spec: Any) -> Any:
    """The JAX device for a TF device string such as ``"/gpu:1"`` or ``"/job:localhost/device:CPU:0"``."""
    if isinstance(spec, jax.Device):
        return spec
    m = _SPEC.match(str(spec).strip())
    if m is None:
        raise ValueError(f"Could not parse device {spec!r}: use TF device strings such as '/gpu:0' or '/cpu:1'.")
    kind, index = m.group("kind").lower(), int(m.group("index"))
    platform = "gpu" if kind == "gpu" else kind
    try:
        devices = jax.local_devices(backend=platform)
    except RuntimeError as e:
        raise ValueError(f"Device {spec!r}: this machine has no {kind.upper()} backend ({e}).") from None
    if index >= len(devices):
        raise ValueError(
            f"Device {spec!r} does not exist: there are {len(devices)} local {kind.upper()} device(s). On a CPU-only "
            "machine, XLA_FLAGS=--xla_force_host_platform_device_count=N (set before JAX starts) gives N CPU devices."
        )
    return devices[index]


class MirroredStrategy(MeshStrategy):
    """Synchronous training on several devices of one machine (``tf.distribute.MirroredStrategy``).

    Variables created in ``scope()`` are replicated on every device; each step
    (``strategy.run``) runs on all replicas as one compiled program and XLA all-reduces the
    gradients (the optimizer sums them, as TF's does).

    Args:
      devices: TF device strings (``"/gpu:0"``) or JAX devices; default: every local device of
        JAX's default backend (all GPUs, or the host CPU devices).
      cross_device_ops: accepted for compatibility; XLA chooses the all-reduce implementation.

    A custom training step (``docs/distribution.md`` has the full loop and ``Model.fit``):

    >>> import eagerkit as ek
    >>> strategy = ek.distribute.MirroredStrategy()  # every local device (one CPU here)
    >>> strategy
    <eagerkit.distribute.MirroredStrategy num_replicas_in_sync=1>
    >>> with strategy.scope():
    ...     w = ek.Variable([1.0, 1.0])
    ...     optimizer = ek.keras.optimizers.SGD(0.1)
    >>> def step(x):
    ...     with ek.GradientTape() as tape:
    ...         loss = ek.nn.compute_average_loss(ek.reduce_sum(x * w, axis=1), global_batch_size=4)
    ...     optimizer.apply_gradients([(tape.gradient(loss, w), w)])  # all-reduces the gradients
    ...     return loss
    >>> dataset = ek.data.Dataset.from_tensor_slices(ek.ones([4, 2])).batch(4)
    >>> for batch in strategy.experimental_distribute_dataset(dataset):
    ...     loss = strategy.reduce(ek.distribute.ReduceOp.SUM, strategy.run(step, args=(batch,)), axis=None)
    >>> float(loss), w.numpy()
    (2.0, array([0.9, 0.9], dtype=float32))
    >>> ek.distribute.MirroredStrategy(devices=["/cpu:0"]).num_replicas_in_sync
    1
    """

    def __init__(self, devices: list | None = None, cross_device_ops: Any = None) -> None:
        if devices is None:
            chosen = jax.local_devices()
        else:
            chosen = [resolve_device(d) for d in devices]
            if len({(d.platform, d.id) for d in chosen}) != len(chosen):
                raise ValueError(f"MirroredStrategy devices must be distinct, got {list(devices)}.")
        super().__init__(chosen)

    def __repr__(self) -> str:
        return f"<eagerkit.distribute.MirroredStrategy num_replicas_in_sync={self.num_replicas_in_sync}>"
