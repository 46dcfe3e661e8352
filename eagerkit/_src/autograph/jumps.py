"""Rewrites ``break``, ``continue`` and ``return`` into flag variables (as TF's AutoGraph does).

Graph control flow has no jumps, so before conversion each jump becomes an assignment
to a flag and the statements it would have skipped are guarded by the flag::

    while x > 0:                       break_ = False
        if x == 3:                     while ag__.and_(ag__.not_(break_), lambda: x > 0):
            break             ->           if x == 3:
        x -= 1                                 break_ = True
                                           if ag__.not_(break_):
                                               x -= 1

``continue`` sets a flag reset at the top of the body; ``return v`` sets ``do_return``
and ``retval_`` and the loops around it also test ``do_return``. When one branch of an
``if`` always returns, the statements after the ``if`` move into the other branch
instead of being guarded. A loop's ``else`` block becomes an ``if not break_`` after it.
Loops record extra tests for ``for`` statements in ``node.ag_extra_test``.

>>> import ast
>>> from eagerkit._src.autograph import jumps, ast_builders
>>> fn = ast.parse("def f(xs):\\n    for x in xs:\\n        if x:\\n            break\\n    return 1").body[0]
>>> jumps.rewrite(fn, ast_builders.Namer.for_tree(fn))
>>> print(ast.unparse(fn))
def f(xs):
    break_ = False
    for x in xs:
        if x:
            break_ = True
    return 1
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from eagerkit._src.autograph import analysis
from eagerkit._src.autograph import ast_builders as b

_LOOPS = (ast.While, ast.For)


def map_blocks(s: ast.stmt, fn: Callable[[list[ast.stmt]], list[ast.stmt]]) -> None:
    """Replaces each same-scope block nested in ``s`` by ``fn(block)``."""
    if isinstance(s, (ast.If, ast.While, ast.For)):
        s.body, s.orelse = fn(s.body), fn(s.orelse)
    elif isinstance(s, ast.With):
        s.body = fn(s.body)
    elif isinstance(s, ast.Try):
        s.body, s.orelse, s.finalbody = fn(s.body), fn(s.orelse), fn(s.finalbody)
        for h in s.handlers:
            h.body = fn(h.body)
    elif isinstance(s, ast.Match):
        for c in s.cases:
            c.body = fn(c.body)


def _contains(stmts: list[ast.stmt], kind: type, into_loops: bool) -> bool:
    for s in stmts:
        if isinstance(s, kind):
            return True
        if isinstance(s, _LOOPS) and not into_loops:
            continue
        if any(_contains(block, kind, into_loops) for block in analysis.child_blocks(s)):
            return True
    return False


def terminates(stmts: list[ast.stmt]) -> bool:
    """True when every path through ``stmts`` ends in ``return`` or ``raise``."""
    for s in stmts:
        if isinstance(s, (ast.Return, ast.Raise)):
            return True
        if isinstance(s, ast.If) and terminates(s.body) and terminates(s.orelse):
            return True
        if isinstance(s, ast.With) and terminates(s.body):
            return True
        if isinstance(s, ast.Try) and (
            terminates(s.finalbody)
            or ((terminates(s.body) or terminates(s.orelse)) and all(terminates(h.body) for h in s.handlers))
        ):
            return True
    return False


def _add_loop_test(loop: ast.While | ast.For, test: ast.expr) -> None:
    if isinstance(loop, ast.While):
        loop.test = b.located(b.ag_call("and_", test, b.thunk(loop.test)), loop.test)
    else:
        loop.ag_extra_test = [test, *getattr(loop, "ag_extra_test", [])]


class _Rewriter:
    def __init__(self, namer: b.Namer) -> None:
        self.namer = namer

    # -- break / continue --------------------------------------------------------------
    def loops(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for s in stmts:
            map_blocks(s, self.loops)
            out.extend(self._loop(s) if isinstance(s, _LOOPS) else [s])
        return out

    def _guard(self, stmts: list[ast.stmt], kind: type, flag: str) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for i, s in enumerate(stmts):
            if isinstance(s, kind):
                out.append(b.located(b.assign(flag, b.const(True)), s))
                return out
            if not isinstance(s, _LOOPS) and _contains([s], kind, into_loops=False):
                map_blocks(s, lambda block: self._guard(block, kind, flag))
                out.append(s)
                rest = stmts[i + 1 :]
                if rest:
                    out.append(b.guard(flag, self._guard(rest, kind, flag), rest[0]))
                return out
            out.append(s)
        return out

    def _loop(self, loop: ast.While | ast.For) -> list[ast.stmt]:
        pre: list[ast.stmt] = []
        if _contains(loop.body, ast.Continue, into_loops=False):
            flag = self.namer.new("continue_")
            loop.body = [b.located(b.assign(flag, b.const(False)), loop)] + self._guard(loop.body, ast.Continue, flag)
        has_break = _contains(loop.body, ast.Break, into_loops=False)
        if has_break:
            flag = self.namer.new("break_")
            loop.body = self._guard(loop.body, ast.Break, flag)
            pre.append(b.located(b.assign(flag, b.const(False)), loop))
            _add_loop_test(loop, b.located(b.not_(flag), loop))
        post = loop.orelse
        if post and has_break:
            post = [b.guard(flag, post, post[0])]
        loop.orelse = []
        return [*pre, loop, *post]

    # -- return ------------------------------------------------------------------------------
    def returns(self, fn: ast.FunctionDef) -> None:
        self.do_return = self.namer.new("do_return")
        self.retval = self.namer.new("retval_")
        always = terminates(fn.body)
        body = list(fn.body)
        doc = [body.pop(0)] if body and is_docstring(body[0]) else []
        init = [
            b.located(b.assign(self.do_return, b.const(False)), fn),
            b.located(b.assign(self.retval, b.ag_call("UndefinedReturnValue")), fn),
        ]
        last = fn.body[-1]
        final = b.located(
            ast.Return(
                value=b.ag_call(
                    "return_value", b.load(self.retval), b.load(self.do_return), b.const(always), b.const(fn.name)
                )
            ),
            last,
        )
        fn.body = doc + init + self._returns(body) + [final]

    def _returns(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for i, s in enumerate(stmts):
            if isinstance(s, ast.Return):
                out.append(b.located(b.assign(self.do_return, b.const(True)), s))
                out.append(b.located(b.assign(self.retval, s.value or b.const(None)), s))
                return out
            if not _contains([s], ast.Return, into_loops=True):
                out.append(s)
                continue
            rest = stmts[i + 1 :]
            if isinstance(s, ast.If):
                body_ends, else_ends = terminates(s.body), terminates(s.orelse)
                if body_ends and else_ends:
                    rest = []
                elif rest and body_ends:
                    s.orelse, rest = s.orelse + rest, []
                elif rest and else_ends:
                    s.body, rest = s.body + rest, []
            if isinstance(s, _LOOPS):
                _add_loop_test(s, b.located(b.not_(self.do_return), s))
            map_blocks(s, self._returns)
            out.append(s)
            if rest:
                out.append(b.guard(self.do_return, self._returns(rest), rest[0]))
            return out
        return out


def is_docstring(s: ast.stmt) -> bool:
    """True for a string-constant expression statement (a docstring when it comes first)."""
    return isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str)


def _return_below_control_flow(stmts: list[ast.stmt], inside: bool = False) -> bool:
    for s in stmts:
        if isinstance(s, ast.Return) and inside:
            return True
        nested = inside or isinstance(s, (ast.If, ast.While, ast.For, ast.Match))
        if any(_return_below_control_flow(block, nested) for block in analysis.child_blocks(s)):
            return True
    return False


def rewrite(fn: ast.FunctionDef, namer: b.Namer) -> None:
    """Rewrites the jumps of ``fn``'s own scope in place (nested functions are not entered).

    ``return`` statements are rewritten only when one sits inside an ``if``/loop; a
    function whose returns are all at its top level keeps them.
    """
    r = _Rewriter(namer)
    fn.body = r.loops(fn.body)
    if _return_below_control_flow(fn.body):
        r.returns(fn)
