"""Record format round-trips and varints, checked against stdlib sqlite3."""

from __future__ import annotations

import sqlite3

from pyrite.storage.record import decode_record, encode_record
from pyrite.storage.varint import get_varint, put_varint


def test_varint_roundtrip() -> None:
    for v in [0, 1, 127, 128, 16383, 16384, 2**32, 2**56 - 1, 2**56, 2**63 - 1, -1, -(2**63)]:
        b = put_varint(v)
        got, end = get_varint(b, 0)
        assert got == v & 0xFFFFFFFFFFFFFFFF and end == len(b)
    assert len(put_varint(127)) == 1 and len(put_varint(128)) == 2 and len(put_varint(-1)) == 9


def test_record_roundtrip() -> None:
    values = [None, 0, 1, -1, 127, 128, 2**40, -(2**63), 2**63 - 1, 1.5, 1.0, "héllo", b"\x00\xff", ""]
    assert decode_record(encode_record(values)) == values


def test_record_matches_sqlite_record_bytes() -> None:
    # sqlite_schema rows in a fresh file: compare the decoded records with sqlite3's view.
    con = sqlite3.connect(":memory:")
    row = con.execute("SELECT 1, 256, 2.5, 'abc', x'0102', NULL").fetchone()
    assert decode_record(encode_record(list(row))) == list(row)


def test_compiled_decoders_match_the_generic_walk() -> None:
    from pyrite.storage import record
    rows = [
        [None, 0, 1, -1, 127, -128, 128, -32769, 2**23, -(2**31), 2**40, -(2**63), 2**63 - 1],
        [1.5, float("inf"), -0.0, "", "héllo", b"", b"\x00\xff", "x" * 300],
    ]
    for row in rows:
        payload = record.encode_record(row)
        results = [record.decode_record(payload) for _ in range(3)]  # 2nd sighting compiles
        assert all(r == row for r in results)
        assert payload[:payload[0]] in record._decoders["utf-8"]
        # a compiled header still rejects a body that is too short
        try:
            record.decode_record(payload[:-1])
        except Exception as exc:
            assert "malformed" in str(exc)
        else:
            raise AssertionError("short body decoded")


def test_compiled_decoder_of_invalid_utf8_matches_the_generic_walk() -> None:
    """A compiled decoder decodes text strictly first; a text that is not
    valid UTF-8 makes it decode the record again as the generic walk does
    (surrogateescape), integers of every width included."""
    from pyrite.storage import record
    good = ["ok", -2, 300, -70000, 2**31, 2**40, -(2**62)]
    bad = [b"a\xffc".decode("utf-8", "surrogateescape"), -2, 300, -70000, 2**31, 2**40, -(2**62)]
    payloads = [record.encode_record(good), record.encode_record(["abc"] + good[1:])]
    raw = bytearray(payloads[1])
    raw[raw.index(b"abc")+1] = 0xFF      # the same header, an invalid text
    for _ in range(3):                  # (the second sighting compiles)
        assert record.decode_record(payloads[0]) == good
        assert record.decode_record(bytes(raw)) == bad
    assert bytes(raw)[:raw[0]] in record._decoders["utf-8"]


def test_headers_of_one_shape_share_a_compiled_decoder() -> None:
    """Records whose headers differ only in text/blob lengths decode through
    one compiled shape (the offsets of each header bound in a closure), so
    a table of varied text compiles a handful of decoders, not one per
    header; each header's decoder still reads its own offsets."""
    from pyrite.storage import record
    rows = [[i, "w" * i, b"\x01" * (i % 7), 2.5 * i, None] for i in range(1, 80)]
    payloads = [record.encode_record(row) for row in rows]
    before = len(record._shape_decoders)
    for _ in range(3):
        assert [record.decode_record(p) for p in payloads] == rows
    assert len(record._shape_decoders) - before <= 2
    decoders = {record._decoders["utf-8"][p[:p[0]]][0] for p in payloads[10:]}
    assert len(decoders) == len(payloads) - 10      # one per header


def test_integers_take_the_smallest_serial_type() -> None:
    """Each integer at the edges of the serial types 1..6 (and 0, 1, as
    types 8 and 9; booleans as their integers) gets the smallest type that
    holds it, and round-trips."""
    edges = [0, 1, 2, 127, 128, -1, -128, -129, 32767, 32768, -32768, -32769,
             8388607, 8388608, -8388608, -8388609, 2**31 - 1, 2**31, -2**31, -2**31 - 1,
             2**47 - 1, 2**47, -2**47, -2**47 - 1, 2**63 - 1, -2**63, True, False]
    for v in edges:
        rec = encode_record([v, "t"])
        iv = int(v)
        bits = iv.bit_length() if iv >= 0 else (~iv).bit_length()
        want = {0: 8, 1: 9}.get(iv) or next(
            t for t, most in ((1, 7), (2, 15), (3, 23), (4, 31), (5, 47), (6, 63)) if bits <= most)
        assert rec[1] == want, v
        assert decode_record(rec) == [iv, "t"]
    # Text read from invalid UTF-8 (lone surrogates) writes its bytes back.
    assert encode_record(["\udcff", "é"]) == b"\x03\x0f\x11\xff\xc3\xa9"


def test_fast_encoder_matches_the_general_one() -> None:
    """encode_record's one-pass path (UTF-8, short text, integers, reals,
    NULLs) writes the bytes _encode_general writes, and hands it every
    record it does not cover (blobs, booleans, 8-byte integers, long
    text, text from invalid UTF-8, UTF-16, long headers)."""
    import random

    from pyrite.storage.record import _encode_general
    rng = random.Random(3)
    edges = [0, 1, -1, 2, 127, 128, -128, -129, 32767, 32768, -32768, -32769,
             2**23 - 1, 2**23, -2**23, -2**23 - 1, 2**31 - 1, 2**31, -2**31, -2**31 - 1,
             2**47 - 1, 2**47, -2**47, -2**47 - 1, 2**63 - 1, -2**63]

    def value() -> object:
        k = rng.randrange(8)
        if k == 0:
            return None
        if k == 1:
            return rng.choice(edges)
        if k == 2:
            return rng.random() * 10 ** rng.randrange(-5, 30)
        if k == 3:
            return "".join(chr(rng.randrange(1, 0x3000)) for _ in range(rng.randrange(60)))
        if k == 4:
            return bytes(rng.randrange(256) for _ in range(rng.randrange(60)))
        if k == 5:
            return rng.choice([True, False, "\udcff" + "ab"])
        return rng.randrange(-300, 300)

    for _ in range(3000):
        row = [value() for _ in range(rng.randrange(8))]
        rec = encode_record(row)
        assert rec == _encode_general(row), row
        assert encode_record(row, "utf-16le") == _encode_general(row, "utf-16le")
        assert decode_record(rec) == [int(v) if type(v) is bool else v for v in row]
    wide = list(range(200))
    assert encode_record(wide) == _encode_general(wide)
    assert decode_record(encode_record(wide)) == wide
