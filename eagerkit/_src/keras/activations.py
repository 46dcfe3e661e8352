"""Activation functions (``tf.keras.activations``), built from eagerkit ops so tapes record them.

``get`` accepts a name (``'relu'``), ``None`` (linear) or any callable. Recurrent layers
run their activations inside one compiled scan; :func:`jax_activation` gives them the
pure-JAX twin of a named activation.

>>> import eagerkit as ek
>>> ek.keras.activations.get("relu")(ek.constant([-1.0, 2.0])).numpy().tolist()
[0.0, 2.0]
>>> ek.keras.activations.serialize(ek.keras.activations.relu)
'relu'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.keras.engine import serialization
from eagerkit._src.ops import array_ops, math_ops, nn_ops


def linear(x: Any) -> Any:
    """Identity: returns ``x`` unchanged.

    >>> linear(2.0)
    2.0
    """
    return x


def relu(x: Any, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0) -> Tensor:
    """``max(x, 0)``, with an optional slope below ``threshold`` and a cap at ``max_value``.

    >>> import eagerkit as ek
    >>> relu(ek.constant([-2.0, 1.0, 9.0]), negative_slope=0.5, max_value=6.0).numpy().tolist()
    [-1.0, 1.0, 6.0]
    """
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return nn_ops.relu(x)
    x = _as_float_tensor(x)
    dtype = x.dtype
    if threshold != 0.0:
        below = math_ops.less(x, math_ops.cast(threshold, dtype))
        out = array_ops.where(below, array_ops.zeros_like(x), x)
    else:
        out = nn_ops.relu(x)
    if max_value is not None:
        out = math_ops.minimum(out, math_ops.cast(max_value, dtype))
    if negative_slope != 0.0:
        shifted = math_ops.subtract(x, math_ops.cast(threshold, dtype))
        neg = math_ops.multiply(
            math_ops.minimum(shifted, math_ops.cast(0.0, dtype)), math_ops.cast(negative_slope, dtype)
        )
        out = math_ops.add(out, neg)
    return out


def _as_float_tensor(x: Any) -> Tensor:
    from eagerkit._src.core.convert import convert_to_tensor

    return x if type(x) is Tensor else convert_to_tensor(x)


def relu6(x: Any) -> Tensor:
    """``min(max(x, 0), 6)``.

    >>> import eagerkit as ek
    >>> ek.keras.activations.relu6(ek.constant([-1.0, 3.0, 8.0]))
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([0., 3., 6.], dtype=float32)>
    """
    return nn_ops.relu6(x)


def sigmoid(x: Any) -> Tensor:
    """``1 / (1 + exp(-x))``.

    >>> import eagerkit as ek
    >>> ek.keras.activations.sigmoid(ek.constant([-100.0, 0.0, 100.0]))
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([0. , 0.5, 1. ], dtype=float32)>
    """
    return math_ops.sigmoid(x)


def hard_sigmoid(x: Any) -> Tensor:
    """Piecewise-linear sigmoid ``relu6(x + 3) / 6`` (Keras 3's definition).

    >>> import eagerkit as ek
    >>> ek.keras.activations.hard_sigmoid(ek.constant([-10.0, 0.0, 10.0]))
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([0. , 0.5, 1. ], dtype=float32)>
    """
    x = _as_float_tensor(x)
    return math_ops.truediv(nn_ops.relu6(math_ops.add(x, math_ops.cast(3.0, x.dtype))), math_ops.cast(6.0, x.dtype))


def hard_silu(x: Any) -> Tensor:
    """``x * hard_sigmoid(x)`` (a.k.a. hard swish).

    >>> import eagerkit as ek
    >>> ek.keras.activations.hard_silu(ek.constant([-10.0, 0.0, 10.0]))
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([-0.,  0., 10.], dtype=float32)>
    """
    return math_ops.multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


def softmax(x: Any, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``.

    >>> import eagerkit as ek
    >>> ek.keras.activations.softmax(ek.constant([[1.0, 1.0, 1.0, 1.0]]))
    <tf.Tensor: shape=(1, 4), dtype=float32, numpy=array([[0.25, 0.25, 0.25, 0.25]], dtype=float32)>
    """
    return nn_ops.softmax(x, axis=axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """``x - logsumexp(x)`` along ``axis``.

    >>> import eagerkit as ek
    >>> ek.keras.activations.log_softmax(ek.constant([[0.0, 0.0]]))
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[-0.6931472, -0.6931472]], dtype=float32)>
    """
    return nn_ops.log_softmax(x, axis=axis)


def tanh(x: Any) -> Tensor:
    """Hyperbolic tangent.

    >>> import eagerkit as ek
    >>> ek.keras.activations.tanh(ek.constant([-100.0, 0.0, 100.0]))
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([-1.,  0.,  1.], dtype=float32)>
    """
    return math_ops.tanh(x)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

    >>> import eagerkit as ek
    >>> ek.keras.activations.elu(ek.constant([-100.0, 0.0, 2.0]))
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([-1.,  0.,  2.], dtype=float32)>
    """
    out = nn_ops.elu(x)
    if alpha == 1.0:
        return out
    x = _as_float_tensor(x)
    return array_ops.where(math_ops.greater(x, math_ops.cast(0.0, x.dtype)), out, math_ops.multiply(out, alpha))


def selu(x: Any) -> Tensor:
    """Scaled ELU (``scale=1.0507...``, ``alpha=1.6732...``).

    >>> import eagerkit as ek
    >>> ek.keras.activations.selu(ek.constant([0.0, 1.0]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.      , 1.050701], dtype=float32)>
    """
    return nn_ops.selu(x)


def softplus(x: Any) -> Tensor:
    """``log(exp(x) + 1)``.

    >>> import eagerkit as ek
    >>> ek.keras.activations.softplus(ek.constant([0.0, 100.0]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([  0.6931472, 100.       ], dtype=float32)>
    """
    return math_ops.softplus(x)


def softsign(x: Any) -> Tensor:
    """``x / (abs(x) + 1)``.

    >>> import eagerkit as ek
    >>> ek.keras.activations.softsign(ek.constant([-1.0, 0.0, 3.0]))
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([-0.5 ,  0.  ,  0.75], dtype=float32)>
    """
    return math_ops.softsign(x)


def silu(x: Any) -> Tensor:
    """``x * sigmoid(x)`` (a.k.a. swish).

    >>> import eagerkit as ek
    >>> ek.keras.activations.silu(ek.constant([0.0, 100.0]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([  0., 100.], dtype=float32)>
    """
    return nn_ops.silu(x)


swish = silu


def gelu(x: Any, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit (exact unless ``approximate``).

    >>> import eagerkit as ek
    >>> ek.keras.activations.gelu(ek.constant([-100.0, 0.0, 100.0]))
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([ -0.,   0., 100.], dtype=float32)>
    """
    return nn_ops.gelu(x, approximate=approximate)


def exponential(x: Any) -> Tensor:
    """``exp(x)``.

    >>> import eagerkit as ek
    >>> ek.keras.activations.exponential(ek.constant([0.0]))
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([1.], dtype=float32)>
    """
    return math_ops.exp(x)


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    """``x`` if ``x > 0`` else ``negative_slope * x``.

    >>> import eagerkit as ek
    >>> ek.keras.activations.leaky_relu(ek.constant([-10.0, 2.0]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([-2.,  2.], dtype=float32)>
    """
    return nn_ops.leaky_relu(x, alpha=negative_slope)


def mish(x: Any) -> Tensor:
    """``x * tanh(softplus(x))``.

    >>> import eagerkit as ek
    >>> ek.keras.activations.mish(ek.constant([0.0, 100.0]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([  0., 100.], dtype=float32)>
    """
    return math_ops.multiply(x, math_ops.tanh(math_ops.softplus(x)))


_TABLE: dict[str, Callable] = {
    f.__name__: f
    for f in (
        linear,
        relu,
        relu6,
        sigmoid,
        hard_sigmoid,
        hard_silu,
        softmax,
        log_softmax,
        tanh,
        elu,
        selu,
        softplus,
        softsign,
        silu,
        gelu,
        exponential,
        leaky_relu,
        mish,
    )
}
_TABLE.update({"swish": silu, "hard_swish": hard_silu})


def serialize(activation: Callable | None) -> str | dict[str, Any] | None:
    """The name of a built-in activation (``'relu'``); a config for activation layers.

    >>> import eagerkit as ek
    >>> ek.keras.activations.serialize(ek.keras.activations.relu)
    'relu'
    """
    if activation is None:
        return "linear"
    for name, fn in _TABLE.items():
        if fn is activation:
            return name
    return serialization.serialize_object(activation)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Callable:
    """The activation named by ``config`` (inverse of :func:`serialize`).

    >>> import eagerkit as ek
    >>> ek.keras.activations.deserialize("relu")(ek.constant([-1.0, 1.0]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0., 1.], dtype=float32)>
    """
    if isinstance(config, dict) and "class_name" in config:
        from eagerkit._src.keras.engine.layer import Layer

        cls = serialization.lookup(config["class_name"], _activation_layer_table(), "activation", custom_objects)
        if isinstance(cls, type) and issubclass(cls, Layer):
            return cls.from_config(config.get("config") or {})
        return cls
    return serialization.deserialize_object(config, _TABLE, "activation function", custom_objects)


def _activation_layer_table() -> dict[str, Any]:
    from eagerkit._src.keras.layers import activation as act_layers

    return {name: getattr(act_layers, name) for name in act_layers.__all__}


def get(identifier: Any) -> Callable:
    """An activation from a name, a config, ``None`` (linear) or a callable.

    >>> get(None) is linear
    True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation function identifier: {identifier!r}. Pass a name such as 'relu' "
        f"(valid: {', '.join(sorted(_TABLE))}) or a callable."
    )


# -- pure-JAX twins, for code running inside one compiled op (recurrent scans) --------------------
_JAX_TABLE: dict[str, Callable] = {
    "linear": lambda x: x,
    "relu": jax.nn.relu,
    "relu6": jax.nn.relu6,
    "sigmoid": jax.nn.sigmoid,
    "hard_sigmoid": lambda x: jax.nn.relu6(x + 3.0) / 6.0,
    "hard_silu": lambda x: x * jax.nn.relu6(x + 3.0) / 6.0,
    "tanh": jnp.tanh,
    "elu": jax.nn.elu,
    "selu": jax.nn.selu,
    "softplus": jax.nn.softplus,
    "softsign": jax.nn.soft_sign,
    "silu": jax.nn.silu,
    "gelu": lambda x: jax.nn.gelu(x, approximate=False),
    "exponential": jnp.exp,
    "leaky_relu": lambda x: jnp.where(x > 0, x, 0.2 * x),
    "mish": lambda x: x * jnp.tanh(jax.nn.softplus(x)),
    "softmax": lambda x: jax.nn.softmax(x, axis=-1),
}
_JAX_TABLE["swish"] = _JAX_TABLE["silu"]
_JAX_TABLE["hard_swish"] = _JAX_TABLE["hard_silu"]


def jax_activation_name(activation: Any, layer: str, argument: str) -> str:
    """The name of a built-in activation usable inside a compiled recurrent step; raises otherwise."""
    fn = get(activation)
    name = serialize(fn) if not isinstance(activation, str) else activation
    if isinstance(name, str) and name in _JAX_TABLE and _TABLE.get(name) is fn:
        return name
    raise ValueError(
        f"{layer}: `{argument}` must be a built-in activation ({', '.join(sorted(_JAX_TABLE))}) because the "
        f"recurrence runs as one compiled op; got {activation!r}."
    )


def jax_activation(name: str) -> Callable:
    """The pure-JAX function of a built-in activation name (see :func:`jax_activation_name`)."""
    return _JAX_TABLE[name]
