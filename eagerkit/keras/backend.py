"""``ek.keras.backend``: global Keras settings (mirrors the parts of ``tf.keras.backend`` that apply)."""

from eagerkit._src.keras.engine.backend_config import (  # noqa: F401
    clear_session,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)
from eagerkit._src.keras.engine.keras_tensor import is_keras_tensor  # noqa: F401
