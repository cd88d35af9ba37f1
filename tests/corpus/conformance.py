"""Conformance run: every corpus file against an engine, and the ledger.

    python tests/corpus/conformance.py [--engine pyrite|sqlite3] [--write]
        [--only slt|sqltest] [--budget-slt S] [--budget-sqltest S] [FILTER...]

Against pyrite (the default) ``--write`` rewrites conformance/ledger.json:
per corpus file cases run, passed and skipped, and for the sqltest set the
list of failing cases with the first words of their failure and their cause
(conformance/causes.json, or the sqlite3 baseline when 3.40.1 fails it too).  Against the
standard library's sqlite3 ``--write`` rewrites conformance/sqlite3-baseline.json,
the runners' own baseline: what SQLite 3.40.1 passes (the sqltest corpus was
produced with 3.50.4, so a few cases legitimately fail there; they are listed
with their cause).  FILTER restricts the run to files whose path contains it
(and then --write merges into the existing ledger instead of replacing it).

The fast tests in tests/corpus/test_*.py compare against these files: a
file's passed count may rise, never fall.
"""

from __future__ import annotations

import datetime
import json
import pathlib
import sys
import time
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
if __package__ in (None, ""):
    sys.path.insert(0, str(HERE))
    import slt  # type: ignore[no-redef]
    import sqltest  # type: ignore[no-redef]
    from common import CORPUS, ROOT, pyrite_connect_or_none, stdlib_connect  # type: ignore[no-redef]
else:
    from . import slt, sqltest
    from .common import CORPUS, ROOT, pyrite_connect_or_none, stdlib_connect

LEDGER = ROOT / "conformance" / "ledger.json"
BASELINE = ROOT / "conformance" / "sqlite3-baseline.json"
CAUSES = ROOT / "conformance" / "causes.json"
SLT = CORPUS / "slt"
SQLTEST_CASES = CORPUS / "sqltest" / "cases"


def slt_files() -> list[pathlib.Path]:
    return sorted(SLT.rglob("*.test"))


def sqltest_files() -> list[pathlib.Path]:
    return sorted(SQLTEST_CASES.rglob("*.sqltest"))


def slt_key(path: pathlib.Path) -> str:
    return path.relative_to(SLT).as_posix()


def sqltest_key(path: pathlib.Path) -> str:
    return path.relative_to(SQLTEST_CASES).as_posix()


def load(path: pathlib.Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def passed_floor(ledger: dict[str, Any], corpus: str, key: str) -> int:
    """The ledger's passed count for one file (0 when absent)."""
    entry = ledger.get(corpus, {}).get("files", {}).get(key)
    return int(entry["passed"]) if entry else 0


def explain_failures(failing: dict[str, str], baseline: dict[str, Any],
                     causes: dict[str, str]) -> dict[str, str]:
    """Why each failing sqltest case fails: the first entry of ``causes``
    (conformance/causes.json: ``file::case`` keys, ``*`` wildcards allowed)
    that matches it, else -- when stdlib sqlite3 fails it too -- the
    corpus being newer than SQLite 3.40.1, else "unexplained"."""
    import fnmatch  # noqa: PLC0415

    known_old = set(baseline.get("sqltest", {}).get("failing", {}))
    out: dict[str, str] = {}
    for case in failing:
        cause = next((c for pattern, c in causes.items()
                      if not pattern.startswith("_") and fnmatch.fnmatchcase(case, pattern)),
                     None)
        if cause is None:
            cause = ("newer than SQLite 3.40.1: the stdlib sqlite3 fails it too"
                     if case in known_old else "unexplained")
        out[case] = cause
    return out


def _cause(why: str) -> str:
    first = why.strip().splitlines()[0] if why.strip() else "failed"
    return first[:160]


def run(
    connect: Any,
    *,
    only: str | None,
    filters: list[str],
    budget_slt: float,
    budget_sqltest: float,
    verbose: bool,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "slt": {"files": {}},
        "sqltest": {"files": {}, "failing": {}},
    }
    wanted = lambda p: not filters or any(f in str(p) for f in filters)  # noqa: E731
    jobs: list[tuple[str, pathlib.Path]] = []
    if only in (None, "slt"):
        jobs += [("slt", p) for p in slt_files() if wanted(p)]
    if only in (None, "sqltest"):
        jobs += [("sqltest", p) for p in sqltest_files() if wanted(p)]
    for corpus, path in jobs:
        if connect is None:
            # The engine cannot run anything: every file passes 0.
            out[corpus]["files"][slt_key(path) if corpus == "slt" else sqltest_key(path)] = {
                "run": 0,
                "passed": 0,
                "skipped": 0,
                "note": "engine not runnable",
            }
            continue
        if corpus == "slt":
            r = slt.run_file(path, connect, budget_seconds=budget_slt)
            key = slt_key(path)
        else:
            r = sqltest.run_file(path, connect, budget_seconds=budget_sqltest)
            key = sqltest_key(path)
            for case, why in r.failures:
                out["sqltest"]["failing"][f"{key}::{case.split('::', 1)[-1]}"] = _cause(why)
        entry = r.summary()
        if r.skip_reasons:
            entry["skip_reasons"] = dict(sorted(r.skip_reasons.items()))
        if corpus == "slt" and r.failures:
            entry["first_failures"] = [f"{c}: {_cause(w)}" for c, w in r.failures[:5]]
        out[corpus]["files"][key] = entry
        print(
            f"{corpus:7} {key}: run {r.run} passed {r.passed} skipped {r.skipped}"
            f"{' TIMEOUT' if r.timed_out else ''} ({r.seconds:.1f}s)",
            flush=True,
        )
        if verbose:
            for case, why in r.failures[:20]:
                print(f"    FAIL {case}: {_cause(why)}")
    for corpus in ("slt", "sqltest"):
        files = out[corpus]["files"].values()
        out[corpus]["total"] = {
            "run": sum(e["run"] for e in files),
            "passed": sum(e["passed"] for e in files),
            "skipped": sum(e["skipped"] for e in files),
        }
    return out


def merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    merged = dict(old)
    for corpus in ("slt", "sqltest"):
        section = dict(merged.get(corpus, {}))
        files = dict(section.get("files", {}))
        files.update(new[corpus]["files"])
        section["files"] = dict(sorted(files.items()))
        if corpus == "sqltest":
            failing = {
                k: v
                for k, v in section.get("failing", {}).items()
                if k.split("::", 1)[0] not in new[corpus]["files"]
            }
            failing.update(new[corpus]["failing"])
            section["failing"] = dict(sorted(failing.items()))
        section["total"] = {
            n: sum(e[n] for e in files.values()) for n in ("run", "passed", "skipped")
        }
        merged[corpus] = section
    return merged


def main(argv: list[str] | None = None) -> int:
    import argparse  # noqa: PLC0415

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", choices=["pyrite", "sqlite3"], default="pyrite")
    ap.add_argument("--write", action="store_true", help="rewrite the ledger")
    ap.add_argument("--only", choices=["slt", "sqltest"])
    ap.add_argument("--budget-slt", type=float, default=900.0, help="seconds per slt file")
    ap.add_argument("--budget-sqltest", type=float, default=300.0, help="seconds per .sqltest file")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("filters", nargs="*")
    args = ap.parse_args(argv)
    if args.engine == "sqlite3":
        connect: Any = stdlib_connect
        target = BASELINE
    else:
        connect = pyrite_connect_or_none()
        target = LEDGER
        if connect is None:
            print("pyrite cannot open a database and run SELECT 1 yet: every file passes 0")
    t0 = time.monotonic()
    result = run(
        connect,
        only=args.only,
        filters=args.filters,
        budget_slt=args.budget_slt,
        budget_sqltest=args.budget_sqltest,
        verbose=args.verbose,
    )
    for corpus in ("slt", "sqltest"):
        t = result[corpus]["total"]
        print(f"TOTAL {corpus}: run {t['run']} passed {t['passed']} skipped {t['skipped']}")
    print(f"({time.monotonic() - t0:.0f}s)")
    if args.write:
        partial = bool(args.filters or args.only)
        ledger = merge(load(target), result) if partial else merge({}, result)
        ledger["engine"] = args.engine
        ledger["updated"] = datetime.datetime.now(datetime.UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        ledger["about"] = (
            "Written by `make conformance` (tests/corpus/conformance.py --write). "
            "Per corpus file: cases run, passed, skipped. tests/corpus checks that "
            "no file's passed count falls below this."
        )
        if args.engine == "pyrite":
            section = ledger["sqltest"]
            section["causes"] = explain_failures(section.get("failing", {}), load(BASELINE),
                                                 load(CAUSES))
        target.parent.mkdir(parents=True, exist_ok=True)
        ordered = {k: ledger[k] for k in ("about", "engine", "updated", "slt", "sqltest")}
        target.write_text(json.dumps(ordered, indent=1, sort_keys=False) + "\n", encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
