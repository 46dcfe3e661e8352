"""eagerkit: TensorFlow 2 eager code on JAX/XLA. ``import eagerkit as tf``.

>>> import eagerkit as tf
>>> m = tf.matmul([[2.0]], [[2.0]])
>>> m
<tf.Tensor: shape=(1, 1), dtype=float32, numpy=array([[4.]], dtype=float32)>
>>> "hello, {}".format(m)
'hello, [[4.]]'
"""

from eagerkit._src.core.dtypes import (  # noqa: F401
    DType,
    as_dtype,
    bfloat16,
    bool,
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    string,
    uint8,
    uint16,
    uint32,
    uint64,
)
from eagerkit._src.core.context import executing_eagerly, init_scope  # noqa: F401
from eagerkit._src.core.convert import constant, convert_to_tensor, is_tensor  # noqa: F401
from eagerkit._src.core.device import device  # noqa: F401
from eagerkit._src.core.tensor import Tensor  # noqa: F401
from eagerkit._src.core.tensor_shape import TensorShape  # noqa: F401
from eagerkit._src.core.tensor_spec import TensorSpec  # noqa: F401
from eagerkit._src.core.variable import Variable, VariableAggregation, VariableSynchronization  # noqa: F401
from eagerkit._src.ops import operators as _operators  # noqa: F401
from eagerkit._src.ops.array_ops import (  # noqa: F401
    boolean_mask,
    broadcast_to,
    clip_by_global_norm,
    clip_by_norm,
    clip_by_value,
    concat,
    expand_dims,
    eye,
    fill,
    gather,
    gather_nd,
    identity,
    linspace,
    meshgrid,
    newaxis,
    norm,
    one_hot,
    ones,
    ones_like,
    pad,
    range,
    rank,
    reshape,
    repeat,
    reverse,
    roll,
    scatter_nd,
    searchsorted,
    sequence_mask,
    shape,
    size,
    slice,
    sort,
    argsort,
    split,
    squeeze,
    stack,
    stop_gradient,
    tensor_scatter_nd_add,
    tensor_scatter_nd_update,
    tile,
    transpose,
    unique,
    unstack,
    where,
    zeros,
    zeros_like,
)
from eagerkit._src.ops.math_ops import (  # noqa: F401
    abs,
    acos,
    acosh,
    add,
    add_n,
    argmax,
    argmin,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    cast,
    ceil,
    cos,
    cosh,
    cumsum,
    divide,
    einsum,
    equal,
    exp,
    floor,
    floordiv,
    greater,
    greater_equal,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    matmul,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    pow,
    realdiv,
    reduce_all,
    reduce_any,
    reduce_logsumexp,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_sum,
    round,
    saturate_cast,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    subtract,
    tan,
    tanh,
    tensordot,
    truediv,
)
from eagerkit._src.ops.debugging_ops import (  # noqa: F401
    Assert,
    assert_equal,
    assert_greater,
    assert_less,
    assert_rank,
    print_ as print,
)
from eagerkit._src.autodiff.tape import GradientTape, UnconnectedGradients  # noqa: F401
from eagerkit._src.autodiff.custom_gradient import custom_gradient  # noqa: F401
from eagerkit._src.function.function import Function, function  # noqa: F401
from eagerkit._src.function.control_flow import case, cond, switch_case, while_loop  # noqa: F401

from eagerkit import (  # noqa: F401,E402
    autodiff,
    config,
    data,
    debugging,
    distribute,
    dtypes,
    errors,
    linalg,
    math,
    nn,
    random,
    summary,
    train,
)
from eagerkit import autograph, keras  # noqa: F401,E402
from eagerkit.keras import Model, Sequential, layers  # noqa: F401,E402

__version__ = "0.1.0"
