"""Runs the workloads on pyrite and on sqlite3 in one process, alternating
engines workload by workload, on file databases in a temporary directory.
A workload that raises on pyrite is reported (error text) and the run goes
on; on sqlite3 it is a failure of the benchmark itself.  With ``glot=True`` the
read-only workloads also run on sqlglot's executor (bench/glot.py), a
pure-Python engine to compare pyrite with."""

from __future__ import annotations

import dataclasses
import math
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from typing import Any

from . import glot as sqlglot_engine
from . import micro, speedtest1

Connect = Callable[[str], Any]


@dataclasses.dataclass
class Row:
    name: str
    sqlite3_s: float | None = None
    pyrite_s: float | None = None
    pyrite_error: str | None = None
    sqlite3_error: str | None = None
    glot_s: float | None = None  # sqlglot's executor, on the read-only workloads
    glot_error: str | None = None

    @property
    def ratio(self) -> float | None:
        if self.sqlite3_s and self.pyrite_s is not None and self.sqlite3_s > 0:
            return self.pyrite_s / self.sqlite3_s
        return None

    @property
    def glot_ratio(self) -> float | None:
        """sqlglot/pyrite: how many times faster pyrite is (issue 4: >= 10)."""
        if self.glot_s is not None and self.pyrite_s:
            return self.glot_s / self.pyrite_s
        return None


def stdlib_connect(path: str) -> Any:
    return sqlite3.connect(path, isolation_level=None)


def pyrite_connect() -> Connect | None:
    try:
        import pyrite  # noqa: PLC0415

        connect = pyrite.connect
    except Exception:
        return None

    def open_db(path: str) -> Any:
        try:
            conn = connect(path, isolation_level=None)
        except TypeError:
            conn = connect(path)
        try:
            conn.isolation_level = None
        except Exception:
            pass
        return conn

    return open_db


def _timed(fn: Callable[..., None], *args: Any) -> tuple[float | None, str | None]:
    t0 = time.perf_counter()
    try:
        fn(*args)
    except Exception as exc:  # engine faults are reported, never raised
        return None, f"{type(exc).__name__}: {exc}"[:200]
    return time.perf_counter() - t0, None


def _engines(pyrite: Connect | None) -> list[tuple[str, Connect | None]]:
    return [("sqlite3", stdlib_connect), ("pyrite", pyrite)]


def warm_up(connect: Connect, path: str) -> None:
    """Load the engine's code before timing: a pure-Python engine imports its
    compiler and opcode modules on first use (each statement kind its own:
    ALTER, PRAGMA, ANALYZE, VACUUM, the join planner...), while sqlite3's
    library is loaded whole with the module.  Errors are left for the timed
    workloads to report."""
    statements = [
        "CREATE TABLE warm(a INTEGER PRIMARY KEY, b TEXT)",
        "CREATE INDEX warm_b ON warm(b)",
        "CREATE TABLE warm2(c TEXT PRIMARY KEY, d) WITHOUT ROWID",
        "INSERT INTO warm VALUES(1, 'x')",
        "REPLACE INTO warm2 SELECT b, a FROM warm",
        "UPDATE warm SET b='y' WHERE a=1",
        "SELECT count(*), max(b) FROM warm WHERE b BETWEEN 'a' AND 'z' GROUP BY a ORDER BY 1",
        "SELECT DISTINCT w.b, (SELECT d FROM warm2 WHERE c=w.b) FROM warm w, warm2 v "
        "WHERE w.b LIKE 'y%' AND v.c = w.b ORDER BY 1 LIMIT 5",
        "ALTER TABLE warm ADD COLUMN e INT DEFAULT 1",
        "DELETE FROM warm",
        "PRAGMA integrity_check",
        "ANALYZE",
        "VACUUM",
    ]
    try:
        conn = connect(path)
        for sql in statements:
            conn.execute(sql).fetchall()
        conn.close()
    except Exception:
        pass


def _replay_speedtest(st: speedtest1.Speedtest, test: Callable[[Any], None]
                      ) -> Callable[[Any], None]:
    """The test run again on its state with the connection swapped for a
    recorder (sqlglot's side of the run)."""
    def replay(recorder: Any) -> None:
        conn, st.conn = st.conn, recorder
        st.rand.reset()
        try:
            test(st)
        finally:
            st.conn = conn

    return replay


def run_speedtest1(size: int, pyrite: Connect | None, tmp: str, glot: bool = False
                   ) -> list[Row]:
    rows = [Row(f"speedtest1 {num} {title}") for num, title, _ in speedtest1.TESTS]
    states: dict[str, speedtest1.Speedtest | None] = {}
    for engine, connect in _engines(pyrite):
        if connect is not None:
            warm_up(connect, os.path.join(tmp, f"warm-{engine}.db"))
        if connect is None:
            states[engine] = None
            for r in rows:
                r.pyrite_error = "pyrite.connect not available"
            continue
        try:
            states[engine] = speedtest1.Speedtest(connect(os.path.join(tmp, f"st1-{engine}.db")), size)
        except Exception as exc:
            states[engine] = None
            for r in rows:
                setattr(r, f"{engine}_error", f"connect: {type(exc).__name__}: {exc}"[:200])
    for row, (num, _, test) in zip(rows, speedtest1.TESTS, strict=True):
        for engine in ("sqlite3", "pyrite"):
            if engine == "pyrite" and glot and num in sqlglot_engine.SPEEDTESTS:
                base = states.get("sqlite3")
                if base is not None and not row.sqlite3_error:
                    row.glot_s, row.glot_error = sqlglot_engine.run_workload(
                        base.conn, _replay_speedtest(base, test))
            st = states.get(engine)
            if st is None:
                continue
            st.rand.reset()
            secs, err = _timed(test, st)
            setattr(row, f"{engine}_s", secs)
            if err:
                setattr(row, f"{engine}_error", err)
                if engine == "pyrite":
                    # leave no transaction open for the next test
                    try:
                        st.conn.execute("ROLLBACK")
                    except Exception:
                        pass
    for st in states.values():
        if st is not None:
            try:
                st.conn.close()
            except Exception:
                pass
    return rows


def run_micros(rows_n: int, pyrite: Connect | None, tmp: str, repeat: int = 3,
               glot: bool = False) -> list[Row]:
    out = [Row(f"micro {name}") for name, _, _ in micro.MICROS]
    conns: dict[str, Any] = {}
    for engine, connect in _engines(pyrite):
        if connect is None:
            for r in out:
                r.pyrite_error = "pyrite.connect not available"
            continue
        try:
            conns[engine] = connect(os.path.join(tmp, f"micro-{engine}.db"))
        except Exception as exc:
            for r in out:
                setattr(r, f"{engine}_error", f"connect: {type(exc).__name__}: {exc}"[:200])
    for row, (name, setup, body) in zip(out, micro.MICROS, strict=True):
        for engine in ("sqlite3", "pyrite"):
            conn = conns.get(engine)
            if conn is None or getattr(row, f"{engine}_error"):
                continue
            _, err = _timed(setup, conn, rows_n)
            if err:
                setattr(row, f"{engine}_error", "setup: " + err)
                continue
        for _ in range(repeat):  # alternate engines on every repetition
            for engine in ("sqlite3", "pyrite"):
                conn = conns.get(engine)
                if conn is None or getattr(row, f"{engine}_error"):
                    continue
                secs, err = _timed(body, conn, rows_n)
                if err:
                    setattr(row, f"{engine}_error", err)
                    setattr(row, f"{engine}_s", None)
                    continue
                best = getattr(row, f"{engine}_s")
                setattr(row, f"{engine}_s", secs if best is None else min(best, secs))
        base = conns.get("sqlite3")
        if glot and name in sqlglot_engine.MICROS and base is not None and not row.sqlite3_error:
            row.glot_s, row.glot_error = sqlglot_engine.run_workload(
                base, lambda rec, body=body: body(rec, rows_n), repeat=repeat)
    for conn in conns.values():
        try:
            conn.close()
        except Exception:
            pass
    return out


def run_opcode_profile(size: int, pyrite: Connect | None, tmp: str) -> dict[str, int]:
    """Instructions executed per opcode over speedtest1 on pyrite, from the
    engine's own counters (an untimed second run: counting slows the VM)."""
    if pyrite is None:
        return {}
    conn = pyrite(os.path.join(tmp, "st1-opcodes.db"))
    db = getattr(conn, "_db", None)
    if db is None or not hasattr(db, "opcode_counts"):
        conn.close()
        return {}
    counts: dict[str, int] = {}
    db.opcode_counts = counts
    st = speedtest1.Speedtest(conn, size)
    for _, _, test in speedtest1.TESTS:
        st.rand.reset()
        try:
            test(st)
        except Exception:
            try:
                conn.execute("ROLLBACK")
            except Exception:
                pass
    db.opcode_counts = None
    conn.close()
    return counts


def opcode_report(counts: dict[str, int], top: int = 25) -> str:
    if not counts:
        return "opcode counts: not available"
    total = sum(counts.values())
    lines = [f"instructions executed over speedtest1 (pyrite): {total}; top opcodes:"]
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {name:20} {n:12} {100 * n / total:6.2f}%")
    return "\n".join(lines)


def geometric_mean(values: list[float]) -> float | None:
    vals = [v for v in values if v and v > 0]
    if not vals:
        return None
    return math.exp(sum(math.log(v) for v in vals) / len(vals))


def best_of(runs: list[list[Row]]) -> list[Row]:
    """The rows of several runs of the same workloads, each time the least
    of its runs (a busy machine only ever adds time); an error of any run
    is kept."""
    out = []
    for same in zip(*runs, strict=True):
        row = Row(same[0].name)
        for field in ("sqlite3_s", "pyrite_s", "glot_s"):
            times = [getattr(r, field) for r in same if getattr(r, field) is not None]
            setattr(row, field, min(times) if times else None)
        for field in ("pyrite_error", "sqlite3_error", "glot_error"):
            setattr(row, field, next((getattr(r, field) for r in same if getattr(r, field)),
                                     None))
        out.append(row)
    return out


def run_all(size: int, *, pyrite: Connect | None, speedtest: bool = True,
            micros: bool = True, repeat: int = 3, extras: dict[str, Any] | None = None,
            glot: bool = False, runs: int = 1) -> list[Row]:
    """Time the workloads (with ``glot``, also on sqlglot's executor).  ``extras``, when given, names the untimed
    reports to add: key "opcodes" (instruction counts per opcode) and
    "memory" (peak memory of a scan larger than the page cache); their
    results replace the values.  speedtest1 runs ``runs`` times from the
    start, on new files each time, and each test reports its best run."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="pyrite-bench-") as tmp:
        if speedtest:
            each = []
            for i in range(max(runs, 1)):
                run_dir = os.path.join(tmp, f"run{i}")
                os.mkdir(run_dir)
                each.append(run_speedtest1(size, pyrite, run_dir, glot=glot))
            rows += best_of(each)
        if micros:
            rows += run_micros(size * 500, pyrite, tmp, repeat=repeat, glot=glot)
        if extras is not None:
            if "opcodes" in extras:
                extras["opcodes"] = run_opcode_profile(size, pyrite, tmp)
            if "memory" in extras and pyrite is not None:
                from . import memory  # noqa: PLC0415
                src = os.path.dirname(os.path.dirname(os.path.abspath(
                    __import__("pyrite").__file__)))
                extras["memory"] = memory.run(tmp, src=src)
    return rows


def report(rows: list[Row], glot: str | None = None) -> str:
    """The table and its summary lines.  The sqlglot columns appear when
    some workload was given to sqlglot; ``glot`` is a line to print
    instead when it was not (e.g. "not installed")."""
    def fmt(v: float | None) -> str:
        return f"{v:10.4f}" if v is not None else "         -"

    with_glot = any(r.glot_s is not None or r.glot_error for r in rows)
    head = f"{'workload':58} {'pyrite s':>10} {'sqlite3 s':>10} {'ratio':>9}"
    if with_glot:
        head += f" {'sqlglot s':>10} {'glot/pyr':>9}"
    lines = [head]
    for r in rows:
        ratio = f"{r.ratio:9.1f}" if r.ratio is not None else "        -"
        line = f"{r.name[:58]:58} {fmt(r.pyrite_s)} {fmt(r.sqlite3_s)} {ratio}"
        if with_glot:
            gr = r.glot_ratio
            line += f" {fmt(r.glot_s)} " + (f"{gr:9.1f}" if gr is not None else "        -")
        if r.pyrite_error:
            line += f"  pyrite: {r.pyrite_error[:60]}"
        if r.sqlite3_error:
            line += f"  SQLITE3 ERROR: {r.sqlite3_error[:60]}"
        if r.glot_error:
            line += f"  sqlglot: {r.glot_error[:70]}"
        lines.append(line)
    gm = geometric_mean([r.ratio for r in rows if r.ratio is not None])
    ran = sum(1 for r in rows if r.ratio is not None)
    lines.append(
        f"geometric mean ratio pyrite/sqlite3 over {ran} of {len(rows)} workloads: "
        + (f"{gm:.1f}" if gm is not None else "-")
    )
    if with_glot:
        lines.append(glot_summary(rows))
    elif glot:
        lines.append(f"sqlglot: {glot}")
    return "\n".join(lines)


def glot_summary(rows: list[Row]) -> str:
    """Issue 4's figure: sqlglot/pyrite over the workloads sqlglot can run
    (its rows equal to sqlite3's), with the ones below the goal of 10."""
    tried = [r for r in rows if r.glot_s is not None or r.glot_error]
    ratios = [r.glot_ratio for r in tried if r.glot_ratio is not None]
    gm = geometric_mean(ratios)  # type: ignore[arg-type]
    def short(r: Row) -> str:
        return r.name.split(" ")[1] if r.name.startswith("speedtest1") else r.name

    below = [short(r) for r in tried if r.glot_ratio is not None and r.glot_ratio < 10]
    cannot = [short(r) for r in tried if r.glot_error]
    return (f"geometric mean ratio sqlglot/pyrite over {len(ratios)} of {len(tried)} "
            "read-only workloads sqlglot can run: " + (f"{gm:.1f}" if gm is not None else "-")
            + (f", min {min(ratios):.1f}" if ratios else "")
            + f"; below 10: {', '.join(below) if below else 'none'}"
            + f"; sqlglot cannot run: {', '.join(cannot) if cannot else 'none'}")
