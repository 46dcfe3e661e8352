"""``ek.linalg``: linear algebra (mirrors ``tf.linalg``)."""

from eagerkit._src.ops.array_ops import eye, global_norm, norm  # noqa: F401
from eagerkit._src.ops.linalg_ops import (  # noqa: F401
    adjoint,
    band_part,
    cholesky,
    cross,
    det,
    diag,
    diag_part,
    eigh,
    eigvalsh,
    expm,
    inv,
    logdet,
    lstsq,
    matrix_transpose,
    matvec,
    pinv,
    qr,
    set_diag,
    slogdet,
    solve,
    svd,
    trace,
    triangular_solve,
)
from eagerkit._src.ops.math_ops import einsum, l2_normalize, matmul, tensordot  # noqa: F401
