"""Compiler layer: DELETE.

SQLite's counterpart is ``delete.c`` (sqlite3DeleteFrom,
sqlite3GenerateRowDelete, sqlite3GenerateRowIndexDelete).  A DELETE without
WHERE on a plain table is the truncate optimisation (``Clear`` on the table
and each index; the change count is the number of rows cleared).  Otherwise
a rowid table's rows are deleted in one pass where SQLite's are (see
_code_delete_rowid_table), else in two: the WHERE loop collects the rowids
(a WITHOUT ROWID table's keys) to delete, then a second loop deletes each
row and its index entries.
"""

from __future__ import annotations
from pyrite.values import fold_name

from typing import Any, Callable

from pyrite import values
from pyrite.compile.rowkey import pk_index
from pyrite.sql import ast


class RowKeys:
    """The rows the first pass of DELETE/UPDATE chose: a RowSet of rowids,
    or for a WITHOUT ROWID table an ephemeral index of PRIMARY KEY records
    (see rowkey.py), both read back in key order as SQLite's are.  The second pass reads them one by one:
    ``code_read`` loads the next identity (jumping to ``done`` when there is
    none) and returns the label that goes on to the following one;
    ``code_next`` closes the loop."""

    def __init__(self, rowset: int = 0, cursor: int = -1) -> None:
        self.rowset = rowset
        self.cursor = cursor
        self.in_visit_order = False     # an ephemeral table, not index
        self._next = 0
        self._top = 0

    def code_read(self, parse: Any, done: int, target: int) -> int:
        self._next = parse.label()
        if self.cursor < 0:
            parse.resolve(self._next)
            parse.emit("RowSetRead", self.rowset, done, target)
            return self._next
        parse.emit("Rewind", self.cursor, done)
        self._top = parse.current_addr()
        if self.in_visit_order:
            parse.emit("Column", self.cursor, 0, target)
        else:
            parse.emit("RowData", self.cursor, target)
        return self._next

    def code_next(self, parse: Any) -> None:
        if self.cursor < 0:
            parse.emit("Goto", 0, self._next)
            return
        parse.resolve(self._next)
        parse.emit("Next", self.cursor, self._top)


def collect_rowids(parse: Any, stmt_table: ast.TableRef, table: Any, where: ast.Expr | None,
                   visit_order: Callable[[Any], bool] | None = None) -> RowKeys:
    """First pass of DELETE/UPDATE: the identities of the rows ``where``
    selects.  A WITHOUT ROWID table's keys are read back in the order the
    WHERE loop found them when ``visit_order(where_info)`` says so (the
    order of SQLite's one-pass UPDATE), else in primary key order."""
    from pyrite.compile.context import NameContext, flatten_from
    from pyrite.compile.expr import code_column
    from pyrite.compile.resolve import ColumnRef, resolve_expr
    from pyrite.compile.where import where_begin
    src = flatten_from(parse, stmt_table)
    item = src[0]
    nc = NameContext(src)
    resolved = resolve_expr(parse, where, nc) if where is not None else None
    from pyrite.compile.rowkey import pk_index, pk_key_affinity
    pk = pk_index(table)
    if pk is None:
        keys = RowKeys(rowset=parse.alloc_reg())
        parse.emit("Null", 0, keys.rowset)
    else:
        # An ephemeral index of the keys: read back in primary key order,
        # the order SQLite's second pass visits the rows in.
        keys = RowKeys(cursor=parse.alloc_cursor())
        key = pk.key_info
        n = pk.n_key_col
        open_addr = parse.emit("OpenEphemeral", keys.cursor, n, 0,
                               values.KeyInfo(key.collations[:n], key.desc[:n], n))
    saved_nc = parse.current_nc
    parse.current_nc = nc        # the outer context of correlated subqueries
    try:
        info = where_begin(parse, src, resolved)
        reg = parse.alloc_reg()
        if pk is None:
            code_column(parse, ColumnRef(cursor=item.cursor, column=-1, item=item,
                                         affinity=values.AFF_INTEGER), reg)
            parse.emit("RowSetAdd", keys.rowset, reg)
        else:
            n = pk.n_key_col
            regs = parse.alloc_reg(n)
            for k in range(n):
                ci = pk.columns[k]
                code_column(parse, ColumnRef(cursor=item.cursor, column=ci, item=item,
                                             affinity=table.columns[ci].affinity), regs + k)
            parse.emit("MakeRecord", regs, n, reg, pk_key_affinity(pk))
            if visit_order is not None and visit_order(info):
                # A rowid table of key records instead, in insertion order.
                keys.in_visit_order = True
                parse.builder.change_p2(open_addr, 1)
                parse.builder.change_p4(open_addr, None)
                rec, rowid = parse.alloc_reg(), parse.alloc_reg()
                parse.emit("MakeRecord", reg, 1, rec)
                parse.emit("NewRowid", keys.cursor, rowid)
                parse.emit("Insert", keys.cursor, rec, rowid)
            else:
                parse.emit("IdxInsert", keys.cursor, reg, regs, n)
        info.end()
    finally:
        parse.current_nc = saved_nc
    return keys


def limit_where(parse: Any, stmt: Any, verb: str) -> Any:
    """sqlite3LimitWhere: ``DELETE/UPDATE ... [ORDER BY ...] LIMIT n [OFFSET m]``
    becomes the statement whose WHERE is ``rowid IN (SELECT rowid FROM tbl
    WHERE ... ORDER BY ... LIMIT n OFFSET m)``."""
    import dataclasses
    if stmt.limit is None:
        parse.error(f"ORDER BY without LIMIT on {verb}")
    # A WITHOUT ROWID table is matched on its PRIMARY KEY columns instead.
    names = ["rowid"]
    table = parse.db.find_table(stmt.table.name, stmt.table.schema)
    if table is not None and getattr(table, "without_rowid", False):
        pk = table.primary_key_index()
        names = [table.columns[c].name for c in pk.columns[:pk.n_key_col]]
    sub = ast.Select(
        ast.SelectCore(columns=tuple(ast.ResultColumn(ast.Column(n), text=n) for n in names),
                       from_=stmt.table, where=stmt.where),
        order_by=stmt.order_by, limit=stmt.limit, offset=stmt.offset)
    lhs = ast.Column(names[0]) if len(names) == 1 \
        else ast.Vector(tuple(ast.Column(n) for n in names))
    where = ast.In(lhs, select=sub)
    return dataclasses.replace(stmt, where=where, order_by=(), limit=None, offset=None)


def code_delete(parse: Any, stmt: ast.Delete) -> None:
    """DELETE FROM table [WHERE expr]."""
    from pyrite.compile.insert import find_writable_table
    if stmt.order_by or stmt.limit is not None:
        stmt = limit_where(parse, stmt, "DELETE")
    table = find_writable_table(parse, stmt.table.name, stmt.table.schema, "DELETE")
    from pyrite.compile.trigger import begin_triggers
    triggers = begin_triggers(parse, table, "DELETE")
    if table.is_view:
        from pyrite.compile.trigger import code_view_delete
        code_view_delete(parse, stmt, table, triggers)
        return
    if stmt.table.indexed_by is not None and \
            all(fold_name(i.name) != fold_name(stmt.table.indexed_by) for i in table.indexes):
        parse.error(f"no such index: {stmt.table.indexed_by}")
    from pyrite.compile.returning import begin_returning
    returning = begin_returning(parse, table, stmt.returning)
    parse.begin_coding()
    row_count = parse.begin_row_count("rows deleted")
    parse.code_verify_schema(table.db_index, write=True)
    from pyrite.compile.fkey import fk_required
    if stmt.where is None and returning is None and triggers is None \
            and not fk_required(parse, table):
        # The truncate optimisation.
        parse.emit("Clear", table.root, table.db_index, row_count or -1, table.name)
        for idx in table.indexes:
            if idx.root != table.root:     # (a WITHOUT ROWID table's own PRIMARY KEY)
                parse.emit("Clear", idx.root, table.db_index, 0)
        parse.finish_coding()
        return
    if pk_index(table) is None:
        _code_delete_rowid_table(parse, stmt, table, triggers, returning)
    else:
        keys = collect_rowids(parse, stmt.table, table, stmt.where)
        _code_delete_second_pass(parse, table, keys, parse.alloc_reg(), triggers, returning)
    parse.finish_coding()


# Plans whose loop stays valid while the row it visits is deleted under it:
# a table scan or rowid lookup (the table cursor moves on from a deleted
# row), an index seek (the row's entry is deleted through the loop's own
# cursor, which then moves on the same way).
_ONE_PASS_PLANS = frozenset({"scan", "rowid_eq", "rowid_in", "rowid_range", "index"})


def _delete_is_complex(parse: Any, table: Any, where: Any, triggers: Any,
                       returning: Any) -> bool:
    """SQLite's bComplex: a trigger (RETURNING is one there), a foreign key
    or a subquery in WHERE may read or change the table while the loop
    runs, so the rows may be deleted as the loop finds them only when it
    finds one at most."""
    from pyrite.compile.fkey import fk_required
    from pyrite.compile.where import _has_subquery
    return (triggers is not None or returning is not None or fk_required(parse, table)
            or (where is not None and _has_subquery(where)))


def begin_row_loop(parse: Any, table_ref: Any, where_expr: Any) -> tuple[Any, Any, Any, int, Any]:
    """Begin the WHERE loop of a DELETE or UPDATE over its one table, so
    that it may write through its own cursors (WHERE_ONEPASS_DESIRED),
    after a RowSet register set to NULL for the two-pass form.  Answers
    (the table's SrcItem, its NameContext, the resolved WHERE, the RowSet
    register, the loop)."""
    from pyrite.compile.context import NameContext, flatten_from
    from pyrite.compile.resolve import resolve_expr
    from pyrite.compile.where import WHERE_ONEPASS_DESIRED, where_begin
    src = flatten_from(parse, table_ref)
    nc = NameContext(src)
    where = resolve_expr(parse, where_expr, nc) if where_expr is not None else None
    rowset = parse.alloc_reg()
    parse.emit("Null", 0, rowset)
    saved_nc = parse.current_nc
    parse.current_nc = nc        # the outer context of correlated subqueries
    try:
        info = where_begin(parse, src, where, flags=WHERE_ONEPASS_DESIRED)
    finally:
        parse.current_nc = saved_nc
    return src[0], nc, where, rowset, info


def _code_delete_rowid_table(parse: Any, stmt: ast.Delete, table: Any, triggers: Any,
                             returning: Any) -> None:
    """DELETE with a WHERE loop over a rowid table (sqlite3DeleteFrom's
    loop).  One pass when the loop visits one row at most
    (ONEPASS_SINGLE), or, the statement not being complex, when its plan
    survives the deletions (ONEPASS_MULTI): each row is deleted as the loop
    finds it, the entry of the index the loop reads through that index's
    own cursor.  Otherwise two passes: the loop collects the rowids in a
    RowSet, then a second loop deletes each row it still finds."""
    from pyrite.compile.where import visits_one_row
    item, _, where, rowset, info = begin_row_loop(parse, stmt.table, stmt.where)
    complex_ = _delete_is_complex(parse, table, where, triggers, returning)
    level = info.levels[0]
    single = visits_one_row(level)
    one_pass = single or (not complex_ and level.plan in _ONE_PASS_PLANS)
    data_cursor = item.cursor
    if one_pass and level.index_cursor >= 0:
        # The body reads the row from the table (a trigger may change the
        # index entry the loop stands on).
        parse.emit("FinishSeek", data_cursor)
        parse.covering.pop(data_cursor, None)
    rowid = parse.alloc_reg()
    from pyrite.compile.expr import code_column
    from pyrite.compile.resolve import ColumnRef
    code_column(parse, ColumnRef(cursor=data_cursor, column=-1, item=item,
                                 affinity=values.AFF_INTEGER), rowid)
    if not one_pass:
        parse.emit("RowSetAdd", rowset, rowid)
        info.end()
        _code_delete_second_pass(parse, table, RowKeys(rowset=rowset), rowid, triggers,
                                 returning)
        return
    loop_index = level.index if level.plan == "index" else None
    once = 0 if single else parse.emit("Once", 0, 0)
    idx_cursors = []
    for idx in table.indexes:
        if idx is loop_index:
            idx_cursors.append(level.index_cursor)
            continue
        c = parse.alloc_cursor()
        parse.emit("OpenWrite", c, idx.root, table.db_index, idx.key_info)
        idx_cursors.append(c)
    if once:
        parse.builder.change_p2(once, parse.current_addr())
    parse.count_row()
    # The loop's index entry is deleted where its cursor stands, unless a
    # trigger or foreign key action may move that cursor first.
    from pyrite.compile.fkey import fk_required
    no_seek = level.index_cursor if loop_index is not None and triggers is None \
        and not fk_required(parse, table) else -1
    _code_delete_row(parse, table, data_cursor, idx_cursors, rowid, triggers, returning,
                     no_seek)
    if single:
        parse.emit("Goto", 0, info.break_label)
    info.end()


def _code_delete_second_pass(parse: Any, table: Any, keys: RowKeys, rowid: int,
                             triggers: Any, returning: Any) -> None:
    """The second pass of a two-pass DELETE: seek each row collected in
    ``keys`` and delete it (a row a trigger already removed is skipped)."""
    from pyrite.compile.insert import open_table_and_indices
    from pyrite.compile.rowkey import code_seek_row
    data_cursor, idx_cursors = open_table_and_indices(parse, table)
    done = parse.label()
    next_row = keys.code_read(parse, done, rowid)
    parse.count_row()       # SQLite counts the rows found, deleted or not
    code_seek_row(parse, table, data_cursor, next_row, rowid)
    _code_delete_row(parse, table, data_cursor, idx_cursors, rowid, triggers, returning)
    keys.code_next(parse)
    parse.resolve(done)


def _code_delete_row(parse: Any, table: Any, data_cursor: int, idx_cursors: list[int],
                     rowid: int, triggers: Any, returning: Any, no_seek: int = -1) -> None:
    """Delete the row under ``data_cursor`` (rowid in ``rowid``) with its
    index entries, triggers, foreign key actions and RETURNING row."""
    from pyrite.compile.insert import generate_row_delete
    from pyrite.compile.returning import load_row
    reg_old = load_row(parse, table, data_cursor, rowid) if returning is not None else 0
    generate_row_delete(parse, table, data_cursor, idx_cursors, count=True, reg_rowid=rowid,
                        triggers=triggers,
                        returning=(lambda: returning.code_row(reg_old))
                        if returning is not None else None, no_seek=no_seek)
