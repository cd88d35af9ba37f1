"""Compound SELECTs with ORDER BY run as SQLite's merge of two sorted
coroutines (multiSelectOrderBy): same rows, same value types (which of two
equal rows survives), same EXPLAIN QUERY PLAN; without ORDER BY, SQLite's
temp B-tree plan lines."""

import sqlite3

import pytest

import pyrite

SETUP = """
create table t(a, b text);
create table u(x integer primary key, y text collate nocase, r real);
insert into t values (1,'one'),(2,'two'),(2.0,'two'),(3,'B'),(null,'nil'),(4,'b');
insert into u values (1,'A',1),(2,'b',2.5),(3,'B',null),(5,'c',4),(7,null,7);
"""

QUERIES = [
    "select a from t union select x from u order by 1",
    "select a from t union all select x from u order by 1 desc",
    "select a, b from t except select x, y from u order by 2, 1",
    "select a from t intersect select x from u order by 1",
    "select a from t union select r from u order by 1",
    "select r from u union select a from t order by 1",
    "select b from t union select y from u order by 1",
    "select y from u union select b from t order by 1",
    "select b from t union select y from u order by 1 collate nocase",
    "select a from t union all select x from u union select 9 order by 1 limit 4 offset 1",
    "select a from t except select 2 union all select 2 order by 1",
    "select 1 as k union select 2 union all select 1 order by k desc",
    "select a/1.0 from t union select a from t order by 1",
    "select a from t union select a from t order by 1 nulls last",
    "select * from (select a from t union select x from u order by 1 desc) limit 3",
    "select (select a from t union select x from u order by 1 desc)",
    "select 3 in (select a from t union select x from u order by 1)",
]


def _run(mod, sql):
    con = mod.connect(":memory:")
    con.executescript(SETUP)
    try:
        rows = con.execute(sql).fetchall()
        return [tuple((type(v).__name__, v) for v in r) for r in rows]
    except mod.Error as e:
        return ("error", str(e))


@pytest.mark.parametrize("sql", QUERIES)
def test_rows_and_types_match_sqlite(sql):
    assert _run(pyrite, sql) == _run(sqlite3, sql)


PLANS = [
    "select a from t union select x from u order by 1",
    "select a from t union all select x from u except select 1 order by 1",
    "select a from t union select x from u",
    "select a from t union all select b from t union select 1 except select 2",
    "select a from t intersect select 1 union all select 3",
    "select 1 union all select 2",
    "select count(*)",
]


def _plan(mod, sql):
    con = mod.connect(":memory:")
    con.executescript(SETUP)
    return [(r[3]) for r in con.execute("explain query plan " + sql)]


@pytest.mark.parametrize("sql", PLANS)
def test_query_plan_matches_sqlite(sql):
    assert _plan(pyrite, sql) == _plan(sqlite3, sql)


def test_merge_runs_as_coroutines():
    con = pyrite.connect(":memory:")
    con.executescript(SETUP)
    ops = [r[1] for r in con.execute("explain select a from t union select x from u order by 1")]
    assert ops.count("InitCoroutine") == 2
    assert "Compare" in ops and "Jump" in ops
    assert "OpenEphemeral" not in ops
