"""Devices: ``ek.device`` placement, ``ek.config`` listing, TF-style device strings, ``Tensor.gpu()/.cpu()``."""

import jax
import pytest

import eagerkit as ek

CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"
HAS_GPU = any(d.platform == "gpu" for d in jax.devices())


def test_list_physical_and_logical_devices():
    cpus = ek.config.list_physical_devices("CPU")
    assert cpus[0] == ek.config.PhysicalDevice(name="/physical_device:CPU:0", device_type="CPU")
    assert repr(cpus[0]) == "PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')"
    assert cpus[0].name == "/physical_device:CPU:0" and tuple(cpus[0]) == ("/physical_device:CPU:0", "CPU")
    assert ek.config.experimental.list_physical_devices("CPU") == cpus
    gpus = ek.config.list_physical_devices("GPU")
    assert len(gpus) == sum(d.platform == "gpu" for d in jax.devices())
    everything = ek.config.list_physical_devices()
    assert cpus[0] in everything and all(g in everything for g in gpus)
    assert ek.config.list_physical_devices("XPU") == []  # unknown types list nothing, as in TF
    logical = ek.config.list_logical_devices("CPU")
    assert logical[0] == ek.config.LogicalDevice(name="/device:CPU:0", device_type="CPU")
    assert ek.config.experimental.list_logical_devices("CPU") == logical


@pytest.mark.parametrize(
    "spec", ["/cpu:0", "/CPU:0", "cpu:0", "/device:CPU:0", "/job:localhost/replica:0/task:0/device:CPU:0"]
)
def test_device_context_places_on_cpu(spec):
    with ek.device(spec):
        t = ek.constant(1.0)
        u = t + 1
        v = ek.Variable(2.0)
    assert t.device == CPU0 and u.device == CPU0 and v.device == CPU0
    assert float(u) == 2.0


def test_device_strings():
    assert ek.constant([1, 2]).device == CPU0 or ek.constant([1, 2]).device.endswith("device:GPU:0")
    assert ek.Variable([1]).device.startswith("/job:localhost/replica:0/task:0/device:")
    with ek.device("/cpu:0"):
        assert (ek.ones([2]) * 3).device.endswith("device:CPU:0")
    with ek.device(None):
        assert ek.constant(1.0).device.startswith("/job:localhost")


def test_malformed_or_unknown_devices_raise():
    with pytest.raises(ek.errors.InvalidArgumentError, match="Unknown device type 'xyz'.*use CPU, GPU or TPU"):
        with ek.device("/xyz:0"):
            pass
    with pytest.raises(ValueError, match="Invalid device specification 'garbage'"):
        with ek.device("garbage"):
            pass


def test_missing_device_uses_soft_placement_like_tf():
    assert ek.config.get_soft_device_placement() is True
    with ek.device("/cpu:5"):  # well-formed but absent: falls back to the default device
        assert ek.constant(1.0).device.startswith("/job:localhost/replica:0/task:0/device:")
    ek.config.set_soft_device_placement(False)
    try:
        with pytest.raises(
            ek.errors.InvalidArgumentError, match=r"Could not satisfy device specification '/cpu:5'.*available: /cpu:0"
        ):
            with ek.device("/cpu:5"):
                pass
        if not HAS_GPU:
            with pytest.raises(ek.errors.InvalidArgumentError, match="there is no GPU:0"):
                with ek.device("/gpu:0"):
                    pass
    finally:
        ek.config.set_soft_device_placement(True)


def test_tensor_cpu_and_gpu_are_deprecated_copies():
    t = ek.constant([1.0, 2.0])
    with pytest.warns(DeprecationWarning, match=r"Tensor.cpu \(from eagerkit\) is deprecated"):
        c = t.cpu()
    assert c.device == CPU0 and c.numpy().tolist() == [1.0, 2.0] and c is not t
    if HAS_GPU:
        with pytest.warns(DeprecationWarning, match="Tensor.gpu"):
            g = t.gpu()
        assert g.device.endswith("device:GPU:0") and g.numpy().tolist() == [1.0, 2.0]
    else:
        with pytest.warns(DeprecationWarning, match="Tensor.gpu"):
            with pytest.raises(RuntimeError, match="GPU:0 unknown device"):
                t.gpu()
