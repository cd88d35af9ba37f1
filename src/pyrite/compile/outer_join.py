"""Compiler layer: RIGHT and FULL OUTER JOIN (SQLite 3.39+'s ``WhereRightJoin``
in ``where.c``/``wherecode.c``).

The loops run in FROM order as for an inner join (a FULL JOIN is also a
LEFT JOIN of its right-hand table).  Each row of the right-hand table that
satisfies the join's ON clause has its rowid recorded in an ephemeral index
(the "match bitmap"); the loop body is coded once as a subroutine, called
from the innermost loop.  After the loops, a final pass scans the
right-hand table again, skips the rows recorded as matched, sets every
table to its left on a NULL row, checks the WHERE clause and calls the body
for what remains.

The subroutine starts right after the match is recorded, so it holds the
rest of the right-hand loop's terms (the WHERE clause is deferred there or
further in, never applied to the left operand early), the loops inside it
and the body.

Several RIGHT/FULL joins nest: each one's subroutine holds the loops inside
it, so the final pass of an outer one also records matches of the inner
ones, and the final passes run in FROM order (SQLite's sqlite3WhereEnd).
Supported right-hand tables: B-tree tables and materialized subqueries/views.
"""

from __future__ import annotations

from typing import Any

from pyrite import values
from pyrite.compile.context import JT_RIGHT, Parse
from pyrite.compile.expr import code_expr
from pyrite.compile.resolve import ColumnRef


class RightJoin:
    """Registers, cursor and labels of one RIGHT/FULL join (WhereRightJoin)."""

    def __init__(self, parse: Parse, level: Any) -> None:
        self.level = level
        self.match_cursor = parse.alloc_cursor()
        self.reg_return = parse.alloc_reg()
        self.sub = parse.label()       # the loop body, as a subroutine
        self.ret = parse.label()       # its Return (the body's "continue")


def find_right_joins(parse: Parse, levels: list[Any]) -> list[RightJoin]:
    """A RightJoin for each RIGHT or FULL join of the FROM clause, in FROM order."""
    rj_levels = [lv for lv in levels if lv.item.jointype & JT_RIGHT]
    if not rj_levels:
        return []
    if any(lv.item.via_coroutine for lv in levels) or \
            any(getattr(lv.item.table, "is_recursive", False) for lv in rj_levels):
        parse.error("RIGHT and FULL OUTER JOINs with co-routine CTEs are not supported yet")
    return [RightJoin(parse, level) for level in rj_levels]


def restrict_plan(level: Any) -> None:
    """The right-hand table is read through its table cursor only (the
    final pass rescans it), so an index plan becomes a full scan."""
    if level.plan == "index":
        level.plan = "scan"
        level.index = None
        level.eq = []
        level.lower = level.upper = None
        level.covering = False
        level.cost = 5.0


def open_match_index(parse: Parse, rj: RightJoin) -> None:
    parse.emit("OpenEphemeral", rj.match_cursor, 1, 0, values.KeyInfo([None]))


def _code_rowid(parse: Parse, level: Any, target: int) -> None:
    """The right-hand row's identity: its rowid, or a WITHOUT ROWID
    table's primary key record (rowkey.py)."""
    item = level.item
    if getattr(item.table, "without_rowid", False):
        from pyrite.compile.rowkey import code_row_key
        code_row_key(parse, item.table, item.cursor, target)
        return
    code_expr(parse, ColumnRef(cursor=item.cursor, column=-1, item=item,
                               affinity=values.AFF_INTEGER, name="rowid"), target)


def code_match_record(parse: Parse, rj: RightJoin) -> None:
    """Record the right-hand row as matched (after its ON clause held)."""
    r = parse.alloc_reg(2)
    skip = parse.label()
    _code_rowid(parse, rj.level, r)
    parse.emit("Found", rj.match_cursor, skip, r, 1)
    parse.emit("MakeRecord", r, 1, r + 1)
    parse.emit("IdxInsert", rj.match_cursor, r + 1, r, 1)
    parse.resolve(skip)


def begin_body(parse: Parse, rj: RightJoin) -> None:
    """Call the body as a subroutine and start coding it."""
    parse.emit("Gosub", rj.reg_return, rj.sub)
    parse.emit("Goto", 0, rj.level.addr_cont)
    parse.resolve(rj.sub)


def end_body(parse: Parse, rj: RightJoin) -> None:
    parse.resolve(rj.ret)
    parse.emit("Return", rj.reg_return)


def code_unmatched_pass(parse: Parse, rj: RightJoin, levels: list[Any]) -> None:
    """The final pass: right-hand rows never matched, with NULLs on the left.
    The subroutine runs the loops inside the right-hand one, checks the
    WHERE clause and codes the row."""
    level = rj.level
    cur = level.item.cursor
    for lv in levels:
        if lv is level:
            break
        parse.emit("NullRow", lv.item.cursor)
        if lv.index_cursor >= 0:
            parse.emit("NullRow", lv.index_cursor)
    if parse.is_explain == 2:
        name = level.item.display_name if level.item.alias is None else level.item.alias
        parent = parse.emit("Explain", parse.current_addr(),
                            getattr(parse, "explain_parent", 0), 0, f"RIGHT-JOIN {name}")
        parse.emit("Explain", parse.current_addr(), parent, 0, f"SCAN {name}")
    done = parse.label()
    nxt = parse.label()
    virtual = level.plan == "vtab"
    if virtual:
        # a table-valued function is run again with its arguments
        from pyrite.compile import vtab
        vtab.code_filter(parse, level, done)
    else:
        parse.emit("Rewind", cur, done)
    top = parse.current_addr()
    r = parse.alloc_reg()
    _code_rowid(parse, level, r)
    parse.emit("Found", rj.match_cursor, nxt, r, 1)
    parse.emit("Gosub", rj.reg_return, rj.sub)
    parse.resolve(nxt)
    if virtual:
        parse.emit("VNext", cur, top)
    else:
        parse.emit("Next", cur, top, 0, None, 1)
    parse.resolve(done)
