"""VDBE: EXPLAIN against sqlite3, the step/IO contract, and hand-built programs."""

from __future__ import annotations

import sqlite3

import pytest

from pyrite import errors
from pyrite.compile.builder import ProgramBuilder
from pyrite.engine import Database
from pyrite.io.memory import MemoryBackend
from pyrite.io.testing import PendingBackend
from pyrite.vdbe import opcodes
from pyrite.vdbe.explain import comment
from pyrite.vdbe.vm import VM, StepResult


def _rows(db: Database, sql: str) -> list[tuple]:
    stmt, _ = db.prepare(sql)
    out = []
    while stmt.step() == StepResult.ROW:
        out.append(stmt.row())
    stmt.finalize()
    return out


def test_explain_hello_world_matches_sqlite() -> None:
    sql = "EXPLAIN SELECT 'hello, world'"
    theirs = sqlite3.connect(":memory:").execute(sql).fetchall()
    mine = _rows(Database(":memory:"), sql)
    assert mine == theirs
    assert [r[1] for r in mine] == ["Init", "String8", "ResultRow", "Halt", "Goto"]


@pytest.mark.parametrize("sql", [
    "SELECT 1 + 2",
    "SELECT * FROM t",
    "SELECT a, b FROM t LIMIT 3",
])
def test_explain_opcode_names_match_sqlite(sql: str) -> None:
    ddl = "CREATE TABLE t(a, b)"
    con = sqlite3.connect(":memory:")
    con.execute(ddl)
    theirs = [r[1] for r in con.execute("EXPLAIN " + sql)]
    db = Database(":memory:")
    _rows(db, ddl)
    mine = [r[1] for r in _rows(db, "EXPLAIN " + sql)]
    assert mine == theirs


def test_program_arithmetic_and_comparison() -> None:
    b = ProgramBuilder()
    end = b.label()
    b.emit("Init", 0, 1)
    b.emit("Integer", 7, 1)
    b.emit("Integer", 5, 2)
    b.emit("Subtract", 2, 1, 3)          # r3 = r1 - r2 = 2
    b.emit("Multiply", 3, 3, 4)          # r4 = 4
    b.emit("Lt", 4, end, 3)              # if r3 < r4 goto end
    b.emit("Integer", 99, 3)
    b.resolve(end)
    b.emit("ResultRow", 3, 2)
    b.emit("Halt")
    vm = VM(b.finish(), Database(":memory:"))
    assert vm.step() == StepResult.ROW
    assert vm.row() == (2, 4)
    assert vm.step() == StepResult.DONE


def test_halt_with_error_raises_constraint() -> None:
    b = ProgramBuilder()
    b.emit("Init", 0, 1)
    b.emit("Halt", errors.SQLITE_CONSTRAINT_NOTNULL, 2, 0, "t.a", 1)
    vm = VM(b.finish(), Database(":memory:"))
    with pytest.raises(errors.IntegrityError, match="NOT NULL constraint failed: t.a") as info:
        vm.step()
    assert info.value.sqlite_errorname == "SQLITE_CONSTRAINT_NOTNULL"


def test_coroutine_yields_values() -> None:
    b = ProgramBuilder()
    b.emit("Init", 0, 1)
    co = b.label()
    done = b.label()
    body = b.label()
    b.emit("InitCoroutine", 1, body, 0)
    # coroutine: yields 1, 2, 3
    start = b.current_addr()
    b.change_p3(start - 1, start)
    for v in (1, 2, 3):
        b.emit("Integer", v, 2)
        b.emit("Yield", 1)
    b.emit("EndCoroutine", 1)
    b.resolve(body)
    b.resolve(co)
    loop = b.current_addr()
    b.emit("Yield", 1, done)
    b.emit("ResultRow", 2, 1)
    b.emit("Goto", 0, loop)
    b.resolve(done)
    b.emit("Halt")
    vm = VM(b.finish(), Database(":memory:"))
    out = []
    while vm.step() == StepResult.ROW:
        out.append(vm.row()[0])
    assert out == [1, 2, 3]


def test_pending_io_makes_step_answer_io_and_completes() -> None:
    inner = MemoryBackend()
    writer = Database("/db", backend=inner)
    _rows(writer, "CREATE TABLE t(a, b)")
    _rows(writer, "INSERT INTO t SELECT 1, 'x' UNION ALL SELECT 2, 'y' UNION ALL SELECT 3, 'z'")
    for i in range(300):
        _rows(writer, f"INSERT INTO t VALUES({i + 10}, '{'p' * 200}')")
    writer.close()
    backend = PendingBackend(inner)
    db = Database("/db", backend=backend)
    stmt, _ = db.prepare("SELECT a FROM t WHERE a < 5 OR a > 305 ORDER BY a")
    results = []
    ios = 0
    for _ in range(10000):
        r = stmt.step_async()
        if r == StepResult.IO:
            ios += 1
            assert backend.complete_all() >= 1
            continue
        if r == StepResult.ROW:
            results.append(stmt.row()[0])
            continue
        break
    assert ios > 0
    assert results == [1, 2, 3, 306, 307, 308, 309]


def test_opcode_table_is_consistent() -> None:
    opcodes._load()
    names = [s.name for s in opcodes.SPECS]
    assert len(names) == len(set(names))
    for i, spec in enumerate(opcodes.SPECS):
        assert spec.number == i
        assert opcodes.HANDLERS[i] is spec.handler
    b = ProgramBuilder()
    b.emit("Add", lhs=1, rhs=2, dest=3)
    ins = b.instructions[0]
    assert (ins.p1, ins.p2, ins.p3) == (1, 2, 3)
    assert comment(ins) == "r[3]=r[1]+r[2]"


def test_step_answers_busy_then_succeeds_after_the_lock_is_released(tmp_path) -> None:
    import subprocess
    import sys

    path = str(tmp_path / "busy.db")
    setup = sqlite3.connect(path)
    setup.execute("CREATE TABLE t(a)")
    setup.commit()
    setup.close()
    db = Database(path)
    stmt2, _ = db.prepare("SELECT count(*) FROM sqlite_schema")
    # POSIX locks belong to a process: the lock holder must be another process.
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys\n"
         f"c = sqlite3.connect({path!r}, isolation_level=None)\n"
         "c.execute('BEGIN EXCLUSIVE')\n"
         "c.execute('INSERT INTO t VALUES(1)')\n"
         "print('locked', flush=True)\n"
         "sys.stdin.readline()\n"
         "c.execute('COMMIT')\n"
         "print('done', flush=True)\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        db.set_busy_timeout(0)
        assert stmt2._vm.step() == StepResult.BUSY
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "done"
        assert stmt2._vm.step() == StepResult.ROW
        assert stmt2._vm.row() == (1,)
    finally:
        holder.kill()
        holder.wait()


def test_step_answers_interrupt() -> None:
    db = Database(":memory:")
    _rows(db, "CREATE TABLE t(a)")
    _rows(db, "INSERT INTO t VALUES(1),(2),(3)")
    stmt, _ = db.prepare("SELECT a FROM t")
    vm = stmt._vm
    assert vm.step() == StepResult.ROW
    db.interrupted = True
    assert vm.step() == StepResult.INTERRUPT
    db.interrupted = False
