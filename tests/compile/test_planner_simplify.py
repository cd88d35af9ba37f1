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
    "CREATE TABLE ta(t TEXT UNIQUE)", "INSERT INTO ta VALUES ('4x')",
    "CREATE TABLE tb(i INTEGER)", "INSERT INTO tb VALUES (602393)",
    "CREATE TABLE tr(f REAL)", "CREATE INDEX tr_f ON tr(f)",
    "INSERT INTO tr VALUES (-2701729208700874240)",
    "CREATE TABLE tc(id INTEGER PRIMARY KEY, v REAL)",
    "INSERT INTO tc VALUES (1, -22.51), (2, 36.04)",
    "CREATE INDEX tc_cast ON tc(CAST(v AS TEXT))",
    'CREATE TABLE tk("true", "false")', "INSERT INTO tk VALUES (5, 6)",
    "CREATE TABLE m1(id INTEGER PRIMARY KEY, a, b)", "CREATE TABLE m2(id INTEGER PRIMARY KEY, a, c)",
    "CREATE TABLE m3(id INTEGER PRIMARY KEY, b, c)", "CREATE TABLE s1(v)", "CREATE TABLE s2(v)",
    "CREATE INDEX m2_a ON m2(a)", "CREATE INDEX m2_c ON m2(c)",
    "INSERT INTO m1 VALUES (1, 10, 100), (2, 20, 200), (3, 30, 300), (4, NULL, 400)",
    "INSERT INTO m2 VALUES (1, 10, 1), (2, 20, 2), (3, 40, 3)",
    "INSERT INTO m3 VALUES (1, 100, 1), (2, 200, 9), (3, 300, 3), (4, 400, 4)",
    "INSERT INTO s1 VALUES (10), (30), (NULL)", "INSERT INTO s2 VALUES (1), (3), (NULL)",
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
    # a scalar subquery has its first column's affinity
    "SELECT 1 FROM ta WHERE t < (SELECT i FROM tb)",
    "SELECT 1 FROM ta WHERE t > (SELECT i FROM tb)",
    "SELECT t < (SELECT i FROM tb), (SELECT i FROM tb) = '602393' FROM ta",
    # an index keeps REAL columns as NUMERIC: an integer key is not made real
    "SELECT (SELECT count(*) FROM tr WHERE f = (-2701729208700874000 + 0)),"
    " (SELECT count(*) FROM tr WHERE f = (-2701729208700874240 + 0))",
    # an expression index field has the expression's affinity
    "SELECT id FROM tc INDEXED BY tc_cast WHERE CAST(v AS TEXT) = -22.51",
    "SELECT id FROM tc INDEXED BY tc_cast WHERE CAST(v AS TEXT) = '36.04'",
    # IS TRUE / IS FALSE are truth tests, through parentheses and COLLATE
    "SELECT 2 IS (TRUE), 2 IS ((TRUE)), 0 IS (FALSE), NULL IS (TRUE)",
    "SELECT 2 IS NOT (FALSE), NULL IS NOT (FALSE), 0 IS NOT (TRUE), NULL IS NOT TRUE",
    "SELECT 2 IS TRUE COLLATE NOCASE, 'a' IS FALSE, 0.5 IS TRUE",
    "SELECT a FROM t WHERE a IS TRUE ORDER BY a",
    "SELECT a FROM t WHERE a IS NOT FALSE ORDER BY a",
    # a column named true/false wins over the keyword
    "SELECT true, false, 2 IS true FROM tk",
    # ON terms with subqueries stay at their own LEFT JOIN
    "SELECT m1.id, ifnull(m2.id, -1), ifnull(m3.id, -1) FROM m1"
    " LEFT JOIN m2 ON m1.a = m2.a AND m1.a IN (SELECT v FROM s1)"
    " LEFT JOIN m3 ON m1.b = m3.b AND m2.c IN (SELECT v FROM s2) AND m2.c = m3.c"
    " ORDER BY 1, 2, 3",
]

PLANS = [
    "SELECT a FROM t WHERE a = 1 AND b IS NOT NULL",
    "SELECT a FROM t WHERE a = 1",
    "SELECT a FROM t WHERE a = 1 AND b = 'x'",
    "SELECT c FROM t WHERE c = 20",
    "SELECT c FROM t WHERE c = 5",
    "SELECT count(*) FROM t",
    "SELECT count(*) FROM u",
    "SELECT * FROM t LEFT JOIN w ON w.q = t.a",
    "SELECT * FROM t LEFT JOIN u ON u.k + 1 = t.a",
    "SELECT id FROM tc WHERE CAST(v AS TEXT) = '-22.51'",
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
