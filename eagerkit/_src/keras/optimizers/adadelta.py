"""``Adadelta``: step sizes from running averages of squared gradients and squared updates (Zeiler).

>>> import eagerkit as ek
>>> w = ek.Variable([1.0])
>>> _ = Adadelta(learning_rate=1.0).apply_gradients([(ek.constant([1.0]), w)])
>>> bool(0.99 < w.numpy()[0] < 1.0)
True
"""

from __future__ import annotations

from typing import Any

import optax

from eagerkit._src.keras.optimizers.optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta (``tf.keras.optimizers.Adadelta``).

    Formula (Keras', followed here): ``Eg = rho Eg + (1 - rho) g^2``;
    ``delta = sqrt(Ex + epsilon) / sqrt(Eg + epsilon) * g``; ``Ex = rho Ex + (1 - rho) delta^2``;
    ``w -= lr * delta`` - the same as optax's ``scale_by_adadelta(rho, eps)`` followed by
    ``scale_by_learning_rate(lr)``, which it is built from. Slots: ``e_g``, ``e_x`` (Keras'
    ``accumulated_grad``, ``accumulated_delta_var``).

    Args:
      learning_rate: float, schedule or callable (default 0.001, Keras' default).
      rho: decay rate (0.95).
      epsilon: default 1e-7.
      **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``.

    >>> import eagerkit as ek
    >>> opt = ek.keras.optimizers.Adadelta(learning_rate=1.0)
    >>> w = ek.Variable([1.0])
    >>> _ = opt.apply_gradients([(ek.constant([1.0]), w)])
    >>> round(float(w.numpy()[0]), 5)  # 1 - sqrt(1e-7) / sqrt(0.05 + 1e-7): tiny first steps
    0.99859
    """

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.95, epsilon: float = 1e-7, **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def _transformation(self, learning_rate: Any, step: Any) -> optax.GradientTransformation:
        return optax.chain(
            optax.scale_by_adadelta(rho=self.rho, eps=self.epsilon), optax.scale_by_learning_rate(learning_rate)
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
