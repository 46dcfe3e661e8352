"""``ek.keras.models``: model classes and model utilities (mirrors ``tf.keras.models``)."""

from eagerkit._src.keras.engine.cloning import clone_model  # noqa: F401
from eagerkit._src.keras.engine.model import Model  # noqa: F401
from eagerkit._src.keras.engine.sequential import Sequential  # noqa: F401
from eagerkit._src.keras.layers.registry import deserialize as model_from_config  # noqa: F401
from eagerkit._src.keras.training.saving import load_model, save_model  # noqa: F401
