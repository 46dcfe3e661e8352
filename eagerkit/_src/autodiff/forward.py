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

import jax.numpy as jnp

from eagerkit._src.autodiff.tape import Recorder, UnconnectedGradients, _unconnected_mode
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

    >>> import eagerkit as ek
    >>> x = ek.constant([1.0, 2.0])
    >>> with ek.autodiff.ForwardAccumulator(primals=x, tangents=ek.constant([1.0, 0.0])) as acc:
    ...     y = ek.reduce_sum(x * x)
    >>> acc.jvp(y)  # d/dt sum((x + t*v)**2) at t=0 = 2 * x . v
    <tf.Tensor: shape=(), dtype=float32, numpy=2.0>
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
        """The tangent of each tensor in ``primals`` (a nest), given the accumulator's tangents.

        Tensors that do not depend on the accumulator's primals give None (or zeros with
        ``unconnected_gradients=ek.UnconnectedGradients.ZERO``).

        >>> import eagerkit as ek
        >>> x = ek.constant(3.0)
        >>> with ek.autodiff.ForwardAccumulator(x, ek.constant(1.0)) as acc:
        ...     y = x * x
        ...     z = ek.constant(2.0)
        >>> acc.jvp(y)
        <tf.Tensor: shape=(), dtype=float32, numpy=6.0>
        >>> print(acc.jvp(z))
        None
        >>> acc.jvp(z, unconnected_gradients="zero")
        <tf.Tensor: shape=(), dtype=float32, numpy=0.0>
        """
        unconnected = _unconnected_mode(unconnected_gradients)
        targets = [primals] if type(primals) is Tensor else nest.flatten(primals)
        rec = self._resolved()
        tcodes = tuple([rec.target_code(t, "ForwardAccumulator.jvp") for t in targets])
        groups = tuple([rec.source_slots(p, "ForwardAccumulator.jvp") for p in self._primals])
        plan = rec.plan("jvp", tcodes, groups)
        results: list[Any] = [None] * len(targets)
        if plan.pure is not None:
            outs = rec.run(plan, list(self._tangents), [t._value for t in self._tangents])
            for i, o in zip(plan.live_targets, outs):
                results[i] = o
        if unconnected is UnconnectedGradients.ZERO:
            for i, t in enumerate(targets):
                if results[i] is None:
                    v = t._read() if isinstance(t, Variable) else t._value
                    results[i] = Tensor(jnp.zeros(v.shape, v.dtype))
        return results[0] if type(primals) is Tensor else nest.pack_sequence_as(primals, results)
