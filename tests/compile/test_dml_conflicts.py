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
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_conflicts_match_sqlite(name: str) -> None:
    compare_script(CASES[name])
