"""Probabilistic metrics: the mean crossentropy / KL divergence / Poisson / hinge losses of
everything seen so far (the loss kernels of ``ek.keras.losses`` fused with the mean update).

>>> import eagerkit as ek
>>> m = SparseCategoricalCrossentropy(from_logits=True)
>>> round(float(m(ek.constant([0], ek.int64), [[0.0, 0.0]])), 4)
0.6931
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.keras.losses import hinge, probabilistic
from eagerkit._src.keras.metrics.reduction_metrics import MeanMetricWrapper


class BinaryCrossentropy(MeanMetricWrapper):
    """Mean binary crossentropy (``tf.keras.metrics.BinaryCrossentropy``).

    >>> round(float(BinaryCrossentropy()([[0.0, 1.0]], [[0.5, 0.5]])), 4)
    0.6931
    """

    def __init__(
        self, name: str = "binary_crossentropy", dtype: Any = None, from_logits: bool = False, label_smoothing=0
    ) -> None:
        super().__init__(
            probabilistic.binary_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=bool(from_logits),
            label_smoothing=float(label_smoothing),
        )
        self.from_logits = bool(from_logits)
        self.label_smoothing = label_smoothing

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
        }


class CategoricalCrossentropy(MeanMetricWrapper):
    """Mean categorical crossentropy for one-hot targets (``tf.keras.metrics.CategoricalCrossentropy``).

    >>> round(float(CategoricalCrossentropy()([[0.0, 1.0]], [[0.5, 0.5]])), 4)
    0.6931
    """

    def __init__(
        self,
        name: str = "categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing=0,
        axis: int = -1,
    ) -> None:
        super().__init__(
            probabilistic.categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=bool(from_logits),
            label_smoothing=float(label_smoothing),
            axis=int(axis),
        )
        self.from_logits = bool(from_logits)
        self.label_smoothing = label_smoothing
        self.axis = int(axis)

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Mean crossentropy for integer labels (``tf.keras.metrics.SparseCategoricalCrossentropy``).

    Labels outside ``[0, num_classes)`` raise ``InvalidArgumentError`` eagerly.

    >>> round(float(SparseCategoricalCrossentropy()([1], [[0.5, 0.5]])), 4)
    0.6931
    """

    def __init__(
        self,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        ignore_class: int | None = None,
        axis: int = -1,
    ) -> None:
        super().__init__(
            probabilistic.sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=bool(from_logits),
            ignore_class=ignore_class,
            axis=int(axis),
        )
        self.from_logits = bool(from_logits)
        self.ignore_class = ignore_class
        self.axis = int(axis)

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
            "axis": self.axis,
        }


class KLDivergence(MeanMetricWrapper):
    """Mean Kullback-Leibler divergence (``tf.keras.metrics.KLDivergence``).

    >>> round(float(KLDivergence()([[0.5, 0.5]], [[0.25, 0.75]])), 4)
    0.1438
    """

    def __init__(self, name: str = "kl_divergence", dtype: Any = None) -> None:
        super().__init__(probabilistic.kl_divergence, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class Poisson(MeanMetricWrapper):
    """Mean Poisson loss (``tf.keras.metrics.Poisson``).

    >>> round(float(Poisson()([[1.0]], [[1.0]])), 4)
    1.0
    """

    def __init__(self, name: str = "poisson", dtype: Any = None) -> None:
        super().__init__(probabilistic.poisson, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class Hinge(MeanMetricWrapper):
    """Mean hinge loss (``tf.keras.metrics.Hinge``).

    >>> Hinge()([[1.0, 0.0]], [[0.5, -2.0]]).numpy()
    np.float32(0.25)
    """

    def __init__(self, name: str = "hinge", dtype: Any = None) -> None:
        super().__init__(hinge.hinge, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class SquaredHinge(MeanMetricWrapper):
    """Mean squared hinge loss (``tf.keras.metrics.SquaredHinge``).

    >>> SquaredHinge()([[1.0, 0.0]], [[0.5, -2.0]]).numpy()
    np.float32(0.125)
    """

    def __init__(self, name: str = "squared_hinge", dtype: Any = None) -> None:
        super().__init__(hinge.squared_hinge, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class CategoricalHinge(MeanMetricWrapper):
    """Mean categorical hinge loss (``tf.keras.metrics.CategoricalHinge``).

    >>> CategoricalHinge()([[0.0, 1.0]], [[0.3, 0.8]]).numpy()
    np.float32(0.5)
    """

    def __init__(self, name: str = "categorical_hinge", dtype: Any = None) -> None:
        super().__init__(hinge.categorical_hinge, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}
