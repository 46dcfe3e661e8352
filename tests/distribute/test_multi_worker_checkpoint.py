"""Checkpoints under MultiWorkerMirroredStrategy: 2 processes x 2 CPU devices on 127.0.0.1.

Both workers call ``CheckpointManager.save``; process 0 alone writes. The checkpoints must be
written once, named identically on both workers, restorable by a single process with one
device, and by two workers again (who then continue the manager's history). Each run is a
subprocess (``ckpt_worker.py``) under a timeout, so a hung collective fails the test.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys

import pytest

from eagerkit._src.train import checkpoint_state

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ckpt_worker.py")
TIMEOUT = 180


def _env(devices: int, tf_config: str | None = None) -> dict:
    env = dict(os.environ)
    env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("TF_CONFIG", None)
    if tf_config is not None:
        env["TF_CONFIG"] = tf_config
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _result(out: str, err: str, returncode: int, what: str) -> dict:
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if returncode != 0 or not lines:
        raise AssertionError(f"{what} failed (exit {returncode}).\nstdout:\n{out[-2000:]}\nstderr:\n{err[-4000:]}")
    return json.loads(lines[-1])


def run_workers(mode: str, directory: str) -> list[dict]:
    """Runs ``mode`` on two worker processes; their results ordered by process index."""
    workers = [f"127.0.0.1:{_free_port()}", f"127.0.0.1:{_free_port()}"]
    procs = []
    try:
        for index in range(2):
            tf_config = json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})
            procs.append(
                subprocess.Popen(
                    [sys.executable, WORKER, mode, directory],
                    env=_env(2, tf_config),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=ROOT,
                )
            )
        results = []
        for index, p in enumerate(procs):
            try:
                out, err = p.communicate(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                raise AssertionError(f"worker {index} ({mode}) did not finish within {TIMEOUT} s (a hang)") from None
            results.append(_result(out, err, p.returncode, f"worker {index} ({mode})"))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    results.sort(key=lambda r: r["process_index"])
    assert [r["process_index"] for r in results] == [0, 1]
    return results


def run_single(mode: str, directory: str) -> dict:
    """Runs ``mode`` in one process with one device and the default strategy."""
    try:
        proc = subprocess.run(
            [sys.executable, WORKER, mode, directory],
            env=_env(1),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"single process ({mode}) did not finish within {TIMEOUT} s") from None
    return _result(proc.stdout, proc.stderr, proc.returncode, f"single process ({mode})")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The two workers' save run: (directory, [result of process 0, result of process 1])."""
    directory = str(tmp_path_factory.mktemp("mwms_ckpt"))
    return directory, run_workers("save", directory)


def _listing(directory: str) -> list[str]:
    return sorted(os.listdir(directory))


def test_workers_write_one_set_of_checkpoints(saved):
    directory, (first, second) = saved
    ckpts = os.path.join(directory, "ckpts")
    expected = [os.path.join(ckpts, f"ckpt-{n}") for n in (1, 2, 3)]
    for r in (first, second):
        assert r["paths"] == expected
        assert r["checkpoints"] == expected[1:]  # max_to_keep=2: ckpt-1 deleted
        assert r["manager_latest"] == r["latest"] == expected[-1]
        assert r["visible_at_return"]  # the async save was synchronous: complete when save returned
        assert r["replicas"] == [4]  # the variables were global arrays on the 2 x 2 mesh
        assert r["values"]["save_counter"] == 3
    assert first["values"] == second["values"]
    # Exactly the kept checkpoints and the state file: no temporaries, no trash, ckpt-1 gone.
    assert _listing(ckpts) == ["checkpoint", "ckpt-2", "ckpt-3"]
    state = checkpoint_state.get_checkpoint_state(ckpts)
    assert state.model_checkpoint_path == expected[-1]
    assert state.all_model_checkpoint_paths == expected[1:]
    assert len(state.all_model_checkpoint_timestamps) == 2
    with open(os.path.join(ckpts, "checkpoint")) as f:
        assert 'model_checkpoint_path: "ckpt-3"' in f.read()  # stored relative, as TF does


def test_failed_or_mismatched_writes_raise_on_every_worker(saved):
    directory, (first, second) = saved
    # Process 0 cannot write over a file that is not a checkpoint: it raises that error, and
    # process 1, which wrote nothing, learns of it instead of waiting forever.
    assert first["extra"]["blocked"] == "AlreadyExistsError"
    assert second["extra"]["blocked"] == "RuntimeError"
    # Workers naming different paths raise before anything is written.
    assert first["extra"]["mismatch"] == second["extra"]["mismatch"] == "ValueError"
    # Checkpoint.write and Checkpoint.save work afterwards.
    for r in (first, second):
        assert r["extra"]["written"] == "written"
        assert r["extra"]["solo"] == r["extra"]["solo_latest"] == "solo-1"
    assert _listing(os.path.join(directory, "extra")) == ["blocked", "checkpoint", "solo-1", "written"]


def test_single_process_restores_what_the_workers_saved(saved):
    directory, (first, _) = saved
    single = run_single("restore", directory)
    assert single["latest"] == os.path.join(directory, "ckpts", "ckpt-3")
    assert single["replicas"] == [1]
    # Bit-identical: every model weight, optimizer slot, iterations and the save counter.
    assert single["values"] == first["values"]


def test_workers_restore_what_they_saved_and_continue(saved, tmp_path):
    directory, (first, _) = saved
    copy = str(tmp_path / "copy")
    shutil.copytree(directory, copy)  # this run saves a fourth checkpoint: leave the original alone
    ckpts = os.path.join(copy, "ckpts")
    restored = run_workers("restore", copy)
    for r in restored:
        assert r["latest"] == r["manager_latest"] == os.path.join(ckpts, "ckpt-3")
        assert r["checkpoints"] == [os.path.join(ckpts, f"ckpt-{n}") for n in (2, 3)]
        assert r["replicas"] == [4]
        assert r["values"] == first["values"]
        # A new manager took the history over: saving ckpt-4 deleted ckpt-2.
        assert r["fourth"] == os.path.join(ckpts, "ckpt-4")
        assert r["checkpoints_after"] == [os.path.join(ckpts, f"ckpt-{n}") for n in (3, 4)]
        assert r["values_after"]["save_counter"] == 4
        assert r["values_after"]["optimizer"][0] == [4]  # iterations: 3 restored + 1 step
    assert restored[0]["values_after"] == restored[1]["values_after"]
    assert _listing(ckpts) == ["checkpoint", "ckpt-3", "ckpt-4"]
    assert checkpoint_state.latest_checkpoint(ckpts) == os.path.join(ckpts, "ckpt-4")
