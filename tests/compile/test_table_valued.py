"""Table-valued functions in FROM: json_each, json_tree, pragma_* (against
stdlib sqlite3: same rows, types and errors) and generate_series (against
series.c's documented behaviour; the stdlib's 3.40.1 lacks it)."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite


def outcome(con, sql: str):
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description] if cur.description else []
        rows = cur.fetchall()
    except Exception as e:  # noqa: BLE001 - the error is the outcome
        return ("error", type(e).__name__, str(e))
    return ("rows", names, [tuple((type(v).__name__, v) for v in r) for r in rows])


SETUP = [
    "CREATE TABLE t(id INTEGER PRIMARY KEY, j TEXT, n INT NOT NULL DEFAULT 7)",
    "CREATE TABLE u(a, b TEXT COLLATE NOCASE, PRIMARY KEY(a, b))",
    "CREATE INDEX ub ON u(b DESC, a)",
    """INSERT INTO t VALUES(1, '[1, 2.5, "x", null, true, false, [3], {"k": 4}]', 1),
       (2, '{"a": {"b": [1, {"c": "d"}]}, "e f": 2, "g\\"h": 3}', 2),
       (3, NULL, 3), (4, '5', 4), (5, '[]', 5), (6, '{}', 6)""",
    "INSERT INTO u VALUES(1, 'x'), (2, 'y')",
    "CREATE VIEW v AS SELECT id, j AS jj, n + 1, id AS id FROM t",
    "CREATE VIEW w(p, q) AS SELECT 1, b FROM u",
]

QUERIES = [
    # json_each / json_tree, every column, hidden arguments
    "SELECT * FROM json_each('[1,[2,3],true,null,\"s\",1.5e3]')",
    "SELECT *, json, root FROM json_each('{\"a\":[1,2,{\"b\":null}],\"c\":3.5}')",
    "SELECT *, json, root FROM json_tree('{\"a\":[1,2,{\"b\":null}],\"c\":\"x\"}')",
    "SELECT * FROM json_each('{\"a\":{\"x\":1,\"y z\":2}}', '$.a')",
    "SELECT * FROM json_tree('{\"a\":{\"x\":[1]}}', '$.a')",
    "SELECT * FROM json_tree('[0,[1,[2,3]]]', '$[1]')",
    "SELECT * FROM json_tree('{\"a\":5}', '$.a')",
    "SELECT * FROM json_each('{\"a\":5}', '$.a')",
    "SELECT * FROM json_each('5')",
    "SELECT * FROM json_each(5)",
    "SELECT * FROM json_each(NULL)",
    "SELECT * FROM json_each('[1]', '$.nope')",
    "SELECT * FROM json_each()",
    "SELECT rowid, key FROM json_each('[10,20,30]') WHERE rowid = 1",
    "SELECT json_array(value), json_type(value) FROM json_each('[[1],{\"a\":2}]')",
    "SELECT * FROM json_each('[1')",
    "SELECT * FROM json_each('[1]', 'x')",
    "SELECT * FROM json_each(1, 2, 3)",
    "SELECT * FROM nosuch(1)",
    "SELECT * FROM json_each('[3,1,2]') ORDER BY value DESC",
    "SELECT key, value FROM json_each WHERE json = '[7,8]'",
    "SELECT key, value FROM json_each('[1,2,3]') WHERE value > 1",
    # correlated arguments, joins and LEFT JOINs
    "SELECT t.id, e.* FROM t, json_each(t.j) AS e ORDER BY t.id, e.id",
    "SELECT t.id, e.key, e.value FROM t LEFT JOIN json_each(t.j) e ORDER BY 1, 2",
    "SELECT t.id, e.fullkey, e.type FROM t JOIN json_tree(t.j) e WHERE e.atom IS NOT NULL",
    "SELECT t.id, count(e.key) FROM t LEFT JOIN json_each(t.j) e ON e.type = 'integer' "
    "GROUP BY t.id",
    "SELECT t.id, (SELECT count(*) FROM json_each(t.j)) FROM t",
    "SELECT a.value, b.value FROM json_each('[1,2]') a, json_each('[3,4]') b",
    "SELECT a.value, b.key FROM json_each('[[1,2],[3]]') a, json_each(a.value) b",
    # pragma virtual tables
    "SELECT * FROM pragma_table_info('t')",
    "SELECT name, pk FROM pragma_table_info('u') ORDER BY pk",
    "SELECT * FROM pragma_table_xinfo('t')",
    "SELECT * FROM pragma_index_list('u') ORDER BY name",
    "SELECT * FROM pragma_index_info('ub')",
    "SELECT * FROM pragma_index_xinfo('ub')",
    "SELECT name FROM pragma_table_info('nosuch')",
    "SELECT * FROM pragma_table_info()",
    "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p "
    "WHERE m.type = 'table' ORDER BY 1, p.cid",
    "SELECT name FROM pragma_table_info WHERE arg = 't'",
    "SELECT seq, name FROM pragma_database_list",
    "SELECT * FROM pragma_table_info('v')",
    "SELECT * FROM pragma_table_xinfo('w')",
    "PRAGMA table_info(v)",
    "SELECT * FROM pragma_table_xinfo('json_each')",
    "PRAGMA table_info(json_tree)",
    "SELECT * FROM pragma_table_info('pragma_table_info')",
    "SELECT * FROM pragma_nosuch",
    "SELECT name, builtin, type, enc, narg, flags FROM pragma_function_list "
    "WHERE name IN ('abs', 'count', 'upper', 'avg', 'row_number', 'json_extract', 'random', "
    "'min', 'lag', 'json_group_array', 'sqlite_version', '->>') ORDER BY name, narg, type",
    # INSERT ... SELECT from a table-valued function
    "CREATE TABLE c AS SELECT key, value FROM json_each('{\"p\":1,\"q\":2}')",
    "SELECT * FROM c",
]


@pytest.mark.parametrize("sql", QUERIES)
def test_table_valued_matches_sqlite3(sql: str) -> None:
    mine = pyrite.connect(":memory:")
    theirs = sqlite3.connect(":memory:")
    for s in SETUP:
        mine.execute(s)
        theirs.execute(s)
    if sql == "SELECT * FROM c":
        for con in (mine, theirs):
            con.execute(QUERIES[QUERIES.index(sql) - 1])
    assert outcome(mine, sql) == outcome(theirs, sql)


def _rows(sql: str) -> list[tuple]:
    return pyrite.connect(":memory:").execute(sql).fetchall()


def test_generate_series_basics() -> None:
    assert _rows("SELECT * FROM generate_series(1, 5)") == [(1,), (2,), (3,), (4,), (5,)]
    assert _rows("SELECT value FROM generate_series(1, 10, 3)") == [(1,), (4,), (7,), (10,)]
    assert _rows("SELECT count(*) FROM generate_series(1, -1)") == [(0,)]
    assert _rows("SELECT count(*), max(value) FROM generate_series(4294967290)") == \
        [(6, 4294967295)]
    assert _rows("SELECT count(*), max(value) FROM generate_series "
                 "WHERE start = 4294967290") == [(6, 4294967295)]
    assert _rows("SELECT value FROM generate_series WHERE start = 1 AND stop = 3") == \
        [(1,), (2,), (3,)]


def test_generate_series_step_and_hidden_columns() -> None:
    # a negative step lists the same values in descending order
    assert _rows("SELECT value FROM generate_series(1, 10, -3)") == [(10,), (7,), (4,), (1,)]
    assert _rows("SELECT value FROM generate_series(1, 3, 0)") == [(1,), (2,), (3,)]
    assert _rows("SELECT value, start, stop, step FROM generate_series(2, 4, 2)") == \
        [(2, 2, 4, 2), (4, 2, 4, 2)]
    assert _rows("SELECT * FROM generate_series(1, NULL)") == []
    assert _rows("SELECT name, hidden FROM pragma_table_xinfo('generate_series')") == \
        [("value", 0), ("start", 1), ("stop", 1), ("step", 1)]
    assert _rows("SELECT value FROM generate_series('2', 3.9)") == [(2,), (3,)]
    assert _rows("SELECT g.value, t.value FROM generate_series(1, 2) g "
                 "JOIN generate_series(g.value, 2) t") == [(1, 1), (1, 2), (2, 2)]
    assert _rows("SELECT a.value, b.value FROM generate_series(1, 3) a "
                 "LEFT JOIN generate_series(2, 2) b ON a.value = b.value") == \
        [(1, None), (2, 2), (3, None)]


def test_generate_series_errors() -> None:
    con = pyrite.connect(":memory:")
    with pytest.raises(pyrite.OperationalError,
                       match='first argument to "generate_series\\(\\)" missing or unusable'):
        con.execute("SELECT * FROM generate_series")
    with pytest.raises(pyrite.OperationalError,
                       match="too many arguments on generate_series\\(\\) - max 3"):
        con.execute("SELECT * FROM generate_series(1, 2, 3, 4)")


def test_virtual_table_loop_shape() -> None:
    con = pyrite.connect(":memory:")
    ops = [r[1] for r in con.execute(
        "EXPLAIN SELECT value FROM json_each('[1,2]')").fetchall()]
    # as SQLite 3.40: arguments, then idxNum and argc, then VFilter
    assert ops[1:9] == ["VOpen", "String8", "Integer", "Integer", "VFilter", "VColumn",
                        "ResultRow", "VNext"]
    vopen = con.execute("EXPLAIN SELECT value FROM json_each('[1,2]')").fetchall()[1]
    assert vopen[5] == "vtab:json_each"
    plan = con.execute("EXPLAIN QUERY PLAN SELECT * FROM json_each('[1]')").fetchall()
    assert plan[0][3].startswith("SCAN json_each VIRTUAL TABLE INDEX 1:")
