"""Linear algebra (``ek.linalg``).

Inputs are (batches of) matrices in the last two dimensions, as in TF. Decompositions
need floating or complex inputs; integer matrices are refused with TF's message.

>>> import eagerkit as ek
>>> float(ek.linalg.det([[2.0, 0.0], [0.0, 3.0]]))
6.0
"""

from __future__ import annotations

import collections
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np

from eagerkit._src.core import context
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.ops.math_ops import FLOAT, INEXACT, NUMBER, check_dtype
from eagerkit._src.ops.op import defop

QrResult = collections.namedtuple("Qr", ["q", "r"])
SlogdetResult = collections.namedtuple("LogMatrixDeterminant", ["sign", "log_abs_determinant"])
jax.tree_util.register_pytree_node(QrResult, lambda r: (tuple(r), None), lambda _, c: QrResult(*c))
jax.tree_util.register_pytree_node(SlogdetResult, lambda r: (tuple(r), None), lambda _, c: SlogdetResult(*c))


def _square(x: Any, op: str) -> None:
    check_dtype(x, op, INEXACT)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise InvalidArgumentError(
            None,
            op,
            f"Input matrix must be square. [Op:{op}] {op} takes a (batch of) square matrices in the last "
            f"two dimensions, got shape {list(x.shape)}.",
        )


def _adjoint(x: Any) -> Any:
    return jnp.conj(jnp.swapaxes(x, -1, -2))


@defop("MatrixInverse", jit=False)
def inv(input, adjoint=False):  # noqa: A002
    """Inverse of (a batch of) square matrices; a singular matrix raises, as in TF.

    >>> import eagerkit as ek
    >>> ek.linalg.inv([[2.0, 0.0], [0.0, 4.0]]).numpy().tolist()
    [[0.5, 0.0], [0.0, 0.25]]
    """
    _square(input, "MatrixInverse")
    out = _inv(input, adjoint)
    _check_invertible(input, out, "Input is not invertible.", "MatrixInverse")
    return out


@jax.jit
def _inv_impl(x: Any) -> Any:
    return jnp.linalg.inv(x)


def _inv(x: Any, adjoint: bool) -> Any:
    out = _inv_impl(x)
    return _adjoint(out) if adjoint else out


def _check_invertible(matrix: Any, result: Any, message: str, op: str) -> None:
    """Eagerly (values known): non-finite results from finite input mean a singular matrix."""
    if context.is_symbolic(matrix) or context.is_symbolic(result):
        return
    if bool(np.all(np.isfinite(np.asarray(matrix)))) and not bool(np.all(np.isfinite(np.asarray(result)))):
        raise InvalidArgumentError(None, op, f"{message} [Op:{op}]")


@defop("MatrixDeterminant")
def det(input):  # noqa: A002
    """Determinant of (a batch of) square matrices.

    >>> import eagerkit as ek
    >>> ek.linalg.det([[2.0, 0.0], [0.0, 3.0]])
    <tf.Tensor: shape=(), dtype=float32, numpy=6.0>
    """
    _square(input, "MatrixDeterminant")
    return jnp.linalg.det(input)


@defop("LogMatrixDeterminant")
def slogdet(input):  # noqa: A002
    """``(sign, log_abs_determinant)`` of square matrices (a named tuple, as in TF).

    >>> import eagerkit as ek
    >>> sign, log_abs_det = ek.linalg.slogdet([[-2.0, 0.0], [0.0, 0.5]])
    >>> sign, log_abs_det
    (<tf.Tensor: shape=(), dtype=float32, numpy=-1.0>, <tf.Tensor: shape=(), dtype=float32, numpy=0.0>)
    """
    _square(input, "LogMatrixDeterminant")
    sign, logdet = jnp.linalg.slogdet(input)
    return SlogdetResult(sign, logdet)


@defop("LogDet")
def logdet(matrix):
    """``log(det(matrix))`` of Hermitian positive-definite matrices, computed via Cholesky.

    >>> import eagerkit as ek
    >>> ek.linalg.logdet([[4.0, 0.0], [0.0, 1.0]])
    <tf.Tensor: shape=(), dtype=float32, numpy=1.3862944>
    """
    _square(matrix, "LogDet")
    chol = jnp.linalg.cholesky(matrix)
    return 2.0 * jnp.sum(jnp.log(jnp.real(jnp.diagonal(chol, axis1=-2, axis2=-1))), axis=-1).astype(matrix.dtype)


@defop("SelfAdjointEigV2")
def eigh(tensor):
    """``(eigenvalues ascending, eigenvectors as columns)`` of Hermitian matrices.

    >>> import eagerkit as ek
    >>> e, v = ek.linalg.eigh([[2.0, 0.0], [0.0, 1.0]])
    >>> e
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>
    """
    _square(tensor, "SelfAdjointEigV2")
    w, v = jnp.linalg.eigh(tensor)
    return (w, v)


@defop("SelfAdjointEigV2Values")
def eigvalsh(tensor):
    """Eigenvalues of Hermitian matrices, ascending.

    >>> import eagerkit as ek
    >>> ek.linalg.eigvalsh([[2.0, 0.0], [0.0, 1.0]])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>
    """
    _square(tensor, "SelfAdjointEigV2")
    return jnp.linalg.eigvalsh(tensor)


@defop("Svd")
def svd(tensor, full_matrices=False, compute_uv=True):
    """``(s, u, v)`` like TF: singular values (descending) first, and ``v`` (not ``v^H``), so
    that ``tensor = u @ diag(s) @ adjoint(v)``.

    >>> import eagerkit as ek
    >>> s, u, v = ek.linalg.svd([[3.0, 0.0], [0.0, -2.0]])
    >>> s
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 2.], dtype=float32)>
    >>> ek.linalg.svd([[3.0, 0.0], [0.0, -2.0]], compute_uv=False)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 2.], dtype=float32)>
    """
    check_dtype(tensor, "Svd", INEXACT)
    if not compute_uv:
        return jnp.linalg.svd(tensor, full_matrices=full_matrices, compute_uv=False)
    u, s, vh = jnp.linalg.svd(tensor, full_matrices=full_matrices)
    return (s, u, _adjoint(vh))


@defop("Cholesky")
def cholesky(input):  # noqa: A002
    """Lower-triangular Cholesky factor of Hermitian positive-definite matrices (NaN otherwise,
    as TF returns on CPU).

    >>> import eagerkit as ek
    >>> ek.linalg.cholesky([[4.0, 2.0], [2.0, 2.0]])
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=
    array([[2., 0.],
           [1., 1.]], dtype=float32)>
    """
    _square(input, "Cholesky")
    return jnp.linalg.cholesky(input)


@defop("Qr")
def qr(input, full_matrices=False):  # noqa: A002
    """``(q, r)`` QR decomposition (a named tuple, as in TF).

    >>> import eagerkit as ek
    >>> a = ek.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> q, r = ek.linalg.qr(a)
    >>> q.shape, r.shape
    (TensorShape([3, 2]), TensorShape([2, 2]))
    >>> bool(ek.reduce_all(ek.abs(ek.matmul(q, r) - a) < 1e-5))
    True
    """
    check_dtype(input, "Qr", INEXACT)
    q, r = jnp.linalg.qr(input, mode="complete" if full_matrices else "reduced")
    return QrResult(q, r)


@defop("MatrixSolve", same_dtype=True, jit=False)
def solve(matrix, rhs, adjoint=False):
    """Solves ``matrix @ x = rhs`` for ``x``; a singular matrix raises, as in TF.

    >>> import eagerkit as ek
    >>> ek.linalg.solve([[2.0, 0.0], [0.0, 4.0]], [[2.0], [4.0]]).numpy().tolist()
    [[1.0], [1.0]]
    """
    _square(matrix, "MatrixSolve")
    if rhs.ndim < 2 or rhs.shape[-2] != matrix.shape[-1]:
        raise InvalidArgumentError(
            None,
            "MatrixSolve",
            f"Input matrix and right-hand side must have the same number of rows: {list(matrix.shape)} vs. "
            f"{list(rhs.shape)} [Op:MatrixSolve]",
        )
    out = _solve(matrix, rhs, adjoint)
    _check_invertible(matrix, out, "Input matrix is not invertible.", "MatrixSolve")
    return out


@jax.jit
def _solve_impl(matrix: Any, rhs: Any) -> Any:
    return jnp.linalg.solve(matrix, rhs)


def _solve(matrix: Any, rhs: Any, adjoint: bool) -> Any:
    return _solve_impl(_adjoint(matrix) if adjoint else matrix, rhs)


@defop("MatrixTriangularSolve", same_dtype=True)
def triangular_solve(matrix, rhs, lower=True, adjoint=False):
    """Solves ``matrix @ x = rhs`` for a lower (or upper) triangular ``matrix``; with ``adjoint``
    solves ``adjoint(matrix) @ x = rhs``. Only the named triangle of ``matrix`` is read.

    >>> import eagerkit as ek
    >>> ek.linalg.triangular_solve([[2.0, 0.0], [1.0, 1.0]], [[2.0], [3.0]], lower=True)
    <tf.Tensor: shape=(2, 1), dtype=float32, numpy=
    array([[1.],
           [2.]], dtype=float32)>
    """
    _square(matrix, "MatrixTriangularSolve")
    return jsl.solve_triangular(matrix, rhs, lower=lower, trans="C" if adjoint else 0)


@defop("MatrixSolveLs", same_dtype=True)
def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True):
    """Least-squares solution of ``matrix @ x = rhs`` (ridge-regularised by ``l2_regularizer``).

    >>> import eagerkit as ek
    >>> ek.linalg.lstsq([[1.0, 0.0], [0.0, 2.0]], [[1.0], [4.0]])
    <tf.Tensor: shape=(2, 1), dtype=float32, numpy=
    array([[1.],
           [2.]], dtype=float32)>
    """
    check_dtype(matrix, "MatrixSolveLs", INEXACT)
    if l2_regularizer:
        a_h = _adjoint(matrix)
        n = matrix.shape[-1]
        gram = a_h @ matrix + l2_regularizer * jnp.eye(n, dtype=matrix.dtype)
        return jnp.linalg.solve(gram, a_h @ rhs)
    return jnp.linalg.lstsq(matrix, rhs)[0]


@defop("Cross", same_dtype=True)
def cross(a, b):
    """Cross product of 3-vectors along the last dimension.

    >>> import eagerkit as ek
    >>> ek.linalg.cross([1.0, 0.0, 0.0], [0.0, 1.0, 0.0])
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([0., 0., 1.], dtype=float32)>
    """
    check_dtype(a, "Cross", NUMBER)
    if a.shape[-1] != 3 or b.shape[-1] != 3:
        raise InvalidArgumentError(
            None, "Cross", f"inputs must be 3-vectors in the last dimension, got {list(a.shape)} and {list(b.shape)}"
        )
    return jnp.cross(a, b)


@defop("MatVec", same_dtype=True)
def matvec(a, b, transpose_a=False, adjoint_a=False):
    """``a @ b`` for matrices ``a`` and vectors ``b`` (batched).

    >>> import eagerkit as ek
    >>> ek.linalg.matvec([[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 7.], dtype=float32)>
    """
    if adjoint_a:
        a = _adjoint(a)
    elif transpose_a:
        a = jnp.swapaxes(a, -1, -2)
    if a.shape[-1] != b.shape[-1]:
        raise InvalidArgumentError(
            None, "MatVec", f"Matrix size-incompatible: In[0]: {list(a.shape)}, In[1]: {list(b.shape)} [Op:MatVec]"
        )
    return jnp.matmul(a, b[..., None])[..., 0]


@defop("Trace")
def trace(x):
    """Sum of the main diagonal of the inner matrices.

    >>> import eagerkit as ek
    >>> ek.linalg.trace([[1.0, 2.0], [3.0, 4.0]])
    <tf.Tensor: shape=(), dtype=float32, numpy=5.0>
    """
    check_dtype(x, "Trace", NUMBER)
    return jnp.trace(x, axis1=-2, axis2=-1)


@defop("MatrixDiagPartV3")
def diag_part(input):  # noqa: A002
    """Main diagonal of the inner matrices.

    >>> import eagerkit as ek
    >>> ek.linalg.diag_part([[1, 2], [3, 4]])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 4], dtype=int32)>
    """
    return jnp.diagonal(input, axis1=-2, axis2=-1)


@defop("MatrixDiagV3")
def diag(diagonal):
    """Square matrices with ``diagonal`` (batched over leading dimensions) on the main diagonal.

    >>> import eagerkit as ek
    >>> ek.linalg.diag([1, 2])
    <tf.Tensor: shape=(2, 2), dtype=int32, numpy=
    array([[1, 0],
           [0, 2]], dtype=int32)>
    """
    return diagonal[..., None] * jnp.eye(diagonal.shape[-1], dtype=diagonal.dtype)


@defop("MatrixSetDiagV3", same_dtype=True)
def set_diag(input, diagonal):  # noqa: A002
    """``input`` with its main diagonal replaced by ``diagonal``.

    >>> import eagerkit as ek
    >>> ek.linalg.set_diag([[1, 2], [3, 4]], [0, 0])
    <tf.Tensor: shape=(2, 2), dtype=int32, numpy=
    array([[0, 2],
           [3, 0]], dtype=int32)>
    """
    m, n = input.shape[-2], input.shape[-1]
    k = min(m, n)
    if diagonal.shape[-1] != k:
        raise InvalidArgumentError(
            None, "MatrixSetDiagV3", f"diagonal must have {k} elements in its last dimension, got {diagonal.shape}"
        )
    mask = jnp.eye(m, n, dtype=bool)
    full = jnp.zeros(input.shape, input.dtype)
    idx = jnp.arange(k)
    full = full.at[..., idx, idx].set(diagonal)
    return jnp.where(mask, full, input)


@defop("MatrixTranspose")
def matrix_transpose(a, conjugate=False):
    """Swaps the last two dimensions (conjugating when ``conjugate``).

    >>> import eagerkit as ek
    >>> ek.linalg.matrix_transpose(ek.ones([5, 2, 3])).shape
    TensorShape([5, 3, 2])
    """
    out = jnp.swapaxes(a, -1, -2)
    return jnp.conj(out) if conjugate else out


@defop("Adjoint")
def adjoint(matrix):
    """Conjugate transpose of the inner matrices (``tf.linalg.adjoint``).

    >>> import eagerkit as ek
    >>> ek.linalg.adjoint([[1 + 1j, 2], [3, 4j]])
    <tf.Tensor: shape=(2, 2), dtype=complex128, numpy=
    array([[1.-1.j, 3.-0.j],
           [2.-0.j, 0.-4.j]])>
    """
    return _adjoint(matrix)


@defop("Pinv")
def pinv(a, rcond=None):
    """Moore-Penrose pseudo-inverse.

    >>> import eagerkit as ek
    >>> ek.linalg.pinv([[2.0, 0.0], [0.0, 4.0]])
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=
    array([[0.5 , 0.  ],
           [0.  , 0.25]], dtype=float32)>
    """
    check_dtype(a, "Pinv", FLOAT)
    return jnp.linalg.pinv(a) if rcond is None else jnp.linalg.pinv(a, rtol=rcond)


@defop("BandPart", tensors=("input",))
def band_part(input, num_lower, num_upper):  # noqa: A002
    """Keeps a band of ``num_lower`` sub- and ``num_upper`` super-diagonals (-1: all).

    >>> import eagerkit as ek
    >>> ek.linalg.band_part(ek.ones([3, 3]), 0, -1)  # upper triangle
    <tf.Tensor: shape=(3, 3), dtype=float32, numpy=
    array([[1., 1., 1.],
           [0., 1., 1.],
           [0., 0., 1.]], dtype=float32)>
    """
    m, n = input.shape[-2], input.shape[-1]
    i = jnp.arange(m)[:, None]
    j = jnp.arange(n)[None, :]
    keep = ((num_lower < 0) | (i - j <= num_lower)) & ((num_upper < 0) | (j - i <= num_upper))
    return jnp.where(keep, input, jnp.zeros((), input.dtype))


@defop("MatrixExponential")
def expm(input):  # noqa: A002
    """Matrix exponential of square matrices.

    >>> import eagerkit as ek
    >>> ek.linalg.expm([[0.0, 0.0], [0.0, 0.0]])
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=
    array([[1., 0.],
           [0., 1.]], dtype=float32)>
    """
    _square(input, "MatrixExponential")
    return jsl.expm(input)
