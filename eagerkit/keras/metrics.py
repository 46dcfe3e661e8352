"""``ek.keras.metrics``: stateful metrics and per-sample metric functions (mirrors ``tf.keras.metrics``)."""

from eagerkit._src.keras.losses.hinge import categorical_hinge, hinge, squared_hinge  # noqa: F401
from eagerkit._src.keras.losses.probabilistic import (  # noqa: F401
    binary_crossentropy,
    categorical_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from eagerkit._src.keras.losses.regression import (  # noqa: F401
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from eagerkit._src.keras.metrics.accuracy_metrics import (  # noqa: F401
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from eagerkit._src.keras.metrics.confusion_metrics import (  # noqa: F401
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from eagerkit._src.keras.metrics.metric import Metric  # noqa: F401
from eagerkit._src.keras.metrics.probabilistic_metrics import (  # noqa: F401
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from eagerkit._src.keras.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum  # noqa: F401
from eagerkit._src.keras.metrics.registry import deserialize, get, serialize  # noqa: F401
from eagerkit._src.keras.metrics.regression_metrics import (  # noqa: F401
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    RootMeanSquaredError,
)

# TF's aliases.
MSE = mse = mean_squared_error
MAE = mae = mean_absolute_error
MAPE = mape = mean_absolute_percentage_error
MSLE = msle = mean_squared_logarithmic_error
KLD = kld = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
