"""Looking optimizers up by name (``ek.keras.optimizers.get``) and (de)serialising them.

>>> from eagerkit._src.keras.optimizers.registry import get
>>> type(get("adam")).__name__, round(float(get("adam").learning_rate.numpy()), 6)
('Adam', 0.001)
"""

from __future__ import annotations

from typing import Any

import optax

from eagerkit._src.keras.optimizers.adadelta import Adadelta
from eagerkit._src.keras.optimizers.adagrad import Adagrad
from eagerkit._src.keras.optimizers.adam import Adam
from eagerkit._src.keras.optimizers.adamax import Adamax
from eagerkit._src.keras.optimizers.adamw import AdamW
from eagerkit._src.keras.optimizers.lion import Lion
from eagerkit._src.keras.optimizers.nadam import Nadam
from eagerkit._src.keras.optimizers.optax_optimizer import OptaxOptimizer
from eagerkit._src.keras.optimizers.optimizer import Optimizer
from eagerkit._src.keras.optimizers.rmsprop import RMSprop
from eagerkit._src.keras.optimizers.sgd import SGD

CLASSES: dict[str, type[Optimizer]] = {
    cls.__name__: cls for cls in (SGD, Adam, AdamW, Adamax, Nadam, RMSprop, Adagrad, Adadelta, Lion, OptaxOptimizer)
}
NAMES: dict[str, type[Optimizer]] = {name.lower(): cls for name, cls in CLASSES.items() if cls is not OptaxOptimizer}


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name (``"adam"``, ``"SGD"``, ...), a config dict, an Optimizer, or an
    optax ``GradientTransformation`` (wrapped with ``Optimizer.from_optax``).

    >>> type(get("rmsprop")).__name__
    'RMSprop'
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, optax.GradientTransformation):
        return OptaxOptimizer(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = NAMES.get(identifier.lower())
        if cls is None:
            raise ValueError(
                f"Could not interpret optimizer identifier: {identifier!r}. Valid names are: "
                f"{', '.join(sorted(NAMES))} (case-insensitive); or pass an Optimizer instance or an optax "
                "GradientTransformation."
            )
        return cls()
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r} (of type {type(identifier).__name__}). Pass a "
        "name such as 'adam', an Optimizer instance, or an optax GradientTransformation."
    )


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}`` for an optimizer.

    >>> import eagerkit as ek
    >>> ek.keras.optimizers.serialize(ek.keras.optimizers.SGD(learning_rate=0.5))
    {'class_name': 'SGD', 'config': {'name': 'sgd', 'learning_rate': 0.5, 'weight_decay': None, 'clipnorm': None,
     'global_clipnorm': None, 'clipvalue': None, 'momentum': 0.0, 'nesterov': False}}
    """
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Optimizer:
    """Inverse of :func:`serialize` (``custom_objects`` maps extra class names to classes).

    >>> import eagerkit as ek
    >>> opt = ek.keras.optimizers.deserialize({"class_name": "Adam", "config": {"learning_rate": 0.25}})
    >>> opt, float(opt.learning_rate.numpy())
    (<Adam name=adam>, 0.25)
    >>> config = ek.keras.optimizers.serialize(ek.keras.optimizers.SGD(momentum=0.9))
    >>> ek.keras.optimizers.deserialize(config).momentum
    0.9
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Cannot deserialize {config!r}: expected a dict with 'class_name' and 'config'.")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or CLASSES.get(name) or NAMES.get(str(name).lower())
    if cls is None:
        raise ValueError(
            f"Unknown optimizer class {name!r}. Known: {', '.join(sorted(CLASSES))}; pass others in `custom_objects`."
        )
    return cls.from_config(dict(config.get("config", {})), custom_objects)
