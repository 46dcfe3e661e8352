"""``ek.summary.experimental`` (mirrors ``tf.summary.experimental``)."""

from eagerkit._src.summary.writer import get_step, set_step  # noqa: F401
