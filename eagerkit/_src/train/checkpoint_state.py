"""The ``checkpoint`` state file of a checkpoint directory, and ``latest_checkpoint``.

The file uses TensorFlow's format (a ``CheckpointState`` protocol buffer in text form),
so it reads the same as TF's::

    model_checkpoint_path: "ckpt-4"
    all_model_checkpoint_paths: "ckpt-3"
    all_model_checkpoint_paths: "ckpt-4"
    all_model_checkpoint_timestamps: 1700000000.25
    all_model_checkpoint_timestamps: 1700000100.5
    last_preserved_timestamp: 1699999999.0

Paths inside the directory are stored relative to it. The file is replaced atomically
(written to a temporary file, then ``os.replace``d) and only after the checkpoint it
names is complete, so ``latest_checkpoint`` always names a whole checkpoint.

>>> import eagerkit as ek, eagerkit.train, os, tempfile
>>> d = tempfile.mkdtemp()
>>> path = ek.train.Checkpoint(v=ek.Variable(1.0)).save(os.path.join(d, "ckpt"))
>>> ek.train.latest_checkpoint(d) == path
True
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from eagerkit._src.core.errors import DataLossError
from eagerkit._src.train import storage

_log = logging.getLogger("eagerkit")

STATE_FILE = "checkpoint"
_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*?)\s*$")
_STRING_FIELDS = ("model_checkpoint_path", "all_model_checkpoint_paths")
_FLOAT_FIELDS = ("all_model_checkpoint_timestamps", "last_preserved_timestamp")


@dataclass
class CheckpointState:
    """The contents of the state file (``tf.train.get_checkpoint_state``'s result).

    Paths are as stored, joined to the directory when relative.

    >>> import os, shutil, tempfile
    >>> import eagerkit as ek
    >>> directory = tempfile.mkdtemp()
    >>> manager = ek.train.CheckpointManager(ek.train.Checkpoint(v=ek.Variable(1.0)), directory, max_to_keep=2)
    >>> paths = [manager.save() for _ in range(3)]
    >>> state = ek.train.get_checkpoint_state(directory)
    >>> [os.path.basename(p) for p in state.all_model_checkpoint_paths]
    ['ckpt-2', 'ckpt-3']
    >>> os.path.basename(state.model_checkpoint_path)
    'ckpt-3'
    >>> shutil.rmtree(directory)
    """

    model_checkpoint_path: str
    all_model_checkpoint_paths: list[str] = field(default_factory=list)
    all_model_checkpoint_timestamps: list[float] = field(default_factory=list)
    last_preserved_timestamp: float | None = None


def _escape(text: str) -> str:
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif 32 <= byte < 127:
            out.append(ch)
        else:
            out.append(f"\\{byte:03o}")
    return "".join(out)


_SIMPLE_ESCAPES = {"n": b"\n", "r": b"\r", "t": b"\t", "\\": b"\\", '"': b'"', "'": b"'"}


def _unescape(quoted: str) -> str:
    if len(quoted) < 2 or quoted[0] not in "\"'" or quoted[-1] != quoted[0]:
        raise ValueError(f"expected a quoted string, got {quoted!r}")
    body, out, i = quoted[1:-1], bytearray(), 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out += ch.encode("utf-8")
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[nxt]
            i += 2
        elif nxt and nxt in "01234567":
            m = re.match(r"[0-7]{1,3}", body[i + 1 :])
            out.append(int(m.group(0), 8) & 0xFF)
            i += 1 + len(m.group(0))
        elif nxt == "x" and re.match(r"[0-9A-Fa-f]{1,2}", body[i + 2 :]):
            m = re.match(r"[0-9A-Fa-f]{1,2}", body[i + 2 :])
            out.append(int(m.group(0), 16))
            i += 2 + len(m.group(0))
        else:
            raise ValueError(f"bad escape in {quoted!r}")
    return out.decode("utf-8")


def format_state(state: CheckpointState) -> str:
    """The text of a state file."""
    lines = [f'model_checkpoint_path: "{_escape(state.model_checkpoint_path)}"']
    lines += [f'all_model_checkpoint_paths: "{_escape(p)}"' for p in state.all_model_checkpoint_paths]
    lines += [f"all_model_checkpoint_timestamps: {t!r}" for t in state.all_model_checkpoint_timestamps]
    if state.last_preserved_timestamp is not None:
        lines.append(f"last_preserved_timestamp: {state.last_preserved_timestamp!r}")
    return "\n".join(lines) + "\n"


def parse_state(text: str, where: str = "<text>") -> CheckpointState:
    """Parses a state file's text (raises DataLossError naming ``where`` when malformed)."""
    state = CheckpointState(model_checkpoint_path="")
    seen_model = False
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LINE.match(line)
        try:
            if m is None:
                raise ValueError("expected `field: value`")
            name, value = m.groups()
            if name == "model_checkpoint_path":
                state.model_checkpoint_path, seen_model = _unescape(value), True
            elif name == "all_model_checkpoint_paths":
                state.all_model_checkpoint_paths.append(_unescape(value))
            elif name == "all_model_checkpoint_timestamps":
                state.all_model_checkpoint_timestamps.append(float(value))
            elif name == "last_preserved_timestamp":
                state.last_preserved_timestamp = float(value)
            # Unknown fields are ignored (forward compatibility, like protobuf readers).
        except (ValueError, UnicodeDecodeError) as e:
            raise DataLossError(
                f"The checkpoint state file {where!r} is damaged at line {number} ({e}): {line!r}. Delete it, or "
                "fix it by hand, to let latest_checkpoint/CheckpointManager read the directory again."
            ) from None
    if not seen_model:
        raise DataLossError(
            f"The checkpoint state file {where!r} has no model_checkpoint_path. Delete it to start a fresh "
            "checkpoint history in this directory."
        )
    return state


def _relative(path: str, directory: str) -> str:
    if os.path.isabs(path) != os.path.isabs(directory):
        return path
    rel = os.path.relpath(path, directory or ".")
    return path if rel.startswith(os.pardir) else rel


def update_checkpoint_state(
    save_dir: str,
    model_checkpoint_path: str,
    all_model_checkpoint_paths: Sequence[str] | None = None,
    all_model_checkpoint_timestamps: Sequence[float] | None = None,
    last_preserved_timestamp: float | None = None,
    latest_filename: str | None = None,
) -> None:
    """Atomically writes ``save_dir``'s state file (paths stored relative to ``save_dir``).

    >>> import os, shutil, tempfile
    >>> import eagerkit as ek
    >>> directory = tempfile.mkdtemp()
    >>> ckpt = ek.train.Checkpoint(v=ek.Variable(1.0))
    >>> path = ckpt.write(os.path.join(directory, "best"))
    >>> ek.train.latest_checkpoint(directory) is None  # write() does not touch the state file
    True
    >>> ek.train.update_checkpoint_state(directory, path)
    >>> ek.train.latest_checkpoint(directory) == path
    True
    >>> shutil.rmtree(directory)
    """
    paths = list(all_model_checkpoint_paths or [])
    if model_checkpoint_path not in paths:
        paths.append(model_checkpoint_path)
    state = CheckpointState(
        _relative(model_checkpoint_path, save_dir),
        [_relative(p, save_dir) for p in paths],
        [float(t) for t in (all_model_checkpoint_timestamps or [])],
        last_preserved_timestamp,
    )
    directory = save_dir or "."
    os.makedirs(directory, exist_ok=True)
    final = os.path.join(directory, latest_filename or STATE_FILE)
    name = latest_filename or STATE_FILE
    tmp = os.path.join(directory, f".{name}.eagerkit-tmp-{os.getpid()}-{uuid.uuid4().hex[:12]}")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(format_state(state))
        os.replace(tmp, final)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise


def get_checkpoint_state(checkpoint_dir: str, latest_filename: str | None = None) -> CheckpointState | None:
    """The state recorded in ``checkpoint_dir`` (``tf.train.get_checkpoint_state``); None if there is none.

    Relative paths are joined to ``checkpoint_dir``.

    >>> import tempfile
    >>> get_checkpoint_state(tempfile.mkdtemp()) is None
    True
    """
    checkpoint_dir = os.fspath(checkpoint_dir)
    file = os.path.join(checkpoint_dir, latest_filename or STATE_FILE)
    try:
        with open(file, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise DataLossError(f"The checkpoint state file {file!r} is not text. Delete it to start afresh.") from None
    state = parse_state(text, file)

    def full(p: str) -> str:
        return p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)

    state.model_checkpoint_path = full(state.model_checkpoint_path)
    state.all_model_checkpoint_paths = [full(p) for p in state.all_model_checkpoint_paths]
    return state


def latest_checkpoint(checkpoint_dir: str, latest_filename: str | None = None) -> str | None:
    """The newest checkpoint recorded in ``checkpoint_dir``, or None (``tf.train.latest_checkpoint``).

    None also when the recorded checkpoint no longer exists (as in TF).

    >>> import tempfile
    >>> latest_checkpoint(tempfile.mkdtemp()) is None
    True
    """
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or not state.model_checkpoint_path:
        return None
    path = state.model_checkpoint_path
    if storage.is_checkpoint(path):
        return path
    _log.error("Couldn't find checkpoint %s recorded in %s", path, os.path.join(checkpoint_dir, STATE_FILE))
    return None
