"""``ek.keras.optimizers.schedules``: learning-rate schedules (mirrors ``tf.keras.optimizers.schedules``).

Optimizers also accept any optax schedule (``count -> learning rate``).
"""

from eagerkit._src.keras.optimizers.schedules import (  # noqa: F401
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
    deserialize,
    serialize,
)
