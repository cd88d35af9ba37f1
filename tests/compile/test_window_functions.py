"""Window functions, differential against the standard library's sqlite3:
OVER with PARTITION BY / ORDER BY / ROWS, RANGE and GROUPS frames and EXCLUDE,
named windows and their inheritance errors, FILTER, the built-in window
functions, aggregates as window functions, windows in ORDER BY, DISTINCT and
LIMIT over windows, user-defined window functions, and SQLite's errors."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite

SETUP = """
CREATE TABLE t(a, b, c);
INSERT INTO t VALUES(1,'x',3),(2,'y',1),(3,'x',2),(4,'y',5),(5,'z',4),(NULL,'x',NULL);
CREATE TABLE n(i INTEGER PRIMARY KEY, v REAL, s TEXT COLLATE NOCASE);
INSERT INTO n VALUES(1,1.5,'A'),(2,2.5,'a'),(3,2.5,'B'),(4,NULL,'b'),(5,7,'c'),(6,8.25,NULL);
"""


def outcome(con, sql: str):
    try:
        rows = con.execute(sql).fetchall()
    except Exception as e:  # noqa: BLE001 - the error is the outcome
        return ("error", type(e).__name__, str(e))
    return ("rows", [tuple((type(v).__name__, v) for v in r) for r in rows])


@pytest.fixture(scope="module")
def cons():
    mine = pyrite.connect(":memory:")
    theirs = sqlite3.connect(":memory:")
    mine.executescript(SETUP)
    theirs.executescript(SETUP)
    return mine, theirs


CASES = [
    'select a, row_number() over (order by c), row_number() over (order by b desc) from t',
    'select a, row_number() over (order by b desc), row_number() over (order by c) from t',
    'select a from t where row_number() over () > 1',
    'select a from t group by row_number() over ()',
    'select a from t group by a having row_number() over () > 1',
    'select sum(a) over (rows a preceding) from t',
    'select sum(a) over (rows -1 preceding) from t',
    'select sum(a) over (rows 1.5 preceding) from t',
    'select sum(a) over (range 1 preceding) from t',
    'select sum(a) over (order by a, b range 1 preceding) from t',
    'select sum(a) over (order by a range -1 preceding) from t',
    "select sum(a) over (order by a range 'x' preceding) from t",
    'select sum(a) over (order by a range 1.5 preceding) from t',
    'select sum(a) over (order by a groups -1 preceding) from t',
    'select sum(a) over (rows between 1 preceding and -1 following) from t',
    'select sum(a) over w from t',
    'select sum(a) over w from t window w as (order by a), w as (order by b)',
    'select sum(a) over (w order by a) from t window w as (order by a)',
    'select sum(a) over (w partition by a) from t window w as (order by a)',
    'select sum(a) over (w) from t window w as (order by a rows 1 preceding)',
    'select sum(a) over w from t window w as (order by a rows 1 preceding)',
    'select sum(a) over (w rows 1 preceding) from t window w as (partition by b)',
    'select row_number() filter (where a>1) over () from t',
    'select count(distinct a) over () from t',
    'select row_number() from t',
    'select lag(a) over () from t',
    'select lag(a, -1) over (order by a) from t',
    "select lag(a, 'x') over (order by a) from t",
    'select lag(a, null) over (order by a) from t',
    'select lag(a, 1.5) over (order by a) from t',
    "select lead(a, 2, 'd') over (order by a) from t",
    'select ntile(0) over () from t',
    'select ntile(a) over (order by a) from t',
    'select nth_value(a, 0) over () from t',
    'select nth_value(a, a) over (order by a) from t',
    'select sum(a) over () from t order by row_number() over ()',
    'select upper(a) over () from t',
    'select a, sum(a) over (partition by b) from t',
    'select sum(sum(a)) over () from t group by b',
    'select b, sum(a) over (order by sum(a)) from t group by b',
    'select max(a) over (order by a rows between unbounded preceding and current row exclude current row) from t',
    'select sum(a) over (rows between 1+1 preceding and current row) from t',
    'select sum(a) over (rows between (select 1) preceding and current row) from t',
    'select distinct row_number() over () % 2 from t',
    'select a from t order by sum(a) over (order by a)',
    'select * from t window w as (order by a)',
    'select a from t where sum(a) over () > 1',
    'select sum(row_number() over ()) over () from t',
    'select sum(a) over (partition by row_number() over ()) from t',
    'select count(*) over (), count() over () from t',
    "select group_concat(b) over (order by a), group_concat(b, '-') over (order by a rows between 1 preceding and 1 following) from t",
    'select avg(a) over (order by a rows 1 preceding), total(a) over (), min(b) over (order by a desc) from t',
    'select a, first_value(a) over (order by a rows between 1 following and 2 following), last_value(a) over (order by a) , nth_value(b,2) over (order by a) from t',
    'select percent_rank() over (order by b), cume_dist() over (order by b), rank() over (order by b), dense_rank() over (order by b), ntile(4) over (order by b) from t',
    'select row_number() over (order by a rows between 1 following and 2 following) from t',
    'select sum(a) over (order by b groups between 1 preceding and 1 following exclude group) from t',
    'select a, sum(a) over (order by a desc range between 1 preceding and 1 following) from t',
    'select a, sum(a) over (order by a desc nulls last range between 1 preceding and current row) from t',
    'select b, sum(a) over (order by b range between 1 preceding and 1 following) from t',
    'select sum(a) over (order by a range between unbounded preceding and unbounded following exclude ties) from t',
    "select a, max(a) filter (where b <> 'x') over (order by a) from t",
    'select sum(a) over () from t limit 2 offset 1',
    'select a, (select sum(a) over ()) from t',
    'select a, sum(a) over () as s from t order by s, a',
    'select * from (select a, sum(a) over (order by a) s from t) where s > 5',
    'select sum(a) over win from t window win as (order by a), w2 as (win partition by b)',
    'select count(*) over (order by a range between current row and 1 following) from t',
    "select sum(x) over (order by x range between 1 preceding and 1 following) from (select 'a' x union all select 1 union all select 2 union all select 'b' union all select null)",
    'select ntile(1.5) over () from t',
    "select ntile('2') over () from t",
    'select sum(a) over (rows 1.0 preceding) from t',
    "select sum(a) over (rows '1' preceding) from t",
    "select sum(a) over (order by a range '1' preceding) from t",
    'select sum(a) over (rows -1 preceding) from t where 0',
    'select sum(a) over win from t window win as (order by nosuch)',
    'select a from t window win as (order by nosuch)',
    "select nth_value(a, 1.0) over (), nth_value(a,'1') over () from t",
    'select b, c, a, rank() over (partition by b order by c desc), sum(c) over (partition by b order by a rows between current row and unbounded following) from t order by 1,2,3',
    'SELECT i, sum(v) OVER (ORDER BY v RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM n',
    'SELECT i, sum(v) OVER (ORDER BY v DESC NULLS FIRST RANGE BETWEEN 0.5 PRECEDING AND 2 FOLLOWING) FROM n',
    'SELECT i, count(*) OVER (ORDER BY s GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW EXCLUDE TIES) FROM n',
    'SELECT i, group_concat(i) OVER (PARTITION BY s ORDER BY i) FROM n ORDER BY i',
    'SELECT i, rank() OVER (ORDER BY s), dense_rank() OVER (ORDER BY s COLLATE BINARY) FROM n ORDER BY i',
    'SELECT i, min(s COLLATE BINARY) OVER (ORDER BY i ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), max(v) OVER (ORDER BY i ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM n',
    'SELECT i, avg(v) OVER w, total(v) OVER (w ROWS 2 PRECEDING) FROM n WINDOW w AS (ORDER BY i) ORDER BY i DESC',
    'SELECT i, first_value(i) OVER w, last_value(i) OVER w, nth_value(i, 2) OVER w FROM n WINDOW w AS (ORDER BY i ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW)',
    "SELECT i, lead(s, 2, 'none') OVER (ORDER BY i), lag(v) OVER (PARTITION BY s ORDER BY i) FROM n ORDER BY i",
    'SELECT i, percent_rank() OVER (ORDER BY v), cume_dist() OVER (ORDER BY v), ntile(4) OVER (ORDER BY i) FROM n ORDER BY i',
    'SELECT i, count(*) FILTER (WHERE v > 2) OVER (ORDER BY i) FROM n',
    'SELECT i FROM n ORDER BY row_number() OVER (ORDER BY s DESC, i) LIMIT 3',
    'SELECT sum(i) OVER (ORDER BY i ROWS BETWEEN 2 FOLLOWING AND 1 FOLLOWING) FROM n',
    'SELECT sum(i) OVER (ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) FROM n',
    'SELECT sum(9223372036854775807) OVER (ROWS 1 PRECEDING) FROM n',
    'SELECT i, sum(i) OVER (ORDER BY i RANGE BETWEEN 1 FOLLOWING AND 3 FOLLOWING) FROM n',
    'SELECT COUNT(*) FROM t ORDER BY SUM(CASE WHEN a THEN 1 ELSE (1, 1) END) OVER()',
    'SELECT COUNT(*) FROM t ORDER BY SUM(CASE WHEN a THEN (1,1) ELSE 1 END) OVER()',
    'SELECT COUNT(*), sum(count(*)) over () FROM t ORDER BY SUM(a) OVER()',
    'SELECT COUNT(*) FROM t ORDER BY SUM(1) OVER()',
    'select a, lag(a,-1) over (order by a), lag(a, -2) over (order by a), lead(a,-2) over (order by a) from t',
    'select b, count(*) over w from t window w as (x order by a), x as (partition by b)',
    'select b, count(*) over x from t window w as (order by a), x as (w partition by b)',
    'select b, count(*) over x from t window w as (order by a), x as (nosuch)',
    'select distinct b from t limit 2 offset 1',
    'select distinct b from t order by b limit 2 offset 1',
    'select group_concat(b) from t',
    "select group_concat(b, '') from t",
    'select group_concat(b, null) from t',
    'select group_concat(a, c) from t',
    'select group_concat(b) from t where 0',
    'select group_concat(null) from t',
    "select group_concat('') from t where a = 1",
    'select group_concat(b) over (order by a rows between 1 preceding and current row) from t',
    'select group_concat(b, a) over (order by a rows between 1 preceding and 1 following) from t',
    "select group_concat(b, '--') over (order by a rows between 2 preceding and current row) from t",
    'select group_concat(c, b) over (order by a rows between 1 preceding and current row) from t',
    "select group_concat(x) over (rows between 1 preceding and current row) from (select '' x union all select 'a' union all select '' union all select '' union all select 'b')",
    "select group_concat(x, y) over (rows between 1 preceding and current row) from (select '' x, '-' y union all select 'a', '+' union all select '', '==' union all select '', '' union all select 'b', null)",
    "select group_concat(x, y) over (rows between 2 preceding and current row) from (select 'é' x, 'ü' y union all select 'ab', '+' union all select '', '==' union all select 'cd', '' union all select 'b', null)",
    "select group_concat(x, y) over (rows between 1 following and 2 following) from (select 'é' x, 'ü' y union all select 'ab', '+' union all select '', '==' union all select 'cd', '' union all select 'b', null)",
    'select row_number() over () from t union all select 1',
    'select a, row_number() over (order by a) from t union select 9, 9 order by 1',
    'select * from (select b, sum(a) over (partition by b) s from t) order by b',
    'select x, y from (select a x, rank() over (order by b) y from t where a > 1) where y > 1',
    'select (select count(*) over () from t t2 where t2.a = t.a) from t',
    "select a, sum(a) over (order by a) from t where a in (select a from t where b = 'x')",
    'select b, group_concat(a) over (partition by b order by a desc rows between unbounded preceding and unbounded following) from t',
    'select a, b, c, avg(c) over (partition by b), count(c) filter (where c > 1) over (partition by b order by a) from t order by a nulls last',
    'select a, sum(a) over (order by c nulls last), sum(a) over (order by c desc nulls first) from t',
    'select a, ntile(2) over (partition by b order by a) from t',
    'select a, first_value(b) over (order by a groups between 1 following and 2 following exclude current row) from t',
    'select a, sum(a) over (order by a groups between unbounded preceding and 1 preceding) from t',
    'select a, last_value(a) over (order by a range between current row and unbounded following exclude group) from t',
    'select max(a) over (), min(a) over (), count(*) from t',
    'select a+1 as q, row_number() over (order by a+1 desc) from t order by q',
    'select typeof(percent_rank() over ()), typeof(cume_dist() over ()) from t',
    'select a, row_number() over (partition by b) from t order by a',
    'select count(*) over (partition by a is null) from t',
    'select sum(a) over (order by a rows between current row and current row) from t',
    'select sum(a) filter (where a > 2) over (order by a rows 1 preceding) from t',
    'select a, avg(a) over (order by a range between 2 preceding and 2 following exclude ties) from t',
    'select a, b, rank() over (partition by b order by a), lag(a, 1, -1) over (partition by b order by a) from t order by b, a',
    'select a, cume_dist() over (order by b desc), percent_rank() over (partition by b order by a) from t order by a',
    'select a from t order by row_number() over (order by b, a) desc limit 3',
    'select b, sum(count(*)) over (order by b) from t group by b having count(*) > 1',
    'select b, count(*), rank() over (order by count(*) desc) from t group by b',
    'select total(c) over (order by c range 2 preceding), avg(c) over (order by c range between 1 following and 3 following) from t',
    'select group_concat(b, a) over (order by a rows 2 preceding) from t',
]


@pytest.mark.parametrize("sql", CASES)
def test_window_matches_sqlite3(cons, sql: str) -> None:
    mine, theirs = cons
    assert outcome(mine, sql) == outcome(theirs, sql)


class _Sum:
    def __init__(self) -> None:
        self.v = 0

    def step(self, x) -> None:
        self.v += x or 0

    def inverse(self, x) -> None:
        self.v -= x or 0

    def value(self):
        return self.v

    def finalize(self):
        return self.v


@pytest.mark.parametrize("sql", [
    "SELECT mysum(a) OVER (ORDER BY a ROWS 1 PRECEDING) FROM t",
    "SELECT mysum(a) OVER (PARTITION BY b) FROM t ORDER BY 1",
    "SELECT mysum(a) FROM t",
    "SELECT plain(a) OVER () FROM t",
])
def test_user_window_function(sql: str) -> None:
    results = []
    for mod in (pyrite, sqlite3):
        con = mod.connect(":memory:")
        con.executescript(SETUP)
        con.create_window_function("mysum", 1, _Sum)
        con.create_aggregate("plain", 1, _Sum)
        results.append(outcome(con, sql))
    assert results[0] == results[1]


def test_window_function_in_check_constraint_is_misuse() -> None:
    sql = "CREATE TABLE bad(a INTEGER CHECK(ROW_NUMBER() OVER () > 0))"
    results = [outcome(mod.connect(":memory:"), sql) for mod in (pyrite, sqlite3)]
    assert results[0] == results[1]
    assert results[0][0] == "error"


def test_window_program_uses_window_pass(cons) -> None:
    mine, _ = cons
    ops = [r[1] for r in mine.execute("EXPLAIN SELECT row_number() OVER (ORDER BY a) FROM t")]
    # the inner query is a co-routine buffered in a sorter, then one pass
    assert "InitCoroutine" in ops and "SorterInsert" in ops and "WindowPass" in ops


# -- seeded random windows -----------------------------------------------------

FUZZ_SETUP = """
CREATE TABLE f(a, b, c, d TEXT COLLATE NOCASE, i INTEGER PRIMARY KEY);
INSERT INTO f(a, b, c, d) VALUES(1,'x',3,'A'),(2,'y',1,'a'),(3,'x',2,'b'),(4,'y',5,'B'),
  (5,'z',4,'c'),(NULL,'x',NULL,NULL),(2,'y',2.5,'A'),(7,'z',-1,'x'),(3,'x',3,'b'),(-2,'',0,'C');
"""
_FUNCS = ["row_number()", "rank()", "dense_rank()", "percent_rank()", "cume_dist()", "ntile(3)",
          "lag(a)", "lead(c,2,'q')", "lag(b,-1)", "first_value(d)", "last_value(a)",
          "nth_value(c,2)", "sum(a)", "count(*)", "count(c)", "avg(c)", "total(a)", "min(c)",
          "max(a)", "group_concat(b)", "group_concat(a,'|')", "sum(c) FILTER (WHERE a>1)"]
_ORDER_FREE = ["sum(a)", "count(*)", "count(c)", "total(a)", "min(c)", "max(a)", "rank()",
               "dense_rank()", "percent_rank()", "cume_dist()"]


def _random_query(r) -> str:
    def bound(start: bool) -> str:
        k = r.choice(["UNBOUNDED", "N", "CURRENT", "NF"])
        n = r.choice([0, 1, 2, 3])
        if k == "UNBOUNDED":
            return "UNBOUNDED PRECEDING" if start else "UNBOUNDED FOLLOWING"
        if k == "CURRENT":
            return "CURRENT ROW"
        return f"{n} PRECEDING" if k == "N" else f"{n} FOLLOWING"

    def window() -> tuple[str, bool]:
        parts = []
        if r.random() < 0.5:
            parts.append("PARTITION BY " + ", ".join(r.sample(["b", "a%2", "d"], r.randint(1, 2))))
        terms = [r.choice(["a", "b", "c", "a+c", "-a"]) + r.choice(["", " DESC", " ASC NULLS LAST",
                                                                    " DESC NULLS FIRST"])
                 for _ in range(r.randint(1, 2))]
        by_range = r.random() < 0.25 and terms[0].split()[0] not in ("b",)
        parts.append("ORDER BY " + (terms[0] if by_range else ", ".join(terms + ["i"])))
        if r.random() < 0.7:
            units = "RANGE" if by_range else r.choice(["ROWS", "GROUPS"])
            fr = f"{units} BETWEEN {bound(True)} AND {bound(False)}"
            if r.random() < 0.3:
                fr += " EXCLUDE " + r.choice(["CURRENT ROW", "GROUP", "TIES", "NO OTHERS"])
            parts.append(fr)
        return "(" + " ".join(parts) + ")", by_range

    calls = []
    for _ in range(r.randint(1, 3)):
        w, by_range = window()
        calls.append(f"{r.choice(_ORDER_FREE if by_range else _FUNCS)} OVER {w}")
    return f"SELECT a, b, c, {', '.join(calls)} FROM f ORDER BY i"


@pytest.mark.parametrize("seed", range(4))
def test_random_windows_match_sqlite3(seed: int) -> None:
    import random
    r = random.Random(seed)
    mine = pyrite.connect(":memory:")
    theirs = sqlite3.connect(":memory:")
    mine.executescript(FUZZ_SETUP)
    theirs.executescript(FUZZ_SETUP)
    for _ in range(40):
        sql = _random_query(r)
        assert outcome(mine, sql) == outcome(theirs, sql), sql
