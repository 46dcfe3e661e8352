"""``strategy.run`` on a mesh: one SPMD program, traced per replica, run under ``jax.shard_map``.

DESIGN: ``fn`` is traced once with ``jax.make_jaxpr`` on *per-replica* shapes, with the mesh
axis bound (``axis_env``), a :class:`ReplicaContext` current and a :class:`_ReplicaFrame`
collecting Variable reads and writes. Collectives inside ``fn`` (the optimizer's gradient
all-reduce, ``ctx.all_reduce``, synced metric reads) become ``psum``/``pmean`` on that axis.
The traced program is then run under ``jax.shard_map`` over the strategy's mesh: distributed
inputs are split on the batch axis, everything else (variable values, captured constants,
plain tensors) is replicated. Outputs come back stacked, one row per replica (a
:class:`PerReplica` with the ``"stack"`` layout). Written variables are combined across
replicas by their ``aggregation`` (:func:`aggregate_variable`) inside the program and written
back replicated.

``run`` always executes inside a trace: called eagerly it is wrapped in an ``ek.function``
cached per ``fn`` (so an eager ``strategy.run`` compiles once per input signature, and
Python side effects in ``fn`` happen while tracing, as inside ``tf.function``).

A distributed batch that does not split evenly over the replicas (the last, partial batch
of a dataset) is given to a single replica holding the whole batch: ``fn`` then runs once,
with ``num_replicas_in_sync == 1`` in its replica context, so ``compute_average_loss`` and
gradient aggregation stay exact.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.extend.core import ClosedJaxpr, jaxpr_as_fun
from jax.sharding import PartitionSpec as P

from eagerkit._src.autodiff.frames import pushed, tapes_paused
from eagerkit._src.core import context
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.variable import Variable, VariableSynchronization
from eagerkit._src.distribute import distribute_lib
from eagerkit._src.distribute.values import PerReplica
from eagerkit._src.function import autograph_hook
from eagerkit._src.function.function import Function, _Placeholder
from eagerkit._src.util import nest


class _ReplicaFrame:
    """Variable reads/writes of one replica while ``fn`` is traced (see module docstring)."""

    tracing = True

    def __init__(self, ctx: distribute_lib.ReplicaContext) -> None:
        self.parent = context.frames[-1] if context.frames else None
        self.ctx = ctx
        self.current: dict[int, Any] = {}
        self.written: dict[int, Variable] = {}
        self.outer: dict[int, Any] = {}

    def old(self, var: Variable) -> Any:
        """The variable's value before this step (a constant of the traced program)."""
        v = self.outer.get(id(var))
        if v is None:
            v = self.parent.read(var) if self.parent is not None else var._value
            self.outer[id(var)] = v
        return v

    def read(self, var: Variable) -> Any:
        local = self.current.get(id(var))
        if local is None:
            local = self.old(var)
        if self.ctx.synced_reads and var.synchronization == VariableSynchronization.ON_READ:
            return distribute_lib.aggregate_variable(var, local, self.old(var), self.ctx.axis_name)
        return local

    def write(self, var: Variable, value: Any) -> None:
        self.old(var)
        self.current[id(var)] = value
        self.written[id(var)] = var

    def created(self, var: Variable) -> None:
        if self.parent is None:
            raise RuntimeError(f"Variable {var.name} was created inside strategy.run outside any trace.")
        self.parent.created(var)


def _is_tensor(x: Any) -> bool:
    return isinstance(x, (Tensor, jax.Array, np.ndarray)) or isinstance(x, jax.core.Tracer)


def _raw(x: Any) -> Any:
    return x._value if isinstance(x, Tensor) else jnp.asarray(x)


def run(strategy: Any, fn: Any, args: tuple, kwargs: dict) -> Any:
    """``strategy.run(fn, args, kwargs)`` for a mesh strategy (see the module docstring)."""
    if not context.inside_trace():
        return _run_eagerly(strategy, fn, args, kwargs)
    fn = autograph_hook.convert(fn)
    structure = (list(args), dict(kwargs))
    leaves = nest.flatten(structure)
    n = strategy.num_replicas_in_sync
    dist = [x for x in leaves if isinstance(x, PerReplica)]
    if n == 1 or any(d.num_replicas != n for d in dist):
        return _run_one_replica(strategy, fn, structure, leaves)
    return _run_sharded(strategy, fn, structure, leaves)


def _run_eagerly(strategy: Any, fn: Any, args: tuple, kwargs: dict) -> Any:
    compiled = strategy._eager_runs.get(fn)
    if compiled is None:

        def replicated(*a: Any, **k: Any) -> Any:
            return run(strategy, fn, a, k)

        name = getattr(fn, "__name__", "fn")
        compiled = Function(replicated, name=f"strategy_run_{name}", autograph=False)
        strategy._eager_runs[fn] = compiled
    return compiled(*args, **kwargs)


def _run_one_replica(strategy: Any, fn: Any, structure: Any, leaves: list) -> Any:
    """Everything on one replica holding the whole batch (uneven batches)."""

    def whole(x: Any) -> Any:
        if isinstance(x, PerReplica):
            return Tensor(x._value[0] if x.layout == "stack" and x.num_replicas == 1 else x._value)
        return x

    args, kwargs = nest.pack_sequence_as(structure, [whole(x) for x in leaves])
    ctx = distribute_lib.ReplicaContext(strategy, 1, None)
    with distribute_lib._in_replica(strategy, ctx):
        result = fn(*args, **kwargs)

    def out(x: Any) -> Any:
        if isinstance(x, Variable):
            x = Tensor(x._read())
        if _is_tensor(x):
            return PerReplica(_raw(x)[None], 1, "stack")
        return x

    return nest.map_structure(out, result)


def _run_sharded(strategy: Any, fn: Any, structure: Any, leaves: list) -> Any:
    axis, n, mesh = strategy._axis_name, strategy.num_replicas_in_sync, strategy._mesh
    in_vals: list = []
    in_specs: list = []
    avals: list = []
    kinds: list = []  # per input: "stack" (squeeze axis 0 inside) or "" ; template leaves below
    template: list = []
    for x in leaves:
        if isinstance(x, PerReplica):
            v = x._value
            in_vals.append(v)
            in_specs.append(P(axis))
            avals.append(jax.ShapeDtypeStruct((v.shape[0] // n, *v.shape[1:]), v.dtype))
            kinds.append(x.layout)
            template.append(_Placeholder(len(in_vals) - 1))
        elif _is_tensor(x) and not isinstance(x, Variable):
            v = _raw(x)
            in_vals.append(v)
            in_specs.append(P())
            avals.append(jax.ShapeDtypeStruct(v.shape, v.dtype))
            kinds.append("")
            template.append(_Placeholder(len(in_vals) - 1))
        else:
            template.append(x)

    ctx = distribute_lib.ReplicaContext(strategy, n, axis)
    frame = _ReplicaFrame(ctx)
    box: dict[str, Any] = {}

    def body(*flat: Any) -> list:
        vals = [v[0] if k == "stack" else v for v, k in zip(flat, kinds)]
        tensors = [Tensor(v) for v in vals]
        filled = [tensors[t.index] if isinstance(t, _Placeholder) else t for t in template]
        args, kwargs = nest.pack_sequence_as(structure, filled)
        with pushed(frame), distribute_lib._in_replica(strategy, ctx):
            result = fn(*args, **kwargs)
            outs: list = []

            def out_leaf(x: Any) -> Any:
                if isinstance(x, Variable):
                    x = Tensor(x._read())
                if _is_tensor(x):
                    outs.append(_raw(x)[None])
                    return _Placeholder(len(outs) - 1)
                if isinstance(x, PerReplica):
                    raise TypeError("strategy.run's function returned a PerReplica value; return tensors instead.")
                return x

            out_template = nest.map_structure(out_leaf, result)
            written = list(frame.written.values())
            finals = [distribute_lib.aggregate_variable(v, frame.current[id(v)], frame.old(v), axis) for v in written]
        box["template"], box["n_out"], box["written"] = out_template, len(outs), written
        return outs + finals

    with tapes_paused():
        closed = jax.make_jaxpr(body, axis_env=[(axis, n)])(*avals)
    consts = list(closed.consts)
    n_out, written = box["n_out"], box["written"]

    def region(cs: tuple, *flat: Any) -> list:
        return jaxpr_as_fun(ClosedJaxpr(closed.jaxpr, list(cs)))(*flat)

    mapped = jax.shard_map(
        region,
        mesh=mesh,
        in_specs=(tuple(P() for _ in consts), *in_specs),
        out_specs=[P(axis)] * n_out + [P()] * len(written),
        check_vma=False,
    )
    results = mapped(tuple(consts), *in_vals)
    for var, value in zip(written, results[n_out:]):
        if var._layout is not None:  # a sharded variable stays sharded (ek.distribute.experimental.shard)
            value = jax.lax.with_sharding_constraint(value, var._layout)
        var._write(value)
    stacked = [PerReplica(r, n, "stack") for r in results[:n_out]]
    return nest.map_structure(lambda t: stacked[t.index] if isinstance(t, _Placeholder) else t, box["template"])
