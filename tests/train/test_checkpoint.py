"""ek.train.Checkpoint: the seed sequence, object-graph naming, save_counter, write/read."""

import json
import os

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.train as train
from eagerkit._src.core.tracking import AutoTrackable
from eagerkit._src.train.checkpoint import read_checkpoint_metadata, restore_object_graph, save_object_graph


class Dense(AutoTrackable):
    def __init__(self, n_in, n_out, seed=0):
        rng = np.random.default_rng(seed)
        self.kernel = ek.Variable(rng.standard_normal((n_in, n_out)).astype(np.float32), name="kernel")
        self.bias = ek.Variable(np.zeros(n_out, np.float32), name="bias")


class Net(AutoTrackable):
    def __init__(self, seed=0):
        self.first = Dense(3, 4, seed)
        self.second = Dense(4, 2, seed + 1)
        self.extra = {"scale": ek.Variable(1.0), "stack": [ek.Variable(2.0), ek.Variable(3.0)]}


def _values(obj):
    from eagerkit._src.train.object_graph import format_path, view_graph

    return {format_path(p): v.numpy().copy() for p, v in view_graph(obj).variables.items()}


def test_seed_guide_sequence(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    x = ek.Variable(10.0)
    checkpoint = train.Checkpoint(x=x)
    x.assign(2.0)
    assert checkpoint.save("./ckpt/") == "./ckpt/-1"
    x.assign(11.0)
    assert train.latest_checkpoint("./ckpt/") == "./ckpt/-1"
    status = checkpoint.restore(train.latest_checkpoint("./ckpt/"))
    assert x.numpy() == np.float32(2.0)
    assert type(status).__name__ == "CheckpointLoadStatus"
    assert status.assert_consumed() is status
    # TF's state file, relative paths
    assert open("./ckpt/checkpoint").read() == 'model_checkpoint_path: "-1"\nall_model_checkpoint_paths: "-1"\n'


def test_save_numbers_and_counter(tmp_path):
    v = ek.Variable(1.0)
    ck = train.Checkpoint(v=v)
    prefix = str(tmp_path / "a")
    assert ck.save(prefix) == prefix + "-1"
    assert ck.save(str(tmp_path / "b")) == str(tmp_path / "b-2")
    assert ck.save_counter.dtype == ek.int64 and int(ck.save_counter.numpy()) == 2
    assert train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "b-2")
    # restore brings the counter back, so numbering continues after it
    fresh = train.Checkpoint(v=ek.Variable(0.0))
    fresh.restore(prefix + "-1").assert_consumed()
    assert int(fresh.save_counter.numpy()) == 1 and fresh.v.numpy() == 1.0
    assert fresh.save(str(tmp_path / "c")).endswith("c-2")


def test_write_read_have_no_counter(tmp_path):
    ck = train.Checkpoint(v=ek.Variable(4.0))
    path = ck.write(str(tmp_path / "w"))
    assert path == str(tmp_path / "w")
    assert [k for k, _ in train.list_variables(path)] == ["v"]
    assert not os.path.exists(tmp_path / "checkpoint")  # write does not touch the state file
    other = train.Checkpoint(v=ek.Variable(0.0))
    other.read(path).assert_consumed()
    assert other.v.numpy() == 4.0
    # restore() creates save_counter, which a write()-made checkpoint lacks (TF behaves the same)
    with pytest.raises(AssertionError, match="save_counter"):
        train.Checkpoint(v=ek.Variable(0.0)).restore(path).assert_consumed()


def test_nested_trackables_round_trip(tmp_path):
    net = Net(seed=0)
    inner = train.Checkpoint(net=net)
    outer = train.Checkpoint(inner=inner, step=ek.Variable(7, dtype=ek.int64))
    path = outer.save(str(tmp_path / "ck"))
    keys = [k for k, _ in train.list_variables(path)]
    assert keys == sorted(
        [
            "inner/net/first/bias",
            "inner/net/first/kernel",
            "inner/net/second/bias",
            "inner/net/second/kernel",
            "inner/net/extra/scale",
            "inner/net/extra/stack/0",
            "inner/net/extra/stack/1",
            "save_counter",
            "step",
        ]
    )
    expected = _values(net)
    fresh = Net(seed=5)
    assert not np.array_equal(_values(fresh)["first/kernel"], expected["first/kernel"])
    status = train.Checkpoint(inner=train.Checkpoint(net=fresh), step=ek.Variable(0, dtype=ek.int64)).restore(path)
    status.assert_consumed()
    got = _values(fresh)
    assert got.keys() == expected.keys()
    for k in expected:
        np.testing.assert_array_equal(got[k], expected[k])


def test_keys_come_from_trackable_children_names(tmp_path):
    class KerasLike(AutoTrackable):
        def __init__(self):
            self._layers = [Dense(2, 2), AutoTrackable(), Dense(2, 1)]

        def _trackable_children(self):
            with_weights = [layer for layer in self._layers if isinstance(layer, Dense)]
            return {f"layer_with_weights-{i}": layer for i, layer in enumerate(with_weights)}

    model = KerasLike()
    path = save_object_graph(model, str(tmp_path / "weights"))
    assert [k for k, _ in train.list_variables(path)] == [
        "layer_with_weights-0/bias",
        "layer_with_weights-0/kernel",
        "layer_with_weights-1/bias",
        "layer_with_weights-1/kernel",
    ]
    # also readable by TF's key spelling
    np.testing.assert_array_equal(
        train.load_variable(path, "layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE"),
        model._layers[2].kernel.numpy(),
    )


def test_shared_object_first_path_wins_and_aliases_restore(tmp_path):
    layer = Dense(2, 2, seed=3)
    holder = AutoTrackable()
    holder.layer = layer
    ck = train.Checkpoint(alpha=layer, zeta=holder)  # kwargs are sorted: alpha first
    path = ck.write(str(tmp_path / "ck"))
    assert [k for k, _ in train.list_variables(path)] == ["alpha/bias", "alpha/kernel"]
    # A program that reaches the layer only through the other path still gets the values.
    other_holder = AutoTrackable()
    other_holder.layer = Dense(2, 2, seed=9)
    status = train.Checkpoint(zeta=other_holder).read(path)
    np.testing.assert_array_equal(other_holder.layer.kernel.numpy(), layer.kernel.numpy())
    status.assert_existing_objects_matched()


def test_root_checkpoint_and_helpers(tmp_path):
    net = Net(seed=1)
    path = save_object_graph(net, str(tmp_path / "weights"), metadata={"config": {"units": [4, 2]}})
    assert "first/kernel" in dict(train.list_variables(path))
    assert read_checkpoint_metadata(path) == {"config": {"units": [4, 2]}}
    fresh = Net(seed=2)
    status = restore_object_graph(fresh, path)
    status.assert_consumed()
    np.testing.assert_array_equal(fresh.second.kernel.numpy(), net.second.kernel.numpy())
    # Checkpoint(root=...) with extra kwargs attaches them beside the root's children
    step = ek.Variable(3, dtype=ek.int64)
    p2 = train.Checkpoint(root=net, step=step).save(str(tmp_path / "r"))
    assert {"first/kernel", "step", "save_counter"} <= set(dict(train.list_variables(p2)))
    with pytest.raises(ValueError, match="root.first already exists"):
        train.Checkpoint(root=net, first=Dense(1, 1))
    with pytest.raises(TypeError, match="JSON"):
        save_object_graph(net, str(tmp_path / "bad"), metadata={"x": object()})


def test_constructor_validation():
    with pytest.raises(ValueError, match="expecting x to be a trackable object"):
        train.Checkpoint(x=3)
    with pytest.raises(ValueError, match="expecting root to be a trackable"):
        train.Checkpoint(ek.Variable(1.0))
    with pytest.raises(ValueError, match="save_counter"):
        train.Checkpoint(save_counter=ek.Variable(1.0))
    ck = train.Checkpoint(empty=[])
    ck.empty.append(ek.Variable(1.0))  # containers stay tracked
    assert "empty" in ck._trackable_children()


def test_attributes_added_later_are_saved(tmp_path):
    ck = train.Checkpoint()
    ck.late = ek.Variable([1, 2], dtype=ek.int32)
    path = ck.write(str(tmp_path / "c"))
    np.testing.assert_array_equal(train.load_variable(path, "late"), [1, 2])


def test_dtypes_and_empty_arrays_round_trip(tmp_path):
    values = {
        "f64": ek.Variable(np.array([1.5, -2.0]), dtype=ek.float64),
        "bf16": ek.Variable(np.array([1.5, 2.5]), dtype=ek.bfloat16),
        "i8": ek.Variable(np.array([-3, 4], np.int8)),
        "flag": ek.Variable(True),
        "c64": ek.Variable(np.array([1 + 2j], np.complex64)),
        "empty": ek.Variable(np.zeros((0, 3), np.float32)),
    }
    path = train.Checkpoint(**values).write(str(tmp_path / "c"))
    restored = {k: ek.Variable(ek.zeros(v.shape, dtype=v.dtype)) for k, v in values.items()}
    train.Checkpoint(**restored).read(path).assert_consumed()
    for k in values:
        assert restored[k].dtype == values[k].dtype
        np.testing.assert_array_equal(restored[k].numpy(), values[k].numpy())


def test_object_graph_json_is_plain_and_checksummed(tmp_path):
    path = train.Checkpoint(v=ek.Variable([1.0])).write(str(tmp_path / "c"))
    data = json.load(open(os.path.join(path, "object_graph.json")))
    assert data["format"] == "eagerkit-checkpoint" and data["version"] == 1
    assert data["variables"][0]["path"] == ["v"] and data["variables"][0]["shape"] == [1]
    assert isinstance(data["checksum"], int)


def test_save_and_restore_refuse_inside_function(tmp_path):
    ck = train.Checkpoint(v=ek.Variable(1.0))

    @ek.function
    def f():
        ck.write(str(tmp_path / "x"))
        return 1.0

    with pytest.raises(RuntimeError, match="outside the compiled function"):
        f()


def test_write_refuses_to_replace_foreign_directory(tmp_path):
    target = tmp_path / "precious"
    target.mkdir()
    (target / "data.txt").write_text("keep me")
    with pytest.raises(ek.errors.AlreadyExistsError, match="not an eagerkit checkpoint"):
        train.Checkpoint(v=ek.Variable(1.0)).write(str(target))
    assert (target / "data.txt").read_text() == "keep me"
    # an existing checkpoint is replaced
    p = train.Checkpoint(v=ek.Variable(1.0)).write(str(tmp_path / "c"))
    train.Checkpoint(v=ek.Variable(5.0)).write(p)
    assert train.load_variable(p, "v") == 5.0
    assert sorted(os.listdir(tmp_path)) == ["c", "precious"]
