"""``Adagrad``: per-parameter learning rates scaled by the accumulated squared gradients.

>>> import eagerkit as ek
>>> w = ek.Variable([1.0])
>>> _ = Adagrad(learning_rate=0.1).apply_gradients([(ek.constant([1.0]), w)])
>>> [round(float(v), 5) for v in w.numpy()]  # 1 - 0.1 * 1 / sqrt(0.1 + 1)
[0.90465]
"""

from __future__ import annotations

from typing import Any

import optax

from eagerkit._src.keras.optimizers.optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad (``tf.keras.optimizers.Adagrad``).

    Formula (Keras', followed here): ``acc += g^2``; ``w -= lr * g / sqrt(acc + epsilon)``
    with the accumulator starting at ``initial_accumulator_value`` (Keras' default 0.1) and
    epsilon inside the square root - exactly ``optax.adagrad(lr, initial_accumulator_value,
    eps=epsilon)``, which it is built from. Slot: ``sum_of_squares`` (Keras' ``accumulator``).

    Args:
      learning_rate: float, schedule or callable (default 0.001).
      initial_accumulator_value: starting accumulator (0.1).
      epsilon: default 1e-7.
      **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``.

    >>> import eagerkit as ek
    >>> opt = ek.keras.optimizers.Adagrad(learning_rate=0.1)
    >>> w = ek.Variable([1.0])
    >>> _ = opt.apply_gradients([(ek.constant([1.0]), w)])
    >>> round(float(w.numpy()[0]), 5)  # 1 - 0.1 * 1 / sqrt(0.1 + 1)
    0.90465
    """

    def __init__(
        self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7, **kwargs
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _transformation(self, learning_rate: Any, step: Any) -> optax.GradientTransformation:
        return optax.adagrad(learning_rate, initial_accumulator_value=self.initial_accumulator_value, eps=self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }
