"""Compiler layer: ANALYZE (SQLite's ``analyze.c``, without STAT4).

``ANALYZE`` (or ``ANALYZE main``) gathers statistics for every table,
``ANALYZE table`` for one table and ``ANALYZE index`` for one index.  The
results go to ``sqlite_stat1(tbl, idx, stat)``, created on first use:

* one row per non-empty index: the entry count, then for each key-column
  prefix the average number of entries sharing a value of that prefix
  (computed by the StatIndex opcode);
* one row with ``idx`` NULL and the row count for a non-empty table that
  has no index covering every row (no index, or only partial ones).

As in SQLite, the rows of the analysed objects are removed first (the whole
table is cleared by a full ANALYZE, and so are sqlite_stat3/sqlite_stat4
when they exist), tables named ``sqlite_*`` and views get no statistics,
and indexes are visited in SQLite's list order (newest first, REPLACE
indexes last).
"""

from __future__ import annotations
from pyrite.values import fold_name

from typing import Any

from pyrite.compile.build import (
    BTREE_INTKEY, begin_write_ddl, change_cookie, code_file_format, code_schema_row,
    open_schema_table,
)
from pyrite.sql import ast

STAT1 = "sqlite_stat1"
STAT1_SQL = "CREATE TABLE sqlite_stat1(tbl,idx,stat)"
# Older or STAT4-only statistics tables SQLite empties along with stat1.
_OTHER_STATS = ("sqlite_stat4", "sqlite_stat3")
_OPFLAG_P2ISREG = 0x10
_JUMPIFNULL = 0x10
_OE_REPLACE = 5


def code_analyze(parse: Any, stmt: ast.Analyze) -> None:
    """ANALYZE [schema | [schema.]table_or_index]."""
    targets, where = _targets(parse, stmt)
    begin_write_ddl(parse)
    stat_cursor = _open_stat_table(parse, where)
    for table, only_index in targets:
        _analyze_table(parse, stat_cursor, table, only_index)
    parse.emit("Close", stat_cursor)
    parse.emit("LoadAnalysis", 0)
    parse.readonly = False
    parse.finish_coding()


def _targets(parse: Any, stmt: ast.Analyze) -> tuple[list[tuple[Any, Any]], Any]:
    """What to analyse, and which stat rows to replace: (column, name) or
    None for all of them."""
    db = parse.db
    schema = db.schema
    everything = [(t, None) for t in _tables_in_hash_order(schema)]
    if stmt.name is None:
        return everything, None
    if stmt.schema is None and fold_name(stmt.name) in ("main", "temp"):
        # A database name: all of main (TEMP holds nothing in Pyrite).
        return (everything if fold_name(stmt.name) == "main" else []), None
    if stmt.schema is not None and fold_name(stmt.schema) not in ("main", "temp"):
        parse.error(f"unknown database {stmt.schema}")
    if stmt.schema is not None and fold_name(stmt.schema) == "temp":
        parse.error(f"no such table: {stmt.schema}.{stmt.name}")
    index = schema.find_index(stmt.name)
    if index is not None:
        return [(index.table, index)], ("idx", index.name)
    table = schema.find_table(stmt.name) or db.find_table(stmt.name)
    if table is None:
        view = schema.views.get(fold_name(stmt.name)) if hasattr(schema, "views") else None
        if view is None:
            qual = f"{stmt.schema}." if stmt.schema is not None else ""
            parse.error(f"no such table: {qual}{stmt.name}")
        return [], ("tbl", view.name)
    return [(table, None)], ("tbl", table.name)


def _tables_in_hash_order(schema: Any) -> list[Any]:
    """The tables in the order a full ANALYZE visits them: SQLite walks its
    schema's table hash, so sqlite_stat1 gets its rows in the order SQLite
    writes them."""
    return [t for t in schema.tables_in_hash_order()
            if not t.is_view and t is not schema.schema_table]


def _open_stat_table(parse: Any, where: Any) -> int:
    """Create sqlite_stat1 if needed, remove the rows being replaced, and
    open a write cursor on it (SQLite's openStatTable)."""
    schema = parse.db.schema
    stat1 = schema.find_table(STAT1)
    cursor = parse.alloc_cursor()
    if stat1 is None:
        code_file_format(parse)
        root = parse.alloc_reg()
        parse.emit("CreateBtree", 0, root, BTREE_INTKEY)
        schema_cursor = open_schema_table(parse)
        code_schema_row(parse, schema_cursor, "table", STAT1, STAT1, root, STAT1_SQL)
        parse.emit("Close", schema_cursor)
        change_cookie(parse)
        parse.emit("ParseSchema", 0, 0, 0, f"tbl_name='{STAT1}' AND type!='trigger'")
        parse.emit("OpenWrite", cursor, root, 0, 3, _OPFLAG_P2ISREG)
    else:
        parse.emit("OpenWrite", cursor, stat1.root, 0, 3)
    tables = [t for t in (stat1, *(schema.find_table(n) for n in _OTHER_STATS))
              if t is not None]
    for table in tables:
        if where is None:
            parse.emit("Clear", table.root, 0)
        else:
            _delete_stat_rows(parse, table, where)
    return cursor


def _delete_stat_rows(parse: Any, table: Any, where: tuple[str, str]) -> None:
    """DELETE FROM <stat table> WHERE <column> = <name>: collect the rowids,
    then delete them."""
    column, name = where
    col = table.column_index(column)
    if col < 0:
        return
    cursor = parse.alloc_cursor()
    parse.emit("OpenWrite", cursor, table.root, 0, len(table.columns))
    rowset = parse.alloc_reg()
    want = parse.alloc_reg()
    value = parse.alloc_reg()
    rowid = parse.alloc_reg()
    parse.emit("Null", 0, rowset)
    parse.emit("String8", 0, want, 0, name)
    scanned = parse.label()
    parse.emit("Rewind", cursor, scanned)
    top = parse.current_addr()
    skip = parse.label()
    parse.emit("Column", cursor, col, value)
    parse.emit("Ne", want, skip, value, None, _JUMPIFNULL)
    parse.emit("Rowid", cursor, rowid)
    parse.emit("RowSetAdd", rowset, rowid)
    parse.resolve(skip)
    parse.emit("Next", cursor, top)
    parse.resolve(scanned)
    done = parse.label()
    loop = parse.current_addr()
    parse.emit("RowSetRead", rowset, done, rowid)
    parse.emit("NotExists", cursor, loop, rowid)
    parse.emit("Delete", cursor)
    parse.emit("Goto", 0, loop)
    parse.resolve(done)
    parse.emit("Close", cursor)


def _index_order(table: Any) -> list[Any]:
    """The table's indexes in SQLite's list order: newest first, the
    REPLACE ones after the others."""
    return sorted(reversed(table.indexes), key=lambda i: i.on_conflict == _OE_REPLACE)


def _analyze_table(parse: Any, stat_cursor: int, table: Any, only_index: Any) -> None:
    """Code the stat1 rows of one table (SQLite's analyzeOneTable)."""
    if getattr(table, "is_view", False) or fold_name(table.name).startswith("sqlite_"):
        return
    need_table_count = True
    for index in _index_order(table):
        if only_index is not None and index is not only_index:
            continue
        if index.where is None:
            need_table_count = False
        _code_index_stat(parse, stat_cursor, table, index)
    if only_index is None and need_table_count and table.has_rowid:
        _code_table_count(parse, stat_cursor, table)


def _code_stat_row(parse: Any, stat_cursor: int, table: Any, index_name: str | None,
                   stat_reg: int) -> None:
    """Insert (tbl, idx, r[stat_reg]) into sqlite_stat1."""
    base = parse.alloc_reg(3)
    parse.emit("String8", 0, base, 0, table.name)
    if index_name is None:
        parse.emit("Null", 0, base + 1)
    else:
        parse.emit("String8", 0, base + 1, 0, index_name)
    parse.emit("SCopy", stat_reg, base + 2)
    rec = parse.alloc_reg()
    rowid = parse.alloc_reg()
    parse.emit("MakeRecord", base, 3, rec, "BBB")
    parse.emit("NewRowid", stat_cursor, rowid)
    parse.emit("Insert", stat_cursor, rec, rowid)


def _code_index_stat(parse: Any, stat_cursor: int, table: Any, index: Any) -> None:
    """One index: StatIndex scans it; an empty index gets no row."""
    if not index.root:
        return
    cursor = parse.alloc_cursor()
    parse.emit("OpenRead", cursor, index.root, 0, index.key_info)
    stat = parse.alloc_reg()
    parse.emit("StatIndex", cursor, stat, index.n_key_col)
    parse.emit("Close", cursor)
    empty = parse.label()
    parse.emit("IsNull", stat, empty)
    # A WITHOUT ROWID table's PRIMARY KEY is recorded under the table's name.
    name = table.name if table.without_rowid and index.is_primary_key else index.name
    _code_stat_row(parse, stat_cursor, table, name, stat)
    parse.resolve(empty)


def _code_table_count(parse: Any, stat_cursor: int, table: Any) -> None:
    """The row count of a table with no full index, unless it is empty."""
    cursor = parse.alloc_cursor()
    parse.emit("OpenRead", cursor, table.root, 0, len(table.columns))
    count = parse.alloc_reg()
    parse.emit("Count", cursor, count)
    parse.emit("Close", cursor)
    empty = parse.label()
    parse.emit("IfNot", count, empty)
    parse.emit("Cast", count, ord("B"))
    _code_stat_row(parse, stat_cursor, table, None, count)
    parse.resolve(empty)
