"""BTree.bulk_load (VACUUM's rebuild): entries given in key order come back
in order, the trees are valid for SQLite, and pages are packed full (a
sorted load needs no more pages than SQLite's own VACUUM of the same data)."""

from __future__ import annotations

import sqlite3

import pytest

from pyrite.storage.btree import INDEX, INTKEY, BTree
from pyrite.storage.pager import Pager
from pyrite.storage.record import encode_record
from pyrite.values import KeyInfo


def _scan(cursor, intkey: bool) -> list:
    out = []
    empty = cursor.first()
    while not empty and not cursor.eof:
        out.append((cursor.rowid(), cursor.payload()) if intkey else list(cursor.record()))
        if not cursor.next():
            break
    return out


@pytest.mark.parametrize("n", [0, 1, 40, 900])
def test_table_and_index_load_round_trip(n, tmp_path) -> None:
    path = str(tmp_path / "bulk.db")
    pager = Pager.open(None, path)
    bt = BTree(pager)
    pager.begin_write()
    troot = bt.create_table(INTKEY)
    iroot = bt.create_table(INDEX)
    schema = bt.cursor(1, write=True)
    schema.insert(1, encode_record(["table", "t", "t", troot, "CREATE TABLE t(a)"]))
    schema.insert(2, encode_record(["index", "i", "t", iroot, "CREATE INDEX i ON t(a)"]))
    values = {r: "v%d" % r * (1 + (r * 31) % 400) for r in range(1, n + 1)}
    rows = [(r * 2, encode_record([values[r]])) for r in range(1, n + 1)]
    keys = sorted(([values[r], r * 2] for r in range(1, n + 1)))
    bt.bulk_load(troot, iter(rows))
    bt.bulk_load(iroot, ((None, encode_record(k)) for k in keys))
    assert _scan(bt.cursor(troot), True) == rows
    assert _scan(bt.cursor(iroot, key_info=KeyInfo([None])), False) == keys
    pager.commit()
    pager.close()
    ref = sqlite3.connect(path)
    assert ref.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert ref.execute("SELECT count(*) FROM t INDEXED BY i WHERE a > ''").fetchone() == (n,)
    pages = ref.execute("PRAGMA page_count").fetchone()[0]
    ref.execute("VACUUM")
    assert pages == ref.execute("PRAGMA page_count").fetchone()[0]
    ref.close()
