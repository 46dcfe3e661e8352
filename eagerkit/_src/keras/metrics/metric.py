"""``Metric``: stateful metrics whose whole state lives in non-trainable Variables.

DESIGN: a metric owns Variables created with :meth:`Metric.add_weight` (or Keras 3's
``add_variable``). ``update_state`` must only combine ek ops with ``Variable.assign`` /
``assign_add``; then the same metric works eagerly, inside ``ek.function`` (the
assignments are functionalised by the trace) and in checkpoints (the Variables are found
by walking the object graph: metrics are ``AutoTrackable``). Built-in metrics compute each
update as one fused op ``(state, y_true, y_pred, sample_weight) -> new state`` followed by
``assign``, so an eager update costs one compiled call.

>>> import eagerkit as ek
>>> from eagerkit._src.keras.metrics.metric import Metric
>>> class Count(Metric):
...     def __init__(self, name="count", dtype=None):
...         super().__init__(name=name, dtype=dtype)
...         self.n = self.add_weight(name="n", initializer="zeros")
...     def update_state(self, values, sample_weight=None):
...         self.n.assign_add(ek.cast(ek.size(values), self.dtype))
...     def result(self):
...         return ek.identity(self.n)
>>> c = Count()
>>> c([1, 2, 3]).numpy()
np.float32(3.0)
"""

from __future__ import annotations

import functools
from typing import Any

import jax.numpy as jnp
import numpy as np

from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.tracking import AutoTrackable
from eagerkit._src.core.variable import Variable, VariableAggregation, VariableSynchronization
from eagerkit._src.distribute import distribute_lib
from eagerkit._src.keras.losses.loss import snake_case

_AGGREGATIONS = {
    None: VariableAggregation.SUM,
    "sum": VariableAggregation.SUM,
    "mean": VariableAggregation.MEAN,
    "only_first_replica": VariableAggregation.ONLY_FIRST_REPLICA,
    "none": VariableAggregation.NONE,
}


def _initial_value(initializer: Any, shape: tuple[int, ...], dtype: _dtypes.DType) -> Any:
    if initializer is None or initializer in ("zeros", "Zeros"):
        return np.zeros(shape, dtype.as_numpy_dtype)
    if initializer in ("ones", "Ones"):
        return np.ones(shape, dtype.as_numpy_dtype)
    if isinstance(initializer, (int, float, np.ndarray, list, tuple)):
        return np.broadcast_to(np.asarray(initializer, dtype.as_numpy_dtype), shape).copy()
    if isinstance(initializer, (str, dict)):
        from eagerkit._src.keras import initializers

        initializer = initializers.get(initializer)
    if callable(initializer):
        return lambda: initializer(shape, dtype=dtype)
    raise ValueError(
        f"Could not interpret initializer {initializer!r} for a metric variable. Pass 'zeros', 'ones', a number, "
        "or a callable `(shape, dtype) -> tensor`."
    )


def _as_shape(shape: Any) -> tuple[int, ...]:
    if shape is None:
        return ()
    if isinstance(shape, int):
        return (shape,)
    dims = shape.as_list() if hasattr(shape, "as_list") else list(shape)
    if any(d is None for d in dims):
        raise ValueError(f"Metric variables need a fully known shape, got {tuple(dims)}.")
    return tuple(int(d) for d in dims)


class Metric(AutoTrackable):
    """Encapsulates metric logic and state (``tf.keras.metrics.Metric``).

    Subclasses create state in ``__init__`` with ``self.add_weight(...)`` and implement
    ``update_state(...)`` (ek ops + ``assign``/``assign_add`` only: no ``.numpy()``) and
    ``result()``. ``metric(...)`` runs ``update_state`` and returns ``result()``.

    Args:
      name: the metric name (default: the class name in snake_case).
      dtype: the dtype of the state and result (default float32).

    >>> import eagerkit as ek
    >>> class Count(ek.keras.metrics.Metric):
    ...     def __init__(self, name="count", **kwargs):
    ...         super().__init__(name=name, **kwargs)
    ...         self.n = self.add_weight(name="n", initializer="zeros")
    ...     def update_state(self, values, sample_weight=None):
    ...         self.n.assign_add(ek.cast(ek.size(values), self.dtype))
    ...     def result(self):
    ...         return ek.identity(self.n)
    >>> m = Count()
    >>> m.update_state([1, 2, 3])
    >>> m.result()
    <tf.Tensor: shape=(), dtype=float32, numpy=3.0>
    >>> m.reset_state()
    >>> m([4])
    <tf.Tensor: shape=(), dtype=float32, numpy=1.0>
    """

    _untracked_attributes = frozenset({"_variables"})

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Like Keras' ``result_wrapper``: inside ``strategy.run`` a metric's result is computed
        # from its state summed over all replicas, not this replica's share.
        super().__init_subclass__(**kwargs)
        result = cls.__dict__.get("result")
        if result is not None and not getattr(result, "_ek_synced", False):

            @functools.wraps(result)
            def synced_result(self: Metric, *args: Any, **kw: Any) -> Any:
                if distribute_lib.current_replica_count() == 1:  # nothing to sync (the usual, eager case)
                    return result(self, *args, **kw)
                with distribute_lib.synced_reads():
                    return result(self, *args, **kw)

            synced_result._ek_synced = True  # type: ignore[attr-defined]
            cls.result = synced_result

    def __init__(self, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        if kwargs:
            raise TypeError(f"{type(self).__name__}() got unexpected keyword arguments: {sorted(kwargs)}")
        self.name = name or snake_case(type(self).__name__)
        self._dtype = _dtypes.as_dtype(dtype or "float32")
        self._variables: list[Variable] = []

    # -- state ------------------------------------------------------------------------------
    def add_weight(
        self,
        name: str | None = None,
        shape: Any = (),
        aggregation: Any = "sum",
        synchronization: Any = VariableSynchronization.ON_READ,
        initializer: Any = None,
        dtype: Any = None,
    ) -> Variable:
        """Creates a non-trainable state Variable owned by this metric.

        Accepts TF 2's order (``add_weight(name, shape, ...)``) and Keras 3's
        (``add_weight(shape=..., initializer=..., name=...)``; a shape passed first works too).

        >>> import eagerkit as ek
        >>> class Total(ek.keras.metrics.Metric):
        ...     def __init__(self, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.total = self.add_weight(name="total", initializer="zeros")
        ...     def update_state(self, x, sample_weight=None):
        ...         self.total.assign_add(ek.reduce_sum(ek.cast(x, self.dtype)))
        ...     def result(self):
        ...         return ek.identity(self.total)
        >>> m = Total()
        >>> [v.name for v in m.variables]
        ['total:0']
        """
        if name is not None and not isinstance(name, str):  # Keras 3: add_weight(shape, ...)
            name, shape = None, name
        self._check_super_called()
        dt = _dtypes.as_dtype(dtype or self._dtype)
        dims = _as_shape(shape)
        agg = aggregation if isinstance(aggregation, int) else _AGGREGATIONS.get(aggregation, VariableAggregation.SUM)
        var = Variable(
            _initial_value(initializer, dims, dt),
            trainable=False,
            name=name or f"{self.name}_variable_{len(self._variables)}",
            dtype=dt,
            synchronization=VariableSynchronization.ON_READ,
            aggregation=agg,
        )
        self._variables.append(var)
        return var

    def add_variable(
        self, shape: Any = (), initializer: Any = None, dtype: Any = None, aggregation: Any = "sum", name: Any = None
    ) -> Variable:
        """Keras 3 spelling of :meth:`add_weight`.

        >>> import eagerkit as ek
        >>> m = ek.keras.metrics.Mean()
        >>> v = m.add_variable(shape=(), initializer="zeros", name="extra")
        >>> v.numpy()
        np.float32(0.0)
        """
        return self.add_weight(name=name, shape=shape, aggregation=aggregation, initializer=initializer, dtype=dtype)

    def _check_super_called(self) -> None:
        if "_variables" not in vars(self):
            raise RuntimeError(
                f"{type(self).__name__}: call `super().__init__(name=name, dtype=dtype)` at the start of "
                "`__init__` before creating variables with add_weight."
            )

    @property
    def variables(self) -> list[Variable]:
        """All state Variables (own ones first, then those of sub-metrics)."""
        out = list(self._variables)
        seen = {id(v) for v in out}
        for value in vars(self).values():
            if isinstance(value, Metric) and value is not self:
                for v in value.variables:
                    if id(v) not in seen:
                        seen.add(id(v))
                        out.append(v)
        return out

    weights = variables

    @property
    def trainable_weights(self) -> list[Variable]:
        return []

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list[Variable]:
        return self.variables

    non_trainable_variables = non_trainable_weights

    def _trackable_children(self) -> dict[str, Any]:
        children = super()._trackable_children()
        named = {id(v) for v in children.values() if isinstance(v, Variable)}
        for var in self._variables:
            if id(var) not in named:
                key = var._name
                while key in children:
                    key += "_"
                children[key] = var
        return children

    # -- protocol ---------------------------------------------------------------------------
    @property
    def dtype(self) -> str:
        """The metric dtype's name (e.g. ``"float32"``)."""
        return self._dtype.name

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Accumulates statistics; implement in subclasses.

        >>> import eagerkit as ek
        >>> m = ek.keras.metrics.Mean()
        >>> m.update_state([1.0, 2.0])
        >>> m.update_state([3.0], sample_weight=[2.0])
        >>> m.result()
        <tf.Tensor: shape=(), dtype=float32, numpy=2.25>
        """
        raise NotImplementedError(f"{type(self).__name__} must implement `update_state`.")

    def result(self) -> Tensor:
        """The current metric value; implement in subclasses.

        >>> import eagerkit as ek
        >>> m = ek.keras.metrics.Accuracy()
        >>> m.update_state([1, 2, 3], [1, 2, 0])
        >>> m.result()
        <tf.Tensor: shape=(), dtype=float32, numpy=0.6666667>
        """
        raise NotImplementedError(f"{type(self).__name__} must implement `result`.")

    def reset_state(self) -> None:
        """Sets every state Variable back to zeros (called between epochs).

        >>> import eagerkit as ek
        >>> m = ek.keras.metrics.Sum()
        >>> m.update_state([1.0, 2.0])
        >>> m.reset_state()
        >>> m.result()
        <tf.Tensor: shape=(), dtype=float32, numpy=0.0>
        """
        for v in self.variables:
            v.assign(jnp.zeros(tuple(v.shape.as_list()), v.dtype.as_numpy_dtype))

    def reset_states(self) -> None:
        """TF 2 alias of :meth:`reset_state`.

        >>> import eagerkit as ek
        >>> m = ek.keras.metrics.Sum()
        >>> m.update_state([1.0, 2.0])
        >>> m.reset_states()
        >>> m.result()
        <tf.Tensor: shape=(), dtype=float32, numpy=0.0>
        """
        self.reset_state()

    def __call__(self, *args: Any, **kwargs: Any) -> Tensor:
        """``update_state(*args, **kwargs)`` then ``result()``."""
        self._check_super_called()
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (``from_config(get_config())`` rebuilds the metric).

        >>> import eagerkit as ek
        >>> ek.keras.metrics.Mean(name="avg_loss").get_config()
        {'name': 'avg_loss', 'dtype': 'float32'}
        """
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        """Builds a metric from ``get_config()``'s output.

        >>> import eagerkit as ek
        >>> m = ek.keras.metrics.Mean.from_config({"name": "avg_loss", "dtype": "float32"})
        >>> m.name
        'avg_loss'
        """
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"
