"""ALTER TABLE RENAME TO / ADD COLUMN against stdlib sqlite3: the stored
schema text byte for byte, the data, the errors, and files that each
engine can open and check after the other wrote them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import pyrite

SETUP = [
    "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c, UNIQUE(b), CHECK(c IS NOT 5))",
    "CREATE INDEX ti ON t(c)",
    'CREATE TABLE "x y"(p REFERENCES t(a), q references "T", r REFERENCES other)',
    "CREATE TABLE s(id INTEGER PRIMARY KEY AUTOINCREMENT, v)",
    "INSERT INTO t VALUES(1, 'one', 10), (2, 'two', 20)",
    "INSERT INTO s(v) VALUES('a'), ('b')",
    "INSERT INTO \"x y\" VALUES(1, 2, 3)",
]

CASES = [
    ["ALTER TABLE t RENAME TO u"],
    ["ALTER TABLE T RENAME TO [new name]"],
    ['ALTER TABLE "x y" RENAME TO z'],
    ["ALTER TABLE s RENAME TO s2", "INSERT INTO s2(v) VALUES('c')"],
    ["ALTER TABLE t ADD COLUMN d INT DEFAULT 7 ;  "],
    ["ALTER TABLE t ADD e TEXT DEFAULT 5", "ALTER TABLE t ADD f REAL DEFAULT -2"],
    ["ALTER TABLE \"x y\" ADD COLUMN g NOT NULL DEFAULT 'z' COLLATE nocase"],
    ["ALTER TABLE t ADD COLUMN h", "ALTER TABLE t RENAME TO w", "INSERT INTO w(b, h) VALUES('x', 1)"],
    ["ALTER TABLE t RENAME b TO bb", "ALTER TABLE t RENAME COLUMN C TO [c c]"],
    ["ALTER TABLE t RENAME COLUMN a TO \"A\"", "INSERT INTO t(b) VALUES('three')"],
    ["ALTER TABLE \"x y\" RENAME p TO pp", "ALTER TABLE s RENAME COLUMN v TO w"],
    ["CREATE TABLE e(k)", "ALTER TABLE e ADD COLUMN n NOT NULL",
     "ALTER TABLE e ADD COLUMN m DEFAULT (1 + 2)"],
    ["ALTER TABLE t ADD COLUMN d DEFAULT 4.5", "ALTER TABLE t DROP COLUMN d"],
    ["ALTER TABLE t ADD COLUMN d DEFAULT 'k'", "ALTER TABLE \"x y\" DROP p", "ALTER TABLE \"x y\" DROP r"],
    ["CREATE TABLE w(a, b DEFAULT 'q', c)", "INSERT INTO w(a, c) VALUES(1, 2)", "ALTER TABLE w DROP a",
     "CREATE INDEX wb ON w(b)", "ALTER TABLE w DROP COLUMN c"],
]

ERRORS = [
    "ALTER TABLE nope RENAME TO u",
    "ALTER TABLE t RENAME TO s",
    "ALTER TABLE t RENAME TO ti",
    "ALTER TABLE t RENAME TO sqlite_x",
    "ALTER TABLE sqlite_sequence RENAME TO q",
    "ALTER TABLE t ADD COLUMN b",
    "ALTER TABLE t ADD COLUMN d PRIMARY KEY",
    "ALTER TABLE t ADD COLUMN d UNIQUE",
    "ALTER TABLE t ADD COLUMN d NOT NULL",
    "ALTER TABLE t ADD COLUMN d DEFAULT (1 + 2)",
    "ALTER TABLE t ADD COLUMN d DEFAULT CURRENT_TIME",
    "ALTER TABLE t ADD COLUMN d REFERENCES s(id, v)",
    "ALTER TABLE t RENAME COLUMN zz TO y",
    "ALTER TABLE t RENAME COLUMN a TO B",
    "ALTER TABLE t DROP COLUMN a",
    "ALTER TABLE t DROP COLUMN b",
    "ALTER TABLE t DROP COLUMN c",
    "ALTER TABLE t DROP COLUMN zz",
    "ALTER TABLE s DROP COLUMN id",
    'ALTER TABLE t DROP COLUMN "zz"',
    "ALTER TABLE t DROP [zz];",
    'ALTER TABLE t RENAME COLUMN "zz" TO y',
    "ALTER TABLE t RENAME [zz] TO y",
]


def _run(mod, path: str, stmts: list[str]) -> tuple:
    conn = mod.connect(path, isolation_level=None)
    try:
        for s in SETUP + stmts:
            conn.execute(s)
        schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema").fetchall()
        data = []
        for (name,) in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'"):
            q = '"' + name.replace('"', '""') + '"'
            data.append(conn.execute(f"SELECT *, typeof({q}.rowid) FROM {q}").fetchall())
        return schema, data
    finally:
        conn.close()


@pytest.mark.parametrize("stmts", CASES)
def test_alter_matches_sqlite(stmts: list[str], tmp_path: Path) -> None:
    p_path = str(tmp_path / "p.db")
    expected = _run(sqlite3, str(tmp_path / "s.db"), stmts)
    assert _run(pyrite, p_path, stmts) == expected
    # The Pyrite-written file is sound for sqlite3.
    conn = sqlite3.connect(p_path)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()


@pytest.mark.parametrize("stmt", ERRORS)
def test_alter_errors_match_sqlite(stmt: str) -> None:
    results = []
    for mod in (sqlite3, pyrite):
        conn = mod.connect(":memory:", isolation_level=None)
        for s in SETUP:
            conn.execute(s)
        try:
            conn.execute(stmt)
            results.append(None)
        except Exception as e:  # noqa: BLE001 - compared across engines
            results.append((type(e).__name__, str(e)))
        conn.close()
    assert results[0] is not None
    assert results[1] == results[0]


def test_pyrite_reads_sqlite_altered_file(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    stmts = ["ALTER TABLE t ADD COLUMN d DEFAULT 'dflt'", "ALTER TABLE t RENAME TO u"]
    _run(sqlite3, path, stmts)
    conn = pyrite.connect(path)
    assert conn.execute("SELECT * FROM u ORDER BY a").fetchall() == [
        (1, "one", 10, "dflt"), (2, "two", 20, "dflt")]
    conn.execute("ALTER TABLE u ADD COLUMN e DEFAULT 3")
    conn.commit()
    conn.close()
    conn2 = sqlite3.connect(path)
    assert conn2.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn2.execute("SELECT e FROM u").fetchall() == [(3,), (3,)]
    conn2.close()
