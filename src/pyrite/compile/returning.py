"""Compiler layer: the RETURNING clause of INSERT, UPDATE and DELETE.

SQLite's counterpart is the RETURNING machinery of ``trigger.c``
(sqlite3AddReturning, sqlite3ExpandReturning, codeReturningTrigger) and its
two pieces in ``build.c``'s sqlite3FinishCoding.  SQLite turns RETURNING into
an AFTER-row trigger coded inline: after each row is written (or, for DELETE,
removed) the RETURNING expressions are computed from the row's registers and
appended to an ephemeral table; only when the statement has run to completion
does a loop over that table hand the rows out with ResultRow.  So every row
is written before the first one is returned, ``changes()`` inside RETURNING
still reports the previous statement, and a non-correlated subquery is
computed once (at the first row) while a correlated one runs for each row.

Names resolve against the target table under its own name only (an alias of
the statement is not visible), through a FROM item whose cursor is never
opened: ``Parse.register_cursors`` maps it to the row's registers (the rowid
in ``base``, column ``i`` in ``base + 1 + i``), so column references, also
from correlated subqueries, read registers (SQLite's NC_UBaseReg).
"""

from __future__ import annotations

from typing import Any

from pyrite import values
from pyrite.compile.context import NameContext, SrcItem, SrcList
from pyrite.sql import ast


class Returning:
    """The RETURNING clause of one statement (SQLite's ``Returning``)."""

    def __init__(self, parse: Any, table: Any, columns: tuple[ast.ResultColumn, ...]) -> None:
        for rc in columns:
            if rc.star and rc.table is not None:
                parse.error('RETURNING may not use "TABLE.*" wildcards')
        self.parse = parse
        self.table = table
        self.columns = columns
        self.item = SrcItem(name=table.name, alias=None, table=table,
                            cursor=parse.alloc_cursor())
        self.nc = NameContext(SrcList([self.item]))
        self.result: list[Any] | None = None
        self.cursor = parse.alloc_cursor()      # the ephemeral table of rows
        self.reg = 0                            # first output register
        parse.returning = self

    def resolve(self) -> None:
        """Resolve the expressions (once) and publish the column names."""
        if self.result is not None:
            return
        from pyrite.compile.resolve import expand_result_columns
        self.result = expand_result_columns(self.parse, self.columns, self.nc)
        self.parse.set_result_columns([r.name for r in self.result],
                                      [r.decltype for r in self.result])

    def code_row(self, reg_base: int) -> None:
        """Compute the RETURNING row of the row held in ``reg_base``.. and
        append it to the ephemeral table (codeReturningTrigger)."""
        from pyrite.compile.expr import code_expr, expr_affinity
        parse = self.parse
        saved_nc = parse.current_nc
        parse.current_nc = self.nc
        parse.register_cursors[self.item.cursor] = reg_base
        try:
            self.resolve()
            assert self.result is not None
            n = len(self.result)
            reg = parse.alloc_reg(n + 2)
            if not self.reg:
                self.reg = reg
            for i, r in enumerate(self.result):
                code_expr(parse, r.expr, reg + i)
                if expr_affinity(r.expr) == values.AFF_REAL:
                    parse.emit("RealAffinity", reg + i)
            parse.emit("MakeRecord", reg, n, reg + n)
            parse.emit("NewRowid", self.cursor, reg + n + 1)
            parse.emit("Insert", self.cursor, reg + n, reg + n + 1)
        finally:
            parse.current_nc = saved_nc
            del parse.register_cursors[self.item.cursor]

    def code_open(self) -> None:
        """Open the ephemeral table (init section of sqlite3FinishCoding)."""
        if self.result:
            self.parse.emit("OpenEphemeral", self.cursor, len(self.result))

    def code_output(self) -> None:
        """Hand out the buffered rows, just before the final Halt."""
        if not self.result:
            return
        parse = self.parse
        n = len(self.result)
        reg = self.reg
        if getattr(parse.db, "foreign_keys", False):
            parse.emit("FkCheck")     # no rows out of a statement that failed a check
        rewind = parse.emit("Rewind", self.cursor, 0)
        for i in range(n):
            parse.emit("Column", self.cursor, i, reg + i)
        parse.emit("ResultRow", reg, n)
        parse.emit("Next", self.cursor, rewind + 1)
        parse.builder.change_p2(rewind, parse.current_addr())


def begin_returning(parse: Any, table: Any, columns: tuple[ast.ResultColumn, ...]
                    ) -> Returning | None:
    """The statement's Returning, or None without a RETURNING clause."""
    if not columns:
        return None
    return Returning(parse, table, columns)


def load_row(parse: Any, table: Any, data_cursor: int, reg_rowid: int) -> int:
    """Copy the row under ``data_cursor`` (rowid already in ``reg_rowid``) into
    fresh registers laid out as a new row: returns the base register."""
    from pyrite.compile.expr import code_column
    from pyrite.compile.resolve import ColumnRef
    from pyrite.compile.context import column_affinity
    n = len(table.columns)
    base = parse.alloc_reg(n + 1)
    parse.emit("SCopy", reg_rowid, base)
    item = SrcItem(name=table.name, alias=None, table=table, cursor=data_cursor)
    for i, col in enumerate(table.columns):
        if i == table.rowid_alias:
            parse.emit("Null", 0, base + 1 + i)
            continue
        code_column(parse, ColumnRef(cursor=data_cursor, column=i, item=item,
                                     affinity=column_affinity(col)), base + 1 + i)
    return base
