"""PRAGMAs answering as sqlite3 does: header values read as signed
integers, page_size before the first page exists, max_page_count and its
"database or disk is full", cache_spill, integrity_check of an empty
database, table_list (in SQLite's schema-hash order), count_changes."""

from __future__ import annotations

import random
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
        assert outcome(mine, sql) == outcome(theirs, sql), sql


CASES = {
    "signed_header_values": [
        "PRAGMA user_version = -10", "PRAGMA user_version",
        "PRAGMA application_id = -23", "PRAGMA application_id",
        "PRAGMA user_version = 2147483647", "PRAGMA user_version",
        "PRAGMA user_version = 4294967295", "PRAGMA user_version",
        "PRAGMA user_version = 9999999999", "PRAGMA user_version",
        "PRAGMA user_version = '12abc'", "PRAGMA user_version",
        "PRAGMA user_version = 1.9", "PRAGMA user_version",
    ],
    "page_size_of_a_new_database": [
        "PRAGMA integrity_check", "PRAGMA quick_check",
        "PRAGMA page_size = 1000", "PRAGMA page_size",
        "PRAGMA page_size = 1024", "PRAGMA page_size",
        "CREATE TABLE t(a)", "PRAGMA page_size = 8192", "PRAGMA page_size",
        "INSERT INTO t VALUES(zeroblob(3000))", "PRAGMA page_count", "PRAGMA integrity_check",
    ],
    "max_page_count": [
        "PRAGMA max_page_count", "PRAGMA max_page_count = 1000", "PRAGMA max_page_count = 0",
        "PRAGMA max_page_count", "CREATE TABLE t(a)", "PRAGMA max_page_count = 1",
        "PRAGMA max_page_count = 3", "CREATE TABLE u(a)", "CREATE TABLE v(a)",
        "PRAGMA page_count", "INSERT INTO t VALUES(zeroblob(10000))", "SELECT count(*) FROM t",
        "PRAGMA integrity_check",
    ],
    "cache_spill": [
        "PRAGMA cache_spill", "PRAGMA cache_spill = off", "PRAGMA cache_spill",
        "PRAGMA cache_spill = yes", "PRAGMA cache_spill", "PRAGMA cache_spill = 5000",
        "PRAGMA cache_spill", "PRAGMA cache_spill = 0", "PRAGMA cache_spill",
    ],
    "table_list": [
        "CREATE TABLE t1(a, b, c)", "CREATE TABLE t2(x INTEGER PRIMARY KEY, y) STRICT",
        "CREATE VIEW v1 AS SELECT a, b FROM t1", "PRAGMA main.table_list",
        "PRAGMA table_list(t1)", "PRAGMA table_list = v1", "PRAGMA table_list('sqlite_schema')",
        "PRAGMA table_list('sqlite_master')", "PRAGMA table_list(nosuch)",
        "SELECT * FROM pragma_table_list WHERE name = 't2'",
        "DROP TABLE t1", "PRAGMA main.table_list",
    ],
    "integrity_check_rows": [
        "CREATE TABLE u(id INTEGER PRIMARY KEY, val INTEGER CHECK (val > 0), "
        "nn NOT NULL DEFAULT 1, CONSTRAINT named CHECK (id < 100))",
        "CREATE INDEX ui ON u(val)", "CREATE UNIQUE INDEX un ON u(nn, val)",
        "PRAGMA integrity_check",
        "PRAGMA ignore_check_constraints = ON",
        "INSERT INTO u VALUES (1, -5, 1)", "INSERT INTO u VALUES (200, 5, 2)",
        "INSERT INTO u VALUES (3, 5, 3)",
        "PRAGMA integrity_check",
        "PRAGMA ignore_check_constraints = OFF",
        "PRAGMA integrity_check", "PRAGMA integrity_check(1)", "PRAGMA integrity_check(2)",
        "PRAGMA quick_check", "PRAGMA integrity_check(u)", "PRAGMA integrity_check(nosuch)",
        "PRAGMA integrity_check('3')", "PRAGMA integrity_check(sqlite_master)",
        "PRAGMA quick_check(u)",
    ],
    "alter_add_column_checks": [
        "CREATE TABLE t(a INTEGER)",
        "ALTER TABLE t ADD COLUMN b INTEGER CHECK(c > 0)",
        "ALTER TABLE t ADD COLUMN b INTEGER CHECK(count(*) > 0)",
        "ALTER TABLE t ADD COLUMN b INTEGER CHECK(b > (SELECT 1))",
        "INSERT INTO t VALUES(1)",
        "ALTER TABLE t ADD COLUMN y INTEGER DEFAULT -5 CHECK(y > 0)",
        "ALTER TABLE t ADD COLUMN z INTEGER DEFAULT 5 CHECK(z > 0)",
        "ALTER TABLE t ADD COLUMN v INTEGER NOT NULL DEFAULT 1 CHECK(v > a)",
        "ALTER TABLE t ADD COLUMN c TEXT DEFAULT 0",
        "CREATE INDEX tc ON t(c)",
        "PRAGMA integrity_check",
        "SELECT *, typeof(c) FROM t", "SELECT sql FROM sqlite_master",
    ],
    # PRAGMA count_changes: each INSERT, UPDATE and DELETE returns the rows
    # it wrote (views' INSTEAD OF rows included, upserted rows not, a
    # DELETE counts the rows it found), except with RETURNING.
    # TEMP's schema table is listed before TEMP is first used.
    "table_list_temp": [
        "SELECT schema, name, type, ncol, wr, strict FROM pragma_table_list"
        " WHERE schema = 'temp'",
        "PRAGMA table_list", "PRAGMA temp.table_list",
        "CREATE TEMP TABLE x(a)", "PRAGMA table_list",
    ],
    "count_changes": [
        'create table t(x primary key)',
        'create table a(id integer primary key autoincrement, y)',
        'create view v as select x from t',
        'create trigger tr instead of insert on v begin insert into t values(new.x); end',
        'create trigger tu instead of update on v begin select 1; end',
        'create trigger td instead of delete on v begin select 1; end',
        'pragma count_changes',
        'pragma count_changes=1',
        'pragma count_changes',
        'insert into v values(1),(2)',
        'update v set x=5',
        'insert or ignore into t values(1),(3)',
        'insert or replace into t values(1),(4)',
        'insert into t values(3) on conflict do update set x=9',
        'insert into t values(7) on conflict do nothing',
        'insert into a(y) values(1),(2)',
        'update a set y=y+1 where id>1',
        'update t set x=x+100 from a where a.id=t.x',
        'delete from v where x>3',
        'delete from t where x>3',
        'delete from t',
        'delete from a',
        'insert into t values(1) returning x',
        'select 1',
        'pragma count_changes=0',
        'insert into t values(50)',
        "PRAGMA foreign_keys=1",
        "CREATE TABLE p(id PRIMARY KEY)",
        "CREATE TABLE ch(pid REFERENCES p)",
        "PRAGMA count_changes=1",
        "INSERT INTO ch VALUES(5)",
        "SELECT count(*) FROM ch",
    ],
    # settings Pyrite keeps but does not act on still answer as SQLite's
    "settings": [
        "PRAGMA short_column_names", "PRAGMA full_column_names",
        "PRAGMA empty_result_callbacks", "PRAGMA writable_schema",
        "PRAGMA analysis_limit", "PRAGMA analysis_limit=5", "PRAGMA analysis_limit",
        "PRAGMA journal_size_limit", "PRAGMA journal_size_limit=100",
        "PRAGMA journal_size_limit", "PRAGMA mmap_size", "PRAGMA mmap_size=4096",
        "PRAGMA mmap_size", "PRAGMA locking_mode=EXCLUSIVE", "PRAGMA locking_mode",
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_pragmas_match_sqlite(name: str) -> None:
    compare_script(CASES[name])


@pytest.mark.parametrize("seed", range(3))
def test_table_list_follows_sqlite_hash_order(seed: int) -> None:
    """Many creates and drops: the listing order replays SQLite's schema
    hash (buckets, rehashing, removal) exactly."""
    rng = random.Random(seed)
    mine = pyrite.connect(":memory:")
    theirs = sqlite3.connect(":memory:")
    live: dict[str, str] = {}
    for i in range(120):
        if live and rng.random() < 0.25:
            name = rng.choice(sorted(live))
            sql = f"DROP {live.pop(name)} {name}"
        else:
            name = "".join(rng.choice("abcXYZ_") for _ in range(rng.randint(1, 6))) + str(i)
            live[name] = "TABLE" if rng.random() < 0.8 else "VIEW"
            sql = (f"CREATE TABLE {name}(a)" if live[name] == "TABLE"
                   else f"CREATE VIEW {name} AS SELECT 1 AS x")
        mine.execute(sql)
        theirs.execute(sql)
        if i % 10 == 9:
            q = "PRAGMA main.table_list"
            assert mine.execute(q).fetchall() == theirs.execute(q).fetchall(), i


def test_integrity_check_finds_rows_missing_from_an_index(tmp_path) -> None:
    """An index whose definition no longer matches its entries (rewritten
    through writable_schema): both engines report the same rows."""
    path = str(tmp_path / "bad.db")
    ref = sqlite3.connect(path)
    ref.executescript("""
        CREATE TABLE t(a, b);
        CREATE INDEX i ON t(a);
        CREATE UNIQUE INDEX j ON t(b);
        INSERT INTO t VALUES (1, 10), (2, 20), (3, 30);
        PRAGMA writable_schema = ON;
        UPDATE sqlite_master SET sql = 'CREATE INDEX i ON t(b)' WHERE name = 'i';
        UPDATE sqlite_master SET sql = 'CREATE UNIQUE INDEX j ON t(a)' WHERE name = 'j';
    """)
    ref.commit()
    ref.close()
    theirs = sqlite3.connect(path)
    mine = pyrite.connect(path)
    for q in ("PRAGMA integrity_check", "PRAGMA integrity_check(2)", "PRAGMA quick_check"):
        expected = theirs.execute(q).fetchall()
        assert expected != [("ok",)] or q == "PRAGMA quick_check"
        assert mine.execute(q).fetchall() == expected, q


def test_count_changes_names_its_column() -> None:
    con = pyrite.connect(":memory:", isolation_level=None)
    con.execute("CREATE TABLE t(x)")
    con.execute("PRAGMA count_changes=1")
    for sql, name in [("INSERT INTO t VALUES (1), (2)", "rows inserted"),
                      ("UPDATE t SET x = x + 1", "rows updated"),
                      ("DELETE FROM t", "rows deleted")]:
        cur = con.execute(sql)
        assert cur.description[0][0] == name
        assert cur.fetchall() == [(2,)]


def test_schema_table_columns_show_standard_type_names() -> None:
    """sqlite_schema's columns are declared text/int, standard type names
    that table_info shows upper-case as for any table."""
    compare_script(["PRAGMA table_info(sqlite_schema)", "PRAGMA table_xinfo(sqlite_temp_master)",
                    "SELECT name, type FROM pragma_table_info('sqlite_master')",
                    "CREATE TABLE t(a text, b Int, c varchar(9))", "PRAGMA table_info(t)"])


def _data_versions(module, path) -> list[tuple[int, int]]:
    a = module.connect(str(path), isolation_level=None)
    b = module.connect(str(path), isolation_level=None)

    def dv():
        return (a.execute("PRAGMA data_version").fetchone()[0],
                b.execute("PRAGMA data_version").fetchone()[0])
    seen = [dv()]
    for con, sql in ((a, "CREATE TABLE t(x)"), (a, "INSERT INTO t VALUES(1)"),
                     (b, "INSERT INTO t VALUES(2)"), (b, "DELETE FROM t"),
                     (b, "INSERT INTO t VALUES(3)")):
        con.execute(sql)
        seen.append(dv())
    a.close()
    b.close()
    return seen


def test_data_version_counts_other_connections_changes(tmp_path) -> None:
    """PRAGMA data_version starts at 1 and moves only when a read finds that
    another connection committed (once per sighting, however many commits)."""
    assert _data_versions(pyrite, tmp_path / "p.db") == \
        _data_versions(sqlite3, tmp_path / "s.db")
