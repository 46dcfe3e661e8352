"""Global Keras settings (``ek.keras.backend``): float type, epsilon, image layout, layer names.

Layer names are unique per session, counted per snake_case base name, exactly as Keras
does it (``dense``, ``dense_1``, ...). ``clear_session()`` resets the counters.

>>> from eagerkit._src.keras.engine import backend_config
>>> backend_config.clear_session()
>>> backend_config.unique_name("dense"), backend_config.unique_name("dense")
('dense', 'dense_1')
>>> backend_config.to_snake_case("GlobalAveragePooling2D")
'global_average_pooling2d'
"""

from __future__ import annotations

import re

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_name_counts: dict[str, int] = {}


def floatx() -> str:
    """The default float type of layer weights and computations (``'float32'``).

    >>> import eagerkit as ek
    >>> ek.keras.backend.floatx()
    'float32'
    """
    return _FLOATX


def set_floatx(value: str) -> None:
    """Sets the default float type: one of ``'float16'``, ``'bfloat16'``, ``'float32'``, ``'float64'``.

    >>> import eagerkit as ek
    >>> ek.keras.backend.set_floatx("float64")
    >>> ek.keras.layers.Dense(1)(ek.ones([1, 2])).dtype
    tf.float64
    >>> ek.keras.backend.set_floatx("float32")
    """
    global _FLOATX
    allowed = ("float16", "bfloat16", "float32", "float64")
    if value not in allowed:
        raise ValueError(f"Unknown `floatx` value: {value!r}. Expected one of {allowed}.")
    _FLOATX = str(value)


def epsilon() -> float:
    """The fuzz factor used in numeric expressions (``1e-7``).

    >>> import eagerkit as ek
    >>> ek.keras.backend.epsilon()
    1e-07
    """
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Sets the fuzz factor returned by :func:`epsilon`.

    >>> import eagerkit as ek
    >>> ek.keras.backend.set_epsilon(1e-5)
    >>> ek.keras.backend.epsilon()
    1e-05
    >>> ek.keras.backend.set_epsilon(1e-7)
    """
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    """The default image layout of conv/pooling layers: ``'channels_last'`` or ``'channels_first'``.

    >>> import eagerkit as ek
    >>> ek.keras.backend.image_data_format()
    'channels_last'
    """
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    """Sets the default image layout (``'channels_last'`` or ``'channels_first'``).

    >>> import eagerkit as ek
    >>> ek.keras.backend.set_image_data_format("channels_first")
    >>> ek.keras.layers.Conv2D(4, 3)(ek.ones([1, 3, 8, 8])).shape
    TensorShape([1, 4, 6, 6])
    >>> ek.keras.backend.set_image_data_format("channels_last")
    """
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
            f"Received: {data_format!r}"
        )
    _IMAGE_DATA_FORMAT = data_format


def standardize_data_format(data_format: str | None) -> str:
    """``None`` -> the global default; otherwise validated and lower-cased."""
    if data_format is None:
        return image_data_format()
    fmt = str(data_format).lower()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(
            "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
            f"Received: {data_format!r}"
        )
    return fmt


def to_snake_case(name: str) -> str:
    """``'GlobalAveragePooling2D'`` -> ``'global_average_pooling2d'`` (Keras' rule)."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    if insecure[0] != "_":
        return insecure
    return "private" + insecure


def unique_name(base: str) -> str:
    """``base`` the first time, then ``base_1``, ``base_2``, ... (per session)."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def clear_session() -> None:
    """Resets the layer-name counters (``tf.keras.backend.clear_session``).

    >>> import eagerkit as ek
    >>> ek.keras.backend.clear_session()
    >>> ek.keras.layers.Dense(1).name, ek.keras.layers.Dense(1).name
    ('dense', 'dense_1')
    >>> ek.keras.backend.clear_session()
    >>> ek.keras.layers.Dense(1).name
    'dense'
    """
    _name_counts.clear()
