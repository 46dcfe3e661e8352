"""The objects ``Checkpoint.restore``/``read`` return (TF's ``CheckpointLoadStatus``).

The assertions look at the program as it is *now*: values for variables created since
the restore count as matched once those variables exist (deferred restoration), and
objects added since are checked too.

* ``assert_consumed()``: every value in the checkpoint was restored and every trackable
  object of the program has a value in the checkpoint.
* ``assert_existing_objects_matched()``: every object of the program that exists now
  was matched (the checkpoint may hold more).
* ``assert_nontrivial_match()``: something besides the root was matched.
* ``expect_partial()``: silences the warning about values never restored.

>>> import eagerkit as ek, os, tempfile
>>> from eagerkit.train import Checkpoint
>>> path = Checkpoint(v=ek.Variable(1.0)).write(os.path.join(tempfile.mkdtemp(), "c"))
>>> status = Checkpoint(v=ek.Variable(0.0), extra=ek.Variable(2.0)).read(path)
>>> try:
...     status.assert_consumed()
... except AssertionError as e:
...     print(str(e).splitlines()[1])
  program objects without a value in the checkpoint (1): extra (Variable:0)
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.train import deferred
from eagerkit._src.train.object_graph import candidate_paths, format_path, view_graph
from eagerkit._src.train.restoration import Restoration, program_paths

_SHOW = 50


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:_SHOW])
    return shown + (f", ... and {len(items) - _SHOW} more" if len(items) > _SHOW else "")


class CheckpointLoadStatus:
    """What a restore matched; see the module docstring for the assertions.

    >>> import os, shutil, tempfile
    >>> import eagerkit as ek
    >>> directory = tempfile.mkdtemp()
    >>> path = ek.train.Checkpoint(w=ek.Variable([1.0, 2.0]), b=ek.Variable(0.0)).save(os.path.join(directory, "ckpt"))
    >>> w = ek.Variable([0.0, 0.0])
    >>> status = ek.train.Checkpoint(w=w).restore(path)
    >>> w.numpy()
    array([1., 2.], dtype=float32)
    >>> status.assert_existing_objects_matched()  # every object of this Checkpoint was restored
    <eagerkit.train.CheckpointLoadStatus for '.../ckpt-1'>
    >>> status.assert_consumed()  # but "b" in the file was not used
    Traceback (most recent call last):
        ...
    AssertionError: Checkpoint '.../ckpt-1' and the program do not match completely: ...
    >>> _ = status.expect_partial()
    >>> shutil.rmtree(directory)
    """

    def __init__(self, restoration: Restoration, root: Any) -> None:
        self._restoration = restoration
        self._root = root

    def _analyse(self) -> tuple[list[str], list[str], int]:
        """(unmatched program objects, unrestored checkpoint values, number matched)."""
        deferred.resolve()
        r = self._restoration
        saved = r.saved
        view = view_graph(self._root)
        paths = program_paths(view)
        restored_ids = {id(ref()) for refs in r.restored.values() for ref in refs if ref() is not None}
        unmatched: list[str] = []
        matched = 0
        covered_objects: set = set()
        for path, var in view.variables.items():
            if id(var) in restored_ids:
                matched += 1
            else:
                unmatched.append(f"{format_path(path)} ({var.name})")
        for path, obj in view.objects.items():
            if path == ():
                continue
            hits = [p for p in paths.get(id(obj), [path]) if saved.has_object(p)]
            if hits:
                matched += 1
                covered_objects.update(hits)
            else:
                unmatched.append(format_path(path))
        covered = set()
        for p in covered_objects:
            covered.update(candidate_paths(p, saved.aliases))
        unrestored = [format_path(k) for k in saved.variables if k not in r.restored]
        unrestored += [format_path(p) for p in sorted(saved.objects) if p != () and p not in covered]
        return unmatched, unrestored, matched

    def assert_consumed(self) -> CheckpointLoadStatus:
        """Raises AssertionError unless checkpoint and program matched completely."""
        unmatched, unrestored, _ = self._analyse()
        if unmatched or unrestored:
            lines = [f"Checkpoint {self._restoration.saved.path!r} and the program do not match completely:"]
            if unmatched:
                lines.append(
                    f"  program objects without a value in the checkpoint ({len(unmatched)}): {_listing(unmatched)}"
                )
            if unrestored:
                lines.append(
                    f"  checkpoint values not restored, no matching object in the program ({len(unrestored)}): "
                    f"{_listing(unrestored)}"
                )
            lines.append(
                "Likely the program changed since the checkpoint was written. Objects created later are restored "
                "when they appear; use assert_existing_objects_matched() or expect_partial() for partial restores."
            )
            raise AssertionError("\n".join(lines))
        return self

    def assert_existing_objects_matched(self) -> CheckpointLoadStatus:
        """Raises AssertionError if an object of the program has no value in the checkpoint."""
        unmatched, _, _ = self._analyse()
        if unmatched:
            raise AssertionError(
                f"Found {len(unmatched)} Python objects that were not bound to checkpointed values in "
                f"{self._restoration.saved.path!r}, likely due to changes in the Python program: {_listing(unmatched)}"
            )
        return self

    def assert_nontrivial_match(self) -> CheckpointLoadStatus:
        """Raises AssertionError if nothing except the root object was matched."""
        unmatched, _, matched = self._analyse()
        if matched == 0:
            raise AssertionError(
                f"Nothing except the root object matched a checkpointed value in {self._restoration.saved.path!r}. "
                "Typically this means that the checkpoint does not match the Python program. Objects without a "
                f"value: {_listing(unmatched) or '(none)'}"
            )
        return self

    def expect_partial(self) -> CheckpointLoadStatus:
        """Silences warnings about checkpoint values that are never restored."""
        self._restoration.expect_partial = True
        return self

    def run_restore_ops(self, session: Any = None) -> None:
        """Does nothing: values are restored eagerly (TF eager behaves the same)."""

    def initialize_or_restore(self, session: Any = None) -> None:
        """Does nothing: values are restored eagerly (TF eager behaves the same)."""

    def pending_values(self) -> list[str]:
        """Paths of checkpoint values still waiting for their variable to be created."""
        deferred.resolve()
        return [format_path(k) for k in self._restoration.pending]

    def __repr__(self) -> str:
        return f"<eagerkit.train.CheckpointLoadStatus for {self._restoration.saved.path!r}>"


class InitializationOnlyStatus:
    """Returned by ``restore(None)``: nothing is restored; every assertion fails (as in TF).

    >>> import eagerkit as ek
    >>> status = ek.train.Checkpoint(v=ek.Variable(1.0)).restore(None)  # e.g. latest_checkpoint() found none
    >>> type(status).__name__
    'InitializationOnlyStatus'
    >>> status.initialize_or_restore()
    """

    _MESSAGE = "No checkpoint specified (save_path=None); nothing is being restored."

    def assert_consumed(self) -> InitializationOnlyStatus:
        raise AssertionError(self._MESSAGE)

    def assert_existing_objects_matched(self) -> InitializationOnlyStatus:
        raise AssertionError(self._MESSAGE)

    def assert_nontrivial_match(self) -> InitializationOnlyStatus:
        raise AssertionError(self._MESSAGE)

    def expect_partial(self) -> InitializationOnlyStatus:
        return self

    def run_restore_ops(self, session: Any = None) -> None:
        """Does nothing (variables keep their initial values)."""

    def initialize_or_restore(self, session: Any = None) -> None:
        """Does nothing: eager variables are initialized when created."""

    def __repr__(self) -> str:
        return "<eagerkit.train.InitializationOnlyStatus>"
