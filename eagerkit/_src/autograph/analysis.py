"""Static analysis of one function scope: names bound, names read, and liveness.

The control-flow converter needs three facts about each ``if``/``while``/``for``:

* ``modified``: the local names its blocks bind (assignments, ``for`` targets,
  ``with ... as``, imports, nested ``def``/``class`` names; nested scopes are not
  entered);
* ``live_out``: the names that may be read after it before being re-assigned;
* ``live_in``: the names read inside its blocks before being assigned there (for a
  loop, the names live at the loop header - the values one iteration hands to the next).

Liveness is a backward data-flow pass over the structured statements (loops iterate to a
fixed point). It runs after ``break``/``continue``/``return`` were rewritten into flag
variables, so no jumps remain inside converted statements. Reads inside nested
functions, lambdas and comprehensions count as reads at the statement that contains
them (a conservative choice: more variables flow through control flow, never fewer).

>>> import ast
>>> from eagerkit._src.autograph import analysis
>>> fn = ast.parse("def f(x):\\n    y = 0\\n    if x:\\n        y = 1\\n        t = 2\\n    return y").body[0]
>>> analysis.annotate(fn)
>>> stmt = fn.body[1]
>>> sorted(stmt.ag_modified), sorted(stmt.ag_live_out)
(['t', 'y'], ['y'])
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

#: Nodes that open a new scope: their bodies' bindings are not the function's.
SCOPES = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ClassDef,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def reads(node: ast.AST | None) -> set[str]:
    """Every name read anywhere under ``node`` (nested scopes included)."""
    if node is None:
        return set()
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _bound_in_expr(node: ast.AST) -> set[str]:
    """Names an assignment target (or a ``del``) binds: Store/Del names outside subscripts' indices."""
    out: set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            out.add(n.id)
    return out


def bound_by(stmt: ast.stmt) -> set[str]:
    """Names bound by one statement itself, without looking into its nested blocks."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names if a.name != "*"}
    if isinstance(stmt, ast.Assign):
        return set().union(*(_bound_in_expr(t) for t in stmt.targets))
    if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        return _bound_in_expr(stmt.target) if not isinstance(stmt, ast.AnnAssign) or stmt.value else set()
    if isinstance(stmt, ast.Delete):
        return set().union(*(_bound_in_expr(t) for t in stmt.targets))
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        return _bound_in_expr(stmt.target)
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return set().union(*(_bound_in_expr(i.optional_vars) for i in stmt.items if i.optional_vars))
    if isinstance(stmt, ast.Try):
        return {h.name for h in stmt.handlers if h.name}
    return set()


def child_blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists nested directly in ``stmt`` that belong to the same scope."""
    if isinstance(stmt, (ast.If, ast.While, ast.For, ast.AsyncFor)):
        return [stmt.body, stmt.orelse]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [stmt.body]
    if isinstance(stmt, ast.Try):
        return [stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody]
    if isinstance(stmt, ast.Match):
        return [c.body for c in stmt.cases]
    return []


def modified(stmts: Iterable[ast.stmt]) -> set[str]:
    """Names bound anywhere in ``stmts`` (recursively through blocks, not into nested scopes)."""
    out: set[str] = set()
    for s in stmts:
        out |= bound_by(s)
        if isinstance(s, ast.Match):
            out |= {n.name for n in ast.walk(s) if isinstance(n, (ast.MatchAs, ast.MatchStar)) and n.name}
        for block in child_blocks(s):
            out |= modified(block)
    return out


def _own_reads(stmt: ast.stmt) -> set[str]:
    """Names a compound statement reads outside its blocks (test, iterable, items ...)."""
    if isinstance(stmt, (ast.If, ast.While)):
        return reads(stmt.test)
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        return reads(stmt.iter) | (reads(stmt.target))
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return set().union(*(reads(i) for i in stmt.items))
    if isinstance(stmt, ast.Try):
        return set().union(*(reads(h.type) for h in stmt.handlers))
    if isinstance(stmt, ast.Match):
        return reads(stmt.subject) | set().union(*(reads(c.pattern) | reads(c.guard) for c in stmt.cases))
    return reads(stmt)


class _Liveness:
    def block(self, stmts: list[ast.stmt], live_out: set[str]) -> set[str]:
        live = set(live_out)
        for s in reversed(stmts):
            live = self.stmt(s, live)
        return live

    def stmt(self, s: ast.stmt, out: set[str]) -> set[str]:
        if isinstance(s, ast.If):
            body, orelse = self.block(s.body, out), self.block(s.orelse, out)
            s.ag_live_out, s.ag_live_in = set(out), body | orelse
            return reads(s.test) | body | orelse
        if isinstance(s, ast.While):
            exit_ = self.block(s.orelse, out)
            header = reads(s.test) | exit_
            while True:
                new = reads(s.test) | exit_ | self.block(s.body, header)
                if new == header:
                    break
                header = new
            s.ag_live_out, s.ag_live_in = set(out), header
            return header
        if isinstance(s, (ast.For, ast.AsyncFor)):
            exit_ = self.block(s.orelse, out)
            targets = _bound_in_expr(s.target)
            header = set(exit_)
            while True:
                new = exit_ | (self.block(s.body, header) - targets) | reads(s.target)
                if new == header:
                    break
                header = new
            s.ag_live_out, s.ag_live_in = set(out), header
            return reads(s.iter) | header
        if isinstance(s, (ast.With, ast.AsyncWith)):
            inner = self.block(s.body, out) - bound_by(s)
            return _own_reads(s) | inner
        if isinstance(s, ast.Try):
            final = self.block(s.finalbody, out)
            orelse = self.block(s.orelse, final)
            handlers: set[str] = set()
            for h in s.handlers:
                handlers |= (self.block(h.body, final) - ({h.name} if h.name else set())) | reads(h.type)
            body = self.block(s.body, orelse | handlers)
            return body | handlers | final
        if isinstance(s, ast.Match):
            live = set(out)
            for c in s.cases:
                live |= self.block(c.body, out)
            return _own_reads(s) | live
        if isinstance(s, ast.Return):
            return reads(s.value)
        if isinstance(s, ast.Raise):
            return reads(s)
        if isinstance(s, (ast.Break, ast.Continue)):
            return set(out)
        if isinstance(s, ast.AugAssign):
            return set(out) | reads(s) | _bound_in_expr(s.target)
        return (set(out) - bound_by(s)) | reads(s)


def annotate(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    """Sets ``ag_modified``, ``ag_live_out`` and ``ag_live_in`` on each If/While/For of ``fn``'s scope."""
    _Liveness().block(fn.body, set())
    for node in _scope_statements(fn.body):
        if isinstance(node, (ast.If, ast.While, ast.For)):
            node.ag_modified = modified([node])


def _scope_statements(stmts: list[ast.stmt]) -> Iterable[ast.stmt]:
    for s in stmts:
        yield s
        for block in child_blocks(s):
            yield from _scope_statements(block)


def scope_statements(stmts: list[ast.stmt]) -> Iterable[ast.stmt]:
    """All statements of one scope, depth first (nested functions and classes not entered)."""
    return _scope_statements(stmts)


def declared_outer(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, str]:
    """Names the function declares ``global`` or ``nonlocal``: name -> "global" | "nonlocal"."""
    out: dict[str, str] = {}
    for s in _scope_statements(fn.body):
        if isinstance(s, ast.Global):
            out.update(dict.fromkeys(s.names, "global"))
        elif isinstance(s, ast.Nonlocal):
            out.update(dict.fromkeys(s.names, "nonlocal"))
    return out


def parameters(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    """The function's parameter names."""
    a = fn.args
    names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
    names += [x.arg for x in (a.vararg, a.kwarg) if x is not None]
    return set(names)
