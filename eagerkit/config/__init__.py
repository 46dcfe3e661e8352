"""``ek.config``: devices (mirrors ``tf.config``)."""

from eagerkit._src.core.device import (  # noqa: F401
    LogicalDevice,
    PhysicalDevice,
    list_logical_devices,
    list_physical_devices,
)
from eagerkit.config import experimental  # noqa: F401
