"""Summary writers, the default writer, the default step and ``record_if``.

DESIGN: a file writer owns one TF-2-style event file
(``events.out.tfevents.<time>.<host>.<pid>.<n>.v2``) written with tensorboardX's
``EventsWriter`` (record framing and CRCs). Events wait in memory until ``max_queue``
of them are pending, ``flush_millis`` have passed (a small timer thread), or
``flush``/``close`` is called; every open writer is flushed at interpreter exit.
Summaries recorded inside compiled functions arrive through JAX host callbacks, so
``flush`` first waits for those (``jax.effects_barrier``).

The default writer, default step and recording condition are process-wide, like TF's
eager summary state.

>>> import tempfile
>>> import eagerkit.summary as summary
>>> writer = summary.create_file_writer(tempfile.mkdtemp())
>>> with writer.as_default(step=1):
...     bool(summary.should_record_summaries()), int(summary.experimental.get_step())
(True, 1)
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any

_file_counter = itertools.count()
_open_writers: weakref.WeakSet = weakref.WeakSet()


class SummaryWriter:
    """Base class of summary writers (``tf.summary.SummaryWriter``).

    >>> import shutil, tempfile
    >>> import eagerkit as ek
    >>> logdir = tempfile.mkdtemp()
    >>> writer = ek.summary.create_file_writer(logdir)
    >>> isinstance(writer, ek.summary.SummaryWriter)
    True
    >>> with writer.as_default(step=0):
    ...     _ = ek.summary.scalar("loss", 0.5)
    >>> writer.close()
    >>> shutil.rmtree(logdir)
    """

    _records = True

    def set_as_default(self, step: Any = None) -> None:
        """Makes this the default writer from now on (and sets the default step if given).

        >>> import shutil, tempfile
        >>> import eagerkit as ek
        >>> logdir = tempfile.mkdtemp()
        >>> writer = ek.summary.create_file_writer(logdir)
        >>> with ek.summary.create_noop_writer().as_default():  # (restores the default writer afterwards)
        ...     writer.set_as_default()
        ...     bool(ek.summary.scalar("loss", 1.0, step=0))
        True
        >>> writer.close()
        >>> shutil.rmtree(logdir)
        """
        global _default_writer
        _default_writer = self
        if step is not None:
            set_step(step)

    @contextlib.contextmanager
    def as_default(self, step: Any = None) -> Iterator[SummaryWriter]:
        """Makes this the default writer inside the ``with`` block; flushes it on exit.

        ``step`` (optional) becomes the default step inside the block.

        >>> import shutil, tempfile
        >>> import eagerkit as ek
        >>> logdir = tempfile.mkdtemp()
        >>> writer = ek.summary.create_file_writer(logdir)
        >>> with writer.as_default(step=3):
        ...     int(ek.summary.experimental.get_step())
        3
        >>> print(ek.summary.experimental.get_step())  # restored on exit
        None
        >>> shutil.rmtree(logdir)
        """
        global _default_writer, _step
        saved_writer, saved_step = _default_writer, _step
        _default_writer = self
        if step is not None:
            _step = step
        try:
            yield self
        finally:
            _default_writer = saved_writer
            if step is not None:
                _step = saved_step
            self.flush()

    def init(self) -> None:
        """Accepted for compatibility; writers are ready when created.

        >>> import eagerkit as ek
        >>> ek.summary.create_noop_writer().init()
        """

    def flush(self) -> None:
        """Writes pending events to disk.

        >>> import os, shutil, tempfile
        >>> import eagerkit as ek
        >>> logdir = tempfile.mkdtemp()
        >>> writer = ek.summary.create_file_writer(logdir)
        >>> with writer.as_default(step=0):
        ...     _ = ek.summary.scalar("loss", 1.0)
        >>> writer.flush()
        >>> len(os.listdir(logdir))
        1
        >>> shutil.rmtree(logdir)
        """

    def close(self) -> None:
        """Flushes and closes the writer.

        >>> import shutil, tempfile
        >>> import eagerkit as ek
        >>> logdir = tempfile.mkdtemp()
        >>> writer = ek.summary.create_file_writer(logdir)
        >>> writer.close()
        >>> shutil.rmtree(logdir)
        """

    def _write(self, event: Any) -> None:
        raise NotImplementedError


class NoopSummaryWriter(SummaryWriter):
    """A writer that records nothing (``tf.summary.create_noop_writer``)."""

    _records = False

    def _write(self, event: Any) -> None:
        pass


class FileSummaryWriter(SummaryWriter):
    """Writes events to a new TensorBoard event file under ``logdir``."""

    def __init__(self, logdir: str, max_queue: int, flush_millis: int, filename_suffix: str) -> None:
        from tensorboardX.event_file_writer import EventsWriter

        os.makedirs(logdir, exist_ok=True)
        self._logdir = logdir
        suffix = f".{os.getpid()}.{next(_file_counter)}{filename_suffix}"
        self._events = EventsWriter(os.path.join(logdir, "events"), suffix)
        self._events.flush()
        self._pending: list = []
        self._max_queue = max(1, int(max_queue))
        self._lock = threading.Lock()
        self._closed = False
        self._uses_callbacks = False
        self._stop = threading.Event()
        self._timer = threading.Thread(
            target=self._flush_periodically, args=(max(flush_millis, 1) / 1000.0,), daemon=True
        )
        self._timer.start()
        _open_writers.add(self)

    @property
    def logdir(self) -> str:
        return self._logdir

    @property
    def path(self) -> str:
        """The event file this writer writes."""
        return self._events._file_name

    def _flush_periodically(self, interval: float) -> None:
        while not self._stop.wait(interval):
            with self._lock:
                self._drain()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"SummaryWriter {self!r} is already closed")

    def _write(self, event: Any) -> None:
        with self._lock:
            self._check_open()
            self._pending.append(event)
            if len(self._pending) >= self._max_queue:
                self._drain()

    def _drain(self) -> None:
        if self._closed:
            return
        for event in self._pending:
            self._events.write_event(event)
        self._pending.clear()
        self._events.flush()

    def flush(self) -> None:
        if self._uses_callbacks:
            import jax

            jax.effects_barrier()
        with self._lock:
            self._drain()

    def close(self) -> None:
        if self._closed:
            return
        self.flush()
        self._stop.set()
        with self._lock:
            self._closed = True
            self._events.close()
        _open_writers.discard(self)

    def __repr__(self) -> str:
        return f"<FileSummaryWriter logdir={self._logdir!r}>"


@atexit.register
def _flush_all_at_exit() -> None:
    for w in list(_open_writers):
        with contextlib.suppress(Exception):
            w.flush()


def create_file_writer(
    logdir: str,
    max_queue: int | None = None,
    flush_millis: int | None = None,
    filename_suffix: str | None = None,
    name: str | None = None,
    experimental_trackable: bool = False,
    experimental_mesh: Any = None,
) -> SummaryWriter:
    """A writer for a new event file in ``logdir`` (``tf.summary.create_file_writer``).

    Args:
      logdir: directory for the event file (created if needed).
      max_queue: events kept in memory before a write; default 10.
      flush_millis: longest time between writes of pending events; default 120000.
      filename_suffix: replaces the default ``.v2`` at the end of the file name.

    >>> import os, tempfile
    >>> import eagerkit.summary as summary
    >>> d = tempfile.mkdtemp()
    >>> w = summary.create_file_writer(d)
    >>> with w.as_default():
    ...     _ = summary.scalar("loss", 0.5, step=1)
    >>> [f.startswith("events.out.tfevents.") and f.endswith(".v2") for f in os.listdir(d)]
    [True]
    """
    if logdir is None:
        raise ValueError("logdir cannot be None")
    return FileSummaryWriter(
        os.fspath(logdir),
        10 if max_queue is None else max_queue,
        120_000 if flush_millis is None else flush_millis,
        ".v2" if filename_suffix is None else filename_suffix,
    )


def create_noop_writer() -> SummaryWriter:
    """A writer whose summaries are dropped (``tf.summary.create_noop_writer``).

    >>> import eagerkit as ek
    >>> with ek.summary.create_noop_writer().as_default():
    ...     bool(ek.summary.scalar("loss", 0.5, step=0))
    False
    """
    return NoopSummaryWriter()


# -- process-wide summary state ------------------------------------------------------------

_default_writer: SummaryWriter | None = None
_step: Any = None
_condition: Any = True


def default_writer() -> SummaryWriter | None:
    return _default_writer


def flush(writer: SummaryWriter | None = None, name: str | None = None) -> None:
    """Flushes ``writer`` (default: the default writer) (``tf.summary.flush``).

    >>> import os, shutil, tempfile
    >>> import eagerkit as ek
    >>> logdir = tempfile.mkdtemp()
    >>> with ek.summary.create_file_writer(logdir).as_default(step=1):
    ...     _ = ek.summary.scalar("loss", 0.5)
    ...     ek.summary.flush()
    >>> [f.startswith("events.out.tfevents.") for f in os.listdir(logdir)]
    [True]
    >>> shutil.rmtree(logdir)
    """
    w = writer if writer is not None else _default_writer
    if w is not None:
        w.flush()


def set_step(step: Any) -> None:
    """Sets the default step for summaries (``tf.summary.experimental.set_step``).

    ``step`` may be an int, a Tensor or a Variable (read each time a summary is written).

    >>> import eagerkit as ek
    >>> step = ek.Variable(0, dtype=ek.int64)
    >>> ek.summary.experimental.set_step(step)
    >>> _ = step.assign_add(5)
    >>> int(ek.summary.experimental.get_step())
    5
    >>> ek.summary.experimental.set_step(None)
    """
    global _step
    _step = step


def get_step() -> Any:
    """The default step, or ``None`` (``tf.summary.experimental.get_step``).

    >>> import eagerkit as ek
    >>> print(ek.summary.experimental.get_step())
    None
    >>> ek.summary.experimental.set_step(3)
    >>> ek.summary.experimental.get_step()
    3
    >>> ek.summary.experimental.set_step(None)
    """
    return _step


@contextlib.contextmanager
def record_if(condition: bool | Any | Callable[[], Any]) -> Iterator[None]:
    """Records summaries in the block only when ``condition`` holds (``tf.summary.record_if``).

    ``condition`` is a bool, a boolean Tensor, or a callable returning one (evaluated at
    each summary).

    >>> import eagerkit.summary as summary
    >>> with summary.record_if(False):
    ...     bool(summary.should_record_summaries())
    False
    """
    global _condition
    saved = _condition
    _condition = condition
    try:
        yield
    finally:
        _condition = saved


def current_condition() -> Any:
    """The recording condition's current value: a Python bool, a Tensor, or a traced value."""
    c = _condition
    return c() if callable(c) else c


def now() -> float:
    return time.time()
