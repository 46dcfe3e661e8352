"""Activation layers: ReLU, LeakyReLU, ELU, Softmax.

>>> import eagerkit as ek
>>> ek.keras.layers.ReLU(max_value=1.0)(ek.constant([-1.0, 0.5, 3.0])).numpy().tolist()
[0.0, 0.5, 1.0]
>>> [round(v, 3) for v in ek.keras.layers.LeakyReLU()(ek.constant([-1.0, 2.0])).numpy().tolist()]
[-0.3, 2.0]
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.keras import activations
from eagerkit._src.keras.engine.layer import Layer
from eagerkit._src.ops import array_ops, math_ops, nn_ops

__all__ = ["ReLU", "LeakyReLU", "ELU", "Softmax"]


class ReLU(Layer):
    """``max(x, 0)``, optionally capped at ``max_value``, with ``negative_slope`` below ``threshold``.

    Args:
      max_value: upper bound (None: unbounded).
      negative_slope: slope for ``x < threshold`` (default 0).
      threshold: values below it are "negative" (default 0).

    >>> import eagerkit as ek
    >>> ek.keras.layers.ReLU()(ek.constant([-1.0, 2.0, 10.0]))
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([ 0.,  2., 10.], dtype=float32)>
    >>> ek.keras.layers.ReLU(max_value=6.0)(ek.constant([-1.0, 2.0, 10.0]))
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([0., 2., 6.], dtype=float32)>
    """

    supports_masking = True

    def __init__(
        self, max_value: float | None = None, negative_slope: float = 0.0, threshold: float = 0.0, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. Received: {max_value}")
        if negative_slope is None or negative_slope < 0:
            raise ValueError(f"negative_slope of a ReLU layer cannot be a negative value. Received: {negative_slope}")
        if threshold is None or threshold < 0:
            raise ValueError(f"threshold of a ReLU layer cannot be a negative value. Received: {threshold}")
        self.max_value = max_value
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)

    def call(self, inputs: Tensor) -> Tensor:
        return activations.relu(
            inputs, negative_slope=self.negative_slope, max_value=self.max_value, threshold=self.threshold
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }


class LeakyReLU(Layer):
    """``x`` if ``x > 0`` else ``negative_slope * x`` (default slope 0.3; ``alpha=`` also accepted).

    >>> import eagerkit as ek
    >>> ek.keras.layers.LeakyReLU(negative_slope=0.1)(ek.constant([-10.0, 2.0]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([-1.,  2.], dtype=float32)>
    """

    supports_masking = True

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(
                "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. "
                f"Expected a float. Received: negative_slope={negative_slope}"
            )
        self.negative_slope = float(negative_slope)

    def call(self, inputs: Tensor) -> Tensor:
        return nn_ops.leaky_relu(inputs, alpha=self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(Layer):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

    >>> import eagerkit as ek
    >>> ek.keras.layers.ELU(alpha=1.0)(ek.constant([-100.0, 2.0]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([-1.,  2.], dtype=float32)>
    """

    supports_masking = True

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs: Tensor) -> Tensor:
        return activations.elu(inputs, alpha=self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(Layer):
    """Softmax along ``axis``; positions where ``mask`` is False get probability 0.

    >>> import eagerkit as ek
    >>> mask = ek.constant([[True, True, False]])
    >>> ek.keras.layers.Softmax()(ek.constant([[1.0, 1.0, 5.0]]), mask=mask).numpy().tolist()
    [[0.5, 0.5, 0.0]]
    """

    supports_masking = True

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        if mask is not None:
            if not mask.dtype.is_bool:
                mask = math_ops.greater(mask, math_ops.cast(0.5, mask.dtype))
            big_negative = -3e4 if inputs.dtype.name == "float16" else -1e9
            inputs = array_ops.where(mask, inputs, math_ops.cast(big_negative, inputs.dtype))
        if isinstance(self.axis, (list, tuple)):
            lse = math_ops.reduce_logsumexp(inputs, axis=list(self.axis), keepdims=True)
            outputs = math_ops.exp(math_ops.subtract(inputs, lse))
        else:
            outputs = nn_ops.softmax(inputs, axis=self.axis)
        if mask is not None:
            outputs = array_ops.where(mask, outputs, math_ops.cast(0.0, outputs.dtype))
        return outputs

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}
