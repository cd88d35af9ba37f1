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

The rollback journal's format and playback live in :mod:`pyrite.storage.journal`,
the header's fields in :mod:`pyrite.storage.header`.  A commit writes the
original images of the changed pages to the journal and syncs it, takes the
EXCLUSIVE lock, writes the database and syncs it, then deletes the journal
(the commit point).  Statement and SAVEPOINT rollback keep original images in
memory.

The cache is a dict from page number to :class:`Page`; ``get_page`` on a
cached page is one dict lookup.  Clean pages are evicted in load order when
the cache grows past ``cache_size``; dirty pages stay until the transaction
ends.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Callable

from pyrite.errors import (
    SQLITE_BUSY,
    SQLITE_CANTOPEN,
    SQLITE_CORRUPT,
    SQLITE_FULL,
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
from pyrite.storage import journal as _journal
from pyrite.storage.header import (
    HEADER_SIZE,
    OFFSET_CHANGE_COUNTER,
    OFFSET_DATABASE_SIZE,
    OFFSET_FREELIST_COUNT,
    OFFSET_FREELIST_TRUNK,
    OFFSET_VERSION_NUMBER,
    OFFSET_VERSION_VALID_FOR,
    SQLITE_VERSION_NUMBER,
    DatabaseHeader,
    meta_offset,
    new_database_page1,
    valid_page_size,
)

MAX_PAGE_COUNT = 0xFFFFFFFE
# The default page limit of a connection (SQLITE_MAX_PAGE_COUNT in 3.40).
DEFAULT_MAX_PAGE_COUNT = 1073741823

_U32 = struct.Struct(">I")
_SCHEMA_COOKIE_OFFSET = meta_offset(1)


# SQLite's default busy handler (sqliteDefaultBusyCallback): sleep these many
# milliseconds between retries, then the last one repeatedly, until the
# timeout is used up.
_BUSY_DELAYS_MS = (1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100)


def busy_timeout_handler(timeout_ms: int) -> Callable[[int], bool] | None:
    """A busy handler that retries for about ``timeout_ms`` (PRAGMA busy_timeout)."""
    if timeout_ms <= 0:
        return None
    import time

    def handler(count: int) -> bool:
        if count < len(_BUSY_DELAYS_MS):
            delay = _BUSY_DELAYS_MS[count]
            prior = sum(_BUSY_DELAYS_MS[:count])
        else:
            delay = _BUSY_DELAYS_MS[-1]
            prior = sum(_BUSY_DELAYS_MS) + delay * (count - len(_BUSY_DELAYS_MS))
        if prior + delay > timeout_ms:
            delay = timeout_ms - prior
            if delay <= 0:
                return False
        time.sleep(delay / 1000)
        return True

    return handler


class Page:
    """One cached page.  ``data`` is the whole page image."""

    __slots__ = ("pgno", "data", "dirty", "parsed", "sp_gen")

    # (No reference count: the pager asks sys.getrefcount whether anything
    # besides the cache holds a page before it evicts it.)

    def __init__(self, pgno: int, data: bytearray) -> None:
        self.pgno = pgno
        self.data = data
        self.dirty = False
        self.parsed: object = None  # the btree layer's parsed view of the page
        # Pager.sp_gen when make_writable last saw the page, dirty and held
        # by every open savepoint (see there).
        self.sp_gen = -1


class Pager:
    """Page cache, locks, journal and freelist of one database file.

    SQLite's Pager object plus the freelist half of BtShared.  Lock levels
    follow the transaction: ``begin_read`` SHARED, ``begin_write`` RESERVED,
    ``commit`` PENDING then EXCLUSIVE while the database file is written,
    then none.  ``page_count`` is the database size in pages as the current
    transaction sees it.
    """

    def __init__(self, backend: Backend, path: str, file: File, *, readonly: bool,
                 memory: bool, cache_size: int) -> None:
        self.backend = backend
        self.path = path
        self.file = file
        self.readonly = readonly
        self.memory = memory
        self.cache_limit = cache_size      # evict when the cache reaches this
        self.cache_size = cache_size
        self.journal_path = path + "-journal"
        self.cache: dict[int, Page] = {}
        self.pending: dict[int, Completion] = {}
        self.page_size = 4096
        self.usable_size = 4096
        self.page_count = 0
        self.max_page_count = DEFAULT_MAX_PAGE_COUNT   # PRAGMA max_page_count
        self.text_encoding = "utf-8"
        self._seen_header: tuple[bytes, DatabaseHeader, int] | None = None
        self.lock_level = NO_LOCK
        self.in_write = False
        self.originals: dict[int, bytes] = {}   # images before this transaction
        self.orig_page_count = 0
        # The page size when the write transaction began: the journal's
        # (VACUUM may change the database's, see change_page_size).
        self.orig_page_size = 4096
        self.savepoints: list[tuple[dict[int, bytes], int]] = []
        # Moves on whenever a page may stop being held by every open
        # savepoint (one opens, one is rolled back to): a dirty page whose
        # sp_gen is this one needs nothing more from make_writable.
        self.sp_gen = 0
        self.change_counter = -1
        # PRAGMA data_version: counts the changes other connections made
        # that this one has seen (a new change counter at a read's start).
        self.data_version = 1
        # Asked with the number of retries so far when a lock is busy;
        # True means try again (SQLite's busy handler).
        self.busy_handler: Callable[[int], bool] | None = None
        self.journal_file: File | None = None
        # PRAGMA synchronous: 0 OFF (no syncs), 1 NORMAL and 2 FULL (the
        # journal, its directory entry when new, then the database), 3
        # EXTRA (also the directory once the journal is deleted).
        self.sync_level = 2
        self.db_modified = False   # the database file was written in this commit

    @property
    def cache_size(self) -> int:
        """Pages kept in the cache (at least 10), as PRAGMA cache_size sets it."""
        return self._cache_size

    @cache_size.setter
    def cache_size(self, n: int) -> None:
        # A negative value is a size in KiB, as in PRAGMA cache_size.
        if n < 0:
            n = -n * 1024 // self.page_size if hasattr(self, "page_size") else -n // 4
        self._cache_size = max(n, 10)
        self.cache_limit = self._cache_size

    def set_max_page_count(self, n: int) -> int:
        """PRAGMA max_page_count = n: a positive ``n`` becomes the limit, never
        below the current size; returns the limit in force."""
        if n > 0:
            self.max_page_count = min(max(n, self.page_count), MAX_PAGE_COUNT)
        return self.max_page_count

    def set_page_size(self, n: int) -> None:
        """PRAGMA page_size = n: takes effect only while the database has no
        page yet (later, only VACUUM could change it); invalid sizes are
        ignored, as in SQLite."""
        if not valid_page_size(n) or self.page_count or self.in_write:
            return
        self.page_size = self.usable_size = n
        self._reset_cache()

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
        if not valid_page_size(page_size):
            page_size = 4096
        file = backend.open(path, create=not readonly, readonly=readonly)
        # A file the backend could only open read-only makes the pager read-only.
        readonly = readonly or bool(getattr(file, "readonly", False))
        pager = cls(backend, path, file, readonly=readonly, memory=memory,
                    cache_size=max(cache_size, 10))
        pager.page_size = page_size
        pager.usable_size = page_size
        try:
            pager.read_header(first=True)
        except BaseException:
            file.close()
            raise
        return pager

    def read_header(self, first: bool = False) -> None:
        """Refresh page size, page count and encoding from the file's header.

        When the file change counter differs from the one seen last, another
        connection has written the file: the cache is discarded.
        """
        c = self.file.read(0, HEADER_SIZE)
        if c.done and c.error is None:
            raw = c.result      # (a synchronous backend's read: every statement's)
        else:
            c.wait()
            raw = c.value()
        seen = self._seen_header
        if seen is not None and seen[0] == raw:
            header = seen[1]     # unchanged since the last read: parsed already
            if header.change_counter == self.change_counter \
                    and header.page_size == self.page_size and header.read_version != 2:
                # Nobody wrote the file since (every writer changes the
                # counter): the size found then still holds.
                self.page_count = seen[2]
                return
        else:
            header = None
        size = self.file.size()
        if size == 0:
            self.page_count = 0
            if not first:
                self._reset_cache()
            self.change_counter = 0     # an empty file: any later header is news
            self._seen_header = None
            return
        if header is None:
            header = DatabaseHeader.parse(raw)
        if header.read_version == 2 and not self.memory and \
                self.backend.exists(self.path + "-wal"):
            # A WAL-mode database with a live write-ahead log: its latest
            # pages are in the -wal file, which Pyrite does not read.
            raise_error(SQLITE_CANTOPEN)
        if header.page_size != self.page_size:
            self._reset_cache()
        self.page_size = header.page_size
        self.usable_size = header.usable_size
        self.text_encoding = header.encoding_name
        self.page_count = header.page_count(size)
        self._seen_header = (bytes(raw), header, self.page_count)
        if header.change_counter != self.change_counter:
            self._reset_cache()
            if self.change_counter != -1:
                self.data_version += 1
            self.change_counter = header.change_counter

    def _reset_cache(self) -> None:
        self.cache.clear()
        self.pending.clear()

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
            if not self.memory and self._has_hot_journal():
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
        self.sp_gen += 1
        self.orig_page_size = self.page_size
        if self.page_count == 0:
            # A new database: page 1 appears with the first write transaction
            # (with the reserved bytes of a usable size set below the page
            # size: VACUUM's copy of such a file).
            page = Page(1, new_database_page1(self.page_size, self.page_size - self.usable_size))
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
            if pgno == 1:
                # An empty file reads as an empty database (not cached: the
                # first write transaction creates the real page 1).
                return Page(1, new_database_page1(self.page_size))
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
        if len(self.cache) >= self.cache_limit:
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
        """Drop clean pages, oldest loaded first, down to 3/4 of cache_size.

        Dirty pages stay until the transaction ends; so do pages that
        something besides the cache still references (a cursor's path), as
        SQLite keeps pages whose reference count is non-zero.  When too few
        pages can go, the limit is raised until the end of the transaction.
        """
        cache = self.cache
        target = max(self.cache_size * 3 // 4, 1)
        excess = len(cache) - target
        victims: list[int] = []
        getrefcount = sys.getrefcount
        for pgno in list(cache):
            if len(victims) >= excess:
                break
            page = cache[pgno]
            # References: the cache, ``page`` here, getrefcount's argument.
            if page.dirty or pgno == 1 or getrefcount(page) > 3:
                continue
            victims.append(pgno)
        for pgno in victims:
            del cache[pgno]
        if len(cache) >= self.cache_size:
            self.cache_limit = len(cache) + max(self.cache_size // 4, 16)
        else:
            self.cache_limit = self.cache_size

    def make_writable(self, page: Page) -> None:
        """Record the page's original image (journal, savepoints); mark it dirty."""
        if page.sp_gen == self.sp_gen and page.dirty and self.in_write:
            # Journaled, and in every open savepoint (the usual second and
            # later writes of a page in a statement).
            page.parsed = None
            return
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
            if pgno not in self.cache:
                # An evicted page still held by a cursor comes back into the
                # cache, so that its changes are written at commit.
                self.cache[pgno] = page
            if pgno not in self.originals:
                self.originals[pgno] = bytes(page.data) if pgno <= self.orig_page_count else b""
            page.dirty = True
        page.parsed = None
        page.sp_gen = self.sp_gen

    def write_image(self, pgno: int, image: bytes) -> None:
        """Overwrite page ``pgno`` with ``image`` inside the write transaction,
        growing the database when it lies past the end (VACUUM, backup)."""
        if pgno <= self.page_count:
            page = self.get_page_sync(pgno)
        else:
            page = self.cache.get(pgno) or Page(pgno, bytearray(self.page_size))
            self.cache[pgno] = page
        self.make_writable(page)
        page.data[:] = image

    def change_page_size(self, page_size: int) -> None:
        """Start the database over with pages of ``page_size`` bytes (the
        same reserved bytes at their end) inside the write transaction:
        VACUUM's rebuild with a new PRAGMA page_size, which then writes every
        page (write_image) and sets the page count (truncate_to).  Every
        page is journaled first, at the old size, so that a rollback (or a
        hot journal's playback) restores the file whole."""
        for pgno in range(1, self.page_count + 1):
            self.make_writable(self.get_page_sync(pgno))
        self._reset_cache()
        self.usable_size += page_size - self.page_size
        self.page_size = page_size
        self.page_count = 0

    def truncate_to(self, n: int) -> None:
        """The database ends at page ``n`` after this transaction (the
        pages after it are dropped from the cache; commit truncates the file)."""
        for pgno in [p for p in self.cache if p > n]:
            del self.cache[pgno]
        self.page_count = n

    def allocate_page(self) -> Page:
        """A writable page from the freelist, or a new page at the end of the file."""
        p1 = self.get_page_sync(1)
        nfree = _U32.unpack_from(p1.data, OFFSET_FREELIST_COUNT)[0]
        trunk_no = _U32.unpack_from(p1.data, OFFSET_FREELIST_TRUNK)[0]
        if nfree and trunk_no:
            if trunk_no > self.page_count:
                raise_error(SQLITE_CORRUPT)
            trunk = self.get_page_sync(trunk_no)
            nleaf = _U32.unpack_from(trunk.data, 4)[0]
            if nleaf > (self.usable_size // 4) - 2:
                raise_error(SQLITE_CORRUPT)
            self.make_writable(p1)
            _U32.pack_into(p1.data, OFFSET_FREELIST_COUNT, nfree - 1)
            if nleaf:
                leaf_no = _U32.unpack_from(trunk.data, 8 + 4 * (nleaf - 1))[0]
                if leaf_no < 2 or leaf_no > self.page_count:
                    raise_error(SQLITE_CORRUPT)
                self.make_writable(trunk)
                _U32.pack_into(trunk.data, 4, nleaf - 1)
                page = self.get_page_sync(leaf_no)
            else:
                _U32.pack_into(p1.data, OFFSET_FREELIST_TRUNK, _U32.unpack_from(trunk.data, 0)[0])
                page = trunk
            self.make_writable(page)
            page.data[:] = bytes(self.page_size)
            return page
        pgno = self.page_count + 1
        if pgno == PENDING_BYTE // self.page_size + 1:
            pgno += 1
        if pgno > min(MAX_PAGE_COUNT, self.max_page_count):
            raise_error(SQLITE_FULL)
        self.page_count = pgno
        page = Page(pgno, bytearray(self.page_size))
        self.cache[pgno] = page
        self.make_writable(page)
        return page

    def free_page(self, pgno: int) -> None:
        """Put ``pgno`` on the freelist.

        Freelist layout (fileformat2 section 1.5): the header names the first
        trunk page (offset 32) and counts all free pages (offset 36).  A trunk
        page holds the next trunk's number (u32 at 0), its leaf count (u32 at
        4) and the leaf page numbers from offset 8.  A freed page becomes a
        leaf of the first trunk while that has room, else the new first trunk.
        """
        if pgno < 2 or pgno > self.page_count:
            raise_error(SQLITE_CORRUPT)
        p1 = self.get_page_sync(1)
        self.make_writable(p1)
        nfree = _U32.unpack_from(p1.data, OFFSET_FREELIST_COUNT)[0]
        trunk_no = _U32.unpack_from(p1.data, OFFSET_FREELIST_TRUNK)[0]
        _U32.pack_into(p1.data, OFFSET_FREELIST_COUNT, nfree + 1)
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
        _U32.pack_into(p1.data, OFFSET_FREELIST_TRUNK, pgno)

    def freelist_pages(self) -> list[int]:
        """Every page on the freelist (trunks and leaves), for integrity checks."""
        p1 = self.get_page_sync(1)
        out: list[int] = []
        trunk_no = _U32.unpack_from(p1.data, OFFSET_FREELIST_TRUNK)[0]
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
        """The header u32 at offset 36 + 4*idx (1: schema cookie, 6: user version...);
        slot 15 is no header field but the data version (BTREE_DATA_VERSION)."""
        if idx == 15:
            return self.data_version
        if self.page_count == 0:
            return 0 if idx != 2 else 4
        return _U32.unpack_from(self.get_page(1).data, meta_offset(idx))[0]

    def schema_cookie(self) -> int:
        """get_meta(1), read straight from page 1 when it is cached (every
        statement's Transaction compares it with its program's)."""
        page = self.cache.get(1)
        if page is None or not self.page_count:
            return self.get_meta(1)
        return _U32.unpack_from(page.data, _SCHEMA_COOKIE_OFFSET)[0]  # type: ignore[no-any-return]

    def set_meta(self, idx: int, value: int) -> None:
        page = self.get_page_sync(1)
        self.make_writable(page)
        _U32.pack_into(page.data, meta_offset(idx), value & 0xFFFFFFFF)

    # -- savepoints -------------------------------------------------------

    def savepoint(self, n: int) -> None:
        """Open savepoints up to depth ``n`` (0-based index n-1 is the newest)."""
        while len(self.savepoints) < n:
            self.savepoints.append(({}, self.page_count))
            self.sp_gen += 1

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
        self.sp_gen += 1

    # -- commit and rollback ------------------------------------------------

    def commit(self) -> None:
        """Make the transaction durable and drop to no lock.

        The journal is written and synced first; then, holding EXCLUSIVE,
        the dirty pages are written and the file synced; deleting the
        journal commits.  If anything fails after the database file was
        touched, the journal is played back (or left hot for the next
        opener when even that fails).
        """
        if not self.in_write:
            self.end_read()
            return
        dirty = [p for p in self.cache.values() if p.dirty]
        if not dirty:
            self._end_transaction()
            return
        p1 = self.get_page_sync(1)
        self.make_writable(p1)
        counter = (_U32.unpack_from(p1.data, OFFSET_CHANGE_COUNTER)[0] + 1) & 0xFFFFFFFF
        _U32.pack_into(p1.data, OFFSET_CHANGE_COUNTER, counter)
        _U32.pack_into(p1.data, OFFSET_DATABASE_SIZE, self.page_count)
        _U32.pack_into(p1.data, OFFSET_VERSION_VALID_FOR, counter)
        _U32.pack_into(p1.data, OFFSET_VERSION_NUMBER, SQLITE_VERSION_NUMBER)
        if p1 not in dirty:
            dirty.append(p1)
        if not self.memory:
            self._write_journal()
        self._lock(EXCLUSIVE_LOCK)
        ps = self.page_size
        self.db_modified = True
        try:
            for page in sorted(dirty, key=lambda p: p.pgno):
                if page.pgno <= self.page_count:
                    self.file.write((page.pgno - 1) * ps, bytes(page.data))
            if self.file.size() > self.page_count * ps:
                self.file.truncate(self.page_count * ps)
            if not self.memory and self.sync_level:
                self.file.sync()
            self._finalize_journal()
        except BaseException:
            self.rollback()
            raise
        for page in dirty:
            page.dirty = False
        del dirty, page, p1        # so that eviction sees only the cache's references
        self.db_modified = False
        self.change_counter = counter
        self._end_transaction()

    def _write_journal(self) -> None:
        """Write the original images of this transaction's pages and sync."""
        jf = self.journal_file
        created = jf is None
        if created:
            # (A commit retried after SQLITE_BUSY rewrites the open journal.)
            jf = self.journal_file = self.backend.open(self.journal_path, create=True)
        writer = _journal.JournalWriter(jf, self.orig_page_size, self.orig_page_count)
        writer.write_all([(pgno, image) for pgno, image in sorted(self.originals.items())
                          if image and pgno <= self.orig_page_count], sync=self.sync_level > 0)
        if created and self.sync_level:
            # A journal that a power loss could unlink is no journal: its
            # directory entry is made durable before the database is written.
            self._sync_directory(self.journal_path)

    def _sync_directory(self, path: str) -> None:
        sync = getattr(self.backend, "sync_directory", None)   # (older backends lack it)
        if sync is not None:
            sync(path)

    def _finalize_journal(self) -> None:
        """Close and delete the journal: the commit point (journal_mode=DELETE)."""
        jf = self.journal_file
        if jf is not None:
            self.journal_file = None
            jf.close()
            self.backend.delete(self.journal_path)
            if self.sync_level >= 3:
                self._sync_directory(self.journal_path)   # the commit itself, durable

    def rollback(self) -> None:
        """Abandon the write transaction, restoring every changed page.

        When the database file was already written (a commit failed half
        way), the journal is played back into it.
        """
        if self.in_write:
            if self.db_modified and self.journal_file is not None:
                try:
                    _journal.playback(self.journal_file, self.file)
                except BaseException:
                    # Leave the journal hot for the next opener to recover.
                    jf, self.journal_file = self.journal_file, None
                    try:
                        jf.close()
                    except Exception:
                        pass
                    self._restore_page_size()
                    self._reset_cache()
                    self._end_transaction()
                    raise
            elif self.db_modified and self.memory:
                self._restore_memory_file()
            self.db_modified = False
            self._finalize_journal()
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
            self._restore_page_size()
            if self.page_count == 0:
                self._reset_cache()
        self._end_transaction()

    def _restore_page_size(self) -> None:
        """Back to the page size the transaction began with, when VACUUM
        changed it (change_page_size): the cached pages have the new size."""
        if self.page_size != self.orig_page_size:
            self.usable_size -= self.page_size - self.orig_page_size
            self.page_size = self.orig_page_size
            self._reset_cache()

    def _restore_memory_file(self) -> None:
        ps = self.orig_page_size
        for pgno, image in self.originals.items():
            if image and pgno <= self.orig_page_count:
                self.file.write((pgno - 1) * ps, image)
        self.file.truncate(self.orig_page_count * ps)

    def _end_transaction(self) -> None:
        self.in_write = False
        self.originals = {}
        self.savepoints = []
        self.sp_gen += 1
        if self.lock_level > NO_LOCK:
            self.file.unlock(NO_LOCK)
        self.lock_level = NO_LOCK
        self.cache_limit = self.cache_size
        if len(self.cache) > self.cache_size:
            self._evict()

    # -- hot journal --------------------------------------------------------

    def _has_hot_journal(self) -> bool:
        """A journal exists, nobody holds RESERVED, and it has a valid header."""
        if not self.backend.exists(self.journal_path):
            return False
        if self.file.check_reserved_lock():
            return False
        if self.file.size() == 0:
            # SQLite deletes a journal left next to an empty database.
            if self.file.lock(EXCLUSIVE_LOCK):
                self.backend.delete(self.journal_path)
                self.file.unlock(SHARED_LOCK)
            return False
        jf = self.backend.open(self.journal_path, create=False)
        try:
            return _journal.journal_is_valid(jf)
        finally:
            jf.close()

    def _recover_hot_journal(self) -> None:
        """Play back a journal left by a writer that died (we hold SHARED)."""
        if self.readonly:
            raise_error(SQLITE_READONLY, "attempt to write a readonly database")
        if not self.file.lock(EXCLUSIVE_LOCK):
            raise_error(SQLITE_BUSY)
        self.lock_level = EXCLUSIVE_LOCK
        try:
            # Another connection may have recovered it while we waited.
            if self.backend.exists(self.journal_path):
                jf = self.backend.open(self.journal_path, create=False)
                try:
                    _journal.playback(jf, self.file)
                finally:
                    jf.close()
                self.backend.delete(self.journal_path)
        finally:
            self.file.unlock(SHARED_LOCK)
            self.lock_level = SHARED_LOCK
        self._reset_cache()
        self.change_counter = -1

    def close(self) -> None:
        """Roll back an open write transaction, release the locks, close the file."""
        try:
            if self.in_write:
                self.rollback()
        finally:
            if self.journal_file is not None:
                self.journal_file.close()
                self.journal_file = None
            self.file.close()
            self._reset_cache()

