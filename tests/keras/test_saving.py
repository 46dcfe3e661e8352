"""Model.save_weights / load_weights and Model.save / ek.keras.models.load_model."""

import os
import shutil

import numpy as np
import pytest

import eagerkit as ek
from eagerkit._src.core.errors import DataLossError

load_model = ek.keras.models.load_model
X = np.random.default_rng(2).normal(size=(8, 4)).astype(np.float32)
LABELS = np.array([0, 1, 2, 1, 0, 2, 2, 1])


def sequential():
    return ek.keras.Sequential(
        [
            ek.keras.layers.Dense(5, activation="relu", input_shape=(4,)),
            ek.keras.layers.Dense(3),
        ]
    )


def functional():
    inputs = ek.keras.Input((4,), name="features")
    hidden = ek.keras.layers.Dense(5, activation="tanh", name="hidden")(inputs)
    merged = ek.keras.layers.Concatenate()([inputs, hidden])
    return ek.keras.Model(inputs, ek.keras.layers.Dense(3, name="logits")(merged), name="func")


class Residual(ek.keras.Model):
    """A subclassed model with a config (a constructor argument)."""

    def __init__(self, units=5, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.inner = ek.keras.layers.Dense(units, activation="relu")
        self.out = ek.keras.layers.Dense(3)

    def call(self, x):
        return self.out(self.inner(x))

    def get_config(self):
        return {"units": self.units, "name": self.name}


@ek.keras.utils.register_keras_serializable(package="test_saving")
class RegisteredResidual(Residual):
    pass


def compiled(model):
    model.compile(
        optimizer=ek.keras.optimizers.Adam(0.01),
        loss=ek.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def assert_same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb) and len(wa) > 0
    for x, y in zip(wa, wb):
        np.testing.assert_array_equal(x, y)


# -- save_weights / load_weights ---------------------------------------------------------------------------
def test_seed_guide_save_weights_and_load_weights(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = sequential()
    model(X)
    model.save_weights("weights")
    assert os.path.isdir(tmp_path / "weights")
    saved = [w.copy() for w in model.get_weights()]
    for v in model.trainable_variables:
        v.assign(ek.zeros_like(v))
    status = model.load_weights("weights")
    status.assert_consumed()
    for got, want in zip(model.get_weights(), saved):
        np.testing.assert_array_equal(got, want)


def test_load_weights_into_an_unbuilt_subclassed_model_is_deferred(tmp_path):
    model = Residual()
    expected = model(X).numpy()
    model.save_weights(str(tmp_path / "w"))
    fresh = Residual()
    assert not fresh.weights
    status = fresh.load_weights(str(tmp_path / "w"))
    np.testing.assert_array_equal(fresh(X).numpy(), expected)  # values arrive when the layers build
    status.assert_consumed()


def test_load_weights_errors(tmp_path):
    model = sequential()
    model(X)
    model.save_weights(str(tmp_path / "w"))
    with pytest.raises(FileNotFoundError, match="No weights found at"):
        model.load_weights(str(tmp_path / "missing"))
    wider = ek.keras.Sequential(
        [ek.keras.layers.Dense(6, activation="relu", input_shape=(4,)), ek.keras.layers.Dense(3)]
    )
    with pytest.raises(ValueError, match=r"'layer-0/kernel' .* shape \(4, 6\) in the program but shape \(4, 5\)"):
        wider.load_weights(str(tmp_path / "w"))
    other = Residual()
    other(X)
    with pytest.raises(AssertionError, match="Nothing except the root object matched"):
        other.load_weights(str(tmp_path / "w"))
    with pytest.raises(FileExistsError, match="overwrite=True"):
        model.save_weights(str(tmp_path / "w"), overwrite=False)


def test_load_weights_reads_the_weights_of_a_whole_model_file(tmp_path):
    model = compiled(sequential())
    model.fit(X, LABELS, epochs=1, verbose=0)
    model.save(str(tmp_path / "m"))
    fresh = sequential()
    fresh.load_weights(str(tmp_path / "m"))
    assert_same_weights(fresh, model)


# -- save / load_model --------------------------------------------------------------------------------------
@pytest.mark.parametrize("build", [sequential, functional], ids=["sequential", "functional"])
def test_save_and_load_model_round_trip(tmp_path, build):
    model = compiled(build())
    model.fit(X, LABELS, batch_size=4, epochs=1, verbose=0)
    path = str(tmp_path / "model")
    model.save(path)
    loaded = load_model(path)
    assert type(loaded) is type(model) and loaded.name == model.name
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert_same_weights(loaded, model)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert type(loaded.optimizer).__name__ == "Adam"
    assert int(loaded.optimizer.iterations.numpy()) == 2
    assert loaded.evaluate(X, LABELS, verbose=0, return_dict=True) == model.evaluate(
        X, LABELS, verbose=0, return_dict=True
    )
    uncompiled = load_model(path, compile=False)
    assert not uncompiled._compiled
    assert_same_weights(uncompiled, model)


def test_custom_model_with_custom_objects_and_with_registration(tmp_path):
    model = Residual(units=7, name="res")
    model(X)
    model.save(str(tmp_path / "custom"))
    with pytest.raises(ValueError, match="Residual"):
        load_model(str(tmp_path / "custom"))
    loaded = load_model(str(tmp_path / "custom"), custom_objects={"Residual": Residual})
    assert isinstance(loaded, Residual) and loaded.units == 7 and loaded.name == "res"
    np.testing.assert_array_equal(loaded(X).numpy(), model(X).numpy())

    registered = RegisteredResidual(units=6)
    registered(X)
    registered.save(str(tmp_path / "registered"))
    loaded = load_model(str(tmp_path / "registered"))
    assert type(loaded) is RegisteredResidual and loaded.units == 6
    np.testing.assert_array_equal(loaded(X).numpy(), registered(X).numpy())


def test_optimizer_state_is_restored_so_training_continues_identically(tmp_path):
    model = compiled(functional())
    model.fit(X, LABELS, batch_size=4, epochs=2, shuffle=False, verbose=0)
    model.save(str(tmp_path / "ckpt"))
    loaded = load_model(str(tmp_path / "ckpt"))
    slots = [v for v in loaded.optimizer.variables if v.shape.rank]
    assert slots and all(np.any(v.numpy() != 0) for v in slots)  # Adam moments, not fresh zeros
    h1 = model.fit(X, LABELS, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    h2 = loaded.fit(X, LABELS, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    assert h1 == h2
    assert_same_weights(loaded, model)
    assert int(loaded.optimizer.iterations.numpy()) == int(model.optimizer.iterations.numpy()) == 8


def test_save_without_optimizer(tmp_path):
    model = compiled(sequential())
    model.fit(X, LABELS, epochs=1, verbose=0)
    model.save(str(tmp_path / "m"), include_optimizer=False)
    loaded = load_model(str(tmp_path / "m"))
    assert not loaded._compiled
    assert_same_weights(loaded, model)


def test_load_model_on_a_weights_only_file_says_so(tmp_path):
    model = sequential()
    model(X)
    model.save_weights(str(tmp_path / "weights"))
    with pytest.raises(ValueError, match="not a whole-model file written by Model.save .*model.load_weights"):
        load_model(str(tmp_path / "weights"))
    with pytest.raises(FileNotFoundError, match="No model found at"):
        load_model(str(tmp_path / "nothing"))


def test_corrupted_files_raise_data_loss_errors(tmp_path):
    model = compiled(sequential())
    model(X)
    model.save(str(tmp_path / "m"))
    broken = tmp_path / "broken_graph"
    shutil.copytree(tmp_path / "m", broken)
    (broken / "object_graph.json").write_text("{not json")
    with pytest.raises(DataLossError, match="broken_graph' is corrupted: object_graph.json is not valid JSON"):
        load_model(str(broken))
    truncated = tmp_path / "truncated"
    shutil.copytree(tmp_path / "m", truncated)
    metadata = truncated / "arrays" / "_METADATA"
    metadata.write_bytes(metadata.read_bytes()[:40])
    with pytest.raises(
        DataLossError, match=r"truncated' is corrupted: the array data cannot be read: variable 'model/"
    ):
        load_model(str(truncated))
    with pytest.raises(DataLossError, match="truncated' is corrupted"):
        sequential().load_weights(str(truncated))


def scaled_mse(y_true, y_pred):
    return 2.0 * ek.reduce_mean(ek.square(y_true - y_pred), axis=-1)


def test_custom_loss_function_needs_custom_objects_to_recompile(tmp_path):
    model = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(4,))])
    model.compile(optimizer="sgd", loss=scaled_mse)
    y = X.sum(axis=1, keepdims=True)
    model.fit(X, y, epochs=1, verbose=0)
    model.save(str(tmp_path / "m"))
    with pytest.raises(ValueError, match=r"cannot re-compile the saved model .*scaled_mse.*custom_objects"):
        load_model(str(tmp_path / "m"))
    loaded = load_model(str(tmp_path / "m"), custom_objects={"scaled_mse": scaled_mse})
    assert loaded.evaluate(X, y, verbose=0) == pytest.approx(model.evaluate(X, y, verbose=0), rel=1e-6)
    assert loaded.evaluate(X, y, verbose=0) == pytest.approx(
        2.0 * float(((model.predict(X, verbose=0) - y) ** 2).mean()), rel=1e-5
    )
    assert not load_model(str(tmp_path / "m"), compile=False)._compiled
