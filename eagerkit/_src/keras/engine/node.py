"""``Node``: one call of a layer on KerasTensors, recorded while building a functional graph.

A node keeps the layer, the call's arguments (KerasTensors and constants, in their
original structure) and the output KerasTensors. It registers itself in
``layer._inbound_nodes`` and in the ``_outbound_nodes`` of the layers producing its
inputs, which is how ``Model(inputs, outputs)`` walks the graph.

>>> import eagerkit as ek
>>> x = ek.keras.Input(shape=(2,))
>>> dense = ek.keras.layers.Dense(3)
>>> y = dense(x)
>>> node = y.node
>>> node.layer is dense, [t.shape for t in node.input_tensors]
(True, [TensorShape([None, 2])])
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.keras.engine.keras_tensor import KerasHistory, KerasTensor
from eagerkit._src.util import nest


class Node:
    """A layer call in a functional graph.

    Args:
      layer: the layer that was called.
      call_args: positional arguments of the call (may contain KerasTensors).
      call_kwargs: keyword arguments of the call (may contain KerasTensors).
      outputs: the output structure of KerasTensors (their history is set here).
    """

    def __init__(self, layer: Any, call_args: tuple = (), call_kwargs: dict | None = None, outputs: Any = None) -> None:
        self.layer = layer
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = outputs
        self.input_tensors: list[KerasTensor] = [
            x for x in nest.flatten((self.call_args, self.call_kwargs)) if isinstance(x, KerasTensor)
        ]
        self.output_tensors: list[KerasTensor] = [x for x in nest.flatten(outputs) if isinstance(x, KerasTensor)]
        node_index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for kt in self.input_tensors:
            if kt._keras_history is not None:
                kt._keras_history.layer._outbound_nodes.append(self)
        for i, kt in enumerate(self.output_tensors):
            kt._keras_history = KerasHistory(layer, node_index, i)

    @property
    def operation(self) -> Any:
        return self.layer

    @property
    def is_input(self) -> bool:
        """True for the node of an InputLayer (no inputs)."""
        return not self.input_tensors

    @property
    def parent_nodes(self) -> list[Node]:
        """The nodes producing this node's inputs (in argument order, repeats removed)."""
        out: list[Node] = []
        for kt in self.input_tensors:
            h = kt._keras_history
            if h is None:
                continue
            node = h.layer._inbound_nodes[h.node_index]
            if all(node is not n for n in out):
                out.append(node)
        return out

    def __repr__(self) -> str:
        return f"<Node layer={self.layer.name} inputs={[t.name for t in self.input_tensors]}>"
