"""Installs Python operators on Tensor and Variable, in terms of ops.

Done here (not in ``core``) so that the core types know nothing about the op catalogue.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from eagerkit._src.core import variable as _variable
from eagerkit._src.core.convert import to_array
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.variable import Variable
from eagerkit._src.ops import array_ops, math_ops


def _is_bool(x: Any) -> bool:
    return to_array(x).dtype == jnp.bool_


def _logical_or_bitwise(logical: Any, bitwise: Any) -> Any:
    def op(x: Any, y: Any) -> Any:
        return logical(x, y) if _is_bool(x) else bitwise(x, y)

    return op


def _shapes_incompatible(a: Any, b: Any) -> bool:
    try:
        np.broadcast_shapes(np.shape(to_array(a)), np.shape(to_array(b)))
    except (ValueError, TypeError):
        return True
    return False


def _eq(self: Any, other: Any) -> Any:
    """TF's ``==``: elementwise; ``False`` for None; a scalar False for incompatible shapes."""
    if other is None:
        return False
    try:
        return math_ops.equal(self, other)
    except InvalidArgumentError:
        if _shapes_incompatible(self, other):
            return Tensor(jnp.asarray(False))
        raise


def _ne(self: Any, other: Any) -> Any:
    """TF's ``!=``: elementwise; ``True`` for None; a scalar True for incompatible shapes."""
    if other is None:
        return True
    try:
        return math_ops.not_equal(self, other)
    except InvalidArgumentError:
        if _shapes_incompatible(self, other):
            return Tensor(jnp.asarray(True))
        raise


_and = _logical_or_bitwise(math_ops.logical_and, math_ops.bitwise_and)
_or = _logical_or_bitwise(math_ops.logical_or, math_ops.bitwise_or)
_xor = _logical_or_bitwise(math_ops.logical_xor, math_ops.bitwise_xor)

OPERATORS = {
    "__add__": lambda a, b: math_ops.add(a, b),
    "__radd__": lambda a, b: math_ops.add(b, a),
    "__sub__": lambda a, b: math_ops.subtract(a, b),
    "__rsub__": lambda a, b: math_ops.subtract(b, a),
    "__mul__": lambda a, b: math_ops.multiply(a, b),
    "__rmul__": lambda a, b: math_ops.multiply(b, a),
    "__truediv__": lambda a, b: math_ops.truediv(a, b),
    "__rtruediv__": lambda a, b: math_ops.truediv(b, a),
    "__floordiv__": lambda a, b: math_ops.floordiv(a, b),
    "__rfloordiv__": lambda a, b: math_ops.floordiv(b, a),
    "__mod__": lambda a, b: math_ops.floormod(a, b),
    "__rmod__": lambda a, b: math_ops.floormod(b, a),
    "__pow__": lambda a, b: math_ops.pow(a, b),
    "__rpow__": lambda a, b: math_ops.pow(b, a),
    "__matmul__": lambda a, b: math_ops.matmul(a, b),
    "__rmatmul__": lambda a, b: math_ops.matmul(b, a),
    "__neg__": lambda a: math_ops.negative(a),
    "__pos__": lambda a: a,
    "__abs__": lambda a: math_ops.abs(a),
    "__invert__": lambda a: math_ops.logical_not(a) if _is_bool(a) else math_ops.invert(a),
    "__and__": lambda a, b: _and(a, b),
    "__rand__": lambda a, b: _and(b, a),
    "__or__": lambda a, b: _or(a, b),
    "__ror__": lambda a, b: _or(b, a),
    "__xor__": lambda a, b: _xor(a, b),
    "__rxor__": lambda a, b: _xor(b, a),
    "__lt__": lambda a, b: math_ops.less(a, b),
    "__le__": lambda a, b: math_ops.less_equal(a, b),
    "__gt__": lambda a, b: math_ops.greater(a, b),
    "__ge__": lambda a, b: math_ops.greater_equal(a, b),
    "__eq__": _eq,
    "__ne__": _ne,
    "__getitem__": lambda a, k: array_ops.getitem(a, k),
}

for _cls in (Tensor, Variable):
    for _name, _fn in OPERATORS.items():
        setattr(_cls, _name, _fn)

_variable.set_read_hook(lambda var: array_ops.identity(var))
