"""Helpers for the function tests: call a built-in as the VM would, and ask
the stdlib sqlite3 module for the expected answer."""

from __future__ import annotations

import sqlite3
from typing import Any, Sequence

from pyrite.vdbe.functions import lookup

_CONN = sqlite3.connect(":memory:")


class Ctx:
    changes = 3
    total_changes = 7
    last_insert_rowid = 42


def call(name: str, *args: object, coll: Any = None) -> object:
    d = lookup(name, len(args))
    assert d is not None, name
    assert not d.is_aggregate
    lead: list[object] = []
    if d.needs_context:
        lead.append(Ctx())
    if d.needs_collation:
        lead.append(coll)
    return d.func(*lead, *args)


def aggregate(name: str, rows: Sequence[Sequence[object]], coll: Any = None) -> object:
    d = lookup(name, len(rows[0]) if rows else 1)
    assert d is not None and d.is_aggregate
    agg = d.func(coll) if d.needs_collation else d.func()
    for r in rows:
        agg.step(*r)
    return agg.finalize()


def oracle(sql: str, *params: object) -> object:
    return _CONN.execute(sql, params).fetchone()[0]


def oracle_call(name: str, *args: object) -> object:
    """``SELECT name(?, ?, ...)`` with bound arguments; an sqlite3 error
    comes back as ('error', message)."""
    sql = f"SELECT {name}({', '.join('?' * len(args))})"
    try:
        return _CONN.execute(sql, args).fetchone()[0]
    except sqlite3.Error as e:
        return ("error", str(e))


def try_call(name: str, *args: object) -> object:
    from pyrite.errors import Error
    try:
        return call(name, *args)
    except Error as e:
        return ("error", str(e))


def same(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and a != a:
        return b != b
    return a == b
