"""End-to-end DDL/DML through engine.Database, compared with sqlite3.

These run once the VM (vdbe/vm.py) and the program builder exist.
"""

from __future__ import annotations

import sqlite3

import pytest

# The opcodes these statements compile to; the tests run once the VM
# implements all of them.
NEEDED_OPCODES = (
    "Init", "Goto", "Halt", "HaltIfNull", "Transaction", "AutoCommit", "Savepoint",
    "ReadCookie", "SetCookie", "If", "IfNot", "CreateBtree", "Destroy", "Clear",
    "OpenRead", "OpenWrite", "OpenEphemeral", "Close", "NewRowid", "Insert", "Delete",
    "IdxInsert", "IdxDelete", "IdxRowid", "NoConflict", "NotExists", "SeekRowid",
    "MakeRecord", "Affinity", "Column", "Rowid", "Rewind", "Next", "String8", "Integer",
    "Real", "Null", "SCopy", "Copy", "NotNull", "IsNull", "MustBeInt", "Eq", "Ne", "Lt",
    "Le", "Gt", "Ge", "Add", "Function", "AggStep", "AggFinal", "ResultRow", "RowSetAdd",
    "RowSetRead", "SorterOpen", "SorterInsert", "SorterSort", "SorterData", "SorterNext",
    "SorterCompare", "InitCoroutine", "Yield", "EndCoroutine", "ParseSchema", "DropTable",
    "DropIndex", "MemMax", "Variable", "SeekGE", "OpenPseudo",
)


def _vm_ready() -> bool:
    try:
        import pyrite.compile.builder  # noqa: F401
        from pyrite.vdbe import opcodes
        from pyrite.vdbe.ops import control, cursor, data  # noqa: F401
    except Exception:
        return False
    for name in NEEDED_OPCODES:
        spec = opcodes.BY_NAME.get(name)
        if spec is None or getattr(spec, "handler", None) in (None, opcodes._missing):
            return False
    return True


pytestmark = pytest.mark.skipif(not _vm_ready(), reason="the VM does not run these opcodes yet")

from pyrite import errors  # noqa: E402
from pyrite.engine import ROW, Database  # noqa: E402


def run(db: Database, sql: str, params: tuple = ()) -> list[tuple]:
    """Run every statement of ``sql``; rows of the last one."""
    offset = 0
    rows: list[tuple] = []
    while True:
        stmt, offset = db.prepare(sql, offset)
        if stmt is None:
            return rows
        for i, p in enumerate(params, 1):
            stmt.bind(i, p)
        rows = []
        try:
            while stmt.step() == ROW:
                rows.append(stmt.row())
        finally:
            stmt.finalize()


def both(tmp_path, script: str, query: str):
    """Run ``script`` in sqlite3 and in Pyrite; return both answers to ``query``."""
    con = sqlite3.connect(":memory:")
    con.executescript(script)
    expected = con.execute(query).fetchall()
    db = Database(":memory:")
    run(db, script)
    got = run(db, query)
    return expected, got


SCRIPTS = [
    ("create table t(a, b); insert into t values(1, 'x'), (2, 'y'); insert into t(b) values(3)",
     "select rowid, a, b, typeof(a) from t"),
    ("create table t(a integer primary key, b text, c real); insert into t values(null, 1, '2');"
     " insert into t values(10, 'z', 3); insert into t(b) values('w')",
     "select a, b, typeof(b), c, typeof(c) from t"),
    ("create table t(a int default 7, b default 'd', c); insert into t(c) values(1);"
     " insert into t default values", "select * from t"),
    ("create table t(a unique, b); insert into t values(1,1),(2,2),(3,3);"
     " update t set b = b * 10 where a >= 2", "select * from t order by a"),
    ("create table t(a, b); create index i on t(b); insert into t values(1,'q'),(2,'p'),(3,'q');"
     " delete from t where b = 'q'", "select * from t"),
    ("create table t(a, b); insert into t values(1,2),(3,4); delete from t",
     "select count(*) from t"),
    ("create table t(a integer primary key, b); insert into t values(1,'a'),(2,'b');"
     " insert or replace into t values(1,'c')", "select * from t"),
    ("create table t(a unique, b); insert into t values(1,'a');"
     " insert or ignore into t values(1,'b'); insert or replace into t values(1, 'c')", "select * from t"),
    ("create table t(a, b); insert into t values(1,2); insert into t select a+1, b+1 from t;"
     " insert into t select a+10, b from t", "select * from t order by a"),
    ("create table t(a integer primary key, b); insert into t values(5, 1);"
     " update t set a = 9 where a = 5", "select * from t"),
    ("create table t(a, b); insert into t values(1,2); create table s as select a, b+1 as c from t",
     "select sql from sqlite_schema where name='s'"),
    ("create table t(a text primary key, b unique, c); create index ic on t(c desc);"
     " create unique index iu on t(b, c)",
     "select type, name, tbl_name, rootpage, sql from sqlite_schema"),
    ("pragma user_version = 42", "pragma user_version"),
    ("pragma application_id = 7", "pragma application_id"),
    ("create table t(a unique, b, c, primary key(b, c)); create index i on t(c, a desc)",
     "pragma index_list(t)"),
    ("create table t(a unique, b, c, primary key(b, c)); create index i on t(c, a desc)",
     "pragma index_info(i)"),
    ("create table t(a unique, b, c, primary key(b, c)); create index i on t(c, a desc)",
     "pragma index_xinfo(sqlite_autoindex_t_2)"),
    ("create table t(a integer primary key, b unique);"
     " insert into t values(1, 'x'), (2, 'y'); insert or replace into t values(3, 'x')",
     "select * from t order by a"),
    ("create table t(a not null on conflict ignore, b); insert into t values(null, 1), (2, 2)",
     "select * from t"),
    ("create table t(a not null default 5, b); insert or replace into t values(null, 1)",
     "select * from t"),
    ("create table t(a integer primary key autoincrement, b); insert into t values(7, 1);"
     " insert into t(b) values(2); delete from t; insert into t(b) values(3)",
     "select * from t union all select * from sqlite_sequence"),
    ("create table t(a integer primary key, b text not null default 'x', c)",
     "pragma table_info(t)"),
]


@pytest.mark.parametrize("script, query", SCRIPTS)
def test_against_sqlite(tmp_path, script, query):
    expected, got = both(tmp_path, script, query)
    assert got == expected


ERRORS = [
    ("create table t(a); create table t(b)", "table t already exists"),
    ("create table t(a, b); insert into t values(1)",
     "table t has 2 columns but 1 values were supplied"),
    ("create table t(a); insert into t(a) values(1, 2)", "2 values for 1 columns"),
    ("create table t(a); insert into t(x) values(1)", "table t has no column named x"),
    ("create table t(a not null); insert into t values(null)", "NOT NULL constraint failed: t.a"),
    ("create table t(a unique); insert into t values(1); insert into t values(1)",
     "UNIQUE constraint failed: t.a"),
    ("create table t(a integer primary key); insert into t values(1); insert into t values(1)",
     "UNIQUE constraint failed: t.a"),
    ("create table t(a check(a > 0)); insert into t values(0)", "CHECK constraint failed: a > 0"),
    ("create table t(a integer primary key); insert into t values('x')", "datatype mismatch"),
    ("drop table nosuch", "no such table: nosuch"),
    ("drop table sqlite_master", "table sqlite_master may not be dropped"),
    ("create table t(a); insert into t values(1),(1); create unique index i on t(a)",
     "UNIQUE constraint failed: t.a"),
]


@pytest.mark.parametrize("script, message", ERRORS)
def test_errors_match_sqlite(script, message):
    con = sqlite3.connect(":memory:")
    with pytest.raises(sqlite3.Error) as ref:
        con.executescript(script)
    assert str(ref.value) == message
    db = Database(":memory:")
    with pytest.raises(errors.Error) as got:
        run(db, script)
    assert str(got.value) == message


def test_changes_and_last_insert_rowid():
    db = Database(":memory:")
    run(db, "create table t(a, b); insert into t values(1,1),(2,2),(3,3)")
    assert db.changes == 3 and db.last_insert_rowid == 3
    run(db, "update t set b = 0 where a > 1")
    assert db.changes == 2
    run(db, "delete from t where a = 1")
    assert db.changes == 1
    assert db.total_changes == 6


def test_statement_rollback_inside_transaction():
    db = Database(":memory:")
    run(db, "create table t(a unique)")
    run(db, "begin")
    run(db, "insert into t values(1)")
    with pytest.raises(errors.IntegrityError):
        run(db, "insert into t values(2), (3), (1)")
    assert not db.autocommit
    run(db, "commit")
    assert run(db, "select a from t") == [(1,)]


def test_rollback_undoes_transaction():
    db = Database(":memory:")
    run(db, "create table t(a)")
    run(db, "begin; insert into t values(1); rollback")
    assert run(db, "select count(*) from t") == [(0,)]
    with pytest.raises(errors.OperationalError, match="cannot commit - no transaction is active"):
        run(db, "commit")


def test_file_written_by_pyrite_passes_sqlite_integrity_check(tmp_path):
    path = str(tmp_path / "w.db")
    db = Database(path)
    run(db, "create table t(id integer primary key, name text, body text, data blob);"
            "create index tn on t(name); create table u(x unique, y)")
    run(db, "begin")
    for i in range(3000):
        name = f"n{i % 97}" * (1 + i % 7)
        body = f"b{i}" * (1 + i % 900)       # up to ~4,500 bytes: overflow pages
        run(db, "insert into t(name, body, data) values(?, ?, ?)",
            (name, body, bytes(i % 251) * (i % 50)))
        if i % 3 == 0:
            run(db, "insert into u values(?, ?)", (i, "y" * (i % 700)))
    run(db, "commit")
    run(db, "delete from t where id % 3 = 0")
    run(db, "update u set y = 'short'")
    db.close()
    con = sqlite3.connect(path)
    assert con.execute("pragma integrity_check").fetchall() == [("ok",)]
    assert con.execute("select count(*) from t").fetchone()[0] == 2000
    assert con.execute("select count(*), max(y) from u").fetchone() == (1000, "short")
    query = ("select count(*), sum(length(data)), sum(length(body)) from t"
             " where name like 'n1%'")
    expected = con.execute(query).fetchall()
    con.close()
    db = Database(path)
    assert run(db, query) == expected
    db.close()


def test_sqlite3_file_read_and_modified(tmp_path):
    path = str(tmp_path / "s.db")
    con = sqlite3.connect(path)
    con.executescript("create table t(a integer primary key, b text unique);"
                      "insert into t values(1,'one'),(2,'two');")
    con.close()
    db = Database(path)
    assert run(db, "select * from t order by a") == [(1, "one"), (2, "two")]
    run(db, "insert into t(b) values('three'); delete from t where a = 1")
    db.close()
    con = sqlite3.connect(path)
    assert con.execute("select * from t order by a").fetchall() == [(2, "two"), (3, "three")]
    assert con.execute("pragma integrity_check").fetchall() == [("ok",)]


FILE_SCRIPT = """
create table a(x integer primary key autoincrement, y text unique, z check(z is null or z > 0));
create table b(p, q, r, unique(q, r));
create index bi on b(p desc) where p > 2;
insert into a(y) values('one'), ('two');
insert into a values(10, 'ten', 5);
insert into a(y) values('eleven');
delete from a where x = 11;
insert into b values(1,2,3),(4,5,6),(7,8,9);
create table c(k);
insert into c values(1);
drop table c;
create index gone on b(q);
drop index gone;
insert or replace into b values(100, 5, 6);
update b set p = p + 1;
create table d as select y, z from a;
pragma user_version=7;
"""


def _dump(path: str) -> list:
    con = sqlite3.connect(path)
    out = [con.execute("pragma integrity_check").fetchall(),
           con.execute("pragma user_version").fetchall(),
           con.execute("select * from sqlite_schema").fetchall()]
    for t in ("a", "b", "sqlite_sequence", "d"):
        out.append(con.execute(f"select rowid, * from {t} order by rowid").fetchall())
    con.close()
    return out


def test_ddl_and_dml_file_identical_to_sqlite(tmp_path):
    mine, ref = str(tmp_path / "p.db"), str(tmp_path / "s.db")
    db = Database(mine)
    run(db, FILE_SCRIPT)
    db.close()
    con = sqlite3.connect(ref)
    con.executescript(FILE_SCRIPT)
    con.close()
    got = _dump(mine)
    assert got[0] == [("ok",)]
    assert got == _dump(ref)


def test_savepoints_match_sqlite():
    script = ("create table t(a); savepoint s1; insert into t values(1); savepoint s2;"
              " insert into t values(2); rollback to s2; insert into t values(3);"
              " release s2; savepoint s3; insert into t values(4); rollback to s1;"
              " insert into t values(5); release s1")
    con = sqlite3.connect(":memory:", isolation_level=None)
    con.executescript(script)
    expected = con.execute("select a from t").fetchall()
    db = Database(":memory:")
    run(db, script)
    assert db.autocommit
    assert run(db, "select a from t") == expected
    with pytest.raises(errors.OperationalError, match="no such savepoint: nope"):
        run(db, "savepoint x; release nope")


def test_readonly_database_refuses_writes(tmp_path):
    path = str(tmp_path / "ro.db")
    con = sqlite3.connect(path)
    con.execute("create table t(a)")
    con.commit()
    con.close()
    db = Database(path, readonly=True)
    assert run(db, "select count(*) from t") == [(0,)]
    with pytest.raises(errors.OperationalError, match="attempt to write a readonly database"):
        run(db, "insert into t values(1)")
    db.close()


def test_schema_change_by_other_connection_is_seen(tmp_path):
    path = str(tmp_path / "sc.db")
    db = Database(path)
    run(db, "create table t(a); insert into t values(1)")
    stmt, _ = db.prepare("select * from t")
    con = sqlite3.connect(path)
    con.execute("alter table t add column b default 2")
    con.commit()
    con.close()
    # The prepared statement is re-prepared against the new schema.
    assert stmt.step() == ROW
    assert stmt.row() == (1, 2)
    stmt.finalize()
    db.close()
