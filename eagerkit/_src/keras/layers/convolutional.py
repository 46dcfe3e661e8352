"""Convolution layers: Conv1D/2D/3D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D.

Kernels are laid out as TF's (spatial..., in, out); inputs are channels-last unless
``data_format='channels_first'`` (then they are transposed around the op).

>>> import eagerkit as ek
>>> conv = ek.keras.layers.Conv2D(16, [3, 3], activation="relu")
>>> conv(ek.zeros([1, 28, 28, 1])).shape
TensorShape([1, 26, 26, 16])
>>> conv.kernel.shape
TensorShape([3, 3, 1, 16])
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.keras import activations, constraints, initializers, regularizers
from eagerkit._src.keras.engine import backend_config
from eagerkit._src.keras.engine.input_spec import InputSpec
from eagerkit._src.keras.engine.layer import Layer
from eagerkit._src.keras.layers.kernel_bias import KernelBiasOptions
from eagerkit._src.ops import array_ops, nn_ops


def normalize_tuple(value: Any, n: int, name: str, allow_zero: bool = False) -> tuple[int, ...]:
    """``3`` -> ``(3, 3)``; validates a tuple of ``n`` positive (or non-negative) ints."""
    if isinstance(value, int):
        out = (value,) * n
    else:
        try:
            out = tuple(int(v) for v in value)
        except TypeError:
            raise ValueError(
                f"The `{name}` argument must be a tuple of {n} integers. Received: {name}={value!r}"
            ) from None
        if len(out) != n:
            raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {name}={value!r}")
    low = 0 if allow_zero else 1
    if any(v < low for v in out):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"The `{name}` argument must be a tuple of {kind} integers. Received: {name}={value!r}")
    return out


def to_channels_last(x: Tensor, data_format: str) -> Tensor:
    if data_format == "channels_last":
        return x
    rank = x.shape.rank
    return array_ops.transpose(x, [0] + list(range(2, rank)) + [1])


def to_channels_first(x: Tensor, data_format: str) -> Tensor:
    if data_format == "channels_last":
        return x
    rank = x.shape.rank
    return array_ops.transpose(x, [0, rank - 1] + list(range(1, rank - 1)))


def _channel_axis(data_format: str) -> int:
    return -1 if data_format == "channels_last" else 1


class _ConvBase(KernelBiasOptions, Layer):
    """Shared arguments, weights and validation of the convolution layers."""

    rank: int = 2
    _allowed_padding = ("valid", "same")

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        groups: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = type(self).__name__
        if filters is not None and (not isinstance(filters, int) or filters <= 0):
            raise ValueError(
                f"Invalid value for argument `filters` of {cls}: expected a positive integer, got {filters!r}."
            )
        self.filters = filters
        self.groups = int(groups)
        if self.groups <= 0 or (filters is not None and filters % self.groups):
            raise ValueError(
                f"The number of filters must be evenly divisible by the number of groups. Received: groups={groups}, "
                f"filters={filters}."
            )
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        self.padding = str(padding).lower()
        if self.padding not in self._allowed_padding:
            raise ValueError(f"Invalid `padding` for {cls}: {padding!r}. Expected one of {self._allowed_padding}.")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{cls}: `strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        self.data_format = backend_config.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self._set_kernel_bias_options(
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            kernel_constraint,
            bias_constraint,
        )
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _input_channels(self, input_shape: TensorShape) -> int:
        channels = input_shape[_channel_axis(self.data_format)]
        if channels is None:
            raise ValueError(
                f"The channel dimension of the inputs to {type(self).__name__} {self.name!r} should be defined. "
                f"Found None. Full input shape received: {input_shape}"
            )
        return channels

    def _add_bias(self, shape: tuple[int, ...]) -> None:
        self.bias = self._bias_weight(shape) if self.use_bias else None

    def _finish(self, out: Tensor) -> Tensor:
        if self.bias is not None:
            out = nn_ops.bias_add(out, self.bias)
        out = to_channels_first(out, self.data_format)
        if self.activation is not activations.linear:
            out = self.activation(out)
        return out

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **self._kernel_bias_config(self.activity_regularizer),
        }


class _Conv(_ConvBase):
    def build(self, input_shape: TensorShape) -> None:
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ValueError(
                f"The number of input channels must be evenly divisible by the number of groups. Received "
                f"groups={self.groups}, but the input has {channels} channels (full input shape is {input_shape})."
            )
        self.kernel = self._kernel_weight("kernel", self.kernel_size + (channels // self.groups, self.filters))
        self._add_bias((self.filters,))
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={_channel_axis(self.data_format): channels})

    def _convolve(self, x: Tensor) -> Tensor:
        padding = self.padding.upper()
        if self.rank == 1:
            if self.padding == "causal":
                left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
                x = array_ops.pad(x, [[0, 0], [left, 0], [0, 0]])
                padding = "VALID"
            return nn_ops.conv1d(x, self.kernel, stride=self.strides, padding=padding, dilations=self.dilation_rate)
        if self.rank == 2:
            return nn_ops.conv2d(x, self.kernel, strides=self.strides, padding=padding, dilations=self.dilation_rate)
        return nn_ops.conv3d(x, self.kernel, strides=self.strides, padding=padding, dilations=self.dilation_rate)

    def call(self, inputs: Tensor) -> Tensor:
        x = to_channels_last(inputs, self.data_format)
        return self._finish(self._convolve(x))


class Conv1D(_Conv):
    """1-D convolution over ``(batch, steps, channels)``; ``padding`` may also be ``'causal'``.

    >>> import eagerkit as ek
    >>> ek.keras.layers.Conv1D(4, 3, padding="causal")(ek.zeros([2, 5, 3])).shape
    TensorShape([2, 5, 4])
    """

    rank = 1
    _allowed_padding = ("valid", "same", "causal")


class Conv2D(_Conv):
    """2-D convolution over ``(batch, height, width, channels)`` with an HWIO kernel.

    Args:
      filters: number of output channels.
      kernel_size: int or (height, width).
      strides: int or (sh, sw) (default 1).
      padding: ``'valid'`` (no padding) or ``'same'``.
      data_format: ``'channels_last'`` (default) or ``'channels_first'``.
      dilation_rate: int or pair (cannot be combined with strides > 1).
      groups: split the input channels into this many groups (grouped convolution).
      activation, use_bias, *_initializer, *_regularizer, *_constraint: as in Dense.

    >>> import eagerkit as ek
    >>> conv = ek.keras.layers.Conv2D(8, 3, padding="same", activation="relu")
    >>> conv(ek.ones([2, 28, 28, 1])).shape
    TensorShape([2, 28, 28, 8])
    >>> conv.kernel.shape, conv.bias.shape
    (TensorShape([3, 3, 1, 8]), TensorShape([8]))
    >>> ek.keras.layers.Conv2D(4, (3, 3), strides=2)(ek.ones([1, 9, 9, 3])).shape
    TensorShape([1, 4, 4, 4])
    """

    rank = 2


class Conv3D(_Conv):
    """3-D convolution over ``(batch, depth, height, width, channels)``.

    >>> import eagerkit as ek
    >>> ek.keras.layers.Conv3D(2, 2)(ek.zeros([1, 3, 3, 3, 1])).shape
    TensorShape([1, 2, 2, 2, 2])
    """

    rank = 3


def deconv_output_length(
    input_length: int | None, filter_size: int, padding: str, output_padding: int | None, stride: int, dilation: int
) -> int | None:
    """Output size of a transposed convolution (Keras' formula)."""
    if input_length is None:
        return None
    filter_size = filter_size + (filter_size - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return input_length * stride + max(filter_size - stride, 0)
        return input_length * stride
    pad = filter_size // 2 if padding == "same" else 0
    return (input_length - 1) * stride + filter_size - 2 * pad + output_padding


class Conv2DTranspose(_ConvBase):
    """Transposed 2-D convolution (the gradient of Conv2D), e.g. to upsample feature maps.

    The kernel is ``(kh, kw, filters, in_channels)`` as in TF.

    Args:
      output_padding: extra size added to one side of each spatial output dimension
        (must be smaller than the stride).
      (other arguments as in Conv2D; ``groups`` is not supported, as in TF)

    >>> import eagerkit as ek
    >>> ek.keras.layers.Conv2DTranspose(3, 2, strides=2)(ek.zeros([1, 4, 4, 8])).shape
    TensorShape([1, 8, 8, 3])
    """

    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = (1, 1),
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = normalize_tuple(output_padding, 2, "output_padding", allow_zero=True)
            for stride, pad in zip(self.strides, self.output_padding):
                if pad >= stride:
                    raise ValueError(
                        f"Strides {self.strides} must be greater than output padding {self.output_padding} "
                        f"in Conv2DTranspose {self.name!r}."
                    )
        self.input_spec = InputSpec(ndim=4)

    def build(self, input_shape: TensorShape) -> None:
        channels = self._input_channels(input_shape)
        self.kernel = self._kernel_weight("kernel", self.kernel_size + (self.filters, channels))
        self._add_bias((self.filters,))
        self.input_spec = InputSpec(ndim=4, axes={_channel_axis(self.data_format): channels})

    def call(self, inputs: Tensor) -> Tensor:
        x = to_channels_last(inputs, self.data_format)
        batch, height, width, _ = x.shape.as_list()
        out_pad = self.output_padding or (None, None)
        out_h = deconv_output_length(
            height, self.kernel_size[0], self.padding, out_pad[0], self.strides[0], self.dilation_rate[0]
        )
        out_w = deconv_output_length(
            width, self.kernel_size[1], self.padding, out_pad[1], self.strides[1], self.dilation_rate[1]
        )
        out = nn_ops.conv2d_transpose(
            x,
            self.kernel,
            output_shape=(batch, out_h, out_w, self.filters),
            strides=self.strides,
            padding=self.padding.upper(),
            dilations=self.dilation_rate,
        )
        return self._finish(out)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("groups")
        config["output_padding"] = self.output_padding
        return config


class DepthwiseConv2D(_ConvBase):
    """Depthwise 2-D convolution: each input channel is convolved with its own
    ``depth_multiplier`` filters; kernel ``(kh, kw, in_channels, depth_multiplier)``.

    >>> import eagerkit as ek
    >>> ek.keras.layers.DepthwiseConv2D(3, depth_multiplier=2)(ek.zeros([1, 5, 5, 3])).shape
    TensorShape([1, 3, 3, 6])
    """

    rank = 2

    def __init__(self, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid", depth_multiplier: int = 1,
                 data_format: str | None = None, dilation_rate: Any = (1, 1), activation: Any = None,
                 use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 depthwise_constraint: Any = None, bias_constraint: Any = None, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(
            None,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=depthwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        if not isinstance(depth_multiplier, int) or depth_multiplier <= 0:
            raise ValueError(f"`depth_multiplier` must be a positive integer, got {depth_multiplier!r}.")
        self.depth_multiplier = depth_multiplier

    def build(self, input_shape: TensorShape) -> None:
        channels = self._input_channels(input_shape)
        self.kernel = self._kernel_weight("kernel", self.kernel_size + (channels, self.depth_multiplier))
        self._add_bias((channels * self.depth_multiplier,))
        self.input_spec = InputSpec(ndim=4, axes={_channel_axis(self.data_format): channels})

    def call(self, inputs: Tensor) -> Tensor:
        x = to_channels_last(inputs, self.data_format)
        out = nn_ops.depthwise_conv2d(
            x,
            self.kernel,
            strides=(1,) + self.strides + (1,),
            padding=self.padding.upper(),
            dilations=self.dilation_rate,
        )
        return self._finish(out)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        for key in ("filters", "groups"):
            config.pop(key)
        config["depth_multiplier"] = self.depth_multiplier
        config["depthwise_initializer"] = config.pop("kernel_initializer")
        config["depthwise_regularizer"] = config.pop("kernel_regularizer")
        config["depthwise_constraint"] = config.pop("kernel_constraint")
        return config


class SeparableConv2D(_ConvBase):
    """Depthwise convolution followed by a 1x1 pointwise convolution to ``filters`` channels.

    Weights: ``depthwise_kernel`` ``(kh, kw, in, depth_multiplier)``, ``pointwise_kernel``
    ``(1, 1, in * depth_multiplier, filters)`` and ``bias``.

    >>> import eagerkit as ek
    >>> ek.keras.layers.SeparableConv2D(4, 3)(ek.zeros([1, 5, 5, 3])).shape
    TensorShape([1, 3, 3, 4])
    """

    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                 activation: Any = None, use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, pointwise_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, depthwise_constraint: Any = None, pointwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=depthwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        if not isinstance(depth_multiplier, int) or depth_multiplier <= 0:
            raise ValueError(f"`depth_multiplier` must be a positive integer, got {depth_multiplier!r}.")
        self.depth_multiplier = depth_multiplier
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape: TensorShape) -> None:
        channels = self._input_channels(input_shape)
        depthwise_shape = self.kernel_size + (channels, self.depth_multiplier)
        self.depthwise_kernel = self._kernel_weight("depthwise_kernel", depthwise_shape)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel",
            shape=(1, 1, channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
        )
        self._add_bias((self.filters,))
        self.input_spec = InputSpec(ndim=4, axes={_channel_axis(self.data_format): channels})

    def call(self, inputs: Tensor) -> Tensor:
        x = to_channels_last(inputs, self.data_format)
        depthwise = nn_ops.depthwise_conv2d(
            x,
            self.depthwise_kernel,
            strides=(1,) + self.strides + (1,),
            padding=self.padding.upper(),
            dilations=self.dilation_rate,
        )
        out = nn_ops.conv2d(depthwise, self.pointwise_kernel, strides=1, padding="VALID")
        return self._finish(out)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("groups")
        config["depth_multiplier"] = self.depth_multiplier
        config["depthwise_initializer"] = config.pop("kernel_initializer")
        config["depthwise_regularizer"] = config.pop("kernel_regularizer")
        config["depthwise_constraint"] = config.pop("kernel_constraint")
        config["pointwise_initializer"] = initializers.serialize(self.pointwise_initializer)
        config["pointwise_regularizer"] = regularizers.serialize(self.pointwise_regularizer)
        config["pointwise_constraint"] = constraints.serialize(self.pointwise_constraint)
        return config


Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
Convolution2DTranspose = Conv2DTranspose
