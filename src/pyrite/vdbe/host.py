"""VDBE layer: what the VM needs from its connection (SQLite's ``sqlite3`` struct
as seen from ``vdbe.c``).

``engine.Database`` implements this protocol.  The VM never imports the
engine, the compiler or the schema; everything above it arrives here.
"""

from __future__ import annotations

from typing import Any, Protocol


class VMHost(Protocol):
    autocommit: bool
    last_insert_rowid: int
    changes: int
    total_changes: int
    interrupted: bool

    def btree(self, db_index: int = 0) -> Any:
        """The storage BTree of database ``db_index`` (0 main)."""
        ...

    def begin_transaction(self, db_index: int = 0, write: bool = False) -> Any:
        """Take a read or write transaction on database ``db_index``; answers
        its BTree."""
        ...

    def schema_cookie(self, db_index: int = 0) -> int: ...

    def set_schema_cookie(self, db_index: int, value: int) -> None: ...

    def reload_schema(self, db_index: int = 0, where: str | None = None) -> None: ...

    def load_analysis(self, db_index: int = 0) -> None: ...

    def drop_table_schema(self, db_index: int, name: str) -> None: ...

    def drop_index_schema(self, db_index: int, name: str) -> None: ...

    def drop_trigger_schema(self, db_index: int, name: str) -> None: ...

    def savepoint(self, op: int, name: str) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def set_changes(self, n: int) -> None: ...
