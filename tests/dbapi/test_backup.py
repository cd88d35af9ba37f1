"""Connection.backup: the same copies, progress reports and errors as the
stdlib sqlite3 module's, and destination files that sqlite3 reads."""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path
from typing import Any

import pytest

import pyrite

SOURCE = """
CREATE TABLE t(x INTEGER PRIMARY KEY, y TEXT);
CREATE INDEX ty ON t(y);
WITH r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 300)
INSERT INTO t SELECT i, printf('row %d', i) FROM r;
PRAGMA user_version=7;
"""


def _header(path: Path) -> dict[str, int]:
    raw = path.read_bytes()[:100]
    u32 = lambda off: struct.unpack(">I", raw[off:off + 4])[0]  # noqa: E731
    return {"counter": u32(24), "pages": u32(28), "cookie": u32(40), "user_version": u32(60)}


def _scenario(module: Any, tmp: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    src = module.connect(str(tmp / "src.db"))
    src.executescript(SOURCE)
    dst = module.connect(str(tmp / "dst.db"))
    dst.executescript("CREATE TABLE a(p); CREATE TABLE b(q); INSERT INTO a VALUES(1);")
    other = module.connect(str(tmp / "dst.db"))
    out["other_before"] = other.execute("SELECT name FROM sqlite_master").fetchall()
    calls: list[tuple[int, int, int]] = []
    src.backup(dst, pages=4, progress=lambda *a: calls.append(a))
    # (page counts differ between the engines' B-trees: compare with the source's)
    n = src.execute("PRAGMA page_count").fetchone()[0]
    out["calls"] = [(st, n - rem if rem else "done", tot == n) for st, rem, tot in calls]
    out["steps"] = len(calls) == (n + 3) // 4
    out["rows"] = dst.execute("SELECT count(*), sum(x), max(y) FROM t").fetchone()
    out["schema"] = dst.execute("SELECT type, name FROM sqlite_master ORDER BY name").fetchall()
    out["user_version"] = dst.execute("PRAGMA user_version").fetchone()
    # another connection to the destination sees the new schema
    out["other_after"] = other.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall()
    out["header"] = _header(tmp / "dst.db")
    out["header"]["pages"] -= n
    mem = module.connect(":memory:")
    src.backup(mem)
    out["memory"] = mem.execute("SELECT count(*) FROM t WHERE y LIKE 'row 2%'").fetchone()
    # the destination may be bigger: it shrinks to the source's size
    big = module.connect(str(tmp / "big.db"))
    big.execute("CREATE TABLE big(b)")
    big.execute("WITH r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 60) "
                "INSERT INTO big SELECT randomblob(800) FROM r")
    big.commit()
    src.backup(big)
    out["big"] = (big.execute("PRAGMA page_count").fetchone()[0] - n,
                  big.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall())
    out["big_size"] = (tmp / "big.db").stat().st_size - 4096 * n
    # an attached or TEMP database is copied by name
    src.execute("CREATE TEMP TABLE tt(z)")
    src.execute("INSERT INTO tt VALUES (5)")
    src.commit()
    mem = module.connect(":memory:")
    src.backup(mem, name="temp")
    out["temp"] = mem.execute("SELECT * FROM tt").fetchall()
    # a new file takes the source's page size
    small = module.connect(str(tmp / "small.db"))
    small.execute("PRAGMA page_size=1024")
    small.execute("CREATE TABLE s(x)")
    small.commit()
    fresh = module.connect(str(tmp / "fresh.db"))
    small.backup(fresh)
    out["fresh"] = (fresh.execute("PRAGMA page_size").fetchone(),
                    (tmp / "fresh.db").stat().st_size)
    small.close()
    fresh.close()
    for c in (src, dst, other, big):
        c.close()
    return out


def test_backup_matches_sqlite3(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "s").mkdir()
    mine = _scenario(pyrite, tmp_path / "p")
    theirs = _scenario(sqlite3, tmp_path / "s")
    assert mine == theirs
    for name in ("dst.db", "big.db", "fresh.db"):
        con = sqlite3.connect(tmp_path / "p" / name)
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        con.close()


def _errors(module: Any, tmp: Path) -> list[Any]:
    src = module.connect(str(tmp / "e.db"))
    src.execute("CREATE TABLE t(x)")
    src.commit()
    dst = module.connect(str(tmp / "f.db"), isolation_level=None)
    seen: list[Any] = []

    def attempt(fn: Any) -> None:
        try:
            fn()
            seen.append("ok")
        except Exception as e:  # noqa: BLE001 - the error is the outcome
            seen.append((type(e).__name__, str(e).replace("sqlite3.", "").replace("pyrite.", "")))

    attempt(lambda: src.backup(dst, name="nosuch"))
    attempt(lambda: src.backup(src))
    attempt(lambda: src.backup(dst, progress=5))
    attempt(lambda: src.backup(dst, progress=lambda *a: 1 / 0))
    dst.execute("BEGIN")
    dst.execute("SELECT * FROM sqlite_master").fetchall()
    attempt(lambda: src.backup(dst))          # the destination holds a read lock
    dst.execute("COMMIT")
    small = module.connect(":memory:")
    small.execute("PRAGMA page_size=512")
    small.execute("CREATE TABLE q(x)")
    attempt(lambda: src.backup(small))        # page sizes differ, in memory
    src.close()
    attempt(lambda: src.backup(dst))
    return seen


def test_backup_errors_match_sqlite3(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "s").mkdir()
    assert _errors(pyrite, tmp_path / "p") == _errors(sqlite3, tmp_path / "s")


def test_backup_target_must_be_a_connection() -> None:
    con = pyrite.connect(":memory:")
    with pytest.raises(TypeError, match="must be pyrite.Connection"):
        con.backup(sqlite3.connect(":memory:"))
