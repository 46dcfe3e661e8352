"""``ek.config``: devices (mirrors ``tf.config``)."""

from eagerkit._src.core.device import (  # noqa: F401
    LogicalDevice,
    PhysicalDevice,
    get_soft_device_placement,
    list_logical_devices,
    list_physical_devices,
    set_soft_device_placement,
)
from eagerkit.config import experimental  # noqa: F401
