"""``Optimizer``: TF's optimizer API (``apply_gradients``, ``minimize``, ``iterations``,
``learning_rate``) on top of an optax ``GradientTransformation``.

DESIGN
------
* One update = one optax update over the flat list of variable values. Subclasses only say
  which transformation to use (:meth:`Optimizer._transformation`, given the learning rate
  and the 1-based step, both possibly traced); the base class chains it as
  ``chain(clipping, transformation, decoupled weight decay)``, Keras' order.
* All state is Variables. ``iterations`` is an int64 Variable, a float learning rate lives
  in a float32 Variable (so changing it does not recompile), and the optax state is
  stored leaf by leaf in non-trainable *slot* Variables created the first time a variable
  is updated (or by :meth:`build`). To map optax state leaves to variables, parameters
  are passed to optax wrapped in :class:`ParamList`, a pytree node whose key path marks
  which variable a leaf belongs to; leaves outside any ParamList (step counters, Nadam's
  ``u_product``) are optimizer-wide. Slots are tracked as
  ``_variable_slots[i][slot_name]`` (``i``: the order in which variables were first
  seen) and ``_state_variables[name]``, so checkpoints find them.
* Speed: for each list of variables the optimizer builds a *plan* once (slot Variables in
  state order and one ``jax.jit`` of ``(values, grads, slots, lr, iterations) -> (new
  values, new slots, iterations + 1)``; jax caches it per shapes/dtypes). A step is then a
  flat Python pass collecting arrays, one compiled call, and ``Variable._write`` of the
  results. Inside ``ek.function`` the same pure function is called directly on the
  traced values, so the update becomes part of the compiled step.
* ``None`` gradients are skipped like TF: only the variables with a gradient are updated
  (their slots alone are read and written).

>>> import eagerkit as ek
>>> from eagerkit._src.keras.optimizers.sgd import SGD
>>> w = ek.Variable(1.0)
>>> opt = SGD(learning_rate=0.1)
>>> _ = opt.apply_gradients([(ek.constant(2.0), w)])
>>> round(float(w.numpy()), 6), int(opt.iterations.numpy())
(0.8, 1)
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from eagerkit._src.core import context
from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.convert import to_array
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.tracking import AutoTrackable
from eagerkit._src.core.variable import Variable, VariableAggregation
from eagerkit._src.distribute import distribute_lib
from eagerkit._src.keras.losses.loss import snake_case
from eagerkit._src.keras.optimizers import schedules as schedules_mod
from eagerkit._src.keras.optimizers.transforms import clip_by_norm


# -- the per-variable marker in optax state trees -----------------------------------------
@dataclasses.dataclass(frozen=True)
class VarIndex:
    """Key-path entry of a :class:`ParamList` child: the position of the variable."""

    index: int

    def __str__(self) -> str:
        return f"<var {self.index}>"


@jax.tree_util.register_pytree_with_keys_class
class ParamList:
    """The list of parameters (or of their per-parameter state) as one pytree node."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = list(items)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> Any:
        return self.items[i]

    def tree_flatten_with_keys(self) -> tuple[list, None]:
        return [(VarIndex(i), x) for i, x in enumerate(self.items)], None

    def tree_flatten(self) -> tuple[list, None]:
        return self.items, None

    @classmethod
    def tree_unflatten(cls, aux: None, children: Iterable[Any]) -> ParamList:
        return cls(children)

    def __repr__(self) -> str:
        return f"ParamList({self.items!r})"


def _split_path(path: tuple) -> tuple[tuple, int | None, tuple]:
    for k, entry in enumerate(path):
        if isinstance(entry, VarIndex):
            return path[:k], entry.index, path[k + 1 :]
    return path, None, ()


def _path_name(path: tuple) -> str:
    parts = []
    for entry in path:
        if isinstance(entry, jax.tree_util.GetAttrKey):
            parts.append(entry.name)
        elif isinstance(entry, jax.tree_util.DictKey):
            parts.append(str(entry.key))
    return "_".join(parts) or "state"


def _unique(name: str, taken: Any) -> str:
    out, k = name, 1
    while out in taken:
        out, k = f"{name}_{k}", k + 1
    return out


@dataclasses.dataclass
class _Plan:
    """Everything needed to update one particular list of variables."""

    variables: list[Variable]
    slots: list[Variable]
    jitted: Callable
    pure: Callable
    constrained: list[Variable]


# Placeholder argument when the schedule runs inside the jit (NumPy: importing must not start JAX's backend).
_NO_LR = np.zeros((), np.float32)
_REMOVED_ARGS = {
    "lr": "Argument `lr` is no longer supported. Use `learning_rate` instead.",
    "decay": "Argument `decay` is no longer supported. Use a learning rate schedule instead.",
}


class Optimizer(AutoTrackable):
    """Base class of optimizers (``tf.keras.optimizers.Optimizer``).

    Args:
      learning_rate: a float, a ``LearningRateSchedule``, any optax schedule (``count ->
        value``), or a zero-argument callable.
      weight_decay: decoupled weight decay: each step ``var -= learning_rate * weight_decay * var``.
      clipnorm: clip each gradient to this L2 norm.
      clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
      global_clipnorm: clip all gradients jointly to this global L2 norm.
      name: the optimizer name (prefix of its slot variable names).

    Subclasses implement :meth:`_transformation`.

    A subclass only provides the optax transformation:

    >>> import optax
    >>> import eagerkit as ek
    >>> class SignSGD(ek.keras.optimizers.Optimizer):
    ...     def _transformation(self, learning_rate, step):
    ...         return optax.chain(optax.scale_by_sign(), optax.scale_by_learning_rate(learning_rate))
    >>> opt = SignSGD(learning_rate=0.1)
    >>> w = ek.Variable([1.0, 1.0])
    >>> opt.apply_gradients([(ek.constant([3.0, -0.5]), w)])
    <tf.Variable 'iteration:0' shape=() dtype=int64, numpy=1>
    >>> w.numpy(), opt.name
    (array([0.9, 1.1], dtype=float32), 'sign_sgd')
    """

    _untracked_attributes = frozenset({"_plans", "_var_index", "_known_variables", "_slot_lookup", "_global_lookup"})
    _default_learning_rate = 0.001

    def __init__(
        self,
        learning_rate: Any = None,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        for key in kwargs:
            if key in _REMOVED_ARGS:
                raise ValueError(_REMOVED_ARGS[key])
        if kwargs:
            raise TypeError(f"{type(self).__name__}() got unexpected keyword arguments: {sorted(kwargs)}")
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        self.name = name or snake_case(type(self).__name__)
        self._plans: dict[tuple, _Plan] = {}
        self._var_index: dict[int, int] = {}
        self._known_variables: list[Variable] = []
        self._slot_lookup: dict[tuple, Variable] = {}
        self._global_lookup: dict[str, Variable] = {}
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern | None = None
        self._weight_decay = weight_decay
        self._clipnorm = clipnorm
        self._clipvalue = clipvalue
        self._global_clipnorm = global_clipnorm
        self._iterations = Variable(
            0,
            trainable=False,
            dtype=_dtypes.int64,
            name="iteration",
            aggregation=VariableAggregation.ONLY_FIRST_REPLICA,
        )
        self._set_learning_rate(self._default_learning_rate if learning_rate is None else learning_rate)
        self._variable_slots: list[dict[str, Variable]] = []
        self._state_variables: dict[str, Variable] = {}

    # -- what subclasses provide -------------------------------------------------------------
    def _transformation(self, learning_rate: Any, step: Any) -> optax.GradientTransformation:
        """The optax transformation producing the final (already scaled, negated) updates.

        ``learning_rate`` is a float32 scalar and ``step`` the 1-based update number
        (``iterations + 1``, int64); both may be traced.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement `_transformation(learning_rate, step)`.")

    # -- hyperparameters -------------------------------------------------------------------------
    def _hyper_changed(self) -> None:
        self._plans = {}

    @property
    def weight_decay(self) -> float | None:
        return self._weight_decay

    @weight_decay.setter
    def weight_decay(self, value: float | None) -> None:
        self._weight_decay = value
        self._hyper_changed()

    @property
    def clipnorm(self) -> float | None:
        return self._clipnorm

    @clipnorm.setter
    def clipnorm(self, value: float | None) -> None:
        self._clipnorm = value
        self._hyper_changed()

    @property
    def clipvalue(self) -> float | None:
        return self._clipvalue

    @clipvalue.setter
    def clipvalue(self, value: float | None) -> None:
        self._clipvalue = value
        self._hyper_changed()

    @property
    def global_clipnorm(self) -> float | None:
        return self._global_clipnorm

    @global_clipnorm.setter
    def global_clipnorm(self, value: float | None) -> None:
        self._global_clipnorm = value
        self._hyper_changed()

    @property
    def iterations(self) -> Variable:
        """The number of updates applied so far (an int64 Variable)."""
        return self._iterations

    def _set_learning_rate(self, learning_rate: Any) -> None:
        if isinstance(learning_rate, schedules_mod.LearningRateSchedule):
            self._lr_mode = "pure" if schedules_mod.has_pure_value(learning_rate) else "eager"
            self._learning_rate = learning_rate
        elif isinstance(learning_rate, Variable):
            self._lr_mode = "variable"
            self._learning_rate = learning_rate
        elif callable(learning_rate) and not isinstance(learning_rate, Tensor):
            self._lr_mode = "schedule" if _takes_argument(learning_rate) else "callable"
            self._learning_rate = learning_rate
        else:
            try:
                value = float(np.asarray(learning_rate))
            except (TypeError, ValueError):
                raise TypeError(
                    "Argument `learning_rate` should be a float, a LearningRateSchedule, an optax schedule or a "
                    f"callable. Received: learning_rate={learning_rate!r}"
                ) from None
            self._lr_mode = "variable"
            self._learning_rate = Variable(value, trainable=False, dtype=_dtypes.float32, name="learning_rate")

    @property
    def learning_rate(self) -> Any:
        """The current learning rate: the Variable for a float rate, else the schedule's value now.

        Assigning a number updates the Variable (no recompilation); assigning a schedule
        replaces the rate.
        """
        mode = self._lr_mode
        if mode == "variable":
            return self._learning_rate
        if mode in ("pure", "eager"):
            return self._learning_rate(self._iterations)
        if mode == "schedule":
            return Tensor(jnp.asarray(self._learning_rate(self._iterations._read()), jnp.float32))
        return Tensor(jnp.asarray(to_array(self._learning_rate()), jnp.float32))

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        is_schedule = isinstance(value, (schedules_mod.LearningRateSchedule, Variable)) or (
            callable(value) and not isinstance(value, Tensor)
        )
        if self._lr_mode == "variable" and not is_schedule:
            self._learning_rate.assign(jnp.asarray(to_array(value), jnp.float32))
            return
        if not is_schedule:
            raise TypeError(
                "This optimizer was created with a learning rate schedule, hence its learning rate is not settable "
                "to a number. Create the optimizer with a float `learning_rate` to change it during training, or "
                "assign a new schedule."
            )
        self._set_learning_rate(value)

    lr = learning_rate  # TF <= 2.10 spelling

    def _lr_argument(self) -> tuple[Any, Any]:
        """(learning-rate array, schedule to evaluate inside the compiled update or None)."""
        mode = self._lr_mode
        if mode == "variable":
            return self._learning_rate._read(), None
        if mode in ("pure", "schedule"):
            return _NO_LR, self._learning_rate
        if mode == "eager":
            value = self._learning_rate(self._iterations)
        else:
            value = self._learning_rate()
        return jnp.asarray(to_array(value), jnp.float32), None

    def exclude_from_weight_decay(self, var_list: Iterable[Variable] | None = None, var_names: Any = None) -> None:
        """Exempts variables (by object, or by a substring of their name) from ``weight_decay``.

        >>> import eagerkit as ek
        >>> from eagerkit._src.keras.optimizers.adamw import AdamW
        >>> opt = AdamW()
        >>> opt.exclude_from_weight_decay(var_names=["bias"])
        """
        if self._known_variables:
            raise ValueError(
                "`exclude_from_weight_decay()` can only be configured before the optimizer is built (before the "
                "first apply_gradients/build)."
            )
        self._exclude_ids = {id(v) for v in (var_list or [])}
        names = [var_names] if isinstance(var_names, str) else list(var_names or [])
        self._exclude_pattern = re.compile("|".join(map(re.escape, names))) if names else None
        self._hyper_changed()

    def _use_weight_decay(self, var: Variable) -> bool:
        if id(var) in self._exclude_ids:
            return False
        return not (self._exclude_pattern is not None and self._exclude_pattern.search(var.name))

    # -- the full transformation ------------------------------------------------------------------
    def _full_transformation(self, learning_rate: Any, step: Any, decay_mask: tuple[bool, ...]) -> Any:
        if self._clipnorm is not None and self._clipnorm > 0:
            clip = clip_by_norm(self._clipnorm)
        elif self._global_clipnorm is not None and self._global_clipnorm > 0:
            clip = optax.clip_by_global_norm(self._global_clipnorm)
        elif self._clipvalue is not None and self._clipvalue > 0:
            clip = optax.clip(self._clipvalue)
        else:
            clip = optax.identity()
        decay = optax.identity()
        if self._weight_decay and any(decay_mask):
            rate = -jnp.asarray(learning_rate, jnp.float32) * jnp.float32(self._weight_decay)
            decay = optax.add_decayed_weights(rate, mask=None if all(decay_mask) else ParamList(decay_mask))
        return optax.chain(clip, self._transformation(learning_rate, step), decay)

    def _init_transformation(self, n: int) -> Any:
        return self._full_transformation(jnp.float32(0.0), jnp.int64(1), (True,) * n)

    # -- slots ------------------------------------------------------------------------------------------
    def build(self, var_list: Iterable[Variable]) -> None:
        """Creates the slot variables for ``var_list`` now (else they appear on the first update).

        >>> import eagerkit as ek
        >>> from eagerkit._src.keras.optimizers.adam import Adam
        >>> opt = Adam()
        >>> opt.build([ek.Variable([1.0, 2.0], name="w")])
        >>> sorted(v.name for v in opt.variables)
        ['adam/w/momentum:0', 'adam/w/velocity:0', 'iteration:0', 'learning_rate:0']
        """
        variables = _check_variables(list(var_list))
        new = [v for v in variables if id(v) not in self._var_index]
        if new:
            self._create_slots(new)

    def _create_slots(self, new: list[Variable]) -> None:
        with context.init_scope():
            values = [v._read() for v in new]
            state = self._init_transformation(len(new)).init(ParamList(values))
        leaves = jax.tree_util.tree_flatten_with_path(state)[0]
        first_build = not self._known_variables
        base = len(self._known_variables)
        for v in new:
            self._var_index[id(v)] = len(self._known_variables)
            self._known_variables.append(v)
            self._variable_slots.append({})
        for path, leaf in leaves:
            prefix, index, suffix = _split_path(path)
            if index is None:
                key = jax.tree_util.keystr(prefix)
                if key in self._global_lookup:
                    continue
                if not first_build:
                    raise ValueError(
                        f"{type(self).__name__}: its optax state has an optimizer-wide entry {key} that did not "
                        "exist when it was first built; this transformation's state is not per-variable, so update "
                        "the same variables every step (build the optimizer with all of them first)."
                    )
                name = _unique(_path_name(prefix), self._state_variables)
                var = Variable(leaf, trainable=False, name=f"{self.name}/{name}")
                self._state_variables[name] = var
                self._global_lookup[key] = var
            else:
                model_var = new[index]
                slots = self._variable_slots[base + index]
                name = _unique(_path_name(prefix + suffix), slots)
                var = Variable(leaf, trainable=False, name=f"{self.name}/{model_var._name}/{name}")
                slots[name] = var
                self._slot_lookup[(jax.tree_util.keystr(prefix), id(model_var), jax.tree_util.keystr(suffix))] = var

    @property
    def variables(self) -> list[Variable]:
        """``iterations``, the learning-rate Variable (if any), the slots of each variable (in the
        order variables were first seen), then optimizer-wide state."""
        out = [self._iterations]
        if isinstance(self._learning_rate, Variable):
            out.append(self._learning_rate)
        for slots in self._variable_slots:
            out.extend(slots.values())
        return out + list(self._state_variables.values())

    # -- plans -----------------------------------------------------------------------------------------
    def _plan(self, variables: list[Variable]) -> _Plan:
        key = tuple(map(id, variables))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._make_plan(variables)
            self._plans[key] = plan
        return plan

    def _make_plan(self, variables: list[Variable]) -> _Plan:
        variables = _check_variables(variables)
        if len({id(v) for v in variables}) != len(variables):
            raise ValueError(
                "apply_gradients: the same variable appears more than once in `grads_and_vars`; sum its gradients "
                "first (e.g. with ek.add_n)."
            )
        new = [v for v in variables if id(v) not in self._var_index]
        if new:
            self._create_slots(new)
        mask = tuple(self._use_weight_decay(v) for v in variables)
        specs = ParamList(jax.ShapeDtypeStruct(v._value.shape, v._value.dtype) for v in variables)
        shapes = jax.eval_shape(self._full_transformation(jnp.float32(0.0), jnp.int64(1), mask).init, specs)
        paths, treedef = jax.tree_util.tree_flatten_with_path(shapes)
        slots = []
        for path, _ in paths:
            prefix, index, suffix = _split_path(path)
            if index is None:
                var = self._global_lookup.get(jax.tree_util.keystr(prefix))
            else:
                var = self._slot_lookup.get(
                    (jax.tree_util.keystr(prefix), id(variables[index]), jax.tree_util.keystr(suffix))
                )
            if var is None:
                raise ValueError(
                    f"{type(self).__name__}: no slot variable for optax state entry {jax.tree_util.keystr(path)}. "
                    "The transformation's state structure changed after the optimizer was built."
                )
            slots.append(var)
        static = (treedef, mask, tuple(v.name for v in variables))
        pure = functools.partial(self._pure_step, static)
        return _Plan(
            variables=list(variables),
            slots=slots,
            jitted=jax.jit(pure, static_argnums=(5,)),
            pure=pure,
            constrained=[v for v in variables if v.constraint is not None],
        )

    def _pure_step(
        self, static: tuple, values: list, grads: list, slots: list, lr: Any, iterations: Any, schedule: Any
    ) -> tuple[list, list, Any]:
        """``(values, grads, slots, lr, iterations) -> (new values, new slots, iterations + 1)``."""
        treedef, mask, names = static
        if schedule is not None:
            lr = _schedule_value(schedule, iterations)
        lr = jnp.asarray(lr, jnp.float32)
        checked = []
        for name, v, g in zip(names, values, grads):
            if g.shape != v.shape:
                raise ValueError(
                    f"{type(self).__name__}.apply_gradients: the gradient for variable '{name}' has shape "
                    f"{tuple(g.shape)} but the variable has shape {tuple(v.shape)}."
                )
            checked.append(g.astype(v.dtype))
        step = iterations + 1
        state = jax.tree_util.tree_unflatten(treedef, slots)
        tx = self._full_transformation(lr, step, mask)
        updates, new_state = tx.update(ParamList(checked), state, ParamList(values))
        new_values = [(v + u).astype(v.dtype) for v, u in zip(values, updates.items)]
        new_slots = [n.astype(o.dtype) for n, o in zip(jax.tree_util.tree_leaves(new_state), slots)]
        return new_values, new_slots, step

    # -- TF API -------------------------------------------------------------------------------------------
    def apply_gradients(
        self,
        grads_and_vars: Iterable[tuple[Any, Variable]],
        name: str | None = None,
        skip_gradients_aggregation: bool = False,
        experimental_aggregate_gradients: bool = True,
    ) -> Variable:
        """Applies one update to the variables from their gradients; ``None`` gradients are skipped.

        Returns ``iterations`` (incremented by one). Inside ``strategy.run`` the gradients are
        first summed over the replicas (an all-reduce), as TF does, unless
        ``skip_gradients_aggregation=True`` (or ``experimental_aggregate_gradients=False``).

        >>> import eagerkit as ek
        >>> w = ek.Variable([1.0, 2.0])
        >>> b = ek.Variable(0.0)
        >>> opt = ek.keras.optimizers.SGD(learning_rate=0.25)
        >>> with ek.GradientTape() as tape:
        ...     loss = ek.reduce_sum(w * w) + b
        >>> grads = tape.gradient(loss, [w, b])  # [2 * w, 1]
        >>> opt.apply_gradients(zip(grads, [w, b]))
        <tf.Variable 'iteration:0' shape=() dtype=int64, numpy=1>
        >>> w.numpy(), b.numpy()
        (array([0.5, 1. ], dtype=float32), np.float32(-0.25))
        """
        grads: list = []
        variables: list = []
        missing: list = []
        for pair in grads_and_vars:
            g, v = pair
            if g is None:
                missing.append(v)
            else:
                grads.append(g)
                variables.append(v)
        if missing:
            names = [getattr(v, "name", repr(v)) for v in missing]
            if not variables:
                raise ValueError(
                    f"No gradients provided for any variable: {names}. Check that the loss is computed from these "
                    "variables inside the GradientTape (and that they are trainable or watched)."
                )
            warnings.warn(
                f"Gradients do not exist for variables {names} when minimizing the loss; they are not updated.",
                stacklevel=2,
            )
        if not variables:
            return self._iterations
        if experimental_aggregate_gradients and not skip_gradients_aggregation:
            grads = _all_reduce_sum(grads)
        return self._apply(self._plan(variables), grads)

    def apply(self, grads: list, trainable_variables: list[Variable] | None = None) -> Variable:
        """Keras 3 spelling: ``apply(grads, variables)`` (``variables`` defaults to those built).

        >>> import eagerkit as ek
        >>> w = ek.Variable([1.0, 2.0])
        >>> opt = ek.keras.optimizers.SGD(learning_rate=0.5)
        >>> _ = opt.apply([ek.constant([1.0, 1.0])], [w])
        >>> _ = opt.apply([ek.constant([1.0, 1.0])])  # the variables it was built with
        >>> w.numpy(), int(opt.iterations.numpy())
        (array([0., 1.], dtype=float32), 2)
        """
        if trainable_variables is None:
            if not self._known_variables:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be built on a list of "
                    "variables. Call `optimizer.build(trainable_variables)` first."
                )
            trainable_variables = self._known_variables
        return self.apply_gradients(zip(grads, trainable_variables))

    def _apply(self, plan: _Plan, grads: list) -> Variable:
        gvals = [g._value if type(g) is Tensor else to_array(g) for g in grads]
        values = [v._read() for v in plan.variables]
        slots = [s._read() for s in plan.slots]
        lr, schedule = self._lr_argument()
        iterations = self._iterations._read()
        fn = plan.pure if context.inside_trace() else plan.jitted
        new_values, new_slots, new_iterations = fn(values, gvals, slots, lr, iterations, schedule)
        for v, nv in zip(plan.variables, new_values):
            v._write(nv)
        for s, ns in zip(plan.slots, new_slots):
            s._write(ns)
        self._iterations._write(new_iterations)
        for v in plan.constrained:
            v.assign(v.constraint(v))
        return self._iterations

    def minimize(
        self,
        loss: Any,
        var_list: Any,
        grad_loss: Any = None,
        name: str | None = None,
        tape: Any = None,
    ) -> Variable:
        """Computes gradients of ``loss`` and applies them (``tf.keras.optimizers.Optimizer.minimize``).

        Args:
          loss: a zero-argument callable returning the loss, or (with ``tape``) a loss Tensor.
          var_list: the variables to update, or a callable returning them.
          grad_loss: optional gradient of the loss (``output_gradients``).
          tape: the GradientTape that recorded ``loss`` when it is a Tensor.

        >>> import eagerkit as ek
        >>> from eagerkit._src.keras.optimizers.sgd import SGD
        >>> x = ek.Variable(3.0)
        >>> _ = SGD(0.1).minimize(lambda: x * x, [x])
        >>> round(float(x.numpy()), 6)
        2.4
        """
        from eagerkit._src.autodiff.tape import GradientTape

        if tape is None:
            if not callable(loss):
                raise ValueError(
                    "`tape` is required when a `Tensor` loss is passed: pass the GradientTape that recorded it "
                    "(minimize(loss, var_list, tape=tape)), or pass the loss as a zero-argument callable."
                )
            with GradientTape() as tape:
                if not callable(var_list):
                    tape.watch(var_list)
                loss = loss()
        if callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        grads = tape.gradient(loss, var_list, grad_loss)
        return self.apply_gradients(zip(grads, var_list))

    # -- config -----------------------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (``from_config(get_config())`` rebuilds an unbuilt optimizer).

        >>> import eagerkit as ek
        >>> ek.keras.optimizers.SGD(learning_rate=0.5, momentum=0.9).get_config()
        {'name': 'sgd', 'learning_rate': 0.5, 'weight_decay': None, 'clipnorm': None, 'global_clipnorm': None,
         'clipvalue': None, 'momentum': 0.9, 'nesterov': False}
        """
        lr = self._learning_rate
        if isinstance(lr, Variable):
            lr_config: Any = float(lr.numpy())
        elif isinstance(lr, schedules_mod.LearningRateSchedule):
            lr_config = schedules_mod.serialize(lr)
        else:
            lr_config = lr
        return {
            "name": self.name,
            "learning_rate": lr_config,
            "weight_decay": self._weight_decay,
            "clipnorm": self._clipnorm,
            "global_clipnorm": self._global_clipnorm,
            "clipvalue": self._clipvalue,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Optimizer:
        """Builds an optimizer from ``get_config()``'s output.

        >>> import eagerkit as ek
        >>> config = ek.keras.optimizers.Adam(learning_rate=0.5, amsgrad=True).get_config()
        >>> opt = ek.keras.optimizers.Adam.from_config(config)
        >>> float(opt.learning_rate.numpy()), opt.amsgrad, opt.get_config() == config
        (0.5, True, True)
        """
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            config["learning_rate"] = schedules_mod.deserialize(lr, custom_objects)
        return cls(**config)

    @classmethod
    def from_optax(
        cls,
        transformation: optax.GradientTransformation | Callable[..., optax.GradientTransformation],
        learning_rate: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> Optimizer:
        """Wraps any optax transformation as an eagerkit optimizer.

        ``transformation`` is either a ready ``GradientTransformation`` whose updates are
        added to the variables as they are (optax's convention, e.g. ``optax.adam(1e-3)``),
        or a factory ``learning_rate -> GradientTransformation`` (e.g. ``optax.adamw``);
        with a factory the optimizer owns the learning rate (settable, schedules).
        ``kwargs`` are the base options (``clipnorm``, ``weight_decay``, ...).

        >>> import optax, eagerkit as ek
        >>> opt = Optimizer.from_optax(optax.sgd(0.5))
        >>> w = ek.Variable([1.0])
        >>> _ = opt.apply_gradients([(ek.constant([1.0]), w)])
        >>> w.numpy().tolist()
        [0.5]
        """
        from eagerkit._src.keras.optimizers.optax_optimizer import OptaxOptimizer

        return OptaxOptimizer(transformation, learning_rate=learning_rate, name=name, **kwargs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def _check_variables(variables: list) -> list[Variable]:
    for v in variables:
        if not isinstance(v, Variable):
            raise TypeError(
                f"Optimizers update ek.Variable objects; got {type(v).__name__} ({v!r}). Pass variables, e.g. "
                "model.trainable_variables."
            )
        if not v.dtype.is_floating:
            raise TypeError(
                f"Optimizers update floating-point variables; variable '{v.name}' has dtype {v.dtype.name}."
            )
    return variables


def _takes_argument(fn: Callable) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(
        p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) and p.default is p.empty
        for p in params
    )


def _all_reduce_sum(grads: list) -> list:
    """Gradients summed over the replicas of a running ``strategy.run`` (unchanged outside one)."""
    if distribute_lib.current_replica_count() == 1:
        return grads
    values = [g._value if type(g) is Tensor else to_array(g) for g in grads]
    return [Tensor(v) for v in distribute_lib.all_reduce_sum(values)]


def _schedule_value(schedule: Any, iterations: Any) -> Any:
    if isinstance(schedule, schedules_mod.LearningRateSchedule):
        return schedule.jax_value(iterations)
    return schedule(iterations)
