"""``Nadam``: Adam with Nesterov momentum (Dozat 2016), Keras' formulation.

>>> import eagerkit as ek
>>> w = ek.Variable([1.0])
>>> _ = Nadam(learning_rate=0.1).apply_gradients([(ek.constant([2.0]), w)])
>>> bool(w.numpy()[0] < 1.0)
True
"""

from __future__ import annotations

from typing import Any

import optax

from eagerkit._src.keras.optimizers.optimizer import Optimizer
from eagerkit._src.keras.optimizers.transforms import scale_by_keras_nadam


class Nadam(Optimizer):
    """Nadam (``tf.keras.optimizers.Nadam``).

    Formula (Keras', followed here): with ``t = iterations + 1``,
    ``u_t = b1 (1 - 0.5 * 0.96^t)``, ``u_{t+1} = b1 (1 - 0.5 * 0.96^(t+1))`` and the running
    product ``u_product *= u_t`` (an optimizer-wide slot), ``m`` and ``v`` as in Adam,
    ``m_hat = u_{t+1} m / (1 - u_product u_{t+1}) + (1 - u_t) g / (1 - u_product)``,
    ``v_hat = v / (1 - b2^t)``, ``w -= lr * m_hat / (sqrt(v_hat) + epsilon)``. optax's
    ``nadam`` implements a different simplification (no momentum schedule), so it is not
    used. Slots: ``momentum``, ``velocity`` and the shared ``u_product``.

    Args:
      learning_rate: float, schedule or callable (default 0.001).
      beta_1, beta_2: 0.9, 0.999.
      epsilon: default 1e-7.
      **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``.

    >>> import eagerkit as ek
    >>> opt = ek.keras.optimizers.Nadam(learning_rate=0.1)
    >>> w = ek.Variable([1.0])
    >>> _ = opt.apply_gradients([(ek.constant([2.0]), w)])
    >>> round(float(w.numpy()[0]), 4)
    0.8937
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
            scale_by_keras_nadam(self.beta_1, self.beta_2, self.epsilon, step),
            optax.scale_by_learning_rate(learning_rate),
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
