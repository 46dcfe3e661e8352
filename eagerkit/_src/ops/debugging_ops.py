"""Assertions and printing (``ek.debugging``, ``ek.print``).

Assertions check eagerly and raise ``InvalidArgumentError`` with TF's wording. Inside
``ek.function`` values are symbolic: shape assertions still run at trace time,
value assertions become run-time checks via ``jax.debug.callback``.

>>> import eagerkit as ek
>>> ek.debugging.assert_equal(ek.constant([1, 2]), [1, 2])
"""

from __future__ import annotations

import sys
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from eagerkit._src.core.convert import to_array
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.util import nest


def _check(cond: Any, message: str, op: str, data: list | None = None) -> None:
    cond = to_array(cond)
    if isinstance(cond, jax.core.Tracer):

        def host_check(c: Any) -> None:
            if not bool(np.all(c)):
                raise InvalidArgumentError(None, op, f"{message} [Op:{op}]")

        jax.debug.callback(host_check, cond)
        return
    if not bool(np.all(np.asarray(cond))):
        raise InvalidArgumentError(None, op, f"{message} [Op:{op}]")


def _values(x: Any) -> Any:
    a = to_array(x)
    return a if isinstance(a, jax.core.Tracer) else np.asarray(a)


def _binary_assert(op: str, sym: str, fn: Any) -> Any:
    def assertion(
        x: Any, y: Any, message: str | None = None, summarize: int | None = None, name: str | None = None
    ) -> None:
        if (
            isinstance(x, (tuple, list))
            and not any(isinstance(v, (Tensor,)) for v in x)
            and all(isinstance(v, (int, type(None))) for v in x)
        ):
            x = tuple(x)
        a, b = _values(x), _values(y)
        try:
            cond = fn(jnp.asarray(a) if isinstance(a, jax.core.Tracer) else a, b)
        except ValueError:
            raise InvalidArgumentError(
                None, op, f"{message or ''} Incompatible shapes: {np.shape(a)} vs. {np.shape(b)} [Op:{op}]".strip()
            ) from None
        prefix = f"{message}\n" if message else ""
        _check(cond, f"{prefix}Condition x {sym} y did not hold element-wise:\nx = {a}\ny = {b}", op)

    assertion.__name__ = op
    return assertion


assert_equal = _binary_assert("assert_equal", "==", lambda a, b: a == b)
assert_none_equal = _binary_assert("assert_none_equal", "!=", lambda a, b: a != b)
assert_less = _binary_assert("assert_less", "<", lambda a, b: a < b)
assert_less_equal = _binary_assert("assert_less_equal", "<=", lambda a, b: a <= b)
assert_greater = _binary_assert("assert_greater", ">", lambda a, b: a > b)
assert_greater_equal = _binary_assert("assert_greater_equal", ">=", lambda a, b: a >= b)


def assert_near(
    x: Any,
    y: Any,
    rtol: float | None = None,
    atol: float | None = None,
    message: str | None = None,
    summarize: int | None = None,
    name: str | None = None,
) -> None:
    """Asserts ``|x - y| <= atol + rtol * |y|`` elementwise (defaults: 10 * eps of the dtype)."""
    a, b = _values(x), _values(y)
    eps = np.finfo(np.asarray(a).dtype if not isinstance(a, jax.core.Tracer) else a.dtype).eps
    rtol = 10 * eps if rtol is None else rtol
    atol = 10 * eps if atol is None else atol
    cond = abs(a - b) <= atol + rtol * abs(b)
    prefix = f"{message}\n" if message else ""
    _check(
        cond, f"{prefix}x and y not equal to tolerance rtol = {rtol}, atol = {atol}\nx = {a}\ny = {b}", "assert_near"
    )


def assert_rank(x: Any, rank: int, message: str | None = None, name: str | None = None) -> None:
    """Asserts that ``x`` has the given rank (checked statically)."""
    r = to_array(x).ndim
    if r != int(rank):
        raise InvalidArgumentError(
            None,
            "assert_rank",
            f"{message + ' ' if message else ''}Tensor must have rank {int(rank)}. "
            f"Received rank {r}, shape {list(to_array(x).shape)}",
        )


def assert_shapes(
    shapes: Any, data: Any = None, summarize: int | None = None, message: str | None = None, name: str | None = None
) -> None:
    """Asserts shapes of several tensors against symbolic dims: ``[(x, ('N', 3)), (y, ('N',))]``."""
    items = shapes.items() if isinstance(shapes, dict) else shapes
    bound: dict[Any, int] = {}
    for tensor, spec in items:
        actual = to_array(tensor).shape
        spec = tuple(spec)
        if len(spec) != len(actual) and not (len(spec) == 1 and spec[0] == "..."):
            raise ValueError(
                f"{message + ' ' if message else ''}Specified by tensor {tensor!r} dimension count: "
                f"expected rank {len(spec)} {spec}, got shape {tuple(actual)}"
            )
        for s, a in zip(spec, actual):
            if isinstance(s, int):
                if s != a:
                    raise ValueError(
                        f"{message + ' ' if message else ''}Dimension mismatch: expected {spec}, got {tuple(actual)}"
                    )
            elif s in (None, "."):
                continue
            elif bound.setdefault(s, a) != a:
                raise ValueError(
                    f"{message + ' ' if message else ''}Dimension '{s}' has size {a} in shape {tuple(actual)} "
                    f"but {bound[s]} elsewhere"
                )


def check_numerics(tensor: Any, message: str, name: str | None = None) -> Tensor:
    """Returns ``tensor`` unchanged, raising InvalidArgumentError if it has NaN or Inf."""
    a = to_array(tensor)
    _check(
        jnp.all(jnp.isfinite(a)) if isinstance(a, jax.core.Tracer) else np.all(np.isfinite(np.asarray(a))),
        f"{message} : Tensor had NaN or Inf values",
        "CheckNumerics",
    )
    return tensor if isinstance(tensor, Tensor) else Tensor(a)


def assert_all_finite(t: Any, msg: str, name: str | None = None) -> Tensor:
    return check_numerics(t, msg)


def _fmt(x: Any, summarize: int) -> str:
    if isinstance(x, (Tensor,)) or hasattr(x, "_ek_variable"):
        arr = np.asarray(to_array(x))
        with np.printoptions(
            threshold=summarize * 2 if summarize and summarize > 0 else sys.maxsize,
            edgeitems=summarize if summarize and summarize > 0 else 3,
        ):
            return np.array2string(arr, separator=" ")
    return str(x)


def print_(
    *inputs: Any,
    output_stream: Any = sys.stderr,
    sep: str = " ",
    end: str = "\n",
    summarize: int = 3,
    name: str | None = None,
) -> None:
    """Prints tensors and Python values (``tf.print``); inside ``ek.function`` at run time, once per call."""
    leaves = nest.flatten(list(inputs))
    traced = [
        isinstance(to_array(v), jax.core.Tracer) if (isinstance(v, Tensor) or hasattr(v, "_ek_variable")) else False
        for v in leaves
    ]
    stream = output_stream
    if stream == "stdout" or stream is None:
        stream = sys.stdout

    def emit(*vals: Any) -> None:
        it = iter(vals)
        parts = [
            _fmt(Tensor(jnp.asarray(next(it))), summarize) if is_t else _fmt(v, summarize)
            for v, is_t in zip(leaves, traced)
        ]
        out = sys.stdout if stream is sys.stdout else (sys.stderr if stream is sys.stderr else stream)
        print(sep.join(parts), end=end, file=out)

    if any(traced):
        jax.debug.callback(emit, *[to_array(v) for v, t in zip(leaves, traced) if t], ordered=True)
    else:
        emit()
