"""Helpers for the corpus tests: extract SQL statements from the shared corpus."""

from __future__ import annotations

import pathlib
import re
import sqlite3

# Messages SQLite raises while parsing; Pyrite's parser must raise the same.
PARSER_MESSAGES = re.compile(
    r"syntax error|incomplete input|unrecognized token|parser stack overflow|"
    r"Expression tree is too large|hex literal too big|should come after|"
    r"unknown join type|all VALUES must|unknown table option|"
    r"error in generated column|syntax error after column name|"
    r"JOIN clause is required|qualified table names|"
    r"not allowed on UPDATE or DELETE|too many terms in compound|"
    r"unsupported frame specification|duplicate WITH table name")


def split_statements(text: str) -> list[str]:
    """Split a script into statements with sqlite3.complete_statement."""
    out: list[str] = []
    buf = ""
    for line in text.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def slt_statements(path: pathlib.Path) -> list[str]:
    """SQL of the ``statement``/``query`` records of an sqllogictest file."""
    out: list[str] = []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if line.startswith(("statement ", "query ")):
            i += 1
            sql: list[str] = []
            while i < n and lines[i].strip() and lines[i] != "----":
                sql.append(lines[i])
                i += 1
            if sql:
                out.append("\n".join(sql))
        i += 1
    return out


def sqltest_statements(path: pathlib.Path) -> list[str]:
    """SQL of the setup and test blocks of a .sqltest file."""
    out: list[str] = []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i].strip()
        if re.match(r"^(setup|test)\s+\S+\s*\{$", line):
            i += 1
            block: list[str] = []
            while i < n and lines[i].strip() != "}":
                block.append(lines[i])
                i += 1
            text = "\n".join(block)
            if "{{" not in text:
                out.extend(split_statements(text + "\n"))
        i += 1
    return out


def sqlite_verdict(con: sqlite3.Connection, sql: str) -> str | None:
    """None if SQLite's parser accepts *sql*, else its parser error message."""
    body = sql.rstrip().rstrip(";")
    try:
        con.execute(body if body[:7].upper() == "EXPLAIN" else "EXPLAIN " + body)
    except sqlite3.Warning:
        return "multiple"
    except sqlite3.Error as exc:
        msg = str(exc)
        if PARSER_MESSAGES.search(msg):
            return msg
        return None
    except Exception:  # noqa: BLE001 - ProgrammingError on bindings etc.
        return None
    return None
