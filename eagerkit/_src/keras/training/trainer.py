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
from eagerkit._src.distribute import distribute_lib
from eagerkit._src.distribute.values import PerReplica
from eagerkit._src.function.function import function as ek_function
from eagerkit._src.keras.training import callbacks as cbks
from eagerkit._src.keras.training.compile_utils import CompiledLoss, CompiledMetrics, _batch_size, output_names
from eagerkit._src.keras.training.data_adapter import DataHandler, train_validation_split, unpack_x_y_sample_weight
from eagerkit._src.ops import math_ops
from eagerkit._src.util import nest


def _to_host(value: Any) -> Any:
    arr = np.asarray(value)
    return float(arr) if arr.size == 1 else arr


def _float_logs(logs: Any) -> dict:
    if not isinstance(logs, dict):
        raise TypeError(
            f"train_step/test_step must return a dict of metric values (name -> scalar), got {type(logs).__name__}."
        )
    return {k: _to_host(v) for k, v in logs.items()}


def _output_shapes(model: Any) -> list[tuple] | None:
    try:
        outputs = model.outputs
    except (AttributeError, ValueError, TypeError):
        return None
    if not outputs:
        return None
    return [tuple(t.shape) for t in outputs]


class Trainer:
    """The training API of ``Model``."""

    _compiled = False
    _run_eagerly = False

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
        """Configures the model for training.

        Args:
          optimizer: name (``"adam"``), config dict, Optimizer, or optax transformation.
          loss: name, Loss, function ``fn(y_true, y_pred)``; a list or dict (keyed by output name)
            for multi-output models.
          metrics: names/Metrics/functions; a list of lists or dict for multi-output models.
            Updated without sample weights, as tf.keras.
          loss_weights: per-output scalars (list or dict) weighting the total loss.
          weighted_metrics: metrics updated with ``sample_weight`` / ``class_weight``.
          run_eagerly: run steps as plain Python (debugging) instead of through ``ek.function``.

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        >>> y = np.array([[2.0], [6.0]], "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
        >>> model.optimizer, model.run_eagerly
        (<SGD name=sgd>, False)
        >>> model.evaluate(x, y, verbose=0, return_dict=True)  # predictions [3, 7]: every error is 1
        {'loss': 1.0, 'mae': 1.0}
        >>> model.compile(optimizer="adam", loss=ek.keras.losses.MeanAbsoluteError(), run_eagerly=True)
        >>> model.optimizer, model.run_eagerly
        (<Adam name=adam>, True)
        """
        from eagerkit.keras import metrics as metrics_mod
        from eagerkit.keras import optimizers as optimizers_mod

        if kwargs:
            raise TypeError(f"compile() got unexpected keyword arguments: {sorted(kwargs)}")
        self.optimizer = optimizers_mod.get(optimizer)
        self._loss_spec = loss
        self._loss_weights = loss_weights
        self._metric_specs = metrics
        self._weighted_metric_specs = weighted_metrics
        self._loss_tracker = metrics_mod.Mean(name="loss")
        self.compiled_loss = CompiledLoss(loss, loss_weights, self._loss_tracker) if loss is not None else None
        self.compiled_metrics = CompiledMetrics(metrics, weighted_metrics)
        # Validate names now (a typo fails at compile time, as in tf.keras), build per output later.
        for spec in nest.flatten(loss) if loss is not None else []:
            if spec is not None:
                CompiledLoss._as_loss(spec)
        self._train_function = self._test_function = self._predict_function = None
        if distribute_lib.has_strategy() and getattr(self, "_distribution_strategy", None) is None:
            self._distribution_strategy = distribute_lib.get_strategy()
        self._run_eagerly = bool(run_eagerly)
        self.stop_training = False
        self._compiled = True

    @property
    def distribute_strategy(self) -> Any:
        """The strategy the model was created (or compiled) under; the default strategy otherwise."""
        strategy = getattr(self, "_distribution_strategy", None)
        return strategy if strategy is not None else distribute_lib.get_strategy()

    @property
    def run_eagerly(self) -> bool:
        """Whether steps run as plain Python instead of compiled ``ek.function`` calls (settable)."""
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value: bool) -> None:
        self._run_eagerly = bool(value)
        self._train_function = self._test_function = self._predict_function = None

    def _require_compiled(self, what: str) -> None:
        if not self._compiled:
            raise RuntimeError(
                f"You must compile your model before {what}. Call `model.compile(optimizer, loss)` first."
            )

    # -- losses and metrics ----------------------------------------------------------------
    def _build_metrics(self, y: Any) -> None:
        """Pairs losses and metrics with the outputs, once the targets' structure is known."""
        if self.compiled_metrics.built and (self.compiled_loss is None or self.compiled_loss.built):
            return
        names = output_names(self, y)
        if self.compiled_loss is not None and not self.compiled_loss.built:
            self.compiled_loss.build(y, names)
        losses = self.compiled_loss.fns if self.compiled_loss is not None else []
        if not self.compiled_metrics.built:
            self.compiled_metrics.build(y, names, losses, _output_shapes(self))

    @property
    def metrics(self) -> list:
        """The loss tracker, the per-output loss trackers, the compiled metrics, then metrics
        assigned as attributes of the model (as tf.keras, e.g. ``self.loss_tracker = Mean()``)."""
        from eagerkit.keras import metrics as metrics_mod

        out = []
        if self._compiled:
            out.append(self._loss_tracker)
            if self.compiled_loss is not None:
                out.extend(self.compiled_loss.metrics)
            out.extend(self.compiled_metrics.metrics)
        seen = {id(m) for m in out}
        for value in list(vars(self).values()):
            if isinstance(value, metrics_mod.Metric) and id(value) not in seen:
                out.append(value)
                seen.add(id(value))
        return out

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        """Resets the state of every metric of :attr:`metrics` (``fit``/``evaluate`` do it first).

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        >>> y = np.array([[2.0], [6.0]], "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
        >>> _ = model.evaluate(x, y, verbose=0)
        >>> model.reset_metrics()
        >>> {name: float(value) for name, value in model.get_metrics_result().items()}
        {'loss': 0.0, 'mae': 0.0}
        """
        for m in self.metrics:
            m.reset_state()

    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None) -> Any:
        """Compiled loss(es), weighted and summed, plus the model's regularization losses.

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        >>> y = np.array([[2.0], [6.0]], "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
        >>> model.compute_loss(x, y, model(x))
        <tf.Tensor: shape=(), dtype=float32, numpy=1.0>
        """
        if self.compiled_loss is None:
            raise ValueError("No loss to compute: pass `loss=` to compile(), or override compute_loss/train_step.")
        total = self.compiled_loss.compute(y, y_pred, sample_weight)
        for r in self.losses:
            r = math_ops.cast(r, total.dtype) if r.dtype != total.dtype else r
            total = total + r
        # Under a strategy the replicas' gradients are summed: each replica's loss is divided
        # by the replica count (Keras' scale_loss_for_distribution).
        replicas = distribute_lib.current_replica_count()
        return total if replicas == 1 else total / float(replicas)

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None, loss: Any = None) -> dict:
        """Updates the compiled metrics (and the loss tracker with ``loss``); returns ``{name: result}``.

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        >>> y = np.array([[2.0], [6.0]], "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
        >>> logs = model.compute_metrics(x, y, model(x), loss=ek.constant(1.0))
        >>> {name: float(value) for name, value in logs.items()}
        {'loss': 1.0, 'mae': 1.0}
        """
        if loss is not None:
            replicas = distribute_lib.current_replica_count()
            unscaled = loss if replicas == 1 else loss * float(replicas)
            self._loss_tracker.update_state(unscaled, sample_weight=_batch_size(nest.flatten(y_pred)[0]))
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict:
        """``{name: result}`` for every metric of :attr:`metrics`.

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        >>> y = np.array([[2.0], [6.0]], "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
        >>> _ = model.evaluate(x, y, verbose=0)
        >>> {name: float(value) for name, value in model.get_metrics_result().items()}
        {'loss': 1.0, 'mae': 1.0}
        """
        return {m.name: m.result() for m in self.metrics}

    # -- steps ----------------------------------------------------------------------------------
    def train_step(self, data: Any) -> dict:
        """One optimisation step on a batch; override for custom training (as in tf.keras).

        ``fit`` runs it on each batch; a subclass can extend the default with ``super().train_step(data)``:

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> class Logged(ek.keras.Sequential):
        ...     def train_step(self, data):
        ...         logs = super().train_step(data)
        ...         logs["iterations"] = self.optimizer.iterations
        ...         return logs
        >>> model = Logged([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.01), loss="mse")
        >>> x, y = np.array([[1.0, 2.0], [3.0, 4.0]], "float32"), np.array([[2.0], [6.0]], "float32")
        >>> history = model.fit(x, y, epochs=2, verbose=0).history
        >>> sorted(history), history["iterations"]
        (['iterations', 'loss'], [1.0, 2.0])
        """
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        variables = self.trainable_variables
        grads = tape.gradient(loss, variables)
        self.optimizer.apply_gradients(zip(grads, variables))
        return self.compute_metrics(x, y, y_pred, sample_weight, loss=loss)

    def test_step(self, data: Any) -> dict:
        """One evaluation step on a batch.

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        >>> y = np.array([[2.0], [6.0]], "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
        >>> logs = model.test_step((x, y))  # what evaluate runs per batch
        >>> {name: float(value) for name, value in logs.items()}
        {'loss': 1.0, 'mae': 1.0}
        """
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight)
        return self.compute_metrics(x, y, y_pred, sample_weight, loss=loss)

    def predict_step(self, data: Any) -> Any:
        """Forward pass on a batch.

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.predict_step((x,))  # what predict runs per batch
        <tf.Tensor: shape=(2, 1), dtype=float32, numpy=
        array([[3.],
               [7.]], dtype=float32)>
        """
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _step_function(self, kind: str) -> Any:
        attr = f"_{kind}_function"
        fn = getattr(self, attr, None)
        if fn is None:
            step = getattr(self, f"{kind}_step")
            strategy = self.distribute_strategy
            if not isinstance(strategy, distribute_lib._DefaultStrategy):
                fn = _distributed_step(strategy, step, kind, self.run_eagerly)
            else:
                fn = step if self.run_eagerly else ek_function(step)
            setattr(self, attr, fn)
        return fn

    def make_train_function(self, force: bool = False) -> Any:
        """The function ``fit`` and ``train_on_batch`` call on each batch (built once; ``force`` rebuilds it).

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
        >>> train_function = model.make_train_function()  # what fit calls on each batch
        >>> train_function
        <eagerkit.Function train_step>
        >>> model.make_train_function() is train_function, model.make_train_function(force=True) is train_function
        (True, False)
        """
        if force:
            self._train_function = None
        return self._step_function("train")

    def make_test_function(self, force: bool = False) -> Any:
        """The function ``evaluate`` and ``test_on_batch`` call on each batch (built once; ``force`` rebuilds it).

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
        >>> model.make_test_function()  # what evaluate calls on each batch
        <eagerkit.Function test_step>
        >>> model.run_eagerly = True  # then the plain Python method
        >>> model.make_test_function() == model.test_step
        True
        """
        if force:
            self._test_function = None
        return self._step_function("test")

    def make_predict_function(self, force: bool = False) -> Any:
        """The function ``predict`` calls on each batch (built once; ``force`` rebuilds it).

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> predict_function = model.make_predict_function()  # what predict calls on each batch
        >>> predict_function
        <eagerkit.Function predict_step>
        >>> predict_function((x,)).numpy().ravel().tolist()
        [3.0, 7.0]
        """
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
        """Trains for ``epochs`` epochs; returns a ``History``.

        ``x`` may be NumPy arrays, Tensors, lists/dicts of them, an ``ek.data.Dataset`` or a
        Python generator (elements ``(x, y)`` or ``(x, y, sample_weight)``). Callback hooks fire in
        tf.keras' order; ``validation_freq`` runs validation after every n-th epoch.

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        >>> y = np.array([[2.0], [6.0]], "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
        >>> history = model.fit(x, y, batch_size=2, epochs=3, verbose=0)
        >>> history.epoch, [round(v, 4) for v in history.history["loss"]]
        ([0, 1, 2], [1.0, 0.5284, 0.3074])
        >>> history = model.fit(ek.data.Dataset.from_tensor_slices((x, y)).batch(1), epochs=1, verbose=0)
        >>> history.params
        {'verbose': 0, 'epochs': 1, 'steps': 2}
        """
        self._require_compiled("training/testing")
        if kwargs:
            raise TypeError(f"fit() got unexpected keyword arguments: {sorted(kwargs)}")
        verbose = _verbosity(verbose)
        if not isinstance(validation_freq, int) or validation_freq < 1:
            raise ValueError(f"validation_freq must be a positive integer, got {validation_freq!r}")
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = train_validation_split(x, y, sample_weight, validation_split)
        handler = DataHandler(x, y, sample_weight, batch_size, steps_per_epoch, shuffle, class_weight)
        params = {"verbose": verbose, "epochs": epochs, "steps": handler.steps}
        callbacks_ = cbks.CallbackList(callbacks, self, params, add_history=True, add_progbar=verbose != 0)
        train_fn = self.make_train_function()
        self.stop_training = False
        callbacks_.on_train_begin()
        epoch_logs: dict = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callbacks_.on_epoch_begin(epoch)
            logs: dict | None = None
            for step, batch in handler.epoch_batches():
                if logs is None:
                    self._build_metrics(unpack_x_y_sample_weight(batch)[1])
                callbacks_.on_train_batch_begin(step)
                logs = _float_logs(train_fn(batch))
                callbacks_.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            if logs is None:
                sys.stderr.write(
                    "Your input ran out of data; interrupting training. Make sure that your dataset or "
                    "generator can generate at least `steps_per_epoch * epochs` batches (pass `steps_per_epoch` "
                    "and use `.repeat()` on a Dataset).\n"
                )
                self.stop_training = True
                break
            params["steps"] = handler.steps
            epoch_logs = dict(logs)
            if validation_data is not None and (epoch + 1) % validation_freq == 0:
                vx, vy, vsw = (
                    unpack_x_y_sample_weight(tuple(validation_data))
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
        return callbacks_.history

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
        """Loss and metrics on the data; a scalar, a list, or a dict with ``return_dict=True``.

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        >>> y = np.array([[2.0], [6.0]], "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
        >>> model.evaluate(x, y, verbose=0)  # [loss, mae]
        [1.0, 1.0]
        >>> model.evaluate(x, y, batch_size=1, verbose=0, return_dict=True)
        {'loss': 1.0, 'mae': 1.0}
        """
        self._require_compiled("training/testing")
        if kwargs:
            raise TypeError(f"evaluate() got unexpected keyword arguments: {sorted(kwargs)}")
        verbose = _verbosity(verbose)
        handler = DataHandler(x, y, sample_weight, batch_size, steps, shuffle=False)
        cb = _callbacks or cbks.CallbackList(
            callbacks, self, {"verbose": verbose, "epochs": 1, "steps": handler.steps}, add_progbar=verbose != 0
        )
        test_fn = self.make_test_function()
        self.reset_metrics()
        cb.on_test_begin()
        logs: dict | None = None
        for step, batch in handler.epoch_batches():
            if logs is None:
                self._build_metrics(unpack_x_y_sample_weight(batch)[1])
            cb.on_test_batch_begin(step)
            logs = _float_logs(test_fn(batch))
            cb.on_test_batch_end(step, logs)
        if logs is None:
            raise ValueError("evaluate got no data: the input produced zero batches.")
        cb.on_test_end(logs)
        if return_dict:
            return logs
        return _values(logs)

    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: Any = "auto",
        steps: int | None = None,
        callbacks: Any = None,
        **kwargs: Any,
    ) -> Any:
        """Model outputs for the inputs, as NumPy arrays (batches concatenated).

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.predict(x, batch_size=1, verbose=0)
        array([[3.],
               [7.]], dtype=float32)
        """
        if kwargs:
            raise TypeError(f"predict() got unexpected keyword arguments: {sorted(kwargs)}")
        verbose = _verbosity(verbose)
        handler = DataHandler(x, None, None, batch_size, steps, shuffle=False, predict=True)
        fn = self.make_predict_function()
        cb = cbks.CallbackList(
            callbacks, self, {"verbose": verbose, "epochs": 1, "steps": handler.steps}, add_progbar=verbose != 0
        )
        cb.on_predict_begin()
        outs: list = []
        for step, batch in handler.epoch_batches():
            cb.on_predict_batch_begin(step)
            out = nest.map_structure(lambda t: np.asarray(t), fn(batch))
            outs.append(out)
            cb.on_predict_batch_end(step, {"outputs": out})
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
        """One training step on exactly this batch; returns the loss (and metrics).

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        >>> y = np.array([[2.0], [6.0]], "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
        >>> model.train_on_batch(x, y)  # loss and mae before the update
        [1.0, 1.0]
        >>> logs = model.train_on_batch(x, y, return_dict=True)  # after one SGD step
        >>> {name: round(value, 4) for name, value in logs.items()}
        {'loss': 0.5284, 'mae': 0.72}
        """
        self._require_compiled("training/testing")
        handler = DataHandler(x, y, sample_weight, batch_size=_first_dim(x), shuffle=False, class_weight=class_weight)
        if reset_metrics:
            self.reset_metrics()
        _, batch = next(handler.epoch_batches())
        self._build_metrics(unpack_x_y_sample_weight(batch)[1])
        logs = _float_logs(self.make_train_function()(batch))
        return logs if return_dict else _values(logs)

    def test_on_batch(
        self, x: Any, y: Any = None, sample_weight: Any = None, reset_metrics: bool = True, return_dict: bool = False
    ) -> Any:
        """Loss and metrics on exactly this batch.

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        >>> y = np.array([[2.0], [6.0]], "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.compile(optimizer=ek.keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
        >>> model.test_on_batch(x, y)
        [1.0, 1.0]
        >>> model.test_on_batch(x[:1], y[:1], return_dict=True)
        {'loss': 1.0, 'mae': 1.0}
        """
        self._require_compiled("training/testing")
        handler = DataHandler(x, y, sample_weight, batch_size=_first_dim(x), shuffle=False)
        if reset_metrics:
            self.reset_metrics()
        _, batch = next(handler.epoch_batches())
        self._build_metrics(unpack_x_y_sample_weight(batch)[1])
        logs = _float_logs(self.make_test_function()(batch))
        return logs if return_dict else _values(logs)

    def predict_on_batch(self, x: Any) -> Any:
        """Outputs for exactly this batch, as NumPy.

        >>> import numpy as np
        >>> import eagerkit as ek
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.predict_on_batch(x)
        array([[3.],
               [7.]], dtype=float32)
        """
        return self.predict(x, batch_size=_first_dim(x), verbose=0)

    # -- saving -----------------------------------------------------------------------------
    def save_weights(self, filepath: Any, overwrite: bool = True, save_format: Any = None, options: Any = None) -> None:
        """Saves the weights as an object-based checkpoint (``model.save_weights('weights')``).

        >>> import os, shutil, tempfile
        >>> import eagerkit as ek
        >>> directory = tempfile.mkdtemp()
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
        >>> model.save_weights(os.path.join(directory, "weights"))
        >>> other = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,))])
        >>> _ = other.load_weights(os.path.join(directory, "weights"))
        >>> other.get_weights()[0].tolist()
        [[1.0], [1.0]]
        >>> shutil.rmtree(directory)
        """
        from eagerkit._src.keras.training import saving

        saving.save_weights(self, filepath, overwrite=overwrite, options=options)

    def load_weights(
        self, filepath: Any, skip_mismatch: bool = False, by_name: bool = False, options: Any = None
    ) -> Any:
        """Restores weights saved with ``save_weights``; returns the load status.

        >>> import os, shutil, tempfile
        >>> import eagerkit as ek
        >>> directory = tempfile.mkdtemp()
        >>> def make():
        ...     return ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,))])
        >>> model = make()
        >>> model.save_weights(os.path.join(directory, "weights"))
        >>> restored = make()
        >>> restored.load_weights(os.path.join(directory, "weights"))
        <eagerkit.train.CheckpointLoadStatus for '...weights'>
        >>> all((a == b).all() for a, b in zip(restored.get_weights(), model.get_weights()))
        True
        >>> shutil.rmtree(directory)
        """
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
        """Saves architecture, weights and optimizer state; reload with ``ek.keras.models.load_model``.

        >>> import os, shutil, tempfile
        >>> import numpy as np
        >>> import eagerkit as ek
        >>> directory = tempfile.mkdtemp()
        >>> x, y = np.ones((4, 2), "float32"), np.zeros((4, 1), "float32")
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(2,))])
        >>> model.compile(optimizer="adam", loss="mse")
        >>> _ = model.fit(x, y, verbose=0)
        >>> model.save(os.path.join(directory, "model.keras"))
        >>> restored = ek.keras.models.load_model(os.path.join(directory, "model.keras"))
        >>> restored.optimizer, int(restored.optimizer.iterations.numpy())
        (<Adam name=adam>, 1)
        >>> bool(np.allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0)))
        True
        >>> shutil.rmtree(directory)
        """
        from eagerkit._src.keras.training import saving

        saving.save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)


def _distributed_step(strategy: Any, step: Any, kind: str, run_eagerly: bool) -> Any:
    """``step`` run on every replica of ``strategy`` (as Keras' fit does under a scope).

    The batch is split over the replicas; train/test logs are taken from the first replica
    (metric results are already synchronised across replicas); predictions are concatenated.
    """

    def replicated(batch: Any) -> Any:
        outputs = strategy.run(step, args=(batch,))
        if kind == "predict":
            return strategy.gather(outputs, axis=0)
        return nest.map_structure(lambda v: v.values[0] if isinstance(v, PerReplica) else v, outputs)

    compiled = replicated if run_eagerly else ek_function(replicated)

    def call(batch: Any) -> Any:
        with strategy.scope():
            return compiled(strategy.distribute_batch(batch))

    return call


def _verbosity(verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2) and not isinstance(verbose, bool):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2, got {verbose!r}")
    return int(verbose)


def _first_dim(x: Any) -> int:
    return int(np.shape(nest.flatten(x)[0])[0])


def _values(logs: dict) -> Any:
    v = list(logs.values())
    return v[0] if len(v) == 1 else v


__all__ = ["Trainer"]
