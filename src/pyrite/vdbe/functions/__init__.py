"""Built-in SQL functions: the registry the compiler and the VM consult.

Layer: vdbe.  SQLite's counterpart is the built-in function table
(``sqlite3RegisterBuiltinFunctions`` in ``func.c``, ``sqlite3RegisterDateTimeFunctions``
in ``date.c``) looked up by ``sqlite3FindFunction``.  Modules:

* ``base``       -- FuncDef, its flags, the FunctionContext protocol;
* ``core``       -- the scalar functions of func.c (and the math functions);
* ``printf``     -- SQLite's printf() engine for printf()/format();
* ``aggregates`` -- count, sum, total, avg, min, max, group_concat;
* ``window``     -- row_number, rank, ntile, lead, lag ... (window.c);
* ``datetime``   -- date, time, datetime, julianday, unixepoch, strftime;
* ``json``       -- the json1 functions and the -> / ->> operators (json.c).
"""

from __future__ import annotations

from pyrite.vdbe.functions.base import (
    AGGREGATE, DETERMINISTIC, NEEDS_COLLATION, NEEDS_CONTEXT, WINDOW,
    MINMAX, WINDOW_ONLY, FuncDef, FunctionContext,
)

__all__ = [
    "AGGREGATE", "DETERMINISTIC", "NEEDS_COLLATION", "NEEDS_CONTEXT", "WINDOW",
    "WINDOW_ONLY", "MINMAX",
    "FuncDef", "FunctionContext", "BUILTINS", "lookup", "exists",
]

BUILTINS: dict[tuple[str, int], FuncDef] = {}
_NAMES: set[str] = set()


def _register(defs: list[FuncDef]) -> None:
    for d in defs:
        BUILTINS[(d.name, d.n_arg)] = d
        _NAMES.add(d.name)


def lookup(name: str, n_arg: int) -> FuncDef | None:
    """The built-in ``name`` taking ``n_arg`` arguments: the exact entry,
    else the any-number (-1) entry; None when there is neither."""
    key = name.lower()
    d = BUILTINS.get((key, n_arg))
    if d is None:
        d = BUILTINS.get((key, -1))
        if d is not None and n_arg < d.min_arg:
            return None
    return d


def exists(name: str) -> bool:
    """True when some built-in is called ``name`` (with any argument count),
    so that the compiler can tell "wrong number of arguments to function
    X()" from "no such function: X"."""
    return name.lower() in _NAMES


def _load() -> None:
    import importlib
    import importlib.util
    for name in ("core", "aggregates", "window", "datetime", "json"):
        full = f"{__name__}.{name}"
        if importlib.util.find_spec(full) is None:  # pragma: no cover
            continue  # a module not written yet
        _register(importlib.import_module(full).FUNCTIONS)


_load()
