"""``GradientTape``: records eager ops and differentiates them with ``jax.vjp``.

DESIGN: while recording, a tape only appends ``(key, pure fn, input objects, input values,
outputs)`` for each op to a log (the cheapest thing to do between op dispatches). When the
record is needed (``gradient``, ``watch``, ...) the log is *resolved* in one tight loop:
each op input becomes a code saying whether it is an earlier output (a *node*), a watched
tensor or variable read (a *leaf*), or a constant; ops with no tracked input, no floating
output, or a TF no-gradient op (``NO_GRADIENT_OPS``) are dropped. ``gradient`` prunes the
record to the entries on a path from the sources to the targets, turns them into one pure
*replay* function and runs ``jax.vjp`` over it inside a single ``jax.jit``. The forward
pass itself stays eager.

Every resolved op also advances a global trie of record *structures* (op keys and wiring), so
the trie node a tape ends on is an exact fingerprint of what it recorded. The pruned,
compiled program (a :class:`_Plan`) is cached on that node per kind of request, so a
training loop that records the same ops every step builds and compiles its backward pass
once and afterwards pays: gather the argument values, one XLA call, wrap the results.

Sources that are intermediate tensors do not cut the graph (as in TF): the replay adds a
zero-valued perturbation to such a node and differentiates with respect to it, so other
sources still receive the gradient that flows through it.

Higher-order gradients work because computing a gradient is itself issued as an op whose
pure function is the plan's replay-vjp, recorded by every tape that is active.

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
from collections.abc import Callable, Iterator, Sequence
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
    """What ``gradient`` returns for sources the targets do not depend on.

    >>> import eagerkit as ek
    >>> x = ek.Variable(1.0)
    >>> y = ek.Variable(2.0)
    >>> with ek.GradientTape(persistent=True) as tape:
    ...     z = x * 3.0
    >>> print(tape.gradient(z, y))
    None
    >>> tape.gradient(z, y, unconnected_gradients=ek.UnconnectedGradients.ZERO)
    <tf.Tensor: shape=(), dtype=float32, numpy=0.0>
    """

    NONE = "none"
    ZERO = "zero"


#: TF ops whose registered gradient is ``None`` (or that TF marks not differentiable):
#: their outputs are constants to the tape, so gradients through them are ``None`` as in TF.
NO_GRADIENT_OPS = frozenset(
    {"StopGradient", "Floor", "Ceil", "Round", "Rint", "FloorDiv", "TruncateDiv", "ZerosLike", "OnesLike", "Unique"}
)

_FLOAT_DTYPES: dict[Any, bool] = {}
_NO_GRADIENT: dict[Any, bool] = {}  # first element of a record key -> its op has no gradient


def _no_gradient(k0: Any) -> bool:
    r = _NO_GRADIENT[k0] = type(k0) is _op.Op and k0.tf_name in NO_GRADIENT_OPS
    return r


def _is_float(dtype: Any) -> bool:
    try:
        return _FLOAT_DTYPES[dtype]
    except KeyError:
        r = _FLOAT_DTYPES[dtype] = bool(jnp.issubdtype(dtype, jnp.inexact))
        return r


# -- reference codes ------------------------------------------------------------------------------
# An input of a recorded op is one int: node (entry e, output k) -> (e << 26) | (k << 2);
# leaf i -> (i << 2) | 1; constant j -> (j << 2) | 2. Ints hash and compare fast, which keeps
# recording cheap and the structural keys small.
_NODE, _LEAF, _CONST = 0, 1, 2
_E_SHIFT = 26
_K_MASK = (1 << (_E_SHIFT - 2)) - 1


def _node_code(e: int, k: int) -> int:
    return (e << _E_SHIFT) | (k << 2)


# -- the structure trie -----------------------------------------------------------------------------
class _Trie:
    """One record structure: children by (op key, input codes); cached plans by request."""

    __slots__ = ("children", "plans")

    def __init__(self) -> None:
        self.children: dict[Any, _Trie] = {}
        self.plans: dict[Any, _Plan] = {}


_TRIE_LIMIT = 100_000  # nodes; past it a fresh root starts (old tapes keep their own nodes)
_trie_root = _Trie()
_trie_size = 0


def _trie_child(node: _Trie, ekey: Any) -> _Trie:
    global _trie_size
    child = node.children.get(ekey)
    if child is None:
        child = node.children[ekey] = _Trie()
        _trie_size += 1
    return child


def _fresh_root() -> _Trie:
    global _trie_root, _trie_size
    if _trie_size > _TRIE_LIMIT:
        _trie_root, _trie_size = _Trie(), 0
    return _trie_root


def clear_caches() -> None:
    """Forgets every cached structure and compiled plan (tests, memory pressure)."""
    global _trie_root, _trie_size
    _trie_root, _trie_size = _Trie(), 0


class _Record:
    """The resolved record of a recorder: entries wired by codes, leaves, constants, and the
    trie node that fingerprints its structure."""

    __slots__ = (
        "auto_watch",
        "fns",
        "refs",
        "outs",
        "producer",
        "by_value",
        "leaf_objs",
        "leaf_vals",
        "var_leaf",
        "var_leaves",
        "watched_vars",
        "const_objs",
        "const_vals",
        "node",
    )

    def __init__(self, auto_watch: bool, watched_vars: dict[int, Variable]) -> None:
        self.auto_watch = auto_watch
        self.fns: list[Callable] = []
        self.refs: list[tuple[int, ...]] = []
        self.outs: list[Sequence[Tensor]] = []
        self.producer: dict[int, int] = {}  # id(Tensor) -> node code, or leaf code if watched
        self.by_value: dict[int, int] | None = None  # id(raw array) -> code; built on first need
        self.leaf_objs: list[Any] = []
        self.leaf_vals: list[Any] = []
        self.var_leaf: dict[tuple[int, int], int] = {}  # (id(var), id(value)) -> leaf code
        self.var_leaves: dict[int, list[int]] = {}  # id(var) -> leaf codes
        self.watched_vars = watched_vars  # shared with the recorder: survives a release
        self.const_objs: list[Any] = []
        self.const_vals: list[Any] = []
        self.node: _Trie = _fresh_root()

    def new_leaf(self, obj: Any, value: Any) -> int:
        code = (len(self.leaf_vals) << 2) | _LEAF
        self.leaf_objs.append(obj)
        self.leaf_vals.append(value)
        if self.by_value is not None:
            self.by_value[id(value)] = code
        return code

    def value_map(self) -> dict[int, int]:
        """id(raw array) -> code for every leaf and output so far (for ops fed raw arrays, e.g.
        by traced control flow closing over tensors); kept up to date once built."""
        if self.by_value is None:
            bv: dict[int, int] = {}
            for i, v in enumerate(self.leaf_vals):
                bv[id(v)] = (i << 2) | _LEAF
            for e, outs in enumerate(self.outs):
                for k, o in enumerate(outs):
                    bv[id(o._value)] = (e << _E_SHIFT) | (k << 2)
            self.by_value = bv
        return self.by_value

    def watch_tensor(self, x: Tensor) -> None:
        if id(x) not in self.producer:
            self.producer[id(x)] = self.new_leaf(x, x._value)

    def var_code(self, var: Variable, val: Any) -> int | None:
        """The leaf for this read of ``var`` (watching it if trainable), or None if unwatched."""
        vid = id(var)
        if vid not in self.watched_vars:
            if not (self.auto_watch and var._trainable and _is_float(val.dtype)):
                return None
            self.watched_vars[vid] = var
        lkey = (vid, id(val))
        code = self.var_leaf.get(lkey)
        if code is None:
            code = self.var_leaf[lkey] = self.new_leaf(var, val)
            self.var_leaves.setdefault(vid, []).append(code)
        return code

    def add(self, log: list) -> None:
        """Resolves logged ops ``(key, fn, objs, vals, outs)`` in order."""
        get_code = self.producer.get
        producer = self.producer
        var_leaf = self.var_leaf
        const_vals, const_objs = self.const_vals, self.const_objs
        fns, refs_all, outs_all = self.fns, self.refs, self.outs
        node = self.node
        for key, fn, objs, vals, outs in log:
            n_const = len(const_vals)
            refs = []
            live = False
            for o, v in zip(objs, vals):
                t = type(o)
                if t is Tensor:
                    c = get_code(id(o))
                    if c is not None:
                        refs.append(c)
                        live = True
                        continue
                elif t is Variable or isinstance(o, Variable):
                    c = var_leaf.get((id(o), id(v)))
                    if c is None:
                        c = self.var_code(o, v)
                    if c is not None:
                        refs.append(c)
                        live = True
                        continue
                elif o is v and o is not None:
                    c = self.value_map().get(id(o))
                    if c is not None:
                        refs.append(c)
                        live = True
                        continue
                refs.append((len(const_vals) << 2) | _CONST)
                const_vals.append(v)
                const_objs.append(o)
            if live:
                nodiff = _NO_GRADIENT.get(key[0])
                if nodiff is None:
                    nodiff = _no_gradient(key[0])
                if nodiff:
                    live = False
                elif len(outs) == 1:
                    dt = outs[0]._value.dtype
                    f = _FLOAT_DTYPES.get(dt)
                    live = f if f is not None else _is_float(dt)
                else:
                    for o in outs:
                        dt = o._value.dtype
                        f = _FLOAT_DTYPES.get(dt)
                        if f or (f is None and _is_float(dt)):
                            break
                    else:
                        live = False
            if not live:
                del const_vals[n_const:]
                del const_objs[n_const:]
                continue
            refs_t = tuple(refs)
            base = len(fns) << _E_SHIFT
            fns.append(fn)
            refs_all.append(refs_t)
            outs_all.append(outs)
            if len(outs) == 1:
                producer[id(outs[0])] = base
            else:
                for k, o in enumerate(outs):
                    producer[id(o)] = base | (k << 2)
            if self.by_value is not None:
                for k, o in enumerate(outs):
                    self.by_value[id(o._value)] = base | (k << 2)
            ekey = (key, refs_t)
            child = node.children.get(ekey)
            node = child if child is not None else _trie_child(node, ekey)
        self.node = node

    # -- requests -------------------------------------------------------------------------
    def target_code(self, t: Any, what: str) -> int:
        """Code of a target tensor, or -1 when it is not on this record (or not floating)."""
        if type(t) is not Tensor:
            if isinstance(t, Variable):
                if not _is_float(t._value.dtype):
                    return -1
                c = self.var_code(t, t._read())
                return -1 if c is None else c
            raise TypeError(
                f"{what}: the target must be an ek.Tensor or ek.Variable (or a nest of them), got "
                f"{type(t).__name__}: {t!r}. Compute the target with eagerkit ops inside the tape's `with` block."
            )
        c = self.producer.get(id(t))
        if c is None:
            return -1
        return c if _is_float(t._value.dtype) else -1

    def source_slots(self, s: Any, what: str) -> tuple[int, ...]:
        """The leaf/node codes a source stands for (several for a variable read at several values)."""
        if type(s) is Tensor:
            c = self.producer.get(id(s))
            if c is None:
                return ()
            return (c,) if _is_float(s._value.dtype) else ()
        if isinstance(s, Variable):
            leaves = self.var_leaves.get(id(s))
            return tuple(leaves) if leaves else ()
        raise TypeError(
            f"{what}: sources must be ek.Tensors or ek.Variables (or a nest of them), got {type(s).__name__}: {s!r}."
        )

    def gather(self, codes: Sequence[int]) -> list:
        leaf_vals, const_vals, outs = self.leaf_vals, self.const_vals, self.outs
        vals = []
        for c in codes:
            tag = c & 3
            if tag == _LEAF:
                vals.append(leaf_vals[c >> 2])
            elif tag == _CONST:
                vals.append(const_vals[c >> 2])
            else:
                vals.append(outs[c >> _E_SHIFT][(c >> 2) & _K_MASK]._value)
        return vals

    def gather_objs(self, codes: Sequence[int]) -> list:
        leaf_objs, const_objs, outs = self.leaf_objs, self.const_objs, self.outs
        objs = []
        for c in codes:
            tag = c & 3
            if tag == _LEAF:
                objs.append(leaf_objs[c >> 2])
            elif tag == _CONST:
                objs.append(const_objs[c >> 2])
            else:
                objs.append(outs[c >> _E_SHIFT][(c >> 2) & _K_MASK])
        return objs

    def plan(self, mode: Any, target_codes: tuple, groups: tuple, extra: Any = None) -> _Plan:
        key = (mode, target_codes, groups, extra)
        plan = self.node.plans.get(key)
        if plan is None:
            plan = self.node.plans[key] = _build_plan(self, mode, target_codes, groups, extra)
        return plan

    def run(self, plan: _Plan, extra_objs: list, extra_vals: list) -> list[Tensor]:
        vals = self.gather(plan.arg_codes)
        if extra_vals:
            vals.extend(extra_vals)
        if context.tapes:
            objs = self.gather_objs(plan.arg_codes)
            objs.extend(extra_objs)
            return issue(plan, vals, objs)
        return [Tensor(o) for o in plan.compiled(*vals)]


_FLUSH_AT = 4096  # logged ops resolved in one go (bounds what an unresolved log holds)


class Recorder:
    """The recording machinery shared by GradientTape and ForwardAccumulator.

    Recording only appends ``(key, fn, objs, vals, outs)`` to a log; the log is resolved into
    a :class:`_Record` (wiring, leaves, structure fingerprint) when the record is needed, in
    one tight loop instead of interleaved with every op's dispatch.
    """

    def __init__(self, watch_accessed_variables: bool) -> None:
        self._auto_watch = watch_accessed_variables
        self._reset_record()

    def _reset_record(self) -> None:
        self._log: list[tuple] = []
        self._rec: _Record | None = None
        self._watched_vars: dict[int, Variable] = {}

    def record(self, key: Any, fn: Callable, objs: Sequence, vals: Sequence, outs: Sequence) -> None:
        """Records one executed op: ``outs = fn(*vals)`` where ``vals`` are the values of ``objs``
        (Tensors, Variables, or anything else, which is a constant to the tape).

        ``key`` is a hashable tuple that identifies ``fn`` (same key, same function): it is how
        repeated records are recognised, so it must not be reused for a different function.

        >>> import jax.numpy as jnp
        >>> import eagerkit as ek
        >>> x = ek.constant(0.0)
        >>> with ek.GradientTape() as tape:
        ...     tape.watch(x)
        ...     y = ek.constant(jnp.cos(x.numpy()))  # computed outside eagerkit's ops: invisible to the tape...
        ...     tape.record(("docs", "cos"), jnp.cos, [x], [x.numpy()], [y])  # ...until recorded by hand
        >>> tape.gradient(y, x)  # -sin(0)
        <tf.Tensor: shape=(), dtype=float32, numpy=-0.0>
        """
        log = self._log
        log.append((key, fn, objs, vals, outs))
        if len(log) > _FLUSH_AT:
            self._resolved()

    def _resolved(self) -> _Record:
        rec = self._rec
        if rec is None:
            rec = self._rec = _Record(self._auto_watch, self._watched_vars)
        if self._log:
            log, self._log = self._log, []
            rec.add(log)
        return rec

    def _watch_one(self, x: Any) -> None:
        if isinstance(x, Variable):
            if not _is_float(x._value.dtype):
                _log.warning(
                    "The dtype of the watched variable must be floating (e.g. ek.float32), got ek.%s", x.dtype.name
                )
                return
            self._resolved()
            self._watched_vars.setdefault(id(x), x)
        elif type(x) is Tensor:
            if not _is_float(x._value.dtype):
                _log.warning(
                    "The dtype of the watched tensor must be floating (e.g. ek.float32), got ek.%s", x.dtype.name
                )
                return
            self._resolved().watch_tensor(x)
        else:
            raise ValueError(
                f"GradientTape.watch: passed in object {x!r} of type {type(x).__name__!r}, not an ek.Tensor or "
                "ek.Variable (or a nest of them). Convert it first with ek.convert_to_tensor."
            )


# -- plans -------------------------------------------------------------------------------------------
# XLA's CPU compile time grows fast for long replays, superlinearly with the number of
# gradient outputs when it fuses a long elementwise backward chain into one multi-output
# kernel (measured: 600 ops and 30 variables took 49 s to compile fused, 6 s unfused; the
# unfused program ran as fast). Large plans are therefore compiled without fusion.
_LARGE_PLAN_STEPS = 128
_LARGE_PLAN_OUTPUTS = 16
_LARGE_PLAN_OPTIONS = {"xla_disable_hlo_passes": "fusion"}


class _Plan:
    """A pruned replay of one record structure, compiled for one kind of request.

    ``pure(*slot_values, *boundary_values, *extra)`` is a pure JAX function (None when nothing
    is connected). ``arg_codes`` say where the slot and boundary values come from in a record;
    ``out_of_group[i]`` is the output index for source group ``i`` (None: unconnected).

    Calling the plan runs ``jax.jit(pure)``: one XLA call (running ``pure`` op by op instead
    would compile every primitive for new shapes anyway, one by one).
    """

    __slots__ = ("pure", "compiled", "arg_codes", "out_of_group", "direct", "live_targets", "__weakref__")

    def __init__(
        self, pure: Callable | None, arg_codes: list, out_of_group: list, live_targets: list, large: bool = False
    ) -> None:
        self.pure = pure
        self.compiled = None if pure is None else jax.jit(pure, compiler_options=_LARGE_PLAN_OPTIONS if large else None)
        self.arg_codes = arg_codes
        self.out_of_group = out_of_group
        self.direct = out_of_group == list(range(len(out_of_group)))  # output i is for source i
        self.live_targets = live_targets

    def __call__(self, *flat: Any) -> Any:
        return self.compiled(*flat)


def _prune(rec: _Record, target_codes: tuple, slot_codes: list) -> tuple:
    """Which entries the targets need given the slots vary. Returns (steps, boundary codes,
    live target indices, connected slot codes, computed entries)."""
    refs_all = rec.refs
    slot_set = set(slot_codes)
    dep = bytearray(len(refs_all))  # entry computes from some slot
    first = min(((c >> _E_SHIFT) if c & 3 == _NODE else 0) for c in slot_codes) if slot_codes else len(refs_all)
    for e in range(first, len(refs_all)):
        for r in refs_all[e]:
            tag = r & 3
            if r in slot_set or (tag == _NODE and dep[r >> _E_SHIFT]):
                dep[e] = 1
                break

    def varies(c: int) -> bool:
        return c in slot_set or (c & 3 == _NODE and dep[c >> _E_SHIFT] == 1)

    live = [i for i, c in enumerate(target_codes) if c >= 0 and varies(c)]
    needed: set[int] = set()
    stack: list[int] = []
    used: set[int] = set()
    for i in live:
        c = target_codes[i]
        used.add(c)
        if c & 3 == _NODE and dep[c >> _E_SHIFT] and (c >> _E_SHIFT) not in needed:
            needed.add(c >> _E_SHIFT)
            stack.append(c >> _E_SHIFT)
    while stack:
        for r in refs_all[stack.pop()]:
            if r & 3 == _NODE and dep[r >> _E_SHIFT]:
                e = r >> _E_SHIFT
                if e not in needed:
                    needed.add(e)
                    stack.append(e)
    order = sorted(needed)
    boundary: dict[int, None] = {}
    for e in order:
        for r in refs_all[e]:
            if varies(r):
                used.add(r)
            else:
                boundary[r] = None
    connected = [c for c in slot_codes if c in used]
    steps = [(e, rec.fns[e], refs_all[e]) for e in order]
    return steps, list(boundary), live, connected, needed


def _make_replay(steps: list, slots: list, boundary: list, targets: list, computed: set) -> Callable:
    """``replay(primals, slot_values, boundary_values) -> target values``. A node slot's value is
    its recomputed (or recorded) value plus its primal, a zero perturbation."""
    slot_index = {c: i for i, c in enumerate(slots)}

    def replay(primals: Sequence, slot_vals: Sequence, bnd: Sequence) -> list:
        env = dict(zip(boundary, bnd))
        for i, c in enumerate(slots):
            if c & 3 == _LEAF:
                env[c] = primals[i]
            elif (c >> _E_SHIFT) not in computed:
                env[c] = slot_vals[i] + primals[i]
        for e, fn, refs in steps:
            out = fn(*[env[r] for r in refs])
            if not isinstance(out, (tuple, list)):
                out = (out,)
            base = e << _E_SHIFT
            for k, o in enumerate(out):
                c = base | (k << 2)
                i = slot_index.get(c)
                env[c] = o if i is None else o + primals[i]
        return [env[c] for c in targets]

    return replay


def _group_sum(vals: Sequence, idx: Sequence[int]) -> Any:
    total = vals[idx[0]]
    for i in idx[1:]:
        total = total + vals[i]
    return total


def _build_plan(rec: _Record, mode: Any, target_codes: tuple, groups: tuple, extra: Any) -> _Plan:
    slot_codes = list(dict.fromkeys(c for g in groups for c in g))
    steps, boundary, live, slots, needed = _prune(rec, target_codes, slot_codes)
    slot_pos = {c: i for i, c in enumerate(slots)}
    out_groups: list[tuple[int, ...]] = []
    group_index: dict[tuple[int, ...], int] = {}
    out_of_group: list[int | None] = []
    for g in groups:
        idx = tuple(slot_pos[c] for c in g if c in slot_pos)
        if not idx:
            out_of_group.append(None)
            continue
        j = group_index.get(idx)
        if j is None:
            j = group_index[idx] = len(out_groups)
            out_groups.append(idx)
        out_of_group.append(j)
    live_codes = [target_codes[i] for i in live]
    if not out_groups or not live:
        return _Plan(None, [], [None] * len(groups), live)
    kind = mode[0] if type(mode) is tuple else mode
    if kind == "jvp":
        # forward mode differentiates what ran: a custom gradient's own forward function
        steps = [(e, getattr(fn, "ek_forward_fn", fn), refs) for e, fn, refs in steps]
    replay = _make_replay(steps, slots, boundary, live_codes, needed)
    n_slot, n_bnd = len(slots), len(boundary)
    is_leaf = [c & 3 == _LEAF for c in slots]

    def split(flat: Sequence) -> tuple:
        svals = flat[:n_slot]
        prim = [v if leaf else jnp.zeros_like(v) for v, leaf in zip(svals, is_leaf)]
        return svals, prim, flat[n_slot : n_slot + n_bnd], flat[n_slot + n_bnd :]

    if kind == "grad":
        given = [bool(extra and extra[i]) for i in live]  # which live targets have output_gradients

        def pure(*flat: Any) -> tuple:
            svals, prim, bnd, cts = split(flat)
            outs, vjp = jax.vjp(lambda p: replay(p, svals, bnd), prim)
            full, j = [], 0
            for o, has in zip(outs, given):
                if has:
                    full.append(jnp.broadcast_to(jnp.asarray(cts[j]).astype(o.dtype), o.shape))
                    j += 1
                else:
                    full.append(jnp.ones_like(o))
            (g,) = vjp(full)
            return tuple(_group_sum(g, idx) for idx in out_groups)

    elif kind == "jacobian":
        batch = mode[1]

        def pure(*flat: Any) -> tuple:
            svals, prim, bnd, _ = split(flat)
            out, vjp = jax.vjp(lambda p: replay(p, svals, bnd)[0], prim)
            tshape = out.shape
            if batch:
                per = int(np.prod(tshape[1:]))
                basis = jnp.eye(per, dtype=out.dtype).reshape((per, 1) + tshape[1:])
                basis = jnp.broadcast_to(basis, (per,) + tshape)
            else:
                n = int(np.prod(tshape))
                basis = jnp.eye(n, dtype=out.dtype).reshape((n,) + tshape)
            (rows,) = jax.vmap(vjp)(basis)
            result = []
            for idx in out_groups:
                r = _group_sum(rows, idx)
                sshape = svals[idx[0]].shape
                if batch:
                    r = jnp.moveaxis(r, 1, 0)  # [b, per, *source.shape[1:]]
                    result.append(r.reshape(tshape + sshape[1:]))
                else:
                    result.append(r.reshape(tshape + sshape))
            return tuple(result)

    elif kind == "jvp":
        # extra arguments: one tangent per group (primal); a slot takes its first group's tangent
        first_group: dict[int, int] = {}
        for gi, g in enumerate(groups):
            for c in g:
                first_group.setdefault(c, gi)
        tan_index = [first_group[c] for c in slots]

        def pure(*flat: Any) -> tuple:
            svals, prim, bnd, tans = split(flat)
            tan = [tans[ti] for ti in tan_index]
            _, touts = jax.jvp(lambda p: replay(p, svals, bnd), (prim,), (tan,))
            return tuple(touts)

    else:
        raise ValueError(f"unknown plan kind {mode!r}")
    large = len(steps) > _LARGE_PLAN_STEPS or len(out_groups) > _LARGE_PLAN_OUTPUTS
    return _Plan(pure, slots + boundary, out_of_group, live, large)


def issue(plan: _Plan, vals: list, objs: list) -> list[Tensor]:
    """Runs a computation built by a recorder as an op: executes ``plan`` on ``vals``
    and records it (via ``plan.pure``) on the active tapes, so that outer tapes can
    differentiate it (higher-order gradients)."""
    outs = [Tensor(o) for o in plan.compiled(*vals)]
    if context.tapes:
        key = ("tape-op", plan)
        for tape in list(context.tapes):
            tape.record(key, plan.pure, objs, vals, outs)
    return outs


def _flat_sources(sources: Any) -> tuple[list, bool]:
    t = type(sources)
    if t is Tensor or t is Variable:
        return [sources], True
    if (t is list or t is tuple) and all(type(s) is Tensor or type(s) is Variable for s in sources):
        return list(sources), False
    return nest.flatten(sources), False


def _pack(sources: Any, single: bool, result: list) -> Any:
    if single:
        return result[0]
    t = type(sources)
    if t is list:
        if len(result) == len(sources):
            return result
    elif t is tuple and len(result) == len(sources):
        return tuple(result)
    return nest.pack_sequence_as(sources, result)


def _source_dtype(s: Any) -> Any:
    return (s._read() if isinstance(s, Variable) else s._value).dtype


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
        """Ensures ``tensor`` (a Tensor, Variable or nest of them) is traced by this tape.

        Integer and boolean values cannot be differentiated: watching them logs a warning
        and their gradients stay ``None``.

        >>> import eagerkit as ek
        >>> x = ek.constant(3.0)  # constants are not watched automatically
        >>> with ek.GradientTape() as tape:
        ...     tape.watch(x)
        ...     y = x * x
        >>> tape.gradient(y, x)
        <tf.Tensor: shape=(), dtype=float32, numpy=6.0>
        """
        if type(tensor) is Tensor or isinstance(tensor, Variable):
            self._watch_one(tensor)
            return
        for x in nest.flatten(tensor):
            self._watch_one(x)

    def watched_variables(self) -> tuple[Variable, ...]:
        """The variables watched so far, in the order they were first accessed.

        >>> import eagerkit as ek
        >>> a = ek.Variable(1.0, name="a")
        >>> b = ek.Variable(2.0, name="b", trainable=False)
        >>> with ek.GradientTape() as tape:
        ...     y = a * b
        >>> [v.name for v in tape.watched_variables()]
        ['a:0']
        """
        self._resolved()
        return tuple(self._watched_vars.values())

    @contextlib.contextmanager
    def stop_recording(self) -> Iterator[None]:
        """Temporarily stops recording operations on this tape.

        >>> import eagerkit as ek
        >>> x = ek.Variable(2.0)
        >>> with ek.GradientTape() as tape:
        ...     y = x * x
        ...     with tape.stop_recording():
        ...         z = y * x  # not recorded
        >>> print(tape.gradient(z, x))
        None
        """
        if not self._recording:
            raise ValueError("Tape.stop_recording() called while the tape is not recording.")
        self._pop()
        try:
            yield
        finally:
            self._push()

    def reset(self) -> None:
        """Clears everything recorded so far (the tape can compute gradients again).

        >>> import eagerkit as ek
        >>> x = ek.Variable(2.0)
        >>> with ek.GradientTape() as tape:
        ...     y = x * x * 100.0
        ...     tape.reset()  # forget the line above
        ...     y = x * x
        >>> tape.gradient(y, x)
        <tf.Tensor: shape=(), dtype=float32, numpy=4.0>
        """
        self._reset_record()
        self._used = False

    def _check_usable(self, what: str) -> None:
        if self._used and not self._persistent:
            raise RuntimeError(
                f"A non-persistent GradientTape can only be used to compute one set of gradients "
                f"(or jacobians). Create the tape with ek.GradientTape(persistent=True) to call "
                f"{what} more than once."
            )
        self._used = True

    def _release(self) -> None:
        """A non-persistent tape drops its record (and the tensors it holds) once used."""
        if not self._persistent:
            self._log = []
            self._rec = None

    def gradient(
        self,
        target: Any,
        sources: Any,
        output_gradients: Any = None,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
    ) -> Any:
        """Gradient of ``target`` w.r.t. ``sources``.

        ``target`` and ``sources`` may be nests; non-scalar and multiple targets are summed
        (``output_gradients``, one per target, weight them). The result has the structure of
        ``sources``; sources the targets do not depend on give None (or zeros with
        ``unconnected_gradients=ek.UnconnectedGradients.ZERO``).

        >>> import eagerkit as ek
        >>> w = ek.Variable([[1.0, 2.0]])
        >>> b = ek.Variable(0.5)
        >>> with ek.GradientTape() as tape:
        ...     loss = ek.reduce_sum(w * w) + b
        >>> grads = tape.gradient(loss, {"w": w, "b": b})  # any nest of sources
        >>> grads["w"]
        <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[2., 4.]], dtype=float32)>
        >>> grads["b"]
        <tf.Tensor: shape=(), dtype=float32, numpy=1.0>
        """
        if self._used and not self._persistent:
            self._check_usable("gradient")
        self._used = True
        unconnected = (
            unconnected_gradients
            if type(unconnected_gradients) is UnconnectedGradients
            else _unconnected_mode(unconnected_gradients)
        )
        rec = self._resolved()
        if type(target) is Tensor:
            flat_targets = [target]
            tcodes: tuple = (rec.target_code(target, "GradientTape.gradient"),)
        else:
            flat_targets = nest.flatten(target)
            tcodes = tuple([rec.target_code(t, "GradientTape.gradient") for t in flat_targets])
        flat_sources, single = _flat_sources(sources)
        groups = tuple([rec.source_slots(s, "GradientTape.gradient") for s in flat_sources])
        if output_gradients is None:
            given, cts = None, {}
        else:
            given, cts = _output_gradients(output_gradients, target, flat_targets)
        plan = rec.plan("grad", tcodes, groups, given)
        if plan.pure is None:
            result: list = [None] * len(flat_sources)
        else:
            if cts:
                live_cts = [cts[i] for i in plan.live_targets if i in cts]
                outs = rec.run(plan, [c[0] for c in live_cts], [c[1] for c in live_cts])
            else:
                outs = rec.run(plan, (), ())
            result = outs if plan.direct else [None if j is None else outs[j] for j in plan.out_of_group]
        if unconnected is UnconnectedGradients.ZERO:
            for i, s in enumerate(flat_sources):
                if result[i] is None:
                    result[i] = Tensor(jnp.zeros(tuple(s.shape), _source_dtype(s)))
        if not self._persistent:
            self._release()
        return _pack(sources, single, result)

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

        >>> import eagerkit as ek
        >>> x = ek.constant([1.0, 2.0])
        >>> with ek.GradientTape() as t:
        ...     t.watch(x)
        ...     y = x * x
        >>> t.jacobian(y, x).numpy().tolist()
        [[2.0, 0.0], [0.0, 4.0]]
        """
        self._check_usable("jacobian")
        return self._jacobian(target, sources, _unconnected_mode(unconnected_gradients), batch=False)

    def batch_jacobian(
        self,
        target: Any,
        source: Any,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
        parallel_iterations: int | None = None,
        experimental_use_pfor: bool = True,
    ) -> Any:
        """Per-example Jacobian ``[b, *target.shape[1:], *source.shape[1:]]``, assuming example
        ``i`` of the target depends only on example ``i`` of the source.

        >>> import eagerkit as ek
        >>> x = ek.constant([[1.0, 2.0], [3.0, 4.0]])  # a batch of 2 vectors
        >>> with ek.GradientTape() as tape:
        ...     tape.watch(x)
        ...     y = x * x
        >>> tape.batch_jacobian(y, x)  # [batch, y, x]: diag(2 * x) per example
        <tf.Tensor: shape=(2, 2, 2), dtype=float32, numpy=
        array([[[2., 0.],
                [0., 4.]],
        <BLANKLINE>
               [[6., 0.],
                [0., 8.]]], dtype=float32)>
        """
        self._check_usable("batch_jacobian")
        if isinstance(target, Variable):
            target = target.value()
        if type(target) is not Tensor or target.ndim < 1:
            raise ValueError(
                f"GradientTape.batch_jacobian: target must be an ek.Tensor with a batch dimension, got {target!r}."
            )
        if type(source) is not Tensor and not isinstance(source, Variable):
            raise TypeError(
                f"GradientTape.batch_jacobian: source must be an ek.Tensor or ek.Variable, got {type(source).__name__}."
            )
        sshape = tuple(source.shape)
        if len(sshape) < 1 or sshape[0] != target.shape[0]:
            raise ValueError(
                f"GradientTape.batch_jacobian: need first dimensions of target and source to match, got "
                f"{list(target.shape)} and {list(sshape)}."
            )
        return self._jacobian(target, source, _unconnected_mode(unconnected_gradients), batch=True)

    def _jacobian(self, target: Any, sources: Any, unconnected: UnconnectedGradients, batch: bool) -> Any:
        if isinstance(target, Variable):
            target = target.value()
        if type(target) is not Tensor:
            raise TypeError(
                f"GradientTape.jacobian: the target must be an ek.Tensor, got {type(target).__name__}: {target!r}."
            )
        rec = self._resolved()
        tcodes = (rec.target_code(target, "GradientTape.jacobian"),)
        flat_sources, single = _flat_sources(sources)
        groups = tuple([rec.source_slots(s, "GradientTape.jacobian") for s in flat_sources])
        plan = rec.plan(("jacobian", batch), tcodes, groups)
        result: list = [None] * len(flat_sources)
        if plan.pure is not None:
            outs = rec.run(plan, [], [])
            for i, j in enumerate(plan.out_of_group):
                if j is not None:
                    result[i] = outs[j]
        if unconnected is UnconnectedGradients.ZERO:
            tshape = tuple(target._value.shape)
            for i, s in enumerate(flat_sources):
                if result[i] is None:
                    sshape = tuple(s.shape)
                    shape = tshape + (sshape[1:] if batch else sshape)
                    result[i] = Tensor(jnp.zeros(shape, _source_dtype(s)))
        self._release()
        return _pack(sources, single, result)


def _output_gradients(output_gradients: Any, target: Any, flat_targets: list) -> tuple[tuple, dict]:
    """Checks ``output_gradients`` (one per target, in the target's structure) against the
    targets: (which targets have one, {index: (obj, value)})."""
    flat_og: list = []
    _flatten_up_to(target, output_gradients, flat_og)
    cts: dict[int, tuple[Any, Any]] = {}
    for i, (t, g) in enumerate(zip(flat_targets, flat_og)):
        if g is None:
            continue
        arr = to_array(g)
        tshape = tuple(_value_of(t).shape)
        try:
            ok = jnp.broadcast_shapes(arr.shape, tshape) == tshape
        except ValueError:
            ok = False
        if not ok:
            raise InvalidArgumentError(
                None,
                "gradient",
                f"GradientTape.gradient: output_gradients[{i}] has shape {list(arr.shape)}, which does not "
                f"match (or broadcast to) the shape {list(tshape)} of target {i}. Pass one gradient per "
                "target with the target's shape.",
            )
        cts[i] = (g if type(g) is Tensor else arr, arr)
    return tuple(g is not None for g in flat_og), cts


def _flatten_up_to(structure: Any, value: Any, out: list) -> None:
    """Flattens ``value`` as deep as ``structure`` goes (its leaves may be lists of numbers)."""
    if isinstance(structure, dict):
        if not isinstance(value, dict) or set(value) != set(structure):
            raise ValueError(
                f"GradientTape.gradient: output_gradients must have the structure of the target (a dict with keys "
                f"{sorted(structure)}), got {value!r}."
            )
        for k in nest._sorted_keys(structure):
            _flatten_up_to(structure[k], value[k], out)
    elif isinstance(structure, (list, tuple)):
        if not isinstance(value, (list, tuple)) or len(value) != len(structure):
            n = len(value) if isinstance(value, (list, tuple)) else 1
            raise ValueError(
                f"GradientTape.gradient: output_gradients has {n} entries but the target has {len(structure)}; "
                "pass one gradient (or None) per target tensor, in the target's structure."
            )
        for s, v in zip(structure, value):
            _flatten_up_to(s, v, out)
    else:
        out.append(value)


def _value_of(t: Any) -> Any:
    return t._read() if isinstance(t, Variable) else t._value


def _unconnected_mode(value: Any) -> UnconnectedGradients:
    if isinstance(value, UnconnectedGradients):
        return value
    try:
        return UnconnectedGradients(value)
    except ValueError:
        raise ValueError(
            f"Unknown value for unconnected_gradients: {value!r}; use ek.UnconnectedGradients.NONE or .ZERO "
            "('none' or 'zero')."
        ) from None


def _record_on_tapes(key: Any, fn: Callable, objs: list, vals: list, outs: list) -> None:
    entry = (key, fn, objs, vals, outs)
    for tape in context.tapes:  # every active tape is a Recorder
        log = tape._log
        log.append(entry)
        if len(log) > _FLUSH_AT:
            tape._resolved()


_op.record_hook = _record_on_tapes
