"""Differential tests: the same SQL on Pyrite and on the standard library's sqlite3.

Each case is a script of statements; every statement's outcome (rows with
their Python types, or the error class and message) must be the same on both
engines.  A seeded generator adds random queries over a small schema.
"""

from __future__ import annotations

import random
import sqlite3

import pytest

import pyrite


def outcome(con, sql: str):
    try:
        rows = con.execute(sql).fetchall()
    except Exception as e:  # noqa: BLE001 - the error is the outcome
        return ("error", type(e).__name__, str(e))
    return ("rows", [tuple((type(v).__name__, v) for v in r) for r in rows])


def compare_script(statements: list[str], *, ordered: bool = True) -> None:
    mine = pyrite.connect(":memory:")
    theirs = sqlite3.connect(":memory:")
    for sql in statements:
        a = outcome(mine, sql)
        b = outcome(theirs, sql)
        if not ordered and a[0] == b[0] == "rows":
            a = ("rows", sorted(a[1], key=repr))
            b = ("rows", sorted(b[1], key=repr))
        assert a == b, f"{sql!r}: pyrite {a!r} != sqlite3 {b!r}"


SETUP = [
    "CREATE TABLE t1(a INTEGER PRIMARY KEY, b TEXT, c REAL, d)",
    "CREATE TABLE t2(x INTEGER, y TEXT COLLATE NOCASE, z BLOB)",
    "CREATE INDEX t1b ON t1(b)",
    "CREATE UNIQUE INDEX t2x ON t2(x)",
    "INSERT INTO t1 VALUES(1, 'one', 1.5, NULL), (2, 'two', 2.0, 'x'), (3, 'three', NULL, 3)",
    "INSERT INTO t1(b, c, d) VALUES('four', 4.25, x'00ff'), ('five', -5, 5.5), (NULL, 6, '6')",
    "INSERT INTO t2 VALUES(1, 'One', x'01'), (2, 'TWO', NULL), (3, 'three', x'0303'), (NULL, NULL, NULL)",
]

CASES = {
    "select_basics": [
        "SELECT * FROM t1",
        "SELECT a, b FROM t1 WHERE a > 2 ORDER BY a DESC",
        "SELECT b FROM t1 WHERE b LIKE 'T%' ORDER BY b",
        "SELECT b FROM t1 WHERE b GLOB 't*' ORDER BY 1",
        "SELECT a FROM t1 WHERE c BETWEEN 1 AND 4.25 ORDER BY a",
        "SELECT a FROM t1 WHERE d IS NULL",
        "SELECT a FROM t1 WHERE a IN (1, 3, 5) ORDER BY a",
        "SELECT a FROM t1 WHERE a NOT IN (1, 3, NULL)",
        "SELECT a, b FROM t1 ORDER BY b LIMIT 2 OFFSET 1",
        "SELECT DISTINCT typeof(d) FROM t1 ORDER BY 1",
    ],
    "expressions": [
        "SELECT 1 + 2, 7 / 2, 7 / 2.0, 7 % 3, -7 % 3, 2 * 3.5",
        "SELECT 9223372036854775807 + 1, -9223372036854775808 - 1",
        "SELECT 1 / 0, 1 % 0, 1.0 / 0",
        "SELECT 'a' || 1 || 2.5 || NULL",
        "SELECT CAST('12abc' AS INTEGER), CAST('1e3' AS REAL), CAST(3.9 AS INTEGER), CAST(x'41' AS TEXT)",
        "SELECT CASE WHEN 1 THEN 'y' ELSE 'n' END, CASE 2 WHEN 1 THEN 'a' WHEN 2 THEN 'b' END",
        "SELECT 1 < 2, 'a' < 'b', NULL = NULL, NULL IS NULL, 1 IS NOT 2",
        "SELECT abs(-3), length('hello'), upper('abc'), substr('hello', 2, 3), round(2.5), round(-2.5)",
        "SELECT coalesce(NULL, 2), ifnull(NULL, 'x'), nullif(1, 1), typeof(1.0), typeof('a'), typeof(x'00')",
        "SELECT 0.1 + 0.2, 1e20, 1.0, 100.0 / 3, 2.5e-7",
        "SELECT 5 & 3, 5 | 3, 1 << 3, -16 >> 2, ~5",
        "SELECT '10' + 5, '3.5' * 2, 'abc' + 1",
        "SELECT hex('abc'), quote('it''s'), quote(x'0a'), instr('hello', 'l'), replace('aaa', 'a', 'b')",
    ],
    "affinity_and_comparison": [
        "CREATE TABLE aff(i INTEGER, r REAL, t TEXT, n NUMERIC, b BLOB)",
        "INSERT INTO aff VALUES('12', '3', 45, '1e2', '7')",
        "INSERT INTO aff VALUES(1.0, 2, 3.5, '0x10', x'31')",
        "SELECT i, typeof(i), r, typeof(r), t, typeof(t), n, typeof(n), b, typeof(b) FROM aff",
        "SELECT count(*) FROM aff WHERE t = 45",
        "SELECT count(*) FROM aff WHERE i = '12'",
        "SELECT * FROM aff WHERE n > 50",
    ],
    "aggregates": [
        "SELECT count(*), count(d), sum(a), total(c), avg(c), min(b), max(b) FROM t1",
        "SELECT group_concat(b), group_concat(b, '-') FROM t1",
        "SELECT typeof(d), count(*) FROM t1 GROUP BY typeof(d) ORDER BY 1",
        "SELECT a % 2 AS k, sum(a) FROM t1 GROUP BY k HAVING sum(a) > 5 ORDER BY k",
        "SELECT max(c), b FROM t1",
        "SELECT count(*) FROM t1 WHERE 0",
        "SELECT sum(a) FROM t1 WHERE 0",
        "SELECT count(DISTINCT a % 3) FROM t1",
    ],
    "joins": [
        "SELECT t1.a, t2.y FROM t1, t2 WHERE t1.a = t2.x ORDER BY 1",
        "SELECT t1.a, t2.y FROM t1 JOIN t2 ON t1.a = t2.x WHERE t2.y = 'two'",
        "SELECT t1.a, t2.x FROM t1 LEFT JOIN t2 ON t1.a = t2.x ORDER BY t1.a",
        "SELECT count(*) FROM t1 CROSS JOIN t2",
    ],
    "writes": [
        "UPDATE t1 SET c = c * 2 WHERE a <= 2",
        "SELECT a, c FROM t1 ORDER BY a",
        "DELETE FROM t1 WHERE b IS NULL",
        "SELECT count(*) FROM t1",
        "INSERT INTO t2 VALUES(1, 'dup', NULL)",
        "INSERT INTO t1(a) VALUES('abc')",
        "INSERT INTO t1 VALUES(1, 'again', 0, 0)",
        "INSERT OR REPLACE INTO t1 VALUES(1, 'replaced', 0, 0)",
        "INSERT OR IGNORE INTO t2 VALUES(2, 'ignored', NULL)",
        "SELECT * FROM t1 WHERE a = 1",
        "SELECT * FROM t2 ORDER BY x",
        "CREATE TABLE nn(a NOT NULL, b CHECK(b > 0))",
        "INSERT INTO nn VALUES(NULL, 1)",
        "INSERT INTO nn VALUES(1, -1)",
        "INSERT INTO nn VALUES(1, 2, 3)",
        "INSERT INTO nosuch VALUES(1)",
        "SELECT nosuch FROM t1",
    ],
    "subqueries": [
        "SELECT a FROM t1 WHERE a IN (SELECT x FROM t2) ORDER BY a",
        "SELECT (SELECT max(x) FROM t2), EXISTS (SELECT 1 FROM t2 WHERE x > 2)",
        "SELECT a, (SELECT y FROM t2 WHERE x = t1.a) FROM t1 ORDER BY a",
        "SELECT * FROM (SELECT a, b FROM t1 WHERE a < 3) ORDER BY a",
        "SELECT a FROM t1 UNION SELECT x FROM t2 ORDER BY 1",
        "SELECT a FROM t1 EXCEPT SELECT x FROM t2 ORDER BY 1",
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name: str) -> None:
    compare_script(SETUP + CASES[name])


def _random_expr(rnd: random.Random, depth: int = 0) -> str:
    leaves = ["a", "b", "c", "d", "1", "2.5", "'x'", "NULL", "-3", "'10'"]
    if depth > 2 or rnd.random() < 0.3:
        return rnd.choice(leaves)
    op = rnd.choice(["+", "-", "*", "/", "%", "||", "=", "<", ">=", "<>", "AND", "OR", "IS"])
    return f"({_random_expr(rnd, depth + 1)} {op} {_random_expr(rnd, depth + 1)})"


@pytest.mark.parametrize("seed", range(8))
def test_random_queries(seed: int) -> None:
    rnd = random.Random(seed)
    queries = []
    for _ in range(25):
        e = _random_expr(rnd)
        w = _random_expr(rnd)
        queries.append(f"SELECT a, {e} FROM t1 WHERE {w} ORDER BY a")
    compare_script(SETUP + queries)


PARAM_SCRIPT = [
    ("CREATE TABLE p(id INTEGER PRIMARY KEY, k INTEGER, v TEXT, x REAL)", ()),
    ("INSERT INTO p VALUES(?,?,?,?)", (1, 2, "v", 0.5)),
    ("INSERT INTO p(v, id) VALUES(?,?)", ("w", 7)),
    ("INSERT INTO p VALUES(?3, ?1, ?2, ?1)", (4, "z", 3)),
    ("INSERT INTO p VALUES(:id, :k, :v, :x)", {"id": 10, "k": 1, "v": "n", "x": 2}),
    ("UPDATE p SET k = ?, v = v || ? WHERE id = ?", (9, "!", 7)),
    ("DELETE FROM p WHERE k = ? AND id > ?", (1, 5)),
    ("SELECT * FROM p WHERE id IN (?, ?) OR v = ? ORDER BY id", (1, 3, "w!")),
    ("SELECT ?1 + ?1, ?2, typeof(?3)", (2, None, b"\x00")),
]


def test_parameters_are_numbered_in_source_order() -> None:
    mine = pyrite.connect(":memory:")
    theirs = sqlite3.connect(":memory:")
    for sql, params in PARAM_SCRIPT:
        a = mine.execute(sql, params).fetchall()
        b = theirs.execute(sql, params).fetchall()
        assert a == b, sql
    assert mine.execute("SELECT * FROM p ORDER BY id").fetchall() == \
        theirs.execute("SELECT * FROM p ORDER BY id").fetchall()
