"""``ek.linalg``: linear algebra (mirrors ``tf.linalg``)."""

from eagerkit._src.ops.array_ops import eye, norm  # noqa: F401
from eagerkit._src.ops.linalg_ops import (  # noqa: F401
    band_part,
    cholesky,
    det,
    diag,
    diag_part,
    eigh,
    eigvalsh,
    inv,
    matrix_transpose,
    pinv,
    qr,
    slogdet,
    solve,
    svd,
    trace,
)
from eagerkit._src.ops.math_ops import einsum, matmul, tensordot  # noqa: F401

adjoint = matrix_transpose
