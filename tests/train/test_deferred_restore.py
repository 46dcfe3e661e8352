"""Deferred restoration: variables created after restore() get their saved values."""

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.train as train
from eagerkit._src.core import context
from eagerkit._src.core.tracking import AutoTrackable
from eagerkit._src.train import deferred


class LazyDense(AutoTrackable):
    """Builds its weights on the first call, like a Keras layer."""

    def __init__(self, units):
        self.units = units
        self.kernel = None
        self.bias = None

    def __call__(self, x):
        if self.kernel is None:
            n_in = int(x.shape[-1])
            self.kernel = ek.Variable(lambda: ek.ones([n_in, self.units]), name="kernel")
            self.bias = ek.Variable(lambda: ek.zeros([self.units]), name="bias")
        return ek.matmul(x, self.kernel) + self.bias


class LazyModel(AutoTrackable):
    def __init__(self, n_layers, units=3):
        self.layers = [LazyDense(units) for _ in range(n_layers)]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def _randomize(model, seed):
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        layer.kernel.assign(rng.standard_normal(layer.kernel.shape).astype(np.float32))
        layer.bias.assign(rng.standard_normal(layer.bias.shape).astype(np.float32))


def _saved_model(tmp_path, n_layers=3):
    model = LazyModel(n_layers)
    x = ek.ones([2, 3])
    model(x)
    _randomize(model, 0)
    path = train.Checkpoint(model=model).write(str(tmp_path / "ck"))
    return model, path, x


def test_lazily_built_model_restored_eagerly(tmp_path):
    model, path, x = _saved_model(tmp_path)
    fresh = LazyModel(3)
    status = train.Checkpoint(model=fresh).read(path)
    status.assert_existing_objects_matched()
    assert sorted(status.pending_values()) == sorted(
        f"model/layers/{i}/{w}" for i in range(3) for w in ("kernel", "bias")
    )
    np.testing.assert_array_equal(fresh(x).numpy(), model(x).numpy())
    status.assert_consumed()
    assert deferred.pending_count() == 0
    assert not any(type(f).__name__ == "_DeferredRestoreFrame" for f in context.frames)


def test_lazily_built_model_restored_inside_function(tmp_path):
    model, path, x = _saved_model(tmp_path)
    fresh = LazyModel(3)
    status = train.Checkpoint(model=fresh).read(path)

    @ek.function
    def forward(x):
        return fresh(x)

    np.testing.assert_array_equal(forward(x).numpy(), model(x).numpy())
    status.assert_consumed()
    # real values, not tracers, were assigned
    assert isinstance(fresh.layers[0].kernel._value, type(model.layers[0].kernel._value))


def test_untouched_new_variables_are_restored_before_assertions_and_saves(tmp_path):
    model, path, x = _saved_model(tmp_path, n_layers=1)
    fresh = LazyModel(1)
    status = train.Checkpoint(model=fresh).read(path)
    fresh.layers[0].kernel = ek.Variable(ek.zeros([3, 3]))
    fresh.layers[0].bias = ek.Variable(ek.zeros([3]))
    status.assert_consumed()  # resolves first
    p2 = train.Checkpoint(model=fresh).write(str(tmp_path / "again"))
    np.testing.assert_array_equal(train.load_variable(p2, "model/layers/0/kernel"), model.layers[0].kernel.numpy())


def test_value_written_before_first_read_wins(tmp_path):
    holder = AutoTrackable()
    holder.slot = ek.Variable([1.0, 1.0])
    path = train.Checkpoint(h=holder).write(str(tmp_path / "ck"))
    fresh = AutoTrackable()
    status = train.Checkpoint(h=fresh).read(path)
    fresh.slot = ek.Variable([0.0, 0.0])
    fresh.slot.assign([5.0, 6.0])  # as in TF: restored on attach, then overwritten
    assert fresh.slot.numpy().tolist() == [5.0, 6.0]
    status.assert_consumed()


def test_deferred_shape_mismatch_is_reported(tmp_path):
    model, path, x = _saved_model(tmp_path, n_layers=1)
    fresh = LazyModel(1, units=4)
    train.Checkpoint(model=fresh).read(path)
    with pytest.raises(ValueError, match=r"model/layers/0/kernel.*shape \(3, 4\).*shape \(3, 3\)"):
        fresh(x)


def test_hundreds_of_lazy_variables(tmp_path):
    model, path, x = _saved_model(tmp_path, n_layers=150)  # 300 variables
    fresh = LazyModel(150)
    status = train.Checkpoint(model=fresh).read(path)
    np.testing.assert_allclose(fresh(x).numpy(), model(x).numpy())
    status.assert_consumed()
    for a, b in zip(model.layers, fresh.layers):
        np.testing.assert_array_equal(a.kernel.numpy(), b.kernel.numpy())


def test_newest_restore_wins(tmp_path):
    holder = AutoTrackable()
    holder.v = ek.Variable(1.0)
    first = train.Checkpoint(h=holder).write(str(tmp_path / "one"))
    holder.v.assign(2.0)
    second = train.Checkpoint(h=holder).write(str(tmp_path / "two"))
    fresh = AutoTrackable()
    ck = train.Checkpoint(h=fresh)
    ck.read(first)
    ck.read(second)
    fresh.v = ek.Variable(0.0)
    assert fresh.v.numpy() == 2.0


def test_new_subobject_attached_later(tmp_path):
    outer = AutoTrackable()
    outer.child = AutoTrackable()
    outer.child.v = ek.Variable([3.0])
    path = train.Checkpoint(o=outer).write(str(tmp_path / "ck"))
    fresh = AutoTrackable()
    # the Checkpoint object is temporary; values wait on `fresh` itself
    train.Checkpoint(o=fresh).read(path)
    child = AutoTrackable()
    child.v = ek.Variable([0.0])
    fresh.child = child
    assert child.v.numpy().tolist() == [3.0]
