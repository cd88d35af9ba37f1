"""Query compiler tests: emitted code against sqlite3's EXPLAIN, error
messages against sqlite3, parameter numbering, EXPLAIN QUERY PLAN wording."""

from __future__ import annotations

import sqlite3

import pytest

from harness import RecordingBuilder, FakeDb, compile_query, sqlite_explain
from pyrite import errors
from pyrite.compile.context import Parse

DDL = ("create table t(a int, b text, c);"
       "create index ti on t(a);"
       "create table u(x integer primary key, y text collate nocase, a real);"
       "create index uy on u(y);")


def _names(ops):
    return [op[0] for op in ops]


def test_code_matches_sqlite_exactly():
    """Opcode names and p1..p3 as SQLite 3.40 (Transaction aside: the fake
    db has no schema cookie)."""
    sql = "select a, b from t where c > 5"
    mine = compile_query(DDL, sql)
    theirs = sqlite_explain(DDL, sql)
    assert len(mine) == len(theirs)
    for m, t in zip(mine, theirs):
        if m[0] != "Transaction":
            assert tuple(m[:4]) == t[:4], (m, t)


# Queries whose opcode names come in SQLite's order (registers may differ).
EXACT = [
    "select a=b, a is c, a and c, not a from t where c > 5",
    "select b, count(*) from t group by b",
    "select * from u where x = 5 + 0 or a < 2",
    "select coalesce(a, b), -c, b || 'x' from t",
]


@pytest.mark.parametrize("sql", EXACT)
def test_code_matches_sqlite(sql):
    mine = compile_query(DDL, sql)
    theirs = sqlite_explain(DDL, sql)
    assert _names(mine) == [r[0] for r in theirs]


# Queries whose opcode sequence matches SQLite's (operands may differ).
SAME_OPCODES = [
    "select * from t where a = 3",
    "select a from t where a between 2 and 5",
    "select b, count(*) from t group by b",
    "select count(*), b from t",
    "select * from u where y = 'abc'",
]


@pytest.mark.parametrize("sql", SAME_OPCODES)
def test_opcodes_match_sqlite(sql):
    mine = compile_query(DDL, sql)
    theirs = sqlite_explain(DDL, sql)
    mine_names = _names(mine)
    their_names = [r[0] for r in theirs]
    # constants may be coded in place by SQLite and hoisted by Pyrite or v.v.
    strip = {"Integer", "String8", "Real", "Affinity"}
    assert [n for n in mine_names if n not in strip] == \
        [n for n in their_names if n not in strip]


def _sqlite_error(sql):
    con = sqlite3.connect(":memory:")
    con.executescript(DDL)
    with pytest.raises(sqlite3.Error) as info:
        con.execute(sql)
    return str(info.value)


ERRORS = [
    "select nosuch from t",
    "select t.nosuch from t",
    "select a from nosuch",
    "select a from t, u",
    "select * from t where count(*) > 1",
    "select nosuchfunc(1)",
    "select abs(1, 2)",
    "select a from t order by 3",
    "select a, b from t order by 0",
    "select a from t group by 2",
    "select a from t having a > 1",
    "select x from t",
    "select sum(count(*)) from t",
    "select 1 from t where a in (select a, b from t)",
]


@pytest.mark.parametrize("sql", ERRORS)
def test_error_messages_match_sqlite(sql):
    expected = _sqlite_error(sql)
    with pytest.raises(errors.Error if hasattr(errors, "Error") else Exception) as info:
        compile_query(DDL, sql)
    assert str(info.value) == expected


def test_parameter_numbering_as_sqlite():
    sql = "select ?, :a, ?5, :a, ?, @b, $c, ?2"
    con = sqlite3.connect(":memory:")
    # sqlite3 reports 8 parameters for this statement (highest index)
    mine = Parse(RecordingBuilder(), FakeDb(DDL))
    nums = [mine.variable_number(t) for t in
            ["?", ":a", "?5", ":a", "?", "@b", "$c", "?2"]]
    assert nums == [1, 2, 5, 2, 6, 7, 8, 2]
    assert mine.n_var == 8
    assert mine.variables[1] == ":a" and mine.variables[4] == "?5"
    assert mine.variables[0] is None and mine.variables[6] == "@b"
    with pytest.raises(sqlite3.ProgrammingError, match="uses 8"):
        con.execute(sql, ())


def test_variable_number_range_error():
    mine = Parse(RecordingBuilder(), FakeDb(DDL))
    with pytest.raises(Exception) as info:
        mine.variable_number("?0")
    con = sqlite3.connect(":memory:")
    with pytest.raises(sqlite3.Error) as ref:
        con.execute("select ?0")
    assert str(info.value) == str(ref.value)


def _sqlite_plan(sql):
    con = sqlite3.connect(":memory:")
    con.executescript(DDL)
    return [r[3] for r in con.execute("EXPLAIN QUERY PLAN " + sql)]


PLANS = [
    "select * from t",
    "select * from t where a = 3",
    "select * from u where x = 3",
    "select * from u where x > 3 and x < 10",
    "select b from t where a > 1 and a < 5",
    "select a from t where a = 1",
    "select a from t",
    "select a, rowid from t",
    "select * from t order by a",
    "select a from t order by a",
    "select b from t where b > 'x'",
    "select b from t order by b",
    "select b, count(*) from t group by b",
    "select distinct b from t",
    "select * from t, u where u.x = t.a",
    "select b, (select count(y) from u) from t",
    "select a from t order by a desc",
    "select * from u order by x desc",
    "select * from u order by y desc",
    "select b, (select y from u where x=t.a) from t",
    "select * from t where exists (select 1 from u where x = a)",
]


@pytest.mark.parametrize("sql", PLANS)
def test_query_plan_wording(sql):
    ops = compile_query(DDL, sql, explain=2)
    mine = [op[4] for op in ops if op[0] == "Explain"]
    assert mine == _sqlite_plan(sql)
    # the tree shape: each line's parent is 0 or an earlier Explain's id
    ids = {0}
    for op in ops:
        if op[0] == "Explain":
            assert op[2] in ids
            ids.add(op[1])


def test_result_column_names_and_decltypes():
    builder = RecordingBuilder()
    parse = Parse(builder, FakeDb(DDL))
    from pyrite.compile.context import SelectDest, SRT_OUTPUT
    from pyrite.compile.select import compile_select
    from pyrite.sql.parser import parse as parse_sql
    (stmt,) = parse_sql("select t.a, t.b AS bee, c+1, x, t.rowid, * from t, u where x = 1")
    compile_select(parse, stmt.select, SelectDest(SRT_OUTPUT))
    con = sqlite3.connect(":memory:")
    con.executescript(DDL)
    cur = con.execute("select t.a, t.b AS bee, c+1, x, t.rowid, * from t, u where x = 1")
    assert parse.column_names == [d[0] for d in cur.description]
    assert [d and d.lower() for d in parse.column_decltypes[:4]] == \
        ["int", "text", None, "integer"]


def test_left_join_code_matches_sqlite():
    sql = "select * from t left join u on u.x = t.a where u.y is null"
    mine = compile_query(DDL, sql)
    theirs = sqlite_explain(DDL, sql)
    assert len(mine) == len(theirs)
    for m, t in zip(mine, theirs):
        if m[0] not in ("Transaction", "IfPos"):
            assert tuple(m[:4]) == t[:4], (m, t)
        assert m[0] == t[0]


def test_correlated_subquery_runs_every_row():
    ops = compile_query(DDL, "select (select count(*) from u where u.x = t.a) from t")
    once = [i for i, op in enumerate(ops) if op[0] == "Once"]
    assert len(once) == 1
    # a correlated subquery must not be skipped: its Once falls through
    assert ops[once[0]][2] == once[0] + 1
    ops = compile_query(DDL, "select (select count(*) from u) from t")
    once = [i for i, op in enumerate(ops) if op[0] == "Once"]
    assert ops[once[0]][2] > once[0] + 1


def test_compound_union_all_names_and_rows():
    builder = RecordingBuilder()
    parse = Parse(builder, FakeDb(DDL))
    from pyrite.compile.context import SelectDest, SRT_OUTPUT
    from pyrite.compile.select import compile_select
    from pyrite.sql.parser import parse as parse_sql
    (stmt,) = parse_sql("select 1 as a union all select 2 union all values(3)")
    parse.begin_coding()
    compile_select(parse, stmt.select, SelectDest(SRT_OUTPUT))
    parse.finish_coding()
    assert parse.column_names == ["a"]
    assert [op[0] for op in builder.finish()].count("ResultRow") == 3


def test_compound_operators_use_ephemeral_sets():
    names = [op[0] for op in compile_query(DDL, "select a from t except select x from u")]
    assert "OpenEphemeral" in names and "IdxDelete" in names
    names = [op[0] for op in compile_query(DDL, "select a from t union select x from u")]
    assert names.count("IdxInsert") == 2 and "IdxDelete" not in names
    names = [op[0] for op in compile_query(
        DDL, "select a, b from t union select x, y from u order by 2 desc limit 3")]
    assert "SorterOpen" in names and "DecrJumpZero" in names


def test_compound_order_by_errors_match_sqlite():
    for sql in ["select a from t union select x from u order by nosuch",
                "select a from t union select x from u order by 2",
                "select a from t union select x, y from u"]:
        expected = _sqlite_error(sql)
        with pytest.raises(Exception) as info:
            compile_query(DDL, sql)
        assert str(info.value) == expected


MORE_ERRORS = [
    "select count(*) from t group by count(*)",
    "select a from t order by sum(a)",
    "select a from t where sum(a) > 1",
    "select count(a,b) from t",
    "select (select a, b from t)",
    "select a from t where (a,b) = 1",
    "select group_concat(distinct a, b) from t",
    "select min(*) from t",
    "select x from u join t using (nosuch)",
    "select * from t natural join u on 1",
    "select row_number() from t",
]


@pytest.mark.parametrize("sql", MORE_ERRORS)
def test_more_error_messages_match_sqlite(sql):
    test_error_messages_match_sqlite(sql)


NAMES = [
    "select (a), a+1, count(*) , \"a\", t.a, c  as  y, rowid, oid, _rowid_ from t",
    "select x, rowid, oid, u.x from u",
    "select a collate nocase, -a, \"zz\", 1.5, null, x'00' from t",
    "select * from t join u using (a)",
    "select * from (select a, a from t)",
    "select u.* , t.* from t, u",
    "select  a   +   1 from t",
]


@pytest.mark.parametrize("sql", NAMES)
def test_result_column_names_match_sqlite(sql):
    from pyrite.compile.context import SelectDest, SRT_OUTPUT
    from pyrite.compile.select import compile_select
    from pyrite.sql.parser import parse as parse_sql
    con = sqlite3.connect(":memory:")
    con.executescript(DDL)
    expected = [d[0] for d in con.execute(sql).description]
    parse = Parse(RecordingBuilder(), FakeDb(DDL))
    (stmt,) = parse_sql(sql)
    compile_select(parse, stmt.select, SelectDest(SRT_OUTPUT))
    assert parse.column_names == expected
