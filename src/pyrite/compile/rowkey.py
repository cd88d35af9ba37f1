"""Compiler layer: how DML names one row of a table -- its rowid, or the
PRIMARY KEY of a WITHOUT ROWID table.

SQLite threads ``pPk``/``nPk`` through ``insert.c``, ``delete.c`` and
``update.c``: a WITHOUT ROWID table's b-tree is its PRIMARY KEY index, its
cursor is opened with that index's KeyInfo, and a row is found again by
its key columns (``NotFound``) instead of a rowid (``NotExists``).  Pyrite
keeps one register per row identity in both cases: the rowid, or the key
columns packed into a record (``MakeRecord``), which ``NotFound`` with P4=0
accepts and which ephemeral tables can hold like any value.  A key record
built from the stored row (:func:`code_row_key`) is byte-identical for the
same row however it is reached, so ``Eq`` on two of them tells whether two
cursors stand on the same row.
"""

from __future__ import annotations

from typing import Any


def pk_index(table: Any) -> Any:
    """The PRIMARY KEY index of a WITHOUT ROWID table, else None."""
    if not getattr(table, "without_rowid", False):
        return None
    return table.primary_key_index()


def table_p4(table: Any, ncol: int | None = None) -> Any:
    """P4 of OpenRead/OpenWrite for ``table``: the PRIMARY KEY's KeyInfo of
    a WITHOUT ROWID table, else the column count."""
    pk = pk_index(table)
    if pk is not None:
        return pk.key_info
    return len(table.columns) if ncol is None else ncol


def open_table(parse: Any, op: str, cursor: int, table: Any, ncol: int | None = None,
               db: int | None = None) -> None:
    """Open ``cursor`` on ``table``'s own b-tree."""
    parse.emit(op, cursor, table.root, table.db_index if db is None else db,
               table_p4(table, ncol))


def pk_key_affinity(pk: Any) -> str:
    return pk.affinity_string()[:pk.n_key_col]


def code_row_key(parse: Any, table: Any, cursor: int, target: int) -> None:
    """Load the identity of the row under table ``cursor`` into ``target``."""
    pk = pk_index(table)
    if pk is None:
        parse.emit("Rowid", cursor, target)
        return
    n = pk.n_key_col
    regs = parse.alloc_reg(n)
    for k in range(n):
        parse.emit("Column", cursor, k, regs + k)
    parse.emit("MakeRecord", regs, n, target, pk_key_affinity(pk))


def code_index_row_key(parse: Any, table: Any, index: Any, idx_cursor: int,
                       target: int) -> None:
    """Load the identity of the row the entry under ``idx_cursor`` (an
    index of ``table``) points at into ``target`` (IdxRowid, or the
    primary key columns the entry holds)."""
    pk = pk_index(table)
    if pk is None:
        parse.emit("IdxRowid", idx_cursor, target)
        return
    if index is pk:
        code_row_key(parse, table, idx_cursor, target)
        return
    n = pk.n_key_col
    regs = parse.alloc_reg(n)
    for k in range(n):
        parse.emit("Column", idx_cursor, index_position(index, pk, k), regs + k)
    parse.emit("MakeRecord", regs, n, target, pk_key_affinity(pk))


def index_position(index: Any, pk: Any, k: int) -> int:
    """Where the ``k``-th primary key column is in ``index``'s entries: its
    first place with the key's collation."""
    ci, coll = pk.columns[k], pk.collations[k].upper()
    for j, c in enumerate(index.columns):
        if c == ci and index.collations[j].upper() == coll:
            return j
    return index.columns.index(ci)


def code_seek_row(parse: Any, table: Any, cursor: int, missing: int, key_reg: int) -> int:
    """Move table ``cursor`` to the row whose identity is in ``key_reg``;
    jump to ``missing`` when there is none."""
    if pk_index(table) is None:
        return parse.emit("NotExists", cursor, missing, key_reg)
    return parse.emit("NotFound", cursor, missing, key_reg, 0)
