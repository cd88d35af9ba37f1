"""Fuzz the front end: no input may raise anything but a Pyrite error."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from pyrite.errors import Error
from pyrite.sql.parser import complete_statement, parse

FRAGMENTS = [
    "SELECT", "FROM", "WHERE", "t", "a", "1", "'x'", "(", ")", ",", ";", "+", "-", "*",
    "NOT", "IN", "BETWEEN", "AND", "OR", "IS", "NULL", "LIKE", "ESCAPE", "CASE", "WHEN",
    "THEN", "END", "JOIN", "LEFT", "ON", "USING", "UNION", "ORDER", "BY", "LIMIT", "OVER",
    "FILTER", "WINDOW", "AS", "CREATE", "TABLE", "TRIGGER", "BEGIN", "INSERT", "INTO",
    "VALUES", "UPDATE", "SET", "DELETE", "WITH", "RECURSIVE", "CAST", "COLLATE", "\"q\"",
    "x'00'", "0x1", "?", ":p", "/*", "*/", "--", "\n", "[", "]", "`", "#", "!", "=", "<",
    ".", "EXISTS", "DEFAULT", "PRIMARY", "KEY", "RAISE", "PRAGMA", "EXPLAIN",
]

sql_text = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(sql_text)
def test_fragments_never_crash(sql: str) -> None:
    try:
        parse(sql)
    except Error:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_random_text_never_crashes(sql: str) -> None:
    try:
        parse(sql)
    except Error:
        pass


@settings(max_examples=300, deadline=None)
@given(sql_text)
def test_complete_statement_agrees_with_sqlite(sql: str) -> None:
    assert complete_statement(sql) == sqlite3.complete_statement(sql)


@settings(max_examples=300, deadline=None)
@given(sql_text)
def test_accepts_what_sqlite_parses(sql: str) -> None:
    """If SQLite's parser accepts a one-statement text, so does Pyrite; when
    SQLite's parser refuses it with a syntax error, Pyrite gives the same text."""
    con = sqlite3.connect(":memory:")
    try:
        con.execute(sql)
        sqlite_msg = None
    except sqlite3.Warning:
        return  # more than one statement
    except sqlite3.Error as exc:
        sqlite_msg = str(exc)
    except Exception:  # noqa: BLE001 - bindings
        return
    finally:
        con.close()
    try:
        parse(sql)
        mine = None
    except Error as exc:
        mine = str(exc)
    if sqlite_msg is None:
        assert mine is None, sql
    elif "syntax error" in sqlite_msg or "incomplete input" in sqlite_msg or \
            "unrecognized token" in sqlite_msg:
        assert mine == sqlite_msg, sql
