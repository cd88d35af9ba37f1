"""Programs whose loops each visit a whole table (Program.whole_table_loops:
integrity_check, CREATE INDEX, REINDEX) have the compiled
executor compile those loops after jit.WHOLE_TABLE_RUNS runs, not when a
loop of unknown length would have paid for its compilation; other programs
keep the usual estimate.  Results and files compared with sqlite3."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

import pyrite
from pyrite.vdbe import jit

SETUP = ("CREATE TABLE t(a INTEGER, b TEXT, c);"
         "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 60) "
         "INSERT INTO t SELECT x % 37, 'v' || (x % 11), x FROM s;")

STATEMENTS = [
    ("CREATE INDEX ta ON t(a, b)", True),
    ("CREATE UNIQUE INDEX tc ON t(c)", True),
    ("REINDEX ta", True),
    ("ANALYZE", False),         # (one StatIndex per index: no loop)
    ("PRAGMA integrity_check", True),
    ("SELECT count(*), sum(length(b)) FROM t WHERE c > 0", False),
]


@pytest.fixture
def compiled() -> Iterator[None]:
    saved = jit.set_mode("compiled")
    yield
    jit.set_mode(saved)


def test_whole_table_loops_compile_early_and_agree(tmp_path, monkeypatch, compiled) -> None:
    regions: dict[str, list] = {}
    compile_region = jit.ProgramJit.compile_region

    def spy(self, start, end):
        regions.setdefault(self.program.sql, []).append(getattr(self.program, "whole_table_loops", None))
        return compile_region(self, start, end)

    monkeypatch.setattr(jit.ProgramJit, "compile_region", spy)
    out = []
    for name, mod in (("ref", sqlite3), ("mine", pyrite)):
        path = tmp_path / f"{name}.db"
        con = mod.connect(str(path), isolation_level=None)
        con.executescript(SETUP)
        rows = []
        for sql, _ in STATEMENTS:
            rows.append(con.execute(sql).fetchall())
        rows.append(con.execute("SELECT * FROM sqlite_stat1 ORDER BY idx").fetchall())
        con.close()
        check = sqlite3.connect(str(path))
        rows.append(check.execute("PRAGMA integrity_check").fetchall())
        check.close()
        out.append(rows)
    assert out[1] == out[0]
    # 60 rows: the usual estimate would not compile these loops at all
    # (they pay off after a hundred runs or more); early, they are.
    for sql, whole in STATEMENTS:
        if whole:
            assert regions.get(sql) and all(regions[sql]), sql
        else:
            assert not any(regions.get(sql, [])), sql


def test_short_tables_stay_interpreted(tmp_path, monkeypatch, compiled) -> None:
    """Fewer rows than WHOLE_TABLE_RUNS: nothing is compiled."""
    calls = []
    monkeypatch.setattr(jit.ProgramJit, "compile_region",
                        lambda self, start, end: calls.append(self.program.sql))
    con = pyrite.connect(str(tmp_path / "s.db"), isolation_level=None)
    con.execute("CREATE TABLE t(a, b)")
    con.executemany("INSERT INTO t VALUES (?, ?)", [(i, str(i)) for i in range(jit.WHOLE_TABLE_RUNS - 2)])
    con.execute("CREATE INDEX ta ON t(a)")
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert calls == []
    con.close()
