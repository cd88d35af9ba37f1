"""Runner for the .sqltest corpus (/work/shared/corpus/sqltest, dsl-spec.md).

Output is rendered as the sqlite3 shell's list mode: columns joined by '|',
NULL as the empty string, REALs as "%!.15g", blobs as their raw bytes, rows
of every statement of the test in order.  We play the sqlite CLI backend:
`expect @cli` wins over the plain `expect`; `@skip-if sqlite`, `@backend
rust|js`, snapshots and matrix cases are skipped (with their reason).
`expect error` passes when any statement raises (the corpus words errors as
Turso does, so the message is not compared).  Readonly database files are
copied to a temporary directory first; `:default:` databases are not in the
corpus, so those files are skipped.

Usage: python tests/corpus/sqltest.py [--engine sqlite3|pyrite] FILE...
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pathlib
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    from common import (  # type: ignore[no-redef]
        CORPUS,
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
        CORPUS,
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

SQLTEST = CORPUS / "sqltest"
EXPR_DEPTH_LIMIT = 1000  # SQLite's SQLITE_MAX_EXPR_DEPTH
CASE_SECONDS = 20.0  # one case may not eat the whole file budget
UNSUPPORTED_CAPS = {"materialized_views", "custom_types"}


# ----------------------------------------------------------------------------
# rendering


def render_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return real_to_text(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


# ----------------------------------------------------------------------------
# parsing


@dataclasses.dataclass
class Expect:
    kind: str  # "exact", "raw", "error", "pattern", "unordered"
    text: str
    backend: str | None = None


@dataclasses.dataclass
class Case:
    name: str
    sql: str
    line: int
    kind: str = "test"  # test | snapshot | matrix
    setups: list[str] = dataclasses.field(default_factory=list)
    skip: str | None = None
    expects: list[Expect] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class SqlTestFile:
    databases: list[str] = dataclasses.field(default_factory=list)
    setups: dict[str, str] = dataclasses.field(default_factory=dict)
    cases: list[Case] = dataclasses.field(default_factory=list)
    file_skip: str | None = None


def _block(text: str, pos: int) -> tuple[str, int]:
    """Content of the brace block whose '{' is at pos; returns (content, end)."""
    assert text[pos] == "{"
    depth = 0
    i = pos
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "{}":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[pos + 1 : i], i + 1
        i += 1
    raise ValueError(f"unbalanced braces from offset {pos}")


def _quoted(rest: str) -> str:
    m = re.search(r'"([^"]*)"', rest)
    return m.group(1) if m else rest.strip()


def _expand_macros(text: str) -> str:
    def count(expr: str) -> int:
        expr = expr.strip().replace("expr_depth_limit", str(EXPR_DEPTH_LIMIT))
        m = re.fullmatch(r"(\d+)\s*([+-]\s*\d+)?", expr)
        if not m:
            raise ValueError(f"bad repeat count {expr!r}")
        return int(m.group(1)) + (int(m.group(2).replace(" ", "")) if m.group(2) else 0)

    def sub(m: re.Match[str]) -> str:
        body = m.group(1)
        if body.startswith("repeat:"):
            _, cnt, piece = body.split(":", 2)
            return piece * count(cnt)
        if body == "expr_depth_limit":
            return str(EXPR_DEPTH_LIMIT)
        return m.group(0)

    return re.sub(r"\{\{(.*?)\}\}", sub, text)


def parse(text: str) -> SqlTestFile:
    out = SqlTestFile()
    pending_setups: list[str] = []
    pending_skip: str | None = None
    pos = 0
    n = len(text)
    line_starts = [0]
    for m in re.finditer("\n", text):
        line_starts.append(m.end())

    def lineno(p: int) -> int:
        import bisect  # noqa: PLC0415

        return bisect.bisect_right(line_starts, p)

    last_case: Case | None = None
    while pos < n:
        eol = text.find("\n", pos)
        if eol < 0:
            eol = n
        line = text[pos:eol].strip()
        if not line or line.startswith("#"):
            pos = eol + 1
            continue
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        if word == "@database":
            out.databases.append(rest)
        elif word == "@skip-file":
            out.file_skip = _quoted(rest)
        elif word == "@skip-file-if":
            if rest.split()[0] == "sqlite":
                out.file_skip = "skip-file-if sqlite: " + _quoted(rest)
        elif word == "@requires-file":
            if rest.split()[0] in UNSUPPORTED_CAPS:
                out.file_skip = "requires " + rest.split()[0]
        elif word == "@setup":
            pending_setups.append(rest)
        elif word == "@skip":
            pending_skip = "skip: " + _quoted(rest)
        elif word == "@skip-if":
            if rest.split()[0] == "sqlite":
                pending_skip = pending_skip or "skip-if sqlite: " + _quoted(rest)
        elif word == "@backend":
            if rest not in ("cli",):
                pending_skip = pending_skip or f"backend {rest} only"
        elif word == "@requires":
            if rest.split()[0] in UNSUPPORTED_CAPS:
                pending_skip = pending_skip or "requires " + rest.split()[0]
        elif word == "@var":
            # matrix variables: the block is on this line
            brace = text.find("{", pos)
            _, end = _block(text, brace)
            pos = end
            continue
        elif word.startswith("@"):
            pass  # @cross-check-integrity and other runner hints
        elif word in ("setup", "test", "expect") or re.match(r"(snapshot|matrix)[-\w]*$", word):
            brace = text.find("{", pos)
            header = text[pos:brace].split()
            content, end = _block(text, brace)
            if word == "setup":
                out.setups[header[1]] = content
            elif word == "expect":
                mods = header[1:]
                backend = None
                kind = "exact"
                for mod in mods:
                    if mod.startswith("@"):
                        backend = mod[1:]
                    elif mod in ("error", "pattern", "unordered", "raw"):
                        kind = mod
                if last_case is not None:
                    last_case.expects.append(Expect(kind, content, backend))
            else:
                case = Case(
                    name=header[1] if len(header) > 1 else f"line{lineno(pos)}",
                    sql=content,
                    line=lineno(pos),
                    kind="test" if word == "test" else word,
                    setups=pending_setups,
                    skip=pending_skip,
                )
                out.cases.append(case)
                last_case = case
                pending_setups, pending_skip = [], None
            pos = end
            continue
        pos = eol + 1
    return out


# ----------------------------------------------------------------------------
# running


_DOT_COMMAND = re.compile(r"^\s*\.[a-z]+", re.M)


def _dot_command(sql: str) -> bool:
    """Shell commands (.headers, .schema, ...) need the sqlite3 shell."""
    return bool(_DOT_COMMAND.search(sql))


def _choose_expect(case: Case) -> Expect | None:
    by_backend = {e.backend: e for e in case.expects}
    return by_backend.get("cli") or by_backend.get(None)


def _expected_lines(exp: Expect) -> list[str]:
    text = exp.text.replace("\\{", "{").replace("\\}", "}")
    if exp.kind == "raw":
        if text.startswith("\n"):
            text = text[1:]
        if text.endswith("\n"):
            text = text[:-1]
        return text.split("\n")
    lines = [ln.strip() for ln in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def run_sql(conn: Any, sql: str) -> list[str]:
    """Run every statement; the list-mode lines of every result row."""
    lines: list[str] = []
    for stmt in split_statements(sql):
        cur = conn.execute(stmt)
        if cur is not None and getattr(cur, "description", None):
            for row in cur.fetchall():
                lines.append("|".join(render_value(v) for v in row))
    return lines


def check(exp: Expect, lines: list[str] | None, error: str | None) -> tuple[bool, str]:
    if exp.kind == "error":
        if error is not None:
            return True, ""
        return False, f"no error; got {lines[:5]!r}"
    if error is not None:
        return False, error
    assert lines is not None
    expected = _expected_lines(exp)
    if exp.kind == "pattern":
        got = "\n".join(lines)
        pat = "\n".join(expected)
        if re.search(pat, got):
            return True, ""
        return False, f"{got[:200]!r} !~ {pat[:200]!r}"
    if exp.kind == "raw":
        got_lines = list(lines)
    else:
        got_lines = [ln.strip() for ln in lines]
        while got_lines and not got_lines[-1]:
            got_lines.pop()
        while got_lines and not got_lines[0]:
            got_lines.pop(0)
    if exp.kind == "unordered":
        ok = sorted(got_lines) == sorted(expected)
    else:
        ok = got_lines == expected
    if ok:
        return True, ""
    return False, f"got {got_lines[:8]!r}, expected {expected[:8]!r}"


def _db_source(spec: str) -> tuple[str, str | None]:
    """('memory'|'temp'|'file', path) or ('skip', reason)."""
    words = spec.split()
    if not words:
        return "skip", "empty @database"
    name = words[0]
    if name == ":memory:":
        return "memory", None
    if name == ":temp:":
        return "temp", None
    if name.startswith(":default"):
        return "skip", f"database {name} not in corpus"
    candidate = SQLTEST / "databases" / pathlib.Path(name).name
    if candidate.is_file():
        return "file", str(candidate)
    return "skip", f"database {name} not in corpus"


@contextlib.contextmanager
def _cwd(path: str) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def case_ids(path: pathlib.Path) -> list[str]:
    parsed = parse(path.read_text(encoding="utf-8"))
    return [c.name for c in parsed.cases]


def run_file(
    path: str | pathlib.Path,
    connect: Connect,
    *,
    budget_seconds: float | None = 120.0,
    only: set[str] | None = None,
) -> FileResult:
    path = pathlib.Path(path)
    result = FileResult(str(path))
    t0 = time.monotonic()
    try:
        parsed = parse(_expand_macros(path.read_text(encoding="utf-8")))
    except Exception as exc:
        result.run = 1
        result.fail(path.name, "parse: " + describe(exc))
        return result
    budget = Budget(budget_seconds)
    cases = [c for c in parsed.cases if only is None or c.name in only]
    with tempfile.TemporaryDirectory(prefix="sqltest-") as tmp, _cwd(tmp):
        # (cwd: a relative ATTACH creates its file in the temporary directory)
        for db_index, spec in enumerate(parsed.databases or [":memory:"]):
            source, where = _db_source(spec)
            for case in cases:
                case_id = f"{path.stem}::{case.name}" + (f"[{db_index}]" if db_index else "")
                if parsed.file_skip:
                    result.skip(parsed.file_skip)
                    continue
                if source == "skip":
                    result.skip(where or "database")
                    continue
                if case.kind != "test":
                    result.skip(f"{case.kind} case (Turso-only)")
                    continue
                if case.skip:
                    result.skip(case.skip)
                    continue
                if _dot_command(case.sql) or any(
                    _dot_command(parsed.setups.get(name, "")) for name in case.setups
                ):
                    result.skip("sqlite3 shell dot-command")
                    continue
                exp = _choose_expect(case)
                if exp is None:
                    result.skip("no expectation for cli")
                    continue
                if budget.expired():
                    result.timed_out = True
                    result.skip("time budget")
                    continue
                result.run += 1
                ok, why = _run_case(connect, parsed, case, exp, source, where, tmp, budget)
                if ok:
                    result.passed += 1
                else:
                    result.fail(case_id, why)
    result.seconds = time.monotonic() - t0
    return result


def _run_case(
    connect: Connect,
    parsed: SqlTestFile,
    case: Case,
    exp: Expect,
    source: str,
    where: str | None,
    tmp: str,
    budget: Budget,
) -> tuple[bool, str]:
    conn: Any = None
    db_path = ":memory:"
    if source in ("temp", "file"):
        db_path = os.path.join(tmp, "case.db")
        for suffix in ("", "-journal", "-wal", "-shm"):
            if os.path.exists(db_path + suffix):
                os.remove(db_path + suffix)
        if source == "file":
            assert where is not None
            shutil.copyfile(where, db_path)
            os.chmod(db_path, 0o644)
    try:
        with budget.guard(lambda: conn, cap=CASE_SECONDS):
            try:
                conn = connect(db_path)
            except Exception as exc:
                return False, "connect: " + describe(exc)
            for name in case.setups:
                if name not in parsed.setups:
                    return False, f"unknown setup {name}"
                try:
                    run_sql(conn, parsed.setups[name])
                except Exception as exc:
                    return False, f"setup {name}: " + describe(exc)
            lines: list[str] | None = None
            error: str | None = None
            try:
                lines = run_sql(conn, case.sql)
            except Exception as exc:
                error = describe(exc)
            return check(exp, lines, error)
    except BudgetExceeded:
        return False, "time budget exceeded"
    finally:
        if conn is not None:
            close_quietly(conn)


def all_files() -> list[pathlib.Path]:
    return sorted((SQLTEST / "cases").rglob("*.sqltest"))


def main(argv: list[str] | None = None) -> int:
    import argparse  # noqa: PLC0415

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", choices=["sqlite3", "pyrite"], default="sqlite3")
    ap.add_argument("--budget", type=float, default=120.0)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args(argv)
    connect = stdlib_connect if args.engine == "sqlite3" else pyrite_connect_or_none()
    if connect is None:
        print("pyrite cannot run queries yet", file=sys.stderr)
        return 2
    files = [pathlib.Path(f) for f in args.files] or all_files()
    totals = [0, 0, 0]
    for f in files:
        r = run_file(f, connect, budget_seconds=args.budget)
        totals[0] += r.run
        totals[1] += r.passed
        totals[2] += r.skipped
        print(f"{f}: run {r.run} passed {r.passed} skipped {r.skipped} ({r.seconds:.1f}s)")
        for case, why in r.failures[: (50 if args.verbose else 3)]:
            print(f"  FAIL {case}: {why}")
    print(f"TOTAL run {totals[0]} passed {totals[1]} skipped {totals[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
