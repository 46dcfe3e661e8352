"""``KerasTensor``: a symbolic placeholder (shape + dtype + producing layer) for the functional API.

``ek.keras.Input(shape=(3,))`` returns one. Calling a layer on KerasTensors does not
compute anything: it builds the layer, infers the output shape and records a
:class:`~eagerkit._src.keras.engine.node.Node`, returning new KerasTensors. A
``Model(inputs, outputs)`` later replays those nodes on real Tensors.

Python operators (``x + y``, ``x * 2``, ``x[:, 0]``, ...) on KerasTensors record an
op layer, so residual connections can be written naturally. eagerkit ops
(``ek.concat``...) do not accept KerasTensors; wrap them in ``ek.keras.layers.Lambda``.

>>> import eagerkit as ek
>>> x = ek.keras.Input(shape=(3,))
>>> x.shape, x.dtype
(TensorShape([None, 3]), tf.float32)
"""

from __future__ import annotations

from typing import Any, NamedTuple

from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.keras.engine import backend_config


class KerasHistory(NamedTuple):
    """Where a KerasTensor comes from: ``layer.inbound_nodes[node_index].outputs[tensor_index]``."""

    layer: Any
    node_index: int
    tensor_index: int

    @property
    def operation(self) -> Any:
        return self.layer


class KerasTensor:
    """A symbolic tensor of the functional API (``tf.keras.KerasTensor``).

    Args:
      shape: the shape, batch dimension included (``None`` for unknown sizes).
      dtype: the dtype (default float32).
      name: a unique name (``keras_tensor``, ``keras_tensor_1``, ...).

    >>> import eagerkit as ek
    >>> x = ek.keras.Input(shape=(3,))
    >>> isinstance(x, ek.keras.KerasTensor)
    True
    >>> x.shape, x.dtype
    (TensorShape([None, 3]), tf.float32)
    >>> ek.keras.layers.Dense(2)(x).shape
    TensorShape([None, 2])
    """

    __array_priority__ = 200

    def __init__(self, shape: Any, dtype: Any = "float32", name: str | None = None) -> None:
        self._shape = TensorShape(shape)
        self._dtype = _dtypes.as_dtype(dtype if dtype is not None else backend_config.floatx())
        self.name = name or backend_config.unique_name("keras_tensor")
        self._keras_history: KerasHistory | None = None

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    @property
    def dtype(self) -> _dtypes.DType:
        return self._dtype

    @property
    def ndim(self) -> int | None:
        return self._shape.rank

    @property
    def node(self) -> Any:
        """The node that produced this tensor."""
        h = self._keras_history
        return None if h is None else h.layer._inbound_nodes[h.node_index]

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self._shape}, dtype={self._dtype.name}, sparse=False, name={self.name}>"

    __str__ = __repr__

    def __hash__(self) -> int:
        return id(self)

    # -- guard rails: a KerasTensor has no value ----------------------------------------
    def _no_value(self, what: str) -> TypeError:
        return TypeError(
            f"{what} is not possible on a KerasTensor ({self.name}, shape={self._shape}): it is a symbolic "
            "placeholder of the functional API with no value. eagerkit ops (ek.concat, ek.reduce_sum, ...) "
            "cannot take KerasTensors; wrap the computation in `ek.keras.layers.Lambda(lambda x: ...)` "
            "or a custom Layer, then call that on the KerasTensor."
        )

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        raise self._no_value("Converting to a NumPy array")

    def __jax_array__(self) -> Any:
        raise self._no_value("Converting to a jax array")

    def numpy(self) -> Any:
        raise self._no_value("Calling .numpy()")

    def __bool__(self) -> bool:
        raise self._no_value("Using a KerasTensor as a Python bool")

    def __iter__(self) -> Any:
        raise self._no_value("Iterating")

    def __len__(self) -> int:
        if self._shape.rank is None or self._shape[0] is None:
            raise self._no_value("len()")
        return self._shape[0]


def _operator(attr: str) -> Any:
    def method(self: KerasTensor, *args: Any) -> Any:
        from eagerkit._src.keras.engine.op_layer import OpLayer

        return OpLayer(attr)(self, *args)

    method.__name__ = attr
    return method


for _attr in (
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__truediv__",
    "__rtruediv__",
    "__floordiv__",
    "__rfloordiv__",
    "__mod__",
    "__rmod__",
    "__pow__",
    "__rpow__",
    "__matmul__",
    "__rmatmul__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__and__",
    "__or__",
    "__getitem__",
    "__neg__",
    "__abs__",
    "__invert__",
):
    setattr(KerasTensor, _attr, _operator(_attr))


def is_keras_tensor(x: Any) -> bool:
    """True for symbolic functional-API tensors (``tf.keras.backend.is_keras_tensor``).

    >>> import eagerkit as ek
    >>> ek.keras.backend.is_keras_tensor(ek.keras.Input(shape=(3,)))
    True
    >>> ek.keras.backend.is_keras_tensor(ek.ones([3]))
    False
    """
    return isinstance(x, KerasTensor)
