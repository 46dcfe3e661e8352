"""What staged (graph) control flow needs to know about values, shared by ``if`` and loops.

* ``is_symbolic``: the dispatch rule. A tensor whose value is only known when the
  compiled function runs (a tracer, or a variable's proxy while tracing) makes an
  ``if``/``while`` graph control flow; anything else keeps Python semantics.
* ``kind``: how a variable's value can flow through graph control flow - as tensors
  (Tensors, arrays and Python numbers, alone or in lists/tuples/dicts), as an unchanged
  Python object, or not at all (``Undefined``).
* ``check_allowed``: the constructs converted code may contain but that cannot be staged
  (``global``/``nonlocal`` writes, Python list mutation, ``try`` around the statement).

>>> from eagerkit._src.autograph import staging
>>> staging.kind(3), staging.kind([1.0, 2.0]), staging.kind("text")
('tensor', 'tensor', 'object')
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from eagerkit._src.autograph.errors import StagingError, at_user_code
from eagerkit._src.autograph.undefined import Undefined, UndefinedReturnValue
from eagerkit._src.core import context
from eagerkit._src.core.convert import to_array
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.util import nest

_PY_SCALARS = (bool, int, float)


def array_of(value: Any) -> Any | None:
    """The jax array (or tracer) behind a Tensor, Variable or array; None for other values."""
    if isinstance(value, Tensor):
        return value._value
    if hasattr(value, "_ek_variable"):
        return value._read()
    if isinstance(value, (jax.Array, jax.core.Tracer)):
        return value
    return None


def is_symbolic(value: Any) -> bool:
    """True when ``value`` is a tensor whose value is unknown until the compiled function runs."""
    arr = array_of(value)
    return arr is not None and context.is_symbolic(arr)


def is_tensor_leaf(value: Any) -> bool:
    """A value that can travel through graph control flow as a tensor."""
    return isinstance(value, (Tensor, jax.Array, jax.core.Tracer, np.ndarray, np.generic)) or type(value) in _PY_SCALARS


def kind(value: Any) -> str:
    """'tensor', 'object', 'undefined' or 'undefined_return' (see module docstring)."""
    if isinstance(value, Undefined):
        return "undefined"
    if isinstance(value, UndefinedReturnValue):
        return "undefined_return"
    if nest.is_nested(value):
        leaves = nest.flatten(value)
        return "tensor" if leaves and all(is_tensor_leaf(v) for v in leaves) else "object"
    return "tensor" if is_tensor_leaf(value) else "object"


def is_python_constant(value: Any) -> bool:
    """True for Python numbers (and lists/tuples/dicts of them): no tensor inside."""
    leaves = nest.flatten(value)
    return all(type(v) in (*_PY_SCALARS, str, type(None)) for v in leaves)


def same_python_constant(a: Any, b: Any) -> bool:
    """True when ``a`` and ``b`` are equal Python constants of the same types and structure."""
    if not (is_python_constant(a) and is_python_constant(b)):
        return False
    try:
        nest.assert_same_structure(a, b)
    except (ValueError, TypeError):
        return False
    la, lb = nest.flatten(a), nest.flatten(b)
    return all(type(x) is type(y) and x == y for x, y in zip(la, lb))


def to_arrays(value: Any) -> Any:
    """``value`` (a 'tensor' kind value) with every leaf converted to an array."""
    return nest.map_structure(to_array, value)


def describe(value: Any) -> str:
    if isinstance(value, Undefined):
        return "undefined"
    if isinstance(value, UndefinedReturnValue):
        return "not returned"
    if kind(value) == "tensor":
        return "a tensor"
    return f"a Python {type(value).__name__} ({value!r:.60})"


def bool_scalar(value: Any, what: str) -> Tensor:
    """The condition of a staged statement as a scalar bool Tensor (numbers: ``!= 0``)."""
    arr = to_array(value)
    if arr.size != 1:
        raise StagingError(
            at_user_code(
                f"The condition of a tensor-dependent {what} must be a scalar, got a tensor of shape "
                f"{tuple(arr.shape)}. Reduce it first (ek.reduce_any / ek.reduce_all)."
            )
        )
    arr = arr.reshape(())
    if arr.dtype != jnp.bool_:
        arr = arr != 0
    return Tensor(arr)


def check_allowed(what: str, opts: dict | None) -> None:
    """Raises for constructs that converted code may contain but graph control flow cannot run."""
    if not opts:
        return
    if opts.get("in_try"):
        raise StagingError(
            at_user_code(
                f"A tensor-dependent {what} inside a `try` block is not supported in ek.function: both paths are "
                "traced once and exceptions in compiled code cannot be caught at run time. Move the try/except "
                "outside the compiled function, or make the condition a Python value."
            )
        )
    for name in opts.get("external", ()):
        raise StagingError(
            at_user_code(
                f"'{name}' is declared global/nonlocal and assigned inside a tensor-dependent {what}. Graph "
                "control flow can only update the function's local variables: assign to a local variable and "
                "return it, or keep the state in an ek.Variable (update it with .assign)."
            )
        )
    for desc, get in opts.get("mutations", ()):
        obj = get()
        if desc.endswith("(...)") and not isinstance(obj, list):
            continue
        raise StagingError(
            at_user_code(
                f"`{desc}` changes a Python {type(obj).__name__} inside a tensor-dependent {what}. Its body is "
                "traced once, so a Python object cannot change with run-time values (TensorFlow would apply the "
                "change once, while tracing, which is rarely what was meant). Keep the values in a tensor "
                "variable of fixed shape (for example preallocate with "
                "ek.zeros and update with ek.where / ek.one_hot masks), or make the control flow Python "
                "(iterate over a Python range) so that it is unrolled."
            )
        )


def bool_scalar_or_array(value: Any) -> Any:
    """``value`` as a bool array for logical operators (numbers: ``!= 0``)."""
    arr = to_array(value)
    return arr if arr.dtype == jnp.bool_ else arr != 0
