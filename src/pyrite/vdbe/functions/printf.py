"""SQLite's printf() engine, as the SQL functions printf() and format() use it.

Layer: vdbe (built-in functions).  SQLite's counterpart is
``sqlite3_str_vappendf`` in ``printf.c`` driven by an argument list of SQL
values (``SQLITE_PRINTF_SQLFUNC``): a missing argument reads as 0, NULL or
'', conversions take what they need with ``sqlite3_value_int64``,
``sqlite3_value_double`` or ``sqlite3_value_text``.  Floating-point
conversions share :func:`pyrite.values.format_real` with REAL->text.
"""

from __future__ import annotations

from typing import Sequence

from pyrite.errors import SQLITE_TOOBIG, raise_error
from pyrite.values import format_real, text_bytes, to_integer, to_real, to_text

SQLITE_MAX_LENGTH = 1_000_000_000

# Conversion characters and what they are (SQLite's fmtinfo table).
_RADIX = {  # char: (base, digits, signed, alternate-form prefix)
    "d": (10, "0123456789", True, ""),
    "i": (10, "0123456789", True, ""),
    "u": (10, "0123456789", False, ""),
    "x": (16, "0123456789abcdef", False, "0x"),
    "X": (16, "0123456789ABCDEF", False, "0X"),
    "o": (8, "01234567", False, "0"),
    "p": (16, "0123456789ABCDEF", False, "0x"),
    "r": (10, "0123456789", True, ""),
}
_DECIMAL = frozenset("diur")  # thousands separator allowed


class _Args:
    __slots__ = ("values", "pos")

    def __init__(self, values: Sequence[object]) -> None:
        self.values = values
        self.pos = 0

    def _next(self) -> object:
        if self.pos >= len(self.values):
            return None
        v = self.values[self.pos]
        self.pos += 1
        return v

    def int(self) -> int:
        v = self._next()
        return 0 if v is None else to_integer(v)  # type: ignore[return-value]

    def real(self) -> float:
        v = self._next()
        return 0.0 if v is None else to_real(v)  # type: ignore[return-value]

    def text(self) -> str | None:
        v = self._next()
        if v is None:
            return None
        s = to_text(v)
        i = s.find("\x00")  # type: ignore[union-attr]
        return s if i < 0 else s[:i]  # type: ignore[index]


def _i32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >> 31 else v


def _utf8_len(s: str) -> int:
    return len(text_bytes(s)) if not s.isascii() else len(s)


def _ordinal(n: int) -> str:
    x = n % 10
    if x >= 4 or (n // 10) % 10 == 1:
        x = 0
    return "thstndrd"[x * 2:x * 2 + 2]


def sqlite_printf(fmt: str, args: Sequence[object]) -> str | None:
    """Format ``args`` by ``fmt`` as SQLite's printf() SQL function does.

    The answer is None (SQL NULL) when nothing was ever appended: an empty
    format, or one that starts with an invalid conversion."""
    out: list[str] = []
    touched = False
    nul = fmt.find("\x00")
    if nul >= 0:
        fmt = fmt[:nul]  # the format is a C string
    ap = _Args(args)
    i = 0
    n = len(fmt)
    total = 0
    while i < n:
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            touched = True
            break
        if j > i:
            out.append(fmt[i:j])
            touched = True
        i = j + 1
        if i >= n:
            out.append("%")
            touched = True
            break
        # Flags.
        left = plus = space = alternate = altform2 = zeropad = False
        thousands = False
        while i < n:
            c = fmt[i]
            if c == "-":
                left = True
            elif c == "+":
                plus = True
            elif c == " ":
                space = True
            elif c == "#":
                alternate = True
            elif c == "!":
                altform2 = True
            elif c == "0":
                zeropad = True
            elif c == ",":
                thousands = True
            else:
                break
            i += 1
        # Width.
        width = 0
        if i < n and fmt[i] == "*":
            width = _i32(ap.int())
            if width < 0:
                left = True
                width = -width if width >= -2147483647 else 0
            i += 1
        else:
            wx = 0
            while i < n and "0" <= fmt[i] <= "9":
                wx = wx * 10 + ord(fmt[i]) - 48
                i += 1
            width = wx & 0x7FFFFFFF
        # Precision.
        precision = -1
        if i < n and fmt[i] == ".":
            i += 1
            if i < n and fmt[i] == "*":
                precision = _i32(ap.int())
                if precision < 0:
                    precision = -precision if precision >= -2147483647 else -1
                i += 1
            else:
                px = 0
                while i < n and "0" <= fmt[i] <= "9":
                    px = px * 10 + ord(fmt[i]) - 48
                    i += 1
                precision = px & 0x7FFFFFFF
        # Length modifiers are accepted and ignored.
        if i < n and fmt[i] == "l":
            i += 1
            if i < n and fmt[i] == "l":
                i += 1
        if i >= n:
            break
        conv = fmt[i]
        i += 1
        if max(width, precision) > SQLITE_MAX_LENGTH:
            raise_error(SQLITE_TOOBIG)
        prefix = "+" if plus else (" " if space else "")
        text: str
        if conv in _RADIX:
            base, digits, signed, alt_prefix = _RADIX[conv]
            v = ap.int()
            sign = ""
            if signed:
                if v < 0:
                    value = -v
                    sign = "-"
                else:
                    value = v
                    sign = prefix
            else:
                value = v & 0xFFFFFFFFFFFFFFFF
            if conv == "p":
                alternate = alternate
            if value == 0:
                alternate = False
            if zeropad and precision < width - (sign != ""):
                precision = width - (sign != "")
            body = ""
            x = value
            while True:
                body = digits[x % base] + body
                x //= base
                if x == 0:
                    break
            if len(body) < precision:
                body = "0" * (precision - len(body)) + body
            if thousands and conv in _DECIMAL:
                head = len(body) % 3 or 3
                groups = [body[:head]] + [body[k:k + 3] for k in range(head, len(body), 3)]
                body = ",".join(groups)
            if conv == "r":
                body += _ordinal(value)
            if alternate and alt_prefix:
                body = alt_prefix + body
            text = sign + body
            length = len(text)
        elif conv in "feEgG":
            r = ap.real()
            text = format_real(r, conv, precision, alternate=alternate,
                               altform2=altform2, plus=prefix)
            if (zeropad and not left and len(text) < width
                    and not text.endswith("Inf") and text != "NaN"):
                k = 1 if text[:1] in ("-", "+", " ") else 0
                text = text[:k] + "0" * (width - len(text)) + text[k:]
            length = len(text)
        elif conv == "%":
            text = "%"
            length = 1
        elif conv == "n":
            text = ""
            length = width = 0
        elif conv == "c":
            s = ap.text()
            ch = s[0] if s else "\x00"
            if s == "":
                ch = "\x00"
            if precision > 1:
                width -= precision - 1
                if width > 1 and not left:
                    out.append(" " * (width - 1))
                    width = 0
                out.append(ch * (precision - 1))
            text = ch
            length = 1  # '!' is implied for %c: width counts characters
        elif conv in "sz":
            s = ap.text()
            if s is None:
                s = ""
            if precision >= 0:
                if altform2 or s.isascii():
                    s = s[:precision]
                else:
                    s = s.encode("utf-8")[:precision].decode("utf-8", "replace")
            text = s
            length = len(s) if altform2 else _utf8_len(s)
        elif conv in "qQw":
            s = ap.text()
            q = '"' if conv == "w" else "'"
            isnull = s is None
            if isnull:
                s = "NULL" if conv == "Q" else "(NULL)"
            if precision >= 0:
                if altform2 or s.isascii():
                    s = s[:precision]
                else:
                    s = s.encode("utf-8")[:precision].decode("utf-8", "replace")
            s = s.replace(q, q + q)
            if conv == "Q" and not isnull:
                s = q + s + q
            text = s
            length = len(s) if altform2 else _utf8_len(s)
        else:
            # An unknown conversion ends the output (etINVALID).
            break
        touched = True
        pad = width - length
        if pad > 0:
            if left:
                out.append(text)
                out.append(" " * pad)
            else:
                out.append(" " * pad)
                out.append(text)
        else:
            out.append(text)
        total += max(width, length)
        if total > SQLITE_MAX_LENGTH:
            raise_error(SQLITE_TOOBIG)
    if not touched:
        return None
    return "".join(out)
