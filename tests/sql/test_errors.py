"""Syntax errors: Pyrite's parser must word them exactly as SQLite 3.40 does."""

from __future__ import annotations

import sqlite3

import pytest

from pyrite.errors import OperationalError
from pyrite.sql.parser import parse

BAD_SQL = [
    "SELECT * FORM t",
    "SELECT 1 +",
    "SELECT 1 +;",
    "SELECT #",
    "SELECT 1e",
    "SELECT 123abc",
    "SELECT X'4'",
    "SELECT x'zz'",
    "SELECT 'abc",
    'SELECT "abc',
    "SELECT [abc",
    "SELECT 0x",
    "SELECT 0x1ffffffffffffffff",
    "SELECT 1.5.3",
    "SELECT .5e+",
    "SELECT !",
    "SELECT @",
    "SELECT :",
    "SELECT 1 NOT 2",
    "SELECT (1",
    "SELECT 1)",
    "SELECT 1,",
    "SELECT FROM t",
    "SELECT * FROM",
    "SELECT * FROM t WHERE",
    "SELECT * FROM t GROUP x",
    "SELECT * FROM t ORDER BY",
    "SELECT * FROM t LIMIT",
    "SELECT a FROM t ORDER BY 1 UNION SELECT 1",
    "SELECT 1 LIMIT 1 UNION SELECT 1",
    "SELECT 1 UNION ALL SELECT 2 ORDER BY 1 UNION SELECT 3",
    "SELECT * FROM a LEFT INNER JOIN b",
    "SELECT * FROM a OUTER JOIN b",
    "SELECT * FROM a NATURAL FOO JOIN b",
    "SELECT * FROM a ON 1",
    "SELECT * FROM a USING (x)",
    "VALUES (1), (2, 3)",
    "VALUES (1), (3) ORDER BY 1",
    "VALUES (1) LIMIT 1",
    "SELECT 1 UNION VALUES (2) ORDER BY 1",
    "VALUES (1) UNION ALL VALUES (2) limit 1",
    "SELECT * FROM (VALUES (1) ORDER BY 1)",
    "VALUES",
    "INSERT INTO t",
    "INSERT INTO t VALUES",
    "INSERT t VALUES (1)",
    "INSERT INTO t DEFAULT",
    "UPDATE t SET",
    "UPDATE t SET a",
    "UPDATE t a = 1",
    "DELETE t",
    "DELETE FROM",
    "CREATE TABLE t",
    "CREATE TABLE t()",
    "CREATE TABLE t(a,)",
    "CREATE TABLE t(a) WITHOUT foo",
    "CREATE TABLE t(a) foo",
    "CREATE TABLE t(a AS (1) foo)",
    "CREATE TABLE t(a PRIMARY)",
    "CREATE TABLE t(a CHECK)",
    "CREATE TABLE t(a DEFAULT)",
    "CREATE TABLE t(a REFERENCES)",
    "CREATE TEMP INDEX i ON t(a)",
    "CREATE INDEX i ON t",
    "CREATE INDEX i ON t()",
    "CREATE VIEW v",
    "CREATE VIEW v(a COLLATE nocase) AS SELECT 1",
    "WITH x(a DESC) AS (SELECT 1) SELECT * FROM x",
    "CREATE TRIGGER tr AFTER INSERT ON tt BEGIN SELECT 1; ",
    "CREATE TRIGGER tr AFTER INSERT ON tt BEGIN END",
    "CREATE TRIGGER tr AFTER INSERT ON tt BEGIN DELETE FROM t INDEXED BY i; END",
    "CREATE TRIGGER tr AFTER INSERT ON tt BEGIN UPDATE t NOT INDEXED SET a=1; END",
    "CREATE TRIGGER tr AFTER INSERT ON tt BEGIN DELETE FROM main.t; END",
    "CREATE TRIGGER tr AFTER INSERT ON tt BEGIN SELECT RAISE(FOO); END",
    "CREATE FOO",
    "DROP t",
    "DROP TABLE",
    "DROP TABLE IF t",
    "ALTER TABLE t",
    "ALTER TABLE t RENAME",
    "ALTER TABLE tt ADD",
    "BEGIN FOO",
    "ROLLBACK TO",
    "SAVEPOINT",
    "RELEASE",
    "PRAGMA",
    "PRAGMA x =",
    "PRAGMA x(",
    "ATTACH 'x'",
    "DETACH",
    "EXPLAIN",
    "EXPLAIN QUERY SELECT 1",
    "SELECT CAST(1)",
    "SELECT CASE END",
    "SELECT CASE 1 WHEN 1 END x",
    "SELECT count(*) OVER (ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW)",
    "SELECT count(*) OVER (ROWS BETWEEN CURRENT ROW AND 1 PRECEDING)",
    "SELECT count(*) OVER (ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW)",
    "SELECT count(*) OVER (ROWS 1)",
    "SELECT count(*) FILTER (1)",
    "SELECT 1 IS",
    "SELECT 1 BETWEEN 2",
    "SELECT 1 IN",
    "SELECT 1 LIKE",
    "SELECT 1 COLLATE",
    "SELECT a.",
    "SELECT a.b.c.d",
    "SELECT * FROM t AS",
    "SELECT * FROM t INDEXED",
    "SELECT * FROM (SELECT 1",
    "SELECT * FROM t JOIN",
    "SELECT * FROM t, ",
    "SELECT 1; SELECT",
    "SELECT 1 2",
    "SELECT * FROM t WHERE a = = 1",
    "SELECT (SELECT 1, 2",
    "SELECT EXISTS 1",
    "INSERT INTO t VALUES (1) ON CONFLICT DO",
    "INSERT INTO t VALUES (1) ON CONFLICT DO UPDATE",
    "INSERT INTO t VALUES (1) RETURNING",
    "SELECT 1 FROM t WINDOW w AS",
    "SELECT 1 " + "UNION SELECT 1 " * 500,
    "SELECT " + "(" * 100 + "1" + ")" * 100,
    "SELECT " + "+".join(["1"] * 1001),
    "SELECT " + " OR ".join(["1"] * 1001),
    "SELECT " + "- " * 2000 + "1",
    "SELECT " + "abs(" * 40 + "1" + ")" * 40,
    "SELECT " + "(SELECT " * 30 + "1" + ")" * 30,
    "SELECT a FROM t WHERE a = 1 AND",
    "SELECT * FROM t LIMIT 1 OFFSET",
    "SELECT DISTINCT",
    # Errors of grammar actions fire only once the next token is acceptable.
    "SELECT * FROM t ON 1 WHERE 1 +",
    "SELECT * FROM t ON a AUTOINCREMENT",
    "SELECT * FROM t USING (a) foo bar",
    "CREATE TABLE u(a) foo, bar baz",
    "CREATE TABLE u(a) foo bar",
    "CREATE TABLE u(a) INDEXED AND",
    "VALUES (1), (1, 2) foo",
    "CREATE TABLE u(a AS (1) foo bar)",
    "CREATE TABLE u(a UNIQUE ON INITIALLY)",
    "SELECT sum(a) OVER (RANGE 1 FOLLOWING",
    "SELECT sum(a) OVER (PARTITION ORDER BY a)",
    "SELECT sum(a) OVER (GROUPS)",
    "INSERT INTO tt SELECT 1 x ON y",
    "SELECT a FROM t WINDOW w AS (ORDER BY a) , ",
]


def sqlite_message(sql: str) -> str | None:
    con = sqlite3.connect(":memory:")
    # Tables exist so that SQLite's early semantic checks (CREATE TRIGGER
    # looks its table up before parsing the body) do not hide syntax errors.
    con.execute("CREATE TABLE tt(a)")
    try:
        con.executescript(sql) if ";" in sql.rstrip(";") else con.execute(sql)
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        con.close()
    return None


@pytest.mark.parametrize("sql", BAD_SQL, ids=lambda s: s[:50])
def test_error_message_matches_sqlite(sql: str) -> None:
    expected = sqlite_message(sql)
    assert expected is not None
    with pytest.raises(OperationalError) as info:
        parse(sql)
    assert str(info.value) == expected


def test_error_is_sqlite_error_code() -> None:
    with pytest.raises(OperationalError) as info:
        parse("SELECT * FORM t")
    assert info.value.sqlite_errorcode == 1
    assert info.value.sqlite_errorname == "SQLITE_ERROR"


GOOD_DEEP = [
    "CREATE TABLE u(a INT) , strict",
    "SELECT 1 " + "COLLATE x " * 1200,
    "SELECT " + "+".join(["1"] * 1000),
    "SELECT " + "(" * 90 + "1" + ")" * 90,
    "SELECT " + " AND ".join(["1"] * 999),
    "SELECT " + "- " * 90 + "1",
]


@pytest.mark.parametrize("sql", GOOD_DEEP, ids=lambda s: s[:40])
def test_deep_but_legal(sql: str) -> None:
    assert sqlite_message(sql) is None
    assert len(parse(sql)) == 1
