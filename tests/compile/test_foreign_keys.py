"""Foreign keys, differential against the standard library's sqlite3.

Each script runs on both engines in autocommit mode (isolation_level=None,
so BEGIN/COMMIT are the script's own); every statement's outcome (rows with
their types, or the error class and message) must match, which also checks
the state left behind by a failing statement.
"""

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
    for sql in ["PRAGMA foreign_keys=ON"] + statements:
        a = outcome(mine, sql)
        b = outcome(theirs, sql)
        assert a == b, f"{sql!r}: pyrite {a!r} != sqlite3 {b!r}"
    assert mine.in_transaction == theirs.in_transaction


PARENT = [
    "CREATE TABLE p(id INTEGER PRIMARY KEY, name TEXT)",
    "CREATE TABLE c(id INTEGER PRIMARY KEY, pid REFERENCES p(id), v)",
    "INSERT INTO p VALUES(1, 'a'), (2, 'b')",
    "INSERT INTO c VALUES(10, 1, 'x'), (11, NULL, 'y')",
]

CASES = {
    "pragma_default_off": [
        "PRAGMA foreign_keys", "PRAGMA foreign_keys=OFF", "PRAGMA foreign_keys",
        "CREATE TABLE p(a PRIMARY KEY)", "CREATE TABLE c(x REFERENCES p)",
        "INSERT INTO c VALUES(1)", "SELECT * FROM c",
    ],
    "pragma_noop_in_transaction": [
        "BEGIN", "PRAGMA foreign_keys=OFF", "PRAGMA foreign_keys", "COMMIT",
        "PRAGMA foreign_keys",
    ],
    "insert_child": PARENT + [
        "INSERT INTO c VALUES(12, 3, 'z')",
        "INSERT INTO c VALUES(12, 2, 'z')",
        "INSERT INTO c VALUES(13, NULL, 'n')",
        "INSERT INTO c VALUES(14, '1', 'text key')",
        "INSERT INTO c SELECT id + 100, id, 's' FROM p",
        "INSERT INTO c SELECT id + 200, id + 5, 's' FROM p",
        "SELECT * FROM c ORDER BY id",
    ],
    "update_and_delete": PARENT + [
        "UPDATE c SET pid = 9 WHERE id = 10",
        "UPDATE c SET pid = 2 WHERE id = 10",
        "UPDATE c SET v = 'only v' WHERE id = 10",
        "DELETE FROM p WHERE id = 2",
        "DELETE FROM p WHERE id = 1",
        "DELETE FROM p",
        "UPDATE p SET id = 5 WHERE id = 2",
        "UPDATE p SET id = 5 WHERE id = 1",
        "SELECT * FROM p ORDER BY id", "SELECT * FROM c ORDER BY id",
    ],
    "state_after_failure_in_transaction": PARENT + [
        "BEGIN",
        "INSERT INTO c VALUES(20, 1, 'kept')",
        "INSERT INTO c VALUES(21, 1, 'a'), (22, 7, 'b')",
        "SELECT * FROM c ORDER BY id",
        "COMMIT",
        "SELECT * FROM c ORDER BY id",
    ],
    "composite_unique_parent": [
        "CREATE TABLE p(a, b, UNIQUE(a, b))",
        "CREATE TABLE c(x, y, FOREIGN KEY(x, y) REFERENCES p(a, b))",
        "INSERT INTO p VALUES(1, 2)",
        "INSERT INTO c VALUES(1, 2)",
        "INSERT INTO c VALUES(1, 3)",
        "INSERT INTO c VALUES(1, NULL)",
        "DELETE FROM p",
        "SELECT * FROM c",
    ],
    "composite_pk_implicit": [
        "CREATE TABLE p(a, b, PRIMARY KEY(a, b))",
        "CREATE TABLE c(x, y, FOREIGN KEY(y, x) REFERENCES p)",
        "INSERT INTO p VALUES(1, 2)",
        "INSERT INTO c VALUES(2, 1)",
        "INSERT INTO c VALUES(1, 2)",
    ],
    "mismatch_and_missing_parent": [
        "CREATE TABLE p(a, b)",
        "CREATE TABLE c1(x REFERENCES p(a))",
        "CREATE TABLE c2(x REFERENCES nosuch)",
        "CREATE TABLE p2(a COLLATE NOCASE, UNIQUE(a COLLATE BINARY))",
        "CREATE TABLE c3(x REFERENCES p2(a))",
        "INSERT INTO c1 VALUES(1)",
        "INSERT INTO c2 VALUES(1)",
        "INSERT INTO c2 VALUES(NULL)",
        "INSERT INTO c3 VALUES(1)",
        "DELETE FROM p",
    ],
    "create_errors": [
        "CREATE TABLE p(a PRIMARY KEY, b)",
        "CREATE TABLE e1(x REFERENCES p(a, b))",
        "CREATE TABLE e2(x, y, FOREIGN KEY(x, y) REFERENCES p(a))",
        "CREATE TABLE e3(x, FOREIGN KEY(q) REFERENCES p)",
    ],
    "parent_collation_and_affinity": [
        "CREATE TABLE p(a TEXT COLLATE NOCASE PRIMARY KEY)",
        "CREATE TABLE c(x INTEGER REFERENCES p(a))",
        "INSERT INTO p VALUES('abc'), ('1')",
        "INSERT INTO c VALUES('ABC')",
        "INSERT INTO c VALUES(1)",
        "DELETE FROM p WHERE a = 'abc'",
        "DELETE FROM p WHERE a = '1'",
    ],
    "self_reference": [
        "CREATE TABLE t(id INTEGER PRIMARY KEY, parent REFERENCES t(id))",
        "INSERT INTO t VALUES(1, 1)",
        "INSERT INTO t VALUES(2, 3)",
        "INSERT INTO t VALUES(2, 1), (3, 2)",
        "DELETE FROM t WHERE id = 2",
        "DELETE FROM t WHERE id >= 2",
        "SELECT * FROM t ORDER BY id",
        "UPDATE t SET id = 11 WHERE id = 1",
        "INSERT INTO t VALUES(5, NULL), (6, 5)",
        "UPDATE t SET up = id",
        "UPDATE t SET id = id + 10",
        "SELECT * FROM t ORDER BY id",
    ],
    "deferred": [
        "CREATE TABLE p(id PRIMARY KEY)",
        "CREATE TABLE c(x REFERENCES p DEFERRABLE INITIALLY DEFERRED)",
        "INSERT INTO c VALUES(1)",
        "BEGIN",
        "INSERT INTO c VALUES(1)",
        "COMMIT",
        "SELECT count(*) FROM c",
        "INSERT INTO p VALUES(1)",
        "COMMIT",
        "SELECT * FROM c",
        "BEGIN", "DELETE FROM p", "ROLLBACK", "SELECT * FROM p",
    ],
    "deferred_count_kept_by_failed_single_row_insert": [
        "CREATE TABLE p(id INTEGER PRIMARY KEY)",
        "CREATE TABLE c(id INTEGER PRIMARY KEY, a REFERENCES p DEFERRABLE INITIALLY DEFERRED,"
        " b REFERENCES p)",
        "BEGIN",
        "INSERT INTO c VALUES(1, 5, 6)",
        "COMMIT",
        "ROLLBACK",
        "BEGIN",
        "INSERT INTO c VALUES(1, 5, 6), (2, NULL, NULL)",
        "COMMIT",
        "SELECT * FROM c",
    ],
    "deferred_savepoint": [
        "CREATE TABLE p(id PRIMARY KEY)",
        "CREATE TABLE c(x REFERENCES p DEFERRABLE INITIALLY DEFERRED)",
        "SAVEPOINT a",
        "INSERT INTO c VALUES(5)",
        "RELEASE a",
        "ROLLBACK TO a",
        "RELEASE a",
        "SELECT * FROM c",
    ],
    "defer_foreign_keys": [
        "CREATE TABLE p(id PRIMARY KEY)",
        "CREATE TABLE c(x REFERENCES p)",
        "BEGIN",
        "PRAGMA defer_foreign_keys=ON",
        "INSERT INTO c VALUES(1)",
        "PRAGMA defer_foreign_keys",
        "COMMIT",
        "INSERT INTO p VALUES(1)",
        "COMMIT",
        "PRAGMA defer_foreign_keys",
        "SELECT * FROM c",
    ],
    "cascade_delete_chain": [
        "CREATE TABLE a(id INTEGER PRIMARY KEY)",
        "CREATE TABLE b(id INTEGER PRIMARY KEY, aid REFERENCES a ON DELETE CASCADE)",
        "CREATE TABLE c(id INTEGER PRIMARY KEY, bid REFERENCES b ON DELETE CASCADE)",
        "INSERT INTO a VALUES(1), (2)",
        "INSERT INTO b VALUES(10, 1), (11, 2), (12, 1)",
        "INSERT INTO c VALUES(100, 10), (101, 11), (102, 12), (103, NULL)",
        "DELETE FROM a WHERE id = 1",
        "SELECT changes()",
        "SELECT total_changes()",
        "SELECT * FROM b", "SELECT * FROM c",
    ],
    "update_actions": [
        "CREATE TABLE p(id INTEGER PRIMARY KEY, k UNIQUE)",
        "CREATE TABLE c1(x REFERENCES p(k) ON UPDATE CASCADE)",
        "CREATE TABLE c2(x REFERENCES p(k) ON UPDATE SET NULL)",
        "CREATE TABLE c3(x DEFAULT 7 REFERENCES p(k) ON UPDATE SET DEFAULT)",
        "INSERT INTO p VALUES(1, 5), (2, 7)",
        "INSERT INTO c1 VALUES(5)", "INSERT INTO c2 VALUES(5)", "INSERT INTO c3 VALUES(5)",
        "UPDATE p SET k = 6 WHERE id = 1",
        "SELECT changes()",
        "SELECT * FROM c1", "SELECT * FROM c2", "SELECT * FROM c3",
        "UPDATE p SET k = 8 WHERE id = 2",
        "SELECT * FROM c3",
    ],
    "delete_set_null_default_restrict": [
        "CREATE TABLE p(id INTEGER PRIMARY KEY)",
        "CREATE TABLE c1(x REFERENCES p ON DELETE SET NULL)",
        "CREATE TABLE c2(x DEFAULT 3 REFERENCES p ON DELETE SET DEFAULT)",
        "CREATE TABLE c3(x REFERENCES p ON DELETE RESTRICT)",
        "INSERT INTO p VALUES(1), (2), (3)",
        "INSERT INTO c1 VALUES(1)", "INSERT INTO c2 VALUES(1)", "INSERT INTO c3 VALUES(2)",
        "DELETE FROM p WHERE id = 1",
        "SELECT * FROM c1", "SELECT * FROM c2",
        "DELETE FROM p WHERE id = 2",
        "DELETE FROM p WHERE id = 3",
        "SELECT * FROM p",
    ],
    "drop_table": [
        "CREATE TABLE p(id INTEGER PRIMARY KEY)",
        "CREATE TABLE c(x REFERENCES p)",
        "CREATE TABLE d(x REFERENCES p ON DELETE CASCADE)",
        "INSERT INTO p VALUES(1), (2)",
        "INSERT INTO c VALUES(1)", "INSERT INTO d VALUES(2)",
        "DROP TABLE p",
        "DELETE FROM c",
        "DROP TABLE p",
        "SELECT * FROM d",
        "INSERT INTO c VALUES(NULL)",
        "INSERT INTO c VALUES(1)",
    ],
    "recursive_cascades": [
        "CREATE TABLE t(id INTEGER PRIMARY KEY, up REFERENCES t ON DELETE CASCADE"
        " ON UPDATE CASCADE)",
        "INSERT INTO t VALUES(1, NULL), (2, 1), (3, 2), (4, 2), (5, 1), (6, NULL), (7, 6)",
        "UPDATE t SET id = 20 WHERE id = 2",
        "SELECT * FROM t ORDER BY id",
        "DELETE FROM t WHERE id = 1",
        "SELECT changes()",
        "SELECT * FROM t ORDER BY id",
        "CREATE TABLE a(id INTEGER PRIMARY KEY, bid REFERENCES b ON DELETE CASCADE)",
        "CREATE TABLE b(id INTEGER PRIMARY KEY, aid REFERENCES a ON DELETE SET NULL)",
        "INSERT INTO a VALUES(1, NULL), (2, NULL)",
        "INSERT INTO b VALUES(10, 1), (11, 2)",
        "UPDATE a SET bid = 11 WHERE id = 1",
        "DELETE FROM b WHERE id = 11",
        "SELECT * FROM a", "SELECT * FROM b",
        "CREATE TABLE s(a, b, pa, pb, PRIMARY KEY(a, b),"
        " FOREIGN KEY(pa, pb) REFERENCES s ON DELETE CASCADE)",
        "INSERT INTO s VALUES(1, 1, NULL, NULL), (2, 2, 1, 1), (3, 3, 2, 2), (4, 4, 1, 1)",
        "DELETE FROM s WHERE a = 1",
        "SELECT count(*) FROM s",
    ],
    "action_comparisons_as_trigger_programs": [
        "CREATE TABLE a(id INTEGER PRIMARY KEY, k UNIQUE)",
        "CREATE TABLE b(aid TEXT REFERENCES a(k) ON DELETE RESTRICT"
        " DEFERRABLE INITIALLY DEFERRED)",
        "CREATE TABLE c(aid TEXT COLLATE NOCASE REFERENCES a(k) ON UPDATE CASCADE)",
        "INSERT INTO a VALUES(1, 3), (2, 'x')",
        "BEGIN",
        "INSERT INTO b VALUES('3')",
        "DELETE FROM a WHERE id = 1",
        "ROLLBACK",
        "INSERT INTO c VALUES('x')",
        "PRAGMA foreign_keys=OFF", "INSERT INTO c VALUES('X')", "PRAGMA foreign_keys=ON",
        "UPDATE a SET k = 'y' WHERE id = 2",
        "SELECT * FROM c ORDER BY 1",
    ],
    "upsert": [
        "CREATE TABLE p(id INTEGER PRIMARY KEY, k UNIQUE)",
        "CREATE TABLE c(id INTEGER PRIMARY KEY, pk REFERENCES p(k) ON UPDATE CASCADE)",
        "INSERT INTO p VALUES(1, 10), (2, 20)",
        "INSERT INTO c VALUES(1, 10)",
        "INSERT INTO c VALUES(1, 30) ON CONFLICT(id) DO UPDATE SET pk = excluded.pk",
        "INSERT INTO c VALUES(1, 20) ON CONFLICT(id) DO UPDATE SET pk = excluded.pk",
        "INSERT INTO p VALUES(3, 20) ON CONFLICT(k) DO UPDATE SET k = 25",
        "SELECT * FROM c", "SELECT * FROM p ORDER BY id",
        "INSERT INTO c VALUES(2, 99) ON CONFLICT DO NOTHING",
    ],
    "foreign_key_list_and_check": [
        "CREATE TABLE p(a PRIMARY KEY, b, c, UNIQUE(b, c))",
        "CREATE TABLE ch(x REFERENCES p, y, z, w REFERENCES p(a) ON DELETE CASCADE,"
        " FOREIGN KEY(y, z) REFERENCES p(b, c) ON UPDATE SET NULL"
        " DEFERRABLE INITIALLY DEFERRED)",
        "PRAGMA foreign_key_list(ch)",
        "PRAGMA foreign_key_list(p)",
        "PRAGMA foreign_keys=OFF",
        "INSERT INTO p VALUES(1, 2, 3)",
        "INSERT INTO ch VALUES(1, 2, 3, 1), (5, 2, 9, NULL), (NULL, NULL, 3, 7)",
        "PRAGMA foreign_key_check",
        "PRAGMA foreign_key_check(ch)",
        "PRAGMA foreign_key_check(p)",
        "PRAGMA foreign_key_check(nosuch)",
        "SELECT * FROM pragma_foreign_key_check",
        "SELECT \"table\", fkid, arg FROM pragma_foreign_key_check('ch')",
        "SELECT * FROM pragma_foreign_key_list('ch') WHERE seq = 1",
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_foreign_keys(name: str) -> None:
    compare_script(CASES[name])


def test_single_row_insert_halts_at_once() -> None:
    """A single-row INSERT fails with Halt, other statements count (EXPLAIN shape)."""
    con = pyrite.connect(":memory:")
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("CREATE TABLE p(id INTEGER PRIMARY KEY)")
    con.execute("CREATE TABLE c(x REFERENCES p)")
    ops = [r[1] for r in con.execute("EXPLAIN INSERT INTO c VALUES(1)")]
    assert "FkCounter" not in ops and "NotExists" in ops
    ops = [r[1] for r in con.execute("EXPLAIN DELETE FROM p")]
    assert "FkCounter" in ops and "FkIfZero" not in ops
    ops = [r[1] for r in con.execute("EXPLAIN UPDATE c SET x = 2")]
    assert ops.count("FkCounter") == 2 and "FkIfZero" in ops


def test_deep_recursive_cascade() -> None:
    """A self-referencing ON DELETE CASCADE recurses at run time, up to
    SQLite's trigger depth limit."""
    chain = ",".join(f"({i}, {i - 1 if i > 1 else 'NULL'})" for i in range(1, 1101))
    compare_script([
        "CREATE TABLE t(id INTEGER PRIMARY KEY, up INTEGER REFERENCES t ON DELETE CASCADE)",
        "CREATE INDEX t_up ON t(up)",
        f"INSERT INTO t VALUES {chain}",
        "DELETE FROM t WHERE id = 1",
        "SELECT count(*) FROM t",
        "DELETE FROM t WHERE id = 200",
        "SELECT count(*) FROM t",
    ])
