"""Constants shared by the data pipeline (``ek.data.AUTOTUNE``, cardinality sentinels).

>>> from eagerkit._src.data import options
>>> options.INFINITE_CARDINALITY, options.UNKNOWN_CARDINALITY, options.AUTOTUNE
(-1, -2, -1)
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: ``Dataset.cardinality()`` of a dataset that never ends (``tf.data.INFINITE_CARDINALITY``).
INFINITE_CARDINALITY = -1
#: ``Dataset.cardinality()`` when the length cannot be known without iterating.
UNKNOWN_CARDINALITY = -2
#: Lets eagerkit pick a buffer size / parallelism (``tf.data.AUTOTUNE``).
AUTOTUNE = -1

#: Buffer size used for ``prefetch(AUTOTUNE)``.
AUTOTUNE_PREFETCH = 2


def as_int(value: Any, what: str) -> int:
    """A Python int from an int, NumPy integer or integer Tensor argument."""
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - report the argument, whatever it was
        raise TypeError(f"`{what}` must be an integer, got {value!r}.") from None
    if arr.ndim != 0 or arr.dtype.kind not in "iub":
        raise TypeError(f"`{what}` must be a scalar integer, got {value!r}.")
    return int(arr)
