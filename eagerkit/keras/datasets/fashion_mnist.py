"""``ek.keras.datasets.fashion_mnist`` (mirrors ``tf.keras.datasets.fashion_mnist``)."""

from eagerkit._src.datasets.fashion_mnist import CLASS_NAMES, load_data  # noqa: F401
