"""Core scalar functions: SQLite's func.c (and its math functions).

Layer: vdbe (built-in functions).  SQLite's counterpart is ``func.c``
(``abs``, ``substr``, ``round``, ``quote``, ...) and the math functions that
the stdlib's SQLite is built with (SQLITE_ENABLE_MATH_FUNCTIONS).  Arguments
are plain values; each function converts them the way the C function does
with ``sqlite3_value_int``/``_int64``/``_double``/``_text``/``_blob``.
A NaN result is NULL, as ``sqlite3_result_double`` makes it.
"""

from __future__ import annotations

import math
import random as _random
from typing import Any, Callable

from pyrite import values as V
from pyrite.errors import SQLITE_ERROR, SQLITE_TOOBIG, raise_error
from pyrite.values import Collation, compare, to_integer, to_real, to_text
from pyrite.vdbe.functions.base import (
    DETERMINISTIC, NEEDS_COLLATION, NEEDS_CONTEXT, FuncDef, FunctionContext,
)
from pyrite.vdbe.functions.printf import sqlite_printf

SQLITE_VERSION = "3.40.1"
SQLITE_SOURCE_ID = ("2022-12-28 14:03:47 df5c253c0b3dd24916e4ec7cf77d3db5294cc9fd"
                    "45ae7b9c5e82ad8197f3alt1")
SQLITE_MAX_LENGTH = 1_000_000_000

# PRAGMA compile_options of the stdlib SQLite this engine follows.
COMPILE_OPTIONS = (
    "ATOMIC_INTRINSICS=1", "COMPILER=gcc-12.2.0", "DEFAULT_AUTOVACUUM",
    "DEFAULT_CACHE_SIZE=-2000", "DEFAULT_FILE_FORMAT=4",
    "DEFAULT_JOURNAL_SIZE_LIMIT=-1", "DEFAULT_MMAP_SIZE=0",
    "DEFAULT_PAGE_SIZE=4096", "DEFAULT_PCACHE_INITSZ=20",
    "DEFAULT_RECURSIVE_TRIGGERS", "DEFAULT_SECTOR_SIZE=4096",
    "DEFAULT_SYNCHRONOUS=2", "DEFAULT_WAL_AUTOCHECKPOINT=1000",
    "DEFAULT_WAL_SYNCHRONOUS=2", "DEFAULT_WORKER_THREADS=0",
    "ENABLE_COLUMN_METADATA", "ENABLE_DBSTAT_VTAB", "ENABLE_FTS3",
    "ENABLE_FTS3_PARENTHESIS", "ENABLE_FTS3_TOKENIZER", "ENABLE_FTS4",
    "ENABLE_FTS5", "ENABLE_LOAD_EXTENSION", "ENABLE_MATH_FUNCTIONS",
    "ENABLE_PREUPDATE_HOOK", "ENABLE_RTREE", "ENABLE_SESSION",
    "ENABLE_STMTVTAB", "ENABLE_UNLOCK_NOTIFY", "ENABLE_UPDATE_DELETE_LIMIT",
    "HAVE_ISNAN", "LIKE_DOESNT_MATCH_BLOBS", "MALLOC_SOFT_LIMIT=1024",
    "MAX_ATTACHED=10", "MAX_COLUMN=2000", "MAX_COMPOUND_SELECT=500",
    "MAX_DEFAULT_PAGE_SIZE=32768", "MAX_EXPR_DEPTH=1000",
    "MAX_FUNCTION_ARG=127", "MAX_LENGTH=1000000000",
    "MAX_LIKE_PATTERN_LENGTH=50000", "MAX_MMAP_SIZE=0x7fff0000",
    "MAX_PAGE_COUNT=1073741823", "MAX_PAGE_SIZE=65536",
    "MAX_SCHEMA_RETRY=25", "MAX_SQL_LENGTH=1000000000",
    "MAX_TRIGGER_DEPTH=1000", "MAX_VARIABLE_NUMBER=250000",
    "MAX_VDBE_OP=250000000", "MAX_WORKER_THREADS=8", "MUTEX_PTHREADS",
    "OMIT_LOOKASIDE", "SECURE_DELETE", "SOUNDEX", "SYSTEM_MALLOC",
    "TEMP_STORE=1", "THREADSAFE=1", "USE_URI",
)


# ---------------------------------------------------------------------------
# Argument conversions (sqlite3_value_*)
# ---------------------------------------------------------------------------

def _int32(v: object) -> int:
    """sqlite3_value_int: the 64-bit integer value truncated to 32 bits."""
    i = to_integer(v) or 0
    i &= 0xFFFFFFFF
    return i - (1 << 32) if i >> 31 else i


def _int64(v: object) -> int:
    return to_integer(v) or 0


def _text(v: object) -> str:
    t = type(v)
    if t is str:
        return v  # type: ignore[return-value]
    return to_text(v)  # type: ignore[return-value]


def _blob(v: object) -> bytes:
    t = type(v)
    if t is bytes:
        return v  # type: ignore[return-value]
    if v is None:
        return b""
    if t is str:
        return V.text_bytes(v)  # type: ignore[arg-type]
    return V.to_blob(v)  # type: ignore[return-value]


def _numeric_type(v: object) -> int | float | None:
    """sqlite3_value_numeric_type: numbers as they are, text converted by
    numeric affinity when it is a well-formed number; None otherwise."""
    t = type(v)
    if t is int or t is float:
        return v  # type: ignore[return-value]
    if t is str:
        n = V.text_to_numeric(v)  # type: ignore[arg-type]
        if type(n) is float:
            return n
        return n
    return None


def _real(r: float) -> float | None:
    return None if r != r else r


# ---------------------------------------------------------------------------
# Scalars of func.c
# ---------------------------------------------------------------------------

def abs_(x: object) -> object:
    t = type(x)
    if t is int:
        if x == V.SMALLEST_INT64:
            raise_error(SQLITE_ERROR, "integer overflow")
        return -x if x < 0 else x  # type: ignore[operator]
    if x is None:
        return None
    return abs(to_real(x))  # type: ignore[arg-type]


def changes(ctx: FunctionContext) -> int:
    return ctx.changes


def total_changes(ctx: FunctionContext) -> int:
    return ctx.total_changes


def last_insert_rowid(ctx: FunctionContext) -> int:
    return ctx.last_insert_rowid


def char(*args: object) -> str:
    out = []
    for a in args:
        c = _int64(a)
        if c < 0 or c > 0x10FFFF or 0xD800 <= c <= 0xDFFF:
            c = 0xFFFD  # (SQLite writes a surrogate's bytes; not valid UTF-8)
        out.append(chr(c))
    return "".join(out)


def coalesce(*args: object) -> object:
    for a in args:
        if a is not None:
            return a
    return None


def glob_(pattern: object, text: object) -> int | None:
    return _like(pattern, text, is_glob=True)


def _like(pattern: object, text: object, escape: object = None, *,
          case_sensitive: bool = False, has_escape: bool = False,
          is_glob: bool = False) -> int | None:
    # likeFunc: blobs never match (SQLITE_LIKE_DOESNT_MATCH_BLOBS), then the
    # pattern length limit, then the ESCAPE check, then NULLs.
    if type(pattern) is bytes or type(text) is bytes:
        return 0
    if pattern is not None and type(pattern) is str and \
            len(pattern) > V.SQLITE_MAX_LIKE_PATTERN_LENGTH:  # type: ignore[arg-type]
        raise_error(SQLITE_ERROR, "LIKE or GLOB pattern too complex")
    esc = None
    if has_escape:
        if escape is None:
            return None
        esc = _text(escape)
        if len(esc) != 1:
            raise_error(SQLITE_ERROR, "ESCAPE expression must be a single character")
    if pattern is None or text is None:
        return None
    if is_glob:
        return int(V.glob(_text(pattern), _text(text)))
    return int(V.like(_text(pattern), _text(text), esc, case_sensitive))


# Compiled LIKE patterns (no ESCAPE), one table per case sensitivity, by
# pattern: a scan calls like() once a row with the same pattern, so the
# pattern is analysed once and each row pays only for the test itself.
_LIKE_TESTS: dict[bool, dict[str, Callable[[str], int]]] = {False: {}, True: {}}
_LIKE_TESTS_SIZE = 256

# The same patterns as plans the compiled executor writes inline (see
# jit._like): (literal, fold, test) where ``literal`` is the text a
# '%literal%' pattern looks for ('' for any other pattern: only ``test``
# then), to be found in the text lower-cased when ``fold``; the inline
# form covers ASCII text without a NUL, ``test`` (as _LIKE_TESTS) any text.
_LIKE_PLANS: dict[bool, dict[str, tuple[str, bool, Callable[[str], int]]]] = {False: {}, True: {}}

# The literal tests of _like_test as C calls: op(text, literal).
_LITERAL_TESTS = {(True, True): str.__contains__, (True, False): str.endswith,
                  (False, True): str.startswith, (False, False): str.__eq__}


def _like_test(pattern: str, case_sensitive: bool) -> Callable[[str], int]:
    """``text LIKE pattern`` for a text ``text`` as one function of the
    text, with the answer values.like gives (1 or 0); remembered in
    _LIKE_TESTS.

    A pattern that is one literal between optional '%'s (no '_') becomes a
    substring, prefix, suffix or equality test; without case sensitivity it
    compares ASCII text lower-cased, since SQLite folds only ASCII letters.
    Text with a NUL (SQLite stops at it) or non-ASCII letters to fold,
    and every other pattern, go through values.like's matcher."""
    pat = V._to_nul(pattern)
    general = V._like_matcher(pat, None, case_sensitive)

    def slow(text: str) -> int:
        return 1 if general(V._to_nul(text)) else 0

    test = slow
    core = pat.strip("%")
    contains = fold = False
    lit = ""
    if "_" not in pat and "%" not in core:
        contains = pat.startswith("%") and pat.endswith("%")
        op = _LITERAL_TESTS[(pat.startswith("%"), pat.endswith("%"))]
        if not case_sensitive and any(c.isascii() and c.isalpha() for c in core):
            fold = True
            lit = "".join(c.lower() if c.isascii() else c for c in core)

            def test(text: str) -> int:
                if text.isascii() and "\0" not in text:
                    return 1 if op(text.lower(), lit) else 0
                return slow(text)
        else:
            lit = core

            def test(text: str) -> int:
                if "\0" not in text:
                    return 1 if op(text, lit) else 0
                return slow(text)
    tests = _LIKE_TESTS[case_sensitive]
    plans = _LIKE_PLANS[case_sensitive]
    if len(tests) >= _LIKE_TESTS_SIZE:
        tests.clear()
        plans.clear()
    tests[pattern] = test
    plans[pattern] = (lit if contains else "", fold, test)
    return test


def _make_like2(case_sensitive: bool) -> Callable[[object, object], int | None]:
    """like(pattern, text) without ESCAPE: two texts go straight to the
    pattern's compiled test; anything else (NULLs, numbers, blobs, a
    pattern over the length limit) through _like."""
    tests = _LIKE_TESTS[case_sensitive]

    def like2(pattern: object, text: object) -> int | None:
        if type(text) is str and type(pattern) is str:
            test = tests.get(pattern)
            if test is not None:
                return test(text)
            if len(pattern) <= V.SQLITE_MAX_LIKE_PATTERN_LENGTH:  # type: ignore[operator]
                return _like_test(pattern, case_sensitive)(text)
        return _like(pattern, text, case_sensitive=case_sensitive)
    like2.like_plans = _LIKE_PLANS[case_sensitive]  # type: ignore[attr-defined]
    return like2


like2 = _make_like2(False)


def like3(pattern: object, text: object, escape: object) -> int | None:
    return _like(pattern, text, escape, has_escape=True)


def make_like(case_sensitive: bool) -> list[FuncDef]:
    """like() as PRAGMA case_sensitive_like sets it (the engine re-registers
    these two entries when the pragma changes)."""
    l2 = _make_like2(case_sensitive)

    def l3(p: object, t: object, e: object) -> int | None:
        return _like(p, t, e, case_sensitive=case_sensitive, has_escape=True)
    return [FuncDef("like", 2, l2), FuncDef("like", 3, l3)]


def hex_(x: object) -> str:
    return _blob(x).hex().upper()


def ifnull(a: object, b: object) -> object:
    return b if a is None else a


def iif(cond: object, a: object, b: object) -> object:
    return a if V.is_true(cond) else b


def instr(haystack: object, needle: object) -> int | None:
    if haystack is None or needle is None:
        return None
    if type(haystack) is bytes and type(needle) is bytes:
        if not needle:
            return 1
        return haystack.find(needle) + 1  # type: ignore[union-attr]
    h = _text(haystack)
    n = _text(needle)
    if not n:
        return 1
    return h.find(n) + 1


def length(x: object) -> int | None:
    t = type(x)
    if t is str:
        i = x.find("\x00")  # type: ignore[union-attr]
        return len(x) if i < 0 else i  # type: ignore[arg-type]
    if t is bytes:
        return len(x)  # type: ignore[arg-type]
    if x is None:
        return None
    return len(_text(x))


def likelihood(x: object, _p: object) -> object:
    return x


def likely(x: object) -> object:
    return x


_ASCII_UPPER = {c: c - 32 for c in range(97, 123)}
_ASCII_LOWER = {c: c + 32 for c in range(65, 91)}


def lower(x: object) -> str | None:
    if x is None:
        return None
    s = _text(x)
    return s.lower() if s.isascii() else s.translate(_ASCII_LOWER)


def upper(x: object) -> str | None:
    if x is None:
        return None
    s = _text(x)
    return s.upper() if s.isascii() else s.translate(_ASCII_UPPER)


def _trim_chars(args: tuple[object, ...]) -> tuple[str | None, str | None]:
    if args[0] is None:
        return None, None
    s = _text(args[0])
    if len(args) == 1:
        return s, " "
    if args[1] is None:
        return None, None
    chars = _text(args[1])
    nul = chars.find("\x00")
    return s, chars if nul < 0 else chars[:nul]  # the set is a C string


def ltrim(*args: object) -> str | None:
    s, chars = _trim_chars(args)
    return None if s is None else s.lstrip(chars)  # type: ignore[arg-type]


def rtrim(*args: object) -> str | None:
    s, chars = _trim_chars(args)
    return None if s is None else s.rstrip(chars)  # type: ignore[arg-type]


def trim(*args: object) -> str | None:
    s, chars = _trim_chars(args)
    return None if s is None else s.strip(chars)  # type: ignore[arg-type]


def max_(coll: Collation | None, *args: object) -> object:
    best = args[0]
    if best is None:
        return None
    for a in args[1:]:
        if a is None:
            return None
        if compare(best, a, coll) < 0:
            best = a
    return best


def min_(coll: Collation | None, *args: object) -> object:
    best = args[0]
    if best is None:
        return None
    for a in args[1:]:
        if a is None:
            return None
        if compare(best, a, coll) >= 0:
            best = a
    return best


def nullif(coll: Collation | None, a: object, b: object) -> object:
    if a is not None and b is not None and compare(a, b, coll) == 0:
        return None
    return a


def printf(*args: object) -> str | None:
    if not args or args[0] is None:
        return None
    return sqlite_printf(_text(args[0]), args[1:])


def quote(x: object) -> str:
    t = type(x)
    if t is int:
        return str(x)
    if t is float:
        s = V.real_to_text(x)  # type: ignore[arg-type]
        if s.endswith("Inf"):
            return s
        if float(s) != x:
            s = V.format_real(x, "e", 20, altform2=True)  # type: ignore[arg-type]
        return s
    if t is str:
        s = x  # type: ignore[assignment]
        i = s.find("\x00")  # type: ignore[union-attr]
        if i >= 0:
            s = s[:i]  # type: ignore[index]
        return "'" + s.replace("'", "''") + "'"  # type: ignore[union-attr]
    if x is None:
        return "NULL"
    return "X'" + _blob(x).hex().upper() + "'"


def random_() -> int:
    return _random.getrandbits(64) - (1 << 63)


def randomblob(n: object) -> bytes:
    k = _int64(n)
    if k < 1:
        k = 1
    if k > SQLITE_MAX_LENGTH:
        raise_error(SQLITE_TOOBIG)
    return _random.randbytes(k)


def replace(x: object, pattern: object, rep: object) -> object:
    if x is None or pattern is None:
        return None
    s = _text(x)
    p = _text(pattern)
    if not p or p[0] == "\x00":
        # An empty pattern (as a C string: a leading NUL counts as empty):
        # X comes back as it is, except that a blob has been read as text.
        return s if type(x) is bytes else x
    if rep is None:
        return None
    return s.replace(p, _text(rep))


def round_(x: object, digits: object = 0) -> float | None:
    if digits is None:
        return None
    n = _int32(digits) if digits != 0 else 0
    if n > 30:
        n = 30
    if n < 0:
        n = 0
    if x is None:
        return None
    r = to_real(x)
    assert r is not None
    if r < -4503599627370496.0 or r > 4503599627370496.0:
        return r  # beyond 2**52 a double has no fractional part
    if n == 0 and 0 <= r < 9.223372036854775806e18:
        return float(int(r + 0.5))
    if n == 0 and r < 0 and -r < 9.223372036854775806e18:
        return -float(int(-r + 0.5))
    s = V.format_real(r, "f", n)
    return to_real(s)


def sign(x: object) -> int | None:
    n = _numeric_type(x)
    if n is None or type(n) is str:
        return None
    return (n > 0) - (n < 0)  # type: ignore[operator]


# Soundex codes by ASCII letter; SQLite looks bytes up with the high bit
# masked off (so UTF-8 continuation bytes read as ASCII characters).
_SOUNDEX_CODES = [0] * 128
for _letters, _code in (("BFPV", 1), ("CGJKQSXZ", 2), ("DT", 3), ("L", 4),
                        ("MN", 5), ("R", 6)):
    for _ch in _letters:
        _SOUNDEX_CODES[ord(_ch)] = _code
        _SOUNDEX_CODES[ord(_ch.lower())] = _code


def soundex(x: object) -> str:
    z = b"" if x is None else V.text_bytes(_text(x))
    nul = z.find(0)
    if nul >= 0:
        z = z[:nul]
    i = 0
    while i < len(z) and not (65 <= z[i] <= 90 or 97 <= z[i] <= 122):
        i += 1
    if i >= len(z):
        return "?000"
    out = [chr(z[i]).upper()]
    prev = _SOUNDEX_CODES[z[i] & 0x7F]
    while len(out) < 4 and i < len(z):
        code = _SOUNDEX_CODES[z[i] & 0x7F]
        if code > 0:
            if code != prev:
                prev = code
                out.append(chr(48 + code))
        else:
            prev = 0
        i += 1
    return "".join(out).ljust(4, "0")


def sqlite_version() -> str:
    return SQLITE_VERSION


def sqlite_source_id() -> str:
    return SQLITE_SOURCE_ID


def sqlite_compileoption_get(n: object) -> str | None:
    i = _int32(n)
    if 0 <= i < len(COMPILE_OPTIONS):
        return COMPILE_OPTIONS[i]
    return None


def sqlite_compileoption_used(name: object) -> int | None:
    if name is None:
        return None
    z = _text(name)
    if z[:7].upper() == "SQLITE_":
        z = z[7:]
    for opt in COMPILE_OPTIONS:
        if opt.upper().startswith(z.upper()) and (len(opt) == len(z) or opt[len(z)] == "="):
            return 1
    return 0


def substr(x: object, start: object, count: object = None, *,
           _has_count: bool = False) -> object:
    if x is None or start is None:
        return None
    p1 = _int32(start)
    if type(x) is bytes:
        if not x:
            return None  # sqlite3_value_blob() of an empty blob is NULL
        z: Any = x
    else:
        z = _text(x)
    size = len(z)
    neg = False
    if _has_count:
        if count is None:
            return None
        p2 = _int32(count)
        if p2 < 0:
            p2 = -p2
            neg = True
    else:
        p2 = SQLITE_MAX_LENGTH
    if p1 < 0:
        p1 += size
        if p1 < 0:
            p2 += p1
            if p2 < 0:
                p2 = 0
            p1 = 0
    elif p1 > 0:
        p1 -= 1
    elif p2 > 0:
        p2 -= 1
    if neg:
        p1 -= p2
        if p1 < 0:
            p2 += p1
            p1 = 0
    return z[p1:p1 + p2]


def substr2(x: object, start: object) -> object:
    return substr(x, start)


def substr3(x: object, start: object, count: object) -> object:
    return substr(x, start, count, _has_count=True)


def typeof(x: object) -> str:
    return V.type_name(x)


def _utf8_read(z: bytes) -> int:
    # sqlite3Utf8Read on possibly invalid UTF-8: the first character's code.
    c = z[0]
    if c >= 0xC0:
        lead = c - 0xC0
        if lead < 0x20:
            c = lead
        elif lead < 0x30:
            c = lead - 0x20
        elif lead < 0x38:
            c = lead - 0x30
        elif lead < 0x3C:
            c = lead - 0x38
        elif lead < 0x3E:
            c = lead - 0x3C
        else:
            c = 0
        i = 1
        while i < len(z) and (z[i] & 0xC0) == 0x80:
            c = (c << 6) + (z[i] & 0x3F)
            i += 1
        if c < 0x80 or (c & 0xFFFFF800) == 0xD800 or (c & 0xFFFFFFFE) == 0xFFFE:
            c = 0xFFFD
    return c


def unicode(x: object) -> int | None:
    if x is None:
        return None
    if type(x) is bytes:
        return _utf8_read(x) if x and x[0] != 0 else None  # type: ignore[index]
    s = _text(x)
    return ord(s[0]) if s and s[0] != "\x00" else None


def zeroblob(n: object) -> bytes:
    k = _int64(n)
    if k < 0:
        k = 0
    if k > SQLITE_MAX_LENGTH:
        raise_error(SQLITE_TOOBIG)
    return bytes(k)


# ---------------------------------------------------------------------------
# Math functions (SQLITE_ENABLE_MATH_FUNCTIONS)
# ---------------------------------------------------------------------------

def _math1(fn: Callable[[float], float]) -> Callable[[object], float | None]:
    def f(x: object) -> float | None:
        n = _numeric_type(x)
        if n is None or type(n) is str:
            return None
        try:
            return _real(fn(float(n)))  # type: ignore[arg-type]
        except (ValueError, ZeroDivisionError):
            return None
        except OverflowError:
            return math.inf
    f.__name__ = fn.__name__
    return f


def _math2(fn: Callable[[float, float], float]) -> Callable[[object, object], float | None]:
    def f(x: object, y: object) -> float | None:
        a = _numeric_type(x)
        b = _numeric_type(y)
        if a is None or b is None or type(a) is str or type(b) is str:
            return None
        try:
            return _real(fn(float(a), float(b)))  # type: ignore[arg-type]
        except (ValueError, ZeroDivisionError):
            return None
        except OverflowError:
            return math.inf
    f.__name__ = fn.__name__
    return f


def _ceil_floor_trunc(fn: Callable[[float], int]) -> Callable[[object], object]:
    def f(x: object) -> object:
        n = _numeric_type(x)
        if n is None or type(n) is str:
            return None
        if type(n) is int:
            return n
        if math.isinf(n):  # type: ignore[arg-type]
            return n
        return float(fn(n))  # type: ignore[arg-type]
    return f


_LN10 = math.log(10.0)  # M_LN10
_LN2 = math.log(2.0)    # M_LN2


def _ln(x: float) -> float:
    if x <= 0:
        raise ValueError
    return math.log(x)


def _log10(x: float) -> float:
    if x <= 0:
        raise ValueError
    return math.log(x) / _LN10  # as SQLite computes it (not C's log10)


def _log2(x: float) -> float:
    if x <= 0:
        raise ValueError
    return math.log(x) / _LN2


def _pow(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except OverflowError:
        odd = y == int(y) and int(y) % 2 == 1
        return -math.inf if (x < 0 and odd) else math.inf
    except (ZeroDivisionError, ValueError):
        if x == 0.0 and y < 0:  # C's pole: +-inf
            odd = y == int(y) and int(y) % 2 == 1
            return -math.inf if (odd and math.copysign(1.0, x) < 0) else math.inf
        raise ValueError from None


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _cosh(x: float) -> float:
    try:
        return math.cosh(x)
    except OverflowError:
        return math.inf


def _sinh(x: float) -> float:
    try:
        return math.sinh(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def _atanh(x: float) -> float:
    if x == 1.0 or x == -1.0:
        return math.copysign(math.inf, x)  # C's pole result
    return math.atanh(x)


def log2_args(b: object, x: object) -> float | None:
    """log(B, X).  Like SQLite's logFunc, only B is checked to be numeric;
    X is read with sqlite3_value_double (text by its numeric prefix)."""
    nb = _numeric_type(b)
    if nb is None:
        return None
    fb = float(nb)  # type: ignore[arg-type]
    if fb <= 0.0:
        return None
    lb = math.log(fb)
    if lb <= 0.0:
        return None
    fx = to_real(x) if x is not None else 0.0
    if fx is None or fx <= 0.0:  # type: ignore[operator]
        return None
    return _real(math.log(fx) / lb)  # type: ignore[arg-type]


def pi() -> float:
    return math.pi


def _scalar(name: str, n: int, fn: Callable[..., Any], flags: int = DETERMINISTIC,
            min_arg: int = 0) -> FuncDef:
    return FuncDef(name, n, fn, flags, min_arg)


FUNCTIONS: list[FuncDef] = [
    _scalar("abs", 1, abs_),
    _scalar("changes", 0, changes, NEEDS_CONTEXT),
    _scalar("char", -1, char),
    _scalar("coalesce", -1, coalesce, min_arg=2),
    _scalar("format", -1, printf),
    _scalar("glob", 2, glob_),
    _scalar("hex", 1, hex_),
    _scalar("ifnull", 2, ifnull),
    _scalar("iif", 3, iif),
    _scalar("instr", 2, instr),
    _scalar("last_insert_rowid", 0, last_insert_rowid, NEEDS_CONTEXT),
    _scalar("length", 1, length),
    _scalar("like", 2, like2),
    _scalar("like", 3, like3),
    _scalar("likelihood", 2, likelihood),
    _scalar("likely", 1, likely),
    _scalar("lower", 1, lower),
    _scalar("ltrim", 1, ltrim),
    _scalar("ltrim", 2, ltrim),
    _scalar("max", -1, max_, DETERMINISTIC | NEEDS_COLLATION, 2),
    _scalar("min", -1, min_, DETERMINISTIC | NEEDS_COLLATION, 2),
    _scalar("nullif", 2, nullif, DETERMINISTIC | NEEDS_COLLATION),
    _scalar("printf", -1, printf),
    _scalar("quote", 1, quote),
    _scalar("random", 0, random_, 0),
    _scalar("randomblob", 1, randomblob, 0),
    _scalar("replace", 3, replace),
    _scalar("round", 1, round_),
    _scalar("round", 2, round_),
    _scalar("rtrim", 1, rtrim),
    _scalar("rtrim", 2, rtrim),
    _scalar("sign", 1, sign),
    _scalar("soundex", 1, soundex),
    _scalar("sqlite_compileoption_get", 1, sqlite_compileoption_get),
    _scalar("sqlite_compileoption_used", 1, sqlite_compileoption_used),
    _scalar("sqlite_source_id", 0, sqlite_source_id, 0),
    _scalar("sqlite_version", 0, sqlite_version, 0),
    _scalar("substr", 2, substr2),
    _scalar("substr", 3, substr3),
    _scalar("substring", 2, substr2),
    _scalar("substring", 3, substr3),
    _scalar("total_changes", 0, total_changes, NEEDS_CONTEXT),
    _scalar("trim", 1, trim),
    _scalar("trim", 2, trim),
    _scalar("typeof", 1, typeof),
    _scalar("unicode", 1, unicode),
    _scalar("unlikely", 1, likely),
    _scalar("upper", 1, upper),
    _scalar("zeroblob", 1, zeroblob),
    # Math functions.
    _scalar("acos", 1, _math1(math.acos)),
    _scalar("acosh", 1, _math1(math.acosh)),
    _scalar("asin", 1, _math1(math.asin)),
    _scalar("asinh", 1, _math1(math.asinh)),
    _scalar("atan", 1, _math1(math.atan)),
    _scalar("atan2", 2, _math2(math.atan2)),
    _scalar("atanh", 1, _math1(_atanh)),
    _scalar("ceil", 1, _ceil_floor_trunc(math.ceil)),
    _scalar("ceiling", 1, _ceil_floor_trunc(math.ceil)),
    _scalar("cos", 1, _math1(math.cos)),
    _scalar("cosh", 1, _math1(_cosh)),
    _scalar("degrees", 1, _math1(math.degrees)),
    _scalar("exp", 1, _math1(_exp)),
    _scalar("floor", 1, _ceil_floor_trunc(math.floor)),
    _scalar("ln", 1, _math1(_ln)),
    _scalar("log", 1, _math1(_log10)),
    _scalar("log", 2, log2_args),
    _scalar("log10", 1, _math1(_log10)),
    _scalar("log2", 1, _math1(_log2)),
    _scalar("mod", 2, _math2(math.fmod)),
    _scalar("pi", 0, pi),
    _scalar("pow", 2, _math2(_pow)),
    _scalar("power", 2, _math2(_pow)),
    _scalar("radians", 1, _math1(math.radians)),
    _scalar("sin", 1, _math1(math.sin)),
    _scalar("sinh", 1, _math1(_sinh)),
    _scalar("sqrt", 1, _math1(math.sqrt)),
    _scalar("tan", 1, _math1(math.tan)),
    _scalar("tanh", 1, _math1(math.tanh)),
    _scalar("trunc", 1, _ceil_floor_trunc(math.trunc)),
]
