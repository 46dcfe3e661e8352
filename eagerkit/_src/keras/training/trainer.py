"""``Model.compile`` / ``fit`` / ``evaluate`` / ``predict`` (mixed into ``Model``).

Steps are compiled through ``ek.function`` by default (``run_eagerly=True`` for debugging):
one traced program per input signature runs forward, GradientTape, the optimizer update
and the metric updates, with every Variable threaded through it.

>>> import numpy as np
>>> import eagerkit as ek
>>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,))])
>>> model.compile(optimizer="sgd", loss="mse")
>>> history = model.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=2, verbose=0)
>>> len(history.history["loss"])
2
"""

from __future__ import annotations


import sys
from typing import Any

import numpy as np

from eagerkit._src.autodiff.tape import GradientTape
from eagerkit._src.function.function import function as ek_function
from eagerkit._src.keras.training import callbacks as cbks
from eagerkit._src.keras.training.data_adapter import DataHandler, train_validation_split, unpack_x_y_sample_weight
from eagerkit._src.ops import math_ops
from eagerkit._src.util import nest


def _float_logs(logs: dict) -> dict:
    return {k: float(np.asarray(v)) for k, v in logs.items()}


class Trainer:
    """The training API of ``Model``."""

    _compiled = False

    # -- compile -------------------------------------------------------------------------
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Any = None,
        loss_weights: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile: Any = "auto",
        **kwargs: Any,
    ) -> None:
        """Configures the model for training (optimizer, loss(es), metrics)."""
        from eagerkit.keras import losses as losses_mod
        from eagerkit.keras import metrics as metrics_mod
        from eagerkit.keras import optimizers as optimizers_mod

        if kwargs:
            raise TypeError(f"compile() got unexpected keyword arguments: {sorted(kwargs)}")
        self.optimizer = optimizers_mod.get(optimizer)
        self._loss_spec = loss

        def as_loss(identifier: Any) -> Any:
            if identifier is None:
                return None
            fn = losses_mod.get(identifier)
            # As Keras does, plain loss functions (per-sample) are wrapped to reduce and take sample_weight.
            return fn if isinstance(fn, losses_mod.Loss) else losses_mod.LossFunctionWrapper(fn)

        self._loss_fns = nest.map_structure(as_loss, loss) if isinstance(loss, (list, tuple, dict)) else as_loss(loss)
        self._loss_weights = loss_weights
        self._metric_specs = metrics
        self._metrics_mod = metrics_mod
        self._loss_tracker = metrics_mod.Mean(name="loss")
        self._compiled_metrics: list | None = None
        self.run_eagerly = run_eagerly
        self._train_function = self._test_function = self._predict_function = None
        self.stop_training = False
        self._compiled = True

    def _require_compiled(self, what: str) -> None:
        if not self._compiled:
            raise RuntimeError(
                f"You must compile your model before {what}. Call `model.compile(optimizer, loss)` first."
            )

    # -- losses and metrics ----------------------------------------------------------------
    def _build_metrics(self, y: Any) -> None:
        if self._compiled_metrics is not None:
            return
        specs = self._metric_specs or []
        if isinstance(specs, dict):
            specs = [m for v in specs.values() for m in (v if isinstance(v, (list, tuple)) else [v])]
        out = []
        loss_name = getattr(self._loss_fns, "name", None) or getattr(self._loss_fns, "__name__", "")
        for m in specs:
            if isinstance(m, str) and m in ("accuracy", "acc"):
                sparse = "sparse" in str(loss_name).lower() or "sparse" in str(self._loss_spec).lower()
                binary = "binary" in str(loss_name).lower() or "binary" in str(self._loss_spec).lower()
                cls = "SparseCategoricalAccuracy" if sparse else "BinaryAccuracy" if binary else "CategoricalAccuracy"
                metric = getattr(self._metrics_mod, cls)(name=m)
            else:
                metric = self._metrics_mod.get(m)
            out.append(metric)
        self._compiled_metrics = out

    @property
    def metrics(self) -> list:
        """The loss tracker followed by the compiled metrics (once built)."""
        if not self._compiled:
            return []
        return [self._loss_tracker] + list(self._compiled_metrics or [])

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None) -> Any:
        """Compiled loss(es), weighted and summed, plus the model's regularization losses."""
        if self._loss_fns is None:
            raise ValueError("No loss to compute: pass `loss=` to compile(), or override compute_loss/train_step.")
        if isinstance(self._loss_fns, (list, tuple, dict)):
            fns = nest.flatten(self._loss_fns)
            ys, preds = nest.flatten(y), nest.flatten(y_pred)
            weights = nest.flatten(self._loss_weights) if self._loss_weights is not None else [1.0] * len(fns)
            total = None
            for fn, yt, yp, w in zip(fns, ys, preds, weights):
                if fn is None:
                    continue
                term = fn(yt, yp, sample_weight=sample_weight) * w
                total = term if total is None else total + term
        else:
            total = self._loss_fns(y, y_pred, sample_weight=sample_weight)
        reg = list(getattr(self, "losses", []))
        if reg:
            total = total + math_ops.add_n([math_ops.cast(r, total.dtype) for r in reg])
        return total

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None, loss: Any = None) -> dict:
        """Updates the metrics and returns ``{name: result}``."""
        if loss is not None:
            self._loss_tracker.update_state(loss)
        for m in self._compiled_metrics or []:
            m.update_state(y, y_pred, sample_weight=sample_weight)
        return {m.name: m.result() for m in self.metrics}

    # -- steps ----------------------------------------------------------------------------------
    def train_step(self, data: Any) -> dict:
        """One optimisation step on a batch; override for custom training (as in tf.keras)."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        variables = self.trainable_variables
        grads = tape.gradient(loss, variables)
        self.optimizer.apply_gradients(zip(grads, variables))
        return self.compute_metrics(x, y, y_pred, sample_weight, loss=loss)

    def test_step(self, data: Any) -> dict:
        """One evaluation step on a batch."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight)
        return self.compute_metrics(x, y, y_pred, sample_weight, loss=loss)

    def predict_step(self, data: Any) -> Any:
        """Forward pass on a batch."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _step_function(self, kind: str) -> Any:
        attr = f"_{kind}_function"
        fn = getattr(self, attr, None)
        if fn is None:
            step = getattr(self, f"{kind}_step")
            fn = step if self.run_eagerly else ek_function(step)
            setattr(self, attr, fn)
        return fn

    def make_train_function(self, force: bool = False) -> Any:
        if force:
            self._train_function = None
        return self._step_function("train")

    def make_test_function(self, force: bool = False) -> Any:
        if force:
            self._test_function = None
        return self._step_function("test")

    def make_predict_function(self, force: bool = False) -> Any:
        if force:
            self._predict_function = None
        return self._step_function("predict")

    # -- fit ----------------------------------------------------------------------------------
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: Any = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool = True,
        class_weight: dict | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: int = 1,
        **kwargs: Any,
    ) -> cbks.History:
        """Trains for ``epochs`` epochs; returns a ``History``."""
        self._require_compiled("training/testing")
        if kwargs:
            raise TypeError(f"fit() got unexpected keyword arguments: {sorted(kwargs)}")
        verbose = 1 if verbose == "auto" else int(verbose)
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = train_validation_split(x, y, sample_weight, validation_split)
        handler = DataHandler(x, y, sample_weight, batch_size, steps_per_epoch, shuffle, class_weight)
        history = cbks.History()
        cb_list = [history] + list(callbacks or [])
        if verbose and not any(isinstance(c, cbks.ProgbarLogger) for c in cb_list):
            cb_list.append(cbks.ProgbarLogger())
        params = {"verbose": verbose, "epochs": epochs, "steps": handler.steps}
        callbacks_ = cbks.CallbackList(cb_list, self, params)
        train_fn = self.make_train_function()
        self.stop_training = False
        self._build_metrics(y)
        callbacks_.on_train_begin()
        epoch_logs: dict = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callbacks_.on_epoch_begin(epoch)
            logs: dict = {}
            for step, batch in handler.epoch_batches():
                callbacks_.on_train_batch_begin(step)
                logs = _float_logs(train_fn(batch))
                callbacks_.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            params["steps"] = handler.steps
            epoch_logs = dict(logs)
            if validation_data is not None and (epoch + 1) % validation_freq == 0:
                vx, vy, vsw = (
                    unpack_x_y_sample_weight(validation_data)
                    if isinstance(validation_data, (tuple, list))
                    else (validation_data, None, None)
                )
                val = self.evaluate(
                    vx,
                    vy,
                    sample_weight=vsw,
                    batch_size=validation_batch_size or batch_size,
                    steps=validation_steps,
                    verbose=0,
                    return_dict=True,
                    _callbacks=callbacks_,
                )
                epoch_logs.update({f"val_{k}": v for k, v in val.items()})
            callbacks_.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        callbacks_.on_train_end(epoch_logs)
        return history

    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: Any = "auto",
        sample_weight: Any = None,
        steps: int | None = None,
        callbacks: Any = None,
        return_dict: bool = False,
        _callbacks: Any = None,
        **kwargs: Any,
    ) -> Any:
        """Loss and metrics on the data; a scalar, a list, or a dict with ``return_dict=True``."""
        self._require_compiled("training/testing")
        if kwargs:
            raise TypeError(f"evaluate() got unexpected keyword arguments: {sorted(kwargs)}")
        verbose = 1 if verbose == "auto" else int(verbose)
        handler = DataHandler(x, y, sample_weight, batch_size, steps, shuffle=False)
        cb = _callbacks or cbks.CallbackList(callbacks, self, {"verbose": verbose, "steps": handler.steps})
        self._build_metrics(y)
        test_fn = self.make_test_function()
        self.reset_metrics()
        cb.on_test_begin()
        logs: dict = {}
        for step, batch in handler.epoch_batches():
            cb.on_test_batch_begin(step)
            logs = test_fn(batch)
            cb.on_test_batch_end(step, None)
        logs = _float_logs(logs) if logs else {m.name: float(np.asarray(m.result())) for m in self.metrics}
        cb.on_test_end(logs)
        if verbose:
            text = " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())
            sys.stdout.write(f"{handler.steps}/{handler.steps} - {text}\n")
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: Any = "auto",
        steps: int | None = None,
        callbacks: Any = None,
        **kwargs: Any,
    ) -> Any:
        """Model outputs for the inputs, as NumPy arrays (batches concatenated)."""
        handler = DataHandler(x, None, None, batch_size, steps, shuffle=False, predict=True)
        fn = self._step_function("predict") if self._compiled else ek_function(self.predict_step)
        cb = cbks.CallbackList(callbacks, self, {"steps": handler.steps})
        cb.on_predict_begin()
        outs: list = []
        for step, batch in handler.epoch_batches():
            cb.on_predict_batch_begin(step)
            outs.append(nest.map_structure(lambda t: np.asarray(t), fn(batch)))
            cb.on_predict_batch_end(step, None)
        cb.on_predict_end()
        if not outs:
            raise ValueError("predict got no data: the input produced zero batches.")
        return nest.map_structure(lambda *parts: np.concatenate(parts, axis=0), *outs)

    def train_on_batch(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        class_weight: dict | None = None,
        reset_metrics: bool = True,
        return_dict: bool = False,
    ) -> Any:
        """One training step on exactly this batch."""
        self._require_compiled("training/testing")
        handler = DataHandler(x, y, sample_weight, batch_size=_first_dim(x), shuffle=False, class_weight=class_weight)
        self._build_metrics(y)
        if reset_metrics:
            self.reset_metrics()
        _, batch = next(handler.epoch_batches())
        logs = _float_logs(self.make_train_function()(batch))
        return logs if return_dict else _values(logs)

    def test_on_batch(
        self, x: Any, y: Any = None, sample_weight: Any = None, reset_metrics: bool = True, return_dict: bool = False
    ) -> Any:
        """Loss and metrics on exactly this batch."""
        self._require_compiled("training/testing")
        handler = DataHandler(x, y, sample_weight, batch_size=_first_dim(x), shuffle=False)
        self._build_metrics(y)
        if reset_metrics:
            self.reset_metrics()
        _, batch = next(handler.epoch_batches())
        logs = _float_logs(self.make_test_function()(batch))
        return logs if return_dict else _values(logs)

    def predict_on_batch(self, x: Any) -> Any:
        """Outputs for exactly this batch, as NumPy."""
        return self.predict(x, batch_size=_first_dim(x), verbose=0)

    # -- saving -----------------------------------------------------------------------------
    def save_weights(self, filepath: Any, overwrite: bool = True, save_format: Any = None, options: Any = None) -> None:
        """Saves the weights as an object-based checkpoint (``model.save_weights('weights')``)."""
        from eagerkit._src.keras.training import saving

        saving.save_weights(self, filepath, overwrite=overwrite, options=options)

    def load_weights(
        self, filepath: Any, skip_mismatch: bool = False, by_name: bool = False, options: Any = None
    ) -> Any:
        """Restores weights saved with ``save_weights``; returns the load status."""
        from eagerkit._src.keras.training import saving

        return saving.load_weights(self, filepath, skip_mismatch=skip_mismatch, by_name=by_name, options=options)

    def save(
        self,
        filepath: Any,
        overwrite: bool = True,
        save_format: Any = None,
        include_optimizer: bool = True,
        **kwargs: Any,
    ) -> None:
        """Saves architecture, weights and optimizer state; reload with ``ek.keras.models.load_model``."""
        from eagerkit._src.keras.training import saving

        saving.save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)


def _first_dim(x: Any) -> int:
    return int(np.shape(nest.flatten(x)[0])[0])


def _values(logs: dict) -> Any:
    v = list(logs.values())
    return v[0] if len(v) == 1 else v


__all__ = ["Trainer"]
