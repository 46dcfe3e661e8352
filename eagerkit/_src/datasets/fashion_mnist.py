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
    """
    return FASHION_MNIST.load(base_url)
