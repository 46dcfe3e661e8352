"""Forward-mode autodiff: ``ek.autodiff.ForwardAccumulator`` on ``jax.jvp``.

The accumulator records the ops run inside its ``with`` block (like a tape watching the
primals) and computes Jacobian-vector products on request by replaying the record under
``jax.jvp``. Computing a JVP is itself issued as an op, so tapes (and other
accumulators) see it: forward-over-reverse and reverse-over-forward both work.

>>> import eagerkit as ek
>>> x = ek.constant([1.0, 2.0])
>>> with ek.autodiff.ForwardAccumulator(primals=x, tangents=ek.constant([1.0, 0.0])) as acc:
...     y = ek.reduce_sum(x * x)
>>> acc.jvp(y).numpy()
np.float32(2.0)
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from eagerkit._src.autodiff.tape import _GRAD_CACHE, Recorder, UnconnectedGradients, _make_replay, issue
from eagerkit._src.core import context
from eagerkit._src.core.convert import convert_to_tensor
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.variable import Variable
from eagerkit._src.util import nest


class ForwardAccumulator(Recorder):
    """Computes JVPs of ops run inside its block (``tf.autodiff.ForwardAccumulator``).

    Args:
      primals: a Tensor/Variable or nest of them to differentiate with respect to.
      tangents: matching nest of tangent values (same shapes and dtypes).
    """

    def __init__(self, primals: Any, tangents: Any) -> None:
        super().__init__(watch_accessed_variables=False)
        self._primals = nest.flatten(primals)
        flat_t = nest.flatten(tangents)
        if len(flat_t) != len(self._primals):
            raise ValueError(
                f"ForwardAccumulator: got {len(self._primals)} primals but {len(flat_t)} tangents; pass one "
                "tangent per primal."
            )
        self._tangents = []
        for p, t in zip(self._primals, flat_t):
            if not isinstance(p, (Tensor, Variable)):
                raise TypeError(f"ForwardAccumulator: primals must be Tensors or Variables, got {type(p).__name__}")
            t = convert_to_tensor(t, dtype=p.dtype)
            if tuple(t.shape) != tuple(p.shape):
                raise ValueError(f"ForwardAccumulator: tangent shape {t.shape} does not match primal shape {p.shape}.")
            self._tangents.append(t)
        for p in self._primals:
            self._watch_one(p)
        self._recording = False

    def __enter__(self) -> ForwardAccumulator:
        self._recording = True
        context.tapes.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._recording = False
        if self in context.tapes:
            context.tapes.remove(self)

    def jvp(self, primals: Any, unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE) -> Any:
        """The tangent of each tensor in ``primals`` (a nest), given the accumulator's tangents."""
        unconnected = UnconnectedGradients(unconnected_gradients)
        targets = nest.flatten(primals)
        targets = [t.value() if isinstance(t, Variable) else t for t in targets]
        slot_objs, slot_vals, leaf_slot, node_slot, per_source = self._source_slots(self._primals)
        tangent_of_slot: list[Any] = [None] * len(slot_vals)
        for slots, tan in zip(per_source, self._tangents):
            for s in slots:
                tangent_of_slot[s] = tan
        key, program, t_refs, c_objs, c_vals = self._program(targets, leaf_slot, node_slot)
        live = [i for i, r in enumerate(t_refs) if r is not None]
        results: list[Any] = [None] * len(targets)
        if live and slot_vals:
            jkey = ("jvp", key, tuple(t_refs[i] for i in live))
            hit = _GRAD_CACHE.get(jkey)
            if hit is None:
                replay = _make_replay(program, [t_refs[i] for i in live])

                def jvp_fn(srcs: list, consts: list, tans: list) -> list:
                    return list(jax.jvp(lambda s: replay(s, consts), (srcs,), (tans,))[1])

                hit = _GRAD_CACHE[jkey] = (jax.jit(jvp_fn), jvp_fn)
            compiled, pure = hit
            outs = issue(
                jkey,
                compiled,
                pure,
                [(slot_objs, slot_vals), (c_objs, c_vals), (tangent_of_slot, [t._value for t in tangent_of_slot])],
            )
            for i, o in zip(live, outs):
                results[i] = o
        for i, t in enumerate(targets):
            if results[i] is None and unconnected is UnconnectedGradients.ZERO:
                results[i] = Tensor(jnp.zeros(t.shape, t.dtype.as_numpy_dtype))
        return nest.pack_sequence_as(primals, results)
