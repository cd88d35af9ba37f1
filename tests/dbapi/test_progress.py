"""Connection.set_progress_handler: called every N VM instructions; a true
answer (or an exception) interrupts the statement, and an interrupted write
rolls the whole transaction back, as in sqlite3."""

from __future__ import annotations

import sqlite3
from typing import Any

import pyrite

COUNT_TO_1000 = ("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
                 "WHERE i < 1000) SELECT count(*) FROM r")


def _outcome(fn: Any) -> Any:
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001 - the error is the outcome
        return (type(e).__name__, str(e))


def _script(module: Any) -> list[Any]:
    con = module.connect(":memory:")
    seen: list[Any] = []
    calls = [0]

    def stop_after_three() -> bool:
        calls[0] += 1
        return calls[0] > 3

    con.set_progress_handler(stop_after_three, 10)
    seen.append(_outcome(lambda: con.execute(COUNT_TO_1000).fetchall()))
    seen.append(calls[0])
    con.set_progress_handler(None, 10)
    seen.append(_outcome(lambda: con.execute(COUNT_TO_1000).fetchall()))

    def broken() -> bool:
        raise ValueError("no")

    con.set_progress_handler(broken, 1)
    seen.append(_outcome(lambda: con.execute("SELECT 1").fetchall()))
    for n in (0, -5):                       # n < 1: no handler
        con.set_progress_handler(lambda: 1, n)
        seen.append(_outcome(lambda: con.execute("SELECT 2").fetchall()))
    con.set_progress_handler(lambda: "yes", 1)
    seen.append(_outcome(lambda: con.execute("SELECT 3").fetchall()))
    con.set_progress_handler(None, 1)
    con.execute("CREATE TABLE t(x)")
    con.execute("INSERT INTO t VALUES (1)")
    con.commit()
    con.execute("INSERT INTO t VALUES (2)")     # opens a transaction
    steps = [0]

    def stop_late() -> bool:
        steps[0] += 1
        return steps[0] > 50

    con.set_progress_handler(stop_late, 1)
    seen.append(_outcome(lambda: con.execute(
        "INSERT INTO t WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
        "WHERE i < 100) SELECT i FROM r")))
    con.set_progress_handler(None, 1)
    seen.append(con.in_transaction)
    seen.append(con.execute("SELECT count(*) FROM t").fetchall())
    return seen


def test_progress_handler_matches_sqlite3() -> None:
    mine = _script(pyrite)
    theirs = _script(sqlite3)
    # the cursor objects of successful INSERTs differ; compare the rest
    assert [m if m[0] != "ok" or not hasattr(m[1], "execute") else "cursor"
            for m in mine if isinstance(m, tuple)] == \
        [t if t[0] != "ok" or not hasattr(t[1], "execute") else "cursor"
         for t in theirs if isinstance(t, tuple)]
    assert [m for m in mine if not isinstance(m, tuple)] == \
        [t for t in theirs if not isinstance(t, tuple)]
