"""TF's dtype rules: conversion defaults, real 64-bit types, weak Python/NumPy operands, refused mixes."""

import numpy as np
import pytest

import eagerkit as ek


@pytest.mark.parametrize(
    "value, dtype",
    [
        (1.5, ek.float32),
        (3, ek.int32),
        (True, ek.bool),
        (1j, ek.complex128),
        ([1.0, 2], ek.float32),
        ([[1, 2], [3, 4]], ek.int32),
        ([], ek.float32),
        (2**31, ek.int64),  # does not fit int32
        ([1, 2**40], ek.int64),
        (np.array([1.0, 2.0]), ek.float64),  # NumPy keeps its dtype
        (np.array([1, 2], np.int64), ek.int64),
        (np.float32(1.0), ek.float32),
        (np.int16(1), ek.int16),
        (np.array([True]), ek.bool),
    ],
)
def test_default_conversion_dtypes(value, dtype):
    assert ek.constant(value).dtype == dtype
    assert ek.convert_to_tensor(value).dtype == dtype


def test_requested_dtypes():
    assert ek.constant(1, ek.float32).numpy() == 1.0
    assert ek.constant(True, ek.int32).numpy() == 1
    assert ek.constant(np.array([1.5]), ek.int32).numpy().tolist() == [1]  # NumPy input is cast
    assert ek.convert_to_tensor(np.array([300]), ek.uint8).numpy().tolist() == [44]
    assert ek.constant(256, ek.uint8).numpy() == 0  # Python ints wrap around, as in TF
    assert ek.constant(-1, ek.uint8).numpy() == 255
    assert ek.constant(2**31, ek.int32).numpy() == -(2**31)
    assert ek.constant(1e40, ek.float16).numpy() == np.inf
    assert ek.convert_to_tensor([1, 2], ek.float32).dtype == ek.float32
    assert ek.convert_to_tensor(1, dtype_hint=ek.float32).dtype == ek.float32
    assert ek.convert_to_tensor(1.5, dtype_hint=ek.int32).dtype == ek.float32  # a hint that does not fit is ignored


def test_refused_conversions():
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
        ek.constant(1.5, ek.int32)
    with pytest.raises(TypeError, match="Cannot convert 1 to EagerTensor of dtype bool"):
        ek.constant(1, ek.bool)
    with pytest.raises(TypeError, match="dtype float32"):
        ek.constant(1j, ek.float32)
    with pytest.raises(ValueError, match="out-of-range integer"):
        ek.constant(2**63)
    with pytest.raises(ValueError, match="non-rectangular"):
        ek.constant([[1, 2], [3]])
    with pytest.raises(ValueError, match="unsupported type"):
        ek.constant(None)
    with pytest.raises(TypeError, match=r"Expected tensor \[1 2\] with dtype tf.float32, but got dtype tf.int32"):
        ek.constant(ek.constant([1, 2]), ek.float32)
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float64 for Tensor with dtype float32"):
        ek.convert_to_tensor(ek.constant([1.5]), ek.float64)


def test_64_bit_types_are_real():
    x = ek.cast([1, 2], ek.int64)
    assert x.dtype.name == "int64" and x.numpy().dtype == np.int64
    assert (x * 2**40).numpy().tolist() == [2**40, 2**41]
    d = ek.constant(1.0, ek.float64) / 3
    assert d.dtype == ek.float64 and d.numpy() == 1.0 / 3
    assert ek.reduce_sum(ek.constant([2**31 - 1, 2**31 - 1], ek.int64)).numpy() == 2**32 - 2
    assert ek.constant(1.0).numpy().dtype == np.float32  # x64 mode never leaks into defaults
    assert ek.range(3).dtype == ek.int32 and ek.zeros([1]).dtype == ek.float32


def test_integer_true_division_gives_float64():
    assert (ek.constant(1) / ek.constant(2)).dtype == ek.float64
    assert float(ek.constant(1) / ek.constant(2)) == 0.5
    assert ek.divide(7, 2).dtype == ek.float64
    assert (ek.constant(1, ek.int16) / ek.constant(2, ek.int16)).dtype == ek.float32
    assert (ek.constant(1.0) / 2).dtype == ek.float32


def test_mixed_dtype_tensors_are_refused_with_tf_message():
    with pytest.raises(ek.errors.InvalidArgumentError) as info:
        ek.add(ek.constant(1.0), ek.constant(1))
    assert str(info.value).startswith(
        "cannot compute AddV2 as input #1(zero-based) was expected to be a float tensor but is a int32 tensor "
        "[Op:AddV2]"
    )
    assert "ek.cast" in str(info.value)
    with pytest.raises(ek.errors.InvalidArgumentError, match="expected to be a double tensor but is a float tensor"):
        ek.constant(1.0, ek.float64) * ek.constant(1.0)
    with pytest.raises(ek.errors.InvalidArgumentError, match="expected to be a int64 tensor but is a int32"):
        ek.constant(1, ek.int64) - ek.constant(1)
    assert issubclass(ek.errors.InvalidArgumentError, ValueError)


def test_python_scalars_adopt_the_tensor_dtype():
    assert (ek.constant(3.0, ek.float16) * 2.0).dtype == ek.float16
    assert (ek.constant(3.0, ek.float64) + 1).dtype == ek.float64
    assert (ek.constant(3, ek.int64) * 2).dtype == ek.int64
    assert (ek.constant(3, ek.uint8) + 255).numpy() == 2  # wraps like TF
    assert (1 + ek.constant([1.0], ek.float64)).dtype == ek.float64
    assert ek.maximum(ek.constant([1, 5], ek.int8), 2).dtype == ek.int8
    assert (ek.constant([3.0]) + [1, 2]).numpy().tolist() == [4.0, 5.0]


def test_numpy_operands_adopt_the_tensor_dtype():
    assert (ek.constant(3.0) * np.array([2.5])).dtype == ek.float32  # float64 array, float32 result
    assert (np.array([2.0]) + ek.constant(3.0)).dtype == ek.float32
    assert (ek.constant(3) * np.array([2.7])).numpy().tolist() == [6]  # cast like TF
    assert (ek.constant(3, ek.int64) * np.array([2], np.int32)).dtype == ek.int64
    assert (ek.constant(3.0) * np.int64(2)).dtype == ek.float32
    assert (ek.Variable(3.0) + np.array([2.0])).dtype == ek.float32
    assert ek.add(np.array([1.0]), np.array([1.0], np.float32)).dtype == ek.float64  # no tensor: the first decides


def test_float_scalar_into_int_op_is_refused():
    with pytest.raises(TypeError, match="Cannot convert 2.5 to EagerTensor of dtype int32") as info:
        ek.constant(3) * 2.5
    assert isinstance(info.value, ek.errors.InvalidArgumentError)  # catchable either way, as TF's paths differ
    assert "[Op:Mul]" in str(info.value)
    with pytest.raises(TypeError, match="Cannot convert 2.5"):
        _ = ek.constant(3) > 2.5
    with pytest.raises(TypeError, match="Cannot convert"):
        ek.constant([1, 2]) + [1.5]
    with pytest.raises(TypeError, match="Cannot convert 1j"):
        ek.constant(3.0) * 1j


def test_tensorshape_converts_like_tf():
    import eagerkit as ek

    t = ek.convert_to_tensor(ek.TensorShape([32, 10]))
    assert t.dtype == ek.int32 and t.numpy().tolist() == [32, 10]
    ek.debugging.assert_equal(ek.zeros([32, 10]).shape, (32, 10))  # the seed guide's assertion
    with pytest.raises(ValueError, match="partially known TensorShape"):
        ek.convert_to_tensor(ek.TensorShape([None, 3]))
