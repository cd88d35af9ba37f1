"""Smoke tests for the VDBE layer: builder labels and a hand-built program run by the VM."""

from __future__ import annotations

import pyrite.vdbe.ops.control  # noqa: F401  (registers handlers)
import pyrite.vdbe.ops.cursor  # noqa: F401
import pyrite.vdbe.ops.data  # noqa: F401
from pyrite.compile.builder import ProgramBuilder
from pyrite.vdbe.opcodes import SPECS
from pyrite.vdbe.vm import VM, StepResult


def test_opcode_table_has_core_names() -> None:
    names = {s.name for s in SPECS}
    for n in ("Init", "Goto", "Halt", "Integer", "Add", "ResultRow", "Column", "Next"):
        assert n in names


def test_add_program_returns_row() -> None:
    b = ProgramBuilder()
    b.alloc_register(3)
    end = b.label()
    b.emit("Init", 0, end)
    start = b.current_addr()
    b.emit("Integer", 2, 1)
    b.emit("Integer", 3, 2)
    b.emit("Add", 1, 2, 3)
    b.emit("ResultRow", 3, 1)
    b.emit("Halt")
    b.resolve(end)
    b.emit("Goto", 0, start)
    prog = b.finish()
    vm = VM(prog, None)
    assert vm.step() == StepResult.ROW
    assert vm.row() == (5,)
    assert vm.step() == StepResult.DONE


def test_opcode_docs_up_to_date() -> None:
    from pathlib import Path

    from pyrite.vdbe.opcodes import opcode_docs

    doc = Path(__file__).resolve().parents[2] / "docs" / "opcodes.md"
    assert doc.read_text() == opcode_docs()


def test_opcode_names_cover_sqlite_explain() -> None:
    import sqlite3

    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t(a PRIMARY KEY, b)")
    con.execute("CREATE INDEX i ON t(b)")
    seen = set()
    for q in ("SELECT * FROM t", "SELECT count(*), sum(a) FROM t GROUP BY b ORDER BY 1",
              "INSERT INTO t VALUES(1, 2)", "UPDATE t SET b=1 WHERE a>2",
              "DELETE FROM t WHERE b=3", "SELECT DISTINCT b FROM t LIMIT 3 OFFSET 1",
              "WITH r(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM r WHERE x<5) SELECT x FROM r"):
        seen.update(row[1] for row in con.execute("EXPLAIN " + q))
    assert seen - {s.name for s in SPECS} == set()
