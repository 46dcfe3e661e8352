"""Fashion-MNIST: ``load_data`` with Keras' return values.

>>> from eagerkit._src.datasets.fashion_mnist import CLASS_NAMES
>>> CLASS_NAMES[9]
'Ankle boot'
"""

from __future__ import annotations

from eagerkit._src.datasets.idx_dataset import FASHION_MNIST, Split

CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def load_data(*, base_url: str | None = None) -> tuple[Split, Split]:
    """``(x_train, y_train), (x_test, y_test)``: uint8 ``(N, 28, 28)`` images, uint8 labels 0-9.

    Files come from ``$EAGERKIT_DATASETS/fashion-mnist/``, the cache, or a download
    (from ``base_url`` when given).

    >>> import eagerkit as ek
    >>> (x_train, y_train), (x_test, y_test) = ek.keras.datasets.fashion_mnist.load_data()  # doctest: +SKIP
    >>> x_train.shape, y_train.shape, x_test.shape, x_train.dtype  # doctest: +SKIP
    ((60000, 28, 28), (60000,), (10000, 28, 28), dtype('uint8'))
    """
    return FASHION_MNIST.load(base_url)
