"""Appends to a table (btree.py BTreeCursor._append, largest_rowid; the
compiled NewRowid): rows past the last one go straight into the right-most
leaf's gap, and every case it declines (freeblocks on the leaf, a rowid
that is not past the last, a leaf that is not the right-most (an UPDATE
moving rows from the middle to the end), negative and
multi-byte rowids, AUTOINCREMENT, a trigger inserting into the same table)
takes the general path.  Rows, rowids and last_insert_rowid match
sqlite3's under every executor and the files pass its integrity_check."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

import pyrite
from pyrite.vdbe import jit

SCRIPT = [
    "CREATE TABLE t(a, b TEXT)",
    "CREATE TABLE u(id INTEGER PRIMARY KEY AUTOINCREMENT, v)",
    "CREATE TABLE log(x)",
    "CREATE TRIGGER tu AFTER INSERT ON u BEGIN INSERT INTO log VALUES(new.v); "
    "INSERT INTO t(a, b) VALUES(-new.id, 'trig'); END",
]


@pytest.fixture
def mode() -> Iterator[object]:
    saved = jit.MODE
    yield jit.set_mode
    jit.set_mode(saved)


def _run(con: object) -> list[object]:
    out: list[object] = []
    ex = con.execute  # type: ignore[attr-defined]
    for sql in SCRIPT:
        ex(sql)
    ex("BEGIN")
    for i in range(300):                    # rowids 1..300: one- and two-byte varints
        ex("INSERT INTO t(a, b) VALUES(?, ?)", (i, "r%d" % i * (i % 9)))
    out.append(ex("SELECT last_insert_rowid()").fetchall())
    ex("DELETE FROM t WHERE rowid % 7 = 3")  # freeblocks on the leaves
    ex("INSERT INTO t SELECT a + 1000, b FROM t WHERE rowid < 120")
    ex("INSERT INTO t(rowid, a, b) VALUES(-5, 'neg', 'x')")
    ex("INSERT INTO t(rowid, a, b) VALUES(16383, 'edge', 'x')")
    ex("INSERT INTO t(a, b) VALUES('after', 'edge')")   # 16384: a three-byte varint
    ex("INSERT INTO t(rowid, a, b) VALUES(150, 'middle', 'x')")
    ex("DELETE FROM t WHERE rowid > 16000")
    # The write cursor on a leaf in the middle, then rowids past the end.
    ex("UPDATE t SET rowid = rowid + 100000 WHERE rowid BETWEEN 20 AND 40")
    ex("DELETE FROM t WHERE rowid > 16000")
    ex("INSERT INTO t(a, b) VALUES('after', 'delete')")
    for i in range(40):
        ex("INSERT INTO u(v) VALUES(?)", ("u%d" % i,))
    ex("DELETE FROM u WHERE id > 30")
    ex("INSERT INTO u(v) SELECT b FROM t WHERE rowid < 20")
    out.append(ex("SELECT last_insert_rowid()").fetchall())
    ex("COMMIT")
    ex("CREATE TABLE n(a)")
    ex("INSERT INTO n(rowid, a) VALUES(-9, 1)")
    ex("INSERT INTO n(a) VALUES(2)")        # after a negative rowid: 1
    ex("INSERT INTO n(rowid, a) VALUES(-3, 3)")
    ex("INSERT INTO n(a) SELECT a FROM n")
    for q in ("SELECT rowid, * FROM t ORDER BY rowid", "SELECT rowid, * FROM u ORDER BY rowid",
              "SELECT * FROM log ORDER BY rowid", "SELECT rowid, * FROM n ORDER BY rowid",
              "SELECT * FROM sqlite_sequence"):
        out.append(ex(q).fetchall())
    return out


@pytest.mark.parametrize("executor", ["eager", "compiled", "interp"])
def test_appends_match_sqlite3(tmp_path: Path, mode, executor: str) -> None:
    mode(executor)
    path = str(tmp_path / "a.db")
    con = pyrite.connect(path, isolation_level=None)
    got = _run(con)
    con.close()
    want = _run(sqlite3.connect(":memory:", isolation_level=None))
    assert repr(got) == repr(want)
    chk = sqlite3.connect(path)
    assert chk.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    chk.close()


def test_append_declines_what_it_does_not_cover(tmp_path: Path) -> None:
    from pyrite.storage.btree import BTreeCursor
    calls = {"done": 0, "declined": 0}
    real = BTreeCursor._append

    def counting(self: BTreeCursor, *args: object) -> bool:
        ok = real(self, *args)  # type: ignore[arg-type]
        calls["done" if ok else "declined"] += 1
        return ok

    BTreeCursor._append = counting  # type: ignore[method-assign]
    try:
        con = pyrite.connect(str(tmp_path / "d.db"), isolation_level=None)
        got = _run(con)
        con.close()
    finally:
        BTreeCursor._append = real  # type: ignore[method-assign]
    assert repr(got) == repr(_run(sqlite3.connect(":memory:", isolation_level=None)))
    assert calls["done"] > 300 and calls["declined"] > 5


def test_append_from_a_leaf_in_the_middle(tmp_path: Path) -> None:
    """A cursor left on a leaf that is not the right-most one inserts a
    rowid past that leaf's last (and past the tree's last) where it
    belongs: on the right-most leaf."""
    from pyrite.storage.record import encode_record
    path = str(tmp_path / "m.db")
    con = pyrite.connect(path, isolation_level=None)
    con.execute("CREATE TABLE t(a)")
    con.execute("BEGIN")
    con.executemany("INSERT INTO t VALUES(?)", [("x" * 50,) for _ in range(400)])
    bt = con._db.dbs[0].btree
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name='t'").fetchone()[0]
    c = bt.cursor(root, write=True)
    assert c.table_move_to(10) == 0
    assert len(c.stack) > 1 and c.stack[0][2] < c.stack[0][1].ncell    # not the right-most
    assert c.largest_rowid() == 400
    c.table_move_to(10)
    c.insert(1000, encode_record(["far"]), ["far"])
    c.table_move_to(20)
    c.insert(401, encode_record(["near"]), ["near"])
    assert c.largest_rowid() == 1000
    c.close()
    con.execute("COMMIT")
    assert con.execute("SELECT rowid, a FROM t WHERE rowid > 399").fetchall() == [
        (400, "x" * 50), (401, "near"), (1000, "far")]
    con.close()
    chk = sqlite3.connect(path)
    assert chk.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert chk.execute("SELECT max(rowid), count(*) FROM t").fetchall() == [(1000, 402)]
    chk.close()
