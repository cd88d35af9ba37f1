"""Compiler layer: REINDEX (SQLite's ``sqlite3Reindex`` in build.c).

``REINDEX`` rebuilds every index; ``REINDEX collation`` the indexes with a
column of that collation; ``REINDEX [schema.]table`` a table's indexes and
``REINDEX [schema.]index`` one index.  Each index b-tree is cleared and
refilled from its table through a sorter, as sqlite3RefillIndex does.
"""

from __future__ import annotations
from pyrite.values import fold_name

from typing import Any

from pyrite.compile.build import begin_write_ddl, check_schema, refill_index
from pyrite.sql import ast


def _uses_collation(index: Any, name: str) -> bool:
    return any(fold_name((c or "BINARY")) == fold_name(name) for c in index.collations)


def code_reindex(parse: Any, stmt: ast.Reindex) -> None:
    """REINDEX [collation | [schema.]table | [schema.]index]."""
    db = parse.db
    targets: list[tuple[Any, Any]] = []
    tables = [t for slot in db.dbs for t in slot.schema.tables.values()
              if not getattr(t, "is_view", False)]
    if stmt.name is None:
        targets = [(t, i) for t in tables for i in t.indexes]
    else:
        found = False
        if stmt.schema is None and db.find_collation(stmt.name) is not None:
            found = True
            targets = [(t, i) for t in tables for i in t.indexes
                       if _uses_collation(i, stmt.name)]
        if not found:
            if stmt.schema is not None and db.db_index_of(stmt.schema) < 0:
                parse.error("unable to identify the object to be reindexed")
            table = db.find_table(stmt.name, stmt.schema)
            index = db.find_index(stmt.name, stmt.schema)
            if table is not None:
                targets = [(table, i) for i in getattr(table, "indexes", [])]
            elif index is not None:
                owner = index.table
                targets = [(owner, index)]
            else:
                parse.error("unable to identify the object to be reindexed")
    begin_write_ddl(parse)
    for table, _index in targets:
        parse.code_verify_schema(table.db_index, write=True)
    for table, index in targets:
        if not index.root or (table.without_rowid and index.is_primary_key):
            continue    # (a WITHOUT ROWID table's PRIMARY KEY holds the rows)
        parse.emit("Clear", index.root, table.db_index)
        refill_index(parse, table, index)
    parse.finish_coding()
