"""``Tensor``: an immutable value wrapping a ``jax.Array`` (or a tracer while tracing).

Operators (``+``, ``@``, ``[]``, ...) are installed by the ops layer
(``eagerkit._src.ops.operators``), so this module stays free of op definitions.

>>> import eagerkit as ek
>>> a = ek.constant([[1, 2], [3, 4]])
>>> print(a)
tf.Tensor(
[[1 2]
 [3 4]], shape=(2, 2), dtype=int32)
>>> a.shape, a.dtype
(TensorShape([2, 2]), tf.int32)
"""

from __future__ import annotations

import warnings
from typing import Any

import jax
import numpy as np

from eagerkit._src.core import context
from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.tensor_shape import TensorShape


def device_name(value: Any) -> str:
    """TF's full device string for the device holding a jax value."""
    try:
        dev = next(iter(value.devices()))
    except (AttributeError, jax.errors.ConcretizationTypeError, StopIteration):
        dev = jax.devices()[0]
    kind = {"cpu": "CPU", "gpu": "GPU", "cuda": "GPU", "rocm": "GPU", "tpu": "TPU"}.get(
        dev.platform, dev.platform.upper()
    )
    return f"/job:localhost/replica:0/task:0/device:{kind}:{dev.id}"


def numpy_text(array: np.ndarray | np.generic, is_repr: bool = False) -> str:
    """Formats a value the way TF's tensor printing does."""
    if np.ndim(array) == 0:
        text = str(np.asarray(array)[()])
    else:
        text = repr(array) if is_repr else str(array)
    if "\n" in text:
        text = "\n" + text
    return text


class TracedValueError(TypeError):
    """A concrete value was requested from a symbolic tensor inside ``ek.function``."""


class Tensor:
    """An immutable multi-dimensional array (``tf.Tensor``).

    >>> import eagerkit as ek
    >>> x = ek.constant([[1.0, 2.0], [3.0, 4.0]])
    >>> x
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=
    array([[1., 2.],
           [3., 4.]], dtype=float32)>
    >>> print(x)
    tf.Tensor(
    [[1. 2.]
     [3. 4.]], shape=(2, 2), dtype=float32)
    >>> x.shape, x.dtype
    (TensorShape([2, 2]), tf.float32)
    >>> (x + 1.0) @ x
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=
    array([[11., 16.],
           [19., 28.]], dtype=float32)>
    >>> x[0, 1]
    <tf.Tensor: shape=(), dtype=float32, numpy=2.0>
    >>> x.numpy()
    array([[1., 2.],
           [3., 4.]], dtype=float32)
    """

    __slots__ = ("_value", "__weakref__")
    __array_priority__ = 100

    def __init__(self, value: Any) -> None:
        self._value = value

    # -- value access -------------------------------------------------------------
    def _concrete(self, what: str) -> np.ndarray:
        if context.symbolic_ids and id(self._value) in context.symbolic_ids:
            raise TracedValueError(
                f"{what} needs a concrete value, but this Tensor is symbolic inside "
                "ek.function. Use ek.print / ek ops, or run the code eagerly."
            )
        try:
            return np.asarray(self._value)
        except jax.errors.TracerArrayConversionError:
            raise TracedValueError(
                f"{what} needs a concrete value, but this Tensor is symbolic inside "
                "ek.function. Use ek.print / ek ops, or run the code eagerly."
            ) from None

    def numpy(self) -> np.ndarray | np.generic:
        """The value as a NumPy array (a NumPy scalar for rank 0), like ``Tensor.numpy``.

        >>> import eagerkit as ek
        >>> ek.constant([1.0, 2.0]).numpy()
        array([1., 2.], dtype=float32)
        >>> ek.constant(3).numpy()
        np.int32(3)
        """
        arr = np.array(self._concrete("Tensor.numpy()"))
        return arr[()] if arr.ndim == 0 else arr

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self._concrete("Converting a Tensor to a NumPy array")
        return arr.astype(dtype) if dtype is not None else arr

    def __jax_array__(self) -> Any:
        return self._value

    # -- metadata -------------------------------------------------------------------
    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._value.shape)

    def get_shape(self) -> TensorShape:
        """The static shape (same as ``.shape``).

        >>> import eagerkit as ek
        >>> ek.ones([2, 3]).get_shape()
        TensorShape([2, 3])
        """
        return self.shape

    @property
    def dtype(self) -> _dtypes.DType:
        return _dtypes.from_numpy(self._value.dtype)

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def device(self) -> str:
        return device_name(self._value)

    @property
    def backing_device(self) -> str:
        """The device holding the tensor's memory (the same as ``device`` on JAX)."""
        return device_name(self._value)

    @property
    def name(self) -> str:
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    def _to_device(self, kind: str, index: int) -> Tensor:
        warnings.warn(
            f"Tensor.{kind.lower()} (from eagerkit) is deprecated and will be removed in a "
            "future version. Instructions for updating: Use ek.identity inside "
            f"ek.device('/{kind.lower()}:{index}') instead.",
            DeprecationWarning,
            stacklevel=3,
        )
        try:
            devs = jax.devices(kind.lower())
        except RuntimeError:
            devs = []
        if index >= len(devs):
            raise RuntimeError(
                f"{kind}:{index} unknown device. JAX sees {len(devs)} {kind} device(s); check "
                f"ek.config.list_physical_devices('{kind}') before copying to it."
            )
        return Tensor(jax.device_put(self._value, devs[index]))

    def gpu(self, gpu_index: int = 0) -> Tensor:
        """Deprecated (as in TF): copies the tensor to a GPU. Use ``ek.identity`` under ``ek.device``:

        >>> import eagerkit as ek
        >>> x = ek.constant(1.0)
        >>> with ek.device("/gpu:0"):  # soft placement: stays on the CPU when there is no GPU
        ...     y = ek.identity(x)
        >>> y.numpy()
        np.float32(1.0)
        """
        return self._to_device("GPU", gpu_index)

    def cpu(self) -> Tensor:
        """Deprecated (as in TF): copies the tensor to the CPU. Use ``ek.identity`` under ``ek.device``:

        >>> import eagerkit as ek
        >>> with ek.device("/cpu:0"):
        ...     y = ek.identity(ek.constant(1.0))
        >>> y.device.endswith("CPU:0")
        True
        """
        return self._to_device("CPU", 0)

    # -- Python protocol ------------------------------------------------------------
    def __len__(self) -> int:
        if self._value.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return self._value.shape[0]

    def __iter__(self):
        if self._value.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        from eagerkit._src.ops import array_ops

        return iter(array_ops.unstack(self))

    def __bool__(self) -> bool:
        # Like NumPy/TF: one element (any rank) gives its truth value, no elements give False.
        arr = self._scalar("bool")
        if arr.size > 1:
            raise ValueError(
                f"The truth value of an array with more than one element is ambiguous "
                f"(converting a tensor of shape {tuple(arr.shape)} to Python bool). "
                "Use ek.reduce_any or ek.reduce_all."
            )
        return bool(arr.size and arr.reshape(())[()])

    def __int__(self) -> int:
        return int(self._scalar_item("int"))

    def __float__(self) -> float:
        return float(self._scalar_item("float"))

    def __index__(self) -> int:
        if not _dtypes.from_numpy(self._value.dtype).is_integer:
            raise TypeError(
                f"Only integer scalar tensors can be used as an index, got {self.dtype.name}; "
                "cast with ek.cast(t, ek.int32)."
            )
        return int(self._scalar_item("index"))

    def _scalar(self, what: str) -> np.ndarray:
        if context.is_symbolic(self._value):
            from eagerkit._src.core import tracing_errors

            tracing_errors.raise_python_control_flow(what)
        return np.asarray(self._value)

    def _scalar_item(self, what: str) -> Any:
        arr = self._scalar(what)
        if arr.ndim != 0:
            raise TypeError(
                f"only 0-dimensional arrays can be converted to Python scalars (converting a tensor of "
                f"shape {tuple(arr.shape)} to Python {what}); index it (t[0]) or reshape it (ek.reshape(t, []))."
            )
        return arr[()]

    def __hash__(self) -> int:
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")

    def ref(self) -> Reference:
        """A hashable reference to this tensor, like ``Tensor.ref()``.

        >>> import eagerkit as ek
        >>> x = ek.constant([1.0])
        >>> seen = {x.ref(): "x"}  # tensors are not hashable; their references are
        >>> seen[x.ref()], x.ref().deref() is x
        ('x', True)
        """
        return Reference(self)

    experimental_ref = ref

    def __format__(self, format_spec: str) -> str:
        return self._concrete("Formatting a Tensor").__format__(format_spec)

    def __str__(self) -> str:
        if isinstance(self._value, jax.core.Tracer):
            return f"Tensor(shape={self.shape}, dtype={self.dtype.name}) [symbolic]"
        return f"tf.Tensor({numpy_text(np.asarray(self._value))}, shape={self.shape}, dtype={self.dtype.name})"

    def __repr__(self) -> str:
        if isinstance(self._value, jax.core.Tracer):
            return f"<tf.Tensor shape={self.shape} dtype={self.dtype.name} (symbolic)>"
        return (
            f"<tf.Tensor: shape={self.shape}, dtype={self.dtype.name}, "
            f"numpy={numpy_text(np.asarray(self._value), is_repr=True)}>"
        )

    def __reduce__(self):
        return Tensor, (self.numpy(),)


class Reference:
    """A hashable wrapper comparing by identity (what ``Tensor.ref()`` returns)."""

    __slots__ = ("_obj",)

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def deref(self) -> Any:
        return self._obj

    def __hash__(self) -> int:
        return id(self._obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reference) and other._obj is self._obj

    def __repr__(self) -> str:
        return f"<Reference wrapping {self._obj!r}>"


# A Tensor is a pytree with one leaf (its array): JAX transformations and jitted jax.numpy
# functions (``jnp.sqrt(t)``) then see the array, since JAX no longer calls ``__jax_array__``
# while abstracting jit arguments. Unflattening rebuilds a Tensor around the (possibly traced) leaf.
jax.tree_util.register_pytree_node(Tensor, lambda t: ((t._value,), None), lambda _, leaves: Tensor(leaves[0]))
