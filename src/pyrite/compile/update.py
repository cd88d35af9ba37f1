"""Compiler layer: UPDATE.

SQLite's counterpart is ``update.c`` (sqlite3Update) with the constraint
checks of ``insert.c``.  Pyrite uses the two-pass form: the WHERE loop
collects the rowids in a RowSet; the second loop seeks each row, computes
the new values from the old row, checks constraints, removes the old index
entries and writes the new row and index entries (a changed rowid deletes
the old row first).
"""

from __future__ import annotations

from typing import Any

from pyrite.schema import schema as sch
from pyrite.sql import ast


def code_update(parse: Any, stmt: ast.Update) -> None:
    """UPDATE [OR conflict] table SET ... [WHERE expr]."""
    from pyrite.compile.build import code_index_key, code_partial_filter, resolve_on_table
    from pyrite.compile.delete import collect_rowids
    from pyrite.compile.expr import code_expr
    from pyrite.compile.insert import complete_insertion, find_writable_table, \
        generate_constraint_checks, open_table_and_indices
    if stmt.returning:
        parse.error("RETURNING is not supported yet")
    if stmt.from_ is not None:
        parse.error("UPDATE ... FROM is not supported yet")
    if stmt.with_ is not None:
        parse.error("common table expressions (WITH) are not supported yet")
    if stmt.order_by or stmt.limit is not None:
        parse.error("ORDER BY and LIMIT on UPDATE are not supported yet")
    table = find_writable_table(parse, stmt.table.name, stmt.table.schema)
    on_error = sch.conflict_code(stmt.or_)
    n_col = len(table.columns)
    alias = stmt.table.alias

    # Column -> SET expression; the rowid (-1) may be assigned too.
    assign: dict[int, ast.Expr] = {}
    for sc in stmt.sets:
        if len(sc.columns) != 1:
            parse.error("row value assignments in UPDATE are not supported yet")
        name = sc.columns[0]
        ci = table.column_index(name)
        if ci < 0:
            if name.lower() in ("rowid", "oid", "_rowid_"):
                ci = sch.XN_ROWID
            else:
                parse.error(f"no such column: {name}")
        assign[ci] = sc.expr
    if table.rowid_alias >= 0 and table.rowid_alias in assign:
        assign[sch.XN_ROWID] = assign.pop(table.rowid_alias)
    rowid_changed = sch.XN_ROWID in assign

    parse.begin_coding()
    parse.code_verify_schema(0, write=True)
    rowset = collect_rowids(parse, stmt.table, table, stmt.where)
    data_cursor, idx_cursors = open_table_and_indices(parse, table)
    reg_old = parse.alloc_reg()
    reg_new = parse.alloc_reg(n_col + 1)
    key_regs = [parse.alloc_reg() for _ in table.indexes]
    done = parse.label()
    top = parse.current_addr()
    next_row = parse.label()
    parse.emit("RowSetRead", rowset, done, reg_old)
    parse.emit("NotExists", data_cursor, top, reg_old)

    # New values, computed from the old row.
    for i, col in enumerate(table.columns):
        reg = reg_new + 1 + i
        if i == table.rowid_alias:
            parse.emit("Null", 0, reg)
            continue
        expr = assign.get(i)
        if expr is None:
            parse.emit("Column", data_cursor, i, reg)
        else:
            r = code_expr(parse, resolve_on_table(parse, table, data_cursor, expr, alias), reg)
            if r != reg:
                parse.emit("SCopy", r, reg)
    if rowid_changed:
        expr = assign[sch.XN_ROWID]
        r = code_expr(parse, resolve_on_table(parse, table, data_cursor, expr, alias),
                      reg_new)
        if r != reg_new:
            parse.emit("SCopy", r, reg_new)
        parse.emit("MustBeInt", reg_new, 0)
    else:
        parse.emit("SCopy", reg_old, reg_new)
    parse.emit("Affinity", reg_new + 1, n_col, 0, table.affinity_string())

    changed = set(i for i in assign if i >= 0)
    generate_constraint_checks(parse, table, data_cursor, idx_cursors, reg_new, reg_old,
                               rowid_changed, on_error, next_row, key_regs,
                               changed_cols=changed)
    # The checks may have moved the data cursor (rowid probe, REPLACE
    # deletions): seek the old row again, then remove its index entries.
    parse.emit("NotExists", data_cursor, next_row, reg_old)
    for idx, ic in zip(table.indexes, idx_cursors):
        n = len(idx.columns)
        regs = parse.alloc_reg(n)
        skip = parse.label()
        code_partial_filter(parse, table, idx, data_cursor, skip)
        code_index_key(parse, table, idx, data_cursor, regs)
        parse.emit("IdxDelete", ic, regs, n)
        parse.resolve(skip)
    if rowid_changed:
        parse.emit("Delete", data_cursor, 0)
    complete_insertion(parse, table, data_cursor, idx_cursors, reg_new, key_regs,
                       is_update=True)
    parse.resolve(next_row)
    parse.emit("Goto", 0, top)
    parse.resolve(done)
    parse.finish_coding()
