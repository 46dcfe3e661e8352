"""Image-classification datasets stored as four IDX files (MNIST, Fashion-MNIST).

>>> from eagerkit._src.datasets.idx_dataset import FASHION_MNIST
>>> FASHION_MNIST.train_images.name
'train-images-idx3-ubyte.gz'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eagerkit._src.datasets import files
from eagerkit._src.datasets.files import RemoteFile
from eagerkit._src.datasets.idx import read_idx

Split = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class IdxDataset:
    """A dataset of uint8 images ``(N, H, W)`` and uint8 labels ``(N,)`` in IDX files."""

    name: str
    base_url: str
    train_images: RemoteFile
    train_labels: RemoteFile
    test_images: RemoteFile
    test_labels: RemoteFile

    def load_split(self, split: str, base_url: str | None = None) -> Split:
        """``(images, labels)`` of the ``"train"`` or ``"test"`` split."""
        images_file, labels_file = (
            (self.train_images, self.train_labels) if split == "train" else (self.test_images, self.test_labels)
        )
        images_path = files.fetch(self.name, images_file, self.base_url, base_url)
        labels_path = files.fetch(self.name, labels_file, self.base_url, base_url)
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"{self.name} {split} files do not fit together: images {images.shape} ({images_path}), labels "
                f"{labels.shape} ({labels_path}). Replace them with the original files."
            )
        return images.astype(np.uint8, copy=False), labels.astype(np.uint8, copy=False)

    def load(self, base_url: str | None = None) -> tuple[Split, Split]:
        """``((x_train, y_train), (x_test, y_test))``."""
        return self.load_split("train", base_url), self.load_split("test", base_url)


MNIST = IdxDataset(
    name="mnist",
    base_url="https://storage.googleapis.com/cvdf-datasets/mnist/",
    train_images=RemoteFile(
        "train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
    ),
    train_labels=RemoteFile(
        "train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
    ),
    test_images=RemoteFile(
        "t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
    ),
    test_labels=RemoteFile(
        "t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
    ),
)

#: The canonical Zalando files; ``also_accepted`` are the same data as shipped (recompressed)
#: by Debian's ``dataset-fashion-mnist`` package.
FASHION_MNIST = IdxDataset(
    name="fashion-mnist",
    base_url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    train_images=RemoteFile(
        "train-images-idx3-ubyte.gz",
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        ("b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",),
    ),
    train_labels=RemoteFile(
        "train-labels-idx1-ubyte.gz",
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        ("0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",),
    ),
    test_images=RemoteFile(
        "t10k-images-idx3-ubyte.gz",
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        ("cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",),
    ),
    test_labels=RemoteFile(
        "t10k-labels-idx1-ubyte.gz",
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        ("8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",),
    ),
)
