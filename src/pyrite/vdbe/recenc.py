"""MakeRecord's usual record in one pass over its registers.

``encode_record(record_values(r, p1, n, aff))`` walks the values three
times (the affinity shape, the affinities, the encoding) through two
calls.  For a given MakeRecord (its first register, count and affinity
string) :func:`record_encoder` compiles a function that reads each
register once and, when its value needs no affinity change (an integer
under INTEGER or NUMERIC, text under TEXT, NULLs and blobs under any,
anything under BLOB or no affinity), builds the serial type and body
inline: the record is one ``bytes()`` header plus the bodies.  Any other
value makes it answer None, and the caller takes the general path (which
also converts the registers); so a record it returns is byte for byte
``encode_record(record_values(...))``, with the registers unchanged.

Its values also always come back unchanged from the record (text it
encodes is valid UTF-8, numbers fit their serial types), which is what
``record_round_trips`` checks for the general path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyrite.storage.record import (
    _BYTE,
    _pack_double,
    _pack_s8,
    _pack_s16,
    _pack_s32,
    _pack_s64,
    put_varint,
)

# Records with more fields take the general path.
MAX_FIELDS = 40

Encoder = Callable[[list[Any]], "bytes | None"]
_ENCODERS: dict[tuple[int, int, str], Encoder] = {}


def record_encoder(p1: int, n: int, aff: str | None) -> Encoder | None:
    """The compiled encoder of MakeRecord r[p1..p1+n-1] with affinity
    string ``aff`` (cached); None for a record of no or many fields."""
    key = (p1, n, aff or "")
    enc = _ENCODERS.get(key)
    if enc is None:
        if not 0 < n <= MAX_FIELDS or (aff is not None and type(aff) is not str):
            return None
        if len(_ENCODERS) > 2048:
            _ENCODERS.clear()
        enc = _ENCODERS[key] = _compile(p1, n, aff or "")
    return enc


def int_field(v: int) -> tuple[int, bytes]:
    """The serial type and body of an integer (the smallest that holds it)."""
    if -128 <= v <= 127:
        if v == 0 or v == 1:
            return 8 + v, b""
        return 1, _pack_s8(v)
    if -32768 <= v <= 32767:
        return 2, _pack_s16(v)
    if -8388608 <= v <= 8388607:
        return 3, _pack_s32(v)[1:]
    if -2147483648 <= v <= 2147483647:
        return 4, _pack_s32(v)
    if -140737488355328 <= v <= 140737488355327:
        return 5, _pack_s64(v)[2:]
    return 6, _pack_s64(v)


def long_header(types: tuple[int, ...]) -> bytes:
    """The header of a record whose serial types do not all fit one byte
    (text of 58 bytes or more, blobs of 58 or more): the header size
    varint, which counts itself, then each type's varint."""
    header = b"".join([put_varint(st) if st > 127 else bytes((st,)) for st in types])
    size = len(header) + 1
    while size - len(header) != len(put_varint(size)):
        size = len(header) + len(put_varint(size))
    return put_varint(size) + header


def _field_source(i: int, reg: int, aff: str) -> list[str]:
    """The lines that set s<i> (serial type) and b<i> (body) from r[reg],
    or return None when its value is not one the encoder takes as is."""
    s, b = f"s{i}", f"b{i}"
    out = [f"v = r[{reg}]", "t = type(v)"]
    branch = "if"
    if aff in "DCA@":
        out += [f"{branch} t is int:",
                "    if 1 < v <= 127:",
                f"        {s} = 1",
                f"        {b} = BYTE[v]",
                "    elif 127 < v <= 32767:",
                f"        {s} = 2",
                f"        {b} = PACK16(v)",
                "    else:",
                f"        {s}, {b} = INT(v)"]
        branch = "elif"
    if aff in "BA@":
        out += [f"{branch} t is str:",
                f"    {b} = v.encode()",
                f"    {s} = len({b}) * 2 + 13"]
        branch = "elif"
    out += [f"{branch} v is None:",
            f"    {s} = 0",
            f"    {b} = b''",
            "elif t is bytes:",
            f"    {s} = len(v) * 2 + 12",
            f"    {b} = v"]
    if aff in "A@":
        out += ["elif t is float:",
                f"    {s} = 7",
                f"    {b} = DOUBLE(v)"]
    out += ["else:", "    return None"]
    return out


def _compile(p1: int, n: int, aff: str) -> Encoder:
    body: list[str] = []
    for i in range(n):
        a = aff[i] if i < len(aff) else "@"
        if not a or a not in "ABCDE@":
            a = "X"         # (an unknown affinity: only NULLs and blobs)
        body += _field_source(i, p1 + i, a)
    types = ", ".join(f"s{i}" for i in range(n))
    bodies = " + ".join(f"b{i}" for i in range(n))
    small = " and ".join(f"s{i} < 128" for i in range(n))
    lines = ["def make(BYTE, INT, DOUBLE, LONG_HEADER, PACK16):",
             "    def encode(r):",
             "        try:"]
    lines += ["            " + x for x in body]
    lines += ["        except UnicodeEncodeError:",
              "            return None",
              f"        if {small}:",
              f"            return bytes(({n + 1}, {types},)) + {bodies}",
              f"        return LONG_HEADER(({types},)) + {bodies}",
              "    return encode"]
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines) + "\n", f"<record encoder {p1} {n} {aff!r}>", "exec"),
         namespace)
    return namespace["make"](_BYTE, int_field, _pack_double, long_header,  # type: ignore[no-any-return]
                             _pack_s16)
