"""``ek.keras.losses``: loss classes and per-sample loss functions (mirrors ``tf.keras.losses``)."""

from eagerkit._src.keras.losses.hinge import (  # noqa: F401
    CategoricalHinge,
    Hinge,
    SquaredHinge,
    categorical_hinge,
    hinge,
    squared_hinge,
)
from eagerkit._src.keras.losses.loss import Loss, LossFunctionWrapper  # noqa: F401
from eagerkit._src.keras.losses.probabilistic import (  # noqa: F401
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from eagerkit._src.keras.losses.reduction import Reduction  # noqa: F401
from eagerkit._src.keras.losses.registry import deserialize, get, serialize  # noqa: F401
from eagerkit._src.keras.losses.regression import (  # noqa: F401
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)

# TF's aliases.
MSE = mse = mean_squared_error
MAE = mae = mean_absolute_error
MAPE = mape = mean_absolute_percentage_error
MSLE = msle = mean_squared_logarithmic_error
KLD = kld = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
