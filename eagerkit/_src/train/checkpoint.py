"""``Checkpoint``: object-based checkpoints (``tf.train.Checkpoint``) on orbax.

A Checkpoint names every Variable reachable from its children by the path of attribute
names leading to it (``model/layer_with_weights-0/kernel``; see ``object_graph.py``), so
a checkpoint restores into freshly constructed objects of the same structure, and
values whose variables do not exist yet are restored when they appear (``deferred.py``).
The on-disk format (a directory: JSON object graph + orbax arrays, published
atomically) is described in ``storage.py``.

The seed guide's sequence:

>>> import eagerkit as tf, eagerkit.train, os, tempfile
>>> checkpoint_path = os.path.join(tempfile.mkdtemp(), 'ckpt', '')   # './ckpt/' in the guide
>>> x = tf.Variable(10.)
>>> checkpoint = tf.train.Checkpoint(x=x)
>>> _ = x.assign(2.)
>>> checkpoint.save(checkpoint_path) == checkpoint_path + '-1'          # './ckpt/-1'
True
>>> _ = x.assign(11.)
>>> _ = checkpoint.restore(tf.train.latest_checkpoint(checkpoint_path))
>>> x.numpy()
np.float32(2.0)

Generic entry points for objects that save themselves (``Model.save_weights`` and
friends): ``save_object_graph(obj, path)`` / ``restore_object_graph(obj, path)`` use
``obj`` as the root, so keys are paths relative to it, and ``metadata=`` stores a JSON
dict beside the values (``read_checkpoint_metadata`` returns it).
"""

from __future__ import annotations

import inspect
import os
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import numpy as np

from eagerkit._src.core import context
from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.tracking import AutoTrackable, trackable_children
from eagerkit._src.core.variable import Variable
from eagerkit._src.train import async_writer, checkpoint_state, deferred, multi_process, storage
from eagerkit._src.train.checkpoint_options import CheckpointOptions
from eagerkit._src.train.object_graph import view_graph
from eagerkit._src.train.restoration import Restoration
from eagerkit._src.train.restore_status import CheckpointLoadStatus, InitializationOnlyStatus


def _is_trackable_structure(value: Any) -> bool:
    if isinstance(value, (Variable, AutoTrackable)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_is_trackable_structure(v) for v in value)
    if isinstance(value, dict):
        return all(_is_trackable_structure(v) for v in value.values())
    return False


def _require_eager(op: str) -> None:
    if context.inside_trace():
        raise RuntimeError(
            f"Checkpoint.{op}() was called inside ek.function; checkpoints are written and read eagerly. "
            "Call it outside the compiled function (e.g. after the training step returns)."
        )


def snapshot(root: Any, copy_to_host: bool = False, metadata: dict[str, Any] | None = None) -> storage.Snapshot:
    """The values of every Variable reachable from ``root``, named by path.

    Pending deferred restorations are resolved first, so a variable created since a
    restore is saved with its restored value. ``copy_to_host`` copies the values (async
    saves must not depend on buffers the program may reuse). Under several processes
    every process must call it (values split over processes are gathered collectively);
    the values are host arrays on the writer (process 0) and None elsewhere.
    """
    deferred.resolve()
    view = view_graph(root)
    multi = multi_process.process_count() > 1
    keep = multi_process.is_writer()
    variables = []
    for path, var in view.variables.items():
        value = var._value
        if multi:
            value = multi_process.host_value(value, keep)
        elif copy_to_host:
            value = np.array(value, copy=True)
        variables.append(storage.SnapshotVariable(path, var.name, value))
    return storage.Snapshot(variables, list(view.objects), list(view.aliases.items()), metadata)


def _run_callbacks(callbacks: list[Callable[..., Any]], path: str) -> None:
    for cb in callbacks:
        try:
            takes_path = bool(inspect.signature(cb).parameters)
        except (TypeError, ValueError):
            takes_path = True
        if takes_path:
            cb(path)
        else:
            cb()


class Checkpoint(AutoTrackable):
    """Groups trackable objects for saving and restoring (``tf.train.Checkpoint``).

    Args:
      root: optional trackable object whose own children become the checkpoint's
        top-level entries (``Checkpoint(root=model)`` saves ``kernel`` paths exactly as
        ``model.save_weights`` would). May be a ``weakref.ref``.
      **kwargs: Variables, trackable objects (layers, models, optimizers, metrics, other
        Checkpoints) or lists/tuples/dicts of them, saved under their keyword names.

    Raises:
      ValueError: a keyword value is not trackable, a name is reserved, or ``root``
        already has a different child with that name.

    Several processes (``MultiWorkerMirroredStrategy``): as in TF, every process calls
    ``save``/``write`` with the same path at the same point of the program, and each
    returns the same path once the checkpoint is complete. Process 0 alone writes the
    checkpoint (its values: variables must hold the same value everywhere, as mirrored
    variables do) and the ``checkpoint`` state file; values split over processes are
    gathered first. If process 0 fails, every process raises; if the processes name
    different paths, all raise before anything is written. Saves are synchronous there
    (``enable_async`` is ignored). ``restore``/``read`` read the files on every process (the
    path must be on a filesystem all of them see) and place each value with its variable's
    sharding; they wait for no other process. See ``multi_process.py``.

    >>> import eagerkit as ek, eagerkit.train, os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> step = ek.Variable(0, dtype=ek.int64)
    >>> ckpt = ek.train.Checkpoint(step=step, weights=[ek.Variable([1.0, 2.0])])
    >>> path = ckpt.save(os.path.join(d, "ckpt"))
    >>> os.path.basename(path), int(ckpt.save_counter.numpy())
    ('ckpt-1', 1)
    >>> _ = step.assign(7)
    >>> ckpt.restore(path).assert_consumed().__class__.__name__
    'CheckpointLoadStatus'
    >>> int(step.numpy())
    0
    """

    def __init__(self, root: Any = None, **kwargs: Any) -> None:
        object.__setattr__(self, "_ek_root", root)
        object.__setattr__(self, "_ek_names", [])
        object.__setattr__(self, "_ek_save_counter", None)
        object.__setattr__(self, "_ek_futures", [])
        root_obj = self._root_object()
        if root is not None and not isinstance(root_obj, AutoTrackable):
            raise ValueError(
                f"`Checkpoint` was expecting root to be a trackable object (a layer, model, optimizer, metric, "
                f"Checkpoint or other AutoTrackable), got {root!r}. To save a single Variable, pass it by name: "
                "Checkpoint(v=variable)."
            )
        root_children = trackable_children(root_obj) if root_obj is not None else {}
        for name in sorted(kwargs):
            value = kwargs[name]
            if name in _RESERVED:
                raise ValueError(f"Cannot use {name!r} as a Checkpoint keyword: it is a Checkpoint attribute.")
            if not _is_trackable_structure(value):
                raise ValueError(
                    f"`Checkpoint` was expecting {name} to be a trackable object (an eagerkit Variable, layer, model, "
                    f"optimizer, metric, Checkpoint, or a list/tuple/dict of them), got {value!r}."
                )
            existing = root_children.get(name)
            if existing is not None and existing is not value:
                raise ValueError(
                    f"Cannot create a Checkpoint with keyword argument {name} if root.{name} already exists."
                )
            setattr(self, name, value)
        if root_obj is not None:
            counter = root_children.get("save_counter")
            if isinstance(counter, Variable):
                object.__setattr__(self, "_ek_save_counter", counter)

    # -- object graph ----------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if not name.startswith("_") and name not in self._ek_names and _is_trackable_structure(value):
            self._ek_names.append(name)

    def _root_object(self) -> Any:
        root = self._ek_root
        if isinstance(root, weakref.ref):
            obj = root()
            if obj is None:
                raise ValueError("The root object of this Checkpoint (held by weak reference) no longer exists.")
            return obj
        return root

    def _own_names(self) -> list[str]:
        return [*self._ek_names, "save_counter"]

    def _trackable_children(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        root = self._root_object()
        if root is not None:
            out.update(trackable_children(root))
        for name in self._ek_names:
            value = self.__dict__.get(name)
            if value is not None and _is_trackable_structure(value):
                out[name] = value
        if self._ek_save_counter is not None:
            out.setdefault("save_counter", self._ek_save_counter)
        return out

    @property
    def save_counter(self) -> Variable:
        """How many times ``save()`` was called (an int64 Variable, saved with the checkpoint).

        Created on first use, like TF's; ``restore`` creates it so its value is restored.
        """
        if self._ek_save_counter is None:
            with context.init_scope():
                counter = Variable(0, dtype=_dtypes.int64, trainable=False, name="save_counter")
            object.__setattr__(self, "_ek_save_counter", counter)
        return self._ek_save_counter

    # -- writing -------------------------------------------------------------------------------------
    def write(self, file_prefix: str | os.PathLike, options: CheckpointOptions | None = None) -> str:
        """Writes a checkpoint to exactly ``file_prefix`` (no counter, no state file); returns the path.

        >>> import eagerkit as ek, eagerkit.train, os, tempfile
        >>> p = ek.train.Checkpoint(v=ek.Variable(1.0)).write(os.path.join(tempfile.mkdtemp(), "weights"))
        >>> os.path.basename(p)
        'weights'
        """
        return self._write(os.fspath(file_prefix), options, [])

    def save(self, file_prefix: str | os.PathLike, options: CheckpointOptions | None = None) -> str:
        """Increments ``save_counter`` and writes ``f"{file_prefix}-{save_counter}"``; returns that path.

        Also records it as the latest checkpoint in the directory's ``checkpoint`` state file
        (once the checkpoint is complete), for ``latest_checkpoint``. Under several
        processes every process must call it (see the class docstring): each increments its
        counter, process 0 writes, and all return once the checkpoint is visible.

        >>> import os, shutil, tempfile
        >>> import eagerkit as ek
        >>> directory = tempfile.mkdtemp()
        >>> ckpt = ek.train.Checkpoint(v=ek.Variable(1.0))
        >>> os.path.basename(ckpt.save(os.path.join(directory, "ckpt")))
        'ckpt-1'
        >>> os.path.basename(ckpt.save(os.path.join(directory, "ckpt")))
        'ckpt-2'
        >>> os.path.basename(ek.train.latest_checkpoint(directory))
        'ckpt-2'
        >>> shutil.rmtree(directory)
        """
        _require_eager("save")
        file_prefix = os.fspath(file_prefix)
        counter = self.save_counter
        counter.assign_add(1)
        path = f"{file_prefix}-{int(np.asarray(counter._value))}"
        save_dir = os.path.dirname(file_prefix)

        def record(p: str) -> None:
            if multi_process.is_writer():
                checkpoint_state.update_checkpoint_state(save_dir, p, [p])

        return self._write(path, options, [record])

    def _write(
        self,
        path: str,
        options: CheckpointOptions | None,
        callbacks: list[Callable[..., Any]],
        metadata: dict[str, Any] | None = None,
    ) -> str:
        _require_eager("write")
        self._raise_async_errors()
        options = options or CheckpointOptions()
        callbacks = [*callbacks, *options.experimental_write_callbacks]
        if multi_process.process_count() > 1:
            return self._write_multi_process(path, callbacks, metadata)
        snap = snapshot(self, copy_to_host=options.enable_async, metadata=metadata)
        storage.check_writable(os.path.normpath(path))

        def job() -> None:
            storage.write(path, snap)
            _run_callbacks(callbacks, path)

        if options.enable_async:
            self._ek_futures.append(async_writer.submit(path, job))
        else:
            async_writer.wait_all()
            job()
        return path

    def _write_multi_process(
        self, path: str, callbacks: list[Callable[..., Any]], metadata: dict[str, Any] | None
    ) -> str:
        """``_write`` when several processes run this program: process 0 writes, all wait for it.

        Synchronous (see ``multi_process.py``). The callbacks run on process 0 before the
        others are released (so the state file is complete when any ``save`` returns),
        and on the other processes after, each given the same path.
        """
        async_writer.wait_all()
        snap = snapshot(self, metadata=metadata)
        multi_process.check_same_path(path)
        writer = multi_process.is_writer()
        error: BaseException | None = None
        clock = 0.0
        if writer:
            try:
                storage.check_writable(os.path.normpath(path))
                storage.write(path, snap)
                clock = time.time()
                with multi_process.agreed_clock(clock):
                    _run_callbacks(callbacks, path)
            except Exception as e:  # raised here after the others learn of it
                error = e
        clock = multi_process.finish_write(path, error, clock)
        if not writer:
            with multi_process.agreed_clock(clock):
                _run_callbacks(callbacks, path)
        return path

    def sync(self) -> None:
        """Waits for this checkpoint's background writes; raises the first one's error.

        >>> import os, shutil, tempfile
        >>> import eagerkit as ek
        >>> directory = tempfile.mkdtemp()
        >>> ckpt = ek.train.Checkpoint(v=ek.Variable(1.0))
        >>> path = ckpt.save(os.path.join(directory, "ckpt"), options=ek.train.CheckpointOptions(enable_async=True))
        >>> ckpt.sync()  # the checkpoint is complete from here on
        >>> ek.train.latest_checkpoint(directory) == path
        True
        >>> shutil.rmtree(directory)
        """
        futures: list[Future] = list(self._ek_futures)
        for f in futures:
            f.exception()
        self._raise_async_errors()

    def _raise_async_errors(self) -> None:
        done = [f for f in self._ek_futures if f.done()]
        for f in done:
            self._ek_futures.remove(f)
        for f in done:
            error = f.exception()
            if error is not None:
                raise RuntimeError(f"An asynchronous checkpoint write failed: {error}") from error

    # -- reading -------------------------------------------------------------------------------------
    def read(self, save_path: str | os.PathLike, options: CheckpointOptions | None = None) -> CheckpointLoadStatus:
        """Restores from ``save_path`` without creating ``save_counter`` (pairs with ``write``).

        >>> import os, shutil, tempfile
        >>> import eagerkit as ek
        >>> directory = tempfile.mkdtemp()
        >>> v = ek.Variable(1.0)
        >>> path = ek.train.Checkpoint(v=v).write(os.path.join(directory, "weights"))
        >>> _ = v.assign(5.0)
        >>> _ = ek.train.Checkpoint(v=v).read(path).assert_consumed()
        >>> v.numpy()
        np.float32(1.0)
        >>> shutil.rmtree(directory)
        """
        _require_eager("read")
        save_path = os.fspath(save_path)
        async_writer.wait_for(save_path)
        saved = storage.read_graph(save_path)
        restoration = Restoration.start(saved, self, delegate_root=self._root_object(), own_names=self._own_names())
        deferred.register(restoration)
        return CheckpointLoadStatus(restoration, self)

    def restore(
        self, save_path: str | os.PathLike | None, options: CheckpointOptions | None = None
    ) -> CheckpointLoadStatus | InitializationOnlyStatus:
        """Restores from ``save_path`` (pairs with ``save``); ``None`` restores nothing.

        Existing variables get their values now, all-or-nothing (a missing, corrupted or
        mismatching checkpoint raises before anything is assigned); variables created later
        get theirs when they appear. Returns a status whose assertions check the match.

        >>> import os, shutil, tempfile
        >>> import eagerkit as ek
        >>> directory = tempfile.mkdtemp()
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(2)])
        >>> _ = model(ek.ones([1, 3]))
        >>> path = ek.train.Checkpoint(model=model).save(os.path.join(directory, "ckpt"))
        >>> fresh = ek.keras.Sequential([ek.keras.layers.Dense(2)])  # not built yet: no variables
        >>> status = ek.train.Checkpoint(model=fresh).restore(path)
        >>> _ = fresh(ek.ones([1, 3]))  # building creates the variables, which get the saved values
        >>> bool(ek.reduce_all(fresh.layers[0].kernel == model.layers[0].kernel))
        True
        >>> _ = status.assert_consumed()
        >>> shutil.rmtree(directory)
        """
        if save_path is None:
            return InitializationOnlyStatus()
        _require_eager("restore")
        self.save_counter  # noqa: B018 - created before restoring so that its value is restored
        return self.read(save_path, options)

    def __repr__(self) -> str:
        return f"<eagerkit.train.Checkpoint children={sorted(self._trackable_children())}>"


_RESERVED = frozenset(n for n in dir(Checkpoint) if not n.startswith("_")) | {"root"}


# -- generic helpers (Model.save_weights / load_weights / save / load_model build on these) -----------
def save_object_graph(
    obj: Any,
    path: str | os.PathLike,
    options: CheckpointOptions | None = None,
    metadata: dict[str, Any] | None = None,
) -> str:
    """Writes every Variable reachable from ``obj`` to the checkpoint ``path``; returns ``path``.

    Keys are paths relative to ``obj`` (no save counter), as ``Checkpoint(root=obj).write``.
    ``metadata`` (a JSON-serializable dict, e.g. a model's config) is stored in the same
    atomic checkpoint and read back with ``read_checkpoint_metadata``. With
    ``CheckpointOptions(enable_async=True)`` the write finishes in the background;
    ``eagerkit._src.train.async_writer.wait_for(path)`` waits for it.

    >>> import eagerkit as ek, eagerkit.train, os, tempfile
    >>> from eagerkit._src.core.tracking import AutoTrackable
    >>> m = AutoTrackable(); m.kernel = ek.Variable([[1.0]])
    >>> p = save_object_graph(m, os.path.join(tempfile.mkdtemp(), "w"), metadata={"units": 1})
    >>> read_checkpoint_metadata(p)
    {'units': 1}
    """
    return Checkpoint(root=obj)._write(os.fspath(path), options, [], metadata)


def restore_object_graph(obj: Any, path: str | os.PathLike) -> CheckpointLoadStatus:
    """Restores the checkpoint ``path`` into ``obj`` (keys relative to ``obj``); returns the status.

    Variables ``obj`` creates later (a model built lazily on its first call) are restored
    when they appear; ``status.assert_consumed()`` etc. check the match.
    """
    return Checkpoint(root=obj).read(os.fspath(path))


def read_checkpoint_metadata(path: str | os.PathLike) -> dict[str, Any] | None:
    """The ``metadata`` dict stored by ``save_object_graph`` (None if there is none)."""
    path = os.fspath(path)
    async_writer.wait_for(path)
    return storage.read_graph(path).metadata
