"""``OptaxOptimizer``: any optax transformation behind the TF optimizer API
(``ek.keras.optimizers.Optimizer.from_optax``).

>>> import optax, eagerkit as ek
>>> opt = OptaxOptimizer(optax.adamw, learning_rate=0.01)  # a factory: the optimizer owns the rate
>>> opt.learning_rate = 0.02
>>> round(float(opt.learning_rate.numpy()), 6)
0.02
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import optax

from eagerkit._src.keras.optimizers.optimizer import Optimizer


class OptaxOptimizer(Optimizer):
    """Wraps an optax ``GradientTransformation`` (or a ``learning_rate -> GradientTransformation`` factory).

    With a ready transformation its updates are added to the variables unchanged (optax's
    own formulas and learning rate); the optimizer's ``learning_rate`` is then only used by
    ``weight_decay``, if given. With a factory the transformation is rebuilt inside the
    compiled update from the optimizer's (settable, schedulable) learning rate. State
    leaves of the transformation become slot Variables like any other optimizer's.

    Args:
      transformation: ``optax.GradientTransformation`` or factory.
      learning_rate: for a factory (default 0.001); float, schedule or callable.
      **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``.

    >>> import optax
    >>> import eagerkit as ek
    >>> w = ek.Variable([1.0])
    >>> fixed = ek.keras.optimizers.OptaxOptimizer(optax.sgd(0.5))  # optax's own learning rate
    >>> _ = fixed.apply_gradients([(ek.constant([1.0]), w)])
    >>> w.numpy()
    array([0.5], dtype=float32)
    >>> factory = ek.keras.optimizers.OptaxOptimizer(optax.sgd, learning_rate=0.25)  # the optimizer's rate
    >>> factory.learning_rate = 0.1  # settable, no recompilation
    >>> _ = factory.apply_gradients([(ek.constant([1.0]), w)])
    >>> round(float(w.numpy()[0]), 6), factory.name
    (0.4, 'optax')
    """

    def __init__(
        self,
        transformation: optax.GradientTransformation | Callable[..., optax.GradientTransformation],
        learning_rate: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ):
        if isinstance(transformation, optax.GradientTransformation):
            self._fixed: optax.GradientTransformation | None = transformation
            self._factory = None
        elif callable(transformation):
            self._fixed = None
            self._factory = transformation
        else:
            raise TypeError(
                "Optimizer.from_optax expects an optax.GradientTransformation (e.g. optax.adam(1e-3)) or a factory "
                f"`learning_rate -> GradientTransformation` (e.g. optax.adam); got {transformation!r}."
            )
        super().__init__(learning_rate=learning_rate, name=name or "optax", **kwargs)

    def _transformation(self, learning_rate: Any, step: Any) -> optax.GradientTransformation:
        if self._fixed is not None:
            return self._fixed
        return self._factory(learning_rate)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "transformation": self._fixed or self._factory}
