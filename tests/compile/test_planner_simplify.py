"""Planner choices SQLite makes and their results: partial indexes used
when the WHERE clause implies their condition, the count(*) shortcut,
LEFT JOIN turned into an inner join when WHERE rejects a NULL row, and
value edge cases (NaN results become NULL, -9223372036854775809 is REAL).
Rows, types and EXPLAIN QUERY PLAN text are compared with sqlite3."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite

SETUP = [
    "CREATE TABLE t(a INTEGER, b TEXT, c)",
    "CREATE INDEX t_pa ON t(a) WHERE b IS NOT NULL",
    "CREATE INDEX t_pc ON t(c) WHERE c > 10",
    "CREATE INDEX t_b ON t(b)",
    "INSERT INTO t VALUES (1, 'x', 5), (2, NULL, 20), (3, 'y', 30), (NULL, 'z', NULL)",
    "CREATE TABLE u(k, v)",
    "INSERT INTO u VALUES (1, 'one'), (3, 'three'), (9, 'nine')",
    "CREATE TABLE w(p, q)",
    "CREATE INDEX w_q ON w(q)",
]

QUERIES = [
    "SELECT a FROM t WHERE a = 1 AND b IS NOT NULL",
    "SELECT a FROM t WHERE a = 2",
    "SELECT a FROM t WHERE a = 3 AND b = 'y'",
    "SELECT c FROM t WHERE c = 20",
    "SELECT c FROM t WHERE c > 25",
    "SELECT c FROM t WHERE c = 5",
    "SELECT count(*) FROM t",
    "SELECT count(*) FROM u",
    "SELECT count(*) FROM w",
    "SELECT t.a, u.v FROM t LEFT JOIN u ON u.k = t.a WHERE u.v IS NOT NULL",
    "SELECT t.a, u.v FROM t LEFT JOIN u ON u.k = t.a WHERE u.v = 'three'",
    "SELECT t.a, u.v FROM t LEFT JOIN u ON u.k = t.a WHERE u.v IS NULL",
    "SELECT t.a, u.v FROM t LEFT JOIN u ON u.k = t.a WHERE coalesce(u.v, 'n') = 'n'",
    "SELECT t.a, u.k FROM t LEFT JOIN u ON u.k = t.a WHERE u.k > 0 ORDER BY 1",
    "SELECT -9223372036854775809, typeof(-9223372036854775809)",
    "SELECT -9223372036854775808, typeof(-9223372036854775808)",
    "SELECT typeof(- -9223372036854775809)",
    "SELECT sqrt(-1), typeof(sqrt(-1))",
    "SELECT acos(2), asin(2), log(-1)",
    "SELECT sum(x) FROM (SELECT 1e308 * 10 AS x UNION ALL SELECT -1e308 * 10)",
]

PLANS = [
    "SELECT a FROM t WHERE a = 1 AND b IS NOT NULL",
    "SELECT a FROM t WHERE a = 1",
    "SELECT a FROM t WHERE a = 1 AND b = 'x'",
    "SELECT c FROM t WHERE c = 20",
    "SELECT c FROM t WHERE c = 5",
    "SELECT count(*) FROM t",
    "SELECT count(*) FROM u",
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
def test_rows_match_sqlite(connections, sql: str) -> None:
    mine, theirs = connections
    assert outcome(mine, sql) == outcome(theirs, sql)


@pytest.mark.parametrize("sql", PLANS)
def test_plan_matches_sqlite(connections, sql: str) -> None:
    mine, theirs = connections
    plan = "EXPLAIN QUERY PLAN " + sql
    assert [r[3] for r in mine.execute(plan)] == [r[3] for r in theirs.execute(plan)]


def test_indexed_by_unusable_partial_index(connections) -> None:
    mine, theirs = connections
    sql = "SELECT a FROM t INDEXED BY t_pa WHERE a = 1"
    assert outcome(mine, sql) == outcome(theirs, sql)
    assert outcome(mine, sql)[0] == "error"
