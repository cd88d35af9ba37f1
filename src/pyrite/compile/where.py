"""Compiler layer: the WHERE-clause loop generator (SQLite's ``where.c`` and
``wherecode.c``).

``where_begin`` splits the WHERE clause into AND-connected terms (reading
``col = constant`` into the other terms of a SELECT first, as select.c's
propagateConstants), chooses for each FROM item an access path -- rowid
equality (SeekRowid), rowid range (SeekGE/SeekGT + a rowid bound check),
index equality on a column prefix plus at most one range on the next column
(SeekGE/SeekGT + IdxGT/IdxGE, DeferredSeek or a covering-index read), an
automatic index built once per statement, or a full scan (Rewind/Next) --
and emits the loop heads; each term is coded at the outermost loop where all
its tables are available.  ``WhereInfo.end`` closes the loops
(sqlite3WhereEnd), including the NULL-row pass of a LEFT JOIN (IfPos/NullRow,
as SQLite).

A join's order and loops come from the cost-based planner in
``whereloop.py`` (SQLite's WhereLoop/WherePath search), which may also add
Bloom filters.  A single table keeps a simpler fixed ranking: rowid
equality < unique index fully matched by equalities < index equality (more
columns better) < rowid range < index range < full scan (a correlated
subquery may take an automatic index from the cost model).
"""

from __future__ import annotations
from pyrite.values import fold_name

from dataclasses import dataclass, field
from typing import Any

from pyrite import values
from pyrite.compile.context import (
    JT_LEFT, JT_RIGHT, Parse, SrcItem, SrcList, index_collations, index_columns,
    index_desc, index_is_partial, index_root, table_root,
)
from pyrite.compile.expr import (
    code_expr, code_expr_temp, code_if_false, compare_affinity, compare_collation,
    expr_affinity, truth_test, _can_be_null,
)
from pyrite.compile import gencol
from pyrite.compile.resolve import ColumnRef, FixedColumn, walk
from pyrite.compile import outer_join, vtab
from pyrite.schema.stats import log_est, table_row_est
from pyrite.sql import ast

# where_begin flags
WHERE_ORDERBY_MIN = 0x0001
WHERE_ORDERBY_MAX = 0x0002
WHERE_ONEPASS_DESIRED = 0x0004
WHERE_COVERING_OK = 0x0100      # the caller reads columns only through Column/Rowid
WHERE_NO_INDEX = 0x0200
WHERE_PROPAGATE_CONST = 0x0800  # a SELECT's WHERE: propagate column = constant

_COMMUTE = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "IS": "IS"}


@dataclass(eq=False)
class WhereTerm:
    """One AND-connected term (SQLite's ``WhereTerm``)."""

    expr: ast.Expr
    cursors: frozenset[int]          # FROM cursors referenced (this query level)
    coded: bool = False
    left_join_on: int = -1           # cursor of the LEFT JOIN rhs whose ON holds it
    from_on: bool = False            # an ON-clause term (not WHERE)
    deferred: bool = False           # WHERE term of a RIGHT JOIN: coded in its loop only
    on_item: int = -1                # cursor of the FROM item whose ON clause holds it
    parent: Any = None               # the BETWEEN this term is half of (one term to the planner)


@dataclass(eq=False)
class _Constraint:
    column: int          # table column, -1 = rowid
    op: str              # '=', '<', '<=', '>', '>=' with the column on the left
    rhs: ast.Expr
    term: WhereTerm
    is_is: bool = False  # '=' from ``col IS expr``: a NULL key matches NULL


@dataclass(eq=False)
class WhereLevel:
    """One nested loop (SQLite's ``WhereLevel`` + ``WhereLoop``)."""

    item: SrcItem
    plan: str = "scan"                 # scan | rowid_eq | rowid_range | index
    index: Any = None
    index_cursor: int = -1
    eq: list[_Constraint] = field(default_factory=list)
    lower: _Constraint | None = None
    upper: _Constraint | None = None
    covering: bool = False
    cost: float = 5.0
    addr_cont: int = 0        # label: next row of this loop
    addr_brk: int = 0         # label: this loop is done
    addr_body: int = 0        # address of the loop's first instruction (Next target)
    next_op: str | None = None
    next_cursor: int = -1
    reg_match: int = 0        # LEFT JOIN: 1 once a row matched
    addr_first: int = 0
    # IN (...) driving the loop: the set's cursor, the label of its Next,
    # and the address of the loop over its values
    in_cursor: int = -1
    in_next: int = 0
    in_top: int = 0
    reverse: bool = False     # full scan backwards (Last/Prev) for ORDER BY DESC
    vtab: Any = None          # plan "vtab": the module's choice (compile/vtab.py)
    auto_partial: bool = False  # plan "auto": the automatic index is partial
    bloom: bool = False       # a Bloom filter of the keys is checked before the seek
    reg_filter: int = 0       # its register, once built


def visits_one_row(level: WhereLevel) -> bool:
    """Whether a WHERE loop can visit at most one row (SQLite's
    WHERE_ONEROW): a rowid equality, or '=' on every key column of a
    UNIQUE index (not IS, which matches all NULLs; not IN)."""
    if level.plan == "rowid_eq":
        return True
    index = level.index
    return (level.plan == "index" and bool(getattr(index, "unique", False))
            and len(level.eq) == index.n_key_col and level.lower is None
            and level.upper is None
            and all(c.op == "=" and not c.is_is for c in level.eq))


def _split_and(expr: ast.Expr | None, out: list[ast.Expr],
               parents: dict[int, Any] | None = None) -> None:
    """The AND-connected terms of ``expr``; ``parents`` maps the two
    halves of a split BETWEEN to it."""
    if expr is None:
        return
    if isinstance(expr, ast.Binary) and expr.op.upper() == "AND":
        _split_and(expr.left, out, parents)
        _split_and(expr.right, out, parents)
    elif isinstance(expr, ast.Between) and not expr.negated \
            and isinstance(expr.expr, ColumnRef):
        # x BETWEEN a AND b on a column: two range terms the planner can use
        halves = [ast.Binary(">=", expr.expr, expr.low), ast.Binary("<=", expr.expr, expr.high)]
        out.extend(halves)
        if parents is not None:
            for h in halves:
                parents[id(h)] = expr
    else:
        out.append(expr)


def expr_cursors(expr: Any) -> frozenset[int]:
    """Cursors of this query level referenced by ``expr`` (exprTableUsage).

    A subquery makes the term depend on every table (correlation is not
    tracked finer than that): such a term is coded in the innermost loop.
    """
    found: set[int] = set()
    all_tables = False

    def visit(e: Any) -> None:
        nonlocal all_tables
        if isinstance(e, ColumnRef) and e.depth == 0:
            found.add(e.cursor)
        elif isinstance(e, (ast.Subquery, ast.Exists)) or \
                (isinstance(e, ast.In) and e.select is not None):
            all_tables = True
    walk(expr, visit)
    if all_tables:
        found.add(-1)   # marker: needs every table
    return frozenset(found)


class WhereInfo:
    """The loops opened by :func:`where_begin` (SQLite's ``WhereInfo``)."""

    def __init__(self, parse: Parse, src: SrcList, terms: list[WhereTerm],
                 levels: list[WhereLevel]) -> None:
        self.parse = parse
        self.src = src
        self.terms = terms
        self.levels = levels
        self.break_label = parse.label()
        self.order_satisfied = False
        self.continue_label = 0
        self.right_joins: list[Any] = []   # outer_join.RightJoin of each RIGHT/FULL join

    def end(self) -> None:
        """Close the loops (sqlite3WhereEnd)."""
        parse = self.parse
        rj_of = {id(rj.level): rj for rj in self.right_joins}
        for level in reversed(self.levels):
            rj = rj_of.get(id(level))
            if rj is not None:
                outer_join.end_body(parse, rj)
            parse.resolve(level.addr_cont)
            if level.next_op is not None:
                parse.emit(level.next_op, level.next_cursor, level.addr_body, 0, None, 1)
            if level.in_cursor >= 0:
                parse.resolve(level.in_next)
                parse.emit("Next", level.in_cursor, level.in_top, 0, None, 1)
            parse.resolve(level.addr_brk)
            if level.reg_match:
                addr = parse.emit("IfPos", level.reg_match, 0, 1)
                if not level.covering:
                    parse.emit("NullRow", level.item.cursor)
                if level.index_cursor >= 0:
                    parse.emit("NullRow", level.index_cursor)
                parse.emit("Goto", 0, level.addr_first)
                parse.builder.change_p2(addr, parse.current_addr())
        for rj in self.right_joins:
            outer_join.code_unmatched_pass(parse, rj, self.levels)
        parse.resolve(self.break_label)
        for level in self.levels:
            parse.covering.pop(level.item.cursor, None)


def where_begin(parse: Parse, src: SrcList, where: ast.Expr | None,
                order_by: list[ast.Expr] | None = None, flags: int = 0,
                order_desc: list[bool] | None = None,
                before_loops: Any = None) -> WhereInfo:
    """Open the nested loops over ``src`` that visit the rows where ``where``
    holds (sqlite3WhereBegin).  ``where`` and ``order_by`` are resolved
    expressions.  After this call the caller codes the loop body, jumping to
    ``info.continue_label`` to skip a row, then calls ``info.end()``.
    ``before_loops(order_satisfied)`` is called once the plan is chosen and
    before any loop code (select.py opens its sorter there).
    """
    exprs: list[ast.Expr] = []
    parents: dict[int, Any] = {}
    _split_and(where, exprs, parents)
    terms = [WhereTerm(e, expr_cursors(e), parent=parents.get(id(e))) for e in exprs]
    for item in src:
        if item.on is not None:
            on_exprs: list[ast.Expr] = []
            _split_and(item.on, on_exprs, parents)
            for e in on_exprs:
                t = WhereTerm(e, expr_cursors(e), from_on=True, parent=parents.get(id(e)),
                              on_item=item.cursor)
                if item.jointype & (JT_LEFT | JT_RIGHT):
                    t.left_join_on = item.cursor
                terms.append(t)

    if flags & WHERE_PROPAGATE_CONST and not any(item.jointype & JT_RIGHT for item in src):
        propagate_constants(parse, terms)
    if flags & WHERE_COVERING_OK and any(_has_subquery(t.expr) for t in terms):
        # a subquery in WHERE/ON resolves its outer column references only
        # when it is coded: the columns used are not all known yet
        flags &= ~WHERE_COVERING_OK
    levels = [WhereLevel(item) for item in src]
    if not levels and parse.is_explain == 2:
        parse.emit("Explain", parse.current_addr(), getattr(parse, "explain_parent", 0),
                   0, "SCAN CONSTANT ROW")
    right_joins = outer_join.find_right_joins(parse, levels)
    rj_of = {id(rj.level): rj for rj in right_joins}
    if right_joins:
        # WHERE terms must not filter the left operand before the right
        # row's match is recorded (nor narrow any loop); nor may the ON
        # terms of an inner join to the right of a RIGHT JOIN, which filter
        # its null-extended rows too (they are coded at their own item).
        first_rj = next(i for i, item in enumerate(src) if item.jointype & JT_RIGHT)
        late = {item.cursor for item in src[first_rj + 1:]
                if not item.jointype & (JT_LEFT | JT_RIGHT)}
        for t in terms:
            t.deferred = (not t.from_on or t.on_item in late) and bool(t.cursors)
    available: set[int] = set()
    joined = None
    if len(levels) > 1:
        joined = _plan_join(parse, levels, terms, flags)
    elif levels and getattr(parse, "expr_subquery_depth", 0) > 0 and \
            any(_has_outer_ref(t.expr) for t in terms):
        joined = _plan_correlated(parse, levels, terms, flags)
    if joined is not None:
        levels = joined
    else:
        for level in levels:
            _choose_plan(parse, level, terms, frozenset(available), flags)
            available.add(level.item.cursor)
    if joined is not None:
        pass    # full scans of covering indexes were costed with the rest
    elif len(levels) == 1 and levels[0].plan == "scan":
        _choose_index_scan(parse, levels[0], flags, order_by, order_desc, terms)
    else:
        # in a join any full scan may read a narrower covering index instead
        for level in levels:
            if level.plan == "scan":
                _choose_index_scan(parse, level, flags, None, None, terms)
    for rj in right_joins:
        outer_join.restrict_plan(rj.level)

    info = WhereInfo(parse, src, terms, levels)
    info.right_joins = right_joins
    if order_by and (len(levels) == 1 or (
            not right_joins and _refers_only_to(order_by, levels[0].item.cursor))):
        # nested loops keep the outer loop's order: an ORDER BY on the
        # outer table alone needs only that loop to deliver it
        info.order_satisfied = _order_satisfied(parse, levels[0], order_by,
                                                order_desc or [False] * len(order_by))

    if before_loops is not None:
        before_loops(info.order_satisfied)
    # Open the cursors (before the loops, as SQLite does).
    for level in levels:
        _open_cursors(parse, level, flags)
    for rj in right_joins:
        outer_join.open_match_index(parse, rj)

    # Constant terms: evaluated once before the loops.
    for t in terms:
        if not t.cursors and t.left_join_on < 0:
            code_if_false(parse, t.expr, info.break_label, True)
            t.coded = True

    all_cursors = {lv.item.cursor for lv in levels}
    available = set()
    for i, level in enumerate(levels):
        level.addr_brk = parse.label() if i or right_joins else info.break_label
        level.addr_cont = parse.label()
        available.add(level.item.cursor)
        if level.item.jointype & JT_LEFT:
            level.reg_match = parse.alloc_reg()
            parse.emit("Integer", 0, level.reg_match)
        if level.plan == "auto":
            _build_auto_index(parse, level, terms, frozenset(available - {level.item.cursor}),
                              flags)
        elif level.bloom and not level.reg_filter:
            _build_bloom_filters(parse, levels, i, terms, available - {level.item.cursor})
        _explain_level(parse, level, flags)
        _code_level(parse, level)
        last = i == len(levels) - 1
        # ON terms of this LEFT JOIN first, then the match flag.
        for t in terms:
            if t.coded or t.left_join_on != level.item.cursor:
                continue
            # An ON clause names no table to its right, so its terms are all
            # ready here (even those whose subqueries mark them as needing
            # every table).
            if _ready(t, available, all_cursors, last) or -1 in t.cursors:
                code_if_false(parse, t.expr, level.addr_cont, True)
                t.coded = True
        rj = rj_of.get(id(level))
        if rj is not None:
            outer_join.code_match_record(parse, rj)
        if level.reg_match:
            level.addr_first = parse.current_addr()
            parse.emit("Integer", 1, level.reg_match)
        skip = level.addr_cont
        if rj is not None:
            # the rest of this loop and the loops inside it: a subroutine,
            # also called by the final pass over unmatched right-hand rows
            outer_join.begin_body(parse, rj)
            skip = rj.ret
        for t in terms:
            if t.coded:
                continue
            if t.left_join_on >= 0 and t.left_join_on not in available:
                continue
            # beside a RIGHT JOIN an inner join's ON terms are coded at their
            # own item at the latest (never in a later final pass), and
            # there only when they come after the RIGHT JOIN
            own_on = bool(right_joins) and t.from_on and t.on_item == level.item.cursor
            if t.deferred and not last and not own_on:
                continue
            if own_on or _ready(t, available, all_cursors, last):
                code_if_false(parse, t.expr, skip, True)
                t.coded = True
    info.continue_label = levels[-1].addr_cont if levels else info.break_label
    if levels and id(levels[-1]) in rj_of:
        info.continue_label = rj_of[id(levels[-1])].ret
    if not levels:
        # No FROM clause: a single pass; WHERE terms were coded above.
        for t in terms:
            if not t.coded:
                code_if_false(parse, t.expr, info.break_label, True)
                t.coded = True
    return info


def _plan_join(parse: Parse, levels: list[WhereLevel], terms: list[WhereTerm],
               flags: int) -> list[WhereLevel] | None:
    """Choose the join order and each table's loop by cost (whereloop.py);
    the levels come back in loop order.  None when no order works."""
    from pyrite.compile import whereloop
    builder = whereloop.LoopBuilder(parse, levels, terms, flags, _this_module())
    builder.add_all()
    path = whereloop.solve(builder.loops, len(levels))
    if len(path) != len(levels):
        return None
    whereloop.mark_bloom_filters(path, levels)
    out = []
    for loop in path:
        level = levels[loop.tab]
        level.plan = loop.plan
        level.index = loop.index
        level.eq = list(loop.eq)
        level.lower = loop.lower
        level.upper = loop.upper
        level.vtab = loop.vtab
        level.bloom = bool(loop.flags & whereloop.WHERE_BLOOMFILTER)
        level.covering = loop.plan == "index" and bool(flags & WHERE_COVERING_OK) \
            and not level.bloom \
            and _is_covering(level.item.table, loop.index, level.item.col_used)
        out.append(level)
    return out


def _plan_correlated(parse: Parse, levels: list[WhereLevel], terms: list[WhereTerm],
                     flags: int) -> list[WhereLevel] | None:
    """A correlated subquery runs once per outer row: SQLite's planner
    then starts from up to 28 repetitions (nQueryLoop), which can pay
    for an automatic index.  Only that choice is taken from the cost
    model here; the single-table planner decides otherwise."""
    from pyrite.compile import whereloop
    builder = whereloop.LoopBuilder(parse, levels, terms, flags, _this_module())
    builder.add_all()
    path = whereloop.solve(builder.loops, 1, n_query_loop=48)
    if len(path) != 1 or path[0].plan != "auto":
        return None
    level = levels[0]
    level.plan = "auto"
    level.eq = list(path[0].eq)
    return levels


def _has_outer_ref(expr: Any) -> bool:
    found = False

    def visit(e: Any) -> None:
        nonlocal found
        if isinstance(e, ColumnRef) and e.depth > 0:
            found = True
    walk(expr, visit)
    return found


def _refers_only_to(exprs: list[ast.Expr], cursor: int) -> bool:
    return all(expr_cursors(e) == frozenset({cursor}) for e in exprs)


def _this_module() -> Any:
    import sys
    return sys.modules[__name__]


@dataclass(eq=False)
class AutoIndex:
    """The transient index of an automatic-index loop (constructAutomaticIndex):
    the equality columns, then every other column the query reads, then the
    rowid, so the loop never reads the table."""

    table: Any
    columns: list[int]
    collations: list[str | None]
    n_key_col: int
    name: str = "auto-index"
    unique: bool = False
    where: Any = None
    on_conflict: int = 0

    @property
    def desc(self) -> list[bool]:
        return [False] * len(self.columns)

    @property
    def key_info(self) -> values.KeyInfo:
        colls = [values.BUILTIN_COLLATIONS.get(fold_name((c or "binary")))
                 if (c or "BINARY").upper() != "BINARY" else None for c in self.collations]
        return values.KeyInfo(colls, [False] * len(colls))


def _build_auto_index(parse: Parse, level: WhereLevel, terms: list[WhereTerm],
                      ready: frozenset[int], flags: int) -> None:
    """Fill the automatic index once per statement (constructAutomaticIndex):
    key it on every equality the tables already looped can feed, keep only
    the rows the table's own terms allow (a partial index), and turn the
    loop into an index seek on it."""
    from pyrite.compile import whereloop
    from pyrite.compile.build import code_index_key
    item = level.item
    table = item.table
    cur = item.cursor
    builder = whereloop.LoopBuilder(parse, [level], terms, 0, _this_module())
    cons = builder.drive_order(item, _constraints_for(parse, item, terms, ready))
    key_cons: list[_Constraint] = []
    seen: set[int] = set()
    for c in cons:
        col = min(c.column, 63)
        if col not in seen:
            seen.add(col)
            key_cons.append(c)
    partial = [t for t in terms if _is_table_constraint(t, item)]
    cols = [c.column for c in key_cons]
    colls: list[str | None] = []
    for c in key_cons:
        t = c.term.expr
        assert isinstance(t, ast.Binary)
        colls.append(_coll_name(compare_collation(parse, t.left, t.right)))
    used = item.col_used
    n_table = len(table.columns)
    for i in range(min(63, n_table)):
        if used >> i & 1 and i not in seen:
            cols.append(i)
            colls.append(None)
    if used >> 63:
        for i in range(63, n_table):
            cols.append(i)
            colls.append(None)
    n_key = len(cols)
    ix = AutoIndex(table, cols + [-1], colls + [None], n_key)
    level.index = ix
    level.eq = key_cons
    level.covering = bool(flags & WHERE_COVERING_OK) and \
        _covering_map(table, ix, used) is not None
    level.auto_partial = bool(partial)
    once = parse.emit("Once", 0, 0)
    level.index_cursor = parse.alloc_cursor()
    parse.emit("OpenAutoindex", level.index_cursor, n_key + 1, 0, ix.key_info)
    top = parse.emit("Rewind", cur, 0)
    skip = parse.label()
    for t in partial:
        code_if_false(parse, t.expr, skip, True)
    base = parse.alloc_reg(n_key + 1)
    if getattr(table, "is_ephemeral", False):
        # a materialized subquery: its columns as stored
        for j, col in enumerate(ix.columns):
            if col < 0:
                parse.emit("Rowid", cur, base + j)
            else:
                parse.emit("Column", cur, col, base + j)
    else:
        code_index_key(parse, table, ix, cur, base)
    rec = parse.get_temp_reg()
    parse.emit("MakeRecord", base, n_key + 1, rec)
    parse.emit("IdxInsert", level.index_cursor, rec, 0, None, 0x10)
    parse.release_temp_reg(rec)
    parse.resolve(skip)
    parse.emit("Next", cur, top + 1)
    parse.builder.change_p2(top, parse.current_addr())
    parse.builder.change_p2(once, parse.current_addr())


def _build_bloom_filters(parse: Parse, levels: list[WhereLevel], i: int,
                         terms: list[WhereTerm], ready: set[int]) -> None:
    """Fill the Bloom filter of level ``i`` once per statement
    (sqlite3ConstructBloomFilter): scan its table, skip the rows its own
    terms reject, add each row's seek key.  Later levels whose filters need
    no table not yet looped are filled in the same pass of Once (the
    Bloom-filter pull-down), so their EQP lines come first too."""
    once = parse.emit("Once", 0, 0)
    while True:
        level = levels[i]
        item = level.item
        table = item.table
        cur = item.cursor
        name = item.display_name if item.alias is None else item.alias
        if parse.is_explain == 2:
            parse.emit("Explain", parse.current_addr(), getattr(parse, "explain_parent", 0),
                       0, f"BLOOM FILTER ON {name} ({_bloom_keys(level)})")
        level.reg_filter = parse.alloc_reg()
        rows = _log_est_to_int(table_row_est(table))
        parse.emit("Blob", min(max(rows, 10000), 10000000), level.reg_filter)
        top = parse.emit("Rewind", cur, 0)
        skip = parse.label()
        for t in terms:
            if _is_table_constraint(t, item):
                code_if_false(parse, t.expr, skip, True)
        if level.plan == "rowid_eq":
            r = parse.get_temp_reg()
            parse.emit("Rowid", cur, r)
            parse.emit("FilterAdd", level.reg_filter, 0, r, 1)
            parse.release_temp_reg(r)
        else:
            n = len(level.eq)
            base = parse.alloc_reg(n)
            from pyrite.compile.build import code_index_key
            key = _KeyPrefix(level.index, n)
            code_index_key(parse, table, key, cur, base)
            parse.emit("FilterAdd", level.reg_filter, 0, base, n)
        parse.resolve(skip)
        parse.emit("Next", cur, top + 1)
        parse.builder.change_p2(top, parse.current_addr())
        ready = ready | {cur}
        nxt = None
        for j in range(i + 1, len(levels)):
            lv = levels[j]
            if lv.item.jointype & JT_LEFT:
                continue
            if not _needs_only(lv, terms, ready | {lv.item.cursor}):
                continue
            if lv.bloom and not lv.reg_filter and not (lv.eq and lv.eq[0].op == "IN"):
                nxt = j
                break
        if nxt is None:
            break
        i = nxt
    parse.builder.change_p2(once, parse.current_addr())


def _log_est_to_int(x: int) -> int:
    """sqlite3LogEstToInt: the count a LogEst stands for."""
    n = x % 10
    x //= 10
    if n >= 5:
        n -= 2
    elif n >= 1:
        n -= 1
    if x > 60:
        return 2**63 - 1
    return (n + 8) << (x - 3) if x >= 3 else (n + 8) >> (3 - x)


class _KeyPrefix:
    """The first ``n`` columns of an index, as code_index_key reads them."""

    def __init__(self, index: Any, n: int) -> None:
        self.columns = index_columns(index)[:n]
        self.exprs = getattr(index, "exprs", None)
        self.table = getattr(index, "table", None)
        self.name = index.name
        self._index = index

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)


def _needs_only(level: WhereLevel, terms: list[WhereTerm], ready: set[int]) -> bool:
    """The level's seek keys need only the tables in ``ready``."""
    for c in level.eq:
        if not (expr_cursors(c.rhs) - {-1}) <= ready:
            return False
    return True


def _bloom_keys(level: WhereLevel) -> str:
    item = level.item
    if level.plan == "rowid_eq":
        from pyrite.compile.context import table_rowid_alias
        ipk = table_rowid_alias(item.table)
        return f"{item.table.columns[ipk].name}=?" if ipk >= 0 else "rowid=?"
    cols = index_columns(level.index)
    return " AND ".join(f"{_col_name(item.table, cols[j])}=?" for j in range(len(level.eq)))


def _is_table_constraint(t: WhereTerm, item: SrcItem) -> bool:
    """sqlite3ExprIsTableConstraint: a term naming only this table (its own
    ON clause for the right side of a LEFT JOIN), free of subqueries."""
    # (a term naming no table at all qualifies too)
    if not t.cursors <= frozenset({item.cursor}) or _has_outer_ref(t.expr):
        return False
    if t.deferred:
        return False    # a WHERE term beside a RIGHT JOIN: it must not drop rows early
    if item.jointype & JT_LEFT:
        return t.left_join_on == item.cursor
    return t.left_join_on < 0


# ---------------------------------------------------------------------------
# Constant propagation (select.c's propagateConstants)
# ---------------------------------------------------------------------------

_PROPAGATE_COMPARISONS = ("=", "==", ">", "<=", "<", ">=", "IS")


def propagate_constants(parse: Parse, terms: list[WhereTerm]) -> None:
    """With ``col = constant`` among the AND terms (outside outer-join ON
    clauses, under BINARY), read ``col`` elsewhere in them as that constant
    with the column's affinity: ``t1.b = t2.x AND t2.x = 5`` then also
    constrains t1 alone, which the planner can use.  The constant must have
    no affinity of its own; when some such column has BLOB affinity, it is
    replaced only as an operand of a comparison (the right one only when
    the left is not TEXT), as SQLite does."""
    if len({id(t.parent if t.parent is not None else t) for t in terms}) < 2:
        return
    while True:
        consts: dict[tuple[int, int], tuple[ColumnRef, Any]] = {}
        for t in terms:
            e = t.expr
            if t.left_join_on >= 0 or t.parent is not None or \
                    not isinstance(e, ast.Binary) or e.op not in ("=", "=="):
                continue
            if _coll_name(compare_collation(parse, e.left, e.right)) != "BINARY":
                continue
            for col, val in ((e.right, e.left), (e.left, e.right)):
                if isinstance(col, ColumnRef) and col.depth == 0 and _is_plain_constant(val):
                    consts.setdefault((col.cursor, col.column), (col, val))
        if not consts:
            return
        has_blob = any(col.affinity == values.AFF_BLOB for col, _ in consts.values())
        changed = False
        for t in terms:
            if t.left_join_on >= 0:
                continue
            new = _propagate(t.expr, consts, has_blob)
            if new is not t.expr:
                t.expr = new
                t.cursors = expr_cursors(new)
                changed = True
        if not changed:
            return


def _is_plain_constant(e: Any) -> bool:
    from pyrite.compile.expr import is_constant
    return is_constant(e) and expr_affinity(e) == values.AFF_NONE and \
        not isinstance(e, FixedColumn)


def _fix_column(e: Any, consts: dict[tuple[int, int], tuple[ColumnRef, Any]],
                ignore_blob: bool) -> Any:
    if not (isinstance(e, ColumnRef) and e.depth == 0):
        return e
    hit = consts.get((e.cursor, e.column))
    if hit is None or hit[0] is e:
        return e
    if ignore_blob and hit[0].affinity == values.AFF_BLOB:
        return e
    return FixedColumn(e, hit[1])


def _propagate(e: Any, consts: dict[tuple[int, int], tuple[ColumnRef, Any]],
               has_blob: bool) -> Any:
    """``e`` with the constant columns replaced (a new tree, or ``e``)."""
    import dataclasses
    if isinstance(e, ColumnRef):
        return _fix_column(e, consts, has_blob)
    if not isinstance(e, ast.Expr) or isinstance(
            e, (FixedColumn, ast.Subquery, ast.Exists, ast.Select)):
        return e
    changes: dict[str, Any] = {}
    if has_blob and isinstance(e, ast.Binary) and e.op.upper() in _PROPAGATE_COMPARISONS:
        left = _fix_column(e.left, consts, False)
        right = e.right
        if expr_affinity(left) != values.AFF_TEXT:
            right = _fix_column(e.right, consts, False)
        if left is not e.left:
            changes["left"] = left
        if right is not e.right:
            changes["right"] = right
    for f in dataclasses.fields(e):
        v = changes.get(f.name, getattr(e, f.name))
        if isinstance(v, ast.Select):
            continue
        nv = _propagate_value(v, consts, has_blob)
        if nv is not v:
            changes[f.name] = nv
    return dataclasses.replace(e, **changes) if changes else e


def _propagate_value(v: Any, consts: Any, has_blob: bool) -> Any:
    if isinstance(v, ast.Expr):
        return _propagate(v, consts, has_blob)
    if isinstance(v, tuple):
        items = tuple(_propagate_value(x, consts, has_blob) for x in v)
        return items if any(a is not b for a, b in zip(items, v)) else v
    return v


def _has_subquery(expr: Any) -> bool:
    found = False

    def visit(e: Any) -> None:
        nonlocal found
        if isinstance(e, (ast.Subquery, ast.Exists)) or (
                isinstance(e, ast.In) and e.select is not None):
            found = True
    walk(expr, visit)
    return found


def _ready(term: WhereTerm, available: set[int], all_cursors: set[int], last: bool) -> bool:
    if -1 in term.cursors:
        return last
    return term.cursors <= available or (last and term.cursors - all_cursors <= {-1}
                                         and (term.cursors & all_cursors) <= available)


# ---------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------

def _constraints_for(parse: Parse, item: SrcItem, terms: list[WhereTerm],
                     outer: frozenset[int]) -> list[_Constraint]:
    """Terms of the form ``column <op> expr`` usable to search ``item``."""
    out: list[_Constraint] = []
    cursor = item.cursor
    for t in terms:
        if t.coded or t.deferred:
            continue
        if t.left_join_on >= 0 and t.left_join_on != cursor:
            continue
        if item.jointype & (JT_LEFT | JT_RIGHT) and t.left_join_on != cursor:
            continue  # a WHERE term must not restrict the rhs of a LEFT JOIN
        e = t.expr
        if isinstance(e, ast.In) and not e.negated and e.values and \
                isinstance(e.expr, ColumnRef) and e.expr.cursor == cursor and \
                e.expr.depth == 0 and not any(isinstance(v, ast.Vector) for v in e.values):
            deps = frozenset().union(*(expr_cursors(v) for v in e.values))
            if cursor not in deps and -1 not in deps and deps <= outer:
                out.append(_Constraint(e.expr.column, "IN", e, t))
            continue
        if isinstance(e, ast.IsNull) and not e.negated and not vtab.is_virtual(item.table):
            # col IS NULL: an equality seek on a NULL key (WO_ISNULL), for a
            # column that may hold NULL
            col = e.expr
            if isinstance(col, ColumnRef) and col.cursor == cursor and col.depth == 0 \
                    and col.column >= 0 \
                    and not getattr(item.table.columns[col.column], "not_null", False):
                null = ast.Literal(None)
                probe = WhereTerm(ast.Binary("IS", col, null), t.cursors, parent=t)
                out.append(_Constraint(col.column, "=", null, probe, True))
            continue
        if not isinstance(e, ast.Binary):
            continue
        op = e.op.upper()
        if op not in _COMMUTE or (op == "IS" and vtab.is_virtual(item.table)):
            continue
        is_is = op == "IS"
        if is_is and truth_test(e) is not None:
            continue     # x IS TRUE/FALSE tests truth, not equality (TK_TRUTH)
        if is_is:
            op = "="     # an equality seek that keeps NULL keys (WO_IS)
        for col_side, other, o in ((e.left, e.right, op), (e.right, e.left, _COMMUTE[op])):
            col = col_side
            while isinstance(col, ast.Collate):
                col = col.expr
            if not (isinstance(col, ColumnRef) and col.cursor == cursor and col.depth == 0):
                if expr_cursors(col) == {cursor}:
                    deps = expr_cursors(other)
                    if cursor in deps or -1 in deps or not deps <= outer:
                        continue
                    keys = gencol.index_expr_keys(parse, item, col)
                    for key in keys:
                        out.append(_Constraint(key, o, other, t,  # type: ignore[arg-type]
                                               is_is))
                    if keys:
                        break
                continue
            deps = expr_cursors(other)
            if cursor in deps or -1 in deps or not deps <= outer:
                continue
            out.append(_Constraint(col.column, o, other, t, is_is))
            break
    return out


def _affinity_ok(parse: Parse, c: _Constraint, col_aff: str, col_expr: ast.Expr) -> bool:
    """sqlite3IndexAffinityOk: may the comparison use an index on this column?"""
    t = c.term.expr
    assert isinstance(t, ast.Binary)
    aff = compare_affinity(t.left, t.right)
    if aff in (values.AFF_BLOB, values.AFF_NONE):
        return True
    if aff == values.AFF_TEXT:
        return col_aff == values.AFF_TEXT
    return col_aff >= values.AFF_NUMERIC


def _coll_name(c: values.Collation | None) -> str:
    return (c.name if c is not None else "BINARY").upper()


def _choose_plan(parse: Parse, level: WhereLevel, terms: list[WhereTerm],
                 outer: frozenset[int], flags: int) -> None:
    item = level.item
    table = item.table
    if vtab.is_virtual(table):
        vtab.choose_plan(parse, level, _constraints_for(parse, item, terms, outer))
        return
    if getattr(table, "is_ephemeral", False) and not table_root(table):
        level.plan = "scan"
        return
    cons = _constraints_for(parse, item, terms, outer)
    # rowid
    rowid_eq = [c for c in cons if c.column == -1 and c.op == "="
                and _affinity_ok(parse, c, values.AFF_INTEGER, c.rhs)]
    if rowid_eq:
        level.plan = "rowid_eq"
        level.eq = [rowid_eq[0]]
        level.cost = 0
        return
    rowid_in = [c for c in cons if c.column == -1 and c.op == "IN"
                and expr_affinity(c.rhs.expr) >= values.AFF_NUMERIC]
    if rowid_in:
        level.plan = "rowid_in"
        level.eq = [rowid_in[0]]
        level.cost = 0.5
        return
    best_cost = 5.0
    rowid_lo = [c for c in cons if c.column == -1 and c.op in (">", ">=")
                and _affinity_ok(parse, c, values.AFF_INTEGER, c.rhs)]
    rowid_hi = [c for c in cons if c.column == -1 and c.op in ("<", "<=")
                and _affinity_ok(parse, c, values.AFF_INTEGER, c.rhs)]
    if rowid_lo or rowid_hi:
        level.plan = "rowid_range"
        level.lower = rowid_lo[0] if rowid_lo else None
        level.upper = rowid_hi[0] if rowid_hi else None
        best_cost = 3.5 if (rowid_lo and rowid_hi) else 3.9
        level.cost = best_cost
    if item.not_indexed or flags & WHERE_NO_INDEX:
        return
    indexes = list(getattr(table, "indexes", None) or ())
    if item.indexed_by is not None:
        indexes = [ix for ix in indexes if fold_name(ix.name) == fold_name(item.indexed_by)]
        if not indexes:
            parse.error(f"no such index: {item.indexed_by}")
    # In SQLite's index list order (newest first): of equally good
    # indexes the first one tried is kept, as SQLite's planner does.
    from pyrite.compile.insert import sqlite_index_order
    for ix in [indexes[k] for k in sqlite_index_order(indexes)]:
        if index_is_partial(ix) and not partial_index_usable(parse, item, ix, terms):
            continue
        cols, colls, descs = _search_columns(ix)
        eq: list[_Constraint] = []
        lower = upper = None
        # after the key columns the rowid (not after a unique key)
        seek_cols = cols if getattr(ix, "unique", False) \
            or getattr(table, "without_rowid", False) else cols + [-1]
        for pos, tcol in enumerate(seek_cols):
            col_aff = _index_col_affinity(parse, item, ix, pos)
            if pos == len(cols):
                coll, key = "BINARY", -1
            else:
                coll = (colls[pos] or "BINARY").upper()
                key = gencol.plan_column_key(ix, pos, tcol)

            def usable(c: _Constraint) -> bool:
                if c.column != key:
                    return False
                t = c.term.expr
                assert isinstance(t, ast.Binary)
                if _coll_name(compare_collation(parse, t.left, t.right)) != coll:
                    return False
                return _affinity_ok(parse, c, col_aff, c.rhs)
            e = [c for c in cons if c.op == "=" and usable(c)]
            if e:
                eq.append(e[0])
                if len(eq) == getattr(ix, "n_key_col", -1) and getattr(ix, "unique", False):
                    break   # one row at most: the columns after the key do not help
                continue
            if pos == 0:
                ins = [c for c in cons if c.op == "IN" and c.column == key
                       and _in_usable(parse, c, colls[pos], col_aff)]
                if ins:
                    eq.append(ins[0])
                    break   # IN seeks use the first column only
            if pos == len(cols) or not descs[pos]:
                lo = [c for c in cons if c.op in (">", ">=") and usable(c)]
                hi = [c for c in cons if c.op in ("<", "<=") and usable(c)]
                lower = lo[0] if lo else None
                upper = hi[0] if hi else None
            break
        if not eq and lower is None and upper is None:
            continue
        unique = bool(getattr(ix, "unique", False))
        if eq and len(eq) >= len(index_columns(ix)) and unique:
            cost = 1.0
        elif eq:
            cost = 2.0 - min(len(eq), 9) / 10 - (0.05 if (lower or upper) else 0)
        else:
            cost = 4.0 - (0.1 if (lower and upper) else 0)
        if index_is_partial(ix):
            cost -= 0.01    # fewer rows: SQLite prefers it among equal plans
        if cost < best_cost:
            best_cost = cost
            level.plan = "index"
            level.index = ix
            level.eq = eq
            level.lower = lower
            level.upper = upper
            level.cost = cost
    if level.plan == "index" and flags & WHERE_COVERING_OK:
        level.covering = _is_covering(table, level.index, item.col_used)


def partial_index_usable(parse: Parse, item: SrcItem, index: Any,
                         terms: list[WhereTerm]) -> bool:
    """Whether the rows a query wants of ``item`` all lie in partial
    ``index`` (whereUsablePartialIndex): each AND term of the index's WHERE
    is implied by one WHERE term (an ON term only of this table's own
    outer join; for the inner side of an outer join only those)."""
    from pyrite.compile.build import resolve_on_table
    cache = parse.__dict__.setdefault("_partial_where", {})
    key = (id(index), item.cursor)
    if key not in cache:
        parts: list[ast.Expr] = []
        _split_and(resolve_on_table(parse, item.table, item.cursor, index.where), parts)
        cache[key] = (index, parts)
    parts = cache[key][1]
    # The inner side of an outer join takes only its own ON terms.
    outer = bool(item.jointype & (JT_LEFT | JT_RIGHT))
    usable = [t.expr for t in terms
              if t.left_join_on == item.cursor
              or (t.left_join_on == -1 and not outer)]
    return all(any(_implies(parse, e, part) for e in usable) for part in parts)


def _implies(parse: Parse, e1: Any, e2: Any) -> bool:
    """sqlite3ExprImpliesExpr: true only when ``e1`` being true makes
    ``e2`` true: the same expression, one side of an OR, or ``x IS NOT
    NULL`` after a comparison that rejects a NULL x."""
    if gencol.same_expr(e1, e2):
        return True
    if isinstance(e2, ast.Binary) and e2.op.upper() == "OR":
        return _implies(parse, e1, e2.left) or _implies(parse, e1, e2.right)
    operand = _not_null_operand(e2)
    if operand is not None:
        return _implies_not_null(e1, operand, False)
    return False


def _not_null_operand(e: Any) -> Any:
    """X of ``X IS NOT NULL`` / ``X NOTNULL``, else None."""
    if isinstance(e, ast.IsNull) and e.negated:
        return e.expr
    if isinstance(e, ast.Binary) and e.op.upper() == "IS NOT" and \
            isinstance(e.right, ast.Literal) and e.right.value is None and \
            e.right.keyword is None:
        return e.left
    return None


_NULL_REJECTING = {"=", "==", "!=", "<>", "<", "<=", ">", ">=", "+", "-", "|", "<<",
                   ">>", "||"}
_NULL_PROPAGATING = {"*", "%", "&", "/"}


def _implies_not_null(p: Any, nn: Any, seen_not: bool) -> bool:
    """exprImpliesNotNull: ``p`` true means ``nn`` is not NULL."""
    if gencol.same_expr(p, nn):
        return not (isinstance(nn, ast.Literal) and nn.value is None)
    if isinstance(p, ast.Binary):
        op = p.op.upper()
        if op in _NULL_REJECTING or op in _NULL_PROPAGATING:
            if op in _NULL_REJECTING:
                seen_not = True
            return _implies_not_null(p.right, nn, seen_not) or \
                _implies_not_null(p.left, nn, seen_not)
        return False
    if isinstance(p, ast.Between):
        if seen_not or p.negated:
            return False
        return any(_implies_not_null(x, nn, True) for x in (p.low, p.high, p.expr))
    if isinstance(p, ast.In):
        if seen_not and p.select is not None:
            return False
        return _implies_not_null(p.expr, nn, True)
    if isinstance(p, ast.Collate):
        return _implies_not_null(p.expr, nn, seen_not)
    if isinstance(p, ast.Unary) and p.op.upper() in ("+", "-"):
        return _implies_not_null(p.operand, nn, seen_not)
    if isinstance(p, ast.Unary) and p.op.upper() in ("NOT", "~"):
        return _implies_not_null(p.operand, nn, True)
    return False


def _choose_index_scan(parse: Parse, level: WhereLevel, flags: int,
                       order_by: list[ast.Expr] | None,
                       order_desc: list[bool] | None, terms: list[WhereTerm]) -> None:
    """A full scan may read an index instead of the table: an index that
    delivers the ORDER BY (saving the sort), else the narrowest covering
    index narrower than the table (as SQLite's planner picks them)."""
    item = level.item
    table = item.table
    if item.not_indexed or flags & WHERE_NO_INDEX or getattr(table, "is_ephemeral", False):
        return
    candidates = [ix for ix in getattr(table, "indexes", None) or ()
                  if all(c >= -1 for c in index_columns(ix))
                  and (not index_is_partial(ix)
                       or partial_index_usable(parse, item, ix, terms))]
    if item.indexed_by is not None:
        named = [ix for ix in getattr(table, "indexes", None) or ()
                 if fold_name(ix.name) == fold_name(item.indexed_by)]
        if not named:
            parse.error(f"no such index: {item.indexed_by}")
        candidates = [ix for ix in candidates if ix in named]
        if not candidates:
            parse.error("no query solution")
    covering_ok = bool(flags & WHERE_COVERING_OK)
    if order_by:
        for ix in candidates:
            trial = WhereLevel(item, plan="index", index=ix)
            if _order_satisfied(parse, trial, order_by, order_desc or [False] * len(order_by)):
                level.plan = "index"
                level.index = ix
                level.reverse = trial.reverse
                level.covering = covering_ok and _is_covering(table, ix, item.col_used)
                return
        if _order_satisfied(parse, WhereLevel(item), order_by,
                            order_desc or [False] * len(order_by)):
            return      # the table itself is in that order (ORDER BY rowid)
    # SQLite reads a covering index instead of the table only when its
    # estimated row is narrower (szIdxRow < szTabRow); the cheapest such scan
    # costs 1 + 15*szIdxRow/szTabRow, the newest index winning ties.
    sz_tab = _table_row_size(table)
    best = None
    best_cost = 0
    for ix in reversed(candidates):
        if not covering_ok or not _is_covering(table, ix, item.col_used) \
                or _is_own_pk(table, ix):
            continue
        sz_idx = _index_row_size(table, ix)
        if sz_idx >= sz_tab:
            continue
        cost = 1 + (15 * sz_idx) // sz_tab
        if best is None or cost < best_cost:
            best, best_cost = ix, cost
    if best is None and item.indexed_by is not None and candidates:
        best = candidates[0]
        level.plan = "index"
        level.index = best
        level.covering = covering_ok and _is_covering(table, best, item.col_used)
        return
    if best is not None:
        level.plan = "index"
        level.index = best
        level.covering = True


def column_size_estimate(decl_type: str | None) -> int:
    """A column's size estimate in units of an integer's size (the szEst
    sqlite3AffinityType derives from the declared type): numeric types 1,
    TEXT/CLOB/BLOB 5, CHAR(k)/VARCHAR(k)/BLOB(k) k/4+1, no type 1."""
    if not decl_type:
        return 1
    aff = values.affinity_of_type(decl_type)
    if aff not in (values.AFF_TEXT, values.AFF_BLOB):
        return 1
    t = decl_type.upper()
    rest = None
    if "CHAR" in t:
        rest = t[t.rindex("CHAR") + 4:]
    elif aff == values.AFF_BLOB:
        i = t.rfind("BLOB")
        if t[i + 4:i + 5] == "(":
            rest = t[i + 4:]
    if rest is None:
        v = 16
    else:
        v = 0
        for k, ch in enumerate(rest):
            if ch.isdigit():
                j = k
                while j < len(rest) and rest[j].isdigit():
                    j += 1
                v = min(int(rest[k:j]), 2**31 - 1)
                break
    return min(v // 4 + 1, 255)


def _table_row_size(table: Any) -> int:
    """szTabRow: LogEst of 4x the summed size estimates of the columns (plus
    one for the rowid unless an INTEGER PRIMARY KEY column stands for it)."""
    w = sum(column_size_estimate(getattr(c, "decl_type", None)) for c in table.columns)
    if getattr(table, "rowid_alias", -1) < 0:
        w += 1
    return log_est(w * 4)


def _index_row_size(table: Any, index: Any) -> int:
    """szIdxRow: LogEst of 4x the key columns' estimates plus the rowid."""
    w = 1
    for c in index_columns(index):
        w += 1 if c < 0 else column_size_estimate(
            getattr(table.columns[c], "decl_type", None))
    return log_est(w * 4)


def _in_usable(parse: Parse, c: _Constraint, coll: str | None, col_aff: str) -> bool:
    """May ``col IN (list)`` drive seeks on an index column?  The list
    values are stored with the column's affinity and compared with its
    collation, so every value must compare as ``col = value`` would."""
    e = c.rhs
    assert isinstance(e, ast.In)
    want = (coll or "BINARY").upper()
    for v in e.values or ():
        if _coll_name(compare_collation(parse, e.expr, v)) != want:
            return False
        probe = _Constraint(c.column, "=", v, WhereTerm(ast.Binary("=", e.expr, v),
                                                      frozenset()))
        if not _affinity_ok(parse, probe, col_aff, v):
            return False
    return True


def _index_col_affinity(parse: Parse, item: Any, ix: Any, pos: int) -> str:
    """The affinity of index field ``pos``: its column's, or for an
    expression the expression's (BLOB when it has none)."""
    cols = _search_columns(ix)[0]
    if pos >= len(cols):
        return values.AFF_INTEGER     # the rowid after the key columns
    tcol = cols[pos]
    if tcol == -2:
        expr = gencol.index_expr_resolved(parse, item, ix, pos)
        aff = expr_affinity(expr) if expr is not None else values.AFF_NONE
        return aff if aff != values.AFF_NONE else values.AFF_BLOB
    return _table_col_affinity(item.table, tcol)


def _table_col_affinity(table: Any, tcol: int) -> str:
    if tcol < 0:
        return values.AFF_INTEGER
    from pyrite.compile.context import column_affinity
    return column_affinity(table.columns[tcol])


def _is_covering(table: Any, index: Any, col_used: int) -> bool:
    return index is not None and _covering_map(table, index, col_used) is not None


# ---------------------------------------------------------------------------
# Code generation
# ---------------------------------------------------------------------------

def op_for(flags: int) -> str:
    """The opcode opening the loop's table and index cursors: a one-pass
    DELETE or UPDATE writes through them."""
    return "OpenWrite" if flags & WHERE_ONEPASS_DESIRED else "OpenRead"


def _open_cursors(parse: Parse, level: WhereLevel, flags: int) -> None:
    item = level.item
    table = item.table
    if vtab.is_virtual(table):
        vtab.open_cursor(parse, level)
        return
    if getattr(table, "is_ephemeral", False):
        return  # opened by the code that materialized it
    db_index = getattr(table, "db_index", 0) or 0
    parse.code_verify_schema(db_index)
    own_pk = level.plan == "index" and _is_own_pk(table, level.index)
    if not (level.plan == "index" and level.covering) or own_pk:
        # Column references resolved later (correlated subqueries are
        # resolved when coded) would not be counted: use the full width then.
        ncol = _n_columns_used(item) if flags & WHERE_COVERING_OK \
            else len(table.columns)
        from pyrite.compile.rowkey import table_p4
        # A one-pass UPDATE writes each row through the loop's own cursor.
        parse.emit(op_for(flags), item.cursor, table_root(table), db_index, table_p4(table, ncol))
    if level.plan == "auto":
        return   # the automatic index is opened where it is built
    if own_pk:
        # A WITHOUT ROWID table's PRIMARY KEY is the table's own b-tree.
        level.index_cursor = item.cursor
    elif level.plan == "index":
        level.index_cursor = parse.alloc_cursor()
        key_info = getattr(level.index, "key_info", None)
        # (a one-pass DELETE deletes the index entry through it)
        parse.emit(op_for(flags), level.index_cursor, index_root(level.index), db_index,
                   key_info)


def _search_columns(index: Any) -> tuple[list[int], list[Any], list[bool]]:
    """(columns, collations, sort orders) of ``index`` that seeks and
    ORDER BY can use: the key columns, and for an index of a WITHOUT ROWID
    table the primary key columns after them too."""
    cols = index_columns(index)
    colls = index_collations(index)
    descs = index_desc(index)
    table = getattr(index, "table", None)
    if getattr(table, "without_rowid", False) and not _is_own_pk(table, index):
        n = len(index.columns)
        return list(index.columns), list(index.collations[:n]), list(index.desc[:n])
    return cols, colls, descs


def _is_own_pk(table: Any, index: Any) -> bool:
    """Is ``index`` the PRIMARY KEY b-tree of a WITHOUT ROWID ``table``?"""
    return index is not None and getattr(table, "without_rowid", False) \
        and getattr(index, "is_primary_key", False)


def _n_columns_used(item: SrcItem) -> int:
    """P4 of OpenRead: one more than the highest column read (SQLite's nColumn hint)."""
    n = len(item.table.columns)
    used = item.col_used
    if used >> 63:
        return n
    return used.bit_length()


def _covering_map(table: Any, index: Any, col_used: int) -> dict[int, int] | None:
    """{table column: index column} when ``index`` holds every used column
    (those of a WITHOUT ROWID table's index include its primary key)."""
    cols = index_columns(index)
    if col_used >> 63:
        return None
    from pyrite.compile.context import table_rowid_alias
    ipk = table_rowid_alias(table)
    mapping: dict[int, int] = {-1: len(cols)}
    if getattr(table, "without_rowid", False):
        cols = list(index.columns)
    for i, c in enumerate(cols):
        if c >= 0 and c not in mapping:
            mapping[c] = i
    if ipk is not None and ipk >= 0:
        mapping[ipk] = -1
    bit = 0
    used = col_used
    while used:
        if used & 1 and bit not in mapping:
            return None
        used >>= 1
        bit += 1
    return mapping


def _explain_level(parse: Parse, level: WhereLevel, flags: int = 0) -> None:
    if parse.is_explain != 2:
        return
    item = level.item
    name = item.display_name if item.alias is None else item.alias
    # A min()/max() query's loop is a search even without constraints
    # (it stops at the first row), as SQLite words it.
    minmax = bool(flags & (WHERE_ORDERBY_MIN | WHERE_ORDERBY_MAX))
    if level.plan == "vtab":
        text = vtab.explain_text(level, name)
    elif level.plan == "scan" and minmax and getattr(item.table, "without_rowid", False):
        text = f"SEARCH {name} USING PRIMARY KEY"     # (the table's b-tree)
    elif level.plan == "scan":
        text = f"{'SEARCH' if minmax else 'SCAN'} {name}"
    elif level.plan in ("rowid_eq", "rowid_range", "rowid_in"):
        if level.plan in ("rowid_eq", "rowid_in"):
            cond = "rowid=?"
        else:
            parts = []
            # explainIndexRange writes '>' and '<' for any bound
            if level.lower is not None:
                parts.append("rowid>?")
            if level.upper is not None:
                parts.append("rowid<?")
            cond = " AND ".join(parts)
        text = f"SEARCH {name} USING INTEGER PRIMARY KEY ({cond})"
    else:
        ix = level.index
        cols = _search_columns(ix)[0]
        names = [_col_name(item.table, c) for c in cols] + ["rowid"]
        if level.plan == "auto":
            kind = "AUTOMATIC PARTIAL COVERING INDEX" if level.auto_partial \
                else "AUTOMATIC COVERING INDEX"
            parts = [f"{names[i]}=?" for i in range(len(level.eq))]
            text = f"SEARCH {name} USING {kind} ({' AND '.join(parts)})"
            if item.jointype & JT_LEFT:
                text += " LEFT-JOIN"
            parse.emit("Explain", parse.current_addr(),
                       getattr(parse, "explain_parent", 0), 0, text)
            return
        parts = [f"{names[i]}=?" for i in range(len(level.eq))]
        k = len(level.eq)
        if level.lower is not None:
            parts.append(f"{names[k]}>?")
        if level.upper is not None:
            parts.append(f"{names[k]}<?")
        kind = "COVERING INDEX" if level.covering else "INDEX"
        if _is_own_pk(item.table, ix):
            if parts:
                text = f"SEARCH {name} USING PRIMARY KEY ({' AND '.join(parts)})"
            else:
                text = f"SEARCH {name} USING PRIMARY KEY" if minmax else f"SCAN {name}"
        elif parts:
            text = f"SEARCH {name} USING {kind} {ix.name} ({' AND '.join(parts)})"
        else:
            text = f"{'SEARCH' if minmax else 'SCAN'} {name} USING {kind} {ix.name}"
    if item.jointype & JT_LEFT:
        text += " LEFT-JOIN"
    parse.emit("Explain", parse.current_addr(), getattr(parse, "explain_parent", 0), 0, text)


def _col_name(table: Any, c: int) -> str:
    if c == -2:
        return "<expr>"
    return "rowid" if c < 0 else table.columns[c].name


def _code_level(parse: Parse, level: WhereLevel) -> None:
    """Emit the head of one loop (sqlite3WhereCodeOneLoopStart)."""
    item = level.item
    cur = item.cursor
    table = item.table
    if level.plan == "vtab":
        vtab.code_level(parse, level)
        return
    if level.plan == "scan" and item.via_coroutine:
        # a FROM-clause subquery coded as a co-routine: one row per Yield
        parse.emit("InitCoroutine", item.regreturn, 0, item.addr_fill_sub)
        level.addr_body = parse.emit("Yield", item.regreturn, level.addr_brk)
        level.next_op = "Goto"
        level.next_cursor = 0
        return
    if level.plan == "scan" and getattr(table, "is_recursive", False):
        # the current row of a recursive CTE: a single row, no loop
        level.addr_body = parse.current_addr()
        level.next_op = None
        return
    if level.plan == "scan":
        parse.emit("Last" if level.reverse else "Rewind", cur, level.addr_brk)
        level.addr_body = parse.current_addr()
        level.next_op = "Prev" if level.reverse else "Next"
        level.next_cursor = cur
        return
    if level.plan == "rowid_eq":
        c = level.eq[0]
        r = code_expr_temp(parse, c.rhs)
        if level.reg_filter:
            parse.emit("MustBeInt", r, level.addr_brk)
            parse.emit("Filter", level.reg_filter, level.addr_brk, r, 1)
        parse.emit("SeekRowid", cur, level.addr_brk, r)
        c.term.coded = True
        level.addr_body = parse.current_addr()
        level.next_op = None
        return
    if level.plan == "rowid_in":
        c = level.eq[0]
        from pyrite.compile.expr import build_in_list_set
        in_expr = c.rhs
        set_cur, _ = build_in_list_set(parse, in_expr.expr, list(in_expr.values))
        parse.emit("Rewind", set_cur, level.addr_brk)
        level.addr_body = parse.current_addr()
        r = parse.get_temp_reg()
        parse.emit("Column", set_cur, 0, r)
        parse.emit("SeekRowid", cur, level.addr_cont, r)
        parse.release_temp_reg(r)
        c.term.coded = True
        level.next_op = "Next"
        level.next_cursor = set_cur
        return
    if level.plan == "rowid_range":
        lo, hi = level.lower, level.upper
        if lo is not None:
            r = code_expr_temp(parse, lo.rhs)
            parse.emit("SeekGT" if lo.op == ">" else "SeekGE", cur, level.addr_brk, r)
            lo.term.coded = True
        else:
            parse.emit("Rewind", cur, level.addr_brk)
        reg_end = 0
        if hi is not None:
            reg_end = parse.alloc_reg()
            code_expr(parse, hi.rhs, reg_end)
            hi.term.coded = True
        level.addr_body = parse.current_addr()
        if hi is not None:
            rr = parse.get_temp_reg()
            parse.emit("Rowid", cur, rr)
            # exit when rowid passes the end bound (NULL end: no rows)
            op = "Ge" if hi.op == "<" else "Gt"
            parse.emit(op, reg_end, level.addr_brk, rr, None,
                       ord(values.AFF_NUMERIC) | 0x10)
            parse.release_temp_reg(rr)
        level.next_op = "Next"
        level.next_cursor = cur
        return
    # index
    _code_index_level(parse, level)


def _code_index_level(parse: Parse, level: WhereLevel) -> None:
    item = level.item
    table = item.table
    ix = level.index
    idx_cur = level.index_cursor
    cols = index_columns(ix)
    n_eq = len(level.eq)
    lo, hi = level.lower, level.upper
    n_reg = n_eq + (1 if (lo is not None or hi is not None) else 0)
    base = parse.alloc_reg(max(n_reg, 1))
    exit_label = level.addr_brk
    if level.eq and level.eq[0].op == "IN":
        # one seek per value of the IN list (SQLite's IN-operator loop)
        from pyrite.compile.expr import build_in_list_set
        c = level.eq[0]
        in_expr = c.rhs
        set_cur, _ = build_in_list_set(parse, in_expr.expr, list(in_expr.values))
        level.in_cursor = set_cur
        level.in_next = parse.label()
        parse.emit("Rewind", set_cur, level.addr_brk)
        level.in_top = parse.current_addr()
        parse.emit("Column", set_cur, 0, base)
        parse.emit("IsNull", base, level.in_next)
        c.term.coded = True
        exit_label = level.in_next
        parse.emit("SeekGE", idx_cur, exit_label, base, 1)
        level.addr_body = parse.current_addr()
        parse.emit("IdxGT", idx_cur, exit_label, base, 1)
        _index_row_access(parse, level, item, table, ix, idx_cur)
        return
    # equality values
    aff_chars = []
    for j, c in enumerate(level.eq):
        code_expr(parse, c.rhs, base + j)
        aff_chars.append(_seek_affinity(c, _index_col_affinity(parse, item, ix, j)))
        c.term.coded = True
    for j, c in enumerate(level.eq):
        if _can_be_null(c.rhs) and not c.is_is:
            parse.emit("IsNull", base + j, level.addr_brk)
    if n_eq and any(a != values.AFF_BLOB for a in aff_chars):
        parse.emit("Affinity", base, n_eq, 0, "".join(aff_chars))
    if level.reg_filter:
        parse.emit("Filter", level.reg_filter, level.addr_brk, base, n_eq)
    # start
    if lo is not None:
        code_expr(parse, lo.rhs, base + n_eq)
        if _can_be_null(lo.rhs):
            parse.emit("IsNull", base + n_eq, level.addr_brk)
        aff = _seek_affinity(lo, _index_col_affinity(parse, item, ix, n_eq))
        if aff != values.AFF_BLOB:
            parse.emit("Affinity", base + n_eq, 1, 0, aff)
        parse.emit("SeekGT" if lo.op == ">" else "SeekGE", idx_cur, level.addr_brk,
                   base, n_eq + 1)
        lo.term.coded = True
    elif hi is not None:
        # skip the NULL entries of the range column (bSeekPastNull)
        parse.emit("Null", 0, base + n_eq)
        parse.emit("SeekGT", idx_cur, level.addr_brk, base, n_eq + 1)
    elif n_eq:
        parse.emit("SeekGE", idx_cur, level.addr_brk, base, n_eq)
    else:
        parse.emit("Last" if level.reverse else "Rewind", idx_cur, level.addr_brk)
    # end
    if hi is not None:
        code_expr(parse, hi.rhs, base + n_eq)
        if _can_be_null(hi.rhs):
            parse.emit("IsNull", base + n_eq, level.addr_brk)
        aff = _seek_affinity(hi, _index_col_affinity(parse, item, ix, n_eq))
        if aff != values.AFF_BLOB:
            parse.emit("Affinity", base + n_eq, 1, 0, aff)
        hi.term.coded = True
    level.addr_body = parse.current_addr()
    if hi is not None:
        parse.emit("IdxGE" if hi.op == "<" else "IdxGT", idx_cur, level.addr_brk,
                   base, n_eq + 1)
    elif n_eq:
        parse.emit("IdxGT", idx_cur, level.addr_brk, base, n_eq)
    _index_row_access(parse, level, item, table, ix, idx_cur)


def _index_row_access(parse: Parse, level: WhereLevel, item: SrcItem, table: Any,
                      ix: Any, idx_cur: int) -> None:
    """Reach the table row from the index entry (or read the index alone)."""
    if idx_cur == item.cursor:
        pass            # the WITHOUT ROWID table's own PRIMARY KEY
    elif level.covering:
        mapping = _covering_map(table, ix, item.col_used) or {}
        parse.covering[item.cursor] = (idx_cur, mapping)
    elif getattr(table, "without_rowid", False):
        # Find the row by the primary key columns the entry holds.
        from pyrite.compile.rowkey import index_position
        pk = table.primary_key_index()
        n = pk.n_key_col
        regs = parse.alloc_reg(n)
        for k in range(n):
            parse.emit("Column", idx_cur, index_position(ix, pk, k), regs + k)
        parse.emit("NotFound", item.cursor, level.addr_cont, regs, n)
        parse.covering[item.cursor] = (idx_cur, _index_map(ix))
    else:
        parse.emit("DeferredSeek", idx_cur, 0, item.cursor)
        # columns the index holds are read from it (sqlite3WhereEnd's
        # translation of Column/Rowid to the index cursor)
        parse.covering[item.cursor] = (idx_cur, _index_map(ix))
    level.next_op = "Prev" if level.reverse else "Next"
    level.next_cursor = idx_cur


def _index_map(index: Any) -> dict[int, int]:
    """{table column: index field} for the key columns, and -1 for the rowid."""
    cols = index_columns(index)
    mapping: dict[int, int] = {-1: len(cols)}
    for i, c in enumerate(cols):
        if c >= 0 and c not in mapping:
            mapping[c] = i
    return mapping


def _seek_affinity(c: _Constraint, col_aff: str) -> str:
    """Affinity to apply to an index seek key (the column's, when the
    comparison uses one).  An index records INTEGER and REAL columns as
    NUMERIC (sqlite3IndexAffinityStr), so an integer key stays an integer."""
    if col_aff > values.AFF_NUMERIC:
        col_aff = values.AFF_NUMERIC
    t = c.term.expr
    assert isinstance(t, ast.Binary)
    aff = compare_affinity(t.left, t.right)
    if aff in (values.AFF_BLOB, values.AFF_NONE):
        return values.AFF_BLOB
    if expr_affinity(c.rhs) == col_aff or _needs_no_affinity_change(c.rhs, col_aff):
        return values.AFF_BLOB
    return col_aff


def _needs_no_affinity_change(expr: Any, aff: str) -> bool:
    """sqlite3ExprNeedsNoAffinityChange for literals."""
    if isinstance(expr, ast.Unary) and expr.op == "-":
        expr = expr.operand
    if not isinstance(expr, ast.Literal):
        return False
    v = expr.value
    if isinstance(v, bool):
        v = int(v)
    if isinstance(v, int):
        return aff >= values.AFF_NUMERIC
    if isinstance(v, float):
        return aff in (values.AFF_REAL, values.AFF_NUMERIC)
    if isinstance(v, str):
        return aff == values.AFF_TEXT
    if isinstance(v, bytes):
        return aff == values.AFF_BLOB
    return False


def _order_satisfied(parse: Parse, level: WhereLevel, order_by: list[ast.Expr],
                     desc: list[bool]) -> bool:
    """True when the loop already delivers rows in ORDER BY order.  All-DESC
    orders are delivered by a full scan run backwards (``level.reverse``).
    Terms after the item's rowid are redundant (the rowid is unique), so the
    order is judged on the terms up to it, as SQLite's order analysis does."""
    if level.plan in ("vtab", "auto"):
        return False     # an automatic index is not known when SQLite plans the order
    for k, e in enumerate(order_by):
        while isinstance(e, ast.Collate):
            e = e.expr
        if isinstance(e, ColumnRef) and e.cursor == level.item.cursor and e.depth == 0 \
                and e.column == -1:
            order_by, desc = order_by[:k + 1], desc[:k + 1]
            break
    if level.plan == "index" and not (level.eq and level.eq[0].op == "IN"):
        return _index_order_satisfied(parse, level, order_by, desc)
    if any(desc):
        if not all(desc) or level.eq or level.lower is not None \
                or level.upper is not None or level.plan not in ("scan", "index"):
            return False
        if _order_satisfied(parse, level, order_by, [False] * len(desc)):
            level.reverse = True
            return True
        return False
    item = level.item
    cols: list[int] = []
    for e in order_by:
        coll = None
        while isinstance(e, ast.Collate):
            coll = e.collation
            e = e.expr
        if not (isinstance(e, ColumnRef) and e.cursor == item.cursor and e.depth == 0):
            return False
        eff_coll = (coll or e.collation or "BINARY").upper()
        cols.append((e.column, eff_coll))  # type: ignore[arg-type]
    if level.plan == "rowid_in" or (level.eq and level.eq[0].op == "IN"):
        return False
    if level.plan in ("scan", "rowid_range", "rowid_eq"):
        if getattr(item.table, "is_ephemeral", False):
            return level.plan == "rowid_eq"
        return level.plan == "rowid_eq" or (len(cols) >= 1 and cols[0][0] == -1)
    ix = level.index
    icols, icolls, idesc = _search_columns(ix)
    icolls = [(c or "BINARY").upper() for c in icolls]
    # an equality makes its column constant only under its own collation
    eq_cols = {icols[j]: _eq_collation(parse, level.eq[j]) for j in range(len(level.eq))}
    pos = len(level.eq)
    for col, coll in cols:
        if col in eq_cols:
            if eq_cols[col] != coll:
                return False
            continue
        if col == -1 and pos >= len(icols):
            return True  # rowid follows the index columns
        if pos >= len(icols) or icols[pos] != col or icolls[pos] != coll or idesc[pos]:
            return False
        pos += 1
    return True


def _index_order_satisfied(parse: Parse, level: WhereLevel, order_by: list[ast.Expr],
                           desc: list[bool]) -> bool:
    """The ORDER BY check of an index loop: each term names the next index
    column (equality-constrained columns aside) with its collation, and
    every term runs in the index's direction, or (for an unconstrained
    scan, run backwards: ``level.reverse``) every term against it."""
    item = level.item
    ix = level.index
    icols, icolls, idesc = _search_columns(ix)
    icolls = [(c or "BINARY").upper() for c in icolls]
    eq_cols = {icols[j]: _eq_collation(parse, level.eq[j]) for j in range(len(level.eq))}
    pos = len(level.eq)
    against: set[bool] = set()
    for e, d in zip(order_by, desc):
        coll = None
        while isinstance(e, ast.Collate):
            coll = e.collation
            e = e.expr
        if not (isinstance(e, ColumnRef) and e.cursor == item.cursor and e.depth == 0):
            return False
        eff_coll = (coll or e.collation or "BINARY").upper()
        if e.column in eq_cols:
            if eq_cols[e.column] != eff_coll:
                return False
            continue
        if e.column == -1 and pos >= len(icols):
            against.add(d)      # the rowid follows the index columns
            break
        if pos >= len(icols) or icols[pos] != e.column or icolls[pos] != eff_coll:
            return False
        against.add(d != idesc[pos])
        pos += 1
    if against <= {False}:
        return True
    if against != {True} or level.eq or level.lower is not None or level.upper is not None:
        return False
    level.reverse = True
    return True


def _eq_collation(parse: Parse, c: _Constraint) -> str | None:
    """The collation an index equality compares with (None for IN)."""
    t = c.term.expr
    if not isinstance(t, ast.Binary):
        return None
    return _coll_name(compare_collation(parse, t.left, t.right))
