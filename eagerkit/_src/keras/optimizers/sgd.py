"""``SGD``: gradient descent with optional (Nesterov) momentum.

>>> import eagerkit as ek
>>> w = ek.Variable(1.0)
>>> opt = SGD(learning_rate=0.1, momentum=0.9)
>>> for _ in range(2):
...     _ = opt.apply_gradients([(ek.constant(1.0), w)])
>>> round(float(w.numpy()), 6)  # 1 - 0.1 - (0.9 * 0.1 + 0.1)
0.71
"""

from __future__ import annotations

from typing import Any

import optax

from eagerkit._src.keras.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent (with momentum) (``tf.keras.optimizers.SGD``).

    Formula (Keras'): ``velocity = momentum * velocity - learning_rate * g``, then
    ``w += velocity`` (or, with ``nesterov``, ``w += momentum * velocity - learning_rate * g``);
    without momentum ``w -= learning_rate * g``. The learning rate is applied *before* the
    momentum accumulation, so the ``momentum`` slot holds Keras' (negative) velocity and a
    changing learning rate only affects new gradients. Built as
    ``optax.chain(optax.scale_by_learning_rate(lr), optax.trace(momentum, nesterov))``; with a
    constant learning rate this equals ``optax.sgd(lr, momentum, nesterov)``.

    Args:
      learning_rate: float, schedule or callable (default 0.01).
      momentum: float in [0, 1] (default 0: no slot).
      nesterov: use Nesterov momentum.
      **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``.

    >>> import eagerkit as ek
    >>> opt = ek.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    >>> w = ek.Variable(1.0)
    >>> for _ in range(2):
    ...     _ = opt.apply_gradients([(ek.constant(1.0), w)])
    >>> round(float(w.numpy()), 6)  # steps of 0.1, then 0.9 * 0.1 + 0.1
    0.71
    """

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0, nesterov: bool = False, **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not isinstance(momentum, (int, float)) or isinstance(momentum, bool) or not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum!r}")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _transformation(self, learning_rate: Any, step: Any) -> optax.GradientTransformation:
        scale = optax.scale_by_learning_rate(learning_rate)
        if self.momentum == 0:
            return scale
        return optax.chain(scale, optax.trace(decay=self.momentum, nesterov=self.nesterov))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
