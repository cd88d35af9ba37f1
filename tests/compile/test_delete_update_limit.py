"""DELETE/UPDATE ... ORDER BY ... LIMIT ... OFFSET (SQLITE_ENABLE_UPDATE_DELETE_LIMIT,
which the stdlib's SQLite has): the rows chosen, the errors, RETURNING."""

import sqlite3

import pytest

import pyrite

SETUP = ("create table t(a integer primary key, b, c text);"
         "insert into t values(1,5,'x'),(2,4,'y'),(3,3,'x'),(4,2,'y'),(5,1,'z');")

CASES = [
    ["delete from t order by b limit 2"],
    ["delete from t where c = 'x' limit 1"],
    ["delete from t order by c desc, a limit 2 offset 1"],
    ["delete from t limit -1"],
    ["delete from t limit 0"],
    ["update t set b = b * 10 order by a desc limit 3"],
    ["update t as q set c = 'w' where q.b > 1 order by q.b limit 2 offset 1"],
    ["update or replace t set a = a + 10 order by a limit 2"],
    ["delete from t order by a"],
    ["update t set b = 0 order by a"],
    ["delete from t order by nosuch limit 1"],
]


def _run(mod, stmts):
    con = mod.connect(":memory:")
    con.executescript(SETUP)
    out = []
    for s in stmts:
        try:
            out.append(con.execute(s).fetchall())
        except mod.Error as e:
            out.append(("error", str(e)))
    out.append(con.execute("select * from t order by a").fetchall())
    return out


@pytest.mark.parametrize("stmts", CASES, ids=[c[0] for c in CASES])
def test_matches_sqlite(stmts):
    assert _run(pyrite, stmts) == _run(sqlite3, stmts)


@pytest.mark.parametrize("sql", ["delete from t where b > 1 returning a order by b limit 2",
                                 "delete from t order by b limit 2 returning a"])
def test_returning_with_limit(sql):
    results = []
    for mod in (sqlite3, pyrite):
        con = mod.connect(":memory:")
        con.executescript(SETUP)
        try:
            results.append(sorted(con.execute(sql).fetchall()))
        except mod.Error as e:
            results.append(str(e))
    assert results[0] == results[1]
