"""Object-graph tracking: which Variables and child objects an object owns.

Layers, models, metrics, optimizers and checkpoints all subclass :class:`AutoTrackable`.
Attributes holding a Variable, another AutoTrackable, or a list/tuple/dict containing
them are tracked automatically, in assignment order; lists and dicts assigned as
attributes are wrapped so that later ``append``/``__setitem__`` are seen too. The
checkpoint layer walks this graph (``trackable_children``) to name every Variable by
its path, and ``Layer.variables`` gathers Variables the same way.

>>> import eagerkit as ek
>>> from eagerkit._src.core.tracking import AutoTrackable, gather_variables
>>> class Holder(AutoTrackable):
...     def __init__(self):
...         self.w = ek.Variable(1.0)
...         self.parts = [ek.Variable(2.0)]
>>> [v.numpy().item() for v in gather_variables(Holder())]
[1.0, 2.0]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eagerkit._src.core.variable import Variable


def is_trackable_value(value: Any) -> bool:
    """True when ``value`` holds state worth tracking."""
    if isinstance(value, (Variable, AutoTrackable)):
        return True
    if isinstance(value, (list, tuple)):
        return any(is_trackable_value(v) for v in value)
    if isinstance(value, dict):
        return any(is_trackable_value(v) for v in value.values())
    return False


class TrackedList(list):
    """A list attribute whose later mutations stay tracked."""


class TrackedDict(dict):
    """A dict attribute whose later mutations stay tracked."""


class AutoTrackable:
    """Base class that tracks Variables and trackable children assigned as attributes."""

    _untracked_attributes: frozenset[str] = frozenset()

    def __setattr__(self, name: str, value: Any) -> None:
        if type(value) is list:
            value = TrackedList(value)
        elif type(value) is dict:
            value = TrackedDict(value)
        object.__setattr__(self, name, value)

    def _trackable_children(self) -> dict[str, Any]:
        """Named direct children: Variables, trackables, and containers of them."""
        out: dict[str, Any] = {}
        for name, value in vars(self).items():
            if name in self._untracked_attributes or name.startswith("__"):
                continue
            if is_trackable_value(value):
                out[name] = value
        return out


def trackable_children(obj: Any) -> dict[str, Any]:
    """Children of any node of the object graph (containers are expanded by index/key)."""
    if isinstance(obj, AutoTrackable):
        return obj._trackable_children()
    if isinstance(obj, (list, tuple)):
        return {str(i): v for i, v in enumerate(obj) if is_trackable_value(v)}
    if isinstance(obj, dict):
        return {str(k): v for k, v in obj.items() if is_trackable_value(v)}
    return {}


def walk(obj: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Depth-first (path, node) pairs, visiting each object once (first path wins)."""
    seen: set[int] = set()

    def visit(node: Any, p: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
        if id(node) in seen:
            return
        seen.add(id(node))
        yield p, node
        if not isinstance(node, Variable):
            for name, child in trackable_children(node).items():
                yield from visit(child, p + (name,))

    yield from visit(obj, path)


def gather_variables(obj: Any) -> list[Variable]:
    """Every Variable reachable from ``obj``, once each, in tracking order."""
    return [node for _, node in walk(obj) if isinstance(node, Variable)]
