"""REPLACE and DELETE paths, differential against the standard library's
sqlite3: a plain REPLACE deletes a conflicting row's entry where its
unique check left the index cursor (no second seek; for a WITHOUT ROWID
table's primary key, the row itself), while triggers (under
recursive_triggers) and foreign keys keep the general path that seeks
again.  Rows, every index's contents, changes()/total_changes() and the
files (opened by sqlite3, PRAGMA integrity_check) must agree."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

import pyrite
from tests.engine.test_update_indexes import compare_script


def numbered(n: int, expr: str) -> str:
    return (f"WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < {n}) "
            f"SELECT {expr} FROM s")


CASES = {
    "several_unique_indexes_conflict_at_once": [
        "CREATE TABLE t(a INTEGER UNIQUE, b INTEGER, c TEXT, d)",
        "CREATE UNIQUE INDEX tb ON t(b)", "CREATE INDEX tc ON t(c DESC)",
        "INSERT INTO t(a, b, c) " + numbered(300, "x, (x * 37) % 301, 'n' || x"),
        "REPLACE INTO t(a, b, c) " + numbered(300, "(x * 11) % 307, x, 'r' || x"),
        "SELECT changes(), total_changes()",
        "REPLACE INTO t(a, b, c) VALUES (5, 6, 'x'), (NULL, 6, 'y'), (7, NULL, 'z'), (7, 8, 'w')",
        "SELECT changes(), total_changes()",
        "SELECT count(*), sum(a), sum(b) FROM t",
    ],
    "ipk_and_unique": [
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE, c)",
        "INSERT INTO t " + numbered(200, "x, x * 3, x % 7"),
        "REPLACE INTO t " + numbered(200, "(x * 13) % 211, x * 3 + (x % 2) * 3, x"),
        "SELECT changes(), total_changes()",
        "INSERT OR REPLACE INTO t VALUES (1, 6, 'a'), (2, 6, 'b')",
        "SELECT * FROM t ORDER BY a",
    ],
    "ipk_overwritten_in_place": [
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b)",
        "INSERT INTO t " + numbered(150, "x, printf('%.*c', x % 40, 'v')"),
        "REPLACE INTO t " + numbered(150, "(x * 7) % 160, printf('%.*c', x % 13, 'w')"),
        "SELECT changes(), total_changes(), last_insert_rowid()",
        "REPLACE INTO t VALUES (3, zeroblob(3000)), (3, 'short')",
        "SELECT a, length(b), typeof(b) FROM t ORDER BY a",
        "CREATE INDEX tb ON t(b)",
        "REPLACE INTO t " + numbered(150, "(x * 3) % 170, x % 5"),
        "SELECT changes(), total_changes()",
        "SELECT * FROM t ORDER BY b, a",
    ],
    "without_rowid_text_pk": [
        "CREATE TABLE w(a TEXT PRIMARY KEY, b, c UNIQUE) WITHOUT ROWID",
        "INSERT INTO w " + numbered(300, "'k' || (x * 7 % 101), x, x"),
        "REPLACE INTO w " + numbered(300, "'k' || (x % 150), -x, x * 2"),
        "SELECT changes(), total_changes()",
        "REPLACE INTO w VALUES ('k3', 1, 4), ('k4', 2, 4), ('new', 3, NULL)",
        "SELECT changes()",
        "SELECT * FROM w ORDER BY a",
        "SELECT * FROM w ORDER BY c, a",
    ],
    "without_rowid_composite_pk_collate": [
        "CREATE TABLE w(a TEXT COLLATE NOCASE, b INT, c, PRIMARY KEY(b, a)) WITHOUT ROWID",
        "CREATE UNIQUE INDEX wc ON w(c) WHERE c > 10",
        "INSERT INTO w " + numbered(100, "char(65 + x % 26), x % 4, x"),
        "REPLACE INTO w " + numbered(100, "char(97 + x % 26), x % 4, x + 50"),
        "SELECT changes()",
        "SELECT * FROM w ORDER BY b, a",
    ],
    "delete_trigger_only_with_recursive_triggers": [
        "CREATE TABLE t(a INTEGER UNIQUE, b UNIQUE, c)",
        "CREATE TABLE log(x, y)",
        "CREATE TRIGGER td BEFORE DELETE ON t BEGIN INSERT INTO log VALUES (old.a, old.b); END",
        "INSERT INTO t " + numbered(50, "x, x * 2, x"),
        "REPLACE INTO t VALUES (3, 8, 'no trigger')",
        "SELECT count(*) FROM log",
        "PRAGMA recursive_triggers = 1",
        "REPLACE INTO t VALUES (5, 12, 'trigger'), (9, 100, 'again')",
        "SELECT changes(), total_changes()",
        "SELECT * FROM log ORDER BY x",
        "SELECT * FROM t ORDER BY a",
    ],
    "trigger_changes_the_conflicting_index": [
        "CREATE TABLE t(a INTEGER UNIQUE, b UNIQUE, c)",
        "INSERT INTO t " + numbered(30, "x, x * 2, x"),
        "CREATE TRIGGER td BEFORE DELETE ON t BEGIN "
        "DELETE FROM t WHERE a = old.a + 1; UPDATE t SET b = -b WHERE a = old.a - 1; END",
        "PRAGMA recursive_triggers = 1",
        "REPLACE INTO t VALUES (10, 40, 'x'), (15, 2, 'y')",
        "SELECT * FROM t ORDER BY a",
    ],
    "foreign_keys_keep_the_general_path": [
        "PRAGMA foreign_keys = 1",
        "CREATE TABLE p(id INTEGER PRIMARY KEY, k UNIQUE)",
        "CREATE TABLE c(x REFERENCES p(k) ON DELETE CASCADE)",
        "INSERT INTO p " + numbered(20, "x, x * 10"),
        "INSERT INTO c " + numbered(20, "x * 10"),
        "REPLACE INTO p VALUES (100, 50), (3, 999)",
        "SELECT * FROM p ORDER BY id", "SELECT * FROM c ORDER BY x",
    ],
    "deletes_ranges_and_rows": [
        "CREATE TABLE z(a INTEGER UNIQUE, b INTEGER, c TEXT)",
        "CREATE UNIQUE INDEX zb ON z(b)", "CREATE INDEX zc ON z(c DESC)",
        "INSERT INTO z " + numbered(300, "x, (x * 149) % 301, 'v' || (x * 7 % 53)"),
        "DELETE FROM z WHERE b BETWEEN 100 AND 180",
        "SELECT changes()",
        "DELETE FROM z WHERE a = 17", "DELETE FROM z WHERE a = 17",
        "SELECT changes(), total_changes()",
        "DELETE FROM z WHERE c > 'v3'",
        "REPLACE INTO z " + numbered(300, "x, x, 'w' || x"),
        "SELECT count(*), sum(b) FROM z",
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_replace_delete(name: str) -> None:
    compare_script(CASES[name])


def _ops(con) -> list[tuple]:
    return [(r[1], r[2]) for r in con.execute(
        "EXPLAIN REPLACE INTO t VALUES (1, 2, 3)").fetchall()]


def test_plain_replace_deletes_where_the_check_left_the_cursor() -> None:
    con = pyrite.connect(":memory:")
    con.execute("CREATE TABLE t(a INTEGER UNIQUE, b UNIQUE, c)")
    ops = _ops(con)
    names = [o for o, _ in ops]
    # two unique indexes: each conflict deletes the other index's entry
    # by key and its own where NoConflict stopped
    assert names.count("IdxDelete") == 2
    assert names.count("Delete") == 4
    con.execute("CREATE TRIGGER td BEFORE DELETE ON t BEGIN SELECT 1; END")
    con.execute("PRAGMA recursive_triggers = 1")
    names = [o for o, _ in _ops(con)]
    assert names.count("IdxDelete") == 4 and names.count("Delete") == 2


def test_ipk_replace_leaves_the_row_to_the_insert() -> None:
    con = pyrite.connect(":memory:")
    con.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b, c UNIQUE)")
    names = [o for o, _ in _ops(con)]
    # the rowid conflict deletes the old row's index entry only; the
    # unique conflict deletes another row whole
    assert names.count("IdxDelete") == 1 and names.count("Delete") == 2
    con.execute("CREATE TRIGGER td AFTER DELETE ON t BEGIN SELECT 1; END")
    con.execute("PRAGMA recursive_triggers = 1")
    names = [o for o, _ in _ops(con)]
    assert names.count("Delete") == 2 and names.count("IdxDelete") == 2


def test_without_rowid_replace_deletes_the_found_row() -> None:
    con = pyrite.connect(":memory:")
    con.execute("CREATE TABLE t(a TEXT PRIMARY KEY, b, c) WITHOUT ROWID")
    names = [o for o, _ in _ops(con)]
    assert "NotFound" not in names and names.count("Delete") == 1


def test_replace_and_delete_files_stay_valid_for_sqlite3(tmp_path: Path) -> None:
    """speedtest1's REPLACE and DELETE shapes on a file, in turns with
    random keys; stdlib sqlite3 then checks the file and its rows."""
    path = str(tmp_path / "r.db")
    mine = pyrite.connect(path, isolation_level=None)
    ref = sqlite3.connect(":memory:", isolation_level=None)
    rng = random.Random(5)
    script = [
        "CREATE TABLE z1(a INTEGER, b INTEGER, c TEXT)",
        "CREATE TABLE z2(a INTEGER UNIQUE, b INTEGER, c TEXT)",
        "CREATE UNIQUE INDEX t2b ON z2(b)", "CREATE INDEX t2c ON z2(c DESC)",
        "CREATE TABLE t5(a INTEGER PRIMARY KEY, b)",
        "CREATE TABLE t6(a TEXT PRIMARY KEY, b) WITHOUT ROWID",
    ]
    for con in (mine, ref):
        for sql in script:
            con.execute(sql)
    rows1 = [(rng.randrange(1, 800), i, f"n{rng.randrange(300)}") for i in range(1, 500)]
    rows2 = [(i, rng.randrange(1, 600), f"m{i % 97}") for i in range(1, 500)]
    dels = [rng.randrange(1, 600) for _ in range(80)]
    keys = [rng.randrange(1, 150) for _ in range(300)]
    for con in (mine, ref):
        con.execute("BEGIN")
        con.executemany("INSERT INTO z1 VALUES (?, ?, ?)", rows1)
        con.executemany("INSERT OR IGNORE INTO z2 VALUES (?, ?, ?)", rows2)
        for x in dels[:30]:
            con.execute("DELETE FROM z2 WHERE b BETWEEN ? AND ?", (x, x + 9))
        for x in dels[30:]:
            con.execute("DELETE FROM z2 WHERE a = ?", (x,))
        con.execute("REPLACE INTO z2(a, b, c) SELECT a, b, c FROM z1")
        for i, k in enumerate(keys):
            con.execute("REPLACE INTO t5 VALUES (?, ?)", (k, f"v{i}"))
            con.execute("REPLACE INTO t6 VALUES (?, ?)", (f"k{k}", i))
        con.execute("COMMIT")
    checks = ["SELECT * FROM z2 ORDER BY a", "SELECT * FROM z2 INDEXED BY t2c ORDER BY c DESC, a",
              "SELECT * FROM t5 ORDER BY a", "SELECT * FROM t6 ORDER BY a"]
    want = [ref.execute(q).fetchall() for q in checks]
    assert [mine.execute(q).fetchall() for q in checks] == want
    mine.close()
    other = sqlite3.connect(path)
    try:
        assert other.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert [other.execute(q).fetchall() for q in checks] == want
    finally:
        other.close()
