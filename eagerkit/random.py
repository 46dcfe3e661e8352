"""``ek.random``: stateful random numbers from a Variable-held key (mirrors ``tf.random``)."""

from eagerkit._src.ops.random_ops import (  # noqa: F401
    Generator,
    categorical,
    get_global_generator,
    normal,
    set_global_generator,
    set_seed,
    shuffle,
    truncated_normal,
    uniform,
)
