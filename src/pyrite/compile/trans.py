"""Compiler layer: transaction control statements.

SQLite's counterpart is the transaction part of ``build.c``
(sqlite3BeginTransaction, sqlite3EndTransaction, sqlite3Savepoint).  BEGIN,
COMMIT and ROLLBACK compile to the ``AutoCommit`` opcode (preceded by
``Transaction`` for BEGIN IMMEDIATE/EXCLUSIVE); SAVEPOINT, RELEASE and
ROLLBACK TO compile to ``Savepoint``.  The errors ("cannot start a
transaction within a transaction", "cannot commit - no transaction is
active", "no such savepoint: x") are raised when those opcodes run.
"""

from __future__ import annotations

from typing import Any

from pyrite.sql import ast

# Savepoint P1 (SAVEPOINT_* of sqliteInt.h).
SAVEPOINT_BEGIN = 0
SAVEPOINT_RELEASE = 1
SAVEPOINT_ROLLBACK = 2

# Transaction P2 for BEGIN IMMEDIATE / EXCLUSIVE.
_BEGIN_P2 = {"IMMEDIATE": 1, "EXCLUSIVE": 2}


def code_transaction(parse: Any, stmt: ast.Statement) -> None:
    """Emit the program of BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE."""
    parse.begin_coding()
    if isinstance(stmt, ast.Begin):
        mode = (stmt.mode or "DEFERRED").upper()
        p2 = _BEGIN_P2.get(mode)
        if p2 is not None:
            parse.emit("Transaction", 0, p2)
        parse.emit("AutoCommit", 0, 0)
    elif isinstance(stmt, ast.Commit):
        parse.emit("AutoCommit", 1, 0)
    elif isinstance(stmt, ast.Rollback):
        if stmt.savepoint is not None:
            parse.emit("Savepoint", SAVEPOINT_ROLLBACK, 0, 0, stmt.savepoint)
        else:
            parse.emit("AutoCommit", 1, 1)
    elif isinstance(stmt, ast.Savepoint):
        parse.emit("Savepoint", SAVEPOINT_BEGIN, 0, 0, stmt.name)
    elif isinstance(stmt, ast.Release):
        parse.emit("Savepoint", SAVEPOINT_RELEASE, 0, 0, stmt.name)
    parse.finish_coding()
