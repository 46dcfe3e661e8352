"""Preprocessing layers: Rescaling.

>>> import eagerkit as ek
>>> [round(v, 3) for v in ek.keras.layers.Rescaling(1.0 / 255)(ek.constant([255.0, 51.0])).numpy().tolist()]
[1.0, 0.2]
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.core.convert import convert_to_tensor
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.keras.engine.layer import Layer
from eagerkit._src.ops import math_ops


class Rescaling(Layer):
    """``inputs * scale + offset`` (e.g. ``Rescaling(1/255)`` maps pixels to [0, 1]).

    Args:
      scale: a scalar, or per-channel values broadcast over the last axis.
      offset: a scalar or per-channel values (default 0).

    Integer inputs are cast to the layer's dtype first.

    >>> import eagerkit as ek
    >>> ek.keras.layers.Rescaling(1.0 / 255)(ek.constant([[0.0, 255.0]]))
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[0., 1.]], dtype=float32)>
    >>> ek.keras.layers.Rescaling(2.0, offset=-1.0)(ek.constant([0.0, 1.0]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([-1.,  1.], dtype=float32)>
    """

    supports_masking = True

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset

    def call(self, inputs: Tensor) -> Tensor:
        x = inputs if inputs.dtype == self._dtype else math_ops.cast(inputs, self._dtype)
        scale = convert_to_tensor(self.scale, dtype=self._dtype)
        offset = convert_to_tensor(self.offset, dtype=self._dtype)
        return math_ops.add(math_ops.multiply(x, scale), offset)

    def get_config(self) -> dict[str, Any]:
        def plain(v: Any) -> Any:
            return v.tolist() if hasattr(v, "tolist") else v

        return {**super().get_config(), "scale": plain(self.scale), "offset": plain(self.offset)}
