"""ALTER TABLE rewrites the views and triggers that name the renamed table or
column, token by token, and refuses changes that leave one unresolvable:
the stored texts, trigger rows and error messages compared with stdlib
sqlite3 (3.40)."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite

BASE = [
    "CREATE TABLE t(a, b, c)",
    "CREATE TABLE u(x, y)",
    "CREATE TABLE log(v, w)",
]

# (extra setup, the ALTER statement)
CASES = [
    # views
    (["CREATE VIEW v AS SELECT a, b FROM t"], "ALTER TABLE t RENAME COLUMN b TO bb"),
    (["CREATE VIEW v AS SELECT t.a, main.t.b, \"T\".[B] FROM t"],
     "ALTER TABLE t RENAME COLUMN b TO \"q r\""),
    (["CREATE VIEW v AS SELECT t.a, main.t.b, \"T\".[B] FROM t"], "ALTER TABLE t RENAME TO \"n m\""),
    (["CREATE VIEW v AS SELECT x.b, t2.a FROM t x, main.t t2 WHERE x.b = t2.c"],
     "ALTER TABLE t RENAME TO w"),
    (["CREATE VIEW v AS SELECT x.b, t2.a FROM t x, main.t t2 WHERE x.b = t2.c"],
     "ALTER TABLE t RENAME b TO z"),
    (["CREATE VIEW v AS SELECT y FROM u WHERE EXISTS (SELECT 1 FROM t WHERE b = u.x)"],
     "ALTER TABLE t RENAME COLUMN b TO z"),
    (["CREATE VIEW v AS SELECT u.y FROM u WHERE EXISTS (SELECT 1 FROM t WHERE EXISTS "
      "(SELECT 1 WHERE b = y))"], "ALTER TABLE t RENAME COLUMN b TO z"),
    (["CREATE VIEW v AS SELECT b AS z FROM t ORDER BY z, b"], "ALTER TABLE t RENAME COLUMN b TO q"),
    (["CREATE VIEW v AS SELECT b FROM t UNION SELECT a FROM t ORDER BY b"],
     "ALTER TABLE t RENAME COLUMN b TO q"),
    (["CREATE VIEW v AS WITH t AS (SELECT 1 AS b) SELECT b FROM t"], "ALTER TABLE t RENAME b TO q"),
    (["CREATE VIEW v AS WITH t AS (SELECT 1 AS b) SELECT b FROM t"], "ALTER TABLE t RENAME TO q"),
    (["CREATE VIEW v AS WITH k AS (SELECT b FROM t) SELECT * FROM k, (SELECT c FROM t) s"],
     "ALTER TABLE t RENAME TO q"),
    (["CREATE VIEW v AS WITH k AS (SELECT b FROM t) SELECT * FROM k, (SELECT c FROM t) s"],
     "ALTER TABLE t RENAME COLUMN c TO cc"),
    (["CREATE VIEW v AS SELECT max(b) OVER (PARTITION BY c ORDER BY a), "
      "CASE WHEN b IN (SELECT x FROM u) THEN c END FROM t GROUP BY b HAVING count(c) > 1"],
     "ALTER TABLE t RENAME COLUMN c TO d"),
    (["CREATE VIEW v1 AS SELECT a, b FROM t", "CREATE VIEW v2 AS SELECT b FROM v1"],
     "ALTER TABLE t RENAME COLUMN b TO d"),
    (["CREATE VIEW v1 AS SELECT a, b FROM t", "CREATE VIEW v2 AS SELECT b FROM v1"],
     "ALTER TABLE v1 RENAME TO v3"),
    (["CREATE VIEW v AS SELECT t.*, u.* FROM t JOIN u ON t.a = u.x"], "ALTER TABLE t RENAME TO k"),
    # triggers
    (["CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES(new.a, new.b); END"],
     "ALTER TABLE t RENAME TO t2"),
    (["CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES(new.a, new.b); END"],
     "ALTER TABLE t RENAME COLUMN b TO bb"),
    (["CREATE TRIGGER tr AFTER UPDATE OF b, a ON t BEGIN UPDATE t SET b = old.b "
      "WHERE a = new.\"B\"; INSERT INTO t(a, \"b\") VALUES(1, 2); END"],
     "ALTER TABLE t RENAME COLUMN b TO c2"),
    (["CREATE TRIGGER tr AFTER UPDATE OF b, a ON t BEGIN UPDATE t SET b = old.b "
      "WHERE a = new.\"B\"; INSERT INTO t(a, \"b\") VALUES(1, 2); END"],
     "ALTER TABLE t RENAME TO \"x y\""),
    (["CREATE TRIGGER tr AFTER INSERT ON u WHEN new.x > 0 BEGIN "
      "DELETE FROM t WHERE b = new.y; UPDATE log SET v = t.b FROM t WHERE t.a = new.x; "
      "INSERT INTO log SELECT sum(b), c FROM t GROUP BY c; END"],
     "ALTER TABLE t RENAME COLUMN b TO z"),
    (["CREATE TRIGGER tr AFTER INSERT ON u WHEN new.x > 0 BEGIN "
      "DELETE FROM t WHERE b = new.y; UPDATE log SET v = t.b FROM t WHERE t.a = new.x; "
      "INSERT INTO log SELECT sum(b), c FROM t GROUP BY c; END"],
     "ALTER TABLE t RENAME TO z"),
    (["CREATE TRIGGER tr BEFORE DELETE ON t FOR EACH ROW BEGIN "
      "SELECT RAISE(ABORT, 'no') WHERE old.c IS NULL; END", "CREATE TABLE tr(k)"],
     "ALTER TABLE tr RENAME TO tr2"),
    (["CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO u(x, y) VALUES(new.a, 1) "
      "ON CONFLICT DO NOTHING; END"], "ALTER TABLE u RENAME COLUMN y TO yy"),
    (["CREATE UNIQUE INDEX ux ON u(x)", "CREATE TRIGGER tr AFTER INSERT ON t BEGIN "
      "INSERT INTO u(x, y) VALUES(new.a, new.b) ON CONFLICT(x) DO UPDATE SET y = excluded.y + u.y; END"],
     "ALTER TABLE u RENAME TO uu"),
    (["CREATE UNIQUE INDEX ux ON u(x)", "CREATE TRIGGER tr AFTER INSERT ON t BEGIN "
      "INSERT INTO u(x, y) VALUES(new.a, new.b) ON CONFLICT(x) DO UPDATE SET y = excluded.y + y; END"],
     "ALTER TABLE u RENAME COLUMN y TO yy"),
    (["CREATE TABLE k(a, z)", "CREATE VIEW v AS SELECT a, b, z FROM t NATURAL JOIN k, "
      "json_each(t.c) WHERE key > 0"], "ALTER TABLE t RENAME COLUMN c TO cc"),
    # double-quoted strings become single-quoted on RENAME/DROP COLUMN, not RENAME TO
    (["CREATE VIEW v AS SELECT \"zz\", a FROM t WHERE a = \"q\"\"'x\"",
      "CREATE TRIGGER tr AFTER INSERT ON u BEGIN SELECT \"zz\"; INSERT INTO t VALUES(\"k\", 1, 2); END"],
     "ALTER TABLE t RENAME COLUMN b TO w"),
    (["CREATE VIEW v AS SELECT \"zz\", a FROM t WHERE a = \"q\"\"'x\"",
      "CREATE TRIGGER tr AFTER INSERT ON u BEGIN SELECT \"zz\"; INSERT INTO t VALUES(\"k\", 1, 2); END"],
     "ALTER TABLE t DROP COLUMN b"),
    (["CREATE VIEW v AS SELECT \"zz\", a FROM t WHERE a = \"q\"\"'x\"",
      "CREATE TRIGGER tr AFTER INSERT ON u BEGIN SELECT \"zz\"; INSERT INTO t VALUES(\"k\", 1, 2); END"],
     "ALTER TABLE t RENAME TO w"),
    (["CREATE TABLE t2(a, b)", "CREATE VIEW v AS SELECT x.b, t2.b FROM t x JOIN t2 ON x.a = t2.a"],
     "ALTER TABLE t2 RENAME COLUMN b TO q"),
    (["CREATE TABLE t2(a, b)", "CREATE TRIGGER tr AFTER INSERT ON t BEGIN "
      "UPDATE t2 SET b = new.b WHERE a = new.a; END"], "ALTER TABLE t RENAME COLUMN b TO q"),
    (["CREATE TABLE t2(a, b)", "CREATE TRIGGER tr AFTER INSERT ON t BEGIN "
      "UPDATE t2 SET b = new.b WHERE a = new.a; END"], "ALTER TABLE t2 RENAME COLUMN b TO q"),
    (["CREATE TABLE t2(a, b)", "CREATE VIEW v AS SELECT b FROM t2 WHERE EXISTS "
      "(SELECT 1 FROM t WHERE t.a = t2.a AND b > 0)"], "ALTER TABLE t RENAME COLUMN b TO q"),
    (["CREATE TABLE t2(a, b)", "CREATE VIEW v AS SELECT b FROM t2 WHERE EXISTS "
      "(SELECT 1 FROM t WHERE t.a = t2.a AND b > 0)"], "ALTER TABLE t2 RENAME COLUMN b TO q"),
    (["CREATE TRIGGER tr AFTER DELETE ON t BEGIN INSERT INTO u(y) SELECT b FROM t "
      "WHERE a = old.a; END"], "ALTER TABLE u DROP COLUMN y"),
    (["CREATE VIEW v AS SELECT sum(a) AS s FROM t GROUP BY b HAVING s > 1 ORDER BY s"],
     "ALTER TABLE t RENAME b TO z"),
    (["CREATE VIEW v AS SELECT s.b FROM (SELECT * FROM t) s"], "ALTER TABLE t RENAME b TO z"),
    (["CREATE VIEW v AS SELECT s.b FROM (SELECT * FROM t) s"], "ALTER TABLE t DROP COLUMN b"),
    (["CREATE VIEW v AS SELECT a, b FROM t ORDER BY b NULLS LAST"], "ALTER TABLE t RENAME b TO z"),
    (["CREATE VIEW v AS WITH RECURSIVE r AS (SELECT b AS n FROM t UNION ALL "
      "SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r"], "ALTER TABLE t RENAME b TO w"),
    (["CREATE TRIGGER tr AFTER INSERT ON u BEGIN INSERT INTO log WITH k AS "
      "(SELECT new.x AS p) SELECT p, b FROM k, t; END"], "ALTER TABLE t RENAME b TO bb"),
    (["CREATE VIEW v AS SELECT name, b FROM main.sqlite_schema, t"], "ALTER TABLE t RENAME TO w"),
    # errors
    (["CREATE TABLE t2(a, b)", "CREATE VIEW v AS SELECT b FROM t JOIN t2 USING (a)"],
     "ALTER TABLE t RENAME COLUMN a TO q"),
    (["CREATE TABLE t2(a, y)", "CREATE VIEW v AS SELECT b FROM t JOIN t2 USING (a)"],
     "ALTER TABLE t RENAME COLUMN a TO q"),
    (["CREATE TABLE t2(a, b)", "CREATE TRIGGER tr AFTER INSERT ON t WHEN (SELECT count(*) "
      "FROM t2 WHERE b = new.c) > 0 BEGIN DELETE FROM t2 WHERE t2.b = old.b; END"],
     "ALTER TABLE t2 RENAME COLUMN b TO q"),
    (["CREATE VIEW v AS SELECT * FROM t ORDER BY b DESC NULLS LAST"], "ALTER TABLE t RENAME b TO z"),
    (["CREATE VIEW v AS SELECT b FROM t"], "ALTER TABLE t DROP COLUMN b"),
    (["CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT new.b; END"], "ALTER TABLE t DROP COLUMN b"),
    (["CREATE TRIGGER tr AFTER INSERT ON t WHEN new.b > 0 BEGIN SELECT 1; END"],
     "ALTER TABLE t DROP COLUMN b"),
    (["CREATE TRIGGER tr AFTER INSERT ON u BEGIN UPDATE t SET a = 1 WHERE c = 2; END"],
     "ALTER TABLE t DROP COLUMN c"),
    (["CREATE TRIGGER tr AFTER INSERT ON u BEGIN UPDATE t SET a = 1 WHERE c = 2; END"],
     "ALTER TABLE t DROP COLUMN b"),
    (["CREATE TRIGGER tr BEFORE UPDATE ON t WHEN t.b > 0 BEGIN SELECT 1; END"],
     "ALTER TABLE t RENAME COLUMN b TO c2"),
    (["CREATE TRIGGER tr BEFORE UPDATE ON t WHEN main.t.b > 0 BEGIN SELECT 1; END"],
     "ALTER TABLE t RENAME COLUMN b TO c2"),
    (["CREATE TRIGGER tr BEFORE UPDATE ON t WHEN \"T\".\"B\" > 0 BEGIN SELECT 1; END"],
     "ALTER TABLE t RENAME COLUMN b TO c2"),
    (["CREATE TRIGGER tr AFTER INSERT ON t WHEN b > 0 BEGIN SELECT 1; END"],
     "ALTER TABLE t DROP COLUMN c"),
    (["CREATE VIEW v AS SELECT * FROM u", "DROP TABLE u"], "ALTER TABLE t RENAME TO w"),
    (["CREATE VIEW v AS SELECT * FROM u", "DROP TABLE u"], "ALTER TABLE t RENAME COLUMN a TO q"),
    (["CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO nosuch VALUES(1); END"],
     "ALTER TABLE u RENAME COLUMN x TO q"),
    (["CREATE VIEW v AS SELECT * FROM v"], "ALTER TABLE t RENAME COLUMN b TO q"),
    (["CREATE VIEW v AS SELECT * FROM t WHERE a IN t"], "ALTER TABLE t RENAME TO w"),
]


def _outcome(mod, setup: list[str], alter: str) -> tuple:
    conn = mod.connect(":memory:", isolation_level=None)
    try:
        for s in BASE + setup:
            conn.execute(s)
        try:
            conn.execute(alter)
        except Exception as e:  # noqa: BLE001 - compared across engines
            return ("error", type(e).__name__, str(e))
        return tuple(conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name").fetchall())
    finally:
        conn.close()


@pytest.mark.parametrize("setup, alter", CASES)
def test_dependents_match_sqlite(setup: list[str], alter: str) -> None:
    assert _outcome(pyrite, setup, alter) == _outcome(sqlite3, setup, alter)


def test_renamed_trigger_still_fires() -> None:
    """The trigger follows its table and reads the renamed column."""
    stmts = BASE + [
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES(new.a, new.b); END",
        "ALTER TABLE t RENAME TO t2",
        "ALTER TABLE t2 RENAME COLUMN b TO bb",
        "INSERT INTO t2 VALUES(1, 2, 3)",
    ]
    rows = []
    for mod in (sqlite3, pyrite):
        conn = mod.connect(":memory:", isolation_level=None)
        for s in stmts:
            conn.execute(s)
        rows.append(conn.execute("SELECT * FROM log").fetchall())
        conn.close()
    assert rows[0] == rows[1] == [(1, 2)]


QUOTEFIX_SETUP = [
    'CREATE TABLE q(a, b, c DEFAULT "dq", d AS (a || "g"), CHECK (a != "x" AND "a" > 0))',
    'CREATE INDEX qi ON q(a, "c") WHERE a != "zz"',
    'CREATE INDEX qj ON q("a" || "s")',
    'CREATE TABLE w(p CHECK(p != "h"), r DEFAULT "dd")',
    'CREATE INDEX wk ON w(p) WHERE p = "s"',
]


@pytest.mark.parametrize("alter", ["ALTER TABLE q RENAME b TO bb", "ALTER TABLE q DROP COLUMN b",
                                   "ALTER TABLE q RENAME TO qq", "ALTER TABLE q ADD COLUMN e"])
def test_quoted_strings_in_tables_and_indexes(alter: str) -> None:
    """RENAME/DROP COLUMN make the double-quoted strings of every CHECK,
    generated column and index single-quoted (not DEFAULTs); other ALTERs
    leave them."""
    assert _outcome(pyrite, QUOTEFIX_SETUP, alter) == _outcome(sqlite3, QUOTEFIX_SETUP, alter)


@pytest.mark.parametrize("stmts", [
    ["CREATE TABLE e(a, b, c)", "CREATE INDEX ei ON e(substr(b, 1, 1))", "ALTER TABLE e DROP COLUMN b"],
    ["CREATE TABLE e(a, b, c)", "CREATE INDEX ei ON e(a, b + c)", "ALTER TABLE e DROP COLUMN b"],
    ["CREATE TABLE e(a, b, c)", "CREATE INDEX ei ON e(a) WHERE b > 0", "ALTER TABLE e DROP COLUMN b"],
    ["CREATE TABLE e(a)", "ALTER TABLE e ADD COLUMN b INTEGER COLLATE nosuchcoll"],
    ["CREATE TABLE e(a CHECK(b > 0), b, c)", "ALTER TABLE e DROP COLUMN b"],
    ["CREATE TABLE e(a, b, c CHECK(c > e.b))", "ALTER TABLE e DROP COLUMN b"],
    ["CREATE TABLE e(a, b, c CHECK(c > 0))", "ALTER TABLE e DROP COLUMN b"],
    ["CREATE TABLE e(a, b, c, UNIQUE(a, b))", "ALTER TABLE e DROP COLUMN b"],
    ["CREATE TABLE e(a, \"b\", c, UNIQUE(a, \"b\"))", "ALTER TABLE e DROP COLUMN b"],
    ["CREATE TABLE e(a, b, c, FOREIGN KEY(a, b) REFERENCES u(x, y))", "ALTER TABLE e DROP COLUMN b"],
    ["CREATE TABLE e(a, b, c AS (b + 1))", "ALTER TABLE e DROP COLUMN b"],
    ["CREATE TABLE e(a, b AS (a * 2) VIRTUAL)", "ALTER TABLE e DROP COLUMN a"],
    ["CREATE TABLE e(a INTEGER PRIMARY KEY, b)", "CREATE TABLE l(v)",
     "CREATE TRIGGER tr AFTER DELETE ON e BEGIN INSERT INTO l VALUES(old.rowid); END",
     "ALTER TABLE e RENAME COLUMN a TO k"],
    ["CREATE TABLE e(a)", "CREATE VIEW v AS SELECT * FROM e GROUP BY a ORDER BY 1",
     "ALTER TABLE e RENAME COLUMN a TO k"],
])
def test_drop_column_used_by_index_expression(stmts: list[str]) -> None:
    assert _outcome(pyrite, stmts[:-1], stmts[-1]) == _outcome(sqlite3, stmts[:-1], stmts[-1])


def test_drop_trigger_named_like_its_table() -> None:
    """DROP TRIGGER deletes only the trigger's row, not a table of that name."""
    stmts = ["CREATE TABLE k(x)",
             "CREATE TRIGGER k AFTER INSERT ON k BEGIN INSERT INTO log VALUES(1, 2); END",
             "DROP TRIGGER k", "ALTER TABLE k RENAME TO k2"]
    assert _outcome(pyrite, stmts[:-1], stmts[-1]) == _outcome(sqlite3, stmts[:-1], stmts[-1])


KEYWORD_SETUP = [
    "CREATE TABLE p(key INTEGER UNIQUE, action TEXT CHECK(action != 'x'), match, "
    "FOREIGN KEY(match) REFERENCES p(key))",
    "CREATE INDEX pi ON p(action, key) WHERE key > 0",
    "CREATE TABLE c(r REFERENCES p(key))",
]


@pytest.mark.parametrize("alter", ["ALTER TABLE p RENAME key TO k",
                                   'ALTER TABLE p RENAME action TO "act"',
                                   "ALTER TABLE p RENAME COLUMN match TO m"])
def test_rename_keyword_named_column(alter: str) -> None:
    """Columns named by keywords (key, action, match) are renamed in the
    table, its indexes and other tables' REFERENCES lists."""
    def schema(mod):
        conn = mod.connect(":memory:", isolation_level=None)
        for s in KEYWORD_SETUP + [alter]:
            conn.execute(s)
        return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema").fetchall()
    assert schema(pyrite) == schema(sqlite3)


def _script_outcomes(mod, statements: list[str]) -> list[tuple]:
    conn = mod.connect(":memory:", isolation_level=None)
    out = []
    for s in statements:
        try:
            out.append(("rows", conn.execute(s).fetchall()))
        except Exception as e:  # noqa: BLE001 - compared across engines
            out.append(("error", type(e).__name__, str(e)))
    conn.close()
    return out


# TEMP views and triggers may name a table of any database: ALTER TABLE
# rewrites them too (and RENAME COLUMN of a TEMP table trips over SQLite
# 3.40's second pass over the temp schema); a table's own CHECK and an
# index's WHERE follow a RENAME TO in qualified references.
SCRIPTS = {
    "temp-dependents": [
        "CREATE TEMP TABLE t(a, b)",
        "CREATE TEMP VIEW v AS SELECT b FROM t",
        "ALTER TABLE t RENAME COLUMN b TO c",
        "SELECT sql FROM sqlite_temp_master",
        "DROP VIEW v",
        "CREATE TEMP VIEW v AS SELECT a FROM t",
        "ALTER TABLE t RENAME COLUMN b TO c",
        "SELECT sql FROM sqlite_temp_master",
        "CREATE TABLE m(x, y)",
        "CREATE TEMP VIEW tv AS SELECT x, y FROM main.m",
        "CREATE TEMP TRIGGER tt AFTER INSERT ON m BEGIN "
        "INSERT INTO t VALUES(new.x, new.y); END",
        "ALTER TABLE m RENAME COLUMN y TO yy",
        "SELECT name, tbl_name, sql FROM sqlite_temp_master ORDER BY name",
        "ALTER TABLE m RENAME TO m2",
        "SELECT name, tbl_name, sql FROM sqlite_temp_master ORDER BY name",
        "INSERT INTO m2 VALUES(1, 2)",
        "SELECT * FROM t", "SELECT * FROM tv",
        "ALTER TABLE m2 DROP COLUMN yy",
        "CREATE TEMP TRIGGER bad AFTER DELETE ON t BEGIN SELECT y FROM m2; END",
        "ALTER TABLE m2 RENAME x TO xx",
        "DROP TRIGGER bad",
        "ATTACH ':memory:' AS aux",
        "CREATE TABLE aux.w(p, q)",
        "CREATE TEMP TRIGGER tw AFTER INSERT ON aux.w BEGIN "
        "INSERT INTO m2(x) VALUES(new.p); END",
        "ALTER TABLE aux.w RENAME COLUMN p TO pp",
        "ALTER TABLE aux.w RENAME TO w2",
        "SELECT name, tbl_name, sql FROM sqlite_temp_master ORDER BY name",
        "INSERT INTO aux.w2 VALUES(7, 8)",
        "SELECT * FROM m2",
    ],
    "qualified-check": [
        "CREATE TABLE t1(a INTEGER CHECK(main.t1.a > 0), b, CHECK(t1.b IS NOT t1.a))",
        "CREATE INDEX i1 ON t1(a) WHERE t1.b > 0",
        "ALTER TABLE t1 RENAME TO t2",
        "SELECT sql FROM sqlite_master",
        "INSERT INTO t2 VALUES(10, 3)",
        "INSERT INTO t2 VALUES(-10, 3)",
        "CREATE TABLE t3(a INTEGER, CHECK(\"t3\".a > 0), CHECK([a] < 100))",
        "INSERT INTO t3 VALUES(-5)", "INSERT INTO t3 VALUES(500)",
    ],
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_scripts_match_sqlite(name: str) -> None:
    assert _script_outcomes(pyrite, SCRIPTS[name]) == _script_outcomes(sqlite3, SCRIPTS[name])
