"""The same statements on stdlib sqlite3 and on Pyrite, side by side (the
fast-path tests of tests/vdbe compare every answer with sqlite3's)."""

from __future__ import annotations

import sqlite3

import pyrite


def both(setup: list[str]) -> tuple[sqlite3.Connection, pyrite.Connection]:
    """Two in-memory databases, sqlite3's and Pyrite's, after ``setup``."""
    a = sqlite3.connect(":memory:")
    b = pyrite.connect(":memory:")
    for sql in setup:
        a.execute(sql)
        b.execute(sql)
    return a, b


def same(a: object, b: object, sql: str, params: tuple = ()) -> None:
    """``sql`` gives the same rows, values and types, on both."""
    want = a.execute(sql, params).fetchall()  # type: ignore[attr-defined]
    got = b.execute(sql, params).fetchall()  # type: ignore[attr-defined]
    assert repr(got) == repr(want), (sql, params)
