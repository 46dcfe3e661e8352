"""``CheckpointOptions``: how a checkpoint is written (``tf.train.CheckpointOptions``).

>>> from eagerkit.train import CheckpointOptions
>>> CheckpointOptions(enable_async=True).enable_async
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


class CheckpointOptions:
    """Options for ``Checkpoint.save``/``write`` and ``CheckpointManager.save``.

    Args:
      enable_async: return as soon as the values are copied to host memory and write the
        checkpoint on a background thread. The checkpoint (and the state file naming it)
        appears only once it is complete; ``Checkpoint.sync()`` /
        ``CheckpointManager.wait_until_finished()`` wait for it and raise its error, if any.
        Ignored when several processes run the program (``MultiWorkerMirroredStrategy``):
        their saves end with a collective, which a background thread cannot safely join, so
        they are synchronous.
      experimental_enable_async_checkpoint: TF's older name for ``enable_async``.
      experimental_write_callbacks: callables run after the checkpoint is complete, each
        with the checkpoint path (or with no argument if it takes none). Under several
        processes they run on every process (on process 0 before the others return).

    >>> import os, shutil, tempfile
    >>> import eagerkit as ek
    >>> directory = tempfile.mkdtemp()
    >>> ckpt = ek.train.Checkpoint(v=ek.Variable(1.0))
    >>> written = []
    >>> options = ek.train.CheckpointOptions(enable_async=True, experimental_write_callbacks=[written.append])
    >>> path = ckpt.save(os.path.join(directory, "ckpt"), options=options)
    >>> ckpt.sync()  # wait for the background write
    >>> written == [path]
    True
    >>> shutil.rmtree(directory)
    """

    def __init__(
        self,
        enable_async: bool = False,
        experimental_enable_async_checkpoint: bool = False,
        experimental_write_callbacks: Sequence[Callable[..., Any]] | None = None,
    ) -> None:
        self.enable_async = bool(enable_async or experimental_enable_async_checkpoint)
        self.experimental_write_callbacks = list(experimental_write_callbacks or [])
        for cb in self.experimental_write_callbacks:
            if not callable(cb):
                raise TypeError(f"experimental_write_callbacks must hold callables, got {cb!r}.")

    @property
    def experimental_enable_async_checkpoint(self) -> bool:
        return self.enable_async

    def __repr__(self) -> str:
        return (
            f"CheckpointOptions(enable_async={self.enable_async}, "
            f"experimental_write_callbacks={self.experimental_write_callbacks})"
        )
