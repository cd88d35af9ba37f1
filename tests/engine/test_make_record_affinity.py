"""MakeRecord applies its affinity string, skipping the call for values the
affinity leaves as they are (text under TEXT, integers under INTEGER or
NUMERIC, NULLs, blobs, anything under BLOB): stored values and their types
match sqlite3's, in the table and in index keys."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite

VALUES = [None, 0, 1, -7, 2 ** 40, 3.0, -0.0, 2.5, 1e300, "12", " 12 ", "1.5", "3.0",
          "0x10", "abc", "", b"", b"\x00\x01", b"12", True, False]

SCHEMA = [
    "CREATE TABLE t(i INTEGER, n NUMERIC, r REAL, s TEXT, b BLOB, x)",
    "CREATE INDEX ti ON t(i, n)",
    "CREATE INDEX ts ON t(s, r)",
    "CREATE INDEX tb ON t(b, x)",
]

QUERY = ("SELECT rowid, i, typeof(i), n, typeof(n), r, typeof(r), s, typeof(s), "
         "b, typeof(b), x, typeof(x) FROM t ORDER BY rowid")
INDEX_QUERIES = [
    "SELECT i, typeof(i), n, typeof(n), rowid FROM t INDEXED BY ti ORDER BY i, n, rowid",
    "SELECT s, typeof(s), r, typeof(r), rowid FROM t INDEXED BY ts ORDER BY s, r, rowid",
    "SELECT b, typeof(b), x, typeof(x), rowid FROM t INDEXED BY tb ORDER BY b, x, rowid",
]


def _load(con) -> None:
    for sql in SCHEMA:
        con.execute(sql)
    for v in VALUES:
        con.execute("INSERT INTO t VALUES(?,?,?,?,?,?)", (v,) * 6)
    # INSERT ... SELECT passes values already in registers (no binding).
    con.execute("INSERT INTO t SELECT x, x, x, x, x, x FROM t")


@pytest.mark.parametrize("query", [QUERY, *INDEX_QUERIES])
def test_affinity_in_records_matches_sqlite3(query: str) -> None:
    mine = pyrite.connect(":memory:")
    ref = sqlite3.connect(":memory:")
    _load(mine)
    _load(ref)
    assert mine.execute(query).fetchall() == ref.execute(query).fetchall()
