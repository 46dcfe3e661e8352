"""Shape manipulation, construction, selection and indexing ops against NumPy and TF's behaviour."""

import numpy as np
import pytest

import eagerkit as ek

X = np.arange(6, dtype=np.int32).reshape(2, 3)


# -- shapes ---------------------------------------------------------------------------------------
def test_reshape():
    assert ek.reshape(ek.range(6), [2, -1]).numpy().tolist() == [[0, 1, 2], [3, 4, 5]]
    assert ek.reshape(ek.range(6), ek.constant([3, 2])).shape == [3, 2]
    assert ek.reshape([5], []).shape == [] and int(ek.reshape([5], [])) == 5
    assert ek.reshape(ek.zeros([0, 3]), [-1, 3]).shape == [0, 3]
    with pytest.raises(
        ek.errors.InvalidArgumentError, match=r"tensor with 6 values, but the requested shape \[4, 2\] has 8"
    ):
        ek.reshape(ek.range(6), [4, 2])
    with pytest.raises(ek.errors.InvalidArgumentError, match="Reshape"):
        ek.reshape(ek.range(6), [4, -1])
    with pytest.raises(ek.errors.InvalidArgumentError, match="Reshape"):
        ek.reshape(ek.range(6), [-1, -1])


def test_transpose_squeeze_expand_dims():
    np.testing.assert_array_equal(ek.transpose(X).numpy(), X.T)
    assert ek.transpose(ek.zeros([2, 3, 4]), [2, 0, 1]).shape == [4, 2, 3]
    assert ek.transpose([[1 + 1j]], conjugate=True).numpy().tolist() == [[1 - 1j]]
    assert ek.squeeze(ek.zeros([1, 2, 1])).shape == [2]
    assert ek.squeeze(ek.zeros([1, 2, 1]), axis=0).shape == [2, 1]
    assert ek.squeeze(ek.zeros([1, 2, 1]), axis=[0, 2]).shape == [2]
    assert ek.squeeze(ek.zeros([1, 2, 1]), axis=-1).shape == [1, 2]
    with pytest.raises(
        ek.errors.InvalidArgumentError, match=r"Can not squeeze dim\[1\], expected a dimension of 1, got 2"
    ):
        ek.squeeze(ek.zeros([1, 2, 1]), axis=1)
    assert ek.expand_dims([1, 2], 0).shape == [1, 2]
    assert ek.expand_dims([1, 2], -1).shape == [2, 1]
    assert ek.expand_dims([1, 2], 1).shape == [2, 1]
    with pytest.raises(
        ek.errors.InvalidArgumentError, match="Tried to expand dim index 2 for tensor with 1 dimensions"
    ):
        ek.expand_dims([1, 2], 2)


def test_shape_size_rank():
    t = ek.zeros([2, 3])
    assert ek.shape(t).numpy().tolist() == [2, 3] and ek.shape(t).dtype == ek.int32
    assert ek.shape(t, out_type=ek.int64).dtype == ek.int64
    assert ek.shape(1.0).numpy().tolist() == []
    assert int(ek.size(t)) == 6 and ek.size([[1, 2]], out_type=ek.int64).dtype == ek.int64
    assert int(ek.rank(t)) == 2 and int(ek.rank(1)) == 0
    assert ek.shape(ek.Variable([1.0])).numpy().tolist() == [1]


def test_broadcast_to_and_tile():
    assert ek.broadcast_to([1, 2], [2, 2]).numpy().tolist() == [[1, 2], [1, 2]]
    assert ek.broadcast_to(1, [2]).numpy().tolist() == [1, 1]
    assert ek.broadcast_to([[1], [2]], [2, 3]).numpy().tolist() == [[1, 1, 1], [2, 2, 2]]
    with pytest.raises(
        ek.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2\] vs. \[2,3\] \[Op:BroadcastTo\]"
    ):
        ek.broadcast_to([1, 2], [2, 3])
    assert ek.tile([[1, 2]], [2, 2]).numpy().tolist() == [[1, 2, 1, 2], [1, 2, 1, 2]]
    assert ek.tile([1, 2], ek.constant([3])).numpy().tolist() == [1, 2, 1, 2, 1, 2]
    with pytest.raises(ek.errors.InvalidArgumentError, match="multiples argument to be a vector of length 1"):
        ek.tile([1, 2], [2, 2])


def test_concat_stack_unstack():
    assert ek.concat([[1, 2], [3]], 0).numpy().tolist() == [1, 2, 3]
    assert ek.concat([[[1, 2]], [[3, 4]]], 1).numpy().tolist() == [[1, 2, 3, 4]]
    assert ek.concat([[[1, 2]], [[3, 4]]], -1).numpy().tolist() == [[1, 2, 3, 4]]
    assert ek.concat([[1]], 0).numpy().tolist() == [1]
    with pytest.raises(ek.errors.InvalidArgumentError, match="Dimension mismatch"):
        ek.concat([[[1, 2]], [[3]]], 0)
    with pytest.raises(ek.errors.InvalidArgumentError, match="Ranks of all input tensors should match"):
        ek.concat([[[1, 2]], [3, 4]], 0)
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"range \[-1, 1\), but got 1"):
        ek.concat([[1, 2], [3]], 1)
    with pytest.raises(ek.errors.InvalidArgumentError, match="Can't concatenate scalars"):
        ek.concat([ek.constant(1), ek.constant(2)], 0)
    with pytest.raises(TypeError, match="Cannot convert"):
        ek.concat([[1, 2], [3.0]], 0)
    assert ek.stack([[1, 2], [3, 4]]).numpy().tolist() == [[1, 2], [3, 4]]
    assert ek.stack([[1, 2], [3, 4]], axis=1).numpy().tolist() == [[1, 3], [2, 4]]
    assert ek.stack([[1, 2], [3, 4]], axis=-1).numpy().tolist() == [[1, 3], [2, 4]]
    assert ek.stack([1, 2]).numpy().tolist() == [1, 2]
    assert ek.stack([]).shape == [0] and ek.stack([]).dtype == ek.float32
    with pytest.raises(ek.errors.InvalidArgumentError, match="Shapes of all inputs must match"):
        ek.stack([[1, 2], [3]])
    with pytest.raises(ek.errors.InvalidArgumentError, match="cannot compute Pack as input #1"):
        ek.stack([ek.constant(1), ek.constant(2.0)])
    parts = ek.unstack([[1, 2], [3, 4]])
    assert [p.numpy().tolist() for p in parts] == [[1, 2], [3, 4]]
    assert [p.numpy().tolist() for p in ek.unstack([[1, 2], [3, 4]], axis=1)] == [[1, 3], [2, 4]]
    assert ek.unstack(ek.zeros([0, 2])) == []
    with pytest.raises(ek.errors.InvalidArgumentError, match="Input shape axis 0 must equal 3"):
        ek.unstack([[1, 2], [3, 4]], num=3)
    with pytest.raises(ValueError, match="not in range"):
        ek.unstack(ek.constant(1))


def test_split():
    assert [p.numpy().tolist() for p in ek.split(ek.range(6), 3)] == [[0, 1], [2, 3], [4, 5]]
    assert [p.numpy().tolist() for p in ek.split(ek.range(6), [1, 2, 3])] == [[0], [1, 2], [3, 4, 5]]
    assert [p.shape for p in ek.split(ek.range(6), [1, -1, 2])] == [[1], [3], [2]]
    assert [p.shape for p in ek.split(ek.reshape(ek.range(6), [2, 3]), 3, axis=1)] == [[2, 1]] * 3
    assert [p.shape for p in ek.split(ek.reshape(ek.range(6), [2, 3]), 3, axis=-1)] == [[2, 1]] * 3
    assert [p.numpy().tolist() for p in ek.split(ek.range(6), ek.constant([2, 4]))] == [[0, 1], [2, 3, 4, 5]]
    with pytest.raises(ek.errors.InvalidArgumentError, match="evenly divide"):
        ek.split(ek.range(6), 4)
    with pytest.raises(ek.errors.InvalidArgumentError, match="Determined shape must either match"):
        ek.split(ek.range(6), [1, 2])
    with pytest.raises(ek.errors.InvalidArgumentError, match="only be one -1"):
        ek.split(ek.range(6), [1, -1, -1])


def test_reverse_slice_pad():
    assert ek.reverse([[1, 2], [3, 4]], [1]).numpy().tolist() == [[2, 1], [4, 3]]
    assert ek.reverse([[1, 2], [3, 4]], [0, 1]).numpy().tolist() == [[4, 3], [2, 1]]
    assert ek.slice(X, [0, 1], [2, 2]).numpy().tolist() == [[1, 2], [4, 5]]
    assert ek.slice(X, [1, 0], [-1, -1]).numpy().tolist() == [[3, 4, 5]]
    assert ek.pad([[1, 2]], [[1, 0], [0, 2]]).numpy().tolist() == [[0, 0, 0, 0], [1, 2, 0, 0]]
    assert ek.pad([[1, 2]], [[0, 0], [1, 1]], constant_values=9).numpy().tolist() == [[9, 1, 2, 9]]
    assert ek.pad([[1, 2, 3]], [[0, 0], [2, 2]], mode="REFLECT").numpy().tolist() == [[3, 2, 1, 2, 3, 2, 1]]
    assert ek.pad([[1, 2, 3]], [[0, 0], [2, 2]], mode="symmetric").numpy().tolist() == [[2, 1, 1, 2, 3, 3, 2]]
    assert ek.pad([[1.0, 2.0]], [[0, 0], [1, 1]], constant_values=0.5).numpy().tolist() == [[0.5, 1, 2, 0.5]]
    with pytest.raises(TypeError, match="Cannot convert 0.5 to EagerTensor of dtype int32"):
        ek.pad([[1, 2]], [[0, 0], [1, 1]], constant_values=0.5)
    with pytest.raises(ek.errors.InvalidArgumentError, match="Paddings must be non-negative"):
        ek.pad([1, 2], [[-1, 0]])
    with pytest.raises(ek.errors.InvalidArgumentError, match="rank of inputs"):
        ek.pad([[1, 2, 3]], [[0, 0]])
    with pytest.raises(ek.errors.InvalidArgumentError, match="less than the dimension size"):
        ek.pad([1, 2], [[2, 0]], mode="REFLECT")
    with pytest.raises(ValueError, match="expected to be one of"):
        ek.pad([1, 2], [[0, 0]], mode="FOO")


# -- construction -------------------------------------------------------------------------------------
def test_zeros_ones_fill_eye():
    assert ek.zeros([2]).numpy().tolist() == [0.0, 0.0] and ek.zeros([2]).dtype == ek.float32
    assert ek.zeros(2).shape == [2] and ek.zeros([]).shape == []
    assert ek.zeros((2, 3), dtype="int64").dtype == ek.int64
    assert ek.zeros(ek.constant([2, 1])).shape == [2, 1]
    assert ek.ones([2, 1]).numpy().tolist() == [[1.0], [1.0]]
    assert ek.ones([2], ek.bool).numpy().tolist() == [True, True]
    assert ek.zeros_like([1.0, 2.0]).numpy().tolist() == [0.0, 0.0]
    assert ek.zeros_like([1, 2], ek.float32).dtype == ek.float32
    assert ek.ones_like(ek.constant([[1, 2]])).numpy().tolist() == [[1, 1]]
    assert ek.ones_like(ek.Variable([1.0])).dtype == ek.float32
    assert ek.fill([2, 2], 7).numpy().tolist() == [[7, 7], [7, 7]]
    assert ek.fill([2], 7.5).dtype == ek.float32
    assert ek.fill([2], ek.constant(3, ek.int64)).dtype == ek.int64
    assert ek.eye(2).numpy().tolist() == [[1, 0], [0, 1]]
    assert ek.eye(2, 3, dtype=ek.int32).numpy().tolist() == [[1, 0, 0], [0, 1, 0]]
    assert ek.eye(2, batch_shape=[3]).shape == [3, 2, 2]


def test_range_and_linspace():
    assert ek.range(5).numpy().tolist() == [0, 1, 2, 3, 4] and ek.range(5).dtype == ek.int32
    assert ek.range(2, 5).numpy().tolist() == [2, 3, 4]
    assert ek.range(5, 2, -1).numpy().tolist() == [5, 4, 3]
    assert ek.range(0, 1, 0.25).numpy().tolist() == [0, 0.25, 0.5, 0.75] and ek.range(0, 1, 0.25).dtype == ek.float32
    assert ek.range(1, 5, 2, dtype=ek.float64).dtype == ek.float64
    assert ek.range(ek.constant(3, ek.int64)).dtype == ek.int64
    assert ek.range(0).shape == [0]
    with pytest.raises(ek.errors.InvalidArgumentError, match="Requires start <= limit when delta > 0: 5/0"):
        ek.range(5, 0)
    with pytest.raises(ek.errors.InvalidArgumentError, match="Requires delta != 0"):
        ek.range(0, 5, 0)
    assert ek.linspace(0.0, 1.0, 5).numpy().tolist() == [0, 0.25, 0.5, 0.75, 1.0]
    ints = ek.linspace(0, 10, 3)
    assert ints.dtype == ek.float64 and ints.numpy().tolist() == [0.0, 5.0, 10.0]  # TF: ints give float64
    assert ek.linspace([0.0, 1.0], [1.0, 2.0], 3).shape == [3, 2]
    assert ek.linspace(0.0, 1.0, 1).numpy().tolist() == [0.0]


def test_one_hot():
    assert ek.one_hot([0, 2], 3).numpy().tolist() == [[1, 0, 0], [0, 0, 1]]
    assert ek.one_hot([0, 2, 5, -1], 3).numpy().tolist()[2:] == [[0, 0, 0], [0, 0, 0]]
    ints = ek.one_hot([0, 2], 3, on_value=5, off_value=-1)
    assert ints.dtype == ek.int32 and ints.numpy().tolist() == [[5, -1, -1], [-1, -1, 5]]
    assert ek.one_hot([0, 1], 3, on_value=True, off_value=False).dtype == ek.bool
    assert ek.one_hot([0, 2], 3, axis=0).numpy().tolist() == [[1, 0], [0, 0], [0, 1]]
    assert ek.one_hot([[0, 2]], 3, axis=1).shape == [1, 3, 2]
    assert ek.one_hot([0, 2], 3, dtype=ek.int64).dtype == ek.int64
    assert ek.one_hot(ek.constant([0, 1], ek.int64), 2).numpy().tolist() == [[1, 0], [0, 1]]
    assert ek.one_hot(1, 3).numpy().tolist() == [0, 1, 0]
    assert ek.one_hot([0, 1], 3, off_value=2.0).numpy().tolist() == [[1, 2, 2], [2, 1, 2]]
    with pytest.raises(TypeError, match="does not match dtype"):
        ek.one_hot([0, 1], 3, on_value=1, off_value=0.0)
    with pytest.raises(ek.errors.InvalidArgumentError, match="of float is not in the list"):
        ek.one_hot([0.0, 1.0], 2)


def test_identity_and_stop_gradient():
    v = ek.Variable([1.0])
    t = ek.identity(v)
    assert type(t) is ek.Tensor and t.numpy().tolist() == [1.0]
    v.assign([2.0])
    assert t.numpy().tolist() == [1.0]  # a snapshot, not a view
    assert ek.stop_gradient([1.0]).numpy().tolist() == [1.0]


# -- selection ----------------------------------------------------------------------------------------------
def test_gather():
    assert ek.gather([1, 2, 3], [2, 0]).numpy().tolist() == [3, 1]
    assert ek.gather([[1, 2], [3, 4]], 1).numpy().tolist() == [3, 4]
    assert ek.gather([[1, 2], [3, 4]], [1], axis=1).numpy().tolist() == [[2], [4]]
    assert ek.gather([[1, 2], [3, 4]], [[1, 0]], axis=-1).numpy().tolist() == [[[2, 1]], [[4, 3]]]
    assert ek.gather([[1, 2], [3, 4]], [[1], [0]], batch_dims=1).numpy().tolist() == [[2], [3]]
    got = ek.gather([[1, 2], [3, 4]], [[1, 1], [0, 1]], axis=1, batch_dims=1)
    assert got.numpy().tolist() == [[2, 2], [3, 4]]
    assert ek.gather([1, 2, 3], ek.constant([1], ek.int64)).numpy().tolist() == [2]


def test_gather_out_of_range_raises_like_tf_on_cpu():
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"indices\[0\] = 3 is not in \[0, 3\) \[Op:GatherV2\]"):
        ek.gather([1, 2, 3], [3])
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"indices\[0\] = -1 is not in \[0, 3\)"):
        ek.gather([1, 2, 3], [-1])
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"indices\[0,1\] = 7 is not in \[0, 2\)"):
        ek.gather([[1, 2], [3, 4]], [[0, 7]], axis=1)
    with pytest.raises(ek.errors.InvalidArgumentError, match="GatherV2"):
        ek.gather([1, 2, 3], [1.0])


def test_gather_nd():
    assert ek.gather_nd([[1, 2], [3, 4]], [[0, 1], [1, 0]]).numpy().tolist() == [2, 3]
    assert ek.gather_nd([[1, 2], [3, 4]], [[1]]).numpy().tolist() == [[3, 4]]
    assert ek.gather_nd([[1, 2], [3, 4]], [1]).numpy().tolist() == [3, 4]
    cube = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]
    assert ek.gather_nd(cube, [[1], [0]], batch_dims=1).numpy().tolist() == [[3, 4], [5, 6]]
    assert ek.gather_nd(cube, [[0, 1], [1, 0]]).numpy().tolist() == [[3, 4], [5, 6]]
    with pytest.raises(
        ek.errors.InvalidArgumentError, match=r"indices\[0\] = \[2, 0\] does not index into param shape \[2,2\]"
    ):
        ek.gather_nd([[1, 2], [3, 4]], [[2, 0]])


def test_where():
    assert ek.where([True, False], [1, 2], [3, 4]).numpy().tolist() == [1, 4]
    assert ek.where(ek.constant([True, False]), 1, 2).numpy().tolist() == [1, 2]
    assert ek.where([True, False], 1.0, ek.constant([3.0, 4.0])).numpy().tolist() == [1.0, 4.0]
    assert ek.where([True, False], np.array([1.0, 2.0]), ek.constant([3.0, 4.0])).dtype == ek.float32
    got = ek.where(ek.constant([[True], [False]]), ek.constant([1, 2]), ek.constant([3, 4]))
    assert got.numpy().tolist() == [[1, 2], [3, 4]]
    coords = ek.where([[True, False], [False, True]])
    assert coords.dtype == ek.int64 and coords.numpy().tolist() == [[0, 0], [1, 1]]
    assert ek.where([True, False, True]).numpy().tolist() == [[0], [2]]
    with pytest.raises(
        ek.errors.InvalidArgumentError, match=r"condition \[2\], then \[2\], and else \[3\] must be broadcastable"
    ):
        ek.where([True, False], [1, 2], [3, 4, 5])
    with pytest.raises(TypeError, match=r"Cannot convert \[3.0, 4.0\] to EagerTensor of dtype int32.*SelectV2"):
        ek.where([True, False], [1, 2], [3.0, 4.0])
    with pytest.raises(ek.errors.InvalidArgumentError, match="condition must be a bool tensor"):
        ek.where(ek.constant([1, 0]), [1, 2], [3, 4])


def test_boolean_mask():
    assert ek.boolean_mask([1, 2, 3], [True, False, True]).numpy().tolist() == [1, 3]
    assert ek.boolean_mask([[1, 2], [3, 4]], [False, True]).numpy().tolist() == [[3, 4]]
    assert ek.boolean_mask([[1, 2], [3, 4]], [[True, False], [False, True]]).numpy().tolist() == [1, 4]
    assert ek.boolean_mask([[1, 2], [3, 4]], [True, False], axis=1).numpy().tolist() == [[1], [3]]
    assert ek.boolean_mask([[1, 2], [3, 4]], [False, False]).shape == [0, 2]
    with pytest.raises(ValueError, match="mask shape"):
        ek.boolean_mask([1, 2, 3], [True, False])


def test_clipping():
    assert ek.clip_by_value([1, 5, 9], 2, 7).numpy().tolist() == [2, 5, 7]
    assert ek.clip_by_value([1.0, 5.0, 9.0], 2, 7).numpy().tolist() == [2.0, 5.0, 7.0]
    got = ek.clip_by_value([[1.0, 5.0]], [0.0, 6.0], [1.0, 7.0])
    assert got.numpy().tolist() == [[1.0, 6.0]]
    with pytest.raises(TypeError, match="Cannot convert 2.5"):
        ek.clip_by_value([1, 5, 9], 2.5, 7)
    np.testing.assert_allclose(ek.clip_by_norm([3.0, 4.0], 1.0).numpy(), [0.6, 0.8], rtol=1e-6)
    assert ek.clip_by_norm([3.0, 4.0], 10.0).numpy().tolist() == [3.0, 4.0]
    rows = ek.clip_by_norm([[3.0, 4.0], [0.0, 0.0]], 1.0, axes=[1])
    np.testing.assert_allclose(rows.numpy(), [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)
    with pytest.raises(ek.errors.InvalidArgumentError, match="ClipByNorm"):
        ek.clip_by_norm([3, 4], 1)


def test_clip_by_global_norm_and_global_norm():
    clipped, norm = ek.clip_by_global_norm([ek.constant([3.0]), None, ek.constant([4.0])], 1.0)
    assert float(norm) == 5.0 and clipped[1] is None
    np.testing.assert_allclose([float(clipped[0][0]), float(clipped[2][0])], [0.6, 0.8], rtol=1e-6)
    same, norm = ek.clip_by_global_norm([ek.constant([3.0]), ek.constant([4.0])], 10.0)
    assert [t.numpy().tolist() for t in same] == [[3.0], [4.0]]
    f64, _ = ek.clip_by_global_norm([ek.constant([3.0], ek.float64)], 1.0)
    assert f64[0].dtype == ek.float64
    assert float(ek.linalg.global_norm([[3.0], [4.0]])) == 5.0


def test_sort_argsort_top_k_unique():
    assert ek.sort([3, 1, 2]).numpy().tolist() == [1, 2, 3]
    assert ek.sort([3, 1, 2], direction="DESCENDING").numpy().tolist() == [3, 2, 1]
    assert ek.sort([[3, 1], [0, 5]], axis=0).numpy().tolist() == [[0, 1], [3, 5]]
    assert ek.argsort([3, 1, 2]).numpy().tolist() == [1, 2, 0]
    assert ek.argsort([3, 1, 1, 2], direction="DESCENDING", stable=True).numpy().tolist() == [0, 3, 1, 2]
    with pytest.raises(ValueError, match="should be one of ASCENDING, DESCENDING"):
        ek.sort([3, 1, 2], direction="UP")
    top = ek.math.top_k([1, 5, 3, 4], 2)
    assert top.values.numpy().tolist() == [5, 4] and top.indices.numpy().tolist() == [1, 3]
    assert top.indices.dtype == ek.int32
    assert ek.math.top_k([1, 5], k=ek.constant(1)).values.numpy().tolist() == [5]
    with pytest.raises(ek.errors.InvalidArgumentError, match="at least k columns. Had 2, needed 3"):
        ek.math.top_k([1, 5], 3)
    y, idx = ek.unique([1, 1, 3, 2, 3])
    assert y.numpy().tolist() == [1, 3, 2] and idx.numpy().tolist() == [0, 0, 1, 2, 1]
    assert ek.unique([3, 1, 3]).y.numpy().tolist() == [3, 1]


def test_norm():
    assert float(ek.norm([3.0, 4.0])) == 5.0
    m = np.array([[3.0, 4.0], [0.0, 1.0]], np.float32)
    np.testing.assert_allclose(float(ek.norm(m)), np.sqrt(26), rtol=1e-6)
    np.testing.assert_allclose(ek.norm(m, axis=1).numpy(), [5.0, 1.0])
    assert float(ek.norm(m, ord=1)) == 8.0  # axis=None: the flattened vector
    assert ek.norm(m, ord=1, axis=1).numpy().tolist() == [7.0, 1.0]
    assert ek.norm(m, ord=np.inf, axis=1).numpy().tolist() == [4.0, 1.0]
    np.testing.assert_allclose(float(ek.norm(m, ord="fro", axis=[0, 1])), np.sqrt(26), rtol=1e-6)
    assert float(ek.norm(m, ord=1, axis=[0, 1])) == 5.0  # max column sum
    assert float(ek.norm(m, ord=np.inf, axis=[0, 1])) == 7.0  # max row sum
    np.testing.assert_allclose(float(ek.norm(m, ord=2, axis=[0, 1])), np.linalg.norm(m, 2), rtol=1e-5)
    assert ek.norm(m, keepdims=True).shape == [1, 1]
    assert ek.norm(m, axis=1, keepdims=True).shape == [2, 1]
    np.testing.assert_allclose(float(ek.norm([3.0, 4.0], ord=3)), (27 + 64) ** (1 / 3), rtol=1e-6)
    with pytest.raises(ValueError, match="supported vector norm, got fro"):
        ek.norm([3.0, 4.0], ord="fro")
    with pytest.raises(ek.errors.InvalidArgumentError, match="Norm"):
        ek.norm([3, 4])


# -- indexing (Tensor.__getitem__) ---------------------------------------------------------------------------
T = ek.constant([[1, 2, 3], [4, 5, 6]])


@pytest.mark.parametrize(
    "key",
    [
        1,
        -1,
        (0, 2),
        (slice(None), 1),
        (slice(None), slice(None, None, -1)),
        (slice(None), slice(None, None, 2)),
        (slice(None), slice(1, 10)),
        (Ellipsis, 0),
        (Ellipsis, None),
        (None, Ellipsis, 1),
        (None, slice(None), None),
        (slice(3, 1),),
        (slice(-1, -3, -1),),
        (slice(-5, None),),
        (np.int64(1),),
    ],
)
def test_getitem_matches_numpy(key):
    got = T[key]
    np.testing.assert_array_equal(got.numpy(), X[key] + 1)
    assert got.shape == (X[key]).shape


def test_getitem_with_tensors_and_lists():
    assert T[ek.constant(1)].numpy().tolist() == [4, 5, 6]
    assert int(T[ek.constant(1), ek.constant(2)]) == 6
    assert T[ek.constant(1) :].numpy().tolist() == [[4, 5, 6]]
    assert T[: ek.constant(1)].numpy().tolist() == [[1, 2, 3]]
    assert T[ek.newaxis].shape == [1, 2, 3]
    assert int(T[[0, 1]]) == 2  # TF reads a list like a tuple of indices
    assert T[[0, slice(None)]].numpy().tolist() == [1, 2, 3]
    assert int(ek.constant(5)[()]) == 5 and int(ek.constant(5)[...]) == 5
    assert ek.Variable([[1, 2, 3], [4, 5, 6]])[1, 1:].numpy().tolist() == [5, 6]
    assert T[ek.constant([True, False])].numpy().tolist() == [[1, 2, 3]]  # a bool key is a boolean mask
    assert T[np.array([False, True])].numpy().tolist() == [[4, 5, 6]]


def test_getitem_errors_like_tf():
    with pytest.raises(ek.errors.InvalidArgumentError, match="slice index 2 of dimension 0 out of bounds"):
        T[2]
    with pytest.raises(ek.errors.InvalidArgumentError, match="slice index -3 of dimension 0 out of bounds"):
        T[-3]
    with pytest.raises(ek.errors.InvalidArgumentError, match="slice index 5 of dimension 1 out of bounds"):
        T[0, 5]
    with pytest.raises(ek.errors.InvalidArgumentError, match="Multiple ellipses in slice spec not allowed"):
        T[..., ...]
    with pytest.raises(ek.errors.InvalidArgumentError, match="Index out of range using input dim 2"):
        T[0, 0, 0]
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"strides\[0\] must be non-zero"):
        T[1:2:0]
    with pytest.raises(TypeError, match="scalar ek.int32/ek.int64 tensors are valid indices.*ek.gather"):
        T[ek.constant([0, 1])]
    with pytest.raises(TypeError, match="valid indices"):
        T[ek.constant(1.0)]
    with pytest.raises(TypeError, match="valid indices"):
        T[1.0]
    with pytest.raises(TypeError, match="valid indices"):
        T["a"]
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        T[True]


# -- more everyday ops (values from TF 2.21) ------------------------------------------------------------------
def test_repeat_roll_sequence_mask_meshgrid():
    assert ek.repeat([1, 2, 3], 2).numpy().tolist() == [1, 1, 2, 2, 3, 3]
    assert ek.repeat([[1, 2], [3, 4]], [1, 2], axis=0).numpy().tolist() == [[1, 2], [3, 4], [3, 4]]
    assert ek.repeat([[1, 2], [3, 4]], 2).numpy().tolist() == [1, 1, 2, 2, 3, 3, 4, 4]
    assert ek.repeat([[1, 2], [3, 4]], [2, 3], axis=1).numpy().tolist() == [[1, 1, 2, 2, 2], [3, 3, 4, 4, 4]]
    assert ek.roll([1, 2, 3, 4], 1, 0).numpy().tolist() == [4, 1, 2, 3]
    assert ek.roll([[1, 2], [3, 4]], [1, -1], [0, 1]).numpy().tolist() == [[4, 3], [2, 1]]
    assert ek.sequence_mask([1, 3, 2], 4).numpy().tolist() == [
        [True, False, False, False],
        [True, True, True, False],
        [True, True, False, False],
    ]
    assert ek.sequence_mask([1, 3, 2]).shape == [3, 3]
    assert ek.sequence_mask([[1], [2]], 3, dtype=ek.float32).numpy().tolist() == [[[1, 0, 0]], [[1, 1, 0]]]
    gx, gy = ek.meshgrid([1, 2, 3], [4, 5])
    assert gx.numpy().tolist() == [[1, 2, 3], [1, 2, 3]] and gy.numpy().tolist() == [[4, 4, 4], [5, 5, 5]]
    ix, iy = ek.meshgrid([1, 2, 3], [4, 5], indexing="ij")
    assert ix.numpy().tolist() == [[1, 1], [2, 2], [3, 3]] and iy.numpy().tolist() == [[4, 5], [4, 5], [4, 5]]


def test_scatter_ops():
    assert ek.scatter_nd([[0], [2], [0]], [1, 2, 3], [4]).numpy().tolist() == [4, 0, 2, 0]
    assert ek.scatter_nd([[1, 0]], [5.0], [2, 2]).numpy().tolist() == [[0.0, 0.0], [5.0, 0.0]]
    assert ek.tensor_scatter_nd_update([1, 2, 3, 4], [[1], [3]], [9, 10]).numpy().tolist() == [1, 9, 3, 10]
    assert ek.tensor_scatter_nd_add([1, 2, 3, 4], [[1], [1]], [9, 10]).numpy().tolist() == [1, 21, 3, 4]
    assert ek.tensor_scatter_nd_update([[1, 2], [3, 4]], [[1]], [[7, 8]]).numpy().tolist() == [[1, 2], [7, 8]]
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"indices\[0\] = \[5\] does not index into shape \[4\]"):
        ek.tensor_scatter_nd_update([1, 2, 3, 4], [[5]], [9])
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"\[Op:ScatterNd\]"):
        ek.scatter_nd([[5]], [1], [4])


def test_searchsorted():
    assert ek.searchsorted([1, 3, 5, 7], [0, 3, 6, 8]).numpy().tolist() == [0, 1, 3, 4]
    assert ek.searchsorted([1, 3, 5, 7], [0, 3, 6, 8], side="right").numpy().tolist() == [0, 2, 3, 4]
    assert ek.searchsorted([[1, 3], [2, 4]], [[3], [3]]).numpy().tolist() == [[1], [1]]
