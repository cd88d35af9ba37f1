"""DELETE and UPDATE in one pass (SQLite's ONEPASS_SINGLE / ONEPASS_MULTI)
and in two (a RowSet of rowids, then a second loop): differential against
the standard library's sqlite3.

Each script runs on both engines: every statement's rows or error, then
the rows read through every index, must agree, and the file Pyrite wrote
must pass sqlite3's PRAGMA integrity_check.  Each script also states which
form its statements take (a RowSetAdd before the first Delete or Insert is
the two-pass form), so that both forms stay exercised."""

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
    """Whether the DELETE or UPDATE collects rowids before it writes the
    first row (a foreign key action's own statement may come later)."""
    ops = [r[1] for r in con.execute("EXPLAIN " + sql).fetchall()]
    return "RowSetAdd" in ops[:ops.index("Delete" if sql.startswith("DELETE") else "Insert")]


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


UPDATE_CASES = {
    # No trigger, foreign key, REPLACE...: one pass unless the loop's index
    # is rewritten.
    "plain": ([
        "UPDATE t SET d = b * 2 WHERE b BETWEEN 10 AND 60", "SELECT changes()",
        "UPDATE t SET d = 9 WHERE a = 3", "SELECT changes()",
        "UPDATE t SET b = b + 1000 WHERE b > 350", "SELECT changes()",
        "UPDATE t SET c = 'x' || a", "SELECT changes()", ROWS,
    ], {"UPDATE t SET d = b * 2 WHERE b BETWEEN 10 AND 60", "UPDATE t SET d = 9 WHERE a = 3",
        "UPDATE t SET c = 'x' || a"}),
    # A trigger makes the statement complex: one pass for one row only.
    "triggers": ([
        "CREATE TABLE log(x, y, z)",
        "CREATE TRIGGER tb BEFORE UPDATE ON t BEGIN "
        "INSERT INTO log VALUES('before', old.a, new.d); "
        "UPDATE t SET c = 'touched' WHERE a = old.a + 1; END",
        "CREATE TRIGGER ta AFTER UPDATE ON t WHEN new.a > 1000 BEGIN "
        "INSERT INTO log VALUES('after', old.a, new.a); "
        "INSERT INTO t(a, b, c, d) VALUES(old.a, old.b + 5000, 'back', NULL); END",
        "UPDATE t SET d = 7 WHERE a = 4", "SELECT changes()",
        "UPDATE t SET a = a + 1000 WHERE a = 6", "SELECT changes()",
        "UPDATE t SET d = d + 1 WHERE rowid = 10", "SELECT changes()",
        "UPDATE t SET d = 5 WHERE b BETWEEN 40 AND 50", "SELECT changes()",
        "SELECT * FROM log ORDER BY rowid", ROWS,
    ], {"UPDATE t SET d = 7 WHERE a = 4", "UPDATE t SET a = a + 1000 WHERE a = 6",
        "UPDATE t SET d = d + 1 WHERE rowid = 10"}),
    "conflicts_and_rowid": ([
        "UPDATE OR IGNORE t SET b = 2 WHERE b = 6 RETURNING a, b",
        "UPDATE OR IGNORE t SET b = 12 WHERE b = 4 RETURNING a, b",
        "UPDATE OR REPLACE t SET b = 10 WHERE a = 7", "SELECT changes()",
        "UPDATE t SET rowid = 1000 WHERE a = 8", "SELECT changes()",
        "UPDATE t SET a = 500, rowid = rowid + 300 WHERE rowid = 9", "SELECT changes()",
        "UPDATE t SET rowid = 11 WHERE rowid = 12", "SELECT changes()",
        "UPDATE OR REPLACE t SET rowid = 13 WHERE a = 14", "SELECT changes()",
        "UPDATE t SET rowid = rowid + 1 WHERE a BETWEEN 20 AND 22", ROWS,
    ], {"UPDATE OR IGNORE t SET b = 2 WHERE b = 6 RETURNING a, b",
        "UPDATE OR IGNORE t SET b = 12 WHERE b = 4 RETURNING a, b",
        "UPDATE OR REPLACE t SET b = 10 WHERE a = 7", "UPDATE t SET rowid = 1000 WHERE a = 8",
        "UPDATE t SET a = 500, rowid = rowid + 300 WHERE rowid = 9",
        "UPDATE t SET rowid = 11 WHERE rowid = 12",
        "UPDATE OR REPLACE t SET rowid = 13 WHERE a = 14"}),
    "subqueries_and_returning": ([
        "UPDATE t SET d = (SELECT count(*) FROM t WHERE d = 1) WHERE a = 15 RETURNING *",
        "UPDATE t SET (c, d) = (SELECT 'r', max(a) FROM t) WHERE rowid = 16",
        "UPDATE t SET d = -1 WHERE a = 17 AND EXISTS (SELECT 1 FROM t WHERE a = 18)",
        "UPDATE t SET d = (SELECT max(d) FROM t) + 1 WHERE a BETWEEN 30 AND 33",
        "UPDATE t SET d = 0 WHERE d IN (SELECT d FROM t WHERE a = 40) RETURNING a",
        ROWS,
    ], {"UPDATE t SET d = (SELECT count(*) FROM t WHERE d = 1) WHERE a = 15 RETURNING *",
        "UPDATE t SET (c, d) = (SELECT 'r', max(a) FROM t) WHERE rowid = 16",
        "UPDATE t SET d = -1 WHERE a = 17 AND EXISTS (SELECT 1 FROM t WHERE a = 18)"}),
    # Without an index key, check or trigger reading the new values first,
    # the row's MakeRecord alone gives them their affinities.
    "affinities": ([
        "CREATE TABLE a(i INTEGER, r REAL, x TEXT, n NUMERIC, b BLOB, u UNIQUE)",
        "INSERT INTO a VALUES(1, 1, 1, 1, 1, 1), (2, 2, 2, 2, 2, 2)",
        "UPDATE a SET i = '12', r = 3, x = 4.5, n = '6.0', b = '7' WHERE u = 1",
        "UPDATE a SET i = '1e3', r = '2', x = x || 1, n = 'abc', b = 8",
        "UPDATE a SET i = i + 0.5 WHERE u = 2 RETURNING i, typeof(i), typeof(r), x",
        "UPDATE a SET u = '3' WHERE u = 2 RETURNING u, typeof(u)",
        "SELECT *, typeof(i), typeof(r), typeof(x), typeof(n), typeof(b) FROM a",
        # ... but an index key or a CHECK reads them before.
        "CREATE TABLE k(i INTEGER, n NUMERIC CHECK (typeof(n) <> 'text'), x TEXT)",
        "CREATE INDEX ki ON k(i)", "INSERT INTO k VALUES(1, 1, 'a'), (2, 2, 'b')",
        "UPDATE k SET i = '12' WHERE x = 'a'", "UPDATE k SET n = '5' WHERE x = 'b'",
        "SELECT i, typeof(i), n, typeof(n) FROM k ORDER BY x",
        "SELECT i, typeof(i) FROM k INDEXED BY ki WHERE i = 12",
    ], {"UPDATE a SET i = '12', r = 3, x = 4.5, n = '6.0', b = '7' WHERE u = 1",
        "UPDATE a SET i = '1e3', r = '2', x = x || 1, n = 'abc', b = 8",
        "UPDATE a SET i = i + 0.5 WHERE u = 2 RETURNING i, typeof(i), typeof(r), x",
        "UPDATE a SET u = '3' WHERE u = 2 RETURNING u, typeof(u)",
        "UPDATE k SET i = '12' WHERE x = 'a'", "UPDATE k SET n = '5' WHERE x = 'b'"}),
    "foreign_keys": ([
        "PRAGMA foreign_keys = ON",
        "CREATE TABLE p(id INTEGER PRIMARY KEY, k UNIQUE)",
        "CREATE TABLE ch(x INTEGER PRIMARY KEY, pk REFERENCES p(k) ON UPDATE CASCADE)",
        "INSERT INTO p VALUES(1, 'a'), (2, 'b'), (3, 'c')",
        "INSERT INTO ch VALUES(1, 'a'), (2, 'a'), (3, 'b')",
        "UPDATE p SET k = 'z' WHERE k = 'a'", "SELECT changes()",
        "UPDATE p SET k = k || k WHERE id >= 2", "SELECT changes()",
        "UPDATE ch SET pk = 'nope' WHERE x = 3",
        "SELECT * FROM p ORDER BY id", "SELECT * FROM ch ORDER BY x",
    ], {"UPDATE p SET k = 'z' WHERE k = 'a'", "UPDATE ch SET pk = 'nope' WHERE x = 3"}),
}


@pytest.mark.parametrize("name", sorted(UPDATE_CASES))
def test_update_forms(tmp_path, name: str) -> None:
    script, one_pass = UPDATE_CASES[name]
    compare_script(tmp_path, SCHEMA + script)
    con = pyrite.connect(":memory:", isolation_level=None)
    for sql in SCHEMA + script:
        if not sql.startswith(("UPDATE", "SELECT")):
            con.execute(sql)
    for sql in script:
        if sql.startswith("UPDATE"):
            assert is_two_pass(con, sql) == (sql not in one_pass), sql


def test_single_row_update_has_no_loop() -> None:
    """An UPDATE through '=' on a UNIQUE index visits one row: after it the
    program leaves the loop instead of stepping the index (ONEPASS_SINGLE)."""
    con = pyrite.connect(":memory:", isolation_level=None)
    for sql in SCHEMA:
        con.execute(sql)
    ops = [r[1] for r in con.execute("EXPLAIN UPDATE t SET d = 9 WHERE a = ?", (3,))]
    assert ops[ops.index("Next") - 1] == "Goto"
    ops = [r[1] for r in con.execute("EXPLAIN UPDATE t SET d = 9 WHERE a > ?", (3,))]
    assert ops[ops.index("Next") - 1] != "Goto"
    con.execute("UPDATE t SET d = 9 WHERE a = 3")
    assert con.execute("SELECT changes(), d FROM t WHERE a = 3").fetchall() == [(1, 9)]
