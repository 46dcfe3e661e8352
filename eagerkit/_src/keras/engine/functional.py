"""``Functional``: a model defined by a graph of layer calls on KerasTensors.

DESIGN: ``Model(inputs, outputs)`` walks the nodes recorded by layer calls from the
outputs back to the inputs (the algorithm of Keras' ``map_graph``): every node gets a
depth (0 at the outputs), layers are listed from the inputs towards the outputs, and
a graph that needs a tensor not computable from the inputs is refused ("Graph
disconnected"). Calling the model replays the nodes in order of decreasing depth on
real Tensors, calling each layer normally (so tapes, ``training`` and masks work as in
eager code). ``get_config`` writes Keras' format (layers with their inbound nodes);
``from_config`` re-creates the layers and replays the calls.

>>> import eagerkit as ek
>>> a = ek.keras.Input(shape=(2,), name="a")
>>> b = ek.keras.Input(shape=(2,), name="b")
>>> shared = ek.keras.layers.Dense(3, kernel_initializer="ones", name="shared")
>>> out = ek.keras.layers.Add()([shared(a), shared(b)])
>>> model = ek.keras.Model([a, b], out)
>>> model([ek.constant([[1.0, 0.0]]), ek.constant([[0.0, 2.0]])]).numpy().tolist()
[[3.0, 3.0, 3.0]]
>>> [layer.name for layer in model.layers]
['a', 'b', 'shared', 'add']
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.core.convert import convert_to_tensor
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.keras.engine import backend_config
from eagerkit._src.keras.engine.keras_tensor import KerasTensor
from eagerkit._src.keras.engine.layer import Layer, _call_info
from eagerkit._src.keras.engine.model import Model
from eagerkit._src.keras.engine.node import Node
from eagerkit._src.ops import array_ops, math_ops
from eagerkit._src.util import nest


def _history(kt: KerasTensor) -> Any:
    if kt._keras_history is None:
        raise ValueError(
            f"{kt} was not produced by a layer: functional-model tensors must come from ek.keras.Input(...) "
            "and layer calls."
        )
    return kt._keras_history


def map_graph(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> tuple[list[Node], dict[int, list[Node]], list]:
    """Orders the graph between ``inputs`` and ``outputs``.

    Returns (nodes in decreasing depth, nodes by depth, layers in execution order).
    """
    input_ids = {id(t) for t in inputs}
    finished: set[int] = set()
    in_progress: set[int] = set()
    nodes_in_decreasing_depth: list[Node] = []
    layer_indices: dict[int, int] = {}
    layers_by_id: dict[int, Any] = {}

    def visit(tensor: KerasTensor) -> None:
        h = _history(tensor)
        node = h.layer._inbound_nodes[h.node_index]
        if id(node) in finished:
            return
        if id(node) in in_progress:
            raise ValueError(f"Tensor {tensor} from layer {h.layer.name!r} is part of a cycle.")
        if id(h.layer) not in layer_indices:
            layer_indices[id(h.layer)] = len(layer_indices)
            layers_by_id[id(h.layer)] = h.layer
        in_progress.add(id(node))
        if not node.is_input and id(tensor) not in input_ids:
            for t in node.input_tensors:
                visit(t)
        finished.add(id(node))
        in_progress.discard(id(node))
        nodes_in_decreasing_depth.append(node)

    for out in outputs:
        visit(out)

    node_depths: dict[int, int] = {}
    layer_depths: dict[int, int] = {}
    for node in reversed(nodes_in_decreasing_depth):
        depth = node_depths.setdefault(id(node), 0)
        depth = max(depth, layer_depths.get(id(node.layer), 0))
        layer_depths[id(node.layer)] = depth
        node_depths[id(node)] = depth
        for parent in node.parent_nodes:
            node_depths[id(parent)] = max(depth + 1, node_depths.get(id(parent), 0))
    for t in inputs:
        layer = _history(t).layer
        if id(layer) not in layer_depths:
            layer_depths[id(layer)] = 0
            layers_by_id[id(layer)] = layer
            layer_indices.setdefault(id(layer), len(layer_indices))
            node = t.node
            node_depths[id(node)] = 0
            nodes_in_decreasing_depth.insert(0, node)

    nodes_by_depth: dict[int, list[Node]] = {}
    seen_nodes: set[int] = set()
    for node in nodes_in_decreasing_depth:
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        nodes_by_depth.setdefault(node_depths[id(node)], []).append(node)
    layers_by_depth: dict[int, list[Any]] = {}
    for lid, depth in layer_depths.items():
        layers_by_depth.setdefault(depth, []).append(layers_by_id[lid])
    layers: list[Any] = []
    for depth in sorted(layers_by_depth, reverse=True):
        group = sorted(layers_by_depth[depth], key=lambda layer: layer_indices[id(layer)])
        layers.extend(group)

    computable = set(input_ids)
    accessed: list[str] = []
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            if not (node.is_input or all(id(t) in computable for t in node.output_tensors)):
                for t in node.input_tensors:
                    if id(t) not in computable:
                        raise ValueError(
                            f"Graph disconnected: cannot find parent for tensor {t} at layer {node.layer.name!r}. "
                            f"The following previous layers were accessed without issue: {accessed}. Pass every "
                            "ek.keras.Input the outputs depend on in `inputs`."
                        )
                accessed.append(node.layer.name)
            elif node.is_input and not any(id(t) in input_ids for t in node.output_tensors):
                raise ValueError(
                    f"Graph disconnected: the input {node.output_tensors[0]} (layer {node.layer.name!r}) is needed by "
                    f"the outputs but is not among the model's inputs. Add it to `inputs`."
                )
            computable.update(id(t) for t in node.output_tensors)
    names = [layer.name for layer in layers]
    for name in set(names):
        if names.count(name) > 1:
            raise ValueError(
                f'The name "{name}" is used {names.count(name)} times in the model. All layer names should be '
                "unique; pass distinct `name=` arguments."
            )
    return nodes_in_decreasing_depth, nodes_by_depth, layers


class Functional(Model):
    """A model built from ``ek.keras.Input`` tensors and layer calls (``Model(inputs, outputs)``).

    Args:
      inputs: a KerasTensor, or a list/dict of them.
      outputs: a KerasTensor or any nested structure of them.
      name: the model name (default ``functional``, ``functional_1``, ...).
    """

    _untracked_attributes = Layer._untracked_attributes | {"_nodes_by_depth", "_run_nodes", "_node_set"}

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None, trainable: bool = True, **kwargs: Any):
        if name is None:
            name = backend_config.unique_name("functional")
        kwargs.setdefault("autocast", False)  # inputs keep their dtype; each layer casts for itself
        super().__init__(name=name, trainable=trainable, **kwargs)
        if isinstance(inputs, tuple):
            inputs = list(inputs)
        flat_inputs = nest.flatten(inputs)
        flat_outputs = nest.flatten(outputs)
        for t in flat_inputs + flat_outputs:
            if not isinstance(t, KerasTensor):
                raise ValueError(
                    f"All `inputs` and `outputs` of a functional model must be KerasTensors (from ek.keras.Input "
                    f"and layer calls). Received: {t!r} of type {type(t).__name__}."
                )
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._flat_inputs = flat_inputs
        self._flat_outputs = flat_outputs
        nodes, nodes_by_depth, layers = map_graph(flat_inputs, flat_outputs)
        self._nodes_by_depth = nodes_by_depth
        self._node_set = {id(n) for n in nodes}
        input_ids = {id(t) for t in flat_inputs}
        self._run_nodes = [
            node
            for depth in sorted(nodes_by_depth, reverse=True)
            for node in nodes_by_depth[depth]
            if not node.is_input and not all(id(t) in input_ids for t in node.output_tensors)
        ]
        self._layers = layers
        self.built = True
        self._build_input_shape = nest.map_structure(lambda t: t.shape, inputs)

    # -- structure --------------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """All layers of the graph (InputLayers first), from the inputs to the outputs."""
        return list(self._layers)

    @property
    def inputs(self) -> list[KerasTensor]:
        """The input KerasTensors (flat list)."""
        return list(self._flat_inputs)

    @property
    def outputs(self) -> list[KerasTensor]:
        """The output KerasTensors (flat list)."""
        return list(self._flat_outputs)

    @property
    def input(self) -> Any:
        return self._inputs_struct

    @property
    def output(self) -> Any:
        return self._outputs_struct

    @property
    def input_shape(self) -> Any:
        return nest.map_structure(lambda t: tuple(t.shape.as_list()), self._inputs_struct)

    @property
    def output_shape(self) -> Any:
        return nest.map_structure(lambda t: tuple(t.shape.as_list()), self._outputs_struct)

    def _trackable_children(self) -> dict[str, Any]:
        """Layers are named ``layer-<i>`` by position in :attr:`layers` (for checkpoints)."""
        out: dict[str, Any] = {f"layer-{i}": layer for i, layer in enumerate(self._layers)}
        for name, value in super()._trackable_children().items():
            if name != "_layers":
                out.setdefault(name, value)
        return out

    def _direct_sublayers(self) -> list[Layer]:
        out = list(self._layers)
        ids = {id(layer) for layer in out}
        for layer in super()._direct_sublayers():
            if id(layer) not in ids:
                out.append(layer)
        return out

    def _node_in_model(self, node: Node) -> bool:
        return id(node) in self._node_set

    # -- running ---------------------------------------------------------------------------------
    def _standardize_inputs(self, inputs: Any) -> list[Any]:
        n = len(self._flat_inputs)
        if isinstance(self._inputs_struct, dict):
            if isinstance(inputs, dict):
                missing = [k for k in self._inputs_struct if k not in inputs]
                if missing:
                    raise ValueError(
                        f"Model {self.name!r}: missing inputs {missing}; expected keys {list(self._inputs_struct)}."
                    )
                flat = nest.flatten({k: inputs[k] for k in self._inputs_struct})
            else:
                flat = nest.flatten(inputs)
        elif isinstance(inputs, dict):
            by_name = {t._keras_history.layer.name: i for i, t in enumerate(self._flat_inputs)}
            flat = [None] * n
            for key, value in inputs.items():
                if key not in by_name:
                    raise ValueError(
                        f"Model {self.name!r} got an input named {key!r}, but its inputs are named {list(by_name)}."
                    )
                flat[by_name[key]] = value
        elif n == 1 and (not isinstance(inputs, (list, tuple)) or _is_single_value(inputs)):
            flat = [inputs]
        elif n == 1 and isinstance(inputs, (list, tuple)) and len(inputs) == 1:
            flat = [inputs[0]]
        else:
            flat = nest.flatten(inputs)
        if len(flat) != n or any(x is None for x in flat):
            raise ValueError(
                f'Layer "{self.name}" expects {n} input(s), but it received {len(flat)} input tensors. '
                f"Inputs received: {inputs!r}"
            )
        out = []
        for i, (x, spec) in enumerate(zip(flat, self._flat_inputs)):
            if type(x) is not Tensor:
                x = convert_to_tensor(x) if not hasattr(x, "_ek_variable") else x
            want = spec.dtype
            if x.dtype != want and (x.dtype.is_floating or want.is_floating or x.dtype.is_integer):
                x = math_ops.cast(x, want)
            x = self._adjust_rank(i, x, spec)
            out.append(x)
        return out

    def _adjust_rank(self, i: int, x: Any, spec: KerasTensor) -> Any:
        want = spec.shape.as_list()
        got = x.shape.as_list()
        if len(got) == len(want) - 1 and want[-1] == 1:
            x = array_ops.expand_dims(x, -1)
            got = got + [1]
        elif len(got) == len(want) + 1 and got[-1] == 1:
            x = array_ops.squeeze(x, -1)
            got = got[:-1]
        ok = len(got) == len(want) and all(w is None or w == g for w, g in zip(want[1:], got[1:]))
        if not ok:
            raise ValueError(
                f'Input {i} of layer "{self.name}" is incompatible with the layer: expected '
                f"shape={TensorShape([None] + want[1:])}, found shape={TensorShape(got)}. Feed inputs of the "
                "shape given to ek.keras.Input."
            )
        return x

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        values: dict[int, Any] = {}
        masks: dict[int, Any] = {}
        flat = self._standardize_inputs(inputs)
        flat_masks = nest.flatten(mask) if mask is not None else [None] * len(flat)
        if len(flat_masks) != len(flat):
            flat_masks = [None] * len(flat)
        for kt, x, m in zip(self._flat_inputs, flat, flat_masks):
            values[id(kt)] = x
            masks[id(kt)] = m

        def lookup(x: Any) -> Any:
            return values[id(x)] if isinstance(x, KerasTensor) else x

        for node in self._run_nodes:
            layer = node.layer
            args = nest.map_structure(lookup, node.call_args)
            kwargs = nest.map_structure(lookup, node.call_kwargs)
            first = node.call_args[0] if node.call_args else None
            in_mask = None
            if first is not None:
                in_mask = nest.map_structure(lambda t: masks.get(id(t)) if isinstance(t, KerasTensor) else None, first)
                if all(m is None for m in nest.flatten(in_mask)):
                    in_mask = None
                elif not isinstance(first, (list, tuple, dict)):
                    in_mask = nest.flatten(in_mask)[0]
            info = _call_info(type(layer).call)
            if in_mask is not None and info.has_mask and "mask" not in kwargs:
                kwargs["mask"] = in_mask
            outputs = layer(*args, **kwargs)
            out_mask = layer.compute_mask(args[0], in_mask) if args else None
            flat_kts = nest.flatten(node.outputs)
            flat_vals = nest.flatten(outputs)
            flat_out_masks = (
                nest.flatten(out_mask) if isinstance(out_mask, (list, tuple)) else [out_mask] * len(flat_vals)
            )
            for j, (kt, val) in enumerate(zip(flat_kts, flat_vals)):
                if isinstance(kt, KerasTensor):
                    values[id(kt)] = val
                    masks[id(kt)] = flat_out_masks[j] if j < len(flat_out_masks) else None
        return nest.pack_sequence_as(self._outputs_struct, [values[id(t)] for t in self._flat_outputs])

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None

    # -- config ------------------------------------------------------------------------------------
    def _node_index_map(self) -> dict[int, int]:
        """Re-indexes each layer's inbound nodes to those that belong to this model."""
        out: dict[int, int] = {}
        for layer in self._layers:
            k = 0
            for node in layer._inbound_nodes:
                if self._node_in_model(node):
                    out[id(node)] = k
                    k += 1
        return out

    def get_config(self) -> dict[str, Any]:
        node_index = self._node_index_map()

        def tensor_ref(kt: KerasTensor) -> list:
            h = _history(kt)
            node = h.layer._inbound_nodes[h.node_index]
            return [h.layer.name, node_index.get(id(node), 0), h.tensor_index]

        def ser(x: Any) -> Any:
            if isinstance(x, KerasTensor):
                return {
                    "class_name": "__keras_tensor__",
                    "config": {
                        "shape": tuple(x.shape.as_list()),
                        "dtype": x.dtype.name,
                        "keras_history": tensor_ref(x),
                    },
                }
            if isinstance(x, slice):
                return {"class_name": "__slice__", "config": {"start": x.start, "stop": x.stop, "step": x.step}}
            if x is Ellipsis:
                return {"class_name": "__ellipsis__", "config": {}}
            if type(x) is Tensor:
                return {"class_name": "__tensor__", "config": {"value": x.numpy().tolist(), "dtype": x.dtype.name}}
            if isinstance(x, (list, tuple)):
                return type(x)(ser(v) for v in x)
            if isinstance(x, dict):
                return {k: ser(v) for k, v in x.items()}
            return x

        from eagerkit._src.keras.layers import registry

        layer_configs = []
        for layer in self._layers:
            nodes = [n for n in layer._inbound_nodes if self._node_in_model(n) and not n.is_input]
            entry = registry.serialize(layer)
            entry["name"] = layer.name
            entry["inbound_nodes"] = [{"args": ser(n.call_args), "kwargs": ser(n.call_kwargs)} for n in nodes]
            layer_configs.append(entry)
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layer_configs,
            "input_layers": nest.map_structure(tensor_ref, self._inputs_struct),
            "output_layers": nest.map_structure(tensor_ref, self._outputs_struct),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Functional:
        """Re-creates the layers and replays their calls (inverse of :meth:`get_config`)."""
        from eagerkit._src.keras.layers import registry

        created: dict[str, Any] = {}
        pending: list[tuple[Any, list]] = []
        for entry in config["layers"]:
            layer = registry.deserialize(
                {"class_name": entry["class_name"], "config": entry["config"]}, custom_objects=custom_objects
            )
            created[entry["name"]] = layer
            pending.append((layer, list(entry.get("inbound_nodes", []))))

        def is_ref(x: Any) -> bool:
            return isinstance(x, dict) and x.get("class_name") == "__keras_tensor__"

        def ref_ready(ref: list) -> bool:
            name, node_index, _ = ref
            layer = created.get(name)
            if layer is None:
                raise ValueError(f"Functional config refers to unknown layer {name!r}.")
            return len(layer._inbound_nodes) > node_index

        def resolve_ref(ref: list) -> KerasTensor:
            name, node_index, tensor_index = ref
            return created[name]._inbound_nodes[node_index].output_tensors[tensor_index]

        def refs_in(x: Any) -> list:
            if is_ref(x):
                return [x["config"]["keras_history"]]
            if isinstance(x, dict):
                return [r for v in x.values() for r in refs_in(v)]
            if isinstance(x, (list, tuple)):
                return [r for v in x for r in refs_in(v)]
            return []

        def de(x: Any) -> Any:
            if is_ref(x):
                return resolve_ref(x["config"]["keras_history"])
            if isinstance(x, dict):
                kind = x.get("class_name")
                if kind == "__slice__":
                    c = x["config"]
                    return slice(c["start"], c["stop"], c["step"])
                if kind == "__ellipsis__":
                    return Ellipsis
                if kind == "__tensor__":
                    return convert_to_tensor(x["config"]["value"], dtype=x["config"]["dtype"])
                return {k: de(v) for k, v in x.items()}
            if isinstance(x, (list, tuple)):
                return type(x)(de(v) for v in x)
            return x

        while any(nodes for _, nodes in pending):
            progressed = False
            for layer, nodes in pending:
                while nodes and all(ref_ready(r) for r in refs_in(nodes[0])):
                    data = nodes.pop(0)
                    args = de(data.get("args", ()))
                    kwargs = de(data.get("kwargs", {}))
                    layer(*args, **kwargs)
                    progressed = True
            if not progressed:
                stuck = [layer.name for layer, nodes in pending if nodes]
                raise ValueError(f"Cannot rebuild the functional model: unresolvable inputs for layers {stuck}.")

        def refs_to_tensors(x: Any) -> Any:
            if isinstance(x, (list, tuple)) and len(x) == 3 and isinstance(x[0], str) and isinstance(x[1], int):
                return resolve_ref(list(x))
            if isinstance(x, dict):
                return {k: refs_to_tensors(v) for k, v in x.items()}
            if isinstance(x, (list, tuple)):
                return [refs_to_tensors(v) for v in x]
            return x

        inputs = refs_to_tensors(config["input_layers"])
        outputs = refs_to_tensors(config["output_layers"])
        return cls(inputs=inputs, outputs=outputs, name=config.get("name"), trainable=config.get("trainable", True))


def _is_single_value(x: Any) -> bool:
    """True for a list/tuple of Python numbers (one input given as nested lists)."""
    if isinstance(x, (list, tuple)):
        return all(_is_single_value(v) for v in x) and len(x) > 0
    return isinstance(x, (bool, int, float))
