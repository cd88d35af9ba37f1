"""Results of compiled queries, run by the test executor (minivm.py),
compared row by row and type by type with stdlib sqlite3."""

from __future__ import annotations

import pytest

from harness import run_query, sqlite_rows

DDL = ("create table t(a int, b text, c);"
       "create index ti on t(a);"
       "create table u(x integer primary key, y text collate nocase, a real);"
       "create index uy on u(y);"
       "create table e(k, v)")
DATA = ("insert into t values (1,'one',1.5),(2,'two',null),(3,'three','x'),(2,'deux',7),"
        "(null,'nil',0),(5,'five',5),(4,'Four',-1);"
        "insert into u values (1,'A',1),(2,'b',2.5),(3,'B',null),(5,'c',4),(7,null,7);")

QUERIES = [
    "select a, b, c from t",
    "select * from t where a = 2",
    "select * from t where a > 2 and a <= 4",
    "select b from t where a between 2 and 4",
    "select * from u where x = 3",
    "select * from u where x > 1 and x < 7",
    "select * from u where y = 'b'",
    "select x, y from u where y > 'a'",
    "select a + 1, a * 2.5, a / 2, a % 2, -a, b || '!', c is null from t",
    "select a = 2, a <> 2, a < 3, a is 2, a is not null, not a from t",
    "select a and c, a or c from t",
    "select a from t where a in (1, 3, 5, 7)",
    "select a from t where a not in (1, 3, null)",
    "select a in (1, 3, null), a in (1, 2) from t",
    "select a from t where b like 'T%'",
    "select a from t where b glob 't*'",
    "select case when a > 2 then 'big' when a > 1 then 'mid' else 'small' end from t",
    "select case a when 1 then 'one' when 2 then 'two' end from t",
    "select cast(a as text), cast(c as integer), coalesce(a, 99), ifnull(c, 'none') from t",
    "select a from t order by a",
    "select a, b from t where a > 1 order by a, b",
    "select a, b from t order by b",
    "select a, b from t order by a desc, b",
    "select b from t order by a, b limit 3",
    "select b from t order by a, b limit 2 offset 2",
    "select b from t limit 3",
    "select b from t limit -1 offset 5",
    "select distinct a from t order by 1",
    "select count(*), count(a), sum(a), total(a), avg(a), min(a), max(a) from t",
    "select max(a), b from t",
    "select min(a), b from t",
    "select group_concat(b) from t",
    "select a, count(*) from t group by a order by a",
    "select b, sum(a) from t group by b having sum(a) > 2 order by b",
    "select count(distinct a) from t",
    "select a, max(c), b from t group by a order by a",
    "select t.b, u.y from t, u where t.a = u.x order by 1",
    "select t.b, u.y from t join u on u.x = t.a order by 1",
    "select t.b, u.y from t left join u on u.x = t.a order by 1",
    "select t.b, u.y from t left join u on u.x = t.a where u.y is null order by 1",
    "select * from t join u using (a) order by 1",
    "select (select max(x) from u), (select y from u where x = 2)",
    "select a, (select count(*) from u where u.x <= t.a) from t order by a",
    "select a from t where exists (select 1 from u where u.x = t.a) order by a",
    "select a from t where a in (select x from u) order by a",
    "select a from t where a not in (select x from u where x < 5) order by a",
    "select * from (select a, b from t where a > 1) where a < 5 order by a, b",
    "select b as bee, a from t where bee > 'f' order by bee",
    "select a, b from t order by a nulls last, b",
    "select a, b from t order by a desc nulls first, b",
    "select a % 2 as par, count(*) c from t group by par having c > 1 order by par",
    "select distinct a % 2, c is null from t order by 1, 2",
    "select * from t natural join u order by 1",
    "select b from t order by a desc, b limit (select 2) offset 1",
    "select count(*), max(x) from u where y = 'b'",
    "select sum(a) filter (where a > 2), count(*) filter (where c is not null) from t",
    "select x, y from u where (x, y) = (2, 'B') or x = 5",
    "select typeof(t.a), typeof(c), typeof(x) from t, u where t.a = u.x order by 1, 2, 3",
    "select a from t where a in (2) and b in ('two', 'x')",
    "select iif(a > 2, 'y', 'n'), nullif(a, 2) from t order by 1, 2",
    "select upper(b), length(b), abs(-a), round(c, 1) from t order by 1",
    "select min(y), max(y) from u",
    "select y, count(*) from u group by y order by 1",
    "select 1 union all select 2",
    "select a from t union select x from u order by 1",
    "select a from t except select x from u order by 1",
    "select a from t intersect select x from u order by 1",
    "select a, b from t union select x, y from u order by 2 limit 4",
    "select count(*) from e",
    "select max(k), sum(k), avg(k) from e",
    "select 1 where 0",
    "select 'abc' = 'ABC' collate nocase, y = 'a' from u",
    "select y from u where y = 'B'",
    "select rowid, oid, _rowid_ from t where rowid = 3",
    "select x from u where rowid > 2",
    "select \"b\", \"nosuch\" from t where a = 1",
]


@pytest.mark.parametrize("sql", QUERIES)
def test_rows_match_sqlite(sql):
    expected = sqlite_rows(DDL, DATA, sql)
    got = run_query(DDL, DATA, sql)
    if "order by" not in sql.lower():
        expected, got = sorted(expected, key=repr), sorted(got, key=repr)
    assert got == expected
    assert [[type(v) for v in r] for r in got] == [[type(v) for v in r] for r in expected]


def test_parameters():
    sql = "select a from t where a > ? and b <> ? order by a"
    assert run_query(DDL, DATA, sql, (1, "two")) == sqlite_rows(DDL, DATA, sql, (1, "two"))


def test_limit_type_mismatch():
    from pyrite import errors
    with pytest.raises(errors.Error if hasattr(errors, "Error") else Exception) as info:
        run_query(DDL, DATA, "select a from t limit 'x'")
    assert str(info.value) == "datatype mismatch"


MORE = [
    "select a from t where b = 1",
    "select b from t where a = '2'",
    "select b from t where a > '2' order by b",
    "select c from t where c = '5'",
    "select y from u where a = '2.5'",
    "select x from u where x = '3'",
    "select x from u where x in ('1', 2, '7') order by x",
    "select a from t where a in (select x from u union all select null) order by a",
    "select a, a not in (select x from u union all select null) from t order by a",
    "select t.b, u.y from t left join u on u.x = t.a and u.y <> 'b' order by 1",
    "select t.b, u.y from t left join u on u.y = t.b order by 1",
    "select t.b from t left join u on u.x = t.a where u.a > 1 order by 1",
    "select a, count(*) from t where a > 100 group by a",
    "select count(*), sum(a) from t where a > 100",
    "select sum(a) from t having count(*) > 3",
    "select sum(a) from t having count(*) > 30",
    "select c, count(*) from t group by c order by 1",
    "select distinct c is null, a is null from t order by 1, 2",
    "select y from u order by y collate nocase, x",
    "select y from u order by y, x",
    "select (select y from u where x = 100), exists (select 1 from u where x = 100)",
    "select b from t order by length(b), b",
    "select a from t where a = (select min(x) + 1 from u)",
    "select b from t where a >= (select avg(x) from u) order by b",
    "select sum(x) over_x from u",
    "select a, (select group_concat(y) from u where u.x > t.a) from t order by a, b",
    "select 1 as p union select 2 union select 1 order by p desc",
    "select x from u where y is null",
    "select x from u where y between 'a' and 'b' order by x",
    "select x from u where y collate binary = 'b'",
    "select -x, +y, ~x, x << 2, x >> 1, x & 3, x | 8 from u order by 1",
    "select 9223372036854775807 + 1, 10 / 0, 7 % 0, 1e308 * 10",
    "select avg(a), total(b), sum(c) from t",
    "select a, b from t where (a, b) < (2, 'x') order by a, b",
    "select a, b from t where (a, b) >= (2, 'two') order by a, b",
    "select abs(distinct a) from t order by 1",
    "select * from u where x in (1, 3, 3, '7', null, 9) order by x",
    "select * from u where rowid in (2, 5)",
    "select b from t where a in (2, 4, null, '5') order by b",
    "select b from t where a in (2, 4, 5) and c is not null order by b",
    "select t.b, u.y from t, u where u.x in (1, 2) and t.a = u.x order by 1",
    "select x from u where y in ('a', 'B', 'zz') order by x",
    "select t.b from t left join u on u.x in (2, 5) and u.x = t.a order by 1",
    "select distinct a from t order by a desc limit 3 offset 1",
    "select a, count(*) from t group by a order by a limit 2 offset 1",
    "select t1.b, t2.b, u.y from t t1 join t t2 on t2.a = t1.a + 1 join u on u.x = t2.a "
    "order by 1, 2",
    "select t1.b, u.y from t t1 left join u on u.x = t1.a left join e on e.k = u.x "
    "order by 1",
    "select a from t order by a",
    "select a, rowid from t order by rowid",
    "select count(*) from t",
    "select * from t indexed by ti where b > 'e' order by a, b",
    "select * from t not indexed where a = 2 order by b",
    "select a from t where +a = 2 order by b",
    "select count(*), a from t where a > 1",
    "select b from t where a = 2 or a = 4 order by b",
    "select b from t where a > 10 or b = 'five'",
    "select t.b, u.x from t left join u on t.a > 3 order by 1, 2",
    "select t.b, u.x from t left join u on 0 order by 1, 2",
    "select t.b, u.x from t left join u on u.y = t.b collate nocase order by 1, 2",
    "select t.b, u.x from t left join u on u.y = 'b' and u.x = t.a order by 1, 2",
    "select t.b, u.x from t left join u on u.x = t.a where coalesce(u.x, 0) = 0 order by 1",
    "select count(u.x), count(*) from t left join u on u.x = t.a",
    "select * from t natural left join u order by 1, 2",
    "select a, b from t where a = (select x from u where y = 'c') or b = 'one' order by a",
    "select b from t where c between 1 and 5 order by b",
    "select b from t where a not between 2 and 4 order by b",
    "select a from t where a is null",
    "select b from t where a is not 2 order by b",
    "select b from t group by b order by count(*), b",
    "select count(*) from t group by b having b > 'f' order by 1",
    "select distinct count(*) from t group by a order by 1",
    "select a, b from t group by a having max(c) is not null order by a",
    "select sum(a) as s from t group by c is null order by s",
    "select a from t where a > (select avg(a) from t) order by a",
    "select a from t order by a desc",
    "select * from u order by x desc",
    "select a, b from t where b <> 'two' order by a desc",
    "select rowid, b from t order by rowid desc limit 3",
    "select y from u order by y desc",
    "select max(a), min(a) from t",
    "select max(a) from t",
    "select min(a), b from t",
    "select max(a), b from t where c is not null",
    "select min(y), x from u",
    "select max(x) from u",
    "select min(k) from e",
    "select max(a) from t where a < 3",
]


@pytest.mark.parametrize("sql", MORE)
def test_more_rows_match_sqlite(sql):
    test_rows_match_sqlite(sql)


@pytest.mark.parametrize("sql,params", [
    ("select ?, a from t where a = ? order by b", (7, 2)),
    ("select (select ?), b from t where a > ? order by b limit ?", ("s", 2, 2)),
    ("select :x, ?, :x, ?5 from t where a = :x", (2, 3, None, None, 9)),
    ("select 1, 1.0, 1 + 0, 1.0 + 0, '1'", ()),
])
def test_parameter_order_and_constants(sql, params):
    assert run_query(DDL, DATA, sql, params) == sqlite_rows(DDL, DATA, sql, params)
    got = run_query(DDL, DATA, sql, params)
    exp = sqlite_rows(DDL, DATA, sql, params)
    assert [[type(v) for v in r] for r in got] == [[type(v) for v in r] for r in exp]
