"""Every public function and class of eagerkit has a docstring with an example (``>>>``).

The walk covers every public module under ``eagerkit/`` (no ``_``-prefixed part; not ``eagerkit.cli``, the
command line), ``eagerkit.distribute`` included, and the public methods of the most-used classes
(``METHOD_CLASSES``: tensors, variables, tapes, functions, datasets, checkpoints, Keras layers, models,
losses, metrics and optimizers, summary writers, ``MirroredStrategy``). The examples themselves run as
doctests: ``--doctest-modules`` in pyproject.toml makes the plain ``python -m pytest`` collect them. They run
in a process with one CPU device, so the ``ek.distribute`` examples show one replica.

Coverage is complete: ``WITHOUT_EXAMPLE`` (names allowed to lack an example) is empty. The test fails for any
public name without an example; should a gap ever have to be allowed, list it there by name, and the test
also fails when a listed name has gained an example or no longer exists, so the list can only shrink.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types

import eagerkit

SKIPPED_MODULES = {"eagerkit.cli"}

#: Classes whose public methods (not properties) need examples too, as "public.path.Class".
METHOD_CLASSES = [
    "eagerkit.Tensor",
    "eagerkit.Variable",
    "eagerkit.TensorShape",
    "eagerkit.GradientTape",
    "eagerkit.Function",
    "eagerkit.autodiff.ForwardAccumulator",
    "eagerkit.data.Dataset",
    "eagerkit.train.Checkpoint",
    "eagerkit.train.CheckpointManager",
    "eagerkit.keras.layers.Layer",
    "eagerkit.keras.Model",
    "eagerkit.keras.Sequential",
    "eagerkit.keras.losses.Loss",
    "eagerkit.keras.metrics.Metric",
    "eagerkit.keras.optimizers.Optimizer",
    "eagerkit.summary.SummaryWriter",
    "eagerkit.distribute.MirroredStrategy",
]

#: Known gaps. Only remove names from this list.
WITHOUT_EXAMPLE: set[str] = set()


def _public_modules() -> list[types.ModuleType]:
    """``eagerkit`` and its public submodules, depth first in name order."""
    found = []

    def visit(module: types.ModuleType) -> None:
        found.append(module)
        for info in sorted(pkgutil.iter_modules(getattr(module, "__path__", [])), key=lambda i: i.name):
            name = f"{module.__name__}.{info.name}"
            if info.name.startswith("_") or name in SKIPPED_MODULES:
                continue
            visit(importlib.import_module(name))

    visit(eagerkit)
    return found


def _is_api_object(value: object) -> bool:
    if isinstance(value, types.ModuleType) or not callable(value):
        return False
    return (getattr(value, "__module__", None) or "").startswith("eagerkit")


def public_objects() -> dict[str, object]:
    """``{first public path: object}`` for every public function, class and op (aliases once)."""
    out: dict[str, object] = {}
    seen: set[int] = set()
    for module in _public_modules():
        names = getattr(module, "__all__", None) or sorted(n for n in vars(module) if not n.startswith("_"))
        for name in names:
            value = getattr(module, name)
            if _is_api_object(value) and id(value) not in seen:
                seen.add(id(value))
                out[f"{module.__name__}.{name}"] = value
    return out


def _resolve(path: str) -> object:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def public_methods() -> dict[str, object]:
    """``{"Class.path.method": function}`` for the public methods of ``METHOD_CLASSES`` (each function once)."""
    out: dict[str, object] = {}
    seen: set[int] = set()
    for class_path in METHOD_CLASSES:
        cls = _resolve(class_path)
        for name in sorted(dir(cls)):
            if name.startswith("_"):
                continue
            owner = next(k for k in cls.__mro__ if name in vars(k))
            if not owner.__module__.startswith("eagerkit"):
                continue
            member = vars(owner)[name]
            if isinstance(member, property):
                continue
            function = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
            if not callable(function) or id(function) in seen:
                continue
            seen.add(id(function))
            out[f"{class_path}.{name}"] = function
    return out


def _has_example(obj: object) -> bool:
    return ">>>" in (inspect.getdoc(obj) or "")


def missing_examples() -> list[str]:
    items = {**public_objects(), **public_methods()}
    return sorted(path for path, obj in items.items() if not _has_example(obj))


def test_the_walk_finds_the_api():
    objects = public_objects()
    for path in ("eagerkit.constant", "eagerkit.GradientTape", "eagerkit.keras.layers.Dense", "eagerkit.nn.relu"):
        assert path in objects, path
    assert "eagerkit.distribute.MirroredStrategy" in objects
    methods = public_methods()
    assert "eagerkit.data.Dataset.map" in methods
    assert "eagerkit.distribute.MirroredStrategy.run" in methods
    assert len(objects) > 500


def test_every_public_name_outside_the_allow_list_has_an_example():
    missing = set(missing_examples())
    undocumented = sorted(missing - WITHOUT_EXAMPLE)
    assert not undocumented, (
        f"{len(undocumented)} public names have no docstring example (a line starting with '>>>'); "
        "add a short one that shows what eagerkit prints:\n  " + "\n  ".join(undocumented)
    )


def test_the_allow_list_only_shrinks():
    items = {**public_objects(), **public_methods()}
    gone = sorted(WITHOUT_EXAMPLE - set(items))
    assert not gone, f"remove these names from WITHOUT_EXAMPLE, they no longer exist: {gone}"
    documented = sorted(path for path in WITHOUT_EXAMPLE if _has_example(items[path]))
    assert not documented, f"remove these names from WITHOUT_EXAMPLE, they have examples now: {documented}"
