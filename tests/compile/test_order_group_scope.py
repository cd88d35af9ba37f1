"""Name scope and dropping of ORDER BY / GROUP BY / DISTINCT, as SQLite
does it: GROUP BY and ORDER BY never see outer queries' columns; EXISTS
and compound members drop ORDER BY and DISTINCT (their terms are resolved
but never evaluated); a FROM-less query never codes its ORDER BY."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite

SETUP = [
    "CREATE TABLE t1(b, c)", "CREATE TABLE t2(d)",
    "INSERT INTO t1 VALUES(1, 0)", "INSERT INTO t2 VALUES(2)",
    "CREATE TABLE t(x)", "INSERT INTO t VALUES (1), (1), (2)",
]

QUERIES = [
    "SELECT d FROM t2 WHERE EXISTS(SELECT 1 FROM t1 GROUP BY abs(t2.d))",
    "SELECT d FROM t2 WHERE EXISTS(SELECT 1 FROM t1 GROUP BY t2.rowid)",
    "SELECT (SELECT count(*) FROM t1 GROUP BY t2.d) FROM t2",
    "SELECT d FROM t2 WHERE EXISTS(SELECT 1 FROM t1 ORDER BY t2.d)",
    "SELECT d FROM t2 WHERE EXISTS(SELECT 1 FROM t1 GROUP BY b HAVING t2.d > 1)",
    "SELECT d, (SELECT b FROM t1 WHERE b < t2.d ORDER BY b) FROM t2",
    "SELECT 1 ORDER BY sum(1)",
    "SELECT 1 ORDER BY count(*) + 1",
    "SELECT 1 WHERE 0 ORDER BY sum(1)",
    "SELECT 1 ORDER BY sum(1), 2",
    "SELECT b FROM t1 ORDER BY sum(b)",
    "SELECT 1 FROM t1 ORDER BY sum(1)",
    "SELECT EXISTS (SELECT x FROM t ORDER BY abs(-9223372036854775807 - 1))",
    "SELECT EXISTS (SELECT DISTINCT x FROM t ORDER BY x LIMIT 5 OFFSET 2)",
    "SELECT EXISTS (SELECT x FROM t LIMIT 5 OFFSET 3)",
    "SELECT EXISTS (SELECT x FROM t ORDER BY sum(x))",
    "SELECT 5 IN (SELECT x FROM t ORDER BY abs(-9223372036854775807 - 1))",
    "SELECT x FROM t EXCEPT SELECT DISTINCT x FROM t WHERE x = 2",
    # nor do subqueries nested in GROUP BY / ORDER BY terms
    "SELECT d FROM t2 WHERE EXISTS(SELECT 1 FROM t1 GROUP BY (SELECT t2.d))",
    "SELECT d FROM t2 WHERE EXISTS(SELECT 1 FROM t1 GROUP BY (SELECT t1.b))",
    "SELECT (SELECT b FROM t1 ORDER BY (SELECT t2.d)) FROM t2",
    "SELECT (SELECT b FROM t1 ORDER BY (SELECT count(*) FROM t AS x WHERE x.x = t2.d)) FROM t2",
    "SELECT (SELECT b FROM t1 ORDER BY 1 IN (SELECT t2.d)) FROM t2",
    "SELECT (SELECT b FROM t1 ORDER BY (SELECT t1.c)) FROM t2",
    "SELECT (SELECT sum(b) FROM t1 GROUP BY c HAVING (SELECT t2.d)) FROM t2",
]


def outcome(con, sql: str):
    try:
        return ("rows", con.execute(sql).fetchall())
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
def test_scope_matches_sqlite(connections, sql: str) -> None:
    mine, theirs = connections
    assert outcome(mine, sql) == outcome(theirs, sql)
