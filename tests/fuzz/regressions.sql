-- Mismatches the differential fuzzer (sqlfuzz.py) found, minimised; each
-- case is replayed on Pyrite and on sqlite3 by test_fuzz.py and must agree
-- (rows, types, errors, and the tables after every write).

-- case: in-subquery-affinity (seed 244)
CREATE TABLE t2(c0 TEXT, c1 VARCHAR(10));
INSERT INTO t2 VALUES(0, 0.5);
SELECT NULL, (((c1 GLOB '%b%') >= 0.5) NOT IN (SELECT s1.c0 FROM t2 AS s1 WHERE ((c0 COLLATE BINARY = c0)))), (c1 != c0) FROM t2 ORDER BY 1, 2 ASC, 3;
SELECT 0 IN (SELECT c0 FROM t2), (1>2) IN (SELECT c0 FROM t2 WHERE c0 = c0);
SELECT 'A' IN (SELECT 'a' COLLATE NOCASE), 'A' COLLATE NOCASE IN (SELECT 'a'), 'a' IN (SELECT c0 FROM t2 UNION SELECT 'b');

-- case: null-in-empty-subquery (seed 36)
CREATE TABLE t0(c0 INTEGER COLLATE BINARY, c1 NUMERIC);
CREATE TABLE t2(c0 NUMERIC, c1 REAL COLLATE RTRIM, c2 VARCHAR(10), c3);
INSERT INTO t0 VALUES('a%', x'41');
SELECT (sign(c1) IN (SELECT s1.c2 FROM t2 AS s1 WHERE ((c0 == 'B')) AND s1.c2 = t0.c1)) FROM t0;
SELECT NULL IN (SELECT 1 WHERE 0), NULL IN (SELECT 1), NULL NOT IN (SELECT 1 WHERE 0);

-- case: numeric-affinity-compare-of-two-texts (seed 96)
CREATE TABLE t0(c0 INT, c1 BLOB, c2 TEXT COLLATE RTRIM);
INSERT INTO t0 VALUES('', '1e2', 3.0);
SELECT c1 > c0, c1 < c0, max(DISTINCT (c1 > c0)) FROM t0;
SELECT c0, max(DISTINCT (c1 > c0)) FROM t0 GROUP BY c0;

-- case: bare-columns-follow-min-max (seed 64)
CREATE TABLE t2(c0 INT, c1 BLOB, c2 NUMERIC);
INSERT INTO t2 VALUES(0, -1, NULL);
INSERT INTO t2 VALUES(1, -1, NULL);
SELECT c0, c2, max(c2) FROM t2 GROUP BY c0, c2;
SELECT c0, c2, max(c2) FROM t2;
INSERT INTO t2 VALUES(2, 5, 4);
INSERT INTO t2 VALUES(3, 5, NULL);
INSERT INTO t2 VALUES(4, 5, 3);
SELECT c0, count(c2), min(c2) FROM t2;
SELECT c0, min(DISTINCT c1), count(*) FROM t2;
SELECT c0, max(c2), min(c2) FROM t2;

-- case: compound-order-by-keeps-values (seed 197)
CREATE TABLE t0(c0 REAL, c1 INTEGER COLLATE RTRIM);
CREATE TABLE t1(c0 REAL, c1 REAL);
INSERT INTO t1 VALUES(-1, 8);
INSERT INTO t1 VALUES(NULL, 'Abc');
INSERT INTO t0 VALUES(2, 3);
SELECT c1, c0 FROM t0 UNION SELECT (c1 - 8), 9 FROM t1 WHERE (c1 << c1) ORDER BY 1, 2;
SELECT c0 FROM t0 UNION ALL SELECT 9 FROM t1 ORDER BY 1;

-- case: covering-index-scan-choice (seed 117)
CREATE TABLE t0(c0 INTEGER PRIMARY KEY, c1 BLOB);
CREATE INDEX i0 ON t0(c1);
INSERT INTO t0 VALUES(7, 'B');
INSERT INTO t0 VALUES(NULL, -4);
SELECT substr((c0 <= c1), (3 IS 'b'), count(5)) FROM t0 WHERE CAST(100.0 AS NUMERIC);

-- case: view-missing-table-message (seed 341)
CREATE TABLE t0(c0, c2);
CREATE VIEW v0 AS SELECT c0 FROM t0 WHERE c2;
DROP TABLE t0;
SELECT (c0 || c0), (c0 | c0) FROM v0 ORDER BY 1 DESC, 2 DESC LIMIT 4;

-- case: text-that-is-not-utf8 (seed 146)
CREATE TABLE t0(c0 INTEGER PRIMARY KEY, c1 TEXT);
INSERT INTO t0 VALUES('10', x'ff01');
SELECT upper(c1), (c0 || c0) FROM t0;
SELECT hex(c1 || ''), length(c1 || '') FROM t0;
INSERT INTO t0 SELECT 11, CAST(c1 AS TEXT) FROM t0;

-- case: unique-violation-reported-newest-index-first (seed 1612)
CREATE TABLE t0(c0 REAL, c1 INT, c2 INTEGER);
CREATE UNIQUE INDEX i0 ON t0(c1 DESC);
CREATE UNIQUE INDEX i1 ON t0(c2);
INSERT INTO t0 VALUES(-2.25, 3.0, ' x');
INSERT INTO t0 VALUES('Abc', 1, 'b');
INSERT INTO t0 VALUES(8, 3, 'b');

-- case: or-replace-error-keeps-earlier-rows (seed 1108)
CREATE TABLE t1(c0 INTEGER PRIMARY KEY, c1 INT);
INSERT INTO t1 VALUES('-3', 9);
INSERT INTO t1 VALUES(6, 'a');
UPDATE OR REPLACE t1 SET c0 = c1 WHERE c0;

-- case: compound-order-by-keeps-first-of-equal-rows (seed 241)
CREATE TABLE t0(c0 TEXT, c1 BLOB, c2 REAL);
CREATE TABLE t1(c0, c1 REAL);
INSERT INTO t1 VALUES('1e2', 11);
INSERT INTO t1 VALUES(4, -4);
SELECT (c0 / c0), (NULL IS c0) FROM t1 WHERE ((c1 | c1) >> (-0.5 AND c0)) EXCEPT SELECT (NULL != c0), (NULL == c1) FROM t0 WHERE (unicode(c1) NOT BETWEEN (c1 - c1) AND -3) UNION ALL SELECT (c0 BETWEEN -5 AND c1), (c2 IS NOT c0) FROM t0 WHERE c2 ORDER BY 1, 2;

-- case: left-join-null-rowid-in-list (seed 654)
CREATE TABLE t0(c0, c1 TEXT, c2 VARCHAR(10), c3 VARCHAR(10));
CREATE TABLE t2(c0 INTEGER PRIMARY KEY, c1);
INSERT INTO t0 VALUES(10, 'a%', 10, 3);
SELECT (t2.c0 NOT IN (1.5, x'00', x'', 10)), t2.c0 IN (1, 2), t2.rowid IN (1, 2) FROM t0 LEFT OUTER JOIN t2 ON t0.c2 ORDER BY 1 DESC;

-- case: replace-with-leading-nul-pattern (seed 1893)
CREATE TABLE t2(c0 REAL, c1 INT);
INSERT INTO t2 VALUES(x'00', 12);
SELECT (replace(c1, (c0 || c0), (c1 == NULL)) & 9) FROM t2;
SELECT replace(12, x'0000', NULL), replace(1, x'00', NULL), replace(x'41', '', 'x');

-- case: covering-index-in-join (seed 1975)
CREATE TABLE t0(c0 INTEGER PRIMARY KEY, c1 TEXT COLLATE NOCASE);
CREATE TABLE t1(c0 BLOB COLLATE RTRIM, c1 VARCHAR(10), c2, c3 INT COLLATE RTRIM);
CREATE INDEX i2 ON t1(c1, c3);
INSERT INTO t0 VALUES(8, NULL);
INSERT INTO t1 VALUES(9, '2.5', -5, 12);
INSERT INTO t1 VALUES(x'ff01', -2, '1e2', ' x');
SELECT +nullif((t1.c1 / t1.c1), NULL) FROM t0 CROSS JOIN t1 ORDER BY 1 ASC;

-- case: correlated-subquery-in-on-with-index (seed 161)
CREATE TABLE t0(c0 REAL, c1 BLOB, c2 VARCHAR(10), c3 INTEGER COLLATE BINARY);
CREATE TABLE t1(c0 TEXT, c1 VARCHAR(10), c2 INTEGER);
CREATE INDEX i0 ON t1(c1, c0);
INSERT INTO t0 VALUES(12, 0.5, NULL, 10);
INSERT INTO t1 VALUES(9, 7, NULL);
SELECT t0.c3 FROM t0 JOIN t1 ON (t1.c1 IN (SELECT s2.c1 FROM t0 AS s2 WHERE (c3) AND s2.c0 = t1.c2)) ORDER BY 1 DESC;

-- case: left-column-collation-wins (seed 5038)
CREATE TABLE t1(c0 BLOB COLLATE NOCASE, c1 TEXT, c2 REAL, c3 NUMERIC);
INSERT INTO t1 VALUES('B', 'a', 100.0, x'ff01');
SELECT (c1 > c0), (c0 < c1), +c1 > c0, c1 IN (SELECT c0 FROM t1) FROM t1;

-- case: function-call-means-statement-journal (seed 5417)
CREATE TABLE t1(c0 INTEGER PRIMARY KEY, c1 NUMERIC, c2, c3 INT);
INSERT INTO t1 VALUES(10, x'41', '1e2', x'');
INSERT INTO t1 VALUES(11, x'', 'zz', x'');
UPDATE OR IGNORE t1 SET c0 = (CASE WHEN c2 THEN c0 WHEN NULL THEN c2 END <= ('2.5' GLOB 'a%')) WHERE ~c2;
UPDATE OR IGNORE t1 SET c0 = (CASE WHEN c2 THEN c0 END <= 0);

-- case: compound-missing-table-reported-rightmost-first (seed 9194)
CREATE TABLE t2(c0);
SELECT 1 FROM t0 UNION ALL SELECT 2 FROM t1 ORDER BY 1;
SELECT 1 FROM t0 UNION SELECT 2 FROM t2;

-- case: compound-set-collation-from-leftmost-column (seed 84)
CREATE TABLE t2(c0 VARCHAR(10) COLLATE NOCASE, c1 NUMERIC);
INSERT INTO t2 VALUES('B', 9);
INSERT INTO t2 VALUES('1e2', 'b');
SELECT CASE WHEN c0 THEN c1 WHEN c1 THEN c0 ELSE -2.25 END FROM t2 WHERE CAST(8 AS TEXT) EXCEPT SELECT c0 FROM t2 WHERE ((c1 IS NULL) = +c0) UNION SELECT 'x';

-- case: cte-column-without-affinity (seed 12263)
CREATE TABLE t0(c0 INTEGER PRIMARY KEY, c1 REAL, c2 TEXT);
INSERT INTO t0 VALUES(10, -5, 3);
WITH RECURSIVE cq(x0) AS (SELECT 2 UNION SELECT x0 + 1 FROM cq WHERE x0 < 5) SELECT x0 FROM cq WHERE NOT EXISTS (SELECT 1 FROM t0 AS s2 WHERE s2.c2 = cq.x0);
SELECT x0 FROM (SELECT 3 AS x0) AS cq WHERE EXISTS (SELECT 1 FROM t0 AS s2 WHERE s2.c2 = cq.x0);

-- case: full-join-left-rowid-can-be-null (seed 75)
CREATE TABLE t1(c0 INTEGER PRIMARY KEY, c1 VARCHAR(10), c2 NUMERIC, c3 INT);
CREATE TABLE t2(c0 INTEGER PRIMARY KEY, c1 NUMERIC COLLATE RTRIM);
INSERT INTO t1 VALUES(11, -2.25, 1, 12);
SELECT count((t2.c0 IN (0.125))), t2.c0 IN (1, 2) FROM t2 FULL JOIN t1 ON 1;
SELECT t2.c0 IN (1, 2), t2.rowid NOT IN (3, 4) FROM t2 RIGHT JOIN t1 ON 1;

-- case: inner-join-on-after-full-join-filters-null-extended-rows (seed 9101)
CREATE TABLE t0(c0 REAL, c1 BLOB);
CREATE TABLE t1(c0 BLOB, c1 INTEGER);
INSERT INTO t0 VALUES(-2.25, x'41');
INSERT INTO t1 VALUES(NULL, 0.125);
CREATE VIEW v0 AS SELECT c0, c1 FROM t0 WHERE c1;
SELECT t1.c1, t0.c0 FROM v0 FULL JOIN t0 ON (v0.c0 = t0.c0) JOIN t1 ON v0.c1 WHERE t0.c0;
SELECT t0.c0 FROM t1 RIGHT JOIN t0 ON t1.c0 = t0.c0 JOIN t1 AS t2 ON t1.c1 IS NULL;

-- case: where-after-right-join-in-group (seed 9364)
CREATE TABLE t0(c0 REAL, c1 INTEGER, c2 REAL);
CREATE TABLE t1(c0 NUMERIC, c1 INT, c2);
CREATE TABLE t2(c0 NUMERIC, c1 INTEGER, c2 NUMERIC, c3 VARCHAR(10));
INSERT INTO t0 VALUES(6, 'a%', -0.5);
INSERT INTO t1 VALUES(8, NULL, NULL);
INSERT INTO t1 VALUES(NULL, '-3', 100.0);
CREATE VIEW v0 AS SELECT c0, c1, c2 FROM t1 WHERE c0;
SELECT t0.c1, t0.c2, count((t0.c2 < t1.c1)) FROM t1 LEFT OUTER JOIN t2 ON ((t1.c2 >> t1.c1) % t2.c3) RIGHT JOIN v0 ON v0.c2 JOIN t0 ON ((t2.c3 != t2.c3) != ('10' <= 0)) WHERE (v0.c0 % (SELECT sum(s2.c1) FROM t1 AS s2 WHERE (c2))) GROUP BY t0.c1, t0.c2;

-- case: subquery-on-left-of-full-join-not-rechecked (seed 9524)
CREATE TABLE t0(c0 COLLATE NOCASE, c1 INTEGER);
CREATE TABLE t1(c0 TEXT, c1 TEXT);
INSERT INTO t0 VALUES(-4, 3);
CREATE VIEW v0 AS SELECT c0 FROM t0 WHERE 0;
WITH cq(x0) AS (SELECT c0 FROM v0 WHERE -2) SELECT v0.c0, cq.x0, (cq.x0 IS NULL) FROM cq JOIN t1 ON (EXISTS (SELECT 1 FROM t1 AS s2 WHERE s2.c0 = cq.x0)) LEFT JOIN v0 ON 1 FULL JOIN t0 ON 1;

-- case: rowid-range-bound-reading-a-later-table-through-in (seed 56074)
CREATE TABLE t0(c0 INTEGER PRIMARY KEY, c1, c2 VARCHAR(10), c3 TEXT);
CREATE INDEX i0 ON t0(c3, c2);
CREATE TABLE t1(c0 TEXT, c1 INT, c2 TEXT);
CREATE TABLE t2(c0 INTEGER PRIMARY KEY, c1 BLOB);
INSERT INTO t1 VALUES(0.125, 1, 9);
INSERT INTO t2 VALUES(1, 'x'), (5, 'y');
INSERT INTO t0 VALUES(1, 2, 'a', 'b'), (2, 3, '', 'c');
SELECT t1.c0, t2.c0, t0.c0 FROM t1 CROSS JOIN t2, t0 WHERE (t2.c0 > (t0.c2 NOT IN (NULL, '')));
SELECT t1.c0, t2.c0, t0.c0 FROM t1 CROSS JOIN t2, t0 WHERE t2.c0 > (t0.c2 IN ('a', 'b'));
