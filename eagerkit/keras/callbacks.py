"""``ek.keras.callbacks``: training callbacks (mirrors ``tf.keras.callbacks``)."""

from eagerkit._src.keras.training.callbacks import (  # noqa: F401
    Callback,
    CallbackList,
    CSVLogger,
    EarlyStopping,
    History,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ProgbarLogger,
    ReduceLROnPlateau,
    TensorBoard,
    TerminateOnNaN,
)
