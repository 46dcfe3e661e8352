"""``while`` and ``for`` loops of converted code.

Dispatch (as TF's AutoGraph):

* ``while test:`` is a Python loop while ``test`` gives Python values or concrete
  tensors; the first time it gives a symbolic tensor the rest of the loop becomes
  ``ek.while_loop`` (``jax.lax.while_loop``).
* ``for x in t`` over a Tensor inside ``ek.function`` is a graph loop over ``t``'s first
  dimension; ``for i in ek.range(n)`` / ``range(n)`` with a symbolic ``n`` is a graph loop
  over a ``SymbolicRange``; ``for`` over anything else (lists, ``range`` of Python ints,
  dicts, ...) is a Python loop, unrolled while tracing.

A staged loop carries the variables the body assigns and that are used after it or by
the next iteration (found statically; the ``symbol_names`` given here). They must be
tensors of fixed dtype and shape; Python numbers become tensors; other Python objects
may pass through unchanged. A variable first assigned inside the loop is initialised by
tracing the body once (TF does the same) and checked at run time to have been assigned.

Gradients: with ``set_loop_options(maximum_iterations=N)`` a staged loop is a bounded
``lax.scan`` that a GradientTape inside ``ek.function`` differentiates. A ``for`` over a
tensor has a known length, so it is bounded automatically while a tape is recording.

>>> import eagerkit as ek
>>> from eagerkit._src.autograph.loops import SymbolicRange
>>> SymbolicRange.from_args((ek.constant(1), ek.constant(7), 2), None).dtype
dtype('int32')
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from eagerkit._src.autodiff.frames import pushed, tapes_paused
from eagerkit._src.autograph import conditionals, staging
from eagerkit._src.autograph.errors import StagingError, at_user_code
from eagerkit._src.autograph.undefined import Undefined
from eagerkit._src.core import context
from eagerkit._src.core.convert import convert_to_tensor, to_array
from eagerkit._src.core.dtypes import as_dtype
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.function import control_flow
from eagerkit._src.ops import debugging_ops
from eagerkit._src.util import nest

_RANGE_DTYPES = [np.int32, np.int64, np.float16, np.float32, np.float64]


def set_loop_options(
    parallel_iterations: int | None = None,
    swap_memory: bool | None = None,
    maximum_iterations: int | None = None,
    shape_invariants: Any = None,
) -> None:
    """Options for the loop whose body contains this call (``tf.autograph.experimental.set_loop_options``).

    AutoGraph moves the call (a statement at the top level of the body) into the loop. ``maximum_iterations``
    bounds a staged loop (it stops after that many iterations, as in TF) and makes it a
    ``lax.scan`` that reverse-mode autodiff can differentiate. ``parallel_iterations``,
    ``swap_memory`` and ``shape_invariants`` are accepted for compatibility and have no
    effect (XLA loops have fixed shapes). Called outside converted code it does nothing.

    >>> import eagerkit as ek
    >>> @ek.function
    ... def total(n):
    ...     s = 0.0
    ...     i = 0
    ...     while i < n:
    ...         ek.autograph.experimental.set_loop_options(maximum_iterations=10)
    ...         s += 1.5
    ...         i += 1
    ...     return s
    >>> float(total(ek.constant(4)))
    6.0
    """


class SymbolicRange:
    """``range``/``ek.range`` whose bounds are symbolic: only a converted ``for`` can iterate it.

    XLA arrays have static shapes, so ``ek.range(n)`` with a traced ``n`` cannot be a
    tensor; converted ``for`` loops iterate it with a graph loop instead.
    """

    def __init__(self, start: Any, limit: Any, delta: Any, dtype: Any) -> None:
        self.dtype = np.dtype(dtype)
        self.start, self.limit, self.delta = (
            jnp.asarray(to_array(v)).astype(self.dtype) for v in (start, limit, delta)
        )

    @classmethod
    def from_args(cls, args: tuple, dtype: Any) -> SymbolicRange:
        """From ``range``'s arguments ``(limit)``, ``(start, limit)`` or ``(start, limit, delta)``."""
        if len(args) == 1:
            start, limit, delta = 0, args[0], 1
        elif len(args) == 2:
            (start, limit), delta = args, 1
        else:
            start, limit, delta = args
        if dtype is None:
            kinds = [np.dtype(to_array(v).dtype) for v in (start, limit, delta)]
            dtype = max(kinds, key=lambda d: _RANGE_DTYPES.index(d.type) if d.type in _RANGE_DTYPES else 0)
        else:
            dtype = as_dtype(dtype)._np
        return cls(start, limit, delta, dtype)

    def length(self) -> Any:
        """The number of elements, a symbolic int32 scalar."""
        span = self.limit - self.start
        if jnp.issubdtype(self.dtype, jnp.integer):
            n = -((-span) // self.delta)
        else:
            n = jnp.ceil(span / self.delta)
        return jnp.maximum(n, 0).astype(jnp.int32)

    def _refuse(self, *args: Any) -> Any:
        raise TypeError(
            "ek.range / range with a symbolic bound has a length known only at run time, which an XLA tensor "
            "cannot have. It can only be iterated by a `for` loop inside ek.function (AutoGraph turns the loop "
            "into a graph loop); to make a tensor, use a bound known when tracing."
        )

    __jax_array__ = __array__ = __len__ = __iter__ = _refuse


class _DryRunFrame:
    """Variable frame for tracing a loop body once to learn its variables' types: writes stay here."""

    tracing = True

    def __init__(self) -> None:
        self.parent = context.frames[-1] if context.frames else None
        self.values: dict[int, Any] = {}

    def read(self, var: Any) -> Any:
        if id(var) in self.values:
            return self.values[id(var)]
        return self.parent.read(var) if self.parent is not None else var._value

    def write(self, var: Any, value: Any) -> None:
        self.values[id(var)] = value

    def created(self, var: Any) -> None:
        raise ValueError(
            f"Creating a variable ({var.name}) inside a tensor-dependent loop is not supported; create it before "
            "the loop."
        )


def while_stmt(
    test: Callable[[], Any],
    body: Callable[[], None],
    get_state: Callable[[], tuple],
    set_state: Callable[[tuple], None],
    symbol_names: tuple[str, ...],
    opts: dict | None = None,
) -> None:
    """Functional ``while`` (TF's ``while_stmt``)."""
    while True:
        cond = test()
        if staging.is_symbolic(cond):
            staging.check_allowed("while loop", opts)
            _Loop("while loop", test, lambda _: body(), None, get_state, set_state, symbol_names, opts).run()
            return
        if not cond:
            return
        body()


def for_stmt(
    iter_: Any,
    extra_test: Callable[[], Any] | None,
    body: Callable[[Any], None],
    get_state: Callable[[], tuple],
    set_state: Callable[[tuple], None],
    symbol_names: tuple[str, ...],
    opts: dict | None = None,
) -> None:
    """Functional ``for`` (TF's ``for_stmt``); ``extra_test`` carries break/return flags."""
    if isinstance(iter_, SymbolicRange):
        staging.check_allowed("for loop", opts)
        rng = iter_
        start, delta = Tensor(rng.start), Tensor(rng.delta)
        length = Tensor(rng.length())
        iterate = lambda i: start + Tensor(i._value.astype(rng.dtype)) * delta  # noqa: E731
        _Loop("for loop", extra_test, body, (length, iterate, None), get_state, set_state, symbol_names, opts).run()
        return
    arr = staging.array_of(iter_)
    if arr is not None and getattr(arr, "ndim", 0) >= 1 and (context.inside_trace() or context.is_symbolic(arr)):
        staging.check_allowed("for loop", opts)
        tensor = iter_ if isinstance(iter_, Tensor) else Tensor(arr)
        n = int(arr.shape[0])
        iterate = lambda i: tensor[i]  # noqa: E731
        _Loop(
            "for loop",
            extra_test,
            body,
            (Tensor(jnp.asarray(n, jnp.int32)), iterate, n),
            get_state,
            set_state,
            symbol_names,
            opts,
        ).run()
        return
    _python_for(iter_, extra_test, body, get_state, set_state, symbol_names, opts)


def _python_for(
    iter_: Any,
    extra_test: Callable[[], Any] | None,
    body: Callable[[Any], None],
    get_state: Callable[[], tuple],
    set_state: Callable[[tuple], None],
    symbol_names: tuple[str, ...],
    opts: dict | None,
) -> None:
    it = iter(iter_)
    for x in it:
        if extra_test is not None:
            go = extra_test()
            if staging.is_symbolic(go):
                # A `break`/`return` decided by a tensor: each remaining iteration runs under a cond.
                for y in itertools.chain([x], it):
                    conditionals.if_stmt(
                        extra_test(),
                        lambda y=y: body(y),
                        lambda: None,
                        get_state,
                        set_state,
                        symbol_names,
                        len(symbol_names),
                        opts,
                    )
                return
            if not go:
                return
        body(x)


class _Loop:
    """One staged loop: state classification, initialisation of undefined variables, ek.while_loop."""

    def __init__(
        self,
        what: str,
        test: Callable[[], Any] | None,
        body: Callable[[Any], None],
        bounds: tuple[Tensor, Callable[[Tensor], Any], int | None] | None,
        get_state: Callable[[], tuple],
        set_state: Callable[[tuple], None],
        names: tuple[str, ...],
        opts: dict | None,
    ) -> None:
        self.what, self.test, self.body, self.bounds = what, test, body, bounds
        self.get_state, self.set_state, self.names = get_state, set_state, names
        self.opts = opts or {}
        self.location = at_user_code("")

    # -- helpers -----------------------------------------------------------------------------
    def _iterate(self, count: Tensor) -> Any:
        return None if self.bounds is None else self.bounds[1](count)

    def _error(self, message: str, kind: type = StagingError) -> Exception:
        return kind(message + self.location)

    def _max_iterations(self) -> int | None:
        limit = self.opts.get("maximum_iterations")
        if limit is None and self.bounds is not None and self.bounds[2] is not None and context.tapes:
            limit = self.bounds[2]
        return limit

    # -- undefined variables -----------------------------------------------------------------
    def _initialise_undefined(self, init: tuple) -> tuple[tuple, list[int]]:
        """Replaces undefined/None entries that the body makes tensors by zeros of their type."""
        todo = [k for k, v in enumerate(init) if staging.kind(v) in ("undefined", "undefined_return") or v is None]
        if not todo:
            return init, []
        box: dict[str, Any] = {}

        def dry() -> list:
            with pushed(_DryRunFrame()), tapes_paused():
                entry = tuple(
                    nest.map_structure(convert_to_tensor, v) if staging.kind(v) == "tensor" else v for v in init
                )
                self.set_state(entry)
                self.body(self._iterate(Tensor(jnp.zeros((), jnp.int32))))
                out = self.get_state()
                box["after"] = {
                    k: nest.map_structure(lambda x: jax.ShapeDtypeStruct(to_array(x).shape, to_array(x).dtype), out[k])
                    for k in todo
                    if staging.kind(out[k]) == "tensor"
                }
            return []

        failure = None
        try:
            jax.make_jaxpr(dry)()
        except StagingError:
            raise
        except (UnboundLocalError, NameError, TypeError, ValueError, KeyError, AttributeError, IndexError) as e:
            failure = e
        finally:
            self.set_state(init)
        values = list(init)
        must_run: list[int] = []
        for k in todo:
            after = box.get("after", {}).get(k)
            if after is None:
                if isinstance(init[k], Undefined):
                    note = f"\nAutoGraph traced the body once to infer it, but got {type(failure).__name__}: {failure}"
                    raise self._error(
                        f"'{self.names[k]}' must be defined before the {self.what}" + (note if failure else "")
                    )
                continue  # stays a Python value (None, or no return yet); it must not change in the loop
            values[k] = nest.map_structure(lambda a: Tensor(jnp.zeros(a.shape, a.dtype)), after)
            if isinstance(init[k], Undefined) or init[k] is None:
                must_run.append(k)  # zero iterations would leave the placeholder (TF asserts the same)
        return tuple(values), must_run

    # -- the loop ------------------------------------------------------------------------------
    def run(self) -> None:
        init, must_run = self._initialise_undefined(tuple(self.get_state()))
        carried = [k for k, v in enumerate(init) if staging.kind(v) == "tensor"]
        static = [k for k in range(len(init)) if k not in carried]
        entry = [nest.map_structure(convert_to_tensor, init[k]) for k in carried]
        length = None if self.bounds is None else self.bounds[0]

        def restore(vals: list) -> None:
            state = list(init)
            for k, v in zip(carried, vals):
                state[k] = v
            self.set_state(tuple(state))

        def cond(count: Tensor, *vals: Any) -> Any:
            restore(list(vals))
            go = to_array(count) < to_array(length) if length is not None else None
            if self.test is not None:
                user = to_array(staging.bool_scalar(self.test(), self.what))
                go = user if go is None else jnp.logical_and(go, user)
            return Tensor(go if go is not None else jnp.asarray(True))

        def body(count: Tensor, *vals: Any) -> list:
            restore(list(vals))
            self.body(self._iterate(count))
            out = tuple(self.get_state())
            self._verify(out, init, carried, static, list(vals))
            return [count + 1] + [out[k] for k in carried]

        zero = Tensor(jnp.zeros((), jnp.int32))
        final = control_flow.while_loop(cond, body, [zero, *entry], maximum_iterations=self._max_iterations())
        count, outs = final[0], list(final[1:])
        restore(outs)
        for k in must_run:
            debugging_ops.Assert(
                count > 0,
                [f"the {self.what} must iterate at least once to initialize '{self.names[k]}'{self.location}"],
            )

    def _verify(self, out: tuple, init: tuple, carried: list[int], static: list[int], entry: list) -> None:
        for k in static:
            if out[k] is not init[k] and not staging.same_python_constant(out[k], init[k]):
                raise self._error(
                    f"'{self.names[k]}' is {staging.describe(init[k])} before the {self.what} and "
                    f"{staging.describe(out[k])} after one iteration. Only tensors can change inside a "
                    "tensor-dependent loop; initialise it with a tensor (e.g. 0 or ek.zeros) before the loop."
                )
        for k, before in zip(carried, entry):
            name, after = self.names[k], out[k]
            if staging.kind(after) != "tensor":
                raise self._error(f"'{name}' is {staging.describe(after)} at the end of the iteration.")
            try:
                nest.assert_same_structure(before, after, check_types=False)
            except (ValueError, TypeError) as e:
                raise self._error(
                    f"'{name}' does not have the same nested structure after one iteration: {e}"
                ) from None
            for a, b in zip(nest.flatten(before), nest.flatten(after)):
                aa, bb = to_array(a), to_array(b)
                if aa.dtype != bb.dtype:
                    raise self._error(
                        f"'{name}' has dtype {jnp.dtype(aa.dtype).name} before the loop, but dtype "
                        f"{jnp.dtype(bb.dtype).name} after one iteration",
                        TypeError,
                    )
                if aa.shape != bb.shape:
                    raise self._error(
                        f"'{name}' has shape {tuple(aa.shape)} before the loop, but shape {tuple(bb.shape)} after "
                        "one iteration. XLA loops need loop variables of fixed shape: preallocate the full size "
                        "before the loop."
                    )
