"""``ek.keras.constraints``: weight constraints (mirrors ``tf.keras.constraints``)."""

from eagerkit._src.keras.constraints import (  # noqa: F401
    Constraint,
    MaxNorm,
    MinMaxNorm,
    NonNeg,
    UnitNorm,
    deserialize,
    get,
    max_norm,
    min_max_norm,
    non_neg,
    serialize,
    unit_norm,
)
