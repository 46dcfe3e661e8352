"""Python builtins whose graph versions converted code uses: ``print``, ``range``, ``assert``.

``converted_call`` routes calls of the builtin ``print`` and ``range`` (and of
``ek.range``) here; ``assert`` statements are rewritten to ``assert_stmt``.

* ``print(...)`` with a symbolic argument prints when the compiled function runs
  (``ek.print`` to ``sys.stdout``, or ``file=``); otherwise it is Python's ``print``,
  which inside ``ek.function`` runs once, while tracing (TF's behaviour).
* ``range(n)`` / ``ek.range(n)`` with a symbolic bound is a ``SymbolicRange`` that a
  converted ``for`` loop iterates with a graph loop.
* ``assert t, msg`` with a symbolic ``t`` becomes a run-time check
  (``InvalidArgumentError`` when it fails).

>>> from eagerkit._src.autograph.py_builtins import range_
>>> list(range_(range, (3,), {}))
[0, 1, 2]
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Callable
from typing import Any

from eagerkit._src.autograph import staging
from eagerkit._src.autograph.loops import SymbolicRange
from eagerkit._src.ops import debugging_ops
from eagerkit._src.util import nest


def print_(*args: Any, sep: str | None = " ", end: str | None = "\n", file: Any = None, flush: bool = False) -> None:
    """``print`` that prints tensors' run-time values inside ``ek.function``."""
    if any(staging.is_symbolic(v) for v in nest.flatten(list(args))):
        debugging_ops.print_(
            *args,
            output_stream=sys.stdout if file is None else file,
            sep=" " if sep is None else sep,
            end="\n" if end is None else end,
        )
    else:
        builtins.print(*args, sep=sep, end=end, file=file, flush=flush)


def range_(fn: Callable, args: tuple, kwargs: dict) -> Any:
    """``fn(*args, **kwargs)`` for ``range``/``ek.range``, a ``SymbolicRange`` for symbolic bounds."""
    bounds = list(args) + [kwargs[k] for k in ("start", "limit", "delta") if k in kwargs]
    if any(staging.is_symbolic(v) for v in bounds):
        if fn is builtins.range and kwargs:
            raise TypeError("range() takes no keyword arguments")
        call_args = tuple(args)
        if "start" in kwargs or "limit" in kwargs or "delta" in kwargs:
            start = kwargs.get("start", args[0] if args else 0)
            limit = kwargs.get("limit", args[1] if len(args) > 1 else None)
            delta = kwargs.get("delta", args[2] if len(args) > 2 else 1)
            call_args = (start, limit, delta) if limit is not None else (start,)
        return SymbolicRange.from_args(call_args, kwargs.get("dtype"))
    return fn(*args, **kwargs)


def assert_stmt(test: Any, message: Callable[[], Any] | None) -> None:
    """``assert test, message()``; a run-time check when ``test`` is symbolic."""
    if staging.is_symbolic(test):
        text = "Assertion failed" if message is None else str(message())
        debugging_ops.Assert(staging.bool_scalar(test, "assert"), [text])
        return
    if not test:
        raise AssertionError(message()) if message is not None else AssertionError()
