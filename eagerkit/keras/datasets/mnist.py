"""``ek.keras.datasets.mnist`` (mirrors ``tf.keras.datasets.mnist``)."""

from eagerkit._src.datasets.mnist import TEST_SPLIT_TRAIN_SIZE, load_data, load_test_split  # noqa: F401
