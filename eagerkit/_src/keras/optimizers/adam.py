"""``Adam``: adaptive moment estimation (Kingma & Ba), with Keras' epsilon placement.

>>> import eagerkit as ek
>>> w = ek.Variable([1.0, 2.0])
>>> opt = Adam(learning_rate=0.1)
>>> _ = opt.apply_gradients([(ek.constant([0.5, -3.0]), w)])
>>> [round(float(v), 4) for v in w.numpy()]  # the first step moves each weight by ~learning_rate
[0.9, 2.1]
"""

from __future__ import annotations

from typing import Any

import optax

from eagerkit._src.keras.optimizers.optimizer import Optimizer
from eagerkit._src.keras.optimizers.transforms import scale_by_keras_adam


class Adam(Optimizer):
    """Adam (``tf.keras.optimizers.Adam``), default ``learning_rate=0.001``.

    Formula (Keras', followed here): with ``t = iterations + 1``,
    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``,
    ``w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon)``. ``epsilon`` is the
    "epsilon hat" of the paper: compared with ``optax.adam(eps=e)`` (``m_hat / (sqrt(v_hat) + e)``)
    Keras' update equals optax's with ``e = epsilon / sqrt(1 - b2^t)``. With ``amsgrad`` the
    running maximum of the raw ``v`` is used (slot ``velocity_hat``). Slots: ``momentum``,
    ``velocity``. Built as ``optax.chain(scale_by_keras_adam(...), optax.scale_by_learning_rate(lr))``.

    Args:
      learning_rate: float, schedule or callable (default 0.001).
      beta_1, beta_2: decay rates of the first/second moment estimates (0.9, 0.999).
      epsilon: the "epsilon hat" (default 1e-7).
      amsgrad: use the AMSGrad variant.
      **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``.

    >>> import eagerkit as ek
    >>> opt = ek.keras.optimizers.Adam(learning_rate=0.1)
    >>> w = ek.Variable([1.0, 2.0])
    >>> for _ in range(2):
    ...     _ = opt.apply_gradients([(ek.constant([0.5, -3.0]), w)])
    >>> [round(float(v), 4) for v in w.numpy()], int(opt.iterations.numpy())  # ~learning_rate per step
    ([0.8, 2.2], 2)
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = bool(amsgrad)

    def _transformation(self, learning_rate: Any, step: Any) -> optax.GradientTransformation:
        return optax.chain(
            scale_by_keras_adam(self.beta_1, self.beta_2, self.epsilon, self.amsgrad, step),
            optax.scale_by_learning_rate(learning_rate),
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }
