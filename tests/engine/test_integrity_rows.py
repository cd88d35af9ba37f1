"""PRAGMA integrity_check's row-by-row part: every table row's entry in
every index (Found with OPFLAG_WHOLE_ENTRY: a map of the index's entries
built once instead of a seek per row), UNIQUE indexes' uniqueness and each
index's entry count.  Differential against the standard library's sqlite3
on files whose indexes disagree with their tables (an index's definition
rewritten through writable_schema)."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

import pyrite
from pyrite.storage import btree
from pyrite.vdbe.ops import cursor as cursor_ops

ROWS = """WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 300)
INSERT INTO t SELECT x % 37, 'v' || (x % 11) || printf('%.*c', x % 40, 'x'), x FROM s;"""


def make_file(path, page_size: int, indexes: str, swaps: dict[str, str]) -> None:
    """A table of 300 rows with ``indexes``, then each index named in
    ``swaps`` given another definition (its entries stay as built)."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute(f"PRAGMA page_size={page_size}")
    con.executescript("CREATE TABLE t(a INTEGER, b TEXT, c);" + ROWS + indexes)
    con.execute("PRAGMA writable_schema=ON")
    for name, sql in swaps.items():
        con.execute("UPDATE sqlite_schema SET sql=? WHERE name=?", (sql, name))
    con.execute("PRAGMA writable_schema=OFF")
    con.close()


def both(path, sql: str):
    theirs = sqlite3.connect(path).execute(sql).fetchall()
    mine = pyrite.connect(str(path)).execute(sql).fetchall()
    return mine, theirs


CASES = {
    "sound": ("CREATE INDEX ta ON t(a); CREATE UNIQUE INDEX tc ON t(c);"
              "CREATE INDEX tb ON t(b COLLATE NOCASE); CREATE INDEX tba ON t(b DESC, a);", {}),
    "missing_entries": ("CREATE INDEX tab ON t(a, b); CREATE INDEX tc ON t(c);",
                        {"tab": "CREATE INDEX tab ON t(b, a)"}),
    "non_unique": ("CREATE INDEX ta ON t(a); CREATE INDEX tb ON t(b);",
                   {"ta": "CREATE UNIQUE INDEX ta ON t(a)"}),
    "nocase_and_partial": ("CREATE INDEX tb ON t(b COLLATE NOCASE); CREATE INDEX tp ON t(a) WHERE c > 100;",
                           {"tb": "CREATE INDEX tb ON t(b)", "tp": "CREATE INDEX tp ON t(a) WHERE c > 50"}),
}


@pytest.mark.parametrize("page_size", [512, 4096])
@pytest.mark.parametrize("case", sorted(CASES))
def test_integrity_check_rows_match_sqlite(tmp_path, case: str, page_size: int) -> None:
    path = tmp_path / "t.db"
    make_file(path, page_size, *CASES[case])
    for sql in ("PRAGMA integrity_check", "PRAGMA integrity_check(7)", "PRAGMA quick_check"):
        mine, theirs = both(path, sql)
        assert mine == theirs, sql


def test_without_the_entry_map_the_same(tmp_path, monkeypatch) -> None:
    """Indexes too large for a map (and the seeks they fall back to) report
    the same problems."""
    path = tmp_path / "t.db"
    make_file(path, 512, *CASES["missing_entries"])
    with_map, theirs = both(path, "PRAGMA integrity_check")
    monkeypatch.setattr(cursor_ops, "ENTRY_MAP_LIMIT", 5)
    without, _ = both(path, "PRAGMA integrity_check")
    assert with_map == without == theirs


def test_user_collation_index_seeks(tmp_path) -> None:
    """An index under a user collation is probed by seeks (equal Python
    values need not compare equal under it): a collation that sorts all
    texts alike makes every entry match, as in sqlite3."""
    path = tmp_path / "t.db"
    con = sqlite3.connect(path, isolation_level=None)
    con.create_collation("SAME", lambda a, b: 0)
    con.executescript("CREATE TABLE t(a, b TEXT); INSERT INTO t VALUES(1, 'x'), (2, 'y');"
                      "CREATE INDEX tb ON t(b COLLATE SAME);")
    theirs = con.execute("PRAGMA integrity_check").fetchall()
    con.close()
    mine = pyrite.connect(str(path))
    mine.create_collation("SAME", lambda a, b: 0)
    assert mine.execute("PRAGMA integrity_check").fetchall() == theirs == [("ok",)]


def test_write_between_steps_drops_the_map(tmp_path, monkeypatch) -> None:
    """A write to an index while integrity_check is paused on a result row
    leaves the index's entry map stale: its sentinel cursor is saved, the
    map is dropped and later rows seek; the rows reported match sqlite3's."""
    path = tmp_path / "t.db"
    make_file(path, 512, *CASES["non_unique"])
    shutil.copy(path, tmp_path / "orig.db")
    maps = []
    build = cursor_ops._build_entry_map

    def spy(c):
        out = build(c)
        maps.append(out)
        return out

    monkeypatch.setattr(cursor_ops, "_build_entry_map", spy)

    def run(module, file):
        con = module.connect(str(file), isolation_level=None)
        cur = con.execute("PRAGMA integrity_check(60)")
        out = [cur.fetchone() for _ in range(3)]
        con.execute("INSERT INTO t VALUES(1000, 'zz', 1000)")
        out += cur.fetchall()
        con.close()
        return out

    theirs = run(sqlite3, tmp_path / "orig.db")
    mine = run(pyrite, path)
    assert mine == theirs
    assert any(m and m.sentinel.state != btree._VALID for m in maps)


def test_entry_positions_are_where_seeks_land(tmp_path) -> None:
    """BTreeCursor.entry_positions agrees with index_move_to on every entry
    of a multi-level index (entries on interior pages included)."""
    path = tmp_path / "t.db"
    make_file(path, 512, "CREATE INDEX tb ON t(b, a);", {})
    con = pyrite.connect(str(path))
    con.execute("BEGIN")
    con.execute("SELECT count(*) FROM t").fetchall()
    root = con.execute("SELECT rootpage FROM sqlite_schema WHERE name='tb'").fetchone()[0]
    tree = con._db.main_btree if not callable(con._db.main_btree) else con._db.main_btree()
    from pyrite import values
    ki = values.KeyInfo([None, None, None])
    positions = tree.cursor(root, key_info=ki).entry_positions(10_000)
    assert len(positions) == 300
    assert any(info.leaf is False for _, _, info, _ in positions.values())
    seek = tree.cursor(root, key_info=ki)
    for key, (path_, page, info, idx) in positions.items():
        assert seek.index_move_to(list(key), 0) == 0
        assert [lvl[0].pgno for lvl in seek.stack] == [lvl[0].pgno for lvl in path_] + [page.pgno]
        assert seek.stack[-1][2] == idx
    assert tree.cursor(root, key_info=ki).entry_positions(100) is None


def test_maps_only_for_binary_indexes(tmp_path, monkeypatch) -> None:
    """A NOCASE index (texts equal under it that Python tells apart) is
    probed by seeks; a BINARY one through its entry map."""
    path = tmp_path / "t.db"
    make_file(path, 4096, "CREATE INDEX tb ON t(b COLLATE NOCASE); CREATE INDEX ta ON t(a);", {})
    built = []
    build = cursor_ops._build_entry_map

    def spy(c):
        out = build(c)
        built.append(bool(out))
        return out

    monkeypatch.setattr(cursor_ops, "_build_entry_map", spy)
    mine, theirs = both(path, "PRAGMA integrity_check")
    assert mine == theirs == [("ok",)]
    assert sorted(built) == [False, True]


@pytest.mark.parametrize("mode", ["eager", "interp"])
def test_compiled_probe_skips_the_handler(tmp_path, monkeypatch, mode: str) -> None:
    """Compiled, the probe of a whole entry looks its map up inline: the
    handler runs once per index (building the map) and for the rows the map
    misses; interpreted it runs for every row and index.  Both report what
    sqlite3 reports."""
    from pyrite.vdbe import jit
    saved = jit.set_mode(mode)
    try:
        path = tmp_path / "t.db"
        make_file(path, 4096, "CREATE INDEX ta ON t(a); CREATE UNIQUE INDEX tbc ON t(b, c);", {})
        calls = []
        probe = cursor_ops._found_whole_entry

        def spy(c, key):
            calls.append(tuple(key))
            return probe(c, key)

        monkeypatch.setattr(cursor_ops, "_found_whole_entry", spy)
        mine, theirs = both(path, "PRAGMA integrity_check")
        assert mine == theirs == [("ok",)]
        assert len(calls) == (2 if mode == "eager" else 600)
        # A missing entry: the inline look-up misses, the handler seeks.
        path = tmp_path / "u.db"
        make_file(path, 4096, *CASES["missing_entries"])
        mine, theirs = both(path, "PRAGMA integrity_check")
        assert mine == theirs and len(mine) == 100
    finally:
        jit.set_mode(saved)
