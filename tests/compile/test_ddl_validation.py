"""CREATE TABLE / CREATE INDEX errors SQLite raises while preparing DDL
(DEFAULT not constant, index terms naming no column, index expressions),
differential against the standard library's sqlite3."""

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


def compare_script(statements: list[str]) -> None:
    mine = pyrite.connect(":memory:", isolation_level=None)
    theirs = sqlite3.connect(":memory:", isolation_level=None)
    for sql in statements:
        a = outcome(mine, sql)
        b = outcome(theirs, sql)
        assert a == b, f"{sql!r}: pyrite {a!r} != sqlite3 {b!r}"


CASES = {
    "default_not_constant": [
        "CREATE TABLE d1(x, y DEFAULT (\"x\"))",
        "CREATE TABLE d1(x, y DEFAULT ((SELECT 1)))",
        "CREATE TABLE d1(x, y DEFAULT (count(*) OVER ()))",
        "CREATE TABLE d1(x, y DEFAULT (1 IN (SELECT 1)))",
        "CREATE TABLE d1(x, y DEFAULT (t.x))",
        "CREATE TABLE d1(x, y DEFAULT (EXISTS (SELECT 1)))",
        "CREATE TABLE d1(x, y DEFAULT (1 + \"zz\"), z)",
        "CREATE TABLE d2(a DEFAULT (abs(-1)), b DEFAULT (1 IN (1, 2)), c DEFAULT (CURRENT_TIME),"
        " d DEFAULT TRUE, e DEFAULT -1, f DEFAULT 'a', g DEFAULT x'00', h DEFAULT NULL)",
        "INSERT INTO d2 DEFAULT VALUES",
        "SELECT a, b, typeof(c), d, e, f, g, h FROM d2",
    ],
    "index_terms": [
        "CREATE TABLE t(x, y)",
        "INSERT INTO t VALUES(1, 2), (3, 4)",
        "CREATE INDEX i1 ON t(rowid)",
        "CREATE INDEX i1 ON t(_rowid_)",
        "CREATE INDEX i1 ON t(oid, x)",
        "CREATE INDEX i1 ON t('nonexistent')",
        "CREATE INDEX i1 ON t(((('nonexistent'))))",
        "CREATE INDEX i1 ON t(x, 'zz')",
        "CREATE INDEX i1 ON t(x + 1, 'a')",
        "CREATE INDEX i1 ON t(?)",
        "CREATE INDEX i1 ON t((SELECT 1))",
        "CREATE INDEX i1 ON t(t.x)",
        "CREATE INDEX i2 ON t('x')",
        "CREATE INDEX i3 ON t('y' COLLATE nocase)",
        "SELECT name, sql FROM sqlite_master ORDER BY name",
        "PRAGMA index_info(i2)",
        "PRAGMA index_info(i3)",
    ],
    "index_expression": [
        "CREATE TABLE t(x, y)",
        "INSERT INTO t VALUES(1, 2), (3, 4)",
        "CREATE INDEX ie ON t(x + y)",
        "INSERT INTO t VALUES(5, 6)",
        "SELECT * FROM t WHERE x + y = 11",
        "UPDATE t SET y = 0 WHERE x = 5",
        "SELECT * FROM t WHERE x + y = 5",
        "PRAGMA integrity_check",
        "DELETE FROM t WHERE x + y = 5",
        "PRAGMA integrity_check",
        "PRAGMA index_xinfo(ie)",
        "CREATE UNIQUE INDEX iu ON t(x * 0 + y)",
        "INSERT INTO t VALUES(9, 2)",
    ],
    "strict_tables": [
        "CREATE TABLE s0(a) STRICT",
        "CREATE TABLE s0(a Int, c VarChar(10)) STRICT",
        "CREATE TABLE s(a INT, b REAL, c TEXT, d BLOB, e ANY, f INTEGER) STRICT",
        "INSERT INTO s VALUES(1.0, 1, 1, 1, 1, '3')",
        "INSERT INTO s VALUES('1', '1.5', x'00', 1, 1, 3.0)",
        "INSERT INTO s VALUES(NULL, NULL, NULL, NULL, NULL, NULL)",
        "INSERT INTO s VALUES(1, 2.5, 'a', x'00', '7', 4)",
        "INSERT INTO s VALUES('1', 2, 3, x'01', 1.5, '4')",
        "SELECT a, typeof(a), b, typeof(b), c, typeof(c), e, typeof(e), f FROM s ORDER BY rowid",
        "UPDATE s SET d = 5 WHERE a = 1",
        "UPDATE s SET a = 'x' WHERE a = 1",
        "UPDATE s SET b = 3 WHERE a = 1",
        "SELECT b, typeof(b) FROM s WHERE a = 1",
        "CREATE TABLE s3(a INT CHECK(a < 0), b INT UNIQUE, c TEXT NOT NULL) STRICT",
        "INSERT INTO s3 VALUES('abc', 1, 'x')",
        "INSERT INTO s3 VALUES(-1, 1, 'x')",
        "INSERT INTO s3 VALUES(-1, 'q', 'x')",
        "INSERT INTO s3 VALUES(-1, 2, NULL)",
        "INSERT INTO s3 VALUES(-1, 2.5, 'x')",
        "INSERT INTO s3 VALUES(-1, 1, 'x') ON CONFLICT(b) DO UPDATE SET c = 5",
        "INSERT INTO s3 VALUES(-1, 1, 'x') ON CONFLICT(b) DO UPDATE SET b = 'z'",
        "SELECT * FROM s3",
        "CREATE TABLE g(a INT, b INT GENERATED ALWAYS AS (a || 'x'), c TEXT AS (a + 1) STORED) STRICT",
        "INSERT INTO g(a) VALUES(1)",
        "UPDATE g SET a = 'z'",
        "SELECT * FROM g",
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_ddl_matches_sqlite(name: str) -> None:
    compare_script(CASES[name])
