"""VACUUM applies the page size a PRAGMA page_size asked for once the
database had pages (SQLite's db->nextPagesize: the last value set on the
connection, ignored when invalid or for an in-memory database), VACUUM INTO
too; the pager journals every page at the old size first, so that a failed
or interrupted VACUUM leaves the original file.  Also the bulk load's last
leaf when the last index entry was promoted out of a full leaf (a VACUUM or
CREATE INDEX of an index with small pages).  Compared with stdlib sqlite3."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite

ROWS = [(i, "x" * (i % 300)) for i in range(1, 401)]


def _fill(con, page_size: int | None = None) -> None:
    if page_size is not None:
        con.execute(f"PRAGMA page_size={page_size}")
    con.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b)")
    con.execute("CREATE INDEX tb ON t(b)")
    con.executemany("INSERT INTO t VALUES (?, ?)", ROWS)
    con.commit()


def _state(con) -> list:
    return [con.execute("PRAGMA page_size").fetchall(),
            con.execute("PRAGMA page_count").fetchall(),
            con.execute("SELECT count(*), sum(length(b)) FROM t INDEXED BY tb "
                        "WHERE b >= ''").fetchall()]


def _checked(path) -> list:
    con = sqlite3.connect(str(path))
    try:
        return [con.execute("PRAGMA integrity_check").fetchall(), _state(con)]
    finally:
        con.close()


def test_vacuum_applies_the_last_page_size_like_sqlite(tmp_path) -> None:
    out = []
    for name, mod in (("ref", sqlite3), ("mine", pyrite)):
        path = tmp_path / f"{name}.db"
        con = mod.connect(str(path), isolation_level=None)
        _fill(con)
        steps = []
        # 3000 is no page size: the last value set wins, so 2048 is dropped.
        for sizes in ([8192], [2048, 3000], [1024], [512], [65536], [2048, 4096]):
            for n in sizes:
                con.execute(f"PRAGMA page_size={n}")
            # The query answers the current size (page counts before the
            # first VACUUM are the insert path's, which may differ).
            steps.append(_state(con)[::2])
            con.execute("VACUUM")
            steps.append(_state(con))
            steps.append(_checked(path))
        con.close()
        out.append(steps)
    assert out[1] == out[0]
    assert [s[0] for s in out[1][1::3]] == [[(n,)] for n in (8192, 8192, 1024, 512, 65536, 4096)]


def test_vacuum_into_takes_the_pending_page_size(tmp_path) -> None:
    out = []
    for name, mod in (("ref", sqlite3), ("mine", pyrite)):
        con = mod.connect(str(tmp_path / f"{name}.db"), isolation_level=None)
        _fill(con)
        con.execute("PRAGMA page_size=16384")
        con.execute(f"VACUUM INTO '{tmp_path / (name + '-copy.db')}'")
        out.append([_state(con)[::2], _checked(tmp_path / f"{name}-copy.db")])
        con.close()
    assert out[1] == out[0]
    assert out[1][1][1][0] == [(16384,)]


def test_memory_database_keeps_its_page_size() -> None:
    out = []
    for mod in (sqlite3, pyrite):
        con = mod.connect(":memory:", isolation_level=None)
        _fill(con)
        con.execute("PRAGMA page_size=1024")
        con.execute("VACUUM")
        out.append(_state(con)[::2])
        con.close()
    assert out[1] == out[0]
    assert out[1][0] == [(4096,)]


@pytest.mark.parametrize("page_size", [1024, 16384])
def test_same_page_size_build_matches_sqlite(tmp_path, page_size: int) -> None:
    """With 1024-byte pages the index's last entry is promoted out of a full
    leaf: the leaf before gives up its last entry as the separator."""
    out = []
    for name, mod in (("ref", sqlite3), ("mine", pyrite)):
        path = tmp_path / f"{name}.db"
        con = mod.connect(str(path), isolation_level=None)
        con.execute(f"PRAGMA page_size={page_size}")
        con.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b)")
        con.executemany("INSERT INTO t VALUES (?, ?)", ROWS)
        con.execute("CREATE INDEX tb ON t(b)")       # CREATE INDEX's bulk load
        first = _checked(path)
        first[1] = first[1][::2]
        con.execute("VACUUM")                        # VACUUM's
        out.append([first, _state(con), _checked(path)])
        con.close()
    assert out[1] == out[0]
    assert out[1][2][0] == [("ok",)]


def _faulty_vacuum(path: str, page_size: int):
    """Run VACUUM to a new page size on a backend whose syncs of the
    database fail: the commit fails after the file was written."""
    from pyrite.engine import Database
    from pyrite.io.osfile import OSBackend
    from pyrite.io.testing import FaultyBackend
    backend = FaultyBackend(OSBackend())
    backend.fail_sync = lambda p, offset, size: p == path
    db = Database(path, backend=backend)
    for sql in (f"PRAGMA page_size={page_size}", "VACUUM"):
        stmt, _ = db.prepare(sql)
        try:
            stmt.step()
        finally:
            stmt.finalize()
    return db, backend


@pytest.mark.parametrize("page_size", [1024, 16384])
@pytest.mark.parametrize("recover_with", ["sqlite3", "pyrite"])
def test_crash_during_a_page_size_change_restores_the_file(tmp_path, page_size: int,
                                                           recover_with: str) -> None:
    """The journal holds every page at the old size: when the commit fails
    after the file was written at the new size and the process dies (the
    journal stays hot), the next opener restores the original file."""
    path = str(tmp_path / "v.db")
    con = sqlite3.connect(path)
    _fill(con)
    con.close()
    with open(path, "rb") as f:
        original = f.read()
    with pytest.raises(pyrite.OperationalError):
        _faulty_vacuum(path, page_size)
    # (the Database of the failed run is left as a dead process leaves it)
    if recover_with == "pyrite":
        con = pyrite.connect(path)
        con.execute("SELECT count(*) FROM t").fetchall()
        con.close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert _state(con)[0] == [(4096,)]
    con.close()
    with open(path, "rb") as f:
        assert f.read() == original


def test_failed_page_size_change_rolls_back_in_process(tmp_path) -> None:
    """A VACUUM whose commit fails rolls back in the connection too: the
    old page size, pages and rows; the next VACUUM applies the size."""
    from pyrite.engine import Database
    from pyrite.io.osfile import OSBackend
    from pyrite.io.testing import FaultyBackend
    path = str(tmp_path / "v.db")
    con = sqlite3.connect(path)
    _fill(con)
    before = _state(con)
    con.close()
    backend = FaultyBackend(OSBackend())
    failing = [True]
    backend.fail_sync = lambda p, offset, size: failing[0] and p == path
    db = Database(path, backend=backend)

    def run(sql: str) -> list:
        stmt, _ = db.prepare(sql)
        rows = []
        try:
            while getattr(stmt.step(), "name", None) == "ROW":
                rows.append(tuple(stmt.row()) if hasattr(stmt, "row") else None)
        finally:
            stmt.finalize()
        return rows

    run("PRAGMA page_size=2048")
    with pytest.raises(pyrite.OperationalError):
        run("VACUUM")
    assert db.pager.page_size == 4096
    failing[0] = False
    assert run("SELECT count(*) FROM t") and db.pager.page_count == before[1][0][0]
    run("VACUUM")
    assert db.pager.page_size == 2048
    db.close()
    assert _checked(path)[0] == [("ok",)]
    assert _checked(path)[1][0] == [(2048,)]
