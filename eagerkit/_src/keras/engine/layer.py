"""``Layer``: the unit of computation and state in ``ek.keras`` (``tf.keras.layers.Layer``).

DESIGN: a layer is an :class:`AutoTrackable` whose state is Variables. ``__init__``
validates and stores configuration, ``build(input_shape)`` creates weights (once, on
the first call, with the input's shape), ``call`` computes with eagerkit ops (so tapes
record it and ``ek.function`` traces it), ``get_config`` round-trips the configuration.

* Weights are found, not registered: Variables held in attributes (or in lists/dicts
  of them) and those made by :meth:`add_weight` are the layer's own, in creation
  order; layers held in attributes are sublayers. ``weights`` lists the own weights
  (trainable first) followed by each sublayer's, depth first, as Keras 3 does.
* ``trainable = False`` freezes the layer and its sublayers: their weights move to
  ``non_trainable_weights``. The Variables' own ``trainable`` flags are not changed.
* ``__call__`` passes ``training`` to ``call`` when its signature accepts it; a value
  given to an outer layer reaches the layers called inside it (explicit values win).
* Called on :class:`KerasTensor` placeholders, a layer records a graph node instead of
  computing (see ``functional.py``); output shapes come from running ``call``
  abstractly (``shape_inference.py``).

>>> import eagerkit as ek
>>> class Scale(ek.keras.layers.Layer):
...     def build(self, input_shape):
...         self.w = self.add_weight("w", shape=(input_shape[-1],), initializer="ones")
...     def call(self, inputs):
...         return inputs * self.w
>>> layer = Scale()
>>> layer(ek.constant([[1.0, 2.0]])).numpy().tolist()
[[1.0, 2.0]]
>>> [v.name for v in layer.weights]
['scale/w:0']
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import numpy as np

from eagerkit._src.core import context
from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.convert import convert_to_tensor
from eagerkit._src.distribute import distribute_lib
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.core.tracking import AutoTrackable
from eagerkit._src.core.variable import Variable, VariableAggregation, VariableSynchronization
from eagerkit._src.keras import constraints as _constraints
from eagerkit._src.keras import initializers as _initializers
from eagerkit._src.keras import regularizers as _regularizers
from eagerkit._src.keras.engine import backend_config, call_context, shape_inference
from eagerkit._src.function import autograph_hook
from eagerkit._src.keras.engine.input_spec import InputSpec, assert_input_compatibility
from eagerkit._src.keras.engine.keras_tensor import KerasTensor
from eagerkit._src.ops import math_ops
from eagerkit._src.util import nest

_ALLOWED_INIT_KWARGS = frozenset(
    {
        "input_dim",
        "input_shape",
        "batch_input_shape",
        "batch_size",
        "weights",
        "activity_regularizer",
        "autocast",
        "input_dtype",
    }
)

#: Set by ``add_loss``; the outermost layer call clears per-call losses only when it is set.
_call_losses_pending = False

#: Every Layer subclass by class name (first definition wins); used to rebuild layers from configs.
_SUBCLASSES: dict[str, type] = {}


class _CallInfo(NamedTuple):
    first_arg: str | None
    has_training: bool
    training_position: int | None
    positional_names: tuple[str, ...]
    has_mask: bool
    training_default: Any
    accepts_kwargs: bool
    params: frozenset[str]


@functools.cache
def _call_info(call_fn: Callable) -> _CallInfo:
    sig = inspect.signature(call_fn)
    params = list(sig.parameters.values())[1:]
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    names = {p.name for p in params}
    training = sig.parameters.get("training")
    default = None
    if training is not None and training.default is not inspect.Parameter.empty:
        default = training.default
    position = next((i for i, p in enumerate(positional) if p.name == "training"), None)
    return _CallInfo(
        first_arg=positional[0].name if positional else None,
        has_training="training" in names,
        training_position=position,
        positional_names=tuple(p.name for p in positional),
        has_mask="mask" in names,
        training_default=default,
        accepts_kwargs=any(p.kind == p.VAR_KEYWORD for p in params),
        params=frozenset(names),
    )


@functools.cache
def _build_arg_names(build_fn: Callable) -> tuple[str, ...]:
    params = list(inspect.signature(build_fn).parameters.values())[1:]
    return tuple(p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


def _default_build(fn: Callable) -> Callable:
    fn._ek_default_build = True
    return fn


def _shape_of(x: Any) -> Any:
    shape = getattr(x, "shape", None)
    if shape is None:
        return None
    return shape_inference.unfill_shape(TensorShape(shape))


def _is_python_number(x: Any) -> bool:
    return isinstance(x, (bool, int, float)) or (isinstance(x, (list, tuple)) and all(_is_python_number(v) for v in x))


def _dtype_from_arg(dtype: Any) -> _dtypes.DType:
    if dtype is None:
        return _dtypes.as_dtype(backend_config.floatx())
    if isinstance(dtype, dict):  # Keras 3 DTypePolicy config
        dtype = (dtype.get("config") or {}).get("name", backend_config.floatx())
    name = getattr(dtype, "name", dtype)
    if isinstance(name, str) and name.startswith("mixed_"):
        raise ValueError(
            f"dtype policy {name!r} is not supported by eagerkit; pass a plain dtype such as 'float32', "
            "'float16' or 'bfloat16'."
        )
    return _dtypes.as_dtype(dtype)


class Layer(AutoTrackable):
    """Base class of all layers (``tf.keras.layers.Layer``).

    Args:
      trainable: whether the layer's weights are trained (``layer.trainable = False`` freezes).
      name: a unique name; default: the snake_case class name plus a counter.
      dtype: the dtype of weights and computations (default ``'float32'``). Floating inputs
        are cast to it.
      **kwargs: ``input_shape`` / ``input_dim`` / ``batch_input_shape`` / ``batch_size``
        (the input shape of the first layer of a model), ``activity_regularizer``,
        ``weights`` (initial values set after build), ``autocast``.

    Subclasses override ``build`` (create weights with :meth:`add_weight`), ``call`` and
    ``get_config``.

    >>> import eagerkit as ek
    >>> class Scale(ek.keras.layers.Layer):
    ...     def build(self, input_shape):
    ...         self.scale = self.add_weight(name="scale", shape=(input_shape[-1],), initializer="ones")
    ...     def call(self, x):
    ...         return x * self.scale
    ...     def get_config(self):
    ...         return super().get_config()
    >>> layer = Scale()
    >>> layer(ek.constant([[1.0, 2.0]]))
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[1., 2.]], dtype=float32)>
    >>> [w.shape for w in layer.weights]
    [TensorShape([2])]
    >>> layer.trainable = False
    >>> len(layer.trainable_weights), len(layer.non_trainable_weights)
    (0, 1)
    """

    _untracked_attributes = frozenset(
        {
            "_created_weights",
            "_weight_regularizers",
            "_inbound_nodes",
            "_outbound_nodes",
            "_call_losses",
            "_callable_losses",
            "_initial_weights",
            "_init_call_args",
            "input_spec",
        }
    )
    supports_masking: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _SUBCLASSES.setdefault(cls.__name__, cls)

    def __new__(cls, *args: Any, **kwargs: Any) -> Layer:
        obj = object.__new__(cls)
        obj.__dict__["_init_call_args"] = (args, kwargs)
        return obj

    def __init__(
        self, trainable: bool = True, name: str | None = None, dtype: Any = None, dynamic: bool = False, **kwargs: Any
    ) -> None:
        unknown = {k: v for k, v in kwargs.items() if k not in _ALLOWED_INIT_KWARGS}
        if unknown:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {unknown}. "
                f"Accepted extra arguments are: {', '.join(sorted(_ALLOWED_INIT_KWARGS))}."
            )
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(
                f"Argument `name` must be a string without '/'. Received: name={name!r} "
                f"for layer {type(self).__name__}."
            )
        self._name = name or backend_config.unique_name(backend_config.to_snake_case(type(self).__name__))
        self._distribution_strategy = distribute_lib.get_strategy() if distribute_lib.has_strategy() else None
        self._trainable = bool(trainable)
        self._dtype = _dtype_from_arg(dtype)
        self._autocast = bool(kwargs.get("autocast", True))
        self.dynamic = bool(dynamic)
        self.built = False
        self._build_input_shape: Any = None
        self.input_spec: Any = getattr(self, "input_spec", None)
        self._inbound_nodes: list = []
        self._outbound_nodes: list = []
        self._call_losses: list = []
        self._callable_losses: list = []
        self._created_weights: list = []
        self._weight_regularizers: list = []
        self._initial_weights = kwargs.get("weights")
        self.activity_regularizer = _regularizers.get(kwargs.get("activity_regularizer"))
        self._batch_input_shape: tuple | None = None
        if "batch_input_shape" in kwargs and kwargs["batch_input_shape"] is not None:
            self._batch_input_shape = tuple(kwargs["batch_input_shape"])
        elif "input_shape" in kwargs or "input_dim" in kwargs:
            input_shape = kwargs.get("input_shape")
            if input_shape is None:
                input_shape = (kwargs["input_dim"],)
            if isinstance(input_shape, int):
                input_shape = (input_shape,)
            self._batch_input_shape = (kwargs.get("batch_size"),) + tuple(input_shape)
        self._input_dtype = kwargs.get("input_dtype")

    # -- identity ------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The layer's unique name."""
        return self._name

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights, as a string (``'float32'``)."""
        return self._dtype.name

    @property
    def compute_dtype(self) -> str:
        """The dtype of the layer's computations (floating inputs are cast to it)."""
        return self._dtype.name

    @property
    def variable_dtype(self) -> str:
        """The dtype of the layer's weights."""
        return self._dtype.name

    @property
    def stateful(self) -> bool:
        return getattr(self, "_stateful", False)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    # -- structure ------------------------------------------------------------------------------
    def _attribute_values(self) -> list[Any]:
        skip = type(self)._untracked_attributes
        return [v for k, v in vars(self).items() if k not in skip and not k.startswith("__")]

    def _own_variables(self) -> list[Variable]:
        """Variables held directly (attributes, containers, add_weight), in creation order."""
        found: dict[int, Variable] = {}

        def visit(v: Any) -> None:
            if isinstance(v, Variable):
                found.setdefault(id(v), v)
            elif isinstance(v, (list, tuple)):
                for x in v:
                    visit(x)
            elif isinstance(v, dict):
                for x in v.values():
                    visit(x)

        for v in self._created_weights:
            visit(v)
        for v in self._attribute_values():
            visit(v)
        return sorted(found.values(), key=lambda var: var._unique_id)

    def _direct_sublayers(self) -> list[Layer]:
        """Layers held in attributes (or containers of them), in attribute order."""
        out: list[Layer] = []
        seen: set[int] = {id(self)}

        def visit(v: Any) -> None:
            if isinstance(v, Layer):
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
            elif isinstance(v, (list, tuple)):
                for x in v:
                    visit(x)
            elif isinstance(v, dict):
                for x in v.values():
                    visit(x)

        for v in self._attribute_values():
            visit(v)
        return out

    def _flatten_layers(self, include_self: bool = True, recursive: bool = True) -> list[Layer]:
        """This layer (optionally) and its sublayers, depth first, each once."""
        out: list[Layer] = []
        seen: set[int] = set()

        def visit(layer: Layer, depth: int) -> None:
            if id(layer) in seen:
                return
            seen.add(id(layer))
            out.append(layer)
            if recursive or depth == 0:
                for sub in layer._direct_sublayers():
                    visit(sub, depth + 1)

        visit(self, 0)
        return out if include_self else out[1:]

    @property
    def submodules(self) -> tuple[Layer, ...]:
        """All sublayers, recursively."""
        return tuple(self._flatten_layers(include_self=False))

    def _trackable_children(self) -> dict[str, Any]:
        out = super()._trackable_children()
        reachable: set[int] = set()
        for value in out.values():
            for leaf in value if isinstance(value, (list, tuple)) else [value]:
                reachable.add(id(leaf))
            if isinstance(value, dict):
                reachable.update(id(x) for x in value.values())
        for var in self._created_weights:
            if id(var) in reachable:
                continue
            key = var._name.rsplit("/", 1)[-1]
            base, i = key, 1
            while key in out:
                key = f"{base}_{i}"
                i += 1
            out[key] = var
        return out

    # -- weights --------------------------------------------------------------------------------
    def _weights_with_trainability(self) -> list[tuple[Variable, bool]]:
        out: list[tuple[Variable, bool]] = []
        seen: set[int] = set()
        for layer in self._flatten_layers():
            own = layer._own_variables()
            ordered = [v for v in own if v._trainable] + [v for v in own if not v._trainable]
            for v in ordered:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append((v, layer._trainable and v._trainable))
        return out

    @property
    def weights(self) -> list[Variable]:
        """All weights: own (trainable first, creation order), then each sublayer's."""
        return [v for v, _ in self._weights_with_trainability()]

    @property
    def trainable_weights(self) -> list[Variable]:
        """Weights an optimizer should update ([] when the layer is frozen)."""
        if not self._trainable:
            return []
        return [v for v, t in self._weights_with_trainability() if t]

    @property
    def non_trainable_weights(self) -> list[Variable]:
        """Weights not trained: non-trainable Variables (BatchNorm statistics) and frozen layers' weights."""
        if not self._trainable:
            return self.weights
        return [v for v, t in self._weights_with_trainability() if not t]

    @property
    def variables(self) -> list[Variable]:
        """Same as :attr:`weights`."""
        return self.weights

    @property
    def trainable_variables(self) -> list[Variable]:
        """Same as :attr:`trainable_weights`."""
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list[Variable]:
        """Same as :attr:`non_trainable_weights`."""
        return self.non_trainable_weights

    @property
    def trainable(self) -> bool:
        """Whether the layer is trained; setting it applies to all sublayers too."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        for layer in self._flatten_layers():
            layer._trainable = value

    def add_weight(
        self,
        name: str | None = None,
        shape: Any = None,
        dtype: Any = None,
        initializer: Any = None,
        regularizer: Any = None,
        trainable: bool | None = None,
        constraint: Any = None,
        use_resource: bool | None = None,
        synchronization: int = VariableSynchronization.AUTO,
        aggregation: int = VariableAggregation.NONE,
        **kwargs: Any,
    ) -> Variable:
        """Creates a weight Variable of this layer (eagerly, even inside an ``ek.function`` trace).

        Args:
          name: the weight's name; the Variable is named ``'<layer>/<name>:0'``.
          shape: the weight's shape (all dimensions known). ``add_weight(shape=...)`` with the
            shape first positionally also works (Keras 3 order).
          dtype: default: the layer's dtype.
          initializer: name, Initializer or callable; default ``glorot_uniform`` for floats,
            ``zeros`` otherwise.
          regularizer: adds ``regularizer(weight)`` to ``layer.losses``.
          trainable: default True (False for ``ON_READ`` synchronization).
          constraint: projection applied by optimizers after each update.

        >>> import eagerkit as ek
        >>> layer = ek.keras.layers.Layer(name="holder")
        >>> layer.add_weight("w", shape=(2,), initializer="zeros").name
        'holder/w:0'
        """
        unknown = set(kwargs) - {"autocast", "experimental_autocast", "caching_device", "getter", "partitioner"}
        if unknown:
            raise TypeError(f"add_weight() got unexpected keyword arguments {sorted(unknown)} (layer {self.name!r}).")
        if name is not None and not isinstance(name, str):
            if shape is not None:
                raise TypeError(f"add_weight(): `name` must be a string, got {name!r} (layer {self.name!r}).")
            name, shape = None, name
        shape = () if shape is None else ((shape,) if isinstance(shape, int) else tuple(TensorShape(shape).as_list()))
        if any(d is None for d in shape):
            raise ValueError(
                f"Layer {self.name!r}: cannot create weight {name!r} of shape {shape} with an unknown dimension. "
                "Build the layer with a fully known input shape (e.g. give the last input dimension a size)."
            )
        dt = _dtypes.as_dtype(dtype) if dtype is not None else self._dtype
        if initializer is None:
            initializer = "glorot_uniform" if dt.is_floating else "zeros"
        init = _initializers.get(initializer)
        if trainable is None:
            trainable = synchronization != VariableSynchronization.ON_READ
        name = name or "variable"
        with context.init_scope():
            value = init(shape, dtype=dt)
            var = Variable(
                value,
                trainable=trainable,
                name=f"{self.name}/{name}",
                dtype=dt,
                constraint=_constraints.get(constraint),
                synchronization=synchronization,
                aggregation=aggregation,
            )
        self._created_weights.append(var)
        reg = _regularizers.get(regularizer)
        if reg is not None:
            self._weight_regularizers.append((var, reg))
        return var

    def get_weights(self) -> list[np.ndarray]:
        """The weights' values as NumPy arrays (order of :attr:`weights`).

        >>> import eagerkit as ek
        >>> layer = ek.keras.layers.Dense(2, kernel_initializer="ones")
        >>> _ = layer(ek.ones([1, 3]))
        >>> [w.shape for w in layer.get_weights()]
        [(3, 2), (2,)]
        """
        return [np.asarray(v.numpy()) for v in self.weights]

    def set_weights(self, weights: list[Any]) -> None:
        """Assigns values (same order and shapes as :attr:`weights`).

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> layer = ek.keras.layers.Dense(2)
        >>> _ = layer(ek.ones([1, 3]))
        >>> layer.set_weights([np.ones((3, 2)), np.zeros(2)])
        >>> layer(ek.ones([1, 3]))
        <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[3., 3.]], dtype=float32)>
        """
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(
                f"Layer {self.name!r}: you called `set_weights(weights)` with a weight list of length "
                f"{len(weights)}, but the layer was expecting {len(params)} weights "
                f"({[tuple(v.shape) for v in params]})."
            )
        for var, value in zip(params, weights):
            arr = np.asarray(value)
            if tuple(var.shape) != arr.shape:
                raise ValueError(
                    f"Layer {self.name!r} weight {var.name} has shape {tuple(var.shape)}, but the value "
                    f"provided has shape {arr.shape}."
                )
            with context.init_scope():
                var.assign(arr.astype(var.dtype.as_numpy_dtype))

    def count_params(self) -> int:
        """Total number of scalars in :attr:`weights` (the layer must be built).

        >>> import eagerkit as ek
        >>> layer = ek.keras.layers.Dense(4)
        >>> _ = layer(ek.ones([1, 3]))
        >>> layer.count_params()  # 3 * 4 kernel + 4 bias
        16
        """
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't built. "
                "You can build it manually via: `layer.build(input_shape)`."
            )
        return int(sum(int(np.prod(v.shape.as_list())) for v in self.weights))

    # -- losses ---------------------------------------------------------------------------------
    def add_loss(self, loss: Any, inputs: Any = None) -> None:
        """Adds a loss (a scalar Tensor computed in ``call``, or a zero-argument callable).

        Tensor losses are cleared at the start of each outermost call; callables are
        evaluated each time :attr:`losses` is read.

        >>> import eagerkit as ek
        >>> class ActivityPenalty(ek.keras.layers.Layer):
        ...     def call(self, x):
        ...         self.add_loss(0.1 * ek.reduce_sum(x))
        ...         return x
        >>> layer = ActivityPenalty()
        >>> _ = layer(ek.ones([2, 2]))
        >>> layer.losses
        [<tf.Tensor: shape=(), dtype=float32, numpy=0.4>]
        """
        if call_context.in_symbolic_scope():
            return
        global _call_losses_pending
        _call_losses_pending = True
        for item in nest.flatten(loss):
            if item is None:
                continue
            if callable(item) and not isinstance(item, (Tensor, Variable)):
                self._callable_losses.append(item)
            else:
                self._call_losses.append(item if type(item) is Tensor else convert_to_tensor(item))

    @property
    def losses(self) -> list[Tensor]:
        """Losses added during the last call, plus weight-regularization penalties (recomputed now)."""
        out: list[Tensor] = []
        for layer in self._flatten_layers():
            out.extend(layer._call_losses)
            for fn in layer._callable_losses:
                value = fn()
                if value is not None:
                    out.append(value if type(value) is Tensor else convert_to_tensor(value))
            if layer._trainable:
                for var, reg in layer._weight_regularizers:
                    if var._trainable:
                        out.append(reg(var))
        return out

    def _clear_losses(self) -> None:
        global _call_losses_pending
        if not _call_losses_pending:  # nothing was added since the last clearing
            return
        for layer in self._flatten_layers():
            if layer._call_losses:
                layer._call_losses.clear()
        _call_losses_pending = False

    # -- building -------------------------------------------------------------------------------
    @_default_build
    def build(self, input_shape: Any) -> None:
        """Creates the layer's weights for inputs of ``input_shape`` (called once, by ``__call__``).

        >>> import eagerkit as ek
        >>> class Bias(ek.keras.layers.Layer):
        ...     def build(self, input_shape):
        ...         self.b = self.add_weight(name="b", shape=(input_shape[-1],), initializer="zeros")
        ...     def call(self, x):
        ...         return x + self.b
        >>> layer = Bias()
        >>> layer.built
        False
        >>> _ = layer(ek.ones([2, 5]))  # the first call builds
        >>> layer.built, layer.b.shape
        (True, TensorShape([5]))
        """
        self._build_input_shape = input_shape
        self.built = True

    def _maybe_build(self, args: tuple, kwargs: dict) -> None:
        inputs = args[0]
        input_shape = nest.map_structure(_shape_of, inputs)
        build_fn = type(self).build
        if getattr(build_fn, "_ek_default_build", False):
            self._build_input_shape = input_shape
            self.built = True
            return
        names = _build_arg_names(build_fn)
        extra: dict[str, Any] = {}
        if len(names) > 1:
            info = _call_info(type(self).call)
            call_values = dict(kwargs)
            positional_names = [p for p in inspect.signature(type(self).call).parameters][1:]
            for pname, value in zip(positional_names, args):
                call_values[pname] = value
            for bname in names[1:]:
                if bname.endswith("_shape") and bname[: -len("_shape")] in call_values:
                    value = call_values[bname[: -len("_shape")]]
                    extra[bname] = None if value is None else nest.map_structure(_shape_of, value)
            del info
        with context.init_scope():
            self.build(input_shape, **extra)
        self._build_input_shape = input_shape
        self.built = True
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    def _check_input_spec(self, inputs: Any) -> None:
        spec = self.input_spec
        if spec is None:
            return
        if type(inputs) is Tensor:
            shapes: tuple = (inputs._value.shape,)
        else:
            shapes = tuple(tuple(x.shape) for x in nest.flatten(inputs) if hasattr(x, "shape"))
        key = (id(spec), shapes)
        if self.__dict__.get("_input_spec_ok") == key:  # same shapes as the last accepted call
            return
        assert_input_compatibility(
            spec,
            [TensorShape(s) for s in shapes],
            self.name,
            built_shape=self._build_input_shape if isinstance(self._build_input_shape, TensorShape) else None,
        )
        self.__dict__["_input_spec_ok"] = key

    # -- calling --------------------------------------------------------------------------------
    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """The layer's computation; the base layer returns its inputs unchanged.

        >>> import eagerkit as ek
        >>> class Double(ek.keras.layers.Layer):
        ...     def call(self, inputs, training=None):
        ...         return inputs * 2.0 if training else inputs
        >>> Double()(ek.constant([1.0]), training=True)
        <tf.Tensor: shape=(1,), dtype=float32, numpy=array([2.], dtype=float32)>
        >>> Double()(ek.constant([1.0]))
        <tf.Tensor: shape=(1,), dtype=float32, numpy=array([1.], dtype=float32)>
        """
        return inputs

    def _convert_inputs(self, inputs: Any) -> Any:
        compute = self._dtype

        def convert(x: Any) -> Any:
            t = type(x)
            if t is Tensor:
                pass
            elif isinstance(x, (np.ndarray, np.generic, jax.Array)):
                x = convert_to_tensor(x)
            else:
                return x
            if self._autocast and x.dtype != compute and x.dtype.is_floating and compute.is_floating:
                x = math_ops.cast(x, compute)
            return x

        if type(inputs) is Tensor:
            return convert(inputs)
        if isinstance(inputs, (list, tuple)) and inputs and _is_python_number(inputs):
            inputs = convert_to_tensor(inputs)
            return convert(inputs)
        return nest.map_structure(convert, inputs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        info = _call_info(type(self).call)
        if not args:
            key = info.first_arg if info.first_arg in kwargs else "inputs"
            if key not in kwargs:
                raise TypeError(f"Layer {self.name!r} was called without inputs. Call it as `layer(inputs, ...)`.")
            args = (kwargs.pop(key),)
        if _has_keras_tensor(args, kwargs):
            return self._symbolic_call(args, kwargs)
        args = (self._convert_inputs(args[0]),) + args[1:]
        explicit = kwargs.pop("training", None)
        position = info.training_position
        if position is not None and len(args) > position:  # training given positionally
            explicit = args[position] if explicit is None else explicit
            for name, value in zip(info.positional_names[position + 1 :], args[position + 1 :]):
                kwargs[name] = value
            args = args[:position]
        if explicit is not None:
            training = explicit
        else:
            training = call_context.current_training()
            if training is None:
                training = info.training_default
        if info.has_training or (info.accepts_kwargs and explicit is not None):
            kwargs["training"] = training
        if "mask" in kwargs and not (info.has_mask or info.accepts_kwargs):
            kwargs.pop("mask")
        if call_context.is_top_level() and not call_context.in_symbolic_scope():
            self._clear_losses()
        with call_context.enter(training):
            if not self.built:
                self._check_input_spec(args[0])
                self._maybe_build(args, kwargs)
            self._check_input_spec(args[0])
            call = self.call
            if context.inside_trace():
                # As tf.keras does: a user's `call` gets AutoGraph inside ek.function (library layers are
                # left as written by the converter).
                call = autograph_hook.convert(call)
            outputs = call(*args, **kwargs)
            if self.activity_regularizer is not None and not call_context.in_symbolic_scope():
                self._add_activity_loss(outputs)
        return outputs

    def _add_activity_loss(self, outputs: Any) -> None:
        for out in nest.flatten(outputs):
            if type(out) is not Tensor or not out.dtype.is_floating:
                continue
            loss = self.activity_regularizer(out)
            batch = out.shape[0] if out.shape.rank else 1
            self.add_loss(math_ops.truediv(loss, math_ops.cast(batch, loss.dtype)))

    def _symbolic_call(self, args: tuple, kwargs: dict) -> Any:
        inputs = args[0]
        if not self.built:
            self._check_input_spec(inputs)
            self._maybe_build(args, kwargs)
        self._check_input_spec(inputs)
        try:
            outputs = shape_inference.output_spec(self.__call__, args, kwargs)
        except Exception as e:
            e.add_note(
                f"(Raised while layer {self.name!r} ran on placeholders to infer its output shape, because it was "
                "called on KerasTensors. Layers used in functional models must work on symbolic values: no "
                ".numpy() and no Python branches on tensor values; use ek ops such as ek.where/ek.cond.)"
            )
            raise
        from eagerkit._src.keras.engine.node import Node

        Node(self, args, kwargs, outputs)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape for inputs of ``input_shape`` (builds the layer if needed).

        The default runs ``call`` abstractly; layers may override it.

        >>> import eagerkit as ek
        >>> ek.keras.layers.Dense(5).compute_output_shape((None, 3))
        TensorShape([None, 5])
        >>> ek.keras.layers.Flatten().compute_output_shape((None, 2, 3))
        TensorShape([None, 6])
        """

        def is_shape(s: Any) -> bool:
            return isinstance(s, TensorShape) or (
                isinstance(s, (list, tuple)) and all(d is None or isinstance(d, int) for d in s)
            )

        def to_kt(s: Any) -> KerasTensor:
            return KerasTensor(TensorShape(s), self._dtype)

        if is_shape(input_shape):
            placeholders = to_kt(input_shape)
        elif isinstance(input_shape, dict):
            placeholders = {k: to_kt(v) for k, v in input_shape.items()}
        else:
            placeholders = [to_kt(s) for s in input_shape]
        if not self.built:
            shapes = nest.map_structure(lambda kt: kt.shape, placeholders)
            with context.init_scope():
                if getattr(type(self).build, "_ek_default_build", False):
                    self.built = True
                else:
                    self.build(shapes)
                self.built = True
                self._build_input_shape = shapes
        out = shape_inference.output_spec(self.__call__, (placeholders,), {})
        return nest.map_structure(lambda kt: kt.shape if isinstance(kt, KerasTensor) else kt, out)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The mask of the outputs: the input mask if ``supports_masking``, else None.

        >>> import eagerkit as ek
        >>> embed = ek.keras.layers.Embedding(10, 2, mask_zero=True)
        >>> embed.compute_mask(ek.constant([[3, 0]]))
        <tf.Tensor: shape=(1, 2), dtype=bool, numpy=array([[ True, False]])>
        """
        return mask if self.supports_masking else None

    # -- functional-graph accessors ---------------------------------------------------------------
    def _single_node(self, what: str) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer {self.name!r} has never been called on a KerasTensor and thus has no defined {what}."
            )
        if len(self._inbound_nodes) > 1:
            raise AttributeError(
                f"Layer {self.name!r} has multiple inbound nodes, hence the notion of 'layer {what}' is "
                "ill-defined. Use the node's tensors instead."
            )
        return self._inbound_nodes[0]

    @property
    def input(self) -> Any:
        """The KerasTensor(s) this layer was called on (single-node layers only)."""
        node = self._single_node("input")
        return node.call_args[0] if node.call_args else node.outputs

    @property
    def output(self) -> Any:
        """The KerasTensor(s) this layer produced (single-node layers only)."""
        return self._single_node("output").outputs

    @property
    def input_shape(self) -> Any:
        return nest.map_structure(lambda t: tuple(t.shape.as_list()), self.input)

    @property
    def output_shape(self) -> Any:
        return nest.map_structure(lambda t: tuple(t.shape.as_list()), self.output)

    # -- config -----------------------------------------------------------------------------------
    def _auto_config(self) -> dict[str, Any]:
        args, kwargs = self.__dict__.get("_init_call_args", ((), {}))
        sig = inspect.signature(type(self).__init__)
        try:
            bound = sig.bind(None, *args, **kwargs)
        except TypeError:
            return {}
        out: dict[str, Any] = {}
        for pname, value in list(bound.arguments.items())[1:]:
            param = sig.parameters[pname]
            if param.kind == param.VAR_KEYWORD:
                out.update(value)
            elif param.kind == param.VAR_POSITIONAL:
                continue
            else:
                out[pname] = value
        return out

    def get_config(self) -> dict[str, Any]:
        """The layer's constructor arguments as a dict (``Layer.from_config`` inverts it).

        >>> import eagerkit as ek
        >>> config = ek.keras.layers.Dense(3, activation="relu", name="out").get_config()
        >>> config["name"], config["units"], config["activation"]
        ('out', 3, 'relu')
        """
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        if type(self).get_config is Layer.get_config and type(self).__init__ is not Layer.__init__:
            extra = {k: v for k, v in self._auto_config().items() if k not in config}
            bad = [k for k, v in extra.items() if not _is_plain_config_value(v)]
            if bad:
                raise NotImplementedError(
                    f"Layer {type(self).__name__} has arguments {bad} in `__init__()` that are not plain "
                    "values, and therefore must override `get_config()` to return them serializably."
                )
            config.update(extra)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Creates a layer from :meth:`get_config`'s output.

        >>> import eagerkit as ek
        >>> layer = ek.keras.layers.Dense(3, activation="relu")
        >>> copy = ek.keras.layers.Dense.from_config(layer.get_config())
        >>> copy.units, copy.activation.__name__
        (3, 'relu')
        """
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = _dtype_from_arg(config["dtype"]).name
        if "batch_shape" in config and "batch_input_shape" not in config and cls.__name__ != "InputLayer":
            config["batch_input_shape"] = config.pop("batch_shape")
        return cls(**config)


def _has_keras_tensor(args: tuple, kwargs: dict) -> bool:
    for x in args:
        t = type(x)
        if t is Tensor:
            continue
        if t is KerasTensor or isinstance(x, (list, tuple, dict, KerasTensor)):
            break
    else:
        for x in kwargs.values():
            if isinstance(x, (list, tuple, dict, KerasTensor)):
                break
        else:
            return False
    return any(isinstance(x, KerasTensor) for x in nest.flatten((args, kwargs)))


def _is_plain_config_value(v: Any) -> bool:
    if v is None or isinstance(v, (bool, int, float, str)):
        return True
    if isinstance(v, (list, tuple)):
        return all(_is_plain_config_value(x) for x in v)
    if isinstance(v, dict):
        return all(isinstance(k, str) and _is_plain_config_value(x) for k, x in v.items())
    return False


__all__ = ["Layer", "InputSpec"]
