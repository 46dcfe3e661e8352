"""Looking losses up by name (``ek.keras.losses.get``), and (de)serialising them.

Names are Keras': snake_case function names return the per-sample *function*
(``"mse"`` -> ``mean_squared_error``), CamelCase class names return a default-constructed
*instance*, as in ``tf.keras.losses.get``.

>>> from eagerkit._src.keras.losses.registry import get
>>> get("mse").__name__
'mean_squared_error'
>>> type(get("SparseCategoricalCrossentropy")).__name__
'SparseCategoricalCrossentropy'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eagerkit._src.keras.losses import hinge, probabilistic, regression
from eagerkit._src.keras.losses.loss import Loss, LossFunctionWrapper

CLASSES: dict[str, type[Loss]] = {
    cls.__name__: cls
    for cls in (
        Loss,
        LossFunctionWrapper,
        regression.MeanSquaredError,
        regression.MeanAbsoluteError,
        regression.MeanAbsolutePercentageError,
        regression.MeanSquaredLogarithmicError,
        regression.CosineSimilarity,
        regression.Huber,
        regression.LogCosh,
        probabilistic.BinaryCrossentropy,
        probabilistic.CategoricalCrossentropy,
        probabilistic.SparseCategoricalCrossentropy,
        probabilistic.KLDivergence,
        probabilistic.Poisson,
        hinge.Hinge,
        hinge.SquaredHinge,
        hinge.CategoricalHinge,
    )
}

FUNCTIONS: dict[str, Callable[..., Any]] = {
    fn.__name__: fn
    for fn in (
        regression.mean_squared_error,
        regression.mean_absolute_error,
        regression.mean_absolute_percentage_error,
        regression.mean_squared_logarithmic_error,
        regression.cosine_similarity,
        regression.huber,
        regression.log_cosh,
        probabilistic.binary_crossentropy,
        probabilistic.categorical_crossentropy,
        probabilistic.sparse_categorical_crossentropy,
        probabilistic.kl_divergence,
        probabilistic.poisson,
        hinge.hinge,
        hinge.squared_hinge,
        hinge.categorical_hinge,
    )
}

ALIASES: dict[str, str] = {
    "mse": "mean_squared_error",
    "MSE": "mean_squared_error",
    "mae": "mean_absolute_error",
    "MAE": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "MAPE": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "MSLE": "mean_squared_logarithmic_error",
    "kld": "kl_divergence",
    "KLD": "kl_divergence",
    "kullback_leibler_divergence": "kl_divergence",
    "logcosh": "log_cosh",
    "huber_loss": "huber",
}


def valid_names() -> list[str]:
    """Every string ``get`` accepts."""
    return sorted(set(CLASSES) - {"Loss", "LossFunctionWrapper"}) + sorted(set(FUNCTIONS) | set(ALIASES))


def get(identifier: Any) -> Any:
    """A loss from a name, a config dict, a Loss, or a callable (``tf.keras.losses.get``).

    >>> get("sparse_categorical_crossentropy").__name__
    'sparse_categorical_crossentropy'
    >>> get(None) is None
    True
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        name = ALIASES.get(identifier, identifier)
        if name in FUNCTIONS:
            return FUNCTIONS[name]
        if name in CLASSES and name not in ("Loss", "LossFunctionWrapper"):
            return CLASSES[name]()
        raise ValueError(
            f"Could not interpret loss identifier: {identifier!r}. Valid names are: {', '.join(valid_names())}; "
            "or pass a Loss instance or a callable `fn(y_true, y_pred)`."
        )
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret loss identifier: {identifier!r} (of type {type(identifier).__name__}). Pass a "
        "name such as 'sparse_categorical_crossentropy', a Loss instance, or a callable."
    )


def serialize(loss: Any) -> Any:
    """``{"class_name", "config"}`` for a Loss, the registered name for a built-in function.

    >>> serialize(regression.Huber(delta=2.0))
    {'class_name': 'Huber', 'config': {'name': 'huber_loss', 'reduction': 'sum_over_batch_size', 'delta': 2.0}}
    """
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    name = getattr(loss, "__name__", None)
    if name in FUNCTIONS and FUNCTIONS[name] is loss:
        return name
    raise ValueError(f"Cannot serialize {loss!r}: only Loss instances and built-in loss functions can be.")


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """Inverse of :func:`serialize` (``custom_objects`` maps extra class names to classes).

    >>> import eagerkit as ek
    >>> loss = ek.keras.losses.deserialize({"class_name": "MeanSquaredError", "config": {}})
    >>> loss([[0.0, 2.0]], [[1.0, 2.0]])
    <tf.Tensor: shape=(), dtype=float32, numpy=0.5>
    """
    if isinstance(config, str):
        if custom_objects and config in custom_objects:
            return custom_objects[config]
        return get(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Cannot deserialize {config!r}: expected a name or a dict with 'class_name' and 'config'.")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or CLASSES.get(name)
    if cls is None:
        raise ValueError(
            f"Unknown loss class {name!r}. Known classes: {', '.join(sorted(CLASSES))}; pass others in "
            "`custom_objects`."
        )
    return cls.from_config(dict(config.get("config", {})))
