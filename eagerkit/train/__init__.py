"""``ek.train``: object-based checkpoints (``tf.train.Checkpoint`` and friends) on orbax.

>>> import eagerkit as ek, eagerkit.train, os, tempfile
>>> v = ek.Variable(1.0)
>>> manager = ek.train.CheckpointManager(ek.train.Checkpoint(v=v), tempfile.mkdtemp())
>>> path = manager.save()
>>> ek.train.latest_checkpoint(manager.directory) == path
True
"""

from eagerkit._src.train.checkpoint import Checkpoint  # noqa: F401
from eagerkit._src.train.checkpoint_manager import CheckpointManager  # noqa: F401
from eagerkit._src.train.checkpoint_options import CheckpointOptions  # noqa: F401
from eagerkit._src.train.checkpoint_reader import list_variables, load_checkpoint, load_variable  # noqa: F401
from eagerkit._src.train.checkpoint_state import (  # noqa: F401
    CheckpointState,
    get_checkpoint_state,
    latest_checkpoint,
    update_checkpoint_state,
)
from eagerkit._src.train.restore_status import CheckpointLoadStatus, InitializationOnlyStatus  # noqa: F401
