"""Storage layer: the rollback journal (SQLite's ``pager.c`` journal code).

A rollback journal (``<db>-journal``, journal_mode=DELETE) holds the original
images of the pages a write transaction changes.  It is written and synced
before the database file is touched; deleting it is the commit point.  If
the writer dies in between, the journal is "hot" and the next reader plays
it back, which restores the database to its state before the transaction.

Byte layout (https://sqlite.org/fileformat2.html, section 4.1).  The journal
is a sequence of segments; each starts with a header padded to the sector
size:

    offset  size  field
    0       8     magic d9 d5 05 f9 20 a1 63 d7
    8       4     number of page records in the segment; 0xFFFFFFFF means
                  "as many as fit in the rest of the file"
    12      4     nonce for the checksums
    16      4     size of the database in pages before the transaction
    20      4     sector size
    24      4     page size

followed by page records, each:

    0       4     page number
    4       N     original page image (N = page size)
    N+4     4     checksum: the nonce plus the bytes at page offsets
                  N-200, N-400, ... (all those > 0), modulo 2**32

A record with a bad checksum ends the playback (it was never synced, so the
database page it stands for was not overwritten).  The next segment header,
if any, starts at the first sector boundary after the last record.  A
"super-journal" name (multi-database commits) may follow the records; it
starts with the page number of the lock-byte page, which ends playback.
"""

from __future__ import annotations

import random
import struct

from pyrite.io.base import PENDING_BYTE, File

JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")
JOURNAL_HEADER_SIZE = 28
DEFAULT_SECTOR_SIZE = 512       # what SQLite 3.40 writes on Linux (journal header size)
MAX_SECTOR_SIZE = 0x10000

_U32 = struct.Struct(">I")
_HEADER = struct.Struct(">8sIIIII")


def checksum(nonce: int, image: bytes | bytearray) -> int:
    """The record checksum (SQLite's pager_cksum)."""
    total = nonce
    i = len(image) - 200
    while i > 0:
        total += image[i]
        i -= 200
    return total & 0xFFFFFFFF


class JournalHeader:
    """One decoded segment header."""

    __slots__ = ("n_records", "nonce", "db_pages", "sector_size", "page_size")

    def __init__(self, n_records: int, nonce: int, db_pages: int, sector_size: int,
                 page_size: int) -> None:
        self.n_records = n_records
        self.nonce = nonce
        self.db_pages = db_pages
        self.sector_size = sector_size
        self.page_size = page_size

    def encode(self) -> bytes:
        head = _HEADER.pack(JOURNAL_MAGIC, self.n_records & 0xFFFFFFFF, self.nonce,
                            self.db_pages, self.sector_size, self.page_size)
        return head + bytes(self.sector_size - len(head))

    @classmethod
    def parse(cls, data: bytes) -> JournalHeader | None:
        """Decode a header; None when it is not a valid segment header."""
        if len(data) < JOURNAL_HEADER_SIZE:
            return None
        magic, n, nonce, db_pages, sector, ps = _HEADER.unpack_from(data, 0)
        if magic != JOURNAL_MAGIC:
            return None
        if ps < 512 or ps > 65536 or ps & (ps - 1):
            return None
        if sector < 32 or sector > MAX_SECTOR_SIZE or sector & (sector - 1):
            return None
        return cls(n, nonce, db_pages, sector, ps)


def _read(f: File, offset: int, size: int) -> bytes:
    c = f.read(offset, size)
    c.wait()
    return c.value()


class JournalWriter:
    """Writes one journal: a header then records, then syncs it."""

    def __init__(self, file: File, page_size: int, db_pages: int,
                 sector_size: int = DEFAULT_SECTOR_SIZE) -> None:
        self.file = file
        self.header = JournalHeader(0, random.getrandbits(32), db_pages, sector_size,
                                    page_size)
        self.records = 0
        self.offset = sector_size
        file.truncate(0)

    def write_all(self, records: list[tuple[int, bytes]], sync: bool = True) -> None:
        """Write the header and every record, then sync (one segment) unless
        ``sync`` is false (PRAGMA synchronous=OFF)."""
        nonce = self.header.nonce
        parts: list[bytes] = []
        for pgno, image in records:
            parts.append(_U32.pack(pgno))
            parts.append(image)
            parts.append(_U32.pack(checksum(nonce, image)))
        if parts:
            self.file.write(self.offset, b"".join(parts))
            self.offset += len(records) * (self.header.page_size + 8)
        self.records += len(records)
        self.header.n_records = self.records
        self.file.write(0, self.header.encode())
        if sync:
            self.file.sync()


def playback(journal: File, db: File) -> int:
    """Restore ``db`` from ``journal``; returns the number of pages written.

    The caller holds an EXCLUSIVE lock on the database.  The database is
    truncated to the size recorded in the first header and synced; the
    caller deletes the journal afterwards.
    """
    jsize = journal.size()
    offset = 0
    first: JournalHeader | None = None
    restored = 0
    while offset + JOURNAL_HEADER_SIZE <= jsize:
        header = JournalHeader.parse(_read(journal, offset, JOURNAL_HEADER_SIZE))
        if header is None:
            break
        if first is None:
            first = header
        elif header.page_size != first.page_size:
            break
        ps = header.page_size
        offset += header.sector_size
        n = header.n_records
        if n == 0xFFFFFFFF:
            n = (jsize - offset) // (ps + 8)
        if n == 0:
            break
        stop = False
        for _ in range(n):
            if offset + ps + 8 > jsize:
                stop = True
                break
            rec = _read(journal, offset, ps + 8)
            pgno = _U32.unpack_from(rec, 0)[0]
            if pgno == 0 or pgno == PENDING_BYTE // ps + 1:
                stop = True     # end of the records (or a super-journal name)
                break
            image = rec[4:4 + ps]
            if _U32.unpack_from(rec, 4 + ps)[0] != checksum(header.nonce, image):
                stop = True
                break
            if pgno <= first.db_pages:
                db.write((pgno - 1) * ps, image)
                restored += 1
            offset += ps + 8
        if stop:
            break
        sector = header.sector_size
        offset = (offset + sector - 1) // sector * sector
    if first is not None:
        db.truncate(first.db_pages * first.page_size)
        db.sync()
    return restored


def journal_is_valid(journal: File) -> bool:
    """True when the journal starts with a valid header (first byte non-zero)."""
    if journal.size() < JOURNAL_HEADER_SIZE:
        return False
    return JournalHeader.parse(_read(journal, 0, JOURNAL_HEADER_SIZE)) is not None
