"""Cost-based join order and automatic indexes (compile/whereloop.py):
EXPLAIN QUERY PLAN text and result rows compared with stdlib sqlite3 for
two-, three- and four-table joins, with and without indexes, with and
without ANALYZE statistics."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite

TABLES = """
CREATE TABLE t1(a INTEGER PRIMARY KEY, b, c);
CREATE TABLE t2(x, y, z);
CREATE TABLE t3(p, q, r);
CREATE TABLE t4(u INTEGER PRIMARY KEY, v, w);
"""

INDEXES = """
CREATE INDEX t1b ON t1(b);
CREATE INDEX t2x ON t2(x);
CREATE INDEX t2yz ON t2(y, z);
CREATE UNIQUE INDEX t3p ON t3(p);
CREATE INDEX t4v ON t4(v, w);
"""

DATA = "".join(
    [f"INSERT INTO t1 VALUES({i}, {i % 7}, {i % 3});" for i in range(1, 41)]
    + [f"INSERT INTO t2 VALUES({i % 11}, {i % 5}, {i});" for i in range(1, 31)]
    + [f"INSERT INTO t3 VALUES({i}, {i % 4}, {i % 6});" for i in range(1, 26)]
    + [f"INSERT INTO t4 VALUES({i}, {i % 9}, {i % 2});" for i in range(1, 36)])

QUERIES = [
    "SELECT * FROM t1, t2 WHERE t1.b = t2.x",
    "SELECT * FROM t2, t1 WHERE t1.b = t2.x",
    "SELECT * FROM t1, t2 WHERE t1.a = t2.y",
    "SELECT * FROM t1, t2 WHERE t1.c = t2.z AND t1.b = 3",
    "SELECT * FROM t1, t2 WHERE t1.b = t2.x AND t2.y = 2",
    "SELECT * FROM t1 JOIN t2 ON t1.b = t2.x JOIN t3 ON t3.p = t2.y",
    "SELECT * FROM t1, t2, t3 WHERE t1.b = t2.x AND t3.q = t2.y",
    "SELECT * FROM t1, t2, t3 WHERE t1.c = t3.r AND t2.z = t3.p",
    "SELECT count(*) FROM t1, t2, t3, t4 WHERE t4.u BETWEEN 3 AND 9 AND t3.p = t4.v "
    "AND t2.x = t3.q AND t1.b = t2.y",
    "SELECT t1.a, t4.w FROM t1, t2, t3, t4 WHERE t1.a = t2.y AND t2.z = t3.p AND t3.q = t4.v",
    "SELECT * FROM t1, t2, t3, t4 WHERE t1.b = t2.x AND t2.y = t3.q AND t3.r = t4.w",
    "SELECT * FROM t1 LEFT JOIN t2 ON t1.b = t2.x",
    "SELECT * FROM t1 LEFT JOIN t2 ON t1.b = t2.x WHERE t1.c = 1",
    "SELECT * FROM t1 LEFT JOIN t2 ON t1.b = t2.x LEFT JOIN t3 ON t3.p = t2.y",
    "SELECT * FROM t1 LEFT JOIN t2 ON t1.b = t2.x JOIN t3 ON t3.p = t1.c",
    "SELECT * FROM t1 CROSS JOIN t2 WHERE t1.b = t2.x",
    "SELECT * FROM t2 CROSS JOIN t1 WHERE t1.b = t2.x",
    "SELECT * FROM t1, t2 WHERE t1.a > 5 AND t1.a < 10 AND t2.x = t1.b",
    "SELECT * FROM t1, t2 WHERE t2.y IN (1, 2) AND t1.b = t2.x",
    "SELECT * FROM t1, t2 WHERE t1.b = t2.x AND t1.c = t2.y",
    "SELECT t2.z FROM t1, t2 WHERE t1.b = 4 AND t2.x = t1.c",
    "SELECT * FROM t3, t4 WHERE t3.p = t4.u",
    "SELECT * FROM t4, t3 WHERE t3.q = t4.v AND t3.r = t4.w",
    "SELECT * FROM t1, t2 WHERE t1.b = t2.x ORDER BY t1.a",
    "SELECT * FROM t1 NATURAL JOIN t4",
    "SELECT * FROM t1, json_each('[1,2,3]') j WHERE j.value = t1.b",
    "SELECT * FROM t1, json_each(t1.c) j",
    "SELECT * FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.x = t1.b)",
    "SELECT * FROM t1, t2, t3 WHERE t1.b = t2.x AND t2.y = t3.q AND t3.r = t1.c",
    "SELECT * FROM t1 a, t1 b WHERE a.b = b.c",
    "SELECT * FROM t1, t2 WHERE t1.b = t2.x + 1",
    "SELECT * FROM t1, t2 WHERE t1.b + 1 = t2.x",
    "SELECT * FROM t1, t2 WHERE t1.b < t2.x",
    "SELECT * FROM t4, t2 WHERE t4.v = t2.x AND t4.w = t2.y",
    "SELECT * FROM t1 JOIN t2 ON t1.b = t2.x WHERE t2.z > 10",
    "SELECT * FROM t1, t2 WHERE t1.b = t2.x AND t2.z BETWEEN 3 AND 20",
    "SELECT * FROM t1, t2 WHERE t1.b = t2.x AND t1.a = 3",
    "SELECT * FROM t1, t2 WHERE t2.rowid = t1.b",
    "SELECT * FROM t2, t3 WHERE t2.x = t3.q AND t3.r = 2",
]

# Plans SQLite chooses without weighing ORDER BY against the join order
# (with indexes or statistics it would, which we do not model yet).
ORDERED_QUERIES = [
    "SELECT * FROM t1, t2 WHERE t1.b = t2.x ORDER BY t2.y, t2.z, t1.a, t2.rowid",
    "SELECT * FROM t1, t2 WHERE t1.b = t2.x ORDER BY t1.a DESC, t2.rowid",
    "SELECT t1.a, t2.z FROM t1 LEFT JOIN t2 ON t1.b = t2.x ORDER BY t1.a, t2.z",
    "SELECT (SELECT y FROM t2 WHERE t2.x = t1.b ORDER BY y LIMIT 1) FROM t1",
]


def _eqp(conn, sql: str) -> list[str]:
    return [r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()]


def _open(indexes: bool, analyze: bool):
    conns = []
    for mod in (sqlite3, pyrite):
        c = mod.connect(":memory:")
        c.executescript(TABLES + (INDEXES if indexes else "") + DATA)
        if analyze:
            c.execute("ANALYZE")
        conns.append(c)
    return conns


_CACHE: dict[tuple[bool, bool], list] = {}


def _conns(indexes: bool, analyze: bool):
    key = (indexes, analyze)
    if key not in _CACHE:
        _CACHE[key] = _open(indexes, analyze)
    return _CACHE[key]


@pytest.mark.parametrize("analyze", [False, True], ids=["nostat", "stat1"])
@pytest.mark.parametrize("indexes", [False, True], ids=["noidx", "idx"])
@pytest.mark.parametrize("sql", QUERIES)
def test_plan_and_rows_match_sqlite(sql: str, indexes: bool, analyze: bool) -> None:
    lite, pyr = _conns(indexes, analyze)
    assert _eqp(pyr, sql) == _eqp(lite, sql)
    want = lite.execute(sql).fetchall()
    got = pyr.execute(sql).fetchall()
    if "ORDER BY" in sql:
        assert got == want
    else:
        assert sorted(map(repr, got)) == sorted(map(repr, want))


@pytest.mark.parametrize("sql", ORDERED_QUERIES)
def test_ordered_join_matches_sqlite(sql: str) -> None:
    lite, pyr = _conns(False, False)
    assert _eqp(pyr, sql) == _eqp(lite, sql)
    assert pyr.execute(sql).fetchall() == lite.execute(sql).fetchall()


def test_four_way_join_of_speedtest1() -> None:
    """speedtest1's test 310: the join order SQLite picks, with an
    automatic index on z2."""
    setup = """
    CREATE TABLE z1(a INTEGER, b INTEGER, c TEXT);
    CREATE TABLE z2(a INTEGER, b INTEGER, c TEXT);
    CREATE TABLE t3(a INTEGER PRIMARY KEY, b INTEGER, c TEXT);
    CREATE TABLE t4(a INTEGER UNIQUE, b INTEGER, c TEXT);
    CREATE INDEX t4b ON t4(b); CREATE INDEX t4c ON t4(c);
    CREATE UNIQUE INDEX t1b ON z1(b); CREATE INDEX t1c ON z1(c);
    CREATE UNIQUE INDEX t2b ON z2(b); CREATE INDEX t2c ON z2(c DESC);
    CREATE INDEX t3bc ON t3(b,c);
    """
    rows = "".join(f"INSERT INTO z1 VALUES({i},{i * 3},'n{i % 13}');"
                   f"INSERT INTO z2 VALUES({i % 17},{i},'n{i % 11}');"
                   f"INSERT INTO t3 VALUES({i},{i % 19},'n{i}');"
                   f"INSERT INTO t4 VALUES({i},{i % 23},'n{i}');" for i in range(1, 60))
    sql = ("SELECT z1.c FROM z1, z2, t3, t4 WHERE t4.a BETWEEN ?1 AND ?2 "
           "AND t3.a=t4.b AND z2.a=t3.b AND z1.c=z2.c")
    lite = sqlite3.connect(":memory:")
    pyr = pyrite.connect(":memory:")
    for c in (lite, pyr):
        c.executescript(setup + rows)
    assert _eqp(pyr, sql.replace("?1", "5").replace("?2", "20")) == [
        "SEARCH t4 USING INDEX sqlite_autoindex_t4_1 (a>? AND a<?)",
        "SEARCH t3 USING INTEGER PRIMARY KEY (rowid=?)",
        "SEARCH z2 USING AUTOMATIC COVERING INDEX (a=?)",
        "SEARCH z1 USING COVERING INDEX t1c (c=?)",
    ]
    for lo, hi in ((5, 20), (1, 59), (30, 31)):
        assert sorted(pyr.execute(sql, (lo, hi)).fetchall()) == \
            sorted(lite.execute(sql, (lo, hi)).fetchall())


AUTO_CASES = [
    # partial automatic index: the table's own terms restrict what it holds
    ("CREATE TABLE a(x, y); CREATE TABLE b(x, y);",
     "SELECT * FROM a, b WHERE a.x = b.x AND b.y > 2"),
    # collation of the comparison keys the index
    ("CREATE TABLE a(x TEXT, y); CREATE TABLE b(x TEXT COLLATE NOCASE, y);",
     "SELECT * FROM a, b WHERE a.x = b.x"),
    # several equality columns
    ("CREATE TABLE a(x, y); CREATE TABLE b(x, y);",
     "SELECT * FROM a, b WHERE a.x = b.x AND a.y = b.y"),
    # the right side of a LEFT JOIN: only its ON terms key the index
    ("CREATE TABLE a(x, y); CREATE TABLE b(x, y);",
     "SELECT * FROM a LEFT JOIN b ON a.x = b.x WHERE b.y IS NULL OR b.y > 1"),
    # an affinity mismatch (TEXT column, numeric comparison) cannot use it
    ("CREATE TABLE a(x INTEGER, y); CREATE TABLE b(x TEXT, y);",
     "SELECT * FROM a, b WHERE a.x = b.x"),
    # the rowid is read from the automatic index
    ("CREATE TABLE a(x, y); CREATE TABLE b(x, y);",
     "SELECT a.rowid, b.rowid, b.y FROM a, b WHERE a.x = b.x"),
]

AUTO_DATA = ("INSERT INTO a VALUES(1,1),(2,2),(3,3),('A',4),(NULL,5),(2,6);"
             "INSERT INTO b VALUES(1,3),(2,2),(2,7),('a',1),(NULL,9),(5,5),('2',8);")


@pytest.mark.parametrize("setup,sql", AUTO_CASES)
def test_automatic_index_matches_sqlite(setup: str, sql: str) -> None:
    lite = sqlite3.connect(":memory:")
    pyr = pyrite.connect(":memory:")
    for c in (lite, pyr):
        c.executescript(setup + AUTO_DATA)
    assert _eqp(pyr, sql) == _eqp(lite, sql)
    assert sorted(map(repr, pyr.execute(sql).fetchall())) == \
        sorted(map(repr, lite.execute(sql).fetchall()))


def test_automatic_index_pragma_off() -> None:
    sql = "SELECT * FROM a, b WHERE a.x = b.x"
    lite = sqlite3.connect(":memory:")
    pyr = pyrite.connect(":memory:")
    for c in (lite, pyr):
        c.executescript("CREATE TABLE a(x, y); CREATE TABLE b(x, y);" + AUTO_DATA)
        c.execute("PRAGMA automatic_index = 0")
    plan = _eqp(pyr, sql)
    assert plan == _eqp(lite, sql)
    assert not any("AUTOMATIC" in p for p in plan)
    assert sorted(pyr.execute(sql).fetchall()) == sorted(lite.execute(sql).fetchall())


def test_automatic_index_built_once_per_statement() -> None:
    """The index is filled behind a Once: rows appear once each."""
    pyr = pyrite.connect(":memory:")
    pyr.executescript("CREATE TABLE a(x); CREATE TABLE b(x, y);"
                      "INSERT INTO a VALUES(1),(1),(2),(3);"
                      "INSERT INTO b VALUES(1,'p'),(2,'q'),(2,'r');")
    ops = [r[1] for r in pyr.execute("EXPLAIN SELECT b.y FROM a, b WHERE a.x = b.x")]
    assert ops.count("OpenAutoindex") == 1 and "Once" in ops
    got = pyr.execute("SELECT b.y FROM a, b WHERE a.x = b.x").fetchall()
    assert sorted(got) == [("p",), ("p",), ("q",), ("r",)]


def test_statistics_loaded_from_file(tmp_path) -> None:
    """sqlite_stat1 written by sqlite3 steers the plan of a fresh connection."""
    path = str(tmp_path / "s.db")
    lite = sqlite3.connect(path)
    lite.executescript(TABLES + INDEXES + DATA + "ANALYZE;")
    lite.commit()
    pyr = pyrite.connect(path)
    for sql in QUERIES[:12]:
        assert _eqp(pyr, sql) == _eqp(lite, sql), sql


def test_statistics_change_the_plan() -> None:
    """A small analysed table goes outside; unanalysed it is 1M rows."""
    sql = "SELECT * FROM big, small WHERE big.k = small.k"
    setup = ("CREATE TABLE big(k, v); CREATE INDEX bigk ON big(k);"
             "CREATE TABLE small(k, v); CREATE INDEX smallk ON small(k);"
             "INSERT INTO small VALUES(1, 1), (2, 2);")
    lite = sqlite3.connect(":memory:")
    pyr = pyrite.connect(":memory:")
    for c in (lite, pyr):
        c.executescript(setup + "".join(f"INSERT INTO big VALUES({i % 50}, {i});"
                                        for i in range(300)))
    before = _eqp(pyr, sql)
    assert before == _eqp(lite, sql)
    for c in (lite, pyr):
        c.execute("ANALYZE")
    after = _eqp(pyr, sql)
    assert after == _eqp(lite, sql)
    assert after[0] == "SCAN small"


def test_bloom_filter_keeps_every_match() -> None:
    """With statistics, a seek run more often than its table has rows
    checks a Bloom filter first (EQP 'BLOOM FILTER ON'); keys of every
    type that compare equal must still be found."""
    setup = ("CREATE TABLE o(k, n); CREATE TABLE i(k, v); CREATE INDEX ik ON i(k);"
             "CREATE TABLE r(id INTEGER PRIMARY KEY, v);")
    vals = [1, 2, 2.0, 2.5, "2", "x", b"2", None, -1, 2**62, 3.0]
    data = "".join(f"INSERT INTO o VALUES({v!r}, {n});".replace("None", "NULL")
                   .replace("b'2'", "x'32'") for n, v in enumerate(vals * 6))
    data += "INSERT INTO i VALUES(2, 'a'), (2.0, 'b'), ('2', 'c'), (x'32', 'd'), (3, 'e');"
    data += "INSERT INTO r VALUES(1, 'p'), (2, 'q'), (3, 'r');"
    queries = ["SELECT o.n, i.v FROM o, i WHERE i.k = o.k AND i.v > 'a'",
               "SELECT o.n, r.v FROM o, r WHERE r.id = o.k AND r.v < 'r'"]
    lite = sqlite3.connect(":memory:")
    pyr = pyrite.connect(":memory:")
    for c in (lite, pyr):
        c.executescript(setup + data + "ANALYZE;")
    plans = []
    for sql in queries:
        plan = _eqp(pyr, sql)
        plans += plan
        assert plan == _eqp(lite, sql)
        assert sorted(map(repr, pyr.execute(sql).fetchall())) == \
            sorted(map(repr, lite.execute(sql).fetchall()))
    assert "BLOOM FILTER ON r (id=?)" in plans


def test_equality_skips_order_by_term_only_under_its_collation() -> None:
    """``a = 'a'`` under NOCASE does not make ``a COLLATE BINARY`` constant:
    the ORDER BY needs a sort (wherePathSatisfiesOrderBy's collation check)."""
    setup = ("CREATE TABLE cv(a TEXT COLLATE NOCASE NOT NULL, b TEXT COLLATE RTRIM NOT NULL,"
             " c TEXT NOT NULL, UNIQUE(a, b, c));"
             "INSERT INTO cv VALUES('a','aa','1'),('A','zz','1'),('a','mm','2'),('A','yy','2');")
    queries = [
        "SELECT a, b, c FROM cv WHERE a = 'a' ORDER BY a COLLATE BINARY, b, c, rowid",
        "SELECT a, b, c FROM cv WHERE a = 'a' ORDER BY a, b, c",
        "SELECT a, b, c FROM cv WHERE a = 'a' ORDER BY b COLLATE BINARY, c",
    ]
    lite = sqlite3.connect(":memory:")
    pyr = pyrite.connect(":memory:")
    for c in (lite, pyr):
        c.executescript(setup)
    for sql in queries:
        assert _eqp(pyr, sql) == _eqp(lite, sql)
        assert pyr.execute(sql).fetchall() == lite.execute(sql).fetchall()


@pytest.mark.parametrize("sql", [
    "SELECT * FROM t1, (SELECT x, count(*) n FROM t2 GROUP BY x) s WHERE s.x = t1.b",
    "WITH s AS MATERIALIZED (SELECT x, y FROM t2) SELECT * FROM t1, s WHERE s.x = t1.b",
    "SELECT * FROM t1, v WHERE v.x = t1.b",
    "SELECT * FROM t1 LEFT JOIN (SELECT x, sum(z) FROM t2 GROUP BY x) s ON s.x = t1.b",
    "SELECT * FROM t1, (SELECT DISTINCT x FROM t2) s WHERE s.x = t1.b",
])
def test_automatic_index_on_materialized_subquery(sql: str) -> None:
    """A materialized subquery or view gets a cheap automatic index
    ("MATERIALIZE s" then "SEARCH s USING AUTOMATIC COVERING INDEX")."""
    lite = sqlite3.connect(":memory:")
    pyr = pyrite.connect(":memory:")
    for c in (lite, pyr):
        c.executescript(TABLES + DATA +
                        "CREATE VIEW v AS SELECT x, count(*) n FROM t2 GROUP BY x;")
    assert _eqp(pyr, sql) == _eqp(lite, sql)
    assert sorted(map(repr, pyr.execute(sql).fetchall())) == \
        sorted(map(repr, lite.execute(sql).fetchall()))


@pytest.mark.parametrize("sql", [
    "SELECT * FROM t1, t2 WHERE t1.b = t2.x AND t2.x = 3",
    "SELECT * FROM t2, t1 WHERE t1.b = t2.x AND t2.x = 3",
    "SELECT t4.v, t1.a, t2.z FROM t4 CROSS JOIN t1, t2 WHERE t1.a = t4.u AND t2.x = t1.c "
    "AND t1.b = t1.c AND t1.c = 5",
    "SELECT * FROM t1, t2 WHERE t1.b = t2.x AND 1",
    "SELECT * FROM t1, t3 WHERE t3.q = t1.b AND t1.b = '2'",
    "SELECT * FROM t1 LEFT JOIN t2 ON t2.x = t1.b AND t1.b = 3 WHERE t1.c = 1",
])
@pytest.mark.parametrize("indexes", [False, True], ids=["noidx", "idx"])
def test_constant_propagation(sql: str, indexes: bool) -> None:
    """``col = constant`` is read into the other WHERE terms (select.c's
    propagateConstants): plans and rows as SQLite's."""
    lite, pyr = _conns(indexes, False)
    assert _eqp(pyr, sql) == _eqp(lite, sql)
    assert sorted(map(repr, pyr.execute(sql).fetchall())) == \
        sorted(map(repr, lite.execute(sql).fetchall()))


@pytest.mark.parametrize("sql", [
    "SELECT * FROM t1 WHERE b = 1 AND rowid > 12",
    "SELECT * FROM t1 WHERE b = 1 AND a < 30 AND a >= 8",
    "SELECT b FROM t1 WHERE b = 2 AND rowid <= '30'",
    "SELECT * FROM t3, t1 WHERE t1.b = t3.q AND t1.a > 20 AND t3.p < 4",
    "SELECT * FROM t3 WHERE p = 1 AND rowid > 0",
])
def test_index_equality_then_rowid_range(sql: str) -> None:
    """The rowid follows an index's key: ``b = ? AND rowid > ?`` seeks the
    index on both (not after a unique key)."""
    lite, pyr = _conns(True, False)
    assert _eqp(pyr, sql) == _eqp(lite, sql)
    assert sorted(map(repr, pyr.execute(sql).fetchall())) == \
        sorted(map(repr, lite.execute(sql).fetchall()))


IS_SETUP = """
CREATE TABLE a(k INTEGER PRIMARY KEY, b, c); CREATE INDEX ab ON a(b);
CREATE TABLE n(x, y); CREATE INDEX nx ON n(x); CREATE TABLE m(p, q);
INSERT INTO a VALUES(1,NULL,1),(2,2,2),(3,NULL,3),(4,4,4);
INSERT INTO n VALUES(NULL,'n'),(2,'two'),(4,'four'),(NULL,'n2');
INSERT INTO m VALUES(NULL,1),(2,2);
"""


@pytest.mark.parametrize("sql", [
    "SELECT * FROM a WHERE b IS NULL",
    "SELECT * FROM a WHERE b IS 2",
    "SELECT * FROM a, n WHERE n.x IS a.b",
    "SELECT * FROM m, n WHERE n.x IS m.p",
    "SELECT * FROM m, a WHERE a.b IS m.p AND a.c > 0",
    "SELECT * FROM m, a WHERE a.k IS m.p",
    "SELECT * FROM a, m WHERE m.p IS a.b",
])
def test_is_and_is_null_seek_an_index(sql: str) -> None:
    """``col IS expr`` and ``col IS NULL`` key index seeks that keep NULL
    keys (WO_IS, WO_ISNULL)."""
    lite = sqlite3.connect(":memory:")
    pyr = pyrite.connect(":memory:")
    for c in (lite, pyr):
        c.executescript(IS_SETUP)
    assert _eqp(pyr, sql) == _eqp(lite, sql)
    assert sorted(map(repr, pyr.execute(sql).fetchall())) == \
        sorted(map(repr, lite.execute(sql).fetchall()))
