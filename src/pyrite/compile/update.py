"""Compiler layer: UPDATE.

SQLite's counterpart is ``update.c`` (sqlite3Update) with the constraint
checks of ``insert.c``.  In general Pyrite uses the two-pass form: the WHERE
loop collects the rowids in a RowSet; the second loop seeks each row,
computes the new values from the old row, checks constraints, removes the
old index entries and writes the new row and index entries (a changed rowid
deletes the old row first).  Only the indexes whose entry can change are
checked and rewritten (index_changes), and only they are opened unless a
REPLACE may delete another row.  Without a rowid change, REPLACE deletion,
trigger, foreign key, RETURNING or subquery, the one-pass form writes each
row as the WHERE loop visits it (SQLite's ONEPASS_MULTI), unless the loop
reads an index the UPDATE rewrites.  With any of them, a loop that visits
one row at most (rowid or UNIQUE equality) still writes it in the loop
(ONEPASS_SINGLE).

The per-row part is :func:`code_update_row`, shared with UPDATE ... FROM
(update_from.py, whose first pass is a join into an ephemeral table) and
with UPSERT's DO UPDATE (upsert.py).  Row-value assignments
``SET (a, b) = (x, y)`` / ``= (SELECT ...)`` are split per column as SQLite's
parser does (sqlite3ExprListAppendVector): a subquery is coded once per row
into consecutive registers and each column takes its element.
"""

from __future__ import annotations
from pyrite.values import fold_name

from dataclasses import dataclass, field
from typing import Any, Callable

from pyrite import values
from pyrite.compile import gencol
from pyrite.schema import schema as sch
from pyrite.sql import ast


@dataclass
class Assignments:
    """The SET list of an UPDATE (or of an UPSERT's DO UPDATE).

    ``exprs`` maps a table column (``XN_ROWID`` for the rowid, the INTEGER
    PRIMARY KEY folded into it) to its expression, or to ``(unit, k)``: the
    k-th column of the row-value subquery ``units[unit]``.
    """

    exprs: dict[int, Any] = field(default_factory=dict)
    units: list[ast.Select] = field(default_factory=list)

    @property
    def rowid_changed(self) -> bool:
        return sch.XN_ROWID in self.exprs

    @property
    def changed_columns(self) -> set[int]:
        return set(i for i in self.exprs if i >= 0)


def _select_width(parse: Any, select: ast.Select) -> int:
    from pyrite.compile.insert import _count_select_columns
    return _count_select_columns(parse, select)


def resolve_assignments(parse: Any, table: Any, sets: tuple[ast.SetClause, ...],
                        check: Callable[[ast.Expr], None] | None = None) -> Assignments:
    """Map each SET term to its column; ``check`` resolves each expression
    first (for SQLite's order of errors: expression, then column name)."""
    out = Assignments()
    for sc in sets:
        n = len(sc.columns)
        expr = sc.expr
        items: list[Any]
        if n == 1:
            items = [expr]
        elif isinstance(expr, ast.Vector):
            if len(expr.items) != n:
                parse.error(f"{n} columns assigned {len(expr.items)} values")
            items = list(expr.items)
        elif isinstance(expr, ast.Subquery):
            m = _select_width(parse, expr.select)
            if m != n:
                parse.error(f"{n} columns assigned {m} values")
            out.units.append(expr.select)
            items = [(len(out.units) - 1, k) for k in range(n)]
        else:
            parse.error(f"{n} columns assigned 1 values")
            raise AssertionError
        for name, item in zip(sc.columns, items):
            if check is not None and isinstance(item, ast.Expr):
                check(item)
            ci = table.column_index(name)
            if ci < 0:
                if fold_name(name) in ("rowid", "oid", "_rowid_") and table.has_rowid:
                    ci = sch.XN_ROWID
                else:
                    parse.error(f"no such column: {name}")
            gencol.check_update_column(parse, table, ci)
            if ci == table.rowid_alias and ci >= 0:
                ci = sch.XN_ROWID
            out.exprs.pop(ci, None)     # a later assignment wins, in its order
            out.exprs[ci] = item
    return out


def make_value_coder(parse: Any, assign: Assignments, resolve: Callable[[ast.Expr], Any],
                     nc: Any) -> Callable[[int, int], None]:
    """A function coding the new value of a column into a register: the
    expressions are resolved by ``resolve``; subqueries see ``nc`` as their
    outer context."""
    from pyrite.compile.expr import code_expr
    unit_regs: dict[int, int] = {}

    def code_value(ci: int, target: int) -> None:
        item = assign.exprs[ci]
        saved = parse.current_nc
        parse.current_nc = nc
        try:
            if isinstance(item, tuple):
                unit, k = item
                if unit not in unit_regs:
                    from pyrite.compile.rowvalue import code_vector_subquery
                    select = assign.units[unit]
                    unit_regs[unit] = code_vector_subquery(parse, select,
                                                           _select_width(parse, select))[0]
                parse.emit("SCopy", unit_regs[unit] + k, target)
            else:
                code_expr(parse, resolve(item), target)
        finally:
            parse.current_nc = saved

    def reset() -> None:
        unit_regs.clear()
    code_value.reset = reset  # type: ignore[attr-defined]
    return code_value


def index_changes(table: Any, index: Any, changed: set[int], rowid_changed: bool) -> bool:
    """Whether an UPDATE changing the columns ``changed`` (and the rowid when
    ``rowid_changed``) may change ``index``'s entry for a row: a key column
    (the trailing rowid or primary key columns included), a column an
    expression field or the partial-index WHERE reads (sqlite3Update's
    indexColumnIsBeingUpdated and indexWhereClauseMightChange).  A WITHOUT
    ROWID table's primary key index is its row: always written."""
    from pyrite.compile.checkdef import references_changed
    if index.is_primary_key and table.without_rowid:
        return True
    for i, c in enumerate(index.columns):
        if c == sch.XN_ROWID or c == table.rowid_alias:
            if rowid_changed:
                return True
        elif c == sch.XN_EXPR:
            if references_changed(table, index.exprs[i], changed, rowid_changed):
                return True
        elif c in changed:
            return True
    return index.where is not None and references_changed(table, index.where, changed,
                                                          rowid_changed)


def touched_indexes(parse: Any, table: Any, assign: Assignments) -> list[bool]:
    """Per index of ``table``, whether an UPDATE making ``assign`` rewrites
    its entries: all of them when foreign keys are at work (their actions
    may change the row between the checks and the write), else those
    index_changes names."""
    from pyrite.compile import fkey
    rowid_changed = assign.rowid_changed
    changed = gencol.affected_columns(table, assign.changed_columns, rowid_changed)
    if fkey.fk_required(parse, table, changed, rowid_changed):
        return [True] * len(table.indexes)
    return [index_changes(table, idx, changed, rowid_changed) for idx in table.indexes]


def indexes_to_open(parse: Any, table: Any, assign: Assignments, on_error: int) -> list[bool]:
    """The indexes an UPDATE opens (sqlite3Update's aToOpen): those it
    rewrites, or all of them when a REPLACE conflict resolution may delete
    another row (with all its index entries)."""
    touched = touched_indexes(parse, table, assign)
    if _replace_possible(table, assign, on_error, touched):
        return [True] * len(touched)
    return touched


def _replace_possible(table: Any, assign: Assignments, on_error: int,
                      touched: list[bool]) -> bool:
    """Whether a REPLACE conflict resolution may delete another row
    (sqlite3Update's bReplace)."""
    if on_error == sch.OE_REPLACE:
        return True
    return on_error == sch.OE_DEFAULT and (
        (assign.rowid_changed and table.pk_conflict == sch.OE_REPLACE) or any(
            t and idx.unique and idx.on_conflict == sch.OE_REPLACE
            for t, idx in zip(touched, table.indexes)))


def _sqlite_one_pass(parse: Any, table: Any, stmt: ast.Update, assign: Assignments,
                     on_error: int, triggers: Any) -> Callable[[Any], bool]:
    """For the two-pass form of a WITHOUT ROWID table: whether SQLite would
    have updated the rows in one pass, in the order its WHERE loop visits
    them (ONEPASS_MULTI: no trigger, foreign key, primary key change,
    REPLACE or subquery in WHERE, and the loop's index is not rewritten),
    which is then the order to keep; given the WhereInfo once planned."""
    from pyrite.compile import fkey
    from pyrite.compile.where import _has_subquery
    touched = touched_indexes(parse, table, assign)
    changed = gencol.affected_columns(table, assign.changed_columns, False)
    pk = next((i for i in table.indexes if i.is_primary_key), None)
    possible = (triggers is None and not fkey.fk_required(parse, table, changed, False)
                and not (pk is not None and any(c in changed for c in pk.columns[:pk.n_key_col]))
                and not _replace_possible(table, assign, on_error, touched)
                and not (stmt.where is not None and _has_subquery(stmt.where)))

    def decide(info: Any) -> bool:
        if not possible:
            return False
        index = info.levels[0].index if info.levels else None
        if index is None or index.is_primary_key:
            return True
        return not touched[table.indexes.index(index)] if index in table.indexes else False
    return decide


def _affinity_read_before_write(table: Any, key_regs: list[int], triggers: Any,
                                fk_work: bool, rowid_changed: bool) -> bool:
    """Whether anything between the new values and the row's MakeRecord
    reads them as stored (a trigger, generated column, STRICT type check,
    CHECK constraint, index key, foreign key or rowid probe), so that an
    Affinity must come first.  Otherwise the MakeRecord applies the same
    affinities to the registers themselves (as SQLite's
    sqlite3CompleteInsertion does when no check needed them earlier)."""
    return bool(triggers is not None or gencol.has_generated(table) or table.strict
                or table.checks or any(key_regs) or fk_work or rowid_changed
                or table.without_rowid)


def code_update_row(parse: Any, table: Any, data_cursor: int, idx_cursors: list[int],
                    reg_old: int, assign: Assignments, code_value: Callable[[int, int], None],
                    on_error: int, next_row: int, returning: Any = None,
                    read_old: Callable[[int, int], None] | None = None,
                    count: bool = True, triggers: Any = None,
                    count_rows: bool = False) -> None:
    """Update the row under ``data_cursor`` whose rowid is in ``reg_old``:
    new values (``code_value(column, register)`` for assigned columns, the
    old value otherwise), constraint checks (an IGNORE goes to
    ``next_row``), old index entries out, new row and entries in, then the
    RETURNING row.  The UPDATE ``triggers`` (a trigger.TriggerCall) fire
    before the checks and after the write, with OLD as the row was first
    read.  With ``count_rows`` the row counts for PRAGMA count_changes (an
    UPDATE statement's rows do, an upsert's DO UPDATE does not)."""
    from pyrite.compile.build import code_index_key, code_partial_filter
    from pyrite.compile.insert import complete_insertion, generate_constraint_checks
    from pyrite.compile.rowkey import code_row_key, code_seek_row
    from pyrite.compile.trigger import TRIGGER_AFTER, TRIGGER_BEFORE, code_row_triggers
    n_col = len(table.columns)
    reg_old_row = 0
    if table.without_rowid:
        # The key as stored, so that a conflicting entry of the same row
        # compares equal to it (see rowkey.py).
        code_row_key(parse, table, data_cursor, reg_old)
    if triggers is not None:
        from pyrite.compile.returning import load_row
        reg_old_row = load_row(parse, table, data_cursor, reg_old)
    reg_new = parse.alloc_reg(n_col + 1)
    from pyrite.compile import fkey
    rowid_changed = assign.rowid_changed
    changed = gencol.affected_columns(table, assign.changed_columns, rowid_changed)
    fk_work = fkey.fk_required(parse, table, changed, rowid_changed)
    # 0 for an index whose entry cannot change: it is neither checked nor
    # rewritten.
    key_regs = [parse.alloc_reg() if touched else 0
                for touched in touched_indexes(parse, table, assign)]
    reset = getattr(code_value, "reset", None)
    if reset is not None:
        reset()
    for i, col in enumerate(table.columns):
        reg = reg_new + 1 + i
        if i == table.rowid_alias or col.generated is not None:
            parse.emit("Null", 0, reg)
            continue
        if i in assign.exprs:
            code_value(i, reg)
        elif read_old is not None:
            read_old(i, reg)
        else:
            parse.emit("Column", data_cursor, gencol.storage_column(table, i), reg)
    if rowid_changed:
        code_value(sch.XN_ROWID, reg_new)
        parse.emit("MustBeInt", reg_new, 0)
    else:
        parse.emit("SCopy", reg_old, reg_new)
    if _affinity_read_before_write(table, key_regs, triggers, fk_work, rowid_changed):
        parse.emit("Affinity", reg_new + 1, n_col, 0, table.affinity_string())
    gencol.compute_columns(parse, table, reg_new)
    if triggers is not None and triggers.has(TRIGGER_BEFORE):
        code_row_triggers(parse, triggers, TRIGGER_BEFORE, reg_old_row, reg_new, on_error,
                          next_row)
        # The trigger may have deleted or changed the row: skip it when it
        # is gone, else take the columns not assigned from it again.
        code_seek_row(parse, table, data_cursor, next_row, reg_old)
        for i, col in enumerate(table.columns):
            if i == table.rowid_alias or col.generated is not None or i in assign.exprs:
                continue
            parse.emit("Column", data_cursor, gencol.storage_column(table, i), reg_new + 1 + i)
        gencol.compute_columns(parse, table, reg_new)
    from pyrite.compile.checkdef import code_type_check
    code_type_check(parse, table, reg_new + 1)

    key_fields = generate_constraint_checks(parse, table, data_cursor, idx_cursors, reg_new,
                                            reg_old, rowid_changed, on_error, next_row,
                                            key_regs, changed_cols=changed)
    # The checks may have moved the data cursor (the probe of a new rowid,
    # a WITHOUT ROWID table's primary key check): seek the old row again,
    # then remove its index entries.  (A REPLACE deletion seeks it back
    # itself; the other checks only move index cursors.)
    if rowid_changed or table.without_rowid:
        code_seek_row(parse, table, data_cursor, next_row, reg_old)
    if fk_work:
        if not reg_old_row:
            from pyrite.compile.returning import load_row
            reg_old_row = load_row(parse, table, data_cursor, reg_old)
        fkey.fk_check(parse, table, reg_old_row, 0, changed, rowid_changed)
    for idx, ic, kr in zip(table.indexes, idx_cursors, key_regs):
        if ic == data_cursor or not kr:
            continue        # a WITHOUT ROWID table's own b-tree (deleted below), or unchanged
        n = len(idx.columns)
        regs = parse.alloc_reg(n)
        skip = parse.label()
        code_partial_filter(parse, table, idx, data_cursor, skip)
        code_index_key(parse, table, idx, data_cursor, regs)
        parse.emit("IdxDelete", ic, regs, n)
        parse.resolve(skip)
    if rowid_changed or table.without_rowid:
        parse.emit("Delete", data_cursor, 0)
    if fk_work:
        fkey.fk_check(parse, table, 0, reg_new, changed, rowid_changed)
    complete_insertion(parse, table, data_cursor, idx_cursors, reg_new, key_regs,
                       is_update=True, count=count, key_fields=key_fields)
    if fk_work:
        fkey.fk_actions(parse, table, reg_old_row, reg_new, changed, rowid_changed)
    if count_rows:
        parse.count_row()
    # RETURNING fires first of the AFTER triggers (SQLite puts its trigger
    # at the head of the list): its subqueries see the row before them.
    if returning is not None:
        returning.code_row(reg_new)
    if triggers is not None:
        code_row_triggers(parse, triggers, TRIGGER_AFTER, reg_old_row, reg_new, on_error,
                          next_row)


def code_update(parse: Any, stmt: ast.Update) -> None:
    """UPDATE [OR conflict] table SET ... [FROM ...] [WHERE expr] [RETURNING ...]."""
    from pyrite.compile.context import NameContext, SrcItem, SrcList
    from pyrite.compile.delete import collect_rowids
    from pyrite.compile.insert import find_writable_table
    from pyrite.compile.resolve import resolve_expr
    from pyrite.compile.returning import begin_returning
    if stmt.order_by or stmt.limit is not None:
        from pyrite.compile.delete import limit_where
        stmt = limit_where(parse, stmt, "UPDATE")
    changed_names = {fold_name(name) for sc in stmt.sets for name in sc.columns}
    table = find_writable_table(parse, stmt.table.name, stmt.table.schema, "UPDATE",
                                changed_names)
    on_error = sch.conflict_code(stmt.or_)
    alias = stmt.table.alias
    from pyrite.compile.trigger import begin_triggers
    triggers = begin_triggers(parse, table, "UPDATE", changed_names)
    if table.is_view:
        from pyrite.compile.trigger import code_view_update
        code_view_update(parse, stmt, table, triggers)
        return

    if stmt.from_ is not None:
        assign = resolve_assignments(parse, table, stmt.sets)
        from pyrite.compile.update_from import code_update_from
        code_update_from(parse, stmt, table, assign, on_error, triggers)
        return

    # Resolve once now for SQLite's order of errors (SET, then WHERE).
    probe = SrcItem(name=table.name, alias=alias, table=table, cursor=parse.alloc_cursor())
    probe_nc = NameContext(SrcList([probe]))
    assign = resolve_assignments(parse, table, stmt.sets,
                                 check=lambda e: resolve_expr(parse, e, probe_nc))
    returning = begin_returning(parse, table, stmt.returning)

    parse.begin_coding()
    parse.begin_row_count("rows updated")
    parse.code_verify_schema(table.db_index, write=True)
    if _one_pass_ok(parse, table, stmt, assign, on_error, triggers, returning):
        _code_update_one_pass(parse, stmt, table, assign, on_error)
        parse.finish_coding()
        return
    if table.without_rowid:
        visit_order = _sqlite_one_pass(parse, table, stmt, assign, on_error, triggers)
        keys = collect_rowids(parse, stmt.table, table, stmt.where, visit_order)
        _code_update_second_pass(parse, stmt, table, assign, on_error, triggers, returning,
                                 keys, parse.alloc_reg())
    else:
        _code_update_complex(parse, stmt, table, assign, on_error, triggers, returning)
    parse.finish_coding()


def _code_update_second_pass(parse: Any, stmt: ast.Update, table: Any, assign: Assignments,
                             on_error: int, triggers: Any, returning: Any, keys: Any,
                             reg_old: int) -> None:
    """The second pass of a two-pass UPDATE: seek each row collected in
    ``keys`` (a row already gone is skipped) and update it."""
    from pyrite.compile.build import resolve_on_table
    from pyrite.compile.context import NameContext, SrcItem, SrcList
    from pyrite.compile.insert import open_table_and_indices
    from pyrite.compile.rowkey import code_seek_row
    data_cursor, idx_cursors = open_table_and_indices(
        parse, table, only=indexes_to_open(parse, table, assign, on_error))
    done = parse.label()
    next_row = keys.code_read(parse, done, reg_old)
    code_seek_row(parse, table, data_cursor, next_row, reg_old)
    alias = stmt.table.alias
    item = SrcItem(name=table.name, alias=alias, table=table, cursor=data_cursor)
    nc = NameContext(SrcList([item]))
    code_value = make_value_coder(
        parse, assign, lambda e: resolve_on_table(parse, table, data_cursor, e, alias), nc)
    code_update_row(parse, table, data_cursor, idx_cursors, reg_old, assign, code_value,
                    on_error, next_row, returning, triggers=triggers, count_rows=True)
    keys.code_next(parse)
    parse.resolve(done)


def _code_update_complex(parse: Any, stmt: ast.Update, table: Any, assign: Assignments,
                         on_error: int, triggers: Any, returning: Any) -> None:
    """An UPDATE of a rowid table that may not write rows as a multi-row
    loop visits them (a trigger, foreign key, rowid change, REPLACE,
    RETURNING or subquery; see _one_pass_ok).  When the WHERE loop visits
    one row at most it is still updated in the loop (SQLite's
    ONEPASS_SINGLE), through the loop's cursors, and a skipped row ends
    the statement; otherwise the loop collects the rowids in a RowSet and a
    second pass updates them."""
    from pyrite.compile.build import resolve_on_table
    from pyrite.compile.delete import RowKeys, begin_row_loop
    from pyrite.compile.expr import code_column
    from pyrite.compile.resolve import ColumnRef
    from pyrite.compile.where import visits_one_row
    item, nc, _, rowset, info = begin_row_loop(parse, stmt.table, stmt.where)
    level = info.levels[0]
    data_cursor = item.cursor
    reg_old = parse.alloc_reg()
    if not visits_one_row(level):
        code_column(parse, ColumnRef(cursor=data_cursor, column=-1, item=item,
                                     affinity=values.AFF_INTEGER), reg_old)
        parse.emit("RowSetAdd", rowset, reg_old)
        info.end()
        _code_update_second_pass(parse, stmt, table, assign, on_error, triggers, returning,
                                 RowKeys(rowset=rowset), reg_old)
        return
    if level.index_cursor >= 0:
        # The row is read from the table (a trigger may change the index
        # entry the loop stands on).
        parse.emit("FinishSeek", data_cursor)
        parse.covering.pop(data_cursor, None)
    parse.emit("Rowid", data_cursor, reg_old)
    idx_cursors = []
    for idx, needed in zip(table.indexes, indexes_to_open(parse, table, assign, on_error)):
        if not needed:
            idx_cursors.append(-1)
        elif level.plan == "index" and idx is level.index:
            idx_cursors.append(level.index_cursor)     # (its loop ends with this row)
        else:
            c = parse.alloc_cursor()
            parse.emit("OpenWrite", c, idx.root, table.db_index, idx.key_info)
            idx_cursors.append(c)
    code_value = make_value_coder(
        parse, assign,
        lambda e: resolve_on_table(parse, table, data_cursor, e, stmt.table.alias), nc)
    code_update_row(parse, table, data_cursor, idx_cursors, reg_old, assign, code_value,
                    on_error, info.break_label, returning, triggers=triggers, count_rows=True)
    parse.emit("Goto", 0, info.break_label)
    info.end()


def _one_pass_ok(parse: Any, table: Any, stmt: ast.Update, assign: Assignments,
                 on_error: int, triggers: Any, returning: Any) -> bool:
    """Whether the UPDATE may write each row as its WHERE loop visits it
    (SQLite's ONEPASS_MULTI), the loop's plan permitting (see
    _code_update_one_pass): no rowid change, REPLACE deletion, trigger,
    foreign key or RETURNING, and no subquery that could read the table
    being written, so that the loop's cursors stay valid and no row is seen
    twice."""
    from pyrite.compile import fkey
    from pyrite.compile.where import _has_subquery
    if table.without_rowid or assign.rowid_changed or assign.units:
        return False
    if triggers is not None or returning is not None:
        return False
    changed = gencol.affected_columns(table, assign.changed_columns, False)
    if fkey.fk_required(parse, table, changed, False):
        return False
    if _replace_possible(table, assign, on_error, touched_indexes(parse, table, assign)):
        return False
    if stmt.where is not None and _has_subquery(stmt.where):
        return False
    return not any(_has_subquery(e) for e in assign.exprs.values() if isinstance(e, ast.Expr))


def _code_update_one_pass(parse: Any, stmt: ast.Update, table: Any, assign: Assignments,
                          on_error: int) -> None:
    """A one-pass UPDATE: the WHERE loop opens the table for writing and
    code_update_row replaces the row under its cursor.  When the loop reads
    an index the UPDATE rewrites (known once the loop is planned), the loop
    collects the rowids instead and a second loop updates them, as SQLite
    falls back to ONEPASS_OFF."""
    from pyrite.compile.build import resolve_on_table
    from pyrite.compile.context import NameContext, flatten_from
    from pyrite.compile.delete import RowKeys
    from pyrite.compile.resolve import resolve_expr
    from pyrite.compile.rowkey import code_seek_row
    from pyrite.compile.where import WHERE_ONEPASS_DESIRED, visits_one_row, where_begin
    src = flatten_from(parse, stmt.table)
    item = src[0]
    nc = NameContext(src)
    where = resolve_expr(parse, stmt.where, nc) if stmt.where is not None else None
    touched = touched_indexes(parse, table, assign)
    idx_cursors = []
    for idx, t in zip(table.indexes, touched):
        c = parse.alloc_cursor() if t else -1
        if t:
            parse.emit("OpenWrite", c, idx.root, table.db_index, idx.key_info)
        idx_cursors.append(c)
    rowset = parse.alloc_reg()
    parse.emit("Null", 0, rowset)
    saved_nc = parse.current_nc
    parse.current_nc = nc
    try:
        info = where_begin(parse, src, where, flags=WHERE_ONEPASS_DESIRED)
    finally:
        parse.current_nc = saved_nc
    level = info.levels[0]
    one_pass = level.plan in ("scan", "rowid_eq", "rowid_in", "rowid_range") or (
        level.plan == "index" and level.index in table.indexes
        and not touched[table.indexes.index(level.index)])
    data_cursor = item.cursor
    reg_old = parse.alloc_reg()
    parse.emit("Rowid", data_cursor, reg_old)
    code_value = make_value_coder(
        parse, assign,
        lambda e: resolve_on_table(parse, table, data_cursor, e, stmt.table.alias), nc)
    if one_pass:
        code_update_row(parse, table, data_cursor, idx_cursors, reg_old, assign,
                        code_value, on_error, info.continue_label, count_rows=True)
        if visits_one_row(level):
            parse.emit("Goto", 0, info.break_label)     # (ONEPASS_SINGLE: no loop)
        info.end()
        return
    parse.emit("RowSetAdd", rowset, reg_old)
    info.end()
    keys = RowKeys(rowset=rowset)
    done = parse.label()
    next_row = keys.code_read(parse, done, reg_old)
    code_seek_row(parse, table, data_cursor, next_row, reg_old)
    code_update_row(parse, table, data_cursor, idx_cursors, reg_old, assign, code_value,
                    on_error, next_row, count_rows=True)
    keys.code_next(parse)
    parse.resolve(done)
