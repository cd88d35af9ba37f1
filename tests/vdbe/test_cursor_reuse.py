"""A statement run again reopens the cursors of its last run (VM.spare):
each run must still start from unpositioned cursors with no row, null-row
or deferred-seek state left over, and a spare cursor must not be touched by
writes made while it is parked.  Every case is compared with sqlite3."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite


def _both(tmp_path):
    out = []
    for mod in (sqlite3, pyrite):
        con = mod.connect(str(tmp_path / f"{mod.__name__}.db"), isolation_level=None)
        con.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b, c)")
        con.execute("CREATE INDEX tb ON t(b)")
        con.execute("CREATE TABLE u(x, y)")
        con.executemany("INSERT INTO t VALUES(?,?,?)", [(i, i % 7, f"r{i}") for i in range(1, 300)])
        con.executemany("INSERT INTO u VALUES(?,?)", [(i, i * 2) for i in range(0, 20, 3)])
        out.append(con)
    return out


def _same(cons, sql, params=()):
    got = [con.execute(sql, params).fetchall() for con in cons]
    assert got[1] == got[0], sql
    return got[0]


def test_point_lookup_run_again_with_other_keys(tmp_path) -> None:
    cons = _both(tmp_path)
    for key in (5, 5, 299, 0, 300, 17, -1, 150):
        _same(cons, "SELECT b, c FROM t WHERE a=?", (key,))


def test_left_join_null_row_does_not_carry_into_the_next_run(tmp_path) -> None:
    cons = _both(tmp_path)
    sql = "SELECT t.a, u.y FROM t LEFT JOIN u ON u.x = t.a WHERE t.a BETWEEN ? AND ?"
    for lo, hi in ((1, 4), (3, 3), (2, 2), (1, 10), (4, 4)):
        _same(cons, sql, (lo, hi))


def test_index_lookup_with_deferred_seek_run_again(tmp_path) -> None:
    cons = _both(tmp_path)
    sql = "SELECT a, c FROM t WHERE b=? ORDER BY a LIMIT 3"
    for b in (3, 0, 6, 9, 3):
        _same(cons, sql, (b,))


def test_a_run_stopped_early_leaves_nothing_for_the_next(tmp_path) -> None:
    cons = _both(tmp_path)
    sql = "SELECT a, b FROM t WHERE a > ? ORDER BY a"
    for con in cons:
        cur = con.execute(sql, (10,))
        cur.fetchone()
        cur.fetchone()
        cur.close()
    for start in (10, 200, 290):
        _same(cons, sql, (start,))


def test_writes_between_runs_to_the_tree_of_a_spare_cursor(tmp_path) -> None:
    cons = _both(tmp_path)
    for con in cons:
        con.execute("BEGIN")
    for i in range(40):
        _same(cons, "SELECT count(*), sum(b) FROM t WHERE b=?", (i % 7,))
        for con in cons:
            con.execute("UPDATE t SET b = b + 1 WHERE a % 11 = ?", (i % 11,))
            con.execute("DELETE FROM t WHERE a = ?", (i * 7,))
            con.execute("INSERT INTO t(b, c) VALUES(?, ?)", (i % 5, f"n{i}"))
    for con in cons:
        con.execute("COMMIT")
    _same(cons, "SELECT * FROM t ORDER BY a")
    assert cons[1].execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_a_failed_run_then_a_good_one(tmp_path) -> None:
    cons = _both(tmp_path)
    for con in cons:
        con.execute("CREATE UNIQUE INDEX tc ON t(c)")
    sql = "INSERT INTO t(b, c) VALUES(?, ?)"
    for c in ("r5", "new1", "r7", "new2", "new1"):
        errs = []
        for con in cons:
            try:
                con.execute(sql, (1, c))
                errs.append(None)
            except (sqlite3.IntegrityError, pyrite.IntegrityError) as exc:
                errs.append(str(exc))
        assert errs[0] == errs[1]
    _same(cons, "SELECT a, b, c FROM t WHERE c LIKE 'new%' ORDER BY a")


def test_schema_change_between_runs_reopens_on_the_new_tree(tmp_path) -> None:
    cons = _both(tmp_path)
    sql = "SELECT x, y FROM u WHERE x > ? ORDER BY x"
    _same(cons, sql, (0,))
    for con in cons:
        con.execute("DROP TABLE u")
        con.execute("CREATE TABLE u(x, y)")
        con.executemany("INSERT INTO u VALUES(?,?)", [(i, -i) for i in range(5)])
    _same(cons, sql, (0,))
    _same(cons, sql, (2,))


@pytest.mark.parametrize("db", [":memory:", "file"])
def test_two_cursors_on_one_statement_text(tmp_path, db) -> None:
    # Two cursors running the same SQL at once: the second cannot use the
    # cached statement (it is busy) and gets its own; both read correctly.
    path = ":memory:" if db == ":memory:" else str(tmp_path / "two.db")
    con = pyrite.connect(path)
    con.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b)")
    con.executemany("INSERT INTO t VALUES(?,?)", [(i, i * i) for i in range(50)])
    sql = "SELECT a, b FROM t WHERE a >= ? ORDER BY a"
    c1 = con.execute(sql, (10,))
    c2 = con.execute(sql, (40,))
    assert c1.fetchone() == (10, 100)
    assert c2.fetchone() == (40, 1600)
    assert c1.fetchone() == (11, 121)
    assert len(c2.fetchall()) == 9
    assert len(c1.fetchall()) == 38
    assert con.execute(sql, (48,)).fetchall() == [(48, 2304), (49, 2401)]


def test_the_second_run_reopens_the_first_runs_cursor() -> None:
    # (white box: the fast path above is really taken, and a cursor on
    # another tree is not reused for this one)
    con = pyrite.connect(":memory:")
    con.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b)")
    con.execute("CREATE TABLE v(a INTEGER PRIMARY KEY, b)")
    con.execute("INSERT INTO t VALUES(1, 'one')")
    con.execute("INSERT INTO v VALUES(1, 'uno')")
    db = con._db
    stmt, _ = db.prepare("SELECT b FROM t WHERE a=?1", 0)
    seen = []
    for _ in range(3):
        stmt.reset()
        stmt.bind_values([1])
        assert stmt.step() is pyrite.engine.ROW
        seen.append(stmt._vm.cursors[0])
        assert stmt.row() == ("one",)
    assert seen[0] is seen[1] is seen[2]
    stmt.reset()
    assert stmt._vm.spare[0] is seen[2]
    other, _ = db.prepare("SELECT b FROM v WHERE a=?1", 0)
    other._vm.spare[0] = seen[2]   # a spare cursor of another tree
    other.bind_values([1])
    assert other.step() is pyrite.engine.ROW
    assert other.row() == ("uno",)
    assert other._vm.cursors[0] is not seen[2]
    stmt.finalize()
    other.finalize()


def test_no_cursor_stays_open_after_a_run_ends_or_is_reset() -> None:
    # (white box: a run that halts, done or failed, closes its cursors
    # there and reset does not close them again; a run stopped at a row
    # still holds them, and reset closes them)
    con = pyrite.connect(":memory:")
    con.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b NOT NULL)")
    con.execute("INSERT INTO t VALUES(1, 'one')")
    db = con._db
    tree = db.btree(0)

    def open_cursors():
        return [c for on_tree in tree.cursors.values() for c in on_tree]

    select, _ = db.prepare("SELECT b FROM t WHERE a >= ?1", 0)
    insert, _ = db.prepare("INSERT INTO t VALUES(?1, ?2)", 0)
    for _ in range(2):
        select.reset()
        select.bind_values([1])
        assert select.step() is pyrite.engine.ROW
        assert open_cursors()
        select.reset()
        assert open_cursors() == []
        select.bind_values([5])
        assert select.step() is pyrite.engine.DONE
        assert open_cursors() == []
        select.reset()
        insert.reset()
        insert.bind_values([2, None])
        with pytest.raises(pyrite.IntegrityError):
            insert.step()
        assert open_cursors() == []
        insert.reset()
        assert open_cursors() == []
    select.finalize()
    insert.finalize()
    assert con.execute("SELECT a, b FROM t").fetchall() == [(1, "one")]
