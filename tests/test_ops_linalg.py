"""``ek.linalg`` against NumPy and TF's documented conventions (svd returns ``v``, not ``v^H``)."""

import numpy as np
import pytest

import eagerkit as ek

SPD = np.array([[4.0, 2.0, 0.6], [2.0, 3.0, 0.4], [0.6, 0.4, 2.0]], np.float64)
GEN = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)


def test_inv_det_slogdet_logdet():
    np.testing.assert_allclose(ek.linalg.inv(GEN).numpy(), np.linalg.inv(GEN), rtol=1e-5)
    np.testing.assert_allclose(ek.linalg.inv(SPD, adjoint=True).numpy(), np.linalg.inv(SPD).T, rtol=1e-10)
    np.testing.assert_allclose(float(ek.linalg.det(GEN)), -2.0, rtol=1e-5)
    batch = np.stack([GEN, 2 * np.eye(2, dtype=np.float32)])
    np.testing.assert_allclose(ek.linalg.det(batch).numpy(), [-2.0, 4.0], rtol=1e-5)
    sign, logabs = ek.linalg.slogdet(np.array([[-1.0, 0.0], [0.0, 2.0]]))
    assert float(sign) == -1.0 and float(logabs) == pytest.approx(np.log(2.0))
    assert ek.linalg.slogdet(GEN).log_abs_determinant.shape == []
    np.testing.assert_allclose(float(ek.linalg.logdet(SPD)), np.log(np.linalg.det(SPD)), rtol=1e-10)


def test_inverse_of_singular_matrix_raises_like_tf():
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"Input is not invertible. \[Op:MatrixInverse\]"):
        ek.linalg.inv([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(ek.errors.InvalidArgumentError, match="Input matrix is not invertible"):
        ek.linalg.solve([[1.0, 2.0], [2.0, 4.0]], [[1.0], [1.0]])


def test_square_matrix_and_dtype_errors():
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"Input matrix must be square. \[Op:MatrixDeterminant\]"):
        ek.linalg.det([[1.0, 2.0, 3.0]])
    with pytest.raises(ek.errors.InvalidArgumentError, match="of int32 is not in the list.*MatrixInverse"):
        ek.linalg.inv([[1, 2], [3, 4]])


def test_eigh_and_eigvalsh():
    w, v = ek.linalg.eigh(SPD)
    np.testing.assert_allclose(w.numpy(), np.linalg.eigvalsh(SPD), rtol=1e-10)
    vv = v.numpy()
    np.testing.assert_allclose(SPD @ vv, vv * w.numpy(), atol=1e-10)  # columns are eigenvectors
    np.testing.assert_allclose(ek.linalg.eigvalsh([[2.0, 1.0], [1.0, 2.0]]).numpy(), [1.0, 3.0], rtol=1e-6)


def test_svd_returns_s_u_v_like_tf():
    a = np.array([[3.0, 1.0], [1.0, 3.0], [0.0, 2.0]])
    s, u, v = ek.linalg.svd(a)
    np.testing.assert_allclose(s.numpy(), np.linalg.svd(a, compute_uv=False), rtol=1e-10)
    assert u.shape == [3, 2] and v.shape == [2, 2]
    np.testing.assert_allclose(u.numpy() @ np.diag(s.numpy()) @ v.numpy().T, a, atol=1e-10)
    assert ek.linalg.svd(a, full_matrices=True)[1].shape == [3, 3]
    np.testing.assert_allclose(ek.linalg.svd([[3.0, 0.0], [0.0, 4.0]], compute_uv=False).numpy(), [4.0, 3.0])


def test_cholesky_qr_solve_triangular():
    chol = ek.linalg.cholesky(SPD).numpy()
    np.testing.assert_allclose(chol, np.linalg.cholesky(SPD), rtol=1e-10)
    assert np.allclose(np.triu(chol, 1), 0)
    q, r = ek.linalg.qr(GEN)
    np.testing.assert_allclose(q.numpy() @ r.numpy(), GEN, atol=1e-5)
    assert np.allclose(np.tril(r.numpy(), -1), 0)
    assert ek.linalg.qr(ek.ones([3, 2])).q.shape == [3, 2]
    assert ek.linalg.qr(ek.ones([3, 2]), full_matrices=True)[0].shape == [3, 3]
    b = np.array([[1.0], [2.0], [3.0]])
    np.testing.assert_allclose(ek.linalg.solve(SPD, b).numpy(), np.linalg.solve(SPD, b), rtol=1e-10)
    np.testing.assert_allclose(ek.linalg.solve(SPD, b, adjoint=True).numpy(), np.linalg.solve(SPD.T, b), rtol=1e-10)
    lower = [[2.0, 0.0], [1.0, 1.0]]
    np.testing.assert_allclose(ek.linalg.triangular_solve(lower, [[2.0], [3.0]]).numpy(), [[1.0], [2.0]])
    upper = [[2.0, 1.0], [0.0, 1.0]]
    np.testing.assert_allclose(ek.linalg.triangular_solve(upper, [[2.0], [3.0]], lower=False).numpy(), [[-0.5], [3.0]])
    np.testing.assert_allclose(ek.linalg.triangular_solve(lower, [[2.0], [3.0]], adjoint=True).numpy(), [[-0.5], [3.0]])


def test_lstsq_matvec_cross_and_matrix_helpers():
    np.testing.assert_allclose(ek.linalg.lstsq([[1.0], [1.0]], [[1.0], [3.0]]).numpy(), [[2.0]], rtol=1e-6)
    np.testing.assert_allclose(ek.linalg.lstsq([[1.0], [1.0]], [[1.0], [3.0]], l2_regularizer=1.0).numpy(), [[4 / 3]])
    assert ek.linalg.matvec([[1.0, 2.0]], [3.0, 4.0]).numpy().tolist() == [11.0]
    assert ek.linalg.matvec([[1.0, 2.0]], [3.0], transpose_a=True).numpy().tolist() == [3.0, 6.0]
    assert ek.linalg.cross([1.0, 0.0, 0.0], [0.0, 1.0, 0.0]).numpy().tolist() == [0.0, 0.0, 1.0]
    assert float(ek.linalg.trace(GEN)) == 5.0
    assert ek.linalg.trace([[[1.0, 2.0], [3.0, 4.0]]]).numpy().tolist() == [5.0]
    assert ek.linalg.diag_part(GEN).numpy().tolist() == [1.0, 4.0]
    assert ek.linalg.diag([1.0, 2.0]).numpy().tolist() == [[1.0, 0.0], [0.0, 2.0]]
    assert ek.linalg.diag([[1.0, 2.0], [3.0, 4.0]]).shape == [2, 2, 2]
    assert ek.linalg.set_diag(GEN, [9.0, 8.0]).numpy().tolist() == [[9.0, 2.0], [3.0, 8.0]]
    band = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert ek.linalg.band_part(band, 0, 1).numpy().tolist() == [[1, 2, 0], [0, 5, 6], [0, 0, 9]]
    assert ek.linalg.band_part(band, -1, 0).numpy().tolist() == [[1, 0, 0], [4, 5, 0], [7, 8, 9]]
    assert ek.linalg.matrix_transpose([[1, 2]]).numpy().tolist() == [[1], [2]]
    assert ek.linalg.adjoint([[1 + 1j, 2]]).numpy().tolist() == [[1 - 1j], [2 - 0j]]
    np.testing.assert_allclose(
        ek.linalg.pinv([[1.0, 2.0], [2.0, 4.0]]).numpy(), [[0.04, 0.08], [0.08, 0.16]], rtol=1e-5
    )
    np.testing.assert_allclose(ek.linalg.expm([[0.0, 1.0], [0.0, 0.0]]).numpy(), [[1.0, 1.0], [0.0, 1.0]], atol=1e-6)


def test_linalg_reexports():
    assert ek.linalg.matmul([[1.0, 2.0]], [[1.0, 2.0]], transpose_b=True).numpy().tolist() == [[5.0]]
    assert float(ek.linalg.norm([3.0, 4.0])) == 5.0
    assert ek.linalg.eye(2).numpy().tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert float(ek.linalg.tensordot([1.0], [2.0], 1)) == 2.0
    assert float(ek.linalg.einsum("i,i->", ek.constant([1.0]), ek.constant([2.0]))) == 2.0
    np.testing.assert_allclose(ek.linalg.l2_normalize([3.0, 4.0]).numpy(), [0.6, 0.8], rtol=1e-6)
