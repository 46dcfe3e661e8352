"""Errors raised by AutoGraph, and where in the user's code they happened.

Two kinds of failure exist. *Conversion* errors happen while reading and rewriting a
function's source (an unsupported construct such as ``yield``); they name the
function, its file and line, and the way out. *Staging* errors happen while the
converted code runs inside ``ek.function`` and turns a tensor-dependent ``if`` or loop
into graph control flow (a variable defined in one branch only, a loop variable that
changes dtype); they use TF's wording and add the user's ``file:line``.

>>> from eagerkit._src.autograph.errors import ConversionError
>>> issubclass(ConversionError, ValueError)
True
"""

from __future__ import annotations

import sys

from eagerkit._src.core import tracing_errors


class AutoGraphError(Exception):
    """Base class of the errors AutoGraph raises itself."""


class ConversionError(AutoGraphError, ValueError):
    """A function could not be converted (``tf.autograph`` raises this for bad entities too)."""


class UnsupportedConstructError(ConversionError, NotImplementedError):
    """The function uses a construct AutoGraph does not convert (``yield``, ``:=`` ...)."""


class StagingError(AutoGraphError):
    """Tensor-dependent control flow that cannot be expressed as graph control flow.

    Deliberately not a ``ValueError``: the converted statement may sit inside the
    user's own ``try ... except ValueError``, which must not swallow it.
    """


def user_location() -> str:
    """``file:line`` of the innermost frame outside eagerkit and JAX (the converted user code)."""
    frame = sys._getframe(1)
    while frame is not None:
        if not tracing_errors.is_internal_file(frame.f_code.co_filename):
            return f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "<unknown>"


def at_user_code(message: str) -> str:
    """``message`` followed by the user's location, TF's "in user code" style."""
    return f"{message}\n\n  in user code: {user_location()}"


_WHILE_GRAD_MARKER = "Reverse-mode differentiation does not work for lax.while_loop"


def translate(error: BaseException) -> BaseException | None:
    """A clearer eagerkit error for a known JAX error raised through converted code, else None.

    The one translated today: differentiating a tensor-dependent ``while`` loop whose
    trip count is unknown when tracing. XLA's while loop has no reverse-mode derivative;
    a bounded loop (TF's ``maximum_iterations``) compiles to a scan that has one.
    """
    if _WHILE_GRAD_MARKER in str(error):
        return StagingError(
            at_user_code(
                "Cannot compute the gradient through a tensor-dependent `while` loop (or a `for` loop over "
                "`ek.range` with a symbolic bound) whose number of iterations is unknown when tracing: XLA's "
                "while loop has no reverse-mode derivative. Give the loop a bound by putting "
                "`ek.autograph.experimental.set_loop_options(maximum_iterations=N)` in its body (or call "
                "`ek.while_loop(..., maximum_iterations=N)`); it then compiles to a bounded scan that can be "
                "differentiated."
            )
        )
    return None
