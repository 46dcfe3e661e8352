"""Matching a saved checkpoint to the live object graph: what one ``restore`` did and owes.

``Restoration.start`` does the immediate part, all-or-nothing: it walks the program's
graph, pairs every Variable with the saved value at the same path (aliases followed on
both sides), checks every pair's shape and dtype, reads and verifies all arrays, and
only then assigns. Saved values with no Variable yet (a model that builds lazily,
optimizer slots created on the first step) stay *pending*, held on the host.

Each pending value is anchored at the deepest trackable object that already exists on
its path, together with the rest of the path as a small trie. ``collect`` later walks
only those tries from the anchors, so finding newly created variables costs the length
of the missing paths, not the size of the model. Anchors are weak references: when the
program drops an object, the values waiting under it are dropped too (logged unless
``expect_partial()`` was called). ``deferred.py`` decides when to call ``collect``.

>>> import eagerkit as ek, os, tempfile
>>> from eagerkit._src.core.tracking import AutoTrackable
>>> from eagerkit._src.train import checkpoint
>>> src = AutoTrackable(); src.w = ek.Variable(3.0)
>>> path = checkpoint.save_object_graph(src, os.path.join(tempfile.mkdtemp(), "ck"))
>>> dst = AutoTrackable(); dst.w = ek.Variable(0.0)
>>> checkpoint.restore_object_graph(dst, path).assert_consumed() is not None, dst.w.numpy()
(True, np.float32(3.0))
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterable
from typing import Any

import jax
import numpy as np

from eagerkit._src.core import context
from eagerkit._src.core.tracking import trackable_children
from eagerkit._src.core.variable import Variable
from eagerkit._src.train import multi_process, storage
from eagerkit._src.train.object_graph import GraphView, Path, deepest_trackable, format_path, view_graph

_log = logging.getLogger("eagerkit")
_LEAF = "\x00key"  # trie slot holding the saved key (cannot clash with a child name's dict key)


def _describe(var: Variable) -> str:
    return f"{var.name}, shape {tuple(var._value.shape)}, {np.dtype(var._value.dtype).name}"


def _sharding_of(var: Variable) -> Any:
    """Where ``var``'s value lives (None, i.e. the default device, for a traced value)."""
    value = var._value
    if isinstance(value, jax.core.Tracer):
        return None
    return getattr(value, "sharding", None)


def check_compatible(saved: storage.SavedGraph, key: Path, path: Path, var: Variable) -> str | None:
    """A message when ``var`` cannot take the saved value of ``key``; None when it can."""
    sv = saved.variables[key]
    dtype = np.dtype(var._value.dtype)
    where = format_path(path) + (f" (saved as {format_path(key)})" if key != path else "")
    if not var._shape.is_compatible_with(sv.shape):
        return (
            f"variable {where!r} ({var.name}) has shape {tuple(var._shape.as_list())} in the program but "
            f"shape {sv.shape} in the checkpoint"
        )
    if dtype != sv.dtype:
        return (
            f"variable {where!r} ({var.name}) has dtype {dtype.name} in the program but {sv.dtype.name} "
            "in the checkpoint"
        )
    return None


def mismatch_error(save_path: str, problems: list[str]) -> ValueError:
    return ValueError(
        f"Cannot restore checkpoint {save_path!r}: {'; '.join(problems)}. Nothing was restored. The checkpoint was "
        "written by a program with a different architecture; build the same configuration (layer sizes, dtypes) "
        "before restoring, or restore into objects that match."
    )


class _Anchor:
    """An existing object below which pending values wait, with the missing paths as a trie."""

    __slots__ = ("ref", "strong", "trie")

    def __init__(self, obj: Any, on_dead: Callable[[], None]) -> None:
        try:
            self.ref = weakref.ref(obj, lambda _: on_dead())
            self.strong = None
        except TypeError:  # not weak-referenceable: keep it alive instead
            self.ref = None
            self.strong = obj
        self.trie: dict[str, Any] = {}

    def get(self) -> Any:
        return self.strong if self.ref is None else self.ref()

    def insert(self, rest: Path, key: Path) -> None:
        node = self.trie
        for seg in rest:
            node = node.setdefault(seg, {})
        node[_LEAF] = key

    def remove(self, rest: Path) -> None:
        """Removes the leaf at ``rest`` and the branches left empty."""
        nodes = [self.trie]
        for seg in rest:
            nxt = nodes[-1].get(seg)
            if nxt is None:
                return
            nodes.append(nxt)
        nodes[-1].pop(_LEAF, None)
        for seg, parent in zip(reversed(rest), reversed(nodes[:-1])):
            if parent[seg]:
                break
            del parent[seg]


class Restoration:
    """The state of one restore: restored variables and pending (deferred) values."""

    def __init__(self, saved: storage.SavedGraph) -> None:
        self.saved = saved
        #: saved key -> weak references to the variables that received its value
        self.restored: dict[Path, list[weakref.ref]] = {}
        #: saved key -> host value still waiting for its variable
        self.pending: dict[Path, Any] = {}
        #: keys whose variable appeared already written by the program (TF: restored, then overwritten)
        self.overwritten: set[Path] = set()
        #: anchors in the order of the checkpoint's walk (the order a model usually builds in)
        self.anchors: dict[int, _Anchor] = {}
        #: saved key -> where it waits: (id of anchor, rest of the path)
        self.locations: dict[Path, list[tuple[int, Path]]] = {}
        self.expect_partial = False
        self.dead_anchor = False

    # -- the immediate part --------------------------------------------------------------------
    @classmethod
    def start(cls, saved: storage.SavedGraph, root: Any, delegate_root: Any = None, own_names: Iterable[str] = ()):
        """Restores every existing variable of ``root``'s graph; anchors the rest.

        ``delegate_root``/``own_names`` describe a ``Checkpoint(root=obj)``: top-level
        names other than ``own_names`` belong to ``obj``, which anchors them (so the
        deferred values outlive a temporary Checkpoint).
        """
        self = cls(saved)
        view = view_graph(root)
        pairs = match_variables(saved, view)
        problems = [p for key, path, var in pairs if (p := check_compatible(saved, key, path, var))]
        if problems:
            raise mismatch_error(saved.path, problems)
        # Under several processes values are read to the host and placed here, per variable
        # (a sharding may span other processes' devices; see multi_process.py).
        multi = multi_process.process_count() > 1
        requests: dict[Path, Any] = {}
        for key, _, var in pairs:
            requests.setdefault(key, None if multi else var._value.sharding)
        for key in saved.variables:
            requests.setdefault(key, None)
        values = storage.read_arrays(saved, requests)
        for key, _, var in pairs:
            value = values[key]
            if multi:
                value = multi_process.place(value, var._value.sharding)
            elif value.sharding != var._value.sharding:
                value = jax.device_put(value, var._value.sharding)
            var._value = value
            self.restored.setdefault(key, []).append(weakref.ref(var))
        own = set(own_names)
        for key in saved.variables:
            if key in self.restored:
                continue
            self.pending[key] = values[key]
            for candidate in saved.paths_to(key):
                anchor_path, anchor = deepest_trackable(view, candidate)
                if anchor_path == () and delegate_root is not None and candidate[0] not in own:
                    anchor = delegate_root
                rest = candidate[len(anchor_path) :]
                self._anchor(anchor).insert(rest, key)
                self.locations.setdefault(key, []).append((id(anchor), rest))
        return self

    def _anchor(self, obj: Any) -> _Anchor:
        anchor = self.anchors.get(id(obj))
        if anchor is None or anchor.get() is not obj:
            anchor = _Anchor(obj, self._mark_dead)
            self.anchors[id(obj)] = anchor
        return anchor

    def _mark_dead(self) -> None:
        self.dead_anchor = True

    # -- the deferred part ---------------------------------------------------------------------
    def drop_dead_anchors(self) -> None:
        """Forgets pending values no live object can reach any more."""
        if not self.dead_anchor:
            return
        self.dead_anchor = False
        self.anchors = {i: a for i, a in self.anchors.items() if a.get() is not None}
        dropped = []
        for key in list(self.pending):
            places = [(i, rest) for i, rest in self.locations.get(key, []) if i in self.anchors]
            if places:
                self.locations[key] = places
            else:
                dropped.append(key)
                del self.pending[key]
                self.locations.pop(key, None)
        if dropped and not self.expect_partial:
            _log.warning(
                "Values in checkpoint %s were never restored because the objects that would hold them were "
                "deleted: %s. Call status.expect_partial() to silence this warning.",
                self.saved.path,
                ", ".join(format_path(k) for k in dropped),
            )

    def collect(self, children_cache: dict[int, dict[str, Any]], stop_at: Variable | None = None):
        """Variables that now exist at pending paths, as a list of (saved key, variable).

        Anchors are visited in checkpoint order; with ``stop_at`` the walk ends as soon as
        that variable is found (the others are found when they are touched, or by a later
        full walk), which keeps restoring a model built layer by layer linear in its size.
        """
        found: list[tuple[Path, Variable]] = []
        for anchor in self.anchors.values():  # (collect never changes the anchors)
            obj = anchor.get()
            if obj is None:
                continue
            stack = [(obj, anchor.trie)]
            while stack:
                node, trie = stack.pop()
                children = children_cache.get(id(node))
                if children is None:
                    children = trackable_children(node)
                    children_cache[id(node)] = children
                for seg, sub in trie.items():
                    if seg == _LEAF:
                        continue
                    child = children.get(seg)
                    if child is None:
                        continue
                    if isinstance(child, Variable):
                        key = sub.get(_LEAF)
                        if key is not None and key in self.pending:
                            found.append((key, child))
                            if child is stop_at:
                                return found
                    elif len(sub) > (1 if _LEAF in sub else 0):
                        stack.append((child, sub))
        return found

    def assign(self, key: Path, var: Variable) -> None:
        """Gives ``var`` the pending value of ``key`` (raises ValueError when it cannot take it)."""
        problem = check_compatible(self.saved, key, key, var)
        if problem is not None:
            self._settle(key)
            raise mismatch_error(self.saved.path, [problem + " (found when the variable was created)"])
        value = self.pending[key]
        # May run while an ek.function is being traced: init_scope makes this a real,
        # eager transfer (not a staged op), so ``_value`` gets a concrete array.
        # A sharding spanning several processes' devices gets this process's shards only.
        sharding = _sharding_of(var)
        with context.init_scope():
            var._value = jax.device_put(value, None) if sharding is None else multi_process.place(value, sharding)
        self.restored.setdefault(key, []).append(weakref.ref(var))
        self._settle(key)

    def skip(self, key: Path, var: Variable) -> None:
        """``var`` was written before its first read: count ``key`` as consumed without assigning."""
        self.overwritten.add(key)
        self.restored.setdefault(key, []).append(weakref.ref(var))
        self._settle(key)

    def _settle(self, key: Path) -> None:
        self.pending.pop(key, None)
        for anchor_id, rest in self.locations.pop(key, []):
            anchor = self.anchors.get(anchor_id)
            if anchor is None:
                continue
            anchor.remove(rest)
            if not anchor.trie:
                del self.anchors[anchor_id]

    @property
    def done(self) -> bool:
        return not self.pending


def match_variables(saved: storage.SavedGraph, view: GraphView) -> list[tuple[Path, Path, Variable]]:
    """(saved key, program path, variable) for every program variable found in the checkpoint."""
    extra_paths: dict[int, list[Path]] = {}
    for alias, target in view.aliases.items():
        node = view.node(target)
        if isinstance(node, Variable):
            extra_paths.setdefault(id(node), []).append(alias)
    pairs = []
    for path, var in view.variables.items():
        for p in [path, *extra_paths.get(id(var), [])]:
            key = saved.lookup_variable(p)
            if key is not None:
                pairs.append((key, p, var))
                break
    return pairs


def program_paths(view: GraphView) -> dict[int, list[Path]]:
    """id(node) -> every path of it in the program graph (first path first)."""
    out: dict[int, list[Path]] = {}
    for path, var in view.variables.items():
        out[id(var)] = [path]
    for path, obj in view.objects.items():
        out[id(obj)] = [path]
    for alias, target in view.aliases.items():
        node = view.node(target)
        if node is not None:
            out.setdefault(id(node), []).append(alias)
    return out
