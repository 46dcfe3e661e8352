"""``CheckpointManager``: numbered checkpoints in a directory, old ones deleted.

Checkpoints are ``<directory>/<checkpoint_name>-<n>`` (``n`` = ``save_counter`` or the
given ``checkpoint_number``). After each checkpoint is complete the manager records it
in the directory's ``checkpoint`` state file (TF's format; see ``checkpoint_state.py``)
and then deletes checkpoints beyond ``max_to_keep``, oldest first, except those kept by
``keep_checkpoint_every_n_hours``. A new manager on the same directory picks the history
up from the state file, and removes temporaries left there by killed processes.

>>> import eagerkit as ek, eagerkit.train, tempfile
>>> step = ek.Variable(0, dtype=ek.int64)
>>> manager = ek.train.CheckpointManager(ek.train.Checkpoint(step=step), tempfile.mkdtemp(), max_to_keep=2)
>>> paths = [manager.save() for _ in range(3)]
>>> [p.rsplit("/", 1)[1] for p in manager.checkpoints]
['ckpt-2', 'ckpt-3']
>>> manager.latest_checkpoint == paths[-1]
True
"""

from __future__ import annotations

import collections
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from eagerkit._src.train import checkpoint_state, multi_process, storage
from eagerkit._src.train.checkpoint import Checkpoint
from eagerkit._src.train.checkpoint_options import CheckpointOptions

_log = logging.getLogger("eagerkit")


def _as_int(value: Any, what: str) -> int:
    raw = getattr(value, "_value", value)
    arr = np.asarray(raw)
    if arr.shape != () or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{what} must be an integer (or an integer Variable/Tensor), got {value!r}.")
    return int(arr)


class CheckpointManager:
    """Saves numbered checkpoints of ``checkpoint`` in ``directory`` and deletes old ones.

    Args:
      checkpoint: the ``Checkpoint`` to save and restore.
      directory: where checkpoints and the ``checkpoint`` state file go (created if needed).
      max_to_keep: how many checkpoints to keep (``None``: keep all).
      keep_checkpoint_every_n_hours: when a checkpoint leaves the kept set, keep it anyway
        if at least this many hours passed since the last one kept this way.
      checkpoint_name: the name prefix of the checkpoints.
      step_counter: integer Variable consulted by ``checkpoint_interval``.
      checkpoint_interval: save only if ``step_counter`` advanced at least this much since
        the last saved checkpoint.
      init_fn: called by ``restore_or_initialize`` when there is no checkpoint.
      last_checkpoint_step: the step of the last checkpoint, for ``checkpoint_interval``.

    Several processes (``MultiWorkerMirroredStrategy``): every process creates the manager
    on the same (shared) directory and calls ``save`` at the same points. Process 0 writes
    the checkpoint, the state file and deletes old checkpoints; every process keeps the
    same history (timestamps are process 0's), so ``save`` returns the same path and
    ``checkpoints``/``latest_checkpoint`` agree everywhere, and no ``save`` returns before
    the checkpoint and state file are complete. Saves are synchronous there (``enable_async``
    is ignored). Every process can restore (``restore_or_initialize``, or
    ``checkpoint.restore(manager.latest_checkpoint)``) without waiting for the others.

    >>> import eagerkit as ek, eagerkit.train, tempfile
    >>> step = ek.Variable(0, dtype=ek.int64)
    >>> m = ek.train.CheckpointManager(ek.train.Checkpoint(step=step), tempfile.mkdtemp(),
    ...                                step_counter=step, checkpoint_interval=10)
    >>> [m.save() is not None for s in (0, 5, 10) if step.assign(s) is not None]
    [True, False, True]
    """

    def __init__(
        self,
        checkpoint: Checkpoint,
        directory: str | os.PathLike,
        max_to_keep: int | None = 5,
        keep_checkpoint_every_n_hours: float | None = None,
        checkpoint_name: str = "ckpt",
        step_counter: Any = None,
        checkpoint_interval: int | None = None,
        init_fn: Callable[[], Any] | None = None,
        last_checkpoint_step: int | None = None,
    ) -> None:
        if not isinstance(checkpoint, Checkpoint):
            raise TypeError(f"CheckpointManager expects an ek.train.Checkpoint, got {checkpoint!r}.")
        if max_to_keep is not None and (not isinstance(max_to_keep, int) or max_to_keep <= 0):
            raise ValueError(f"Expected a positive integer or `None` for `max_to_keep`, got {max_to_keep!r}.")
        if checkpoint_interval is not None and step_counter is None:
            raise ValueError("`step_counter` should be passed if `checkpoint_interval` is not None.")
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._prefix = os.path.join(self._directory, checkpoint_name)
        self._step_counter = step_counter
        self._checkpoint_interval = checkpoint_interval
        self._init_fn = init_fn
        self._last_checkpoint_step = last_checkpoint_step
        self._lock = threading.Lock()
        os.makedirs(self._directory, exist_ok=True)
        # Only the writing process (the only one making temporaries) cleans up: another
        # machine's process ids mean nothing here.
        removed = storage.cleanup_stale_temporaries(self._directory) if multi_process.is_writer() else []
        if removed:
            _log.info("Removed %d unfinished checkpoint(s) left by killed processes in %s", len(removed), directory)
        state = checkpoint_state.get_checkpoint_state(self._directory)
        now = time.time()
        self._maybe_delete: collections.OrderedDict[str, float] = collections.OrderedDict()
        if state is None:
            self._latest_checkpoint: str | None = None
            self._last_preserved_timestamp = now - 1.0
        else:
            self._latest_checkpoint = state.model_checkpoint_path
            # As TF: a missing field reads as 0.0, and paths without timestamps (written by
            # Checkpoint.save rather than a manager) are not taken over.
            preserved = state.last_preserved_timestamp or 0.0
            self._last_preserved_timestamp = min(preserved, now)
            stamps = state.all_model_checkpoint_timestamps or [self._last_preserved_timestamp] * len(
                state.all_model_checkpoint_paths
            )
            for path, stamp in zip(state.all_model_checkpoint_paths, stamps):
                stamp = min(stamp, now)
                if stamp > self._last_preserved_timestamp:
                    self._maybe_delete[path] = stamp

    # -- properties ------------------------------------------------------------------------------------
    @property
    def checkpoint(self) -> Checkpoint:
        """The managed Checkpoint."""
        return self._checkpoint

    @property
    def directory(self) -> str:
        return self._directory

    @property
    def checkpoint_interval(self) -> int | None:
        return self._checkpoint_interval

    @property
    def latest_checkpoint(self) -> str | None:
        """The newest complete checkpoint of this manager (``None`` if there is none)."""
        with self._lock:
            return self._latest_checkpoint

    @property
    def checkpoints(self) -> list[str]:
        """The kept checkpoints, oldest first (those kept by ``keep_checkpoint_every_n_hours`` excluded)."""
        with self._lock:
            return list(self._maybe_delete)

    # -- saving ---------------------------------------------------------------------------------------
    def save(
        self, checkpoint_number: Any = None, check_interval: bool = True, options: CheckpointOptions | None = None
    ) -> str | None:
        """Saves a new checkpoint; returns its path, or ``None`` when ``checkpoint_interval`` skips it.

        ``checkpoint_number`` (an int or integer Variable/Tensor) numbers the checkpoint
        instead of ``save_counter`` (which is incremented either way). With
        ``options=CheckpointOptions(enable_async=True)`` it returns at once (in a single
        process; under several it is synchronous); ``checkpoints`` and ``latest_checkpoint``
        include the new checkpoint once it is complete.

        >>> import os, shutil, tempfile
        >>> import eagerkit as ek
        >>> directory = tempfile.mkdtemp()
        >>> step = ek.Variable(0, dtype=ek.int64)
        >>> manager = ek.train.CheckpointManager(ek.train.Checkpoint(step=step), directory, max_to_keep=2)
        >>> for _ in range(3):
        ...     _ = step.assign_add(100)
        ...     path = manager.save(checkpoint_number=step)
        >>> [os.path.basename(p) for p in manager.checkpoints]
        ['ckpt-200', 'ckpt-300']
        >>> shutil.rmtree(directory)
        """
        if self._checkpoint_interval is not None:
            step = _as_int(self._step_counter, "step_counter")
            if self._last_checkpoint_step is not None:
                if step == self._last_checkpoint_step:
                    return None
                if check_interval and step < self._last_checkpoint_step + self._checkpoint_interval:
                    return None
            self._last_checkpoint_step = step
        counter = self._checkpoint.save_counter
        counter.assign_add(1)
        number = _as_int(counter if checkpoint_number is None else checkpoint_number, "checkpoint_number")
        path = f"{self._prefix}-{number}"
        return self._checkpoint._write(path, options, [self._record_and_sweep])

    def _record_and_sweep(self, path: str) -> None:
        with self._lock:
            stamp = multi_process.now()  # time.time(); under several processes process 0's
            self._maybe_delete.pop(path, None)
            self._maybe_delete[path] = stamp
            self._latest_checkpoint = path
            doomed = []
            if self._max_to_keep:
                while len(self._maybe_delete) > self._max_to_keep:
                    old, old_stamp = self._maybe_delete.popitem(last=False)
                    hours = self._keep_checkpoint_every_n_hours
                    if hours and old_stamp - hours * 3600.0 >= self._last_preserved_timestamp:
                        self._last_preserved_timestamp = old_stamp
                        continue
                    doomed.append(old)
            if not multi_process.is_writer():  # the same bookkeeping; process 0 writes the files
                return
            checkpoint_state.update_checkpoint_state(
                self._directory,
                path,
                list(self._maybe_delete),
                list(self._maybe_delete.values()),
                self._last_preserved_timestamp,
            )
        for old in doomed:  # only after the state file no longer names them
            if old != path:
                storage.delete(old)

    def wait_until_finished(self) -> None:
        """Waits for background (async) saves; raises the error of one that failed.

        >>> import os, shutil, tempfile
        >>> import eagerkit as ek
        >>> directory = tempfile.mkdtemp()
        >>> manager = ek.train.CheckpointManager(ek.train.Checkpoint(v=ek.Variable(1.0)), directory, max_to_keep=1)
        >>> path = manager.save(options=ek.train.CheckpointOptions(enable_async=True))
        >>> manager.wait_until_finished()
        >>> manager.latest_checkpoint == path
        True
        >>> shutil.rmtree(directory)
        """
        self._checkpoint.sync()

    def sync(self) -> None:
        """TF's name for ``wait_until_finished``.

        >>> import os, shutil, tempfile
        >>> import eagerkit as ek
        >>> directory = tempfile.mkdtemp()
        >>> manager = ek.train.CheckpointManager(ek.train.Checkpoint(v=ek.Variable(1.0)), directory, max_to_keep=1)
        >>> path = manager.save(options=ek.train.CheckpointOptions(enable_async=True))
        >>> manager.sync()
        >>> os.path.basename(manager.latest_checkpoint)
        'ckpt-1'
        >>> shutil.rmtree(directory)
        """
        self.wait_until_finished()

    # -- restoring ----------------------------------------------------------------------------------
    def restore_or_initialize(self) -> str | None:
        """Restores the latest checkpoint and returns its path; else runs ``init_fn`` and returns None.

        >>> import os, shutil, tempfile
        >>> import eagerkit as ek
        >>> directory = tempfile.mkdtemp()
        >>> v = ek.Variable(0.0)
        >>> ckpt = ek.train.Checkpoint(v=v)
        >>> manager = ek.train.CheckpointManager(ckpt, directory, max_to_keep=1, init_fn=lambda: v.assign(-1.0))
        >>> print(manager.restore_or_initialize())  # nothing saved yet: runs init_fn
        None
        >>> v.numpy()
        np.float32(-1.0)
        >>> _ = v.assign(7.0)
        >>> path = manager.save()
        >>> _ = v.assign(0.0)
        >>> os.path.basename(manager.restore_or_initialize())
        'ckpt-1'
        >>> v.numpy()
        np.float32(7.0)
        >>> shutil.rmtree(directory)
        """
        self.wait_until_finished()
        latest = self.latest_checkpoint
        if latest is not None:
            self._checkpoint.restore(latest)
            if self._checkpoint_interval is not None:
                self._last_checkpoint_step = _as_int(self._step_counter, "step_counter")
            return latest
        if self._init_fn is not None:
            self._init_fn()
        return None
