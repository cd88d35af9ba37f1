"""Oracle helpers for the values tests: the stdlib sqlite3 module."""

from __future__ import annotations

import sqlite3

_CONN = sqlite3.connect(":memory:")


def oracle(sql: str, *params: object) -> object:
    """The single value ``sql`` answers in sqlite3 (SELECT ...)."""
    return _CONN.execute(sql, params).fetchone()[0]


def oracle_error(sql: str, *params: object) -> str | None:
    try:
        _CONN.execute(sql, params).fetchall()
    except sqlite3.Error as e:
        return str(e)
    return None


def same(a: object, b: object) -> bool:
    """Equal in value and storage type (int vs float vs str vs bytes)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and a != a:
        return b != b
    return a == b
