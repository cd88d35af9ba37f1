"""Small corners of SQLite's behaviour, compared with sqlite3: pattern
matching and NOCASE over text with an embedded NUL (C-string semantics),
compound ORDER BY terms naming columns that come from ``*``, LIMIT in a
GROUP BY loop, run-once constants, recursive CTE restrictions, aggregates
of outer columns."""

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
    "CREATE TABLE g(grp, v)",
    "INSERT INTO g VALUES (1, 1), (1, 2), (2, 3), (3, 4), (3, 5)",
    "CREATE TABLE ta(a, g)",
    "INSERT INTO ta VALUES (1, 'x'), (2, 'x'), (4, 'y')",
    "CREATE TABLE u(b)",
    "INSERT INTO u VALUES (10), (20)",
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
    # A LIMIT reached inside the group loop ends the query: no extra group.
    "SELECT grp, count(*) FROM g GROUP BY grp LIMIT 1",
    "SELECT grp, count(*) FILTER (WHERE v > 1) FROM g GROUP BY grp LIMIT 2 OFFSET 1",
    "SELECT grp, sum(v) FROM g GROUP BY grp ORDER BY 2 DESC LIMIT 1",
    "SELECT grp, max(v) FROM g WHERE v > 1 GROUP BY grp LIMIT 2",
    # A constant with a function call runs once, where it is first needed.
    "SELECT v, abs(-3) + 1 FROM g WHERE v > length('ab')",
    "SELECT count(*) FROM g WHERE v IN (abs(-1), abs(-4))",
    # Window functions cannot run in the recursive part of a CTE.
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL"
    " SELECT row_number() OVER () FROM c WHERE x < 5) SELECT x FROM c",
    "WITH RECURSIVE w(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM w WHERE x < 3"
    " WINDOW win AS (PARTITION BY (SELECT max(x) FROM w))) SELECT * FROM w",
    # An aggregate in a subquery whose arguments name only outer columns
    # belongs to the outer query (computed per group, read by the subquery).
    'SELECT (SELECT count(ta.a) FROM u) FROM ta',
    'SELECT (SELECT count(ta.a)) FROM ta WHERE a > 1',
    'SELECT g, (SELECT sum(ta.a)) FROM ta GROUP BY g ORDER BY g',
    'SELECT g, (SELECT sum(ta.a) + count(*) FROM u) FROM ta GROUP BY g ORDER BY g',
    'SELECT a, (SELECT count(u.b) FROM u) FROM ta',
    'SELECT (SELECT max(a)) FROM ta',
    'SELECT g FROM ta GROUP BY g HAVING (SELECT sum(ta.a)) > 2',
    'SELECT g FROM ta GROUP BY g ORDER BY (SELECT sum(ta.a)) DESC',
    'SELECT (SELECT count(*) FROM ta)',
    # subtype(): 74 for a value straight from a JSON function
    "SELECT subtype(json('[1]')), subtype(1), subtype(NULL), subtype('[1]' -> '$'),"
    " subtype(json_array(1)), subtype('{\"a\":[7,8]}' ->> 'a')",
    'SELECT EXISTS (SELECT avg(ta.a)) FROM ta',
    'SELECT (SELECT total(a + b) FROM u) FROM ta',
    'SELECT (SELECT min(ta.a) FILTER (WHERE ta.a > 1)) FROM ta',
    "SELECT (SELECT group_concat(ta.g, '-')) FROM ta",
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


def test_recursive_self_reference_has_no_affinity() -> None:
    """The recursive term reads the queue's rows without the anchor's column
    affinity, so text '2' compares above 3 and the recursion stops (newer
    SQLite; 3.40.1 loops forever here), while the outer read keeps it."""
    con = pyrite.connect(":memory:")
    con.execute("CREATE TABLE anchor(a INT)")
    con.execute("INSERT INTO anchor VALUES (1)")
    assert con.execute(
        "WITH RECURSIVE c(x) AS (SELECT a FROM anchor UNION ALL"
        " SELECT '2' FROM c WHERE x < 3) SELECT count(*) FROM c").fetchall() == [(2,)]
    assert con.execute(
        "WITH RECURSIVE c(x) AS (SELECT a FROM anchor UNION ALL"
        " SELECT x FROM c WHERE 0) SELECT x = '1' FROM c").fetchall() == [(1,)]
