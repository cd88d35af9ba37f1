"""Every statement of the shared corpus that SQLite's parser accepts parses here.

Statements come from the sqllogictest files (``slt/**/*.test``) and the
``.sqltest`` cases.  SQLite's verdict is taken by compiling ``EXPLAIN <sql>``
against an empty database: a semantic error ("no such table") means the
syntax was fine.  When SQLite's own parser refuses a statement, Pyrite must
refuse it with the same message.  Statements are deduplicated and sampled
(every other one) to keep the run short.
"""

from __future__ import annotations

import sqlite3
import sys
import pathlib

import pytest

from pyrite.errors import Error
from pyrite.sql.parser import parse_one

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from corpus_util import (  # noqa: E402
    slt_statements, sqlite_verdict, sqltest_statements,
)


def _statements(corpus: pathlib.Path) -> list[str]:
    stmts: list[str] = []
    for path in sorted(corpus.glob("slt/**/*.test")):
        stmts += slt_statements(path)
    for path in sorted(corpus.glob("sqltest/**/*.sqltest")):
        stmts += sqltest_statements(path)
    return sorted(set(stmts))[::2]


def test_corpus_statements_parse(corpus: pathlib.Path) -> None:
    stmts = _statements(corpus)
    assert len(stmts) > 1000
    con = sqlite3.connect(":memory:")
    rejected: list[tuple[str, str]] = []
    mismatched: list[tuple[str, str, str | None]] = []
    checked = 0
    for sql in stmts:
        verdict = sqlite_verdict(con, sql)
        if verdict == "multiple":
            continue
        if verdict is None and sql.lstrip()[:6].upper() == "CREATE" and "TRIGGER" in sql.upper()[:60]:
            # SQLite looks the trigger's table up before parsing the body, so
            # "no such table" says nothing about the body's syntax.
            continue
        try:
            ps = parse_one(sql)
            mine = None
            if ps is None or sql[ps.tail:].strip(" \t\n;"):
                continue  # several statements in one record
        except Error as exc:
            mine = str(exc)
        checked += 1
        if verdict is None and mine is not None:
            rejected.append((sql, mine))
        elif verdict is not None and mine != verdict:
            mismatched.append((sql, verdict, mine))
    assert checked > 1000
    assert rejected == []
    assert mismatched == []
