"""Storage layer: SQLite varints (``util.c`` sqlite3GetVarint/sqlite3PutVarint).

A varint is 1 to 9 bytes, big-endian, 7 bits per byte with the high bit as
continuation; the ninth byte contributes all 8 bits.  The implementation lives
in :mod:`pyrite.storage.record` (its hottest user); this module is the named
seam other layers import from.
"""

from __future__ import annotations

from pyrite.storage.record import get_varint, put_varint

__all__ = ["get_varint", "put_varint"]
