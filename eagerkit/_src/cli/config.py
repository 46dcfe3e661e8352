"""Training configs: TOML files validated before any training starts.

A config has the sections ``[data]``, ``[model]``, ``[optimizer]``, ``[loss]`` and
``[train]`` (see ``configs/*.toml``). Unknown sections or keys, wrong types and unknown
layer/optimizer/loss names fail with a ``ConfigError`` naming the key and the allowed
values.

>>> from eagerkit._src.cli.config import parse_config
>>> cfg = parse_config({"data": {"dataset": "mnist"}, "model": {"layers": [{"type": "Flatten"}]}})
>>> cfg["train"]["epochs"], cfg["optimizer"]["name"]
(1, 'adam')
"""

from __future__ import annotations

import copy
import tomllib
from typing import Any


class ConfigError(ValueError):
    """A config is invalid; the message names the key and what is allowed."""


DATASETS = ("mnist", "fashion_mnist")
LOOPS = ("custom", "fit")

#: section -> key -> (allowed Python types, default). ``...`` marks a required key; a None
#: default means "not set" (``train.max_steps_per_epoch``: no cap on the steps of an epoch).
SCHEMA: dict[str, dict[str, tuple[tuple[type, ...], Any]]] = {
    "data": {
        "dataset": ((str,), ...),
        "batch_size": ((int,), 32),
        "eval_batch_size": ((int,), 1000),
        "offline_test_split_fraction": ((float,), 0.8),
    },
    "model": {
        "input_shape": ((list,), [28, 28, 1]),
        "layers": ((list,), ...),
    },
    "optimizer": {
        "name": ((str,), "adam"),
        "learning_rate": ((float, int), 0.001),
        "options": ((dict,), {}),
    },
    "loss": {
        "name": ((str,), "sparse_categorical_crossentropy"),
        "from_logits": ((bool,), True),
    },
    "train": {
        "loop": ((str,), "custom"),
        "epochs": ((int,), 1),
        "seed": ((int,), 0),
        "checkpoint_every_steps": ((int,), 200),
        "summary_every_steps": ((int,), 50),
        "max_to_keep": ((int,), 3),
        "metrics": ((list,), ["accuracy"]),
        "max_steps_per_epoch": ((int,), None),
    },
}
TOP_LEVEL = {"name": ((str,), "run"), "description": ((str,), "")}


def _type_names(types: tuple[type, ...]) -> str:
    """``an integer``, ``a float or an integer``, ..."""
    names = {"str": "a string", "int": "an integer", "float": "a float", "bool": "a boolean", "list": "an array"}
    return " or ".join(names.get(t.__name__, "a table") for t in types)


def parse_config(raw: dict[str, Any]) -> dict[str, Any]:
    """Validates a config dict and fills defaults. Raises ConfigError."""
    cfg: dict[str, Any] = {}
    for key, value in raw.items():
        if key in TOP_LEVEL:
            types, _ = TOP_LEVEL[key]
            if not isinstance(value, types):
                raise ConfigError(f"`{key}` must be {_type_names(types)}, got {value!r}")
            cfg[key] = value
        elif key not in SCHEMA:
            allowed = sorted(list(SCHEMA) + list(TOP_LEVEL))
            raise ConfigError(f"unknown section or key `{key}`; allowed: {', '.join(allowed)}")
    for key, (_, default) in TOP_LEVEL.items():
        cfg.setdefault(key, default)
    for section, keys in SCHEMA.items():
        given = raw.get(section, {})
        if not isinstance(given, dict):
            raise ConfigError(f"`[{section}]` must be a table, got {given!r}")
        out: dict[str, Any] = {}
        for key, value in given.items():
            if key not in keys:
                raise ConfigError(f"unknown key `{section}.{key}`; allowed: {', '.join(sorted(keys))}")
            types, _ = keys[key]
            if isinstance(value, bool) and bool not in types:
                raise ConfigError(f"`{section}.{key}` must be {_type_names(types)}, got {value!r}")
            if not isinstance(value, types):
                raise ConfigError(f"`{section}.{key}` must be {_type_names(types)}, got {value!r}")
            out[key] = value
        for key, (_, default) in keys.items():
            if key not in out:
                if default is ...:
                    raise ConfigError(f"missing required key `{section}.{key}`")
                out[key] = copy.deepcopy(default)
        cfg[section] = out
    _check_values(cfg)
    return cfg


def _check_values(cfg: dict[str, Any]) -> None:
    if cfg["data"]["dataset"] not in DATASETS:
        raise ConfigError(f"`data.dataset` = {cfg['data']['dataset']!r}; allowed: {', '.join(DATASETS)}")
    if cfg["train"]["loop"] not in LOOPS:
        raise ConfigError(f"`train.loop` = {cfg['train']['loop']!r}; allowed: {', '.join(LOOPS)}")
    for section, key in (
        ("data", "batch_size"),
        ("data", "eval_batch_size"),
        ("train", "epochs"),
        ("train", "checkpoint_every_steps"),
        ("train", "summary_every_steps"),
        ("train", "max_to_keep"),
    ):
        if cfg[section][key] <= 0:
            raise ConfigError(f"`{section}.{key}` must be positive, got {cfg[section][key]}")
    cap = cfg["train"]["max_steps_per_epoch"]
    if cap is not None and cap <= 0:
        raise ConfigError(f"`train.max_steps_per_epoch` must be positive, got {cap}")
    for i, name in enumerate(cfg["train"]["metrics"]):
        if not isinstance(name, str):
            raise ConfigError(f"`train.metrics[{i}]` must be a string (a metric name), got {name!r}")
    if not 0 < cfg["data"]["offline_test_split_fraction"] < 1:
        raise ConfigError("`data.offline_test_split_fraction` must be in (0, 1)")
    if not cfg["model"]["layers"]:
        raise ConfigError("`model.layers` must list at least one layer")
    for i, layer in enumerate(cfg["model"]["layers"]):
        if not isinstance(layer, dict) or "type" not in layer:
            raise ConfigError(f"`model.layers[{i}]` must be a table with a `type` key, got {layer!r}")
    if not all(isinstance(d, int) and d > 0 for d in cfg["model"]["input_shape"]):
        raise ConfigError(f"`model.input_shape` must be positive integers, got {cfg['model']['input_shape']}")


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Applies ``--set section.key=value`` overrides (values parsed as TOML, else strings)."""
    raw = copy.deepcopy(raw)
    for item in overrides:
        if "=" not in item or "." not in item.split("=", 1)[0]:
            raise ConfigError(f"--set expects section.key=value, got {item!r}")
        path, text = item.split("=", 1)
        section, key = path.split(".", 1)
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            value = text
        raw.setdefault(section, {})
        if not isinstance(raw[section], dict):
            raise ConfigError(f"--set {path}: `{section}` is not a table")
        raw[section][key] = value
    return raw


def load_config(path: str, overrides: list[str] | None = None) -> dict[str, Any]:
    """Reads, overrides and validates a TOML config file."""
    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path} is not valid TOML: {e}") from None
    return parse_config(apply_overrides(raw, overrides or []))
