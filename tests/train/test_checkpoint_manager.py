"""CheckpointManager: naming, retention, the state file, restore_or_initialize, intervals."""

import os
import time

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.train as train


def _manager(directory, **kw):
    v = ek.Variable(0.0)
    return train.CheckpointManager(train.Checkpoint(v=v), str(directory), **kw), v


def test_naming_retention_and_state_file(tmp_path):
    d = tmp_path / "m"
    manager, v = _manager(d, max_to_keep=2)
    assert manager.latest_checkpoint is None and manager.checkpoints == []
    assert manager.directory == str(d) and manager.checkpoint_interval is None
    paths = []
    for i in range(4):
        v.assign(float(i))
        paths.append(manager.save())
    assert paths == [str(d / f"ckpt-{i}") for i in range(1, 5)]
    assert manager.checkpoints == paths[2:]
    assert manager.latest_checkpoint == paths[-1] == train.latest_checkpoint(str(d))
    assert sorted(os.listdir(d)) == ["checkpoint", "ckpt-3", "ckpt-4"]
    lines = open(d / "checkpoint").read().splitlines()
    assert lines[:3] == [
        'model_checkpoint_path: "ckpt-4"',
        'all_model_checkpoint_paths: "ckpt-3"',
        'all_model_checkpoint_paths: "ckpt-4"',
    ]
    assert [line.split(":")[0] for line in lines[3:]] == [
        "all_model_checkpoint_timestamps",
        "all_model_checkpoint_timestamps",
        "last_preserved_timestamp",
    ]
    state = train.get_checkpoint_state(str(d))
    assert state.all_model_checkpoint_paths == paths[2:]
    assert train.load_variable(paths[-1], "v") == 3.0


def test_checkpoint_number_and_name(tmp_path):
    manager, _ = _manager(tmp_path, max_to_keep=None, checkpoint_name="model")
    assert manager.save(checkpoint_number=10) == str(tmp_path / "model-10")
    assert manager.save(checkpoint_number=ek.Variable(12, dtype=ek.int64)) == str(tmp_path / "model-12")
    # save_counter is still incremented
    assert manager.save() == str(tmp_path / "model-3")
    assert manager.checkpoints == [str(tmp_path / f"model-{n}") for n in (10, 12, 3)]
    with pytest.raises(ValueError, match="positive integer or `None` for `max_to_keep`"):
        _manager(tmp_path, max_to_keep=0)
    with pytest.raises(ValueError, match="`step_counter` should be passed"):
        _manager(tmp_path, checkpoint_interval=5)


def test_new_manager_picks_up_history_and_restores(tmp_path):
    manager, v = _manager(tmp_path, max_to_keep=3)
    for i in range(3):
        v.assign(float(i + 1))
        manager.save()
    again, v2 = _manager(tmp_path, max_to_keep=3)
    assert again.checkpoints == manager.checkpoints
    assert again.latest_checkpoint == manager.latest_checkpoint
    assert again.restore_or_initialize() == manager.latest_checkpoint
    assert v2.numpy() == 3.0
    assert int(again.checkpoint.save_counter.numpy()) == 3
    assert again.save() == str(tmp_path / "ckpt-4")  # numbering continues
    assert again.checkpoints == [str(tmp_path / f"ckpt-{n}") for n in (2, 3, 4)]


def test_restore_or_initialize_calls_init_fn(tmp_path):
    calls = []
    v = ek.Variable(0.0)
    manager = train.CheckpointManager(train.Checkpoint(v=v), str(tmp_path), init_fn=lambda: calls.append(1))
    assert manager.restore_or_initialize() is None and calls == [1]
    manager.save()
    assert manager.restore_or_initialize() == str(tmp_path / "ckpt-1") and calls == [1]


def test_checkpoint_interval(tmp_path):
    step = ek.Variable(0, dtype=ek.int64)
    manager = train.CheckpointManager(
        train.Checkpoint(step=step), str(tmp_path), max_to_keep=None, step_counter=step, checkpoint_interval=5
    )
    saved = {}
    for s in range(12):
        step.assign(s)
        saved[s] = manager.save()
    assert [s for s, p in saved.items() if p] == [0, 5, 10]
    assert saved[10] == str(tmp_path / "ckpt-3")
    assert manager.save() is None  # same step again
    step.assign(11)
    assert manager.save(check_interval=False) == str(tmp_path / "ckpt-4")


def test_keep_checkpoint_every_n_hours(tmp_path):
    manager, _ = _manager(tmp_path, max_to_keep=1, keep_checkpoint_every_n_hours=1e-9)
    for _ in range(3):
        manager.save()
        time.sleep(0.002)  # distinct timestamps
    # leaving the kept set preserves them on disk, but only the latest is managed
    assert sorted(p for p in os.listdir(tmp_path) if p.startswith("ckpt")) == ["ckpt-1", "ckpt-2", "ckpt-3"]
    assert manager.checkpoints == [str(tmp_path / "ckpt-3")]


def test_latest_checkpoint_of_missing_or_deleted(tmp_path, caplog):
    assert train.latest_checkpoint(str(tmp_path / "nothing")) is None
    manager, _ = _manager(tmp_path)
    path = manager.save()
    import shutil

    shutil.rmtree(path)
    assert train.latest_checkpoint(str(tmp_path)) is None  # as TF: the named checkpoint must exist
    assert "Couldn't find checkpoint" in caplog.text


def test_state_file_escapes_and_garbage(tmp_path):
    odd = tmp_path / 'dir "quoted" é'
    manager, _ = _manager(odd, max_to_keep=1, checkpoint_name='c"k')
    path = manager.save()
    assert train.latest_checkpoint(str(odd)) == path
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "checkpoint").write_text("model_checkpoint_path: ckpt-1 unquoted\n")
    with pytest.raises(ek.errors.DataLossError, match=r"state file .*bad/checkpoint.* line 1"):
        train.latest_checkpoint(str(tmp_path / "bad"))


def test_manager_restores_values(tmp_path):
    manager, v = _manager(tmp_path)
    v.assign(42.0)
    path = manager.save()
    v.assign(0.0)
    manager.checkpoint.restore(manager.latest_checkpoint).assert_consumed()
    assert v.numpy() == np.float32(42.0) and path == manager.latest_checkpoint
