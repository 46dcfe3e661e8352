"""``GradientTape``: records eager ops and differentiates them with ``jax.vjp``.

DESIGN: while recording, the tape stores for each op its pure JAX function and how its
inputs connect (to earlier outputs, to watched leaves, or to constants). ``gradient``
prunes the record to what connects the sources to the targets, turns it into one pure
*replay* function and runs ``jax.vjp`` over it inside a single ``jax.jit``. The compiled
gradient is cached by the structure of the pruned record (ops, static arguments and
wiring), so a training loop that records the same ops every step compiles once and then
pays one XLA call per ``gradient``. The forward pass itself stays eager.

Higher-order gradients work because computing a gradient is itself issued as an op
(its pure function is the replay-vjp) and recorded by every tape that is active.

>>> import eagerkit as ek
>>> w = ek.Variable([[1.0]])
>>> with ek.GradientTape() as tape:
...     loss = w * w
>>> print(tape.gradient(loss, w))
tf.Tensor([[2.]], shape=(1, 1), dtype=float32)
"""

from __future__ import annotations

import contextlib
import enum
import logging
from collections.abc import Callable, Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from eagerkit._src.core import context
from eagerkit._src.core.convert import to_array
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.variable import Variable
from eagerkit._src.ops import op as _op
from eagerkit._src.util import nest

_log = logging.getLogger("eagerkit")


class UnconnectedGradients(enum.Enum):
    """What ``gradient`` returns for sources the targets do not depend on."""

    NONE = "none"
    ZERO = "zero"


_FLOAT_DTYPES: dict[Any, bool] = {}


def _is_float(dtype: Any) -> bool:
    try:
        return _FLOAT_DTYPES[dtype]
    except KeyError:
        r = _FLOAT_DTYPES[dtype] = bool(jnp.issubdtype(dtype, jnp.inexact))
        return r


class _Entry:
    __slots__ = ("key", "fn", "refs", "outs")

    def __init__(self, key: Any, fn: Callable, refs: list, outs: list) -> None:
        self.key, self.fn, self.refs, self.outs = key, fn, refs, outs


class _Leaf:
    """A watched tensor, or one read of a watched variable."""

    __slots__ = ("obj", "value", "var")

    def __init__(self, obj: Any, value: Any, var: Variable | None) -> None:
        self.obj, self.value, self.var = obj, value, var


class Recorder:
    """The recording machinery shared by GradientTape and ForwardAccumulator."""

    def __init__(self, watch_accessed_variables: bool) -> None:
        self._auto_watch = watch_accessed_variables
        self._reset_record()

    def _reset_record(self) -> None:
        self._entries: list[_Entry] = []
        self._producer: dict[int, tuple[int, int]] = {}
        self._watched: dict[int, int] = {}
        self._leaves: list[_Leaf] = []
        self._var_leaf: dict[tuple[int, int], int] = {}
        self._watched_vars: dict[int, Variable] = {}
        # id(raw value) -> ref, so ops whose inputs arrive as raw arrays (traced control flow
        # closing over tensors) still connect to the record.
        self._by_value: dict[int, tuple] = {}

    # -- recording --------------------------------------------------------------------
    def _watch_one(self, x: Any) -> None:
        if isinstance(x, Variable):
            if not _is_float(x._value.dtype):
                _log.warning(
                    "The dtype of the watched variable must be floating (e.g. ek.float32), got %s", x.dtype.name
                )
                return
            self._watched_vars.setdefault(id(x), x)
        elif type(x) is Tensor:
            if not _is_float(x._value.dtype):
                _log.warning("The dtype of the watched tensor must be floating (e.g. ek.float32), got %s", x.dtype.name)
                return
            if id(x) not in self._watched and id(x) not in self._producer:
                self._watched[id(x)] = len(self._leaves)
                self._by_value[id(x._value)] = ("l", len(self._leaves))
                self._leaves.append(_Leaf(x, x._value, None))
        else:
            raise ValueError(
                f"GradientTape.watch: expected a Tensor or Variable (or a nest of them), got "
                f"{type(x).__name__}. Convert it first with ek.convert_to_tensor."
            )

    def _resolve(self, obj: Any, val: Any) -> tuple:
        if type(obj) is Tensor:
            key = id(obj)
            p = self._producer.get(key)
            if p is not None:
                return ("n", p[0], p[1])
            leaf = self._watched.get(key)
            if leaf is not None:
                return ("l", leaf)
            return ("c", obj, val)
        if isinstance(obj, Variable):
            vid = id(obj)
            if vid not in self._watched_vars:
                if not (self._auto_watch and obj._trainable and _is_float(val.dtype)):
                    return ("c", obj, val)
                self._watched_vars[vid] = obj
            lkey = (vid, id(val))
            leaf = self._var_leaf.get(lkey)
            if leaf is None:
                leaf = self._var_leaf[lkey] = len(self._leaves)
                self._by_value[id(val)] = ("l", leaf)
                self._leaves.append(_Leaf(obj, val, obj))
            return ("l", leaf)
        if obj is val and val is not None:
            r = self._by_value.get(id(val))
            if r is not None:
                return r
        return ("c", obj, val)

    def record(self, key: Any, fn: Callable, objs: list, vals: list, outs: list) -> None:
        refs = [self._resolve(o, v) for o, v in zip(objs, vals)]
        for r in refs:
            if r[0] != "c":
                break
        else:
            return
        for o in outs:
            if _is_float(o._value.dtype):
                break
        else:
            return
        idx = len(self._entries)
        self._entries.append(_Entry(key, fn, refs, outs))
        producer = self._producer
        by_value = self._by_value
        for k, o in enumerate(outs):
            producer[id(o)] = (idx, k)
            by_value[id(o._value)] = ("n", idx, k)

    # -- building the replay program -------------------------------------------------------
    def _source_slots(self, sources: list) -> tuple[list, list, dict, dict]:
        """Maps sources to argument slots of the replay function.

        Returns (slot objs, slot values, leaf->slot, node->slot) plus per-source slot lists
        via ``self._src_slots``.
        """
        slot_objs: list = []
        slot_vals: list = []
        leaf_slot: dict[int, int] = {}
        node_slot: dict[tuple[int, int], int] = {}
        per_source: list[list[int]] = []
        for s in sources:
            slots: list[int] = []
            if isinstance(s, Variable):
                for i, leaf in enumerate(self._leaves):
                    if leaf.var is s:
                        if i not in leaf_slot:
                            leaf_slot[i] = len(slot_objs)
                            slot_objs.append(s)
                            slot_vals.append(leaf.value)
                        slots.append(leaf_slot[i])
            elif type(s) is Tensor:
                p = self._producer.get(id(s))
                leaf = self._watched.get(id(s))
                if p is not None:
                    if p not in node_slot:
                        node_slot[p] = len(slot_objs)
                        slot_objs.append(s)
                        slot_vals.append(s._value)
                    slots.append(node_slot[p])
                elif leaf is not None:
                    if leaf not in leaf_slot:
                        leaf_slot[leaf] = len(slot_objs)
                        slot_objs.append(s)
                        slot_vals.append(self._leaves[leaf].value)
                    slots.append(leaf_slot[leaf])
            else:
                raise ValueError(
                    f"GradientTape: sources must be Tensors or Variables (or nests of them), got "
                    f"{type(s).__name__}: {s!r}"
                )
            per_source.append(slots)
        return slot_objs, slot_vals, leaf_slot, node_slot, per_source

    def _program(self, targets: list, leaf_slot: dict, node_slot: dict):
        """Prunes the record to the entries the targets need. Returns (key, program, target refs,
        const objs, const vals)."""
        entries = self._entries
        needed: set[int] = set()
        stack: list[int] = []
        target_refs: list = []
        for t in targets:
            if type(t) is not Tensor:
                target_refs.append(None)
                continue
            p = self._producer.get(id(t))
            if p is not None:
                if p in node_slot:
                    target_refs.append(("s", node_slot[p]))
                else:
                    target_refs.append(("n", p[0], p[1]))
                    if p[0] not in needed:
                        needed.add(p[0])
                        stack.append(p[0])
                continue
            leaf = self._watched.get(id(t))
            if leaf is not None and leaf in leaf_slot:
                target_refs.append(("s", leaf_slot[leaf]))
            else:
                target_refs.append(None)
        while stack:
            e = entries[stack.pop()]
            for r in e.refs:
                if r[0] == "n" and (r[1], r[2]) not in node_slot and r[1] not in needed:
                    needed.add(r[1])
                    stack.append(r[1])
        order = sorted(needed)
        pos = {e: i for i, e in enumerate(order)}
        const_objs: list = []
        const_vals: list = []
        const_index: dict[int, int] = {}
        program = []
        key_parts = []

        def const(obj: Any, val: Any) -> tuple:
            k = id(val)
            if k not in const_index:
                const_index[k] = len(const_vals)
                const_objs.append(obj)
                const_vals.append(val)
            return ("c", const_index[k])

        for e in order:
            entry = entries[e]
            mapped = []
            for r in entry.refs:
                kind = r[0]
                if kind == "n":
                    s = node_slot.get((r[1], r[2]))
                    mapped.append(("s", s) if s is not None else ("n", pos[r[1]], r[2]))
                elif kind == "l":
                    s = leaf_slot.get(r[1])
                    if s is not None:
                        mapped.append(("s", s))
                    else:
                        leaf = self._leaves[r[1]]
                        mapped.append(const(leaf.obj, leaf.value))
                else:
                    mapped.append(const(r[1], r[2]))
            mapped = tuple(mapped)
            program.append((entry.fn, mapped))
            key_parts.append((entry.key, mapped))
        t_refs = []
        for r in target_refs:
            if r is not None and r[0] == "n":
                r = ("n", pos[r[1]], r[2])
            t_refs.append(r)
        key = (tuple(key_parts), tuple(t_refs))
        return key, program, t_refs, const_objs, const_vals


def _make_replay(program: list, target_refs: list) -> Callable:
    live_targets = [r for r in target_refs if r is not None]

    def replay(srcs: list, consts: list) -> list:
        nodes: list = []
        for fn, refs in program:
            args = [srcs[r[1]] if r[0] == "s" else consts[r[1]] if r[0] == "c" else nodes[r[1]][r[2]] for r in refs]
            out = fn(*args)
            nodes.append(out if isinstance(out, (tuple, list)) else (out,))
        return [srcs[r[1]] if r[0] == "s" else nodes[r[1]][r[2]] for r in live_targets]

    return replay


_GRAD_CACHE: dict[Any, tuple[Callable, Callable]] = {}


def _grad_functions(key: Any, program: list, target_refs: list) -> tuple[Callable, Callable]:
    """(compiled, pure) ``(srcs, consts, cotangents) -> source grads`` for one program."""
    hit = _GRAD_CACHE.get(key)
    if hit is not None:
        return hit
    replay = _make_replay(program, target_refs)

    def grads(srcs: list, consts: list, cts: list) -> list:
        outs, vjp = jax.vjp(lambda s: replay(s, consts), srcs)
        cts = [jnp.ones_like(o) if c is None else c for o, c in zip(outs, cts)]
        return vjp(cts)[0]

    entry = (jax.jit(grads), grads)
    _GRAD_CACHE[key] = entry
    return entry


def _flat_call(fn: Callable, sizes: tuple, *flat: Any) -> Any:
    parts, i = [], 0
    for n in sizes:
        parts.append(list(flat[i : i + n]))
        i += n
    return fn(*parts)


def issue(key: Any, compiled: Callable, pure: Callable, groups: list[tuple[list, list]]) -> list[Tensor]:
    """Runs a computation built by a tape as an op: executes ``compiled`` on the value
    groups and records it (via ``pure``) on the active tapes, so that outer tapes can
    differentiate it (higher-order gradients)."""
    out = compiled(*[vals for _, vals in groups])
    outs = [Tensor(o) for o in out]
    if context.tapes:
        sizes = tuple(len(vals) for _, vals in groups)
        objs = [o for objs, _ in groups for o in objs]
        vals = [v for _, vs in groups for v in vs]
        fn = lambda *flat: _flat_call(pure, sizes, *flat)  # noqa: E731
        for tape in list(context.tapes):
            tape.record(("tape-op", key, sizes), fn, objs, vals, outs)
    return outs


class GradientTape(Recorder):
    """Records operations for automatic differentiation (``tf.GradientTape``).

    Args:
      persistent: allow more than one ``gradient``/``jacobian`` call.
      watch_accessed_variables: watch trainable variables automatically when read.

    >>> import eagerkit as ek
    >>> x = ek.constant(3.0)
    >>> with ek.GradientTape() as t:
    ...     t.watch(x)
    ...     y = x * x
    >>> t.gradient(y, x).numpy()
    np.float32(6.0)
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        super().__init__(watch_accessed_variables)
        self._persistent = persistent
        self._recording = False
        self._used = False

    def __enter__(self) -> GradientTape:
        self._push()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._pop()

    def _push(self) -> None:
        if self._recording:
            raise ValueError("GradientTape is already recording; nested `with` of the same tape.")
        self._recording = True
        context.tapes.append(self)

    def _pop(self) -> None:
        if self._recording:
            self._recording = False
            if self in context.tapes:
                context.tapes.remove(self)

    def watch(self, tensor: Any) -> None:
        """Ensures ``tensor`` (a Tensor, Variable or nest of them) is traced by this tape."""
        for x in nest.flatten(tensor):
            self._watch_one(x)

    def watched_variables(self) -> tuple[Variable, ...]:
        """The variables watched so far, in the order they were first accessed."""
        return tuple(self._watched_vars.values())

    @contextlib.contextmanager
    def stop_recording(self) -> Iterator[None]:
        """Temporarily stops recording operations on this tape."""
        if not self._recording:
            raise ValueError("Tape.stop_recording() called while the tape is not recording.")
        self._pop()
        try:
            yield
        finally:
            self._push()

    def reset(self) -> None:
        """Clears everything recorded so far."""
        self._reset_record()

    def _check_usable(self, what: str) -> None:
        if self._used and not self._persistent:
            raise RuntimeError(
                f"A non-persistent GradientTape can only be used to compute one set of gradients "
                f"(or jacobians). Create the tape with ek.GradientTape(persistent=True) to call "
                f"{what} more than once."
            )
        self._used = True

    def gradient(
        self,
        target: Any,
        sources: Any,
        output_gradients: Any = None,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
    ) -> Any:
        """Gradient of ``target`` (summed over its elements and entries) w.r.t. ``sources``.

        ``target`` and ``sources`` may be nests; the result has the structure of ``sources``.
        """
        self._check_usable("gradient")
        unconnected = UnconnectedGradients(unconnected_gradients)
        flat_targets = nest.flatten(target)
        for t in flat_targets:
            if isinstance(t, Variable):
                continue
            if type(t) is not Tensor:
                raise TypeError(
                    f"GradientTape.gradient: the target must be a Tensor or Variable (or a nest of "
                    f"them), got {type(t).__name__}: {t!r}"
                )
        flat_targets = [t.value() if isinstance(t, Variable) else t for t in flat_targets]
        flat_sources = nest.flatten(sources)
        slot_objs, slot_vals, leaf_slot, node_slot, per_source = self._source_slots(flat_sources)
        key, program, t_refs, c_objs, c_vals = self._program(flat_targets, leaf_slot, node_slot)
        live = [(t, r) for t, r in zip(flat_targets, t_refs) if r is not None and _is_float(t._value.dtype)]
        if output_gradients is not None:
            flat_og = nest.flatten(output_gradients)
            if len(flat_og) != len(flat_targets):
                raise ValueError(
                    f"GradientTape.gradient: output_gradients has {len(flat_og)} entries but target "
                    f"has {len(flat_targets)}; pass one gradient per target."
                )
            og = dict(zip(map(id, flat_targets), flat_og))
        else:
            og = {}
        ct_objs, ct_vals = [], []
        for t, _ in live:
            g = og.get(id(t))
            if g is None:
                ct = None  # ones, made inside the compiled gradient
                ct_objs.append(None)
            else:
                ct = to_array(g)
                if ct.shape != t._value.shape:
                    raise InvalidArgumentError(
                        None,
                        "gradient",
                        f"GradientTape.gradient: output_gradients of shape "
                        f"{tuple(ct.shape)} do not match target of shape {tuple(t._value.shape)}.",
                    )
                ct = ct.astype(t._value.dtype)
                ct_objs.append(g)
            ct_vals.append(ct)
        float_slots = [i for i, v in enumerate(slot_vals) if _is_float(v.dtype)]
        slot_grads: list[Any] = [None] * len(slot_vals)
        if live and float_slots:
            key = (key, tuple(r for _, r in live if r is not None), len(slot_vals))
            compiled, pure = _grad_functions(key, program, [r for _, r in live])
            outs = issue(
                key,
                compiled,
                pure,
                [(slot_objs, slot_vals), (c_objs, c_vals), (ct_objs, ct_vals)],
            )
            slot_grads = outs
        result = []
        for s, slots in zip(flat_sources, per_source):
            grads = [slot_grads[i] for i in slots if slot_grads[i] is not None and _is_float(slot_vals[i].dtype)]
            if not grads:
                g = None
                if unconnected is UnconnectedGradients.ZERO:
                    g = Tensor(jnp.zeros(s.shape, s.dtype.as_numpy_dtype))
            elif len(grads) == 1:
                g = grads[0]
            else:
                g = _add_n(grads)
            result.append(g)
        return nest.pack_sequence_as(sources, result)

    def jacobian(
        self,
        target: Any,
        sources: Any,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
        parallel_iterations: int | None = None,
        experimental_use_pfor: bool = True,
    ) -> Any:
        """Jacobian of ``target`` w.r.t. each source: shape ``target.shape + source.shape``.

        Vectorised: the backward pass runs once under ``jax.vmap`` over basis cotangents.
        """
        self._check_usable("jacobian")
        return self._jacobian(target, sources, UnconnectedGradients(unconnected_gradients), batch=False)

    def batch_jacobian(
        self,
        target: Any,
        source: Any,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
        parallel_iterations: int | None = None,
        experimental_use_pfor: bool = True,
    ) -> Any:
        """Per-example Jacobian: ``[b, *target.shape[1:], *source.shape[1:]]``, assuming
        example ``i`` of the target depends only on example ``i`` of the source."""
        self._check_usable("batch_jacobian")
        if type(target) is not Tensor or target.ndim < 1:
            raise ValueError("batch_jacobian: target must be a Tensor with a batch dimension.")
        src_shape = source.shape
        if src_shape.rank is None or src_shape.rank < 1 or src_shape[0] != target.shape[0]:
            raise ValueError(
                f"batch_jacobian: need first dimensions of target and source to match, got "
                f"{target.shape} and {src_shape}."
            )
        return self._jacobian(target, source, UnconnectedGradients(unconnected_gradients), batch=True)

    def _jacobian(self, target: Any, sources: Any, unconnected: UnconnectedGradients, batch: bool) -> Any:
        if isinstance(target, Variable):
            target = target.value()
        if type(target) is not Tensor:
            raise TypeError(f"GradientTape.jacobian: target must be a Tensor, got {type(target).__name__}")
        flat_sources = nest.flatten(sources)
        slot_objs, slot_vals, leaf_slot, node_slot, per_source = self._source_slots(flat_sources)
        key, program, t_refs, c_objs, c_vals = self._program([target], leaf_slot, node_slot)
        tshape = tuple(target._value.shape)
        tdtype = target._value.dtype
        slot_jacs: list[Any] = [None] * len(slot_vals)
        if t_refs[0] is not None and _is_float(tdtype) and slot_vals:
            jkey = ("jacobian", batch, key, tshape, str(tdtype))
            hit = _GRAD_CACHE.get(jkey)
            if hit is None:
                _, grads = _grad_functions((key, (t_refs[0],), len(slot_vals)), program, t_refs)
                if batch:
                    per = int(np.prod(tshape[1:]))
                    basis = jnp.eye(per, dtype=tdtype).reshape((per, 1) + tshape[1:])
                    basis = jnp.broadcast_to(basis, (per,) + tshape)
                else:
                    n = int(np.prod(tshape))
                    basis = jnp.eye(n, dtype=tdtype).reshape((n,) + tshape)

                def jac(srcs: list, consts: list) -> list:
                    rows = jax.vmap(lambda ct: grads(srcs, consts, [ct]))(basis)
                    out = []
                    for r, s in zip(rows, srcs):
                        if batch:
                            r = jnp.moveaxis(r, 1, 0)  # [b, per, *s[1:]]
                            out.append(r.reshape((tshape[0],) + tshape[1:] + s.shape[1:]))
                        else:
                            out.append(r.reshape(tshape + s.shape))
                    return out

                hit = _GRAD_CACHE[jkey] = (jax.jit(jac), jac)
            compiled, pure = hit
            slot_jacs = issue(jkey, compiled, pure, [(slot_objs, slot_vals), (c_objs, c_vals)])
        result = []
        for s, slots in zip(flat_sources, per_source):
            jacs = [slot_jacs[i] for i in slots if slot_jacs[i] is not None]
            if not jacs:
                j = None
                if unconnected is UnconnectedGradients.ZERO:
                    sshape = tuple(s.shape)
                    shape = (tshape + sshape) if not batch else (tshape + sshape[1:])
                    j = Tensor(jnp.zeros(shape, s.dtype.as_numpy_dtype))
            elif len(jacs) == 1:
                j = jacs[0]
            else:
                j = _add_n(jacs)
            result.append(j)
        return nest.pack_sequence_as(sources, result)


def _add_n(tensors: list[Tensor]) -> Tensor:
    from eagerkit._src.ops.math_ops import add_n

    return add_n(tensors)


def _record_on_tapes(key: Any, fn: Callable, objs: list, vals: list, outs: list) -> None:
    for tape in context.tapes:
        tape.record(key, fn, objs, vals, outs)


_op.record_hook = _record_on_tapes
