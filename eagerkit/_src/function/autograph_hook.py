"""Where AutoGraph plugs into ``ek.function``.

Until the AutoGraph converter lands, functions run as written: Python control flow on
traced tensors raises ``OperatorNotAllowedInGraphError`` naming the user's line and
suggesting ``ek.cond`` / ``ek.while_loop``.
"""

from __future__ import annotations

from collections.abc import Callable

#: Replaced by the AutoGraph converter when it is installed.
converter: Callable[[Callable], Callable] | None = None


def convert(fn: Callable) -> Callable:
    """The AutoGraph-converted version of ``fn`` (``fn`` itself without a converter)."""
    return fn if converter is None else converter(fn)
