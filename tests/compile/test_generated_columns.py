"""Generated columns (VIRTUAL and STORED), differential against stdlib sqlite3:
same rows, types and errors; files written by Pyrite open and pass
integrity_check in sqlite3."""

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
    "virtual_and_stored": """
        CREATE TABLE t(a INT, b AS (a*2), c TEXT AS (a||'x') STORED, d);
        INSERT INTO t VALUES(1, 'd1');
        INSERT INTO t(a, d) VALUES(2.5, NULL);
        INSERT INTO t(d) VALUES('only d');
        SELECT * FROM t;
        SELECT b, typeof(b), c, typeof(c) FROM t WHERE b > 1;
        UPDATE t SET a = a + 10 WHERE d IS NOT NULL;
        SELECT rowid, * FROM t ORDER BY c;
    """,
    "affinity": """
        CREATE TABLE t(a, b TEXT AS (a), c INTEGER AS (a) STORED, e REAL AS (a));
        INSERT INTO t VALUES(5); INSERT INTO t VALUES('7'); INSERT INTO t VALUES(x'01');
        SELECT b, typeof(b), c, typeof(c), e, typeof(e) FROM t;
        SELECT count(*) FROM t WHERE b = 5;
    """,
    "dependency_order": """
        CREATE TABLE t(a, b AS (c) STORED, c AS (a*2), d AS (b+c) STORED);
        INSERT INTO t VALUES(5);
        SELECT * FROM t;
        UPDATE t SET a = 1;
        SELECT * FROM t;
    """,
    "pragmas": """
        CREATE TABLE t(a INT NOT NULL, b AS (a) STORED, c TEXT AS (a), d DEFAULT 4);
        PRAGMA table_info(t);
        PRAGMA table_xinfo(t);
    """,
    "dml_errors": """
        CREATE TABLE t(a, b AS (a+1), c AS (b+1) STORED);
        INSERT INTO t(a, b) VALUES(1, 2);
        INSERT INTO t VALUES(1, 2);
        UPDATE t SET c = 3;
        INSERT INTO t VALUES(1);
        SELECT * FROM t;
    """,
    "create_errors": """
        CREATE TABLE e1(a INTEGER PRIMARY KEY AS (1));
        CREATE TABLE e2(a, b AS (a), PRIMARY KEY(b));
        CREATE TABLE e3(a, b AS (random()));
        CREATE TABLE e4(a, b AS (a) DEFAULT 3);
        CREATE TABLE e5(a, b DEFAULT 3 AS (a));
        CREATE TABLE e6(a AS (1));
        CREATE TABLE e7(a, b AS ((SELECT 1)));
        CREATE TABLE e8(a, b AS (e8.a));
        CREATE TABLE e9(a, b AS (x));
        CREATE TABLE e10(a, b AS (rowid));
        CREATE TABLE e11(a, b AS (max(a)));
        CREATE TABLE e12(a, b AS (CURRENT_TIMESTAMP));
        CREATE TABLE e13(a, b AS (sqlite_version()));
    """,
    "loop": """
        CREATE TABLE t(a, b AS (c+1), c AS (b+1));
        SELECT * FROM t;
        INSERT INTO t(a) VALUES(1);
    """,
    "now_at_runtime": """
        CREATE TABLE t(a, b AS (date(a)));
        INSERT INTO t VALUES('2020-01-02');
        INSERT INTO t VALUES('now');
        SELECT * FROM t;
    """,
    "constraints": """
        CREATE TABLE t(a, b AS (abs(a)) UNIQUE, c AS (a) NOT NULL, CHECK (b < 10));
        INSERT INTO t VALUES(1);
        INSERT INTO t VALUES(-1);
        INSERT INTO t VALUES(NULL);
        INSERT INTO t VALUES(20);
        INSERT OR REPLACE INTO t VALUES(-1);
        INSERT OR IGNORE INTO t VALUES(1);
        SELECT rowid, * FROM t;
    """,
    "indexes": """
        CREATE TABLE t(a, b, v AS (a+b), s AS (a*b) STORED);
        CREATE INDEX tv ON t(v);
        CREATE INDEX ts ON t(s, v);
        INSERT INTO t(a, b) VALUES(1, 2), (3, 4), (5, 6);
        UPDATE t SET a = a * 10 WHERE b = 4;
        DELETE FROM t WHERE b = 6;
        SELECT a, v FROM t WHERE v = 43;
        SELECT s FROM t WHERE s > 1 ORDER BY s;
        EXPLAIN QUERY PLAN SELECT a FROM t WHERE v = 3;
        PRAGMA integrity_check;
    """,
    "alter": """
        CREATE TABLE t(a, b AS (a+1), c);
        INSERT INTO t(a, c) VALUES(1, 10), (3, 20);
        ALTER TABLE t ADD COLUMN d AS (c + 1);
        ALTER TABLE t ADD COLUMN e AS (a) STORED;
        ALTER TABLE t ADD COLUMN f AS (zz);
        SELECT * FROM t;
        ALTER TABLE t DROP COLUMN c;
        ALTER TABLE t DROP COLUMN b;
        SELECT * FROM t;
        INSERT INTO t(a, c) VALUES(7, 70);
        SELECT * FROM t;
        PRAGMA integrity_check;
    """,
    "alter_checks_existing_rows": """
        CREATE TABLE t(a, b);
        INSERT INTO t VALUES(1, NULL), (2, 3);
        ALTER TABLE t ADD COLUMN d AS (b) NOT NULL;
        ALTER TABLE t ADD COLUMN e AS (a) CHECK (e > 1);
        ALTER TABLE t ADD COLUMN f AS (a) CHECK (f > 0);
        SELECT * FROM t;
    """,
    "upsert_returning": """
        CREATE TABLE t(a PRIMARY KEY, b, v AS (b*2), s AS (b+1) STORED, c);
        INSERT INTO t(a, b, c) VALUES(1, 2, 3);
        INSERT INTO t(a, b, c) VALUES(1, 5, 6)
            ON CONFLICT(a) DO UPDATE SET b = excluded.b + excluded.v, c = excluded.s;
        INSERT INTO t(a, b) VALUES(1, 0) ON CONFLICT DO UPDATE SET v = 1;
        CREATE UNIQUE INDEX uv ON t(v);
        INSERT INTO t(a, b, c) VALUES(2, 7, 0) ON CONFLICT(v) DO UPDATE SET c = 99;
        INSERT OR REPLACE INTO t(a, b, c) VALUES(3, 7, 1);
        INSERT INTO t(a, b) VALUES(9, 1) RETURNING v, s;
        SELECT * FROM t;
        PRAGMA integrity_check;
    """,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_generated_columns_differential(name: str) -> None:
    compare(CASES[name])


def test_file_opens_in_sqlite3(tmp_path) -> None:
    path = str(tmp_path / "g.db")
    con = pyrite.connect(path)
    con.executescript("""
        CREATE TABLE t(a INTEGER PRIMARY KEY, b, v AS (b*2), s TEXT AS (b||'!') STORED, d);
        CREATE INDEX tv ON t(v);
        CREATE INDEX ts ON t(s);
    """)
    con.executemany("INSERT INTO t(b, d) VALUES(?, ?)", [(i, f"d{i}") for i in range(50)])
    con.execute("UPDATE t SET b = b + 100 WHERE a % 3 = 0")
    con.execute("DELETE FROM t WHERE a % 7 = 0")
    con.commit()
    expected = con.execute("SELECT * FROM t ORDER BY a").fetchall()
    con.close()
    ref = sqlite3.connect(path)
    assert ref.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert ref.execute("SELECT * FROM t ORDER BY a").fetchall() == expected
    assert ref.execute("SELECT a FROM t WHERE v = 8").fetchall() == [(5,)]
    ref.execute("INSERT INTO t(b, d) VALUES(1000, 'x')")
    ref.commit()
    ref.close()
    again = pyrite.connect(path)
    assert again.execute("SELECT v, s FROM t WHERE b = 1000").fetchall() == [(2000, "1000!")]
