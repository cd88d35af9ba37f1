"""Date and time functions: date, time, datetime, julianday, unixepoch,
strftime and current_date/current_time/current_timestamp.

Layer: vdbe (built-in functions).  SQLite's counterpart is ``date.c`` as of
3.40: every value is held as a julian day number in milliseconds (``iJD``)
and/or broken-down year/month/day hour:minute:second, computed lazily from
each other with Meeus's algorithms and C's integer arithmetic; modifiers
are applied left to right; any parse error or out-of-range result is NULL.

These functions take the FunctionContext first; ``'now'`` is
``ctx.current_time`` (julian day in milliseconds, fixed for a statement as
``sqlite3StmtCurrentTime``) when the context has it, else the clock.
"""

from __future__ import annotations

import struct
import time
from typing import Any, Sequence

from pyrite import values as V
from pyrite.errors import SQLITE_ERROR, raise_error
from pyrite.vdbe.functions.base import DETERMINISTIC, NEEDS_CONTEXT, FuncDef
from pyrite.vdbe.functions.printf import sqlite_printf

_MAX_IJD = 464269060799999       # 9999-12-31 23:59:59.999
_UNIX_EPOCH_IJD = 210866760000000  # 1970-01-01 00:00:00 in ms
_WS = " \t\n\x0b\x0c\r"


def _cdiv(a: int, b: int) -> int:
    """C integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _cmod(a: int, b: int) -> int:
    return a - b * _cdiv(a, b)


def _f32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


def _not_pure(ctx: Any) -> None:
    """'now' where the function must be pure (sqlite3NotPureFunc): the
    compiler's OP_PureFunc marks ``ctx.pure_context`` = (function, where)."""
    mark = getattr(ctx, "pure_context", None)
    if mark:
        from pyrite import errors
        errors.raise_error(errors.SQLITE_ERROR,
                           f"non-deterministic use of {mark[0]}() in {mark[1]}")


def current_time_ms(ctx: Any) -> int:
    """The statement's 'now' as a julian day number in milliseconds."""
    _not_pure(ctx)
    t = getattr(ctx, "current_time", None)
    if t:
        return int(t)
    return int(time.time() * 1000) + _UNIX_EPOCH_IJD


class DateTime:
    """SQLite's DateTime: iJD and/or Y-M-D h:m:s with validity flags."""

    __slots__ = ("ijd", "Y", "M", "D", "h", "m", "tz", "s", "valid_jd",
                 "raw_s", "valid_ymd", "valid_hms", "valid_tz", "tz_set",
                 "is_error")

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.ijd = 0
        self.Y = self.M = self.D = 0
        self.h = self.m = 0
        self.tz = 0
        self.s = 0.0
        self.valid_jd = self.raw_s = self.valid_ymd = self.valid_hms = False
        self.valid_tz = self.tz_set = self.is_error = False

    def copy(self) -> DateTime:
        c = DateTime()
        for k in self.__slots__:
            setattr(c, k, getattr(self, k))
        return c

    def error(self) -> None:
        self.clear()
        self.is_error = True

    # -- conversions (computeJD, computeYMD, computeHMS) --------------------

    def compute_jd(self) -> None:
        if self.valid_jd:
            return
        if self.valid_ymd:
            Y, M, D = self.Y, self.M, self.D
        else:
            Y, M, D = 2000, 1, 1
        if Y < -4713 or Y > 9999 or self.raw_s:
            self.error()
            return
        if M <= 2:
            Y -= 1
            M += 12
        A = _cdiv(Y, 100)
        B = 2 - A + _cdiv(A, 4)
        X1 = _cdiv(36525 * (Y + 4716), 100)
        X2 = _cdiv(306001 * (M + 1), 10000)
        self.ijd = int((X1 + X2 + D + B - 1524.5) * 86400000)
        self.valid_jd = True
        if self.valid_hms:
            self.ijd += self.h * 3600000 + self.m * 60000 + int(self.s * 1000 + 0.5)
            if self.valid_tz:
                self.ijd -= self.tz * 60000
                self.valid_ymd = False
                self.valid_hms = False
                self.valid_tz = False

    def compute_ymd(self) -> None:
        if self.valid_ymd:
            return
        if not self.valid_jd:
            self.Y, self.M, self.D = 2000, 1, 1
        elif not (0 <= self.ijd <= _MAX_IJD):
            self.error()
            return
        else:
            Z = (self.ijd + 43200000) // 86400000
            A = int((Z - 1867216.25) / 36524.25)
            A = Z + 1 + A - _cdiv(A, 4)
            B = A + 1524
            C = int((B - 122.1) / 365.25)
            D = _cdiv(36525 * (C & 32767), 100)
            E = int((B - D) / 30.6001)
            X1 = int(30.6001 * E)
            self.D = B - D - X1
            self.M = E - 1 if E < 14 else E - 13
            self.Y = C - 4716 if self.M > 2 else C - 4715
        self.valid_ymd = True

    def compute_hms(self) -> None:
        if self.valid_hms:
            return
        self.compute_jd()
        day_ms = _cmod(self.ijd + 43200000, 86400000)
        self.s = (day_ms % 60000) / 1000.0
        day_min = day_ms // 60000
        self.m = day_min % 60
        self.h = day_min // 60
        self.raw_s = False
        self.valid_hms = True

    def compute_ymd_hms(self) -> None:
        self.compute_ymd()
        self.compute_hms()

    def clear_ymd_hms_tz(self) -> None:
        self.valid_ymd = self.valid_hms = self.valid_tz = False


# -- parsing ----------------------------------------------------------------

def _digits(z: str, i: int, n: int, lo: int, hi: int) -> int | None:
    if i + n > len(z):
        return None
    part = z[i:i + n]
    if not (part.isascii() and part.isdigit()):
        return None
    v = int(part)
    if v < lo or v > hi:
        return None
    return v


def _skip_ws(z: str, i: int) -> int:
    while i < len(z) and z[i] in _WS:
        i += 1
    return i


def _parse_timezone(z: str, i: int, p: DateTime) -> bool:
    """True on error."""
    i = _skip_ws(z, i)
    p.tz = 0
    if i >= len(z):
        return False
    c = z[i]
    if c == "-" or c == "+":
        sgn = -1 if c == "-" else 1
        i += 1
        hr = _digits(z, i, 2, 0, 14)
        if hr is None or i + 2 >= len(z) or z[i + 2] != ":":
            return True
        mn = _digits(z, i + 3, 2, 0, 59)
        if mn is None:
            return True
        i += 5
        p.tz = sgn * (mn + hr * 60)
    elif c == "Z" or c == "z":
        i += 1
    else:
        return True
    i = _skip_ws(z, i)
    p.tz_set = True
    return i < len(z)


def _parse_hhmmss(z: str, i: int, p: DateTime) -> bool:
    """Parse HH:MM[:SS[.FFF]][tz] at z[i:]; True on error."""
    h = _digits(z, i, 2, 0, 24)
    if h is None or i + 2 >= len(z) or z[i + 2] != ":":
        return True
    m = _digits(z, i + 3, 2, 0, 59)
    if m is None:
        return True
    i += 5
    s = 0
    ms = 0.0
    if i < len(z) and z[i] == ":":
        i += 1
        sv = _digits(z, i, 2, 0, 59)
        if sv is None:
            return True
        s = sv
        i += 2
        if i + 1 < len(z) and z[i] == "." and "0" <= z[i + 1] <= "9":
            scale = 1.0
            i += 1
            while i < len(z) and "0" <= z[i] <= "9":
                ms = ms * 10.0 + (ord(z[i]) - 48)
                scale *= 10.0
                i += 1
            ms /= scale
    p.valid_jd = False
    p.raw_s = False
    p.valid_hms = True
    p.h = h
    p.m = m
    p.s = s + ms
    if _parse_timezone(z, i, p):
        return True
    p.valid_tz = p.tz != 0
    return False


def _parse_yyyymmdd(z: str, p: DateTime) -> bool:
    i = 0
    neg = False
    if z[:1] == "-":
        i = 1
        neg = True
    Y = _digits(z, i, 4, 0, 9999)
    if Y is None or z[i + 4:i + 5] != "-":
        return True
    M = _digits(z, i + 5, 2, 1, 12)
    if M is None or z[i + 7:i + 8] != "-":
        return True
    D = _digits(z, i + 8, 2, 1, 31)
    if D is None:
        return True
    i += 10
    while i < len(z) and (z[i] in _WS or z[i] == "T"):
        i += 1
    if not _parse_hhmmss(z, i, p):
        pass
    elif i >= len(z):
        p.valid_hms = False
    else:
        return True
    p.valid_jd = False
    p.valid_ymd = True
    p.Y = -Y if neg else Y
    p.M = M
    p.D = D
    if p.valid_tz:
        p.compute_jd()
    return False


def _set_raw_number(p: DateTime, r: float) -> None:
    p.s = r
    p.raw_s = True
    if 0.0 <= r < 5373484.5:
        p.ijd = int(r * 86400000.0 + 0.5)
        p.valid_jd = True


def _whole_number(z: str) -> float | None:
    n = V.text_to_numeric(z)
    return None if n is None else float(n)


def _parse_date_or_time(ctx: Any, z: str, p: DateTime) -> bool:
    if not _parse_yyyymmdd(z, p):
        return False
    p.clear()
    if not _parse_hhmmss(z, 0, p):
        return False
    p.clear()
    if z.lower() == "now":
        p.ijd = current_time_ms(ctx)
        p.valid_jd = True
        return False
    r = _whole_number(z)
    if r is not None:
        _set_raw_number(p, r)
        return False
    return True


# -- localtime --------------------------------------------------------------

def _to_localtime(p: DateTime) -> None:
    """Take ``p`` as UTC and move it to local time (``toLocaltime``).
    Outside 1970..2037 the year is mapped into 2000..2003 for the C
    library and mapped back; an error state is cleared, as SQLite does."""
    p.compute_jd()
    if p.ijd < 2108667600 * 100000 or p.ijd > 2130141456 * 100000:
        x = p.copy()
        x.compute_ymd_hms()
        year_diff = (2000 + _cmod(x.Y, 4)) - x.Y
        x.Y += year_diff
        x.valid_jd = False
        x.compute_jd()
        t = _cdiv(x.ijd, 1000) - 21086676 * 10000
    else:
        year_diff = 0
        t = _cdiv(p.ijd, 1000) - 21086676 * 10000
    try:
        tm = time.localtime(t)
    except (OverflowError, OSError, ValueError):
        raise_error(SQLITE_ERROR, "local time unavailable")
    p.Y = tm.tm_year - year_diff
    p.M = tm.tm_mon
    p.D = tm.tm_mday
    p.h = tm.tm_hour
    p.m = tm.tm_min
    p.s = tm.tm_sec + _cmod(p.ijd, 1000) * 0.001
    p.valid_ymd = True
    p.valid_hms = True
    p.valid_jd = False
    p.raw_s = False
    p.valid_tz = False
    p.is_error = False


def _to_utc(p: DateTime) -> None:
    """Take ``p`` as local time and move it to UTC: guess, convert the
    guess to local time, correct by the error (at most four rounds)."""
    if p.tz_set:
        return
    p.compute_jd()
    orig = guess = p.ijd
    err = 0
    cnt = 0
    while True:
        new = DateTime()
        guess -= err
        new.ijd = guess
        new.valid_jd = True
        _to_localtime(new)
        new.compute_jd()
        err = new.ijd - orig
        if not err:
            break
        cnt += 1
        if cnt > 3:
            break
    p.clear()
    p.ijd = guess
    p.valid_jd = True
    p.tz_set = True


# -- modifiers --------------------------------------------------------------

_XFORMS = (  # name, limit (a C float), milliseconds factor per unit / 1000
    ("second", _f32(4.6427e+14), 1.0),
    ("minute", _f32(7.7379e+12), 60.0),
    ("hour", _f32(1.2897e+11), 3600.0),
    ("day", _f32(5373485.0), 86400.0),
    ("month", _f32(176546.0), 2592000.0),
    ("year", _f32(14713.0), 31536000.0),
)


def _atof_whole(z: str) -> float | None:
    # sqlite3AtoF(...) > 0: the whole text is a number.
    return _whole_number(z)


def _parse_modifier(ctx: Any, z: str, p: DateTime, idx: int) -> bool:
    """Apply one modifier; True on error."""
    if not z:
        return True
    lz = z.lower()
    c0 = lz[0]
    if c0 == "a":
        if lz == "auto":
            if idx > 1:
                return True
            if not p.raw_s or p.valid_jd:
                p.raw_s = False
            elif -210866760000 <= p.s <= 253402300799:
                r = p.s * 1000.0 + 210866760000000.0
                p.clear_ymd_hms_tz()
                p.ijd = int(r + 0.5)
                p.valid_jd = True
                p.raw_s = False
            return False
        return True
    if c0 == "j":
        if lz == "julianday":
            if idx > 1:
                return True
            if p.valid_jd and p.raw_s:
                p.raw_s = False
                return False
        return True
    if c0 == "l":
        if lz == "localtime":
            _to_localtime(p)
            return False
        return True
    if c0 == "u":
        if lz == "unixepoch" and p.raw_s:
            if idx > 1:
                return True
            r = p.s * 1000.0 + 210866760000000.0
            if 0.0 <= r < 464269060800000.0:
                p.clear_ymd_hms_tz()
                p.ijd = int(r + 0.5)
                p.valid_jd = True
                p.raw_s = False
                return False
            return True
        if lz == "utc":
            _to_utc(p)
            return False
        return True
    if c0 == "w":
        if lz.startswith("weekday "):
            r = _atof_whole(z[8:])
            if r is not None and 0.0 <= r < 7.0 and int(r) == r:
                n = int(r)
                p.compute_ymd_hms()
                p.valid_tz = False
                p.valid_jd = False
                p.compute_jd()
                Z = ((p.ijd + 129600000) // 86400000) % 7
                if Z > n:
                    Z -= 7
                p.ijd += (n - Z) * 86400000
                p.clear_ymd_hms_tz()
                return False
        return True
    if c0 == "s":
        if not lz.startswith("start of "):
            return True
        if not p.valid_jd and not p.valid_ymd and not p.valid_hms:
            return True
        rest = lz[9:]
        p.compute_ymd()
        p.valid_hms = True
        p.h = p.m = 0
        p.s = 0.0
        p.raw_s = False
        p.valid_tz = False
        p.valid_jd = False
        if rest == "month":
            p.D = 1
            return False
        if rest == "year":
            p.M = 1
            p.D = 1
            return False
        return rest != "day"
    if c0 in "+-0123456789":
        return _modifier_number(z, p)
    return True


def _modifier_number(z: str, p: DateTime) -> bool:
    n = 1
    while n < len(z) and z[n] != ":" and z[n] not in _WS:
        n += 1
    r = _atof_whole(z[:n])
    if r is None:
        return True
    if n < len(z) and z[n] == ":":
        # (+|-)HH:MM[:SS[.FFF]]: add or subtract a time of day.
        z2 = z if "0" <= z[0] <= "9" else z[1:]
        tx = DateTime()
        if _parse_hhmmss(z2, 0, tx):
            return True
        tx.compute_jd()
        tx.ijd -= 43200000
        day = _cdiv(tx.ijd, 86400000)
        tx.ijd -= day * 86400000
        if z[0] == "-":
            tx.ijd = -tx.ijd
        p.compute_jd()
        p.clear_ymd_hms_tz()
        p.ijd += tx.ijd
        return False
    unit = z[n:].lstrip(_WS)
    k = len(unit)
    if k > 10 or k < 3:
        return True
    if unit[-1] in "sS":
        unit = unit[:-1]
    unit = unit.lower()
    p.compute_jd()
    rc = True
    rounder = -0.5 if r < 0 else 0.5
    for name, limit, xform in _XFORMS:
        if name == unit and -limit < r < limit:
            if name == "month":
                p.compute_ymd_hms()
                p.M += int(r)
                x = _cdiv(p.M - 1, 12) if p.M > 0 else _cdiv(p.M - 12, 12)
                p.Y += x
                p.M -= x * 12
                p.valid_jd = False
                r -= int(r)
            elif name == "year":
                p.compute_ymd_hms()
                p.Y += int(r)
                p.valid_jd = False
                r -= int(r)
            p.compute_jd()
            p.ijd += int(r * 1000.0 * xform + rounder)
            rc = False
            break
    p.clear_ymd_hms_tz()
    return rc


def is_date(ctx: Any, args: Sequence[object]) -> DateTime | None:
    """Parse a time value and its modifiers (``isDate``); None when the
    result is NULL."""
    p = DateTime()
    if not args:
        p.ijd = current_time_ms(ctx)
        p.valid_jd = True
        return p
    v = args[0]
    t = type(v)
    if t is int or t is float:
        _set_raw_number(p, float(v))  # type: ignore[arg-type]
    else:
        if v is None:
            return None
        z = V.to_text(v)
        if _parse_date_or_time(ctx, z, p):  # type: ignore[arg-type]
            return None
    for i in range(1, len(args)):
        m = args[i]
        if m is None:
            return None
        if _parse_modifier(ctx, V.to_text(m), p, i):  # type: ignore[arg-type]
            return None
    p.compute_jd()
    if p.is_error or not (0 <= p.ijd <= _MAX_IJD):
        return None
    return p


# -- the SQL functions ------------------------------------------------------

def _ymd(p: DateTime) -> str:
    Y = p.Y
    s = "%04d-%02d-%02d" % (abs(Y), p.M, p.D)
    return "-" + s if Y < 0 else s


def julianday(ctx: Any, *args: object) -> float | None:
    p = is_date(ctx, args)
    if p is None:
        return None
    return p.ijd / 86400000.0


def unixepoch(ctx: Any, *args: object) -> int | None:
    p = is_date(ctx, args)
    if p is None:
        return None
    return p.ijd // 1000 - 21086676 * 10000


def date(ctx: Any, *args: object) -> str | None:
    p = is_date(ctx, args)
    if p is None:
        return None
    p.compute_ymd()
    return _ymd(p)


def time_(ctx: Any, *args: object) -> str | None:
    p = is_date(ctx, args)
    if p is None:
        return None
    p.compute_hms()
    return "%02d:%02d:%02d" % (p.h, p.m, int(p.s))


def datetime(ctx: Any, *args: object) -> str | None:
    p = is_date(ctx, args)
    if p is None:
        return None
    p.compute_ymd_hms()
    return "%s %02d:%02d:%02d" % (_ymd(p), p.h, p.m, int(p.s))


def strftime(ctx: Any, *args: object) -> str | None:
    if not args or args[0] is None:
        return None
    fmt = V.to_text(args[0])
    p = is_date(ctx, args[1:])
    if p is None:
        return None
    p.compute_jd()
    p.compute_ymd_hms()
    out: list[str] = []
    i = 0
    n = len(fmt)  # type: ignore[arg-type]
    while i < n:
        c = fmt[i]  # type: ignore[index]
        if c != "%":
            j = fmt.find("%", i)  # type: ignore[union-attr]
            if j < 0:
                j = n
            out.append(fmt[i:j])  # type: ignore[index]
            i = j
            continue
        cf = fmt[i + 1] if i + 1 < n else ""  # type: ignore[index]
        i += 2
        if cf == "d":
            out.append("%02d" % p.D)
        elif cf == "f":
            s = p.s
            if s > 59.999:
                s = 59.999
            out.append(sqlite_printf("%06.3f", [s]))  # type: ignore[arg-type]
        elif cf == "H":
            out.append("%02d" % p.h)
        elif cf == "W" or cf == "j":
            y = p.copy()
            y.valid_jd = False
            y.M = 1
            y.D = 1
            y.compute_jd()
            n_day = (p.ijd - y.ijd + 43200000) // 86400000
            if cf == "W":
                wd = ((p.ijd + 43200000) // 86400000) % 7
                out.append("%02d" % ((n_day + 7 - wd) // 7))
            else:
                out.append("%03d" % (n_day + 1))
        elif cf == "J":
            out.append(sqlite_printf("%.16g", [p.ijd / 86400000.0]))  # type: ignore[arg-type]
        elif cf == "m":
            out.append("%02d" % p.M)
        elif cf == "M":
            out.append("%02d" % p.m)
        elif cf == "s":
            out.append(str(p.ijd // 1000 - 21086676 * 10000))
        elif cf == "S":
            out.append("%02d" % int(p.s))
        elif cf == "w":
            out.append(str(((p.ijd + 129600000) // 86400000) % 7))
        elif cf == "Y":
            out.append("%04d" % p.Y)
        elif cf == "%":
            out.append("%")
        else:
            return None
    return "".join(out)


def current_time(ctx: Any) -> str | None:
    return time_(ctx)


def current_date(ctx: Any) -> str | None:
    return date(ctx)


def current_timestamp(ctx: Any) -> str | None:
    return datetime(ctx)


_DATE = DETERMINISTIC | NEEDS_CONTEXT

FUNCTIONS: list[FuncDef] = [
    FuncDef("julianday", -1, julianday, _DATE),
    FuncDef("unixepoch", -1, unixepoch, _DATE),
    FuncDef("date", -1, date, _DATE),
    FuncDef("time", -1, time_, _DATE),
    FuncDef("datetime", -1, datetime, _DATE),
    FuncDef("strftime", -1, strftime, _DATE),
    FuncDef("current_time", 0, current_time, NEEDS_CONTEXT),
    FuncDef("current_timestamp", 0, current_timestamp, NEEDS_CONTEXT),
    FuncDef("current_date", 0, current_date, NEEDS_CONTEXT),
]
