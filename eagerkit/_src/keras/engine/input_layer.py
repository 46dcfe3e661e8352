"""``InputLayer`` and ``Input``: the entry points of functional and Sequential models.

``Input(shape=(3,))`` makes an InputLayer and returns its output, a KerasTensor of
shape ``(None, 3)`` (the batch dimension is added); calling layers on it builds a graph.

>>> import eagerkit as ek
>>> x = ek.keras.Input(shape=(28, 28, 1), name="image")
>>> x.shape, x._keras_history.layer.name
(TensorShape([None, 28, 28, 1]), 'image')
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.keras.engine import backend_config
from eagerkit._src.keras.engine.keras_tensor import KerasTensor
from eagerkit._src.keras.engine.layer import Layer
from eagerkit._src.keras.engine.node import Node


def _reject(flag: Any, what: str) -> None:
    if flag:
        raise ValueError(f"{what} inputs are not supported by eagerkit (JAX has no {what.lower()} tensors); use dense.")


class InputLayer(Layer):
    """The layer behind ``Input``: it has no weights and outputs a placeholder KerasTensor.

    Args:
      shape / input_shape: the shape of one example (without the batch dimension).
      batch_size: the batch dimension (default None = any).
      dtype: the input dtype (default float32; use int32/int64 for indices).
      batch_shape / batch_input_shape: the full shape, batch dimension included
        (instead of ``shape`` + ``batch_size``).
      name: the layer name (default ``input_layer``, ``input_layer_1``, ...).

    >>> import eagerkit as ek
    >>> ek.keras.layers.InputLayer(shape=(3,)).output.shape
    TensorShape([None, 3])
    """

    def __init__(
        self,
        shape: Any = None,
        batch_size: int | None = None,
        dtype: Any = None,
        sparse: bool | None = None,
        batch_shape: Any = None,
        name: str | None = None,
        input_shape: Any = None,
        batch_input_shape: Any = None,
        ragged: bool | None = None,
        optional: bool = False,
        **kwargs: Any,
    ) -> None:
        _reject(sparse, "Sparse")
        _reject(ragged, "Ragged")
        shape = shape if shape is not None else input_shape
        batch_shape = batch_shape if batch_shape is not None else batch_input_shape
        if shape is not None and batch_shape is not None:
            raise ValueError(
                "You cannot pass both `shape` and `batch_shape` at the same time. "
                f"Received: shape={shape}, batch_shape={batch_shape}"
            )
        if shape is None and batch_shape is None:
            raise ValueError(
                "You must pass a `shape` argument (the shape of one example, e.g. shape=(28, 28, 1)) to InputLayer."
            )
        if batch_shape is None:
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            batch_shape = (batch_size,) + shape
        batch_shape = tuple(TensorShape(batch_shape).as_list())
        name = name or backend_config.unique_name("input_layer")
        super().__init__(name=name, dtype=dtype, **kwargs)
        self._batch_shape = batch_shape
        self.sparse = False
        self.optional = bool(optional)
        self.built = True
        self._build_input_shape = TensorShape(batch_shape)
        tensor = KerasTensor(batch_shape, self._dtype, name=self.name)
        Node(self, (), {}, outputs=tensor)

    @property
    def batch_shape(self) -> tuple:
        """The full input shape, batch dimension included."""
        return self._batch_shape

    def call(self, inputs: Any) -> Any:
        return inputs

    def get_config(self) -> dict[str, Any]:
        return {
            "batch_shape": self._batch_shape,
            "dtype": self.dtype,
            "sparse": False,
            "name": self.name,
            "optional": self.optional,
        }


def Input(  # noqa: N802 - TF's name
    shape: Any = None,
    batch_size: int | None = None,
    name: str | None = None,
    dtype: Any = None,
    sparse: bool | None = None,
    batch_shape: Any = None,
    tensor: Any = None,
    ragged: bool | None = None,
    optional: bool = False,
    **kwargs: Any,
) -> KerasTensor:
    """A symbolic input of a functional model (``tf.keras.Input``).

    Args:
      shape: the shape of one example, without the batch dimension (``None`` = any size).
      batch_size: a fixed batch size (default: any).
      name: the name of the input (and of its InputLayer).
      dtype: the expected dtype (default float32).
      batch_shape: the full shape including the batch dimension (instead of ``shape``).
      tensor: an existing KerasTensor to use as the input.

    >>> import eagerkit as ek
    >>> inputs = ek.keras.Input(shape=(4,))
    >>> outputs = ek.keras.layers.Dense(2)(inputs)
    >>> ek.keras.Model(inputs, outputs).output_shape
    (None, 2)
    """
    if tensor is not None:
        if not isinstance(tensor, KerasTensor):
            raise ValueError(f"Input(tensor=...) expects a KerasTensor, got {type(tensor).__name__}.")
        return tensor
    if "input_shape" in kwargs and shape is None:
        shape = kwargs.pop("input_shape")
    if "batch_input_shape" in kwargs and batch_shape is None:
        batch_shape = kwargs.pop("batch_input_shape")
    if kwargs.pop("type_spec", None) is not None:
        raise ValueError("Input(type_spec=...) is not supported by eagerkit; pass shape= and dtype=.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments passed to Input: {kwargs}")
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        batch_shape=batch_shape,
        name=name,
        ragged=ragged,
        optional=optional,
    )
    return layer.output
