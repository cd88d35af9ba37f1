"""Index builds and inserts with their fast paths (sorted sorter keys, the
unpacked key of IdxInsert, seeks starting from the cursor's leaf),
differential against the standard library's sqlite3: rows read through each
index and PRAGMA integrity_check must agree."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite
from tests.engine.test_update_indexes import compare_script

MIXED = ("INSERT INTO t(a, b, c) VALUES (NULL, 1, 'x'), (2, 2.5, 'y'), (2.0, 'b', X'00'), "
         "('10', -1, NULL), (X'01', 3, 'Y'), (-7, NULL, 'x'), (1e300, 9, 'z'), "
         "(9223372036854775807, 2, 'é'), (-9223372036854775808, 2.0, ''), (3, 'B', 'a')")


def numbered(n: int, expr: str = "x") -> str:
    return (f"WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < {n}) "
            f"SELECT {expr} FROM s")


CASES = {
    "create_index_mixed_types": [
        "CREATE TABLE t(a, b, c)", MIXED,
        "CREATE INDEX ta ON t(a)", "CREATE INDEX tbc ON t(b, c)",
        "CREATE INDEX tcd ON t(c DESC, a)", "CREATE INDEX tn ON t(c COLLATE NOCASE)",
        "SELECT a, b, c FROM t ORDER BY a", "SELECT a, b, c FROM t ORDER BY b, c",
        "SELECT DISTINCT typeof(b), b FROM t ORDER BY 2",
        "CREATE UNIQUE INDEX tu ON t(b)",
        "CREATE UNIQUE INDEX tu2 ON t(a)",
    ],
    "seeks_mixed_types": [
        "CREATE TABLE t(a, b, c)", MIXED, MIXED,
        "CREATE INDEX ta ON t(a, b)", "CREATE INDEX tc ON t(c)",
        "SELECT a, b FROM t WHERE a > 2 ORDER BY a, b",
        "SELECT a, b FROM t WHERE a >= '10' ORDER BY a",
        "SELECT a, b FROM t WHERE a < X'01' AND a > 2.0 ORDER BY a DESC",
        "SELECT a, b FROM t WHERE a BETWEEN -7 AND 3 ORDER BY a DESC, b",
        "SELECT a, b FROM t WHERE a IS NULL", "SELECT count(*) FROM t WHERE a = 2",
        "SELECT a, b FROM t WHERE a = 2 AND b > 2 ORDER BY b",
        "SELECT a, b FROM t WHERE a = 2 AND b <= 'b' ORDER BY b DESC",
        "SELECT c FROM t WHERE c > 'x' ORDER BY c", "SELECT c FROM t WHERE c < 'a' ORDER BY c",
        "SELECT max(a), min(a) FROM t", "SELECT a FROM t ORDER BY a DESC LIMIT 3",
        "DELETE FROM t WHERE a = 2 AND b = 2.5", "UPDATE t SET b = 7 WHERE a IS NULL",
        "SELECT a, b FROM t ORDER BY a, b",
    ],
    "create_index_large": [
        "CREATE TABLE t(a, b, c)",
        "INSERT INTO t " + numbered(1000, "x * 7 % 1009, x, printf('%0150d', x % 97)"),
        "CREATE INDEX tb ON t(b)", "CREATE INDEX ta ON t(a DESC)", "CREATE INDEX tc ON t(c, a)",
        "SELECT count(*), sum(a), min(c), max(c) FROM t WHERE c > '0000'",
        "CREATE UNIQUE INDEX tcu ON t(c)",
    ],
    "inserts_with_indexes": [
        "CREATE TABLE s(a, b, c)",
        "INSERT INTO s " + numbered(700, "(x * 7919) % 701, x, 'n' || (x * 31 % 101)"),
        "CREATE TABLE t(a INTEGER UNIQUE, b INTEGER, c TEXT)",
        "CREATE INDEX tb ON t(b)", "CREATE INDEX tc ON t(c)",
        "INSERT INTO t SELECT * FROM s",
        "INSERT INTO t SELECT a + 5000, b, c FROM s ORDER BY b DESC",
        "INSERT INTO t VALUES(3, 0, 'dup')",
        "REPLACE INTO t SELECT a, b + 1, c || 'r' FROM s WHERE b % 3 = 0",
        "DELETE FROM t WHERE b % 5 = 0",
        "INSERT INTO t SELECT a + 9000, b, upper(c) FROM s WHERE b % 5 = 0",
        "SELECT count(*), sum(a), sum(b) FROM t",
    ],
    "without_rowid_and_expressions": [
        "CREATE TABLE t(a, b, c, PRIMARY KEY(b, a)) WITHOUT ROWID",
        "CREATE INDEX te ON t(a + b)", "CREATE INDEX tc ON t(c) WHERE a > 100",
        "INSERT INTO t " + numbered(600, "x % 211, x, 'c' || x"),
        "REPLACE INTO t " + numbered(300, "x % 211, x * 3, 'r' || x"),
        "CREATE INDEX tl ON t(length(c), c)",
        "SELECT count(*) FROM t WHERE a + b > 1000",
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_write_paths(name: str) -> None:
    compare_script(CASES[name])


def test_sorted_inserts_keep_cursor_usable() -> None:
    """Inserting through one cursor and reading through another on the same
    table within one statement (the inserting cursor stays on its entry)."""
    script = ["CREATE TABLE t(a INTEGER PRIMARY KEY, b)",
              "INSERT INTO t " + numbered(600, "x, x % 7"),
              "INSERT INTO t(b) SELECT b + 10 FROM t WHERE a % 2 = 0",
              "SELECT count(*), sum(b), max(a) FROM t"]
    mine = pyrite.connect(":memory:")
    theirs = sqlite3.connect(":memory:")
    for sql in script:
        assert mine.execute(sql).fetchall() == theirs.execute(sql).fetchall(), sql


@pytest.mark.parametrize("page_size", [512, 4096])
def test_integrity_check_follows_overflow_chains(page_size: int) -> None:
    """Overflowing table rows and index keys next to short ones: every
    overflow page must be reached (else "Page N is never used")."""
    con = pyrite.connect(":memory:")
    con.execute(f"PRAGMA page_size = {page_size}")
    con.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)")
    con.execute("CREATE INDEX tb ON t(b)")
    con.execute("INSERT INTO t(b) " + numbered(
        120, "CASE WHEN x % 3 = 0 THEN printf('%0*d', 90 + x * 17, x) ELSE 'k' || x END"))
    assert con.execute("PRAGMA page_count").fetchone()[0] > 10
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
