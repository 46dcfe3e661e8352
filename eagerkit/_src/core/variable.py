"""``Variable``: the one kind of mutable state in eagerkit.

A Variable holds a ``jax.Array``. Reads and writes go through the innermost
variable-override frame when one is active (``ek.function`` tracing, custom-gradient
replays), which is how compiled functions see and update state without the Variable
knowing anything about them.

>>> import eagerkit as ek
>>> v = ek.Variable(1.0)
>>> _ = v.assign_add(2.0)
>>> v.numpy()
np.float32(3.0)
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from eagerkit._src.core import context
from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.convert import to_array
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor import Reference, Tensor, TracedValueError, device_name, numpy_text
from eagerkit._src.core.tensor_shape import TensorShape

_ids = itertools.count(1)


def _enum(kind: type[enum.IntEnum], value: Any, what: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise ValueError(
            f"Invalid variable {what} {value!r}: use one of {', '.join(f'{kind.__name__}.{m.name}' for m in kind)}."
        ) from None


class VariableSynchronization(enum.IntEnum):
    """When a distributed variable's replicas are combined (``tf.VariableSynchronization``).

    ``ON_READ`` variables (metric state) are combined when read across replicas (see
    ``ek.distribute``); the others are kept the same on every replica.

    >>> import eagerkit as ek
    >>> v = ek.Variable(0.0, synchronization=ek.VariableSynchronization.ON_READ)
    >>> v.synchronization
    <VariableSynchronization.ON_READ: 3>
    """

    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3

    __str__ = enum.Enum.__str__  # "VariableSynchronization.AUTO", as TF prints it


class VariableAggregation(enum.IntEnum):
    """How replicas' updates of a distributed variable are combined (``tf.VariableAggregation``).

    >>> import eagerkit as ek
    >>> v = ek.Variable(0.0, aggregation=ek.VariableAggregation.MEAN)
    >>> v.aggregation
    <VariableAggregation.MEAN: 2>
    """

    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3

    __str__ = enum.Enum.__str__


class Variable:
    """A mutable tensor-like value (``tf.Variable``).

    Args:
      initial_value: a value convertible to a tensor, or a zero-argument callable returning one.
      trainable: whether GradientTape watches it automatically and Keras trains it.
      name: the variable's name (shown as ``name:0``).
      dtype: convert the initial value to this dtype.
      shape: the declared shape; ``None`` dims allow assignments of other sizes there.
      constraint: a function applied by optimizers after each update.

    >>> import eagerkit as ek
    >>> w = ek.Variable([[1.0]], name="w")
    >>> w.name, w.shape, w.trainable
    ('w:0', TensorShape([1, 1]), True)
    """

    _ek_variable = True
    __array_priority__ = 100
    #: A ``jax.sharding.Sharding`` the value is kept in after compiled updates (set by
    #: ``ek.distribute.experimental.shard``); None: wherever the value happens to be.
    _layout: Any = None

    def __init__(
        self,
        initial_value: Any = None,
        trainable: bool | None = None,
        validate_shape: bool = True,
        caching_device: Any = None,
        name: str | None = None,
        variable_def: Any = None,
        dtype: Any = None,
        import_scope: Any = None,
        constraint: Callable | None = None,
        synchronization: int = VariableSynchronization.AUTO,
        aggregation: int = VariableAggregation.NONE,
        shape: Any = None,
        experimental_enable_variable_lifting: bool = True,
    ) -> None:
        if initial_value is None:
            raise ValueError("The `initial_value` arg to `tf.Variable` must be specified.")
        if constraint is not None and not callable(constraint):
            raise ValueError(f"The `constraint` argument must be a callable. Received: {constraint!r}")
        if synchronization == VariableSynchronization.ON_READ and trainable:
            raise ValueError(
                "Synchronization value can be set to VariableSynchronization.ON_READ only for non-trainable variables."
            )
        with context.init_scope():
            if callable(initial_value):
                initial_value = initial_value()
            value = jax.numpy.array(to_array(initial_value, dtype), copy=True)
        if isinstance(value, jax.core.Tracer):
            raise ValueError(
                f"Variable {name or 'Variable'!r}: its initial value depends on values being traced by "
                "ek.function (e.g. the function's arguments), so it cannot be computed once, eagerly, as "
                "variable initial values must be. Build it from static shapes instead, e.g. "
                "ek.Variable(lambda: ek.ones(x.shape)), or create the variable outside the function."
            )
        self._value = value
        self._trainable = synchronization != VariableSynchronization.ON_READ if trainable is None else bool(trainable)
        self._name = name or "Variable"
        self._shape = TensorShape(value.shape if shape is None or not validate_shape else shape)
        if shape is not None and not self._shape.is_compatible_with(value.shape):
            raise ValueError(
                f"In this tf.Variable creation, the initial value's shape ({TensorShape(value.shape)}) "
                f"is not compatible with the explicitly supplied `shape` argument ({self._shape})."
            )
        if not validate_shape:
            self._shape = TensorShape([None] * value.ndim)
        # A declared partial shape (``shape=[None]``) is what ``.shape`` reports, as in TF.
        self._declared_partial = shape is not None and validate_shape and not self._shape.is_fully_defined()
        self._constraint = constraint
        self._synchronization = _enum(VariableSynchronization, synchronization, "synchronization")
        self._aggregation = _enum(VariableAggregation, aggregation, "aggregation")
        self._unique_id = next(_ids)
        if context.frames:
            context.frames[-1].created(self)
        for hook in _creation_hooks:
            hook(self)

    # -- raw access used by ops, tapes and functions ------------------------------
    def _read(self) -> Any:
        if context.frames:
            return context.frames[-1].read(self)
        return self._value

    def _write(self, value: Any) -> None:
        if context.frames:
            context.frames[-1].write(self, value)
        else:
            self._value = value

    # -- TF API -------------------------------------------------------------------
    @property
    def name(self) -> str:
        return f"{self._name}:0"

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def constraint(self) -> Callable | None:
        return self._constraint

    @property
    def synchronization(self) -> int:
        return self._synchronization

    @property
    def aggregation(self) -> int:
        return self._aggregation

    @property
    def shape(self) -> TensorShape:
        if self._shape.is_fully_defined() or getattr(self, "_declared_partial", False):
            return self._shape
        return TensorShape(self._read().shape)

    def get_shape(self) -> TensorShape:
        """The variable's shape (same as ``.shape``).

        >>> import eagerkit as ek
        >>> ek.Variable([[1.0, 2.0]]).get_shape()
        TensorShape([1, 2])
        """
        return self.shape

    @property
    def dtype(self) -> _dtypes.DType:
        return _dtypes.from_numpy(self._value.dtype)

    @property
    def device(self) -> str:
        return device_name(self._value)

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def initial_value(self) -> Tensor:
        raise NotImplementedError("Variable.initial_value is not kept by eagerkit; re-create the variable.")

    def value(self) -> Tensor:
        """The current value as a Tensor (recorded by active tapes as a read).

        >>> import eagerkit as ek
        >>> ek.Variable([1.0, 2.0]).value()
        <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>
        """
        return _read_hook(self)

    def read_value(self) -> Tensor:
        """The current value as a Tensor (recorded by active tapes as a read).

        >>> import eagerkit as ek
        >>> v = ek.Variable(1.0)
        >>> snapshot = v.read_value()
        >>> _ = v.assign(5.0)
        >>> snapshot, v.read_value()
        (<tf.Tensor: shape=(), dtype=float32, numpy=1.0>, <tf.Tensor: shape=(), dtype=float32, numpy=5.0>)
        """
        return _read_hook(self)

    def numpy(self) -> np.ndarray | np.generic:
        """The current value as a NumPy array (a NumPy scalar for rank 0).

        >>> import eagerkit as ek
        >>> ek.Variable([[1, 2]]).numpy()
        array([[1, 2]], dtype=int32)
        """
        value = self._read()
        if context.is_symbolic(value):
            raise TracedValueError("Variable.numpy() is not available inside ek.function; use the variable in ops.")
        try:
            arr = np.array(value)
        except jax.errors.TracerArrayConversionError:
            raise TracedValueError(
                "Variable.numpy() is not available inside ek.function; use the variable in ops."
            ) from None
        return arr[()] if arr.ndim == 0 else arr

    def _checked(self, value: Any, op: str) -> Any:
        try:
            arr = to_array(value, self.dtype)
        except InvalidArgumentError as e:
            raise InvalidArgumentError(
                None,
                op,
                f"{op} on variable '{self.name}' of dtype {self.dtype.name}: {e.message}. "
                f"Cast the value first, e.g. ek.cast(value, ek.{self.dtype.name}).",
            ) from None
        if not self._shape.is_compatible_with(arr.shape):
            raise InvalidArgumentError(
                None,
                op,
                f"{op}: cannot assign a value of shape {TensorShape(arr.shape)} to variable "
                f"'{self.name}' of shape {self._shape}. Reshape the value to {self._shape}.",
            )
        return arr

    def assign(
        self, value: Any, use_locking: bool = False, name: str | None = None, read_value: bool = True
    ) -> Variable:
        """Sets the variable to ``value`` (same dtype; shape compatible with the declared shape).

        >>> import eagerkit as ek
        >>> v = ek.Variable([1.0, 2.0])
        >>> v.assign([3.0, 4.0])
        <tf.Variable 'Variable:0' shape=(2,) dtype=float32, numpy=array([3., 4.], dtype=float32)>
        >>> v.assign(ek.constant([1, 2]))  # raises: int32 into a float32 variable
        Traceback (most recent call last):
            ...
        eagerkit._src.core.errors.InvalidArgumentError: AssignVariableOp on variable 'Variable:0' of dtype ...
        """
        self._write(self._checked(value, "AssignVariableOp"))
        return self if read_value else None

    def assign_add(
        self, delta: Any, use_locking: bool = False, name: str | None = None, read_value: bool = True
    ) -> Variable:
        """Adds ``delta`` to the variable.

        >>> import eagerkit as ek
        >>> v = ek.Variable(1.0)
        >>> _ = v.assign_add(2.0)
        >>> v.numpy()
        np.float32(3.0)
        """
        delta = self._checked(delta, "AssignAddVariableOp")
        self._write(self._read() + delta)
        return self if read_value else None

    def assign_sub(
        self, delta: Any, use_locking: bool = False, name: str | None = None, read_value: bool = True
    ) -> Variable:
        """Subtracts ``delta`` from the variable.

        >>> import eagerkit as ek
        >>> v = ek.Variable([5, 5])
        >>> v.assign_sub([1, 2]).numpy()
        array([4, 3], dtype=int32)
        """
        delta = self._checked(delta, "AssignSubVariableOp")
        self._write(self._read() - delta)
        return self if read_value else None

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = np.asarray(self.numpy())
        return arr.astype(dtype) if dtype is not None else arr

    def __jax_array__(self) -> Any:
        return self._read()

    def __len__(self) -> int:
        return len(self.value())

    def __iter__(self):
        return iter(self.value())

    def __bool__(self) -> bool:
        return bool(self.value())

    def __int__(self) -> int:
        return int(self.value())

    def __float__(self) -> float:
        return float(self.value())

    def __index__(self) -> int:
        return self.value().__index__()

    def __format__(self, format_spec: str) -> str:
        # TF's variables have no __format__: "{}" gives str(v) (the repr), a spec is refused.
        if format_spec:
            raise TypeError(f"unsupported format string passed to {type(self).__name__}.__format__")
        return str(self)

    def __hash__(self) -> int:
        raise TypeError("Variable is unhashable. Instead, use variable.ref() as the key.")

    def __iadd__(self, other: Any) -> Any:
        raise RuntimeError(
            "`variable += value` with `tf.Variable`s is not supported. Use "
            "`variable.assign_add(value)` to modify the variable, or `out = variable + value` "
            "if you need to get a new output Tensor."
        )

    def __isub__(self, other: Any) -> Any:
        raise RuntimeError(
            "`variable -= value` with `tf.Variable`s is not supported. Use "
            "`variable.assign_sub(value)` to modify the variable, or `out = variable - value` "
            "if you need to get a new output Tensor."
        )

    def __imul__(self, other: Any) -> Any:
        raise RuntimeError(_inplace_message("*"))

    def __itruediv__(self, other: Any) -> Any:
        raise RuntimeError(_inplace_message("/"))

    def __ipow__(self, other: Any) -> Any:
        raise RuntimeError(_inplace_message("**"))

    def ref(self) -> Reference:
        """A hashable reference to this variable.

        >>> import eagerkit as ek
        >>> a, b = ek.Variable(1.0), ek.Variable(2.0)
        >>> names = {a.ref(): "a", b.ref(): "b"}
        >>> names[b.ref()]
        'b'
        """
        return Reference(self)

    experimental_ref = ref

    def __repr__(self) -> str:
        try:
            text = numpy_text(np.asarray(self._read()), is_repr=True)
        except jax.errors.TracerArrayConversionError:
            text = "<symbolic>"
        return f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}, numpy={text}>"

    def __str__(self) -> str:
        return self.__repr__()

    def __deepcopy__(self, memo: dict) -> Variable:
        return Variable(self._value, trainable=self._trainable, name=self._name, constraint=self._constraint)


def _inplace_message(op: str) -> str:
    return (
        f"`var {op}= value` with `tf.Variable`s is not supported. Use `var.assign(var {op} value)` to "
        f"modify the variable, or `out = var {op} value` if you need to get a new output Tensor."
    )


def _missing_read_hook(var: Variable) -> Tensor:
    return Tensor(var._read())


#: Replaced by the ops layer with an op that records the read on active tapes.
_read_hook: Callable[[Variable], Tensor] = _missing_read_hook
#: Called with every new Variable (used by checkpoint deferred restoration).
_creation_hooks: list[Callable[[Variable], None]] = []


def set_read_hook(fn: Callable[[Variable], Tensor]) -> None:
    """Installs the function that turns a variable read into a (taped) Tensor."""
    global _read_hook
    _read_hook = fn
