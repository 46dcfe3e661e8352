"""``ek.distribute``: TF's distribution strategies on JAX's SPMD sharding (mirrors ``tf.distribute``).

>>> import eagerkit as ek
>>> strategy = ek.distribute.MirroredStrategy()
>>> with strategy.scope():
...     w = ek.Variable(2.0)
>>> def step(x):
...     return ek.nn.compute_average_loss(w * x)
>>> batch = strategy.experimental_distribute_dataset(
...     ek.data.Dataset.from_tensor_slices(ek.ones([8])).batch(8))
>>> losses = strategy.run(step, args=(next(iter(batch)),))
>>> strategy.reduce(ek.distribute.ReduceOp.SUM, losses, axis=None).numpy()
np.float32(2.0)
"""

from eagerkit._src.distribute.distribute_lib import (  # noqa: F401
    InputContext,
    ReplicaContext,
    Strategy,
    StrategyExtended,
    experimental_set_strategy,
    get_replica_context,
    get_strategy,
    has_strategy,
    in_cross_replica_context,
)
from eagerkit._src.distribute.mesh_strategy import DistributedDataset, DistributedIterator  # noqa: F401
from eagerkit._src.distribute.mirrored_strategy import MirroredStrategy  # noqa: F401
from eagerkit._src.distribute.multi_worker_mirrored_strategy import MultiWorkerMirroredStrategy  # noqa: F401
from eagerkit._src.distribute.reduce_util import ReduceOp  # noqa: F401
from eagerkit._src.distribute.values import DistributedValues, PerReplica  # noqa: F401
from eagerkit.distribute import cluster_resolver, experimental  # noqa: F401
