"""Attention layers: EinsumDense and MultiHeadAttention (Keras' layout and equations).

MultiHeadAttention projects query/key/value with EinsumDense sublayers named
``query``, ``key``, ``value`` (kernels ``(dim, heads, head_dim)``) and combines the heads
with ``attention_output`` (kernel ``(heads, value_dim, out_dim)``), as tf.keras does.

>>> import eagerkit as ek
>>> mha = ek.keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
>>> out, scores = mha(ek.zeros([1, 3, 8]), ek.zeros([1, 5, 8]), return_attention_scores=True)
>>> out.shape, scores.shape
(TensorShape([1, 3, 8]), TensorShape([1, 2, 3, 5]))
"""

from __future__ import annotations

import math
import re
import string
from typing import Any

import numpy as np

from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.convert import convert_to_tensor
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.keras import activations, constraints, initializers, regularizers
from eagerkit._src.keras.engine.input_spec import InputSpec
from eagerkit._src.keras.engine.layer import Layer
from eagerkit._src.keras.layers.kernel_bias import KernelBiasOptions
from eagerkit._src.keras.layers.activation import Softmax
from eagerkit._src.keras.layers.core import Dropout
from eagerkit._src.ops import array_ops, math_ops


def _parse_equation(equation: str, input_shape: list[Any], output_shape: Any) -> tuple:
    """(kernel_shape, full_output_shape, input letters, kernel letters, output letters) of an EinsumDense."""
    plain = re.match(r"^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", equation)
    left = re.match(r"^\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)$", equation)
    if plain is None and left is None:
        raise ValueError(
            f"Invalid einsum equation {equation!r}. Equations must be in the form [X],[Y]->[Z] or ...[X],[Y]->...[Z]."
        )
    m = plain or left
    in_spec, kernel_spec, out_spec = m.group(1), m.group(2), m.group(3)
    out_partial = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    elided = len(input_shape) - len(in_spec)
    if plain is not None and elided != 0:
        raise ValueError(f"Einsum equation {equation!r} expects inputs of rank {len(in_spec)}, got {input_shape}.")
    if left is not None:
        in_dims = {c: input_shape[elided + i] for i, c in enumerate(in_spec)}
    else:
        in_dims = {c: input_shape[i] for i, c in enumerate(in_spec)}
    # output_shape excludes the batch dim (and elided dims); align it to the right of out_spec
    n_out = len(out_spec) if left is not None else len(out_spec) - 1
    if len(out_partial) != n_out:
        raise ValueError(
            f"EinsumDense: `output_shape` {tuple(out_partial)} must have {n_out} entries for equation {equation!r}."
        )
    offset = len(out_spec) - n_out
    out_dims: dict[str, Any] = {}
    for i, c in enumerate(out_spec):
        out_dims[c] = in_dims.get(c) if i < offset else out_partial[i - offset]
        if out_dims[c] is None and c in in_dims:
            out_dims[c] = in_dims[c]
    for c in out_spec:
        if c in in_dims and out_dims[c] is not None and in_dims[c] is not None and out_dims[c] != in_dims[c]:
            raise ValueError(
                f"Input shape and output shape do not match at shared dimension '{c}'. Input shape is "
                f"{in_dims[c]}, and output shape is {out_dims[c]}."
            )
        if c not in in_dims and c not in kernel_spec:
            raise ValueError(f"Dimension '{c}' was specified in the output '{out_spec}' but has no source.")
    kernel_shape = []
    for c in kernel_spec:
        if c in out_dims and c not in in_dims:
            kernel_shape.append(out_dims[c])
        elif c in in_dims:
            kernel_shape.append(in_dims[c])
        else:
            raise ValueError(f"Weight dimension '{c}' did not have a match in either the input or output spec.")
    if any(d is None for d in kernel_shape):
        raise ValueError(f"EinsumDense: cannot infer the kernel shape for {equation!r} from input {input_shape}.")
    return tuple(kernel_shape), in_spec, kernel_spec, out_spec, out_dims


class EinsumDense(KernelBiasOptions, Layer):
    """A dense layer of arbitrary dimensionality: ``einsum(equation, inputs, kernel) + bias``.

    Args:
      equation: ``"ab,bc->ac"`` style (optionally ``"...b,bc->...c"``).
      output_shape: the output shape without the batch dimension (None entries copy the input).
      activation: activation name or callable.
      bias_axes: output letters that get a bias (e.g. ``"c"``), or None.
      kernel_initializer / bias_initializer / *_regularizer / *_constraint: as in Dense.

    >>> import eagerkit as ek
    >>> layer = ek.keras.layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 4), bias_axes="de")
    >>> layer(ek.zeros([1, 3, 5])).shape, layer.kernel.shape
    (TensorShape([1, 3, 2, 4]), TensorShape([5, 2, 4]))
    """

    def __init__(
        self,
        equation: str,
        output_shape: Any,
        activation: Any = None,
        bias_axes: str | None = None,
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
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self.activation = activations.get(activation)
        self.bias_axes = bias_axes
        self._set_kernel_bias_options(
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            kernel_constraint,
            bias_constraint,
        )

    def build(self, input_shape: TensorShape) -> None:
        dims = TensorShape(input_shape).as_list()
        kernel_shape, in_spec, kernel_spec, out_spec, out_dims = _parse_equation(
            self.equation, dims, self.partial_output_shape
        )
        self.kernel = self._kernel_weight(
            "kernel", kernel_shape, self._fan_aware_initializer(kernel_spec, in_spec, kernel_shape)
        )
        if self.bias_axes:
            for c in self.bias_axes:
                if c not in out_spec:
                    raise ValueError(
                        f"Bias dimension '{c}' was requested, but is not part of the output spec '{out_spec}'."
                    )
            first = min(out_spec.find(c) for c in self.bias_axes)
            bias_shape = [out_dims[c] if c in self.bias_axes else 1 for c in out_spec[first:]]
            self.bias = self._bias_weight(tuple(bias_shape))
        else:
            self.bias = None
        self.input_spec = InputSpec(ndim=len(dims))

    def _fan_aware_initializer(self, kernel_spec: str, in_spec: str, kernel_shape: tuple) -> Any:
        """VarianceScaling over (input units, output units) of the kernel, as Keras 3 does for EinsumDense."""
        init = self.kernel_initializer
        if not isinstance(init, initializers.VarianceScaling) or len(kernel_shape) <= 2:
            return init
        in_axes = [i for i, c in enumerate(kernel_spec) if c in in_spec]
        out_axes = [i for i in range(len(kernel_spec)) if i not in in_axes]
        fan_in = math.prod(kernel_shape[i] for i in in_axes)
        fan_out = math.prod(kernel_shape[i] for i in out_axes)
        order = in_axes + out_axes
        inverse = list(np.argsort(order))

        def fan_init(shape: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
            flat = init((fan_in, fan_out), dtype=dtype)
            value = array_ops.reshape(flat, [kernel_shape[i] for i in order])
            return array_ops.transpose(value, inverse)

        return fan_init

    def call(self, inputs: Tensor) -> Tensor:
        out = math_ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            out = math_ops.add(out, self.bias)
        if self.activation is not activations.linear:
            out = self.activation(out)
        return out

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "equation": self.equation,
            "output_shape": self.partial_output_shape,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            **self._kernel_bias_config(self.activity_regularizer),
        }


def _letter(i: int) -> str:
    return string.ascii_lowercase[i]


def build_attention_equation(rank: int, attn_axes: tuple[int, ...]) -> tuple[str, str, int]:
    """(dot-product equation, combine equation, score rank) for projected tensors of ``rank``."""
    target = "".join(_letter(i) for i in range(rank))
    batch_dims = tuple(np.delete(range(rank), attn_axes + (rank - 1,)))
    offset = rank
    source = ""
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source += target[i]
        else:
            source += _letter(offset)
            offset += 1
    product = "".join([target[i] for i in batch_dims] + [target[i] for i in attn_axes] + [source[i] for i in attn_axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def build_proj_equation(free_dims: int, bound_dims: int, output_dims: int) -> tuple[str, str, int]:
    """(equation, bias axes, output rank) of a projection inside multi-head attention."""
    input_str = kernel_str = output_str = bias_axes = ""
    for i in range(free_dims):
        input_str += _letter(i)
        output_str += _letter(i)
    for i in range(bound_dims):
        c = _letter(free_dims + i)
        input_str += c
        kernel_str += c
    for i in range(output_dims):
        c = _letter(free_dims + bound_dims + i)
        kernel_str += c
        output_str += c
        bias_axes += c
    return f"{input_str},{kernel_str}->{output_str}", bias_axes, len(output_str)


def _output_shape(output_rank: int, known_last_dims: list[Any]) -> list[Any]:
    return [None] * (output_rank - len(known_last_dims)) + list(known_last_dims)


class MultiHeadAttention(Layer):
    """Multi-head (scaled dot-product) attention, as in "Attention Is All You Need".

    Args:
      num_heads: number of heads.
      key_dim: size of each head for query and key.
      value_dim: size of each head for value (default ``key_dim``).
      dropout: dropout rate on the attention probabilities while training.
      use_bias: projections have biases.
      output_shape: the output's last dimension(s) (default: the query's last dimension).
      attention_axes: axes attention runs over (default: all but batch, heads and features).
      kernel_initializer / bias_initializer / *_regularizer / *_constraint: for all projections.

    Call arguments: ``query``, ``value``, ``key=None`` (defaults to value), ``attention_mask``
    (boolean ``(B, T, S)``; True = attend), ``return_attention_scores``, ``training``,
    ``use_causal_mask`` (each position attends only to earlier ones).

    >>> import eagerkit as ek
    >>> mha = ek.keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    >>> query = ek.ones([1, 3, 8])
    >>> value = ek.ones([1, 5, 8])
    >>> out, scores = mha(query, value, return_attention_scores=True)
    >>> out.shape, scores.shape
    (TensorShape([1, 3, 8]), TensorShape([1, 2, 3, 5]))
    """

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape: Any = None,
        attention_axes: Any = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(num_heads, int) or num_heads <= 0:
            raise ValueError(f"MultiHeadAttention: `num_heads` must be a positive integer, got {num_heads!r}.")
        if not isinstance(key_dim, int) or key_dim <= 0:
            raise ValueError(f"MultiHeadAttention: `key_dim` must be a positive integer, got {key_dim!r}.")
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.value_dim = value_dim if value_dim else key_dim
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        if output_shape is not None and isinstance(output_shape, int):
            output_shape = (output_shape,)
        self._output_shape_arg = None if output_shape is None else tuple(output_shape)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        self.attention_axes = None if attention_axes is None else tuple(attention_axes)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._sub_activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self.key_dim))

    def _common(self) -> dict[str, Any]:
        return {
            "kernel_initializer": type(self.kernel_initializer).from_config(self.kernel_initializer.get_config())
            if isinstance(self.kernel_initializer, initializers.Initializer)
            else self.kernel_initializer,
            "bias_initializer": type(self.bias_initializer).from_config(self.bias_initializer.get_config())
            if isinstance(self.bias_initializer, initializers.Initializer)
            else self.bias_initializer,
            "kernel_regularizer": self.kernel_regularizer,
            "bias_regularizer": self.bias_regularizer,
            "activity_regularizer": self._sub_activity_regularizer,
            "kernel_constraint": self.kernel_constraint,
            "bias_constraint": self.bias_constraint,
            "dtype": self.dtype,
        }

    def _projection(self, free: int, bound: int, dims: list[int], name: str) -> EinsumDense:
        equation, bias_axes, rank = build_proj_equation(free, bound_dims=bound, output_dims=len(dims))
        return EinsumDense(
            equation,
            output_shape=_output_shape(rank - 1, dims),
            bias_axes=bias_axes if self.use_bias else None,
            name=name,
            **self._common(),
        )

    def build(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None) -> None:
        if value_shape is None:
            raise ValueError(f"MultiHeadAttention {self.name!r} needs both `query` and `value` inputs.")
        query_shape = TensorShape(query_shape).as_list()
        value_shape = TensorShape(value_shape).as_list()
        key_shape = value_shape if key_shape is None else TensorShape(key_shape).as_list()
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. Received: "
                f"value_shape={tuple(value_shape)} and key_shape={tuple(key_shape)}"
            )
        q_rank, v_rank, k_rank = len(query_shape), len(value_shape), len(key_shape)
        self._query_dense = self._projection(q_rank - 1, 1, [self.num_heads, self.key_dim], "query")
        self._query_dense.build(TensorShape(query_shape))
        self._query_dense.built = True
        self._key_dense = self._projection(k_rank - 1, 1, [self.num_heads, self.key_dim], "key")
        self._key_dense.build(TensorShape(key_shape))
        self._key_dense.built = True
        self._value_dense = self._projection(v_rank - 1, 1, [self.num_heads, self.value_dim], "value")
        self._value_dense.build(TensorShape(value_shape))
        self._value_dense.built = True
        rank = v_rank + 1
        if self.attention_axes is None:
            self._attn_axes = tuple(range(1, rank - 2))
        else:
            self._attn_axes = tuple(a if a >= 0 else (rank - 1) + a for a in self.attention_axes)
        self._dot_product_equation, self._combine_equation, scores_rank = build_attention_equation(
            rank, self._attn_axes
        )
        norm_axes = tuple(range(scores_rank - len(self._attn_axes), scores_rank))
        self._softmax = Softmax(axis=norm_axes, dtype=self.dtype)
        self._dropout_layer = Dropout(rate=self.dropout, seed=self.seed, dtype=self.dtype)
        out_dims = list(self._output_shape_arg) if self._output_shape_arg else [query_shape[-1]]
        self._output_dense = self._projection(q_rank - 1, 2, out_dims, "attention_output")
        dense_in = query_shape[:-1] + [self.num_heads, self.value_dim]
        self._output_dense.build(TensorShape(dense_in))
        self._output_dense.built = True

    def _causal_mask(self, query: Tensor, value: Tensor) -> Tensor:
        t, s = query.shape[1], value.shape[1]
        ones = array_ops.ones((1, t, s), dtype=_dtypes.int32)
        rows = math_ops.cumsum(ones, axis=-2)
        cols = math_ops.cumsum(ones, axis=-1)
        return math_ops.greater_equal(rows, cols)

    def call(
        self,
        query: Tensor,
        value: Tensor,
        key: Tensor | None = None,
        query_mask: Any = None,
        value_mask: Any = None,
        key_mask: Any = None,
        attention_mask: Any = None,
        return_attention_scores: bool = False,
        training: Any = None,
        use_causal_mask: bool = False,
    ) -> Any:
        if key is None:
            key = value
        mask = self._attention_mask(query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask)
        q = self._query_dense(query)
        k = self._key_dense(key)
        v = self._value_dense(value)
        q = math_ops.multiply(q, math_ops.cast(self._inverse_sqrt_key_dim, q.dtype))
        scores = math_ops.einsum(self._dot_product_equation, k, q)
        if mask is not None:
            expand_axis = -len(self._attn_axes) * 2 - 1
            for _ in range(scores.shape.rank - mask.shape.rank):
                mask = array_ops.expand_dims(mask, expand_axis)
        scores = self._softmax(scores, mask=mask)
        dropped = self._dropout_layer(scores, training=training) if self.dropout > 0 else scores
        out = math_ops.einsum(self._combine_equation, dropped, v)
        out = self._output_dense(out)
        if return_attention_scores:
            return out, scores
        return out

    def _attention_mask(
        self,
        query: Tensor,
        value: Tensor,
        query_mask: Any,
        value_mask: Any,
        key_mask: Any,
        attention_mask: Any,
        use_causal_mask: bool,
    ) -> Any:
        def as_bool(m: Any) -> Tensor:
            m = m if type(m) is Tensor else convert_to_tensor(m)
            return m if m.dtype.is_bool else math_ops.cast(m, _dtypes.bool)

        auto = None
        if query_mask is not None:
            auto = array_ops.expand_dims(as_bool(query_mask), -1)
        for m in (value_mask, key_mask):
            if m is not None:
                m = array_ops.expand_dims(as_bool(m), -2)
                auto = m if auto is None else math_ops.logical_and(auto, m)
        if use_causal_mask:
            m = self._causal_mask(query, value)
            auto = m if auto is None else math_ops.logical_and(auto, m)
        if attention_mask is not None:
            attention_mask = as_bool(attention_mask)
        if auto is not None:
            attention_mask = auto if attention_mask is None else math_ops.logical_and(attention_mask, auto)
        return attention_mask

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "output_shape": self._output_shape_arg,
            "attention_axes": self.attention_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._sub_activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "seed": self.seed,
        }
