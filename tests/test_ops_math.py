"""Elementwise math, comparisons, reductions and matrix products against NumPy and TF's documented values."""

import numpy as np
import pytest

import eagerkit as ek

A = np.array([[1.5, -2.0, 3.0], [0.25, 4.0, -0.5]], np.float32)
B = np.array([[2.0, 0.5, -1.0], [4.0, 3.0, 2.0]], np.float32)


# -- binary arithmetic ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fn, ref",
    [
        (ek.add, np.add),
        (ek.subtract, np.subtract),
        (ek.multiply, np.multiply),
        (ek.divide, np.divide),
        (ek.realdiv, np.divide),
        (ek.math.truediv, np.divide),
        (ek.maximum, np.maximum),
        (ek.minimum, np.minimum),
        (ek.math.squared_difference, lambda a, b: (a - b) ** 2),
        (ek.math.floordiv, np.floor_divide),
        (ek.math.floormod, np.mod),
        (ek.math.mod, np.mod),
        (ek.math.atan2, np.arctan2),
    ],
)
def test_binary_float_ops_match_numpy(fn, ref):
    out = fn(ek.constant(A), ek.constant(B))
    assert out.dtype == ek.float32 and out.shape == A.shape
    np.testing.assert_allclose(out.numpy(), ref(A, B), rtol=1e-6)


def test_broadcasting_and_python_operands():
    row = ek.constant([1.0, 2.0, 3.0])
    col = ek.constant([[10.0], [20.0]])
    np.testing.assert_allclose(ek.add(row, col).numpy(), [[11, 12, 13], [21, 22, 23]])
    assert ek.add(1, 2).numpy() == 3 and ek.add(1, 2).dtype == ek.int32
    assert ek.multiply(2.0, 3).dtype == ek.float32
    assert ek.subtract(5, 3).numpy() == 2


def test_incompatible_shapes_raise_tf_message():
    with pytest.raises(ek.errors.InvalidArgumentError) as info:
        ek.add([1, 2], [1, 2, 3])
    assert str(info.value).startswith("Incompatible shapes: [2] vs. [3] [Op:AddV2]")
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2,3,4\] vs. \[3,2\] \[Op:Mul\]"):
        ek.multiply(ek.zeros([2, 3, 4]), ek.zeros([3, 2]))
    with pytest.raises(ValueError, match=r"Incompatible shapes: \[2\] vs. \[3\] \[Op:Maximum\]"):
        ek.maximum(ek.zeros([2]), ek.zeros([3]))


def test_integer_division_rules():
    q = ek.constant([7, -7]) / ek.constant([2, 2])
    assert q.dtype == ek.float64 and q.numpy().tolist() == [3.5, -3.5]
    assert (ek.constant([7], ek.int8) / ek.constant([2], ek.int8)).dtype == ek.float32
    assert (ek.constant(7, ek.int64) / 2).dtype == ek.float64
    assert (ek.constant([-7, 7]) // 2).numpy().tolist() == [-4, 3]
    assert (ek.constant([-7, 7]) % 2).numpy().tolist() == [1, 1]
    assert (ek.constant([-3.5, 3.5]) % 2).numpy().tolist() == [0.5, 1.5]
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"Integer division by zero \[Op:FloorDiv\]"):
        ek.constant([1]) // ek.constant([0])
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"Integer division by zero \[Op:FloorMod\]"):
        ek.constant([1]) % 0
    assert (ek.constant([1.0]) / 0.0).numpy().tolist() == [np.inf]


def test_pow():
    assert ek.pow(2, 10).numpy() == 1024
    assert ek.pow([2, 3], [2, 3]).numpy().tolist() == [4, 27]
    assert float(ek.pow(2.0, -1)) == 0.5
    np.testing.assert_allclose((ek.constant([4.0, 9.0]) ** 0.5).numpy(), [2, 3])
    assert (2 ** ek.constant([2, 3])).numpy().tolist() == [4, 8]
    with pytest.raises(ek.errors.InvalidArgumentError, match="Integers to negative integer powers are not allowed"):
        ek.constant([2, 3]) ** -1


def test_special_binary_ops():
    np.testing.assert_allclose(ek.math.divide_no_nan([1.0, 2.0], [0.0, 4.0]).numpy(), [0.0, 0.5])
    np.testing.assert_allclose(ek.math.xlogy([0.0, 2.0], [0.0, 3.0]).numpy(), [0.0, 2 * np.log(3)], rtol=1e-6)
    np.testing.assert_allclose(ek.math.xdivy([0.0, 2.0], [0.0, 4.0]).numpy(), [0.0, 0.5])
    assert ek.maximum([1, 5], [3, 2]).numpy().tolist() == [3, 5]
    assert ek.minimum([1.0, 5.0], 3).numpy().tolist() == [1.0, 3.0]


# -- comparisons and logic ------------------------------------------------------------------------------
def test_comparisons():
    x, y = ek.constant([1, 2, 3]), ek.constant([3, 2, 1])
    assert ek.equal(x, y).numpy().tolist() == [False, True, False]
    assert ek.not_equal(x, y).numpy().tolist() == [True, False, True]
    assert ek.less(x, y).numpy().tolist() == [True, False, False]
    assert ek.less_equal(x, y).numpy().tolist() == [True, True, False]
    assert ek.greater(x, y).numpy().tolist() == [False, False, True]
    assert ek.greater_equal(x, 2).numpy().tolist() == [False, True, True]
    assert ek.equal(x, y).dtype == ek.bool


def test_logical_and_bitwise_ops():
    t, f = ek.constant([True, True, False]), ek.constant([True, False, False])
    assert ek.logical_and(t, f).numpy().tolist() == [True, False, False]
    assert ek.logical_or(t, f).numpy().tolist() == [True, True, False]
    assert ek.math.logical_xor(t, f).numpy().tolist() == [False, True, False]
    assert ek.logical_not(f).numpy().tolist() == [False, True, True]
    assert int(ek.math.bitwise_and(12, 10)) == 8
    assert int(ek.math.bitwise_or(12, 10)) == 14
    assert int(ek.math.bitwise_xor(12, 10)) == 6
    assert int(ek.math.invert(ek.constant(0, ek.int8))) == -1
    assert ek.math.left_shift([1, 2], 2).numpy().tolist() == [4, 8]
    assert ek.math.right_shift([-8, 8], 1).numpy().tolist() == [-4, 4]
    with pytest.raises(ek.errors.InvalidArgumentError, match="expected to be a bool tensor but is a int32"):
        ek.logical_and(ek.constant([1, 0]), ek.constant([1, 1]))


# -- unary math ------------------------------------------------------------------------------------------
POS = np.array([0.25, 0.5, 0.9], np.float32)
ANY = np.array([-2.5, -0.5, 0.0, 1.5, 2.5], np.float32)


@pytest.mark.parametrize(
    "fn, ref, x",
    [
        (ek.sqrt, np.sqrt, POS),
        (ek.math.rsqrt, lambda v: 1 / np.sqrt(v), POS),
        (ek.exp, np.exp, ANY),
        (ek.math.expm1, np.expm1, ANY),
        (ek.math.log, np.log, POS),
        (ek.math.log1p, np.log1p, POS),
        (ek.sin, np.sin, ANY),
        (ek.cos, np.cos, ANY),
        (ek.tan, np.tan, ANY),
        (ek.math.asin, np.arcsin, POS),
        (ek.math.acos, np.arccos, POS),
        (ek.math.atan, np.arctan, ANY),
        (ek.math.sinh, np.sinh, ANY),
        (ek.math.cosh, np.cosh, ANY),
        (ek.tanh, np.tanh, ANY),
        (ek.math.asinh, np.arcsinh, ANY),
        (ek.math.acosh, np.arccosh, POS + 1),
        (ek.math.atanh, np.arctanh, POS),
        (ek.sigmoid, lambda v: 1 / (1 + np.exp(-v)), ANY),
        (ek.math.softplus, lambda v: np.log1p(np.exp(v)), ANY),
        (ek.math.reciprocal, lambda v: 1 / v, POS),
        (ek.square, np.square, ANY),
        (ek.abs, np.abs, ANY),
        (ek.sign, np.sign, ANY),
        (ek.negative, np.negative, ANY),
        (ek.floor, np.floor, ANY),
        (ek.math.ceil, np.ceil, ANY),
        (ek.round, np.round, ANY),  # half to even, like TF
        (ek.math.rint, np.rint, ANY),
    ],
)
def test_unary_float_ops_match_numpy(fn, ref, x):
    out = fn(ek.constant(x))
    assert out.dtype == ek.float32
    np.testing.assert_allclose(out.numpy(), ref(x.astype(np.float64)), rtol=2e-6, atol=1e-7)


def test_special_functions_against_tf_values():
    np.testing.assert_allclose(ek.math.erf([0.5]).numpy(), [0.52049988], rtol=1e-6)
    np.testing.assert_allclose(ek.math.erfc([0.5]).numpy(), [0.47950012], rtol=1e-6)
    np.testing.assert_allclose(ek.math.lgamma([0.5, 3.0]).numpy(), [0.5723649, 0.6931472], rtol=1e-6)
    np.testing.assert_allclose(ek.math.digamma([1.0, 2.5]).numpy(), [-0.5772159, 0.7031568], rtol=1e-5)
    np.testing.assert_allclose(ek.math.softsign([1.0]).numpy(), [0.5])


def test_integer_unary_ops_keep_dtype():
    assert ek.abs([-1, 2]).numpy().tolist() == [1, 2]
    assert ek.sign([-2, 0, 3]).numpy().tolist() == [-1, 0, 1]
    assert ek.square([2, 3]).numpy().tolist() == [4, 9]
    assert ek.round([1, 2]).dtype == ek.int32
    assert ek.negative(ek.constant([1], ek.int64)).dtype == ek.int64


@pytest.mark.parametrize(
    "fn", [ek.sqrt, ek.exp, ek.math.log, ek.sigmoid, ek.math.floor, ek.math.is_nan, ek.math.reciprocal]
)
def test_float_only_ops_refuse_integers(fn):
    with pytest.raises(ek.errors.InvalidArgumentError, match="Value for attr 'T' of int32 is not in the list"):
        fn(ek.constant([4, 9]))


def test_bool_arithmetic_is_refused():
    with pytest.raises(ek.errors.InvalidArgumentError, match="of bool is not in the list.*ek.cast"):
        ek.add(ek.constant([True]), ek.constant([False]))
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"\[Op:Less\]"):
        _ = ek.constant([True]) < ek.constant([False])


def test_nan_inf_tests_and_complex_parts():
    x = ek.constant([1.0, np.nan, np.inf, -np.inf])
    assert ek.math.is_nan(x).numpy().tolist() == [False, True, False, False]
    assert ek.math.is_inf(x).numpy().tolist() == [False, False, True, True]
    assert ek.math.is_finite(x).numpy().tolist() == [True, False, False, False]
    z = ek.constant([1 + 2j])
    assert z.dtype == ek.complex128
    assert ek.math.real(z).numpy().tolist() == [1.0] and ek.math.imag(z).numpy().tolist() == [2.0]
    assert ek.math.conj(z).numpy().tolist() == [1 - 2j]
    np.testing.assert_allclose(ek.math.angle([1 + 1j]).numpy(), [np.pi / 4])
    assert ek.abs(ek.constant([3 + 4j])).numpy().tolist() == [5.0]


# -- casts ------------------------------------------------------------------------------------------------
def test_cast():
    assert ek.cast([1.7, -1.7], ek.int32).numpy().tolist() == [1, -1]  # truncation toward zero
    assert ek.cast([1, 0, 2], ek.bool).numpy().tolist() == [True, False, True]
    assert ek.cast([True, False], ek.float32).numpy().tolist() == [1.0, 0.0]
    assert ek.cast(1, "float64").dtype == ek.float64
    assert ek.cast(1, np.float32).dtype == ek.float32
    assert ek.cast(1, float).dtype == ek.float32
    assert ek.cast([300], ek.uint8).numpy().tolist() == [44]
    assert ek.dtypes.cast([1], ek.int64).dtype.name == "int64"
    assert ek.cast(ek.constant([1 + 2j]), ek.float32).numpy().tolist() == [1.0]


def test_saturate_cast_uses_tf_bounds():
    assert ek.saturate_cast([300, -5], ek.uint8).numpy().tolist() == [255, 0]
    # TF clamps float32 input to the largest float32 below 2**31 before casting
    assert ek.saturate_cast([1e10, -1e10], ek.int32).numpy().tolist() == [2147483520, -2147483648]
    assert ek.math.saturate_cast(ek.constant([70000], ek.int64), ek.int16).numpy().tolist() == [32767]


# -- reductions ----------------------------------------------------------------------------------------------
M = np.array([[1, 2, 3], [4, 5, 6]], np.int32)


@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, True), (-1, False), ([0, 1], True), ((1,), False)])
def test_reduce_sum_prod_max_min(axis, keepdims):
    np_axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    for fn, ref in [
        (ek.reduce_sum, np.sum),
        (ek.reduce_prod, np.prod),
        (ek.reduce_max, np.max),
        (ek.reduce_min, np.min),
    ]:
        out = fn(M, axis=axis, keepdims=keepdims)
        assert out.dtype == ek.int32
        np.testing.assert_array_equal(out.numpy(), ref(M, axis=np_axis, keepdims=keepdims))


def test_reduce_mean_and_logsumexp():
    assert ek.reduce_mean([1, 2]).numpy() == 1  # integer mean truncates, as in TF
    assert ek.reduce_mean([-1, -2]).numpy() == -1
    assert ek.reduce_mean([1.0, 2.0]).numpy() == 1.5
    np.testing.assert_allclose(ek.reduce_mean(A, axis=1).numpy(), A.mean(1), rtol=1e-6)
    np.testing.assert_allclose(
        ek.reduce_logsumexp(A, axis=1).numpy(), np.log(np.exp(A.astype(np.float64)).sum(1)), rtol=1e-6
    )
    np.testing.assert_allclose(float(ek.reduce_logsumexp([1000.0, 1000.0])), 1000 + np.log(2), rtol=1e-7)
    assert float(ek.reduce_logsumexp([-np.inf, -np.inf])) == -np.inf
    with pytest.raises(ek.errors.InvalidArgumentError, match="ReduceLogSumExp"):
        ek.reduce_logsumexp([1, 2])


def test_reductions_of_empty_tensors_give_identities():
    assert float(ek.reduce_max(ek.zeros([0]))) == -np.inf
    assert float(ek.reduce_min(ek.zeros([0]))) == np.inf
    assert int(ek.reduce_max(ek.constant([], ek.int32))) == np.iinfo(np.int32).min
    assert float(ek.reduce_sum(ek.zeros([0]))) == 0.0
    assert float(ek.reduce_prod(ek.zeros([0]))) == 1.0
    assert ek.reduce_max(ek.zeros([2, 0]), axis=1).numpy().tolist() == [-np.inf, -np.inf]
    assert int(ek.reduce_mean(ek.constant([], ek.int32))) == 0


def test_reduce_any_all_and_variance():
    b = ek.constant([[False, False], [True, False]])
    assert ek.reduce_any(b, axis=1).numpy().tolist() == [False, True]
    assert bool(ek.reduce_all(ek.constant([True, True])))
    assert not bool(ek.reduce_all(b))
    x = np.array([[1.0, 2.0], [3.0, 5.0]], np.float32)
    np.testing.assert_allclose(ek.math.reduce_variance(x, axis=0).numpy(), x.var(0))
    np.testing.assert_allclose(ek.math.reduce_std(x).numpy(), x.std(), rtol=1e-6)
    assert float(ek.math.reduce_euclidean_norm([3.0, 4.0])) == 5.0
    assert ek.math.count_nonzero([0, 1, 2]).numpy() == 2 and ek.math.count_nonzero([0, 1]).dtype == ek.int64
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"\[Op:All\]"):
        ek.reduce_all(ek.constant([1, 0]))
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"\[Op:Sum\]"):
        ek.reduce_sum(ek.constant([True, True]))


def test_reduction_axis_out_of_range():
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"Sum.*int32\[2,3\].*\[Op:Sum\]"):
        ek.reduce_sum(M, axis=2)


def test_argmax_argmin():
    assert ek.argmax([1, 5, 3]).numpy() == 1 and ek.argmax([1, 5, 3]).dtype == ek.int64
    assert ek.argmax([[1, 5], [7, 3]]).numpy().tolist() == [1, 0]  # default axis 0
    assert ek.argmax([[1, 5], [7, 3]], axis=1).numpy().tolist() == [1, 0]
    assert ek.argmax([[1, 5], [7, 3]], axis=1, output_type=ek.int32).dtype == ek.int32
    assert ek.argmax([3, 3, 1]).numpy() == 0  # first of ties
    assert ek.argmin([[1, 5], [7, 3]], 1).numpy().tolist() == [0, 1]
    assert ek.math.argmin([2.0, -1.0]).numpy() == 1


def test_cumsum_cumprod():
    assert ek.cumsum([1, 2, 3]).numpy().tolist() == [1, 3, 6]
    assert ek.cumsum([[1, 2], [3, 4]], axis=1).numpy().tolist() == [[1, 3], [3, 7]]
    assert ek.cumsum([1, 2, 3], exclusive=True).numpy().tolist() == [0, 1, 3]
    assert ek.cumsum([1, 2, 3], reverse=True).numpy().tolist() == [6, 5, 3]
    assert ek.cumsum([1, 2, 3], exclusive=True, reverse=True).numpy().tolist() == [5, 3, 0]
    assert ek.math.cumprod([1, 2, 3]).numpy().tolist() == [1, 2, 6]
    assert ek.math.cumprod([1, 2, 3], exclusive=True, reverse=True).numpy().tolist() == [6, 3, 1]


def test_add_n():
    assert ek.add_n([[1, 2], [3, 4], [5, 6]]).numpy().tolist() == [9, 12]
    assert ek.add_n([ek.constant([1.0]), ek.constant([2.0])]).numpy().tolist() == [3.0]
    with pytest.raises(ek.errors.InvalidArgumentError, match="same shape"):
        ek.add_n([[1, 2], [3]])
    with pytest.raises(ek.errors.InvalidArgumentError, match="input #1.*float tensor but is a int32"):
        ek.add_n([ek.constant([1.0]), ek.constant([2], ek.int32)])
    with pytest.raises(ValueError, match="non-empty"):
        ek.add_n([])


# -- matrix products --------------------------------------------------------------------------------------
def test_matmul_variants():
    a = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    b = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    np.testing.assert_allclose(ek.matmul(a, b).numpy(), a @ b)
    np.testing.assert_allclose(ek.matmul(a, a, transpose_b=True).numpy(), a @ a.T)
    np.testing.assert_allclose(ek.matmul(a, a, transpose_a=True).numpy(), a.T @ a)
    np.testing.assert_allclose((ek.constant(a) @ ek.constant(b)).numpy(), a @ b)
    batch = np.arange(12.0, dtype=np.float32).reshape(2, 2, 3)
    np.testing.assert_allclose(ek.matmul(batch, b).numpy(), batch @ b)
    assert ek.matmul([[1, 2]], [[3], [4]]).numpy().tolist() == [[11]]
    z = np.array([[1 + 1j, 2]], np.complex64)
    np.testing.assert_allclose(ek.linalg.matmul(z, z, adjoint_b=True).numpy(), z @ z.conj().T)
    assert ek.matmul(ek.ones([2, 2], ek.int32), ek.ones([2, 2], ek.int32), output_type=ek.int64).dtype == ek.int64


def test_matmul_errors():
    with pytest.raises(
        ek.errors.InvalidArgumentError, match=r"Matrix size-incompatible: In\[0\]: \[2, 3\], In\[1\]: \[2, 3\]"
    ):
        ek.matmul(ek.ones([2, 3]), ek.ones([2, 3]))
    with pytest.raises(ek.errors.InvalidArgumentError, match="at least rank 2"):
        ek.matmul(ek.ones([2, 3]), ek.ones([3]))
    with pytest.raises(ek.errors.InvalidArgumentError, match="compatible batch dimensions"):
        ek.matmul(ek.ones([2, 2, 3]), ek.ones([3, 3, 2]))
    with pytest.raises(ek.errors.InvalidArgumentError, match="float tensor but is a double"):
        ek.matmul(ek.ones([2, 3]), ek.ones([3, 2], ek.float64))


def test_einsum_and_tensordot():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(ek.einsum("ij,jk->ik", a, b).numpy(), a @ b)
    assert float(ek.einsum("ii", [[1.0, 2.0], [3.0, 4.0]])) == 5.0
    assert ek.einsum("ij->ji", [[1, 2]]).numpy().tolist() == [[1], [2]]
    x, y = np.ones([2, 1, 2]), np.ones([2, 2, 3])
    np.testing.assert_allclose(ek.einsum("bij,bjk->bik", x, y).numpy(), np.einsum("bij,bjk->bik", x, y))
    np.testing.assert_allclose(ek.tensordot(a, b, 1).numpy(), a @ b)
    np.testing.assert_allclose(ek.tensordot([1.0, 2.0], [3.0, 4.0], 0).numpy(), [[3, 4], [6, 8]])
    t, u = np.ones([2, 3, 4]), np.ones([4, 3])
    np.testing.assert_allclose(ek.tensordot(t, u, [[1, 2], [1, 0]]).numpy(), np.tensordot(t, u, [[1, 2], [1, 0]]))
    assert float(ek.tensordot([1.0, 2.0], [3.0, 4.0], axes=[[0], [0]])) == 11.0


def test_misc_math():
    np.testing.assert_allclose(ek.math.l2_normalize([3.0, 4.0]).numpy(), [0.6, 0.8], rtol=1e-6)
    assert float(ek.math.polyval([1.0, 2.0, 3.0], 2.0)) == 11.0  # x**2 + 2x + 3


def test_no_nan_ops():
    assert ek.math.multiply_no_nan([np.inf, 2.0], [0.0, 3.0]).numpy().tolist() == [0.0, 6.0]
    assert ek.math.reciprocal_no_nan([0.0, 2.0]).numpy().tolist() == [0.0, 0.5]


def test_segment_reductions_match_tf():
    ids = [0, 2, 0, 1]
    assert ek.math.unsorted_segment_sum([1, 2, 3, 4], ids, 3).numpy().tolist() == [4, 4, 2]
    assert ek.math.unsorted_segment_mean([1.0, 2.0, 3.0, 4.0], ids, 4).numpy().tolist() == [2.0, 4.0, 2.0, 0.0]
    lowest = float(np.finfo(np.float32).min)  # empty segments hold the dtype's lowest value, as in TF
    assert ek.math.unsorted_segment_max([1.0, 2.0, 3.0, 4.0], ids, 4).numpy().tolist() == [3.0, 4.0, 2.0, lowest]
    assert ek.math.unsorted_segment_min([1, 2, 3, 4], ids, 4).numpy().tolist() == [1, 4, 2, 2**31 - 1]
    assert ek.math.unsorted_segment_sum([[1, 2], [3, 4]], [1, 1], 2).numpy().tolist() == [[0, 0], [4, 6]]
    assert ek.math.unsorted_segment_prod([2, 3], [0, 0], 2).numpy().tolist() == [6, 1]
    np.testing.assert_allclose(ek.math.unsorted_segment_sqrt_n([1.0, 3.0], [0, 0], 2).numpy(), [2 * np.sqrt(2), 0.0])
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"segment_ids\[1\] = 5 is out of range \[0, 3\)"):
        ek.math.unsorted_segment_sum([1, 2], [0, 5], 3)
    assert ek.math.segment_sum([1, 2, 3, 4], [0, 0, 1, 3]).numpy().tolist() == [3, 3, 0, 4]
    assert ek.math.segment_mean([1.0, 2.0, 3.0, 4.0], [0, 0, 1, 3]).numpy().tolist() == [1.5, 3.0, 0.0, 4.0]
    assert ek.math.segment_max([1, 2, 3, 4], [0, 0, 1, 3]).numpy().tolist() == [2, 3, 0, 4]
    with pytest.raises(ek.errors.InvalidArgumentError, match="segment ids are not increasing"):
        ek.math.segment_sum([1, 2, 3], [1, 0, 1])


def test_bincount():
    assert ek.math.bincount([1, 1, 3]).numpy().tolist() == [0, 2, 0, 1]
    assert ek.math.bincount([1, 1, 3], minlength=5).numpy().tolist() == [0, 2, 0, 1, 0]
    assert ek.math.bincount([1, 1, 3], maxlength=2).numpy().tolist() == [0, 2]
    weighted = ek.math.bincount([1, 1, 3], weights=[0.5, 1.0, 2.0])
    assert weighted.dtype == ek.float32 and weighted.numpy().tolist() == [0.0, 1.5, 0.0, 2.0]
