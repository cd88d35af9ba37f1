"""Affinity, CAST, arithmetic, real->text and truth values against sqlite3."""

from __future__ import annotations

import math
import random
import sqlite3

import pytest
from hypothesis import given, settings, strategies as st

from pyrite import values
from pyrite.errors import OperationalError

from values_oracle import oracle, same

TEXTS = [
    "", " ", "0", "-0", "+5", " 12 ", "\t7\n", "12abc", "abc", "1e3", "1e", "1e+",
    "1e-2", "1.5", "-1.5", ".5", "5.", ".", "-", "+", "0x10", "1.5x", "2.0abc",
    "1e5x", "1e400", "-1e400", "9223372036854775807", "9223372036854775808",
    "-9223372036854775808", "-9223372036854775809", "99999999999999999999",
    "123456789012345678901", "1e18", "1e20", "3.0", "-0.0", "00012", " - 5",
    "1 2", "١٢", "0.1", "1E2", "4.9e-324", "1e-400", "  +.5e1  ", "12 abc",
    "18446744073709551616", "3.14159265358979323846", "1,5", "inf", "nan",
]
NUMS = [
    0, 1, -1, 2**31, 2**53 + 1, 2**62, 2**63 - 1, -(2**63), 0.0, -0.0, 0.5, 3.0,
    -3.0, 1e15, 1e20, 2.0**63, -(2.0**63), 1e300, 1.5, -2.5, 1e-5, 123.456,
    float("inf"), float("-inf"), 9.223372036854775e18, 4503599627370497.0,
]
BLOBS = [b"", b"12", b" 3.5x", b"abc"]
ALL = TEXTS + NUMS + BLOBS + [None]


def test_affinity_of_type() -> None:
    conn = sqlite3.connect(":memory:")
    decls = ["INT", "integer", "BIGINT", "CHARINT", "VARCHAR(10)", "CLOB", "TEXT",
             "BLOB", "", "REAL", "FLOAT", "DOUBLE PRECISION", "NUMERIC",
             "DECIMAL(10,2)", "BOOLEAN", "DATE", "STRING", "TEXTBLOB", "BLOBTEXT",
             "FLOATING POINT", "POINT", "doub", "floa", "BLOBREAL", "REALBLOB",
             "NCHAR", "tinyint", "xyz"]
    names = {"A": "blob", "B": "text", "C": "numeric", "D": "integer", "E": "real"}
    # Column affinity shows in what typeof() answers for a stored '3.0' / 3.
    for d in decls:
        conn.execute("DROP TABLE IF EXISTS t")
        conn.execute(f'CREATE TABLE t(x {d})' if d else "CREATE TABLE t(x)")
        conn.execute("INSERT INTO t VALUES ('3.0'), ('3.5'), (3)")
        got = [r[0] for r in conn.execute("SELECT typeof(x) FROM t")]
        aff = values.affinity_of_type(d)
        expect = {"A": ["text", "text", "integer"], "B": ["text", "text", "text"],
                  "C": ["integer", "real", "integer"],
                  "D": ["integer", "real", "integer"],
                  "E": ["real", "real", "real"]}[aff]
        assert got == expect, (d, names[aff], got)
    assert values.affinity_of_type(None) == "A"


def test_apply_affinity_matches_columns() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t(n NUMERIC, i INTEGER, r REAL, t TEXT, b BLOB)")
    for v in ALL:
        conn.execute("DELETE FROM t")
        conn.execute("INSERT INTO t VALUES (?,?,?,?,?)", (v,) * 5)
        row = conn.execute("SELECT n, i, r, t, b FROM t").fetchone()
        for aff, want in zip("CDEBA", row):
            assert same(values.apply_affinity(v, aff), want), (v, aff, want)


def test_cast_edges() -> None:
    for v in ALL:
        for t in ("INTEGER", "REAL", "TEXT", "BLOB", "NUMERIC", "INT", "FLOAT", "VARCHAR"):
            want = oracle(f"SELECT CAST(? AS {t})", v)
            assert same(values.cast(v, t), want), (v, t, want)


def test_arithmetic_edges() -> None:
    ops = {"+": values.add, "-": values.subtract, "*": values.multiply,
           "/": values.divide, "%": values.remainder, "&": values.bit_and,
           "|": values.bit_or, "<<": values.shift_left, ">>": values.shift_right,
           "||": values.concat}
    operands = [0, 1, -1, 2, -2, 3, 7, -7, 63, 64, 65, -63, -64, -65, 2**62,
                2**63 - 1, -(2**63), 0.0, 2.5, -2.5, 1e300, float("inf"),
                float("-inf"), "12abc", "abc", "1.5", "2.0x", "", None, b"7",
                9.3e18, -9.3e18, 1e19]
    for sym, fn in ops.items():
        for a in operands:
            for b in operands:
                want = oracle(f"SELECT ?1 {sym} ?2", a, b)
                if sym == "||" and isinstance(a, bytes):
                    continue  # concat of a blob answers text in sqlite3 as well
                got = fn(a, b)
                assert same(got, want), (a, sym, b, got, want)


def test_unary_edges() -> None:
    for v in ALL + [2**63 - 1, -(2**63)]:
        assert same(values.negate(v), oracle("SELECT -?", v)), v
        assert same(values.bit_not(v), oracle("SELECT ~?", v)), v


def test_is_true() -> None:
    for v in ALL:
        want = oracle("SELECT CASE WHEN ? THEN 1 ELSE 0 END", v)
        got = values.is_true(v)
        assert bool(got) == bool(want), v
    assert values.is_true(None) is None
    assert values.is_true("1abc") is True
    assert values.is_true("abc") is False


REAL_SPECIALS = [1.0, 1e20, 0.1, 1 / 3, 123456789012345680000.0, float("inf"),
                 float("-inf"), -0.0, 0.0, 1e15, 1e14, 1e-4, 1e-5, 123.456,
                 5e-324, 1.7976931348623157e308, 2.0**63, 100.0, 0.5, -1.25e-7,
                 999999999999999.9, 9.99999999999999e14, 0.30000000000000004]


def test_real_to_text_specials() -> None:
    assert values.real_to_text(1.0) == "1.0"
    assert values.real_to_text(1e20) == "1.0e+20"
    assert values.real_to_text(float("inf")) == "Inf"
    assert values.real_to_text(float("-inf")) == "-Inf"
    for f in REAL_SPECIALS:
        assert values.real_to_text(f) == oracle("SELECT CAST(? AS TEXT)", f), f


def test_real_to_text_random() -> None:
    rng = random.Random(1234)
    conn = sqlite3.connect(":memory:")
    floats = []
    for _ in range(3000):
        kind = rng.random()
        if kind < 0.4:
            f = rng.uniform(-1e6, 1e6)
        elif kind < 0.7:
            f = rng.random() * 10.0 ** rng.randint(-30, 30)
        elif kind < 0.9:
            f = round(rng.uniform(-1000, 1000), rng.randint(0, 6))
        else:
            f = rng.choice([1, -1]) * math.ldexp(rng.random(), rng.randint(-1070, 1020))
        floats.append(f)
    want = [r[0] for r in conn.execute(
        "SELECT CAST(value AS TEXT) FROM json_each(?)", (str(floats).replace("inf", "1e999"),))]
    # json_each parses the numbers itself; bind each one too as a cross-check
    mismatches = []
    for f, w in zip(floats, want):
        direct = conn.execute("SELECT CAST(? AS TEXT)", (f,)).fetchone()[0]
        if values.real_to_text(f) != direct:
            mismatches.append((f, direct, values.real_to_text(f)))
    assert len(want) == len(floats)
    assert mismatches == []


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False))
def test_real_to_text_hypothesis(f: float) -> None:
    assert values.real_to_text(f) == oracle("SELECT CAST(? AS TEXT)", f)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False)),
       st.one_of(st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False)))
def test_arithmetic_hypothesis(a: object, b: object) -> None:
    for sym, fn in (("+", values.add), ("-", values.subtract), ("*", values.multiply),
                    ("/", values.divide), ("%", values.remainder)):
        assert same(fn(a, b), oracle(f"SELECT ?1 {sym} ?2", a, b)), (a, sym, b)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789+-.eE x", max_size=10))
def test_text_conversions_hypothesis(s: str) -> None:
    for t in ("INTEGER", "REAL", "NUMERIC"):
        assert same(values.cast(s, t), oracle(f"SELECT CAST(? AS {t})", s)), (s, t)
    assert same(values.add(s, 0), oracle("SELECT ? + 0", s)), s
    for aff in "CDE":
        got = values.apply_affinity(s, aff)
        if isinstance(got, float) and isinstance(values.text_to_numeric(s), float):
            continue  # checked through columns in test_apply_affinity_matches_columns
        assert type(got) in (int, float, str)


def test_like_pattern_too_long() -> None:
    try:
        values.like("a" * 50001, "a")
    except OperationalError as e:
        assert str(e) == "LIKE or GLOB pattern too complex"
    else:
        raise AssertionError("no error")


def _random_literals(n: int, seed: int) -> list[str]:
    import struct
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.random()
        if k < 0.3:
            z = f"{rng.randint(0, 10 ** rng.randint(1, 25))}.{rng.randint(0, 10 ** rng.randint(0, 25))}"
        elif k < 0.5:
            z = repr(rng.uniform(-1e3, 1e3))
        elif k < 0.7:
            z = f"{rng.randint(1, 10 ** rng.randint(1, 20))}e{rng.randint(-345, 345)}"
        elif k < 0.85:
            z = "0." + "0" * rng.randint(0, 5) + str(rng.randint(1, 10 ** rng.randint(1, 22)))
        else:
            z = repr(struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0])
        if "n" not in z:
            out.append(z)
    return out


def test_text_to_real_bit_exact() -> None:
    # sqlite3AtoF keeps ~18 digits and scales in long double; Pyrite emulates
    # it bit for bit (Python's float() would differ in ~0.2% of these).
    import struct
    conn = sqlite3.connect(":memory:")
    for z in _random_literals(4000, 99):
        want = conn.execute("SELECT CAST(? AS REAL)", (z,)).fetchone()[0]
        got = values.to_real(z)
        assert struct.pack("d", got) == struct.pack("d", want), (z, got, want)
        col = conn.execute("SELECT CAST(? AS NUMERIC)", (z,)).fetchone()[0]
        assert same(values.to_numeric(z), col), z


def _real_forms(seed: int, n: int) -> list[str]:
    import random
    rng = random.Random(seed)
    forms = ["1.3327324250543298e-305", "427379755e-316", "7100163728752794e219", "5.", ".5",
             "1E+5", "9223372036854775808", "18446744073709551616", "1e308", "1e309",
             "2.2250738585072014e-308", "4.9e-324", "1e-400", "0.1"]
    for _ in range(n):
        m = rng.randint(1, 10 ** rng.randint(1, 20))
        forms.append(f"{m}e{rng.randint(-330, 310)}")
        forms.append(f"{m / 10 ** rng.randint(0, 17):.17g}")
    return forms


def test_real_literals_read_as_sqlite3_reads_them() -> None:
    # SQL text goes through sqlite3AtoF (not correctly rounded near the
    # bottom of the range): literals, negated literals, integers past 64 bits.
    import sqlite3

    import pyrite
    ours, theirs = pyrite.connect(":memory:"), sqlite3.connect(":memory:")
    for f in _real_forms(11, 400):
        q = f"SELECT {f}, -{f}, typeof({f}), CAST('{f}' AS REAL)"
        assert ours.execute(q).fetchone() == theirs.execute(q).fetchone(), f


def test_json_reals_read_as_sqlite3_reads_them() -> None:
    # JSON numbers go through strtod (correctly rounded): not AtoF.
    import sqlite3

    import pyrite
    ours, theirs = pyrite.connect(":memory:"), sqlite3.connect(":memory:")
    q = "SELECT json_extract(?1, '$'), typeof(json_extract(?1, '$')), ?1 ->> '$'"
    for f in _real_forms(12, 400) + ["12345678901234567890123", "-1e999"]:
        try:
            want = theirs.execute(q, (f,)).fetchone()
        except sqlite3.OperationalError as exc:   # not JSON ("5.", ".5")
            with pytest.raises(pyrite.OperationalError, match=str(exc)):
                ours.execute(q, (f,))
            continue
        got = ours.execute(q, (f,)).fetchone()
        assert got == want and [type(v) for v in got] == [type(v) for v in want], f
