"""Recurrent layers: SimpleRNN, LSTM, GRU and the Bidirectional wrapper.

DESIGN: the whole recurrence is ONE eagerkit op (``RecurrentScan``): a pure JAX
function running ``jax.lax.scan`` over time, with the weights, initial states, mask and
dropout masks as tensor arguments. A GradientTape therefore records a single op and
differentiates it with ``jax.vjp`` (backpropagation through time inside XLA), and
``ek.function`` compiles it as one loop. Activations inside the scan must be built-in
names (their pure-JAX twins are used). Gate layouts and weight shapes follow Keras:
LSTM gates ``i, f, c, o``; GRU gates ``z, r, h`` with ``reset_after=True`` by default
(bias shape ``(2, 3 * units)``).

>>> import eagerkit as ek
>>> lstm = ek.keras.layers.LSTM(4, return_sequences=True, return_state=True)
>>> seq, h, c = lstm(ek.zeros([2, 5, 3]))
>>> seq.shape, h.shape, c.shape
(TensorShape([2, 5, 4]), TensorShape([2, 4]), TensorShape([2, 4]))
>>> [tuple(w.shape) for w in lstm.weights]
[(3, 16), (4, 16), (16,)]
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.convert import convert_to_tensor
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.keras import activations, constraints, initializers, regularizers
from eagerkit._src.keras.engine.input_spec import InputSpec
from eagerkit._src.keras.engine.layer import Layer
from eagerkit._src.ops import array_ops, math_ops, nn_ops
from eagerkit._src.ops.op import defop
from eagerkit._src.util import nest


# -- the recurrence op ---------------------------------------------------------------------------------
def _simple_step(x, states, kernel, recurrent_kernel, bias, rec_dp, act, rec_act, units, reset_after):
    (h,) = states
    z = x @ kernel
    if bias is not None:
        z = z + bias
    if rec_dp is not None:
        h = h * rec_dp
    out = act(z + h @ recurrent_kernel)
    return out, [out]


def _lstm_step(x, states, kernel, recurrent_kernel, bias, rec_dp, act, rec_act, units, reset_after):
    h, c = states
    if rec_dp is not None:
        h = h * rec_dp
    z = x @ kernel + h @ recurrent_kernel
    if bias is not None:
        z = z + bias
    zi, zf, zc, zo = jnp.split(z, 4, axis=-1)
    i, f, o = rec_act(zi), rec_act(zf), rec_act(zo)
    c_new = f * c + i * act(zc)
    h_new = o * act(c_new)
    return h_new, [h_new, c_new]


def _gru_step(x, states, kernel, recurrent_kernel, bias, rec_dp, act, rec_act, units, reset_after):
    (h_prev,) = states
    h = h_prev * rec_dp if rec_dp is not None else h_prev
    if bias is None:
        input_bias = recurrent_bias = None
    elif reset_after:
        input_bias, recurrent_bias = bias[0], bias[1]
    else:
        input_bias, recurrent_bias = bias, None
    matrix_x = x @ kernel
    if input_bias is not None:
        matrix_x = matrix_x + input_bias
    x_z, x_r, x_h = jnp.split(matrix_x, 3, axis=-1)
    if reset_after:
        inner = h @ recurrent_kernel
        if recurrent_bias is not None:
            inner = inner + recurrent_bias
        r_z, r_r, r_h = jnp.split(inner, 3, axis=-1)
        z = rec_act(x_z + r_z)
        r = rec_act(x_r + r_r)
        hh = act(x_h + r * r_h)
    else:
        inner = h @ recurrent_kernel[:, : 2 * units]
        r_z, r_r = jnp.split(inner, 2, axis=-1)
        z = rec_act(x_z + r_z)
        r = rec_act(x_r + r_r)
        hh = act(x_h + (r * h) @ recurrent_kernel[:, 2 * units :])
    h_new = z * h_prev + (1 - z) * hh
    return h_new, [h_new]


_STEPS = {"simple": _simple_step, "lstm": _lstm_step, "gru": _gru_step}


@defop(
    "RecurrentScan",
    tensors=("inputs", "kernel", "recurrent_kernel", "bias", "mask", "dp_mask", "rec_dp_mask"),
    tensor_lists=("initial_states",),
)
def recurrent_scan(
    inputs,
    kernel,
    recurrent_kernel,
    bias,
    initial_states,
    mask,
    dp_mask,
    rec_dp_mask,
    cell,
    units,
    activation,
    recurrent_activation,
    reset_after,
    go_backwards,
    return_sequences,
    unroll,
    zero_output_for_mask,
):
    """Runs a SimpleRNN/LSTM/GRU cell over ``inputs`` ``(batch, time, features)`` with ``lax.scan``.

    Returns ``[outputs, *final_states]``; ``outputs`` is ``(batch, time, units)`` when
    ``return_sequences`` (in processing order), else the last output.
    """
    step = _STEPS[cell]
    act = activations.jax_activation(activation)
    rec_act = activations.jax_activation(recurrent_activation)
    xs = jnp.swapaxes(inputs, 0, 1)
    if dp_mask is not None:
        xs = xs * dp_mask[None]
    ms = None if mask is None else jnp.swapaxes(mask, 0, 1)
    if go_backwards:
        xs = xs[::-1]
        ms = None if ms is None else ms[::-1]
    states0 = list(initial_states)
    out0 = jnp.zeros(states0[0].shape, states0[0].dtype)

    def body(carry, step_in):
        states, prev_out = carry
        x_t, m_t = step_in
        out, new_states = step(
            x_t, states, kernel, recurrent_kernel, bias, rec_dp_mask, act, rec_act, units, reset_after
        )
        if m_t is not None:
            keep = m_t[:, None]
            new_states = [jnp.where(keep, n, s) for n, s in zip(new_states, states)]
            out = jnp.where(keep, out, jnp.zeros_like(out) if zero_output_for_mask else prev_out)
        return (new_states, out), out

    (final_states, last_out), outs = jax.lax.scan(body, (states0, out0), (xs, ms), unroll=unroll)
    outputs = jnp.swapaxes(outs, 0, 1) if return_sequences else last_out
    return [outputs] + list(final_states)


# -- layers -------------------------------------------------------------------------------------------
class _RNN(Layer):
    """Shared machinery of SimpleRNN, LSTM and GRU (weights, masks, dropout, states, config)."""

    _cell = "simple"
    _gates = 1
    _n_states = 1
    supports_masking = True

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = type(self).__name__
        if not isinstance(units, int) or units <= 0:
            raise ValueError(
                f"Received an invalid value for argument `units` of {cls}, expected a positive integer, got {units!r}."
            )
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self._act_name = activations.jax_activation_name(activation, cls, "activation")
        self._rec_act_name = activations.jax_activation_name(recurrent_activation, cls, "recurrent_activation")
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        for arg, value in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0.0 <= float(value) < 1.0:
                raise ValueError(f"{cls}: `{arg}` must be in [0, 1). Received: {arg}={value}")
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self._stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.input_spec = InputSpec(ndim=3)
        self.states: list[Any] | None = None

    @property
    def stateful(self) -> bool:
        return self._stateful

    def _bias_shape(self) -> tuple[int, ...]:
        return (self._gates * self.units,)

    def _bias_init(self) -> Any:
        return self.bias_initializer

    def build(self, input_shape: TensorShape) -> None:
        features = input_shape[-1]
        if features is None:
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: the last dimension of the inputs must be defined. "
                f"Received input shape {input_shape}."
            )
        width = self._gates * self.units
        self.kernel = self.add_weight(
            "kernel",
            shape=(features, width),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel",
            shape=(self.units, width),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                shape=self._bias_shape(),
                initializer=self._bias_init(),
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.input_spec = InputSpec(ndim=3, axes={-1: features})
        if self._stateful:
            batch = input_shape[0]
            if batch is None:
                raise ValueError(
                    f"{type(self).__name__} {self.name!r} is stateful, so it needs a fixed batch size: pass "
                    "`batch_input_shape=(batch, time, features)` (or `batch_size=`) to the layer or to Input."
                )
            self.states = [
                self.add_weight(f"state_{i}", shape=(batch, self.units), initializer="zeros", trainable=False)
                for i in range(self._n_states)
            ]

    def reset_states(self, states: Any = None) -> None:
        """Resets a stateful layer's states to zeros (or to the given values)."""
        if not self._stateful:
            raise AttributeError(f"Layer {self.name!r} is not stateful; only stateful RNNs have states to reset.")
        if self.states is None:
            return
        values = nest.flatten(states) if states is not None else [None] * len(self.states)
        for var, value in zip(self.states, values):
            var.assign(array_ops.zeros(var.shape, dtype=var.dtype) if value is None else value)

    def _dropout_mask(self, rate: float, batch: int, width: int, dtype: Any) -> Tensor:
        return nn_ops.dropout(array_ops.ones([batch, width], dtype=dtype), rate)

    def call(self, inputs: Tensor, mask: Any = None, training: Any = None, initial_state: Any = None) -> Any:
        batch = inputs.shape[0]
        dtype = inputs.dtype
        if initial_state is not None:
            states = list(nest.flatten(initial_state))
            if len(states) != self._n_states:
                raise ValueError(
                    f"{type(self).__name__} {self.name!r} expects {self._n_states} initial state(s), got {len(states)}."
                )
        elif self._stateful and self.states is not None:
            states = [s.value() for s in self.states]
        else:
            states = [array_ops.zeros([batch, self.units], dtype=dtype) for _ in range(self._n_states)]
        dp_mask = rec_dp_mask = None
        if training:
            if self.dropout > 0:
                dp_mask = self._dropout_mask(self.dropout, batch, inputs.shape[-1], dtype)
            if self.recurrent_dropout > 0:
                rec_dp_mask = self._dropout_mask(self.recurrent_dropout, batch, self.units, dtype)
        if mask is not None:
            mask = nest.flatten(mask)[0]
            if type(mask) is not Tensor:
                mask = convert_to_tensor(mask)
            if not mask.dtype.is_bool:
                mask = math_ops.cast(mask, _dtypes.bool)
        results = recurrent_scan(
            inputs,
            self.kernel,
            self.recurrent_kernel,
            self.bias,
            states,
            mask,
            dp_mask,
            rec_dp_mask,
            cell=self._cell,
            units=self.units,
            activation=self._act_name,
            recurrent_activation=self._rec_act_name,
            reset_after=getattr(self, "reset_after", False),
            go_backwards=self.go_backwards,
            return_sequences=self.return_sequences,
            unroll=self.unroll,
            zero_output_for_mask=self.zero_output_for_mask,
        )
        outputs, final_states = results[0], list(results[1:])
        if self._stateful and self.states is not None:
            for var, value in zip(self.states, final_states):
                var.assign(value)
        if self.return_state:
            return [outputs] + final_states
        return outputs

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out_mask = mask if self.return_sequences else None
        if self.return_state:
            return [out_mask] + [None] * self._n_states
        return out_mask

    def get_config(self) -> dict[str, Any]:
        config = {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self._stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        }
        if self._gates > 1:
            config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        return config


class SimpleRNN(_RNN):
    """Fully-connected RNN: ``h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``.

    Args:
      units: state size.
      activation: built-in activation name (default ``'tanh'``).
      return_sequences: return every step's output ``(batch, time, units)`` instead of the last.
      return_state: also return the final state.
      go_backwards: process the sequence in reverse (outputs come in processing order).
      stateful: carry the final state of each batch into the next call (needs a fixed batch size).
      dropout / recurrent_dropout: dropout rates on inputs / states while training.
      unroll: unroll the scan (faster for short sequences, more memory).
      (initializers, regularizers and constraints for ``kernel``, ``recurrent_kernel``, ``bias``)

    >>> import eagerkit as ek
    >>> ek.keras.layers.SimpleRNN(3)(ek.zeros([2, 4, 5])).shape
    TensorShape([2, 3])
    """

    _cell, _gates, _n_states = "simple", 1, 1

    def __init__(self, units: int, activation: Any = "tanh", **kwargs: Any) -> None:
        if "recurrent_activation" in kwargs:
            raise TypeError("SimpleRNN has no `recurrent_activation` argument.")
        super().__init__(units, activation=activation, **kwargs)


class LSTM(_RNN):
    """Long short-term memory layer (gates ``i, f, c, o``; states ``[h, c]``).

    Args:
      units: state size.
      activation: default ``'tanh'``; recurrent_activation: default ``'sigmoid'``.
      unit_forget_bias: initialize the forget-gate bias to one (default True).
      (other arguments as in SimpleRNN)

    >>> import eagerkit as ek
    >>> ek.keras.layers.LSTM(3)(ek.zeros([2, 4, 5])).shape
    TensorShape([2, 3])
    """

    _cell, _gates, _n_states = "lstm", 4, 2

    def __init__(self, units: int, unit_forget_bias: bool = True, **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias_init(self) -> Any:
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, base = self.units, self.bias_initializer

        def init(shape: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
            ones = initializers.Ones()
            return array_ops.concat([base((units,), dtype), ones((units,), dtype), base((2 * units,), dtype)], axis=0)

        return init

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRU(_RNN):
    """Gated recurrent unit (gates ``z, r, h``; TF 2's cuDNN-compatible ``reset_after=True`` default).

    Args:
      units: state size.
      activation: default ``'tanh'``; recurrent_activation: default ``'sigmoid'``.
      reset_after: apply the reset gate after the recurrent matmul (bias ``(2, 3 * units)``).
      (other arguments as in SimpleRNN)

    >>> import eagerkit as ek
    >>> ek.keras.layers.GRU(3)(ek.zeros([2, 4, 5])).shape
    TensorShape([2, 3])
    """

    _cell, _gates, _n_states = "gru", 3, 1

    def __init__(self, units: int, reset_after: bool = True, **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self) -> tuple[int, ...]:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "reset_after": self.reset_after}


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy backwards and merges their outputs.

    Args:
      layer: a SimpleRNN/LSTM/GRU instance (it is re-created from its config as the
        forward layer, named ``forward_<name>``).
      merge_mode: ``'concat'`` (default), ``'sum'``, ``'mul'``, ``'ave'`` or None (a list).
      backward_layer: an explicit backward layer (default: a copy with ``go_backwards`` flipped).

    >>> import eagerkit as ek
    >>> ek.keras.layers.Bidirectional(ek.keras.layers.LSTM(3))(ek.zeros([2, 4, 5])).shape
    TensorShape([2, 6])
    """

    supports_masking = True

    def __init__(
        self, layer: Any, merge_mode: str | None = "concat", weights: Any = None, backward_layer: Any = None, **kwargs
    ) -> None:
        if not isinstance(layer, _RNN):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a recurrent layer instance (SimpleRNN, LSTM or GRU). "
                f"Received: {layer!r}"
            )
        if merge_mode not in ("sum", "mul", "ave", "concat", None):
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode!r}. Merge mode should be one of "
                '{"sum", "mul", "ave", "concat", None}'
            )
        super().__init__(weights=weights, **kwargs)
        self._layer_config = {"class_name": type(layer).__name__, "config": layer.get_config()}
        forward_config = dict(layer.get_config())
        forward_config["name"] = "forward_" + layer.name.removeprefix("forward_")
        self.forward_layer = type(layer).from_config(forward_config)
        if backward_layer is None:
            backward_config = dict(layer.get_config())
            backward_config["go_backwards"] = not layer.go_backwards
            backward_config["name"] = "backward_" + layer.name.removeprefix("backward_")
            self.backward_layer = type(layer).from_config(backward_config)
            self._explicit_backward = False
        else:
            if not isinstance(backward_layer, _RNN):
                raise ValueError(f"`backward_layer` must be a recurrent layer instance, got {backward_layer!r}.")
            if backward_layer.go_backwards == layer.go_backwards:
                raise ValueError(
                    "Forward layer and backward layer should have different `go_backwards` value. Received: "
                    f"forward_layer.go_backwards={layer.go_backwards}, backward_layer.go_backwards="
                    f"{backward_layer.go_backwards}"
                )
            self.backward_layer = backward_layer
            self._explicit_backward = True
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape: TensorShape) -> None:
        self.forward_layer.build(input_shape)
        self.forward_layer.built = True
        self.forward_layer._build_input_shape = input_shape
        self.backward_layer.build(input_shape)
        self.backward_layer.built = True
        self.backward_layer._build_input_shape = input_shape

    def call(self, inputs: Tensor, mask: Any = None, training: Any = None, initial_state: Any = None) -> Any:
        fwd_state = bwd_state = None
        if initial_state is not None:
            states = nest.flatten(initial_state)
            half = len(states) // 2
            fwd_state, bwd_state = states[:half], states[half:]
        y = self.forward_layer(inputs, mask=mask, training=training, initial_state=fwd_state)
        y_rev = self.backward_layer(inputs, mask=mask, training=training, initial_state=bwd_state)
        if self.return_state:
            y, fwd_states = y[0], list(y[1:])
            y_rev, bwd_states = y_rev[0], list(y_rev[1:])
        if self.return_sequences:
            y_rev = array_ops.reverse(y_rev, axis=[1])
        if self.merge_mode == "concat":
            out: Any = array_ops.concat([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            out = math_ops.add(y, y_rev)
        elif self.merge_mode == "ave":
            out = math_ops.multiply(math_ops.add(y, y_rev), math_ops.cast(0.5, y.dtype))
        elif self.merge_mode == "mul":
            out = math_ops.multiply(y, y_rev)
        else:
            out = [y, y_rev]
        if self.return_state:
            outs = out if isinstance(out, list) else [out]
            return outs + fwd_states + bwd_states
        return out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out_mask = mask if self.return_sequences else None
        if self.merge_mode is None:
            out_mask = [out_mask, out_mask]
        if self.return_state:
            n = self.forward_layer._n_states * 2
            return (out_mask if isinstance(out_mask, list) else [out_mask]) + [None] * n
        return out_mask

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "layer": self._layer_config, "merge_mode": self.merge_mode}
        if self._explicit_backward:
            config["backward_layer"] = {
                "class_name": type(self.backward_layer).__name__,
                "config": self.backward_layer.get_config(),
            }
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Bidirectional:
        from eagerkit._src.keras.layers import registry

        config = dict(config)
        config["layer"] = registry.deserialize(config["layer"], custom_objects=custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = registry.deserialize(config["backward_layer"], custom_objects=custom_objects)
        return super().from_config(config)
