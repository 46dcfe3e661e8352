"""``ek.debugging``: assertions and numeric checks (mirrors ``tf.debugging``)."""

from eagerkit._src.ops.debugging_ops import (  # noqa: F401
    assert_all_finite,
    assert_equal,
    assert_greater,
    assert_greater_equal,
    assert_less,
    assert_less_equal,
    assert_near,
    assert_none_equal,
    assert_rank,
    assert_shapes,
    check_numerics,
)
