"""Deferred restoration: variables created after ``restore`` get their saved values.

TensorFlow restores a variable the moment it is attached to an object whose checkpoint
entry is pending. eagerkit's tracking layer has no attach notification, so restoration
happens at the next moment we can observe instead: **the first read or write of a
variable created while values are pending.** Two hooks make that work:

* ``Variable._creation_hooks``: every Variable created while some restore has pending
  values is remembered as *fresh*, together with its initial value.
* a variable-override frame (``context.frames``, the mechanism ``ek.function`` and
  ``custom_gradient`` use) sits at the bottom of the stack while values are pending.
  It passes every read and write straight through to the variable, except the first
  touch of a fresh variable, which triggers one ``resolve`` pass first.

By the first touch the new variable has been attached (``self.m = ek.Variable(...)``
then ``self.m.assign(...)``), so ``resolve`` finds it by walking the pending paths from
their anchors (see ``restoration.py``) and sets its real ``_value``. Inside an
``ek.function`` trace this is the same: a variable is created under ``init_scope``, the
trace's first read asks the frame below it, which is this one, and the compiled call
then reads the restored ``_value``. A fresh variable whose value was already replaced
before anything read it (e.g. written by a compiled step) is counted as consumed and
keeps the program's value, as in TF where the restore would have happened first.

The frame is removed as soon as nothing is pending. ``resolve()`` is also called by
saves and by the status assertions, so untouched new variables are restored before
being saved or checked.

>>> import eagerkit as ek, os, tempfile
>>> from eagerkit._src.core.tracking import AutoTrackable
>>> from eagerkit._src.train.checkpoint import save_object_graph, restore_object_graph
>>> a = AutoTrackable(); a.slot = ek.Variable([1.0, 2.0])
>>> path = save_object_graph(a, os.path.join(tempfile.mkdtemp(), "ck"))
>>> b = AutoTrackable(); status = restore_object_graph(b, path)
>>> b.slot = ek.Variable([0.0, 0.0])    # created later: restored on first use
>>> b.slot.numpy()
array([1., 2.], dtype=float32)
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from eagerkit._src.core import context
from eagerkit._src.core.variable import Variable, _creation_hooks
from eagerkit._src.train.restoration import Restoration

_registry: list[Restoration] = []
#: id(variable) -> (weak reference, its value at creation) for variables created while pending
_fresh: dict[int, tuple[weakref.ref, Any]] = {}
_lock = threading.RLock()
#: Per thread: inside a resolve pass (an object's ``_trackable_children`` may read variables).
_state = threading.local()
#: The frame stack itself (``init_scope`` swaps in temporary lists; ours must go in the real one).
_frames = context.frames


class _DeferredRestoreFrame:
    """Pass-through variable frame that resolves fresh variables on their first touch."""

    tracing = False

    def read(self, var: Variable) -> Any:
        if _fresh and id(var) in _fresh:
            _touch(var)
        return var._value

    def write(self, var: Variable, value: Any) -> None:
        if _fresh and id(var) in _fresh:
            _touch(var)
        var._value = value

    def created(self, var: Variable) -> None:
        pass


_frame = _DeferredRestoreFrame()


def _on_variable_created(var: Variable) -> None:
    if not _registry:
        return
    key = id(var)
    _fresh[key] = (weakref.ref(var, lambda _ref, key=key: _fresh.pop(key, None)), var._value)
    if any(r.dead_anchor for r in _registry):
        _maintain()


_creation_hooks.append(_on_variable_created)


def register(restoration: Restoration) -> None:
    """Starts watching for the variables ``restoration`` still waits for."""
    if restoration.done:
        return
    with _lock:
        _registry.append(restoration)
        if not any(f is _frame for f in _frames):
            _frames.insert(0, _frame)


def pending_count() -> int:
    """How many restores still wait for variables (for tests and diagnostics)."""
    return len(_registry)


def _touch(var: Variable) -> None:
    if getattr(_state, "resolving", False):
        return
    with _lock:  # another thread may be resolving this very variable: wait for it
        entry = _fresh.pop(id(var), None)
        if entry is None or entry[0]() is not var:
            return
        _resolve({id(var): entry[1]}, var)


def resolve() -> None:
    """Restores every variable that now exists at a pending path (see module docstring)."""
    _resolve({}, None)


def _resolve(touched: dict[int, Any], stop_at: Variable | None) -> None:
    if not _registry or getattr(_state, "resolving", False):
        return
    with _lock:
        _state.resolving = True
        try:
            _resolve_locked(touched, stop_at)
        finally:
            _state.resolving = False
            _maintain()


def _resolve_locked(touched: dict[int, Any], stop_at: Variable | None) -> None:
    cache: dict[int, dict[str, Any]] = {}
    handled: set[int] = set()
    for restoration in reversed(list(_registry)):  # newest restore wins
        restoration.drop_dead_anchors()
        found = restoration.collect(cache, stop_at)
        for key, var in found:
            if key not in restoration.pending:
                continue
            vid = id(var)
            if vid in handled:
                restoration.skip(key, var)
                continue
            handled.add(vid)
            entry = _fresh.pop(vid, None)
            if entry is not None and entry[0]() is var:
                untouched = var._value is entry[1]
            elif vid in touched:
                untouched = var._value is touched[vid]
            else:
                untouched = True  # an older variable attached later: restore, as TF does on attach
            if untouched:
                restoration.assign(key, var)
            else:
                restoration.skip(key, var)
        if stop_at is not None and found and found[-1][1] is stop_at:
            return


def _maintain() -> None:
    with _lock:
        for r in _registry:
            r.drop_dead_anchors()
        _registry[:] = [r for r in _registry if not r.done]
        if not _registry:
            _fresh.clear()
            for i in range(len(_frames) - 1, -1, -1):
                if _frames[i] is _frame:
                    del _frames[i]
