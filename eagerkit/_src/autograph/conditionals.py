"""``if`` statements and conditional expressions of converted code.

``if_stmt`` runs a Python ``if`` when the condition is a Python value or a concrete
tensor, and ``ek.cond`` (``jax.lax.cond``) when it is symbolic. Staged, both branches are
traced; the statement's *outputs* (variables assigned in a branch and read afterwards)
leave the cond as tensors. TF's rules apply: an output must be defined in both branches
with the same dtype, shape and structure; a Python object may pass through only if both
branches leave it the same. Equal Python constants (``do_return = True`` in both) stay
Python values. A ``return`` in one branch only is allowed: the other branch's return
value is a placeholder that the ``do_return`` flag never selects.

>>> import eagerkit as ek
>>> from eagerkit._src.autograph.conditionals import if_exp
>>> int(if_exp(ek.constant(2) > 1, lambda: ek.constant(10), lambda: ek.constant(20)))
10
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from eagerkit._src.autograph import staging
from eagerkit._src.autograph.errors import StagingError, at_user_code
from eagerkit._src.core.convert import to_array
from eagerkit._src.function import control_flow
from eagerkit._src.util import nest


def if_stmt(
    cond: Any,
    body: Callable[[], None],
    orelse: Callable[[], None],
    get_state: Callable[[], tuple],
    set_state: Callable[[tuple], None],
    symbol_names: tuple[str, ...],
    nouts: int,
    opts: dict | None = None,
) -> None:
    """Functional ``if``: the first ``nouts`` names of the state are its outputs (TF's ``if_stmt``)."""
    if staging.is_symbolic(cond):
        staging.check_allowed("if", opts)
        _staged_if(cond, body, orelse, get_state, set_state, symbol_names, nouts)
    elif cond:
        body()
    else:
        orelse()


def if_exp(cond: Any, if_true: Callable[[], Any], if_false: Callable[[], Any]) -> Any:
    """``a if cond else b``: ``ek.cond`` for a symbolic condition, else Python."""
    if staging.is_symbolic(cond):
        return control_flow.cond(staging.bool_scalar(cond, "conditional expression"), if_true, if_false)
    return if_true() if cond else if_false()


class _NeedsPlaceholder(Exception):
    """The branch traced first had no return value where the second returns a tensor."""

    def __init__(self, avals: dict[int, Any]) -> None:
        super().__init__("retrace with return-value placeholders")
        self.avals = avals


def _avals(value: Any) -> Any:
    return nest.map_structure(lambda x: jax.ShapeDtypeStruct(to_array(x).shape, to_array(x).dtype), value)


def _zeros_of(avals: Any) -> Any:
    return nest.map_structure(lambda a: jnp.zeros(a.shape, a.dtype), avals)


class _Branches:
    """Traces the two branches of one staged ``if`` and checks them against each other."""

    def __init__(self, get_state: Callable, set_state: Callable, names: tuple[str, ...], nouts: int) -> None:
        self.get_state, self.set_state = get_state, set_state
        self.names = names[:nouts]
        self.nouts = nouts
        self.init = tuple(get_state())
        self.placeholders: dict[int, Any] = {}
        self.records: dict[str, tuple] = {}

    def traced(self, fn: Callable[[], None], label: str) -> Callable[[], list]:
        def run() -> list:
            self.set_state(self.init)
            fn()
            out = tuple(self.get_state())[: self.nouts]
            self.records[label] = out
            other_label = "else" if label == "main" else "main"
            other = self.records.get(other_label)
            return [self._encode(k, v, label, other, other_label) for k, v in enumerate(out)]

        return run

    def _encode(self, k: int, value: Any, label: str, other: tuple | None, other_label: str) -> Any:
        name = self.names[k]
        kind = staging.kind(value)
        other_kind = staging.kind(other[k]) if other is not None else None
        if kind == "undefined":
            raise StagingError(
                at_user_code(f"'{name}' must also be initialized in the {label} branch of this tensor-dependent if")
            )
        if kind == "undefined_return":
            if k in self.placeholders:
                return _zeros_of(self.placeholders[k])
            if other_kind == "tensor":
                return _zeros_of(_avals(other[k]))
            return ()
        if kind == "object":
            if other_kind == "tensor":
                self._mismatch(name, label, value, other_label, other[k])
            return ()
        # a tensor value
        if other_kind == "undefined_return" and k not in self.placeholders:
            raise _NeedsPlaceholder({k: _avals(value)})
        if other_kind == "object":
            self._mismatch(name, label, value, other_label, other[k])
        if other_kind == "tensor":
            self._check_compatible(name, label, value, other_label, other[k])
        return staging.to_arrays(value)

    @staticmethod
    def _mismatch(name: str, label: str, value: Any, other_label: str, other: Any) -> None:
        raise StagingError(
            at_user_code(
                f"'{name}' is {staging.describe(value)} in the {label} branch but {staging.describe(other)} in the "
                f"{other_label} branch of a tensor-dependent if. Values that differ between the branches must be "
                "tensors in both."
            )
        )

    @staticmethod
    def _check_compatible(name: str, label: str, value: Any, other_label: str, other: Any) -> None:
        try:
            nest.assert_same_structure(value, other, check_types=False)
        except (ValueError, TypeError) as e:
            raise StagingError(
                at_user_code(
                    f"'{name}' must have the same nested structure in the {label} and {other_label} branches: {e}"
                )
            ) from None
        for a, b in zip(nest.flatten(value), nest.flatten(other)):
            aa, bb = to_array(a), to_array(b)
            if aa.dtype != bb.dtype:
                raise TypeError(
                    at_user_code(
                        f"'{name}' has dtype {jnp.dtype(aa.dtype).name} in the {label} branch, but dtype "
                        f"{jnp.dtype(bb.dtype).name} in the {other_label} branch"
                    )
                )
            if aa.shape != bb.shape:
                raise StagingError(
                    at_user_code(
                        f"'{name}' has shape {tuple(aa.shape)} in the {label} branch, but shape {tuple(bb.shape)} "
                        f"in the {other_label} branch. XLA needs the same shape on both paths of a "
                        "tensor-dependent if."
                    )
                )

    def decode(self, result: list) -> tuple:
        main, other = self.records["main"], self.records["else"]
        final = []
        for k, name in enumerate(self.names):
            a, b = main[k], other[k]
            ka, kb = staging.kind(a), staging.kind(b)
            if "tensor" in (ka, kb):
                final.append(a if staging.same_python_constant(a, b) else result[k])
            elif a is b or staging.same_python_constant(a, b):
                final.append(a)
            elif {ka, kb} == {"undefined_return", "object"} and (a is None or b is None):
                final.append(None)
            else:
                self._mismatch(name, "main", a, "else", b)
        return tuple(final)


def _staged_if(
    cond: Any,
    body: Callable[[], None],
    orelse: Callable[[], None],
    get_state: Callable[[], tuple],
    set_state: Callable[[tuple], None],
    names: tuple[str, ...],
    nouts: int,
) -> None:
    pred = staging.bool_scalar(cond, "if")
    branches = _Branches(get_state, set_state, names, nouts)
    for attempt in range(2):
        branches.records = {}
        try:
            result = control_flow.cond(pred, branches.traced(body, "main"), branches.traced(orelse, "else"))
            break
        except _NeedsPlaceholder as e:
            if attempt:
                raise
            branches.placeholders.update(e.avals)
    final = branches.decode(list(result))
    set_state(final + branches.init[nouts:])
