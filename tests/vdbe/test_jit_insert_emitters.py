"""The compiled forms of the insert opcodes (vdbe/jit.py: MakeRecord
encoding its record, IdxInsert into an index, Insert into a table,
NoConflict's seek): programs use them, and INSERT / REPLACE / INSERT OR
IGNORE over unique, multi-column and DESC indexes with NULLs, text, reals
and conflicts leave the rows and indexes sqlite3 leaves, under both
executors, in files sqlite3's integrity_check passes."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

import pyrite
from pyrite.vdbe import jit

SCHEMA = [
    "CREATE TABLE t(a INTEGER UNIQUE, b, c TEXT, d REAL)",
    "CREATE UNIQUE INDEX tb ON t(b)",
    "CREATE INDEX tcd ON t(c DESC, d)",
    "CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID",
    "CREATE TABLE s(a INTEGER PRIMARY KEY, b)",
]

CHECKS = [
    "SELECT rowid, a, b, c, d FROM t ORDER BY rowid",
    "SELECT b, rowid FROM t INDEXED BY tb WHERE b IS NOT NULL ORDER BY b",
    "SELECT c, d, rowid FROM t INDEXED BY tcd WHERE c IS NOT NULL ORDER BY c DESC, d",
    "SELECT k, v FROM w ORDER BY k",
    "SELECT a, b FROM s ORDER BY a",
]


@pytest.fixture
def mode() -> Iterator[object]:
    saved = jit.MODE
    yield jit.set_mode
    jit.set_mode(saved)


def _statements(seed: int) -> list[tuple[str, tuple]]:
    rng = random.Random(seed)

    def maybe_null(v: object) -> object:
        return None if rng.random() < 0.1 else v

    out: list[tuple[str, tuple]] = []
    for _ in range(600):
        a, b = rng.randrange(200), rng.randrange(300)
        c = rng.choice(["x", "y", "zz", "é", ""]) + str(rng.randrange(40))
        d = rng.choice([1.5, -2.0, 3, None])
        verb = rng.choice(["INSERT OR IGNORE", "REPLACE", "INSERT OR REPLACE"])
        out.append((f"{verb} INTO t VALUES(?,?,?,?)", (maybe_null(a), maybe_null(b), c, d)))
        out.append(("REPLACE INTO w VALUES(?,?)", (c, a)))
        out.append(("REPLACE INTO s VALUES(?,?)", (rng.randrange(300), c)))
        if rng.random() < 0.05:
            out.append(("INSERT OR IGNORE INTO t SELECT a + 1000, b + 1000, c, d FROM t "
                        "WHERE a < ?", (rng.randrange(30),)))
    return out


@pytest.mark.parametrize("executor", ["eager", "compiled", "interp"])
def test_insert_and_replace_match_sqlite3(tmp_path: Path, mode, executor: str) -> None:
    mode(executor)
    path = str(tmp_path / "i.db")
    con = pyrite.connect(path, isolation_level=None)
    ref = sqlite3.connect(":memory:", isolation_level=None)
    for c in (con, ref):
        for sql in SCHEMA:
            c.execute(sql)
    stmts = _statements(5)
    for c in (con, ref):
        c.execute("BEGIN")
        for sql, args in stmts:
            c.execute(sql, args)
        c.execute("COMMIT")
    for q in CHECKS:
        assert con.execute(q).fetchall() == ref.execute(q).fetchall(), q
    con.close()
    chk = sqlite3.connect(path)
    assert chk.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    for q in CHECKS:
        assert chk.execute(q).fetchall() == ref.execute(q).fetchall(), q
    chk.close()


def test_constraint_errors_and_last_rowid(mode) -> None:
    mode("eager")
    con = pyrite.connect(":memory:", isolation_level=None)
    ref = sqlite3.connect(":memory:", isolation_level=None)
    for c in (con, ref):
        c.execute("CREATE TABLE t(a INTEGER UNIQUE, b)")
        c.execute("INSERT INTO t VALUES(1, 'one')")
        c.execute("INSERT INTO t VALUES(NULL, 'n1')")
        c.execute("INSERT INTO t VALUES(NULL, 'n2')")      # NULLs never conflict
    for c in (con, ref):
        with pytest.raises(Exception) as exc:
            c.execute("INSERT INTO t VALUES(1, 'again')")
        assert "UNIQUE constraint failed: t.a" in str(exc.value)
    for c in (con, ref):
        c.execute("INSERT INTO t VALUES(7, 'seven')")
    assert con.execute("SELECT last_insert_rowid(), changes()").fetchall() == \
        ref.execute("SELECT last_insert_rowid(), changes()").fetchall()
    q = "SELECT rowid, a, b FROM t ORDER BY rowid"
    assert con.execute(q).fetchall() == ref.execute(q).fetchall()


def test_programs_use_the_inline_forms() -> None:
    con = pyrite.connect(":memory:")
    con.execute("CREATE TABLE t(a INTEGER UNIQUE, b, c TEXT)")
    db = con._db
    stmt, _ = db.prepare("INSERT INTO t VALUES(?, ?, ?)")
    source = jit.compile_program(stmt.program).source
    assert "r[5] = _encode_record(" in source or "= _encode_record(" in source
    assert "v = ENC" in source                                           # MakeRecord
    assert "c.bt.insert(None, v, k if (v[0] == 3 and" in source          # IdxInsert
    assert "v = c.bt.largest_rowid()" in source                          # NewRowid
    assert "b.index_move_to(k, 0)" in source                             # NoConflict
    assert "c.bt.insert(r[" in source                                    # Insert
    # A DISTINCT set's MakeRecord still hands its values to the hash cursor.
    stmt, _ = db.prepare("SELECT DISTINCT b FROM t")
    source = jit.compile_program(stmt.program).source
    assert "kind == 'hash'" in source
