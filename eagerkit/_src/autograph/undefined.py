"""Placeholders for names that have no value yet in converted code.

Converted code moves the bodies of ``if``/``while``/``for`` into nested functions that
share the enclosing function's variables through ``nonlocal``. Python needs a binding
for such names, so converted code starts by binding each of them to ``Undefined(name)``.
Reading one (``ld``) raises the same error Python would have raised, and staged
control flow uses these placeholders to tell "not defined on this path" apart from a
real value (TF's rules: a variable must be defined in both branches of a
tensor-dependent ``if``, and before a tensor-dependent loop).

>>> from eagerkit._src.autograph.undefined import Undefined, ld
>>> ld(3)
3
>>> try:
...     ld(Undefined("y"))
... except UnboundLocalError as e:
...     print(e)
local variable 'y' is used before it is assigned a value
"""

from __future__ import annotations

from typing import Any, NoReturn


class Undefined:
    """The value of local ``name`` before it is assigned. Any use of it raises."""

    __slots__ = ("symbol_name",)

    def __init__(self, symbol_name: str) -> None:
        self.symbol_name = symbol_name

    def read(self) -> NoReturn:
        raise UnboundLocalError(f"local variable '{self.symbol_name}' is used before it is assigned a value")

    def __repr__(self) -> str:
        return f"Undefined({self.symbol_name!r})"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        self.read()

    def __bool__(self) -> bool:
        self.read()

    def __iter__(self) -> Any:
        self.read()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.read()

    def __getitem__(self, key: Any) -> Any:
        self.read()


def _raise_on_use(self: Undefined, *args: Any) -> NoReturn:
    self.read()


for _op in (
    "add sub mul truediv floordiv mod pow matmul and or xor lshift rshift "
    "radd rsub rmul rtruediv rfloordiv rmod rpow rmatmul rand ror rxor "
    "iadd isub imul itruediv ifloordiv imod ipow imatmul neg pos abs invert "
    "lt le gt ge int float index len"
).split():
    setattr(Undefined, f"__{_op}__", _raise_on_use)


class UndefinedReturnValue:
    """``retval_`` before a ``return`` statement ran (the function returns ``None`` then)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UndefinedReturnValue()"


def is_undefined(value: Any) -> bool:
    """True for ``Undefined`` and ``UndefinedReturnValue`` placeholders."""
    return isinstance(value, (Undefined, UndefinedReturnValue))


def ld(value: Any) -> Any:
    """Reads a local variable of converted code: raises if it is still ``Undefined``."""
    if type(value) is Undefined:
        value.read()
    return value
