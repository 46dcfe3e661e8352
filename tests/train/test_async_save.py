"""Asynchronous saves: return at once, finish in the background, never half-visible."""

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.train as train
from eagerkit._src.train import async_writer

ASYNC = train.CheckpointOptions(enable_async=True)


def _block_worker():
    """Occupies the background worker until the returned event is set."""
    gate = threading.Event()
    async_writer.submit("/nonexistent/blocker", gate.wait)
    return gate


def test_async_save_is_invisible_until_complete(tmp_path):
    v = ek.Variable([1.0, 2.0])
    ck = train.Checkpoint(v=v)
    first = ck.save(str(tmp_path / "ck"))
    gate = _block_worker()
    try:
        path = ck.save(str(tmp_path / "ck"), options=ASYNC)
        assert path == str(tmp_path / "ck-2")
        v.assign([9.0, 9.0])  # the snapshot was taken when save() returned
        assert not os.path.exists(path)
        assert train.latest_checkpoint(str(tmp_path)) == first
    finally:
        gate.set()
    ck.sync()
    assert train.latest_checkpoint(str(tmp_path)) == path
    np.testing.assert_array_equal(train.load_variable(path, "v"), [1.0, 2.0])
    assert [n for n in os.listdir(tmp_path) if n.startswith(".")] == []


def test_restore_waits_for_pending_write(tmp_path):
    v = ek.Variable(3.0)
    ck = train.Checkpoint(v=v)
    gate = _block_worker()
    path = ck.write(str(tmp_path / "w"), options=ASYNC)
    threading.Timer(0.05, gate.set).start()
    other = ek.Variable(0.0)
    train.Checkpoint(v=other).read(path).assert_consumed()  # waits for the write
    assert other.numpy() == 3.0


def test_manager_async_saves_and_wait(tmp_path):
    v = ek.Variable(0.0)
    manager = train.CheckpointManager(train.Checkpoint(v=v), str(tmp_path), max_to_keep=2)
    paths = []
    for i in range(4):
        v.assign(float(i))
        paths.append(manager.save(options=ASYNC))
    manager.wait_until_finished()
    assert manager.checkpoints == paths[2:]
    assert manager.latest_checkpoint == paths[-1] == train.latest_checkpoint(str(tmp_path))
    assert sorted(n for n in os.listdir(tmp_path)) == ["checkpoint", "ckpt-3", "ckpt-4"]
    assert train.load_variable(paths[-1], "v") == 3.0


def test_async_error_is_raised_by_sync(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    ck = train.Checkpoint(v=ek.Variable(1.0))
    ck.write(str(blocker / "sub" / "ck"), options=ASYNC)
    with pytest.raises(RuntimeError, match="asynchronous checkpoint write failed"):
        ck.sync()
    ck.sync()  # reported once


def test_write_callbacks_run_after_completion(tmp_path):
    seen = []
    options = train.CheckpointOptions(
        enable_async=True,
        experimental_write_callbacks=[lambda p: seen.append(os.path.isdir(p)), lambda: seen.append("no-arg")],
    )
    ck = train.Checkpoint(v=ek.Variable(1.0))
    ck.write(str(tmp_path / "c"), options=options)
    ck.sync()
    assert seen == [True, "no-arg"]
    assert train.CheckpointOptions(experimental_enable_async_checkpoint=True).enable_async


def test_pending_async_save_completes_at_interpreter_exit(tmp_path):
    script = (
        "import numpy as np, eagerkit as ek, eagerkit.train as train\n"
        "v = ek.Variable(np.full(1_000_000, 4.0, np.float32))\n"
        f"train.Checkpoint(v=v).save({str(tmp_path / 'ck')!r}, options=train.CheckpointOptions(enable_async=True))\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")]))
    subprocess.run([sys.executable, "-c", script], check=True, env=env, timeout=300)
    latest = train.latest_checkpoint(str(tmp_path))
    assert latest == str(tmp_path / "ck-1")
    assert train.load_variable(latest, "v").min() == 4.0
