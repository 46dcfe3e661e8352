"""Distributed training against single-device training, in subprocesses with 1 or 4 CPU devices.

JAX fixes its device count when it starts, so each configuration runs ``worker.py`` in a
fresh process (``XLA_FLAGS=--xla_force_host_platform_device_count=N``); the rest of the
suite keeps its single device. The single-device runs use the default strategy: plain
training on one device, the reference every distributed run must match (float tolerance).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")
TIMEOUT = 240


def _env(devices: int, **extra: str) -> dict:
    env = dict(os.environ)
    env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("TF_CONFIG", None)
    env.update(extra)
    return env


def _parse(out: str, err: str, what: str) -> dict:
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        raise AssertionError(f"{what} printed no result.\nstdout:\n{out[-3000:]}\nstderr:\n{err[-3000:]}")
    return json.loads(lines[-1])


def run_worker(devices: int, *args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, WORKER, *args],
        env=_env(devices),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        raise AssertionError(f"worker {args} on {devices} devices failed:\n{proc.stderr[-4000:]}")
    return _parse(proc.stdout, proc.stderr, f"worker {args}")


_cache: dict = {}


def cached(devices: int, *args: str) -> dict:
    key = (devices, *args)
    if key not in _cache:
        _cache[key] = run_worker(devices, *args)
    return _cache[key]


def assert_close(a, b, rtol=2e-5, atol=2e-6):
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=rtol, atol=atol)


def test_custom_loop_matches_single_device():
    single, mirrored = cached(1, "custom"), cached(4, "custom")
    assert mirrored["replicas"] == 4 and single["replicas"] == 1
    np.testing.assert_allclose(mirrored["losses"], single["losses"], rtol=2e-5)
    assert len(mirrored["losses"]) == 4  # three full batches and the partial one
    np.testing.assert_allclose(mirrored["eager_step_loss"], single["eager_step_loss"], rtol=2e-5)
    assert mirrored["accuracy"] == pytest.approx(single["accuracy"])
    assert mirrored["iterations"] == single["iterations"] == 5
    assert_close(mirrored["weights"], single["weights"])


def test_sharded_weight_trains_like_single_device_and_checkpoints(tmp_path):
    single, sharded = cached(1, "custom"), run_worker(4, "sharded", str(tmp_path))
    assert sharded["kernel_shards"] == [[12, 5]]  # each device keeps a quarter of the Dense kernel
    np.testing.assert_allclose(sharded["losses"], single["losses"], rtol=2e-5)
    assert_close(sharded["weights"], single["weights"])
    assert sharded["restored_equal"] and sharded["restored_sharded_equal"]
    assert sharded["restored_shards"] == [[12, 5]]


def test_batch_norm_moving_statistics_are_averaged_over_replicas():
    # Equal-size replicas: the average of their moving means is the single-device moving mean
    # (momentum 0.99 from 0: 0.01 * the batch mean), as with tf.keras' ON_READ/MEAN moving statistics.
    for devices in (1, 4):
        r = run_worker(devices, "batch_norm")
        np.testing.assert_allclose(r["moving_mean"], r["expected"], rtol=1e-6)


def test_dataset_is_split_evenly_in_order():
    mirrored = cached(4, "custom")
    # The first global batch of 8 rows: replica i holds rows 2i and 2i+1, as in TF.
    split = mirrored["first_split"]
    assert [len(rows) for rows in split] == [2, 2, 2, 2]
    single = cached(1, "custom")
    assert sum(split, []) == single["first_split"][0]


def test_fit_evaluate_predict_match_single_device():
    single, mirrored = cached(1, "fit"), cached(4, "fit")
    assert len(mirrored["logs"]) == len(single["logs"]) == 8  # 2 epochs x (3 full + 1 partial batch)
    np.testing.assert_allclose(mirrored["logs"], single["logs"], rtol=2e-5)
    np.testing.assert_allclose(mirrored["evaluate"], single["evaluate"], rtol=2e-5)
    np.testing.assert_allclose(mirrored["predict"], single["predict"], rtol=2e-5, atol=1e-6)
    assert_close(mirrored["weights"], single["weights"])


@pytest.mark.parametrize("save_devices,restore_devices", [(4, 1), (1, 4)])
def test_checkpoint_restores_on_another_device_count(tmp_path, save_devices, restore_devices):
    saved = run_worker(save_devices, "save", str(tmp_path))
    assert saved["path"].endswith("ckpt-1")
    restored = run_worker(restore_devices, "restore", str(tmp_path))
    reference = cached(1, "reference")
    # Restoring then training one more batch continues exactly where the saver stopped.
    assert restored["iterations"] == reference["iterations"] == 3
    assert_close(restored["weights_after_step"], reference["weights_after_step"])
    assert restored["devices"] == [restore_devices]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_multi_worker_two_processes_match_single_process():
    port = _free_port()
    workers = [f"127.0.0.1:{port}", f"127.0.0.1:{_free_port()}"]
    procs = []
    for index in range(2):
        tf_config = json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})
        procs.append(
            subprocess.Popen(
                [sys.executable, WORKER, "mwms"],
                env=_env(2, TF_CONFIG=tf_config),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
        )
    results = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=TIMEOUT)
            assert p.returncode == 0, f"worker failed:\n{err[-4000:]}"
            results.append(_parse(out, err, "multi-worker process"))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    single = cached(1, "custom")
    assert sorted(r["process_index"] for r in results) == [0, 1]
    for r in results:
        assert r["replicas"] == 4  # 2 processes x 2 devices
        np.testing.assert_allclose(r["losses"], single["losses"], rtol=2e-5)
        assert_close(r["weights"], single["weights"])
        # Each process sees only its own two replicas' rows of the first batch.
        assert [len(rows) for rows in r["first_split"]] == [2, 2]
    assert results[0]["unseeded"] == results[1]["unseeded"]  # unseeded initial values agree across workers
    by_process = sorted(results, key=lambda r: r["process_index"])
    assert sum(by_process[0]["first_split"] + by_process[1]["first_split"], []) == single["first_split"][0]
