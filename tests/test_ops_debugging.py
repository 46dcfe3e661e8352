"""``ek.debugging`` assertions and ``ek.print`` (output compared with what TF 2.21's tf.print writes)."""

import numpy as np
import pytest

import eagerkit as ek


def test_binary_assertions_pass_and_return_none():
    assert ek.debugging.assert_equal(ek.constant([1, 2]), [1, 2]) is None
    assert ek.debugging.assert_equal(1, 1) is None
    ek.debugging.assert_none_equal([1, 2], [3, 4])
    ek.debugging.assert_less([1, 2], [2, 3])
    ek.debugging.assert_less_equal([1, 2], [2, 2])
    ek.debugging.assert_greater([3, 2], [2, 1])
    ek.debugging.assert_greater_equal([3, 2], [2, 2])
    ek.debugging.assert_equal([[1, 1]], 1)  # broadcasting


def test_assert_equal_failure_message_matches_tf():
    with pytest.raises(ek.errors.InvalidArgumentError) as info:
        ek.debugging.assert_equal(ek.constant([1, 2]), [1, 3], message="boom")
    assert str(info.value) == (
        "boom\nCondition x == y did not hold.\nIndices of first 1 different values:\n[[1]]\n"
        "Corresponding x values:\n[2]\nCorresponding y values:\n[3]\n"
        "First 2 elements of x:\n[1 2]\nFirst 2 elements of y:\n[1 3]"
    )


@pytest.mark.parametrize(
    "fn, x, y, sym",
    [
        (ek.debugging.assert_none_equal, [1, 2], [1, 4], "!="),
        (ek.debugging.assert_less, [1, 2], [2, 2], "<"),
        (ek.debugging.assert_less_equal, [1, 3], [2, 2], "<="),
        (ek.debugging.assert_greater, [3, 2], [2, 2], ">"),
        (ek.debugging.assert_greater_equal, [3, 1], [2, 2], ">="),
    ],
)
def test_binary_assertions_fail(fn, x, y, sym):
    with pytest.raises(ek.errors.InvalidArgumentError, match=f"Condition x {sym} y did not hold"):
        fn(x, y)


def test_binary_assertion_shape_and_dtype_errors():
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2\] vs. \[3\]"):
        ek.debugging.assert_equal(ek.constant([1, 2]), [1, 2, 3])
    with pytest.raises(ek.errors.InvalidArgumentError, match="expected to be a int32 tensor but is a float"):
        ek.debugging.assert_equal(ek.constant([1, 2]), ek.constant([1.0, 2.0]))
    with pytest.raises(ek.errors.InvalidArgumentError, match="Condition x > y"):
        ek.assert_greater(1, 2)
    ek.assert_equal(1, 1)
    ek.assert_less(1, 2)


def test_sign_assertions():
    ek.debugging.assert_positive([1, 2])
    ek.debugging.assert_non_negative([0, 2])
    ek.debugging.assert_negative([-1])
    ek.debugging.assert_non_positive([0])
    with pytest.raises(
        ek.errors.InvalidArgumentError, match=r"Condition x > 0 did not hold element-wise:\nx \(shape=\(2,\)"
    ):
        ek.debugging.assert_positive([0, 2])
    with pytest.raises(ek.errors.InvalidArgumentError, match="^m.  \nCondition x >= 0"):
        ek.debugging.assert_non_negative([-1, 2], message="m")


def test_assert_near():
    ek.debugging.assert_near([1.0, 2.0], [1.0, 2.0000001])
    ek.debugging.assert_near([1.0, 2.0], [1.0, 2.1], atol=0.2)
    ek.debugging.assert_near([1.0, 2.0], [1.0, 2.1], rtol=0.1)
    with pytest.raises(ek.errors.InvalidArgumentError, match="x and y not equal to tolerance"):
        ek.debugging.assert_near([1.0, 2.0], [1.0, 2.1])
    with pytest.raises(ValueError, match="not inexact"):
        ek.debugging.assert_near([1, 2], [1, 2])


def test_rank_and_type_assertions():
    ek.debugging.assert_rank([1, 2], 1)
    ek.assert_rank([[1]], 2)
    with pytest.raises(ValueError, match=r"must have rank 2.  Received rank 1, shape \(2,\)"):
        ek.debugging.assert_rank([1, 2], 2)
    with pytest.raises(ValueError, match=r"^rank!.  Tensor  must have rank 1"):
        ek.debugging.assert_rank([[1, 2]], 1, message="rank!")
    ek.debugging.assert_rank_at_least([[1]], 1)
    with pytest.raises(ValueError, match="rank at least 2"):
        ek.debugging.assert_rank_at_least([1], 2)
    ek.debugging.assert_rank_in([1], [1, 3])
    with pytest.raises(ValueError, match=r"rank in \(2, 3\)"):
        ek.debugging.assert_rank_in([1], [2, 3])
    assert ek.debugging.assert_scalar(1) is None
    with pytest.raises(ValueError, match=r"Expected scalar shape, saw shape: \(1,\)"):
        ek.debugging.assert_scalar([1])
    ek.debugging.assert_type(ek.constant(1), ek.int32)
    with pytest.raises(TypeError, match="tensor must be of type tf.float32; got tf.int32"):
        ek.debugging.assert_type(ek.constant(1), ek.float32)
    ek.debugging.assert_integer(ek.constant(1))
    with pytest.raises(TypeError, match="to be integer type"):
        ek.debugging.assert_integer(ek.constant(1.0))
    assert ek.debugging.is_numeric_tensor(ek.constant(1))
    assert not ek.debugging.is_numeric_tensor(ek.constant(True))
    assert not ek.debugging.is_numeric_tensor(1)
    ek.debugging.assert_proper_iterable([1])
    with pytest.raises(TypeError, match="proper"):
        ek.debugging.assert_proper_iterable(ek.constant([1]))


def test_assert_shapes():
    ek.debugging.assert_shapes([(ek.zeros([2, 3]), ("N", 3)), (ek.zeros([2]), ("N",))])
    ek.debugging.assert_shapes([(ek.zeros([2, 3]), (2, None)), (ek.zeros([2, 3]), ("N", "."))])
    ek.debugging.assert_shapes([(ek.zeros([4, 2, 3]), (..., 3))])
    ek.debugging.assert_shapes([(ek.zeros([]), ())])
    with pytest.raises(
        ValueError, match="Specified by tensor shape=\\(2, 3\\) dtype=float32 dimension 0.*must have size 2"
    ):
        ek.debugging.assert_shapes([(ek.zeros([2, 3]), ("N", 3)), (ek.zeros([3]), ("N",))])
    with pytest.raises(ValueError, match="Specified explicitly.*dimension 1 must have size 4"):
        ek.debugging.assert_shapes([(ek.zeros([2, 3]), ("N", 4))])
    with pytest.raises(ValueError, match="must have rank 1"):
        ek.debugging.assert_shapes([(ek.zeros([2, 3]), ("N",))])
    with pytest.raises(ValueError, match="dimension 1 must have size 2"):
        ek.debugging.assert_shapes([(ek.zeros([2, 3]), ("N", "N"))])


def test_check_numerics_and_assert():
    t = ek.constant([1.0, 2.0])
    assert ek.debugging.check_numerics(t, "bad") is t
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"bad : Tensor had NaN values \[Op:CheckNumerics\]"):
        ek.debugging.check_numerics(ek.constant([1.0, np.nan]), "bad")
    with pytest.raises(ek.errors.InvalidArgumentError, match="Tensor had Inf values"):
        ek.debugging.assert_all_finite(ek.constant([1.0, np.inf]), "bad")
    with pytest.raises(ek.errors.InvalidArgumentError, match="CheckNumerics"):
        ek.debugging.check_numerics(ek.constant([1, 2]), "ints")
    ek.debugging.Assert(True, [1])
    with pytest.raises(
        ek.errors.InvalidArgumentError, match="Expected 'False' to be true. Summarized data: 1\n\\[1 2\\]"
    ):
        ek.Assert(False, [1, ek.constant([1, 2])])


# -- ek.print -------------------------------------------------------------------------------------------
PRINT_CASES = [
    ((ek.constant([1, 2]),), {}, "[1 2]\n"),
    ((ek.constant([[1.5, 2]]), "hello", 3), {}, "[[1.5 2]] hello 3\n"),
    ((ek.range(10),), {}, "[0 1 2 ... 7 8 9]\n"),
    ((ek.range(10),), {"summarize": -1}, "[0 1 2 3 4 5 6 7 8 9]\n"),
    ((ek.range(10),), {"summarize": 2}, "[0 1 ... 8 9]\n"),
    (
        (ek.reshape(ek.range(24), [2, 3, 4]),),
        {},
        "[[[0 1 2 3]\n  [4 5 6 7]\n  [8 9 10 11]]\n\n [[12 13 14 15]\n  [16 17 18 19]\n  [20 21 22 23]]]\n",
    ),
    ((ek.constant(3.5),), {}, "3.5\n"),
    ((ek.constant(True),), {}, "1\n"),
    ((ek.constant([0.1, 1e-8]),), {}, "[0.1 1e-08]\n"),
    (({"a": ek.constant(1)}, [ek.constant(2), 3]), {}, "{'a': 1} [2, 3]\n"),
    (("a", "b"), {"sep": ",", "end": "!\n"}, "a,b!\n"),
    ((ek.Variable([1.0]),), {}, "[1]\n"),
    ((ek.zeros([0]),), {}, "[]\n"),
    ((ek.constant(1.0, ek.float64) / 3,), {}, "0.33333333333333331\n"),
    ((ek.constant(1.0) / 3,), {}, "0.333333343\n"),
    ((ek.constant([1.23456789]),), {}, "[1.23456788]\n"),
    ((ek.constant([np.nan, -np.inf]),), {}, "[nan -inf]\n"),
]


@pytest.mark.parametrize("args, kwargs, expected", PRINT_CASES)
def test_print_matches_tf_print(capsys, args, kwargs, expected):
    ek.print(*args, output_stream="stdout", **kwargs)
    assert capsys.readouterr().out == expected


def test_print_defaults_to_stderr_and_accepts_files(capsys, tmp_path):
    ek.print("to stderr", ek.constant([1]))
    captured = capsys.readouterr()
    assert captured.err == "to stderr [1]\n" and captured.out == ""
    path = tmp_path / "log.txt"
    ek.print("line", ek.constant(2), output_stream=f"file://{path}")
    ek.print("again", output_stream=f"file://{path}")
    assert path.read_text() == "line 2\nagain\n"
