"""``ek.config.experimental`` (mirrors ``tf.config.experimental``)."""

from eagerkit._src.core.device import list_logical_devices, list_physical_devices  # noqa: F401
