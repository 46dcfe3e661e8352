"""``ek.keras``: layers, models, the functional API and training tools (mirrors ``tf.keras``).

>>> import eagerkit as ek
>>> model = ek.keras.Sequential([ek.keras.layers.Dense(2, input_shape=(3,))])
>>> model.count_params()
8
"""

from eagerkit.keras import (  # noqa: F401
    activations,
    backend,
    callbacks,
    constraints,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    utils,
)
from eagerkit._src.keras.engine.input_layer import Input  # noqa: F401
from eagerkit._src.keras.engine.keras_tensor import KerasTensor  # noqa: F401
from eagerkit._src.keras.engine.model import Model  # noqa: F401
from eagerkit._src.keras.engine.sequential import Sequential  # noqa: F401
