"""The ``eagerkit`` command: help, info, config validation, end-to-end runs and resume after SIGKILL.

Runs use the real MNIST test split (``$EAGERKIT_DATASETS`` or ``<repo>/../shared/data``): its
training split is absent there, so the runner falls back to the test split (first 80% for
training). Downloads are pointed at a closed local port so that fallback is immediate.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.util import tensor_util

import eagerkit as ek
import eagerkit.train  # noqa: F401
from eagerkit._src.cli import config as config_lib
from eagerkit._src.cli.main import main

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.environ.get("EAGERKIT_DATASETS") or os.path.join(REPO, "..", "shared", "data")
CONFIGS = os.path.join(REPO, "configs")
TINY_LAYERS = (
    'model.layers=[{type="Flatten"}, {type="Dense", units=16, activation="relu"}, '
    '{type="Dropout", rate=0.2}, {type="Dense", units=10}]'
)


@pytest.fixture
def offline(monkeypatch):
    """Real dataset files, no network: a download attempt fails at once (connection refused)."""
    monkeypatch.setenv("EAGERKIT_DATASETS", os.path.abspath(DATA))
    monkeypatch.setenv("EAGERKIT_DATASETS_URL", "http://127.0.0.1:9/")


def _env():
    env = dict(os.environ)
    env.update(
        PYTHONPATH=REPO + os.pathsep + env.get("PYTHONPATH", ""),
        EAGERKIT_DATASETS=os.path.abspath(DATA),
        EAGERKIT_DATASETS_URL="http://127.0.0.1:9/",
        JAX_PLATFORMS="cpu",
    )
    return env


def _scalars(logdir):
    acc = event_accumulator.EventAccumulator(str(logdir), size_guidance={"tensors": 0, "scalars": 0})
    acc.Reload()
    out = {}
    for tag in acc.Tags()["tensors"]:
        out[tag] = [(e.step, float(tensor_util.make_ndarray(e.tensor_proto))) for e in acc.Tensors(tag)]
    for tag in acc.Tags()["scalars"]:
        out[tag] = [(e.step, e.value) for e in acc.Scalars(tag)]
    return out


# -- help and info ----------------------------------------------------------------------------------
def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "usage: eagerkit" in out and "train" in out and "info" in out


def test_train_help_is_complete(capsys):
    with pytest.raises(SystemExit) as e:
        main(["train", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for text in ("--set", "--workdir", "--data-dir", "SECTION.KEY=VALUE", "metrics.json", "tensorboard", "resumes"):
        assert text in out, text


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage: eagerkit" in capsys.readouterr().out


def test_module_entry_point_runs_in_a_subprocess():
    out = subprocess.run(
        [sys.executable, "-m", "eagerkit.cli", "train", "--help"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "usage: eagerkit train" in out.stdout


def test_info_prints_versions_and_devices(capsys):
    import jax
    import optax

    assert main(["info"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("python           3.")
    assert lines[1] == f"eagerkit         {ek.__version__} ({os.path.join(REPO, 'eagerkit')})"
    assert f"jax              {jax.__version__}" in lines
    assert f"optax            {optax.__version__}" in lines
    assert f"backend          {jax.default_backend()}" in lines
    devices = [line for line in lines if line.startswith("device ")]
    assert len(devices) == len(jax.devices())
    assert devices[0] == f"device           {jax.devices()[0].platform.upper()}:0 {jax.devices()[0].device_kind}"


# -- config validation: fails before training with exit code 2 and a message naming the key -------------
def _write(tmp_path, text):
    path = tmp_path / "cfg.toml"
    path.write_text(text)
    return str(path)


MINIMAL = """
[data]
dataset = "mnist"
[model]
layers = [{ type = "Flatten" }, { type = "Dense", units = 10 }]
"""


@pytest.mark.parametrize(
    "text, overrides, expected",
    [
        (MINIMAL + "[trainer]\nepochs = 1\n", [], ["unknown section or key `trainer`", "train"]),
        (MINIMAL + "[train]\nepoch = 1\n", [], ["unknown key `train.epoch`", "epochs"]),
        (MINIMAL + '[train]\nepochs = "three"\n', [], ["`train.epochs` must be an integer", "'three'"]),
        (MINIMAL + "[train]\nepochs = true\n", [], ["`train.epochs`"]),
        (MINIMAL + "[train]\nepochs = 0\n", [], ["`train.epochs` must be positive"]),
        (MINIMAL + '[train]\nloop = "keras"\n', [], ["`train.loop`", "custom, fit"]),
        (MINIMAL.replace('"mnist"', '"cifar100"'), [], ["`data.dataset`", "mnist, fashion_mnist"]),
        ("[model]\nlayers = []\n", [], ["missing required key `data.dataset`"]),
        (
            MINIMAL,
            ['model.layers=[{type="Dense2", units=3}]'],
            ["`model.layers[0].type` = 'Dense2'", "Conv2D", "Dense"],
        ),
        (MINIMAL, ['model.layers=[{type="Dense", units=3, unitz=3}]'], ["`model.layers[0]` (Dense)", "unitz"]),
        (MINIMAL, ['optimizer.name="adamm"'], ["`optimizer.name` = 'adamm'", "adam", "sgd"]),
        (MINIMAL, ["optimizer.options={momentun=0.9}"], ["`optimizer.options`", "momentun"]),
        (MINIMAL, ['loss.name="crossentropy"'], ["`loss.name` = 'crossentropy'", "sparse_categorical_crossentropy"]),
        (MINIMAL, ['train.metrics=["acuracy"]'], ["`train.metrics[0]`", "acuracy"]),
        (MINIMAL, ["train.max_steps_per_epoch=0"], ["`train.max_steps_per_epoch` must be positive"]),
        (MINIMAL, ["train.epochs"], ["--set expects section.key=value", "'train.epochs'"]),
        (MINIMAL, ["epochs=3"], ["--set expects section.key=value", "'epochs=3'"]),
        (MINIMAL, ["train.epochs=2.5"], ["`train.epochs` must be an integer", "2.5"]),
    ],
)
def test_bad_configs_fail_before_training(tmp_path, capsys, text, overrides, expected):
    workdir = tmp_path / "run"
    argv = ["train", _write(tmp_path, text), "--workdir", str(workdir)]
    for item in overrides:
        argv += ["--set", item]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("eagerkit train: invalid config")
    for text_ in expected:
        assert text_ in err, (text_, err)
    assert not workdir.exists()  # nothing was written: training never started


def test_missing_and_malformed_config_files(tmp_path, capsys):
    assert main(["train", str(tmp_path / "nope.toml")]) == 2
    assert "config file not found" in capsys.readouterr().err
    assert main(["train", _write(tmp_path, "[data\n")]) == 2
    assert "is not valid TOML" in capsys.readouterr().err


def test_set_overrides_values_with_toml_syntax():
    cfg = config_lib.load_config(
        os.path.join(CONFIGS, "mnist_convnet.toml"),
        [
            "train.epochs=7",
            "data.batch_size=16",
            'optimizer.name="sgd"',
            "optimizer.options={momentum=0.9}",
            TINY_LAYERS,
        ],
    )
    assert cfg["train"]["epochs"] == 7 and cfg["data"]["batch_size"] == 16
    assert cfg["optimizer"] == {"name": "sgd", "learning_rate": 0.001, "options": {"momentum": 0.9}}
    assert [layer["type"] for layer in cfg["model"]["layers"]] == ["Flatten", "Dense", "Dropout", "Dense"]
    assert cfg["train"]["max_steps_per_epoch"] is None  # optional key: not set by default


@pytest.mark.parametrize("name", ["mnist_convnet", "mnist_mlp", "seed_convnet", "fashion_mnist_convnet"])
def test_shipped_configs_are_valid_and_build(name):
    from eagerkit._src.cli import runner

    cfg = config_lib.load_config(os.path.join(CONFIGS, f"{name}.toml"))
    assert cfg["name"] == name
    model = runner.build_model(cfg)
    assert model.output_shape == (None, 10)
    assert runner.build_optimizer(cfg).get_config()["learning_rate"] == pytest.approx(cfg["optimizer"]["learning_rate"])
    assert runner.build_loss(cfg).name == "sparse_categorical_crossentropy"


# -- end to end ---------------------------------------------------------------------------------------
def _tiny_args(config, workdir, *extra):
    return [
        "train",
        os.path.join(CONFIGS, config),
        "--workdir",
        str(workdir),
        "--set",
        TINY_LAYERS,
        "--set",
        "train.epochs=2",
        "--set",
        "train.max_steps_per_epoch=12",
        "--set",
        "train.summary_every_steps=4",
        "--set",
        "train.checkpoint_every_steps=5",
        "--set",
        "data.batch_size=32",
        "--set",
        "data.eval_batch_size=500",
        *extra,
    ]


def test_custom_loop_end_to_end_writes_metrics_events_checkpoints_and_plot(tmp_path, offline, capsys):
    workdir = tmp_path / "run"
    assert main(_tiny_args("mnist_convnet.toml", workdir)) == 0
    out = capsys.readouterr().out
    assert "falling back to that test split: training on its first 8000 images, testing on the other 2000" in out
    assert "Epoch 2/2" in out and "12/12 [==============================]" in out

    metrics = json.loads((workdir / "metrics.json").read_text())
    assert metrics["epochs"] == 2 and metrics["steps"] == 24 and metrics["dataset"] == "mnist"
    assert metrics["seconds"] > 0
    # 24 Adam steps of a small MLP on real digits: far better than chance (10%), loss below log(10).
    assert metrics["test_accuracy"] > 0.3 and metrics["test_loss"] < 2.2

    scalars = _scalars(workdir / "tensorboard")
    assert [s for s, _ in scalars["loss"]] == [4, 8, 12, 16, 20, 24]
    assert [s for s, _ in scalars["accuracy"]] == [4, 8, 12, 16, 20, 24]
    assert all(v == pytest.approx(0.001) for _, v in scalars["learning_rate"])
    assert all(v > 0 for _, v in scalars["steps_per_sec"])
    assert [s for s, _ in scalars["test_accuracy"]] == [12, 24]
    assert scalars["test_accuracy"][-1][1] == pytest.approx(metrics["test_accuracy"])
    assert scalars["test_loss"][-1][1] == pytest.approx(metrics["test_loss"], rel=1e-6)

    ckpt_dir = workdir / "checkpoints"
    assert ek.train.latest_checkpoint(str(ckpt_dir)).endswith("ckpt-24")
    names = dict(ek.train.list_variables(ek.train.latest_checkpoint(str(ckpt_dir))))
    assert any(n.startswith("model/") for n in names) and any(n.startswith("optimizer/") for n in names)
    losses = json.loads((workdir / "losses.json").read_text())
    assert len(losses) == 24 and all(np.isfinite(losses))
    png = (workdir / "loss.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_fit_loop_end_to_end_and_resume_from_its_epoch_checkpoint(tmp_path, offline, capsys):
    workdir = tmp_path / "run"
    assert main(_tiny_args("mnist_mlp.toml", workdir)) == 0
    out = capsys.readouterr().out
    assert "12/12 [==============================]" in out and "val_accuracy" in out
    metrics = json.loads((workdir / "metrics.json").read_text())
    assert metrics["epochs"] == 2 and metrics["steps"] == 24
    assert metrics["test_accuracy"] > 0.3
    scalars = _scalars(workdir / "tensorboard")
    assert [s for s, _ in scalars["loss"]] == [4, 8, 12, 16, 20, 24]
    assert {"accuracy", "learning_rate", "steps_per_sec", "test_loss", "test_accuracy"} <= set(scalars)
    assert scalars["test_accuracy"][-1][1] == pytest.approx(metrics["test_accuracy"])
    # The Keras TensorBoard callback's epoch scalars, Keras layout (train/ and validation/).
    assert [s for s, _ in _scalars(workdir / "tensorboard" / "train")["epoch_loss"]] == [0, 1]
    assert [s for s, _ in _scalars(workdir / "tensorboard" / "validation")["epoch_accuracy"]] == [0, 1]
    assert ek.train.latest_checkpoint(str(workdir / "checkpoints")).endswith("ckpt-24")
    assert (workdir / "loss.png").exists()

    # The fit loop checkpoints at epoch ends: 1 epoch, then a rerun asking for 2, equals 2 epochs at once.
    resumed = tmp_path / "resumed"
    assert main(_tiny_args("mnist_mlp.toml", resumed, "--set", "train.epochs=1")) == 0
    assert main(_tiny_args("mnist_mlp.toml", resumed)) == 0
    assert "Resuming from" in capsys.readouterr().out
    got = json.loads((resumed / "metrics.json").read_text())
    got.pop("seconds"), metrics.pop("seconds")
    assert got == metrics
    assert json.loads((resumed / "losses.json").read_text()) == json.loads((workdir / "losses.json").read_text())
    a, b = _final_variables(resumed), _final_variables(workdir)
    assert sorted(a) == sorted(b)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_missing_dataset_files_fail_with_a_clear_message(tmp_path, capsys, monkeypatch):
    empty = tmp_path / "data"
    empty.mkdir()
    monkeypatch.setenv("EAGERKIT_DATASETS", str(empty))
    monkeypatch.setenv("EAGERKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EAGERKIT_DATASETS_URL", "http://127.0.0.1:9/")
    assert main(_tiny_args("mnist_mlp.toml", tmp_path / "run")) == 1
    err = capsys.readouterr().err
    assert err.startswith("eagerkit train: dataset unavailable: Downloading t10k-images-idx3-ubyte.gz of mnist")
    assert "set EAGERKIT_DATASETS to a folder containing mnist/t10k-images-idx3-ubyte.gz" in err
    assert "Traceback" not in err


def test_without_matplotlib_the_run_says_so(tmp_path, offline, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    workdir = tmp_path / "run"
    assert (
        main(_tiny_args("mnist_mlp.toml", workdir, "--set", "train.epochs=1", "--set", "train.max_steps_per_epoch=2"))
        == 0
    )
    assert "matplotlib is not installed: skipping loss.png (pip install 'eagerkit[plot]')" in capsys.readouterr().out
    assert not (workdir / "loss.png").exists() and (workdir / "metrics.json").exists()


# -- resume after SIGKILL -----------------------------------------------------------------------------
RESUME_SETS = [
    TINY_LAYERS,
    "train.max_steps_per_epoch=30",
    "train.checkpoint_every_steps=10",
    "train.summary_every_steps=10",
    "data.batch_size=32",
    "data.eval_batch_size=1000",
]


def _command(config, workdir):
    cmd = [sys.executable, "-m", "eagerkit.cli", "train", os.path.join(CONFIGS, config), "--workdir", str(workdir)]
    for item in RESUME_SETS + ["train.epochs=2"]:
        cmd += ["--set", item]
    return cmd


def _final_variables(workdir):
    path = ek.train.latest_checkpoint(str(workdir / "checkpoints"))
    return {
        name: np.asarray(ek.train.load_variable(path, name))
        for name, _ in ek.train.list_variables(path)
        if name != "seconds" and "save_counter" not in name
    }


def test_sigkill_and_rerun_ends_exactly_like_an_uninterrupted_run(tmp_path):
    """The custom loop checkpoints every 10 steps; a kill lands at a random moment after the first one."""
    config = "mnist_convnet.toml"
    ref_dir, run_dir = tmp_path / "reference", tmp_path / "killed"
    env = _env()
    logs = {name: open(tmp_path / f"{name}.stderr", "w+") for name in ("reference", "victim")}  # noqa: SIM115
    # The uninterrupted reference and the run to be killed start together (two cores).
    ref = subprocess.Popen(_command(config, ref_dir), env=env, stdout=subprocess.DEVNULL, stderr=logs["reference"])
    victim = subprocess.Popen(_command(config, run_dir), env=env, stdout=subprocess.DEVNULL, stderr=logs["victim"])

    def stderr_of(name):
        logs[name].seek(0)
        return logs[name].read()

    try:
        state = run_dir / "checkpoints" / "checkpoint"
        deadline = time.monotonic() + 240
        while not state.exists() and victim.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert state.exists(), stderr_of("victim") if victim.poll() is not None else "no checkpoint in time"
        time.sleep(random.uniform(0.0, 0.4))  # a random moment after the first checkpoint (maybe mid-save)
        victim.send_signal(signal.SIGKILL)
        assert victim.wait(timeout=60) == -signal.SIGKILL
        assert not (run_dir / "metrics.json").exists(), "the run finished before the kill: make it longer"

        resumed = subprocess.run(_command(config, run_dir), env=env, capture_output=True, text=True, timeout=300)
        assert resumed.returncode == 0, resumed.stderr
        assert "Resuming from" in resumed.stdout
        assert ref.wait(timeout=300) == 0, stderr_of("reference")
    finally:
        for proc in (ref, victim):
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=60)
        for f in logs.values():
            f.close()

    got = json.loads((run_dir / "metrics.json").read_text())
    want = json.loads((ref_dir / "metrics.json").read_text())
    got.pop("seconds"), want.pop("seconds")
    assert got == want
    assert json.loads((run_dir / "losses.json").read_text()) == json.loads((ref_dir / "losses.json").read_text())
    a, b = _final_variables(run_dir), _final_variables(ref_dir)
    assert sorted(a) == sorted(b) and any("optimizer/_variable_slots" in name for name in a)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
