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

from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import numpy as np

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


# -- binary arithmetic ----------------------------------------------------------------------
@defop("AddV2", same_dtype=True)
def add(x, y):
    """``x + y`` elementwise with broadcasting (``tf.math.add``)."""
    return jnp.add(x, y)


@defop("Sub", same_dtype=True)
def subtract(x, y):
    """``x - y`` elementwise (``tf.math.subtract``)."""
    return jnp.subtract(x, y)


@defop("Mul", same_dtype=True)
def multiply(x, y):
    """``x * y`` elementwise (``tf.math.multiply``)."""
    return jnp.multiply(x, y)


def _true_div_dtype(dtype: Any) -> Any:
    if jnp.issubdtype(dtype, jnp.integer):
        return jnp.float32 if jnp.dtype(dtype).itemsize <= 2 else jnp.float64
    return None


@defop("RealDiv", same_dtype=True)
def truediv(x, y):
    """``x / y``; integers are first cast to float64 (float32 for 8/16-bit), as in TF."""
    target = _true_div_dtype(x.dtype)
    if target is not None:
        x, y = x.astype(target), y.astype(target)
    return jnp.true_divide(x, y)


divide = truediv
realdiv = truediv


@defop("DivNoNan", same_dtype=True)
def divide_no_nan(x, y):
    """``x / y``, or 0 where ``y == 0``."""
    safe = jnp.where(y == 0, jnp.ones_like(y), y)
    return jnp.where(y == 0, jnp.zeros_like(x), x / safe)


@defop("FloorDiv", same_dtype=True)
def floordiv(x, y):
    """``x // y`` rounding toward negative infinity."""
    return jnp.floor_divide(x, y)


@defop("FloorMod", same_dtype=True)
def floormod(x, y):
    """``x % y`` with the sign of ``y`` (Python semantics)."""
    return jnp.mod(x, y)


mod = floormod


@defop("Pow", same_dtype=True)
def pow(x, y):  # noqa: A001 - TF's name
    """``x ** y`` elementwise."""
    return jnp.power(x, y)


@defop("Maximum", same_dtype=True)
def maximum(x, y):
    """Elementwise maximum (gradient goes to ``x`` on ties, as in TF)."""
    return jnp.where(x >= y, x, y)


@defop("Minimum", same_dtype=True)
def minimum(x, y):
    """Elementwise minimum (gradient goes to ``x`` on ties, as in TF)."""
    return jnp.where(x <= y, x, y)


@defop("SquaredDifference", same_dtype=True)
def squared_difference(x, y):
    """``(x - y) ** 2`` elementwise."""
    d = x - y
    return d * d


@defop("Atan2", same_dtype=True)
def atan2(y, x):
    """Elementwise arctangent of ``y / x``."""
    return jnp.arctan2(y, x)


@defop("Xlogy", same_dtype=True)
def xlogy(x, y):
    """``x * log(y)``, 0 where ``x == 0``."""
    return jsp.xlogy(x, y)


@defop("Xdivy", same_dtype=True)
def xdivy(x, y):
    """``x / y``, 0 where ``x == 0``."""
    safe = jnp.where(x == 0, jnp.ones_like(y), y)
    return jnp.where(x == 0, jnp.zeros_like(x), x / safe)


# -- comparisons and logic ----------------------------------------------------------------
@defop("Equal", same_dtype=True)
def equal(x, y):
    """Elementwise ``x == y`` (bool)."""
    return jnp.equal(x, y)


@defop("NotEqual", same_dtype=True)
def not_equal(x, y):
    """Elementwise ``x != y`` (bool)."""
    return jnp.not_equal(x, y)


@defop("Less", same_dtype=True)
def less(x, y):
    """Elementwise ``x < y``."""
    return jnp.less(x, y)


@defop("LessEqual", same_dtype=True)
def less_equal(x, y):
    """Elementwise ``x <= y``."""
    return jnp.less_equal(x, y)


@defop("Greater", same_dtype=True)
def greater(x, y):
    """Elementwise ``x > y``."""
    return jnp.greater(x, y)


@defop("GreaterEqual", same_dtype=True)
def greater_equal(x, y):
    """Elementwise ``x >= y``."""
    return jnp.greater_equal(x, y)


def _require_bool(x: Any, op: str) -> None:
    if x.dtype != jnp.bool_:
        raise TypeError(f"{op} expects bool tensors, got {x.dtype}; compare first (e.g. x > 0).")


@defop("LogicalAnd", same_dtype=True)
def logical_and(x, y):
    """Elementwise boolean AND."""
    _require_bool(x, "LogicalAnd")
    return jnp.logical_and(x, y)


@defop("LogicalOr", same_dtype=True)
def logical_or(x, y):
    """Elementwise boolean OR."""
    _require_bool(x, "LogicalOr")
    return jnp.logical_or(x, y)


@defop("LogicalXor", same_dtype=True)
def logical_xor(x, y):
    """Elementwise boolean XOR."""
    _require_bool(x, "LogicalXor")
    return jnp.logical_xor(x, y)


@defop("LogicalNot")
def logical_not(x):
    """Elementwise boolean NOT."""
    _require_bool(x, "LogicalNot")
    return jnp.logical_not(x)


@defop("BitwiseAnd", same_dtype=True)
def bitwise_and(x, y):
    return jnp.bitwise_and(x, y)


@defop("BitwiseOr", same_dtype=True)
def bitwise_or(x, y):
    return jnp.bitwise_or(x, y)


@defop("BitwiseXor", same_dtype=True)
def bitwise_xor(x, y):
    return jnp.bitwise_xor(x, y)


@defop("Invert")
def invert(x):
    return jnp.invert(x)


# -- unary math -----------------------------------------------------------------------------
def _unary(tf_name: str, fn: Any, doc: str) -> Any:
    def op(x):
        return fn(x)

    op.__name__ = op.__qualname__ = tf_name
    op.__doc__ = doc
    return defop(tf_name)(op)


negative = _unary("Neg", jnp.negative, "Elementwise ``-x``.")
abs = _unary("Abs", jnp.abs, "Elementwise absolute value.")  # noqa: A001
sign = _unary("Sign", jnp.sign, "Elementwise sign (-1, 0 or 1).")
square = _unary("Square", jnp.square, "Elementwise ``x * x``.")
sqrt = _unary("Sqrt", jnp.sqrt, "Elementwise square root.")
rsqrt = _unary("Rsqrt", jax.lax.rsqrt, "Elementwise ``1 / sqrt(x)``.")
exp = _unary("Exp", jnp.exp, "Elementwise ``e ** x``.")
expm1 = _unary("Expm1", jnp.expm1, "Elementwise ``exp(x) - 1``.")
log = _unary("Log", jnp.log, "Elementwise natural logarithm.")
log1p = _unary("Log1p", jnp.log1p, "Elementwise ``log(1 + x)``.")
sin = _unary("Sin", jnp.sin, "Elementwise sine.")
cos = _unary("Cos", jnp.cos, "Elementwise cosine.")
tan = _unary("Tan", jnp.tan, "Elementwise tangent.")
asin = _unary("Asin", jnp.arcsin, "Elementwise arcsine.")
acos = _unary("Acos", jnp.arccos, "Elementwise arccosine.")
atan = _unary("Atan", jnp.arctan, "Elementwise arctangent.")
sinh = _unary("Sinh", jnp.sinh, "Elementwise hyperbolic sine.")
cosh = _unary("Cosh", jnp.cosh, "Elementwise hyperbolic cosine.")
tanh = _unary("Tanh", jnp.tanh, "Elementwise hyperbolic tangent.")
asinh = _unary("Asinh", jnp.arcsinh, "Elementwise inverse hyperbolic sine.")
acosh = _unary("Acosh", jnp.arccosh, "Elementwise inverse hyperbolic cosine.")
atanh = _unary("Atanh", jnp.arctanh, "Elementwise inverse hyperbolic tangent.")
sigmoid = _unary("Sigmoid", jax.nn.sigmoid, "Elementwise logistic sigmoid ``1 / (1 + exp(-x))``.")
softplus = _unary("Softplus", jax.nn.softplus, "Elementwise ``log(exp(x) + 1)``, computed stably.")
softsign = _unary("Softsign", jax.nn.soft_sign, "Elementwise ``x / (abs(x) + 1)``.")
erf = _unary("Erf", jsp.erf, "Elementwise Gauss error function.")
erfc = _unary("Erfc", jsp.erfc, "Elementwise complementary error function.")
lgamma = _unary("Lgamma", jsp.gammaln, "Elementwise log of the absolute value of Gamma(x).")
digamma = _unary("Digamma", jsp.digamma, "Elementwise derivative of lgamma.")
reciprocal = _unary("Reciprocal", jnp.reciprocal, "Elementwise ``1 / x``.")
round = _unary("Round", jnp.round, "Rounds half to even, elementwise.")  # noqa: A001
rint = _unary("Rint", jnp.rint, "Rounds half to even, elementwise.")
floor = _unary("Floor", jnp.floor, "Elementwise floor.")
ceil = _unary("Ceil", jnp.ceil, "Elementwise ceiling.")
is_nan = _unary("IsNan", jnp.isnan, "Elementwise NaN test.")
is_inf = _unary("IsInf", jnp.isinf, "Elementwise infinity test.")
is_finite = _unary("IsFinite", jnp.isfinite, "Elementwise finiteness test.")
real = _unary("Real", jnp.real, "Real part.")
imag = _unary("Imag", jnp.imag, "Imaginary part.")
conj = _unary("Conj", jnp.conj, "Complex conjugate.")
angle = _unary("Angle", jnp.angle, "Argument of a complex number.")


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
    """Casts, clamping to the range of ``dtype`` first."""
    target = _dtypes.as_dtype(dtype)
    if target.is_integer and not jnp.issubdtype(value.dtype, jnp.complexfloating):
        info = jnp.iinfo(target._np)
        value = jnp.clip(value, info.min, info.max)
    return value.astype(target._np)


# -- reductions -------------------------------------------------------------------------------
@defop("Sum")
def reduce_sum(input_tensor, axis=None, keepdims=False):
    """Sum over ``axis`` (all axes by default); keeps the input dtype."""
    return jnp.sum(input_tensor, axis=norm_axis(axis), keepdims=keepdims, dtype=input_tensor.dtype)


@defop("Mean")
def reduce_mean(input_tensor, axis=None, keepdims=False):
    """Mean over ``axis``; integer inputs give a truncated integer mean, as in TF."""
    x = input_tensor
    if jnp.issubdtype(x.dtype, jnp.inexact):
        return jnp.mean(x, axis=norm_axis(axis), keepdims=keepdims)
    total = jnp.sum(x, axis=norm_axis(axis), keepdims=keepdims, dtype=jnp.int64)
    count = x.size // max(total.size, 1) if x.size else 1
    return jnp.trunc(total / count).astype(x.dtype) if x.dtype != jnp.bool_ else (total / count)


@defop("Max")
def reduce_max(input_tensor, axis=None, keepdims=False):
    """Maximum over ``axis`` (gradient split evenly over ties, as in TF)."""
    return _reduce_extreme(input_tensor, axis, keepdims, jnp.max)


@defop("Min")
def reduce_min(input_tensor, axis=None, keepdims=False):
    """Minimum over ``axis`` (gradient split evenly over ties, as in TF)."""
    return _reduce_extreme(input_tensor, axis, keepdims, jnp.min)


def _reduce_extreme(x: Any, axis: Any, keepdims: bool, fn: Any) -> Any:
    axis = norm_axis(axis)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        return fn(x, axis=axis, keepdims=keepdims)

    @jax.custom_jvp
    def extreme(x):
        return fn(x, axis=axis, keepdims=keepdims)

    @extreme.defjvp
    def _jvp(primals, tangents):
        (x,), (dx,) = primals, tangents
        y = fn(x, axis=axis, keepdims=True)
        mask = (x == y).astype(x.dtype)
        count = jnp.sum(mask, axis=axis, keepdims=True)
        dy = jnp.sum(dx * mask, axis=axis, keepdims=True) / count
        out = fn(x, axis=axis, keepdims=keepdims)
        return out, dy.reshape(out.shape)

    return extreme(x)


@defop("Prod")
def reduce_prod(input_tensor, axis=None, keepdims=False):
    """Product over ``axis``; keeps the input dtype."""
    return jnp.prod(input_tensor, axis=norm_axis(axis), keepdims=keepdims, dtype=input_tensor.dtype)


@defop("Any")
def reduce_any(input_tensor, axis=None, keepdims=False):
    """Logical OR over ``axis`` (bool input)."""
    _require_bool(input_tensor, "Any")
    return jnp.any(input_tensor, axis=norm_axis(axis), keepdims=keepdims)


@defop("All")
def reduce_all(input_tensor, axis=None, keepdims=False):
    """Logical AND over ``axis`` (bool input)."""
    _require_bool(input_tensor, "All")
    return jnp.all(input_tensor, axis=norm_axis(axis), keepdims=keepdims)


@defop("ReduceLogSumExp")
def reduce_logsumexp(input_tensor, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` over ``axis``, computed stably."""
    return jax.nn.logsumexp(input_tensor, axis=norm_axis(axis), keepdims=keepdims)


@defop("ReduceVariance")
def reduce_variance(input_tensor, axis=None, keepdims=False):
    """Population variance over ``axis``."""
    return jnp.var(input_tensor, axis=norm_axis(axis), keepdims=keepdims)


@defop("ReduceStd")
def reduce_std(input_tensor, axis=None, keepdims=False):
    """Population standard deviation over ``axis``."""
    return jnp.std(input_tensor, axis=norm_axis(axis), keepdims=keepdims)


@defop("EuclideanNorm")
def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False):
    """``sqrt(sum(x ** 2))`` over ``axis``."""
    x = input_tensor
    return jnp.sqrt(jnp.sum(x * x, axis=norm_axis(axis), keepdims=keepdims, dtype=x.dtype)).astype(x.dtype)


@defop("ArgMax")
def argmax(input, axis=None, output_type=_dtypes.int64):  # noqa: A002
    """Index of the largest value along ``axis`` (default 0); int64 by default."""
    return jnp.argmax(input, axis=0 if axis is None else int(axis)).astype(_np(output_type))


@defop("ArgMin")
def argmin(input, axis=None, output_type=_dtypes.int64):  # noqa: A002
    """Index of the smallest value along ``axis`` (default 0); int64 by default."""
    return jnp.argmin(input, axis=0 if axis is None else int(axis)).astype(_np(output_type))


@defop("CountNonzero")
def count_nonzero(input, axis=None, keepdims=False, dtype=_dtypes.int64):  # noqa: A002
    """Number of non-zero elements along ``axis``."""
    return jnp.sum(input != 0, axis=norm_axis(axis), keepdims=keepdims).astype(_np(dtype))


@defop("Cumsum")
def cumsum(x, axis=0, exclusive=False, reverse=False):
    """Cumulative sum along ``axis`` (``exclusive`` / ``reverse`` as in TF)."""
    return _cumulative(x, axis, exclusive, reverse, jnp.cumsum, 0)


@defop("Cumprod")
def cumprod(x, axis=0, exclusive=False, reverse=False):
    """Cumulative product along ``axis``."""
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
    """Sum of a list of tensors of the same shape and dtype."""
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
    """Tensor contraction over ``axes`` (an int or a pair of axis lists)."""
    if isinstance(axes, (tuple, list)) and len(axes) == 2 and not isinstance(axes[0], int):
        axes = (tuple(axes[0]), tuple(axes[1]))
    return jnp.tensordot(a, b, axes=axes)


@defop("L2Normalize")
def l2_normalize(x, axis=None, epsilon=1e-12):
    """``x / sqrt(max(sum(x ** 2), epsilon))`` along ``axis``."""
    sq = jnp.sum(x * x, axis=norm_axis(axis), keepdims=True)
    return x * jax.lax.rsqrt(jnp.maximum(sq, epsilon))


@defop("Polyval", tensor_lists=("coeffs",))
def polyval(coeffs, x):
    """Evaluates a polynomial with Horner's rule."""
    out = jnp.zeros_like(x)
    for c in coeffs:
        out = out * x + c
    return out
