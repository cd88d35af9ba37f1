"""Built-in window functions: row_number, rank, dense_rank, percent_rank,
cume_dist, ntile, first_value, last_value, nth_value, lead, lag.

Layer: vdbe (built-in functions).  SQLite's counterpart is the function part
of ``window.c`` (``row_numberStepFunc`` ... ``aWindowFuncs``).  These are
aggregates driven by the window code the compiler emits, exactly as in
SQLite: the emitted program decides when ``step``, ``inverse`` and ``value``
are called (e.g. rank's ``value`` is read once per peer group, cume_dist's
``step`` runs over the whole partition before ``inverse`` walks it).
lead() and lag() do nothing here: SQLite's window code reads the partition's
rows for them directly (windowReturnOneRow); so do first_value() and
nth_value() for frames that do not start at UNBOUNDED PRECEDING.
"""

from __future__ import annotations

from pyrite.errors import SQLITE_ERROR, raise_error
from pyrite.vdbe.functions.base import (
    AGGREGATE, DETERMINISTIC, WINDOW, WINDOW_ONLY, FuncDef,
)


class RowNumber:
    """row_number(): the number of rows stepped so far."""

    __slots__ = ("n",)

    def __init__(self) -> None:
        self.n = 0

    def step(self) -> None:
        self.n += 1

    def inverse(self) -> None:
        pass

    def value(self) -> int:
        return self.n

    finalize = value


class DenseRank:
    """dense_rank(): steps of a peer group set a flag; value() counts the
    groups seen."""

    __slots__ = ("n_value", "stepped")

    def __init__(self) -> None:
        self.n_value = 0
        self.stepped = False

    def step(self) -> None:
        self.stepped = True

    def inverse(self) -> None:
        pass

    def value(self) -> int:
        if self.stepped:
            self.n_value += 1
            self.stepped = False
        return self.n_value

    finalize = value


class Rank:
    """rank(): the row number of the first row of the current peer group;
    value() answers it and starts a new group."""

    __slots__ = ("n_value", "n_step")

    def __init__(self) -> None:
        self.n_value = 0
        self.n_step = 0

    def step(self) -> None:
        self.n_step += 1
        if self.n_value == 0:
            self.n_value = self.n_step

    def inverse(self) -> None:
        pass

    def value(self) -> int:
        v = self.n_value
        self.n_value = 0
        return v

    finalize = value


class PercentRank:
    """percent_rank(): step counts the partition, inverse the rows before
    the current peer group; (rank - 1) / (rows - 1)."""

    __slots__ = ("n_total", "n_step")

    def __init__(self) -> None:
        self.n_total = 0
        self.n_step = 0

    def step(self) -> None:
        self.n_total += 1

    def inverse(self) -> None:
        self.n_step += 1

    def value(self) -> float:
        if self.n_total > 1:
            return self.n_step / (self.n_total - 1)
        return 0.0

    finalize = value


class CumeDist:
    """cume_dist(): rows up to the end of the current peer group / rows."""

    __slots__ = ("n_total", "n_step")

    def __init__(self) -> None:
        self.n_total = 0
        self.n_step = 0

    def step(self) -> None:
        self.n_total += 1

    def inverse(self) -> None:
        self.n_step += 1

    def value(self) -> float:
        return self.n_step / self.n_total

    finalize = value


class Ntile:
    """ntile(N): step counts the partition, inverse the rows passed; value()
    is the bucket of the current row (the first buckets one row larger)."""

    __slots__ = ("n_total", "n_param", "i_row")

    def __init__(self) -> None:
        self.n_total = 0
        self.n_param = 0
        self.i_row = 0

    def step(self, n: object) -> None:
        if self.n_total == 0:
            k = n if type(n) is int else None
            if type(n) is float and n == int(n):  # type: ignore[arg-type]
                k = int(n)  # type: ignore[arg-type]
            if k is None or k <= 0:
                raise_error(SQLITE_ERROR, "argument of ntile must be a positive integer")
            self.n_param = k
        self.n_total += 1

    def inverse(self, n: object) -> None:
        self.i_row += 1

    def value(self) -> int:
        if self.n_total < self.n_param:
            return self.i_row + 1
        size = self.n_total // self.n_param
        if size == 0:
            return self.i_row + 1
        n_large = self.n_total - self.n_param * size
        i_small = n_large * (size + 1)
        if self.i_row < i_small:
            return 1 + self.i_row // (size + 1)
        return 1 + n_large + (self.i_row - i_small) // size

    finalize = value


class LastValue:
    """last_value(x): the last value stepped while it is still in the frame."""

    __slots__ = ("val", "n_val")

    def __init__(self) -> None:
        self.val: object = None
        self.n_val = 0

    def step(self, x: object) -> None:
        self.val = x
        self.n_val += 1

    def inverse(self, x: object) -> None:
        self.n_val -= 1
        if self.n_val == 0:
            self.val = None

    def value(self) -> object:
        return self.val

    finalize = value


class NthValue:
    """nth_value(x, N): the N-th value stepped."""

    __slots__ = ("val", "n_step")

    def __init__(self) -> None:
        self.val: object = None
        self.n_step = 0

    def step(self, x: object, n: object) -> None:
        if type(n) is int:
            i = n
        elif type(n) is float and n == int(n):  # type: ignore[arg-type]
            i = int(n)  # type: ignore[arg-type]
        else:
            i = 0
        if i <= 0:
            raise_error(SQLITE_ERROR,
                        "second argument to nth_value must be a positive integer")
        self.n_step += 1
        if i == self.n_step:
            self.val = x

    def inverse(self, x: object, n: object) -> None:
        pass

    def value(self) -> object:
        return self.val

    finalize = value


class FirstValue:
    """first_value(x): the first value stepped."""

    __slots__ = ("val", "has")

    def __init__(self) -> None:
        self.val: object = None
        self.has = False

    def step(self, x: object) -> None:
        if not self.has:
            self.val = x
            self.has = True

    def inverse(self, x: object) -> None:
        pass

    def value(self) -> object:
        return self.val

    finalize = value


class Noop:
    """lead()/lag(): computed by the window code from the partition's rows."""

    __slots__ = ()

    def step(self, *args: object) -> None:
        pass

    def inverse(self, *args: object) -> None:
        pass

    def value(self) -> None:
        return None

    finalize = value


_W = DETERMINISTIC | AGGREGATE | WINDOW | WINDOW_ONLY

FUNCTIONS: list[FuncDef] = [
    FuncDef("row_number", 0, RowNumber, _W),
    FuncDef("dense_rank", 0, DenseRank, _W),
    FuncDef("rank", 0, Rank, _W),
    FuncDef("percent_rank", 0, PercentRank, _W),
    FuncDef("cume_dist", 0, CumeDist, _W),
    FuncDef("ntile", 1, Ntile, _W),
    FuncDef("last_value", 1, LastValue, _W),
    FuncDef("nth_value", 2, NthValue, _W),
    FuncDef("first_value", 1, FirstValue, _W),
    FuncDef("lead", 1, Noop, _W),
    FuncDef("lead", 2, Noop, _W),
    FuncDef("lead", 3, Noop, _W),
    FuncDef("lag", 1, Noop, _W),
    FuncDef("lag", 2, Noop, _W),
    FuncDef("lag", 3, Noop, _W),
]
