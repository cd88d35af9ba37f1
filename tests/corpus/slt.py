"""sqllogictest runner for /work/shared/corpus/slt (format: slt/about.wiki).

Renders values as the reference runner (sqllogictest's slt_sqlite.c) does:
NULL -> "NULL"; I columns -> "%lld" of sqlite3_column_int64; R columns ->
"%.3f" of sqlite3_column_double; T columns -> the text, "(empty)" when empty,
every byte outside ' '..'~' shown as '@'.  rowsort sorts rows (strcmp on
each rendered column in turn), valuesort sorts single values.  When a result
has more values than hash-threshold (and the threshold is not 0) it is
compared as "N values hashing to <md5 of value+'\\n' for each value>".

We are the database "sqlite" for skipif/onlyif.

Usage: python tests/corpus/slt.py [--engine sqlite3|pyrite] FILE...
"""

from __future__ import annotations

import decimal
import hashlib
import math
import pathlib
import re
import sys
import time
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    from common import (  # type: ignore[no-redef]
        Budget,
        BudgetExceeded,
        Connect,
        FileResult,
        close_quietly,
        describe,
        pyrite_connect_or_none,
        real_to_text,
        split_statements,
        stdlib_connect,
    )
else:
    from .common import (
        Budget,
        BudgetExceeded,
        Connect,
        FileResult,
        close_quietly,
        describe,
        pyrite_connect_or_none,
        real_to_text,
        split_statements,
        stdlib_connect,
    )

DB_NAME = "sqlite"
_INT_PREFIX = re.compile(rb"^[ \t\n\f\r\v]*([+-]?)0*(\d*)")
_REAL_PREFIX = re.compile(
    rb"^[ \t\n\f\r\v]*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
)
_HASH_LINE = re.compile(r"^(\d+) values hashing to ([0-9a-f]{32})$")
I64_MIN, I64_MAX = -(2**63), 2**63 - 1


# ----------------------------------------------------------------------------
# value rendering (sqlite3_column_* conversions, then printf)


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, float):
        return real_to_text(value).encode()
    return str(value).encode()


def column_int64(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return 0
        if value <= I64_MIN:
            return I64_MIN
        if value >= I64_MAX:
            return I64_MAX
        return int(value)
    m = _INT_PREFIX.match(_as_bytes(value))
    if not m or not m.group(2):
        return 0
    n = int(m.group(2))
    if m.group(1) == b"-":
        n = -n
    return max(I64_MIN, min(I64_MAX, n))


def column_double(value: Any) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    m = _REAL_PREFIX.match(_as_bytes(value))
    if not m:
        return 0.0
    try:
        return float(m.group(1))
    except (ValueError, OverflowError):
        return 0.0


def render(value: Any, kind: str) -> str:
    if value is None:
        return "NULL"
    if kind == "I":
        return str(column_int64(value))
    if kind == "R":
        return format_real3(column_double(value))
    raw = _as_bytes(value)
    if not raw:
        return "(empty)"
    return "".join(chr(b) if 0x20 <= b <= 0x7E else "@" for b in raw)


def format_real3(value: float) -> str:
    """sqlite3_snprintf("%.3f"): at most 16 significant digits, then zeros,
    rounded half away from zero."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    d = decimal.Decimal(f"{value:.15e}")
    text = format(d.quantize(decimal.Decimal("0.001"), rounding=decimal.ROUND_HALF_UP), "f")
    if value == 0 and math.copysign(1.0, value) < 0:
        text = "-" + text.lstrip("-")
    return text


def md5_of(values: list[str]) -> str:
    h = hashlib.md5()
    for v in values:
        h.update(v.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


# ----------------------------------------------------------------------------
# parsing


class Record:
    __slots__ = ("kind", "line", "args", "sql", "expected", "conds")

    def __init__(self, kind: str, line: int, args: list[str]) -> None:
        self.kind = kind
        self.line = line
        self.args = args
        self.sql = ""
        self.expected: list[str] | None = None
        self.conds: list[tuple[str, str]] = []


def parse(text: str) -> list[Record]:
    records: list[Record] = []
    lines = text.split("\n")
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i].rstrip("\r")
        if not line.strip() or line.startswith("#"):
            i += 1
            continue
        conds: list[tuple[str, str]] = []
        start = i + 1
        # Conditions precede the record they govern.
        while line.split()[0] in ("skipif", "onlyif"):
            words = line.split()
            conds.append((words[0], words[1] if len(words) > 1 else ""))
            i += 1
            if i >= n:
                break
            line = lines[i].rstrip("\r")
        if i >= n:
            break
        words = line.split()
        kind = words[0]
        rec = Record(kind, i + 1 if conds else start, words[1:])
        rec.conds = conds
        i += 1
        if kind in ("statement", "query"):
            body: list[str] = []
            while i < n and lines[i].rstrip("\r").strip() and lines[i].rstrip("\r") != "----":
                body.append(lines[i].rstrip("\r"))
                i += 1
            rec.sql = "\n".join(body)
            if i < n and lines[i].rstrip("\r") == "----":
                i += 1
                expected: list[str] = []
                while i < n and lines[i].rstrip("\r") != "":
                    expected.append(lines[i].rstrip("\r"))
                    i += 1
                rec.expected = expected
        records.append(rec)
    return records


def applies(rec: Record) -> bool:
    for verb, db in rec.conds:
        if verb == "skipif" and db == DB_NAME:
            return False
        if verb == "onlyif" and db != DB_NAME:
            return False
    return True


# ----------------------------------------------------------------------------
# running


def _query_values(conn: Any, rec: Record) -> tuple[list[str], int]:
    types = rec.args[0] if rec.args else ""
    cur = conn.execute(rec.sql)
    rows = cur.fetchall()
    ncol = len(cur.description) if cur.description else (len(rows[0]) if rows else 0)
    if rows and len(types) != ncol:
        raise AssertionError(f"{ncol} columns but type string {types!r}")
    rendered = [[render(v, types[j]) for j, v in enumerate(row)] for row in rows]
    mode = rec.args[1] if len(rec.args) > 1 else "nosort"
    if mode == "rowsort":
        rendered.sort()
        values = [v for row in rendered for v in row]
    elif mode == "valuesort":
        values = sorted(v for row in rendered for v in row)
    else:
        values = [v for row in rendered for v in row]
    return values, ncol


def run_file(
    path: str | pathlib.Path,
    connect: Connect,
    *,
    budget_seconds: float | None = 120.0,
    db_path: str | None = None,
) -> FileResult:
    """Run one .test file on a fresh database; never raises for engine faults."""
    import os  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    path = pathlib.Path(path)
    result = FileResult(str(path))
    t0 = time.monotonic()
    try:
        records = parse(path.read_text(encoding="utf-8", errors="surrogateescape"))
    except Exception as exc:  # a file we cannot read is one failed case
        result.run = 1
        result.fail(str(path), describe(exc))
        return result
    tmpdir = None
    if db_path is None:
        tmpdir = tempfile.TemporaryDirectory(prefix="slt-")
        db_path = os.path.join(tmpdir.name, "test.db")
    budget = Budget(budget_seconds)
    conn: Any = None
    old_cwd = os.getcwd()
    if tmpdir is not None:
        os.chdir(tmpdir.name)  # a relative ATTACH lands in the temporary directory
    try:
        try:
            with budget.guard():
                conn = connect(db_path)
        except (Exception, BudgetExceeded) as exc:
            countable = [r for r in records if r.kind in ("statement", "query") and applies(r)]
            result.run = len(countable)
            result.fail("connect", describe(exc))
            return result
        hash_threshold = 0
        labels: dict[str, str] = {}
        for idx, rec in enumerate(records):
            if rec.kind == "halt":
                if applies(rec):
                    rest = [r for r in records[idx + 1 :] if r.kind in ("statement", "query")]
                    result.skip("after halt", len(rest))
                    break
                continue
            if rec.kind == "hash-threshold":
                hash_threshold = int(rec.args[0])
                continue
            if rec.kind not in ("statement", "query"):
                continue  # unknown control record: ignored as the reference does
            if not applies(rec):
                result.skip("skipif/onlyif")
                continue
            if budget.expired():
                result.timed_out = True
                rest = [r for r in records[idx:] if r.kind in ("statement", "query") and applies(r)]
                result.skip("time budget", len(rest))
                break
            result.run += 1
            where = f"{path.name}:{rec.line}"
            try:
                with budget.guard(conn):
                    ok, why = _run_record(conn, rec, hash_threshold, labels)
            except BudgetExceeded:
                result.timed_out = True
                result.fail(where, "time budget exceeded")
                rest = [r for r in records[idx + 1 :] if r.kind in ("statement", "query") and applies(r)]
                result.skip("time budget", len(rest))
                break
            except Exception as exc:
                ok, why = False, describe(exc)
            if ok:
                result.passed += 1
            else:
                result.fail(where, why)
    finally:
        if conn is not None:
            close_quietly(conn)
        os.chdir(old_cwd)
        if tmpdir is not None:
            tmpdir.cleanup()
        result.seconds = time.monotonic() - t0
    return result


def _run_record(
    conn: Any, rec: Record, hash_threshold: int, labels: dict[str, str]
) -> tuple[bool, str]:
    if rec.kind == "statement":
        expect_ok = rec.args[:1] == ["ok"]
        try:
            # The reference runs every statement of the record.
            for sql in split_statements(rec.sql) or [rec.sql]:
                cur = conn.execute(sql)
                if cur is not None and getattr(cur, "description", None):
                    cur.fetchall()
        except Exception as exc:
            if expect_ok:
                return False, describe(exc)
            return True, ""
        if expect_ok:
            return True, ""
        return False, "statement succeeded, error expected"
    # query
    values, _ = _query_values(conn, rec)
    label = rec.args[2] if len(rec.args) > 2 else None
    digest = md5_of(values)
    if label is not None:
        seen = labels.setdefault(label, digest)
        if seen != digest:
            return False, f"label {label}: hash {digest} != {seen}"
    expected = rec.expected
    if expected is None:
        return True, ""
    if len(expected) == 1:
        m = _HASH_LINE.match(expected[0].strip())
        if m:
            got = f"{len(values)} values hashing to {digest}"
            if int(m.group(1)) == len(values) and m.group(2) == digest:
                return True, ""
            return False, f"got {got}, expected {expected[0]}"
    if hash_threshold > 0 and len(values) > hash_threshold:
        got_lines = [f"{len(values)} values hashing to {digest}"]
    else:
        got_lines = values
    if [e.strip() for e in expected] == [g.strip() for g in got_lines]:
        return True, ""
    return False, f"got {got_lines[:8]!r}, expected {expected[:8]!r}"


def main(argv: list[str] | None = None) -> int:
    import argparse  # noqa: PLC0415

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", choices=["sqlite3", "pyrite"], default="sqlite3")
    ap.add_argument("--budget", type=float, default=120.0)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args(argv)
    connect = stdlib_connect if args.engine == "sqlite3" else pyrite_connect_or_none()
    if connect is None:
        print("pyrite cannot run queries yet", file=sys.stderr)
        return 2
    bad = 0
    for f in args.files:
        r = run_file(f, connect, budget_seconds=args.budget)
        print(f"{f}: run {r.run} passed {r.passed} skipped {r.skipped} ({r.seconds:.1f}s)")
        if r.failures:
            bad += 1
            for case, why in r.failures[: (50 if args.verbose else 3)]:
                print(f"  FAIL {case}: {why}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
