"""Storage layer: the 100-byte database file header (SQLite: the header code of btree.c).

The first 100 bytes of page 1 describe the file.  Every multi-byte field is
big-endian.  Layout (https://sqlite.org/fileformat2.html, section 1.3):

    offset  size  field
    0       16    magic string "SQLite format 3\\0"
    16      2     page size in bytes; 1 means 65536
    18      1     file format write version (1 legacy/rollback journal, 2 WAL)
    19      1     file format read version (1 legacy/rollback journal, 2 WAL)
    20      1     bytes of unused "reserved" space at the end of each page
    21      1     maximum embedded payload fraction, must be 64
    22      1     minimum embedded payload fraction, must be 32
    23      1     leaf payload fraction, must be 32
    24      4     file change counter
    28      4     size of the database in pages ("in-header database size")
    32      4     page number of the first freelist trunk page
    36      4     total number of freelist pages
    40      4     schema cookie
    44      4     schema format number (1..4)
    48      4     default page cache size
    52      4     largest root b-tree page (auto-vacuum / incremental vacuum), else 0
    56      4     text encoding: 1 UTF-8, 2 UTF-16le, 3 UTF-16be
    60      4     user version (PRAGMA user_version)
    64      4     incremental-vacuum mode flag
    68      4     application id (PRAGMA application_id)
    72      20    reserved for expansion, zero
    92      4     version-valid-for number (change counter when offset 96 was written)
    96      4     SQLITE_VERSION_NUMBER of the library that last wrote the file

The in-header database size is trusted only when it is non-zero and the
version-valid-for number equals the change counter (older writers did not
maintain it); otherwise the size is computed from the file size.

The "meta" values of ``sqlite3BtreeGetMeta`` are the u32 fields at offset
``36 + 4*idx``: idx 0 free page count, 1 schema cookie, 2 schema format,
3 default cache size, 4 largest root page, 5 text encoding, 6 user version,
7 incremental vacuum, 8 application id.
"""

from __future__ import annotations

import struct

from pyrite.errors import SQLITE_NOTADB, raise_error

HEADER_SIZE = 100
HEADER_MAGIC = b"SQLite format 3\x00"
SQLITE_VERSION_NUMBER = 3040001
DEFAULT_PAGE_SIZE = 4096
MIN_PAGE_SIZE = 512
MAX_PAGE_SIZE = 65536

# Byte offsets of the header fields.
OFFSET_PAGE_SIZE = 16
OFFSET_WRITE_VERSION = 18
OFFSET_READ_VERSION = 19
OFFSET_RESERVED = 20
OFFSET_MAX_PAYLOAD_FRAC = 21
OFFSET_MIN_PAYLOAD_FRAC = 22
OFFSET_LEAF_PAYLOAD_FRAC = 23
OFFSET_CHANGE_COUNTER = 24
OFFSET_DATABASE_SIZE = 28
OFFSET_FREELIST_TRUNK = 32
OFFSET_FREELIST_COUNT = 36
OFFSET_SCHEMA_COOKIE = 40
OFFSET_SCHEMA_FORMAT = 44
OFFSET_DEFAULT_CACHE_SIZE = 48
OFFSET_AUTOVACUUM_ROOT = 52
OFFSET_TEXT_ENCODING = 56
OFFSET_USER_VERSION = 60
OFFSET_INCREMENTAL_VACUUM = 64
OFFSET_APPLICATION_ID = 68
OFFSET_VERSION_VALID_FOR = 92
OFFSET_VERSION_NUMBER = 96

# Indexes of the meta values (sqlite3BtreeGetMeta's BTREE_* numbering).
META_FREE_PAGE_COUNT = 0
META_SCHEMA_VERSION = 1
META_FILE_FORMAT = 2
META_DEFAULT_CACHE_SIZE = 3
META_LARGEST_ROOT_PAGE = 4
META_TEXT_ENCODING = 5
META_USER_VERSION = 6
META_INCR_VACUUM = 7
META_APPLICATION_ID = 8

TEXT_ENCODINGS = {1: "utf-8", 2: "utf-16-le", 3: "utf-16-be"}

_U32 = struct.Struct(">I")
_U16 = struct.Struct(">H")


def meta_offset(idx: int) -> int:
    """Byte offset of meta value ``idx`` in page 1."""
    return OFFSET_FREELIST_COUNT + 4 * idx


def valid_page_size(size: int) -> bool:
    return MIN_PAGE_SIZE <= size <= MAX_PAGE_SIZE and size & (size - 1) == 0


def encode_page_size(size: int) -> int:
    """The u16 stored at offset 16 (65536 does not fit and is stored as 1)."""
    return 1 if size == 65536 else size


class DatabaseHeader:
    """The decoded header fields that the pager needs, validated."""

    __slots__ = ("page_size", "write_version", "read_version", "reserved",
                 "change_counter", "database_size", "freelist_trunk",
                 "freelist_count", "schema_cookie", "schema_format",
                 "default_cache_size", "autovacuum_root", "text_encoding",
                 "user_version", "incremental_vacuum", "application_id",
                 "version_valid_for", "version_number")

    def __init__(self) -> None:
        self.page_size = DEFAULT_PAGE_SIZE
        self.write_version = 1
        self.read_version = 1
        self.reserved = 0
        self.change_counter = 0
        self.database_size = 0
        self.freelist_trunk = 0
        self.freelist_count = 0
        self.schema_cookie = 0
        self.schema_format = 4
        self.default_cache_size = 0
        self.autovacuum_root = 0
        self.text_encoding = 1
        self.user_version = 0
        self.incremental_vacuum = 0
        self.application_id = 0
        self.version_valid_for = 0
        self.version_number = SQLITE_VERSION_NUMBER

    @property
    def usable_size(self) -> int:
        return self.page_size - self.reserved

    @property
    def encoding_name(self) -> str:
        return TEXT_ENCODINGS.get(self.text_encoding, "utf-8")

    def page_count(self, file_size: int) -> int:
        """Database size in pages, applying the version-valid-for rule."""
        file_pages = (file_size + self.page_size - 1) // self.page_size
        n = self.database_size
        if n == 0 or self.version_valid_for != self.change_counter or n > file_pages:
            return file_pages
        return n

    @classmethod
    def parse(cls, data: bytes | bytearray) -> DatabaseHeader:
        """Decode and validate; an invalid header is "file is not a database"."""
        if len(data) < HEADER_SIZE or data[:16] != HEADER_MAGIC:
            raise_error(SQLITE_NOTADB)
        h = cls()
        ps = _U16.unpack_from(data, OFFSET_PAGE_SIZE)[0]
        if ps == 1:
            ps = 65536
        if not valid_page_size(ps):
            raise_error(SQLITE_NOTADB)
        h.page_size = ps
        h.write_version = data[OFFSET_WRITE_VERSION]
        h.read_version = data[OFFSET_READ_VERSION]
        if h.read_version > 2:
            # A newer read format: SQLite refuses to read the file at all.
            raise_error(SQLITE_NOTADB)
        h.reserved = data[OFFSET_RESERVED]
        if ps - h.reserved < 480:
            raise_error(SQLITE_NOTADB)
        if (data[OFFSET_MAX_PAYLOAD_FRAC], data[OFFSET_MIN_PAYLOAD_FRAC],
                data[OFFSET_LEAF_PAYLOAD_FRAC]) != (64, 32, 32):
            raise_error(SQLITE_NOTADB)
        (h.change_counter, h.database_size, h.freelist_trunk, h.freelist_count,
         h.schema_cookie, h.schema_format, h.default_cache_size, h.autovacuum_root,
         h.text_encoding, h.user_version, h.incremental_vacuum,
         h.application_id) = struct.unpack_from(">12I", data, OFFSET_CHANGE_COUNTER)
        h.version_valid_for, h.version_number = struct.unpack_from(
            ">II", data, OFFSET_VERSION_VALID_FOR)
        return h


def new_database_page1(page_size: int = DEFAULT_PAGE_SIZE, reserved: int = 0) -> bytearray:
    """Page 1 of an empty database as SQLite writes it.

    The header (rollback-journal file format 1/1, fractions 64/32/32, schema
    format 4, UTF-8, one page) followed at offset 100 by the header of an
    empty table-leaf B-tree page: the root of sqlite_schema.
    """
    data = bytearray(page_size)
    data[0:16] = HEADER_MAGIC
    _U16.pack_into(data, OFFSET_PAGE_SIZE, encode_page_size(page_size))
    data[OFFSET_WRITE_VERSION] = 1
    data[OFFSET_READ_VERSION] = 1
    data[OFFSET_RESERVED] = reserved
    data[OFFSET_MAX_PAYLOAD_FRAC] = 64
    data[OFFSET_MIN_PAYLOAD_FRAC] = 32
    data[OFFSET_LEAF_PAYLOAD_FRAC] = 32
    _U32.pack_into(data, OFFSET_DATABASE_SIZE, 1)
    _U32.pack_into(data, OFFSET_SCHEMA_FORMAT, 4)
    _U32.pack_into(data, OFFSET_TEXT_ENCODING, 1)
    _U32.pack_into(data, OFFSET_VERSION_NUMBER, SQLITE_VERSION_NUMBER)
    # Empty table-leaf page header: type 13, no freeblock, 0 cells, the cell
    # content area starting at the end of the usable space (0 means 65536).
    usable = page_size - reserved
    data[100] = 0x0D
    _U16.pack_into(data, 105, usable if usable < 65536 else 0)
    return data
