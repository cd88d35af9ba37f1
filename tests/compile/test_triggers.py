"""Triggers (CREATE/DROP TRIGGER, BEFORE/AFTER/INSTEAD OF, WHEN, RAISE,
OLD/NEW, recursive triggers, foreign key actions firing child triggers):
differential tests against the standard library's sqlite3 — rows with
their types, errors, and changes()/total_changes()/last_insert_rowid()
after every write."""

from __future__ import annotations

import sqlite3
from pathlib import Path

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
            probe = "SELECT changes(), total_changes(), last_insert_rowid()"
            a = outcome(mine, probe)
            b = outcome(theirs, probe)
            assert a == b, f"after {sql!r}: pyrite {a!r} != sqlite3 {b!r}"


CASES = {
    "before_after_insert_log": [
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b)",
        "CREATE TABLE log(x)",
        "CREATE TRIGGER tb BEFORE INSERT ON t BEGIN INSERT INTO log VALUES('before ' || new.b); END",
        "CREATE TRIGGER ta AFTER INSERT ON t BEGIN INSERT INTO log VALUES('after ' || new.a || new.b); END",
        "INSERT INTO t(b) VALUES('x'), ('y')",
        "INSERT INTO t VALUES(10, 'z')",
        "SELECT rowid, * FROM log ORDER BY rowid",
    ],
    "update_of_columns_and_when": [
        "CREATE TABLE t(a, b, c)",
        "CREATE TABLE log(x, y)",
        "CREATE TRIGGER tu AFTER UPDATE OF b ON t WHEN new.b > old.b BEGIN "
        "INSERT INTO log VALUES(old.b, new.b); END",
        "INSERT INTO t VALUES(1, 1, 1), (2, 5, 2)",
        "UPDATE t SET c = c + 1",
        "UPDATE t SET b = b + 1",
        "UPDATE t SET b = b - 10 WHERE a = 2",
        "SELECT * FROM log ORDER BY rowid",
    ],
    "before_delete_removes_row_itself": [
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b)",
        "CREATE TABLE log(x)",
        "INSERT INTO t VALUES(1, 'a'), (2, 'b'), (3, 'c')",
        "CREATE TRIGGER td BEFORE DELETE ON t BEGIN DELETE FROM t WHERE a = old.a + 1; "
        "INSERT INTO log VALUES(old.a); END",
        "DELETE FROM t",
        "SELECT * FROM t",
        "SELECT * FROM log ORDER BY rowid",
    ],
    "raise_variants": [
        "CREATE TABLE t(a)",
        "CREATE TRIGGER ti BEFORE INSERT ON t WHEN new.a < 0 BEGIN SELECT RAISE(ABORT, 'negative'); END",
        "CREATE TRIGGER tj BEFORE INSERT ON t WHEN new.a = 0 BEGIN SELECT RAISE(IGNORE); END",
        "CREATE TRIGGER tk BEFORE INSERT ON t WHEN new.a > 100 BEGIN SELECT RAISE(FAIL, 'big'); END",
        "INSERT INTO t VALUES(1), (0), (2)",
        "INSERT INTO t VALUES(3), (-1)",
        "BEGIN",
        "INSERT INTO t VALUES(4), (101), (5)",
        "COMMIT",
        "SELECT * FROM t ORDER BY rowid",
        "SELECT RAISE(ABORT, 'outside')",
    ],
    "raise_rollback_ends_transaction": [
        "CREATE TABLE t(a)",
        "CREATE TRIGGER tr BEFORE INSERT ON t WHEN new.a = 9 BEGIN SELECT RAISE(ROLLBACK, 'gone'); END",
        "BEGIN",
        "INSERT INTO t VALUES(1)",
        "INSERT INTO t VALUES(9)",
        "SELECT * FROM t",
        "COMMIT",
    ],
    "instead_of_view_writes": [
        "CREATE TABLE base(id INTEGER PRIMARY KEY, name TEXT, n INT)",
        "CREATE VIEW v AS SELECT id, upper(name) AS uname, n FROM base",
        "CREATE TRIGGER vi INSTEAD OF INSERT ON v BEGIN "
        "INSERT INTO base(name, n) VALUES(lower(new.uname), new.n); END",
        "CREATE TRIGGER vu INSTEAD OF UPDATE OF n ON v BEGIN "
        "UPDATE base SET n = new.n * 10 WHERE id = old.id; END",
        "CREATE TRIGGER vd INSTEAD OF DELETE ON v BEGIN DELETE FROM base WHERE id = old.id; END",
        "INSERT INTO v(uname, n) VALUES('ABC', 1), ('DEF', 2)",
        "UPDATE v SET n = n + 1 WHERE uname = 'DEF'",
        "UPDATE v SET uname = 'q'",
        "DELETE FROM v WHERE id = 1",
        "SELECT * FROM base",
        "SELECT * FROM v",
        "INSERT INTO v VALUES(1, 2, 3, 4)",
    ],
    "view_without_trigger_is_read_only": [
        "CREATE TABLE base(a)",
        "CREATE VIEW v AS SELECT a FROM base",
        "INSERT INTO v VALUES(1)",
        "UPDATE v SET a = 1",
        "DELETE FROM v",
    ],
    "recursive_triggers_and_depth_limit": [
        "CREATE TABLE t(n)",
        "CREATE TRIGGER tr AFTER INSERT ON t WHEN new.n < 50 BEGIN INSERT INTO t VALUES(new.n + 1); END",
        "INSERT INTO t VALUES(1)",
        "SELECT count(*), max(n) FROM t",
        "PRAGMA recursive_triggers = 1",
        "PRAGMA recursive_triggers",
        "DELETE FROM t",
        "INSERT INTO t VALUES(1)",
        "SELECT count(*), max(n) FROM t",
        "CREATE TABLE u(n)",
        "CREATE TRIGGER forever AFTER INSERT ON u BEGIN INSERT INTO u VALUES(new.n + 1); END",
        "INSERT INTO u VALUES(1)",
        "SELECT count(*) FROM u",
    ],
    "fk_cascade_fires_child_triggers": [
        "PRAGMA foreign_keys = ON",
        "CREATE TABLE p(id INTEGER PRIMARY KEY)",
        "CREATE TABLE c(id INTEGER PRIMARY KEY, pid REFERENCES p ON DELETE CASCADE ON UPDATE CASCADE)",
        "CREATE TABLE log(what, a, b)",
        "CREATE TRIGGER cd AFTER DELETE ON c BEGIN INSERT INTO log VALUES('del', old.id, old.pid); END",
        "CREATE TRIGGER cu BEFORE UPDATE OF pid ON c BEGIN "
        "INSERT INTO log VALUES('upd', old.pid, new.pid); END",
        "INSERT INTO p VALUES(1), (2)",
        "INSERT INTO c VALUES(10, 1), (11, 1), (12, 2)",
        "UPDATE p SET id = 5 WHERE id = 1",
        "DELETE FROM p WHERE id = 2",
        "SELECT * FROM c ORDER BY id",
        "SELECT * FROM log ORDER BY rowid",
    ],
    "replace_fires_delete_triggers_only_when_recursive": [
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE)",
        "CREATE TABLE log(x)",
        "CREATE TRIGGER tb BEFORE DELETE ON t BEGIN INSERT INTO log VALUES('b ' || old.a || old.b); END",
        "CREATE TRIGGER ta AFTER DELETE ON t BEGIN INSERT INTO log VALUES('a ' || old.a || old.b); END",
        "INSERT INTO t VALUES(1, 'x'), (2, 'y')",
        "INSERT OR REPLACE INTO t VALUES(3, 'x')",
        "PRAGMA recursive_triggers = 1",
        "INSERT OR REPLACE INTO t VALUES(4, 'y')",
        "REPLACE INTO t VALUES(4, 'z')",
        "UPDATE OR REPLACE t SET b = 'z' WHERE a = 3",
        "SELECT * FROM t",
        "SELECT * FROM log ORDER BY rowid",
    ],
    "create_and_drop_errors": [
        "CREATE TABLE t(a)",
        "CREATE VIEW v AS SELECT a FROM t",
        "CREATE TRIGGER x BEFORE INSERT ON v BEGIN SELECT 1; END",
        "CREATE TRIGGER x INSTEAD OF INSERT ON t BEGIN SELECT 1; END",
        "CREATE TRIGGER x AFTER INSERT ON nosuch BEGIN SELECT 1; END",
        "CREATE TRIGGER x AFTER INSERT ON sqlite_master BEGIN SELECT 1; END",
        "CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; END",
        "CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; END",
        "CREATE TRIGGER IF NOT EXISTS x AFTER INSERT ON t BEGIN SELECT 1; END",
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name",
        "DROP TRIGGER nosuch",
        "DROP TRIGGER IF EXISTS nosuch",
        "DROP TRIGGER x",
        "CREATE TRIGGER y AFTER INSERT ON t BEGIN SELECT 1; END",
        "DROP TABLE t",
        "SELECT type, name FROM sqlite_master ORDER BY name",
    ],
    "trigger_sees_last_insert_rowid_and_changes": [
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b)",
        "CREATE TABLE side(x)",
        "CREATE TRIGGER ta AFTER INSERT ON t BEGIN INSERT INTO side VALUES(last_insert_rowid()); "
        "INSERT INTO side VALUES(changes()); END",
        "INSERT INTO t VALUES(7, 'a')",
        "INSERT INTO t VALUES(8, 'b')",
        "SELECT * FROM side ORDER BY rowid",
    ],
    # RETURNING fires first of the AFTER triggers: its subqueries see the
    # rows before them; a row a BEFORE trigger ignores is not returned.
    "returning_before_after_triggers": [
        'CREATE TABLE t (id INTEGER PRIMARY KEY, val INTEGER)',
        'CREATE TABLE log(x)',
        'INSERT INTO t VALUES (1, 10)',
        'CREATE TRIGGER tr AFTER UPDATE ON t BEGIN UPDATE t SET val = val + 100 WHERE id = NEW.id; END',
        'CREATE TRIGGER ti AFTER INSERT ON t BEGIN UPDATE t SET val = val + 1000 WHERE id = NEW.id; END',
        'CREATE TRIGGER td AFTER DELETE ON t BEGIN INSERT INTO log VALUES ((SELECT count(*) FROM t)); INSERT INTO t VALUES (99, 99); END',
        'UPDATE t SET val = 20 WHERE id = 1 RETURNING val, (SELECT val FROM t t2 WHERE t2.id = t.id)',
        'SELECT val FROM t',
        'INSERT INTO t VALUES (2, 5) RETURNING val, (SELECT val FROM t t2 WHERE t2.id = 2)',
        'SELECT * FROM t',
        'DELETE FROM t WHERE id = 2 RETURNING id, (SELECT count(*) FROM t)',
        'SELECT * FROM t',
        'SELECT * FROM log',
    ],
    "returning_skips_ignored_rows": [
        'CREATE TABLE t (id INTEGER PRIMARY KEY, val INTEGER)',
        'INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)',
        'CREATE TRIGGER tb BEFORE DELETE ON t WHEN old.id = 2 BEGIN SELECT RAISE(IGNORE); END',
        'DELETE FROM t RETURNING id',
        'SELECT * FROM t',
        'CREATE TRIGGER tu BEFORE UPDATE ON t WHEN old.id = 2 BEGIN SELECT RAISE(IGNORE); END',
        'UPDATE t SET val = 0 RETURNING id, val',
        'INSERT INTO t VALUES (5, 5) RETURNING *',
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_triggers_match_sqlite(name: str) -> None:
    compare_script(CASES[name])


def test_trigger_recursion_does_not_grow_python_stack() -> None:
    """A trigger chain as deep as SQLite allows runs on the VM's frame
    stack: deeper than Python's recursion limit would let nested calls go."""
    import sys
    con = pyrite.connect(":memory:", isolation_level=None)
    con.execute("PRAGMA recursive_triggers = ON")
    con.execute("CREATE TABLE t(n)")
    con.execute("CREATE TRIGGER tr AFTER INSERT ON t WHEN new.n < 990 "
                "BEGIN INSERT INTO t VALUES(new.n + 1); END")
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(400)
    try:
        con.execute("INSERT INTO t VALUES(1)")
    finally:
        sys.setrecursionlimit(old)
    assert con.execute("SELECT count(*), max(n) FROM t").fetchone() == (990, 990)


def test_triggers_round_trip_through_sqlite3(tmp_path: Path) -> None:
    """Triggers Pyrite creates fire in sqlite3, and the other way round."""
    path = str(tmp_path / "trig.db")
    con = pyrite.connect(path, isolation_level=None)
    con.execute("CREATE TABLE t(a)")
    con.execute("CREATE TABLE log(x)")
    con.execute("CREATE TRIGGER ta AFTER INSERT ON t BEGIN INSERT INTO log VALUES(new.a * 2); END")
    con.close()
    ref = sqlite3.connect(path, isolation_level=None)
    ref.execute("INSERT INTO t VALUES(21)")
    ref.execute("CREATE TRIGGER td AFTER DELETE ON t BEGIN INSERT INTO log VALUES(-old.a); END")
    assert ref.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    ref.close()
    con = pyrite.connect(path, isolation_level=None)
    con.execute("INSERT INTO t VALUES(5)")
    con.execute("DELETE FROM t WHERE a = 21")
    assert con.execute("SELECT x FROM log ORDER BY rowid").fetchall() == [(42,), (10,), (-21,)]


def test_new_rowid_has_integer_affinity() -> None:
    """NEW.rowid and the INTEGER PRIMARY KEY alias compare as integers in
    a trigger; other NEW columns have no affinity."""
    script = [
        "CREATE TABLE t(id INTEGER PRIMARY KEY, x INTEGER, y)",
        "CREATE TABLE log(m)",
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES"
        " (new.x = '1'), (new.id = '1'), (new.rowid = '1'), (new.y = '1'); END",
        "CREATE TRIGGER tw AFTER INSERT ON t WHEN new.rowid = '1'"
        " BEGIN INSERT INTO log VALUES ('fired'); END",
        "INSERT INTO t VALUES (1, 1, 1)",
    ]
    results = []
    for mod in (sqlite3, pyrite):
        con = mod.connect(":memory:")
        for sql in script:
            con.execute(sql)
        results.append(con.execute("SELECT m FROM log ORDER BY rowid").fetchall())
    assert results[0] == results[1] == [("fired",), (0,), (1,), (1,), (0,)]
