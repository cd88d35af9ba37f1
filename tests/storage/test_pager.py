"""Tests of the pager: pages, transactions, freelist, savepoints, interop with sqlite3."""

from __future__ import annotations

import sqlite3
import struct

import pytest

from pyrite.errors import SQLITE_BUSY, SQLITE_NOTADB, SQLITE_READONLY
from pyrite.io.base import IOPending
from pyrite.io.memory import MemoryBackend
from pyrite.io.osfile import OSBackend
from pyrite.io.testing import PendingBackend
from pyrite.storage.pager import Pager


def u32(data, off):
    return struct.unpack_from(">I", data, off)[0]


def open_os(path, **kw):
    return Pager.open(OSBackend(), str(path), **kw)


def write_pages(pager, n, fill=b"p"):
    """Allocate n pages holding a recognisable pattern; returns their numbers."""
    out = []
    for _ in range(n):
        page = pager.allocate_page()
        page.data[0:8] = fill * 8 if len(fill) == 1 else fill[:8]
        out.append(page.pgno)
    return out


def test_new_database_page1_matches_sqlite(tmp_path):
    path = tmp_path / "new.db"
    pager = open_os(path)
    pager.begin_write()
    pager.commit()
    pager.close()
    ours = path.read_bytes()
    ref = tmp_path / "ref.db"
    con = sqlite3.connect(ref)
    con.execute("PRAGMA user_version=0")     # forces sqlite3 to write page 1
    con.execute("BEGIN IMMEDIATE")
    con.execute("CREATE TABLE t(x)")
    con.execute("DROP TABLE t")
    con.commit()
    con.close()
    theirs = ref.read_bytes()[:4096]
    assert len(ours) == 4096
    # Same header bytes except the counters a different history produces.
    for lo, hi in [(0, 24), (28, 40), (44, 92), (96, 100)]:
        assert ours[lo:hi] == theirs[lo:hi] or lo == 28, (lo, hi)
    assert ours[100:108] == bytes([0x0D, 0, 0, 0, 0, 0x10, 0, 0])
    assert u32(ours, 28) == 1
    assert u32(ours, 24) == u32(ours, 92) == 1
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.execute("CREATE TABLE t(a, b)")
    con.executemany("INSERT INTO t VALUES(?, ?)", [(i, "x" * 50) for i in range(500)])
    con.commit()
    assert con.execute("SELECT count(*), sum(a) FROM t").fetchone() == (500, 124750)
    con.close()


def test_read_database_written_by_sqlite(tmp_path):
    path = tmp_path / "s.db"
    con = sqlite3.connect(path)
    con.execute("PRAGMA page_size=1024")
    con.execute("PRAGMA user_version=77")
    con.execute("PRAGMA application_id=1234")
    con.execute("CREATE TABLE t(x)")
    con.executemany("INSERT INTO t VALUES(?)", [("y" * 200,) for _ in range(100)])
    con.commit()
    n = con.execute("PRAGMA page_count").fetchone()[0]
    cookie = con.execute("PRAGMA schema_version").fetchone()[0]
    con.close()
    pager = open_os(path)
    pager.begin_read()
    assert pager.page_size == 1024 and pager.usable_size == 1024
    assert pager.page_count == n
    assert pager.get_meta(1) == cookie
    assert pager.schema_cookie() == cookie     # (page 1 not read yet: get_meta)
    pager.get_page(1)
    assert pager.schema_cookie() == cookie     # (read from the cached page 1)
    assert pager.get_meta(6) == 77
    assert u32(pager.get_page(1).data, 68) == 1234
    assert pager.get_page(2).data[0] == 0x05     # table interior (root of t)
    pager.end_read()
    pager.close()


@pytest.mark.parametrize("kind", ["memory", "os"])
def test_commit_and_rollback(kind, tmp_path):
    if kind == "memory":
        backend, path = MemoryBackend(), "m.db"
    else:
        backend, path = OSBackend(), str(tmp_path / "m.db")
    pager = Pager.open(backend, path)
    pager.begin_write()
    pgnos = write_pages(pager, 5, b"a")
    assert pgnos == [2, 3, 4, 5, 6]
    pager.set_meta(6, 42)
    pager.commit()
    assert pager.page_count == 6
    pager.begin_write()
    page = pager.get_page(3)
    pager.make_writable(page)
    page.data[0:8] = b"changed!"
    write_pages(pager, 2, b"z")
    pager.set_meta(6, 7)
    assert pager.page_count == 8
    pager.rollback()
    assert pager.page_count == 6
    assert pager.get_meta(6) == 42
    pager.begin_read()
    assert pager.get_page(3).data[0:8] == b"aaaaaaaa"
    pager.end_read()
    # A second connection on the same backend sees the committed state.
    other = Pager.open(backend, path)
    other.begin_read()
    assert other.page_count == 6
    assert other.get_page(3).data[0:8] == b"aaaaaaaa"
    assert other.get_meta(6) == 42
    other.end_read()
    other.close()
    pager.close()
    assert not backend.exists(path + "-journal")


def test_change_counter_and_cache_invalidation(tmp_path):
    path = tmp_path / "c.db"
    a, b = open_os(path), open_os(path)
    a.begin_write()
    write_pages(a, 1, b"1")
    a.commit()
    b.begin_read()
    assert b.get_page(2).data[:1] == b"1"
    b.end_read()
    a.begin_write()
    p = a.get_page(2)
    a.make_writable(p)
    p.data[0:1] = b"2"
    a.commit()
    data = path.read_bytes()
    assert u32(data, 24) == 2 and u32(data, 92) == 2
    b.begin_read()                      # counter changed: b drops its cache
    assert b.get_page(2).data[:1] == b"2"
    b.end_read()
    a.close()
    b.close()


def test_freelist_reuse_and_integrity(tmp_path):
    path = tmp_path / "f.db"
    pager = open_os(path, page_size=1024)
    pager.begin_write()
    pager.commit()
    pager.close()
    # Build a real table with sqlite3, then free/allocate pages with the pager.
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(x)")
    con.execute("INSERT INTO t VALUES(1)")
    con.commit()
    con.close()
    pager = open_os(path)
    assert pager.page_size == 1024
    pager.begin_write()
    new = write_pages(pager, 400)
    for pgno in new:
        pager.free_page(pgno)
    pager.commit()
    data = path.read_bytes()
    assert u32(data, 36) == 400
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("PRAGMA freelist_count").fetchone() == (400,)
    con.close()
    pager.begin_write()
    reused = sorted(pager.allocate_page().pgno for _ in range(10))
    assert all(p in new for p in reused)
    assert pager.get_meta(0) == 390
    count = pager.page_count
    for p in reused:
        pager.free_page(p)
    pager.commit()
    assert pager.page_count == count
    assert sorted(pager.freelist_pages()) == sorted(new)
    pager.close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.execute("INSERT INTO t SELECT randomblob(900) FROM generate_series(1, 50)"
                if False else "INSERT INTO t VALUES(randomblob(5000))")
    con.commit()
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("PRAGMA freelist_count").fetchone()[0] < 400
    con.close()


def test_savepoints():
    pager = Pager.open(MemoryBackend(), "s")
    pager.begin_write()
    write_pages(pager, 2, b"a")          # pages 2, 3
    pager.savepoint(1)
    p2 = pager.get_page(2)
    pager.make_writable(p2)
    p2.data[0:1] = b"b"
    write_pages(pager, 1, b"n")          # page 4
    pager.savepoint(2)
    p3 = pager.get_page(3)
    pager.make_writable(p3)
    p3.data[0:1] = b"c"
    pager.rollback_to(1)                 # undo the inner savepoint only
    assert pager.get_page(3).data[0:1] == b"a"
    assert pager.get_page(2).data[0:1] == b"b"
    pager.rollback_to(0)                 # undo the outer one
    assert pager.get_page(2).data[0:1] == b"a"
    assert pager.page_count == 3
    pager.savepoint(1)
    p2 = pager.get_page(2)
    pager.make_writable(p2)
    p2.data[0:1] = b"k"
    pager.release(0)                     # keep the change
    pager.commit()
    pager.begin_read()
    assert pager.get_page(2).data[0:1] == b"k"
    assert pager.page_count == 3
    pager.end_read()


def test_statement_rollback_keeps_transaction(tmp_path):
    path = tmp_path / "st.db"
    pager = open_os(path)
    pager.begin_write()
    write_pages(pager, 1, b"a")
    pager.savepoint(1)                    # a statement starts
    write_pages(pager, 3, b"s")
    pager.rollback_to(0)                  # it fails half-way
    pager.release(0)
    pager.commit()
    pager.close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA page_count").fetchone() == (2,)
    con.close()


def test_busy_between_processes_and_connections(tmp_path):
    import subprocess
    import sys
    path = tmp_path / "b.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3,sys\n"
         "c=sqlite3.connect(sys.argv[1],isolation_level=None)\n"
         "c.execute('BEGIN IMMEDIATE')\nprint('ok',flush=True)\nsys.stdin.readline()\n",
         str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        pager = open_os(path)
        with pytest.raises(Exception) as ei:
            pager.begin_write()
        assert ei.value.sqlite_errorcode == SQLITE_BUSY
        assert str(ei.value) == "database is locked"
        asked = []
        pager.busy_handler = lambda n: asked.append(n) or n < 2
        with pytest.raises(Exception):
            pager.begin_write()
        assert asked == [0, 1, 2]
        pager.busy_handler = None
        pager.rollback()
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=10)
    pager.begin_write()
    other = open_os(path)
    with pytest.raises(Exception) as ei:
        other.begin_write()
    assert ei.value.sqlite_errorcode == SQLITE_BUSY
    # While we write, sqlite3 (another process) cannot.
    out = subprocess.run(
        [sys.executable, "-c",
         "import sqlite3,sys\n"
         "c=sqlite3.connect(sys.argv[1],timeout=0,isolation_level=None)\n"
         "try:\n  c.execute('BEGIN IMMEDIATE')\n  print('got it')\n"
         "except sqlite3.OperationalError as e: print(e)\n", str(path)],
        capture_output=True, text=True)
    assert out.stdout.strip() == "database is locked"
    pager.commit()
    other.rollback()
    other.begin_write()
    other.commit()
    other.close()
    pager.close()


def test_readonly_and_notadb(tmp_path):
    path = tmp_path / "r.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    pager = open_os(path, readonly=True)
    with pytest.raises(Exception) as ei:
        pager.begin_write()
    assert ei.value.sqlite_errorcode == SQLITE_READONLY
    assert str(ei.value) == "attempt to write a readonly database"
    pager.close()
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(Exception) as ei:
        p = open_os(bad)
        p.begin_read()
    assert ei.value.sqlite_errorcode == SQLITE_NOTADB
    assert str(ei.value) == "file is not a database"


def test_pending_reads(tmp_path):
    path = tmp_path / "p.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(x)")
    con.executemany("INSERT INTO t VALUES(?)", [("q" * 1000,) for _ in range(20)])
    con.commit()
    con.close()
    backend = PendingBackend(OSBackend(), predicate=lambda p, off, size: off >= 4096
                             and p.endswith(".db"))
    pager = Pager.open(backend, str(path))
    pager.begin_read()
    with pytest.raises(IOPending) as ei:
        pager.get_page(3)
    c = ei.value.completion
    with pytest.raises(IOPending) as ei2:
        pager.get_page(3)
    assert ei2.value.completion is c          # the same request, not a second one
    assert len(backend.outstanding) == 1
    backend.complete_all()
    page = pager.get_page(3)
    assert page.pgno == 3
    assert page.data == path.read_bytes()[8192:12288]
    assert pager.get_page(3) is page          # cached now
    assert backend.pended == 1
    pager.end_read()
    pager.close()


def test_cache_is_bounded_and_keeps_dirty_and_held_pages(tmp_path):
    path = tmp_path / "lru.db"
    pager = open_os(path, page_size=1024, cache_size=20)
    pager.begin_write()
    pgnos = write_pages(pager, 200, b"d")      # 200 dirty pages: none may go
    assert len(pager.cache) >= 200
    pager.commit()
    assert len(pager.cache) <= 20
    pager.begin_read()
    held = pager.get_page(5)
    for pgno in pgnos:
        assert pager.get_page(pgno).data[:8] == b"dddddddd"
        assert len(pager.cache) <= 21
    assert pager.cache.get(5) is held           # referenced pages stay cached
    pager.end_read()
    pager.begin_write()
    for pgno in pgnos[::3]:
        page = pager.get_page(pgno)
        pager.make_writable(page)
        page.data[:8] = b"EEEEEEEE"
    pager.commit()
    pager.close()
    data = path.read_bytes()
    for i, pgno in enumerate(pgnos):
        want = b"EEEEEEEE" if i % 3 == 0 else b"dddddddd"
        assert data[(pgno - 1) * 1024:(pgno - 1) * 1024 + 8] == want


def test_empty_file_reads_as_empty_database():
    pager = Pager.open(MemoryBackend(), "e")
    pager.begin_read()
    assert pager.page_count == 0
    page = pager.get_page(1)
    assert page.data[100] == 0x0D and page.data[:16] == b"SQLite format 3\0"
    assert pager.get_meta(1) == 0
    assert pager.schema_cookie() == 0
    pager.end_read()


def test_memory_database_without_journal():
    pager = Pager.open(None, ":memory:")
    assert pager.memory
    pager.begin_write()
    write_pages(pager, 3, b"m")
    pager.commit()
    pager.begin_write()
    page = pager.get_page(2)
    pager.make_writable(page)
    page.data[:1] = b"X"
    pager.rollback()
    pager.begin_read()
    assert pager.get_page(2).data[:1] == b"m"
    assert pager.page_count == 4
    pager.end_read()
    assert not pager.backend.exists(":memory:-journal")
    pager.close()


@pytest.mark.parametrize("page_size", [512, 8192, 65536])
def test_page_sizes_interoperate(tmp_path, page_size):
    path = tmp_path / f"ps{page_size}.db"
    pager = open_os(path, page_size=page_size)
    pager.begin_write()
    pgnos = write_pages(pager, 3)
    pager.free_page(pgnos[1])
    pager.commit()
    pager.close()
    data = path.read_bytes()
    assert len(data) == 4 * page_size
    assert struct.unpack_from(">H", data, 16)[0] == (1 if page_size == 65536 else page_size)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA page_size").fetchone() == (page_size,)
    # Pages 2 and 4 are neither in a tree nor free: sqlite3 reports them, nothing worse.
    problems = [r[0] for r in con.execute("PRAGMA integrity_check")]
    assert problems == ["*** in database main ***\nPage 2 is never used\n"
                        "Page 4 is never used"]
    assert con.execute("PRAGMA freelist_count").fetchone() == (1,)
    con.close()
    pager = open_os(path)
    assert pager.page_size == page_size
    pager.begin_read()
    assert pager.page_count == 4 and pager.freelist_pages() == [3]
    pager.end_read()
    pager.close()


@pytest.mark.parametrize("kind", ["memory", "os"])
def test_commit_busy_while_reader_then_retry(kind, tmp_path):
    if kind == "memory":
        backend, path = MemoryBackend(), "busy.db"
    else:
        backend, path = OSBackend(), str(tmp_path / "busy.db")
    writer = Pager.open(backend, path)
    writer.begin_write()
    write_pages(writer, 2, b"1")
    writer.commit()
    reader = Pager.open(backend, path)
    reader.begin_read()
    assert reader.get_page(2).data[:1] == b"1"
    writer.begin_write()
    page = writer.get_page(2)
    writer.make_writable(page)
    page.data[:1] = b"2"
    with pytest.raises(Exception) as ei:
        writer.commit()                     # the reader's SHARED lock blocks EXCLUSIVE
    assert ei.value.sqlite_errorcode == SQLITE_BUSY
    assert writer.in_write
    assert reader.get_page(2).data[:1] == b"1"
    third = Pager.open(backend, path)
    with pytest.raises(Exception):
        third.begin_read()                  # PENDING keeps new readers out
    reader.end_read()
    writer.commit()                         # the retry succeeds
    assert not backend.exists(path + "-journal")
    third.begin_read()
    assert third.get_page(2).data[:1] == b"2"
    third.end_read()
    reader.begin_read()
    assert reader.get_page(2).data[:1] == b"2"   # stale cache dropped
    reader.end_read()
    for p in (writer, reader, third):
        p.close()


def test_rollback_after_busy_commit_removes_journal(tmp_path):
    path = str(tmp_path / "rb.db")
    backend = OSBackend()
    writer = Pager.open(backend, path)
    writer.begin_write()
    write_pages(writer, 1)
    writer.commit()
    original = open(path, "rb").read()
    reader = Pager.open(backend, path)
    reader.begin_read()
    writer.begin_write()
    write_pages(writer, 1)
    with pytest.raises(Exception):
        writer.commit()
    writer.rollback()
    assert not backend.exists(path + "-journal")
    assert open(path, "rb").read() == original
    reader.end_read()
    writer.close()
    reader.close()


def test_wal_database_with_live_log_is_refused(tmp_path):
    path = tmp_path / "w.db"
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE t(x)")
    con.execute("INSERT INTO t VALUES(1)")
    con.commit()                              # the -wal file stays while con is open
    try:
        with pytest.raises(Exception) as ei:
            pager = open_os(path)
            pager.begin_read()
        assert str(ei.value) == "unable to open database file"
    finally:
        con.close()                           # checkpoints and removes the -wal file
    pager = open_os(path)
    pager.begin_read()
    assert pager.page_count == 2
    pager.end_read()
    pager.close()


def test_cache_size_setting():
    pager = Pager.open(MemoryBackend(), "cs", page_size=4096)
    pager.cache_size = -2000                 # KiB, as PRAGMA cache_size=-2000
    assert pager.cache_size == 500
    pager.cache_size = 3
    assert pager.cache_size == 10            # a floor, as the pager needs a few pages
    pager.cache_size = 64
    assert pager.cache_size == 64 and pager.cache_limit == 64


def test_busy_timeout_handler_waits_then_gives_up():
    import time
    from pyrite.storage.pager import busy_timeout_handler
    assert busy_timeout_handler(0) is None
    handler = busy_timeout_handler(60)
    start = time.monotonic()
    count = 0
    while handler(count):
        count += 1
    elapsed = time.monotonic() - start
    assert 0.05 <= elapsed < 1.0
    assert count == 7        # 1+2+5+10+15+20 = 53 ms, then the last 7 ms


def test_busy_timeout_lets_writer_wait_for_reader(tmp_path):
    import threading
    from pyrite.storage.pager import busy_timeout_handler
    path = str(tmp_path / "bt.db")
    backend = OSBackend()
    writer = Pager.open(backend, path)
    writer.begin_write()
    write_pages(writer, 1)
    writer.commit()
    reader = Pager.open(backend, path)
    reader.begin_read()
    writer.busy_handler = busy_timeout_handler(5000)
    writer.begin_write()
    write_pages(writer, 1)
    timer = threading.Timer(0.2, reader.end_read)
    timer.start()
    writer.commit()                       # waits until the reader lets go
    timer.join()
    assert writer.page_count == 3
    writer.close()
    reader.close()


def test_sees_changes_made_by_sqlite3_between_transactions(tmp_path):
    path = tmp_path / "x.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    pager = open_os(path)
    pager.begin_read()
    before = bytes(pager.get_page(2).data)
    count = pager.page_count
    pager.end_read()
    con.executemany("INSERT INTO t VALUES(?)", [("v" * 300,) for _ in range(100)])
    con.commit()
    pager.begin_read()
    assert pager.page_count > count
    assert bytes(pager.get_page(2).data) != before
    assert pager.get_page(2).data == path.read_bytes()[4096:8192]
    pager.end_read()
    pager.close()
    con.close()
