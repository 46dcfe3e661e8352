"""Tensor, TensorShape, DType and TensorSpec: metadata, the Python protocol and printing like TF 2.21."""

import operator

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import eagerkit as ek

# -- TensorShape ------------------------------------------------------------------------------------


def test_tensor_shape_basics():
    s = ek.TensorShape([None, 3])
    assert s.rank == 2 and s.ndims == 2 and s.as_list() == [None, 3] and s.dims == [None, 3]
    assert s == [None, 3] and s == (None, 3) and s != [2, 3]
    assert repr(s) == "TensorShape([None, 3])" and str(s) == "(None, 3)"
    assert str(ek.TensorShape([2])) == "(2,)" and str(ek.TensorShape([])) == "()"
    unknown = ek.TensorShape(None)
    assert str(unknown) == "<unknown>" and repr(unknown) == "TensorShape(None)" and unknown.rank is None
    with pytest.raises(ValueError, match="unknown TensorShape"):
        unknown.as_list()
    full = ek.TensorShape([2, 3])
    assert full.num_elements() == 6 and s.num_elements() is None
    assert full.is_fully_defined() and not s.is_fully_defined()
    assert s.is_compatible_with([2, 3]) and not s.is_compatible_with([2, 4]) and not s.is_compatible_with([3])
    assert s.merge_with([2, None]) == [2, 3]
    with pytest.raises(ValueError, match="incompatible"):
        s.merge_with([1, 4])
    assert ek.TensorShape([2]).concatenate([3]) == [2, 3] and ek.TensorShape([2]) + [3] == [2, 3]
    assert full[1:] == [3] and full[0] == 2 and len(full) == 2 and list(full) == [2, 3]
    assert hash(full) == hash(ek.TensorShape((2, 3)))


def test_tensor_metadata():
    t = ek.constant([[1.0, 2.0, 3.0]])
    assert t.shape == [1, 3] and t.shape == (1, 3) and isinstance(t.shape, ek.TensorShape)
    assert t.get_shape().as_list() == [1, 3] and t.shape.rank == 2 and t.ndim == 2
    assert t.dtype == ek.float32 and t.dtype.name == "float32"
    assert t.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    assert t.backing_device.endswith("device:CPU:0")
    with pytest.raises(AttributeError, match="eager execution"):
        t.name  # noqa: B018
    assert ek.is_tensor(t) and ek.is_tensor(ek.Variable(1.0)) and not ek.is_tensor(1.0)
    assert ek.executing_eagerly()


def test_dtype_properties():
    assert ek.float32.is_floating and not ek.float32.is_integer and ek.bfloat16.is_floating
    assert ek.int32.is_integer and ek.uint8.is_unsigned and not ek.int8.is_unsigned
    assert ek.complex64.is_complex and ek.complex64.real_dtype == ek.float32
    assert ek.bool.is_bool and not ek.bool.is_numeric and ek.int16.is_numeric
    assert ek.float32.as_numpy_dtype is np.float32 and ek.int64.as_numpy_dtype is np.int64
    assert ek.int64.max == 2**63 - 1 and ek.uint8.min == 0 and ek.float16.size == 2
    assert ek.as_dtype("float32") is ek.float32 and ek.as_dtype(np.int64) is ek.int64
    assert ek.as_dtype(float) is ek.float32 and ek.as_dtype(int) is ek.int32 and ek.as_dtype(bool) is ek.bool
    assert ek.float32 == np.float32 and ek.float32 == "float32" and ek.float32 != ek.float64
    assert repr(ek.float32) == "tf.float32" and str(ek.float32) == "<dtype: 'float32'>"
    assert ek.double is ek.float64 and ek.half is ek.float16
    with pytest.raises(TypeError, match="Cannot convert 'float33'"):
        ek.as_dtype("float33")


def test_tensor_spec():
    spec = ek.TensorSpec([None], ek.float32)
    assert repr(spec) == "TensorSpec(shape=(None,), dtype=tf.float32, name=None)"
    assert spec.is_compatible_with(ek.constant([1.0, 2.0]))
    assert not spec.is_compatible_with(ek.constant([1, 2]))
    assert not spec.is_compatible_with(ek.constant([[1.0]]))
    assert ek.TensorSpec.from_tensor(ek.constant([1, 2])) == ek.TensorSpec([2], ek.int32)


# -- operators ------------------------------------------------------------------------------------------
A = np.array([[1.0, -2.0], [3.0, 4.0]], np.float32)
B = np.array([[2.0, 0.5], [-1.0, 8.0]], np.float32)


@pytest.mark.parametrize(
    "op",
    [
        operator.add,
        operator.sub,
        operator.mul,
        operator.truediv,
        operator.floordiv,
        operator.mod,
        operator.pow,
        operator.matmul,
        operator.lt,
        operator.le,
        operator.gt,
        operator.ge,
        operator.eq,
        operator.ne,
    ],
)
def test_binary_operators_and_reflected_forms(op):
    a_np = np.abs(A) if op is operator.pow else A
    b_np = np.abs(B) if op is operator.pow else B
    want = op(a_np, b_np)
    out = op(ek.constant(a_np), ek.constant(b_np))
    assert type(out) is ek.Tensor
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-6)
    # a NumPy array on the left defers to the Tensor's reflected method and gives a Tensor
    reflected = op(a_np, ek.constant(b_np))
    assert type(reflected) is ek.Tensor and reflected.dtype in (ek.float32, ek.bool)
    np.testing.assert_allclose(reflected.numpy(), want, rtol=1e-6)


def test_reflected_operators_with_python_scalars():
    t = ek.constant([1.0, 2.0, 4.0])
    assert (2 + t).numpy().tolist() == [3, 4, 6]
    assert (2 - t).numpy().tolist() == [1, 0, -2]
    assert (2 * t).numpy().tolist() == [2, 4, 8]
    assert (2 / t).numpy().tolist() == [2, 1, 0.5]
    assert (7 // t).numpy().tolist() == [7, 3, 1]
    assert (7 % t).numpy().tolist() == [0, 1, 3]
    assert (2**t).numpy().tolist() == [2, 4, 16]
    assert ([[1.0, 2.0]] @ ek.constant([[3.0], [4.0]])).numpy().tolist() == [[11.0]]
    assert (1 < t).numpy().tolist() == [False, True, True]  # reflected comparison
    i = ek.constant([12, 10])
    assert (i & 10).numpy().tolist() == [8, 10] and (6 & i).numpy().tolist() == [4, 2]
    assert (i | 1).numpy().tolist() == [13, 11] and (1 | i).numpy().tolist() == [13, 11]
    assert (i ^ 6).numpy().tolist() == [10, 12] and (6 ^ i).numpy().tolist() == [10, 12]


def test_unary_and_logical_operators():
    t = ek.constant([-1.5, 2.0])
    assert (-t).numpy().tolist() == [1.5, -2.0]
    assert abs(t).numpy().tolist() == [1.5, 2.0]
    assert (+t).numpy().tolist() == [-1.5, 2.0]
    assert (~ek.constant([1, 2])).numpy().tolist() == [-2, -3]
    b, c = ek.constant([True, False]), ek.constant([True, True])
    assert (~b).numpy().tolist() == [False, True]
    assert (b & c).numpy().tolist() == [True, False]
    assert (b | False).numpy().tolist() == [True, False]
    assert (b ^ c).numpy().tolist() == [False, True]
    with pytest.raises(TypeError, match="Cannot convert 1 to EagerTensor of dtype bool"):
        ek.constant(True) & 1


def test_equality_semantics_follow_tf():
    t = ek.constant([1, 2, 3])
    assert (t == [1, 2, 3]).numpy().tolist() == [True, True, True]
    assert (t == None) is False and (t != None) is True  # noqa: E711
    mismatch = t == ek.constant([1, 2])
    assert type(mismatch) is ek.Tensor and mismatch.shape == [] and not bool(mismatch)
    assert bool(t != ek.constant([1, 2]))
    with pytest.raises(ek.errors.InvalidArgumentError, match="cannot compute Equal"):
        ek.constant([1.0]) == ek.constant([1])  # noqa: B015
    with pytest.raises(ValueError):
        t == "a"  # noqa: B015


def test_mixed_dtype_operators_raise():
    with pytest.raises(
        ek.errors.InvalidArgumentError, match=r"input #1\(zero-based\) was expected to be a float tensor"
    ):
        ek.constant([1.0]) + ek.constant([1])
    with pytest.raises(TypeError, match="Cannot convert 2.5 to EagerTensor of dtype int32"):
        ek.constant(3) * 2.5
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"Incompatible shapes: \[3\] vs. \[2\] \[Op:AddV2\]"):
        ek.constant([1, 2, 3]) + ek.constant([1, 2])


def test_tensors_are_immutable_values():
    t = ek.constant([1, 2])
    u = t
    t += 1
    assert t.numpy().tolist() == [2, 3] and u.numpy().tolist() == [1, 2]
    with pytest.raises(TypeError):
        t[0] = 5


# -- conversions to Python and NumPy ------------------------------------------------------------------------------
def test_python_scalar_conversions():
    assert int(ek.constant(3)) == 3 and int(ek.constant(3.7)) == 3
    assert float(ek.constant(3)) == 3.0 and isinstance(float(ek.constant(2.5)), float)
    assert operator.index(ek.constant(2, ek.int64)) == 2
    assert [1, 2, 3][ek.constant(1)] == 2 and list(range(ek.constant(3))) == [0, 1, 2]
    with pytest.raises(TypeError, match="only 0-dimensional arrays can be converted"):
        int(ek.constant([3]))
    with pytest.raises(TypeError, match="only 0-dimensional"):
        float(ek.constant([[3.5]]))
    with pytest.raises(TypeError, match="Only integer scalar tensors can be used as an index"):
        [1, 2, 3][ek.constant(1.0)]  # noqa: B018
    with pytest.raises(TypeError, match="only 0-dimensional"):
        [1, 2, 3][ek.constant([1])]  # noqa: B018


def test_bool_len_and_iteration():
    assert bool(ek.constant(1)) and not bool(ek.constant(0)) and bool(ek.constant([1]))
    assert not bool(ek.constant([]))
    with pytest.raises(ValueError, match="more than one element is ambiguous"):
        bool(ek.constant([1, 2]))
    assert len(ek.constant([1, 2, 3])) == 3
    with pytest.raises(TypeError, match="Scalar tensor has no `len\\(\\)`"):
        len(ek.constant(1))
    rows = list(ek.constant([[1, 2], [3, 4]]))
    assert [r.numpy().tolist() for r in rows] == [[1, 2], [3, 4]] and all(type(r) is ek.Tensor for r in rows)
    with pytest.raises(TypeError, match="Cannot iterate over a scalar tensor"):
        iter(ek.constant(1))
    a, b = ek.constant([5, 6])
    assert int(a) == 5 and int(b) == 6


def test_numpy_interop():
    t = ek.constant([1, 2])
    arr = t.numpy()
    assert isinstance(arr, np.ndarray) and arr.dtype == np.int32 and arr.tolist() == [1, 2]
    assert isinstance(ek.constant(1).numpy(), np.int32)
    out = np.multiply(t, ek.constant([3, 4]))
    assert isinstance(out, np.ndarray) and out.tolist() == [3, 8]
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    assert int(np.sum(t)) == 3
    t.numpy()[0] = 100  # numpy() returns a copy
    assert t.numpy().tolist() == [1, 2]


def test_jax_interop():
    t = ek.constant([1.0, 4.0])
    out = jnp.sqrt(t)
    assert isinstance(out, jax.Array) and out.tolist() == [1.0, 2.0]
    assert jnp.add(t, ek.constant([1.0, 1.0])).tolist() == [2.0, 5.0]
    assert jnp.asarray(ek.Variable([1.0, 1.0])).tolist() == [1.0, 1.0]
    doubled = jax.jit(lambda x: x * 2)(t)  # a Tensor is a pytree: jit sees its array, returns a Tensor
    assert type(doubled) is ek.Tensor and doubled.numpy().tolist() == [2.0, 8.0]
    assert jax.tree_util.tree_leaves(t)[0] is t._value
    assert ek.constant(jnp.arange(3)).numpy().tolist() == [0, 1, 2]


def test_hashing_and_ref():
    t = ek.constant(1.0)
    with pytest.raises(TypeError, match=r"Tensor is unhashable. Instead, use tensor.ref\(\) as the key."):
        hash(t)
    with pytest.raises(TypeError):
        {t}  # noqa: B018
    d = {t.ref(): "value"}
    assert d[t.ref()] == "value" and t.ref().deref() is t
    assert t.ref() != ek.constant(1.0).ref()
    assert t.experimental_ref() == t.ref()


# -- printing ------------------------------------------------------------------------------------------------
PRINTS = [
    (
        lambda: ek.constant(1.5),
        "tf.Tensor(1.5, shape=(), dtype=float32)",
        "<tf.Tensor: shape=(), dtype=float32, numpy=1.5>",
    ),
    (
        lambda: ek.constant([1.5, 2.0]),
        "tf.Tensor([1.5 2. ], shape=(2,), dtype=float32)",
        "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1.5, 2. ], dtype=float32)>",
    ),
    (
        lambda: ek.constant([[1, 2], [3, 4]]),
        "tf.Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)",
        "<tf.Tensor: shape=(2, 2), dtype=int32, numpy=\narray([[1, 2],\n       [3, 4]], dtype=int32)>",
    ),
    (
        lambda: ek.constant(True),
        "tf.Tensor(True, shape=(), dtype=bool)",
        "<tf.Tensor: shape=(), dtype=bool, numpy=True>",
    ),
    (
        lambda: ek.constant([True, False]),
        "tf.Tensor([ True False], shape=(2,), dtype=bool)",
        "<tf.Tensor: shape=(2,), dtype=bool, numpy=array([ True, False])>",
    ),
    (
        lambda: ek.constant(1.5, ek.float64),
        "tf.Tensor(1.5, shape=(), dtype=float64)",
        "<tf.Tensor: shape=(), dtype=float64, numpy=1.5>",
    ),
    (
        lambda: ek.constant([1.5], ek.float16),
        "tf.Tensor([1.5], shape=(1,), dtype=float16)",
        "<tf.Tensor: shape=(1,), dtype=float16, numpy=array([1.5], dtype=float16)>",
    ),
    (
        lambda: ek.zeros([0]),
        "tf.Tensor([], shape=(0,), dtype=float32)",
        "<tf.Tensor: shape=(0,), dtype=float32, numpy=array([], dtype=float32)>",
    ),
    (
        lambda: ek.zeros([2, 0]),
        "tf.Tensor([], shape=(2, 0), dtype=float32)",
        "<tf.Tensor: shape=(2, 0), dtype=float32, numpy=array([], shape=(2, 0), dtype=float32)>",
    ),
    (
        lambda: ek.range(2000),
        "tf.Tensor([   0    1    2 ... 1997 1998 1999], shape=(2000,), dtype=int32)",
        "<tf.Tensor: shape=(2000,), dtype=int32, numpy=\narray([   0,    1,    2, ..., 1997, 1998, 1999],\n"
        "      shape=(2000,), dtype=int32)>",
    ),
    (
        lambda: ek.reshape(ek.range(8.0), [2, 2, 2]),
        "tf.Tensor(\n[[[0. 1.]\n  [2. 3.]]\n\n [[4. 5.]\n  [6. 7.]]], shape=(2, 2, 2), dtype=float32)",
        "<tf.Tensor: shape=(2, 2, 2), dtype=float32, numpy=\narray([[[0., 1.],\n        [2., 3.]],\n\n"
        "       [[4., 5.],\n        [6., 7.]]], dtype=float32)>",
    ),
    (
        lambda: ek.constant([0.1, 0.123456789]),
        "tf.Tensor([0.1        0.12345679], shape=(2,), dtype=float32)",
        "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.1       , 0.12345679], dtype=float32)>",
    ),
    (
        lambda: ek.constant(np.nan),
        "tf.Tensor(nan, shape=(), dtype=float32)",
        "<tf.Tensor: shape=(), dtype=float32, numpy=nan>",
    ),
    (
        lambda: ek.constant([1 + 2j]),
        "tf.Tensor([1.+2.j], shape=(1,), dtype=complex128)",
        "<tf.Tensor: shape=(1,), dtype=complex128, numpy=array([1.+2.j])>",
    ),
    (
        lambda: ek.constant(7, ek.int64),
        "tf.Tensor(7, shape=(), dtype=int64)",
        "<tf.Tensor: shape=(), dtype=int64, numpy=7>",
    ),
]


@pytest.mark.parametrize("make, text, rep", PRINTS)
def test_str_and_repr_match_tf(make, text, rep):
    t = make()
    assert str(t) == text
    assert repr(t) == rep


def test_format_prints_the_value():
    assert f"{ek.constant([[4.0]])}" == "[[4.]]"
    assert f"hello, {ek.matmul([[2.0]], [[2.0]])}" == "hello, [[4.]]"
    assert f"{ek.constant(4.0):.2f}" == "4.00"
    assert f"{ek.constant(4):>6}" == "     4"
    assert f"{ek.constant([1, 2])}" == "[1 2]"
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{ek.constant([4.0]):.2f}"


def test_getitem_protocol():
    t = ek.constant([[1, 2, 3], [4, 5, 6]])
    assert int(t[1, 2]) == 6 and t[-1].numpy().tolist() == [4, 5, 6]
    assert t[:, ::2].numpy().tolist() == [[1, 3], [4, 6]]
    assert t[..., 0].numpy().tolist() == [1, 4]
    assert t[ek.newaxis, ..., 1].shape == [1, 2] and t[:, None].shape == [2, 1, 3]
    assert t[ek.constant(1), ek.constant(0)].numpy() == 4
    assert t[ek.constant(0) :].shape == [2, 3]
    assert type(t[0]) is ek.Tensor
    with pytest.raises(TypeError, match="valid indices"):
        t[ek.constant([0, 1])]  # noqa: B018
