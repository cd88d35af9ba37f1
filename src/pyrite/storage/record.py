"""Storage layer: varints and the record format (SQLite's ``vdbeaux.c`` record code).

A record is a header (its own size as a varint, then one serial type per
column) followed by the column bodies.  Serial types: 0 NULL; 1..6 big-endian
two's complement integers of 1, 2, 3, 4, 6, 8 bytes; 7 IEEE-754 double; 8 and
9 the integers 0 and 1 (schema format 4); 10, 11 reserved; N >= 12 even is a
blob of (N-12)/2 bytes; N >= 13 odd is text of (N-13)/2 bytes.

Decoding is the engine's hottest path.  Rows of one table mostly share a
header, so :func:`decode_record` caches a decoding plan per distinct header
(a tuple of ``(kind, start, end)``) and then runs a tight loop over it.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

from pyrite.errors import corrupt
from pyrite.values import text_bytes

_DOUBLE = struct.Struct(">d")
_pack_double = _DOUBLE.pack
_pack_s8 = struct.Struct(">b").pack
_pack_s16 = struct.Struct(">h").pack
_pack_s32 = struct.Struct(">i").pack
_pack_s64 = struct.Struct(">q").pack
_unpack_double = _DOUBLE.unpack_from

_INT_SIZES = (0, 1, 2, 3, 4, 6, 8)

# Text that is not valid UTF-8 decodes with its bad bytes as lone surrogates
# and encodes back to the same bytes (values.text_bytes).
_TEXT_ERRORS = "surrogateescape"


# --------------------------------------------------------------------------
# Varints
# --------------------------------------------------------------------------


def get_varint(buf: bytes | bytearray | memoryview, pos: int) -> tuple[int, int]:
    """Decode the varint at ``pos``; return ``(value, next_pos)``.

    Nine bytes at most; the ninth contributes all 8 bits.  The value is
    returned as an unsigned 64-bit quantity.
    """
    b = buf[pos]
    if b < 0x80:
        return b, pos + 1
    v = b & 0x7F
    for i in range(1, 8):
        b = buf[pos + i]
        v = (v << 7) | (b & 0x7F)
        if b < 0x80:
            return v, pos + i + 1
    return (v << 8) | buf[pos + 8], pos + 9


def put_varint(v: int) -> bytes:
    """Encode an integer (taken as unsigned 64-bit) as a varint."""
    v &= 0xFFFFFFFFFFFFFFFF
    if v < 0x80:
        return bytes((v,))
    if v < 0x4000:
        return bytes(((v >> 7) | 0x80, v & 0x7F))
    if v > 0x00FFFFFFFFFFFFFF:
        out = [v & 0xFF]
        v >>= 8
        for _ in range(8):
            out.append((v & 0x7F) | 0x80)
            v >>= 7
        return bytes(reversed(out))
    out = [v & 0x7F]
    v >>= 7
    while v:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    return bytes(reversed(out))


def varint_len(v: int) -> int:
    v &= 0xFFFFFFFFFFFFFFFF
    if v < 0x80:
        return 1
    if v > 0x00FFFFFFFFFFFFFF:
        return 9
    n = 0
    while v:
        n += 1
        v >>= 7
    return n


# --------------------------------------------------------------------------
# Serial types
# --------------------------------------------------------------------------


def serial_type_of(value: Any) -> int:
    """The serial type SQLite chooses for ``value`` (file format 4)."""
    if value is None:
        return 0
    t = type(value)
    if t is int or t is bool:
        v = int(value)
        if v == 0:
            return 8
        if v == 1:
            return 9
        u = v if v >= 0 else ~v
        if u <= 127:
            return 1
        if u <= 32767:
            return 2
        if u <= 8388607:
            return 3
        if u <= 2147483647:
            return 4
        if u <= 140737488355327:
            return 5
        return 6
    if t is float:
        return 7
    if t is str:
        return len(text_bytes(value)) * 2 + 13
    return len(value) * 2 + 12


# The one-byte bodies of the integers 0..127 (serial type 1).
_BYTE = [bytes((i,)) for i in range(128)]


def encode_record(values: Sequence[Any], encoding: str = "utf-8") -> bytes:
    """Build a record from Python values (None, int, float, str, bytes).

    The usual record -- UTF-8, a header under 127 bytes, integers, reals,
    NULLs and text under 8,185 bytes (serial types of one or two bytes) -- is written
    straight into a bytearray: the header's types appended after a size
    byte, then the bodies (integers packed as _encode_general packs them).
    Anything else is _encode_general's."""
    if encoding != "utf-8":
        return _encode_general(values, encoding)
    out = bytearray(1)    # (the header size goes here)
    body = bytearray()
    add = out.append
    for value in values:
        t = type(value)
        if t is int:
            if 1 < value <= 127:
                add(1)
                body.append(value)
            elif value == 0:
                add(8)
            elif value == 1:
                add(9)
            elif -128 <= value <= 127:
                add(1)
                body.append(value & 0xFF)
            elif -32768 <= value <= 32767:
                add(2)
                body += _pack_s16(value)
            elif -8388608 <= value <= 8388607:
                add(3)
                body += _pack_s32(value)[1:]
            elif -2147483648 <= value <= 2147483647:
                add(4)
                body += _pack_s32(value)
            elif -140737488355328 <= value <= 140737488355327:
                add(5)
                body += _pack_s64(value)[2:]
            else:
                return _encode_general(values, encoding)
        elif t is str:
            try:
                data = value.encode()
            except UnicodeEncodeError:
                return _encode_general(values, encoding)
            st = len(data) * 2 + 13
            if st > 127:
                # Text of 58 bytes or more: a serial type of two bytes.
                if st >= 0x4000:
                    return _encode_general(values, encoding)
                add((st >> 7) | 0x80)
                add(st & 0x7F)
            else:
                add(st)
            body += data
        elif value is None:
            add(0)
        elif t is float:
            add(7)
            body += _pack_double(value)
        else:
            return _encode_general(values, encoding)
    n = len(out)
    if n > 127:
        return _encode_general(values, encoding)
    out[0] = n
    out += body
    return bytes(out)


def _encode_general(values: Sequence[Any], encoding: str = "utf-8") -> bytes:
    """encode_record for any record (long values or headers, blobs,
    booleans, 8-byte integers, other encodings).

    The usual record -- fewer than 127 fields whose serial types each fit
    one byte (text under 57 bytes, blobs under 58) -- has a header of one
    byte per field after its one-byte size: it is built by one bytes()
    call over the list of serial types, with the size in front.  Integers
    take the smallest of the serial types 1..6 that holds them (packed by
    struct), 0 and 1 the bodiless types 8 and 9."""
    types = [0]           # (the header size goes here)
    bodies = [b""]        # (the header goes here)
    add_type = types.append
    add_body = bodies.append
    wide = False          # a serial type above 127 (a varint of two bytes or more)
    for value in values:
        t = type(value)
        if t is int or t is bool:
            v = value if t is int else int(value)
            if 1 < v <= 127:
                add_type(1)
                add_body(_BYTE[v])
            elif v == 0:
                add_type(8)
            elif v == 1:
                add_type(9)
            elif -128 <= v <= 127:
                add_type(1)
                add_body(_pack_s8(v))
            elif -32768 <= v <= 32767:
                add_type(2)
                add_body(_pack_s16(v))
            elif -8388608 <= v <= 8388607:
                add_type(3)
                add_body(_pack_s32(v)[1:])
            elif -2147483648 <= v <= 2147483647:
                add_type(4)
                add_body(_pack_s32(v))
            elif -140737488355328 <= v <= 140737488355327:
                add_type(5)
                add_body(_pack_s64(v)[2:])
            else:
                add_type(6)
                add_body(v.to_bytes(8, "big", signed=True))
        elif t is str:
            if encoding == "utf-8":
                try:
                    data = value.encode()
                except UnicodeEncodeError:
                    data = text_bytes(value)
            else:
                data = value.encode(encoding, "surrogatepass")
            st = len(data) * 2 + 13
            add_type(st)
            add_body(data)
            if st > 127:
                wide = True
        elif value is None:
            add_type(0)
        elif t is float:
            add_type(7)
            add_body(_pack_double(value))
        else:
            data = bytes(value)
            st = len(data) * 2 + 12
            add_type(st)
            add_body(data)
            if st > 127:
                wide = True
    n = len(types)
    if not wide and n <= 127:
        types[0] = n
        bodies[0] = bytes(types)
        return b"".join(bodies)
    header = b"".join([put_varint(st) if st > 127 else bytes((st,)) for st in types[1:]])
    hlen = len(header) + 1
    if hlen > 127:
        hlen = len(header) + varint_len(len(header) + 2)
        if varint_len(hlen) != varint_len(len(header) + 2):
            hlen = len(header) + varint_len(hlen)
        prefix = put_varint(hlen)
    else:
        prefix = bytes((hlen,))
    bodies[0] = prefix + header
    return b"".join(bodies)


# Kinds in a decoding plan.
_K_NULL, _K_INT, _K_FLOAT, _K_ZERO, _K_ONE, _K_BLOB, _K_TEXT = range(7)

_plan_cache: dict[bytes, tuple[tuple[int, int, int], ...]] = {}


def _build_plan(payload: bytes, hsize: int, pos: int) -> tuple[tuple[int, int, int], ...]:
    plan = []
    off = hsize
    while pos < hsize:
        st = payload[pos]
        if st < 0x80:
            pos += 1
        else:
            st, pos = get_varint(payload, pos)
        if st == 0:
            plan.append((_K_NULL, off, off))
        elif st <= 6:
            n = _INT_SIZES[st]
            plan.append((_K_INT, off, off + n))
            off += n
        elif st == 7:
            plan.append((_K_FLOAT, off, off + 8))
            off += 8
        elif st == 8:
            plan.append((_K_ZERO, off, off))
        elif st == 9:
            plan.append((_K_ONE, off, off))
        elif st < 12:
            corrupt("reserved serial type")
        elif st & 1:
            n = (st - 13) >> 1
            plan.append((_K_TEXT, off, off + n))
            off += n
        else:
            n = (st - 12) >> 1
            plan.append((_K_BLOB, off, off + n))
            off += n
    if pos != hsize:
        corrupt("record header overrun")
    return tuple(plan)


def record_plan(payload: bytes) -> tuple[tuple[int, int, int], ...]:
    """The cached decoding plan for ``payload``'s header."""
    if not payload:
        return ()
    hsize = payload[0]
    pos = 1
    if hsize >= 0x80:
        hsize, pos = get_varint(payload, 0)
    if hsize > len(payload) or hsize < pos:
        corrupt("record header size")
    key = payload[:hsize]
    plan = _plan_cache.get(key)
    if plan is None:
        plan = _build_plan(payload, hsize, pos)
        if plan and plan[-1][2] > len(payload):
            corrupt("record body overrun")
        if len(_plan_cache) > 4096:
            _plan_cache.clear()
        _plan_cache[key] = plan
    elif plan and plan[-1][2] > len(payload):
        corrupt("record body overrun")
    return plan


def decode_record(payload: bytes, encoding: str = "utf-8") -> list[Any]:
    """Decode every column of a record.

    A header seen before has a decoder compiled for it (see
    :func:`_compile_decoder`): one list display, no loop, no branches.
    """
    if payload:
        hsize = payload[0]
        if hsize >= 0x80:
            hsize = get_varint(payload, 0)[0]
        decoders = _decoders.get(encoding)
        entry = decoders.get(payload[:hsize]) if decoders is not None else None
        if entry is not None:
            if entry[1] <= len(payload):
                return entry[0](payload)
            corrupt("record body overrun")
    return _decode_generic(payload, encoding)


def decode_cells(data: bytearray, ptrs: Sequence[int], intkey: bool, max_local: int,
                 encoding: str, out: list[Any]) -> None:
    """Decode the records of a whole leaf page at once into the empty
    (None) slots of ``out`` (one slot per cell): each cell's payload size
    (and rowid) read in place, a known header's decoder called straight, no
    calls per cell around it.  Cells that overflow the page, or fail to
    decode, are left None for the caller to read one by one (a prefetch:
    the read of the cell raises, if any)."""
    decoders = _decoders.get(encoding)
    get = decoders.get if decoders is not None else {}.get
    n = len(data)
    for i, pos in enumerate(ptrs):
        if out[i] is not None:
            continue
        try:
            size = data[pos]
            if size < 0x80:
                pos += 1
            else:
                size, pos = get_varint(data, pos)
            if intkey:
                if data[pos] < 0x80:
                    pos += 1
                elif data[pos + 1] < 0x80:
                    pos += 2            # (rowids 128 to 16383)
                else:
                    pos = get_varint(data, pos)[1]
            end = pos + size
            if size > max_local or end > n or not size:
                continue
            payload = bytes(data[pos:end])
            hsize = payload[0]
            entry = get(payload[:hsize]) if hsize < 0x80 else None
            if entry is not None and entry[1] <= size:
                out[i] = entry[0](payload)
            else:
                out[i] = decode_record(payload, encoding)
        except Exception:  # noqa: BLE001 - left for the one-by-one read to report
            continue


def _decode_generic(payload: bytes, encoding: str) -> list[Any]:
    """Decode by walking the header's plan, and give the header a decoder
    (see :func:`_decoder_for`) for its next records."""
    plan = record_plan(payload)
    if plan:
        hsize = payload[0]
        if hsize >= 0x80:
            hsize = get_varint(payload, 0)[0]
        decoder = _decoder_for(plan, encoding)
        if decoder is not None:
            decoders = _decoders.setdefault(encoding, {})
            if len(decoders) > 4096:
                decoders.clear()
            decoders[payload[:hsize]] = (decoder, plan[-1][2])
            return decoder(payload)  # type: ignore[no-any-return]
    out: list[Any] = []
    append = out.append
    from_bytes = int.from_bytes
    for kind, start, end in plan:
        if kind == _K_INT:
            append(from_bytes(payload[start:end], "big", signed=True))
        elif kind == _K_TEXT:
            append(payload[start:end].decode(encoding, _TEXT_ERRORS))
        elif kind == _K_NULL:
            append(None)
        elif kind == _K_FLOAT:
            f = _unpack_double(payload, start)[0]
            append(None if f != f else f)
        elif kind == _K_ZERO:
            append(0)
        elif kind == _K_ONE:
            append(1)
        else:
            append(bytes(payload[start:end]))
    return out


# encoding -> header bytes -> (decoder, payload size the header needs)
_decoders: dict[str, dict[bytes, tuple[Any, int]]] = {}
# Record shapes: the kinds of a header's fields, with the sizes of its
# integers (a text or blob field's length varies from record to record, so
# many headers share a shape).  (shape, encoding) -> compiled decoder.
_shape_decoders: dict[tuple[Any, str], Any] = {}
_shapes_seen: set[tuple[Any, str]] = set()


def _float_at(payload: bytes, start: int) -> float | None:
    f = _unpack_double(payload, start)[0]
    return None if f != f else f


def _decoder_for(plan: tuple[tuple[int, int, int], ...], encoding: str) -> Any:
    """A decoder for records with header plan ``plan``: the compiled
    decoder of the plan's shape with the plan's offsets bound to it, or
    None on a shape's first sighting (compiling is slow, and a shape seen
    once is often never seen again)."""
    shape = tuple((kind, end - start) if kind == _K_INT else kind for kind, start, end in plan)
    key = (shape, encoding)
    fn = _shape_decoders.get(key)
    if fn is None:
        if key not in _shapes_seen:
            if len(_shapes_seen) > 8192:
                _shapes_seen.clear()
            _shapes_seen.add(key)
            return None
        if len(_shape_decoders) > 1024:
            _shape_decoders.clear()
        fn = _shape_decoders[key] = _compile_decoder(plan, encoding)
    offsets: list[int] = []
    for kind, start, end in plan:
        if kind == _K_INT or kind == _K_FLOAT:
            offsets.append(start)
        elif kind == _K_TEXT or kind == _K_BLOB:
            offsets += (start, end)
    return fn(*offsets)


def _compile_decoder(plan: tuple[tuple[int, int, int], ...], encoding: str) -> Any:
    """A maker of decoders for the records of ``plan``'s shape, compiled
    from Python source: called with the offsets of one header's fields (a
    start for numbers, a start and an end for text and blobs), it answers
    that header's decoder, one list display with no loop and no branches
    reading the offsets from its closure (:func:`_decoder_for`).  Integers
    of 2, 4 and 8 bytes are unpacked by struct; UTF-8 text is decoded
    strictly first (the fast call), the list made again with
    surrogateescape when a text is not valid UTF-8."""
    parts = []
    params = []
    texts = False
    for i, (kind, start, end) in enumerate(plan):
        s, e = f"s{i}", f"e{i}"
        if kind == _K_INT:
            params.append(s)
            n = end - start
            if n == 1:
                parts.append(f"(p[{s}] ^ 128) - 128")
            elif n in (2, 4, 8):
                parts.append(f"S{n * 8}(p, {s})[0]")
            else:
                parts.append(f"fb(p[{s}:{s} + {n}], 'big', signed=True)")
        elif kind == _K_TEXT:
            params += (s, e)
            parts.append(f"p[{s}:{e}].decode(enc, errs)")
            texts = True
        elif kind == _K_NULL:
            parts.append("None")
        elif kind == _K_FLOAT:
            params.append(s)
            parts.append(f"fl(p, {s})")
        elif kind == _K_ZERO:
            parts.append("0")
        elif kind == _K_ONE:
            parts.append("1")
        else:
            params += (s, e)
            parts.append(f"bytes(p[{s}:{e}])")
    body = f"        return [{', '.join(parts)}]\n"
    if texts and encoding == "utf-8":
        fast = [x.replace(".decode(enc, errs)", ".decode()") for x in parts]
        body = (f"        try:\n"
                f"            return [{', '.join(fast)}]\n"
                f"        except UnicodeDecodeError:\n"
                f"    " + body)
    src = (f"def make({', '.join(params)}):\n"
           f"    def decode(p):\n"
           + body +
           f"    return decode\n")
    env = {"fb": int.from_bytes, "fl": _float_at, "enc": encoding, "errs": _TEXT_ERRORS,
           "S16": _S16, "S32": _S32, "S64": _S64}
    exec(compile(src, "<record decoder>", "exec"), env)  # noqa: S102 (generated from a plan)
    return env["make"]


_S16 = struct.Struct(">h").unpack_from
_S32 = struct.Struct(">i").unpack_from
_S64 = struct.Struct(">q").unpack_from


def column(payload: bytes, i: int, encoding: str = "utf-8") -> Any:
    """Decode column ``i`` only; None when the record has fewer columns."""
    plan = record_plan(payload)
    if i >= len(plan):
        return None
    kind, start, end = plan[i]
    if kind == _K_INT:
        return int.from_bytes(payload[start:end], "big", signed=True)
    if kind == _K_TEXT:
        return payload[start:end].decode(encoding, _TEXT_ERRORS)
    if kind == _K_NULL:
        return None
    if kind == _K_FLOAT:
        f = _unpack_double(payload, start)[0]
        return None if f != f else f
    if kind == _K_ZERO:
        return 0
    if kind == _K_ONE:
        return 1
    return bytes(payload[start:end])


def decode_header(payload: bytes) -> tuple[list[int], list[int]]:
    """Serial types and body offsets of a record."""
    hsize, pos = get_varint(payload, 0)
    types = []
    offsets = []
    off = hsize
    while pos < hsize:
        st, pos = get_varint(payload, pos)
        types.append(st)
        offsets.append(off)
        if st >= 12:
            off += (st - 12) >> 1
        elif st < 10:
            off += (0, 1, 2, 3, 4, 6, 8, 8, 0, 0)[st]
    return types, offsets


def compare_record(payload: bytes, key: Sequence[Any], key_info: Any, default_rc: int) -> int:
    """Compare a stored index record with an unpacked ``key`` (fewer fields allowed).

    Returns <0, 0 or >0 as the *record* sorts before, equal to or after the
    key; when every field of ``key`` compares equal the answer is ``default_rc``.
    """
    r = key_info.compare(decode_record(payload), key)
    return r if r else default_rc
