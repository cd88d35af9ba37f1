"""REINDEX against stdlib sqlite3: the same targets accepted, the same
errors, and indexes that stay consistent (integrity_check by sqlite3)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import pyrite

SETUP = [
    "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT COLLATE nocase, b, UNIQUE(a, b))",
    "CREATE INDEX tb ON t(b)",
    "CREATE INDEX ta ON t(a)",
    "CREATE VIEW v AS SELECT 1",
    "INSERT INTO t(a, b) VALUES('x', 1), ('Y', NULL), ('y', NULL), ('z', 3)",
]

STATEMENTS = ["REINDEX", "REINDEX t", "REINDEX main.t", "REINDEX tb", "REINDEX nocase",
              "REINDEX binary", "REINDEX v", "REINDEX nope", "REINDEX main.nope", "REINDEX main",
              "REINDEX sqlite_autoindex_t_1"]


def _outcome(mod, path: str, stmt: str) -> tuple:
    conn = mod.connect(path, isolation_level=None)
    try:
        for s in SETUP:
            conn.execute(s)
        try:
            conn.execute(stmt)
            err = None
        except Exception as e:  # noqa: BLE001 - compared across engines
            err = (type(e).__name__, str(e))
        rows = conn.execute("SELECT a, b FROM t ORDER BY a, b").fetchall()
        return err, rows
    finally:
        conn.close()


@pytest.mark.parametrize("stmt", STATEMENTS)
def test_reindex_matches_sqlite(stmt: str, tmp_path: Path) -> None:
    p_path = str(tmp_path / "p.db")
    assert _outcome(pyrite, p_path, stmt) == _outcome(sqlite3, str(tmp_path / "s.db"), stmt)
    conn = sqlite3.connect(p_path)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
