"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda, Embedding.

>>> import eagerkit as ek
>>> layer = ek.keras.layers.Dense(2, kernel_initializer="ones", bias_initializer="ones")
>>> layer(ek.constant([[1.0, 2.0, 3.0]])).numpy().tolist()
[[7.0, 7.0]]
"""

from __future__ import annotations

import base64
import importlib
import inspect
import marshal
import types
from collections.abc import Callable
from typing import Any

from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.keras import activations, constraints, initializers, regularizers
from eagerkit._src.keras.engine import backend_config
from eagerkit._src.keras.engine.input_spec import InputSpec
from eagerkit._src.keras.engine.layer import Layer
from eagerkit._src.keras.layers.kernel_bias import KernelBiasOptions
from eagerkit._src.ops import array_ops, math_ops, nn_ops


def _positive_int(value: Any, arg: str, layer: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(
            f"Received an invalid value for `{arg}` of {layer}, expected a positive integer. Received: {arg}={value!r}"
        )
    return value


class Dense(KernelBiasOptions, Layer):
    """Densely-connected layer: ``activation(inputs @ kernel + bias)``.

    Inputs of rank > 2 are multiplied along their last axis.

    Args:
      units: output size.
      activation: activation name or callable (default: none).
      use_bias: add a bias vector.
      kernel_initializer / bias_initializer: default ``glorot_uniform`` / ``zeros``.
      kernel_regularizer / bias_regularizer / activity_regularizer: penalties added to ``losses``.
      kernel_constraint / bias_constraint: projections applied by optimizers.

    >>> import eagerkit as ek
    >>> ek.keras.layers.Dense(4)(ek.zeros([2, 3])).shape
    TensorShape([2, 4])
    """

    supports_masking = True

    def __init__(
        self,
        units: int,
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
        self.units = _positive_int(units, "units", "Dense")
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
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape: TensorShape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"The last dimension of the inputs to a Dense layer ({self.name!r}) should be defined. Found None. "
                f"Full input shape received: {input_shape}"
            )
        self.kernel = self._kernel_weight("kernel", (input_dim, self.units))
        self.bias = self._bias_weight((self.units,)) if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})

    def call(self, inputs: Tensor) -> Tensor:
        rank = inputs.shape.rank
        if rank == 2:
            out = math_ops.matmul(inputs, self.kernel)
        else:
            out = math_ops.tensordot(inputs, self.kernel, [[rank - 1], [0]])
        if self.bias is not None:
            out = nn_ops.bias_add(out, self.bias)
        if self.activation is not activations.linear:
            out = self.activation(out)
        return out

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **self._kernel_bias_config(self.activity_regularizer),
        }


class Activation(Layer):
    """Applies an activation function.

    >>> import eagerkit as ek
    >>> ek.keras.layers.Activation("relu")(ek.constant([-1.0, 1.0])).numpy().tolist()
    [0.0, 1.0]
    """

    supports_masking = True

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs: Tensor) -> Tensor:
        return self.activation(inputs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Zeroes a fraction ``rate`` of the inputs while training (scaling the rest by ``1/(1-rate)``).

    Outside training (``training`` False or not given) it returns its inputs unchanged. The
    mask comes from eagerkit's global generator (``ek.random.set_seed`` makes it reproducible).

    Args:
      rate: fraction of inputs to drop, in ``[0, 1)``.
      noise_shape: shape of the keep/drop mask (``None`` entries take the input's size),
        e.g. ``(batch, 1, features)`` to drop the same features at every timestep.
      seed: op-level seed folded into the global generator's key.

    >>> import eagerkit as ek
    >>> ek.keras.layers.Dropout(0.5)(ek.ones([2, 2]), training=False).numpy().tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """

    supports_masking = True

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(
                "Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                f"Received: rate={rate!r}"
            )
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return math_ops.multiply(inputs, math_ops.cast(0.0, inputs.dtype))
        noise_shape = None
        if self.noise_shape is not None:
            dims = inputs.shape.as_list()
            noise_shape = tuple(d if d is not None else dims[i] for i, d in enumerate(self.noise_shape))
        return nn_ops.dropout(inputs, self.rate, noise_shape=noise_shape, seed=self.seed)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}


class Flatten(Layer):
    """Flattens each example to one dimension: ``(batch, ...)`` -> ``(batch, n)``.

    >>> import eagerkit as ek
    >>> ek.keras.layers.Flatten()(ek.zeros([2, 3, 4])).shape
    TensorShape([2, 12])
    """

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = backend_config.standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs: Tensor) -> Tensor:
        rank = inputs.shape.rank
        if self.data_format == "channels_first" and rank > 2:
            inputs = array_ops.transpose(inputs, [0] + list(range(2, rank)) + [1])
        batch = inputs.shape[0]
        return array_ops.reshape(inputs, (batch, -1))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshapes each example to ``target_shape`` (one entry may be -1).

    >>> import eagerkit as ek
    >>> ek.keras.layers.Reshape((2, -1))(ek.zeros([3, 6])).shape
    TensorShape([3, 2, 3])
    """

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        target = tuple(int(d) for d in target_shape)
        if sum(1 for d in target if d == -1) > 1:
            raise ValueError(f"Reshape: there can be at most one -1 in `target_shape`. Received: {target}")
        if any(d == 0 or d < -1 for d in target):
            raise ValueError(f"Reshape: `target_shape` entries must be positive or -1. Received: {target}")
        self.target_shape = target

    def call(self, inputs: Tensor) -> Tensor:
        known = inputs.shape.as_list()[1:]
        size = 1
        for d in known:
            size *= d
        want = 1
        for d in self.target_shape:
            if d != -1:
                want *= d
        if (-1 not in self.target_shape and size != want) or (-1 in self.target_shape and size % want):
            raise ValueError(
                f"Layer {self.name!r}: cannot reshape an input of shape {inputs.shape} into target shape "
                f"{self.target_shape} (the total size of each example, {size}, must be unchanged)."
            )
        return array_ops.reshape(inputs, (inputs.shape[0],) + self.target_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Permutes the non-batch dimensions; ``dims`` is 1-indexed, e.g. ``(2, 1)`` swaps them.

    >>> import eagerkit as ek
    >>> ek.keras.layers.Permute((2, 1))(ek.zeros([4, 2, 3])).shape
    TensorShape([4, 3, 2])
    """

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be "
                f"consecutive and start from 1. Received dims={self.dims}"
            )
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs: Tensor) -> Tensor:
        return array_ops.transpose(inputs, (0,) + self.dims)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeats a ``(batch, features)`` input ``n`` times: ``(batch, n, features)``.

    >>> import eagerkit as ek
    >>> ek.keras.layers.RepeatVector(3)(ek.zeros([2, 4])).shape
    TensorShape([2, 3, 4])
    """

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n = _positive_int(n, "n", "RepeatVector")
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs: Tensor) -> Tensor:
        return array_ops.tile(array_ops.expand_dims(inputs, 1), [1, self.n, 1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "n": self.n}


# -- Lambda --------------------------------------------------------------------------------------
def _serialize_function(fn: Callable) -> dict[str, Any]:
    name = getattr(fn, "__name__", "")
    qualname = getattr(fn, "__qualname__", "")
    module = getattr(fn, "__module__", None)
    if name != "<lambda>" and "<locals>" not in qualname and module and fn.__closure__ is None:
        return {"class_name": "function", "config": {"module": module, "name": qualname}}
    code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
    closure = [c.cell_contents for c in fn.__closure__] if fn.__closure__ else None
    return {"class_name": "__lambda__", "config": {"code": code, "defaults": fn.__defaults__, "closure": closure}}


def _deserialize_function(config: Any) -> Callable:
    if callable(config):
        return config
    kind, inner = config["class_name"], config["config"]
    if kind == "function":
        obj: Any = importlib.import_module(inner["module"])
        for part in inner["name"].split("."):
            obj = getattr(obj, part)
        return obj
    import eagerkit

    code = marshal.loads(base64.b64decode(inner["code"]))
    closure = None
    if inner.get("closure") is not None:
        closure = tuple(types.CellType(v) for v in inner["closure"])
    globs = {"__builtins__": __builtins__, "ek": eagerkit, "tf": eagerkit}
    defaults = tuple(inner["defaults"]) if inner.get("defaults") is not None else None
    return types.FunctionType(code, globs, code.co_name, defaults, closure)


class Lambda(Layer):
    """Wraps an arbitrary function of tensors as a layer (for functional and Sequential models).

    The function must use eagerkit ops (``ek.*``). It may take ``mask`` and ``training``
    keyword arguments. Variables created inside it are not tracked: use a Layer subclass
    for state. ``get_config`` stores lambdas as Python bytecode (load only trusted configs).

    Args:
      function: the function, ``fn(inputs, **arguments)``.
      output_shape: the output shape without batch (or a function of the input shape),
        returned by ``compute_output_shape``; by default it is inferred by running the function.
      mask: an output mask, or a function ``(inputs, mask) -> mask``.
      arguments: extra keyword arguments passed to ``function``.

    >>> import eagerkit as ek
    >>> ek.keras.layers.Lambda(lambda x: x * 2.0)(ek.constant([1.0])).numpy().tolist()
    [2.0]
    """

    def __init__(
        self,
        function: Callable,
        output_shape: Any = None,
        mask: Any = None,
        arguments: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda expects a callable `function`, got {function!r}.")
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        self.mask = mask
        self.supports_masking = mask is not None
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        accepts_kwargs = any(p.kind == p.VAR_KEYWORD for p in params.values())
        self._fn_expects_mask = "mask" in params or accepts_kwargs
        self._fn_expects_training = "training" in params or accepts_kwargs

    def call(self, inputs: Any, mask: Any = None, training: Any = None) -> Any:
        kwargs = dict(self.arguments)
        if self._fn_expects_mask and mask is not None:
            kwargs["mask"] = mask
        if self._fn_expects_training and training is not None:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return TensorShape(self._output_shape(input_shape))
        batch = TensorShape(input_shape)[0] if not isinstance(input_shape, list) else TensorShape(input_shape[0])[0]
        return TensorShape((batch,) + tuple(self._output_shape))

    def get_config(self) -> dict[str, Any]:
        output_shape = self._output_shape
        if callable(output_shape):
            output_shape = _serialize_function(output_shape)
        mask = _serialize_function(self.mask) if callable(self.mask) else self.mask
        return {
            **super().get_config(),
            "function": _serialize_function(self.function),
            "output_shape": output_shape,
            "mask": mask,
            "arguments": self.arguments,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Lambda:
        config = dict(config)
        config["function"] = _deserialize_function(config["function"])
        if isinstance(config.get("output_shape"), dict):
            config["output_shape"] = _deserialize_function(config["output_shape"])
        if isinstance(config.get("mask"), dict):
            config["mask"] = _deserialize_function(config["mask"])
        return super().from_config(config)


class Embedding(Layer):
    """Maps integer indices to dense vectors: ``embeddings[inputs]``.

    Args:
      input_dim: vocabulary size (indices must be in ``[0, input_dim)``).
      output_dim: embedding size.
      embeddings_initializer: default ``'uniform'`` (``RandomUniform(-0.05, 0.05)``).
      embeddings_regularizer / activity_regularizer / embeddings_constraint: as in Dense.
      mask_zero: index 0 is padding; the layer then outputs a mask (``inputs != 0``)
        that Sequential/functional models pass to later layers (e.g. LSTM).

    >>> import eagerkit as ek
    >>> ek.keras.layers.Embedding(10, 4)(ek.constant([[1, 2, 3]])).shape
    TensorShape([1, 3, 4])
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        activity_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        input_length: int | None = None,
        **kwargs: Any,
    ) -> None:
        if input_length is not None and "input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,)
        kwargs.setdefault("autocast", False)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.input_dim = _positive_int(input_dim, "input_dim", "Embedding")
        self.output_dim = _positive_int(output_dim, "output_dim", "Embedding")
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.input_length = input_length

    def build(self, input_shape: TensorShape) -> None:
        self.embeddings = self.add_weight(
            "embeddings",
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )

    def call(self, inputs: Tensor) -> Tensor:
        if not inputs.dtype.is_integer:
            inputs = math_ops.cast(inputs, _dtypes.int32)
        return array_ops.gather(self.embeddings, inputs)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if not self.mask_zero:
            return None
        return math_ops.not_equal(inputs, math_ops.cast(0, inputs.dtype))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        if self.input_length is not None:
            config.pop("batch_input_shape", None)  # re-created from input_length
        return {
            **config,
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "input_length": self.input_length,
        }
