"""Merging layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate.

Each takes a list of tensors (shapes broadcast like the elementwise ops; Concatenate
needs equal shapes except along ``axis``).

>>> import eagerkit as ek
>>> a, b = ek.constant([[1.0, 2.0]]), ek.constant([[3.0, 4.0]])
>>> ek.keras.layers.Add()([a, b]).numpy().tolist()
[[4.0, 6.0]]
>>> ek.keras.layers.Concatenate()([a, b]).numpy().tolist()
[[1.0, 2.0, 3.0, 4.0]]
"""

from __future__ import annotations

from functools import reduce
from typing import Any

from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.keras.engine.layer import Layer
from eagerkit._src.ops import array_ops, math_ops


def _broadcast_dims(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return a if b == 1 else b if a == 1 else (a if b is None else b)
    if a == 1:
        return b
    if b == 1 or a == b:
        return a
    raise ValueError


class _Merge(Layer):
    """Elementwise merge of a list of tensors."""

    supports_masking = True
    _min_inputs = 2
    _max_inputs: int | None = None

    def _check_inputs(self, shapes: Any) -> list[TensorShape]:
        if not isinstance(shapes, (list, tuple)) or not shapes or not isinstance(shapes[0], (TensorShape, tuple, list)):
            raise ValueError(
                f"A merge layer ({type(self).__name__} {self.name!r}) should be called on a list of inputs. "
                f"Received: input_shape={shapes} (not a list of shapes)"
            )
        shapes = [TensorShape(s) for s in shapes]
        if len(shapes) < self._min_inputs or (self._max_inputs is not None and len(shapes) > self._max_inputs):
            want = (
                f"exactly {self._max_inputs}"
                if self._max_inputs == self._min_inputs
                else f"at least {self._min_inputs}"
            )
            raise ValueError(
                f"A `{type(self).__name__}` layer should be called on {want} inputs. Received: {len(shapes)} inputs."
            )
        return shapes

    def build(self, input_shape: Any) -> None:
        shapes = self._check_inputs(input_shape)
        out = shapes[0].as_list()[1:]
        for s in shapes[1:]:
            dims = s.as_list()[1:]
            n = max(len(out), len(dims))
            a = [1] * (n - len(out)) + out
            b = [1] * (n - len(dims)) + dims
            try:
                out = [_broadcast_dims(x, y) for x, y in zip(a, b)]
            except ValueError:
                raise ValueError(
                    f"Inputs have incompatible shapes. Received shapes {tuple(shapes[0].as_list()[1:])} and "
                    f"{tuple(s.as_list()[1:])} in layer {self.name!r}."
                ) from None

    def _merge(self, inputs: list[Tensor]) -> Tensor:
        raise NotImplementedError

    def call(self, inputs: list[Tensor]) -> Tensor:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"A merge layer ({type(self).__name__} {self.name!r}) should be called on a list of inputs. "
                f"Received: inputs={inputs!r}"
            )
        return self._merge(list(inputs))

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None:
            return None
        masks = [m for m in mask if m is not None]
        if not masks:
            return None
        return reduce(math_ops.logical_and, masks)


class Add(_Merge):
    """Elementwise sum of the inputs.

    >>> import eagerkit as ek
    >>> ek.keras.layers.Add()([ek.constant([[1.0, 2.0]]), ek.constant([[3.0, 4.0]])])
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[4., 6.]], dtype=float32)>
    """

    def _merge(self, inputs: list[Tensor]) -> Tensor:
        return reduce(math_ops.add, inputs)


class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs).

    >>> import eagerkit as ek
    >>> ek.keras.layers.Subtract()([ek.constant([[5.0, 2.0]]), ek.constant([[3.0, 4.0]])])
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[ 2., -2.]], dtype=float32)>
    """

    _max_inputs = 2

    def _merge(self, inputs: list[Tensor]) -> Tensor:
        if len(inputs) != 2:
            raise ValueError(
                f"A `Subtract` layer should be called on exactly 2 inputs. Received: {len(inputs)} inputs."
            )
        return math_ops.subtract(inputs[0], inputs[1])


class Multiply(_Merge):
    """Elementwise product of the inputs.

    >>> import eagerkit as ek
    >>> ek.keras.layers.Multiply()([ek.constant([[1.0, 2.0]]), ek.constant([[3.0, 4.0]])])
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[3., 8.]], dtype=float32)>
    """

    def _merge(self, inputs: list[Tensor]) -> Tensor:
        return reduce(math_ops.multiply, inputs)


class Average(_Merge):
    """Elementwise mean of the inputs.

    >>> import eagerkit as ek
    >>> ek.keras.layers.Average()([ek.constant([[1.0, 2.0]]), ek.constant([[3.0, 4.0]])])
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[2., 3.]], dtype=float32)>
    """

    def _merge(self, inputs: list[Tensor]) -> Tensor:
        total = reduce(math_ops.add, inputs)
        return math_ops.truediv(total, math_ops.cast(len(inputs), total.dtype))


class Maximum(_Merge):
    """Elementwise maximum of the inputs.

    >>> import eagerkit as ek
    >>> ek.keras.layers.Maximum()([ek.constant([[1.0, 5.0]]), ek.constant([[3.0, 4.0]])])
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[3., 5.]], dtype=float32)>
    """

    def _merge(self, inputs: list[Tensor]) -> Tensor:
        return reduce(math_ops.maximum, inputs)


class Minimum(_Merge):
    """Elementwise minimum of the inputs.

    >>> import eagerkit as ek
    >>> ek.keras.layers.Minimum()([ek.constant([[1.0, 5.0]]), ek.constant([[3.0, 4.0]])])
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[1., 4.]], dtype=float32)>
    """

    def _merge(self, inputs: list[Tensor]) -> Tensor:
        return reduce(math_ops.minimum, inputs)


class Concatenate(_Merge):
    """Concatenates the inputs along ``axis`` (default -1).

    >>> import eagerkit as ek
    >>> ek.keras.layers.Concatenate(axis=1)([ek.zeros([2, 1]), ek.ones([2, 2])]).shape
    TensorShape([2, 3])
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis)

    def build(self, input_shape: Any) -> None:
        shapes = self._check_inputs(input_shape)
        ranks = {s.rank for s in shapes}
        if len(ranks) != 1:
            self._concat_error(shapes)
        rank = ranks.pop()
        axis = self.axis % rank
        for i in range(rank):
            if i == axis:
                continue
            known = {s[i] for s in shapes if s[i] is not None}
            if len(known) > 1:
                self._concat_error(shapes)

    def _concat_error(self, shapes: list[TensorShape]) -> None:
        raise ValueError(
            f"A `Concatenate` layer ({self.name!r}) requires inputs with matching shapes except for the "
            f"concatenation axis. Received: input_shape={[tuple(s.as_list()) for s in shapes]}"
        )

    def _merge(self, inputs: list[Tensor]) -> Tensor:
        return array_ops.concat(inputs, axis=self.axis)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None or all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(array_ops.ones_like(x, dtype=_dtypes.bool))
            elif m.shape.rank < x.shape.rank:
                masks.append(array_ops.broadcast_to(array_ops.expand_dims(m, -1), x.shape))
            else:
                masks.append(m)
        return math_ops.reduce_any(array_ops.concat(masks, axis=self.axis), axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


def add(inputs: list[Any], **kwargs: Any) -> Any:
    """Functional form of :class:`Add`.

    >>> import eagerkit as ek
    >>> a = ek.keras.Input(shape=(2,))
    >>> b = ek.keras.Input(shape=(2,))
    >>> model = ek.keras.Model([a, b], ek.keras.layers.add([a, b]))
    >>> model([ek.constant([[1.0, 2.0]]), ek.constant([[3.0, 4.0]])])
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[4., 6.]], dtype=float32)>
    """
    return Add(**kwargs)(inputs)


def concatenate(inputs: list[Any], axis: int = -1, **kwargs: Any) -> Any:
    """Functional form of :class:`Concatenate`.

    >>> import eagerkit as ek
    >>> ek.keras.layers.concatenate([ek.ones([2, 3]), ek.zeros([2, 1])]).shape
    TensorShape([2, 4])
    >>> ek.keras.layers.concatenate([ek.ones([2, 3]), ek.zeros([1, 3])], axis=0).shape
    TensorShape([3, 3])
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


def multiply(inputs: list[Any], **kwargs: Any) -> Any:
    """Functional form of :class:`Multiply`.

    >>> import eagerkit as ek
    >>> ek.keras.layers.multiply([ek.constant([[1.0, 2.0]]), ek.constant([[3.0, 4.0]])])
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[3., 8.]], dtype=float32)>
    """
    return Multiply(**kwargs)(inputs)


def average(inputs: list[Any], **kwargs: Any) -> Any:
    """Functional form of :class:`Average`.

    >>> import eagerkit as ek
    >>> ek.keras.layers.average([ek.constant([[1.0, 2.0]]), ek.constant([[3.0, 4.0]])])
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[2., 3.]], dtype=float32)>
    """
    return Average(**kwargs)(inputs)


def subtract(inputs: list[Any], **kwargs: Any) -> Any:
    """Functional form of :class:`Subtract`.

    >>> import eagerkit as ek
    >>> ek.keras.layers.subtract([ek.constant([[5.0, 2.0]]), ek.constant([[3.0, 4.0]])])
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[ 2., -2.]], dtype=float32)>
    """
    return Subtract(**kwargs)(inputs)


def maximum(inputs: list[Any], **kwargs: Any) -> Any:
    """Functional form of :class:`Maximum`.

    >>> import eagerkit as ek
    >>> ek.keras.layers.maximum([ek.constant([[1.0, 5.0]]), ek.constant([[3.0, 4.0]])])
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[3., 5.]], dtype=float32)>
    """
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list[Any], **kwargs: Any) -> Any:
    """Functional form of :class:`Minimum`.

    >>> import eagerkit as ek
    >>> ek.keras.layers.minimum([ek.constant([[1.0, 5.0]]), ek.constant([[3.0, 4.0]])])
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[1., 4.]], dtype=float32)>
    """
    return Minimum(**kwargs)(inputs)
