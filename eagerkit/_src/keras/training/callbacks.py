"""Keras callbacks (``ek.keras.callbacks``).

Hooks fire in Keras' order: ``on_train_begin``, then per epoch ``on_epoch_begin``,
``on_train_batch_begin``/``end`` for each step, the validation run
(``on_test_begin``/``on_test_batch_*``/``on_test_end``), ``on_epoch_end``; finally
``on_train_end``.

>>> from eagerkit._src.keras.training.callbacks import History
>>> h = History()
>>> h.on_train_begin(); h.on_epoch_end(0, {"loss": 1.0}); h.history
{'loss': [1.0]}
"""

from __future__ import annotations

import csv
import math
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from eagerkit._src.keras.training.progbar import Progbar

_HOOKS = (
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
)


class Callback:
    """Base class: override any hook. ``self.model`` and ``self.params`` are set by ``fit``.

    >>> import eagerkit as ek
    >>> class PrintLoss(ek.keras.callbacks.Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(f"epoch {epoch}: loss {logs['loss']:.2f}")
    >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, kernel_initializer="zeros")])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> _ = model.fit(ek.ones([4, 2]), ek.ones([4, 1]), epochs=2, verbose=0, callbacks=[PrintLoss()])
    epoch 0: loss 1.00
    epoch 1: loss 0.88
    """

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: dict | None = None) -> None: ...
    def on_train_end(self, logs: dict | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_test_begin(self, logs: dict | None = None) -> None: ...
    def on_test_end(self, logs: dict | None = None) -> None: ...
    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_begin(self, logs: dict | None = None) -> None: ...
    def on_predict_end(self, logs: dict | None = None) -> None: ...
    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None: ...

    # TF 1 / Keras 2 names: the default train-batch hooks forward to them, as in tf.keras.
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: dict | None = None) -> None: ...

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_end(batch, logs=logs)


class CallbackList:
    """Dispatches each hook to every callback in order.

    ``fit`` adds a ``History`` (and, when verbose, a ``ProgbarLogger``) after the user's
    callbacks unless they passed their own, as tf.keras does, so values that callbacks add
    to the epoch logs (e.g. ``learning_rate``) are recorded.

    >>> import eagerkit as ek
    >>> seen = []
    >>> cb = ek.keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    >>> callbacks = ek.keras.callbacks.CallbackList([cb], model=None, params={})
    >>> callbacks.on_epoch_end(0, {"loss": 1.0})
    >>> seen
    [0]
    """

    def __init__(
        self,
        callbacks: Iterable[Callback] | None,
        model: Any,
        params: dict[str, Any],
        add_history: bool = False,
        add_progbar: bool = False,
    ) -> None:
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be ek.keras.callbacks.Callback instances, got {type(cb).__name__}")
        self.history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        if self.history is None and add_history:
            self.history = History()
            self.callbacks.append(self.history)
        if add_progbar and not any(isinstance(cb, ProgbarLogger) for cb in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)

    def __getattr__(self, name: str) -> Callable:
        if name not in _HOOKS:
            raise AttributeError(name)

        takes_index = "batch" in name or "epoch" in name

        def dispatch(*args: Any) -> None:
            # Every hook receives its logs positionally (None when there are none), as in tf.keras.
            if takes_index:
                args = (args[0], args[1] if len(args) > 1 else None)
            else:
                args = (args[0] if args else None,)
            for cb in self.callbacks:
                getattr(cb, name)(*args)

        return dispatch


class History(Callback):
    """Records epoch-end logs; ``fit`` returns it (``history.history['loss']``).

    >>> import eagerkit as ek
    >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> history = model.fit(ek.ones([4, 2]), ek.ones([4, 1]), epochs=3, verbose=0)
    >>> isinstance(history, ek.keras.callbacks.History)
    True
    >>> history.epoch, sorted(history.history)
    ([0, 1, 2], ['loss'])
    """

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        if self.model is not None:
            self.model.history = self

    def plot(self, path: str | None = None, metrics: Iterable[str] | None = None) -> Any:
        """Plots curves with matplotlib (optional extra ``eagerkit[plot]``); saves to ``path`` if given."""
        from eagerkit._src.keras.training.plotting import plot_history

        return plot_history(self, path=path, metrics=metrics)


class ProgbarLogger(Callback):
    """Prints a progress bar per epoch (verbose=1) or one line per epoch (verbose=2).

    The logs ``fit`` passes are already epoch averages, so they are shown as they are; a
    standalone ``evaluate``/``predict`` shows one bar for the whole run.

    >>> import eagerkit as ek
    >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, kernel_initializer="zeros")])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> _ = model.fit(ek.ones([4, 2]), ek.ones([4, 1]), epochs=1, verbose=2)  # fit adds a ProgbarLogger
    1/1 - ...s - ...s/step - loss: 1.0000
    """

    def __init__(self, count_mode: str = "steps", stateful_metrics: Any = None, stream: Any = None) -> None:
        super().__init__()
        if count_mode != "steps":
            raise ValueError(f"ProgbarLogger supports count_mode='steps' only, got {count_mode!r}")
        self.stream = stream
        self._bar: Progbar | None = None
        self._in_fit = False
        self._step = 0

    def _new_bar(self) -> None:
        self._bar = Progbar(self.params.get("steps"), verbose=self.verbose, stream=self.stream or sys.stdout)
        self._step = 0

    def _update(self, batch: int, logs: dict | None, finalize: bool = False) -> None:
        if self._bar is None:
            return
        self._step = batch + 1 if batch >= 0 else self._step
        values = [(k, v) for k, v in (logs or {}).items() if np.ndim(v) == 0]
        self._bar.stateful_metrics.update(k for k, _ in values)
        if finalize:
            self._bar.update(self._step, values, finalize=True)
            self._bar = None
        elif self.verbose == 1:
            self._bar.update(self._step, values, finalize=False)

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.verbose = self.params.get("verbose", 1)
        self.epochs = self.params.get("epochs", 1)
        self._in_fit = True

    def on_train_end(self, logs: dict | None = None) -> None:
        self._in_fit = False

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self.verbose:
            stream = self.stream or sys.stdout
            if self.epochs > 1:
                stream.write(f"Epoch {epoch + 1}/{self.epochs}\n")
                stream.flush()
            self._new_bar()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._update(batch, logs)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._update(-1, logs, finalize=True)

    def on_test_begin(self, logs: dict | None = None) -> None:
        if not self._in_fit:
            self.verbose = self.params.get("verbose", 1)
            if self.verbose:
                self._new_bar()

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if not self._in_fit:
            self._update(batch, logs)

    def on_test_end(self, logs: dict | None = None) -> None:
        if not self._in_fit:
            self._update(-1, logs, finalize=True)

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self.verbose = self.params.get("verbose", 1)
        if self.verbose:
            self._new_bar()

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._update(batch, None)

    def on_predict_end(self, logs: dict | None = None) -> None:
        self._update(-1, None, finalize=True)


def _monitor_op(mode: str, monitor: str) -> Callable[[float, float], bool]:
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "max" or (
        mode == "auto"
        and ("acc" in monitor or monitor.endswith("auc") or "precision" in monitor or "recall" in monitor)
    ):
        return np.greater
    return np.less


class EarlyStopping(Callback):
    """Stops training when ``monitor`` has not improved for ``patience`` epochs (tf.keras semantics).

    An improvement is a change of more than ``min_delta`` in the right direction (``mode``:
    "min", "max", or "auto" = "max" for accuracy-like names). With ``baseline``, the wait
    counter only restarts once the value beats the baseline. With ``restore_best_weights``,
    the weights of the best epoch are put back when training ends.

    >>> import eagerkit as ek
    >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1)])
    >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.0), loss="mse")  # the loss never improves
    >>> stop = ek.keras.callbacks.EarlyStopping(monitor="loss", patience=1)
    >>> history = model.fit(ek.ones([4, 2]), ek.ones([4, 1]), epochs=10, verbose=0, callbacks=[stop])
    >>> len(history.history["loss"]), stop.stopped_epoch
    (2, 1)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.monitor_op = _monitor_op(mode, monitor)
        self.min_delta = abs(min_delta) if self.monitor_op == np.greater else -abs(min_delta)
        self.wait = 0
        self.stopped_epoch = 0
        self.best: float | None = None
        self.best_weights: Any = None
        self.best_epoch = 0

    def _is_improvement(self, value: float, reference: float | None) -> bool:
        return reference is None or bool(self.monitor_op(value - self.min_delta, reference))

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        current = (logs or {}).get(self.monitor)
        if current is None:
            available = ", ".join(sorted(logs or {}))
            print(
                f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {available}",
                file=sys.stderr,
            )
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Saves the model (or its weights) every epoch or only when ``monitor`` improves.

    >>> import os, shutil, tempfile
    >>> import eagerkit as ek
    >>> directory = tempfile.mkdtemp()
    >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> path = os.path.join(directory, "w-{epoch}.weights.h5")
    >>> save = ek.keras.callbacks.ModelCheckpoint(path, save_weights_only=True)
    >>> _ = model.fit(ek.ones([4, 2]), ek.ones([4, 1]), epochs=2, verbose=0, callbacks=[save])
    >>> sorted(os.listdir(directory))
    ['w-1.weights.h5', 'w-2.weights.h5']
    >>> shutil.rmtree(directory)
    """

    def __init__(
        self,
        filepath: str,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor, self.verbose = monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.monitor_op = _monitor_op(mode, monitor)
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(f"save_freq must be 'epoch' or a positive int, got {save_freq!r}")
        self.save_freq = save_freq
        self.best = (
            initial_value_threshold
            if initial_value_threshold is not None
            else (np.inf if self.monitor_op == np.less else -np.inf)
        )
        self._batches = 0
        self._epoch = 0

    def _file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as e:
            raise KeyError(
                f"ModelCheckpoint: failed to format filepath {self.filepath!r}: no field {e} in the logs; "
                f"available fields: {sorted(fields)}"
            ) from None

    def _save(self, epoch: int, logs: dict, batch: int | None = None) -> None:
        path = self._file_path(epoch, batch, logs)
        parent = os.path.dirname(path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                print(f"Can save best model only with {self.monitor} available, skipping.", file=sys.stderr)
                return
            if not self.monitor_op(current, self.best):
                if self.verbose:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose:
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, "
                    f"saving model to {path}"
                )
            self.best = current
        elif self.verbose:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if isinstance(self.save_freq, int):
            self._batches += 1
            if self._batches % self.save_freq == 0:
                self._save(self._epoch, dict(logs or {}), batch=batch)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, dict(logs or {}))


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by ``factor`` after ``patience`` epochs without improvement.

    >>> import eagerkit as ek
    >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1)])
    >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.0), loss="mse")  # the loss never improves
    >>> reduce = ek.keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_lr=0.0)
    >>> _ = model.fit(ek.ones([4, 2]), ek.ones([4, 1]), epochs=3, verbose=0, callbacks=[reduce])
    >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.4), loss="mse")
    >>> history = model.fit(ek.ones([4, 2]), ek.ones([4, 1]), epochs=4, verbose=0, callbacks=[reduce])
    >>> [round(float(lr), 3) for lr in history.history["learning_rate"]]
    [0.4, 0.4, 0.2, 0.1]
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Got {factor}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        self.monitor_op = _monitor_op(mode, monitor)

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.wait = 0
        self.cooldown_counter = 0
        self.best = np.inf if self.monitor_op == np.less else -np.inf

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(np.asarray(self.model.optimizer.learning_rate))
        current = logs.get(self.monitor)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        improved = (
            (current < self.best - self.min_delta)
            if self.monitor_op == np.less
            else (current > self.best + self.min_delta)
        )
        if improved:
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = float(np.asarray(self.model.optimizer.learning_rate))
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new
                    if self.verbose:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class LearningRateScheduler(Callback):
    """Sets the learning rate at each epoch start to ``schedule(epoch, lr)``.

    >>> import eagerkit as ek
    >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1)])
    >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.1), loss="mse")
    >>> halve = ek.keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr / 2)
    >>> history = model.fit(ek.ones([4, 2]), ek.ones([4, 1]), epochs=3, verbose=0, callbacks=[halve])
    >>> [round(float(lr), 3) for lr in history.history["learning_rate"]]
    [0.1, 0.05, 0.025]
    """

    def __init__(self, schedule: Callable[[int, float], float], verbose: int = 0) -> None:
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        lr = float(np.asarray(self.model.optimizer.learning_rate))
        new = self.schedule(epoch, lr)
        new = float(np.asarray(new))
        if not isinstance(new, float) or math.isnan(new):
            raise ValueError(f'The output of the "schedule" function should be a float. Got: {new}')
        self.model.optimizer.learning_rate = new
        if self.verbose:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {new}.")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = float(np.asarray(self.model.optimizer.learning_rate))


class TerminateOnNaN(Callback):
    """Stops training as soon as the loss is NaN or infinite, saying at which batch.

    >>> import eagerkit as ek
    >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x = ek.constant([[float("nan"), 1.0]] * 4)
    >>> stop = ek.keras.callbacks.TerminateOnNaN()
    >>> history = model.fit(x, ek.ones([4, 1]), epochs=5, batch_size=2, verbose=0, callbacks=[stop])
    Batch 0: Invalid loss, terminating training
    >>> len(history.history.get("loss", []))
    1
    """

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and (math.isnan(loss) or math.isinf(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class CSVLogger(Callback):
    """Streams epoch results to a CSV file.

    >>> import os, shutil, tempfile
    >>> import eagerkit as ek
    >>> directory = tempfile.mkdtemp()
    >>> path = os.path.join(directory, "log.csv")
    >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> logger = ek.keras.callbacks.CSVLogger(path)
    >>> _ = model.fit(ek.ones([4, 2]), ek.ones([4, 1]), epochs=2, verbose=0, callbacks=[logger])
    >>> open(path).readline().strip()
    'epoch,loss'
    >>> shutil.rmtree(directory)
    """

    def __init__(self, filename: str, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.filename, self.sep, self.append = os.fspath(filename), separator, append
        self._file: Any = None
        self._writer: Any = None
        self._keys: list[str] | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        exists = os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        self._file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self._append_header = not (self.append and exists)
        self._keys = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self._keys is None:
            self._keys = sorted(logs)
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch"] + self._keys, delimiter=self.sep)
            if self._append_header:
                self._writer.writeheader()
        self._writer.writerow({"epoch": epoch, **{k: logs.get(k, "NA") for k in self._keys}})
        self._file.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class LambdaCallback(Callback):
    """A callback built from plain functions, e.g. ``LambdaCallback(on_epoch_end=lambda e, logs: ...)``.

    >>> import eagerkit as ek
    >>> epochs = []
    >>> log = ek.keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: epochs.append(epoch))
    >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> _ = model.fit(ek.ones([4, 2]), ek.ones([4, 1]), epochs=3, verbose=0, callbacks=[log])
    >>> epochs
    [0, 1, 2]
    """

    def __init__(self, **hooks: Callable) -> None:
        super().__init__()
        valid = set(_HOOKS) | {"on_batch_begin", "on_batch_end"}
        for name, fn in hooks.items():
            if name not in valid:
                raise ValueError(f"LambdaCallback got unknown hook {name!r}; valid hooks: {sorted(valid)}")
            setattr(self, name, fn)


class TensorBoard(Callback):
    """Writes loss/metric scalars (per epoch, or per batch with ``update_freq``) for TensorBoard.

    Layout as Keras: ``log_dir/train`` and ``log_dir/validation``.

    >>> import os, shutil, tempfile
    >>> import eagerkit as ek
    >>> logdir = tempfile.mkdtemp()
    >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> tb = ek.keras.callbacks.TensorBoard(log_dir=logdir)
    >>> _ = model.fit(ek.ones([4, 2]), ek.ones([4, 1]), epochs=2, verbose=0, callbacks=[tb])
    >>> sorted(os.listdir(logdir))
    ['train']
    >>> shutil.rmtree(logdir)
    """

    def __init__(
        self,
        log_dir: str = "logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq: str | int = "epoch",
        profile_batch: int = 0,
        embeddings_freq: int = 0,
        embeddings_metadata: Any = None,
    ) -> None:
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.update_freq = update_freq
        self.write_steps_per_second = write_steps_per_second
        self._writers: dict[str, Any] = {}
        self._step = 0

    def _writer(self, kind: str) -> Any:
        if kind not in self._writers:
            from eagerkit import summary

            self._writers[kind] = summary.create_file_writer(os.path.join(self.log_dir, kind))
        return self._writers[kind]

    def _write(self, kind: str, logs: dict, step: int, prefix: str = "epoch_") -> None:
        from eagerkit import summary

        with self._writer(kind).as_default(step=step):
            for k, v in logs.items():
                summary.scalar(prefix + k, float(v), step=step)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._step += 1
        if self.update_freq == "batch" or (isinstance(self.update_freq, int) and self._step % self.update_freq == 0):
            self._write("train", dict(logs or {}), self._step, prefix="batch_")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = dict(logs or {})
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        self._write("train", train, epoch)
        if val:
            self._write("validation", val, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            from eagerkit import summary

            with self._writer("train").as_default(step=epoch):
                for w in self.model.weights:
                    summary.histogram(w.name.replace(":", "_"), w.numpy(), step=epoch)
        for w in self._writers.values():
            w.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        for w in self._writers.values():
            w.close()
        self._writers.clear()
