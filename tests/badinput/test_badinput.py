"""Bad input never escapes as anything but a Pyrite exception with SQLite's wording.

Malformed SQL and wrong parameter counts are compared with the stdlib
sqlite3 module message for message; truncated and corrupted database
files must give a pyrite.Error subclass whose text is one SQLite uses
(or the rows), never another exception type, and never hang: every case
runs under a SIGALRM guard.
"""

from __future__ import annotations

import contextlib
import random
import re
import signal
import sqlite3

import pytest

import pyrite

TIME_LIMIT = 30  # seconds per case


@contextlib.contextmanager
def time_guard(seconds: int = TIME_LIMIT):
    def expired(signum, frame):
        raise TimeoutError(f"case took longer than {seconds}s")
    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def outcome(mod, fn):
    try:
        with time_guard():
            return ("ok", fn())
    except TimeoutError:
        raise
    except Exception as exc:  # noqa: BLE001 - compared as data
        if mod is pyrite and not isinstance(exc, (pyrite.Error, OverflowError, TypeError,
                                                  ValueError)):
            pytest.fail(f"non-Pyrite exception {type(exc).__name__}: {exc}")
        return (type(exc).__name__, str(exc))


MALFORMED_SQL = [
    "selec 1", "select", "select 1 from", "select * from t where", "select (1", "select 1)",
    "select 'abc", 'select "abc', "select x'1'", "select x'zz'", "select 1 +", "create table",
    "insert into t values(", "insert into t values(1", "update t set", "delete from",
    "select * from t order by", "select * from t limit", "select * fro t", "drop table nosuch",
    "select nosuch()", "select abs()", "select abs(1,2)", "select * from t group by",
    "select ?1000000", "select #", "select 1 1", "select * from (select 1",
    "create index i on nosuch(x)", "insert into t(nosuch) values(1)", "select t.nosuch from t",
    "select a from t, t", "commit", "rollback", "release x", "select 1 union select 1, 2",
    "select /* unterminated", "select 1e", "select 0x", "select 1.2.3",
    "select * from t natural join", "pragma", "select case end", "select distinct",
    "with", "select 1 collate nosuchcoll", "create table t(a, a)", "insert into t select 1, 2",
    "select (select 1, 2)", ";;;", "explain", "select -", "select ~", "\x00",
    "select 1; select 2",
]


@pytest.mark.parametrize("sql", MALFORMED_SQL)
def test_malformed_sql(sql):
    results = []
    for mod in (sqlite3, pyrite):
        con = mod.connect(":memory:")
        con.execute("create table t(a, b)")
        results.append(outcome(mod, lambda: con.execute(sql).fetchall()))
        con.close()
    assert results[1] == results[0]


@pytest.mark.parametrize("sql,params", [
    ("select ?", ()), ("select ?", (1, 2)), ("select ?, ?", [1]), ("select :a", {}),
    ("select :a, :b", {"a": 1}), ("select ?", {"x": 1}), ("select ?", None),
    ("select ?", "ab"), ("select ?", (object(),)), ("select ?", (2 ** 64,)),
    ("select ?", ([1],)), ("select ?", ({},)),
])
def test_wrong_parameters(sql, params):
    results = []
    for mod in (sqlite3, pyrite):
        con = mod.connect(":memory:")
        results.append(outcome(mod, lambda: con.execute(sql, params).fetchall()))
        con.close()
    assert results[1] == results[0]


# -- damaged files ---------------------------------------------------------------

SQLITE_FILE_MESSAGES = [
    r"database disk image is malformed",
    r"file is not a database",
    r"malformed database schema \(.*\).*",
    r"no such table: \w+",
    r"unsupported file format",
    r"disk I/O error",
    # a flipped byte in a text value: the DB-API reports text that is not
    # UTF-8 as sqlite3 does (the bytes themselves are kept)
    r"(?s)Could not decode to UTF-8 column '\w+' with text '.*'",
]


def _reference_file(path) -> bytes:
    con = sqlite3.connect(path)
    con.execute("create table a(id integer primary key, name text, data blob)")
    con.execute("create index a_name on a(name)")
    con.execute("create table b(x, y, z)")
    con.executemany("insert into a(name, data) values(?, ?)",
                    ((f"name {i}" * (1 + i % 40), bytes([i % 256]) * (i % 3000))
                     for i in range(600)))
    con.executemany("insert into b values(?, ?, ?)", ((i, i * 0.5, str(i)) for i in range(900)))
    con.commit()
    con.close()
    with open(path, "rb") as f:
        return f.read()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return _reference_file(str(tmp_path_factory.mktemp("bad") / "ref.db"))


def _read_all(path):
    con = pyrite.connect(path)
    try:
        return [con.execute(q).fetchall() for q in (
            "select * from a", "select * from b", "select name from a where name > 'name 5'",
            "select count(*) from a")]
    finally:
        con.close()


def _check_damaged(tmp_path, blob: bytes):
    path = tmp_path / "damaged.db"
    path.write_bytes(blob)
    try:
        with time_guard():
            _read_all(str(path))
    except TimeoutError:
        raise
    except pyrite.Error as exc:
        assert any(re.fullmatch(p, str(exc)) for p in SQLITE_FILE_MESSAGES), str(exc)
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"non-Pyrite exception {type(exc).__name__}: {exc}")


def test_intact_reference_reads(tmp_path, reference):
    path = tmp_path / "intact.db"
    path.write_bytes(reference)
    rows = _read_all(str(path))
    assert rows[3] == [(600,)]
    assert len(rows[1]) == 900


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.99])
def test_truncated_files(tmp_path, reference, fraction):
    _check_damaged(tmp_path, reference[:int(len(reference) * fraction)])


@pytest.mark.parametrize("cut", [1, 50, 99, 100, 101, 512, 4095, 4097])
def test_truncated_headers(tmp_path, reference, cut):
    _check_damaged(tmp_path, reference[:cut])


@pytest.mark.parametrize("seed", range(40))
def test_corrupted_files(tmp_path, reference, seed):
    rng = random.Random(seed)
    blob = bytearray(reference)
    for _ in range(rng.choice([1, 4, 32])):
        # Half the cases hit the first pages: header, schema, root pages.
        limit = len(blob) if seed % 2 else min(len(blob), 3 * 4096)
        blob[rng.randrange(limit)] = rng.randrange(256)
    _check_damaged(tmp_path, bytes(blob))


def test_not_a_database(tmp_path):
    path = tmp_path / "text.db"
    path.write_bytes(b"this is not an SQLite database file at all " * 200)
    with time_guard():
        with pytest.raises(pyrite.DatabaseError, match="^file is not a database$"):
            _read_all(str(path))


def test_wrong_page_size_header(tmp_path, reference):
    blob = bytearray(reference)
    blob[16:18] = (1000).to_bytes(2, "big")   # not a power of two
    path = tmp_path / "ps.db"
    path.write_bytes(bytes(blob))
    results = []
    for mod in (sqlite3, pyrite):
        results.append(outcome(mod, lambda: mod.connect(str(path)).execute(
            "select count(*) from a").fetchall()))
    assert results[1] == results[0]
