"""ANALYZE writes the same sqlite_stat1 rows as stdlib sqlite3 (SQLite 3.40),
in the same order (SQLite visits tables in its name-hash order).
"""

from __future__ import annotations

import random
import sqlite3

import pytest

import pyrite

SCHEMA = """
CREATE TABLE n(x); INSERT INTO n VALUES (1), (2), (3);
CREATE TABLE e(x); CREATE INDEX ei ON e(x);
CREATE TABLE pi(x, y); CREATE INDEX pp ON pi(x) WHERE x > 100;
INSERT INTO pi VALUES (1, 1), (2, 2);
CREATE TABLE pi2(x, y); CREATE INDEX pp2 ON pi2(x) WHERE x > 1; CREATE INDEX pq ON pi2(y);
INSERT INTO pi2 VALUES (1, 1), (2, 2), (3, 3);
CREATE TABLE nl(x, y); CREATE INDEX nli ON nl(x, y);
INSERT INTO nl VALUES (NULL, NULL), (NULL, NULL), (1, NULL), (1, NULL);
CREATE TABLE co(x COLLATE NOCASE); CREATE INDEX coi ON co(x);
INSERT INTO co VALUES ('a'), ('A'), ('b');
CREATE TABLE big(x); CREATE INDEX bigi ON big(x);
CREATE TABLE v1(x);
CREATE VIEW vw AS SELECT 1;
CREATE TABLE t(a INTEGER PRIMARY KEY, b, c, d);
CREATE INDEX tb ON t(b); CREATE INDEX tbc ON t(b, c); CREATE UNIQUE INDEX tcd ON t(c, d);
CREATE INDEX texpr ON t(b + c, d DESC);
CREATE TABLE p(x, y, PRIMARY KEY(x, y)); INSERT INTO p VALUES (1, 1), (1, 2), (2, 1);
CREATE TABLE mx(x, y); CREATE INDEX mxi ON mx(x, y);
INSERT INTO mx VALUES (1, 'a'), (1.0, 'a'), ('1', 'a'), (x'31', 'a'), (x'31', 'a'),
    (2, NULL), (2.0, NULL), ('b', 'B'), ('b', 'b'), (NULL, 1), (NULL, 1.0);
"""

STAT = "SELECT rowid, tbl, idx, stat, typeof(stat) FROM sqlite_stat1"


def _db(mod):
    con = mod.connect(":memory:", isolation_level=None)
    con.executescript(SCHEMA)
    con.executemany("INSERT INTO big VALUES (?)", [(i // 2,) for i in range(21)])
    con.executemany("INSERT INTO v1 VALUES (?)", [(i,) for i in range(10)])
    rng = random.Random(1)
    con.executemany("INSERT INTO t(b, c, d) VALUES (?, ?, ?)",
                    [(rng.randint(0, 5), rng.randint(0, 30), i) for i in range(100)])
    return con


def _run(con, mod, statements):
    out = []
    for sql in statements:
        try:
            out.append(con.execute(sql).fetchall())
        except mod.Error as exc:
            out.append((type(exc).__name__, str(exc)))
    return out


def _both(statements):
    return [_run(_db(mod), mod, statements) for mod in (pyrite, sqlite3)]


def test_full_analyze_matches_sqlite():
    mine, ref = _both(["ANALYZE", STAT,
                       "SELECT sql FROM sqlite_schema WHERE name = 'sqlite_stat1'"])
    assert mine == ref
    assert ("t", "tbc", "100 17 2", "text") in [row[1:] for row in mine[1]]


@pytest.mark.parametrize("target", ["t", "main.t", "tb", "tcd", "main", "n", "vw", "pi",
                                    "sqlite_schema", "sqlite_master", "sqlite_stat1"])
def test_partial_analyze_replaces_only_its_rows(target):
    mine, ref = _both(["ANALYZE", "DELETE FROM sqlite_stat1 WHERE tbl IN ('n', 'pi')",
                       "UPDATE sqlite_stat1 SET stat = 'x' WHERE tbl = 't'",
                       f"ANALYZE {target}", STAT])
    assert mine == ref


@pytest.mark.parametrize("sql", ["ANALYZE nosuch", "ANALYZE main.nosuch", "ANALYZE bogus.t",
                                 "ANALYZE temp.t"])
def test_analyze_errors_match_sqlite(sql):
    mine, ref = _both([sql])
    assert mine == ref
    assert isinstance(mine[0], tuple)


def test_analyze_creates_stat1_on_empty_database_and_drop_works():
    for mod in (pyrite, sqlite3):
        con = mod.connect(":memory:", isolation_level=None)
        con.execute("ANALYZE")
        assert con.execute("SELECT name FROM sqlite_schema").fetchall() == [("sqlite_stat1",)]
        con.execute("DROP TABLE sqlite_stat1")
        with pytest.raises(mod.OperationalError, match="no such table: sqlite_stat1"):
            con.execute("SELECT * FROM sqlite_stat1")
        with pytest.raises(mod.OperationalError,
                           match="object name reserved for internal use: sqlite_stat1"):
            con.execute("CREATE TABLE sqlite_stat1(a)")


def test_existing_stat_tables_are_kept_and_readable(tmp_path):
    """Files SQLite analysed (stat1 and hand-made stat4 rows) still query
    normally, and a full ANALYZE empties sqlite_stat4 as SQLite does."""
    path = str(tmp_path / "s.db")
    ref = sqlite3.connect(path)
    ref.executescript("""
        CREATE TABLE t(a, b); CREATE INDEX ta ON t(a);
        INSERT INTO t VALUES (1, 'x'), (2, 'y'), (2, 'z');
        ANALYZE;
        CREATE TABLE xstat4(tbl,idx,neq,nlt,ndlt,sample);
        INSERT INTO xstat4 VALUES ('t', 'ta', '1 1', '0 0', '0 0', x'');
        PRAGMA writable_schema = ON;
        UPDATE sqlite_schema SET name = 'sqlite_stat4', tbl_name = 'sqlite_stat4',
            sql = replace(sql, 'xstat4', 'sqlite_stat4') WHERE name = 'xstat4';
    """)
    ref.commit()
    ref.close()
    con = pyrite.connect(path, isolation_level=None)
    assert con.execute("SELECT b FROM t WHERE a = 2 ORDER BY b").fetchall() == [("y",), ("z",)]
    assert con.execute("SELECT * FROM sqlite_stat1").fetchall() == [("t", "ta", "3 2")]
    con.execute("INSERT INTO t VALUES (3, 'w')")
    con.execute("ANALYZE")
    assert con.execute("SELECT * FROM sqlite_stat1").fetchall() == [("t", "ta", "4 2")]
    assert con.execute("SELECT count(*) FROM sqlite_stat4").fetchall() == [(0,)]
    con.close()
    ref = sqlite3.connect(path)
    assert ref.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_analyze_inside_transaction_rolls_back():
    for mod in (pyrite, sqlite3):
        con = _db(mod)
        con.execute("BEGIN")
        con.execute("ANALYZE")
        con.execute("ROLLBACK")
        assert con.execute("SELECT count(*) FROM sqlite_schema "
                           "WHERE name = 'sqlite_stat1'").fetchall() == [(0,)]


@pytest.mark.parametrize("extra", [5, 40])
def test_many_tables_keep_sqlite_row_order(extra):
    """Past 10 schema entries SQLite's hash uses buckets; the rows still come
    out in its order."""
    statements = []
    for i in range(extra):
        statements += [f"CREATE TABLE x{i}(a)", f"INSERT INTO x{i} VALUES ({i})"]
        if i % 7 == 3:
            statements.append(f"CREATE VIEW vx{i} AS SELECT 1")
    mine, ref = _both(statements + ["ANALYZE", STAT])
    assert mine == ref


def test_analyze_of_many_pages_matches_sqlite(tmp_path):
    """Indexes over many pages (entries on interior pages too, keys long
    enough to overflow that are not kept decoded): the counts over each
    leaf's records, then the entries between leaves, match sqlite3's, with
    BINARY and NOCASE columns."""
    rng = random.Random(7)
    rows = [(rng.randint(0, 40), rng.choice(["a", "A", "b", None, 1, 1.0, "x" * 3000]),
             "k%d" % rng.randint(0, 300), i) for i in range(3000)]
    out = []
    for mod in (pyrite, sqlite3):
        con = mod.connect(str(tmp_path / f"{mod.__name__}.db"), isolation_level=None)
        con.execute("PRAGMA page_size=1024")
        con.execute("CREATE TABLE w(a, b, c, d)")
        con.execute("CREATE INDEX wa ON w(a)")
        con.execute("CREATE INDEX wab ON w(a, b, c)")
        con.execute("CREATE INDEX wbn ON w(b COLLATE NOCASE, a)")
        con.execute("CREATE INDEX wc ON w(c)")
        con.executemany("INSERT INTO w VALUES (?, ?, ?, ?)", rows)
        con.execute("ANALYZE")
        out.append(con.execute(STAT).fetchall())
        con.close()
    assert out[0] == out[1]
