"""The per-row write paths of btree.py: cell extraction for rewrites
(_page_cells' inline sizes against _cell_end's general ones), splits that
add their dividers to the parent in place (the parent's parsed caches
follow), the partition of a split page's cells, and the files written
staying valid for stdlib sqlite3."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest
from btree_pages import tree_pages, write_pager

import pyrite
from pyrite.storage.btree import (
    INDEX,
    INTKEY,
    PTYPE_INDEX_LEAF,
    PTYPE_TABLE_INTERIOR,
    PTYPE_TABLE_LEAF,
    BTree,
    PageInfo,
    page_info,
    sort_key,
)
from pyrite.storage.pager import Pager
from pyrite.storage.record import decode_record, encode_record
from pyrite.values import KeyInfo


def _pager(tmp_path: Path, page_size: int = 4096) -> Pager:
    return write_pager(tmp_path, page_size, "w")


@pytest.mark.parametrize("page_size", [512, 1024, 4096, 65536])
def test_page_cells_match_the_general_cell_sizes(tmp_path: Path, page_size: int) -> None:
    """Leaf cells of tables (small, multi-byte and negative rowids) and of
    indexes, index interior cells, payloads around the one-byte size and
    the local limit, overflowing ones: _page_cells gives each cell's exact
    bytes (those _cell_bytes finds through _cell_end)."""
    p = _pager(tmp_path, page_size)
    bt = BTree(p)
    rng = random.Random(page_size)
    troot = bt.create_table(INTKEY)
    iroot = bt.create_table(INDEX)
    tc = bt.cursor(troot, write=True)
    ic = bt.cursor(iroot, write=True, key_info=KeyInfo([None, None]))
    sizes = [0, 1, 5, 100, 126, 127, 128, 200, page_size // 5, page_size // 3, page_size * 2]
    rowids = [1, 2, 127, 128, 300, 1 << 20, 1 << 40, (1 << 63) - 1, -1, -(1 << 63)]
    rowids += rng.sample(range(1000, 1 << 30), 300)
    for i, rowid in enumerate(rowids):
        text = "t" * rng.choice(sizes)
        tc.insert(rowid, encode_record([rowid, text]))
        ic.insert(None, encode_record([text, rowid]))
    kinds = set()
    for root in (troot, iroot):
        for page in tree_pages(bt, root):
            info = page_info(page)
            kinds.add(info.ptype)
            _, cells = bt._page_cells(page)
            assert cells == [bt._cell_bytes(page, info, i) for i in range(info.ncell)]
    assert {PTYPE_TABLE_LEAF, PTYPE_INDEX_LEAF, PTYPE_TABLE_INTERIOR} <= kinds


def test_splits_keep_the_parents_caches_exact(tmp_path: Path) -> None:
    """Random inserts split leaves many times; the dividers go into the
    parents in place.  Every interior page's cached rowids, decoded records
    and sort keys equal those read afresh from its bytes, and seeks find
    every key."""
    p = _pager(tmp_path, 1024)
    bt = BTree(p)
    rng = random.Random(7)
    troot = bt.create_table(INTKEY)
    iroot = bt.create_table(INDEX)
    tc = bt.cursor(troot, write=True)
    ic = bt.cursor(iroot, write=True, key_info=KeyInfo([None, None]))
    keys = rng.sample(range(1, 1 << 24), 3000)
    for k in keys:
        tc.insert(k, encode_record([k, "row %d" % k]))
        ic.insert(None, encode_record(["k%d" % (k % 5000), k]), ["k%d" % (k % 5000), k])
    checked = 0
    for root in (troot, iroot):
        for page in tree_pages(bt, root):
            info = page_info(page)
            fresh = PageInfo(page)
            assert info.ptrs == list(fresh.ptrs) and info.ncell == fresh.ncell
            if info.leaf:
                continue
            if info.keys is not None:
                from pyrite.storage.btree import _table_keys
                assert info.keys == _table_keys(page, fresh)
                checked += 1
            if info.records is not None:
                for i, rec in enumerate(info.records):
                    if rec is not None:
                        assert rec == decode_record(bt.read_payload(page, info, i))
                        checked += 1
            if info.sort_keys is not None:
                assert info.sort_keys == [sort_key(r) for r in info.records]
    assert checked > 10
    for k in keys:
        assert tc.table_move_to(k) == 0
        assert ic.index_move_to(["k%d" % (k % 5000), k], 0) == 0


def test_table_leaf_split_makes_two_pages() -> None:
    """A full table leaf plus one cell splits into two halves, not two
    halves and a sliver (each group's target follows what is left)."""
    bt = BTree.ephemeral()
    rng = random.Random(3)
    for _ in range(200):
        cells = []
        total = 0
        while True:
            body = bytes(rng.randrange(20, 400))
            cell = bytes([len(body) & 0x7F | 0x80, len(body) >> 7]) + bytes([len(cells) + 1]) + body
            if total + len(cell) + 2 > bt._capacity(2, True) + 300:
                break
            cells.append(cell)
            total += len(cell) + 2
        if total <= bt._capacity(2, True):
            continue
        groups, dividers, _ = bt._partition(2, PTYPE_TABLE_LEAF, cells, 0)
        assert len(groups) == 2
        assert [c for g in groups for c in g] == cells
        assert all(sum(len(c) + 2 for c in g) <= bt._capacity(2, True) for g in groups)
        assert dividers == [len(groups[0])]


def test_random_writes_through_sql_match_sqlite3(tmp_path: Path) -> None:
    """Inserts, REPLACEs and deletes in random order on a table with three
    indexes (one DESC, one on text): same rows and index order as sqlite3,
    and the file passes its integrity_check."""
    path = str(tmp_path / "r.db")
    rng = random.Random(11)
    con = pyrite.connect(path, isolation_level=None)
    ref = sqlite3.connect(":memory:", isolation_level=None)
    for c in (con, ref):
        c.execute("CREATE TABLE t(a INTEGER UNIQUE, b INTEGER, c TEXT)")
        c.execute("CREATE UNIQUE INDEX tb ON t(b)")
        c.execute("CREATE INDEX tc ON t(c DESC)")
    ops = []
    for _ in range(2500):
        a, b = rng.randrange(1500), rng.randrange(1500)
        r = rng.random()
        if r < 0.6:
            ops.append(("REPLACE INTO t VALUES(?,?,?)", (a, b, "v%x" % (a * 7919 % 100003))))
        elif r < 0.8:
            ops.append(("DELETE FROM t WHERE a=?", (a,)))
        else:
            ops.append(("INSERT OR IGNORE INTO t VALUES(?,?,?)", (a, b, "w" * (a % 90))))
    for c in (con, ref):
        c.execute("BEGIN")
        for sql, args in ops:
            c.execute(sql, args)
        c.execute("COMMIT")
    for q in ("SELECT rowid, a, b, c FROM t ORDER BY rowid",
              "SELECT b, rowid FROM t INDEXED BY tb WHERE b >= 0 ORDER BY b",
              "SELECT c, rowid FROM t INDEXED BY tc WHERE c > '' ORDER BY c DESC, rowid"):
        assert con.execute(q).fetchall() == ref.execute(q).fetchall(), q
    con.close()
    chk = sqlite3.connect(path)
    assert chk.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    chk.close()


def test_interior_index_deletes_patch_pages_in_place(tmp_path: Path, monkeypatch) -> None:
    """Deleting index entries that sit in interior pages moves each one's
    predecessor up in place (both pages patched, caches kept), or, when
    the predecessor overflows or the interior page lacks room, rewrites
    them as before.  Rows, index order and sqlite3's integrity_check agree
    with sqlite3 throughout."""
    from pyrite.storage.btree import BTreeCursor
    taken = {"inplace": 0, "fallback": 0}
    real = BTreeCursor._replace_by_predecessor

    def spy(self, *args):
        got = real(self, *args)
        taken["inplace" if got is not None else "fallback"] += 1
        if got is not None:
            # The interior page's caches match its bytes.
            page, info = args[1], args[2]
            for i, rec in enumerate(info.records or []):
                if rec is not None:
                    assert rec == decode_record(self.btree.read_payload(page, info, i))
            if info.sort_keys is not None:
                assert info.sort_keys == [sort_key(r) for r in info.records]
        return got

    monkeypatch.setattr(BTreeCursor, "_replace_by_predecessor", spy)
    path = str(tmp_path / "d.db")
    rng = random.Random(5)
    con = pyrite.connect(path, isolation_level=None)
    ref = sqlite3.connect(":memory:", isolation_level=None)
    rows = [(i, "%s-%d" % ("x" * rng.choice([3, 10, 30, 60, 400]), rng.randrange(10**6)))
            for i in range(1, 1500)]
    for c in (con, ref):
        c.execute("PRAGMA page_size=1024")
        c.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)")
        c.execute("CREATE INDEX tb ON t(b)")
        c.execute("BEGIN")
        c.executemany("INSERT INTO t VALUES(?,?)", rows)
        c.execute("COMMIT")
    order = [a for a, _ in rows]
    rng.shuffle(order)
    for turn in range(3):
        for c in (con, ref):
            c.execute("BEGIN")
            for a in order[turn * 400:(turn + 1) * 400]:
                c.execute("DELETE FROM t WHERE a=?", (a,))
            c.execute("COMMIT")
        q = "SELECT b, a FROM t INDEXED BY tb WHERE b > '' ORDER BY b"
        assert con.execute(q).fetchall() == ref.execute(q).fetchall(), turn
    con.close()
    assert taken["inplace"] > 10 and taken["fallback"] > 0, taken
    chk = sqlite3.connect(path)
    assert chk.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert chk.execute("SELECT a, b FROM t ORDER BY a").fetchall() == \
        ref.execute("SELECT a, b FROM t ORDER BY a").fetchall()
    chk.close()


@pytest.mark.parametrize("pattern", ["ascending", "descending", "random", "stripes"])
def test_deletes_keep_every_leaf_at_one_depth(tmp_path: Path, pattern: str) -> None:
    """Deletes that empty or merge leaves leave interior pages without
    cells, which are mended with a sibling (merged, or lent a cell) rather
    than replaced by their child: sqlite3's integrity_check finds every
    leaf at one depth (no "Child page depth differs") after each batch."""
    path = str(tmp_path / f"{pattern}.db")
    rng = random.Random(pattern)
    con = pyrite.connect(path, isolation_level=None)
    con.execute("PRAGMA page_size=512")
    con.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)")
    con.execute("CREATE INDEX tb ON t(b)")
    rows = [(i, "%s%06d" % ("k" * rng.choice([1, 20, 60]), rng.randrange(10**6)))
            for i in range(1, 3001)]
    con.execute("BEGIN")
    con.executemany("INSERT INTO t VALUES(?,?)", rows)
    con.execute("COMMIT")
    keys = [a for a, _ in rows]
    if pattern == "descending":
        keys.reverse()
    elif pattern == "random":
        rng.shuffle(keys)
    elif pattern == "stripes":
        keys = [k for k in keys if k % 7] + [k for k in keys if not k % 7]
    left = dict(rows)
    for start in range(0, len(keys) - 100, 700):
        con.execute("BEGIN")
        for a in keys[start:start + 700]:
            con.execute("DELETE FROM t WHERE a=?", (a,))
            left.pop(a, None)
        con.execute("COMMIT")
        chk = sqlite3.connect(path)
        try:
            assert chk.execute("PRAGMA integrity_check").fetchall() == [("ok",)], start
            assert chk.execute("SELECT a, b FROM t ORDER BY a").fetchall() == sorted(left.items())
        finally:
            chk.close()
    con.close()


def _depths_and_keys(bt: BTree, root: int) -> tuple[set[int], list[int]]:
    """The depth of every leaf under ``root`` and the rowids in key order;
    asserts no page below the root is an interior page without cells."""
    depths: set[int] = set()
    keys: list[int] = []

    def walk(pgno: int, depth: int) -> None:
        page = bt.pager.get_page_sync(pgno)
        info = page_info(page)
        if info.leaf:
            depths.add(depth)
            keys.extend(bt.cursor(root)._leaf_record(page, info, i)[0] for i in range(info.ncell))
            return
        assert info.ncell or pgno == root
        for p in info.ptrs:
            walk(int.from_bytes(page.data[p:p + 4], "big"), depth + 1)
        walk(info.right, depth + 1)

    walk(root, 0)
    return depths, keys


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("full", [False, True])
def test_cellless_interior_page_merges_or_borrows(tmp_path: Path, side: str, full: bool) -> None:
    """An interior page P left with its right child only, next to a sibling
    S under root G: P and S merge into S (the divider coming down) when
    they fit, else S lends P one cell (its end cell going up to G): every
    leaf stays at one depth and every key in order."""
    p = _pager(tmp_path, 512)
    bt = BTree(p)
    root = bt.create_table(INTKEY)
    leaf_rowids: list[int] = []

    def leaf(rowid: int) -> int:
        page = p.allocate_page()
        bt._write_page(page, PTYPE_TABLE_LEAF,
                       [bt._make_cell(PTYPE_TABLE_LEAF, rowid, encode_record([rowid]))], 0)
        leaf_rowids.append(rowid)
        return page.pgno

    def interior(cells: list[tuple[int, int]], right: int) -> int:
        page = p.allocate_page()
        bt._write_page(page, PTYPE_TABLE_INTERIOR,
                       [bt._make_cell(PTYPE_TABLE_INTERIOR, k, b"", c) for c, k in cells], right)
        return page.pgno

    # 62 cells of 6 bytes (2-byte rowids) and their pointers fill a
    # 512-byte interior page: P's one cell then does not fit beside them.
    n_s = 62 if full else 10
    s_cells = [(leaf(1000 + i), 1000 + i) for i in range(n_s)]
    sno = interior(s_cells, leaf(1000 + n_s))
    if side == "right":
        pno = interior([], leaf(500))
        extra = interior([(leaf(3000), 3000)], leaf(3001))
        g_cells, g_right = [(pno, 500), (sno, 1000 + n_s)], extra
    else:
        extra = interior([(leaf(200), 200)], leaf(201))
        pno = interior([], leaf(3000))
        g_cells, g_right = [(extra, 201), (sno, 1000 + n_s)], pno
    gpage = p.get_page_sync(root)
    bt._write_page(gpage, PTYPE_TABLE_INTERIOR,
                   [bt._make_cell(PTYPE_TABLE_INTERIOR, k, b"", ch) for ch, k in g_cells], g_right)
    ginfo = page_info(gpage)
    gi = 0 if side == "right" else ginfo.ncell
    ppage = p.get_page_sync(pno)
    cur = bt.cursor(root, write=True)
    pages_before = p.page_count
    cur._fill_cellless([[gpage, ginfo, gi], [ppage, page_info(ppage), 0]])
    depths, keys = _depths_and_keys(bt, root)
    assert depths == {2}
    assert keys == sorted(leaf_rowids)
    assert p.page_count == pages_before
    gpage = p.get_page_sync(root)
    assert page_info(gpage).ncell == (2 if full else 1)


def test_last_moves_within_the_rightmost_leaf_or_descends() -> None:
    """last() from a cursor on the right-most leaf (where appends leave
    it) stays on that leaf; from anywhere else, or after another cursor's
    write saved it, it descends from the root: the answer is the same."""
    bt = BTree.ephemeral()
    root = bt.create_table(INTKEY)
    c = bt.cursor(root, write=True)
    for i in range(1, 3001):
        c.insert(i, encode_record([i, "x" * (i % 40)]))
        if i % 500 == 0:
            assert c.last() is False and c.rowid() == i
    assert len(c.stack) > 1                       # (a tree of several levels)
    for probe in (1, 1500, 2999, 3000):
        assert c.table_move_to(probe) == 0
        assert c.last() is False and c.rowid() == 3000
        assert c.record()[0] == 3000
    other = bt.cursor(root, write=True)
    other.insert(3001, encode_record([3001, "y"]))   # saves c
    assert c.last() is False and c.rowid() == 3001
    assert not c.next()
    iroot = bt.create_table(INDEX)
    ic = bt.cursor(iroot, write=True, key_info=KeyInfo([None, None]))
    for i in range(2000):
        ic.insert(None, encode_record(["k%05d" % i, i]), ["k%05d" % i, i])
    ic.index_move_to(["k00007", 7], 0)
    assert ic.last() is False and ic.record() == ["k01999", 1999]
    assert ic.last() is False and ic.record() == ["k01999", 1999]


def test_make_record_applies_affinities_whatever_the_earlier_rows() -> None:
    """One INSERT statement's MakeRecord sees rows whose values need no
    affinity change (a shape it then remembers) and rows that need one
    (text to numbers, numbers to text): every row is converted as sqlite3
    converts it, in the table and in its index."""
    rows = [(1, "x", 1.5, 2, b"a", 3), ("2", 3, "4.5", "7", "e", "f"), (1, "x", 2, 3, None, None),
            (" 8 ", 9.0, "x", "1e3", 5, 6.5), (1, "x", 1.5, 2, b"a", 3),
            ("0x10", -1, 7, "3.0", 1.5, "")]
    out = []
    for mod in (pyrite, sqlite3):
        con = mod.connect(":memory:")
        con.execute("CREATE TABLE src(a, b, c, d, e, f)")
        con.execute("CREATE TABLE t(a INTEGER, b TEXT, c REAL, d NUMERIC, e BLOB, f)")
        con.execute("CREATE INDEX tab ON t(b, a, d)")
        con.executemany("INSERT INTO src VALUES(?,?,?,?,?,?)", rows)
        con.executemany("INSERT INTO t VALUES(?,?,?,?,?,?)", rows)
        con.execute("INSERT INTO t SELECT * FROM src")
        q1 = con.execute("SELECT rowid, a, typeof(a), b, typeof(b), c, typeof(c), d, typeof(d),"
                         " e, typeof(e), f, typeof(f) FROM t ORDER BY rowid").fetchall()
        q2 = con.execute("SELECT b, typeof(b), a, typeof(a), d FROM t INDEXED BY tab"
                         " WHERE b >= '' ORDER BY b, a, d, rowid").fetchall()
        out.append((q1, q2))
        con.close()
    assert out[0] == out[1]
