"""The on-disk format of an eagerkit checkpoint, and how it is published atomically.

A checkpoint is a directory::

    <path>/object_graph.json   which variable (by object-graph path) is stored where, with
                               shape, dtype and a CRC-32 of its bytes; plain JSON carrying
                               its own checksum
    <path>/arrays/             the arrays, written by orbax (``PyTreeCheckpointHandler``)

Writing never leaves a half-visible checkpoint: everything goes to a hidden temporary
directory next to ``<path>`` (``.<name>.eagerkit-tmp-<pid>-<hex>``); the JSON is written
last, and only then is the directory renamed to ``<path>`` (one atomic ``rename``). A
process killed mid-save leaves only the hidden directory, which
``cleanup_stale_temporaries`` removes later. Overwriting an existing checkpoint renames
the old one aside first, so a reader sees the old checkpoint, the new one, or (for the
instant between two renames) none, never a mixture.

Like orbax, nothing is fsynced: that would force the whole checkpoint to disk before
``save`` returns (on ext4 one fsync flushes all dirty data), making saves ~1.7x slower.
The guarantee above therefore holds for crashed or killed *processes*; if the machine
itself loses power, the newest checkpoint's data may be incomplete, which its CRC-32s
report on restore (DataLossError) instead of loading garbage.

Under several processes (``MultiWorkerMirroredStrategy``) only process 0 calls ``write``,
with host values, and orbax is told that process 0 is alone (no barriers); every process
reads by itself. ``multi_process.py`` describes the protocol around it.

Reading validates everything it can before any value is handed out: the JSON's checksum
and schema, every array orbax returns against the stored shape, dtype and CRC-32. No
code from the checkpoint is executed (no pickle; dtypes come from an allow-list).

>>> import numpy as np, os, tempfile
>>> from eagerkit._src.train import storage
>>> d = os.path.join(tempfile.mkdtemp(), "ck")
>>> snap = storage.Snapshot([storage.SnapshotVariable(("w",), "w:0", np.arange(3.0))], [()], [])
>>> storage.write(d, snap)
>>> saved = storage.read_graph(d)
>>> storage.read_arrays(saved, {("w",): None})[("w",)]
array([0., 1., 2.])
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import jax
import numpy as np

from eagerkit._src.core.errors import AlreadyExistsError, DataLossError, NotFoundError
from eagerkit._src.train import multi_process
from eagerkit._src.train.object_graph import Path, candidate_paths, format_path

GRAPH_FILE = "object_graph.json"
ARRAYS_DIR = "arrays"
FORMAT = "eagerkit-checkpoint"
VERSION = 1

#: dtypes a checkpoint may declare (anything else is rejected as corruption).
_DTYPES = {
    name: np.dtype(name)
    for name in (
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float16",
        "float32",
        "float64",
        "complex64",
        "complex128",
    )
}
_DTYPES["bfloat16"] = np.dtype(jax.numpy.bfloat16)

_TEMP_RE = re.compile(r"^\.(?P<name>.+)\.eagerkit-(?P<kind>tmp|trash)-(?P<pid>\d+)-[0-9a-f]{12}$")
_active_temporaries: set[str] = set()
_orbax = threading.local()


# -- what is written ------------------------------------------------------------------------
@dataclass
class SnapshotVariable:
    """One variable's value at save time (a jax.Array or, for async saves, a host copy)."""

    path: Path
    name: str
    value: Any


@dataclass
class Snapshot:
    """Everything a checkpoint stores: variable values, object paths and aliases."""

    variables: list[SnapshotVariable]
    objects: list[Path]
    aliases: list[tuple[Path, Path]]
    metadata: dict[str, Any] | None = None  # caller's JSON (e.g. a Keras model config)


# -- what is read -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SavedVariable:
    """A variable as recorded in ``object_graph.json``."""

    path: Path
    array: str | None  # orbax key; None for empty arrays (nothing to store)
    shape: tuple[int, ...]
    dtype: np.dtype
    crc32: int
    name: str


@dataclass
class SavedGraph:
    """The parsed ``object_graph.json`` of the checkpoint at ``path``."""

    path: str
    variables: dict[Path, SavedVariable]
    objects: set[Path]
    aliases: dict[Path, Path] = field(default_factory=dict)
    metadata: dict[str, Any] | None = None

    def lookup_variable(self, path: Path) -> Path | None:
        """The saved key a program path corresponds to (following aliases), or None."""
        for candidate in candidate_paths(path, self.aliases):
            if candidate in self.variables:
                return candidate
        return None

    def has_object(self, path: Path) -> bool:
        """Whether a non-variable node was saved at ``path`` (following aliases)."""
        return any(c in self.objects for c in candidate_paths(path, self.aliases))

    def paths_to(self, key: Path) -> list[Path]:
        """``key`` and every other saved path (through aliases) that reaches it."""
        out = [key]
        for alias, target in self.aliases.items():
            if key[: len(target)] == target:
                out.append(alias + key[len(target) :])
        return out


# -- small helpers ------------------------------------------------------------------------------
def crc32_of(value: Any) -> int:
    """CRC-32 of an array's bytes in C order (host copy made only if needed)."""
    arr = np.ascontiguousarray(np.asarray(value))
    return zlib.crc32(arr.reshape(-1).view(np.uint8)) & 0xFFFFFFFF


def _crc_workers(n: int) -> int:
    return max(1, min(n, (os.cpu_count() or 2) // 2))


def crc32_all(values: list[Any]) -> list[int]:
    """``crc32_of`` of each value, several at a time (zlib releases the GIL)."""
    if len(values) <= 1:
        return [crc32_of(v) for v in values]
    with ThreadPoolExecutor(max_workers=_crc_workers(len(values))) as pool:
        return list(pool.map(crc32_of, values))


def _temp_name(final: str, kind: str) -> str:
    parent, base = os.path.split(final)
    return os.path.join(parent, f".{base}.eagerkit-{kind}-{os.getpid()}-{uuid.uuid4().hex[:12]}")


def _checkpointer() -> Any:
    """A synchronous orbax PyTree checkpointer (one per thread).

    Under several processes its process set is this process alone: orbax then neither
    expects the other processes to call it nor waits for them at its barriers (only
    process 0 writes; each process reads by itself; see ``multi_process.py``).
    """
    count = multi_process.process_count()
    ckptr = getattr(_orbax, "ckptr", None)
    if ckptr is None or _orbax.count != count:
        import orbax.checkpoint as ocp

        if count == 1:
            ckptr = ocp.Checkpointer(ocp.PyTreeCheckpointHandler())
        else:
            me = multi_process.process_index()
            options = ocp.options.MultiprocessingOptions(primary_host=me, active_processes={me})
            handler = ocp.PyTreeCheckpointHandler(multiprocessing_options=options)
            ckptr = ocp.Checkpointer(handler, multiprocessing_options=options)
        _orbax.ckptr, _orbax.count = ckptr, count
    return ckptr


def is_checkpoint(path: str) -> bool:
    """True when ``path`` is a complete eagerkit checkpoint directory."""
    return os.path.isfile(os.path.join(path, GRAPH_FILE))


# -- writing ----------------------------------------------------------------------------------------
def check_writable(path: str) -> None:
    """Raises unless ``path`` is free or holds an eagerkit checkpoint (which may be replaced)."""
    if os.path.lexists(path) and not is_checkpoint(path):
        raise AlreadyExistsError(
            f"Cannot write a checkpoint to {path!r}: it already exists and is not an eagerkit checkpoint "
            "(no object_graph.json inside). eagerkit only replaces its own checkpoints; choose another path "
            "or remove it yourself."
        )


def write(path: str, snapshot: Snapshot) -> None:
    """Writes ``snapshot`` to the checkpoint directory ``path`` (see module docstring)."""
    if snapshot.metadata is not None:
        if not isinstance(snapshot.metadata, dict):
            raise TypeError(f"Checkpoint metadata must be a dict of JSON values, got {type(snapshot.metadata)}.")
        try:
            json.dumps(snapshot.metadata, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"Checkpoint metadata must be plain JSON (dicts, lists, str, numbers, bools): {e}"
            ) from None
    final = os.path.normpath(path)
    parent = os.path.dirname(final) or "."
    os.makedirs(parent, exist_ok=True)
    check_writable(final)
    tmp = _temp_name(final, "tmp")
    _active_temporaries.add(tmp)
    try:
        os.mkdir(tmp)
        body = _write_contents(tmp, snapshot)
        text = _serialize(body)
        graph_file = os.path.join(tmp, GRAPH_FILE)
        with open(graph_file, "w", encoding="utf-8") as f:
            f.write(text)
        _publish(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        _active_temporaries.discard(tmp)


def _write_contents(tmp: str, snapshot: Snapshot) -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    arrays: dict[str, Any] = {}
    for i, var in enumerate(snapshot.variables):
        value = var.value
        dtype = np.dtype(value.dtype)
        if dtype.name not in _DTYPES:
            raise TypeError(
                f"Cannot checkpoint variable {format_path(var.path)!r} ({var.name}) of dtype {dtype.name}; "
                f"eagerkit checkpoints store {', '.join(sorted(_DTYPES))}."
            )
        if getattr(value, "is_deleted", None) is not None and value.is_deleted():
            raise RuntimeError(
                f"Variable {format_path(var.path)!r} ({var.name}) has a deleted (donated) buffer and cannot be saved."
            )
        name = f"a{i}" if int(np.prod(value.shape)) > 0 else None
        if name is not None:
            arrays[name] = value
        entries.append(
            {
                "path": list(var.path),
                "name": var.name,
                "array": name,
                "shape": [int(d) for d in value.shape],
                "dtype": dtype.name,
            }
        )
    values = [v.value for v in snapshot.variables]
    if arrays:
        # The CRCs are computed on other threads while orbax writes.
        with ThreadPoolExecutor(max_workers=1) as pool:
            crc_future = pool.submit(crc32_all, values)
            import orbax.checkpoint as ocp

            _checkpointer().save(os.path.abspath(os.path.join(tmp, ARRAYS_DIR)), args=ocp.args.PyTreeSave(arrays))
            crcs = crc_future.result()
    else:
        crcs = crc32_all(values)
    for entry, crc in zip(entries, crcs):
        entry["crc32"] = crc
    return {
        "format": FORMAT,
        "version": VERSION,
        "variables": entries,
        "objects": [list(p) for p in snapshot.objects],
        "aliases": [[list(a), list(t)] for a, t in snapshot.aliases],
        "metadata": snapshot.metadata,
    }


def _serialize(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    out = dict(body)
    out["checksum"] = zlib.crc32(canonical.encode("utf-8")) & 0xFFFFFFFF
    return json.dumps(out, indent=1, sort_keys=True) + "\n"


def _publish(tmp: str, final: str) -> None:
    if os.path.lexists(final):
        check_writable(final)
        trash = _temp_name(final, "trash")
        os.rename(final, trash)
        os.rename(tmp, final)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.rename(tmp, final)


def delete(path: str) -> None:
    """Deletes the checkpoint at ``path`` (renamed aside first, so it never looks half-deleted)."""
    if not is_checkpoint(path):
        return
    trash = _temp_name(os.path.normpath(path), "trash")
    try:
        os.rename(path, trash)
    except FileNotFoundError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def cleanup_stale_temporaries(directory: str) -> list[str]:
    """Removes temporaries left in ``directory`` by killed saves; returns what was removed.

    A temporary belongs to the process whose id is in its name; it is removed only when
    that process no longer exists (or is this process and no save of ours uses it).
    """
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        m = _TEMP_RE.match(name)
        if m is None:
            continue
        full = os.path.join(directory, name)
        pid = int(m.group("pid"))
        if pid == os.getpid():
            if full in _active_temporaries:
                continue
        elif _process_alive(pid):
            continue
        if os.path.isdir(full) and not os.path.islink(full):
            shutil.rmtree(full, ignore_errors=True)
        else:
            try:
                os.remove(full)
            except OSError:
                continue
        removed.append(full)
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- reading ----------------------------------------------------------------------------------------
def read_graph(path: str) -> SavedGraph:
    """Parses and validates ``<path>/object_graph.json``."""
    if not os.path.lexists(path):
        raise NotFoundError(
            f"Error when restoring from checkpoint {path!r}: no such checkpoint. Please double-check that the "
            "path is correct. You may be missing the checkpoint suffix (e.g. the '-1' in 'path/to/ckpt-1'); "
            "ek.train.latest_checkpoint(directory) returns the newest one."
        )
    graph_file = os.path.join(path, GRAPH_FILE)
    if not os.path.isfile(graph_file):
        if os.path.isdir(path) and os.path.isfile(os.path.join(path, "checkpoint")):
            hint = (
                f"{path!r} is a checkpoint directory; restore one of its checkpoints, e.g. "
                f"ek.train.latest_checkpoint({path!r})."
            )
        elif os.path.exists(path + ".index"):
            hint = f"{path!r} looks like a TensorFlow-format checkpoint, which eagerkit cannot read."
        else:
            hint = "It is not an eagerkit checkpoint, or it was damaged after it was written."
        raise DataLossError(f"Unable to read checkpoint {path!r}: {GRAPH_FILE} is missing. {hint}")
    try:
        with open(graph_file, encoding="utf-8") as f:
            text = f.read()
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _corrupt(path, f"{GRAPH_FILE} is not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise _corrupt(path, f"{GRAPH_FILE} does not hold a JSON object")
    checksum = data.pop("checksum", None)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    if checksum != zlib.crc32(canonical.encode("utf-8")) & 0xFFFFFFFF:
        raise _corrupt(path, f"{GRAPH_FILE} does not match its checksum (it was modified or damaged)")
    try:
        return _parse(path, data)
    except (KeyError, TypeError, ValueError) as e:
        raise _corrupt(path, f"{GRAPH_FILE} is malformed ({e})") from None


def _corrupt(path: str, what: str) -> DataLossError:
    return DataLossError(
        f"Checkpoint {path!r} is corrupted: {what}. Nothing was restored. Restore an older checkpoint "
        "(e.g. one listed by CheckpointManager.checkpoints) or re-create this one."
    )


def _as_path(value: Any) -> Path:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise ValueError(f"a path must be a list of strings, got {value!r}")
    return tuple(value)


def _parse(path: str, data: dict[str, Any]) -> SavedGraph:
    if data.get("format") != FORMAT:
        raise ValueError(f"format is {data.get('format')!r}, expected {FORMAT!r}")
    if data.get("version") != VERSION:
        raise ValueError(f"version {data.get('version')!r} is not supported (this eagerkit reads {VERSION})")
    variables: dict[Path, SavedVariable] = {}
    arrays_seen: set[str] = set()
    for entry in data["variables"]:
        p = _as_path(entry["path"])
        dtype_name = entry["dtype"]
        if dtype_name not in _DTYPES:
            raise ValueError(f"unknown dtype {dtype_name!r} for {format_path(p)!r}")
        shape = entry["shape"]
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            raise ValueError(f"bad shape {shape!r} for {format_path(p)!r}")
        array = entry["array"]
        if array is not None and (not isinstance(array, str) or array in arrays_seen):
            raise ValueError(f"bad array name {array!r} for {format_path(p)!r}")
        if (array is None) != (int(np.prod(shape)) == 0):
            raise ValueError(f"array name {array!r} does not fit shape {shape!r} for {format_path(p)!r}")
        if array is not None:
            arrays_seen.add(array)
        crc, name = entry["crc32"], entry["name"]
        if not isinstance(crc, int) or not isinstance(name, str) or p in variables:
            raise ValueError(f"bad entry for {format_path(p)!r}")
        variables[p] = SavedVariable(p, array, tuple(shape), _DTYPES[dtype_name], crc, name)
    objects = {_as_path(o) for o in data["objects"]}
    aliases = {}
    for pair in data["aliases"]:
        if not isinstance(pair, list) or len(pair) != 2:
            raise ValueError(f"bad alias {pair!r}")
        aliases[_as_path(pair[0])] = _as_path(pair[1])
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise ValueError("metadata must be an object")
    return SavedGraph(path, variables, objects, aliases, metadata)


def read_arrays(saved: SavedGraph, requests: dict[Path, Any]) -> dict[Path, Any]:
    """Reads the values of the saved keys in ``requests`` and checks their CRC-32s.

    ``requests`` maps a saved key to a ``jax.sharding.Sharding`` (the value is returned as a
    jax.Array placed there) or ``None`` (returned as a NumPy array). Raises DataLossError
    naming the checkpoint and the variables whose data cannot be read or fails its check.

    Under several processes every value is read to the host, checked there, and only then
    placed (a sharding may span other processes' devices; see ``multi_process.py``).
    """
    if any(s is not None for s in requests.values()) and multi_process.process_count() > 1:
        host = read_arrays(saved, dict.fromkeys(requests))
        return {key: multi_process.place(host[key], sharding) for key, sharding in requests.items()}
    out: dict[Path, Any] = {}
    item: dict[str, Any] = {}
    restore_args: dict[str, Any] = {}
    key_of: dict[str, Path] = {}
    import orbax.checkpoint as ocp

    for key, sharding in requests.items():
        sv = saved.variables[key]
        if sv.array is None:
            empty = np.zeros(sv.shape, sv.dtype)
            out[key] = empty if sharding is None else jax.device_put(empty, sharding)
            continue
        key_of[sv.array] = key
        if sharding is None:
            item[sv.array] = jax.ShapeDtypeStruct(sv.shape, sv.dtype)
            restore_args[sv.array] = ocp.RestoreArgs(restore_type=np.ndarray, dtype=sv.dtype)
        else:
            item[sv.array] = jax.ShapeDtypeStruct(sv.shape, sv.dtype, sharding=sharding)
            restore_args[sv.array] = ocp.ArrayRestoreArgs(sharding=sharding, dtype=sv.dtype)
    if item:
        arrays_path = os.path.abspath(os.path.join(saved.path, ARRAYS_DIR))
        values = _orbax_restore(saved, arrays_path, item, restore_args, key_of)
        bad = []
        names = list(values)
        for array_name in names:
            value = values[array_name]
            key = key_of[array_name]
            sv = saved.variables[key]
            if tuple(value.shape) != sv.shape or np.dtype(value.dtype) != sv.dtype:
                bad.append(
                    f"variable {format_path(key)!r} (read shape {tuple(value.shape)} {np.dtype(value.dtype).name})"
                )
            out[key] = value
        if not bad:
            crcs = crc32_all([values[n] for n in names])
            bad = [
                f"variable {format_path(key_of[n])!r} (CRC-32 mismatch)"
                for n, crc in zip(names, crcs)
                if crc != saved.variables[key_of[n]].crc32
            ]
        if bad:
            raise _corrupt(saved.path, "the data of " + ", ".join(bad) + " does not match what was saved")
    return out


def _short(error: Exception) -> str:
    text = str(error).split(" See full TensorStore details")[0].splitlines()
    return f"{type(error).__name__}: {text[0][:200] if text else ''}"


def _orbax_restore(saved: SavedGraph, arrays_path: str, item: dict, restore_args: dict, key_of: dict) -> dict:
    import orbax.checkpoint as ocp

    def restore(names: list[str]) -> dict:
        args = ocp.args.PyTreeRestore(
            item={n: item[n] for n in names},
            restore_args={n: restore_args[n] for n in names},
            partial_restore=True,
        )
        return _checkpointer().restore(arrays_path, args=args)

    if not os.path.isdir(arrays_path):
        raise _corrupt(saved.path, f"the {ARRAYS_DIR}/ directory is missing")
    try:
        values = restore(list(item))
    except Exception as first_error:  # orbax/tensorstore raise many types; find the culprits
        failed = []
        for name in item:
            try:
                restore([name])
            except Exception as e:
                failed.append(f"variable {format_path(key_of[name])!r} ({_short(e)})")
        detail = ", ".join(failed) if failed else _short(first_error)
        raise _corrupt(saved.path, f"the array data cannot be read: {detail}") from None
    missing = [format_path(key_of[n]) for n in item if n not in values]
    if missing:
        raise _corrupt(saved.path, f"no data for {', '.join(missing)}")
    return values
