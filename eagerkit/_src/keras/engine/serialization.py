"""Turning Keras objects (layers, initializers, activations, ...) into configs and back.

A serialized object is ``{"class_name": ..., "config": {...}}`` (or a plain name for
functions such as activations), the format of ``tf.keras``. Names are resolved in
this order: ``custom_objects`` passed to the call, objects registered with
:func:`register_keras_serializable` or in an active :func:`custom_object_scope`, then the
built-in table of the kind being deserialized.

>>> from eagerkit._src.keras.engine import serialization
>>> serialization.lookup("relu", {"relu": abs}, "activation function") is abs
True
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Callable, Iterator
from typing import Any

_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable[[Any], Any]:
    """Decorator registering a class or function so configs naming it can be deserialized.

    >>> @register_keras_serializable()
    ... class MyThing:
    ...     pass
    >>> get_registered_object("MyThing") is MyThing
    True
    """

    def decorator(obj: Any) -> Any:
        key = name or obj.__name__
        _GLOBAL_CUSTOM_OBJECTS[key] = obj
        _GLOBAL_CUSTOM_OBJECTS[f"{package}>{key}"] = obj
        return obj

    return decorator


@contextlib.contextmanager
def custom_object_scope(*scopes: dict[str, Any]) -> Iterator[None]:
    """Makes the given ``{name: object}`` dicts visible to deserialization inside the block.

    >>> import eagerkit as ek
    >>> def my_act(x):
    ...     return x * 2.0
    >>> with ek.keras.utils.custom_object_scope({"my_act": my_act}):
    ...     layer = ek.keras.layers.deserialize({"class_name": "Dense", "config": {"units": 1, "activation": "my_act"}})
    >>> layer.activation is my_act
    True
    """
    saved = dict(_GLOBAL_CUSTOM_OBJECTS)
    for scope in scopes:
        _GLOBAL_CUSTOM_OBJECTS.update(scope or {})
    try:
        yield
    finally:
        _GLOBAL_CUSTOM_OBJECTS.clear()
        _GLOBAL_CUSTOM_OBJECTS.update(saved)


def get_registered_object(name: str, custom_objects: dict[str, Any] | None = None) -> Any:
    """The object registered (or passed in ``custom_objects``) under ``name``, else None.

    >>> import eagerkit as ek
    >>> @ek.keras.utils.register_keras_serializable(package="Docs")
    ... def twice(x):
    ...     return x * 2.0
    >>> ek.keras.utils.get_registered_object("Docs>twice") is twice
    True
    >>> ek.keras.utils.get_registered_object("no_such_name") is None
    True
    """
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return _GLOBAL_CUSTOM_OBJECTS.get(name)


def _did_you_mean(name: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def lookup(name: str, table: dict[str, Any], kind: str, custom_objects: dict[str, Any] | None = None) -> Any:
    """Resolves ``name`` through custom objects then ``table``; raises listing the valid names."""
    found = get_registered_object(name, custom_objects)
    if found is not None:
        return found
    if name in table:
        return table[name]
    valid = sorted(table)
    raise ValueError(
        f"Could not interpret {kind} identifier: {name!r}.{_did_you_mean(name, valid)} "
        f"Valid names are: {', '.join(valid)}. For a custom object, pass it directly or through "
        "`custom_objects={'name': obj}`."
    )


def serialize_object(obj: Any) -> Any:
    """``{"class_name", "config"}`` for configurable objects, the name for plain functions."""
    if obj is None:
        return None
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    name = getattr(obj, "__name__", None)
    if name is not None:
        return name
    raise ValueError(f"Cannot serialize {obj!r}: it has no get_config() method and no __name__.")


def deserialize_object(
    config: Any, table: dict[str, Any], kind: str, custom_objects: dict[str, Any] | None = None
) -> Any:
    """Inverse of :func:`serialize_object` for objects of one kind (``table`` maps names to objects)."""
    if config is None:
        return None
    if isinstance(config, str):
        return lookup(config, table, kind, custom_objects)
    if isinstance(config, dict):
        if "class_name" not in config or "config" not in config:
            raise ValueError(f"Improper config format for {kind}: {config!r}. Expected keys 'class_name' and 'config'.")
        cls = lookup(config["class_name"], table, kind, custom_objects)
        inner = config["config"] or {}
        if hasattr(cls, "from_config"):
            return cls.from_config(inner)
        if callable(cls):
            return cls
        raise ValueError(f"{kind} {config['class_name']!r} cannot be built from a config.")
    raise ValueError(f"Could not interpret serialized {kind}: {config!r}")
