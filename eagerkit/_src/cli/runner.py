"""``eagerkit train``: builds the model from a config and trains it, resumably.

Everything that decides the result is in the checkpoint: model weights, optimizer slots
and ``iterations``, the metric accumulators, the global RNG key and the position in the
data order (epoch, step). In the custom loop the data order of epoch ``e`` is a permutation
drawn from ``seed + e`` and checkpoints are written every ``checkpoint_every_steps`` steps;
the fit loop shuffles with the (checkpointed) global generator and checkpoints at epoch
ends. Either way a run killed at any moment and started again on the same workdir ends
with exactly the weights and metrics of an uninterrupted run (same seed, CPU); per-step
losses are kept in ``losses.json`` (for ``loss.png``), truncated to the restored step.
"""

from __future__ import annotations

import inspect
import json
import os
import sys
import tempfile
import time
from typing import Any

import numpy as np

import eagerkit as ek
from eagerkit._src.cli.config import ConfigError
from eagerkit._src.datasets.errors import DatasetDownloadError
from eagerkit._src.keras.losses.loss import snake_case
from eagerkit._src.keras.training import callbacks as callbacks_lib
from eagerkit._src.keras.training.progbar import Progbar


def _atomic_write_text(path: str, text: str) -> None:
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_dataset(cfg: dict[str, Any], log: Any) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """(train, test) arrays: images float32 in [0, 1] with a channel axis, labels int64."""
    from eagerkit.keras import datasets

    name = cfg["data"]["dataset"]
    module = getattr(datasets, name)
    loader = getattr(module, "load_test_split", None)
    test_split = loader() if loader is not None else None  # needed in any case: fails here if missing
    try:
        (x_train, y_train), (x_test, y_test) = module.load_data()
    except DatasetDownloadError as e:
        if loader is None:
            raise
        frac = cfg["data"]["offline_test_split_fraction"]
        x, y = test_split
        cut = int(len(x) * frac)
        log(
            f"warning: the {name} training split is not available, only the official test split is.\n"
            f"warning: falling back to that test split: training on its first {cut} images, testing on the other "
            f"{len(x) - cut} (data.offline_test_split_fraction = {frac}); accuracies are not comparable to "
            "results on the full dataset.\n"
            f"warning: for the full dataset, place the original files in $EAGERKIT_DATASETS/{name}/ "
            f"(or pass --data-dir). Details: {e}"
        )
        (x_train, y_train), (x_test, y_test) = (x[:cut], y[:cut]), (x[cut:], y[cut:])

    def prep(x: np.ndarray) -> np.ndarray:
        return (x.astype(np.float32) / 255.0)[..., None]

    return (prep(x_train), y_train.astype(np.int64)), (prep(x_test), y_test.astype(np.int64))


def build_model(cfg: dict[str, Any]) -> Any:
    layers = [ek.keras.Input(shape=tuple(cfg["model"]["input_shape"]))]
    for i, spec in enumerate(cfg["model"]["layers"]):
        spec = dict(spec)
        kind = spec.pop("type")
        cls = getattr(ek.keras.layers, kind, None)
        if cls is None or not isinstance(cls, type):
            names = sorted(
                n
                for n in dir(ek.keras.layers)
                if not n.startswith("_") and isinstance(getattr(ek.keras.layers, n), type)
            )
            raise ConfigError(f"`model.layers[{i}].type` = {kind!r} is not a layer; allowed: {', '.join(names)}")
        try:
            layers.append(cls(**spec))
        except (TypeError, ValueError) as e:
            raise ConfigError(f"`model.layers[{i}]` ({kind}): {e}") from None
    try:
        return ek.keras.Sequential(layers)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"`model.layers`: the layers do not fit together on input_shape: {e}") from None


def build_optimizer(cfg: dict[str, Any]) -> Any:
    from eagerkit._src.keras.optimizers import registry

    opt = cfg["optimizer"]
    cls = registry.NAMES.get(opt["name"].lower())
    if cls is None:
        raise ConfigError(
            f"`optimizer.name` = {opt['name']!r} is not an optimizer; allowed: {', '.join(sorted(registry.NAMES))}"
        )
    try:
        return cls(learning_rate=opt["learning_rate"], **opt["options"])
    except (TypeError, ValueError) as e:
        raise ConfigError(f"`optimizer.options` for {opt['name']}: {e}") from None


def _loss_classes() -> dict[str, type]:
    from eagerkit._src.keras.losses import registry

    table: dict[str, type] = {}
    for name, cls in registry.CLASSES.items():
        if name not in ("Loss", "LossFunctionWrapper"):
            table[snake_case(name)] = cls
    for alias, target in registry.ALIASES.items():
        if target in table:
            table[alias.lower()] = table[target]
    return table


def build_loss(cfg: dict[str, Any], reduction: str = "sum_over_batch_size") -> Any:
    spec = cfg["loss"]
    table = _loss_classes()
    name = spec["name"]
    cls = table.get(name.lower()) or table.get(snake_case(name))
    if cls is None:
        raise ConfigError(f"`loss.name` = {name!r} is not a loss; allowed: {', '.join(sorted(table))}")
    kwargs: dict[str, Any] = {"reduction": reduction}
    if "from_logits" in inspect.signature(cls.__init__).parameters:  # crossentropies; others ignore it
        kwargs["from_logits"] = spec["from_logits"]
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"`loss`: {e}") from None


def check_metrics(cfg: dict[str, Any]) -> None:
    for i, name in enumerate(cfg["train"]["metrics"]):
        try:
            ek.keras.metrics.get(name)
        except ValueError as e:
            raise ConfigError(f"`train.metrics[{i}]`: {e}") from None


def _current_lr(optimizer: Any) -> float:
    lr = optimizer.learning_rate
    if callable(lr) and not hasattr(lr, "numpy"):
        lr = lr(optimizer.iterations)
    return float(np.asarray(lr))


def _plot_losses(losses: list[float], path: str, log: Any) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib is not installed: skipping loss.png (pip install 'eagerkit[plot]').")
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(losses)
    ax.set_xlabel("Batch #")
    ax.set_ylabel("Loss [entropy]")
    fig.tight_layout()
    tmp = path + ".tmp.png"
    fig.savefig(tmp)
    plt.close(fig)
    os.replace(tmp, path)


class Run:
    """One training run in a workdir (state restored from its latest checkpoint)."""

    def __init__(self, cfg: dict[str, Any], workdir: str, log: Any = print) -> None:
        self.cfg, self.workdir, self.log = cfg, workdir, log
        ek.random.set_seed(cfg["train"]["seed"])
        self.model = build_model(cfg)
        self.optimizer = build_optimizer(cfg)
        self.loss_fn = build_loss(cfg)
        self.eval_loss_fn = build_loss(cfg, reduction="sum")
        check_metrics(cfg)
        os.makedirs(workdir, exist_ok=True)
        self.train_loss = ek.keras.metrics.Mean("loss")
        self.train_acc = ek.keras.metrics.SparseCategoricalAccuracy("accuracy")
        self.epoch = ek.Variable(0, dtype=ek.int64, trainable=False, name="epoch")
        self.step_in_epoch = ek.Variable(0, dtype=ek.int64, trainable=False, name="step_in_epoch")
        self.seconds = ek.Variable(0.0, dtype=ek.float64, trainable=False, name="seconds")
        self.checkpoint = ek.train.Checkpoint(
            model=self.model,
            optimizer=self.optimizer,
            train_loss=self.train_loss,
            train_acc=self.train_acc,
            epoch=self.epoch,
            step_in_epoch=self.step_in_epoch,
            seconds=self.seconds,
            rng=ek.random.get_global_generator().state,
        )
        self.manager = ek.train.CheckpointManager(
            self.checkpoint, os.path.join(workdir, "checkpoints"), max_to_keep=cfg["train"]["max_to_keep"]
        )
        self.writer = ek.summary.create_file_writer(os.path.join(workdir, "tensorboard"))
        self.loss_log_path = os.path.join(workdir, "losses.json")

    # -- compiled steps ---------------------------------------------------------------------
    def _make_steps(self) -> tuple[Any, Any]:
        model, loss_fn, optimizer, eval_loss_fn = self.model, self.loss_fn, self.optimizer, self.eval_loss_fn

        @ek.function
        def train_step(images: Any, labels: Any) -> Any:
            with ek.GradientTape() as tape:
                logits = model(images, training=True)
                loss = loss_fn(labels, logits)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            self.train_loss.update_state(loss)
            self.train_acc.update_state(labels, logits)
            return loss

        @ek.function
        def eval_step(images: Any, labels: Any) -> Any:
            logits = model(images, training=False)
            correct = ek.cast(ek.equal(ek.argmax(logits, axis=-1), labels), ek.float32)
            return eval_loss_fn(labels, logits), ek.reduce_sum(correct)

        return train_step, eval_step

    def evaluate(self, eval_step: Any, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        bs = self.cfg["data"]["eval_batch_size"]
        total_loss = total_correct = 0.0
        for i in range(0, len(x), bs):
            loss, correct = eval_step(ek.constant(x[i : i + bs]), ek.constant(y[i : i + bs]))
            total_loss += float(loss)
            total_correct += float(correct)
        return total_loss / len(x), total_correct / len(x)

    def _restore(self) -> list[float]:
        """Restores the latest checkpoint (if any); returns the per-step losses recorded so far."""
        latest = self.manager.latest_checkpoint
        if not latest:
            return []
        self.checkpoint.restore(latest)
        losses: list[float] = []
        if os.path.exists(self.loss_log_path):
            with open(self.loss_log_path) as f:
                losses = json.load(f)
        done = int(self.optimizer.iterations.numpy())
        self.log(
            f"Resuming from {latest} (epoch {int(self.epoch.numpy()) + 1}, step {int(self.step_in_epoch.numpy())})"
        )
        return losses[:done]

    def _steps_per_epoch(self, n: int) -> int:
        bs = self.cfg["data"]["batch_size"]
        steps = n // bs
        if steps == 0:
            raise ConfigError(f"`data.batch_size` = {bs} is larger than the {n} training examples")
        cap = self.cfg["train"]["max_steps_per_epoch"]
        return min(steps, cap) if cap else steps

    def _write_train_scalars(self, step: int, loss: float, accuracy: float, steps_per_sec: float) -> None:
        with self.writer.as_default(step=step):
            ek.summary.scalar("loss", loss)
            ek.summary.scalar("accuracy", accuracy)
            ek.summary.scalar("learning_rate", _current_lr(self.optimizer))
            ek.summary.scalar("steps_per_sec", steps_per_sec)

    def _write_test_scalars(self, test_loss: float, test_acc: float) -> None:
        with self.writer.as_default(step=int(self.optimizer.iterations.numpy())):
            ek.summary.scalar("test_loss", test_loss)
            ek.summary.scalar("test_accuracy", test_acc)

    def train(self) -> dict[str, Any]:
        cfg, log = self.cfg, self.log
        (x_train, y_train), (x_test, y_test) = load_dataset(cfg, log)
        steps_per_epoch = self._steps_per_epoch(len(x_train))
        losses = self._restore()
        if cfg["train"]["loop"] == "fit":
            return self._train_fit(x_train, y_train, x_test, y_test, losses, steps_per_epoch)
        train_step, eval_step = self._make_steps()
        bs = cfg["data"]["batch_size"]
        epochs = cfg["train"]["epochs"]
        every_summary = cfg["train"]["summary_every_steps"]
        every_checkpoint = cfg["train"]["checkpoint_every_steps"]
        t_start = time.time()
        seconds0 = float(self.seconds.numpy())
        final: tuple[float, float] | None = None
        while int(self.epoch.numpy()) < epochs:
            epoch = int(self.epoch.numpy())
            # The data order of an epoch depends only on (seed, epoch): a resumed run sees the same batches.
            order = np.random.default_rng(cfg["train"]["seed"] + epoch).permutation(len(x_train))
            start = int(self.step_in_epoch.numpy())
            if start == 0:
                self.train_loss.reset_state()
                self.train_acc.reset_state()
            log(f"Epoch {epoch + 1}/{epochs}")
            bar = Progbar(steps_per_epoch, stateful_metrics=["loss", "accuracy"])
            bar.update(start)
            t_last, steps_last = time.time(), start
            for step in range(start, steps_per_epoch):
                idx = order[step * bs : (step + 1) * bs]
                loss = train_step(ek.constant(x_train[idx]), ek.constant(y_train[idx]))
                losses.append(float(loss))
                self.step_in_epoch.assign(step + 1)
                global_step = int(self.optimizer.iterations.numpy())
                mean_loss, mean_acc = float(self.train_loss.result()), float(self.train_acc.result())
                if global_step % every_summary == 0:
                    now = time.time()
                    rate = (step + 1 - steps_last) / max(now - t_last, 1e-9)
                    self._write_train_scalars(global_step, mean_loss, mean_acc, rate)
                    t_last, steps_last = now, step + 1
                bar.update(step + 1, [("loss", mean_loss), ("accuracy", mean_acc)])
                if global_step % every_checkpoint == 0 and step + 1 < steps_per_epoch:
                    self._save(losses, seconds0 + time.time() - t_start)
            final = self.evaluate(eval_step, x_test, y_test)
            log(f"Epoch {epoch + 1}: test_loss {final[0]:.4f} - test_accuracy {final[1]:.4f}")
            self._write_test_scalars(*final)
            self.epoch.assign(epoch + 1)
            self.step_in_epoch.assign(0)
            self._save(losses, seconds0 + time.time() - t_start)
        if final is None:  # the run had already finished: evaluate its final weights
            final = self.evaluate(eval_step, x_test, y_test)
        return self._finish(final[0], final[1], losses, seconds0 + time.time() - t_start)

    def _train_fit(
        self,
        x_train: np.ndarray,
        y_train: np.ndarray,
        x_test: np.ndarray,
        y_test: np.ndarray,
        losses: list[float],
        steps_per_epoch: int,
    ) -> dict[str, Any]:
        """Keras ``fit``; checkpoints at the end of each epoch (resuming restarts the interrupted epoch)."""
        cfg = self.cfg
        model = self.model
        model.compile(optimizer=self.optimizer, loss=self.loss_fn, metrics=cfg["train"]["metrics"])
        run = self
        every_summary = cfg["train"]["summary_every_steps"]
        t0 = time.time()
        seconds0 = float(self.seconds.numpy())

        def accuracy_of(logs: dict) -> float:
            return next((float(v) for k, v in logs.items() if "acc" in k and not k.startswith("val_")), float("nan"))

        class RunCallback(callbacks_lib.Callback):
            def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
                # fit shuffles with eagerkit's global generator, whose state is in the checkpoint: a resumed
                # run sees the same data order as an uninterrupted one.
                self.t_last, self.steps_last = time.time(), int(run.optimizer.iterations.numpy())

            def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
                logs = logs or {}
                losses.append(float(logs.get("loss", float("nan"))))
                step = int(run.optimizer.iterations.numpy())
                if step % every_summary == 0:
                    now = time.time()
                    rate = (step - self.steps_last) / max(now - self.t_last, 1e-9)
                    run._write_train_scalars(step, float(logs.get("loss", float("nan"))), accuracy_of(logs), rate)
                    self.t_last, self.steps_last = now, step

            def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
                logs = logs or {}
                test = (
                    float(logs.get("val_loss", float("nan"))),
                    next((float(v) for k, v in logs.items() if k.startswith("val_") and "acc" in k), float("nan")),
                )
                run.log(f"Epoch {epoch + 1}: test_loss {test[0]:.4f} - test_accuracy {test[1]:.4f}")
                run._write_test_scalars(*test)
                run.epoch.assign(epoch + 1)
                run._save(losses, seconds0 + time.time() - t0)

        history = model.fit(
            x_train,
            y_train,
            batch_size=cfg["data"]["batch_size"],
            epochs=cfg["train"]["epochs"],
            initial_epoch=int(self.epoch.numpy()),
            steps_per_epoch=steps_per_epoch,
            validation_data=(x_test, y_test),
            validation_batch_size=cfg["data"]["eval_batch_size"],
            callbacks=[RunCallback(), callbacks_lib.TensorBoard(os.path.join(self.workdir, "tensorboard"))],
            verbose=1,
        )
        if history.history.get("val_loss"):
            logs = {k[4:]: v[-1] for k, v in history.history.items() if k.startswith("val_")}
        else:  # the run had already finished: evaluate its final weights
            logs = model.evaluate(
                x_test, y_test, batch_size=cfg["data"]["eval_batch_size"], verbose=0, return_dict=True
            )
        acc = next((v for k, v in logs.items() if "acc" in k), float("nan"))
        return self._finish(logs["loss"], acc, losses, seconds0 + time.time() - t0)

    def _save(self, losses: list[float], seconds: float) -> None:
        self.seconds.assign(seconds)
        _atomic_write_text(self.loss_log_path, json.dumps(losses))
        self.manager.save(checkpoint_number=int(self.optimizer.iterations.numpy()))
        self.writer.flush()

    def _finish(self, test_loss: float, test_acc: float, losses: list[float], seconds: float) -> dict[str, Any]:
        metrics = {
            "test_accuracy": float(test_acc),
            "test_loss": float(test_loss),
            "epochs": self.cfg["train"]["epochs"],
            "steps": int(self.optimizer.iterations.numpy()),
            "seconds": round(seconds, 3),
            "dataset": self.cfg["data"]["dataset"],
            "config": self.cfg.get("name", "run"),
        }
        _atomic_write_text(os.path.join(self.workdir, "metrics.json"), json.dumps(metrics, indent=2) + "\n")
        _plot_losses(losses, os.path.join(self.workdir, "loss.png"), self.log)
        self.writer.flush()
        self.log(json.dumps(metrics))
        return metrics


def run_training(cfg: dict[str, Any], workdir: str, log: Any = None) -> dict[str, Any]:
    """Trains (or resumes) the run described by ``cfg`` in ``workdir``; returns metrics.json's content."""
    log = log or (lambda msg: print(msg, file=sys.stdout, flush=True))
    return Run(cfg, workdir, log).train()
