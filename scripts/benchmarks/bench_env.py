"""What every benchmark script shares: where the anchors' interpreters are, the machine, table rows.

Anchors that are not installed next to eagerkit (TensorFlow, PyTorch, Keras 3) run in their own
Python interpreters, in subprocesses. An anchor's interpreter is, in this order: the one given on
the command line (``--tf-python``, ``--torch-python``, ``--keras-python``), the one named by an
environment variable (``EK_TF_PYTHON``, ``EK_TORCH_PYTHON``, ``EK_KERAS_PYTHON``; the older
``EAGERKIT_TF_PYTHON`` / ``EAGERKIT_KERAS_PYTHON`` are read too), or the current interpreter when
the anchor's modules import in it. Otherwise the anchor is skipped, and every row that needs it
says so and how to turn it on; no number is ever made up for it.

    >>> anchors = find_anchors({"tf": "/path/to/tfvenv/bin/python"})
    >>> anchors["torch"].python is None and anchors["torch"].skip
    'skipped: PyTorch not installed (set EK_TORCH_PYTHON=/path/to/python or pass --torch-python)'
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def use_source_tree() -> None:
    """Make ``import eagerkit`` find this checkout (the scripts run without installing it)."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))


@dataclass(frozen=True)
class AnchorSpec:
    label: str  # what rows and notes call it
    modules: tuple[str, ...]  # all must import for the current interpreter to count
    distributions: tuple[str, ...]  # package names to read the version from (first found wins)
    env: str
    legacy_env: tuple[str, ...]
    flag: str


ANCHORS: dict[str, AnchorSpec] = {
    "tf": AnchorSpec(
        label="TensorFlow",
        modules=("tensorflow",),
        distributions=("tensorflow", "tensorflow-cpu"),
        env="EK_TF_PYTHON",
        legacy_env=("EAGERKIT_TF_PYTHON",),
        flag="--tf-python",
    ),
    "torch": AnchorSpec(
        label="PyTorch",
        modules=("torch",),
        distributions=("torch",),
        env="EK_TORCH_PYTHON",
        legacy_env=(),
        flag="--torch-python",
    ),
    "keras": AnchorSpec(
        label="Keras 3 (JAX backend)",
        modules=("keras", "jax"),
        distributions=("keras",),
        env="EK_KERAS_PYTHON",
        legacy_env=("EAGERKIT_KERAS_PYTHON",),
        flag="--keras-python",
    ),
}


@dataclass(frozen=True)
class Anchor:
    """One anchor's interpreter (``python``), or why it is skipped (``skip``)."""

    kind: str
    python: str | None
    source: str = ""
    skip: str = ""

    @property
    def label(self) -> str:
        return ANCHORS[self.kind].label


def find_anchor(kind: str, explicit: str | None = None, enabled: bool = True) -> Anchor:
    """Where ``kind``'s interpreter is (see the module docstring for the order), or why not."""
    spec = ANCHORS[kind]
    if not enabled:
        return Anchor(kind, None, skip=f"skipped: {spec.label} anchor turned off (--no-anchors)")
    candidates = [(explicit, spec.flag)] + [(os.environ.get(name), f"${name}") for name in (spec.env, *spec.legacy_env)]
    for python, source in candidates:
        if python:
            if os.path.exists(python):
                return Anchor(kind, python, source)
            return Anchor(kind, None, skip=f"skipped: {spec.label} interpreter {python} (from {source}) does not exist")
    if _importable(spec.modules):
        return Anchor(kind, sys.executable, "current interpreter")
    return Anchor(
        kind,
        None,
        skip=f"skipped: {spec.label} not installed (set {spec.env}=/path/to/python or pass {spec.flag})",
    )


def _importable(modules: tuple[str, ...]) -> bool:
    """Whether all ``modules`` can be imported by the current interpreter (none is imported)."""
    return all(importlib.util.find_spec(m) is not None for m in modules)


def find_anchors(explicit: dict[str, str | None] | None = None, enabled: bool = True) -> dict[str, Anchor]:
    """Every anchor kind: ``{"tf": Anchor, "torch": Anchor, "keras": Anchor}``."""
    explicit = explicit or {}
    return {kind: find_anchor(kind, explicit.get(kind), enabled) for kind in ANCHORS}


def add_anchor_arguments(parser: argparse.ArgumentParser, kinds: tuple[str, ...] = tuple(ANCHORS)) -> None:
    """``--tf-python`` (etc., for ``kinds``) and ``--no-anchors``."""
    for kind in kinds:
        spec = ANCHORS[kind]
        parser.add_argument(
            spec.flag,
            dest=f"{kind}_python",
            default=None,
            metavar="PATH",
            help=f"a Python interpreter with {spec.label} (default: ${spec.env}, or this one if it imports)",
        )
    parser.add_argument("--no-anchors", action="store_true", help="skip TensorFlow, PyTorch and Keras anchors")


def anchors_from_args(args: argparse.Namespace) -> dict[str, Anchor]:
    explicit = {kind: getattr(args, f"{kind}_python", None) for kind in ANCHORS}
    return find_anchors(explicit, enabled=not args.no_anchors)


def anchor_version(anchor: Anchor) -> str | None:
    """The anchor's package version in its interpreter (read from metadata, nothing imported)."""
    if anchor.python is None:
        return None
    code = (
        "import sys\nfrom importlib import metadata\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n        print(metadata.version(name)); break\n"
        "    except metadata.PackageNotFoundError:\n        pass\n"
    )
    try:
        proc = subprocess.run(
            [anchor.python, "-c", code, *ANCHORS[anchor.kind].distributions],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() or None


def machine() -> dict:
    """CPU model, cores, load average, devices and versions: the header of every result."""
    from importlib import metadata

    import jax

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = {}
    for name in ("eagerkit", "jax", "jaxlib", "numpy", "optax", "orbax-checkpoint"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    if versions["eagerkit"] is None:
        use_source_tree()
        import eagerkit

        versions["eagerkit"] = eagerkit.__version__
    devices = jax.devices()
    return {
        "git": _git_state(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average": list(os.getloadavg()),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "backend": jax.default_backend(),
        "devices": [f"{d.platform.upper()}:{d.id} {d.device_kind}" for d in devices],
        "gpus": [f"{d.device_kind}" for d in devices if d.platform == "gpu"],
        "versions": versions,
    }


def _git_state() -> dict:
    """The checkout's commit and whether eagerkit/ has uncommitted changes (they are measured too)."""

    def git(*args: str) -> str | None:
        try:
            proc = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return proc.stdout.strip() if proc.returncode == 0 else None

    commit = git("rev-parse", "--short", "HEAD")
    changed = git("status", "--porcelain", "--untracked-files=no", "--", "eagerkit")
    return {"commit": commit, "eagerkit_modified": bool(changed) if changed is not None else None}


def row(
    area: str,
    case: str,
    unit: str,
    eagerkit: float | None,
    anchor: str,
    anchor_value: float | None,
    note: str = "",
) -> dict:
    """One table row. Every value is a time (lower is better); ratio = eagerkit / anchor."""
    ratio = eagerkit / anchor_value if eagerkit and anchor_value else None
    return {
        "area": area,
        "case": case,
        "unit": unit,
        "eagerkit": eagerkit,
        "anchor": anchor,
        "anchor_value": anchor_value,
        "ratio": ratio,
        "note": note,
    }
