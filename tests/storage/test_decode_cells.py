"""A scan's first read of a leaf decodes all its cells at once
(record.decode_cells from BTreeCursor.record): the same rows as decoding
them one by one, overflowing and damaged cells left to the one-by-one read."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite
from pyrite.errors import DatabaseError
from pyrite.storage.btree import INTKEY, BTree, page_info
from pyrite.storage.record import decode_cells, decode_record, encode_record


def _rows() -> list[list[object]]:
    return [[i, "t" * (i % 70), i * 0.5 if i % 3 else None, b"\x00" * (i % 4), 2 ** (i % 63) - 7]
            for i in range(300)] + [[7, "o" * 6000]]          # one overflows its page


def _leaf_cells(bt: BTree, root: int) -> list[tuple[object, object, list[object]]]:
    """(page, info, one-by-one decoded records or None for overflow) per leaf."""
    cur = bt.cursor(root)
    cur.first()
    leaves = []
    while not cur.eof:
        page, info, idx = cur.stack[-1]
        if idx == 0:
            one_by_one = [decode_record(bt.read_payload(page, info, i)) for i in range(info.ncell)]
            leaves.append((page, info, one_by_one))
        cur.next()
    return leaves


def test_a_leaf_decoded_at_once_matches_cell_by_cell() -> None:
    bt = BTree.ephemeral()
    root = bt.create_table(INTKEY)
    cur = bt.cursor(root, write=True)
    for i, row in enumerate(_rows()):
        cur.insert(i + 1, encode_record(row))
    u = bt.pager.usable_size
    leaves = _leaf_cells(bt, root)
    assert len(leaves) > 3
    overflowed = 0
    for page, info, want in leaves:
        out: list[object] = [None] * info.ncell
        decode_cells(page.data, info.ptrs, True, u - 35, "utf-8", out)
        for got, rec in zip(out, want):
            if got is None:
                overflowed += 1
                assert len(encode_record(rec)) > u - 35
            else:
                assert got == rec
    assert overflowed == 1


def test_filled_slots_are_kept_and_damaged_cells_left_empty() -> None:
    bt = BTree.ephemeral()
    root = bt.create_table(INTKEY)
    cur = bt.cursor(root, write=True)
    for i in range(20):
        cur.insert(i + 1, encode_record([i, "x" * i]))
    cur.first()
    page, info, _ = cur.stack[-1]
    keep = ["kept"]
    out: list[object] = [keep] + [None] * (info.ncell - 1)
    # Damage cell 3's header: a reserved serial type.
    pos = info.ptrs[3] + 2          # (payload size, rowid: one byte each here)
    page.data[pos + 1] = 10
    decode_cells(page.data, info.ptrs, True, bt.pager.usable_size - 35, "utf-8", out)
    assert out[0] is keep and out[3] is None
    assert out[4] == [4, "xxxx"]
    page.parsed = None
    cur = bt.cursor(root)
    cur.first()
    assert cur.record() == [0, ""]
    for _ in range(3):
        cur.next()
    with pytest.raises(DatabaseError):
        cur.record()


@pytest.mark.parametrize("page_size", [512, 4096])
def test_scans_after_writes_match_sqlite3(tmp_path, page_size: int) -> None:
    """Rows written (pages rewritten, their decoded records dropped), a
    column added, then scanned: each leaf decoded at once on its first
    read gives sqlite3's rows, overflowing ones included."""
    path = str(tmp_path / "t.db")
    setup = [f"PRAGMA page_size={page_size}",
             "CREATE TABLE t(a INTEGER, b TEXT, c)",
             "CREATE INDEX tb ON t(b)"]
    want = sqlite3.connect(":memory:")
    conn = pyrite.connect(path)
    for c in (want, conn):
        for sql in setup:
            c.execute(sql)
        c.executemany("INSERT INTO t VALUES (?, ?, ?)",
                      [(i, f"n{i % 97}" * (1 + i % 5), "z" * (3000 if i % 50 == 0 else i % 9))
                       for i in range(600)])
        c.execute("ALTER TABLE t ADD COLUMN d INT DEFAULT 7")
        c.execute("UPDATE t SET d = a * 3 WHERE a % 4 = 1")
    for q in ("SELECT sum(d), count(*), sum(length(c)) FROM t",
              "SELECT a, d FROM t WHERE d <> 7 ORDER BY rowid LIMIT 40",
              "SELECT b, count(*) FROM t GROUP BY b ORDER BY b LIMIT 30",
              "SELECT max(b), min(b) FROM t"):
        assert conn.execute(q).fetchall() == want.execute(q).fetchall()
    conn.close()
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_page_info_is_the_one_record_fills() -> None:
    bt = BTree.ephemeral()
    root = bt.create_table(INTKEY)
    cur = bt.cursor(root, write=True)
    for i in range(50):
        cur.insert(i + 1, encode_record([i]))
    cur = bt.cursor(root)
    cur.first()
    page, info, _ = cur.stack[-1]
    assert cur.record() == [0]
    assert page_info(page) is info and all(r is not None for r in info.records)
