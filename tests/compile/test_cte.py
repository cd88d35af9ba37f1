"""WITH clauses (compile/cte.py) against the standard library's sqlite3:
the same rows with the same value types, the same column names and the same
error messages; and the program shapes SQLite uses (shared materialization
through a subroutine, co-routines, the queue of a recursive query)."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite

SETUP = """
create table t(x INT, y TEXT);
insert into t values (1,'a'),(2,'b'),(3,'c');
create table u(a REAL, b TEXT COLLATE NOCASE);
insert into u values (1.5,'x'),(2,'Y'),(3,'y');
create table edge(src, dst);
insert into edge values (1,2),(2,3),(3,1),(3,4),(4,5);
"""

QUERIES = [
    # non-recursive CTEs
    "WITH c AS (SELECT 1 AS x) SELECT * FROM c",
    "WITH c(p, q) AS (SELECT x, y FROM t) SELECT * FROM c ORDER BY p DESC",
    "WITH c AS (SELECT x AS p, y FROM t) SELECT p, typeof(p), c.y FROM c WHERE p >= '2'",
    "WITH c AS (SELECT a, b FROM u) SELECT a, typeof(a) FROM c WHERE a = 2",
    "WITH c AS (SELECT b FROM u) SELECT b FROM c WHERE b = 'y' ORDER BY b",
    "WITH c AS (SELECT a FROM u) SELECT * FROM c JOIN t ON c.a = t.x",
    "WITH c AS (SELECT x FROM t) SELECT x, count(*) FROM c GROUP BY x ORDER BY x DESC",
    "WITH c AS (SELECT x FROM t) SELECT count(*), sum(x), max(x) FROM c",
    "WITH c AS (SELECT x FROM t) SELECT * FROM c LEFT JOIN t ON c.x = t.x + 1",
    "WITH c AS (SELECT x FROM t) SELECT (SELECT max(x) FROM c), x FROM t",
    "WITH c AS (SELECT x FROM t) SELECT x FROM t WHERE x IN (SELECT x FROM c WHERE x > 1)",
    "WITH c AS (SELECT x FROM t) SELECT x FROM t WHERE x IN c",
    "WITH c AS (SELECT x FROM t) SELECT x FROM c UNION SELECT 7 ORDER BY 1",
    "WITH c AS (SELECT x FROM t ORDER BY x DESC LIMIT 2) SELECT * FROM c",
    "WITH c AS (SELECT DISTINCT y FROM t) SELECT count(*) FROM c",
    "WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a",
    "WITH a AS (SELECT 1 AS v), b AS (SELECT v + 1 AS v FROM a), c AS (SELECT v * 10 AS v FROM b)"
    " SELECT * FROM a, b, c",
    "WITH a(x) AS (SELECT 1) SELECT * FROM a AS b, a",
    "WITH a(x) AS (SELECT 1) SELECT * FROM a NATURAL JOIN a AS b",
    "WITH c AS (SELECT 1 AS k) SELECT * FROM c AS a JOIN c AS b USING (k)",
    "WITH c AS (SELECT 1 AS a, 2 AS a) SELECT * FROM c",
    "WITH c(a, a) AS (SELECT 1, 2) SELECT * FROM c",
    "WITH a(x) AS MATERIALIZED (SELECT 1) SELECT * FROM a",
    "WITH a(x) AS NOT MATERIALIZED (SELECT 1) SELECT * FROM a",
    "WITH a(x) AS MATERIALIZED (SELECT random()) SELECT b.x = c.x FROM a b, a c",
    "WITH a(x) AS (SELECT random()) SELECT (SELECT x FROM a) = (SELECT x FROM a)",
    # shadowing and scopes
    "WITH t AS (SELECT 9 AS z) SELECT * FROM t",
    "WITH t AS (SELECT 9 AS z) SELECT * FROM main.t",
    "WITH a(x) AS (SELECT 1), b AS (SELECT * FROM a)"
    " SELECT * FROM (WITH a AS (SELECT 5) SELECT * FROM b)",
    "WITH a(x) AS (SELECT 1) SELECT * FROM a, (WITH a(y) AS (SELECT 5) SELECT * FROM a)",
    "SELECT * FROM (WITH c AS (SELECT 1) SELECT * FROM c) AS s,"
    " (WITH c AS (SELECT 2) SELECT * FROM c) AS s2",
    "WITH c AS (SELECT 1 AS v) SELECT v, (WITH c AS (SELECT 2 AS v) SELECT v FROM c) FROM c",
    "WITH c AS (SELECT 1 AS v) SELECT * FROM c WHERE EXISTS"
    " (WITH d AS (SELECT v FROM c) SELECT * FROM d)",
    # correlated CTEs and FROM subqueries
    "SELECT (SELECT y FROM (SELECT t.x AS y)) FROM t",
    "WITH c AS (SELECT t.x * 10 AS y) SELECT (SELECT y FROM c) FROM t",
    "SELECT (WITH c AS (SELECT t.x * 10 AS y) SELECT (SELECT y FROM c) + (SELECT y FROM c))"
    " FROM t",
    "SELECT (SELECT (SELECT t.x)) FROM t",
    # recursive CTEs
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 5) SELECT * FROM r",
    "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 10)"
    " SELECT sum(x), count(*) FROM r",
    "WITH RECURSIVE fib(a, b) AS (SELECT 0, 1 UNION ALL SELECT b, a + b FROM fib WHERE b < 100)"
    " SELECT a FROM fib",
    "WITH r(x) AS (SELECT 1 UNION SELECT x % 3 + 1 FROM r) SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT * FROM r LIMIT 4",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT 5) SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT 5 OFFSET 2) SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 3 LIMIT 0) SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT (SELECT 2)) SELECT * FROM r",
    "WITH r(x) AS (SELECT 5 UNION ALL SELECT x - 1 FROM r WHERE x > 0 ORDER BY 1 DESC)"
    " SELECT * FROM r",
    "WITH r(x) AS (SELECT 2 UNION ALL SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 3"
    " ORDER BY 1) SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 3"
    " UNION ALL SELECT x + 10 FROM r WHERE x < 3) SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION SELECT x + 1 FROM r WHERE x < 3"
    " UNION ALL SELECT x * 10 FROM r WHERE x < 3) SELECT * FROM r",
    "WITH r(x) AS (VALUES(1) UNION ALL SELECT x + 1 FROM r WHERE r.x < 3) SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT DISTINCT x + 1 FROM r WHERE x < 3) SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r AS rr WHERE rr.x < 3) SELECT * FROM r",
    "WITH r(n) AS (SELECT x FROM t UNION ALL SELECT n + 10 FROM r JOIN t ON t.x = r.n"
    " WHERE n < 20) SELECT * FROM r",
    "WITH RECURSIVE reach(n) AS (SELECT 1 UNION SELECT dst FROM edge JOIN reach ON src = n)"
    " SELECT n FROM reach ORDER BY n",
    "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3)"
    " SELECT * FROM r",
    "WITH seq(x) AS (VALUES('a') UNION SELECT upper(x) COLLATE nocase FROM seq) SELECT x FROM seq",
    "WITH seq(x) AS (SELECT 1 AS anchor UNION ALL SELECT x + 1 AS step FROM seq WHERE x < 4"
    " ORDER BY step) SELECT x FROM seq",
    "WITH cnt(x) AS (SELECT 1 UNION ALL SELECT cnt.x + 1 FROM cnt WHERE cnt.x < 5"
    " ORDER BY cnt.x + 1 DESC) SELECT x FROM cnt",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 3) SELECT a.x, b.x"
    " FROM r a, r b",
    "SELECT x, (WITH RECURSIVE r(y) AS (VALUES(1) UNION SELECT y + 1 FROM r WHERE y < t.x)"
    " SELECT count(*) FROM r) FROM t",
    "SELECT (SELECT count(*) FROM (WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL"
    " SELECT i + 1 FROM r WHERE i < t.x) SELECT i FROM r)) FROM t",
    # errors
    "WITH a AS (SELECT * FROM a) SELECT * FROM a",
    "WITH a AS (SELECT * FROM b), b AS (SELECT * FROM a) SELECT * FROM a",
    "WITH r AS (SELECT 1), r AS (SELECT 2) SELECT * FROM r",
    "WITH r(x, y) AS (SELECT 1) SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT r.x + 1 FROM r, r AS s WHERE r.x < 3)"
    " SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x IN (SELECT x FROM r))"
    " SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT (SELECT count(*) FROM r)) SELECT * FROM r",
    "WITH r(x) AS (SELECT x FROM r UNION ALL SELECT 1) SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 INTERSECT SELECT x + 1 FROM r) SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT max(x) + 1 FROM r) SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r GROUP BY x) SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT x + 1, 2 FROM r) SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r ORDER BY x) SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r ORDER BY 2) SELECT * FROM r",
    "WITH r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT 'a') SELECT * FROM r",
    "WITH a(x) AS (SELECT 1) SELECT a.x FROM a AS b",
]


def _run(mod, sql: str):
    con = mod.connect(":memory:")
    con.executescript(SETUP)
    try:
        cur = con.execute(sql)
        rows = cur.fetchall()
        names = [d[0] for d in cur.description]
        return names, [tuple((type(v).__name__, v) for v in r) for r in rows]
    except mod.Error as e:
        return ("error", type(e).__name__, str(e))


@pytest.mark.parametrize("sql", QUERIES)
def test_cte_matches_sqlite3(sql: str) -> None:
    assert _run(pyrite, sql) == _run(sqlite3, sql)


DML = [
    "WITH c(n) AS (SELECT 2) INSERT INTO t SELECT n, 'z' FROM c",
    "INSERT INTO t WITH c AS (SELECT 10, 'w') SELECT * FROM c",
    "WITH c(n) AS (SELECT 5) INSERT INTO t VALUES ((SELECT n FROM c), 'v')",
    "WITH RECURSIVE r(n) AS (SELECT 20 UNION ALL SELECT n + 1 FROM r WHERE n < 23)"
    " INSERT INTO t SELECT n, 'r' FROM r",
    "WITH c(n) AS (SELECT 2) UPDATE t SET y = 'upd' WHERE x IN (SELECT n FROM c)",
    "WITH c(n) AS (SELECT 3) UPDATE t SET y = (SELECT n FROM c) WHERE x = 3",
    "WITH c(n) AS (SELECT 2) DELETE FROM t WHERE x = (SELECT n FROM c)",
    "WITH t(x) AS (SELECT 1) DELETE FROM t WHERE x IN (SELECT x FROM t)",
    "WITH c AS (SELECT 1), c AS (SELECT 2) DELETE FROM t",
    "CREATE VIEW v AS WITH q(a) AS (SELECT x FROM t WHERE x > 2) SELECT a * 2 AS d FROM q",
    "SELECT * FROM v ORDER BY d",
    "WITH q AS (SELECT 100) SELECT * FROM v ORDER BY d",
    "WITH v AS (SELECT 100 AS d) SELECT * FROM v",
    "CREATE VIEW vd AS WITH c AS (SELECT 1), c AS (SELECT 2) SELECT * FROM t",
    "SELECT * FROM t ORDER BY x, y",
]


def test_cte_in_statements_matches_sqlite3() -> None:
    mine = pyrite.connect(":memory:")
    theirs = sqlite3.connect(":memory:")
    mine.executescript(SETUP)
    theirs.executescript(SETUP)
    for sql in DML:
        outs = []
        for con, mod in ((mine, pyrite), (theirs, sqlite3)):
            try:
                rows = con.execute(sql).fetchall()
                outs.append([tuple((type(v).__name__, v) for v in r) for r in rows])
            except mod.Error as e:
                outs.append(("error", str(e)))
        assert outs[0] == outs[1], sql


def _opcodes(sql: str) -> list[str]:
    con = pyrite.connect(":memory:")
    con.executescript(SETUP)
    return [r[1] for r in con.execute("EXPLAIN " + sql)]


def test_cte_used_twice_is_materialized_once() -> None:
    ops = _opcodes("WITH a(x) AS (SELECT x + 1 FROM t) SELECT * FROM a, a AS b")
    # one subroutine filled under Once, called by both references; the
    # second reference shares the table through OpenDup
    assert ops.count("Once") == 1 and ops.count("OpenEphemeral") == 1
    assert ops.count("Return") == 1 and ops.count("Gosub") == 2
    assert "OpenDup" in ops


def test_single_use_cte_is_a_coroutine() -> None:
    ops = _opcodes("WITH a(x) AS (SELECT x + 1 FROM t) SELECT * FROM a")
    assert ops.count("InitCoroutine") == 2 and "EndCoroutine" in ops
    assert "OpenEphemeral" not in ops


def test_recursive_query_program_shape() -> None:
    ops = _opcodes("WITH r(x) AS (SELECT 1 UNION SELECT x + 1 FROM r WHERE x < 3"
                   " ORDER BY 1 LIMIT 4) SELECT * FROM r")
    # current row in a pseudo cursor, priority queue + distinct index,
    # each row taken off the queue with Rewind/Column/Delete
    assert "OpenPseudo" in ops and ops.count("OpenEphemeral") == 2
    assert ops.count("Sequence") == 2 and ops.count("Found") == 2
    i = ops.index("Rewind")
    assert ops[i:i + 4] == ["Rewind", "NullRow", "Column", "Delete"]
    assert "DecrJumpZero" in ops
