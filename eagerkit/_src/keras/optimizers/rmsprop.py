"""``RMSprop``: divide the gradient by a running RMS of recent gradients (Hinton).

>>> import eagerkit as ek
>>> w = ek.Variable(10.0)
>>> opt = RMSprop(learning_rate=0.1)
>>> _ = opt.minimize(lambda: (w ** 2) / 2.0, [w])  # the Keras docstring example
>>> round(float(w.numpy()), 5)
9.68377
"""

from __future__ import annotations

from typing import Any

import optax

from eagerkit._src.keras.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop (``tf.keras.optimizers.RMSprop``).

    Formula (Keras', followed here): ``v = rho v + (1 - rho) g^2``;
    ``increment = lr * g / sqrt(v + epsilon)`` (epsilon *inside* the square root; with
    ``centered``: ``sqrt(v - mg^2 + epsilon)`` where ``mg`` is the running mean gradient);
    with momentum ``mom = momentum * mom + increment`` and ``w -= mom``, else
    ``w -= increment``. The accumulator starts at 0. This is exactly
    ``optax.rmsprop(lr, decay=rho, eps=epsilon, initial_scale=0, eps_in_sqrt=True,
    centered=centered, momentum=momentum or None)`` (learning rate applied before the
    momentum trace), which is what it is built from; optax's ``trace`` slot holds the
    negated Keras ``momentum`` slot. Slots: ``nu`` (Keras' ``velocity``), ``mu`` when
    centered, ``trace`` with momentum.

    Args:
      learning_rate: float, schedule or callable (default 0.001).
      rho: discounting factor of the squared-gradient average (0.9).
      momentum: default 0 (no momentum slot).
      epsilon: default 1e-7.
      centered: normalise by the estimated variance instead of the second moment.
      **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``.

    >>> import eagerkit as ek
    >>> opt = ek.keras.optimizers.RMSprop(learning_rate=0.1)
    >>> w = ek.Variable([1.0])
    >>> _ = opt.apply_gradients([(ek.constant([1.0]), w)])
    >>> round(float(w.numpy()[0]), 5)  # 1 - 0.1 * 1 / sqrt(0.1 * 1 + 1e-7)
    0.68377
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = bool(centered)

    def _transformation(self, learning_rate: Any, step: Any) -> optax.GradientTransformation:
        return optax.rmsprop(
            learning_rate,
            decay=self.rho,
            eps=self.epsilon,
            initial_scale=0.0,
            eps_in_sqrt=True,
            centered=self.centered,
            momentum=self.momentum if self.momentum > 0 else None,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }
