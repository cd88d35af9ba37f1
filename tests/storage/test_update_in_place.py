"""An UPDATE writes each row through a cursor that already rests on it
(btree.py BTreeCursor.insert): the row is replaced where it lies, with no
seek, in each varint form of its rowid (one and two bytes inline, longer
and negative ones through put_varint), when it keeps its size, grows,
shrinks or overflows.  Rows match sqlite3's under every executor and the
file passes its integrity_check."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyrite
from pyrite.storage.btree import BTreeCursor

ROWIDS = [-(2**40), -5, 0, 1, 127, 128, 129, 16383, 16384, 2**21, 2**40, 2**63 - 1]
STEPS = [
    "UPDATE t SET b = b + 1",                        # same size
    "UPDATE t SET c = c || 'grown' WHERE id % 2 = 0",  # grows
    "UPDATE t SET c = substr(c, 1, 3)",              # shrinks
    "UPDATE t SET c = zeroblob(5000) WHERE id = 128",  # overflows
    "UPDATE t SET c = 'back', b = -b",               # from an overflowing row too
]


def test_updates_in_place_match_sqlite3(tmp_path: Path, executor: str, monkeypatch) -> None:
    seeks = []
    real = BTreeCursor.table_move_to
    monkeypatch.setattr(BTreeCursor, "table_move_to",
                        lambda self, rowid: seeks.append(rowid) or real(self, rowid))
    path = str(tmp_path / "u.db")
    con = pyrite.connect(path, isolation_level=None)
    ref = sqlite3.connect(":memory:", isolation_level=None)
    for c in (con, ref):
        c.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, b INTEGER, c TEXT)")
        c.executemany("INSERT INTO t VALUES(?, ?, ?)",
                      [(r, i, f"row {i}") for i, r in enumerate(ROWIDS)])
    for sql in STEPS:
        seeks.clear()
        for c in (con, ref):
            c.execute(sql)
        q = "SELECT id, b, typeof(c), length(c), c FROM t ORDER BY id"
        assert con.execute(q).fetchall() == ref.execute(q).fetchall(), sql
        if sql == STEPS[0]:
            assert seeks == []     # every row written where the cursor was
    con.close()
    chk = sqlite3.connect(path)
    try:
        assert chk.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert chk.execute("SELECT * FROM t ORDER BY id").fetchall() == \
            ref.execute("SELECT * FROM t ORDER BY id").fetchall()
    finally:
        chk.close()
