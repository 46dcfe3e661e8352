"""``@ek.custom_gradient``: user-defined gradients, on ``jax.custom_vjp``.

The decorated function returns ``(y, grad_fn)``. Eagerly it runs once (not recorded
op by op); active tapes record it as a single op whose pure function is a
``jax.custom_vjp`` that re-runs the user's Python on traced values to obtain
``grad_fn`` for the backward pass. Variables the function reads become inputs of that
op; ``grad_fn(dy, variables=...)`` must then return ``(input_grads, variable_grads)``.

>>> import eagerkit as ek
>>> @ek.custom_gradient
... def log1pexp(x):
...     e = ek.exp(x)
...     def grad(dy):
...         return dy * (1 - 1 / (1 + e))
...     return ek.math.log(1 + e), grad
>>> x = ek.constant(100.0)
>>> with ek.GradientTape() as tape:
...     tape.watch(x)
...     value = log1pexp(x)
>>> tape.gradient(value, x).numpy()
np.float32(1.0)
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import jax
import jax.numpy as jnp

from eagerkit._src.core import context
from eagerkit._src.core.convert import convert_to_tensor
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.variable import Variable
from eagerkit._src.util import nest
from eagerkit._src.autodiff.frames import OverrideFrame, ReadCollector, pushed, tapes_paused


def _takes_variables(grad_fn: Callable) -> bool:
    try:
        params = inspect.signature(grad_fn).parameters
    except (TypeError, ValueError):
        return False
    return "variables" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _as_list(g: Any, n: int) -> list:
    if isinstance(g, (list, tuple)):
        g = list(g)
    else:
        g = [g]
    if len(g) != n:
        raise ValueError(
            f"custom_gradient: grad_fn returned {len(g)} gradients but the function has {n} inputs; "
            "return one gradient (or None) per input."
        )
    return g


class _CustomOp:
    """The pure ``jax.custom_vjp`` function for one (function, input/variable signature)."""

    def __init__(self, fn: Callable, kwargs: dict, n_in: int, variables: list[Variable], trainable: list[int]):
        self.fn, self.kwargs, self.n_in = fn, kwargs, n_in
        self.variables, self.trainable = variables, trainable

        @jax.custom_vjp
        def pure(*flat: Any) -> tuple:
            with self._run(flat) as (ys, _):
                return tuple(ys)

        def fwd(*flat: Any) -> tuple:
            with self._run(flat) as (ys, _):
                return tuple(ys), flat

        def bwd(flat: tuple, dys: tuple) -> tuple:
            with self._run(flat) as (ys, grad_fn):
                dy = [Tensor(d) for d in dys]
                dy_arg = dy[0] if len(dy) == 1 else dy
                if self.variables:
                    var_list = [self.variables[i] for i in self.trainable]
                    in_grads, var_grads = grad_fn(*([dy_arg] if len(dy) == 1 else dy), variables=var_list)
                    var_grads = _as_list(var_grads, len(var_list))
                else:
                    in_grads, var_grads = grad_fn(*([dy_arg] if len(dy) == 1 else dy)), []
                in_grads = _as_list(in_grads, self.n_in)
                out: list[Any] = []
                for g, x in zip(in_grads, flat[: self.n_in]):
                    out.append(_cotangent(g, x))
                full_var = [None] * len(self.variables)
                for i, g in zip(self.trainable, var_grads):
                    full_var[i] = g
                for g, x in zip(full_var, flat[self.n_in :]):
                    out.append(_cotangent(g, x))
                return tuple(out)

        def forward(*flat: Any) -> tuple:
            with self._run(flat) as (ys, _):
                return tuple(ys)

        pure.defvjp(fwd, bwd)
        # Forward mode (ForwardAccumulator) differentiates the function itself, as TF does.
        pure.ek_forward_fn = forward
        self.pure = pure

    @contextlib.contextmanager
    def _run(self, flat: tuple) -> Iterator[tuple[list, Callable]]:
        values = {id(v): val for v, val in zip(self.variables, flat[self.n_in :])}
        with tapes_paused(), pushed(OverrideFrame(values)):
            xs = [Tensor(x) for x in flat[: self.n_in]]
            y, grad_fn = self.fn(*xs, **self.kwargs)
            ys = [convert_to_tensor(t)._value for t in nest.flatten(y)]
            yield ys, grad_fn


def _cotangent(g: Any, x: Any) -> Any:
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        return None
    if g is None:
        return jnp.zeros(x.shape, x.dtype)
    arr = g._value if isinstance(g, Tensor) else jnp.asarray(g._read() if isinstance(g, Variable) else g)
    return jnp.broadcast_to(arr.astype(x.dtype), x.shape)


def custom_gradient(f: Callable | None = None) -> Callable:
    """Decorator defining a function's gradient (``tf.custom_gradient``).

    >>> import eagerkit as ek
    >>> @ek.custom_gradient
    ... def clip_gradient(x):
    ...     def grad(dy):
    ...         return ek.clip_by_value(dy, -1.0, 1.0)
    ...     return ek.identity(x), grad
    >>> x = ek.constant(2.0)
    >>> with ek.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = clip_gradient(x) * 100.0
    >>> tape.gradient(y, x)
    <tf.Tensor: shape=(), dtype=float32, numpy=1.0>
    """
    if f is None:
        return custom_gradient
    cache: dict[Any, _CustomOp] = {}

    @functools.wraps(f)
    def decorated(*args: Any, **kwargs: Any) -> Any:
        inputs = [a if isinstance(a, Variable) else convert_to_tensor(a) for a in args]
        tracing = context.inside_trace()
        if not context.tapes and not tracing:
            y, _ = f(*inputs, **kwargs)
            return y
        collector = ReadCollector()
        with tapes_paused(), pushed(collector):
            y, grad_fn = f(*inputs, **kwargs)
        variables = [v for v in collector.read_vars.values() if not any(v is i for i in inputs)]
        trainable = [i for i, v in enumerate(variables) if v.trainable]
        if trainable and not _takes_variables(grad_fn):
            raise TypeError(
                "If using @custom_gradient with a function that uses variables, then grad_fn must accept "
                "a keyword argument 'variables' (it reads: "
                f"{', '.join(variables[i].name for i in trainable)})."
            )
        flat_y = nest.flatten(y)
        key = (len(inputs), tuple(id(v) for v in variables), len(flat_y), tuple(sorted(kwargs.items())))
        try:
            op = cache.get(key)
        except TypeError:
            op = None
        if op is None:
            op = _CustomOp(f, kwargs, len(inputs), variables, trainable)
            try:
                cache[key] = op
            except TypeError:
                pass
        in_vals = [x._read() if isinstance(x, Variable) else x._value for x in inputs]
        var_vals = [v._read() for v in variables]
        if tracing:
            outs = op.pure(*in_vals, *var_vals)
            y_t = [Tensor(o) for o in outs]
        else:
            y_t = [convert_to_tensor(t) for t in flat_y]
        if context.tapes:
            objs = list(inputs) + list(variables)
            for tape in list(context.tapes):
                tape.record(("custom_gradient", op), op.pure, objs, in_vals + var_vals, y_t)
        return nest.pack_sequence_as(y, y_t)

    return decorated
