"""Where AutoGraph plugs into ``ek.function``.

``ek.function`` calls ``convert(fn)`` before tracing ``fn`` when ``autograph=True``.
Importing ``eagerkit._src.autograph`` (done by ``import eagerkit.autograph``) sets
``converter`` to its converter. Without a converter, functions run as written: Python
control flow on traced tensors raises ``OperatorNotAllowedInGraphError`` naming the
user's line and suggesting ``ek.cond`` / ``ek.while_loop``.

>>> from eagerkit._src.function import autograph_hook
>>> autograph_hook.convert(len) is len
True
"""

from __future__ import annotations

from collections.abc import Callable

#: Installed by ``eagerkit._src.autograph``: maps a function to its converted version.
converter: Callable[[Callable], Callable] | None = None


def convert(fn: Callable) -> Callable:
    """The AutoGraph-converted version of ``fn`` (``fn`` itself without a converter)."""
    return fn if converter is None else converter(fn)
