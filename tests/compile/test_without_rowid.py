"""WITHOUT ROWID tables: differential tests against the standard library's
sqlite3 (rows with their types, errors, change counts, schema pragmas and
query plans), and file interoperability in both directions."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite


def outcome(con, sql: str):
    try:
        rows = con.execute(sql).fetchall()
    except Exception as e:  # noqa: BLE001 - the error is the outcome
        return ("error", str(e))
    return ("rows", [tuple((type(v).__name__, v) for v in r) for r in rows])


def compare_script(statements: list[str]) -> None:
    mine = pyrite.connect(":memory:", isolation_level=None)
    theirs = sqlite3.connect(":memory:", isolation_level=None)
    for sql in statements:
        a = outcome(mine, sql)
        b = outcome(theirs, sql)
        assert a == b, f"{sql!r}: pyrite {a!r} != sqlite3 {b!r}"
        if not sql.lstrip().upper().startswith(("SELECT", "CREATE", "PRAGMA")):
            probe = "SELECT changes(), total_changes()"
            assert outcome(mine, probe) == outcome(theirs, probe), f"after {sql!r}"


SETUP = [
    "CREATE TABLE t(a, b TEXT, c REAL, d, PRIMARY KEY(b, a)) WITHOUT ROWID",
    "CREATE INDEX ti ON t(c)",
    "INSERT INTO t VALUES(1, 'x', 1, 'one'), (2, 'x', 2.5, 'two'), (1, 'y', 3, 'three')",
    "INSERT INTO t VALUES(5, 'a', NULL, x'00ff'), (7, 'z', 7, 7)",
]

CASES = {
    "create_errors": [
        "CREATE TABLE e(a, b) WITHOUT ROWID",
        "CREATE TABLE e(a INTEGER PRIMARY KEY AUTOINCREMENT) WITHOUT ROWID",
        "CREATE TABLE e(a TEXT PRIMARY KEY AUTOINCREMENT) WITHOUT ROWID",
        "CREATE TABLE e(a PRIMARY KEY, b PRIMARY KEY) WITHOUT ROWID",
        "CREATE TABLE e(a, PRIMARY KEY(a+1)) WITHOUT ROWID",
        "CREATE TABLE e(a, PRIMARY KEY(zz)) WITHOUT ROWID",
    ],
    "scan_and_seek": SETUP + [
        "SELECT * FROM t",
        "SELECT * FROM t WHERE b = 'x'",
        "SELECT * FROM t WHERE b = 'x' AND a = 2",
        "SELECT * FROM t WHERE b = 'x' AND a > 1",
        "SELECT * FROM t WHERE b > 'a' ORDER BY b DESC, a DESC",
        "SELECT * FROM t WHERE b IN ('y', 'z')",
        "SELECT a, b FROM t WHERE c = 2.5",
        "SELECT * FROM t WHERE c >= 2 ORDER BY c",
        "SELECT d FROM t WHERE c = 3 AND b = 'y'",
        "SELECT count(*), sum(a), group_concat(b) FROM t",
        "SELECT t1.d, t2.d FROM t t1 JOIN t t2 ON t2.b = t1.b AND t2.a = t1.a + 1",
        "SELECT * FROM t WHERE a = 1 ORDER BY c DESC",
        "SELECT typeof(c), c FROM t ORDER BY b, a",
    ],
    "no_rowid": SETUP + [
        "SELECT rowid FROM t",
        "SELECT oid FROM t",
        "SELECT _rowid_ FROM t",
        "INSERT INTO t(rowid, a, b) VALUES(1, 2, 3)",
        "UPDATE t SET rowid = 5",
        "DELETE FROM t WHERE rowid = 1",
    ],
    "insert_conflicts": SETUP + [
        "INSERT INTO t VALUES(1, 'x', 0, 'dup')",
        "INSERT INTO t VALUES(NULL, 'x', 0, 'null a')",
        "INSERT INTO t(a, d) VALUES(3, 'null b')",
        "INSERT OR IGNORE INTO t VALUES(1, 'x', 0, 'ignored'), (9, 'x', 0, 'new')",
        "INSERT OR REPLACE INTO t VALUES(1, 'x', 10, 'replaced')",
        "INSERT OR FAIL INTO t VALUES(11, 'q', 0, 'ok'), (1, 'x', 0, 'fails')",
        "INSERT OR ROLLBACK INTO t VALUES(1, 'x', 0, 'rolls back')",
        "REPLACE INTO t VALUES(2, 'x', 2, 'again')",
        "SELECT * FROM t",
        "INSERT INTO t SELECT a + 100, b, c, d FROM t",
        "SELECT * FROM t ORDER BY a",
        "PRAGMA integrity_check",
    ],
    "unique_and_replace": [
        "CREATE TABLE u(k TEXT COLLATE NOCASE PRIMARY KEY, v UNIQUE, w) WITHOUT ROWID",
        "INSERT INTO u VALUES('a', 1, 'x'), ('b', 2, 'y')",
        "INSERT INTO u VALUES('A', 3, 'z')",
        "INSERT INTO u VALUES('c', 1, 'z')",
        "INSERT OR REPLACE INTO u VALUES('B', 1, 'both')",
        "SELECT * FROM u",
        "UPDATE u SET v = 5 WHERE k = 'a'",
        "UPDATE u SET k = 'b' WHERE k = 'a'",
        "UPDATE OR REPLACE u SET k = 'a' WHERE k = 'b'",
        "SELECT * FROM u",
        "UPDATE u SET k = 'A' WHERE k = 'a'",
        "SELECT * FROM u",
        "PRAGMA integrity_check",
    ],
    "upsert": [
        "CREATE TABLE u(k PRIMARY KEY, v UNIQUE, n) WITHOUT ROWID",
        "INSERT INTO u VALUES(1, 'a', 0)",
        "INSERT INTO u VALUES(1, 'b', 0) ON CONFLICT(k) DO UPDATE SET n = n + 1",
        "INSERT INTO u VALUES(2, 'a', 0) ON CONFLICT(v) DO UPDATE SET n = n + 10, k = 5",
        "INSERT INTO u VALUES(5, 'z', 0) ON CONFLICT DO NOTHING",
        "INSERT INTO u VALUES(5, 'z', 0) ON CONFLICT(k) DO UPDATE SET v = excluded.v "
        "RETURNING *",
        "SELECT * FROM u",
    ],
    "update_delete": SETUP + [
        "UPDATE t SET d = d || '!' WHERE b = 'x'",
        "UPDATE t SET a = a + 10 WHERE c > 2",
        "UPDATE t SET b = 'x', a = 1 WHERE a = 5",
        "UPDATE t SET b = upper(b) RETURNING a, b",
        "SELECT * FROM t",
        "DELETE FROM t WHERE c < 3 RETURNING d",
        "SELECT * FROM t",
        "DELETE FROM t WHERE b = 'Z' AND a = 17",
        "PRAGMA integrity_check",
        "DELETE FROM t",
        "SELECT count(*) FROM t",
    ],
    "pk_layout": [
        "CREATE TABLE w(a, b, c, PRIMARY KEY(a, b, a COLLATE NOCASE, b)) WITHOUT ROWID",
        "PRAGMA index_xinfo(sqlite_autoindex_w_1)",
        "PRAGMA index_info(sqlite_autoindex_w_1)",
        "CREATE INDEX wi ON w(a COLLATE NOCASE, c)",
        "PRAGMA index_xinfo(wi)",
        "PRAGMA table_info(w)",
        "CREATE TABLE x(a PRIMARY KEY DESC, b) WITHOUT ROWID",
        "CREATE INDEX xi ON x(b)",
        "PRAGMA index_xinfo(xi)",
        "CREATE TABLE y(a INTEGER, b UNIQUE, c, PRIMARY KEY(a DESC), UNIQUE(c, a)) "
        "WITHOUT ROWID",
        "PRAGMA index_list(y)",
        "PRAGMA index_xinfo(sqlite_autoindex_y_3)",
        "PRAGMA index_xinfo(sqlite_autoindex_y_1)",
        "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema",
        "PRAGMA table_list(y)",
        "INSERT INTO y VALUES(1, 2, 3), (2, 3, 4), (3, 4, 5)",
        "SELECT * FROM y",
        "SELECT * FROM y WHERE c = 4",
        "PRAGMA integrity_check",
    ],
    "triggers_returning": SETUP + [
        "CREATE TABLE log(x)",
        "CREATE TRIGGER ti AFTER INSERT ON t BEGIN INSERT INTO log VALUES('i ' || new.a); END",
        "CREATE TRIGGER tu BEFORE UPDATE ON t BEGIN "
        "INSERT INTO log VALUES('u ' || old.a || '>' || new.a); END",
        "CREATE TRIGGER td AFTER DELETE ON t BEGIN INSERT INTO log VALUES('d ' || old.d); END",
        "INSERT INTO t VALUES(20, 'q', 1, 'ins') RETURNING d, b",
        "UPDATE t SET a = a * 2 WHERE b = 'x'",
        "DELETE FROM t WHERE b = 'q'",
        "SELECT * FROM log",
        "SELECT * FROM t",
    ],
    "foreign_keys": [
        "PRAGMA foreign_keys = ON",
        "CREATE TABLE par(a, b, PRIMARY KEY(a, b)) WITHOUT ROWID",
        "CREATE TABLE ch(x INTEGER PRIMARY KEY, a, b, FOREIGN KEY(a, b) REFERENCES par "
        "ON DELETE CASCADE ON UPDATE CASCADE)",
        "CREATE TABLE par2(id INTEGER PRIMARY KEY)",
        "CREATE TABLE ch2(k PRIMARY KEY, a REFERENCES par2(id) ON DELETE SET NULL) "
        "WITHOUT ROWID",
        "INSERT INTO par VALUES(1, 1), (1, 2)",
        "INSERT INTO ch VALUES(1, 1, 1), (2, 1, 2)",
        "INSERT INTO ch VALUES(3, 9, 9)",
        "INSERT INTO par2 VALUES(5)",
        "INSERT INTO ch2 VALUES('q', 5)",
        "INSERT INTO ch2 VALUES('r', 6)",
        "UPDATE par SET b = 7 WHERE b = 2",
        "SELECT * FROM ch",
        "DELETE FROM par WHERE b = 1",
        "SELECT * FROM ch",
        "DELETE FROM par2",
        "SELECT * FROM ch2",
        "PRAGMA foreign_keys = OFF",
        "INSERT INTO ch2 VALUES('s', 6)",
        "PRAGMA foreign_key_check",
    ],
    "generated_and_partial": [
        "CREATE TABLE g(a, b AS (a * 2), c AS (a || 'x') STORED, PRIMARY KEY(c)) "
        "WITHOUT ROWID",
        "INSERT INTO g(a) VALUES(1), (2), (3)",
        "UPDATE g SET a = 5 WHERE a = 1",
        "CREATE INDEX gb ON g(b)",
        "SELECT * FROM g WHERE b = 4",
        "SELECT * FROM g ORDER BY b",
        "CREATE TABLE p(x PRIMARY KEY, y, z) WITHOUT ROWID",
        "CREATE INDEX pe ON p(y + z)",
        "CREATE INDEX pp ON p(z) WHERE z > 1",
        "INSERT INTO p VALUES(1, 2, 3), (2, 0, 1), (3, 1, 1)",
        "SELECT x FROM p WHERE y + z = 5",
        "SELECT x FROM p WHERE z > 1 AND z = 3",
        "DELETE FROM p WHERE y + z = 1",
        "UPDATE p SET z = 0 WHERE x = 1",
        "SELECT * FROM p",
        "PRAGMA integrity_check",
    ],
    "alter_vacuum_reindex": SETUP + [
        "ALTER TABLE t ADD COLUMN e DEFAULT 'dflt'",
        "SELECT * FROM t",
        "INSERT INTO t VALUES(8, 'w', 8, 8, 'e')",
        "ALTER TABLE t RENAME TO t2",
        "ALTER TABLE t2 RENAME COLUMN d TO dd",
        "SELECT dd, e FROM t2 WHERE b = 'x'",
        "ALTER TABLE t2 DROP COLUMN e",
        "ALTER TABLE t2 DROP COLUMN a",
        "SELECT * FROM t2",
        "REINDEX t2",
        "VACUUM",
        "SELECT * FROM t2 WHERE c = 3",
        "PRAGMA integrity_check",
    ],
    "desc_key_order_limit_from": [
        "CREATE TABLE d(a, b, PRIMARY KEY(a DESC, b)) WITHOUT ROWID",
        "INSERT INTO d VALUES(1, 1), (2, 2), (3, 3), (2, 1)",
        "SELECT * FROM d",
        "SELECT * FROM d ORDER BY a",
        "SELECT * FROM d ORDER BY a DESC, b",
        "SELECT * FROM d ORDER BY a, b DESC",
        "SELECT * FROM d ORDER BY a, b",
        "SELECT * FROM d WHERE a > 1",
        "DELETE FROM d WHERE a > 1 ORDER BY a LIMIT 1",
        "SELECT * FROM d",
        "UPDATE d SET b = b + 10 ORDER BY a DESC LIMIT 1",
        "SELECT * FROM d",
        "CREATE TABLE src(k, v)",
        "INSERT INTO src VALUES(2, 'p'), (2, 'q'), (3, 'r')",
        "UPDATE d SET b = src.k * 100 FROM src WHERE src.k = d.a",
        "SELECT * FROM d",
        "UPDATE d AS z SET a = z.a + src.k FROM src WHERE src.k = z.a RETURNING *",
        "SELECT * FROM d",
        "ANALYZE",
        "SELECT * FROM sqlite_stat1 ORDER BY tbl, idx",
        "PRAGMA integrity_check",
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_without_rowid(name):
    compare_script(CASES[name])


PLANS = [
    ("SELECT * FROM t", "SCAN t"),
    ("SELECT * FROM t WHERE b = 1", "SEARCH t USING PRIMARY KEY (b=?)"),
    ("SELECT * FROM t WHERE b = 1 AND a > 2", "SEARCH t USING PRIMARY KEY (b=? AND a>?)"),
    ("SELECT * FROM t WHERE c = 1", "SEARCH t USING INDEX ti (c=?)"),
    ("SELECT a, b FROM t WHERE c = 1", "SEARCH t USING COVERING INDEX ti (c=?)"),
    ("SELECT c FROM t", "SCAN t USING COVERING INDEX ti"),
    ("SELECT * FROM t ORDER BY b, a", "SCAN t"),
    ("SELECT * FROM t WHERE c = 1 AND b = 2", "SEARCH t USING INDEX ti (c=? AND b=?)"),
    ("SELECT count(*) FROM t", "SCAN t USING COVERING INDEX ti"),
    ("SELECT count(*) FROM u", "SCAN u"),
    ("SELECT * FROM u ORDER BY x DESC", "SCAN u"),
    ("SELECT * FROM v WHERE x = 1 AND y = 2", "SEARCH v USING INDEX sqlite_autoindex_v_2 (y=?)"),
    ("SELECT * FROM r WHERE a = 1 AND b = 2", "SEARCH r USING INDEX rb (b=?)"),
    ("SELECT max(x) FROM u", "SEARCH u USING PRIMARY KEY"),
    ("SELECT min(c) FROM t", "SEARCH t USING COVERING INDEX ti"),
    ("SELECT max(y) FROM u", "SEARCH u USING PRIMARY KEY"),
    ("SELECT max(rowid) FROM r", "SEARCH r"),
]


@pytest.mark.parametrize("sql,detail", PLANS)
def test_query_plan(sql, detail):
    setup = ("CREATE TABLE t(a, b, c, d, PRIMARY KEY(b, a)) WITHOUT ROWID; CREATE INDEX ti ON t(c);"
             "CREATE TABLE u(x PRIMARY KEY, y) WITHOUT ROWID;"
             "CREATE TABLE v(x PRIMARY KEY, y UNIQUE, z) WITHOUT ROWID;"
             "CREATE TABLE r(a, b); CREATE INDEX ra ON r(a); CREATE INDEX rb ON r(b)")
    theirs = sqlite3.connect(":memory:")
    theirs.executescript(setup)
    assert [r[3] for r in theirs.execute("EXPLAIN QUERY PLAN " + sql)] == [detail]
    mine = pyrite.connect(":memory:")
    for s in setup.split(";"):
        mine.execute(s)
    assert [r[3] for r in mine.execute("EXPLAIN QUERY PLAN " + sql).fetchall()] == [detail]


SCHEMA = [
    "CREATE TABLE t(a, b TEXT COLLATE NOCASE, c REAL, d, PRIMARY KEY(b, a DESC)) WITHOUT ROWID",
    "CREATE INDEX i ON t(c)",
    "CREATE TABLE u(x INTEGER PRIMARY KEY, y UNIQUE, z) WITHOUT ROWID",
]
CHECKS = [
    "PRAGMA integrity_check",
    "SELECT count(*), sum(c), sum(length(d)) FROM t",
    "SELECT * FROM t WHERE b = 'name3' ORDER BY a",
    "SELECT a, b FROM t WHERE c = 6",
    "SELECT count(*), sum(x) FROM u",
    "SELECT * FROM u WHERE y = 'y10'",
]


def _fill(con) -> None:
    for s in SCHEMA:
        con.execute(s)
    for k in range(300):
        con.execute("INSERT INTO t VALUES(?, ?, ?, ?)",
                    (k % 7, f"Name{k // 7}", k * 1.5 if k % 3 else k, "x" * (k % 60)))
        con.execute("INSERT INTO u VALUES(?, ?, ?)", (k, f"y{k}", k * 2))
    con.execute("DELETE FROM t WHERE a = 3")
    con.execute("UPDATE t SET d = d || 'zz' WHERE a = 2")
    con.execute("UPDATE u SET x = x + 1000 WHERE x % 5 = 0")
    con.commit()


def _answers(con) -> list:
    return [con.execute(q).fetchall() for q in CHECKS]


@pytest.mark.parametrize("writer", ["pyrite", "sqlite3"])
def test_file_interop(tmp_path, writer):
    """A file written by either engine passes the other's integrity_check
    and reads back the same rows."""
    path = str(tmp_path / "w.db")
    first, second = (pyrite, sqlite3) if writer == "pyrite" else (sqlite3, pyrite)
    con = first.connect(path)
    _fill(con)
    expected = _answers(con)
    con.close()
    con = second.connect(path)
    assert _answers(con) == expected
    assert expected[0] == [("ok",)]
    # ... and the other engine can go on writing it.
    con.execute("INSERT INTO t VALUES(99, 'new', 1, 'n')")
    con.execute("DELETE FROM u WHERE x < 50")
    con.commit()
    con.close()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert check.execute("SELECT * FROM t WHERE b = 'NEW'").fetchall() == [(99, "new", 1.0, "n")]
    check.close()
