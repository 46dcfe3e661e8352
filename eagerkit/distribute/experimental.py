"""``ek.distribute.experimental`` (mirrors ``tf.distribute.experimental``)."""

from eagerkit._src.distribute.distribute_lib import ValueContext  # noqa: F401
from eagerkit._src.distribute.multi_worker_mirrored_strategy import (  # noqa: F401
    MultiWorkerMirroredStrategy,
)
from eagerkit._src.distribute.sharding import shard  # noqa: F401
