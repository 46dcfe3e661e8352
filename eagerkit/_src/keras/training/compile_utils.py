"""What ``Model.compile`` turns its ``loss``/``metrics`` arguments into.

``CompiledLoss`` pairs each model output with its loss and weight (single outputs, lists
or dicts keyed by output name, as tf.keras) and tracks the per-output losses of
multi-output models (``<output>_loss``). ``CompiledMetrics`` does the same for metrics:
``metrics`` are updated without sample weights and ``weighted_metrics`` with them, as in
tf.keras; the string ``"accuracy"`` becomes the binary, categorical or sparse categorical
accuracy that fits the output's loss and shapes.

>>> import numpy as np
>>> import eagerkit as ek
>>> from eagerkit._src.keras.training.compile_utils import CompiledLoss
>>> loss = CompiledLoss("mse", None)
>>> loss.build(np.zeros((2, 1)), None)
>>> float(loss(ek.constant([[1.0], [3.0]]), ek.constant([[0.0], [0.0]])))
5.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

from eagerkit._src.util import nest


def _losses_mod() -> Any:
    from eagerkit.keras import losses

    return losses


def _metrics_mod() -> Any:
    from eagerkit.keras import metrics

    return metrics


def output_names(model: Any, y: Any) -> list[str] | None:
    """Names of the model outputs in ``nest.flatten`` order; None for a single output."""
    outs = getattr(model, "_outputs_struct", None)
    if isinstance(outs, dict):
        return [str(k) for k in sorted(outs)]
    if isinstance(outs, (list, tuple)) and len(nest.flatten(outs)) > 1:
        names = []
        for i, t in enumerate(nest.flatten(outs)):
            history = getattr(t, "_keras_history", None)
            names.append(history.layer.name if history is not None else f"output_{i + 1}")
        return names
    if isinstance(y, dict):
        return [str(k) for k in sorted(y)]
    if isinstance(y, (list, tuple)) and len(y) > 1:
        return [f"output_{i + 1}" for i in range(len(nest.flatten(y)))]
    return None


def _per_output(spec: Any, names: list[str] | None, what: str, broadcast: bool) -> list[Any]:
    """Aligns a compile argument (single value, list or dict) with the flat outputs."""
    n = 1 if names is None else len(names)
    if isinstance(spec, dict):
        if names is None:
            values = list(spec.values())
            if len(values) != 1:
                raise ValueError(
                    f"compile(): `{what}` is a dict with keys {sorted(spec)}, but the model has a single output."
                )
            return values
        unknown = sorted(set(map(str, spec)) - set(names))
        if unknown:
            raise ValueError(
                f"compile(): `{what}` has keys {unknown} that match no model output; output names are {names}."
            )
        return [spec.get(name) for name in names]
    if isinstance(spec, (list, tuple)) and names is not None and (not broadcast or len(spec) == n):
        if len(spec) != n:
            raise ValueError(
                f"compile(): `{what}` has {len(spec)} entries but the model has {n} outputs ({names}); pass "
                "one entry per output, or a dict keyed by output name."
            )
        return list(spec)
    return [spec] * n


def _loss_name(loss: Any) -> str:
    if loss is None:
        return ""
    parts = [getattr(loss, "name", "") or "", type(loss).__name__]
    fn = getattr(loss, "fn", None)
    if fn is not None:
        parts.append(getattr(fn, "__name__", ""))
    return " ".join(str(p) for p in parts).lower()


class CompiledLoss:
    """The compiled loss: ``sum_i w_i * loss_i(y_i, y_pred_i)`` (+ regularization losses).

    Calling it as TF 2's ``model.compiled_loss(y, y_pred, sample_weight, regularization_losses)``
    also updates the ``loss`` tracker, as tf.keras does.
    """

    def __init__(self, loss: Any, loss_weights: Any, loss_tracker: Any = None) -> None:
        self._spec = loss
        self._weights_spec = loss_weights
        self._loss_tracker = loss_tracker
        self.names: list[str] | None = None
        self.fns: list[Any] = []
        self.weights: list[float] = []
        self.trackers: list[Any] = []
        self.built = False

    @staticmethod
    def _as_loss(identifier: Any) -> Any:
        if identifier is None:
            return None
        losses = _losses_mod()
        fn = losses.get(identifier)
        # As Keras does, plain loss functions (per-sample) are wrapped to reduce and take sample_weight.
        return fn if isinstance(fn, losses.Loss) else losses.LossFunctionWrapper(fn)

    def build(self, y: Any, names: list[str] | None) -> None:
        """Pairs losses with outputs (``names`` from :func:`output_names`)."""
        self.names = names
        specs = _per_output(self._spec, names, "loss", broadcast=True)
        self.fns = [self._as_loss(s) for s in specs]
        if self._weights_spec is None:
            self.weights = [1.0] * len(self.fns)
        else:
            self.weights = [
                1.0 if w is None else float(w) for w in _per_output(self._weights_spec, names, "loss_weights", False)
            ]
        if names is not None:
            mean = _metrics_mod().Mean
            self.trackers = [mean(name=f"{n}_loss") if fn is not None else None for n, fn in zip(names, self.fns)]
        self.built = True

    @property
    def metrics(self) -> list[Any]:
        """The per-output loss trackers (multi-output models only)."""
        return [t for t in self.trackers if t is not None]

    def compute(self, y_true: Any, y_pred: Any, sample_weight: Any = None, track: bool = True) -> Any:
        """The weighted sum of the output losses (None when no output has a loss)."""
        if not self.built:
            self.build(y_true, None)
        ys = nest.flatten(y_true) if self.names is not None else [y_true]
        preds = nest.flatten(y_pred) if self.names is not None else [y_pred]
        if len(preds) != len(self.fns):
            raise ValueError(
                f"The model returned {len(preds)} outputs but the compiled loss expects {len(self.fns)} "
                f"({self.names or 'a single output'})."
            )
        if len(ys) != len(preds):
            raise ValueError(
                f"Got {len(ys)} target(s) `y` for {len(preds)} model output(s); pass one target per output."
            )
        sws = _per_output(sample_weight, self.names, "sample_weight", True) if sample_weight is not None else None
        total = None
        for i, (fn, yt, yp, w) in enumerate(zip(self.fns, ys, preds, self.weights)):
            if fn is None:
                continue
            term = fn(yt, yp, sample_weight=None if sws is None else sws[i])
            if track and self.trackers and self.trackers[i] is not None:
                self.trackers[i].update_state(term, sample_weight=_batch_size(yp))
            weighted = term * w if w != 1.0 else term
            total = weighted if total is None else total + weighted
        return total

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None, regularization_losses: Any = None) -> Any:
        total = self.compute(y_true, y_pred, sample_weight)
        for r in regularization_losses or []:
            total = r if total is None else total + r
        if total is None:
            raise ValueError("No loss to compute: pass `loss=` to compile().")
        if self._loss_tracker is not None:
            self._loss_tracker.update_state(total, sample_weight=_batch_size(nest.flatten(y_pred)[0]))
        return total


def _batch_size(t: Any) -> int:
    shape = np.shape(t) if not hasattr(t, "shape") else t.shape
    return int(shape[0]) if len(shape) else 1


def _accuracy_class(loss: Any, y: Any, out_shape: Any) -> str:
    """tf.keras' choice for the string "accuracy": from the loss, else from the shapes."""
    name = _loss_name(loss)
    if "sparse" in name:
        return "SparseCategoricalAccuracy"
    if "binary" in name or "hinge" in name and "categorical" not in name:
        return "BinaryAccuracy"
    if "categorical" in name:
        return "CategoricalAccuracy"
    y_shape = tuple(np.shape(y)) if y is not None else None
    y_rank = len(y_shape) if y_shape is not None else None
    if out_shape is not None and len(out_shape) > 0:
        p_last = out_shape[-1]
        if p_last == 1:
            return "BinaryAccuracy"
        if y_rank is not None and (y_rank < len(out_shape) or y_shape[-1] == 1):
            return "SparseCategoricalAccuracy"
        return "CategoricalAccuracy"
    if y_shape is not None and np.issubdtype(np.asarray(y).dtype, np.integer):
        return "SparseCategoricalAccuracy" if (y_rank == 1 or y_shape[-1] == 1) else "CategoricalAccuracy"
    if y_shape is not None and y_rank >= 2 and y_shape[-1] > 1:
        return "CategoricalAccuracy"
    return "BinaryAccuracy"


class CompiledMetrics:
    """The compiled metrics of every output; ``update_state`` as TF 2's ``model.compiled_metrics``."""

    def __init__(self, metrics: Any, weighted_metrics: Any) -> None:
        self._spec = metrics
        self._weighted_spec = weighted_metrics
        self.names: list[str] | None = None
        self.per_output: list[list[Any]] = []
        self.weighted_per_output: list[list[Any]] = []
        self.built = False

    def _make(self, spec: Any, prefix: str, loss: Any, y: Any, out_shape: Any) -> Any:
        metrics = _metrics_mod()
        if isinstance(spec, str) and spec in ("accuracy", "acc"):
            metric = getattr(metrics, _accuracy_class(loss, y, out_shape))(name=spec)
        else:
            metric = metrics.get(spec)
            if not isinstance(metric, metrics.Metric):
                metric = metrics.MeanMetricWrapper(metric, name=getattr(metric, "__name__", "metric"))
            if isinstance(spec, str):
                metric.name = spec  # as tf.keras: metrics=["mae"] logs "mae"
        if prefix:
            metric.name = f"{prefix}_{metric.name}"
        return metric

    def build(self, y: Any, names: list[str] | None, losses: list[Any], out_shapes: list[Any] | None) -> None:
        self.names = names
        n = 1 if names is None else len(names)
        ys = nest.flatten(y) if names is not None and y is not None else [y] * n
        shapes = out_shapes if out_shapes is not None and len(out_shapes) == n else [None] * n
        losses = losses if len(losses) == n else [None] * n

        def per_output(spec: Any, what: str) -> list[list[Any]]:
            if spec is None:
                return [[] for _ in range(n)]
            if names is None:
                if isinstance(spec, dict):
                    spec = [m for v in spec.values() for m in (v if isinstance(v, (list, tuple)) else [v])]
                return [list(spec) if isinstance(spec, (list, tuple)) else [spec]]
            if isinstance(spec, (list, tuple)) and spec and all(isinstance(s, (list, tuple)) for s in spec):
                aligned = _per_output(list(spec), names, what, broadcast=False)
            elif isinstance(spec, dict):
                aligned = _per_output(spec, names, what, broadcast=False)
            else:
                aligned = [spec] * n  # one list of metrics applied to every output, as tf.keras
            return [[] if a is None else list(a) if isinstance(a, (list, tuple)) else [a] for a in aligned]

        made: set[str] = set()
        self.per_output = []
        for i, specs in enumerate(per_output(self._spec, "metrics")):
            prefix = names[i] if names is not None else ""
            row = [self._make(s, prefix, losses[i], ys[i], shapes[i]) for s in specs]
            made.update(m.name for m in row)
            self.per_output.append(row)
        self.weighted_per_output = []
        for i, specs in enumerate(per_output(self._weighted_spec, "weighted_metrics")):
            prefix = names[i] if names is not None else ""
            row = []
            for s in specs:
                m = self._make(s, prefix, losses[i], ys[i], shapes[i])
                if m.name in made:
                    m.name = f"{prefix}_weighted_{m.name[len(prefix) + 1 :]}" if prefix else f"weighted_{m.name}"
                made.add(m.name)
                row.append(m)
            self.weighted_per_output.append(row)
        self.built = True

    @property
    def metrics(self) -> list[Any]:
        return [m for row in self.per_output for m in row] + [m for row in self.weighted_per_output for m in row]

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        if not self.built:
            self.build(y_true, None, [], None)
        ys = nest.flatten(y_true) if self.names is not None else [y_true]
        preds = nest.flatten(y_pred) if self.names is not None else [y_pred]
        sws = (
            _per_output(sample_weight, self.names, "sample_weight", True)
            if sample_weight is not None
            else [None] * len(preds)
        )
        for i, (yt, yp) in enumerate(zip(ys, preds)):
            for m in self.per_output[i] if i < len(self.per_output) else []:
                m.update_state(yt, yp)
            for m in self.weighted_per_output[i] if i < len(self.weighted_per_output) else []:
                m.update_state(yt, yp, sample_weight=sws[i])

    def reset_state(self) -> None:
        for m in self.metrics:
            m.reset_state()


__all__ = ["CompiledLoss", "CompiledMetrics", "output_names"]
