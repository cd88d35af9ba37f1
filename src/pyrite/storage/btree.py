"""Storage layer: B-trees in SQLite's file format (SQLite's ``btree.c``).

Table B-trees (integer keys, data in the leaves) and index B-trees (record
keys, entries in interior pages too), with overflow chains, cursors, page
splits on insert and the removal of emptied pages on delete.

Page layout (file format section 1.6): a header of 8 bytes (leaves) or 12
bytes (interior pages, with the right-most child pointer at offset 8) that
starts at offset 100 on page 1; the cell pointer array; the cell content area
growing down from the end of the usable space.

    offset  size  field
    0       1     page type: 2 index interior, 5 table interior, 10 index leaf, 13 table leaf
    1       2     first freeblock (0: none)
    3       2     number of cells
    5       2     start of the cell content area (0 means 65536)
    7       1     fragmented free bytes
    8       4     right-most child (interior pages only)

Inserting or deleting one cell patches the page in place (a deleted cell's
bytes become a freeblock, as in SQLite); any larger change, or an insert
that finds no room in the gap, rewrites the page whole from its list of
cells, which compacts it.  Splits partition the cells greedily into pages that fit and
push dividers into the parent, repeating up to the root, whose page number
never changes (the root's content moves into a new child when it overflows).

Cursors keep the path from the root as a stack of ``[page, info, index]``.
They compute a new position before assigning it, so a read that raises
IOPending leaves the cursor where it was.  A write to a tree saves the
position (the key) of every other cursor on it; a saved cursor seeks back
lazily, as SQLite's saveAllCursors/restoreCursorPosition do.  The writing
cursor itself stays on the entry it wrote when no page moved, and a seek
first tries the leaf the cursor is on (keys within it, or past the end of
the right-most leaf): sorted inserts and an insert after a unique check's
seek do not descend from the root (SQLite's cursorOnLastPage and reuse of
the seek result).

Index seeks under a plain KeyInfo (BINARY, ascending) bisect a per-page list
of sort_key() tuples, compared in C, instead of comparing records field by
field in Python; the list lives in the page's parsed view next to the
decoded records and is kept up to date by the in-place edits.
"""

from __future__ import annotations

import struct
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Sequence
from itertools import accumulate, islice
from operator import itemgetter
from typing import Any

from pyrite.errors import SQLITE_CORRUPT, corrupt, raise_error
from pyrite.storage.pager import Page, Pager
from pyrite.storage.record import decode_cells, decode_record, get_varint, put_varint
from pyrite.values import BINARY, KeyInfo, compare_keys
from pyrite.values import compare as compare_values

INTKEY = 1
INDEX = 2

PTYPE_INDEX_INTERIOR = 2
PTYPE_TABLE_INTERIOR = 5
PTYPE_INDEX_LEAF = 10
PTYPE_TABLE_LEAF = 13

_U32 = struct.Struct(">I")
_U16 = struct.Struct(">H")
_U16X2 = struct.Struct(">HH")
_unpack_u32 = _U32.unpack_from
_unpack_u16 = _U16.unpack_from

# Cursor states.
_INVALID = 0
_VALID = 1
_SAVED = 2


class PageInfo:
    """The parsed header and cell pointers of a B-tree page."""

    __slots__ = ("ptype", "leaf", "intkey", "hdr", "ncell", "ptrs", "right", "keys", "records",
                 "sort_keys", "free", "free_sizes", "nfree")

    def __init__(self, page: Page) -> None:
        data = page.data
        hdr = 100 if page.pgno == 1 else 0
        if len(data) < hdr + 8:
            corrupt()
        ptype = data[hdr]
        if ptype == PTYPE_TABLE_LEAF:
            self.leaf, self.intkey = True, True
        elif ptype == PTYPE_TABLE_INTERIOR:
            self.leaf, self.intkey = False, True
        elif ptype == PTYPE_INDEX_LEAF:
            self.leaf, self.intkey = True, False
        elif ptype == PTYPE_INDEX_INTERIOR:
            self.leaf, self.intkey = False, False
        else:
            corrupt("bad page type")
        self.ptype = ptype
        self.hdr = hdr
        ncell = _unpack_u16(data, hdr + 3)[0]
        size = 8 if self.leaf else 12
        start = hdr + size
        if start + 2 * ncell > len(data):
            corrupt()
        self.ncell = ncell
        # (a list: the in-place edits insert and delete pointers)
        self.ptrs: list[int] = list(struct.unpack_from(f">{ncell}H", data, start)) if ncell else []
        if ncell and (min(self.ptrs) < start + 2 * ncell or max(self.ptrs) > len(data) - 4):
            corrupt("cell pointer out of range")
        self.right = 0 if self.leaf else _unpack_u32(data, hdr + 8)[0]
        self.keys: list[int] | None = None
        self.records: list[Any] | None = None
        # Index pages: each cell's record as a sort_key() tuple (see there).
        self.sort_keys: list[tuple] | None = None
        # The freeblocks' offsets in order and the free bytes outside the
        # gap (freeblocks and fragments), read once when a cell is first
        # deleted in place and kept up to date by the in-place edits.
        self.free: list[int] | None = None
        self.free_sizes: list[int] | None = None   # (each freeblock's size, aligned)
        self.nfree = 0


# The rank of a value's storage class in SQLite's order: NULL, numbers, text, blobs.
_CLASS_RANK = {type(None): 0, int: 1, float: 1, bool: 1, str: 2, bytes: 3, bytearray: 3}
# The one-byte varints 0..127 (a small payload size or rowid in a cell).
_VARINT1 = [bytes((i,)) for i in range(0x80)]
_PLUS_POINTER = (2).__add__     # a cell's size with its 2-byte pointer
MAX_ROWID = (1 << 63) - 1


def _rowid_varint(cell: bytes) -> bytes:
    """The rowid varint of a table leaf cell (after its payload size)."""
    pos = 0
    while cell[pos] >= 0x80 and pos < 8:
        pos += 1
    start = pos = pos + 1
    while cell[pos] >= 0x80 and pos - start < 8:
        pos += 1
    return bytes(cell[start:pos + 1])


# Sorts after every field of a sort_key(): ends a search key whose ties sort low.
_AFTER_ALL = (4,)


def sort_key(rec: Sequence[Any]) -> tuple:
    """A tuple ordered as the record under a plain KeyInfo (BINARY,
    ascending fields): class rank and value for each field, one after the
    other, which Python compares in C.  Ints and floats compare exactly,
    as SQLite's numbers do; str order is code point order, that is the
    byte order of UTF-8.  A shorter tuple that is a prefix of a longer one
    sorts first.  KeyError for a value of another type.  The pairs are
    laid flat (rank, value, rank, value, ...), not nested: a bisect over a
    page's keys compares each element once instead of comparing pairs for
    equality and again for order (half the time).  (Records of one to
    three fields without NULLs, a seek's key or an index entry, are built
    without a loop.)"""
    rank = _CLASS_RANK
    n = len(rec)
    if n == 1:
        v = rec[0]
        return (0, 0) if v is None else (rank[type(v)], v)
    if n == 2:
        v, w = rec
        if v is not None and w is not None:
            return (rank[type(v)], v, rank[type(w)], w)
    elif n == 3:
        v, w, x = rec
        if v is not None and w is not None and x is not None:
            return (rank[type(v)], v, rank[type(w)], w, rank[type(x)], x)
    out: list[Any] = []
    for v in rec:
        if v is None:
            out += (0, 0)
        else:
            out += (rank[type(v)], v)
    return tuple(out)


class _DescText(str):
    """Text in a DESC field of a sort key: ordered in reverse by str's own
    comparisons, in C (a text before its extensions ascending comes after
    them, "abc" before "ab"); a copy of the text, where a tuple of negated
    code points took seven times as long to build."""

    __slots__ = ()
    __lt__ = str.__gt__
    __le__ = str.__ge__
    __gt__ = str.__lt__
    __ge__ = str.__le__


class _DescBlob(bytes):
    """A blob in a DESC field of a sort key (as _DescText)."""

    __slots__ = ()
    __lt__ = bytes.__gt__
    __le__ = bytes.__ge__
    __gt__ = bytes.__lt__
    __ge__ = bytes.__le__


def _desc_field(v: Any) -> tuple:
    """A field's place in a sort_key() for a DESC column: the classes in
    reverse (blobs, text, numbers, NULL) and the values within each
    reversed -- numbers negated, text and blobs wrapped in classes whose
    comparisons are reversed."""
    if v is None:
        return (3, 0)
    t = type(v)
    if t is int or t is float or t is bool:
        return (2, -v)
    if t is str:
        return (1, _DescText(v))
    if t is bytes or t is bytearray:
        return (0, _DescBlob(v))
    raise KeyError(t)


def desc_sort_key(rec: Sequence[Any], desc: Sequence[bool]) -> tuple:
    """sort_key() for a KeyInfo with BINARY fields some of which are DESC
    (``desc``; fields past it, the rowid, are ascending)."""
    rank = _CLASS_RANK
    n = len(desc)
    out: list[Any] = []
    for i, v in enumerate(rec):
        if i < n and desc[i]:
            out += _desc_field(v)
        elif v is None:
            out += (0, 0)
        else:
            out += (rank[type(v)], v)
    return tuple(out)


def key_function(key_info: Any) -> Any:
    """The sort-key function of an index with ``key_info`` (sort_key, or
    desc_sort_key with its DESC flags), or None when its order needs
    compare_keys (a collation other than BINARY, NULLS LAST)."""
    if type(key_info) is not KeyInfo:
        return None
    if key_info._plain:
        return sort_key
    if any(key_info.bignull) or not all(c is None or c is BINARY for c in key_info.collations):
        return None
    desc = key_info.desc
    if desc[0] and not any(desc[1:]):
        return _first_desc_key(desc)
    return lambda rec: desc_sort_key(rec, desc)


def _first_desc_key(desc: Sequence[bool]) -> Any:
    """desc_sort_key for an index whose first column alone is DESC (the
    usual ``ON t(c DESC)``): its entries (the column, the rowid) and seek
    keys (the column) are built without a loop."""
    rank = _CLASS_RANK

    def key(rec: Sequence[Any]) -> tuple:
        n = len(rec)
        if n == 2:
            v, w = rec
            if w is not None:
                return (*_desc_field(v), rank[type(w)], w)
        elif n == 1:
            return _desc_field(rec[0])
        return desc_sort_key(rec, desc)
    return key


def page_info(page: Page) -> PageInfo:
    info = page.parsed
    if info is None:
        info = page.parsed = PageInfo(page)
    return info  # type: ignore[return-value]


class BTree:
    """The B-trees of one database file (SQLite's Btree/BtShared)."""

    # Pages whose decoded records are kept (see track_decoded).
    DECODED_PAGES = 128

    def __init__(self, pager: Pager) -> None:
        self.pager = pager
        # The open cursors of each tree (by root page), whose positions a
        # write to that tree saves (_save_cursors).
        self.cursors: dict[int, list[BTreeCursor]] = {}
        self.decoded: deque[PageInfo] = deque()
        # Leaf splits done by _balance_quick (tests check the path is taken).
        self.quick_balances = 0

    def track_decoded(self, info: PageInfo) -> None:
        """Note a page that started caching decoded records; the oldest such
        pages drop theirs, so that decoded rows (several times the size of
        their pages) take a bounded share of memory next to the page cache."""
        decoded = self.decoded
        decoded.append(info)
        if len(decoded) > self.DECODED_PAGES:
            old = decoded.popleft()
            old.records = old.sort_keys = None

    @classmethod
    def ephemeral(cls) -> BTree:
        """An in-memory B-tree file for temporary tables and sorters."""
        pager = Pager.open(None, ":memory:")
        pager.begin_write()
        return cls(pager)

    # -- payload geometry ---------------------------------------------------

    def _local_size(self, size: int, intkey_leaf: bool) -> int:
        """How many payload bytes stay in the cell (the rest overflows)."""
        u = self.pager.usable_size
        x = u - 35 if intkey_leaf else ((u - 12) * 64 // 255) - 23
        if size <= x:
            return size
        m = ((u - 12) * 32 // 255) - 23
        k = m + ((size - m) % (u - 4))
        return k if k <= x else m

    # -- trees ----------------------------------------------------------------

    def create_table(self, flags: int) -> int:
        page = self.pager.allocate_page()
        self._write_page(page, PTYPE_TABLE_LEAF if flags & INTKEY else PTYPE_INDEX_LEAF, [], 0)
        return page.pgno

    def drop_table(self, root: int) -> None:
        self._save_cursors(root, None)
        self._free_tree(root, keep_root=False)

    def clear_table(self, root: int) -> int:
        self._save_cursors(root, None)
        page = self.pager.get_page_sync(root)
        info = page_info(page)
        n = self._count(root)
        ptype = PTYPE_TABLE_LEAF if info.intkey else PTYPE_INDEX_LEAF
        self._free_tree(root, keep_root=True)
        self._write_page(page, ptype, [], 0)
        return n

    def _free_tree(self, pgno: int, keep_root: bool) -> None:
        stack = [(pgno, True)]
        seen = 0
        limit = self.pager.page_count
        while stack:
            no, is_root = stack.pop()
            seen += 1
            if seen > limit + 1:
                corrupt("cycle")
            page = self.pager.get_page_sync(no)
            info = page_info(page)
            if not info.leaf:
                data = page.data
                stack.extend([(_unpack_u32(data, p)[0], False) for p in info.ptrs])
            # (only cells whose payload may overflow are looked at)
            for i in self._cells_with_overflow(page, info):
                ovfl = self._cell_overflow(page, info, i)
                if ovfl:
                    self._free_overflow(ovfl)
            if not info.leaf:
                stack.append((info.right, False))
            if not (is_root and keep_root):
                self.pager.free_page(no)

    def _count(self, root: int) -> int:
        n = 0
        stack = [root]
        seen = 0
        while stack:
            seen += 1
            if seen > self.pager.page_count + 1:
                corrupt("cycle")
            page = self.pager.get_page_sync(stack.pop())
            info = page_info(page)
            if info.leaf:
                n += info.ncell
            else:
                if not info.intkey:
                    n += info.ncell
                stack.extend(_unpack_u32(page.data, p)[0] for p in info.ptrs)
                stack.append(info.right)
        return n

    def cursor(self, root: int, *, write: bool = False, key_info: Any = None) -> BTreeCursor:
        c = BTreeCursor(self, root, write, key_info)
        self._register(c)
        return c

    def _register(self, c: BTreeCursor) -> None:
        """List ``c`` among its tree's open cursors (see _save_cursors)."""
        on_tree = self.cursors.get(c.root)
        if on_tree is None:
            self.cursors[c.root] = [c]
        else:
            on_tree.append(c)

    def _save_cursors(self, root: int, except_cursor: BTreeCursor | None) -> None:
        on_tree = self.cursors.get(root)
        if on_tree is None or (len(on_tree) == 1 and on_tree[0] is except_cursor):
            return
        for c in on_tree:
            if c is not except_cursor:
                c.hint = None         # (the tree changes under it: see delete())
                if c.state == _VALID:
                    c._save()

    # -- cells ------------------------------------------------------------------

    def _cell_overflow(self, page: Page, info: PageInfo, i: int) -> int:
        """First overflow page of cell i, or 0."""
        data = page.data
        pos = info.ptrs[i]
        if info.intkey and not info.leaf:
            return 0
        if not info.leaf:
            pos += 4
        size, pos = get_varint(data, pos)
        if info.intkey:
            _, pos = get_varint(data, pos)
        local = self._local_size(size, info.intkey and info.leaf)
        if local < size:
            return _unpack_u32(data, pos + local)[0]
        return 0

    def _cell_end(self, data: bytearray, info: PageInfo, start: int) -> int:
        """Offset just past the cell at ``start`` (local part, with any
        overflow pointer; at least 4 bytes, SQLite's minimum cell size)."""
        pos = start
        if not info.leaf:
            pos += 4
            if info.intkey:
                _, pos = get_varint(data, pos)
                return pos if pos >= start + 4 else start + 4
        b = data[pos]
        if b < 0x80:
            size = b
            pos += 1
        else:
            size, pos = get_varint(data, pos)
        if info.intkey:
            if data[pos] < 0x80:
                pos += 1
            else:
                _, pos = get_varint(data, pos)
        local = self._local_size(size, info.intkey and info.leaf)
        end = pos + local + (4 if local < size else 0)
        if end < start + 4:
            end = start + 4  # cells occupy at least 4 bytes (SQLite's minimum)
        if end > len(data):
            corrupt()
        return end

    def _cell_bytes(self, page: Page, info: PageInfo, i: int) -> bytes:
        """The raw bytes of cell i (local part, with any overflow pointer)."""
        data = page.data
        start = info.ptrs[i]
        return bytes(data[start:self._cell_end(data, info, start)])

    # -- editing a page in place ------------------------------------------------
    #
    # Inserting or deleting one cell patches the page instead of rewriting it
    # from its cell list: the cost no longer grows with the number of cells
    # (an index leaf holds hundreds).  A new cell goes just below the content
    # area.  A deleted cell's bytes join the free space as SQLite's dropCell
    # leaves them: the content area shrinks when the cell lies at its start,
    # else they become a freeblock, merged with adjacent freeblocks (closing
    # the hole instead would move every cell below it and rewrite their
    # pointers).  A page with no room in its gap takes the rewriting path,
    # which compacts it.

    def _content_start(self, data: bytearray, info: PageInfo) -> int:
        """The cell content area's start, or 0 when the header is implausible."""
        content = _unpack_u16(data, info.hdr + 5)[0] or 65536
        return content if content <= self.pager.usable_size else 0

    def _insert_cell_inplace(self, page: Page, info: PageInfo, pos: int, cell: bytes,
                             key: Any = None, skey: tuple | None = None,
                             row: list[Any] | None = None) -> bool:
        """Put ``cell`` at index ``pos`` of the page in a freeblock
        (_free_slot) or else in the gap between the pointer array and the
        content area; False when neither has room (nothing changed).  ``key``
        is the cell's rowid (table pages) or decoded record (index pages),
        kept in the page's parsed caches; ``skey`` its sort_key() when the
        caller has it; ``row`` a table leaf cell's decoded record when the
        caller has it (kept as record() would keep it)."""
        data = page.data
        hdr = info.hdr
        n = info.ncell
        ptr_end = hdr + (8 if info.leaf else 12) + 2 * n
        content = (data[hdr + 5] << 8 | data[hdr + 6]) or 65536
        if content < ptr_end + 2 or content > self.pager.usable_size:
            return False
        size = len(cell)
        # Freeblocks first, as SQLite's allocateSpace: the gap stays for
        # the pointer array.
        slot = self._free_slot(data, info, content, size) if data[hdr + 1] or data[hdr + 2] else -1
        if slot < 0:
            new = content - size
            if new < ptr_end + 2:
                return False
            self.pager.make_writable(page)
            data[new:content] = cell
            _U16.pack_into(data, hdr + 5, new)
        else:
            self.pager.make_writable(page)
            new = self._take_free_slot(data, info, slot, size)
            data[new:new + size] = cell
        at = ptr_end - 2 * (n - pos)
        data[at + 2:ptr_end + 2] = data[at:ptr_end]
        _U16.pack_into(data, at, new)
        _U16.pack_into(data, hdr + 3, n + 1)
        info.ptrs.insert(pos, new)
        info.ncell = n + 1
        keys = info.keys
        if keys is not None:
            if key is not None and (info.leaf or info.intkey):
                keys.insert(pos, key)
            else:
                info.keys = None
        records = info.records
        if records is not None:
            records.insert(pos, row if info.intkey else key)
        sort_keys = info.sort_keys
        if sort_keys is not None:
            if key is not None and skey is not None:
                sort_keys.insert(pos, skey)
            else:
                info.sort_keys = None    # (built again by the next seek)
        page.parsed = info
        return True

    def _overwrite_cell_inplace(self, page: Page, info: PageInfo, i: int, cell: bytes,
                                key: Any = None, row: list[Any] | None = None) -> bool:
        """Replace cell ``i`` by a ``cell`` of the same size (an UPDATE that
        keeps the row's size, the usual case) where it lies; False when the
        sizes differ (nothing changed).  ``key`` and ``row`` are as for
        _insert_cell_inplace; the entry's key is unchanged."""
        start = info.ptrs[i]
        end = self._cell_end(page.data, info, start)
        if end - start != len(cell) or end > self.pager.usable_size:
            return False
        self.pager.make_writable(page)
        page.data[start:end] = cell
        if info.records is not None:
            info.records[i] = key if not info.intkey else row
        page.parsed = info
        return True

    def _resize_cell_inplace(self, page: Page, info: PageInfo, i: int, cell: bytes,
                             row: list[Any] | None) -> bool:
        """Replace cell ``i`` of a table leaf, whose payload is under 128
        bytes (all local), by ``cell`` (the same rowid, all local) of
        another size: the new cell goes in a freeblock or the gap
        (_free_slot), pointer ``i`` moves to it and the old cell's bytes
        become free space (_release).  One edit where a drop and an insert
        in place each moved the pointer array and the parsed lists (an
        UPDATE that grows or shrinks a row).  ``row`` as for
        _insert_cell_inplace.  False when the old cell is not of that kind
        or there is no room besides its own bytes (nothing changed: the
        caller drops it and inserts, or rewrites the page)."""
        data = page.data
        hdr = info.hdr
        usable = self.pager.usable_size
        start = info.ptrs[i]
        size = data[start]
        if size >= 0x80 or not info.intkey:
            return False
        p = start + 1
        stop = p + 8
        while data[p] >= 0x80 and p < stop:
            p += 1
        end = p + 1 + size
        if end < start + 4:
            end = start + 4
        content = (data[hdr + 5] << 8 | data[hdr + 6]) or 65536
        if start < content or end > usable or self._free_list(data, info, content) is None:
            return False
        need = len(cell)
        slot = self._free_slot(data, info, content, need) if info.free else -1
        if slot < 0:
            new = content - need
            if new < hdr + 8 + 2 * info.ncell:
                return False
            self.pager.make_writable(page)
            data[new:content] = cell
            _U16.pack_into(data, hdr + 5, new)
            content = new
        else:
            self.pager.make_writable(page)
            new = self._take_free_slot(data, info, slot, need)
            data[new:new + need] = cell
        _U16.pack_into(data, hdr + 8 + 2 * i, new)
        info.ptrs[i] = new
        if not self._release(page, info, content, start, end):
            corrupt()       # (the freeblock list was read above: cannot happen)
        if info.records is not None:
            info.records[i] = row
        page.parsed = info
        return True

    def _drop_cell_inplace(self, page: Page, info: PageInfo, i: int) -> bool:
        """Remove cell ``i`` (not its overflow chain): its pointer leaves the
        array and its bytes join the free space (_release), so that the
        cost does not grow with the number of cells.  False when the
        page's layout is odd (nothing changed; the caller rewrites it).
        The usual leaf cell -- its payload size in one varint byte, all of
        it local -- is measured inline (_cell_end): deletes run this once
        per index entry and row."""
        data = page.data
        hdr = info.hdr
        content = (data[hdr + 5] << 8 | data[hdr + 6]) or 65536
        start = info.ptrs[i]
        usable = self.pager.usable_size
        size = data[start]
        if info.leaf and size < 0x80 and (info.intkey or size <= ((usable - 12) * 64 // 255) - 23):
            if info.intkey:
                # (the rowid varint follows the size: at most 9 bytes)
                p = start + 1
                stop = p + 8
                while data[p] >= 0x80 and p < stop:
                    p += 1
                end = p + 1 + size
            else:
                end = start + 1 + size
            if end < start + 4:
                end = start + 4     # (cells take at least 4 bytes)
        else:
            end = self._cell_end(data, info, start)
        if start < content or end > usable:
            return False
        if not self._release(page, info, content, start, end):
            return False
        n = info.ncell - 1
        ptr_base = hdr + (8 if info.leaf else 12)
        at = ptr_base + 2 * i
        ptr_end = ptr_base + 2 * n
        data[at:ptr_end] = data[at + 2:ptr_end + 2]
        data[ptr_end:ptr_end + 2] = b"\x00\x00"
        _U16.pack_into(data, hdr + 3, n)
        del info.ptrs[i]
        info.ncell = n
        if info.keys is not None:
            del info.keys[i]
        if info.records is not None:
            del info.records[i]
        if info.sort_keys is not None:
            del info.sort_keys[i]
        page.parsed = info
        return True

    def _free_list(self, data: bytearray, info: PageInfo, content: int) -> list[int] | None:
        """The page's freeblock offsets (info.free, read from the page the
        first time), with their sizes (info.free_sizes) and info.nfree; None
        when the list is odd: out of order, closer than 4 bytes (SQLite's
        rule), outside the content area."""
        free = info.free
        if free is not None:
            return free
        hdr = info.hdr
        usable = self.pager.usable_size
        free = []
        sizes = []
        total = data[hdr + 7]
        fb = _unpack_u16(data, hdr + 1)[0]
        floor = content
        while fb:
            if fb < floor or fb + 4 > usable:
                return None
            size = _unpack_u16(data, fb + 2)[0]
            if size < 4 or fb + size > usable:
                return None
            free.append(fb)
            sizes.append(size)
            total += size
            floor = fb + size + 4
            fb = _unpack_u16(data, fb)[0]
        info.free = free
        info.free_sizes = sizes
        info.nfree = total
        return free

    def _release(self, page: Page, info: PageInfo, content: int, start: int, end: int) -> bool:
        """Make bytes ``start:end`` of a page (a cell leaving it) free space,
        as SQLite's freeSpace: merged with the freeblock just before or
        after them when no more than a fragment (under 4 bytes) lies
        between, the fragment bytes with them; given back to the gap when
        the merged block begins at the content area.  The page is made
        writable and info.free, info.free_sizes and info.nfree follow.
        False when the freeblock list is odd or overlaps the bytes
        (nothing changed)."""
        data = page.data
        free = info.free
        if free is None:
            free = self._free_list(data, info, content)
            if free is None:
                return False
        sizes = info.free_sizes
        assert sizes is not None
        hdr = info.hdr
        j = bisect_left(free, start)
        k = j
        block, block_end, frag = start, end, 0
        if j < len(free):
            nxt = free[j]
            if nxt < end:
                return False
            if nxt <= end + 3:
                frag = nxt - end
                block_end = nxt + sizes[j]
                k = j + 1
        if j:
            prev_end = free[j - 1] + sizes[j - 1]
            if prev_end > start:
                return False
            if prev_end + 3 >= start:
                frag += start - prev_end
                j -= 1
                block = free[j]
        if frag > data[hdr + 7]:
            return False
        self.pager.make_writable(page)
        nxt = free[k] if k < len(free) else 0
        if frag:
            data[hdr + 7] -= frag
        if block == content:
            # The lowest free bytes: the gap takes them (the block is the
            # list's first, as nothing lies below the content area).
            del free[j:k]
            del sizes[j:k]
            info.nfree += end - start - (block_end - block)
            _U16.pack_into(data, hdr + 1, nxt)
            _U16.pack_into(data, hdr + 5, block_end if block_end < 65536 else 0)
            return True
        free[j:k] = [block]
        sizes[j:k] = [block_end - block]
        info.nfree += end - start
        _U16.pack_into(data, block, nxt)
        _U16.pack_into(data, block + 2, block_end - block)
        _U16.pack_into(data, free[j - 1] if j else hdr + 1, block)
        return True

    def _free_slot(self, data: bytearray, info: PageInfo, content: int, size: int) -> int:
        """The index in info.free of a freeblock that can hold a cell of
        ``size`` bytes, -1 when none can (the cell then goes in the gap, or
        the page is rewritten whole, which compacts it).  A block of
        exactly that size first (the cell a delete just freed: an UPDATE's
        or a REPLACE's row, an index entry moved), else the largest when
        it leaves at least 4 bytes, else one that leaves 1-3 bytes, taken
        whole with the rest counted as fragments as long as the fragment
        count stays small (SQLite's rule).  Searches of the size list run
        in C: SQLite's first-fit walk in Python cost a step per freeblock,
        and a page that lost many cells has dozens."""
        free = self._free_list(data, info, content)
        if not free:
            return -1
        sizes = info.free_sizes
        assert sizes is not None
        frag = data[info.hdr + 7]
        if frag <= 57 and size in sizes:
            return sizes.index(size)
        biggest = max(sizes)
        if biggest >= size + 4:
            return sizes.index(biggest)
        if biggest > size:
            for left in range(1, 4):
                if frag + left <= 57 and size + left in sizes:
                    return sizes.index(size + left)
        return -1

    def _take_free_slot(self, data: bytearray, info: PageInfo, j: int, size: int) -> int:
        """Take ``size`` bytes from the end of freeblock info.free[j] (found
        by _free_slot) and return where the cell goes."""
        free = info.free
        sizes = info.free_sizes
        assert free is not None and sizes is not None
        fb = free[j]
        left = sizes[j] - size
        info.nfree -= size
        if left >= 4:
            _U16.pack_into(data, fb + 2, left)
            sizes[j] = left
            return fb + left
        hdr = info.hdr
        nxt = free[j + 1] if j + 1 < len(free) else 0
        _U16.pack_into(data, free[j - 1] if j else hdr + 1, nxt)
        data[hdr + 7] += left
        del free[j]
        del sizes[j]
        return fb

    def _may_merge(self, left: Page, right: Page, capacity: int) -> bool:
        """False when two pages surely do not fit in one page, so that a
        failing merge attempt costs no cell extraction."""
        used = 0
        for page in (left, right):
            used += self._used_bytes(page, page_info(page))
        return used <= capacity

    def _used_bytes(self, page: Page, info: PageInfo) -> int:
        """Bytes taken by the cells and their pointers: the content area
        less its freeblocks and fragments (all of it when the freeblock
        list is odd, which only makes a merge less likely)."""
        data = page.data
        content = self._content_start(data, info)
        used = self.pager.usable_size - content + 2 * info.ncell
        if self._free_list(data, info, content) is None:
            return used
        return used - info.nfree

    def _make_cell(self, ptype: int, rowid: int | None, payload: bytes, child: int = 0) -> bytes:
        """Build a cell, spilling payload to a new overflow chain when needed."""
        if ptype == PTYPE_TABLE_INTERIOR:
            return _U32.pack(child) + put_varint(rowid or 0)
        size = len(payload)
        parts = []
        if ptype == PTYPE_INDEX_INTERIOR:
            parts.append(_U32.pack(child))
        parts.append(put_varint(size))
        if ptype == PTYPE_TABLE_LEAF:
            parts.append(put_varint(rowid or 0))
        local = self._local_size(size, ptype == PTYPE_TABLE_LEAF)
        parts.append(payload[:local])
        if local < size:
            parts.append(_U32.pack(self._write_overflow(payload[local:])))
        cell = b"".join(parts)
        if len(cell) < 4:
            cell += bytes(4 - len(cell))
        return cell

    def _write_overflow(self, rest: bytes) -> int:
        room = self.pager.usable_size - 4
        pages = []
        for off in range(0, len(rest), room):
            pages.append((self.pager.allocate_page(), rest[off:off + room]))
        for i, (page, chunk) in enumerate(pages):
            nxt = pages[i + 1][0].pgno if i + 1 < len(pages) else 0
            page.data[0:4] = _U32.pack(nxt)
            page.data[4:4 + len(chunk)] = chunk
            page.parsed = None
        return pages[0][0].pgno

    def _free_overflow(self, pgno: int) -> None:
        seen = 0
        while pgno:
            seen += 1
            if pgno > self.pager.page_count or seen > self.pager.page_count:
                corrupt("overflow chain")
            page = self.pager.get_page_sync(pgno)
            nxt = _unpack_u32(page.data, 0)[0]
            self.pager.free_page(pgno)
            pgno = nxt

    def read_payload(self, page: Page, info: PageInfo, i: int) -> bytes:
        """The whole payload of cell i of a leaf or index page."""
        data = page.data
        pos = info.ptrs[i]
        if not info.leaf:
            pos += 4
        size = data[pos]
        if size < 0x80:
            pos += 1
        else:
            size, pos = get_varint(data, pos)
        intkey = info.intkey
        if intkey:
            if data[pos] < 0x80:
                pos += 1
            else:
                _, pos = get_varint(data, pos)
        u = self.pager.usable_size
        if size <= (u - 35 if intkey else ((u - 12) * 64 // 255) - 23):
            end = pos + size       # all of it in the cell (_local_size)
            if end > len(data):
                corrupt()
            return bytes(data[pos:end])
        return self._read_overflow(data, pos, self._local_size(size, intkey), size)

    def _read_overflow(self, data: bytearray, pos: int, local: int, size: int) -> bytes:
        parts = [bytes(data[pos:pos + local])]
        got = local
        ovfl = _unpack_u32(data, pos + local)[0]
        room = self.pager.usable_size - 4
        seen = 0
        while got < size:
            seen += 1
            if ovfl < 2 or ovfl > self.pager.page_count or seen > self.pager.page_count:
                corrupt("overflow chain")
            opage = self.pager.get_page(ovfl)
            n = min(room, size - got)
            parts.append(bytes(opage.data[4:4 + n]))
            got += n
            ovfl = _unpack_u32(opage.data, 0)[0]
        return b"".join(parts)

    def read_payload_of_cell(self, cell: bytes) -> bytes:
        """Payload of a detached index-interior cell (child pointer first)."""
        size, pos = get_varint(cell, 4)
        local = self._local_size(size, False)
        if local >= size:
            return bytes(cell[pos:pos + size])
        data = bytearray(cell)
        payload = self._read_overflow(data, pos, local, size)
        self._free_overflow(_unpack_u32(cell, pos + local)[0])
        return payload

    # -- page writing -----------------------------------------------------------

    def _capacity(self, pgno: int, leaf: bool) -> int:
        hdr = 100 if pgno == 1 else 0
        return self.pager.usable_size - hdr - (8 if leaf else 12)

    def _write_page(self, page: Page, ptype: int, cells: Sequence[bytes], right: int) -> None:
        """Rewrite ``page`` from scratch holding ``cells`` (which must fit)."""
        self.pager.make_writable(page)
        data = page.data
        hdr = 100 if page.pgno == 1 else 0
        leaf = ptype in (PTYPE_TABLE_LEAF, PTYPE_INDEX_LEAF)
        hsize = 8 if leaf else 12
        usable = self.pager.usable_size
        n = len(cells)
        content = b"".join(reversed(cells))
        start = usable - len(content)
        if start < hdr + hsize + 2 * n:
            raise_error(SQLITE_CORRUPT)
        ptrs = [usable - end for end in accumulate(map(len, cells))]
        data[hdr] = ptype
        data[hdr + 1:hdr + 3] = b"\x00\x00"
        _U16.pack_into(data, hdr + 3, n)
        _U16.pack_into(data, hdr + 5, start if start < 65536 else 0)
        data[hdr + 7] = 0
        if not leaf:
            _U32.pack_into(data, hdr + 8, right)
        if n:
            struct.pack_into(f">{n}H", data, hdr + hsize, *ptrs)
        gap_start = hdr + hsize + 2 * n
        data[gap_start:start] = bytes(start - gap_start)
        data[start:usable] = content
        page.parsed = None

    def _page_cells(self, page: Page) -> tuple[PageInfo, list[bytes]]:
        """The page's cells as bytes (what a split or merge rewrites).  The
        usual cell -- all its payload local, of a leaf or an index interior
        page -- is measured inline; others go through _cell_end."""
        info = page_info(page)
        data = page.data
        if info.intkey and not info.leaf:
            return info, [self._cell_bytes(page, info, i) for i in range(info.ncell)]
        u = self.pager.usable_size
        intkey = info.intkey
        max_local = u - 35 if intkey else ((u - 12) * 64 // 255) - 23
        skip = 0 if info.leaf else 4
        limit = len(data)
        cells = []
        append = cells.append
        for p in info.ptrs:
            q = p + skip
            size = data[q]
            q += 1
            if size >= 0x80:
                size, q = get_varint(data, q - 1)
            if intkey:
                r = q
                while data[q] >= 0x80 and q - r < 8:
                    q += 1
                q += 1
            end = q + size
            if size > max_local or end > limit:
                end = self._cell_end(data, info, p)
            elif end < p + 4:
                end = p + 4      # (cells take at least 4 bytes)
            append(bytes(data[p:end]))
        return info, cells

    # -- insertion with splits ------------------------------------------------

    def _insert_cells(self, path: list[list[Any]], cells: list[bytes], right: int,
                      decoded: tuple[list, list] | None = None) -> None:
        """Write the new cell list of the page at the end of ``path``; split upward.

        ``decoded``: for an index leaf, each cell's decoded record and sort
        key (aligned with ``cells``), which the leaves written keep in their
        parsed views instead of decoding their cells again at the next seek."""
        while True:
            page, info, _ = path[-1]
            ptype = info.ptype
            leaf = info.leaf
            cap = self._capacity(page.pgno, leaf)
            need = sum(map(len, cells)) + 2 * len(cells)
            if need <= cap:
                self._write_page(page, ptype, cells, right)
                if decoded is not None and leaf:
                    self._keep_decoded([page], [cells], decoded)
                return
            if len(path) == 1:
                # Root overflow: move everything into a new child, root becomes interior.
                child = self.pager.allocate_page()
                interior = PTYPE_TABLE_INTERIOR if info.intkey else PTYPE_INDEX_INTERIOR
                self._write_page(page, interior, [], child.pgno)
                child_info = PageInfo.__new__(PageInfo)
                child_info.ptype, child_info.leaf, child_info.intkey = ptype, leaf, info.intkey
                path = [[page, page_info(page), 0], [child, child_info, 0]]
                continue
            groups, dividers, rights = self._partition(page.pgno, ptype, cells, right)
            parent, pinfo, pidx = path[-2]
            pright = pinfo.right
            # The original page keeps the last group; new pages take the others.
            new_pages = [self.pager.allocate_page() for _ in groups[:-1]]
            for np, g, r in zip(new_pages, groups[:-1], rights[:-1], strict=True):
                self._write_page(np, ptype, g, r)
            self._write_page(page, ptype, groups[-1], rights[-1])
            keys: Any = None
            skeys: Any = None
            if leaf and info.intkey:
                keys = dividers
            if decoded is not None and leaf:
                self._keep_decoded([*new_pages, page], groups, decoded)
                keys, skeys = _divider_keys(groups, decoded)
            decoded = None
            parent_type = PTYPE_TABLE_INTERIOR if info.intkey else PTYPE_INDEX_INTERIOR
            new_parent_cells = [
                self._make_divider(parent_type, d, np.pgno, leaf)
                for d, np in zip(dividers, new_pages, strict=True)
            ]
            if self._add_dividers_inplace(parent, pidx, new_parent_cells, keys, skeys):
                return
            _, pcells = self._page_cells(parent)
            pcells[pidx:pidx] = new_parent_cells
            path = path[:-1]
            cells, right = pcells, pright

    def _add_dividers_inplace(self, parent: Page, pidx: int, cells: list[bytes],
                              keys: list[Any] | None, skeys: list[tuple] | None) -> bool:
        """Insert the divider cells of a split (``cells``, for the new pages
        left of the child at ``pidx``, whose pointer stays on the page that
        kept the last group) into the parent in place, when its gap holds
        them all: no rewrite of the parent from its cell list, and its
        parsed caches stay (``keys``: the dividers' rowids or decoded
        records, ``skeys`` their sort keys, when known).  False when there
        is no room (nothing changed)."""
        pinfo = page_info(parent)
        data = parent.data
        hdr = pinfo.hdr
        content = (data[hdr + 5] << 8 | data[hdr + 6]) or 65536
        gap = content - (hdr + 12 + 2 * pinfo.ncell)
        if content > self.pager.usable_size or sum(len(c) + 2 for c in cells) > gap:
            return False
        for j, cell in enumerate(cells):
            if not self._insert_cell_inplace(parent, pinfo, pidx + j, cell,
                                             keys[j] if keys is not None else None,
                                             skeys[j] if skeys is not None else None):
                corrupt()       # (cannot happen: the gap holds every cell)
        return True

    def _balance_quick(self, path: list[list[Any]], cell: bytes, known: Any,
                       skey: tuple | None) -> Page | None:
        """Add ``cell``, which sorts after every cell of the full leaf at
        the end of ``path`` (the leaf being its parent's right-most child),
        as the only cell of a new leaf that becomes the parent's right-most
        child (SQLite's balance_quick): the parent gains one divider cell
        in place, and no page is rewritten from its cell list.  For a table
        the divider is the old leaf's largest rowid; for an index the old
        leaf's last entry moves up as the divider (an index divider is an
        entry of its own).  Returns the new leaf, or None when the parent
        has no room for the divider or the leaf holds too few cells
        (nothing changed; the caller splits the general way)."""
        page, info, _ = path[-1]
        parent, pinfo, _ = path[-2]
        n = info.ncell
        # The divider's key and sort key go to the parent's caches too.
        dkey: Any = None
        dskey = None
        if info.intkey:
            dkey = _table_keys(page, info)[-1]
            divider = _U32.pack(page.pgno) + put_varint(dkey)
        else:
            if n < 2:
                return None
            divider = _U32.pack(page.pgno) + self._cell_bytes(page, info, n - 1)
            if info.records is not None and len(info.records) == n:
                dkey = info.records[-1]
                if info.sort_keys is not None and len(info.sort_keys) == n:
                    dskey = info.sort_keys[-1]
        if not self._insert_cell_inplace(parent, pinfo, pinfo.ncell, divider, dkey, dskey):
            return None
        if not info.intkey and not self._drop_cell_inplace(page, info, n - 1):
            _, cells = self._page_cells(page)
            self._write_page(page, info.ptype, cells[:-1], 0)
            path[-1][1] = page_info(page)
        new = self.pager.allocate_page()
        self._write_page(new, info.ptype, [cell], 0)
        self.pager.make_writable(parent)
        _U32.pack_into(parent.data, pinfo.hdr + 8, new.pgno)
        pinfo.right = new.pgno
        parent.parsed = pinfo
        new_info = page_info(new)
        if info.intkey:
            new_info.keys = [known]
        elif known is not None and skey is not None:
            new_info.records = [known]
            new_info.sort_keys = [skey]
            self.track_decoded(new_info)
        return new

    def _keep_decoded(self, pages: list[Page], groups: list[list[bytes]],
                      decoded: tuple[list, list]) -> None:
        """Give index leaves just written from ``groups`` (consecutive runs
        of the split cell list, one cell between two runs promoted to the
        parent) the decoded records and sort keys of their cells."""
        records, keys = decoded
        if sum(len(g) for g in groups) + len(groups) - 1 != len(records):
            return
        i = 0
        for page, group in zip(pages, groups, strict=True):
            n = len(group)
            info = page_info(page)
            info.records = records[i:i + n]
            info.sort_keys = keys[i:i + n]
            self.track_decoded(info)
            i += n + 1

    def _partition(self, pgno: int, ptype: int, cells: list[bytes], right: int
                   ) -> tuple[list[list[bytes]], list[Any], list[int]]:
        """Split ``cells`` into groups that each fit a non-root page.

        Returns the groups, the dividers between them (for table leaves the
        last rowid of the group; otherwise the cell promoted out of the list),
        and each group's right-child pointer (interior pages).
        """
        leaf = ptype in (PTYPE_TABLE_LEAF, PTYPE_INDEX_LEAF)
        cap = self.pager.usable_size - (8 if leaf else 12)
        table_leaf = ptype == PTYPE_TABLE_LEAF
        groups: list[list[bytes]] = []
        dividers: list[Any] = []
        rights: list[int] = []
        # Aim for two roughly equal halves, never exceeding a page.  Each
        # group takes cells while they fit its target (at least one): the
        # first cell past it is found by bisecting the running sizes.
        n = len(cells)
        acc = [0, *accumulate([len(c) + 2 for c in cells])]
        total = acc[n]
        target = min(cap, max(total // 2, 1)) if total <= 2 * cap else cap
        last = n - 1 + (1 if table_leaf else 0)   # (the last index cell is no divider)
        s = 0
        while True:
            i = bisect_right(acc, acc[s] + target, s + 2) - 1
            if i >= last:
                break
            groups.append(cells[s:i])
            if table_leaf:
                dividers.append(_table_leaf_rowid(cells[i - 1]))
                rights.append(0)
                s = i
            else:
                # Promote cell i as the divider (index pages, table interiors).
                c = cells[i]
                dividers.append(c)
                rights.append(_unpack_u32(c, 0)[0] if not leaf else 0)
                s = i + 1
            rest = total - acc[s]
            target = min(cap, max(rest // 2, 1)) if rest > cap else cap
        cur = cells[s:]
        groups.append(cur)
        rights.append(right)
        if any(not g for g in groups) and not leaf:
            corrupt("cannot split page")
        return groups, dividers, rights

    def _make_divider(self, parent_type: int, divider: Any, child: int, from_leaf: bool) -> bytes:
        """The parent cell that separates a new page (``child``) from its right sibling."""
        if parent_type == PTYPE_TABLE_INTERIOR:
            if from_leaf:
                return _U32.pack(child) + put_varint(divider)
            return _U32.pack(child) + divider[4:]
        # Index pages: the promoted entry moves up with ``child`` as its left child.
        return _U32.pack(child) + (divider if from_leaf else divider[4:])

    # -- bulk loading -----------------------------------------------------------

    def bulk_load(self, root: int, entries: Any) -> None:
        """Fill the empty tree ``root`` from ``entries`` -- (rowid, payload)
        pairs for a table, (None, key record) for an index -- given in key
        order, packing every page full (see bulk_load_cells)."""
        intkey = page_info(self.pager.get_page_sync(root)).intkey
        cells = self._leaf_cells(intkey, entries)
        self.bulk_load_cells(root, iter(lambda: list(islice(cells, 256)), []))

    def _leaf_cells(self, intkey: bool, entries: Any) -> Any:
        """The leaf cell of each (rowid, payload) of ``entries``.  A payload
        that stays whole in the cell is framed here (its size, the rowid of
        a table row, the payload: _make_cell's usual case without a call
        per entry); one that spills goes through _make_cell, which writes
        its overflow chain."""
        u = self.pager.usable_size
        fits = u - 35 if intkey else ((u - 12) * 64 // 255) - 23
        ptype = PTYPE_TABLE_LEAF if intkey else PTYPE_INDEX_LEAF
        make = self._make_cell
        small = _VARINT1
        for rowid, payload in entries:
            n = len(payload)
            if n > fits:
                yield make(ptype, rowid, payload)
                continue
            head = small[n] if n < 0x80 else put_varint(n)
            if intkey:
                head += small[rowid] if 0 <= rowid < 0x80 else put_varint(rowid)
            cell = head + payload
            if len(cell) < 4:
                cell += bytes(4 - len(cell))
            yield cell

    def bulk_load_cells(self, root: int, batches: Any) -> None:
        """Fill the empty tree ``root`` from leaf cells given in key order,
        in lists (``batches``: a source page's cells, say), packing every
        page full (VACUUM's rebuild, CREATE INDEX).

        Leaves are written as they fill, so only one page of cells is held
        at a time; where each leaf ends is found per batch from its running
        sizes (a bisect, not a step per cell).  Then each interior level is
        packed from the page numbers and separators of the level below until
        one level fits the root.  A table separator is the last rowid of its
        left page (the varint in that page's last cell); an index separator
        is the entry that did not fit, promoted out of the leaves.
        """
        root_page = self.pager.get_page_sync(root)
        intkey = page_info(root_page).intkey
        leaf_type = PTYPE_TABLE_LEAF if intkey else PTYPE_INDEX_LEAF
        cap = self.pager.usable_size - 8
        children: list[int] = []
        seps: list[bytes] = []
        cur: list[bytes] = []
        full: list[bytes] = []      # (index) the cells of the last leaf written
        used = 0
        for batch in batches:
            n = len(batch)
            # acc[i]: the bytes cells 0..i take with their pointers.
            acc = list(accumulate(map(_PLUS_POINTER, map(len, batch))))
            s = 0
            base = 0                # acc before cell s
            while s < n:
                j = bisect_right(acc, base + cap - used, s)
                if j == s and not cur:
                    j = s + 1       # (a cell too big for any page: alone)
                if j >= n:
                    cur += batch[s:]
                    used += acc[-1] - base
                    break
                cur += batch[s:j]
                # Cell j does not fit: the leaf is full.
                children.append(self._new_page(leaf_type, cur, 0))
                if intkey:
                    seps.append(_rowid_varint(cur[-1]))
                    s = j
                else:
                    seps.append(batch[j])
                    full = cur
                    s = j + 1
                base = acc[s - 1] if s else 0
                cur, used = [], 0
        if not children:
            self._write_page(root_page, leaf_type, cur, 0)
            return
        if not cur:
            # The last entry was promoted with no page after it: it becomes
            # the rightmost leaf, and the last entry of the leaf before it
            # the separator between them (an index page holds at least four
            # entries, so that leaf keeps some).
            cur = [seps.pop()]
            self._write_page(self.pager.get_page_sync(children[-1]), leaf_type, full[:-1], 0)
            seps.append(full[-1])
        children.append(self._new_page(leaf_type, cur, 0))
        self._build_interior(root_page, intkey, children, seps)

    def copy_cells(self, root: int, dest: BTree, renumber: bool = False) -> Any:
        """The entries of tree ``root`` in key order as leaf cells for
        ``dest.bulk_load_cells`` (VACUUM's copy: as SQLite's transfer,
        records move without being decoded).

        The pages are walked in order (an index's interior entries between
        its children's); each page is visited once, and a page reached
        twice, of the other kind of tree or out of range is corruption.
        The cells come in lists, a page's at a time (_copied_cells), as
        bulk_load_cells takes them."""
        return self._copied_pages(root, dest, renumber)

    def _copied_pages(self, root: int, dest: BTree, renumber: bool) -> Any:
        pager = self.pager
        root_page = pager.get_page_sync(root)
        root_info = page_info(root_page)
        intkey = root_info.intkey
        u = pager.usable_size
        fits = (u - 35 if intkey else ((u - 12) * 64 // 255) - 23) \
            if dest.pager.usable_size == u else -1
        count = [0] if renumber and intkey else None
        seen = {root}
        stack: list[list[Any]] = [[root_page, root_info, 0]]
        while stack:
            top = stack[-1]
            page, info, i = top
            if info.leaf:
                stack.pop()
                yield self._copied_cells(page, info, 0, info.ncell, dest, fits, count)
                continue
            if not intkey and 0 < i <= info.ncell:
                # The interior entry after the child just walked.
                yield self._copied_cells(page, info, i - 1, i, dest, fits, count)
            if i > info.ncell:
                stack.pop()
                continue
            top[2] = i + 1
            child = info.right if i == info.ncell else _unpack_u32(page.data, info.ptrs[i])[0]
            if child in seen or child < 2 or child > pager.page_count:
                corrupt("child page")
            seen.add(child)
            child_page = pager.get_page_sync(child)
            child_info = page_info(child_page)
            if child_info.intkey != intkey:
                corrupt("child page type")
            stack.append([child_page, child_info, 0])

    def _copied_cells(self, page: Page, info: PageInfo, first: int, last: int, dest: BTree,
                    fits: int, count: list[int] | None) -> list[bytes]:
        """Cells ``first``..``last``-1 of a page as leaf cells of ``dest``.
        A cell whose payload (at most ``fits`` bytes) stays whole in the page
        is copied as its bytes (an index interior entry without its child
        pointer; with a renumbering ``count`` a table row gets the next
        rowid).  A cell with an overflow chain (every cell when ``fits`` is
        -1: the files keep different amounts in a cell) is read whole and
        made anew for ``dest``, which writes its own chain."""
        data = page.data
        ptrs = info.ptrs
        if info.leaf and count is None and fits >= 127 and last - first > 1:
            tiled = self._tiled_cells(data, info, fits)
            if tiled is not None:
                return tiled
        intkey = info.intkey
        skip = 0 if info.leaf else 4
        small = _VARINT1
        limit = len(data)
        out = []
        for k in range(first, last):
            p = ptrs[k] + skip
            size = data[p]
            if size < 0x80:
                pos = p + 1
            else:
                size, pos = get_varint(data, p)
            if intkey:
                key = pos
                while data[pos] >= 0x80 and pos - key < 8:
                    pos += 1
                pos += 1
            end = pos + size
            if size > fits or count is not None:
                if intkey:
                    rowid = get_varint(data, key)[0]
                    if rowid > MAX_ROWID:
                        rowid -= 1 << 64
                    if count is not None:
                        count[0] += 1
                        rowid = count[0]
                else:
                    rowid = None
                if size > fits:
                    out.append(dest._make_cell(info.ptype if info.leaf else PTYPE_INDEX_LEAF,
                                               rowid, self.read_payload(page, info, k)))
                    continue
                if end > limit:
                    corrupt()
                cell = (small[size] if size < 0x80 else put_varint(size)) + \
                    (small[rowid] if rowid < 0x80 else put_varint(rowid)) + data[pos:end]
            elif end > limit:
                corrupt()
            else:
                cell = bytes(data[p:end])
            if len(cell) < 4:
                cell += bytes(4 - len(cell))
            out.append(cell)
        return out

    def _tiled_cells(self, data: bytearray, info: PageInfo, fits: int) -> list[bytes] | None:
        """All the cells of a leaf as their bytes, cut without reading them
        one by one: on a page with no freeblock and no fragment, the cells
        tile the content area, so each ends where the next one (in offset
        order) starts.  None when that does not hold, or a cell's payload
        size takes more than a byte (it could overflow): then the caller
        reads each cell."""
        hdr = info.hdr
        if data[hdr + 1] or data[hdr + 2] or data[hdr + 7]:
            return None
        ptrs = info.ptrs
        if max(itemgetter(*ptrs)(data)) >= 0x80:
            return None
        offs = sorted(ptrs)
        ends = dict(zip(offs, offs[1:]))
        ends[offs[-1]] = self.pager.usable_size
        image = bytes(data)
        return [image[p:ends[p]] for p in ptrs]

    def _new_page(self, ptype: int, cells: list[bytes], right: int) -> int:
        page = self.pager.allocate_page()
        self._write_page(page, ptype, cells, right)
        return page.pgno

    def _build_interior(self, root_page: Page, intkey: bool, children: list[int],
                        seps: list[bytes]) -> None:
        """Stack interior levels over ``children`` (with ``seps`` between
        them) until one fits in the root page."""
        ptype = PTYPE_TABLE_INTERIOR if intkey else PTYPE_INDEX_INTERIOR
        cap = self.pager.usable_size - 12
        while True:
            need = sum(len(s) + 6 for s in seps)
            if need <= self._capacity(root_page.pgno, False):
                cells = [_U32.pack(c) + s for c, s in zip(children, seps)]
                self._write_page(root_page, ptype, cells, children[-1])
                return
            up_children: list[int] = []
            up_seps: list[bytes] = []
            cur: list[bytes] = []
            used = 0
            last = len(children) - 1
            for i in range(last):
                cell = _U32.pack(children[i]) + seps[i]
                size = len(cell) + 2
                if cur and used + size > cap:
                    if i == last - 1:
                        # Leave two children for the final page: this page
                        # ends one cell earlier.
                        moved = cur.pop()
                        up_children.append(self._new_page(ptype, cur, _unpack_u32(moved, 0)[0]))
                        up_seps.append(moved[4:])
                        cur, used = [cell], size
                        continue
                    up_children.append(self._new_page(ptype, cur, children[i]))
                    up_seps.append(seps[i])
                    cur, used = [], 0
                    continue
                cur.append(cell)
                used += size
            up_children.append(self._new_page(ptype, cur, children[last]))
            children, seps = up_children, up_seps

    # -- integrity ------------------------------------------------------------

    def _cells_with_overflow(self, page: Page, info: PageInfo) -> Any:
        """The cells of a page that may have an overflow chain: none of a
        table's interior page, and not those whose payload size fits one
        varint byte (under 128 bytes) when the page keeps that much locally
        (all but the smallest page sizes)."""
        if info.intkey and not info.leaf:
            return ()
        if self._local_size(127, info.intkey) < 127:
            return range(info.ncell)
        data = page.data
        skip = 0 if info.leaf else 4
        return [i for i, p in enumerate(info.ptrs) if data[p + skip] >= 0x80]

    def integrity_check(self, roots: list[int], max_errors: int = 100,
                        partial: bool = False) -> list[str]:
        """Problems found in the trees at ``roots`` and the freelist (SQLite's
        wording).  A ``partial`` check (some trees only) skips the freelist
        unless page 1's tree is among them, and does not look for pages
        nothing uses."""
        errors: list[str] = []
        pager = self.pager
        npages = pager.page_count
        if npages == 0:
            return []          # an empty file: a database with no pages yet
        used = [False] * (npages + 1)

        def mark(pgno: int, what: str) -> bool:
            if pgno < 1 or pgno > npages:
                errors.append(f"{what} invalid page number {pgno}")
                return False
            if used[pgno]:
                errors.append(f"{what} 2nd reference to page {pgno}")
                return False
            used[pgno] = True
            return True

        try:
            if not partial or 1 in roots:
                for pgno in pager.freelist_pages():
                    mark(pgno, "Freelist:")
        except Exception:
            errors.append("Freelist: corrupt")
        for root in roots:
            if root < 1:
                continue
            stack = [(root, None, None)]
            while stack and len(errors) < max_errors:
                pgno, lo, hi = stack.pop()
                if not mark(pgno, f"Tree {root} page {pgno}:" if pgno != root else "Page:"):
                    continue
                try:
                    page = pager.get_page_sync(pgno)
                    info = page_info(page)
                    for i in self._cells_with_overflow(page, info):
                        ov = self._cell_overflow(page, info, i)
                        seen = 0
                        while ov:
                            seen += 1
                            if not mark(ov, f"Tree {root} page {pgno} cell {i}:") or seen > npages:
                                break
                            ov = _unpack_u32(pager.get_page_sync(ov).data, 0)[0]
                    if info.intkey:
                        keys = _table_keys(page, info)
                        for a, b in zip(keys, keys[1:]):
                            if a >= b:
                                errors.append(f"Tree {root} page {pgno}: Rowid {b} out of order")
                                break
                    if not info.leaf:
                        for p in info.ptrs:
                            stack.append((_unpack_u32(page.data, p)[0], None, None))
                        stack.append((info.right, None, None))
                except Exception:
                    errors.append(f"Tree {root} page {pgno}: corrupt page")
        for pgno in range(1, npages + 1 if not partial else 1):
            if not used[pgno] and len(errors) < max_errors:
                errors.append(f"Page {pgno} is never used")
        return errors


def _divider_keys(groups: list[list[bytes]], decoded: tuple[list, list]
                  ) -> tuple[list[Any] | None, list[tuple] | None]:
    """The decoded records and sort keys of the index cells promoted out of
    a split leaf's cell list (one between each two ``groups``), from the
    cell list's ``decoded`` caches; (None, None) when they do not line up."""
    records, skeys = decoded
    if sum(len(g) for g in groups) + len(groups) - 1 != len(records):
        return None, None
    keys, sks = [], []
    i = 0
    for group in groups[:-1]:
        i += len(group)
        keys.append(records[i])
        sks.append(skeys[i])
        i += 1
    return keys, sks


def _table_leaf_rowid(cell: bytes) -> int:
    _, pos = get_varint(cell, 0)
    rowid, _ = get_varint(cell, pos)
    return rowid - (1 << 64) if rowid >= 1 << 63 else rowid


def _signed(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def _table_keys(page: Page, info: PageInfo) -> list[int]:
    """Rowids of the cells of a table page (cached in the PageInfo)."""
    keys = info.keys
    if keys is None:
        # (One- and two-byte varints, rowids below 16384 and payloads
        # shorter than that, are read in place; longer ones by get_varint.)
        data = page.data
        keys = []
        append = keys.append
        if info.leaf:
            for p in info.ptrs:
                b = data[p]
                if b < 0x80:
                    p += 1
                elif data[p + 1] < 0x80:
                    p += 2
                else:
                    _, p = get_varint(data, p)
                b = data[p]
                if b < 0x80:
                    append(b)
                else:
                    c = data[p + 1]
                    if c < 0x80:
                        append(((b & 0x7F) << 7) | c)
                    else:
                        append(_signed(get_varint(data, p)[0]))
        else:
            for p in info.ptrs:
                p += 4
                b = data[p]
                if b < 0x80:
                    append(b)
                else:
                    c = data[p + 1]
                    if c < 0x80:
                        append(((b & 0x7F) << 7) | c)
                    else:
                        append(_signed(get_varint(data, p)[0]))
        info.keys = keys
    return keys


class BTreeCursor:
    """A position in one B-tree (SQLite's BtCursor)."""

    __slots__ = ("btree", "pager", "root", "write", "key_info", "stack", "state",
                 "saved_key", "skip", "eof", "intkey", "appends", "key_fn", "hint")

    def __init__(self, btree: BTree, root: int, write: bool, key_info: Any) -> None:
        self.btree = btree
        self.pager = btree.pager
        self.root = root
        self.write = write
        self.key_info = key_info
        self.stack: list[list[Any]] = []
        self.state = _INVALID
        self.saved_key: Any = None
        self.skip = 0
        self.eof = True
        self.intkey = key_info is None
        # Index seeks bisect sort keys made by this function (key_function).
        self.key_fn = key_function(key_info)
        # Index entries held back by append_sorted() until finish_appends().
        self.appends: list[bytes] | None = None
        # Where a saved cursor resumes without a seek (see delete()).
        self.hint: list[list[Any]] | None = None

    def reopen(self) -> None:
        """Open again a cursor that was closed (the VM's spare cursors: a
        statement run again opens the trees it opened before); close() left
        it unpositioned."""
        self.btree._register(self)

    def close(self) -> None:
        self.appends = None   # (unflushed appends belong to a failed statement)
        self.hint = None
        # Unpositioned: a closed cursor holds no pages or key (a VM's spare
        # cursor waits for the next run of its statement).
        self.stack = []
        self.state = _INVALID
        self.saved_key = None
        self.skip = 0
        self.eof = True
        cursors = self.btree.cursors
        on_tree = cursors.get(self.root)
        if on_tree is not None:
            try:
                on_tree.remove(self)
            except ValueError:
                pass
            if not on_tree:
                del cursors[self.root]

    # -- saving and restoring -------------------------------------------------

    def _save(self) -> None:
        page, info, idx = self.stack[-1]
        if info.intkey:
            self.saved_key = _table_keys(page, info)[idx]
        else:
            self.saved_key = decode_record(
                self.btree.read_payload(page, info, idx), self.pager.text_encoding)
        self.state = _SAVED
        self.stack = []
        self.hint = None

    def _restore(self) -> None:
        hint = self.hint
        if hint is not None:
            self.hint = None
            if self._resume_at(hint):
                return
        key = self.saved_key
        if self.intkey:
            c = self.table_move_to(key)
        else:
            c = self.index_move_to(key, 0)
        self.skip = 0 if self.eof else c

    def _resume_at(self, path: list[list[Any]]) -> bool:
        """Restore a cursor parked by delete() at the path it left: the leaf
        it deleted from, its index now on the entry after the deleted one
        (SQLite's BTREE_SAVEPOSITION), which is where a seek of the saved
        key lands (on the next entry, or on the leaf's last one when the
        deleted entry was past it), without the seek.  The hint is dropped
        whenever the tree changes through another cursor (_save_cursors);
        False when a page of the path was rewritten since (its parsed view
        replaced) or the leaf emptied: then the saved key is sought."""
        top = path[-1]
        page, info, idx = top
        n = info.ncell
        if page.parsed is not info or not n or idx > n:
            return False
        for level in path:
            if level[0].parsed is not level[1]:
                return False
        if idx < n:
            self.skip = 1
        else:
            top[2] = n - 1
            self.skip = -1
        self.stack, self.state, self.eof = path, _VALID, False
        return True

    # -- moving -------------------------------------------------------------

    def _descend_first(self, stack: list[list[Any]], pgno: int) -> None:
        get = self.pager.get_page
        depth = 0
        while True:
            depth += 1
            if depth > 40:
                corrupt("tree too deep")
            page = get(pgno)
            info = page_info(page)
            stack.append([page, info, 0])
            if info.leaf:
                return
            pgno = _unpack_u32(page.data, info.ptrs[0])[0] if info.ncell else info.right

    def _descend_last(self, stack: list[list[Any]], pgno: int) -> None:
        get = self.pager.get_page
        depth = 0
        while True:
            depth += 1
            if depth > 40:
                corrupt("tree too deep")
            page = get(pgno)
            info = page_info(page)
            if info.leaf:
                stack.append([page, info, info.ncell - 1])
                return
            stack.append([page, info, info.ncell])
            pgno = info.right

    def _child(self, page: Page, info: PageInfo, i: int) -> int:
        if i < info.ncell:
            return _unpack_u32(page.data, info.ptrs[i])[0]
        return info.right

    def first(self) -> bool:
        """Move to the first entry; True when the tree is empty."""
        stack: list[list[Any]] = []
        self._descend_first(stack, self.root)
        self.skip = 0
        leaf = stack[-1]
        if leaf[1].ncell == 0:
            if len(stack) > 1:
                # An empty non-root leaf (only in damaged files): walk on.
                self.stack, self.state, self.eof = stack, _VALID, False
                return not self._next_from(stack)
            self.stack, self.state, self.eof = [], _INVALID, True
            return True
        self.stack, self.state, self.eof = stack, _VALID, False
        return False

    def last(self) -> bool:
        """Move to the last entry; True when the tree is empty.  A cursor
        already on the right-most leaf (NewRowid after an append) moves
        within it instead of descending from the root."""
        if self.state == _VALID:
            top = self.stack[-1]
            n = top[1].ncell
            if top[1].leaf and n and self._on_rightmost_path():
                top[2] = n - 1
                self.skip, self.eof = 0, False
                return False
        stack: list[list[Any]] = []
        self._descend_last(stack, self.root)
        self.skip = 0
        if stack[-1][1].ncell == 0:
            self.stack, self.state, self.eof = [], _INVALID, True
            return True
        self.stack, self.state, self.eof = stack, _VALID, False
        return False

    def next(self) -> bool:
        """Advance; True when on an entry, False at the end."""
        if self.state != _VALID:
            settled = self._resume(1)
            if settled is not None:
                return settled
        top = self.stack[-1]
        if top[1].leaf and top[2] + 1 < top[1].ncell:
            top[2] += 1
            return True
        return self._next_from([list(x) for x in self.stack])

    def _next_from(self, stack: list[list[Any]]) -> bool:
        top = stack[-1]
        page, info, idx = top
        if not info.leaf:
            # On an interior cell of an index: go to the subtree right of it.
            top[2] = idx + 1
            self._descend_first(stack, self._child(page, info, idx + 1))
            if stack[-1][1].ncell == 0:
                return self._next_from(stack)
            self.stack = stack
            return True
        if idx + 1 < info.ncell:
            top[2] = idx + 1
            self.stack = stack
            return True
        stack.pop()
        while stack:
            page, info, idx = stack[-1]
            if idx < info.ncell:
                if info.intkey:
                    stack[-1][2] = idx + 1
                    self._descend_first(stack, self._child(page, info, idx + 1))
                    if stack[-1][1].ncell == 0:
                        return self._next_from(stack)
                else:
                    # Index: rest on the interior cell between the subtrees.
                    stack[-1][2] = idx
                self.stack = stack
                return True
            stack.pop()
        self.stack, self.state, self.eof = [], _INVALID, True
        return False

    def _resume(self, direction: int) -> bool | None:
        """Before moving a cursor that is not VALID: False at the end, True when
        restoring its saved key already landed one step in ``direction`` (the
        saved entry was deleted), None to go on and move."""
        if self.state == _INVALID:
            self.eof = True
            return False
        self._restore()
        if self.eof:
            return False
        skip, self.skip = self.skip, 0
        if skip * direction > 0:
            return True
        return None

    def prev(self) -> bool:
        """Move back; True when on an entry, False before the start."""
        if self.state != _VALID:
            settled = self._resume(-1)
            if settled is not None:
                return settled
        top = self.stack[-1]
        if top[1].leaf and top[2] > 0:
            top[2] -= 1
            return True
        stack = [list(x) for x in self.stack]
        page, info, idx = stack[-1]
        if not info.leaf:
            # On an interior index cell: the last entry of the subtree left of it.
            self._descend_last(stack, self._child(page, info, idx))
            self.stack = stack
            return True
        stack.pop()
        while stack:
            page, info, idx = stack[-1]
            if idx > 0:
                if info.intkey:
                    stack[-1][2] = idx - 1
                    self._descend_last(stack, self._child(page, info, idx - 1))
                else:
                    stack[-1][2] = idx - 1
                self.stack = stack
                return True
            stack.pop()
        self.stack, self.state, self.eof = [], _INVALID, True
        return False

    def _land(self, stack: list[list[Any]], page: Page, info: PageInfo, i: int) -> bool:
        """End a seek that reached leaf ``page`` at index ``i`` (``stack``
        holds the interior path): rest on entry ``i`` and answer True, or,
        when ``i`` is past the leaf's last entry, rest on that entry and
        answer False; an empty leaf (an empty tree) leaves the cursor
        invalid at EOF (False)."""
        self.skip = 0
        n = info.ncell
        if n == 0:
            self.stack, self.state, self.eof = [], _INVALID, True
            return False
        self.eof = False
        self.state = _VALID
        stack.append([page, info, i if i < n else n - 1])
        self.stack = stack
        return i < n

    def _on_rightmost_path(self) -> bool:
        """Whether every interior page of the cursor's path was left by its
        right-most child: its leaf holds the largest keys of the tree."""
        for level in self.stack[:-1]:
            if level[2] != level[1].ncell:
                return False
        return True

    def _table_move_near(self, rowid: int) -> int | None:
        """Seek ``rowid`` inside the leaf the cursor is on, when the leaf's
        range holds it (between its first and last rowids, or past the last
        one on the right-most leaf); None when a seek from the root is
        needed.  Appends and seeks near the previous one stay on one leaf
        (SQLite's cursorOnLastPage and seek-result reuse)."""
        top = self.stack[-1]
        page, info = top[0], top[1]
        n = info.ncell
        if not info.leaf or not n:
            return None
        keys = info.keys if info.keys is not None else _table_keys(page, info)
        if rowid > keys[-1]:
            if not self._on_rightmost_path():
                return None
            top[2] = n - 1
            self.skip, self.eof = 0, False
            return -1
        if rowid < keys[0]:
            return None
        i = bisect_left(keys, rowid)
        top[2] = i
        self.skip, self.eof = 0, False
        return 0 if keys[i] == rowid else 1

    def _leaf_record(self, page: Page, info: PageInfo, i: int) -> list[Any]:
        """The decoded record of cell ``i`` (cached as record() does)."""
        records = info.records
        if records is None:
            records = info.records = [None] * info.ncell
            self.btree.track_decoded(info)
        rec = records[i]
        if rec is None:
            payload = self.btree.read_payload(page, info, i)
            rec = decode_record(payload, self.pager.text_encoding)
            if len(payload) <= self.pager.usable_size:
                records[i] = rec
        return rec

    def _compare_key(self, rec: Sequence[Any], key: Sequence[Any], default_rc: int) -> int:
        """Compare an entry with a search key as index_move_to does."""
        key_info = self.key_info
        if type(key_info) is KeyInfo:
            return compare_keys(rec, key, key_info) or default_rc
        return key_info.compare(rec, key) or default_rc

    def _index_leaf_holds(self, key: Sequence[Any], default_rc: int) -> int | None:
        """Whether the leaf the cursor is on is where ``key`` belongs: -1
        when it is past the last entry of the right-most leaf (the cursor
        then moves to that entry), 1 when it lies within the leaf's entries
        (index_move_to then searches that leaf alone), None otherwise."""
        top = self.stack[-1]
        page, info = top[0], top[1]
        n = info.ncell
        if not info.leaf or not n:
            return None
        c = self._compare_key(self._leaf_record(page, info, n - 1), key, default_rc)
        if c < 0:
            if not self._on_rightmost_path():
                return None
            top[2] = n - 1
            self.skip, self.eof = 0, False
            return -1
        if c > 0 and self._compare_key(self._leaf_record(page, info, 0), key, default_rc) > 0:
            return None
        return 1

    def table_move_to(self, rowid: int) -> int:
        """Seek ``rowid``: <0 on a smaller entry, 0 exact, >0 on a larger one.

        The hot path of every rowid look-up (a join's inner table, an index
        entry's row): a rowid within the leaf the cursor is on is found
        there; otherwise the descent reads pages from the pager's cache
        dict and ends as _land does, without further calls."""
        if self.state == _VALID:
            top = self.stack[-1]
            info = top[1]
            keys = info.keys
            if keys and info.leaf and keys[0] <= rowid <= keys[-1]:
                i = bisect_left(keys, rowid)
                top[2] = i
                self.skip = 0
                self.eof = False
                return 0 if keys[i] == rowid else 1
            near = self._table_move_near(rowid)
            if near is not None:
                return near
        pager = self.pager
        cache = pager.cache
        stack: list[list[Any]] = []
        pgno = self.root
        depth = 0
        while True:
            depth += 1
            if depth > 40:
                corrupt("tree too deep")
            page = cache.get(pgno)
            if page is None:
                page = pager.get_page(pgno)
            info = page.parsed
            if info is None:
                info = page_info(page)
            keys = info.keys
            if keys is None:
                keys = _table_keys(page, info)
            i = bisect_left(keys, rowid)
            if info.leaf:
                break
            stack.append([page, info, i])
            pgno = _unpack_u32(page.data, info.ptrs[i])[0] if i < info.ncell else info.right
        # (_land, written out)
        self.skip = 0
        n = info.ncell
        if n == 0:
            self.stack, self.state, self.eof = [], _INVALID, True
            return -1
        self.eof = False
        self.state = _VALID
        self.stack = stack
        if i < n:
            stack.append([page, info, i])
            return 0 if keys[i] == rowid else 1
        stack.append([page, info, n - 1])
        return -1

    def _page_sort_keys(self, page: Page, info: PageInfo) -> list[tuple] | None:
        """The sort_key() of each cell of an index page, built once per
        parsed page; None when a record overflows the page (its whole value
        is not kept) or holds a value of another type."""
        keys = info.sort_keys
        if keys is not None:
            return keys
        records = info.records
        if records is None:
            records = info.records = [None] * info.ncell
            self.btree.track_decoded(info)
        read_payload = self.btree.read_payload
        enc = self.pager.text_encoding
        cacheable = self.pager.usable_size
        if not info.intkey and None in records:
            # Decode the page's cells in one go (an interior cell's payload
            # follows its 4-byte child page number); what decode_cells
            # leaves undone (overflow, damage) is read one by one below.
            ptrs = info.ptrs if info.leaf else [p + 4 for p in info.ptrs]
            decode_cells(page.data, ptrs, False, ((cacheable - 12) * 64 // 255) - 23, enc,
                         records)
        key_fn = self.key_fn
        keys = []
        try:
            for i in range(info.ncell):
                rec = records[i]
                if rec is None:
                    payload = read_payload(page, info, i)
                    if len(payload) > cacheable:
                        return None
                    rec = records[i] = decode_record(payload, enc)
                keys.append(key_fn(rec))
        except KeyError:
            return None
        info.sort_keys = keys
        return keys

    def _index_move_to_sorted(self, key: Sequence[Any], default_rc: int,
                              probe: tuple | None = None) -> int | None:
        """index_move_to for a plain KeyInfo through each page's sort keys
        (bisect in C instead of comparing field by field in Python); None
        when a page cannot give its sort keys (nothing moved then).

        With ``s`` the key's sort_key(), a tie (an entry whose first fields
        equal the key) sorts as ``default_rc`` says: below every such entry
        for +1 (``s`` as is: a prefix sorts first), above them for -1 (``s``
        ended by _AFTER_ALL), and for 0 the first entry not below ``s``
        matches when its first fields are ``s``.  ``probe``: ``s`` when the
        caller has it."""
        if probe is None:
            try:
                probe = self.key_fn(key)
            except KeyError:
                return None
        nkey = len(probe)
        target = probe + _AFTER_ALL if default_rc < 0 else probe
        exact = default_rc == 0
        stack: list[list[Any]] = []
        pgno = self.root
        if self.state == _VALID:
            # The leaf the cursor is on, when the key falls within it or past
            # the end of the right-most leaf (appends, seeks near the last).
            top = self.stack[-1]
            page, info = top[0], top[1]
            n = info.ncell
            if info.leaf and n:
                keys = info.sort_keys
                if keys is None:
                    keys = self._page_sort_keys(page, info)
                    if keys is None:
                        return None
                if keys[-1] < target:
                    if self._on_rightmost_path():
                        top[2] = n - 1
                        self.skip, self.eof = 0, False
                        return -1
                elif keys[0] < target or (exact and keys[0][:nkey] == probe):
                    stack = [list(x) for x in self.stack[:-1]]
                    pgno = page.pgno
        pager = self.pager
        cache = pager.cache
        depth = 0
        while True:
            depth += 1
            if depth > 40:
                corrupt("tree too deep")
            page = cache.get(pgno)
            if page is None:
                page = pager.get_page(pgno)
            info = page.parsed
            if info is None:
                info = page_info(page)
            keys = info.sort_keys
            if keys is None:
                keys = self._page_sort_keys(page, info)
                if keys is None:
                    return None
            lo = bisect_left(keys, target)
            if exact and lo < info.ncell and keys[lo][:nkey] == probe:
                stack.append([page, info, lo])
                self.stack, self.state, self.eof, self.skip = stack, _VALID, False, 0
                return 0
            if info.leaf:
                break
            stack.append([page, info, lo])
            pgno = _unpack_u32(page.data, info.ptrs[lo])[0] if lo < info.ncell else info.right
        # (_land, written out)
        self.skip = 0
        n = info.ncell
        if n == 0:
            self.stack, self.state, self.eof = [], _INVALID, True
            return -1
        self.eof = False
        self.state = _VALID
        self.stack = stack
        if lo < n:
            stack.append([page, info, lo])
            return 1
        stack.append([page, info, n - 1])
        return -1

    def entry_positions(self, limit: int) -> dict[tuple, tuple] | None:
        """Where each entry of this index cursor's tree lies, for look-ups
        that would otherwise seek from the root: the entry's fields (a
        tuple) -> (interior path, page, parsed page, cell), the path a
        tuple of (page, parsed page, child) levels, the first of equal
        entries as a seek finds it.  Pages are walked directly (no cursor
        moves) and decoded records kept in their parsed views as record()
        does.  None beyond ``limit`` entries or in a damaged tree."""
        positions: dict[tuple, tuple] = {}
        get = self.pager.get_page
        read_payload = self.btree.read_payload
        track = self.btree.track_decoded
        enc = self.pager.text_encoding
        usable = self.pager.usable_size
        max_local = ((usable - 12) * 64 // 255) - 23
        pages_left = [self.pager.page_count]

        def records_of(page: Page, info: PageInfo) -> list[Any]:
            records = info.records
            if records is None:
                records = info.records = [None] * info.ncell
                track(info)
                if info.leaf:
                    # A leaf's cells in one go, as record() decodes them
                    # on a scan's first read (about half the time of a
                    # read_payload and decode_record per cell).
                    decode_cells(page.data, info.ptrs, False, max_local, enc, records)
            out = records
            for i, rec in enumerate(records):
                if rec is None:
                    payload = read_payload(page, info, i)
                    rec = decode_record(payload, enc)
                    if len(payload) <= usable:
                        records[i] = rec
                    else:
                        out = list(out) if out is records else out
                        out[i] = rec
            return out

        def walk(pgno: int, path: tuple, depth: int) -> bool:
            pages_left[0] -= 1
            if depth > 40 or pages_left[0] < 0:
                return False
            page = get(pgno)
            info = page_info(page)
            if info.intkey:
                return False
            records = records_of(page, info)
            if info.leaf:
                for i, rec in enumerate(records):
                    positions.setdefault(tuple(rec), (path, page, info, i))
            else:
                data = page.data
                ptrs = info.ptrs
                for i, rec in enumerate(records):
                    if not walk(_unpack_u32(data, ptrs[i])[0], path + ((page, info, i),), depth + 1):
                        return False
                    positions.setdefault(tuple(rec), (path, page, info, i))
                if not walk(info.right, path + ((page, info, info.ncell),), depth + 1):
                    return False
            return len(positions) <= limit

        return positions if walk(self.root, (), 1) else None

    def index_move_to(self, key: Sequence[Any], default_rc: int) -> int:
        """Seek an unpacked index key, as table_move_to; ``default_rc`` breaks prefix ties."""
        key_info = self.key_info
        if self.key_fn is not None and len(key) <= len(key_info.collations):
            moved = self._index_move_to_sorted(key, default_rc)
            if moved is not None:
                return moved
        stack: list[list[Any]] = []
        pgno = self.root
        if self.state == _VALID:
            near = self._index_leaf_holds(key, default_rc)
            if near is not None:
                if near < 0:
                    return near
                # Search the cursor's leaf only (its path stays the same).
                stack = [list(x) for x in self.stack[:-1]]
                pgno = self.stack[-1][0].pgno
        get = self.pager.get_page
        key_info = self.key_info
        compare = key_info.compare
        # A plain key (BINARY, ASC fields) compares inline, field by field,
        # as values.compare_keys would; other KeyInfos call it directly.
        is_key_info = type(key_info) is KeyInfo
        plain = is_key_info and key_info._plain
        nkey = len(key)
        enc = self.pager.text_encoding
        read_payload = self.btree.read_payload
        cacheable = self.pager.usable_size
        depth = 0
        while True:
            depth += 1
            if depth > 40:
                corrupt("tree too deep")
            page = get(pgno)
            info = page_info(page)
            records = info.records
            if records is None:
                records = info.records = [None] * info.ncell
                self.btree.track_decoded(info)
            lo, hi = 0, info.ncell
            found = -1
            while lo < hi:
                mid = (lo + hi) >> 1
                rec = records[mid]
                if rec is None:
                    payload = read_payload(page, info, mid)
                    rec = decode_record(payload, enc)
                    if len(payload) <= cacheable:
                        records[mid] = rec
                if plain:
                    c = 0
                    for i in range(nkey if nkey <= len(rec) else len(rec)):
                        x = rec[i]
                        y = key[i]
                        t = type(x)
                        if t is type(y) and (t is int or t is str or t is float):
                            if x == y:
                                continue
                            c = 1 if x > y else -1
                        else:
                            c = compare_values(x, y)
                            if not c:
                                continue
                        break
                    c = c or default_rc
                elif is_key_info:
                    c = compare_keys(rec, key, key_info) or default_rc
                else:
                    c = compare(rec, key) or default_rc
                if c < 0:
                    lo = mid + 1
                elif c > 0:
                    hi = mid
                else:
                    found = mid
                    break
            if found >= 0:
                stack.append([page, info, found])
                self.stack, self.state, self.eof, self.skip = stack, _VALID, False, 0
                return 0
            if info.leaf:
                break
            stack.append([page, info, lo])
            pgno = _unpack_u32(page.data, info.ptrs[lo])[0] if lo < info.ncell else info.right
        self.skip = 0
        n = info.ncell
        if n == 0:
            if stack:
                # Empty leaf under an interior page (damaged file): treat as smaller.
                self.stack, self.state, self.eof = [], _INVALID, True
                return -1
            self.stack, self.state, self.eof = [], _INVALID, True
            return -1
        self.eof = False
        self.state = _VALID
        if lo < n:
            stack.append([page, info, lo])
            self.stack = stack
            return 1
        stack.append([page, info, n - 1])
        self.stack = stack
        return -1

    # -- reading ------------------------------------------------------------

    def _top(self) -> list[Any]:
        if self.state != _VALID:
            if self.state == _SAVED:
                self._restore()
            if self.state != _VALID:
                corrupt("cursor not on an entry")
        return self.stack[-1]

    def rowid(self) -> int:
        page, info, idx = self.stack[-1] if self.state == _VALID else self._top()
        keys = info.keys if info.keys is not None else _table_keys(page, info)
        return keys[idx]

    def payload(self) -> bytes:
        page, info, idx = self._top()
        return self.btree.read_payload(page, info, idx)

    def record(self) -> list[Any]:
        """The decoded record under the cursor, cached in the page's parsed
        view: repeated scans and seeks decode each cell once for as long as
        the page stays in the cache unchanged.  Records that overflow the
        page are not kept, so that the cache's size follows the pages'.
        Callers must not modify the list."""
        page, info, idx = self.stack[-1] if self.state == _VALID else self._top()
        records = info.records
        if records is None:
            records = info.records = [None] * info.ncell
            self.btree.track_decoded(info)
        rec = records[idx]
        if rec is None:
            if idx == 0 and info.leaf:
                # A scan's first read of a leaf (a seek seldom lands on the
                # first cell): decode all its cells in one go.
                u = self.pager.usable_size
                decode_cells(page.data, info.ptrs, info.intkey,
                             u - 35 if info.intkey else ((u - 12) * 64 // 255) - 23,
                             self.pager.text_encoding, records)
                rec = records[0]
                if rec is not None:
                    return rec
            payload = self.btree.read_payload(page, info, idx)
            rec = decode_record(payload, self.pager.text_encoding)
            if len(payload) <= self.pager.usable_size:
                records[idx] = rec    # (overflowing records are not kept)
        return rec

    def count(self) -> int:
        return self.btree._count(self.root)

    # -- writing --------------------------------------------------------------

    def insert(self, rowid: int | None, payload: bytes, key: list[Any] | None = None) -> None:
        """Insert (or replace) an entry: a rowid and record for tables, a key
        record for indexes.  ``key``, when the caller has it, is the index
        record's decoded fields (None, int, float, str, bytes), which spares
        decoding ``payload`` again (SQLite's IdxInsert P3/P4 unpacked key);
        for a table, the row's decoded fields, which the leaf's record cache
        keeps when the cell is written in place (a scan after an UPDATE then
        finds the rows decoded, as after a read).  Either must equal
        decode_record(payload) field for field and not be modified later."""
        bt = self.btree
        on_tree = bt.cursors.get(self.root)
        if on_tree is not None and (len(on_tree) > 1 or on_tree[0] is not self):
            bt._save_cursors(self.root, self)
        usable = self.pager.usable_size
        size = len(payload)
        cell: bytes | None = None
        if self.intkey:
            assert rowid is not None
            c = None
            if self.state == _VALID:
                top = self.stack[-1]
                keys = top[1].keys
                if keys and top[1].leaf:
                    if top[2] < len(keys) and keys[top[2]] == rowid:
                        c = 0       # on the row already (an UPDATE's): no seek
                    elif (rowid > keys[-1] and size <= usable - 35
                          and self._append(rowid, payload, key)):
                        return
            if c is None:
                try:
                    c = self.table_move_to(rowid)
                except Exception:        # IOPending: wait and retry (_seek_sync)
                    c = self._seek_sync(lambda: self.table_move_to(rowid))
            if size <= usable - 35:
                # All of it local (_local_size): the size and rowid varints
                # and the payload, in at least 4 bytes.
                head = ((_VARINT1[size] if size < 128 else put_varint(size))
                        + (_VARINT1[rowid] if 0 <= rowid < 128
                           else bytes(((rowid >> 7) | 0x80, rowid & 0x7F)) if 0 < rowid < 0x4000
                           else put_varint(rowid)))
                cell = head + payload
                if len(cell) < 4:
                    cell += bytes(4 - len(cell))
                if not c and self.state == _VALID:
                    # An UPDATE's row: of the same size, the usual case
                    # (_replace_same_size), or grown or shrunk, moved within
                    # its leaf when there is room (_resize_cell_inplace).
                    if size < 128 and self._replace_same_size(head, cell, key):
                        return
                    top = self.stack[-1]
                    if top[1].leaf and bt._resize_cell_inplace(top[0], top[1], top[2], cell, key):
                        self.eof, self.skip = False, 0
                        return
            else:
                cell = bt._make_cell(PTYPE_TABLE_LEAF, rowid, payload)
            saved: Any = rowid
            known: Any = rowid
            skey = None
            # (a record that overflows is not kept: see record())
            row = key if size <= usable else None
        else:
            if (key is not None and 3 <= size < 128 and self.key_fn is not None
                    and self._insert_index_fast(payload, key, size)):
                return
            if key is None:
                key = decode_record(payload, self.pager.text_encoding)
            c, skey = self._seek_to_insert(key)
            if 3 <= size < 128 and size <= ((usable - 12) * 64 // 255) - 23:
                # The usual index entry: its size in one varint byte, all
                # local (a leaf cell; an interior one has its child first).
                cell = bytes((size,)) + payload
            saved = key
            known = key if size <= usable else None
            if known is None:
                skey = None
            row = None
        if c and cell is not None and self.state == _VALID:
            # The usual case: a new entry on the leaf the seek found, with
            # room there.  The cursor rests on it, so that the next insert
            # near it (sorted keys, a unique check's seek) finds its place
            # without descending from the root (_table_move_near).
            top = self.stack[-1]
            info = top[1]
            if info.leaf:
                pos = top[2] if c > 0 else top[2] + 1
                if bt._insert_cell_inplace(top[0], info, pos, cell, known, skey, row):
                    top[2] = pos
                    self.eof, self.skip = False, 0
                    return
        if self.state != _VALID:
            # Empty tree: the root is the leaf.
            root = self.pager.get_page_sync(self.root)
            info = page_info(root)
            path = [[root, info, 0]]
            pos = 0
            replace = False
        else:
            path = [list(x) for x in self.stack]
            page, info, idx = path[-1]
            replace = c == 0
            pos = idx if c >= 0 else idx + 1
        page, info, _ = path[-1]
        if not self.intkey and (cell is None or not info.leaf):
            ctype = PTYPE_INDEX_LEAF if info.leaf else PTYPE_INDEX_INTERIOR
            child = 0
            if replace and not info.leaf:
                child = _unpack_u32(page.data, info.ptrs[pos])[0]
            cell = bt._make_cell(ctype, None, payload, child)
        assert cell is not None
        if replace:
            ov = bt._cell_overflow(page, info, pos)
            if ov:
                bt._free_overflow(ov)
            if bt._overwrite_cell_inplace(page, info, pos, cell, known, row):
                path[-1][2] = pos
                self.stack, self.state, self.eof, self.skip = path, _VALID, False, 0
                return
            if bt._drop_cell_inplace(page, info, pos):
                replace = False
        if not replace and bt._insert_cell_inplace(page, info, pos, cell, known, skey, row):
            # No page moved: the cursor rests on the new entry, so that the
            # next insert near it (sorted keys, a unique check's seek) finds
            # its place without descending from the root (_move_near).
            path[-1][2] = pos
            self.stack, self.state, self.eof, self.skip = path, _VALID, False, 0
            return
        if (not replace and info.leaf and pos == info.ncell and len(path) > 1
                and path[-2][2] == path[-2][1].ncell):
            # An append past the end of a full leaf that is its parent's
            # right-most child: a new leaf takes the new entry alone.
            new = bt._balance_quick(path, cell, known, skey)
            if new is not None:
                bt.quick_balances += 1
                parent_level = path[-2]
                parent_level[2] = parent_level[1].ncell
                self.stack = [*path[:-1], [new, page_info(new), 0]]
                self.state, self.eof, self.skip = _VALID, False, 0
                return
        decoded = None
        if (skey is not None and known is not None and not replace and info.leaf
                and info.sort_keys is not None and info.records is not None
                and len(info.sort_keys) == len(info.records) == info.ncell):
            # The leaf's records and sort keys, all known (a page whose sort
            # keys are cached has every record cached), go to the split pages.
            records = list(info.records)
            records.insert(pos, known)
            keys = list(info.sort_keys)
            keys.insert(pos, skey)
            decoded = (records, keys)
        _, cells = bt._page_cells(page)
        if replace:
            cells[pos] = cell
        else:
            cells.insert(pos, cell)
        bt._insert_cells(path, cells, info.right, decoded)
        self.state = _SAVED
        self.saved_key = saved
        self.stack = []
        self.hint = None

    def _append(self, rowid: int, payload: bytes, row: list[Any] | None) -> bool:
        """insert() of a table row past the last one, the cursor on the
        right-most leaf (NewRowid's rowid after last(), or the previous
        append), all local, into that leaf's gap when it has room and no
        freeblocks: the cell, its pointer and the header's cell count and
        content start written where they go, the parsed view's lists
        appended to.  No seek (SQLite's append bias).  False, with nothing
        changed, when any of that does not hold."""
        top = self.stack[-1]
        info = top[1]
        keys = info.keys
        if not keys or rowid <= keys[-1] or not info.leaf:
            return False
        for level in self.stack[:-1]:
            if level[2] != level[1].ncell:
                return False        # (not the right-most leaf)
        page = top[0]
        data = page.data
        hdr = info.hdr
        if data[hdr + 1] or data[hdr + 2]:
            return False            # freeblocks: _insert_cell_inplace's choice
        size = len(payload)
        if 0 <= rowid < 128:
            head = _VARINT1[rowid]
        elif 0 < rowid < 0x4000:
            head = bytes(((rowid >> 7) | 0x80, rowid & 0x7F))
        else:
            head = put_varint(rowid)
        cell = (_VARINT1[size] if size < 128 else put_varint(size)) + head + payload
        n = len(cell)
        if n < 4:
            return False
        content = (data[hdr + 5] << 8 | data[hdr + 6]) or 65536
        ncell = info.ncell
        ptr_end = hdr + 8 + 2 * ncell
        new = content - n
        if new < ptr_end + 2 or content > self.pager.usable_size:
            return False
        self.pager.make_writable(page)
        data[new:content] = cell
        _U16.pack_into(data, ptr_end, new)
        _U16X2.pack_into(data, hdr + 3, ncell + 1, new)
        info.ptrs.append(new)
        info.ncell = ncell + 1
        keys.append(rowid)
        records = info.records
        if records is not None:
            records.append(row)
        page.parsed = info
        top[2] = ncell
        self.eof, self.skip = False, 0
        return True

    def largest_rowid(self) -> int:
        """last(), and the rowid there: the largest rowid of the table, 0
        when it is empty (NewRowid).  A cursor already on the right-most
        leaf whose rowids are known (after an append) answers from them."""
        if self.state == _VALID:
            top = self.stack[-1]
            info = top[1]
            keys = info.keys
            if keys and info.leaf:
                for level in self.stack[:-1]:
                    if level[2] != level[1].ncell:
                        break
                else:
                    top[2] = info.ncell - 1
                    self.skip, self.eof = 0, False
                    return keys[-1]  # type: ignore[no-any-return]
        if self.last():
            return 0
        return self.rowid()

    def _replace_same_size(self, head: bytes, cell: bytes, row: list[Any] | None) -> bool:
        """Write table leaf ``cell`` over the cell under the cursor, which
        holds the same rowid, when that one starts with the same ``head``
        (payload size in one byte, rowid): then it is as long, all local,
        and the bytes change where they lie (no seek, no path copy, no
        overflow check: the common UPDATE).  ``row`` is as for insert().
        False when the sizes differ (nothing changed)."""
        page, info, idx = self.stack[-1]
        start = info.ptrs[idx]
        n = len(head)
        if page.data[start:start + n] != head:
            return False
        self.pager.make_writable(page)
        page.data[start:start + len(cell)] = cell
        records = info.records
        if records is not None:
            records[idx] = row
        page.parsed = info
        self.eof, self.skip = False, 0
        return True

    def _insert_index_fast(self, payload: bytes, key: list[Any], size: int) -> bool:
        """insert() of the usual index entry in one pass: a small record
        (its cell is its size byte and the record) under a key that has a
        sort_key(), a new entry (no equal one) on a leaf with room for it.
        The seek is _index_move_to_sorted's (_index_insert_position), the
        edit _insert_cell_inplace's; the cursor ends on the new entry as
        insert() leaves it.  False when any of that does not hold, with
        nothing changed (insert() then takes its general path; a read that
        raised IOPending, too)."""
        if len(key) > len(self.key_info.collations):
            return False
        if size > ((self.pager.usable_size - 12) * 64 // 255) - 23:
            return False
        try:
            skey = self.key_fn(key)
        except KeyError:
            return False
        try:
            where = self._index_insert_position(skey)
        except Exception:            # IOPending and the like: the general path
            return False
        if where is None:
            return False
        page, info, pos, stack = where
        if stack is None:            # on the cursor's own leaf
            return self._put_index_cell(page, info, pos, payload, size, key, skey,
                                        self.stack[-1])
        top = [page, info, pos]
        if not self._put_index_cell(page, info, pos, payload, size, key, skey, top):
            return False
        stack.append(top)
        self.stack, self.state = stack, _VALID
        return True

    def _index_insert_position(self, skey: tuple) -> tuple | None:
        """Where an entry with sort key ``skey`` goes: (leaf, its parsed
        view, index, interior path), the path None when the leaf is the
        one the cursor is on (the key falls within it, or past the end of
        the right-most leaf: sorted inserts, the insert after a unique
        check's seek), else found from the root.  None when an entry
        equal to it exists or a page has no sort keys.  Moves nothing."""
        nkey = len(skey)
        if self.state == _VALID:
            top = self.stack[-1]
            page, info = top[0], top[1]
            n = info.ncell
            if info.leaf and n:
                keys = info.sort_keys
                if keys is None:
                    keys = self._page_sort_keys(page, info)
                    if keys is None:
                        return None
                if keys[-1] < skey:
                    if self._on_rightmost_path():
                        return page, info, n, None
                elif keys[0] < skey:
                    pos = bisect_left(keys, skey)
                    if keys[pos][:nkey] == skey:
                        return None
                    return page, info, pos, None
        get = self.pager.get_page
        stack = []
        pgno = self.root
        depth = 0
        while True:
            depth += 1
            if depth > 40:
                return None
            page = get(pgno)
            info = page.parsed
            if info is None:
                info = page_info(page)
            keys = info.sort_keys
            if keys is None:
                keys = self._page_sort_keys(page, info)
                if keys is None:
                    return None
            lo = bisect_left(keys, skey)
            n = info.ncell
            if lo < n and keys[lo][:nkey] == skey:
                return None
            if info.leaf:
                return page, info, lo, stack
            stack.append([page, info, lo])
            pgno = _unpack_u32(page.data, info.ptrs[lo])[0] if lo < n else info.right

    def _put_index_cell(self, page: Page, info: PageInfo, pos: int, payload: bytes,
                        size: int, key: list[Any], skey: tuple, top: list[Any]) -> bool:
        """The edit of _insert_index_fast: the cell of ``payload`` at ``pos``
        of leaf ``page`` in place, the cursor's leaf level ``top`` on it."""
        if not self.btree._insert_cell_inplace(page, info, pos, bytes((size,)) + payload,
                                               key, skey):
            return False
        top[2] = pos
        self.eof, self.skip = False, 0
        return True

    def append_sorted(self, payload: bytes) -> None:
        """Add an index entry that sorts after every entry added so far (an
        index being filled from its sorter).  Into an empty tree the
        entries are held back and written at once by finish_appends(),
        pages packed full from the bottom up (bulk_load), instead of one
        seek and in-place insert per entry; into a tree that already holds
        entries this is insert()."""
        appends = self.appends
        if appends is None:
            root = self.pager.get_page_sync(self.root)
            if self.intkey or page_info(root).ncell:
                self.insert(None, payload)
                return
            appends = self.appends = []
        appends.append(payload)

    def finish_appends(self) -> None:
        """Write the entries held back by append_sorted() into the tree."""
        appends = self.appends
        if not appends:
            return
        self.appends = None
        bt = self.btree
        bt._save_cursors(self.root, self)
        bt.bulk_load(self.root, [(None, p) for p in appends])
        self.stack, self.state, self.eof, self.skip = [], _INVALID, True, 0

    def _seek_to_insert(self, key: list[Any]) -> tuple[int, tuple | None]:
        """index_move_to(key, 0) for an insert, and the key's sort_key()
        when the seek computed it (a plain KeyInfo), which the page's
        sort-key cache then takes as is (_insert_cell_inplace)."""
        key_fn = self.key_fn
        if key_fn is not None and len(key) <= len(self.key_info.collations):
            try:
                skey = key_fn(key)
            except KeyError:
                skey = None
            if skey is not None:
                try:
                    c = self._index_move_to_sorted(key, 0, skey)
                except Exception:      # IOPending: wait and retry (as _seek_sync)
                    c = self._seek_sync(lambda: self._index_move_to_sorted(key, 0, skey))
                if c is not None:
                    return c, skey
        return self._seek_sync(lambda: self.index_move_to(key, 0)), None

    def _seek_sync(self, seek: Any) -> int:
        while True:
            try:
                return seek()
            except Exception as e:  # IOPending on a write path: wait and retry
                from pyrite.io.base import IOPending
                if not isinstance(e, IOPending):
                    raise
                e.completion.wait()

    def delete(self) -> None:
        """Delete the entry under the cursor; the cursor then sits between its neighbours."""
        page, info, idx = self.stack[-1] if self.state == _VALID else self._top()
        bt = self.btree
        if info.intkey:
            keys = info.keys
            saved: Any = (keys if keys is not None else _table_keys(page, info))[idx]
        else:
            records = info.records
            saved = records[idx] if records is not None else None
            if saved is None:
                saved = self.record()
        on_tree = bt.cursors.get(self.root)
        if on_tree is not None and (len(on_tree) > 1 or on_tree[0] is not self):
            bt._save_cursors(self.root, self)
        # (The cursor leaves its path below: the edits may use it as is.)
        path = self.stack
        usable = self.pager.usable_size
        data = page.data
        if info.leaf:
            size = data[info.ptrs[idx]]
            if (size < 0x80 and (info.intkey or size <= ((usable - 12) * 64 // 255) - 23)
                    and bt._drop_cell_inplace(page, info, idx)):
                # The usual cell: its payload's size in one varint byte and
                # all of it local (no overflow chain), dropped in place.
                # A leaf left a third full (or the root) is done: the
                # cursor resumes on its path (_resume_at) instead of
                # seeking its key.  (_used_bytes inline: the drop loaded
                # the free list.)
                n_left = info.ncell
                hdr = info.hdr
                if len(path) == 1 or n_left and (
                        usable - ((data[hdr + 5] << 8 | data[hdr + 6]) or 65536)
                        + 2 * n_left - info.nfree) * 3 >= usable - hdr - 8:
                    self.state = _SAVED
                    self.saved_key = saved
                    self.stack = []
                    self.hint = path
                    return
                self._park(saved, None, self._mend_leaf(path, n_left))
                return
        reinsert: list[bytes] = []
        size = data[info.ptrs[idx] + (0 if info.leaf else 4)]
        ov = (bt._cell_overflow(page, info, idx)
              if size >= 0x80 or size > (usable - 35 if info.intkey
                                         else ((usable - 12) * 64 // 255) - 23) else 0)
        resume = False
        if not info.leaf and (leaf_path := self._replace_by_predecessor(path, page, info, idx)):
            if ov:
                bt._free_overflow(ov)
            if page_info(leaf_path[-1][0]).ncell == 0:
                reinsert = self._remove_empty(leaf_path)
        elif not info.leaf:
            # Index entry in an interior page: replace it by its predecessor.
            left = _unpack_u32(page.data, info.ptrs[idx])[0]
            sub: list[list[Any]] = []
            self._descend_last(sub, left)
            lpage, linfo, lidx = sub[-1]
            pred_payload = bt.read_payload(lpage, linfo, lidx)
            _, cells = bt._page_cells(page)
            if ov:
                bt._free_overflow(ov)
            lov = bt._cell_overflow(lpage, linfo, lidx)
            _, lcells = bt._page_cells(lpage)
            del lcells[lidx]
            if lov:
                bt._free_overflow(lov)
            bt._write_page(lpage, linfo.ptype, lcells, 0)
            cells[idx] = bt._make_cell(PTYPE_INDEX_INTERIOR, None, pred_payload, left)
            leaf_path = path + sub
            bt._insert_cells(path, cells, info.right)
            # The leaf may now be empty; the path is valid only if no split moved it.
            leaf_path = self._refresh(leaf_path)
            if leaf_path is not None and page_info(leaf_path[-1][0]).ncell == 0:
                reinsert = self._remove_empty(leaf_path)
        else:
            resume = bt._drop_cell_inplace(page, info, idx)
            if resume:
                n_left = info.ncell
                # (_used_bytes: the free list is loaded by the drop)
                data = page.data
                hdr = info.hdr
                used = (usable - ((data[hdr + 5] << 8 | data[hdr + 6]) or 65536)
                        + 2 * n_left - info.nfree)
            else:
                _, cells = bt._page_cells(page)
                del cells[idx]
                bt._write_page(page, info.ptype, cells, 0)
                n_left = len(cells)
                used = sum(len(c) + 2 for c in cells)
            if ov:
                bt._free_overflow(ov)
            if len(path) > 1 and (not n_left or used * 3 < bt._capacity(page.pgno, True)):
                reinsert = self._mend_leaf(path, n_left)
                resume = False
        self._park(saved, path if resume else None, reinsert)

    def _mend_leaf(self, path: list[list[Any]], n_left: int) -> list[bytes]:
        """After a delete left the leaf at the end of ``path`` (not the
        root) empty (``n_left`` cells) or less than a third full: take an
        empty leaf out of the tree, or merge the leaf with a sibling.
        Returns the index payloads that had to leave an interior page
        (_remove_empty), to be inserted again."""
        if not n_left:
            return self._remove_empty(path)
        self._merge_leaf(path)
        return []

    def _park(self, saved: Any, hint: list[list[Any]] | None, reinsert: list[bytes]) -> None:
        """End a delete: the path is stale now, so the cursor is parked on
        the deleted key (``saved``) before entries that had to leave an
        interior page are inserted again (re-insertion saves other
        cursors).  ``hint``: the path, when only the leaf lost the cell in
        place, where the cursor resumes (_resume_at) without a seek."""
        self.state = _SAVED
        self.saved_key = saved
        self.stack = []
        self.hint = hint
        bt = self.btree
        for payload in reinsert:
            tmp = bt.cursor(self.root, write=True, key_info=self.key_info)
            try:
                tmp.insert(None, payload)
            finally:
                tmp.close()

    def _replace_by_predecessor(self, path: list[list[Any]], page: Page, info: PageInfo,
                                idx: int) -> list[list[Any]] | None:
        """Delete index entry ``idx`` of interior ``page`` (the end of
        ``path``) in place: its predecessor, the last entry of the subtree
        left of it, moves up into its cell (same child pointer) and leaves
        its leaf, both pages patched in place with their parsed caches kept
        (SQLite's dropCell + insertCell in clearCell's stead) instead of
        rewritten from their cell lists.  Returns the path to the
        predecessor's leaf, which may now be empty; None when the
        predecessor overflows or the interior page has no room for it
        (nothing changed: the caller rewrites).  The deleted cell's own
        overflow chain is the caller's."""
        bt = self.btree
        data = page.data
        left = _unpack_u32(data, info.ptrs[idx])[0]
        sub: list[list[Any]] = []
        self._descend_last(sub, left)
        lpage, linfo, lidx = sub[-1]
        if lidx < 0 or bt._cell_overflow(lpage, linfo, lidx):
            return None
        cell = _U32.pack(left) + bt._cell_bytes(lpage, linfo, lidx)
        start = info.ptrs[idx]
        same_size = bt._cell_end(data, info, start) - start == len(cell)
        hdr = info.hdr
        content = (data[hdr + 5] << 8 | data[hdr + 6]) or 65536
        if not same_size and (content > self.pager.usable_size
                              or content - (hdr + 12 + 2 * info.ncell) < len(cell)):
            return None
        # The predecessor's decoded record and sort key, when its leaf has them.
        key = skey = None
        records = linfo.records
        if records is not None and len(records) == linfo.ncell:
            key = records[lidx]
            skeys = linfo.sort_keys
            if key is not None and skeys is not None and len(skeys) == linfo.ncell:
                skey = skeys[lidx]
        if same_size:
            if not bt._overwrite_cell_inplace(page, info, idx, cell, key):
                return None
            if info.sort_keys is not None:
                if skey is not None:
                    info.sort_keys[idx] = skey
                else:
                    info.sort_keys = None
        else:
            if not bt._drop_cell_inplace(page, info, idx):
                return None
            if not bt._insert_cell_inplace(page, info, idx, cell, key, skey):
                corrupt()       # (cannot happen: the gap holds the cell)
        if not bt._drop_cell_inplace(lpage, linfo, lidx):
            _, lcells = bt._page_cells(lpage)
            del lcells[lidx]
            bt._write_page(lpage, linfo.ptype, lcells, 0)
        return path + sub

    def _refresh(self, path: list[list[Any]]) -> list[list[Any]] | None:
        out = []
        for page, _, idx in path:
            page = self.pager.get_page_sync(page.pgno)
            out.append([page, page_info(page), idx])
        # Validate child links still match (a split may have moved things).
        for (p, i, idx), (c, _, _) in zip(out, out[1:]):
            if i.leaf or idx > i.ncell or self._child(p, i, idx) != c.pgno:
                return None
        return out

    def _merge_leaf(self, path: list[list[Any]]) -> None:
        """Merge the underfull leaf at the end of ``path`` with a sibling when
        both fit in one page (the merging half of SQLite's balance_nonroot):
        the right sibling first, else the left one (leaves packed full by
        appends, emptied in key order, merge into the leaf before them)."""
        bt = self.btree
        pager = self.pager
        parent, _, pidx = path[-2]
        pinfo = page_info(parent)
        n = pinfo.ncell
        if n == 0:
            return
        pdata = parent.data
        for left_i in (pidx, pidx - 1) if 0 < pidx < n else (pidx if pidx < n else n - 1,):
            left_no = _unpack_u32(pdata, pinfo.ptrs[left_i])[0]
            right_no = (_unpack_u32(pdata, pinfo.ptrs[left_i + 1])[0] if left_i + 1 < n
                        else pinfo.right)
            left = pager.get_page_sync(left_no)
            right = pager.get_page_sync(right_no)
            if bt._may_merge(left, right, bt._capacity(right.pgno, True)):
                break
        else:
            return
        _, pcells = bt._page_cells(parent)
        linfo, lcells = bt._page_cells(left)
        rinfo, rcells = bt._page_cells(right)
        if not (linfo.leaf and rinfo.leaf):
            return
        if pinfo.intkey:
            combined = lcells + rcells
        else:
            divider = pcells[left_i][4:]
            if len(divider) < 4:
                divider += bytes(4 - len(divider))
            combined = lcells + [divider] + rcells
        if sum(len(c) + 2 for c in combined) > bt._capacity(right.pgno, True):
            return
        caches = self._merged_caches(linfo, rinfo, pinfo, left_i, len(combined))
        bt._write_page(right, rinfo.ptype, combined, 0)
        self._keep_caches(right, caches)
        if n > 1:
            # The divider leaves the parent in place (its caches stay): the
            # child pointer after it, now the merged page's, covers both.
            if not bt._drop_cell_inplace(parent, pinfo, left_i):
                del pcells[left_i]
                bt._write_page(parent, pinfo.ptype, pcells, pinfo.right)
            pager.free_page(left_no)
            return
        pager.free_page(left_no)
        # The parent is left with one child.
        if len(path) == 2:
            need = sum(len(c) + 2 for c in combined)
            if need <= bt._capacity(parent.pgno, True):
                bt._write_page(parent, rinfo.ptype, combined, 0)
                self._keep_caches(parent, caches)
                pager.free_page(right.pgno)
                return
            bt._write_page(parent, pinfo.ptype, [], right.pgno)
            return
        bt._write_page(parent, pinfo.ptype, [], right.pgno)
        self._fill_cellless(path[:-1])

    @staticmethod
    def _merged_caches(linfo: PageInfo, rinfo: PageInfo, pinfo: PageInfo, left_i: int,
                       n: int) -> tuple[Any, Any, Any]:
        """The parsed caches of a leaf merged from the cells of two leaves
        (``linfo``, ``rinfo``) and, in an index, the parent's divider
        ``left_i`` between them: (rowids, decoded records, sort keys), each
        None where a part is not known, so that the next seek on the merged
        page does not decode its ``n`` cells again."""
        lrec, rrec = linfo.records, rinfo.records
        if linfo.intkey:
            lkeys, rkeys = linfo.keys, rinfo.keys
            keys = lkeys + rkeys if lkeys is not None and rkeys is not None else None
            records = lrec + rrec if lrec is not None and rrec is not None else None
            return keys, records, None
        prec = pinfo.records
        if lrec is None or rrec is None or prec is None or len(prec) != pinfo.ncell:
            return None, None, None
        records = [*lrec, prec[left_i], *rrec]
        lsk, rsk, psk = linfo.sort_keys, rinfo.sort_keys, pinfo.sort_keys
        skeys = None
        if lsk is not None and rsk is not None and psk is not None and len(psk) == pinfo.ncell:
            skeys = [*lsk, psk[left_i], *rsk]
            if len(skeys) != n:
                skeys = None
        return None, records, skeys

    def _keep_caches(self, page: Page, caches: tuple[Any, Any, Any]) -> None:
        """Give ``page``, just written whole, the caches _merged_caches
        worked out (those whose length matches its cells)."""
        keys, records, skeys = caches
        info = page_info(page)
        n = info.ncell
        if keys is not None and len(keys) == n:
            info.keys = keys
        if records is not None and len(records) == n:
            info.records = records
            if skeys is not None:
                info.sort_keys = skeys
            self.btree.track_decoded(info)

    def _fill_cellless(self, path: list[list[Any]]) -> None:
        """Mend the interior page at the end of ``path``, left without
        cells (its right child only) by a delete: sqlite3 rejects such a
        page below the root, and putting its child in its place would leave
        that child's leaves a level above the others ("Child page depth
        differs").  With its sibling (the next child of its parent, or the
        previous one for a right-most child) and the parent's divider
        between them: the two merge into the sibling when they fit, the
        divider coming down; else the sibling lends the page one cell, the
        divider coming down and the sibling's end cell going up in its
        place.  A parent left without cells in turn is mended the same way;
        a root with one child takes its content."""
        bt = self.btree
        pager = self.pager
        while len(path) > 1:
            page = path[-1][0]
            info = page_info(page)
            if info.leaf or info.ncell:
                return
            child = info.right
            gpage, _, gi = path[-2]
            ginfo, gcells = bt._page_cells(gpage)
            gright = ginfo.right
            if not gcells:
                corrupt("interior page without cells")
            right_sibling = gi < len(gcells)
            di = gi if right_sibling else gi - 1          # the divider's cell
            sno = ((_unpack_u32(gcells[gi + 1], 0)[0] if gi + 1 < len(gcells) else gright)
                   if right_sibling else _unpack_u32(gcells[di], 0)[0])
            spage = pager.get_page_sync(sno)
            sinfo, scells = bt._page_cells(spage)
            if sinfo.leaf or not scells:
                corrupt("interior page without cells")
            down = gcells[di][4:]
            if right_sibling:
                moved = _U32.pack(child) + down
                merged, sright = [moved, *scells], sinfo.right
            else:
                moved = _U32.pack(sinfo.right) + down
                merged, sright = [*scells, moved], child
            if sum(len(c) + 2 for c in merged) <= bt._capacity(sno, False):
                bt._write_page(spage, sinfo.ptype, merged, sright)
                del gcells[di]
                if not right_sibling:
                    gright = sno
                pager.free_page(page.pgno)
            elif right_sibling:
                lent = scells[0]
                bt._write_page(page, info.ptype, [moved], _unpack_u32(lent, 0)[0])
                bt._write_page(spage, sinfo.ptype, scells[1:], sinfo.right)
                gcells[di] = _U32.pack(page.pgno) + lent[4:]
            else:
                lent = scells[-1]
                bt._write_page(page, info.ptype, [moved], child)
                bt._write_page(spage, sinfo.ptype, scells[:-1], _unpack_u32(lent, 0)[0])
                gcells[di] = _U32.pack(sno) + lent[4:]
            path = path[:-1]
            if gcells:
                bt._insert_cells(path, gcells, gright)
                return
            if len(path) > 1:
                bt._write_page(gpage, ginfo.ptype, [], gright)
                continue
            # The root has one child: its content moves up when it fits.
            only = pager.get_page_sync(gright)
            cinfo, ccells = bt._page_cells(only)
            if sum(len(c) + 2 for c in ccells) <= bt._capacity(gpage.pgno, cinfo.leaf):
                bt._write_page(gpage, cinfo.ptype, ccells, cinfo.right)
                pager.free_page(only.pgno)
            else:
                bt._write_page(gpage, ginfo.ptype, [], gright)

    def _remove_empty(self, path: list[list[Any]]) -> list[bytes]:
        """Take the empty leaf at the end of ``path`` out of the tree.

        Returns index payloads that had to leave an interior page and must be
        inserted again.
        """
        bt = self.btree
        pager = self.pager
        reinsert: list[bytes] = []
        while len(path) > 1:
            page = path[-1][0]
            parent, pinfo, pidx = path[-2]
            pinfo = page_info(parent)
            _, pcells = bt._page_cells(parent)
            pright = pinfo.right
            if not pcells:
                # The page was its parent's only child: the parent goes
                # too (the root, holding nothing now, becomes an empty leaf).
                pager.free_page(page.pgno)
                if len(path) == 2:
                    bt._write_page(parent, PTYPE_TABLE_LEAF if pinfo.intkey
                                   else PTYPE_INDEX_LEAF, [], 0)
                    return reinsert
                path = path[:-1]
                continue
            if pidx < pinfo.ncell:
                removed = pcells.pop(pidx)
            else:
                removed = pcells.pop()
                pright = _unpack_u32(removed, 0)[0]
            if not pinfo.intkey:
                reinsert.append(bt.read_payload_of_cell(removed))
                if pidx < pinfo.ncell and _unpack_u32(removed, 0)[0] != page.pgno:
                    corrupt("index interior link")
            pager.free_page(page.pgno)
            if not pcells and len(path) == 2:
                # The root has a single child: pull the child's content up.
                child = pager.get_page_sync(pright)
                cinfo, ccells = bt._page_cells(child)
                need = sum(len(c) + 2 for c in ccells)
                if need <= bt._capacity(parent.pgno, cinfo.leaf):
                    bt._write_page(parent, cinfo.ptype, ccells, cinfo.right)
                    pager.free_page(child.pgno)
                    return reinsert
            bt._write_page(parent, pinfo.ptype, pcells, pright)
            if not pcells:
                self._fill_cellless(path[:-1])
            return reinsert
        return reinsert
        return reinsert

