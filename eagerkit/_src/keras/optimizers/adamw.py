"""``AdamW``: Adam with decoupled weight decay (Loshchilov & Hutter).

>>> import eagerkit as ek
>>> w = ek.Variable([1.0])
>>> opt = AdamW(learning_rate=0.1, weight_decay=0.5)
>>> _ = opt.apply_gradients([(ek.constant([0.0]), w)])
>>> [round(float(v), 6) for v in w.numpy()]  # zero gradient: only the decay 1 - 0.1 * 0.5
[0.95]
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.keras.optimizers.adam import Adam


class AdamW(Adam):
    """AdamW (``tf.keras.optimizers.AdamW``): :class:`Adam` plus ``w -= lr * weight_decay * w`` each step.

    Formula (Keras', followed here): the decay uses the current learning rate and the
    variable before the Adam step (Keras applies it first; since the Adam direction does not
    depend on ``w`` this is the same as ``optax.add_decayed_weights`` after the Adam
    direction, which is how it is built). Epsilon placement as :class:`Adam`.
    ``exclude_from_weight_decay`` exempts variables (e.g. biases).

    Args:
      learning_rate: float, schedule or callable (default 0.001).
      weight_decay: default 0.004 (Keras' default).
      beta_1, beta_2, epsilon, amsgrad: as :class:`Adam`.
      **kwargs: ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``.

    >>> import eagerkit as ek
    >>> opt = ek.keras.optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
    >>> w = ek.Variable([1.0])
    >>> _ = opt.apply_gradients([(ek.constant([1.0]), w)])
    >>> round(float(w.numpy()[0]), 4)  # 1 - 0.1 * 0.5 * 1 (decay) - 0.1 (Adam's first step)
    0.85
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ):
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float for AdamW. Received: weight_decay=None")
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            **kwargs,
        )
