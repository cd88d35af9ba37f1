"""Connection.serialize / deserialize: bytes that either engine reads, and
sqlite3's errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

import pyrite


def _outcome(fn: Any) -> Any:
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001 - the error is the outcome
        return (type(e).__name__, str(e))


def _script(module: Any, tmp: Path) -> list[Any]:
    seen = []
    con = module.connect(":memory:")
    seen.append(_outcome(lambda: con.serialize()))              # nothing to serialize yet
    con.executescript("CREATE TABLE t(x, y); CREATE INDEX ty ON t(y);"
                      "INSERT INTO t VALUES (1, 'a'), (2, 'b');")
    data = con.serialize()
    seen.append(_outcome(lambda: con.serialize(name="nosuch")))
    other = module.connect(":memory:")
    other.deserialize(data)
    seen.append(other.execute("SELECT * FROM t ORDER BY y DESC").fetchall())
    other.execute("INSERT INTO t VALUES (3, 'c')")
    other.commit()
    seen.append(other.execute("SELECT count(*) FROM t").fetchone())
    # a file database is reopened in memory: the file keeps its content
    path = tmp / "f.db"
    f = module.connect(str(path))
    f.execute("CREATE TABLE w(z)")
    f.commit()
    f.deserialize(data)
    f.execute("CREATE TABLE more(z)")
    f.commit()
    seen.append(f.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall())
    f.close()
    back = module.connect(str(path))
    seen.append(back.execute("SELECT name FROM sqlite_master").fetchall())
    back.close()
    # an attached database by name
    con.execute("ATTACH ':memory:' AS aux")
    con.deserialize(data, name="aux")
    seen.append(con.execute("SELECT count(*) FROM aux.t").fetchone())
    seen.append(_outcome(lambda: other.deserialize("text")))
    return seen


def test_serialize_round_trip_matches_sqlite3(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "s").mkdir()
    mine = _script(pyrite, tmp_path / "p")
    theirs = _script(sqlite3, tmp_path / "s")
    assert mine == theirs


def test_bytes_cross_between_engines() -> None:
    mine = pyrite.connect(":memory:")
    mine.executescript("CREATE TABLE t(x PRIMARY KEY, y) WITHOUT ROWID;"
                       "INSERT INTO t VALUES (1, randomblob(3000)), (2, 'two');")
    theirs = sqlite3.connect(":memory:")
    theirs.deserialize(mine.serialize())
    assert theirs.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    theirs.execute("INSERT INTO t VALUES (3, 'three')")
    theirs.commit()
    again = pyrite.connect(":memory:")
    again.deserialize(theirs.serialize())
    assert again.execute("SELECT x, length(y) FROM t").fetchall() == [(1, 3000), (2, 3), (3, 5)]


def test_deserialize_rejects_what_is_not_a_database() -> None:
    con = pyrite.connect(":memory:")
    with pytest.raises(pyrite.DatabaseError, match="file is not a database"):
        con.deserialize(b"junk" * 100)
        con.execute("SELECT * FROM sqlite_master")
