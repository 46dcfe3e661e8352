"""``ek.keras.datasets`` (mirrors ``tf.keras.datasets``): MNIST and Fashion-MNIST.

Files are read from ``$EAGERKIT_DATASETS/<name>/`` when present (``mnist/``,
``fashion-mnist/``, original IDX ``.gz`` files), else from the cache
``$EAGERKIT_HOME/datasets`` (default ``~/.eagerkit/datasets``), else downloaded there
and verified by SHA-256.
"""

from eagerkit.keras.datasets import fashion_mnist, mnist  # noqa: F401
from eagerkit._src.datasets.errors import ChecksumMismatchError, DatasetDownloadError, DatasetError  # noqa: F401
