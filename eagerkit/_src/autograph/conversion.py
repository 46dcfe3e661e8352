"""Turning function objects into converted function objects, and calls made by converted code.

``convert(f)`` reads ``f``'s source with ``inspect``, converts its ``def`` (see
``transformer``), compiles it under the original file name (tracebacks and ``linecache``
show the user's own lines) and builds a new function with ``f``'s globals, defaults and
closure cells - so it sees later changes to the variables it closes over - plus one
extra cell holding the operators module as ``ag__``. Converted code is cached per code
object, converted functions per function object.

``converted_call(f, args, kwargs)`` is what every call in converted code goes through:
user functions, methods, ``functools.partial`` objects and callable objects are
converted recursively; library code (eagerkit, JAX, NumPy, the standard library,
anything in site-packages) and functions marked ``do_not_convert`` run as they are.
Functions without retrievable source (builtins, lambdas, code typed at the REPL) run
unconverted.

>>> import eagerkit.autograph
>>> from eagerkit._src.autograph.conversion import convert, is_library
>>> import numpy as np
>>> is_library(np.sum), convert(len) is len
(True, True)
"""

from __future__ import annotations

import __future__

import ast
import builtins
import functools
import inspect
import logging
import os
import sys
import sysconfig
import types
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eagerkit._src.autograph import ast_builders, errors, py_builtins, transformer
from eagerkit._src.autograph.errors import UnsupportedConstructError
from eagerkit._src.ops import array_ops

_log = logging.getLogger("eagerkit")

#: Top-level packages whose functions are never converted.
_LIBRARY_ROOTS = frozenset(
    {"eagerkit", "jax", "jaxlib", "numpy", "ml_dtypes", "optax", "orbax", "tensorboardX", "scipy", "absl", "pytest"}
)
_LIBRARY_DIRS = tuple(
    os.path.join(os.path.abspath(d), "")
    for d in {
        sysconfig.get_paths()["stdlib"],
        sysconfig.get_paths()["platstdlib"],
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    }
)
_FUTURE_FLAGS = functools.reduce(
    lambda acc, name: acc | getattr(__future__, name).compiler_flag, __future__.all_feature_names, 0
)
_DO_NOT_CONVERT = "__ag_do_not_convert__"


@dataclass
class ConvertedCode:
    """The result of converting one code object: the converted source and its compiled code."""

    source: str
    code: types.CodeType


_code_cache: weakref.WeakKeyDictionary[types.CodeType, ConvertedCode | None] = weakref.WeakKeyDictionary()
_function_cache: weakref.WeakKeyDictionary[Callable, Callable] = weakref.WeakKeyDictionary()
_library_code: weakref.WeakKeyDictionary[types.CodeType, bool] = weakref.WeakKeyDictionary()


def is_library(fn: Any) -> bool:
    """True for functions of eagerkit, JAX, NumPy, the standard library and installed packages.

    Decided by the file the code comes from; code without a file (doctests, ``exec``,
    notebooks: names like ``<doctest ...>``) is user code.
    """
    code = getattr(fn, "__code__", None)
    if code is None:
        return True
    known = _library_code.get(code)
    if known is None:
        known = _library_code[code] = _is_library_code(code, getattr(fn, "__module__", None) or "")
    return known


def _is_library_code(code: types.CodeType, module: str) -> bool:
    filename = code.co_filename
    if filename.startswith("<"):
        return False
    path = os.path.abspath(filename)
    if "site-packages" in path or "dist-packages" in path or path.startswith(_LIBRARY_DIRS):
        return True
    root = module.partition(".")[0]
    return root in _LIBRARY_ROOTS or root in sys.stdlib_module_names


def is_converted(fn: Any) -> bool:
    """True for functions produced by this module (and functions nested in converted code)."""
    code = getattr(fn, "__code__", None)
    if code is None or ast_builders.AG not in code.co_freevars:
        return False
    from eagerkit._src.autograph import operators

    cell = fn.__closure__[code.co_freevars.index(ast_builders.AG)]
    try:
        return cell.cell_contents is operators
    except ValueError:
        return False


def _skip(fn: Any) -> bool:
    return bool(getattr(fn, _DO_NOT_CONVERT, False))


def do_not_convert(func: Callable | None = None) -> Any:
    """Marks ``func`` to run as written inside ``ek.function`` (``tf.autograph.experimental.do_not_convert``).

    >>> import eagerkit as ek
    >>> import eagerkit.autograph
    >>> @ek.autograph.experimental.do_not_convert
    ... def raw(x):
    ...     return x
    >>> ek.autograph.to_graph(raw) is raw
    True
    """
    if func is None:
        return do_not_convert
    try:
        setattr(func, _DO_NOT_CONVERT, True)
        return func
    except (AttributeError, TypeError):

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return func(*args, **kwargs)

        setattr(wrapper, _DO_NOT_CONVERT, True)
        return wrapper


# -- converting functions -----------------------------------------------------------------------
def _parse(fn: types.FunctionType) -> ast.FunctionDef | None:
    """The ``def`` of ``fn`` with its original line and column numbers, or None without source."""
    if fn.__name__ == "<lambda>":
        return None
    try:
        lines, start = inspect.getsourcelines(fn.__code__)  # the code itself: no __wrapped__ unwrapping
    except (OSError, TypeError):
        return None
    source = "".join(lines)
    indented = source[:1] in (" ", "\t")
    text = "if 1:\n" + source if indented else source
    try:
        tree = ast.parse(text)
    except SyntaxError:
        _log.warning("AutoGraph could not parse the source of %s; it runs unconverted.", fn.__qualname__)
        return None
    ast.increment_lineno(tree, start - (2 if indented else 1))
    body = tree.body[0].body if indented else tree.body
    node = body[0] if body else None
    if isinstance(node, ast.AsyncFunctionDef):
        raise UnsupportedConstructError(
            f"AutoGraph cannot convert coroutine function {fn.__qualname__!r} "
            f"({fn.__code__.co_filename}:{node.lineno}): `async def` is not supported inside ek.function."
        )
    if not isinstance(node, ast.FunctionDef) or node.name != fn.__code__.co_name:
        return None
    return node


def _converted_code(fn: types.FunctionType) -> ConvertedCode | None:
    code = fn.__code__
    if code in _code_cache:
        return _code_cache[code]
    node = _parse(fn)
    if node is None:
        _code_cache[code] = None
        return None
    filename = code.co_filename
    node = transformer.convert_function_def(node, filename, class_cell="__class__" in code.co_freevars)
    source = ast.unparse(node)
    cells = [*code.co_freevars, ast_builders.AG]
    factory = ast_builders.located(
        ast_builders.function_def(
            "ag__factory",
            [],
            [ast_builders.assign(n, ast_builders.const(None)) for n in cells]
            + [node, ast.Return(value=ast_builders.load(node.name))],
        ),
        node,
    )
    module = ast.fix_missing_locations(ast.Module(body=[factory], type_ignores=[]))
    compiled = compile(module, filename, "exec", flags=code.co_flags & _FUTURE_FLAGS, dont_inherit=True)
    factory_code = next(c for c in compiled.co_consts if isinstance(c, types.CodeType))
    inner = next(c for c in factory_code.co_consts if isinstance(c, types.CodeType) and c.co_name == node.name)
    result = ConvertedCode(source, inner)
    _code_cache[code] = result
    return result


def _instantiate(converted: ConvertedCode, fn: types.FunctionType) -> types.FunctionType:
    from eagerkit._src.autograph import operators

    originals = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    cells = tuple(
        types.CellType(operators) if name == ast_builders.AG else originals[name] for name in converted.code.co_freevars
    )
    new = types.FunctionType(converted.code, fn.__globals__, fn.__name__, fn.__defaults__, cells or None)
    new.__kwdefaults__ = dict(fn.__kwdefaults__) if fn.__kwdefaults__ else None
    new.__qualname__, new.__module__, new.__doc__ = fn.__qualname__, fn.__module__, fn.__doc__
    new.__annotations__ = dict(fn.__annotations__)
    return new


def _convert_function(fn: types.FunctionType) -> types.FunctionType:
    cached = _function_cache.get(fn)
    if cached is not None:
        return cached
    if _skip(fn) or is_converted(fn):
        return fn
    converted = _converted_code(fn)
    new = fn if converted is None else _instantiate(converted, fn)
    _function_cache[fn] = new
    return new


def convert(entity: Any, force: bool = False) -> Any:
    """The converted version of ``entity`` (a function, method, partial or callable object).

    Library code and entities that cannot be converted are returned unchanged;
    ``force=True`` converts library functions too (``to_code``/``to_graph`` do).
    Unsupported constructs raise ``UnsupportedConstructError``.
    """
    if _skip(entity):
        return entity
    if isinstance(entity, types.FunctionType):
        if not force and is_library(entity):
            return entity
        return _convert_function(entity)
    if isinstance(entity, types.MethodType):
        func = convert(entity.__func__, force)
        return entity if func is entity.__func__ else types.MethodType(func, entity.__self__)
    if isinstance(entity, functools.partial):
        func = convert(entity.func, force)
        return entity if func is entity.func else functools.partial(func, *entity.args, **entity.keywords)
    if isinstance(entity, type) or not callable(entity) or isinstance(entity, types.BuiltinFunctionType):
        return entity
    call = inspect.getattr_static(type(entity), "__call__", None)
    if isinstance(call, types.FunctionType) and (force or not is_library(call)):
        conv = _convert_function(call)
        return entity if conv is call else types.MethodType(conv, entity)
    return entity


def source_of(entity: Any) -> str:
    """The converted source of ``entity`` (what ``to_code`` shows)."""
    target = entity.__func__ if isinstance(entity, types.MethodType) else entity
    if isinstance(target, functools.partial):
        target = target.func
    if not isinstance(target, types.FunctionType):
        call = inspect.getattr_static(type(target), "__call__", None)
        if not isinstance(call, types.FunctionType):
            raise errors.ConversionError(f"to_code: {entity!r} is not a Python function, method or callable object.")
        target = call
    converted = _converted_code(target)
    if converted is None:
        raise errors.ConversionError(
            f"to_code: the source of {getattr(target, '__qualname__', target)!r} is not available (defined in the "
            "REPL, a lambda, or generated code), so it cannot be converted."
        )
    return converted.source + "\n"


# -- calls from converted code ------------------------------------------------------------------
def converted_call(f: Any, args: tuple, kwargs: dict | None) -> Any:
    """``f(*args, **kwargs)`` from converted code, converting user functions on the way."""
    if kwargs is None:
        kwargs = {}
    if f is builtins.print:
        return py_builtins.print_(*args, **kwargs)
    if f is builtins.range or f is array_ops.range:
        return py_builtins.range_(f, args, kwargs)
    target = convert(f)
    try:
        return target(*args, **kwargs)
    except Exception as e:
        better = errors.translate(e)
        if better is None:
            raise
        raise better from None
