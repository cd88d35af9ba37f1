"""The corpus runners checked on the standard library's sqlite3.

On SQLite 3.40.1 the runners must reproduce conformance/sqlite3-baseline.json
exactly for a fixed subset of files (that proves parsing, rendering, sorting
and hashing), and must notice every kind of wrong answer we feed them.
"""

from __future__ import annotations

import pathlib
import time

import pytest
from tests.conftest import CORPUS
from tests.corpus import conformance, slt, sqltest
from tests.corpus.common import stdlib_connect

SLT_SELF_CHECK = [
    "evidence/in1.test",
    "evidence/in2.test",
    "evidence/slt_lang_aggfunc.test",
    "evidence/slt_lang_createtrigger.test",
    "evidence/slt_lang_createview.test",
    "evidence/slt_lang_update.test",
    "select1.test",
    "random/expr/slt_good_0.test",
]
SQLTEST_SELF_CHECK = [
    "agg-functions/avg-large-integers.sqltest",
    "agg_sum_overflow.sqltest",
    "boolean.sqltest",
    "glob/memory.sqltest",
    "in-parenthesized-subquery.sqltest",
    "json/memory.sqltest",
    "negative_zero.sqltest",
    "null/memory.sqltest",
    "offset/memory.sqltest",
    "pragma/memory.sqltest",
    "rollback.sqltest",
    "scalar-functions.sqltest",
]

BASELINE = conformance.load(conformance.BASELINE)


@pytest.mark.parametrize("name", SLT_SELF_CHECK)
def test_slt_runner_matches_baseline_on_sqlite3(corpus: pathlib.Path, name: str) -> None:
    entry = BASELINE["slt"]["files"][name]
    r = slt.run_file(CORPUS / "slt" / name, stdlib_connect, budget_seconds=120)
    assert (r.run, r.passed, r.skipped) == (entry["run"], entry["passed"], entry["skipped"])
    assert r.run > 0
    # sqlite3 is the reference: at most a stray TBD record may fail.
    assert r.passed >= r.run - 1, r.failures


@pytest.mark.parametrize("name", SQLTEST_SELF_CHECK)
def test_sqltest_runner_matches_baseline_on_sqlite3(corpus: pathlib.Path, name: str) -> None:
    entry = BASELINE["sqltest"]["files"][name]
    r = sqltest.run_file(CORPUS / "sqltest" / "cases" / name, stdlib_connect, budget_seconds=120)
    assert (r.run, r.passed, r.skipped) == (entry["run"], entry["passed"], entry["skipped"])
    known = {k for k in BASELINE["sqltest"]["failing"] if k.startswith(name + "::")}
    got = {f"{name}::{case.split('::', 1)[1]}" for case, _ in r.failures}
    assert got == known


def test_sqlite3_baseline_is_nearly_complete() -> None:
    t = BASELINE["slt"]["total"]
    assert t["run"] > 100_000 and t["passed"] >= t["run"] - 5
    t = BASELINE["sqltest"]["total"]
    assert t["run"] > 5_000 and t["passed"] / t["run"] > 0.95


# ----------------------------------------------------------------------------
# rendering


def test_slt_rendering() -> None:
    r = slt.render
    assert r(None, "I") == "NULL" and r(None, "T") == "NULL" and r(None, "R") == "NULL"
    assert r("", "T") == "(empty)"
    assert r("a\tb\u00e9", "T") == "a@b@@"
    assert r(7, "T") == "7" and r(2.5, "T") == "2.5" and r(3.0, "T") == "3.0"
    assert r(1.9, "I") == "1" and r(-1.9, "I") == "-1" and r("12abc", "I") == "12"
    assert r("abc", "I") == "0" and r(b"42", "I") == "42"
    assert r(1, "R") == "1.000" and r("2.5x", "R") == "2.500"
    assert r(-9223372036854775808.0, "R") == "-9223372036854776000.000"
    assert r(1.2345, "R") == "1.235"
    assert slt.md5_of(["1", "2"]) == "6ddb4095eb719e2a9f0a3f95677d24e0"


def test_sqltest_rendering() -> None:
    rv = sqltest.render_value
    assert [rv(None), rv(1), rv(1.0), rv(0.1), rv(1e20), rv(b"ab"), rv("x")] == [
        "", "1", "1.0", "0.1", "1.0e+20", "ab", "x",
    ]


# ----------------------------------------------------------------------------
# the runners notice wrong answers


SLT_SCRIPT = """\
hash-threshold 8

statement ok
CREATE TABLE t(a INTEGER, b TEXT)

statement ok
INSERT INTO t VALUES(1,'x'),(2,''),(3,NULL)

query IT rowsort
SELECT a, b FROM t
----
1
x
2
(empty)
3
NULL

query I nosort
SELECT a FROM t UNION ALL SELECT a FROM t ORDER BY 1
----
6 values hashing to {good}

query I valuesort label-a
SELECT a FROM t
----
1
2
3

query I valuesort label-a
SELECT a FROM t ORDER BY a DESC
----
1
2
3

skipif sqlite
statement ok
THIS IS NOT SQL

onlyif mysql
statement ok
THIS IS NOT SQL EITHER

statement error
SELECT * FROM no_such_table

halt

statement ok
THIS IS AFTER HALT
"""


def _write(tmp_path: pathlib.Path, name: str, text: str) -> pathlib.Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_slt_runner_passes_good_script(tmp_path: pathlib.Path) -> None:
    good = slt.md5_of(["1", "1", "2", "2", "3", "3"])
    p = _write(tmp_path, "good.test", SLT_SCRIPT.format(good=good))
    r = slt.run_file(p, stdlib_connect)
    assert r.failures == []
    assert (r.run, r.passed) == (7, 7)
    assert r.skip_reasons == {"skipif/onlyif": 2, "after halt": 1}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("1\nx\n2", "1\ny\n2"),  # wrong value
        ("(empty)", ""),  # empty string rendering
        ("6 values hashing to ", "6 values hashing to 0"),  # wrong hash (set below)
        ("statement error", "statement ok"),  # an error where ok was expected
        # order matters without rowsort
        ("query IT rowsort\nSELECT a, b FROM t\n", "query IT nosort\nSELECT a, b FROM t ORDER BY a DESC\n"),
    ],
)
def test_slt_runner_detects_wrong_expectations(tmp_path: pathlib.Path, old: str, new: str) -> None:
    good = slt.md5_of(["1", "1", "2", "2", "3", "3"])
    text = SLT_SCRIPT.format(good=good)
    assert old in text
    if "hashing" in old:
        text = text.replace(good, "0" * 32)
    else:
        text = text.replace(old, new, 1)
    p = _write(tmp_path, "bad.test", text)
    r = slt.run_file(p, stdlib_connect)
    assert r.passed < r.run, "the runner accepted a wrong expectation"


def test_slt_label_mismatch_detected(tmp_path: pathlib.Path) -> None:
    text = SLT_SCRIPT.format(good=slt.md5_of(["1", "1", "2", "2", "3", "3"]))
    text = text.replace("SELECT a FROM t ORDER BY a DESC", "SELECT a+1 FROM t")
    r = slt.run_file(_write(tmp_path, "label.test", text), stdlib_connect)
    assert any("label" in why for _, why in r.failures)


SQLTEST_SCRIPT = """\
@database :memory:

setup base {
    CREATE TABLE t(a INTEGER, b TEXT);
    INSERT INTO t VALUES (1, 'x'), (2, NULL), (3, 'z');
}

@setup base
test exact {
    SELECT a, b FROM t ORDER BY a;
}
expect {
    1|x
    2|
    3|z
}

@setup base
test unordered {
    SELECT b FROM t WHERE b IS NOT NULL ORDER BY a DESC;
}
expect unordered {
    x
    z
}

test error {
    SELECT * FROM missing;
}
expect error {
    no such table
}

test pattern { SELECT 1.5, 2.0; }
expect pattern {
    ^1\\.5\\|2\\.0$
}

test cli-wins { SELECT 'cli'; }
expect {
    rust
}
expect @cli {
    cli
}

@skip-if sqlite "turso only"
test skipped { SELECT nonsense; }
expect {
    1
}

snapshot snap { SELECT 1; }
"""


def test_sqltest_runner_passes_good_script(tmp_path: pathlib.Path) -> None:
    p = _write(tmp_path, "good.sqltest", SQLTEST_SCRIPT)
    r = sqltest.run_file(p, stdlib_connect)
    assert r.failures == []
    assert (r.run, r.passed, r.skipped) == (5, 5, 2)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    2|\n", "    2|NULL\n"),
        ("    x\n    z\n", "    x\n    y\n"),
        ("SELECT * FROM missing;", "SELECT 1;"),
        ("^1\\.5", "^1\\.6"),
        ("    cli\n", "    rust2\n"),
    ],
)
def test_sqltest_runner_detects_wrong_expectations(
    tmp_path: pathlib.Path, old: str, new: str
) -> None:
    assert old in SQLTEST_SCRIPT
    p = _write(tmp_path, "bad.sqltest", SQLTEST_SCRIPT.replace(old, new, 1))
    r = sqltest.run_file(p, stdlib_connect)
    assert r.passed == r.run - 1


# ----------------------------------------------------------------------------
# engine faults never crash or hang the runners


class _Faulty:
    """A connection whose execute raises, or spins forever in Python."""

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def execute(self, sql: str, *args: object) -> object:
        if self.mode == "raise":
            raise IndexError("engine bug")
        while True:
            pass

    def close(self) -> None:
        pass


def test_engine_exceptions_are_failures_not_crashes(tmp_path: pathlib.Path) -> None:
    good = slt.md5_of(["1", "1", "2", "2", "3", "3"])
    p = _write(tmp_path, "x.test", SLT_SCRIPT.format(good=good))
    r = slt.run_file(p, lambda path: _Faulty("raise"))
    # Only the "statement error" record passes (it expects an error).
    assert (r.run, r.passed) == (7, 1)
    q = _write(tmp_path, "x.sqltest", SQLTEST_SCRIPT)
    r = sqltest.run_file(q, lambda path: _Faulty("raise"))
    assert (r.run, r.passed) == (5, 1)


def test_hanging_engine_is_stopped_by_the_budget(tmp_path: pathlib.Path) -> None:
    good = slt.md5_of(["1", "1", "2", "2", "3", "3"])
    p = _write(tmp_path, "hang.test", SLT_SCRIPT.format(good=good))
    t0 = time.monotonic()
    r = slt.run_file(p, lambda path: _Faulty("hang"), budget_seconds=0.5)
    assert time.monotonic() - t0 < 10
    assert r.timed_out and r.passed == 0 and r.run == 1
    assert r.skip_reasons.get("time budget") == 7


def test_hanging_sqlite3_query_is_interrupted(tmp_path: pathlib.Path) -> None:
    script = (
        "@database :memory:\n\ntest forever {\n"
        "    WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c;\n"
        "}\nexpect {\n    1\n}\n\ntest after { SELECT 2; }\nexpect {\n    2\n}\n"
    )
    p = _write(tmp_path, "hang.sqltest", script)
    t0 = time.monotonic()
    r = sqltest.run_file(p, stdlib_connect, budget_seconds=1.0)
    assert time.monotonic() - t0 < 15
    assert r.passed == 0 and r.timed_out


# ----------------------------------------------------------------------------
# the ledger check catches a regression


def test_passed_floor_reads_the_ledger() -> None:
    ledger = {"slt": {"files": {"a.test": {"run": 9, "passed": 7, "skipped": 0}}}}
    assert conformance.passed_floor(ledger, "slt", "a.test") == 7
    assert conformance.passed_floor(ledger, "slt", "b.test") == 0
    assert conformance.passed_floor({}, "sqltest", "x.sqltest") == 0


class _Flaky:
    """sqlite3 that fails every fifth statement: a regressed engine."""

    count = 0  # across connections: sqltest opens one per case

    def __init__(self, path: str) -> None:
        self.conn = stdlib_connect(path)

    def execute(self, sql: str, *args: object) -> object:
        _Flaky.count += 1
        if _Flaky.count % 5 == 0:
            raise RuntimeError("regression")
        return self.conn.execute(sql, *args)

    def close(self) -> None:
        self.conn.close()


def test_a_regressed_engine_falls_below_the_baseline(corpus: pathlib.Path) -> None:
    name = "evidence/slt_lang_update.test"
    floor = conformance.passed_floor(BASELINE, "slt", name)
    r = slt.run_file(CORPUS / "slt" / name, _Flaky)
    assert floor > 0 and r.passed < floor
    name = "boolean.sqltest"
    floor = conformance.passed_floor(BASELINE, "sqltest", name)
    r = sqltest.run_file(CORPUS / "sqltest" / "cases" / name, _Flaky)
    assert floor > 0 and r.passed < floor
