"""``Loss``: the loss base class, ``LossFunctionWrapper``, and ``defloss`` for built-in kernels.

DESIGN: a built-in loss is one pure JAX *kernel* ``(y_true, y_pred, **options) ->
per-sample losses``. :func:`defloss` registers it with ``defop`` as a single op that also
casts to the loss dtype and applies the Keras reduction, so calling
``ek.keras.losses.MeanSquaredError()(y, p)`` is one compiled call, recorded as one entry
on an active GradientTape (whose backward pass is ``jax.vjp`` of the whole kernel), and
works on symbolic values inside ``ek.function``. User subclasses implement ``call`` with
ek ops; ``Loss.__call__`` then reduces their output with the same reduction op.

>>> import eagerkit as ek
>>> from eagerkit._src.keras.losses.loss import Loss
>>> class Squares(Loss):
...     def call(self, y_true, y_pred):
...         return ek.reduce_mean(ek.square(y_true - y_pred), axis=-1)
>>> Squares()([[0.0, 1.0]], [[1.0, 1.0]]).numpy()
np.float32(0.5)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.convert import convert_to_tensor
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.variable import Variable
from eagerkit._src.keras.losses.reduction import (
    reduce_weighted,
    reduce_weighted_values,
    squeeze_or_expand_to_same_rank,
    standardize_reduction,
)
from eagerkit._src.ops import math_ops
from eagerkit._src.ops.op import Op, defop

#: Keras' fuzz factor (``keras.backend.epsilon()``).
EPSILON = 1e-7


def snake_case(name: str) -> str:
    """Keras' default object names: ``"MeanSquaredError"`` -> ``"mean_squared_error"``,
    ``"RMSprop"`` -> ``"rm_sprop"``, ``"AdamW"`` -> ``"adam_w"`` (as ``tf.keras`` names them)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def to_loss_tensor(x: Any, dtype: str | None) -> Tensor:
    """Converts ``x`` to a Tensor of ``dtype`` (an op-recorded cast when it is a tensor)."""
    if type(x) is Tensor or isinstance(x, Variable):
        if dtype is not None and x.dtype.name != dtype:
            return math_ops.cast(x, dtype)
        return x if type(x) is Tensor else x.value()
    t = convert_to_tensor(x)
    if dtype is not None and t.dtype.name != dtype:
        return math_ops.cast(t, dtype)
    return t


def options_key(options: dict[str, Any]) -> tuple:
    """Loss options as a hashable, order-independent static op argument."""
    return tuple(sorted(options.items()))


def defloss(tf_name: str, kernel: Callable[..., Any]) -> Op:
    """Registers a per-sample loss kernel as one op.

    The op takes ``(y_true, y_pred, sample_weight)`` tensors and static ``options`` (the
    kernel's keyword arguments as ``options_key(dict)``), ``reduction``, ``dtype`` (cast
    ``y_pred`` first) and ``align_ranks`` (Keras' ``LossFunctionWrapper`` squeezes/expands
    ``y_true`` against ``y_pred`` before calling the function).
    """

    def loss_op(y_true, y_pred, sample_weight, options=(), reduction="none", dtype=None, align_ranks=False):
        if dtype is not None:
            y_pred = y_pred.astype(dtype)
        if align_ranks:
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        values = kernel(y_true, y_pred, **dict(options))
        return reduce_weighted(values, sample_weight, None, reduction)

    loss_op.__name__ = kernel.__name__
    loss_op.__doc__ = kernel.__doc__
    return defop(tf_name, tensors=("y_true", "y_pred", "sample_weight"))(loss_op)


class Loss:
    """Loss base class (``tf.keras.losses.Loss``).

    Subclasses implement ``call(y_true, y_pred)`` returning per-sample losses built from ek
    ops; ``__call__`` converts both inputs to the loss dtype, calls it, applies
    ``sample_weight`` and reduces.

    Args:
      name: the loss name (default: the class name in snake_case).
      reduction: ``"sum_over_batch_size"`` (default), ``"sum"``, ``"none"`` (or ``None``),
        ``"mean"``, ``"mean_with_sample_weight"``, or a ``Reduction`` constant (``AUTO``
        means ``SUM_OVER_BATCH_SIZE``).
      dtype: the computation dtype (default float32, as Keras' ``floatx``).

    >>> import eagerkit as ek
    >>> class AbsoluteError(ek.keras.losses.Loss):
    ...     def call(self, y_true, y_pred):
    ...         return ek.reduce_mean(ek.abs(y_true - y_pred), axis=-1)
    >>> loss = AbsoluteError()
    >>> loss.name
    'absolute_error'
    >>> loss([[0.0, 1.0]], [[1.0, 1.0]])
    <tf.Tensor: shape=(), dtype=float32, numpy=0.5>
    >>> AbsoluteError(reduction="none")([[0.0], [1.0]], [[1.0], [3.0]])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>
    """

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size", dtype: Any = None):
        self.name = name or snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = _dtypes.as_dtype(dtype or "float32").name

    @property
    def dtype(self) -> str:
        """The computation dtype's name (e.g. ``"float32"``)."""
        return self._dtype

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        """The weighted, reduced loss (a scalar Tensor unless ``reduction="none"``)."""
        y_true = to_loss_tensor(y_true, self._dtype)
        y_pred = to_loss_tensor(y_pred, self._dtype)
        losses = self.call(y_true, y_pred)
        return reduce_weighted_values(losses, sample_weight, reduction=self.reduction, dtype=self._dtype)

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        """Per-sample losses; implement this in subclasses.

        >>> import eagerkit as ek
        >>> class Squared(ek.keras.losses.Loss):
        ...     def call(self, y_true, y_pred):  # per-sample losses
        ...         return ek.reduce_mean(ek.square(y_true - y_pred), axis=-1)
        >>> Squared().call(ek.constant([[0.0], [1.0]]), ek.constant([[1.0], [3.0]]))
        <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 4.], dtype=float32)>
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement `call(self, y_true, y_pred)` returning per-sample losses "
            "(or wrap a function with ek.keras.losses.LossFunctionWrapper)."
        )

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (``from_config(get_config())`` rebuilds the loss).

        >>> import eagerkit as ek
        >>> ek.keras.losses.MeanSquaredError(reduction="sum").get_config()
        {'name': 'mean_squared_error', 'reduction': 'sum'}
        """
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """Builds a loss from ``get_config()``'s output.

        >>> import eagerkit as ek
        >>> loss = ek.keras.losses.MeanSquaredError.from_config({"name": "mse", "reduction": "sum"})
        >>> loss([[0.0], [0.0]], [[1.0], [2.0]])
        <tf.Tensor: shape=(), dtype=float32, numpy=5.0>
        """
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name} reduction={self.reduction}>"


class LossFunctionWrapper(Loss):
    """Wraps a function ``fn(y_true, y_pred, **kwargs) -> per-sample losses`` as a Loss.

    Built-in loss functions run as one fused op (kernel + reduction).

    >>> import eagerkit as ek
    >>> from eagerkit._src.keras.losses.loss import LossFunctionWrapper
    >>> loss = LossFunctionWrapper(lambda t, p: ek.abs(t - p), reduction="sum")
    >>> loss([1.0, 2.0], [0.0, 0.0]).numpy()
    np.float32(3.0)
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        reduction: str | None = "sum_over_batch_size",
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs
        self._fused_op: Op | None = getattr(fn, "_ek_loss_op", None)
        self._options = options_key(kwargs) if self._fused_op is not None else ()

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        if self._fused_op is not None:
            return self._fused_op(
                y_true,
                y_pred,
                sample_weight,
                options=self._options,
                reduction=self.reduction,
                dtype=self._dtype,
                align_ranks=True,
            )
        return super().__call__(y_true, y_pred, sample_weight)

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        if type(self) is LossFunctionWrapper:
            config["fn"] = self.fn
        config.update(self._fn_kwargs)
        return config

    def __repr__(self) -> str:
        return f"<{type(self).__name__}({getattr(self.fn, '__name__', self.fn)}, kwargs={self._fn_kwargs})>"


def fused_with(op: Op) -> Callable[[Callable], Callable]:
    """Marks a public loss function as computed by ``op`` (so wrappers call the op directly)."""

    def mark(fn: Callable) -> Callable:
        fn._ek_loss_op = op  # type: ignore[attr-defined]
        return fn

    return mark
