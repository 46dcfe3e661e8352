"""Spatial reshaping layers: ZeroPadding2D and UpSampling2D.

>>> import eagerkit as ek
>>> ek.keras.layers.ZeroPadding2D(1)(ek.ones([1, 2, 2, 1])).shape
TensorShape([1, 4, 4, 1])
>>> ek.keras.layers.UpSampling2D(2)(ek.reshape(ek.range(4.0), [1, 2, 2, 1]))[0, :, :, 0].numpy().tolist()
[[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0], [2.0, 2.0, 3.0, 3.0], [2.0, 2.0, 3.0, 3.0]]
"""

from __future__ import annotations

from typing import Any

import jax

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.keras.engine import backend_config
from eagerkit._src.keras.engine.input_spec import InputSpec
from eagerkit._src.keras.engine.layer import Layer
from eagerkit._src.keras.layers.convolutional import normalize_tuple, to_channels_first, to_channels_last
from eagerkit._src.ops import array_ops
from eagerkit._src.ops.op import defop


@defop("ResizeBilinear", tensors=("images",))
def resize_bilinear(images, size):
    """Bilinear resize of NHWC images to ``size`` (half-pixel centers, like ``tf.image.resize``)."""
    batch, _, _, channels = images.shape
    out = jax.image.resize(images, (batch, size[0], size[1], channels), method="bilinear", antialias=False)
    return out.astype(images.dtype)


class ZeroPadding2D(Layer):
    """Pads rows and columns with zeros.

    Args:
      padding: int (same on all sides), ``(rows, cols)`` (symmetric), or
        ``((top, bottom), (left, right))``.
      data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    >>> import eagerkit as ek
    >>> ek.keras.layers.ZeroPadding2D(padding=1)(ek.ones([1, 2, 2, 1]))[0, :, :, 0]
    <tf.Tensor: shape=(4, 4), dtype=float32, numpy=
    array([[0., 0., 0., 0.],
           [0., 1., 1., 0.],
           [0., 1., 1., 0.],
           [0., 0., 0., 0.]], dtype=float32)>
    >>> ek.keras.layers.ZeroPadding2D(padding=((1, 0), (2, 0)))(ek.ones([1, 2, 2, 1])).shape
    TensorShape([1, 3, 4, 1])
    """

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = backend_config.standardize_data_format(data_format)
        if isinstance(padding, int):
            self.padding = ((padding, padding), (padding, padding))
        elif len(padding) == 2 and all(isinstance(p, int) for p in padding):
            self.padding = ((padding[0], padding[0]), (padding[1], padding[1]))
        elif len(padding) == 2:
            self.padding = (
                normalize_tuple(padding[0], 2, "padding[0]", allow_zero=True),
                normalize_tuple(padding[1], 2, "padding[1]", allow_zero=True),
            )
        else:
            raise ValueError(
                "`padding` should be either an int, a tuple of 2 ints (symmetric_height_pad, symmetric_width_pad), "
                "or a tuple of 2 tuples of 2 ints ((top_pad, bottom_pad), (left_pad, right_pad)). "
                f"Received: padding={padding!r}."
            )
        if any(p < 0 for pair in self.padding for p in pair):
            raise ValueError(f"ZeroPadding2D: padding must be non-negative, got {padding!r}.")
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs: Tensor) -> Tensor:
        x = to_channels_last(inputs, self.data_format)
        (top, bottom), (left, right) = self.padding
        out = array_ops.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]])
        return to_channels_first(out, self.data_format)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class UpSampling2D(Layer):
    """Repeats rows and columns ``size`` times (``'nearest'``) or resizes bilinearly.

    Args:
      size: int or ``(rows, cols)`` factors (default 2).
      data_format: ``'channels_last'`` (default) or ``'channels_first'``.
      interpolation: ``'nearest'`` or ``'bilinear'``.

    >>> import eagerkit as ek
    >>> x = ek.reshape([1.0, 2.0, 3.0, 4.0], [1, 2, 2, 1])
    >>> ek.keras.layers.UpSampling2D(size=2)(x)[0, :, :, 0]
    <tf.Tensor: shape=(4, 4), dtype=float32, numpy=
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.],
           [3., 3., 4., 4.],
           [3., 3., 4., 4.]], dtype=float32)>
    """

    def __init__(
        self, size: Any = (2, 2), data_format: str | None = None, interpolation: str = "nearest", **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 2, "size")
        self.data_format = backend_config.standardize_data_format(data_format)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(
                f"UpSampling2D: `interpolation` argument should be one of ('nearest', 'bilinear'). "
                f"Received: interpolation={interpolation!r}."
            )
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs: Tensor) -> Tensor:
        x = to_channels_last(inputs, self.data_format)
        batch, height, width, channels = x.shape.as_list()
        sh, sw = self.size
        if self.interpolation == "bilinear":
            out = resize_bilinear(x, size=(height * sh, width * sw))
        else:
            x = array_ops.reshape(x, (batch, height, 1, width, 1, channels))
            x = array_ops.tile(x, [1, 1, sh, 1, sw, 1])
            out = array_ops.reshape(x, (batch, height * sh, width * sw, channels))
        return to_channels_first(out, self.data_format)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "size": self.size,
            "data_format": self.data_format,
            "interpolation": self.interpolation,
        }
