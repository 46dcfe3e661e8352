"""``ek.function``: TF's ``tf.function`` on ``jax.jit``.

Calling a Function looks up a trace by TF's cache key (tensor arguments by shape and
dtype, Python values by value, nests by structure), traces on a miss (see ``trace.py``)
and runs the compiled program, writing new variable values back. Inside another trace
the Python function is simply inlined; under an eager GradientTape the call is recorded
as one op, so gradients flow through compiled functions.

Known difference from TF: XLA programs have static shapes. An ``input_signature`` with
``None`` dimensions (or ``reduce_retracing=True``) accepts every matching input, but each
new concrete shape is traced and compiled once more.

>>> import eagerkit as ek
>>> v = ek.Variable(0.0)
>>> @ek.function
... def bump(x):
...     v.assign_add(x)
...     return v * 2
>>> bump(ek.constant(1.5)).numpy(), v.numpy()
(np.float32(3.0), np.float32(1.5))
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from eagerkit._src.core import context
from eagerkit._src.core.composite import CompositeTensor
from eagerkit._src.core.convert import to_array
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.core.tensor_spec import TensorSpec
from eagerkit._src.core.variable import Variable
from eagerkit._src.function.trace import Trace, trace
from eagerkit._src.util import nest

_log = logging.getLogger("eagerkit")


class _Placeholder:
    """Marks where a tensor argument sits in the argument structure."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


class _CompositePlaceholder:
    """Marks where a composite value sits: its prototype and the indices of its components."""

    __slots__ = ("proto", "indices")

    def __init__(self, proto: CompositeTensor, indices: list[int]) -> None:
        self.proto = proto
        self.indices = indices

    def rebuild(self, values: list) -> CompositeTensor:
        return self.proto._ek_rebuild([values[i] for i in self.indices])

    @classmethod
    def flatten_into(cls, composite: CompositeTensor, values: list) -> _CompositePlaceholder:
        """Appends ``composite``'s component arrays to ``values``; returns where they went."""
        comps = [to_array(c) for c in composite._ek_components()]
        values.extend(comps)
        return cls(composite, list(range(len(values) - len(comps), len(values))))


def _fill(template: Any, tensors: list[Tensor]) -> Any:
    """``template`` with placeholders replaced by ``tensors`` (composites get raw components)."""

    def leaf(t: Any) -> Any:
        if isinstance(t, _Placeholder):
            return tensors[t.index]
        if isinstance(t, _CompositePlaceholder):
            return t.rebuild([x._value for x in tensors])
        return t

    return nest.map_structure(leaf, template)


def _arg_key(x: Any) -> Any:
    if isinstance(x, Variable):
        return ("V", id(x))
    if isinstance(x, (bool, int, float, str, bytes, type(None), complex)):
        return ("P", type(x).__name__, x)
    if isinstance(x, TensorSpec):
        return ("S", x)
    try:
        hash(x)
        return ("H", type(x).__qualname__, x)
    except TypeError:
        return ("I", id(x))


class ConcreteFunction:
    """A Function specialised to one trace (``tf.types.experimental.ConcreteFunction``)."""

    def __init__(self, function: Function, tr: Trace, structure: Any, avals: list, signature: list) -> None:
        self._function = function
        self._trace = tr
        self._structure = structure
        self._avals = avals
        self._signature = signature
        self._compiled = jax.jit(tr.pure)

    @property
    def name(self) -> str:
        return self._function._name

    @property
    def structured_input_signature(self) -> Any:
        return self._signature

    @property
    def variables(self) -> tuple[Variable, ...]:
        return tuple(self._trace.in_vars)

    @property
    def trainable_variables(self) -> tuple[Variable, ...]:
        return tuple(v for v in self._trace.in_vars if v.trainable)

    @property
    def jaxpr(self) -> Any:
        """The traced program (a ClosedJaxpr; variables appear as constants)."""
        return self._trace.closed

    @property
    def graph(self) -> Any:
        """The traced program; ``str(graph)`` shows it (JAX's jaxpr stands in for TF's Graph)."""
        return self._trace.closed

    def as_text(self) -> str:
        """The lowered StableHLO text of the compiled program."""
        return self.lower().as_text()

    def lower(self) -> Any:
        """The ``jax.stages.Lowered`` program for this trace."""
        var_avals = [jax.ShapeDtypeStruct(v._value.shape, v._value.dtype) for v in self._trace.in_vars]
        return self._compiled.lower(var_avals, self._avals)

    def pretty_printed_signature(self, verbose: bool = True) -> str:
        args = ", ".join(
            f"{name}: TensorSpec(shape={TensorShape(a.shape)}, dtype=tf.{np.dtype(a.dtype).name})"
            for name, a in zip(self._signature, self._avals)
        )
        outs = self._trace.closed.out_avals[: self._trace.n_out]
        ret = ", ".join(f"TensorSpec(shape={TensorShape(a.shape)}, dtype=tf.{np.dtype(a.dtype).name})" for a in outs)
        return f"Input Parameters:\n  ({args})\nOutput Type:\n  ({ret})"

    def _run_flat(self, flat_vals: list, flat_objs: list) -> Any:
        tr = self._trace
        var_vals = [v._value for v in tr.in_vars]
        outs, new_vals = self._compiled(var_vals, flat_vals)
        for v, nv in zip(tr.out_vars, new_vals):
            if v._layout is not None and nv.sharding != v._layout:
                nv = jax.device_put(nv, v._layout)
            v._value = nv
        out_tensors = [Tensor(o) for o in outs]
        if context.tapes:
            n_var = len(tr.in_vars)

            def pure(*flat: Any) -> list:
                return tr.pure(list(flat[:n_var]), list(flat[n_var:]))[0]

            objs = list(tr.in_vars) + list(flat_objs)
            for tape in list(context.tapes):
                tape.record(("function", id(self)), pure, objs, var_vals + list(flat_vals), out_tensors)
        return _fill_outputs(tr.out_template, out_tensors)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(*args, **kwargs)


def _fill_outputs(template: Any, tensors: list[Tensor]) -> Any:
    return _fill(template, tensors)


class Function:
    """A Python function compiled with XLA on first call per input signature (``tf.function``).

    >>> import eagerkit as ek
    >>> @ek.function
    ... def square_sum(x):
    ...     return ek.reduce_sum(x * x)
    >>> isinstance(square_sum, ek.Function)
    True
    >>> square_sum(ek.constant([1.0, 2.0]))
    <tf.Tensor: shape=(), dtype=float32, numpy=5.0>
    >>> square_sum(ek.constant([3.0, 4.0]))  # same shape and dtype: no retrace
    <tf.Tensor: shape=(), dtype=float32, numpy=25.0>
    >>> square_sum.experimental_get_tracing_count()
    1
    >>> square_sum(ek.constant([1.0, 2.0, 3.0]))  # a new shape traces again
    <tf.Tensor: shape=(), dtype=float32, numpy=14.0>
    >>> square_sum.experimental_get_tracing_count()
    2
    """

    def __init__(
        self,
        python_function: Callable,
        name: str | None = None,
        input_signature: Any = None,
        autograph: bool = True,
        jit_compile: bool | None = None,
        reduce_retracing: bool = False,
        experimental_autograph_options: Any = None,
        experimental_relax_shapes: bool | None = None,
        experimental_compile: bool | None = None,
        experimental_follow_type_hints: bool | None = None,
    ) -> None:
        self._python_function = python_function
        self._name = name or getattr(python_function, "__name__", "function")
        self._input_signature = None if input_signature is None else list(input_signature)
        self._autograph = autograph
        self._reduce_retracing = bool(reduce_retracing or experimental_relax_shapes)
        self._cache: dict[Any, ConcreteFunction] = {}
        self._tracing_count = 0
        self._trace_times: list[float] = []
        self._created_variables = False
        self._instance: Any = None
        functools.update_wrapper(self, python_function)

    # -- binding to instances ------------------------------------------------------------
    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        attr = f"_ek_function_{id(self)}"
        bound = instance.__dict__.get(attr)
        if bound is None:
            bound = Function(
                functools.partial(self._python_function, instance),
                name=self._name,
                input_signature=self._input_signature,
                autograph=self._autograph,
                reduce_retracing=self._reduce_retracing,
            )
            object.__setattr__(instance, attr, bound)
        return bound

    @property
    def python_function(self) -> Callable:
        return self._python_function

    @property
    def input_signature(self) -> Any:
        return self._input_signature

    def experimental_get_tracing_count(self) -> int:
        """How many times the Python function has been traced.

        >>> import eagerkit as ek
        >>> f = ek.function(lambda x: x + 1)
        >>> _ = f(ek.constant(1)), f(ek.constant(2)), f(ek.constant(1.0))
        >>> f.experimental_get_tracing_count()  # int32 once, float32 once
        2
        """
        return self._tracing_count

    # -- argument canonicalisation ----------------------------------------------------------
    def _bind_signature(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        sig = self._input_signature
        if kwargs:
            raise TypeError(f"ek.function {self._name!r} has an input_signature; pass arguments positionally.")
        if len(args) != len(sig):
            raise TypeError(
                f"ek.function {self._name!r} takes {len(sig)} positional arguments per its input_signature, "
                f"got {len(args)}."
            )
        for i, (a, spec) in enumerate(zip(args, sig)):
            for x, s in zip(nest.flatten(a), nest.flatten(spec)):
                arr = to_array(x)
                if np.dtype(arr.dtype) != s.dtype._np or not s.shape.is_compatible_with(arr.shape):
                    raise TypeError(
                        f"ek.function {self._name!r}: argument {i} with shape {TensorShape(arr.shape)} and dtype "
                        f"{np.dtype(arr.dtype).name} does not match the input_signature {s}. Pass a tensor of a "
                        "compatible shape and dtype, or relax the signature (None dimensions)."
                    )
        return args, kwargs

    def _canonicalize(self, args: tuple, kwargs: dict) -> tuple[Any, list, list, list, Any]:
        """(cache key, flat tensor objects, flat values, avals, structure with placeholders)."""
        structure = (list(args), dict(kwargs))
        leaves = nest.flatten(structure)
        flat_objs: list = []
        flat_vals: list = []
        key_parts: list = []
        template_leaves: list = []
        for x in leaves:
            if type(x) is Tensor or isinstance(x, (jax.Array, np.ndarray, np.generic)) and not isinstance(x, bool):
                val = x._value if type(x) is Tensor else to_array(x)
                key_parts.append(("T", tuple(val.shape), str(val.dtype)))
                template_leaves.append(_Placeholder(len(flat_vals)))
                flat_objs.append(x if type(x) is Tensor else Tensor(val))
                flat_vals.append(val)
            elif isinstance(x, CompositeTensor):
                slot = _CompositePlaceholder.flatten_into(x, flat_vals)
                comps = [flat_vals[i] for i in slot.indices]
                key_parts.append(
                    ("C", type(x).__qualname__, x._ek_static(), tuple((tuple(c.shape), str(c.dtype)) for c in comps))
                )
                template_leaves.append(slot)
                flat_objs.extend(Tensor(c) for c in comps)
            else:
                key_parts.append(_arg_key(x))
                template_leaves.append(x)
        template = nest.pack_sequence_as(structure, template_leaves)
        key = (_structure_key(structure), tuple(key_parts))
        avals = [jax.ShapeDtypeStruct(v.shape, v.dtype) for v in flat_vals]
        return key, flat_objs, flat_vals, avals, template

    # -- tracing ------------------------------------------------------------------------------
    def _trace(self, key: Any, template: Any, avals: list) -> ConcreteFunction:
        fn = self._python_function
        if self._autograph:
            from eagerkit._src.function import autograph_hook

            fn = autograph_hook.convert(fn)

        def body(flat: list) -> tuple[list, Any]:
            tensors = [Tensor(v) for v in flat]
            args, kwargs = _fill(template, tensors)
            result = fn(*args, **kwargs)
            out_vals: list = []

            def out_leaf(x: Any) -> Any:
                if isinstance(x, CompositeTensor):
                    return _CompositePlaceholder.flatten_into(x, out_vals)
                if type(x) is Tensor or isinstance(x, Variable):
                    out_vals.append(x._value if type(x) is Tensor else x._read())
                    return _Placeholder(len(out_vals) - 1)
                if isinstance(x, (jax.Array, jax.core.Tracer)):
                    out_vals.append(x)
                    return _Placeholder(len(out_vals) - 1)
                return x

            return out_vals, nest.map_structure(out_leaf, result)

        allow_creation = not self._created_variables and self._tracing_count == 0
        t0 = time.perf_counter()
        tr = trace(body, avals, allow_creation, self._name)
        self._tracing_count += 1
        if tr.created_vars:
            self._created_variables = True
        self._note_retrace(t0)
        signature = [f"arg{i}" for i in range(len(avals))]
        concrete = ConcreteFunction(self, tr, template, avals, signature)
        self._cache[key] = concrete
        return concrete

    def _note_retrace(self, now: float) -> None:
        self._trace_times = [t for t in self._trace_times if now - t < 10.0] + [now]
        if len(self._trace_times) > 5:
            _log.warning(
                "%d out of the last %d calls to %s triggered ek.function retracing. Tracing is expensive; "
                "likely causes: calling it with tensors of different shapes, passing Python scalars that change "
                "(pass tensors instead), or defining it inside a loop. Consider input_signature or "
                "reduce_retracing=True.",
                len(self._trace_times),
                len(self._trace_times),
                self._name,
            )

    def _lookup(self, args: tuple, kwargs: dict) -> tuple[ConcreteFunction, list, list]:
        if self._input_signature is not None:
            args, kwargs = self._bind_signature(args, kwargs)
        key, flat_objs, flat_vals, avals, template = self._canonicalize(args, kwargs)
        concrete = self._cache.get(key)
        if concrete is None:
            concrete = self._trace(key, template, avals)
        return concrete, flat_vals, flat_objs

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if context.inside_trace():
            fn = self._python_function
            if self._autograph:
                from eagerkit._src.function import autograph_hook

                fn = autograph_hook.convert(fn)
            return fn(*args, **kwargs)
        concrete, flat_vals, flat_objs = self._lookup(args, kwargs)
        return concrete._run_flat(flat_vals, flat_objs)

    def get_concrete_function(self, *args: Any, **kwargs: Any) -> ConcreteFunction:
        """The ConcreteFunction for these arguments (tensors or fully defined TensorSpecs).

        >>> import eagerkit as ek
        >>> f = ek.function(lambda x: x * 2.0)
        >>> concrete = f.get_concrete_function(ek.TensorSpec([2], ek.float32))
        >>> concrete(ek.constant([1.0, 2.0]))
        <tf.Tensor: shape=(2,), dtype=float32, numpy=array([2., 4.], dtype=float32)>
        """
        if not args and not kwargs and self._input_signature is not None:
            args = tuple(self._input_signature)
        args = nest.map_structure(_spec_to_zeros, (list(args), dict(kwargs)))
        concrete, _, _ = self._lookup(tuple(args[0]), args[1])
        return concrete

    def __repr__(self) -> str:
        return f"<eagerkit.Function {self._name}>"


def _spec_to_zeros(x: Any) -> Any:
    if isinstance(x, TensorSpec):
        if not x.shape.is_fully_defined():
            raise ValueError(
                f"get_concrete_function needs concrete shapes on JAX (XLA compiles static shapes); got {x}. "
                "Pass a TensorSpec with every dimension known, or example tensors."
            )
        return Tensor(jax.numpy.zeros(tuple(x.shape.as_list()), x.dtype._np))
    return x


def _structure_key(structure: Any) -> Any:
    if isinstance(structure, dict):
        return ("d", tuple((k, _structure_key(v)) for k, v in sorted(structure.items(), key=lambda kv: str(kv[0]))))
    if isinstance(structure, (list, tuple)):
        return (type(structure).__name__, tuple(_structure_key(v) for v in structure))
    return "."


def function(
    func: Callable | None = None,
    input_signature: Any = None,
    autograph: bool = True,
    jit_compile: bool | None = None,
    reduce_retracing: bool = False,
    experimental_implements: Any = None,
    experimental_autograph_options: Any = None,
    experimental_attributes: Any = None,
    experimental_relax_shapes: bool | None = None,
    experimental_compile: bool | None = None,
    experimental_follow_type_hints: bool | None = None,
    name: str | None = None,
) -> Any:
    """Compiles a Python function into an XLA program (``tf.function``).

    Usable as ``@ek.function``, ``@ek.function(...)`` or ``ek.function(f)``.

    >>> import eagerkit as ek
    >>> w = ek.Variable([[1.0], [2.0]])
    >>> @ek.function
    ... def predict(x):
    ...     if ek.reduce_sum(x) > 0:  # AutoGraph turns this into ek.cond
    ...         return x @ w
    ...     return -(x @ w)
    >>> predict(ek.constant([[1.0, 1.0]]))
    <tf.Tensor: shape=(1, 1), dtype=float32, numpy=array([[3.]], dtype=float32)>
    >>> predict(ek.constant([[-1.0, -1.0]]))
    <tf.Tensor: shape=(1, 1), dtype=float32, numpy=array([[3.]], dtype=float32)>
    >>> fast = ek.function(lambda x: x * 2.0, jit_compile=True)
    >>> fast(ek.constant(3.0))
    <tf.Tensor: shape=(), dtype=float32, numpy=6.0>
    """

    def wrap(f: Callable) -> Function:
        return Function(
            f,
            name=name,
            input_signature=input_signature,
            autograph=autograph,
            jit_compile=jit_compile,
            reduce_retracing=reduce_retracing,
            experimental_relax_shapes=experimental_relax_shapes,
        )

    return wrap if func is None else wrap(func)
