"""TEMP schema and ATTACH/DETACH, compared with stdlib sqlite3."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import pyrite


def _run(mod, conn, sql):
    try:
        return ("ok", conn.execute(sql).fetchall())
    except mod.Error as exc:   # both modules follow PEP 249
        return ("error", type(exc).__name__, str(exc))


def _compare(script: list[str], setup=None) -> None:
    ours = pyrite.connect(":memory:", isolation_level=None)
    ref = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for sql in script:
            got = _run(pyrite, ours, sql)
            want = _run(sqlite3, ref, sql)
            assert got == want, sql
    finally:
        ours.close()
        ref.close()


def test_temp_table_shadows_main() -> None:
    _compare([
        "CREATE TABLE t(a, b)",
        "INSERT INTO t VALUES (1, 2)",
        "CREATE TEMP TABLE t(x)",
        "INSERT INTO t VALUES (9)",
        "SELECT * FROM t",
        "SELECT * FROM main.t",
        "SELECT * FROM temp.t",
        "UPDATE main.t SET b = 20",
        "DELETE FROM temp.t",
        "SELECT * FROM t",
        "SELECT * FROM main.t",
        "PRAGMA table_info(t)",
        "PRAGMA main.table_info(t)",
        "PRAGMA database_list",
        "DROP TABLE t",
        "SELECT * FROM t",
        "PRAGMA database_list",
    ])


def test_temp_schema_table_and_objects() -> None:
    _compare([
        "PRAGMA database_list",
        "CREATE TABLE base(a)",
        "CREATE TEMPORARY TABLE tt(a INTEGER PRIMARY KEY, b UNIQUE)",
        "CREATE INDEX tti ON tt(b, a)",
        "CREATE TEMP VIEW v AS SELECT * FROM base",
        "CREATE VIEW temp.v2 AS SELECT 1",
        "SELECT type, name, tbl_name, sql FROM sqlite_temp_master ORDER BY name",
        "SELECT type, name, tbl_name, sql FROM temp.sqlite_schema ORDER BY name",
        "SELECT name FROM sqlite_master ORDER BY name",
        "CREATE TEMP TABLE main.x(a)",
        "CREATE TEMP VIEW main.x AS SELECT 1",
        "CREATE TEMP TRIGGER main.tr AFTER INSERT ON base BEGIN SELECT 1; END",
        "CREATE TEMP TABLE tt(z)",
        "CREATE TEMP TABLE IF NOT EXISTS tt(z)",
        "DROP INDEX tti",
        "DROP VIEW temp.v2",
        "SELECT name FROM sqlite_temp_master ORDER BY name",
        "PRAGMA temp.index_list(tt)",
        "PRAGMA integrity_check",
    ])


def test_temp_triggers_fire_before_main_ones() -> None:
    _compare([
        "CREATE TABLE t(x)",
        "CREATE TABLE log(seq INTEGER PRIMARY KEY AUTOINCREMENT, who TEXT)",
        "CREATE TRIGGER m1 BEFORE INSERT ON t BEGIN INSERT INTO log(who) VALUES ('m1'); END",
        "CREATE TRIGGER m2 BEFORE INSERT ON t BEGIN INSERT INTO log(who) VALUES ('m2'); END",
        "CREATE TEMP TRIGGER t1 BEFORE INSERT ON t BEGIN INSERT INTO log(who) VALUES ('t1'); END",
        "CREATE TEMP TRIGGER t2 BEFORE INSERT ON main.t BEGIN "
        "INSERT INTO log(who) VALUES ('t2'); END",
        "INSERT INTO t VALUES (1)",
        "SELECT * FROM log ORDER BY seq",
        "SELECT name, tbl_name FROM sqlite_temp_master",
        "CREATE TEMP TABLE t(y)",
        "DROP TABLE temp.t",
        "SELECT name FROM sqlite_temp_master",
        "DROP TABLE main.t",
        "SELECT name FROM sqlite_temp_master",
        "SELECT name FROM sqlite_master ORDER BY name",
    ])


def test_trigger_on_temp_table_is_temp() -> None:
    _compare([
        "CREATE TEMP TABLE tt(a)",
        "CREATE TABLE log(x)",
        "CREATE TRIGGER tr AFTER INSERT ON tt BEGIN INSERT INTO log VALUES (new.a); END",
        "SELECT name FROM sqlite_temp_master WHERE type = 'trigger'",
        "INSERT INTO tt VALUES (5)",
        "SELECT * FROM log",
        "CREATE TRIGGER main.tr2 AFTER INSERT ON tt BEGIN SELECT 1; END",
        "CREATE TRIGGER tr3 AFTER INSERT ON log BEGIN INSERT INTO main.log VALUES (1); END",
    ])


def test_attach_errors_and_database_list() -> None:
    _compare([
        "ATTACH ':memory:' AS aux",
        "ATTACH '' AS aux2",
        "PRAGMA database_list",
        "ATTACH ':memory:' AS aux",
        "ATTACH ':memory:' AS main",
        "ATTACH ':memory:' AS temp",
        "DETACH main",
        "DETACH temp",
        "DETACH nosuch",
        "SELECT * FROM nosuch.t",
        "CREATE TABLE nosuch.t(a)",
        "PRAGMA nosuch.user_version",
        "DETACH aux2",
        "PRAGMA database_list",
    ])


def test_attached_tables_everywhere() -> None:
    _compare([
        "ATTACH ':memory:' AS aux",
        "CREATE TABLE aux.t1(id INTEGER PRIMARY KEY, val REAL UNIQUE, data INTEGER)",
        "CREATE TABLE t1(z)",
        "INSERT INTO aux.t1 VALUES (1, 10.0, 100), (2, 20.0, 200), (3, 30.0, 300)",
        "INSERT INTO t1 VALUES ('main')",
        "UPDATE aux.t1 SET id = 10, data = 999 WHERE id = 1",
        "SELECT * FROM aux.t1 ORDER BY id",
        "SELECT * FROM t1",
        "CREATE INDEX aux.i1 ON t1(data)",
        "SELECT * FROM aux.t1 WHERE data = 200",
        "PRAGMA aux.index_list(t1)",
        "PRAGMA index_list(t1)",
        "PRAGMA aux.table_info(t1)",
        "SELECT type, name, tbl_name FROM aux.sqlite_master ORDER BY name",
        "CREATE TABLE aux.seq(a INTEGER PRIMARY KEY AUTOINCREMENT, b)",
        "INSERT INTO aux.seq(b) VALUES (1), (2)",
        "SELECT * FROM aux.sqlite_sequence",
        "DELETE FROM aux.t1 WHERE id = 2",
        "SELECT a.id, m.z FROM aux.t1 AS a, main.t1 AS m ORDER BY a.id",
        "CREATE VIEW aux.v AS SELECT id FROM t1",
        "SELECT * FROM aux.v",
        "CREATE TRIGGER aux.tr AFTER INSERT ON t1 BEGIN DELETE FROM t1 WHERE id < 0; END",
        "INSERT INTO aux.t1 VALUES (-5, 1.5, 0)",
        "INSERT INTO aux.t1 VALUES (50, 2.5, 0)",
        "SELECT id FROM aux.t1 ORDER BY id",
        "PRAGMA aux.user_version = 7",
        "PRAGMA aux.user_version",
        "PRAGMA user_version",
        "PRAGMA integrity_check",
        "DROP INDEX aux.i1",
        "DROP TABLE aux.t1",
        "SELECT * FROM t1",
        "DETACH aux",
        "SELECT * FROM aux.seq",
    ])


def test_detach_while_in_transaction_is_locked() -> None:
    _compare([
        "ATTACH ':memory:' AS aux",
        "CREATE TABLE aux.t2(y)",
        "BEGIN",
        "INSERT INTO aux.t2 VALUES (1)",
        "DETACH aux",
        "COMMIT",
        "DETACH aux",
    ])


def test_transaction_spans_attached_files(tmp_path: Path) -> None:
    """COMMIT and ROLLBACK apply to every database the transaction wrote."""
    main, other = tmp_path / "main.db", tmp_path / "other.db"
    conn = pyrite.connect(str(main), isolation_level=None)
    conn.execute(f"ATTACH '{other}' AS o")
    conn.execute("CREATE TABLE t(a)")
    conn.execute("CREATE TABLE o.u(b)")
    conn.execute("BEGIN")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.execute("INSERT INTO o.u VALUES (2)")
    conn.execute("ROLLBACK")
    assert conn.execute("SELECT count(*) FROM t").fetchall() == [(0,)]
    assert conn.execute("SELECT count(*) FROM o.u").fetchall() == [(0,)]
    conn.execute("BEGIN")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.execute("INSERT INTO o.u VALUES (2)")
    conn.execute("SAVEPOINT s")
    conn.execute("INSERT INTO o.u VALUES (3)")
    conn.execute("ROLLBACK TO s")
    conn.execute("COMMIT")
    conn.close()
    ref = sqlite3.connect(str(other))
    assert ref.execute("SELECT * FROM u").fetchall() == [(2,)]
    assert ref.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    ref.close()
    ref = sqlite3.connect(str(main))
    assert ref.execute("SELECT * FROM t").fetchall() == [(1,)]
    ref.close()


def test_attached_file_written_by_pyrite_opens_in_sqlite3(tmp_path: Path) -> None:
    path = tmp_path / "aux.db"
    conn = pyrite.connect(":memory:", isolation_level=None)
    conn.execute("ATTACH ? AS aux", (str(path),))
    conn.execute("CREATE TABLE aux.t(id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
    conn.execute("CREATE INDEX aux.tn ON t(name DESC)")
    conn.executemany("INSERT INTO aux.t(name) VALUES (?)", [(f"n{i}",) for i in range(300)])
    conn.execute("DELETE FROM aux.t WHERE id % 3 = 0")
    conn.execute("DETACH aux")
    conn.close()
    ref = sqlite3.connect(str(path))
    assert ref.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert ref.execute("SELECT count(*), min(name) FROM t").fetchall() == [(200, "n0")]
    ref.execute("INSERT INTO t(name) VALUES ('from sqlite3')")
    ref.commit()
    ref.close()
    conn = pyrite.connect(":memory:")
    conn.execute("ATTACH ? AS x", (str(path),))
    assert conn.execute("SELECT id FROM x.t WHERE name = 'from sqlite3'").fetchall() \
        == [(300,)]
    conn.close()


def test_prepared_statement_after_detach() -> None:
    """ATTACH/DETACH renumber databases: statements prepared before are
    recompiled."""
    conn = pyrite.connect(":memory:", isolation_level=None)
    conn.execute("ATTACH ':memory:' AS a")
    conn.execute("ATTACH ':memory:' AS b")
    conn.execute("CREATE TABLE b.t(x)")
    conn.execute("INSERT INTO b.t VALUES ('b')")
    conn.execute("DETACH a")
    assert conn.execute("SELECT * FROM b.t").fetchall() == [("b",)]
    assert conn.execute("PRAGMA database_list").fetchall()[-1][:2] == (2, "b")
    with pytest.raises(pyrite.OperationalError, match="no such table: a.t"):
        conn.execute("SELECT * FROM a.t")


def test_attached_foreign_keys_views_and_reindex() -> None:
    _compare([
        "CREATE TABLE p(id INTEGER PRIMARY KEY)",
        "CREATE TABLE c(pid REFERENCES p(id))",
        "ATTACH ':memory:' AS aux",
        "CREATE TABLE aux.p(id INTEGER PRIMARY KEY)",
        "CREATE TABLE aux.c(pid REFERENCES p(id) ON DELETE CASCADE)",
        "PRAGMA foreign_keys = 1",
        "INSERT INTO aux.p VALUES (1)",
        "INSERT INTO aux.c VALUES (1)",
        "INSERT INTO aux.c VALUES (2)",
        "DELETE FROM aux.p",
        "SELECT * FROM aux.c",
        "PRAGMA aux.foreign_key_list(c)",
        "PRAGMA foreign_key_list(c)",
        "CREATE VIEW aux.v2 AS SELECT * FROM main.p",
        "CREATE VIEW aux.v3 AS SELECT * FROM (SELECT * FROM temp.p)",
        "CREATE VIEW v4 AS SELECT * FROM aux.p",
        "CREATE TEMP VIEW tv AS SELECT * FROM aux.p",
        "SELECT * FROM tv",
        "INSERT INTO aux.p VALUES (5)",
        "CREATE UNIQUE INDEX aux.pu ON p(id)",
        "REINDEX aux.p",
        "REINDEX aux.pu",
        "PRAGMA integrity_check",
        "ALTER TABLE aux.p RENAME TO p2",
        "SELECT name FROM aux.sqlite_master ORDER BY name",
        "ALTER TABLE aux.p2 ADD COLUMN z DEFAULT 3",
        "SELECT * FROM aux.p2",
        "SELECT name FROM sqlite_master ORDER BY name",
    ])


def test_attach_file_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a database " * 20)
    missing = tmp_path / "no" / "such" / "dir.db"
    for mod in (pyrite, sqlite3):
        conn = mod.connect(":memory:")
        with pytest.raises(mod.DatabaseError, match="file is not a database"):
            conn.execute("ATTACH ? AS j", (str(junk),))
        with pytest.raises(mod.OperationalError, match="unable to open database: "):
            conn.execute("ATTACH ? AS m", (str(missing),))
        assert [r[1] for r in conn.execute("PRAGMA database_list")] == ["main"]
        conn.close()


def test_temp_sequence_and_transactions() -> None:
    _compare([
        "CREATE TABLE temp.x(a INTEGER PRIMARY KEY AUTOINCREMENT, b)",
        "INSERT INTO x(b) VALUES (1), (2)",
        "SELECT * FROM temp.sqlite_sequence",
        "SELECT name FROM sqlite_master",
        "INSERT INTO sqlite_temp_master VALUES (1, 2, 3, 4, 5)",
        "BEGIN",
        "INSERT INTO x(b) VALUES (3)",
        "CREATE TEMP TABLE y(a)",
        "ROLLBACK",
        "SELECT * FROM x",
        "SELECT * FROM y",
        "SAVEPOINT a",
        "INSERT INTO x(b) VALUES (4)",
        "ROLLBACK TO a",
        "RELEASE a",
        "SELECT * FROM x",
        "PRAGMA temp.journal_mode",
        "PRAGMA temp.integrity_check",
    ])


def test_rename_table_carries_its_temp_triggers() -> None:
    _compare([
        "CREATE TABLE t(a)",
        "CREATE TABLE log(x)",
        "CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.a); END",
        "ALTER TABLE t RENAME TO u",
        "SELECT tbl_name, sql FROM sqlite_temp_master",
        "INSERT INTO u VALUES (3)",
        "SELECT * FROM log",
    ])
