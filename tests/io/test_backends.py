"""Tests of the I/O backends: memory, OS files (locks vs sqlite3), test wrappers."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from pyrite.io.base import (
    EXCLUSIVE_LOCK,
    NO_LOCK,
    RESERVED_LOCK,
    SHARED_LOCK,
)
from pyrite.io.memory import MemoryBackend
from pyrite.io.osfile import OSBackend
from pyrite.io.testing import FaultyBackend, PendingBackend


@pytest.fixture(params=["memory", "os"])
def backend_and_path(request, tmp_path):
    if request.param == "memory":
        return MemoryBackend(), "db"
    return OSBackend(), str(tmp_path / "db")


def test_read_write_truncate(backend_and_path):
    backend, path = backend_and_path
    f = backend.open(path)
    assert f.size() == 0
    f.write(10, b"hello")
    assert f.size() == 15
    c = f.read(8, 10)
    assert c.done
    assert c.value() == b"\0\0hello\0\0\0"   # short read zero-filled
    f.truncate(12)
    assert f.size() == 12
    assert f.read(10, 2).value() == b"he"
    f.sync()
    f.close()
    assert backend.exists(path)
    backend.delete(path)
    assert not backend.exists(path)


def test_lock_semantics_between_connections(backend_and_path):
    backend, path = backend_and_path
    a = backend.open(path)
    b = backend.open(path)
    a.write(0, b"x" * 100)
    assert a.lock(SHARED_LOCK) and b.lock(SHARED_LOCK)
    assert a.lock(RESERVED_LOCK)
    assert a.check_reserved_lock() and b.check_reserved_lock()
    assert not b.lock(RESERVED_LOCK)          # one writer at a time
    assert not a.lock(EXCLUSIVE_LOCK)         # b still reads (a is now PENDING)
    c = backend.open(path)
    assert not c.lock(SHARED_LOCK)            # pending blocks new readers
    b.unlock(NO_LOCK)
    assert a.lock(EXCLUSIVE_LOCK)
    assert not b.lock(SHARED_LOCK)
    a.unlock(SHARED_LOCK)
    assert not a.check_reserved_lock() and not b.check_reserved_lock()
    assert b.lock(SHARED_LOCK) and c.lock(SHARED_LOCK)
    a.unlock(NO_LOCK)
    assert b.lock(EXCLUSIVE_LOCK) is False    # c holds SHARED
    c.unlock(NO_LOCK)
    assert b.lock(EXCLUSIVE_LOCK)
    for f in (a, b, c):
        f.close()


def test_memory_backend_shared_between_opens():
    backend = MemoryBackend()
    a = backend.open("x")
    a.write(0, b"abc")
    b = backend.open("x")
    assert b.read(0, 3).value() == b"abc"
    assert not backend.exists("y")


_HOLDER = textwrap.dedent("""
    import sqlite3, sys
    con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=0)
    con.execute(sys.argv[2])
    print("locked", flush=True)
    sys.stdin.readline()
    con.execute("ROLLBACK")
""")


def _hold(path: str, sql: str) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", _HOLDER, path, sql],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "locked"
    return p


def _release(p: subprocess.Popen) -> None:
    p.stdin.write("\n")
    p.stdin.flush()
    p.wait(timeout=10)


def test_os_locks_exclude_sqlite3_process(tmp_path):
    path = str(tmp_path / "t.db")
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    f = OSBackend().open(path)
    p = _hold(path, "BEGIN IMMEDIATE")
    try:
        assert f.lock(SHARED_LOCK)
        assert f.check_reserved_lock()
        assert not f.lock(RESERVED_LOCK)
    finally:
        _release(p)
    assert f.lock(RESERVED_LOCK)
    f.unlock(NO_LOCK)
    p = _hold(path, "BEGIN EXCLUSIVE")
    try:
        assert not f.lock(SHARED_LOCK)
    finally:
        _release(p)
    # Our EXCLUSIVE lock makes sqlite3 report "database is locked".
    assert f.lock(SHARED_LOCK) and f.lock(EXCLUSIVE_LOCK)
    out = subprocess.run([sys.executable, "-c",
                          "import sqlite3,sys\n"
                          "try:\n"
                          "  sqlite3.connect(sys.argv[1], timeout=0).execute('select * from t')\n"
                          "except sqlite3.OperationalError as e: print(e)\n", path],
                         capture_output=True, text=True)
    assert out.stdout.strip() == "database is locked"
    f.unlock(NO_LOCK)
    f.close()


def test_pending_backend_reads():
    inner = MemoryBackend()
    inner.open("f").write(0, b"0123456789")
    backend = PendingBackend(inner)
    f = backend.open("f")
    c = f.read(2, 3)
    assert not c.done
    assert backend.outstanding == [c]
    assert backend.complete_all() == 1
    assert c.done and c.value() == b"234"
    c2 = f.read(0, 2)
    c2.wait()                                 # the waiter completes synchronously
    assert c2.value() == b"01"
    backend.enabled = False
    assert f.read(0, 1).done


def test_pending_backend_every_and_predicate():
    inner = MemoryBackend()
    inner.open("f").write(0, b"abcdef")
    backend = PendingBackend(inner, every=2)
    f = backend.open("f")
    done = [f.read(i, 1).done for i in range(4)]
    assert done == [True, False, True, False]
    backend2 = PendingBackend(inner, predicate=lambda path, off, size: off >= 3)
    g = backend2.open("f")
    assert g.read(0, 1).done and not g.read(3, 1).done


def test_faulty_backend():
    backend = FaultyBackend(MemoryBackend())
    f = backend.open("f")
    f.write(0, b"abc")
    backend.fail_read = lambda path, off, size: True
    c = f.read(0, 3)
    assert c.done
    with pytest.raises(Exception) as ei:
        c.value()
    assert "disk I/O error" in str(ei.value)
    backend.crash_after_writes = backend.writes
    with pytest.raises(Exception):
        f.write(0, b"x")
    backend.crash_after_writes = None
    backend.fail_read = None
    assert f.read(0, 3).value() == b"abc"


def test_closing_one_connection_keeps_the_others_locks(tmp_path):
    # POSIX locks belong to the process: closing any descriptor of the file
    # would drop them all, so the close is deferred (unixInodeInfo).
    path = str(tmp_path / "inode.db")
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    backend = OSBackend()
    a, b = backend.open(path), backend.open(path)
    assert a.lock(SHARED_LOCK) and b.lock(SHARED_LOCK) and b.lock(RESERVED_LOCK)
    a.close()
    probe = ("import sqlite3,sys\n"
             "c=sqlite3.connect(sys.argv[1],timeout=0,isolation_level=None)\n"
             "try:\n  c.execute('BEGIN IMMEDIATE'); print('got it')\n"
             "except sqlite3.OperationalError as e: print(e)\n")
    out = subprocess.run([sys.executable, "-c", probe, path], capture_output=True, text=True)
    assert out.stdout.strip() == "database is locked"
    b.close()
    out = subprocess.run([sys.executable, "-c", probe, path], capture_output=True, text=True)
    assert out.stdout.strip() == "got it"
