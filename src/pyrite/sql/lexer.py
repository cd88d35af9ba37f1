"""SQL front end: the tokenizer.

Turns SQL text into tokens, as SQLite's ``tokenize.c`` (``sqlite3GetToken``)
does, with one compiled master regular expression.  Whitespace and comments
are skipped.  A token is a tuple ``(kind, text, start, end)``:

* keywords have their upper-case spelling as kind (``'SELECT'``);
* ``'ID'`` identifiers (bare or quoted with ``""``, ``[]``, `````` ``; text raw);
* ``'STRING'``, ``'INTEGER'``, ``'FLOAT'``, ``'BLOB'``, ``'VARIABLE'``;
* operators and punctuation have their own text as kind (``'<='``, ``'('``);
* ``'ILLEGAL'`` for text SQLite does not recognise (the parser reports
  ``unrecognized token: "..."`` when it reaches it);
* ``'EOF'`` at the end of input (text ``''``).
"""

from __future__ import annotations

import re
from typing import Iterator, NamedTuple

from pyrite.sql.keywords import KEYWORDS


class Token(NamedTuple):
    """One token: its kind, its source text and its ``[start, end)`` offsets."""

    kind: str
    text: str
    start: int
    end: int


_IDCHAR = r"A-Za-z0-9_$\x80-\U0010ffff"

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>[ \t\n\f\r]+|--[^\n]*|/\*(?:.*?\*/|.+\Z))
  | (?P<blob>[xX]'(?:[0-9A-Fa-f]{2})*'(?![%(c)s]))
  | (?P<badblob>[xX]'[^']*'?)
  | (?P<id>[A-Za-z_\x80-\U0010ffff][%(c)s]*)
  | (?P<hex>0[xX][0-9A-Fa-f]+(?![%(c)s]))
  | (?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[%(c)s]*)
  | (?P<str>'(?:[^']|'')*')
  | (?P<qid>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])
  | (?P<unterminated>['"`[].*)
  | (?P<var>\?[0-9]*|[$@:#](?:[%(c)s]|::)+(?:\([^)\s]*\))?)
  | (?P<op>->>|->|\|\||<<|<=|<>|>>|>=|==|!=|[-(),;+*/%%&|~<>=.])
  | (?P<illegal>.)
    """ % {"c": _IDCHAR},
    re.VERBOSE | re.DOTALL,
)

_NUMBER_RE = re.compile(
    r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?").fullmatch

_new = tuple.__new__


def tokenize(sql: str, offset: int = 0) -> Iterator[Token]:
    """Yield the tokens of ``sql[offset:]`` and a final ``EOF`` token."""
    keywords = KEYWORDS
    for m in _TOKEN_RE.finditer(sql, offset):
        group = m.lastgroup
        if group == "ws":
            continue
        text = m.group()
        if group == "id":
            upper = text.upper()
            kind = upper if upper in keywords else "ID"
        elif group == "op":
            kind = text
        elif group == "num":
            if text.isdigit() and text.isascii():
                kind = "INTEGER"
            elif _NUMBER_RE(text):
                kind = "FLOAT"
            else:
                kind = "ILLEGAL"   # a number run into identifier characters
        elif group == "str":
            kind = "STRING"
        elif group == "qid":
            kind = "ID"
        elif group == "hex":
            kind = "INTEGER"
        elif group == "var":
            kind = "VARIABLE"
        elif group == "blob":
            kind = "BLOB"
        else:
            kind = "ILLEGAL"
        yield _new(Token, (kind, text, m.start(), m.end()))
    yield _new(Token, ("EOF", "", len(sql), len(sql)))


def dequote(text: str) -> str:
    """Remove SQL quotes from an identifier or string token (sqlite3Dequote)."""
    if not text:
        return text
    q = text[0]
    if q == "[":
        return text[1:-1]
    if q in "'\"`":
        end = 1
        out = []
        n = len(text)
        while end < n:
            ch = text[end]
            if ch == q:
                if end + 1 < n and text[end + 1] == q:
                    out.append(q)
                    end += 2
                    continue
                break
            out.append(ch)
            end += 1
        return "".join(out)
    return text
