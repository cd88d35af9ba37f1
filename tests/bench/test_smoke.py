"""Smoke run of bench/ at a tiny size: the sqlite3 side must run clean; pyrite
runs the workloads it can (a pyrite failure is reported, not a test failure).
Timing is never asserted."""

from __future__ import annotations

import pathlib
import sqlite3
import sys
from typing import Any

_ROOT = str(pathlib.Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:  # bench/ lives at the project root
    sys.path.insert(0, _ROOT)

from bench import harness, micro, speedtest1  # noqa: E402


def test_helpers_match_speedtest1() -> None:
    assert speedtest1.numbername(0) == "zero"
    assert speedtest1.numbername(123) == "one hundred twenty three"
    assert speedtest1.numbername(1_002_017) == "one million two thousand seventeen"
    assert speedtest1.numbername(40) == "forty"
    assert speedtest1.roundup_allones(500) == 511
    assert speedtest1.roundup_allones(511) == 511
    assert speedtest1.swizzle(1, 7) == 4 and speedtest1.swizzle(6, 7) == 3
    maxb = speedtest1.roundup_allones(1000)
    assert sorted(speedtest1.swizzle(i, maxb) for i in range(maxb + 1)) == list(range(maxb + 1))
    r = speedtest1.Prng()
    first = [r() for _ in range(5)]
    r.reset()
    assert [r() for _ in range(5)] == first
    assert all(0 <= v <= 0xFFFFFFFF for v in first) and len(set(first)) == 5
    # First step by hand: x is odd, so it is shifted and xored with the tap mask.
    x = (0xAD131D0B >> 1) ^ 0xD0000001
    y = (0x44F9EAC8 * 1103515245 + 12345) & 0xFFFFFFFF
    assert first[0] == x ^ y


def test_speedtest1_builds_the_expected_tables() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    st = speedtest1.Speedtest(conn, 1)
    for _, _, test in speedtest1.TESTS:
        st.rand.reset()
        test(st)
    assert conn.execute("SELECT count(*) FROM z1").fetchone() == (500,)
    a, c = conn.execute("SELECT a, c FROM z1 WHERE b=1").fetchone()
    assert a == speedtest1.swizzle(1, 511) and c == speedtest1.numbername(a)
    assert conn.execute("SELECT count(*) FROM t4").fetchone() == (500,)
    assert conn.execute("SELECT count(*) FROM z2").fetchone() == (500,)
    assert conn.execute("SELECT count(*) FROM t5").fetchone()[0] > 0
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # random() is speedtest1's PRNG during the run.
    st.rand.reset()
    assert conn.execute("SELECT random()").fetchone()[0] == speedtest1.Prng()()


def test_sqlite3_side_runs_clean_and_pyrite_is_reported() -> None:
    rows = harness.run_all(1, pyrite=harness.pyrite_connect(), repeat=1)
    assert len(rows) == len(speedtest1.TESTS) + len(micro.MICROS)
    assert [r.name for r in rows if r.sqlite3_error] == []
    assert all(r.sqlite3_s is not None for r in rows)
    for r in rows:  # every pyrite workload either ran or says why not
        assert (r.pyrite_s is not None) or r.pyrite_error
    text = harness.report(rows)
    assert "geometric mean" in text and "speedtest1 100" in text


def test_ratio_and_geometric_mean_when_both_engines_run() -> None:
    # sqlite3 standing in for pyrite exercises the alternating path end to end.
    rows = harness.run_all(1, pyrite=harness.stdlib_connect, speedtest=False, repeat=1)
    assert all(r.ratio is not None and r.ratio > 0 for r in rows)
    assert harness.geometric_mean([2.0, 8.0]) == 4.0


def test_best_of_runs_keeps_each_least_time_and_any_error() -> None:
    a = [harness.Row("x", sqlite3_s=2.0, pyrite_s=5.0), harness.Row("y", sqlite3_s=1.0)]
    b = [harness.Row("x", sqlite3_s=3.0, pyrite_s=4.0),
         harness.Row("y", sqlite3_s=0.5, pyrite_error="boom")]
    best = harness.best_of([a, b])
    assert [(r.name, r.sqlite3_s, r.pyrite_s, r.pyrite_error) for r in best] == \
        [("x", 2.0, 4.0, None), ("y", 0.5, None, "boom")]


def test_two_whole_speedtest1_runs_start_from_new_files() -> None:
    # The second run's tests would fail on the first run's tables (CREATE
    # TABLE t1 ... exists) if the files were shared.
    rows = harness.run_all(1, pyrite=harness.stdlib_connect, micros=False, runs=2)
    assert len(rows) == len(speedtest1.TESTS)
    assert all(r.sqlite3_s is not None and not r.sqlite3_error and not r.pyrite_error
               for r in rows)


class _Broken:
    def execute(self, *args: Any) -> Any:
        raise RuntimeError("engine not ready")

    def create_function(self, *args: Any) -> None:
        raise RuntimeError("engine not ready")

    def close(self) -> None:
        pass


def test_pyrite_failures_do_not_stop_the_run() -> None:
    rows = harness.run_all(1, pyrite=lambda path: _Broken(), repeat=1)
    assert all(r.pyrite_error and r.pyrite_s is None for r in rows)
    assert all(r.sqlite3_s is not None and not r.sqlite3_error for r in rows)


def test_memory_scan_reports_both_engines(tmp_path: Any) -> None:
    from bench import memory
    src = str(pathlib.Path(__file__).resolve().parents[2] / "src")
    results = memory.run(str(tmp_path), cache_multiple=4, src=src, cache_pages=20)
    assert all(r.peak_kib is not None and r.peak_kib >= r.growth_kib for r in results)
    assert [r.engine for r in results] == ["sqlite3", "pyrite"]
    for r in results:
        assert r.error is None, r.error
        assert r.rows == 20 * memory.PAGE_SIZE * 4 // 120
        assert r.db_bytes > 3 * r.cache_bytes and r.growth_kib is not None
    assert "peak RSS grew" in memory.report(results)


def test_opcode_counts_come_from_the_engine(tmp_path: Any) -> None:
    # (harness.run_opcode_profile runs all of speedtest1: too slow here)
    conn = harness.pyrite_connect()(str(tmp_path / "c.db"))
    db = conn._db
    db.opcode_counts = {}
    conn.execute("CREATE TABLE t(a)")
    conn.executemany("INSERT INTO t VALUES(?)", [(i,) for i in range(10)])
    assert conn.execute("SELECT sum(a) FROM t").fetchone() == (45,)
    counts = db.opcode_counts
    db.opcode_counts = None
    assert counts["Next"] == 10 and counts["Insert"] >= 10 and counts["ResultRow"] >= 1
    text = harness.opcode_report(counts)
    assert "Next" in text and "top opcodes" in text
