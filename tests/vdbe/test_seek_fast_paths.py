"""Fast paths of seeks and joins (speedtest1 160-170, 310, 320): the inline
SeekGE..SeekLT, SeekRowid and DeferredSeek of the compiled executor, the
Column that finishes a deferred seek, IdxGT..IdxLT reading the row Next
left, and BTreeCursor.table_move_to's in-leaf and descent paths.  Each is
compared with sqlite3 under every executor, with keys that take the fast
path (integers, text) and keys that fall back (reals, NULLs, text against
a rowid, mixed types)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_pair import both, same

import pyrite


def _tables(n: int = 300) -> list[str]:
    """Four tables joined as speedtest1's 310 joins them, big enough for
    several leaves per tree (seeks that stay on the cursor's leaf and
    seeks that descend from the root)."""
    out = ["CREATE TABLE z1(a INTEGER, b INTEGER, c TEXT)",
           "CREATE TABLE z2(a INTEGER UNIQUE, b INTEGER, c TEXT)",
           "CREATE TABLE t3(a INTEGER UNIQUE, b INTEGER, c TEXT)",
           "CREATE TABLE t4(a INTEGER UNIQUE, b INTEGER, c TEXT)"]
    for i in range(1, n + 1):
        k = (i * 37) % n + 1
        name = f"name {k % 40} {'x' * (k % 7)}"
        out.append(f"INSERT INTO z1 VALUES({k}, {i}, '{name}')")
        out.append(f"INSERT INTO z2 VALUES({i}, {k}, '{name}')")
        out.append(f"INSERT INTO t3 VALUES({k}, {(k * 7) % n + 1}, 'c{i}')")
        out.append(f"INSERT INTO t4 VALUES({i}, {(i * 11) % n + 1}, 'd{k}')")
    out += ["CREATE INDEX z1c ON z1(c)", "CREATE UNIQUE INDEX z1b ON z1(b)",
            "CREATE INDEX z2c ON z2(c DESC)"]
    return out


JOIN = ("SELECT z1.c, z1.a, t3.c FROM z1, z2, t3, t4 WHERE t4.a BETWEEN ?1 AND ?2 "
        "AND t3.a=t4.b AND z2.a=t3.b AND z1.c=z2.c ORDER BY 1, 2, 3")


def test_four_way_join_agrees_with_sqlite3(executor: str) -> None:
    a, b = both(_tables())
    for lo in list(range(1, 300, 13)) + [0, -5, 299, 300, 1000]:
        same(a, b, JOIN, (lo, lo + 9))
    # Keys that are no integers: reals (exact and not), text, NULL, blobs.
    for lo, hi in [(2.0, 9.5), (2.5, 3.5), ("7", "12"), ("x", "y"), (None, 5),
                   (5, None), (b"\x01", b"\x02"), (-1e300, 1e300)]:
        same(a, b, JOIN, (lo, hi))


@pytest.mark.parametrize("op", ["=", "<", "<=", ">", ">="])
def test_index_range_seeks_every_direction(executor: str, op: str) -> None:
    """SeekGE/SeekGT (ascending) and SeekLE/SeekLT (ORDER BY ... DESC) on
    an index, with keys of every type, against sqlite3."""
    a, b = both(_tables(120))
    keys = [1, 60, 119, 120, 121, 0, -3, 60.0, 60.5, "60", "abc", None, b"\x00"]
    for order in ("", " ORDER BY b DESC", " ORDER BY b"):
        sql = f"SELECT b, a, c FROM z1 WHERE b {op} ?1{order} LIMIT 7"
        for k in keys:
            same(a, b, sql, (k,))
    for k in ["name 3 ", "name 3 xxx", "name", "zzz", "", 5, None]:
        same(a, b, f"SELECT c, a FROM z1 WHERE c {op} ?1 ORDER BY c DESC, a LIMIT 5", (k,))
        same(a, b, f"SELECT c, a FROM z2 WHERE c {op} ?1 ORDER BY c, a LIMIT 5", (k,))


@pytest.mark.parametrize("op", ["=", "<", "<=", ">", ">="])
def test_rowid_seeks_every_direction(executor: str, op: str) -> None:
    """SeekRowid and SeekGE..SeekLT on a table: integer keys take the inline
    seek, reals, text and NULL the handler."""
    a, b = both(_tables(150))
    keys = [1, 75, 150, 151, 0, -1, 75.0, 75.5, -0.5, "75", "x", None, 2**63 - 1,
            -2**63, 1e19, -1e19, float("nan")]
    for order in ("", " ORDER BY rowid DESC"):
        sql = f"SELECT rowid, a, c FROM z2 WHERE rowid {op} ?1{order} LIMIT 5"
        for k in keys:
            same(a, b, sql, (k,))


def test_deferred_seek_reads_table_columns(executor: str) -> None:
    """An index range scan whose loop reads the table's columns (a
    DeferredSeek finished by the first Column), speedtest1 160/170."""
    a, b = both(_tables())
    agg = "SELECT count(*), avg(a), sum(length(c)), group_concat(b) FROM z1 "
    for lo in range(0, 320, 17):
        same(a, b, agg + "WHERE b BETWEEN ?1 AND ?2", (lo, lo + 25))
    for w in ["name 1", "name 2 x", "name 39", "a", "z"]:
        same(a, b, agg + "WHERE c BETWEEN ?1 AND (?1||'~')", (w,))
    same(a, b, "SELECT z2.a, z2.c FROM z2 WHERE c > 'name 3' ORDER BY c DESC LIMIT 9")


def test_short_records_read_the_added_column_default(executor: str) -> None:
    """Rows written before ADD COLUMN are shorter than the table: the
    compiled Column gives the column's default for them."""
    setup = ["CREATE TABLE t(a INTEGER PRIMARY KEY, b)", "CREATE INDEX tb ON t(b)"]
    setup += [f"INSERT INTO t VALUES({i}, {i % 17})" for i in range(1, 200)]
    setup += ["ALTER TABLE t ADD COLUMN c DEFAULT 'dflt'", "ALTER TABLE t ADD COLUMN d",
              "INSERT INTO t VALUES(500, 3, 'new', 4)"]
    a, b = both(setup)
    for _ in range(3):
        same(a, b, "SELECT a, b, c, d FROM t WHERE b = 3 ORDER BY a")
        same(a, b, "SELECT count(c), group_concat(c), count(d) FROM t WHERE b BETWEEN 2 AND 5")
        same(a, b, "SELECT a, c FROM t WHERE a BETWEEN 190 AND 600")


def test_correlated_subquery_in_result(executor: str) -> None:
    """speedtest1 320's shape: a scalar subquery scanning a table per outer row."""
    a, b = both(_tables(80))
    sql = ("SELECT sum(a), max(c), avg((SELECT a FROM z2 WHERE 5+z2.b=z1.b) AND rowid<?1), "
           "max(c) FROM z1 WHERE rowid<?1")
    for n in (1, 10, 50, 81):
        same(a, b, sql, (n,))


def test_a_join_through_a_missing_row_is_corrupt(tmp_path: Path, executor: str) -> None:
    """An index entry whose row is gone (the index's table swapped for a
    smaller one, through sqlite3's writable_schema) is reported as
    corruption, as sqlite3 reports it, when a Column finishes the deferred
    seek."""
    path = str(tmp_path / "bad.db")
    s = sqlite3.connect(path)
    s.executescript(
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b, c); CREATE INDEX tb ON t(b);"
        "CREATE TABLE u(a INTEGER PRIMARY KEY, b, c);"
        + "".join(f"INSERT INTO t VALUES({i}, {i}, 'x');" for i in range(1, 50))
        + "INSERT INTO u VALUES(1, 1, 'y');")
    tr, ur = (s.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (n,)).fetchone()[0]
              for n in ("t", "u"))
    s.execute("PRAGMA writable_schema=ON")
    s.execute("UPDATE sqlite_master SET rootpage=? WHERE name='t'", (ur,))
    s.execute("UPDATE sqlite_master SET rootpage=? WHERE name='u'", (tr,))
    s.commit()
    s.close()
    s = sqlite3.connect(path)
    sql = "SELECT a, b, c FROM t INDEXED BY tb WHERE b BETWEEN 1 AND 10"
    with pytest.raises(sqlite3.DatabaseError) as want:
        s.execute(sql).fetchall()
    p = pyrite.connect(path)
    for _ in range(3):
        with pytest.raises(pyrite.DatabaseError) as got:
            p.execute(sql).fetchall()
        assert str(got.value) == str(want.value)
    p.close()
    s.close()
