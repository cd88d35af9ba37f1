"""Files written by BTree + Pager open in stdlib sqlite3 and pass integrity_check."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pyrite.storage.btree import INTKEY, BTree
from pyrite.storage.pager import Pager
from pyrite.storage.record import encode_record


def test_written_table_opens_in_sqlite3(tmp_path: Path) -> None:
    path = str(tmp_path / "t.db")
    p = Pager.open(None, path)
    p.begin_read()
    p.begin_write()
    bt = BTree(p)
    root = bt.create_table(INTKEY)
    bt.cursor(1, write=True).insert(
        1, encode_record(["table", "t", "t", root, "CREATE TABLE t(a,b)"]))
    p.set_meta(1, p.get_meta(1) + 1)
    c = bt.cursor(root, write=True)
    for i in range(1, 2001):
        c.insert(i, encode_record([i, "v" * (i % 300)]))
    p.commit()
    p.close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert con.execute("SELECT count(*), sum(a), sum(length(b)) FROM t").fetchone() == (2000, 2001000, 289200)
    assert con.execute("SELECT b FROM t WHERE rowid = 299").fetchone() == ("v" * 299,)
    con.close()
