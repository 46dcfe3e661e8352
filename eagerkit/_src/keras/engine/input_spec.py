"""``InputSpec``: what a layer accepts (rank, known axis sizes, full shape), and the check.

A layer sets ``self.input_spec`` (usually in ``build``); ``Layer.__call__`` checks every
input against it and raises a ``ValueError`` naming the layer, the expectation, the
received shape and how to fix it.

>>> from eagerkit._src.keras.engine.input_spec import InputSpec, assert_input_compatibility
>>> spec = InputSpec(min_ndim=2, axes={-1: 3})
>>> assert_input_compatibility(spec, [(4, 3)], "dense")
>>> try:
...     assert_input_compatibility(spec, [(4, 5)], "dense")
... except ValueError as e:
...     print(str(e).split(": ")[1].split(".")[0])
expected axis -1 of input shape to have value 3, but received input with shape (4, 5)
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.util import nest


class InputSpec:
    """Specifies the rank, dtype and shape of every input to a layer (``tf.keras.layers.InputSpec``).

    Args:
      dtype: expected dtype name, or None.
      shape: expected full shape (``None`` entries match any size).
      ndim / max_ndim / min_ndim: expected rank constraints.
      axes: ``{axis: size}`` for axes whose size is fixed (e.g. the feature axis).
      allow_last_axis_squeeze: accept a missing or extra trailing axis of size 1.
      name: the expected input name (informational).

    >>> InputSpec(ndim=4, axes={-1: 3})
    InputSpec(ndim=4, axes={-1: 3})
    """

    def __init__(
        self,
        dtype: Any = None,
        shape: Any = None,
        ndim: int | None = None,
        max_ndim: int | None = None,
        min_ndim: int | None = None,
        axes: dict[int, int | None] | None = None,
        allow_last_axis_squeeze: bool = False,
        name: str | None = None,
    ) -> None:
        self.dtype = None if dtype is None else _dtypes.as_dtype(dtype).name
        self.shape = None if shape is None else tuple(TensorShape(shape).as_list())
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            max_dim = (self.ndim if self.ndim is not None else self.max_ndim) - 1
            if max(self.axes) > max_dim:
                raise ValueError(f"Axis {max(self.axes)} is greater than the maximum allowed value: {max_dim}")

    def __repr__(self) -> str:
        parts = []
        for key in ("dtype", "shape", "ndim", "max_ndim", "min_ndim", "axes"):
            value = getattr(self, key)
            if value:
                parts.append(f"{key}={value}")
        return f"InputSpec({', '.join(parts)})"

    def get_config(self) -> dict[str, Any]:
        return {
            "dtype": self.dtype,
            "shape": self.shape,
            "ndim": self.ndim,
            "max_ndim": self.max_ndim,
            "min_ndim": self.min_ndim,
            "axes": self.axes,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> InputSpec:
        return cls(**config)


def _fix_hint(layer_name: str, built_shape: Any) -> str:
    if built_shape is None:
        return ""
    return (
        f" The layer was built for inputs of shape {TensorShape(built_shape)}; pass inputs of that shape, "
        f"or create a new layer (layers build once, on their first call)."
    )


def assert_input_compatibility(
    input_spec: InputSpec | list[InputSpec] | None,
    input_shapes: list[Any],
    layer_name: str,
    built_shape: Any = None,
    input_dtypes: list[Any] | None = None,
) -> None:
    """Raises ``ValueError`` if any input shape does not satisfy the layer's spec.

    Args:
      input_spec: one spec (applied to every input) or one per input.
      input_shapes: the shapes of the flattened inputs.
      layer_name: the layer named in the message.
      built_shape: the input shape the layer was built for (mentioned in the fix).
      input_dtypes: dtype names of the inputs, checked against ``spec.dtype``.
    """
    if input_spec is None:
        return
    specs = nest.flatten(input_spec)
    if not specs:
        return
    shapes = [TensorShape(s) for s in input_shapes]
    if len(specs) > 1 and len(shapes) != len(specs):
        raise ValueError(
            f'Layer "{layer_name}" expects {len(specs)} input(s), but it received {len(shapes)} input tensors.'
        )
    if len(specs) == 1 and len(shapes) > 1:
        specs = specs * len(shapes)
    hint = _fix_hint(layer_name, built_shape)
    for i, (spec, shape) in enumerate(zip(specs, shapes)):
        if spec is None:
            continue
        head = f'Input {i} of layer "{layer_name}" is incompatible with the layer: '
        if shape.rank is None:
            continue
        ndim = shape.rank
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
            raise ValueError(f"{head}expected ndim={spec.ndim}, found ndim={ndim}. Full shape received: {shape}.{hint}")
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            raise ValueError(f"{head}expected max_ndim={spec.max_ndim}, found ndim={ndim}.{hint}")
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            raise ValueError(
                f"{head}expected min_ndim={spec.min_ndim}, found ndim={ndim}. Full shape received: {shape}.{hint}"
            )
        if spec.dtype is not None and input_dtypes is not None and input_dtypes[i] != spec.dtype:
            raise ValueError(f"{head}expected dtype={spec.dtype}, found dtype={input_dtypes[i]}.")
        dims = shape.as_list()
        for axis, value in spec.axes.items():
            if value is None:
                continue
            if not -ndim <= axis < ndim:
                raise ValueError(f"{head}expected axis {axis} to exist, but input has shape {shape}.{hint}")
            if dims[axis] is not None and dims[axis] != value:
                raise ValueError(
                    f"{head}expected axis {axis} of input shape to have value {value}, "
                    f"but received input with shape {shape}.{hint}"
                )
        if spec.shape is not None:
            want = list(spec.shape)
            got = dims
            if spec.allow_last_axis_squeeze:
                if got and got[-1] == 1:
                    got = got[:-1]
                if want and want[-1] == 1:
                    want = want[:-1]
            if len(want) != len(got) or any(w is not None and g is not None and w != g for w, g in zip(want, got)):
                raise ValueError(f"{head}expected shape={TensorShape(spec.shape)}, found shape={shape}.{hint}")
