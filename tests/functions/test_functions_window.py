"""Built-in window functions, driven as SQLite's window code drives them."""

from __future__ import annotations

import sqlite3

import pytest

from pyrite.errors import OperationalError
from pyrite.vdbe.functions import exists, lookup


def _sqlite(sql_fn: str, n: int) -> list[object]:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t(x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(n)])
    return [r[0] for r in conn.execute(f"SELECT {sql_fn} OVER (ORDER BY x) FROM t ORDER BY x")]


def _two_pass(name: str, n: int, *args: object) -> list[object]:
    # Partition-wide functions (ntile, cume_dist, percent_rank): every row is
    # stepped first, then inverse() walks the rows.  Distinct ORDER BY values,
    # so each row is its own peer group.
    agg = lookup(name, len(args)).func()
    for _ in range(n):
        agg.step(*args)
    out = []
    for _ in range(n):
        if name == "cume_dist":
            agg.inverse(*args)
            out.append(agg.value())
        else:
            out.append(agg.value())
            agg.inverse(*args)
    return out


@pytest.mark.parametrize("n", [1, 2, 3, 7, 10, 13])
def test_partition_functions(n: int) -> None:
    for k in (1, 2, 3, 4, 5, 20):
        assert _two_pass("ntile", n, k) == _sqlite(f"ntile({k})", n), (n, k)
    assert _two_pass("cume_dist", n) == _sqlite("cume_dist()", n)
    assert _two_pass("percent_rank", n) == _sqlite("percent_rank()", n)


def test_running_functions() -> None:
    n = 6
    for name in ("row_number", "rank", "dense_rank"):
        agg = lookup(name, 0).func()
        got = []
        for _ in range(n):
            agg.step()
            got.append(agg.value())
        assert got == _sqlite(f"{name}()", n), name


def test_rank_with_peers() -> None:
    # Peer groups of sizes 2, 1, 3: each group is stepped, then value() is
    # read once for the group (SQLite's window code for rank()).
    agg = lookup("rank", 0).func()
    dense = lookup("dense_rank", 0).func()
    got, got_dense = [], []
    for size in (2, 1, 3):
        for _ in range(size):
            agg.step()
            dense.step()
        v = agg.value()
        d = dense.value()
        got += [v] * size
        got_dense += [d] * size
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t(x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(1,), (1,), (2,), (3,), (3,), (3,)])
    assert got == [r[0] for r in conn.execute("SELECT rank() OVER (ORDER BY x) FROM t")]
    assert got_dense == [r[0] for r in conn.execute(
        "SELECT dense_rank() OVER (ORDER BY x) FROM t")]


def test_value_functions() -> None:
    seq = ["a", None, "c", "d"]
    first = lookup("first_value", 1).func()
    last = lookup("last_value", 1).func()
    nth = lookup("nth_value", 2).func()
    firsts, lasts, nths = [], [], []
    for v in seq:
        first.step(v)
        last.step(v)
        nth.step(v, 3)
        firsts.append(first.value())
        lasts.append(last.value())
        nths.append(nth.value())
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t(i INTEGER PRIMARY KEY, x)")
    conn.executemany("INSERT INTO t(x) VALUES (?)", [(v,) for v in seq])
    rows = conn.execute("SELECT first_value(x) OVER w, last_value(x) OVER w, "
                        "nth_value(x, 3) OVER w FROM t WINDOW w AS (ORDER BY i)").fetchall()
    assert [r[0] for r in rows] == firsts
    assert [r[1] for r in rows] == lasts
    assert [r[2] for r in rows] == nths


def test_window_errors() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t(x)")
    conn.execute("INSERT INTO t VALUES (1)")
    for fn, args, sql in [("ntile", (0,), "ntile(0)"), ("nth_value", (1, 0), "nth_value(x, 0)"),
                          ("ntile", ("a",), "ntile('a')")]:
        with pytest.raises(sqlite3.OperationalError) as want:
            conn.execute(f"SELECT {sql} OVER () FROM t").fetchall()
        agg = lookup(fn, len(args)).func()
        with pytest.raises(OperationalError) as got:
            agg.step(*args)
        assert str(got.value) == str(want.value)


def test_registry_flags() -> None:
    for name, n in [("row_number", 0), ("lead", 3), ("lag", 1), ("ntile", 1)]:
        d = lookup(name, n)
        assert d.is_aggregate and d.is_window and d.window_only
    assert lookup("lead", 4) is None and exists("lead")
    assert not lookup("sum", 1).window_only
