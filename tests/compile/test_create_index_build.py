"""CREATE INDEX fills the new index from a sorter (refill_index): the
compiled executor hands the sorter the key values themselves, after the
index's affinities, when they survive a record unchanged, and a record
otherwise (text that is not valid UTF-8); UNIQUE indexes compare neighbouring keys, by Python
equality for BINARY fields and by the collation otherwise.  Results,
errors and the file are compared with stdlib sqlite3."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite

TABLE = ("CREATE TABLE t(a INTEGER, b REAL, c TEXT, d NUMERIC, e BLOB, f, "
         "g TEXT GENERATED ALWAYS AS (a * 2) VIRTUAL)")


def _rows() -> list[tuple]:
    rows = []
    for i in range(300):
        f = [i, i + 0.5, f"t{i % 37}", None, b"\x00\x01" * (i % 3), 2.0][i % 6]
        rows.append((i * 7 % 300, float(i % 50), f"name {i * 13 % 300:03d}",
                     str(i % 20) if i % 4 else f"{i}.0", bytes([i % 256, 7]), f))
    return rows


def _fill(con) -> None:
    con.execute(TABLE)
    con.executemany("INSERT INTO t(a, b, c, d, e, f) VALUES (?, ?, ?, ?, ?, ?)", _rows())
    # Text that is not valid UTF-8 (it does not survive a record as a str).
    con.execute("INSERT INTO t(a, c, f) VALUES (1000, CAST(x'80ff41' AS TEXT), CAST(x'c3' AS TEXT))")
    con.commit()


def _both(tmp_path, statements: list[str], query: str):
    out = []
    for name, mod in (("ref", sqlite3), ("mine", pyrite)):
        con = mod.connect(str(tmp_path / f"{name}.db"))
        _fill(con)
        try:
            for sql in statements:
                con.execute(sql)
            con.commit()
            out.append(("ok", con.execute(query).fetchall()))
        except (sqlite3.Error, pyrite.Error) as exc:
            out.append((type(exc).__name__, str(exc)))
        con.close()
    return out


@pytest.mark.parametrize("cols", ["a", "c", "d", "e", "f", "g", "b, c", "c DESC, a",
                                  "f COLLATE NOCASE", "d DESC, f"])
def test_index_contents_match_sqlite(tmp_path, cols) -> None:
    first = cols.split(",")[0].split()[0]
    query = f"SELECT {first}, rowid FROM t INDEXED BY i WHERE {first} IS NOT NULL OR 1 " \
            f"ORDER BY {cols.split(',')[0]}, rowid"
    ref, mine = _both(tmp_path, [f"CREATE INDEX i ON t({cols})"], query)
    assert mine == ref
    check = sqlite3.connect(str(tmp_path / "mine.db"))
    assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    check.close()


@pytest.mark.parametrize("cols", [
    "c",                    # distinct text
    "a",                    # distinct integers
    "e",                    # equal blobs: an error
    "f",                    # mixed types, the real 2.0 repeated: an error
    "f COLLATE NOCASE",
    "d",                    # NUMERIC '3' and '3.0' both become 3: an error
    "a, c",
    "b, a DESC",
])
def test_unique_index_matches_sqlite(tmp_path, cols) -> None:
    query = "SELECT count(*) FROM t INDEXED BY i"
    ref, mine = _both(tmp_path, [f"CREATE UNIQUE INDEX i ON t({cols})"], query)
    assert mine == ref


def test_unique_nocase_collision(tmp_path) -> None:
    stmts = ["CREATE TABLE u(x TEXT)", "INSERT INTO u VALUES ('Abc'), ('x'), ('aBC'), (NULL), (NULL)",
             "CREATE UNIQUE INDEX j ON u(x COLLATE NOCASE)"]
    ref, mine = _both(tmp_path, stmts, "SELECT count(*) FROM u")
    assert mine == ref
    assert ref[0] == "IntegrityError"
