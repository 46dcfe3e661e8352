"""Assertions and printing (``ek.debugging``, ``ek.print``).

Assertions check eagerly and raise ``InvalidArgumentError`` with TF's wording (shape and
rank assertions raise ``ValueError``, as TF does when shapes are static). Inside
``ek.function`` values are symbolic: shape assertions still run at trace time, value
assertions become run-time checks via ``jax.debug.callback``.

>>> import eagerkit as ek
>>> ek.debugging.assert_equal(ek.constant([1, 2]), [1, 2])
"""

from __future__ import annotations

import math
import sys
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from eagerkit._src.core import context
from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.convert import to_array
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.util import nest


def _is_tensor(x: Any) -> bool:
    return type(x) is Tensor or hasattr(x, "_ek_variable")


def _check(cond: Any, message: Any, op: str) -> None:
    """Raises ``InvalidArgumentError(message)`` unless all of ``cond`` is true.

    ``message`` may be a callable building the text from the concrete condition (only called
    on failure). With a symbolic ``cond`` the check runs when the compiled function runs.
    """
    cond = to_array(cond)

    def fail(c: np.ndarray) -> InvalidArgumentError:
        text = message(c) if callable(message) else message
        return InvalidArgumentError(None, op, text)

    if context.is_symbolic(cond):

        def host_check(c: Any) -> None:
            if not bool(np.all(c)):
                raise fail(np.asarray(c))

        jax.debug.callback(host_check, cond)
        return
    c = np.asarray(cond)
    if not bool(np.all(c)):
        raise fail(c)


def _values(x: Any) -> Any:
    a = to_array(x)
    return a if context.is_symbolic(a) else np.asarray(a)


def _condition_message(sym: str, a: np.ndarray, b: np.ndarray, cond: np.ndarray, message: str | None, n: int) -> str:
    """TF's text for a failed elementwise comparison."""
    a_b, b_b = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    cond = np.broadcast_to(cond, a_b.shape)
    bad = np.argwhere(~cond)[:n]
    idx = tuple(bad.T) if a_b.ndim else ()
    xs = a_b[idx] if a_b.ndim else a_b.reshape(1)
    ys = b_b[idx] if b_b.ndim else b_b.reshape(1)
    lines = [] if not message else [message]
    lines += [
        f"Condition x {sym} y did not hold.",
        f"Indices of first {len(bad) if a_b.ndim else 1} different values:",
        _np_text(bad if a_b.ndim else np.zeros((1, 0), np.int64)),
        "Corresponding x values:",
        _np_text(xs),
        "Corresponding y values:",
        _np_text(ys),
        f"First {min(np.size(a), n)} elements of x:",
        _np_text(np.ravel(a)[:n]),
        f"First {min(np.size(b), n)} elements of y:",
        _np_text(np.ravel(b)[:n]),
    ]
    return "\n".join(lines)


def _np_text(a: np.ndarray) -> str:
    return np.array2string(np.asarray(a), separator=" ")


def _binary_assert(op: str, tf_op: str, sym: str, fn: Any, example: str) -> Any:
    def assertion(
        x: Any, y: Any, message: str | None = None, summarize: int | None = None, name: str | None = None
    ) -> None:
        from eagerkit._src.ops import math_ops

        # Converting with the op's dtype rule refuses mixed dtypes like TF's comparison does.
        xa, ya = getattr(math_ops, tf_op)._convert([x, y])
        try:
            np.broadcast_shapes(xa.shape, ya.shape)
        except ValueError:
            sx, sy = (",".join(map(str, s)) for s in (xa.shape, ya.shape))
            raise InvalidArgumentError(
                None, op, f"{message + ' ' if message else ''}Incompatible shapes: [{sx}] vs. [{sy}] [Op:{op}]"
            ) from None
        cond = fn(xa, ya)
        n = 3 if summarize is None else int(summarize)

        def text(c: np.ndarray) -> str:
            return _condition_message(sym, np.asarray(xa), np.asarray(ya), c, message, max(n, 1))

        _check(cond, text, op)

    assertion.__name__ = op
    assertion.__qualname__ = op
    assertion.__doc__ = (
        f"Asserts ``x {sym} y`` elementwise (with broadcasting); raises InvalidArgumentError naming the "
        f"first differing indices and values (``tf.debugging.{op}``).\n" + example
    )
    return assertion


assert_equal = _binary_assert(
    "assert_equal",
    "equal",
    "==",
    lambda a, b: a == b,
    """
    >>> import eagerkit as ek
    >>> ek.debugging.assert_equal([1, 2], [1, 2])
    >>> ek.debugging.assert_equal([1, 2], [1, 3])
    Traceback (most recent call last):
        ...
    eagerkit._src.core.errors.InvalidArgumentError: Condition x == y did not hold. ...
    """,
)
assert_none_equal = _binary_assert(
    "assert_none_equal",
    "not_equal",
    "!=",
    lambda a, b: a != b,
    """
    >>> import eagerkit as ek
    >>> ek.debugging.assert_none_equal([1, 2], [3, 4])
    >>> ek.debugging.assert_none_equal([1, 2], [1, 4])
    Traceback (most recent call last):
        ...
    eagerkit._src.core.errors.InvalidArgumentError: Condition x != y did not hold. ...
    """,
)
assert_less = _binary_assert(
    "assert_less",
    "less",
    "<",
    lambda a, b: a < b,
    """
    >>> import eagerkit as ek
    >>> ek.debugging.assert_less([1, 2], [2, 3])
    >>> ek.debugging.assert_less([1, 2], [2, 2])
    Traceback (most recent call last):
        ...
    eagerkit._src.core.errors.InvalidArgumentError: Condition x < y did not hold. ...
    """,
)
assert_less_equal = _binary_assert(
    "assert_less_equal",
    "less_equal",
    "<=",
    lambda a, b: a <= b,
    """
    >>> import eagerkit as ek
    >>> ek.debugging.assert_less_equal([1, 2], [1, 3])
    >>> ek.debugging.assert_less_equal([1, 2], [0, 3])
    Traceback (most recent call last):
        ...
    eagerkit._src.core.errors.InvalidArgumentError: Condition x <= y did not hold. ...
    """,
)
assert_greater = _binary_assert(
    "assert_greater",
    "greater",
    ">",
    lambda a, b: a > b,
    """
    >>> import eagerkit as ek
    >>> ek.debugging.assert_greater([2, 3], [1, 2])
    >>> ek.debugging.assert_greater([2, 3], [2, 2])
    Traceback (most recent call last):
        ...
    eagerkit._src.core.errors.InvalidArgumentError: Condition x > y did not hold. ...
    """,
)
assert_greater_equal = _binary_assert(
    "assert_greater_equal",
    "greater_equal",
    ">=",
    lambda a, b: a >= b,
    """
    >>> import eagerkit as ek
    >>> ek.debugging.assert_greater_equal([2, 3], [2, 2])
    >>> ek.debugging.assert_greater_equal([2, 3], [2, 4])
    Traceback (most recent call last):
        ...
    eagerkit._src.core.errors.InvalidArgumentError: Condition x >= y did not hold. ...
    """,
)


def _sign_assert(op: str, sym: str, fn: Any, example: str) -> Any:
    def assertion(x: Any, message: str | None = None, summarize: int | None = None, name: str | None = None) -> None:
        a = to_array(x)
        if not _dtypes.from_numpy(a.dtype).is_numeric:
            raise TypeError(f"{op} needs a numeric tensor, got {_dtypes.from_numpy(a.dtype).name}")

        def text(c: np.ndarray) -> str:
            values = np.asarray(a).ravel()[: 3 if summarize is None else max(int(summarize), 1)]
            prefix = f"{message}.  " if message else ""
            return (
                f"{prefix}\nCondition x {sym} 0 did not hold element-wise:\n"
                f"x (shape={tuple(a.shape)} dtype={_dtypes.from_numpy(a.dtype).name}) = \n"
                f"{[str(v) for v in values.tolist()]}"
            )

        _check(fn(a), text, op)

    assertion.__name__ = op
    assertion.__qualname__ = op
    assertion.__doc__ = f"Asserts ``x {sym} 0`` elementwise (``tf.debugging.{op}``).\n" + example
    return assertion


assert_positive = _sign_assert(
    "assert_positive",
    ">",
    lambda a: a > 0,
    """
    >>> import eagerkit as ek
    >>> ek.debugging.assert_positive([1, 2])
    >>> ek.debugging.assert_positive([1, -2])
    Traceback (most recent call last):
        ...
    eagerkit._src.core.errors.InvalidArgumentError: Condition x > 0 did not hold element-wise: ...
    """,
)
assert_negative = _sign_assert(
    "assert_negative",
    "<",
    lambda a: a < 0,
    """
    >>> import eagerkit as ek
    >>> ek.debugging.assert_negative([-1, -2])
    >>> ek.debugging.assert_negative([-1, 0])
    Traceback (most recent call last):
        ...
    eagerkit._src.core.errors.InvalidArgumentError: Condition x < 0 did not hold element-wise: ...
    """,
)
assert_non_negative = _sign_assert(
    "assert_non_negative",
    ">=",
    lambda a: a >= 0,
    """
    >>> import eagerkit as ek
    >>> ek.debugging.assert_non_negative([0, 2])
    >>> ek.debugging.assert_non_negative([0, -2])
    Traceback (most recent call last):
        ...
    eagerkit._src.core.errors.InvalidArgumentError: Condition x >= 0 did not hold element-wise: ...
    """,
)
assert_non_positive = _sign_assert(
    "assert_non_positive",
    "<=",
    lambda a: a <= 0,
    """
    >>> import eagerkit as ek
    >>> ek.debugging.assert_non_positive([0, -2])
    >>> ek.debugging.assert_non_positive([0, 2])
    Traceback (most recent call last):
        ...
    eagerkit._src.core.errors.InvalidArgumentError: Condition x <= 0 did not hold element-wise: ...
    """,
)


def assert_near(
    x: Any,
    y: Any,
    rtol: float | None = None,
    atol: float | None = None,
    message: str | None = None,
    summarize: int | None = None,
    name: str | None = None,
) -> None:
    """Asserts ``|x - y| <= atol + rtol * |y|`` elementwise (defaults: 10 * eps of the dtype).

    >>> import eagerkit as ek
    >>> ek.debugging.assert_near([1.0, 2.0], [1.0, 2.05], atol=0.1)
    """
    from eagerkit._src.ops import math_ops

    a, b = math_ops.subtract._convert([x, y])
    if not jnp.issubdtype(a.dtype, jnp.inexact):
        raise ValueError(f"data type {a.dtype.type} not inexact")
    eps = float(jnp.finfo(a.dtype).eps)
    rtol = 10 * eps if rtol is None else float(rtol)
    atol = 10 * eps if atol is None else float(atol)
    cond = jnp.abs(a - b) <= atol + rtol * jnp.abs(b)

    def text(c: np.ndarray) -> str:
        prefix = f"{message}\n" if message else ""
        return (
            f"{prefix}x and y not equal to tolerance rtol = {rtol}, atol = {atol}\n"
            f"x (shape={tuple(a.shape)} dtype={_dtypes.from_numpy(a.dtype).name}) = {_np_text(np.asarray(a))}\n"
            f"y (shape={tuple(b.shape)} dtype={_dtypes.from_numpy(b.dtype).name}) = {_np_text(np.asarray(b))}"
        )

    _check(cond, text, "assert_near")


def _shape_of(x: Any) -> tuple:
    return tuple(to_array(x).shape)


def _prefix(message: str | None) -> str:
    return f"{message}.  " if message else ""


def assert_rank(x: Any, rank: int, message: str | None = None, name: str | None = None) -> None:
    """Asserts that ``x`` has the given rank (checked statically; ValueError as in TF).

    >>> import eagerkit as ek
    >>> ek.debugging.assert_rank(ek.ones([2, 3]), 2)
    >>> ek.debugging.assert_rank(ek.ones([2, 3]), 1)  # raises
    Traceback (most recent call last):
        ...
    ValueError: Tensor  must have rank 1.  Received rank 2, shape (2, 3)
    """
    shape = _shape_of(x)
    if len(shape) != int(rank):
        raise ValueError(
            f"{_prefix(message)}Tensor  must have rank {int(rank)}.  Received rank {len(shape)}, shape {shape}"
        )


def assert_rank_at_least(x: Any, rank: int, message: str | None = None, name: str | None = None) -> None:
    """Asserts that ``x`` has at least the given rank.

    >>> import eagerkit as ek
    >>> ek.debugging.assert_rank_at_least(ek.ones([2, 3]), 1)
    >>> ek.debugging.assert_rank_at_least(ek.ones([2]), 2)  # raises
    Traceback (most recent call last):
        ...
    ValueError: Tensor  must have rank at least 2.  Received rank 1, shape (2,)
    """
    shape = _shape_of(x)
    if len(shape) < int(rank):
        raise ValueError(
            f"{_prefix(message)}Tensor  must have rank at least {int(rank)}.  Received rank {len(shape)}, shape {shape}"
        )


def assert_rank_in(x: Any, ranks: Any, message: str | None = None, name: str | None = None) -> None:
    """Asserts that the rank of ``x`` is one of ``ranks``.

    >>> import eagerkit as ek
    >>> ek.debugging.assert_rank_in(ek.ones([2, 3]), [1, 2])
    >>> ek.debugging.assert_rank_in(ek.ones([2]), [0, 2])  # raises
    Traceback (most recent call last):
        ...
    ValueError: Tensor  must have rank in (0, 2).  Received rank 1, shape (2,)
    """
    shape = _shape_of(x)
    ranks = tuple(int(r) for r in ranks)
    if len(shape) not in ranks:
        raise ValueError(
            f"{_prefix(message)}Tensor  must have rank in {ranks}.  Received rank {len(shape)}, shape {shape}"
        )


def assert_scalar(tensor: Any, message: str | None = None, name: str | None = None) -> None:
    """Asserts that ``tensor`` is a scalar (ValueError otherwise).

    >>> import eagerkit as ek
    >>> ek.debugging.assert_scalar(ek.constant(1.0))
    >>> ek.debugging.assert_scalar(ek.constant([1.0]))  # raises
    Traceback (most recent call last):
        ...
    ValueError: Expected scalar shape, saw shape: (1,).
    """
    shape = _shape_of(tensor)
    if shape:
        raise ValueError(f"{_prefix(message)}Expected scalar shape, saw shape: {shape}.")


def assert_type(tensor: Any, tf_type: Any, message: str | None = None, name: str | None = None) -> None:
    """Asserts that ``tensor`` has dtype ``tf_type`` (TypeError otherwise, as in TF).

    >>> import eagerkit as ek
    >>> ek.debugging.assert_type(ek.constant(1.0), ek.float32)
    >>> ek.debugging.assert_type(ek.constant(1), ek.float32)  # raises
    Traceback (most recent call last):
        ...
    TypeError: tensor must be of type tf.float32; got tf.int32
    """
    have = _dtypes.from_numpy(to_array(tensor).dtype)
    want = _dtypes.as_dtype(tf_type)
    if have != want:
        raise TypeError(f"{_prefix(message)}tensor must be of type {want!r}; got {have!r}")


def assert_integer(x: Any, message: str | None = None, name: str | None = None) -> None:
    """Asserts that ``x`` has an integer dtype.

    >>> import eagerkit as ek
    >>> ek.debugging.assert_integer(ek.constant([1, 2]))
    >>> ek.debugging.assert_integer(ek.constant([1.0]))  # raises
    Traceback (most recent call last):
        ...
    TypeError: Expected "x" to be integer type.  Found: tensor of dtype tf.float32
    """
    dtype = _dtypes.from_numpy(to_array(x).dtype)
    if not dtype.is_integer:
        raise TypeError(f'{_prefix(message)}Expected "x" to be integer type.  Found: tensor of dtype {dtype!r}')


def is_numeric_tensor(tensor: Any) -> bool:
    """True for tensors of a numeric (not bool) dtype.

    >>> import eagerkit as ek
    >>> ek.debugging.is_numeric_tensor(ek.constant([1.0]))
    True
    >>> ek.debugging.is_numeric_tensor(ek.constant([True]))
    False
    >>> ek.debugging.is_numeric_tensor([1.0])  # not a tensor
    False
    """
    return _is_tensor(tensor) and _dtypes.from_numpy(to_array(tensor).dtype).is_numeric


def Assert(condition: Any, data: list, summarize: int | None = None, name: str | None = None) -> None:  # noqa: N802
    """Raises InvalidArgumentError showing ``data`` unless the scalar ``condition`` is true.

    >>> import eagerkit as ek
    >>> x = ek.constant([1.0, -1.0])
    >>> ek.Assert(ek.reduce_all(x > -2.0), ["x is too small:", x])
    >>> ek.Assert(ek.reduce_all(x > 0.0), ["x must be positive:", x])  # raises
    Traceback (most recent call last):
        ...
    eagerkit._src.core.errors.InvalidArgumentError: Expected 'False' to be true. Summarized data: x must ...
    """
    n = 3 if summarize is None else int(summarize)

    def text(c: np.ndarray) -> str:
        shown = "\n".join(_format_value(d, n) for d in data)
        return f"Expected '{bool(np.all(c))}' to be true. Summarized data: {shown}"

    _check(condition, text, "Assert")


def assert_shapes(
    shapes: Any, data: Any = None, summarize: int | None = None, message: str | None = None, name: str | None = None
) -> None:
    """Asserts shapes of several tensors against symbolic dims: ``[(x, ('N', 3)), (y, ('N',))]``.

    A dimension is an int, a name bound to one size across all tensors, ``None`` or ``"."`` (any
    size); a leading ``...`` allows any number of leading dimensions. Raises ValueError.

    >>> import eagerkit as ek
    >>> ek.debugging.assert_shapes([(ek.zeros([2, 3]), ("N", 3)), (ek.zeros([2]), ("N",))])
    """
    items = shapes.items() if isinstance(shapes, dict) else shapes
    bound: dict[Any, tuple[int, str]] = {}
    for tensor, spec in items:
        actual = _shape_of(tensor)
        desc = f"shape={actual} dtype={_dtypes.from_numpy(to_array(tensor).dtype).name}"
        spec = tuple(spec) if isinstance(spec, (list, tuple)) else (spec,)
        leading = bool(spec) and (spec[0] is Ellipsis or spec[0] == "...")
        dims = spec[1:] if leading else spec
        if (len(actual) != len(dims)) if not leading else (len(actual) < len(dims)):
            ranks = f"{len(dims)}" if not leading else f"at least {len(dims)}"
            raise ValueError(
                f"{_prefix(message)}Tensor {desc} must have rank {ranks}.  Received rank {len(actual)}, shape {actual}"
            )
        offset = len(actual) - len(dims)
        for i, s in enumerate(dims):
            a = actual[offset + i]
            dim_desc = f"Tensor {desc} dimension {offset + i}"
            if s is None or s == ".":
                continue
            if isinstance(s, (int, np.integer)):
                if int(s) != a:
                    raise ValueError(
                        f"{_prefix(message)}Specified explicitly.  {dim_desc} must have size {int(s)}.  "
                        f"Received size {a}, shape {actual}"
                    )
            elif s in bound:
                size, where = bound[s]
                if size != a:
                    raise ValueError(
                        f"{_prefix(message)}Specified by {where}.  {dim_desc} must have size {size}.  "
                        f"Received size {a}, shape {actual}"
                    )
            else:
                bound[s] = (a, f"tensor {desc} dimension {offset + i}")


def check_numerics(tensor: Any, message: str, name: str | None = None) -> Tensor:
    """Returns ``tensor`` unchanged, raising InvalidArgumentError if it has NaN or Inf.

    >>> import eagerkit as ek
    >>> ek.debugging.check_numerics(ek.constant([1.0]), "bad").numpy().tolist()
    [1.0]
    """
    a = to_array(tensor)
    from eagerkit._src.ops.math_ops import FLOAT, check_dtype

    check_dtype(a, "CheckNumerics", FLOAT)

    def text(c: np.ndarray) -> str:
        v = np.asarray(a)
        kinds = [k for k, bad in (("NaN", np.isnan(v).any()), ("Inf", np.isinf(v).any())) if bad]
        return f"{message} : Tensor had {' and '.join(kinds)} values [Op:CheckNumerics]"

    _check(
        jnp.all(jnp.isfinite(a)) if context.is_symbolic(a) else np.all(np.isfinite(np.asarray(a))),
        text,
        "CheckNumerics",
    )
    return tensor if isinstance(tensor, Tensor) else Tensor(a)


def assert_all_finite(t: Any, msg: str, name: str | None = None) -> Tensor:
    """Same as :func:`check_numerics`.

    >>> import eagerkit as ek
    >>> ek.debugging.assert_all_finite(ek.constant([1.0, 2.0]), "bad values")
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>
    >>> ek.debugging.assert_all_finite(ek.constant([1.0, float("nan")]), "bad values")  # raises
    Traceback (most recent call last):
        ...
    eagerkit._src.core.errors.InvalidArgumentError: bad values : Tensor had NaN values [Op:CheckNumerics]
    """
    return check_numerics(t, msg)


def assert_proper_iterable(values: Any) -> None:
    """Raises TypeError for a tensor, ndarray, str or non-iterable passed where a list is expected.

    >>> import eagerkit as ek
    >>> ek.debugging.assert_proper_iterable([ek.constant(1.0), ek.constant(2.0)])
    >>> ek.debugging.assert_proper_iterable(ek.constant([1.0, 2.0]))  # raises
    Traceback (most recent call last):
        ...
    TypeError: Expected argument `values` to be a 'proper' iterable.  Found: <class ...
    """
    if _is_tensor(values) or isinstance(values, (np.ndarray, str, bytes)):
        raise TypeError(f"Expected argument `values` to be a 'proper' iterable.  Found: {type(values)}")
    if not hasattr(values, "__iter__"):
        raise TypeError(f"Expected argument `values` to be iterable.  Found: {type(values)}")


# -- printing -----------------------------------------------------------------------------------
def _element_text(v: Any) -> str:
    """One element the way TF's C++ printer writes it (``%g`` with enough digits to round-trip)."""
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (complex, np.complexfloating)):
        return f"({_element_text(v.real)},{_element_text(v.imag)})"
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return "-nan" if math.copysign(1.0, f) < 0 else "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        short, full = (6, 9) if np.asarray(v).dtype.itemsize <= 4 else (15, 17)
        text = f"{f:.{short}g}"
        if np.asarray(v).dtype.type(text) != v:
            text = f"{f:.{full}g}"
        return text
    return str(v)


def _array_text(arr: np.ndarray, summarize: int) -> str:
    """TF's ``SummarizeValue``: nested brackets, single spaces, ``...`` past ``summarize`` items."""
    if arr.ndim == 0:
        return _element_text(arr[()])
    edge = arr.size if summarize is None or summarize < 0 else summarize
    out: list[str] = []

    def spacing(dim: int) -> str:
        if dim == arr.ndim - 1:
            return " "
        return "\n" * (arr.ndim - dim - 1) + " " * (dim + 1)

    def rec(sub: np.ndarray, dim: int) -> None:
        if dim == arr.ndim:
            out.append(_element_text(sub[()]))
            return
        out.append("[")
        count = sub.shape[0]
        end_start = max(edge, count - edge)
        for i in range(min(edge, count)):
            if i > 0:
                out.append(spacing(dim))
            rec(sub[i], dim + 1)
        if count > 2 * edge:
            out.append(spacing(dim))
            out.append("...")
        for i in range(end_start, count):
            out.append(spacing(dim))
            rec(sub[i], dim + 1)
        out.append("]")

    rec(arr, 0)
    return "".join(out)


def _format_value(x: Any, summarize: int) -> str:
    if _is_tensor(x):
        return _array_text(np.asarray(to_array(x)), summarize)
    if isinstance(x, str):
        return x
    if nest.is_nested(x) and any(_is_tensor(v) for v in nest.flatten(x)):
        marks: dict[str, str] = {}

        def mark(v: Any) -> Any:
            if not _is_tensor(v):
                return v
            key = f"__ek_print_{len(marks)}__"
            marks[key] = _array_text(np.asarray(to_array(v)), summarize)
            return _Placeholder(key)

        text = str(nest.map_structure(mark, x))
        for key, value in marks.items():
            text = text.replace(key, value)
        return text
    return str(x)


class _Placeholder:
    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    def __repr__(self) -> str:
        return self.key


def _resolve_stream(stream: Any) -> Any:
    if stream is None or stream == "stderr":
        return sys.stderr
    if stream == "stdout":
        return sys.stdout
    return stream


def print_(
    *inputs: Any,
    output_stream: Any = None,
    sep: str = " ",
    end: str = "\n",
    summarize: int = 3,
    name: str | None = None,
) -> None:
    """Prints tensors and Python values like ``tf.print`` (to stderr by default).

    Tensors print as TF prints them (``[1 2 3 ... 8 9 10]``, at most ``summarize`` items at
    each end of every dimension; -1 prints all); nested structures print with their tensors
    formatted. ``output_stream`` may be a file object, "stdout", "stderr" or "file://path".
    Inside ``ek.function`` the printing happens each time the compiled function runs.

    >>> import sys
    >>> import eagerkit as ek
    >>> ek.print(ek.range(10), output_stream=sys.stdout)
    [0 1 2 ... 7 8 9]
    """
    leaves = nest.flatten(list(inputs))
    symbolic = [_is_tensor(v) and context.is_symbolic(to_array(v)) for v in leaves]

    def emit(*vals: Any) -> None:
        it = iter(vals)
        concrete = [Tensor(jnp.asarray(next(it))) if sym else v for v, sym in zip(leaves, symbolic)]
        rebuilt = nest.pack_sequence_as(list(inputs), concrete)
        text = sep.join(_format_value(v, summarize) for v in rebuilt) + end
        stream = output_stream
        if isinstance(stream, str) and stream.startswith("file://"):
            with open(stream[len("file://") :], "a") as f:
                f.write(text)
            return
        out = _resolve_stream(stream)
        out.write(text)
        if hasattr(out, "flush"):
            out.flush()

    if any(symbolic):
        jax.debug.callback(emit, *[to_array(v) for v, s in zip(leaves, symbolic) if s], ordered=True)
    else:
        emit()
