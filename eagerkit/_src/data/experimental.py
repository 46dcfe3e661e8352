"""``ek.data.experimental``: cardinality helpers (``tf.data.experimental``).

>>> from eagerkit.data import Dataset, experimental
>>> int(experimental.cardinality(Dataset.range(3).repeat())) == experimental.INFINITE_CARDINALITY
True
"""

from __future__ import annotations

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.data.dataset import Dataset
from eagerkit._src.data.options import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY


def cardinality(dataset: Dataset) -> Tensor:
    """``dataset.cardinality()``: an int64 Tensor; -1 infinite, -2 unknown.

    >>> import eagerkit as ek
    >>> ek.data.experimental.cardinality(ek.data.Dataset.range(10).batch(3))
    <tf.Tensor: shape=(), dtype=int64, numpy=4>
    >>> forever = ek.data.Dataset.range(10).repeat()
    >>> int(ek.data.experimental.cardinality(forever)) == ek.data.experimental.INFINITE_CARDINALITY
    True
    >>> filtered = ek.data.Dataset.range(10).filter(lambda x: x > 3)
    >>> int(ek.data.experimental.cardinality(filtered)) == ek.data.experimental.UNKNOWN_CARDINALITY
    True
    """
    return dataset.cardinality()


def assert_cardinality(expected_cardinality: int):
    """A transformation (for ``Dataset.apply``) checking the dataset's cardinality up front.

    >>> from eagerkit.data import Dataset, experimental
    >>> len(Dataset.range(3).apply(experimental.assert_cardinality(3)))
    3
    """

    def check(dataset: Dataset) -> Dataset:
        n = dataset._cardinality()
        if n != int(expected_cardinality):
            from eagerkit._src.core.errors import FailedPreconditionError

            raise FailedPreconditionError(
                None,
                "AssertCardinalityDataset",
                f"Input dataset was expected to contain {int(expected_cardinality)} elements but contained {n} "
                "(-1: infinite, -2: unknown).",
            )
        return dataset

    return check


__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "assert_cardinality", "cardinality"]
