"""``clone_model``: a new model with the same architecture and freshly initialized weights.

>>> import eagerkit as ek
>>> model = ek.keras.Sequential([ek.keras.Input(shape=(3,)), ek.keras.layers.Dense(2)])
>>> clone = ek.keras.models.clone_model(model)
>>> clone.count_params(), clone.layers[0] is model.layers[0]
(8, False)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eagerkit._src.keras.engine.functional import Functional
from eagerkit._src.keras.engine.input_layer import Input, InputLayer
from eagerkit._src.keras.engine.keras_tensor import KerasTensor
from eagerkit._src.keras.engine.layer import Layer
from eagerkit._src.keras.engine.model import Model
from eagerkit._src.keras.engine.sequential import Sequential
from eagerkit._src.util import nest


def _default_clone(layer: Layer) -> Layer:
    return type(layer).from_config(layer.get_config())


def clone_model(
    model: Model, input_tensors: Any = None, clone_function: Callable[[Layer], Layer] | None = None
) -> Model:
    """Clones a Sequential or functional model (new layers from their configs; weights are new).

    Args:
      model: the model to clone.
      input_tensors: KerasTensors to use as the clone's inputs (default: new ``Input``s).
      clone_function: makes each new layer from an old one (default: ``from_config(get_config())``).

    >>> import eagerkit as ek
    >>> model = ek.keras.Sequential([ek.keras.Input(shape=(3,)), ek.keras.layers.Dense(2)])
    >>> clone = ek.keras.models.clone_model(model)
    >>> clone.count_params() == model.count_params(), clone.layers[0] is model.layers[0]
    (True, False)
    """
    clone = clone_function or _default_clone
    if isinstance(model, Sequential):
        layers = [clone(layer) for layer in model.layers]
        new = Sequential(name=model.name, trainable=model.trainable)
        if input_tensors is not None:
            new.add(nest.flatten(input_tensors)[0])
        elif model._has_input_layer():
            first = model._layers[0]
            new.add(Input(batch_shape=first.batch_shape, dtype=first.dtype))
        for layer in layers:
            new.add(layer)
        return new
    if isinstance(model, Functional):
        if input_tensors is not None:
            new_inputs = nest.flatten(input_tensors)
        else:
            new_inputs = []
            for kt in model._flat_inputs:
                layer = kt._keras_history.layer
                name = layer.name if isinstance(layer, InputLayer) else None
                new_inputs.append(Input(batch_shape=tuple(kt.shape.as_list()), dtype=kt.dtype, name=name))
        if len(new_inputs) != len(model._flat_inputs):
            raise ValueError(f"clone_model: expected {len(model._flat_inputs)} input tensors, got {len(new_inputs)}.")
        mapping = {id(old): new for old, new in zip(model._flat_inputs, new_inputs)}
        clones: dict[int, Layer] = {}

        def swap(x: Any) -> Any:
            return mapping[id(x)] if isinstance(x, KerasTensor) else x

        for node in model._run_nodes:
            layer = node.layer
            if id(layer) not in clones:
                clones[id(layer)] = clone(layer)
            outputs = clones[id(layer)](
                *nest.map_structure(swap, node.call_args), **nest.map_structure(swap, node.call_kwargs)
            )
            for old, new in zip(nest.flatten(node.outputs), nest.flatten(outputs)):
                if isinstance(old, KerasTensor):
                    mapping[id(old)] = new
        inputs = nest.pack_sequence_as(model._inputs_struct, new_inputs)
        outputs = nest.map_structure(swap, model._outputs_struct)
        return Functional(inputs, outputs, name=model.name, trainable=model.trainable)
    try:
        return type(model).from_config(model.get_config())
    except NotImplementedError as e:
        raise ValueError(
            f"clone_model: subclassed model {type(model).__name__} can only be cloned if it implements "
            f"get_config/from_config ({e})."
        ) from None
