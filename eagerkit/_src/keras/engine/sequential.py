"""``Sequential``: a plain stack of layers, each feeding the next (``tf.keras.Sequential``).

When the input shape is known (``input_shape=`` on the first layer, or an
``ek.keras.Input``/``InputLayer`` first) the model is built at construction: every
layer is called on a KerasTensor, which creates its weights and records output
shapes. Otherwise each layer builds on the first real call, from the shapes it sees.
Calling the model always runs the layers eagerly, one after the other, passing
masks along (``Embedding(mask_zero=True)`` -> ``LSTM``).

>>> import eagerkit as ek
>>> model = ek.keras.Sequential([
...     ek.keras.layers.Conv2D(16, [3, 3], activation="relu", input_shape=(None, None, 1)),
...     ek.keras.layers.Conv2D(16, [3, 3], activation="relu"),
...     ek.keras.layers.GlobalAveragePooling2D(),
...     ek.keras.layers.Dense(10),
... ])
>>> model.count_params()
2650
>>> model(ek.zeros([1, 28, 28, 1])).shape
TensorShape([1, 10])
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.keras.engine.input_layer import InputLayer
from eagerkit._src.keras.engine.keras_tensor import KerasTensor
from eagerkit._src.keras.engine.layer import Layer, _call_info, _default_build
from eagerkit._src.keras.engine.model import Model


class Sequential(Model):
    """A linear stack of layers.

    Args:
      layers: the initial layers (an ``ek.keras.Input`` may come first).
      name: the model name (default ``sequential``, ``sequential_1``, ...).
      trainable: whether the model's weights are trained.

    >>> import eagerkit as ek
    >>> model = ek.keras.Sequential([
    ...     ek.keras.Input(shape=(4,)),
    ...     ek.keras.layers.Dense(8, activation="relu"),
    ...     ek.keras.layers.Dense(2),
    ... ])
    >>> model.count_params()
    58
    >>> model.add(ek.keras.layers.Softmax())
    >>> model(ek.ones([3, 4])).shape
    TensorShape([3, 2])
    >>> [layer.name for layer in model.layers][-1].startswith("softmax")
    True
    """

    _untracked_attributes = Model._untracked_attributes | {"_graph_nodes"}

    def __init__(self, layers: list[Any] | None = None, name: str | None = None, trainable: bool = True, **kwargs):
        kwargs.setdefault("autocast", False)  # inputs keep their dtype; each layer casts for itself
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._layers: list[Layer] = []
        self._graph_output: KerasTensor | None = None
        self._graph_nodes: set[int] = set()
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    # -- structure ---------------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """The layers, without the InputLayer."""
        if self._layers and isinstance(self._layers[0], InputLayer):
            return list(self._layers[1:])
        return list(self._layers)

    def _trackable_children(self) -> dict[str, Any]:
        """Layers are named ``layer-<i>`` by position in :attr:`layers` (InputLayer excluded), so a
        checkpoint restores into the same stack whether or not it was given an input shape."""
        out: dict[str, Any] = {f"layer-{i}": layer for i, layer in enumerate(self.layers)}
        for name, value in super()._trackable_children().items():
            if name != "_layers":
                out.setdefault(name, value)
        return out

    def _has_input_layer(self) -> bool:
        return bool(self._layers) and isinstance(self._layers[0], InputLayer)

    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Appends a layer (or an ``ek.keras.Input`` as the first element).

        >>> import eagerkit as ek
        >>> model = ek.keras.Sequential()
        >>> model.add(ek.keras.Input(shape=(4,)))
        >>> model.add(ek.keras.layers.Dense(2))
        >>> model.output_shape
        (None, 2)
        """
        if isinstance(layer, KerasTensor):
            history = layer._keras_history
            if history is None or not isinstance(history.layer, InputLayer):
                raise ValueError(
                    "Only an ek.keras.Input(...) tensor can be added to a Sequential model; other KerasTensors "
                    "belong to functional models."
                )
            layer = history.layer
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of `ek.keras.layers.Layer` can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer).__name__})"
            )
        if isinstance(layer, InputLayer) and self._layers:
            raise ValueError(
                f"Sequential model {self.name!r} already has layers; an Input/InputLayer can only be its first "
                "element. Pass the input shape when creating the model instead."
            )
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Update the `name` argument "
                "to pass a unique name."
            )
        if not self._layers and not isinstance(layer, InputLayer) and layer._batch_input_shape is not None:
            self._layers.append(
                InputLayer(batch_shape=layer._batch_input_shape, dtype=layer._input_dtype or layer.dtype)
            )
        self._layers.append(layer)
        if rebuild:
            if self._graph_output is not None:
                try:
                    self._append_to_graph(layer)
                except Exception:
                    self._layers.pop()
                    raise
            else:
                self._maybe_rebuild()

    def pop(self) -> Layer:
        """Removes and returns the last layer.

        >>> import eagerkit as ek
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(2), ek.keras.layers.Dense(3)])
        >>> model.pop().units, len(model.layers)
        (3, 1)
        """
        if not self.layers:
            raise TypeError(f"There are no layers in the model {self.name!r}.")
        layer = self._layers.pop()
        self._graph_output = None
        self._graph_nodes = set()
        self.built = False
        self._maybe_rebuild()
        return layer

    def _append_to_graph(self, layer: Layer) -> None:
        out = layer(self._graph_output)
        self._graph_nodes.add(id(layer._inbound_nodes[-1]))
        self._graph_output = out

    def _maybe_rebuild(self) -> None:
        if self._has_input_layer() and len(self._layers) > 1:
            self._build_graph()

    def _build_graph(self) -> None:
        input_layer = self._layers[0]
        self._graph_output = input_layer.output
        self._graph_nodes = {id(input_layer._inbound_nodes[0])}
        for layer in self._layers[1:]:
            self._append_to_graph(layer)
        self.built = True
        self._build_input_shape = TensorShape(input_layer.batch_shape)

    def _node_in_model(self, node: Any) -> bool:
        return id(node) in self._graph_nodes

    @_default_build
    def build(self, input_shape: Any = None) -> None:
        """Builds the model for inputs of ``input_shape`` (batch dimension included).

        >>> import eagerkit as ek
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(2)])
        >>> model.build((None, 3))
        >>> model.count_params()
        8
        """
        if not self._layers:
            raise ValueError(
                f"Sequential model {self.name!r} cannot be built because it has no layers. Call `model.add(layer)`."
            )
        if self._has_input_layer():
            if len(self._layers) > 1 and self._graph_output is None:
                self._build_graph()
            self.built = True
            return
        if input_shape is None:
            raise ValueError(f"You must provide an `input_shape` argument to build Sequential model {self.name!r}.")
        first = self._layers[0]
        self._layers.insert(0, InputLayer(batch_shape=input_shape, dtype=first._input_dtype or first.dtype))
        self._build_graph()

    # -- running -------------------------------------------------------------------------------------
    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        """Runs the layers in order (``training`` and masks are passed to the layers that take them).

        >>> import eagerkit as ek
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(2, kernel_initializer="ones"), ek.keras.layers.ReLU()])
        >>> model(ek.constant([[1.0, -3.0]]))
        <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[0., 0.]], dtype=float32)>
        """
        x = inputs
        for layer in self.layers:
            kwargs = {}
            if mask is not None and _call_info(type(layer).call).has_mask:
                kwargs["mask"] = mask
            out = layer(x, **kwargs)
            mask = layer.compute_mask(x, mask)
            x = out
        return x

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The mask the last layer produces (each layer's ``compute_mask`` in turn).

        >>> import eagerkit as ek
        >>> model = ek.keras.Sequential([ek.keras.layers.Embedding(10, 2, mask_zero=True)])
        >>> model.compute_mask(ek.constant([[3, 0]]))
        <tf.Tensor: shape=(1, 2), dtype=bool, numpy=array([[ True, False]])>
        """
        for layer in self.layers:
            mask = layer.compute_mask(inputs, mask)
        return mask

    # -- graph accessors ------------------------------------------------------------------------------
    @property
    def inputs(self) -> list[KerasTensor]:
        if not self._has_input_layer():
            raise AttributeError(f"Sequential model {self.name!r} has no defined inputs (no input shape yet).")
        return [self._layers[0].output]

    @property
    def outputs(self) -> list[KerasTensor]:
        if self._graph_output is None:
            raise AttributeError(f"Sequential model {self.name!r} has no defined outputs (no input shape yet).")
        return [self._graph_output]

    @property
    def input(self) -> KerasTensor:
        return self.inputs[0]

    @property
    def output(self) -> KerasTensor:
        return self.outputs[0]

    @property
    def input_shape(self) -> tuple:
        """The input shape as a tuple, ``(None, ...)`` (as tf.keras)."""
        return tuple(self.input.shape.as_list())

    @property
    def output_shape(self) -> tuple:
        """The output shape as a tuple, ``(None, ...)`` (as tf.keras)."""
        return tuple(self.output.shape.as_list())

    # -- config -------------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The model name and each layer's serialized config (``from_config`` rebuilds it).

        >>> import eagerkit as ek
        >>> model = ek.keras.Sequential([ek.keras.Input(shape=(3,)), ek.keras.layers.Dense(2)], name="tiny")
        >>> config = model.get_config()
        >>> config["name"], [layer["class_name"] for layer in config["layers"]]
        ('tiny', ['InputLayer', 'Dense'])
        """
        from eagerkit._src.keras.layers import registry

        config: dict[str, Any] = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": self.dtype,
            "layers": [registry.serialize(layer) for layer in self._layers],
        }
        if not self._has_input_layer() and self.built and isinstance(self._build_input_shape, TensorShape):
            config["build_input_shape"] = tuple(self._build_input_shape.as_list())
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Sequential:
        """Rebuilds a Sequential model from ``get_config``'s output (fresh weights).

        >>> import eagerkit as ek
        >>> model = ek.keras.Sequential([ek.keras.Input(shape=(3,)), ek.keras.layers.Dense(2)])
        >>> copy = ek.keras.Sequential.from_config(model.get_config())
        >>> copy(ek.ones([1, 3])).shape
        TensorShape([1, 2])
        """
        from eagerkit._src.keras.layers import registry

        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config.get("layers", []):
            model.add(registry.deserialize(layer_config, custom_objects=custom_objects))
        shape = config.get("build_input_shape")
        if shape is not None and not model.built:
            model.build(tuple(shape))
        return model
