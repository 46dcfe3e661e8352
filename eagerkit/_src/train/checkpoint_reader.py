"""Reading single values out of a checkpoint (``tf.train.load_checkpoint`` / ``list_variables``).

Keys are object-graph paths such as ``"model/dense/kernel"``; TF's spelling with the
``/.ATTRIBUTES/VARIABLE_VALUE`` suffix is accepted too. A directory stands for its latest
checkpoint.

>>> import eagerkit as ek, eagerkit.train, os, tempfile
>>> path = ek.train.Checkpoint(w=ek.Variable([1.0, 2.0])).write(os.path.join(tempfile.mkdtemp(), "c"))
>>> ek.train.list_variables(path)
[('w', [2])]
>>> ek.train.load_variable(path, "w")
array([1., 2.], dtype=float32)
"""

from __future__ import annotations

import os

import numpy as np

from eagerkit._src.core.errors import NotFoundError
from eagerkit._src.train import async_writer, checkpoint_state, storage
from eagerkit._src.train.object_graph import Path, format_path

_TF_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"


def _resolve(ckpt_dir_or_file: str | os.PathLike) -> str:
    path = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(path) and not storage.is_checkpoint(path):
        latest = checkpoint_state.latest_checkpoint(path)
        if latest is None:
            raise NotFoundError(
                f"Couldn't find a checkpoint in directory {path!r} (no usable 'checkpoint' state file)."
            )
        return latest
    return path


def _key(name: str) -> Path:
    if name.endswith(_TF_SUFFIX):
        name = name[: -len(_TF_SUFFIX)]
    return tuple(name.split("/")) if name else ()


class CheckpointReader:
    """Read access to one checkpoint's values (``tf.train.load_checkpoint``'s result)."""

    def __init__(self, path: str) -> None:
        async_writer.wait_for(path)
        self._saved = storage.read_graph(path)

    def get_variable_to_shape_map(self) -> dict[str, list[int]]:
        return {format_path(k): list(v.shape) for k, v in self._saved.variables.items()}

    def get_variable_to_dtype_map(self) -> dict[str, np.dtype]:
        return {format_path(k): v.dtype for k, v in self._saved.variables.items()}

    def has_tensor(self, name: str) -> bool:
        return self._saved.lookup_variable(_key(name)) is not None

    def get_tensor(self, name: str) -> np.ndarray:
        """The saved value of ``name`` as a NumPy array (CRC-checked)."""
        key = self._saved.lookup_variable(_key(name))
        if key is None:
            raise NotFoundError(
                f"Key {name!r} not found in checkpoint {self._saved.path!r}; it holds: "
                f"{', '.join(sorted(format_path(k) for k in self._saved.variables))}"
            )
        return storage.read_arrays(self._saved, {key: None})[key]


def load_checkpoint(ckpt_dir_or_file: str | os.PathLike) -> CheckpointReader:
    """A reader for the checkpoint (or a directory's latest checkpoint).

    >>> import os, shutil, tempfile
    >>> import eagerkit as ek
    >>> directory = tempfile.mkdtemp()
    >>> path = ek.train.Checkpoint(w=ek.Variable([1.0, 2.0])).save(os.path.join(directory, "ckpt"))
    >>> reader = ek.train.load_checkpoint(path)
    >>> reader.get_variable_to_shape_map()["w"], reader.get_tensor("w")
    ([2], array([1., 2.], dtype=float32))
    >>> shutil.rmtree(directory)
    """
    return CheckpointReader(_resolve(ckpt_dir_or_file))


def list_variables(ckpt_dir_or_file: str | os.PathLike) -> list[tuple[str, list[int]]]:
    """``[(key, shape)]`` of every value in the checkpoint, sorted by key.

    >>> import os, shutil, tempfile
    >>> import eagerkit as ek
    >>> directory = tempfile.mkdtemp()
    >>> ckpt = ek.train.Checkpoint(step=ek.Variable(3), w=ek.Variable([1.0, 2.0]))
    >>> _ = ckpt.save(os.path.join(directory, "ckpt"))
    >>> ek.train.list_variables(directory)
    [('save_counter', []), ('step', []), ('w', [2])]
    >>> shutil.rmtree(directory)
    """
    return sorted(load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map().items())


def load_variable(ckpt_dir_or_file: str | os.PathLike, name: str) -> np.ndarray:
    """The saved value of ``name`` (e.g. ``"model/dense/kernel"``).

    >>> import os, shutil, tempfile
    >>> import eagerkit as ek
    >>> directory = tempfile.mkdtemp()
    >>> path = ek.train.Checkpoint(w=ek.Variable([1.0, 2.0])).save(os.path.join(directory, "ckpt"))
    >>> ek.train.load_variable(path, "w")
    array([1., 2.], dtype=float32)
    >>> ek.train.load_variable(path, "w/.ATTRIBUTES/VARIABLE_VALUE")  # TF's key spelling works too
    array([1., 2.], dtype=float32)
    >>> shutil.rmtree(directory)
    """
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)
