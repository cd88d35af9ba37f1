"""Index B-trees: tiny keys (cells padded to SQLite's 4-byte minimum), long keys
that overflow, interior entries, deletes that empty pages; checked against a
sorted model and by sqlite3's integrity_check on a real file."""

from __future__ import annotations

import random
import sqlite3

from pyrite.storage.btree import INDEX, INTKEY, BTree
from pyrite.storage.pager import Pager
from pyrite.storage.record import encode_record
from pyrite.values import KeyInfo


def _scan(cursor) -> list:
    out = []
    empty = cursor.first()
    while not empty and not cursor.eof:
        out.append(list(cursor.record()))
        if not cursor.next():
            break
    return out


def test_tiny_keys_random_order() -> None:
    bt = BTree.ephemeral()
    root = bt.create_table(INDEX)
    ki = KeyInfo([None, None])
    c = bt.cursor(root, write=True, key_info=ki)
    keys = list(range(3000))
    random.Random(7).shuffle(keys)
    for k in keys:
        c.insert(None, encode_record([k % 5, k]))
    for k in keys[:100]:
        c.insert(None, encode_record([k % 5, k]))  # the same key again replaces itself
    got = _scan(bt.cursor(root, key_info=ki))
    assert got == sorted([[k % 5, k] for k in range(3000)])
    # Page 1 of the temporary file holds no tree we asked about.
    assert bt.integrity_check([root]) == ["Page 1 is never used"]


def test_long_keys_insert_delete_file_passes_sqlite_integrity(tmp_path) -> None:
    path = str(tmp_path / "idx.db")
    pager = Pager.open(None, path)
    bt = BTree(pager)
    pager.begin_write()
    troot = bt.create_table(INTKEY)
    iroot = bt.create_table(INDEX)
    schema = bt.cursor(1, write=True)
    schema.insert(1, encode_record(["table", "t", "t", troot, "CREATE TABLE t(a)"]))
    schema.insert(2, encode_record(["index", "i", "t", iroot, "CREATE INDEX i ON t(a)"]))
    tc = bt.cursor(troot, write=True)
    ic = bt.cursor(iroot, write=True, key_info=KeyInfo([None]))
    model = {}
    rnd = random.Random(3)
    for rowid in range(1, 1500):
        a = f"n{rowid % 97}" * (1 + rnd.randrange(300))
        model[rowid] = a
        tc.insert(rowid, encode_record([a]))
        ic.insert(None, encode_record([a, rowid]))
    for rowid in list(model)[::3]:
        a = model.pop(rowid)
        assert tc.table_move_to(rowid) == 0
        tc.delete()
        assert ic.index_move_to([a, rowid], 0) == 0
        ic.delete()
    pager.set_meta(1, 1)
    pager.commit()
    pager.close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert con.execute("SELECT count(*) FROM t").fetchone() == (len(model),)
    assert sorted(con.execute("SELECT rowid, a FROM t INDEXED BY i WHERE a > ''")) == sorted(model.items())
    con.close()


def test_deletes_merge_underfull_leaves(tmp_path) -> None:
    path = str(tmp_path / "merge.db")
    pager = Pager.open(None, path)
    bt = BTree(pager)
    pager.begin_write()
    root = bt.create_table(INTKEY)
    bt.cursor(1, write=True).insert(1, encode_record(["table", "t", "t", root, "CREATE TABLE t(a)"]))
    c = bt.cursor(root, write=True)
    for rowid in range(1, 3001):
        c.insert(rowid, encode_record(["x" * 100]))
    full = pager.page_count - len(pager.freelist_pages())
    for rowid in range(1, 3001):
        if rowid % 10:
            assert c.table_move_to(rowid) == 0
            c.delete()
    used = pager.page_count - len(pager.freelist_pages())
    # 10% of the rows remain; scattered deletes must not leave 90%-empty leaves behind.
    assert used < full * 0.3, (used, full)
    pager.set_meta(1, 1)
    pager.commit()
    pager.close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert [r[0] for r in con.execute("SELECT rowid FROM t")] == list(range(10, 3001, 10))
    con.close()
