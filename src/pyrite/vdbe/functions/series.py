"""The generate_series() table-valued function.

Layer: vdbe (built-in functions).  SQLite's counterpart is
``ext/misc/series.c`` (built into the sqlite3 shell and into SQLite 3.50's
amalgamation builds, not into the stdlib's 3.40.1).  Columns: value and the
hidden arguments start, stop, step.

Semantics (series.c): the rows are start, start+|step|, ... up to stop
inclusive; stop defaults to 4294967295 and step to 1; a step of 0 counts as
1; a negative step lists the same values in descending order; any NULL
argument gives no rows; start is required ("first argument to
"generate_series()" missing or unusable").  Arguments are read as 64-bit
integers (sqlite3_value_int64).
"""

from __future__ import annotations

from typing import Any

from pyrite import values as V
from pyrite.errors import SQLITE_ERROR, raise_error

VALUE, START, STOP, STEP = range(4)
COLUMNS = ("value", "start", "stop", "step")
DEFAULT_STOP = 0xFFFFFFFF


def _int64(v: Any) -> int:
    """sqlite3_value_int64."""
    if type(v) is int:
        return v
    n = V.to_integer(v)
    return n if n is not None else 0


class SeriesModule:
    """The generate_series eponymous virtual table."""

    name = "generate_series"

    def __init__(self) -> None:
        self.columns = [(c, i > 0) for i, c in enumerate(COLUMNS)]

    def best_index(self, constraints: list[tuple[int, str]]) -> tuple[int, str | None,
                                                                      list[tuple[int, bool]]]:
        """idxNum bits 1 start=, 2 stop=, 4 step=; the arguments follow in
        that order and are omitted from the re-check."""
        found: dict[int, int] = {}
        for pos, (col, op) in enumerate(constraints):
            if op == "=" and col in (START, STOP, STEP) and col not in found:
                found[col] = pos
        if START not in found:
            raise_error(SQLITE_ERROR,
                        'first argument to "generate_series()" missing or unusable')
        idx_num = 0
        used: list[tuple[int, bool]] = []
        for bit, col in ((1, START), (2, STOP), (4, STEP)):
            if col in found:
                idx_num |= bit
                used.append((found[col], True))
        return idx_num, None, used

    def __str__(self) -> str:
        return f"vtab:{self.name}"   # VOpen's P4 in EXPLAIN

    def open(self) -> SeriesCursor:
        return SeriesCursor()


class SeriesCursor:
    def __init__(self) -> None:
        self.start = self.stop = self.step = 0
        self.value = 0
        self.count = 0      # rows in the series
        self.pos = 0        # rows produced so far
        self.desc = False

    def filter(self, idx_num: int, idx_str: str | None, args: list[Any]) -> None:
        self.pos = 0
        self.count = 0
        it = iter(args)
        if any(a is None for a in args):
            return
        self.start = _int64(next(it)) if idx_num & 1 else 0
        self.stop = _int64(next(it)) if idx_num & 2 else DEFAULT_STOP
        step = _int64(next(it)) if idx_num & 4 else 1
        if step == 0:
            step = 1
        self.step = step
        self.desc = step < 0
        mag = abs(step)
        if self.stop < self.start:
            return
        self.count = (self.stop - self.start) // mag + 1
        self._mag = mag
        self._set_value()

    def _set_value(self) -> None:
        k = self.count - 1 - self.pos if self.desc else self.pos
        self.value = self.start + k * self._mag

    def eof(self) -> bool:
        return self.pos >= self.count

    def next(self) -> None:
        self.pos += 1
        if self.pos < self.count:
            self._set_value()

    def column(self, i: int) -> Any:
        if i == VALUE:
            return self.value
        if i == START:
            return self.start
        if i == STOP:
            return self.stop
        return self.step

    def rowid(self) -> int:
        return self.pos + 1
