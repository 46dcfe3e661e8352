"""Naming the state of an object graph by paths (the keys of object-based checkpoints).

A checkpoint does not know about layers, optimizers or metrics: it walks the graph of
``trackable_children`` (see ``eagerkit._src.core.tracking``) from a root and names every
node by the attribute names (list indices, dict keys) leading to it, e.g.
``("model", "layer_with_weights-0", "kernel")``. Whatever names an object's
``_trackable_children()`` returns are the names used. The walk is depth-first in
children order; a node reachable along several paths is named by the first one
(*first path wins*) and the later paths are recorded as *aliases*, so a checkpoint can
still be restored into a program that reaches the shared object another way.

>>> import eagerkit as ek
>>> from eagerkit._src.core.tracking import AutoTrackable
>>> from eagerkit._src.train.object_graph import view_graph, format_path
>>> root = AutoTrackable()
>>> root.layer = AutoTrackable()
>>> root.layer.kernel = ek.Variable(1.0)
>>> root.again = root.layer
>>> g = view_graph(root)
>>> [format_path(p) for p in g.variables], {format_path(a): format_path(t) for a, t in g.aliases.items()}
(['layer/kernel'], {'again': 'layer'})
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from eagerkit._src.core.tracking import AutoTrackable, trackable_children
from eagerkit._src.core.variable import Variable

#: A path in the object graph: the child names from the root (``()`` is the root).
Path = tuple[str, ...]

#: How many alias substitutions a lookup follows (aliases of aliases are rare).
_MAX_ALIAS_HOPS = 8


def format_path(path: Iterable[str]) -> str:
    """``("model", "w")`` -> ``"model/w"``; the root is shown as ``"(root)"``."""
    path = tuple(path)
    return "/".join(path) if path else "(root)"


@dataclass
class GraphView:
    """Every node reachable from a root, named by its first path.

    Attributes:
      variables: Variable nodes by path, in walk order.
      objects: the other nodes (trackable objects and containers) by path, root included.
      aliases: later path of a shared node -> the path it is named by.
    """

    variables: dict[Path, Variable] = field(default_factory=dict)
    objects: dict[Path, Any] = field(default_factory=dict)
    aliases: dict[Path, Path] = field(default_factory=dict)

    def node(self, path: Path) -> Any:
        """The node at ``path`` (following aliases), or ``None``."""
        for candidate in candidate_paths(path, self.aliases):
            if candidate in self.variables:
                return self.variables[candidate]
            if candidate in self.objects:
                return self.objects[candidate]
        return None


def view_graph(root: Any) -> GraphView:
    """Walks the object graph from ``root`` (see the module docstring)."""
    view = GraphView()
    first: dict[int, Path] = {}
    # Explicit stack (children pushed in reverse) = the preorder of a recursive walk.
    stack: list[tuple[Path, Any]] = [((), root)]
    while stack:
        path, node = stack.pop()
        seen = first.get(id(node))
        if seen is not None:
            if seen != path:
                view.aliases.setdefault(path, seen)
            continue
        first[id(node)] = path
        if isinstance(node, Variable):
            view.variables[path] = node
            continue
        view.objects[path] = node
        children = list(trackable_children(node).items())
        for name, child in reversed(children):
            stack.append((path + (str(name),), child))
    return view


def candidate_paths(path: Path, aliases: dict[Path, Path]) -> list[Path]:
    """``path`` followed by the paths it maps to through aliases (longest prefix first)."""
    out = [path]
    current = path
    for _ in range(_MAX_ALIAS_HOPS):
        nxt = None
        for i in range(len(current), 0, -1):
            target = aliases.get(current[:i])
            if target is not None:
                nxt = target + current[i:]
                break
        if nxt is None or nxt in out:
            break
        out.append(nxt)
        current = nxt
    return out


def deepest_trackable(view: GraphView, path: Path) -> tuple[Path, Any]:
    """The deepest existing AutoTrackable on ``path`` (strictly above its last element).

    Deferred restoration anchors a missing value there: the anchor lives as long as the
    program's object does, and the missing part of the path is looked up from it later.
    """
    for i in range(len(path) - 1, -1, -1):
        node = view.node(path[:i])
        if isinstance(node, AutoTrackable):
            return path[:i], node
    return (), view.objects[()]
