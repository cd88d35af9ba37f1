"""Shared pieces of the corpus runners: results, time budgets, engine lookup.

Both runners (slt.py, sqltest.py) take a ``connect(path)`` function, so the
same runner drives the standard library's ``sqlite3`` (to prove the runner
itself) and ``pyrite.connect``.  Every Python exception raised by the engine
counts as a failure of the record that raised it; a record that runs past the
file's time budget is interrupted by SIGALRM (pure-Python engines can always
be interrupted that way) and the rest of the file is skipped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import pathlib
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
Connect = Callable[[str], Any]


class BudgetExceeded(BaseException):
    """Raised inside a record when the file's time budget is spent.

    A BaseException so that an engine's ``except Exception`` cannot eat it.
    """


@dataclasses.dataclass
class FileResult:
    path: str
    run: int = 0
    passed: int = 0
    skipped: int = 0
    skip_reasons: dict[str, int] = dataclasses.field(default_factory=dict)
    failures: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    timed_out: bool = False
    seconds: float = 0.0

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped += count
        self.skip_reasons[reason] = self.skip_reasons.get(reason, 0) + count

    def fail(self, case: str, why: str) -> None:
        self.failures.append((case, why[:300]))

    def summary(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "passed": self.passed,
            "skipped": self.skipped,
            "timed_out": self.timed_out,
        }


class Budget:
    """A per-file deadline; ``guard()`` wraps one record."""

    def __init__(self, seconds: float | None) -> None:
        self.deadline = None if seconds is None else time.monotonic() + seconds

    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    @contextlib.contextmanager
    def guard(self, conn: Any = None, cap: float | None = None) -> Iterator[None]:
        """Run one record under the deadline.

        ``conn`` is a connection or a zero-argument callable returning the
        current one (None until it is opened).  Pure-Python engines are
        stopped by SIGALRM; a C engine (stdlib sqlite3) never returns to the
        interpreter while it loops, so a watchdog thread also calls
        ``interrupt()`` on it.
        """
        if self.deadline is None:
            yield
            return
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise BudgetExceeded()
        if cap is not None:
            remaining = min(remaining, cap)
        fired = threading.Event()

        def current() -> Any:
            return conn() if callable(conn) and not hasattr(conn, "execute") else conn

        def watchdog() -> None:
            fired.set()
            target = current()
            if isinstance(target, sqlite3.Connection):
                with contextlib.suppress(Exception):
                    target.interrupt()

        timer = threading.Timer(remaining, watchdog)
        timer.daemon = True
        use_signal = threading.current_thread() is threading.main_thread() and hasattr(
            signal, "setitimer"
        )
        old: Any = None
        if use_signal:

            def on_alarm(signum: int, frame: Any) -> None:
                raise BudgetExceeded()

            old = signal.signal(signal.SIGALRM, on_alarm)
            signal.setitimer(signal.ITIMER_REAL, remaining + 0.05)
        timer.start()
        try:
            try:
                yield
            except sqlite3.OperationalError:
                if fired.is_set():
                    raise BudgetExceeded() from None
                raise
            if fired.is_set():
                raise BudgetExceeded()
        finally:
            timer.cancel()
            if use_signal:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)


def stdlib_connect(path: str) -> Any:
    conn = sqlite3.connect(path, isolation_level=None)
    return conn


def pyrite_connect_or_none() -> Connect | None:
    """``pyrite.connect`` wrapped for the runners, or None if pyrite cannot
    open and query a database yet."""
    try:
        import pyrite  # noqa: PLC0415
    except Exception:
        return None
    connect = getattr(pyrite, "connect", None)
    if connect is None:
        return None

    def open_db(path: str) -> Any:
        try:
            conn = connect(path, isolation_level=None)
        except TypeError:
            conn = connect(path)
        with contextlib.suppress(Exception):
            conn.isolation_level = None
        return conn

    try:
        with Budget(10.0).guard():
            conn = open_db(":memory:")
            alive = conn.execute("SELECT 1").fetchall()
            conn.close()
        # A row is a tuple (or a Row that compares like one).
        if list(alive[0]) != [1]:
            return None
    except (Exception, BudgetExceeded):
        return None
    return open_db


_RENDER_DB = sqlite3.connect(":memory:", check_same_thread=False)


@functools.lru_cache(maxsize=65536)
def real_to_text(value: float) -> str:
    """SQLite's "%!.15g" text of a REAL, as sqlite3_column_text and the shell
    give it.  Asked of the stdlib sqlite3 (the oracle) rather than of
    pyrite.values, so the runners do not depend on the engine they judge."""
    if math.isnan(value):
        return ""  # SQLite turns NaN into NULL
    return _RENDER_DB.execute("SELECT CAST(? AS TEXT)", (value,)).fetchone()[0]


def close_quietly(conn: Any) -> None:
    with contextlib.suppress(Exception):
        conn.close()


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def split_statements(sql: str) -> list[str]:
    """Split a script into complete statements (triggers kept whole)."""
    out: list[str] = []
    buf = ""
    for piece in sql.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \t\r\n;"):
                out.append(buf.strip())
            buf = ""
    rest = buf[:-1]  # drop the ';' added after the last piece
    if rest.strip() and not _only_comments(rest):
        out.append(rest.strip())
    return out


def _only_comments(text: str) -> bool:
    lines = [ln.strip() for ln in text.strip().splitlines()]
    return all(not ln or ln.startswith("--") for ln in lines)
