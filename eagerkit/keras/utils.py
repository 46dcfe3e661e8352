"""``ek.keras.utils``: progress bars, plotting and serialization helpers (mirrors ``tf.keras.utils``)."""

from eagerkit._src.keras.engine.serialization import (  # noqa: F401
    custom_object_scope,
    get_registered_object,
    register_keras_serializable,
)
from eagerkit._src.keras.training.data_adapter import unpack_x_y_sample_weight  # noqa: F401
from eagerkit._src.keras.training.plotting import plot_history  # noqa: F401
from eagerkit._src.keras.training.progbar import Progbar  # noqa: F401
