"""Looking metrics up by name (``ek.keras.metrics.get``), and (de)serialising them.

As in ``tf.keras.metrics.get``, a string (snake_case function name, alias or class name)
returns a *new metric instance*; ``"acc"`` is accepted as ``"accuracy"``.

>>> from eagerkit._src.keras.metrics.registry import get
>>> get("sparse_categorical_accuracy")
<SparseCategoricalAccuracy name=sparse_categorical_accuracy>
>>> get("mse").name
'mean_squared_error'
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.keras.metrics import (
    accuracy_metrics,
    confusion_metrics,
    probabilistic_metrics,
    reduction_metrics,
    regression_metrics,
)
from eagerkit._src.keras.metrics.metric import Metric

_PUBLIC_CLASSES = (
    reduction_metrics.Sum,
    reduction_metrics.Mean,
    accuracy_metrics.Accuracy,
    accuracy_metrics.BinaryAccuracy,
    accuracy_metrics.CategoricalAccuracy,
    accuracy_metrics.SparseCategoricalAccuracy,
    accuracy_metrics.TopKCategoricalAccuracy,
    accuracy_metrics.SparseTopKCategoricalAccuracy,
    confusion_metrics.TruePositives,
    confusion_metrics.FalsePositives,
    confusion_metrics.TrueNegatives,
    confusion_metrics.FalseNegatives,
    confusion_metrics.Precision,
    confusion_metrics.Recall,
    confusion_metrics.AUC,
    regression_metrics.MeanSquaredError,
    regression_metrics.RootMeanSquaredError,
    regression_metrics.MeanAbsoluteError,
    regression_metrics.MeanAbsolutePercentageError,
    regression_metrics.MeanSquaredLogarithmicError,
    regression_metrics.CosineSimilarity,
    regression_metrics.LogCoshError,
    probabilistic_metrics.BinaryCrossentropy,
    probabilistic_metrics.CategoricalCrossentropy,
    probabilistic_metrics.SparseCategoricalCrossentropy,
    probabilistic_metrics.KLDivergence,
    probabilistic_metrics.Poisson,
    probabilistic_metrics.Hinge,
    probabilistic_metrics.SquaredHinge,
    probabilistic_metrics.CategoricalHinge,
)

CLASSES: dict[str, type[Metric]] = {
    cls.__name__: cls for cls in (Metric, reduction_metrics.MeanMetricWrapper) + _PUBLIC_CLASSES
}

#: snake_case names and aliases -> (class, constructor kwargs)
NAMES: dict[str, tuple[type[Metric], dict[str, Any]]] = {
    "sum": (reduction_metrics.Sum, {}),
    "mean": (reduction_metrics.Mean, {}),
    "accuracy": (accuracy_metrics.Accuracy, {}),
    "acc": (accuracy_metrics.Accuracy, {"name": "acc"}),
    "binary_accuracy": (accuracy_metrics.BinaryAccuracy, {}),
    "categorical_accuracy": (accuracy_metrics.CategoricalAccuracy, {}),
    "sparse_categorical_accuracy": (accuracy_metrics.SparseCategoricalAccuracy, {}),
    "top_k_categorical_accuracy": (accuracy_metrics.TopKCategoricalAccuracy, {}),
    "sparse_top_k_categorical_accuracy": (accuracy_metrics.SparseTopKCategoricalAccuracy, {}),
    "true_positives": (confusion_metrics.TruePositives, {}),
    "false_positives": (confusion_metrics.FalsePositives, {}),
    "true_negatives": (confusion_metrics.TrueNegatives, {}),
    "false_negatives": (confusion_metrics.FalseNegatives, {}),
    "precision": (confusion_metrics.Precision, {}),
    "recall": (confusion_metrics.Recall, {}),
    "auc": (confusion_metrics.AUC, {}),
    "mean_squared_error": (regression_metrics.MeanSquaredError, {}),
    "mse": (regression_metrics.MeanSquaredError, {}),
    "root_mean_squared_error": (regression_metrics.RootMeanSquaredError, {}),
    "mean_absolute_error": (regression_metrics.MeanAbsoluteError, {}),
    "mae": (regression_metrics.MeanAbsoluteError, {}),
    "mean_absolute_percentage_error": (regression_metrics.MeanAbsolutePercentageError, {}),
    "mape": (regression_metrics.MeanAbsolutePercentageError, {}),
    "mean_squared_logarithmic_error": (regression_metrics.MeanSquaredLogarithmicError, {}),
    "msle": (regression_metrics.MeanSquaredLogarithmicError, {}),
    "cosine_similarity": (regression_metrics.CosineSimilarity, {}),
    "logcosh": (regression_metrics.LogCoshError, {}),
    "log_cosh": (regression_metrics.LogCoshError, {}),
    "binary_crossentropy": (probabilistic_metrics.BinaryCrossentropy, {}),
    "bce": (probabilistic_metrics.BinaryCrossentropy, {}),
    "categorical_crossentropy": (probabilistic_metrics.CategoricalCrossentropy, {}),
    "sparse_categorical_crossentropy": (probabilistic_metrics.SparseCategoricalCrossentropy, {}),
    "kl_divergence": (probabilistic_metrics.KLDivergence, {}),
    "kld": (probabilistic_metrics.KLDivergence, {}),
    "kullback_leibler_divergence": (probabilistic_metrics.KLDivergence, {}),
    "poisson": (probabilistic_metrics.Poisson, {}),
    "hinge": (probabilistic_metrics.Hinge, {}),
    "squared_hinge": (probabilistic_metrics.SquaredHinge, {}),
    "categorical_hinge": (probabilistic_metrics.CategoricalHinge, {}),
}
for _upper in ("MSE", "MAE", "MAPE", "MSLE", "KLD"):
    NAMES[_upper] = NAMES[_upper.lower()]


def valid_names() -> list[str]:
    """Every string ``get`` accepts."""
    return sorted(NAMES) + sorted(cls.__name__ for cls in _PUBLIC_CLASSES)


def get(identifier: Any) -> Any:
    """A metric from a name, a config dict, a Metric or a callable (``tf.keras.metrics.get``).

    >>> get("acc").name
    'acc'
    >>> get(None) is None
    True
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier in NAMES:
            cls, kwargs = NAMES[identifier]
            return cls(**kwargs)
        cls = CLASSES.get(identifier)
        if cls is not None and cls in _PUBLIC_CLASSES:
            return cls()
        raise ValueError(
            f"Could not interpret metric identifier: {identifier!r}. Valid names are: {', '.join(valid_names())}; "
            "or pass a Metric instance or a callable `fn(y_true, y_pred)`."
        )
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret metric identifier: {identifier!r} (of type {type(identifier).__name__}). Pass a "
        "name such as 'accuracy', a Metric instance, or a callable."
    )


def serialize(metric: Metric) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}`` for a metric.

    >>> serialize(accuracy_metrics.BinaryAccuracy(threshold=0.7))
    {'class_name': 'BinaryAccuracy', 'config': {'name': 'binary_accuracy', 'dtype': 'float32', 'threshold': 0.7}}
    """
    if not isinstance(metric, Metric):
        raise ValueError(f"Cannot serialize {metric!r}: only Metric instances can be.")
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """Inverse of :func:`serialize` (``custom_objects`` maps extra class names to classes).

    >>> import eagerkit as ek
    >>> m = ek.keras.metrics.deserialize({"class_name": "Mean", "config": {"name": "avg"}})
    >>> m.name, type(m).__name__
    ('avg', 'Mean')
    """
    if isinstance(config, str):
        return get(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Cannot deserialize {config!r}: expected a name or a dict with 'class_name' and 'config'.")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or CLASSES.get(name)
    if cls is None:
        raise ValueError(
            f"Unknown metric class {name!r}. Known classes: {', '.join(sorted(CLASSES))}; pass others in "
            "`custom_objects`."
        )
    return cls.from_config(dict(config.get("config", {})))
