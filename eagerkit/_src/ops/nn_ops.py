"""Neural-network ops (``ek.nn``): activations, convolutions, pooling, losses, normalisation.

Layouts follow TF's defaults: NHWC inputs, HWIO kernels, ``padding`` "SAME"/"VALID".

>>> import eagerkit as ek
>>> ek.nn.relu([-1.0, 2.0]).numpy().tolist()
[0.0, 2.0]
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.ops import random_ops
from eagerkit._src.ops.math_ops import norm_axis
from eagerkit._src.ops.op import defop


# -- activations -----------------------------------------------------------------------------
@defop("Relu")
def relu(features):
    """``max(features, 0)``."""
    return jnp.maximum(features, jnp.zeros((), features.dtype))


@defop("Relu6")
def relu6(features):
    """``min(max(features, 0), 6)``."""
    return jnp.clip(features, 0, 6).astype(features.dtype)


@defop("Elu")
def elu(features):
    """``x`` if ``x > 0`` else ``exp(x) - 1``."""
    return jax.nn.elu(features)


@defop("Selu")
def selu(features):
    """Scaled ELU with TF's constants."""
    return jax.nn.selu(features)


@defop("Gelu")
def gelu(features, approximate=False):
    """Gaussian error linear unit (exact erf form unless ``approximate``)."""
    return jax.nn.gelu(features, approximate=approximate)


@defop("LeakyRelu")
def leaky_relu(features, alpha=0.2):
    """``x`` if ``x > 0`` else ``alpha * x`` (TF's default alpha is 0.2)."""
    return jnp.where(features > 0, features, features * jnp.asarray(alpha, features.dtype))


@defop("Silu")
def silu(features, beta=1.0):
    """``x * sigmoid(beta * x)`` (a.k.a. swish)."""
    return features * jax.nn.sigmoid(beta * features)


swish = silu


@defop("Softmax")
def softmax(logits, axis=None):
    """``exp(x) / sum(exp(x))`` along ``axis`` (last by default)."""
    return jax.nn.softmax(logits, axis=-1 if axis is None else int(axis))


@defop("LogSoftmax")
def log_softmax(logits, axis=None):
    """``x - logsumexp(x)`` along ``axis`` (last by default)."""
    return jax.nn.log_softmax(logits, axis=-1 if axis is None else int(axis))


@defop("BiasAdd", same_dtype=True)
def bias_add(value, bias, data_format=None):
    """Adds a 1-D bias to the channel dimension (last, or 1 for NC* formats)."""
    if data_format is not None and data_format.startswith("NC"):
        return value + bias.reshape((1, -1) + (1,) * (value.ndim - 2))
    if value.shape[-1] != bias.shape[0]:
        raise InvalidArgumentError(
            None,
            "BiasAdd",
            f"Must provide as many biases as the last dimension of the input tensor: "
            f"{list(bias.shape)} vs. {list(value.shape)} [Op:BiasAdd]",
        )
    return value + bias


# -- convolution and pooling ---------------------------------------------------------------------
def _tuple(v: Any, n: int, name: str) -> tuple:
    if isinstance(v, int):
        return (v,) * n
    v = tuple(int(x) for x in v)
    if len(v) == n + 2:  # TF allows [1, s, s, 1]
        return v[1:-1]
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise ValueError(f"{name} must be an int or a list of {n} ints, got {v}")
    return v


def _padding(padding: Any, n: int) -> Any:
    if isinstance(padding, str):
        p = padding.upper()
        if p not in ("SAME", "VALID"):
            raise ValueError(f"padding must be 'SAME' or 'VALID', got {padding!r}")
        return p
    pads = [tuple(p) for p in padding]
    return pads[1:-1] if len(pads) == n + 2 else pads


def _dims(n: int) -> tuple[str, str, str]:
    sp = "DHW"[-n:] if n <= 3 else None
    return "N" + sp + "C", sp + "IO", "N" + sp + "C"


def _conv(x: Any, kernel: Any, strides: Any, padding: Any, dilations: Any, n: int, op: str) -> Any:
    if x.ndim != n + 2:
        raise InvalidArgumentError(
            None, op, f"{op}: input must be rank {n + 2} (batch, spatial..., channels), got shape {list(x.shape)}"
        )
    if kernel.ndim != n + 2:
        raise InvalidArgumentError(None, op, f"{op}: filter must be rank {n + 2}, got shape {list(kernel.shape)}")
    cin = x.shape[-1]
    if cin % kernel.shape[-2]:
        raise InvalidArgumentError(
            None,
            op,
            f"{op}: input depth {cin} must be a multiple of the filter's input depth "
            f"{kernel.shape[-2]} (input {list(x.shape)}, filter {list(kernel.shape)}) [Op:{op}]",
        )
    return jax.lax.conv_general_dilated(
        x,
        kernel,
        window_strides=_tuple(strides, n, "strides"),
        padding=_padding(padding, n),
        rhs_dilation=_tuple(dilations, n, "dilations"),
        dimension_numbers=_dims(n),
        feature_group_count=cin // kernel.shape[-2],
    )


@defop("Conv2D", same_dtype=True)
def conv2d(input, filters, strides=1, padding="VALID", data_format="NHWC", dilations=1):  # noqa: A002
    """2-D convolution of NHWC ``input`` with HWIO ``filters`` (grouped when input depth is a
    multiple of the filter's input depth)."""
    if data_format != "NHWC":
        raise ValueError("conv2d: only data_format='NHWC' is supported (XLA picks its own layout).")
    return _conv(input, filters, strides, padding, dilations, 2, "Conv2D")


@defop("Conv1D", same_dtype=True)
def conv1d(input, filters, stride=1, padding="VALID", data_format="NWC", dilations=1):  # noqa: A002
    """1-D convolution of NWC ``input`` with WIO ``filters``."""
    return _conv(input, filters, stride, padding, dilations, 1, "Conv1D")


@defop("Conv3D", same_dtype=True)
def conv3d(input, filters, strides=1, padding="VALID", data_format="NDHWC", dilations=1):  # noqa: A002
    """3-D convolution of NDHWC ``input`` with DHWIO ``filters``."""
    return _conv(input, filters, strides, padding, dilations, 3, "Conv3D")


@defop("Conv2DBackpropInput", tensors=("input", "filters"), same_dtype=True)
def conv2d_transpose(input, filters, output_shape, strides=1, padding="SAME", data_format="NHWC", dilations=1):  # noqa: A002
    """Transposed 2-D convolution (the gradient of conv2d); ``filters`` are [h, w, out, in]."""
    out = jax.lax.conv_transpose(
        input,
        filters,
        strides=_tuple(strides, 2, "strides"),
        padding=_padding(padding, 2),
        rhs_dilation=_tuple(dilations, 2, "dilations"),
        dimension_numbers=("NHWC", "HWOI", "NHWC"),
        transpose_kernel=True,
    )
    want = tuple(output_shape)
    if out.shape[1:3] != want[1:3]:
        pads = [(0, w - o) for o, w in zip(out.shape[1:3], want[1:3])]
        if any(p[1] < 0 for p in pads):
            raise InvalidArgumentError(
                None,
                "Conv2DBackpropInput",
                f"conv2d_transpose: output_shape {list(want)} is smaller than the "
                f"computed {list(out.shape)} [Op:Conv2DBackpropInput]",
            )
        out = jnp.pad(out, [(0, 0)] + pads + [(0, 0)])
    return out


@defop("DepthwiseConv2dNative", same_dtype=True)
def depthwise_conv2d(input, filter, strides=(1, 1, 1, 1), padding="VALID", data_format="NHWC", dilations=None):  # noqa: A002
    """Depthwise convolution: ``filter`` is [h, w, in_channels, multiplier]."""
    h, w, cin, mult = filter.shape
    kernel = filter.reshape(h, w, 1, cin * mult)
    return jax.lax.conv_general_dilated(
        input,
        kernel,
        window_strides=_tuple(strides, 2, "strides"),
        padding=_padding(padding, 2),
        rhs_dilation=_tuple(dilations or 1, 2, "dilations"),
        dimension_numbers=("NHWC", "HWIO", "NHWC"),
        feature_group_count=cin,
    )


def _pool(x: Any, ksize: Any, strides: Any, padding: Any, n: int, kind: str) -> Any:
    window = (1,) + _tuple(ksize, n, "ksize") + (1,)
    stride = (1,) + _tuple(strides, n, "strides") + (1,)
    pad = _padding(padding, n)
    if kind == "max":
        init = -jnp.inf if jnp.issubdtype(x.dtype, jnp.floating) else jnp.iinfo(x.dtype).min
        return jax.lax.reduce_window(x, jnp.asarray(init, x.dtype), jax.lax.max, window, stride, pad)
    total = jax.lax.reduce_window(x, jnp.zeros((), x.dtype), jax.lax.add, window, stride, pad)
    if pad == "VALID":
        return total / jnp.asarray(float(jnp.prod(jnp.asarray(window))), x.dtype)
    ones = jnp.ones((1,) + x.shape[1:-1] + (1,), x.dtype)
    count = jax.lax.reduce_window(ones, jnp.zeros((), x.dtype), jax.lax.add, window, stride, pad)
    return total / count  # TF's SAME average pooling excludes the padding


@defop("MaxPool")
def max_pool2d(input, ksize, strides, padding, data_format="NHWC"):  # noqa: A002
    """2-D max pooling over NHWC input."""
    return _pool(input, ksize, strides, padding, 2, "max")


@defop("AvgPool")
def avg_pool2d(input, ksize, strides, padding, data_format="NHWC"):  # noqa: A002
    """2-D average pooling over NHWC input (SAME padding averages only real elements)."""
    return _pool(input, ksize, strides, padding, 2, "avg")


@defop("MaxPool1D")
def max_pool1d(input, ksize, strides, padding, data_format="NWC"):  # noqa: A002
    """1-D max pooling over NWC input."""
    return _pool(input, ksize, strides, padding, 1, "max")


@defop("AvgPool1D")
def avg_pool1d(input, ksize, strides, padding, data_format="NWC"):  # noqa: A002
    """1-D average pooling over NWC input."""
    return _pool(input, ksize, strides, padding, 1, "avg")


@defop("MaxPool3D")
def max_pool3d(input, ksize, strides, padding, data_format="NDHWC"):  # noqa: A002
    """3-D max pooling."""
    return _pool(input, ksize, strides, padding, 3, "max")


@defop("AvgPool3D")
def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC"):  # noqa: A002
    """3-D average pooling."""
    return _pool(input, ksize, strides, padding, 3, "avg")


# -- losses ---------------------------------------------------------------------------------------
@defop("SparseSoftmaxCrossEntropyWithLogits", jit=False)
def sparse_softmax_cross_entropy_with_logits(labels, logits):
    """Per-example ``-log softmax(logits)[label]``; labels out of ``[0, classes)`` raise eagerly."""
    if labels.shape != logits.shape[:-1]:
        raise InvalidArgumentError(
            None,
            "SparseSoftmaxCrossEntropyWithLogits",
            f"labels shape {list(labels.shape)} must equal "
            f"logits shape without the class dimension {list(logits.shape[:-1])}",
        )
    if not isinstance(labels, jax.core.Tracer):
        import numpy as np

        lab = np.asarray(labels)
        n = logits.shape[-1]
        if lab.size and (lab.min() < 0 or lab.max() >= n):
            bad = lab[(lab < 0) | (lab >= n)].reshape(-1)[0]
            raise InvalidArgumentError(
                None,
                "SparseSoftmaxCrossEntropyWithLogits",
                f"Received a label value of {bad} which is outside the valid range of [0, {n}). "
                f"Label values: {' '.join(map(str, lab.reshape(-1)[:20]))} [Op:SparseSoftmaxCrossEntropyWithLogits]",
            )
    return _sparse_xent(labels, logits)


@jax.jit
def _sparse_xent(labels: Any, logits: Any) -> Any:
    logp = jax.nn.log_softmax(logits, axis=-1)
    return -jnp.take_along_axis(logp, labels[..., None].astype(jnp.int32), axis=-1)[..., 0]


@defop("SoftmaxCrossEntropyWithLogits", same_dtype=True)
def softmax_cross_entropy_with_logits(labels, logits, axis=-1):
    """Per-example ``-sum(labels * log softmax(logits))``."""
    return -jnp.sum(labels * jax.nn.log_softmax(logits, axis=axis), axis=axis)


@defop("SigmoidCrossEntropyWithLogits", same_dtype=True)
def sigmoid_cross_entropy_with_logits(labels, logits):
    """Elementwise ``max(x, 0) - x * z + log(1 + exp(-abs(x)))`` (stable logistic loss)."""
    x, z = logits, labels
    return jnp.maximum(x, 0) - x * z + jnp.log1p(jnp.exp(-jnp.abs(x)))


@defop("WeightedCrossEntropyWithLogits", same_dtype=True)
def weighted_cross_entropy_with_logits(labels, logits, pos_weight):
    """Logistic loss with positive examples weighted by ``pos_weight``."""
    x, z = logits, labels
    log_weight = 1 + (pos_weight - 1) * z
    return (1 - z) * x + log_weight * (jnp.log1p(jnp.exp(-jnp.abs(x))) + jnp.maximum(-x, 0))


@defop("L2Loss")
def l2_loss(t):
    """``sum(t ** 2) / 2``."""
    return jnp.sum(t * t) / 2


def compute_average_loss(
    per_example_loss: Any, sample_weight: Any = None, global_batch_size: int | None = None, name: str | None = None
) -> Tensor:
    """Sums per-example losses and divides by the global batch size (``tf.nn.compute_average_loss``)."""
    from eagerkit._src.ops import math_ops

    loss = per_example_loss
    if sample_weight is not None:
        loss = math_ops.multiply(loss, sample_weight)
    total = math_ops.reduce_sum(loss)
    if global_batch_size is None:
        global_batch_size = per_example_loss.shape[0] if per_example_loss.shape.rank else 1
    return math_ops.truediv(total, math_ops.cast(global_batch_size, total.dtype))


# -- normalisation and statistics ---------------------------------------------------------------
@defop("Moments")
def moments(x, axes, shift=None, keepdims=False):
    """(mean, variance) over ``axes``."""
    axes = norm_axis(axes)
    mean = jnp.mean(x, axis=axes, keepdims=True)
    var = jnp.mean(jnp.square(x - jax.lax.stop_gradient(mean)), axis=axes, keepdims=True)
    if not keepdims:
        mean, var = jnp.squeeze(mean, axes), jnp.squeeze(var, axes)
    return [mean, var]


@defop("BatchNormalization", tensors=("x", "mean", "variance", "offset", "scale"))
def batch_normalization(x, mean, variance, offset, scale, variance_epsilon):
    """``(x - mean) * scale / sqrt(variance + eps) + offset`` (offset/scale may be None)."""
    inv = jax.lax.rsqrt(variance + variance_epsilon)
    if scale is not None:
        inv = inv * scale
    out = x * inv.astype(x.dtype) - (mean * inv).astype(x.dtype)
    return out + offset if offset is not None else out


@defop("Dropout", tensors=("x", "mask"))
def _apply_dropout(x, mask, rate):
    return jnp.where(mask, x / (1.0 - rate), jnp.zeros((), x.dtype)).astype(x.dtype)


def dropout(x: Any, rate: float, noise_shape: Any = None, seed: int | None = None, name: str | None = None) -> Tensor:
    """Zeroes elements with probability ``rate`` and scales the rest by ``1 / (1 - rate)``."""
    rate = float(rate)
    if not 0 <= rate < 1:
        raise ValueError(f"rate must be a scalar tensor or a float in the range [0, 1), got {rate}")
    from eagerkit._src.core.convert import to_array

    shape = tuple(noise_shape) if noise_shape is not None else tuple(to_array(x).shape)
    if rate == 0:
        from eagerkit._src.ops.array_ops import identity

        return identity(x)
    keep = random_ops.uniform(shape, dtype=_dtypes.float32, seed=seed)
    from eagerkit._src.ops.math_ops import greater_equal

    return _apply_dropout(x, greater_equal(keep, rate), rate=rate)


@defop("InTopKV2")
def in_top_k(targets, predictions, k):
    """Whether each target is among the top ``k`` predictions of its row."""
    target_score = jnp.take_along_axis(predictions, targets[:, None].astype(jnp.int32), axis=1)
    return jnp.sum(predictions > target_score, axis=1) < k


def top_k(input: Any, k: int = 1, sorted: bool = True, index_type: Any = _dtypes.int32, name: str | None = None) -> Any:  # noqa: A002
    """``ek.math.top_k``: the k largest entries of the last axis and their indices."""
    from eagerkit._src.ops.array_ops import top_k as _top_k

    return _top_k(input, k=k, sorted=sorted, index_type=index_type)
