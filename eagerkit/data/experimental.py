"""``ek.data.experimental`` (mirrors ``tf.data.experimental``)."""

from eagerkit._src.data.experimental import (  # noqa: F401
    AUTOTUNE,
    INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY,
    assert_cardinality,
    cardinality,
)
