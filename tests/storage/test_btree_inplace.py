"""Single-cell inserts and deletes patch pages in place (btree.py): the
files stay valid for stdlib sqlite3, the free space stays exact (deleted
cells become freeblocks merged with their neighbours, or give their bytes
back to the gap), the parsed caches (rowids, decoded records) follow the
edits, and pages that sqlite3 left with freeblocks are edited correctly."""

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


def _layout(bt: BTree, page) -> tuple[list[tuple[int, int]], int]:
    """The page's freeblocks as (start, end), checked to be sorted, apart
    and to tile the content area together with the cells; and its gap."""
    data = page.data
    info = page_info(page)
    hdr = info.hdr
    blocks = []
    fb = int.from_bytes(data[hdr + 1:hdr + 3], "big")
    while fb:
        size = int.from_bytes(data[fb + 2:fb + 4], "big")
        blocks.append((fb, fb + size))
        fb = int.from_bytes(data[fb:fb + 2], "big")
    assert blocks == sorted(blocks)
    for (_, end), (start, _) in zip(blocks, blocks[1:]):
        assert end < start                     # merged when adjacent
    cells = [(ptr, bt._cell_end(data, info, ptr)) for ptr in info.ptrs]
    content = int.from_bytes(data[hdr + 5:hdr + 7], "big") or 65536
    assert all(start > content for start, _ in blocks)   # else in the gap
    pieces = sorted(cells + blocks)
    assert pieces[0][0] == content
    for (_, end), (start, _) in zip(pieces, pieces[1:]):
        assert end == start                    # no fragments, no overlap
    assert pieces[-1][1] == bt.pager.usable_size
    gap = content - (hdr + (8 if info.leaf else 12) + 2 * info.ncell)
    return blocks, gap


def test_inplace_edits_keep_free_space_exact_and_caches_follow(tmp_path: Path) -> None:
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
    for rowid in (1, 3, 4, 5, 9, 39):
        assert c.table_move_to(rowid) == 0
        assert c.record()[0] == rowid
    assert c.table_move_to(7) != 0
    blocks, _ = _layout(bt, page)
    assert len(blocks) == 1                   # where 7 was
    assert bt._used_bytes(page, page_info(page)) == sum(
        bt._cell_end(page.data, info, ptr) - ptr + 2 for ptr in info.ptrs)


def test_freed_cells_merge_with_neighbours_and_the_gap(tmp_path: Path) -> None:
    """Cells were written in rowid order, so rowid k+1 lies just below
    rowid k: deleting 10 then 12 (apart), 11 (joins both), 13 and 9 (grow
    the block at either end), then the last rowid written (at the content
    area's start, given back to the gap) and the one before it."""
    path = str(tmp_path / "m.db")
    p = Pager.open(None, path)
    p.begin_read()
    p.begin_write()
    bt = BTree(p)
    root = bt.create_table(INTKEY)
    c = bt.cursor(root, write=True)
    for i in range(1, 31):
        c.insert(i, encode_record([i, "w" * (i % 7)]))
    page = p.get_page(root)
    _, gap0 = _layout(bt, page)
    counts = []
    for rowid in (10, 12, 11, 13, 9):
        assert c.table_move_to(rowid) == 0
        c.delete()
        blocks, gap = _layout(bt, page)
        counts.append(len(blocks))
        assert gap == gap0 + 2 * len(counts)    # only the pointers leave the array
    assert counts == [1, 2, 1, 1, 1]
    assert c.table_move_to(30) == 0
    c.delete()
    blocks, gap = _layout(bt, page)
    assert len(blocks) == 1 and gap > gap0 + 12
    for rowid in (29, 28, 27):
        assert c.table_move_to(rowid) == 0
        c.delete()
    blocks, _ = _layout(bt, page)
    assert len(blocks) == 1
    # deleting down to the block: the gap swallows it
    for rowid in range(26, 13, -1):
        assert c.table_move_to(rowid) == 0
        c.delete()
    blocks, _ = _layout(bt, page)
    assert blocks == []
    for rowid in range(1, 9):
        assert c.table_move_to(rowid) == 0 and c.record()[0] == rowid
    assert c.table_move_to(14) != 0
    # an insert after the deletes still finds its place
    c.insert(50, encode_record([50, "z"]))
    _layout(bt, page)
    assert c.table_move_to(50) == 0 and c.record() == [50, "z"]


def test_freeblock_sequences_stay_valid_for_sqlite3(tmp_path: Path) -> None:
    """The same delete orders through SQL, on a table and its index, with
    inserts reusing the space in between; stdlib sqlite3 checks the file
    (its integrity_check verifies every page's freeblocks and fragments)."""
    path = str(tmp_path / "f.db")
    con = pyrite.connect(path, isolation_level=None)
    ref = sqlite3.connect(":memory:", isolation_level=None)
    for c in (con, ref):
        c.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)")
        c.execute("CREATE INDEX tb ON t(b)")
        c.executemany("INSERT INTO t VALUES(?, ?)", [(i, "w" * (i % 7) + str(i)) for i in range(1, 31)])
        c.execute("BEGIN")
        for rowid in (10, 12, 11, 13, 9, 30, 29, 28, 27, *range(26, 13, -1)):
            c.execute("DELETE FROM t WHERE a=?", (rowid,))
        c.executemany("INSERT INTO t VALUES(?, ?)", [(i, "n" * i) for i in (11, 27, 40)])
        c.execute("COMMIT")
    q = "SELECT a, b FROM t ORDER BY a"
    want = ref.execute(q).fetchall()
    assert con.execute(q).fetchall() == want
    assert con.execute("SELECT b FROM t INDEXED BY tb WHERE b > '' ORDER BY b").fetchall() == \
        ref.execute("SELECT b FROM t WHERE b > '' ORDER BY b").fetchall()
    con.close()
    assert _check(path, q) == want


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


def test_deletes_next_to_sqlite3_fragments(tmp_path: Path) -> None:
    """sqlite3 leaves fragments (1-3 byte leftovers of a freeblock that a
    slightly smaller cell reused); pyrite's in-place deletes beside them
    take the fragment bytes into the freeblock, as SQLite does, and keep
    the header's fragment count right.  The two engines take turns."""
    path = str(tmp_path / "g.db")
    rng = random.Random(9)
    ref = sqlite3.connect(path, isolation_level=None)
    ref.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)")
    ref.execute("CREATE INDEX tb ON t(b)")
    ref.executemany("INSERT INTO t VALUES(?, ?)",
                    [(i, "k" * (8 + i % 9) + str(i)) for i in range(1, 600)])
    ref.close()
    want = None
    for turn in range(4):
        ref = sqlite3.connect(path, isolation_level=None)
        ref.execute("BEGIN")
        for _ in range(150):      # a row a few bytes shorter takes the place of one deleted
            a = rng.randrange(1, 600)
            row = ref.execute("SELECT b FROM t WHERE a=?", (a,)).fetchone()
            if row is not None:
                ref.execute("DELETE FROM t WHERE a=?", (a,))
                ref.execute("INSERT INTO t VALUES(?, ?)", (a, row[0][:-rng.randrange(1, 4)] or "x"))
        ref.execute("COMMIT")
        assert ref.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        want = ref.execute("SELECT a, b FROM t ORDER BY a").fetchall()
        ref.close()
        con = pyrite.connect(path, isolation_level=None)
        con.execute("BEGIN")
        gone = {rng.randrange(1, 600) for _ in range(60)}
        for a in gone:
            con.execute("DELETE FROM t WHERE a=?", (a,))
        con.execute("COMMIT")
        want = [r for r in want if r[0] not in gone]
        assert con.execute("SELECT a, b FROM t ORDER BY a").fetchall() == want, turn
        con.close()
        assert _check(path, "SELECT a, b FROM t ORDER BY a") == want, turn
