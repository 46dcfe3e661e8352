"""Model.compile / fit / evaluate / predict and the *_on_batch methods.

Values are checked against NumPy: with a full batch, one epoch of SGD is one gradient step
computed by hand; with ``SGD(0.0)`` the weights stay put and the reported losses must equal
the NumPy loss of those weights (sample/class weights, regularization, multiple outputs).
"""

import io
import os
import sys

import numpy as np
import pytest

import eagerkit as ek
from eagerkit._src.core.errors import InvalidArgumentError

RNG = np.random.default_rng(0)
X = RNG.normal(size=(12, 3)).astype(np.float32)
W_TRUE = np.array([[1.0], [-2.0], [0.5]], np.float32)
Y = X @ W_TRUE + 0.3
LABELS = np.array([0, 1, 2, 1, 0, 2, 2, 1, 0, 0, 1, 2])
K0 = RNG.normal(size=(3, 1)).astype(np.float32) * 0.1
K3 = RNG.normal(size=(3, 3)).astype(np.float32) * 0.5
B3 = np.array([0.1, -0.2, 0.05], np.float32)


def regressor(lr=0.1, **compile_kwargs):
    model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(3,))])
    model.set_weights([K0, np.zeros(1, np.float32)])
    model.compile(optimizer=ek.keras.optimizers.SGD(lr), loss="mse", **compile_kwargs)
    return model


def classifier(lr=0.0, **compile_kwargs):
    model = ek.keras.Sequential([ek.keras.layers.Dense(3, input_shape=(3,))])
    model.set_weights([K3, B3])
    compile_kwargs.setdefault("loss", ek.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.compile(optimizer=ek.keras.optimizers.SGD(lr), **compile_kwargs)
    return model


def np_sparse_ce(logits, labels):
    logits = logits - logits.max(axis=1, keepdims=True)
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return -log_probs[np.arange(len(labels)), labels]


def np_mse_step(kernel, bias, x, y, lr):
    err = x @ kernel + bias - y
    return kernel - lr * 2 * x.T @ err / len(x), bias - lr * 2 * err.mean(axis=0), float((err**2).mean())


# -- fit on every kind of input ----------------------------------------------------------------------
def test_full_batch_epoch_is_one_sgd_step():
    model = regressor(lr=0.1)
    history = model.fit(X, Y, batch_size=12, epochs=2, shuffle=False, verbose=0)
    k, b = K0, np.zeros(1, np.float32)
    losses = []
    for _ in range(2):
        k, b, loss = np_mse_step(k, b, X, Y, 0.1)
        losses.append(loss)
    assert history.epoch == [0, 1]
    assert list(history.history) == ["loss"]
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-5)
    np.testing.assert_allclose(model.get_weights()[0], k, rtol=1e-5)
    np.testing.assert_allclose(model.get_weights()[1], b, rtol=1e-5, atol=1e-7)
    assert int(model.optimizer.iterations.numpy()) == 2
    assert model.history is history
    # evaluate reports the MSE of the final weights
    assert model.evaluate(X, Y, verbose=0) == pytest.approx(float(((X @ k + b - Y) ** 2).mean()), rel=1e-5)


def _batches():
    for i in range(0, 12, 4):
        yield X[i : i + 4], Y[i : i + 4]


@pytest.mark.parametrize(
    "make_input",
    [
        pytest.param(lambda: ((ek.constant(X), ek.constant(Y)), {}), id="tensors"),
        pytest.param(lambda: ((ek.data.Dataset.from_tensor_slices((X, Y)).batch(4),), {}), id="dataset"),
        pytest.param(lambda: ((_batches(),), {"epochs": 1}), id="generator"),
        pytest.param(lambda: (([X[:, :1], X[:, 1:]],), {}), id="list-input"),
    ],
)
def test_inputs_of_every_kind_train_identically_to_numpy_arrays(make_input):
    args, extra = make_input()
    reference = regressor()
    want = reference.fit(X, Y, batch_size=4, epochs=extra.get("epochs", 2), shuffle=False, verbose=0).history
    if len(args) == 1 and isinstance(args[0], list):  # a two-input functional model on split columns
        a, b = ek.keras.Input((1,)), ek.keras.Input((2,))
        out = ek.keras.layers.Dense(1)(ek.keras.layers.Concatenate()([a, b]))
        model = ek.keras.Model([a, b], out)
        model.set_weights([K0, np.zeros(1, np.float32)])
        model.compile(optimizer=ek.keras.optimizers.SGD(0.1), loss="mse")
        args = (args[0], Y)
    else:
        model = regressor()
    kwargs = {"batch_size": 4} if not isinstance(args[0], (ek.data.Dataset,)) and len(args) == 2 else {}
    got = model.fit(*args, epochs=extra.get("epochs", 2), shuffle=False, verbose=0, **kwargs).history
    np.testing.assert_allclose(got["loss"], want["loss"], rtol=1e-5)
    np.testing.assert_allclose(model.get_weights()[0], reference.get_weights()[0], rtol=1e-5)


def test_generator_runs_out_of_data_after_its_first_epoch(capsys):
    model = regressor()
    history = model.fit(_batches(), epochs=3, verbose=0)
    assert history.epoch == [0]
    assert "Your input ran out of data; interrupting training" in capsys.readouterr().err


def test_steps_per_epoch_with_a_repeated_dataset_and_with_arrays():
    model = regressor()
    ds = ek.data.Dataset.from_tensor_slices((X, Y)).batch(4).repeat()
    model.fit(ds, steps_per_epoch=5, epochs=2, verbose=0)
    assert int(model.optimizer.iterations.numpy()) == 10
    model.fit(X, Y, batch_size=4, steps_per_epoch=2, epochs=3, verbose=0)
    assert int(model.optimizer.iterations.numpy()) == 16


def test_shuffle_visits_every_sample_once_per_epoch_in_a_new_order():
    seen = []

    class Recorder(ek.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = ek.keras.layers.Dense(1)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            x, y = data
            seen.append(np.asarray(x)[:, 0].copy())
            return super().train_step(data)

    ids = np.arange(12, dtype=np.float32)[:, None]
    model = Recorder()
    model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
    model.fit(ids, ids, batch_size=5, epochs=2, shuffle=False, verbose=0)
    assert [len(s) for s in seen] == [5, 5, 2, 5, 5, 2]
    np.testing.assert_array_equal(np.concatenate(seen[:3]), np.arange(12))
    orders = []
    for _ in range(2):
        seen.clear()
        ek.random.set_seed(3)
        model.fit(ids, ids, batch_size=4, epochs=2, shuffle=True, verbose=0)
        orders.append([np.concatenate(seen[:3]).tolist(), np.concatenate(seen[3:]).tolist()])
    first, second = orders[0]
    assert sorted(first) == sorted(second) == list(range(12))
    assert first != list(range(12)) and first != second
    assert orders[1] == orders[0]  # ek.random.set_seed fixes the order, as tf.random.set_seed does


# -- validation ----------------------------------------------------------------------------------------
def test_validation_split_uses_the_last_fraction_before_shuffling():
    model = regressor(lr=0.1)
    history = model.fit(X, Y, batch_size=9, epochs=1, validation_split=0.25, shuffle=True, verbose=0)
    # training saw only the first 9 rows, in one full batch
    k, b, loss = np_mse_step(K0, np.zeros(1, np.float32), X[:9], Y[:9], 0.1)
    np.testing.assert_allclose(model.get_weights()[0], k, rtol=1e-5)
    assert history.history["loss"] == [pytest.approx(loss, rel=1e-5)]
    # validation is the last 3 rows, after the epoch's update
    val = float(((X[9:] @ k + b - Y[9:]) ** 2).mean())
    assert history.history["val_loss"] == [pytest.approx(val, rel=1e-5)]


def test_validation_data_and_validation_freq():
    model = regressor(metrics=["mae"])
    seen = []
    cb = ek.keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(sorted(logs)))
    history = model.fit(
        X[:8],
        Y[:8],
        batch_size=4,
        epochs=4,
        validation_data=(X[8:], Y[8:]),
        validation_freq=2,
        callbacks=[cb],
        verbose=0,
    )
    assert seen == [["loss", "mae"], ["loss", "mae", "val_loss", "val_mae"]] * 2
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 2
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(X[8:], Y[8:], verbose=0)[0], rel=1e-6)


def test_validation_data_as_a_dataset_and_with_sample_weights():
    model = regressor(lr=0.0)
    ds = ek.data.Dataset.from_tensor_slices((X[8:], Y[8:])).batch(2)
    history = model.fit(X[:8], Y[:8], epochs=1, validation_data=ds, verbose=0)
    err = (X[8:] @ K0 - Y[8:]) ** 2
    assert history.history["val_loss"] == [pytest.approx(float(err.mean()), rel=1e-5)]
    sw = np.array([1.0, 0.0, 2.0, 1.0], np.float32)
    history = model.fit(X[:8], Y[:8], epochs=1, validation_data=(X[8:], Y[8:], sw), verbose=0)
    assert history.history["val_loss"] == [pytest.approx(float((err[:, 0] * sw).mean()), rel=1e-5)]


# -- sample_weight / class_weight ----------------------------------------------------------------------------
def test_sample_weight_and_class_weight_scale_the_loss_but_not_plain_metrics():
    ce = np_sparse_ce(X @ K3 + B3, LABELS)
    correct = (np.argmax(X @ K3 + B3, axis=1) == LABELS).astype(np.float32)
    model = classifier(metrics=["accuracy"], weighted_metrics=["accuracy"])
    sw = np.linspace(0.0, 2.0, 12).astype(np.float32)
    logs = model.fit(X, LABELS, sample_weight=sw, batch_size=12, epochs=1, verbose=0).history
    assert logs["loss"] == [pytest.approx(float((ce * sw).mean()), rel=1e-5)]
    assert logs["accuracy"] == [pytest.approx(float(correct.mean()))]
    assert logs["weighted_accuracy"] == [pytest.approx(float((correct * sw).sum() / sw.sum()), rel=1e-5)]

    class_weight = {0: 1.0, 1: 0.0, 2: 3.0}
    cw = np.array([class_weight[int(c)] for c in LABELS], np.float32)
    logs = model.fit(X, LABELS, class_weight=class_weight, batch_size=5, epochs=1, verbose=0).history
    # the epoch loss is the batch losses averaged with the batch sizes as weights: the per-sample mean
    assert logs["loss"] == [pytest.approx(float((ce * cw).mean()), rel=1e-5)]
    assert logs["accuracy"] == [pytest.approx(float(correct.mean()))]
    assert logs["weighted_accuracy"] == [pytest.approx(float((correct * cw).sum() / cw.sum()), rel=1e-5)]
    result = model.evaluate(X, LABELS, sample_weight=sw, batch_size=5, verbose=0, return_dict=True)
    assert result["loss"] == pytest.approx(float((ce * sw).mean()), rel=1e-5)


def test_class_weight_from_a_dataset():
    model = classifier()
    ds = ek.data.Dataset.from_tensor_slices((X, LABELS)).batch(6)
    class_weight = {0: 2.0, 1: 1.0, 2: 0.5}
    cw = np.array([class_weight[int(c)] for c in LABELS], np.float32)
    logs = model.fit(ds, class_weight=class_weight, epochs=1, verbose=0).history
    ce = np_sparse_ce(X @ K3 + B3, LABELS)
    assert logs["loss"] == [pytest.approx(float((ce * cw).mean()), rel=1e-5)]


# -- epochs, History, evaluate, predict ---------------------------------------------------------------------
def test_initial_epoch_and_history_contents():
    model = regressor(metrics=["mae", "mse"])
    epochs = []
    cb = ek.keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: epochs.append(epoch))
    history = model.fit(X, Y, batch_size=6, epochs=4, initial_epoch=2, callbacks=[cb], verbose=0)
    assert epochs == [2, 3] and history.epoch == [2, 3]
    assert list(history.history) == ["loss", "mae", "mse"]
    assert all(isinstance(v, float) for v in history.history["loss"])
    np.testing.assert_allclose(history.history["loss"], history.history["mse"], rtol=1e-6)
    assert history.params == {"verbose": 0, "epochs": 4, "steps": 2}
    assert history.history["loss"][1] < history.history["loss"][0]


def test_evaluate_returns_scalar_list_or_dict():
    model = classifier(metrics=["accuracy"])
    ce = np_sparse_ce(X @ K3 + B3, LABELS)
    acc = float((np.argmax(X @ K3 + B3, axis=1) == LABELS).mean())
    loss, accuracy = model.evaluate(X, LABELS, batch_size=5, verbose=0)
    assert loss == pytest.approx(float(ce.mean()), rel=1e-5) and accuracy == pytest.approx(acc)
    assert model.evaluate(X, LABELS, verbose=0, return_dict=True) == {
        "loss": pytest.approx(float(ce.mean()), rel=1e-5),
        "accuracy": pytest.approx(acc),
    }
    assert model.metrics_names == ["loss", "accuracy"]
    assert isinstance(regressor().evaluate(X, Y, verbose=0), float)


def test_predict_concatenates_batches_as_numpy():
    model = classifier()
    out = model.predict(X, batch_size=5, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (12, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out, X @ K3 + B3, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(ek.data.Dataset.from_tensor_slices(X).batch(7), verbose=0), out)
    # an uncompiled functional model with two outputs (a dict) predicts too
    inp = ek.keras.Input((3,))
    two = ek.keras.Model(inp, {"a": ek.keras.layers.Dense(2)(inp), "b": ek.keras.layers.Dense(4)(inp)})
    outs = two.predict(X, batch_size=8, verbose=0)
    assert sorted(outs) == ["a", "b"] and outs["a"].shape == (12, 2) and outs["b"].shape == (12, 4)


def test_on_batch_methods():
    model = classifier(lr=0.5, metrics=["accuracy"])
    ce = np_sparse_ce(X @ K3 + B3, LABELS)
    # train_on_batch reports the loss of the weights it started from, then updates them
    loss, acc = model.train_on_batch(X, LABELS)
    assert loss == pytest.approx(float(ce.mean()), rel=1e-5)
    k, b = model.get_weights()
    assert not np.allclose(k, K3)
    logs = model.test_on_batch(X, LABELS, return_dict=True)
    assert logs["loss"] == pytest.approx(float(np_sparse_ce(X @ k + b, LABELS).mean()), rel=1e-5)
    assert set(logs) == {"loss", "accuracy"}
    np.testing.assert_allclose(model.predict_on_batch(X[:4]), X[:4] @ k + b, rtol=1e-5, atol=1e-6)
    assert int(model.optimizer.iterations.numpy()) == 1


# -- custom training steps ----------------------------------------------------------------------------------
class TF24Style(ek.keras.Model):
    """The TF 2.4 guide "Customizing what happens in fit": compiled_loss / compiled_metrics."""

    def train_step(self, data):
        x, y = data
        with ek.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class Keras3Style(ek.keras.Model):
    """Keras 3's guide: own trackers as attributes, returned from ``metrics``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = ek.keras.metrics.Mean(name="loss")
        self.mae_metric = ek.keras.metrics.MeanAbsoluteError(name="mae")

    def train_step(self, data):
        x, y = data
        with ek.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = ek.reduce_mean(ek.square(y - y_pred))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        self.loss_tracker.update_state(ek.reduce_mean(ek.square(y - y_pred)))
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


@pytest.mark.parametrize("cls, compile_kwargs", [(TF24Style, {"loss": "mse", "metrics": ["mae"]}), (Keras3Style, {})])
def test_overridden_train_step_matches_the_built_in_one(cls, compile_kwargs):
    inputs = ek.keras.Input((3,))
    model = cls(inputs, ek.keras.layers.Dense(1)(inputs))
    model.set_weights([K0, np.zeros(1, np.float32)])
    model.compile(optimizer=ek.keras.optimizers.SGD(0.1), **compile_kwargs)
    history = model.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    reference = regressor(metrics=["mae"])
    want = reference.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]
    for key in ("loss", "mae"):
        np.testing.assert_allclose(history.history[key], want.history[key], rtol=1e-5)
    np.testing.assert_allclose(model.get_weights()[0], reference.get_weights()[0], rtol=1e-5)
    # metrics are reset at each epoch start: evaluate reports only its own data
    result = model.evaluate(X[:4], Y[:4], verbose=0, return_dict=True)
    assert result["loss"] == pytest.approx(reference.evaluate(X[:4], Y[:4], verbose=0)[0], rel=1e-5)


def test_run_eagerly_gives_the_same_losses_as_compiled_steps():
    histories = []
    for eager in (False, True):
        model = classifier(lr=0.0, metrics=["accuracy"], run_eagerly=eager)
        model.compile(
            optimizer=ek.keras.optimizers.Adam(0.05),
            loss=ek.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
            run_eagerly=eager,
        )
        histories.append(model.fit(X, LABELS, batch_size=5, epochs=3, shuffle=False, verbose=0).history)
        assert model.run_eagerly is eager
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(histories[0][key], histories[1][key], rtol=1e-5)
    assert histories[0]["loss"][-1] < histories[0]["loss"][0]


# -- multiple outputs, regularization, identifiers ----------------------------------------------------------------
def test_multiple_outputs_with_loss_weights():
    inputs = ek.keras.Input((3,))
    cls_out = ek.keras.layers.Dense(3, name="cls")(inputs)
    reg_out = ek.keras.layers.Dense(1, name="reg")(inputs)
    model = ek.keras.Model(inputs, [cls_out, reg_out])
    model.set_weights([K3, B3, K0, np.zeros(1, np.float32)])
    model.compile(
        optimizer=ek.keras.optimizers.SGD(0.0),
        loss=[ek.keras.losses.SparseCategoricalCrossentropy(from_logits=True), "mse"],
        loss_weights=[1.0, 0.5],
        metrics=[["accuracy"], ["mae"]],
    )
    ce = float(np_sparse_ce(X @ K3 + B3, LABELS).mean())
    mse = float(((X @ K0 - Y) ** 2).mean())
    history = model.fit(X, [LABELS, Y], batch_size=12, epochs=1, verbose=0).history
    assert history["loss"] == [pytest.approx(ce + 0.5 * mse, rel=1e-5)]
    assert history["cls_loss"] == [pytest.approx(ce, rel=1e-5)]
    assert history["reg_loss"] == [pytest.approx(mse, rel=1e-5)]
    assert history["cls_accuracy"] == [pytest.approx(float((np.argmax(X @ K3 + B3, 1) == LABELS).mean()))]
    assert history["reg_mae"] == [pytest.approx(float(np.abs(X @ K0 - Y).mean()), rel=1e-5)]
    values = model.evaluate(X, [LABELS, Y], verbose=0)
    assert model.metrics_names == ["loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae"]
    assert values[0] == pytest.approx(ce + 0.5 * mse, rel=1e-5)
    with pytest.raises(ValueError, match="`class_weight` is only supported for models with a single output"):
        model.fit(X, [LABELS, Y], class_weight={0: 1.0}, verbose=0)


def test_dict_outputs_with_dict_losses_weights_and_metrics():
    inputs = ek.keras.Input((3,))
    model = ek.keras.Model(inputs, {"cls": ek.keras.layers.Dense(3)(inputs), "reg": ek.keras.layers.Dense(1)(inputs)})
    model.set_weights([K3, B3, K0, np.zeros(1, np.float32)])
    model.compile(
        optimizer=ek.keras.optimizers.SGD(0.0),
        loss={"cls": ek.keras.losses.SparseCategoricalCrossentropy(from_logits=True), "reg": "mse"},
        loss_weights={"cls": 2.0, "reg": 1.0},
        metrics={"cls": "accuracy"},
    )
    history = model.fit(X, {"cls": LABELS, "reg": Y}, batch_size=6, epochs=1, verbose=0).history
    ce = float(np_sparse_ce(X @ K3 + B3, LABELS).mean())
    mse = float(((X @ K0 - Y) ** 2).mean())
    assert sorted(history) == ["cls_accuracy", "cls_loss", "loss", "reg_loss"]
    assert history["loss"] == [pytest.approx(2 * ce + mse, rel=1e-5)]
    with pytest.raises(
        ValueError, match=r"keys \['clz'\] that match no model output; output names are \['cls', 'reg'\]"
    ):
        model.compile(optimizer="sgd", loss={"clz": "mse"})
        model.fit(X, {"cls": LABELS, "reg": Y}, verbose=0)


def test_regularization_losses_are_part_of_the_loss():
    model = ek.keras.Sequential(
        [ek.keras.layers.Dense(3, input_shape=(3,), kernel_regularizer=ek.keras.regularizers.l2(0.1))]
    )
    model.set_weights([K3, B3])
    model.compile(optimizer=ek.keras.optimizers.SGD(0.0), loss=ek.keras.losses.SparseCategoricalCrossentropy(True))
    want = float(np_sparse_ce(X @ K3 + B3, LABELS).mean()) + 0.1 * float((K3**2).sum())
    assert model.fit(X, LABELS, batch_size=12, verbose=0).history["loss"] == [pytest.approx(want, rel=1e-5)]
    assert model.evaluate(X, LABELS, verbose=0) == pytest.approx(want, rel=1e-5)


@pytest.mark.parametrize(
    "loss, y, metric, metric_classes",
    [
        (
            "sparse_categorical_crossentropy",
            LABELS,
            "sparse_top_k_categorical_accuracy",
            ["SparseCategoricalAccuracy", "SparseTopKCategoricalAccuracy"],
        ),
        (
            "categorical_crossentropy",
            np.eye(3, dtype=np.float32)[LABELS],
            "mae",
            ["CategoricalAccuracy", "MeanAbsoluteError"],
        ),
        (
            "binary_crossentropy",
            (LABELS == 1).astype(np.float32)[:, None],
            "mse",
            ["BinaryAccuracy", "MeanSquaredError"],
        ),
    ],
)
def test_string_identifiers(loss, y, metric, metric_classes):
    units = 1 if loss.startswith("binary") else 3
    activation = "sigmoid" if units == 1 else "softmax"
    model = ek.keras.Sequential([ek.keras.layers.Dense(units, activation=activation, input_shape=(3,))])
    model.compile("adam", loss, ["accuracy", metric])
    assert type(model.optimizer).__name__ == "Adam"
    history = model.fit(X, y, batch_size=6, epochs=1, verbose=0).history
    assert sorted(history) == sorted(["accuracy", "loss", metric])
    assert [type(m).__name__ for m in model.metrics] == ["Mean", *metric_classes]
    pred = model.predict(X, verbose=0)
    if units == 1:
        acc = ((pred > 0.5).astype(np.float32) == y).mean()
    else:
        acc = (pred.argmax(1) == (y.argmax(1) if y.ndim == 2 else y)).mean()
    assert model.evaluate(X, y, verbose=0, return_dict=True)["accuracy"] == pytest.approx(float(acc))


def test_unknown_identifiers_fail_at_compile():
    model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(3,))])
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 'adamm'"):
        model.compile("adamm", "mse")
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        model.compile("sgd", "mean_squared_eror")


# -- bad input ----------------------------------------------------------------------------------------------------
def test_mismatched_lengths_list_the_sizes():
    model = regressor()
    with pytest.raises(ValueError, match=r"(?s)Data cardinality is ambiguous.*'x' sizes: 12.*'y' sizes: 10"):
        model.fit(X, Y[:10], verbose=0)
    with pytest.raises(ValueError, match=r"'sample_weight' sizes: 5"):
        model.fit(X, Y, sample_weight=np.ones(5), verbose=0)


def test_uncompiled_model_says_to_compile():
    model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(3,))])
    for call in (lambda: model.fit(X, Y), lambda: model.evaluate(X, Y), lambda: model.train_on_batch(X, Y)):
        with pytest.raises(RuntimeError, match=r"You must compile your model before training/testing.*model.compile"):
            call()


def test_out_of_range_sparse_labels_raise_in_eager_mode():
    model = classifier(run_eagerly=True)
    bad = LABELS.copy()
    bad[4] = 7
    with pytest.raises(InvalidArgumentError, match=r"label value of 7 which is outside the valid range of \[0, 3\)"):
        model.fit(X, bad, batch_size=12, verbose=0)


def test_out_of_range_sparse_labels_give_nan_when_compiled():
    # Documented behaviour inside ek.function (as TF on GPU): no check, the loss is NaN.
    model = classifier()
    bad = LABELS.copy()
    bad[0] = 7
    assert np.isnan(model.fit(X, bad, batch_size=12, verbose=0).history["loss"][0])


def test_nan_loss_with_terminate_on_nan_stops_and_names_the_batch(capsys):
    model = regressor()
    y = Y.copy()
    y[7] = np.nan
    history = model.fit(
        X, y, batch_size=2, epochs=3, shuffle=False, callbacks=[ek.keras.callbacks.TerminateOnNaN()], verbose=0
    )
    assert "Batch 3: Invalid loss, terminating training" in capsys.readouterr().out
    assert history.epoch == [0] and np.isnan(history.history["loss"][0])
    assert int(model.optimizer.iterations.numpy()) == 4  # batches 0..3 ran, then training stopped


def test_bad_arguments():
    model = regressor()
    with pytest.raises(TypeError, match=r"fit\(\) got unexpected keyword arguments: \['epoch'\]"):
        model.fit(X, Y, epoch=2)
    with pytest.raises(ValueError, match="`validation_split` is only supported for NumPy arrays and Tensors"):
        model.fit(ek.data.Dataset.from_tensor_slices((X, Y)).batch(4), validation_split=0.5, verbose=0)
    with pytest.raises(ValueError, match="`y` argument is not supported when using a dataset"):
        model.fit(ek.data.Dataset.from_tensor_slices(X).batch(4), Y, verbose=0)
    with pytest.raises(TypeError, match="must be ek.keras.callbacks.Callback instances"):
        model.fit(X, Y, callbacks=[print], verbose=0)


# -- real data ---------------------------------------------------------------------------------------------------
def _mnist_test_split():
    from eagerkit._src.datasets import mnist

    root = os.environ.get("EAGERKIT_DATASETS") or os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared", "data"
    )
    old = os.environ.get("EAGERKIT_DATASETS")
    os.environ["EAGERKIT_DATASETS"] = os.path.abspath(root)
    try:
        return mnist.load_test_split()
    finally:
        if old is None:
            del os.environ["EAGERKIT_DATASETS"]
        else:
            os.environ["EAGERKIT_DATASETS"] = old


def test_mlp_on_real_mnist_reaches_93_percent_validation_accuracy(capsys):
    images, labels = _mnist_test_split()
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    x = images.reshape(-1, 784).astype(np.float32) / 255.0
    y = labels.astype(np.int64)
    ek.random.set_seed(0)
    model = ek.keras.Sequential(
        [
            ek.keras.layers.Dense(128, activation="relu", input_shape=(784,)),
            ek.keras.layers.Dense(10),
        ]
    )
    model.compile(
        optimizer=ek.keras.optimizers.Adam(2e-3),
        loss=ek.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    stream = io.StringIO()
    sys.stdout, saved = stream, sys.stdout
    try:
        history = model.fit(
            x[:8000], y[:8000], batch_size=64, epochs=4, validation_data=(x[8000:], y[8000:]), verbose=2
        )
    finally:
        sys.stdout = saved
    val_acc = history.history["val_accuracy"]
    assert val_acc[-1] >= 0.93, val_acc
    print("val_accuracy per epoch", val_acc)
    assert history.history["accuracy"][-1] > history.history["accuracy"][0]
    lines = stream.getvalue().splitlines()
    assert lines[0] == "Epoch 1/4" and lines[1].startswith("125/125 - ") and "val_accuracy: " in lines[1]
    pred = model.predict(x[8000:], batch_size=500, verbose=0)
    assert float((pred.argmax(1) == y[8000:]).mean()) == pytest.approx(val_acc[-1], abs=1e-6)
