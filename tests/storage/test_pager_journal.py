"""Rollback journal tests: format, crash recovery, journals written by sqlite3."""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
import subprocess
import sys

import pytest

from pyrite.io.memory import MemoryBackend
from pyrite.io.osfile import OSBackend
from pyrite.io.testing import FaultyBackend
from pyrite.storage import journal
from pyrite.storage.pager import Pager


def make_db(path, rows=300, page_size=1024):
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA page_size={page_size}")
    con.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
    con.executemany("INSERT INTO t VALUES(?, ?)", [(i, f"row{i}" * 20) for i in range(rows)])
    con.commit()
    con.close()


def table_state(path):
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return con.execute("SELECT count(*), sum(id), group_concat(v) FROM t").fetchone()
    finally:
        con.close()


def scribble(pager, pages, new_pages=3):
    """Change some pages and grow the file, as a write transaction would."""
    for pgno in pages:
        page = pager.get_page(pgno)
        pager.make_writable(page)
        page.data[:] = bytes([0xAB]) * len(page.data)
    for _ in range(new_pages):
        pager.allocate_page().data[:4] = b"new!"


def test_checksum_and_header_roundtrip():
    image = bytes(range(256)) * 4
    assert journal.checksum(5, image) == (5 + image[824] + image[624] + image[424]
                                          + image[224] + image[24]) & 0xFFFFFFFF
    h = journal.JournalHeader(3, 0xDEADBEEF, 17, 512, 1024)
    raw = h.encode()
    assert len(raw) == 512
    assert raw[:8] == bytes.fromhex("d9d505f920a163d7")
    assert struct.unpack(">IIIII", raw[8:28]) == (3, 0xDEADBEEF, 17, 512, 1024)
    back = journal.JournalHeader.parse(raw)
    assert (back.n_records, back.nonce, back.db_pages, back.sector_size,
            back.page_size) == (3, 0xDEADBEEF, 17, 512, 1024)
    assert journal.JournalHeader.parse(b"\0" * 28) is None


def test_journal_written_before_db_and_deleted_at_commit(tmp_path):
    path = tmp_path / "j.db"
    make_db(path)
    original = path.read_bytes()
    backend = FaultyBackend(OSBackend())
    seen = []

    def spy(p, off, size):
        seen.append((os.path.basename(p), off, size))
        return False

    backend.fail_write = spy
    pager = Pager.open(backend, str(path))
    pager.begin_write()
    scribble(pager, [2, 3])
    pager.commit()
    pager.close()
    assert not os.path.exists(str(path) + "-journal")
    kinds = [name for name, _, _ in seen]
    first_db = kinds.index("j.db")
    assert all(k == "j.db-journal" for k in kinds[:first_db]) and first_db >= 2
    assert "j.db-journal" not in kinds[first_db:]
    assert path.read_bytes() != original


def crash_mid_commit(path, writes_allowed_in_db=1):
    """Run a commit that dies after the journal and part of the db are written."""
    backend = FaultyBackend(OSBackend())
    pager = Pager.open(backend, str(path))
    pager.begin_write()
    scribble(pager, [2, 3, 5, 8])
    db_writes = []

    def fail(p, off, size):
        if p.endswith("-journal"):
            return False
        db_writes.append(off)
        return len(db_writes) > writes_allowed_in_db

    backend.fail_write = fail
    backend.fail_sync = lambda p, off, size: not p.endswith("-journal")
    with pytest.raises(Exception) as ei:
        pager.commit()
    assert "disk I/O error" in str(ei.value)
    return pager, backend


def test_crash_leaves_hot_journal_recovered_by_pyrite_and_sqlite(tmp_path):
    path = tmp_path / "c.db"
    make_db(path)
    original = path.read_bytes()
    state = table_state(path)
    pager, backend = crash_mid_commit(path)
    # The playback during rollback failed too: the journal is left hot.
    assert os.path.exists(str(path) + "-journal")
    assert path.read_bytes() != original
    pager.file.close()  # the process "dies": its locks go away
    for name in ("a", "b"):
        os.makedirs(tmp_path / name)
        shutil.copy(path, tmp_path / name / "c.db")
        shutil.copy(str(path) + "-journal", tmp_path / name / "c.db-journal")
    # sqlite3 recovers a journal written by Pyrite ...
    assert table_state(tmp_path / "a" / "c.db") == state
    assert (tmp_path / "a" / "c.db").read_bytes()[100:] == original[100:]
    # ... and Pyrite recovers it to the same bytes.
    p2 = Pager.open(OSBackend(), str(tmp_path / "b" / "c.db"))
    p2.begin_read()
    assert not os.path.exists(tmp_path / "b" / "c.db-journal")
    assert p2.page_count == len(original) // 1024
    p2.end_read()
    p2.close()
    assert (tmp_path / "b" / "c.db").read_bytes() == original
    assert table_state(tmp_path / "b" / "c.db") == state


def test_failed_commit_rolls_back_from_journal(tmp_path):
    path = tmp_path / "f.db"
    make_db(path)
    original = path.read_bytes()
    backend = FaultyBackend(OSBackend())
    pager = Pager.open(backend, str(path))
    pager.begin_write()
    scribble(pager, [2, 3, 5])
    failed = []

    def fail_once(p, off, size):
        if not p.endswith("-journal") and off == 2 * 1024 and not failed:
            failed.append(off)
            return True
        return False

    backend.fail_write = fail_once
    with pytest.raises(Exception):
        pager.commit()
    assert failed
    assert not os.path.exists(str(path) + "-journal")
    assert path.read_bytes() == original
    assert not pager.in_write
    pager.begin_read()
    assert pager.get_page(2).data == original[1024:2048]
    pager.end_read()
    pager.close()


def test_memory_failed_commit_restores_file():
    inner = MemoryBackend()
    backend = FaultyBackend(inner)
    pager = Pager.open(backend, "mem")
    pager.begin_write()
    for _ in range(3):
        pager.allocate_page().data[:3] = b"abc"
    pager.commit()
    before = bytes(inner.files["mem"])
    pager.begin_write()
    scribble(pager, [2, 3], new_pages=2)
    calls = []
    backend.fail_write = lambda p, off, size: p == "mem" and (calls.append(off) or len(calls) == 3)
    with pytest.raises(Exception):
        pager.commit()
    backend.fail_write = None
    assert bytes(inner.files["mem"]) == before
    assert not inner.exists("mem-journal")


_SPILLER = r"""
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("PRAGMA cache_size=5")
con.execute("BEGIN")
con.execute("UPDATE t SET v = upper(v) || 'xyz'")
con.execute("INSERT INTO t SELECT id + 100000, v FROM t")
print("spilled", flush=True)
sys.stdin.readline()
"""


def test_recover_hot_journal_written_by_sqlite(tmp_path):
    path = tmp_path / "s.db"
    make_db(path, rows=1500)
    original = path.read_bytes()
    state = table_state(path)
    proc = subprocess.Popen([sys.executable, "-c", _SPILLER, str(path)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "spilled"
        crash = tmp_path / "crash"
        crash.mkdir()
        shutil.copy(path, crash / "s.db")
        shutil.copy(str(path) + "-journal", crash / "s.db-journal")
    finally:
        proc.kill()
        proc.wait()
    assert (crash / "s.db").read_bytes() != original      # pages were spilled
    raw = (crash / "s.db-journal").read_bytes()
    h = journal.JournalHeader.parse(raw[:28])
    assert h is not None and h.page_size == 1024 and h.db_pages == len(original) // 1024
    pager = Pager.open(OSBackend(), str(crash / "s.db"))
    pager.begin_read()
    assert not (crash / "s.db-journal").exists()
    assert pager.page_count == len(original) // 1024
    pager.end_read()
    pager.close()
    assert (crash / "s.db").read_bytes() == original
    assert table_state(crash / "s.db") == state


def test_invalid_journal_is_not_hot(tmp_path):
    path = tmp_path / "z.db"
    make_db(path, rows=10)
    original = path.read_bytes()
    (tmp_path / "z.db-journal").write_bytes(b"\0" * 2048)   # zeroed header
    pager = Pager.open(OSBackend(), str(path))
    pager.begin_read()
    assert pager.page_count == len(original) // 1024
    pager.end_read()
    pager.close()
    assert path.read_bytes() == original


def test_crash_at_every_write_is_atomic(tmp_path):
    src = tmp_path / "src.db"
    make_db(src, rows=200)
    original = src.read_bytes()
    committed = None
    for crash_at in range(0, 40):
        work = tmp_path / f"w{crash_at}"
        work.mkdir()
        path = work / "x.db"
        shutil.copy(src, path)
        backend = FaultyBackend(OSBackend())
        pager = Pager.open(backend, str(path))
        pager.begin_write()
        scribble(pager, [2, 4, 6, 3], new_pages=4)
        backend.crash_after_writes = crash_at
        try:
            pager.commit()
            ok = True
        except Exception:
            ok = False
        pager.file.close()                     # the process dies here
        reopened = Pager.open(OSBackend(), str(path))
        reopened.begin_read()
        reopened.end_read()
        reopened.close()
        data = path.read_bytes()
        jpath = str(path) + "-journal"
        if os.path.exists(jpath):               # left over but not hot: never valid
            jf = OSBackend().open(jpath)
            assert not journal.journal_is_valid(jf)
            jf.close()
        if ok:
            committed = data
            assert data != original
            break
        assert data == original, crash_at
    assert committed is not None                # eventually the commit got through
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA page_count").fetchone() == (len(original) // 1024 + 4,)
    con.close()
