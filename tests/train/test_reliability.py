"""Reliability: kill -9 during a save, corrupted files, wrong paths, wrong architectures."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.train as train
from eagerkit._src.core.tracking import AutoTrackable
from eagerkit._src.train import storage

_CHILD = r"""
import sys
import numpy as np
import eagerkit as ek
import eagerkit.train as train

directory = sys.argv[1]
big = ek.Variable(np.zeros(4_000_000, np.float32))  # 16 MB: a save takes a moment
step = ek.Variable(0, dtype=ek.int64)
manager = train.CheckpointManager(train.Checkpoint(big=big, step=step), directory, max_to_keep=2)
i = 0
while True:
    i += 1
    step.assign(i)
    big.assign(np.full(4_000_000, i, np.float32))
    print(manager.save(), flush=True)
"""


def test_sigkill_during_save_leaves_previous_checkpoint_valid(tmp_path):
    directory = tmp_path / "run"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")]))
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(directory)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    )
    try:
        first = child.stdout.readline().decode().strip()  # one checkpoint is complete
        assert first.endswith("ckpt-1"), first
        deadline = time.monotonic() + 60
        while not any(".eagerkit-tmp-" in n for n in os.listdir(directory)):  # the next save is under way
            assert time.monotonic() < deadline, "no save in progress observed"
            time.sleep(0.001)
        child.send_signal(signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    latest = train.latest_checkpoint(str(directory))
    assert latest is not None and storage.is_checkpoint(latest)
    big = ek.Variable(np.zeros(4_000_000, np.float32))
    step = ek.Variable(0, dtype=ek.int64)
    train.Checkpoint(big=big, step=step).restore(latest).assert_consumed()
    n = int(step.numpy())
    assert latest.endswith(f"ckpt-{n}") and n >= 1
    assert big.numpy().min() == big.numpy().max() == n
    # The killed save left only a hidden temporary; a new manager removes it.
    visible = [x for x in os.listdir(directory) if not x.startswith(".")]
    assert all(x == "checkpoint" or storage.is_checkpoint(str(directory / x)) for x in visible)
    manager = train.CheckpointManager(train.Checkpoint(big=big, step=step), str(directory), max_to_keep=2)
    assert not [x for x in os.listdir(directory) if x.startswith(".")]
    assert manager.latest_checkpoint == latest


def _two_vars(tmp_path):
    a = ek.Variable(np.arange(1000, dtype=np.float32))
    b = ek.Variable(np.ones((4, 4), np.float32))
    path = train.Checkpoint(a=a, b=b).write(str(tmp_path / "ck"))
    return path


def _largest_data_file(path):
    files = [os.path.join(r, f) for r, _, fs in os.walk(os.path.join(path, "arrays")) for f in fs]
    return max(files, key=os.path.getsize)


def _fresh():
    return ek.Variable(np.zeros(1000, np.float32)), ek.Variable(np.full((4, 4), 7.0, np.float32))


# orbax leaves a coroutine unawaited when tensorstore fails to read a damaged file
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_truncated_data_file(tmp_path):
    path = _two_vars(tmp_path)
    f = _largest_data_file(path)
    data = open(f, "rb").read()
    open(f, "wb").write(data[: len(data) // 2])
    a, b = _fresh()
    with pytest.raises(ek.errors.DataLossError, match=r"ck' is corrupted: the array data cannot be read: variable 'a'"):
        train.Checkpoint(a=a, b=b).restore(path)
    assert b.numpy()[0, 0] == 7.0  # nothing assigned


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_flipped_bytes_are_detected(tmp_path):
    path = _two_vars(tmp_path)
    f = _largest_data_file(path)
    data = bytearray(open(f, "rb").read())
    data[len(data) // 2] ^= 0xFF
    open(f, "wb").write(bytes(data))
    a, b = _fresh()
    with pytest.raises(ek.errors.DataLossError, match=r"is corrupted: .*variable 'a' \((CRC-32 mismatch|Exception)"):
        train.Checkpoint(a=a, b=b).restore(path)
    assert b.numpy()[0, 0] == 7.0


def test_garbled_json(tmp_path):
    path = _two_vars(tmp_path)
    graph = os.path.join(path, "object_graph.json")
    text = open(graph).read()
    open(graph, "w").write(text[: len(text) // 2])
    with pytest.raises(ek.errors.DataLossError, match="object_graph.json is not valid JSON"):
        train.Checkpoint(a=_fresh()[0]).restore(path)
    # still valid JSON, but edited: the checksum notices
    data = json.loads(text)
    data["variables"][0]["path"] = ["b"]
    data["variables"][1]["path"] = ["a"]
    open(graph, "w").write(json.dumps(data))
    with pytest.raises(ek.errors.DataLossError, match="does not match its checksum"):
        train.Checkpoint(a=_fresh()[0]).restore(path)


def test_missing_path_and_wrong_kind_of_path(tmp_path):
    with pytest.raises(ek.errors.NotFoundError, match=r"no such checkpoint.*suffix \(e.g. the '-1'"):
        train.Checkpoint(v=ek.Variable(1.0)).restore(str(tmp_path / "nope"))
    ck = train.Checkpoint(v=ek.Variable(1.0))
    ck.save(str(tmp_path / "dir" / "ckpt"))
    with pytest.raises(ek.errors.DataLossError, match=r"is a checkpoint directory.*latest_checkpoint"):
        ck.restore(str(tmp_path / "dir"))
    os.remove(os.path.join(str(tmp_path / "dir" / "ckpt-1"), "object_graph.json"))
    with pytest.raises(ek.errors.DataLossError, match="object_graph.json is missing"):
        ck.restore(str(tmp_path / "dir" / "ckpt-1"))


def test_shape_mismatch_names_variable_and_both_shapes(tmp_path):
    class Model(AutoTrackable):
        def __init__(self, units):
            self.kernel = ek.Variable(np.ones((3, units), np.float32))
            self.bias = ek.Variable(np.ones(units, np.float32))
            self.scale = ek.Variable(1.0)

    path = train.Checkpoint(model=Model(4)).write(str(tmp_path / "ck"))
    other = Model(5)
    other.scale.assign(3.0)
    with pytest.raises(ValueError) as e:
        train.Checkpoint(model=other).restore(path)
    msg = str(e.value)
    assert "'model/kernel'" in msg and "shape (3, 5) in the program but shape (3, 4) in the checkpoint" in msg
    assert "'model/bias'" in msg and "shape (5,) in the program but shape (4,)" in msg
    assert "Nothing was restored" in msg
    assert other.scale.numpy() == 3.0  # validated before assigning anything


def test_dtype_mismatch(tmp_path):
    path = train.Checkpoint(v=ek.Variable(1.0)).write(str(tmp_path / "ck"))
    with pytest.raises(ValueError, match="'v'.*dtype float64 in the program but float32 in the checkpoint"):
        train.Checkpoint(v=ek.Variable(1.0, dtype=ek.float64)).restore(path)


def test_partial_restore_into_different_structure(tmp_path, caplog):
    model = AutoTrackable()
    model.w = ek.Variable([1.0, 2.0])
    optimizer = AutoTrackable()
    optimizer.slot = ek.Variable([0.5, 0.5])
    path = train.Checkpoint(model=model, optimizer=optimizer).save(str(tmp_path / "ck"))
    new_model = AutoTrackable()
    new_model.w = ek.Variable([0.0, 0.0])
    new_model.head = ek.Variable(9.0)  # not in the checkpoint
    status = train.Checkpoint(model=new_model).restore(path).expect_partial()
    assert new_model.w.numpy().tolist() == [1.0, 2.0] and new_model.head.numpy() == 9.0
    with pytest.raises(AssertionError, match="model/head"):
        status.assert_existing_objects_matched()
    status.assert_nontrivial_match()
    del status
    import gc

    gc.collect()
    assert "never restored" not in caplog.text


def test_stale_temporaries_of_live_processes_are_kept(tmp_path):
    live = tmp_path / f".ckpt-3.eagerkit-tmp-{os.getppid()}-0123456789ab"
    dead = tmp_path / ".ckpt-4.eagerkit-tmp-999999999-0123456789ab"
    live.mkdir()
    dead.mkdir()
    train.CheckpointManager(train.Checkpoint(v=ek.Variable(1.0)), str(tmp_path))
    assert live.exists() and not dead.exists()
