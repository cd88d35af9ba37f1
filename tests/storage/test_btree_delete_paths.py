"""The per-row delete paths of btree.py: a leaf cell dropped in place in
one pass (delete's usual case) or through the general path (overflowing
cells, underfull leaves merged with a sibling, emptied leaves), merged
leaves that keep their parsed caches, the freeblock size list
(info.free_sizes) that the in-place inserts search, and the files written
staying valid for stdlib sqlite3."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from btree_pages import tree_pages, write_pager

import pyrite
from pyrite.storage import btree as btree_mod
from pyrite.storage.btree import INDEX, INTKEY, BTree, PageInfo, _table_keys, page_info
from pyrite.storage.pager import Pager
from pyrite.storage.record import decode_record, encode_record
from pyrite.values import KeyInfo


def _pager(tmp_path: Path, page_size: int = 1024) -> Pager:
    return write_pager(tmp_path, page_size, "d")


def _freeblocks(page, hdr: int) -> list[tuple[int, int]]:
    """The page's freeblocks as (offset, size), read from its bytes."""
    data = page.data
    out = []
    fb = int.from_bytes(data[hdr + 1:hdr + 3], "big")
    while fb:
        out.append((fb, int.from_bytes(data[fb + 2:fb + 4], "big")))
        fb = int.from_bytes(data[fb:fb + 2], "big")
    return out


def _check_caches(bt: BTree, root: int, key_fn=None) -> int:
    """Every page's parsed caches (rowids, decoded records, sort keys,
    freeblock offsets and sizes, free byte count) equal those read afresh
    from its bytes; answers how many cached values were compared."""
    checked = 0
    for page in tree_pages(bt, root):
        info = page_info(page)
        fresh = PageInfo(page)
        assert info.ptrs == list(fresh.ptrs) and info.ncell == fresh.ncell
        if info.keys is not None:
            assert info.keys == _table_keys(page, fresh)
            checked += len(info.keys)
        if info.records is not None:
            assert len(info.records) == info.ncell
            for i, rec in enumerate(info.records):
                if rec is not None:
                    assert rec == decode_record(bt.read_payload(page, info, i))
                    checked += 1
        if info.sort_keys is not None:
            assert key_fn is not None
            assert info.sort_keys == [key_fn(r) for r in info.records]
            checked += len(info.sort_keys)
        if info.free is not None:
            blocks = _freeblocks(page, info.hdr)
            assert info.free == [b for b, _ in blocks]
            assert info.free_sizes == [s for _, s in blocks]
            content = int.from_bytes(page.data[info.hdr + 5:info.hdr + 7], "big") or 65536
            assert bt._free_list(page.data, fresh, content) == info.free
            assert info.nfree == fresh.nfree
            checked += 1
    return checked


def test_deletes_and_merges_keep_every_cache_exact(tmp_path: Path) -> None:
    """Random deletes from a table and from an index with a DESC field
    (small pages: leaves go underfull and merge, some empty out), with
    seeks between them so that the pages' caches are filled: the caches
    always equal the pages' bytes, merged leaves start with the caches of
    the leaves they were made from, and every remaining key is found."""
    p = _pager(tmp_path)
    bt = BTree(p)
    rng = random.Random(11)
    troot = bt.create_table(INTKEY)
    iroot = bt.create_table(INDEX)
    ki = KeyInfo([None, None], [True, False])
    tc = bt.cursor(troot, write=True)
    ic = bt.cursor(iroot, write=True, key_info=ki)
    rows = {k: "v%d" % k * (1 + k % 4) for k in rng.sample(range(1, 100000), 1500)}
    for k, text in rows.items():
        tc.insert(k, encode_record([k, text]))
        ic.insert(None, encode_record([text, k]), [text, k])
    merged_with_caches = []
    real_merge = tc._merge_leaf.__func__

    def spy(self, path):
        real_merge(self, path)
        merged_with_caches.append(any(page_info(pg).records is not None
                                      for pg in tree_pages(self.btree, self.root)
                                      if page_info(pg).leaf))
    btree_mod.BTreeCursor._merge_leaf = spy
    try:
        live = list(rows)
        rng.shuffle(live)
        while len(live) > 150:
            for k in live[:20]:      # fill the caches where the deletes go
                assert tc.table_move_to(k) == 0 and tc.record() == [k, rows[k]]
                assert ic.index_move_to([rows[k], k], 0) == 0
            for k in live[:120]:
                assert tc.table_move_to(k) == 0
                tc.delete()
                assert ic.index_move_to([rows[k], k], 0) == 0
                ic.delete()
            del live[:120]
            assert _check_caches(bt, troot) > 0
            _check_caches(bt, iroot, ic.key_fn)
            for k in live[::7]:
                assert tc.table_move_to(k) == 0 and tc.record() == [k, rows[k]]
                assert ic.index_move_to([rows[k], k], 0) == 0
    finally:
        btree_mod.BTreeCursor._merge_leaf = real_merge
    assert len(merged_with_caches) > 10 and any(merged_with_caches)
    tc.first()
    seen = []
    while True:
        seen.append(tc.rowid())
        if not tc.next():
            break
    assert seen == sorted(live)


def test_delete_leaves_the_cursor_on_the_next_entry(tmp_path: Path) -> None:
    """After the one-pass delete (a hint left) and after one that merged
    leaves (a seek of the saved key), next() lands on the entry after the
    deleted one and prev() on the one before it."""
    p = _pager(tmp_path)
    bt = BTree(p)
    root = bt.create_table(INDEX)
    c = bt.cursor(root, write=True, key_info=KeyInfo([None, None]))
    keys = [["k%04d" % i, i] for i in range(600)]
    for k in keys:
        c.insert(None, encode_record(k), k)
    live = list(keys)
    rng = random.Random(5)
    while len(live) > 3:
        i = rng.randrange(1, len(live) - 1)
        assert c.index_move_to(live[i], 0) == 0
        c.delete()
        assert c.next() and c.record() == live[i + 1]
        assert c.index_move_to(live[i + 1], 0) == 0
        assert c.prev() and c.record() == live[i - 1]
        del live[i]


def test_free_slot_prefers_an_exact_fit_then_the_largest_block(tmp_path: Path) -> None:
    """An in-place insert takes a freeblock of exactly its size (the cell a
    delete just freed), else carves the largest block when 4 bytes or more
    remain, else takes a block 1-3 bytes larger whole (the rest counted as
    fragments), else the gap; the size list follows the page's bytes."""
    p = _pager(tmp_path, 4096)
    bt = BTree(p)
    root = bt.create_table(INTKEY)
    c = bt.cursor(root, write=True)
    # Rows 1..60 of growing sizes; deleting every third one leaves
    # freeblocks of known sizes, apart from each other.
    for k in range(1, 61):
        c.insert(k, encode_record([None, "x" * (k + 8)]))
    for k in range(3, 58, 3):
        assert c.table_move_to(k) == 0
        c.delete()
    page = p.get_page_sync(root)
    hdr = page_info(page).hdr

    def cell_text(size: int) -> str:
        """A text whose row (rowid below 128) makes a cell of ``size`` bytes."""
        for n in range(300):
            if 2 + len(encode_record([None, "x" * n])) == size:
                return "x" * n
        raise AssertionError(size)

    def insert(rowid: int, size: int) -> tuple[list[int], list[int]]:
        before = sorted(s for _, s in _freeblocks(page, hdr))
        c.insert(rowid, encode_record([None, cell_text(size)]))
        after = sorted(s for _, s in _freeblocks(page, hdr))
        cur = page_info(page)
        fresh = PageInfo(page)
        content = int.from_bytes(page.data[hdr + 5:hdr + 7], "big")
        bt._free_list(page.data, fresh, content)
        assert cur.free == fresh.free and cur.free_sizes == fresh.free_sizes
        assert cur.nfree == fresh.nfree
        return before, after

    sizes = sorted(s for _, s in _freeblocks(page, hdr))
    assert len(sizes) == 19 and len(set(sizes)) == 19
    # exactly a block's size (not the largest): that block goes whole
    before, after = insert(100, sizes[5])
    assert after == before[:5] + before[6:]
    # no block of its size: the largest is carved
    odd = next(n for n in range(10, 40) if n not in sizes)
    before, after = insert(101, odd)
    assert after == sorted(before[:-1] + [before[-1] - odd])
    # larger than every block: the gap, the blocks unchanged
    before, after = insert(102, before[-1] + 200)
    assert after == before
    # 2 bytes short of the largest block, none of its own size and the
    # largest under 4 bytes over it: that block whole, 2 fragment bytes
    largest = after[-1]
    assert largest - 2 not in after and largest - 2 + 4 > largest
    frag = page.data[hdr + 7]
    before, after = insert(103, largest - 2)
    assert after == before[:-1] and page.data[hdr + 7] == frag + 2
    for k in (100, 101, 102, 103, 1, 2, 4, 60):
        assert c.table_move_to(k) == 0 and c.rowid() == k


def test_sql_deletes_updates_and_replaces_match_sqlite3(tmp_path: Path, monkeypatch) -> None:
    """Deletes by key and by range, growing and shrinking UPDATEs (rows
    moved within their leaf, or through a drop and an insert when it is
    full) and REPLACEs on a table with a UNIQUE column, a DESC index and
    rows that sometimes overflow (the general delete path), against stdlib
    sqlite3; the file passes its integrity_check."""
    freed = []
    real_free = BTree._free_overflow
    monkeypatch.setattr(BTree, "_free_overflow",
                        lambda self, pgno: (freed.append(pgno), real_free(self, pgno))[1])
    resized = []
    real_resize = BTree._resize_cell_inplace
    monkeypatch.setattr(BTree, "_resize_cell_inplace",
                        lambda self, *a: resized.append(real_resize(self, *a)) or resized[-1])
    path = str(tmp_path / "s.db")
    rng = random.Random(23)
    con = pyrite.connect(path, isolation_level=None)
    ref = sqlite3.connect(":memory:", isolation_level=None)
    for c in (con, ref):
        c.execute("PRAGMA page_size=1024")
        c.execute("CREATE TABLE t(a INTEGER UNIQUE, b INTEGER, c TEXT)")
        c.execute("CREATE INDEX tb ON t(b)")
        c.execute("CREATE INDEX tc ON t(c DESC, b)")
    for step in range(5):
        ops = []
        for _ in range(300):
            k = rng.randrange(1, 800)
            r = rng.random()
            text = "w%d" % k * rng.choice((1, 2, 5, 100 if r < 0.05 else 3))
            if r < 0.4:
                ops.append(("REPLACE INTO t(a, b, c) VALUES(?, ?, ?)", (k, rng.randrange(400), text)))
            elif r < 0.6:
                ops.append(("DELETE FROM t WHERE a=?", (k,)))
            elif r < 0.7:
                ops.append(("DELETE FROM t WHERE b BETWEEN ? AND ?", (k % 400, k % 400 + 3)))
            else:
                ops.append(("UPDATE t SET c=?, b=b+1 WHERE a BETWEEN ? AND ?", (text, k, k + 5)))
        for c in (con, ref):
            c.execute("BEGIN")
            for sql, args in ops:
                c.execute(sql, args)
            c.execute("COMMIT")
        for q in ("SELECT a, b, c FROM t ORDER BY a",
                  "SELECT c, b FROM t INDEXED BY tc WHERE c > '' ORDER BY c DESC, b",
                  "SELECT b, a FROM t INDEXED BY tb WHERE b >= 0 ORDER BY b, a"):
            assert con.execute(q).fetchall() == ref.execute(q).fetchall(), (step, q)
    con.close()
    assert freed          # overflowing cells took the general path
    assert True in resized and False in resized    # rows moved in place, or not
    chk = sqlite3.connect(path)
    try:
        assert chk.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert chk.execute("SELECT a, b, c FROM t ORDER BY a").fetchall() == \
            ref.execute("SELECT a, b, c FROM t ORDER BY a").fetchall()
    finally:
        chk.close()
