"""Graph control flow: ``ek.cond``, ``ek.while_loop``, ``ek.case``, ``ek.switch_case``.

Eagerly (concrete predicate) they run the chosen Python branch / a Python loop, exactly
as TF eager does, so GradientTape records what actually ran. Inside ``ek.function`` they
map onto ``jax.lax.cond`` / ``jax.lax.switch`` / ``jax.lax.while_loop``. Each branch or
loop body is traced once with ``jax.make_jaxpr`` under a frame that collects Variable
writes; variables written there become extra outputs (or loop-carried values) and are
written back afterwards, so ``v.assign_add`` inside a branch or loop body works.

>>> import eagerkit as ek
>>> ek.cond(ek.constant(True), lambda: ek.constant(1), lambda: ek.constant(2)).numpy()
np.int32(1)
>>> ek.while_loop(lambda i: i < 10, lambda i: (i + 3,), [ek.constant(0)])[0].numpy()
np.int32(12)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
from jax.extend.core import ClosedJaxpr, jaxpr_as_fun

from eagerkit._src.autodiff.frames import pushed, tapes_paused
from eagerkit._src.core import context
from eagerkit._src.core.convert import convert_to_tensor, to_array
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.variable import Variable
from eagerkit._src.util import nest


class _BranchFrame:
    """Collects variable writes of one traced branch/body without touching the parent."""

    tracing = True

    def __init__(self, overrides: dict[int, Any] | None = None) -> None:
        self.parent = context.frames[-1] if context.frames else None
        self.current: dict[int, Any] = dict(overrides or {})
        self.written: dict[int, Variable] = {}
        self.read_vars: dict[int, tuple[Variable, Any]] = {}

    def read(self, var: Variable) -> Any:
        v = self.current.get(id(var))
        if v is not None:
            return v
        outer = self.parent.read(var) if self.parent is not None else var._value
        self.read_vars.setdefault(id(var), (var, outer))
        return outer

    def write(self, var: Variable, value: Any) -> None:
        self.current[id(var)] = value
        self.written[id(var)] = var

    def created(self, var: Variable) -> None:
        raise ValueError(
            f"Creating a variable ({var.name}) inside a branch or loop body of ek.cond / ek.while_loop is not "
            "supported; create it before the control flow."
        )


def _to_values(structure: Any) -> tuple[list, Any]:
    leaves = nest.flatten(structure)
    vals = [to_array(x) for x in leaves]
    return vals, structure


def _wrap(structure: Any, vals: list) -> Any:
    return nest.pack_sequence_as(structure, [Tensor(v) for v in vals])


_READS: dict[int, list] = {}


def _trace_branch(
    fn: Callable, args_avals: list, arg_structure: Any, overrides: dict | None = None, carried: Sequence[Variable] = ()
):
    """Traces ``fn`` once (tapes paused); returns (closed jaxpr, output structure, written
    variables, number of outputs). The variables it read are kept in ``_READS[id(closed)]``.

    With ``carried`` variables, the last ``len(carried)`` inputs are their values and their
    (possibly updated) values are the last outputs: that is how loops carry variables.
    """
    box: dict[str, Any] = {}
    n_c = len(carried)

    def traced(*flat: Any) -> list:
        values = dict(overrides or {})
        if n_c:
            values.update({id(v): x for v, x in zip(carried, flat[len(flat) - n_c :])})
            flat = flat[: len(flat) - n_c]
        frame = _BranchFrame(values)
        with pushed(frame):
            args = _wrap(arg_structure, list(flat)) if arg_structure is not None else None
            out = fn(*args) if args is not None else fn()
            vals, structure = _to_values(out)
            box["structure"], box["written"] = structure, list(frame.written.values())
            box["reads"] = list(frame.read_vars.values())
            box["n_out"] = len(vals)
            tail = carried if n_c else box["written"]
            return vals + [frame.current[id(v)] for v in tail]

    with tapes_paused():
        closed = jax.make_jaxpr(traced)(*args_avals)
    _READS[id(closed)] = box["reads"]
    return closed, box["structure"], box["written"], box["n_out"]


def _const_objects(closed: Any) -> list:
    """For each constant of a branch jaxpr: the Variable it is a read of, else the raw value."""
    by_value = {id(val): var for var, val in _READS.pop(id(closed), [])}
    return [by_value.get(id(c), c) for c in closed.consts]


def _record(fn: Callable, objs: list, vals: list, outs: list) -> None:
    """Records a traced control-flow construct as one op on the active tapes."""
    if not context.tapes:
        return
    out_t = outs
    for tape in list(context.tapes):
        tape.record(("control_flow", id(fn)), fn, objs, vals, out_t)


def _concrete_pred(pred: Any) -> Any:
    arr = to_array(pred)
    return None if context.is_symbolic(arr) else bool(jnp.asarray(arr).reshape(()))


def cond(pred: Any, true_fn: Callable | None = None, false_fn: Callable | None = None, name: str | None = None) -> Any:
    """``true_fn()`` if ``pred`` else ``false_fn()`` (``tf.cond``).

    Inside ``ek.function`` both branches are traced and must return the same structure,
    shapes and dtypes.

    >>> import eagerkit as ek
    >>> x = ek.constant(2.0)
    >>> ek.cond(x > 1.0, lambda: x * 10.0, lambda: x)
    <tf.Tensor: shape=(), dtype=float32, numpy=20.0>
    >>> @ek.function
    ... def f(x):
    ...     return ek.cond(x > 1.0, lambda: x * 10.0, lambda: x)
    >>> f(ek.constant(0.5))
    <tf.Tensor: shape=(), dtype=float32, numpy=0.5>
    """
    if true_fn is None or false_fn is None:
        raise TypeError("cond: true_fn and false_fn must both be callables.")
    c = _concrete_pred(pred)
    if c is not None:
        return true_fn() if c else false_fn()
    return _switch(to_array(pred).astype(jnp.int32), [false_fn, true_fn], "cond")


def switch_case(branch_index: Any, branch_fns: Any, default: Callable | None = None, name: str | None = None) -> Any:
    """Runs ``branch_fns[branch_index]`` (or ``default`` when out of range) (``tf.switch_case``).

    >>> import eagerkit as ek
    >>> branches = [lambda: ek.constant(10), lambda: ek.constant(20)]
    >>> ek.switch_case(ek.constant(1), branches)
    <tf.Tensor: shape=(), dtype=int32, numpy=20>
    >>> ek.switch_case(ek.constant(7), branches, default=lambda: ek.constant(-1))
    <tf.Tensor: shape=(), dtype=int32, numpy=-1>
    """
    fns = [fn for _, fn in sorted(branch_fns.items())] if isinstance(branch_fns, dict) else list(branch_fns)
    if default is not None:
        fns = fns + [default]
    idx = to_array(branch_index)
    if not jnp.issubdtype(idx.dtype, jnp.integer):
        raise TypeError(f"switch_case: branch_index must be an integer tensor, got {idx.dtype}")
    if not context.is_symbolic(idx):
        i = int(idx)
        if not 0 <= i < len(fns) - (default is not None):
            if default is None:
                i = len(fns) - 1
            else:
                return default()
        return fns[i]()
    n = len(fns) - (default is not None)
    idx = jnp.where((idx < 0) | (idx >= n), len(fns) - 1, idx).astype(jnp.int32)
    return _switch(idx, fns, "switch_case")


def case(
    pred_fn_pairs: Sequence,
    default: Callable | None = None,
    exclusive: bool = False,
    strict: bool = False,
    name: str = "case",
) -> Any:
    """The first ``fn`` whose ``pred`` is true, else ``default`` (``tf.case``).

    >>> import eagerkit as ek
    >>> x = ek.constant(5)
    >>> ek.case([(x < 0, lambda: ek.constant(-1)), (x > 0, lambda: ek.constant(1))], default=lambda: ek.constant(0))
    <tf.Tensor: shape=(), dtype=int32, numpy=1>
    """
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else list(pred_fn_pairs)
    preds = [to_array(p) for p, _ in pairs]
    fns = [f for _, f in pairs]
    if all(not context.is_symbolic(p) for p in preds):
        hits = [i for i, p in enumerate(preds) if bool(p)]
        if exclusive and len(hits) > 1:
            raise InvalidArgumentError(None, "case", f"case: more than one condition is true: {hits}")
        if hits:
            return fns[hits[0]]()
        if default is None:
            return fns[-1]()
        return default()
    stacked = jnp.stack([p.reshape(()) for p in preds])
    first = jnp.argmax(stacked).astype(jnp.int32)
    last = default if default is not None else fns[-1]
    idx = jnp.where(jnp.any(stacked), first, len(fns))
    return _switch(idx, fns + [last], "case")


def _switch(index: Any, fns: list[Callable], op: str) -> Any:
    traced = [_trace_branch(fn, [], None) for fn in fns]
    structures = [t[1] for t in traced]
    for st in structures[1:]:
        try:
            nest.assert_same_structure(structures[0], st, check_types=False)
        except ValueError:
            raise ValueError(
                f"{op}: all branches must return the same structure; got {structures[0]!r} and {st!r}."
            ) from None
    written: dict[int, Variable] = {}
    for t in traced:
        for v in t[2]:
            written.setdefault(id(v), v)
    wvars = list(written.values())
    n_out = traced[0][3]
    # Inputs of the construct: index, current values of written variables, then each branch's constants.
    const_objs = [_const_objects(t[0]) for t in traced]
    sizes = [len(t[0].consts) for t in traced]
    n_w = len(wvars)

    def pure(idx: Any, *flat: Any) -> list:
        current = list(flat[:n_w])
        consts, pos = [], n_w
        for n in sizes:
            consts.append(list(flat[pos : pos + n]))
            pos += n

        def branch(t: tuple, cs: list) -> Callable:
            closed, _, wv, k = t

            def run() -> list:
                outs = jaxpr_as_fun(ClosedJaxpr(closed.jaxpr, cs))()
                new = dict(zip((id(v) for v in wv), outs[k:]))
                return list(outs[:k]) + [new.get(id(v), c) for v, c in zip(wvars, current)]

            return run

        return jax.lax.switch(idx, [branch(t, cs) for t, cs in zip(traced, consts)])

    current = [v._read() for v in wvars]
    vals = [index] + current + [c for t in traced for c in t[0].consts]
    objs = [index] + list(wvars) + [o for objs in const_objs for o in objs]
    outs = pure(*vals)
    for v, val in zip(wvars, outs[n_out:]):
        v._write(val)
    result = [Tensor(o) for o in outs[:n_out]]
    _record(pure, objs, vals, result)
    return nest.pack_sequence_as(structures[0], result)


def _pure_while(
    tensors: Any,
    flat: list,
    wvars: list,
    cond_closed: Any,
    body_closed: Any,
    maximum_iterations: Any,
    single: bool,
    loop_vars: Any,
) -> Any:
    """Emits the loop over explicit inputs (loop values, carried variable values, constants of
    cond and body) and records it on active tapes as one op."""
    n_user = len(flat)
    flat = flat + [v._read() for v in wvars]
    n_loop, n_c, n_b = len(flat), len(cond_closed.consts), len(body_closed.consts)
    limit = None if maximum_iterations is None else _static_int(maximum_iterations, "maximum_iterations")

    def pure(*inputs: Any) -> list:
        vals = list(inputs[:n_loop])
        cc = ClosedJaxpr(cond_closed.jaxpr, list(inputs[n_loop : n_loop + n_c]))
        bc = ClosedJaxpr(body_closed.jaxpr, list(inputs[n_loop + n_c : n_loop + n_c + n_b]))

        def cond_fn(vs: list) -> Any:
            return jaxpr_as_fun(cc)(*vs)[0].reshape(())

        def body_fn(vs: list) -> list:
            return list(jaxpr_as_fun(bc)(*vs))

        if limit is None:
            return jax.lax.while_loop(cond_fn, body_fn, vals)

        def step(carry: tuple, _: Any) -> tuple:
            vs, done = carry
            go = jnp.logical_and(jnp.logical_not(done), cond_fn(vs))
            nv = body_fn(vs)
            return ([jnp.where(go, a, b) for a, b in zip(nv, vs)], jnp.logical_not(go)), None

        (vals, _), _ = jax.lax.scan(step, (vals, jnp.asarray(False)), None, length=limit)
        return vals

    vals = flat + list(cond_closed.consts) + list(body_closed.consts)
    objs = nest.flatten(tensors) + list(wvars) + _const_objects(cond_closed) + _const_objects(body_closed)
    outs = [Tensor(o) for o in pure(*vals)]
    _record(pure, objs, vals, outs)
    for v, o in zip(wvars, outs[n_user:]):
        v._write(o._value)
    result = nest.pack_sequence_as(tensors, outs[:n_user])
    if single:
        return result[0]
    return tuple(result) if isinstance(loop_vars, tuple) else result


def _static_int(x: Any, what: str) -> int:
    if isinstance(x, (Tensor, Variable)):
        x = to_array(x)
    if context.is_symbolic(x):
        raise TypeError(f"while_loop: {what} must be known when tracing (a Python int or constant tensor).")
    return int(x)


def _read(var: Variable) -> Any:
    return var._read()


def while_loop(
    cond: Callable,
    body: Callable,
    loop_vars: Any,
    shape_invariants: Any = None,
    parallel_iterations: int = 10,
    back_prop: bool = True,
    swap_memory: bool = False,
    maximum_iterations: Any = None,
    name: str | None = None,
) -> Any:
    """Repeats ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` (``tf.while_loop``).

    Eagerly this is a Python loop (differentiable by GradientTape). Inside ``ek.function``
    it is ``jax.lax.while_loop`` (or, with ``maximum_iterations``, a bounded ``lax.scan``
    that reverse-mode autodiff can differentiate).

    >>> import eagerkit as ek
    >>> i, total = ek.while_loop(lambda i, t: i < 5, lambda i, t: (i + 1, t + i), [ek.constant(0), ek.constant(0)])
    >>> total
    <tf.Tensor: shape=(), dtype=int32, numpy=10>
    >>> @ek.function
    ... def count_up(n):
    ...     return ek.while_loop(lambda i: i < n, lambda i: (i + 1,), [ek.constant(0)])
    >>> count_up(ek.constant(3))
    [<tf.Tensor: shape=(), dtype=int32, numpy=3>]
    """
    single = not isinstance(loop_vars, (list, tuple))
    structure = [loop_vars] if single else loop_vars
    tensors = nest.map_structure(lambda x: x if isinstance(x, (Tensor, Variable)) else convert_to_tensor(x), structure)

    def call(fn: Callable, vs: Any) -> Any:
        return fn(*vs) if not single else fn(vs[0])

    def as_list(out: Any) -> Any:
        if single:
            return [out[0] if isinstance(out, (list, tuple)) and len(out) == 1 else out]
        return list(out) if isinstance(out, (list, tuple)) else [out]

    flat = [to_array(x) for x in nest.flatten(tensors)]
    symbolic = any(context.is_symbolic(v) for v in flat)
    c0 = call(cond, tensors)
    if not symbolic and not context.is_symbolic(to_array(c0)):
        vs, i = tensors, 0
        limit = None if maximum_iterations is None else _static_int(maximum_iterations, "maximum_iterations")
        while bool(call(cond, vs)) and (limit is None or i < limit):
            vs = nest.map_structure(convert_to_tensor, as_list(call(body, vs)))
            i += 1
        return vs[0] if single else type(loop_vars)(vs) if isinstance(loop_vars, tuple) else vs
    avals = [jax.ShapeDtypeStruct(v.shape, v.dtype) for v in flat]
    body_closed, out_struct, wvars, n_out = _trace_branch(lambda *a: as_list(call(body, list(a))), avals, tensors)
    if n_out != len(flat):
        raise ValueError(f"while_loop: body returned {n_out} values for {len(flat)} loop variables.")
    for a, o in zip(avals, body_closed.out_avals[:n_out]):
        if a.shape != o.shape or a.dtype != o.dtype:
            raise ValueError(
                f"while_loop: a loop variable changed from shape {a.shape} dtype {a.dtype} to {o.shape} {o.dtype}; "
                "loop variables must keep their shape and dtype (use shape_invariants-free fixed shapes on XLA)."
            )
    cond_src = lambda *a: call(cond, list(a))  # noqa: E731
    body_src = lambda *a: as_list(call(body, list(a)))  # noqa: E731
    if wvars:
        # Variables written in the body are loop-carried: trace cond and body once more with
        # their values as extra loop variables (the Python of the body runs twice in this case).
        _READS.pop(id(body_closed), None)
        w_avals = [jax.ShapeDtypeStruct(jnp.shape(v._read()), jnp.result_type(v._read())) for v in wvars]
        body_closed, _, _, _ = _trace_branch(body_src, avals + w_avals, tensors, carried=wvars)
        cond_closed, _, cond_w, _ = _trace_branch(cond_src, avals + w_avals, tensors, carried=wvars)
    else:
        cond_closed, _, cond_w, _ = _trace_branch(cond_src, avals, tensors)
    if cond_w:
        raise ValueError("while_loop: the loop condition must not assign variables.")
    return _pure_while(tensors, flat, wvars, cond_closed, body_closed, maximum_iterations, single, loop_vars)
