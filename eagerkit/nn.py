"""``ek.nn``: activations, convolutions, pooling, losses and normalisation (mirrors ``tf.nn``)."""

from eagerkit._src.ops.math_ops import l2_normalize, sigmoid, softplus, softsign, tanh  # noqa: F401
from eagerkit._src.ops.nn_ops import (  # noqa: F401
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    batch_normalization,
    bias_add,
    compute_average_loss,
    conv1d,
    conv2d,
    conv2d_transpose,
    conv3d,
    depthwise_conv2d,
    dropout,
    elu,
    gelu,
    in_top_k,
    l2_loss,
    leaky_relu,
    log_softmax,
    max_pool1d,
    max_pool2d,
    max_pool3d,
    moments,
    relu,
    relu6,
    selu,
    sigmoid_cross_entropy_with_logits,
    silu,
    softmax,
    softmax_cross_entropy_with_logits,
    sparse_softmax_cross_entropy_with_logits,
    swish,
    top_k,
    weighted_cross_entropy_with_logits,
)

avg_pool = avg_pool2d
max_pool = max_pool2d
convolution = conv2d
