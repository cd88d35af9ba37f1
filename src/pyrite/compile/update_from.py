"""Compiler layer: UPDATE ... FROM.

SQLite's counterpart is ``updateFromSelect`` in ``update.c`` with the
SRT_Upfrom disposal of ``select.c``.  The target table joined with the FROM
items is run as one SELECT whose rows are (target rowid, new value of each
assigned column); each row is written into an ephemeral table keyed by the
target rowid, so a target row that matches several source rows keeps the
values of the last one the join produced: every target row is updated at
most once.  The SET expressions therefore all see the database as it was
before the statement.  The second pass reads the ephemeral table in rowid
order, seeks each target row and updates it with update.py's per-row code
(constraint checks, indexes, RETURNING).

A FROM clause of several items is read as a parenthesized join, a
``(SELECT * FROM ...)`` subquery whose columns keep their tables' names, as
SQLite's parser does: the target is not visible inside its ON expressions,
and its ``*`` makes two items of one name ambiguous.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pyrite.compile.context import SRT_UPD, SelectDest
from pyrite.sql import ast


def _element(parse: Any, select: ast.Select, k: int) -> ast.Expr:
    """Column ``k`` of a row-value subquery as a scalar subquery."""
    core = select.core
    if select.compounds or not isinstance(core, ast.SelectCore) \
            or any(rc.star for rc in core.columns):
        parse.error("row value misused")
    return ast.Subquery(dataclasses.replace(
        select, core=dataclasses.replace(core, columns=(core.columns[k],))))


def code_update_from(parse: Any, stmt: ast.Update, table: Any, assign: Any,
                     on_error: int, triggers: Any = None) -> None:
    """UPDATE target SET ... FROM ... [WHERE ...] [RETURNING ...]."""
    from pyrite.compile.insert import open_table_and_indices
    from pyrite.compile.returning import begin_returning
    from pyrite.compile.select import compile_select
    from pyrite.compile.update import code_update_row
    target = stmt.table
    target_name = target.alias or target.name

    # The SELECT: target rowid, then each assigned value.
    rowid_name = next((n for n in ("rowid", "_rowid_", "oid")
                       if table.column_index(n) < 0), "rowid")
    columns = [ast.ResultColumn(ast.Column(rowid_name, target_name))]
    pk = table.primary_key_index() if table.without_rowid else None
    n_pk = 0
    if pk is not None:
        # A WITHOUT ROWID target is named by its primary key columns.
        n_pk = pk.n_key_col
        columns = [ast.ResultColumn(ast.Column(table.columns[c].name, target_name))
                   for c in pk.columns[:n_pk]]
    position: dict[int, int] = {}
    for ci, item in assign.exprs.items():
        if isinstance(item, tuple):
            unit, k = item
            item = _element(parse, assign.units[unit], k)
        position[ci] = len(columns)
        columns.append(ast.ResultColumn(item))
    target_ref = ast.TableRef(target.name, target.schema, target.alias,
                              target.indexed_by, target.not_indexed)
    if isinstance(stmt.from_, ast.Join):
        # a FROM clause of several tables is read as a parenthesized join
        # (SQLite's parser wraps it so): the target joins its result
        from_ = ast.Join(target_ref, ast.SubqueryRef(ast.Select(ast.SelectCore(
            (ast.ResultColumn(None, star=True, text="*"),), from_=stmt.from_,
            nested_from=True)), None, nested_from=True), ",")
    else:
        from_ = ast.Join(target_ref, stmt.from_, ",")
    select = ast.Select(ast.SelectCore(tuple(columns), from_=from_, where=stmt.where))

    returning = begin_returning(parse, table, stmt.returning)
    parse.begin_coding()
    parse.begin_row_count("rows updated")
    parse.code_verify_schema(table.db_index, write=True)
    eph = parse.alloc_cursor()
    if pk is None:
        parse.emit("OpenEphemeral", eph, len(columns) - 1)
    else:
        from pyrite import values
        key = pk.key_info
        n = len(columns)
        parse.emit("OpenEphemeral", eph, n, 0, values.KeyInfo(
            key.collations[:n_pk] + (None,) * (n - n_pk), key.desc[:n_pk], n_pk))
    compile_select(parse, select, SelectDest(SRT_UPD, eph, parm2=n_pk))

    data_cursor, idx_cursors = open_table_and_indices(parse, table)
    reg_old = parse.alloc_reg()
    done = parse.label()
    next_row = parse.label()
    parse.emit("Rewind", eph, done)
    top = parse.current_addr()
    if pk is None:
        parse.emit("Rowid", eph, reg_old)
        parse.emit("NotExists", data_cursor, next_row, reg_old)
    else:
        regs = parse.alloc_reg(n_pk)
        for k in range(n_pk):
            parse.emit("Column", eph, k, regs + k)
        parse.emit("NotFound", data_cursor, next_row, regs, n_pk)
    # The rowid is the ephemeral table's key, not in its record; the key
    # columns of a WITHOUT ROWID target are.
    shift = 0 if pk is not None else 1

    def code_value(ci: int, target_reg: int) -> None:
        parse.emit("Column", eph, position[ci] - shift, target_reg)

    code_update_row(parse, table, data_cursor, idx_cursors, reg_old, assign, code_value,
                    on_error, next_row, returning, triggers=triggers, count_rows=True)
    parse.resolve(next_row)
    parse.emit("Next", eph, top)
    parse.resolve(done)
    parse.finish_coding()

