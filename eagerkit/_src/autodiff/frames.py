"""Variable-override frames used by autodiff (custom gradients) and by ``ek.function``.

A frame decides what a Variable read returns and where a write goes (see
``eagerkit._src.core.context``). ``OverrideFrame`` substitutes given values for given
variables and keeps writes to itself; ``ReadCollector`` passes everything through to the
frame below while remembering which variables were read.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from eagerkit._src.core import context


class ReadCollector:
    """Passes reads/writes through to the enclosing frame, remembering variables read."""

    def __init__(self) -> None:
        self.parent = context.frames[-1] if context.frames else None
        self.tracing = self.parent.tracing if self.parent is not None else False
        self.read_vars: dict[int, Any] = {}

    def read(self, var: Any) -> Any:
        self.read_vars.setdefault(id(var), var)
        return self.parent.read(var) if self.parent is not None else var._value

    def write(self, var: Any, value: Any) -> None:
        self.read_vars.setdefault(id(var), var)
        if self.parent is not None:
            self.parent.write(var, value)
        else:
            var._value = value

    def created(self, var: Any) -> None:
        if self.parent is not None:
            self.parent.created(var)


class OverrideFrame:
    """Reads given variables from ``values``; writes stay in the frame."""

    tracing = True

    def __init__(self, values: dict[int, Any]) -> None:
        self.values = dict(values)

    def read(self, var: Any) -> Any:
        v = self.values.get(id(var))
        return var._value if v is None else v

    def write(self, var: Any, value: Any) -> None:
        self.values[id(var)] = value

    def created(self, var: Any) -> None:
        pass


@contextlib.contextmanager
def pushed(frame: Any) -> Iterator[Any]:
    """Makes ``frame`` the innermost frame for the duration of the block."""
    context.frames.append(frame)
    try:
        yield frame
    finally:
        context.frames.remove(frame)


@contextlib.contextmanager
def tapes_paused() -> Iterator[None]:
    """No tape records inside the block."""
    saved = context.tapes
    context.tapes = []
    try:
        yield
    finally:
        context.tapes = saved
