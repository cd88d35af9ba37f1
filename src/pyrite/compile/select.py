"""Compiler layer: SELECT code generation (SQLite's ``select.c``).

``compile_select(parse, select, dest)`` resolves a SELECT, opens the WHERE
loops (where.py) and disposes of each result row according to ``dest``
(SelectDest: SRT_OUTPUT, SRT_MEM, SRT_SET, SRT_EXISTS, SRT_TABLE,
SRT_EPHEM_TAB, SRT_COROUTINE, SRT_DISCARD, SRT_UNION, SRT_EXCEPT), with the
shapes SQLite emits: LIMIT/OFFSET registers (MustBeInt, OffsetLimit, IfPos,
DecrJumpZero), ORDER BY through a sorter (SorterOpen/SorterInsert/
SorterSort/SorterData + a pseudo cursor) unless the loop already delivers
the order, DISTINCT through an ephemeral index (Found/IdxInsert), aggregates
(AggStep/AggFinal) with GROUP BY via a sorter and Compare/Jump on the group
key, output and reset subroutines (Gosub/Return) as ``sqlite3Select`` does.
FROM-clause subqueries are materialized into ephemeral tables.
"""

from __future__ import annotations
from pyrite.values import fold_name

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from pyrite import values
from pyrite.compile.context import (
    JT_LEFT, JT_NATURAL, JT_RIGHT, NC_ALLOW_AGG, NC_HAS_AGG, EphemeralColumn, EphemeralTable,
    NameContext, Parse, SelectDest, SrcItem, SrcList,
    SRT_COROUTINE, SRT_DISCARD, SRT_DISTFIFO, SRT_DISTQUEUE, SRT_EPHEM_TAB, SRT_EXCEPT,
    SRT_EXISTS, SRT_FIFO, SRT_MEM, SRT_OUTPUT, SRT_QUEUE, SRT_SET, SRT_TABLE, SRT_UNION,
    SRT_UPD, column_hidden, flatten_from,
)
from pyrite.compile import cte, window
from pyrite.compile.expr import (
    code_expr, code_if_false, expr_affinity, expr_coll_seq, expr_collation, set_in_affinity,
)
from pyrite.compile.resolve import (
    AggColumn, ColumnRef, FuncRef, ResultItem, expand_result_columns, item_column_ref,
    resolve_expr, resolve_order_by, term_integer,
)
from pyrite.compile import vtab
from pyrite.compile.where import WHERE_COVERING_OK, WHERE_PROPAGATE_CONST, where_begin
from pyrite.sql import ast
from pyrite.vdbe.functions import NEEDS_COLLATION


@dataclass
class SelectInfo:
    """What the caller learns from compiling a SELECT."""

    columns: list[ResultItem] = field(default_factory=list)
    n_columns: int = 0
    correlated: bool = False


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------

def compile_select(parse: Parse, select: ast.Select, dest: SelectDest,
                   outer: NameContext | None = None, limit_one: bool = False) -> SelectInfo:
    """Code ``select`` so that its rows go to ``dest`` (sqlite3Select).

    ``outer`` is the name context of the enclosing query (correlated
    subqueries); ``limit_one`` applies SQLite's LIMIT 1 of scalar and EXISTS
    subqueries.  Returns a :class:`SelectInfo`.
    """
    if parse.nested == 0 and not parse.variables_numbered:
        parse.number_variables(select)
        parse.variables_numbered = True
    if select.with_ is not None:
        return cte.compile_with_select(
            parse, select, lambda sel: compile_select(parse, sel, dest, outer, limit_one))
    limit, offset = select.limit, select.offset
    if limit_one:
        limit = ast.Literal(1) if limit is None else \
            ast.Binary("!=", limit, ast.Literal(0))
    parse.nested += 1
    try:
        if select.compounds:
            return _compile_compound(parse, select, dest, outer, limit, offset)
        if isinstance(select.core, ast.Values):
            return _compile_values(parse, select.core, dest, select, limit, offset)
        return _compile_core(parse, select.core, select.order_by, limit, offset,
                             dest, outer)
    finally:
        parse.nested -= 1


# ---------------------------------------------------------------------------
# LIMIT / OFFSET
# ---------------------------------------------------------------------------

@dataclass
class _Limit:
    limit: int = 0     # register of the remaining LIMIT (0: none)
    offset: int = 0    # register of the remaining OFFSET (0: none)


def _compute_limit_registers(parse: Parse, limit: ast.Expr | None,
                             offset: ast.Expr | None, brk: int) -> _Limit:
    """computeLimitRegisters: the LIMIT counter and OFFSET counter."""
    out = _Limit()
    if limit is None:
        return out
    out.limit = parse.alloc_reg()
    if isinstance(limit, ast.Literal) and isinstance(limit.value, int):
        parse.emit("Integer", limit.value, out.limit)
        if limit.value == 0:
            parse.emit("Goto", 0, brk)
    else:
        code_expr(parse, _resolve_constant(parse, limit), out.limit)
        parse.emit("MustBeInt", out.limit, 0)
        parse.emit("IfNot", out.limit, brk)
    if offset is not None:
        out.offset = parse.alloc_reg(2)
        code_expr(parse, _resolve_constant(parse, offset), out.offset)
        parse.emit("MustBeInt", out.offset, 0)
        parse.emit("OffsetLimit", out.limit, out.offset + 1, out.offset)
    return out


def _resolve_constant(parse: Parse, expr: ast.Expr) -> ast.Expr:
    return resolve_expr(parse, expr, NameContext(SrcList()))


# ---------------------------------------------------------------------------
# FROM
# ---------------------------------------------------------------------------

def _from_item(parse: Parse, node: ast.FromItem) -> SrcItem:
    if isinstance(node, ast.TableFunctionRef):
        item = vtab.table_function_item(parse, node)
        assert item is not None
        return item
    if isinstance(node, ast.TableRef):
        item = cte.from_item(parse, node)
        if item is not None:
            return item
        # Inside a view of main or an attached database, unqualified names
        # are that database's (sqlite3FixSrcList).
        table = parse.find_table(node.name, node.schema or parse.view_schema)
        if table is None:
            item = vtab.table_function_item(parse, node)
            if item is not None:
                return item
            schema = node.schema or parse.view_schema
            name = f"{schema}.{node.name}" if schema else node.name
            parse.error(f"no such table: {name}")
        if getattr(table, "is_view", False):
            sel = getattr(table, "view_select", None)
            if sel is None:
                parse.error("views are not supported yet")
            saved_schema = parse.view_schema
            db_index = getattr(table, "db_index", 0)
            parse.view_schema = None if db_index == 1 else parse.db.db_name(db_index)
            try:
                with cte.view_scope(parse):
                    item = _subquery_item(parse, sel, node.alias or node.name, node.name,
                                          getattr(table, "view_columns", None))
                item.table.schema_name = parse.db.db_name(db_index)
                return item
            finally:
                parse.view_schema = saved_schema
        return SrcItem(name=table.name if hasattr(table, "name") else node.name,
                       alias=node.alias, table=table, cursor=parse.alloc_cursor(),
                       schema=node.schema, indexed_by=node.indexed_by,
                       not_indexed=node.not_indexed)
    if isinstance(node, ast.SubqueryRef):
        return _subquery_item(parse, node.select, node.alias, None, None, node.plain)
    parse.error("table-valued functions are not supported yet")
    raise AssertionError


def _subquery_item(parse: Parse, select: ast.Select, alias: str | None,
                   name: str | None, col_names: tuple[str, ...] | None,
                   plain: bool = False) -> SrcItem:
    """Materialize a FROM-clause subquery or view into an ephemeral table."""
    cursor = parse.alloc_cursor()
    once = parse.emit("Once", 0, 0)
    open_addr = parse.emit("OpenEphemeral", cursor, 0)
    explain_addr = parse.current_addr()
    saved_parent = _explain_push(parse, "MATERIALIZE")
    # The subquery sees the columns of the queries enclosing this one (not
    # its siblings in FROM); a correlated one is recomputed each time.
    info = compile_select(parse, select, SelectDest(SRT_TABLE, cursor),
                          outer=parse.current_nc)
    _explain_pop(parse, saved_parent)
    parse.builder.change_p2(open_addr, info.n_columns)
    parse.builder.change_p2(once, parse.current_addr())
    if info.correlated:
        once_to_noop(parse, once)
    cols = subquery_columns(parse, info, col_names, plain)
    label = alias or name or f"(subquery-{parse.n_select})"
    if saved_parent is not None:
        parse.builder.change_p4(explain_addr, f"MATERIALIZE {label}")
    parse.n_select += 1
    table = EphemeralTable(name=label, columns=cols,
                           nested_from=getattr(select.core, "nested_from", False))
    return SrcItem(name=label, alias=alias, table=table, cursor=cursor,
                   correlated=info.correlated)


def once_to_noop(parse: Parse, addr: int) -> None:
    """Turn the Once at ``addr`` into a Noop: the code it guarded runs every
    time (a correlated subquery)."""
    from pyrite.vdbe.opcodes import BY_NAME
    ins = parse.builder.instruction(addr)
    ins.opcode = BY_NAME["Noop"].number
    ins.p2 = 0


def subquery_columns(parse: Parse, info: SelectInfo, col_names: tuple[str, ...] | None,
                     plain: bool = False) -> list[EphemeralColumn]:
    """The columns of a subquery's result seen as a table: names (from
    ``col_names`` when given), declared types, affinities (none when
    ``plain``) and collations (sqlite3ColumnsFromExprList +
    sqlite3SubqueryColumnTypes)."""
    cols = []
    seen: dict[str, Any] = {}
    for i, item in enumerate(info.columns):
        cname = col_names[i] if col_names and i < len(col_names) else item.name
        # A duplicate name gets a ":N" suffix (replacing one it has), the
        # first N that makes it unique, as sqlite3ColumnsFromExprList; a
        # name that collides with a USING column is a copy of it.
        no_expand = item.no_expand
        cnt = 0
        while fold_name(cname) in seen:
            no_expand |= seen[fold_name(cname)].using_term
            j = len(cname) - 1
            while j > 0 and cname[j].isdigit():
                j -= 1
            if j >= 0 and cname[j] == ":":
                cname = cname[:j]
            cnt += 1
            cname = f"{cname}:{cnt}"
        seen[fold_name(cname)] = item
        coll = expr_collation(parse, item.expr)
        aff = values.AFF_NONE if plain else expr_affinity(item.expr)
        cols.append(EphemeralColumn(
            name=cname, decl_type=item.decltype,
            # no affinity stays none (sqlite3SubqueryColumnTypes with
            # SQLITE_AFF_NONE): comparisons then take the other side's
            affinity=aff,
            collation=coll.name if coll is not None else None,
            span=item.span, using_term=item.using_term, no_expand=no_expand))
    return cols


def _apply_using(parse: Parse, src: SrcList) -> None:
    """Turn USING and NATURAL into ON terms (sqlite3ProcessJoin)."""
    for i, item in enumerate(src):
        if i == 0:
            if item.using or item.jointype & JT_NATURAL:
                parse.error("a NATURAL join may not have an ON or USING clause")
            continue
        names: list[str] = []
        if item.jointype & JT_NATURAL:
            if item.on is not None or item.using:
                parse.error("a NATURAL join may not have an ON or USING clause")
            for col in item.table.columns:
                if column_hidden(col):
                    continue
                if any(_has_column(left, col.name) for left in src[:i]):
                    names.append(col.name)
        elif item.using:
            if item.on is not None:
                parse.error("cannot have both ON and USING clauses in the same join")
            names = list(item.using)
        if not names:
            continue
        terms: list[ast.Expr] = []
        hidden = set(item.hidden_using)
        for n in names:
            left = next((lt for lt in src[:i] if _has_column(lt, n)), None)
            if left is None or not _has_column(item, n):
                parse.error(f"cannot join using column {n} - column not present in both tables")
            # direct references, not names: "s NATURAL JOIN s" is no ambiguity
            terms.append(ast.Binary("=", item_column_ref(parse, left, n),
                                    item_column_ref(parse, item, n)))
            hidden.add(fold_name(n))
        on = item.on
        for t in terms:
            on = t if on is None else ast.Binary("AND", on, t)
        item.on = on
        item.hidden_using = frozenset(hidden)
        item.using_names = tuple(names)


def _has_column(item: SrcItem, name: str) -> bool:
    return any(fold_name(c.name) == fold_name(name) for c in item.table.columns)


# ---------------------------------------------------------------------------
# Aggregates
# ---------------------------------------------------------------------------

@dataclass
class _AggInfo:
    """SQLite's AggInfo: the aggregate calls and the columns they need."""

    funcs: list[FuncRef] = field(default_factory=list)
    func_regs: list[int] = field(default_factory=list)
    distinct_cursors: list[int] = field(default_factory=list)
    # (cursor, column) -> register holding the column's value for output
    col_regs: dict[tuple[int, int], int] = field(default_factory=dict)
    col_refs: dict[tuple[int, int], ColumnRef] = field(default_factory=dict)
    # FuncRef identity -> register
    func_map: dict[int, int] = field(default_factory=dict)
    # per min()/max() call (index into funcs): register mirroring its best
    # value so far; ``hit_reg`` is SQLite's CollSeq P1 register, 1 when the
    # last min()/max() step kept its old extreme (bare columns not loaded)
    minmax_best: dict[int, int] = field(default_factory=dict)
    hit_reg: int = 0


def _collect_columns(expr: Any, out: dict[tuple[int, int], ColumnRef],
                     inside_agg_too: bool) -> None:
    """Depth-0 column references of ``expr``; aggregate arguments are entered
    only when ``inside_agg_too``."""
    if expr is None:
        return
    if isinstance(expr, (tuple, list)):
        for e in expr:
            _collect_columns(e, out, inside_agg_too)
        return
    if isinstance(expr, ColumnRef):
        if expr.depth == 0:
            out.setdefault((expr.cursor, expr.column), expr)
        return
    if isinstance(expr, FuncRef) and expr.is_agg and not inside_agg_too:
        return
    if not isinstance(expr, ast.Node) or isinstance(expr, (ast.Subquery, ast.Exists)):
        return
    for f in dataclasses.fields(expr):
        v = getattr(expr, f.name)
        if isinstance(v, (ast.Node, tuple, list)):
            _collect_columns(v, out, inside_agg_too)


def _agg_rewrite(expr: Any, agg: _AggInfo) -> Any:
    """Replace aggregate calls and bare columns by the registers holding them
    (TK_AGG_FUNCTION / TK_AGG_COLUMN)."""
    if expr is None:
        return None
    if isinstance(expr, FuncRef) and expr.is_agg:
        reg = agg.func_map[id(expr)]
        return AggColumn(reg, expr, None, None)
    if isinstance(expr, ColumnRef):
        if expr.depth == 0:
            reg = agg.col_regs.get((expr.cursor, expr.column))
            if reg is not None:
                return AggColumn(reg, expr, expr.affinity, expr.collation)
        return expr
    if not isinstance(expr, ast.Expr) or isinstance(expr, (ast.Subquery, ast.Exists,
                                                           AggColumn)):
        return expr
    changes = {}
    for f in dataclasses.fields(expr):
        v = getattr(expr, f.name)
        if isinstance(v, ast.Expr):
            nv = _agg_rewrite(v, agg)
            if nv is not v:
                changes[f.name] = nv
        elif isinstance(v, tuple) and any(isinstance(x, (ast.Expr, tuple)) for x in v):
            nv = tuple(_agg_rewrite_item(x, agg) for x in v)
            changes[f.name] = nv
    return dataclasses.replace(expr, **changes) if changes else expr


def _agg_rewrite_item(x: Any, agg: _AggInfo) -> Any:
    if isinstance(x, ast.Expr):
        return _agg_rewrite(x, agg)
    if isinstance(x, tuple):
        return tuple(_agg_rewrite_item(y, agg) for y in x)
    return x


def _subquery_outer_columns(parse: Parse, exprs: Any,
                            src: SrcList) -> dict[tuple[int, int], ColumnRef]:
    """The columns of ``src`` that column names inside the subqueries of
    ``exprs`` may refer to (subqueries are resolved only when coded; a name
    that also matches a column of the subquery's own tables is counted too,
    which only loads a value that is not used)."""
    names: list[ast.Column] = []

    def in_subquery(e: Any) -> None:
        if isinstance(e, ast.Column):
            names.append(e)

    def visit(e: Any) -> None:
        if isinstance(e, (ast.Subquery, ast.Exists)) or (
                isinstance(e, ast.In) and e.select is not None):
            _walk_ast(e, in_subquery)
    from pyrite.compile.resolve import walk
    walk(exprs, visit)
    out: dict[tuple[int, int], ColumnRef] = {}
    if not names or not len(src):
        return out
    from pyrite import errors
    for col in names:
        try:
            ref = resolve_expr(parse, ast.Column(col.name, col.table), NameContext(src))
        except errors.Error:
            continue
        if isinstance(ref, ColumnRef) and ref.depth == 0:
            out.setdefault((ref.cursor, ref.column), ref)
    return out


def _lent_registers(parse: Parse, agg: Any, outer_aggs: list[tuple[int, FuncRef]] | None
                    ) -> dict[int, int] | None:
    """The registers that hold the values of aggregates this query computes
    for its subqueries, by the id of the call as the subquery writes it."""
    if not outer_aggs:
        return parse.lent_aggregates
    out = dict(parse.lent_aggregates or {})
    for key, ref in outer_aggs:
        out[key] = agg.func_map[id(ref)]
    return out


def _outer_aggregates(parse: Parse, core: ast.SelectCore, order_by: Any, src: SrcList,
                      outer: NameContext | None) -> list[tuple[int, FuncRef]]:
    """Aggregate calls written in the subqueries of this query's result,
    HAVING or ORDER BY whose arguments name columns of this query only:
    in SQLite such an aggregate belongs to this query (resolveExprStep walks
    out to the query whose FROM the arguments reference), which makes it an
    aggregate query; the subquery reads the value.  Returns (id of the call
    node, the call resolved here) pairs."""
    if not len(src):
        return []
    from pyrite import errors
    found: list[tuple[int, FuncRef]] = []
    exprs = [rc.expr for rc in core.columns if rc.expr is not None]
    exprs += [core.having] + [t.expr for t in order_by]

    def in_select(sel: ast.Select) -> None:
        cores = [sel.core] + [c for _op, c in sel.compounds]
        for inner in cores:
            if not isinstance(inner, ast.SelectCore):
                continue
            try:
                inner_src = flatten_from(parse, inner.from_, resolver=_from_item_no_code)
            except errors.Error:
                continue
            places = [rc.expr for rc in inner.columns if rc.expr is not None]
            places += [inner.having] + ([t.expr for t in sel.order_by] if inner is sel.core
                                        else [])
            for call in _calls_outside_subqueries(places):
                ref = _lent_aggregate(parse, call, inner_src, src, outer)
                if ref is not None:
                    found.append((id(call), ref))

    def visit(e: Any) -> None:
        if isinstance(e, (ast.Subquery, ast.Exists)) or (
                isinstance(e, ast.In) and e.select is not None):
            in_select(e.select)
    from pyrite.compile.resolve import walk
    walk(exprs, visit)
    return found


def _calls_outside_subqueries(exprs: list[Any]) -> list[ast.FunctionCall]:
    """The function calls in ``exprs``, not looking into subqueries."""
    out: list[ast.FunctionCall] = []
    stack = list(exprs)
    while stack:
        e = stack.pop()
        if isinstance(e, (tuple, list)):
            stack.extend(e)
            continue
        if not isinstance(e, ast.Node) or isinstance(e, (ast.Subquery, ast.Exists, ast.Select)):
            continue
        if isinstance(e, ast.In) and e.select is not None:
            stack.append(e.expr)
            continue
        if isinstance(e, ast.FunctionCall):
            out.append(e)
        for f in dataclasses.fields(e):
            v = getattr(e, f.name)
            if isinstance(v, (ast.Node, tuple, list)):
                stack.append(v)
    return out


def _lent_aggregate(parse: Parse, call: ast.FunctionCall, inner_src: SrcList, src: SrcList,
                    outer: NameContext | None) -> FuncRef | None:
    """``call`` resolved in this query when it is an aggregate (not a window
    call) whose argument names all resolve here and none in the subquery's
    own FROM; else None."""
    from pyrite import errors
    if call.over is not None:
        return None
    fd = parse.find_function(call.name, len(call.args))
    if fd is None or not fd.is_aggregate:
        return None
    names: list[ast.Column] = []
    for e in (call.args, call.filter):
        _walk_ast(e, lambda n: names.append(n) if isinstance(n, ast.Column) else None)
    if not names:
        return None
    for col in names:
        if any(_names_item_column(item, col) for item in inner_src):
            return None
        if not any(_names_item_column(item, col) for item in src):
            return None
    try:
        ref = resolve_expr(parse, call, NameContext(src, outer=outer, flags=NC_ALLOW_AGG))
    except errors.Error:
        return None
    return ref if isinstance(ref, FuncRef) and ref.is_agg else None


def _names_item_column(item: SrcItem, col: ast.Column) -> bool:
    """Whether the name ``col`` could mean a column of FROM item ``item``."""
    if col.table is not None and not item.matches(col.table):
        return False
    low = fold_name(col.name)
    return any(fold_name(c.name) == low for c in item.table.columns) or (
        col.table is not None and low in ("rowid", "oid", "_rowid_"))


def _walk_ast(node: Any, fn: Any) -> None:
    """Call ``fn`` on every AST node under ``node`` (subqueries included)."""
    if isinstance(node, (tuple, list)):
        for x in node:
            _walk_ast(x, fn)
        return
    if not isinstance(node, ast.Node):
        return
    fn(node)
    for f in dataclasses.fields(node):
        v = getattr(node, f.name)
        if isinstance(v, (ast.Node, tuple, list)):
            _walk_ast(v, fn)


def _agg_funcs_of(exprs: Any) -> list[FuncRef]:
    found: list[FuncRef] = []
    seen: set[int] = set()

    def visit(e: Any) -> None:
        if e is None:
            return
        if isinstance(e, (tuple, list)):
            for x in e:
                visit(x)
            return
        if isinstance(e, FuncRef) and e.is_agg:
            if id(e) not in seen:
                seen.add(id(e))
                found.append(e)
            return
        if not isinstance(e, ast.Node) or isinstance(e, (ast.Subquery, ast.Exists,
                                                         ColumnRef, AggColumn)):
            return
        for f in dataclasses.fields(e):
            v = getattr(e, f.name)
            if isinstance(v, (ast.Node, tuple, list)):
                visit(v)
    visit(exprs)
    return found


def _discovery_order(exprs: Any) -> list[Any]:
    """Aggregate calls and bare columns (outside aggregate arguments) in the
    order a left-to-right walk meets them."""
    out: list[Any] = []

    def visit(e: Any) -> None:
        if e is None:
            return
        if isinstance(e, (tuple, list)):
            for x in e:
                visit(x)
            return
        if isinstance(e, ColumnRef):
            if e.depth == 0:
                out.append(e)
            return
        if isinstance(e, FuncRef) and e.is_agg:
            out.append(e)
            return
        if not isinstance(e, ast.Node) or isinstance(e, (ast.Subquery, ast.Exists,
                                                         AggColumn)):
            return
        for f in dataclasses.fields(e):
            v = getattr(e, f.name)
            if isinstance(v, (ast.Node, tuple, list)):
                visit(v)
    visit(exprs)
    return out


def _reset_accumulator(parse: Parse, agg: _AggInfo) -> None:
    """resetAccumulator: NULL the accumulators, reopen DISTINCT sets."""
    regs = agg.func_regs + sorted(agg.col_regs.values())
    if regs:
        first, last = min(regs), max(regs)
        parse.emit("Null", 0, first, last)
    for reg in agg.minmax_best.values():
        parse.emit("Null", 0, reg)
    for f, cur in zip(agg.funcs, agg.distinct_cursors):
        if cur >= 0:
            parse.emit("OpenEphemeral", cur, 0, 0,
                       values.KeyInfo([expr_collation(parse, f.args[0])]))


def _update_accumulator(parse: Parse, agg: _AggInfo, reg_acc: int = 0) -> None:
    """updateAccumulator: AggStep each aggregate, then load the bare columns.

    With min()/max() calls the bare columns are loaded unless the last
    min()/max() step run for this row kept its old extreme (SQLite: the CollSeq
    P1 register, set by minmaxStep).  Here that comparison is coded explicitly
    against a register mirroring each call's best value, which gives the same
    rows without a signal from the aggregate object.  Without min()/max() they
    are loaded from the first row only (``reg_acc``)."""
    hit = agg.hit_reg
    for fi, (f, reg, dcur) in enumerate(zip(agg.funcs, agg.func_regs, agg.distinct_cursors)):
        n = len(f.args)
        skip = parse.label()
        if f.filter is not None:
            code_if_false(parse, f.filter, skip, True)
        first = parse.alloc_reg(n) if n else 0
        for i, a in enumerate(f.args):
            code_expr(parse, a, first + i)
        if dcur >= 0:
            r = parse.get_temp_reg()
            parse.emit("Found", dcur, skip, first, n)
            parse.emit("MakeRecord", first, n, r)
            parse.emit("IdxInsert", dcur, r, first, n)
            parse.release_temp_reg(r)
        coll = None
        if f.funcdef.flags & NEEDS_COLLATION:
            for a in f.args:
                coll = expr_collation(parse, a)
                if coll is not None:
                    break
            parse.emit("CollSeq", 0, 0, 0, coll if coll is not None else values.BINARY)
        parse.emit("AggStep", 0, first, reg, f.funcdef, n)
        best = agg.minmax_best.get(fi)
        if best:
            take = parse.label()
            kept = parse.label()
            # Until a non-NULL value is seen every row loads (SQLite's
            # minmaxStep skips the load only once it holds a best value).
            parse.emit("Integer", 0, hit)
            parse.emit("IsNull", best, take)
            parse.emit("IsNull", first, kept)
            # max: keep the old row unless x > best; min: unless x < best
            op = "Le" if fold_name(f.name) == "max" else "Ge"
            parse.emit(op, best, kept, first,
                       coll if coll is not None else values.BINARY, ord(values.AFF_NONE))
            parse.resolve(take)
            parse.emit("SCopy", first, best)
            parse.emit("Goto", 0, skip)
            parse.resolve(kept)
            parse.emit("Integer", 1, hit)
        parse.resolve(skip)
    if agg.col_regs:
        addr = None
        if hit:
            addr = parse.emit("If", hit, 0)
        elif reg_acc:
            addr = parse.emit("If", reg_acc, 0)
        for key, reg in agg.col_regs.items():
            code_expr(parse, agg.col_refs[key], reg)
        if addr is not None:
            parse.builder.change_p2(addr, parse.current_addr())
    if reg_acc:
        parse.emit("Integer", 1, reg_acc)


def _finalize_aggregates(parse: Parse, agg: _AggInfo) -> None:
    for f, reg in zip(agg.funcs, agg.func_regs):
        parse.emit("AggFinal", reg, len(f.args), 0, f.funcdef)


# ---------------------------------------------------------------------------
# One SELECT core
# ---------------------------------------------------------------------------

@dataclass
class _Sorter:
    cursor: int
    n_keys: int
    keys: list[ast.Expr]
    n_cols: int
    pseudo: int = 0
    reg_data: int = 0


def _compile_core(parse: Parse, core: ast.SelectCore, order_by: tuple[ast.OrderingTerm, ...],
                  limit: ast.Expr | None, offset: ast.Expr | None,
                  dest: SelectDest, outer: NameContext | None) -> SelectInfo:
    parse.coroutine_node = cte.coroutine_slot(core.from_)
    src = flatten_from(parse, core.from_, resolver=_from_item)
    _apply_using(parse, src)
    vtab.add_function_args(src)
    window_defs = window.window_definitions(parse, core.windows)
    nc = NameContext(src, outer=outer, flags=NC_ALLOW_AGG, window_defs=window_defs)
    nc.correlated = any(item.correlated for item in src)
    result = expand_result_columns(parse, core.columns, nc, core.nested_from)
    outer_aggs = _outer_aggregates(parse, core, order_by, src, outer)
    has_agg_in_result = bool(nc.flags & NC_HAS_AGG) or bool(outer_aggs)
    if dest.dest == SRT_SET and dest.in_lhs is not None and result:
        set_in_affinity(parse, dest, result[0].expr)
    aliases = [(r.alias, r.expr) for r in result]

    # ON clauses
    for item in src:
        if item.on is not None:
            on_nc = NameContext(src, outer=outer)
            item.on = resolve_expr(parse, item.on, on_nc)
            _check_no_agg(parse, item.on)
            if on_nc.correlated:
                nc.correlated = True
    where_nc = NameContext(src, outer=outer, result=aliases)
    where = resolve_expr(parse, core.where, where_nc)
    _simplify_left_joins(src, where)
    if where_nc.flags & NC_HAS_AGG:
        parse.error("misuse of aggregate function " + _first_agg_name(where) + "()")
    # GROUP BY and ORDER BY never see the outer queries' columns (SQLite
    # resolves them with no outer name context): such a reference is "no
    # such column".
    group_nc = NameContext(src, outer=None, flags=NC_ALLOW_AGG, result=aliases,
                           isolated=True)
    group_by = resolve_order_by(parse, core.group_by, result, group_nc, "GROUP") \
        if core.group_by else []
    for g in group_by:
        if _agg_funcs_of(g):
            parse.error("aggregate functions are not allowed in the GROUP BY clause")
    having = None
    if core.having is not None:
        hnc = NameContext(src, outer=outer, flags=NC_ALLOW_AGG, result=aliases)
        having = resolve_expr(parse, core.having, hnc)
        if hnc.correlated:
            nc.correlated = True
    is_agg = has_agg_in_result or bool(group_by) or bool(_agg_funcs_of(having))
    if having is not None and not is_agg:
        parse.error("HAVING clause on a non-aggregate query")
    onc = NameContext(src, outer=None, flags=NC_ALLOW_AGG, result=None,
                      window_defs=window_defs, isolated=True)
    ob_exprs = resolve_order_by(parse, tuple(order_by), result, onc, "ORDER") \
        if order_by else []
    ob_desc = [t.desc for t in order_by]
    ob_nulls = [t.nulls for t in order_by]
    distinct = core.distinct
    if dest.dest <= SRT_DISTQUEUE:
        # Destinations that keep no order and no duplicates of their own
        # (EXISTS, UNION/EXCEPT members, ...): ORDER BY and DISTINCT are
        # resolved, then dropped, as SQLite's IgnorableOrderby does.
        ob_exprs, ob_desc, ob_nulls, distinct = [], [], [], False
    if core.from_ is None and not is_agg and not window.window_calls(ob_exprs):
        # No FROM clause: one row at most, the ORDER BY is satisfied as it
        # stands and never coded (so an aggregate in it is no misuse); SQLite
        # still builds its sort key, so a COLLATE must name a collation.
        _check_collation_names(parse, ob_exprs)
        ob_exprs, ob_desc, ob_nulls = [], [], []
    if not is_agg and _agg_funcs_of(ob_exprs):
        parse.error(f"misuse of aggregate: {_first_agg_name(ob_exprs)}()")
    if is_agg and not group_by and not window.window_calls(ob_exprs):
        # One output row: the ORDER BY is resolved (its errors stand) but
        # never coded, as SQLite drops it (not when it holds a window
        # function: the window rewrite codes it); its COLLATEs are checked.
        _check_collation_names(parse, ob_exprs)
        ob_exprs, ob_desc, ob_nulls = [], [], []
    for n in (where_nc, group_nc, onc):
        if n.correlated:
            nc.correlated = True

    info = SelectInfo(columns=result, n_columns=len(result), correlated=nc.correlated)
    if dest.dest == SRT_OUTPUT and parse.nested == 1:
        parse.set_result_columns([r.name for r in result], [r.decltype for r in result])
    if dest.dest == SRT_MEM and len(result) != (dest.n_sdst or 1):
        parse.error(f"sub-select returns {len(result)} columns - expected {dest.n_sdst or 1}")

    saved_nc = parse.current_nc
    parse.current_nc = nc
    try:
        end = parse.label()
        lim = _compute_limit_registers(parse, limit, offset, end)
        distinct_cur = -1
        if distinct:
            distinct_cur = parse.alloc_cursor()
            # P5 = BTREE_UNORDERED: only Found and IdxInsert use it (as SQLite)
            parse.emit("OpenEphemeral", distinct_cur, 0, 0,
                       values.KeyInfo([_key_coll(parse, r.expr) for r in result]), 8)
        if window.window_calls([r.expr for r in result] + ob_exprs):
            window.code_window_select(parse, src, where, result, group_by, having, is_agg,
                                      ob_exprs, ob_desc, ob_nulls, dest, lim,
                                      distinct_cur, end)
        elif not is_agg:
            _code_simple(parse, src, where, result, ob_exprs, ob_desc, ob_nulls,
                         dest, lim, distinct_cur, end)
        else:
            _code_aggregate(parse, src, where, result, group_by, having, ob_exprs,
                            ob_desc, ob_nulls, dest, lim, distinct_cur, end, outer_aggs)
        parse.resolve(end)
    finally:
        parse.current_nc = saved_nc
    # subqueries coded above may have found references to enclosing queries
    info.correlated = info.correlated or nc.correlated
    return info


def _key_coll(parse: Parse, expr: Any) -> values.Collation:
    """Collation of a sorter/ephemeral key field (BINARY spelled out, as SQLite)."""
    coll = expr_collation(parse, expr)
    return coll if coll is not None else values.BINARY


def _check_collation_names(parse: Parse, exprs: list[ast.Expr]) -> None:
    """"no such collation sequence" for a COLLATE in ``exprs`` naming none
    (an ORDER BY that is dropped but whose sort key SQLite builds)."""
    from pyrite.compile.resolve import walk
    walk(exprs, lambda e: parse.find_collation(e.collation)
         if isinstance(e, ast.Collate) else None)


def _first_agg_name(expr: Any) -> str:
    fs = _agg_funcs_of(expr)
    return fs[0].name if fs else "?"


def _check_no_agg(parse: Parse, expr: Any) -> None:
    fs = _agg_funcs_of(expr)
    if fs:
        parse.error(f"misuse of aggregate function {fs[0].name}()")


def _open_sorter(parse: Parse, keys: list[ast.Expr], desc: list[bool],
                 nulls: list[str | None], n_cols: int) -> _Sorter:
    cursor = parse.alloc_cursor()
    colls = [_key_coll(parse, k) for k in keys]
    bignull = [(n == "LAST" and not d) or (n == "FIRST" and d)
               for n, d in zip(nulls, desc)]
    key_info = values.KeyInfo(colls + [None] * n_cols, list(desc) + [False] * n_cols,
                              len(keys), bignull + [False] * n_cols)
    parse.emit("SorterOpen", cursor, len(keys) + n_cols, 0, key_info)
    return _Sorter(cursor, len(keys), keys, n_cols)


def _code_simple(parse: Parse, src: SrcList, where: Any, result: list[ResultItem],
                 ob_exprs: list[ast.Expr], ob_desc: list[bool], ob_nulls: list[str | None],
                 dest: SelectDest, lim: _Limit, distinct_cur: int, end: int) -> None:
    flags = WHERE_COVERING_OK
    if _has_subquery([r.expr for r in result] + [where] + ob_exprs):
        flags = 0
    flags |= WHERE_PROPAGATE_CONST
    holder: list[_Sorter] = []

    def before_loops(order_satisfied: bool) -> None:
        # SQLite opens the sorter before sqlite3WhereBegin and turns it into
        # a no-op when the loop delivers the order; here the planner answers
        # first, so the sorter is opened only when needed.
        # (A SELECT without FROM makes one row: any order is satisfied.)
        if ob_exprs and len(src) and (
                not order_satisfied or any(n is not None for n in ob_nulls)):
            holder.append(_open_sorter(parse, ob_exprs, ob_desc, ob_nulls, len(result)))

    info = where_begin(parse, src, where, ob_exprs or None, flags,
                       order_desc=ob_desc, before_loops=before_loops)
    sorter = holder[0] if holder else None
    if distinct_cur >= 0:
        _explain(parse, "USE TEMP B-TREE FOR DISTINCT")
    _inner_loop(parse, result, dest, lim, distinct_cur, sorter, info.continue_label,
                info.break_label)
    info.end()
    if sorter is not None:
        _sort_tail(parse, sorter, result, dest, lim, end)


def _explain(parse: Parse, text: str) -> None:
    """An EXPLAIN QUERY PLAN line (ExplainQueryPlan), only under EXPLAIN QUERY PLAN."""
    if parse.is_explain == 2:
        parse.emit("Explain", parse.current_addr(), getattr(parse, "explain_parent", 0),
                   0, text)


def _explain_push(parse: Parse, text: str) -> int | None:
    """An EXPLAIN QUERY PLAN line whose children follow; returns the parent
    to restore with :func:`_explain_pop` (None when not explaining)."""
    if parse.is_explain != 2:
        return None
    saved = getattr(parse, "explain_parent", 0)
    addr = parse.current_addr()
    parse.emit("Explain", addr, saved, 0, text)
    parse.explain_parent = addr
    return saved


def _explain_pop(parse: Parse, saved: int | None) -> None:
    if saved is not None:
        parse.explain_parent = saved


def _agg_where_flags(*exprs: Any) -> int:
    """Covering-index reads are safe when every column reference is known
    before the loops are coded (no subquery resolves columns later)."""
    return 0 if _has_subquery(list(exprs)) else WHERE_COVERING_OK


def _has_subquery(exprs: Any) -> bool:
    found = False

    def visit(e: Any) -> None:
        nonlocal found
        if isinstance(e, (ast.Subquery, ast.Exists)) or (isinstance(e, ast.In) and
                                                         e.select is not None):
            found = True
    from pyrite.compile.resolve import walk
    walk(exprs, visit)
    return found


def _inner_loop(parse: Parse, result: list[ResultItem], dest: SelectDest, lim: _Limit,
                distinct_cur: int, sorter: _Sorter | None, cont: int, brk: int,
                exprs: list[ast.Expr] | None = None) -> None:
    """selectInnerLoop: compute the result row and dispose of it."""
    if exprs is None:
        exprs = [r.expr for r in result]
    n = len(exprs)
    if sorter is None and lim.offset and distinct_cur < 0:
        parse.emit("IfPos", lim.offset, cont, 1)
    record = 0      # the sorter record's first register, when the result is part of it
    if dest.dest == SRT_MEM and sorter is None:
        reg_result = dest.parm
    elif dest.dest == SRT_COROUTINE and dest.sdst:
        reg_result = dest.sdst
    elif sorter is not None:
        # The result columns go straight to their places in the sorter's
        # record, after its keys (as SQLite codes them: no copies).
        record = parse.alloc_reg(sorter.n_keys + n)
        reg_result = record + sorter.n_keys
    else:
        reg_result = parse.alloc_reg(n)
    i = 0
    while i < n:
        e = exprs[i]
        if isinstance(e, AggColumn):
            # consecutive aggregate registers move with one Copy, as SQLite
            j = i + 1
            while j < n and isinstance(exprs[j], AggColumn) and \
                    exprs[j].reg == e.reg + (j - i):
                j += 1
            parse.emit("Copy", e.reg, reg_result + i, j - i - 1)
            i = j
            continue
        code_expr(parse, e, reg_result + i)
        i += 1
    if distinct_cur >= 0:
        r = parse.get_temp_reg()
        parse.emit("Found", distinct_cur, cont, reg_result, n)
        parse.emit("MakeRecord", reg_result, n, r)
        parse.emit("IdxInsert", distinct_cur, r, reg_result, n)
        parse.release_temp_reg(r)
        if sorter is None and lim.offset:
            # OFFSET counts distinct rows (codeOffset after codeDistinct)
            parse.emit("IfPos", lim.offset, cont, 1)
    if sorter is not None:
        _push_onto_sorter(parse, sorter, reg_result, n, exprs, record)
        return
    _dispose(parse, dest, reg_result, n)
    if lim.limit:
        parse.emit("DecrJumpZero", lim.limit, brk)


def _push_onto_sorter(parse: Parse, sorter: _Sorter, reg_result: int, n: int,
                      exprs: list[ast.Expr], record: int = 0) -> None:
    """Add the row (the keys, then the result in reg_result) to the sorter;
    ``record`` is the record's first register when the result was computed
    in place after the keys' registers (see _inner_loop), else the result
    is copied there."""
    base = record or parse.alloc_reg(sorter.n_keys + n)
    for i, k in enumerate(sorter.keys):
        # an ORDER BY term that is a result column reuses its value
        same = next((j for j, e in enumerate(exprs) if e is k), None)
        if same is not None:
            parse.emit("SCopy", reg_result + same, base + i)
        else:
            code_expr(parse, k, base + i)
    if not record:
        for i in range(n):
            parse.emit("SCopy", reg_result + i, base + sorter.n_keys + i)
    rec = parse.get_temp_reg()
    parse.emit("MakeRecord", base, sorter.n_keys + n, rec)
    parse.emit("SorterInsert", sorter.cursor, rec)
    parse.release_temp_reg(rec)


def _sort_tail(parse: Parse, sorter: _Sorter, result: list[ResultItem], dest: SelectDest,
               lim: _Limit, end: int) -> None:
    """generateSortTail: read the sorted rows back and dispose of them."""
    n = len(result)
    _explain(parse, "USE TEMP B-TREE FOR ORDER BY")
    pseudo = parse.alloc_cursor()
    reg_row = parse.alloc_reg()
    parse.emit("OpenPseudo", pseudo, reg_row, sorter.n_keys + n)
    done = parse.label()
    parse.emit("SorterSort", sorter.cursor, done)
    top = parse.current_addr()
    cont = parse.label()
    parse.emit("SorterData", sorter.cursor, reg_row, pseudo)
    if lim.offset:
        parse.emit("IfPos", lim.offset, cont, 1)
    if dest.dest == SRT_MEM:
        reg_result = dest.parm
    elif dest.dest == SRT_COROUTINE and dest.sdst:
        reg_result = dest.sdst
    else:
        reg_result = parse.alloc_reg(n)
    for i in range(n):
        parse.emit("Column", pseudo, sorter.n_keys + i, reg_result + i)
    _dispose(parse, dest, reg_result, n)
    if lim.limit:
        parse.emit("DecrJumpZero", lim.limit, done)
    parse.resolve(cont)
    parse.emit("SorterNext", sorter.cursor, top)
    parse.resolve(done)


def _dispose(parse: Parse, dest: SelectDest, reg: int, n: int) -> None:
    """The disposal part of selectInnerLoop for one row in ``reg``..``reg+n-1``."""
    kind = dest.dest
    if kind == SRT_OUTPUT:
        parse.emit("ResultRow", reg, n)
    elif kind == SRT_MEM:
        if reg != dest.parm:
            parse.emit("Copy", reg, dest.parm, n - 1)
    elif kind == SRT_EXISTS:
        parse.emit("Integer", 1, dest.parm)
    elif kind == SRT_SET:
        r = parse.get_temp_reg()
        parse.emit("MakeRecord", reg, n, r, dest.aff)
        parse.emit("IdxInsert", dest.parm, r, reg, n)
        parse.release_temp_reg(r)
    elif kind in (SRT_TABLE, SRT_EPHEM_TAB, SRT_FIFO):
        r = parse.get_temp_reg()
        r2 = parse.get_temp_reg()
        parse.emit("MakeRecord", reg, n, r)
        parse.emit("NewRowid", dest.parm, r2)
        parse.emit("Insert", dest.parm, r, r2, None, 0x08)
        parse.release_temp_reg(r)
        parse.release_temp_reg(r2)
    elif kind == SRT_UNION:
        r = parse.get_temp_reg()
        parse.emit("MakeRecord", reg, n, r)
        parse.emit("IdxInsert", dest.parm, r, reg, n)
        parse.release_temp_reg(r)
    elif kind == SRT_EXCEPT:
        parse.emit("IdxDelete", dest.parm, reg, n)
    elif kind == SRT_COROUTINE:
        if dest.sdst and reg != dest.sdst:
            parse.emit("Copy", reg, dest.sdst, n - 1)
        parse.emit("Yield", dest.parm, 0)
    elif kind == SRT_DISCARD:
        pass
    elif kind in (SRT_DISTFIFO, SRT_QUEUE, SRT_DISTQUEUE):
        cte.dispose_queue(parse, dest, reg, n)
    elif kind == SRT_UPD:
        # UPDATE ... FROM: r[reg] is the target rowid (NULL: the empty row of
        # an aggregate that matched nothing), the rest the new values.
        # With parm2 (a WITHOUT ROWID target) the first parm2 columns are
        # its primary key and the whole row goes into an index keyed by them.
        skip = parse.label()
        parse.emit("IsNull", reg, skip)
        r = parse.get_temp_reg()
        if dest.parm2:
            parse.emit("MakeRecord", reg, n, r)
            parse.emit("IdxInsert", dest.parm, r, reg, dest.parm2)
        else:
            parse.emit("MakeRecord", reg + 1, n - 1, r)
            parse.emit("Insert", dest.parm, r, reg, None, 0)
        parse.release_temp_reg(r)
        parse.resolve(skip)
    else:
        parse.error(f"select destination {kind} is not supported yet")


def _simplify_left_joins(src: SrcList, where: Any) -> None:
    """A LEFT JOIN whose right table the WHERE clause (or an inner join's
    ON) cannot see NULL-extended is an inner join (SQLite's SimplifyJoin):
    the planner may then reorder it and use its ON terms freely."""
    terms = [where] + [item.on for item in src
                       if item.on is not None and not item.jointype & (JT_LEFT | JT_RIGHT)]
    for i, item in enumerate(src):
        if item.jointype & (JT_LEFT | JT_RIGHT) != JT_LEFT:
            continue
        if any(implies_non_null_row(t, item.cursor) for t in terms if t is not None):
            item.jointype &= ~JT_LEFT
            item.is_left_join_rhs = False
            item.null_extended = any(later.jointype & JT_RIGHT for later in src[i + 1:])


def implies_non_null_row(expr: Any, cursor: int) -> bool:
    """sqlite3ExprImpliesNonNullRow: ``expr`` true means some column of
    ``cursor`` is not NULL (so the row is no NULL row of an outer join)."""
    while isinstance(expr, ast.Collate):
        expr = expr.expr
    if isinstance(expr, ast.IsNull) and expr.negated:
        expr = expr.expr
    else:
        while isinstance(expr, ast.Binary) and expr.op.upper() == "AND":
            if implies_non_null_row(expr.left, cursor):
                return True
            expr = expr.right
    return _walk_non_null(expr, cursor) is True


def _walk_non_null(e: Any, cursor: int) -> bool | None:
    """impliesNotNullRow's walk: True when a column of ``cursor`` is found
    where a NULL would make the whole term NULL or false, None to stop
    looking down this branch, False when nothing was found."""
    if isinstance(e, ColumnRef):
        return True if e.cursor == cursor and e.depth == 0 else None
    if isinstance(e, (ast.IsNull, ast.Case, ast.In, ast.FunctionCall, ast.Like,
                      ast.Subquery, ast.Exists, FuncRef)) or \
            type(e).__name__ in ("RowValue", "Vector"):
        return None
    if isinstance(e, ast.Binary):
        op = e.op.upper()
        if op in ("IS", "IS NOT", "OR"):
            return None
        if op == "AND":
            if _walk_non_null(e.left, cursor) is True:
                return _walk_non_null(e.right, cursor)
            return None
        if op in ("=", "==", "!=", "<>", "<", "<=", ">", ">="):
            for side in (e.left, e.right):
                if isinstance(side, ColumnRef) and side.item is not None and \
                        getattr(side.item.table, "is_virtual", False):
                    return None
        return bool(_walk_non_null(e.left, cursor)) or bool(_walk_non_null(e.right, cursor))
    if isinstance(e, ast.Between):
        return _walk_non_null(e.expr, cursor)
    if dataclasses.is_dataclass(e):
        for f in dataclasses.fields(e):
            v = getattr(e, f.name)
            if isinstance(v, (ast.Expr, ColumnRef)) and _walk_non_null(v, cursor) is True:
                return True
            if isinstance(v, tuple):
                for x in v:
                    if isinstance(x, (ast.Expr, ColumnRef)) and _walk_non_null(x, cursor):
                        return True
    return False


def _code_simple_count(parse: Parse, src: SrcList, where: Any, result: list[ResultItem],
                       agg: Any, having: Any) -> bool:
    """``SELECT count(*) FROM table`` and nothing more (isSimpleCount):
    count the entries of the table's B-tree, or of its narrowest full index
    (never a partial one; INDEXED BY does not matter, NOT INDEXED does),
    with Count instead of a loop.  Returns False when the query is not one."""
    if where is not None or having is not None or len(result) != 1 or len(src) != 1 \
            or len(agg.funcs) != 1 or agg.col_regs:
        return False
    item = src[0]
    table = item.table
    f = agg.funcs[0]
    if result[0].expr is not f or f.args or f.filter is not None or f.distinct \
            or getattr(f, "window", None) is not None or fold_name(f.name) != "count":
        return False
    if item.select is not None or getattr(table, "is_ephemeral", False) \
            or getattr(table, "is_view", False) or getattr(table, "read_only", False) \
            or getattr(table, "is_virtual", False) or not getattr(table, "root", 0):
        return False
    from pyrite.compile.insert import sqlite_index_order
    from pyrite.compile.where import _index_row_size, _table_row_size
    best = None
    own_pk = table.primary_key_index() if getattr(table, "without_rowid", False) else None
    if own_pk is not None:
        # A WITHOUT ROWID table counts its own b-tree unless an index with
        # fewer fields is narrower than its row.
        sz_tab = _table_row_size(table)
        if not item.not_indexed:
            for k in sqlite_index_order(table.indexes):
                ix = table.indexes[k]
                if ix is own_pk or ix.where is not None:
                    continue
                if _index_row_size(table, ix) < sz_tab and \
                        len(ix.columns) < len((best or own_pk).columns):
                    best = ix
    elif not item.not_indexed:
        best_size = _table_row_size(table)
        for k in sqlite_index_order(table.indexes):
            ix = table.indexes[k]
            if ix.where is not None:
                continue
            size = _index_row_size(table, ix)
            if size < best_size:
                best, best_size = ix, size
    parse.code_verify_schema(0, write=False)
    cursor = parse.alloc_cursor()
    if best is None:
        from pyrite.compile.rowkey import table_p4
        parse.emit("OpenRead", cursor, table.root, 0, table_p4(table, 1))
    else:
        parse.emit("OpenRead", cursor, best.root, 0, best.key_info)
    parse.emit("Count", cursor, agg.func_regs[0])
    parse.emit("Close", cursor)
    if parse.is_explain == 2:
        cover = f" USING COVERING INDEX {best.name}" if best is not None else ""
        parse.emit("Explain", parse.current_addr(), getattr(parse, "explain_parent", 0), 0,
                   f"SCAN {table.name}{cover}")
    return True


def _code_aggregate(parse: Parse, src: SrcList, where: Any, result: list[ResultItem],
                    group_by: list[ast.Expr], having: Any, ob_exprs: list[ast.Expr],
                    ob_desc: list[bool], ob_nulls: list[str | None], dest: SelectDest,
                    lim: _Limit, distinct_cur: int, end: int,
                    outer_aggs: list[tuple[int, FuncRef]] | None = None) -> None:
    out_exprs = [r.expr for r in result]
    # aggregates written in subqueries that belong to this query: computed
    # with its own, their values handed to the subqueries by register
    lent = [ref for _key, ref in outer_aggs or ()]
    agg = _AggInfo()
    agg.funcs = _agg_funcs_of([out_exprs, ob_exprs, having, lent])
    bare: dict[tuple[int, int], ColumnRef] = {}
    _collect_columns([out_exprs, ob_exprs, having], bare, inside_agg_too=False)
    # Columns of this query that subqueries in the output, HAVING or ORDER BY
    # refer to: those subqueries are coded after the loop, so the values are
    # kept in registers like bare columns (SQLite makes them TK_AGG_COLUMNs).
    outer_refs = _subquery_outer_columns(parse, [out_exprs, ob_exprs, having], src)
    # Registers in order of discovery, as analyzeAggregate assigns them.
    func_ids = {id(f) for f in agg.funcs}
    for node in _discovery_order([out_exprs, ob_exprs, having, lent]):
        if isinstance(node, FuncRef) and id(node) in func_ids and id(node) not in agg.func_map:
            agg.func_map[id(node)] = parse.alloc_reg()
        elif isinstance(node, ColumnRef):
            key = (node.cursor, node.column)
            if key in bare and key not in agg.col_regs:
                agg.col_regs[key] = parse.alloc_reg()
                agg.col_refs[key] = bare[key]
    for key, ref in outer_refs.items():
        if key not in agg.col_regs:
            agg.col_regs[key] = parse.alloc_reg()
            agg.col_refs[key] = ref
    for f in agg.funcs:
        agg.func_regs.append(agg.func_map[id(f)])
        agg.distinct_cursors.append(parse.alloc_cursor() if f.distinct else -1)
    if agg.col_regs:
        for i, f in enumerate(agg.funcs):
            if f.funcdef.is_minmax and len(f.args) == 1:
                agg.minmax_best[i] = parse.alloc_reg()
        if agg.minmax_best:
            agg.hit_reg = parse.alloc_reg()
    # Expressions of the output, with aggregates and bare columns as registers.
    out_rw = [_agg_rewrite(e, agg) for e in out_exprs]
    having_rw = _agg_rewrite(having, agg)
    ob_rw = [_agg_rewrite(e, agg) for e in ob_exprs]

    sorter = None
    if ob_rw:
        sorter = _open_sorter(parse, ob_rw, ob_desc, ob_nulls, len(result))

    if not group_by and sorter is None and \
            _code_simple_count(parse, src, where, result, agg, having):
        _inner_loop(parse, result, dest, lim, distinct_cur, None, end, end, out_rw)
        return
    if not group_by:
        reg_acc = 0
        if agg.col_regs:
            reg_acc = parse.alloc_reg()
            parse.emit("Integer", 0, reg_acc)
        _reset_accumulator(parse, agg)
        # min(col)/max(col) alone: read the loop in index order and stop at
        # the first non-NULL value (SQLite's WHERE_ORDERBY_MIN/MAX).
        mm = agg.funcs[0] if len(agg.funcs) == 1 else None
        minmax_order = None
        if mm is not None and mm.funcdef.is_minmax and len(mm.args) == 1 \
                and mm.filter is None and not mm.distinct and len(src) == 1 \
                and isinstance(mm.args[0], ColumnRef) and mm.args[0].depth == 0:
            minmax_order = ([mm.args[0]], [fold_name(mm.name) == "max"])
        from pyrite.compile.where import WHERE_ORDERBY_MAX, WHERE_ORDERBY_MIN
        minmax_flag = 0
        if minmax_order is not None:
            minmax_flag = WHERE_ORDERBY_MAX if minmax_order[1][0] else WHERE_ORDERBY_MIN
        info = where_begin(parse, src, where,
                           minmax_order[0] if minmax_order else None,
                           _agg_where_flags(out_exprs, where, having, ob_exprs) | minmax_flag
                           | WHERE_PROPAGATE_CONST,
                           order_desc=minmax_order[1] if minmax_order else None)
        if minmax_order is not None and info.order_satisfied:
            r = parse.get_temp_reg()
            code_expr(parse, mm.args[0], r)
            parse.emit("IsNull", r, info.continue_label)
            parse.release_temp_reg(r)
            _update_accumulator(parse, agg, reg_acc)
            parse.emit("Goto", 0, info.break_label)
        else:
            _update_accumulator(parse, agg, reg_acc)
        info.end()
        _finalize_aggregates(parse, agg)
        skip = parse.label()
        saved_agg_columns, saved_lent = parse.agg_columns, parse.lent_aggregates
        parse.agg_columns = dict(agg.col_regs)
        parse.lent_aggregates = _lent_registers(parse, agg, outer_aggs)
        if having_rw is not None:
            code_if_false(parse, having_rw, skip, True)
        _inner_loop(parse, result, dest, lim, distinct_cur, sorter, skip, end, out_rw)
        parse.agg_columns, parse.lent_aggregates = saved_agg_columns, saved_lent
        parse.resolve(skip)
        if sorter is not None:
            _sort_tail(parse, sorter, result, dest, lim, end)
        return

    # GROUP BY through a sorter: key = the GROUP BY expressions, then every
    # column the aggregate arguments and the output need.
    needed: dict[tuple[int, int], ColumnRef] = {}
    _collect_columns([out_exprs, having, ob_exprs], needed, inside_agg_too=True)
    for key, ref in outer_refs.items():
        needed.setdefault(key, ref)
    n_key = len(group_by)
    # A needed column that is itself a GROUP BY term is read from the key.
    needed_pos: dict[tuple[int, int], int] = {}
    for i, g in enumerate(group_by):
        if isinstance(g, ColumnRef) and g.depth == 0:
            needed_pos.setdefault((g.cursor, g.column), i)
    needed_list = [(k, ref) for k, ref in needed.items() if k not in needed_pos]
    for j, (k, _) in enumerate(needed_list):
        needed_pos[k] = n_key + j
    n_fields = n_key + len(needed_list)
    g_cur = parse.alloc_cursor()
    colls = [_key_coll(parse, g) for g in group_by]
    parse.emit("SorterOpen", g_cur, n_fields, 0,
               values.KeyInfo(colls + [None] * len(needed_list),
                              None, n_key))
    use_flag = parse.alloc_reg()
    abort_flag = parse.alloc_reg()
    reg_output = parse.alloc_reg()
    reg_reset = parse.alloc_reg()
    prev = parse.alloc_reg(n_key)
    cur_keys = parse.alloc_reg(n_key)
    addr_output = parse.label()
    addr_reset = parse.label()
    addr_end = parse.label()
    parse.emit("Integer", 0, abort_flag)
    parse.emit("Null", 0, prev, prev + n_key - 1)
    parse.emit("Gosub", reg_reset, addr_reset)

    flags = _agg_where_flags(out_exprs, where, having, ob_exprs) \
        if not _has_subquery(group_by) else 0
    info = where_begin(parse, src, where, None, flags | WHERE_PROPAGATE_CONST)
    base = parse.alloc_reg(n_fields)
    for i, g in enumerate(group_by):
        code_expr(parse, g, base + i)
    for j, (_, ref) in enumerate(needed_list):
        code_expr(parse, ref, base + n_key + j)
    rec = parse.get_temp_reg()
    parse.emit("MakeRecord", base, n_fields, rec)
    parse.emit("SorterInsert", g_cur, rec)
    parse.release_temp_reg(rec)
    info.end()
    _explain(parse, "USE TEMP B-TREE FOR GROUP BY")

    pseudo = parse.alloc_cursor()
    reg_data = parse.alloc_reg()
    parse.emit("OpenPseudo", pseudo, reg_data, n_fields)
    parse.emit("SorterSort", g_cur, addr_end)
    top = parse.emit("SorterData", g_cur, reg_data, pseudo)
    # From here on, columns come from the pseudo cursor.
    mapping_by_cursor: dict[int, dict[int, int]] = {}
    for (cursor, column), pos in needed_pos.items():
        mapping_by_cursor.setdefault(cursor, {})[column] = pos
    saved_cover = dict(parse.covering)
    pseudo_set = getattr(parse, "pseudo_cursors", set())
    parse.pseudo_cursors = pseudo_set | {pseudo}
    for cursor, mapping in mapping_by_cursor.items():
        parse.covering[cursor] = (pseudo, mapping)
    # group keys of this row
    for i in range(n_key):
        parse.emit("Column", pseudo, i, cur_keys + i)
    key_info = values.KeyInfo(colls, None, n_key)
    parse.emit("Compare", prev, cur_keys, n_key, key_info)
    addr_ne = parse.current_addr() + 1
    jump = parse.emit("Jump", addr_ne, 0, addr_ne)
    parse.emit("Move", cur_keys, prev, n_key)
    parse.emit("Gosub", reg_output, addr_output)
    done = parse.label()
    parse.emit("IfPos", abort_flag, done)     # the LIMIT was reached
    parse.emit("Gosub", reg_reset, addr_reset)
    addr_eq = parse.current_addr()
    parse.builder.change_p2(jump, addr_eq)
    _update_accumulator(parse, agg, use_flag)
    parse.emit("SorterNext", g_cur, top)
    parse.covering.clear()
    parse.covering.update(saved_cover)
    parse.pseudo_cursors = pseudo_set
    parse.resolve(addr_end)
    parse.emit("Gosub", reg_output, addr_output)
    parse.emit("Goto", 0, done)

    # Output subroutine: one row per group.
    set_abort = parse.label()
    parse.resolve(set_abort)
    parse.emit("Integer", 1, abort_flag)
    parse.emit("Return", reg_output)
    parse.resolve(addr_output)
    parse.emit("IfPos", use_flag, parse.current_addr() + 2)
    parse.emit("Return", reg_output)
    _finalize_aggregates(parse, agg)
    out_skip = parse.label()
    saved_agg_columns, saved_lent = parse.agg_columns, parse.lent_aggregates
    parse.agg_columns = dict(agg.col_regs)
    parse.lent_aggregates = _lent_registers(parse, agg, outer_aggs)
    if having_rw is not None:
        code_if_false(parse, having_rw, out_skip, True)
    _inner_loop(parse, result, dest, lim, distinct_cur, sorter, out_skip, set_abort, out_rw)
    parse.agg_columns, parse.lent_aggregates = saved_agg_columns, saved_lent
    parse.resolve(out_skip)
    parse.emit("Return", reg_output)
    # Reset subroutine.
    parse.resolve(addr_reset)
    _reset_accumulator(parse, agg)
    parse.emit("Integer", 0, use_flag)
    parse.emit("Return", reg_reset)
    parse.resolve(done)
    if sorter is not None:
        _sort_tail(parse, sorter, result, dest, lim, end)


# ---------------------------------------------------------------------------
# VALUES and compounds
# ---------------------------------------------------------------------------

def _compile_values(parse: Parse, values_: ast.Values, dest: SelectDest, select: ast.Select,
                    limit: ast.Expr | None, offset: ast.Expr | None) -> SelectInfo:
    if select.order_by:
        parse.error("ORDER BY on VALUES is not supported yet")
    rows = values_.rows
    n = len(rows[0])
    for r in rows:
        if len(r) != n:
            parse.error("all VALUES must have the same number of terms")
    end = parse.label()
    lim = _compute_limit_registers(parse, limit, offset, end)
    nc = NameContext(SrcList(), outer=parse.current_nc)
    first_items: list[ResultItem] = []
    for ri, row in enumerate(rows):
        exprs = [resolve_expr(parse, e, nc) for e in row]
        if ri == 0:
            first_items = [ResultItem(e, f"column{i + 1}", None) for i, e in enumerate(exprs)]
            if dest.dest == SRT_OUTPUT and parse.nested == 1:
                parse.set_result_columns([it.name for it in first_items], [None] * n)
        cont = parse.label()
        _inner_loop(parse, first_items, dest, lim, -1, None, cont, end, exprs)
        parse.resolve(cont)
    parse.resolve(end)
    return SelectInfo(columns=first_items, n_columns=n, correlated=nc.correlated)


def _compile_compound(parse: Parse, select: ast.Select, dest: SelectDest,
                      outer: NameContext | None, limit: ast.Expr | None,
                      offset: ast.Expr | None) -> SelectInfo:
    """Compound SELECT (multiSelect).  UNION/EXCEPT/INTERSECT go through
    ephemeral indexes; ORDER BY and LIMIT on a compound are applied by
    reading the compound back as a FROM-clause subquery."""
    # SQLite merges sorted inputs (multiSelectOrderBy), except that an
    # ORDER BY with a COLLATE turns the compound into a subquery
    # (convertCompoundSelectToSubquery).
    _check_compound_tables(parse, [select.core] + [c for _, c in select.compounds])
    if select.order_by and (id(select) in parse.merge_selects or not any(
            isinstance(t.expr, ast.Collate) for t in select.order_by)) \
            and not any(isinstance(c, ast.Values)
                        for c in [select.core] + [c for _, c in select.compounds]):
        return _compound_merge(parse, select, dest, outer, limit, offset)
    if select.order_by or limit is not None:
        return _compound_as_subquery(parse, select, dest, outer, limit, offset)
    cores = [select.core] + [c for _, c in select.compounds]
    ops = [op for op, _ in select.compounds]
    distinct_ops = [i for i, op in enumerate(ops) if op != "UNION ALL"]
    if not distinct_ops:
        return _compound_all(parse, cores, dest, outer)
    last = distinct_ops[-1] + 1          # cores[0..last] make a set
    # The set of rows so far, as an ephemeral index.
    first_info = _core_info(parse, cores[0], outer)
    n = first_info.n_columns
    # the set's collations: per column, the leftmost SELECT's that has one
    # (multiSelectCollSeq), BINARY spelled out
    infos = [first_info] + [_core_info(parse, c, outer) for c in cores[1:last + 1]]
    key_info = values.KeyInfo([_multi_select_coll(parse, infos, j) or values.BINARY
                               for j in range(n)])
    tab = parse.alloc_cursor()
    parse.emit("OpenEphemeral", tab, n, 0, key_info)
    correlated = first_info.correlated
    compound_parent = _explain_push(parse, "COMPOUND QUERY")
    info = _compile_one(parse, cores[0], SelectDest(SRT_UNION, tab), outer, nested=True,
                        explain="LEFT-MOST SUBQUERY")
    for i in range(1, last + 1):
        op = ops[i - 1]
        label = op if op == "UNION ALL" else f"{op} USING TEMP B-TREE"
        if op in ("UNION", "UNION ALL"):
            info = _compile_one(parse, cores[i], SelectDest(SRT_UNION, tab), outer, True,
                                explain=label)
        elif op == "EXCEPT":
            info = _compile_one(parse, cores[i], SelectDest(SRT_EXCEPT, tab), outer, True,
                                explain=label)
        else:  # INTERSECT
            tab2 = parse.alloc_cursor()
            parse.emit("OpenEphemeral", tab2, n, 0, key_info)
            info = _compile_one(parse, cores[i], SelectDest(SRT_UNION, tab2), outer, True,
                                explain=label)
            tab3 = parse.alloc_cursor()
            parse.emit("OpenEphemeral", tab3, n, 0, key_info)
            done = parse.label()
            parse.emit("Rewind", tab, done)
            top = parse.current_addr()
            rec = parse.alloc_reg()
            nxt = parse.label()
            parse.emit("RowData", tab, rec)
            parse.emit("NotFound", tab2, nxt, rec, 0)
            parse.emit("IdxInsert", tab3, rec)
            parse.resolve(nxt)
            parse.emit("Next", tab, top)
            parse.resolve(done)
            tab = tab3
        if info.n_columns != n:
            _compound_arity_error(parse, op)
        correlated = correlated or info.correlated
    # Read the set out to the destination.
    if dest.dest == SRT_OUTPUT and parse.nested == 1:
        parse.set_result_columns([it.name for it in first_info.columns],
                                 [it.decltype for it in first_info.columns])
    done = parse.label()
    parse.emit("Rewind", tab, done)
    top = parse.current_addr()
    reg = dest.sdst if dest.dest == SRT_COROUTINE and dest.sdst else parse.alloc_reg(n)
    if dest.dest == SRT_MEM:
        reg = dest.parm
    for j in range(n):
        parse.emit("Column", tab, j, reg + j)
    _dispose(parse, dest, reg, n)
    parse.emit("Next", tab, top)
    parse.resolve(done)
    for i in range(last + 1, len(cores)):
        info = _compile_one(parse, cores[i], dest, outer, True, explain="UNION ALL")
        if info.n_columns != n:
            _compound_arity_error(parse, ops[i - 1])
    _explain_pop(parse, compound_parent)
    first_info.correlated = correlated
    return first_info


def _multi_select_coll(parse: Parse, infos: list[SelectInfo], j: int) -> Any:
    """multiSelectCollSeq: column ``j``'s collation in a compound is that of
    the leftmost SELECT whose expression has one (None: BINARY)."""
    for inf in infos:
        if j < len(inf.columns):
            found, coll = expr_coll_seq(parse, inf.columns[j].expr)
            if found:
                return coll
    return None


def _check_compound_tables(parse: Parse, cores: list[Any]) -> None:
    """SQLite looks up the FROM tables of a compound's SELECTs from the last
    to the first (sqlite3SelectExpand walks right to left), so a missing
    table is reported for the rightmost SELECT that names one."""
    def items(node: Any) -> Any:
        if isinstance(node, ast.Join):
            yield from items(node.left)
            yield from items(node.right)
        elif node is not None:
            yield node
    for core in reversed(cores):
        if isinstance(core, ast.Values):
            continue
        for node in items(core.from_):
            if isinstance(node, ast.TableRef) and cte.analysis_item(parse, node) is None \
                    and parse.find_table(node.name, node.schema) is None:
                _from_item(parse, node)   # raises SQLite's error


def _compound_arity_error(parse: Parse, op: str) -> None:
    parse.error(f"SELECTs to the left and right of {op} do not have the same "
                f"number of result columns")


def _core_info(parse: Parse, core: Any, outer: NameContext | None) -> SelectInfo:
    """Result columns of ``core`` without emitting code (a throwaway builder
    would be needed to compile; resolution alone is enough here)."""
    if isinstance(core, ast.Values):
        n = len(core.rows[0])
        return SelectInfo([ResultItem(ast.Literal(None), f"column{i + 1}", None)
                           for i in range(n)], n)
    src = flatten_from(parse, core.from_, resolver=_from_item_no_code)
    _apply_using(parse, src)
    nc = NameContext(src, outer=outer, flags=NC_ALLOW_AGG,
                     window_defs=window.window_definitions(parse, core.windows))
    result = expand_result_columns(parse, core.columns, nc, core.nested_from)
    return SelectInfo(result, len(result), nc.correlated)


def _from_item_no_code(parse: Parse, node: ast.FromItem) -> SrcItem:
    """A FROM item for name analysis only (subqueries are not coded)."""
    if isinstance(node, ast.TableRef):
        item = cte.analysis_item(parse, node)
        if item is not None:
            return item
        table = parse.find_table(node.name, node.schema)
        if table is None or getattr(table, "is_view", False):
            return _from_item(parse, node) if table is None else \
                _analysis_subquery_item(parse, table.view_select, node.alias or node.name)
        return SrcItem(name=node.name, alias=node.alias, table=table, cursor=-2)
    if isinstance(node, ast.SubqueryRef):
        return _analysis_subquery_item(parse, node.select, node.alias)
    return _from_item(parse, node)


def _analysis_subquery_item(parse: Parse, select: ast.Select, alias: str | None) -> SrcItem:
    core = select.core
    info = _core_info(parse, core, None)
    cols = subquery_columns(parse, info, None)
    name = alias or "subquery"
    return SrcItem(name=name, alias=alias, cursor=-2, table=EphemeralTable(
        name, cols, nested_from=getattr(core, "nested_from", False)))


def _compile_one(parse: Parse, core: Any, dest: SelectDest, outer: NameContext | None,
                 nested: bool, explain: str | None = None) -> SelectInfo:
    """One SELECT of a compound; ``explain`` is its EXPLAIN QUERY PLAN line
    ("LEFT-MOST SUBQUERY", "UNION ALL", "EXCEPT USING TEMP B-TREE" ...)."""
    if nested:
        parse.nested += 1
    saved_parent = _explain_push(parse, explain) if explain else None
    try:
        if isinstance(core, ast.Values):
            return _compile_values(parse, core, dest, ast.Select(core), None, None)
        return _compile_core(parse, core, (), None, None, dest, outer)
    finally:
        _explain_pop(parse, saved_parent)
        if nested:
            parse.nested -= 1


def _compound_all(parse: Parse, cores: list[Any], dest: SelectDest,
                  outer: NameContext | None) -> SelectInfo:
    """UNION ALL chain without ORDER BY/LIMIT: each SELECT straight to dest."""
    first: SelectInfo | None = None
    correlated = False
    compound_parent = _explain_push(parse, "COMPOUND QUERY")
    for i, core in enumerate(cores):
        # only the first SELECT names the columns
        info = _compile_one(parse, core, dest, outer, nested=bool(i),
                            explain="UNION ALL" if i else "LEFT-MOST SUBQUERY")
        if first is None:
            first = info
        elif info.n_columns != first.n_columns:
            _compound_arity_error(parse, "UNION ALL")
        correlated = correlated or info.correlated
    assert first is not None
    _explain_pop(parse, compound_parent)
    first.correlated = correlated
    return first


def _compound_as_subquery(parse: Parse, select: ast.Select, dest: SelectDest,
                          outer: NameContext | None, limit: ast.Expr | None,
                          offset: ast.Expr | None) -> SelectInfo:
    """``A op B [ORDER BY ..] LIMIT ..`` as ``SELECT * FROM (A op B) [ORDER BY ..] LIMIT ..``."""
    inner = ast.Select(select.core, select.compounds)
    info = _core_info(parse, select.core, outer)
    names = [it.name for it in info.columns]
    terms = _compound_order_terms(parse, select, info)
    outer_core = ast.SelectCore(
        columns=(ast.ResultColumn(None, star=True),),
        from_=ast.SubqueryRef(inner, None, plain=not any(
            isinstance(t.expr, ast.Collate) for t in select.order_by)))
    dest_names = names
    res = _compile_core(parse, outer_core, tuple(terms), limit, offset, dest, outer)
    if dest.dest == SRT_OUTPUT and parse.nested == 1:
        parse.set_result_columns(dest_names, [it.decltype for it in res.columns])
    return res


def _compound_order_terms(parse: Parse, select: ast.Select,
                          info: SelectInfo) -> list[ast.OrderingTerm]:
    """The ORDER BY of a compound as result-column numbers (``N`` or
    ``N COLLATE x``)."""
    terms = []
    for idx, coll, desc, nulls in compound_order_columns(parse, select, None, info):
        ref: ast.Expr = ast.Literal(idx + 1)
        if coll:
            ref = ast.Collate(ref, coll)
        terms.append(ast.OrderingTerm(ref, desc, nulls))
    return terms


def _compound_merge(parse: Parse, select: ast.Select, dest: SelectDest,
                    outer: NameContext | None, limit: ast.Expr | None,
                    offset: ast.Expr | None) -> SelectInfo:
    """``A op B ORDER BY ...`` as SQLite's multiSelectOrderBy: A (everything
    before the last operator, itself a compound when there are several) and
    B (the last select) run as coroutines, each sorted on the ORDER BY, and
    their rows are merged; UNION, EXCEPT and INTERSECT extend the ORDER BY
    with the remaining result columns and drop a row equal to the previous
    one output."""
    cores = [select.core] + [c for _, c in select.compounds]
    op = select.compounds[-1][0]
    infos = [_core_info(parse, c, outer) for c in cores]
    info0 = infos[0]
    n = info0.n_columns
    for (cop, _), inf in zip(select.compounds, infos[1:]):
        if inf.n_columns != n:
            _compound_arity_error(parse, cop)
    terms = _compound_order_terms(parse, select, info0)

    def column_coll(j: int) -> values.Collation | None:
        return _multi_select_coll(parse, infos, j)

    used = []
    for t in terms:
        e = t.expr.expr if isinstance(t.expr, ast.Collate) else t.expr
        used.append(e.value - 1)
    if op != "UNION ALL":
        for j in range(n):
            if j not in used:
                terms.append(ast.OrderingTerm(ast.Literal(j + 1)))
                used.append(j)
    # Every term gets an explicit collation so that both inputs sort as the
    # merge compares (multiSelectOrderByKeyInfo).
    colls = []
    for k, (t, j) in enumerate(zip(terms, used)):
        if isinstance(t.expr, ast.Collate):
            colls.append(parse.find_collation(t.expr.collation))
        else:
            coll = column_coll(j)
            colls.append(coll)
            terms[k] = ast.OrderingTerm(
                ast.Collate(t.expr, coll.name if coll is not None else "BINARY"),
                t.desc, t.nulls)
    bignull = [(t.nulls == "LAST") != t.desc if t.nulls else False for t in terms]
    key_merge = values.KeyInfo(colls, [t.desc for t in terms], bignull=bignull)
    order_by = tuple(terms)
    left = ast.Select(select.core, select.compounds[:-1], order_by=order_by) \
        if len(cores) > 2 else ast.Select(select.core, order_by=order_by)
    right = ast.Select(cores[-1], order_by=order_by)
    parse.merge_selects.add(id(left))

    end = parse.label()
    lim = _compute_limit_registers(parse, limit, offset, end)
    reg_prev = 0
    key_dup = None
    if op != "UNION ALL":
        reg_prev = parse.alloc_reg(n + 1)
        parse.emit("Integer", 0, reg_prev)
        key_dup = values.KeyInfo([column_coll(j) for j in range(n)])
    if dest.dest == SRT_SET and dest.in_lhs is not None and info0.columns:
        set_in_affinity(parse, dest, info0.columns[0].expr)
    # The two sorted inputs, as coroutines.
    dests = []
    correlated = False
    merge_parent = _explain_push(parse, f"MERGE ({op})")
    for side, label in ((left, "LEFT"), (right, "RIGHT")):
        co = parse.alloc_reg()
        d = SelectDest(SRT_COROUTINE, co, sdst=parse.alloc_reg(n), n_sdst=n)
        addr = parse.emit("InitCoroutine", co, 0, parse.current_addr() + 1)
        side_parent = _explain_push(parse, label)
        inf = compile_select(parse, side, d, outer)
        _explain_pop(parse, side_parent)
        correlated = correlated or inf.correlated
        parse.emit("EndCoroutine", co)
        parse.builder.change_p2(addr, parse.current_addr())
        dests.append(d)
    _explain_pop(parse, merge_parent)
    da, db = dests
    init = parse.label()
    cmpr = parse.label()
    parse.emit("Goto", 0, init)
    # Output subroutines (generateOutputSubroutine).
    ret_a = parse.alloc_reg()
    ret_b = parse.alloc_reg()
    out_a = _merge_output(parse, da.sdst, n, ret_a, reg_prev, key_dup, lim, dest, end)
    out_b = _merge_output(parse, db.sdst, n, ret_b, reg_prev, key_dup, lim, dest, end) \
        if op in ("UNION", "UNION ALL") else 0
    # A exhausted: the rest of B (UNION, UNION ALL) or the end.
    if op in ("EXCEPT", "INTERSECT"):
        eof_a = eof_a_no_b = end
    else:
        eof_a = parse.emit("Gosub", ret_b, out_b)
        eof_a_no_b = parse.emit("Yield", db.parm, end)
        parse.emit("Goto", 0, eof_a)
    # B exhausted: the rest of A (not INTERSECT).
    if op == "INTERSECT":
        eof_b = eof_a
    else:
        eof_b = parse.emit("Gosub", ret_a, out_a)
        parse.emit("Yield", da.parm, end)
        parse.emit("Goto", 0, eof_b)
    # A < B: output A (not INTERSECT), next A.
    alt_b = parse.emit("Gosub", ret_a, out_a)
    parse.emit("Yield", da.parm, eof_a)
    parse.emit("Goto", 0, cmpr)
    # A == B
    if op == "UNION ALL":
        aeq_b = alt_b
    elif op == "INTERSECT":
        aeq_b = alt_b
        alt_b += 1
    else:
        aeq_b = parse.emit("Yield", da.parm, eof_a)
        parse.emit("Goto", 0, cmpr)
    # A > B: output B (UNION, UNION ALL), next B.
    agt_b = parse.current_addr()
    if op in ("UNION", "UNION ALL"):
        parse.emit("Gosub", ret_b, out_b)
    parse.emit("Yield", db.parm, eof_b)
    parse.emit("Goto", 0, cmpr)
    # Start both inputs, then compare their current rows.
    parse.resolve(init)
    parse.emit("Yield", da.parm, eof_a_no_b)
    parse.emit("Yield", db.parm, eof_b)
    parse.resolve(cmpr)
    parse.emit("Permutation", 0, 0, 0, tuple(used))
    parse.emit("Compare", da.sdst, db.sdst, len(terms), key_merge, 1)
    parse.emit("Jump", alt_b, aeq_b, agt_b)
    parse.resolve(end)
    if dest.dest == SRT_OUTPUT and parse.nested == 1:
        parse.set_result_columns([it.name for it in info0.columns],
                                 [it.decltype for it in info0.columns])
    info0.correlated = correlated
    return info0


def _merge_output(parse: Parse, src: int, n: int, ret: int, reg_prev: int,
                  key_dup: values.KeyInfo | None, lim: _Limit, dest: SelectDest,
                  end: int) -> int:
    """generateOutputSubroutine: output the row in ``src`` unless it equals
    the previous one (``reg_prev``), counting OFFSET and LIMIT; returns its
    address (entered with Gosub ``ret``)."""
    addr = parse.current_addr()
    cont = parse.label()
    if reg_prev:
        fresh = parse.label()
        parse.emit("IfNot", reg_prev, fresh)
        parse.emit("Compare", src, reg_prev + 1, n, key_dup)
        parse.emit("Jump", fresh, cont, fresh)
        parse.resolve(fresh)
        parse.emit("Copy", src, reg_prev + 1, n - 1)
        parse.emit("Integer", 1, reg_prev)
    if lim.offset:
        parse.emit("IfPos", lim.offset, cont, 1)
    _dispose(parse, dest, src, n)
    if lim.limit:
        parse.emit("DecrJumpZero", lim.limit, end)
    parse.resolve(cont)
    parse.emit("Return", ret)
    return addr


def _core_columns(core: Any, n: int) -> list[ast.ResultColumn | None]:
    """The result columns of one SELECT of a compound, ``n`` of them, each
    at its position in the result: a ``*`` stands for as many unknown
    columns as the others leave (several stars: all unknown)."""
    if isinstance(core, ast.Values):
        return [None] * len(core.rows[0])
    stars = sum(1 for rc in core.columns if rc.star)
    if stars > 1:
        return [None] * n
    out: list[ast.ResultColumn | None] = []
    for rc in core.columns:
        if rc.star:
            out.extend([None] * (n - len(core.columns) + 1))
        else:
            out.append(rc)
    return out


def _ordinal(n: int) -> str:
    from pyrite.compile.resolve import _ordinal as ordinal
    return ordinal(n)


def compound_order_columns(parse: Parse, select: ast.Select, outer: NameContext | None,
                           info: SelectInfo | None = None,
                           ) -> list[tuple[int, str | None, bool, str | None]]:
    """The ORDER BY of a compound SELECT as (result column, COLLATE name,
    desc, nulls) tuples (resolveCompoundOrderBy): a term names a result
    column by number, else each SELECT is tried from the leftmost one on, by
    its aliases and then by an expression equal to one of its results (or a
    bare name equal to a result column's name)."""
    if info is None:
        info = _core_info(parse, select.core, outer)
    names = [it.name for it in info.columns]
    cores = [select.core] + [c for _, c in select.compounds]
    out = []
    for k, term in enumerate(select.order_by):
        e = term.expr
        coll = None
        if isinstance(e, ast.Collate):
            coll = e.collation
            e = e.expr
        idx = None
        if (pos := term_integer(e)) is not None:
            if not 1 <= pos <= len(names):
                parse.error(f"{_ordinal(k + 1)} ORDER BY term out of range - should be "
                            f"between 1 and {len(names)}")
            idx = pos - 1
        else:
            for ci, core in enumerate(cores):
                idx = _match_compound_term(e, _core_columns(core, len(names)),
                                           names if ci == 0 else None)
                if idx is not None:
                    break
        if idx is None:
            parse.error(f"{_ordinal(k + 1)} ORDER BY term does not match any column "
                        f"in the result set")
        out.append((idx, coll, term.desc, term.nulls))
    return out


def _match_compound_term(e: ast.Expr, columns: list[ast.ResultColumn | None],
                         names: list[str] | None) -> int | None:
    """The result column of one SELECT of a compound that ORDER BY term ``e``
    names: an alias first (resolveAsName), then an equal expression."""
    if isinstance(e, ast.Column) and e.table is None:
        for j, rc in enumerate(columns):
            if rc is not None and fold_name((rc.alias or "")) == fold_name(e.name):
                return j
    key = _unqualified(e)
    for j, rc in enumerate(columns):
        if names is not None and isinstance(e, ast.Column) and e.table is None \
                and j < len(names) and fold_name(names[j]) == fold_name(e.name):
            return j
        if rc is not None and rc.expr is not None and _unqualified(rc.expr) == key:
            return j
    return None


def _unqualified(e: Any) -> Any:
    """``e`` with column names lower-cased and their qualifiers dropped, for
    comparing an ORDER BY term with a result expression."""
    if isinstance(e, ast.Column):
        return ast.Column(fold_name(e.name))
    if isinstance(e, ast.Node) and not isinstance(e, (ast.Subquery, ast.Exists)):
        changes = {}
        for f in dataclasses.fields(e):
            v = getattr(e, f.name)
            if isinstance(v, ast.Node):
                changes[f.name] = _unqualified(v)
            elif isinstance(v, tuple):
                changes[f.name] = tuple(_unqualified(x) for x in v)
        return dataclasses.replace(e, **changes) if changes else e
    return e
