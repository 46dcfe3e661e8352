"""``ek.autograph``: inspect and control AutoGraph conversion (``tf.autograph``).

>>> import eagerkit as ek
>>> import eagerkit.autograph
>>> def absolute(x):
...     if x < 0:
...         x = -x
...     return x
>>> "ag__.if_stmt" in ek.autograph.to_code(absolute)
True
>>> int(ek.function(absolute)(ek.constant(-3)))
3
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eagerkit._src.autograph import conversion as _conversion
from eagerkit.autograph import experimental  # noqa: F401


def to_graph(entity: Callable, recursive: bool = True, experimental_optional_features: Any = None) -> Callable:
    """The converted version of a function, method or callable object (``tf.autograph.to_graph``).

    Called eagerly it behaves like the original; inside ``ek.function`` its ``if``/``while``
    /``for`` on symbolic tensors become graph control flow. Entities that cannot be
    converted (no source, ``do_not_convert``) are returned unchanged.

    >>> import eagerkit as ek
    >>> import eagerkit.autograph
    >>> def clip(x):
    ...     return 0 if x < 0 else x
    >>> ek.autograph.to_graph(clip)(-5)
    0
    """
    return _conversion.convert(entity, force=True)


def to_code(entity: Callable, recursive: bool = True, experimental_optional_features: Any = None) -> str:
    """The source code AutoGraph generates for ``entity`` (``tf.autograph.to_code``).

    >>> import eagerkit as ek
    >>> import eagerkit.autograph
    >>> def count_down(n):
    ...     while n > 0:
    ...         n -= 1
    ...     return n
    >>> print(ek.autograph.to_code(count_down).splitlines()[0])
    def count_down(n):
    """
    return _conversion.source_of(entity)


__all__ = ["experimental", "to_code", "to_graph"]
