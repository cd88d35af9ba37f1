"""The collating sequence of an expression as sqlite3ExprCollSeq finds it:
an explicit COLLATE anywhere inside (EP_Collate) is followed into the left
operand first, else the first argument / list item / WHEN-THEN-ELSE term
holding one, else the right operand -- so a function or CASE takes the
COLLATE of an argument; IN compares with its left operand's collation only."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite

SETUP = ['CREATE TABLE t(a TEXT, b TEXT COLLATE NOCASE, c INT)', "INSERT INTO t VALUES('a','A',1),('B','b',2),('c','C',3),('A','a',4)"]

QUERIES = [
    "SELECT a FROM t ORDER BY lower(a COLLATE NOCASE) || '' , a",
    'SELECT a FROM t ORDER BY upper(a) COLLATE BINARY, a',
    'SELECT a FROM t ORDER BY -(a COLLATE NOCASE), a',
    'SELECT a FROM t ORDER BY CASE WHEN c > 2 COLLATE NOCASE THEN a ELSE a END',
    "SELECT a FROM t ORDER BY CASE a WHEN 'x' COLLATE NOCASE THEN 1 ELSE a END",
    'SELECT a FROM t ORDER BY a NOT NULL, a',
    "SELECT a, a = 'a' COLLATE NOCASE, (a || 'x' COLLATE NOCASE) = 'AX' FROM t",
    "SELECT a FROM t WHERE coalesce(a COLLATE NOCASE, 'z') = 'A'",
    "SELECT a FROM t WHERE substr(a, 1) = 'A' COLLATE BINARY",
    "SELECT a FROM t WHERE (a BETWEEN 'a' COLLATE NOCASE AND 'b')",
    "SELECT a FROM t WHERE a IN ('A' COLLATE NOCASE, 'x')",
    "SELECT a FROM t WHERE a IN ('A', 'x' COLLATE NOCASE)",
    "SELECT a FROM t WHERE (a LIKE 'x' COLLATE NOCASE) = 0 AND a > 'B'",
    "SELECT DISTINCT lower(a) COLLATE NOCASE || '' FROM t",
    'SELECT DISTINCT max(a COLLATE NOCASE) FROM t GROUP BY c % 2 ORDER BY 1',
    'SELECT max(a COLLATE NOCASE) m FROM t GROUP BY c % 2 ORDER BY m DESC',
    "SELECT b || '' FROM t ORDER BY 1",
    'SELECT (b) FROM t ORDER BY 1',
    'SELECT CAST(b AS TEXT) FROM t ORDER BY 1',
    "SELECT a FROM t WHERE (a, 1) = ('A' COLLATE NOCASE, 1)",
    "SELECT group_concat(a) FROM (SELECT a FROM t ORDER BY nullif(a COLLATE NOCASE, 'zz'))",
    'SELECT a FROM t GROUP BY lower(a) || (a COLLATE NOCASE)',
    'SELECT count(*) FROM t GROUP BY abs(a COLLATE NOCASE) IS NULL',
    "SELECT a FROM t WHERE a IN ('A' COLLATE NOCASE, 'x', 'y', 'z')",
    "SELECT a FROM t WHERE a COLLATE NOCASE IN ('A', 'x')",
    "SELECT a FROM t WHERE a COLLATE NOCASE IN ('A', 'x', 'y', 'z')",
    "SELECT a FROM t WHERE b IN ('A', 'x')",
    "SELECT a FROM t WHERE b IN ('A', 'x', 'y')",
    "SELECT a FROM t WHERE b IN (a, 'x' COLLATE BINARY)",
    "SELECT a FROM t WHERE 'A' IN (a, b)",
    "SELECT a FROM t WHERE 'A' COLLATE NOCASE IN (a, c)",
]


@pytest.fixture(scope="module")
def connections():
    mine, theirs = pyrite.connect(":memory:"), sqlite3.connect(":memory:")
    for sql in SETUP:
        mine.execute(sql)
        theirs.execute(sql)
    return mine, theirs


@pytest.mark.parametrize("sql", QUERIES)
def test_collation_matches_sqlite(connections, sql: str) -> None:
    mine, theirs = connections
    assert mine.execute(sql).fetchall() == theirs.execute(sql).fetchall()
