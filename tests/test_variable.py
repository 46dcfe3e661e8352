"""``ek.Variable``: construction, assignment checks, reads, TF's in-place operator errors, use as a tensor."""

import numpy as np
import pytest

import eagerkit as ek


def test_construction_and_metadata():
    v = ek.Variable([[1.0, 2.0]], name="w")
    assert v.name == "w:0" and ek.Variable(1.0).name == "Variable:0"
    assert v.shape == [1, 2] and v.dtype == ek.float32 and v.trainable
    assert v.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    assert not ek.Variable(1.0, trainable=False).trainable
    assert ek.Variable(2).dtype == ek.int32 and ek.Variable(np.float64(1)).dtype == ek.float64
    assert ek.Variable(2, dtype=ek.int64).dtype == ek.int64
    assert ek.Variable([1, 2], dtype=ek.float32).numpy().tolist() == [1.0, 2.0]
    assert ek.Variable(lambda: ek.ones([2])).numpy().tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="initial_value"):
        ek.Variable(None)
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float32 for Tensor with dtype int32"):
        ek.Variable(ek.constant([1, 2]), dtype=ek.float32)
    with pytest.raises(ValueError, match="not compatible with the explicitly supplied `shape`"):
        ek.Variable([1.0, 2.0], shape=[3])


def test_partial_shape_allows_other_sizes():
    v = ek.Variable([1.0, 2.0], shape=[None])
    assert v.shape == [None] and v.shape.as_list() == [None]
    v.assign([1.0, 2.0, 3.0])
    assert v.numpy().tolist() == [1.0, 2.0, 3.0]
    assert repr(v) == "<tf.Variable 'Variable:0' shape=(None,) dtype=float32, numpy=array([1., 2., 3.], dtype=float32)>"
    with pytest.raises(ek.errors.InvalidArgumentError, match="cannot assign a value of shape"):
        v.assign([[1.0]])


def test_assign_family():
    v = ek.Variable([1.0, 2.0])
    assert v.assign([3.0, 4.0]) is v and v.numpy().tolist() == [3.0, 4.0]
    v.assign([3, 4])  # Python ints adopt the variable's dtype
    assert v.dtype == ek.float32 and v.numpy().tolist() == [3.0, 4.0]
    assert v.assign_add([1.0, 1.0]).numpy().tolist() == [4.0, 5.0]
    assert v.assign_sub([0.5, 0.5]).numpy().tolist() == [3.5, 4.5]
    assert v.assign_add([1.0, 1.0], read_value=False) is None and v.numpy().tolist() == [4.5, 5.5]
    i = ek.Variable([1, 2])
    i.assign(np.array([3.7, 4.2]))  # NumPy values are cast, as TF casts them
    assert i.numpy().tolist() == [3, 4]


def test_assign_errors_name_variable_shape_and_dtype():
    v = ek.Variable([1.0, 2.0])
    with pytest.raises(
        ValueError,
        match=r"AssignVariableOp: cannot assign a value of shape \(1,\) to variable 'Variable:0' of shape \(2,\)",
    ):
        v.assign([3.0])
    with pytest.raises(ek.errors.InvalidArgumentError, match="AssignAddVariableOp.*shape \\(3,\\)"):
        v.assign_add([1.0, 1.0, 1.0])
    with pytest.raises(ek.errors.InvalidArgumentError, match="AssignSubVariableOp"):
        v.assign_sub(1.0)  # shapes must be equal, as in TF
    with pytest.raises(ValueError, match="requested dtype float32 for Tensor with dtype int32.*ek.cast"):
        v.assign(ek.constant([1, 2]))
    with pytest.raises(ValueError, match="float64"):
        v.assign(ek.constant([1.0, 2.0], ek.float64))
    with pytest.raises(TypeError, match="Cannot convert"):
        ek.Variable([1, 2]).assign([3.5, 4.0])
    assert v.numpy().tolist() == [1.0, 2.0]  # failed assignments change nothing


def test_reads():
    v = ek.Variable([1.0, 2.0])
    r, val = v.read_value(), v.value()
    assert type(r) is ek.Tensor and type(val) is ek.Tensor and r.numpy().tolist() == [1.0, 2.0]
    v.assign([5.0, 6.0])
    assert r.numpy().tolist() == [1.0, 2.0]  # a read is a snapshot
    n = v.numpy()
    assert isinstance(n, np.ndarray) and n.tolist() == [5.0, 6.0]
    n[0] = 100.0
    assert v.numpy().tolist() == [5.0, 6.0]
    assert isinstance(ek.Variable(1.0).numpy(), np.float32)
    assert ek.convert_to_tensor(v).numpy().tolist() == [5.0, 6.0]


def test_in_place_operators_raise_like_tf():
    v = ek.Variable(1.0)
    with pytest.raises(RuntimeError, match=r"`variable \+= value` with `tf.Variable`s is not supported.*assign_add"):
        v += 1
    with pytest.raises(RuntimeError, match="assign_sub"):
        v -= 1
    with pytest.raises(RuntimeError, match=r"`var \*= value`.*var.assign\(var \* value\)"):
        v *= 2
    with pytest.raises(RuntimeError, match=r"`var /= value`"):
        v /= 2
    with pytest.raises(RuntimeError, match=r"`var \*\*= value`"):
        v **= 2
    assert float(v) == 1.0
    w = ek.Variable(7)
    w //= 2  # not intercepted by TF either: rebinding to a Tensor
    assert type(w) is ek.Tensor and int(w) == 3


def test_operators_on_variables():
    v = ek.Variable([1.0, 2.0])
    assert (v + 1).numpy().tolist() == [2.0, 3.0] and type(v + 1) is ek.Tensor
    assert (1 + v).numpy().tolist() == [2.0, 3.0]
    assert (10 - v).numpy().tolist() == [9.0, 8.0]
    assert (v * ek.Variable([3.0, 4.0])).numpy().tolist() == [3.0, 8.0]
    assert (10 / v).numpy().tolist() == [10.0, 5.0]
    assert (v**2).numpy().tolist() == [1.0, 4.0] and (2**v).numpy().tolist() == [2.0, 4.0]
    assert (-v).numpy().tolist() == [-1.0, -2.0] and abs(ek.Variable([-1.0])).numpy().tolist() == [1.0]
    assert (v > 1.5).numpy().tolist() == [False, True]
    assert (ek.Variable([[2.0]]) @ ek.Variable([[3.0]])).numpy().tolist() == [[6.0]]
    assert float(v[1]) == 2.0
    assert (ek.Variable(10) // 3).numpy() == 3 and (ek.Variable(10) % 3).numpy() == 1
    assert ek.reduce_sum(v).numpy() == 3.0 and ek.add(v, ek.constant(1.0)).numpy().tolist() == [2.0, 3.0]
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
        ek.Variable(2) + 1.5
    with pytest.raises(ek.errors.InvalidArgumentError, match="float tensor but is a int32"):
        ek.Variable(2.0) + ek.constant(1)


def test_python_and_numpy_protocols():
    v = ek.Variable([[1, 2], [3, 4]], name="w")
    assert (
        repr(v) == "<tf.Variable 'w:0' shape=(2, 2) dtype=int32, numpy=\narray([[1, 2],\n       [3, 4]], dtype=int32)>"
    )
    assert str(v) == repr(v)
    assert repr(ek.Variable(1.0)) == "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=1.0>"
    assert f"{ek.Variable(1.0)}" == "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=1.0>"
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{ek.Variable(1):x}"
    assert np.sum(v) == 10 and np.asarray(v).tolist() == [[1, 2], [3, 4]]
    assert np.add(ek.Variable([1.0]), 1).tolist() == [2.0]
    assert int(ek.Variable(3)) == 3 and float(ek.Variable(3.5)) == 3.5 and not bool(ek.Variable(0.0))
    assert [1, 2, 3][ek.Variable(1)] == 2
    assert [r.numpy().tolist() for r in v] == [[1, 2], [3, 4]] and len(v) == 2
    with pytest.raises(TypeError, match=r"Variable is unhashable. Instead, use variable.ref\(\) as the key."):
        hash(v)
    assert {v.ref(): 1}[v.ref()] == 1 and v.ref().deref() is v
