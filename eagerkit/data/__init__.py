"""``ek.data``: input pipelines (mirrors ``tf.data``).

>>> from eagerkit.data import Dataset
>>> [b.numpy().tolist() for b in Dataset.range(5).batch(2)]
[[0, 1], [2, 3], [4]]
"""

from eagerkit._src.data.dataset import Dataset, DatasetIterator as Iterator  # noqa: F401
from eagerkit._src.data.options import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY  # noqa: F401
from eagerkit.data import experimental  # noqa: F401

__all__ = ["AUTOTUNE", "Dataset", "INFINITE_CARDINALITY", "Iterator", "UNKNOWN_CARDINALITY", "experimental"]
