"""Identifiers compare as SQLite compares them: ASCII letters without case,
every other character exactly (sqlite3StrICmp), so "É" and "é" are two
names while "Abc" and "aBC" are one."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite

SCRIPT = [
    "CREATE TABLE É(x)",
    "CREATE TABLE é(y)",
    "CREATE TABLE Straße(ÄÖ, äö)",
    "INSERT INTO É VALUES (1)",
    "INSERT INTO é VALUES (2)",
    "INSERT INTO STRAßE VALUES (3, 4)",
    "SELECT * FROM É",
    "SELECT * FROM é",
    "SELECT ÄÖ, äö FROM straße",
    "SELECT äö FROM STRASSE",
    "SELECT Äö FROM straße",
    "CREATE INDEX Ïdx ON é(y)",
    "CREATE INDEX ïdx ON É(x)",
    "SELECT name FROM sqlite_master ORDER BY name",
    "DROP INDEX ÏDX",
    "DROP INDEX Ïdx",
    "CREATE VIEW Vé AS SELECT y FROM é",
    "SELECT * FROM vé",
    "SELECT * FROM VÉ",
    "WITH Ç(a) AS (SELECT 1) SELECT * FROM ç",
    "WITH Ç(a) AS (SELECT 1) SELECT * FROM Ç",
    "SELECT é.y FROM é AS É",
    "SELECT É.y FROM é AS É",
    "ALTER TABLE é RENAME TO Ü",
    "SELECT * FROM ü",
    "SELECT * FROM Ü",
    "REINDEX É",
    "REINDEX ë",
    "PRAGMA table_info(straße)",
    "PRAGMA table_info(STRASSE)",
]


def _outcome(con, sql: str):
    try:
        return ("rows", con.execute(sql).fetchall())
    except Exception as e:  # noqa: BLE001 - the error is the outcome
        return ("error", type(e).__name__, str(e))


@pytest.fixture(scope="module")
def outcomes():
    mine, theirs = pyrite.connect(":memory:"), sqlite3.connect(":memory:")
    return [(sql, _outcome(mine, sql), _outcome(theirs, sql)) for sql in SCRIPT]


@pytest.mark.parametrize("i", range(len(SCRIPT)))
def test_identifier_case_matches_sqlite(outcomes, i: int) -> None:
    sql, mine, theirs = outcomes[i]
    assert mine == theirs, sql


def test_collation_names_fold_ascii_only() -> None:
    """Collation names compare like identifiers; a dropped ORDER BY still
    names an existing collation where SQLite builds its sort key."""
    queries = ["SELECT x FROM t ORDER BY x COLLATE çol", "SELECT x FROM t ORDER BY x COLLATE ÇOL",
               "SELECT x FROM t ORDER BY x COLLATE cOL2", "SELECT 1 ORDER BY 1 COLLATE nosuch",
               "SELECT count(*) FROM t ORDER BY 1 COLLATE nosuch",
               "SELECT name FROM pragma_collation_list ORDER BY name"]
    seen = []
    for module in (pyrite, sqlite3):
        con = module.connect(":memory:")
        con.create_collation("Çol", lambda a, b: 0)
        con.create_collation("Col2", lambda a, b: 0)
        con.execute("CREATE TABLE t(x)")
        seen.append([_outcome(con, q) for q in queries])
    assert seen[0] == seen[1]
