"""``and``, ``or`` and ``not`` in converted code.

Python values keep Python semantics (short-circuit, operand values returned). A
symbolic operand makes the result a bool tensor, as in TF: ``ek.logical_and`` /
``ek.logical_or`` / ``ek.logical_not`` (numbers are compared with 0). The right operands
arrive as ``lambda``s and are evaluated only when Python semantics needs them; once an
operand is symbolic every later operand is traced too (graph mode has no short-circuit
for values computed in the same program - both sides are cheap pure computations).

>>> import eagerkit as ek
>>> from eagerkit._src.autograph.logical import and_, not_, or_
>>> and_(0, lambda: 1 / 0), or_(0, lambda: 5), not_([])
(0, 5, True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp

from eagerkit._src.autograph import staging
from eagerkit._src.core.tensor import Tensor


def _combine(jnp_op: Callable, left: Any, right: Any) -> Tensor:
    a = staging.bool_scalar_or_array(left)
    b = staging.bool_scalar_or_array(right)
    return Tensor(jnp_op(a, b))


def and_(first: Any, *rest: Callable[[], Any]) -> Any:
    """``first and rest[0]() and ...``."""
    value = first
    for thunk in rest:
        if staging.is_symbolic(value):
            value = _combine(jnp.logical_and, value, thunk())
        elif not value:
            return value
        else:
            value = thunk()
    return value


def or_(first: Any, *rest: Callable[[], Any]) -> Any:
    """``first or rest[0]() or ...``."""
    value = first
    for thunk in rest:
        if staging.is_symbolic(value):
            value = _combine(jnp.logical_or, value, thunk())
        elif value:
            return value
        else:
            value = thunk()
    return value


def not_(value: Any) -> Any:
    """``not value``."""
    if staging.is_symbolic(value):
        return Tensor(jnp.logical_not(staging.bool_scalar_or_array(value)))
    return not value
