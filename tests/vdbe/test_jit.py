"""The compiled executor (vdbe/jit.py): it must agree with the interpreter
and with sqlite3, resume exactly after pending I/O, and compile only what
runs often."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest

import pyrite
from pyrite.engine import Database
from pyrite.io.memory import MemoryBackend
from pyrite.io.testing import PendingBackend
from pyrite.vdbe import jit, opcodes
from pyrite.vdbe.vm import StepResult


@pytest.fixture
def mode() -> Iterator[object]:
    """Switch executors inside a test and restore the suite's afterwards."""
    saved = jit.MODE
    yield jit.set_mode
    jit.set_mode(saved)


SETUP = """
CREATE TABLE t(a INTEGER PRIMARY KEY, b, c TEXT, d REAL);
CREATE INDEX tb ON t(b);
CREATE TABLE u(x, y);
CREATE INDEX tc ON t(c);
CREATE INDEX uy ON u(y DESC);
CREATE TABLE log(k, v);
CREATE TRIGGER tu AFTER UPDATE ON t WHEN new.b % 3 = 0 BEGIN
  INSERT INTO log VALUES(new.a, new.b);
END;
"""

QUERIES = [
    "SELECT count(*), sum(b), min(c), max(d) FROM t WHERE b BETWEEN 3 AND 40",
    "SELECT a, b, c FROM t WHERE b < 10 ORDER BY b DESC, a LIMIT 7",
    "SELECT a + b, a - b, a * b, b * 9223372036854775807 FROM t WHERE a < 6",
    "SELECT a FROM t WHERE c > 'x5' AND c < 'x7' ORDER BY a",
    "SELECT a FROM t WHERE d >= 10.5 AND d < 12 ORDER BY a",
    "SELECT b, count(*) FROM t GROUP BY b HAVING count(*) > 2 ORDER BY b",
    "SELECT DISTINCT b % 5 FROM t ORDER BY 1",
    "SELECT x, y FROM u WHERE x IS NULL OR y IS NOT NULL ORDER BY x, y",
    "SELECT a, (SELECT count(*) FROM u WHERE u.x = t.b) FROM t WHERE a < 8",
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) "
    "SELECT sum(i), count(*) FROM n",
    "SELECT a FROM t WHERE b IN (SELECT x FROM u) ORDER BY a",
    "SELECT t.a, u.y FROM t JOIN u ON u.x = t.b WHERE t.a < 30 ORDER BY 1, 2",
    "SELECT a, sum(b) OVER (ORDER BY a ROWS 2 PRECEDING) FROM t WHERE a < 12",
    "SELECT CASE WHEN b > 5 THEN 'big' WHEN b IS NULL THEN 'none' ELSE 'small' END, "
    "count(*) FROM t GROUP BY 1 ORDER BY 1",
    "SELECT a FROM t WHERE b = 1 AND '3' = c ORDER BY a",
    "SELECT x < y, x = y, x > y, x IS y FROM u ORDER BY rowid",
    "SELECT a, c FROM t WHERE c BETWEEN 'x10' AND 'x13' ORDER BY c",
    "SELECT a FROM t WHERE c > 'x95' AND c <= 'x98' ORDER BY a",
    "SELECT y FROM u WHERE y > 2 AND y < 9 ORDER BY y",
    "SELECT count(*) FROM t WHERE b >= 40 AND b < 45",
]

WRITES = [
    "UPDATE t SET b = b + 1 WHERE a % 4 = 0",
    "DELETE FROM t WHERE b > 45",
    "INSERT INTO u SELECT b, c FROM t WHERE a < 5",
    "REPLACE INTO t(a, b, c, d) VALUES (3, 99, 'z', 1.0)",
]


def _fill(conn: object) -> None:
    conn.executescript(SETUP)  # type: ignore[attr-defined]
    rows = [(i, i % 47 if i % 11 else None, f"x{i}", i / 2) for i in range(1, 200)]
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)  # type: ignore[attr-defined]
    conn.executemany("INSERT INTO u VALUES (?, ?)",  # type: ignore[attr-defined]
                     [(1, 2), (3, 3), (None, 4), (5, None), ("7", 7), (2.5, "a"), (b"b", 9)])


def _run_all(conn: object) -> list[object]:
    out: list[object] = []
    for sql in WRITES:
        conn.execute(sql)  # type: ignore[attr-defined]
        for q in QUERIES:
            out.append(conn.execute(q).fetchall())  # type: ignore[attr-defined]
    out.append(conn.execute("SELECT * FROM log ORDER BY k").fetchall())  # type: ignore[attr-defined]
    return out


@pytest.mark.parametrize("executor", ["interp", "compiled", "eager", "loops"])
def test_executors_agree_with_sqlite3(mode: object, executor: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if executor == "loops":
        # Compile each loop on its first iteration and each loop-free program
        # on its first run: control passes between compiled loops and the
        # interpreter all the time.
        monkeypatch.setattr(jit, "COMPILE_COST", 1e-9)
        executor = "compiled"
    mode(executor)  # type: ignore[operator]
    want_conn = sqlite3.connect(":memory:")
    _fill(want_conn)
    want = _run_all(want_conn)
    conn = pyrite.connect(":memory:")
    _fill(conn)
    assert _run_all(conn) == want


def test_hot_loop_compiles_and_cold_code_stays_interpreted(mode: object) -> None:
    mode("compiled")  # type: ignore[operator]
    db = Database(":memory:")
    for sql in ("CREATE TABLE t(a, b)", "INSERT INTO t VALUES (1, 2)"):
        stmt, _ = db.prepare(sql)
        while stmt.step() == StepResult.ROW:
            pass
    stmt, _ = db.prepare("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                         "WHERE i < 5000) SELECT count(*) FROM n")
    assert stmt.step() == StepResult.ROW and stmt.row() == (5000,)
    state = jit.state_for(stmt.program)
    assert state.regions, "a loop of 5000 iterations is compiled"
    assert all(end - start < len(stmt.program.instructions) for start, end in state.regions)
    small, _ = db.prepare("SELECT a FROM t")
    assert small.step() == StepResult.ROW
    assert not jit.state_for(small.program).regions, "a one-row query stays interpreted"


def test_a_shape_compiled_before_is_compiled_whole_at_once(mode: object) -> None:
    """A program whose shape (SQL and instructions) had code compiled
    earlier in the process -- here on another connection -- is compiled
    whole on its first step; other programs still wait for their counters.
    The answers stay sqlite3's."""
    mode("compiled")  # type: ignore[operator]
    hot = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
           "SELECT count(*), sum(i % 7) FROM n")
    want = sqlite3.connect(":memory:").execute(hot).fetchall()
    first = Database(":memory:")
    stmt, _ = first.prepare(hot)
    assert stmt.step() == StepResult.ROW and [stmt.row()] == want
    n = len(stmt.program.instructions)
    assert jit.state_for(stmt.program).regions and (0, n) not in jit.state_for(stmt.program).regions
    second = Database(":memory:")
    again, _ = second.prepare(hot)
    state = jit.state_for(again.program)
    assert state.regions == [(0, n)] and state.ran is None
    assert again.step() == StepResult.ROW and [again.row()] == want
    other, _ = second.prepare(hot.replace("3000", "30"))
    assert not jit.state_for(other.program).regions


def test_loop_ranges_skip_the_init_jump() -> None:
    conn = pyrite.connect(":memory:")
    conn.execute("CREATE TABLE t(a, b)")
    stmt, _ = conn._db.prepare("SELECT a FROM t WHERE b > 1")
    ops = stmt.program.instructions
    loops = jit.loop_ranges(ops)
    assert len(loops) == 1
    start, end = loops[0]
    names = [ops[pc].name for pc in range(start, end)]
    assert names[-1] == "Next" and "Init" not in names and "Transaction" not in names


def test_pending_io_inside_a_compiled_loop_resumes_exactly(mode: object) -> None:
    mode("eager")  # type: ignore[operator]
    inner = MemoryBackend()
    writer = Database("/db", backend=inner)
    for sql in ["CREATE TABLE t(a, b)"] + [
            f"INSERT INTO t VALUES({i}, '{'p' * 300}')" for i in range(400)]:
        stmt, _ = writer.prepare(sql)
        stmt.step()
    writer.close()
    backend = PendingBackend(inner)
    db = Database("/db", backend=backend)
    stmt, _ = db.prepare("SELECT a FROM t WHERE a % 50 = 7 OR a > 396")
    results = []
    ios = 0
    for _ in range(100000):
        r = stmt.step_async()
        if r == StepResult.IO:
            ios += 1
            backend.complete_all()
            continue
        if r == StepResult.ROW:
            results.append(stmt.row()[0])
            continue
        break
    assert ios > 10
    assert results == [7, 57, 107, 157, 207, 257, 307, 357, 397, 398, 399]
    assert jit.state_for(stmt.program).regions == [(0, len(stmt.program.instructions))]


def test_errors_inside_compiled_code_match_the_interpreter(mode: object) -> None:
    got = []
    for executor in ("interp", "eager"):
        mode(executor)  # type: ignore[operator]
        conn = pyrite.connect(":memory:")
        conn.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b NOT NULL)")
        conn.execute("INSERT INTO t VALUES (1, 1), (2, 2)")
        with pytest.raises(pyrite.IntegrityError) as ei:
            conn.execute("UPDATE t SET b = NULL WHERE a = 2")
        got.append((str(ei.value), conn.execute("SELECT * FROM t").fetchall()))
        with pytest.raises(pyrite.OperationalError) as ei2:
            conn.execute("SELECT abs(-9223372036854775807 - 1) FROM t")
        got.append(str(ei2.value))
    assert got[:2] == got[2:]
    assert got[0][0] == "NOT NULL constraint failed: t.b"


def test_an_emitter_only_restates_its_own_handler() -> None:
    """An opcode whose handler was replaced runs the new handler in compiled code."""
    opcodes._load()
    number = opcodes.number("Integer")
    original = opcodes.HANDLERS[number]
    calls = []

    def counting_integer(vm: object, op: object, pc: int) -> int:
        calls.append(pc)
        return original(vm, op, pc)  # type: ignore[no-any-return]

    conn = pyrite.connect(":memory:")
    stmt, _ = conn._db.prepare("SELECT 41 + 1")
    assert jit._emitter("Integer") is not None
    assert "H_Integer" not in jit.compile_program(stmt.program).source  # type: ignore[attr-defined]
    opcodes.HANDLERS[number] = counting_integer
    try:
        assert jit._emitter("Integer") is None
        fn = jit.compile_program(stmt.program)
        assert "H_Integer" in fn.source  # type: ignore[attr-defined]
    finally:
        opcodes.HANDLERS[number] = original


def test_compiled_source_of_a_scan_is_inline() -> None:
    conn = pyrite.connect(":memory:")
    conn.execute("CREATE TABLE t(a, b)")
    stmt, _ = conn._db.prepare("SELECT a FROM t WHERE b < 5")
    source = jit.compile_program(stmt.program).source  # type: ignore[attr-defined]
    assert "H_Column" in source                                 # fallback
    assert re.search(r"row0 = None if fc\d+\.null_row else fc\d+\.row", source)  # fast path
    assert re.search(r"H_(Lt|Le|Gt|Ge)\(", source)                # NULLs, mixed types
    assert re.search(r"if a (<|<=|>|>=) b:", source)             # same-typed operands
    assert "H_Next(" in source                                  # the next leaf
    assert re.search(r"top = fbt\d+\.stack\[-1\]", source)      # same leaf: a fused loop
    assert "row = (r[" in source and "batch.append(row)" in source


def test_inline_affinity_matches_the_handler() -> None:
    """The compiled Affinity leaves values already of the affinity's type
    alone and sends the rest through apply_affinity: every value kind
    under every affinity gives what the interpreter gives."""
    import sqlite3
    conn = pyrite.connect(":memory:")
    oracle = sqlite3.connect(":memory:")
    # (The CHECK constraint reads the row before its record is made, so
    # the INSERT has an Affinity instruction, as SQLite's has.)
    ddl = "CREATE TABLE t(a ANY, b TEXT, c NUMERIC, d INTEGER, e REAL, CHECK(a IS a))"
    conn.execute(ddl)
    oracle.execute(ddl)
    stmt, _ = conn._db.prepare("INSERT INTO t VALUES(?1, ?1, ?1, ?1, ?1)")
    source = jit.compile_program(stmt.program).source  # type: ignore[attr-defined]
    assert "_apply_affinity(v, 'E')" in source
    for v in (5, -0.0, 0.0, 2.5, 3.0, "12", " 7 ", "x", b"1", None, True, 2**63 - 1, "1e3"):
        for c in (conn, oracle):
            c.execute("INSERT INTO t VALUES(?1, ?1, ?1, ?1, ?1)", (v,))
    query = "SELECT a, typeof(a), b, typeof(b), c, typeof(c), d, typeof(d), e, typeof(e) FROM t"
    assert conn.execute(query).fetchall() == oracle.execute(query).fetchall()


def test_inline_remainder_matches_sqlite3() -> None:
    """The compiled Remainder does non-negative by positive integers in
    line and gives every other pair to values.remainder."""
    conn = pyrite.connect(":memory:")
    oracle = sqlite3.connect(":memory:")
    stmt, _ = conn._db.prepare("SELECT ?1 % ?2")
    source = jit.compile_program(stmt.program).source  # type: ignore[attr-defined]
    assert "a % b" in source and "_remainder(a, b)" in source
    operands = (7, 0, 1, -1, -7, 3, 2**63 - 1, -2**63, 2.5, -2.5, "9", "x", None, b"4")
    pairs = [(a, b) for a in operands for b in operands]
    for c in (conn, oracle):
        c.execute("CREATE TABLE p(a, b)")
        c.executemany("INSERT INTO p VALUES(?, ?)", pairs)
    query = "SELECT a, b, a % b, typeof(a % b) FROM p ORDER BY rowid"
    assert conn.execute(query).fetchall() == oracle.execute(query).fetchall()


def _late_branch_db(conn: object) -> None:
    conn.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)")  # type: ignore[attr-defined]
    conn.executemany("INSERT INTO t VALUES (?, ?)",  # type: ignore[attr-defined]
                     [(i, f"v{i}") for i in range(1, 6001)])


LATE_BRANCH = "SELECT sum(CASE WHEN a > 4000 THEN length(b) * 1000 ELSE a END), count(*) FROM t"


def test_a_loop_compiles_only_the_blocks_that_ran(mode: object) -> None:
    """The branch first taken after the loop was compiled runs interpreted
    (the compiled code hands it over), then often enough to have the loop
    compiled again with it; the answers are sqlite3's throughout."""
    mode("compiled")  # type: ignore[operator]
    want_conn = sqlite3.connect(":memory:")
    _late_branch_db(want_conn)
    want = want_conn.execute(LATE_BRANCH).fetchall()
    conn = pyrite.connect(":memory:")
    _late_branch_db(conn)
    stmt, _ = conn._db.prepare(LATE_BRANCH)
    state = jit.state_for(stmt.program)
    ops = stmt.program.instructions
    late = next(pc for pc, op in enumerate(ops) if op.name == "Function")   # length(b)
    assert stmt.step() == StepResult.ROW
    assert [stmt.row()] == want
    (start, end), *_ = state.regions
    assert start <= late < end
    assert state.regions.count((start, end)) == 2, "compiled again once the branch ran often"
    assert state.ran is not None and any(pc in state.ran for pc in range(late - 3, late + 1))
    first = jit.compile_region(stmt.program, start, end, set(), state.block_starts)[0]
    assert "F%d(" % late not in first.source  # type: ignore[attr-defined]
    assert "F%d(" % late in state.handlers[start].source


def test_a_region_is_compiled_a_bounded_number_of_times(mode: object,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each cold block reaching its count compiles the region again only
    up to MAX_COMPILES times; past that, cold code stays interpreted."""
    mode("compiled")  # type: ignore[operator]
    monkeypatch.setattr(jit, "COMPILE_COST", 1e-9)
    conn = pyrite.connect(":memory:")
    _late_branch_db(conn)
    sql = ("SELECT sum(CASE WHEN a % 7 = 0 THEN 1 WHEN a % 5 = 0 THEN 2 WHEN a % 3 = 0 THEN 3 "
           "WHEN a % 2 = 0 THEN length(b) ELSE a END) FROM t")
    stmt, _ = conn._db.prepare(sql)
    assert stmt.step() == StepResult.ROW
    want = sqlite3.connect(":memory:")
    _late_branch_db(want)
    assert [stmt.row()] == want.execute(sql).fetchall()
    state = jit.state_for(stmt.program)
    for region in set(state.regions):
        assert state.regions.count(region) <= jit.MAX_COMPILES


def test_the_payoff_counts_only_instructions_that_ran() -> None:
    conn = pyrite.connect(":memory:")
    conn.execute("CREATE TABLE t(a, b)")
    stmt, _ = conn._db.prepare("SELECT a FROM t WHERE b > 1")
    ops = stmt.program.instructions
    (start, end), = jit.loop_ranges(ops)
    starts = jit.block_starts(ops)
    all_run = jit.runs_to_pay_off(ops, start, end)
    assert jit.runs_to_pay_off(ops, start, end, set(starts), starts) == all_run
    cut = min(pc for pc in starts if pc > start)
    assert jit._ran_pcs(start, end, {start}, starts) == list(range(start, cut))


def test_a_compiled_scan_takes_rows_from_decoded_pages(mode: object) -> None:
    """Next steps within a leaf inline and leaves the row the page has
    decoded already (or none, to be decoded): scans before and after pages
    are decoded, rewritten and left across agree with sqlite3."""
    mode("eager")  # type: ignore[operator]
    conn = pyrite.connect(":memory:")
    want = sqlite3.connect(":memory:")
    for c in (conn, want):
        c.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c)")
        c.executemany("INSERT INTO t VALUES (?, ?, ?)",
                      [(i, "w" * (i % 40), i * 3) for i in range(1, 3001)])
    scan = "SELECT a, b, c + 1 FROM t WHERE a % 7 = 3"
    stmt, _ = conn._db.prepare(scan)
    assert "v[i]" in jit.compile_program(stmt.program).source  # type: ignore[attr-defined]
    for step in ("SELECT 1", "UPDATE t SET c = c + 1 WHERE a % 5 = 0", "DELETE FROM t WHERE a % 11 = 0"):
        for c in (conn, want):
            c.execute(step)
        for _ in range(2):      # pages decoded by the first scan serve the second
            assert conn.execute(scan).fetchall() == want.execute(scan).fetchall()


def test_a_program_of_a_known_shape_binds_its_own_values(mode: object) -> None:
    """A whole program compiled again from the source of one of the same
    shape (jit._REGIONS) binds its own instructions, P4 values, functions
    and handlers: each connection's function of the same name, its
    column default and literals, its collation; a function's flags or a
    default of another kind make another key."""
    mode("eager")  # type: ignore[operator]
    sql = "SELECT f(a), a || 'x', z FROM s WHERE a > 1 AND c = 'B' COLLATE NOCASE ORDER BY a"
    results = []
    for n, (func, flags, default) in enumerate([
            (lambda v: v * 2, True, "'d1'"), (lambda v: -v, True, "'d1'"),
            (lambda v: f"{v}!", False, "'d3'"), (lambda v: v + 0.5, True, "7")]):
        conn = pyrite.connect(":memory:")
        conn.create_function("f", 1, func, deterministic=flags)
        conn.execute("CREATE TABLE s(a INTEGER PRIMARY KEY, c TEXT)")
        conn.executemany("INSERT INTO s VALUES (?, ?)", [(1, "b"), (2, "B"), (3, "b"), (4, "c")])
        conn.execute(f"ALTER TABLE s ADD COLUMN z DEFAULT {default}")
        known = len(jit._REGIONS)
        results.append(conn.execute(sql).fetchall())
        # (the first one's source, rebound, for the second)
        assert len(jit._REGIONS) == known + (n != 1)
    assert results == [
        [(4, "2x", "d1"), (6, "3x", "d1")], [(-2, "2x", "d1"), (-3, "3x", "d1")],
        [("2!", "2x", "d3"), ("3!", "3x", "d3")], [(2.5, "2x", 7), (3.5, "3x", 7)]]
