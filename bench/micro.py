"""Microbenchmarks: each is (setup, body); setup builds the data untimed,
body is timed.  Both take (conn, n) where n is the table's row count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _fill(conn: Any, n: int) -> None:
    conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT, x REAL)")
    conn.execute("BEGIN")
    for i in range(1, n + 1):
        conn.execute(
            "INSERT INTO t VALUES(?,?,?,?)", (i, (i * 7919) % n, f"value-{i:08d}", i * 0.5)
        )
    conn.execute("COMMIT")
    conn.execute("CREATE INDEX t_k ON t(k)")
    conn.execute("CREATE TABLE u(id INTEGER PRIMARY KEY, t_id INTEGER, w TEXT)")
    conn.execute("BEGIN")
    for i in range(1, n // 4 + 1):
        conn.execute("INSERT INTO u VALUES(?,?,?)", (i, (i * 31) % n + 1, f"w{i}"))
    conn.execute("COMMIT")


def _none(conn: Any, n: int) -> None:
    pass


def scan_aggregate(conn: Any, n: int) -> None:
    conn.execute("SELECT count(*), sum(k), avg(x), max(v) FROM t").fetchall()


def lookup_rowid(conn: Any, n: int) -> None:
    for i in range(1, n + 1, max(1, n // 500)):
        conn.execute("SELECT v FROM t WHERE id=?", (i,)).fetchall()


def lookup_index(conn: Any, n: int) -> None:
    for i in range(0, n, max(1, n // 500)):
        conn.execute("SELECT id, v FROM t WHERE k=?", (i,)).fetchall()


def range_scan(conn: Any, n: int) -> None:
    for i in range(0, n, max(1, n // 20)):
        conn.execute("SELECT id, v FROM t WHERE k BETWEEN ? AND ?", (i, i + n // 50)).fetchall()


def insert_txn(conn: Any, n: int) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS ins(a INTEGER, b TEXT)")
    conn.execute("DELETE FROM ins")
    conn.execute("BEGIN")
    for i in range(n):
        conn.execute("INSERT INTO ins VALUES(?,?)", (i, f"row {i}"))
    conn.execute("COMMIT")


def sort_limit(conn: Any, n: int) -> None:
    conn.execute("SELECT id, v FROM t ORDER BY x DESC, v LIMIT 10").fetchall()


def join(conn: Any, n: int) -> None:
    conn.execute("SELECT u.w, t.v FROM u JOIN t ON t.id = u.t_id WHERE u.id % 3 = 0").fetchall()


def fetchall_table(conn: Any, n: int) -> None:
    conn.execute("SELECT * FROM t").fetchall()


Micro = tuple[str, Callable[[Any, int], None], Callable[[Any, int], None]]
MICROS: list[Micro] = [
    ("full scan + aggregate", _fill, scan_aggregate),
    ("point lookup by rowid", _none, lookup_rowid),
    ("point lookup by index", _none, lookup_index),
    ("range scan by index", _none, range_scan),
    ("inserts in one transaction", _none, insert_txn),
    ("sort with LIMIT", _none, sort_limit),
    ("join", _none, join),
    ("fetchall of a whole table", _none, fetchall_table),
]
