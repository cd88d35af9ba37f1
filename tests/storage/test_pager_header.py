"""Tests of the database header (storage/header.py) against files sqlite3 writes."""

from __future__ import annotations

import sqlite3
import struct

import pytest

from pyrite.errors import SQLITE_NOTADB
from pyrite.storage.header import DatabaseHeader, new_database_page1


def sqlite_file(tmp_path, *pragmas):
    path = tmp_path / "h.db"
    con = sqlite3.connect(path)
    for p in pragmas:
        con.execute(p)
    con.execute("CREATE TABLE t(x)")
    con.execute("INSERT INTO t VALUES(1)")
    con.commit()
    con.close()
    return path.read_bytes()


def test_parse_fields_written_by_sqlite(tmp_path):
    data = sqlite_file(tmp_path, "PRAGMA page_size=2048", "PRAGMA user_version=9",
                       "PRAGMA application_id=77", "PRAGMA encoding='UTF-16le'")
    h = DatabaseHeader.parse(data[:100])
    assert h.page_size == 2048 and h.usable_size == 2048
    assert (h.write_version, h.read_version) == (1, 1)
    assert h.user_version == 9 and h.application_id == 77
    assert h.text_encoding == 2 and h.encoding_name == "utf-16-le"
    assert h.schema_format == 4 and h.schema_cookie == 1
    assert h.version_valid_for == h.change_counter
    assert h.version_number == sqlite3.sqlite_version_info[0] * 1000000 + \
        sqlite3.sqlite_version_info[1] * 1000 + sqlite3.sqlite_version_info[2]
    assert h.page_count(len(data)) == len(data) // 2048 == h.database_size


def test_version_valid_for_rule():
    data = bytearray(new_database_page1(1024))
    h = DatabaseHeader.parse(data)
    assert h.page_count(1024) == 1
    struct.pack_into(">I", data, 28, 5)          # claims 5 pages, valid_for matches
    assert DatabaseHeader.parse(data).page_count(5 * 1024) == 5
    assert DatabaseHeader.parse(data).page_count(3 * 1024) == 3   # larger than the file
    struct.pack_into(">I", data, 24, 7)          # counter != valid-for: size from file
    assert DatabaseHeader.parse(data).page_count(9 * 1024) == 9
    struct.pack_into(">I", data, 92, 7)
    assert DatabaseHeader.parse(data).page_count(9 * 1024) == 5


@pytest.mark.parametrize("offset,value", [
    (0, b"SQLite format 4\0"),   # magic
    (16, b"\x03\x00"),           # page size 768: not a power of two
    (16, b"\x01\x00"),           # 256: too small
    (19, b"\x03"),               # unknown read version
    (21, b"\x40\x21"),           # payload fractions
    (20, b"\xff"),               # usable size < 480
])
def test_invalid_header_is_not_a_database(offset, value):
    data = bytearray(new_database_page1(512))
    data[offset:offset + len(value)] = value
    with pytest.raises(Exception) as ei:
        DatabaseHeader.parse(data)
    assert ei.value.sqlite_errorcode == SQLITE_NOTADB
    assert str(ei.value) == "file is not a database"


def test_sqlite3_agrees_on_invalid_header(tmp_path):
    data = bytearray(new_database_page1(1024))
    data[21] = 65
    path = tmp_path / "bad.db"
    path.write_bytes(bytes(data))
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        sqlite3.connect(path).execute("SELECT * FROM sqlite_schema").fetchall()


def test_new_page1_is_what_sqlite_writes(tmp_path):
    ours = new_database_page1(4096)
    theirs = sqlite_file(tmp_path)
    # Identical but for the counters, page count and the sqlite_schema content.
    for lo, hi in [(0, 24), (32, 40), (44, 92), (96, 100)]:
        assert ours[lo:hi] == theirs[lo:hi], (lo, hi)
    assert ours[100] == theirs[100] == 0x0D
    assert ours[101:108] == bytes([0, 0, 0, 0, 0x10, 0, 0])
    assert ours[108:] == bytes(4096 - 108)
    assert new_database_page1(65536)[16:18] == b"\x00\x01"


def test_each_read_transaction_sees_what_sqlite3_wrote_in_between(tmp_path):
    # A reader's header check: an unchanged header keeps the page count it
    # found (no size asked); every sqlite3 commit changes the counter, so
    # growth, shrinking (VACUUM) and a new schema are all seen.
    import pyrite
    path = tmp_path / "seen.db"
    writer = sqlite3.connect(path, isolation_level=None)
    reader = pyrite.connect(str(path), isolation_level=None)
    assert reader.execute("SELECT count(*) FROM sqlite_schema").fetchone() == (0,)
    writer.execute("CREATE TABLE t(x)")
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (0,)
    for n in (1, 300, 5000):
        writer.execute("BEGIN")
        writer.executemany("INSERT INTO t VALUES(?)", [(("r%d" % i) * 20,) for i in range(n)])
        writer.execute("COMMIT")
        for _ in range(3):
            assert reader.execute("SELECT count(*), max(rowid) FROM t").fetchone() == \
                writer.execute("SELECT count(*), max(rowid) FROM t").fetchone()
    pages = reader.execute("PRAGMA page_count").fetchone()
    writer.execute("DELETE FROM t WHERE rowid > 10")
    writer.execute("VACUUM")
    assert reader.execute("PRAGMA page_count").fetchone() < pages
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (10,)
    assert reader.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    reader.close()
    writer.close()
