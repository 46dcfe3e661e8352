"""Keras callbacks: hook order (as TF 2.21's tf.keras), EarlyStopping, ModelCheckpoint,
ReduceLROnPlateau, LearningRateScheduler, CSVLogger, LambdaCallback, TensorBoard,
TerminateOnNaN, History.plot.

Monitor-driven callbacks are fed scripted values: a ``Script`` callback placed before them
writes ``logs["score"]`` at each epoch end (the logs dict is shared, as in tf.keras).
"""

import csv
import os
import sys

import numpy as np
import pytest
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.util import tensor_util

import eagerkit as ek

cbks = ek.keras.callbacks
load_model = ek.keras.models.load_model
plot_history = ek.keras.utils.plot_history

X = np.random.default_rng(1).normal(size=(6, 4)).astype(np.float32)
LABELS = np.array([0, 1, 1, 0, 1, 0])


def make_model(lr=0.1, metrics=("accuracy",)):
    model = ek.keras.Sequential([ek.keras.layers.Dense(2, input_shape=(4,))])
    model.compile(
        optimizer=ek.keras.optimizers.SGD(lr),
        loss=ek.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=list(metrics),
    )
    return model


class Script(cbks.Callback):
    """Puts ``values[epoch]`` into the epoch logs under ``key``."""

    def __init__(self, values, key="score"):
        super().__init__()
        self.values, self.key = values, key

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


class WeightsLog(cbks.Callback):
    def on_train_begin(self, logs=None):
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append([w.copy() for w in self.model.get_weights()])


# -- hook order ---------------------------------------------------------------------------------------
HOOKS = [
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_begin",
    "on_test_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_begin",
    "on_predict_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
]


class Recorder(cbks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def __getattribute__(self, name):
        if name in HOOKS:
            events = object.__getattribute__(self, "events")

            def hook(*args):
                *index, logs = args
                events.append((name, *index, sorted(logs) if logs else None))

            return hook
        return object.__getattribute__(self, name)


def _epoch(i):
    train_keys, val_keys = ["accuracy", "loss"], ["accuracy", "loss", "val_accuracy", "val_loss"]
    return [
        ("on_epoch_begin", i, None),
        ("on_train_batch_begin", 0, None),
        ("on_train_batch_end", 0, train_keys),
        ("on_train_batch_begin", 1, None),
        ("on_train_batch_end", 1, train_keys),
        ("on_test_begin", None),
        ("on_test_batch_begin", 0, None),
        ("on_test_batch_end", 0, train_keys),
        ("on_test_end", train_keys),
        ("on_epoch_end", i, val_keys),
    ]


def test_hook_order_of_fit_evaluate_predict_matches_tf_keras():
    # Recorded from TF 2.21 (Keras 3.15) running the same 2-epoch fit (2 train batches, 1 val batch).
    model = make_model()
    rec = Recorder()
    model.fit(X, LABELS, batch_size=4, epochs=2, validation_data=(X[:3], LABELS[:3]), callbacks=[rec], verbose=0)
    assert rec.events == (
        [("on_train_begin", None)]
        + _epoch(0)
        + _epoch(1)
        + [("on_train_end", ["accuracy", "loss", "val_accuracy", "val_loss"])]
    )
    assert rec.params == {"verbose": 0, "epochs": 2, "steps": 2}
    rec.events.clear()
    model.evaluate(X, LABELS, batch_size=4, callbacks=[rec], verbose=0)
    keys = ["accuracy", "loss"]
    assert rec.events == [
        ("on_test_begin", None),
        ("on_test_batch_begin", 0, None),
        ("on_test_batch_end", 0, keys),
        ("on_test_batch_begin", 1, None),
        ("on_test_batch_end", 1, keys),
        ("on_test_end", keys),
    ]
    rec.events.clear()
    model.predict(X, batch_size=4, callbacks=[rec], verbose=0)
    assert rec.events == [
        ("on_predict_begin", None),
        ("on_predict_batch_begin", 0, None),
        ("on_predict_batch_end", 0, ["outputs"]),
        ("on_predict_batch_begin", 1, None),
        ("on_predict_batch_end", 1, ["outputs"]),
        ("on_predict_end", None),
    ]
    assert rec.params == {"verbose": 0, "epochs": 1, "steps": 2}


def test_tf1_batch_hooks_are_called_for_training_batches():
    calls = []

    class Old(cbks.Callback):
        def on_batch_begin(self, batch, logs=None):
            calls.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            calls.append(("end", batch, round(logs["loss"], 6)))

    model = make_model()
    history = model.fit(X, LABELS, batch_size=3, epochs=1, shuffle=False, callbacks=[Old()], verbose=0)
    assert [c[:2] for c in calls] == [("begin", 0), ("end", 0), ("begin", 1), ("end", 1)]
    assert calls[-1][2] == round(history.history["loss"][0], 6)


# -- EarlyStopping -----------------------------------------------------------------------------------
def _fit(model, callbacks, epochs):
    return model.fit(X, LABELS, batch_size=6, epochs=epochs, callbacks=callbacks, verbose=0)


def test_early_stopping_patience_counts_epochs_without_improvement(capsys):
    es = cbks.EarlyStopping(monitor="score", patience=2, verbose=1)
    history = _fit(make_model(), [Script([1.0, 0.9, 0.95, 0.97, 0.5, 0.4]), es], epochs=6)
    assert history.epoch == [0, 1, 2, 3]
    assert es.stopped_epoch == 3 and es.best == 0.9 and es.best_epoch == 1
    assert "Epoch 4: early stopping" in capsys.readouterr().out


def test_early_stopping_min_delta_and_mode_max():
    es = cbks.EarlyStopping(monitor="score", patience=1, min_delta=0.05, mode="max")
    history = _fit(make_model(), [Script([0.5, 0.52, 0.6, 0.61, 0.62]), es], epochs=5)
    # 0.52 is no improvement (< 0.05 better): stop at epoch 1; the accuracy-like name would also pick "max"
    assert history.epoch == [0, 1] and es.best == 0.5
    es = cbks.EarlyStopping(monitor="val_accuracy")
    assert es.monitor_op is np.greater


def test_early_stopping_restore_best_weights_restores_them():
    es = cbks.EarlyStopping(monitor="score", patience=2, restore_best_weights=True)
    log = WeightsLog()
    model = make_model(lr=0.5)
    history = _fit(model, [Script([0.8, 0.3, 0.6, 0.7, 0.1]), es, log], epochs=5)
    assert history.epoch == [0, 1, 2, 3]
    for got, want in zip(model.get_weights(), log.weights[1]):
        np.testing.assert_array_equal(got, want)
    assert not np.array_equal(log.weights[1][0], log.weights[3][0])  # training did change them


def test_early_stopping_restores_best_weights_even_without_stopping():
    # As Keras 3 (TF 2.21): restore_best_weights applies at the end of training in any case.
    es = cbks.EarlyStopping(monitor="score", patience=10, restore_best_weights=True)
    log = WeightsLog()
    model = make_model(lr=0.5)
    _fit(model, [Script([0.5, 0.2, 0.9]), es, log], epochs=3)
    assert es.stopped_epoch == 0
    np.testing.assert_array_equal(model.get_weights()[0], log.weights[1][0])


def test_early_stopping_baseline():
    # Improving, but never better than the baseline: Keras keeps going while values improve...
    es = cbks.EarlyStopping(monitor="score", patience=1, baseline=0.1)
    assert _fit(make_model(), [Script([0.9, 0.8, 0.7, 0.6]), es], epochs=4).epoch == [0, 1, 2, 3]
    # ...and stops once they stop improving without having beaten it.
    es = cbks.EarlyStopping(monitor="score", patience=1, baseline=0.1)
    assert _fit(make_model(), [Script([0.9, 0.9, 0.9, 0.9]), es], epochs=4).epoch == [0, 1]
    # Beating the baseline resets the patience counter.
    es = cbks.EarlyStopping(monitor="score", patience=1, baseline=0.5)
    assert _fit(make_model(), [Script([0.4, 0.45, 0.45, 0.45]), es], epochs=4).epoch == [0, 1]
    assert es.best == 0.4


def test_early_stopping_with_an_unknown_monitor_warns_and_continues(capsys):
    es = cbks.EarlyStopping(monitor="val_loss", patience=0)
    assert _fit(make_model(), [es], epochs=2).epoch == [0, 1]
    assert "Early stopping conditioned on metric `val_loss` which is not available" in capsys.readouterr().err


# -- ModelCheckpoint ----------------------------------------------------------------------------------
def test_model_checkpoint_save_best_only_with_formatted_names(tmp_path):
    pattern = str(tmp_path / "ckpt-{epoch:02d}-{score:.2f}")
    mc = cbks.ModelCheckpoint(pattern, monitor="score", mode="min", save_best_only=True, save_weights_only=True)
    log = WeightsLog()
    model = make_model()
    _fit(model, [Script([0.5, 0.7, 0.25, 0.3]), mc, log], epochs=4)
    assert sorted(os.listdir(tmp_path)) == ["ckpt-01-0.50", "ckpt-03-0.25"]
    fresh = ek.keras.Sequential([ek.keras.layers.Dense(2, input_shape=(4,))])
    fresh.load_weights(str(tmp_path / "ckpt-03-0.25")).expect_partial()
    for got, want in zip(fresh.get_weights(), log.weights[2]):
        np.testing.assert_array_equal(got, want)


def test_model_checkpoint_every_epoch_whole_model(tmp_path):
    mc = cbks.ModelCheckpoint(str(tmp_path / "sub" / "model-{epoch}"), monitor="loss")
    model = make_model()
    _fit(model, [mc], epochs=2)
    assert sorted(os.listdir(tmp_path / "sub")) == ["model-1", "model-2"]
    loaded = load_model(str(tmp_path / "sub" / "model-2"))
    np.testing.assert_array_equal(loaded.get_weights()[0], model.get_weights()[0])
    assert int(loaded.optimizer.iterations.numpy()) == 2


def test_model_checkpoint_monitor_val_loss_and_save_freq(tmp_path):
    mc = cbks.ModelCheckpoint(str(tmp_path / "best"), save_best_only=True, save_weights_only=True)
    assert mc.monitor == "val_loss"
    model = make_model()
    model.fit(X, LABELS, epochs=2, validation_data=(X, LABELS), callbacks=[mc], verbose=0)
    assert os.listdir(tmp_path) == ["best"] and mc.best == pytest.approx(model.history.history["val_loss"][-1])
    batches = cbks.ModelCheckpoint(str(tmp_path / "b-{epoch}-{batch}"), save_freq=2, save_weights_only=True)
    model.fit(X, LABELS, batch_size=2, epochs=2, callbacks=[batches], verbose=0)
    assert sorted(p for p in os.listdir(tmp_path) if p.startswith("b-")) == ["b-1-2", "b-2-1", "b-2-3"]
    bad = cbks.ModelCheckpoint(str(tmp_path / "x-{nope}"))
    with pytest.raises(KeyError, match="failed to format filepath .* no field 'nope'"):
        model.fit(X, LABELS, epochs=1, callbacks=[bad], verbose=0)


# -- learning-rate callbacks ---------------------------------------------------------------------------
def test_reduce_lr_on_plateau():
    rl = cbks.ReduceLROnPlateau(monitor="score", factor=0.5, patience=2, cooldown=1, min_lr=0.03, mode="min")
    model = make_model(lr=0.2)
    history = _fit(model, [Script([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]), rl], epochs=7)
    # The values TF 2.21 logs for the same script: each epoch logs the rate it trained with, before the
    # callback acts; reductions after epochs 3, 5 and 7 (2 flat epochs, then 1 of cooldown), floored at 0.03.
    np.testing.assert_allclose(history.history["learning_rate"], [0.2, 0.2, 0.2, 0.1, 0.1, 0.05, 0.05], rtol=1e-6)
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.03)


def test_learning_rate_scheduler_changes_the_step_size():
    # y = 0 regression with kernel 1: one full-batch SGD step moves w by lr * grad; check lr per epoch.
    x = np.ones((4, 1), np.float32)
    model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(1,), use_bias=False, kernel_initializer="ones")])
    model.compile(optimizer=ek.keras.optimizers.SGD(1.0), loss="mse")
    seen = []
    sched = cbks.LearningRateScheduler(lambda epoch, lr: seen.append((epoch, round(lr, 6))) or 0.1 / (epoch + 1))
    log = WeightsLog()
    history = model.fit(x, np.zeros((4, 1), np.float32), batch_size=4, epochs=3, callbacks=[sched, log], verbose=0)
    assert seen == [(0, 1.0), (1, 0.1), (2, 0.05)]
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    w, want = 1.0, []
    for lr in (0.1, 0.05, 0.1 / 3):
        w -= lr * 2 * w  # d/dw mean((w*1)^2) = 2w
        want.append(w)
    np.testing.assert_allclose([float(ws[0][0, 0]) for ws in log.weights], want, rtol=1e-5)
    with pytest.raises(ValueError, match='output of the "schedule" function should be a float'):
        model.fit(x, x, epochs=1, verbose=0, callbacks=[cbks.LearningRateScheduler(lambda e, lr: float("nan"))])


# -- loggers -------------------------------------------------------------------------------------------------
def test_csv_logger_writes_one_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    model = make_model()
    history = model.fit(
        X, LABELS, epochs=2, validation_data=(X, LABELS), callbacks=[cbks.CSVLogger(str(path))], verbose=0
    )
    with open(path) as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [r[0] for r in rows[1:]] == ["0", "1"]
    for i, row in enumerate(rows[1:]):
        assert float(row[2]) == history.history["loss"][i] and float(row[4]) == history.history["val_loss"][i]
    # append=True continues the file without a second header
    model.fit(
        X, LABELS, epochs=1, validation_data=(X, LABELS), callbacks=[cbks.CSVLogger(str(path), append=True)], verbose=0
    )
    with open(path) as f:
        rows = list(csv.reader(f))
    assert [r[0] for r in rows] == ["epoch", "0", "1", "0"]


def test_lambda_callback():
    events = []
    cb = cbks.LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_end=lambda epoch, logs: events.append(("epoch_end", epoch, round(logs["loss"], 5))),
        on_train_batch_end=lambda batch, logs: events.append(("batch_end", batch)),
        on_train_end=lambda logs: events.append("train_end"),
    )
    history = make_model().fit(X, LABELS, batch_size=3, epochs=2, callbacks=[cb], verbose=0)
    assert events == [
        "train_begin",
        ("batch_end", 0),
        ("batch_end", 1),
        ("epoch_end", 0, round(history.history["loss"][0], 5)),
        ("batch_end", 0),
        ("batch_end", 1),
        ("epoch_end", 1, round(history.history["loss"][1], 5)),
        "train_end",
    ]
    with pytest.raises(ValueError, match="LambdaCallback got unknown hook 'on_epoch_ends'"):
        cbks.LambdaCallback(on_epoch_ends=print)


def _read_events(logdir):
    acc = event_accumulator.EventAccumulator(str(logdir), size_guidance={"tensors": 0, "histograms": 0})
    acc.Reload()
    scalars = {}
    for tag in acc.Tags()["tensors"]:
        values = [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]
        if all(v.ndim == 0 for _, v in values):
            scalars[tag] = [(s, float(v)) for s, v in values]
    return scalars, acc.Tags()


def test_tensorboard_callback_writes_readable_event_files(tmp_path):
    model = make_model()
    tb = cbks.TensorBoard(str(tmp_path), update_freq="batch", histogram_freq=1)
    history = model.fit(X, LABELS, batch_size=3, epochs=2, validation_data=(X, LABELS), callbacks=[tb], verbose=0)
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    train, tags = _read_events(tmp_path / "train")
    assert [s for s, _ in train["epoch_loss"]] == [0, 1]
    np.testing.assert_allclose([v for _, v in train["epoch_loss"]], history.history["loss"], rtol=1e-6)
    np.testing.assert_allclose([v for _, v in train["epoch_accuracy"]], history.history["accuracy"], rtol=1e-6)
    assert [s for s, _ in train["batch_loss"]] == [1, 2, 3, 4]
    assert any("kernel" in tag for tag in tags["histograms"] + tags["tensors"])
    val, _ = _read_events(tmp_path / "validation")
    np.testing.assert_allclose([v for _, v in val["epoch_loss"]], history.history["val_loss"], rtol=1e-6)


def test_terminate_on_nan_on_an_infinite_loss(capsys):
    model = make_model(lr=0.0)
    x = X.copy()
    x[2, 0] = np.inf
    history = model.fit(x, LABELS, batch_size=2, epochs=2, shuffle=False, callbacks=[cbks.TerminateOnNaN()], verbose=0)
    assert "Batch 1: Invalid loss, terminating training" in capsys.readouterr().out
    assert history.epoch == [0]


# -- History.plot ------------------------------------------------------------------------------------------
def test_history_plot_writes_curves(tmp_path):
    import matplotlib

    history = make_model().fit(X, LABELS, epochs=3, validation_data=(X, LABELS), verbose=0)
    fig = history.plot(str(tmp_path / "curves.png"))
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    axes = fig.get_axes()
    assert [ax.get_ylabel() for ax in axes] == ["loss", "accuracy"]
    lines = {line.get_label(): line.get_ydata().tolist() for line in axes[0].get_lines()}
    assert lines == {"loss": history.history["loss"], "val_loss": history.history["val_loss"]}
    fig2 = plot_history({"loss": [3.0, 2.0, 1.0]}, metrics=["loss"])
    assert fig2.get_axes()[0].get_lines()[0].get_ydata().tolist() == [3.0, 2.0, 1.0]
    assert matplotlib.get_backend().lower() == "agg"


def test_history_plot_without_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    history = cbks.History()
    history.on_train_begin()
    history.on_epoch_end(0, {"loss": 1.0})
    with pytest.raises(
        ImportError, match=r"Plotting needs matplotlib, an optional extra: pip install 'eagerkit\[plot\]'"
    ):
        history.plot()
