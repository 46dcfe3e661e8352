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
    """A cluster (``{"chief": [...], "worker": [...]}``) and this process's task in it.

    A subclass provides ``cluster_spec()`` and sets ``task_type``/``task_id``:

    >>> import eagerkit as ek
    >>> class FixedResolver(ek.distribute.cluster_resolver.ClusterResolver):
    ...     task_type, task_id = "worker", 1
    ...     def cluster_spec(self):
    ...         return {"chief": ["10.0.0.1:2222"], "worker": ["10.0.0.2:2222", "10.0.0.3:2222"]}
    >>> resolver = FixedResolver()
    >>> resolver.workers()
    ['10.0.0.1:2222', '10.0.0.2:2222', '10.0.0.3:2222']
    >>> resolver.num_workers(), resolver.process_id(), resolver.coordinator_address()
    (3, 2, '10.0.0.1:2222')
    """

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
    """A cluster given as a dict (or an object with ``as_dict()``) plus this task.

    >>> import eagerkit as ek
    >>> resolver = ek.distribute.cluster_resolver.SimpleClusterResolver(
    ...     {"worker": ["127.0.0.1:12345", "127.0.0.1:12346"]}, task_type="worker", task_id=1)
    >>> resolver.cluster_spec()
    {'worker': ['127.0.0.1:12345', '127.0.0.1:12346']}
    >>> resolver.num_workers(), resolver.process_id(), resolver.coordinator_address()
    (2, 1, '127.0.0.1:12345')
    """

    def __init__(self, cluster_spec: Any, task_type: str | None = None, task_id: int | None = None, **_: Any):
        spec = cluster_spec.as_dict() if hasattr(cluster_spec, "as_dict") else dict(cluster_spec)
        self._spec = {k: list(v) for k, v in spec.items()}
        self.task_type = task_type
        self.task_id = task_id

    def cluster_spec(self) -> dict[str, list[str]]:
        return self._spec


class TFConfigClusterResolver(ClusterResolver):
    """The cluster from ``TF_CONFIG`` (JSON: ``{"cluster": {...}, "task": {"type": ..., "index": ...}}``).

    >>> import json, os
    >>> from unittest import mock
    >>> import eagerkit as ek
    >>> config = {"cluster": {"worker": ["host0:2222", "host1:2222"]}, "task": {"type": "worker", "index": 1}}
    >>> with mock.patch.dict(os.environ, {"TF_CONFIG": json.dumps(config)}):
    ...     resolver = ek.distribute.cluster_resolver.TFConfigClusterResolver()
    >>> resolver.cluster_spec(), resolver.task_type, resolver.task_id
    ({'worker': ['host0:2222', 'host1:2222']}, 'worker', 1)
    >>> resolver.num_workers(), resolver.process_id(), resolver.coordinator_address()
    (2, 1, 'host0:2222')
    """

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
