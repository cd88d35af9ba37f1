"""Comparison affinity, LIKE/GLOB and concatenation against sqlite3."""

from __future__ import annotations

import itertools
import sqlite3

from hypothesis import given, settings, strategies as st

from pyrite import values
from pyrite.values import compare, comparison_affinity

from values_oracle import oracle

COLS = {"i": "INTEGER", "t": "TEXT", "b": "BLOB", "r": "REAL", "n": "NUMERIC", "x": ""}
VALS = [1, 1.0, "1", "1.0", " 1", "abc", b"1", 2, "10", 10, "9", 9.5, "9.5", None, "", 0]


def _expected_compare(aff_l: str | None, aff_r: str | None, lv: object, rv: object) -> int | None:
    aff = comparison_affinity(aff_l, aff_r)
    got = values.compare_with_affinity(lv, rv, aff)
    # The same answer by way of column affinity conversions:
    if lv is None or rv is None:
        assert got is None
        return None
    if aff in ("C", "D", "E", "B"):
        lv = values.apply_affinity(lv, aff)
        rv = values.apply_affinity(rv, aff)
    assert compare(lv, rv) == got
    return got


def test_column_vs_parameter_comparisons() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t(" + ", ".join(f"{c} {d}" for c, d in COLS.items()) + ")")
    for stored in VALS:
        conn.execute("DELETE FROM t")
        conn.execute("INSERT INTO t VALUES (?,?,?,?,?,?)", (stored,) * 6)
        row = conn.execute("SELECT i, t, b, r, n, x FROM t").fetchone()
        for (col, decl), cell in zip(COLS.items(), row):
            aff = values.affinity_of_type(decl)
            for p in VALS:
                got = conn.execute(
                    f"SELECT CASE WHEN {col} < ? THEN -1 WHEN {col} = ? THEN 0 "
                    f"WHEN {col} > ? THEN 1 END FROM t", (p, p, p)).fetchone()[0]
                assert _expected_compare(aff, None, cell, p) == got, (decl, stored, p)


def test_column_vs_column_comparisons() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t(" + ", ".join(f"{c} {d}" for c, d in COLS.items()) + ")")
    conn.execute("CREATE TABLE u(" + ", ".join(f"{c} {d}" for c, d in COLS.items()) + ")")
    for a, b in itertools.product(["1", 1, "abc", "1.0", 2.0], repeat=2):
        conn.execute("DELETE FROM t")
        conn.execute("DELETE FROM u")
        conn.execute("INSERT INTO t VALUES (?,?,?,?,?,?)", (a,) * 6)
        conn.execute("INSERT INTO u VALUES (?,?,?,?,?,?)", (b,) * 6)
        trow = conn.execute("SELECT i, t, b, r, n, x FROM t").fetchone()
        urow = conn.execute("SELECT i, t, b, r, n, x FROM u").fetchone()
        for (c1, d1), lv in zip(COLS.items(), trow):
            for (c2, d2), rv in zip(COLS.items(), urow):
                got = conn.execute(
                    f"SELECT CASE WHEN t.{c1} < u.{c2} THEN -1 WHEN t.{c1} = u.{c2} THEN 0 "
                    f"WHEN t.{c1} > u.{c2} THEN 1 END FROM t, u").fetchone()[0]
                want = _expected_compare(values.affinity_of_type(d1),
                                         values.affinity_of_type(d2), lv, rv)
                assert want == got, (d1, d2, lv, rv)


def test_comparison_affinity_table() -> None:
    assert comparison_affinity("D", None) == "D"
    assert comparison_affinity(None, "B") == "B"
    assert comparison_affinity("B", "A") == "A"
    assert comparison_affinity("B", "E") == "C"
    assert comparison_affinity(None, None) == "@"


LIKE_CASES = [
    ("a%", "ABC", None), ("%b%", "abc", None), ("_", "é", None), ("É", "é", None),
    ("a\\%", "a%", "\\"), ("a\\%", "ab", "\\"), ("a\\", "a", "\\"), ("%", "", None),
    ("a_c", "a\nc", None), ("[a]", "[a]", None), ("a.c", "abc", None), ("a*c", "abc", None),
    ("%%%a", "bba", None), ("x%x", "x", None), ("ax", "ax", "x"), ("a%%", "a%", "%"),
    ("a__", "a_b", "_"), ("a_", "a_", "_"),
]


def test_like_cases() -> None:
    for pattern, text, esc in LIKE_CASES:
        if esc is None:
            want = oracle("SELECT ? LIKE ?", text, pattern)
        else:
            want = oracle("SELECT ? LIKE ? ESCAPE ?", text, pattern, esc)
        assert values.like(pattern, text, esc) == bool(want), (pattern, text, esc)


def test_like_case_sensitive() -> None:
    assert values.like("abc", "ABC") is True
    assert values.like("abc", "ABC", case_sensitive=True) is False
    assert values.like("a%", "abc", case_sensitive=True) is True


GLOB_CASES = [
    ("a*", "abc"), ("*c", "abc"), ("?b?", "abc"), ("[abc]*", "bxx"), ("[^abc]*", "bxx"),
    ("[]]", "]"), ("[]a]", "a"), ("[^]]", "]"), ("[a-c]", "b"), ("[c-a]", "b"),
    ("[a-]", "-"), ("[-a]", "-"), ("[a-c-e]", "-"), ("[a-c-e]", "d"), ("[", "["),
    ("[a", "a"), ("a[", "a"), ("*[", "a["), ("A*", "abc"), ("é?", "éé"), ("[é-ë]", "ê"),
    ("*", ""), ("?", ""), ("a\\*", "a\\b"), ("[*]", "*"), ("[?]x", "?x"), ("[^a-c-]", "-"),
]


def test_glob_cases() -> None:
    for pattern, text in GLOB_CASES:
        want = oracle("SELECT ? GLOB ?", text, pattern)
        assert values.glob(pattern, text) == bool(want), (pattern, text)


def test_concat() -> None:
    for a, b in itertools.product([None, 1, 1.5, 1e20, "x", "", b"ab", -0.0], repeat=2):
        assert values.concat(a, b) == oracle("SELECT ? || ?", a, b), (a, b)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab%_[]^-*?A", max_size=6), st.text(alphabet="abAB[]-*?%_", max_size=6))
def test_like_glob_hypothesis(pattern: str, text: str) -> None:
    assert values.like(pattern, text) == bool(oracle("SELECT ? LIKE ?", text, pattern))
    assert values.glob(pattern, text) == bool(oracle("SELECT ? GLOB ?", text, pattern))


def test_many_wildcards_do_not_backtrack() -> None:
    import time
    text = "a" * 20000
    start = time.perf_counter()
    assert values.like("%a%a%a%a%a%a%a%a%b", text) is False
    assert values.glob("*a*a*a*a*a*a*a*a*b", text) is False
    assert values.like("%a%a%a%a%a%a%a%a%", text) is True
    assert time.perf_counter() - start < 2.0
    assert oracle("SELECT ? LIKE ?", "x" * 50 + "b", "%x%x%x%b") == 1
    assert values.like("%x%x%x%b", "x" * 50 + "b") is True
