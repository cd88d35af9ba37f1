"""DELETE in one pass (sqlite3DeleteFrom's ONEPASS_SINGLE / ONEPASS_MULTI)
and in two (a RowSet of rowids, then a second loop): differential against
the standard library's sqlite3.

Each script runs on both engines: every statement's rows or error, then
the rows read through every index, must agree, and the file Pyrite wrote
must pass sqlite3's PRAGMA integrity_check.  Each script also states which
form its DELETEs take (a RowSetAdd before the first Delete is the two-pass form), so
that both forms stay exercised."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite


def outcome(con, sql: str):
    try:
        rows = con.execute(sql).fetchall()
    except Exception as e:  # noqa: BLE001 - the error is the outcome
        return ("error", type(e).__name__, str(e))
    return ("rows", [tuple((type(v).__name__, v) for v in r) for r in rows])


def index_reads(con) -> list[str]:
    out = []
    for name, tbl in con.execute(
            "SELECT name, tbl_name FROM sqlite_schema WHERE type='index' ORDER BY name"
    ).fetchall():
        cids = [r[1] for r in con.execute(f"PRAGMA index_xinfo({name})")]
        if -2 not in cids:
            out.append(f"SELECT * FROM {tbl} INDEXED BY {name} ORDER BY 1, 2")
    return out


def is_two_pass(con, sql: str) -> bool:
    """Whether the DELETE collects rowids before deleting the first row (a
    foreign key action's own DELETE may come later)."""
    ops = [r[1] for r in con.execute("EXPLAIN " + sql).fetchall()]
    return "RowSetAdd" in ops[:ops.index("Delete")]


def compare_script(tmp_path, statements: list[str]) -> None:
    path = str(tmp_path / "t.db")
    mine = pyrite.connect(path, isolation_level=None)
    theirs = sqlite3.connect(":memory:", isolation_level=None)
    for sql in statements:
        a = outcome(mine, sql)
        b = outcome(theirs, sql)
        assert a == b, f"{sql!r}: pyrite {a!r} != sqlite3 {b!r}"
    for sql in index_reads(theirs) + ["PRAGMA integrity_check"]:
        a = outcome(mine, sql)
        b = outcome(theirs, sql)
        assert a == b, f"{sql!r}: pyrite {a!r} != sqlite3 {b!r}"
    mine.close()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    check.close()


FILL = "INSERT INTO t(a, b, c, d) SELECT x, x * 2, 'v' || (x % 7), x % 3 FROM " \
       "(WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 200) " \
       "SELECT x FROM s)"
SCHEMA = ["CREATE TABLE t(a INTEGER UNIQUE, b INTEGER, c TEXT, d)",
          "CREATE UNIQUE INDEX tb ON t(b)", "CREATE INDEX tc ON t(c DESC)",
          "CREATE INDEX td ON t(d, c) WHERE d > 0", FILL]
ROWS = "SELECT rowid, * FROM t ORDER BY rowid"

# (script, the DELETEs of it whose program must be one-pass)
CASES = {
    "index_range": [
        "DELETE FROM t WHERE b BETWEEN 10 AND 60", "SELECT changes()",
        "DELETE FROM t WHERE b BETWEEN 55 AND 61 AND d = 1", "SELECT changes()",
        "DELETE FROM t WHERE b > 300", "SELECT changes()", ROWS,
    ],
    "unique_equality": [
        "DELETE FROM t WHERE a = 5", "SELECT changes()",
        "DELETE FROM t WHERE a = 5", "SELECT changes()",
        "DELETE FROM t WHERE a = 7 AND c = 'nope'", "SELECT changes()",
        "DELETE FROM t WHERE a = NULL", "SELECT changes()", ROWS,
    ],
    "rowid_plans": [
        "DELETE FROM t WHERE rowid = 9", "DELETE FROM t WHERE rowid IN (3, 4, 4, 500)",
        "SELECT changes()", "DELETE FROM t WHERE rowid BETWEEN 100 AND 150",
        "SELECT changes()", ROWS,
    ],
    "scan_and_in": [
        "DELETE FROM t WHERE d = 2 AND a % 5 = 0", "SELECT changes()",
        "DELETE FROM t WHERE c IN ('v1', 'v3')", "SELECT changes()",
        "DELETE FROM t WHERE d = 1", "SELECT changes()", ROWS,
    ],
    "partial_index_loop": [
        "DELETE FROM t WHERE d = 2 AND c = 'v4'", "SELECT changes()", ROWS,
    ],
    "everything_through_where": [
        "DELETE FROM t WHERE 1", "SELECT changes()", ROWS,
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_pass_delete(tmp_path, name: str) -> None:
    script = SCHEMA + CASES[name]
    compare_script(tmp_path, script)
    con = pyrite.connect(":memory:", isolation_level=None)
    for sql in SCHEMA:
        con.execute(sql)
    for sql in CASES[name]:
        if sql.startswith("DELETE"):
            assert not is_two_pass(con, sql), sql


TRIGGER_CASES = {
    # A trigger makes the statement complex: one pass only for one row.
    "after_trigger_reinserts_same_key": ([
        "CREATE TABLE log(x)",
        "CREATE TRIGGER tr AFTER DELETE ON t WHEN old.d IS NOT NULL BEGIN "
        "INSERT INTO log VALUES(old.a); "
        "INSERT INTO t(a, b, c, d) VALUES(old.a, old.b + 1000, old.c, NULL); END",
        "DELETE FROM t WHERE a = 3", "SELECT changes()",
        "DELETE FROM t WHERE b BETWEEN 20 AND 30", "SELECT changes()",
        "SELECT * FROM log ORDER BY rowid", ROWS,
    ], {"DELETE FROM t WHERE a = 3"}),
    "before_trigger_changes_the_row": ([
        "CREATE TABLE log(x, y)",
        "CREATE TRIGGER tr BEFORE DELETE ON t BEGIN "
        "INSERT INTO log VALUES(old.a, old.b); "
        "UPDATE t SET b = b + 5000, c = 'moved' WHERE a = old.a; END",
        "DELETE FROM t WHERE b = 8", "SELECT changes()",
        "DELETE FROM t WHERE rowid = 10", "SELECT changes()",
        "DELETE FROM t WHERE b < 20", "SELECT changes()",
        "SELECT * FROM log ORDER BY rowid", ROWS,
    ], {"DELETE FROM t WHERE b = 8", "DELETE FROM t WHERE rowid = 10"}),
    "before_trigger_deletes_neighbour": ([
        "CREATE TRIGGER tr BEFORE DELETE ON t BEGIN "
        "DELETE FROM t WHERE a = old.a + 1; END",
        "DELETE FROM t WHERE a BETWEEN 10 AND 20", "SELECT changes()",
        "DELETE FROM t WHERE a = 50", "SELECT changes()", ROWS,
    ], {"DELETE FROM t WHERE a = 50"}),
    "returning": ([
        "DELETE FROM t WHERE a = 12 RETURNING a, b, c",
        "DELETE FROM t WHERE b BETWEEN 40 AND 50 RETURNING *",
        "DELETE FROM t WHERE rowid = 1 RETURNING rowid, d", ROWS,
    ], {"DELETE FROM t WHERE a = 12 RETURNING a, b, c",
        "DELETE FROM t WHERE rowid = 1 RETURNING rowid, d"}),
    "subquery_on_same_table": ([
        "DELETE FROM t WHERE b > (SELECT avg(b) FROM t)", "SELECT changes()",
        "DELETE FROM t WHERE rowid = 30 AND EXISTS (SELECT 1 FROM t WHERE a = 31)", "SELECT changes()",
        "DELETE FROM t WHERE a IN (SELECT a + 1 FROM t WHERE d = 0)", "SELECT changes()",
        ROWS,
    ], {"DELETE FROM t WHERE rowid = 30 AND EXISTS (SELECT 1 FROM t WHERE a = 31)"}),
    "self_referencing_cascade": ([
        "PRAGMA foreign_keys = ON",
        "CREATE TABLE tree(id INTEGER PRIMARY KEY, parent REFERENCES tree(id) "
        "ON DELETE CASCADE, tag UNIQUE)",
        "INSERT INTO tree VALUES(1, NULL, 'r'), (2, 1, 'a'), (3, 2, 'b'), (4, 1, 'c'), "
        "(5, NULL, 'd'), (6, 5, 'e')",
        "DELETE FROM tree WHERE tag = 'a'", "SELECT changes()",
        "DELETE FROM tree WHERE id >= 5", "SELECT changes()",
        "SELECT * FROM tree ORDER BY id",
    ], {"DELETE FROM tree WHERE tag = 'a'"}),
    "limit": ([
        "DELETE FROM t WHERE d = 1 ORDER BY b DESC LIMIT 3", "SELECT changes()", ROWS,
    ], set()),
}


@pytest.mark.parametrize("name", sorted(TRIGGER_CASES))
def test_complex_delete(tmp_path, name: str) -> None:
    script, one_pass = TRIGGER_CASES[name]
    compare_script(tmp_path, SCHEMA + script)
    con = pyrite.connect(":memory:", isolation_level=None)
    for sql in SCHEMA + script:
        if not sql.startswith(("DELETE", "SELECT")):
            con.execute(sql)
    for sql in script:
        if sql.startswith("DELETE"):
            assert is_two_pass(con, sql) == (sql not in one_pass), sql


def test_without_rowid_keeps_two_passes(tmp_path) -> None:
    compare_script(tmp_path, [
        "CREATE TABLE w(k TEXT PRIMARY KEY, v INTEGER UNIQUE, x) WITHOUT ROWID",
        "INSERT INTO w WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s "
        "WHERE n < 60) SELECT 'k' || n, n, n % 4 FROM s",
        "DELETE FROM w WHERE v BETWEEN 5 AND 15", "SELECT changes()",
        "DELETE FROM w WHERE k = 'k20'", "SELECT changes()",
        "DELETE FROM w WHERE x = 3", "SELECT changes()",
        "SELECT * FROM w ORDER BY k",
    ])


def test_count_changes_counts_one_pass_rows() -> None:
    mine = pyrite.connect(":memory:", isolation_level=None)
    theirs = sqlite3.connect(":memory:", isolation_level=None)
    for con in (mine, theirs):
        for sql in SCHEMA:
            con.execute(sql)
        con.execute("PRAGMA count_changes = 1")
    for sql in ("DELETE FROM t WHERE b BETWEEN 10 AND 60", "DELETE FROM t WHERE a = 100",
                "DELETE FROM t WHERE a = 100", "DELETE FROM t WHERE d = 2"):
        assert outcome(mine, sql) == outcome(theirs, sql), sql

