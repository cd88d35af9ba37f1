"""Single-cell inserts and deletes patch pages in place (btree.py): the
files stay valid for stdlib sqlite3, pages stay compact, the parsed caches
(rowids, decoded records) follow the edits, and pages that sqlite3 left
with freeblocks still take the rewriting path correctly."""

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


def test_random_index_and_table_edits_match_sqlite3(tmp_path: Path) -> None:
    path = str(tmp_path / "p.db")
    rng = random.Random(4)
    con = pyrite.connect(path, isolation_level=None)
    ref = sqlite3.connect(":memory:", isolation_level=None)
    for c in (con, ref):
        c.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b INTEGER, c TEXT)")
        c.execute("CREATE INDEX tb ON t(b, c)")
    for step in range(6):
        ops = []
        for _ in range(400):
            k = rng.randrange(1, 3000)
            r = rng.random()
            if r < 0.55:
                ops.append(("INSERT OR REPLACE INTO t VALUES(?,?,?)",
                            (k, rng.randrange(100), "x" * rng.randrange(0, 60))))
            elif r < 0.85:
                ops.append(("DELETE FROM t WHERE a=?", (k,)))
            else:
                ops.append(("UPDATE t SET b=b+1, c=c||'y' WHERE a BETWEEN ? AND ?", (k, k + 20)))
        for c in (con, ref):
            c.execute("BEGIN")
            for sql, args in ops:
                c.execute(sql, args)
            c.execute("COMMIT")
        q = "SELECT a, b, c FROM t ORDER BY b, c, a"
        assert con.execute(q).fetchall() == ref.execute(q).fetchall(), step
        qi = "SELECT b, c, a FROM t INDEXED BY tb WHERE b >= 0 ORDER BY b, c, a"
        assert con.execute(qi).fetchall() == ref.execute(qi).fetchall(), step
    con.close()
    assert _check(path, "SELECT a, b, c FROM t ORDER BY a") == \
        ref.execute("SELECT a, b, c FROM t ORDER BY a").fetchall()


def test_inplace_pages_stay_compact_and_caches_follow(tmp_path: Path) -> None:
    p = Pager.open(None, str(tmp_path / "c.db"))
    p.begin_read()
    p.begin_write()
    bt = BTree(p)
    root = bt.create_table(INTKEY)
    c = bt.cursor(root, write=True)
    for i in range(1, 40, 2):
        c.insert(i, encode_record([i, "v" * i]))
    c.table_move_to(1)
    assert c.record() == [1, "v"]          # fills the decoded-record cache
    page = p.get_page(root)
    info = page_info(page)
    assert info.records is not None and info.keys is not None
    c.insert(4, encode_record([4, "four"]))  # between cached entries
    c.table_move_to(7)
    c.delete()
    info = page_info(page)
    assert info.keys == sorted(i for i in [*range(1, 40, 2), 4] if i != 7)
    data = page.data
    assert data[1] == data[2] == 0            # no freeblock
    for rowid in (1, 3, 4, 5, 9, 39):
        assert c.table_move_to(rowid) == 0
        assert c.record()[0] == rowid
    assert c.table_move_to(7) != 0
    # the content area starts right after the cells: used bytes add up
    used = sum(bt._cell_end(data, info, ptr) - ptr for ptr in info.ptrs)
    content = int.from_bytes(data[5:7], "big")
    assert p.usable_size - content == used


def test_pages_with_freeblocks_from_sqlite3(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    ref = sqlite3.connect(path, isolation_level=None)
    ref.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)")
    ref.execute("CREATE INDEX tb ON t(b)")
    ref.executemany("INSERT INTO t VALUES(?, ?)", [(i, f"{i:05d}" * 3) for i in range(1, 800)])
    ref.execute("DELETE FROM t WHERE a % 3 = 0")    # leaves freeblocks behind
    ref.close()
    con = pyrite.connect(path, isolation_level=None)
    con.execute("BEGIN")
    con.execute("DELETE FROM t WHERE a % 5 = 0")
    con.executemany("INSERT INTO t VALUES(?, ?)", [(i, "n" * (i % 40)) for i in range(3, 800, 6)])
    con.execute("COMMIT")
    got = con.execute("SELECT a, b FROM t ORDER BY a").fetchall()
    con.close()
    assert _check(path, "SELECT a, b FROM t ORDER BY a") == got
    want = {i: f"{i:05d}" * 3 for i in range(1, 800) if i % 3 and i % 5}
    want.update({i: "n" * (i % 40) for i in range(3, 800, 6)})
    assert got == sorted(want.items())


def test_overflowing_records_are_not_kept_decoded(tmp_path: Path) -> None:
    p = Pager.open(None, str(tmp_path / "o.db"))
    p.begin_read()
    p.begin_write()
    bt = BTree(p)
    root = bt.create_table(INTKEY)
    c = bt.cursor(root, write=True)
    c.insert(1, encode_record([1, "small"]))
    c.insert(2, encode_record([2, "x" * 20000]))   # spills to overflow pages
    assert c.table_move_to(1) == 0 and c.record() == [1, "small"]
    assert c.table_move_to(2) == 0 and c.record() == [2, "x" * 20000]
    info = page_info(p.get_page(root))
    assert info.records is not None
    assert info.records[0] == [1, "small"] and info.records[1] is None
    # the decoded-page cache keeps a bounded number of pages
    assert len(bt.decoded) <= BTree.DECODED_PAGES
