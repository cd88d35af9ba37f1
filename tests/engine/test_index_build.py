"""CREATE INDEX and REINDEX fill a new index bottom-up from the sorted keys
(IdxInsert with OPFLAG_APPEND, BTreeCursor.append_sorted/finish_appends):
the files open in stdlib sqlite3, pass integrity_check and give the same
answers as sqlite3 over the same data; failures leave no index behind."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

import pyrite
from pyrite.storage.btree import INDEX, BTree
from pyrite.storage.record import encode_record
from pyrite.values import KeyInfo


def _rows(n: int, seed: int = 7) -> list[tuple]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        kind = i % 5
        a = rnd.randint(-50, 300)
        if kind == 0:
            b = None
        elif kind == 1:
            b = rnd.random() * 100
        elif kind == 2:
            b = "t" * rnd.randint(0, 40) + str(rnd.randint(0, 999))
        elif kind == 3:
            b = bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 20)))
        else:
            b = rnd.randint(-10, 10)
        # Some large keys overflow their index pages.
        c = ("x" * rnd.randint(0, 6000) + str(i)) if i % 7 == 0 else str(rnd.randint(0, 99))
        out.append((a, b, c))
    return out


def _fill(con, rows) -> None:
    con.execute("CREATE TABLE t(a, b, c)")
    con.executemany("INSERT INTO t VALUES(?,?,?)", rows)


INDEXES = [
    "CREATE INDEX ia ON t(a)",
    "CREATE INDEX ib ON t(b)",
    "CREATE INDEX ic ON t(c)",
    "CREATE INDEX ibd ON t(b DESC, a)",
    "CREATE INDEX icn ON t(c COLLATE NOCASE DESC, b)",
    "CREATE INDEX ip ON t(a, c) WHERE a > 100",
    "CREATE INDEX ie ON t(a + 1, substr(c, 1, 3))",
]

QUERIES = [
    "SELECT a, rowid FROM t INDEXED BY ia WHERE a > 20 ORDER BY a, rowid",
    "SELECT b, rowid FROM t INDEXED BY ib WHERE b IS NOT NULL ORDER BY b, rowid",
    "SELECT length(c), rowid FROM t INDEXED BY ic WHERE c > '5' ORDER BY c, rowid",
    "SELECT b, a FROM t INDEXED BY ibd ORDER BY b DESC, a",
    "SELECT a, length(c) FROM t INDEXED BY ip WHERE a > 100 ORDER BY a, c",
    "SELECT count(*) FROM t WHERE a + 1 = 51",
]


@pytest.mark.parametrize("n", [0, 1, 40, 1500])
def test_created_indexes_match_sqlite3(tmp_path: Path, n: int) -> None:
    rows = _rows(n)
    path = str(tmp_path / "p.db")
    con = pyrite.connect(path)
    _fill(con, rows)
    con.commit()
    for sql in INDEXES:
        con.execute(sql)
    con.commit()
    mine = [con.execute(q).fetchall() for q in QUERIES]
    con.close()
    ref = sqlite3.connect(":memory:")
    _fill(ref, rows)
    for sql in INDEXES:
        ref.execute(sql)
    assert mine == [ref.execute(q).fetchall() for q in QUERIES]
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert [check.execute(q).fetchall() for q in QUERIES] == mine
    check.close()


def test_reindex_refills_from_sorted_keys(tmp_path: Path) -> None:
    path = str(tmp_path / "r.db")
    con = pyrite.connect(path)
    _fill(con, _rows(800, seed=3))
    con.execute("CREATE INDEX ic ON t(c)")
    con.execute("CREATE INDEX ib ON t(b DESC)")
    con.commit()
    con.execute("REINDEX t")
    con.commit()
    # Later inserts go into the packed pages (splits from full pages).
    con.executemany("INSERT INTO t VALUES(?,?,?)", _rows(300, seed=4))
    con.commit()
    got = con.execute("SELECT c, rowid FROM t INDEXED BY ic ORDER BY c, rowid").fetchall()
    con.close()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert check.execute("SELECT c, rowid FROM t ORDER BY c, rowid").fetchall() == got
    check.close()


def test_unique_failure_mid_build_leaves_no_index(tmp_path: Path) -> None:
    path = str(tmp_path / "u.db")
    con = pyrite.connect(path, isolation_level=None)
    con.execute("CREATE TABLE t(a, b)")
    con.executemany("INSERT INTO t VALUES(?,?)", [(i, i % 700) for i in range(1000)])
    before = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError) as ref:
        before.execute("CREATE UNIQUE INDEX ub ON t(b)")
    before.close()
    with pytest.raises(pyrite.IntegrityError) as err:
        con.execute("CREATE UNIQUE INDEX ub ON t(b)")
    assert str(err.value) == str(ref.value) == "UNIQUE constraint failed: t.b"
    # In a transaction too: the statement's pages are rolled back.
    con.execute("BEGIN")
    con.execute("CREATE INDEX ia ON t(a)")
    with pytest.raises(pyrite.IntegrityError):
        con.execute("CREATE UNIQUE INDEX ub ON t(b)")
    con.execute("COMMIT")
    names = con.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall()
    assert names == [("ia",), ("t",)]
    con.close()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert check.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall() == names
    check.close()


def test_unique_index_with_nulls_builds() -> None:
    con = pyrite.connect(":memory:")
    con.execute("CREATE TABLE t(a, b)")
    con.executemany("INSERT INTO t VALUES(?,?)", [(None, i) for i in range(300)])
    con.execute("CREATE UNIQUE INDEX ua ON t(a, b)")
    con.execute("CREATE UNIQUE INDEX ua2 ON t(a)")
    assert con.execute("SELECT count(*) FROM t INDEXED BY ua2 WHERE a IS NULL").fetchone() == (300,)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_append_sorted_into_nonempty_index_inserts() -> None:
    """append_sorted holds entries back only when the tree starts empty;
    into a tree with entries it is an ordinary insert."""
    bt = BTree.ephemeral()
    root = bt.create_table(INDEX)
    cur = bt.cursor(root, write=True, key_info=KeyInfo([None, None]))
    cur.insert(None, encode_record([5, 1]))
    for i in range(400):
        cur.append_sorted(encode_record([i, 2]))
    assert cur.appends is None
    cur.finish_appends()
    keys = []
    ok = not cur.first()            # (first() is True on an empty tree)
    while ok:
        keys.append(cur.record())
        ok = cur.next()
    assert keys == sorted([[5, 1]] + [[i, 2] for i in range(400)])


def test_append_sorted_held_back_until_finished() -> None:
    bt = BTree.ephemeral()
    root = bt.create_table(INDEX)
    cur = bt.cursor(root, write=True, key_info=KeyInfo([None, None]))
    for i in range(2000):
        cur.append_sorted(encode_record([i, "k" * (i % 50)]))
    assert len(cur.appends) == 2000
    assert cur.first()              # nothing written yet: empty
    cur.finish_appends()
    assert cur.appends is None
    seen = 0
    ok = not cur.first()
    while ok:
        assert cur.record() == [seen, "k" * (seen % 50)]
        seen += 1
        ok = cur.next()
    assert seen == 2000
    assert bt.integrity_check([1, root]) == []
    other = bt.cursor(root, write=True, key_info=KeyInfo([None, None]))
    other.append_sorted(encode_record([-1, ""]))
    other.close()                   # (a failed statement's appends are dropped)
    assert other.appends is None


DESC_SCHEMA = [
    "CREATE TABLE d(a, b, c)",
    "CREATE INDEX da ON d(a DESC)",
    "CREATE INDEX dbc ON d(b DESC, c)",
    "CREATE INDEX dcb ON d(c, b DESC)",
    "CREATE UNIQUE INDEX dab ON d(a DESC, b DESC, c DESC)",
]

DESC_QUERIES = [
    "SELECT a, rowid FROM d INDEXED BY da WHERE a > 5 ORDER BY a DESC",
    "SELECT a, rowid FROM d INDEXED BY da WHERE a < 'm' ORDER BY a DESC",
    "SELECT a, rowid FROM d INDEXED BY da WHERE a BETWEEN x'00' AND x'ff' ORDER BY a DESC",
    "SELECT a FROM d INDEXED BY da WHERE a = 'ab'",
    "SELECT b, c FROM d INDEXED BY dbc WHERE b >= 'b' ORDER BY b DESC, c",
    "SELECT b, c FROM d INDEXED BY dbc WHERE b = 3 ORDER BY c",
    "SELECT c, b FROM d INDEXED BY dcb WHERE c = 1 AND b < 'zz' ORDER BY b DESC",
    "SELECT count(*) FROM d INDEXED BY dab WHERE a IS NULL",
    "SELECT a, b, c FROM d ORDER BY a DESC, b DESC, c DESC",
]


def _desc_rows(n: int) -> list[tuple]:
    rnd = random.Random(11)
    pool = [None, -3, 0, 2, 2.5, 7, 1e10, "", "a", "ab", "abc", "b", "m", "z\u00e9", "\U0001f600",
            b"", b"\x00", b"\x00\x01", b"\xff"]
    return [(rnd.choice(pool), rnd.choice(pool), i % 3) for i in range(n)]


def test_desc_indexes_seek_as_sqlite3(tmp_path: Path) -> None:
    """DESC columns under BINARY seek through sort keys (desc_sort_key):
    rows inserted one by one in random order, and deleted, give the same
    answers as sqlite3; the file passes its integrity_check."""
    rows = _desc_rows(1200)
    path = str(tmp_path / "d.db")
    con = pyrite.connect(path)
    ref = sqlite3.connect(":memory:")
    for c in (con, ref):
        for sql in DESC_SCHEMA:
            c.execute(sql)
        for r in rows:
            try:
                c.execute("INSERT INTO d VALUES(?,?,?)", r)
            except (pyrite.IntegrityError, sqlite3.IntegrityError):
                pass
        c.execute("DELETE FROM d WHERE rowid % 5 = 0")
        c.commit()
    for q in DESC_QUERIES:
        assert con.execute(q).fetchall() == ref.execute(q).fetchall(), q
    con.close()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    for q in DESC_QUERIES:
        assert check.execute(q).fetchall() == ref.execute(q).fetchall(), q
    check.close()


def test_desc_sort_key_order() -> None:
    from pyrite.storage.btree import desc_sort_key
    from pyrite.values import compare_keys

    pool = [None, -3, 0, 2, 2.5, 1e10, "", "a", "ab", "b", "\U0001f600", "a\0", "ab\0", "\0",
            "\xe9", "A", b"", b"\x00", b"\x00\x01", b"\xff", b"a", b"a\x00"]
    ki = KeyInfo([None, None], desc=[True, False])
    keys = [[a, b] for a in pool for b in pool[:6]]
    for x in keys:
        for y in keys:
            want = compare_keys(x, y, ki)
            kx, ky = desc_sort_key(x, ki.desc), desc_sort_key(y, ki.desc)
            got = (kx > ky) - (kx < ky)
            assert got == want, (x, y)


def test_first_desc_key_function_is_desc_sort_key() -> None:
    """An index whose first column alone is DESC gets a key function built
    without a loop for its entries and seek keys; it gives desc_sort_key's
    tuples for records of every length."""
    from pyrite.storage.btree import desc_sort_key, key_function

    pool = [None, -3, 2.5, "", "ab", b"\x00", 7]
    for ki in (KeyInfo([None, None], desc=[True, False]),
               KeyInfo([None, None, None], desc=[True, False, False])):
        fn = key_function(ki)
        for rec in ([], *([a] for a in pool), *([a, b] for a in pool for b in pool),
                    *([a, b, 1] for a in pool for b in pool[:3])):
            assert fn(rec) == desc_sort_key(rec, ki.desc), rec


def _leaf_caches_agree(bt: BTree, cur, root: int) -> int:
    """Check every cached record and sort key of the tree's pages against
    the cells themselves; the number of pages with caches."""
    from pyrite.storage.btree import page_info
    from pyrite.storage.record import decode_record

    checked = 0
    stack = [root]
    while stack:
        page = bt.pager.get_page_sync(stack.pop())
        info = page_info(page)
        if not info.leaf:
            stack.extend(int.from_bytes(page.data[p:p + 4], "big") for p in info.ptrs)
            stack.append(info.right)
        if info.sort_keys is None:
            continue
        checked += 1
        for i in range(info.ncell):
            rec = decode_record(bt.read_payload(page, info, i))
            assert info.records[i] in (None, rec)
            assert info.sort_keys[i] == cur.key_fn(rec)
    return checked


@pytest.mark.parametrize("desc", [False, True])
def test_split_leaves_keep_decoded_records(desc: bool) -> None:
    """A split index leaf hands its cells' decoded records and sort keys to
    the pages it splits into (_keep_decoded): they match the cells."""
    bt = BTree.ephemeral()
    root = bt.create_table(INDEX)
    ki = KeyInfo([None, None], desc=[desc, False])
    cur = bt.cursor(root, write=True, key_info=ki)
    rnd = random.Random(5)
    entries = []
    with_caches = 0
    for i in range(3000):
        key = [rnd.choice([rnd.randint(-99, 99), "k" * rnd.randint(0, 30), None, 1.5]), i]
        cur.insert(None, encode_record(key), key)
        entries.append(key)
        if i % 250 == 0:
            with_caches += _leaf_caches_agree(bt, cur, root)
    assert with_caches > 10
    got = []
    ok = not cur.first()
    while ok:
        got.append(cur.record())
        ok = cur.next()
    ref = sqlite3.connect(":memory:")
    ref.execute("CREATE TABLE t(a, b)")
    ref.executemany("INSERT INTO t VALUES(?,?)", entries)
    order = "a DESC, b" if desc else "a, b"
    assert [tuple(r) for r in got] == ref.execute(f"SELECT a, b FROM t ORDER BY {order}").fetchall()
    assert bt.integrity_check([1, root]) == []
