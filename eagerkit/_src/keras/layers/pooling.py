"""Pooling layers: Max/AveragePooling1D/2D/3D and GlobalMax/GlobalAveragePooling1D/2D/3D.

The window pooling runs through this module's own ``MaxPool``/``AvgPool`` ops:
``ek.nn.max_pool*``/``avg_pool*`` cannot be differentiated by the tape at the moment
(their reduce_window init value is an array, which JAX's autodiff rejects under jit).

>>> import eagerkit as ek
>>> x = ek.reshape(ek.range(16.0), [1, 4, 4, 1])
>>> ek.keras.layers.MaxPooling2D()(x).numpy().reshape(-1).tolist()
[5.0, 7.0, 13.0, 15.0]
>>> ek.keras.layers.GlobalAveragePooling2D()(x).numpy().tolist()
[[7.5]]
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.keras.engine import backend_config
from eagerkit._src.keras.engine.input_spec import InputSpec
from eagerkit._src.keras.engine.layer import Layer
from eagerkit._src.keras.layers.convolutional import normalize_tuple, to_channels_first, to_channels_last
from eagerkit._src.ops import array_ops, math_ops
from eagerkit._src.ops.op import defop


def _window_reduce(x: Any, ksize: tuple, strides: tuple, padding: str, kind: str) -> Any:
    window = (1,) + ksize + (1,)
    stride = (1,) + strides + (1,)
    if kind == "max":
        # A Python-scalar init value lets JAX pick its differentiable max-pool primitive.
        init = -float("inf") if jnp.issubdtype(x.dtype, jnp.floating) else int(jnp.iinfo(x.dtype).min)
        return jax.lax.reduce_window(x, init, jax.lax.max, window, stride, padding)
    total = jax.lax.reduce_window(x, 0.0, jax.lax.add, window, stride, padding)
    if padding == "VALID":
        return (total / math.prod(window)).astype(x.dtype)
    ones = jnp.ones((1,) + x.shape[1:-1] + (1,), x.dtype)
    count = jax.lax.reduce_window(ones, 0.0, jax.lax.add, window, stride, padding)
    return (total / count).astype(x.dtype)  # TF's SAME average pooling excludes the padding


@defop("MaxPool", tensors=("x",))
def max_pool(x, ksize, strides, padding):
    """Max pooling of a channels-last input over ``len(ksize)`` spatial dimensions."""
    return _window_reduce(x, ksize, strides, padding, "max")


@defop("AvgPool", tensors=("x",))
def avg_pool(x, ksize, strides, padding):
    """Average pooling of a channels-last input ('SAME' averages only real elements, as TF)."""
    if not jnp.issubdtype(x.dtype, jnp.floating):
        raise TypeError(f"AvgPool needs a floating input, got {x.dtype}.")
    return _window_reduce(x, ksize, strides, padding, "avg")


class _Pooling(Layer):
    rank: int = 2
    kind: str = "max"

    def __init__(
        self,
        pool_size: Any = 2,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, self.rank, "strides")
        self.padding = str(padding).lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"Invalid `padding` for {type(self).__name__}: {padding!r}. Expected 'valid' or 'same'.")
        self.data_format = backend_config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs: Tensor) -> Tensor:
        x = to_channels_last(inputs, self.data_format)
        op = max_pool if self.kind == "max" else avg_pool
        out = op(x, ksize=self.pool_size, strides=self.strides, padding=self.padding.upper())
        return to_channels_first(out, self.data_format)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
        }


class MaxPooling1D(_Pooling):
    """Max over windows of ``pool_size`` steps (default 2, stride = pool size).

    >>> import eagerkit as ek
    >>> x = ek.reshape([1.0, 3.0, 2.0, 5.0], [1, 4, 1])
    >>> ek.keras.layers.MaxPooling1D(pool_size=2)(x)[0, :, 0]
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 5.], dtype=float32)>
    """

    rank, kind = 1, "max"


class MaxPooling2D(_Pooling):
    """Max over ``pool_size`` windows (default (2, 2), strides = pool size, 'valid' padding).

    >>> import eagerkit as ek
    >>> x = ek.reshape(ek.range(16.0), [1, 4, 4, 1])
    >>> ek.keras.layers.MaxPooling2D(pool_size=(2, 2))(x)[0, :, :, 0]
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)>
    >>> ek.keras.layers.MaxPooling2D(2, strides=1, padding="same")(x).shape
    TensorShape([1, 4, 4, 1])
    """

    rank, kind = 2, "max"


class MaxPooling3D(_Pooling):
    """Max over 3-D windows.

    >>> import eagerkit as ek
    >>> ek.keras.layers.MaxPooling3D(pool_size=2)(ek.ones([1, 4, 4, 4, 3])).shape
    TensorShape([1, 2, 2, 2, 3])
    """

    rank, kind = 3, "max"


class AveragePooling1D(_Pooling):
    """Mean over windows of ``pool_size`` steps ('same' padding averages only real elements).

    >>> import eagerkit as ek
    >>> x = ek.reshape([1.0, 3.0, 2.0, 5.0], [1, 4, 1])
    >>> ek.keras.layers.AveragePooling1D(pool_size=2)(x)[0, :, 0]
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([2. , 3.5], dtype=float32)>
    """

    rank, kind = 1, "avg"


class AveragePooling2D(_Pooling):
    """Mean over ``pool_size`` windows ('same' padding averages only real elements).

    >>> import eagerkit as ek
    >>> ek.keras.layers.AveragePooling2D()(ek.ones([1, 4, 4, 2])).shape
    TensorShape([1, 2, 2, 2])
    """

    rank, kind = 2, "avg"


class AveragePooling3D(_Pooling):
    """Mean over 3-D windows.

    >>> import eagerkit as ek
    >>> ek.keras.layers.AveragePooling3D(pool_size=2)(ek.ones([1, 4, 4, 4, 3])).shape
    TensorShape([1, 2, 2, 2, 3])
    """

    rank, kind = 3, "avg"


class _GlobalPooling(Layer):
    rank: int = 2
    kind: str = "avg"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = backend_config.standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _axes(self) -> list[int]:
        if self.data_format == "channels_last":
            return list(range(1, self.rank + 1))
        return list(range(2, self.rank + 2))

    def call(self, inputs: Tensor) -> Tensor:
        reduce = math_ops.reduce_mean if self.kind == "avg" else math_ops.reduce_max
        return reduce(inputs, axis=self._axes(), keepdims=self.keepdims)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over the steps of ``(batch, steps, features)``; a ``mask`` excludes padded steps.

    >>> import eagerkit as ek
    >>> x = ek.constant([[[1.0], [3.0], [100.0]]])
    >>> ek.keras.layers.GlobalAveragePooling1D()(x, mask=ek.constant([[True, True, False]])).numpy().tolist()
    [[2.0]]
    """

    rank, kind = 1, "avg"
    supports_masking = True

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        if mask is None:
            return super().call(inputs)
        axis = 1 if self.data_format == "channels_last" else 2
        weights = math_ops.cast(mask, inputs.dtype)
        weights = array_ops.expand_dims(weights, -1 if self.data_format == "channels_last" else 1)
        total = math_ops.reduce_sum(math_ops.multiply(inputs, weights), axis=axis, keepdims=self.keepdims)
        count = math_ops.reduce_sum(weights, axis=axis, keepdims=self.keepdims)
        return math_ops.divide_no_nan(total, count)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over height and width: ``(batch, h, w, c)`` -> ``(batch, c)``.

    >>> import eagerkit as ek
    >>> x = ek.reshape(ek.range(8.0), [1, 2, 2, 2])
    >>> ek.keras.layers.GlobalAveragePooling2D()(x)
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[3., 4.]], dtype=float32)>
    >>> ek.keras.layers.GlobalAveragePooling2D(keepdims=True)(x).shape
    TensorShape([1, 1, 1, 2])
    """

    rank, kind = 2, "avg"


class GlobalAveragePooling3D(_GlobalPooling):
    """Mean over the three spatial dimensions.

    >>> import eagerkit as ek
    >>> ek.keras.layers.GlobalAveragePooling3D()(ek.ones([2, 3, 3, 3, 4])).shape
    TensorShape([2, 4])
    """

    rank, kind = 3, "avg"


class GlobalMaxPooling1D(_GlobalPooling):
    """Max over the steps of ``(batch, steps, features)``.

    >>> import eagerkit as ek
    >>> x = ek.reshape([1.0, 3.0, 2.0, 5.0], [1, 2, 2])
    >>> ek.keras.layers.GlobalMaxPooling1D()(x)
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[2., 5.]], dtype=float32)>
    """

    rank, kind = 1, "max"


class GlobalMaxPooling2D(_GlobalPooling):
    """Max over height and width.

    >>> import eagerkit as ek
    >>> x = ek.reshape(ek.range(8.0), [1, 2, 2, 2])
    >>> ek.keras.layers.GlobalMaxPooling2D()(x)
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[6., 7.]], dtype=float32)>
    """

    rank, kind = 2, "max"


class GlobalMaxPooling3D(_GlobalPooling):
    """Max over the three spatial dimensions.

    >>> import eagerkit as ek
    >>> ek.keras.layers.GlobalMaxPooling3D()(ek.ones([2, 3, 3, 3, 4])).shape
    TensorShape([2, 4])
    """

    rank, kind = 3, "max"


MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
)
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D
