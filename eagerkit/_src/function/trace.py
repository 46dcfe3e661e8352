"""Tracing Python into a pure JAX program with Variables functionalised.

DESIGN: ``trace`` runs the user's Python exactly once under ``jax.make_jaxpr`` with a
``TraceFrame`` pushed. The first read of each Variable returns a *proxy*: a fresh
concrete copy of its value made under ``jax.ensure_compile_time_eval``. Every op that
uses the proxy is staged into the jaxpr, so the proxy ends up as one of the jaxpr's
constants, recognisable by identity. Writes (``assign``) store the traced value in the
frame. Afterwards the constants that are proxies become *inputs* of the pure function

    (variable values, tensor arguments) -> (outputs, new values of written variables)

which is what ``jax.jit`` compiles. Python therefore runs once per trace (TF's rule:
side effects happen only while tracing), variables read or written inside are
discovered without a second pass, and the compiled call is one XLA execution.
Proxies are registered as symbolic so that using them as Python bools or NumPy values
fails like a traced tensor would, instead of baking the current value in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.extend.core import ClosedJaxpr, jaxpr_as_fun

from eagerkit._src.autodiff.frames import pushed
from eagerkit._src.core import context
from eagerkit._src.core.variable import Variable


class TraceFrame:
    """Variable-override frame active while tracing (see module docstring)."""

    tracing = True

    def __init__(self, allow_creation: bool, fn_name: str) -> None:
        self.parent = context.frames[-1] if context.frames else None
        self.allow_creation = allow_creation
        self.fn_name = fn_name
        self.proxies: dict[int, tuple[Variable, Any]] = {}
        self.current: dict[int, Any] = {}
        self.written: dict[int, Variable] = {}
        self.created_vars: list[Variable] = []

    def read(self, var: Variable) -> Any:
        v = self.current.get(id(var))
        if v is not None:
            return v
        outer = self.parent.read(var) if self.parent is not None else var._value
        if isinstance(outer, jax.core.Tracer):
            proxy = outer
        else:
            with jax.ensure_compile_time_eval():
                proxy = jnp.array(_one_device(outer), copy=True)
            context.symbolic_ids.add(id(proxy))
        self.proxies[id(var)] = (var, proxy)
        self.current[id(var)] = proxy
        return proxy

    def write(self, var: Variable, value: Any) -> None:
        self.current[id(var)] = value
        self.written[id(var)] = var

    def created(self, var: Variable) -> None:
        if not self.allow_creation:
            raise ValueError(
                f"ek.function {self.fn_name!r} tried to create a variable ({var.name}) on a call that is not its "
                "first trace. As in tf.function, variables may only be created the first time the function is "
                "traced: create them outside, or use the create-once pattern (`if self.v is None: self.v = "
                "ek.Variable(...)`)."
            )
        self.created_vars.append(var)

    def release(self) -> None:
        for _, proxy in self.proxies.values():
            context.symbolic_ids.discard(id(proxy))


def _one_device(value: Any) -> Any:
    """A single-device view of a value placed on several devices (ek.distribute's replicas).

    Proxies only stand for values while tracing (the real, replicated array is the compiled
    program's input), and an unsharded proxy keeps device-mesh shardings out of the trace,
    so the program can also run per replica under ``shard_map``.
    """
    if isinstance(value, jax.Array) and len(value.sharding.device_set) > 1:
        if value.is_fully_replicated:
            return value.addressable_shards[0].data
        return jnp.asarray(np.asarray(value))
    return value


@dataclass
class Trace:
    """The result of tracing: a pure function of (variable values, flat tensor args)."""

    closed: ClosedJaxpr
    in_vars: list[Variable]
    out_vars: list[Variable]
    const_map: list[int | None]
    n_out: int
    out_template: Any
    created_vars: list[Variable] = field(default_factory=list)

    def pure(self, var_vals: list, flat_args: list) -> tuple[list, list]:
        consts = [c if k is None else var_vals[k] for c, k in zip(self.closed.consts, self.const_map)]
        outs = jaxpr_as_fun(ClosedJaxpr(self.closed.jaxpr, consts))(*flat_args)
        return list(outs[: self.n_out]), list(outs[self.n_out :])


def trace(body: Callable[[list], tuple[list, Any]], avals: list, allow_creation: bool, fn_name: str) -> Trace:
    """Traces ``body(flat_tensor_values) -> (flat_out_values, out_template)`` once."""
    frame = TraceFrame(allow_creation, fn_name)
    box: dict[str, Any] = {}

    def traced(*flat: Any) -> list:
        with pushed(frame):
            outs, template = body(list(flat))
            written = list(frame.written.values())
            box["template"], box["n_out"], box["written"] = template, len(outs), written
            return list(outs) + [frame.current[id(v)] for v in written]

    try:
        closed = jax.make_jaxpr(traced)(*avals)
    finally:
        frame.release()
    proxy_var = {id(proxy): var for var, proxy in frame.proxies.values()}
    in_vars: list[Variable] = []
    index: dict[int, int] = {}
    const_map: list[int | None] = []
    for c in closed.consts:
        var = proxy_var.get(id(c))
        if var is None:
            const_map.append(None)
            continue
        if id(var) not in index:
            index[id(var)] = len(in_vars)
            in_vars.append(var)
        const_map.append(index[id(var)])
    return Trace(closed, in_vars, box["written"], const_map, box["n_out"], box["template"], frame.created_vars)
