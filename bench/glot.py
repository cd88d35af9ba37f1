"""sqlglot's executor (a pure-Python SQL engine) as a third column of the
bench, for issue 4's goal: every workload at least 10 times faster on pyrite
than on the fastest pure-Python engine that can run it.

sqlglot is an optional dev tool (``pip install '.[bench]'``); without it the
bench runs as before.  The executor has no storage of its own: its tables are
Python data, loaded (untimed) from the sqlite3 database of the same run as it
stands just before the workload.  The workload is first replayed on sqlite3
through a recorder (untimed) to learn the statements it runs, their
parameters and sqlite3's rows; only sqlglot's execution of those statements
is timed.  A workload counts only when sqlglot returns sqlite3's rows: an
unsupported statement, an error or a different answer is reported as such.
"""

from __future__ import annotations

import dataclasses
import math
import re
import time
from collections.abc import Callable
from typing import Any

# The read-only workloads (speedtest1 test numbers, microbenchmark names).
SPEEDTESTS = frozenset({130, 140, 142, 145, 160, 161, 170, 310, 320, 410, 510, 520})
MICROS = frozenset({
    "full scan + aggregate", "point lookup by rowid", "point lookup by index",
    "range scan by index", "sort with LIMIT", "join", "fetchall of a whole table",
})

_TXN = re.compile(r"\s*(BEGIN|COMMIT|END|ROLLBACK)\b", re.IGNORECASE)
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?(\d*)")
_ROWID = re.compile(r"\browid\b", re.IGNORECASE)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)


def available() -> bool:
    try:
        import sqlglot.executor  # noqa: F401, PLC0415
    except Exception:
        return False
    return True


def version() -> str:
    import sqlglot  # noqa: PLC0415

    return str(sqlglot.__version__)


class Unsupported(Exception):
    """The workload is outside what the executor can be asked (it writes)."""


@dataclasses.dataclass
class Query:
    sql: str  # parameters bound as literals
    rows: list[tuple]  # sqlite3's answer
    ordered: bool  # an ORDER BY fixes the order of the rows


class _Cursor:
    def __init__(self, rows: list) -> None:
        self._rows = rows

    def fetchall(self) -> list:
        return self._rows

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None


class Recorder:
    """Stands in for a sqlite3 connection: runs every statement on it and
    keeps the SELECTs with their rows.  Transaction control passes through
    (sqlglot has no transactions); any other statement makes the workload
    one sqlglot cannot be given."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.queries: list[Query] = []

    def execute(self, sql: str, params: Any = ()) -> _Cursor:
        if _TXN.match(sql):
            self.conn.execute(sql)
            return _Cursor([])
        if not sql.lstrip()[:6].upper() == "SELECT":
            raise Unsupported(f"writes: {sql[:40]}")
        rows = self.conn.execute(sql, params).fetchall()
        self.queries.append(Query(bind(sql, params), rows, bool(_ORDER_BY.search(sql))))
        return _Cursor(rows)

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        self.conn.create_function(*args, **kwargs)


def literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Unsupported(f"parameter {value!r}")
        return repr(value)
    if isinstance(value, bytes):
        return "X'" + value.hex() + "'"
    return "'" + str(value).replace("'", "''") + "'"


def bind(sql: str, params: Any) -> str:
    """The statement with its ``?``/``?NNN`` parameters written as literals
    (sqlglot's parser takes no numbered parameters), quoted text left alone."""
    if not params:
        return sql
    seq = list(params)
    nxt = 0

    def repl(m: re.Match[str]) -> str:
        nonlocal nxt
        if not m.group(0).startswith("?"):
            return m.group(0)
        index = int(m.group(1)) - 1 if m.group(1) else nxt
        nxt = max(nxt, index + 1)
        return literal(seq[index])

    return _TOKENS.sub(repl, sql)


def _unquoted(sql: str) -> str:
    return _TOKENS.sub(lambda m: "?" if m.group(0).startswith("?") else "''", sql)


def load_tables(conn: Any, with_rowid: bool) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """Every user table of the sqlite3 database as sqlglot executor tables,
    and their schema (column -> type of the first non-NULL value, as the
    executor would infer it from the first row).  ``with_rowid`` adds the
    hidden rowid as a column of the tables that have one."""
    from sqlglot.executor.table import ensure_tables  # noqa: PLC0415

    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_schema WHERE type='table' AND name NOT LIKE 'sqlite%'")]
    data: dict[str, list[dict[str, Any]]] = {}
    schema: dict[str, dict[str, str]] = {}
    for name in names:
        cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
        select = ", ".join(f'"{c}"' for c in cols)
        if with_rowid and "rowid" not in (c.lower() for c in cols):
            try:
                conn.execute(f'SELECT rowid FROM "{name}" LIMIT 0')
                cols = ["rowid", *cols]
                select = "rowid, " + select
            except Exception:
                pass  # WITHOUT ROWID
        rows = conn.execute(f'SELECT {select} FROM "{name}"').fetchall()
        data[name] = [dict(zip(cols, r, strict=True)) for r in rows]
        schema[name] = {c: _type_of([r[i] for r in rows]) for i, c in enumerate(cols)}
    return ensure_tables(data, dialect="sqlite").mapping, schema


def _type_of(values: list[Any]) -> str:
    from sqlglot import exp  # noqa: PLC0415
    from sqlglot.optimizer.annotate_types import annotate_types  # noqa: PLC0415

    for v in values:
        if v is not None:
            typ = annotate_types(exp.convert(v), dialect="sqlite").type
            return str(typ) if typ else type(v).__name__
    return "UNKNOWN"


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0) or a == b
    return type(a) is type(b) and a == b


def _sort_key(row: tuple) -> tuple:
    return tuple((type(v).__name__, repr(v)) for v in row)


def same_rows(got: list[tuple], want: list[tuple], ordered: bool) -> bool:
    if len(got) != len(want):
        return False
    if not ordered:
        got, want = sorted(got, key=_sort_key), sorted(want, key=_sort_key)
    return all(len(g) == len(w) and all(map(_same_value, g, w))
               for g, w in zip(got, want, strict=True))


def _first_line(exc: BaseException) -> str:
    """The root cause of an executor error (its step wrapper names a plan
    node by object id, which changes from run to run)."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    text = str(exc).strip().splitlines()
    line = re.sub(r" \(\d+\)", "", text[0] if text else "")
    return f"{type(exc).__name__}: {line}"[:200]


def run_queries(queries: list[Query], tables: dict[str, Any], schema: dict[str, Any],
                repeat: int = 1) -> tuple[float | None, str | None]:
    """Best time over up to ``repeat`` runs of the queries on sqlglot (fewer
    once a second is spent: its slow runs vary little), checking the rows of
    the first run against sqlite3's; or why it cannot run them."""
    from sqlglot.executor import execute  # noqa: PLC0415

    best: float | None = None
    spent = 0.0
    for attempt in range(repeat):
        if spent > 1.0:
            break
        results = []
        t0 = time.perf_counter()
        try:
            for q in queries:
                results.append(execute(q.sql, schema=schema, dialect="sqlite", tables=tables))
        except Exception as exc:
            return None, "unsupported: " + _first_line(exc)
        secs = time.perf_counter() - t0
        spent += secs
        if attempt == 0:
            for q, result in zip(queries, results, strict=True):
                if not same_rows([tuple(r) for r in result.rows], q.rows, q.ordered):
                    return None, f"wrong result: {q.sql[:60]}"
        best = secs if best is None else min(best, secs)
    return best, None


def run_workload(conn: Any, replay: Callable[[Recorder], None],
                 repeat: int = 1) -> tuple[float | None, str | None]:
    """Replay a workload on the sqlite3 connection ``conn`` to record it,
    load the tables, then time sqlglot on the recorded queries."""
    rec = Recorder(conn)
    try:
        replay(rec)
    except Unsupported as exc:
        try:
            conn.execute("ROLLBACK")
        except Exception:
            pass
        return None, f"not read-only ({exc})"
    if not rec.queries:
        return None, "no queries"
    with_rowid = any(_ROWID.search(_unquoted(q.sql)) for q in rec.queries)
    try:
        tables, schema = load_tables(conn, with_rowid)
    except Exception as exc:
        return None, "loading tables: " + _first_line(exc)
    return run_queries(rec.queries, tables, schema, repeat)
