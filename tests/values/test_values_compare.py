"""values.compare, collations and KeyInfo against sqlite3."""

from __future__ import annotations

import sqlite3
import struct

from hypothesis import given, settings, strategies as st

from pyrite import values
from pyrite.values import BINARY, NOCASE, RTRIM, Collation, KeyInfo, compare

from values_oracle import oracle

CMP_SQL = ("SELECT CASE WHEN ?1 < ?2 {c} THEN -1 WHEN ?1 = ?2 {c} THEN 0 "
           "WHEN ?1 > ?2 {c} THEN 1 END")

EDGE = [
    0, 1, -1, 2**53, 2**53 + 1, -(2**53) - 1, 2**63 - 1, -(2**63), 2**62,
    0.0, -0.0, 0.5, -0.5, 1.0, 2.0**53, 2.0**63, -(2.0**63), 1e300, -1e300,
    float("inf"), float("-inf"), 9.223372036854775e18, 1e-300,
    "", "a", "A", "b", "B", "a ", "a  ", "abc", "ABC", "_", "é", "É", "z", "\x00",
    "\U0001f600", "\uffff", "~", "[", "`",
    b"", b"\x00", b"a", b"A", b"ab", b"\xff",
]


def sign(x: int) -> int:
    return (x > 0) - (x < 0)


def test_compare_edges_binary() -> None:
    for a in EDGE:
        for b in EDGE:
            want = oracle(CMP_SQL.format(c=""), a, b)
            assert compare(a, b) == want, (a, b)


def test_compare_edges_collations() -> None:
    strs = [v for v in EDGE if isinstance(v, str)] + ["Abc ", "aBC", "a\t", "a b"]
    for name, coll in (("NOCASE", NOCASE), ("RTRIM", RTRIM), ("BINARY", BINARY)):
        c = "COLLATE " + name
        for a in strs:
            for b in strs:
                assert compare(a, b, coll) == oracle(CMP_SQL.format(c=c), a, b), (name, a, b)


def test_null_and_class_order() -> None:
    ordered = [None, -5, 2.5, 3, "", "a", b"", b"a"]
    for i, a in enumerate(ordered):
        for j, b in enumerate(ordered):
            assert compare(a, b) == sign(i - j), (a, b)


def test_huge_int_vs_float_exact() -> None:
    assert compare(2**63 - 1, 2.0**63) == -1
    assert compare(2**53 + 1, 2.0**53) == 1
    assert compare(-(2**63), -(2.0**63)) == 0
    assert oracle(CMP_SQL.format(c=""), 2**53 + 1, 2.0**53) == 1


numbers = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.integers(min_value=-(2**60), max_value=2**60).map(float),
)
any_value = st.one_of(st.none(), numbers, st.text(max_size=6), st.binary(max_size=4))


@settings(max_examples=400, deadline=None)
@given(any_value, any_value)
def test_compare_random(a: object, b: object) -> None:
    if a is None or b is None:
        want = 0 if a is b else (-1 if a is None else 1)
    else:
        want = oracle(CMP_SQL.format(c=""), a, b)
    assert compare(a, b) == want


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aAbBzZ_ é[`", max_size=5), st.text(alphabet="aAbBzZ_ é[`", max_size=5))
def test_nocase_rtrim_random(a: str, b: str) -> None:
    assert compare(a, b, NOCASE) == oracle(CMP_SQL.format(c="COLLATE NOCASE"), a, b)
    assert compare(a, b, RTRIM) == oracle(CMP_SQL.format(c="COLLATE RTRIM"), a, b)


def test_user_collation_result_normalised() -> None:
    rev = Collation("REV", lambda x, y: (y > x) * 7 - (y < x) * 7)
    assert compare("a", "b", rev) == 1
    assert compare("a", "a", rev) == 0


def _explain_p4(conn: sqlite3.Connection, sql: str, opcode: str) -> list[str]:
    return [r[5] for r in conn.execute("EXPLAIN " + sql) if r[1] == opcode]


def test_keyinfo_str_matches_explain() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t(a, b COLLATE NOCASE, c)")
    conn.execute("CREATE INDEX i ON t(a DESC, b, c COLLATE RTRIM)")
    want = _explain_p4(conn, "SELECT * FROM t WHERE a=1", "OpenRead")
    assert want == ["k(4,-,NOCASE,RTRIM,)"]
    ki = KeyInfo((None, NOCASE, RTRIM, None), (True, False, False, False), 4)
    assert str(ki) == want[0]
    want = _explain_p4(conn, "SELECT DISTINCT c FROM t", "OpenEphemeral")
    assert want == ["k(1,B)"]
    assert str(KeyInfo((BINARY,), (False,), 1)) == "k(1,B)"
    assert str(KeyInfo((NOCASE,), (True,), 1)) == "k(1,-NOCASE)"
    conn.execute("CREATE TABLE u(a, b)")
    want = _explain_p4(conn, "SELECT * FROM u ORDER BY a DESC NULLS FIRST, b", "SorterOpen")
    assert want == [str(KeyInfo((BINARY, BINARY), (True, False), 2, bignull=(True, False)))]
    assert want == ["k(2,-N.B,B)"]


def test_keyinfo_bignull_order() -> None:
    # NULLS LAST on an ASC field: NULL sorts after everything.
    ki = KeyInfo((None,), (False,), 1, bignull=(True,))
    assert ki.compare([None], [1]) == 1 and ki.compare([1], [None]) == -1
    assert ki.compare([1], [2]) == -1 and ki.compare([None], [None]) == 0
    # NULLS FIRST on a DESC field.
    ki = KeyInfo((None,), (True,), 1, bignull=(True,))
    assert ki.compare([None], [1]) == -1 and ki.compare([1], [2]) == 1


def test_keyinfo_compare_keys() -> None:
    ki = KeyInfo((None, NOCASE), (True, False), 2)
    assert ki.compare([1, "a"], [2, "A"]) == 1  # DESC first field
    assert ki.compare([1, "a"], [1, "A"]) == 0  # NOCASE
    assert ki.compare([1, "a", 5], [1, "A", 7]) == -1  # trailing rowid, BINARY ASC
    assert ki.compare([1], [1, "zz"]) == 0  # common prefix only
    plain = KeyInfo((None, None), None, 2)
    assert plain.compare([None, 1], [0, 1]) == -1
    assert plain.compare([b"a"], ["a"]) == 1
    assert KeyInfo((None,)) == KeyInfo((None,), (False,), 1)


def test_storage_class_and_typeof() -> None:
    for v in (None, 1, 1.5, "x", b"x"):
        assert values.type_name(v) == oracle("SELECT typeof(?)", v)
    assert [values.storage_class(v) for v in (None, 1, 1.5, "x", b"x")] == [0, 1, 1, 2, 3]


def test_binary_is_utf8_byte_order() -> None:
    # Code-point order equals UTF-8 byte order, including astral characters.
    pairs = [("\uffff", "\U0001f600"), ("\ue000", "\U00010000"), ("z", "é")]
    for a, b in pairs:
        assert compare(a, b) == sign((a.encode() > b.encode()) - (a.encode() < b.encode()))
    assert struct.calcsize("q") == 8
