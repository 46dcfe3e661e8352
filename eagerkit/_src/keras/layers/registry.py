"""Layer (de)serialization: ``{"class_name": ..., "config": ...}`` <-> layer objects.

Names resolve through ``custom_objects``, registered objects, the built-in layers and
models, and finally any Layer subclass defined in the program (by class name).

>>> import eagerkit as ek
>>> from eagerkit._src.keras.layers import registry
>>> config = registry.serialize(ek.keras.layers.Dense(3, name="d"))
>>> config["class_name"], config["config"]["units"]
('Dense', 3)
>>> registry.deserialize(config).units
3
"""

from __future__ import annotations

import functools
from typing import Any

from eagerkit._src.keras.engine import layer as _layer
from eagerkit._src.keras.engine import serialization


@functools.lru_cache(maxsize=1)
def builtin_layers() -> dict[str, type]:
    """Every built-in layer and model class by name."""
    from eagerkit._src.keras.engine import functional, input_layer, model, op_layer, sequential
    from eagerkit._src.keras.layers import (
        activation,
        attention,
        convolutional,
        core,
        merging,
        normalization,
        pooling,
        preprocessing,
        recurrent,
        reshaping,
    )

    table: dict[str, type] = {}
    modules = (activation, attention, convolutional, core, merging, normalization, pooling, preprocessing, recurrent)
    for module in modules + (reshaping, input_layer, op_layer):
        for name, obj in vars(module).items():
            if isinstance(obj, type) and issubclass(obj, _layer.Layer) and not name.startswith("_"):
                table.setdefault(obj.__name__, obj)
    table["Layer"] = _layer.Layer
    table["Model"] = model.Model
    table["Functional"] = functional.Functional
    table["Sequential"] = sequential.Sequential
    return table


def serialize(layer: Any) -> dict[str, Any]:
    """``{"class_name": ..., "config": layer.get_config()}``.

    >>> import eagerkit as ek
    >>> config = ek.keras.layers.serialize(ek.keras.layers.Dense(3, name="d"))
    >>> config["class_name"], config["config"]["units"]
    ('Dense', 3)
    """
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Any:
    """Builds a layer (or model) from :func:`serialize`'s output.

    >>> import eagerkit as ek
    >>> config = ek.keras.layers.serialize(ek.keras.layers.Dense(3, activation="relu"))
    >>> layer = ek.keras.layers.deserialize(config)
    >>> type(layer).__name__, layer.units, layer.activation.__name__
    ('Dense', 3, 'relu')
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Improper layer config {config!r}: expected a dict with 'class_name' and 'config'.")
    table = {**_layer._SUBCLASSES, **builtin_layers()}
    cls = serialization.lookup(config["class_name"], table, "layer", custom_objects)
    inner = config.get("config") or {}
    from_config = cls.from_config
    try:
        return from_config(inner, custom_objects=custom_objects)
    except TypeError as e:
        if "custom_objects" not in str(e):
            raise
    return from_config(inner)
