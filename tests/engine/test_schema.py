"""Schema objects built from CREATE statements and from sqlite3-written files."""

from __future__ import annotations

import sqlite3

import pytest

from pyrite import errors
from pyrite.compile.build import stored_sql
from pyrite.engine import Database
from pyrite.schema.schema import XN_ROWID, index_from_ast, table_from_ast
from pyrite.sql.parser import parse_one


def _table(sql: str):
    parsed = parse_one(sql)
    return table_from_ast(parsed.statement, sql)


def test_rowid_alias_rules():
    assert _table("CREATE TABLE t(a INTEGER PRIMARY KEY, b)").rowid_alias == 0
    assert _table("CREATE TABLE t(a integer primary key asc)").rowid_alias == 0
    # DESC in the column form is not an alias; in the table form it is.
    assert _table("CREATE TABLE t(a INTEGER PRIMARY KEY DESC)").rowid_alias == -1
    assert _table("CREATE TABLE t(a INTEGER, PRIMARY KEY(a DESC))").rowid_alias == 0
    assert _table("CREATE TABLE t(a INT PRIMARY KEY)").rowid_alias == -1
    assert _table("CREATE TABLE t(b, a INTEGER, PRIMARY KEY(a, b))").rowid_alias == -1


def test_affinities():
    t = _table("CREATE TABLE t(a INT, b TEXT, c BLOB, d REAL, e NUMERIC, f, g VARCHAR(10),"
               " h FLOATING POINT, i DOUBLE)")
    assert [c.affinity for c in t.columns] == ["D", "B", "A", "E", "C", "A", "B", "D", "E"]
    assert t.affinity_string() == "DBAECABDE"


def test_autoindex_names_follow_sqlite():
    t = _table("CREATE TABLE t(a TEXT PRIMARY KEY, b UNIQUE, c, UNIQUE(b, c), UNIQUE(b))")
    names = [i.name for i in t.indexes]
    assert names == ["sqlite_autoindex_t_1", "sqlite_autoindex_t_2", "sqlite_autoindex_t_3"]
    assert t.indexes[0].is_primary_key and t.indexes[0].unique
    assert t.indexes[2].columns == [1, 2, XN_ROWID]


def test_duplicate_column():
    with pytest.raises(errors.OperationalError, match="duplicate column name: A"):
        _table("CREATE TABLE t(a, b, A)")


def test_two_primary_keys():
    with pytest.raises(errors.OperationalError, match='table "t" has more than one primary key'):
        _table("CREATE TABLE t(a PRIMARY KEY, b PRIMARY KEY)")


def test_check_labels():
    t = _table("CREATE TABLE t(a CHECK( a > 0 ), b, CONSTRAINT pos CHECK(b>0))")
    assert [c.label for c in t.checks] == ["a > 0", "pos"]


def test_index_key_info():
    t = _table("CREATE TABLE t(a, b COLLATE NOCASE)")
    stmt = "CREATE INDEX i ON t(b, a DESC)"
    idx = index_from_ast(parse_one(stmt).statement, t, stmt)
    assert idx.columns == [1, 0, XN_ROWID]
    assert idx.collations == ["NOCASE", "BINARY", "BINARY"]
    assert str(idx.key_info) == "k(3,NOCASE,-,)"


@pytest.mark.parametrize("sql", [
    "create table t(a, b)",
    "CREATE   TABLE  if not exists  main . \"t\"  ( a , b )",
    "create temp table x(a)",
    "create unique index if not exists main.i on t(a)",
    "create index j on t(b desc)",
    "create view vv as select 1",
])
def test_stored_sql_matches_sqlite(sql):
    con = sqlite3.connect(":memory:")
    if "index" in sql or "view" in sql:
        con.execute("create table t(a, b)")
    before = {r[0] for r in con.execute("select name from sqlite_temp_master union all "
                                        "select name from sqlite_schema")}
    con.execute(sql)
    rows = list(con.execute("select name, sql from sqlite_schema union all "
                            "select name, sql from sqlite_temp_master"))
    expected = [s for n, s in rows if n not in before]
    assert len(expected) == 1
    keyword = {"table": "CREATE TABLE", "view": "CREATE VIEW"}
    kind = "index" if " index " in sql.lower() else ("view" if "view" in sql else "table")
    kw = keyword.get(kind) or ("CREATE UNIQUE INDEX" if "unique" in sql else "CREATE INDEX")
    assert stored_sql(sql, kw) == expected[0]


def test_load_schema_of_sqlite3_file(tmp_path):
    path = str(tmp_path / "s.db")
    con = sqlite3.connect(path)
    con.executescript("""
        create table t(a integer primary key, b text unique, c check(c>0));
        create index i on t(b, c desc);
        create table u(x text primary key, y) without rowid;
        create view v as select * from t;
    """)
    roots = {n: r for n, r in con.execute("select name, rootpage from sqlite_schema")}
    con.close()
    db = Database(path)
    db.ensure_schema()
    s = db.schema
    assert set(s.tables) == {"t", "u"}
    assert set(s.views) == {"v"}
    assert s.tables["t"].root == roots["t"]
    assert s.indexes["sqlite_autoindex_t_1"].root == roots["sqlite_autoindex_t_1"]
    assert s.indexes["i"].root == roots["i"]
    assert s.tables["t"].rowid_alias == 0
    # The WITHOUT ROWID table's primary key index is the table's b-tree.
    assert s.tables["u"].primary_key_index().root == roots["u"]
    assert s.find_table("SQLITE_MASTER").root == 1
    assert db.schema_cookie() == 4
    db.close()


def test_malformed_schema(tmp_path):
    path = str(tmp_path / "m.db")
    con = sqlite3.connect(path)
    con.execute("create table t(a)")
    con.execute("pragma writable_schema=on")
    con.execute("update sqlite_schema set sql='CREATE TABLE t(a' where name='t'")
    con.commit()
    con.close()
    db = Database(path)
    with pytest.raises(errors.DatabaseError, match=r"malformed database schema \(t\)"):
        db.ensure_schema()
    db.close()


def test_schema_reload_on_cookie_change(tmp_path):
    path = str(tmp_path / "r.db")
    con = sqlite3.connect(path)
    con.execute("create table t(a)")
    con.commit()
    db = Database(path)
    db.ensure_schema()
    assert set(db.schema.tables) == {"t"}
    con.execute("create table u(b)")
    con.commit()
    con.close()
    db.ensure_schema()
    assert set(db.schema.tables) == {"t", "u"}
    db.close()


def test_schema_loads_leave_no_cursor_open(tmp_path):
    """Reading sqlite_schema and sqlite_stat1 (at open, and again when
    another connection changed the schema) closes its B-tree cursors: an
    idle cursor on a tree is visited by every write to it."""
    import pyrite
    path = str(tmp_path / "s.db")
    con = pyrite.connect(path, isolation_level=None)
    con.execute("create table t(a, b)")
    con.execute("create index i on t(a)")
    con.execute("insert into t values(1, 2)")
    con.execute("analyze")
    other = pyrite.connect(path, isolation_level=None)
    other.execute("create table u(x)")
    assert con.execute("select * from t").fetchall() == [(1, 2)]
    btree = con._db.dbs[0].btree
    assert not any(btree.cursors.values())
    other.close()
    con.close()
