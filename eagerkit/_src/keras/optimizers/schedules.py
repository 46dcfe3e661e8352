"""Learning-rate schedules (``tf.keras.optimizers.schedules``), formulas as in Keras 3.

A schedule maps the optimizer step (``optimizer.iterations``: the number of updates
already applied, so 0 for the first one) to a learning rate. Built-in schedules are pure
JAX functions of the step (:meth:`LearningRateSchedule.jax_value`), so an optimizer
evaluates them *inside* its compiled update with no extra dispatch; calling one
(``schedule(step)``) runs that function as one op and returns a Tensor.

User subclasses only implement ``__call__(step)`` with ek ops (as in TF); optimizers
evaluate them eagerly before each update. Any optax schedule (a function
``count -> learning rate``) is accepted by optimizers too.

>>> s = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> round(float(s(10)), 6)
0.05
"""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp

from eagerkit._src.core.tensor import Tensor
from eagerkit._src.ops.op import defop


@defop("LearningRateSchedule", tensors=("step",))
def _schedule_op(step, schedule=None):
    return schedule.jax_value(step)


class LearningRateSchedule:
    """Base class of learning-rate schedules (``tf.keras.optimizers.schedules.LearningRateSchedule``).

    Subclasses implement ``__call__(step)`` returning the learning rate (built-ins implement
    :meth:`jax_value` instead) and ``get_config``.

    >>> import eagerkit as ek
    >>> class Halving(LearningRateSchedule):
    ...     def __call__(self, step):
    ...         return 0.1 * ek.pow(0.5, ek.cast(step, ek.float32))
    ...     def get_config(self):
    ...         return {}
    >>> round(float(Halving()(2)), 6)
    0.025
    """

    def __call__(self, step: Any) -> Tensor:
        if type(self).jax_value is LearningRateSchedule.jax_value:
            raise NotImplementedError(
                f"Learning rate schedule {type(self).__name__} must override `__call__(self, step)`."
            )
        return _schedule_op(step, schedule=self)

    def jax_value(self, step: Any) -> Any:
        """The learning rate at ``step`` as a float32 jax scalar (pure; traceable)."""
        raise NotImplementedError(f"{type(self).__name__} does not provide a pure JAX implementation.")

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"Learning rate schedule {type(self).__name__} must override `get_config()`.")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """Instantiates a schedule from ``get_config()``'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.get_config()}>"


def has_pure_value(schedule: Any) -> bool:
    """True when ``schedule`` is a built-in whose value can be computed inside a jit."""
    return isinstance(schedule, LearningRateSchedule) and type(schedule).jax_value is not LearningRateSchedule.jax_value


def _f32(step: Any) -> Any:
    return jnp.asarray(step).astype(jnp.float32)


def _check_decay_steps(decay_steps: Any) -> None:
    if decay_steps <= 0:
        raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}")


class _StepDecay(LearningRateSchedule):
    """What ExponentialDecay and InverseTimeDecay share: their arguments, config, and the decay
    progress ``step / decay_steps`` (floored with ``staircase``)."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str | None = None,
    ) -> None:
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name or type(self).__name__

    def _progress(self, step: Any) -> Any:
        p = _f32(step) / jnp.float32(self.decay_steps)
        return jnp.floor(p) if self.staircase else p

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class ExponentialDecay(_StepDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (floored exponent with ``staircase``).

    >>> round(float(ExponentialDecay(1.0, 2, 0.5, staircase=True)(3)), 6)
    0.5
    """

    def jax_value(self, step: Any) -> Any:
        return jnp.float32(self.initial_learning_rate) * jnp.power(jnp.float32(self.decay_rate), self._progress(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` for ``boundaries[i-1] < step <= boundaries[i]``,
    ``values[-1]`` after the last boundary.

    >>> s = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    >>> [round(float(s(t)), 6) for t in (10, 11, 21)]
    [1.0, 0.5, 0.1]
    """

    def __init__(self, boundaries: list, values: list, name: str = "PiecewiseConstant") -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. Received: "
                f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length {len(values)}."
            )
        self.boundaries = list(boundaries)
        self.values = list(values)
        self.name = name

    def jax_value(self, step: Any) -> Any:
        step = jnp.asarray(step)
        values = jnp.asarray(self.values, jnp.float32)
        bounds = jnp.asarray(self.boundaries, step.dtype)
        index = jnp.sum(step > bounds)  # number of boundaries strictly passed
        return values[index]

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from ``initial_learning_rate`` to ``end_learning_rate`` over ``decay_steps``.

    >>> round(float(PolynomialDecay(1.0, 10, end_learning_rate=0.0)(5)), 6)
    0.5
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def jax_value(self, step: Any) -> Any:
        step = _f32(step)
        decay_steps = jnp.float32(self.decay_steps)
        if self.cycle:
            multiplier = jnp.where(step == 0, jnp.float32(1.0), jnp.ceil(step / decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = jnp.minimum(step, decay_steps)
        p = step / decay_steps
        init, end = jnp.float32(self.initial_learning_rate), jnp.float32(self.end_learning_rate)
        return (init - end) * jnp.power(1 - p, jnp.float32(self.power)) + end

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(_StepDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (floored with ``staircase``).

    >>> round(float(InverseTimeDecay(1.0, 1, 0.5)(2)), 6)
    0.5
    """

    def jax_value(self, step: Any) -> Any:
        return jnp.float32(self.initial_learning_rate) / (1 + jnp.float32(self.decay_rate) * self._progress(step))


class CosineDecay(LearningRateSchedule):
    """Cosine decay over ``decay_steps`` to ``alpha`` times the start, after an optional linear
    warmup from ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps``.

    >>> s = CosineDecay(1.0, decay_steps=10)
    >>> [round(float(s(t)), 6) for t in (0, 5, 10, 20)]
    [1.0, 0.5, 0.0, 0.0]
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, step: Any, decay_steps: Any, start: Any) -> Any:
        cosine = 0.5 * (1.0 + jnp.cos(jnp.float32(math.pi) * (step / decay_steps)))
        return start * ((1 - jnp.float32(self.alpha)) * cosine + jnp.float32(self.alpha))

    def jax_value(self, step: Any) -> Any:
        init = jnp.float32(self.initial_learning_rate)
        decay_steps = jnp.float32(self.decay_steps)
        step = _f32(step)
        if self.warmup_target is None:
            return self._decay(jnp.minimum(step, decay_steps), decay_steps, init)
        target = jnp.float32(self.warmup_target)
        warmup_steps = jnp.float32(self.warmup_steps)
        step = jnp.minimum(step, decay_steps + warmup_steps)
        warm = (target - init) * (step / jnp.maximum(warmup_steps, 1e-30)) + init
        return jnp.where(step < warmup_steps, warm, self._decay(step - warmup_steps, decay_steps, target))

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


_CLASSES = {
    cls.__name__: cls
    for cls in (ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay)
}


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}`` for a schedule.

    >>> serialize(ExponentialDecay(0.1, 10, 0.9))["class_name"]
    'ExponentialDecay'
    """
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> LearningRateSchedule:
    """Inverse of :func:`serialize`.

    >>> config = {"class_name": "ExponentialDecay",
    ...           "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5}}
    >>> schedule = deserialize(config)
    >>> type(schedule).__name__, round(float(schedule(10).numpy()), 6)
    ('ExponentialDecay', 0.05)
    >>> deserialize(serialize(schedule)).get_config() == schedule.get_config()
    True
    """
    name = config.get("class_name") if isinstance(config, dict) else None
    cls = (custom_objects or {}).get(name) or _CLASSES.get(name)
    if cls is None:
        raise ValueError(
            f"Unknown learning rate schedule {name!r}. Known: {', '.join(sorted(_CLASSES))}; pass others in "
            "`custom_objects`."
        )
    return cls.from_config(dict(config.get("config", {})))
