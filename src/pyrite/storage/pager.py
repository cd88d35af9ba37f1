"""Storage layer: the pager (SQLite's ``pager.c``), with the freelist of ``btree.c``.

The pager owns the database file: it caches pages, takes the file locks,
keeps the rollback journal and makes commits atomic, plays back a hot journal
left by a crashed writer, and manages the freelist (trunk and leaf pages, as
the file format lays them out).

Reads of pages not in the cache go to the I/O backend.  When the backend
answers with a pending completion, :meth:`Pager.get_page` raises
:class:`~pyrite.io.base.IOPending`; the page is installed once the completion
is done and ``get_page`` is asked again (the VM re-runs the instruction).
Write paths wait on completions synchronously.

Rollback journal (journal_mode=DELETE), byte layout:

    offset  size  field
    0       8     magic d9 d5 05 f9 20 a1 63 d7
    8       4     number of page records (-1: compute from file size)
    12      4     checksum nonce
    16      4     database size in pages before the transaction
    20      4     sector size (512)
    24      4     page size
    (padded with zeros to the sector size)
    records: 4-byte page number, page image, 4-byte checksum
             (nonce + the bytes at page_size-200, page_size-400, ... > 0)

The journal is written and synced before the database file is touched; the
commit point is the deletion of the journal.
"""

from __future__ import annotations

import random
import struct

from pyrite.errors import (
    SQLITE_BUSY,
    SQLITE_CORRUPT,
    SQLITE_FULL,
    SQLITE_NOTADB,
    SQLITE_READONLY,
    raise_error,
)
from pyrite.io.base import (
    EXCLUSIVE_LOCK,
    NO_LOCK,
    PENDING_BYTE,
    RESERVED_LOCK,
    SHARED_LOCK,
    Backend,
    Completion,
    File,
    IOPending,
)

JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")
SECTOR_SIZE = 512
SQLITE_VERSION_NUMBER = 3040001
HEADER_MAGIC = b"SQLite format 3\x00"
MAX_PAGE_COUNT = 0xFFFFFFFE

_U32 = struct.Struct(">I")
_U16 = struct.Struct(">H")


class Page:
    """One cached page.  ``data`` is the whole page image."""

    __slots__ = ("pgno", "data", "dirty", "parsed")

    def __init__(self, pgno: int, data: bytearray) -> None:
        self.pgno = pgno
        self.data = data
        self.dirty = False
        self.parsed: object = None  # the btree layer's parsed view of the page


def new_database_page1(page_size: int) -> bytearray:
    """Page 1 of an empty database: the header and an empty sqlite_schema leaf."""
    data = bytearray(page_size)
    data[0:16] = HEADER_MAGIC
    _U16.pack_into(data, 16, 1 if page_size == 65536 else page_size)
    data[18] = 1          # file format write version (1 = rollback journal)
    data[19] = 1          # file format read version
    data[20] = 0          # reserved bytes per page
    data[21] = 64         # max embedded payload fraction
    data[22] = 32         # min embedded payload fraction
    data[23] = 32         # leaf payload fraction
    _U32.pack_into(data, 24, 0)   # file change counter
    _U32.pack_into(data, 28, 1)   # database size in pages
    _U32.pack_into(data, 32, 0)   # first freelist trunk page
    _U32.pack_into(data, 36, 0)   # number of freelist pages
    _U32.pack_into(data, 40, 0)   # schema cookie
    _U32.pack_into(data, 44, 4)   # schema format number
    _U32.pack_into(data, 48, 0)   # default page cache size
    _U32.pack_into(data, 52, 0)   # largest root page (auto-vacuum)
    _U32.pack_into(data, 56, 1)   # text encoding: UTF-8
    _U32.pack_into(data, 60, 0)   # user version
    _U32.pack_into(data, 64, 0)   # incremental vacuum
    _U32.pack_into(data, 68, 0)   # application id
    _U32.pack_into(data, 92, 0)   # version-valid-for
    _U32.pack_into(data, 96, SQLITE_VERSION_NUMBER)
    # Empty table-leaf B-tree page header at offset 100.
    data[100] = 0x0D
    _U16.pack_into(data, 105, page_size if page_size < 65536 else 0)
    return data


def _journal_checksum(nonce: int, data: bytes | bytearray) -> int:
    cksum = nonce
    i = len(data) - 200
    while i > 0:
        cksum += data[i]
        i -= 200
    return cksum & 0xFFFFFFFF


class Pager:
    """Page cache, locks, journal and freelist of one database file."""

    def __init__(self, backend: Backend, path: str, file: File, *, readonly: bool,
                 memory: bool, cache_size: int) -> None:
        self.backend = backend
        self.path = path
        self.file = file
        self.readonly = readonly
        self.memory = memory
        self.cache_size = cache_size
        self.journal_path = path + "-journal"
        self.cache: dict[int, Page] = {}
        self.pending: dict[int, Completion] = {}
        self.page_size = 4096
        self.usable_size = 4096
        self.page_count = 0
        self.text_encoding = "utf-8"
        self.lock_level = NO_LOCK
        self.in_write = False
        self.originals: dict[int, bytes] = {}   # images before this transaction
        self.orig_page_count = 0
        self.savepoints: list[tuple[dict[int, bytes], int]] = []
        self.change_counter = -1
        self.busy_handler = None  # callable(count) -> bool: retry?
        self.header_valid = False

    # -- opening ------------------------------------------------------------

    @classmethod
    def open(cls, backend: Backend | None, path: str, *, readonly: bool = False,
             page_size: int = 4096, cache_size: int = 2000) -> Pager:
        memory = path == ":memory:" or path == ""
        if backend is None:
            if memory:
                from pyrite.io.memory import MemoryBackend
                backend = MemoryBackend()
                path = ":memory:"
            else:
                from pyrite.io.osfile import OSBackend
                backend = OSBackend()
        file = backend.open(path, create=not readonly, readonly=readonly)
        pager = cls(backend, path, file, readonly=readonly, memory=memory,
                    cache_size=max(cache_size, 10))
        pager.page_size = page_size
        pager.usable_size = page_size
        pager.read_header(first=True)
        return pager

    def read_header(self, first: bool = False) -> None:
        """Read the page size and counters from the file (no lock needed to look)."""
        size = self.file.size()
        if size == 0:
            self.page_count = 0
            return
        if size < 100 and not first:
            raise_error(SQLITE_NOTADB)
        c = self.file.read(0, 100)
        c.wait()
        head = c.value()
        if size < 100 or head[:16] != HEADER_MAGIC:
            raise_error(SQLITE_NOTADB)
        ps = _U16.unpack_from(head, 16)[0]
        if ps == 1:
            ps = 65536
        if ps < 512 or ps > 65536 or ps & (ps - 1):
            raise_error(SQLITE_NOTADB)
        reserved = head[20]
        if head[18] > 2 or head[19] > 2:
            raise_error(SQLITE_NOTADB)
        if head[21] != 64 or head[22] != 32 or head[23] != 32:
            raise_error(SQLITE_NOTADB)
        if ps != self.page_size:
            self.cache.clear()
        self.page_size = ps
        self.usable_size = ps - reserved
        if self.usable_size < 480:
            raise_error(SQLITE_NOTADB)
        enc = _U32.unpack_from(head, 56)[0]
        self.text_encoding = {2: "utf-16-le", 3: "utf-16-be"}.get(enc, "utf-8")
        counter = _U32.unpack_from(head, 24)[0]
        n = _U32.unpack_from(head, 28)[0]
        valid_for = _U32.unpack_from(head, 92)[0]
        file_pages = (size + ps - 1) // ps
        if n == 0 or valid_for != counter or n > file_pages:
            n = file_pages
        self.page_count = n
        if counter != self.change_counter:
            self.cache.clear()
            self.change_counter = counter

    # -- locks and transactions ------------------------------------------

    def _lock(self, level: int) -> None:
        count = 0
        while not self.file.lock(level):
            if self.busy_handler is None or not self.busy_handler(count):
                raise_error(SQLITE_BUSY)
            count += 1
        self.lock_level = max(self.lock_level, level)

    def begin_read(self) -> None:
        """Take a SHARED lock, recover a hot journal, refresh the header."""
        if self.lock_level >= SHARED_LOCK:
            return
        self._lock(SHARED_LOCK)
        try:
            if not self.memory and self.backend.exists(self.journal_path):
                self._recover_hot_journal()
            self.read_header()
        except BaseException:
            self.file.unlock(NO_LOCK)
            self.lock_level = NO_LOCK
            raise

    def end_read(self) -> None:
        """Drop the read lock when no write transaction is open."""
        if self.in_write or self.lock_level == NO_LOCK:
            return
        self.file.unlock(NO_LOCK)
        self.lock_level = NO_LOCK

    def begin_write(self) -> None:
        """Take the RESERVED lock and start a write transaction."""
        if self.in_write:
            return
        if self.readonly:
            raise_error(SQLITE_READONLY)
        self.begin_read()
        self._lock(RESERVED_LOCK)
        self.in_write = True
        self.originals = {}
        self.savepoints = []
        if self.page_count == 0:
            # A new database: page 1 appears with the first write transaction.
            page = Page(1, new_database_page1(self.page_size))
            page.dirty = True
            self.cache[1] = page
            self.page_count = 1
            self.orig_page_count = 0
            self.originals[1] = b""
        else:
            self.orig_page_count = self.page_count

    # -- pages --------------------------------------------------------------

    def get_page(self, pgno: int) -> Page:
        """The page ``pgno``; raises IOPending while the backend reads it."""
        page = self.cache.get(pgno)
        if page is not None:
            return page
        return self._load(pgno)

    def _load(self, pgno: int) -> Page:
        if pgno < 1 or pgno > MAX_PAGE_COUNT:
            raise_error(SQLITE_CORRUPT)
        if pgno > self.page_count:
            raise_error(SQLITE_CORRUPT)
        c = self.pending.get(pgno)
        if c is None:
            c = self.file.read((pgno - 1) * self.page_size, self.page_size)
            if not c.done:
                self.pending[pgno] = c
                raise IOPending(c)
        elif not c.done:
            raise IOPending(c)
        else:
            del self.pending[pgno]
        page = Page(pgno, bytearray(c.value()))
        if len(self.cache) >= self.cache_size and not self.in_write:
            self._evict()
        self.cache[pgno] = page
        return page

    def get_page_sync(self, pgno: int) -> Page:
        """``get_page`` that waits on a pending read (write paths)."""
        while True:
            try:
                return self.get_page(pgno)
            except IOPending as p:
                p.completion.wait()

    def _evict(self) -> None:
        # Drop the oldest half of the clean pages (dict order is load order).
        n = len(self.cache) // 2
        for pgno in list(self.cache)[:n]:
            if pgno != 1 and not self.cache[pgno].dirty:
                del self.cache[pgno]

    def make_writable(self, page: Page) -> None:
        """Record the page's original image (journal, savepoints); mark it dirty."""
        pgno = page.pgno
        if not self.in_write:
            raise_error(SQLITE_READONLY if self.readonly else SQLITE_CORRUPT)
        if self.savepoints:
            image = None
            for sp, _ in self.savepoints:
                if pgno not in sp:
                    if image is None:
                        image = bytes(page.data) if pgno <= self.page_count else b""
                    sp[pgno] = image
        if not page.dirty:
            if pgno not in self.originals:
                self.originals[pgno] = bytes(page.data) if pgno <= self.orig_page_count else b""
            page.dirty = True
        page.parsed = None

    def allocate_page(self) -> Page:
        """A writable page from the freelist, or a new page at the end of the file."""
        p1 = self.get_page_sync(1)
        nfree = _U32.unpack_from(p1.data, 36)[0]
        trunk_no = _U32.unpack_from(p1.data, 32)[0]
        if nfree and trunk_no:
            if trunk_no > self.page_count:
                raise_error(SQLITE_CORRUPT)
            trunk = self.get_page_sync(trunk_no)
            nleaf = _U32.unpack_from(trunk.data, 4)[0]
            if nleaf > (self.usable_size // 4) - 2:
                raise_error(SQLITE_CORRUPT)
            self.make_writable(p1)
            _U32.pack_into(p1.data, 36, nfree - 1)
            if nleaf:
                leaf_no = _U32.unpack_from(trunk.data, 8 + 4 * (nleaf - 1))[0]
                if leaf_no < 2 or leaf_no > self.page_count:
                    raise_error(SQLITE_CORRUPT)
                self.make_writable(trunk)
                _U32.pack_into(trunk.data, 4, nleaf - 1)
                page = self.get_page_sync(leaf_no)
            else:
                _U32.pack_into(p1.data, 32, _U32.unpack_from(trunk.data, 0)[0])
                page = trunk
            self.make_writable(page)
            page.data[:] = bytes(self.page_size)
            return page
        pgno = self.page_count + 1
        if pgno == PENDING_BYTE // self.page_size + 1:
            pgno += 1
        if pgno > MAX_PAGE_COUNT:
            raise_error(SQLITE_FULL)
        self.page_count = pgno
        page = Page(pgno, bytearray(self.page_size))
        self.cache[pgno] = page
        self.make_writable(page)
        return page

    def free_page(self, pgno: int) -> None:
        """Put ``pgno`` on the freelist."""
        p1 = self.get_page_sync(1)
        self.make_writable(p1)
        nfree = _U32.unpack_from(p1.data, 36)[0]
        trunk_no = _U32.unpack_from(p1.data, 32)[0]
        _U32.pack_into(p1.data, 36, nfree + 1)
        if trunk_no:
            trunk = self.get_page_sync(trunk_no)
            nleaf = _U32.unpack_from(trunk.data, 4)[0]
            # SQLite keeps trunks at most usable/4 - 8 leaves for old readers.
            if nleaf < self.usable_size // 4 - 8:
                self.make_writable(trunk)
                _U32.pack_into(trunk.data, 8 + 4 * nleaf, pgno)
                _U32.pack_into(trunk.data, 4, nleaf + 1)
                page = self.cache.get(pgno)
                if page is not None:
                    page.parsed = None
                return
        page = self.get_page_sync(pgno)
        self.make_writable(page)
        page.data[:] = bytes(self.page_size)
        _U32.pack_into(page.data, 0, trunk_no)
        _U32.pack_into(page.data, 4, 0)
        _U32.pack_into(p1.data, 32, pgno)

    def freelist_pages(self) -> list[int]:
        """Every page on the freelist (trunks and leaves), for integrity checks."""
        p1 = self.get_page_sync(1)
        out: list[int] = []
        trunk_no = _U32.unpack_from(p1.data, 32)[0]
        seen = 0
        while trunk_no:
            if trunk_no > self.page_count or seen > self.page_count:
                raise_error(SQLITE_CORRUPT)
            seen += 1
            trunk = self.get_page_sync(trunk_no)
            out.append(trunk_no)
            n = _U32.unpack_from(trunk.data, 4)[0]
            if n > self.usable_size // 4 - 2:
                raise_error(SQLITE_CORRUPT)
            out.extend(_U32.unpack_from(trunk.data, 8 + 4 * i)[0] for i in range(n))
            trunk_no = _U32.unpack_from(trunk.data, 0)[0]
        return out

    # -- header fields --------------------------------------------------------

    def get_meta(self, idx: int) -> int:
        """The header u32 at offset 36 + 4*idx (1: schema cookie, 6: user version...)."""
        if self.page_count == 0:
            return 0 if idx != 2 else 4
        return _U32.unpack_from(self.get_page(1).data, 36 + 4 * idx)[0]

    def set_meta(self, idx: int, value: int) -> None:
        page = self.get_page_sync(1)
        self.make_writable(page)
        _U32.pack_into(page.data, 36 + 4 * idx, value & 0xFFFFFFFF)

    # -- savepoints -------------------------------------------------------

    def savepoint(self, n: int) -> None:
        """Open savepoints up to depth ``n`` (0-based index n-1 is the newest)."""
        while len(self.savepoints) < n:
            self.savepoints.append(({}, self.page_count))

    def release(self, n: int) -> None:
        """Release savepoints at depth >= n (keep their changes)."""
        del self.savepoints[n:]

    def rollback_to(self, n: int) -> None:
        """Undo changes made since savepoint ``n`` was opened; it stays open."""
        if n >= len(self.savepoints):
            return
        images, count = self.savepoints[n]
        for pgno, image in images.items():
            page = self.cache.get(pgno)
            if not image:
                self.cache.pop(pgno, None)
                continue
            if page is None:
                page = Page(pgno, bytearray(image))
                page.dirty = True
                self.cache[pgno] = page
            else:
                page.data[:] = image
                page.parsed = None
        self.page_count = count
        for pgno in [p for p in self.cache if p > count]:
            del self.cache[pgno]
        del self.savepoints[n + 1:]
        self.savepoints[n] = ({}, count)

    # -- commit and rollback ------------------------------------------------

    def commit(self) -> None:
        """Make the transaction durable and drop to no lock."""
        if not self.in_write:
            self.end_read()
            return
        dirty = [p for p in self.cache.values() if p.dirty]
        if dirty:
            p1 = self.get_page_sync(1)
            self.make_writable(p1)
            counter = (_U32.unpack_from(p1.data, 24)[0] + 1) & 0xFFFFFFFF
            _U32.pack_into(p1.data, 24, counter)
            _U32.pack_into(p1.data, 28, self.page_count)
            _U32.pack_into(p1.data, 92, counter)
            _U32.pack_into(p1.data, 96, SQLITE_VERSION_NUMBER)
            if p1 not in dirty:
                dirty.append(p1)
            journal = None
            if not self.memory:
                journal = self._write_journal()
            self._lock(EXCLUSIVE_LOCK)
            ps = self.page_size
            for page in sorted(dirty, key=lambda p: p.pgno):
                if page.pgno <= self.page_count:
                    self.file.write((page.pgno - 1) * ps, bytes(page.data))
                page.dirty = False
            if self.file.size() > self.page_count * ps:
                self.file.truncate(self.page_count * ps)
            if not self.memory:
                self.file.sync()
            if journal is not None:
                journal.close()
                self.backend.delete(self.journal_path)
            self.change_counter = counter
        self._end_transaction()

    def _write_journal(self) -> File:
        journal = self.backend.open(self.journal_path, create=True)
        journal.truncate(0)
        nonce = random.getrandbits(32)
        ps = self.page_size
        records = [(pgno, image) for pgno, image in sorted(self.originals.items())
                   if image and pgno <= self.orig_page_count]
        header = bytearray(SECTOR_SIZE)
        header[0:8] = JOURNAL_MAGIC
        _U32.pack_into(header, 8, len(records))
        _U32.pack_into(header, 12, nonce)
        _U32.pack_into(header, 16, self.orig_page_count)
        _U32.pack_into(header, 20, SECTOR_SIZE)
        _U32.pack_into(header, 24, ps)
        parts = [bytes(header)]
        for pgno, image in records:
            parts.append(_U32.pack(pgno))
            parts.append(image)
            parts.append(_U32.pack(_journal_checksum(nonce, image)))
        journal.write(0, b"".join(parts))
        journal.sync()
        return journal

    def rollback(self) -> None:
        """Abandon the write transaction, restoring every changed page."""
        if self.in_write:
            for pgno, image in self.originals.items():
                page = self.cache.get(pgno)
                if page is None:
                    continue
                if image:
                    page.data[:] = image
                    page.dirty = False
                    page.parsed = None
                else:
                    del self.cache[pgno]
            for page in list(self.cache.values()):
                if page.dirty:
                    del self.cache[page.pgno]
            self.page_count = self.orig_page_count
            if self.page_count == 0:
                self.cache.clear()
        self._end_transaction()

    def _end_transaction(self) -> None:
        self.in_write = False
        self.originals = {}
        self.savepoints = []
        if self.lock_level > NO_LOCK:
            self.file.unlock(NO_LOCK)
        self.lock_level = NO_LOCK
        if len(self.cache) > self.cache_size:
            self._evict()

    # -- hot journal --------------------------------------------------------

    def _recover_hot_journal(self) -> None:
        """Play back a journal left by a writer that died (we hold SHARED)."""
        if self.file.check_reserved_lock():
            return
        jf = self.backend.open(self.journal_path, create=False)
        try:
            jsize = jf.size()
            if jsize == 0:
                return
            if not self.file.lock(EXCLUSIVE_LOCK):
                raise_error(SQLITE_BUSY)
            self.lock_level = EXCLUSIVE_LOCK
            head = jf.read(0, 28)
            head.wait()
            h = head.value()
            if h[:8] != JOURNAL_MAGIC:
                return  # not a valid journal: nothing to roll back
            nrec, nonce, orig_pages, sector, ps = struct.unpack_from(">iIIII", h, 8)
            if ps < 512 or ps > 65536 or ps & (ps - 1) or sector < 28:
                return
            off = sector
            if nrec < 0:
                nrec = (jsize - sector) // (ps + 8)
            for _ in range(nrec):
                if off + ps + 8 > jsize:
                    break
                c = jf.read(off, ps + 8)
                c.wait()
                rec = c.value()
                pgno = _U32.unpack_from(rec, 0)[0]
                image = rec[4:4 + ps]
                if _U32.unpack_from(rec, 4 + ps)[0] != _journal_checksum(nonce, image):
                    break
                if 0 < pgno <= orig_pages:
                    self.file.write((pgno - 1) * ps, image)
                off += ps + 8
            self.file.truncate(orig_pages * ps)
            self.file.sync()
        finally:
            jf.close()
        self.backend.delete(self.journal_path)
        self.cache.clear()
        self.change_counter = -1
        self.file.unlock(SHARED_LOCK)
        self.lock_level = SHARED_LOCK

    def close(self) -> None:
        if self.in_write:
            self.rollback()
        self.file.close()
        self.cache.clear()

