"""Shape manipulation, indexing, construction and selection ops.

>>> import eagerkit as ek
>>> ek.reshape(ek.range(6), [2, -1]).shape
TensorShape([2, 3])
>>> ek.concat([[1, 2], [3]], axis=0).numpy().tolist()
[1, 2, 3]
"""

from __future__ import annotations

import builtins
import collections
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from eagerkit._src.core import context
from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.convert import to_array
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.ops.math_ops import INEXACT, INT, UINT, check_dtype, norm_axis
from eagerkit._src.ops.op import defop, static_value


def _np(dtype: Any) -> Any:
    return None if dtype is None else _dtypes.as_dtype(dtype)._np


def _concrete(x: Any) -> np.ndarray | None:
    """The value of an eager array, or None for symbolic values (tracers, variable proxies)."""
    if context.is_symbolic(x):
        return None
    return np.asarray(x)


# -- identity and gradient control ------------------------------------------------------------
@defop("Identity")
def identity(input):  # noqa: A002
    """Returns a tensor with the same value (records a read when given a Variable).

    >>> import eagerkit as ek
    >>> v = ek.Variable([1.0, 2.0])
    >>> ek.identity(v)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>
    """
    return input


@defop("StopGradient")
def stop_gradient(input):  # noqa: A002
    """Returns the input, blocking gradients through it.

    >>> import eagerkit as ek
    >>> x = ek.Variable(3.0)
    >>> with ek.GradientTape() as tape:
    ...     y = x * ek.stop_gradient(x)
    >>> tape.gradient(y, x)
    <tf.Tensor: shape=(), dtype=float32, numpy=3.0>
    """
    return jax.lax.stop_gradient(input)


# -- shapes -------------------------------------------------------------------------------------
def shape(input: Any, out_type: Any = _dtypes.int32, name: str | None = None) -> Tensor:  # noqa: A002
    """The shape of a tensor as a 1-D int32 tensor (static: shapes are always known on JAX).

    >>> import eagerkit as ek
    >>> x = ek.ones([2, 3])
    >>> ek.shape(x)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([2, 3], dtype=int32)>
    >>> x.shape  # the static shape, a TensorShape
    TensorShape([2, 3])
    """
    return Tensor(jnp.asarray(np.asarray(to_array(input).shape, dtype=_np(out_type))))


def size(input: Any, out_type: Any = _dtypes.int32, name: str | None = None) -> Tensor:  # noqa: A002
    """The number of elements as a scalar tensor.

    >>> import eagerkit as ek
    >>> ek.size(ek.ones([2, 3]))
    <tf.Tensor: shape=(), dtype=int32, numpy=6>
    """
    return Tensor(jnp.asarray(np.asarray(to_array(input).size, dtype=_np(out_type))))


def rank(input: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """The number of dimensions as a scalar int32 tensor.

    >>> import eagerkit as ek
    >>> ek.rank(ek.ones([2, 3]))
    <tf.Tensor: shape=(), dtype=int32, numpy=2>
    """
    return Tensor(jnp.asarray(np.int32(to_array(input).ndim)))


@defop("Reshape", tensors=("tensor",))
def reshape(tensor, shape):
    """Reshapes; one dimension may be -1 (inferred).

    Raises InvalidArgumentError when the element counts differ.

    >>> import eagerkit as ek
    >>> ek.reshape([1, 2, 3, 4, 5, 6], [2, 3])
    <tf.Tensor: shape=(2, 3), dtype=int32, numpy=
    array([[1, 2, 3],
           [4, 5, 6]], dtype=int32)>
    >>> ek.reshape(ek.ones([2, 3]), [-1]).shape
    TensorShape([6])
    """
    shape = tuple(int(d) for d in shape)
    known = 1
    for d in shape:
        if d != -1:
            known *= d
    n = tensor.size
    bad = shape.count(-1) > 1 or (-1 in shape and (known == 0 or n % known)) or (-1 not in shape and known != n)
    if bad:
        raise InvalidArgumentError(
            None,
            "Reshape",
            f"Input to reshape is a tensor with {n} values, but the requested shape "
            f"{list(shape)} {'has ' + str(known) if -1 not in shape else 'is not compatible'} [Op:Reshape]",
        )
    return jnp.reshape(tensor, shape)


@defop("Transpose")
def transpose(a, perm=None, conjugate=False):
    """Permutes dimensions (reverses them by default).

    >>> import eagerkit as ek
    >>> ek.transpose([[1, 2, 3], [4, 5, 6]])
    <tf.Tensor: shape=(3, 2), dtype=int32, numpy=
    array([[1, 4],
           [2, 5],
           [3, 6]], dtype=int32)>
    >>> ek.transpose(ek.ones([2, 3, 4]), perm=[2, 0, 1]).shape
    TensorShape([4, 2, 3])
    """
    out = jnp.transpose(a, None if perm is None else tuple(perm))
    return jnp.conj(out) if conjugate else out


@defop("Squeeze")
def squeeze(input, axis=None):  # noqa: A002
    """Removes size-1 dimensions (only ``axis`` when given).

    >>> import eagerkit as ek
    >>> ek.squeeze(ek.ones([1, 2, 1])).shape
    TensorShape([2])
    >>> ek.squeeze(ek.ones([1, 2, 1]), axis=[2]).shape
    TensorShape([1, 2])
    """
    axis = norm_axis(axis)
    if axis is not None:
        axes = (axis,) if isinstance(axis, int) else axis
        for a in axes:
            if input.shape[a] != 1:
                raise InvalidArgumentError(
                    None,
                    "Squeeze",
                    f"Can not squeeze dim[{a}], expected a dimension of 1, got {input.shape[a]} [Op:Squeeze]",
                )
    return jnp.squeeze(input, axis=axis)


@defop("ExpandDims", tensors=("input",))
def expand_dims(input, axis):  # noqa: A002
    """Inserts a size-1 dimension at ``axis`` (``-rank - 1 <= axis <= rank``).

    >>> import eagerkit as ek
    >>> x = ek.constant([1.0, 2.0])
    >>> ek.expand_dims(x, 0).shape
    TensorShape([1, 2])
    >>> ek.expand_dims(x, -1).shape
    TensorShape([2, 1])
    """
    axis = int(axis)
    if not -input.ndim - 1 <= axis <= input.ndim:
        raise InvalidArgumentError(
            None,
            "ExpandDims",
            f"Tried to expand dim index {axis} for tensor with {input.ndim} dimensions. [Op:ExpandDims] "
            f"Use an axis in [{-input.ndim - 1}, {input.ndim}].",
        )
    return jnp.expand_dims(input, axis)


@defop("BroadcastTo", tensors=("input",))
def broadcast_to(input, shape):  # noqa: A002
    """Broadcasts to ``shape`` (each dimension of ``input`` must be 1 or match, aligned from the right).

    >>> import eagerkit as ek
    >>> ek.broadcast_to([1, 2], [2, 2])
    <tf.Tensor: shape=(2, 2), dtype=int32, numpy=
    array([[1, 2],
           [1, 2]], dtype=int32)>
    """
    shape = tuple(int(d) for d in shape)
    ok = input.ndim <= len(shape) and all(a == 1 or a == b for a, b in zip(input.shape[::-1], shape[::-1]))
    if not ok:
        raise InvalidArgumentError(
            None,
            "BroadcastTo",
            f"Incompatible shapes: [{','.join(map(str, input.shape))}] vs. [{','.join(map(str, shape))}] "
            "[Op:BroadcastTo]. Each dimension of the input must be 1 or equal to the target's.",
        )
    return jnp.broadcast_to(input, shape)


@defop("Tile", tensors=("input",))
def tile(input, multiples):  # noqa: A002
    """Repeats the tensor ``multiples[i]`` times along axis ``i``.

    >>> import eagerkit as ek
    >>> ek.tile([[1, 2]], [2, 2])
    <tf.Tensor: shape=(2, 4), dtype=int32, numpy=
    array([[1, 2, 1, 2],
           [1, 2, 1, 2]], dtype=int32)>
    """
    if len(multiples) != input.ndim:
        raise InvalidArgumentError(
            None,
            "Tile",
            f"Expected multiples argument to be a vector of length {input.ndim} but got "
            f"length {len(multiples)} [Op:Tile]",
        )
    return jnp.tile(input, tuple(multiples))


@defop("ConcatV2", tensors=(), tensor_lists=("values",), same_dtype=True)
def concat(values, axis):
    """Concatenates tensors along ``axis``.

    >>> import eagerkit as ek
    >>> a = ek.constant([[1, 2]])
    >>> b = ek.constant([[3, 4]])
    >>> ek.concat([a, b], axis=0)
    <tf.Tensor: shape=(2, 2), dtype=int32, numpy=
    array([[1, 2],
           [3, 4]], dtype=int32)>
    >>> ek.concat([a, b], axis=1)
    <tf.Tensor: shape=(1, 4), dtype=int32, numpy=array([[1, 2, 3, 4]], dtype=int32)>
    """
    if not values:
        raise InvalidArgumentError(
            None, "ConcatV2", "concat: values must be a non-empty list of tensors. [Op:ConcatV2]"
        )
    ranks = {v.ndim for v in values}
    if len(ranks) > 1:
        raise InvalidArgumentError(
            None,
            "ConcatV2",
            f"ConcatOp : Ranks of all input tensors should match: shapes "
            f"{[list(v.shape) for v in values]} [Op:ConcatV2]",
        )
    rank = values[0].ndim
    if rank == 0:
        raise InvalidArgumentError(
            None, "ConcatV2", "ConcatOp : Can't concatenate scalars (use ek.stack instead) [Op:ConcatV2]"
        )
    if not -rank <= int(axis) < rank:
        raise InvalidArgumentError(
            None,
            "ConcatV2",
            f"ConcatOp : Expected concatenating dimensions in the range [{-rank}, {rank}), "
            f"but got {axis} [Op:ConcatV2]",
        )
    ax = int(axis) % rank
    for v in values[1:]:
        if v.shape[:ax] + v.shape[ax + 1 :] != values[0].shape[:ax] + values[0].shape[ax + 1 :]:
            raise InvalidArgumentError(
                None,
                "ConcatV2",
                f"ConcatOp : Dimension mismatch of input shapes "
                f"{[list(v.shape) for v in values]} outside axis {axis} [Op:ConcatV2]",
            )
    return jnp.concatenate(values, axis=int(axis))


@defop("Pack", tensor_lists=("values",), same_dtype=True)
def stack(values, axis=0):
    """Stacks tensors of the same shape along a new ``axis``.

    >>> import eagerkit as ek
    >>> ek.stack([[1, 2], [3, 4]], axis=1).numpy().tolist()
    [[1, 3], [2, 4]]
    """
    if not values:
        return jnp.zeros((0,), jnp.float32)
    shapes = {tuple(v.shape) for v in values}
    if len(shapes) > 1:
        raise InvalidArgumentError(
            None, "Pack", f"Shapes of all inputs must match: {[list(v.shape) for v in values]} [Op:Pack]"
        )
    if not -values[0].ndim - 1 <= int(axis) <= values[0].ndim:
        raise InvalidArgumentError(
            None, "Pack", f"axis = {axis} not in [{-values[0].ndim - 1}, {values[0].ndim + 1}) [Op:Pack]"
        )
    return jnp.stack(values, axis=int(axis))


@defop("Unpack")
def _unstack(value, axis=0):
    return [jnp.squeeze(p, axis) for p in jnp.split(value, value.shape[axis], axis=axis)] if value.shape[axis] else []


def unstack(value: Any, num: int | None = None, axis: int = 0, name: str | None = None) -> list[Tensor]:
    """Splits a tensor into a list of tensors along ``axis``.

    >>> import eagerkit as ek
    >>> [t.numpy().tolist() for t in ek.unstack([[1, 2], [3, 4]], axis=1)]
    [[1, 3], [2, 4]]
    """
    shape = to_array(value).shape
    axis = int(axis)
    if not -len(shape) <= axis < len(shape):
        raise ValueError(f"Argument `axis` = {axis} not in range [{-len(shape)}, {len(shape)})")
    axis %= len(shape)
    if num is not None and num != shape[axis]:
        raise InvalidArgumentError(
            None,
            "Unpack",
            f"Input shape axis {axis} must equal {num}, got shape [{','.join(map(str, shape))}] [Op:Unpack]",
        )
    return list(_unstack(value, axis=axis))


@defop("SplitV", tensors=("value",))
def _split(value, sizes, axis=0):
    idx = np.cumsum(sizes)[:-1].tolist()
    return list(jnp.split(value, idx, axis=axis))


def split(
    value: Any, num_or_size_splits: Any, axis: int = 0, num: int | None = None, name: str | None = None
) -> list[Tensor]:
    """Splits into equal parts (an int) or parts of the given sizes (a list; one may be -1).

    >>> import eagerkit as ek
    >>> a, b = ek.split([1, 2, 3, 4], num_or_size_splits=2)
    >>> a
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)>
    >>> [t.shape for t in ek.split(ek.ones([2, 5]), [2, 3], axis=1)]
    [TensorShape([2, 2]), TensorShape([2, 3])]
    """
    dim = to_array(value).shape[int(axis)]
    spec = static_value(num_or_size_splits, "Split", "num_or_size_splits")
    if isinstance(spec, int):
        if spec <= 0 or dim % spec:
            raise InvalidArgumentError(
                None,
                "Split",
                f"Number of ways to split should evenly divide the split dimension, but "
                f"got split_dim {axis} (size = {dim}) and num_split {spec} [Op:Split]",
            )
        sizes = (dim // spec,) * spec
    else:
        sizes = list(spec)
        if sizes.count(-1) > 1:
            raise InvalidArgumentError(None, "SplitV", "There can only be one -1 in the input. [Op:SplitV]")
        if sizes.count(-1) == 1:
            sizes[sizes.index(-1)] = dim - (builtins.sum(sizes) + 1)
        if builtins.sum(sizes) != dim:
            raise InvalidArgumentError(
                None,
                "SplitV",
                f"Determined shape must either match input shape along split_dim exactly "
                f"if fully specified, or be less than the size of the input along split_dim if not fully "
                f"specified. Got: {builtins.sum(sizes)} vs {dim} [Op:SplitV]",
            )
        sizes = tuple(sizes)
    return list(_split(value, sizes, axis=int(axis)))


@defop("ReverseV2", tensors=("tensor",))
def reverse(tensor, axis):
    """Reverses along the given axes.

    >>> import eagerkit as ek
    >>> ek.reverse([[1, 2], [3, 4]], axis=[1])
    <tf.Tensor: shape=(2, 2), dtype=int32, numpy=
    array([[2, 1],
           [4, 3]], dtype=int32)>
    """
    return jnp.flip(tensor, axis=norm_axis(axis))


@defop("Slice", tensors=("input_",))
def slice(input_, begin, size):  # noqa: A001
    """``input_[begin[i] : begin[i] + size[i]]`` per dimension (``size`` -1 means to the end).

    >>> import eagerkit as ek
    >>> x = ek.constant([[1, 2, 3], [4, 5, 6]])
    >>> ek.slice(x, begin=[0, 1], size=[2, 2])
    <tf.Tensor: shape=(2, 2), dtype=int32, numpy=
    array([[2, 3],
           [5, 6]], dtype=int32)>
    >>> ek.slice(x, [1, 0], [-1, 2])
    <tf.Tensor: shape=(1, 2), dtype=int32, numpy=array([[4, 5]], dtype=int32)>
    """
    limits = [input_.shape[i] if s == -1 else b + s for i, (b, s) in enumerate(zip(begin, size))]
    return jax.lax.slice(input_, tuple(begin), tuple(limits))


def pad(
    tensor: Any, paddings: Any, mode: str = "CONSTANT", constant_values: Any = 0, name: str | None = None
) -> Tensor:
    """Pads with ``paddings`` (``[[before, after], ...]`` per dimension); modes CONSTANT,
    REFLECT and SYMMETRIC. ``constant_values`` takes the tensor's dtype like a binary op's operand.

    >>> import eagerkit as ek
    >>> ek.pad([[1, 2]], [[0, 0], [1, 1]]).numpy().tolist()
    [[0, 1, 2, 0]]
    """
    mode = str(mode).upper()
    if mode not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError(
            'Value of argument `mode` expected to be one of "CONSTANT", "REFLECT", or "SYMMETRIC". '
            f"Received `mode` = {mode}"
        )
    return _pad(tensor, constant_values, paddings=paddings, mode=mode)


@defop("PadV2", tensors=("tensor", "constant_values"), same_dtype=True)
def _pad(tensor, constant_values, paddings, mode):
    paddings = tuple(tuple(int(v) for v in p) for p in paddings)
    if len(paddings) != tensor.ndim or any(len(p) != 2 for p in paddings):
        raise InvalidArgumentError(
            None,
            "Pad",
            f"The first dimension of paddings must be the rank of inputs [{len(paddings)},2] "
            f"{list(tensor.shape)} [Op:Pad]. Give one [before, after] pair per dimension.",
        )
    if any(v < 0 for p in paddings for v in p):
        flat = " ".join(str(v) for p in paddings for v in p)
        raise InvalidArgumentError(None, "Pad", f"Paddings must be non-negative: {flat} [Op:Pad]")
    if mode == "CONSTANT":
        return jnp.pad(tensor, paddings, constant_values=constant_values)
    offset = 0 if mode == "SYMMETRIC" else 1
    for dim, (before, after) in zip(tensor.shape, paddings):
        if before > dim - offset or after > dim - offset:
            word = "no greater than" if offset == 0 else "less than"
            raise InvalidArgumentError(
                None,
                "MirrorPad",
                f"paddings must be {word} the dimension size: {before}, {after} {word} {dim} [Op:MirrorPad]",
            )
    return jnp.pad(tensor, paddings, mode=mode.lower())


# -- construction ---------------------------------------------------------------------------------
def _shape_arg(shape: Any) -> tuple:
    s = static_value(shape, "Fill", "shape")
    return (s,) if isinstance(s, int) else tuple(s)


def zeros(shape: Any, dtype: Any = _dtypes.float32, name: str | None = None, layout: Any = None) -> Tensor:
    """A tensor of zeros.

    >>> import eagerkit as ek
    >>> ek.zeros([2, 2])
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=
    array([[0., 0.],
           [0., 0.]], dtype=float32)>
    >>> ek.zeros([3], ek.bool)
    <tf.Tensor: shape=(3,), dtype=bool, numpy=array([False, False, False])>
    """
    return Tensor(jnp.zeros(_shape_arg(shape), _np(dtype)))


def ones(shape: Any, dtype: Any = _dtypes.float32, name: str | None = None, layout: Any = None) -> Tensor:
    """A tensor of ones.

    >>> import eagerkit as ek
    >>> ek.ones([2, 3])
    <tf.Tensor: shape=(2, 3), dtype=float32, numpy=
    array([[1., 1., 1.],
           [1., 1., 1.]], dtype=float32)>
    >>> ek.ones([2], dtype=ek.int32)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 1], dtype=int32)>
    """
    return Tensor(jnp.ones(_shape_arg(shape), _np(dtype)))


@defop("ZerosLike")
def zeros_like(input, dtype=None):  # noqa: A002
    """Zeros with the shape (and dtype unless given) of ``input``.

    >>> import eagerkit as ek
    >>> ek.zeros_like(ek.constant([1.5, 2.5]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0., 0.], dtype=float32)>
    """
    return jnp.zeros(input.shape, _np(dtype) or input.dtype)


@defop("OnesLike")
def ones_like(input, dtype=None):  # noqa: A002
    """Ones with the shape (and dtype unless given) of ``input``.

    >>> import eagerkit as ek
    >>> ek.ones_like([[1, 2], [3, 4]])
    <tf.Tensor: shape=(2, 2), dtype=int32, numpy=
    array([[1, 1],
           [1, 1]], dtype=int32)>
    """
    return jnp.ones(input.shape, _np(dtype) or input.dtype)


def fill(dims: Any, value: Any, name: str | None = None, layout: Any = None) -> Tensor:
    """A tensor of shape ``dims`` filled with ``value`` (whose dtype it takes).

    >>> import eagerkit as ek
    >>> ek.fill([2, 2], 7)
    <tf.Tensor: shape=(2, 2), dtype=int32, numpy=
    array([[7, 7],
           [7, 7]], dtype=int32)>
    """
    v = to_array(value)
    return Tensor(jnp.full(_shape_arg(dims), v, v.dtype))


def eye(
    num_rows: int,
    num_columns: int | None = None,
    batch_shape: Any = None,
    dtype: Any = _dtypes.float32,
    name: str | None = None,
) -> Tensor:
    """Identity matrix (or a batch of them).

    >>> import eagerkit as ek
    >>> ek.eye(2)
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=
    array([[1., 0.],
           [0., 1.]], dtype=float32)>
    >>> ek.eye(2, 3, dtype=ek.int32)
    <tf.Tensor: shape=(2, 3), dtype=int32, numpy=
    array([[1, 0, 0],
           [0, 1, 0]], dtype=int32)>
    """
    m = jnp.eye(int(num_rows), None if num_columns is None else int(num_columns), dtype=_np(dtype))
    if batch_shape is not None:
        m = jnp.broadcast_to(m, tuple(batch_shape) + m.shape)
    return Tensor(m)


def range(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None, name: str = "range") -> Tensor:  # noqa: A001
    """``[start, limit)`` in steps of ``delta``; int32 for Python ints, float32 for floats.

    >>> import eagerkit as ek
    >>> ek.range(3).numpy().tolist(), ek.range(1, 2, 0.5).numpy().tolist()
    ([0, 1, 2], [1.0, 1.5])
    """
    if limit is None:
        start, limit = 0, start
    with jax.ensure_compile_time_eval():  # Python bounds stay concrete inside ek.function
        vals = [to_array(v) for v in (start, limit, delta)]
    if any(context.is_symbolic(v) for v in vals):
        raise ValueError(
            "ek.range inside ek.function needs bounds known while tracing (Python numbers or tensors computed "
            "outside the function): XLA arrays have static shapes, so a range whose length depends on a traced "
            "tensor cannot be built. Use a Python number, or loop with `for i in ek.range(n)` (AutoGraph turns "
            "that into a while loop)."
        )
    if dtype is None:
        order = [np.int32, np.int64, np.float16, np.float32, np.float64]
        kinds = [np.dtype(v.dtype) for v in vals]
        dt = builtins.max(kinds, key=lambda d: order.index(d.type) if d.type in order else 0)
    else:
        dt = np.dtype(_np(dtype))
    s, lim, d = (np.asarray(v).item() for v in vals)
    if d == 0:
        raise InvalidArgumentError(None, "Range", "Requires delta != 0: 0 [Op:Range]")
    if d > 0 and s > lim:
        raise InvalidArgumentError(
            None, "Range", f"Requires start <= limit when delta > 0: {s}/{lim} [Op:Range]. Use a negative delta."
        )
    if d < 0 and s < lim:
        raise InvalidArgumentError(
            None, "Range", f"Requires start >= limit when delta < 0: {s}/{lim} [Op:Range]. Use a positive delta."
        )
    return Tensor(jnp.asarray(np.arange(s, lim, d).astype(dt)))


@defop("LinSpace", tensors=("start", "stop"), same_dtype=True)
def linspace(start, stop, num, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive (integers give float64, as in TF).

    >>> import eagerkit as ek
    >>> ek.linspace(0.0, 1.0, 3).numpy().tolist()
    [0.0, 0.5, 1.0]
    """
    dtype = jnp.float64 if jnp.issubdtype(start.dtype, jnp.integer) else start.dtype
    check_dtype(start.astype(dtype), "LinSpace", INEXACT)
    return jnp.linspace(start.astype(dtype), stop.astype(dtype), int(num), axis=int(axis), dtype=dtype)


def _one_hot_dtype(on_value: Any, off_value: Any, dtype: Any) -> np.dtype:
    """TF's output dtype: ``dtype``, else that of on_value/off_value (which must agree), else float32."""
    given = [(n, to_array(v).dtype) for n, v in (("on_value", on_value), ("off_value", off_value)) if v is not None]
    if len(given) == 2 and given[0][1] != given[1][1]:
        raise TypeError(
            f"dtype {_dtypes.from_numpy(given[0][1])!r} of on_value does not match dtype "
            f"{_dtypes.from_numpy(given[1][1])!r} of off_value. Pass values of one dtype."
        )
    if dtype is not None:
        want = np.dtype(_np(dtype))
        for n, dt in given:
            if dt != want and not (dt.kind in "iu" and want.kind in "iuf"):
                raise TypeError(
                    f"dtype {_dtypes.from_numpy(dt)!r} of {n} does not match dtype parameter "
                    f"{_dtypes.as_dtype(dtype)!r}"
                )
        return want
    return np.dtype(given[0][1]) if given else np.dtype(np.float32)


def one_hot(
    indices: Any,
    depth: int,
    on_value: Any = None,
    off_value: Any = None,
    axis: int | None = None,
    dtype: Any = None,
    name: str | None = None,
) -> Tensor:
    """One-hot encoding along a new last axis (``axis`` to place it elsewhere); indices outside
    ``[0, depth)`` give all-``off_value`` rows.

    >>> import eagerkit as ek
    >>> ek.one_hot([0, 2], 3).numpy().tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    dt = _one_hot_dtype(on_value, off_value, dtype)
    on = 1 if on_value is None else np.asarray(to_array(on_value)).astype(dt).item()
    off = 0 if off_value is None else np.asarray(to_array(off_value)).astype(dt).item()
    return _one_hot(indices, depth=int(depth), on=on, off=off, axis=axis, dtype=_dtypes.from_numpy(dt).name)


@defop("OneHot", tensors=("indices",))
def _one_hot(indices, depth, on, off, axis, dtype):
    check_dtype(indices, "OneHot", ("uint8", "int8", "int32", "int64"))
    dt = _np(dtype)
    if axis is not None and not -1 <= axis <= indices.ndim:
        raise InvalidArgumentError(
            None,
            "OneHot",
            f"Expected axis to be -1 or between [0, {indices.ndim + 1}).  But received: {axis} [Op:OneHot]",
        )
    hot = indices[..., None] == jnp.arange(int(depth), dtype=indices.dtype)
    out = jnp.where(hot, jnp.asarray(on, dt), jnp.asarray(off, dt)).astype(dt)
    if axis is not None and axis != -1:
        out = jnp.moveaxis(out, -1, int(axis))
    return out


# -- selection ---------------------------------------------------------------------------------------
def _check_indices(indices: Any, limit: int, op: str) -> None:
    check_dtype(indices, op, ("int16", "int32", "int64"))
    idx = _concrete(indices)
    if idx is None or idx.size == 0:
        return
    bad = (idx < 0) | (idx >= limit)
    if bad.any():
        pos = tuple(int(p) for p in np.argwhere(bad)[0])
        where = ",".join(map(str, pos))
        raise InvalidArgumentError(
            None,
            op,
            f"indices[{where}] = {idx[pos]} is not in [0, {limit}) [Op:{op}]. Indices must address an existing "
            "element (TF checks this on CPU; clip them with ek.clip_by_value if out-of-range ones are expected).",
        )


@defop("GatherV2", jit=False)
def gather(params, indices, validate_indices=None, axis=None, batch_dims=0):
    """Gathers slices of ``params`` along ``axis`` at ``indices`` (checked eagerly, as TF does on CPU).

    >>> import eagerkit as ek
    >>> ek.gather([10, 20, 30], [2, 0])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([30, 10], dtype=int32)>
    >>> ek.gather([[1, 2], [3, 4]], [1], axis=1)
    <tf.Tensor: shape=(2, 1), dtype=int32, numpy=
    array([[2],
           [4]], dtype=int32)>
    """
    axis = batch_dims if axis is None else int(axis)
    if not -params.ndim <= axis < max(params.ndim, 1):
        raise InvalidArgumentError(
            None,
            "GatherV2",
            f"Expected axis in the range [{-params.ndim}, {params.ndim}), but got {axis} [Op:GatherV2]",
        )
    if axis < 0:
        axis += params.ndim
    _check_indices(indices, params.shape[axis], "GatherV2")
    return _gather_jit(params, indices, axis, batch_dims)


def _gather_jit(params: Any, indices: Any, axis: int, batch_dims: int) -> Any:
    if batch_dims == 0:
        return _gather_impl(params, indices, axis)
    fn = lambda p, i: _gather_impl(p, i, axis - batch_dims)  # noqa: E731
    for _ in builtins.range(batch_dims):
        fn = jax.vmap(fn)
    return fn(params, indices)


_gather_impl = jax.jit(lambda p, i, axis: jnp.take(p, i, axis=axis), static_argnums=2)


@defop("GatherNd", jit=False)
def gather_nd(params, indices, batch_dims=0):
    """Gathers slices of ``params`` addressed by the last axis of ``indices``.

    >>> import eagerkit as ek
    >>> ek.gather_nd([[1, 2], [3, 4]], [[0, 1], [1, 0]])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([2, 3], dtype=int32)>
    """
    check_dtype(indices, "GatherNd", ("int16", "int32", "int64"))
    depth = indices.shape[-1]
    if depth > params.ndim - batch_dims:
        raise InvalidArgumentError(
            None,
            "GatherNd",
            f"index innermost dimension length must be <= params rank; saw: {depth} vs. "
            f"{params.ndim - batch_dims} [Op:GatherNd]",
        )
    idx = _concrete(indices)
    if idx is not None and idx.size:
        limits = np.asarray(params.shape[batch_dims : batch_dims + depth])
        bad = ((idx < 0) | (idx >= limits)).any(axis=-1)
        if bad.any():
            pos = tuple(int(p) for p in np.argwhere(bad)[0])
            shape = ",".join(map(str, params.shape))
            raise InvalidArgumentError(
                None,
                "GatherNd",
                f"indices[{','.join(map(str, pos))}] = {idx[pos].tolist()} does not index into param shape "
                f"[{shape}] [Op:GatherNd]",
            )

    return _gather_nd_jit(params, indices, int(batch_dims))


def _gather_nd_impl(params: Any, indices: Any, batch_dims: int) -> Any:
    def one(p, i):
        return p[tuple(jnp.moveaxis(i, -1, 0))]

    fn = one
    for _ in builtins.range(batch_dims):
        fn = jax.vmap(fn)
    return fn(params, indices)


_gather_nd_jit = jax.jit(_gather_nd_impl, static_argnums=2)


@defop("SelectV2", same_dtype=False)
def _where3(condition, x, y):
    try:
        shape = np.broadcast_shapes(condition.shape, x.shape, y.shape)
    except ValueError:
        shape = None
    if shape is None:
        c, t, e = ("[" + ",".join(map(str, a.shape)) + "]" for a in (condition, x, y))
        raise InvalidArgumentError(
            None, "SelectV2", f"condition {c}, then {t}, and else {e} must be broadcastable [Op:SelectV2]"
        )
    return jnp.where(condition, x, y)


@defop("Where", jit=False)
def _where1(condition):
    c = _concrete(condition)
    if c is None:
        raise InvalidArgumentError(
            None,
            "Where",
            "ek.where(condition) with one argument returns a value-dependent shape, which "
            "XLA cannot compile inside ek.function; use ek.where(condition, x, y) instead. [Op:Where]",
        )
    return jnp.asarray(np.argwhere(c).astype(np.int64))


def where(condition: Any, x: Any = None, y: Any = None, name: str | None = None) -> Tensor:
    """``x`` where ``condition`` else ``y`` (broadcasting); with one argument, the coordinates
    of true elements as int64 ``[n, rank]``.

    >>> import eagerkit as ek
    >>> ek.where([True, False, True], [1, 2, 3], [10, 20, 30])
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([ 1, 20,  3], dtype=int32)>
    >>> ek.where([[True, False], [False, True]])  # the indices of the True elements
    <tf.Tensor: shape=(2, 2), dtype=int64, numpy=
    array([[0, 0],
           [1, 1]])>
    """
    if x is None and y is None:
        return _where1(condition)
    if x is None or y is None:
        raise ValueError("where: x and y must both be given, or neither.")
    if to_array(condition).dtype != np.bool_:
        raise InvalidArgumentError(
            None, "SelectV2", "where: condition must be a bool tensor; compare first (e.g. x > 0). [Op:SelectV2]"
        )
    from eagerkit._src.core.convert import is_tensor
    from eagerkit._src.ops.math_ops import add  # the dtype rule of binary ops applies to x and y

    try:
        xa, ya = add._convert([x, y])
    except InvalidArgumentError as e:
        raise type(e)(None, "SelectV2", str(e).replace("AddV2", "SelectV2")) from None
    cond = condition if is_tensor(condition) else Tensor(to_array(condition, _dtypes.bool))
    return _where3(cond, x if is_tensor(x) else xa, y if is_tensor(y) else ya)


def boolean_mask(tensor: Any, mask: Any, axis: int = 0, name: str = "boolean_mask") -> Tensor:
    """Elements (or slices) of ``tensor`` where ``mask`` is true (eager only: the result shape
    depends on the mask's values).

    >>> import eagerkit as ek
    >>> ek.boolean_mask([1, 2, 3, 4], [True, False, True, False])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 3], dtype=int32)>
    """
    m = to_array(mask)
    c = _concrete(m)
    if c is None:
        raise InvalidArgumentError(
            None,
            "BooleanMask",
            "boolean_mask's output shape depends on the mask's values, which XLA cannot "
            "compile inside ek.function; multiply by the mask or use ek.where(mask, x, 0) instead.",
        )
    t = to_array(tensor)
    axis = int(axis)
    if t.shape[axis : axis + c.ndim] != c.shape:
        raise InvalidArgumentError(
            None,
            "BooleanMask",
            f"boolean_mask: mask shape {list(c.shape)} must match tensor shape {list(t.shape)} starting at axis {axis}",
        )
    flat = reshape(tensor, t.shape[:axis] + (-1,) + t.shape[axis + c.ndim :])
    idx = np.nonzero(c.reshape(-1))[0].astype(np.int32)
    return gather(flat, Tensor(jnp.asarray(idx)), axis=axis)


@defop("ClipByValue", same_dtype=True)
def clip_by_value(t, clip_value_min, clip_value_max):
    """Clamps values to ``[clip_value_min, clip_value_max]``.

    >>> import eagerkit as ek
    >>> ek.clip_by_value([-2.0, 0.5, 3.0], clip_value_min=0.0, clip_value_max=1.0)
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([0. , 0.5, 1. ], dtype=float32)>
    """
    # Selects rather than min/max: at the bounds the gradient goes to ``t`` (TF's ClipByValue
    # gradient), not half to ``t`` and half to the bound.
    lo, hi = clip_value_min, clip_value_max
    return jnp.where(t < lo, lo, jnp.where(t > hi, hi, t))


@defop("ClipByNorm")
def clip_by_norm(t, clip_norm, axes=None):
    """Rescales ``t`` so that its L2 norm (over ``axes``) is at most ``clip_norm``.

    >>> import eagerkit as ek
    >>> ek.clip_by_norm([3.0, 4.0], 1.0).numpy().tolist()
    [0.6000000238418579, 0.800000011920929]
    """
    check_dtype(t, "ClipByNorm", INEXACT)
    clip_norm = jnp.asarray(clip_norm, t.dtype)
    sq = jnp.sum(t * t, axis=norm_axis(axes), keepdims=True)
    safe = jnp.where(sq > 0, sq, jnp.ones_like(sq))
    norm = jnp.where(sq > 0, jnp.sqrt(safe), sq)
    return t * clip_norm / jnp.maximum(norm, clip_norm)


def global_norm(t_list: list, name: str | None = None) -> Tensor:
    """``sqrt(sum of squares of all elements of all tensors)`` (``ek.linalg.global_norm``).

    >>> import eagerkit as ek
    >>> float(ek.linalg.global_norm([[3.0], [4.0]]))
    5.0
    """
    return _global_norm([t for t in t_list if t is not None])


@defop("GlobalNorm", tensor_lists=("t_list",))
def _global_norm(t_list):
    """``sqrt(sum of squares of all elements of all tensors)`` (``None`` entries are skipped)."""
    for t in t_list:
        check_dtype(t, "GlobalNorm", INEXACT)
    return jnp.sqrt(builtins.sum(jnp.sum(jnp.square(t)) for t in t_list if t is not None))


@defop("ClipByGlobalNorm", tensor_lists=("t_list",))
def _clip_by_global_norm(t_list, clip_norm, use_norm=None):
    for t in t_list:
        check_dtype(t, "ClipByGlobalNorm", INEXACT)
    norm = jnp.sqrt(builtins.sum(jnp.sum(jnp.square(t)) for t in t_list)) if use_norm is None else use_norm
    scale = clip_norm * jnp.minimum(1.0 / norm, 1.0 / clip_norm)
    return [t * scale.astype(t.dtype) for t in t_list] + [norm]


def clip_by_global_norm(
    t_list: list, clip_norm: Any, use_norm: Any = None, name: str | None = None
) -> tuple[list, Tensor]:
    """Scales all tensors by ``clip_norm / max(global_norm, clip_norm)``; returns (list, global norm).

    ``None`` entries pass through as None, as in TF.

    >>> import eagerkit as ek
    >>> clipped, norm = ek.clip_by_global_norm([ek.constant([3.0, 0.0]), ek.constant([4.0])], clip_norm=1.0)
    >>> norm
    <tf.Tensor: shape=(), dtype=float32, numpy=5.0>
    >>> clipped[0]
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.6, 0. ], dtype=float32)>
    """
    present = [i for i, t in enumerate(t_list) if t is not None]
    out = _clip_by_global_norm(
        [t_list[i] for i in present], float(clip_norm), None if use_norm is None else float(use_norm)
    )
    clipped: list = [None] * len(t_list)
    for i, c in zip(present, out[:-1]):
        clipped[i] = c
    return clipped, out[-1]


@defop("Sort")
def sort(values, axis=-1, direction="ASCENDING"):
    """Sorts along ``axis``; ``direction`` ASCENDING or DESCENDING.

    >>> import eagerkit as ek
    >>> ek.sort([3.0, 1.0, 2.0])
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([1., 2., 3.], dtype=float32)>
    >>> ek.sort([3, 1, 2], direction="DESCENDING")
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([3, 2, 1], dtype=int32)>
    """
    if direction not in ("ASCENDING", "DESCENDING"):
        raise InvalidArgumentError(
            None,
            "Sort",
            f"Argument `direction` should be one of ASCENDING, DESCENDING. Received: direction={direction} [Op:Sort]",
        )
    out = jnp.sort(values, axis=int(axis))
    return jnp.flip(out, int(axis)) if direction == "DESCENDING" else out


@defop("Argsort")
def argsort(values, axis=-1, direction="ASCENDING", stable=False, output_type=_dtypes.int32):
    """Indices that sort ``values`` along ``axis``.

    >>> import eagerkit as ek
    >>> ek.argsort([3.0, 1.0, 2.0])
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 2, 0], dtype=int32)>
    """
    if direction not in ("ASCENDING", "DESCENDING"):
        raise InvalidArgumentError(
            None,
            "Argsort",
            "Argument `direction` should be one of ASCENDING, DESCENDING. "
            f"Received: direction={direction} [Op:Argsort]",
        )
    v = -values if direction == "DESCENDING" else values
    return jnp.argsort(v, axis=int(axis), stable=True).astype(_np(output_type))


@defop("TopKV2")
def top_k(input, k=1, sorted=True, index_type=_dtypes.int32):  # noqa: A002
    """The ``k`` largest entries of the last axis and their indices (``values, indices``).

    >>> import eagerkit as ek
    >>> values, indices = ek.math.top_k([1.0, 5.0, 3.0, 4.0], k=2)
    >>> values
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([5., 4.], dtype=float32)>
    >>> indices
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 3], dtype=int32)>
    """
    if k > input.shape[-1]:
        raise InvalidArgumentError(
            None, "TopKV2", f"input must have at least k columns. Had {input.shape[-1]}, needed {k} [Op:TopKV2]"
        )
    values, indices = jax.lax.top_k(input, int(k))
    return TopKResult(values, indices.astype(_np(index_type)))


class TopKResult(tuple):
    """``(values, indices)`` with named access, like TF's TopKV2 result."""

    _fields = ("values", "indices")

    def __new__(cls, values: Any, indices: Any) -> TopKResult:
        return tuple.__new__(cls, (values, indices))

    @property
    def values(self) -> Any:
        return self[0]

    @property
    def indices(self) -> Any:
        return self[1]


jax.tree_util.register_pytree_node(TopKResult, lambda r: (tuple(r), None), lambda _, c: TopKResult(*c))


@defop("Unique", jit=False)
def _unique(x, out_idx=_dtypes.int32):
    c = _concrete(x)
    if c is None:
        raise InvalidArgumentError(None, "Unique", "unique has a value-dependent output shape; eager only.")
    _, first, inverse = np.unique(c, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank_of = np.empty_like(order)
    rank_of[order] = np.arange(len(order))
    return [jnp.asarray(c[np.sort(first)]), jnp.asarray(rank_of[inverse].astype(_np(out_idx)))]


def unique(x: Any, out_idx: Any = _dtypes.int32, name: str | None = None) -> UniqueResult:
    """Unique elements of a 1-D tensor in order of first appearance, and each element's index
    into them (``y, idx``).

    >>> import eagerkit as ek
    >>> y, idx = ek.unique([3, 1, 3])
    >>> y.numpy().tolist(), idx.numpy().tolist()
    ([3, 1], [0, 1, 0])
    """
    if to_array(x).ndim != 1:
        raise InvalidArgumentError(None, "Unique", f"unique expects a 1D vector, got shape {list(to_array(x).shape)}")
    y, idx = _unique(x, out_idx=out_idx)
    return UniqueResult(y, idx)


UniqueResult = collections.namedtuple("Unique", ["y", "idx"])


@defop("Norm")
def norm(tensor, ord="euclidean", axis=None, keepdims=None):  # noqa: A002
    """Vector norm (``axis`` None or an int) or matrix norm (``axis`` a pair), like ``tf.norm``.

    ``ord``: 'euclidean' or any p > 0 (incl. ``np.inf``) for vectors; 'euclidean'/'fro', 1, 2
    or ``np.inf`` for matrices. ``axis=None`` treats the whole tensor as one vector.

    >>> import eagerkit as ek
    >>> float(ek.norm([3.0, 4.0]))
    5.0
    """
    check_dtype(tensor, "Norm", INEXACT)
    axis = norm_axis(axis)
    keep = bool(keepdims)
    x = jnp.abs(tensor)
    if isinstance(axis, tuple) and len(axis) == 2:
        if axis[0] % tensor.ndim == axis[1] % tensor.ndim:
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}")
        if ord not in ("euclidean", "fro", 1, 2, np.inf):
            raise ValueError(f"'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, 2, inf], got {ord}")
        if ord in ("euclidean", "fro"):
            out = jnp.sqrt(jnp.sum(x * x, axis=axis, keepdims=keep))
        else:
            out = jnp.linalg.norm(tensor, ord=ord, axis=axis, keepdims=keep)
        return out.astype(tensor.dtype)
    if isinstance(axis, tuple):
        if len(axis) != 1:
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}")
        axis = axis[0]
    if ord != "euclidean" and (isinstance(ord, str) or not ord > 0):
        raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
    if axis is None:
        x = x.reshape(-1)
        red = 0
    else:
        red = axis
    if ord in ("euclidean", 2):
        out = jnp.sqrt(jnp.sum(x * x, axis=red, keepdims=keep))
    elif ord == np.inf:
        out = jnp.max(x, axis=red, keepdims=keep)
    elif ord == 1:
        out = jnp.sum(x, axis=red, keepdims=keep)
    else:
        out = jnp.sum(x**ord, axis=red, keepdims=keep) ** (1.0 / ord)
    if axis is None and keep:
        out = out.reshape((1,) * tensor.ndim)
    return out.astype(tensor.dtype)


# -- indexing -------------------------------------------------------------------------------------------
_INDEX_HELP = (
    "Only integers, slices (`:`), ellipsis (`...`), ek.newaxis (`None`) and scalar ek.int32/ek.int64 "
    "tensors are valid indices, got {!r}. Use ek.gather / ek.gather_nd to index with a tensor of indices."
)


def _index_scalar(k: Any) -> Any:
    """An index entry that is an array-like: a concrete int, or the array itself if symbolic."""
    arr = to_array(k)
    if arr.ndim != 0 or not (jnp.issubdtype(arr.dtype, jnp.integer)):
        raise TypeError(_INDEX_HELP.format(k))
    c = _concrete(arr)
    return arr if c is None else int(c)


def _index_spec(key: Any) -> tuple[tuple, list]:
    items = key if isinstance(key, tuple) else (key,)
    spec, dyn = [], []
    for k in items:
        if k is None or k is Ellipsis:
            spec.append(k)
        elif isinstance(k, bool):
            raise TypeError(_INDEX_HELP.format(k))
        elif isinstance(k, (int, np.integer)):
            spec.append(int(k))
        elif isinstance(k, builtins.slice):
            parts = []
            for p in (k.start, k.stop, k.step):
                if p is None or (isinstance(p, (int, np.integer)) and not isinstance(p, bool)):
                    parts.append(None if p is None else int(p))
                else:
                    v = _index_scalar(p)
                    if not isinstance(v, int):
                        raise TypeError(
                            "Slice bounds must be known when slicing inside ek.function; use "
                            "ek.slice / ek.gather with a tensor offset instead."
                        )
                    parts.append(v)
            spec.append(builtins.slice(*parts))
        elif type(k) is Tensor or hasattr(k, "_ek_variable") or isinstance(k, (np.ndarray, jax.Array)):
            v = _index_scalar(k)
            if isinstance(v, int):
                spec.append(v)
            else:
                spec.append("dyn")
                dyn.append(v)
        else:
            raise TypeError(_INDEX_HELP.format(k))
    return tuple(_hashable_slice(s) for s in spec), dyn


def _hashable_slice(s: Any) -> Any:
    return ("slice", s.start, s.stop, s.step) if isinstance(s, builtins.slice) else s


def _restore_slices(spec: tuple) -> tuple:
    return tuple(builtins.slice(*s[1:]) if isinstance(s, tuple) and s and s[0] == "slice" else s for s in spec)


@defop("StridedSlice", tensors=("tensor",), tensor_lists=("dynamic",))
def _strided_slice(tensor, dynamic, spec):
    index = _restore_slices(spec)
    if builtins.sum(1 for s in index if s is Ellipsis) > 1:
        raise InvalidArgumentError(
            None, "StridedSlice", "Multiple ellipses in slice spec not allowed [Op:StridedSlice]"
        )
    consumed = builtins.sum(1 for s in index if s is not None and s is not Ellipsis)
    if consumed > tensor.ndim:
        raise InvalidArgumentError(
            None,
            "StridedSlice",
            f"Index out of range using input dim {tensor.ndim}; input has only {tensor.ndim} dims [Op:StridedSlice]",
        )
    for i, s in enumerate(index):
        if isinstance(s, builtins.slice) and s.step == 0:
            raise InvalidArgumentError(None, "StridedSlice", f"strides[{i}] must be non-zero [Op:StridedSlice]")
    it = iter(dynamic)
    index = tuple(next(it) if isinstance(s, str) else s for s in index)
    for i, s in enumerate(index):
        if isinstance(s, int) and not isinstance(s, bool):
            dim_i = _dim_for(index, i, tensor.ndim)
            if dim_i is not None and not -tensor.shape[dim_i] <= s < tensor.shape[dim_i]:
                raise InvalidArgumentError(
                    None, "StridedSlice", f"slice index {s} of dimension {dim_i} out of bounds. [Op:StridedSlice]"
                )
    return tensor[index]


def _dim_for(index: tuple, pos: int, ndim: int) -> int | None:
    dim = 0
    for j, s in enumerate(index):
        if s is Ellipsis:
            consumed = builtins.sum(1 for t in index if t is not None and t is not Ellipsis)
            dim += ndim - consumed
            continue
        if j == pos:
            return dim
        if s is not None:
            dim += 1
    return None


def _is_bool_mask(key: Any) -> bool:
    if isinstance(key, bool):
        return True
    if type(key) is Tensor or hasattr(key, "_ek_variable") or isinstance(key, (np.ndarray, jax.Array)):
        return to_array(key).dtype == np.bool_
    return False


def getitem(tensor: Any, key: Any) -> Tensor:
    """``tensor[key]`` like TF: ints, slices, Ellipsis, ``ek.newaxis``, scalar integer tensors; a
    list is read as a tuple of indices; a boolean tensor/array key selects with ``boolean_mask``.

    >>> import eagerkit as ek
    >>> x = ek.constant([[1, 2, 3], [4, 5, 6]])
    >>> x[1, ::-1].numpy().tolist(), x[..., ek.newaxis].shape
    ([6, 5, 4], TensorShape([2, 3, 1]))
    """
    if _is_bool_mask(key):
        if np.ndim(to_array(key)) == 0:
            raise ValueError("mask cannot be scalar.")
        return boolean_mask(tensor, key)
    if isinstance(key, list):
        key = tuple(key)
    spec, dyn = _index_spec(key)
    return _strided_slice(tensor, dyn, spec)


newaxis = None


# -- more construction and rearrangement ----------------------------------------------------------------
@defop("Repeat", tensors=("input",))
def repeat(input, repeats, axis=None):  # noqa: A002
    """Repeats elements (``repeats`` an int, or one count per element along ``axis``); with
    ``axis=None`` the input is flattened first.

    >>> import eagerkit as ek
    >>> ek.repeat([[1, 2], [3, 4]], [1, 2], axis=0).numpy().tolist()
    [[1, 2], [3, 4], [3, 4]]
    """
    x = input.reshape(-1) if axis is None else input
    ax = 0 if axis is None else int(axis)
    reps = repeats if isinstance(repeats, int) else tuple(int(r) for r in repeats)
    if not isinstance(reps, int) and len(reps) not in (1, x.shape[ax]):
        raise InvalidArgumentError(
            None, "Repeat", f"repeats has {len(reps)} counts but axis {ax} has {x.shape[ax]} elements [Op:Repeat]"
        )
    total = reps * x.shape[ax] if isinstance(reps, int) else builtins.sum(reps) * (x.shape[ax] if len(reps) == 1 else 1)
    return jnp.repeat(x, jnp.asarray(reps) if not isinstance(reps, int) else reps, axis=ax, total_repeat_length=total)


@defop("Roll", tensors=("input",))
def roll(input, shift, axis):  # noqa: A002
    """Rolls elements along ``axis`` by ``shift`` (both ints or equal-length lists).

    >>> import eagerkit as ek
    >>> ek.roll([1, 2, 3, 4], shift=1, axis=0)
    <tf.Tensor: shape=(4,), dtype=int32, numpy=array([4, 1, 2, 3], dtype=int32)>
    """
    return jnp.roll(input, shift, axis=axis)


@defop("SequenceMask", tensors=("lengths",))
def _sequence_mask(lengths, maxlen, dtype):
    check_dtype(lengths, "SequenceMask", INT + UINT)
    mask = jnp.arange(maxlen, dtype=lengths.dtype) < lengths[..., None]
    return mask.astype(_np(dtype))


def sequence_mask(lengths: Any, maxlen: Any = None, dtype: Any = _dtypes.bool, name: str | None = None) -> Tensor:
    """``mask[..., j] = j < lengths[...]`` with ``maxlen`` columns (default: the largest length).

    >>> import eagerkit as ek
    >>> ek.sequence_mask([1, 3], 3).numpy().tolist()
    [[True, False, False], [True, True, True]]
    """
    if maxlen is None:
        values = _concrete(to_array(lengths))
        if values is None:
            raise InvalidArgumentError(
                None, "SequenceMask", "sequence_mask inside ek.function needs maxlen (the output size)."
            )
        maxlen = int(values.max()) if values.size else 0
    return _sequence_mask(
        lengths, maxlen=static_value(maxlen, "SequenceMask", "maxlen"), dtype=_dtypes.as_dtype(dtype).name
    )


@defop("Meshgrid", tensors=(), tensor_lists=("args",))
def _meshgrid(args, indexing):
    return list(jnp.meshgrid(*args, indexing=indexing))


def meshgrid(*args: Any, indexing: str = "xy", name: str | None = None) -> list[Tensor]:
    """Coordinate grids from 1-D tensors (``indexing`` "xy" (default) or "ij").

    >>> import eagerkit as ek
    >>> [g.shape for g in ek.meshgrid([1, 2, 3], [4, 5])]
    [TensorShape([2, 3]), TensorShape([2, 3])]
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"indexing parameter must be either 'xy' or 'ij', got {indexing!r}")
    return list(_meshgrid(list(args), indexing=indexing))


def _check_scatter_indices(indices: Any, shape: tuple, op: str) -> None:
    check_dtype(indices, op, ("int32", "int64"))
    idx = _concrete(indices)
    depth = indices.shape[-1]
    if depth > len(shape):
        raise InvalidArgumentError(
            None, op, f"index depth {depth} is larger than the rank {len(shape)} of the output [Op:{op}]"
        )
    if idx is None or idx.size == 0:
        return
    limits = np.asarray(shape[:depth])
    bad = ((idx < 0) | (idx >= limits)).any(axis=-1)
    if bad.any():
        pos = tuple(int(p) for p in np.argwhere(bad)[0])
        raise InvalidArgumentError(
            None,
            op,
            f"indices[{','.join(map(str, pos))}] = {idx[pos].tolist()} does not index into shape "
            f"[{','.join(map(str, shape))}] [Op:{op}]",
        )


def _scatter(target: Any, indices: Any, updates: Any, mode: str) -> Any:
    index = tuple(jnp.moveaxis(indices, -1, 0))
    ref = target.at[index]
    return ref.add(updates) if mode == "add" else ref.set(updates)


_scatter_jit = jax.jit(_scatter, static_argnums=3)


@defop("ScatterNd", tensors=("indices", "updates"), jit=False)
def scatter_nd(indices, updates, shape):
    """A zero tensor of ``shape`` with ``updates`` added at ``indices`` (duplicates add up).

    >>> import eagerkit as ek
    >>> ek.scatter_nd([[0], [2], [0]], [1, 2, 3], [4]).numpy().tolist()
    [4, 0, 2, 0]
    """
    shape = tuple(int(d) for d in shape)
    _check_scatter_indices(indices, shape, "ScatterNd")
    return _scatter_jit(jnp.zeros(shape, updates.dtype), indices, updates, "add")


@defop("TensorScatterUpdate", tensors=("tensor", "indices", "updates"), jit=False)
def tensor_scatter_nd_update(tensor, indices, updates):
    """``tensor`` with the slices at ``indices`` replaced by ``updates``.

    >>> import eagerkit as ek
    >>> ek.tensor_scatter_nd_update([1, 1, 1, 1], indices=[[1], [3]], updates=[10, 20])
    <tf.Tensor: shape=(4,), dtype=int32, numpy=array([ 1, 10,  1, 20], dtype=int32)>
    """
    _check_scatter_indices(indices, tuple(tensor.shape), "TensorScatterUpdate")
    return _scatter_jit(tensor, indices, updates.astype(tensor.dtype), "set")


@defop("TensorScatterAdd", tensors=("tensor", "indices", "updates"), jit=False)
def tensor_scatter_nd_add(tensor, indices, updates):
    """``tensor`` with ``updates`` added at ``indices`` (duplicates add up).

    >>> import eagerkit as ek
    >>> ek.tensor_scatter_nd_add([1, 1, 1, 1], indices=[[1], [3]], updates=[10, 20])
    <tf.Tensor: shape=(4,), dtype=int32, numpy=array([ 1, 11,  1, 21], dtype=int32)>
    """
    _check_scatter_indices(indices, tuple(tensor.shape), "TensorScatterAdd")
    return _scatter_jit(tensor, indices, updates.astype(tensor.dtype), "add")


@defop("SearchSorted", tensors=("sorted_sequence", "values"))
def searchsorted(sorted_sequence, values, side="left", out_type=_dtypes.int32):
    """Insertion indices of ``values`` into the last axis of ``sorted_sequence`` (batched over
    leading axes); ``side`` "left" or "right".

    >>> import eagerkit as ek
    >>> ek.searchsorted([1, 3, 5, 7], [0, 3, 6, 8]).numpy().tolist()
    [0, 1, 3, 4]
    """
    if side not in ("left", "right"):
        raise InvalidArgumentError(None, "SearchSorted", f"side must be 'left' or 'right', got {side!r}")
    fn = lambda s, v: jnp.searchsorted(s, v, side=side)  # noqa: E731
    for _ in builtins.range(sorted_sequence.ndim - 1):
        fn = jax.vmap(fn)
    return fn(sorted_sequence, values).astype(_np(out_type))
