"""``MultiWorkerMirroredStrategy``: synchronous data parallelism over several processes.

Processes find each other through JAX's own runtime (``jax.distributed.initialize``): the
coordinator is the first worker of the cluster (``TF_CONFIG`` or a cluster resolver), and
the replicas are all devices of all processes. Each process runs the same program; XLA's
collectives (gloo on CPUs, NCCL on GPUs) do the all-reduces. With a cluster of one worker
(no ``TF_CONFIG``) it is a MirroredStrategy over the local devices, so the same script runs
on one process or many.

It must be created before JAX computes anything in the process (as in TF, create it at
program start); ``import eagerkit`` itself does not start JAX.

>>> import eagerkit as ek
>>> ek.distribute.MultiWorkerMirroredStrategy().cluster_resolver.num_workers() in (0, 1)
True
"""

from __future__ import annotations

from typing import Any

import jax

from eagerkit._src.distribute.cluster_resolver import ClusterResolver, TFConfigClusterResolver
from eagerkit._src.distribute.mesh_strategy import MeshStrategy

_initialized: dict[str, Any] = {}


def _backend_started() -> bool:
    from jax._src import xla_bridge

    return bool(getattr(xla_bridge, "_backends", None))


def initialize(resolver: ClusterResolver, timeout_s: int = 300) -> None:
    """Connects this process to the others (once per process)."""
    n, pid, address = resolver.num_workers(), resolver.process_id(), resolver.coordinator_address()
    wanted = (address, n, pid)
    if _initialized.get("cluster") == wanted:
        return
    if _initialized:
        raise RuntimeError(f"This process already joined cluster {_initialized['cluster']}; cannot join {wanted}.")
    if _backend_started():
        raise RuntimeError(
            "MultiWorkerMirroredStrategy must be created before JAX runs any computation in this process (JAX can "
            "only join a cluster before its backends start). Create the strategy at the top of the program, "
            "right after `import eagerkit`."
        )
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(address, num_processes=n, process_id=pid, initialization_timeout=timeout_s)
    _initialized["cluster"] = wanted


def _share_random_state() -> None:
    """Every worker continues with worker 0's global random generator state.

    Then unseeded initialisers and ``fit``'s shuffling agree across workers, so each global
    batch is the same on every worker and each keeps its own replicas' rows of it.
    """
    import numpy as np
    from jax.experimental import multihost_utils

    from eagerkit._src.ops.random_ops import get_global_generator

    state = get_global_generator().state
    state.assign(multihost_utils.broadcast_one_to_all(np.asarray(state.numpy())))


class MultiWorkerMirroredStrategy(MeshStrategy):
    """Synchronous training across processes/machines (``tf.distribute.MultiWorkerMirroredStrategy``).

    Args:
      cluster_resolver: where the workers are; default ``TFConfigClusterResolver()`` (reads
        ``TF_CONFIG``).
      communication_options: accepted for compatibility; XLA picks the collectives.

    Every process of the job runs the same program; with a cluster of one worker (or no
    ``TF_CONFIG``) the strategy covers this process's devices:

    >>> import eagerkit as ek
    >>> resolver = ek.distribute.cluster_resolver.SimpleClusterResolver(
    ...     {"worker": ["localhost:12345"]}, task_type="worker", task_id=0)
    >>> strategy = ek.distribute.MultiWorkerMirroredStrategy(cluster_resolver=resolver)
    >>> strategy
    <eagerkit.distribute.MultiWorkerMirroredStrategy workers=1 num_replicas_in_sync=1>
    >>> strategy.cluster_resolver.num_workers(), strategy.extended.should_checkpoint
    (1, True)
    """

    def __init__(self, cluster_resolver: ClusterResolver | None = None, communication_options: Any = None) -> None:
        self._resolver = cluster_resolver if cluster_resolver is not None else TFConfigClusterResolver()
        multi = self._resolver.num_workers() > 1
        if multi:
            initialize(self._resolver)
        self._multi_process = jax.process_count() > 1
        super().__init__(jax.devices() if self._multi_process else jax.local_devices())
        if self._multi_process:
            _share_random_state()

    @property
    def cluster_resolver(self) -> ClusterResolver:
        return self._resolver

    def __repr__(self) -> str:
        return (
            f"<eagerkit.distribute.MultiWorkerMirroredStrategy workers={jax.process_count()} "
            f"num_replicas_in_sync={self.num_replicas_in_sync}>"
        )
