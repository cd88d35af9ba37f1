"""Compiler layer: name resolution (SQLite's ``resolve.c``).

The AST is immutable, so resolution returns a rewritten expression in which
column references have become :class:`ColumnRef` (cursor, column index),
function calls :class:`FuncRef` (with their FuncDef; aggregates flagged),
double-quoted identifiers that name nothing have become string literals, and
TRUE/FALSE that are not columns have become 1/0.  Code generation (expr.py)
reads only resolved trees.

Also here: ``*``/``t.*`` expansion, result-column names (sqlite3ColumnsFromExprList
rules for the common cases), and ORDER BY/GROUP BY term resolution against
result aliases and column numbers (resolveOrderGroupBy).
"""

from __future__ import annotations
from pyrite.values import fold_name

import dataclasses
from dataclasses import dataclass
from typing import Any

from pyrite import values
from pyrite.compile.context import (
    NC_ALLOW_AGG, NC_HAS_AGG, NC_IN_AGG, NC_MIN_MAX_AGG, NameContext, Parse,
    SrcItem, SrcList, column_affinity, column_collation, column_hidden,
    table_rowid_alias,
)
from pyrite.sql import ast

ROWID_NAMES = ("rowid", "oid", "_rowid_")


@dataclass(frozen=True, slots=True, eq=False)
class ColumnRef(ast.Expr):
    """A resolved column: ``cursor`` of its FROM item, ``column`` (-1 = rowid).

    ``depth`` is how many query levels out the item lives (0 = this query).
    """

    cursor: int
    column: int
    item: Any = None           # the SrcItem
    affinity: str = values.AFF_BLOB
    collation: str | None = None
    name: str = ""
    depth: int = 0


@dataclass(frozen=True, slots=True, eq=False)
class FuncRef(ast.Expr):
    """A resolved function call; ``funcdef`` is the FuncDef to call."""

    name: str
    args: tuple[ast.Expr, ...]
    funcdef: Any
    is_agg: bool = False
    distinct: bool = False
    star: bool = False
    filter: ast.Expr | None = None


@dataclass(frozen=True, slots=True, eq=False)
class AggColumn(ast.Expr):
    """Under aggregation: the value of an aggregate or group-by expression
    held in register ``reg`` (SQLite's TK_AGG_FUNCTION / TK_AGG_COLUMN)."""

    reg: int
    source: ast.Expr
    affinity: str | None = None
    collation: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class FixedColumn(ast.Expr):
    """A column the WHERE clause holds equal to a constant, read as that
    constant with the column's affinity (SQLite's TK_COLUMN with
    EP_FixedCol, made by select.c's propagateConstants)."""

    column: ColumnRef
    value: ast.Expr


def _name_eq(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and fold_name(a) == fold_name(b)


def _is_double_quoted(expr: ast.Column) -> bool:
    return bool(getattr(expr, "quoted", False) or getattr(expr, "double_quoted", False))


# ---------------------------------------------------------------------------
# Column lookup
# ---------------------------------------------------------------------------

def lookup_column(parse: Parse, expr: ast.Column, nc: NameContext) -> ast.Expr:
    """Resolve ``[schema.][table.]name`` (lookupName)."""
    name = expr.name
    depth = 0
    ctx: NameContext | None = nc
    while ctx is not None:
        matches: list[tuple[SrcItem, int]] = []
        table_seen = False
        for item in ctx.src_list:
            if getattr(item.table, "nested_from", False):
                if expr.table is None and fold_name(name) in item.hidden_using:
                    continue  # USING column: the left side's copy is used
                if _nested_lookup(item, expr, matches):
                    table_seen = True
                    continue
                if expr.table is None:
                    continue
            if expr.table is not None:
                if not item.matches(expr.table):
                    continue
                if expr.schema is not None and item.schema is not None \
                        and not _name_eq(item.schema, expr.schema):
                    continue
                table_seen = True
            cols = item.table.columns
            found = -2
            for i, col in enumerate(cols):
                if _name_eq(col.name, name):  # hidden columns resolve by name
                    found = i
                    break
            if found >= 0:
                if expr.table is None and fold_name(name) in item.hidden_using:
                    continue  # USING column: the left side's copy is used
                matches.append((item, found))
        if not matches and expr.table is not None and expr.schema is None \
                and parse.trigger_scope is not None:
            ref = _trigger_column(parse, expr, nc)
            if ref is not None:
                return ref
        if not matches and ctx.src_list:
            # rowid aliases
            if fold_name(name) in ROWID_NAMES:
                cands = [it for it in ctx.src_list
                         if (expr.table is None or it.matches(expr.table))
                         and getattr(it.table, "has_rowid", True)
                         and not getattr(it.table, "is_ephemeral", False)]
                if len(cands) == 1 or (cands and expr.table is not None):
                    item = cands[0]
                    return _column_ref(parse, item, -1, depth, nc)
        if len(matches) > 1:
            parse.error(f"ambiguous column name: {_full_name(expr)}")
        if matches:
            item, i = matches[0]
            if i == table_rowid_alias(item.table):
                i = -1 if not getattr(item.table, "is_ephemeral", False) else i
            ref = _column_ref(parse, item, i, depth, nc, name_col=matches[0][1])
            if expr.table is None:
                return _right_join_using(parse, ctx.src_list, item, name, ref, depth, nc)
            return ref
        # result-column alias (ORDER BY/GROUP BY/WHERE/HAVING as SQLite allows)
        if expr.table is None and ctx.result is not None and depth == 0:
            for alias, rexpr in ctx.result:
                if _name_eq(alias, name):
                    if _contains_agg(rexpr) and not (ctx.flags & NC_ALLOW_AGG):
                        parse.error(f"misuse of aliased aggregate {name}")
                    return rexpr
        if expr.table is not None and table_seen:
            break
        ctx = ctx.outer
        depth += 1
    # not found
    if expr.table is None and _is_double_quoted(expr):
        return ast.Literal(name)
    if expr.table is None and fold_name(name) in ("true", "false"):
        return ast.Literal(1 if fold_name(name) == "true" else 0, keyword=name.upper())
    parse.error(f"no such column: {_full_name(expr)}")
    raise AssertionError  # unreachable


def _span_matches(span: tuple[str, str, str] | None, name: str | None,
                  table: str | None, schema: str | None) -> bool:
    """Whether a nested-from column's (database, table, column) span is the
    one ``[schema.][table.]name`` names (sqlite3MatchEName); ``name`` None
    matches any column of the table."""
    if span is None:
        return False
    db, tab, col = span
    if schema is not None and not _name_eq(db, schema):
        return False
    if table is not None and not _name_eq(tab, table):
        return False
    return name is None or _name_eq(col, name)


def _nested_lookup(item: SrcItem, expr: ast.Column,
                   matches: list[tuple[SrcItem, int]]) -> bool:
    """Look ``expr`` up among the columns of a parenthesized join's
    subquery by where they came from (lookupName's isNestedFrom case):
    ``b.x`` finds b's column, a plain ``x`` every column called x, but a
    USING column stands for its copies.  Appends the hits to ``matches``;
    whether there was one."""
    hit = False
    for j, col in enumerate(item.table.columns):
        if not _span_matches(col.span, expr.name, expr.table, expr.schema):
            continue
        matches.append((item, j))
        hit = True
        if col.using_term:
            break
    return hit


def item_column_ref(parse: Parse, item: SrcItem, name: str) -> ColumnRef:
    """The column ``name`` of FROM item ``item`` as a resolved reference
    (sqlite3CreateColumnExpr), the INTEGER PRIMARY KEY as the rowid."""
    i = next(k for k, c in enumerate(item.table.columns) if _name_eq(c.name, name))
    column = i
    if i == table_rowid_alias(item.table) and not getattr(item.table, "is_ephemeral", False):
        column = -1
    return _column_ref(parse, item, column, 0, NameContext(SrcList([item])), name_col=i)


def _column_in_scope(nc: NameContext | None, name: str) -> bool:
    """Does any FROM item of this query or an outer one have a column
    called ``name``?"""
    while nc is not None:
        for item in nc.src_list:
            if any(_name_eq(col.name, name) for col in item.table.columns):
                return True
        nc = nc.outer
    return False


def _trigger_column(parse: Parse, expr: ast.Column, nc: NameContext) -> Any:
    """``new.x`` / ``old.x`` in a trigger body: a column of the row the
    trigger fires for, held in the sub-program's registers (lookupName's
    TK_TRIGGER).  It is a register reference, not a column of this query's
    loops: a WHERE term ``x = new.x`` is a constant to seek by.  Only the
    rowid (or its alias) has an affinity, INTEGER, as in SQLite."""
    from pyrite.compile.expr import RegRef
    scope = parse.trigger_scope
    item = scope.item_for(expr.table)
    if item is None:
        return None
    table = item.table
    base = parse.register_cursors[item.cursor]
    low = fold_name(expr.name)
    for i, col in enumerate(table.columns):
        if fold_name(col.name) == low:
            if i == table_rowid_alias(table):
                return RegRef(base, values.AFF_INTEGER)
            # no affinity (sqlite3ExprAffinity knows none for TK_TRIGGER),
            # but the column's collation
            coll = column_collation(col)
            return RegRef(base + 1 + i, values.AFF_NONE,
                          parse.find_collation(coll) if coll else None, False)
    if low in ROWID_NAMES and getattr(table, "has_rowid", True):
        return RegRef(base, values.AFF_INTEGER)
    return None


def _right_join_using(parse: Parse, src: SrcList, item: SrcItem, name: str, ref: Any,
                      depth: int, nc: NameContext) -> Any:
    """A USING column of a RIGHT or FULL join reads as coalesce(left, right),
    since either side may be the NULL row."""
    from pyrite.compile.context import JT_RIGHT
    low = fold_name(name)
    for later in src:
        if later is item or not later.jointype & JT_RIGHT or low not in later.hidden_using:
            continue
        j = next((k for k, c in enumerate(later.table.columns) if _name_eq(c.name, name)),
                 None)
        if j is None:
            continue
        right = _column_ref(parse, later, j, depth, nc)
        fd = parse.find_function("coalesce", 2)
        return FuncRef("coalesce", (ref, right), fd)
    return ref


def _full_name(expr: ast.Column) -> str:
    parts = [p for p in (expr.schema, expr.table, expr.name) if p is not None]
    return ".".join(parts)


def _column_ref(parse: Parse, item: SrcItem, column: int, depth: int,
                nc: NameContext, name_col: int | None = None) -> ColumnRef:
    table = item.table
    if column < 0:
        aff = values.AFF_INTEGER
        coll = None
        name = "rowid"
        ipk = table_rowid_alias(table)
        if name_col is None and ipk is not None and ipk >= 0:
            name_col_for_name = ipk
        else:
            name_col_for_name = name_col
        if name_col_for_name is not None and name_col_for_name >= 0:
            col = table.columns[name_col_for_name]
            name = col.name
            coll = column_collation(col)
    else:
        col = table.columns[column]
        aff = column_affinity(col)
        coll = column_collation(col)
        name = col.name
    used = name_col if name_col is not None else column
    if used >= 0:
        item.col_used |= 1 << min(used, 63)
    if depth > 0:
        c: NameContext | None = nc
        for _ in range(depth):
            assert c is not None
            c.correlated = True
            c = c.outer
    return ColumnRef(cursor=item.cursor, column=column, item=item, affinity=aff,
                     collation=coll, name=name, depth=depth)


def _contains_agg(expr: ast.Expr) -> bool:
    found = False

    def visit(e: Any) -> None:
        nonlocal found
        if isinstance(e, FuncRef) and e.is_agg:
            found = True
    walk(expr, visit)
    return found


# ---------------------------------------------------------------------------
# Tree walking
# ---------------------------------------------------------------------------

def walk(expr: Any, visit: Any) -> None:
    """Call ``visit`` on every expression node of ``expr`` (not entering subqueries)."""
    if expr is None:
        return
    if isinstance(expr, (tuple, list)):
        for e in expr:
            walk(e, visit)
        return
    if not isinstance(expr, ast.Node):
        return
    visit(expr)
    if isinstance(expr, (ast.Subquery, ast.Exists, ast.Select)):
        return
    if isinstance(expr, ColumnRef) or isinstance(expr, AggColumn):
        return
    if isinstance(expr, FixedColumn):
        walk(expr.value, visit)   # the column is not read
        return
    for f in dataclasses.fields(expr):
        v = getattr(expr, f.name)
        if isinstance(v, (ast.Expr, tuple, list)):
            walk(v, visit)


def _map_children(expr: ast.Expr, fn: Any) -> ast.Expr:
    changes = {}
    for f in dataclasses.fields(expr):
        v = getattr(expr, f.name)
        if isinstance(v, ast.Expr):
            nv = fn(v)
            if nv is not v:
                changes[f.name] = nv
        elif isinstance(v, tuple) and v and any(isinstance(x, (ast.Expr, tuple)) for x in v):
            nv = tuple(_map_item(x, fn) for x in v)
            if any(a is not b for a, b in zip(nv, v)):
                changes[f.name] = nv
    if not changes:
        return expr
    return dataclasses.replace(expr, **changes)


def _map_item(x: Any, fn: Any) -> Any:
    if isinstance(x, ast.Expr):
        return fn(x)
    if isinstance(x, tuple):
        return tuple(_map_item(y, fn) for y in x)
    return x


# ---------------------------------------------------------------------------
# Expressions
# ---------------------------------------------------------------------------

def resolve_expr(parse: Parse, expr: ast.Expr | None, nc: NameContext) -> Any:
    """Resolve every name in ``expr`` against ``nc`` (sqlite3ResolveExprNames).

    Returns the rewritten expression (None for None).
    """
    if expr is None:
        return None
    return _Resolver(parse, nc).visit(expr)


class _Resolver:
    def __init__(self, parse: Parse, nc: NameContext) -> None:
        self.parse = parse
        self.nc = nc

    def visit(self, expr: ast.Expr) -> ast.Expr:
        parse, nc = self.parse, self.nc
        if isinstance(expr, (ColumnRef, AggColumn, FuncRef)):
            return expr
        if isinstance(expr, ast.Column):
            return lookup_column(parse, expr, nc)
        if isinstance(expr, ast.Literal) and expr.keyword is not None \
                and _column_in_scope(nc, expr.keyword):
            # TRUE/FALSE are keywords only when no column has the name
            return lookup_column(parse, ast.Column(fold_name(expr.keyword)), nc)
        if isinstance(expr, ast.FunctionCall):
            lent = parse.lent_aggregates
            if lent and id(expr) in lent:
                # an aggregate of an enclosing query: its value, per group
                from pyrite.compile.expr import RegRef
                nc.correlated = True
                return RegRef(lent[id(expr)])
            return self.function(expr)
        if isinstance(expr, ast.Variable):
            return expr
        if isinstance(expr, (ast.Subquery, ast.Exists)):
            if nc.isolated:
                parse.isolated_selects[id(expr.select)] = nc
            return expr  # resolved when coded, with nc as the outer context
        if isinstance(expr, ast.In):
            if expr.table is not None and expr.table_args is None:
                # "x IN tbl" is "x IN (SELECT * FROM tbl)", as SQLite's parser
                # reads it (tbl may be a CTE)
                sel = ast.Select(ast.SelectCore(
                    (ast.ResultColumn(None, star=True),),
                    from_=ast.TableRef(expr.table.name, expr.table.schema)))
                expr = dataclasses.replace(expr, table=None, select=sel)
            new = _map_children(expr, self.visit)
            if nc.isolated and getattr(new, "select", None) is not None:
                parse.isolated_selects[id(new.select)] = nc
            return new
        if isinstance(expr, ast.Raise):
            if parse.trigger_scope is None:
                parse.error("RAISE() may only be used within a trigger-program")
            return expr
        return _map_children(expr, self.visit)

    def function(self, expr: ast.FunctionCall) -> ast.Expr:
        parse, nc = self.parse, self.nc
        name = expr.name
        n_arg = len(expr.args)
        fd = parse.find_function(name, n_arg)
        if fd is None:
            if parse.function_exists(name):
                parse.error(f"wrong number of arguments to function {name}()")
            parse.error(f"no such function: {name}")
        if expr.over is not None:
            from pyrite.compile.window import resolve_window_call
            return resolve_window_call(self, expr, fd)
        if getattr(fd, "window_only", False):
            parse.error(f"misuse of window function {name}()")
        is_agg = fd.is_aggregate
        if expr.star and not (is_agg and n_arg == 0):
            # "f(*)" only for count(*)
            parse.error(f"wrong number of arguments to function {name}()")
        if is_agg:
            if not (nc.flags & NC_ALLOW_AGG) or (nc.flags & NC_IN_AGG):
                parse.error(f"misuse of aggregate function {name}()")
            if expr.distinct and n_arg != 1:
                parse.error("DISTINCT aggregates must have exactly one argument")
            saved = nc.flags
            nc.flags = (nc.flags | NC_IN_AGG)
            try:
                args = tuple(self.visit(a) for a in expr.args)
                flt = self.visit(expr.filter) if expr.filter is not None else None
            finally:
                nc.flags = saved
            nc.flags |= NC_HAS_AGG
            if fd.is_minmax and n_arg == 1:
                nc.flags |= NC_MIN_MAX_AGG
            ref = FuncRef(name=name, args=args, funcdef=fd, is_agg=True,
                          distinct=expr.distinct, star=expr.star, filter=flt)
            if fd.is_minmax and n_arg == 1:
                nc.min_max_agg = ref if nc.min_max_agg is None else False
            nc.aggregates.append(ref)
            return ref
        if expr.filter is not None:
            parse.error(f"FILTER may not be used with non-aggregate {name}()")
        args = tuple(self.visit(a) for a in expr.args)
        return FuncRef(name=name, args=args, funcdef=fd)


# ---------------------------------------------------------------------------
# Result columns
# ---------------------------------------------------------------------------

@dataclass(slots=True)
class ResultItem:
    """One expanded result column: resolved expression, name and decltype."""

    expr: ast.Expr
    name: str
    decltype: str | None
    alias: str | None = None
    source: ast.Expr | None = None   # the unresolved expression
    # the SELECT * of a parenthesized join: see EphemeralColumn
    span: tuple[str, str, str] | None = None
    using_term: bool = False
    no_expand: bool = False


def expand_result_columns(parse: Parse, columns: tuple[ast.ResultColumn, ...],
                          nc: NameContext, nested: bool = False) -> list[ResultItem]:
    """Expand ``*``/``t.*`` and resolve each result column
    (prepSelect/selectExpander); ``nested`` for the ``SELECT *`` of a
    parenthesized join, whose columns keep their origin."""
    items: list[ResultItem] = []
    src = nc.src_list
    for rc in columns:
        if rc.star and nested:
            items.extend(_expand_nested_from(parse, nc))
            continue
        if rc.star:
            if not src:
                parse.error("no tables specified")
            found = False
            for item in src:
                if getattr(item.table, "nested_from", False):
                    found |= _expand_nested_item(parse, nc, item, rc.table, items)
                    continue
                if rc.table is not None and not item.matches(rc.table):
                    continue
                found = True
                for i, col in enumerate(item.table.columns):
                    if column_hidden(col):
                        continue
                    if rc.table is None and fold_name(col.name) in item.hidden_using:
                        continue
                    _check_star_column(parse, src, item, col.name)
                    ref = _column_ref(parse, item, i if i != table_rowid_alias(item.table)
                                      or getattr(item.table, "is_ephemeral", False) else -1,
                                      0, nc, name_col=i)
                    if rc.table is None:
                        ref = _right_join_using(parse, src, item, col.name, ref, 0, nc)
                    items.append(ResultItem(ref, col.name, getattr(col, "decl_type", None),
                                            source=ast.Column(col.name, item.display_name)))
            if not found:
                parse.error(f"no such table: {rc.table}")
            continue
        assert rc.expr is not None
        resolved = resolve_expr(parse, rc.expr, nc)
        if rc.alias is not None:
            name = rc.alias
        elif isinstance(rc.expr, ast.Column) and isinstance(resolved, ColumnRef):
            # a column's own name; the rowid under any alias is "rowid"
            # (or the INTEGER PRIMARY KEY's name)
            name = resolved.name
        else:
            name = rc.text or _expr_text(rc.expr)
        items.append(ResultItem(resolved, name, expr_decltype(resolved),
                                alias=rc.alias, source=rc.expr))
    return items


def _star_ref(parse: Parse, nc: NameContext, item: SrcItem, i: int) -> ColumnRef:
    """Column ``i`` of ``item`` as ``*`` reads it (the INTEGER PRIMARY KEY
    as the rowid)."""
    rowid = i == table_rowid_alias(item.table) and not getattr(item.table, "is_ephemeral",
                                                                 False)
    return _column_ref(parse, item, -1 if rowid else i, 0, nc, name_col=i)


def _item_schema(parse: Parse, item: SrcItem) -> str:
    """The database name ``*`` writes before a FROM item's columns: the
    table's or view's database, ``*`` for a subquery."""
    if getattr(item.table, "is_ephemeral", False):
        return getattr(item.table, "schema_name", "*")
    return parse.db.db_name(getattr(item.table, "db_index", 0) or 0)


def _check_star_column(parse: Parse, src: SrcList, item: SrcItem, name: str) -> None:
    """With several FROM items SQLite expands ``*`` to ``db.table.column``
    names, so two items of one name (``FROM t, t``) make a column
    ambiguous; the copy of a USING column is not a second match."""
    if len(src) < 2 or getattr(item.table, "nested_from", False):
        return
    schema = _item_schema(parse, item)
    qualifier = item.display_name
    n = 0
    for other in src:
        if other is not item and (not other.matches(qualifier)
                                  or fold_name(_item_schema(parse, other)) != fold_name(schema)):
            continue
        if not any(_name_eq(c.name, name) for c in other.table.columns):
            continue
        if n and fold_name(name) in other.hidden_using:
            continue
        n += 1
    if n > 1:
        parse.error(f"ambiguous column name: {schema}.{qualifier}.{name}")


def _expand_nested_item(parse: Parse, nc: NameContext, item: SrcItem,
                        qualifier: str | None, items: list[ResultItem]) -> bool:
    """``*`` or ``t.*`` over a parenthesized join's subquery: ``*`` leaves
    out the copies of USING columns, ``t.*`` takes the columns that came
    from table t.  Whether any column was taken."""
    found = False
    for i, col in enumerate(item.table.columns):
        if column_hidden(col):
            continue
        if qualifier is None:
            if col.no_expand or fold_name(col.name) in item.hidden_using:
                continue
        elif not _span_matches(col.span, None, qualifier, None):
            continue
        found = True
        ref = _star_ref(parse, nc, item, i)
        if qualifier is None:
            ref = _right_join_using(parse, nc.src_list, item, col.name, ref, 0, nc)
        items.append(ResultItem(ref, col.name, getattr(col, "decl_type", None),
                                source=ast.Column(col.name, item.display_name)))
    return found


def _expand_nested_from(parse: Parse, nc: NameContext) -> list[ResultItem]:
    """The ``SELECT *`` of a parenthesized join (selectExpander with
    SF_NestedFrom): every column of every table, each remembering where it
    came from, and before a table joined to the next by USING (or NATURAL)
    the joined columns themselves, as the plain name reads them."""
    src = nc.src_list
    out: list[ResultItem] = []
    for k, item in enumerate(src):
        next_using = src[k + 1].using_names if k + 1 < len(src) else ()
        for name in next_using:
            ref = lookup_column(parse, ast.Column(name), nc)
            out.append(ResultItem(ref, name, expr_decltype(ref), span=("", "", name),
                                  using_term=True))
        own_using = {fold_name(n) for n in item.using_names} | {fold_name(n) for n in next_using}
        nested = getattr(item.table, "nested_from", False)
        db_name = _item_schema(parse, item)
        for i, col in enumerate(item.table.columns):
            if column_hidden(col):
                continue
            span = col.span if nested else (db_name, item.display_name, col.name)
            no_expand = fold_name(col.name) in own_using or bool(getattr(col, "no_expand", False))
            if not nested:
                _check_star_column(parse, src, item, col.name)
            ref = _star_ref(parse, nc, item, i)
            out.append(ResultItem(ref, col.name, getattr(col, "decl_type", None),
                                  source=ast.Column(col.name, item.display_name),
                                  span=span, no_expand=no_expand))
    if not src:
        parse.error("no tables specified")
    return out


def _expr_text(expr: ast.Expr) -> str:
    if isinstance(expr, ast.Column):
        return expr.name
    return "?"


def expr_decltype(expr: ast.Expr) -> str | None:
    """Declared type of a result column (columnType): a plain column's type."""
    if isinstance(expr, ColumnRef) and expr.item is not None:
        table = expr.item.table
        col_index = expr.column
        if col_index < 0:
            alias = table_rowid_alias(table)
            if alias is None or alias < 0:
                return "INTEGER"
            col_index = alias
        return getattr(table.columns[col_index], "decl_type", None)
    return None


def resolve_order_by(parse: Parse, terms: tuple[ast.OrderingTerm, ...] | tuple[ast.Expr, ...],
                     result: list[ResultItem], nc: NameContext, kind: str) -> list[ast.Expr]:
    """Resolve ORDER BY (``kind`` 'ORDER') or GROUP BY ('GROUP') terms:
    an integer constant picks a result column, a bare name may be an alias,
    anything else is resolved as an expression (resolveOrderGroupBy)."""
    out: list[ast.Expr] = []
    n = len(result)
    for i, term in enumerate(terms):
        e = term.expr if isinstance(term, ast.OrderingTerm) else term
        inner = e
        coll = None
        if isinstance(inner, ast.Collate):
            coll = inner.collation
            inner = inner.expr
        k = term_integer(inner)
        if k is not None:
            if k < 1 or k > n:
                parse.error(f"{_ordinal(i + 1)} {kind} BY term out of range - "
                            f"should be between 1 and {n}")
            r = result[k - 1].expr
            out.append(ast.Collate(r, coll) if coll else r)
            continue
        if isinstance(inner, ast.Column) and inner.table is None:
            match = None
            for item in result:
                if item.alias is not None and _name_eq(item.alias, inner.name):
                    match = item
                    break
            if match is not None and kind == "ORDER":
                out.append(ast.Collate(match.expr, coll) if coll else match.expr)
                continue
            if match is not None and kind == "GROUP":
                # GROUP BY alias: SQLite resolves the alias unless it names a column
                try:
                    r = resolve_expr(parse, e, nc)
                except Exception:
                    r = ast.Collate(match.expr, coll) if coll else match.expr
                out.append(r)
                continue
        out.append(resolve_expr(parse, e, nc))
    return out


def term_integer(e: ast.Expr) -> int | None:
    """The column number an ORDER BY / GROUP BY term names, if it is an
    integer constant that fits 32 bits, possibly under unary + or -
    (sqlite3ExprIsInteger); larger integers are ordinary constants."""
    if isinstance(e, ast.Unary) and e.op in ("+", "-"):
        k = term_integer(e.operand)
        if k is None:
            return None
        return -k if e.op == "-" else k
    if isinstance(e, ast.Literal) and isinstance(e.value, int) \
            and not isinstance(e.value, bool) and e.keyword is None \
            and -0x80000000 <= e.value <= 0x7FFFFFFF:
        return e.value
    return None


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def src_list_lookup(src: SrcList, cursor: int) -> SrcItem | None:
    return src.find_cursor(cursor)
