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
import numpy as np

from eagerkit._src.core import context
from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.ops import random_ops
from eagerkit._src.ops.math_ops import FLOAT, INEXACT, REAL, check_dtype, norm_axis
from eagerkit._src.ops.op import defop


# -- activations -----------------------------------------------------------------------------
@defop("Relu")
def relu(features):
    """``max(features, 0)``.

    >>> import eagerkit as ek
    >>> ek.nn.relu([-1.0, 2.0]).numpy().tolist()
    [0.0, 2.0]
    """
    check_dtype(features, "Relu", REAL)
    # jax.nn.relu's derivative is 0 at 0, like TF's ReluGrad (jnp.maximum would split the tie: 0.5).
    return jax.nn.relu(features)


@defop("Relu6")
def relu6(features):
    """``min(max(features, 0), 6)``.

    >>> import eagerkit as ek
    >>> ek.nn.relu6([-1.0, 3.0, 8.0])
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([0., 3., 6.], dtype=float32)>
    """
    check_dtype(features, "Relu6", REAL)
    # jax.nn.relu6's derivative is 0 at 0 and at 6, like TF's Relu6Grad.
    return jax.nn.relu6(features).astype(features.dtype)


@defop("Elu")
def elu(features):
    """``x`` if ``x > 0`` else ``exp(x) - 1``.

    >>> import eagerkit as ek
    >>> ek.nn.elu([-100.0, 0.0, 2.0])
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([-1.,  0.,  2.], dtype=float32)>
    """
    check_dtype(features, "Elu", FLOAT)
    return jax.nn.elu(features)


@defop("Selu")
def selu(features):
    """Scaled ELU with TF's constants.

    >>> import eagerkit as ek
    >>> ek.nn.selu([0.0, 1.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.      , 1.050701], dtype=float32)>
    """
    check_dtype(features, "Selu", FLOAT)
    # TF takes the linear branch at 0 (SeluGrad: scale there); jax.nn.selu takes the exponential one.
    scale, alpha = 1.0507009873554805, 1.6732632423543772
    negative = features < 0
    safe = jnp.where(negative, features, jnp.zeros_like(features))
    return scale * jnp.where(negative, alpha * jnp.expm1(safe), features)


@defop("Gelu")
def gelu(features, approximate=False):
    """Gaussian error linear unit (exact erf form unless ``approximate``).

    >>> import eagerkit as ek
    >>> ek.nn.gelu([-100.0, 0.0, 100.0])
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([ -0.,   0., 100.], dtype=float32)>
    """
    check_dtype(features, "Gelu", FLOAT)
    return jax.nn.gelu(features, approximate=approximate)


@defop("LeakyRelu")
def leaky_relu(features, alpha=0.2):
    """``x`` if ``x > 0`` else ``alpha * x`` (TF's default alpha is 0.2; integers become float32).

    >>> import eagerkit as ek
    >>> ek.nn.leaky_relu([-2.0, 3.0], alpha=0.5)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([-1.,  3.], dtype=float32)>
    """
    if jnp.issubdtype(features.dtype, jnp.integer):
        features = features.astype(jnp.float32)
    check_dtype(features, "LeakyRelu", FLOAT)
    return jnp.where(features > 0, features, features * jnp.asarray(alpha, features.dtype))


@defop("Silu")
def silu(features, beta=1.0):
    """``x * sigmoid(beta * x)`` (a.k.a. swish).

    >>> import eagerkit as ek
    >>> ek.nn.silu([0.0, 100.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([  0., 100.], dtype=float32)>
    """
    check_dtype(features, "Silu", INEXACT)
    return features * jax.nn.sigmoid(beta * features)


swish = silu


@defop("Softmax")
def softmax(logits, axis=None):
    """``exp(x) / sum(exp(x))`` along ``axis`` (last by default).

    >>> import eagerkit as ek
    >>> ek.nn.softmax([0.0, 0.0]).numpy().tolist()
    [0.5, 0.5]
    """
    check_dtype(logits, "Softmax", FLOAT)
    return jax.nn.softmax(logits, axis=-1 if axis is None else int(axis))


@defop("LogSoftmax")
def log_softmax(logits, axis=None):
    """``x - logsumexp(x)`` along ``axis`` (last by default).

    >>> import eagerkit as ek
    >>> ek.nn.log_softmax([0.0, 0.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([-0.6931472, -0.6931472], dtype=float32)>
    """
    check_dtype(logits, "LogSoftmax", FLOAT)
    return jax.nn.log_softmax(logits, axis=-1 if axis is None else int(axis))


@defop("BiasAdd", same_dtype=True)
def bias_add(value, bias, data_format=None):
    """Adds a 1-D bias to the channel dimension (last, or 1 for NC* formats).

    >>> import eagerkit as ek
    >>> ek.nn.bias_add([[1.0, 2.0], [3.0, 4.0]], [10.0, 20.0])
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=
    array([[11., 22.],
           [13., 24.]], dtype=float32)>
    """
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


def _padding(padding: Any, n: int, op: str) -> Any:
    if isinstance(padding, str):
        p = padding.upper()
        if p not in ("SAME", "VALID"):
            raise InvalidArgumentError(
                None,
                op,
                f"Value for attr 'padding' of \"{padding}\" is not in the list of allowed values: "
                f'"SAME", "VALID", "EXPLICIT" [Op:{op}]. Pass "SAME", "VALID" or explicit [[before, after], ...] pads.',
            )
        return p
    pads = [tuple(int(v) for v in p) for p in padding]
    return pads[1:-1] if len(pads) == n + 2 else pads


def _dims(n: int) -> tuple[str, str, str]:
    sp = "DHW"[-n:]
    return "N" + sp + "C", sp + "IO", "N" + sp + "C"


def _check_format(data_format: Any, n: int, op: str) -> None:
    channels_last = "N" + "DHW"[-n:] + "C"
    if data_format is not None and data_format not in (channels_last, "NWC" if n == 1 else channels_last):
        raise InvalidArgumentError(
            None,
            op,
            f"{op}: only data_format={channels_last!r} (channels last) is supported, got {data_format!r}; "
            f"transpose the input to {channels_last} (XLA chooses its own memory layout). [Op:{op}]",
        )


def _conv(x: Any, kernel: Any, strides: Any, padding: Any, dilations: Any, n: int, op: str) -> Any:
    check_dtype(x, op, FLOAT + ("int32",))
    if x.ndim != n + 2:
        raise InvalidArgumentError(
            None,
            op,
            f"{op}: input must be rank {n + 2} (batch, spatial..., channels), got shape {list(x.shape)} [Op:{op}]",
        )
    if kernel.ndim != n + 2:
        raise InvalidArgumentError(
            None, op, f"{op}: filter must be rank {n + 2}, got shape {list(kernel.shape)} [Op:{op}]"
        )
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
        padding=_padding(padding, n, op),
        rhs_dilation=_tuple(dilations, n, "dilations"),
        dimension_numbers=_dims(n),
        feature_group_count=cin // kernel.shape[-2],
    )


@defop("Conv2D", same_dtype=True)
def conv2d(input, filters, strides=1, padding="VALID", data_format="NHWC", dilations=1):  # noqa: A002
    """2-D convolution of NHWC ``input`` with HWIO ``filters`` (grouped when input depth is a
    multiple of the filter's input depth); ``padding`` "SAME", "VALID" or explicit pairs.

    >>> import eagerkit as ek
    >>> ek.nn.conv2d(ek.ones([1, 3, 3, 1]), ek.ones([2, 2, 1, 1]), 1, "VALID").shape
    TensorShape([1, 2, 2, 1])
    """
    _check_format(data_format, 2, "Conv2D")
    return _conv(input, filters, strides, padding, dilations, 2, "Conv2D")


@defop("Conv1D", same_dtype=True)
def conv1d(input, filters, stride=1, padding="VALID", data_format="NWC", dilations=1):  # noqa: A002
    """1-D convolution of NWC ``input`` with WIO ``filters``.

    >>> import eagerkit as ek
    >>> x = ek.ones([1, 5, 1])  # [batch, width, channels]
    >>> k = ek.ones([3, 1, 2])  # [width, in_channels, out_channels]
    >>> ek.nn.conv1d(x, k, stride=1, padding="VALID").shape
    TensorShape([1, 3, 2])
    >>> ek.nn.conv1d(x, k, stride=1, padding="SAME")[0, :, 0]
    <tf.Tensor: shape=(5,), dtype=float32, numpy=array([2., 3., 3., 3., 2.], dtype=float32)>
    """
    _check_format(data_format, 1, "Conv1D")
    return _conv(input, filters, stride, padding, dilations, 1, "Conv1D")


@defop("Conv3D", same_dtype=True)
def conv3d(input, filters, strides=1, padding="VALID", data_format="NDHWC", dilations=1):  # noqa: A002
    """3-D convolution of NDHWC ``input`` with DHWIO ``filters``.

    >>> import eagerkit as ek
    >>> x = ek.ones([1, 4, 4, 4, 1])
    >>> k = ek.ones([2, 2, 2, 1, 3])
    >>> ek.nn.conv3d(x, k, strides=[1, 2, 2, 2, 1], padding="VALID").shape
    TensorShape([1, 2, 2, 2, 3])
    """
    _check_format(data_format, 3, "Conv3D")
    return _conv(input, filters, strides, padding, dilations, 3, "Conv3D")


def convolution(
    input: Any,  # noqa: A002
    filters: Any,
    strides: Any = None,
    padding: str = "VALID",
    data_format: str | None = None,
    dilations: Any = None,
    name: str | None = None,
) -> Tensor:
    """N-D convolution, dispatching on the rank of ``input`` (``tf.nn.convolution``).

    >>> import eagerkit as ek
    >>> x = ek.ones([1, 4, 4, 1])
    >>> k = ek.ones([3, 3, 1, 2])
    >>> ek.nn.convolution(x, k, padding="SAME").shape
    TensorShape([1, 4, 4, 2])
    """
    from eagerkit._src.core.convert import to_array

    n = to_array(input).ndim - 2
    if n not in (1, 2, 3):
        raise InvalidArgumentError(
            None, "Conv", f"convolution: input must be rank 3, 4 or 5, got rank {n + 2} [Op:Conv]"
        )
    op = {1: conv1d, 2: conv2d, 3: conv3d}[n]
    return op(
        input, filters, 1 if strides is None else strides, padding, data_format, 1 if dilations is None else dilations
    )


def _conv_transpose(
    x: Any, kernel: Any, output_shape: Any, strides: Any, padding: Any, dilations: Any, n: int, op: str
):
    """The gradient of the forward convolution with respect to its input (TF's definition)."""
    output_shape = tuple(int(d) for d in output_shape)
    if len(output_shape) != n + 2:
        raise InvalidArgumentError(
            None, op, f"{op}: output_shape must have {n + 2} elements, got {list(output_shape)} [Op:{op}]"
        )
    if kernel.ndim != n + 2 or kernel.shape[-1] != x.shape[-1] or kernel.shape[-2] != output_shape[-1]:
        raise InvalidArgumentError(
            None,
            op,
            f"{op}: filter {list(kernel.shape)} must be [spatial..., output_channels={output_shape[-1]}, "
            f"input_channels={x.shape[-1]}] for input {list(x.shape)} and output_shape {list(output_shape)} [Op:{op}]",
        )

    def forward(y):
        return _conv(y, kernel, strides, padding, dilations, n, op)

    expected = jax.eval_shape(forward, jax.ShapeDtypeStruct(output_shape, x.dtype)).shape
    if tuple(expected) != tuple(x.shape):
        raise InvalidArgumentError(
            None,
            op,
            f"{op}: a convolution of output_shape {list(output_shape)} with these strides/padding gives "
            f"{list(expected)}, but the input is {list(x.shape)}. Pick an output_shape that convolves back to "
            f"the input shape. [Op:{op}]",
        )
    _, pullback = jax.vjp(forward, jnp.zeros(output_shape, x.dtype))
    return pullback(x)[0]


@defop("Conv2DBackpropInput", tensors=("input", "filters"), same_dtype=True)
def conv2d_transpose(input, filters, output_shape, strides=1, padding="SAME", data_format="NHWC", dilations=1):  # noqa: A002
    """Transposed 2-D convolution (the gradient of conv2d with respect to its input); ``filters``
    are ``[h, w, out_channels, in_channels]``.

    >>> import eagerkit as ek
    >>> ek.nn.conv2d_transpose(ek.ones([1, 2, 2, 1]), ek.ones([2, 2, 3, 1]), [1, 4, 4, 3], 2).shape
    TensorShape([1, 4, 4, 3])
    """
    _check_format(data_format, 2, "Conv2DBackpropInput")
    return _conv_transpose(input, filters, output_shape, strides, padding, dilations, 2, "Conv2DBackpropInput")


@defop("Conv1DBackpropInput", tensors=("input", "filters"), same_dtype=True)
def conv1d_transpose(input, filters, output_shape, strides=1, padding="SAME", data_format="NWC", dilations=1):  # noqa: A002
    """Transposed 1-D convolution; ``filters`` are ``[w, out_channels, in_channels]``.

    >>> import eagerkit as ek
    >>> x = ek.ones([1, 3, 2])
    >>> k = ek.ones([2, 4, 2])  # [width, out_channels, in_channels]
    >>> ek.nn.conv1d_transpose(x, k, output_shape=[1, 6, 4], strides=2).shape
    TensorShape([1, 6, 4])
    """
    _check_format(data_format, 1, "Conv1DBackpropInput")
    return _conv_transpose(input, filters, output_shape, strides, padding, dilations, 1, "Conv1DBackpropInput")


@defop("Conv3DBackpropInputV2", tensors=("input", "filters"), same_dtype=True)
def conv3d_transpose(input, filters, output_shape, strides=1, padding="SAME", data_format="NDHWC", dilations=1):  # noqa: A002
    """Transposed 3-D convolution; ``filters`` are ``[d, h, w, out_channels, in_channels]``.

    >>> import eagerkit as ek
    >>> x = ek.ones([1, 2, 2, 2, 1])
    >>> k = ek.ones([2, 2, 2, 3, 1])  # [depth, height, width, out_channels, in_channels]
    >>> ek.nn.conv3d_transpose(x, k, output_shape=[1, 4, 4, 4, 3], strides=2).shape
    TensorShape([1, 4, 4, 4, 3])
    """
    _check_format(data_format, 3, "Conv3DBackpropInputV2")
    return _conv_transpose(input, filters, output_shape, strides, padding, dilations, 3, "Conv3DBackpropInputV2")


@defop("DepthwiseConv2dNative", same_dtype=True)
def depthwise_conv2d(input, filter, strides=(1, 1, 1, 1), padding="VALID", data_format="NHWC", dilations=None):  # noqa: A002
    """Depthwise convolution: ``filter`` is ``[h, w, in_channels, multiplier]``; output channel
    ``c * multiplier + m`` convolves input channel ``c`` with ``filter[:, :, c, m]``.

    >>> import eagerkit as ek
    >>> x = ek.ones([1, 3, 3, 2])
    >>> k = ek.ones([2, 2, 2, 1])  # [height, width, in_channels, channel_multiplier]
    >>> ek.nn.depthwise_conv2d(x, k, strides=[1, 1, 1, 1], padding="VALID")[0, 0, 0]
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([4., 4.], dtype=float32)>
    """
    _check_format(data_format, 2, "DepthwiseConv2dNative")
    check_dtype(input, "DepthwiseConv2dNative", FLOAT)
    if input.ndim != 4 or filter.ndim != 4 or filter.shape[2] != input.shape[-1]:
        raise InvalidArgumentError(
            None,
            "DepthwiseConv2dNative",
            f"depthwise_conv2d: input must be [batch, h, w, in_channels] and filter [h, w, in_channels, "
            f"multiplier] with matching in_channels, got {list(input.shape)} and {list(filter.shape)} "
            "[Op:DepthwiseConv2dNative]",
        )
    h, w, cin, mult = filter.shape
    kernel = filter.reshape(h, w, 1, cin * mult)
    return jax.lax.conv_general_dilated(
        input,
        kernel,
        window_strides=_tuple(strides, 2, "strides"),
        padding=_padding(padding, 2, "DepthwiseConv2dNative"),
        rhs_dilation=_tuple(dilations or 1, 2, "dilations"),
        dimension_numbers=("NHWC", "HWIO", "NHWC"),
        feature_group_count=cin,
    )


def _pool(x: Any, ksize: Any, strides: Any, padding: Any, n: int, kind: str, op: str) -> Any:
    check_dtype(x, op, REAL if kind == "max" else FLOAT)
    if x.ndim != n + 2:
        raise InvalidArgumentError(
            None,
            op,
            f"{op}: input must be rank {n + 2} (batch, {n} spatial dimensions, channels), got shape "
            f"{list(x.shape)} [Op:{op}]",
        )
    window = (1,) + _tuple(ksize, n, "ksize") + (1,)
    stride = (1,) + _tuple(strides, n, "strides") + (1,)
    pad = _padding(padding, n, op)
    if not isinstance(pad, str):
        pad = [(0, 0)] + list(pad) + [(0, 0)]
    # Python-scalar init values: JAX then recognises the max/add monoid and can differentiate the window.
    if kind == "max":
        init = -float("inf") if jnp.issubdtype(x.dtype, jnp.floating) else np.asarray(jnp.iinfo(x.dtype).min, x.dtype)
        return jax.lax.reduce_window(x, init, jax.lax.max, window, stride, pad)
    total = jax.lax.reduce_window(x, 0.0, jax.lax.add, window, stride, pad)
    if pad == "VALID":
        return total / jnp.asarray(float(np.prod(window)), x.dtype)
    ones = jnp.ones((1,) + x.shape[1:-1] + (1,), x.dtype)
    count = jax.lax.reduce_window(ones, 0.0, jax.lax.add, window, stride, pad)
    return total / count  # TF's SAME average pooling excludes the padding


@defop("MaxPool", tensors=("input",))
def max_pool2d(input, ksize, strides, padding, data_format="NHWC"):  # noqa: A002
    """2-D max pooling over NHWC input.

    >>> import eagerkit as ek
    >>> ek.nn.max_pool2d(ek.reshape(ek.range(16.0), [1, 4, 4, 1]), 2, 2, "VALID")[0, :, :, 0].numpy().tolist()
    [[5.0, 7.0], [13.0, 15.0]]
    """
    _check_format(data_format, 2, "MaxPool")
    return _pool(input, ksize, strides, padding, 2, "max", "MaxPool")


@defop("AvgPool", tensors=("input",))
def avg_pool2d(input, ksize, strides, padding, data_format="NHWC"):  # noqa: A002
    """2-D average pooling over NHWC input (SAME padding averages only real elements).

    >>> import eagerkit as ek
    >>> x = ek.reshape(ek.range(16.0), [1, 4, 4, 1])
    >>> ek.nn.avg_pool2d(x, ksize=2, strides=2, padding="VALID").shape
    TensorShape([1, 2, 2, 1])
    """
    _check_format(data_format, 2, "AvgPool")
    return _pool(input, ksize, strides, padding, 2, "avg", "AvgPool")


@defop("MaxPool1D", tensors=("input",))
def max_pool1d(input, ksize, strides, padding, data_format="NWC"):  # noqa: A002
    """1-D max pooling over NWC input.

    >>> import eagerkit as ek
    >>> x = ek.reshape([1.0, 3.0, 2.0, 5.0], [1, 4, 1])
    >>> ek.nn.max_pool1d(x, ksize=2, strides=2, padding="VALID")[0, :, 0]
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 5.], dtype=float32)>
    """
    _check_format(data_format, 1, "MaxPool1D")
    return _pool(input, ksize, strides, padding, 1, "max", "MaxPool1D")


@defop("AvgPool1D", tensors=("input",))
def avg_pool1d(input, ksize, strides, padding, data_format="NWC"):  # noqa: A002
    """1-D average pooling over NWC input.

    >>> import eagerkit as ek
    >>> x = ek.reshape([1.0, 3.0, 2.0, 5.0], [1, 4, 1])
    >>> ek.nn.avg_pool1d(x, ksize=2, strides=2, padding="VALID")[0, :, 0]
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([2. , 3.5], dtype=float32)>
    """
    _check_format(data_format, 1, "AvgPool1D")
    return _pool(input, ksize, strides, padding, 1, "avg", "AvgPool1D")


@defop("MaxPool3D", tensors=("input",))
def max_pool3d(input, ksize, strides, padding, data_format="NDHWC"):  # noqa: A002
    """3-D max pooling over NDHWC input.

    >>> import eagerkit as ek
    >>> ek.nn.max_pool3d(ek.ones([1, 4, 4, 4, 2]), ksize=2, strides=2, padding="VALID").shape
    TensorShape([1, 2, 2, 2, 2])
    """
    _check_format(data_format, 3, "MaxPool3D")
    return _pool(input, ksize, strides, padding, 3, "max", "MaxPool3D")


@defop("AvgPool3D", tensors=("input",))
def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC"):  # noqa: A002
    """3-D average pooling over NDHWC input.

    >>> import eagerkit as ek
    >>> ek.nn.avg_pool3d(ek.ones([1, 4, 4, 4, 2]), ksize=2, strides=2, padding="SAME").shape
    TensorShape([1, 2, 2, 2, 2])
    """
    _check_format(data_format, 3, "AvgPool3D")
    return _pool(input, ksize, strides, padding, 3, "avg", "AvgPool3D")


def max_pool(
    input: Any,  # noqa: A002
    ksize: Any,
    strides: Any,
    padding: str,
    data_format: str | None = None,
    name: str | None = None,
) -> Tensor:
    """Max pooling dispatching on the rank of ``input`` (``tf.nn.max_pool``).

    >>> import eagerkit as ek
    >>> x = ek.reshape(ek.range(16.0), [1, 4, 4, 1])
    >>> ek.nn.max_pool(x, ksize=2, strides=2, padding="VALID")[0, :, :, 0]
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)>
    """
    return _pool_dispatch(input, ksize, strides, padding, data_format, (max_pool1d, max_pool2d, max_pool3d))


def avg_pool(
    input: Any,  # noqa: A002
    ksize: Any,
    strides: Any,
    padding: str,
    data_format: str | None = None,
    name: str | None = None,
) -> Tensor:
    """Average pooling dispatching on the rank of ``input`` (``tf.nn.avg_pool``).

    >>> import eagerkit as ek
    >>> x = ek.reshape(ek.range(16.0), [1, 4, 4, 1])
    >>> ek.nn.avg_pool(x, ksize=2, strides=2, padding="VALID")[0, :, :, 0]
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=
    array([[ 2.5,  4.5],
           [10.5, 12.5]], dtype=float32)>
    """
    return _pool_dispatch(input, ksize, strides, padding, data_format, (avg_pool1d, avg_pool2d, avg_pool3d))


def _pool_dispatch(x: Any, ksize: Any, strides: Any, padding: Any, data_format: Any, ops: tuple) -> Tensor:
    from eagerkit._src.core.convert import to_array

    n = to_array(x).ndim - 2
    if n not in (1, 2, 3):
        raise InvalidArgumentError(None, "Pool", f"pooling input must be rank 3, 4 or 5, got rank {n + 2} [Op:Pool]")
    op = ops[n - 1]
    return op(x, ksize, strides, padding, *([] if data_format is None else [data_format]))


# -- losses ---------------------------------------------------------------------------------------
@defop("SparseSoftmaxCrossEntropyWithLogits", jit=False)
def sparse_softmax_cross_entropy_with_logits(labels, logits):
    """Per-example ``-log softmax(logits)[label]``; labels out of ``[0, classes)`` raise eagerly.

    >>> import eagerkit as ek
    >>> round(float(ek.nn.sparse_softmax_cross_entropy_with_logits([0], [[0.0, 0.0]])[0]), 4)
    0.6931
    """
    check_dtype(logits, "SparseSoftmaxCrossEntropyWithLogits", FLOAT)
    check_dtype(labels, "SparseSoftmaxCrossEntropyWithLogits", ("int32", "int64"))
    if labels.shape != logits.shape[:-1]:
        raise InvalidArgumentError(
            None,
            "SparseSoftmaxCrossEntropyWithLogits",
            "`labels.shape` must equal `logits.shape` except for the last dimension. Received: "
            f"labels.shape={tuple(labels.shape)} and logits.shape={tuple(logits.shape)}",
        )
    if not context.is_symbolic(labels):
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


@defop("SoftmaxCrossEntropyWithLogits")
def softmax_cross_entropy_with_logits(labels, logits, axis=-1):
    """Per-example ``-sum(labels * log softmax(logits))`` along ``axis``; labels are cast to the
    logits' dtype, as in TF.

    >>> import eagerkit as ek
    >>> round(float(ek.nn.softmax_cross_entropy_with_logits([[0.0, 1.0]], [[0.0, 0.0]])[0]), 4)
    0.6931
    """
    check_dtype(logits, "SoftmaxCrossEntropyWithLogits", FLOAT)
    try:
        np.broadcast_shapes(labels.shape, logits.shape)
    except ValueError:
        raise InvalidArgumentError(
            None,
            "SoftmaxCrossEntropyWithLogits",
            f"logits and labels must be broadcastable: logits_size=[{','.join(map(str, logits.shape))}] "
            f"labels_size=[{','.join(map(str, labels.shape))}] [Op:SoftmaxCrossEntropyWithLogits]",
        ) from None
    labels = labels.astype(logits.dtype)
    return -jnp.sum(labels * jax.nn.log_softmax(logits, axis=axis), axis=axis)


def _same_shape(labels: Any, logits: Any) -> None:
    if labels.shape != logits.shape:
        raise ValueError(
            "`logits` and `labels` must have the same shape, received "
            f"({tuple(logits.shape)} vs {tuple(labels.shape)})."
        )


@defop("SigmoidCrossEntropyWithLogits", same_dtype=True)
def sigmoid_cross_entropy_with_logits(labels, logits):
    """Elementwise ``max(x, 0) - x * z + log(1 + exp(-abs(x)))`` (stable logistic loss).

    >>> import eagerkit as ek
    >>> round(float(ek.nn.sigmoid_cross_entropy_with_logits([1.0], [0.0])[0]), 4)
    0.6931
    """
    check_dtype(logits, "SigmoidCrossEntropyWithLogits", FLOAT)
    _same_shape(labels, logits)
    x, z = logits, labels
    return jnp.maximum(x, 0) - x * z + jnp.log1p(jnp.exp(-jnp.abs(x)))


@defop("WeightedCrossEntropyWithLogits", same_dtype=True)
def weighted_cross_entropy_with_logits(labels, logits, pos_weight):
    """Logistic loss with positive examples weighted by ``pos_weight``.

    >>> import eagerkit as ek
    >>> ek.nn.weighted_cross_entropy_with_logits(labels=[1.0, 0.0], logits=[0.0, 0.0], pos_weight=2.0)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1.3862944, 0.6931472], dtype=float32)>
    """
    check_dtype(logits, "WeightedCrossEntropyWithLogits", FLOAT)
    _same_shape(labels, logits)
    x, z = logits, labels
    log_weight = 1 + (pos_weight - 1) * z
    return (1 - z) * x + log_weight * (jnp.log1p(jnp.exp(-jnp.abs(x))) + jnp.maximum(-x, 0))


@defop("L2Loss")
def l2_loss(t):
    """``sum(t ** 2) / 2``.

    >>> import eagerkit as ek
    >>> ek.nn.l2_loss([1.0, 2.0, 3.0])  # sum(x ** 2) / 2
    <tf.Tensor: shape=(), dtype=float32, numpy=7.0>
    """
    check_dtype(t, "L2Loss", FLOAT)
    return jnp.sum(t * t) / 2


def embedding_lookup(params: Any, ids: Any, max_norm: float | None = None, name: str | None = None) -> Tensor:
    """Rows of ``params`` at ``ids`` (``tf.nn.embedding_lookup``). A list of shards is read as
    one table split into contiguous row ranges (TF's "div" strategy); ``max_norm`` clips each
    looked-up row to that L2 norm.

    >>> import eagerkit as ek
    >>> ek.nn.embedding_lookup(ek.constant([[1.0, 2.0], [3.0, 4.0]]), [1, 0]).numpy().tolist()
    [[3.0, 4.0], [1.0, 2.0]]
    """
    from eagerkit._src.ops import array_ops

    if isinstance(params, (list, tuple)):
        if not params:
            raise ValueError("embedding_lookup: params must be a tensor or a non-empty list of shards.")
        params = params[0] if len(params) == 1 else array_ops.concat(list(params), 0)
    rows = array_ops.gather(params, ids)
    if max_norm is not None:
        rows = _clip_rows(rows, max_norm=float(max_norm))
    return rows


@defop("ClipRows")
def _clip_rows(rows, max_norm):
    axes = tuple(range(1, rows.ndim))
    sq = jnp.sum(rows * rows, axis=axes, keepdims=True) if axes else rows * rows
    norm = jnp.sqrt(jnp.where(sq > 0, sq, 1))
    return jnp.where(norm > max_norm, rows * (max_norm / norm), rows)


# -- normalisation and statistics ---------------------------------------------------------------
@defop("Moments", tensors=("x",))
def moments(x, axes, shift=None, keepdims=False):
    """(mean, variance) over ``axes``; integer inputs give truncated integer statistics, as in TF.

    >>> import eagerkit as ek
    >>> m, v = ek.nn.moments(ek.constant([1.0, 2.0, 3.0, 6.0]), axes=[0])
    >>> float(m), float(v)
    (3.0, 3.5)
    """
    check_dtype(x, "Moments", REAL)
    axes = norm_axis(axes)
    if jnp.issubdtype(x.dtype, jnp.integer):
        count = x.size // max(jnp.sum(x, axis=axes, keepdims=True).size, 1) if x.size else 1

        def int_mean(v):
            total = jnp.sum(v, axis=axes, keepdims=True, dtype=jnp.int64)
            return (total // count + ((total % count != 0) & (total < 0))).astype(x.dtype)

        mean = int_mean(x)
        var = int_mean(jnp.square(x - mean))
    else:
        compute = jnp.float32 if x.dtype in (jnp.float16, jnp.bfloat16) else x.dtype
        xc = x.astype(compute)
        mean = jnp.mean(xc, axis=axes, keepdims=True)
        var = jnp.mean(jnp.square(xc - jax.lax.stop_gradient(mean)), axis=axes, keepdims=True)
        mean, var = mean.astype(x.dtype), var.astype(x.dtype)
    if not keepdims:
        mean, var = jnp.squeeze(mean, axes), jnp.squeeze(var, axes)
    return [mean, var]


@defop("BatchNormalization", tensors=("x", "mean", "variance", "offset", "scale"))
def batch_normalization(x, mean, variance, offset, scale, variance_epsilon):
    """``(x - mean) * scale / sqrt(variance + eps) + offset`` (offset/scale may be None).

    >>> import eagerkit as ek
    >>> ek.nn.batch_normalization(ek.constant([1.0, 3.0]), 2.0, 1.0, None, None, 0.0).numpy().tolist()
    [-1.0, 1.0]
    """
    check_dtype(x, "BatchNormalization", FLOAT)
    inv = jax.lax.rsqrt(variance + variance_epsilon)
    if scale is not None:
        inv = inv * scale
    out = x * inv.astype(x.dtype) - (mean * inv).astype(x.dtype)
    return out + offset.astype(x.dtype) if offset is not None else out


@defop("Dropout", tensors=("x", "mask"))
def _apply_dropout(x, mask, rate):
    return jnp.where(mask, x / (1.0 - rate), jnp.zeros((), x.dtype)).astype(x.dtype)


def dropout(x: Any, rate: float, noise_shape: Any = None, seed: int | None = None, name: str | None = None) -> Tensor:
    """Zeroes elements with probability ``rate`` and scales the rest by ``1 / (1 - rate)``;
    ``noise_shape`` (broadcastable to ``x``'s shape, ``None`` dims taken from ``x``) shares one
    keep/drop decision along dimensions of size 1.

    >>> import eagerkit as ek
    >>> ek.nn.dropout(ek.ones([3]), 0.0).numpy().tolist()
    [1.0, 1.0, 1.0]
    """
    from eagerkit._src.core.convert import to_array
    from eagerkit._src.ops.array_ops import identity
    from eagerkit._src.ops.math_ops import greater_equal

    rate = float(rate)
    if not 0 <= rate < 1:
        raise ValueError(f"rate must be a scalar tensor or a float in the range [0, 1), got {rate}")
    x_shape = tuple(to_array(x).shape)
    if not jnp.issubdtype(to_array(x).dtype, jnp.floating):
        raise ValueError(
            "`x.dtype` must be a floating point tensor as `x` will be scaled. "
            f"Received: x_dtype={_dtypes.from_numpy(to_array(x).dtype)!r}"
        )
    if noise_shape is None:
        shape = x_shape
    else:
        dims = list(noise_shape.as_list() if hasattr(noise_shape, "as_list") else noise_shape)
        if len(dims) != len(x_shape):
            raise InvalidArgumentError(
                None, "Dropout", f"noise_shape {dims} must have the rank of x, shape {list(x_shape)} [Op:Dropout]"
            )
        shape = tuple(xd if d is None else int(d) for d, xd in zip(dims, x_shape))
        if any(d not in (1, xd) for d, xd in zip(shape, x_shape)):
            raise InvalidArgumentError(
                None,
                "Dropout",
                f"noise_shape {list(shape)} is not broadcastable to x shape {list(x_shape)} [Op:Dropout]",
            )
    if rate == 0:
        return identity(x)
    keep = random_ops.uniform(shape, dtype=_dtypes.float32, seed=seed)
    return _apply_dropout(x, greater_equal(keep, rate), rate=rate)


@defop("InTopKV2")
def in_top_k(targets, predictions, k):
    """Whether each target is among the top ``k`` predictions of its row.

    >>> import eagerkit as ek
    >>> ek.math.in_top_k(targets=[2, 0], predictions=[[0.1, 0.3, 0.6], [0.5, 0.4, 0.1]], k=1)
    <tf.Tensor: shape=(2,), dtype=bool, numpy=array([ True,  True])>
    """
    target_score = jnp.take_along_axis(predictions, targets[:, None].astype(jnp.int32), axis=1)
    return jnp.sum(predictions > target_score, axis=1) < k


def top_k(input: Any, k: int = 1, sorted: bool = True, index_type: Any = _dtypes.int32, name: str | None = None) -> Any:  # noqa: A002
    """``ek.math.top_k``: the k largest entries of the last axis and their indices.

    >>> import eagerkit as ek
    >>> values, indices = ek.nn.top_k([[1.0, 5.0, 3.0]], k=2)
    >>> values
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[5., 3.]], dtype=float32)>
    >>> indices
    <tf.Tensor: shape=(1, 2), dtype=int32, numpy=array([[1, 2]], dtype=int32)>
    """
    from eagerkit._src.ops.array_ops import top_k as _top_k

    return _top_k(input, k=k, sorted=sorted, index_type=index_type)
