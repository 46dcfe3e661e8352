"""``Adamax``: Adam with the infinity norm (Kingma & Ba, section 7).

>>> import eagerkit as ek
>>> w = ek.Variable([1.0])
>>> _ = Adamax(learning_rate=0.1).apply_gradients([(ek.constant([2.0]), w)])
>>> [round(float(v), 4) for v in w.numpy()]
[0.9]
"""

from __future__ import annotations

from typing import Any

import optax

from eagerkit._src.keras.optimizers.optimizer import Optimizer
from eagerkit._src.keras.optimizers.transforms import scale_by_keras_adamax


class Adamax(Optimizer):
    """Adamax (``tf.keras.optimizers.Adamax``).

    Formula (Keras', followed here): ``m = b1 m + (1 - b1) g``, ``u = max(b2 u, |g|)``,
    ``w -= lr * m / ((1 - b1^t) * (u + epsilon))`` with ``t = iterations + 1``. optax's
    ``adamax`` puts ``eps`` inside the max (``u = max(b2 u, |g| + eps)``), so the two agree
    only as ``epsilon -> 0``. Slots: ``momentum``, ``norm``.

    Args:
      learning_rate: float, schedule or callable (default 0.001).
      beta_1, beta_2: 0.9, 0.999.
      epsilon: default 1e-7.
      **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``.

    >>> import eagerkit as ek
    >>> opt = ek.keras.optimizers.Adamax(learning_rate=0.1)
    >>> w = ek.Variable([1.0, 1.0])
    >>> _ = opt.apply_gradients([(ek.constant([2.0, -0.5]), w)])
    >>> [round(float(v), 4) for v in w.numpy()]  # the first step is learning_rate * sign(g)
    [0.9, 1.1]
    """

    def __init__(
        self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7, **kwargs
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _transformation(self, learning_rate: Any, step: Any) -> optax.GradientTransformation:
        return optax.chain(
            scale_by_keras_adamax(self.beta_1, self.beta_2, self.epsilon, step),
            optax.scale_by_learning_rate(learning_rate),
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
