"""Fast conformance subset against pyrite, held to the ledger.

A handful of small slt files and a slice of .sqltest files run against
``pyrite.connect``; no file may pass fewer cases than conformance/ledger.json
records for it (`make conformance` rewrites the ledger).  While pyrite cannot
open a database yet, every file counts as passing 0, which the ledger must
then also say: the check tightens by itself as the ledger grows.
"""

from __future__ import annotations

import pathlib

import pytest
from tests.conftest import CORPUS
from tests.corpus import conformance, slt, sqltest
from tests.corpus.common import pyrite_connect_or_none

SLT_SUBSET = [
    "evidence/slt_lang_dropindex.test",
    "evidence/slt_lang_droptrigger.test",
    "evidence/slt_lang_droptable.test",
    "evidence/slt_lang_dropview.test",
    "evidence/slt_lang_replace.test",
    "evidence/slt_lang_reindex.test",
    "evidence/slt_lang_createview.test",
    "evidence/in2.test",
    "evidence/slt_lang_update.test",
    "evidence/slt_lang_aggfunc.test",
]
SQLTEST_SUBSET = [
    "boolean.sqltest",
    "char.sqltest",
    "coalesce/memory.sqltest",
    "default_value.sqltest",
    "distinct.sqltest",
    "glob/memory.sqltest",
    "limit.sqltest",
    "null/memory.sqltest",
    "offset/memory.sqltest",
    "rollback.sqltest",
    "row-value-in.sqltest",
    "aggregate-of-outer-column.sqltest",
    "pragma-count-changes.sqltest",
]
# Seconds per file: the whole subset stays under a minute even when pyrite
# is slow; the ledger itself is written with generous budgets.
FILE_BUDGET = 3.0

LEDGER = conformance.load(conformance.LEDGER)
CONNECT = pyrite_connect_or_none()


@pytest.mark.parametrize("name", SLT_SUBSET)
def test_slt_subset_not_below_ledger(corpus: pathlib.Path, name: str) -> None:
    floor = conformance.passed_floor(LEDGER, "slt", name)
    path = CORPUS / "slt" / name
    assert path.is_file()
    if CONNECT is None:
        assert floor == 0, f"ledger says pyrite passed {floor} in {name}, but pyrite cannot run"
        return
    r = slt.run_file(path, CONNECT, budget_seconds=FILE_BUDGET)
    assert r.run + r.skipped > 0
    assert r.passed >= floor, f"{name}: passed {r.passed} < ledger {floor}; {r.failures[:3]}"


@pytest.mark.parametrize("name", SQLTEST_SUBSET)
def test_sqltest_subset_not_below_ledger(corpus: pathlib.Path, name: str) -> None:
    floor = conformance.passed_floor(LEDGER, "sqltest", name)
    path = CORPUS / "sqltest" / "cases" / name
    assert path.is_file()
    if CONNECT is None:
        assert floor == 0, f"ledger says pyrite passed {floor} in {name}, but pyrite cannot run"
        return
    r = sqltest.run_file(path, CONNECT, budget_seconds=FILE_BUDGET)
    assert r.run + r.skipped > 0
    assert r.passed >= floor, f"{name}: passed {r.passed} < ledger {floor}; {r.failures[:3]}"


def test_ledger_covers_the_corpus() -> None:
    """`make conformance` wrote an entry for every corpus file."""
    assert LEDGER.get("engine") == "pyrite"
    slt_keys = {conformance.slt_key(p) for p in conformance.slt_files()}
    sqltest_keys = {conformance.sqltest_key(p) for p in conformance.sqltest_files()}
    assert slt_keys <= set(LEDGER["slt"]["files"])
    assert sqltest_keys <= set(LEDGER["sqltest"]["files"])
    for corpus in ("slt", "sqltest"):
        for entry in LEDGER[corpus]["files"].values():
            assert 0 <= entry["passed"] <= entry["run"]


def test_every_ledger_failure_has_a_cause() -> None:
    """Each sqltest case Pyrite fails is listed with why (conformance/causes.json
    or the sqlite3 baseline), as the conformance goal requires."""
    section = LEDGER["sqltest"]
    causes = section.get("causes", {})
    assert set(causes) == set(section.get("failing", {}))
    # explained again from the current causes.json, so a cause added after
    # the ledger was written counts without a full corpus run
    causes = conformance.explain_failures(section.get("failing", {}),
                                          conformance.load(conformance.BASELINE),
                                          conformance.load(conformance.CAUSES))
    unexplained = sorted(case for case, cause in causes.items() if cause == "unexplained")
    assert not unexplained, unexplained
