"""The layer-call context: the ``training`` value propagated from an outer call to the layers
called inside it, and whether a call is the outermost one (which clears ``add_loss`` losses).

>>> from eagerkit._src.keras.engine import call_context
>>> call_context.current_training() is None
True
>>> with call_context.enter(True):
...     call_context.current_training()
True
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator


class _State(threading.local):
    def __init__(self) -> None:
        self.training_stack: list[bool | None] = []
        self.symbolic_depth = 0


_state = _State()


def current_training() -> bool | None:
    """The ``training`` value of the innermost enclosing layer call (None outside any call)."""
    stack = _state.training_stack
    return stack[-1] if stack else None


def is_top_level() -> bool:
    """True when no layer call is in progress."""
    return not _state.training_stack


@contextlib.contextmanager
def enter(training: bool | None) -> Iterator[None]:
    """Marks a layer call in progress with the given ``training`` value."""
    _state.training_stack.append(training)
    try:
        yield
    finally:
        _state.training_stack.pop()


def in_symbolic_scope() -> bool:
    """True while a layer runs on placeholders to infer output shapes (functional API)."""
    return _state.symbolic_depth > 0


@contextlib.contextmanager
def symbolic_scope() -> Iterator[None]:
    """Marks shape inference in progress (``add_loss`` is ignored, state writes are discarded)."""
    _state.symbolic_depth += 1
    try:
        yield
    finally:
        _state.symbolic_depth -= 1
