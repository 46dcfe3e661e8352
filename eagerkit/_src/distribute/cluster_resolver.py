"""Where the processes of a multi-worker job are (``tf.distribute.cluster_resolver``).

``TFConfigClusterResolver`` reads the ``TF_CONFIG`` environment variable exactly as TF
does; ``SimpleClusterResolver`` takes the cluster as arguments. eagerkit uses the first
worker's address as the address of JAX's coordination service.

>>> r = SimpleClusterResolver({"worker": ["127.0.0.1:12345", "127.0.0.1:12346"]}, task_type="worker", task_id=1)
>>> r.num_workers(), r.task_id, r.coordinator_address()
(2, 1, '127.0.0.1:12345')
"""

from __future__ import annotations

import json
import os
from typing import Any

_WORKER_TYPES = ("chief", "worker")


class ClusterResolver:
    """A cluster (``{"chief": [...], "worker": [...]}``) and this process's task in it."""

    def cluster_spec(self) -> dict[str, list[str]]:
        raise NotImplementedError

    task_type: str | None = None
    task_id: int | None = None

    def workers(self) -> list[str]:
        """All training processes, chief first (the order defines process ids)."""
        spec = self.cluster_spec()
        return [a for kind in _WORKER_TYPES for a in spec.get(kind, [])]

    def num_workers(self) -> int:
        return len(self.workers())

    def process_id(self) -> int:
        """This process's index in :meth:`workers`."""
        if self.num_workers() <= 1:
            return 0
        spec = self.cluster_spec()
        if self.task_type not in _WORKER_TYPES or self.task_id is None:
            raise ValueError(
                f"This process's task is {self.task_type!r}:{self.task_id!r}; MultiWorkerMirroredStrategy needs a "
                '\'chief\' or \'worker\' task. Set TF_CONFIG\'s "task" to {"type": "worker", "index": i}.'
            )
        offset = len(spec.get("chief", [])) if self.task_type == "worker" else 0
        pid = offset + int(self.task_id)
        if pid >= self.num_workers():
            raise ValueError(f"Task {self.task_type}:{self.task_id} is not in the cluster {spec}.")
        return pid

    def coordinator_address(self) -> str:
        """The address of JAX's coordination service: the first worker's ``host:port``."""
        workers = self.workers()
        if not workers:
            raise ValueError("The cluster has no 'chief' or 'worker' tasks.")
        return workers[0]


class SimpleClusterResolver(ClusterResolver):
    """A cluster given as a dict (or an object with ``as_dict()``) plus this task."""

    def __init__(self, cluster_spec: Any, task_type: str | None = None, task_id: int | None = None, **_: Any):
        spec = cluster_spec.as_dict() if hasattr(cluster_spec, "as_dict") else dict(cluster_spec)
        self._spec = {k: list(v) for k, v in spec.items()}
        self.task_type = task_type
        self.task_id = task_id

    def cluster_spec(self) -> dict[str, list[str]]:
        return self._spec


class TFConfigClusterResolver(ClusterResolver):
    """The cluster from ``TF_CONFIG`` (JSON: ``{"cluster": {...}, "task": {"type": ..., "index": ...}}``)."""

    def __init__(self, task_type: str | None = None, task_id: int | None = None) -> None:
        raw = os.environ.get("TF_CONFIG", "")
        try:
            config = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as e:
            raise ValueError(f"TF_CONFIG is not valid JSON ({e}): {raw!r}") from None
        self._spec = {k: list(v) for k, v in config.get("cluster", {}).items()}
        task = config.get("task", {})
        self.task_type = task_type if task_type is not None else task.get("type")
        self.task_id = task_id if task_id is not None else task.get("index")

    def cluster_spec(self) -> dict[str, list[str]]:
        return self._spec
