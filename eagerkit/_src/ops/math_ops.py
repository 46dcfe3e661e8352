"""Elementwise math, comparisons, reductions and matrix products (``ek.math``).

Each op is a short pure JAX function registered with :func:`defop`. Integer and
64-bit behaviour follows TF: reductions keep the input dtype, integer true division
gives float64 (float32 for 8/16-bit ints), ``argmax`` returns int64.

>>> import eagerkit as ek
>>> ek.reduce_sum(ek.constant([[1, 2], [3, 4]]), axis=0).numpy().tolist()
[4, 6]
>>> ek.constant(1) / ek.constant(2)
<tf.Tensor: shape=(), dtype=float64, numpy=0.5>
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import ml_dtypes
import numpy as np

from eagerkit._src.core import context
from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.ops.op import defop


def norm_axis(axis: Any) -> Any:
    """Static axis argument: None, an int or a tuple of ints."""
    if axis is None or isinstance(axis, int):
        return axis
    if isinstance(axis, (list, tuple)):
        return tuple(int(a) for a in axis)
    return int(axis)


def _np(dtype: Any) -> Any:
    return None if dtype is None else _dtypes.as_dtype(dtype)._np


# -- dtype families (TF's "allowed values" of an op's type attribute) ------------------------
FLOAT = ("bfloat16", "float16", "float32", "float64")
COMPLEX = ("complex64", "complex128")
INT = ("int8", "int16", "int32", "int64")
UINT = ("uint8", "uint16", "uint32", "uint64")
INEXACT = FLOAT + COMPLEX
REAL = FLOAT + INT + UINT
NUMBER = REAL + COMPLEX
_TF_WORD = {"float16": "half", "float32": "float", "float64": "double"}


def check_dtype(x: Any, op: str, allowed: tuple) -> None:
    """Refuses ``x`` unless its dtype is one of ``allowed`` (raised while the op is traced, so
    it costs nothing per call), with TF's message and the fix."""
    name = _dtypes.from_numpy(x.dtype).name
    if name in allowed:
        return
    words = ", ".join(_TF_WORD.get(a, a) for a in allowed)
    if set(allowed) <= set(INEXACT):
        fix = "Cast it to a floating dtype first, e.g. ek.cast(x, ek.float32)."
    elif name == "bool":
        fix = "Cast the bool tensor to a numeric dtype first, e.g. ek.cast(x, ek.int32)."
    else:
        fix = "Cast it with ek.cast first."
    raise InvalidArgumentError(
        None,
        op,
        f"Value for attr 'T' of {_TF_WORD.get(name, name)} is not in the list of allowed values: "
        f"{words} [Op:{op}]. {fix}",
    )


# -- binary arithmetic ----------------------------------------------------------------------
@defop("AddV2", same_dtype=True)
def add(x, y):
    """``x + y`` elementwise with broadcasting (``tf.math.add``).

    >>> import eagerkit as ek
    >>> ek.add([1, 2], 1).numpy().tolist()
    [2, 3]
    """
    check_dtype(x, "AddV2", NUMBER)
    return jnp.add(x, y)


@defop("Sub", same_dtype=True)
def subtract(x, y):
    """``x - y`` elementwise (``tf.math.subtract``).

    >>> import eagerkit as ek
    >>> ek.subtract([5, 7], [2, 3])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([3, 4], dtype=int32)>
    >>> ek.constant(5.0) - 2.0
    <tf.Tensor: shape=(), dtype=float32, numpy=3.0>
    """
    check_dtype(x, "Sub", NUMBER)
    return jnp.subtract(x, y)


@defop("Mul", same_dtype=True)
def multiply(x, y):
    """``x * y`` elementwise (``tf.math.multiply``).

    >>> import eagerkit as ek
    >>> ek.multiply([1.0, 2.0], 3.0)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 6.], dtype=float32)>
    >>> ek.constant([1.0, 2.0]) * [3.0, 4.0]
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 8.], dtype=float32)>
    """
    check_dtype(x, "Mul", NUMBER)
    return jnp.multiply(x, y)


def _true_div_dtype(dtype: Any) -> Any:
    if jnp.issubdtype(dtype, jnp.integer):
        return jnp.float32 if jnp.dtype(dtype).itemsize <= 2 else jnp.float64
    return None


@defop("RealDiv", same_dtype=True)
def truediv(x, y):
    """``x / y``; integers are first cast to float64 (float32 for 8/16-bit), as in TF.

    >>> import eagerkit as ek
    >>> ek.divide(7, 2).dtype
    tf.float64
    """
    check_dtype(x, "RealDiv", NUMBER)
    target = _true_div_dtype(x.dtype)
    if target is not None:
        x, y = x.astype(target), y.astype(target)
    return jnp.true_divide(x, y)


divide = truediv
realdiv = truediv


@defop("DivNoNan", same_dtype=True)
def divide_no_nan(x, y):
    """``x / y``, or 0 where ``y == 0``.

    >>> import eagerkit as ek
    >>> ek.math.divide_no_nan([1.0, 2.0], [0.0, 4.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0. , 0.5], dtype=float32)>
    """
    check_dtype(x, "DivNoNan", INEXACT)
    safe = jnp.where(y == 0, jnp.ones_like(y), y)
    return jnp.where(y == 0, jnp.zeros_like(x), x / safe)


def _concrete_integers(x: Any) -> np.ndarray | None:
    """The value of an eager integer array (None for floats and symbolic values)."""
    if not jnp.issubdtype(x.dtype, jnp.integer) or context.is_symbolic(x):
        return None
    return np.asarray(x)


def _check_integer_divisor(y: Any, op: str) -> None:
    v = _concrete_integers(y)
    if v is not None and (v == 0).any():
        raise InvalidArgumentError(
            None, op, f"Integer division by zero [Op:{op}]. Guard the divisor, e.g. ek.where(y == 0, 1, y)."
        )


@defop("FloorDiv", same_dtype=True, jit=False)
def floordiv(x, y):
    """``x // y`` rounding toward negative infinity (integer division by zero raises, as in TF).

    >>> import eagerkit as ek
    >>> ek.floordiv([7, -7], 2)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([ 3, -4], dtype=int32)>
    """
    check_dtype(x, "FloorDiv", REAL)
    _check_integer_divisor(y, "FloorDiv")
    return _floordiv(x, y)


_floordiv = jax.jit(jnp.floor_divide)


@defop("FloorMod", same_dtype=True, jit=False)
def floormod(x, y):
    """``x % y`` with the sign of ``y`` (Python semantics).

    >>> import eagerkit as ek
    >>> ek.math.floormod([7, -7], 3)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)>
    """
    check_dtype(x, "FloorMod", REAL)
    _check_integer_divisor(y, "FloorMod")
    return _floormod(x, y)


_floormod = jax.jit(jnp.mod)
mod = floormod


@defop("Pow", same_dtype=True, jit=False)
def pow(x, y):  # noqa: A001 - TF's name
    """``x ** y`` elementwise (integers to negative integer powers raise, as in TF).

    >>> import eagerkit as ek
    >>> ek.pow(2, 10).numpy()
    np.int32(1024)
    """
    check_dtype(x, "Pow", NUMBER)
    v = _concrete_integers(y)
    if v is not None and (v < 0).any():
        raise InvalidArgumentError(
            None, "Pow", "Integers to negative integer powers are not allowed [Op:Pow]. Cast to float first."
        )
    return _pow(x, y)


_pow = jax.jit(jnp.power)


@defop("Maximum", same_dtype=True)
def maximum(x, y):
    """Elementwise maximum (gradient goes to ``x`` on ties, as in TF).

    >>> import eagerkit as ek
    >>> ek.maximum([1.0, 5.0], [3.0, 2.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 5.], dtype=float32)>
    """
    check_dtype(x, "Maximum", REAL)
    return jnp.where(x >= y, x, y)


@defop("Minimum", same_dtype=True)
def minimum(x, y):
    """Elementwise minimum (gradient goes to ``x`` on ties, as in TF).

    >>> import eagerkit as ek
    >>> ek.minimum([1.0, 5.0], 3.0)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 3.], dtype=float32)>
    """
    check_dtype(x, "Minimum", REAL)
    return jnp.where(x <= y, x, y)


@defop("SquaredDifference", same_dtype=True)
def squared_difference(x, y):
    """``(x - y) ** 2`` elementwise.

    >>> import eagerkit as ek
    >>> ek.math.squared_difference([1.0, 5.0], [3.0, 2.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([4., 9.], dtype=float32)>
    """
    check_dtype(x, "SquaredDifference", NUMBER)
    d = x - y
    return d * jnp.conj(d) if jnp.iscomplexobj(d) else d * d


@defop("Atan2", same_dtype=True)
def atan2(y, x):
    """Elementwise arctangent of ``y / x``.

    >>> import eagerkit as ek
    >>> ek.atan2([1.0], [1.0]) * 4.0
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([3.1415927], dtype=float32)>
    """
    check_dtype(y, "Atan2", FLOAT)
    return jnp.arctan2(y, x)


@jax.custom_jvp
def _xlogy(x: Any, y: Any) -> Any:
    return jsp.xlogy(x, y)


@_xlogy.defjvp
def _xlogy_jvp(primals: tuple, tangents: tuple) -> tuple:
    # TF's XlogyGrad: d/dx = log(y), d/dy = x / y, both 0 where x == 0 (jax gives -inf, nan at (0, 0)).
    x, y = primals
    dx, dy = tangents
    nonzero = x != 0
    safe_y = jnp.where(nonzero, y, jnp.ones_like(y))
    gx = jnp.where(nonzero, jnp.log(safe_y), jnp.zeros_like(y))
    gy = jnp.where(nonzero, x / safe_y, jnp.zeros_like(x))
    return _xlogy(x, y), gx * dx + gy * dy


@defop("Xlogy", same_dtype=True)
def xlogy(x, y):
    """``x * log(y)``, 0 where ``x == 0``.

    >>> import eagerkit as ek
    >>> ek.math.xlogy([0.0, 2.0], [0.0, 1.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0., 0.], dtype=float32)>
    """
    check_dtype(x, "Xlogy", INEXACT)
    return _xlogy(x, y)


@defop("Xdivy", same_dtype=True)
def xdivy(x, y):
    """``x / y``, 0 where ``x == 0``.

    >>> import eagerkit as ek
    >>> ek.math.xdivy([0.0, 6.0], [0.0, 3.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0., 2.], dtype=float32)>
    """
    check_dtype(x, "Xdivy", INEXACT)
    safe = jnp.where(x == 0, jnp.ones_like(y), y)
    return jnp.where(x == 0, jnp.zeros_like(x), x / safe)


# -- comparisons and logic ----------------------------------------------------------------
@defop("Equal", same_dtype=True)
def equal(x, y):
    """Elementwise ``x == y`` (bool).

    >>> import eagerkit as ek
    >>> ek.equal([1, 2, 3], 2)
    <tf.Tensor: shape=(3,), dtype=bool, numpy=array([False,  True, False])>
    """
    return jnp.equal(x, y)


@defop("NotEqual", same_dtype=True)
def not_equal(x, y):
    """Elementwise ``x != y`` (bool).

    >>> import eagerkit as ek
    >>> ek.not_equal([1, 2, 3], 2)
    <tf.Tensor: shape=(3,), dtype=bool, numpy=array([ True, False,  True])>
    """
    return jnp.not_equal(x, y)


@defop("Less", same_dtype=True)
def less(x, y):
    """Elementwise ``x < y``.

    >>> import eagerkit as ek
    >>> ek.less([1.0, 2.0, 3.0], 2.0)
    <tf.Tensor: shape=(3,), dtype=bool, numpy=array([ True, False, False])>
    """
    check_dtype(x, "Less", REAL)
    return jnp.less(x, y)


@defop("LessEqual", same_dtype=True)
def less_equal(x, y):
    """Elementwise ``x <= y``.

    >>> import eagerkit as ek
    >>> ek.less_equal([1.0, 2.0, 3.0], 2.0)
    <tf.Tensor: shape=(3,), dtype=bool, numpy=array([ True,  True, False])>
    """
    check_dtype(x, "LessEqual", REAL)
    return jnp.less_equal(x, y)


@defop("Greater", same_dtype=True)
def greater(x, y):
    """Elementwise ``x > y``.

    >>> import eagerkit as ek
    >>> ek.greater([1.0, 2.0, 3.0], 2.0)
    <tf.Tensor: shape=(3,), dtype=bool, numpy=array([False, False,  True])>
    """
    check_dtype(x, "Greater", REAL)
    return jnp.greater(x, y)


@defop("GreaterEqual", same_dtype=True)
def greater_equal(x, y):
    """Elementwise ``x >= y``.

    >>> import eagerkit as ek
    >>> ek.greater_equal([1.0, 2.0, 3.0], 2.0)
    <tf.Tensor: shape=(3,), dtype=bool, numpy=array([False,  True,  True])>
    """
    check_dtype(x, "GreaterEqual", REAL)
    return jnp.greater_equal(x, y)


def _require_bool(x: Any, op: str) -> None:
    if x.dtype != jnp.bool_:
        raise InvalidArgumentError(
            None,
            op,
            f"cannot compute {op} as input #0(zero-based) was expected to be a bool tensor but is a "
            f"{_dtypes.from_numpy(x.dtype).name} tensor [Op:{op}]. Compare first (e.g. x > 0) or ek.cast to ek.bool.",
        )


@defop("LogicalAnd", same_dtype=True)
def logical_and(x, y):
    """Elementwise boolean AND.

    >>> import eagerkit as ek
    >>> ek.logical_and([True, True, False], [True, False, False])
    <tf.Tensor: shape=(3,), dtype=bool, numpy=array([ True, False, False])>
    """
    _require_bool(x, "LogicalAnd")
    return jnp.logical_and(x, y)


@defop("LogicalOr", same_dtype=True)
def logical_or(x, y):
    """Elementwise boolean OR.

    >>> import eagerkit as ek
    >>> ek.logical_or([True, True, False], [True, False, False])
    <tf.Tensor: shape=(3,), dtype=bool, numpy=array([ True,  True, False])>
    """
    _require_bool(x, "LogicalOr")
    return jnp.logical_or(x, y)


@defop("LogicalXor", same_dtype=True)
def logical_xor(x, y):
    """Elementwise boolean XOR.

    >>> import eagerkit as ek
    >>> ek.math.logical_xor([True, True, False], [True, False, False])
    <tf.Tensor: shape=(3,), dtype=bool, numpy=array([False,  True, False])>
    """
    _require_bool(x, "LogicalXor")
    return jnp.logical_xor(x, y)


@defop("LogicalNot")
def logical_not(x):
    """Elementwise boolean NOT.

    >>> import eagerkit as ek
    >>> ek.logical_not([True, False])
    <tf.Tensor: shape=(2,), dtype=bool, numpy=array([False,  True])>
    """
    _require_bool(x, "LogicalNot")
    return jnp.logical_not(x)


@defop("BitwiseAnd", same_dtype=True)
def bitwise_and(x, y):
    """Elementwise bitwise AND of integers (``tf.bitwise.bitwise_and``).

    >>> import eagerkit as ek
    >>> ek.math.bitwise_and([12, 10], [10, 6])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([8, 2], dtype=int32)>
    """
    check_dtype(x, "BitwiseAnd", INT + UINT)
    return jnp.bitwise_and(x, y)


@defop("BitwiseOr", same_dtype=True)
def bitwise_or(x, y):
    """Elementwise bitwise OR of integers.

    >>> import eagerkit as ek
    >>> ek.math.bitwise_or([12, 10], [10, 6])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([14, 14], dtype=int32)>
    """
    check_dtype(x, "BitwiseOr", INT + UINT)
    return jnp.bitwise_or(x, y)


@defop("BitwiseXor", same_dtype=True)
def bitwise_xor(x, y):
    """Elementwise bitwise XOR of integers.

    >>> import eagerkit as ek
    >>> ek.math.bitwise_xor([12, 10], [10, 6])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([ 6, 12], dtype=int32)>
    """
    check_dtype(x, "BitwiseXor", INT + UINT)
    return jnp.bitwise_xor(x, y)


@defop("Invert")
def invert(x):
    """Elementwise bitwise NOT of integers.

    >>> import eagerkit as ek
    >>> ek.math.invert(ek.constant([0, 255], ek.uint8))
    <tf.Tensor: shape=(2,), dtype=uint8, numpy=array([255,   0], dtype=uint8)>
    """
    check_dtype(x, "Invert", INT + UINT)
    return jnp.invert(x)


@defop("LeftShift", same_dtype=True)
def left_shift(x, y):
    """Elementwise ``x << y`` of integers.

    >>> import eagerkit as ek
    >>> ek.math.left_shift([1, 3], [2, 1])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([4, 6], dtype=int32)>
    """
    check_dtype(x, "LeftShift", INT + UINT)
    return jnp.left_shift(x, y)


@defop("RightShift", same_dtype=True)
def right_shift(x, y):
    """Elementwise ``x >> y`` of integers (arithmetic shift for signed types).

    >>> import eagerkit as ek
    >>> ek.math.right_shift([8, -8], [2, 2])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([ 2, -2], dtype=int32)>
    """
    check_dtype(x, "RightShift", INT + UINT)
    return jnp.right_shift(x, y)


# -- unary math -----------------------------------------------------------------------------
def _unary(tf_name: str, fn: Any, doc: str, allowed: tuple = NUMBER) -> Any:
    def op(x):
        check_dtype(x, tf_name, allowed)
        return fn(x)

    op.__name__ = op.__qualname__ = tf_name
    op.__doc__ = doc
    return defop(tf_name)(op)


def _log_sigmoid(x: Any) -> Any:
    return -jax.nn.softplus(-x)


negative = _unary(
    "Neg",
    jnp.negative,
    """Elementwise ``-x``.

    >>> import eagerkit as ek
    >>> ek.negative([1, -2])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([-1,  2], dtype=int32)>
    """,
)


@jax.custom_jvp
def _abs(x: Any) -> Any:
    return jnp.abs(x)


@_abs.defjvp
def _abs_jvp(primals: tuple, tangents: tuple) -> tuple:
    # TF's AbsGrad is ``grad * sign(x)`` (0 at 0; jax's rule gives 1 there). Complex: Re(conj(x) dx) / |x|.
    (x,), (dx,) = primals, tangents
    out = jnp.abs(x)
    if jnp.iscomplexobj(x):
        safe = jnp.where(out == 0, jnp.ones_like(out), out)
        return out, jnp.where(out == 0, jnp.zeros_like(out), jnp.real(jnp.conj(x) * dx) / safe)
    return out, jnp.sign(x) * dx


abs = _unary(  # noqa: A001
    "Abs",
    _abs,
    """Elementwise absolute value (a real tensor for complex input).

    >>> import eagerkit as ek
    >>> ek.abs([-1.5, 2.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1.5, 2. ], dtype=float32)>
    """,
)
sign = _unary(
    "Sign",
    jnp.sign,
    """Elementwise sign (-1, 0 or 1).

    >>> import eagerkit as ek
    >>> ek.sign([-3.0, 0.0, 2.0])
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([-1.,  0.,  1.], dtype=float32)>
    """,
)
square = _unary(
    "Square",
    jnp.square,
    """Elementwise ``x * x``.

    >>> import eagerkit as ek
    >>> ek.square([2, -3])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([4, 9], dtype=int32)>
    """,
)
sqrt = _unary(
    "Sqrt",
    jnp.sqrt,
    """Elementwise square root.

    >>> import eagerkit as ek
    >>> ek.sqrt([4.0, 9.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([2., 3.], dtype=float32)>
    """,
    INEXACT,
)
rsqrt = _unary(
    "Rsqrt",
    jax.lax.rsqrt,
    """Elementwise ``1 / sqrt(x)``.

    >>> import eagerkit as ek
    >>> ek.math.rsqrt([4.0, 16.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.5 , 0.25], dtype=float32)>
    """,
    INEXACT,
)
exp = _unary(
    "Exp",
    jnp.exp,
    """Elementwise ``e ** x``.

    >>> import eagerkit as ek
    >>> ek.exp([0.0, 1.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1.       , 2.7182817], dtype=float32)>
    """,
    INEXACT,
)
expm1 = _unary(
    "Expm1",
    jnp.expm1,
    """Elementwise ``exp(x) - 1``.

    >>> import eagerkit as ek
    >>> ek.math.expm1([0.0])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.], dtype=float32)>
    """,
    INEXACT,
)
log = _unary(
    "Log",
    jnp.log,
    """Elementwise natural logarithm.

    >>> import eagerkit as ek
    >>> ek.math.log([1.0, 100.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.       , 4.6051702], dtype=float32)>
    """,
    INEXACT,
)
log1p = _unary(
    "Log1p",
    jnp.log1p,
    """Elementwise ``log(1 + x)``.

    >>> import eagerkit as ek
    >>> ek.math.log1p([0.0, 1.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.       , 0.6931472], dtype=float32)>
    """,
    INEXACT,
)
log_sigmoid = _unary(
    "LogSigmoid",
    _log_sigmoid,
    """Elementwise ``log(sigmoid(x))``, computed stably.

    >>> import eagerkit as ek
    >>> ek.math.log_sigmoid([0.0, 100.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([-0.6931472, -0.       ], dtype=float32)>
    """,
    FLOAT,
)
sin = _unary(
    "Sin",
    jnp.sin,
    """Elementwise sine.

    >>> import eagerkit as ek
    >>> ek.sin([0.0, 1.5707964])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0., 1.], dtype=float32)>
    """,
    INEXACT,
)
cos = _unary(
    "Cos",
    jnp.cos,
    """Elementwise cosine.

    >>> import eagerkit as ek
    >>> ek.cos([0.0])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([1.], dtype=float32)>
    """,
    INEXACT,
)
tan = _unary(
    "Tan",
    jnp.tan,
    """Elementwise tangent.

    >>> import eagerkit as ek
    >>> ek.tan([0.0])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.], dtype=float32)>
    """,
    INEXACT,
)
asin = _unary(
    "Asin",
    jnp.arcsin,
    """Elementwise arcsine.

    >>> import eagerkit as ek
    >>> ek.asin([0.0, 1.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.       , 1.5707964], dtype=float32)>
    """,
    INEXACT,
)
acos = _unary(
    "Acos",
    jnp.arccos,
    """Elementwise arccosine.

    >>> import eagerkit as ek
    >>> ek.acos([1.0, 0.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.       , 1.5707964], dtype=float32)>
    """,
    INEXACT,
)
atan = _unary(
    "Atan",
    jnp.arctan,
    """Elementwise arctangent.

    >>> import eagerkit as ek
    >>> ek.atan([0.0])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.], dtype=float32)>
    """,
    INEXACT,
)
sinh = _unary(
    "Sinh",
    jnp.sinh,
    """Elementwise hyperbolic sine.

    >>> import eagerkit as ek
    >>> ek.sinh([0.0])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.], dtype=float32)>
    """,
    INEXACT,
)
cosh = _unary(
    "Cosh",
    jnp.cosh,
    """Elementwise hyperbolic cosine.

    >>> import eagerkit as ek
    >>> ek.cosh([0.0])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([1.], dtype=float32)>
    """,
    INEXACT,
)
tanh = _unary(
    "Tanh",
    jnp.tanh,
    """Elementwise hyperbolic tangent.

    >>> import eagerkit as ek
    >>> ek.tanh([-100.0, 0.0, 100.0])
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([-1.,  0.,  1.], dtype=float32)>
    """,
    INEXACT,
)
asinh = _unary(
    "Asinh",
    jnp.arcsinh,
    """Elementwise inverse hyperbolic sine.

    >>> import eagerkit as ek
    >>> ek.asinh([0.0])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.], dtype=float32)>
    """,
    INEXACT,
)
acosh = _unary(
    "Acosh",
    jnp.arccosh,
    """Elementwise inverse hyperbolic cosine.

    >>> import eagerkit as ek
    >>> ek.acosh([1.0])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.], dtype=float32)>
    """,
    INEXACT,
)
atanh = _unary(
    "Atanh",
    jnp.arctanh,
    """Elementwise inverse hyperbolic tangent.

    >>> import eagerkit as ek
    >>> ek.atanh([0.0])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.], dtype=float32)>
    """,
    INEXACT,
)
sigmoid = _unary(
    "Sigmoid",
    jax.nn.sigmoid,
    """Elementwise logistic sigmoid ``1 / (1 + exp(-x))``.

    >>> import eagerkit as ek
    >>> ek.sigmoid([-100.0, 0.0, 100.0])
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([0. , 0.5, 1. ], dtype=float32)>
    """,
    INEXACT,
)
softplus = _unary(
    "Softplus",
    jax.nn.softplus,
    """Elementwise ``log(exp(x) + 1)``, computed stably.

    >>> import eagerkit as ek
    >>> ek.math.softplus([0.0, 100.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([  0.6931472, 100.       ], dtype=float32)>
    """,
    FLOAT,
)
softsign = _unary(
    "Softsign",
    jax.nn.soft_sign,
    """Elementwise ``x / (abs(x) + 1)``.

    >>> import eagerkit as ek
    >>> ek.math.softsign([-1.0, 0.0, 3.0])
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([-0.5 ,  0.  ,  0.75], dtype=float32)>
    """,
    FLOAT,
)
erf = _unary(
    "Erf",
    jsp.erf,
    """Elementwise Gauss error function.

    >>> import eagerkit as ek
    >>> ek.math.erf([0.0])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.], dtype=float32)>
    """,
    FLOAT,
)
erfc = _unary(
    "Erfc",
    jsp.erfc,
    """Elementwise complementary error function.

    >>> import eagerkit as ek
    >>> ek.math.erfc([0.0])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([1.], dtype=float32)>
    """,
    FLOAT,
)
lgamma = _unary(
    "Lgamma",
    jsp.gammaln,
    """Elementwise log of the absolute value of Gamma(x).

    >>> import eagerkit as ek
    >>> ek.math.lgamma([1.0, 3.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([4.7683716e-07, 6.9314742e-01], dtype=float32)>
    """,
    FLOAT,
)
digamma = _unary(
    "Digamma",
    jsp.digamma,
    """Elementwise derivative of lgamma.

    >>> import eagerkit as ek
    >>> ek.math.digamma([1.0])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([-0.5772154], dtype=float32)>
    """,
    FLOAT,
)
reciprocal = _unary(
    "Reciprocal",
    jnp.reciprocal,
    """Elementwise ``1 / x``.

    >>> import eagerkit as ek
    >>> ek.math.reciprocal([2.0, 4.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.5 , 0.25], dtype=float32)>
    """,
    INEXACT,
)
round = _unary(  # noqa: A001
    "Round",
    jnp.round,
    """Rounds half to even, elementwise.

    >>> import eagerkit as ek
    >>> ek.round([0.5, 1.5, 2.5, -0.5])
    <tf.Tensor: shape=(4,), dtype=float32, numpy=array([ 0.,  2.,  2., -0.], dtype=float32)>
    """,
)
rint = _unary(
    "Rint",
    jnp.rint,
    """Rounds half to even, elementwise.

    >>> import eagerkit as ek
    >>> ek.math.rint([0.5, 1.5, 2.7])
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([0., 2., 3.], dtype=float32)>
    """,
    FLOAT,
)
floor = _unary(
    "Floor",
    jnp.floor,
    """Elementwise floor.

    >>> import eagerkit as ek
    >>> ek.floor([-1.5, 1.5])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([-2.,  1.], dtype=float32)>
    """,
    FLOAT,
)
ceil = _unary(
    "Ceil",
    jnp.ceil,
    """Elementwise ceiling.

    >>> import eagerkit as ek
    >>> ek.math.ceil([-1.5, 1.5])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([-1.,  2.], dtype=float32)>
    """,
    FLOAT,
)
is_nan = _unary(
    "IsNan",
    jnp.isnan,
    """Elementwise NaN test.

    >>> import eagerkit as ek
    >>> ek.math.is_nan([1.0, float('nan')])
    <tf.Tensor: shape=(2,), dtype=bool, numpy=array([False,  True])>
    """,
    FLOAT,
)
is_inf = _unary(
    "IsInf",
    jnp.isinf,
    """Elementwise infinity test.

    >>> import eagerkit as ek
    >>> ek.math.is_inf([1.0, float('inf')])
    <tf.Tensor: shape=(2,), dtype=bool, numpy=array([False,  True])>
    """,
    FLOAT,
)
is_finite = _unary(
    "IsFinite",
    jnp.isfinite,
    """Elementwise finiteness test.

    >>> import eagerkit as ek
    >>> ek.math.is_finite([1.0, float('inf'), float('nan')])
    <tf.Tensor: shape=(3,), dtype=bool, numpy=array([ True, False, False])>
    """,
    FLOAT,
)
real = _unary(
    "Real",
    jnp.real,
    """Real part.

    >>> import eagerkit as ek
    >>> ek.math.real([1 + 2j])
    <tf.Tensor: shape=(1,), dtype=float64, numpy=array([1.])>
    """,
)
imag = _unary(
    "Imag",
    jnp.imag,
    """Imaginary part.

    >>> import eagerkit as ek
    >>> ek.math.imag([1 + 2j])
    <tf.Tensor: shape=(1,), dtype=float64, numpy=array([2.])>
    """,
)
conj = _unary(
    "Conj",
    jnp.conj,
    """Complex conjugate.

    >>> import eagerkit as ek
    >>> ek.math.conj([1 + 2j])
    <tf.Tensor: shape=(1,), dtype=complex128, numpy=array([1.-2.j])>
    """,
)
angle = _unary(
    "Angle",
    jnp.angle,
    """Argument of a complex number.

    >>> import eagerkit as ek
    >>> ek.math.angle([1j])
    <tf.Tensor: shape=(1,), dtype=float64, numpy=array([1.57079633])>
    """,
)


@defop("Cast", tensors=("x",))
def cast(x, dtype):
    """Casts to ``dtype`` (floats to ints truncate toward zero, as in TF).

    >>> import eagerkit as ek
    >>> ek.cast(ek.constant([1.7, -1.7]), ek.int32).numpy().tolist()
    [1, -1]
    """
    return x.astype(_dtypes.as_dtype(dtype)._np)


@defop("SaturateCast", tensors=("value",))
def saturate_cast(value, dtype):
    """Casts, clamping to the range of ``dtype`` first.

    >>> import eagerkit as ek
    >>> ek.saturate_cast([-1.0, 300.0], ek.uint8)
    <tf.Tensor: shape=(2,), dtype=uint8, numpy=array([  0, 255], dtype=uint8)>
    """
    target = _dtypes.as_dtype(dtype)
    if jnp.issubdtype(value.dtype, jnp.complexfloating) and not target.is_complex:
        value = jnp.real(value)
    src = np.dtype(value.dtype)
    out = np.dtype(target.real_dtype._np)
    if src != np.bool_ and out != np.bool_ and not jnp.issubdtype(src, jnp.complexfloating):
        # TF's bounds: the output range, nudged toward 0 where it is not representable in the input.
        src_info = ml_dtypes.finfo(src) if jnp.issubdtype(src, jnp.floating) else np.iinfo(src)
        out_info = ml_dtypes.finfo(out) if jnp.issubdtype(out, jnp.floating) else np.iinfo(out)
        lo = src.type(max(float(src_info.min), float(out_info.min)))
        if float(lo) < float(out_info.min):
            lo = np.nextafter(lo, src.type(0)) if jnp.issubdtype(src, jnp.floating) else lo
        hi = src.type(min(float(src_info.max), float(out_info.max)))
        if float(hi) > float(out_info.max):
            hi = np.nextafter(hi, src.type(0)) if jnp.issubdtype(src, jnp.floating) else hi
        value = jnp.clip(value, lo, hi)
    return value.astype(target._np)


# -- reductions -------------------------------------------------------------------------------
@defop("Sum")
def reduce_sum(input_tensor, axis=None, keepdims=False):
    """Sum over ``axis`` (all axes by default); keeps the input dtype.

    >>> import eagerkit as ek
    >>> ek.reduce_sum([[1, 2], [3, 4]], axis=1).numpy().tolist()
    [3, 7]
    """
    check_dtype(input_tensor, "Sum", NUMBER)
    return jnp.sum(input_tensor, axis=norm_axis(axis), keepdims=keepdims, dtype=input_tensor.dtype)


@defop("Mean")
def reduce_mean(input_tensor, axis=None, keepdims=False):
    """Mean over ``axis``; integer inputs give a truncated integer mean, as in TF.

    >>> import eagerkit as ek
    >>> x = ek.constant([[1.0, 2.0], [3.0, 4.0]])
    >>> ek.reduce_mean(x)
    <tf.Tensor: shape=(), dtype=float32, numpy=2.5>
    >>> ek.reduce_mean(x, axis=0)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([2., 3.], dtype=float32)>
    >>> ek.reduce_mean([1, 2])  # integer mean stays integer, as in TF
    <tf.Tensor: shape=(), dtype=int32, numpy=1>
    """
    x = input_tensor
    check_dtype(x, "Mean", NUMBER)
    if jnp.issubdtype(x.dtype, jnp.inexact):
        return jnp.mean(x, axis=norm_axis(axis), keepdims=keepdims)
    total = jnp.sum(x, axis=norm_axis(axis), keepdims=keepdims, dtype=jnp.int64)
    count = x.size // max(total.size, 1) if x.size else 1
    return (total // count + ((total % count != 0) & (total < 0))).astype(x.dtype)


@defop("Max")
def reduce_max(input_tensor, axis=None, keepdims=False):
    """Maximum over ``axis`` (gradient split evenly over ties, as in TF); ``-inf`` (or the
    dtype's minimum) for empty input.

    >>> import eagerkit as ek
    >>> x = ek.constant([[1.0, 5.0], [3.0, 2.0]])
    >>> ek.reduce_max(x)
    <tf.Tensor: shape=(), dtype=float32, numpy=5.0>
    >>> ek.reduce_max(x, axis=0)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 5.], dtype=float32)>
    """
    check_dtype(input_tensor, "Max", REAL)
    return _reduce_extreme(input_tensor, axis, keepdims, jnp.max)


@defop("Min")
def reduce_min(input_tensor, axis=None, keepdims=False):
    """Minimum over ``axis`` (gradient split evenly over ties, as in TF); ``inf`` (or the
    dtype's maximum) for empty input.

    >>> import eagerkit as ek
    >>> x = ek.constant([[1.0, 5.0], [3.0, 2.0]])
    >>> ek.reduce_min(x, axis=1, keepdims=True)
    <tf.Tensor: shape=(2, 1), dtype=float32, numpy=
    array([[1.],
           [2.]], dtype=float32)>
    """
    check_dtype(input_tensor, "Min", REAL)
    return _reduce_extreme(input_tensor, axis, keepdims, jnp.min)


def _reduce_extreme(x: Any, axis: Any, keepdims: bool, fn: Any) -> Any:
    axis = norm_axis(axis)
    if x.size == 0:  # TF returns the reduction's identity
        floating = jnp.issubdtype(x.dtype, jnp.floating)
        info = None if floating else jnp.iinfo(x.dtype)
        if fn is jnp.max:
            identity = -jnp.inf if floating else info.min
        else:
            identity = jnp.inf if floating else info.max
        shape = jnp.sum(jnp.zeros(x.shape, jnp.int8), axis=axis, keepdims=keepdims).shape
        return jnp.full(shape, identity, x.dtype)
    # JAX's own derivative of max/min already splits the gradient evenly over ties, as TF does.
    return fn(x, axis=axis, keepdims=keepdims)


@defop("Prod")
def reduce_prod(input_tensor, axis=None, keepdims=False):
    """Product over ``axis``; keeps the input dtype.

    >>> import eagerkit as ek
    >>> ek.reduce_prod([[1.0, 2.0], [3.0, 4.0]], axis=1)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([ 2., 12.], dtype=float32)>
    """
    check_dtype(input_tensor, "Prod", NUMBER)
    return jnp.prod(input_tensor, axis=norm_axis(axis), keepdims=keepdims, dtype=input_tensor.dtype)


@defop("Any")
def reduce_any(input_tensor, axis=None, keepdims=False):
    """Logical OR over ``axis`` (bool input).

    >>> import eagerkit as ek
    >>> x = ek.constant([[True, False], [False, False]])
    >>> ek.reduce_any(x)
    <tf.Tensor: shape=(), dtype=bool, numpy=True>
    >>> ek.reduce_any(x, axis=1)
    <tf.Tensor: shape=(2,), dtype=bool, numpy=array([ True, False])>
    """
    _require_bool(input_tensor, "Any")
    return jnp.any(input_tensor, axis=norm_axis(axis), keepdims=keepdims)


@defop("All")
def reduce_all(input_tensor, axis=None, keepdims=False):
    """Logical AND over ``axis`` (bool input).

    >>> import eagerkit as ek
    >>> x = ek.constant([[True, True], [False, True]])
    >>> ek.reduce_all(x)
    <tf.Tensor: shape=(), dtype=bool, numpy=False>
    >>> ek.reduce_all(x, axis=1)
    <tf.Tensor: shape=(2,), dtype=bool, numpy=array([ True, False])>
    """
    _require_bool(input_tensor, "All")
    return jnp.all(input_tensor, axis=norm_axis(axis), keepdims=keepdims)


@defop("ReduceLogSumExp")
def reduce_logsumexp(input_tensor, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` over ``axis``, computed stably.

    >>> import eagerkit as ek
    >>> ek.reduce_logsumexp([[0.0, 0.0], [1000.0, 1000.0]], axis=1)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([6.9314718e-01, 1.0006932e+03], dtype=float32)>
    """
    check_dtype(input_tensor, "ReduceLogSumExp", FLOAT)
    return jax.nn.logsumexp(input_tensor, axis=norm_axis(axis), keepdims=keepdims)


@defop("ReduceVariance")
def reduce_variance(input_tensor, axis=None, keepdims=False):
    """Population variance over ``axis`` (real for complex input).

    >>> import eagerkit as ek
    >>> ek.math.reduce_variance([[1.0, 2.0], [3.0, 4.0]])
    <tf.Tensor: shape=(), dtype=float32, numpy=1.25>
    """
    check_dtype(input_tensor, "ReduceVariance", INEXACT)
    return jnp.var(input_tensor, axis=norm_axis(axis), keepdims=keepdims)


@defop("ReduceStd")
def reduce_std(input_tensor, axis=None, keepdims=False):
    """Population standard deviation over ``axis``.

    >>> import eagerkit as ek
    >>> ek.math.reduce_std([[1.0, 2.0], [3.0, 4.0]], axis=1)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.5, 0.5], dtype=float32)>
    """
    check_dtype(input_tensor, "ReduceStd", INEXACT)
    return jnp.std(input_tensor, axis=norm_axis(axis), keepdims=keepdims)


@defop("EuclideanNorm")
def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False):
    """``sqrt(sum(x ** 2))`` over ``axis``.

    >>> import eagerkit as ek
    >>> ek.math.reduce_euclidean_norm([[3.0, 4.0], [6.0, 8.0]], axis=1)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([ 5., 10.], dtype=float32)>
    """
    x = input_tensor
    check_dtype(x, "EuclideanNorm", NUMBER)
    return jnp.sqrt(jnp.sum(x * x, axis=norm_axis(axis), keepdims=keepdims, dtype=x.dtype)).astype(x.dtype)


@defop("ArgMax")
def argmax(input, axis=None, output_type=_dtypes.int64):  # noqa: A002
    """Index of the largest value along ``axis`` (default 0); int64 by default.

    >>> import eagerkit as ek
    >>> ek.argmax([[1, 5], [7, 3]], axis=1).numpy().tolist()
    [1, 0]
    """
    check_dtype(input, "ArgMax", REAL)
    return jnp.argmax(input, axis=0 if axis is None else int(axis)).astype(_np(output_type))


@defop("ArgMin")
def argmin(input, axis=None, output_type=_dtypes.int64):  # noqa: A002
    """Index of the smallest value along ``axis`` (default 0); int64 by default.

    >>> import eagerkit as ek
    >>> ek.argmin([[3, 1], [0, 4]], axis=1)
    <tf.Tensor: shape=(2,), dtype=int64, numpy=array([1, 0])>
    """
    check_dtype(input, "ArgMin", REAL)
    return jnp.argmin(input, axis=0 if axis is None else int(axis)).astype(_np(output_type))


@defop("CountNonzero")
def count_nonzero(input, axis=None, keepdims=False, dtype=_dtypes.int64):  # noqa: A002
    """Number of non-zero elements along ``axis``.

    >>> import eagerkit as ek
    >>> ek.math.count_nonzero([[0, 1], [2, 3]])
    <tf.Tensor: shape=(), dtype=int64, numpy=3>
    >>> ek.math.count_nonzero([[0, 1], [2, 3]], axis=1)
    <tf.Tensor: shape=(2,), dtype=int64, numpy=array([1, 2])>
    """
    return jnp.sum(input != 0, axis=norm_axis(axis), keepdims=keepdims).astype(_np(dtype))


@defop("Cumsum")
def cumsum(x, axis=0, exclusive=False, reverse=False):
    """Cumulative sum along ``axis`` (``exclusive`` / ``reverse`` as in TF).

    >>> import eagerkit as ek
    >>> ek.cumsum([1, 2, 3], exclusive=True).numpy().tolist()
    [0, 1, 3]
    """
    check_dtype(x, "Cumsum", NUMBER)
    return _cumulative(x, axis, exclusive, reverse, jnp.cumsum, 0)


@defop("Cumprod")
def cumprod(x, axis=0, exclusive=False, reverse=False):
    """Cumulative product along ``axis``.

    >>> import eagerkit as ek
    >>> ek.math.cumprod([1, 2, 3, 4])
    <tf.Tensor: shape=(4,), dtype=int32, numpy=array([ 1,  2,  6, 24], dtype=int32)>
    >>> ek.math.cumprod([1, 2, 3, 4], exclusive=True)
    <tf.Tensor: shape=(4,), dtype=int32, numpy=array([1, 1, 2, 6], dtype=int32)>
    """
    check_dtype(x, "Cumprod", NUMBER)
    return _cumulative(x, axis, exclusive, reverse, jnp.cumprod, 1)


def _cumulative(x: Any, axis: int, exclusive: bool, reverse: bool, fn: Any, identity: int) -> Any:
    axis = int(axis)
    if reverse:
        x = jnp.flip(x, axis)
    out = fn(x, axis=axis, dtype=x.dtype)
    if exclusive:
        pad = [(0, 0)] * x.ndim
        pad[axis] = (1, 0)
        out = jnp.pad(out, pad, constant_values=identity)
        out = jax.lax.slice_in_dim(out, 0, x.shape[axis], axis=axis)
    if reverse:
        out = jnp.flip(out, axis)
    return out


@defop("AddN", tensor_lists=("inputs",), same_dtype=True)
def add_n(inputs):
    """Sum of a list of tensors of the same shape and dtype.

    >>> import eagerkit as ek
    >>> ek.add_n([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([ 9., 12.], dtype=float32)>
    """
    if not inputs:
        raise ValueError("add_n: inputs must be a non-empty list of tensors.")
    shapes = {tuple(x.shape) for x in inputs}
    if len(shapes) > 1:
        raise InvalidArgumentError(None, "AddN", f"add_n: all inputs must have the same shape, got {sorted(shapes)}")
    out = inputs[0]
    for x in inputs[1:]:
        out = out + x
    return out


# -- matrix products ------------------------------------------------------------------------
@defop("MatMul", same_dtype=True)
def matmul(
    a,
    b,
    transpose_a=False,
    transpose_b=False,
    adjoint_a=False,
    adjoint_b=False,
    a_is_sparse=False,
    b_is_sparse=False,
    output_type=None,
):
    """Matrix product of the inner two dimensions (batched over leading ones).

    >>> import eagerkit as ek
    >>> print(ek.matmul([[2.0]], [[2.0]]))
    tf.Tensor([[4.]], shape=(1, 1), dtype=float32)
    """
    if a.ndim < 2 or b.ndim < 2:
        raise InvalidArgumentError(
            None,
            "MatMul",
            f"In[0] and In[1] must be at least rank 2 (matrices), got shapes "
            f"{list(a.shape)} and {list(b.shape)}. Use ek.tensordot or reshape vectors to [1, n]. [Op:MatMul]",
        )
    if transpose_a or adjoint_a:
        a = jnp.swapaxes(a, -1, -2)
        a = jnp.conj(a) if adjoint_a else a
    if transpose_b or adjoint_b:
        b = jnp.swapaxes(b, -1, -2)
        b = jnp.conj(b) if adjoint_b else b
    if a.shape[-1] != b.shape[-2]:
        raise InvalidArgumentError(
            None,
            "MatMul",
            f"Matrix size-incompatible: In[0]: {list(a.shape)}, In[1]: {list(b.shape)} "
            f"(inner dimensions {a.shape[-1]} and {b.shape[-2]} differ) [Op:MatMul]",
        )
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise InvalidArgumentError(
            None,
            "MatMul",
            f"In[0] and In[1] must have compatible batch dimensions: {list(a.shape)} vs. "
            f"{list(b.shape)} [Op:BatchMatMulV2]",
        ) from None
    out = jnp.matmul(a, b)
    return out if output_type is None else out.astype(_np(output_type))


@defop("Einsum", tensors=(), tensor_lists=("inputs",))
def _einsum(inputs, equation):
    return jnp.einsum(equation, *inputs)


def einsum(equation: str, *inputs: Any, **kwargs: Any) -> Tensor:
    """Einstein summation (``tf.einsum``).

    >>> import eagerkit as ek
    >>> ek.einsum("ij,jk->ik", [[1.0, 2.0]], [[3.0], [4.0]]).numpy().tolist()
    [[11.0]]
    """
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"einsum got unexpected keyword arguments {sorted(kwargs)}")
    return _einsum(list(inputs), equation)


@defop("TensorDot", tensors=("a", "b"), same_dtype=True)
def tensordot(a, b, axes):
    """Tensor contraction over ``axes`` (an int or a pair of axis lists).

    >>> import eagerkit as ek
    >>> a = ek.ones([2, 3])
    >>> b = ek.ones([3, 4])
    >>> ek.tensordot(a, b, axes=1).shape
    TensorShape([2, 4])
    >>> ek.tensordot([1.0, 2.0], [3.0, 4.0], axes=1)
    <tf.Tensor: shape=(), dtype=float32, numpy=11.0>
    """
    if isinstance(axes, (tuple, list)) and len(axes) == 2 and not isinstance(axes[0], int):
        axes = (tuple(axes[0]), tuple(axes[1]))
    return jnp.tensordot(a, b, axes=axes)


@defop("L2Normalize")
def l2_normalize(x, axis=None, epsilon=1e-12):
    """``x / sqrt(max(sum(x ** 2), epsilon))`` along ``axis``.

    >>> import eagerkit as ek
    >>> ek.linalg.l2_normalize([3.0, 4.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.6, 0.8], dtype=float32)>
    """
    sq = jnp.sum(x * x, axis=norm_axis(axis), keepdims=True)
    return x * jax.lax.rsqrt(jnp.maximum(sq, epsilon))


@defop("Polyval", tensor_lists=("coeffs",))
def polyval(coeffs, x):
    """Evaluates a polynomial with Horner's rule.

    >>> import eagerkit as ek
    >>> ek.math.polyval([2.0, 0.0, 1.0], ek.constant(3.0))  # 2 * 3**2 + 0 * 3 + 1
    <tf.Tensor: shape=(), dtype=float32, numpy=19.0>
    """
    out = jnp.zeros_like(x)
    for c in coeffs:
        out = out * x + c
    return out


@defop("MulNoNan", same_dtype=True)
def multiply_no_nan(x, y):
    """``x * y``, or 0 where ``y == 0`` (even if ``x`` is inf or NaN).

    >>> import eagerkit as ek
    >>> ek.math.multiply_no_nan([float("inf"), 2.0], [0.0, 3.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0., 6.], dtype=float32)>
    """
    check_dtype(x, "MulNoNan", INEXACT)
    return jnp.where(y == 0, jnp.zeros((), x.dtype), x * y)


@defop("ReciprocalNoNan")
def reciprocal_no_nan(x):
    """``1 / x``, or 0 where ``x == 0``.

    >>> import eagerkit as ek
    >>> ek.math.reciprocal_no_nan([0.0, 4.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.  , 0.25], dtype=float32)>
    """
    check_dtype(x, "ReciprocalNoNan", INEXACT)
    safe = jnp.where(x == 0, jnp.ones((), x.dtype), x)
    return jnp.where(x == 0, jnp.zeros((), x.dtype), 1 / safe)


# -- segment reductions ---------------------------------------------------------------------------
def _check_segment_ids(ids: Any, num_segments: int, op: str) -> None:
    check_dtype(ids, op, ("int32", "int64"))
    if context.is_symbolic(ids):
        return
    v = np.asarray(ids)
    bad = (v < 0) | (v >= num_segments)
    if bad.any():
        pos = tuple(int(p) for p in np.argwhere(bad)[0])
        raise InvalidArgumentError(
            None,
            op,
            f"segment_ids[{','.join(map(str, pos))}] = {v[pos]} is out of range [0, {num_segments}) [Op:{op}]",
        )


def _segment_reduce(data: Any, ids: Any, num_segments: int, kind: str, empty: str) -> Any:
    """Reduces the rows of ``data`` by segment; ``empty`` says what empty segments hold."""
    ids = ids.astype(jnp.int32)
    n = int(num_segments)
    if ids.ndim > 1:  # ids index the leading ids.ndim dimensions of data
        data = data.reshape((-1,) + data.shape[ids.ndim :])
        ids = ids.reshape(-1)
    count = jax.ops.segment_sum(jnp.ones(ids.shape, jnp.int32), ids, n)
    count = count.reshape((n,) + (1,) * (data.ndim - 1))
    if kind in ("sum", "mean", "sqrt_n"):
        out = jax.ops.segment_sum(data, ids, n)
        if kind == "mean":
            out = out / jnp.maximum(count, 1).astype(out.dtype)
        elif kind == "sqrt_n":
            out = out / jnp.sqrt(jnp.maximum(count, 1).astype(out.dtype))
        return out.astype(data.dtype)
    fn = {"max": jax.ops.segment_max, "min": jax.ops.segment_min, "prod": jax.ops.segment_prod}[kind]
    out = fn(data, ids, n)
    if kind == "prod":
        return out
    if empty == "zero":
        fill = jnp.zeros((), data.dtype)
    elif jnp.issubdtype(data.dtype, jnp.floating):
        info = jnp.finfo(data.dtype)
        fill = jnp.asarray(info.min if kind == "max" else info.max, data.dtype)
    else:
        info = jnp.iinfo(data.dtype)
        fill = jnp.asarray(info.min if kind == "max" else info.max, data.dtype)
    return jnp.where(count > 0, out, fill)


def _unsorted_segment(kind: str, tf_name: str, allowed: tuple, example: str) -> Any:
    @defop(tf_name, tensors=("data", "segment_ids"), jit=False)
    def op(data, segment_ids, num_segments):
        check_dtype(data, tf_name, allowed)
        _check_segment_ids(segment_ids, int(num_segments), tf_name)
        return _segment_jit(data, segment_ids, int(num_segments), kind, "identity")

    op.__doc__ = (
        f"Segment {kind} of the rows of ``data`` grouped by ``segment_ids`` into ``num_segments`` segments "
        f"(any order; ``tf.math.unsorted_segment_{kind}``). Ids outside ``[0, num_segments)`` raise.\n" + example
    )
    return op


_segment_jit = jax.jit(_segment_reduce, static_argnums=(2, 3, 4))
unsorted_segment_sum = _unsorted_segment(
    "sum",
    "UnsortedSegmentSum",
    NUMBER,
    """
    >>> import eagerkit as ek
    >>> ek.math.unsorted_segment_sum([1, 2, 3, 4], [0, 1, 0, 1], num_segments=2)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([4, 6], dtype=int32)>
    """,
)
unsorted_segment_mean = _unsorted_segment(
    "mean",
    "UnsortedSegmentMean",
    INEXACT,
    """
    >>> import eagerkit as ek
    >>> ek.math.unsorted_segment_mean([1.0, 2.0, 3.0, 4.0], [0, 1, 0, 1], num_segments=2)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([2., 3.], dtype=float32)>
    """,
)
unsorted_segment_sqrt_n = _unsorted_segment(
    "sqrt_n",
    "UnsortedSegmentSqrtN",
    INEXACT,
    """
    >>> import eagerkit as ek
    >>> ek.math.unsorted_segment_sqrt_n([1.0, 2.0, 3.0, 4.0], [0, 1, 0, 1], num_segments=2)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([2.828427 , 4.2426405], dtype=float32)>
    """,
)
unsorted_segment_max = _unsorted_segment(
    "max",
    "UnsortedSegmentMax",
    REAL,
    """
    >>> import eagerkit as ek
    >>> ek.math.unsorted_segment_max([1, 2, 3, 4], [0, 1, 0, 1], num_segments=2)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([3, 4], dtype=int32)>
    """,
)
unsorted_segment_min = _unsorted_segment(
    "min",
    "UnsortedSegmentMin",
    REAL,
    """
    >>> import eagerkit as ek
    >>> ek.math.unsorted_segment_min([1, 2, 3, 4], [0, 1, 0, 1], num_segments=2)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)>
    """,
)
unsorted_segment_prod = _unsorted_segment(
    "prod",
    "UnsortedSegmentProd",
    NUMBER,
    """
    >>> import eagerkit as ek
    >>> ek.math.unsorted_segment_prod([1, 2, 3, 4], [0, 1, 0, 1], num_segments=2)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([3, 8], dtype=int32)>
    """,
)


def _sorted_segment(kind: str, tf_name: str, allowed: tuple, example: str) -> Any:
    @defop(tf_name, jit=False)
    def op(data, segment_ids):
        check_dtype(data, tf_name, allowed)
        check_dtype(segment_ids, tf_name, ("int32", "int64"))
        if context.is_symbolic(segment_ids):
            raise InvalidArgumentError(
                None,
                tf_name,
                f"segment_{kind} needs concrete segment_ids (its output size is max(segment_ids) + 1); inside "
                f"ek.function use ek.math.unsorted_segment_{kind} with a static num_segments. [Op:{tf_name}]",
            )
        ids = np.asarray(segment_ids)
        if ids.ndim != 1 or ids.shape[0] != data.shape[0]:
            raise InvalidArgumentError(
                None, tf_name, f"segment_ids should be a vector of length {data.shape[0]}, got shape {list(ids.shape)}"
            )
        if ids.size and (np.any(np.diff(ids) < 0) or ids[0] < 0):
            raise InvalidArgumentError(None, tf_name, f"segment ids are not increasing [Op:{tf_name}]")
        n = int(ids[-1]) + 1 if ids.size else 0
        return _segment_jit(data, segment_ids, n, kind, "zero")

    op.__doc__ = (
        f"Segment {kind} of the rows of ``data`` by sorted ``segment_ids``; the result has "
        f"``max(segment_ids) + 1`` rows, empty segments are 0 (``tf.math.segment_{kind}``).\n" + example
    )
    return op


segment_sum = _sorted_segment(
    "sum",
    "SegmentSum",
    NUMBER,
    """
    >>> import eagerkit as ek
    >>> ek.math.segment_sum([1, 2, 3, 4], [0, 0, 1, 1])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([3, 7], dtype=int32)>
    """,
)
segment_mean = _sorted_segment(
    "mean",
    "SegmentMean",
    INEXACT,
    """
    >>> import eagerkit as ek
    >>> ek.math.segment_mean([1.0, 2.0, 3.0, 4.0], [0, 0, 1, 1])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1.5, 3.5], dtype=float32)>
    """,
)
segment_max = _sorted_segment(
    "max",
    "SegmentMax",
    REAL,
    """
    >>> import eagerkit as ek
    >>> ek.math.segment_max([1, 2, 3, 4], [0, 0, 1, 1])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([2, 4], dtype=int32)>
    """,
)
segment_min = _sorted_segment(
    "min",
    "SegmentMin",
    REAL,
    """
    >>> import eagerkit as ek
    >>> ek.math.segment_min([1, 2, 3, 4], [0, 0, 1, 1])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 3], dtype=int32)>
    """,
)
segment_prod = _sorted_segment(
    "prod",
    "SegmentProd",
    NUMBER,
    """
    >>> import eagerkit as ek
    >>> ek.math.segment_prod([1, 2, 3, 4], [0, 0, 1, 1])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([ 2, 12], dtype=int32)>
    """,
)


@defop("Bincount", tensors=("arr", "weights"), jit=False)
def _bincount(arr, weights, minlength, maxlength, dtype):
    check_dtype(arr, "Bincount", ("int32", "int64"))
    if context.is_symbolic(arr) and minlength is None:
        raise InvalidArgumentError(
            None, "Bincount", "bincount inside ek.function needs minlength (its output size depends on values)."
        )
    size = 0 if context.is_symbolic(arr) else (int(np.asarray(arr).max()) + 1 if arr.size else 0)
    if not context.is_symbolic(arr) and arr.size and int(np.asarray(arr).min()) < 0:
        raise InvalidArgumentError(None, "Bincount", "bincount: values must be non-negative [Op:Bincount]")
    if minlength is not None:
        size = max(size, int(minlength))
    if maxlength is not None:
        size = min(size, int(maxlength))
    return _bincount_jit(arr, weights, size, dtype)


@functools.partial(jax.jit, static_argnums=(2, 3))
def _bincount_jit(arr: Any, weights: Any, size: int, dtype: str) -> Any:
    flat = arr.reshape(-1)
    w = jnp.ones(flat.shape, _dtypes.as_dtype(dtype)._np) if weights is None else weights.reshape(-1)
    keep = flat < size
    return jax.ops.segment_sum(jnp.where(keep, w, jnp.zeros((), w.dtype)), jnp.where(keep, flat, 0), size)


def bincount(
    arr: Any,
    weights: Any = None,
    minlength: int | None = None,
    maxlength: int | None = None,
    dtype: Any = _dtypes.int32,
    name: str | None = None,
) -> Tensor:
    """Counts of each value in the non-negative integer ``arr`` (weighted sums with ``weights``).

    >>> import eagerkit as ek
    >>> ek.math.bincount([1, 1, 3]).numpy().tolist()
    [0, 2, 0, 1]
    """
    return _bincount(arr, weights, minlength=minlength, maxlength=maxlength, dtype=_dtypes.as_dtype(dtype).name)
