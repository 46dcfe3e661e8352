"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization.

BatchNormalization keeps its moving statistics in non-trainable Variables and updates
them with ``assign`` when called with ``training=True`` (so inside ``ek.function`` the
update is part of the compiled step).

>>> import eagerkit as ek
>>> bn = ek.keras.layers.BatchNormalization()
>>> y = bn(ek.constant([[0.0], [2.0]]), training=True)
>>> [round(float(v), 4) for v in ek.reshape(y, [-1])]
[-0.9995, 0.9995]
>>> [round(float(v), 4) for v in bn.moving_mean]
[0.01]
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.core.variable import VariableAggregation, VariableSynchronization
from eagerkit._src.keras import constraints, initializers, regularizers
from eagerkit._src.keras.engine import backend_config
from eagerkit._src.keras.engine.input_spec import InputSpec
from eagerkit._src.keras.engine.layer import Layer
from eagerkit._src.ops import array_ops, math_ops, nn_ops


def _axes_list(axis: Any) -> list[int]:
    if isinstance(axis, int):
        return [axis]
    if isinstance(axis, (list, tuple)) and all(isinstance(a, int) for a in axis):
        return list(axis)
    raise TypeError(f"Expected an int or a list/tuple of ints for the argument 'axis', but received: {axis!r}")


def _normalize_axes(axes: list[int], rank: int, layer: str) -> list[int]:
    out = []
    for a in axes:
        b = a + rank if a < 0 else a
        if not 0 <= b < rank:
            raise ValueError(f"{layer}: invalid axis {a} for input of rank {rank}.")
        out.append(b)
    return sorted(set(out))


class _AffineNormBase(Layer):
    """Shared gamma/beta handling (``center``/``scale``, initializers, regularizers, constraints)."""

    def __init__(
        self,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def _add_affine(self, shape: tuple[int, ...]) -> None:
        self.gamma = None
        self.beta = None
        if self.scale:
            self.gamma = self.add_weight(
                "gamma",
                shape=shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        if self.center:
            self.beta = self.add_weight(
                "beta",
                shape=shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )

    def _affine_config(self) -> dict[str, Any]:
        return {
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }


class BatchNormalization(_AffineNormBase):
    """Normalizes over the batch (and all axes except ``axis``) with learned scale and offset.

    Training (``training=True``, layer trainable): uses the batch's mean and (biased)
    variance and moves ``moving_mean``/``moving_variance`` towards them by ``1 - momentum``.
    Inference (or ``layer.trainable = False``): uses the moving statistics.

    Args:
      axis: the feature axis (or axes) kept (default -1).
      momentum: moving-average momentum (0.99).
      epsilon: added to the variance (1e-3).
      center / scale: learn ``beta`` / ``gamma``.

    >>> import eagerkit as ek
    >>> ek.keras.layers.BatchNormalization()(ek.ones([2, 3])).shape
    TensorShape([2, 3])
    """

    def __init__(
        self,
        axis: Any = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        synchronized: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            center,
            scale,
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
            beta_constraint,
            gamma_constraint,
            **kwargs,
        )
        self.axis = axis
        self._axes = _axes_list(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.synchronized = bool(synchronized)

    def build(self, input_shape: TensorShape) -> None:
        rank = input_shape.rank
        axes = _normalize_axes(self._axes, rank, f"BatchNormalization {self.name!r}")
        dims = {a: input_shape[a] for a in axes}
        missing = [a for a, d in dims.items() if d is None]
        if missing:
            raise ValueError(
                f"BatchNormalization {self.name!r}: axis {missing} of the input shape {input_shape} must be known."
            )
        self._norm_axes = axes
        self._reduction_axes = [i for i in range(rank) if i not in axes]
        self._broadcast_shape = [dims.get(i, 1) for i in range(rank)]
        shape = tuple(dims[a] for a in axes)
        self._add_affine(shape)
        # As in tf.keras: under a distribution strategy the replicas' moving statistics are averaged.
        moving = {
            "shape": shape,
            "trainable": False,
            "synchronization": VariableSynchronization.ON_READ,
            "aggregation": VariableAggregation.MEAN,
        }
        self.moving_mean = self.add_weight("moving_mean", initializer=self.moving_mean_initializer, **moving)
        self.moving_variance = self.add_weight(
            "moving_variance", initializer=self.moving_variance_initializer, **moving
        )
        self.input_spec = InputSpec(ndim=rank, axes=dims)

    def _broadcast(self, t: Any) -> Any:
        if t is None:
            return None
        return array_ops.reshape(t, self._broadcast_shape)

    def _moments(self, inputs: Tensor, mask: Any) -> tuple[Tensor, Tensor]:
        if mask is None:
            return nn_ops.moments(inputs, axes=self._reduction_axes, keepdims=True)
        weights = math_ops.cast(mask, inputs.dtype)
        while weights.shape.rank < inputs.shape.rank:
            weights = array_ops.expand_dims(weights, -1)
        eps = math_ops.cast(backend_config.epsilon(), inputs.dtype)
        total = math_ops.reduce_sum(math_ops.multiply(weights, inputs), axis=self._reduction_axes, keepdims=True)
        count = math_ops.add(math_ops.reduce_sum(weights, axis=self._reduction_axes, keepdims=True), eps)
        mean = math_ops.truediv(total, count)
        diff = math_ops.subtract(math_ops.multiply(weights, inputs), mean)
        dist = math_ops.reduce_sum(
            math_ops.multiply(weights, math_ops.square(diff)), axis=self._reduction_axes, keepdims=True
        )
        return mean, math_ops.truediv(dist, count)

    def call(self, inputs: Tensor, training: bool | None = None, mask: Any = None) -> Tensor:
        if training and self.trainable:
            mean, variance = self._moments(inputs, mask)
            shape = self.moving_mean.shape.as_list()
            batch_mean = array_ops.reshape(mean, shape)
            batch_var = array_ops.reshape(variance, shape)
            m = math_ops.cast(self.momentum, inputs.dtype)
            one_minus = math_ops.cast(1.0 - self.momentum, inputs.dtype)
            self.moving_mean.assign(
                math_ops.add(math_ops.multiply(self.moving_mean, m), math_ops.multiply(batch_mean, one_minus))
            )
            self.moving_variance.assign(
                math_ops.add(math_ops.multiply(self.moving_variance, m), math_ops.multiply(batch_var, one_minus))
            )
        else:
            mean = self._broadcast(self.moving_mean)
            variance = self._broadcast(self.moving_variance)
        return nn_ops.batch_normalization(
            inputs,
            mean,
            variance,
            self._broadcast(self.beta),
            self._broadcast(self.gamma),
            variance_epsilon=self.epsilon,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            **self._affine_config(),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "synchronized": self.synchronized,
        }


class LayerNormalization(_AffineNormBase):
    """Normalizes each example over ``axis`` (default the last) with learned scale and offset.

    Args:
      axis: axis or axes normalized (and the shape of gamma/beta).
      epsilon: added to the variance (1e-3).
      center / scale: learn ``beta`` / ``gamma``.
      rms_scaling: scale by the root mean square only (no centering; ``beta`` unused).

    >>> import eagerkit as ek
    >>> [round(v, 4) for v in ek.keras.layers.LayerNormalization()(ek.constant([[1.0, 3.0]]))[0].numpy().tolist()]
    [-0.9995, 0.9995]
    """

    def __init__(
        self,
        axis: Any = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        rms_scaling: bool = False,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            center,
            scale,
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
            beta_constraint,
            gamma_constraint,
            **kwargs,
        )
        self.axis = axis
        self._axes = _axes_list(axis)
        self.epsilon = float(epsilon)
        self.rms_scaling = bool(rms_scaling)

    def build(self, input_shape: TensorShape) -> None:
        rank = input_shape.rank
        axes = _normalize_axes(self._axes, rank, f"LayerNormalization {self.name!r}")
        dims = {a: input_shape[a] for a in axes}
        if any(d is None for d in dims.values()):
            raise ValueError(
                f"LayerNormalization {self.name!r}: the normalized axes {axes} of input shape {input_shape} "
                "must be known."
            )
        self._norm_axes = axes
        self._broadcast_shape = [dims.get(i, 1) for i in range(rank)]
        self._add_affine(tuple(dims[a] for a in axes))
        self.input_spec = InputSpec(ndim=rank, axes=dims)

    def call(self, inputs: Tensor) -> Tensor:
        gamma = None if self.gamma is None else array_ops.reshape(self.gamma, self._broadcast_shape)
        beta = None if self.beta is None else array_ops.reshape(self.beta, self._broadcast_shape)
        eps = math_ops.cast(self.epsilon, inputs.dtype)
        if self.rms_scaling:
            _, variance = nn_ops.moments(inputs, axes=self._norm_axes, keepdims=True)
            out = math_ops.multiply(inputs, math_ops.rsqrt(math_ops.add(variance, eps)))
            return out if gamma is None else math_ops.multiply(out, gamma)
        mean, variance = nn_ops.moments(inputs, axes=self._norm_axes, keepdims=True)
        inv = math_ops.rsqrt(math_ops.add(variance, eps))
        if gamma is not None:
            inv = math_ops.multiply(inv, gamma)
        res = math_ops.multiply(math_ops.negative(mean), inv)
        if beta is not None:
            res = math_ops.add(res, beta)
        return math_ops.add(math_ops.multiply(inputs, inv), res)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "rms_scaling": self.rms_scaling,
            **self._affine_config(),
        }


class GroupNormalization(_AffineNormBase):
    """Normalizes groups of channels of each example (``groups=1`` is layer norm over
    all features; ``groups=channels`` is instance norm).

    Args:
      groups: number of channel groups (must divide the channel count; default 32).
      axis: the channel axis (default -1).
      epsilon: added to the variance (1e-3).
      center / scale: learn per-channel ``beta`` / ``gamma``.

    >>> import eagerkit as ek
    >>> ek.keras.layers.GroupNormalization(groups=2)(ek.ones([1, 3, 4])).shape
    TensorShape([1, 3, 4])
    """

    def __init__(
        self,
        groups: int = 32,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            center,
            scale,
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
            beta_constraint,
            gamma_constraint,
            **kwargs,
        )
        if not isinstance(groups, int) or groups <= 0:
            raise ValueError(f"GroupNormalization: `groups` must be a positive integer, got {groups!r}.")
        self.groups = groups
        self.axis = int(axis)
        self.epsilon = float(epsilon)

    def build(self, input_shape: TensorShape) -> None:
        rank = input_shape.rank
        axis = self.axis + rank if self.axis < 0 else self.axis
        channels = input_shape[axis]
        if channels is None:
            raise ValueError(
                f"GroupNormalization {self.name!r}: axis {self.axis} of input tensor should have a defined "
                f"dimension but the layer received an input with shape {input_shape}."
            )
        if channels < self.groups:
            raise ValueError(
                f"Number of groups ({self.groups}) cannot be more than the number of channels ({channels}) "
                f"in GroupNormalization {self.name!r}."
            )
        if channels % self.groups:
            raise ValueError(
                f"Number of groups ({self.groups}) must be a multiple of the number of channels ({channels}) "
                f"in GroupNormalization {self.name!r}; use a number of groups that divides {channels}."
            )
        self._channel_axis = axis
        self._add_affine((channels,))
        self.input_spec = InputSpec(ndim=rank, axes={axis: channels})

    def call(self, inputs: Tensor) -> Tensor:
        shape = inputs.shape.as_list()
        rank = len(shape)
        axis = self._channel_axis
        channels = shape[axis]
        grouped_shape = shape[:axis] + [self.groups, channels // self.groups] + shape[axis + 1 :]
        grouped = array_ops.reshape(inputs, grouped_shape)
        reduction = [i for i in range(1, rank + 1) if i != axis]
        mean, variance = nn_ops.moments(grouped, axes=reduction, keepdims=True)
        inv = math_ops.rsqrt(math_ops.add(variance, math_ops.cast(self.epsilon, inputs.dtype)))
        broadcast = [1] * (rank + 1)
        broadcast[axis] = self.groups
        broadcast[axis + 1] = channels // self.groups
        if self.gamma is not None:
            inv = math_ops.multiply(inv, array_ops.reshape(self.gamma, broadcast))
        res = math_ops.multiply(math_ops.negative(mean), inv)
        if self.beta is not None:
            res = math_ops.add(res, array_ops.reshape(self.beta, broadcast))
        out = math_ops.add(math_ops.multiply(grouped, inv), res)
        return array_ops.reshape(out, shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            **self._affine_config(),
        }
