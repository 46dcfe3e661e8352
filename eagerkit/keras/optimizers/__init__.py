"""``ek.keras.optimizers``: optimizers on optax (mirrors ``tf.keras.optimizers``).

``Optimizer.from_optax(transformation)`` wraps any optax transformation.
"""

from eagerkit._src.keras.optimizers.adadelta import Adadelta  # noqa: F401
from eagerkit._src.keras.optimizers.adagrad import Adagrad  # noqa: F401
from eagerkit._src.keras.optimizers.adam import Adam  # noqa: F401
from eagerkit._src.keras.optimizers.adamax import Adamax  # noqa: F401
from eagerkit._src.keras.optimizers.adamw import AdamW  # noqa: F401
from eagerkit._src.keras.optimizers.lion import Lion  # noqa: F401
from eagerkit._src.keras.optimizers.nadam import Nadam  # noqa: F401
from eagerkit._src.keras.optimizers.optax_optimizer import OptaxOptimizer  # noqa: F401
from eagerkit._src.keras.optimizers.optimizer import Optimizer  # noqa: F401
from eagerkit._src.keras.optimizers.registry import deserialize, get, serialize  # noqa: F401
from eagerkit._src.keras.optimizers.rmsprop import RMSprop  # noqa: F401
from eagerkit._src.keras.optimizers.sgd import SGD  # noqa: F401
from eagerkit.keras.optimizers import schedules  # noqa: F401
