"""Execution context shared by the layers: active tapes and variable-override frames.

Lower layers read these lists; higher layers (autodiff, function) push onto them.
Keeping them as plain module-level lists makes the eager fast path a single truth test.

A *frame* overrides where Variables read and write their values. ``ek.function``
pushes one while tracing (so variables read tracers and writes are collected), and
``custom_gradient`` pushes one while replaying user code. ``init_scope`` hides all
frames so that code inside it sees and mutates the real, eager values.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, Protocol

import jax

#: Tapes currently recording (innermost last). Managed by ``autodiff``.
tapes: list[Any] = []
#: Variable-override frames (innermost last). Managed by ``function`` and ``autodiff``.
frames: list[Frame] = []
#: ids of concrete arrays that stand for symbolic values while tracing (variable proxies).
symbolic_ids: set[int] = set()


def is_symbolic(value: Any) -> bool:
    """True for traced values, including the concrete proxies used for variables while tracing."""
    return isinstance(value, jax.core.Tracer) or (bool(symbolic_ids) and id(value) in symbolic_ids)


class Frame(Protocol):
    """What a variable-override frame must provide."""

    tracing: bool

    def read(self, var: Any) -> Any: ...

    def write(self, var: Any, value: Any) -> None: ...

    def created(self, var: Any) -> None: ...


def executing_eagerly() -> bool:
    """True unless eagerkit is tracing an ``ek.function`` (``tf.executing_eagerly``).

    >>> import eagerkit as ek
    >>> ek.executing_eagerly()
    True
    """
    return not any(f.tracing for f in frames)


def inside_trace() -> bool:
    """True while an ``ek.function`` is being traced."""
    return not executing_eagerly()


@contextlib.contextmanager
def init_scope() -> Iterator[None]:
    """Runs the body eagerly on real variable values, even inside a trace (``tf.init_scope``).

    Used for variable initialisers: their values are computed eagerly, outside the trace.

    >>> import eagerkit as ek
    >>> @ek.function
    ... def f(x):
    ...     with ek.init_scope():
    ...         eager = ek.executing_eagerly()  # lifted out of the trace
    ...     return x, eager
    >>> f(ek.constant(1.0))[1]
    True
    """
    global frames, tapes
    saved_frames, saved_tapes = frames, tapes
    frames, tapes = [], []
    try:
        if any(f.tracing for f in saved_frames):
            with jax.ensure_compile_time_eval():
                yield
        else:
            yield
    finally:
        frames, tapes = saved_frames, saved_tapes
