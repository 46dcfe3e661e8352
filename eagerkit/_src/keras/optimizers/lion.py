"""``Lion``: evolved sign momentum (Chen et al. 2023).

>>> import eagerkit as ek
>>> w = ek.Variable([1.0, 1.0])
>>> _ = Lion(learning_rate=0.1).apply_gradients([(ek.constant([3.0, -0.5]), w)])
>>> [round(float(v), 6) for v in w.numpy()]  # every weight moves by exactly the learning rate
[0.9, 1.1]
"""

from __future__ import annotations

from typing import Any

import optax

from eagerkit._src.keras.optimizers.optimizer import Optimizer


class Lion(Optimizer):
    """Lion (``tf.keras.optimizers.Lion``).

    Formula (Keras', followed here): ``w -= lr * sign(b1 m + (1 - b1) g)``, then
    ``m = b2 m + (1 - b2) g`` - the same as ``optax.lion(lr, b1, b2)`` without its weight
    decay, built from ``optax.scale_by_lion`` and ``optax.scale_by_learning_rate``. Slot:
    ``mu`` (Keras' ``momentum``). Use a smaller learning rate than for Adam.

    Args:
      learning_rate: float, schedule or callable (default 0.001).
      beta_1: interpolation factor of the update direction (0.9).
      beta_2: decay rate of the momentum (0.99).
      **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``.

    >>> import eagerkit as ek
    >>> opt = ek.keras.optimizers.Lion(learning_rate=0.1)
    >>> w = ek.Variable([1.0, 1.0])
    >>> _ = opt.apply_gradients([(ek.constant([3.0, -0.5]), w)])
    >>> w.numpy()  # each weight moves by exactly the learning rate
    array([0.9, 1.1], dtype=float32)
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.99, **kwargs: Any):
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(
                f"Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates "
                f"to SignSGD. Received: beta_1={beta_1}."
            )
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def _transformation(self, learning_rate: Any, step: Any) -> optax.GradientTransformation:
        return optax.chain(
            optax.scale_by_lion(b1=self.beta_1, b2=self.beta_2), optax.scale_by_learning_rate(learning_rate)
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
