"""Function definitions: the record every built-in and user function is.

Layer: vdbe (the function registry below the VM's Function/AggStep opcodes).
SQLite's counterpart is ``FuncDef`` in ``sqliteInt.h`` with the
``SQLITE_FUNC_*`` flags, and ``sqlite3_context`` for what a function may ask
of the connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

# FuncDef.flags bits.
DETERMINISTIC = 0x01    # same arguments, same result (SQLITE_DETERMINISTIC)
NEEDS_CONTEXT = 0x02    # func(ctx, *args): ctx is a FunctionContext
AGGREGATE = 0x04        # func is a class: step(*args), finalize()
WINDOW = 0x08           # the aggregate also has inverse(*args) and value()
NEEDS_COLLATION = 0x10  # scalar: func(coll, *args); aggregate: cls(coll)
                        # (SQLITE_FUNC_NEEDCOLL; coll is a values.Collation or None)
WINDOW_ONLY = 0x20      # a window function only (row_number ...): without
                        # OVER it is "misuse of window function X()"
MINMAX = 0x40           # min()/max() aggregates (SQLITE_FUNC_MINMAX): usable
                        # with OVER, but they have no inverse(); the window
                        # code keeps the frame's values itself, as SQLite does


class FunctionContext(Protocol):
    """What a function may read from the connection (engine.Database
    implements it) for ``changes()``, ``total_changes()`` and
    ``last_insert_rowid()``.

    Optionally the context also has ``current_time``: the statement's 'now'
    as a julian day number in milliseconds (``sqlite3StmtCurrentTime``),
    so that every 'now' in one statement agrees; without it the date and
    time functions read the clock."""

    changes: int
    total_changes: int
    last_insert_rowid: int


@dataclass(frozen=True, slots=True)
class FuncDef:
    """One function: ``name`` (lower case), ``n_arg`` (-1 = any number),
    ``func`` (a callable for scalars, a class for aggregates) and ``flags``.

    Calling convention of a scalar: ``func([ctx,] [coll,] *args)`` where the
    leading ``ctx`` is present with NEEDS_CONTEXT and ``coll`` with
    NEEDS_COLLATION.  An aggregate is ``func()`` (``func(coll)`` with
    NEEDS_COLLATION) whose instances have ``step(*args)`` and
    ``finalize()``, and for window use ``inverse(*args)`` and ``value()``.
    Errors are raised through :mod:`pyrite.errors` with SQLite's wording.
    """

    name: str
    n_arg: int
    func: Callable[..., Any]
    flags: int = DETERMINISTIC
    min_arg: int = 0  # for n_arg == -1: the fewest arguments accepted

    @property
    def is_aggregate(self) -> bool:
        return bool(self.flags & AGGREGATE)

    @property
    def is_window(self) -> bool:
        return bool(self.flags & WINDOW)

    @property
    def deterministic(self) -> bool:
        return bool(self.flags & DETERMINISTIC)

    @property
    def is_minmax(self) -> bool:
        return bool(self.flags & MINMAX)

    @property
    def window_only(self) -> bool:
        return bool(self.flags & WINDOW_ONLY)

    @property
    def needs_context(self) -> bool:
        return bool(self.flags & NEEDS_CONTEXT)

    @property
    def needs_collation(self) -> bool:
        return bool(self.flags & NEEDS_COLLATION)
