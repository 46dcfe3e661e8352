"""Argument parsing for the ``eagerkit`` command (``train``, ``info``, ``bench``)."""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from importlib import metadata

from eagerkit._src.cli.config import ConfigError, load_config
from eagerkit._src.datasets.errors import DatasetError

_TRAIN_HELP = """\
Train a model from a TOML config.

The config names the dataset, the model layers, the optimizer, the loss, the batch size,
epochs, seed, checkpoint and summary cadence and the loop kind (custom GradientTape loop
compiled by ek.function, or Keras fit). Progress is shown per epoch; TensorBoard scalars go
to WORKDIR/tensorboard, checkpoints to WORKDIR/checkpoints, the loss curve to
WORKDIR/loss.png and final numbers to WORKDIR/metrics.json. Running the same command again
on the same WORKDIR resumes from the latest checkpoint (including the position in the data;
the custom loop checkpoints every train.checkpoint_every_steps steps, the fit loop at the end
of each epoch). A killed run, rerun, ends with exactly the weights of an uninterrupted one.

config keys (TOML; [section] key = type, default):
{keys}
  [model] layers entries are tables: {{ type = "<ek.keras.layers name>", <constructor arguments> }}.
  [train] loop is "custom" (GradientTape loop in ek.function) or "fit" (Keras fit); [train] metrics
  applies to the fit loop (the custom loop tracks loss and accuracy). max_steps_per_epoch caps the
  steps of each epoch (quick runs). When a dataset's training files are missing, MNIST falls back
  to its test split (data.offline_test_split_fraction of it for training, the rest for testing).

examples:
  eagerkit train configs/mnist_convnet.toml --workdir runs/mnist
  eagerkit train configs/mnist_mlp.toml --set train.epochs=2 --set data.batch_size=64
  eagerkit train configs/mnist_mlp.toml --set train.max_steps_per_epoch=10   # a quick smoke run
  EAGERKIT_DATASETS=../shared/data eagerkit train configs/fashion_mnist_convnet.toml
  tensorboard --logdir runs/mnist/tensorboard
"""


def _config_keys() -> str:
    from eagerkit._src.cli.config import SCHEMA, TOP_LEVEL, _type_names

    lines = []
    for key, (types, default) in TOP_LEVEL.items():
        lines.append(f"  {key} = {_type_names(types)}, default {default!r}")
    for section, keys in SCHEMA.items():
        for key, (types, default) in keys.items():
            shown = "required" if default is ... else "not set" if default is None else f"default {default!r}"
            lines.append(f"  [{section}] {key} = {_type_names(types)}, {shown}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="eagerkit",
        description="eagerkit: TensorFlow 2 eager code on JAX/XLA. Train models from TOML configs.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    t = sub.add_parser(
        "train",
        help="train a model from a TOML config (resumable)",
        description=_TRAIN_HELP.format(keys=_config_keys()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    t.add_argument("config", help="path to the TOML config, e.g. configs/mnist_convnet.toml")
    t.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help='override a config value (TOML syntax: numbers, true/false, "strings", [arrays]); repeatable',
    )
    t.add_argument(
        "--workdir",
        default=None,
        help="where checkpoints, TensorBoard logs, loss.png and metrics.json go (default: runs/<config name>)",
    )
    t.add_argument(
        "--data-dir",
        default=None,
        help="folder with the original dataset files (<dir>/mnist/, <dir>/fashion-mnist/); sets EAGERKIT_DATASETS",
    )
    sub.add_parser(
        "info",
        help="print versions and devices",
        description="Print the versions of eagerkit and its dependencies, and the devices JAX sees.",
    )
    sub.add_parser(
        "bench",
        add_help=False,
        help="run the benchmarks against the anchors (source checkout only; bench --help lists the options)",
    )
    return p


def _bench_script() -> str | None:
    """``scripts/benchmarks/run.py`` of the checkout this eagerkit was imported from, if there is one."""
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    path = os.path.join(repo, "scripts", "benchmarks", "run.py")
    return path if os.path.isfile(path) else None


def _bench(argv: list[str]) -> int:
    """``eagerkit bench ARGS`` runs ``python scripts/benchmarks/run.py ARGS`` with this interpreter."""
    script = _bench_script()
    if script is None:
        print(
            "eagerkit bench: the benchmarks are scripts in eagerkit's source repository "
            "(scripts/benchmarks/run.py), not part of the installed package; from a checkout run "
            "`python scripts/benchmarks/run.py` (or install it with `pip install -e .` and use `eagerkit bench`)",
            file=sys.stderr,
        )
        return 2
    return subprocess.call([sys.executable, script, *argv])


def _info() -> int:
    import jax

    print(f"python           {platform.python_version()} ({sys.executable})")
    import eagerkit

    source = os.path.dirname(os.path.abspath(eagerkit.__file__))
    print(f"{'eagerkit':<17}{eagerkit.__version__} ({source})")
    for pkg in ("jax", "jaxlib", "numpy", "optax", "orbax-checkpoint", "tensorboardX", "tensorboard", "matplotlib"):
        try:
            version = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            version = "not installed"
        print(f"{pkg:<17}{version}")
    print(f"backend          {jax.default_backend()}")
    for d in jax.devices():
        print(f"device           {d.platform.upper()}:{d.id} {d.device_kind}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:  # every other argument belongs to run.py
        return _bench(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "info":
        return _info()
    if args.data_dir is not None:
        os.environ["EAGERKIT_DATASETS"] = os.path.abspath(args.data_dir)
    try:
        cfg = load_config(args.config, args.overrides)
        workdir = args.workdir or os.path.join("runs", cfg["name"])
        from eagerkit._src.cli.runner import run_training

        run_training(cfg, workdir)
    except ConfigError as e:
        print(f"eagerkit train: invalid config {args.config}: {e}", file=sys.stderr)
        return 2
    except DatasetError as e:
        print(f"eagerkit train: dataset unavailable: {e}", file=sys.stderr)
        return 1
    return 0
