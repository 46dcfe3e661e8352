"""Errors that point at the user's own line rather than eagerkit internals."""

from __future__ import annotations

import os
import sys

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_JAX_MARKERS = (os.sep + "jax" + os.sep, os.sep + "jaxlib" + os.sep)


def is_internal_file(filename: str) -> bool:
    """True for files inside eagerkit (but not its tests) or JAX."""
    path = os.path.abspath(filename)
    return path.startswith(_PKG_DIR + os.sep) or any(m in path for m in _JAX_MARKERS)


def user_location() -> str:
    """``file:line`` of the innermost stack frame outside eagerkit and JAX."""
    frame = sys._getframe(1)
    while frame is not None:
        if not is_internal_file(frame.f_code.co_filename):
            return f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "<unknown>"


class OperatorNotAllowedInGraphError(TypeError):
    """Python control flow on a symbolic tensor inside ``ek.function`` (TF's name)."""


def raise_python_control_flow(what: str) -> None:
    """Raised when a traced tensor is used as a Python bool/int/float."""
    raise OperatorNotAllowedInGraphError(
        f"Using a symbolic Tensor as a Python {what} is not allowed inside ek.function "
        f"(at {user_location()}): its value is only known when the compiled function runs. "
        "Use ek.cond / ek.while_loop for tensor-dependent control flow, or enable AutoGraph "
        "(ek.function(autograph=True), the default) so that `if`/`while` on tensors are converted."
    )
