"""Argument parsing for the ``eagerkit`` command."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from importlib import metadata

from eagerkit._src.cli.config import ConfigError, load_config

_TRAIN_HELP = """\
Train a model from a TOML config.

The config names the dataset, the model layers, the optimizer, the loss, the batch size,
epochs, seed, checkpoint and summary cadence and the loop kind (custom GradientTape loop
compiled by ek.function, or Keras fit). Progress is shown per epoch; TensorBoard scalars go
to WORKDIR/tensorboard, checkpoints to WORKDIR/checkpoints, the loss curve to
WORKDIR/loss.png and final numbers to WORKDIR/metrics.json. Running the same command again
on the same WORKDIR resumes from the latest checkpoint (including the position in the data).

examples:
  eagerkit train configs/mnist_convnet.toml --workdir runs/mnist
  eagerkit train configs/mnist_mlp.toml --set train.epochs=2 --set data.batch_size=64
  EAGERKIT_DATASETS=../shared/data eagerkit train configs/fashion_mnist_convnet.toml
  tensorboard --logdir runs/mnist/tensorboard
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="eagerkit",
        description="eagerkit: TensorFlow 2 eager code on JAX/XLA. Train models from TOML configs.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    t = sub.add_parser(
        "train",
        help="train a model from a TOML config (resumable)",
        description=_TRAIN_HELP,
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
    return p


def _info() -> int:
    import jax

    print(f"python           {platform.python_version()} ({sys.executable})")
    for pkg in ("eagerkit", "jax", "jaxlib", "numpy", "optax", "orbax-checkpoint", "tensorboardX", "matplotlib"):
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
    return 0
