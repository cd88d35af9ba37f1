"""Conflict handling around INSERT/UPDATE, differential against the standard
library's sqlite3: constraint ON CONFLICT clauses, the order in which unique
constraints are checked, AUTOINCREMENT with odd sqlite_sequence values, and
changes() after a failed statement."""

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
    "conflicting_constraint_clauses": [
        "CREATE TABLE a1(a UNIQUE ON CONFLICT FAIL, b, UNIQUE(a) ON CONFLICT IGNORE)",
        "CREATE TABLE a2(a TEXT PRIMARY KEY ON CONFLICT REPLACE, b, UNIQUE(a) ON CONFLICT IGNORE)",
        "CREATE TABLE a3(a, b, UNIQUE(a, b) ON CONFLICT FAIL, UNIQUE(b, a) ON CONFLICT IGNORE)",
        "CREATE TABLE ok1(a UNIQUE ON CONFLICT FAIL, b, UNIQUE(a) ON CONFLICT FAIL)",
        "CREATE TABLE ok2(a UNIQUE, b, UNIQUE(a) ON CONFLICT IGNORE)",
        "INSERT INTO ok2 VALUES(1, 1), (1, 2)",
        "SELECT * FROM ok2",
        "CREATE TABLE ok3(a TEXT UNIQUE ON CONFLICT REPLACE, b, PRIMARY KEY(a))",
        "INSERT INTO ok3 VALUES(1, 1), (1, 2)",
        "SELECT * FROM ok3",
    ],
    "unique_check_order": [
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE, c, d, e UNIQUE, UNIQUE(c, d))",
        "CREATE UNIQUE INDEX tp ON t(d) WHERE d > 0",
        "INSERT INTO t VALUES(1, 1, 1, 1, 1)",
        "INSERT INTO t VALUES(2, 1, 1, 1, 1)",
        "INSERT INTO t VALUES(2, 1, 1, 2, 1)",
        "INSERT INTO t VALUES(2, 1, 2, 2, 1)",
        "INSERT INTO t VALUES(2, 2, 2, 2, 2)",
        "UPDATE t SET b = 1, c = 1, d = 1, e = 1 WHERE a = 2",
        "UPDATE t SET b = 1, e = 1 WHERE a = 2",
        "CREATE TABLE r(a UNIQUE ON CONFLICT REPLACE, b UNIQUE, c UNIQUE)",
        "INSERT INTO r VALUES(1, 1, 1), (2, 2, 2)",
        "INSERT INTO r VALUES(1, 2, 2)",
        "INSERT INTO r VALUES(1, 3, 2)",
        "SELECT * FROM r ORDER BY a",
    ],
    "changes_after_error": [
        "CREATE TABLE t(a UNIQUE)",
        "INSERT INTO t VALUES(1), (2)",
        "INSERT INTO t VALUES(3), (1)",
        "SELECT changes(), total_changes()",
        "INSERT OR FAIL INTO t VALUES(4), (1)",
        "SELECT changes(), total_changes()",
        "UPDATE t SET a = 1 WHERE a = 2",
        "SELECT changes(), total_changes()",
    ],
    "autoincrement_sequence_coercion": [
        "CREATE TABLE t(a INTEGER PRIMARY KEY AUTOINCREMENT, v)",
        "INSERT INTO t(v) VALUES(1)",
        "UPDATE sqlite_sequence SET seq = '5abc'",
        "INSERT INTO t VALUES(3, 'explicit')",
        "SELECT typeof(seq), seq FROM sqlite_sequence",
        "INSERT INTO t(v) VALUES(2)",
        "SELECT typeof(seq), seq FROM sqlite_sequence",
        "UPDATE sqlite_sequence SET seq = x'0b3130'",
        "INSERT INTO t(v) VALUES(3)",
        "UPDATE sqlite_sequence SET seq = 20.9",
        "INSERT INTO t(v) VALUES(4)",
        "UPDATE sqlite_sequence SET seq = '1e2'",
        "INSERT INTO t(v) VALUES(5)",
        "UPDATE sqlite_sequence SET seq = 1e300",
        "INSERT INTO t(v) VALUES(6)",
        "UPDATE sqlite_sequence SET seq = -1e300",
        "INSERT INTO t(v) VALUES(7)",
        "SELECT * FROM t ORDER BY a",
        "SELECT typeof(seq), seq FROM sqlite_sequence",
    ],
    "check_constraint_definitions": [
        "CREATE TABLE c1(a INTEGER, CHECK(other.a > 0))",
        "CREATE TABLE c1(a INTEGER CHECK(b > 0))",
        "CREATE TABLE c1(a INTEGER CHECK(nope(a) > 0))",
        "CREATE TABLE c1(a INTEGER, CHECK(a > count(*)))",
        "CREATE TABLE c1(a INTEGER CHECK(a IN (SELECT 1)))",
        "CREATE TABLE c1(a INTEGER CHECK(EXISTS (SELECT 1)))",
        "CREATE TABLE c1(a INTEGER CHECK(a > ?))",
        "CREATE TABLE c1(a INTEGER CHECK(a > :p))",
        "CREATE TABLE c1(a CHECK(abs(1, 2)))",
        "CREATE TABLE c1(a CHECK(a > ? AND b > 0))",
        "CREATE TABLE c1(a CHECK(coalesce(b, ?)))",
        "CREATE TABLE c1(a CHECK(nope(1) AND b))",
        "CREATE TABLE c1(a CHECK(nope(1) AND nope2(1)))",
        "CREATE TABLE c1(a CHECK(sum(a) AND b))",
        "CREATE TABLE c1(a CHECK(nosuch.c9.a > 0))",
        "CREATE TABLE c2(a INTEGER CHECK(c2.a > 0), b CHECK(main.c2.b > 0), c CHECK(rowid > 0))",
        "CREATE TABLE c3(a CHECK(a != \"xyz\"), b CHECK(random() > -1e300))",
        "SELECT name FROM sqlite_master ORDER BY name",
    ],
    "check_constraint_ignore_and_update": [
        "CREATE TABLE t(x INTEGER CHECK(x > 0), y INTEGER, z CHECK(z + x > 0))",
        "PRAGMA ignore_check_constraints",
        "PRAGMA ignore_check_constraints = ON",
        "PRAGMA ignore_check_constraints",
        "INSERT INTO t VALUES(-5, 1, 1)",
        "PRAGMA ignore_check_constraints = OFF",
        "INSERT INTO t VALUES(-5, 1, 1)",
        "UPDATE t SET y = 999",
        "UPDATE t SET z = 2",
        "UPDATE t SET rowid = 9",
        "SELECT rowid, * FROM t",
        "CREATE TABLE u(a INTEGER PRIMARY KEY CHECK(a > 0), b CHECK(rowid > 0))",
        "INSERT INTO u VALUES(5, 1)",
        "UPDATE u SET a = -1",
        "UPDATE u SET rowid = -1",
        "UPDATE u SET b = -1",
        "SELECT * FROM u",
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_conflicts_match_sqlite(name: str) -> None:
    compare_script(CASES[name])
