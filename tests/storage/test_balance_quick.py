"""Appends past the end of a full right-most leaf (btree.py _balance_quick,
SQLite's balance_quick): a new leaf takes the new entry alone and the
parent gains one divider in place.  Files built by long append runs stay
valid for stdlib sqlite3 and hold the same rows; inserts that are not
appends still split the general way; the cursor rests on the new entry."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pyrite
from pyrite.storage.btree import INTKEY, BTree, page_info
from pyrite.storage.pager import Pager
from pyrite.storage.record import encode_record


def _check(path: str, sql_rows: str) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return con.execute(sql_rows).fetchall()
    finally:
        con.close()


def _btree(con) -> BTree:
    return con._db.dbs[0].btree


def _build(path: str, page_size: int, script: list[tuple[str, list]]) -> int:
    """Run ``script`` (sql, rows for executemany) in Pyrite; the number of
    quick balances it made."""
    con = pyrite.connect(path)
    con.execute(f"PRAGMA page_size={page_size}")
    for sql, rows in script:
        if rows:
            con.executemany(sql, rows)
        else:
            con.execute(sql)
    con.commit()
    n = _btree(con).quick_balances
    con.close()
    return n


def _oracle(script: list[tuple[str, list]], query: str) -> list[tuple]:
    con = sqlite3.connect(":memory:")
    for sql, rows in script:
        if rows:
            con.executemany(sql, rows)
        else:
            con.execute(sql)
    out = con.execute(query).fetchall()
    con.close()
    return out


def _run(tmp_path: Path, page_size: int, script: list[tuple[str, list]], query: str) -> int:
    path = str(tmp_path / "q.db")
    n = _build(path, page_size, script)
    assert _check(path, query) == _oracle(script, query)
    return n


def test_rowid_appends_take_the_quick_path(tmp_path: Path) -> None:
    rows = [(i, f"row {i}" * (i % 7)) for i in range(1, 1501)]
    script = [("CREATE TABLE t(a INTEGER PRIMARY KEY, b)", []),
              ("INSERT INTO t VALUES (?, ?)", rows)]
    n = _run(tmp_path, 512, script, "SELECT * FROM t")
    assert n > 50


def test_insert_select_and_index_appends(tmp_path: Path) -> None:
    script = [("CREATE TABLE s(a INTEGER PRIMARY KEY, b TEXT)", []),
              ("INSERT INTO s VALUES (?, ?)", [(i, f"{i:06d}") for i in range(1000)]),
              ("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)", []),
              ("CREATE INDEX tb ON t(b)", []),
              ("INSERT INTO t SELECT a, b FROM s ORDER BY a", [])]
    n = _run(tmp_path, 512, script,
             "SELECT a, b FROM t INDEXED BY tb WHERE b > '' ORDER BY b")
    assert n > 50


def test_without_rowid_appends(tmp_path: Path) -> None:
    rows = [(f"k{i:08d}", i * 3, "v" * (i % 40)) for i in range(1200)]
    script = [("CREATE TABLE w(k TEXT PRIMARY KEY, x, y) WITHOUT ROWID", []),
              ("CREATE INDEX wx ON w(x)", []),
              ("INSERT INTO w VALUES (?, ?, ?)", rows)]
    n = _run(tmp_path, 512, script, "SELECT * FROM w ORDER BY k")
    assert n > 100
    path = str(tmp_path / "q.db")
    assert _check(path, "SELECT k FROM w INDEXED BY wx WHERE x >= 0 ORDER BY x") == \
        [(r[0],) for r in rows]


def test_appends_with_overflow_cells(tmp_path: Path) -> None:
    rng = random.Random(9)
    rows = [(i, rng.randbytes(rng.choice((10, 300, 700, 2000)))) for i in range(1, 600)]
    keys = [(f"{i:05d}" + "z" * rng.choice((5, 400, 900)),) for i in range(600)]
    script = [("CREATE TABLE t(a INTEGER PRIMARY KEY, b BLOB)", []),
              ("INSERT INTO t VALUES (?, ?)", rows),
              ("CREATE TABLE u(k TEXT PRIMARY KEY) WITHOUT ROWID", []),
              ("INSERT INTO u VALUES (?)", keys)]
    n = _run(tmp_path, 512, script, "SELECT a, b, (SELECT count(*) FROM u) FROM t")
    assert n > 50
    path = str(tmp_path / "q.db")
    assert _check(path, "SELECT k FROM u") == sorted(keys)


def test_interleaved_inserts_and_later_deletes(tmp_path: Path) -> None:
    """Appends mixed with inserts into the middle (general splits) and
    deletes afterwards (leaf merges) keep the tree valid."""
    rng = random.Random(3)
    script: list[tuple[str, list]] = [("CREATE TABLE t(a INTEGER PRIMARY KEY, b)", []),
                                      ("CREATE INDEX tb ON t(b)", [])]
    rows = []
    for i in range(1, 2000):
        rowid = i * 10 if rng.random() < 0.8 else rng.randrange(1, i * 10)
        rows.append((rowid, rng.randrange(1000)))
    script.append(("INSERT OR REPLACE INTO t VALUES (?, ?)", rows))
    script.append(("DELETE FROM t WHERE a % 3 = 0", []))
    _run(tmp_path, 1024, script, "SELECT a, b FROM t INDEXED BY tb WHERE b >= 0 ORDER BY b, a")


def _raw_tree(tmp_path: Path) -> tuple[Pager, BTree, int]:
    p = Pager.open(None, str(tmp_path / "raw.db"))
    bt = BTree(p)
    p.begin_write()
    root = bt.create_table(INTKEY)
    bt.cursor(1, write=True).insert(
        1, encode_record(["table", "t", "t", root, "CREATE TABLE t(a)"]))
    return p, bt, root


def _finish(p: Pager) -> None:
    p.set_meta(1, 1)
    p.commit()
    p.close()


def test_quick_leaf_holds_only_the_new_cell_and_cursor_stays_on_it(tmp_path: Path) -> None:
    p, bt, root = _raw_tree(tmp_path)
    c = bt.cursor(root, write=True)
    rowid = 0
    while bt.quick_balances == 0:
        rowid += 1
        c.insert(rowid, encode_record(["x" * 50]))
    # The cursor is on the new entry, alone on its leaf.
    assert c.rowid() == rowid
    page, info, idx = c.stack[-1]
    assert (info.ncell, idx) == (1, 0)
    parent, pinfo, pidx = c.stack[-2]
    assert pidx == pinfo.ncell and pinfo.right == page.pgno
    # The divider is the old leaf's largest rowid: the entry just before.
    from pyrite.storage.btree import _table_keys
    assert _table_keys(parent, pinfo)[-1] == rowid - 1
    old_no = int.from_bytes(parent.data[pinfo.ptrs[-1]:pinfo.ptrs[-1] + 4], "big")
    old = p.get_page_sync(old_no)
    assert _table_keys(old, page_info(old))[-1] == rowid - 1
    assert c.next() is False
    _finish(p)
    assert _check(str(tmp_path / "raw.db"), "SELECT count(*) FROM t") == [(rowid,)]


def test_non_append_insert_takes_the_general_path(tmp_path: Path) -> None:
    p, bt, root = _raw_tree(tmp_path)
    c = bt.cursor(root, write=True)
    for rowid in range(2, 2001, 2):
        c.insert(rowid, encode_record(["y" * 40]))
    quick = bt.quick_balances
    assert quick > 0
    # Odd rowids land inside leaves: splits there are general ones.
    for rowid in range(1, 2001, 2):
        c.insert(rowid, encode_record(["y" * 40]))
    assert bt.quick_balances == quick
    _finish(p)
    assert _check(str(tmp_path / "raw.db"), "SELECT rowid FROM t") == [
        (i,) for i in range(1, 2001)]


def test_full_parent_falls_back_to_the_general_split(tmp_path: Path) -> None:
    """Once the parent has no room for the divider the append splits the
    general way, which splits the parent too: the tree grows a level."""
    p, bt, root = _raw_tree(tmp_path)
    c = bt.cursor(root, write=True)
    rowid = 0
    while True:
        rowid += 1
        c.insert(rowid, encode_record([rowid * 1000003, "z" * 200]))
        before = bt.quick_balances
        c.table_move_to(rowid)
        if len(c.stack) >= 3:
            break
    assert before > 10
    # After the fallback the quick path serves appends again.
    for rowid in range(rowid + 1, rowid + 200):
        c.insert(rowid, encode_record([rowid * 1000003, "z" * 200]))
    assert bt.quick_balances > before
    _finish(p)
    assert _check(str(tmp_path / "raw.db"), "SELECT count(*), sum(a) FROM t") == [
        (rowid, sum(i * 1000003 for i in range(1, rowid + 1)))]
