"""Values: SQLite's value semantics in one module.

Bottom layer (importable from anywhere; imports only :mod:`pyrite.errors`).
It owns everything SQLite decides about a single value or a pair of values:

* comparison and the storage-class order (``sqlite3MemCompare`` in
  ``vdbemem.c``), collating sequences (``binCollFunc``, ``nocaseCollatingFunc``
  and ``rtrimCollFunc`` in ``main.c``) and :class:`KeyInfo`, the description of
  how index keys compare (``KeyInfo`` in ``sqliteInt.h``);
* type affinity (``sqlite3AffinityType`` in ``build.c``, ``applyAffinity`` in
  ``vdbe.c``) and CAST (``sqlite3VdbeMemCast``, ``sqlite3VdbeMemNumerify``);
* text <-> number conversions (``sqlite3AtoF`` and ``sqlite3Atoi64`` in
  ``util.c``) and the rendering of a REAL as text (``%!.15g`` of ``printf.c``);
* arithmetic and bit operators with SQLite's overflow rules (``OP_Add`` ...
  ``OP_ShiftRight`` in ``vdbe.c``), concatenation and truth values;
* LIKE and GLOB matching (``patternCompare`` in ``func.c``).

Values are plain Python objects: ``None`` (NULL), ``int`` (64-bit range),
``float`` (never NaN: a NaN result becomes NULL), ``str`` and ``bytes``.
The comparison, affinity, arithmetic and rendering functions are called once
per row and column, so their common cases exit early without allocating.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from functools import lru_cache
from typing import Callable, Sequence

from pyrite.errors import SQLITE_ERROR, raise_error

__all__ = [
    "AFF_NONE", "AFF_BLOB", "AFF_TEXT", "AFF_NUMERIC", "AFF_INTEGER", "AFF_REAL",
    "SMALLEST_INT64", "LARGEST_INT64",
    "Collation", "BINARY", "NOCASE", "RTRIM", "BUILTIN_COLLATIONS",
    "KeyInfo", "compare", "compare_keys", "storage_class", "type_name",
    "affinity_of_type", "apply_affinity", "comparison_affinity",
    "compare_with_affinity",
    "text_to_numeric", "to_numeric", "to_integer", "to_real", "to_text",
    "to_blob", "cast", "cast_to_affinity", "real_to_text", "format_real", "is_true", "numeric_value",
    "add", "subtract", "multiply", "divide", "remainder", "bit_and",
    "bit_or", "shift_left", "shift_right", "bit_not", "negate", "concat",
    "like", "glob",
]

SMALLEST_INT64 = -(1 << 63)
LARGEST_INT64 = (1 << 63) - 1

# Affinity codes: SQLite's letters (SQLITE_AFF_* in sqliteInt.h).  Their order
# matters: every affinity >= AFF_NUMERIC is numeric.
AFF_NONE = "@"
AFF_BLOB = "A"
AFF_TEXT = "B"
AFF_NUMERIC = "C"
AFF_INTEGER = "D"
AFF_REAL = "E"


# ---------------------------------------------------------------------------
# Collating sequences
# ---------------------------------------------------------------------------

class Collation:
    """A collating sequence: a name and ``func(a: str, b: str) -> int``.

    ``func`` answers negative, zero or positive as ``a`` sorts before, equal
    to or after ``b`` (``sqlite3_create_collation``'s xCompare).  User-defined
    collations from ``create_collation`` are wrapped in this class as well.
    """

    __slots__ = ("name", "func")

    def __init__(self, name: str, func: Callable[[str, str], int]) -> None:
        self.name = name
        self.func = func

    def __call__(self, a: str, b: str) -> int:
        return self.func(a, b)

    def __repr__(self) -> str:
        return f"Collation({self.name!r})"


def _binary_collate(a: str, b: str) -> int:
    # memcmp() of the UTF-8 encodings.  UTF-8 byte order is code-point order,
    # which is how Python orders str, so no encoding is needed.
    return (a > b) - (a < b)


# NOCASE folds ASCII A-Z to a-z only (sqlite3UpperToLower); other letters are
# compared as they are.
_ASCII_LOWER = {c: c + 32 for c in range(65, 91)}


def _nocase_key(s: str) -> str:
    if s.isascii():
        return s.lower()
    return s.translate(_ASCII_LOWER)


def fold_name(name: str) -> str:
    """An identifier (table, column, index, function, collation... name) as
    SQLite compares them: ASCII letters case-folded, other characters as
    they are (sqlite3StrICmp), so "É" and "é" stay two names."""
    return name.lower() if name.isascii() else name.translate(_ASCII_LOWER)


def _nocase_collate(a: str, b: str) -> int:
    a = _nocase_key(a)
    b = _nocase_key(b)
    if "\0" in a and "\0" in b:
        return _nocase_collate_nul(a, b)
    return (a > b) - (a < b)


def _nocase_collate_nul(a: str, b: str) -> int:
    """sqlite3StrNICmp stops at a NUL both strings have at the same place
    after an equal prefix; the byte lengths then decide."""
    for x, y in zip(a, b):
        if x != y:
            return -1 if x < y else 1
        if x == "\0":
            n1, n2 = len(a.encode("utf-8", "surrogatepass")), len(b.encode("utf-8", "surrogatepass"))
            return (n1 > n2) - (n1 < n2)
    return (len(a) > len(b)) - (len(a) < len(b))


def _rtrim_collate(a: str, b: str) -> int:
    # Trailing spaces (U+0020 only) are ignored.
    a = a.rstrip(" ")
    b = b.rstrip(" ")
    return (a > b) - (a < b)


BINARY = Collation("BINARY", _binary_collate)
NOCASE = Collation("NOCASE", _nocase_collate)
RTRIM = Collation("RTRIM", _rtrim_collate)

BUILTIN_COLLATIONS: dict[str, Collation] = {
    "binary": BINARY,
    "nocase": NOCASE,
    "rtrim": RTRIM,
}


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------

# Storage-class rank for mixed-type comparison: NULL < numbers < text < blob.
_RANK: dict[type, int] = {
    type(None): 0, bool: 1, int: 1, float: 1, str: 2,
    bytes: 3, bytearray: 3, memoryview: 3,
}


def storage_class(v: object) -> int:
    """0 NULL, 1 INTEGER/REAL, 2 TEXT, 3 BLOB (the order of ``compare``)."""
    return _RANK[type(v)]


def type_name(v: object) -> str:
    """``typeof(v)``: 'null', 'integer', 'real', 'text' or 'blob'."""
    t = type(v)
    if t is int or t is bool:
        return "integer"
    if t is str:
        return "text"
    if t is float:
        return "real"
    if v is None:
        return "null"
    return "blob"


def compare(a: object, b: object, coll: Collation | None = None) -> int:
    """Compare two values as SQLite does (``sqlite3MemCompare``): -1, 0 or 1.

    NULL sorts before numbers, numbers before text, text before blobs.
    Integers and reals compare exactly by value (Python compares ``int`` with
    ``float`` exactly, even beyond 2**53).  Text compares with ``coll``
    (``None`` means BINARY); blobs with memcmp().  Two NULLs are equal here;
    the caller decides what NULL means for ``=``.
    """
    ta = type(a)
    if ta is type(b):
        if ta is str:
            if coll is None or coll is BINARY:
                return (a > b) - (a < b)  # type: ignore[operator]
            r = coll.func(a, b)  # type: ignore[arg-type]
            return (r > 0) - (r < 0)
        if ta is not type(None):
            return (a > b) - (a < b)  # type: ignore[operator]
        return 0
    ra = _RANK[ta]
    rb = _RANK[type(b)]
    if ra != rb:
        return -1 if ra < rb else 1
    if ra == 3:
        a = bytes(a)  # type: ignore[arg-type]
        b = bytes(b)  # type: ignore[arg-type]
    return (a > b) - (a < b)  # type: ignore[operator]


class KeyInfo:
    """How the fields of an index key compare (SQLite's ``KeyInfo``).

    ``collations[i]`` is the collating sequence of field ``i`` (``None`` for
    BINARY, as SQLite stores a NULL pointer for the default), ``desc[i]`` is
    True for a DESC field, ``n_key_field`` is the number of fields that take
    part in comparisons (``nKeyField``).  ``bignull[i]`` marks NULLS LAST
    on an ASC field or NULLS FIRST on a DESC one (KEYINFO_ORDER_BIGNULL).
    P4 of OpenRead/OpenWrite on an index, SorterOpen, OpenEphemeral, Compare.
    """

    __slots__ = ("collations", "desc", "n_key_field", "bignull", "_plain")

    def __init__(
        self,
        collations: Sequence[Collation | None],
        desc: Sequence[bool] | None = None,
        n_key_field: int | None = None,
        bignull: Sequence[bool] | None = None,
    ) -> None:
        self.collations = tuple(collations)
        n = len(self.collations)
        self.desc = tuple(desc) if desc is not None else (False,) * n
        if len(self.desc) < n:
            self.desc = self.desc + (False,) * (n - len(self.desc))
        self.n_key_field = n if n_key_field is None else n_key_field
        self.bignull = tuple(bignull) if bignull is not None else (False,) * n
        if len(self.bignull) < n:
            self.bignull = self.bignull + (False,) * (n - len(self.bignull))
        # True when every field is ASC, BINARY and NULLS FIRST: the fast path.
        self._plain = (not any(self.desc) and not any(self.bignull) and all(
            c is None or c is BINARY for c in self.collations))

    def collation(self, i: int) -> Collation | None:
        return self.collations[i] if i < len(self.collations) else None

    def is_desc(self, i: int) -> bool:
        return self.desc[i] if i < len(self.desc) else False

    def compare(self, a: Sequence[object], b: Sequence[object]) -> int:
        """Compare two unpacked keys field by field over their common
        prefix; fields beyond ``collations`` (the trailing rowid of an index
        entry) compare BINARY ASC.  0 when the common prefix is equal."""
        return compare_keys(a, b, self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KeyInfo):
            return NotImplemented
        return (self.collations == other.collations and self.desc == other.desc
                and self.n_key_field == other.n_key_field
                and self.bignull == other.bignull)

    def __hash__(self) -> int:
        return hash((self.collations, self.desc, self.n_key_field))

    def __str__(self) -> str:
        parts = [f"k({self.n_key_field}"]
        for i in range(self.n_key_field):
            coll = self.collation(i)
            name = "" if coll is None else coll.name
            if name == "BINARY":
                name = "B"
            flags = ("-" if self.is_desc(i) else "") + (
                "N." if i < len(self.bignull) and self.bignull[i] else "")
            parts.append(f",{flags}{name}")
        parts.append(")")
        return "".join(parts)

    def __repr__(self) -> str:
        return f"KeyInfo({self})"


def compare_keys(a: Sequence[object], b: Sequence[object], key_info: KeyInfo) -> int:
    """Compare two unpacked keys with ``key_info``: the first difference over
    the shorter key's fields decides; 0 if they agree on all of them."""
    n = min(len(a), len(b))
    if key_info._plain:
        for i in range(n):
            x = a[i]
            y = b[i]
            t = type(x)
            if t is type(y) and (t is int or t is str or t is float):
                if x == y:
                    continue
                return 1 if x > y else -1
            r = compare(x, y)
            if r:
                return r
        return 0
    colls = key_info.collations
    ncoll = len(colls)
    desc = key_info.desc
    bignull = key_info.bignull
    for i in range(n):
        x = a[i]
        y = b[i]
        t = type(x)
        coll = colls[i] if i < ncoll else None
        if t is type(y) and (t is int or t is float or (
                t is str and (coll is None or coll is BINARY))):
            if x == y:
                continue
            r = 1 if x > y else -1
        else:
            r = compare(x, y, coll)
        if r:
            if i < ncoll:
                if bignull[i] and (x is None or y is None):
                    r = -r
                if desc[i]:
                    r = -r
            return r
    return 0


# ---------------------------------------------------------------------------
# Affinity
# ---------------------------------------------------------------------------

def affinity_of_type(decl: str | None) -> str:
    """The affinity of a declared column type (datatype3.html, 3.1).

    The five rules, in order: contains "INT" -> INTEGER; "CHAR", "CLOB" or
    "TEXT" -> TEXT; "BLOB" or no type -> BLOB; "REAL", "FLOA" or "DOUB" ->
    REAL; otherwise NUMERIC.
    """
    if not decl:
        return AFF_BLOB
    t = decl.upper()
    if "INT" in t:
        return AFF_INTEGER
    if "CHAR" in t or "CLOB" in t or "TEXT" in t:
        return AFF_TEXT
    if "BLOB" in t:
        return AFF_BLOB
    if "REAL" in t or "FLOA" in t or "DOUB" in t:
        return AFF_REAL
    return AFF_NUMERIC


# A complete numeric literal as sqlite3AtoF accepts it (leading and trailing
# whitespace allowed, no hex, no inf/nan words).  Group 1 is present when the
# literal is a pure integer.
_WS = " \t\n\x0b\x0c\r"
_NUM_FULL = re.compile(
    r"[ \t\n\x0b\x0c\r]*(?:([+-]?[0-9]+)|[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)"
    r"(?:[eE][+-]?[0-9]+)?)[ \t\n\x0b\x0c\r]*\Z")
# The longest numeric prefix (for CAST and arithmetic on text).
_NUM_PREFIX = re.compile(
    r"[ \t\n\x0b\x0c\r]*([+-]?)((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)?")
_INT_PREFIX = re.compile(r"[ \t\n\x0b\x0c\r]*([+-]?)0*([0-9]*)")


def _int_fits(i: int) -> bool:
    return SMALLEST_INT64 <= i <= LARGEST_INT64


def _round_bits(n: int, d: int, bits: int) -> tuple[int, int]:
    """Round the positive rational n/d to ``bits`` significant bits, ties
    to even: (m, e) with n/d ~ m * 2**e and 2**(bits-1) <= m <= 2**bits."""
    e = n.bit_length() - d.bit_length() - bits
    while True:
        if e >= 0:
            num, den = n, d << e
        else:
            num, den = n << -e, d
        q, r = divmod(num, den)
        if q >= 1 << bits:
            e += 1
        elif q < 1 << (bits - 1):
            e -= 1
        else:
            break
    if 2 * r > den or (2 * r == den and q & 1):
        q += 1
    return q, e


def _ld_ratio(n: int, d: int) -> tuple[int, int]:
    """n/d (n >= 0) rounded to an x87 long double, as a ratio."""
    if n == 0:
        return 0, 1
    m, e = _round_bits(n, d, 64)
    return (m << e, 1) if e >= 0 else (m, 1 << -e)


def _ld_to_double(n: int, d: int) -> float:
    """n/d (n > 0) rounded to long double, then to double (what C does with
    ``double r = (long double)...``); normal results only."""
    m, e = _round_bits(n, d, 64)
    m53 = m >> 11
    rest = m & 0x7FF
    if rest > 0x400 or (rest == 0x400 and m53 & 1):
        m53 += 1
    try:
        return math.ldexp(m53, e + 11)
    except OverflowError:
        return math.inf


@lru_cache(maxsize=400)
def _pow10_ld(k: int) -> tuple[int, int]:
    # sqlite3Pow10: 10**k by repeated squaring in long double.
    r = (1, 1)
    x = (10, 1)
    while True:
        if k & 1:
            r = _ld_ratio(r[0] * x[0], r[1] * x[1])
        k >>= 1
        if k == 0:
            return r
        x = _ld_ratio(x[0] * x[0], x[1] * x[1])


_ATOF_LIMIT = (LARGEST_INT64 - 9) // 10
_LITERAL = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")


def _str_to_float(text: str) -> float:
    """sqlite3AtoF's value for a well-formed literal ``[+-]digits[.digits]
    [e[+-]digits]`` (``.digits`` alone allowed): significant digits are
    kept while the significand stays below ~9.2e17, then it is scaled by a
    power of ten computed in long double and rounded to double.  Bit-exact
    with SQLite 3.40 (checked on 60,000 random literals), where Python's
    float() differs in ~0.2% of cases."""
    m = _LITERAL.match(text)
    sign, ipart, fpart, epart = m.groups()  # type: ignore[union-attr]
    fpart = fpart or ""
    digits = ipart + fpart
    lead = len(digits) - len(digits.lstrip("0"))
    sig = digits[lead:]
    # SQLite appends a digit only while the significand is below the limit:
    # 18 significant digits always fit, a 19th when the 18 are below it.
    k = len(sig)
    if k > 18:
        k = 19 if int(sig[:18]) < _ATOF_LIMIT else 18
    kept = lead + k
    s = int(sig[:k]) if k else 0
    d = len(ipart) - kept if kept <= len(ipart) else -(kept - len(ipart))
    e = 0
    if epart:
        e = int(epart)
        if e > 100000:
            e = 100000
        elif e < -100000:
            e = -100000
    e += d
    if s == 0:
        return -0.0 if sign == "-" else 0.0
    scale_down = e < 0
    if scale_down:
        e = -e
        while e > 0 and s % 10 == 0:
            s //= 10
            e -= 1
    else:
        while e > 0 and s < LARGEST_INT64 // 10:
            s *= 10
            e -= 1
    if e == 0:
        r = float(s)
    elif e > 307:
        if e >= 342:
            r = 0.0 if scale_down else math.inf
        else:
            sn, sd = _pow10_ld(e - 308)
            if scale_down:
                r = _ld_to_double(s * sd, sn) / 1e308
            else:
                r = _ld_to_double(s * sn, sd) * 1e308
    else:
        sn, sd = _pow10_ld(e)
        if scale_down:
            r = _ld_to_double(s * sd, sn)
        else:
            r = _ld_to_double(s * sn, sd)
    return -r if sign == "-" else r


def text_to_numeric(s: str) -> int | float | None:
    """The number a whole text spells (sqlite3AtoF accepting the whole
    string), as an int when it is an integer literal that fits in 64 bits;
    ``None`` when the text is not a well-formed number.  Used by numeric
    affinity."""
    if s.isdigit() and s.isascii() and len(s) < 19:
        return int(s)  # the common case, 0.8 us -> 0.2 us
    m = _NUM_FULL.match(s)
    if m is None:
        return None
    if m.group(1) is not None:
        i = int(m.group(1))
        if _int_fits(i):
            return i
        return _str_to_float(m.group(1))
    return _str_to_float(s.strip(_WS))


def _real_integer_affinity(f: float) -> int | float:
    # sqlite3VdbeIntegerAffinity: an exactly integral real becomes an integer,
    # except at the two ends of the 64-bit range.
    if -9.223372036854775808e18 < f < 9.223372036854775808e18:
        i = int(f)
        if i == f:
            return i
    return f


def apply_affinity(v: object, aff: str) -> object:
    """Apply column affinity ``aff`` to ``v`` (``applyAffinity`` in vdbe.c,
    with the REAL conversion that OP_Column applies for REAL columns).

    TEXT renders numbers as text; NUMERIC and INTEGER turn well-formed
    numeric text into a number (an integer when exact) and integral reals
    into integers; REAL does the same but always yields a float; BLOB (and
    ``None``/no affinity) changes nothing.  Blobs and NULLs never change.
    """
    t = type(v)
    if aff >= AFF_NUMERIC:
        if t is int:
            if aff == AFF_REAL:
                return float(v)  # type: ignore[arg-type]
            return v
        if t is float:
            if aff == AFF_REAL:
                # A REAL column stores an integral real as an integer and
                # reads it back as a real, which drops the sign of -0.0.
                return 0.0 if v == 0.0 else v
            return _real_integer_affinity(v)  # type: ignore[arg-type]
        if t is str:
            n = text_to_numeric(v)  # type: ignore[arg-type]
            if n is None:
                return v
            if aff == AFF_REAL:
                return float(n) if n != 0 else 0.0
            if type(n) is float:
                return _real_integer_affinity(n)
            return n
        if t is bool:
            return float(v) if aff == AFF_REAL else int(v)  # type: ignore[arg-type]
        return v
    if aff == AFF_TEXT:
        if t is int:
            return str(v)
        if t is float:
            return real_to_text(v)  # type: ignore[arg-type]
        if t is bool:
            return str(int(v))  # type: ignore[call-overload]
    return v


def comparison_affinity(aff1: str | None, aff2: str | None) -> str:
    """The affinity applied to both operands before a comparison whose
    operands have affinities ``aff1`` and ``aff2`` (``sqlite3CompareAffinity``;
    None or AFF_NONE means "no affinity", as for a literal or expression).

    When both have an affinity (BLOB included): NUMERIC if either is
    numeric, else BLOB (no conversion).  When only one has, that one.
    AFF_NONE when neither has."""
    a1 = aff1 or AFF_NONE
    a2 = aff2 or AFF_NONE
    if a1 > AFF_NONE and a2 > AFF_NONE:
        if a1 >= AFF_NUMERIC or a2 >= AFF_NUMERIC:
            return AFF_NUMERIC
        return AFF_BLOB
    return a2 if a1 <= AFF_NONE else a1


def compare_with_affinity(a: object, b: object, aff: str | None,
                          coll: Collation | None = None) -> int | None:
    """Compare as OP_Lt/OP_Eq... do with P5's affinity ``aff`` (from
    :func:`comparison_affinity`): None when either operand is NULL, else
    -1/0/1 after numeric affinity turned well-formed numeric text into
    numbers, or TEXT affinity turned numbers into text."""
    if a is None or b is None:
        return None
    if aff is not None and aff >= AFF_NUMERIC:
        if type(a) is str:
            n = text_to_numeric(a)  # type: ignore[arg-type]
            if n is not None:
                a = n
        if type(b) is str:
            n = text_to_numeric(b)  # type: ignore[arg-type]
            if n is not None:
                b = n
    elif aff == AFF_TEXT:
        if type(a) is int or type(a) is float:
            a = to_text(a)
        if type(b) is int or type(b) is float:
            b = to_text(b)
    return compare(a, b, coll)


# ---------------------------------------------------------------------------
# Conversions and CAST
# ---------------------------------------------------------------------------

def _as_text(v: bytes | bytearray | memoryview) -> str:
    return bytes(v).decode("utf-8", "surrogateescape")


def _atof_prefix(s: str) -> tuple[float, bool, bool]:
    """sqlite3AtoF over the longest numeric prefix of ``s``: (value,
    is_pure_integer_syntax, whole_string_consumed)."""
    m = _NUM_PREFIX.match(s)
    digits = m.group(2)  # type: ignore[union-attr]
    if digits is None:
        return 0.0, False, False
    sign = m.group(1)  # type: ignore[union-attr]
    f = _str_to_float(sign + digits)
    pure = digits.isdigit()
    whole = s[m.end():].strip(_WS) == ""  # type: ignore[union-attr]
    return f, pure, whole


def _atoi_prefix(s: str) -> int:
    """sqlite3Atoi64 over the longest integer prefix, clamped to 64 bits."""
    m = _INT_PREFIX.match(s)
    digits = m.group(2)  # type: ignore[union-attr]
    if not digits:
        return 0
    i = int(digits)
    if m.group(1) == "-":  # type: ignore[union-attr]
        i = -i
    if i > LARGEST_INT64:
        return LARGEST_INT64
    if i < SMALLEST_INT64:
        return SMALLEST_INT64
    return i


def _double_to_int64(f: float) -> int:
    # doubleToInt64: clamp to the 64-bit range, truncate toward zero.
    if f <= -9.223372036854775808e18:
        return SMALLEST_INT64
    if f >= 9.223372036854775807e18:
        return LARGEST_INT64
    if f != f:
        return 0
    return int(f)


def to_integer(v: object) -> int | None:
    """CAST(v AS INTEGER) (``sqlite3VdbeIntValue``): text by its longest
    integer prefix (clamped to 64 bits), reals truncated and clamped."""
    t = type(v)
    if t is int:
        return v  # type: ignore[return-value]
    if t is float:
        return _double_to_int64(v)  # type: ignore[arg-type]
    if t is str:
        return _atoi_prefix(v)  # type: ignore[arg-type]
    if v is None:
        return None
    if t is bool:
        return int(v)  # type: ignore[call-overload]
    return _atoi_prefix(_as_text(v))  # type: ignore[arg-type]


def to_real(v: object) -> float | None:
    """CAST(v AS REAL) (``sqlite3VdbeRealValue``): text by its longest
    numeric prefix, 0.0 when there is none."""
    t = type(v)
    if t is float:
        return v  # type: ignore[return-value]
    if t is int or t is bool:
        return float(v)  # type: ignore[arg-type]
    if t is str:
        return _atof_prefix(v)[0]  # type: ignore[arg-type]
    if v is None:
        return None
    return _atof_prefix(_as_text(v))[0]  # type: ignore[arg-type]


def _numeric_prefix(s: str) -> tuple[int | float, bool]:
    """The number the longest numeric prefix of ``s`` spells, and whether
    that prefix has a decimal point or exponent.  A prefix of digits only is
    an int when it fits in 64 bits (``computeNumericType``); no prefix is 0."""
    m = _NUM_PREFIX.match(s)
    digits = m.group(2)  # type: ignore[union-attr]
    if digits is None:
        return 0, False
    if digits.isdigit():
        i = int(digits)
        if m.group(1) == "-":  # type: ignore[union-attr]
            i = -i
        if _int_fits(i):
            return i, False
        return _str_to_float(m.group(1) + digits), False  # type: ignore[union-attr]
    return _str_to_float(m.group(1) + digits), True  # type: ignore[union-attr]


def _numerify_text(s: str) -> int | float:
    # sqlite3VdbeMemNumerify on text: the longest prefix, an integer when the
    # prefix is an integer that fits or a real that is exactly integral
    # (within +/-2**51, sqlite3RealSameAsInt).
    n, _ = _numeric_prefix(s)
    if type(n) is int:
        return n
    if n == 0.0:
        return 0
    if -2251799813685248.0 <= n < 2251799813685248.0:  # type: ignore[operator]
        i = int(n)
        if i == n:
            return i
    return n


def numeric_value(v: object) -> int | float | None:
    """The number an operand of arithmetic stands for (``numericType``):
    numbers as they are, text and blobs by their longest numeric prefix
    (an int unless the prefix has a point or exponent or overflows)."""
    t = type(v)
    if t is int or t is float or v is None:
        return v  # type: ignore[return-value]
    if t is str:
        return _numeric_prefix(v)[0]  # type: ignore[arg-type]
    if t is bool:
        return int(v)  # type: ignore[call-overload]
    return _numeric_prefix(_as_text(v))[0]  # type: ignore[arg-type]


def to_numeric(v: object) -> int | float | None:
    """CAST(v AS NUMERIC): text and blobs by their longest numeric prefix,
    an integer when exact."""
    t = type(v)
    if t is int or t is float or v is None:
        return v  # type: ignore[return-value]
    if t is str:
        return _numerify_text(v)  # type: ignore[arg-type]
    if t is bool:
        return int(v)  # type: ignore[call-overload]
    return _numerify_text(_as_text(v))  # type: ignore[arg-type]


def to_text(v: object) -> str | None:
    """CAST(v AS TEXT): numbers rendered as SQLite renders them, blobs
    reinterpreted as UTF-8."""
    t = type(v)
    if t is str:
        return v  # type: ignore[return-value]
    if t is int:
        return str(v)
    if t is float:
        return real_to_text(v)  # type: ignore[arg-type]
    if v is None:
        return None
    if t is bool:
        return str(int(v))  # type: ignore[call-overload]
    return _as_text(v)  # type: ignore[arg-type]


def text_bytes(s: str) -> bytes:
    """The UTF-8 bytes of a text value.  Text that is not valid UTF-8 (SQLite
    stores whatever bytes it is given) is read with its bad bytes as lone
    surrogates (surrogateescape) and here encodes back to the same bytes, so
    reading and rewriting a row never changes it; other lone surrogates, which
    only Python strings can hold, encode as surrogatepass."""
    try:
        return s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return s.encode("utf-8", "surrogatepass")


def to_blob(v: object) -> bytes | None:
    """CAST(v AS BLOB): text as its UTF-8 bytes, numbers via their text."""
    t = type(v)
    if t is bytes:
        return v  # type: ignore[return-value]
    if t is str:
        return text_bytes(v)  # type: ignore[arg-type]
    if v is None:
        return None
    if t is bytearray or t is memoryview:
        return bytes(v)  # type: ignore[arg-type]
    return to_text(v).encode("utf-8")  # type: ignore[union-attr]


def cast(v: object, decl: str | None) -> object:
    """CAST(v AS decl): the target affinity comes from the type name by
    the rules of ``affinity_of_type``; NULL stays NULL."""
    return cast_to_affinity(v, affinity_of_type(decl))


def cast_to_affinity(v: object, aff: str) -> object:
    """CAST to affinity ``aff`` (``sqlite3VdbeMemCast``, OP_Cast's P2):
    'A' BLOB, 'B' TEXT, 'C' NUMERIC, 'D' INTEGER, 'E' REAL."""
    if v is None:
        return None
    if aff == AFF_INTEGER:
        return to_integer(v)
    if aff == AFF_TEXT:
        return to_text(v)
    if aff == AFF_REAL:
        return to_real(v)
    if aff == AFF_NUMERIC:
        return to_numeric(v)
    return to_blob(v)


# ---------------------------------------------------------------------------
# REAL -> text
# ---------------------------------------------------------------------------

def real_to_text(f: float) -> str:
    """Render a REAL as SQLite does (``%!.15g``): 15 significant digits,
    trailing zeros dropped but at least one digit after the point, exponent
    form below 1e-4 and from 1e15 ('1.0e+20'), 'Inf' and '-Inf'.

    Python's correctly rounded '%.15g' gives SQLite's digits except where the
    value lies within a hair of a rounding boundary at the 15th digit; there
    SQLite's long-double digit generator decides, and :func:`format_real`
    emulates it exactly.
    """
    if f == 0.0:
        return "0.0"  # also -0.0: SQLite's printf drops the sign of zero
    r = repr(f)
    if len(r) <= 16 and "e" not in r and -1e15 < f < 1e15 and "n" not in r:
        # At most 15 significant digits, positional: repr() is the answer.
        # (Measured: 1.2 us -> 0.25 us for such values.)
        return r
    probe = "%.19e" % f
    # Digits 16-18 of the exact value.  Near a rounding boundary the error of
    # the long-double digit generator can matter: ~1e-19 relative for
    # moderate values, more beyond 1e27 where the scale factors are inexact,
    # up to ~4e-17 from 1e100 on (1e100 itself is off by 1.6e-17).
    near = probe[16:19] if f > 0 else probe[17:20]
    if -1e27 < f < 1e27:
        slow = near == "499" or near == "500"
    elif -1e100 < f < 1e100:
        slow = near[:2] == "49" or near[:2] == "50"
    else:
        slow = "45" <= near[:2] <= "54"
    if slow:
        return format_real(f, "g", 15, altform2=True)
    s = "%.15g" % f
    if "e" in s:
        mant, _, exp = s.partition("e")
        if "." not in mant:
            mant += ".0"
        return mant + "e" + exp
    if "." in s:
        return s
    if s[-1] == "f":
        return "Inf" if f > 0 else "-Inf"
    if s == "nan":  # pragma: no cover - NaN never reaches here
        return "NaN"
    return s + ".0"


# --- SQLite's floating-point printf (printf.c, etFLOAT/etEXP/etGENERIC) ----
# SQLite 3.40 generates digits in x87 long double (64-bit significand)
# arithmetic; each operation is emulated exactly with rationals rounded to
# 64 bits, half to even.

def _ld(x: Fraction) -> Fraction:
    """Round ``x`` to the nearest 80-bit long double (ties to even)."""
    n = x.numerator
    if n == 0:
        return x
    d = x.denominator
    neg = n < 0
    if neg:
        n = -n
    e = n.bit_length() - d.bit_length() - 64
    while True:
        if e >= 0:
            num, den = n, d << e
        else:
            num, den = n << -e, d
        q, r = divmod(num, den)
        if q >= 1 << 64:
            e += 1
        elif q < 1 << 63:
            e -= 1
        else:
            break
    if 2 * r > den or (2 * r == den and q & 1):
        q += 1
    v = Fraction(q << e) if e >= 0 else Fraction(q, 1 << -e)
    return -v if neg else v


_ROUNDERS = (5.0e-01, 5.0e-02, 5.0e-03, 5.0e-04, 5.0e-05,
             5.0e-06, 5.0e-07, 5.0e-08, 5.0e-09, 5.0e-10)
_F_1E100 = Fraction(1e100)
_F_1E10 = Fraction(1e10)
_F_1EM8 = Fraction(1e-8)
_F_0_1 = Fraction(0.1)


def format_real(value: float, conv: str, precision: int = -1, *,
                alternate: bool = False, altform2: bool = False,
                plus: str = "") -> str:
    """Format ``value`` with SQLite's printf conversion ``conv`` ('f', 'e',
    'E', 'g' or 'G') and ``precision`` (-1 for the default 6), flags '#'
    (``alternate``) and '!' (``altform2``); ``plus`` is the sign shown for
    non-negative values ('+', ' ' or '').  Width is the caller's business."""
    if precision < 0:
        precision = 6
    if value != value:
        return "NaN"
    prefix = plus
    if value < 0.0:
        value = -value
        prefix = "-"
    if value == math.inf:
        return prefix + "Inf"
    generic = conv in "gG"
    if generic and precision > 0:
        precision -= 1
    idx = precision & 0xFFF
    rounder = _ROUNDERS[idx % 10]
    while idx >= 10:
        rounder *= 1.0e-10
        idx -= 10
    rv = Fraction(value)
    xtype = conv.lower()
    if xtype == "f":
        ex = math.frexp(value)[1] - 1 if value else -1023
        if precision + int(ex / 3) < 15:
            rounder = float(_ld(Fraction(rounder) + _ld(rv * Fraction(3e-16))))
        rv = _ld(rv + Fraction(rounder))
    exp = 0
    if rv > 0:
        scale = Fraction(1)
        while rv >= _ld(_F_1E100 * scale) and exp <= 350:
            scale = _ld(scale * _F_1E100)
            exp += 100
        while rv >= _ld(_F_1E10 * scale) and exp <= 350:
            scale = _ld(scale * _F_1E10)
            exp += 10
        while rv >= 10 * scale and exp <= 350:
            scale = _ld(scale * 10)
            exp += 1
        rv = _ld(rv / scale)
        while rv < _F_1EM8:
            rv = _ld(rv * 100000000)
            exp -= 8
        while rv < 1:
            rv = _ld(rv * 10)
            exp -= 1
        if exp > 350:
            return prefix + "Inf"
    if xtype != "f":
        rv = _ld(rv + Fraction(rounder))
        if rv >= 10:
            rv = _ld(rv * _F_0_1)
            exp += 1
    if generic:
        rtz = not alternate
        if exp < -4 or exp > precision:
            xtype = "e"
        else:
            precision -= exp
            xtype = "f"
    else:
        rtz = altform2
    e2 = 0 if xtype == "e" else exp
    nsd = 16 + (10 if altform2 else 0)
    out: list[str] = [prefix]

    def digit() -> str:
        nonlocal rv, nsd
        if nsd <= 0:
            return "0"
        nsd -= 1
        dg = int(rv)
        rv = _ld((rv - dg) * 10)
        return chr(48 + dg)

    dp = precision > 0 or alternate or altform2
    if e2 < 0:
        out.append("0")
    else:
        while e2 >= 0 and nsd > 0:
            out.append(digit())
            e2 -= 1
        if e2 >= 0:
            out.append("0" * (e2 + 1))
            e2 = -1
    if dp:
        out.append(".")
    e2 += 1
    if e2 < 0:
        out.append("0" * -e2)
        precision += e2
        e2 = 0
    while precision > 0 and nsd > 0:
        out.append(digit())
        precision -= 1
    if precision > 0:
        out.append("0" * precision)  # past the significant digits: zeros
    text = "".join(out)
    if rtz and dp:
        text = text.rstrip("0")
        if text.endswith("."):
            text = text + "0" if altform2 else text[:-1]
    if xtype == "e":
        text += "E" if conv in "EG" else "e"
        if exp < 0:
            text += "-"
            exp = -exp
        else:
            text += "+"
        text += "%02d" % exp
    return text


def is_true(v: object) -> bool | None:
    """The truth value of ``v`` as a condition (``sqlite3VdbeBooleanValue``):
    None for NULL, numbers by != 0, text and blobs by their numeric prefix
    ('1abc' is true, 'abc' false)."""
    t = type(v)
    if t is int or t is float or t is bool:
        return v != 0
    if v is None:
        return None
    if t is str:
        return _atof_prefix(v)[0] != 0.0  # type: ignore[arg-type]
    return _atof_prefix(_as_text(v))[0] != 0.0  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Arithmetic (OP_Add, OP_Subtract, OP_Multiply, OP_Divide, OP_Remainder)
# ---------------------------------------------------------------------------
# Integer operands use 64-bit integer arithmetic; on overflow, or when either
# operand is real, the operation is done in floating point.  A NaN result is
# NULL; so is division or remainder by zero.

def _real_result(r: float) -> float | None:
    return None if r != r else r


def add(a: object, b: object) -> int | float | None:
    """a + b"""
    if type(a) is int and type(b) is int:
        r = a + b  # type: ignore[operator]
        if SMALLEST_INT64 <= r <= LARGEST_INT64:
            return r
        return float(a) + float(b)  # type: ignore[arg-type]
    if a is None or b is None:
        return None
    a = numeric_value(a)
    b = numeric_value(b)
    if type(a) is int and type(b) is int:
        return add(a, b)
    return _real_result(float(a) + float(b))  # type: ignore[arg-type]


def subtract(a: object, b: object) -> int | float | None:
    """a - b"""
    if type(a) is int and type(b) is int:
        r = a - b  # type: ignore[operator]
        if SMALLEST_INT64 <= r <= LARGEST_INT64:
            return r
        return float(a) - float(b)  # type: ignore[arg-type]
    if a is None or b is None:
        return None
    a = numeric_value(a)
    b = numeric_value(b)
    if type(a) is int and type(b) is int:
        return subtract(a, b)
    return _real_result(float(a) - float(b))  # type: ignore[arg-type]


def multiply(a: object, b: object) -> int | float | None:
    """a * b"""
    if type(a) is int and type(b) is int:
        r = a * b  # type: ignore[operator]
        if SMALLEST_INT64 <= r <= LARGEST_INT64:
            return r
        return float(a) * float(b)  # type: ignore[arg-type]
    if a is None or b is None:
        return None
    a = numeric_value(a)
    b = numeric_value(b)
    if type(a) is int and type(b) is int:
        return multiply(a, b)
    return _real_result(float(a) * float(b))  # type: ignore[arg-type]


def divide(a: object, b: object) -> int | float | None:
    """a / b: integer division truncates toward zero; x/0 is NULL."""
    if a is None or b is None:
        return None
    if type(a) is not int or type(b) is not int:
        a = numeric_value(a)
        b = numeric_value(b)
    if type(a) is int and type(b) is int:
        if b == 0:
            return None
        if not (a == SMALLEST_INT64 and b == -1):
            q = abs(a) // abs(b)  # type: ignore[arg-type]
            return q if (a < 0) == (b < 0) else -q  # type: ignore[operator]
    fb = float(b)  # type: ignore[arg-type]
    if fb == 0.0:
        return None
    return _real_result(float(a) / fb)  # type: ignore[arg-type]


def remainder(a: object, b: object) -> int | float | None:
    """a % b: the sign follows the dividend; x%0 is NULL.  When an operand
    is not an integer, both are converted with CAST-to-INTEGER rules and the
    result is a real."""
    if a is None or b is None:
        return None
    ta = type(a)
    tb = type(b)
    if ta is not int or tb is not int:
        na = numeric_value(a)
        nb = numeric_value(b)
        if type(na) is not int or type(nb) is not int:
            ia = to_integer(a)
            ib = to_integer(b)
            if ib == 0:
                return None
            if ib == -1:
                ib = 1
            r = abs(ia) % abs(ib)  # type: ignore[arg-type]
            return float(-r if ia < 0 else r)  # type: ignore[operator]
        a = na
        b = nb
    if b == 0:
        return None
    if b == -1:
        return 0
    r = abs(a) % abs(b)  # type: ignore[arg-type]
    return -r if a < 0 else r  # type: ignore[operator]


# ---------------------------------------------------------------------------
# Bit operators (OP_BitAnd, OP_BitOr, OP_ShiftLeft, OP_ShiftRight, OP_BitNot)
# ---------------------------------------------------------------------------

def _to_i64(v: object) -> int:
    if type(v) is int:
        return v  # type: ignore[return-value]
    return to_integer(v)  # type: ignore[return-value]


def _wrap64(u: int) -> int:
    u &= 0xFFFFFFFFFFFFFFFF
    return u - (1 << 64) if u >> 63 else u


def bit_and(a: object, b: object) -> int | None:
    """a & b on 64-bit integers."""
    if a is None or b is None:
        return None
    return _to_i64(a) & _to_i64(b)


def bit_or(a: object, b: object) -> int | None:
    """a | b on 64-bit integers."""
    if a is None or b is None:
        return None
    return _to_i64(a) | _to_i64(b)


def _shift(a: int, b: int, left: bool) -> int:
    if b < 0:
        left = not left
        b = -b if b > -64 else 64
    if b >= 64:
        return 0 if (a >= 0 or left) else -1
    if left:
        return _wrap64(a << b)
    return a >> b


def shift_left(a: object, b: object) -> int | None:
    """a << b: a negative shift shifts right, 64 or more gives 0 (or -1)."""
    if a is None or b is None:
        return None
    return _shift(_to_i64(a), _to_i64(b), True)


def shift_right(a: object, b: object) -> int | None:
    """a >> b: arithmetic shift; a negative shift shifts left."""
    if a is None or b is None:
        return None
    return _shift(_to_i64(a), _to_i64(b), False)


def bit_not(a: object) -> int | None:
    """~a"""
    if a is None:
        return None
    return ~_to_i64(a)


def negate(a: object) -> int | float | None:
    """-a, coded by SQLite as 0 - a: -(min int) is a real, '-abc' is 0."""
    if type(a) is int:
        if a == SMALLEST_INT64:
            return 9.223372036854775808e18
        return -a  # type: ignore[operator]
    if type(a) is float:
        return -a  # type: ignore[operator]
    return subtract(0, a)


def concat(a: object, b: object) -> str | None:
    """a || b: NULL if either is NULL, else the text of both."""
    if a is None or b is None:
        return None
    if type(a) is not str:
        a = to_text(a)
    if type(b) is not str:
        b = to_text(b)
    return a + b  # type: ignore[operator]


# ---------------------------------------------------------------------------
# LIKE and GLOB
# ---------------------------------------------------------------------------
# Patterns are translated into regular expressions once and cached.  SQLite's
# matcher (patternCompare) is anchored at both ends; LIKE folds ASCII letters
# only; GLOB is case sensitive and has [...] classes.

SQLITE_MAX_LIKE_PATTERN_LENGTH = 50000

# A pattern is compiled into single-character regex pieces and ANY (a '%' or
# '*').  With at most one ANY, one anchored regex does the work.  With more,
# the pieces between ANYs are matched left to right, each at its leftmost
# place: every segment has a fixed length, so the leftmost choice is always
# right and the match takes O(len(text) * len(pattern)) time, never the
# exponential backtracking a regex like '.*a.*a.*a.*b' can fall into.
_ANY = None


class _Matcher:
    __slots__ = ("whole", "first", "middles", "last", "last_len")

    def __init__(self, pieces: list[str | None] | None) -> None:
        self.whole: re.Pattern[str] | None = None
        self.first: re.Pattern[str] | None = None
        self.middles: list[re.Pattern[str]] = []
        self.last: re.Pattern[str] | None = None
        self.last_len = 0
        if pieces is None:
            self.whole = re.compile(r"(?!)")
            return
        segments: list[list[str]] = [[]]
        for piece in pieces:
            if piece is _ANY:
                segments.append([])
            else:
                segments[-1].append(piece)
        if len(segments) <= 2:
            self.whole = re.compile(
                ".*".join("".join(seg) for seg in segments), re.DOTALL)
            return
        if segments[0]:
            self.first = re.compile("".join(segments[0]), re.DOTALL)
        self.middles = [re.compile("".join(seg), re.DOTALL)
                        for seg in segments[1:-1] if seg]
        if segments[-1]:
            self.last = re.compile("".join(segments[-1]), re.DOTALL)
            self.last_len = len(segments[-1])

    def __call__(self, text: str) -> bool:
        if self.whole is not None:
            return self.whole.fullmatch(text) is not None
        pos = 0
        if self.first is not None:
            m = self.first.match(text)
            if m is None:
                return False
            pos = m.end()
        end = len(text) - self.last_len
        if end < pos:
            return False
        for mid in self.middles:
            m = mid.search(text, pos, end)
            if m is None:
                return False
            pos = m.end()
        if self.last is not None:
            return self.last.fullmatch(text, end) is not None
        return True


@lru_cache(maxsize=512)
def _like_matcher(pattern: str, escape: str | None, case_sensitive: bool) -> _Matcher:
    pieces: list[str | None] = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == escape:
            if i >= n:
                return _Matcher(None)  # an escape at the end matches nothing
            c = pattern[i]
            i += 1
        elif c == "%":
            if not pieces or pieces[-1] is not _ANY:
                pieces.append(_ANY)
            continue
        elif c == "_":
            pieces.append(".")
            continue
        if not case_sensitive and c.isascii() and c.isalpha():
            pieces.append("[" + c.lower() + c.upper() + "]")
        else:
            pieces.append(re.escape(c))
    return _Matcher(pieces)


def like(pattern: str, text: str, escape: str | None = None,
         case_sensitive: bool = False) -> bool:
    """``text LIKE pattern [ESCAPE escape]``: '%' any sequence, '_' one
    character, ASCII letters match either case unless ``case_sensitive``
    (PRAGMA case_sensitive_like).  Arguments are text (callers convert)."""
    if len(pattern) > SQLITE_MAX_LIKE_PATTERN_LENGTH:
        raise_error(SQLITE_ERROR, "LIKE or GLOB pattern too complex")
    pattern, text = _to_nul(pattern), _to_nul(text)
    return _like_matcher(pattern, escape, case_sensitive)(text)


def _to_nul(s: str) -> str:
    """SQLite matches patterns over C strings: a NUL ends the text."""
    return s.split("\0", 1)[0] if "\0" in s else s


def _glob_class(pattern: str, i: int) -> tuple[str | None, int]:
    # Parse a [...] class starting just after '['.  Returns the regex for it
    # (None if the class is never closed) and the index after ']'.
    n = len(pattern)
    invert = False
    singles: list[str] = []
    ranges: list[tuple[str, str]] = []
    if i < n and pattern[i] == "^":
        invert = True
        i += 1
    if i < n and pattern[i] == "]":
        singles.append("]")
        i += 1
    prior: str | None = None
    while i < n and pattern[i] != "]":
        c = pattern[i]
        i += 1
        if c == "-" and prior is not None and i < n and pattern[i] != "]":
            hi = pattern[i]
            i += 1
            singles.pop()
            if prior <= hi:
                ranges.append((prior, hi))
            prior = None
        else:
            singles.append(c)
            prior = c
    if i >= n:
        return None, i
    body = "".join(re.escape(c) for c in singles) + "".join(
        re.escape(lo) + "-" + re.escape(hi) for lo, hi in ranges)
    if not body:
        return ("." if invert else "(?!)"), i + 1
    return "[" + ("^" if invert else "") + body + "]", i + 1


@lru_cache(maxsize=512)
def _glob_matcher(pattern: str) -> _Matcher:
    pieces: list[str | None] = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            if not pieces or pieces[-1] is not _ANY:
                pieces.append(_ANY)
        elif c == "?":
            pieces.append(".")
        elif c == "[":
            cls, i = _glob_class(pattern, i)
            if cls is None:
                return _Matcher(None)
            pieces.append(cls)
        else:
            pieces.append(re.escape(c))
    return _Matcher(pieces)


def glob(pattern: str, text: str) -> bool:
    """``text GLOB pattern``: '*' any sequence, '?' one character, '[...]'
    a class (ranges, '^' negation, ']' first is literal); case sensitive."""
    if len(pattern) > SQLITE_MAX_LIKE_PATTERN_LENGTH:
        raise_error(SQLITE_ERROR, "LIKE or GLOB pattern too complex")
    return _glob_matcher(_to_nul(pattern))(_to_nul(text))
