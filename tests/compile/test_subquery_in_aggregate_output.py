"""Correlated subqueries in the output, HAVING and ORDER BY of an aggregate
query read the group's columns (SQLite turns the outer references into
aggregate columns), with and without GROUP BY."""

import sqlite3

import pytest

import pyrite

SETUP = """
create table sales(id integer primary key, region text, rep text, amount int);
insert into sales values (1,'North','Alice',100),(2,'North','Bob',200),
  (3,'South','Alice',150),(4,'East','Carol',50);
create table regions(name text, manager text);
insert into regions values ('North','Nina'),('South','Sam');
"""

QUERIES = [
    "select (select manager from regions where name = s.region), sum(amount) "
    "from sales s group by region order by 2",
    "select region, sum(amount) from sales s group by region "
    "having (select count(*) from regions where name = s.region) > 0 order by 1",
    "select region, sum(amount) from sales s group by region "
    "order by (select manager from regions where name = s.region) desc, 1",
    "select region, count(*) from sales s group by region "
    "having exists (select 1 from sales t where t.region = s.region and t.amount > 120) "
    "order by 1",
    "select (select count(*) from regions where name = s.region), max(amount) from sales s",
    "select region, (select max(amount) from sales t where t.region = s.region and t.id <> s.id) "
    "from sales s group by region order by 1",
]


def _run(mod, sql):
    con = mod.connect(":memory:")
    con.executescript(SETUP)
    return con.execute(sql).fetchall()


@pytest.mark.parametrize("sql", QUERIES)
def test_matches_sqlite(sql):
    assert _run(pyrite, sql) == _run(sqlite3, sql)
