"""Train N steps, save, restore into fresh objects, train M more == train N+M (bit for bit).

The model is hand-written (Variables in an AutoTrackable); the training step is an
ek.function with a hand-written SGD-with-momentum update whose momentum slots are
Variables created lazily inside the first traced step, so after the restore they are
created (inside a trace) after the checkpoint was read: deferred restoration. Noise from
a seeded ek.random.Generator is part of the step; its state is checkpointed too.
"""

import numpy as np

import eagerkit as ek
import eagerkit.train as train
from eagerkit._src.core.tracking import AutoTrackable


class MLP(AutoTrackable):
    def __init__(self, seed):
        g = np.random.default_rng(seed)
        self.w1 = ek.Variable((g.standard_normal((4, 8)) * 0.5).astype(np.float32), name="w1")
        self.b1 = ek.Variable(np.zeros(8, np.float32), name="b1")
        self.w2 = ek.Variable((g.standard_normal((8, 1)) * 0.5).astype(np.float32), name="w2")
        self.b2 = ek.Variable(np.zeros(1, np.float32), name="b2")

    def __call__(self, x, noise):
        h = ek.tanh(ek.matmul(x, self.w1) + self.b1 + noise)
        return ek.matmul(h, self.w2) + self.b2

    def trainable(self):
        return [self.w1, self.b1, self.w2, self.b2]


class MomentumSGD(AutoTrackable):
    def __init__(self, learning_rate=0.05, momentum=0.9):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.iterations = ek.Variable(0, dtype=ek.int64, trainable=False, name="iterations")
        self.slots = {}

    def apply_gradients(self, grads, variables):
        for i, (g, v) in enumerate(zip(grads, variables)):
            key = f"momentum-{i}"
            if key not in self.slots:  # created on the first (traced) step
                self.slots[key] = ek.Variable(lambda v=v: ek.zeros_like(v), trainable=False, name="momentum")
            m = self.slots[key]
            m.assign(self.momentum * m + g)
            v.assign_sub(self.learning_rate * m)
        self.iterations.assign_add(1)


def _batch(step):
    g = np.random.default_rng(1000 + step)
    x = g.standard_normal((16, 4)).astype(np.float32)
    y = np.sin(x.sum(axis=1, keepdims=True)).astype(np.float32)
    return ek.constant(x), ek.constant(y)


class Run:
    def __init__(self, init_seed):
        self.model = MLP(init_seed)
        self.optimizer = MomentumSGD()
        self.rng = ek.random.Generator.from_seed(7)
        self.checkpoint = train.Checkpoint(model=self.model, optimizer=self.optimizer, rng=self.rng.state)
        model, optimizer, rng = self.model, self.optimizer, self.rng

        @ek.function
        def step(x, y):
            noise = rng.normal([16, 8], stddev=0.01)
            with ek.GradientTape() as tape:
                loss = ek.reduce_mean((model(x, noise) - y) ** 2)
            grads = tape.gradient(loss, model.trainable())
            optimizer.apply_gradients(grads, model.trainable())
            return loss

        self.step = step

    def train(self, steps):
        losses = []
        for _ in range(steps):
            losses.append(self.step(*_batch(int(self.optimizer.iterations.numpy()))).numpy())
        return losses

    def state(self):
        from eagerkit._src.train.object_graph import format_path, view_graph

        return {format_path(p): v.numpy() for p, v in view_graph(self.checkpoint).variables.items()}


def test_save_restore_continues_bit_identically(tmp_path):
    n, m = 6, 5
    uninterrupted = Run(init_seed=0)
    uninterrupted.train(n)
    manager = train.CheckpointManager(uninterrupted.checkpoint, str(tmp_path), max_to_keep=2)
    path = manager.save()  # saving does not disturb the run
    expected_losses = uninterrupted.train(m)

    resumed = Run(init_seed=123)  # different initial values: everything must come from the checkpoint
    assert resumed.optimizer.slots == {}
    status = resumed.checkpoint.restore(train.latest_checkpoint(str(tmp_path)))
    assert path == train.latest_checkpoint(str(tmp_path))
    status.assert_existing_objects_matched()
    assert sorted(status.pending_values()) == [f"optimizer/slots/momentum-{i}" for i in range(4)]
    later_losses = resumed.train(m)
    status.assert_consumed()

    assert [loss.tobytes() for loss in later_losses] == [loss.tobytes() for loss in expected_losses]
    expected, got = uninterrupted.state(), resumed.state()
    assert got.keys() == expected.keys() and "optimizer/slots/momentum-3" in got
    for key in expected:
        assert np.array_equal(got[key], expected[key]), key
    assert int(resumed.optimizer.iterations.numpy()) == n + m
