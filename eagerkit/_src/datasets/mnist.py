"""MNIST: ``load_data`` with Keras' return values, plus an explicit test-split-only mode.

Lookup: Keras' ``mnist.npz`` or the four original IDX ``.gz`` files in
``$EAGERKIT_DATASETS/mnist/`` or the cache, else a download of the IDX files (see
``files``). Machines that only have the official 10,000-image test split can
``load_test_split()``, or ask ``load_data(allow_test_split_only=True)`` to split it.

>>> from eagerkit._src.datasets.mnist import TEST_SPLIT_TRAIN_SIZE
>>> TEST_SPLIT_TRAIN_SIZE
8000
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from eagerkit._src.datasets import files
from eagerkit._src.datasets.errors import DatasetDownloadError
from eagerkit._src.datasets.files import RemoteFile
from eagerkit._src.datasets.idx_dataset import MNIST, Split

NPZ = RemoteFile("mnist.npz", "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")
#: With ``allow_test_split_only=True``: how many of the 10,000 test images become "train".
TEST_SPLIT_TRAIN_SIZE = 8000
_TEST_SPLIT_SEED = 0


def _load_npz(path: str) -> tuple[Split, Split] | None:
    local = files.find_local("mnist", RemoteFile(os.path.basename(path), NPZ.sha256))
    if local is None:
        return None
    with np.load(local, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def load_test_split(base_url: str | None = None) -> Split:
    """The official MNIST test split: uint8 images ``(10000, 28, 28)`` and labels ``(10000,)``.

    >>> import eagerkit as ek
    >>> x_test, y_test = ek.keras.datasets.mnist.load_test_split()  # doctest: +SKIP
    >>> x_test.shape, y_test.shape  # doctest: +SKIP
    ((10000, 28, 28), (10000,))
    """
    return MNIST.load_split("test", base_url)


def load_data(
    path: str = "mnist.npz", *, allow_test_split_only: bool = False, base_url: str | None = None
) -> tuple[Split, Split]:
    """``(x_train, y_train), (x_test, y_test)``: uint8 ``(N, 28, 28)`` images, uint8 labels.

    Args:
      path: name of a Keras ``mnist.npz`` to use if one is in ``$EAGERKIT_DATASETS/mnist/``
        or the cache (as in Keras).
      allow_test_split_only: when the 60,000 training images cannot be found or
        downloaded but the 10,000 test images can, split the test images instead (a fixed
        shuffle: 8,000 "train", 2,000 "test") and warn. Off by default: results on that
        split are not comparable to MNIST results.
      base_url: download from ``<base_url><file>`` instead of the canonical URL.

    Needs the files (or a network connection), so the example is not run as a test:

    >>> import eagerkit as ek
    >>> (x_train, y_train), (x_test, y_test) = ek.keras.datasets.mnist.load_data()  # doctest: +SKIP
    >>> x_train.shape, y_train.shape, x_test.shape  # doctest: +SKIP
    ((60000, 28, 28), (60000,), (10000, 28, 28))
    """
    npz = _load_npz(path)
    if npz is not None:
        return npz
    test = load_test_split(base_url)
    try:
        train = MNIST.load_split("train", base_url)
    except DatasetDownloadError as e:
        if not allow_test_split_only:
            raise DatasetDownloadError(
                "MNIST's training files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz) are not "
                f"available, only the 10,000-image test split is. {e} Alternatively call "
                "mnist.load_data(allow_test_split_only=True) to train and evaluate on a split of the test "
                "images, or mnist.load_test_split() to get them alone."
            ) from None
        warnings.warn(
            "MNIST training files are unavailable; using a split of the 10,000 official test images "
            f"({TEST_SPLIT_TRAIN_SIZE} for training, {10000 - TEST_SPLIT_TRAIN_SIZE} for testing).",
            stacklevel=2,
        )
        x, y = test
        order = np.random.default_rng(_TEST_SPLIT_SEED).permutation(len(x))
        tr, te = order[:TEST_SPLIT_TRAIN_SIZE], order[TEST_SPLIT_TRAIN_SIZE:]
        return (x[tr], y[tr]), (x[te], y[te])
    return train, test
