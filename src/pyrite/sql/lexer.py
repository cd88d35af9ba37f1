"""SQL front end: the tokenizer (SQLite's ``tokenize.c``).

Turns SQL text into tokens with their kind, text and offsets.  Keywords are
recognised here (``KEYWORDS``) but the parser decides when a keyword may stand
for an identifier, as SQLite's ``%fallback ID`` does.

Token kinds: ``ID`` (identifier, possibly quoted), ``STRING``, ``INTEGER``,
``FLOAT``, ``BLOB``, ``VARIABLE``, ``KEYWORD`` (text upper-cased in
``value``), ``OP`` (operators and punctuation), ``EOF``.  Whitespace and
comments are skipped.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from pyrite.errors import SQLITE_ERROR, raise_error

KEYWORDS = frozenset("""
ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH AUTOINCREMENT
BEFORE BEGIN BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT
CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP
DATABASE DEFAULT DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DO DROP EACH
ELSE END ESCAPE EXCEPT EXCLUDE EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST
FOLLOWING FOR FOREIGN FROM FULL GENERATED GLOB GROUP GROUPS HAVING IF IGNORE
IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO IS
ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT NOTHING
NOTNULL NULL NULLS OF OFFSET ON OR ORDER OTHERS OUTER OVER PARTITION PLAN
PRAGMA PRECEDING PRIMARY QUERY RAISE RANGE RECURSIVE REFERENCES REGEXP REINDEX
RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT ROLLBACK ROW ROWS SAVEPOINT
SELECT SET TABLE TEMP TEMPORARY THEN TIES TO TRANSACTION TRIGGER UNBOUNDED
UNION UNIQUE UPDATE USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH
WITHOUT
""".split())


class Token(NamedTuple):
    kind: str
    value: str   # keyword: upper-cased; ID: unquoted name; others: as written
    start: int
    end: int
    quoted: str = ""  # the quote character of a quoted identifier


_SCANNER = re.compile(r"""
    (?P<ws>\s+|--[^\n]*(?:\n|$)|/\*(?:.|\n)*?(?:\*/|$))
  | (?P<blob>[xX]'(?P<hex>[^']*)')
  | (?P<float>(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)
  | (?P<hexint>0[xX][0-9a-fA-F]+)
  | (?P<int>\d+)
  | (?P<id>[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*)
  | (?P<str>'(?:[^']|'')*')
  | (?P<dq>"(?:[^"]|"")*")
  | (?P<bq>`(?:[^`]|``)*`)
  | (?P<br>\[[^\]]*\])
  | (?P<var>\?\d*|[:@$][A-Za-z0-9_$\x80-\U0010ffff]+(?:(?:::)+[A-Za-z0-9_$\x80-\U0010ffff]+)*(?:\([^)]*\))?|\#[A-Za-z0-9_]+)
  | (?P<op>\|\||->>|->|<<|>>|<=|>=|==|!=|<>|[-+*/%&|~<>=(),;.])
""", re.VERBOSE)


def _unrecognized(sql: str, pos: int) -> None:
    # SQLite reports the rest of an unterminated quote, or the single bad character.
    ch = sql[pos]
    if ch in "'\"`[":
        raise_error(SQLITE_ERROR, f'unrecognized token: "{sql[pos:]}"')
    if ch in "xX" and pos + 1 < len(sql) and sql[pos + 1] == "'":
        raise_error(SQLITE_ERROR, f'unrecognized token: "{sql[pos:]}"')
    raise_error(SQLITE_ERROR, f'unrecognized token: "{ch}"')


def tokenize(sql: str, offset: int = 0) -> list[Token]:
    """Tokenize ``sql[offset:]``; the list ends with an EOF token."""
    out: list[Token] = []
    append = out.append
    pos = offset
    n = len(sql)
    match = _SCANNER.match
    while pos < n:
        m = match(sql, pos)
        if m is None:
            _unrecognized(sql, pos)
        kind = m.lastgroup
        end = m.end()
        text = m.group()
        if kind == "ws":
            if text.startswith("/*") and not text.endswith("*/"):
                pass  # an unterminated comment runs to the end, as in SQLite
            pos = end
            continue
        if kind == "id":
            up = text.upper()
            if up in KEYWORDS:
                append(Token("KEYWORD", up, pos, end))
            else:
                append(Token("ID", text, pos, end))
        elif kind == "int":
            # A number immediately followed by letters is one bad token in SQLite.
            if end < n and (sql[end].isalpha() or sql[end] == "_"):
                j = end
                while j < n and (sql[j].isalnum() or sql[j] == "_"):
                    j += 1
                raise_error(SQLITE_ERROR, f'unrecognized token: "{sql[pos:j]}"')
            append(Token("INTEGER", text, pos, end))
        elif kind == "float":
            if end < n and (sql[end].isalpha() or sql[end] == "_"):
                j = end
                while j < n and (sql[j].isalnum() or sql[j] == "_"):
                    j += 1
                raise_error(SQLITE_ERROR, f'unrecognized token: "{sql[pos:j]}"')
            append(Token("FLOAT", text, pos, end))
        elif kind == "hexint":
            if end < n and (sql[end].isalnum() or sql[end] == "_"):
                j = end
                while j < n and (sql[j].isalnum() or sql[j] == "_"):
                    j += 1
                raise_error(SQLITE_ERROR, f'unrecognized token: "{sql[pos:j]}"')
            append(Token("INTEGER", text, pos, end))
        elif kind == "str":
            append(Token("STRING", text[1:-1].replace("''", "'"), pos, end))
        elif kind == "dq":
            append(Token("ID", text[1:-1].replace('""', '"'), pos, end, '"'))
        elif kind == "bq":
            append(Token("ID", text[1:-1].replace("``", "`"), pos, end, "`"))
        elif kind == "br":
            append(Token("ID", text[1:-1], pos, end, "["))
        elif kind == "blob":
            hexdigits = m.group("hex")
            if len(hexdigits) % 2 or not all(c in "0123456789abcdefABCDEF" for c in hexdigits):
                raise_error(SQLITE_ERROR, f'unrecognized token: "{text}"')
            append(Token("BLOB", hexdigits, pos, end))
        elif kind == "var":
            if text.startswith("#"):
                _unrecognized(sql, pos)
            append(Token("VARIABLE", text, pos, end))
        else:
            append(Token("OP", text, pos, end))
        pos = end
    append(Token("EOF", "", n, n))
    return out
