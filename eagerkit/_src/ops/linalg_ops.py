"""Linear algebra (``ek.linalg``).

>>> import eagerkit as ek
>>> float(ek.linalg.det([[2.0, 0.0], [0.0, 3.0]]))
6.0
"""

from __future__ import annotations

import jax.numpy as jnp

from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.ops.op import defop


def _square(x, op):
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise InvalidArgumentError(
            None, op, f"{op}: input must be a (batch of) square matrices, got shape {list(x.shape)} [Op:{op}]"
        )


@defop("MatrixInverse")
def inv(input, adjoint=False):  # noqa: A002
    """Inverse of (a batch of) square matrices."""
    _square(input, "MatrixInverse")
    out = jnp.linalg.inv(input)
    return jnp.conj(jnp.swapaxes(out, -1, -2)) if adjoint else out


@defop("MatrixDeterminant")
def det(input):  # noqa: A002
    """Determinant of (a batch of) square matrices."""
    _square(input, "MatrixDeterminant")
    return jnp.linalg.det(input)


@defop("LogMatrixDeterminant")
def slogdet(input):  # noqa: A002
    """(sign, log|det|) of square matrices."""
    _square(input, "LogMatrixDeterminant")
    sign, logdet = jnp.linalg.slogdet(input)
    return [sign, logdet]


@defop("SelfAdjointEigV2")
def eigh(tensor):
    """(eigenvalues ascending, eigenvectors as columns) of Hermitian matrices."""
    _square(tensor, "SelfAdjointEigV2")
    w, v = jnp.linalg.eigh(tensor)
    return [w, v]


@defop("SelfAdjointEigV2Values")
def eigvalsh(tensor):
    """Eigenvalues of Hermitian matrices, ascending."""
    return jnp.linalg.eigvalsh(tensor)


@defop("Svd")
def svd(tensor, full_matrices=False, compute_uv=True):
    """(s, u, v) like TF: singular values first, and ``v`` (not ``v^H``)."""
    if not compute_uv:
        return jnp.linalg.svd(tensor, full_matrices=full_matrices, compute_uv=False)
    u, s, vh = jnp.linalg.svd(tensor, full_matrices=full_matrices)
    return [s, u, jnp.conj(jnp.swapaxes(vh, -1, -2))]


@defop("Cholesky")
def cholesky(input):  # noqa: A002
    """Lower-triangular Cholesky factor of positive-definite matrices."""
    _square(input, "Cholesky")
    return jnp.linalg.cholesky(input)


@defop("Qr")
def qr(input, full_matrices=False):  # noqa: A002
    """(q, r) QR decomposition."""
    q, r = jnp.linalg.qr(input, mode="complete" if full_matrices else "reduced")
    return [q, r]


@defop("MatrixSolve", same_dtype=True)
def solve(matrix, rhs, adjoint=False):
    """Solves ``matrix @ x = rhs``."""
    if adjoint:
        matrix = jnp.conj(jnp.swapaxes(matrix, -1, -2))
    return jnp.linalg.solve(matrix, rhs)


@defop("Trace")
def trace(x):
    """Sum of the main diagonal of the inner matrices."""
    return jnp.trace(x, axis1=-2, axis2=-1)


@defop("MatrixDiagPartV3")
def diag_part(input):  # noqa: A002
    """Main diagonal of the inner matrices."""
    return jnp.diagonal(input, axis1=-2, axis2=-1)


@defop("MatrixDiagV3")
def diag(diagonal):
    """Square matrices with ``diagonal`` on the main diagonal."""
    return diagonal[..., None] * jnp.eye(diagonal.shape[-1], dtype=diagonal.dtype)


@defop("MatrixTranspose")
def matrix_transpose(a, conjugate=False):
    """Swaps the last two dimensions."""
    out = jnp.swapaxes(a, -1, -2)
    return jnp.conj(out) if conjugate else out


@defop("Pinv")
def pinv(a, rcond=None):
    """Moore-Penrose pseudo-inverse."""
    return jnp.linalg.pinv(a) if rcond is None else jnp.linalg.pinv(a, rtol=rcond)


@defop("BandPart", tensors=("input",))
def band_part(input, num_lower, num_upper):  # noqa: A002
    """Keeps a band of ``num_lower`` sub- and ``num_upper`` super-diagonals (-1: all)."""
    m, n = input.shape[-2], input.shape[-1]
    i = jnp.arange(m)[:, None]
    j = jnp.arange(n)[None, :]
    keep = ((num_lower < 0) | (i - j <= num_lower)) & ((num_upper < 0) | (j - i <= num_upper))
    return jnp.where(keep, input, jnp.zeros((), input.dtype))
