"""Compiler layer: window functions (SQLite's ``window.c``, compile-time half).

Owns everything a SELECT with ``OVER`` needs at compile time:

* resolving a window function call (:func:`resolve_window_call`, called by
  resolve.py): the checks SQLite makes (``misuse of window function X()``,
  ``X() may not be used as a window function``, FILTER and DISTINCT rules),
  named windows of the WINDOW clause and their inheritance rules
  (sqlite3WindowChain), frame checks;
* coding the query (:func:`code_window_select`, called by select.py), as
  sqlite3WindowRewrite does: the SELECT becomes an inner query computing
  every value the windows and the result need (the window arguments,
  PARTITION BY and ORDER BY terms, and each window-free part of the result
  columns and ORDER BY), a co-routine whose rows are buffered in a sorter; the
  ``WindowPass`` opcode (vdbe/ops/window.py) sorts them per window and
  computes every window function; an outer loop reads the table back and
  computes the result rows (ORDER BY, DISTINCT and LIMIT apply there).

Rows come out in the order of the first window of the query when there is
no ORDER BY, as SQLite's do (its first window is the outermost sort).
"""

from __future__ import annotations
from pyrite.values import fold_name

import dataclasses
from dataclasses import dataclass
from typing import Any

from pyrite import values
from pyrite.compile.context import (
    NC_IN_AGG,
    SRT_COROUTINE,
    NameContext,
    Parse,
    SelectDest,
)
from pyrite.compile.expr import RegRef, code_expr, expr_affinity, expr_collation
from pyrite.sql import ast
from pyrite.vdbe.functions import window as builtin_window
from pyrite.vdbe.ops import window as rt

__all__ = ["WinFuncRef", "resolve_window_call", "window_calls", "code_window_select",
           "window_definitions", "check_no_window"]


@dataclass(frozen=True, slots=True, eq=False)
class WinFuncRef(ast.Expr):
    """A resolved window function call (SQLite's TK_FUNCTION with a Window).

    ``partition``/``order`` are the resolved PARTITION BY and ORDER BY terms
    of its window (after named-window inheritance); ``frame`` is
    ``(units, start_kind, start_expr, end_kind, end_expr, exclude)``.
    """

    name: str
    args: tuple[ast.Expr, ...]
    funcdef: Any
    filter: ast.Expr | None = None
    partition: tuple[ast.Expr, ...] = ()
    order: tuple[ast.Expr, ...] = ()
    order_desc: tuple[bool, ...] = ()
    order_nulls: tuple[str | None, ...] = ()
    frame: tuple[Any, ...] = ()


# Built-in window functions computed from the partition, by their class.
_KINDS: dict[Any, str] = {
    builtin_window.RowNumber: "row_number", builtin_window.Rank: "rank",
    builtin_window.DenseRank: "dense_rank", builtin_window.PercentRank: "percent_rank",
    builtin_window.CumeDist: "cume_dist", builtin_window.Ntile: "ntile",
    builtin_window.FirstValue: "first_value", builtin_window.LastValue: "last_value",
    builtin_window.NthValue: "nth_value",
}


def _kind(fd: Any) -> str:
    if fd.func is builtin_window.Noop:
        return fold_name(fd.name)
    return _KINDS.get(fd.func, "agg")


# ---------------------------------------------------------------------------
# Resolution
# ---------------------------------------------------------------------------

def window_definitions(parse: Parse, windows: tuple[ast.NamedWindow, ...]
                       ) -> dict[str, ast.WindowSpec]:
    """The WINDOW clause by lower-case name (a later definition of a name
    wins); each definition's inheritance is checked here, used or not."""
    defs: dict[str, ast.WindowSpec] = {}
    for i, w in enumerate(windows):
        spec = w.spec
        if spec.base is not None:
            if i == 0:
                # SQLite's grammar chains every definition but the first to
                # the ones before it; the first one's base is ignored.
                spec = dataclasses.replace(spec, base=None)
            else:
                spec = _chain(parse, spec, defs)
        defs[fold_name(w.name)] = spec
    return defs


def _chain(parse: Parse, spec: ast.WindowSpec, defs: dict[str, ast.WindowSpec]) -> ast.WindowSpec:
    """Apply ``spec``'s base window (sqlite3WindowChain)."""
    if spec.base is None:
        return spec
    base = defs.get(fold_name(spec.base))
    if base is None:
        parse.error(f"no such window: {spec.base}")
        raise AssertionError
    base = _chain(parse, base, defs)
    if spec.partition_by:
        parse.error(f"cannot override PARTITION clause of window: {spec.base}")
    if spec.order_by and base.order_by:
        parse.error(f"cannot override ORDER BY clause of window: {spec.base}")
    if base.frame is not None:
        parse.error(f"cannot override frame specification of window: {spec.base}")
    return ast.WindowSpec(None, base.partition_by, spec.order_by or base.order_by, spec.frame)


def _is_constant(expr: Any) -> bool:
    from pyrite.compile.resolve import ColumnRef, FuncRef, walk
    ok = True

    def visit(e: Any) -> None:
        nonlocal ok
        if isinstance(e, (ColumnRef, ast.Subquery, ast.Exists, WinFuncRef)) or (
                isinstance(e, ast.In) and e.select is not None) or (
                isinstance(e, FuncRef) and (e.is_agg or not e.funcdef.deterministic)):
            ok = False
    walk(expr, visit)
    return ok


def resolve_window_call(resolver: Any, expr: ast.FunctionCall, fd: Any) -> WinFuncRef:
    """Resolve ``name(args) [FILTER (...)] OVER ...`` whose FuncDef is ``fd``."""
    parse: Parse = resolver.parse
    nc: NameContext = resolver.nc
    name = expr.name
    defs = nc.window_defs
    if defs is None or nc.flags & NC_IN_AGG:
        parse.error(f"misuse of window function {name}()")
        raise AssertionError
    if not fd.is_window:
        parse.error(f"{name}() may not be used as a window function")
    if expr.filter is not None and fd.window_only:
        parse.error("FILTER clause may only be used with aggregate window functions")
    if expr.distinct:
        parse.error("DISTINCT is not supported for window functions")
    over = expr.over
    if isinstance(over, str):
        spec = defs.get(fold_name(over))
        if spec is None:
            parse.error(f"no such window: {over}")
            raise AssertionError
    else:
        assert over is not None
        spec = over
    spec = _chain(parse, spec, defs)
    nc.window_defs = None
    try:
        args = tuple(resolver.visit(a) for a in expr.args)
        flt = resolver.visit(expr.filter) if expr.filter is not None else None
        part = tuple(resolver.visit(e) for e in spec.partition_by)
        order = tuple(resolver.visit(t.expr) for t in spec.order_by)
        frame = _frame(parse, resolver, spec)
    finally:
        nc.window_defs = defs
    return WinFuncRef(name=name, args=args, funcdef=fd, filter=flt, partition=part,
                      order=order, order_desc=tuple(t.desc for t in spec.order_by),
                      order_nulls=tuple(t.nulls for t in spec.order_by), frame=frame)


def _frame(parse: Parse, resolver: Any, spec: ast.WindowSpec) -> tuple[Any, ...]:
    fr = spec.frame
    if fr is None:
        return ("RANGE", rt.UNBOUNDED_PRECEDING, None, rt.CURRENT_ROW, None, None)
    end = fr.end or ast.FrameBound(rt.CURRENT_ROW)
    if fr.units == "RANGE" and (fr.start.expr is not None or end.expr is not None) \
            and len(spec.order_by) != 1:
        parse.error("RANGE with offset PRECEDING/FOLLOWING requires one ORDER BY expression")

    def offset(b: ast.FrameBound) -> Any:
        if b.expr is None:
            return None
        e = resolver.visit(b.expr)
        # A frame offset that is not a constant is NULL (and so an error
        # when the window runs), as sqlite3WindowOffsetExpr makes it.
        return e if _is_constant(e) else ast.Literal(None)
    # EXCLUDE NO OTHERS excludes nothing, but SQLite 3.40 still computes
    # such frames by a full scan per row (ties of min()/max(), group_concat()
    # of empty strings show it), so it is kept.
    exclude = fr.exclude
    return (fr.units, fr.start.kind, offset(fr.start), end.kind, offset(end), exclude)


def check_no_window(parse: Parse, exprs: Any) -> None:
    """"misuse of window function X()" for the first ``X(...) OVER`` in the
    unresolved ``exprs`` (CHECK constraints, resolved when the table is
    created as SQLite's sqlite3ResolveSelfReference does)."""
    from pyrite.compile.resolve import walk
    found: list[str] = []

    def visit(e: Any) -> None:
        if isinstance(e, ast.FunctionCall) and e.over is not None and not found:
            found.append(e.name)
    walk(exprs, visit)
    if found:
        parse.error(f"misuse of window function {found[0]}()")


def window_calls(exprs: Any) -> list[WinFuncRef]:
    """The window function calls in ``exprs``, each once, in walk order."""
    from pyrite.compile.resolve import walk
    found: list[WinFuncRef] = []
    seen: set[int] = set()

    def visit(e: Any) -> None:
        if isinstance(e, WinFuncRef) and id(e) not in seen:
            seen.add(id(e))
            found.append(e)
    walk(exprs, visit)
    return found


# ---------------------------------------------------------------------------
# Code generation
# ---------------------------------------------------------------------------

def _ekey(e: Any) -> Any:
    """A structural key of a resolved expression (sqlite3ExprCompare's role)."""
    if isinstance(e, (tuple, list)):
        return tuple(_ekey(x) for x in e)
    if not isinstance(e, ast.Node):
        return (type(e).__name__, e) if isinstance(e, (int, float, str, bytes, bool)) \
            or e is None else id(e)
    from pyrite.compile.resolve import ColumnRef, FuncRef
    if isinstance(e, ColumnRef):
        return ("col", e.cursor, e.column, e.depth)
    if isinstance(e, FuncRef):
        if not e.funcdef.deterministic:
            return id(e)
        return ("func", fold_name(e.name), _ekey(e.args), e.distinct, e.star,
                _ekey(e.filter))
    if isinstance(e, (ast.Subquery, ast.Exists)):
        return id(e)
    return (type(e).__name__,) + tuple(_ekey(getattr(e, f.name))
                                       for f in dataclasses.fields(e))


def _explicit_coll(parse: Parse, e: Any) -> bool:
    from pyrite.compile.expr import _explicit_collation
    return _explicit_collation(parse, e)[0]


def code_window_select(parse: Parse, src: Any, where: Any, result: list[Any],
                       group_by: list[ast.Expr], having: Any, is_agg: bool,
                       ob_exprs: list[ast.Expr], ob_desc: list[bool],
                       ob_nulls: list[str | None], dest: SelectDest, lim: Any,
                       distinct_cur: int, end: int) -> None:
    """Code a SELECT whose result columns or ORDER BY hold window functions."""
    from pyrite.compile import select as sel
    from pyrite.compile.resolve import ResultItem
    wins = window_calls([r.expr for r in result] + list(ob_exprs))
    inner: list[ast.Expr] = []
    inner_regs: list[int] = []
    index: dict[int, int] = {}

    def column(e: ast.Expr) -> int:
        k = index.get(id(e))
        if k is None:
            k = index[id(e)] = len(inner)
            inner.append(e)
            inner_regs.append(parse.alloc_reg())
        return k

    win_regs = {id(w): parse.alloc_reg() for w in wins}
    plan_funcs: list[tuple[WinFuncRef, rt.WindowFunc]] = []
    for w in wins:
        args = tuple(column(a) for a in w.args)
        flt = column(w.filter) if w.filter is not None else -1
        units, s_kind, s_expr, e_kind, e_expr, exclude = w.frame
        coll = None
        if w.funcdef.needs_collation and w.args:
            coll = expr_collation(parse, w.args[0])
        wf = rt.WindowFunc(w.funcdef, _kind(w.funcdef), args, flt, 0, units, s_kind,
                           0, e_kind, 0, exclude, coll)
        plan_funcs.append((w, wf))
    for w in wins:
        for e in w.partition + w.order:
            column(e)

    def split(e: Any) -> Any:
        if isinstance(e, WinFuncRef):
            return RegRef(win_regs[id(e)])
        if not window_calls(e):
            if isinstance(e, ast.Literal):
                return e
            k = column(e)
            return RegRef(inner_regs[k], expr_affinity(e), expr_collation(parse, e),
                          _explicit_coll(parse, e))
        from pyrite.compile.resolve import _map_children
        return _map_children(e, split)

    out_rw = [split(r.expr) for r in result]
    ob_rw = [split(e) for e in ob_exprs]
    if not inner:
        column(ast.Literal(None))
    n_in = len(inner)

    # The inner query, a co-routine whose rows are buffered in a sorter.
    reg_yield = parse.alloc_reg()
    sdst = parse.alloc_reg(n_in)
    init = parse.emit("InitCoroutine", reg_yield, 0, parse.current_addr() + 1)
    # EXPLAIN QUERY PLAN as SQLite's rewrite shows it (the subquery's number
    # is the one a top-level SELECT's window subquery gets).
    label = f"(subquery-{parse.n_select + 2})"
    saved = sel._explain_push(parse, f"CO-ROUTINE {label}")
    items = [ResultItem(e, f"c{i}", None) for i, e in enumerate(inner)]
    inner_end = parse.label()
    co_dest = SelectDest(SRT_COROUTINE, reg_yield, sdst=sdst, n_sdst=n_in)
    if is_agg:
        sel._code_aggregate(parse, src, where, items, group_by, having, [], [], [],
                            co_dest, sel._Limit(), -1, inner_end)
    else:
        sel._code_simple(parse, src, where, items, [], [], [], co_dest, sel._Limit(),
                         -1, inner_end)
    parse.resolve(inner_end)
    if wins and (wins[0].partition or wins[0].order):
        sel._explain(parse, "USE TEMP B-TREE FOR ORDER BY")
    sel._explain_pop(parse, saved)
    parse.emit("EndCoroutine", reg_yield)
    parse.builder.change_p2(init, parse.current_addr())
    tab = parse.alloc_cursor()
    parse.emit("SorterOpen", tab, n_in, 0, values.KeyInfo([], None, 0))
    filled = parse.label()
    fill = parse.emit("Yield", reg_yield, filled)
    rec = parse.get_temp_reg()
    parse.emit("MakeRecord", sdst, n_in, rec)
    parse.emit("SorterInsert", tab, rec)
    parse.release_temp_reg(rec)
    parse.emit("Goto", 0, fill)
    parse.resolve(filled)

    # Windows with the same PARTITION BY and ORDER BY share a sort.
    groups: list[rt.WindowGroup] = []
    by_key: dict[Any, rt.WindowGroup] = {}
    out_col = n_in
    for w, wf in plan_funcs:
        units, s_kind, s_expr, e_kind, e_expr, exclude = w.frame
        if s_expr is not None:
            wf.start_reg = parse.alloc_reg()
            code_expr(parse, s_expr, wf.start_reg)
        if e_expr is not None:
            wf.end_reg = parse.alloc_reg()
            code_expr(parse, e_expr, wf.end_reg)
        pcolls = [expr_collation(parse, e) for e in w.partition]
        ocolls = [expr_collation(parse, e) for e in w.order]
        key = (_ekey(w.partition), tuple(c.name if c else None for c in pcolls),
               _ekey(w.order), w.order_desc, w.order_nulls,
               tuple(c.name if c else None for c in ocolls))
        g = by_key.get(key)
        if g is None:
            bignull = [(n == "LAST" and not d) or (n == "FIRST" and d)
                       for n, d in zip(w.order_nulls, w.order_desc)]
            colls = [c or values.BINARY for c in pcolls + ocolls]
            desc = [False] * len(pcolls) + list(w.order_desc)
            g = rt.WindowGroup(
                tuple(index[id(e)] for e in w.partition),
                tuple(index[id(e)] for e in w.order),
                values.KeyInfo(colls, desc, len(colls), [False] * len(pcolls) + bignull),
                values.KeyInfo(colls[:len(pcolls)]),
                values.KeyInfo(colls[len(pcolls):], list(w.order_desc), len(ocolls), bignull))
            by_key[key] = g
            groups.append(g)
        g.funcs.append(wf)
    # output columns in group order, after the inner columns
    win_cols: list[tuple[int, int]] = []
    for g in groups:
        for wf in g.funcs:
            wf.out = out_col
            out_col += 1
    for w, wf in plan_funcs:
        win_cols.append((wf.out, win_regs[id(w)]))
    plan = rt.WindowPlan(n_in, list(reversed(groups)))
    rows = parse.alloc_cursor()
    parse.emit("SorterOpen", rows, n_in + len(win_cols), 0, values.KeyInfo([], None, 0))
    parse.emit("WindowPass", tab, n_in, rows, plan)

    # The outer loop over the rows with their window values.
    sorter = sel._open_sorter(parse, ob_rw, ob_desc, ob_nulls, len(result)) if ob_rw else None
    done = parse.label()
    cont = parse.label()
    pseudo = parse.alloc_cursor()
    reg_row = parse.alloc_reg()
    parse.emit("OpenPseudo", pseudo, reg_row, n_in + len(win_cols))
    parse.emit("SorterSort", rows, done)
    sel._explain(parse, f"SCAN {label}")
    top = parse.current_addr()
    parse.emit("SorterData", rows, reg_row, pseudo)
    for i, reg in enumerate(inner_regs):
        parse.emit("Column", pseudo, i, reg)
    for col, reg in win_cols:
        parse.emit("Column", pseudo, col, reg)
    sel._inner_loop(parse, result, dest, lim, distinct_cur, sorter, cont, done, exprs=out_rw)
    parse.resolve(cont)
    parse.emit("SorterNext", rows, top)
    parse.resolve(done)
    if sorter is not None:
        sel._sort_tail(parse, sorter, result, dest, lim, end)
