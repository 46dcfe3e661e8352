"""Checkpoints when several processes run the same program (``MultiWorkerMirroredStrategy``).

TensorFlow's semantics: every worker calls ``save`` (and ``restore``) at the same point of
the same program; the checkpoint is written once, and every worker can restore it from the
shared path. eagerkit does this as follows:

* **Values.** Every process takes its snapshot (same graph walk, same order). Values that
  are neither fully replicated nor held whole by one process are gathered to host memory
  with ``process_allgather`` (a collective every process joins); the rest are read
  locally by process 0, the only writer.
* **Writing.** Only process 0 writes: orbax gets host NumPy arrays and a checkpointer
  whose process set is ``{0}``, so it never waits at a barrier for the others. Process 0
  also writes the JSON object graph, publishes the directory, updates the ``checkpoint``
  state file and deletes checkpoints a manager no longer keeps.
* **Agreement.** Two small collectives per save: before writing, every process shows the
  path it is saving to (a mismatch is a program that does not run the same code
  everywhere, and raises on every process before anything is written); after writing,
  process 0 tells whether it succeeded, so no process returns before the checkpoint is
  visible, and all raise if it failed. Nothing runs in the background: asynchronous saves
  are synchronous under several processes (a background thread cannot safely join a
  collective the main thread may be using too).
* **Reading.** Every process reads the files itself (a shared filesystem is assumed, as
  TF assumes for MultiWorkerMirroredStrategy) with a checkpointer of its own process set,
  checks CRC-32s on the host values, then places each value with its variable's sharding
  (``jax.make_array_from_callback`` for shardings spanning several processes). No
  collective runs, so a restore never waits for the other processes.

In one process ``process_count()`` is 1 and none of this runs: checkpoints are written
exactly as before, with no host copies and no collectives.

>>> from eagerkit._src.train import multi_process
>>> multi_process.process_count(), multi_process.is_writer()
(1, True)
"""

from __future__ import annotations

import contextlib
import threading
import time
import zlib
from collections.abc import Iterator
from typing import Any

import jax
import numpy as np

#: the process that writes checkpoints and state files (TF's "chief")
WRITER = 0


def process_count() -> int:
    """How many processes run this program (1 unless ``jax.distributed`` joined a cluster).

    Does not start JAX's backends when no cluster was joined (a strategy created later may
    still need to join one).
    """
    from jax._src import xla_bridge

    if not xla_bridge.backends_are_initialized() and not jax.distributed.is_initialized():
        return 1
    return jax.process_count()


def process_index() -> int:
    """This process's index (0 in a single process)."""
    return jax.process_index() if process_count() > 1 else 0


def is_writer() -> bool:
    """Whether this process writes checkpoint files (always, in a single process)."""
    return process_index() == WRITER


def host_value(value: Any, keep: bool) -> Any:
    """``value`` as a host NumPy array, or None where ``keep`` is false and nothing is owed.

    Every process must call this for the same values in the same order: an array split
    over several processes is gathered with a collective all of them join.
    """
    if isinstance(value, jax.Array) and not value.is_fully_addressable and not value.is_fully_replicated:
        from jax.experimental import multihost_utils

        if value.is_deleted():
            raise RuntimeError("Cannot checkpoint a variable whose (donated) buffer was deleted.")
        return np.asarray(multihost_utils.process_allgather(value, tiled=True))
    if not keep:
        return None
    return np.asarray(value)


def place(host: Any, sharding: Any) -> Any:
    """The host array ``host`` (the same on every process) placed with ``sharding``.

    ``None`` leaves it on the host; a sharding spanning other processes' devices gets
    this process's shards only.
    """
    if sharding is None:
        return host
    if getattr(sharding, "is_fully_addressable", True):
        return jax.device_put(host, sharding)
    host = np.asarray(host)
    return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])


def _gather_ints(values: list[int]) -> np.ndarray:
    """Every process's ``values`` (int32s), one row per process (a collective)."""
    from jax.experimental import multihost_utils

    mine = np.asarray(values, dtype=np.int32)
    return np.asarray(multihost_utils.process_allgather(mine)).reshape(process_count(), len(values))


def _path_hash(path: str) -> int:
    return zlib.crc32(path.encode("utf-8")) & 0x7FFFFFFF


def check_same_path(path: str) -> None:
    """Raises on every process unless all processes are saving to ``path`` (a collective)."""
    rows = _gather_ints([_path_hash(path)])
    if len(set(rows[:, 0].tolist())) != 1:
        raise ValueError(
            f"Process {process_index()} is saving checkpoint {path!r}, but the other processes are saving to other "
            "paths. Under several processes every process must call save with the same prefix (and have the same "
            "save_counter), as in TF's MultiWorkerMirroredStrategy; nothing was written."
        )


def finish_write(path: str, error: BaseException | None, clock: float = 0.0) -> float:
    """Waits until the writer has finished ``path``; returns the writer's ``clock`` (a collective).

    Raises on every process if the writer failed (``error`` there).
    """
    clock_bits = np.array([clock], np.float64).view(np.int32).tolist()
    rows = _gather_ints([0 if error is not None else 1, *clock_bits])
    if error is not None:
        raise error
    if rows[WRITER, 0] != 1:
        raise RuntimeError(
            f"Process {WRITER} failed to write checkpoint {path!r} (its error is raised there); nothing new was "
            "published."
        )
    return float(rows[WRITER, 1:].astype(np.int32).view(np.float64)[0])


_agreed = threading.local()


def now() -> float:
    """``time.time()``, or during a multi-process save the writer's time of it (the same everywhere).

    A CheckpointManager stamps its checkpoints with this, so that
    ``keep_checkpoint_every_n_hours`` decides the same on every process.
    """
    agreed = getattr(_agreed, "clock", None)
    return time.time() if agreed is None else agreed


@contextlib.contextmanager
def agreed_clock(clock: float) -> Iterator[None]:
    """Makes ``now()`` return ``clock`` inside the block (on this thread)."""
    previous = getattr(_agreed, "clock", None)
    _agreed.clock = clock
    try:
        yield
    finally:
        _agreed.clock = previous
