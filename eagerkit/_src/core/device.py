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
from dataclasses import dataclass

import jax

from eagerkit._src.core.errors import InvalidArgumentError

_KIND_TO_PLATFORM = {"CPU": "cpu", "GPU": "gpu", "TPU": "tpu"}
_SPEC = re.compile(r"^(?:/job:[^/]+)?(?:/replica:\d+)?(?:/task:\d+)?/?(?:device:)?(?P<kind>[A-Za-z]+):(?P<index>\d+)$")


@dataclass(frozen=True)
class PhysicalDevice:
    """A device as ``tf.config.list_physical_devices`` reports it."""

    name: str
    device_type: str


@dataclass(frozen=True)
class LogicalDevice:
    """A device as ``tf.config.list_logical_devices`` reports it."""

    name: str
    device_type: str


def _jax_devices(kind: str) -> list:
    try:
        return jax.devices(_KIND_TO_PLATFORM[kind])
    except (RuntimeError, KeyError):
        return []


def resolve(spec: str) -> jax.Device:
    """The JAX device for a TF device string such as ``/gpu:0`` or ``/device:CPU:0``."""
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
        raise InvalidArgumentError(None, None, f"Unknown device type {kind!r} in {spec!r}; use CPU, GPU or TPU.")
    devs = _jax_devices(kind)
    if index >= len(devs):
        have = ", ".join(f"/{k.lower()}:{i}" for k in _KIND_TO_PLATFORM for i in range(len(_jax_devices(k))))
        raise InvalidArgumentError(
            None,
            None,
            f"Could not satisfy device specification {spec!r}: there is no {kind}:{index} (available: {have}).",
        )
    return devs[index]


@contextlib.contextmanager
def device(device_name: str | None) -> Iterator[None]:
    """Places new tensors and ops in the block on ``device_name`` (``tf.device``)."""
    if device_name is None or device_name == "":
        yield
        return
    with jax.default_device(resolve(device_name)):
        yield


def list_physical_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    """Physical devices, optionally of one type ("CPU", "GPU", "TPU")."""
    kinds = [device_type.upper()] if device_type else list(_KIND_TO_PLATFORM)
    out = []
    for kind in kinds:
        if kind not in _KIND_TO_PLATFORM:
            raise ValueError(f"Unknown device type {device_type!r}; use 'CPU', 'GPU' or 'TPU'.")
        out += [PhysicalDevice(f"/physical_device:{kind}:{i}", kind) for i in range(len(_jax_devices(kind)))]
    return out


def list_logical_devices(device_type: str | None = None) -> list[LogicalDevice]:
    """Logical devices, optionally of one type."""
    return [
        LogicalDevice(
            f"/job:localhost/replica:0/task:0/device:{d.device_type}:{d.name.rsplit(':', 1)[1]}", d.device_type
        )
        for d in list_physical_devices(device_type)
    ]
