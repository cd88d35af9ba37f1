"""Scan loops the compiled executor writes as a Python loop (a fused loop:
jit._Generator.fusable_loops / fused_loop): the rows of each leaf come
from its decoded records with no dispatch per row.  Every answer is
compared with sqlite3's under each executor, over tables of many leaves,
with rows that overflow their page, NULL rows of a LEFT JOIN, DISTINCT,
LIMIT, index range scans, a function that writes to the table being
scanned, a cursor stepped while another statement writes, and an
interrupt."""

from __future__ import annotations

import re
import sqlite3

import pytest

import pyrite
from pyrite.vdbe import jit

from sqlite_pair import both, same

SETUP = [
    "CREATE TABLE t(a INTEGER, b TEXT, c REAL)",
    "CREATE INDEX tb ON t(b)",
    "CREATE TABLE u(x INTEGER PRIMARY KEY, y)",
    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 1500) "
    "INSERT INTO t SELECT i % 97, 'v' || (i % 13) || CASE WHEN i % 250 = 0 "
    "THEN hex(zeroblob(3000)) ELSE '' END, i * 0.5 FROM s",
    "INSERT INTO u SELECT a, b FROM t WHERE a < 40 GROUP BY a",
]

QUERIES = [
    "SELECT count(*), sum(a), avg(c), max(length(b)) FROM t WHERE a + 0 BETWEEN 10 AND 60",
    "SELECT a, b FROM t WHERE c > 700 AND b LIKE 'v1%'",
    "SELECT DISTINCT a FROM t WHERE c < 300",
    "SELECT a, c FROM t WHERE a > 90 LIMIT 7",
    "SELECT a, b FROM t WHERE a = 5 ORDER BY c DESC LIMIT 4",
    "SELECT b, count(*) FROM t WHERE b >= 'v3' AND b < 'v5' GROUP BY b",
    "SELECT sum(length(b)) FROM t WHERE length(b) > 100",
    "SELECT t.a, u.y FROM t LEFT JOIN u ON u.x = t.a + 50 WHERE t.c < 20",
    "SELECT count(*) FROM t WHERE a IN (1, 2, 3, 50)",
    "SELECT a FROM t WHERE rowid % 400 = 0",
]


@pytest.mark.parametrize("sql", QUERIES)
def test_fused_scans_agree_with_sqlite3(executor: str, sql: str) -> None:
    a, b = both(SETUP)
    same(a, b, sql)
    same(a, b, sql)             # (the statement again: its cached program)


def test_plain_scans_are_fused() -> None:
    conn = pyrite.connect(":memory:")
    for sql in SETUP:
        conn.execute(sql)
    fused = 0
    for sql in QUERIES:
        stmt, _ = conn._db.prepare(sql)
        source = jit.compile_program(stmt.program).source  # type: ignore[attr-defined]
        fused += bool(re.search(r"top = fbt\d+\.stack\[-1\]", source))
    assert fused == 7     # (not: LIMIT's counter after the row, the LEFT JOIN's
    #                       outer loop, IN's list built Once inside the loop)
    # A loop whose cursor the body moves or writes through is not fused.
    stmt, _ = conn._db.prepare("UPDATE t SET c = c + 1 WHERE a = 3")
    source = jit.compile_program(stmt.program).source  # type: ignore[attr-defined]
    assert not re.search(r"top = fbt\d+\.stack\[-1\]", source)


def test_a_function_writing_to_the_scanned_table(executor: str) -> None:
    """The body's function runs SQL that changes the table under the scan:
    the cursor's position is saved and the loop leaves its cached leaf for
    the Next handler, which finds its place again.  The interpreter is the
    reference (sqlite3 sees the same rows for these writes, which only
    change columns in place)."""
    def run(mod: object) -> list:
        conn = mod.connect(":memory:", isolation_level=None)  # type: ignore[attr-defined]
        for sql in SETUP:
            conn.execute(sql)

        def bump(x: int) -> int:
            if x % 50 == 0:
                conn.execute("UPDATE t SET c = c + 1000 WHERE rowid = ?", (x + 1,))
            return x

        conn.create_function("bump", 1, bump)
        return conn.execute("SELECT rowid, c FROM t WHERE bump(rowid) > 0 AND c > 0").fetchall()

    assert run(pyrite) == run(sqlite3)


def test_fetching_row_by_row_while_the_table_changes(executor: str) -> None:
    """A row leaves the fused loop (no batch); between fetches the same
    connection updates and inserts rows of the table being scanned."""
    out = []
    for mod in (sqlite3, pyrite):
        conn = mod.connect(":memory:", isolation_level=None)
        for sql in SETUP:
            conn.execute(sql)
        cur = conn.execute("SELECT rowid, a, c FROM t WHERE a > 80")
        rows = []
        for i in range(40):
            row = cur.fetchone()
            if row is None:
                break
            rows.append(row)
            if i % 7 == 0:
                conn.execute("UPDATE t SET c = -c WHERE rowid = ?", (row[0] + 3,))
        rows += cur.fetchall()
        out.append(rows)
    assert out[0] == out[1]


def test_an_interrupt_stops_a_fused_loop(executor: str) -> None:
    conn = pyrite.connect(":memory:")
    for sql in SETUP:
        conn.execute(sql)
    seen = []

    def spy(x: int) -> int:
        seen.append(x)
        if len(seen) == 300:
            conn.interrupt()
        return x

    conn.create_function("spy", 1, spy)
    with pytest.raises(pyrite.OperationalError, match="interrupted"):
        conn.execute("SELECT sum(spy(a)) FROM t WHERE c > 0").fetchall()
    assert 300 <= len(seen) < 1500
    ref, _ = both(SETUP)
    same(ref, conn, "SELECT count(*), sum(c) FROM t WHERE a + 0 = 3")   # usable afterwards
