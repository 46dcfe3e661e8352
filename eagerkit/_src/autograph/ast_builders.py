"""Small constructors for the AST nodes converted code is made of, and a name generator.

Every generated node is given the source location of the user statement it replaces
(``located``), so tracebacks through converted code show the user's file and lines.

>>> import ast
>>> from eagerkit._src.autograph import ast_builders as b
>>> ast.unparse(b.ag_call("not_", b.load("done")))
'ag__.not_(done)'
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import TypeVar

#: The name converted code uses for the operators module (TF uses the same).
AG = "ag__"

N = TypeVar("N", bound=ast.AST)


class Namer:
    """Generates names that do not clash with any name used in the function."""

    def __init__(self, taken: Iterable[str]) -> None:
        self.taken = set(taken)

    @classmethod
    def for_tree(cls, tree: ast.AST) -> Namer:
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
        names |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        return cls(names)

    def new(self, base: str) -> str:
        name, i = base, 0
        while name in self.taken:
            i += 1
            name = f"{base}_{i}"
        self.taken.add(name)
        return name


def located(node: N, like: ast.AST) -> N:
    """``node`` (and its children lacking a location) placed on the first line of ``like``.

    Generated code gets single-line locations: CPython reports a multi-line call at the
    line where its callee expression ends, so spanning ``like``'s lines would blame the
    last line of a user's ``for`` statement instead of the ``for`` line.
    """
    line, col = getattr(like, "lineno", 1), getattr(like, "col_offset", 0)
    single = getattr(like, "end_lineno", line) == line
    end_col = getattr(like, "end_col_offset", col) if single else col
    for n in ast.walk(node):
        if "lineno" in n._attributes and getattr(n, "lineno", None) is None:
            n.lineno, n.col_offset, n.end_lineno, n.end_col_offset = line, col, line, end_col
    return node


def load(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load())


def store(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Store())


def const(value: object) -> ast.Constant:
    return ast.Constant(value=value)


def assign(name: str, value: ast.expr) -> ast.Assign:
    return ast.Assign(targets=[store(name)], value=value)


def ag_attr(name: str) -> ast.Attribute:
    return ast.Attribute(value=load(AG), attr=name, ctx=ast.Load())


def ag_call(name: str, *args: ast.expr, **kwargs: ast.expr) -> ast.Call:
    return ast.Call(
        func=ag_attr(name), args=list(args), keywords=[ast.keyword(arg=k, value=v) for k, v in kwargs.items()]
    )


def not_(name: str) -> ast.Call:
    return ag_call("not_", load(name))


def thunk(expr: ast.expr) -> ast.Lambda:
    """``lambda: expr``."""
    return ast.Lambda(args=no_args(), body=expr)


def no_args() -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])


def function_def(name: str, params: list[str], body: list[ast.stmt]) -> ast.FunctionDef:
    args = no_args()
    args.args = [ast.arg(arg=p) for p in params]
    extra = {"type_params": []} if "type_params" in ast.FunctionDef._fields else {}
    return ast.FunctionDef(name=name, args=args, body=body or [ast.Pass()], decorator_list=[], returns=None, **extra)


def str_tuple(names: Iterable[str]) -> ast.Tuple:
    return ast.Tuple(elts=[const(n) for n in names], ctx=ast.Load())


def name_tuple(names: Iterable[str], ctx: ast.expr_context) -> ast.Tuple:
    return ast.Tuple(elts=[ast.Name(id=n, ctx=ctx) for n in names], ctx=ctx)


def guard(flag: str, body: list[ast.stmt], like: ast.AST) -> ast.If:
    """``if ag__.not_(flag): body``."""
    return located(ast.If(test=not_(flag), body=body, orelse=[]), like)
