"""Parenthesized joins in FROM (SQLite's SF_NestedFrom subqueries): the
columns remember the table they come from, ``*`` leaves out the copies of
USING columns, ``t.*`` and ``t.x`` reach inside; UPDATE ... FROM with
several tables reads them as one; ``*`` over two FROM items of one name is
ambiguous.  Compared with sqlite3: column names, rows and errors."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite

SETUP = """
CREATE TABLE a(x, y);
CREATE TABLE b(x, z);
CREATE TABLE c(x, w);
CREATE TABLE s(a, b);
CREATE TABLE t(a, b);
INSERT INTO a VALUES (1, 2), (2, 3), (3, 4);
INSERT INTO b VALUES (1, 5), (2, 6);
INSERT INTO c VALUES (1, 7), (3, 8);
CREATE VIEW v AS SELECT * FROM a LEFT JOIN (b JOIN c USING(x)) ON a.x = b.x;
"""

QUERIES = [
    'select * from a join (b join c on b.x=c.x) on a.x=b.x',
    'select * from a left join (b join c using(x)) on a.x=b.x',
    'select b.*, c.* from a left join (b join c using(x)) on a.x=b.x',
    'select q.* from a left join (b join c using(x)) as q on a.x=q.x',
    'select q.x, q.z from a left join (b join c using(x)) as q on a.x=q.x',
    'select x from a left join (b join c using(x)) as q on a.x=q.x',
    'select b.x, c.x, z from a left join (b join c using(x)) on a.x=b.x',
    'select x from a join (b join c on b.x=c.x) on a.x=b.x',
    'select * from a join (b join c on b.x=c.x) using(x)',
    'select * from a natural join (b join c using(x))',
    'select * from (b join c using (x)) as q',
    'select * from a, (b join c using(x)) as q',
    'select rowid from a join (b join c on b.x=c.x) on a.x=b.x',
    'select b.rowid from a join (b join c on b.x=c.x) on a.x=b.x',
    'select * from a join (b join (c join a as a2 using(x)) using(x)) using(x)',
    'select a2.* from a join (b join (c join a as a2 using(x)) using(x)) using(x)',
    'select * from a join (b) on a.x=b.x',
    'select * from a join (b as bb) on a.x=bb.x',
    'select * from a join (b as bb) on a.x=b.x',
    'select * from (b as bb) join a on a.x=bb.x',
    'select * from a join (select * from b) using(x)',
    'select * from a join ((select * from b) join c using(x)) using(x)',
    'select a.x, b.x from a natural left join (b natural join c)',
    'select * from a left join (b, c) on a.x=b.x and b.x=c.x',
    'select * from a right join (b join c using(x)) on a.x=b.x',
    'select * from a full join (b left join c using(x)) using(x)',
    'select * from a left join (b right join c using(x)) on a.x = c.x',
    'select x, y, z, w from a left join (b right join c using(x)) using(x)',
    'select count(*) from a join (b join c on b.x<c.x) on a.x>=b.x',
    'select a.x, sum(b.z) from a left join (b join c on b.x=c.x) on a.x=b.x group by a.x order by 1',
    'select * from a where exists (select 1 from (b join c using(x)) where x = a.x)',
    'select * from a join (b join c using(x)) as q on q.x = a.x where q.z > 4',
    'select z, w from a join (b cross join c) on a.x=b.x and a.x=c.x',
    'select * from (a join b using(x)) join c using(x)',
    'select * from ((a join b using(x))) join c using(x)',
    'select * from a join ((b join c using(x))) using(x)',
    'select b.z from a join (b join c using(x)) as q on 1',
    'select q.z from a join (b join c using(x)) as q on 1 where q.x=1',
    'select main.b.z from a join (b join c using(x)) on a.x=b.x',
    'select * from s, s',
    'select * from s, s as s',
    'select a from s, t as s',
    'select * from (select 1 a) q, (select 2 a) q',
    'select * from s, (select 2 a) s',
    'select s.* from s, s',
    'select * from s join s using(a)',
    'select * from s natural join s',
    'select * from t, (s, s)',
    'select * from t, (s join s as s on 1)',
    'select * from (select * from s, s)',
    'select * from s as x, t as x',
    "SELECT * FROM v",
    "WITH q AS (SELECT * FROM a JOIN (b JOIN c ON b.x = c.x) ON a.x = b.x) SELECT * FROM q",
]


def outcome(con, sql: str):
    try:
        cur = con.execute(sql)
        return ("rows", [d[0] for d in cur.description or ()],
                [tuple((type(v).__name__, v) for v in r) for r in cur.fetchall()])
    except Exception as e:  # noqa: BLE001 - the error is the outcome
        return ("error", type(e).__name__, str(e))


@pytest.fixture(scope="module")
def connections():
    mine, theirs = pyrite.connect(":memory:"), sqlite3.connect(":memory:")
    mine.executescript(SETUP)
    theirs.executescript(SETUP)
    return mine, theirs


@pytest.mark.parametrize("sql", QUERIES)
def test_matches_sqlite(connections, sql: str) -> None:
    mine, theirs = connections
    assert outcome(mine, sql) == outcome(theirs, sql)


UPDATES = [
    "UPDATE a SET y = b.z FROM b NATURAL JOIN c WHERE a.x = b.x",
    "UPDATE a SET y = b.z FROM b JOIN c USING(x) JOIN s ON s.a = b.x WHERE a.x = b.x",
    "UPDATE a SET y = 0 FROM b NATURAL JOIN c JOIN b AS b2 ON b.x = b2.x WHERE a.x = 1",
    "UPDATE a SET y = 0 FROM b, b WHERE a.x = 1",
    "UPDATE a SET y = z FROM b JOIN c ON EXISTS(SELECT 1 WHERE a.x = c.x) WHERE a.x = b.x",
    "UPDATE a SET y = w FROM b LEFT JOIN c USING(x) WHERE a.x = b.x",
]


@pytest.mark.parametrize("sql", UPDATES)
def test_update_from_matches_sqlite(sql: str) -> None:
    mine, theirs = pyrite.connect(":memory:"), sqlite3.connect(":memory:")
    for con in (mine, theirs):
        con.executescript(SETUP)
    assert outcome(mine, sql) == outcome(theirs, sql)
    check = "SELECT * FROM a ORDER BY x"
    assert outcome(mine, check) == outcome(theirs, check)
