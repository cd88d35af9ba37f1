"""Lexer: token kinds, texts and offsets."""

from __future__ import annotations

import pytest

from pyrite.sql.lexer import Token, dequote, tokenize


def kinds(sql: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(sql)][:-1]


CASES = [
    ("SELECT a FROM t", [("SELECT", "SELECT"), ("ID", "a"), ("FROM", "FROM"), ("ID", "t")]),
    ("select", [("SELECT", "select")]),
    ("a->>'$' -> b", [("ID", "a"), ("->>", "->>"), ("STRING", "'$'"), ("->", "->"), ("ID", "b")]),
    ("1 1.5 .5 1e5 1.e-3 0x1F", [("INTEGER", "1"), ("FLOAT", "1.5"), ("FLOAT", ".5"),
                                 ("FLOAT", "1e5"), ("FLOAT", "1.e-3"), ("INTEGER", "0x1F")]),
    ("1e 123abc 0x 0x1g", [("ILLEGAL", "1e"), ("ILLEGAL", "123abc"), ("ILLEGAL", "0x"),
                           ("ILLEGAL", "0x1g")]),
    ("x'0a' X'4' x'zz'", [("BLOB", "x'0a'"), ("ILLEGAL", "X'4'"), ("ILLEGAL", "x'zz'")]),
    ("'a''b' \"c\"\"d\" [e f] `g`", [("STRING", "'a''b'"), ("ID", '"c""d"'),
                                      ("ID", "[e f]"), ("ID", "`g`")]),
    ("? ?12 :a @b $c::d(e) #f", [("VARIABLE", "?"), ("VARIABLE", "?12"), ("VARIABLE", ":a"),
                                 ("VARIABLE", "@b"), ("VARIABLE", "$c::d(e)"),
                                 ("VARIABLE", "#f")]),
    ("a -- comment\n b /* c */ c /* open", [("ID", "a"), ("ID", "b"), ("ID", "c")]),
    ("<> != == = <= >= << >> < > || | & ~ % / * + - ( ) , ; .",
     [(op, op) for op in "<> != == = <= >= << >> < > || | & ~ % / * + - ( ) , ; .".split()]),
    ("'open", [("ILLEGAL", "'open")]),
    ("# ! @ :", [("ILLEGAL", "#"), ("ILLEGAL", "!"), ("ILLEGAL", "@"), ("ILLEGAL", ":")]),
    ("true rowid strict", [("ID", "true"), ("ID", "rowid"), ("ID", "strict")]),
    ("café naïve", [("ID", "café"), ("ID", "naïve")]),
]


@pytest.mark.parametrize("sql,expected", CASES, ids=[c[0][:30] for c in CASES])
def test_tokens(sql: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(sql) == expected


def test_offsets_and_eof() -> None:
    toks = list(tokenize("  SELECT  x ", 1))
    assert toks[0] == Token("SELECT", "SELECT", 2, 8)
    assert toks[1] == Token("ID", "x", 10, 11)
    assert toks[-1] == Token("EOF", "", 12, 12)


@pytest.mark.parametrize("raw,name", [('"a""b"', 'a"b'), ("[a b]", "a b"), ("`a``b`", "a`b"),
                                      ("'it''s'", "it's"), ("plain", "plain")])
def test_dequote(raw: str, name: str) -> None:
    assert dequote(raw) == name
