"""Nested structures the way ``tf.nest`` sees them.

Lists, tuples, namedtuples and dicts (in sorted-key order) are structure; everything
else, ``None`` included, is a leaf.

>>> from eagerkit._src.util import nest
>>> nest.flatten({"b": [1, 2], "a": (3, None)})
[3, None, 1, 2]
>>> nest.pack_sequence_as([0, (0, 0)], [1, 2, 3])
[1, (2, 3)]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def is_nested(x: Any) -> bool:
    return isinstance(x, (list, tuple, Mapping))


def _sorted_keys(d: Mapping) -> list:
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def flatten(structure: Any, expand_composites: bool = False) -> list:
    """The leaves of ``structure`` in TF's order."""
    out: list = []
    _flatten_into(structure, out)
    return out


def _flatten_into(x: Any, out: list) -> None:
    if isinstance(x, Mapping):
        for k in _sorted_keys(x):
            _flatten_into(x[k], out)
    elif isinstance(x, (list, tuple)):
        for v in x:
            _flatten_into(v, out)
    else:
        out.append(x)


def pack_sequence_as(structure: Any, flat_sequence: Any, expand_composites: bool = False) -> Any:
    """Rebuilds ``structure`` with leaves taken in order from ``flat_sequence``."""
    flat = list(flat_sequence)
    n = len(flatten(structure))
    if n != len(flat):
        raise ValueError(f"Could not pack sequence. Structure had {n} atoms, but flat_sequence had {len(flat)} items.")
    it = iter(flat)
    return _pack(structure, it)


def _pack(x: Any, it: Any) -> Any:
    if isinstance(x, Mapping):
        values = {k: _pack(x[k], it) for k in _sorted_keys(x)}
        return type(x)((k, values[k]) for k in x) if type(x) is not dict else {k: values[k] for k in x}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*[_pack(v, it) for v in x])
    if isinstance(x, (list, tuple)):
        return type(x)(_pack(v, it) for v in x)
    return next(it)


def map_structure(fn: Callable, *structures: Any) -> Any:
    """Applies ``fn`` leaf-wise over structures of the same shape."""
    if not structures:
        raise ValueError("map_structure needs at least one structure")
    flats = [flatten(s) for s in structures]
    for f in flats[1:]:
        if len(f) != len(flats[0]):
            raise ValueError("The structures passed to map_structure do not have the same number of elements.")
    return pack_sequence_as(structures[0], [fn(*xs) for xs in zip(*flats)])


def assert_same_structure(a: Any, b: Any, check_types: bool = True) -> None:
    if _shape_of(a, check_types) != _shape_of(b, check_types):
        raise ValueError(f"The two structures don't have the same nested structure: {a!r} vs {b!r}")


def _shape_of(x: Any, check_types: bool) -> Any:
    if isinstance(x, Mapping):
        return ("dict", tuple((k, _shape_of(x[k], check_types)) for k in _sorted_keys(x)))
    if isinstance(x, (list, tuple)):
        tag = type(x).__name__ if check_types else "seq"
        return (tag, tuple(_shape_of(v, check_types) for v in x))
    return None
