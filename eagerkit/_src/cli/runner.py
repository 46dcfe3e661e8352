"""``eagerkit train``: builds the model from a config and trains it, resumably.

Everything that decides the result is in the checkpoint: model weights, optimizer slots
and ``iterations``, the metric accumulators, the global RNG key and the position in the
data order (epoch, step). The data order of epoch ``e`` is a permutation drawn from
``seed + e``, so a run killed at any moment and started again on the same workdir ends
with exactly the weights and metrics of an uninterrupted run (same seed, CPU).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from typing import Any

import numpy as np

import eagerkit as ek
from eagerkit._src.cli.config import ConfigError


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
    try:
        (x_train, y_train), (x_test, y_test) = module.load_data()
    except Exception as e:  # noqa: BLE001 - report, then try the documented offline fallback
        loader = getattr(module, "load_test_split", None)
        if loader is None:
            raise
        frac = cfg["data"]["offline_test_split_fraction"]
        log(
            f"warning: {name} training split unavailable ({e}).\n"
            f"warning: falling back to the official test split only: training on its first {frac:.0%}, "
            f"testing on the rest (set data.offline_test_split_fraction to change)."
        )
        x, y = loader()
        cut = int(len(x) * frac)
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
    return ek.keras.Sequential(layers)


def build_optimizer(cfg: dict[str, Any]) -> Any:
    opt = cfg["optimizer"]
    try:
        return ek.keras.optimizers.get(
            {"class_name": opt["name"], "config": {"learning_rate": opt["learning_rate"], **opt["options"]}}
        )
    except (TypeError, ValueError) as e:
        raise ConfigError(f"`optimizer`: {e}") from None


def build_loss(cfg: dict[str, Any]) -> Any:
    spec = cfg["loss"]
    try:
        return ek.keras.losses.get({"class_name": spec["name"], "config": {"from_logits": spec["from_logits"]}})
    except (TypeError, ValueError) as e:
        raise ConfigError(f"`loss`: {e}") from None


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
        os.makedirs(workdir, exist_ok=True)
        ek.random.set_seed(cfg["train"]["seed"])
        self.model = build_model(cfg)
        self.optimizer = build_optimizer(cfg)
        self.loss_fn = build_loss(cfg)
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
        model, loss_fn, optimizer = self.model, self.loss_fn, self.optimizer

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
            per_example = ek.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)
            correct = ek.cast(ek.equal(ek.argmax(logits, axis=-1), labels), ek.float32)
            return ek.reduce_sum(per_example), ek.reduce_sum(correct)

        return train_step, eval_step

    def evaluate(self, eval_step: Any, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        bs = self.cfg["data"]["eval_batch_size"]
        total_loss = total_correct = 0.0
        for i in range(0, len(x), bs):
            loss, correct = eval_step(ek.constant(x[i : i + bs]), ek.constant(y[i : i + bs]))
            total_loss += float(loss)
            total_correct += float(correct)
        return total_loss / len(x), total_correct / len(x)

    def train(self) -> dict[str, Any]:
        cfg, log = self.cfg, self.log
        (x_train, y_train), (x_test, y_test) = load_dataset(cfg, log)
        latest = self.manager.latest_checkpoint
        losses: list[float] = []
        if latest:
            self.checkpoint.restore(latest)
            if os.path.exists(self.loss_log_path):
                with open(self.loss_log_path) as f:
                    losses = json.load(f)
            done = int(self.optimizer.iterations.numpy())
            losses = losses[:done]
            log(f"Resuming from {latest} (epoch {int(self.epoch.numpy()) + 1}, step {int(self.step_in_epoch.numpy())})")
        if cfg["train"]["loop"] == "fit":
            return self._train_fit(x_train, y_train, x_test, y_test, losses)
        train_step, eval_step = self._make_steps()
        bs = cfg["data"]["batch_size"]
        steps_per_epoch = len(x_train) // bs
        epochs = cfg["train"]["epochs"]
        t_start = time.time()
        seconds0 = float(self.seconds.numpy())
        while int(self.epoch.numpy()) < epochs:
            epoch = int(self.epoch.numpy())
            order = np.random.default_rng(cfg["train"]["seed"] + epoch).permutation(len(x_train))
            start = int(self.step_in_epoch.numpy())
            if start == 0:
                self.train_loss.reset_state()
                self.train_acc.reset_state()
            log(f"Epoch {epoch + 1}/{epochs}")
            bar = ek.keras.utils.Progbar(steps_per_epoch)
            bar.update(start)
            t_last = time.time()
            for step in range(start, steps_per_epoch):
                idx = order[step * bs : (step + 1) * bs]
                loss = train_step(ek.constant(x_train[idx]), ek.constant(y_train[idx]))
                losses.append(float(loss))
                self.step_in_epoch.assign(step + 1)
                global_step = int(self.optimizer.iterations.numpy())
                if global_step % cfg["train"]["summary_every_steps"] == 0:
                    now = time.time()
                    with self.writer.as_default(step=global_step):
                        ek.summary.scalar("loss", self.train_loss.result())
                        ek.summary.scalar("accuracy", self.train_acc.result())
                        ek.summary.scalar("learning_rate", float(np.asarray(self.optimizer.learning_rate)))
                        ek.summary.scalar(
                            "steps_per_sec", cfg["train"]["summary_every_steps"] / max(now - t_last, 1e-9)
                        )
                    t_last = now
                bar.update(
                    step + 1, [("loss", float(self.train_loss.result())), ("accuracy", float(self.train_acc.result()))]
                )
                if global_step % cfg["train"]["checkpoint_every_steps"] == 0 and step + 1 < steps_per_epoch:
                    self._save(losses, seconds0 + time.time() - t_start)
            test_loss, test_acc = self.evaluate(eval_step, x_test, y_test)
            log(f"Epoch {epoch + 1}: test_loss {test_loss:.4f} - test_accuracy {test_acc:.4f}")
            with self.writer.as_default(step=int(self.optimizer.iterations.numpy())):
                ek.summary.scalar("test_loss", test_loss)
                ek.summary.scalar("test_accuracy", test_acc)
            self.epoch.assign(epoch + 1)
            self.step_in_epoch.assign(0)
            self._save(losses, seconds0 + time.time() - t_start)
        test_loss, test_acc = self.evaluate(eval_step, x_test, y_test)
        return self._finish(test_loss, test_acc, losses, seconds0 + time.time() - t_start)

    def _train_fit(
        self, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray, losses: list[float]
    ) -> dict[str, Any]:
        cfg = self.cfg
        model = self.model
        model.compile(optimizer=self.optimizer, loss=self.loss_fn, metrics=cfg["train"]["metrics"])
        run = self

        class Saver(ek.keras.callbacks.Callback):
            def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
                losses.append(float((logs or {}).get("loss", float("nan"))))

            def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
                run.epoch.assign(epoch + 1)
                run._save(losses, float(run.seconds.numpy()))

        np.random.seed(cfg["train"]["seed"])
        t0 = time.time()
        model.fit(
            x_train,
            y_train,
            batch_size=cfg["data"]["batch_size"],
            epochs=cfg["train"]["epochs"],
            initial_epoch=int(self.epoch.numpy()),
            callbacks=[Saver(), ek.keras.callbacks.TensorBoard(os.path.join(self.workdir, "tensorboard"))],
            verbose=1,
        )
        logs = model.evaluate(x_test, y_test, batch_size=cfg["data"]["eval_batch_size"], verbose=0, return_dict=True)
        acc = next((v for k, v in logs.items() if "acc" in k), float("nan"))
        return self._finish(logs["loss"], acc, losses, float(self.seconds.numpy()) + time.time() - t0)

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
