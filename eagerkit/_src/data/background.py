"""Running part of a pipeline on a background thread with a bounded queue.

DESIGN: ``prefetch`` moves the production of blocks (slicing, shuffling, gathering,
batching, and the transfer of finished elements to the device) onto a daemon thread
that stays at most ``capacity`` items ahead of the consumer. User Python functions
(``map``/``filter`` functions, generators) never run on that thread: eagerkit's
execution context (active gradient tapes, ``ek.function`` traces) is process-wide, so
a user function running beside a trace could read symbolic values. The pipeline
therefore prefetches the user-function-free part of itself (see ``Dataset._blocks``).

When the consumer drops its iterator, the generator's ``finally`` tells the thread to
stop; the thread notices within one queue timeout and closes its upstream iterators.

>>> from eagerkit._src.data.background import background
>>> list(background(lambda: iter(range(5)), capacity=2))
[0, 1, 2, 3, 4]
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_ITEM, _END, _ERROR = 0, 1, 2
_POLL_S = 0.05


def background(make_iterator: Callable[[], Iterator[T]], capacity: int) -> Iterator[T]:
    """Yields the items of ``make_iterator()``, produced up to ``capacity`` ahead on a thread."""
    q: queue.Queue = queue.Queue(maxsize=max(1, capacity))
    stop = threading.Event()

    def put(kind: int, item: Any) -> bool:
        while not stop.is_set():
            try:
                q.put((kind, item), timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        it = None
        try:
            it = make_iterator()
            for item in it:
                if not put(_ITEM, item):
                    return
            put(_END, None)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer and re-raised there
            put(_ERROR, e)
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()

    # This function is a generator: the thread starts on the first ``next`` and is told to
    # stop when the consumer finishes, fails or drops the iterator.
    thread = threading.Thread(target=work, name="ek.data-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = q.get()
            if kind == _ITEM:
                yield item
            elif kind == _END:
                return
            else:
                raise item
    finally:
        stop.set()
