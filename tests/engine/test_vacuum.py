"""VACUUM and VACUUM INTO, compared with stdlib sqlite3 (SQLite 3.40).

The rebuilt database must hold the same rows (rowids included), schema,
sqlite_sequence and header values, have an empty freelist, and pass
sqlite3's PRAGMA integrity_check.
"""

from __future__ import annotations

import sqlite3

import pytest

import pyrite

SCHEMA = """
PRAGMA user_version = 7;
PRAGMA application_id = 99;
CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT UNIQUE, c);
CREATE INDEX tc ON t(c COLLATE NOCASE);
CREATE TABLE au(id INTEGER PRIMARY KEY AUTOINCREMENT, x);
CREATE TABLE plain(x, y);
CREATE VIEW vv AS SELECT a, b FROM t;
CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO au(x) VALUES (new.a); END;
"""


def _fill(con) -> None:
    con.executescript(SCHEMA)
    con.executemany("INSERT INTO t VALUES (?, ?, ?)",
                    ((i * 3, f"b{i}", ("X" if i % 2 else "y") * (i % 50)) for i in range(200)))
    con.executemany("INSERT INTO plain VALUES (?, ?)",
                    ((i, "z" * (i % 700)) for i in range(120)))
    con.execute("DELETE FROM t WHERE a % 2 = 0")
    con.execute("DELETE FROM plain WHERE x % 3 = 0")
    con.commit()


def _contents(con) -> list:
    return [
        con.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name").fetchall(),
        con.execute("SELECT rowid, * FROM t ORDER BY rowid").fetchall(),
        con.execute("SELECT rowid, * FROM plain ORDER BY rowid").fetchall(),
        con.execute("SELECT rowid, * FROM au ORDER BY rowid").fetchall(),
        con.execute("SELECT * FROM sqlite_sequence").fetchall(),
        con.execute("SELECT c FROM t INDEXED BY tc ORDER BY c COLLATE NOCASE, a").fetchall(),
        [con.execute(f"PRAGMA {p}").fetchone()[0]
         for p in ("user_version", "application_id", "freelist_count")],
    ]


def test_vacuum_compacts_and_keeps_everything(tmp_path):
    path = str(tmp_path / "p.db")
    con = pyrite.connect(path)
    _fill(con)
    before = _contents(con)
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    cookie = con.execute("PRAGMA schema_version").fetchone()[0]
    assert before[-1][2] > 0
    con.execute("VACUUM")
    after = _contents(con)
    # A table with neither INTEGER PRIMARY KEY nor index is renumbered, as
    # in SQLite; the others keep their rowids.
    assert after[2] == [(i,) + row[1:] for i, row in enumerate(before[2], 1)]
    assert after[:2] + after[3:-1] == before[:2] + before[3:-1]
    assert after[-1] == [7, 99, 0]
    assert con.execute("PRAGMA page_count").fetchone()[0] < pages
    assert con.execute("PRAGMA schema_version").fetchone()[0] == cookie + 1
    # The trigger and AUTOINCREMENT still work on the rebuilt file.
    con.execute("INSERT INTO t VALUES (100001, 'new', 'c')")
    con.commit()
    con.close()
    ref = sqlite3.connect(path)
    assert ref.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert ref.execute("SELECT * FROM au ORDER BY id DESC LIMIT 1").fetchone() == (201, 100001)
    ref.close()


def test_vacuum_matches_sqlite_contents(tmp_path):
    """Same rows and schema as sqlite3's own VACUUM of the same data."""
    results = []
    for mod, name in ((pyrite, "p.db"), (sqlite3, "s.db")):
        con = mod.connect(str(tmp_path / name))
        _fill(con)
        con.execute("VACUUM")
        results.append((_contents(con),
                        con.execute("SELECT type, name, rootpage FROM sqlite_schema").fetchall(),
                        con.execute("PRAGMA page_count").fetchone()))
        con.close()
    assert results[0] == results[1]


ORDER_SCRIPT = """
CREATE TABLE a(x INTEGER PRIMARY KEY AUTOINCREMENT, y UNIQUE, z);
CREATE INDEX ai ON a(z);
CREATE TABLE b(p TEXT PRIMARY KEY, q UNIQUE, r) WITHOUT ROWID;
CREATE VIEW v AS SELECT * FROM a;
CREATE TABLE c(m UNIQUE, n UNIQUE, PRIMARY KEY(m, n));
CREATE TRIGGER tr AFTER INSERT ON c BEGIN SELECT 1; END;
CREATE TABLE gone(k INTEGER PRIMARY KEY AUTOINCREMENT);
INSERT INTO gone VALUES(5);
CREATE TABLE d(k INTEGER PRIMARY KEY AUTOINCREMENT, w);
CREATE INDEX bi ON b(r);
INSERT INTO a(y, z) VALUES(1, 2), (3, 4);
INSERT INTO b VALUES('k', 1, 2);
INSERT INTO c VALUES(1, 2);
INSERT INTO d(w) VALUES(1);
DROP TABLE gone;
ANALYZE;
CREATE TABLE e(u);
CREATE INDEX ei ON e(u);
DROP INDEX ai;
CREATE INDEX ai ON a(z, y);
"""


@pytest.mark.parametrize("drop_first", [False, True])
def test_vacuum_schema_order_matches_sqlite(tmp_path, drop_first):
    """The copy's sqlite_schema rows (rowids, root pages, text) and file
    format come out as sqlite3's VACUUM writes them: each table with its
    constraints' automatic indexes, sqlite_sequence after the first
    AUTOINCREMENT table (the AUTOINCREMENT table that made it dropped, or
    not), then the other indexes, then views and triggers."""
    script = ORDER_SCRIPT if not drop_first else ORDER_SCRIPT.replace(
        "CREATE TABLE a(x INTEGER PRIMARY KEY AUTOINCREMENT", "CREATE TABLE a(x INTEGER PRIMARY KEY")
    results = []
    for mod, name in ((pyrite, "p.db"), (sqlite3, "s.db")):
        con = mod.connect(str(tmp_path / name), isolation_level=None)
        con.executescript(script)
        con.execute("VACUUM")
        results.append((con.execute("SELECT rowid, * FROM sqlite_schema").fetchall(),
                        con.execute("SELECT * FROM sqlite_sequence").fetchall(),
                        con.execute("SELECT * FROM b").fetchall()))
        con.close()
        results.append((tmp_path / name).read_bytes()[44:48])       # file format
    assert results[0] == results[2]
    assert results[1] == results[3] == (4).to_bytes(4, "big")


def test_vacuum_into_writes_a_valid_copy(tmp_path):
    """The copy keeps every rowid (SQLite's VACUUM INTO renumbers nothing)."""
    src = pyrite.connect(":memory:")
    _fill(src)
    out = str(tmp_path / "copy.db")
    src.execute(f"VACUUM INTO '{out}'")
    ref = sqlite3.connect(out)
    assert ref.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert _contents(ref)[:-1] == _contents(src)[:-1]
    assert _contents(ref)[-1] == [7, 99, 0]
    ref.close()
    with pytest.raises(pyrite.OperationalError, match="output file already exists"):
        src.execute(f"VACUUM main INTO '{out}'")


@pytest.mark.parametrize("sql, message", [
    ("VACUUM bogus", "unknown database bogus"),
    ("VACUUM bogus INTO 'x.db'", "unknown database bogus"),
    ("VACUUM INTO 1", "non-text filename"),
    ("VACUUM INTO NULL", "non-text filename"),
    ("VACUUM INTO x'41'", "non-text filename"),
    ("VACUUM INTO a", "no such column: a"),
])
def test_vacuum_errors_match_sqlite(sql, message):
    for mod in (pyrite, sqlite3):
        con = mod.connect(":memory:")
        with pytest.raises(mod.OperationalError) as info:
            con.execute(sql)
        assert str(info.value) == message


def test_vacuum_refused_in_transaction_and_with_running_statements():
    for mod in (pyrite, sqlite3):
        con = mod.connect(":memory:", isolation_level=None)
        con.execute("CREATE TABLE t(a)")
        con.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(10)])
        con.execute("BEGIN")
        for sql in ("VACUUM", "VACUUM INTO 'never.db'"):
            with pytest.raises(mod.OperationalError,
                               match="^cannot VACUUM from within a transaction$"):
                con.execute(sql)
        con.execute("ROLLBACK")
        cur = con.execute("SELECT a FROM t")
        cur.fetchone()
        with pytest.raises(mod.OperationalError,
                           match="^cannot VACUUM - SQL statements in progress$"):
            con.execute("VACUUM")
        cur.fetchall()
        con.execute("VACUUM")
        con.execute("VACUUM temp")
        con.execute("VACUUM INTO ''")


def test_vacuum_empty_database(tmp_path):
    con = pyrite.connect(str(tmp_path / "e.db"), isolation_level=None)
    con.execute("VACUUM")
    con.execute("CREATE TABLE t(a)")
    con.execute("DROP TABLE t")
    con.execute("VACUUM")
    assert con.execute("PRAGMA page_count").fetchone()[0] == 1
    con.close()
    ref = sqlite3.connect(str(tmp_path / "e.db"))
    assert ref.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_vacuum_packs_deep_trees_like_sqlite(tmp_path):
    """Long index keys, overflow chains and several tree levels: the rebuilt
    file is as small as SQLite's own VACUUM makes it, and valid."""
    path = str(tmp_path / "deep.db")
    con = pyrite.connect(path)
    con.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b, c)")
    con.execute("CREATE INDEX tb ON t(b)")
    con.execute("CREATE TABLE s(x)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)",
                    ((i, "k" * ((i * 37) % 900) + str(i), i % 7) for i in range(700)))
    con.executemany("INSERT INTO s VALUES (?)", ((bytes(range(256)) * (i % 30),) for i in range(60)))
    con.execute("DELETE FROM t WHERE a % 4 = 0")
    con.commit()
    con.execute("VACUUM")
    mine = con.execute("PRAGMA page_count").fetchone()
    con.close()
    ref = sqlite3.connect(path)
    assert ref.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert ref.execute("SELECT count(*), sum(length(b)) FROM t").fetchone() == \
        (525, sum(len("k" * ((i * 37) % 900) + str(i)) for i in range(700) if i % 4))
    ref.execute("VACUUM")
    assert ref.execute("PRAGMA page_count").fetchone() == mine
    ref.close()


def test_read_only_database_and_implicit_transactions(tmp_path):
    """VACUUM needs write access but VACUUM INTO does not; the DB-API's
    implicit transaction after DML blocks VACUUM, as in sqlite3."""
    path = str(tmp_path / "ro.db")
    ref = sqlite3.connect(path)
    ref.execute("CREATE TABLE t(a)")
    ref.execute("INSERT INTO t VALUES (1)")
    ref.commit()
    ref.close()
    for mod in (pyrite, sqlite3):
        out = str(tmp_path / f"out-{mod.__name__}.db")
        con = mod.connect(f"file:{path}?mode=ro", uri=True)
        with pytest.raises(mod.OperationalError, match="attempt to write a readonly database"):
            con.execute("VACUUM")
        con.execute(f"VACUUM INTO '{out}'")
        con.close()
        assert sqlite3.connect(out).execute("SELECT * FROM t").fetchall() == [(1,)]
        con = mod.connect(":memory:")
        con.execute("CREATE TABLE t(a)")
        con.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(mod.OperationalError, match="cannot VACUUM from within a transaction"):
            con.execute("VACUUM")
        con.commit()
        con.execute("VACUUM")


def test_other_connection_sees_the_rebuilt_file(tmp_path):
    path = str(tmp_path / "two.db")
    first = pyrite.connect(path, isolation_level=None)
    first.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b)")
    first.execute("CREATE INDEX tb ON t(b)")
    first.execute("BEGIN")
    first.executemany("INSERT INTO t VALUES (?, ?)", [(i, "x" * (i % 300)) for i in range(300)])
    first.execute("COMMIT")
    first.execute("DELETE FROM t WHERE a < 200")
    second = pyrite.connect(path, isolation_level=None)
    assert second.execute("SELECT count(*) FROM t WHERE b > ''").fetchone() == (100,)
    first.execute("VACUUM")
    assert second.execute("SELECT count(*), sum(a) FROM t WHERE b > ''").fetchone() == \
        (100, sum(range(200, 300)))
    assert second.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def _reserved_bytes_file(path: str, reserved: int) -> None:
    """A new database whose pages keep ``reserved`` bytes unused at their
    end (header byte 20): page 1 written by sqlite3, then patched before
    anything else is stored (its empty cell area starts at the usable end)."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    with open(path, "r+b") as f:
        page = bytearray(f.read())
        page[20] = reserved
        page[105:107] = (len(page) - reserved).to_bytes(2, "big")
        f.seek(0)
        f.write(page)


def test_vacuum_keeps_reserved_bytes_like_sqlite(tmp_path):
    """SQLite's VACUUM keeps the reserved bytes of each page; the copy's
    cells (same usable size) move as they are, and the file is as small as
    SQLite's own VACUUM makes it."""
    paths = [str(tmp_path / f"{name}.db") for name in ("mine", "ref")]
    for path in paths:
        _reserved_bytes_file(path, 32)
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b)")
        con.execute("CREATE INDEX tb ON t(b)")
        con.executemany("INSERT INTO t VALUES (?, ?)",
                        ((i, f"{i:05d}" * (1 + i % 300)) for i in range(400)))
        con.execute("DELETE FROM t WHERE a % 3 = 0")
        con.commit()
        con.close()
    mine = pyrite.connect(paths[0])
    mine.execute("VACUUM")
    mine.close()
    ref = sqlite3.connect(paths[1])
    ref.execute("VACUUM")
    ref.close()
    out = []
    for path in paths:
        con = sqlite3.connect(path)
        out.append([con.execute("PRAGMA integrity_check").fetchall(),
                    con.execute("PRAGMA page_count").fetchone(),
                    con.execute("SELECT count(*), sum(length(b)) FROM t INDEXED BY tb "
                                "WHERE b > ''").fetchone()])
        con.close()
        with open(path, "rb") as f:
            out[-1].append(f.read(100)[20])
    assert out[0] == out[1]
    assert out[0][0] == [("ok",)] and out[0][-1] == 32


@pytest.mark.parametrize("recover_with", ["sqlite3", "pyrite"])
def test_crash_during_a_shrinking_vacuum_rolls_back(tmp_path, recover_with):
    """VACUUM that shrinks the file journals the pages the truncation drops:
    when the commit fails after the file was written and truncated (its
    sync fails; the process dies, the journal stays hot), the journal
    restores the whole original file, freelist included."""
    from pyrite.engine import Database
    from pyrite.io.osfile import OSBackend
    from pyrite.io.testing import FaultyBackend
    path = str(tmp_path / "v.db")
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b)")
    con.executemany("INSERT INTO t VALUES (?, ?)", ((i, "x" * 300) for i in range(400)))
    con.execute("DELETE FROM t WHERE a > 50")
    con.commit()
    con.close()
    with open(path, "rb") as f:
        original = f.read()
    backend = FaultyBackend(OSBackend())
    backend.fail_sync = lambda p, offset, size: p == path
    db = Database(path, backend=backend)
    stmt, _ = db.prepare("VACUUM")
    with pytest.raises(pyrite.OperationalError):
        stmt.step()
    backend.crash_after_writes = -1            # the process dies: nothing more is written
    try:
        db.close()
    except pyrite.Error:
        pass
    if recover_with == "pyrite":
        con = pyrite.connect(path)
        con.execute("SELECT count(*) FROM t").fetchall()
        con.close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert con.execute("SELECT count(*), sum(length(b)) FROM t").fetchone() == (51, 51 * 300)
    con.close()
    with open(path, "rb") as f:
        assert f.read() == original
