"""Statements SQLite 3.40 accepts must parse; the list covers every statement kind."""

from __future__ import annotations

import sqlite3

import pytest

from pyrite.sql.parser import parse

ACCEPTED = """SELECT * FROM t WHERE (a, b) IN (SELECT 1, 2)
SELECT a FROM t WHERE a IN (SELECT 1 UNION SELECT 2)
INSERT INTO t(a) VALUES (1) ON CONFLICT(a) DO UPDATE SET a = excluded.a WHERE excluded.a > 0 RETURNING *
SELECT * FROM t1 LEFT JOIN (t2 JOIN t3 ON 1) ON 1
CREATE TABLE t(a INTEGER PRIMARY KEY ASC, b NOT NULL ON CONFLICT IGNORE)
SELECT group_concat(DISTINCT a) FROM t
SELECT a FROM t ORDER BY a COLLATE nocase
SELECT * FROM t WHERE a = ?1 AND b = :b AND c = @c AND d = $d
WITH a AS MATERIALIZED (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b
SELECT value FROM generate_series(1, 10)
SELECT 1 WHERE 1 GLOB 1 ESCAPE 1
SELECT total(x) OVER win FROM t WINDOW win AS (PARTITION BY y)
SELECT -x, +x, ~x, NOT x FROM t
CREATE TABLE IF NOT EXISTS "t t"([a b] "INT", `c` TEXT)
DELETE FROM t WHERE rowid IN (SELECT rowid FROM t LIMIT 1)
SELECT (SELECT 1) IS NULL
SELECT 1 -- comment
PRAGMA main.table_info("t")
SELECT * FROM pragma_table_info('t')
SELECT a FROM t GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 DESC LIMIT -1 OFFSET 2
CREATE TRIGGER IF NOT EXISTS main.tr AFTER UPDATE OF a ON t WHEN old.a <> new.a BEGIN UPDATE u SET b = new.a WHERE c = old.a; INSERT INTO log VALUES (new.a) ON CONFLICT DO NOTHING; END
SELECT a, b FROM t1 UNION SELECT * FROM (VALUES (1, 2)) ORDER BY 1
SELECT max(a) FILTER (WHERE b) FROM t
SELECT a FROM t WHERE a NOT NULL AND b NOTNULL AND c ISNULL
SELECT * FROM t1 JOIN t2 USING (a, b) NATURAL LEFT JOIN t3
SELECT CAST(a AS DOUBLE PRECISION), CAST(b AS "x")
SELECT x'', 'a' 'b'
SELECT a FROM t AS "x" WHERE "x".a = 1
SELECT t.* , s.* FROM t, s
SELECT a FROM t WHERE a LIKE 'x' COLLATE nocase
SELECT count() OVER (ORDER BY a RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE NO OTHERS)
SELECT first_value(a) OVER (w ORDER BY b) FROM t WINDOW w AS (PARTITION BY c)
SELECT 1 FROM t WHERE EXISTS (SELECT 1) AND NOT EXISTS (SELECT 2)
SELECT json_extract(a, '$.b') -> 'c' ->> 'd' FROM t
SELECT a FROM t LIMIT 1, 2
UPDATE t SET (a, b) = (SELECT 1, 2) WHERE rowid = 1
CREATE VIEW IF NOT EXISTS v(a, b) AS WITH x AS (SELECT 1, 2) SELECT * FROM x
CREATE UNIQUE INDEX i ON t(a COLLATE nocase, lower(b) DESC) WHERE a IS NOT NULL
ALTER TABLE t ADD COLUMN d TEXT DEFAULT 'x' NOT NULL REFERENCES p(a)
SELECT a FROM t WHERE a BETWEEN 1 AND 2 AND b NOT BETWEEN 3 AND 4
SELECT 1 IN () , 2 NOT IN ()
SELECT ?, ?5, :a, @b, $c::d(e)
SELECT a.b.c FROM t
VACUUM INTO 'f.db'
BEGIN EXCLUSIVE TRANSACTION tx
SELECT "abc" FROM t
SELECT rowid, oid, _rowid_ FROM t
SELECT * FROM t WHERE a MATCH 'x' AND b REGEXP 'y'
CREATE TABLE t(a, CONSTRAINT pk PRIMARY KEY (a DESC) ON CONFLICT ROLLBACK, CHECK (a > 0) FOREIGN KEY (a) REFERENCES p (b) ON UPDATE CASCADE ON DELETE SET DEFAULT MATCH FULL NOT DEFERRABLE INITIALLY IMMEDIATE)
CREATE TABLE t(a TEXT AS (upper(b)) VIRTUAL, b GENERATED ALWAYS AS (1) STORED)
SELECT a FROM t ORDER BY a NULLS LAST, b DESC NULLS FIRST
SELECT replace(a, 'b', 'c'), like('a', 'b'), glob('a', 'b'), if(1, 2, 3) FROM t
SELECT key, value, type, atom, id, parent, fullkey, path FROM json_each('[1]')
SELECT a FROM t WHERE a = +1 OR a = - -1
SELECT a FROM t WHERE b IN t2
SELECT * FROM t WHERE a IS TRUE AND b IS NOT FALSE
SELECT current_date, current_time, current_timestamp
EXPLAIN QUERY PLAN SELECT 1
ANALYZE sqlite_master
REINDEX t
SELECT * FROM main.t AS x NOT INDEXED
INSERT INTO main.t AS x DEFAULT VALUES RETURNING x.a AS y
WITH RECURSIVE c(x) AS (VALUES(1) UNION ALL SELECT x+1 FROM c LIMIT 5) SELECT x FROM c
SELECT a FROM (SELECT a FROM t) AS s JOIN (SELECT b FROM u) v ON s.a = v.b
DROP VIEW IF EXISTS main.v
SELECT 1 AS "end", 2 AS [from], 3 AS `select`
SELECT * FROM t CROSS JOIN u
SELECT * FROM t FULL OUTER JOIN u ON 1
SELECT * FROM t RIGHT OUTER JOIN u ON 1
SELECT * FROM t WHERE a = 1 COLLATE binary
SELECT a FROM t WINDOW w AS (), v AS (w)
SELECT sum(a) OVER () FROM t
SELECT count(*) FILTER (WHERE a) OVER (PARTITION BY b ROWS UNBOUNDED PRECEDING) FROM t""".split("\n")


@pytest.mark.parametrize("sql", ACCEPTED, ids=lambda s: s[:50])
def test_accepted_by_both(sql: str) -> None:
    con = sqlite3.connect(":memory:")
    try:
        con.execute(sql if sql.startswith("EXPLAIN") else "EXPLAIN " + sql)
    except sqlite3.Error as exc:  # semantic errors are fine: the syntax was accepted
        assert "syntax error" not in str(exc) and "incomplete" not in str(exc)
    finally:
        con.close()
    stmts = parse(sql)
    assert len(stmts) == 1
