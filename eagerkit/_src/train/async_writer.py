"""Background checkpoint writes: one worker thread runs them in submission order.

One worker keeps the order of the writes and of the state-file updates that follow
them equal to the order of the ``save`` calls. Reading a checkpoint that is still being
written waits for it; a synchronous save first waits for every pending background write.

At interpreter exit, pending writes are finished before ``concurrent.futures`` shuts its
thread pools down (orbax needs them): the wait is registered with the same exit hook
``concurrent.futures`` uses (``threading._register_atexit``), and runs before it. A
process that is killed instead loses the writes in flight, never a visible checkpoint.

>>> from eagerkit._src.train import async_writer
>>> future = async_writer.submit("/tmp/example", lambda: None)
>>> future.result() is None
True
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

_log = logging.getLogger("eagerkit")
_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_in_flight: dict[str, Future] = {}


def _key(path: str) -> str:
    return os.path.abspath(os.path.normpath(path))


def submit(path: str, job: Callable[[], None]) -> Future:
    """Runs ``job`` (which writes the checkpoint ``path``) on the background worker."""
    global _executor
    key = _key(path)

    def run() -> None:
        try:
            job()
        except BaseException:
            _log.exception("Asynchronous checkpoint write of %s failed", path)
            raise
        finally:
            with _lock:
                if _in_flight.get(key) is future:
                    del _in_flight[key]

    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="eagerkit-checkpoint")
            # Registered after concurrent.futures' own hook, so it runs first (hooks run in reverse).
            register = getattr(threading, "_register_atexit", atexit.register)
            register(wait_all)
        future = _executor.submit(run)
        _in_flight[key] = future
    return future


def wait_for(path: str) -> None:
    """Waits until a pending background write of ``path`` (if any) has finished."""
    with _lock:
        future = _in_flight.get(_key(path))
    if future is not None:
        wait([future])


def wait_all() -> None:
    """Waits for every pending background write (their errors are reported to their owners)."""
    with _lock:
        futures = list(_in_flight.values())
    if futures:
        wait(futures)


def in_flight() -> int:
    """How many background writes are pending."""
    with _lock:
        return len(_in_flight)
