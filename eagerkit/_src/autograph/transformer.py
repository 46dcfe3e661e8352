"""The AST conversion: a user function's ``def`` in, the converted ``def`` out.

Passes, in order (each small, each over one function's AST):

1. ``_Validator`` refuses constructs that cannot be converted (see the package
   docstring) with an error naming the line, and moves
   ``set_loop_options(...)`` statements of loop bodies into the loops' options.
2. ``_Expressions`` rewrites expressions: ``a and b`` -> ``ag__.and_(a, lambda: b)`` (and
   chained comparisons ``a < x < b`` likewise),
   ``not a`` -> ``ag__.not_(a)``, ``a if c else b`` -> ``ag__.if_exp(...)``, calls ->
   ``ag__.converted_call(f, args, kwargs)`` (which converts user functions recursively
   and maps ``print``/``range`` to their graph versions), ``assert`` -> ``ag__.assert_stmt``.
3. Per function scope: ``jumps.rewrite`` (break/continue/return -> flags),
   ``analysis.annotate`` (modified and live names), then ``_ControlFlow`` turns each
   ``if``/``while``/``for`` into nested functions plus one call of ``ag__.if_stmt`` /
   ``ag__.while_stmt`` / ``ag__.for_stmt``, which decide at run time between Python and
   graph control flow. Variables flow through ``nonlocal`` and the statement's
   ``get_state``/``set_state`` pair, TF's functional form.
4. ``_LoadChecks`` wraps reads of names that may still be ``Undefined`` in ``ag__.ld``.

Every generated node carries the location of the user statement it came from.

>>> import ast
>>> from eagerkit._src.autograph.transformer import convert_function_def
>>> fn = ast.parse("def f(x):\\n    return not x").body[0]
>>> print(ast.unparse(convert_function_def(fn, "<doc>")))
def f(x):
    return ag__.not_(x)
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from eagerkit._src.autograph import analysis, jumps
from eagerkit._src.autograph import ast_builders as b
from eagerkit._src.autograph.errors import UnsupportedConstructError

#: Builtins that inspect the caller's frame: calls to them are left as they are.
_FRAME_BUILTINS = frozenset({"super", "locals", "globals", "vars", "eval", "exec", "dir"})
#: Methods that grow or change a Python list in place.
_LIST_MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse"})
_LOOP_OPTIONS = "set_loop_options"


def _where(filename: str, node: ast.AST) -> str:
    return f"{filename}:{getattr(node, 'lineno', '?')}"


def _is_generator(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for s in analysis.scope_statements(fn.body):
        for n in _own_nodes(s):
            if isinstance(n, (ast.Yield, ast.YieldFrom, ast.Await)):
                return True
    return False


def _own_nodes(s: ast.stmt) -> list[ast.AST]:
    """Nodes of one statement outside its nested blocks and nested scopes."""
    out: list[ast.AST] = []
    blocks = {id(x) for block in analysis.child_blocks(s) for x in block}
    stack = [c for c in ast.iter_child_nodes(s) if id(c) not in blocks]
    while stack:
        n = stack.pop()
        out.append(n)
        if isinstance(n, analysis.SCOPES):
            continue
        stack.extend(c for c in ast.iter_child_nodes(n) if id(c) not in blocks)
    return out


class _Validator:
    """Refuses unsupported constructs; extracts ``set_loop_options`` calls."""

    def __init__(self, filename: str) -> None:
        self.filename = filename

    def check(self, fn: ast.FunctionDef) -> None:
        if _is_generator(fn):
            raise UnsupportedConstructError(
                f"AutoGraph cannot convert generator function {fn.name!r} ({_where(self.filename, fn)}): "
                "`yield` is not supported inside ek.function. Return a tensor (stack the values with ek.stack), "
                "or decorate the generator with ek.autograph.experimental.do_not_convert."
            )
        for node in ast.walk(fn):
            if isinstance(node, ast.NamedExpr):
                raise UnsupportedConstructError(
                    f"AutoGraph cannot convert {fn.name!r}: the assignment expression `:=` at "
                    f"{_where(self.filename, node)} is not supported; assign in a separate statement."
                )
            if isinstance(node, (ast.AsyncFor, ast.AsyncWith)) and not _inside_nested_async(fn, node):
                raise UnsupportedConstructError(
                    f"AutoGraph cannot convert {fn.name!r}: `async` statements ({_where(self.filename, node)}) "
                    "are not supported inside ek.function."
                )
            if isinstance(node, (ast.While, ast.For)):
                self._loop_options(node)

    def _loop_options(self, loop: ast.While | ast.For) -> None:
        """Moves ``set_loop_options(...)`` calls among the body's top-level statements into the loop."""
        kept: list[ast.stmt] = []
        for s in loop.body:
            call = s.value if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) else None
            func = call.func if call is not None else None
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            if name != _LOOP_OPTIONS:
                kept.append(s)
                continue
            if call.args:
                raise UnsupportedConstructError(
                    f"set_loop_options takes keyword arguments only ({_where(self.filename, s)})."
                )
            loop.ag_options = [*getattr(loop, "ag_options", []), *call.keywords]
        loop.body = kept or [b.located(ast.Pass(), loop.body[0])]


def _inside_nested_async(fn: ast.FunctionDef, node: ast.AST) -> bool:
    for inner in ast.walk(fn):
        if inner is not fn and isinstance(inner, ast.AsyncFunctionDef):
            if any(n is node for n in ast.walk(inner)):
                return True
    return False


class _Expressions(ast.NodeTransformer):
    """Pass 2: logical operators, conditional expressions, calls, assert."""

    def __init__(self, class_cell: bool) -> None:
        self.class_cell = class_cell
        self.first_param: list[str | None] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        if getattr(node, "ag_skip", False):
            return node
        params = node.args.posonlyargs + node.args.args
        self.first_param.append(params[0].arg if params else None)
        self.generic_visit(node)
        self.first_param.pop()
        return node

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        op = "and_" if isinstance(node.op, ast.And) else "or_"
        first, *rest = node.values
        return b.located(b.ag_call(op, first, *(b.thunk(v) for v in rest)), node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return b.located(b.ag_call("not_", node.operand), node)
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        """``a < b < c`` -> ``ag__.and_(a < b, lambda: b < c)`` when the middle operands are plain names."""
        self.generic_visit(node)
        if len(node.ops) == 1 or not all(_is_plain(c) for c in node.comparators[:-1]):
            return node
        operands = [node.left, *node.comparators]
        parts = [
            b.located(ast.Compare(left=left, ops=[op], comparators=[right]), node)
            for left, op, right in zip(operands, node.ops, operands[1:])
        ]
        return b.located(b.ag_call("and_", parts[0], *(b.thunk(p) for p in parts[1:])), node)

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)
        return b.located(b.ag_call("if_exp", node.test, b.thunk(node.body), b.thunk(node.orelse)), node)

    def visit_Assert(self, node: ast.Assert) -> ast.AST:
        self.generic_visit(node)
        msg = b.thunk(node.msg) if node.msg is not None else b.const(None)
        return b.located(ast.Expr(value=b.ag_call("assert_stmt", node.test, msg)), node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Name) and func.id in _FRAME_BUILTINS:
            if func.id == "super" and not node.args and not node.keywords and self.class_cell:
                first = self.first_param[-1] if self.first_param else None
                if first is not None:
                    node.args = [b.load("__class__"), b.load(first)]
            return node
        args = ast.Tuple(elts=list(node.args), ctx=ast.Load())
        if node.keywords:
            kwargs: ast.expr = ast.Dict(
                keys=[b.const(k.arg) if k.arg is not None else None for k in node.keywords],
                values=[k.value for k in node.keywords],
            )
        else:
            kwargs = b.const(None)
        return b.located(b.ag_call("converted_call", func, args, kwargs), node)


def _is_plain(node: ast.expr) -> bool:
    """Names, constants and attribute chains: evaluating them twice is harmless."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, (ast.Name, ast.Constant))


@dataclass
class _Scope:
    """Names bound in one (user or generated) function while converting its statements."""

    bound_above: set[str]
    externals: dict[str, str]
    generated: bool = False
    needs: set[str] = field(default_factory=set)


def _mutations(stmts: list[ast.stmt], local: set[str]) -> list[tuple[str, str]]:
    """(description, object name) of in-place changes to objects from outside the statement."""
    found: dict[str, str] = {}
    for s in stmts:
        for n in [s, *_own_nodes(s)]:
            if isinstance(n, ast.Call) and _is_ag(n.func, "converted_call") and n.args:
                f = n.args[0]
                if (
                    isinstance(f, ast.Attribute)
                    and isinstance(f.value, ast.Name)
                    and f.attr in _LIST_MUTATORS
                    and f.value.id not in local
                ):
                    found.setdefault(f"{f.value.id}.{f.attr}(...)", f.value.id)
            for t in _assignment_targets(n):
                for sub in ast.walk(t):
                    if not (isinstance(sub, (ast.Attribute, ast.Subscript)) and isinstance(sub.ctx, ast.Store)):
                        continue
                    base = sub.value
                    if isinstance(base, ast.Name) and base.id not in local:
                        where = f".{sub.attr}" if isinstance(sub, ast.Attribute) else "[...]"
                        found.setdefault(f"{base.id}{where} = ...", base.id)
        for block in analysis.child_blocks(s):
            for desc, name in _mutations(block, local):
                found.setdefault(desc, name)
    return list(found.items())


def _assignment_targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return node.targets
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        return [node.target]
    return []


def _is_ag(node: ast.AST, name: str) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == name
        and isinstance(node.value, ast.Name)
        and node.value.id == b.AG
    )


class _ControlFlow:
    """Pass 3: if/while/for -> functional form, one function scope at a time."""

    def __init__(self, namer: b.Namer) -> None:
        self.namer = namer
        self.scopes: list[_Scope] = []
        self.try_depth = 0
        self.undefined: set[str] = set()
        self.getters: set[str] = set()
        self.vars_name = namer.new("vars_")

    # -- scopes ------------------------------------------------------------------------------
    def function(self, fn: ast.FunctionDef) -> None:
        body = list(fn.body)
        doc = [body.pop(0)] if body and jumps.is_docstring(body[0]) else []
        decls = [s for s in analysis.scope_statements(body) if isinstance(s, (ast.Global, ast.Nonlocal))]
        fn.body = doc + _without(body, decls)
        jumps.rewrite(fn, self.namer)
        analysis.annotate(fn)
        externals = analysis.declared_outer(ast.Module(body=decls, type_ignores=[])) if decls else {}
        self.scopes.append(_Scope(analysis.parameters(fn) | set(externals), externals))
        saved_try, self.try_depth = self.try_depth, 0
        body = list(fn.body)
        doc = [body.pop(0)] if body and jumps.is_docstring(body[0]) else []
        converted = self._block(body)
        self.try_depth = saved_try
        scope = self.scopes.pop()
        fn.body = doc + decls + self._inits(scope, fn, body) + converted

    def _inits(self, scope: _Scope, like: ast.AST, stmts: list[ast.stmt]) -> list[ast.stmt]:
        skip = scope.bound_above | set(scope.externals) | _assigned_first(stmts)
        names = sorted(scope.needs - skip)
        self.undefined |= set(names)
        return [b.located(b.assign(n, b.ag_call("Undefined", b.const(n))), like) for n in names]

    def _body_function(
        self, name: str, params: list[str], stmts: list[ast.stmt], state: list[str], ext: dict[str, str], like: ast.AST
    ) -> ast.FunctionDef:
        outer = self.scopes[-1]
        self.scopes.append(_Scope(set(state) | set(params), outer.externals, generated=True))
        converted = self._block(stmts)
        scope = self.scopes.pop()
        decls: list[ast.stmt] = []
        if state:
            decls.append(ast.Nonlocal(names=list(state)))
        for kind, node_type in (("global", ast.Global), ("nonlocal", ast.Nonlocal)):
            names = sorted(n for n, k in ext.items() if k == kind)
            if names:
                decls.append(node_type(names=names))
        return b.located(b.function_def(name, params, decls + self._inits(scope, like, stmts) + converted), like)

    def _state_functions(self, names: list[str], like: ast.AST) -> tuple[str, str, list[ast.stmt]]:
        get_name, set_name = self.namer.new("get_state"), self.namer.new("set_state")
        self.getters.add(get_name)
        getter = b.function_def(get_name, [], [ast.Return(value=b.name_tuple(names, ast.Load()))])
        if names:
            set_body: list[ast.stmt] = [
                ast.Nonlocal(names=list(names)),
                ast.Assign(targets=[b.name_tuple(names, ast.Store())], value=b.load(self.vars_name)),
            ]
        else:
            set_body = [ast.Pass()]
        setter = b.function_def(set_name, [self.vars_name], set_body)
        return get_name, set_name, [b.located(getter, like), b.located(setter, like)]

    # -- statements ---------------------------------------------------------------------------
    def _block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for s in stmts:
            out.extend(self._stmt(s))
        return out

    def _stmt(self, s: ast.stmt) -> list[ast.stmt]:
        if isinstance(s, ast.If):
            return self._if(s)
        if isinstance(s, ast.While):
            return self._while(s)
        if isinstance(s, ast.For):
            return self._for(s)
        if isinstance(s, ast.FunctionDef):
            if not getattr(s, "ag_skip", False):
                self.function(s)
            return [s]
        if isinstance(s, ast.With):
            s.body = self._block(s.body)
        elif isinstance(s, ast.Try):
            self.try_depth += 1
            s.body = self._block(s.body)
            self.try_depth -= 1
            for h in s.handlers:
                h.body = self._block(h.body)
            s.orelse, s.finalbody = self._block(s.orelse), self._block(s.finalbody)
        elif isinstance(s, ast.Match):
            for c in s.cases:
                c.body = self._block(c.body)
        elif isinstance(s, ast.Delete) and self._deletes_shared_locals(s):
            # `del x` on a variable shared through `nonlocal` would unbind it for get_state.
            self.undefined |= {t.id for t in s.targets}
            return [b.located(b.assign(t.id, b.ag_call("Undefined", b.const(t.id))), s) for t in s.targets]
        return [s]

    def _deletes_shared_locals(self, s: ast.Delete) -> bool:
        scope = self.scopes[-1]
        return scope.generated and all(isinstance(t, ast.Name) and t.id not in scope.externals for t in s.targets)

    def _classify(self, s: ast.If | ast.While | ast.For) -> tuple[list[str], set[str], dict[str, str]]:
        scope = self.scopes[-1]
        ext = {n: scope.externals[n] for n in s.ag_modified if n in scope.externals}
        local = set(s.ag_modified) - set(ext)
        state = sorted(local & (s.ag_live_out | s.ag_live_in))
        scope.needs |= local
        return state, local, ext

    def _opts(self, s: ast.stmt, blocks: list[list[ast.stmt]], local: set[str], ext: dict[str, str]) -> ast.expr | None:
        keys: list[ast.expr | None] = []
        values: list[ast.expr] = []
        for kw in getattr(s, "ag_options", []):
            keys.append(b.const(kw.arg))
            values.append(kw.value)
        if ext:
            keys.append(b.const("external"))
            values.append(b.str_tuple(sorted(ext)))
        found = [m for block in blocks for m in _mutations(block, local)]
        if found:
            keys.append(b.const("mutations"))
            values.append(
                ast.Tuple(
                    elts=[ast.Tuple(elts=[b.const(d), b.thunk(b.load(n))], ctx=ast.Load()) for d, n in found],
                    ctx=ast.Load(),
                )
            )
        if self.try_depth:
            keys.append(b.const("in_try"))
            values.append(b.const(True))
        return ast.Dict(keys=keys, values=values) if keys else None

    def _if(self, s: ast.If) -> list[ast.stmt]:
        state, local, ext = self._classify(s)
        outputs = [n for n in state if n in s.ag_live_out]
        order = outputs + [n for n in state if n not in s.ag_live_out]
        opts = self._opts(s, [s.body, s.orelse], local, ext)
        body_name, else_name = self.namer.new("if_body"), self.namer.new("else_body")
        body = self._body_function(body_name, [], s.body, order, ext, s)
        orelse = self._body_function(else_name, [], s.orelse, order, ext, s)
        get_name, set_name, state_fns = self._state_functions(order, s)
        call = b.ag_call(
            "if_stmt",
            s.test,
            b.load(body_name),
            b.load(else_name),
            b.load(get_name),
            b.load(set_name),
            b.str_tuple(order),
            b.const(len(outputs)),
            *([opts] if opts else []),
        )
        return [body, orelse, *state_fns, b.located(ast.Expr(value=call), s)]

    def _while(self, s: ast.While) -> list[ast.stmt]:
        state, local, ext = self._classify(s)
        opts = self._opts(s, [s.body], local, ext)
        test_name, body_name = self.namer.new("loop_test"), self.namer.new("loop_body")
        test = b.located(b.function_def(test_name, [], [ast.Return(value=s.test)]), s)
        body = self._body_function(body_name, [], s.body, state, ext, s)
        get_name, set_name, state_fns = self._state_functions(state, s)
        call = b.ag_call(
            "while_stmt",
            b.load(test_name),
            b.load(body_name),
            b.load(get_name),
            b.load(set_name),
            b.str_tuple(state),
            *([opts] if opts else []),
        )
        return [test, body, *state_fns, b.located(ast.Expr(value=call), s)]

    def _for(self, s: ast.For) -> list[ast.stmt]:
        state, local, ext = self._classify(s)
        opts = self._opts(s, [s.body], local, ext)
        body_name, itr = self.namer.new("loop_body"), self.namer.new("itr")
        target = b.located(ast.Assign(targets=[s.target], value=b.load(itr)), s.target)
        body = self._body_function(body_name, [itr], [target, *s.body], state, ext, s)
        out: list[ast.stmt] = [body]
        extra = getattr(s, "ag_extra_test", [])
        extra_ref: ast.expr = b.const(None)
        if extra:
            test_name = self.namer.new("extra_test")
            test_expr = extra[0] if len(extra) == 1 else b.ag_call("and_", extra[0], *(b.thunk(e) for e in extra[1:]))
            out.append(b.located(b.function_def(test_name, [], [ast.Return(value=test_expr)]), s))
            extra_ref = b.load(test_name)
        get_name, set_name, state_fns = self._state_functions(state, s)
        call = b.ag_call(
            "for_stmt",
            s.iter,
            extra_ref,
            b.load(body_name),
            b.load(get_name),
            b.load(set_name),
            b.str_tuple(state),
            *([opts] if opts else []),
        )
        return [*out, *state_fns, b.located(ast.Expr(value=call), s)]


def _assigned_first(stmts: list[ast.stmt]) -> set[str]:
    """Names surely bound by the simple statements that open a block (before any compound statement)."""
    out: set[str] = set()
    for s in stmts:
        if isinstance(s, (ast.Assign, ast.AnnAssign, ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
            out |= analysis.bound_by(s)
        elif analysis.child_blocks(s) or isinstance(s, (ast.Delete, ast.Try)):
            break
    return out


def _without(stmts: list[ast.stmt], remove: list[ast.stmt]) -> list[ast.stmt]:
    """``stmts`` with the statements in ``remove`` taken out of every same-scope block."""
    ids = {id(r) for r in remove}
    if not ids:
        return stmts

    def strip(block: list[ast.stmt]) -> list[ast.stmt]:
        kept = [s for s in block if id(s) not in ids]
        for s in kept:
            jumps.map_blocks(s, strip)
        if block and not kept:
            kept = [b.located(ast.Pass(), block[0])]
        return kept

    return strip(stmts)


class _LoadChecks(ast.NodeTransformer):
    """Pass 4: ``x`` -> ``ag__.ld(x)`` for names that may hold ``Undefined``."""

    def __init__(self, names: set[str], getters: set[str]) -> None:
        self.names = names
        self.getters = getters

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        if node.name in self.getters:
            return node
        self.generic_visit(node)
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if isinstance(node.ctx, ast.Load) and node.id in self.names:
            return b.located(b.ag_call("ld", node), node)
        return node


def _mark_skipped(fn: ast.FunctionDef) -> None:
    """Nested generator functions are left as written (they cannot be converted)."""
    for node in ast.walk(fn):
        if node is not fn and isinstance(node, ast.FunctionDef) and _is_generator(node):
            node.ag_skip = True


def convert_function_def(fn: ast.FunctionDef, filename: str, class_cell: bool = False) -> ast.FunctionDef:
    """Converts ``fn`` (modified in place and returned).

    ``class_cell`` says the original function has a ``__class__`` cell (it uses
    zero-argument ``super()``); ``super()`` is then spelled ``super(__class__, self)``,
    which works outside the class body the converted code is compiled in.
    """
    _Validator(filename).check(fn)
    _mark_skipped(fn)
    fn.decorator_list = []
    _strip_signature_expressions(fn)
    _Expressions(class_cell).visit(fn)
    flow = _ControlFlow(b.Namer.for_tree(fn))
    flow.function(fn)
    _LoadChecks(flow.undefined, flow.getters).visit(fn)
    ast.fix_missing_locations(fn)
    return fn


def _strip_signature_expressions(fn: ast.FunctionDef) -> None:
    """Defaults and annotations come from the original function object, not from re-evaluation."""
    a = fn.args
    a.defaults = [b.located(b.const(None), d) for d in a.defaults]
    a.kw_defaults = [None if d is None else b.located(b.const(None), d) for d in a.kw_defaults]
    for arg in a.posonlyargs + a.args + a.kwonlyargs + [x for x in (a.vararg, a.kwarg) if x is not None]:
        arg.annotation = None
    fn.returns = None
