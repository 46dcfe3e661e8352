"""Devices: ``ek.device`` placement and ``ek.config`` device listing, on JAX's devices.

>>> import eagerkit as ek
>>> with ek.device("/cpu:0"):
...     x = ek.constant(1.0)
>>> x.device.endswith("device:CPU:0")
True
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import NamedTuple

import jax

from eagerkit._src.core.errors import InvalidArgumentError

_KIND_TO_PLATFORM = {"CPU": "cpu", "GPU": "gpu", "TPU": "tpu"}
_SPEC = re.compile(r"^(?:/job:[^/]+)?(?:/replica:\d+)?(?:/task:\d+)?/?(?:device:)?(?P<kind>[A-Za-z]+):(?P<index>\d+)$")


class PhysicalDevice(NamedTuple):
    """A device as ``tf.config.list_physical_devices`` reports it.

    >>> import eagerkit as ek
    >>> cpu = ek.config.list_physical_devices("CPU")[0]
    >>> cpu
    PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')
    >>> cpu.device_type
    'CPU'
    """

    name: str
    device_type: str


class LogicalDevice(NamedTuple):
    """A device as ``tf.config.list_logical_devices`` reports it.

    >>> import eagerkit as ek
    >>> ek.config.list_logical_devices("CPU")[0]
    LogicalDevice(name='/device:CPU:0', device_type='CPU')
    """

    name: str
    device_type: str


#: TF's soft device placement (on by default in eager mode): a well-formed spec naming a device
#: that is not present (``/gpu:0`` on a CPU-only machine) falls back to the default device.
_soft_placement = [True]


def set_soft_device_placement(enabled: bool) -> None:
    """Whether a missing (but well-formed) device falls back to the default one (TF's default: True).

    >>> import eagerkit as ek
    >>> ek.config.set_soft_device_placement(False)
    >>> ek.config.get_soft_device_placement()
    False
    >>> ek.config.set_soft_device_placement(True)
    """
    _soft_placement[0] = bool(enabled)


def get_soft_device_placement() -> bool:
    """The current soft-placement setting.

    >>> import eagerkit as ek
    >>> ek.config.get_soft_device_placement()
    True
    """
    return _soft_placement[0]


def _jax_devices(kind: str) -> list:
    try:
        return jax.devices(_KIND_TO_PLATFORM[kind])
    except (RuntimeError, KeyError):
        return []


def _parse(spec: str) -> tuple[str, int]:
    m = _SPEC.match(spec.strip())
    if not m:
        raise InvalidArgumentError(
            None,
            None,
            f"Invalid device specification {spec!r}; expected e.g. '/cpu:0', '/gpu:0' or "
            "'/job:localhost/replica:0/task:0/device:CPU:0'.",
        )
    kind, index = m.group("kind").upper(), int(m.group("index"))
    if kind not in _KIND_TO_PLATFORM:
        raise InvalidArgumentError(
            None,
            None,
            f"Unknown device type {m.group('kind')!r} in device specification {spec!r}; use CPU, GPU or TPU.",
        )
    return kind, index


def resolve(spec: str) -> jax.Device:
    """The JAX device for a TF device string such as ``/gpu:0`` or ``/device:CPU:0``.

    Raises InvalidArgumentError for a malformed spec, an unknown device type, or a device that
    is not present.
    """
    kind, index = _parse(spec)
    devs = _jax_devices(kind)
    if index >= len(devs):
        have = ", ".join(f"/{k.lower()}:{i}" for k in _KIND_TO_PLATFORM for i in range(len(_jax_devices(k))))
        raise InvalidArgumentError(
            None,
            None,
            f"Could not satisfy device specification {spec!r}: there is no {kind}:{index} (available: {have}). "
            "Check ek.config.list_physical_devices() first.",
        )
    return devs[index]


@contextlib.contextmanager
def device(device_name: str | None) -> Iterator[None]:
    """Places new tensors and ops in the block on ``device_name`` (``tf.device``).

    A malformed spec or unknown device type raises InvalidArgumentError. A well-formed spec for
    a device that is not present falls back to the default device, like TF's soft placement
    (``ek.config.set_soft_device_placement(False)`` makes it an error instead).

    >>> import eagerkit as ek
    >>> with ek.device("/cpu:0"):
    ...     x = ek.constant(1.0)
    >>> x.device
    '/job:localhost/replica:0/task:0/device:CPU:0'
    """
    if device_name is None or device_name == "":
        yield
        return
    kind, index = _parse(device_name)
    if index >= len(_jax_devices(kind)) and _soft_placement[0]:
        yield
        return
    with jax.default_device(resolve(device_name)):
        yield


def list_physical_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    """Physical devices, optionally of one type ("CPU", "GPU", "TPU"; others give [] as in TF).

    >>> import eagerkit as ek
    >>> ek.config.list_physical_devices("CPU")[0]
    PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')
    """
    kinds = [device_type.upper()] if device_type else list(_KIND_TO_PLATFORM)
    out = []
    for kind in kinds:
        if kind in _KIND_TO_PLATFORM:
            out += [PhysicalDevice(f"/physical_device:{kind}:{i}", kind) for i in range(len(_jax_devices(kind)))]
    return out


def list_logical_devices(device_type: str | None = None) -> list[LogicalDevice]:
    """Logical devices, optionally of one type (``LogicalDevice(name='/device:CPU:0', ...)``).

    >>> import eagerkit as ek
    >>> [d.name for d in ek.config.list_logical_devices("CPU")][:1]
    ['/device:CPU:0']
    """
    return [
        LogicalDevice(f"/device:{d.device_type}:{d.name.rsplit(':', 1)[1]}", d.device_type)
        for d in list_physical_devices(device_type)
    ]
