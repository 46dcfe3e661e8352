"""Model weights and whole-model files: ``save_weights``/``load_weights``, ``save``/``load_model``.

Both are object-based checkpoints (``ek.train``; orbax stores the arrays, the object
graph is JSON, nothing is pickled). A whole-model file also stores the architecture
(``get_config``) and, when compiled, the optimizer's state, so ``load_model`` rebuilds
Sequential, functional and registered custom models without running code from the file.

>>> import os, tempfile
>>> import numpy as np
>>> import eagerkit as ek
>>> model = ek.keras.Sequential([ek.keras.layers.Dense(2, input_shape=(3,))])
>>> path = os.path.join(tempfile.mkdtemp(), "model")
>>> model.save(path)
>>> clone = ek.keras.models.load_model(path)
>>> bool(np.allclose(clone.get_weights()[0], model.get_weights()[0]))
True
"""

from __future__ import annotations

import json
import os
from typing import Any

from eagerkit._src.core.tracking import AutoTrackable

FORMAT = "eagerkit-keras-model/1"


class _SavedModelRoot(AutoTrackable):
    """The object graph of a whole-model file: the model and (optionally) its optimizer."""

    def __init__(self, model: Any, optimizer: Any = None) -> None:
        self.model = model
        if optimizer is not None:
            self.optimizer = optimizer


def save_weights(model: Any, filepath: str | os.PathLike, overwrite: bool = True, options: Any = None) -> None:
    """Writes the model's variables to the checkpoint ``filepath`` (keys by object path)."""
    from eagerkit._src.train.checkpoint import save_object_graph

    path = os.fspath(filepath)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    save_object_graph(model, path, options=options)


def load_weights(
    model: Any, filepath: str | os.PathLike, skip_mismatch: bool = False, by_name: bool = False, options: Any = None
) -> Any:
    """Restores weights saved by ``save_weights`` (deferred for layers built later); returns the status."""
    from eagerkit._src.train.checkpoint import read_checkpoint_metadata, restore_object_graph

    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No weights found at {path!r}: save them with model.save_weights({path!r}).")
    meta = read_checkpoint_metadata(path)
    if meta and meta.get("format") == FORMAT:  # a whole-model file: take the model's weights from it
        status = restore_object_graph(_SavedModelRoot(model), path)
        status.expect_partial()
    else:
        status = restore_object_graph(model, path)
    # As tf.keras: a checkpoint that matches nothing in the model is an error, not a silent no-op.
    status.assert_nontrivial_match()
    return status


def save_model(model: Any, filepath: str | os.PathLike, overwrite: bool = True, include_optimizer: bool = True) -> None:
    """Writes architecture (``get_config``) + weights (+ optimizer state) to ``filepath``.

    >>> import os, shutil, tempfile
    >>> import eagerkit as ek
    >>> directory = tempfile.mkdtemp()
    >>> model = ek.keras.Sequential([ek.keras.Input(shape=(3,)), ek.keras.layers.Dense(2)])
    >>> model.compile(optimizer="adam", loss="mse")
    >>> ek.keras.models.save_model(model, os.path.join(directory, "model.keras"))
    >>> restored = ek.keras.models.load_model(os.path.join(directory, "model.keras"))
    >>> bool(ek.reduce_all(restored(ek.ones([1, 3])) == model(ek.ones([1, 3]))))
    True
    >>> shutil.rmtree(directory)
    """
    from eagerkit._src.keras.engine.serialization import serialize_object
    from eagerkit._src.train.checkpoint import save_object_graph

    path = os.fspath(filepath)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    try:
        config = serialize_object(model)
    except NotImplementedError as e:
        raise NotImplementedError(
            f"Model.save needs the model's architecture: {type(model).__name__}.get_config() is not implemented "
            f"({e}). Implement get_config/from_config and register the class with "
            "@ek.keras.utils.register_keras_serializable(), or use save_weights()."
        ) from None
    optimizer = getattr(model, "optimizer", None) if include_optimizer else None
    metadata: dict[str, Any] = {"format": FORMAT, "model": config}
    if optimizer is not None:
        metadata["optimizer"] = serialize_object(optimizer)
        loss = getattr(model, "_loss_spec", None)
        metrics = getattr(model, "_metric_specs", None)
        try:
            compile_args = {
                "loss": _serialize_nest(loss, serialize_object),
                "metrics": _serialize_nest(metrics, serialize_object),
                "loss_weights": getattr(model, "_loss_weights", None),
                "weighted_metrics": _serialize_nest(getattr(model, "_weighted_metric_specs", None), serialize_object),
            }
            json.dumps(compile_args)
            metadata["compile"] = compile_args
        except (ValueError, TypeError, NotImplementedError):
            pass  # custom, unserializable losses: the model loads uncompiled, with its optimizer state
    save_object_graph(_SavedModelRoot(model, optimizer), path, metadata=metadata)


def load_model(
    filepath: str | os.PathLike,
    custom_objects: dict[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
) -> Any:
    """Rebuilds a model saved with ``Model.save`` (architecture, weights, optimizer state).

    >>> import os, shutil, tempfile
    >>> import eagerkit as ek
    >>> directory = tempfile.mkdtemp()
    >>> model = ek.keras.Sequential([ek.keras.Input(shape=(3,)), ek.keras.layers.Dense(2, activation="relu")])
    >>> model.save(os.path.join(directory, "model.keras"))
    >>> restored = ek.keras.models.load_model(os.path.join(directory, "model.keras"))
    >>> type(restored).__name__, restored.layers[0].activation.__name__
    ('Sequential', 'relu')
    >>> shutil.rmtree(directory)
    """
    from eagerkit._src.keras.engine.serialization import custom_object_scope, lookup
    from eagerkit._src.train.checkpoint import read_checkpoint_metadata, restore_object_graph

    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No model found at {path!r}: save one with model.save({path!r}).")
    meta = read_checkpoint_metadata(path)
    if not meta or meta.get("format") != FORMAT:
        raise ValueError(
            f"{path} is not a whole-model file written by Model.save (it may be a weights-only checkpoint: "
            "build the model in code and call model.load_weights instead)."
        )
    from eagerkit.keras import layers as layers_mod
    from eagerkit.keras import models as models_mod
    from eagerkit.keras import optimizers as optimizers_mod

    table = {n: getattr(layers_mod, n) for n in dir(layers_mod) if isinstance(getattr(layers_mod, n), type)}
    from eagerkit._src.keras.engine.functional import Functional

    table.update({n: getattr(models_mod, n) for n in ("Model", "Sequential") if hasattr(models_mod, n)})
    table["Functional"] = Functional
    with custom_object_scope(custom_objects or {}):
        spec = meta["model"]
        cls = lookup(spec["class_name"], table, "model", custom_objects)
        try:
            model = cls.from_config(spec["config"], custom_objects=custom_objects)
        except TypeError:
            model = cls.from_config(spec["config"])
        optimizer = None
        if compile and "optimizer" in meta:
            optimizer = (
                optimizers_mod.deserialize(meta["optimizer"])
                if hasattr(optimizers_mod, "deserialize")
                else optimizers_mod.get(meta["optimizer"])
            )
        compile_args = meta.get("compile") if optimizer is not None else None
        if compile_args is not None:
            from eagerkit.keras import losses as losses_mod
            from eagerkit.keras import metrics as metrics_mod

            try:
                model.compile(
                    optimizer=optimizer,
                    loss=_deserialize_nest(compile_args["loss"], losses_mod.deserialize, custom_objects),
                    metrics=_deserialize_nest(compile_args["metrics"], metrics_mod.deserialize, custom_objects),
                    loss_weights=compile_args.get("loss_weights"),
                    weighted_metrics=_deserialize_nest(
                        compile_args.get("weighted_metrics"), metrics_mod.deserialize, custom_objects
                    ),
                )
            except ValueError as e:
                raise ValueError(
                    f"{path}: cannot re-compile the saved model ({e}). Pass the custom loss/metric in "
                    "`custom_objects={'name': obj}`, register it with @ek.keras.utils.register_keras_serializable(), "
                    "or load with compile=False."
                ) from None
    if optimizer is not None and model.built and model.trainable_variables:
        # Create the slots now (not on the first apply) so they receive their saved values at once.
        optimizer.build(model.trainable_variables)
    status = restore_object_graph(_SavedModelRoot(model, optimizer), path)
    if optimizer is None:
        status.expect_partial()
    elif compile_args is None:
        model.optimizer = optimizer
    return model


def _serialize_nest(spec: Any, serialize: Any) -> Any:
    if spec is None or isinstance(spec, str):
        return spec
    if isinstance(spec, (list, tuple)):
        return [_serialize_nest(s, serialize) for s in spec]
    if isinstance(spec, dict):
        return {k: _serialize_nest(v, serialize) for k, v in spec.items()}
    return serialize(spec)


def _deserialize_nest(spec: Any, deserialize: Any, custom_objects: dict[str, Any] | None) -> Any:
    from eagerkit._src.keras.engine.serialization import get_registered_object

    if spec is None:
        return None
    if isinstance(spec, str):
        found = get_registered_object(spec, custom_objects)
        return found if found is not None else spec
    if isinstance(spec, dict) and "class_name" in spec and "config" in spec:
        return deserialize(spec, custom_objects=custom_objects)
    if isinstance(spec, (list, tuple)):
        return [_deserialize_nest(s, deserialize, custom_objects) for s in spec]
    if isinstance(spec, dict):
        return {k: _deserialize_nest(v, deserialize, custom_objects) for k, v in spec.items()}
    return spec
