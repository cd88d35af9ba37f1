"""Small corners of SQLite's behaviour, compared with sqlite3: pattern
matching and NOCASE over text with an embedded NUL (C-string semantics),
compound ORDER BY terms naming columns that come from ``*``."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite

SETUP = [
    "CREATE TABLE t1(a INTEGER, b TEXT, c TEXT)",
    "CREATE TABLE t2(a INTEGER, b TEXT, c TEXT)",
    "INSERT INTO t1 VALUES (1, 'x1', 'y1'), (3, 'a', 'z')",
    "INSERT INTO t2 VALUES (2, 'x2', 'y2')",
    "CREATE TABLE n(x COLLATE NOCASE)",
    "INSERT INTO n VALUES (CAST(X'410078' AS TEXT)), (CAST(X'610079' AS TEXT)), ('A')",
    "CREATE INDEX n_x ON n(x)",
]

QUERIES = [
    "SELECT 'a' || char(0) || 'b' GLOB 'a?b', 'a' || char(0) || 'b' GLOB 'a*',"
    " 'a' || char(0) || 'b' GLOB 'a'",
    "SELECT 'a' || char(0) || 'b' LIKE 'a_b', 'a' || char(0) || 'b' LIKE 'a',"
    " 'a' LIKE 'a' || char(0) || 'zz'",
    "SELECT CAST(X'410078' AS TEXT) = CAST(X'410079' AS TEXT) COLLATE NOCASE,"
    " CAST(X'410078' AS TEXT) < CAST(X'41007878' AS TEXT) COLLATE NOCASE,"
    " CAST(X'410078' AS TEXT) = CAST(X'41' AS TEXT) COLLATE NOCASE",
    "SELECT hex(x) FROM n ORDER BY x, hex(x)",
    "SELECT count(*) FROM n WHERE x = CAST(X'610078' AS TEXT)",
    "SELECT * FROM t1 UNION ALL SELECT * FROM t2 ORDER BY a",
    "SELECT * FROM t1 UNION ALL SELECT * FROM t2 ORDER BY b DESC",
    "SELECT a, * FROM t1 UNION ALL SELECT 1, * FROM t2 ORDER BY c",
    "SELECT *, a + 1 FROM t1 UNION ALL SELECT *, 0 FROM t2 ORDER BY a + 1",
    "SELECT b AS a, a AS b FROM t1 UNION SELECT b, a FROM t2 ORDER BY a",
    "SELECT * FROM t1 UNION SELECT * FROM t2 ORDER BY d",
]


def outcome(con, sql: str):
    try:
        rows = con.execute(sql).fetchall()
        return ("rows", [tuple((type(v).__name__, v) for v in r) for r in rows])
    except Exception as e:  # noqa: BLE001 - the error is the outcome
        return ("error", type(e).__name__, str(e))


@pytest.fixture(scope="module")
def connections():
    mine, theirs = pyrite.connect(":memory:"), sqlite3.connect(":memory:")
    for sql in SETUP:
        mine.execute(sql)
        theirs.execute(sql)
    return mine, theirs


@pytest.mark.parametrize("sql", QUERIES)
def test_matches_sqlite(connections, sql: str) -> None:
    mine, theirs = connections
    assert outcome(mine, sql) == outcome(theirs, sql)
