"""The one-pass index insert (BTreeCursor._insert_index_fast) and its
fallback to insert()'s general path: entries of every value type, ASC and
DESC keys, sorted and random orders, records too long for the fast path,
collations without sort keys, equal entries and page splits all give the
index sqlite3 builds, in files that pass its integrity_check."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

import pyrite
from pyrite.storage import btree
from pyrite.storage.btree import BTree
from pyrite.storage.pager import Pager
from pyrite.storage.record import encode_record
from pyrite.values import KeyInfo


@pytest.fixture
def fast_puts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the entries the fast path wrote (one item per entry)."""
    seen: list[int] = []
    orig = btree.BTreeCursor._put_index_cell

    def spy(self, *args):  # type: ignore[no-untyped-def]
        ok = orig(self, *args)
        if ok:
            seen.append(1)
        return ok

    monkeypatch.setattr(btree.BTreeCursor, "_put_index_cell", spy)
    return seen


def _value(rng: random.Random) -> object:
    kind = rng.randrange(6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.randrange(-300, 300)
    if kind == 2:
        return rng.choice([0.5, -2.25, 1e10, 3.0])
    if kind == 3:
        return "".join(rng.choice("abcé") for _ in range(rng.randrange(4)))
    if kind == 4:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(3)))
    return rng.randrange(10**12)


@pytest.mark.parametrize("order", ["ASC", "DESC"])
def test_mixed_values_match_sqlite3(tmp_path: Path, order: str, fast_puts: list[int]) -> None:
    path = str(tmp_path / "f.db")
    rng = random.Random(11)
    rows = [(i, _value(rng), _value(rng)) for i in range(1, 1500)]
    rng.shuffle(rows)
    con = pyrite.connect(path, isolation_level=None)
    ref = sqlite3.connect(":memory:", isolation_level=None)
    for c in (con, ref):
        c.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, a, b)")
        c.execute(f"CREATE INDEX ta ON t(a {order}, b)")
        c.execute("BEGIN")
        c.executemany("INSERT INTO t VALUES(?,?,?)", rows)
        # Long records (general path) among short ones.
        c.executemany("INSERT INTO t VALUES(?,?,?)",
                      [(5000 + i, "w" * (100 + i), i) for i in range(30)])
        c.execute("COMMIT")
    assert len(fast_puts) > 1000
    q = f"SELECT a, b, k FROM t INDEXED BY ta ORDER BY a {order}, b"
    assert con.execute(q).fetchall() == ref.execute(q).fetchall()
    con.close()
    chk = sqlite3.connect(path)
    assert chk.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert chk.execute(q).fetchall() == ref.execute(q).fetchall()
    chk.close()


def test_collation_without_sort_key_takes_general_path(tmp_path: Path,
                                                       fast_puts: list[int]) -> None:
    path = str(tmp_path / "n.db")
    con = pyrite.connect(path, isolation_level=None)
    con.execute("CREATE TABLE t(a TEXT)")
    con.execute("CREATE INDEX ta ON t(a COLLATE NOCASE)")
    con.executemany("INSERT INTO t VALUES(?)", [(w,) for w in ["b", "A", "a", "C", "B"]])
    assert fast_puts == []
    assert [r[0] for r in con.execute("SELECT a FROM t INDEXED BY ta WHERE a > ''")] == \
        ["A", "a", "b", "B", "C"]
    con.close()
    chk = sqlite3.connect(path)
    assert chk.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    chk.close()


def _index_cursor(tmp_path: Path) -> tuple[Pager, BTree, btree.BTreeCursor]:
    pager = Pager.open(None, str(tmp_path / "raw.db"))
    pager.begin_write()
    bt = BTree(pager)
    root = bt.create_table(btree.INDEX)
    return pager, bt, bt.cursor(root, write=True, key_info=KeyInfo([None, None]))


def test_equal_entry_and_splits(tmp_path: Path, fast_puts: list[int]) -> None:
    _, bt, cur = _index_cursor(tmp_path)
    keys = [[i * 7 % 1000, i] for i in range(1000)]
    for k in keys:
        cur.insert(None, encode_record(k), list(k))
        assert cur.record() == k        # the cursor rests on the new entry
    fast = len(fast_puts)
    assert 0 < fast < 1000              # splits went the general way
    # An equal entry: no fast insert, the entry is written over.
    cur.insert(None, encode_record(keys[10]), list(keys[10]))
    assert len(fast_puts) == fast
    got = []
    scan = bt.cursor(cur.root, key_info=cur.key_info)
    more = not scan.first()
    while more:
        got.append(scan.record())
        more = scan.next()
    assert got == sorted(keys)


def test_sorted_appends_stay_on_the_last_leaf(tmp_path: Path, fast_puts: list[int]) -> None:
    _, bt, cur = _index_cursor(tmp_path)
    for i in range(2000):
        cur.insert(None, encode_record([i, i]), [i, i])
    assert len(fast_puts) > 1900
    assert bt.quick_balances > 0
    assert cur.record() == [1999, 1999]
