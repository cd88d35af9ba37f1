"""UPSERT (INSERT ... ON CONFLICT ... DO NOTHING | DO UPDATE): differential
tests against the standard library's sqlite3 (rows with types, errors)."""

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


def compare_script(statements: list[str]) -> None:
    mine = pyrite.connect(":memory:", isolation_level=None)
    theirs = sqlite3.connect(":memory:", isolation_level=None)
    for sql in statements:
        a = outcome(mine, sql)
        b = outcome(theirs, sql)
        assert a == b, f"{sql!r}: pyrite {a!r} != sqlite3 {b!r}"
        if not sql.lstrip().upper().startswith(("SELECT", "CREATE")):
            a = outcome(mine, "SELECT changes(), total_changes(), last_insert_rowid()")
            b = outcome(theirs, "SELECT changes(), total_changes(), last_insert_rowid()")
            assert a == b, f"after {sql!r}: pyrite {a!r} != sqlite3 {b!r}"


CASES = {
    "do_nothing": [
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE, c)",
        "INSERT INTO t VALUES(1, 'x', 10), (2, 'y', 20)",
        "INSERT INTO t VALUES(1, 'z', 30) ON CONFLICT DO NOTHING",
        "INSERT INTO t VALUES(3, 'x', 30) ON CONFLICT DO NOTHING",
        "INSERT INTO t VALUES(3, 'x', 30) ON CONFLICT(a) DO NOTHING",
        "INSERT INTO t VALUES(1, 'w', 30) ON CONFLICT(b) DO NOTHING",
        "INSERT INTO t VALUES(4, 'y', 40), (5, 'q', 50) ON CONFLICT(b) DO NOTHING",
        "SELECT * FROM t ORDER BY a",
    ],
    "do_update_excluded": [
        "CREATE TABLE kv(k TEXT PRIMARY KEY, v INTEGER, n INTEGER DEFAULT 0)",
        "INSERT INTO kv VALUES('a', 1, 0)",
        "INSERT INTO kv(k, v) VALUES('a', 5) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v, n = n + 1",
        "INSERT INTO kv(k, v) VALUES('b', 7) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
        "INSERT INTO kv(k, v) VALUES('a', '12') ON CONFLICT(k) DO UPDATE SET v = excluded.v WHERE excluded.v > v",
        "INSERT INTO kv(k, v) VALUES('a', 1) ON CONFLICT(k) DO UPDATE SET v = excluded.v WHERE excluded.v > kv.v",
        "SELECT k, v, typeof(v), n FROM kv ORDER BY k",
    ],
    "rowid_target_and_returning": [
        "CREATE TABLE t(id INTEGER PRIMARY KEY, x REAL, y TEXT)",
        "INSERT INTO t VALUES(1, 1, 'a')",
        "INSERT INTO t VALUES(1, 2.25, 'b') ON CONFLICT(id) DO UPDATE SET x = excluded.x * 2 RETURNING *",
        "INSERT INTO t VALUES(2, 3.5, 'c') ON CONFLICT(id) DO UPDATE SET x = 0 RETURNING id, x, y",
        "INSERT INTO t VALUES(2, 3, 'c') ON CONFLICT DO NOTHING RETURNING *",
        "INSERT INTO t VALUES(2, 9, 'd') ON CONFLICT(id) DO UPDATE SET y = 'u' WHERE 0 RETURNING *",
        "SELECT id, x, typeof(x), y FROM t ORDER BY id",
    ],
    "multiple_clauses": [
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE, c UNIQUE, d)",
        "INSERT INTO t VALUES(1, 1, 1, 'orig'), (2, 2, 2, 'orig')",
        "INSERT INTO t VALUES(3, 2, 1, 'new') ON CONFLICT(b) DO UPDATE SET d = 'by b'"
        " ON CONFLICT(c) DO UPDATE SET d = 'by c'",
        "INSERT INTO t VALUES(3, 5, 1, 'new') ON CONFLICT(b) DO UPDATE SET d = 'by b'"
        " ON CONFLICT(c) DO UPDATE SET d = 'by c'",
        "INSERT INTO t VALUES(1, 7, 7, 'new') ON CONFLICT(b) DO UPDATE SET d = 'by b'"
        " ON CONFLICT DO UPDATE SET d = 'catch-all'",
        "INSERT INTO t VALUES(9, 9, 9, 'x') ON CONFLICT(b) DO NOTHING ON CONFLICT(b) DO NOTHING",
        "SELECT * FROM t ORDER BY a",
    ],
    "target_errors": [
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE, c, d, UNIQUE(c, d))",
        "CREATE UNIQUE INDEX tp ON t(d) WHERE d > 0",
        "CREATE INDEX tn ON t(c)",
        "INSERT INTO t VALUES(1, 1, 1, 1) ON CONFLICT(c) DO NOTHING",
        "INSERT INTO t VALUES(1, 1, 1, 1) ON CONFLICT(b) DO NOTHING ON CONFLICT(c) DO NOTHING",
        "INSERT INTO t VALUES(1, 1, 1, 1) ON CONFLICT(d) DO NOTHING",
        "INSERT INTO t VALUES(1, 1, 1, 1) ON CONFLICT(d) WHERE d > 1 DO NOTHING",
        "INSERT INTO t VALUES(1, 1, 1, 1) ON CONFLICT(d) WHERE d > 0 DO NOTHING",
        "INSERT INTO t VALUES(2, 2, 1, 1) ON CONFLICT(d, c) DO UPDATE SET b = 20",
        "INSERT INTO t VALUES(2, 2, 1, 1) ON CONFLICT(b COLLATE nocase) DO NOTHING",
        "INSERT INTO t VALUES(2, 2, 1, 1) ON CONFLICT(zz) DO NOTHING",
        "INSERT INTO t VALUES(2, 2, 1, 1) ON CONFLICT(b NULLS FIRST) DO NOTHING",
        "INSERT INTO t VALUES(2, 2, 1, 1) ON CONFLICT(b) DO UPDATE SET zz = 1",
        "INSERT INTO t VALUES(2, 2, 1, 1) ON CONFLICT(b) DO UPDATE SET c = zz",
        "INSERT INTO t VALUES(3, 1, 5, 5) ON CONFLICT(b) DO UPDATE SET a = 1",
        "INSERT INTO t VALUES(3, 1, 5, 5) ON CONFLICT(b) DO UPDATE SET c = 1, d = 1",
        "SELECT * FROM t ORDER BY a",
    ],
    "collation_target": [
        "CREATE TABLE t(a TEXT UNIQUE COLLATE NOCASE, n INT)",
        "INSERT INTO t VALUES('Abc', 1)",
        "INSERT INTO t VALUES('aBC', 2) ON CONFLICT(a) DO UPDATE SET n = n + excluded.n",
        "INSERT INTO t VALUES('ABC', 4) ON CONFLICT(a COLLATE nocase) DO UPDATE SET n = n + excluded.n",
        "INSERT INTO t VALUES('ABC', 4) ON CONFLICT(a COLLATE binary) DO UPDATE SET n = 0",
        "SELECT * FROM t",
    ],
    "or_clause_and_conflict_elsewhere": [
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE, c UNIQUE)",
        "INSERT INTO t VALUES(1, 1, 1), (2, 2, 2)",
        "INSERT OR IGNORE INTO t VALUES(3, 1, 2) ON CONFLICT(b) DO UPDATE SET c = 2",
        "INSERT OR REPLACE INTO t VALUES(3, 1, 2) ON CONFLICT(b) DO UPDATE SET c = 9",
        "INSERT INTO t VALUES(3, 3, 2) ON CONFLICT(b) DO NOTHING",
        "INSERT OR REPLACE INTO t VALUES(3, 3, 2) ON CONFLICT(b) DO NOTHING",
        "SELECT * FROM t ORDER BY a",
    ],
    "insert_select": [
        "CREATE TABLE src(k, v)",
        "INSERT INTO src VALUES(1, 'a'), (2, 'b'), (1, 'c'), (3, 'd'), (2, 'e')",
        "CREATE TABLE dst(k PRIMARY KEY, v, hits DEFAULT 1)",
        "INSERT INTO dst(k, v) SELECT k, v FROM src WHERE true"
        " ON CONFLICT(k) DO UPDATE SET v = v || excluded.v, hits = hits + 1",
        "SELECT * FROM dst ORDER BY k",
        "INSERT INTO dst(k, v) SELECT k, v FROM dst WHERE true ON CONFLICT DO UPDATE SET hits = 0"
        " RETURNING k, hits",
    ],
    "alias_and_subqueries": [
        "CREATE TABLE t(k INTEGER PRIMARY KEY, v)",
        "CREATE TABLE o(k, w)",
        "INSERT INTO o VALUES(1, 'w1')",
        "INSERT INTO t VALUES(1, 'a')",
        "INSERT INTO t AS z VALUES(1, 'b') ON CONFLICT(k) DO UPDATE SET v = z.v || excluded.v"
        " || (SELECT w FROM o WHERE o.k = z.k)",
        "INSERT INTO t AS z VALUES(1, 'c') ON CONFLICT(k) DO UPDATE SET v = t.v",
        "INSERT INTO t VALUES(1, 'c') ON CONFLICT(k) DO UPDATE SET v = excluded.k",
        "SELECT * FROM t",
    ],
    "partial_index_target": [
        "CREATE TABLE t(id INTEGER PRIMARY KEY, email TEXT, active INT)",
        "CREATE UNIQUE INDEX t_email ON t(email) WHERE active = 1",
        "INSERT INTO t VALUES(1, 'x', 1), (2, 'x', 0)",
        "INSERT INTO t VALUES(3, 'x', 1) ON CONFLICT(email) WHERE active = 1 DO UPDATE SET id = id + 100",
        "INSERT INTO t VALUES(4, 'x', 0) ON CONFLICT(email) WHERE active = 1 DO NOTHING",
        "SELECT * FROM t ORDER BY id",
    ],
    "do_update_real_affinity": [
        "CREATE TABLE t(k INTEGER PRIMARY KEY, r REAL, i INTEGER)",
        "INSERT INTO t VALUES(1, 1.5, 1)",
        "INSERT INTO t VALUES(1, 2, '3') ON CONFLICT DO UPDATE SET r = excluded.r + 0.5, i = excluded.i"
        " RETURNING r, typeof(r), i, typeof(i)",
        "INSERT INTO t VALUES(1, 2, '3') ON CONFLICT DO UPDATE SET i = typeof(excluded.r)"
        " RETURNING i",
        "INSERT INTO t VALUES(1, 2, '3') ON CONFLICT DO UPDATE SET i = excluded.r RETURNING i",
        "SELECT k, r, typeof(r), i, typeof(i) FROM t",
    ],
    "not_null_and_check_in_update": [
        "CREATE TABLE t(k INTEGER PRIMARY KEY, v NOT NULL, w CHECK(w > 0))",
        "INSERT INTO t VALUES(1, 1, 1)",
        "INSERT INTO t VALUES(1, 2, 2) ON CONFLICT DO UPDATE SET v = NULL",
        "INSERT INTO t VALUES(1, 2, 2) ON CONFLICT DO UPDATE SET w = -1",
        "INSERT OR IGNORE INTO t VALUES(1, 2, 2) ON CONFLICT DO UPDATE SET w = -1",
        "SELECT * FROM t",
    ],
    "more_edges": [
        "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, u TEXT UNIQUE ON CONFLICT REPLACE, v)",
        "INSERT INTO t(u, v) VALUES('a', 1), ('b', 2)",
        "INSERT INTO t(u, v) VALUES('a', 5) ON CONFLICT(u) DO UPDATE SET v = v + excluded.v",
        "INSERT INTO t(u, v) VALUES('b', 5) ON CONFLICT(id) DO NOTHING",
        "INSERT INTO t(id, u, v) VALUES(1, 'zz', 0) ON CONFLICT(id) DO UPDATE SET id = 10",
        "INSERT INTO t(id, u, v) VALUES(10, 'zz', 0) ON CONFLICT(id) DO UPDATE SET u = 'b'",
        "INSERT INTO t(id, u, v) VALUES(10, 'zz', 0) ON CONFLICT(u) WHERE excluded.v DO NOTHING",
        "INSERT INTO t(id, u, v) VALUES(10, 'zz', 0) ON CONFLICT(u) DO UPDATE SET v = 1",
        "INSERT INTO t(id, u, v) VALUES(10, 'zz', 0) ON CONFLICT DO UPDATE SET v = 1 ON CONFLICT(u) DO NOTHING",
        "SELECT * FROM t ORDER BY id",
        "SELECT * FROM sqlite_sequence",
        "CREATE TABLE plain(x)",
        "INSERT INTO plain VALUES(1) ON CONFLICT DO NOTHING",
        "INSERT INTO plain VALUES(1) ON CONFLICT DO UPDATE SET x = 2",
        "INSERT INTO plain VALUES(1) ON CONFLICT(x) DO UPDATE SET x = 2",
        "INSERT INTO plain VALUES(1) ON CONFLICT(rowid) DO UPDATE SET x = 2",
        "INSERT INTO plain(rowid, x) VALUES(1, 3) ON CONFLICT(rowid) DO UPDATE SET x = excluded.x + 10",
        "SELECT rowid, x FROM plain",
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_upsert_matches_sqlite(name: str) -> None:
    compare_script(CASES[name])
