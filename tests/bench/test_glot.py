"""The bench's sqlglot column (bench/glot.py) at a tiny size.  The parts that
need no sqlglot (parameter binding, row comparison, the report without it)
always run; the executor runs are skipped when sqlglot is not installed (it
is an optional dev tool: pip install '.[bench]')."""

from __future__ import annotations

import pathlib
import sqlite3
import sys

import pytest

_ROOT = str(pathlib.Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:  # bench/ lives at the project root
    sys.path.insert(0, _ROOT)

from bench import glot, harness, micro, speedtest1  # noqa: E402

needs_sqlglot = pytest.mark.skipif(not glot.available(), reason="sqlglot not installed")


def test_bind_writes_parameters_as_literals_outside_strings() -> None:
    sql = "SELECT a FROM z1 WHERE c BETWEEN ?1 AND (?1||'~?2') AND d=?2 AND e=?"
    assert glot.bind(sql, ("it's", 2.5, 7)) == (
        "SELECT a FROM z1 WHERE c BETWEEN 'it''s' AND ('it''s'||'~?2') AND d=2.5 AND e=7")
    # a bare ? after ?3 is ?4, as in sqlite3
    assert glot.bind("SELECT ?3, ?1, ?", (1, 2, 3, 4)) == "SELECT 3, 1, 4"
    assert glot.bind("SELECT ?, ?", (None, b"\x01")) == "SELECT NULL, X'01'"
    # the bound text means the same to sqlite3
    conn = sqlite3.connect(":memory:")
    assert conn.execute(glot.bind("SELECT ?1, ?2, ?1", (-3, "a'b"))).fetchall() == [(-3, "a'b", -3)]


def test_same_rows_checks_types_and_order_only_when_ordered() -> None:
    assert glot.same_rows([(2,), (1,)], [(1,), (2,)], ordered=False)
    assert not glot.same_rows([(2,), (1,)], [(1,), (2,)], ordered=True)
    assert not glot.same_rows([(1.0,)], [(1,)], ordered=True)
    assert glot.same_rows([(0.1 + 0.2,)], [(0.3,)], ordered=True)
    assert not glot.same_rows([(1,)], [(1,), (1,)], ordered=False)


def test_recorder_refuses_writes_and_keeps_selects() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE t(a)")
    rec = glot.Recorder(conn)
    rec.execute("BEGIN")
    assert rec.execute("SELECT ?1 + 1", (1,)).fetchall() == [(2,)]
    rec.execute("COMMIT")
    assert [(q.sql, q.rows) for q in rec.queries] == [("SELECT 1 + 1", [(2,)])]
    with pytest.raises(glot.Unsupported):
        rec.execute("INSERT INTO t VALUES(1)")


def test_report_without_sqlglot_keeps_its_columns_and_says_why() -> None:
    rows = [harness.Row("micro join", sqlite3_s=0.001, pyrite_s=0.01)]
    text = harness.report(rows, glot="not installed")
    assert "sqlglot s" not in text and text.endswith("sqlglot: not installed")
    assert "geometric mean ratio pyrite/sqlite3 over 1 of 1 workloads: 10.0" in text


def test_report_with_sqlglot_gives_ratio_and_summary() -> None:
    rows = [
        harness.Row("micro join", sqlite3_s=0.001, pyrite_s=0.01, glot_s=0.5),
        harness.Row("micro sort with LIMIT", sqlite3_s=0.001, pyrite_s=0.01, glot_s=0.05),
        harness.Row("speedtest1 130 x", sqlite3_s=0.001, pyrite_s=0.01, glot_error="unsupported"),
        harness.Row("speedtest1 100 y", sqlite3_s=0.001, pyrite_s=0.01),
    ]
    assert rows[0].glot_ratio == pytest.approx(50.0)
    text = harness.report(rows)
    assert "glot/pyr" in text and "sqlglot: unsupported" in text
    assert text.splitlines()[-1] == (
        "geometric mean ratio sqlglot/pyrite over 2 of 3 read-only workloads sqlglot can run: "
        "15.8, min 5.0; below 10: micro sort with LIMIT; sqlglot cannot run: 130")


@needs_sqlglot
def test_micros_on_sqlglot_match_sqlite3() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    micro._fill(conn, 40)
    by_name = {name: body for name, _, body in micro.MICROS}
    for name in ("join", "sort with LIMIT", "point lookup by index", "fetchall of a whole table"):
        secs, err = glot.run_workload(conn, lambda rec, b=by_name[name]: b(rec, 40))
        assert err is None and secs is not None and secs > 0, (name, err)
    secs, err = glot.run_workload(conn, lambda rec: micro.insert_txn(rec, 40))
    assert secs is None and err is not None and err.startswith("not read-only")


@needs_sqlglot
def test_wrong_or_unsupported_answers_are_reported() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE t(a INTEGER, b TEXT)")
    conn.executemany("INSERT INTO t VALUES(?,?)", [(1, "x"), (2, "y")])
    secs, err = glot.run_workload(conn, lambda rec: rec.execute("SELECT group_concat(b) FROM t"))
    assert secs is None and err is not None and err.startswith("unsupported: ")
    assert "(1" not in err  # no object ids in the message
    good = glot.Query("SELECT a FROM t ORDER BY a", [(1,), (2,)], ordered=True)
    tables, schema = glot.load_tables(conn, with_rowid=False)
    assert glot.run_queries([good], tables, schema)[1] is None
    bad = glot.Query("SELECT a FROM t ORDER BY a", [(2,), (1,)], ordered=True)
    assert glot.run_queries([bad], tables, schema)[1].startswith("wrong result")


@needs_sqlglot
def test_speedtest_rowid_workload_on_sqlglot() -> None:
    # 320 names rowid: the loaded tables carry it as a column.
    conn = sqlite3.connect(":memory:", isolation_level=None)
    st = speedtest1.Speedtest(conn, 1)
    st.sz = 60  # tiny tables: the executor scans them per query
    st.maxb = speedtest1.roundup_allones(st.sz)
    for num, _, test in speedtest1.TESTS:
        if num in (100, 110):
            st.rand.reset()
            test(st)
    test320 = dict((num, t) for num, _, t in speedtest1.TESTS)[320]
    secs, err = glot.run_workload(conn, harness._replay_speedtest(st, test320))
    assert err is None and secs is not None


@needs_sqlglot
def test_harness_fills_the_sqlglot_column_for_read_only_micros(tmp_path: pathlib.Path) -> None:
    rows = harness.run_micros(30, harness.stdlib_connect, str(tmp_path), repeat=1, glot=True)
    by_name = {r.name.removeprefix("micro "): r for r in rows}
    assert set(by_name) == {name for name, _, _ in micro.MICROS}
    for name, r in by_name.items():
        if name in glot.MICROS:
            assert r.glot_s is not None or r.glot_error
        else:
            assert r.glot_s is None and r.glot_error is None
    assert by_name["join"].glot_ratio is not None
    assert "sqlglot/pyrite" in harness.report(rows)
