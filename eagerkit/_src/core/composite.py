"""Composite values: objects made of several arrays that ``ek.function`` passes through.

TF calls these ``CompositeTensor``s (``tf.nest.flatten(..., expand_composites=True)``). An
``ek.function`` argument or result that is a :class:`CompositeTensor` contributes its
component arrays as tensor inputs/outputs of the compiled program and its static part to
the trace cache key, and is rebuilt from the (traced or computed) components on the other
side. ``ek.distribute``'s per-replica values are composites, so a distributed batch can be
passed into a compiled step without retracing each time.

>>> import jax.numpy as jnp
>>> class Pair(CompositeTensor):
...     def __init__(self, a, b):
...         self.a, self.b = a, b
...     def _ek_components(self):
...         return [self.a, self.b]
...     def _ek_static(self):
...         return "pair"
...     def _ek_rebuild(self, components):
...         return Pair(*components)
>>> p = Pair(jnp.ones(2), jnp.zeros(2))._ek_rebuild([jnp.zeros(1), jnp.ones(1)])
>>> p.a.shape
(1,)
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any


class CompositeTensor:
    """Base class of values made of several arrays (see the module docstring)."""

    def _ek_components(self) -> list[Any]:
        """The component arrays (``jax.Array`` or traced values)."""
        raise NotImplementedError

    def _ek_static(self) -> Hashable:
        """The static part: equal static parts mean the same compiled program can be reused."""
        raise NotImplementedError

    def _ek_rebuild(self, components: list[Any]) -> CompositeTensor:
        """A value of the same kind and static part built from new components."""
        raise NotImplementedError
