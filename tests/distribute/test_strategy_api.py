"""The strategy API in the test process (one CPU device): contexts, reduce/gather, input, errors."""

from __future__ import annotations

import json

import jax.numpy as jnp
import numpy as np
import pytest

import eagerkit as ek
from eagerkit._src.distribute.values import PerReplica
from eagerkit.distribute.cluster_resolver import SimpleClusterResolver, TFConfigClusterResolver


def test_default_strategy_and_contexts():
    s = ek.distribute.get_strategy()
    assert not ek.distribute.has_strategy()
    assert not ek.distribute.in_cross_replica_context()
    assert s.num_replicas_in_sync == 1
    assert ek.distribute.get_replica_context().num_replicas_in_sync == 1
    assert s.run(lambda x: x * 2, args=(ek.constant(3.0),)).numpy() == 6.0
    assert s.reduce("SUM", ek.constant([1.0, 2.0]), axis=None).numpy().tolist() == [1.0, 2.0]
    assert s.reduce(ek.distribute.ReduceOp.MEAN, ek.constant([1.0, 2.0]), axis=0).numpy() == 1.5
    assert s.experimental_local_results(ek.constant(1.0))[0].numpy() == 1.0
    ds = ek.data.Dataset.range(3)
    assert s.experimental_distribute_dataset(ds) is ds


def test_mirrored_scope_contexts_and_variable_placement():
    strategy = ek.distribute.MirroredStrategy()
    assert strategy.num_replicas_in_sync == 1
    with strategy.scope():
        assert ek.distribute.has_strategy()
        assert ek.distribute.in_cross_replica_context()
        assert ek.distribute.get_replica_context() is None
        assert ek.distribute.get_strategy() is strategy
        v = ek.Variable([1.0, 2.0])
        model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,))])
    assert model.distribute_strategy is strategy
    assert not ek.distribute.has_strategy()
    seen = {}

    def fn():
        ctx = ek.distribute.get_replica_context()
        seen["ctx"] = (ctx.num_replicas_in_sync, ek.distribute.in_cross_replica_context())
        return v * 2

    out = strategy.run(fn)
    assert seen["ctx"] == (1, False)
    assert strategy.experimental_local_results(out)[0].numpy().tolist() == [2.0, 4.0]


def test_mixing_strategies_is_an_error():
    a, b = ek.distribute.MirroredStrategy(), ek.distribute.MirroredStrategy()
    with a.scope():
        with pytest.raises(RuntimeError, match="Mixing different"):
            with b.scope():
                pass


def test_device_strings():
    assert ek.distribute.MirroredStrategy(["/cpu:0"]).num_replicas_in_sync == 1
    assert ek.distribute.MirroredStrategy(["/job:localhost/replica:0/task:0/device:CPU:0"]).num_replicas_in_sync == 1
    with pytest.raises(ValueError, match="does not exist.*xla_force_host_platform_device_count"):
        ek.distribute.MirroredStrategy(["/cpu:0", "/cpu:5"])
    with pytest.raises(ValueError, match="Could not parse device"):
        ek.distribute.MirroredStrategy(["gpu zero"])
    with pytest.raises(ValueError, match="distinct"):
        ek.distribute.MirroredStrategy(["/cpu:0", "/cpu:0"])


def test_per_replica_values_reduce_and_gather():
    s = ek.distribute.MirroredStrategy()
    batch = PerReplica(jnp.arange(8.0).reshape(4, 2), num_replicas=2, layout="concat")
    assert [t.numpy().tolist() for t in batch.values] == [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]
    # axis=None: element-wise over replicas; axis=0: also over each replica's rows.
    assert s.reduce("SUM", batch, axis=None).numpy().tolist() == [[4, 6], [8, 10]]
    assert s.reduce("SUM", batch, axis=0).numpy().tolist() == [12, 16]
    assert s.reduce("MEAN", batch, axis=0).numpy().tolist() == [3, 4]
    stacked = PerReplica(jnp.array([[1.0, 2.0], [3.0, 4.0]]), num_replicas=2, layout="stack")
    assert s.reduce("MEAN", stacked, axis=None).numpy().tolist() == [2.0, 3.0]
    assert s.gather(stacked, axis=0).numpy().tolist() == [1.0, 2.0, 3.0, 4.0]
    assert s.gather(batch, axis=1).numpy().tolist() == [[0, 1, 4, 5], [2, 3, 6, 7]]
    assert len(s.experimental_local_results({"a": stacked})) == 2
    with pytest.raises(ValueError, match="cannot be split evenly"):
        PerReplica(jnp.ones(3), num_replicas=2, layout="concat")
    with pytest.raises(ValueError, match="reduce_op must be"):
        s.reduce("MAX", stacked)
    assert "PerReplica:{" in repr(stacked)


def test_per_replica_passes_through_function_without_retracing():
    traces = []

    @ek.function
    def total(x):
        traces.append(1)
        return PerReplica(x._value * 2, x.num_replicas, x.layout)

    out = total(PerReplica(jnp.ones(4), 2, "concat"))
    total(PerReplica(jnp.zeros(4), 2, "concat"))
    assert isinstance(out, PerReplica) and out.num_replicas == 2
    assert out.global_value.numpy().tolist() == [2.0] * 4
    assert len(traces) == 1
    total(PerReplica(jnp.zeros(4), 4, "concat"))  # a different replica count is a new trace
    assert len(traces) == 2


def test_compute_average_loss_and_regularization_scaling():
    assert ek.nn.compute_average_loss([1.0, 2.0, 3.0]).numpy() == 2.0
    assert ek.nn.compute_average_loss([1.0, 2.0, 3.0], global_batch_size=6).numpy() == 1.0
    w = ek.nn.compute_average_loss([1.0, 2.0, 3.0], sample_weight=[1.0, 0.0, 1.0])
    assert w.numpy() == pytest.approx(4.0 / 3.0)
    assert ek.nn.compute_average_loss([1.0], global_batch_size=0).numpy() == 0.0
    assert ek.nn.scale_regularization_loss([1.0, 3.0]).numpy() == 4.0
    with pytest.raises(ValueError, match="at least rank 1"):
        ek.nn.compute_average_loss(1.0)
    with pytest.raises(TypeError, match="must be an integer"):
        ek.nn.compute_average_loss([1.0], global_batch_size=2.0)
    with ek.distribute.MirroredStrategy().scope():
        with pytest.raises(RuntimeError, match="cross replica context"):
            ek.nn.compute_average_loss([1.0])
        with pytest.raises(RuntimeError, match="cross replica context"):
            ek.nn.scale_regularization_loss(1.0)


def test_gradients_with_tape_inside_run_and_optimizer():
    strategy = ek.distribute.MirroredStrategy()
    with strategy.scope():
        w = ek.Variable(2.0)
        opt = ek.keras.optimizers.SGD(0.5)

    def step(x):
        with ek.GradientTape() as tape:
            loss = ek.nn.compute_average_loss(w * x)
        opt.apply_gradients([(tape.gradient(loss, w), w)])
        return loss

    batch = strategy.distribute_batch(np.array([1.0, 3.0], np.float32))
    loss = strategy.reduce("SUM", strategy.run(step, args=(batch,)), axis=None)
    assert loss.numpy() == 4.0
    assert w.numpy() == 1.0  # 2 - 0.5 * mean(x)


def test_input_contexts():
    ctx = ek.distribute.InputContext(num_input_pipelines=2, input_pipeline_id=1, num_replicas_in_sync=4)
    assert ctx.get_per_replica_batch_size(16) == 4
    with pytest.raises(ValueError, match="not divisible"):
        ctx.get_per_replica_batch_size(10)
    strategy = ek.distribute.MirroredStrategy()
    seen = []

    def dataset_fn(input_context):
        seen.append((input_context.num_input_pipelines, input_context.input_pipeline_id))
        return ek.data.Dataset.from_tensor_slices(np.arange(6.0, dtype=np.float32)).batch(4)

    batches = list(strategy.distribute_datasets_from_function(dataset_fn))
    assert seen == [(1, 0)]
    assert [b.global_value.numpy().tolist() for b in batches] == [[0, 1, 2, 3], [4, 5]]
    values = strategy.experimental_distribute_values_from_function(
        lambda c: np.float32(c.replica_id_in_sync_group + 10)
    )
    assert strategy.experimental_local_results(values)[0].numpy() == 10.0


def test_cluster_resolvers(monkeypatch):
    config = {
        "cluster": {"chief": ["host0:1000"], "worker": ["host1:1000", "host2:1000"]},
        "task": {"type": "worker", "index": 1},
    }
    monkeypatch.setenv("TF_CONFIG", json.dumps(config))
    r = TFConfigClusterResolver()
    assert (r.num_workers(), r.process_id(), r.coordinator_address()) == (3, 2, "host0:1000")
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ValueError, match="TF_CONFIG is not valid JSON"):
        TFConfigClusterResolver()
    bad = SimpleClusterResolver({"worker": ["a:1", "b:1"]}, task_type="ps", task_id=0)
    with pytest.raises(ValueError, match="needs a 'chief' or 'worker' task"):
        bad.process_id()


def test_multi_worker_strategy_single_process_and_late_creation(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    strategy = ek.distribute.MultiWorkerMirroredStrategy()
    assert strategy.num_replicas_in_sync == 1 and strategy.extended.should_checkpoint
    # JAX is already running in this process: joining a cluster now must fail clearly.
    two = SimpleClusterResolver({"worker": ["127.0.0.1:1", "127.0.0.1:2"]}, task_type="worker", task_id=0)
    with pytest.raises(RuntimeError, match="must be created before JAX runs any computation"):
        ek.distribute.MultiWorkerMirroredStrategy(cluster_resolver=two)


def test_non_distributed_values_follow_tf():
    # TF 2.21 with 4 replicas: MEAN of a plain tensor is the tensor, SUM is an error, gather returns it.
    s = ek.distribute.MirroredStrategy()
    s4 = PerReplica(jnp.ones(4), 4, "stack")  # a real 4-replica value still reduces
    assert s.reduce("SUM", s4, axis=None).numpy() == 4.0
    assert s.reduce("MEAN", ek.constant(3.0), axis=None).numpy() == 3.0
    assert s.gather(ek.constant([1.0]), axis=0).numpy().tolist() == [1.0]


def test_shard_validates_its_arguments():
    strategy = ek.distribute.MirroredStrategy()
    with strategy.scope():
        v = ek.Variable(ek.zeros([4, 2]))
        assert ek.distribute.experimental.shard(v, ("replica", None)) is v
        assert tuple(v._value.sharding.spec) == ("replica", None)
        with pytest.raises(ValueError, match="Unknown mesh axis 'model'"):
            ek.distribute.experimental.shard(v, (None, "model"))
        with pytest.raises(ValueError, match="more entries than"):
            ek.distribute.experimental.shard(v, (None, None, "replica"))
        with pytest.raises(TypeError, match="takes an ek.Variable"):
            ek.distribute.experimental.shard(ek.zeros([2]), ("replica",))
    with pytest.raises(ValueError, match="needs a MirroredStrategy"):
        ek.distribute.experimental.shard(v, ("replica", None))
    v.assign_add(ek.ones([4, 2]))  # eager and compiled updates keep working on it

    @ek.function
    def bump():
        v.assign_add(ek.ones([4, 2]))

    bump()
    assert v.numpy().sum() == 16.0 and tuple(v._value.sharding.spec) == ("replica", None)


def test_set_strategy_inside_a_scope_and_bad_axes_are_clear_errors():
    strategy = ek.distribute.MirroredStrategy()
    with strategy.scope():
        with pytest.raises(RuntimeError, match="must not be called inside a strategy's scope"):
            ek.distribute.experimental_set_strategy(strategy)
    assert not ek.distribute.has_strategy()
    ek.distribute.experimental_set_strategy(strategy)
    try:
        assert ek.distribute.get_strategy() is strategy
        with strategy.scope():  # entering the globally set strategy's scope is fine
            pass
        ek.distribute.experimental_set_strategy(ek.distribute.MirroredStrategy())  # replacing it too
    finally:
        ek.distribute.experimental_set_strategy(None)
    assert not ek.distribute.has_strategy()
    scalars = PerReplica(jnp.ones(2), 2, "stack")
    with pytest.raises(ValueError, match="out of range.*use axis=None"):
        strategy.reduce("SUM", scalars, axis=0)
    with pytest.raises(ValueError, match="out of range"):
        strategy.gather(scalars, axis=0)
