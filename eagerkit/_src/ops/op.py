"""The single op-definition mechanism: :func:`defop`.

An op is a short pure JAX function. ``defop`` turns it into a public eagerkit op that

1. binds TF-style arguments (``name=`` accepted and ignored),
2. converts tensor arguments with TF's dtype rules (Python scalars adopt the dtype of
   the tensor arguments; two tensors of different dtypes are refused like TF refuses them),
3. calls a ``jax.jit``-compiled specialisation of the function per set of static
   (non-tensor) arguments,
4. wraps results in Tensors, and
5. tells the active gradient tapes, which later replay the pure function under ``jax.vjp``.

No op writes its own backward pass.

The eager fast path (only Tensor/Variable arguments, default static arguments) unwraps the
arrays and calls the compiled function directly; that function checks the same-dtype rule
while it is traced, i.e. once per dtype signature, not on every call. An error raised while
running an op (a JAX broadcasting error, an ``InvalidArgumentError`` from the op itself) is
turned into an ``InvalidArgumentError`` naming the op and its input shapes; incompatible
broadcasting gets TF's message, ``Incompatible shapes: [2] vs. [3] [Op:AddV2]``.

>>> import jax.numpy as jnp
>>> import eagerkit as ek
>>> from eagerkit._src.ops.op import defop
>>> @defop("Cube")
... def cube(x):
...     return x * x * x
>>> cube(ek.constant(2.0)).numpy()
np.float32(8.0)
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np

from eagerkit._src.core import context
from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.convert import to_array
from eagerkit._src.core.errors import ConversionDtypeError, InvalidArgumentError, OpError
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.variable import Variable

_MISSING = object()

#: Set by the autodiff layer: records one executed op on the active tapes.
record_hook: Callable[..., None] | None = None


def _tf_type_word(np_dtype: np.dtype) -> str:
    """TF's wording in dtype-mismatch messages ("float", "int32", ...)."""
    name = _dtypes.from_numpy(np_dtype).name
    return "float" if name == "float32" else "double" if name == "float64" else name


def _has_tensor(x: Any) -> bool:
    if isinstance(x, (list, tuple)):
        return any(_has_tensor(v) for v in x)
    return type(x) is Tensor or hasattr(x, "_ek_variable")


def static_value(x: Any, op: str, param: str) -> Any:
    """Normalises a static argument to a hashable Python value."""
    if type(x) is Tensor or hasattr(x, "_ek_variable"):
        arr = to_array(x)
        if isinstance(arr, jax.core.Tracer):
            raise InvalidArgumentError(
                None,
                op,
                f"{op}: argument `{param}` must be known when the op is built (a Python "
                "value or a constant tensor), but it is a symbolic tensor inside ek.function. "
                f"Compute it from static shapes (x.shape) instead. [Op:{op}]",
            )
        return static_value(np.asarray(arr).tolist(), op, param)
    if isinstance(x, np.ndarray):
        return static_value(x.tolist(), op, param)
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (list, tuple)):
        return tuple(static_value(v, op, param) for v in x)
    if hasattr(x, "as_list") and hasattr(x, "rank"):  # TensorShape
        return tuple(x.as_list())
    return x


def _dtype_checked(op: Op, pure: Callable) -> Callable:
    """``pure`` refusing inputs of different dtypes; jit runs the check once per dtype signature."""

    def checked(*vals: Any) -> Any:
        dtype = None
        for i, v in enumerate(vals):
            if v is None:
                continue
            if dtype is None:
                dtype = v.dtype
            elif v.dtype != dtype:
                raise op._dtype_error(i, dtype, v.dtype)
        return pure(*vals)

    return checked


def _is_strong(x: Any) -> bool:
    """Tensors, Variables and jax arrays fix an op's dtype; Python and NumPy values adopt it."""
    t = type(x)
    if t is Tensor or t is Variable:
        return True
    if isinstance(x, (jax.Array, jax.core.Tracer)) or hasattr(x, "_ek_variable"):
        return True
    return isinstance(x, (list, tuple)) and _has_tensor(x)


def _shape_text(shape: Sequence[int]) -> str:
    """TF's shape format in messages: ``[2,3]``."""
    return "[" + ",".join(str(d) for d in shape) + "]"


def _apply_flat(fn: Callable, treedef: Any, *flat: Any) -> Any:
    return fn(*jax.tree_util.tree_unflatten(treedef, flat))


class Op:
    """A registered op. Calling it runs the op eagerly (or symbolically while tracing)."""

    def __init__(
        self,
        tf_name: str,
        fn: Callable,
        tensors: Sequence[str],
        tensor_lists: Sequence[str],
        same_dtype: bool,
        jit: bool,
    ) -> None:
        self.tf_name = tf_name
        self.fn = fn
        sig = inspect.signature(fn)
        self.params = [p for p in sig.parameters if p != "name"]
        self.defaults = {n: p.default for n, p in sig.parameters.items() if p.default is not inspect.Parameter.empty}
        self.n_tensor = len(tensors) + len(tensor_lists)
        tensor_params = set(tensors) | set(tensor_lists)
        if set(self.params[: self.n_tensor]) != tensor_params:
            raise TypeError(f"defop {tf_name}: tensor parameters must come first in {self.params}")
        self.list_params = frozenset(self.params.index(n) for n in tensor_lists)
        self.same_dtype = same_dtype
        self.jit = jit
        self._cache: dict[tuple, tuple[Callable, Callable]] = {}
        #: (compiled, pure) for the default static arguments, once built (the eager fast path).
        self._default_entry: tuple[Callable, Callable] | None = None
        #: The compiled function checks the dtype rule itself (once per traced dtype signature), so
        #: calls whose inputs are all Tensors/Variables skip the per-call dtype comparison.
        self._checked_in_trace = jit and not self.list_params
        statics = self.params[self.n_tensor :]
        self._default_static = (
            tuple(static_value(self.defaults[p], tf_name, p) for p in statics)
            if all(p in self.defaults for p in statics)
            else None
        )
        self._fast = self._checked_in_trace and self._default_static is not None
        functools.update_wrapper(self, fn)

    def __repr__(self) -> str:
        return f"<eagerkit op {self.tf_name}>"

    # -- argument handling ------------------------------------------------------------
    def _bind(self, args: tuple, kwargs: dict) -> list:
        kwargs.pop("name", None)
        if len(args) > len(self.params):
            raise TypeError(f"{self.__name__}() takes {len(self.params)} arguments but {len(args)} were given")
        values = list(args) + [_MISSING] * (len(self.params) - len(args))
        for k, v in kwargs.items():
            try:
                i = self.params.index(k)
            except ValueError:
                raise TypeError(f"{self.__name__}() got an unexpected keyword argument '{k}'") from None
            if values[i] is not _MISSING:
                raise TypeError(f"{self.__name__}() got multiple values for argument '{k}'")
            values[i] = v
        for i, v in enumerate(values):
            if v is _MISSING:
                p = self.params[i]
                if p not in self.defaults:
                    raise TypeError(f"{self.__name__}() missing required argument '{p}'")
                values[i] = self.defaults[p]
        return values

    def _convert(self, inputs: list) -> list:
        """Converts tensor arguments to arrays, applying TF's dtype rules."""
        if self.list_params:
            return self._convert_general(inputs)
        out = []  # fast path: every input already a Tensor or Variable
        for x in inputs:
            t = type(x)
            if t is Tensor:
                out.append(x._value)
            elif t is Variable:
                out.append(x._read())
            else:
                return self._convert_general(inputs)
        if self.same_dtype and len(out) > 1:
            dtype = out[0].dtype
            for i in range(1, len(out)):
                if out[i].dtype != dtype:
                    raise self._dtype_error(i, dtype, out[i].dtype)
        return out

    def _convert_general(self, inputs: list) -> list:
        if not self.same_dtype:
            return [
                [to_array(v) for v in x] if i in self.list_params else (None if x is None else to_array(x))
                for i, x in enumerate(inputs)
            ]
        flat = []
        for i, x in enumerate(inputs):
            if i in self.list_params:
                flat.extend(x)
            else:
                flat.append(x)
        # TF's rule: the first Tensor/Variable fixes the dtype; another tensor of a different
        # dtype is refused; Python values and NumPy arrays ("weak" values) are converted to it.
        # Without any tensor the first value's own dtype is used.
        dtype = None
        converted = [None] * len(flat)
        for j, x in enumerate(flat):
            if x is None or not _is_strong(x):
                continue
            arr = to_array(x)
            converted[j] = arr
            if dtype is None:
                dtype = arr.dtype
            elif arr.dtype != dtype:
                raise self._dtype_error(j, dtype, arr.dtype)
        for j, x in enumerate(flat):
            if converted[j] is None and x is not None:
                if dtype is None:
                    arr = to_array(x)
                    dtype = arr.dtype
                else:
                    try:
                        arr = to_array(x, dtype)
                    except TypeError as e:
                        raise ConversionDtypeError(
                            None,
                            self.tf_name,
                            f"{e} (argument #{j} of {self.tf_name}, whose other inputs are "
                            f"{_dtypes.from_numpy(dtype).name}) [Op:{self.tf_name}]. Pass a value of that dtype, "
                            "or cast the tensor with ek.cast.",
                        ) from None
                converted[j] = arr
        out, k = [], 0
        for i, x in enumerate(inputs):
            if i in self.list_params:
                out.append(converted[k : k + len(x)])
                k += len(x)
            else:
                out.append(converted[k])
                k += 1
        return out

    def _dtype_error(self, index: int, want: np.dtype, got: np.dtype) -> InvalidArgumentError:
        return InvalidArgumentError(
            None,
            self.tf_name,
            f"cannot compute {self.tf_name} as input #{index}(zero-based) was expected to be a "
            f"{_tf_type_word(want)} tensor but is a {_tf_type_word(got)} tensor [Op:{self.tf_name}]. "
            "Cast one of them with ek.cast so both have the same dtype.",
        )

    def _explain(self, error: Exception, vals: list) -> Exception:
        """Turns an error raised while running the op into an InvalidArgumentError naming the op
        and its input shapes (incompatible broadcasting gets TF's "Incompatible shapes" message)."""
        if isinstance(error, OpError):
            return error
        arrays = [a for a in jax.tree_util.tree_leaves(vals) if hasattr(a, "shape") and hasattr(a, "dtype")]
        shapes = [tuple(a.shape) for a in arrays]
        text = str(error).split("\n")[0]
        if "broadcast" in text.lower() and len(shapes) > 1:
            acc = shapes[0]
            for shape in shapes[1:]:
                try:
                    acc = np.broadcast_shapes(acc, shape)
                except ValueError:
                    return InvalidArgumentError(
                        None,
                        self.tf_name,
                        f"Incompatible shapes: {_shape_text(acc)} vs. {_shape_text(shape)} [Op:{self.tf_name}]. "
                        "Shapes broadcast when each trailing dimension is equal or 1; reshape or "
                        "ek.expand_dims an input so that they do.",
                    )
        described = ", ".join(f"{_dtypes.from_numpy(a.dtype).name}{_shape_text(a.shape)}" for a in arrays)
        return InvalidArgumentError(
            None, self.tf_name, f"{self.tf_name}: {text} (inputs: {described or 'none'}) [Op:{self.tf_name}]"
        )

    def specialize(self, static: tuple) -> tuple[Callable, Callable]:
        """(compiled, pure) functions of the tensor arguments for one set of static args."""
        try:
            return self._cache[static]
        except KeyError:
            pass
        except TypeError:
            raise TypeError(f"{self.tf_name}: static arguments must be hashable, got {static!r}") from None
        names = self.params[self.n_tensor :]
        pure = functools.partial(self.fn, **dict(zip(names, static))) if names else self.fn
        if self.jit:
            compiled = jax.jit(_dtype_checked(self, pure) if self._checked_in_trace and self.same_dtype else pure)
        else:
            compiled = pure
        entry = (compiled, pure)
        self._cache[static] = entry
        if static == self._default_static:
            self._default_entry = entry
        return entry

    # -- call -------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._fast and not kwargs and len(args) == self.n_tensor:
            # Fast path: only tensor arguments, all Tensors/Variables, static arguments at their
            # defaults, and a compiled function that checks dtypes when it is traced.
            vals = []
            for x in args:
                t = type(x)
                if t is Tensor:
                    vals.append(x._value)
                elif t is Variable:
                    vals.append(x._read())
                else:
                    break
            else:
                entry = self._default_entry or self.specialize(self._default_static)
                try:
                    out = entry[0](*vals)
                except (TypeError, ValueError, IndexError) as e:
                    raise self._explain(e, vals) from None
                if context.tapes or isinstance(out, (tuple, list)):
                    return self._finish(out, list(args), vals, self._default_static, entry[1])
                return Tensor(out)
            inputs, static = list(args), self._default_static
        elif not kwargs and len(args) == self.n_tensor and self._default_static is not None:
            inputs, static = list(args), self._default_static
        else:
            bound = self._bind(args, kwargs)
            inputs = bound[: self.n_tensor]
            static = tuple(
                static_value(v, self.tf_name, p) for v, p in zip(bound[self.n_tensor :], self.params[self.n_tensor :])
            )
        vals = self._convert(inputs)
        compiled, pure = self.specialize(static)
        try:
            out = compiled(*vals)
        except (TypeError, ValueError, IndexError) as e:
            raise self._explain(e, vals) from None
        return self._finish(out, inputs, vals, static, pure)

    def _finish(self, out: Any, inputs: list, vals: list, static: tuple, pure: Callable) -> Any:
        """Wraps the result in Tensors and records the op on the active tapes."""
        if isinstance(out, (tuple, list)):
            result = _wrap_seq(out)
            outs = list(result)
        else:
            result = Tensor(out)
            outs = [result]
        if context.tapes and record_hook is not None:
            if not self.list_params:
                record_hook((self, static), pure, inputs, vals, outs)
            else:
                flat_objs, treedef = jax.tree_util.tree_flatten(inputs, is_leaf=_is_input_leaf)
                flat_vals = jax.tree_util.tree_leaves(vals, is_leaf=_is_input_leaf)
                record_hook(
                    (self, static, treedef),
                    functools.partial(_apply_flat, pure, treedef),
                    flat_objs,
                    flat_vals,
                    outs,
                )
        return result


def _is_input_leaf(x: Any) -> bool:
    return not isinstance(x, (list, tuple))


def _wrap_seq(out: Any) -> Any:
    wrapped = [Tensor(o) for o in out]
    if type(out) is list:
        return wrapped
    if type(out) is tuple:
        return tuple(wrapped)
    return type(out)(*wrapped)  # namedtuple


def defop(
    tf_name: str,
    *,
    tensors: Sequence[str] | None = None,
    tensor_lists: Sequence[str] = (),
    same_dtype: bool = False,
    jit: bool = True,
) -> Callable[[Callable], Op]:
    """Registers a pure JAX function as an eagerkit op.

    Args:
      tf_name: the TF op name used in error messages (``[Op:AddV2]``).
      tensors: names of tensor parameters; default: the leading parameters without defaults
        (minus ``tensor_lists``). All other parameters are static and must be hashable.
      tensor_lists: names of parameters taking a list of tensors (``concat``'s ``values``).
      same_dtype: all tensor arguments must share one dtype (TF's rule for binary math);
        Python numbers adopt it.
      jit: compile per static-argument set (off for ops whose output shape depends on values).
    """

    def wrap(fn: Callable) -> Op:
        names = tensors
        if names is None:
            sig = inspect.signature(fn)
            names = [
                n for n, p in sig.parameters.items() if p.default is inspect.Parameter.empty and n not in tensor_lists
            ]
        return Op(tf_name, fn, tuple(names), tuple(tensor_lists), same_dtype, jit)

    return wrap
