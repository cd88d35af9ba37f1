"""The B-tree read paths behind seeks (speedtest1 160-170, 310): rowids
read in place from table pages (one-, two- and longer varints, negative
rowids), index pages' sort keys built from cells decoded a page at a time
(leaf and interior cells, records that overflow their page), and
table_move_to landing within the cursor's leaf or descending from the
root.  Results are compared with sqlite3 on the same file."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pyrite
from pyrite.storage import btree


def _rowids() -> list[int]:
    rng = random.Random(7)
    out = set(range(1, 300)) | set(range(16370, 16400)) | {127, 128, 16383, 16384}
    out |= {rng.randrange(1, 2**40) for _ in range(150)}
    out |= {-1, -2, -128, -16384, -(2**63), 2**63 - 1, 2**56, 2**21}
    return sorted(out)


def _fill(path: str) -> list[int]:
    """A table whose rowids need every varint length, and an index whose
    entries include texts that overflow their page."""
    ids = _rowids()
    s = sqlite3.connect(path)
    s.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c)")
    rng = random.Random(3)
    for i in ids:
        long = rng.random() < 0.05
        b = ("long %d " % (i % 97)) * (300 if long else 1)
        s.execute("INSERT INTO t VALUES(?, ?, ?)", (i, b, i % 13))
    s.execute("CREATE INDEX tb ON t(b)")
    s.execute("CREATE INDEX tc ON t(c, b)")
    s.commit()
    s.close()
    return ids


def test_rowid_lookups_over_every_varint_length(tmp_path: Path) -> None:
    path = str(tmp_path / "r.db")
    ids = _fill(path)
    s = sqlite3.connect(path)
    p = pyrite.connect(path)
    probes = ids + [0, 300, 16369, 2**40 + 1, -3, 129, 16385]
    random.Random(1).shuffle(probes)
    for k in probes:       # random order: most seeks leave the cursor's leaf
        sql = "SELECT a, b, c FROM t WHERE a = ?"
        assert p.execute(sql, (k,)).fetchall() == s.execute(sql, (k,)).fetchall(), k
    for k in sorted(probes):   # ascending: many land within the same leaf
        sql = "SELECT a, c FROM t WHERE a >= ? ORDER BY a LIMIT 2"
        assert p.execute(sql, (k,)).fetchall() == s.execute(sql, (k,)).fetchall(), k
    assert p.execute("SELECT count(*), sum(a) FROM t").fetchall() == \
        s.execute("SELECT count(*), sum(a) FROM t").fetchall()


def test_index_seeks_through_decoded_pages(tmp_path: Path) -> None:
    path = str(tmp_path / "i.db")
    ids = _fill(path)
    s = sqlite3.connect(path)
    p = pyrite.connect(path)
    texts = [r[0] for r in s.execute("SELECT DISTINCT b FROM t").fetchall()]
    rng = random.Random(5)
    probes = texts + ["", "long", "long 5", "zzz", "long 96 long 96"]
    rng.shuffle(probes)
    for b in probes:
        for sql in ("SELECT a, c FROM t INDEXED BY tb WHERE b = ? ORDER BY a",
                    "SELECT count(*), min(a) FROM t INDEXED BY tb WHERE b > ?",
                    "SELECT a FROM t INDEXED BY tb WHERE b < ? ORDER BY b DESC, a LIMIT 3"):
            assert p.execute(sql, (b,)).fetchall() == s.execute(sql, (b,)).fetchall(), (sql, b)
    for c in range(-1, 15):
        sql = "SELECT a, b FROM t INDEXED BY tc WHERE c = ? AND b >= 'long 4' ORDER BY b, a"
        assert p.execute(sql, (c,)).fetchall() == s.execute(sql, (c,)).fetchall(), c
    assert len(ids) > 400


def test_sort_keys_of_short_and_long_records() -> None:
    """sort_key's one- to three-field forms are its general form: class
    rank and value of each field laid flat; the keys order as
    compare_keys orders the records, a prefix first."""
    from pyrite.values import KeyInfo, compare_keys

    values = [None, 0, 1, -1, 2.5, -0.0, 2**62, "", "a", "ab", "é", b"", b"\x00", b"a"]
    for v in values:
        assert btree.sort_key([v]) == btree.sort_key([v, None])[:2]
        for w in values:
            general = tuple(y for x in (v, w)
                            for y in ((0, 0) if x is None else (btree._CLASS_RANK[type(x)], x)))
            assert btree.sort_key([v, w]) == general
            assert btree.sort_key((v, w, 1)) == general + (1, 1)
            assert btree.sort_key((v, w, 1, None)) == general + (1, 1, 0, 0)
    ki = KeyInfo([None, None, None])
    recs = [[v, w] for v in values for w in values[::3]] + [[v] for v in values]
    recs += [[v, w, 1] for v in values[::2] for w in values[::4]]
    for x in recs:
        kx = btree.sort_key(x)
        for y in recs:
            ky = btree.sort_key(y)
            want = compare_keys(x, y, ki) or (len(x) > len(y)) - (len(x) < len(y))
            assert (kx > ky) - (kx < ky) == want, (x, y)


def test_files_written_after_reads_pass_integrity_check(tmp_path: Path) -> None:
    path = str(tmp_path / "w.db")
    _fill(path)
    p = pyrite.connect(path, isolation_level=None)
    p.execute("BEGIN")
    for k in range(1, 300, 3):
        p.execute("SELECT b FROM t WHERE a = ?", (k,)).fetchall()
        p.execute("UPDATE t SET c = c + 1 WHERE a = ?", (k,))
        p.execute("SELECT a FROM t INDEXED BY tc WHERE c = ?", (k % 13,)).fetchall()
    p.execute("COMMIT")
    p.close()
    s = sqlite3.connect(path)
    assert s.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
