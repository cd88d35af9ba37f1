"""BTree.copy_cells (VACUUM's copy): the entries of a tree, walked page by
page in key order, become leaf cells that bulk_load_cells packs into a
fresh tree of another file.  Cells are copied as bytes where the two files
frame payloads alike, rebuilt otherwise (overflow chains, another page
size, renumbered rowids); the copy holds the same entries and sqlite3 finds
it valid."""

from __future__ import annotations

import sqlite3

import pytest

from pyrite import errors
from pyrite.storage.btree import INDEX, INTKEY, BTree
from pyrite.storage.pager import Pager
from pyrite.storage.record import decode_record, encode_record
from pyrite.values import KeyInfo


def _scan(cursor, intkey: bool) -> list:
    out = []
    empty = cursor.first()
    while not empty and not cursor.eof:
        out.append((cursor.rowid(), cursor.payload()) if intkey else list(cursor.record()))
        if not cursor.next():
            break
    return out


def _rows() -> list[tuple[int, bytes]]:
    """Rowids of every varint length, negative ones, one-field records
    (cells of SQLite's 4-byte minimum) and payloads that overflow."""
    rowids = sorted({-(1 << 63), -5, -1, 0, 1, 2, 127, 128, 300, 1 << 20, 1 << 40, (1 << 63) - 1}
                    | set(range(1000, 4000, 3)))
    rows = []
    for i, r in enumerate(rowids):
        if i % 50 == 0:
            rec = encode_record([None])
        elif i % 17 == 0:
            rec = encode_record([r, "x" * (3000 + i * 40)])
        else:
            rec = encode_record([r, "v%d" % i * (i % 30)])
        rows.append((r, rec))
    return rows


def _source(path: str) -> tuple[Pager, BTree, int, int, list, list]:
    """A table t(a, b) and its index on b filled by ordinary inserts
    (unsorted), so the index has entries on its interior pages and both have
    several levels; some keys overflow."""
    pager = Pager.open(None, path)
    bt = BTree(pager)
    pager.begin_write()
    troot = bt.create_table(INTKEY)
    iroot = bt.create_table(INDEX)
    rows = _rows()
    keys = [[(decode_record(rec) + [None])[1], r] for r, rec in rows]
    t = bt.cursor(troot, write=True)
    for r, rec in sorted(rows, key=lambda x: (x[0] * 7919) % 1013):
        t.insert(r, rec)
    ix = bt.cursor(iroot, write=True, key_info=KeyInfo([None]))
    for k in sorted(keys, key=lambda k: (k[1] * 7919) % 1013):
        ix.insert(None, encode_record(k), k)
    assert (pager.get_page_sync(troot).data[0], pager.get_page_sync(iroot).data[0]) == (5, 2)
    keys.sort(key=lambda k: (k[0] is not None, k))
    return pager, bt, troot, iroot, sorted(rows), keys


def _target(path: str, page_size: int) -> tuple[Pager, BTree, int, int]:
    pager = Pager.open(None, path)
    pager.set_page_size(page_size)
    bt = BTree(pager)
    pager.begin_write()
    troot = bt.create_table(INTKEY)
    iroot = bt.create_table(INDEX)
    schema = bt.cursor(1, write=True)
    schema.insert(1, encode_record(["table", "t", "t", troot, "CREATE TABLE t(a, b)"]))
    schema.insert(2, encode_record(["index", "i", "t", iroot, "CREATE INDEX i ON t(b)"]))
    return pager, bt, troot, iroot


@pytest.mark.parametrize("page_size", [4096, 1024])
def test_copy_keeps_every_entry_and_is_valid(tmp_path, page_size) -> None:
    """The same page size copies cells as bytes; another page size (other
    local payload sizes) rebuilds every cell: both give the same entries."""
    spager, sbt, stroot, siroot, rows, keys = _source(str(tmp_path / "src.db"))
    path = str(tmp_path / "dst.db")
    pager, bt, troot, iroot = _target(path, page_size)
    bt.bulk_load_cells(troot, sbt.copy_cells(stroot, bt))
    bt.bulk_load_cells(iroot, sbt.copy_cells(siroot, bt))
    assert _scan(bt.cursor(troot), True) == rows
    assert _scan(bt.cursor(iroot, key_info=KeyInfo([None])), False) == keys
    pager.commit()
    pager.close()
    spager.rollback()
    ref = sqlite3.connect(path)
    assert ref.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert ref.execute("SELECT count(*) FROM t INDEXED BY i WHERE b IS NOT NULL").fetchone() \
        == (sum(k[0] is not None for k in keys),)
    ref.close()


def test_renumbered_copy(tmp_path) -> None:
    spager, sbt, stroot, _, rows, _ = _source(str(tmp_path / "src.db"))
    pager, bt, troot, _ = _target(str(tmp_path / "dst.db"), 4096)
    bt.bulk_load_cells(troot, sbt.copy_cells(stroot, bt, renumber=True))
    assert _scan(bt.cursor(troot), True) == [(i, rec) for i, (_, rec) in enumerate(rows, 1)]
    spager.rollback()
    pager.rollback()


def test_a_page_reached_twice_is_corruption(tmp_path) -> None:
    """A child pointer back to a page already walked (a cycle) raises
    SQLITE_CORRUPT instead of copying forever."""
    spager, sbt, stroot, _, _, _ = _source(str(tmp_path / "src.db"))
    data = spager.get_page_sync(stroot).data
    assert data[0] == 5                       # a table interior page
    cell = int.from_bytes(data[12:14], "big")
    data[8:12] = data[cell:cell + 4]          # right child = the first cell's child
    spager.get_page_sync(stroot).parsed = None
    pager, bt, troot, _ = _target(str(tmp_path / "dst.db"), 4096)
    with pytest.raises(errors.DatabaseError, match="malformed"):
        bt.bulk_load_cells(troot, sbt.copy_cells(stroot, bt))
    spager.rollback()
    pager.rollback()
