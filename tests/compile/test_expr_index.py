"""Indexes on expressions, differential against stdlib sqlite3: errors,
PRAGMA index_info/index_xinfo (cid -2), maintenance on every write, planner
use (EXPLAIN QUERY PLAN), and files that sqlite3 integrity-checks."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite


def outcome(con, sql: str):
    try:
        rows = con.execute(sql).fetchall()
    except Exception as e:  # noqa: BLE001 - the error is the outcome
        return ("error", type(e).__name__, str(e))
    return ("rows", [tuple((type(v).__name__, v) for v in r) for r in rows])


def compare(script: str) -> None:
    mine = pyrite.connect(":memory:")
    theirs = sqlite3.connect(":memory:")
    for sql in [s for s in script.split(";") if s.strip()]:
        a, b = outcome(mine, sql), outcome(theirs, sql)
        assert a == b, f"{sql!r}: pyrite {a!r} != sqlite3 {b!r}"


CASES = {
    "errors": """
        CREATE TABLE t(a, b);
        CREATE INDEX i1 ON t(t.a);
        CREATE INDEX i3 ON t((SELECT 1));
        CREATE INDEX i4 ON t(random());
        CREATE INDEX i5 ON t(current_time);
        CREATE INDEX i6 ON t(sqlite_version());
        CREATE INDEX i7 ON t('zz');
        CREATE INDEX i8 ON t(max(a));
        CREATE INDEX i9 ON t(a) WHERE random() > 0;
        CREATE INDEX i10 ON t(rowid);
        CREATE INDEX i11 ON t(oid);
        CREATE INDEX i12 ON t(nosuch + 1);
        CREATE INDEX i13 ON t('a' COLLATE NOCASE);
        PRAGMA index_info(i13);
    """,
    "pragmas": """
        CREATE TABLE t(a, b);
        CREATE INDEX i ON t(a+b, b COLLATE NOCASE, lower(a) DESC);
        PRAGMA index_info(i);
        PRAGMA index_xinfo(i);
        PRAGMA index_list(t);
    """,
    "maintenance": """
        CREATE TABLE t(a, b);
        CREATE INDEX i ON t(a+b);
        CREATE UNIQUE INDEX u ON t(lower(b));
        INSERT INTO t VALUES(1, 'X'), (2, 'y'), (3, 'Z');
        INSERT INTO t VALUES(9, 'x');
        UPDATE t SET a = a * 10 WHERE b <> 'y';
        UPDATE t SET b = 'Y' WHERE a = 2;
        DELETE FROM t WHERE a = 30;
        INSERT OR REPLACE INTO t VALUES(5, 'Y');
        SELECT rowid, * FROM t ORDER BY rowid;
        PRAGMA integrity_check;
    """,
    "planner": """
        CREATE TABLE t(a, b, c);
        CREATE INDEX i ON t(a+b, c);
        CREATE INDEX l ON t(lower(c));
        INSERT INTO t VALUES(1, 2, 'Aa'), (2, 1, 'bB'), (5, 5, 'cc'), (0, 3, 'DD');
        SELECT * FROM t WHERE a+b = 3 ORDER BY c;
        SELECT * FROM t WHERE a+b = 3 AND c > 'B';
        SELECT * FROM t WHERE lower(c) = 'dd';
        SELECT * FROM t WHERE lower(c) > 'b' ORDER BY c;
        SELECT * FROM t INDEXED BY l WHERE lower(c) = 'aa';
        EXPLAIN QUERY PLAN SELECT * FROM t WHERE a+b = 3;
        EXPLAIN QUERY PLAN SELECT * FROM t WHERE a+b = 3 AND c > 'B';
        EXPLAIN QUERY PLAN SELECT * FROM t WHERE lower(c) = 'dd';
        EXPLAIN QUERY PLAN SELECT * FROM t WHERE b+a = 3;
    """,
    "now_at_runtime": """
        CREATE TABLE t(a);
        CREATE INDEX i ON t(date(a));
        INSERT INTO t VALUES('2020-01-01');
        INSERT INTO t VALUES('now');
        CREATE INDEX p ON t(a) WHERE date(a) IS NOT NULL;
        INSERT INTO t VALUES('now');
        SELECT * FROM t;
    """,
    "on_generated_column": """
        CREATE TABLE t(a, c, e AS (a));
        INSERT INTO t(a, c) VALUES(1, 'aaa'), (2, 'xxx');
        CREATE INDEX i ON t(e+0, c);
        UPDATE t SET c = c || c;
        SELECT a, c FROM t INDEXED BY i WHERE e+0 = 1;
        PRAGMA integrity_check;
    """,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_expr_index_differential(name: str) -> None:
    compare(CASES[name])


def test_expr_index_file_opens_in_sqlite3(tmp_path) -> None:
    path = str(tmp_path / "e.db")
    con = pyrite.connect(path)
    con.executescript("""
        CREATE TABLE t(a INTEGER PRIMARY KEY, b, c);
        CREATE INDEX ib ON t(b*2 + 1);
        CREATE INDEX ic ON t(upper(c), b);
    """)
    con.executemany("INSERT INTO t(b, c) VALUES(?, ?)", [(i % 13, f"n{i}") for i in range(80)])
    con.execute("UPDATE t SET c = c || 'z' WHERE b = 3")
    con.execute("DELETE FROM t WHERE a % 5 = 0")
    con.commit()
    con.close()
    ref = sqlite3.connect(path)
    assert ref.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    got = ref.execute("SELECT a FROM t INDEXED BY ib WHERE b*2 + 1 = 7 ORDER BY a").fetchall()
    assert got == [(a,) for a in range(1, 81) if (a - 1) % 13 == 3 and a % 5]
