"""Merging layers: values, broadcasting, masks, symbolic shapes and input errors."""

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.keras  # noqa: F401

L = ek.keras.layers

A = ek.constant([[1.0, 5.0], [2.0, -1.0]])
B = ek.constant([[3.0, 2.0], [2.0, 4.0]])


def test_elementwise_merges():
    np.testing.assert_array_equal(L.Add()([A, B]).numpy(), [[4, 7], [4, 3]])
    np.testing.assert_array_equal(L.Add()([A, B, B]).numpy(), [[7, 9], [6, 7]])
    np.testing.assert_array_equal(L.Subtract()([A, B]).numpy(), [[-2, 3], [0, -5]])
    np.testing.assert_array_equal(L.Multiply()([A, B]).numpy(), [[3, 10], [4, -4]])
    np.testing.assert_array_equal(L.Average()([A, B]).numpy(), [[2, 3.5], [2, 1.5]])
    np.testing.assert_array_equal(L.Maximum()([A, B]).numpy(), [[3, 5], [2, 4]])
    np.testing.assert_array_equal(L.Minimum()([A, B]).numpy(), [[1, 2], [2, -1]])
    np.testing.assert_array_equal(L.add([A, B]).numpy(), L.Add()([A, B]).numpy())
    np.testing.assert_array_equal(L.Add()([A, ek.constant([[10.0], [20.0]])]).numpy(), [[11, 15], [22, 19]])


def test_concatenate():
    np.testing.assert_array_equal(L.Concatenate()([A, B]).numpy(), [[1, 5, 3, 2], [2, -1, 2, 4]])
    np.testing.assert_array_equal(L.Concatenate(axis=0)([A, B]).numpy(), np.concatenate([A.numpy(), B.numpy()]))
    x = ek.keras.Input((None, 3))
    y = ek.keras.Input((None, 2))
    assert L.concatenate([x, y]).shape == (None, None, 5)
    assert L.Concatenate(axis=1)([ek.keras.Input((2, 3)), ek.keras.Input((4, 3))]).shape == (None, 6, 3)


def test_merge_errors():
    with pytest.raises(ValueError, match="should be called on a list of inputs"):
        L.Add()(A)
    with pytest.raises(ValueError, match="at least 2 inputs. Received: 1"):
        L.Add()([A])
    with pytest.raises(ValueError, match=r"exactly 2 inputs. Received: 3"):
        L.Subtract()([A, A, A])
    with pytest.raises(ValueError, match=r"Inputs have incompatible shapes. Received shapes \(2,\) and \(3,\)"):
        L.Add()([ek.ones([1, 2]), ek.ones([1, 3])])
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        L.Concatenate()([ek.ones([1, 2, 3]), ek.ones([1, 4, 3])])


def test_merge_masks_and_gradients():
    m1, m2 = ek.constant([[True, False]]), ek.constant([[True, True]])
    np.testing.assert_array_equal(L.Add().compute_mask([A, B], [m1, m2]).numpy(), [[True, False]])
    assert L.Add().compute_mask([A, B], [None, None]) is None
    seq = ek.ones([1, 2, 3])
    concat_mask = L.Concatenate(axis=1).compute_mask([seq, seq], [m1, None])
    np.testing.assert_array_equal(concat_mask.numpy(), [[True, False, True, True]])
    with ek.GradientTape() as tape:
        tape.watch([A, B])
        out = ek.reduce_sum(L.Multiply()([A, B]))
    grad_a, grad_b = tape.gradient(out, [A, B])
    np.testing.assert_array_equal(grad_a.numpy(), B.numpy())
    np.testing.assert_array_equal(grad_b.numpy(), A.numpy())
